/**
 * Background work: long-lived effects of a component, started once its start hooks succeeded,
 * stopped before its stop hooks. One phase per component ("background"), ended once, when the last
 * of its runs settled, with the worst outcome among them (timeout over failure over success).
 *
 * Stopping: each run is asked to finish (its signal completes) and, unless it handles the signal,
 * interrupted; then awaited for at most the grace timeout. Work that handles the signal and does not
 * finish within grace is interrupted and awaited for at most the stop timeout. Whatever is still
 * running then is reported as timed out and left to its interruption: its phase ends then, once, and
 * its later end is ignored. Work that fails while the application runs (not asked to finish) requests
 * the application's shutdown.
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import type * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import type * as Lifecycle from "../../Lifecycle.js"
import type * as Report from "../../Report.js"
import * as runtime from "../runtime.js"
import * as deadlineInternal from "./deadline.js"
import * as hooks from "./hooks.js"

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

/** The background work of one component. @internal */
export class Backgrounds {
  readonly runs: Array<BackgroundRun> = []
  remaining: number
  outcome: Report.Outcome = "success"

  constructor(readonly target: hooks.Target, count: number) {
    this.remaining = count
  }

  /** Whether some of its work still runs. */
  get running(): boolean {
    return this.runs.some((run) => !run.done)
  }
}

const worst: Record<Report.Outcome, number> = { success: 0, interrupted: 0, failure: 1, timeout: 2 }

/**
 * Starts a component's background work; `onFailure` is called when work fails while not asked to
 * finish (the application then shuts down).
 *
 * @internal
 */
export const start = (
  target: hooks.Target,
  works: ReadonlyArray<Lifecycle.Background>,
  service: unknown,
  onFailure: () => void,
  servicesOf: (work: Lifecycle.Background) => Context.Context<never> | undefined = () => undefined
): Backgrounds => {
  const self = new Backgrounds(target, works.length)
  target.record.begin(target.id, "background")
  for (const background of works) {
    const signal = runtime.makeDeferred<void>()
    const started = hooks.startHook(target, background.name, () => background.run(service, shutdownSignal(signal)), servicesOf(background))
    // background work given as a result still gets a fiber, so that it is tracked like the others
    const fiber = runtime.isRunning(started) ? started : runtime.fork(target.runner, started)
    const run: BackgroundRun = { background, fiber, signal, done: false, stopping: false, overdue: false }
    self.runs.push(run)
    runtime.whenFiberEnds(fiber, (exit) => finished(self, run, exit, onFailure))
  }
  return self
}

/** What background work gets to see that it is asked to finish: `signal` completed. @internal */
export const shutdownSignal = (signal: Deferred.Deferred<void>): Lifecycle.ShutdownSignal => ({
  requested: Deferred.await(signal),
  isRequested: Deferred.isDone(signal)
})

const finished = (self: Backgrounds, run: BackgroundRun, exit: Exit.Exit<unknown, unknown>, onFailure: () => void): void => {
  // given up on as timed out: its late end is no longer part of the run (the report may be built)
  if (run.done) return
  const failed = exit._tag === "Failure" && !(run.stopping && Cause.isInterruptedOnly(exit.cause))
  if (failed) {
    hooks.hookFailed(self.target, run.background.name, exit.cause)
    if (!run.stopping) onFailure()
  }
  if (!run.overdue) settle(self, run, failed ? "failure" : "success")
}

/** Settles one run; the component's background phase ends with the last one. */
const settle = (self: Backgrounds, run: BackgroundRun, outcome: Report.Outcome): void => {
  run.done = true
  if (worst[outcome] > worst[self.outcome]) self.outcome = outcome
  if (--self.remaining === 0) self.target.record.end(self.target.id, "background", self.outcome)
}

/**
 * Stops a component's background work (see the module's doc), each wait capped by what is left of the
 * shutdown timeout (`deadline`): past it, work still running is interrupted without a wait and
 * reported as cut off by it.
 *
 * @internal
 */
export const stop = (
  self: Backgrounds,
  grace: Duration.Duration,
  stopTimeout: Duration.Duration,
  deadline?: deadlineInternal.ShutdownDeadline
): Effect.Effect<void> =>
  Effect.forEach(self.runs, (run) => {
    if (run.done) return Effect.void
    run.stopping = true
    runtime.openDeferred(run.signal)
    if (run.background.onShutdown === "interrupt") runtime.interruptFiber(run.fiber)
    if (deadline?.passed === true) {
      runtime.interruptFiber(run.fiber)
      timedOut(self, run, grace, undefined, deadline.text)
      return Effect.void
    }
    const wait = (timeout: Duration.Duration) => Effect.timeoutOption(Effect.interruptible(Fiber.await(run.fiber)), timeout)
    const graceWait = deadlineInternal.cap(deadline, grace)
    return Effect.flatMap(wait(graceWait.timeout), (exit) => {
      if (Option.isSome(exit)) return Effect.void
      if (run.background.onShutdown === "interrupt" || graceWait.cut !== undefined) {
        runtime.interruptFiber(run.fiber)
        timedOut(self, run, grace, undefined, graceWait.cut)
        return Effect.void
      }
      run.overdue = true
      runtime.interruptFiber(run.fiber)
      const stopWait = deadlineInternal.cap(deadline, stopTimeout)
      return Effect.map(wait(stopWait.timeout), (exit) =>
        Option.isSome(exit) ? timedOut(self, run, grace) : timedOut(self, run, grace, stopTimeout, stopWait.cut))
    })
  }, { concurrency: "unbounded", discard: true })

/** A run that did not finish in time (`cut`: the shutdown timeout cut it off): reported as a `HookTimeout` and settled as timed out (once). */
const timedOut = (self: Backgrounds, run: BackgroundRun, timeout: Duration.Duration, overrun?: Duration.Duration, cut?: string): void => {
  // it ended just as the wait timed out: it did finish in time
  if (run.done) return
  hooks.hookTimedOut(self.target, run.background.name, timeout, overrun, cut)
  settle(self, run, "timeout")
}

/** Interrupts every run still going, without waiting (the release follows); as asked to finish, not failed. @internal */
export const abandon = (self: Backgrounds): void => {
  for (const run of self.runs) {
    if (run.done) continue
    run.stopping = true
    runtime.interruptFiber(run.fiber)
  }
}
