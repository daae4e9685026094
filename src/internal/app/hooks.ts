/**
 * Running user effects with a bound: hooks (initializers, start and stop hooks, disposers),
 * background work and health checks all start here, the same way.
 *
 * - A user effect starts on a fiber of its own, from the application's runner (its context, FiberRefs
 *   and runtime flags), at once, in the caller's thread: one that completes synchronously is done
 *   when `start` returns (no scheduling, no timer); one that is already its result (`Effect.void`,
 *   `Effect.fail(...)`) needs no fiber at all. Only one that suspends is awaited.
 * - It is awaited for at most its timeout; past it, it is interrupted without waiting for it (one that
 *   ignores interruption cannot hold the lifecycle) and reported as timed out.
 * - A function that throws, or returns anything but an Effect, is a defect of that hook.
 *
 * A sequence of hooks (one kind, one component) runs one after the other, in declaration order:
 * stop hooks and disposers go on past a failing hook, initializers and start hooks stop at the first.
 * Before each hook starts, the sequence checks that its phase is still live: a hook never starts
 * after its phase was torn down. The wait for a hook is the only interruptible part of a sequence:
 * when it is interrupted (the phase is torn down: another start failed, the build failed, the run
 * was interrupted), the hook is interrupted and awaited for what is left of its timeout, so that its
 * finalizers end before its component, and what that depends on, are released ("cut off").
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import type * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Errors from "../../Errors.js"
import type * as Report from "../../Report.js"
import * as observe from "../observe.js"
import * as runtime from "../runtime.js"
import * as deadline from "./deadline.js"
import type { RunRecord } from "./record.js"

/** A started user effect: its exit when it is done, else its fiber. @internal */
export type Started = Exit.Exit<unknown, unknown> | Fiber.RuntimeFiber<unknown, unknown>

/**
 * What a user function gives: one that throws, or returns anything but an Effect, dies. `services`
 * are the services it declared (`{ dependencies }`), provided to it: the compiler checked, where it
 * was declared, that its Effect requires nothing else.
 *
 * @internal
 */
export const userEffect = (
  what: string,
  make: () => Effect.Effect<unknown, unknown, unknown>,
  services?: Context.Context<never>
): Effect.Effect<unknown, unknown> => {
  try {
    const effect = make()
    if (!Effect.isEffect(effect)) return Effect.die(new TypeError(`${what} did not return an Effect`))
    return (services === undefined ? effect : Effect.provide(effect, services)) as Effect.Effect<unknown, unknown>
  } catch (defect) {
    return Effect.die(defect)
  }
}

/** Starts a user effect from `runner` (see the module's doc). @internal */
export const start = (runner: runtime.Runner, effect: Effect.Effect<unknown, unknown>): Started =>
  runtime.resultOf(effect) ?? runtime.startOn(runner, Effect.interruptible(effect))

/**
 * Waits for a started fiber for at most `timeout` (`None`: it did not end in time, and was
 * interrupted without waiting). The wait is interruptible, whatever the caller's mode.
 *
 * @internal
 */
export const awaitWithin = (
  fiber: Fiber.RuntimeFiber<unknown, unknown>,
  timeout: Duration.Duration
): Effect.Effect<Option.Option<Exit.Exit<unknown, unknown>>> =>
  Effect.tap(Effect.timeoutOption(Effect.interruptible(Fiber.await(fiber)), timeout), (waited) => {
    if (Option.isNone(waited)) runtime.interruptFiber(fiber)
  })

/** What a user effect failed with (`HookFailed.cause`): its error, an interruption as an Error, or its defect. @internal */
export const failureOf = (cause: Cause.Cause<unknown>): { readonly kind: "failure" | "defect"; readonly reason: unknown } => {
  const failure = Cause.failureOption(cause)
  if (Option.isSome(failure)) return { kind: "failure", reason: failure.value }
  return { kind: "defect", reason: Cause.isInterruptedOnly(cause) ? new Error("interrupted") : Cause.squash(cause) }
}

/** The phases of hooks, as errors name them. */
const hookPhases: Partial<Record<Report.Phase, Errors.HookPhase>> = {
  initialize: "initialize",
  start: "start",
  background: "background",
  stop: "stop",
  dispose: "dispose"
}

/** Where hooks run: the run's record, a component, its phase, the runner, spans. @internal */
export interface Target {
  readonly record: RunRecord
  readonly id: number
  readonly phase: Report.Phase
  readonly runner: runtime.Runner
  readonly spans: boolean
}

/** The hook failed: recorded as an error of the run (the phase's first error, if it is). @internal */
export const hookFailed = (target: Target, hook: string, cause: Cause.Cause<unknown>): Errors.HookFailed => {
  const { kind, reason } = failureOf(cause)
  const error = new Errors.HookFailed({
    component: target.record.nameOf(target.id),
    path: target.record.pathOf(target.id),
    phase: hookPhases[target.phase]!,
    hook,
    cause: reason
  })
  target.record.fail(target.id, target.phase, hook, kind, error)
  return error
}

/**
 * The hook did not end within `timeout` (`shutdownTimeout`: cut off by the App's, see `deadline.ts`):
 * recorded as an error of the run.
 *
 * @internal
 */
export const hookTimedOut = (
  target: Target,
  hook: string,
  timeout: Duration.Duration,
  overrun?: Duration.Duration,
  shutdownTimeout?: string
): Errors.HookTimeout => {
  const error = new Errors.HookTimeout({
    component: target.record.nameOf(target.id),
    path: target.record.pathOf(target.id),
    phase: hookPhases[target.phase]!,
    hook,
    timeout: Duration.format(timeout),
    ...(overrun !== undefined && { overrun: Duration.format(overrun) }),
    ...(shutdownTimeout !== undefined && { shutdownTimeout })
  })
  target.record.fail(target.id, target.phase, hook, "timeout", error)
  return error
}

/** Starts one hook of a target, under its component's span of the phase when spans are on. @internal */
export const startHook = (
  target: Target,
  name: string,
  make: () => Effect.Effect<unknown, unknown, unknown>,
  services?: Context.Context<never>
): Started => {
  return start(target.runner, observe.hook(target, userEffect(`hook ${name}`, make, services)))
}

/** A hook of a sequence: its name and what it runs with the service. @internal */
export interface Hook {
  readonly name: string
  readonly run: (service: unknown) => Effect.Effect<unknown, unknown, unknown>
  /** the requests it declared (its services come from its component's resolved requests) */
  readonly dependencies?: ReadonlyArray<{ readonly key: string }> | undefined
}

const noServices = (): undefined => undefined

/**
 * How a sequence of hooks runs: the hooks, the component's service they receive, the timeout of
 * each, whether the rest still runs after one failed (stop hooks and disposers), while when the
 * phase is live (no hook starts once it is not; default: always), what to do when they are done,
 * the services each hook declared, and the shutdown timeout that caps each wait (stop hooks and
 * disposers: past it, a hook not begun is cut off without running, see `deadline.ts`).
 *
 * @internal
 */
export interface SequenceOptions {
  readonly hooks: ReadonlyArray<Hook>
  readonly service: unknown
  readonly timeout: Duration.Duration
  readonly keepGoing: boolean
  readonly live?: (() => boolean) | undefined
  readonly onDone?: ((sequence: Sequence) => void) | undefined
  readonly servicesOf?: ((hook: Hook) => Context.Context<never> | undefined) | undefined
  readonly deadline?: deadline.ShutdownDeadline | undefined
  /**
   * initializers and start hooks: the shutdown timeout, begun when their phase is torn down (see
   * `run.shutdownBegins`), which caps the wait for a hook cut off then as it caps the shutdown's waits
   */
  readonly tornDown?: (() => deadline.ShutdownDeadline | undefined) | undefined
}

const always = () => true
const noDeadline = (): undefined => undefined
const nothing = () => {}

/**
 * One kind of hooks of one component, run in declaration order as one phase (see the module's doc).
 * The phase begins when the sequence is made and ends, once, when it is done: `outcome` says how.
 *
 * @internal
 */
export class Sequence implements Target {
  index = 0
  outcome: Report.Outcome = "success"
  /** its errors, in order (each also recorded as an error of the run) */
  readonly errors: Array<Errors.HookFailed | Errors.HookTimeout> = []

  readonly record: RunRecord
  readonly id: number
  readonly phase: Report.Phase
  readonly runner: runtime.Runner
  readonly spans: boolean
  readonly hooks: ReadonlyArray<Hook>
  readonly service: unknown
  readonly timeout: Duration.Duration
  readonly keepGoing: boolean
  readonly live: () => boolean
  readonly onDone: (sequence: Sequence) => void
  readonly servicesOf: (hook: Hook) => Context.Context<never> | undefined
  readonly deadline: deadline.ShutdownDeadline | undefined
  readonly tornDown: () => deadline.ShutdownDeadline | undefined

  /** The hooks of a component's phase (`target`), begun in its record. */
  constructor(target: Target, options: SequenceOptions) {
    this.record = target.record
    this.id = target.id
    this.phase = target.phase
    this.runner = target.runner
    this.spans = target.spans
    this.hooks = options.hooks
    this.service = options.service
    this.timeout = options.timeout
    this.keepGoing = options.keepGoing
    this.live = options.live ?? always
    this.onDone = options.onDone ?? nothing
    this.servicesOf = options.servicesOf ?? noServices
    this.deadline = options.deadline
    this.tornDown = options.tornDown ?? noDeadline
    target.record.begin(target.id, target.phase)
  }
}

/**
 * Runs the hooks of a sequence: `undefined` when they all completed synchronously (the sequence is
 * done), else the Effect that runs the rest.
 *
 * @internal
 */
export const run = (self: Sequence): Effect.Effect<void> | undefined => {
  while (self.index < self.hooks.length) {
    if (!self.live()) {
      self.outcome = "interrupted"
      break
    }
    const hook = self.hooks[self.index]!
    if (self.deadline?.passed === true) {
      self.index++
      timedOut(self, hook.name, self.deadline.text)
      if (!self.keepGoing) break
      continue
    }
    const started = startHook(self, hook.name, () => hook.run(self.service), self.servicesOf(hook))
    if (runtime.isRunning(started)) return awaitHook(self, hook, started)
    self.index++
    if (!settle(self, hook.name, started) && !self.keepGoing) break
  }
  finish(self)
  return undefined
}

const awaitHook = (self: Sequence, hook: Hook, fiber: Fiber.RuntimeFiber<unknown, unknown>): Effect.Effect<void> => {
  const began = self.record.now()
  const { cut, timeout } = deadline.cap(self.deadline, self.timeout)
  return Effect.uninterruptibleMask((restore) =>
    Effect.flatMap(Effect.exit(restore(Effect.timeoutOption(Effect.interruptible(Fiber.await(fiber)), timeout))), (waited) => {
      self.index++
      if (waited._tag === "Failure") return Effect.zipRight(cutOff(self, hook, fiber, began), Effect.failCause(waited.cause))
      if (Option.isNone(waited.value)) {
        // Interrupted without waiting: a hook that ignores interruption cannot hold the lifecycle.
        runtime.interruptFiber(fiber)
        timedOut(self, hook.name, cut)
        if (!self.keepGoing) return Effect.sync(() => finish(self))
      } else if (!settle(self, hook.name, waited.value.value) && !self.keepGoing) {
        return Effect.sync(() => finish(self))
      }
      return run(self) ?? Effect.void
    })
  )
}

/**
 * The phase is torn down while a hook runs: the hook is interrupted and awaited for what is left of
 * its timeout; past it, it is reported as timed out and left to its interruption. The phase ends
 * interrupted when hooks of it never ran (a start cut off after its first hook is not a start).
 */
const cutOff = (self: Sequence, hook: Hook, fiber: Fiber.RuntimeFiber<unknown, unknown>, began: number): Effect.Effect<void> => {
  const end = () => {
    if (self.outcome === "success" && self.index < self.hooks.length) self.outcome = "interrupted"
    finish(self)
  }
  const late = runtime.pollFiber(fiber)
  if (late !== undefined) {
    settle(self, hook.name, late)
    end()
    return Effect.void
  }
  runtime.interruptFiber(fiber)
  // what is left of its timeout, and of the shutdown timeout, which begins as its phase is torn down
  const { cut, timeout } = deadline.cap(self.tornDown(), Duration.millis(Math.max(0, Duration.toMillis(self.timeout) - (self.record.now() - began))))
  return Effect.map(Effect.timeoutOption(Effect.interruptible(Fiber.await(fiber)), timeout), (ended) => {
    if (Option.isNone(ended)) timedOut(self, hook.name, cut)
    else if (ended.value._tag === "Success" || !Cause.isInterruptedOnly(ended.value.cause)) settle(self, hook.name, ended.value)
    else if (self.outcome === "success") self.outcome = "interrupted"
    end()
  })
}

/** A hook ended: `false` when it failed (recorded). */
const settle = (self: Sequence, name: string, exit: Exit.Exit<unknown, unknown>): boolean => {
  if (exit._tag === "Success") return true
  if (self.outcome === "success") self.outcome = "failure"
  self.errors.push(hookFailed(self, name, exit.cause))
  return false
}

/** `cut`: the shutdown timeout cut it off (its text). */
const timedOut = (self: Sequence, name: string, cut?: string): void => {
  if (self.outcome === "success") self.outcome = "timeout"
  self.errors.push(hookTimedOut(self, name, self.timeout, undefined, cut))
}

const finish = (self: Sequence): void => {
  self.record.end(self.id, self.phase, self.outcome)
  self.onDone(self)
}

/** Runs a sequence to its end, as an Effect. @internal */
export const runAll = (self: Sequence): Effect.Effect<void> => Effect.suspend(() => run(self) ?? Effect.void)
