import { describe, expect, it } from "@effect/vitest"
import { Data, Deferred, Duration, Effect, Fiber, TestClock } from "effect"
import type * as Lifecycle from "../../src/Lifecycle.js"
import * as background from "../../src/internal/app/background.js"
import * as runtime from "../../src/internal/runtime.js"
import { makeRecord, settle } from "../helpers/run.js"

class Boom extends Data.TaggedError("Boom")<{ readonly where: string }> {}

type Work = (service: unknown, shutdown: Lifecycle.ShutdownSignal) => Effect.Effect<unknown, unknown>

/** Starts `works` (name, onShutdown, run) as the background work of component `worker`. */
const startWorks = (works: ReadonlyArray<readonly [string, Lifecycle.Background["onShutdown"], Work]>) =>
  Effect.gen(function*() {
    const { events, record } = yield* makeRecord("worker")
    const runner = yield* runtime.currentRunner
    let shutdownRequests = 0
    const self = background.start(
      { record, id: 0, phase: "background", runner, spans: false },
      works.map(([name, onShutdown, run]) => ({ name, onShutdown, run, dependencies: [] })),
      "the service",
      () => void shutdownRequests++
    )
    return {
      self,
      record,
      events,
      get shutdownRequests() {
        return shutdownRequests
      },
      /** the background phase's end events, as `outcome` */
      get ends() {
        return events.flatMap((event) => (event._tag === "PhaseEnded" ? [event.outcome] : []))
      },
      get errors() {
        return record.errors.map((error) => error.message)
      }
    }
  })

const stop = (self: background.Backgrounds, grace: Duration.DurationInput, stopTimeout: Duration.DurationInput) =>
  background.stop(self, Duration.decode(grace), Duration.decode(stopTimeout))

describe("background work", () => {
  it.effect("starts at once with the service and a shutdown signal not yet requested; the phase begins", () =>
    Effect.gen(function*() {
      const seen: Array<unknown> = []
      const run = yield* startWorks([["serve", "interrupt", (service, shutdown) =>
        Effect.zipRight(Effect.sync(() => seen.push(service)), Effect.flatMap(shutdown.isRequested, (requested) =>
          Effect.zipRight(Effect.sync(() => seen.push(requested)), Effect.never)))]])
      yield* settle
      expect(seen).toEqual(["the service", false])
      expect(run.self.running).toBe(true)
      expect(run.events).toEqual([{ _tag: "PhaseStarted", component: "worker", phase: "background" }])
    }))

  it.effect("interrupt: stopping interrupts the work; an interruption when asked to finish is no failure", () =>
    Effect.gen(function*() {
      const run = yield* startWorks([["serve", "interrupt", () => Effect.never]])
      yield* settle
      yield* stop(run.self, "1 second", "1 second")
      expect(run.ends).toEqual(["success"])
      expect(run.errors).toEqual([])
      expect(run.self.running).toBe(false)
    }))

  it.effect("signal: stopping completes the signal and the work finishes on its own, not interrupted", () =>
    Effect.gen(function*() {
      const log: Array<string> = []
      const run = yield* startWorks([["drain", "signal", (_, shutdown) =>
        Effect.onInterrupt(
          Effect.zipRight(shutdown.requested, Effect.flatMap(shutdown.isRequested, (requested) => Effect.sync(() => void log.push(`finished ${requested}`)))),
          () => Effect.sync(() => void log.push("interrupted"))
        )]])
      yield* settle
      yield* stop(run.self, "1 second", "1 second")
      expect(log).toEqual(["finished true"])
      expect(run.ends).toEqual(["success"])
    }))

  it.effect("signal: work that does not finish within grace is interrupted, and reported timed out after grace", () =>
    Effect.gen(function*() {
      const log: Array<string> = []
      const run = yield* startWorks([["drain", "signal", () => Effect.onInterrupt(Effect.never, () => Effect.sync(() => void log.push("interrupted")))]])
      const stopping = yield* Effect.fork(stop(run.self, "1 second", "2 seconds"))
      yield* settle
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(stopping)
      expect(log).toEqual(["interrupted"])
      expect(run.ends).toEqual(["timeout"])
      expect(run.errors).toEqual(["worker: background work drain of worker did not complete within 1s (the grace timeout: Lifecycle.timeouts({ grace }) on the component, or the App's graceTimeout)"])
    }))

  it.effect("signal: work that outlasts grace and then the stop timeout is reported after both and left to its interruption; its late end changes nothing", () =>
    Effect.gen(function*() {
      const gate = yield* Deferred.make<void>()
      const run = yield* startWorks([["drain", "signal", () =>
        // ignores the signal; its interruption waits for the gate, then fails
        Effect.onInterrupt(Effect.never, () => Effect.zipRight(Deferred.await(gate), Effect.die(new Error("late"))))]])
      const stopping = yield* Effect.fork(stop(run.self, "1 second", "2 seconds"))
      yield* settle
      yield* TestClock.adjust("1 second")
      yield* settle
      yield* TestClock.adjust("2 seconds")
      yield* Fiber.join(stopping)
      expect(run.ends).toEqual(["timeout"])
      expect(run.errors).toEqual(["worker: background work drain of worker did not complete within 1s (the grace timeout: Lifecycle.timeouts({ grace }) on the component, or the App's graceTimeout), nor end within 2s once interrupted (the stop timeout)"])
      yield* Deferred.succeed(gate, undefined)
      yield* settle
      expect(run.ends).toEqual(["timeout"])
      expect(run.errors).toHaveLength(1)
      expect(run.shutdownRequests).toBe(0)
    }))

  it.effect("interrupt: work that ignores its interruption past grace is reported timed out after grace", () =>
    Effect.gen(function*() {
      const gate = yield* Deferred.make<void>()
      const run = yield* startWorks([["stubborn", "interrupt", () => Effect.onInterrupt(Effect.never, () => Deferred.await(gate))]])
      const stopping = yield* Effect.fork(stop(run.self, "1 second", "5 seconds"))
      yield* settle
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(stopping)
      expect(run.ends).toEqual(["timeout"])
      expect(run.errors).toEqual(["worker: background work stubborn of worker did not complete within 1s (the grace timeout: Lifecycle.timeouts({ grace }) on the component, or the App's graceTimeout)"])
      yield* Deferred.succeed(gate, undefined)
    }))

  it.effect("work that fails while the application runs is reported and requests the shutdown; the phase ends with its last run, worst outcome first", () =>
    Effect.gen(function*() {
      const run = yield* startWorks([
        ["crash", "interrupt", () => Effect.zipRight(Effect.yieldNow(), new Boom({ where: "crash" }))],
        ["serve", "interrupt", () => Effect.never]
      ])
      yield* settle
      expect(run.shutdownRequests).toBe(1)
      expect(run.errors).toEqual(["worker: background work crash of worker failed: Boom { where: \"crash\" }"])
      expect(run.ends).toEqual([])
      yield* stop(run.self, "1 second", "1 second")
      expect(run.ends).toEqual(["failure"])
      expect(run.shutdownRequests).toBe(1)
    }))

  it.effect("work that fails once asked to finish is reported, but requests no shutdown", () =>
    Effect.gen(function*() {
      const run = yield* startWorks([["flush", "signal", (_, shutdown) => Effect.zipRight(shutdown.requested, new Boom({ where: "flush" }))]])
      yield* settle
      yield* stop(run.self, "1 second", "1 second")
      expect(run.ends).toEqual(["failure"])
      expect(run.errors).toHaveLength(1)
      expect(run.shutdownRequests).toBe(0)
    }))

  it.effect("work given as its result still gets a fiber and settles like any other", () =>
    Effect.gen(function*() {
      const run = yield* startWorks([["done", "interrupt", () => Effect.void], ["failed", "interrupt", () => Effect.fail(new Boom({ where: "at once" }))]])
      yield* settle
      expect(run.self.running).toBe(false)
      expect(run.ends).toEqual(["failure"])
      expect(run.shutdownRequests).toBe(1)
    }))

  it.effect("abandon interrupts every run still going without waiting for it, as work asked to finish: no failure, no shutdown request", () =>
    Effect.gen(function*() {
      const gate = yield* Deferred.make<void>()
      const log: Array<string> = []
      const run = yield* startWorks([["slow", "signal", () =>
        Effect.onInterrupt(Effect.never, () => Effect.zipRight(Deferred.await(gate), Effect.sync(() => void log.push("finalized"))))]])
      yield* settle
      background.abandon(run.self)
      expect(log).toEqual([])
      yield* Deferred.succeed(gate, undefined)
      yield* settle
      expect(log).toEqual(["finalized"])
      expect(run.ends).toEqual(["success"])
      expect(run.errors).toEqual([])
      expect(run.shutdownRequests).toBe(0)
    }))
})
