import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type * as Fiber from "effect/Fiber"
import type * as App from "../App.js"
import type * as Health from "../Health.js"
import type * as Report from "../Report.js"
import { formatDuration } from "../Report.js"
import { describeValue } from "./describe.js"
import * as runtime from "./runtime.js"

// ---------------------------------------------------------------------------------------------
// formatting

const checkStatusText: Record<Health.CheckStatus, string> = {
  healthy: "healthy",
  unhealthy: "UNHEALTHY",
  timeout: "TIMEOUT"
}

const componentStatusText: Record<Health.ComponentStatus, string> = {
  "healthy": "healthy",
  "unhealthy": "unhealthy",
  "not-running": "not running"
}

/** @internal */
export const format = (report: Health.Report): string => {
  const total = report.components.length
  const healthy = report.components.filter((component) => component.status === "healthy").length
  const lines = [
    `health ${report.healthy ? "OK" : "UNHEALTHY"}: ${
      total === 0 ? "no component declares health checks" : `${healthy} of ${total} component${total === 1 ? "" : "s"} healthy`
    }`
  ]
  for (const component of report.components) {
    lines.push(`  ${component.name}: ${componentStatusText[component.status]}`)
    for (const check of component.checks) {
      lines.push(
        `    ${check.name}${check.readiness === true ? " (readiness)" : ""}: ${checkStatusText[check.status]} ${formatDuration(check.duration)}${
          check.error === undefined ? "" : `: ${check.error}`
        }${check.details === undefined || Object.keys(check.details).length === 0 ? "" : ` (${detailsText(check.details)})`}`
      )
    }
  }
  return lines.join("\n")
}

// ---------------------------------------------------------------------------------------------
// details

/** @internal */
export const DetailsTypeId: unique symbol = Symbol.for("layerwise/Health/Details")

/** @internal */
export interface Details {
  readonly [DetailsTypeId]: typeof DetailsTypeId
  readonly values: Readonly<Record<string, unknown>>
}

const detailsProto = {
  [DetailsTypeId]: DetailsTypeId,
  toJSON(this: Details) {
    return { _id: "Health.Details", values: jsonValues(this.values) }
  }
}

/** @internal */
export const isDetails = (u: unknown): u is Details => typeof u === "object" && u !== null && DetailsTypeId in u

/** @internal */
export const details = (values: Readonly<Record<string, unknown>>): Details => {
  if (typeof values !== "object" || values === null || Array.isArray(values)) {
    throw new TypeError(`Health.details takes a record of values, got ${describeValue(values)}`)
  }
  const made = Object.create(detailsProto) as { values: Readonly<Record<string, unknown>> }
  made.values = values
  return made as Details
}

/** How deep details are written: deeper values are described in one line. */
const maxDepth = 6
/** How many elements of an array, or fields of a record, are written (the rest are counted). */
const maxEntries = 100
/** How long a string is written (the rest is counted). */
const maxString = 1_000

/**
 * The values of a check's details as plain JSON, fixed when the check ended (a later change of the
 * objects given does not change a report): `Redacted` as `<redacted>` (a health report never shows a
 * secret), a bigint as its digits, a non-finite number and a `Date` as text, what has a `toJSON` as
 * it writes itself, functions and symbols left out; bounded in depth, width and length, cycles
 * written `[Circular]`.
 *
 * @internal
 */
export const jsonValues = (values: Readonly<Record<string, unknown>>): Record<string, unknown> =>
  jsonRecord(values, 0, new Set())

const jsonRecord = (values: object, depth: number, seen: Set<object>): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  const keys = Object.keys(values)
  seen.add(values)
  for (const key of keys.slice(0, maxEntries)) {
    const value = jsonValue((values as Record<string, unknown>)[key], depth + 1, seen)
    if (value !== undefined) out[key] = value
  }
  if (keys.length > maxEntries) out["…"] = `${keys.length - maxEntries} more`
  seen.delete(values)
  return out
}

const jsonValue = (value: unknown, depth: number, seen: Set<object>): unknown => {
  switch (typeof value) {
    case "string":
      return value.length > maxString ? `${value.slice(0, maxString)}… (${value.length - maxString} more characters)` : value
    case "number":
      return Number.isFinite(value) ? value : String(value)
    case "boolean":
      return value
    case "bigint":
      return value.toString()
    case "undefined":
    case "function":
    case "symbol":
      return undefined
  }
  if (value === null) return null
  if (Redacted.isRedacted(value)) return "<redacted>"
  const object = value as object
  if (seen.has(object)) return "[Circular]"
  if (depth > maxDepth) return describeValue(object)
  if (object instanceof Date) return Number.isNaN(object.getTime()) ? "Invalid Date" : object.toISOString()
  if (Array.isArray(object)) {
    seen.add(object)
    const out = object.slice(0, maxEntries).map((element) => jsonValue(element, depth + 1, seen) ?? null)
    if (object.length > maxEntries) out.push(`… ${object.length - maxEntries} more`)
    seen.delete(object)
    return out
  }
  const toJSON = (object as { toJSON?: unknown }).toJSON
  if (typeof toJSON === "function") {
    let written: unknown
    try {
      written = toJSON.call(object)
    } catch (error) {
      return `[toJSON threw ${describeValue(error)}]`
    }
    if (written === object) return jsonRecord(object, depth, seen)
    seen.add(object)
    const out = jsonValue(written, depth, seen)
    seen.delete(object)
    return out
  }
  return jsonRecord(object, depth, seen)
}

/** Details as one line of text: `idle: 3, version: "14.2"`. */
const detailsText = (values: Readonly<Record<string, unknown>>): string =>
  Object.entries(values).map(([key, value]) => `${key}: ${JSON.stringify(value)}`).join(", ")

/**
 * Whether a component runs, as health reports see it: started; or, once the application started,
 * one with nothing to start (App starts at startup every singleton that takes part in the
 * lifecycle): a transient or scoped component, or a singleton only handles reach, `pending` (not
 * built yet) or `built` (on first use).
 *
 * @internal
 */
export const isRunning = (application: App.State, component: Report.ComponentState): boolean =>
  component === "started" || (application === "started" && (component === "pending" || component === "built"))

// ---------------------------------------------------------------------------------------------
// readiness

/**
 * The readiness of an application in `state` whose readiness checks answered `report` (see
 * `Health.Readiness`): ready when started and every check that counts is healthy.
 *
 * @internal
 */
export const readiness = (state: App.State, report: Health.Report): Health.Readiness => ({
  ready: state === "started" && report.healthy,
  state,
  failing: report.components.flatMap((component) =>
    component.status === "not-running"
      ? [`${component.name}/phase`]
      : component.checks.flatMap((check) => (check.status === "healthy" ? [] : [`${component.name}/${check.name}`]))
  ),
  report
})

/** The readiness of an application that has not started, or is stopping: no check runs. @internal */
export const notStarted = (state: App.State): Health.Readiness => readiness(state, { healthy: true, components: [] })

/**
 * `run` with at most one run in flight: a caller that comes while one runs gets that run's result,
 * one that comes after it ended starts the next. Nothing is kept once a run ended (no cache). The run
 * does not belong to its first caller: interrupting a caller stops its wait only, and the run ends
 * by itself (a health run ends within its checks' timeouts), or when its owner `abandon`s it (an
 * application that begins to stop: its checks must not go on with services it releases); its callers
 * then fail with the interruption.
 *
 * @internal
 */
export const sharedRun = <A>(run: Effect.Effect<A>): { readonly run: Effect.Effect<A>; readonly abandon: () => void } => {
  let inFlight: { readonly result: Deferred.Deferred<A>; fiber?: Fiber.RuntimeFiber<unknown> } | undefined
  // uninterruptible from taking the slot to forking its run: a slot taken is always completed
  const shared = Effect.uninterruptibleMask((restore) =>
    Effect.suspend(() => {
      if (inFlight !== undefined) return restore(Deferred.await(inFlight.result))
      const slot: { readonly result: Deferred.Deferred<A>; fiber?: Fiber.RuntimeFiber<unknown> } = { result: runtime.makeDeferred<A>() }
      inFlight = slot
      // interruptible, though forked where nothing is: `abandon` interrupts it
      const settled = Effect.onExit(Effect.interruptible(run), (exit) =>
        Effect.sync(() => {
          if (inFlight === slot) inFlight = undefined
          runtime.completeDeferred(slot.result, exit)
        }))
      return Effect.flatMap(Effect.forkDaemon(settled), (fiber) => {
        slot.fiber = fiber
        return restore(Deferred.await(slot.result))
      })
    })
  )
  const abandon = () => {
    const fiber = inFlight?.fiber
    if (fiber !== undefined) runtime.interruptFiber(fiber)
  }
  return { run: shared, abandon }
}
