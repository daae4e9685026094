/**
 * The App value and its public operations: starting a run, stopping it, the report, events, health.
 * How a run goes, phase by phase, is `run.ts`.
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import { dual } from "effect/Function"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { pipeArguments } from "effect/Pipeable"
import { hasProperty } from "effect/Predicate"
import * as PubSub from "effect/PubSub"
import type * as Queue from "effect/Queue"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type * as App from "../../App.js"
import type * as Dependency from "../../Dependency.js"
import * as Errors from "../../Errors.js"
import type * as Health from "../../Health.js"
import type * as Plan from "../../Plan.js"
import type * as Registry from "../../Registry.js"
import type * as Report from "../../Report.js"
import * as executor from "../executor.js"
import * as planInternal from "../plan.js"
import * as registryInternal from "../registry.js"
import * as resolver from "../resolver.js"
import * as runtime from "../runtime.js"
import * as background from "./background.js"
import * as builtins from "./builtins.js"
import * as runInternal from "./run.js"
import { AppRun } from "./run.js"
import * as settingsInternal from "./settings.js"

/** @internal */
export const TypeId: App.TypeId = Symbol.for("layerwise/App") as App.TypeId

/** @internal */
export const RunningTypeId: App.RunningTypeId = Symbol.for("layerwise/App/Running") as App.RunningTypeId

type Source =
  | { readonly _tag: "Registry"; readonly registry: Registry.Registry; readonly roots: ReadonlyArray<Dependency.Any> }
  | { readonly _tag: "Plan"; readonly plan: Plan.Plan<never> }

/** Events of every run of one App, to its subscribers; nothing is made while no one listens. */
interface Hub {
  readonly pubsub: PubSub.PubSub<App.Event>
  subscribers: number
}

/** @internal */
export interface AppImpl extends App.App<never> {
  readonly source: Source
  readonly options: App.Options
  readonly hub: Hub
}

const AppProto = {
  [TypeId]: { _R: (_: never) => _ },
  pipe() {
    return pipeArguments(this, arguments)
  },
  toString(this: AppImpl) {
    return this.source._tag === "Plan" ? `App(${this.source.plan.nodes.length} components)` : "App(registry)"
  }
}

const makeApp = (source: Source, options: App.Options, hub: Hub): AppImpl => {
  const self = Object.create(AppProto)
  self.source = source
  self.options = options
  self.hub = hub
  return self
}

/** @internal */
export const isApp = (u: unknown): u is App.App<never> => hasProperty(u, TypeId)

/** @internal */
export const make = (
  source: Registry.Registry | Plan.Plan<never>,
  options?: App.Options & { readonly roots?: ReadonlyArray<Dependency.Any> | undefined }
): App.App<never> => {
  const hub: Hub = { pubsub: Effect.runSync(PubSub.unbounded<App.Event>()), subscribers: 0 }
  const { roots, ...rest } = options ?? {}
  return planInternal.isPlan(source)
    ? makeApp({ _tag: "Plan", plan: source }, rest, hub)
    : makeApp({ _tag: "Registry", registry: registryInternal.add(source, builtins.components), roots: roots ?? [] }, rest, hub)
}

/** The same application (same event hub) with other options. @internal */
export const withOptions = (app: App.App<never>, options: App.Options): App.App<never> =>
  makeApp((app as AppImpl).source, options, (app as AppImpl).hub)

/** @internal */
export const optionsOf = (app: App.App<never>): App.Options => (app as AppImpl).options

const emitter = (hub: Hub) => (event: () => App.Event): void => {
  if (hub.subscribers > 0) runtime.offerToQueue(hub.pubsub, event())
}

const resolvePlan = (app: AppImpl): Effect.Effect<Plan.Plan<never>, Errors.ResolutionError> =>
  Effect.suspend(() => {
    const source = app.source
    if (source._tag === "Plan") return Effect.succeed(source.plan)
    const resolved = resolver.resolve(source.registry, source.roots, {
      profiles: app.options.profiles,
      properties: app.options.properties,
      extraRoots: (component) => component.lifecycle?.startup !== undefined
    })
    return Either.isLeft(resolved) ? Effect.fail(resolved.left) : Effect.succeed(resolved.right)
  })

/** Resolves and validates (nothing runs when anything is wrong), then builds and starts. */
const startRun = (
  app: AppImpl
): Effect.Effect<AppRun, Errors.ResolutionError | Errors.InvalidLifecycle | Errors.ApplicationFailed, Scope.Scope> =>
  Effect.gen(function*() {
    const problems: settingsInternal.Problems = []
    const settings = settingsInternal.validateOptions(app.options, problems)
    // Invalid options do not hide the components' invalid settings: both are listed, once the plan
    // (which says which components run) is known. A plan that cannot be resolved leaves the options'.
    const plan = yield* problems.length > 0
      ? Effect.orElseFail(resolvePlan(app), () => new Errors.InvalidLifecycle({ problems }))
      : resolvePlan(app)
    const components = settingsInternal.componentSettings(plan, settings, problems)
    if (problems.length > 0) return yield* Effect.fail(new Errors.InvalidLifecycle({ problems }))
    const spans = app.options.spans === true || app.options.spans === false ? app.options.spans : yield* runtime.tracingExported
    const hub = app.hub
    const run = new AppRun(plan, components, settings, app.options, yield* Effect.clock, spans, emitter(hub), () => hub.subscribers > 0)
    // Whatever happens to the caller, closing its scope stops and releases the application. When the
    // scope is what ends it (`start` without `stop`, `layer`), no caller receives the outcome: a failed
    // shutdown, or background work that failed, is a defect of the scope's closing (a finalizer cannot
    // fail). Ended by `run`, `stop` or a failed start, it was already stopping, and its outcome went to
    // that caller.
    yield* Effect.addFinalizer(() => {
      if (run.stopping) return stopRun(run)
      return Effect.flatMap(stopRun(run), (report) =>
        report.success && run.ending !== "background-failed" ? Effect.void : Effect.die(applicationFailed(run, report)))
    })
    const buildAndStart = Effect.zipRight(runInternal.buildPhase(run), runInternal.startPhase(run))
    yield* Effect.uninterruptibleMask((restore) =>
      Effect.flatMap(
        Effect.exit(restore(spans ? Effect.withSpan(buildAndStart, "layerwise.app.start", { captureStackTrace: false }) : buildAndStart)),
        (exit) => {
          if (exit._tag === "Success") return Effect.void
          const interrupted = Cause.isInterruptedOnly(exit.cause)
          run.ending = interrupted ? "interrupted" : run.lifecycle.state === "building" ? "build-failed" : "start-failed"
          // Interrupted with a clean shutdown: the run ends interrupted; any failure: ApplicationFailed.
          return Effect.flatMap(stopRun(run), (report) =>
            interrupted && report.success
              ? Effect.failCause(exit.cause as Cause.Cause<never>)
              : Effect.fail(applicationFailed(run, report)))
        }
      )
    )
    return run
  })

/**
 * Why the run ends, decided once, when the shutdown begins, for every way of ending it (`run`,
 * `stop`, the scope of `start` or `layer` closing): a failed build or start, or an interrupted run,
 * said so already; otherwise the first shutdown request does: background work that failed, or a
 * requested shutdown and its reason; with no request at all, a plain shutdown.
 */
const settleEnding = (run: AppRun): void => {
  if (run.ending !== undefined) return
  const request = run.shutdownRequest
  if (request?._tag === "BackgroundFailed") {
    run.ending = "background-failed"
  } else {
    run.ending = "shutdown"
    run.shutdownReason = request?.reason ?? null
  }
}

const endings: Record<Report.Ending, Errors.ApplicationFailed["reason"]> = {
  "shutdown": "stop",
  "interrupted": "stop",
  "build-failed": "build",
  "start-failed": "start",
  "background-failed": "background"
}

const applicationFailed = (run: AppRun, report: Report.Report): Errors.ApplicationFailed =>
  new Errors.ApplicationFailed({ reason: endings[run.ending ?? "shutdown"], errors: [...run.record.errors], report })

/** @internal */
export const buildReport = (run: AppRun): Report.Report => {
  const startupEnd = run.startupEnd >= 0 ? run.startupEnd : run.stopBegin
  return {
    success: run.record.errors.length === 0,
    ending: run.ending ?? "shutdown",
    shutdownReason: run.shutdownReason,
    startedAt: run.record.startedAt,
    startup: Math.max(0, startupEnd),
    running: run.startupEnd >= 0 ? Math.max(0, run.stopBegin - run.startupEnd) : 0,
    shutdown: Math.max(0, run.stopEnd - run.stopBegin),
    components: run.record.componentsReport(),
    errors: [...run.record.errorRecords]
  }
}

/**
 * Stops and releases: the stop phase, then the release (disposers, then constructors' finalizers),
 * dependents first. Runs once; a second call waits for the first and returns the same report. Never
 * fails.
 */
const stopRun = (run: AppRun): Effect.Effect<Report.Report> =>
  Effect.uninterruptible(Effect.suspend(() => {
    if (run.stopping) return Deferred.await(run.stopped)
    run.stopping = true
    settleEnding(run)
    const stop = Effect.gen(function*() {
      const record = run.record
      run.stopBegin = record.now()
      run.lifecycle.transition("stopping")
      if (run.startupEnd >= 0 || run.lifecycle.state !== "created") yield* runInternal.stopPhase(run)
      // constructors interrupted in flight (another one failed, or the run was interrupted)
      for (let id = 0; id < run.plan.nodes.length; id++) {
        if (record.stateOf(id) !== "building") continue
        record.setState(id, "failed")
        record.end(id, "build", "interrupted")
        record.end(id, "initialize", "interrupted")
      }
      for (const works of run.backgrounds) if (works !== undefined) background.abandon(works)
      yield* runInternal.releasePhase(run)
      for (let id = 0; id < run.plan.nodes.length && !run.releaseTimedOut; id++) {
        const state = record.stateOf(id)
        // components built from a value have no scope to close: they are released with the graph
        if (state !== "pending" && state !== "failed" && state !== "released") record.setState(id, "released")
      }
      run.stopEnd = record.now()
      run.lifecycle.transition("stopped")
      const report = buildReport(run)
      const onReport = run.options.onReport
      if (onReport !== undefined) yield* Effect.catchAllCause(onReport(report), (cause) => Effect.logError("App onReport failed", cause))
      runtime.completeDeferred(run.stopped, Exit.succeed(report))
      return report
    })
    // A second caller waits for the first: whatever happens, it must not wait forever.
    const guarded = Effect.onExit(stop, (exit) =>
      Effect.sync(() => {
        if (exit._tag === "Failure") runtime.completeDeferred(run.stopped, exit)
      }))
    return run.spans ? Effect.withSpan(guarded, "layerwise.app.stop", { captureStackTrace: false }) : guarded
  }))

/**
 * Stops and releases, then gives the report, or fails with `ApplicationFailed` when something failed
 * (background work counts even when the shutdown itself went well). What `run` and `stop` share.
 */
const stopAndReport = (run: AppRun): Effect.Effect<Report.Report, Errors.ApplicationFailed> =>
  Effect.flatMap(stopRun(run), (report) =>
    report.success && run.ending !== "background-failed" ? Effect.succeed(report) : Effect.fail(applicationFailed(run, report)))

// ---------------------------------------------------------------------------------------------
// public operations

interface RunningImpl extends App.Running<unknown> {
  readonly run: AppRun
}

const RunningProto = {
  [RunningTypeId]: { _R: (_: never) => _ },
  toString(this: RunningImpl) {
    return `App.Running(${this.run.lifecycle.state})`
  }
}

/** The running handle: the roots' services, and a runtime made once with them and the runner's FiberRefs. */
const makeRunning = (run: AppRun): RunningImpl => {
  const self = Object.create(RunningProto)
  self.run = run
  self.plan = run.plan
  self.context = executor.rootContext(run.plan, run.values)
  self.runtime = runtime.runnerWithContext(run.runner, self.context)
  return self
}

const runOf = (running: App.Running<unknown>): AppRun => (running as RunningImpl).run

/** @internal */
export const start = (self: App.App<never>) => Effect.map(startRun(self as AppImpl), makeRunning)

/** @internal */
export const stop = (running: App.Running<unknown>): Effect.Effect<Report.Report, Errors.ApplicationFailed | Errors.InvalidState> =>
  Effect.suspend((): Effect.Effect<Report.Report, Errors.ApplicationFailed | Errors.InvalidState> => {
    const run = runOf(running)
    const invalid = run.lifecycle.check("stop", ["started"])
    return invalid === undefined ? stopAndReport(run) : Effect.fail(invalid)
  })

/** @internal */
export const shutdown = dual(
  (args) => hasProperty(args[0], RunningTypeId),
  (running: App.Running<unknown>, reason?: string): Effect.Effect<void> => Effect.sync(() => runOf(running).requestShutdown(reason))
)

/** @internal */
export const awaitShutdown = (running: App.Running<unknown>): Effect.Effect<void> =>
  Effect.asVoid(Deferred.await(runOf(running).shutdownRequested))

/** @internal */
export const state = (running: App.Running<unknown>): Effect.Effect<App.State> => Effect.sync(() => runOf(running).lifecycle.state)

/** @internal */
export const phase = dual(
  2,
  (running: App.Running<unknown>, name: string): Effect.Effect<Option.Option<Report.ComponentState>> =>
    Effect.sync(() => {
      const run = runOf(running)
      run.names ??= new Map(run.plan.nodes.map((node) => [node.name, node.id]))
      const id = run.names.get(name)
      return id === undefined ? Option.none() : Option.some(run.record.stateOf(id))
    })
)

/** @internal */
export const phases = (running: App.Running<unknown>): Effect.Effect<Readonly<Record<string, Report.ComponentState>>> =>
  Effect.sync(() => {
    const run = runOf(running)
    const result: Record<string, Report.ComponentState> = {}
    for (const node of run.plan.nodes) result[node.name] = run.record.stateOf(node.id)
    return result
  })

/** @internal */
export const report = (running: App.Running<unknown>): Effect.Effect<Report.Report> => Effect.sync(() => buildReport(runOf(running)))

/** @internal */
export const health = (running: App.Running<unknown>, options?: App.HealthOptions): Effect.Effect<Health.Report> =>
  Effect.suspend(() => {
    const run = runOf(running)
    if (options?.concurrency === undefined) return runInternal.checkHealth(run, run.settings.healthConcurrency)
    const problem = executor.concurrencyProblem(options.concurrency)
    return problem === undefined
      ? runInternal.checkHealth(run, executor.concurrencyLimit(options.concurrency))
      : Effect.die(new Cause.IllegalArgumentException(`layerwise App.health: ${problem}`))
  })

/** @internal */
export const run = (self: App.App<never>): Effect.Effect<Report.Report, Errors.ResolutionError | Errors.LifecycleError> =>
  Effect.scoped(Effect.uninterruptibleMask((restore) =>
    Effect.gen(function*() {
      const run = yield* restore(startRun(self as AppImpl))
      const waited = yield* Effect.exit(restore(Deferred.await(run.shutdownRequested)))
      if (waited._tag === "Success") return yield* stopAndReport(run)
      // Interrupted with a clean shutdown: the run ends interrupted; any failure: ApplicationFailed.
      run.ending = "interrupted"
      const report = yield* stopRun(run)
      if (report.success) return yield* Effect.failCause(waited.cause as Cause.Cause<never>)
      return yield* Effect.fail(applicationFailed(run, report))
    })
  ))

/**
 * A Layer cannot end the program it serves, so background work that fails while the application
 * runs as a Layer is logged when it fails (the application keeps serving until the Layer is released;
 * its release then dies with the `ApplicationFailed`, see `startRun`).
 *
 * @internal
 */
export const layer = (self: App.App<never>): Layer.Layer<unknown, Errors.ResolutionError | Errors.LifecycleError> =>
  Layer.scopedContext(Effect.gen(function*() {
    const running = yield* start(self)
    const run = runOf(running)
    yield* Effect.forkScoped(Effect.flatMap(Deferred.await(run.shutdownRequested), () =>
      run.shutdownRequest?._tag === "BackgroundFailed" && !run.stopping
        ? Effect.logError(
          "layerwise: background work failed while the application runs as a Layer; it keeps serving until the Layer is released, which then fails",
          ...run.record.errors.map((error) => error.message)
        )
        : Effect.void))
    return running.context
  }))

/** @internal */
export const subscribe = (self: App.App<never>): Effect.Effect<Queue.Dequeue<App.Event>, never, Scope.Scope> => {
  const hub = (self as AppImpl).hub
  return Effect.tap(
    PubSub.subscribe(hub.pubsub),
    () => Effect.acquireRelease(Effect.sync(() => hub.subscribers++), () => Effect.sync(() => hub.subscribers--))
  )
}

/** @internal */
export const events = (self: App.App<never>): Stream.Stream<App.Event> =>
  Stream.unwrapScoped(Effect.map(subscribe(self), (queue) => Stream.fromQueue(queue)))

/** @internal */
export const Shutdowner = builtins.Shutdowner

/** @internal */
export const shutdownerComponent = builtins.shutdownerComponent

/** @internal */
export const HealthTag = builtins.HealthTag

/** @internal */
export const healthComponent = builtins.healthComponent
