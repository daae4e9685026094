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
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import type * as App from "../../App.js"
import type * as Dependency from "../../Dependency.js"
import * as Errors from "../../Errors.js"
import type * as Health from "../../Health.js"
import type * as Plan from "../../Plan.js"
import type * as Report from "../../Report.js"
import * as container from "../container.js"
import * as executor from "../executor.js"
import * as graph from "../graph.js"
import * as planInternal from "../plan.js"
import * as observe from "../observe.js"
import * as runtime from "../runtime.js"
import * as background from "./background.js"
import * as builtins from "./builtins.js"
import * as hooks from "./hooks.js"
import { Lifecycle } from "./lifecycle.js"
import { RunRecord } from "./record.js"
import * as settingsInternal from "./settings.js"
import { checkHealth, checkSelected } from "./checks.js"
import { disposeSequence, shutDownHook } from "./stopping.js"

/** @internal */
export type ShutdownRequest =
  | { readonly _tag: "Requested"; readonly reason: string | undefined }
  | { readonly _tag: "BackgroundFailed" }

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
  startupEnd = -1
  stopBegin = -1
  stopEnd = -1
  stopping = false
  /** the release did not complete within the release timeout */
  releaseTimedOut = false
  /** the components that declare health checks, in plan order (found on the first health check) */
  healthChecked: ReadonlyArray<number> | undefined = undefined
  names: Map<string, number> | undefined = undefined
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
  requestShutdown(reason: string | undefined): void {
    requestShutdown(this, { _tag: "Requested", reason })
  }

  /** The health checks of the components that started, as the application's settings say. */
  get checkHealth(): Effect.Effect<Health.Report> {
    return Effect.suspend(() =>
      checkHealth(this, { concurrency: this.settings.healthConcurrency, timeout: this.settings.healthOverall })
    )
  }

  /** The health checks of the components named, as the `App.Health` service's `checkOf` runs them. */
  checkHealthOf(
    which: ReadonlyArray<string | Dependency.Any>,
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
export const hookServices = (self: AppRun, id: number) => servicesOf(self.plan.nodes[id]!, self.values, self.build!.outside)

const servicesOf = (node: Plan.Node, values: ReadonlyArray<unknown>, outside: ReadonlyMap<string, unknown>) =>
(hook: Pick<hooks.Hook, "dependencies">): Context.Context<never> | undefined => {
  const declared = hook.dependencies
  if (declared === undefined || declared.length === 0) return undefined
  const keys = new Set(declared.map((tag) => tag.key))
  return executor.contextOf(node.dependencies.filter((edge) => keys.has(edge.request.key)), values, outside)
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
      dynamic.onInstance = instanceHook(self)
      dynamic.instanceEvents = instanceEvents(self, dynamic)
      dynamic.onDispose = (id, service) => disposeSequence(self, id, service) ?? Effect.void
      dynamic.onLazyBuild = (id, build) => lazyBuild(self, id, build)
      dynamic.onExtension = (extension) => {
        extension.onInstance = extensionHook(self, extension)
        extension.instanceEvents = instanceEvents(self, extension)
        extension.onLazyBuild = (id, build) => {
          const own = ownId(self, extension.plan.nodes[id]!)
          return own === undefined ? build : lazyBuild(self, own, build)
        }
      }
      dynamic.onShutDown = shutDownHook(self)
    }
    const built = yield* Effect.exit(executor.buildAll(build, (id) => buildNode(self, build, id), self.stages))
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
  if (value !== undefined && !hooked && !self.spans) {
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
          onSuccess: (edgeValue) => executor.constructOn(build, id, scope, fiber, self.constructionFailed, self.constructed, edgeValue)
        })
    }
    executor.valueNode(build, node, value.service)
    return initialize(self, build, id, value.service)
  })
  return task
}

const built = (self: AppRun, id: number, service: unknown): void => {
  self.build!.values[id] = service
  self.initialized[id] = 1
  self.record.setState(id, "built")
  self.record.end(id, "build", "success")
}

const constructionFailed = (self: AppRun, build: executor.GraphBuild, id: number, cause: Cause.Cause<Errors.BuildError>): void => {
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

/** A component whose instances a container builds after startup, as App's hooks see it. */
interface Hooked {
  readonly settings: settingsInternal.ComponentSettings
  readonly name: string
  readonly path: () => ReadonlyArray<string>
  readonly services: ReturnType<typeof hookServices>
  /** its id in the run's record when the instance is the application's singleton (released with the application) */
  readonly recorded: number | undefined
}

/**
 * What every instance the container builds after startup gets: its initializers, in order, each
 * bounded by the component's start timeout (a failure fails the instance's construction, as a
 * `ConstructionError` whose cause is the `HookFailed` or `HookTimeout`); its disposers run when the
 * instance is released, before its constructor's finalizers. A singleton built on first use is
 * recorded as built, and released (disposers included) with the application, as any other.
 */
const instanceHook = (self: AppRun): container.InstanceHook => (id, service, scope, singleton) =>
  hookInstance(self, {
    settings: self.components[id]!,
    name: self.plan.nodes[id]!.name,
    path: () => self.record.pathOf(id),
    services: hookServices(self, id),
    recorded: singleton ? id : undefined
  }, service, scope)

/**
 * The instance hook of a container made for a run-time lookup (its plan numbers its own nodes): a
 * component of the application's plan (the same component, by name) gets the application's hook; any
 * other gets its initializers and its disposers on the instance's scope (a singleton's is released
 * when the lookups' containers are, before the application's components). A component whose
 * lifecycle settings are invalid fails its construction with `InvalidLifecycle`.
 */
const extensionHook = (self: AppRun, extension: container.Container): container.InstanceHook => {
  const plan = extension.plan
  const problems: settingsInternal.Problems = []
  const settings = settingsInternal.componentSettings(plan, self.settings, problems)
  const application = instanceHook(self)
  return (id, service, scope, singleton) => {
    const node = plan.nodes[id]!
    const own = ownId(self, node)
    if (own !== undefined) return application(own, service, scope, singleton)
    const invalid = problems.filter((problem) => problem.subject === `component ${node.name}`)
    if (invalid.length > 0) {
      return Effect.fail(
        new Errors.ConstructionError({ component: node.name, path: planInternal.pathTo(plan, id), cause: new Errors.InvalidLifecycle({ problems: invalid }) })
      )
    }
    return hookInstance(self, {
      settings: settings[id]!,
      name: node.name,
      path: () => planInternal.pathTo(plan, id),
      services: servicesOf(node, extension.build.values, extension.build.outside),
      recorded: undefined
    }, service, scope)
  }
}

/** The id in the application's plan of a lookup's node that is one of the application's components (the same component, by name). */
const ownId = (self: AppRun, node: Plan.Node): number | undefined => {
  const names = self.names ??= new Map(self.plan.nodes.map((node) => [node.name, node.id]))
  const own = names.get(node.name)
  return own !== undefined && self.plan.nodes[own]!.component === node.component ? own : undefined
}

/**
 * The build of a singleton of the application built on first use, recorded as a build at startup
 * is (its state, its build phase: constructor and initializers). A failed one goes back to
 * `pending`, its phase ended `failure`: the next use tries again, and the error is its requester's.
 */
const lazyBuild = <A>(self: AppRun, id: number, build: Effect.Effect<A, Errors.HandleError>): Effect.Effect<A, Errors.HandleError> =>
  Effect.suspend(() => {
    self.record.setState(id, "building")
    self.record.begin(id, "build")
    return Effect.onExit(build, (exit) =>
      Effect.sync(() => {
        if (Exit.isSuccess(exit)) return self.record.end(id, "build", "success")
        self.record.end(id, "build", Cause.isInterruptedOnly(exit.cause) ? "interrupted" : "failure")
        self.record.setState(id, "pending")
      }))
  })

/**
 * The events of the instances a container builds that no phase records (`InstanceBuilt`,
 * `InstanceReleased`): all of them but the application's singletons, watched while someone listens.
 */
const instanceEvents = (self: AppRun, owner: container.Container): container.InstanceEvents => {
  const record = self.record
  const emit = (tag: "InstanceBuilt" | "InstanceReleased", id: number, kind: container.InstanceKind, duration: number, exit: Exit.Exit<unknown, unknown>) => {
    const node = owner.plan.nodes[id]!
    const own = node.component.lifetime
    record.emit(() => ({
      _tag: tag,
      component: node.name,
      kind,
      scope: kind === "scoped" && own?._tag === "Scoped" ? own.scope.name : undefined,
      outcome: Exit.isSuccess(exit) ? "success" : Cause.isInterruptedOnly(exit.cause) ? "interrupted" : "failure",
      duration,
      error: Exit.isSuccess(exit) ? undefined : rendered(tag === "InstanceBuilt"
        ? hooks.failureOf(exit.cause).reason
        : new Errors.ReleaseError({ component: node.name, path: planInternal.pathTo(owner.plan, id), cause: Cause.squash(exit.cause) }))
    }))
  }
  return {
    watches: (id, kind) =>
      record.listening() && (kind !== "singleton" || (owner !== self.container && ownId(self, owner.plan.nodes[id]!) === undefined)),
    now: () => record.now(),
    built: (id, kind, duration, exit) => emit("InstanceBuilt", id, kind, duration, exit),
    released: (id, kind, duration, exit) => emit("InstanceReleased", id, kind, duration, exit)
  }
}

const rendered = (error: unknown): string => error instanceof Error ? error.message : String(error)

const hookInstance = (self: AppRun, component: Hooked, service: unknown, scope: Scope.Scope): Effect.Effect<void, Errors.HandleError> => {
  const settings = component.settings
  const initializers = settings.lifecycle?.initializers ?? []
  const disposers = settings.lifecycle?.disposers ?? []
  const services = component.services
  const failed = (hook: string, phase: Errors.HookPhase, cause: Cause.Cause<unknown>) => {
    const { reason } = hooks.failureOf(cause)
    return new Errors.HookFailed({ component: component.name, path: component.path(), phase, hook, cause: reason })
  }
  const initialize = Effect.forEach(initializers, (initializer) =>
    Effect.catchAllCause(
      Effect.timeoutFail(hooks.userEffect(`hook ${initializer.name}`, () => initializer.run(service), services(initializer)), {
        duration: settings.start,
        onTimeout: () =>
          new Errors.HookTimeout({
            component: component.name,
            path: component.path(),
            phase: "initialize",
            hook: initializer.name,
            timeout: Duration.format(settings.start)
          })
      }),
      (cause) =>
        Effect.fail(
          new Errors.ConstructionError({
            component: component.name,
            path: component.path(),
            cause: Cause.failureOption(cause).pipe((failure) =>
              failure._tag === "Some" && failure.value instanceof Errors.HookTimeout ? failure.value : failed(initializer.name, "initialize", cause)
            )
          })
        )
    ), { discard: true })
  const recorded = component.recorded
  if (recorded !== undefined) {
    return Effect.tap(initialize, () =>
      Effect.sync(() => {
        self.record.setState(recorded, "built")
        self.initialized[recorded] = 1
      }))
  }
  if (disposers.length === 0) return initialize
  // disposers of an instance of its own (transient, scoped, factory, a lookup's): on its scope, each one bounded, failures kept going
  const dispose = Effect.forEach(disposers, (disposer) =>
    Effect.timeout(hooks.userEffect(`hook ${disposer.name}`, () => disposer.run(service), services(disposer)), settings.stop).pipe(
      Effect.catchAllCause((cause) => Effect.logError(failed(disposer.name, "dispose", cause)))
    ), { discard: true })
  return Effect.zipRight(initialize, Scope.addFinalizer(scope, dispose))
}

// ---------------------------------------------------------------------------------------------
// start (start hooks, then background work)

/** The start phase: fails (with nothing: the record has the errors) when a start failed. @internal */
export const startPhase = (self: AppRun): Effect.Effect<void, "failed"> =>
  Effect.gen(function*() {
    self.lifecycle.transition("starting")
    const run = yield* graph.run(
      executor.runnerGraph(self.predecessors, true, self.stages),
      self.settings.concurrency,
      (id) => startNode(self, id),
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
