/**
 * Explanations: a plan rendered for people (a text tree), for diagrams (Mermaid, Graphviz DOT), and
 * as JSON described by an `effect/Schema` schema.
 *
 * Every rendering shows the chosen components, what each request resolved to and why (the rule that
 * decided among the candidates considered), and marks roots and overrides. All renderings are
 * iterative and linear in nodes + edges: a shared dependency is expanded once in the tree (later
 * occurrences say "(see above)"), and a 10,000-long chain renders without recursion.
 *
 * @since 0.1.0
 */
import type * as Schema from "effect/Schema"
import * as internal from "./internal/explain.js"
import type * as Plan from "./Plan.js"

/**
 * The plan as a text tree, from the roots down.
 *
 * Each line is `name (service)`, the service omitted when the name is the service's key; a request
 * that was qualified, named, optional or a collection is prefixed by its label; the rule that chose
 * the candidate follows in brackets when there was a choice (`[primary over Sqlite]`).
 *
 * @example
 * ```ts
 * import { Context, Effect, Either } from "effect"
 * import { Component, Explain, Registry, Resolver } from "layerwise"
 *
 * class Database extends Context.Tag("Database")<Database, string>() {}
 * class Api extends Context.Tag("Api")<Api, string>() {}
 *
 * const registry = Registry.make(
 *   Component.succeed(Database, "postgres").pipe(Component.named("Postgres"), Component.primary),
 *   Component.succeed(Database, "sqlite").pipe(Component.named("Sqlite")),
 *   Component.make(Api, { dependencies: [Database], build: Database })
 * )
 * console.log(Explain.tree(Either.getOrThrow(Resolver.resolve(registry, [Api]))))
 * // └─ Api
 * //    └─ Postgres (Database) [primary over Sqlite]
 * ```
 *
 * @since 0.1.0
 * @category rendering
 */
export const tree: (plan: Plan.Plan<unknown>) => string = internal.tree

/**
 * The plan as a Mermaid flowchart: one node per component (`n<id>`), one arrow per resolved edge
 * (labelled with the request when qualified, named, optional or a collection), roots drawn bold and
 * overrides dashed.
 *
 * @example
 * ```ts
 * import { Context, Either } from "effect"
 * import { Component, Explain, Registry, Resolver } from "layerwise"
 *
 * class Greeting extends Context.Tag("Greeting")<Greeting, string>() {}
 *
 * const plan = Either.getOrThrow(Resolver.resolve(Registry.make(Component.succeed(Greeting, "hi")), [Greeting]))
 * console.log(Explain.mermaid(plan))
 * // flowchart TD
 * //   n0["Greeting"]
 * //   ...
 * ```
 *
 * @since 0.1.0
 * @category rendering
 */
export const mermaid: (plan: Plan.Plan<unknown>) => string = internal.mermaid

/**
 * The plan as a Graphviz `digraph` (render with `dot -Tsvg`); same information as {@link mermaid}.
 *
 * @example
 * ```ts
 * import { Context, Either } from "effect"
 * import { Component, Explain, Registry, Resolver } from "layerwise"
 *
 * class Greeting extends Context.Tag("Greeting")<Greeting, string>() {}
 *
 * const plan = Either.getOrThrow(Resolver.resolve(Registry.make(Component.succeed(Greeting, "hi")), [Greeting]))
 * console.log(Explain.dot(plan)) // digraph layerwise { ... }
 * ```
 *
 * @since 0.1.0
 * @category rendering
 */
export const dot: (plan: Plan.Plan<unknown>) => string = internal.dot

/**
 * The schema of a plan's JSON form: roots and nodes with their resolved edges and choices, and the
 * build order. Decoding gives the data, not a runnable plan (constructors are not data).
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Explain } from "layerwise"
 *
 * export const decode = Schema.decodeUnknownSync(Explain.PlanJson)
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const PlanJson: Schema.Schema<PlanJson, PlanJson> = internal.PlanJson

/**
 * A plan's JSON form.
 *
 * @since 0.1.0
 * @category models
 */
export type PlanJson = typeof internal.PlanJson.Type

/**
 * Encodes a plan to its JSON form (plain data, `JSON.stringify`-able), through {@link PlanJson}.
 *
 * @example
 * ```ts
 * import { Context, Either } from "effect"
 * import { Component, Explain, Registry, Resolver } from "layerwise"
 *
 * class Greeting extends Context.Tag("Greeting")<Greeting, string>() {}
 *
 * const plan = Either.getOrThrow(Resolver.resolve(Registry.make(Component.succeed(Greeting, "hi")), [Greeting]))
 * console.log(JSON.stringify(Explain.toJson(plan)))
 * ```
 *
 * @since 0.1.0
 * @category encoding
 */
export const toJson: (plan: Plan.Plan<unknown>) => PlanJson = internal.toJson

/**
 * Decodes (and validates) a plan's JSON form, e.g. one read back from a file.
 *
 * @example
 * ```ts
 * import { Explain } from "layerwise"
 *
 * export const read = (text: string): Explain.PlanJson => Explain.fromJson(JSON.parse(text))
 * ```
 *
 * @since 0.1.0
 * @category encoding
 */
export const fromJson: (input: unknown) => PlanJson = internal.fromJson
