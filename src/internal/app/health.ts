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
import * as runtime from "../runtime.js"
import * as hooks from "./hooks.js"

/**
 * One check to run; `start` starts it (see `hooks.start`).
 *
 * @internal
 */
export interface CheckTarget {
  readonly name: string
  readonly timeout: Duration.Duration
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
 * cannot hold the report) and reported as timed out. When the caller is interrupted, the checks in
 * flight are interrupted too.
 *
 * @internal
 */
export const run = (
  components: ReadonlyArray<ComponentTarget>,
  concurrency: number,
  now: () => number
): Effect.Effect<Health.Report> =>
  Effect.suspend(() => {
    const records: Array<Array<Health.CheckRecord>> = components.map(() => [])
    const tasks: Array<Effect.Effect<void>> = []
    components.forEach((component, index) => {
      if (!component.running) return
      const into = records[index]!
      component.checks.forEach((check, position) => {
        tasks.push(runCheck(check, now, (record) => (into[position] = record)))
      })
    })
    const all = Effect.all(tasks, { concurrency: Number.isFinite(concurrency) ? concurrency : "unbounded", discard: true })
    return Effect.map(all, () => {
      const listed = components.map((component, index): Health.ComponentRecord => {
        if (!component.running) return { name: component.name, status: "not-running", checks: [] }
        const checks = records[index]!
        return {
          name: component.name,
          status: checks.every((check) => check.status === "healthy") ? "healthy" : "unhealthy",
          checks
        }
      })
      return { healthy: listed.every((component) => component.status === "healthy"), components: listed }
    })
  })

const runCheck = (
  check: CheckTarget,
  now: () => number,
  done: (record: Health.CheckRecord) => void
): Effect.Effect<void> =>
  Effect.suspend(() => {
    const began = now()
    const settle = (exit: Exit.Exit<unknown, unknown>): void => {
      const duration = Math.max(0, now() - began)
      done(
        exit._tag === "Success"
          ? { name: check.name, status: "healthy", duration }
          : { name: check.name, status: "unhealthy", duration, error: renderCause(exit.cause) }
      )
    }
    const started = check.start()
    if (!runtime.isRunning(started)) {
      settle(started)
      return Effect.void
    }
    return hooks.awaitWithin(started, check.timeout).pipe(
      Effect.map((waited) => {
        if (Option.isSome(waited)) return settle(waited.value)
        done({
          name: check.name,
          status: "timeout",
          duration: Math.max(0, now() - began),
          error: `did not complete within ${Duration.format(check.timeout)}`
        })
      }),
      Effect.onInterrupt(() => Effect.sync(() => runtime.interruptFiber(started)))
    )
  })

/** A check's failure as one line: its error (fields and causes) or its defect, as `Errors` render causes. */
const renderCause = (cause: Cause.Cause<unknown>): string => describeValue(cause)
