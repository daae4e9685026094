import { describe, expect, it } from "@effect/vitest"
import { Data, Deferred, Duration, Effect, Exit, Fiber, TestClock } from "effect"
import * as health from "../../src/internal/app/health.js"
import * as hooks from "../../src/internal/app/hooks.js"
import * as runtime from "../../src/internal/runtime.js"
import { settle } from "../helpers/run.js"

class Down extends Data.TaggedError("Down")<{ readonly host: string }> {}

/** A check named `name`, started from the current runner like App's. */
const check = (runner: runtime.Runner, name: string, effect: Effect.Effect<unknown, unknown>, timeout: Duration.DurationInput = "5 seconds") => ({
  name,
  timeout: Duration.decode(timeout),
  start: () => hooks.start(runner, effect)
})

describe("health checks runner", () => {
  it.effect("runs the checks of running components, in the order given; components not running are reported so, their checks not run", () =>
    Effect.gen(function*() {
      const runner = yield* runtime.currentRunner
      const ran: Array<string> = []
      const report = yield* health.run(
        [
          { name: "db", running: true, checks: [check(runner, "ping", Effect.sync(() => ran.push("ping"))), check(runner, "pool", Effect.fail(new Down({ host: "h" })))] },
          { name: "cache", running: false, checks: [check(runner, "never", Effect.sync(() => ran.push("never")))] },
          { name: "api", running: true, checks: [check(runner, "port", Effect.as(Effect.yieldNow(), "open"))] }
        ],
        Number.POSITIVE_INFINITY,
        () => 0
      )
      expect(ran).toEqual(["ping"])
      expect(report).toEqual({
        healthy: false,
        components: [
          {
            name: "db",
            status: "unhealthy",
            checks: [
              { name: "ping", status: "healthy", duration: 0 },
              { name: "pool", status: "unhealthy", duration: 0, error: "Down { host: \"h\" }" }
            ]
          },
          { name: "cache", status: "not-running", checks: [] },
          { name: "api", status: "healthy", checks: [{ name: "port", status: "healthy", duration: 0 }] }
        ]
      })
    }))

  it.effect("at most `concurrency` checks run at a time", () =>
    Effect.gen(function*() {
      const runner = yield* runtime.currentRunner
      let inFlight = 0
      let most = 0
      const counted = Effect.acquireUseRelease(
        Effect.sync(() => (most = Math.max(most, ++inFlight))),
        () => Effect.sleep("1 second"),
        () => Effect.sync(() => inFlight--)
      )
      const checks = Array.from({ length: 6 }, (_, index) => check(runner, `c${index}`, counted))
      const fiber = yield* Effect.fork(health.run([{ name: "x", running: true, checks }], 2, () => 0))
      for (let turn = 0; turn < 3; turn++) {
        yield* settle
        yield* TestClock.adjust("1 second")
      }
      const report = yield* Fiber.join(fiber)
      expect(most).toBe(2)
      expect(report.healthy).toBe(true)
    }))

  it.effect("a check past its timeout is reported as timed out and interrupted without waiting for it", () =>
    Effect.gen(function*() {
      const runner = yield* runtime.currentRunner
      const gate = yield* Deferred.make<void>()
      const stubborn = Effect.onInterrupt(Effect.never, () => Deferred.await(gate))
      const fiber = yield* Effect.fork(
        health.run([{ name: "db", running: true, checks: [check(runner, "slow", stubborn, "2 seconds")] }], 1, () => 0)
      )
      yield* settle
      yield* TestClock.adjust("2 seconds")
      const report = yield* Fiber.join(fiber)
      expect(report.components[0]!.checks).toEqual([{ name: "slow", status: "timeout", duration: 0, error: "did not complete within 2s" }])
      yield* Deferred.succeed(gate, undefined)
    }))

  it.effect("past the overall timeout the checks in flight are interrupted without waiting for them, those not begun never begin; both are timed out, the others keep their results", () =>
    Effect.gen(function*() {
      const runner = yield* runtime.currentRunner
      const gate = yield* Deferred.make<void>()
      const begun: Array<string> = []
      const interrupted: Array<string> = []
      const stubborn = (name: string) =>
        Effect.onInterrupt(Effect.zipRight(Effect.sync(() => void begun.push(name)), Effect.never), () =>
          Effect.zipRight(Effect.sync(() => void interrupted.push(name)), Deferred.await(gate)))
      const fiber = yield* Effect.fork(health.run(
        [
          { name: "db", running: true, checks: [check(runner, "ping", Effect.void), check(runner, "slow", stubborn("slow"))] },
          { name: "cache", running: true, checks: [check(runner, "later", stubborn("later"))] }
        ],
        1,
        () => 0,
        Duration.seconds(1)
      ))
      yield* settle
      yield* TestClock.adjust("1 second")
      const report = yield* Fiber.join(fiber)
      expect(report).toEqual({
        healthy: false,
        components: [
          {
            name: "db",
            status: "unhealthy",
            checks: [
              { name: "ping", status: "healthy", duration: 0 },
              { name: "slow", status: "timeout", duration: 0, error: "did not complete within the overall health timeout of 1s" }
            ]
          },
          {
            name: "cache",
            status: "unhealthy",
            checks: [{ name: "later", status: "timeout", duration: 0, error: "did not begin within the overall health timeout of 1s" }]
          }
        ]
      })
      expect([begun, interrupted]).toEqual([["slow"], ["slow"]])
      yield* Deferred.succeed(gate, undefined)
    }))

  it.effect("interrupting the run interrupts the checks in flight", () =>
    Effect.gen(function*() {
      const runner = yield* runtime.currentRunner
      const interrupted: Array<string> = []
      const hanging = (name: string) => Effect.onInterrupt(Effect.never, () => Effect.sync(() => void interrupted.push(name)))
      const fiber = yield* Effect.fork(
        health.run([{ name: "db", running: true, checks: [check(runner, "a", hanging("a")), check(runner, "b", hanging("b"))] }], 2, () => 0)
      )
      yield* settle
      expect(Exit.isInterrupted(yield* Fiber.interrupt(fiber))).toBe(true)
      yield* settle
      expect(interrupted.sort()).toEqual(["a", "b"])
    }))
})
