/**
 * Lifecycle metadata of components: startup order, initializers, start / stop hooks, background
 * work, disposers, health checks and timeouts.
 *
 * These combinators only describe; an `App` runs them. A component's phases, in order:
 *
 *     build (constructor) -> initializers -> start hooks -> background work (running)
 *       -> stop: background work asked to finish, then stop hooks -> disposers -> release
 *
 * - **initializers** run right after the constructor, as part of the build: a dependent is built
 *   only once its dependencies' initializers succeeded. A failing initializer fails the build.
 * - **start hooks** run once the whole graph is built, dependencies first, independent components
 *   concurrently; **stop hooks** in reverse (dependents first). A component is stopped only if it
 *   started (all its start hooks succeeded).
 * - **background work** starts once the component started and is stopped (interrupted, or asked to
 *   finish) before its stop hooks; if it fails while the application runs, the application shuts down
 *   gracefully and fails with `ApplicationFailed` (`reason: "background"`) carrying that failure.
 * - **disposers** run when the component is released, before its constructor's finalizers; only
 *   once its initializers all succeeded (a failed one leaves its finalizers alone to run).
 * - **health checks** run only when asked (`App.health`, the `App.Health` service), on components
 *   that started; they are not a phase and never change the application's state (see `Health`).
 * - **startup components** are built and started even if nothing depends on them; lower startup
 *   order first, equal order concurrently, and always after their own dependencies.
 *
 * Several hooks of one kind run in declaration order. Every hook receives the built service. A hook
 * (or health check) that needs other services declares them, as a constructor does
 * (`{ dependencies: [Logger] }`): the compiler checks its Effect requires nothing else, the resolver
 * resolves them with the component's own requests (same rules, same errors, and they are built and
 * started before the component, stopped and released after it), and the hook receives them in its
 * context. See `App` for the full contract (ordering, failures, timeouts).
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Component from "./Component.js"
import type * as Dependency from "./Dependency.js"
import * as internal from "./internal/lifecycle.js"

/**
 * The lifecycle metadata of a component.
 *
 * @since 0.1.0
 * @category models
 */
export interface Lifecycle {
  /** The startup order when the component is a startup component (see {@link startup}). */
  readonly startup: number | undefined
  /** Run after the constructor, as part of the build, in declaration order. */
  readonly initializers: ReadonlyArray<Hook>
  /**
   * Run once the whole graph is built, dependencies first, in declaration order (a child container's
   * own component, or one a run-time lookup builds first: once it is built, as the child opens).
   */
  readonly onStart: ReadonlyArray<Hook>
  /** Run at shutdown (a child's own component: as the child closes), dependents first, if the component started; in declaration order. */
  readonly onStop: ReadonlyArray<Hook>
  /** Run when the component is released, before its constructor's finalizers; in declaration order. */
  readonly disposers: ReadonlyArray<Hook>
  /** Long-lived effects started once the component started. */
  readonly background: ReadonlyArray<Background>
  /** Run when the application's health is checked, if the component started; reported in declaration order. */
  readonly healthChecks: ReadonlyArray<HealthCheck>
  /** Per-component timeouts; the application's options fill in the rest. */
  readonly timeouts: Timeouts
}

/**
 * A named hook. `run` receives the component's built service.
 *
 * @since 0.1.0
 * @category models
 */
export interface Hook {
  /** Shown in reports: `onStart`, `onStart#2`, or the name given (errors say `start hook #2 of Db`). */
  readonly name: string
  readonly run: (service: unknown) => Effect.Effect<unknown, unknown, unknown>
  /** The requests whose services the hook receives in its context (see {@link HookOptions}). */
  readonly dependencies: ReadonlyArray<Dependency.Any>
}

/**
 * A named health check. `run` receives the component's built service; it is healthy when it
 * succeeds within its timeout.
 *
 * @since 0.1.0
 * @category models
 */
export interface HealthCheck {
  /** Shown in health reports: `healthCheck`, `healthCheck#2`, or the name given. */
  readonly name: string
  readonly run: (service: unknown) => Effect.Effect<unknown, unknown, unknown>
  /** Its own timeout, given with {@link HealthCheckOptions} (it wins over every other). */
  readonly timeout: Duration.DurationInput | undefined
  /** Whether it counts for the application's readiness (see {@link HealthCheckOptions}). */
  readonly readiness: boolean
  /** The requests whose services the check receives in its context (see {@link HookOptions}). */
  readonly dependencies: ReadonlyArray<Dependency.Any>
}

/**
 * Background work of a component.
 *
 * @since 0.1.0
 * @category models
 */
export interface Background {
  readonly name: string
  /** How it is stopped at shutdown (see {@link BackgroundOptions}). */
  readonly onShutdown: "interrupt" | "signal"
  readonly run: (service: unknown, shutdown: ShutdownSignal) => Effect.Effect<unknown, unknown, unknown>
  /** The requests whose services the work receives in its context (see {@link HookOptions}). */
  readonly dependencies: ReadonlyArray<Dependency.Any>
}

/**
 * Given to background work: tells it that the application asked it to finish.
 *
 * @since 0.1.0
 * @category models
 */
export interface ShutdownSignal {
  /** Completes once the application asked this background work to finish. */
  readonly requested: Effect.Effect<void>
  /** Whether the application asked this background work to finish. */
  readonly isRequested: Effect.Effect<boolean>
}

/**
 * Per-component timeouts. Each is any finite, non-negative `Duration.DurationInput` (`2000`,
 * `"2 seconds"`, `Duration.seconds(2)`), as App's timeouts are: another is an `InvalidLifecycle`
 * before anything runs (`Explain` shows it as invalid).
 *
 * @since 0.1.0
 * @category models
 */
export interface Timeouts {
  /**
   * Bounds each initializer and each start hook, including the wait for one interrupted because its
   * phase was torn down (another start failed, a constructor failed, the run was interrupted).
   */
  readonly start?: Duration.DurationInput | undefined
  /**
   * Bounds each stop hook, each disposer, and the wait for `signal` background work that overran its
   * grace timeout and was then interrupted (interrupted background work is awaited within `grace`).
   */
  readonly stop?: Duration.DurationInput | undefined
  /** How long background work may take to finish once asked, before it is interrupted. */
  readonly grace?: Duration.DurationInput | undefined
  /** Bounds each health check of the component that has no timeout of its own. */
  readonly health?: Duration.DurationInput | undefined
}

/**
 * Options of a hook.
 *
 * @since 0.1.0
 * @category models
 */
export interface HookOptions<Dependencies extends ReadonlyArray<Dependency.Any> = ReadonlyArray<Dependency.Any>> {
  /** A name for reports and errors (default: the kind, numbered from the second one on). */
  readonly name?: string | undefined
  /**
   * The services the hook uses besides its component's: requests resolved with the component's own
   * (by the same rules: a missing one is a resolution error with its path), built and started before
   * the component, and given to the hook in its context. The compiler checks the hook's Effect
   * requires nothing else.
   */
  readonly dependencies?: Dependencies | undefined
}

/**
 * Options of a health check.
 *
 * @since 0.1.0
 * @category models
 */
export interface HealthCheckOptions<Dependencies extends ReadonlyArray<Dependency.Any> = ReadonlyArray<Dependency.Any>>
  extends HookOptions<Dependencies>
{
  /**
   * Bounds this check (default: the component's `health` timeout, see {@link timeouts}, else the
   * application's `healthTimeout`, 5 seconds unless set). A finite, non-negative duration.
   */
  readonly timeout?: Duration.DurationInput | undefined
  /**
   * Counts for readiness (default `false`): the application is ready (`App.Health`'s `readiness`,
   * `GET /ops/ready`) only once it started and while every check that counts is healthy, as
   * Spring Boot's readiness health group includes the checks named in it. A flag rather than a
   * named group: Kubernetes asks two questions, and liveness must not depend on any check (a
   * dependency that is down does not mend when the pod restarts; restarting every pod that uses it
   * makes the outage wider), so readiness is the only group a check can join.
   */
  readonly readiness?: boolean | undefined
}

/**
 * Options of background work.
 *
 * @since 0.1.0
 * @category models
 */
export interface BackgroundOptions<Dependencies extends ReadonlyArray<Dependency.Any> = ReadonlyArray<Dependency.Any>>
  extends HookOptions<Dependencies>
{
  /**
   * - `"interrupt"` (default): at shutdown the effect is interrupted (its finalizers run) and awaited
   *   for at most the grace timeout;
   * - `"signal"`: at shutdown the {@link ShutdownSignal} completes and the effect has the grace
   *   timeout to return on its own; then it is interrupted and awaited for at most the stop timeout.
   */
  readonly onShutdown?: "interrupt" | "signal" | undefined
}

/**
 * The lifecycle with nothing set.
 *
 * @example
 * ```ts
 * import { Lifecycle } from "layerwise"
 *
 * console.log(Lifecycle.empty.onStart.length) // 0
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const empty: Lifecycle = internal.empty

/**
 * The lifecycle of a component ({@link empty} when none was set).
 *
 * @example
 * ```ts
 * import { Context } from "effect"
 * import { Component, Lifecycle } from "layerwise"
 *
 * class Migrations extends Context.Tag("app/Migrations")<Migrations, { readonly applied: number }>() {}
 *
 * const MigrationsLive = Component.succeed(Migrations, { applied: 3 }).pipe(Lifecycle.startup(0))
 * console.log(Lifecycle.get(MigrationsLive).startup) // 0
 * ```
 *
 * @since 0.1.0
 * @category getters
 */
export const get: (self: Component.Any) => Lifecycle = internal.get

/**
 * Returns `true` if the component is a startup component.
 *
 * @example
 * ```ts
 * import { Context } from "effect"
 * import { Component, Lifecycle } from "layerwise"
 *
 * class Warmup extends Context.Tag("app/Warmup")<Warmup, void>() {}
 *
 * console.log(Lifecycle.isStartup(Component.succeed(Warmup, undefined).pipe(Lifecycle.startup(5)))) // true
 * ```
 *
 * @since 0.1.0
 * @category refinements
 */
export const isStartup: (self: Component.Any) => boolean = internal.isStartup

/**
 * Makes the component a startup component with the given order (default 0): an application builds
 * and starts it even if nothing depends on it. Lower orders are built and started first (a startup
 * component of order 10, and what only it needs, waits until every component needed by lower orders
 * is built, then started); equal orders concurrently; a component always comes after its own
 * dependencies, so a dependency of an order-0 component is started before order 10 even if it is
 * itself marked 20.
 *
 * Every startup component of the registry is part of the application, chosen for a request or not,
 * unless an override of its service (without qualifiers) takes its place.
 *
 * @example
 * ```ts
 * import { Context, Effect } from "effect"
 * import { Component, Lifecycle } from "layerwise"
 *
 * class Migrations extends Context.Tag("app/Migrations")<Migrations, void>() {}
 *
 * export const MigrationsLive = Component.make(Migrations, {
 *   build: Effect.log("migrating")
 * }).pipe(Lifecycle.startup(0))
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const startup: {
  (order?: number): <Id, Service, E>(self: Component.Component<Id, Service, E>) => Component.Component<Id, Service, E>
  <Id, Service, E>(self: Component.Component<Id, Service, E>, order?: number): Component.Component<Id, Service, E>
} = internal.startup

/**
 * The shape of the hook combinators ({@link initializer}, {@link onStart}, {@link onStop},
 * {@link disposer}, and {@link healthCheck} with its own options): data-last in a `pipe`, or
 * data-first with the component.
 *
 * @since 0.1.0
 * @category models
 */
export type HookCombinator<Options extends HookOptions = HookOptions> = {
  <Service, const Dependencies extends ReadonlyArray<Dependency.Any> = readonly []>(
    run: (service: Service) => Effect.Effect<unknown, unknown, Dependency.Identifiers<Dependencies>>,
    options?: Options & { readonly dependencies?: Dependencies | undefined }
  ): <Id, E>(self: Component.Component<Id, Service, E>) => Component.Component<Id, Service, E>
  <Id, Service, E, const Dependencies extends ReadonlyArray<Dependency.Any> = readonly []>(
    self: Component.Component<Id, Service, E>,
    run: (service: Service) => Effect.Effect<unknown, unknown, Dependency.Identifiers<Dependencies>>,
    options?: Options & { readonly dependencies?: Dependencies | undefined }
  ): Component.Component<Id, Service, E>
}

/**
 * Adds an initializer: it runs right after the constructor, as part of the build (dependents are
 * built after it), bounded by the start timeout. A failure fails the build of the component.
 *
 * @example
 * ```ts
 * import { Context, Effect, Ref } from "effect"
 * import { Component, Lifecycle } from "layerwise"
 *
 * class Cache extends Context.Tag("app/Cache")<Cache, Ref.Ref<ReadonlyArray<string>>>() {}
 *
 * export const CacheLive = Component.make(Cache, { build: Ref.make<ReadonlyArray<string>>([]) }).pipe(
 *   Lifecycle.initializer((cache) => Ref.set(cache, ["warm"]))
 * )
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const initializer: HookCombinator = internal.initializer

/**
 * Adds a start hook: it runs once the whole graph is built, after the start hooks of the component's
 * dependencies, bounded by the start timeout. A failure (or a timeout) makes the application stop
 * what already started, in reverse order, release everything and fail.
 *
 * @example
 * ```ts
 * import { Context, Effect } from "effect"
 * import { Component, Lifecycle } from "layerwise"
 *
 * class Server extends Context.Tag("app/Server")<Server, { readonly listen: Effect.Effect<void> }>() {}
 *
 * export const ServerLive = Component.make(Server, {
 *   build: Effect.succeed({ listen: Effect.log("listening") })
 * }).pipe(Lifecycle.startup(10), Lifecycle.onStart((server) => server.listen))
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const onStart: HookCombinator = internal.onStart

/**
 * Adds a stop hook: it runs at shutdown if the component started, after the stop hooks of the
 * components that depend on it, bounded by the stop timeout. A failure or a timeout is reported and
 * the shutdown goes on.
 *
 * @example
 * ```ts
 * import { Context, Effect } from "effect"
 * import { Component, Lifecycle } from "layerwise"
 *
 * class Server extends Context.Tag("app/Server")<Server, { readonly drain: Effect.Effect<void> }>() {}
 *
 * export const ServerLive = Component.make(Server, {
 *   build: Effect.succeed({ drain: Effect.log("draining") })
 * }).pipe(Lifecycle.onStop((server) => server.drain))
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const onStop: HookCombinator = internal.onStop

/**
 * Adds a disposer: it runs when the component is released (after every component that depends on it
 * was released), before the finalizers of its constructor, bounded by the stop timeout. A failure is
 * reported and the release goes on.
 *
 * @example
 * ```ts
 * import { Context, Effect } from "effect"
 * import { Component, Lifecycle } from "layerwise"
 *
 * class Pool extends Context.Tag("app/Pool")<Pool, { readonly flush: Effect.Effect<void> }>() {}
 *
 * export const PoolLive = Component.make(Pool, { build: Effect.succeed({ flush: Effect.log("flushed") }) }).pipe(
 *   Lifecycle.disposer((pool) => pool.flush)
 * )
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const disposer: HookCombinator = internal.disposer

/**
 * Adds background work: a long-lived effect (a server loop, a consumer) started once the component
 * started. At shutdown it is stopped before the component's stop hooks: interrupted (default) or
 * asked to finish through its {@link ShutdownSignal} (`onShutdown: "signal"`), and awaited within the
 * grace timeout. If it fails while the application runs, the application shuts down gracefully and
 * fails with `ApplicationFailed` (`reason: "background"`) carrying that failure; if it returns, it is
 * simply done.
 *
 * @example
 * ```ts
 * import { Context, Effect, Option, Queue } from "effect"
 * import { Component, Lifecycle } from "layerwise"
 *
 * class Jobs extends Context.Tag("app/Jobs")<Jobs, Queue.Queue<string>>() {}
 *
 * // takes jobs until asked to finish: only the wait for the next job races the signal, so a job
 * // taken is finished (racing the whole loop against it would interrupt the job in flight); the
 * // signal is checked before each take, as a take of a non-empty queue would win the race
 * export const JobsLive = Component.make(Jobs, { build: Queue.unbounded<string>() }).pipe(
 *   Lifecycle.background((jobs, shutdown) =>
 *     Effect.gen(function*() {
 *       while (!(yield* shutdown.isRequested)) {
 *         const job = yield* Effect.raceFirst(Effect.asSome(Queue.take(jobs)), Effect.as(shutdown.requested, Option.none()))
 *         if (Option.isNone(job)) return
 *         yield* Effect.log(`running ${job.value}`)
 *       }
 *     }), { onShutdown: "signal" })
 * )
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const background: {
  <Service, const Dependencies extends ReadonlyArray<Dependency.Any> = readonly []>(
    run: (service: Service, shutdown: ShutdownSignal) => Effect.Effect<unknown, unknown, Dependency.Identifiers<Dependencies>>,
    options?: BackgroundOptions<Dependencies>
  ): <Id, E>(self: Component.Component<Id, Service, E>) => Component.Component<Id, Service, E>
  <Id, Service, E, const Dependencies extends ReadonlyArray<Dependency.Any> = readonly []>(
    self: Component.Component<Id, Service, E>,
    run: (service: Service, shutdown: ShutdownSignal) => Effect.Effect<unknown, unknown, Dependency.Identifiers<Dependencies>>,
    options?: BackgroundOptions<Dependencies>
  ): Component.Component<Id, Service, E>
} = internal.background

/**
 * Adds a health check: whenever the application's health is checked (`App.health`, `App.healthOf`
 * naming this component, or the `App.Health` service from inside the application) and the component
 * has started, `check` runs with the component's service, bounded by its timeout (and by the run's
 * overall timeout, if one is set). Success is healthy; a failure, a defect, an
 * exception or a timeout is unhealthy, reported by the check's name with its error. A check never
 * fails the application, and one that ignores interruption does not hold the report beyond its
 * timeout. Several checks of a component are reported in declaration order; they may run
 * concurrently (see `App.health`).
 *
 * The timeout of a check is the most specific one set: its own (`options.timeout`), else the
 * component's (`Lifecycle.timeouts({ health })`), else the application's `healthTimeout` (5 seconds
 * by default).
 *
 * @example
 * ```ts
 * import { Context, Effect } from "effect"
 * import { Component, Lifecycle } from "layerwise"
 *
 * class Database extends Context.Tag("app/Database")<Database, { readonly ping: Effect.Effect<void, Error> }>() {}
 *
 * export const DatabaseLive = Component.make(Database, { build: Effect.succeed({ ping: Effect.void }) }).pipe(
 *   Lifecycle.healthCheck((database) => database.ping, { name: "ping", timeout: "2 seconds" })
 * )
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const healthCheck: HookCombinator<HealthCheckOptions> = internal.healthCheck

/**
 * Sets the component's own timeouts (the application's options apply to the others).
 *
 * @example
 * ```ts
 * import { Context, Effect } from "effect"
 * import { Component, Lifecycle } from "layerwise"
 *
 * class Broker extends Context.Tag("app/Broker")<Broker, { readonly connect: Effect.Effect<void> }>() {}
 *
 * export const BrokerLive = Component.make(Broker, { build: Effect.succeed({ connect: Effect.void }) }).pipe(
 *   Lifecycle.onStart((broker) => broker.connect),
 *   Lifecycle.timeouts({ start: "30 seconds", stop: "5 seconds" })
 * )
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const timeouts: {
  (timeouts: Timeouts): <Id, Service, E>(self: Component.Component<Id, Service, E>) => Component.Component<Id, Service, E>
  <Id, Service, E>(self: Component.Component<Id, Service, E>, timeouts: Timeouts): Component.Component<Id, Service, E>
} = internal.timeouts
