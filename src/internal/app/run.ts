/**
 * One application run, phase by phase. How the runtime works, from `App.run` to the report:
 *
 * 1. `start` validates the options and resolves the registry (the roots plus every startup
 *    component), then validates every component's lifecycle settings (`settings.ts`): nothing runs
 *    when anything is wrong.
 * 2. **build** (`buildPhase`): the executor (`../executor.ts`) runs the plan with the graph runner
 *    (`../graph.ts`), dependencies first, startup orders as stages; the node task here wraps the
 *    executor's steps (`openScope`, `construct`) with the component's record and runs its
 *    **initializers** (`hooks.ts`) right after its constructor, before any dependent is built.
 *    What the container builds after startup (transient and scoped instances, singletons on first
 *    use, lookups) gets the same hooks, its record and its events from `instances.ts`.
 * 3. **start** (`startPhase`): the graph runner again, dependencies first, runs each component's
 *    start hooks; once they succeeded its **background** work starts (`background.ts`).
 * 4. running: `App.run` waits for a shutdown request (`App.shutdown`, the Shutdowner, failed
 *    background work) or an interruption.
 * 5. **stop** (`stopPhase`, `stopping.ts`): the graph runner, dependents first, stops background work, then runs the
 *    stop hooks of the components that started.
 * 6. **dispose** and **release** (`releasePhase`, `stopping.ts`): the executor closes the node scopes, dependents
 *    first; the wrapper here runs each component's disposers, then lets its scope close (its
 *    constructor's finalizers), the whole bounded by the release timeout.
 * 7. the report (`report`) is made from the run's record (`record.ts`), which every phase fills in,
 *    and which publishes events as it goes.
 *
 * A failed build or start goes to the shutdown at once (stop what started, release everything).
 * The application's state machine is `lifecycle.ts`.
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import type * as Clock from "effect/Clock"
import type * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import type * as App from "../../App.js"
import * as Errors from "../../Errors.js"
import type * as Health from "../../Health.js"
import type * as Plan from "../../Plan.js"
import type * as Report from "../../Report.js"
import * as container from "../container.js"
import * as executor from "../executor.js"
import * as graph from "../graph.js"
import * as observe from "../observe.js"
import * as runtime from "../runtime.js"
import * as background from "./background.js"
import * as builtins from "./builtins.js"
import * as hooks from "./hooks.js"
import * as instances from "./instances.js"
import * as lookups from "./lookups.js"
import { ShutdownDeadline } from "./deadline.js"
import { Lifecycle } from "./lifecycle.js"
import { RunRecord } from "./record.js"
import * as settingsInternal from "./settings.js"
import { checkHealth, checkSelected, type InFlight, type Selection } from "./checks.js"
import { disposeSequence, shutDownHook } from "./stopping.js"

/** @internal */
export type ShutdownRequest = App.ShutdownRequest

/** @internal */
export class AppRun implements builtins.Host {
  readonly record: RunRecord
  readonly lifecycle: Lifecycle
  readonly predecessors: ReadonlyArray<ReadonlyArray<number>>
  readonly stages: Int32Array | undefined
  build: executor.GraphBuild | undefined = undefined
  /** the container of a plan with lifetimes or handles (see `../container.ts`) */
  container: container.Container | undefined = undefined
  /** the roots' services, once built */
  rootServices: Context.Context<never> | undefined = undefined
  /** where hooks start: the caller's runtime, then, once built, with every component's FiberRefs */
  runner!: runtime.Runner
  /** the start phase's run of the graph, once it began (a failed start stops it) */
  starting: graph.Run | undefined = undefined
  readonly backgrounds: Array<background.Backgrounds | undefined>
  /** per component: built and initialized, so its disposers run at release */
  readonly initialized: Uint8Array
  readonly shutdownRequested = runtime.makeDeferred<ShutdownRequest>()
  /** the first shutdown request (the value `shutdownRequested` completed with) */
  shutdownRequest: ShutdownRequest | undefined = undefined
  readonly stopped = runtime.makeDeferred<Report.Report>()
  ending: Report.Ending | undefined = undefined
  shutdownReason: string | null = null
  /** the exit code the first request asked for (the report's `exitCode`), set with `shutdownReason` */
  exitCode: number | undefined = undefined
  startupEnd = -1
  stopBegin = -1
  stopEnd = -1
  stopping = false
  /** the release did not complete within the release timeout */
  releaseTimedOut = false
  /** the shutdown timeout, from the shutdown's beginning on (`undefined`: none given, or not stopping yet; see `deadline.ts`) */
  shutdownDeadline: ShutdownDeadline | undefined = undefined
  /** the components that declare health checks, in plan order (found on the first health check) */
  healthChecked: ReadonlyArray<number> | undefined = undefined
  /** interrupts the readiness run in flight, if any (`checks.readinessOf`): called as the stop begins */
  abandonReadiness: (() => void) | undefined = undefined
  /**
   * the health checks running, each with the component it checks (its id; a child container's
   * component: undefined), until they end (`checks.checkTarget`); see `abandonChecks`
   */
  readonly checksInFlight = new Map<Fiber.RuntimeFiber<unknown, unknown>, InFlight>()
  /** the stops of the instances of their own that started, in start order (see `own.ts`) */
  readonly ownStarted = new Set<Effect.Effect<void>>()
  /** the starts of instances of their own in flight, each completed as it ends (the stop waits for them, see `own.ts`) */
  readonly ownStarting = new Set<Deferred.Deferred<void>>()
  /** lookups' own singletons built during the build, which the start phase starts (`lookups.ts`) */
  readonly lookedUp: Array<lookups.Looked> = []
  /** the graph the start and stop phases run when constructors looked instances up during the build (`lookups.ts`) */
  startGraph: lookups.StartGraph | undefined = undefined
  /**
   * what the components' constructors looked up during the build, read once it ended (the report's
   * `lookups`; `undefined` before: a report during the build reads the records so far, `stopping.ts`)
   */
  lookups: ReadonlyArray<Report.Lookup> | undefined = undefined
  /**
   * per component whose requests the container prepared (handles, transient or scoped instances):
   * the values its constructor got, which its hooks get too (see `hookServices`)
   */
  readonly prepared: Array<executor.EdgeValue | undefined> = []
  /** a constructor's outcome, during the build (see `buildNode`) */
  readonly constructionFailed = (id: number, cause: Cause.Cause<Errors.BuildError>): Effect.Effect<void> => {
    constructionFailed(this, this.build!, id, cause)
    return Effect.void
  }
  readonly constructed = (id: number, service: unknown): Effect.Effect<void> => initialize(this, this.build!, id, service)

  constructor(
    readonly plan: Plan.Any,
    readonly components: ReadonlyArray<settingsInternal.ComponentSettings>,
    readonly settings: settingsInternal.Settings,
    readonly options: App.Options,
    clock: Clock.Clock,
    readonly spans: boolean,
    emit: (event: () => App.Event) => void,
    /** whether anyone listens to events */
    listening?: () => boolean
  ) {
    this.record = new RunRecord(plan, clock, emit, listening)
    this.lifecycle = new Lifecycle(emit)
    this.predecessors = executor.predecessorsOf(plan)
    this.stages = settingsInternal.startupStages(plan, this.predecessors)
    this.backgrounds = new Array(plan.nodes.length)
    this.initialized = new Uint8Array(plan.nodes.length)
  }

  get values(): ReadonlyArray<unknown> {
    return this.build?.values ?? []
  }

  /** The first request wins: it says why the run ends (see `settleEnding`). */
  requestShutdown(reason: string | undefined, exitCode: number | undefined): void {
    requestShutdown(this, { _tag: "Requested", reason, exitCode })
  }

  /** The health checks of the components that started, as the application's settings say. */
  get checkHealth(): Effect.Effect<Health.Report> {
    return Effect.suspend(() =>
      checkHealth(this, { concurrency: this.settings.healthConcurrency, timeout: this.settings.healthOverall })
    )
  }

  /** The health checks of the components named, as the `App.Health` service's `checkOf` runs them. */
  checkHealthOf(
    which: Selection,
    options?: App.HealthOptions
  ): Effect.Effect<Health.Report, Errors.UnknownComponent> {
    return checkSelected(this, which, options, "App.Health checkOf")
  }

  /** the `App.Application` service of this run (made by the App, which has the events and the report) */
  application!: App.Application
}

/** @internal */
export const requestShutdown = (self: AppRun, request: ShutdownRequest): void => {
  if (self.shutdownRequest !== undefined) return
  self.shutdownRequest = request
  runtime.completeDeferred(self.shutdownRequested, Exit.succeed(request))
}

/** What a hook of a component in a phase runs with. @internal */
/**
 * The shutdown timeout from now on, made once: when the shutdown begins (`stopping.stopRun`), or earlier,
 * when the startup is torn down (a build or start failed, the run was interrupted: a hook in flight is
 * then cut off and awaited, and the shutdown that follows has begun). `undefined`: no shutdown timeout.
 *
 * @internal
 */
export const shutdownBegins = (self: AppRun): ShutdownDeadline | undefined => {
  if (self.settings.shutdown === undefined) return undefined
  const record = self.record
  return (self.shutdownDeadline ??= new ShutdownDeadline(self.settings.shutdown, () => record.now()))
}

export const target = (self: AppRun, id: number, phase: Report.Phase): hooks.Target => ({
  record: self.record,
  id,
  phase,
  runner: self.runner,
  spans: self.spans
})

/**
 * The services a hook of a component declared (`{ dependencies }`): the values of the component's
 * resolved requests with those keys (the resolver resolved them with the component's own).
 *
 * @internal
 */
export const hookServices = (self: AppRun, id: number) =>
  servicesOf(self.plan.nodes[id]!, self.build!, self.prepared[id], self.build!.layout.edgeStart[id]!)

/**
 * The services a hook declared, among its component's resolved requests: the values its
 * constructor got (`prepared`, from edge `first` of the layout on: a handle, a transient or scoped
 * instance, as the container made them), else the plain ones.
 *
 * @internal
 */
export const servicesOf = (
  node: Plan.Node,
  build: executor.GraphBuild,
  prepared: executor.EdgeValue | undefined,
  first: number
) =>
(hook: Pick<hooks.Hook, "dependencies">): Context.Context<never> | undefined => {
  const declared = hook.dependencies
  if (declared === undefined || declared.length === 0) return undefined
  const keys = new Set(declared.map((tag) => tag.key))
  if (prepared === undefined) {
    return executor.contextOf(node.dependencies.filter((edge) => keys.has(edge.request.key)), build.values, build.outside)
  }
  const services = new Map<string, unknown>()
  node.dependencies.forEach((edge, index) => {
    if (keys.has(edge.request.key)) services.set(edge.request.key, prepared(first + index))
  })
  return runtime.contextFromMap(services)
}

// ---------------------------------------------------------------------------------------------
// build (constructors and initializers)

/** The build phase: fails (with nothing: the record has the errors) when a component failed. @internal */
export const buildPhase = (self: AppRun): Effect.Effect<void, "failed"> =>
  Effect.gen(function*() {
    self.runner = yield* runtime.currentRunner
    self.lifecycle.transition("building")
    const build = yield* executor.makeBuild(self.plan, { concurrency: self.settings.concurrency })
    self.build = build
    observe.constructing(self.record, build)
    // the singletons that take part in the lifecycle are built at startup, even when only handles reach them
    const dynamic = container.attach(build, (id) => takesPart(self.components[id]!.lifecycle))
    if (dynamic !== undefined) dynamic.instanceSpans = self.spans
    if (dynamic !== undefined) {
      self.container = dynamic
      instances.attach(self, dynamic)
      dynamic.onDispose = (id, service) => disposeSequence(self, id, service) ?? Effect.void
      dynamic.onShutDown = shutDownHook(self)
    }
    // what constructors looked up is read as the build ends, failed or interrupted too (the release takes the records)
    const built = yield* Effect.exit(Effect.ensuring(
      executor.buildAll(build, (id) => buildNode(self, build, id), self.stages),
      Effect.sync(() => {
        self.lookups = lookups.lookedUpInBuild(self)
      })
    ))
    if (built._tag === "Failure") return yield* Effect.failCause(Cause.map(built.cause, () => "failed" as const))
    yield* build.views.applyAll(self.plan.nodes.length)
    self.rootServices = dynamic === undefined
      ? executor.rootContext(self.plan, build.values, build.outside)
      : yield* Effect.orDie(container.rootContext(dynamic))
    // Hooks from now on start with the FiberRefs every component's constructor changed.
    self.runner = yield* runtime.currentRunner
  })

/** Whether a component takes part in the lifecycle: a startup component, or one with start or stop hooks, background work or health checks. */
const takesPart = (lifecycle: settingsInternal.ComponentSettings["lifecycle"]): boolean =>
  lifecycle !== undefined &&
  (lifecycle.startup !== undefined || lifecycle.onStart.length > 0 || lifecycle.onStop.length > 0 || lifecycle.background.length > 0 ||
    lifecycle.healthChecks.length > 0)

const buildNode = (self: AppRun, build: executor.GraphBuild, id: number): Effect.Effect<void> | undefined => {
  // built later by the container, if ever: it stays pending until then
  if (!container.builtAtStartup(self.container, id)) return undefined
  const node = self.plan.nodes[id]!
  const lifecycle = self.components[id]!.lifecycle
  const builtIn = builtins.serviceIn(self, node.component)
  const construct = node.component.construct
  const value = builtIn !== undefined ? builtIn : construct._tag === "Value" ? { service: construct.value } : undefined
  self.record.setState(id, "building")
  self.record.begin(id, "build")
  const hooked = lifecycle !== undefined && (lifecycle.initializers.length > 0 || lifecycle.disposers.length > 0)
  // requests the container makes the values of (handles, instances): made for the hooks too
  const special = self.container !== undefined && self.container.special[id] === 1
  if (value !== undefined && !hooked && !self.spans && !special) {
    executor.valueNode(build, node, value.service)
    built(self, id, value.service)
    return undefined
  }
  const task = executor.withNodeScope(build, id, (scope, fiber) => {
    if (value === undefined) {
      const prepared = self.container?.prepare(id, scope)
      return prepared === undefined
        ? executor.constructOn(build, id, scope, fiber, self.constructionFailed, self.constructed)
        : Effect.matchCauseEffect(prepared, {
          onFailure: (cause) => self.constructionFailed(id, cause),
          onSuccess: (edgeValue) => {
            self.prepared[id] = edgeValue
            return executor.constructOn(build, id, scope, fiber, self.constructionFailed, self.constructed, edgeValue)
          }
        })
    }
    executor.valueNode(build, node, value.service)
    const prepared = special ? self.container!.prepare(id, scope) : undefined
    return prepared === undefined ? initialize(self, build, id, value.service) : Effect.matchCauseEffect(prepared, {
      onFailure: (cause) => self.constructionFailed(id, cause),
      onSuccess: (edgeValue) => {
        self.prepared[id] = edgeValue
        return initialize(self, build, id, value.service)
      }
    })
  })
  return task
}

const built = (self: AppRun, id: number, service: unknown): void => {
  self.build!.values[id] = service
  self.initialized[id] = 1
  self.record.setState(id, "built")
  self.record.end(id, "build", "success")
}

/**
 * A constructor failed: recorded, and the build stops. Not once the build's run ended (interrupted, or
 * stopped by another's failure): the run woke the lookups waiting for what it never made
 * (`container/startup.ts`) before it interrupted the constructors in flight, so that their
 * `ContainerClosed` can reach the constructor first; it was cut off, as the interruption would have
 * (its worker runs no handler then), and the stop records it so (`build: interrupted`).
 */
const constructionFailed = (self: AppRun, build: executor.GraphBuild, id: number, cause: Cause.Cause<Errors.BuildError>): void => {
  if (build.run?.ended === true) return
  const failure = Cause.failureOption(cause)
  const error = failure._tag === "Some" ? failure.value : Cause.squash(cause) as Errors.BuildError
  self.record.setState(id, "failed")
  self.record.fail(id, "build", null, failure._tag === "Some" ? "failure" : "defect", error)
  self.record.end(id, "build", "failure")
  build.fail(cause)
}

/** The initializers run right after the constructor, as part of the build (with what it saw and set). */
const initialize = (self: AppRun, build: executor.GraphBuild, id: number, service: unknown): Effect.Effect<void> => {
  const initializers = self.components[id]!.lifecycle?.initializers ?? []
  if (initializers.length === 0) {
    built(self, id, service)
    return Effect.void
  }
  self.record.end(id, "build", "success")
  return Effect.withFiberRuntime<void>((fiber) => {
    const sequence = new hooks.Sequence({ ...target(self, id, "initialize"), runner: runtime.runnerWithFiberRefsOf(self.runner, fiber) }, {
      hooks: initializers,
      service,
      timeout: self.components[id]!.start,
      keepGoing: false,
      live: () => build.run === undefined || !build.run.stopped,
      tornDown: () => shutdownBegins(self),
      onDone: (sequence) => {
        if (sequence.outcome === "success") {
          built(self, id, service)
        } else {
          self.record.setState(id, "failed")
          // the build stops; the application reports the initializer's error from its record
          if (sequence.errors.length > 0) build.fail(Cause.die(sequence.errors[0]))
        }
      },
      servicesOf: hookServices(self, id)
    })
    return hooks.run(sequence) ?? Effect.void
  })
}

// ---------------------------------------------------------------------------------------------
// start (start hooks, then background work)

/** The start phase: fails (with nothing: the record has the errors) when a start failed. @internal */
export const startPhase = (self: AppRun): Effect.Effect<void, "failed"> =>
  Effect.gen(function*() {
    self.lifecycle.transition("starting")
    // what constructors looked up during the build starts before them (`lookups.ts`)
    const extended = self.startGraph = lookups.startGraph(self)
    const count = self.plan.nodes.length
    const run = yield* graph.run(
      extended === undefined
        ? executor.runnerGraph(self.predecessors, true, self.stages)
        : executor.runnerGraph(extended.predecessors, true, extended.stages),
      self.settings.concurrency,
      (id) => id < count ? startNode(self, id) : lookups.startVertex(self, extended!, id),
      (run) => {
        self.starting = run
      }
    )
    if (run.stopped) return yield* Effect.fail("failed" as const)
    self.startupEnd = self.record.now()
    self.lifecycle.transition("started")
  })

const startNode = (self: AppRun, id: number): Effect.Effect<void> | undefined => {
  if (self.record.stateOf(id) !== "built") return undefined
  const lifecycle = self.components[id]!.lifecycle
  if (lifecycle === undefined || (lifecycle.onStart.length === 0 && lifecycle.background.length === 0)) {
    started(self, id)
    return undefined
  }
  self.record.setState(id, "starting")
  const sequence = new hooks.Sequence(target(self, id, "start"), {
    hooks: lifecycle.onStart,
    service: self.values[id],
    timeout: self.components[id]!.start,
    keepGoing: false,
    live: () => !self.starting!.stopped,
    tornDown: () => shutdownBegins(self),
    onDone: (sequence) => {
      if (sequence.outcome !== "success") {
        self.record.setState(id, "failed")
        self.starting!.stop()
        return
      }
      started(self, id)
      if (lifecycle.background.length > 0) {
        self.backgrounds[id] = background.start(
          target(self, id, "background"),
          lifecycle.background,
          self.values[id],
          () => requestShutdown(self, { _tag: "BackgroundFailed" }),
          hookServices(self, id)
        )
      }
    },
    servicesOf: hookServices(self, id)
  })
  return hooks.run(sequence)
}

const started = (self: AppRun, id: number): void => {
  self.record.components[id]!.started = true
  self.record.setState(id, "started")
}
