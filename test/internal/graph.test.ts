import { describe, expect, it } from "@effect/vitest"
import { Cause, Deferred, Effect, Exit, FastCheck as fc, Fiber, Option, TestClock } from "effect"
import * as executor from "../../src/internal/executor.js"
import * as graph from "../../src/internal/graph.js"
import * as runtime from "../../src/internal/runtime.js"
import { dag } from "../helpers/graph.js"

/** A runner graph from per-node predecessors: dependencies first (`forward`) or dependents first. */
const graphOf = (
  predecessors: ReadonlyArray<ReadonlyArray<number>>,
  options?: { readonly forward?: boolean; readonly stages?: ReadonlyArray<number> }
): graph.Graph =>
  executor.runnerGraph(predecessors, options?.forward ?? true, options?.stages === undefined ? undefined : Int32Array.from(options.stages))

/**
 * Tasks that record `start <id>` and `end <id>` and count how many Effect tasks are in flight; a node's
 * `kind` says how its task runs: synchronously (no Effect), as an Effect that completes at once, by
 * yielding, by awaiting a resolved promise, or by sleeping `millis` (TestClock).
 */
type Kind = "sync" | "effect" | "yield" | "promise" | "sleep"

const tasks = (kinds: (id: number) => Kind, millis: (id: number) => number = () => 10) => {
  const log: Array<string> = []
  let inFlight = 0
  let maxInFlight = 0
  const fibers = new Set<unknown>()
  const task = (id: number): Effect.Effect<void> | undefined => {
    const kind = kinds(id)
    if (kind === "sync") {
      log.push(`start ${id}`, `end ${id}`)
      fibers.add(runtime.currentFiber())
      return undefined
    }
    return Effect.suspend(() => {
      log.push(`start ${id}`)
      maxInFlight = Math.max(maxInFlight, ++inFlight)
      const body = kind === "effect"
        ? Effect.void
        : kind === "yield"
        ? Effect.yieldNow()
        : kind === "promise"
        ? Effect.promise(() => Promise.resolve())
        : Effect.sleep(millis(id))
      return Effect.ensuring(body, Effect.sync(() => {
        inFlight--
        log.push(`end ${id}`)
      }))
    })
  }
  return {
    log,
    task,
    fibers,
    get maxInFlight() {
      return maxInFlight
    }
  }
}

/** Runs `effect` in a fiber, moving the TestClock on by `step` until it is done. */
const withClock = <A, E>(effect: Effect.Effect<A, E>, step = 1) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(effect)
    for (let turn = 0; turn < 100_000 && Option.isNone(yield* Fiber.poll(fiber)); turn++) yield* TestClock.adjust(step)
    return yield* Fiber.join(fiber)
  })

// 0 <- 1, 0 <- 2, {1, 2} <- 3: a diamond
const diamond = [[], [0], [0], [1, 2]]

describe("graph runner", () => {
  describe("order", () => {
    it.effect("runs every node once, dependencies first, in the order of the nodes when every task is synchronous", () =>
      Effect.gen(function*() {
        const run = tasks(() => "effect")
        const result = yield* graph.run(graphOf(diamond), 1, run.task)
        expect(run.log).toEqual(["start 0", "end 0", "start 1", "end 1", "start 2", "end 2", "start 3", "end 3"])
        expect(result.completed).toBe(4)
        expect(result.stopped).toBe(false)
      }))

    it.effect("runs every node once, dependents first, in reverse", () =>
      Effect.gen(function*() {
        const run = tasks(() => "effect")
        yield* graph.run(graphOf(diamond, { forward: false }), 1, run.task)
        expect(run.log).toEqual(["start 3", "end 3", "start 2", "end 2", "start 1", "end 1", "start 0", "end 0"])
      }))

    it.effect("of the nodes ready at once, takes the lowest first (the highest, dependents first): not the one ready first", () =>
      Effect.gen(function*() {
        // 0 and 2 are ready at the start; 1 becomes ready once 0 is done, and is taken before 2
        const forward = tasks(() => "effect")
        yield* graph.run(graphOf([[], [0], []]), 1, forward.task)
        expect(forward.log.filter((event) => event.startsWith("start"))).toEqual(["start 0", "start 1", "start 2"])
        // dependents first: 3 and 2 are ready at the start; 0 becomes ready once 3 is done, and waits for 2 and 1
        const backward = tasks(() => "effect")
        yield* graph.run(graphOf([[], [], [1], [0]], { forward: false }), 1, backward.task)
        expect(backward.log.filter((event) => event.startsWith("start"))).toEqual(["start 3", "start 2", "start 1", "start 0"])
      }))

    it.effect("a node runs once all its predecessors are done, however long each takes", () =>
      Effect.gen(function*() {
        const run = tasks(() => "sleep", (id) => [5, 30, 10, 1][id]!)
        yield* withClock(graph.run(graphOf(diamond), Number.POSITIVE_INFINITY, run.task))
        expect(run.log).toEqual(["start 0", "end 0", "start 1", "start 2", "end 2", "end 1", "start 3", "end 3"])
      }))

    it.effect("an empty graph is done at once", () =>
      Effect.gen(function*() {
        const result = yield* graph.run(graphOf([]), 1, () => Effect.die("never called"))
        expect(result.completed).toBe(0)
      }))

    it.effect("a 10,000-node chain runs in order, forward and backward, without overflowing the stack", () =>
      Effect.gen(function*() {
        const size = 10_000
        const chain = Array.from({ length: size }, (_, id) => (id === 0 ? [] : [id - 1]))
        for (const kind of ["sync", "effect", "yield"] as const) {
          const forward: Array<number> = []
          yield* graph.run(graphOf(chain), 4, (id) => {
            forward.push(id)
            return kind === "sync" ? undefined : kind === "effect" ? Effect.void : Effect.yieldNow()
          })
          expect(forward).toEqual(chain.map((_, id) => id))
          const backward: Array<number> = []
          yield* graph.run(graphOf(chain, { forward: false }), 4, (id) => {
            backward.push(id)
            return undefined
          })
          expect(backward).toEqual(chain.map((_, id) => size - 1 - id))
        }
      }))
  })

  describe("concurrency", () => {
    const wide = Array.from({ length: 10 }, () => [])

    it.effect("limit bounds the asynchronous tasks in flight exactly: never more, and that many are reached", () =>
      Effect.gen(function*() {
        for (const limit of [1, 3, 10, Number.POSITIVE_INFINITY]) {
          const run = tasks(() => "sleep")
          yield* withClock(graph.run(graphOf(wide), limit, run.task), 10)
          expect(run.maxInFlight).toBe(Math.min(limit, 10))
          expect(run.log.filter((event) => event.startsWith("end"))).toHaveLength(10)
        }
      }))

    it.effect("with limit 1, asynchronous tasks run strictly one after another", () =>
      Effect.gen(function*() {
        const run = tasks(() => "sleep")
        yield* withClock(graph.run(graphOf([[], [], []]), 1, run.task), 10)
        expect(run.log).toEqual(["start 0", "end 0", "start 1", "end 1", "start 2", "end 2"])
      }))

    it.effect("synchronous tasks run as a plain loop on one fiber, whatever the limit", () =>
      Effect.gen(function*() {
        const run = tasks(() => "sync")
        yield* graph.run(graphOf(Array.from({ length: 50 }, (_, id) => (id === 0 ? [] : id % 3 === 0 ? [id - 1] : []))), 8, run.task)
        expect(run.log).toEqual(Array.from({ length: 50 }, (_, id) => [`start ${id}`, `end ${id}`]).flat())
        expect(run.fibers.size).toBe(1)
        expect([...run.fibers][0]).toBeDefined()
      }))
  })

  describe("stages", () => {
    it.effect("a stage opens only when every node of the lower stages is done; a node without a stage waits only for its predecessors", () =>
      Effect.gen(function*() {
        // 0, 1: stage 0 (10 and 20 ms); 2: no stage (30 ms); 3: stage 1
        const run = tasks(() => "sleep", (id) => [10, 20, 30, 5][id]!)
        yield* withClock(graph.run(graphOf([[], [], [], []], { stages: [0, 0, -1, 1] }), Number.POSITIVE_INFINITY, run.task))
        expect(run.log).toEqual(["start 0", "start 1", "start 2", "end 0", "end 1", "start 3", "end 3", "end 2"])
      }))

    it.effect("stages order groups beyond edges, an empty stage in between is skipped, and a node of an open stage waits for its predecessors", () =>
      Effect.gen(function*() {
        // 0 and 3 (after 0): stage 2; 1 and 2 (after 1): stage 0; no stage 1
        const run = tasks(() => "effect")
        yield* graph.run(graphOf([[], [], [1], [0]], { stages: [2, 0, 0, 2] }), 1, run.task)
        expect(run.log.filter((event) => event.startsWith("start"))).toEqual(["start 1", "start 2", "start 0", "start 3"])
      }))

    it.effect("reversed stages run the highest stage first (stopping)", () =>
      Effect.gen(function*() {
        const run = tasks(() => "effect")
        const stages = [0, 1, 1, -1]
        const reversed = Array.from(stages, (stage) => (stage < 0 ? -1 : 1 - stage))
        yield* graph.run(graphOf([[], [], [1], []], { forward: false, stages: reversed }), 1, run.task)
        expect(run.log.filter((event) => event.startsWith("start"))).toEqual(["start 3", "start 2", "start 1", "start 0"])
      }))
  })

  describe("stopping", () => {
    it.effect("a task that stops the run ends it: no node is taken after it, and the tasks in flight are interrupted", () =>
      Effect.gen(function*() {
        const log: Array<string> = []
        let current: graph.Run | undefined
        const started = yield* Deferred.make<void>()
        const result = yield* graph.run(
          graphOf([[], [], [], [1]]),
          2,
          (id) => {
            log.push(`start ${id}`)
            switch (id) {
              case 0:
                return Effect.onInterrupt(Effect.zipRight(Deferred.succeed(started, undefined), Effect.never), () =>
                  Effect.sync(() => void log.push("interrupted 0")))
              case 1:
                return Effect.zipRight(Deferred.await(started), Effect.sync(() => current!.stop()))
              default:
                return Effect.void
            }
          },
          (run) => {
            current = run
          }
        )
        expect(result.stopped).toBe(true)
        expect(log).toEqual(["start 0", "start 1", "interrupted 0"])
      }))

    it.effect("an interrupted run interrupts its workers and waits for them", () =>
      Effect.gen(function*() {
        const log: Array<string> = []
        const started = yield* Deferred.make<void>()
        const fiber = yield* Effect.fork(graph.run(graphOf([[], [], []]), 2, (id) =>
          Effect.onInterrupt(
            Effect.zipRight(id === 1 ? Deferred.succeed(started, undefined) : Effect.void, Effect.never),
            () => Effect.zipRight(Effect.yieldNow(), Effect.sync(() => void log.push(`interrupted ${id}`)))
          )))
        yield* Deferred.await(started)
        const exit = yield* Fiber.interrupt(fiber)
        expect(Exit.isInterrupted(exit)).toBe(true)
        expect(log.sort()).toEqual(["interrupted 0", "interrupted 1"])
      }))

    it.effect("a task that dies ends the run with its defect; the tasks in flight are interrupted", () =>
      Effect.gen(function*() {
        const log: Array<string> = []
        const exit = yield* Effect.exit(graph.run(graphOf([[], [], [1]]), 2, (id) => {
          log.push(`start ${id}`)
          return id === 0
            ? Effect.onInterrupt(Effect.never, () => Effect.sync(() => void log.push("interrupted 0")))
            : id === 1
            ? Effect.zipRight(Effect.yieldNow(), Effect.dieMessage("a bug"))
            : Effect.void
        }))
        expect(Exit.isFailure(exit) && Cause.isDie(exit.cause)).toBe(true)
        expect(log).toEqual(["start 0", "start 1", "interrupted 0"])
      }))
  })

  describe("random graphs", () => {
    const scenario = dag({ maxSize: 40, maxDependencies: 3 }).chain((nodes) =>
      fc.record({
        nodes: fc.constant(nodes),
        kinds: fc.array(fc.constantFrom<Kind>("sync", "effect", "yield", "promise"), { minLength: nodes.length, maxLength: nodes.length }),
        stages: fc.array(fc.integer({ min: -1, max: 3 }), { minLength: nodes.length, maxLength: nodes.length }),
        limit: fc.oneof(fc.integer({ min: 1, max: 5 }), fc.constant(Number.POSITIVE_INFINITY)),
        forward: fc.boolean()
      })
    )

    /**
     * Stages as App makes them: a staged node's stage is at least its predecessors' (through unstaged
     * nodes too), so no node waits for a stage that waits for it.
     */
    const consistent = (predecessors: ReadonlyArray<ReadonlyArray<number>>, order: ReadonlyArray<number>, stages: ReadonlyArray<number>) => {
      const result = [...stages]
      const highest = new Array<number>(stages.length).fill(-1)
      for (const id of order) {
        for (const predecessor of predecessors[id]!) highest[id] = Math.max(highest[id]!, highest[predecessor]!)
        if (result[id]! >= 0) result[id] = Math.max(result[id]!, highest[id]!)
        highest[id] = Math.max(highest[id]!, result[id]!)
      }
      return result
    }

    it.effect.prop(
      "every node runs exactly once, never before a predecessor or a node of a lower stage is done, at most limit tasks at a time",
      [scenario],
      ([{ forward, kinds, limit, nodes, stages: raw }]) =>
        Effect.gen(function*() {
          const ids = nodes.map((_, id) => id)
          // run order: predecessors of a node in the runner's direction
          const predecessors = forward ? nodes : ids.map((id) => ids.filter((other) => nodes[other]!.includes(id)))
          const stages = consistent(predecessors, forward ? ids : [...ids].reverse(), raw)
          const run = tasks((id) => kinds[id]!)
          yield* graph.run(graphOf(nodes, { forward, stages }), limit, run.task)
          const at = (event: string) => run.log.indexOf(event)
          const violations: Array<string> = []
          for (const id of ids) {
            const starts = run.log.filter((event) => event === `start ${id}`).length
            if (starts !== 1 || run.log.filter((event) => event === `end ${id}`).length !== 1) violations.push(`${id} ran ${starts} times`)
            for (const predecessor of predecessors[id]!) {
              if (at(`start ${id}`) < at(`end ${predecessor}`)) violations.push(`${id} started before its predecessor ${predecessor} ended`)
            }
            if (stages[id]! < 0) continue
            for (const other of ids) {
              if (stages[other]! >= 0 && stages[other]! < stages[id]! && at(`start ${id}`) < at(`end ${other}`)) {
                violations.push(`${id} (stage ${stages[id]}) started before ${other} (stage ${stages[other]}) ended`)
              }
            }
          }
          if (run.maxInFlight > limit) violations.push(`${run.maxInFlight} tasks in flight, limit ${limit}`)
          expect(violations).toEqual([])
        }),
      { fastCheck: { numRuns: 100, seed: 20261212 } }
    )
  })
})
