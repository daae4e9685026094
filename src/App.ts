/**
 * Applications: a registry (or a resolved plan) run with the full lifecycle, and a report of the run.
 *
 * ## The lifecycle contract
 *
 * **Phases.** An application resolves its registry (the requested roots plus every startup
 * component), checks its lifecycle settings, then runs each component through
 *
 *     build (constructor) -> initializers -> start hooks -> running (background work)
 *       -> stop (background work, then stop hooks) -> disposers -> release (constructor finalizers)
 *
 * Nothing is built when resolution or the settings fail (`ResolutionError`, `InvalidLifecycle`:
 * a negative or non-finite timeout, a non-finite startup order).
 *
 * **Ordering.**
 * - Build: a component is built after all its dependencies, and its initializers run right after
 *   its constructor, before any dependent is built. Independent components build concurrently (up to
 *   `concurrency`).
 * - Start: start hooks run only once the whole graph is built; a component starts after all its
 *   dependencies started; independent components start concurrently. Background work of a component
 *   begins as soon as its start hooks succeeded.
 * - Startup components (`Lifecycle.startup(order)`) are built and started even if nothing depends on
 *   them. Lower orders first: everything a startup component of order 10 needs (and nothing of lower
 *   order needs) is built, and started, only after everything needed by lower orders; equal orders
 *   concurrently; a component always after its own dependencies (a dependency of an order-0 component
 *   belongs to order 0).
 * - Stop: the exact reverse. A component stops after every component that depends on it stopped;
 *   independent components stop concurrently. Stopping a component first stops its background work
 *   (interrupted, or asked to finish through its signal, within the grace timeout), then runs its stop
 *   hooks.
 * - Release: after every stop, each component's scope closes, dependents first: its disposers, then
 *   its constructor's finalizers. Every built component is released exactly once, whatever happened.
 * - Several hooks of one kind on one component run one after the other, in declaration order.
 *
 * **What runs on failure.**
 * - A constructor or an initializer fails: nothing starts; everything built is released (reverse
 *   order); the run fails with `ApplicationFailed` (`reason: "build"`). A constructor that interrupts
 *   itself (`Effect.interrupt`, joining an interrupted fiber) fails like any other: only an
 *   interruption of the run itself ends it interrupted.
 * - A start hook fails or times out: no other start begins, the starts in flight are interrupted;
 *   the components that started (all their start hooks succeeded) are stopped in reverse order, then
 *   everything is released; the run fails with `ApplicationFailed` (`reason: "start"`). A component
 *   whose start did not complete is not stopped (its stop hooks do not run), but it is released.
 * - Background work fails while the application runs: the application shuts down gracefully (as
 *   above) and the run fails with `ApplicationFailed` (`reason: "background"`).
 * - During the shutdown, failures never stop it: every stop hook, disposer and release runs; each
 *   failure or timeout is recorded, and the run then fails with `ApplicationFailed`
 *   (`reason: "stop"`). A hook that dies is a failure like any other.
 * - Interruption (a signal) while building or starting: what started is stopped, everything is
 *   released, and the run ends interrupted.
 *
 * **FiberRefs.** Constructors see the FiberRefs their dependencies set, as with `Plan.toLayer`. An
 * initializer sees what its component's constructor saw and set (it is part of the build); start
 * hooks, background work, stop hooks and disposers see the application's FiberRefs after the build,
 * every component's changes included (a logger installed by a component Layer logs their output),
 * as a program running with the application does.
 *
 * **Timeouts.** Every initializer and start hook is bounded by the start timeout, every stop hook and
 * disposer by the stop timeout, background work by the grace timeout (per component with
 * `Lifecycle.timeouts`, otherwise the application's options; defaults 15 s, 15 s, 10 s). A hook that
 * does not complete in time is interrupted without waiting for it (a hook that ignores interruption
 * cannot hold the application), reported by name as `HookTimeout`, and the lifecycle goes on: a
 * timed-out start fails the start, a timed-out stop hook is one more error of the shutdown. A hook
 * still running when its phase is torn down (another start failed, a constructor failed, the run was
 * interrupted) is interrupted and awaited, for at most what is left of its timeout, before anything
 * is released: its finalizers end before its component, and what the component depends on, are
 * released; one that outlives its timeout is reported as timed out and left to its interruption.
 * The shutdown as a whole is unbounded unless `shutdownTimeout` bounds it: then each of its waits is
 * capped by what is left of it, and what it cuts off is reported so (see {@link Options}).
 *
 * **Running.** `run` runs until a shutdown is requested (`shutdown`, or the `Shutdowner` service from
 * inside the application), background work fails, or it is interrupted, then stops, releases, and
 * returns the {@link Report.Report} (or fails with `ApplicationFailed`, which carries it). `runMain`
 * (`layerwise/node`) does the same as a Node process: SIGINT / SIGTERM request the shutdown (the
 * report reads `shut down: SIGTERM`), a second exits at once; exit code 0 after a clean shutdown (or
 * the one the shutdown request asked for, `shutdown(running, "done", { exitCode: 3 })`), 1 after a failure. `start` gives the services to a program instead, until its scope closes.
 *
 * **Health.** {@link health} (from outside) and the {@link Health} service (from inside) run the
 * health checks (`Lifecycle.healthCheck`) and answer with a `Health.Report`; they never fail and
 * change nothing in the run. {@link healthOf} (the service's `checkOf`) checks some components only;
 * the service's `readiness`, those that count for readiness.
 *
 * **Observing.** Every phase of every component is recorded in the report (on Effect's `Clock`),
 * published as an {@link Event} ({@link events}, {@link subscribe}; an instance no phase records as an
 * {@link InstanceEvent}) and queryable while it runs ({@link phase}); with a tracer, each is a span
 * (`layerwise.build`, ...) under `layerwise.app.start` / `layerwise.app.stop`.
 *
 * **The application's components** are the user's: layerwise's own services ({@link Shutdowner},
 * {@link Health}, {@link Application}) are left out of the report, events, spans, metrics, startup
 * log and ops listings; the plan keeps them (`Explain`, `/ops/graph`), as real dependencies.
 *
 * The application itself is a small state machine: `created -> building -> starting -> started ->
 * stopping -> stopped` (a failed build or start goes straight to `stopping`); an operation asked in a
 * state that does not allow it fails with `InvalidState`, naming the state.
 *
 * @since 0.1.0
 */
import type * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type { Inspectable } from "effect/Inspectable"
import type * as Layer from "effect/Layer"
import type * as Option from "effect/Option"
import type { Pipeable } from "effect/Pipeable"
import type * as Queue from "effect/Queue"
import type * as Runtime from "effect/Runtime"
import type * as Scope from "effect/Scope"
import type * as Stream from "effect/Stream"
import type * as Types from "effect/Types"
import type * as Condition from "./Condition.js"
import type * as Container from "./Container.js"
import type * as Dependency from "./Dependency.js"
import type * as Errors from "./Errors.js"
import type * as Lifetime from "./Lifetime.js"
import type * as Observability from "./Observability.js"
// imported under another name: `Health` is this module's service (the report's module is `Health`)
import type * as HealthReport from "./Health.js"
import * as internal from "./internal/app/app.js"
import type { ShutdownOptions, ShutdownRequest } from "./internal/app/services.js"
import type * as Plan from "./Plan.js"
import type * as Registry from "./Registry.js"
import type * as Report from "./Report.js"

/**
 * The brand every application carries: what `App.isApp` tests.
 *
 * @example
 * ```ts
 * import { App } from "layerwise"
 *
 * export const branded = (u: object): boolean => App.TypeId in u
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
 * The brand every started application ({@link Running}) carries. App has no refinement for it: test
 * it with `in`.
 *
 * @example
 * ```ts
 * import { App } from "layerwise"
 *
 * export const isRunning = (u: object): boolean => App.RunningTypeId in u
 * ```
 *
 * @since 0.1.0
 * @category symbols
 */
export const RunningTypeId: unique symbol = internal.RunningTypeId as RunningTypeId

/**
 * @since 0.1.0
 * @category symbols
 */
export type RunningTypeId = typeof RunningTypeId

/**
 * An application that provides the services `R` (its roots) while it runs. An immutable value: run
 * it as many times as you like; each run is independent (events of all runs go to the same
 * subscribers). Contravariant in `R`, like `Plan` and `Layer`: an application that provides more can
 * stand where one that provides less is expected.
 *
 * @since 0.1.0
 * @category models
 */
export interface App<in R, out RIn = never> extends Pipeable, Inspectable {
  readonly [TypeId]: { readonly _R: Types.Contravariant<R>; readonly _RIn: Types.Covariant<RIn> }
}

/**
 * A started application. To run effects against its services, use its `runtime`:
 * `Runtime.runPromise(running.runtime)` (or `runSync`, `runFork`) starts an effect with the roots'
 * services and the application's FiberRefs (as hooks see them) and runtime flags, at a cost that does
 * not depend on the size of the application. `Effect.provide(effect, running.context)`, and
 * `Effect.provide(effect, running.runtime)` too, merge the roots' services into the caller's context
 * on every call: their cost grows with the number of roots.
 *
 * @example
 * ```ts
 * import { Context, Effect, Runtime } from "effect"
 * import { App, Component, Registry } from "layerwise"
 *
 * class Greeting extends Context.Tag("app/Greeting")<Greeting, string>() {}
 *
 * const app = App.make(Registry.make(Component.succeed(Greeting, "hello")), { roots: [Greeting] })
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const running = yield* App.start(app)
 *   // made once when the application started; use it from anywhere (a request handler, a callback)
 *   const greet = Runtime.runPromise(running.runtime)
 *   const greeting = yield* Effect.promise(() => greet(Effect.map(Greeting, (text) => `${text}, world`)))
 *   yield* Effect.log(greeting)
 *   return yield* App.stop(running)
 * }))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Running<in out R> extends Inspectable {
  readonly [RunningTypeId]: { readonly _R: Types.Invariant<R> }
  /** The roots' services. */
  readonly context: Context.Context<R>
  /** The roots' services with the application's FiberRefs, made once when it started. @since 0.2.0 */
  readonly runtime: Runtime.Runtime<R>
  /** The resolved plan (without the lifecycle's internal nodes). */
  readonly plan: Plan.Any
}

/**
 * The application's state.
 *
 * @since 0.1.0
 * @category models
 */
export type State = "created" | "building" | "starting" | "started" | "stopping" | "stopped"

/**
 * A lifecycle event.
 *
 * @since 0.1.0
 * @category models
 */
export type Event =
  | { readonly _tag: "StateChanged"; readonly from: State; readonly to: State }
  | { readonly _tag: "PhaseStarted"; readonly component: string; readonly phase: Report.Phase }
  | {
    readonly _tag: "PhaseEnded"
    readonly component: string
    readonly phase: Report.Phase
    readonly outcome: Report.Outcome
    /** milliseconds */
    readonly duration: number
    /** the first error of the phase, rendered */
    readonly error: string | undefined
  }
  | InstanceEvent<"InstanceBuilt">
  | InstanceEvent<"InstanceReleased">

/**
 * An instance that no phase records was built, or released (its disposers, then its finalizers): a
 * transient's, a scoped component's, a factory handle's, a reloaded one, a run-time lookup's own
 * singleton; `container` says which container built it. Published only while someone listens. `error`:
 * the build's (then no release follows) or the release's, rendered; `duration` in milliseconds.
 *
 * @since 0.2.0
 * @category models
 */
export interface InstanceEvent<Tag extends "InstanceBuilt" | "InstanceReleased"> {
  readonly _tag: Tag
  readonly component: string
  /** the child container that built it, as `Container.path` names it (`[]`: the application's own) */
  readonly container: ReadonlyArray<string>
  readonly kind: "transient" | "scoped" | "factory" | "reload" | "singleton"
  /** the scope a scoped instance belongs to */
  readonly scope: string | undefined
  readonly outcome: Report.Outcome
  readonly duration: number
  readonly error: string | undefined
}

/**
 * Options of an application. The environment (profiles, properties) may be given as data or as
 * `effect/Config`s, read with the current `ConfigProvider` when the application starts, with the
 * Configs of the registry's conditions (see `Condition`). A timeout is any finite, non-negative
 * `Duration.DurationInput` (`2000`, `"2 seconds"`, `Duration.seconds(2)`), else `InvalidLifecycle`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends Condition.EnvironmentSource {
  /** Bounds each initializer and start hook (default 15 seconds). */
  readonly startTimeout?: Duration.DurationInput | undefined
  /** Bounds each stop hook and disposer (default 15 seconds). */
  readonly stopTimeout?: Duration.DurationInput | undefined
  /** How long background work may take to finish at shutdown (default 10 seconds). */
  readonly graceTimeout?: Duration.DurationInput | undefined
  /**
   * Bounds the release of the whole application after the stop hooks, each component's disposers and
   * constructor's finalizers (default 30 seconds): past it, the component being released or disposed is
   * reported (`ReleaseTimeout`), those not released yet are left so, and the run fails.
   */
  readonly releaseTimeout?: Duration.DurationInput | undefined
  /**
   * Bounds the whole shutdown, from its beginning (`stop`, `shutdown`, a signal under `runMain`, failed
   * background work, a failed build or start, an interruption; a startup torn down: from its teardown,
   * the wait for a hook in flight cut off then included) to the release's end (default none: the
   * phases' timeouts add up along the graph). Each wait keeps its timeout, capped by what is left of this
   * one; one it cuts off ends as at its own timeout (interrupted, not awaited; the release abandoned), the
   * rest does not begin, and the report names what it cut: a `HookTimeout` or `ReleaseTimeout` with
   * `shutdownTimeout`. `stop` returns within it; `onReport` runs after it.
   *
   * @example
   * ```ts
   * import { App, Registry } from "layerwise"
   *
   * // Kubernetes kills the pod 30 s after its SIGTERM (terminationGracePeriodSeconds): done before that
   * export const app = App.make(Registry.empty, { shutdownTimeout: "25 seconds", graceTimeout: "10 seconds" })
   * ```
   *
   * @since 0.2.0
   */
  readonly shutdownTimeout?: Duration.DurationInput | undefined
  /** How many components may build, start or stop at once (default `"unbounded"`). */
  readonly concurrency?: number | "unbounded" | undefined
  /** Bounds each health check without a timeout of its own or of its component (default 5 seconds). */
  readonly healthTimeout?: Duration.DurationInput | undefined
  /** The `concurrency` of a health run that gives none ({@link HealthOptions}; default `"unbounded"`). */
  readonly healthConcurrency?: number | "unbounded" | undefined
  /**
   * The `timeout` of a health run that gives none ({@link HealthOptions}: a bound on the run as a
   * whole): the {@link Health} service's, {@link health}'s or {@link healthOf}'s. Default none, each
   * check bounded by its own timeout only; `{ healthConcurrency: 2, healthOverallTimeout: "3 seconds" }`
   * makes a /health route that answers within 3 seconds.
   *
   * @since 0.2.0
   */
  readonly healthOverallTimeout?: Duration.DurationInput | undefined
  /**
   * Spans for every phase of every component (see `Observability` for their names and attributes):
   * `"auto"` (default) creates them when a tracer other than Effect's built-in one (which exports
   * nothing) is installed and tracing is enabled; `false` never, `true` always.
   */
  readonly spans?: boolean | "auto" | undefined
  /**
   * Effect Metrics of the run (see `Observability`): every phase's duration (a histogram labelled by
   * phase) and every health check's status (default `true`). `"per-component"` labels the durations
   * by component too: a series per component and phase for the metrics backend to keep (tens of
   * thousands for thousands of components; the report, ops timeline and spans have them anyway).
   *
   * @since 0.2.0
   */
  readonly metrics?: boolean | "per-component" | undefined
  /**
   * What the application logs while it starts, with `Effect.log` (the program's Logger and level
   * decide): the components still building or starting after a second, then `started N components
   * in X` and the slowest ones' build and start durations. `"quiet"`: that line alone; `false`:
   * nothing; or the delay and the rows (`Observability.StartupLogOptions`). Default `true`.
   *
   * @since 0.2.0
   */
  readonly startupLog?: Observability.StartupLog | undefined
  /** Called with the report after every shutdown, also when the run was interrupted. */
  readonly onReport?: ((report: Report.Report) => Effect.Effect<void>) | undefined
  /** The scopes the application opens, outer first (see `Lifetime` and `Resolver.Options`). */
  readonly scopes?: ReadonlyArray<Lifetime.ScopeName> | undefined
}

// The services every application provides to its components (Shutdowner, Health, Application), documented where they are declared.
export * from "./internal/app/services.js"

/**
 * Options of {@link health}.
 *
 * @since 0.1.0
 * @category models
 */
export interface HealthOptions {
  /** How many checks may run at once (default: the application's `healthConcurrency`, `"unbounded"`). */
  readonly concurrency?: number | "unbounded" | undefined
  /**
   * Bounds the whole run (default: the application's `healthOverallTimeout`, none): when it expires,
   * the checks still running are interrupted without waiting (as a check's own timeout does) and
   * reported `"timeout"`, as are those still waiting for their turn (`concurrency`), with an error
   * naming the overall timeout; the others keep their results, and the report is given at once.
   *
   * @since 0.2.0
   */
  readonly timeout?: Duration.DurationInput | undefined
}

/**
 * Runs the health checks of the components that started and gives the `Health.Report`: each check
 * bounded by its timeout (even one that ignores interruption), the whole run by `timeout` if any, at
 * most `concurrency` at a time, with the component's service and the application's FiberRefs. A
 * component not running is `"not-running"`, its checks not run. Never fails: a failing, dying or
 * throwing check is `"unhealthy"` with its error; unusable options are a defect.
 *
 * The report lists the application's components that declare checks, in plan order, then those
 * run-time lookups built beyond the plan (by name) and child containers built (`Container.child`,
 * by path as `Container.shutDown` names them: `tenant-a/Db (override)`), checked alike. A health
 * check builds nothing: a component not built yet, shut down, or of a closed child is not listed.
 *
 * @example
 * ```ts
 * import { Context, Effect } from "effect"
 * import { App, Component, Health, Lifecycle, Registry } from "layerwise"
 *
 * class Database extends Context.Tag("app/Database")<Database, { readonly ping: Effect.Effect<void> }>() {}
 *
 * const registry = Registry.make(
 *   Component.succeed(Database, { ping: Effect.void }).pipe(Lifecycle.healthCheck((database) => database.ping))
 * )
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const running = yield* App.start(App.make(registry, { roots: [Database] }))
 *   // at most 4 checks at a time, the whole report within 2 seconds
 *   const report = yield* App.health(running, { concurrency: 4, timeout: "2 seconds" })
 *   yield* Effect.log(Health.format(report)) // health OK: 1 of 1 component healthy ...
 * }))
 * ```
 *
 * @since 0.1.0
 * @category getters
 */
export const health: <R>(running: Running<R>, options?: HealthOptions) => Effect.Effect<HealthReport.Report> =
  internal.health

/**
 * Runs the health checks of some components only, as {@link health} runs all of them: the report
 * lists just those, in plan order. A component is named by its name or by a request (a tag, or a
 * `Dependency` request such as `Dependency.all(Plugin)`: every component it resolved to); an alias
 * is checked as the aliased component. One the application does not have fails with
 * `UnknownComponent` (a service's key: its components suggested; else close names) before any check runs; an empty list is a defect. One
 * with no checks is listed too: `"healthy"` once it (or, with nothing to start, the application)
 * started, else `"not-running"`.
 *
 * A child container's component is named by its path, as {@link health} lists it (`"not-running"`
 * once shut down or closed). A container (`Container.Container`, or a child) stands for what it
 * sees: what it built and its ancestors', never a sibling's or a descendant's. A container of
 * another application is a defect; a closed child adds none of its own.
 *
 * @example
 * ```ts
 * import { Context, Effect } from "effect"
 * import { App, Component, Container, Health, Lifecycle, Registry } from "layerwise"
 *
 * class Database extends Context.Tag("app/Database")<Database, { readonly ping: Effect.Effect<void> }>() {}
 * class Cache extends Context.Tag("app/Cache")<Cache, { readonly ping: Effect.Effect<void> }>() {}
 *
 * const registry = Registry.make(
 *   Component.succeed(Database, { ping: Effect.void }).pipe(Lifecycle.healthCheck((database) => database.ping)),
 *   Component.succeed(Cache, { ping: Effect.void }).pipe(Component.named("Cache"), Lifecycle.healthCheck((cache) => cache.ping))
 * )
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const running = yield* App.start(App.make(registry, { roots: [Database, Cache, Container.Container] }))
 *   const report = yield* App.healthOf(running, [Database, "Cache"], { timeout: "2 seconds" })
 *   yield* Effect.log(Health.format(report)) // health OK: 2 of 2 components healthy ...
 *   const error = yield* Effect.flip(App.healthOf(running, ["Cahce"])) // UnknownComponent: did you mean Cache?
 *   // what a tenant sees once its own database is built: app/Database, Cache, tenant-a/app/Database (override)
 *   const tenant = yield* Container.child("tenant-a", [
 *     Component.succeed(Database, { ping: Effect.void }).pipe(Lifecycle.healthCheck((database) => database.ping))
 *   ]).pipe(Effect.provide(running.context))
 *   yield* Container.getFrom(tenant, Database)
 *   const seen = yield* App.healthOf(running, [tenant])
 * }))
 * ```
 *
 * @since 0.2.0
 * @category getters
 */
export const healthOf: <R>(
  running: Running<R>,
  components: ReadonlyArray<string | Dependency.Any | Container.Container>,
  options?: HealthOptions
) => Effect.Effect<HealthReport.Report, Errors.UnknownComponent> = internal.healthOf

/**
 * Returns `true` if the value is an application.
 *
 * @example
 * ```ts
 * import { App, Registry } from "layerwise"
 *
 * console.log(App.isApp(App.make(Registry.empty))) // true
 * ```
 *
 * @since 0.1.0
 * @category refinements
 */
export const isApp: (u: unknown) => u is App<never, unknown> = internal.isApp

/**
 * An application from a registry and the roots it provides (plus every startup component of the
 * registry), or from a resolved plan (which runs exactly the plan's components).
 *
 * @example
 * ```ts
 * import { Context, Effect } from "effect"
 * import { App, Component, Lifecycle, Registry } from "layerwise"
 *
 * class Server extends Context.Tag("app/Server")<Server, { readonly port: number }>() {}
 *
 * const registry = Registry.make(
 *   Component.succeed(Server, { port: 8080 }).pipe(
 *     Lifecycle.startup(10),
 *     Lifecycle.onStart((server) => Effect.log(`listening on ${server.port}`)),
 *     Lifecycle.onStop(() => Effect.log("closing"))
 *   )
 * )
 * export const app = App.make(registry, { roots: [Server], stopTimeout: "5 seconds" })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: {
  <E, const Roots extends ReadonlyArray<Dependency.Any> = readonly [], const External extends ReadonlyArray<Dependency.Any> = readonly []>(
    registry: Registry.Registry<E>,
    options?: Options & { readonly roots?: Roots | undefined; readonly external?: External | undefined }
  ): App<Dependency.Identifiers<Roots>, Dependency.Identifiers<External>>
  <R, E, RIn>(plan: Plan.Plan<R, E, RIn>, options?: Options): App<R, RIn>
} = internal.make

/**
 * The plan the application runs, resolved as {@link run} resolves it (its registry with App's own
 * services, its roots and startup components, its profiles and properties read with the current
 * `ConfigProvider`), without building anything: to explain an application (`Explain.tree`,
 * `Explain.mermaid`) or print its options (`Options.help`) before running it. Fails with the
 * `ResolutionError` {@link run} would fail with; {@link validate} also checks the lifecycle settings
 * and reads the options, as {@link run} does before it builds.
 *
 * @example
 * ```ts
 * import { Context, Effect } from "effect"
 * import { App, Component, Explain, Registry } from "layerwise"
 *
 * class Graph extends Context.Tag("app/Graph")<Graph, string>() {}
 *
 * const registry = Registry.make(
 *   Component.make(Graph, { dependencies: [App.Application], build: Effect.map(App.Application, (app) => Explain.mermaid(app.plan)) })
 * )
 * export const tree = Effect.map(App.plan(App.make(registry, { roots: [Graph] })), Explain.tree)
 * ```
 *
 * @since 0.2.0
 * @category running
 */
export const plan: <R, RIn>(self: App<R, RIn>) => Effect.Effect<Plan.Any, Errors.ResolutionError> = internal.planOf

/**
 * Checks the application as {@link run} does before it builds anything, and builds nothing (uber fx's
 * `fx.ValidateApp`): the plan resolved as {@link plan} resolves it, then the lifecycle settings of the
 * App and of the plan's components (`InvalidLifecycle`: a negative or non-finite timeout or order) and
 * every option of the plan, read with the current `ConfigProvider` (`InvalidOptions`). Succeeds with
 * the plan when {@link run} would get past them. What it cannot check is a constructor's, a hook's or
 * an `App.provide` Layer's own failure. A test of it in CI catches a missing component, a cycle or a
 * missing option before a deployment does; {@link plan} alone checks the resolution only.
 *
 * @example
 * ```ts
 * import { Context, Effect, Schema } from "effect"
 * import { App, Component, Lifecycle, Options, Registry } from "layerwise"
 *
 * class Server extends Context.Tag("app/Server")<Server, { readonly port: number }>() {}
 * const ServerOptions = Options.make("server", { port: Schema.NumberFromString })
 *
 * const registry = Registry.make(
 *   Component.make(Server, { dependencies: [ServerOptions], build: ServerOptions }).pipe(
 *     Lifecycle.startup(),
 *     Lifecycle.timeouts({ start: -1000 })
 *   )
 * )
 * // fails with InvalidLifecycle (the start timeout), where App.plan succeeds; nothing is built
 * export const check = App.validate(App.make(registry))
 * ```
 *
 * @since 0.2.0
 * @category running
 */
export const validate: <R, RIn>(
  self: App<R, RIn>
) => Effect.Effect<Plan.Any, Errors.ResolutionError | Errors.InvalidLifecycle | Errors.InvalidOptions> = internal.validate

/**
 * Runs the application: resolves, builds, starts, runs until a shutdown is requested, background work
 * fails, or it is interrupted; then stops and releases everything and returns the report. Fails with
 * `ResolutionError` or `InvalidLifecycle` before anything runs, with `ApplicationFailed` (carrying
 * the report) when a phase failed. When interrupted it ends interrupted after a graceful shutdown
 * (the report goes to `onReport`), or fails with `ApplicationFailed` if that shutdown failed; a
 * shutdown requested before the interruption came (the first request wins) is what the report says
 * ended the run.
 *
 * @example
 * ```ts
 * import { Context, Effect } from "effect"
 * import { App, Component, Lifecycle, Registry, Report } from "layerwise"
 *
 * class Job extends Context.Tag("app/Job")<Job, void>() {}
 *
 * const registry = Registry.make(
 *   Component.make(Job, {
 *     dependencies: [App.Shutdowner],
 *     build: Effect.flatMap(App.Shutdowner, (app) => app.shutdown("done"))
 *   }).pipe(Lifecycle.startup())
 * )
 * Effect.runPromise(App.run(App.make(registry))).then((report) => console.log(Report.format(report)))
 * ```
 *
 * @since 0.1.0
 * @category running
 */
export const run: <R, RIn>(self: App<R, RIn>) => Effect.Effect<Report.Report, Errors.ResolutionError | Errors.LifecycleError, RIn> =
  internal.run

/**
 * Builds and starts the application and gives its running handle (with the roots' services); the
 * application is stopped and released when the scope closes, if {@link stop} did not do it before.
 * Then no caller receives the outcome: a failed shutdown, or background work that failed, makes the
 * scope's closing die with the `ApplicationFailed` (use {@link stop} to receive it as a failure).
 *
 * @example
 * ```ts
 * import { Context, Effect } from "effect"
 * import { App, Component, Registry } from "layerwise"
 *
 * class Greeting extends Context.Tag("app/Greeting")<Greeting, string>() {}
 *
 * const app = App.make(Registry.make(Component.succeed(Greeting, "hello")), { roots: [Greeting] })
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const running = yield* App.start(app)
 *   const greeting = yield* Effect.provide(Greeting, running.context)
 *   yield* Effect.log(greeting)
 *   return yield* App.stop(running)
 * }))
 * ```
 *
 * @since 0.1.0
 * @category running
 */
export const start: <R, RIn>(
  self: App<R, RIn>
) => Effect.Effect<Running<R>, Errors.ResolutionError | Errors.LifecycleError, Scope.Scope | RIn> = internal.start

/**
 * Stops and releases a started application and returns the report. Fails with `ApplicationFailed`,
 * carrying it, when something failed during the shutdown (`reason: "stop"`) or background work failed
 * while the application ran (`reason: "background"`, the report ending `"background-failed"`), as
 * {@link run} does. Fails with `InvalidState` unless the application is `started`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { App, Registry } from "layerwise"
 *
 * const program = Effect.scoped(Effect.flatMap(App.start(App.make(Registry.empty)), App.stop))
 * ```
 *
 * @since 0.1.0
 * @category running
 */
export const stop: <R>(
  running: Running<R>
) => Effect.Effect<Report.Report, Errors.ApplicationFailed | Errors.InvalidState> = internal.stop

/**
 * Requests a graceful shutdown: {@link run} (and {@link awaitShutdown}) see it; the first request's
 * reason and exit code (`options.exitCode`, see {@link ShutdownOptions}) go to the report, however the
 * application then ends ({@link run}, {@link stop}, or the scope of {@link start} closing), and
 * `runMain` exits with that code after a clean run. Requesting again does nothing. An exit code that
 * is not an integer from 0 to 255 is a defect, and nothing is requested.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { App, Registry } from "layerwise"
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const running = yield* App.start(App.make(Registry.empty))
 *   yield* App.shutdown(running, "maintenance", { exitCode: 3 })
 *   yield* App.awaitShutdown(running)
 *   return yield* App.stop(running) // its exitCode: 3
 * }))
 * ```
 *
 * @since 0.1.0
 * @category running
 */
export const shutdown: {
  (reason?: string, options?: ShutdownOptions): <R>(running: Running<R>) => Effect.Effect<void>
  <R>(running: Running<R>, reason?: string, options?: ShutdownOptions): Effect.Effect<void>
} = internal.shutdown

/**
 * Waits until a shutdown is requested (or background work failed), and returns that first request
 * ({@link ShutdownRequest}: its reason and exit code, or `BackgroundFailed`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { App, Registry } from "layerwise"
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const running = yield* App.start(App.make(Registry.empty))
 *   const request = yield* App.awaitShutdown(running)
 *   if (request._tag === "Requested") yield* Effect.log(`asked to stop: ${request.reason}, exit code ${request.exitCode}`)
 *   return yield* App.stop(running)
 * }))
 * ```
 *
 * @since 0.1.0
 * @category running
 */
export const awaitShutdown: <R>(running: Running<R>) => Effect.Effect<ShutdownRequest> = internal.awaitShutdown

/**
 * The application's current state.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { App, Registry } from "layerwise"
 *
 * const program = Effect.scoped(Effect.flatMap(App.start(App.make(Registry.empty)), App.state)) // "started"
 * ```
 *
 * @since 0.1.0
 * @category getters
 */
export const state: <R>(running: Running<R>) => Effect.Effect<State> = internal.state

/**
 * The current lifecycle state of a component, by name (`None` when the application has no component
 * of that name; layerwise's own services, such as `layerwise/App/Health`, are not its components).
 *
 * @example
 * ```ts
 * import { Context, Effect } from "effect"
 * import { App, Component, Registry } from "layerwise"
 *
 * class Greeting extends Context.Tag("app/Greeting")<Greeting, string>() {}
 *
 * const app = App.make(Registry.make(Component.succeed(Greeting, "hello")), { roots: [Greeting] })
 * const program = Effect.scoped(Effect.flatMap(App.start(app), App.phase("app/Greeting"))) // Some("started")
 * ```
 *
 * @since 0.1.0
 * @category getters
 */
export const phase: {
  (name: string): <R>(running: Running<R>) => Effect.Effect<Option.Option<Report.ComponentState>>
  <R>(running: Running<R>, name: string): Effect.Effect<Option.Option<Report.ComponentState>>
} = internal.phase

/**
 * The current lifecycle state of every component of the application, by name (layerwise's own
 * services left out, as in the report).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { App, Registry } from "layerwise"
 *
 * const program = Effect.scoped(Effect.flatMap(App.start(App.make(Registry.empty)), App.phases))
 * ```
 *
 * @since 0.1.0
 * @category getters
 */
export const phases: <R>(running: Running<R>) => Effect.Effect<Readonly<Record<string, Report.ComponentState>>> =
  internal.phases

/**
 * The report of the run so far.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { App, Registry, Report } from "layerwise"
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const running = yield* App.start(App.make(Registry.empty))
 *   yield* Effect.log(Report.format(yield* App.report(running)))
 * }))
 * ```
 *
 * @since 0.1.0
 * @category getters
 */
export const report: <R>(running: Running<R>) => Effect.Effect<Report.Report> = internal.report

/**
 * The application as a Layer of its roots: building the Layer starts the application, closing its
 * scope stops and releases it (for `Effect.provide`, `ManagedRuntime`, `it.layer`). A failed
 * shutdown makes the release die with the `ApplicationFailed`. Background work that fails is logged
 * when it fails; the application keeps serving (a Layer cannot end the program that uses it) until the
 * Layer is released, which then dies with the `ApplicationFailed` (reason `"background"`). A shutdown
 * asked for (`Shutdowner`) is logged as a warning, with its reason, and ends nothing either: a test of
 * a component that asks for one starts the application with {@link start} and waits with {@link awaitShutdown}.
 *
 * @example
 * ```ts
 * import { Context, Effect } from "effect"
 * import { App, Component, Registry } from "layerwise"
 *
 * class Greeting extends Context.Tag("app/Greeting")<Greeting, string>() {}
 *
 * const app = App.make(Registry.make(Component.succeed(Greeting, "hello")), { roots: [Greeting] })
 * const program = Effect.provide(Greeting, App.layer(app))
 * ```
 *
 * @since 0.1.0
 * @category conversions
 */
export const layer: <R, RIn>(self: App<R, RIn>) => Layer.Layer<R, Errors.ResolutionError | Errors.LifecycleError, RIn> =
  internal.layer

/**
 * Provides the application's external requirements (declared with `external`) with a Layer: built
 * before the application, released after it, and what its components see as the program's
 * services. The Layer cannot fail (its error type is `never`), so that the application's error type
 * stays its own: give one that can as `Layer.orDie(layer)` (its failure is then a defect of the run),
 * or handle its errors first (`Layer.catchAll`, `Layer.retry`).
 *
 * @example
 * ```ts
 * import { Context, Effect, Layer } from "effect"
 * import { App, Component, Registry } from "layerwise"
 *
 * class Clock extends Context.Tag("platform/Clock")<Clock, { readonly now: () => number }>() {}
 * class Stamp extends Context.Tag("app/Stamp")<Stamp, number>() {}
 *
 * const registry = Registry.make(Component.make(Stamp, { dependencies: [Clock], build: Effect.map(Clock, (clock) => clock.now()) }))
 * // App<Stamp, Clock>: Clock comes from outside ...
 * const app = App.make(registry, { roots: [Stamp], external: [Clock] })
 * // ... here from a Layer: App<Stamp, never>, ready for runMain
 * export const ready = app.pipe(App.provide(Layer.succeed(Clock, { now: () => 0 })))
 * ```
 *
 * @since 0.2.0
 * @category combinators
 */
export const provide: {
  <ROut, RIn2>(layer: Layer.Layer<ROut, never, RIn2>): <R, RIn>(self: App<R, RIn>) => App<R, Exclude<RIn, ROut> | RIn2>
  <R, RIn, ROut, RIn2>(self: App<R, RIn>, layer: Layer.Layer<ROut, never, RIn2>): App<R, Exclude<RIn, ROut> | RIn2>
} = internal.provide

/**
 * Subscribes to the application's lifecycle events; events published after the subscription are
 * queued until the scope closes. Subscribe before running to see the build. A logger of the events as
 * they come (uber fx's `fxevent.Logger`) is a fiber taking from the queue, forked in that scope: the
 * scope's closing interrupts it, maybe before it took the last ones (the shutdown's, `stopped`), so a
 * finalizer added after the fork logs what is left (`Queue.takeAll`), as the README's fx example does.
 *
 * @example
 * ```ts
 * import { Effect, Queue } from "effect"
 * import { App, Registry } from "layerwise"
 *
 * const app = App.make(Registry.empty)
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const events = yield* App.subscribe(app)
 *   yield* Effect.scoped(Effect.flatMap(App.start(app), App.stop))
 *   return yield* Queue.takeAll(events)
 * }))
 * ```
 *
 * @since 0.1.0
 * @category observability
 */
export const subscribe: <R, RIn>(self: App<R, RIn>) => Effect.Effect<Queue.Dequeue<Event>, never, Scope.Scope> =
  internal.subscribe

/**
 * The application's lifecycle events as a Stream (it subscribes when it starts running).
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { App, Registry } from "layerwise"
 *
 * const app = App.make(Registry.empty)
 * export const logEvents = App.events(app).pipe(Stream.runForEach((event) => Effect.log(event._tag)))
 * ```
 *
 * @since 0.1.0
 * @category observability
 */
export const events: <R, RIn>(self: App<R, RIn>) => Stream.Stream<Event> = internal.events
