import { describe, expect, it } from "@effect/vitest"
import { Cause, Context, Effect, Either, Exit, Option, Scope } from "effect"
import { Component, Dependency, Errors, type Plan, Registry, Resolver } from "../../src/index.js"
import * as executor from "../../src/internal/executor.js"

const Db = Context.GenericTag<"db", string>("db")
const Cache = Context.GenericTag<"cache", string>("cache")
const Api = Context.GenericTag<"api", string>("api")

/** db; cache -> db; api -> db (twice: one and all), cache. */
const plan = ((): Plan.Plan<never> => {
  const resolved = Resolver.resolve(
    Registry.make(
      Component.make(Db, { build: Effect.succeed("db") }),
      Component.make(Cache, { dependencies: [Db], build: Effect.succeed("cache") }),
      Component.make(Api, { dependencies: [Db, Dependency.all(Db), Cache], build: Effect.succeed("api") })
    ),
    [Api]
  )
  if (Either.isLeft(resolved)) throw new Error(resolved.left.message)
  return resolved.right as Plan.Plan<never>
})()

const idOf = (name: string) => plan.nodes.find((node) => node.name === name)!.id

/** A build of the plan whose node scopes are opened by hand, each recording its close in `log`. */
const opened = (...names: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const build = yield* executor.makeBuild(plan)
    const log: Array<string> = []
    for (const name of names) {
      const scope = yield* executor.openScope(build, idOf(name))
      yield* Scope.addFinalizerExit(scope, (exit) => Effect.sync(() => void log.push(`close ${name} ${exit._tag}`)))
    }
    return { build, log }
  })

describe("executor", () => {
  it("a concurrency is usable when unbounded or at least 1 (a fraction rounded down); anything else says why", () => {
    for (const usable of [undefined, "unbounded", 1, 2.5, Number.POSITIVE_INFINITY] as const) expect(executor.concurrencyProblem(usable)).toBeUndefined()
    expect(executor.concurrencyProblem(0)).toBe("concurrency must be \"unbounded\" or at least 1, got 0")
    expect(executor.concurrencyProblem("many")).toBe("concurrency must be \"unbounded\" or at least 1, got \"many\"")
    expect(executor.concurrencyProblem(Number.NaN)).toBe("concurrency must be \"unbounded\" or at least 1, got NaN")
    expect([undefined, "unbounded", 1, 2.5].map((input) => executor.concurrencyLimit(input as number | "unbounded" | undefined))).toEqual([
      Number.POSITIVE_INFINITY,
      Number.POSITIVE_INFINITY,
      1,
      2
    ])
  })

  it("a node's predecessors are the nodes its edges reach, each once; the runner's graph counts them either way", () => {
    const predecessors = executor.predecessorsOf(plan)
    expect(predecessors[idOf("api")]!.map((id) => plan.nodes[id]!.name).sort()).toEqual(["cache", "db"])
    expect(predecessors[idOf("db")]).toEqual([])
    const forward = executor.runnerGraph(predecessors, true)
    expect(Array.from(forward.pending)).toEqual(plan.nodes.map((node) => predecessors[node.id]!.length))
    const backward = executor.runnerGraph(predecessors, false)
    expect(backward.pending[idOf("db")]).toBe(2)
    expect(backward.pending[idOf("api")]).toBe(0)
    expect(backward.successors[idOf("api")]!.map((id) => plan.nodes[id]!.name).sort()).toEqual(["cache", "db"])
  })

  it("a request's value: the one target's, an Option, or every target's in order; an external one, the program's", () => {
    const api = plan.nodes[idOf("api")]!
    const values = plan.nodes.map((node) => `${node.name}!`)
    const outside = new Map<string, unknown>([[api.dependencies[0]!.request.service, "outside!"]])
    expect(api.dependencies.map((edge) => executor.valueOf(edge, values, outside))).toEqual(["db!", ["db!"], "cache!"])
    const optional = { ...api.dependencies[0]!, request: { ...api.dependencies[0]!.request, cardinality: "optional" as const } }
    expect(executor.valueOf(optional, values, outside)).toEqual(Option.some("db!"))
    expect(executor.valueOf({ ...optional, targets: [] }, values, outside)).toEqual(Option.none())
    const external = { ...api.dependencies[0]!, targets: [], choice: { rule: "external" as const, considered: [] } }
    expect(executor.valueOf(external, values, outside)).toBe("outside!")
    expect(executor.valueOf({ ...external, request: optional.request }, values, outside)).toEqual(Option.some("outside!"))
  })

  describe("release", () => {
    it.effect("closes every node scope once, in reverse order of construction start, with the exit given; a second release finds nothing", () =>
      Effect.gen(function*() {
        const { build, log } = yield* opened("db", "cache", "api")
        const failed = Exit.fail("the build failed")
        expect(yield* executor.release(build, failed)).toBeUndefined()
        expect(log).toEqual(["close api Failure", "close cache Failure", "close db Failure"])
        expect(yield* executor.release(build, Exit.void)).toBeUndefined()
        expect(log).toHaveLength(3)
      }))

    it.effect("a node scope opened once the release began is closed at once, with the release's exit", () =>
      Effect.gen(function*() {
        const { build, log } = yield* opened("db")
        yield* executor.release(build, Exit.void)
        const late = yield* executor.openScope(build, idOf("cache"))
        yield* Scope.addFinalizerExit(late, (exit) => Effect.sync(() => void log.push(`close cache ${exit._tag}`)))
        expect(log).toEqual(["close db Success", "close cache Success"])
        expect(yield* executor.release(build, Exit.void)).toBeUndefined()
        expect(log).toHaveLength(2)
      }))

    it.effect("a close that fails is a ReleaseError naming the component and its path; the other closes go on; failures in release order", () =>
      Effect.gen(function*() {
        const { build, log } = yield* opened("db", "cache", "api")
        const failing = (name: string) =>
          Effect.gen(function*() {
            const scope = yield* executor.openScope(build, idOf(name))
            yield* Scope.addFinalizer(scope, Effect.die(new Error(`${name} stuck`)))
          })
        // scopes of the same nodes again: construction order is what counts, not the node
        yield* failing("db")
        yield* failing("api")
        const failures = yield* executor.release(build, Exit.void)
        expect(log).toEqual(["close api Success", "close cache Success", "close db Success"])
        expect(failures === undefined ? [] : [...Cause.defects(failures)]).toEqual([
          new Errors.ReleaseError({ component: "api", path: ["api"], cause: new Error("api stuck") }),
          new Errors.ReleaseError({ component: "db", path: ["api", "db"], cause: new Error("db stuck") })
        ])
      }))

    it.effect("a caller's steps run before and after each node's close, in release order", () =>
      Effect.gen(function*() {
        const { build, log } = yield* opened("db", "cache")
        yield* executor.release(build, Exit.void, {
          before: (id) => Effect.sync(() => void log.push(`before ${plan.nodes[id]!.name}`)),
          after: (id, error) => void log.push(`after ${plan.nodes[id]!.name}${error === undefined ? "" : " failed"}`)
        })
        expect(log).toEqual([
          "before cache",
          "close cache Success",
          "after cache",
          "before db",
          "close db Success",
          "after db"
        ])
      }))
  })

  describe("buildAll", () => {
    it.effect("runs every node's task, dependencies first; the first failure reported wins and stops the run", () =>
      Effect.gen(function*() {
        const build = yield* executor.makeBuild(plan, { concurrency: 1 })
        const ran: Array<string> = []
        const first = Cause.fail(new Errors.ConstructionError({ component: "cache", path: ["api", "cache"], cause: "first" }))
        const exit = yield* Effect.exit(executor.buildAll(build, (id) => {
          const name = plan.nodes[id]!.name
          ran.push(name)
          if (name === "cache") build.fail(first)
          return undefined
        }))
        expect(ran).toEqual(["db", "cache"])
        expect(exit).toEqual(Exit.failCause(first))
        build.fail(Cause.fail(new Errors.ConstructionError({ component: "api", path: ["api"], cause: "second" })))
        expect(build.failure).toBe(first)
      }))
  })
})
