/**
 * Dependency requests: what a component (or the application) asks the resolver for.
 *
 * A request is a `Context.Tag`. A plain tag asks for the one chosen implementation of that service.
 * The functions of this module derive new tags that ask for more: a candidate with a qualifier, a
 * candidate with a name, an optional service, or every candidate. A derived tag has its own key and
 * its own identifier type, so a constructor reads it exactly like any other service
 * (`yield* Dependency.all(Plugin)`), two differently qualified requests of one tag never collide in a
 * context, and the compiler still checks that a constructor only uses what it declared.
 *
 * Derived tags are interned: calling `Dependency.all(Plugin)` twice gives the same tag, so a
 * constructor may call it inline instead of keeping it in a constant. A derived key reads
 * `layerwise/<label>` (`layerwise/All<app/Plugin@core>`); keys starting with `layerwise/` are reserved
 * for them (and layerwise's own services, such as `App.Shutdowner`): a component whose tag has such a
 * key is an `InvalidDeclaration`, since it would share its context entry with a request. Two
 * different requests whose labels coincide (names containing `@` or `#`) still get different keys:
 * the later one gets a numbered suffix (`layerwise/X@y#z~2`).
 *
 * Why tags and not a record of "injection points": it keeps constructors plain Effect code, works
 * unchanged for components given as Layers (whose requirements are tags), and makes the
 * application's requested roots and a component's dependencies one concept.
 *
 * @since 0.1.0
 */
import type * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import type * as Errors from "./Errors.js"
import * as internal from "./internal/dependency.js"
import type * as Family from "./Family.js"
import type * as Qualifier from "./Qualifier.js"

/**
 * Identifier of a request for the candidate of `Id` that carries qualifier `Q`.
 *
 * @since 0.1.0
 * @category type-level
 */
export interface Qualified<out Id, out Q extends string> {
  readonly "~layerwise/Qualified": { readonly id: Id; readonly qualifier: Q }
}

/**
 * Identifier of a request for the candidate of `Id` named `N`.
 *
 * @since 0.1.0
 * @category type-level
 */
export interface Named<out Id, out N extends string> {
  readonly "~layerwise/Named": { readonly id: Id; readonly name: N }
}

/**
 * Identifier of an optional request of `Id`.
 *
 * @since 0.1.0
 * @category type-level
 */
export interface Optional<out Id> {
  readonly "~layerwise/Optional": Id
}

/**
 * Identifier of a request for every candidate of `Id`.
 *
 * @since 0.1.0
 * @category type-level
 */
export interface All<out Id> {
  readonly "~layerwise/All": Id
}

/**
 * The identifier of a lazy request ({@link lazy}).
 *
 * @since 0.2.0
 * @category type-level
 */
export interface Lazy<out Id> {
  readonly "~layerwise/Lazy": Id
}

/**
 * The identifier of a factory request ({@link factory}).
 *
 * @since 0.2.0
 * @category type-level
 */
export interface Factory<out Id> {
  readonly "~layerwise/Factory": Id
}

/**
 * The identifier of a reloadable request ({@link reloadable}).
 *
 * @since 0.2.0
 * @category type-level
 */
export interface Reloadable<out Id> {
  readonly "~layerwise/Reloadable": Id
}

/**
 * What a reloadable request gives: the component's current instance, and a way to rebuild it.
 *
 * - `use(f)`: runs `f` with the current instance, holding it until `f` ends;
 * - `get`: the current instance, held until the caller's Scope closes;
 * - `reload`: builds a new instance (its dependencies as resolved, initializers included; its options
 *   as read at startup, a Config its constructor reads itself read again) and makes it the current one
 *   for later uses; the previous one is released once nothing holds it any more
 *   (a plain request that got it, a dependent or a `Container.get`, holds it until the application
 *   ends). A failed rebuild keeps the previous instance, and fails with its error; one that ends after
 *   the container's release began fails with `ContainerClosed` (its instance is released, never current).
 *
 * Once the current instance was released (the container's release, `Container.shutDown`), `use` and
 * `get` die with `ContainerClosed` (or `ComponentShutDown`): using a handle past its container is a
 * programming error, as using a closed resource is, and a defect says which and where (an interruption
 * would read as a cancellation). A dependent's finalizer still uses it: it is released after them.
 * Its release waits for the `use`s still running on it (under App, at most the release timeout); not
 * for a `get`, whose Scope may outlive the container.
 *
 * Every handle of a component shares its one current instance, whether a constructor or a
 * `Container.get` got it; a plain `Container.get` gives the current instance.
 *
 * @since 0.2.0
 * @category models
 */
export interface ReloadableHandle<out Service> {
  readonly use: <A, E, R>(f: (service: Service) => Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  readonly get: Effect.Effect<Service, never, Scope.Scope>
  readonly reload: Effect.Effect<void, Errors.HandleError>
}

/**
 * The identifier of a derived request (qualified, named, optional, all, or a family member): every
 * identifier that is not a service's own.
 *
 * @example
 * ```ts
 * import { Context } from "effect"
 * import { Dependency } from "layerwise"
 *
 * class Plugin extends Context.Tag("app/Plugin")<Plugin, { readonly name: string }>() {}
 *
 * // true
 * export const derived: Context.Tag.Identifier<ReturnType<typeof Dependency.all<Plugin, Plugin["Type"]>>> extends Dependency.Derived
 *   ? true
 *   : false = true
 * ```
 *
 * @since 0.1.0
 * @category type-level
 */
export type Derived =
  | Qualified<unknown, string>
  | Named<unknown, string>
  | Optional<unknown>
  | All<unknown>
  | Lazy<unknown>
  | Factory<unknown>
  | Reloadable<unknown>
  | Family.Member<unknown>

/**
 * `unknown` (no constraint) unless `Id` is the identifier of a request in `Excluded`; then a type no
 * tag has, named by `Message`, so that passing such a request where a service's own tag (or a
 * single-valued request) is expected is a compile error that says why, rather than an exception
 * when the module loads (`Dependency.all(Dependency.optional(Plugin))` throws there). Intersected with
 * a tag parameter; a generic function that passes a tag of its own type parameter on to such a
 * parameter carries the same intersection (or takes a `Dependency.Any`).
 *
 * @example
 * ```ts
 * import type { Context } from "effect"
 * import type { Dependency } from "layerwise"
 *
 * export declare const register: <Id, Service>(
 *   tag: Context.Tag<Id, Service> & Dependency.Rejecting<Id, Dependency.Derived, "register the service's own tag">
 * ) => void
 * ```
 *
 * @since 0.1.0
 * @category type-level
 */
export type Rejecting<Id, Excluded, Message extends string> = Id extends Excluded ? { readonly "~layerwise/expected": Message }
  : unknown

/**
 * Any request: a plain tag or a tag derived by this module.
 *
 * @since 0.1.0
 * @category models
 */
// `any`: a tag is invariant in both parameters; only `any` accepts every tag
export type Any = Context.Tag<any, any>

/**
 * The identifiers a list of requests makes available to a constructor.
 *
 * A request whose identifier is `any` (a list typed `ReadonlyArray<Dependency.Any>`, e.g. built at run
 * time or taken from another component's `dependencies`) makes nothing available: `any` would let a
 * constructor use every service unchecked and a layer claim to provide every service. Declare such
 * lists as literal arrays (or `as const`) to keep their types.
 *
 * @example
 * ```ts
 * import { Context } from "effect"
 * import type { Dependency } from "layerwise"
 *
 * class Config extends Context.Tag("app/Config")<Config, { readonly url: string }>() {}
 * class Clock extends Context.Tag("app/Clock")<Clock, { readonly now: () => number }>() {}
 *
 * // Config | Clock
 * export type Available = Dependency.Identifiers<[typeof Config, typeof Clock]>
 * // never: a loosely typed list makes nothing available
 * export type Loose = Dependency.Identifiers<ReadonlyArray<Dependency.Any>>
 * ```
 *
 * @since 0.1.0
 * @category type-level
 */
export type Identifiers<Requests extends ReadonlyArray<Any>> = Requests[number] extends infer T
  ? T extends Context.Tag<infer Id, infer _S> ? (0 extends 1 & Id ? never : Id) : never
  : never

/**
 * A request for the candidate of a service that carries a qualifier. Only candidates with that
 * qualifier are considered; among them the usual rules choose (override > primary > not alternative
 * > lowest order).
 *
 * @example
 * ```ts
 * import { Context, Effect } from "effect"
 * import { Component, Dependency, Qualifier } from "layerwise"
 *
 * class Database extends Context.Tag("app/Database")<Database, { readonly url: string }>() {}
 * class Report extends Context.Tag("app/Report")<Report, { readonly source: string }>() {}
 * const Replica = Qualifier.make("replica")
 * const ReplicaDatabase = Dependency.qualified(Database, Replica)
 *
 * export const ReportLive = Component.make(Report, {
 *   dependencies: [ReplicaDatabase],
 *   build: Effect.map(ReplicaDatabase, (db) => ({ source: db.url }))
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const qualified: <Id, Service, const Q extends string>(
  tag: Context.Tag<Id, Service> & Rejecting<Id, Derived, "qualified applies to a service's own tag, not to a request">,
  qualifier: Qualifier.Input<Q>
) => Context.Tag<Qualified<Id, Q>, Service> = internal.qualified

/**
 * A request for the candidate of a service with the given component name.
 *
 * @example
 * ```ts
 * import { Context, Effect } from "effect"
 * import { Component, Dependency } from "layerwise"
 *
 * class Database extends Context.Tag("app/Database")<Database, { readonly url: string }>() {}
 * class Audit extends Context.Tag("app/Audit")<Audit, { readonly target: string }>() {}
 * const AuditDatabase = Dependency.named(Database, "auditDb")
 *
 * export const AuditLive = Component.make(Audit, {
 *   dependencies: [AuditDatabase],
 *   build: Effect.map(AuditDatabase, (db) => ({ target: db.url }))
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const named: <Id, Service, const N extends string>(
  tag: Context.Tag<Id, Service> & Rejecting<Id, Derived, "named applies to a service's own tag, not to a request">,
  name: N
) => Context.Tag<Named<Id, N>, Service> = internal.named

/**
 * An optional request: `Option.some` of the chosen candidate, or `Option.none()` when no component
 * provides the service. Ambiguity is still an error: absence is optional, a tie is not.
 *
 * @example
 * ```ts
 * import { Context, Effect, Option } from "effect"
 * import { Component, Dependency } from "layerwise"
 *
 * class Metrics extends Context.Tag("app/Metrics")<Metrics, { readonly count: (name: string) => void }>() {}
 * class Handler extends Context.Tag("app/Handler")<Handler, { readonly handle: () => void }>() {}
 * const MaybeMetrics = Dependency.optional(Metrics)
 *
 * export const HandlerLive = Component.make(Handler, {
 *   dependencies: [MaybeMetrics],
 *   build: Effect.map(MaybeMetrics, (metrics) => ({
 *     handle: () => Option.map(metrics, (m) => m.count("handled"))
 *   }))
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const optional: <Id, Service>(
  tag:
    & Context.Tag<Id, Service>
    & Rejecting<Id, Optional<unknown> | All<unknown> | Handle | Family.Member<unknown>, "optional applies to a service's tag or a qualified or named request">
) => Context.Tag<Optional<Id>, Option.Option<Service>> =
  internal.optional

/**
 * A request for every candidate of a service (or every candidate with a qualifier), sorted by order
 * (registration order breaks ties). Overrides, when present, replace the collection.
 *
 * @example
 * ```ts
 * import { Context, Effect } from "effect"
 * import { Component, Dependency } from "layerwise"
 *
 * class Plugin extends Context.Tag("app/Plugin")<Plugin, { readonly name: string }>() {}
 * class Host extends Context.Tag("app/Host")<Host, { readonly plugins: ReadonlyArray<string> }>() {}
 * const Plugins = Dependency.all(Plugin)
 *
 * export const HostLive = Component.make(Host, {
 *   dependencies: [Plugins],
 *   build: Effect.map(Plugins, (plugins) => ({ plugins: plugins.map((p) => p.name) }))
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const all: <Id, Service>(
  tag:
    & Context.Tag<Id, Service>
    & Rejecting<Id, Optional<unknown> | All<unknown> | Handle | Family.Member<unknown>, "all applies to a service's tag or a qualified or named request">
) => Context.Tag<All<Id>, ReadonlyArray<Service>> =
  internal.all

/** The identifiers of handle requests (type-level). */
type Handle = Lazy<unknown> | Factory<unknown> | Reloadable<unknown>

/**
 * A lazy request: its value is an Effect that builds the component on its first use, once, and gives
 * the same instance to every later use (concurrent first uses build once; a failure is not kept: the
 * next use tries again). The component and what it alone needs are not built at startup; it is
 * released with the container. Its dependencies are resolved and validated with the rest, before
 * anything runs. A component scoped to a scope is looked up in the open scopes of the fiber that uses
 * the handle, else (a fiber with none of its name open: a streamed body sent after its handler
 * returned) in those the handle was made in, while they are open (`ScopeNotOpen` otherwise): the way
 * for a longer-lived component to reach a shorter-lived one (see `Lifetime`). An instance once released
 * (a singleton's with its container or by `Container.shutDown`, a transient's also with its holder) is
 * not given again: `ContainerClosed` (or `ComponentShutDown` after a shutdown); a finalizer of a
 * dependent, released before it, still gets it.
 *
 * @example
 * ```ts
 * import { Context, Effect } from "effect"
 * import { Component, Dependency } from "layerwise"
 *
 * class Reports extends Context.Tag("app/Reports")<Reports, { readonly render: Effect.Effect<string> }>() {}
 * class Admin extends Context.Tag("app/Admin")<Admin, { readonly monthly: Effect.Effect<string, unknown> }>() {}
 *
 * // Reports is built the first time an admin asks for a report, not at startup
 * export const AdminLive = Component.make(Admin, {
 *   dependencies: [Dependency.lazy(Reports)],
 *   build: Effect.map(Dependency.lazy(Reports), (reports) => ({ monthly: Effect.flatMap(reports, (r) => r.render) }))
 * })
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const lazy: <Id, Service>(
  tag:
    & Context.Tag<Id, Service>
    & Rejecting<Id, Optional<unknown> | All<unknown> | Handle | Family.Member<unknown>, "lazy applies to a service's tag or a qualified or named request">
) => Context.Tag<Lazy<Id>, Effect.Effect<Service, Errors.HandleError>> = internal.lazy

/**
 * A factory request: its value is an Effect that builds a new instance of the component at every
 * use (its constructor, its dependencies as resolved: singletons shared, transients new, scoped ones
 * from the open scopes), released when the caller's Scope closes; under an App, the instance's
 * initializers run after its constructor and its disposers at its release. A singleton of the same
 * component, if the application has one, is not changed.
 *
 * @example
 * ```ts
 * import { Context, Effect } from "effect"
 * import { Component, Dependency } from "layerwise"
 *
 * class Connection extends Context.Tag("app/Connection")<Connection, { readonly id: number }>() {}
 * class Pool extends Context.Tag("app/Pool")<Pool, { readonly open: Effect.Effect<Connection["Type"], unknown> }>() {}
 *
 * export const PoolLive = Component.make(Pool, {
 *   dependencies: [Dependency.factory(Connection)],
 *   build: Effect.map(Dependency.factory(Connection), (connect) => ({ open: Effect.scoped(connect) }))
 * })
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const factory: <Id, Service>(
  tag:
    & Context.Tag<Id, Service>
    & Rejecting<Id, Optional<unknown> | All<unknown> | Handle | Family.Member<unknown>, "factory applies to a service's tag or a qualified or named request">
) => Context.Tag<Factory<Id>, Effect.Effect<Service, Errors.HandleError, Scope.Scope>> = internal.factory

/**
 * A reloadable request: its value gives the component's current instance and a way to rebuild it
 * (see {@link ReloadableHandle}). The component is built at startup, as a singleton is.
 *
 * @example
 * ```ts
 * import { Context, Effect } from "effect"
 * import { Component, Dependency } from "layerwise"
 *
 * class Rules extends Context.Tag("app/Rules")<Rules, { readonly version: number }>() {}
 * class Admin extends Context.Tag("app/Admin")<Admin, { readonly refresh: Effect.Effect<void, unknown> }>() {}
 *
 * export const AdminLive = Component.make(Admin, {
 *   dependencies: [Dependency.reloadable(Rules)],
 *   build: Effect.map(Dependency.reloadable(Rules), (rules) => ({ refresh: rules.reload }))
 * })
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const reloadable: <Id, Service>(
  tag:
    & Context.Tag<Id, Service>
    & Rejecting<Id, Optional<unknown> | All<unknown> | Handle | Family.Member<unknown>, "reloadable applies to a service's tag or a qualified or named request">
) => Context.Tag<Reloadable<Id>, ReloadableHandle<Service>> = internal.reloadable

/**
 * Describes a request as data: the service it targets, how it selects (any, qualifier, name) and its
 * cardinality (one, optional, all).
 *
 * @example
 * ```ts
 * import { Context } from "effect"
 * import { Dependency } from "layerwise"
 *
 * class Plugin extends Context.Tag("app/Plugin")<Plugin, { readonly name: string }>() {}
 *
 * console.log(Dependency.describe(Dependency.all(Dependency.qualified(Plugin, "core"))))
 * // { service: "app/Plugin", selector: { _tag: "Qualifier", qualifier: "core" }, cardinality: "all",
 * //   key: "layerwise/All<app/Plugin@core>", label: "All<app/Plugin@core>" }
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const describe = (request: Any): Description => internal.describe(internal.requestOf(request))

/**
 * A request as data.
 *
 * @since 0.1.0
 * @category models
 */
export interface Description {
  readonly service: string
  readonly selector:
    | { readonly _tag: "Any" }
    | { readonly _tag: "Qualifier"; readonly qualifier: string }
    | { readonly _tag: "Name"; readonly name: string }
  readonly cardinality: "one" | "optional" | "all"
  /** The key the resolved value is provided under (the request tag's own key). */
  readonly key: string
  /** Readable form: `Database`, `Database@replica`, `Database#auditDb`, `Option<Database>`, `All<Plugin>`. */
  readonly label: string
  /** Set on a handle request: its value builds the component when used (see `lazy`, `factory`, `reloadable`). */
  readonly handle?: "lazy" | "factory" | "reloadable" | undefined
}
