/**
 * The App value and its public operations: starting a run, stopping it, the report, events, health.
 * How a run goes, phase by phase, is `run.ts`.
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { pipeArguments } from "effect/Pipeable"
import * as Inspectable from "effect/Inspectable"
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
import * as optionsRead from "../optionsRead.js"
import * as observe from "../observe.js"
import * as planInternal from "../plan.js"
import * as registryInternal from "../registry.js"
import * as resolver from "../resolver.js"
import * as runtime from "../runtime.js"
import * as builtins from "./builtins.js"
import * as checks from "./checks.js"
import * as runInternal from "./run.js"
import { AppRun } from "./run.js"
import * as stopping from "./stopping.js"
import * as settingsInternal from "./settings.js"

/** @internal */
export const TypeId: App.TypeId = Symbol.for("layerwise/App") as App.TypeId

/** @internal */
export const RunningTypeId: App.RunningTypeId = Symbol.for("layerwise/App/Running") as App.RunningTypeId

type Source =
  | {
    readonly _tag: "Registry"
    readonly registry: Registry.Registry
    readonly roots: ReadonlyArray<Dependency.Any>
    readonly external: ReadonlyArray<Dependency.Any>
  }
  | { readonly _tag: "Plan"; readonly plan: Plan.Any }

/** Events of every run of one App, to its subscribers; nothing is made while no one listens. @internal */
export interface Hub {
  readonly pubsub: PubSub.PubSub<App.Event>
  subscribers: number
}

/** @internal */
export interface AppImpl extends App.App<unknown, never> {
  readonly source: Source
  readonly options: App.Options
  readonly hub: Hub
  /** what `App.provide` gave, built in order before the application and released after it */
  readonly layers: ReadonlyArray<Layer.Layer<never, never, unknown>>
}

type Requests = ReadonlyArray<Dependency.Any> | undefined

const counted = (components: number): string => `${components} component${components === 1 ? "" : "s"}`

const AppProto = {
  ...Inspectable.BaseProto,
  [TypeId]: { _R: (_: never) => _, _RIn: (_: never) => _ },
  pipe() {
    return pipeArguments(this, arguments)
  },
  toString(this: AppImpl) {
    return this.source._tag === "Plan" ? `App(${counted(this.source.plan.nodes.length)})` : "App(registry)"
  },
  toJSON(this: AppImpl) {
    return { _id: "App", source: this.source._tag === "Plan" ? `plan of ${counted(this.source.plan.nodes.length)}` : "registry" }
  }
}

const makeApp = (
  source: Source,
  options: App.Options,
  hub: Hub,
  layers: ReadonlyArray<Layer.Layer<never, never, unknown>> = []
): AppImpl => {
  const self = Object.create(AppProto)
  self.source = source
  self.options = options
  self.hub = hub
  self.layers = layers
  return self
}

/** @internal */
export const isApp = (u: unknown): u is App.App<never, unknown> => hasProperty(u, TypeId)

/** @internal */
export const make: {
  <E, const Roots extends ReadonlyArray<Dependency.Any> = readonly [], const External extends ReadonlyArray<Dependency.Any> = readonly []>(
    registry: Registry.Registry<E>, options?: App.Options & { readonly roots?: Roots | undefined; readonly external?: External | undefined }
  ): App.App<Dependency.Identifiers<Roots>, Dependency.Identifiers<External>>
  <R, E, RIn>(plan: Plan.Plan<R, E, RIn>, options?: App.Options): App.App<R, RIn>
} = (source: Registry.Registry | Plan.Any, options?: App.Options & { readonly roots?: Requests; readonly external?: Requests }): App.App<unknown, never> => {
  const hub: Hub = { pubsub: Effect.runSync(PubSub.unbounded<App.Event>()), subscribers: 0 }
  const { external, roots, ...rest } = options ?? {}
  return planInternal.isPlan(source)
    ? makeApp({ _tag: "Plan", plan: source }, rest, hub)
    : makeApp(
      { _tag: "Registry", registry: registryInternal.add(source, builtins.components), roots: roots ?? [], external: external ?? [] },
      rest,
      hub
    )
}

/** @internal */
export const provide: {
  <ROut, RIn2>(layer: Layer.Layer<ROut, never, RIn2>): <R, RIn>(self: App.App<R, RIn>) => App.App<R, Exclude<RIn, ROut> | RIn2>
  <R, RIn, ROut, RIn2>(self: App.App<R, RIn>, layer: Layer.Layer<ROut, never, RIn2>): App.App<R, Exclude<RIn, ROut> | RIn2>
} = dual(2, <R, RIn, ROut, RIn2>(self: App.App<R, RIn>, layer: Layer.Layer<ROut, never, RIn2>): App.App<R, Exclude<RIn, ROut> | RIn2> => {
  const app = appOf(self)
  return makeApp(app.source, app.options, app.hub, [...app.layers, layer as Layer.Layer<never, never, unknown>])
})

/** The same application (same event hub) with other options. @internal */
export const withOptions = <R, RIn>(app: App.App<R, RIn>, options: App.Options): App.App<R, RIn> =>
  makeApp(appOf(app).source, options, appOf(app).hub, appOf(app).layers)

/** The application run from a plan already resolved from it: the same options, events and Layers. @internal */
export const withPlan = <R, RIn>(app: App.App<R, RIn>, plan: Plan.Any): App.App<R, RIn> =>
  makeApp({ _tag: "Plan", plan }, appOf(app).options, appOf(app).hub, appOf(app).layers)

/** @internal */
export const optionsOf = <R, RIn>(app: App.App<R, RIn>): App.Options => appOf(app).options

/** Publishes an event to the hub: the event is made only when someone subscribes. @internal */
export const emitter = (hub: Hub) => (event: () => App.Event): void => {
  if (hub.subscribers > 0) runtime.offerToQueue(hub.pubsub, event())
}

const resolvePlan = (app: AppImpl): Effect.Effect<Plan.Any, Errors.ResolutionError> =>
  Effect.suspend(() => {
    const source = app.source
    if (source._tag === "Plan") return Effect.succeed(source.plan)
    return resolver.resolveEffect(source.registry, source.roots, {
      profiles: app.options.profiles,
      properties: app.options.properties,
      external: source.external,
      scopes: app.options.scopes,
      extraRoots: (component) => component.lifecycle?.startup !== undefined
    })
  })

/** The plan an App runs (what `runMain`'s `--help` describes). @internal */
export const planOf = <R, RIn>(app: App.App<R, RIn>): Effect.Effect<Plan.Any, Errors.ResolutionError> => resolvePlan(appOf(app))

/** What a run checks before it builds anything: the plan, the lifecycle settings, every option read. */
const validated = (app: AppImpl) =>
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
    // every option read and valid before anything runs; the build starts with them in its context
    const options = yield* optionsRead.servicesOf(plan)
    return { plan, settings, components, options }
  })

/** The plan an App runs, once everything a run checks before building holds (`App.validate`). @internal */
export const validate = <R, RIn>(
  app: App.App<R, RIn>
): Effect.Effect<Plan.Any, Errors.ResolutionError | Errors.InvalidLifecycle | Errors.InvalidOptions> =>
  Effect.map(validated(appOf(app)), (checked) => checked.plan)

/** Resolves and validates (nothing runs when anything is wrong), then builds and starts. */
const startRun = (
  app: AppImpl
): Effect.Effect<AppRun, Errors.ResolutionError | Errors.InvalidLifecycle | Errors.InvalidOptions | Errors.ApplicationFailed, Scope.Scope> =>
  Effect.gen(function*() {
    const { components, options, plan, settings } = yield* validated(app)
    // What `App.provide` gave: built first, in the caller's scope, so released after the application
    // (its finalizer is added below); a tracer it installs decides the run's spans.
    const provided = yield* provideLayers(app)
    const spans = app.options.spans === true || app.options.spans === false ? app.options.spans : yield* runtime.tracingExported
    const hub = app.hub
    const observer = yield* observe.appObserver(plan, app.options, spans)
    const run = new AppRun(plan, components, settings, app.options, yield* Effect.clock, spans, emitter(hub), () => hub.subscribers > 0)
    observe.attach(observer, run.record)
    run.application = {
      plan,
      state: Effect.sync(() => run.lifecycle.state),
      phases: Effect.sync(() => phasesOf(run)),
      report: Effect.sync(() => stopping.buildReport(run)),
      health: run.checkHealth,
      readiness: checks.readinessOf(run),
      events: events(app)
    }
    // Whatever happens to the caller, closing its scope stops and releases the application. When the
    // scope is what ends it (`start` without `stop`, `layer`), no caller receives the outcome: a failed
    // shutdown, or background work that failed, is a defect of the scope's closing (a finalizer cannot
    // fail). Ended by `run`, `stop` or a failed start, it was already stopping, and its outcome went to
    // that caller.
    yield* Effect.addFinalizer(() => {
      if (run.stopping) return stopping.stopRun(run)
      return Effect.flatMap(stopping.stopRun(run), (report) =>
        report.success && run.ending !== "background-failed" ? Effect.void : Effect.die(stopping.applicationFailed(run, report)))
    })
    const started = Effect.zipRight(
      observe.appPhase(run.record, "build", runInternal.buildPhase(run)),
      observe.appPhase(run.record, "start", runInternal.startPhase(run))
    )
    const phases = options === undefined ? started : Effect.provide(started, options)
    const buildAndStart = provided === undefined ? phases : Effect.provide(phases, provided)
    yield* Effect.uninterruptibleMask((restore) =>
      Effect.flatMap(
        Effect.exit(restore(observe.appStart(run.record, buildAndStart))),
        (exit) => {
          if (exit._tag === "Success") return Effect.void
          const interrupted = Cause.isInterruptedOnly(exit.cause)
          run.ending = interrupted ? "interrupted" : run.lifecycle.state === "building" ? "build-failed" : "start-failed"
          // Interrupted with a clean shutdown: the run ends interrupted; any failure: ApplicationFailed.
          return Effect.flatMap(stopping.stopRun(run), (report) =>
            interrupted && report.success
              ? Effect.failCause(exit.cause as Cause.Cause<never>)
              : Effect.fail(stopping.applicationFailed(run, report)))
        }
      )
    )
    return run
  })

/**
 * Builds the Layers `App.provide` gave, in order (each sees the ones before), in the caller's scope:
 * the services they give the run (`undefined`: none were given). A Layer that fails is a defect of
 * the start.
 */
const provideLayers = (app: AppImpl): Effect.Effect<Context.Context<never> | undefined, never, Scope.Scope> =>
  Effect.gen(function*() {
    if (app.layers.length === 0) return undefined
    const scope = yield* Effect.scope
    let context = Context.empty()
    for (const layer of app.layers) {
      // a Layer's requirements are the previous Layers' services or the caller's (App.provide's types)
      const build = Layer.buildWithScope(layer, scope) as Effect.Effect<Context.Context<never>, never, never>
      const built = yield* Effect.orDie(Effect.provide(build, context))
      context = Context.merge(context, built)
    }
    return context
  })

// ---------------------------------------------------------------------------------------------
// public operations

interface RunningImpl extends App.Running<unknown> {
  readonly run: AppRun
}

const RunningProto = {
  ...Inspectable.BaseProto,
  [RunningTypeId]: { _R: (_: never) => _ },
  toString(this: RunningImpl) {
    return `App.Running(${this.run.lifecycle.state})`
  },
  toJSON(this: RunningImpl) {
    return { _id: "App.Running", state: this.run.lifecycle.state, components: this.run.plan.nodes.length }
  }
}

/** The running handle: the roots' services, and a runtime made once with them and the runner's FiberRefs. */
const makeRunning = <R>(run: AppRun): App.Running<R> => {
  const self = Object.create(RunningProto)
  self.run = run
  self.plan = run.plan
  self.context = run.rootServices ?? executor.rootContext(run.plan, run.values, run.build?.outside ?? new Map())
  self.runtime = runtime.runnerWithContext(run.runner, self.context)
  return self
}

/**
 * The run behind a running handle, and the value behind an App: every handle and App is made here
 * (`makeRunning`, `makeApp`), whatever the type parameter says of its services.
 */
const runOf = <R>(running: App.Running<R>): AppRun => (running as unknown as RunningImpl).run

const appOf = <R, RIn>(self: App.App<R, RIn>): AppImpl => self as unknown as AppImpl

/** @internal */
export const start = <R, RIn>(
  self: App.App<R, RIn>
): Effect.Effect<App.Running<R>, Errors.ResolutionError | Errors.LifecycleError, Scope.Scope | RIn> =>
  Effect.map(startRun(appOf(self)), (run) => makeRunning<R>(run))

/** @internal */
export const stop = <R>(running: App.Running<R>): Effect.Effect<Report.Report, Errors.ApplicationFailed | Errors.InvalidState> =>
  Effect.suspend((): Effect.Effect<Report.Report, Errors.ApplicationFailed | Errors.InvalidState> => {
    const run = runOf(running)
    const invalid = run.lifecycle.check("stop", ["started"])
    return invalid === undefined ? stopping.stopAndReport(run) : Effect.fail(invalid)
  })

/** @internal */
export const shutdown: {
  (reason?: string, options?: App.ShutdownOptions): <R>(running: App.Running<R>) => Effect.Effect<void>
  <R>(running: App.Running<R>, reason?: string, options?: App.ShutdownOptions): Effect.Effect<void>
} = dual(
  (args) => hasProperty(args[0], RunningTypeId),
  <R>(running: App.Running<R>, reason?: string, options?: App.ShutdownOptions): Effect.Effect<void> =>
    builtins.requestShutdown("App.shutdown", runOf(running), reason, options)
)

/** @internal */
export const awaitShutdown = <R>(running: App.Running<R>): Effect.Effect<App.ShutdownRequest> =>
  Deferred.await(runOf(running).shutdownRequested)

/** @internal */
export const state = <R>(running: App.Running<R>): Effect.Effect<App.State> => Effect.sync(() => runOf(running).lifecycle.state)

/** @internal */
export const phase: {
  (name: string): <R>(running: App.Running<R>) => Effect.Effect<Option.Option<Report.ComponentState>>
  <R>(running: App.Running<R>, name: string): Effect.Effect<Option.Option<Report.ComponentState>>
} = dual(
  2,
  <R>(running: App.Running<R>, name: string): Effect.Effect<Option.Option<Report.ComponentState>> =>
    Effect.sync(() => {
      const run = runOf(running)
      const id = planInternal.idsByName(run.plan).get(name)
      return id === undefined || run.record.builtIn[id] === 1 ? Option.none() : Option.some(run.record.stateOf(id))
    })
)

const phasesOf = (run: AppRun): Readonly<Record<string, Report.ComponentState>> => {
  const result: Record<string, Report.ComponentState> = {}
  for (const node of run.plan.nodes) if (run.record.builtIn[node.id] === 0) result[node.name] = run.record.stateOf(node.id)
  return result
}

/** @internal */
export const phases = <R>(running: App.Running<R>): Effect.Effect<Readonly<Record<string, Report.ComponentState>>> =>
  Effect.sync(() => phasesOf(runOf(running)))

/** @internal */
export const report = <R>(running: App.Running<R>): Effect.Effect<Report.Report> => Effect.sync(() => stopping.buildReport(runOf(running)))

/** @internal */
export const health = <R>(running: App.Running<R>, options?: App.HealthOptions): Effect.Effect<Health.Report> =>
  Effect.suspend(() => {
    const run = runOf(running)
    return Effect.flatMap(checks.healthRun(run, options, "App.health"), (how) => checks.checkHealth(run, how))
  })

/** @internal */
export const healthOf = <R>(
  running: App.Running<R>,
  components: checks.Selection,
  options?: App.HealthOptions
): Effect.Effect<Health.Report, Errors.UnknownComponent> =>
  Effect.suspend(() => checks.checkSelected(runOf(running), components, options, "App.healthOf"))

/** @internal */
export const run = <R, RIn>(self: App.App<R, RIn>): Effect.Effect<Report.Report, Errors.ResolutionError | Errors.LifecycleError, RIn> =>
  runWith(self, undefined)

/**
 * `run`, telling `onRunning` the running handle once everything started (before it waits for a
 * shutdown request): what `runMain` requests the shutdown of when a signal comes.
 *
 * Interrupted while it runs, the run ends as the shutdown requested before, if one was (the first
 * request wins, and the interruption comes after it: `runMain` requests the shutdown on a signal just
 * before `NodeRuntime.runMain` interrupts the program); otherwise it ends interrupted.
 *
 * @internal
 */
export const runWith = <R, RIn>(
  self: App.App<R, RIn>,
  onRunning: ((running: App.Running<R>) => void) | undefined
): Effect.Effect<Report.Report, Errors.ResolutionError | Errors.LifecycleError, RIn> =>
  Effect.scoped(Effect.uninterruptibleMask((restore) =>
    Effect.gen(function*() {
      const run = yield* restore(startRun(appOf(self)))
      onRunning?.(makeRunning<R>(run))
      const waited = yield* Effect.exit(restore(Deferred.await(run.shutdownRequested)))
      if (waited._tag === "Success" || run.shutdownRequest !== undefined) return yield* stopping.stopAndReport(run)
      // Interrupted with a clean shutdown: the run ends interrupted; any failure: ApplicationFailed.
      run.ending = "interrupted"
      const report = yield* stopping.stopRun(run)
      if (report.success) return yield* Effect.failCause(waited.cause as Cause.Cause<never>)
      return yield* Effect.fail(stopping.applicationFailed(run, report))
    })
  ))

/**
 * A Layer cannot end the program it serves, so background work that fails while the application
 * runs as a Layer is logged when it fails (the application keeps serving until the Layer is released;
 * its release then dies with the `ApplicationFailed`, see `startRun`), and so is a shutdown asked for
 * (the `Shutdowner`'s), as a warning: nobody else would see it.
 *
 * @internal
 */
export const layer = <R, RIn>(self: App.App<R, RIn>): Layer.Layer<R, Errors.ResolutionError | Errors.LifecycleError, RIn> =>
  Layer.scopedContext(Effect.gen(function*() {
    const running = yield* start(self)
    const run = runOf(running)
    yield* Effect.forkScoped(Effect.flatMap(Deferred.await(run.shutdownRequested), (request) => {
      if (run.stopping) return Effect.void
      if (request._tag === "BackgroundFailed") {
        return Effect.logError(
          "layerwise: background work failed while the application runs as a Layer; it keeps serving until the Layer is released, which then fails",
          ...run.record.errors.map((error) => error.message)
        )
      }
      const said = [request.reason, request.exitCode === undefined ? undefined : `exit code ${request.exitCode}`].filter((part) => part !== undefined)
      const reason = said.length === 0 ? "" : ` (${said.join(", ")})`
      return Effect.logWarning(
        `layerwise: the shutdown asked for${reason} does not end an application run as a Layer, which cannot end the program it serves: it keeps serving until the Layer is released (App.start and App.awaitShutdown wait for such a request)`
      )
    }))
    return running.context
  }))

/** @internal */
export const subscribe = <R, RIn>(self: App.App<R, RIn>): Effect.Effect<Queue.Dequeue<App.Event>, never, Scope.Scope> => {
  const hub = appOf(self).hub
  return Effect.tap(
    PubSub.subscribe(hub.pubsub),
    () => Effect.acquireRelease(Effect.sync(() => hub.subscribers++), () => Effect.sync(() => hub.subscribers--))
  )
}

/** @internal */
export const events = <R, RIn>(self: App.App<R, RIn>): Stream.Stream<App.Event> =>
  Stream.unwrapScoped(Effect.map(subscribe(self), (queue) => Stream.fromQueue(queue)))

/** @internal */
export const Shutdowner = builtins.Shutdowner

/** @internal */
export const shutdownerComponent = builtins.shutdownerComponent

/** @internal */
export const HealthTag = builtins.HealthTag

/** @internal */
export const healthComponent = builtins.healthComponent

/** @internal */
export const ApplicationTag = builtins.ApplicationTag

/** @internal */
export const applicationComponent = builtins.applicationComponent
