/**
 * Running health checks: each one started and bounded as hooks are (`hooks.ts`), at most
 * `concurrency` at a time, reported in the order given. Never fails.
 *
 * @internal
 */
import type * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import type * as Health from "../../Health.js"
import { describeValue } from "../describe.js"
import * as health from "../health.js"
import * as runtime from "../runtime.js"
import * as hooks from "./hooks.js"

/**
 * One check to run; `start` starts it (see `hooks.start`).
 *
 * @internal
 */
export interface CheckTarget {
  readonly name: string
  /** whether it counts for readiness: its record says so */
  readonly readiness?: boolean | undefined
  readonly timeout: Duration.Duration
  /** whether its component's stop or shutdown interrupted it: the component is then listed as not running */
  readonly abandoned?: (() => boolean) | undefined
  /** called once its run no longer waits for it (it ended, timed out, or the run was interrupted) */
  readonly waited?: (() => void) | undefined
  readonly start: () => hooks.Started
}

/**
 * One component that declares checks; `running` when it started (otherwise its checks are not run).
 *
 * @internal
 */
export interface ComponentTarget {
  readonly name: string
  readonly running: boolean
  readonly checks: ReadonlyArray<CheckTarget>
}

/**
 * Runs the checks of the running components. Each check is awaited for at most its timeout: past it
 * the check is interrupted without waiting for the interruption (a check that ignores interruption
 * cannot hold the report) and reported as timed out. With an `overall` timeout, the whole run is
 * bounded too: when it expires, the checks still running are interrupted the same way and reported
 * as timed out, those not begun yet (waiting for their turn) as well, and the report is given at
 * once with what the others answered. When the caller is interrupted, the checks in flight are
 * interrupted too.
 *
 * @internal
 */
export const run = (
  components: ReadonlyArray<ComponentTarget>,
  concurrency: number,
  now: () => number,
  overall?: Duration.Duration
): Effect.Effect<Health.Report> =>
  Effect.suspend(() => {
    const slots: Array<Array<Slot>> = components.map((component) => (component.running ? component.checks.map(() => ({})) : []))
    const tasks: Array<Effect.Effect<void>> = []
    components.forEach((component, index) => {
      component.checks.forEach((check, position) => {
        if (component.running) tasks.push(runCheck(check, now, slots[index]![position]!))
      })
    })
    const all = Effect.all(tasks, { concurrency: Number.isFinite(concurrency) ? concurrency : "unbounded", discard: true })
    const report = (): Health.Report => {
      const listed = components.map((component, index): Health.ComponentRecord => {
        if (!component.running || component.checks.some((check) => check.abandoned?.() === true)) {
          return { name: component.name, status: "not-running", checks: [] }
        }
        const checks = component.checks.map((check, position) => slots[index]![position]!.record ?? overallTimeout(check, slots[index]![position]!, now, overall!))
        return {
          name: component.name,
          status: checks.every((check) => check.status === "healthy") ? "healthy" : "unhealthy",
          checks
        }
      })
      return { healthy: listed.every((component) => component.status === "healthy"), components: listed }
    }
    // the run's timeout interrupts the checks in flight (see `runCheck`) and those waiting for their
    // turn, whatever the caller's mode (as `hooks.awaitWithin` waits)
    return Effect.map(overall === undefined ? all : Effect.timeoutOption(Effect.interruptible(all), overall), report)
  })

/** One check as it runs: when it began (once it has), how it ended (once it has). */
interface Slot {
  began?: number
  record?: Health.CheckRecord
}

/** How a check ended, as the report lists it; one that counts for readiness says so, a healthy one its details (`Health.details`). */
const recordOf = (
  check: CheckTarget,
  status: Health.CheckStatus,
  duration: number,
  error?: string,
  details?: Record<string, unknown>
): Health.CheckRecord => ({
  name: check.name,
  status,
  duration,
  ...(error === undefined ? undefined : { error }),
  ...(check.readiness === true ? { readiness: true } : undefined),
  ...(details === undefined ? undefined : { details })
})

/** A check the run's timeout ended: it began and did not complete in time, or it never began. */
const overallTimeout = (check: CheckTarget, slot: Slot, now: () => number, overall: Duration.Duration): Health.CheckRecord =>
  recordOf(
    check,
    "timeout",
    slot.began === undefined ? 0 : Math.max(0, now() - slot.began),
    `${slot.began === undefined ? "did not begin" : "did not complete"} within the overall health timeout of ${Duration.format(overall)}`
  )

const runCheck = (check: CheckTarget, now: () => number, slot: Slot): Effect.Effect<void> =>
  Effect.suspend(() => {
    const began = now()
    slot.began = began
    const settle = (exit: Exit.Exit<unknown, unknown>): void => {
      const duration = Math.max(0, now() - began)
      slot.record = exit._tag === "Success"
        ? recordOf(check, "healthy", duration, undefined, health.isDetails(exit.value) ? health.jsonValues(exit.value.values) : undefined)
        : recordOf(check, "unhealthy", duration, renderCause(exit.cause))
    }
    const started = check.start()
    if (!runtime.isRunning(started)) {
      settle(started)
      return Effect.void
    }
    return hooks.awaitWithin(started, check.timeout).pipe(
      Effect.map((waited) => {
        if (Option.isSome(waited)) return settle(waited.value)
        slot.record = recordOf(check, "timeout", Math.max(0, now() - began), `did not complete within ${Duration.format(check.timeout)}`)
      }),
      Effect.onInterrupt(() => Effect.sync(() => runtime.interruptFiber(started))),
      Effect.ensuring(Effect.sync(() => check.waited?.()))
    )
  })

/** A check's failure as one line: its error (fields and causes) or its defect, as `Errors` render causes. */
const renderCause = (cause: Cause.Cause<unknown>): string => describeValue(cause)
