import { describe, expect, it } from "@effect/vitest"
import { Cause, Data, Deferred, Duration, Effect, Exit, Fiber, FiberId, Option, TestClock } from "effect"
import { Errors } from "../../src/index.js"
import * as hooks from "../../src/internal/app/hooks.js"
import type * as Report from "../../src/Report.js"
import * as runtime from "../../src/internal/runtime.js"
import { makeRecord, settle } from "../helpers/run.js"

class Boom extends Data.TaggedError("Boom")<{ readonly where: string }> {}

interface Options {
  readonly phase?: Report.Phase
  readonly timeout?: Duration.DurationInput
  readonly keepGoing?: boolean
  readonly live?: () => boolean
}

/**
 * A sequence of hooks of component `db`, each given as `[name, run]`; `log` gets `done` when the
 * sequence ends (its `onDone`).
 */
const sequenceOf = (hookList: ReadonlyArray<readonly [string, (service: unknown) => Effect.Effect<unknown, unknown>]>, options?: Options) =>
  Effect.gen(function*() {
    const { events, record } = yield* makeRecord("db")
    const runner = yield* runtime.currentRunner
    const log: Array<string> = []
    const sequence = new hooks.Sequence({ record, id: 0, phase: options?.phase ?? "start", runner, spans: false }, {
      hooks: hookList.map(([name, run]) => ({ name, run })),
      service: "the service",
      timeout: Duration.decode(options?.timeout ?? "15 seconds"),
      keepGoing: options?.keepGoing ?? false,
      live: options?.live,
      onDone: () => void log.push("done")
    })
    return { sequence, record, events, log }
  })

/** A hook recording its name (in `log`) and succeeding. */
const ok = (log: Array<string>, name: string) => [name, () => Effect.sync(() => void log.push(name))] as const

/** A hook recording its name, then suspending (a yield), then succeeding. */
const later = (log: Array<string>, name: string) =>
  [name, () => Effect.zipRight(Effect.sync(() => void log.push(name)), Effect.yieldNow())] as const

const failing = (log: Array<string>, name: string) =>
  [name, () => Effect.zipRight(Effect.sync(() => void log.push(name)), Effect.fail(new Boom({ where: name })))] as const

const tagsOf = (errors: ReadonlyArray<{ readonly _tag: string; readonly hook: string }>) => errors.map((error) => `${error._tag} ${error.hook}`)

describe("hooks", () => {
  describe("starting a user effect", () => {
    it.effect("an Effect that is already its result starts without a fiber; one that completes synchronously is done when start returns", () =>
      Effect.gen(function*() {
        const runner = yield* runtime.currentRunner
        expect(hooks.start(runner, Effect.void)).toBe(Effect.void)
        let ran = false
        const started = hooks.start(runner, Effect.sync(() => (ran = true)))
        expect(ran).toBe(true)
        expect(runtime.isRunning(started)).toBe(false)
        expect(Exit.isSuccess(started as Exit.Exit<unknown>)).toBe(true)
        expect(runtime.isRunning(hooks.start(runner, Effect.yieldNow()))).toBe(true)
      }))

    it.effect("a user effect starts interruptible, even from a runner captured in an uninterruptible region", () =>
      Effect.gen(function*() {
        const runner = yield* Effect.uninterruptible(runtime.currentRunner)
        const started = hooks.start(runner, Effect.never) as Fiber.RuntimeFiber<unknown, unknown>
        expect(Exit.isInterrupted(yield* Fiber.interrupt(started))).toBe(true)
      }))

    it("a function that throws, or returns anything but an Effect, gives an Effect that dies", () => {
      const thrown = new Error("thrown")
      const fromThrow = Effect.runSyncExit(hooks.userEffect("hook h", () => {
        throw thrown
      }))
      expect(fromThrow).toEqual(Exit.die(thrown))
      const fromValue = Effect.runSyncExit(hooks.userEffect("hook h", () => 42 as never))
      expect(fromValue).toEqual(Exit.die(new TypeError("hook h did not return an Effect")))
    })

    it("a failure is the error; a defect is the defect; an interruption is a defect saying so", () => {
      expect(hooks.failureOf(Cause.fail("no"))).toEqual({ kind: "failure", reason: "no" })
      const defect = new Error("bug")
      expect(hooks.failureOf(Cause.die(defect))).toEqual({ kind: "defect", reason: defect })
      expect(hooks.failureOf(Cause.interrupt(FiberId.none))).toEqual({
        kind: "defect",
        reason: new Error("interrupted")
      })
    })

    it.effect("awaitWithin gives the exit of a fiber that ends in time; past the timeout, None, the fiber interrupted without waiting for it", () =>
      Effect.gen(function*() {
        const runner = yield* runtime.currentRunner
        const quick = hooks.start(runner, Effect.as(Effect.sleep("1 second"), 1)) as Fiber.RuntimeFiber<unknown, unknown>
        const waited = yield* Effect.fork(hooks.awaitWithin(quick, Duration.seconds(2)))
        yield* TestClock.adjust("1 second")
        expect(yield* Fiber.join(waited)).toEqual(Option.some(Exit.succeed(1)))
        const gate = yield* Deferred.make<void>()
        const stubborn = hooks.start(
          runner,
          Effect.onInterrupt(Effect.never, () => Deferred.await(gate))
        ) as Fiber.RuntimeFiber<unknown, unknown>
        const timedOut = yield* Effect.fork(Effect.uninterruptible(hooks.awaitWithin(stubborn, Duration.seconds(2))))
        yield* settle
        yield* TestClock.adjust("2 seconds")
        expect(yield* Fiber.join(timedOut)).toEqual(Option.none())
        // interrupted, still finalizing: nobody waited for it
        expect(runtime.pollFiber(stubborn)).toBeUndefined()
        yield* Deferred.succeed(gate, undefined)
        expect(Exit.isInterrupted(yield* Fiber.await(stubborn))).toBe(true)
      }))

    it.effect("the wait of awaitWithin is interruptible, also in an uninterruptible region", () =>
      Effect.gen(function*() {
        const runner = yield* runtime.currentRunner
        const fiber = hooks.start(runner, Effect.never) as Fiber.RuntimeFiber<unknown, unknown>
        const waiting = yield* Effect.fork(Effect.uninterruptible(hooks.awaitWithin(fiber, Duration.seconds(2))))
        yield* settle
        expect(Exit.isInterrupted(yield* Fiber.interrupt(waiting))).toBe(true)
        yield* Fiber.interrupt(fiber)
      }))
  })

  describe("sequences", () => {
    it.effect("synchronous hooks complete without a fiber: run returns nothing, and the phase has ended", () =>
      Effect.gen(function*() {
        const calls: Array<string> = []
        const { events, log, record, sequence } = yield* sequenceOf([ok(calls, "a"), ["b", () => Effect.void], ok(calls, "c")])
        expect(hooks.run(sequence)).toBeUndefined()
        expect(calls).toEqual(["a", "c"])
        expect(log).toEqual(["done"])
        expect(sequence.outcome).toBe("success")
        expect(record.endOf(0, "start")).toBe(0)
        expect(events.map((event) => event._tag)).toEqual(["PhaseStarted", "PhaseEnded"])
      }))

    it.effect("hooks run in declaration order, with the service, synchronous and asynchronous alike", () =>
      Effect.gen(function*() {
        const calls: Array<string> = []
        const { log, sequence } = yield* sequenceOf([
          ok(calls, "a"),
          later(calls, "b"),
          ["c", (service) => Effect.sync(() => void calls.push(`c ${service}`))],
          later(calls, "d"),
          ok(calls, "e")
        ])
        yield* hooks.runAll(sequence)
        expect(calls).toEqual(["a", "b", "c the service", "d", "e"])
        expect(log).toEqual(["done"])
        expect(sequence.outcome).toBe("success")
      }))

    it.effect("initializers and start hooks stop at the first failure: the hooks after it never start", () =>
      Effect.gen(function*() {
        for (const kind of ["sync", "async"] as const) {
          const calls: Array<string> = []
          const fail = kind === "sync"
            ? failing(calls, "b")
            : (["b", () => Effect.zipRight(Effect.yieldNow(), failing(calls, "b")[1]())] as const)
          const { record, sequence } = yield* sequenceOf([later(calls, "a"), fail, ok(calls, "c")])
          yield* hooks.runAll(sequence)
          expect(calls).toEqual(["a", "b"])
          expect(sequence.outcome).toBe("failure")
          expect(tagsOf(sequence.errors)).toEqual(["HookFailed b"])
          expect(sequence.errors[0]).toEqual(
            new Errors.HookFailed({ component: "db", path: ["db"], phase: "start", hook: "b", cause: new Boom({ where: "b" }) })
          )
          expect(record.errors).toEqual(sequence.errors)
        }
      }))

    it.effect("stop hooks go on past a failing hook and gather every error, in order", () =>
      Effect.gen(function*() {
        const calls: Array<string> = []
        const dies = ["c", () => Effect.zipRight(Effect.yieldNow(), Effect.die(new Error("c died")))] as const
        const { record, sequence } = yield* sequenceOf([failing(calls, "a"), later(calls, "b"), dies, failing(calls, "d"), ok(calls, "e")], {
          phase: "stop",
          keepGoing: true
        })
        yield* hooks.runAll(sequence)
        expect(calls).toEqual(["a", "b", "d", "e"])
        expect(sequence.outcome).toBe("failure")
        expect(tagsOf(sequence.errors)).toEqual(["HookFailed a", "HookFailed c", "HookFailed d"])
        expect(record.errorRecords.map((error) => [error.hook, error.kind, error.phase])).toEqual([
          ["a", "failure", "stop"],
          ["c", "defect", "stop"],
          ["d", "failure", "stop"]
        ])
      }))

    it.effect("a hook that throws, or returns anything but an Effect, is a defect of that hook; the sequence goes on as for any failure", () =>
      Effect.gen(function*() {
        const calls: Array<string> = []
        const thrown = new Error("thrown")
        const { record, sequence } = yield* sequenceOf([
          ["throws", () => {
            throw thrown
          }],
          ["value", () => "not an Effect" as never],
          ok(calls, "after")
        ], { phase: "dispose", keepGoing: true })
        expect(hooks.run(sequence)).toBeUndefined()
        expect(calls).toEqual(["after"])
        expect(sequence.errors.map((error) => (error as Errors.HookFailed).cause)).toEqual([
          thrown,
          new TypeError("hook value did not return an Effect")
        ])
        expect(record.errorRecords.map((error) => error.kind)).toEqual(["defect", "defect"])
      }))

    it.effect("a hook past its timeout is reported by name and interrupted without waiting for it; a start sequence stops there", () =>
      Effect.gen(function*() {
        const calls: Array<string> = []
        const gate = yield* Deferred.make<void>()
        const stubborn = ["stubborn", () =>
          Effect.onInterrupt(Effect.never, () =>
            Effect.zipRight(Deferred.await(gate), Effect.sync(() => void calls.push("stubborn finalized"))))] as const
        const { log, sequence } = yield* sequenceOf([ok(calls, "a"), stubborn, ok(calls, "c")], { timeout: "1 second" })
        const fiber = yield* Effect.fork(hooks.runAll(sequence))
        yield* settle
        yield* TestClock.adjust("1 second")
        yield* Fiber.join(fiber)
        expect(calls).toEqual(["a"])
        expect(log).toEqual(["done"])
        expect(sequence.outcome).toBe("timeout")
        expect(sequence.errors).toEqual([
          new Errors.HookTimeout({ component: "db", path: ["db"], phase: "start", hook: "stubborn", timeout: "1s" })
        ])
        yield* Deferred.succeed(gate, undefined)
        yield* settle
        expect(calls).toEqual(["a", "stubborn finalized"])
      }))

    it.effect("a stop hook past its timeout is reported, and the stop hooks after it still run", () =>
      Effect.gen(function*() {
        const calls: Array<string> = []
        const { sequence } = yield* sequenceOf([["slow", () => Effect.never], ok(calls, "next")], {
          phase: "stop",
          keepGoing: true,
          timeout: "2 seconds"
        })
        const fiber = yield* Effect.fork(hooks.runAll(sequence))
        yield* settle
        yield* TestClock.adjust("2 seconds")
        yield* Fiber.join(fiber)
        expect(calls).toEqual(["next"])
        expect(sequence.outcome).toBe("timeout")
        expect(tagsOf(sequence.errors)).toEqual(["HookTimeout slow"])
      }))

    it.effect("cut off: a torn-down phase interrupts its running hook and awaits its finalizers within what is left of its timeout", () =>
      Effect.gen(function*() {
        const calls: Array<string> = []
        const finalizing = ["finalizing", () =>
          Effect.onInterrupt(Effect.never, () =>
            Effect.zipRight(Effect.sleep("2 seconds"), Effect.sync(() => void calls.push("finalized"))))] as const
        const { log, record, sequence } = yield* sequenceOf([finalizing, ok(calls, "never")], { timeout: "5 seconds" })
        const fiber = yield* Effect.fork(hooks.runAll(sequence))
        yield* settle
        yield* TestClock.adjust("1 second")
        const interrupting = yield* Effect.fork(Fiber.interrupt(fiber))
        yield* settle
        yield* TestClock.adjust("2 seconds")
        const exit = yield* Fiber.join(interrupting)
        expect(Exit.isInterrupted(exit)).toBe(true)
        // the finalizers ended before the sequence did
        expect(calls).toEqual(["finalized"])
        expect(log).toEqual(["done"])
        expect(sequence.outcome).toBe("interrupted")
        expect(sequence.errors).toEqual([])
        expect(record.endOf(0, "start")).toBe(3000)
      }))

    it.effect("cut off: a hook whose finalizers outlast what is left of its timeout is reported as timed out and left to its interruption", () =>
      Effect.gen(function*() {
        const calls: Array<string> = []
        const finalizing = ["finalizing", () =>
          Effect.onInterrupt(Effect.never, () =>
            Effect.zipRight(Effect.sleep("10 seconds"), Effect.sync(() => void calls.push("finalized"))))] as const
        const { log, record, sequence } = yield* sequenceOf([finalizing], { timeout: "5 seconds" })
        const fiber = yield* Effect.fork(hooks.runAll(sequence))
        yield* settle
        yield* TestClock.adjust("1 second")
        const interrupting = yield* Effect.fork(Fiber.interrupt(fiber))
        yield* settle
        yield* TestClock.adjust("4 seconds")
        expect(Exit.isInterrupted(yield* Fiber.join(interrupting))).toBe(true)
        expect(calls).toEqual([])
        expect(log).toEqual(["done"])
        expect(sequence.outcome).toBe("timeout")
        expect(tagsOf(sequence.errors)).toEqual(["HookTimeout finalizing"])
        expect(record.endOf(0, "start")).toBe(5000)
      }))

    it.effect("cut off: a hook that ended as its phase was torn down is settled by its own exit, and the next hook never starts", () =>
      Effect.gen(function*() {
        for (const result of ["success", "failure"] as const) {
          const calls: Array<string> = []
          const gate = yield* Deferred.make<void>()
          const ending = ["ending", () => Effect.zipRight(Deferred.await(gate), result === "success" ? Effect.void : new Boom({ where: "end" }))] as const
          const { sequence } = yield* sequenceOf([ending, ok(calls, "next")])
          const fiber = yield* Effect.fork(hooks.runAll(sequence))
          yield* settle
          // the hook ends, and the phase is torn down before the sequence sees it
          yield* Deferred.succeed(gate, undefined)
          yield* Fiber.interrupt(fiber)
          expect(calls).toEqual([])
          expect(sequence.outcome).toBe(result === "success" ? "interrupted" : "failure")
          expect(tagsOf(sequence.errors)).toEqual(result === "success" ? [] : ["HookFailed ending"])
        }
      }))

    it.effect("a hook never starts once its phase is no longer live: the phase ends interrupted", () =>
      Effect.gen(function*() {
        const calls: Array<string> = []
        const notLive = yield* sequenceOf([ok(calls, "a")], { live: () => false })
        expect(hooks.run(notLive.sequence)).toBeUndefined()
        expect(calls).toEqual([])
        expect(notLive.log).toEqual(["done"])
        expect(notLive.sequence.outcome).toBe("interrupted")
        let live = true
        const tornDown = yield* sequenceOf([
          ["a", () => Effect.zipRight(Effect.yieldNow(), Effect.sync(() => (live = false)))],
          ok(calls, "b")
        ], { live: () => live })
        yield* hooks.runAll(tornDown.sequence)
        expect(calls).toEqual([])
        expect(tornDown.sequence.outcome).toBe("interrupted")
        expect(tornDown.events.map((event) => event._tag === "PhaseEnded" ? event.outcome : event._tag)).toEqual([
          "PhaseStarted",
          "interrupted"
        ])
      }))

    it.effect("the phase's first error is noted before its PhaseEnded event, which carries it", () =>
      Effect.gen(function*() {
        const calls: Array<string> = []
        const { events, sequence } = yield* sequenceOf([failing(calls, "first"), failing(calls, "second")], {
          phase: "stop",
          keepGoing: true
        })
        yield* hooks.runAll(sequence)
        const ended = events.find((event) => event._tag === "PhaseEnded")
        expect(ended).toEqual({
          _tag: "PhaseEnded",
          component: "db",
          phase: "stop",
          outcome: "failure",
          duration: 0,
          error: sequence.errors[0]!.message
        })
        expect(sequence.errors[0]!.message).toBe('db: stop hook first of db failed: Boom { where: "first" }')
      }))
  })
})
