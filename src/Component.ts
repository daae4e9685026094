/**
 * Components: declared ways to build a service.
 *
 * A component provides one service (a `Context.Tag`, or an `Effect.Service` class, which is a tag),
 * declares the requests it depends on, and says how to build it: a scoped Effect (use
 * `Effect.acquireRelease` for resources), an existing Layer, or a plain value. It also carries the
 * metadata the resolver chooses with: a name, qualifiers, primary / alternative, and an order.
 *
 * Components are immutable, pipeable values: every combinator returns a new component.
 *
 * The compiler checks that a constructor only uses services it declared: the Effect given as
 * constructor may require `Scope` and the identifiers of its declared requests, nothing else; a
 * Layer only those identifiers.
 *
 * @since 0.1.0
 */
import type * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type { Pipeable } from "effect/Pipeable"
import type * as Scope from "effect/Scope"
import type * as Types from "effect/Types"
import type * as Dependency from "./Dependency.js"
import * as internal from "./internal/component.js"
import type * as Lifecycle from "./Lifecycle.js"
import type * as Lifetime from "./Lifetime.js"
import type * as Qualifier from "./Qualifier.js"

/**
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
 * A way to build the service `Service` under the tag identified by `Id`, whose constructor may fail
 * with `E` (the plan's Layer fails with `ConstructionError<E>`, so the error keeps its type).
 *
 * @since 0.1.0
 * @category models
 */
export interface Component<in out Id, in out Service, out E = unknown> extends Pipeable {
  readonly [TypeId]: {
    readonly _Id: Types.Invariant<Id>
    readonly _Service: Types.Invariant<Service>
    readonly _E: Types.Covariant<E>
  }
  /** The tag this component provides. */
  readonly tag: Context.Tag<Id, Service>
  /** The explicit name, if one was given; the resolver names unnamed components after their tag. */
  readonly name: string | undefined
  /** Qualifier names; a qualified request considers only candidates carrying its qualifier. */
  readonly qualifiers: ReadonlyArray<string>
  /** Wins over every non-primary candidate of a single-valued request (overrides win over it). */
  readonly primary: boolean
  /** Loses to every non-alternative candidate of a single-valued request. */
  readonly alternative: boolean
  /** Lower wins a single-valued request after the rules above; collections are sorted by it. */
  readonly order: number
  /** The requests (tags) this component's constructor may use. */
  readonly dependencies: ReadonlyArray<Dependency.Any>
  /** How to build the service. */
  readonly construct: Construct
  /**
   * Lifecycle metadata: startup order, initializers, start / stop hooks, background work, disposers
   * and timeouts (set with the `Lifecycle` combinators; `undefined` when none was set).
   */
  readonly lifecycle?: Lifecycle.Lifecycle | undefined
  /** How long its instance lives (set with the `Lifetime` combinators; `undefined`: a singleton). */
  readonly lifetime?: Lifetime.Lifetime | undefined
}

/**
 * How a component builds its service.
 *
 * - `Effect`: a scoped Effect run with the component's dependencies (and its own Scope) in context;
 * - `Layer`: a Layer built with the dependencies as its input; the component's tag is read from its
 *   output. Layers keep Layer semantics (memoisation within the layer, its own finalizers);
 * - `Value`: an existing value, nothing to build or release.
 *
 * @since 0.1.0
 * @category models
 */
export type Construct =
  | { readonly _tag: "Effect"; readonly effect: Effect.Effect<unknown, unknown, unknown> }
  | { readonly _tag: "Layer"; readonly layer: Layer.Layer<never, unknown, unknown> }
  | { readonly _tag: "Value"; readonly value: unknown }

/**
 * Any component.
 *
 * @since 0.1.0
 * @category models
 */
// Component is invariant in its tag and service; `any` is the only type every component is assignable to.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Any = Component<any, any, any>

/**
 * The error type of a component's constructor.
 *
 * @example
 * ```ts
 * import { Context, Effect } from "effect"
 * import { Component } from "layerwise"
 *
 * class Db extends Context.Tag("app/Db")<Db, { readonly url: string }>() {}
 * class DbDown extends Error {}
 *
 * const DbLive = Component.make(Db, { build: Effect.fail(new DbDown()) })
 * export type Failure = Component.Error<typeof DbLive> // DbDown
 * ```
 *
 * @since 0.2.0
 * @category type-level
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Error<C> = C extends Component<any, any, infer E> ? E : never

/**
 * The metadata the resolver chooses with.
 *
 * @since 0.1.0
 * @category models
 */
export interface Metadata {
  /** Unique within a registry; defaults to the tag's key. Requests can select by it. */
  readonly name?: string | undefined
  /** Qualifier tokens or names. */
  readonly qualifiers?: ReadonlyArray<Qualifier.Input> | undefined
  /** See {@link Component.primary}. */
  readonly primary?: boolean | undefined
  /** See {@link Component.alternative}. */
  readonly alternative?: boolean | undefined
  /** See {@link Component.order}; defaults to 0. */
  readonly order?: number | undefined
}

/**
 * Returns `true` if the value is a component.
 *
 * @example
 * ```ts
 * import { Context } from "effect"
 * import { Component } from "layerwise"
 *
 * class Greeting extends Context.Tag("app/Greeting")<Greeting, string>() {}
 *
 * console.log(Component.isComponent(Component.succeed(Greeting, "hello"))) // true
 * ```
 *
 * @since 0.1.0
 * @category refinements
 */
export const isComponent: (u: unknown) => u is Any = internal.isComponent

/**
 * A component built by a scoped Effect. The Effect may use `Scope` (for `acquireRelease`) and the
 * services of the requests listed in `dependencies`; using anything else does not compile.
 *
 * @example
 * ```ts
 * import { Context, Effect } from "effect"
 * import { Component } from "layerwise"
 *
 * class Config extends Context.Tag("app/Config")<Config, { readonly url: string }>() {}
 * class Database extends Context.Tag("app/Database")<Database, { readonly query: (sql: string) => string }>() {}
 *
 * export const DatabaseLive = Component.make(Database, {
 *   dependencies: [Config],
 *   build: Effect.gen(function*() {
 *     const config = yield* Config
 *     const connection = yield* Effect.acquireRelease(
 *       Effect.sync(() => ({ url: config.url, open: true })),
 *       (connection) => Effect.sync(() => { connection.open = false })
 *     )
 *     return { query: (sql: string) => `${connection.url}: ${sql}` }
 *   })
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: <Id, Service, E = never, const Dependencies extends ReadonlyArray<Dependency.Any> = readonly []>(
  tag: Context.Tag<Id, Service>,
  options: Metadata & {
    readonly dependencies?: Dependencies
    readonly build: Effect.Effect<Types.NoInfer<Service>, E, Scope.Scope | Dependency.Identifiers<Dependencies>>
  }
) => Component<Id, Service, E> = internal.make

/**
 * A component built by an existing Layer (for instance an `Effect.Service` class's
 * `DefaultWithoutDependencies`). The Layer's requirements must be among the declared dependencies.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Component } from "layerwise"
 *
 * class Clock extends Effect.Service<Clock>()("app/Clock", { succeed: { now: () => 0 } }) {}
 * class Greeter extends Effect.Service<Greeter>()("app/Greeter", {
 *   effect: Effect.map(Clock, (clock) => ({ greet: (name: string) => `hello ${name} at ${clock.now()}` })),
 *   dependencies: [Clock.Default]
 * }) {}
 *
 * export const ClockLive = Component.fromLayer(Clock, { layer: Clock.Default })
 * export const GreeterLive = Component.fromLayer(Greeter, {
 *   dependencies: [Clock],
 *   layer: Greeter.DefaultWithoutDependencies
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromLayer: <
  Id,
  Service,
  E = never,
  const Dependencies extends ReadonlyArray<Dependency.Any> = readonly []
>(
  tag: Context.Tag<Id, Service>,
  options: Metadata & {
    readonly dependencies?: Dependencies
    readonly layer: Layer.Layer<Id, E, Dependency.Identifiers<Dependencies>>
  }
) => Component<Id, Service, E> = internal.fromLayer

/**
 * A component that provides an existing value: nothing to build, nothing to release.
 *
 * @example
 * ```ts
 * import { Context } from "effect"
 * import { Component } from "layerwise"
 *
 * class Config extends Context.Tag("app/Config")<Config, { readonly port: number }>() {}
 *
 * export const ConfigLive = Component.succeed(Config, { port: 8080 })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const succeed: <Id, Service>(
  tag: Context.Tag<Id, Service>,
  value: Types.NoInfer<Service>,
  options?: Metadata
) => Component<Id, Service, never> = internal.succeed

/**
 * Gives the component a name (unique within a registry). Requests can select it with
 * `Dependency.named`, overrides can replace it by name, and explanations and errors show it. An
 * explicit name may be its tag's key: the unnamed components of that tag are then numbered
 * (`Database#1`) rather than clash with it.
 *
 * @example
 * ```ts
 * import { Context } from "effect"
 * import { Component } from "layerwise"
 *
 * class Database extends Context.Tag("app/Database")<Database, { readonly url: string }>() {}
 *
 * export const AuditDb = Component.succeed(Database, { url: "audit" }).pipe(Component.named("auditDb"))
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const named: {
  (name: string): <Id, Service, E>(self: Component<Id, Service, E>) => Component<Id, Service, E>
  <Id, Service, E>(self: Component<Id, Service, E>, name: string): Component<Id, Service, E>
} = internal.named

/**
 * Adds qualifiers to the component.
 *
 * @example
 * ```ts
 * import { Context } from "effect"
 * import { Component, Qualifier } from "layerwise"
 *
 * class Database extends Context.Tag("app/Database")<Database, { readonly url: string }>() {}
 * const Replica = Qualifier.make("replica")
 *
 * export const ReplicaDb = Component.succeed(Database, { url: "replica" }).pipe(Component.qualified([Replica]))
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const qualified: {
  (qualifiers: ReadonlyArray<Qualifier.Input>): <Id, Service, E>(self: Component<Id, Service, E>) => Component<Id, Service, E>
  <Id, Service, E>(self: Component<Id, Service, E>, qualifiers: ReadonlyArray<Qualifier.Input>): Component<Id, Service, E>
} = internal.qualified

/**
 * Marks the component primary: it wins a single-valued request over every candidate that is not
 * primary (only overrides win over it).
 *
 * @example
 * ```ts
 * import { Context } from "effect"
 * import { Component } from "layerwise"
 *
 * class Database extends Context.Tag("app/Database")<Database, { readonly url: string }>() {}
 *
 * export const MainDb = Component.succeed(Database, { url: "main" }).pipe(Component.primary)
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const primary: <Id, Service, E>(self: Component<Id, Service, E>) => Component<Id, Service, E> = internal.primary

/**
 * Marks the component alternative: it is chosen for a single-valued request only when no
 * non-alternative candidate exists. It still appears in collections.
 *
 * @example
 * ```ts
 * import { Context } from "effect"
 * import { Component } from "layerwise"
 *
 * class Database extends Context.Tag("app/Database")<Database, { readonly url: string }>() {}
 *
 * export const FallbackDb = Component.succeed(Database, { url: "memory" }).pipe(Component.alternative)
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const alternative: <Id, Service, E>(self: Component<Id, Service, E>) => Component<Id, Service, E> =
  internal.alternative

/**
 * Sets the component's order (default 0): lower wins a single-valued request once override, primary
 * and alternative have not decided; collections are sorted by it.
 *
 * @example
 * ```ts
 * import { Context } from "effect"
 * import { Component } from "layerwise"
 *
 * class Plugin extends Context.Tag("app/Plugin")<Plugin, { readonly name: string }>() {}
 *
 * export const First = Component.succeed(Plugin, { name: "first" }).pipe(Component.order(-10))
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const order: {
  (order: number): <Id, Service, E>(self: Component<Id, Service, E>) => Component<Id, Service, E>
  <Id, Service, E>(self: Component<Id, Service, E>, order: number): Component<Id, Service, E>
} = internal.order
