/**
 * What layerwise tells of a build and of a run: spans, Effect Metrics and the startup log. The
 * executor and App's runtime call the small functions here, each wrapping one Effect or one step of
 * theirs; nothing else of theirs knows of tracers, metrics or logs.
 *
 * Spans are made by hand with the installed tracer (`Tracer.span`) on Effect's Clock, and ended with
 * an exit computed from the outcome layerwise recorded (so a phase cut short by App's stop, which
 * interrupts it, ends with the outcome the run gives it, not with the interruption): one per phase of
 * a build or run (`layerwise.build`, ...), one per component and phase under it
 * (`layerwise.component.build`, ...). A constructor and a hook run with their component's span as
 * their parent span, so the spans they make nest under it. Background work runs without a parent
 * span: what it starts (a server's request spans) begins traces of its own; its component's
 * `layerwise.component.background` span is a root span linked to `layerwise.app.start`. Nothing is
 * made when spans are off (no tracer installed but Effect's built-in one, or `spans: false`).
 *
 * App's observer sees a run through the run record's events (`App.Event`: every phase of every
 * component begins and ends there, with its outcome and duration), which it receives as the record
 * publishes them: spans, the phase durations metric and the slow-component log all follow the
 * record, whatever part of the runtime began or ended the phase.
 *
 * Names (span names, attributes, metrics) are the public module `Observability`'s, documented there.
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import type * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as FiberId from "effect/FiberId"
import { globalValue } from "effect/GlobalValue"
import * as Metric from "effect/Metric"
import * as MetricBoundaries from "effect/MetricBoundaries"
import * as MetricKey from "effect/MetricKey"
import type * as MetricKeyType from "effect/MetricKeyType"
import * as MetricLabel from "effect/MetricLabel"
import * as Option from "effect/Option"
import * as Tracer from "effect/Tracer"
import * as Errors from "../Errors.js"
import type * as Health from "../Health.js"
import type * as Plan from "../Plan.js"
import * as Report from "../Report.js"
import { phaseIndex, phaseOrder, type RunRecord } from "./app/record.js"
import { decodeTimeout, describeInput } from "./duration.js"
import type * as executor from "./executor.js"
import * as explain from "./explain.js"
import * as lifetime from "./lifetime.js"
import * as planInternal from "./plan.js"
import * as runtime from "./runtime.js"

// ---------------------------------------------------------------------------------------------
// names

/** @internal */
export const spanNames = {
  appStart: "layerwise.app.start",
  appStop: "layerwise.app.stop",
  build: "layerwise.build",
  start: "layerwise.start",
  stop: "layerwise.stop",
  release: "layerwise.release",
  health: "layerwise.health"
} as const

const componentSpanNames = Object.fromEntries(
  [...Report.Phase.literals, "health"].map((phase) => [phase, `layerwise.component.${phase}`])
) as Record<Report.Phase | "health", string>

/** The span of one component in one phase: `layerwise.component.<phase>` (made once per phase). @internal */
export const componentSpanName = (phase: Report.Phase | "health"): string => componentSpanNames[phase]

/** @internal */
export const attributeNames = {
  component: "layerwise.component",
  service: "layerwise.service",
  qualifiers: "layerwise.qualifiers",
  lifetime: "layerwise.lifetime",
  phase: "layerwise.phase",
  outcome: "layerwise.outcome",
  check: "layerwise.check",
  components: "layerwise.components"
} as const

/** @internal */
export const metricNames = {
  phaseDuration: "layerwise.phase.duration",
  healthStatus: "layerwise.health.status",
  instancesSize: "layerwise.instances.size",
  instancesHits: "layerwise.instances.hits",
  instancesMisses: "layerwise.instances.misses",
  instancesEvictions: "layerwise.instances.evictions"
} as const

// ---------------------------------------------------------------------------------------------
// metrics

/** Milliseconds, from a fraction of a millisecond to a minute. */
const durationBoundaries = MetricBoundaries.fromIterable([0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000])

const phaseDurationKey = MetricKey.histogram(
  metricNames.phaseDuration,
  durationBoundaries,
  "How long each phase of each component took, in milliseconds (labels: component, phase)"
)
const healthStatusKey = MetricKey.gauge(
  metricNames.healthStatus,
  { description: "1 when the health check passed the last time it ran, 0 when not (labels: component, check)" }
)
const instancesSizeKey = MetricKey.gauge(
  metricNames.instancesSize,
  { description: "Keys with a cached instance (label: manager)" }
)
const instancesHitsKey = MetricKey.counter(
  metricNames.instancesHits,
  { description: "Gets that found a cached instance needing no update (label: manager)" }
)
const instancesMissesKey = MetricKey.counter(
  metricNames.instancesMisses,
  { description: "Gets that started a build or joined one (label: manager)" }
)
const instancesEvictionsKey = MetricKey.counter(
  metricNames.instancesEvictions,
  { description: "Instances dropped by the idle time-to-live or the capacity (label: manager)" }
)

/** @internal */
export const phaseDuration = Metric.fromMetricKey(phaseDurationKey)
/** @internal */
export const healthStatus = Metric.fromMetricKey(healthStatusKey)
/** @internal */
export const instancesSize = Metric.fromMetricKey(instancesSizeKey)
/** @internal */
export const instancesHits = Metric.fromMetricKey(instancesHitsKey)
/** @internal */
export const instancesMisses = Metric.fromMetricKey(instancesMissesKey)
/** @internal */
export const instancesEvictions = Metric.fromMetricKey(instancesEvictionsKey)

/**
 * A metric of fixed labels, in the order given: one state in Effect's registry, found on its first
 * update and kept (updates through it cost a field write). Equal to the metric tagged with the same
 * labels in the same order (`Metric.tagged`).
 */
const labelled = <Type extends MetricKeyType.MetricKeyType.Untyped>(
  key: MetricKey.MetricKey<Type>,
  labels: ReadonlyArray<readonly [string, string]>
): Metric.Metric<Type, MetricKeyType.MetricKeyType.InType<Type>, MetricKeyType.MetricKeyType.OutType<Type>> => Metric.fromMetricKey(MetricKey.taggedWithLabels(key, labels.map(([name, value]) => MetricLabel.make(name, value))))

/**
 * The phase durations of one phase (label `phase`), or of one component in it (labels `component`,
 * `phase`: an App with `metrics: "per-component"`).
 *
 * @internal
 */
export const phaseDurationOf = (phase: Report.Phase, component?: string) =>
  component === undefined ? perPhase[phase] : labelled(phaseDurationKey, [["component", component], ["phase", phase]])

/** The phase durations of each phase, made once: updated through them, a run costs a field write per phase. */
const perPhase: Record<Report.Phase, Metric.Metric.Histogram<number>> = Object.fromEntries(
  Report.Phase.literals.map((phase) => [phase, labelled(phaseDurationKey, [["phase", phase]])])
) as Record<Report.Phase, Metric.Metric.Histogram<number>>

/** @internal */
export const healthStatusOf = (component: string, check: string) =>
  labelled(healthStatusKey, [["component", component], ["check", check]])

/** The metrics of one instance manager. @internal */
export interface InstanceMetrics {
  readonly size: Metric.Metric.Gauge<number>
  readonly hits: Metric.Metric.Counter<number>
  readonly misses: Metric.Metric.Counter<number>
  readonly evictions: Metric.Metric.Counter<number>
}

/** @internal */
export const instanceMetricsOf = (manager: string): InstanceMetrics => {
  const labels: ReadonlyArray<readonly [string, string]> = [["manager", manager]]
  return {
    size: labelled(instancesSizeKey, labels),
    hits: labelled(instancesHitsKey, labels),
    misses: labelled(instancesMissesKey, labels),
    evictions: labelled(instancesEvictionsKey, labels)
  }
}

// ---------------------------------------------------------------------------------------------
// spans

/** What spans are made with: the tracer installed where the build or run started, and its Clock. */
interface Tracing {
  readonly tracer: Tracer.Tracer
  readonly clock: Clock.Clock
}

/** Whether spans are on: `true` / `false` as given; otherwise when they would be exported. @internal */
export const spansOn = (option: boolean | "auto" | undefined): Effect.Effect<boolean> =>
  option === true || option === false ? Effect.succeed(option) : runtime.tracingExported

const noLinks: ReadonlyArray<Tracer.SpanLink> = []

const openSpan = (
  tracing: Tracing,
  name: string,
  parent: Option.Option<Tracer.AnySpan>,
  links: ReadonlyArray<Tracer.SpanLink> = noLinks
): Tracer.Span => tracing.tracer.span(name, parent, Context.empty(), links, runtime.clockNanos(tracing.clock), "internal")

/** A component's span in a phase, with the component's attributes. */
const openComponentSpan = (
  tracing: Tracing,
  node: Plan.Node,
  phase: Report.Phase | "health",
  parent: Option.Option<Tracer.AnySpan>,
  links?: ReadonlyArray<Tracer.SpanLink>
): Tracer.Span => {
  const span = openSpan(tracing, componentSpanName(phase), parent, links)
  span.attribute(attributeNames.component, node.name)
  span.attribute(attributeNames.service, node.service)
  if (node.component.qualifiers.length > 0) span.attribute(attributeNames.qualifiers, node.component.qualifiers)
  span.attribute(attributeNames.lifetime, lifetime.format(lifetime.get(node.component)))
  span.attribute(attributeNames.phase, phase)
  return span
}

/**
 * The build of an instance the run-time container makes after startup (a lazy singleton on first
 * use, a transient's, a scoped component's in its open scope, a factory's, a reload): a
 * `layerwise.component.build` span under the span of whoever asked for it, with the component's
 * attributes (`name`: a child container's component by its path, `tenant-a/Db (override)`) and its
 * outcome.
 *
 * @internal
 */
export const instanceBuild = <A, E>(node: Plan.Node, effect: Effect.Effect<A, E>, name: string = node.name): Effect.Effect<A, E> =>
  Effect.withSpan(
    Effect.onExit(effect, (exit) =>
      Effect.annotateCurrentSpan(
        attributeNames.outcome,
        Exit.isSuccess(exit) ? "success" : Cause.isInterruptedOnly(exit.cause) ? "interrupted" : "failure"
      )),
    componentSpanName("build"),
    {
      attributes: {
        [attributeNames.component]: name,
        [attributeNames.service]: node.service,
        ...(node.component.qualifiers.length > 0 ? { [attributeNames.qualifiers]: node.component.qualifiers } : {}),
        [attributeNames.lifetime]: lifetime.format(lifetime.get(node.component)),
        [attributeNames.phase]: "build"
      }
    }
  )

/** The exit a span ends with for an outcome (the error when it did not succeed, if known). */
const exitOf = (outcome: Report.Outcome, error: unknown): Exit.Exit<unknown, unknown> => {
  switch (outcome) {
    case "success":
      return Exit.void
    case "interrupted":
      return Exit.interrupt(FiberId.none)
    default:
      return Exit.fail(error ?? outcome)
  }
}

const closeSpan = (tracing: Tracing, span: Tracer.Span, outcome: Report.Outcome, error?: unknown, at?: bigint): void => {
  span.attribute(attributeNames.outcome, outcome)
  span.end(at ?? runtime.clockNanos(tracing.clock), exitOf(outcome, error))
}

/** The outcome of an Effect's exit: success, interrupted (by the caller), or failure. */
const outcomeOfExit = (exit: Exit.Exit<unknown, unknown>): Report.Outcome =>
  exit._tag === "Success" ? "success" : Cause.isInterruptedOnly(exit.cause) ? "interrupted" : "failure"

/**
 * A phase in a span: the parent span of what runs in it, ended with `outcome(exit)` (by default the
 * exit's), its `error` when it did not succeed.
 */
const phaseSpan = <A, E, R>(
  tracing: Tracing,
  name: string,
  effect: Effect.Effect<A, E, R>,
  onOpen: (span: Tracer.Span) => void,
  onClose: (exit: Exit.Exit<A, E>) => { readonly outcome: Report.Outcome; readonly error?: unknown }
): Effect.Effect<A, E, R> =>
  Effect.flatMap(Effect.option(Effect.currentParentSpan), (parent) => {
    const span = openSpan(tracing, name, parent)
    onOpen(span)
    return Effect.onExit(Effect.withParentSpan(effect, span), (exit) =>
      Effect.sync(() => {
        const { error, outcome } = onClose(exit)
        closeSpan(tracing, span, outcome, error)
      }))
  })

// ---------------------------------------------------------------------------------------------
// Plan.toLayer: the spans of one build and its release

/**
 * The spans of one build of a plan (`Plan.toLayer`, `Registry.toLayer`): `layerwise.build` with a
 * `layerwise.component.build` per component under it, then `layerwise.release` with a
 * `layerwise.component.release` per component released.
 *
 * @internal
 */
export class LayerSpans {
  build: Tracer.Span | undefined = undefined
  release: Tracer.Span | undefined = undefined
  /** per node, its build span while it builds */
  readonly building: Array<Tracer.Span | undefined>
  /** per node, its release span while its scope closes */
  readonly releasing: Array<Tracer.Span | undefined>

  constructor(readonly tracing: Tracing, readonly plan: Plan.Any) {
    this.building = new Array(plan.nodes.length)
    this.releasing = new Array(plan.nodes.length)
  }
}

/** The spans of a build of `plan`, `undefined` when spans are off. @internal */
export const layerSpans = (plan: Plan.Any, option: boolean | "auto" | undefined): Effect.Effect<LayerSpans | undefined> =>
  Effect.flatMap(spansOn(option), (on) =>
    on
      ? Effect.map(Effect.all([Effect.tracer, Effect.clock]), ([tracer, clock]) => new LayerSpans({ tracer, clock }, plan))
      : Effect.succeed(undefined))

/** The component a build's failure names (a `ConstructionError`'s), if any. */
const failedComponent = (cause: Cause.Cause<unknown> | undefined): string | undefined => {
  if (cause === undefined) return undefined
  const reason = Option.getOrUndefined(Cause.failureOption(cause)) ?? Option.getOrUndefined(Cause.dieOption(cause))
  return reason instanceof Errors.ConstructionError ? reason.component : undefined
}

/**
 * The node tasks of a build, each in its component's `layerwise.component.build` span (the
 * constructor's parent span: the executor sets it in the context the constructor runs in, through
 * `build.spanOf`). A node built from a value gets a span that ends as it begins. A node succeeded
 * unless the build's failure names it (the first constructor failure stops the build: the
 * constructors in flight are interrupted, and their spans end so with the phase).
 *
 * @internal
 */
export const nodeTasks = (
  self: LayerSpans | undefined,
  build: executor.GraphBuild,
  task: (id: number) => Effect.Effect<void> | undefined
): (id: number) => Effect.Effect<void> | undefined => {
  if (self === undefined) return task
  const parent = (): Option.Option<Tracer.AnySpan> => Option.fromNullable(self.build)
  build.spanOf = (id) => self.building[id]
  return (id) => {
    const effect = task(id)
    const node = self.plan.nodes[id]!
    if (effect === undefined) {
      if (node.component.construct._tag === "Value") closeSpan(self.tracing, openComponentSpan(self.tracing, node, "build", parent()), "success")
      return undefined
    }
    return Effect.suspend(() => {
      const span = openComponentSpan(self.tracing, node, "build", parent())
      self.building[id] = span
      return Effect.map(effect, () => {
        self.building[id] = undefined
        const failed = failedComponent(build.failure) === node.name
        closeSpan(self.tracing, span, failed ? "failure" : "success", failed ? Cause.squash(build.failure!) : undefined)
      })
    })
  }
}

/** A build in the `layerwise.build` span; the spans of constructors cut short end interrupted with it. @internal */
export const building = <A, E, R>(self: LayerSpans | undefined, effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  self === undefined ? effect : phaseSpan(self.tracing, spanNames.build, effect, (span) => {
    self.build = span
    span.attribute(attributeNames.components, self.plan.nodes.length)
  }, (exit) => {
    endAll(self.tracing, self.building, "interrupted")
    return { outcome: outcomeOfExit(exit), error: exit._tag === "Failure" ? Cause.squash(exit.cause) : undefined }
  })

/** Ends every span still open in `spans` with `outcome`. */
const endAll = (tracing: Tracing, spans: Array<Tracer.Span | undefined>, outcome: Report.Outcome): void => {
  for (let index = 0; index < spans.length; index++) {
    const span = spans[index]
    if (span === undefined) continue
    spans[index] = undefined
    closeSpan(tracing, span, outcome)
  }
}

/** What the release adds to each node's: its `layerwise.component.release` span. @internal */
export const releaseSteps = (self: LayerSpans | undefined): executor.NodeRelease | undefined =>
  self === undefined ? undefined : {
    before: (id) => {
      self.releasing[id] = openComponentSpan(self.tracing, self.plan.nodes[id]!, "release", Option.fromNullable(self.release))
      return undefined
    },
    after: (id, error) => {
      const span = self.releasing[id]
      if (span === undefined) return
      self.releasing[id] = undefined
      closeSpan(self.tracing, span, error === undefined ? "success" : "failure", error)
    }
  }

/**
 * A release in the `layerwise.release` span: it fails when some release failed (the release gives
 * the failures, as `executor.release` does). A build released once has one span: the release runs
 * once (a failed build is released before its Layer fails, and its scope's release finds nothing).
 *
 * @internal
 */
export const releasing = <E, R>(
  self: LayerSpans | undefined,
  effect: Effect.Effect<Cause.Cause<never> | undefined, E, R>
): Effect.Effect<Cause.Cause<never> | undefined, E, R> =>
  self === undefined ? effect : Effect.suspend(() => self.release !== undefined ? effect : phaseSpan(self.tracing, spanNames.release, effect, (span) => {
    self.release = span
  }, (exit) => {
    endAll(self.tracing, self.releasing, "interrupted")
    if (exit._tag === "Success" && exit.value !== undefined) return { outcome: "failure", error: Cause.squash(exit.value) }
    return { outcome: outcomeOfExit(exit) }
  }))

// ---------------------------------------------------------------------------------------------
// App: the observer of a run

/** The startup log's settings, decoded. */
interface StartupLogSettings {
  /** milliseconds after which a component still building, initializing or starting is named */
  readonly slowAfter: number
  /** rows of the timing table (0: the summary line alone) */
  readonly rows: number
  /** slow components are named as they go */
  readonly progress: boolean
}

/** The options `App` takes for what it tells (see `App.Options`). @internal */
export interface AppOptions {
  readonly metrics?: boolean | "per-component" | undefined
  readonly startupLog?: boolean | "quiet" | {
    readonly slowAfter?: Duration.DurationInput | undefined
    readonly table?: number | undefined
  } | undefined
}

const defaultSlowAfter = 1_000
const defaultRows = 10

/** The startup log's settings; `undefined` when it is off; a string when an option is unusable. */
const startupLogSettings = (option: AppOptions["startupLog"]): StartupLogSettings | string | undefined => {
  if (option === false) return undefined
  if (option === undefined || option === true) return { slowAfter: defaultSlowAfter, rows: defaultRows, progress: true }
  if (option === "quiet") return { slowAfter: defaultSlowAfter, rows: 0, progress: false }
  const slowAfter = option.slowAfter === undefined ? Duration.millis(defaultSlowAfter) : decodeTimeout(option.slowAfter)
  if (slowAfter === undefined) {
    return `startupLog.slowAfter must be a finite, non-negative duration, got ${describeInput(option.slowAfter)}`
  }
  const rows = option.table ?? defaultRows
  if (!Number.isInteger(rows) || rows < 0) return `startupLog.table must be a whole number of rows (0 or more), got ${describeInput(rows)}`
  return { slowAfter: Duration.toMillis(slowAfter), rows, progress: true }
}

/** App's phases that have a span of their own, and the one each component phase belongs to. */
type AppPhase = "build" | "start" | "stop" | "release"

const appPhaseOf: Readonly<Record<Report.Phase, AppPhase | undefined>> = {
  build: "build",
  initialize: "build",
  start: "start",
  background: undefined,
  stop: "stop",
  dispose: "release",
  release: "release"
}

// a component's phases are slots of its record's (see `RunRecord`)
const phaseCount = phaseOrder.length

/** What a component is doing in a phase the startup log watches. */
const doing: Partial<Record<Report.Phase, string>> = { build: "building", initialize: "initializing", start: "starting" }

/**
 * What an application run tells: its spans, metrics and startup log. Made when the run starts, it
 * receives every event of the run's record (`on`); the runtime's wrappers (below) find it from the
 * record.
 *
 * @internal
 */
export class AppObserver {
  record: RunRecord | undefined = undefined
  /** per component and phase (`id * 7 + phase`), its span while the phase runs */
  readonly open: Array<Tracer.Span | undefined>
  /** per component and phase, its phase durations metric (made on first use) */
  readonly durations: Array<Metric.Metric.Histogram<number> | undefined>
  readonly phases: Partial<Record<AppPhase, Tracer.Span>> = {}
  appStart: Tracer.Span | undefined = undefined
  /** the component phases begun that the startup log watches, in order of beginning, and when each began */
  readonly watched: Array<number> = []
  readonly watchedAt: Array<number> = []
  watchedHead = 0
  /** completed when something is watched, if the watcher waits for it */
  wake: Deferred.Deferred<void> | undefined = undefined
  private ids: ReadonlyMap<string, number> | undefined = undefined

  constructor(
    readonly plan: Plan.Any,
    readonly tracing: Tracing | undefined,
    readonly metrics: false | "phase" | "component",
    readonly log: StartupLogSettings | undefined
  ) {
    const slots = plan.nodes.length * phaseCount
    this.open = tracing === undefined ? [] : new Array(slots)
    this.durations = metrics === "component" ? new Array(slots) : []
  }

  idOf(component: string): number | undefined {
    this.ids ??= planInternal.idsByName(this.plan)
    return this.ids.get(component)
  }

  /**
   * A phase of a component began (the run's record calls it, as it goes: no event is made for it).
   * A singleton's build on first use has its span already, made by the container under the span of
   * the use (`instanceBuild`): no second one here.
   */
  began(id: number, phase: Report.Phase, onFirstUse: boolean): void {
    const slot = id * phaseCount + phaseIndex[phase]
    if (this.tracing !== undefined && !onFirstUse) this.open[slot] = this.openPhase(id, phase)
    if (this.log?.progress === true && doing[phase] !== undefined) this.watch(slot)
  }

  /** A phase of a component ended, `duration` milliseconds after it began, with its first error if any. */
  ended(id: number, phase: Report.Phase, outcome: Report.Outcome, duration: number, error: string | undefined): void {
    const slot = id * phaseCount + phaseIndex[phase]
    const span = this.tracing === undefined ? undefined : this.open[slot]
    if (span !== undefined) {
      this.open[slot] = undefined
      closeSpan(this.tracing!, span, outcome, outcome === "success" ? undefined : this.errorOf(id, error))
    }
    if (this.metrics !== false) {
      runtime.updateMetric(
        this.metrics === "phase" ? perPhase[phase] : this.durations[slot] ??= phaseDurationOf(phase, this.plan.nodes[id]!.name),
        duration
      )
    }
  }

  private openPhase(id: number, phase: Report.Phase): Tracer.Span {
    const node = this.plan.nodes[id]!
    const within = appPhaseOf[phase]
    if (within !== undefined) return openComponentSpan(this.tracing!, node, phase, Option.fromNullable(this.phases[within]))
    // background work: a root span, linked to the application's start
    const links: ReadonlyArray<Tracer.SpanLink> = this.appStart === undefined ? noLinks : [{ _tag: "SpanLink", span: this.appStart, attributes: {} }]
    return openComponentSpan(this.tracing!, node, phase, Option.none(), links)
  }

  /** The error a phase ended with: the run's error of that component (its first error's text otherwise). */
  private errorOf(id: number, message: string | undefined): unknown {
    const component = this.plan.nodes[id]!.name
    const errors = this.record?.errors ?? []
    for (let index = errors.length - 1; index >= 0; index--) {
      const error = errors[index]!
      if (error.component === component && error.message === message) return error
    }
    return message
  }

  private watch(slot: number): void {
    this.watched.push(slot)
    this.watchedAt.push(this.record?.now() ?? 0)
    const waiting = this.wake
    if (waiting !== undefined) {
      this.wake = undefined
      runtime.openDeferred(waiting)
    }
  }
}

/** The observer of each run, by the event function its record publishes with. */

/**
 * The observer of a run of `plan`, `undefined` when the run tells nothing (spans off, `metrics:
 * false`, `startupLog: false`). An unusable `startupLog` option is a defect.
 *
 * @internal
 */
export const appObserver = (plan: Plan.Any, options: AppOptions, spans: boolean): Effect.Effect<AppObserver | undefined> =>
  Effect.suspend(() => {
    const log = startupLogSettings(options.startupLog)
    if (typeof log === "string") return Effect.die(new Cause.IllegalArgumentException(`layerwise App: ${log}`))
    const metrics = options.metrics === false ? false : options.metrics === "per-component" ? "component" : "phase"
    if (!spans && metrics === false && log === undefined) return Effect.succeed(undefined)
    return Effect.map(
      Effect.all([Effect.tracer, Effect.clock]),
      ([tracer, clock]) => new AppObserver(plan, spans ? { tracer, clock } : undefined, metrics, log)
    )
  })

/**
 * Sets the observer of a run's record: the record calls it as phases begin and end (by component
 * id: no event is made for it, App's events stay made only for their subscribers).
 *
 * @internal
 */
export const attach = (observer: AppObserver | undefined, record: RunRecord): void => {
  if (observer === undefined) return
  observer.record = record
  record.observer = observer
}

/** The observer of the run a record belongs to. */
const observerOf = (record: RunRecord): AppObserver | undefined => record.observer as AppObserver | undefined

/**
 * The build and start of a run: in `layerwise.app.start`; meanwhile the startup log names the slow
 * components; once started, it logs the summary and the timing table.
 *
 * @internal
 */
export const appStart = <A, E, R>(record: RunRecord, effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> => {
  const self = observerOf(record)
  if (self === undefined) return effect
  const log = self.log
  let observed = effect
  if (log !== undefined) {
    // what the plan resolved that is most likely a mistake (a misspelt name under optional), before anything runs
    const warned = explain.warnings(self.plan)
    const logged = Effect.zipRight(
      Effect.forEach(warned, (warning) => Effect.logWarning(`layerwise: ${warning}`), { discard: true }),
      Effect.tap(observed, () => Effect.log(startupSummary(record, log)))
    )
    observed = log.progress
      // forked interruptible: the acquisition is not, and a fork inherits that
      ? Effect.acquireUseRelease(Effect.fork(Effect.interruptible(watchSlow(self, record, log))), () => logged, Fiber.interrupt)
      : logged
  }
  if (self.tracing === undefined) return observed
  return phaseSpan(self.tracing, spanNames.appStart, observed, (span) => {
    self.appStart = span
  }, (exit) => ({ outcome: outcomeOfExit(exit), error: exit._tag === "Failure" ? Cause.squash(exit.cause) : undefined }))
}

/** The stop and release of a run, in `layerwise.app.stop`. @internal */
export const appStop = <A, E, R>(record: RunRecord, effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> => {
  const self = observerOf(record)
  if (self?.tracing === undefined) return effect
  return phaseSpan(self.tracing, spanNames.appStop, effect, () => {}, (exit) => {
    // whatever is still open (background work abandoned) ends with the run
    endAll(self.tracing!, self.open, "interrupted")
    return { outcome: outcomeOfExit(exit), error: exit._tag === "Failure" ? Cause.squash(exit.cause) : undefined }
  })
}

/**
 * One phase of a run (`build`, `start`, `stop`, `release`) in its span, the parent of its
 * components' spans; those still open when it ends (cut short) end interrupted with it. It fails when
 * a component failed in it (the run's first error of the phase).
 *
 * @internal
 */
export const appPhase = <A, E, R>(record: RunRecord, phase: AppPhase, effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> => {
  const self = observerOf(record)
  if (self?.tracing === undefined) return effect
  let errorsBefore = 0
  return phaseSpan(self.tracing, spanNames[phase], effect, (span) => {
    self.phases[phase] = span
    errorsBefore = record.errors.length
    span.attribute(attributeNames.phase, phase)
    // as Plan.toLayer's build has it: the application's components (not layerwise's own services)
    if (phase === "build") span.attribute(attributeNames.components, record.componentCount)
  }, (exit) => {
    for (let slot = 0; slot < self.open.length; slot++) {
      const span = self.open[slot]
      if (span === undefined || appPhaseOf[phaseOrder[slot % phaseCount]!] !== phase) continue
      self.open[slot] = undefined
      closeSpan(self.tracing!, span, "interrupted")
    }
    if (exit._tag === "Failure" && Cause.isInterruptedOnly(exit.cause)) return { outcome: "interrupted" }
    const error = record.errors[errorsBefore]
    return error === undefined && exit._tag === "Success" ? { outcome: "success" } : { outcome: "failure", error: error ?? Cause.squash((exit as Exit.Failure<A, E>).cause) }
  })
}

/**
 * The constructors of a run's build run with their component's build span as their parent span
 * (the span began with the record's build phase; the executor sets it in the context the
 * constructor runs in).
 *
 * @internal
 */
export const constructing = (record: RunRecord, build: executor.GraphBuild): void => {
  const self = observerOf(record)
  if (self?.tracing === undefined) return
  const open = self.open
  const slot = phaseIndex.build
  build.spanOf = (id) => open[id * phaseCount + slot]
}

/**
 * A hook (initializer, start or stop hook, disposer) runs with its component's span of the phase as
 * its parent span. Background work runs with none: the spans it makes (a server's requests) begin
 * traces of their own. An Effect that is already its result runs nothing: it is left as it is.
 *
 * @internal
 */
export const hook = (
  target: { readonly record: RunRecord; readonly id: number; readonly phase: Report.Phase },
  effect: Effect.Effect<unknown, unknown>
): Effect.Effect<unknown, unknown> => {
  const self = observerOf(target.record)
  if (self?.tracing === undefined || runtime.resultOf(effect) !== undefined) return effect
  if (target.phase === "background") {
    return Effect.mapInputContext(effect, (context: Context.Context<never>) => Context.omit(Tracer.ParentSpan)(context) as Context.Context<never>)
  }
  const span = self.open[target.id * phaseCount + phaseIndex[target.phase]]
  return span === undefined ? effect : Effect.withParentSpan(effect, span)
}

// ---------------------------------------------------------------------------------------------
// App: health checks

/** One health check of a run (`App.health`): its component, its check, its span. */
interface CheckSpan {
  readonly component: string
  readonly check: string
  readonly span: Tracer.Span
}

/** The checks begun under each `layerwise.health` span (one per health check of a run). */
const healthCalls = globalValue(Symbol.for("layerwise/observe/healthCalls"), () => new WeakMap<Tracer.AnySpan, Array<CheckSpan>>())

/**
 * A health check of a run's components: in `layerwise.health` (under the caller's span), each check
 * in a `layerwise.component.health` span, ended with the report's outcome for it (healthy:
 * success; unhealthy: failure; timeout); the health status metric set from the report (1 healthy,
 * 0 not; the checks of a component that is not running: 0).
 *
 * @internal
 */
export const health = (record: RunRecord, effect: Effect.Effect<Health.Report>): Effect.Effect<Health.Report> => {
  const self = observerOf(record)
  if (self === undefined || (self.tracing === undefined && self.metrics === false)) return effect
  const measured = self.metrics !== false ? Effect.tap(effect, (report) => Effect.sync(() => healthMetrics(self, report))) : effect
  if (self.tracing === undefined) return measured
  const tracing = self.tracing
  const checks: Array<CheckSpan> = []
  return phaseSpan(tracing, spanNames.health, measured, (span) => {
    healthCalls.set(span, checks)
  }, (exit) => {
    const report = exit._tag === "Success" ? exit.value : undefined
    for (const { check, component, span } of checks) {
      const record = report?.components.find((entry) => entry.name === component)?.checks.find((entry) => entry.name === check)
      if (record === undefined) {
        closeSpan(tracing, span, "interrupted")
      } else {
        const outcome = record.status === "healthy" ? "success" : record.status === "timeout" ? "timeout" : "failure"
        const start = span.status._tag === "Started" ? span.status.startTime : runtime.clockNanos(tracing.clock)
        closeSpan(tracing, span, outcome, record.error, start + BigInt(Math.round(record.duration * 1e6)))
      }
    }
    return { outcome: exit._tag === "Success" ? (exit.value.healthy ? "success" : "failure") : outcomeOfExit(exit) }
  })
}

/**
 * One health check, started by the health check of a run (in the same synchronous step, on the
 * caller's fiber, under its `layerwise.health` span): it runs in its `layerwise.component.health`
 * span, which `health` ends from the report. `component` is the name the report lists it under: a
 * child container's component's is its path (`tenant-a/Db`).
 *
 * @internal
 */
export const check = (
  record: RunRecord,
  node: Plan.Node,
  component: string,
  name: string,
  effect: Effect.Effect<unknown, unknown>
): Effect.Effect<unknown, unknown> => {
  const self = observerOf(record)
  if (self?.tracing === undefined) return effect
  const parent = runtime.currentService(Tracer.ParentSpan)
  const checks = parent === undefined ? undefined : healthCalls.get(parent)
  if (checks === undefined) return effect
  const span = openComponentSpan(self.tracing, node, "health", Option.some(parent!))
  if (component !== node.name) span.attribute(attributeNames.component, component)
  span.attribute(attributeNames.check, name)
  checks.push({ component, check: name, span })
  return Effect.withParentSpan(effect, span)
}

const healthMetrics = (self: AppObserver, report: Health.Report): void => {
  for (const component of report.components) {
    const id = self.idOf(component.name)
    const checks = component.status === "not-running" && id !== undefined
      ? (self.plan.nodes[id]!.component.lifecycle?.healthChecks ?? []).map((check) => ({ name: check.name, status: "not-running" }))
      : component.checks
    for (const check of checks) runtime.updateMetric(healthStatusOf(component.name, check.name), check.status === "healthy" ? 1 : 0)
  }
}

// ---------------------------------------------------------------------------------------------
// App: the startup log

/**
 * Names the components still building, initializing or starting `slowAfter` after their phase
 * began, each once, in the order they began, on Effect's Clock: `still building db (1.00s)`.
 */
const watchSlow = (self: AppObserver, record: RunRecord, log: StartupLogSettings): Effect.Effect<void> =>
  Effect.suspend(() => {
    while (self.watchedHead < self.watched.length) {
      const slot = self.watched[self.watchedHead]!
      const id = Math.floor(slot / phaseCount)
      const phase = phaseOrder[slot % phaseCount]!
      if (record.endOf(id, phase) !== undefined) {
        self.watchedHead++
        continue
      }
      const elapsed = record.now() - self.watchedAt[self.watchedHead]!
      if (elapsed < log.slowAfter) return Effect.zipRight(Effect.sleep(Duration.millis(log.slowAfter - elapsed)), watchSlow(self, record, log))
      self.watchedHead++
      return Effect.zipRight(
        Effect.log(`still ${doing[phase]} ${record.nameOf(id)} (${Report.formatDuration(elapsed)})`),
        watchSlow(self, record, log)
      )
    }
    const wake = runtime.makeDeferred<void>()
    self.wake = wake
    return Effect.zipRight(Deferred.await(wake), watchSlow(self, record, log))
  })

/** A row of the startup table. */
interface StartupTiming {
  readonly name: string
  readonly build: number | undefined
  readonly start: number | undefined
  readonly total: number
}

/**
 * `started 3 components in 1.25s`: the application's components the startup built (layerwise's own
 * services, such as `App.Health`, are not counted nor listed; with none in the plan, why nothing
 * runs), then how many more are built when needed (scoped, transient, or reached only by handles:
 * the startup built none of them, a table row of dashes would say nothing), then (unless `rows` is
 * 0) a table of the slowest components' build (constructor and initializers) and start durations,
 * slowest first; `-` for a phase it did not have (nothing to start).
 *
 * @internal
 */
export const startupSummary = (record: RunRecord, log: StartupLogSettings): string => {
  // an application that runs none of its components is mostly a server not marked as startup
  if (record.componentCount === 0) {
    return `started 0 components in ${Report.formatDuration(record.now())}: no root or startup component reaches a component of the registry (give App.make its roots, or mark the components to run Lifecycle.startup())`
  }
  // The slowest `rows` components, ties in plan order, read from the record's columns: no report of
  // every component is made for the few rows shown (kept sorted by insertion: rows are few).
  const shown: Array<StartupTiming> = []
  let listed = 0
  for (let id = 0; id < record.plan.nodes.length; id++) {
    if (record.builtIn[id] === 1) continue
    const built = record.phaseDuration(id, "build")
    const initialized = record.phaseDuration(id, "initialize")
    const start = record.phaseDuration(id, "start")
    if (built === undefined && initialized === undefined && start === undefined) continue
    listed++
    if (log.rows === 0) continue
    const build = built === undefined && initialized === undefined ? undefined : (built ?? 0) + (initialized ?? 0)
    const total = (build ?? 0) + (start ?? 0)
    if (shown.length === log.rows && !(total > shown[shown.length - 1]!.total)) continue
    let at = shown.length
    while (at > 0 && shown[at - 1]!.total < total) at--
    shown.splice(at, 0, { name: record.nameOf(id), build, start, total })
    if (shown.length > log.rows) shown.pop()
  }
  const later = record.componentCount - listed
  const line = `started ${listed} component${listed === 1 ? "" : "s"} in ${Report.formatDuration(record.now())}${
    later === 0 ? "" : `; ${later} more ${later === 1 ? "is" : "are"} built when needed (scoped, transient, or reached only by handles)`
  }`
  if (shown.length === 0) return line
  const rows = [
    ["component", "build", "start"],
    ...shown.map((timing) => [
      timing.name,
      timing.build === undefined ? "-" : Report.formatDuration(timing.build),
      timing.start === undefined ? "-" : Report.formatDuration(timing.start)
    ])
  ]
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)))
  const lines = [line, ...rows.map((row) =>
    `  ${row.map((text, column) => column === 0 ? text.padEnd(widths[column]!) : text.padStart(widths[column]!)).join("  ")}`.trimEnd()
  )]
  const rest = listed - shown.length
  if (rest > 0) lines.push(`  … ${rest} more, each ${Report.formatDuration(shown[shown.length - 1]!.total)} or less`)
  return lines.join("\n")
}
