/**
 * The report of an application run: per component, every lifecycle phase it went through with its
 * duration, outcome and error; the errors of the run; and whether it succeeded.
 *
 * A report is plain data described by an `effect/Schema` schema ({@link Report}), so it encodes to
 * JSON and decodes back with `Schema.encode` / `Schema.decodeUnknown`; {@link format} renders it as
 * text. Durations are milliseconds measured with Effect's `Clock` (so `TestClock` makes them
 * deterministic); `at` is the time since the run started.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { startupText } from "./internal/lifecycle.js"

/**
 * A component's lifecycle phase.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Report } from "layerwise"
 *
 * Schema.is(Report.Phase)("initialize") // true
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const Phase = Schema.Literal("build", "initialize", "start", "background", "stop", "dispose", "release")

/**
 * @since 0.1.0
 * @category models
 */
export type Phase = typeof Phase.Type

/**
 * Where a component is in its lifecycle (what `App.phase` answers).
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Report } from "layerwise"
 *
 * Schema.is(Report.ComponentState)("released") // true
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const ComponentState = Schema.Literal(
  "pending",
  "building",
  "built",
  "starting",
  "started",
  "stopping",
  "stopped",
  "releasing",
  "released",
  "failed"
)

/**
 * @since 0.1.0
 * @category models
 */
export type ComponentState = typeof ComponentState.Type

/**
 * How a phase ended.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Report } from "layerwise"
 *
 * Schema.is(Report.Outcome)("timeout") // true
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const Outcome = Schema.Literal("success", "failure", "timeout", "interrupted")

/**
 * @since 0.1.0
 * @category models
 */
export type Outcome = typeof Outcome.Type

/**
 * One phase of one component.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Report } from "layerwise"
 *
 * export const decode = Schema.decodeUnknownEither(Report.PhaseRecord) // a phase of a report read back from JSON
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const PhaseRecord = Schema.Struct({
  phase: Phase,
  /** milliseconds since the run started */
  at: Schema.Number,
  /** milliseconds */
  duration: Schema.Number,
  outcome: Outcome,
  /** the hook that failed or timed out, if any */
  hook: Schema.NullOr(Schema.String),
  /** the first error of the phase, rendered */
  error: Schema.NullOr(Schema.String)
})

/**
 * @since 0.1.0
 * @category models
 */
export interface PhaseRecord extends Schema.Schema.Type<typeof PhaseRecord> {}

/**
 * One component of the run, in build order.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Report } from "layerwise"
 *
 * export const decode = Schema.decodeUnknownEither(Report.ComponentRecord) // a component of a report read back from JSON
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const ComponentRecord = Schema.Struct({
  name: Schema.String,
  service: Schema.String,
  /** its startup order, when it is a startup component */
  startup: Schema.NullOr(Schema.Number),
  /**
   * Its lifetime when it is not a singleton (`transient`, `scoped(Request)`): such a component has
   * instances, built and released after startup, and its state stays `pending`; its instances'
   * initializers and disposers are not phases of the report.
   */
  lifetime: Schema.optional(Schema.String),
  /**
   * How many instances of it were built, when it is not a singleton (see `lifetime`); for a singleton,
   * those built besides it (its factory handle's calls, its reloads), when there were any.
   */
  instances: Schema.optional(Schema.Number),
  /** where it ended */
  state: ComponentState,
  /**
   * Milliseconds since the run started when it was shut down while the application ran
   * (`Container.shutDown`, of it or of something it depends on): its stop, dispose and release
   * phases are that shutdown's. Absent for a component the application's own shutdown released.
   */
  shutDownAt: Schema.optional(Schema.Number),
  phases: Schema.Array(PhaseRecord)
})

/**
 * @since 0.1.0
 * @category models
 */
export interface ComponentRecord extends Schema.Schema.Type<typeof ComponentRecord> {}

/**
 * One error of the run, in the order they happened.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Report } from "layerwise"
 *
 * export const decode = Schema.decodeUnknownEither(Report.ErrorRecord) // an error of a report read back from JSON
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const ErrorRecord = Schema.Struct({
  component: Schema.String,
  phase: Phase,
  hook: Schema.NullOr(Schema.String),
  kind: Schema.Literal("failure", "timeout", "defect"),
  message: Schema.String
})

/**
 * @since 0.1.0
 * @category models
 */
export interface ErrorRecord extends Schema.Schema.Type<typeof ErrorRecord> {}

/**
 * What an application component's constructor looked up during the build (`Container.get` in it):
 * `component` looked up `lookedUp`, which it then waited for as for a declared dependency (App
 * starts it before, stops and releases it after `component`). `lookedUp` is a component of the plan,
 * or an instance the lookup built of its own (not in the report's components), by its component's name.
 *
 * @example
 * ```ts
 * import { Report } from "layerwise"
 *
 * export const lookersOf = (report: Report.Report, name: string): ReadonlyArray<string> =>
 *   (report.lookups ?? []).filter((lookup) => lookup.lookedUp === name).map((lookup) => lookup.component)
 * ```
 *
 * @since 0.2.0
 * @category schemas
 */
export const Lookup = Schema.Struct({
  component: Schema.String,
  lookedUp: Schema.String
})

/**
 * @since 0.2.0
 * @category models
 */
export interface Lookup extends Schema.Schema.Type<typeof Lookup> {}

/**
 * How the run ended:
 * - `shutdown`: a shutdown was requested (`App.shutdown`, the `App.Shutdowner` service, `App.stop`;
 *   under `runMain`, from `layerwise/node`, a SIGINT or SIGTERM once the application runs, with the
 *   signal as `shutdownReason`);
 * - `interrupted`: the run was interrupted (under `runMain`, a signal before the application started);
 * - `build-failed`, `start-failed`, `background-failed`: see `Errors.ApplicationFailed`.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Report } from "layerwise"
 *
 * Schema.is(Report.Ending)("shutdown") // true
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const Ending = Schema.Literal("shutdown", "interrupted", "build-failed", "start-failed", "background-failed")

/**
 * @since 0.1.0
 * @category models
 */
export type Ending = typeof Ending.Type

/**
 * The report of an application run.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Report } from "layerwise"
 *
 * const toJson = (report: Report.Report): string => JSON.stringify(Schema.encodeSync(Report.Report)(report))
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const Report = Schema.Struct({
  /** `true` when nothing failed or timed out, from build to release */
  success: Schema.Boolean,
  ending: Ending,
  /** the reason given with the shutdown request, if any */
  shutdownReason: Schema.NullOr(Schema.String),
  /**
   * the exit code the (first) shutdown request asked for (`App.shutdown(running, "done", { exitCode: 3 })`,
   * the `App.Shutdowner`'s `shutdown`), which `runMain` exits with after a clean run; absent when none
   * was asked for (`runMain` then exits 0 after a clean run). A failed run exits 1 whatever it says
   */
  exitCode: Schema.optional(Schema.Int.pipe(Schema.between(0, 255))),
  /** when the run started, milliseconds since the epoch (Effect's Clock) */
  startedAt: Schema.Number,
  /** milliseconds from the start of the run until everything started (or the start failed) */
  startup: Schema.Number,
  /** milliseconds the application ran (started, before the shutdown began) */
  running: Schema.Number,
  /** milliseconds the shutdown took (stop hooks, disposers, releases) */
  shutdown: Schema.Number,
  /**
   * the application's components, in plan order; layerwise's own services that components request
   * (`App.Health`, `App.Shutdowner`, `App.Application`) are not among them
   */
  components: Schema.Array(ComponentRecord),
  errors: Schema.Array(ErrorRecord),
  /**
   * What the components' constructors looked up during the build (see {@link Lookup}): per component in
   * plan order, each name once, in the order looked up; layerwise's own services left out. App's
   * reports always have it (empty when nothing was looked up; during the build, what was looked up so
   * far: a lookup is listed as its wait begins); optional
   * so that a report written by hand, or read from an earlier version's JSON, needs none: read it as
   * empty then. `Ops.startupTimeline` counts each as a dependency.
   */
  lookups: Schema.optional(Schema.Array(Lookup))
})

/**
 * @since 0.1.0
 * @category models
 */
export interface Report extends Schema.Schema.Type<typeof Report> {}

const columns: ReadonlyArray<readonly [Phase, string]> = [
  ["build", "build"],
  ["initialize", "init"],
  ["start", "start"],
  ["background", "background"],
  ["stop", "stop"],
  ["dispose", "dispose"],
  ["release", "release"]
]

/**
 * Renders a duration in milliseconds: `0.42ms`, `12.3ms`, `1.25s`.
 *
 * @example
 * ```ts
 * import { Report } from "layerwise"
 *
 * console.log(Report.formatDuration(1250)) // "1.25s"
 * ```
 *
 * @since 0.1.0
 * @category formatting
 */
export const formatDuration = (ms: number): string =>
  ms >= 1000 ? `${(ms / 1000).toFixed(2)}s` : ms >= 10 ? `${ms.toFixed(1)}ms` : `${ms.toFixed(2)}ms`

const cell = (record: PhaseRecord | undefined): string => {
  if (record === undefined) return "-"
  switch (record.outcome) {
    case "success":
      return formatDuration(record.duration)
    case "failure":
      return `FAILED ${formatDuration(record.duration)}`
    case "timeout":
      return `TIMEOUT ${formatDuration(record.duration)}`
    case "interrupted":
      return `INTERRUPTED ${formatDuration(record.duration)}`
  }
}

const endings: Record<Ending, string> = {
  "shutdown": "shut down",
  "interrupted": "interrupted",
  "build-failed": "build failed",
  "start-failed": "start failed",
  "background-failed": "background work failed"
}

/**
 * Renders a report as text: a summary line (how the run ended, with the shutdown's reason and the exit
 * code asked for when there are: `application OK (shut down: job done, exit code 3): ...`), one row per component with the duration of each phase
 * it went through (`FAILED`, `TIMEOUT` or `INTERRUPTED` where it did not succeed; phases no component
 * went through are left out; a component shut down while the application ran says when, as
 * `Db (shut down at 5.00s)`), what constructors looked up during the build, when they did (a line
 * per component: `  - Api: Plugins, Cache`), then every error.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { App, Registry, Report } from "layerwise"
 *
 * const program = App.run(App.make(Registry.empty)).pipe(
 *   Effect.tap((report) => Effect.log(Report.format(report)))
 * )
 * ```
 *
 * @since 0.1.0
 * @category formatting
 */
export const format = (report: Report): string => {
  const lines: Array<string> = []
  lines.push(
    `application ${report.success ? "OK" : "FAILED"} (${endings[report.ending]}${
      report.shutdownReason !== null ? `: ${report.shutdownReason}` : ""
    }${report.exitCode !== undefined ? `, exit code ${report.exitCode}` : ""}): startup ${formatDuration(report.startup)}, ran ${formatDuration(report.running)}, shutdown ${
      formatDuration(report.shutdown)
    }, ${report.components.length} component${report.components.length === 1 ? "" : "s"}`
  )
  const used = columns.filter(([phase]) =>
    report.components.some((component) => component.phases.some((record) => record.phase === phase))
  )
  if (report.components.length > 0) {
    const header = ["component", ...used.map(([, title]) => title)]
    const rows = report.components.map((component) => [
      `${component.name}${component.lifetime === undefined ? "" : ` · ${component.lifetime}`}${
        component.instances === undefined
          ? ""
          : component.lifetime === undefined
          ? ` (+${component.instances} instance${component.instances === 1 ? "" : "s"}: factory calls, reloads)`
          : ` (${component.instances} instance${component.instances === 1 ? "" : "s"})`
      }${
        component.startup === null ? "" : ` (startup ${startupText(component.startup)})`
      }${component.shutDownAt === undefined ? "" : ` (shut down at ${formatDuration(component.shutDownAt)})`}`,
      ...used.map(([phase]) => cell(component.phases.find((record) => record.phase === phase)))
    ])
    const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)))
    const render = (row: ReadonlyArray<string>) =>
      `  ${row.map((text, column) => column === 0 ? text.padEnd(widths[column]!) : text.padStart(widths[column]!)).join("  ")}`
        .trimEnd()
    lines.push(render(header))
    for (const row of rows) lines.push(render(row))
  }
  const lookups = report.lookups ?? []
  if (lookups.length > 0) {
    lines.push("looked up by constructors during the build:")
    const byComponent = new Map<string, Array<string>>()
    for (const { component, lookedUp } of lookups) {
      const found = byComponent.get(component)
      if (found === undefined) byComponent.set(component, [lookedUp])
      else found.push(lookedUp)
    }
    for (const [component, found] of byComponent) lines.push(`  - ${component}: ${found.join(", ")}`)
  }
  if (report.errors.length > 0) {
    lines.push(`${report.errors.length} error${report.errors.length === 1 ? "" : "s"}:`)
    for (const error of report.errors) lines.push(`  - ${error.message}`)
  }
  return lines.join("\n")
}
