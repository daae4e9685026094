/**
 * Explanations: a plan rendered for people (a text tree), for diagrams (Mermaid, Graphviz DOT), and
 * as JSON described by an `effect/Schema` schema.
 *
 * Every rendering shows the chosen components, what each request resolved to and why (the rule that
 * decided among the candidates considered), and marks roots and overrides. All renderings are
 * iterative and linear in nodes + edges, in time and in output size:
 * - the tree expands a shared dependency once (later occurrences say "(see above)");
 * - the tree's indentation is bounded: a branch deeper than `maxDepth` levels is continued in a
 *   section of its own further down ("(continued below)"), so a 10,000-long chain is 10,312 short
 *   lines, not 150 MB of indentation;
 * - nothing recurses per component, so a 10,000-long chain renders in every form.
 *
 * The JSON form is data: {@link fromJson} decodes and validates it, but a decoded value is not a
 * runnable plan (constructors are not data); resolve the registry again for that.
 *
 * Names: `tree` / `mermaid` / `dot` name the output format; `toJson` / `fromJson` mirror
 * `JSON.stringify` / `JSON.parse` around the {@link PlanJson} schema.
 *
 * @since 0.1.0
 */
import type * as Either from "effect/Either"
import type * as Schema from "effect/Schema"
import * as internal from "./internal/explain.js"
import type * as Dependency from "./Dependency.js"
import type * as Errors from "./Errors.js"
import type * as Plan from "./Plan.js"
import type * as Report from "./Report.js"

/**
 * Options of {@link tree}.
 *
 * @since 0.1.0
 * @category models
 */
export interface TreeOptions {
  /**
   * The deepest level a line is indented to (roots are level 0; default 32, at least 1,
   * `Infinity` for no limit). A component at that level whose dependencies would go deeper is
   * marked "(continued below)" and its subtree is printed after the main tree, starting from a line
   * `name (continued)`. Keeps every line short whatever the depth of the graph.
   */
  readonly maxDepth?: number | undefined
}

/**
 * The plan as a text tree, from the roots down.
 *
 * - A root is a line of its own; dependencies hang below it (`├─`, `└─`, `│`).
 * - A line is `name (service)`, the service omitted when the name is the service's key. One of
 *   layerwise's own services (`App.Health`, `App.Shutdowner`, `App.Application`: provided by the
 *   application, not one of its components) is marked: `layerwise/App/Health (layerwise)`; a request
 *   of the running container (`Container.Container`, no component at all) reads
 *   `layerwise/Container (container)`.
 * - A request that was qualified, named, optional or a collection is prefixed by its label
 *   (`Database@replica: replicaDb (Database)`); a collection lists every member, in order; an
 *   optional request that nothing matched says `Option<Metrics> (absent)`, an empty collection
 *   `All<Plugin> (none)`; one of a name or qualifier no component of its service has is a warning
 *   (see {@link warnings}): `Option<Storage#locl> (absent) [warning: no component of Storage is
 *   named locl; did you mean local?]`.
 * - A component is one line under each dependent, however many of its requests resolved to it:
 *   two requests of one family member are one line; different requests are listed, each with its
 *   rule (`Database, Database@replica: replicaDb (Database)`).
 * - The rule that chose a candidate follows in brackets when there was a choice:
 *   `[primary over Sqlite]`, `[not-alternative over Fake]`, `[lowest-order over B, C]`,
 *   `[override]`, `[all, 2 by order]`. A sole candidate gets no bracket. The candidates false
 *   conditions left out of the choice follow, with their conditions:
 *   `[primary over Sqlite; excluded by their conditions: Oracle (profile oracle)]`.
 * - A component with dependencies is expanded where it first appears; later occurrences read
 *   `name (see above)`, without their subtree. A leaf is simply repeated.
 * - Components the plan builds without a requested root leading to them (App's startup
 *   components) are roots of their own, after the requested ones.
 * - A component's lifecycle metadata follows its first line, in the order the application runs it:
 *   `Server · startup 0 · onStart: listen · background: accept (signal) · onStop · timeouts: stop 5s`
 *   (hooks with default names are counted, named ones listed; health checks, run only when asked,
 *   come last: `healthCheck: ping, connected (readiness)`, one that counts for readiness saying so).
 *   Mermaid and DOT labels carry the same line; the JSON form has it
 *   as {@link LifecycleJson}.
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
 * // Api
 * // └─ Postgres (Database) [primary over Sqlite]
 * ```
 *
 * @since 0.1.0
 * @category rendering
 */
export const tree: (plan: Plan.Any, options?: TreeOptions) => string = internal.tree

/**
 * Options of {@link mermaid} and {@link dot}.
 *
 * @since 0.1.0
 * @category models
 */
export interface DiagramOptions {
  /** Layout direction: top to bottom (default), bottom to top, left to right, right to left. */
  readonly direction?: "TB" | "BT" | "LR" | "RL" | undefined
}

/**
 * The plan as a Mermaid flowchart.
 *
 * - One node per component, with id `n<node id>` and label `name` (plus the service on a second
 *   line when the name is not the service's key, and `(layerwise)` on the next for one of
 *   layerwise's own services, as in {@link tree}).
 * - One arrow per dependent and dependency (from the dependent to the dependency), labelled with the
 *   request when it was qualified, named, optional or a collection, and with the deciding rule
 *   when there was a choice (`Database [primary]`), then the candidates false conditions left out
 *   (`[primary; excluded by their conditions: Oracle (profile oracle)]`, on the arrow to a
 *   collection's first member only); when several different requests resolved to
 *   the dependency, with each (`Database, Database@replica`). A handle's arrow is dotted, unless a
 *   request that is not a handle resolved to the same dependency.
 * - Roots get the class `root` (thick border), overrides the class `override` (dashed border).
 * - Labels are quoted; `"`, `<`, `>`, `&`, backticks and `#` that would start an entity are
 *   written as Mermaid entity codes, line breaks as `<br/>`.
 *
 * @example
 * ```ts
 * import { Context, Either } from "effect"
 * import { Component, Explain, Registry, Resolver } from "layerwise"
 *
 * class Greeting extends Context.Tag("Greeting")<Greeting, string>() {}
 *
 * const plan = Either.getOrThrow(Resolver.resolve(Registry.make(Component.succeed(Greeting, "hi")), [Greeting]))
 * console.log(Explain.mermaid(plan, { direction: "LR" }))
 * // flowchart LR
 * //   n0["Greeting"]
 * //   classDef root stroke-width:3px
 * //   classDef override stroke-dasharray: 5 5
 * //   class n0 root
 * ```
 *
 * @since 0.1.0
 * @category rendering
 */
export const mermaid: (plan: Plan.Any, options?: DiagramOptions) => string = internal.mermaid

/**
 * The plan as a Graphviz `digraph` (render with `dot -Tsvg`); the same information as
 * {@link mermaid}: nodes `n<node id>` with quoted, escaped labels (layerwise's own services marked
 * `(layerwise)`), roots drawn thick
 * (`penwidth=2`), overrides dashed, edges labelled like Mermaid's.
 *
 * @example
 * ```ts
 * import { Context, Either } from "effect"
 * import { Component, Explain, Registry, Resolver } from "layerwise"
 *
 * class Greeting extends Context.Tag("Greeting")<Greeting, string>() {}
 *
 * const plan = Either.getOrThrow(Resolver.resolve(Registry.make(Component.succeed(Greeting, "hi")), [Greeting]))
 * console.log(Explain.dot(plan))
 * // digraph layerwise {
 * //   rankdir=TB;
 * //   node [shape=box];
 * //   n0 [label="Greeting", penwidth=2];
 * // }
 * ```
 *
 * @since 0.1.0
 * @category rendering
 */
export const dot: (plan: Plan.Any, options?: DiagramOptions) => string = internal.dot

/**
 * How a request selects candidates, as JSON.
 *
 * @since 0.1.0
 * @category models
 */
export type SelectorJson =
  | { readonly _tag: "Any" }
  | { readonly _tag: "Qualifier"; readonly qualifier: string }
  | { readonly _tag: "Name"; readonly name: string }

/**
 * A request as JSON (see `Dependency.Description`).
 *
 * @since 0.1.0
 * @category models
 */
export interface RequestJson {
  /** The key of the requested service's tag. */
  readonly service: string
  readonly selector: SelectorJson
  readonly cardinality: "one" | "optional" | "all"
  /** The key the resolved value is provided under. */
  readonly key: string
  /** Readable form: `Database`, `Database@replica`, `Database#auditDb`, `Option<Database>`, `All<Plugin>`. */
  readonly label: string
}

/**
 * Why a request resolved the way it did, as JSON (see `Plan.Choice`).
 *
 * @since 0.1.0
 * @category models
 */
export interface ChoiceJson {
  readonly rule: Plan.Choice["rule"]
  /** The names of the candidates the rule chose among. */
  readonly considered: ReadonlyArray<string>
  /** Present when false conditions left out candidates the request would have matched: those, with their conditions. */
  readonly excluded?: ReadonlyArray<{ readonly name: string; readonly condition: string }>
  /** Present on an optional request or a collection of a name (qualifier) no component of its service has (see {@link warnings}): the close ones. */
  readonly unmatched?: { readonly suggestions: ReadonlyArray<string> }
}

/**
 * A resolved request as JSON: the nodes (ids) that satisfy it and why.
 *
 * @since 0.1.0
 * @category models
 */
export interface EdgeJson {
  readonly request: RequestJson
  readonly targets: ReadonlyArray<number>
  readonly choice: ChoiceJson
}

/**
 * A chosen component as JSON: its identity, the metadata the choice rules use, and its resolved
 * requests.
 *
 * @since 0.1.0
 * @category models
 */
export interface NodeJson {
  /** Position in `nodes` (and in the build order). */
  readonly id: number
  readonly name: string
  readonly service: string
  readonly qualifiers: ReadonlyArray<string>
  readonly primary: boolean
  readonly alternative: boolean
  readonly order: number
  /** `true` when the component was registered as an override. */
  readonly override: boolean
  /** Present (`true`) when it replaced the component of its name (`Registry.replace`, `Testing.named`), with its metadata. */
  readonly replaced?: true
  /** How the component builds its service (see `Component.Construct`). */
  readonly construct: "Effect" | "Layer" | "Value"
  /** The node that first needed this one; `null` for a root. */
  readonly parent: number | null
  /**
   * Its requests in the order it declares them, each resolved: one edge per request, as the plan
   * has them, even when two requests resolved to one node (two requests of one family member).
   */
  readonly dependencies: ReadonlyArray<EdgeJson>
  /** Present when the component carries lifecycle metadata (see the `Lifecycle` module). */
  readonly lifecycle?: LifecycleJson
  /** Present when the component is not a singleton (see the `Lifetime` module). */
  readonly lifetime?: LifetimeJson
  /**
   * Present (`true`) when the component is one of layerwise's own services (`App.HealthLive`,
   * `App.ShutdownerLive`, `App.ApplicationLive`): the application provides it; it is none of the
   * application's components (the report and the ops endpoints leave it out).
   */
  readonly builtIn?: true
}

/**
 * A component's lifetime as JSON, when it is not a singleton.
 *
 * @since 0.2.0
 * @category models
 */
export type LifetimeJson = { readonly _tag: "Transient" } | { readonly _tag: "Scoped"; readonly scope: string }

/**
 * A component's lifecycle metadata as JSON: hook names in the order they run, background work and
 * how it stops, health checks (only when it declares some), and the component's own timeouts in
 * milliseconds.
 *
 * @since 0.1.0
 * @category models
 */
export interface LifecycleJson {
  /** The startup order of a startup component; `null` otherwise. */
  readonly startup: number | null
  readonly initializers: ReadonlyArray<string>
  readonly onStart: ReadonlyArray<string>
  readonly onStop: ReadonlyArray<string>
  readonly disposers: ReadonlyArray<string>
  readonly background: ReadonlyArray<{ readonly name: string; readonly onShutdown: "interrupt" | "signal" }>
  /**
   * Present when the component declares health checks: their names, their own timeouts in milliseconds, and
   * `readiness: true` for those that count for readiness (absent for the others).
   */
  readonly healthChecks?: ReadonlyArray<{ readonly name: string; readonly timeout: number | null; readonly readiness?: true }>
  /** Milliseconds; only the timeouts the component sets itself. */
  readonly timeouts: {
    readonly start?: number
    readonly stop?: number
    readonly grace?: number
    readonly health?: number
  }
}

/**
 * A plan's JSON form.
 *
 * @since 0.1.0
 * @category models
 */
export interface PlanJson {
  /** The requested roots, each resolved. */
  readonly roots: ReadonlyArray<EdgeJson>
  readonly nodes: ReadonlyArray<NodeJson>
  /** Node ids in build order: every node after the nodes it depends on. */
  readonly order: ReadonlyArray<number>
  /** The keys of the services the plan needs from outside, when it needs some. */
  readonly external?: ReadonlyArray<string>
}

/**
 * The schema of a resolved request's JSON form ({@link EdgeJson}).
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Explain } from "layerwise"
 *
 * export const edges = Schema.decodeUnknownSync(Schema.Array(Explain.EdgeJson))
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const EdgeJson: Schema.Schema<EdgeJson> = internal.EdgeJson

/**
 * The schema of a component's JSON form ({@link NodeJson}).
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Explain } from "layerwise"
 *
 * export const isNode = Schema.is(Explain.NodeJson)
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const NodeJson: Schema.Schema<NodeJson> = internal.NodeJson

/**
 * The schema of a component's lifecycle metadata as JSON ({@link LifecycleJson}).
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Explain } from "layerwise"
 *
 * export const stopHooks = (node: Explain.NodeJson): ReadonlyArray<string> =>
 *   Schema.is(Explain.LifecycleJson)(node.lifecycle) ? node.lifecycle.onStop : []
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const LifecycleJson: Schema.Schema<LifecycleJson> = internal.LifecycleJson

/**
 * The schema of a plan's JSON form: roots and nodes with their resolved edges and choices, and the
 * build order. Its encoded and decoded forms are the same plain data. Decoding gives the data, not
 * a runnable plan (constructors are not data).
 *
 * @example
 * ```ts
 * import { JSONSchema, Schema } from "effect"
 * import { Explain } from "layerwise"
 *
 * export const decode = Schema.decodeUnknownSync(Explain.PlanJson)
 * export const jsonSchema = JSONSchema.make(Explain.PlanJson)
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const PlanJson: Schema.Schema<PlanJson> = internal.PlanJson

/**
 * Encodes a plan to its JSON form through {@link PlanJson}: plain data, ready for `JSON.stringify`.
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
 * // {"roots":[{"request":{"service":"Greeting",...},"targets":[0],"choice":{"rule":"only","considered":["Greeting"]}}],
 * //  "nodes":[{"id":0,"name":"Greeting",...,"construct":"Value","parent":null,"dependencies":[]}],"order":[0]}
 * ```
 *
 * @since 0.1.0
 * @category encoding
 */
export const toJson: (plan: Plan.Any) => PlanJson = internal.toJson

/**
 * Decodes and validates a plan's JSON form, e.g. one read back from a file; throws a `ParseError`
 * when the input does not match {@link PlanJson}. The result is data, not a runnable plan.
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

/**
 * What the plan resolved that is no error but most likely a mistake, one line each with its path:
 * an optional request or a collection of a name or qualifier that no component of its service has,
 * those false conditions left out included (`Dependency.optional(Dependency.named(Storage, "locl"))`
 * next to components named `local` and `s3`), so it is absent (empty) in every environment of the
 * registry, with the close names: `Report -> Option<Storage#locl>: no component of Storage is named
 * locl (did you mean local?), so it is always absent`. Not an error, as with Spring's optional
 * qualified injection: a library may request a component by name that only some applications
 * register. A test that wants none asserts the list is empty; the tree marks them too.
 *
 * @example
 * ```ts
 * import { Context, Effect, Either } from "effect"
 * import { Component, Dependency, Explain, Registry, Resolver } from "layerwise"
 *
 * class Storage extends Context.Tag("Storage")<Storage, string>() {}
 * class Report extends Context.Tag("Report")<Report, string>() {}
 *
 * const local = Dependency.optional(Dependency.named(Storage, "locl"))
 * const registry = Registry.make(
 *   Component.succeed(Storage, "disk").pipe(Component.named("local")),
 *   Component.make(Report, { dependencies: [local], build: Effect.succeed("report") })
 * )
 * console.log(Explain.warnings(Either.getOrThrow(Resolver.resolve(registry, [Report]))))
 * // ["Report -> Option<Storage#locl>: no component of Storage is named locl (did you mean local?), so it is always absent"]
 * ```
 *
 * @since 0.2.0
 * @category rendering
 */
export const warnings: (plan: Plan.Any) => ReadonlyArray<string> = internal.warnings

/**
 * One component explained (see {@link component}): what it is, why it was chosen for each request
 * that resolved to it (`chosenBy`: the dependent, `null` for a root, the request, the rule and the
 * candidates considered; a dependent's request once, however many times it was made, as two
 * requests of one family member are), its resolved requests (each once), its dependents, its lifecycle metadata; with a
 * report, where it got (`state`) and its phases with their timings. `alias` is present (`true`) for
 * an alias (`Component.alias`): its one resolved request is what it answers with; `replaced` (`true`)
 * for a component that replaced one by name (`Registry.replace`, `Testing.named`: a mock by name), in
 * its place and with its metadata (the tree marks it `· replaced`); `builtIn` (`true`)
 * for one of layerwise's own services (`App.HealthLive`...), which the application provides (the
 * text marks it `(layerwise)` and says so instead of what it is built from).
 *
 * @since 0.2.0
 * @category models
 */
export interface ComponentExplanation extends Schema.Schema.Type<typeof internal.ComponentExplanation> {}

/**
 * The schema of {@link ComponentExplanation} (its JSON form).
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Explain } from "layerwise"
 *
 * export const decode = Schema.decodeUnknownSync(Explain.ComponentExplanation)
 * ```
 *
 * @since 0.2.0
 * @category schemas
 */
export const ComponentExplanation: Schema.Schema<ComponentExplanation> = internal.ComponentExplanation

/**
 * Explains one component of a plan, by its name or by a request that resolved to it (a root's, a
 * scope's, or any component's request): its tag, lifetime, qualifiers, why it was chosen over the
 * other candidates (and which ones false conditions excluded, with their conditions:
 * `the only candidate left; excluded by their conditions: LruCache (profile lru)`), its
 * dependencies and dependents; given a running application's report
 * (`App.report`), also its state and the timings of its phases. A name or request the plan has no
 * component for fails with `UnknownComponent`, suggesting close names (a service's key given as a
 * name: the components of that service first); so does a request that
 * resolved to several components (a collection's), listing them in `members`, to be named.
 *
 * @example
 * ```ts
 * import { Context, Either } from "effect"
 * import { Component, Explain, Registry, Resolver } from "layerwise"
 *
 * class Database extends Context.Tag("app/Database")<Database, { readonly url: string }>() {}
 *
 * const registry = Registry.make(
 *   Component.succeed(Database, { url: "main" }).pipe(Component.named("main"), Component.primary),
 *   Component.succeed(Database, { url: "replica" }).pipe(Component.named("replica"))
 * )
 * const plan = Either.getOrThrow(Resolver.resolve(registry, [Database]))
 * const main = Either.getOrThrow(Explain.component(plan, "main"))
 * console.log(main.chosenBy[0]?.rule) // "primary"
 * console.log(Explain.componentText(main))
 * // main (app/Database)
 * //   singleton · primary · built from a value
 * //   chosen for the root -> app/Database: primary over replica
 * //   dependents: none
 * console.log(Either.isLeft(Explain.component(plan, "mian"))) // true: UnknownComponent, did you mean main?
 * ```
 *
 * @since 0.2.0
 * @category explaining
 */
export const component: (
  plan: Plan.Any,
  which: string | Dependency.Any,
  report?: Report.Report
) => Either.Either<ComponentExplanation, Errors.UnknownComponent> = internal.component

/**
 * One component's explanation as text (see {@link component}).
 *
 * @example
 * ```ts
 * import { Context, Either } from "effect"
 * import { Component, Explain, Registry, Resolver } from "layerwise"
 *
 * class Clock extends Context.Tag("app/Clock")<Clock, { readonly now: () => number }>() {}
 *
 * const plan = Either.getOrThrow(Resolver.resolve(Registry.make(Component.succeed(Clock, { now: () => 0 })), [Clock]))
 * console.log(Explain.componentText(Either.getOrThrow(Explain.component(plan, Clock))))
 * ```
 *
 * @since 0.2.0
 * @category explaining
 */
export const componentText: (explanation: ComponentExplanation) => string = internal.componentText

/**
 * Options of {@link componentTree}: the direction to walk, and {@link TreeOptions}' `maxDepth`.
 *
 * @since 0.2.0
 * @category models
 */
export interface ComponentTreeOptions extends TreeOptions {
  /**
   * `"dependencies"` (the default): what the component pulls in, transitively, as {@link tree}
   * shows it below the component. `"dependents"`: what depends on it, transitively (the reverse
   * edges): what cannot be built, or fails, when it does.
   */
  readonly direction?: "dependencies" | "dependents" | undefined
}

/**
 * The tree rooted at one component, found as {@link component} finds it (by its name, or by a request
 * that resolved to it): its dependencies, recursively, or with `direction: "dependents"` its
 * dependents, recursively: what it pulls in, or what breaks if it fails, in one call (samber/do's
 * `ExplainService`, whose `Dependencies` and `Dependents` each carry their `Recursive` relations).
 * A name or request the plan has no component for, or that resolved to several, is a `Left` of
 * `UnknownComponent`, as {@link component}'s: a separate function rather than an option of {@link tree}, so that
 * `tree` stays total and only a lookup by name can fail.
 *
 * Rendered as {@link tree} renders: the same lines (a component's lifecycle metadata on its first
 * line), a shared component expanded once ("(see above)" later), branches deeper than `maxDepth`
 * continued below ("(continued below)"). Walking dependents, a line is a dependent, once however
 * many of its requests resolved to the component above it, in build order; the requests follow
 * `via` when they are more than one plain request (`Reports via Database@replica`), each with the
 * rule that chose the component when there was a choice (`Api [primary over Sqlite]`). The roots'
 * and scopes' requests are no component's: a root is where the dependents end.
 *
 * @example
 * ```ts
 * import { Context, Either } from "effect"
 * import { Component, Explain, Registry, Resolver } from "layerwise"
 *
 * class Database extends Context.Tag("Database")<Database, string>() {}
 * class Repo extends Context.Tag("Repo")<Repo, string>() {}
 * class Api extends Context.Tag("Api")<Api, string>() {}
 *
 * const registry = Registry.make(
 *   Component.succeed(Database, "postgres"),
 *   Component.make(Repo, { dependencies: [Database], build: Database }),
 *   Component.make(Api, { dependencies: [Repo], build: Repo })
 * )
 * const plan = Either.getOrThrow(Resolver.resolve(registry, [Api]))
 * console.log(Either.getOrThrow(Explain.componentTree(plan, Database, { direction: "dependents" })))
 * // Database
 * // └─ Repo
 * //    └─ Api
 * console.log(Either.getOrThrow(Explain.componentTree(plan, "Repo")))
 * // Repo
 * // └─ Database
 * ```
 *
 * @since 0.2.0
 * @category explaining
 */
export const componentTree: (
  plan: Plan.Any,
  which: string | Dependency.Any,
  options?: ComponentTreeOptions
) => Either.Either<string, Errors.UnknownComponent> = internal.componentTree
