/**
 * The container: the running graph of an application or of a plan's Layer, as a service.
 *
 * A component or the program requests `Container.Container` like any other service (in its
 * `dependencies`, or among a Layer's roots) and gets the container that built it: what opens a
 * lifetime's scope (`Lifetime.within`) and holds the instances built after startup (lazy singletons,
 * transients, scoped instances). The request resolves to the container itself (the rule `container`),
 * never to a component.
 *
 * @since 0.2.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import type * as Errors from "./Errors.js"
import type * as Plan from "./Plan.js"
import * as internal from "./internal/container.js"
import type * as Component from "./Component.js"
import * as childInternal from "./internal/container/child.js"
import * as lookup from "./internal/container/lookup.js"
import * as shutdownInternal from "./internal/container/shutdown.js"
import * as snapshotInternal from "./internal/container/snapshot.js"
import type * as Dependency from "./Dependency.js"

/**
 * The running container of a graph.
 *
 * @since 0.2.0
 * @category models
 */
export interface Container {
  /** The plan it runs. */
  readonly plan: Plan.Any
}

/**
 * The container's tag: request it to reach the running container.
 *
 * @example
 * ```ts
 * import { Context, Effect } from "effect"
 * import { Component, Container, Lifetime, Registry } from "layerwise"
 *
 * class CurrentUser extends Context.Tag("app/CurrentUser")<CurrentUser, { readonly id: string }>() {}
 * const Request = Lifetime.scope("Request")
 *
 * const registry = Registry.make(
 *   Component.make(CurrentUser, { build: Effect.sync(() => ({ id: crypto.randomUUID() })) }).pipe(Lifetime.scoped(Request))
 * )
 *
 * // the Layer provides the container; each `Lifetime.within` opens a Request scope of its own
 * export const program = Effect.gen(function*() {
 *   const first = yield* Lifetime.within(CurrentUser, Request, [CurrentUser])
 *   const second = yield* Lifetime.within(CurrentUser, Request, [CurrentUser])
 *   return first.id !== second.id
 * }).pipe(Effect.provide(Registry.toLayer(registry, [Container.Container], { scopes: [Request] })))
 * ```
 *
 * @since 0.2.0
 * @category tags
 */
export const Container: Context.Tag<Container, Container> = internal.Tag

/**
 * Looks a request up in the running container, at run time: a tag, or any request of `Dependency`
 * (`qualified`, `named`, `optional`, `all`, and the handles `lazy`, `factory`, `reloadable`); the
 * service's type is the request's.
 *
 * The request is resolved with the rules and problems of startup: one that does not resolve fails
 * with the `ResolutionError` listing every problem, with its path. The options that only what it
 * builds requests are read then, once, with the `ConfigProvider` of the first lookup that reads them
 * (`InvalidOptions` if they cannot be; the next lookup reads them again). What the application built
 * is given, never built again (a constructor's lookup during the build waits for what the build has
 * not made yet, and fails with `CircularLookup` when that depends on the constructor: `A -> B -> A`,
 * `B`'s constructor looking up `A`, which depends on `B`, or a startup component of a higher order
 * than `B`'s, built after it; such a constructor is released before what it got, as a dependent
 * is); what it lacks is built once and kept by the container (a singleton
 * stays one: a second lookup, or another that reaches it, gets the same instance), released when the
 * container closes, dependents first. What a constructor gets by a lookup counts as its dependency
 * in that release: the instance is released after that component (after its finalizers, which may
 * use it) and before its own dependencies, wherever each is held (the graph, a lookup, a child);
 * what the program looks up outside any constructor is released before the graph's components, last
 * built first. Under App, what an application's constructor looks up during the build starts in the
 * start phase as a declared dependency does: after what it depends on started, before that component
 * starts (`start B, start C, start A`, `A`'s constructor looking up `C`, which depends on `B`), and it
 * stops after that component, before its dependencies (`stop A, stop C, stop B`); one that the program
 * looks up once the application started starts as it is built and stops first, last started first.
 * A transient is built for each lookup and, as a transient root
 * of the graph is, owned by the innermost open scope (`Lifetime.within`) or else by the container:
 * a lookup needs no `Scope` of its own. A scoped component is the open scope's instance. A lookup
 * made while a constructor started by a lookup runs, of what that lookup is building, fails with
 * `CircularLookup` instead of waiting for itself (its path: each lookup in progress, then what was
 * built for it down to the constructor that made the next one).
 *
 * The answer is kept per request: looking up a singleton already built again reads it and runs
 * nothing else.
 *
 * @example
 * ```ts
 * import { Context, Effect } from "effect"
 * import { Component, Container, Dependency, Registry } from "layerwise"
 *
 * class Plugin extends Context.Tag("app/Plugin")<Plugin, { readonly name: string }>() {}
 *
 * const registry = Registry.make(
 *   Component.succeed(Plugin, { name: "csv" }).pipe(Component.qualified(["csv"])),
 *   Component.succeed(Plugin, { name: "json" }).pipe(Component.qualified(["json"]))
 * )
 *
 * // nothing requests a Plugin at startup: the lookups build them, once
 * export const program = Effect.gen(function*() {
 *   const csv = yield* Container.get(Dependency.qualified(Plugin, "csv"))
 *   const every = yield* Container.get(Dependency.all(Plugin))
 *   return [csv.name, every.length] as const
 * }).pipe(Effect.provide(Registry.toLayer(registry, [Container.Container])))
 * ```
 *
 * @since 0.2.0
 * @category lookups
 */
export const get = <I, S>(request: Context.Tag<I, S>): Effect.Effect<S, Errors.LookupError, Container> =>
  // one operation to reach the container, then the answer (an already built instance: `succeed`)
  Effect.contextWithEffect((context: Context.Context<Container>) => lookup.get(Context.get(context, internal.Tag), request, context))

/**
 * `get` in a given container (a child, see `child`).
 *
 * @example
 * ```ts
 * import { Context, Effect } from "effect"
 * import { Container } from "layerwise"
 *
 * class Clock extends Context.Tag("app/Clock")<Clock, { readonly now: () => number }>() {}
 *
 * export const now = (container: Container.Container) => Effect.map(Container.getFrom(container, Clock), (clock) => clock.now())
 * ```
 *
 * @since 0.2.0
 * @category lookups
 */
export const getFrom = <I, S>(container: Container, request: Context.Tag<I, S>): Effect.Effect<S, Errors.LookupError> =>
  Effect.contextWithEffect((context: Context.Context<never>) => lookup.get(container, request, context))

/**
 * Opens a child of the running container, named `name` (unique among its open siblings, else
 * `DuplicateChild`), with components of its own, for as long as the current Scope is open.
 *
 * The child sees its parent's instances (shared, never rebuilt); its components shadow the parent's
 * for the same requests, in the child only (as overrides do: `Registry.override`; so a child's
 * plain component of a service is that service's whole collection in the child, `Dependency.all`
 * included: to add to the parent's plugins, list them among the child's components too); the
 * parent never sees them, nor does a sibling. A child of a child: the nearest container's own
 * components win over its ancestors'. A component named as one of its parent's of the same service
 * takes its place; one named as a component of another service (an ancestor's, or another of its own)
 * fails the opening with a `ResolutionError` (`DuplicateName`), before anything is built. Nothing is built when it opens: its lookups
 * (`getFrom`, or `get` with the child provided as `Container.Container`) build its components on
 * first need, and a component of the child that requests `Container.Container` gets the child.
 * Closing it (its Scope, or its parent's close) closes its children first, concurrently, then releases what it built, last
 * built first; a release that fails stops none of the others, and the closing then dies with a
 * `ReleaseError` per component that failed, in release order. A closed container opens no child (`ContainerClosed`).
 *
 * Under App, a child has a lifecycle of its own, as a child context has in Spring: its own singletons
 * that take part in the lifecycle (start or stop hooks, background work, `Lifecycle.startup()`) are
 * built and started as it opens, in startup order (each after what it depends on), and stopped as it
 * closes, dependents first; any other of its components is built on first need. Each of its instances
 * runs its initializers, then (a singleton) its start hooks and background work; as it is released,
 * its background work is asked to finish (within the grace timeout), then its stop hooks and
 * disposers run. A start that fails fails the opening (the lookup's error, a `ConstructionError`
 * naming the hook) and closes the child at once: what started stops, what was built is released.
 * Background work that fails while the child is open is logged at error level with its path
 * (`tenant-a/Consumer`); it ends neither the child nor the application. Their health checks run with the application's (`App.health`,
 * the `App.Health` service, `/ops/health`) once the child built them, listed by path as `shutDown`
 * names them (`tenant-a/Db (override)` for a Db that overrides the parent's, `tenant-a/Audit` for a
 * component of a service the parent registers none of) until the child shuts them down or closes; a health check
 * builds nothing. `App.healthOf(running, [child])` checks what the child sees: its components and its
 * ancestors'. Outside App (`Registry.toLayer`, `Plan.toLayer`) no lifecycle metadata runs.
 *
 * @example
 * ```ts
 * import { Context, Effect } from "effect"
 * import { Component, Container, Registry } from "layerwise"
 *
 * class Greeting extends Context.Tag("app/Greeting")<Greeting, string>() {}
 *
 * const registry = Registry.make(Component.succeed(Greeting, "hello"))
 *
 * export const program = Effect.gen(function*() {
 *   const tenant = yield* Container.child("tenant-a", [Component.succeed(Greeting, "bonjour")])
 *   const inChild = yield* Container.getFrom(tenant, Greeting)
 *   const inParent = yield* Container.get(Greeting)
 *   return [inChild, inParent] as const // ["bonjour", "hello"]
 * }).pipe(Effect.scoped, Effect.provide(Registry.toLayer(registry, [Container.Container])))
 * ```
 *
 * @since 0.2.0
 * @category children
 */
export const child = (
  name: string,
  components: ReadonlyArray<Component.Any>
): Effect.Effect<Container, Errors.DuplicateChild | Errors.LookupError, Container | Scope.Scope> =>
  Effect.flatMap(internal.Tag, (container) => childInternal.child(container, name, components))

/**
 * The open child named `name` of a container, or of its descendants (the nearest: a child before a
 * grandchild).
 *
 * @example
 * ```ts
 * import { Effect, Option } from "effect"
 * import { Container } from "layerwise"
 *
 * export const tenant = (name: string) => Effect.map(Container.Container, (root) => Container.findChild(root, name).pipe(Option.isSome))
 * ```
 *
 * @since 0.2.0
 * @category children
 */
export const findChild = (container: Container, name: string): Option.Option<Container> =>
  Option.fromNullable(childInternal.findChild(container, name))

/**
 * The names from the root container down to this one (`[]` for the root).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Container } from "layerwise"
 *
 * export const where = Effect.map(Container.Container, (container) => Container.path(container).join("/"))
 * ```
 *
 * @since 0.2.0
 * @category children
 */
export const path = (container: Container): ReadonlyArray<string> => childInternal.pathOf(container)

/**
 * Shuts down one component of the running container, and everything that depends on it, while the
 * rest runs: `target` is a component's name, or a request (the components it resolves to).
 * Returns the names of what was shut down, dependents first (a child's as `child/Name`).
 *
 * Everything depending on it (through any request, handles included, in this container and in its
 * children, unless a child's own component shadows it) is shut down with it; a component whose
 * constructor got it by a lookup (`get`) is not: it keeps the instance it got, released now, as the
 * program keeps one it looked up (shut that component down too, first, if it uses it). Under App, the
 * application's components among them that started are stopped first (background work, then stop
 * hooks), dependents first; then every instance is released (disposers, then finalizers),
 * dependents first: the children's, then what lookups built, then the application's. The report
 * lists them as `released`, with their stop, dispose and release phases, while the rest runs, and
 * with `shutDownAt`: when the shutdown began (what the application's own shutdown released has none).
 *
 * A lookup in flight that is building one of them fails with `ComponentShutDown`: the shutdown waits
 * for that build, then releases it before its dependencies (a constructor must not shut down what
 * it is being built with: it would wait for itself). From then on, a lookup that needs one of them
 * fails with `ComponentShutDown`, as does shutting one down again; a name that no component of this container has fails with `UnknownComponent`
 * (a child holds only what it built: its own components and transients; a service's key suggests that service's components). A shut-down component is
 * not built again in this container, on purpose: its dependents were built with the instance that
 * startup checked them with, and would silently get another; open a child with it as one of its own
 * components to run a new one. Instances of scoped components stay with their open scopes. A release
 * that fails is a `ReleaseError` naming the component, a failure of `shutDown` once every release was
 * attempted (several: one per component, in release order, in the failure's `Cause`); a stop hook or
 * disposer that fails or times out fails its component's, told with its finalizers' failures. Under
 * App it is bounded as the application's release is: each stop hook and disposer by the stop timeout,
 * its waits and releases (a build in flight, a reloadable handle's `use`, a finalizer) by the
 * `releaseTimeout`; past it, it fails with a `ReleaseTimeout` naming what it waits for, and the release
 * goes on (each instance after its dependents); what it shut down stays shut down. A plain Layer has no
 * timeout: there a finalizer that never ends holds it.
 *
 * @example
 * ```ts
 * import { Context, Effect } from "effect"
 * import { Component, Container, Registry } from "layerwise"
 *
 * class Db extends Context.Tag("app/Db")<Db, { readonly query: string }>() {}
 * class Api extends Context.Tag("app/Api")<Api, { readonly db: string }>() {}
 *
 * const registry = Registry.make(
 *   Component.succeed(Db, { query: "select 1" }),
 *   Component.make(Api, { dependencies: [Db], build: Effect.map(Db, (db) => ({ db: db.query })) })
 * )
 *
 * export const program = Effect.gen(function*() {
 *   const stopped = yield* Container.shutDown("Db") // ["Api", "Db"]
 *   const error = yield* Effect.flip(Container.get(Api)) // ComponentShutDown
 *   return [stopped, error._tag] as const
 * }).pipe(Effect.provide(Registry.toLayer(registry, [Container.Container, Api])))
 * ```
 *
 * @since 0.2.0
 * @category shutting down
 */
export const shutDown = (target: string | Dependency.Any): Effect.Effect<ReadonlyArray<string>, Errors.ShutDownError, Container> =>
  Effect.flatMap(internal.Tag, (container) => shutdownInternal.shutDown(container, target))

/**
 * `shutDown` in a given container (a child, see `child`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Container } from "layerwise"
 *
 * export const closeTenantCache = (tenant: Container.Container) => Effect.ignore(Container.shutDownIn(tenant, "TenantCache"))
 * ```
 *
 * @since 0.2.0
 * @category shutting down
 */
export const shutDownIn = (container: Container, target: string | Dependency.Any): Effect.Effect<ReadonlyArray<string>, Errors.ShutDownError> =>
  Effect.suspend(() => shutdownInternal.shutDown(container, target))

/**
 * One component a container holds (see `Snapshot`).
 *
 * @since 0.2.0
 * @category models
 */
export interface SnapshotComponent {
  /** the component's name (a child's own that overrides its parent's: `Name (override)`) */
  readonly name: string
  /** the key of the service it provides */
  readonly service: string
  /** `singleton`, `transient` or `scoped(Scope)` */
  readonly lifetime: string
  /** a singleton whose instance is built and held (a transient's or scoped component's instances belong to their requesters and scopes: never) */
  readonly built: boolean
  /** shut down (`shutDown`), itself or through what it depends on */
  readonly shutDown: boolean
}

/**
 * What a container and its open children hold, at the moment it is taken (see `snapshot`).
 *
 * @since 0.2.0
 * @category models
 */
export interface Snapshot {
  /** its name among its siblings (`""` for the root) */
  readonly name: string
  /** the names from the root container down to it */
  readonly path: ReadonlyArray<string>
  readonly state: "open" | "closing" | "closed"
  /**
   * the components whose instances it holds: the root's plan's, then what its lookups resolved (a
   * child's: its own components and transients); not layerwise's own services (`App.Health`,
   * `App.Shutdowner`, `App.Application`), which the application provides and are no components of it
   */
  readonly components: ReadonlyArray<SnapshotComponent>
  /** its open children, in the order they were opened */
  readonly children: ReadonlyArray<Snapshot>
}

/**
 * What a container and its open children hold, as data: each container's components (by name, with
 * their lifetime, whether built, whether shut down) and its children under their names. Reads the
 * containers' state and builds nothing. It lists the user's components, as the report and the ops
 * endpoints do: layerwise's own services a component requests (`App.Health`, `App.Shutdowner`,
 * `App.Application`) are provided by the application and left out (`App.plan` and `Explain` show
 * them).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Container } from "layerwise"
 *
 * // every container's built components, by path
 * export const built = Effect.map(Container.Container, (root) => {
 *   const lines: Array<string> = []
 *   const visit = (snapshot: Container.Snapshot): void => {
 *     const names = snapshot.components.filter((component) => component.built).map((component) => component.name)
 *     lines.push(`${snapshot.path.join("/") || "root"}: ${names.join(", ")}`)
 *     snapshot.children.forEach(visit)
 *   }
 *   visit(Container.snapshot(root))
 *   return lines
 * })
 * ```
 *
 * @since 0.2.0
 * @category children
 */
export const snapshot = (container: Container): Snapshot => snapshotInternal.snapshot(container)
