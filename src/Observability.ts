/**
 * What layerwise tells about a build and an application run: spans, Effect Metrics and the startup
 * log. Their names are stable: dashboards and alerts may rely on them.
 *
 * ## Spans
 *
 * Made with the tracer the program installs (`@effect/opentelemetry`, or any `Tracer`), on Effect's
 * `Clock`. With no tracer but Effect's built-in one (which exports nothing), or tracing disabled,
 * nothing is made; `spans: false` (an option of `App`, `Plan.toLayer`, `Registry.toLayer`) turns
 * them off, `spans: true` on whatever the tracer.
 *
 *     layerwise.app.start                    App.run / App.start: the build and the start
 *       layerwise.build                      the build phase (of an App, or of Plan.toLayer's Layer)
 *         layerwise.component.build          one per component: its constructor (its spans nest here)
 *         layerwise.component.initialize     its initializers
 *       layerwise.start
 *         layerwise.component.start          its start hooks
 *     layerwise.app.stop                     the shutdown
 *       layerwise.stop
 *         layerwise.component.stop           its background work stopped, then its stop hooks
 *       layerwise.release                    the release phase (of an App, or of the Layer's scope)
 *         layerwise.component.dispose        its disposers
 *         layerwise.component.release        its scope closed (its constructor's finalizers)
 *     layerwise.health                       App.health / healthOf / the App.Health service (under the caller's span)
 *       layerwise.component.health           one per check
 *     layerwise.component.background         one per component with background work: a root span,
 *                                            linked to layerwise.app.start
 *     layerwise.component.build              an instance built after startup (a lazy singleton's first use,
 *                                            a transient's, a scoped one's, a factory's, a reload, a
 *                                            lookup's own singleton, a child container's component, named
 *                                            by its path: `tenant-a/Db (override)`), under the span of what
 *                                            asked for it
 *
 * Hooks run under their component's span of the phase. Background work runs under no span at all:
 * the spans it starts (an HTTP server's request spans) begin traces of their own instead of nesting
 * under a span that lasts as long as the process. A component's background span ends when its work
 * ends: with success when App's stop ended it (interrupting it, or through its signal).
 *
 * Attributes ({@link attributes}): `layerwise.component` (its name), `layerwise.service` (its tag's
 * key), `layerwise.qualifiers` (when it has some), `layerwise.lifetime` (`singleton`, `transient`,
 * `scoped(request)`), `layerwise.phase`, `layerwise.outcome` (`success`, `failure`, `timeout`,
 * `interrupted`, as in the report), `layerwise.check` (a health check's name), `layerwise.components`
 * (on `layerwise.build`: how many). A span that did not succeed ends with its error (the run's error,
 * naming the component; a health check's failure) or with an interruption.
 *
 * ## Metrics
 *
 * Effect `Metric`s in the global registry (what `Metric.snapshot` and the OpenTelemetry exporter of
 * `@effect/opentelemetry` read). Labels are given in the order listed (the order is part of a
 * metric's key: use the `...Of` functions below to read one).
 *
 * | metric | type | labels | what |
 * | --- | --- | --- | --- |
 * | `layerwise.phase.duration` | histogram (ms) | `component`, `phase` | each phase of each component of an App run (`metrics: false` turns it off) |
 * | `layerwise.health.status` | gauge | `component`, `check` | 1 when the check passed the last time the health was checked, 0 when not (a component not running: 0) |
 * | `layerwise.instances.size` | gauge | `manager` | keys with a cached instance |
 * | `layerwise.instances.hits` | counter | `manager` | gets that found a cached instance needing no update |
 * | `layerwise.instances.misses` | counter | `manager` | gets that started a build or joined one |
 * | `layerwise.instances.evictions` | counter | `manager` | instances dropped by the idle time-to-live or the capacity |
 *
 * An instance manager's metrics are labelled with its `name` (`Instances.Provider.name`; the tag's
 * key for `Instances.layer`); a manager without a name has none (its `metrics` still count).
 *
 * ## The startup log
 *
 * By default an App logs (`Effect.log`, at the Info level: the program's Logger and minimum log
 * level decide what is shown) the components still building, initializing or starting after a
 * second, each once, as they go (`still building Database (1.00s)`), then, once started,
 * `started 12 components in 1.53s` and a table of the slowest components' build (constructor and
 * initializers) and start durations. `startupLog: "quiet"` logs the `started` line alone,
 * `startupLog: false` nothing (see {@link StartupLogOptions}). A failed startup is not logged here:
 * it is the run's failure (`runMain` prints it once, with the report).
 *
 * @since 0.2.0
 */
import type * as Duration from "effect/Duration"
import type * as Metric from "effect/Metric"
import * as internal from "./internal/observe.js"
import type * as Report from "./Report.js"

/**
 * The names of layerwise's spans (see the module's documentation for the tree they form).
 *
 * @example
 * ```ts
 * import { Observability } from "layerwise"
 *
 * // a span processor's filter: layerwise's own spans
 * export const isLayerwise = (name: string) => name.startsWith("layerwise.")
 * console.log(Observability.spanNames.build) // "layerwise.build"
 * ```
 *
 * @since 0.2.0
 * @category names
 */
export const spanNames: {
  readonly appStart: "layerwise.app.start"
  readonly appStop: "layerwise.app.stop"
  readonly build: "layerwise.build"
  readonly start: "layerwise.start"
  readonly stop: "layerwise.stop"
  readonly release: "layerwise.release"
  readonly health: "layerwise.health"
} = internal.spanNames

/**
 * The name of a component's span in a phase: `layerwise.component.<phase>`.
 *
 * @example
 * ```ts
 * import { Observability } from "layerwise"
 *
 * console.log(Observability.componentSpanName("start")) // "layerwise.component.start"
 * ```
 *
 * @since 0.2.0
 * @category names
 */
export const componentSpanName: (phase: Report.Phase | "health") => string = internal.componentSpanName

/**
 * The names of the attributes of layerwise's spans.
 *
 * @example
 * ```ts
 * import type { Tracer } from "effect"
 * import { Observability } from "layerwise"
 *
 * // which component a span belongs to, if any
 * export const componentOf = (span: Tracer.Span) => span.attributes.get(Observability.attributes.component)
 * ```
 *
 * @since 0.2.0
 * @category names
 */
export const attributes: {
  readonly component: "layerwise.component"
  readonly service: "layerwise.service"
  readonly qualifiers: "layerwise.qualifiers"
  readonly lifetime: "layerwise.lifetime"
  readonly phase: "layerwise.phase"
  readonly outcome: "layerwise.outcome"
  readonly check: "layerwise.check"
  readonly components: "layerwise.components"
} = internal.attributeNames

/**
 * `layerwise.phase.duration`: how long each phase of each component of an App run took, in
 * milliseconds, labelled by `phase` (and by `component` with the App option `metrics:
 * "per-component"`). Read one with {@link phaseDurationOf}.
 *
 * @example
 * ```ts
 * import { Metric } from "effect"
 * import { Observability } from "layerwise"
 *
 * // every build of every component, whatever its name
 * export const builds = Metric.snapshot
 * console.log(Observability.phaseDuration.keyType) // the histogram's boundaries
 * ```
 *
 * @since 0.2.0
 * @category metrics
 */
export const phaseDuration: Metric.Metric.Histogram<number> = internal.phaseDuration

/**
 * The phase durations of one phase, or of one component in it (recorded when the App's `metrics`
 * option is `"per-component"`).
 *
 * @example
 * ```ts
 * import { Effect, Metric } from "effect"
 * import { Observability } from "layerwise"
 *
 * // how many components were built, and how long their builds took in all
 * export const builds = Effect.map(
 *   Metric.value(Observability.phaseDurationOf("build")),
 *   (state) => ({ count: state.count, milliseconds: state.sum })
 * )
 * // the same for Database alone (an App with metrics: "per-component")
 * export const databaseBuilds = Metric.value(Observability.phaseDurationOf("build", "Database"))
 * ```
 *
 * @since 0.2.0
 * @category metrics
 */
export const phaseDurationOf: (phase: Report.Phase, component?: string) => Metric.Metric.Histogram<number> = internal.phaseDurationOf

/**
 * `layerwise.health.status`: 1 when a health check passed the last time the health of its App was
 * checked, 0 when it did not (failed, timed out, or its component was not running); labels
 * `component`, `check`. Read one with {@link healthStatusOf}.
 *
 * @example
 * ```ts
 * import { Observability } from "layerwise"
 *
 * console.log(Observability.healthStatus.keyType) // a gauge
 * ```
 *
 * @since 0.2.0
 * @category metrics
 */
export const healthStatus: Metric.Metric.Gauge<number> = internal.healthStatus

/**
 * The health status of one check of one component.
 *
 * @example
 * ```ts
 * import { Effect, Metric } from "effect"
 * import { Observability } from "layerwise"
 *
 * export const databaseUp = Effect.map(Metric.value(Observability.healthStatusOf("Database", "ping")), (state) => state.value === 1)
 * ```
 *
 * @since 0.2.0
 * @category metrics
 */
export const healthStatusOf: (component: string, check: string) => Metric.Metric.Gauge<number> = internal.healthStatusOf

/**
 * The metrics of one instance manager (label `manager`): `layerwise.instances.size` (a gauge),
 * `layerwise.instances.hits`, `.misses` and `.evictions` (counters).
 *
 * @example
 * ```ts
 * import { Effect, Metric } from "effect"
 * import { Observability } from "layerwise"
 *
 * const clients = Observability.instanceMetricsOf("app/Clients")
 * export const hitRatio = Effect.map(
 *   Effect.all([Metric.value(clients.hits), Metric.value(clients.misses)]),
 *   ([hits, misses]) => hits.count / Math.max(1, hits.count + misses.count)
 * )
 * ```
 *
 * @since 0.2.0
 * @category metrics
 */
export const instanceMetricsOf: (manager: string) => InstanceMetrics = internal.instanceMetricsOf

/**
 * The metrics of one instance manager (see {@link instanceMetricsOf}).
 *
 * @since 0.2.0
 * @category models
 */
export interface InstanceMetrics {
  readonly size: Metric.Metric.Gauge<number>
  readonly hits: Metric.Metric.Counter<number>
  readonly misses: Metric.Metric.Counter<number>
  readonly evictions: Metric.Metric.Counter<number>
}

/**
 * The startup log's settings (`App.Options.startupLog`).
 *
 * @example
 * ```ts
 * import { App, Registry } from "layerwise"
 *
 * // name components still building after 5 seconds; list the 3 slowest once started
 * export const app = App.make(Registry.empty, { startupLog: { slowAfter: "5 seconds", table: 3 } })
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface StartupLogOptions {
  /** Name a component still building, initializing or starting after this long (default 1 second). */
  readonly slowAfter?: Duration.DurationInput | undefined
  /** Rows of the timing table logged once started, slowest first (default 10; 0: the `started` line alone). */
  readonly table?: number | undefined
}

/**
 * What an App logs while it starts: `true` (default), `"quiet"` (the `started` line alone), `false`
 * (nothing), or {@link StartupLogOptions}.
 *
 * @example
 * ```ts
 * import type { Observability } from "layerwise"
 *
 * export const inProduction: Observability.StartupLog = "quiet"
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export type StartupLog = boolean | "quiet" | StartupLogOptions
