import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as FiberId from "effect/FiberId"
import * as Option from "effect/Option"
import type * as Health from "../Health.js"
import { formatDuration } from "../Report.js"
import { describeValue } from "./describe.js"

// ---------------------------------------------------------------------------------------------
// running checks

/**
 * One check to run. `start` runs it on a fiber of its own (with the application's runtime, see
 * `App.health`) and gives its result at once when it is already one or completed synchronously.
 *
 * @internal
 */
export interface CheckTarget {
  readonly name: string
  readonly timeout: Duration.Duration
  readonly start: () => Exit.Exit<unknown, unknown> | Fiber.RuntimeFiber<unknown, unknown>
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
 * Runs the checks of the running components, at most `concurrency` at a time (checks, not
 * components), and reports them in the order given. Never fails.
 *
 * Each check is awaited for at most its timeout: past it the check is interrupted without waiting for
 * the interruption (a check that ignores interruption cannot hold the report) and reported as timed
 * out. When the caller is interrupted, the checks in flight are interrupted too.
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
    const polled = Exit.isExit(started) ? started : started.unsafePoll()
    if (polled !== null) {
      settle(polled)
      return Effect.void
    }
    const fiber = started as Fiber.RuntimeFiber<unknown, unknown>
    return Effect.timeoutOption(Effect.interruptible(Fiber.await(fiber)), check.timeout).pipe(
      Effect.map((waited) => {
        if (Option.isSome(waited)) return settle(waited.value)
        fiber.unsafeInterruptAsFork(FiberId.none)
        done({
          name: check.name,
          status: "timeout",
          duration: Math.max(0, now() - began),
          error: `did not complete within ${Duration.format(check.timeout)}`
        })
      }),
      Effect.onInterrupt(() => Effect.sync(() => fiber.unsafeInterruptAsFork(FiberId.none)))
    )
  })

/** A check's failure as one line: its errors and defects (or `interrupted`), rendered as `Errors` render causes. */
const renderCause = (cause: Cause.Cause<unknown>): string => describeValue(cause)


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
        `    ${check.name}: ${checkStatusText[check.status]} ${formatDuration(check.duration)}${
          check.error === undefined ? "" : `: ${check.error}`
        }`
      )
    }
  }
  return lines.join("\n")
}
