/**
 * Lifetimes: how long a component's instance lives, and so who shares it.
 *
 * - **singleton** (the default): one instance per container (an application, a plan's Layer), built
 *   at startup, released at shutdown; started, stopped and health-checked by App.
 * - **transient**: a new instance for every component that requests it (and for every run-time
 *   lookup), built with its requester and released with it. Never started, stopped or
 *   health-checked: a transient component with start or stop hooks, background work or health
 *   checks is a resolution error (initializers and disposers are part of its build and release).
 * - **scoped** to a named scope ({@link scope}): one instance per open scope of that name (a request,
 *   a job, a message), built on first use in it, released when it closes. The application declares
 *   the scopes it opens (`scopes: [Request, Job]`, outer first: a job scope may open inside a request
 *   scope, never the reverse); a component scoped to a scope no one declared is a resolution error.
 *
 * **A longer-lived component never captures a shorter-lived one.** The resolver rejects, with its path
 * and before anything runs, a component that depends directly on one that lives less (a singleton on
 * a request-scoped component, an outer scope's on an inner one's); a transient dependency lives as
 * long as its requester, so what it depends on is checked against its requester's lifetime. The way
 * to reach a shorter-lived component from a longer-lived one is a handle: `Dependency.lazy` or
 * `Dependency.factory`, used inside an open scope.
 *
 * @since 0.2.0
 */
import * as Effect from "effect/Effect"
import type * as Equal from "effect/Equal"
import { dual } from "effect/Function"
import type { Inspectable } from "effect/Inspectable"
import type { Pipeable } from "effect/Pipeable"
import type * as Component from "./Component.js"
import type * as Container from "./Container.js"
import type * as Dependency from "./Dependency.js"
import type * as Errors from "./Errors.js"
import * as containerInternal from "./internal/container.js"
import * as scopeInternal from "./internal/container/within.js"
import * as internal from "./internal/lifetime.js"

/**
 * The brand every scope name carries: what `Lifetime.isScopeName` tests.
 *
 * @example
 * ```ts
 * import { Lifetime } from "layerwise"
 *
 * export const branded = (u: object): boolean => Lifetime.TypeId in u
 * ```
 *
 * @since 0.2.0
 * @category symbols
 */
export const TypeId: unique symbol = internal.TypeId as TypeId

/**
 * @since 0.2.0
 * @category symbols
 */
export type TypeId = typeof TypeId

/**
 * A scope's name, as a typed token: components are scoped to it, the application declares it, and
 * the program opens it around an effect. Two tokens of one name are the same scope: the resolver and
 * the container know a scope by its name (a name declared twice has the inputs of both), so the
 * tokens are `Equal`, with equal hashes.
 *
 * @since 0.2.0
 * @category models
 */
export interface ScopeName<out Name extends string = string, out Inputs = unknown> extends Pipeable, Inspectable, Equal.Equal {
  readonly [TypeId]: TypeId
  readonly name: Name
  /**
   * The services whoever opens the scope provides (the HTTP request, a job's message): the keys of
   * their tags. Components scoped to it (or to a scope inside it) request them like any service.
   */
  readonly inputs: ReadonlyArray<string>
  /** phantom: the identifiers of the inputs */
  readonly "~layerwise/Inputs"?: (_: never) => Inputs
}

/**
 * How long a component's instance lives (see the module's doc).
 *
 * @since 0.2.0
 * @category models
 */
export type Lifetime =
  | { readonly _tag: "Singleton" }
  | { readonly _tag: "Transient" }
  | { readonly _tag: "Scoped"; readonly scope: ScopeName }

/**
 * Declares a scope name, and the services whoever opens the scope provides to it (`inputs`: the
 * request of an HTTP server, a job's message). A component scoped to the scope (or to one inside it)
 * requests an input like any service; the resolver checks that no longer-lived component does.
 *
 * @example
 * ```ts
 * import { Context, Equal } from "effect"
 * import { Lifetime } from "layerwise"
 *
 * class Incoming extends Context.Tag("app/Incoming")<Incoming, { readonly path: string }>() {}
 *
 * export const Request = Lifetime.scope("Request", { inputs: [Incoming] })
 * export const Job = Lifetime.scope("Job")
 * console.log(Equal.equals(Job, Lifetime.scope("Job"))) // true: one scope, known by its name
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const scope: <const Name extends string, const Inputs extends ReadonlyArray<Dependency.Any> = readonly []>(
  name: Name,
  options?: { readonly inputs?: Inputs | undefined }
) => ScopeName<Name, Dependency.Identifiers<Inputs>> = internal.scope

/**
 * Returns `true` if the value is a scope name.
 *
 * @example
 * ```ts
 * import { Lifetime } from "layerwise"
 *
 * console.log(Lifetime.isScopeName(Lifetime.scope("Request"))) // true
 * ```
 *
 * @since 0.2.0
 * @category refinements
 */
export const isScopeName: (u: unknown) => u is ScopeName = internal.isScopeName

/**
 * The singleton lifetime (the default).
 *
 * @example
 * ```ts
 * import { Lifetime } from "layerwise"
 *
 * console.log(Lifetime.singleton._tag) // "Singleton"
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const singleton: Lifetime = internal.singleton

/**
 * A component's lifetime (singleton unless set).
 *
 * @example
 * ```ts
 * import { Context, Effect } from "effect"
 * import { Component, Lifetime } from "layerwise"
 *
 * class Stamp extends Context.Tag("app/Stamp")<Stamp, number>() {}
 *
 * const StampLive = Component.make(Stamp, { build: Effect.sync(() => Date.now()) }).pipe(Lifetime.transient)
 * console.log(Lifetime.get(StampLive)._tag) // "Transient"
 * ```
 *
 * @since 0.2.0
 * @category getters
 */
export const get: (self: Component.Any) => Lifetime = internal.get

/**
 * Makes a component transient: a new instance for every requester (for each of its requests: a plain one
 * and a `Dependency.all` get one each) and every lookup, released with it.
 *
 * @example
 * ```ts
 * import { Context, Effect } from "effect"
 * import { Component, Lifetime } from "layerwise"
 *
 * class RequestId extends Context.Tag("app/RequestId")<RequestId, string>() {}
 *
 * export const RequestIdLive = Component.make(RequestId, { build: Effect.sync(() => crypto.randomUUID()) }).pipe(
 *   Lifetime.transient
 * )
 * ```
 *
 * @since 0.2.0
 * @category combinators
 */
export const transient: <Id, Service, E>(self: Component.Component<Id, Service, E>) => Component.Component<Id, Service, E> =
  internal.transient

/**
 * Scopes a component to a named scope: one instance per open scope of that name.
 *
 * @example
 * ```ts
 * import { Context, Effect } from "effect"
 * import { Component, Lifetime } from "layerwise"
 *
 * class CurrentUser extends Context.Tag("app/CurrentUser")<CurrentUser, { readonly id: string }>() {}
 * const Request = Lifetime.scope("Request")
 *
 * export const CurrentUserLive = Component.make(CurrentUser, { build: Effect.succeed({ id: "alice" }) }).pipe(
 *   Lifetime.scoped(Request)
 * )
 * ```
 *
 * @since 0.2.0
 * @category combinators
 */
export const scoped: {
  (scope: ScopeName): <Id, Service, E>(self: Component.Component<Id, Service, E>) => Component.Component<Id, Service, E>
  <Id, Service, E>(self: Component.Component<Id, Service, E>, scope: ScopeName): Component.Component<Id, Service, E>
} = internal.scoped

/**
 * Describes a lifetime for messages and explanations: `singleton`, `transient`, `scoped(Request)`.
 *
 * @example
 * ```ts
 * import { Lifetime } from "layerwise"
 *
 * console.log(Lifetime.format({ _tag: "Scoped", scope: Lifetime.scope("Request") })) // "scoped(Request)"
 * ```
 *
 * @since 0.2.0
 * @category utils
 */
export const format: (lifetime: Lifetime) => string = internal.format

/**
 * Opens a scope around an effect: `services` (each a service the scope provides, or one of the
 * plan's roots) are built (or found) in it and provided to the effect; scoped components are built
 * at most once in it, on first use (also through `Dependency.lazy` handles of longer-lived
 * components); when the effect ends (success, failure or interruption) the scope's instances are
 * released, last built first. Scopes nest: one opened inside another sees the outer one's instances,
 * and is closed before it. Once its release began, the scope builds nothing more, and a fiber forked
 * in it that outlives it gets `ScopeNotOpen` for its scoped components, never a released instance.
 * The container comes from the context (`Container.Container`).
 *
 * A scope the application does not declare, or a service it does not provide, is a defect.
 *
 * @example
 * ```ts
 * import { Context, Effect } from "effect"
 * import { Component, Container, Lifetime, Registry } from "layerwise"
 *
 * class RequestId extends Context.Tag("app/RequestId")<RequestId, string>() {}
 * const Request = Lifetime.scope("Request")
 *
 * const registry = Registry.make(
 *   Component.make(RequestId, { build: Effect.sync(() => crypto.randomUUID()) }).pipe(Lifetime.scoped(Request))
 * )
 *
 * const handle = Effect.gen(function*() {
 *   const id = yield* RequestId
 *   return `request ${id}`
 * })
 *
 * export const program = handle.pipe(
 *   Lifetime.within(Request, [RequestId]),
 *   Effect.provide(Registry.toLayer(registry, [Container.Container], { scopes: [Request] }))
 * )
 * ```
 *
 * @since 0.2.0
 * @category scopes
 */
export const within: {
  <const Services extends ReadonlyArray<Dependency.Any>, Inputs = never>(
    scope: ScopeName<string, Inputs>,
    services: Services
  ): <A, E, R>(
    effect: Effect.Effect<A, E, R>
  ) => Effect.Effect<A, E | Errors.HandleError, Exclude<R, Dependency.Identifiers<Services>> | Container.Container | Inputs>
  <A, E, R, const Services extends ReadonlyArray<Dependency.Any>, Inputs = never>(
    effect: Effect.Effect<A, E, R>,
    scope: ScopeName<string, Inputs>,
    services: Services
  ): Effect.Effect<A, E | Errors.HandleError, Exclude<R, Dependency.Identifiers<Services>> | Container.Container | Inputs>
} = dual(
  3,
  <A, E, R, const Services extends ReadonlyArray<Dependency.Any>, Inputs>(
    effect: Effect.Effect<A, E, R>,
    scope: ScopeName<string, Inputs>,
    services: Services
  ): Effect.Effect<A, E | Errors.HandleError, Exclude<R, Dependency.Identifiers<Services>> | Container.Container | Inputs> =>
    Effect.flatMap(
      containerInternal.Tag,
      (container) => scopeInternal.within(containerInternal.fromService(container), scope.name, services, effect)
    ) as Effect.Effect<A, E | Errors.HandleError, Exclude<R, Dependency.Identifiers<Services>> | Container.Container | Inputs>
)
