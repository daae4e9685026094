/**
 * Components: declared ways to build a service.
 *
 * A component provides one service (a `Context.Tag`, or an `Effect.Service` class, which is a tag),
 * declares the requests it depends on, and says how to build it: a scoped Effect (use
 * `Effect.acquireRelease` for resources), an existing Layer, an `Effect.Service` class (its layer,
 * its dependencies read from the class: {@link fromService}), or a plain value. It also carries the
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
import type { Inspectable } from "effect/Inspectable"
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
 * The brand every component carries: what `Component.isComponent` tests.
 *
 * @example
 * ```ts
 * import { Component } from "layerwise"
 *
 * export const branded = (u: object): boolean => Component.TypeId in u
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
 * A way to build the service `Service` under the tag identified by `Id`, whose constructor may fail
 * with `E` (the plan's Layer fails with `ConstructionError<E>`, so the error keeps its type).
 *
 * @since 0.1.0
 * @category models
 */
export interface Component<in out Id, in out Service, out E = unknown> extends Pipeable, Inspectable {
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
 *   output. Layers keep Layer semantics (memoisation within the layer, its own finalizers).
 *   `serviceDependencies` (set by {@link fromService}) are the layers an `Effect.Service` class gives
 *   as its `dependencies`, which `layer` still needs: the resolver makes each one a request or builds
 *   it for this component (see {@link fromService});
 * - `Value`: an existing value, nothing to build or release.
 *
 * @since 0.1.0
 * @category models
 */
export type Construct =
  | { readonly _tag: "Effect"; readonly effect: Effect.Effect<unknown, unknown, unknown> }
  | {
    readonly _tag: "Layer"
    readonly layer: Layer.Layer<never, unknown, unknown>
    readonly serviceDependencies?: ReadonlyArray<Layer.Layer<never, unknown, unknown>> | undefined
  }
  | { readonly _tag: "Value"; readonly value: unknown }

/**
 * Any component.
 *
 * @since 0.1.0
 * @category models
 */
// `any`: Component is invariant in its tag and service; `unknown` would accept none
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
export type Error<C> = C extends Component<infer _Id, infer _Service, infer E> ? E : never

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
 * A component built by an existing Layer. The Layer's requirements must be among the declared
 * dependencies. (For an `Effect.Service` class, {@link fromService} reads them from the class.)
 *
 * @example
 * ```ts
 * import { Context, Effect, Layer } from "effect"
 * import { Component } from "layerwise"
 *
 * class Config extends Context.Tag("app/Config")<Config, { readonly url: string }>() {}
 * class Database extends Context.Tag("app/Database")<Database, { readonly url: string }>() {}
 *
 * const DatabaseLayer = Layer.scoped(Database, Effect.map(Config, (config) => ({ url: config.url })))
 * export const DatabaseLive = Component.fromLayer(Database, { dependencies: [Config], layer: DatabaseLayer })
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
 * An `Effect.Service` class: a tag whose `Default` is its Layer, or a function making it from
 * arguments (an `Effect.Service` whose `effect` or `scoped` is a function). Classes that declare
 * `dependencies` also have `DefaultWithoutDependencies`.
 *
 * @since 0.2.0
 * @category models
 */
// `any`: tags are invariant; only `any` lets the bare type accept every class
export interface ServiceClass<Id = any, Service = any> extends Context.Tag<Id, Service> {
  readonly Default: Layer.Layer<Id, unknown, unknown> | ((...args: never) => Layer.Layer<Id, unknown, unknown>)
}

/**
 * Types read from an {@link ServiceClass} by {@link fromService}.
 *
 * @since 0.2.0
 * @category type-level
 */
export declare namespace Service {
  /**
   * A layer, or what a layer-making function returns.
   *
   * @since 0.2.0
   */
  export type Applied<L> = L extends (...args: never) => infer R ? R : L
  /**
   * The class's `Default` layer (with its dependencies provided).
   *
   * @since 0.2.0
   */
  export type Default<S> = S extends { readonly Default: infer L } ? Applied<L> : never
  /**
   * The layer the component builds: `DefaultWithoutDependencies` when the class has it, else `Default`.
   *
   * @since 0.2.0
   */
  export type Own<S> = S extends { readonly DefaultWithoutDependencies: infer L } ? Applied<L> : Default<S>
  /**
   * The arguments of a class whose `Default` is a function (`never` for a class whose `Default` is a Layer).
   *
   * @since 0.2.0
   */
  export type Arguments<S> = S extends { readonly Default: (...args: infer A) => unknown } ? A : never
  /**
   * The error type of a layer.
   *
   * @since 0.2.0
   */
  export type LayerError<L> = L extends Layer.Layer<infer _A, infer E, infer _R> ? E : never
  /**
   * The requirements of a layer.
   *
   * @since 0.2.0
   */
  export type LayerContext<L> = L extends Layer.Layer<infer _A, infer _E, infer R> ? R : never
  /**
   * The component's error type: `Default`'s (the class's errors and those of the dependencies it may
   * build itself), or, with explicit `dependencies`, the own layer's.
   *
   * @since 0.2.0
   */
  export type Error<S, Dependencies> = [Dependencies] extends [never] ? LayerError<Default<S>>
    : LayerError<Own<S>>
  /**
   * `unknown` when the class's requirements are met: without explicit `dependencies`, `Default` must
   * require nothing (its dependencies provide everything its constructor needs); with them, the own
   * layer's requirements must be among them. Otherwise a type naming the missing services, which the
   * class is not assignable to.
   *
   * @since 0.2.0
   */
  export type Requirements<S, Dependencies extends ReadonlyArray<Dependency.Any>> = [Dependencies] extends [never]
    ? [LayerContext<Default<S>>] extends [never] ? unknown
    : { readonly "its Default requires services its dependencies do not provide: list the class's dependencies in `dependencies`": LayerContext<Default<S>> }
    : [LayerContext<Own<S>>] extends [Dependency.Identifiers<Dependencies>] ? unknown
    : { readonly "its layer requires services missing from `dependencies`": Exclude<LayerContext<Own<S>>, Dependency.Identifiers<Dependencies>> }
  /**
   * The options of {@link fromService}: the component's metadata, explicit `dependencies`, and the
   * class's `arguments` when its `Default` is a function (then required).
   *
   * @since 0.2.0
   */
  export type Options<S, Dependencies> =
    & Metadata
    & { readonly dependencies?: Dependencies }
    & ([Arguments<S>] extends [never] ? { readonly arguments?: undefined } : { readonly arguments: Arguments<S> })
  /**
   * The options as {@link fromService}'s rest parameter: optional unless the class takes arguments.
   *
   * @since 0.2.0
   */
  export type OptionsArgument<S, Dependencies> = [Arguments<S>] extends [never] ? [options?: Options<S, Dependencies>]
    : [options: Options<S, Dependencies>]
}

/**
 * A component built by an `Effect.Service` class, its dependencies taken from the class itself.
 *
 * The layer: the class's `DefaultWithoutDependencies` when it has one, else its `Default`; a class
 * whose `Default` is a function (an `Effect.Service` with arguments) is given its `arguments` in the
 * options. The component's error type is `Default`'s.
 *
 * Its requests, read from the class's own `dependencies` (never listed again), when the component
 * is resolved against a registry. For each layer the class lists:
 * - a layer that is the `Default` or `DefaultWithoutDependencies` of a service the registry has a
 *   component for (registered with `fromService` or any other way, as an override too, or declared
 *   `external`) becomes a request of that service's tag: the registry's choice is used, shared with
 *   every other component, and an override of that tag (`Testing.value(Clock, fake)`) replaces it
 *   for this service too, which is the point of injecting it;
 * - any other layer (a platform layer, a hand-written one, the `Default` of a service the registry
 *   has no component for, or only components a condition left out) is built for this component
 *   itself, provided to its layer as the class's own `Default` would (Layer memoisation shares it
 *   with the rest of the graph's uses of that very layer). What a layer outputs cannot be known
 *   before it is built, so only a service's `Default` is ever matched to a request.
 *
 * Explicit `dependencies` in the options win: they are the component's requests and nothing is
 * built inside (the same as `fromLayer(Service, { dependencies, layer: Service.DefaultWithoutDependencies })`);
 * the compiler checks that they cover the layer's requirements. Without them, the class's
 * `Default` must require nothing (a constructor that uses a service its `dependencies` do not provide
 * must list its `dependencies` explicitly). A value that is not a Layer (a class without `Default`,
 * from JavaScript) is an `InvalidDeclaration` at resolution, before anything runs.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Component, Registry } from "layerwise"
 *
 * class Clock extends Effect.Service<Clock>()("app/Clock", { succeed: { now: () => 0 } }) {}
 * class Greeter extends Effect.Service<Greeter>()("app/Greeter", {
 *   effect: Effect.map(Clock, (clock) => ({ greet: (name: string) => `hello ${name} at ${clock.now()}` })),
 *   dependencies: [Clock.Default]
 * }) {}
 * class Db extends Effect.Service<Db>()("app/Db", {
 *   effect: (url: string) => Effect.succeed({ url })
 * }) {}
 *
 * // Greeter requests Clock: the registry's Clock component is the one it gets
 * export const registry = Registry.make(
 *   Component.fromService(Clock),
 *   Component.fromService(Greeter),
 *   Component.fromService(Db, { arguments: ["postgres://main"] })
 * )
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const fromService: <S extends ServiceClass, const Dependencies extends ReadonlyArray<Dependency.Any> = never>(
  service: S & Service.Requirements<S, Dependencies>,
  ...options: Service.OptionsArgument<S, Dependencies>
) => Component<Context.Tag.Identifier<S>, Context.Tag.Service<S>, Service.Error<S, Dependencies>> = internal.fromService

/**
 * A component that provides an existing value: nothing to build, nothing to release. The value is
 * the service as it is: a Component or a Layer (which a wide service type, `object` or `unknown`,
 * lets through) is an `InvalidDeclaration` at resolution, where the Component itself, or
 * `Component.fromLayer`, was meant.
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
 * An alias: `tag` answers with what `initial` resolves to, the same instance, built once by the
 * component that provides it (samber/do's `As`, go-path/di's interface binding). `initial` is any
 * single-valued request of a service whose type is assignable to `tag`'s: a tag, `qualified`,
 * `named`. The alias builds nothing and releases nothing of its own. It is transient: each requester
 * gets what the request gives it (the singleton; a transient's new instance; the open scope's
 * instance of a scoped component, whose scope provides the alias too: `Http.requestScope` and
 * `Lifetime.within` list it), so an alias never outlives nor pins its target. It is named after
 * its tag unless `options` say otherwise, and takes part in the choice rules like any component
 * (qualifiers, primary, order).
 *
 * @example
 * ```ts
 * import { Context, Effect } from "effect"
 * import { Component, Registry } from "layerwise"
 *
 * class Storage extends Context.Tag("app/Storage")<Storage, { readonly get: (key: string) => Effect.Effect<string> }>() {}
 * class S3Storage extends Context.Tag("app/S3Storage")<S3Storage, {
 *   readonly get: (key: string) => Effect.Effect<string>
 *   readonly bucket: string
 * }>() {}
 *
 * export const registry = Registry.make(
 *   Component.succeed(S3Storage, { get: (key) => Effect.succeed(`s3:${key}`), bucket: "app" }),
 *   Component.alias(Storage, S3Storage) // Storage is the S3Storage instance
 * )
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const alias: <Id, Service, InitialId, InitialService extends Service>(
  tag: Context.Tag<Id, Service>,
  initial: Context.Tag<InitialId, InitialService>,
  options?: Metadata
) => Component<Id, Service, never> = internal.alias

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
