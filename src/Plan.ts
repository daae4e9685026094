/**
 * Plans: the resolved dependency graph, as data.
 *
 * A plan is what the resolver chose: the reachable components (nodes) in build order, with every
 * request of every component resolved to the nodes that satisfy it and the reason they were chosen.
 * It is plain data (inspect it, test it, render it) until {@link toLayer} turns it into one Effect
 * Layer.
 *
 * @since 0.1.0
 */
import { dual } from "effect/Function"
import type { Inspectable } from "effect/Inspectable"
import type * as Layer from "effect/Layer"
import type { Pipeable } from "effect/Pipeable"
import type * as Types from "effect/Types"
import type * as Component from "./Component.js"
import type * as Dependency from "./Dependency.js"
import type * as Errors from "./Errors.js"
import * as toLayerInternal from "./internal/toLayer.js"
import * as internal from "./internal/plan.js"
import type * as Options from "./Options.js"

/**
 * The brand every plan carries: what `Plan.isPlan` tests.
 *
 * @example
 * ```ts
 * import { Plan } from "layerwise"
 *
 * export const branded = (u: object): boolean => Plan.TypeId in u
 * ```
 *
 * @since 0.1.0
 * @category symbols
 */
export const TypeId: unique symbol = internal.TypeId as TypeId

/**
 * @since 0.1.0
 * @category symbols
 */
export type TypeId = typeof TypeId

/**
 * A resolved graph that provides `Roots` once built, whose constructors may fail with `E`, and that
 * needs the services `R` from outside (its external requirements, see `Resolver.Options`).
 *
 * Contravariant in `Roots`, as Effect's `Layer` is in what it provides: a plan that provides more
 * can stand where one that provides less is expected, never the reverse (a `Plan<Config>` is not a
 * `Plan<Config | Database>`); covariant in its errors and requirements, as a Layer is. Any plan is a
 * {@link Any}, which is what functions that only read a plan (`Explain.tree`, `Plan.path`) take.
 *
 * @example
 * ```ts
 * import { Context, Either } from "effect"
 * import { Component, type Plan, Registry, Resolver } from "layerwise"
 *
 * class Config extends Context.Tag("app/Config")<Config, { readonly url: string }>() {}
 * class Clock extends Context.Tag("app/Clock")<Clock, { readonly now: () => number }>() {}
 *
 * const registry = Registry.make(Component.succeed(Config, { url: "" }), Component.succeed(Clock, { now: () => 0 }))
 * const both: Plan.Plan<Config | Clock> = Either.getOrThrow(Resolver.resolve(registry, [Config, Clock]))
 * // providing more than asked is fine
 * export const configOnly: Plan.Plan<Config> = both
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Plan<in Roots, out E = unknown, out R = never> extends Pipeable, Inspectable {
  readonly [TypeId]: {
    readonly _Roots: Types.Contravariant<Roots>
    readonly _E: Types.Covariant<E>
    readonly _R: Types.Covariant<R>
  }
  /**
   * The chosen components in build order: every node comes after the nodes it depends on; the roots
   * in the order requested, each after its dependencies in the order it declares them. Constructors
   * that complete synchronously run in exactly this order, and release in its reverse; asynchronous
   * ones overlap, each started once its dependencies are done (of those ready together, the first
   * in this order first).
   */
  readonly nodes: ReadonlyArray<Node>
  /** The requested roots, each resolved to the nodes that satisfy it. */
  readonly roots: ReadonlyArray<Edge>
  /**
   * The keys of the services the plan needs from outside (declared with `external`): requests of
   * them resolve to what the program provides (edges with the rule `"external"`).
   */
  readonly external: ReadonlyArray<string>
  /**
   * The scopes the plan declares (`scopes`, outer first), each with the requests it provides: a plain
   * request of every service that has a candidate scoped to it, resolved by the usual rules (a
   * singleton may win), validated with the rest of the plan, built only when the scope opens.
   */
  readonly scopes: ReadonlyArray<ScopeEntry>
  /**
   * The options the plan reads (see `Options`): those its requests resolved to (edges with the rule
   * `"options"`), in the order the resolver met them, then those only the conditions that chose its
   * components read; each once. Its Layer (and App) reads and validates all of them before any
   * constructor runs.
   */
  readonly options: ReadonlyArray<Options.Any>
}

/**
 * A declared scope of a plan and the requests it provides (see {@link Plan.scopes}).
 *
 * @since 0.2.0
 * @category models
 */
export interface ScopeEntry {
  readonly name: string
  /**
   * The keys of its inputs: the services whoever opens the scope provides (`Lifetime.scope`'s
   * `inputs`); requests of them resolve to the open scope's (edges with the rule `"input"`).
   */
  readonly inputs: ReadonlyArray<string>
  readonly provides: ReadonlyArray<Edge>
}

/**
 * Any plan, whatever it provides, fails with or needs: what functions that only read a plan take.
 *
 * @example
 * ```ts
 * import { type Plan } from "layerwise"
 *
 * export const size = (plan: Plan.Any): number => plan.nodes.length
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export type Any = Plan<never, unknown, unknown>

/**
 * A chosen component.
 *
 * @since 0.1.0
 * @category models
 */
export interface Node {
  /** Position in `Plan.nodes` (build order). */
  readonly id: number
  /** The component's name (explicit, or derived from its tag). */
  readonly name: string
  /** The key of the tag it provides. */
  readonly service: string
  /** The component itself. */
  readonly component: Component.Any
  /** `true` when the component was registered as an override. */
  readonly override: boolean
  /** Its requests, each resolved. */
  readonly dependencies: ReadonlyArray<Edge>
  /** The node that first needed this one (`undefined` for a root): the dependency path, one step up. */
  readonly parent: number | undefined
}

/**
 * A resolved request: which nodes satisfy it and why.
 *
 * @since 0.1.0
 * @category models
 */
export interface Edge {
  readonly request: Dependency.Description
  /** Node ids: one for a single-valued request, zero or one when optional, all (sorted) for a collection. */
  readonly targets: ReadonlyArray<number>
  readonly choice: Choice
}

/**
 * Why a request resolved the way it did.
 *
 * - `only`: a single candidate matched;
 * - `override`: an override won;
 * - `primary`: the primary candidate won over the others;
 * - `not-alternative`: the only candidate not marked alternative won;
 * - `lowest-order`: the candidate with the lowest order won;
 * - `all`: a collection, every candidate sorted by order;
 * - `absent`: an optional request that no candidate matched;
 * - `external`: no candidate, and the service is one of the plan's external requirements: the
 *   program provides it (the edge has no targets);
 * - `container`: a request of `Container.Container`, the running container itself (no targets);
 * - `input`: no candidate, and the service is an input of a declared scope: the one whoever opened
 *   the nearest such scope provided (no targets);
 * - `options`: a component's options (`Options.make`) with no component of their tag: the options
 *   read from `effect/Config` (the edge has no targets; see {@link Plan.options}).
 *
 * `excluded`, present only when false conditions (`Registry.when`) left out candidates the request
 * would have matched, lists those, each with its condition: why `only` chose the one candidate left.
 *
 * @example
 * ```ts
 * import type { Plan } from "layerwise"
 *
 * // Registry.when(Condition.profile("lru"), LruCache), Registry.when(Condition.not(Condition.profile("lru")), MapCache),
 * // resolved without the profile lru: a request of Cache chose MapCache
 * const choice: Plan.Choice = {
 *   rule: "only",
 *   considered: ["MapCache"],
 *   excluded: [{ name: "LruCache", condition: "profile lru" }]
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Choice {
  readonly rule:
    | "only"
    | "override"
    | "primary"
    | "not-alternative"
    | "lowest-order"
    | "all"
    | "absent"
    | "external"
    | "container"
    | "input"
    | "options"
  /** The names of the candidates the rule chose among (after qualifier / name selection). */
  readonly considered: ReadonlyArray<string>
  /** The candidates false conditions left out that the request would have matched, in name order; absent when none. */
  readonly excluded?: ReadonlyArray<Errors.ExcludedCandidate>
  /**
   * Set on an optional request or a collection of a name (a qualifier) that no component of its
   * service has, false conditions' included, so it is absent (empty) in every environment: a
   * misspelling, or a component no application of the registry registered (a library's optional
   * request). Not an error; `Explain.warnings` lists them. `suggestions`: the close names (qualifiers).
   */
  readonly unmatched?: { readonly suggestions: ReadonlyArray<string> }
}

/**
 * Options of the built Layer.
 *
 * @since 0.1.0
 * @category models
 */
export interface LayerOptions {
  /**
   * How many components may be under construction at once (default `"unbounded"`). Components never
   * start before their dependencies are built, whatever the limit.
   *
   * Anything but `"unbounded"` or a number of at least 1 (a fraction is rounded down) is a programming
   * error: the Layer dies when built, with an `IllegalArgumentException` saying why (`NaN`, `0`, `-3`
   * are not taken to mean 1). It is a defect rather than a typed error so that the Layer's error type
   * stays {@link Errors.BuildError}, the failures of constructors; `App`, whose error type already has
   * a case for settings, reports the same problem as `InvalidLifecycle`.
   */
  readonly concurrency?: number | "unbounded" | undefined
  /**
   * Spans of the build and the release (see `Observability`): `layerwise.build` with a
   * `layerwise.component.build` per component, each constructor's spans under its own, then
   * `layerwise.release` with a `layerwise.component.release` per component. `"auto"` (default)
   * makes them when a tracer other than Effect's built-in one (which exports nothing) is installed
   * and tracing is enabled; `false` never, `true` always.
   *
   * @since 0.2.0
   */
  readonly spans?: boolean | "auto" | undefined
}

/**
 * Returns `true` if the value is a plan.
 *
 * @example
 * ```ts
 * import { Context, Either } from "effect"
 * import { Component, Plan, Registry, Resolver } from "layerwise"
 *
 * class Greeting extends Context.Tag("app/Greeting")<Greeting, string>() {}
 *
 * const plan = Resolver.resolve(Registry.make(Component.succeed(Greeting, "hello")), [Greeting])
 * console.log(Either.isRight(plan) && Plan.isPlan(plan.right)) // true
 * ```
 *
 * @since 0.1.0
 * @category refinements
 */
export const isPlan: (u: unknown) => u is Any = internal.isPlan

/**
 * The dependency path from a root to a node, as names (data-first, or data-last in a `pipe`).
 *
 * @example
 * ```ts
 * import { Context, Effect, Either } from "effect"
 * import { Component, Plan, Registry, Resolver } from "layerwise"
 *
 * class Database extends Context.Tag("Database")<Database, string>() {}
 * class Api extends Context.Tag("Api")<Api, string>() {}
 *
 * const registry = Registry.make(
 *   Component.succeed(Database, "db"),
 *   Component.make(Api, { dependencies: [Database], build: Database })
 * )
 * const plan = Either.getOrThrow(Resolver.resolve(registry, [Api]))
 * console.log(Plan.path(plan, 0)) // ["Api", "Database"]
 * console.log(plan.pipe(Plan.path(0))) // the same, data-last
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const path: {
  (id: number): (plan: Any) => ReadonlyArray<string>
  (plan: Any, id: number): ReadonlyArray<string>
} = dual(2, internal.pathTo)

/**
 * Turns a plan into one Layer that provides every requested root. Data-first only, so that it keeps
 * its types when passed as a function (`Effect.map(Resolver.resolveEffect(registry, roots), Plan.toLayer)`):
 * an overloaded (dual) generic function loses them there.
 *
 * The Layer builds and releases; the components' lifecycle metadata (initializers, start and stop
 * hooks, background work, disposers, startup components that are not roots) is an `App`'s to run
 * (`App.layer` is the Layer that does). It builds the plan with a flat, dependency-ordered executor
 * (not one nested Layer per component):
 * - one instance per component; a dependency shared by several components is built once;
 * - a component is built only after everything it depends on; independent components are built
 *   concurrently, up to `concurrency`;
 * - every component has a Scope of its own; all of them are released when the Layer's scope closes,
 *   a component always before any of its dependencies, each exactly once — also when a constructor
 *   fails half-way or the build is interrupted;
 * - a constructor failure surfaces as {@link Errors.ConstructionError}, naming the component and its
 *   dependency path, its `cause` typed (`E`, the union of the constructors' error types); a defect
 *   stays a defect, wrapped in the same error so it names the component. A
 *   constructor that interrupts itself (`Effect.interrupt`, joining a fiber that was interrupted) is
 *   such a defect too: only interrupting the build itself makes the Layer's build end interrupted;
 * - FiberRefs follow `Layer.provide`: a constructor sees what its dependencies' constructors set (a
 *   logger, a config provider, `Layer.locallyScoped`...), transitively, and nothing that components it
 *   does not depend on set; when two dependencies pass on changes of the same FiberRef, the one built
 *   later wins (as `Layer.merge(a, b)` gives when `b` finishes last); the program gets every change;
 * - the plan's external requirements (`R`) are the Layer's: the program provides them, as to any
 *   Layer (`Layer.provide(NodeContext.layer)`);
 * - the Layer builds its Layer-backed components itself: never shared with another graph, even
 *   through a MemoMap the program shares (another graph may have resolved their dependencies to other
 *   components, as a test's override does); a Layer used by several components of the plan is built
 *   once and released after the last of them;
 * - a build that fails is released before the Layer fails, and release failures are added to the
 *   build's failure (defects `ReleaseError`), which stays the error;
 * - the plan's options ({@link Plan.options}) are read with the current `ConfigProvider` and
 *   validated, all of them, before any constructor runs: an invalid or missing value fails the Layer
 *   with {@link Errors.InvalidOptions}, listing every one. A plan without options reads nothing.
 *
 * @example
 * ```ts
 * import { Context, Effect, Either } from "effect"
 * import { Component, Plan, Registry, Resolver } from "layerwise"
 *
 * class Greeting extends Context.Tag("app/Greeting")<Greeting, string>() {}
 *
 * const plan = Either.getOrThrow(Resolver.resolve(Registry.make(Component.succeed(Greeting, "hello")), [Greeting]))
 * const program = Effect.provide(Greeting, Plan.toLayer(plan))
 * Effect.runPromise(program).then(console.log) // "hello"
 * const pointFree = Effect.map(Resolver.resolveEffect(Registry.make(Component.succeed(Greeting, "hi")), [Greeting]), Plan.toLayer)
 * ```
 *
 * @since 0.1.0
 * @category conversions
 */
export const toLayer: <Roots, E, R>(
  plan: Plan<Roots, E, R>,
  options?: LayerOptions
) => Layer.Layer<Roots, Errors.BuildError<E> | Errors.InvalidOptions, R> = toLayerInternal.planToLayer
