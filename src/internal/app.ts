import * as Cause from "effect/Cause"
import type * as Clock from "effect/Clock"
import * as Console from "effect/Console"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as FiberId from "effect/FiberId"
import * as FiberRef from "effect/FiberRef"
import { dual } from "effect/Function"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { pipeArguments } from "effect/Pipeable"
import { hasProperty } from "effect/Predicate"
import * as PubSub from "effect/PubSub"
import * as Queue from "effect/Queue"
import * as Runtime from "effect/Runtime"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type * as Tracer from "effect/Tracer"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import type * as App from "../App.js"
import type * as Component from "../Component.js"
import type * as Dependency from "../Dependency.js"
import * as Errors from "../Errors.js"
import type * as Health from "../Health.js"
import type * as Lifecycle from "../Lifecycle.js"
import type * as Plan from "../Plan.js"
import type * as Registry from "../Registry.js"
import * as Report from "../Report.js"
import * as componentInternal from "./component.js"
import * as dependency from "./dependency.js"
import * as executor from "./executor.js"
import * as healthInternal from "./health.js"
import * as planInternal from "./plan.js"
import * as registryInternal from "./registry.js"
import * as resolver from "./resolver.js"

// ---------------------------------------------------------------------------------------------
// constants

const PHASES: ReadonlyArray<Report.Phase> = ["build", "initialize", "start", "background", "stop", "dispose", "release"]
const P_BUILD = 0
const P_INITIALIZE = 1
const P_START = 2
const P_BACKGROUND = 3
const P_STOP = 4
const P_DISPOSE = 5
const P_RELEASE = 6
const PHASE_COUNT = 7

const OUTCOMES: ReadonlyArray<Report.Outcome | undefined> = [undefined, "success", "failure", "timeout", "interrupted"]
const O_NONE = 0
const O_SUCCESS = 1
const O_FAILURE = 2
const O_TIMEOUT = 3
const O_INTERRUPTED = 4

// one list: the report's schema (indices below follow its order)
const STATES: ReadonlyArray<Report.ComponentState> = Report.ComponentState.literals
const S_PENDING = 0
const S_BUILDING = 1
const S_BUILT = 2
const S_STARTING = 3
const S_STARTED = 4
const S_STOPPING = 5
const S_STOPPED = 6
const S_RELEASING = 7
const S_RELEASED = 8
const S_FAILED = 9

const DEFAULT_START_TIMEOUT = Duration.seconds(15)
const DEFAULT_STOP_TIMEOUT = Duration.seconds(15)
const DEFAULT_RELEASE_TIMEOUT = Duration.seconds(30)
const DEFAULT_GRACE_TIMEOUT = Duration.seconds(10)
const DEFAULT_HEALTH_TIMEOUT = Duration.seconds(5)

/**
 * The application's state machine. Every transition is checked; an operation asked in a state that
 * does not allow it fails with `InvalidState` naming the state.
 */
const transitions: Record<App.State, ReadonlyArray<App.State>> = {
  created: ["building", "stopping"],
  building: ["starting", "stopping"],
  starting: ["started", "stopping"],
  started: ["stopping"],
  stopping: ["stopped"],
  stopped: []
}

// ---------------------------------------------------------------------------------------------
// the App value

/** @internal */
export const TypeId: App.TypeId = Symbol.for("layerwise/App") as App.TypeId

/** @internal */
export const RunningTypeId: App.RunningTypeId = Symbol.for("layerwise/App/Running") as App.RunningTypeId

/** @internal */
export interface AppImpl extends App.App<never> {
  readonly source: { readonly _tag: "Registry"; readonly registry: Registry.Registry; readonly roots: ReadonlyArray<Dependency.Any> } | {
    readonly _tag: "Plan"
    readonly plan: Plan.Plan<never>
  }
  readonly options: App.Options
  readonly hub: Hub
}

interface Hub {
  readonly pubsub: PubSub.PubSub<App.Event>
  subscribers: number
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

const makeApp = (source: AppImpl["source"], options: App.Options, hub: Hub): AppImpl => {
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
    : makeApp(
      { _tag: "Registry", registry: registryInternal.add(source, [shutdownerComponent, healthComponent]), roots: roots ?? [] },
      rest,
      hub
    )
}

/** The same application (same event hub) with other options. */
const withOptions = (app: AppImpl, options: App.Options): AppImpl => makeApp(app.source, options, app.hub)

// ---------------------------------------------------------------------------------------------
// built-in services: the Shutdowner and Health

/**
 * A service only an App can provide, as a component registered in every App's registry (and
 * registrable by hand): `alternative`, so a component of the user's own wins; outside an App (a plan
 * built with `Plan.toLayer`) its constructor dies saying so; in an App it is replaced by the
 * instance's own service (see `builtInOf`).
 */
interface BuiltIn<S> {
  readonly tag: Context.Tag<S, S>
  readonly component: Component.Component<S, S>
  /** the constructor outside an App: what tells this built-in's component apart */
  readonly outsideApp: Effect.Effect<never>
  readonly serviceOf: (instance: Instance) => S
}

const builtIn = <S>(key: string, label: string, serviceOf: (instance: Instance) => S): BuiltIn<S> => {
  const tag = Context.GenericTag<S>(key)
  const outsideApp = Effect.dieMessage(`${label} is only provided by an App (App.run, App.start, App.layer)`)
  const component = componentInternal.make(tag as Context.Tag<unknown, unknown>, {
    name: key,
    alternative: true,
    build: outsideApp
  }) as Component.Component<S, S>
  return { tag, component, outsideApp, serviceOf }
}

const shutdownerBuiltIn = builtIn<App.Shutdowner>(dependency.shutdownerKey, "App.Shutdowner", (instance) => ({
  shutdown: (reason?: string) => Effect.sync(() => requestShutdown(instance, { _tag: "Requested", reason }))
}))

const healthBuiltIn = builtIn<App.Health>(dependency.healthKey, "App.Health", (instance) => ({
  check: Effect.suspend(() => checkHealth(instance, instance.settings.healthConcurrency))
}))

const builtIns: ReadonlyArray<BuiltIn<unknown>> = [shutdownerBuiltIn as BuiltIn<unknown>, healthBuiltIn as BuiltIn<unknown>]

/** @internal */
export const Shutdowner: Context.Tag<App.Shutdowner, App.Shutdowner> = shutdownerBuiltIn.tag

/** @internal */
export const shutdownerComponent: Component.Component<App.Shutdowner, App.Shutdowner> = shutdownerBuiltIn.component

/** @internal */
export const HealthTag: Context.Tag<App.Health, App.Health> = healthBuiltIn.tag

/** @internal */
export const healthComponent: Component.Component<App.Health, App.Health> = healthBuiltIn.component

/** The built-in component an App replaces with its instance's service (`undefined` for any other). */
const builtInOf = (instance: Instance, component: Component.Any): Component.Any | undefined => {
  const construct = component.construct
  if (construct._tag !== "Effect") return undefined
  for (const candidate of builtIns) {
    if (construct.effect !== candidate.outsideApp) continue
    return componentInternal.fromFields({
      ...componentInternal.fieldsOf(candidate.component as Component.Any),
      construct: { _tag: "Value", value: candidate.serviceOf(instance) }
    })
  }
  return undefined
}

// ---------------------------------------------------------------------------------------------
// validation

const describeInput = (input: unknown): string =>
  typeof input === "bigint"
    ? `${input}n`
    : Duration.isDuration(input)
    ? Duration.format(input)
    : Array.isArray(input)
    ? `[${input.join(", ")}]`
    : String(input)

/** A finite, non-negative duration, or `undefined` when the input is not one. */
const decodeTimeout = (input: unknown): Duration.Duration | undefined => {
  if (input === undefined) return undefined
  if (typeof input === "number") return Number.isFinite(input) && input >= 0 ? Duration.millis(input) : undefined
  if (typeof input === "bigint") return input >= BigInt(0) ? Duration.nanos(input) : undefined
  if (typeof input === "string" && input.trimStart().startsWith("-")) return undefined
  if (Array.isArray(input) && !input.every((part) => typeof part === "number" && Number.isFinite(part) && part >= 0)) {
    return undefined
  }
  const decoded = Duration.decodeUnknown(input)
  return Option.isSome(decoded) && Duration.isFinite(decoded.value) ? decoded.value : undefined
}

type Problems = Array<{ readonly subject: string; readonly reason: string }>

const timeoutOption = (
  problems: Problems,
  subject: string,
  what: string,
  input: unknown,
  fallback: Duration.Duration
): Duration.Duration => {
  if (input === undefined) return fallback
  const decoded = decodeTimeout(input)
  if (decoded === undefined) {
    problems.push({ subject, reason: `${what} must be a finite, non-negative duration, got ${describeInput(input)}` })
    return fallback
  }
  return decoded
}

interface Settings {
  readonly start: Duration.Duration
  readonly stop: Duration.Duration
  readonly grace: Duration.Duration
  readonly release: Duration.Duration
  readonly health: Duration.Duration
  readonly concurrency: number
  readonly healthConcurrency: number
}

const validateOptions = (options: App.Options, problems: Problems): Settings => {
  const start = timeoutOption(problems, "application", "startTimeout", options.startTimeout, DEFAULT_START_TIMEOUT)
  const stop = timeoutOption(problems, "application", "stopTimeout", options.stopTimeout, DEFAULT_STOP_TIMEOUT)
  const grace = timeoutOption(problems, "application", "graceTimeout", options.graceTimeout, DEFAULT_GRACE_TIMEOUT)
  const release = timeoutOption(problems, "application", "releaseTimeout", options.releaseTimeout, DEFAULT_RELEASE_TIMEOUT)
  const health = timeoutOption(problems, "application", "healthTimeout", options.healthTimeout, DEFAULT_HEALTH_TIMEOUT)
  const concurrency = options.concurrency ?? "unbounded"
  const concurrencyProblem = executor.concurrencyProblem(concurrency)
  if (concurrencyProblem !== undefined) problems.push({ subject: "application", reason: concurrencyProblem })
  const healthConcurrency = options.healthConcurrency ?? "unbounded"
  const healthConcurrencyProblem = executor.concurrencyProblem(healthConcurrency)
  if (healthConcurrencyProblem !== undefined) {
    problems.push({ subject: "application", reason: healthConcurrencyProblem.replace(/^concurrency/, "healthConcurrency") })
  }
  return {
    start,
    stop,
    grace,
    release,
    health,
    concurrency: concurrencyLimit(concurrency),
    healthConcurrency: concurrencyLimit(healthConcurrency)
  }
}

const concurrencyLimit = (concurrency: number | "unbounded"): number =>
  concurrency === "unbounded" || !(concurrency >= 1) ? Number.POSITIVE_INFINITY : Math.floor(concurrency)

const validateLifecycle = (name: string, lifecycle: Lifecycle.Lifecycle, problems: Problems): void => {
  const subject = `component ${name}`
  if (lifecycle.startup !== undefined && !(typeof lifecycle.startup === "number" && Number.isFinite(lifecycle.startup))) {
    problems.push({ subject, reason: `its startup order must be a finite number, got ${String(lifecycle.startup)}` })
  }
  const kinds = [lifecycle.initializers, lifecycle.onStart, lifecycle.onStop, lifecycle.disposers, lifecycle.background]
  for (const hooks of kinds) {
    for (const hook of hooks) {
      if (typeof hook.run !== "function") problems.push({ subject, reason: `its hook ${hook.name} is not a function` })
    }
  }
  for (const check of lifecycle.healthChecks) {
    if (typeof check.run !== "function") problems.push({ subject, reason: `its health check ${check.name} is not a function` })
    if (check.timeout !== undefined && decodeTimeout(check.timeout) === undefined) {
      problems.push({
        subject,
        reason: `the timeout of its health check ${check.name} must be a finite, non-negative duration, got ${describeInput(check.timeout)}`
      })
    }
  }
  for (const what of ["start", "stop", "grace", "health"] as const) {
    const input = lifecycle.timeouts[what]
    if (input !== undefined && decodeTimeout(input) === undefined) {
      problems.push({ subject, reason: `its ${what} timeout must be a finite, non-negative duration, got ${describeInput(input)}` })
    }
  }
}

// ---------------------------------------------------------------------------------------------
// the graph: dependencies, startup ranks, barriers

interface Graph {
  /** the plan given to the executor: the resolved plan, plus startup barriers and wrapped constructors */
  readonly plan: Plan.Plan<never>
  /** number of real components (barrier nodes come after them) */
  readonly total: number
  /** per node (barriers included): the nodes it waits for, and the nodes waiting for it */
  readonly dependencies: ReadonlyArray<ReadonlyArray<number>>
  readonly dependents: ReadonlyArray<ReadonlyArray<number>>
}

const barrierRequest: Dependency.Description = {
  service: "layerwise/startup",
  selector: { _tag: "Any" },
  cardinality: "all",
  key: "layerwise/startup-barrier",
  label: "startup order"
}

const BarrierTag = Context.GenericTag<unknown>("layerwise/startup")

/**
 * Startup order as graph edges. A node's rank is the lowest startup order among itself (when it is a
 * startup component) and every startup component that depends on it; nodes no startup component
 * needs have no rank. With several distinct ranks r1 < r2 < ..., a barrier node (a value, no work)
 * waits for every node of rank r(k-1), and every node of rank rk waits for that barrier: whatever a
 * startup component of order rk needs comes after everything that lower orders need, and the same
 * edges order the start hooks and, reversed, the stop hooks. This cannot form a cycle: a node of rank
 * rk never depends on a node of a higher rank (that node's rank would be at most rk).
 */
const makeGraph = (
  resolved: Plan.Plan<never>,
  wrap: (node: Plan.Node) => Component.Any | undefined
): Graph => {
  const nodes = resolved.nodes
  const total = nodes.length
  const dependencies: Array<Array<number>> = new Array(total)
  const lastSeen = new Int32Array(total).fill(-1)
  let anyStartup = false
  for (let id = 0; id < total; id++) {
    const own: Array<number> = []
    for (const edge of nodes[id]!.dependencies) {
      for (const target of edge.targets) {
        if (lastSeen[target] === id) continue
        lastSeen[target] = id
        own.push(target)
      }
    }
    dependencies[id] = own
    if (nodes[id]!.component.lifecycle?.startup !== undefined) anyStartup = true
  }

  const extraEdges = new Map<number, number>()
  const barriers: Array<Plan.Node> = []
  if (anyStartup) {
    const rank = new Float64Array(total).fill(Number.POSITIVE_INFINITY)
    // Build order lists dependencies first, so walking it backwards sees every dependent first.
    for (let id = total - 1; id >= 0; id--) {
      const startup = nodes[id]!.component.lifecycle?.startup
      if (startup !== undefined && startup < rank[id]!) rank[id] = startup
      const own = rank[id]!
      if (own === Number.POSITIVE_INFINITY) continue
      for (const target of dependencies[id]!) if (own < rank[target]!) rank[target] = own
    }
    const byRank = new Map<number, Array<number>>()
    for (let id = 0; id < total; id++) {
      const value = rank[id]!
      if (value === Number.POSITIVE_INFINITY) continue
      const group = byRank.get(value)
      if (group === undefined) byRank.set(value, [id])
      else group.push(id)
    }
    const ranks = [...byRank.keys()].sort((a, b) => a - b)
    for (let k = 1; k < ranks.length; k++) {
      const previous = byRank.get(ranks[k - 1]!)!
      const barrierId = total + barriers.length
      barriers.push({
        id: barrierId,
        name: `(startup order ${ranks[k]})`,
        service: BarrierTag.key,
        component: componentInternal.fromFields({
          tag: BarrierTag,
          name: `(startup order ${ranks[k]})`,
          qualifiers: [],
          primary: false,
          alternative: false,
          order: 0,
          dependencies: [],
          construct: { _tag: "Value", value: undefined }
        }),
        override: false,
        dependencies: [{ request: barrierRequest, targets: previous, choice: { rule: "all", considered: [] } }],
        parent: undefined
      })
      dependencies.push([...previous])
      for (const id of byRank.get(ranks[k]!)!) {
        extraEdges.set(id, barrierId)
        dependencies[id]!.push(barrierId)
      }
    }
  }

  const size = total + barriers.length
  const dependents: Array<Array<number>> = new Array(size)
  for (let id = 0; id < size; id++) dependents[id] = []
  for (let id = 0; id < size; id++) for (const target of dependencies[id]!) dependents[target]!.push(id)

  let changed = barriers.length > 0
  const planNodes: Array<Plan.Node> = new Array(size)
  for (let id = 0; id < total; id++) {
    const node = nodes[id]!
    const wrapped = wrap(node)
    const barrier = extraEdges.get(id)
    if (wrapped === undefined && barrier === undefined) {
      planNodes[id] = node
      continue
    }
    changed = true
    planNodes[id] = {
      ...node,
      component: wrapped ?? node.component,
      dependencies: barrier === undefined
        ? node.dependencies
        : [...node.dependencies, {
          request: { ...barrierRequest, cardinality: "one" },
          targets: [barrier],
          choice: { rule: "only", considered: [] }
        }]
    }
  }
  for (const barrier of barriers) planNodes[barrier.id] = barrier
  return {
    plan: changed ? planInternal.make(planNodes, resolved.roots) : resolved,
    total,
    dependencies,
    dependents
  }
}

// ---------------------------------------------------------------------------------------------
// an application run

type ShutdownRequest =
  | { readonly _tag: "Requested"; readonly reason: string | undefined }
  | { readonly _tag: "BackgroundFailed" }

interface BackgroundRun {
  readonly background: Lifecycle.Background
  readonly fiber: Fiber.RuntimeFiber<unknown, unknown>
  readonly signal: Deferred.Deferred<void>
  /** settled: its end was recorded, or it was given up on as timed out (what it does later is ignored) */
  done: boolean
  /** asked to finish: an interruption is then not a failure */
  stopping: boolean
  /** did not finish within grace when asked to: its timeout, not its end, settles it */
  overdue: boolean
}

/**
 * The background work of one component: one phase, ended once, when the last of its runs settled,
 * with the worst outcome among them (timeout over failure over success).
 */
interface Backgrounds {
  readonly runs: Array<BackgroundRun>
  remaining: number
  outcome: number
}

class Instance {
  state: App.State = "created"
  readonly componentState: Uint8Array
  readonly started: Uint8Array
  readonly times: Float64Array
  readonly outcomes: Uint8Array
  /** per `node * PHASE_COUNT + phase`: the hook that failed and the first error, rendered */
  readonly failures = new Map<number, { readonly hook: string | null; readonly error: string }>()
  readonly errors: Array<Errors.RunError> = []
  readonly errorRecords: Array<Report.ErrorRecord> = []
  readonly backgrounds: Array<Backgrounds | undefined>
  readonly shutdownRequested: Deferred.Deferred<ShutdownRequest>
  /** the first shutdown request (the value `shutdownRequested` completed with) */
  shutdownRequest: ShutdownRequest | undefined
  readonly stopped: Deferred.Deferred<Report.Report>
  values: ReadonlyArray<unknown> = []
  runtime!: Runtime.Runtime<never>
  ending: Report.Ending | undefined
  shutdownReason: string | null = null
  startupEnd = -1
  stopBegin = -1
  stopEnd = -1
  stopping = false
  /** the release did not complete within the release timeout (see `awaitRelease`) */
  releaseTimedOut = false
  readonly t0: bigint
  readonly startedAt: number
  names: Map<string, number> | undefined
  /** the components that declare health checks, in plan order (found on the first health check) */
  healthChecked: ReadonlyArray<number> | undefined
  /** set right after construction (the graph's wrapped constructors refer to the instance) */
  graph!: Graph

  constructor(
    readonly app: AppImpl,
    readonly resolved: Plan.Plan<never>,
    readonly lifecycles: ReadonlyArray<Lifecycle.Lifecycle | undefined>,
    readonly timeouts: { readonly start: Array<Duration.Duration>; readonly stop: Array<Duration.Duration>; readonly grace: Array<Duration.Duration> },
    readonly settings: Settings,
    readonly clock: Clock.Clock,
    readonly spans: boolean,
    readonly graphScope: Scope.CloseableScope
  ) {
    const total = resolved.nodes.length
    this.componentState = new Uint8Array(total)
    this.started = new Uint8Array(total)
    this.times = new Float64Array(total * PHASE_COUNT * 2)
    this.outcomes = new Uint8Array(total * PHASE_COUNT)
    this.backgrounds = new Array(total)
    this.shutdownRequested = Deferred.unsafeMake(FiberId.none)
    this.stopped = Deferred.unsafeMake(FiberId.none)
    this.t0 = clock.unsafeCurrentTimeNanos()
    this.startedAt = clock.unsafeCurrentTimeMillis()
  }

  /** milliseconds since the run started, on Effect's Clock */
  now(): number {
    return Number(this.clock.unsafeCurrentTimeNanos() - this.t0) / 1e6
  }

  nameOf(id: number): string {
    return this.resolved.nodes[id]!.name
  }

  pathOf(id: number): ReadonlyArray<string> {
    return planInternal.pathTo(this.resolved, id)
  }
}

const emit = (instance: Instance, event: () => App.Event): void => {
  const hub = instance.app.hub
  if (hub.subscribers > 0) Queue.unsafeOffer(hub.pubsub, event())
}

const setState = (instance: Instance, to: App.State): void => {
  const from = instance.state
  if (!transitions[from].includes(to)) {
    throw new Error(`layerwise App: invalid internal transition from ${from} to ${to}`)
  }
  instance.state = to
  emit(instance, () => ({ _tag: "StateChanged", from, to }))
}

const phaseBegin = (instance: Instance, id: number, phase: number): void => {
  instance.times[(id * PHASE_COUNT + phase) * 2] = instance.now()
  emit(instance, () => ({ _tag: "PhaseStarted", component: instance.nameOf(id), phase: PHASES[phase]! }))
}

const phaseEnd = (instance: Instance, id: number, phase: number, outcome: number): void => {
  const slot = id * PHASE_COUNT + phase
  const end = instance.now()
  instance.times[slot * 2 + 1] = end
  instance.outcomes[slot] = outcome
  emit(instance, () => ({
    _tag: "PhaseEnded",
    component: instance.nameOf(id),
    phase: PHASES[phase]!,
    outcome: OUTCOMES[outcome]!,
    duration: end - instance.times[slot * 2]!,
    error: instance.failures.get(slot)?.error
  }))
}

const noteFailure = (instance: Instance, id: number, phase: number, hook: string | null, error: string): void => {
  const slot = id * PHASE_COUNT + phase
  if (!instance.failures.has(slot)) instance.failures.set(slot, { hook, error })
}

const pushError = (
  instance: Instance,
  id: number,
  phase: number,
  hook: string | null,
  kind: Report.ErrorRecord["kind"],
  error: Errors.RunError
): void => {
  instance.errors.push(error)
  instance.errorRecords.push({ component: instance.nameOf(id), phase: PHASES[phase]!, hook, kind, message: error.message })
}

/** The first request wins: it says why the run ended (see `settleEnding`). */
const requestShutdown = (instance: Instance, request: ShutdownRequest): void => {
  if (instance.shutdownRequest !== undefined) return
  instance.shutdownRequest = request
  Deferred.unsafeDone(instance.shutdownRequested, Exit.succeed(request))
}

// ---------------------------------------------------------------------------------------------
// hooks: run synchronously when they complete synchronously, otherwise awaited with a timeout

const hookPhases: Record<number, Errors.HookPhase> = {
  [P_INITIALIZE]: "initialize",
  [P_START]: "start",
  [P_BACKGROUND]: "background",
  [P_STOP]: "stop",
  [P_DISPOSE]: "dispose"
}

interface HookRun {
  readonly instance: Instance
  readonly id: number
  readonly phase: number
  readonly hooks: ReadonlyArray<Lifecycle.Hook>
  readonly service: unknown
  readonly timeout: Duration.Duration
  /** stop and dispose go on past a failing hook; initialize and start stop at the first */
  readonly keepGoing: boolean
  readonly onDone: (run: HookRun) => void
  /** where the hooks' fibers start: their context, FiberRefs (see `hookRuntime`) and runtime flags */
  readonly runtime: Runtime.Runtime<never>
  index: number
  outcome: number
  readonly errors: Array<{ readonly hook: string; readonly kind: Report.ErrorRecord["kind"]; readonly error: Errors.RunError }>
}

const beginHooks = (
  instance: Instance,
  id: number,
  phase: number,
  hooks: ReadonlyArray<Lifecycle.Hook>,
  service: unknown,
  timeout: Duration.Duration,
  keepGoing: boolean,
  onDone: (run: HookRun) => void,
  runtime: Runtime.Runtime<never> = instance.runtime
): HookRun => {
  phaseBegin(instance, id, phase)
  return { instance, id, phase, hooks, service, timeout, keepGoing, onDone, runtime, index: 0, outcome: O_SUCCESS, errors: [] }
}

/**
 * The runtime initializers start from: the application's, with the FiberRefs of the fiber that ran
 * the component's constructor (what its dependencies' Layers set, a logger, a config provider..., and
 * what the constructor set), since initializers are part of the build. Every other hook starts from
 * `instance.runtime`, taken once the whole graph was built: the FiberRefs of the application, with
 * every component's changes, as the program running with it sees them.
 */
const hookRuntime = (instance: Instance, constructing: Fiber.RuntimeFiber<unknown, unknown>): Runtime.Runtime<never> =>
  Runtime.make({
    context: instance.runtime.context,
    fiberRefs: constructing.getFiberRefs(),
    runtimeFlags: instance.runtime.runtimeFlags
  })

/**
 * Starts a hook. A hook that is already a result (`Effect.void`, `Effect.succeed(...)`,
 * `Effect.fail(...)`: an Exit) needs no fiber. Otherwise the hook runs on a fiber of its own that
 * starts at once, in the caller's thread: a hook that completes synchronously is done when this
 * returns (no scheduling, no timer); only a hook that suspends is awaited, with its timeout.
 */
/** What starting one hook needs of its run (background work starts hooks outside any `HookRun`). */
type HookTarget = Pick<HookRun, "instance" | "id" | "phase" | "runtime">

/** What a hook (or a health check) gives: one that throws, or returns anything but an Effect, dies. */
const hookEffect = (what: string, make: () => Effect.Effect<unknown, unknown>): Effect.Effect<unknown, unknown> => {
  try {
    const effect = make()
    return Effect.isEffect(effect) ? effect : Effect.die(new TypeError(`${what} did not return an Effect`))
  } catch (defect) {
    return Effect.die(defect)
  }
}

const startHook = (
  run: HookTarget,
  name: string,
  make: () => Effect.Effect<unknown, unknown>
): Exit.Exit<unknown, unknown> | Fiber.RuntimeFiber<unknown, unknown> => {
  const instance = run.instance
  let effect = hookEffect(`hook ${name}`, make)
  if (instance.spans) {
    effect = Effect.withSpan(effect, `layerwise.${hookPhases[run.phase]!}`, {
      attributes: { component: instance.nameOf(run.id), hook: name },
      captureStackTrace: false
    })
  } else if (Exit.isExit(effect)) {
    return effect
  }
  return Runtime.runFork(run.runtime)(Effect.interruptible(effect))
}

const stepHooks = (run: HookRun): Effect.Effect<void> | undefined => {
  while (run.index < run.hooks.length) {
    const hook = run.hooks[run.index]!
    const started = startHook(run, hook.name, () => hook.run(run.service))
    const exit = Exit.isExit(started) ? started : started.unsafePoll()
    if (exit === null) return awaitHook(run, hook, started as Fiber.RuntimeFiber<unknown, unknown>)
    run.index++
    if (!settleHook(run, hook.name, exit) && !run.keepGoing) break
  }
  finishHooks(run)
  return undefined
}

/**
 * Waits for a hook that suspended, for at most its timeout. The wait is the only interruptible part:
 * when it is interrupted (the phase is torn down), what follows runs whatever the fiber waiting was
 * doing (the initializers run in the executor's workers, which are interruptible), so the hook is
 * always dealt with (see `cutOff`) before the interruption goes on.
 */
const awaitHook = (
  run: HookRun,
  hook: Lifecycle.Hook,
  fiber: Fiber.RuntimeFiber<unknown, unknown>
): Effect.Effect<void> => {
  const began = run.instance.now()
  return Effect.uninterruptibleMask((restore) =>
    Effect.flatMap(
      // explicitly interruptible: the start and stop phases run uninterruptibly, the wait for a hook must not
      Effect.exit(restore(Effect.timeoutOption(Effect.interruptible(Fiber.await(fiber)), run.timeout))),
      (waited) => {
        run.index++
        if (waited._tag === "Failure") return Effect.zipRight(cutOff(run, hook, fiber, began), Effect.failCause(waited.cause))
        return hookEnded(run, hook, fiber, waited.value)
      }
    )
  )
}

/**
 * The phase is torn down while a hook runs (another start failed, the build failed, the run was
 * interrupted). The hook is interrupted and awaited, for what is left of its timeout, so that its
 * finalizers have run before its component, and what the component depends on, are released. A hook
 * that outlives its timeout is reported as timed out and left to its interruption, like every hook that
 * does not complete in time. The phase ends interrupted when hooks of it never ran (a start cut off
 * after its first hook is not a start: the component is not started, hence never stopped).
 */
const cutOff = (
  run: HookRun,
  hook: Lifecycle.Hook,
  fiber: Fiber.RuntimeFiber<unknown, unknown>,
  began: number
): Effect.Effect<void> => {
  const end = () => {
    if (run.outcome === O_SUCCESS && run.index < run.hooks.length) run.outcome = O_INTERRUPTED
    finishHooks(run)
  }
  const late = fiber.unsafePoll()
  if (late !== null) {
    settleHook(run, hook.name, late)
    end()
    return Effect.void
  }
  fiber.unsafeInterruptAsFork(FiberId.none)
  const left = Duration.millis(Math.max(0, Duration.toMillis(run.timeout) - (run.instance.now() - began)))
  return Effect.map(Effect.timeoutOption(Effect.interruptible(Fiber.await(fiber)), left), (ended) => {
    if (Option.isNone(ended)) timeoutHook(run, hook.name)
    else if (ended.value._tag === "Success" || !Cause.isInterruptedOnly(ended.value.cause)) settleHook(run, hook.name, ended.value)
    else if (run.outcome === O_SUCCESS) run.outcome = O_INTERRUPTED
    end()
  })
}

/** A hook that was awaited ended (`exit`) or timed out (`None`): the phase goes on, or ends. */
const hookEnded = (
  run: HookRun,
  hook: Lifecycle.Hook,
  fiber: Fiber.RuntimeFiber<unknown, unknown>,
  waited: Option.Option<Exit.Exit<unknown, unknown>>
): Effect.Effect<void> => {
  let ok: boolean
  if (Option.isNone(waited)) {
    // Interrupted without waiting: a hook that ignores interruption cannot hold the lifecycle.
    fiber.unsafeInterruptAsFork(FiberId.none)
    timeoutHook(run, hook.name)
    ok = false
  } else {
    ok = settleHook(run, hook.name, waited.value)
  }
  if (!ok && !run.keepGoing) {
    finishHooks(run)
    return Effect.void
  }
  return stepHooks(run) ?? Effect.void
}

/** What a hook failed with (`HookFailed.cause`): its error, an interruption as an Error, or its defect. */
const hookFailure = (cause: Cause.Cause<unknown>, failure: Option.Option<unknown>): unknown =>
  Option.isSome(failure) ? failure.value : Cause.isInterruptedOnly(cause) ? new Error("interrupted") : Cause.squash(cause)

const settleHook = (run: HookRun, name: string, exit: Exit.Exit<unknown, unknown>): boolean => {
  if (exit._tag === "Success") return true
  const cause = exit.cause
  const failure = Cause.failureOption(cause)
  const kind = Option.isSome(failure) ? "failure" : "defect"
  const reason = hookFailure(cause, failure)
  const instance = run.instance
  const error = new Errors.HookFailed({
    component: instance.nameOf(run.id),
    path: instance.pathOf(run.id),
    phase: hookPhases[run.phase]!,
    hook: name,
    cause: reason
  })
  if (run.outcome === O_SUCCESS) run.outcome = O_FAILURE
  noteFailure(instance, run.id, run.phase, name, error.message)
  run.errors.push({ hook: name, kind, error })
  return false
}

const timeoutHook = (run: HookRun, name: string): void => {
  const instance = run.instance
  const error = new Errors.HookTimeout({
    component: instance.nameOf(run.id),
    path: instance.pathOf(run.id),
    phase: hookPhases[run.phase]!,
    hook: name,
    timeout: Duration.format(run.timeout)
  })
  if (run.outcome === O_SUCCESS) run.outcome = O_TIMEOUT
  noteFailure(instance, run.id, run.phase, name, error.message)
  run.errors.push({ hook: name, kind: "timeout", error })
}

const finishHooks = (run: HookRun): void => {
  phaseEnd(run.instance, run.id, run.phase, run.outcome)
  run.onDone(run)
}

/** Records the errors of a hook run as errors of the application run. */
const reportHookErrors = (run: HookRun): void => {
  for (const { error, hook, kind } of run.errors) pushError(run.instance, run.id, run.phase, hook, kind, error)
}

// ---------------------------------------------------------------------------------------------
// initializers and disposers: part of the component's constructor and of its release

const withHooks = (instance: Instance, node: Plan.Node, memoMap: Layer.MemoMap): Component.Any | undefined => {
  const component = node.component
  const builtIn = builtInOf(instance, component)
  if (builtIn !== undefined) return builtIn
  const lifecycle = component.lifecycle
  if (lifecycle === undefined || (lifecycle.initializers.length === 0 && lifecycle.disposers.length === 0)) return undefined
  const id = node.id
  const construct = component.construct
  const built: Effect.Effect<unknown, unknown, unknown> = construct._tag === "Effect"
    ? construct.effect
    : construct._tag === "Value"
    ? Effect.succeed(construct.value)
    : Effect.flatMap(Scope.Scope, (scope) =>
      Effect.map(
        Layer.buildWithMemoMap(construct.layer as Layer.Layer<unknown, unknown, unknown>, memoMap, scope),
        (output) => Context.unsafeGet(output, component.tag)
      ))
  const effect = Effect.flatMap(built, (service) => {
    // Disposers are registered once the initializers succeeded: after the constructor's own
    // finalizers, so they run before them when the component's scope closes.
    const dispose = lifecycle.disposers.length === 0
      ? Effect.void
      : Effect.addFinalizer(() =>
        Effect.suspend(() =>
          stepHooks(
            beginHooks(instance, id, P_DISPOSE, lifecycle.disposers, service, instance.timeouts.stop[id]!, true, reportHookErrors)
          ) ?? Effect.void
        )
      )
    if (lifecycle.initializers.length === 0) return Effect.as(dispose, service)
    return Effect.withFiberRuntime<unknown, Errors.RunError, Scope.Scope>((constructing) => {
      const run = beginHooks(
        instance,
        id,
        P_INITIALIZE,
        lifecycle.initializers,
        service,
        instance.timeouts.start[id]!,
        false,
        () => {},
        hookRuntime(instance, constructing)
      )
      const done = Effect.suspend(() =>
        run.errors.length > 0 ? Effect.fail(run.errors[0]!.error) : Effect.as(dispose, service)
      )
      const pending = stepHooks(run)
      return pending === undefined ? done : Effect.zipRight(pending, done)
    })
  })
  return componentInternal.fromFields({ ...componentInternal.fieldsOf(component), construct: { _tag: "Effect", effect } })
}

const buildObserver = (instance: Instance): executor.ExecuteObserver => {
  const total = instance.graph.total
  // ids at or past `total` are internal barrier nodes (startup order): they have no record
  const entering = (state: number, phase: number) => (node: Plan.Node) => {
    if (node.id >= total) return
    instance.componentState[node.id] = state
    phaseBegin(instance, node.id, phase)
  }
  return {
    buildStarted: entering(S_BUILDING, P_BUILD),
    buildEnded: (node, exit) => {
      const id = node.id
      if (id >= total) return
      const initializeSlot = id * PHASE_COUNT + P_INITIALIZE
      const initializeFailed = instance.outcomes[initializeSlot]! > O_SUCCESS
      // The constructor's own time ends where its initializers began.
      const initialized = instance.outcomes[initializeSlot] !== O_NONE
      if (exit._tag === "Success") {
        instance.componentState[id] = S_BUILT
        endBuild(instance, id, O_SUCCESS, initialized)
        return
      }
      instance.componentState[id] = S_FAILED
      const failure = Cause.failureOption(exit.cause)
      const error = Option.isSome(failure) ? failure.value : Cause.squash(exit.cause)
      const constructionError = error instanceof Errors.ConstructionError
        ? error
        : new Errors.ConstructionError({ component: node.name, path: instance.pathOf(id), cause: error })
      endBuild(instance, id, initializeFailed ? O_SUCCESS : O_FAILURE, initialized)
      if (!initializeFailed) noteFailure(instance, id, P_BUILD, null, constructionError.message)
      const hook = initializeFailed ? instance.failures.get(initializeSlot)?.hook ?? null : null
      pushError(
        instance,
        id,
        initializeFailed ? P_INITIALIZE : P_BUILD,
        hook,
        Option.isSome(failure) ? "failure" : "defect",
        constructionError
      )
    },
    wrapBuild: instance.spans
      ? (node, build) =>
        node.id >= total ? build : Effect.withSpan(build, "layerwise.build", {
          attributes: { component: node.name },
          captureStackTrace: false
        })
      : undefined,
    releaseStarted: entering(S_RELEASING, P_RELEASE),
    releaseEnded: (node, exit) => {
      const id = node.id
      // given up on (the release timed out): its late end is no longer part of the run
      if (id >= total || instance.releaseTimedOut) return
      instance.componentState[id] = S_RELEASED
      const slot = id * PHASE_COUNT
      // The constructor's finalizers run after the disposers: the release phase starts where they ended.
      if (instance.outcomes[slot + P_DISPOSE] !== O_NONE) {
        instance.times[(slot + P_RELEASE) * 2] = instance.times[(slot + P_DISPOSE) * 2 + 1]!
      }
      if (exit._tag === "Failure") {
        const defect = Cause.squash(exit.cause)
        const error = defect instanceof Errors.ReleaseError
          ? defect
          : new Errors.ReleaseError({ component: node.name, path: instance.pathOf(id), cause: defect })
        noteFailure(instance, id, P_RELEASE, null, error.message)
        phaseEnd(instance, id, P_RELEASE, O_FAILURE)
        pushError(instance, id, P_RELEASE, null, "defect", error)
      } else {
        phaseEnd(instance, id, P_RELEASE, O_SUCCESS)
      }
    }
  }
}

const endBuild = (instance: Instance, id: number, outcome: number, initialized: boolean): void => {
  const slot = id * PHASE_COUNT
  if (initialized) {
    // the build phase ended when the initializers began
    instance.times[(slot + P_BUILD) * 2 + 1] = instance.times[(slot + P_INITIALIZE) * 2]!
    instance.outcomes[slot + P_BUILD] = outcome
    emit(instance, () => ({
      _tag: "PhaseEnded",
      component: instance.nameOf(id),
      phase: "build",
      outcome: OUTCOMES[outcome]!,
      duration: instance.times[(slot + P_BUILD) * 2 + 1]! - instance.times[(slot + P_BUILD) * 2]!,
      error: undefined
    }))
  } else {
    phaseEnd(instance, id, P_BUILD, outcome)
  }
}

// ---------------------------------------------------------------------------------------------
// the start and stop phases: a dependency-ordered ready queue worked by as few fibers as possible

interface Job {
  readonly size: number
  /** per node: how many of its predecessors are not done yet (consumed) */
  readonly pending: Int32Array
  readonly successors: ReadonlyArray<ReadonlyArray<number>>
  /** the work of one node: `undefined` when it was done synchronously */
  readonly task: (id: number) => Effect.Effect<void> | undefined
  readonly limit: number
  /** set by a task: schedule nothing more; work in flight is interrupted */
  aborted: boolean
}

/**
 * Runs every node of the job once all its predecessors ran. Like the executor: one worker fiber
 * works the queue, a helper is forked only when more work is ready than the workers took and fewer
 * workers than the limit run, and it only gets a turn once a worker suspends (a hook that is
 * awaited). Synchronous work therefore runs as a plain loop. Workers are uninterruptible except while
 * they wait for a hook or for work: when the job is aborted or interrupted, the worker scope is
 * closed and the waits in flight are interrupted, each one recorded by its task.
 */
const runJob = (job: Job): Effect.Effect<void> =>
  Effect.gen(function*() {
    const size = job.size
    if (size === 0) return
    const ready: Array<number> = []
    for (let id = 0; id < size; id++) if (job.pending[id] === 0) ready.push(id)
    let head = 0
    let completed = 0
    let workers = 1
    let sparePending = false
    let wake: Deferred.Deferred<void> | undefined
    const fiberId = yield* Effect.fiberId
    const done = Deferred.unsafeMake<void>(fiberId)
    const workerScope = yield* Scope.make()

    const notify = () => {
      if (wake !== undefined) {
        const waiting = wake
        wake = undefined
        Deferred.unsafeDone(waiting, Exit.void)
      }
    }

    const work: Effect.Effect<void> = Effect.gen(function*() {
      while (!job.aborted && completed < size) {
        if (head === ready.length) {
          wake ??= Deferred.unsafeMake<void>(fiberId)
          yield* Effect.interruptible(Deferred.await(wake))
          continue
        }
        const id = ready[head++]!
        if (head < ready.length && !sparePending && workers < job.limit) {
          sparePending = true
          workers++
          yield* Effect.forkIn(spare, workerScope)
        }
        const task = job.task(id)
        if (task !== undefined) yield* task
        completed++
        const before = ready.length
        for (const successor of job.successors[id]!) {
          if (--job.pending[successor] === 0) ready.push(successor)
        }
        if (ready.length > before || completed === size) notify()
      }
      Deferred.unsafeDone(done, Exit.void)
    })
    const spare: Effect.Effect<void> = Effect.suspend(() => {
      sparePending = false
      return work
    })

    yield* Effect.uninterruptibleMask((restore) =>
      Effect.zipRight(Effect.forkIn(work, workerScope), restore(Deferred.await(done)))
    ).pipe(Effect.ensuring(Scope.close(workerScope, Exit.void)))
  })

const pendingCounts = (lists: ReadonlyArray<ReadonlyArray<number>>): Int32Array => {
  const pending = new Int32Array(lists.length)
  for (let id = 0; id < lists.length; id++) pending[id] = lists[id]!.length
  return pending
}

const startJob = (instance: Instance): Job => {
  const graph = instance.graph
  const total = graph.total
  const job: Job = {
    size: graph.dependencies.length,
    pending: pendingCounts(graph.dependencies),
    successors: graph.dependents,
    limit: instance.settings.concurrency,
    aborted: false,
    task: (id) => {
      if (id >= total || instance.componentState[id] !== S_BUILT) return undefined
      const lifecycle = instance.lifecycles[id]
      if (lifecycle === undefined || (lifecycle.onStart.length === 0 && lifecycle.background.length === 0)) {
        instance.started[id] = 1
        instance.componentState[id] = S_STARTED
        return undefined
      }
      instance.componentState[id] = S_STARTING
      const run = beginHooks(
        instance,
        id,
        P_START,
        lifecycle.onStart,
        instance.values[id],
        instance.timeouts.start[id]!,
        false,
        (run) => {
          if (run.outcome === O_SUCCESS) {
            instance.started[id] = 1
            instance.componentState[id] = S_STARTED
            if (lifecycle.background.length > 0) startBackground(instance, id, lifecycle.background)
          } else {
            instance.componentState[id] = S_FAILED
            reportHookErrors(run)
            job.aborted = true
          }
        }
      )
      return stepHooks(run)
    }
  }
  return job
}

const stopJob = (instance: Instance): Job => {
  const graph = instance.graph
  const total = graph.total
  return {
    size: graph.dependents.length,
    pending: pendingCounts(graph.dependents),
    successors: graph.dependencies,
    limit: instance.settings.concurrency,
    aborted: false,
    task: (id) => {
      if (id >= total || instance.started[id] !== 1) return undefined
      const lifecycle = instance.lifecycles[id]
      const backgrounds = instance.backgrounds[id]
      const running = backgrounds !== undefined && backgrounds.runs.some((background) => !background.done)
      if (lifecycle === undefined || (lifecycle.onStop.length === 0 && !running)) {
        instance.componentState[id] = S_STOPPED
        return undefined
      }
      instance.componentState[id] = S_STOPPING
      const run = beginHooks(
        instance,
        id,
        P_STOP,
        lifecycle.onStop,
        instance.values[id],
        instance.timeouts.stop[id]!,
        true,
        (run) => {
          instance.componentState[id] = S_STOPPED
          reportHookErrors(run)
        }
      )
      return running
        ? Effect.zipRight(stopBackground(instance, id, backgrounds!), Effect.suspend(() => stepHooks(run) ?? Effect.void))
        : stepHooks(run)
    }
  }
}

// ---------------------------------------------------------------------------------------------
// background work

const startBackground = (instance: Instance, id: number, backgrounds: ReadonlyArray<Lifecycle.Background>): void => {
  const group: Backgrounds = { runs: [], remaining: backgrounds.length, outcome: O_SUCCESS }
  instance.backgrounds[id] = group
  phaseBegin(instance, id, P_BACKGROUND)
  const service = instance.values[id]
  const finished = (run: BackgroundRun, exit: Exit.Exit<unknown, unknown>) => {
    // given up on as timed out: its late end is no longer part of the run (the report may be built)
    if (run.done) return
    const failed = exit._tag === "Failure" && !(run.stopping && Cause.isInterruptedOnly(exit.cause))
    if (failed) {
      const cause = exit.cause
      const failure = Cause.failureOption(cause)
      const error = new Errors.HookFailed({
        component: instance.nameOf(id),
        path: instance.pathOf(id),
        phase: "background",
        hook: run.background.name,
        cause: hookFailure(cause, failure)
      })
      noteFailure(instance, id, P_BACKGROUND, run.background.name, error.message)
      pushError(instance, id, P_BACKGROUND, run.background.name, Option.isSome(failure) ? "failure" : "defect", error)
      if (!run.stopping) requestShutdown(instance, { _tag: "BackgroundFailed" })
    }
    if (!run.overdue) settleBackground(instance, id, group, run, failed ? O_FAILURE : O_SUCCESS)
  }
  for (const background of backgrounds) {
    const signal = Deferred.unsafeMake<void>(FiberId.none)
    const shutdown: Lifecycle.ShutdownSignal = { requested: Deferred.await(signal), isRequested: Deferred.isDone(signal) }
    const target: HookTarget = { instance, id, phase: P_BACKGROUND, runtime: instance.runtime }
    const started = startHook(target, background.name, () => background.run(service, shutdown))
    // background work given as a result still gets a fiber, so that it is tracked like the others
    const fiber = Exit.isExit(started) ? Runtime.runFork(instance.runtime)(started) : started
    const run: BackgroundRun = { background, fiber, signal, done: false, stopping: false, overdue: false }
    group.runs.push(run)
    const exit = fiber.unsafePoll()
    if (exit !== null) finished(run, exit)
    else fiber.addObserver((exit) => finished(run, exit))
  }
}

/** Settles one run; the component's background phase ends with the last one. */
const settleBackground = (instance: Instance, id: number, group: Backgrounds, run: BackgroundRun, outcome: number): void => {
  run.done = true
  if (outcome > group.outcome) group.outcome = outcome
  if (--group.remaining === 0) phaseEnd(instance, id, P_BACKGROUND, group.outcome)
}

/**
 * Background work is stopped before the component's stop hooks: each one is asked to finish (its
 * signal completes) and, unless it handles the signal, interrupted; then awaited for at most the
 * grace timeout. Work that handles the signal and does not finish within grace is interrupted and
 * awaited for at most the stop timeout. Whatever is still running then is reported as timed out and
 * left to its interruption: its phase ends then, once, and its later end is ignored.
 */
const stopBackground = (instance: Instance, id: number, group: Backgrounds): Effect.Effect<void> =>
  Effect.forEach(group.runs, (run) => {
    if (run.done) return Effect.void
    run.stopping = true
    Deferred.unsafeDone(run.signal, Exit.void)
    if (run.background.onShutdown === "interrupt") run.fiber.unsafeInterruptAsFork(FiberId.none)
    const grace = instance.timeouts.grace[id]!
    const wait = (timeout: Duration.Duration) => Effect.timeoutOption(Effect.interruptible(Fiber.await(run.fiber)), timeout)
    return Effect.flatMap(wait(grace), (exit) => {
      if (Option.isSome(exit)) return Effect.void
      if (run.background.onShutdown === "interrupt") {
        backgroundTimeout(instance, id, group, run, grace)
        return Effect.void
      }
      run.overdue = true
      run.fiber.unsafeInterruptAsFork(FiberId.none)
      return Effect.map(wait(instance.timeouts.stop[id]!), (exit) => {
        backgroundTimeout(instance, id, group, run, Option.isSome(exit) ? grace : Duration.sum(grace, instance.timeouts.stop[id]!))
      })
    })
  }, { concurrency: "unbounded", discard: true })

/** A run that did not finish in time: reported as a `HookTimeout` and settled as timed out (once). */
const backgroundTimeout = (
  instance: Instance,
  id: number,
  group: Backgrounds,
  run: BackgroundRun,
  timeout: Duration.Duration
): void => {
  // it ended just as the wait timed out: it did finish in time
  if (run.done) return
  const error = new Errors.HookTimeout({
    component: instance.nameOf(id),
    path: instance.pathOf(id),
    phase: "background",
    hook: run.background.name,
    timeout: Duration.format(timeout)
  })
  noteFailure(instance, id, P_BACKGROUND, run.background.name, error.message)
  pushError(instance, id, P_BACKGROUND, run.background.name, "timeout", error)
  settleBackground(instance, id, group, run, O_TIMEOUT)
}

// ---------------------------------------------------------------------------------------------
// the report

const buildReport = (instance: Instance): Report.Report => {
  const total = instance.graph.total
  const components: Array<Report.ComponentRecord> = new Array(total)
  for (let id = 0; id < total; id++) {
    const node = instance.resolved.nodes[id]!
    const phases: Array<Report.PhaseRecord> = []
    for (let phase = 0; phase < PHASE_COUNT; phase++) {
      const slot = id * PHASE_COUNT + phase
      const outcome = instance.outcomes[slot]!
      if (outcome === O_NONE) continue
      const at = instance.times[slot * 2]!
      const failure = instance.failures.get(slot)
      phases.push({
        phase: PHASES[phase]!,
        at,
        duration: Math.max(0, instance.times[slot * 2 + 1]! - at),
        outcome: OUTCOMES[outcome]!,
        hook: failure?.hook ?? null,
        error: failure?.error ?? null
      })
    }
    components[id] = {
      name: node.name,
      service: node.service,
      startup: node.component.lifecycle?.startup ?? null,
      state: STATES[instance.componentState[id]!]!,
      phases
    }
  }
  const startupEnd = instance.startupEnd >= 0 ? instance.startupEnd : instance.stopBegin
  return {
    success: instance.errors.length === 0,
    ending: instance.ending ?? "shutdown",
    shutdownReason: instance.shutdownReason,
    startedAt: instance.startedAt,
    startup: Math.max(0, startupEnd),
    running: instance.startupEnd >= 0 ? Math.max(0, instance.stopBegin - instance.startupEnd) : 0,
    shutdown: Math.max(0, instance.stopEnd - instance.stopBegin),
    components,
    errors: [...instance.errorRecords]
  }
}

const failureReason = (instance: Instance): Errors.ApplicationFailed["reason"] =>
  instance.ending === "build-failed"
    ? "build"
    : instance.ending === "start-failed"
    ? "start"
    : instance.ending === "background-failed"
    ? "background"
    : "stop"

const applicationFailed = (instance: Instance, report: Report.Report): Errors.ApplicationFailed =>
  new Errors.ApplicationFailed({ reason: failureReason(instance), errors: [...instance.errors], report })

// ---------------------------------------------------------------------------------------------
// start and stop

let defaultTracer: Tracer.Tracer | undefined

const spansEnabled = (setting: App.Options["spans"]): Effect.Effect<boolean> =>
  setting === true || setting === false ? Effect.succeed(setting) : Effect.map(
    Effect.all([Effect.tracer, FiberRef.get(FiberRef.currentTracerEnabled)]),
    ([tracer, enabled]) => {
      // Effect's built-in tracer exports nothing: spans only cost time unless a tracer is installed.
      defaultTracer ??= Effect.runSync(Effect.tracer)
      return enabled && tracer !== defaultTracer
    }
  )

const resolvePlan = (app: AppImpl): Effect.Effect<Plan.Plan<never>, Errors.ResolutionError> =>
  app.source._tag === "Plan"
    ? Effect.succeed(app.source.plan)
    : Effect.suspend(() => {
      const source = app.source as Extract<AppImpl["source"], { _tag: "Registry" }>
      const resolved = resolver.resolve(source.registry, source.roots, {
        profiles: app.options.profiles,
        properties: app.options.properties,
        extraRoots: (component) => component.lifecycle?.startup !== undefined
      })
      return Either.isLeft(resolved) ? Effect.fail(resolved.left) : Effect.succeed(resolved.right)
    })

/** Resolves and validates, then builds and starts. On failure everything is stopped and released. */
const startInstance = (
  self: AppImpl
): Effect.Effect<Instance, Errors.ResolutionError | Errors.InvalidLifecycle | Errors.ApplicationFailed, Scope.Scope> =>
  Effect.gen(function*() {
    const problems: Problems = []
    const settings = validateOptions(self.options, problems)
    // Invalid options do not hide the components' invalid settings: both are listed, once the plan
    // (which says which components run) is known. A plan that cannot be resolved leaves the options'.
    const resolved = yield* problems.length > 0
      ? Effect.orElseFail(resolvePlan(self), () => new Errors.InvalidLifecycle({ problems }))
      : resolvePlan(self)
    const total = resolved.nodes.length
    const lifecycles: Array<Lifecycle.Lifecycle | undefined> = new Array(total)
    const timeouts = {
      start: new Array<Duration.Duration>(total),
      stop: new Array<Duration.Duration>(total),
      grace: new Array<Duration.Duration>(total)
    }
    for (let id = 0; id < total; id++) {
      const node = resolved.nodes[id]!
      const lifecycle = node.component.lifecycle
      lifecycles[id] = lifecycle
      if (lifecycle === undefined) {
        timeouts.start[id] = settings.start
        timeouts.stop[id] = settings.stop
        timeouts.grace[id] = settings.grace
        continue
      }
      validateLifecycle(node.name, lifecycle, problems)
      timeouts.start[id] = decodeTimeout(lifecycle.timeouts.start) ?? settings.start
      timeouts.stop[id] = decodeTimeout(lifecycle.timeouts.stop) ?? settings.stop
      timeouts.grace[id] = decodeTimeout(lifecycle.timeouts.grace) ?? settings.grace
    }
    if (problems.length > 0) return yield* Effect.fail(new Errors.InvalidLifecycle({ problems }))

    const clock = yield* Effect.clock
    const spans = yield* spansEnabled(self.options.spans)
    const memoMap = yield* Layer.CurrentMemoMap
    const graphScope = yield* Scope.make()
    const created = new Instance(self, resolved, lifecycles, timeouts, settings, clock, spans, graphScope)
    const graph = makeGraph(resolved, (node) => withHooks(created, node, memoMap))
    created.graph = graph
    // Whatever happens to the caller, closing its scope stops and releases the application. When the
    // scope is what ends it (`start` without `stop`, `layer`), no caller receives the outcome: a failed
    // shutdown, or background work that failed, is a defect of the scope's closing (a finalizer cannot
    // fail), as a failed release is with `Plan.toLayer`. Ended by `run`, `stop` or a failed start, it
    // was already stopping, and its outcome went to that caller.
    yield* Effect.addFinalizer(() => {
      if (created.stopping) return stopInstance(created)
      return Effect.flatMap(stopInstance(created), (report) =>
        report.success && created.ending !== "background-failed" ? Effect.void : Effect.die(applicationFailed(created, report)))
    })

    const buildAndStart = Effect.gen(function*() {
      created.runtime = yield* Effect.runtime<never>()
      setState(created, "building")
      const values = yield* Scope.extend(
        executor.execute(graph.plan, { concurrency: settings.concurrency, observer: buildObserver(created) }),
        graphScope
      )
      created.values = values
      // Hooks from now on start with the FiberRefs every component's constructor changed (see `hookRuntime`).
      created.runtime = yield* Effect.runtime<never>()
      setState(created, "starting")
      const job = startJob(created)
      yield* runJob(job)
      if (job.aborted) return yield* Effect.fail("start" as const)
      created.startupEnd = created.now()
      setState(created, "started")
    })

    yield* Effect.uninterruptibleMask((restore) =>
      Effect.flatMap(
        Effect.exit(restore(spans ? Effect.withSpan(buildAndStart, "layerwise.app.start", { captureStackTrace: false }) : buildAndStart)),
        (exit) => {
          if (exit._tag === "Success") return Effect.void
          const interrupted = Cause.isInterruptedOnly(exit.cause)
          created.ending = interrupted ? "interrupted" : created.state === "building" ? "build-failed" : "start-failed"
          // Interrupted with a clean shutdown: the run ends interrupted; any failure: ApplicationFailed.
          return Effect.flatMap(stopInstance(created), (report) =>
            interrupted && report.success
              ? Effect.failCause(exit.cause as Cause.Cause<never>)
              : Effect.fail(applicationFailed(created, report)))
        }
      )
    )
    return created
  })

/**
 * Why the run ends, decided once, when the shutdown begins, for every way of ending it (`run`,
 * `stop`, the scope of `start` or `layer` closing): a failed build or start, or an interrupted run,
 * said so already; otherwise the first shutdown request does: background work that failed, or a
 * requested shutdown and its reason; with no request at all, a plain shutdown.
 */
const settleEnding = (instance: Instance): void => {
  if (instance.ending !== undefined) return
  const request = instance.shutdownRequest
  if (request?._tag === "BackgroundFailed") {
    instance.ending = "background-failed"
  } else {
    instance.ending = "shutdown"
    instance.shutdownReason = request?.reason ?? null
  }
}

/**
 * Stops and releases, then gives the report, or fails with `ApplicationFailed` when something failed
 * (background work counts even when the shutdown itself went well). What `run` and `stop` share.
 */
const stopAndReport = (instance: Instance): Effect.Effect<Report.Report, Errors.ApplicationFailed> =>
  Effect.flatMap(stopInstance(instance), (report) =>
    report.success && instance.ending !== "background-failed"
      ? Effect.succeed(report)
      : Effect.fail(applicationFailed(instance, report)))

/**
 * Closes the graph's scope (every constructor's finalizers, dependents first), for at most the
 * release timeout. The release runs in a fiber of its own and the wait is a Deferred settled by it
 * or by a timer, whichever comes first: no interruption is involved, so the wait is bounded also in
 * the uninterruptible shutdown of an interrupted run. Past the timeout, the component being released
 * is reported as timed out and the rest is left as it is (its dependencies must outlive it).
 */
const awaitRelease = (instance: Instance): Effect.Effect<void> =>
  Effect.suspend(() => {
    const settled = Deferred.unsafeMake<boolean>(FiberId.none)
    const release = Effect.ensuring(Effect.exit(Scope.close(instance.graphScope, Exit.void)), Deferred.succeed(settled, true))
    const timer = Effect.zipRight(Effect.sleep(instance.settings.release), Deferred.succeed(settled, false))
    return Effect.flatMap(Effect.zipRight(Effect.forkDaemon(release), Effect.forkDaemon(timer)), (timing) =>
      Effect.flatMap(Deferred.await(settled), (finished) => {
        if (finished) return Effect.asVoid(Fiber.interruptFork(timing))
        instance.releaseTimedOut = true
        for (let id = 0; id < instance.graph.total; id++) {
          if (instance.componentState[id] !== S_RELEASING) continue
          instance.componentState[id] = S_FAILED
          const error = new Errors.ReleaseTimeout({
            component: instance.nameOf(id),
            path: instance.pathOf(id),
            timeout: Duration.format(instance.settings.release)
          })
          noteFailure(instance, id, P_RELEASE, null, error.message)
          phaseEnd(instance, id, P_RELEASE, O_TIMEOUT)
          pushError(instance, id, P_RELEASE, null, "timeout", error)
        }
        return Effect.void
      }))
  })

/**
 * Stops and releases: stop hooks (background work first) in reverse dependency order, then every
 * component's scope is closed, dependents first (disposers, then the constructor's finalizers). Runs
 * once; a second call waits for the first and returns the same report. Never fails.
 */
const stopInstance = (instance: Instance): Effect.Effect<Report.Report> =>
  Effect.uninterruptible(Effect.suspend(() => {
    if (instance.stopping) return Deferred.await(instance.stopped)
    instance.stopping = true
    settleEnding(instance)
    const stop = Effect.gen(function*() {
      instance.stopBegin = instance.now()
      setState(instance, "stopping")
      if (instance.startupEnd >= 0 || instance.state !== "created") yield* runJob(stopJob(instance))
      // constructors interrupted in flight (another one failed, or the run was interrupted)
      for (let id = 0; id < instance.graph.total; id++) {
        if (instance.componentState[id] === S_BUILDING) {
          instance.componentState[id] = S_FAILED
          phaseEnd(instance, id, P_BUILD, O_INTERRUPTED)
        }
      }
      for (const group of instance.backgrounds) {
        if (group !== undefined) for (const run of group.runs) if (!run.done) run.fiber.unsafeInterruptAsFork(FiberId.none)
      }
      // Release failures were recorded per component by the observer; the scope's combined exit adds nothing.
      yield* awaitRelease(instance)
      const total = instance.graph.total
      for (let id = 0; id < total && !instance.releaseTimedOut; id++) {
        const state = instance.componentState[id]!
        // components built from a value have no scope to close: they are released with the graph
        if (state !== S_PENDING && state !== S_FAILED && state !== S_RELEASED) instance.componentState[id] = S_RELEASED
      }
      instance.stopEnd = instance.now()
      setState(instance, "stopped")
      const report = buildReport(instance)
      const onReport = instance.app.options.onReport
      if (onReport !== undefined) yield* Effect.catchAllCause(onReport(report), (cause) => Effect.logError("App onReport failed", cause))
      Deferred.unsafeDone(instance.stopped, Exit.succeed(report))
      return report
    })
    // A second caller waits for the first: whatever happens, it must not wait forever.
    const guarded = Effect.onExit(stop, (exit) =>
      Effect.sync(() => {
        if (exit._tag === "Failure") Deferred.unsafeDone(instance.stopped, exit)
      }))
    return instance.spans ? Effect.withSpan(guarded, "layerwise.app.stop", { captureStackTrace: false }) : guarded
  }))

// ---------------------------------------------------------------------------------------------
// public operations

interface RunningImpl extends App.Running<unknown> {
  readonly instance: Instance
}

const RunningProto = {
  [RunningTypeId]: { _R: (_: never) => _ },
  toString(this: RunningImpl) {
    return `App.Running(${this.instance.state})`
  }
}

const makeRunning = (instance: Instance): RunningImpl => {
  const self = Object.create(RunningProto)
  self.instance = instance
  self.plan = instance.resolved
  self.context = executor.rootContext(instance.resolved, instance.values)
  return self
}

/** @internal */
export const start = (self: App.App<never>) => Effect.map(startInstance(self as AppImpl), makeRunning)

/** @internal */
export const stop = (running: App.Running<unknown>): Effect.Effect<Report.Report, Errors.ApplicationFailed | Errors.InvalidState> =>
  Effect.suspend((): Effect.Effect<Report.Report, Errors.ApplicationFailed | Errors.InvalidState> => {
    const instance = (running as RunningImpl).instance
    if (instance.state !== "started") {
      return Effect.fail(new Errors.InvalidState({ operation: "stop", state: instance.state, allowed: ["started"] }))
    }
    return stopAndReport(instance)
  })

/** @internal */
export const shutdown = dual(
  (args) => hasProperty(args[0], RunningTypeId),
  (running: App.Running<unknown>, reason?: string): Effect.Effect<void> =>
    Effect.sync(() => requestShutdown((running as RunningImpl).instance, { _tag: "Requested", reason }))
)

/** @internal */
export const awaitShutdown = (running: App.Running<unknown>): Effect.Effect<void> =>
  Effect.asVoid(Deferred.await((running as RunningImpl).instance.shutdownRequested))

/** @internal */
export const state = (running: App.Running<unknown>): Effect.Effect<App.State> =>
  Effect.sync(() => (running as RunningImpl).instance.state)

/** @internal */
export const phase = dual(
  2,
  (running: App.Running<unknown>, name: string): Effect.Effect<Option.Option<Report.ComponentState>> =>
    Effect.sync(() => {
      const instance = (running as RunningImpl).instance
      if (instance.names === undefined) {
        const names = new Map<string, number>()
        for (let id = 0; id < instance.graph.total; id++) names.set(instance.nameOf(id), id)
        instance.names = names
      }
      const id = instance.names.get(name)
      return id === undefined ? Option.none() : Option.some(STATES[instance.componentState[id]!]!)
    })
)

/** @internal */
export const phases = (running: App.Running<unknown>): Effect.Effect<Readonly<Record<string, Report.ComponentState>>> =>
  Effect.sync(() => {
    const instance = (running as RunningImpl).instance
    const result: Record<string, Report.ComponentState> = {}
    for (let id = 0; id < instance.graph.total; id++) result[instance.nameOf(id)] = STATES[instance.componentState[id]!]!
    return result
  })

/** @internal */
export const report = (running: App.Running<unknown>): Effect.Effect<Report.Report> =>
  Effect.sync(() => buildReport((running as RunningImpl).instance))

/**
 * Runs the health checks of the components that started (see `Health`). Checks start from the
 * application's runtime after the build (its context and FiberRefs, as stop hooks do) and with the
 * component's service; nothing is shared with the lifecycle's phases, so checking health during
 * the startup (from a start hook) cannot wait for it: what has not started yet is "not-running".
 */
const checkHealth = (instance: Instance, concurrency: number): Effect.Effect<Health.Report> =>
  Effect.flatMap(FiberRef.get(checkingHealth), (checking) => {
    if (checking.includes(instance)) {
      return Effect.dieMessage(
        "layerwise App.health: a health check cannot check the health of its own application (it would run itself again, without end)"
      )
    }
    const lifecycles = instance.lifecycles
    if (instance.healthChecked === undefined) {
      const ids: Array<number> = []
      for (let id = 0; id < instance.graph.total; id++) {
        const lifecycle = lifecycles[id]
        if (lifecycle !== undefined && lifecycle.healthChecks.length > 0) ids.push(id)
      }
      instance.healthChecked = ids
    }
    const targets = instance.healthChecked.map((id): healthInternal.ComponentTarget => {
      const lifecycle = lifecycles[id]!
      const running = instance.componentState[id] === S_STARTED
      const componentTimeout = decodeTimeout(lifecycle.timeouts.health) ?? instance.settings.health
      return {
        name: instance.nameOf(id),
        running,
        checks: running
          ? lifecycle.healthChecks.map((check) => ({
            name: check.name,
            // the most specific timeout wins: the check's own, the component's, the application's
            timeout: decodeTimeout(check.timeout) ?? componentTimeout,
            start: () => {
              const effect = hookEffect(`health check ${check.name}`, () => check.run(instance.values[id]))
              return Exit.isExit(effect)
                ? effect
                : Runtime.runFork(instance.runtime)(
                  Effect.interruptible(Effect.locallyWith(effect, checkingHealth, (checking) => [...checking, instance]))
                )
            }
          }))
          : []
      }
    })
    return healthInternal.run(targets, concurrency, () => instance.now())
  })

/** The applications whose health the current fiber is checking (it runs one of their checks). */
const checkingHealth = FiberRef.unsafeMake<ReadonlyArray<Instance>>([])

/** @internal */
export const health = (running: App.Running<unknown>, options?: App.HealthOptions): Effect.Effect<Health.Report> =>
  Effect.suspend(() => {
    const instance = (running as RunningImpl).instance
    if (options?.concurrency === undefined) return checkHealth(instance, instance.settings.healthConcurrency)
    const problem = executor.concurrencyProblem(options.concurrency)
    return problem === undefined
      ? checkHealth(instance, concurrencyLimit(options.concurrency))
      : Effect.die(new Cause.IllegalArgumentException(`layerwise App.health: ${problem}`))
  })

/** @internal */
export const run = (
  self: App.App<never>
): Effect.Effect<Report.Report, Errors.ResolutionError | Errors.LifecycleError> =>
  Effect.scoped(Effect.uninterruptibleMask((restore) =>
    Effect.gen(function*() {
      const instance = yield* restore(startInstance(self as AppImpl))
      const waited = yield* Effect.exit(restore(Deferred.await(instance.shutdownRequested)))
      if (waited._tag === "Success") return yield* stopAndReport(instance)
      // Interrupted with a clean shutdown: the run ends interrupted; any failure: ApplicationFailed.
      instance.ending = "interrupted"
      const report = yield* stopInstance(instance)
      if (report.success) return yield* Effect.failCause(waited.cause as Cause.Cause<never>)
      return yield* Effect.fail(applicationFailed(instance, report))
    })
  ))

/**
 * A Layer cannot end the program it serves, so background work that fails while the application
 * runs as a Layer is logged when it fails (the application keeps serving until the Layer is
 * released; its release then dies with the `ApplicationFailed`, see `startInstance`).
 *
 * @internal
 */
export const layer = (self: App.App<never>): Layer.Layer<unknown, Errors.ResolutionError | Errors.LifecycleError> =>
  Layer.scopedContext(Effect.gen(function*() {
    const running = yield* start(self)
    const instance = (running as RunningImpl).instance
    yield* Effect.forkScoped(Effect.flatMap(Deferred.await(instance.shutdownRequested), () => {
      const request = instance.shutdownRequest
      return request?._tag === "BackgroundFailed" && !instance.stopping
        ? Effect.logError(
          "layerwise: background work failed while the application runs as a Layer; it keeps serving until the Layer is released, which then fails",
          ...instance.errors.map((error) => error.message)
        )
        : Effect.void
    }))
    return running.context
  }))

/** @internal */
export const subscribe = (self: App.App<never>): Effect.Effect<Queue.Dequeue<App.Event>, never, Scope.Scope> => {
  const hub = (self as AppImpl).hub
  return Effect.tap(
    PubSub.subscribe(hub.pubsub),
    () =>
      Effect.acquireRelease(Effect.sync(() => hub.subscribers++), () => Effect.sync(() => hub.subscribers--))
  )
}

/** @internal */
export const events = (self: App.App<never>): Stream.Stream<App.Event> =>
  Stream.unwrapScoped(Effect.map(subscribe(self), (queue) => Stream.fromQueue(queue)))

// ---------------------------------------------------------------------------------------------
// runMain

/** @internal */
export const runMain = (self: App.App<never>, options?: App.RunMainOptions): void => {
  const app = self as AppImpl
  const print = options?.printReport ?? true
  const userReport = app.options.onReport
  const withReport = print
    ? withOptions(app, {
      ...app.options,
      onReport: (report) => Effect.zipRight(Console.log(Report.format(report)), userReport?.(report) ?? Effect.void)
    })
    : app
  // runMain interrupts the program on the first SIGINT / SIGTERM (a graceful shutdown) and stops
  // listening; this listener counts signals and exits at once on the second one.
  let received = 0
  const onSignal = (signal: NodeJS.Signals) => {
    received++
    if (received >= 2 && options?.forceExit !== false) {
      process.exit(options?.forceExitCode ?? (signal === "SIGTERM" ? 143 : 130))
    }
  }
  process.on("SIGINT", onSignal)
  process.on("SIGTERM", onSignal)
  // The outcome of the run as the run itself ends. A signal interrupts the main fiber, and once a
  // fiber is interrupted Effect strips the failures from a cause as it crosses an interruptible
  // frame: the fiber's exit after a graceful shutdown that failed (a stop hook, a release) would be
  // "interrupted" only, and NodeRuntime's error reporting and exit code would call it clean. So the
  // failure is logged here, where it is still whole (`onExit` runs uninterruptibly), and the exit
  // code is taken from it.
  let outcome: Exit.Exit<unknown, unknown> | undefined
  const program = run(withReport).pipe(
    Effect.onExit((exit) => {
      outcome = exit
      return Exit.isFailure(exit) && !Cause.isInterruptedOnly(exit.cause) && options?.disableErrorReporting !== true
        ? Effect.logError(exit.cause)
        : Effect.void
    }),
    Effect.ensuring(Effect.sync(() => {
      process.removeListener("SIGINT", onSignal)
      process.removeListener("SIGTERM", onSignal)
    }))
  )
  NodeRuntime.runMain(program, {
    disableErrorReporting: true,
    disablePrettyLogger: options?.disablePrettyLogger,
    teardown: (exit, onExit) => {
      // the run's own outcome when it ended (always, unless the program never got to run)
      const ended = outcome ?? exit
      onExit(Exit.isFailure(ended) && !Cause.isInterruptedOnly(ended.cause) ? 1 : 0)
    }
  })
}
