import { describe, expect, it } from "@effect/vitest"
import {
  Cause,
  Chunk,
  Context,
  Deferred,
  Effect,
  Either,
  Exit,
  FastCheck as fc,
  Fiber,
  FiberRef,
  Config as EffectConfig,
  ConfigProvider,
  Layer,
  Logger,
  ManagedRuntime,
  Option,
  Ref,
  Scope,
  TestClock
} from "effect"
import { inspect } from "node:util"
import { Component, Dependency, Errors, Plan, Qualifier, Registry, Resolver, Testing } from "../src/index.js"
import * as graph from "./helpers/graph.js"

class Db extends Context.Tag("Db")<Db, string>() {}
class Cache extends Context.Tag("Cache")<Cache, string>() {}
class Repo extends Context.Tag("Repo")<Repo, string>() {}
class Api extends Context.Tag("Api")<Api, string>() {}
class Left extends Context.Tag("Left")<Left, string>() {}
class Right extends Context.Tag("Right")<Right, string>() {}
class Connection extends Context.Tag("Connection")<Connection, string>() {}
class Shared extends Context.Tag("Shared")<Shared, { readonly id: number }>() {}
class Plugin extends Context.Tag("Plugin")<Plugin, string>() {}
class Metrics extends Context.Tag("Metrics")<Metrics, string>() {}
class Config extends Context.Tag("Config")<Config, { readonly port: number }>() {}

const Replica = Qualifier.make("replica")

/** A resource recording `+name` when acquired and `-name` when released; the service is `name`. */
const resource = (recorder: graph.Recorder, name: string): Effect.Effect<string, never, Scope.Scope> =>
  Effect.as(Effect.acquireRelease(recorder.record(`+${name}`), () => recorder.record(`-${name}`)), name)

/** Builds the layer in a scope of its own, returns the log right after the build and after the scope closed. */
const buildAndRelease = <A, E>(layer: Layer.Layer<A, E>, recorder: graph.Recorder) =>
  Effect.gen(function*() {
    const scope = yield* Scope.make()
    const exit = yield* Effect.exit(Layer.buildWithScope(layer, scope))
    const afterBuild = yield* recorder.entries
    yield* Scope.close(scope, Exit.void)
    const afterClose = yield* recorder.entries
    return { exit, afterBuild, afterClose }
  })

/** Api -> Repo, Cache; Repo -> Db; Cache -> Db (plan order: Db, Repo, Cache, Api). */
const apiRegistry = (recorder: graph.Recorder, repo: Effect.Effect<string, unknown, Scope.Scope | Db>) =>
  Registry.make(
    Component.make(Db, { build: resource(recorder, "Db") }),
    Component.make(Repo, { dependencies: [Db], build: repo }),
    Component.make(Cache, {
      dependencies: [Db],
      build: Effect.zipRight(recorder.record("start Cache"), resource(recorder, "Cache"))
    }),
    Component.make(Api, {
      dependencies: [Repo, Cache],
      build: Effect.zipRight(recorder.record("start Api"), resource(recorder, "Api"))
    })
  )

/** A constructor recording `start name`, sleeping `millis` (TestClock), then `end name`. */
const sleeper = (recorder: graph.Recorder, name: string, millis: number) =>
  Effect.gen(function*() {
    yield* recorder.record(`start ${name}`)
    yield* Effect.sleep(millis)
    yield* recorder.record(`end ${name}`)
    return name
  })

/** Runs `effect` in a fiber and drives the TestClock until it is done. */
const withClock = <A, E>(effect: Effect.Effect<A, E>, step = 1) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(effect)
    while (Option.isNone(yield* Fiber.poll(fiber))) yield* TestClock.adjust(step)
    return yield* Fiber.join(fiber)
  })

describe("Plan", () => {
  const registry = Registry.make(
    Component.succeed(Db, "db"),
    Component.make(Repo, { dependencies: [Db], build: Effect.map(Db, (db) => `repo(${db})`) })
  )
  const plan = Either.getOrThrow(Resolver.resolve(registry, [Repo]))

  it("toJSON and util.inspect show the components, the roots and the external services", () => {
    const json = { _id: "Plan", components: ["Db", "Repo"], roots: ["Repo"], external: [] }
    expect(plan.toJSON()).toStrictEqual(json)
    expect(inspect(plan)).toBe(inspect(json))
  })

  it("toString counts the components and the roots in words that agree with the number", () => {
    // Regression: a plan of one root said "1 roots", where App says "App(1 component)"
    expect(String(plan)).toBe("Plan(2 components, 1 root)")
    expect(String(Either.getOrThrow(Resolver.resolve(registry, [Db])))).toBe("Plan(1 component, 1 root)")
  })

  it("path is dual: the data-last form gives the data-first form's path", () => {
    const db = plan.nodes.find((node) => node.name === "Db")!.id
    expect(Plan.path(plan, db)).toEqual(["Repo", "Db"])
    expect(plan.pipe(Plan.path(db))).toEqual(["Repo", "Db"])
  })
})

describe("Plan.toLayer", () => {
  describe("instances and order", () => {
    it.effect("builds one instance per component, shared by everything that depends on it", () =>
      Effect.gen(function*() {
        const builds = yield* Ref.make(0)
        class Counter extends Context.Tag("Counter")<Counter, { readonly instance: number }>() {}
        class Pair extends Context.Tag("Pair")<Pair, ReadonlyArray<{ readonly instance: number }>>() {}
        class User extends Context.Tag("User")<User, { readonly instance: number }>() {}
        const registry = Registry.make(
          Component.make(Counter, { build: Effect.map(Ref.updateAndGet(builds, (n) => n + 1), (instance) => ({ instance })) }),
          Component.make(User, { dependencies: [Counter], build: Counter }),
          Component.make(Pair, { dependencies: [Counter, User], build: Effect.all([Counter, User]) })
        )
        const [pair, user, counter] = yield* Effect.provide(
          Effect.all([Pair, User, Counter]),
          Registry.toLayer(registry, [Pair, User, Counter])
        )
        expect(yield* Ref.get(builds)).toBe(1)
        expect(pair[0]).toBe(counter)
        expect(pair[1]).toBe(counter)
        expect(user).toBe(counter)
      }))

    it.effect("builds the shared dependency of a diamond once, before both sides, and the top last", () =>
      Effect.gen(function*() {
        const recorder = yield* graph.makeRecorder
        class Top extends Context.Tag("Top")<Top, string>() {}
        const registry = Registry.make(
          Component.make(Top, { dependencies: [Left, Right], build: resource(recorder, "Top") }),
          Component.make(Left, { dependencies: [Db], build: resource(recorder, "Left") }),
          Component.make(Right, { dependencies: [Db], build: resource(recorder, "Right") }),
          Component.make(Db, { build: resource(recorder, "Db") })
        )
        const { afterBuild, afterClose, exit } = yield* buildAndRelease(Registry.toLayer(registry, [Top]), recorder)
        expect(Exit.isSuccess(exit)).toBe(true)
        expect(afterBuild).toEqual(["+Db", "+Left", "+Right", "+Top"])
        expect(afterClose).toEqual(["+Db", "+Left", "+Right", "+Top", "-Top", "-Right", "-Left", "-Db"])
      }))

    it.effect("builds a component only after all its dependencies finished, however long they take", () =>
      Effect.gen(function*() {
        const recorder = yield* graph.makeRecorder
        const registry = Registry.make(
          Component.make(Db, { build: sleeper(recorder, "Db", 30) }),
          Component.make(Cache, { build: sleeper(recorder, "Cache", 10) }),
          Component.make(Api, { dependencies: [Db, Cache], build: sleeper(recorder, "Api", 5) })
        )
        const value = yield* withClock(Effect.provide(Api, Registry.toLayer(registry, [Api])))
        expect(value).toBe("Api")
        expect(yield* recorder.entries).toEqual([
          "start Db",
          "start Cache",
          "end Cache",
          "end Db",
          "start Api",
          "end Api"
        ])
      }))

    it.effect("passes each constructor the values of its own dependencies", () =>
      Effect.gen(function*() {
        const registry = Registry.make(
          Component.succeed(Db, "db"),
          Component.make(Repo, { dependencies: [Db], build: Effect.map(Db, (db) => `repo(${db})`) }),
          Component.make(Cache, { dependencies: [Db], build: Effect.map(Db, (db) => `cache(${db})`) }),
          Component.make(Api, {
            dependencies: [Repo, Cache],
            build: Effect.map(Effect.all([Repo, Cache]), ([repo, cache]) => `api(${repo}, ${cache})`)
          })
        )
        expect(yield* Effect.provide(Api, Registry.toLayer(registry, [Api]))).toBe("api(repo(db), cache(db))")
      }))
  })

  describe("concurrency", () => {
    it.effect("builds independent components concurrently: two constructors waiting on each other both finish", () =>
      Effect.gen(function*() {
        const leftOpened = yield* Deferred.make<void>()
        const rightOpened = yield* Deferred.make<void>()
        const registry = Registry.make(
          Component.make(Left, {
            build: Effect.as(Effect.zipRight(Deferred.succeed(leftOpened, void 0), Deferred.await(rightOpened)), "left")
          }),
          Component.make(Right, {
            build: Effect.as(Effect.zipRight(Deferred.succeed(rightOpened, void 0), Deferred.await(leftOpened)), "right")
          })
        )
        const layer = Registry.toLayer(registry, [Left, Right], { concurrency: "unbounded" })
        // Built one after the other, the first constructor would wait forever for the second.
        expect(yield* Effect.provide(Effect.all([Left, Right]), layer)).toEqual(["left", "right"])
      }), 10_000)

    it.effect("with unbounded concurrency, independent constructors overlap", () =>
      Effect.gen(function*() {
        const recorder = yield* graph.makeRecorder
        const registry = Registry.make(
          Component.make(Left, { build: sleeper(recorder, "Left", 10) }),
          Component.make(Right, { build: sleeper(recorder, "Right", 20) })
        )
        yield* withClock(Effect.provide(Effect.all([Left, Right]), Registry.toLayer(registry, [Left, Right])))
        expect(yield* recorder.entries).toEqual(["start Left", "start Right", "end Left", "end Right"])
        // Right sleeps longer: Left ends first although both started before either ended.
      }))

    it.effect("with concurrency 1, independent components build strictly one after another", () =>
      Effect.gen(function*() {
        const recorder = yield* graph.makeRecorder
        const registry = Registry.make(
          Component.make(Left, { build: sleeper(recorder, "Left", 10) }),
          Component.make(Right, { build: sleeper(recorder, "Right", 10) }),
          Component.make(Db, { build: sleeper(recorder, "Db", 10) })
        )
        yield* withClock(
          Effect.provide(Effect.all([Left, Right, Db]), Registry.toLayer(registry, [Left, Right, Db], { concurrency: 1 }))
        )
        expect(yield* recorder.entries).toEqual([
          "start Left",
          "end Left",
          "start Right",
          "end Right",
          "start Db",
          "end Db"
        ])
      }))

    it.effect("with concurrency N, never more than N constructors are in flight, and N are reached", () =>
      Effect.gen(function*() {
        let inFlight = 0
        let most = 0
        const tags = Array.from({ length: 8 }, (_, i) => Context.GenericTag<string, string>(`wide${i}`))
        const registry = Registry.make(...tags.map((tag, i) =>
          Component.make(tag, {
            build: Effect.sync(() => {
              inFlight++
              most = Math.max(most, inFlight)
            }).pipe(
              Effect.zipRight(Effect.sleep(1 + (i % 3))),
              Effect.ensuring(Effect.sync(() => inFlight--)),
              Effect.as(tag.key)
            )
          })
        ))
        const plan = Either.getOrThrow(Resolver.resolve(registry, tags))
        const values = yield* withClock(Effect.provide(Effect.all(tags), Plan.toLayer(plan, { concurrency: 3 })))
        expect(values).toEqual(tags.map((tag) => tag.key))
        expect(most).toBe(3)
        expect(inFlight).toBe(0)
      }))

    it.effect.prop(
      "on random graphs of synchronous constructors, builds in exactly the order of plan.nodes and releases in its reverse, at any concurrency",
      [graph.dag({ maxSize: 40 }), fc.constantFrom<1 | 3 | "unbounded">(1, 3, "unbounded")],
      ([dag, concurrency]) =>
        Effect.gen(function*() {
          const recorder = yield* graph.makeRecorder
          const g = graph.makeGraph(dag, (_id, name, dependencies) => graph.recordedConstructor(recorder, name, dependencies))
          const plan = Either.getOrThrow(Resolver.resolve(g.registry, g.roots))
          const names = plan.nodes.map((node) => node.name)
          yield* Effect.scoped(Layer.build(Plan.toLayer(plan, { concurrency })))
          const log = yield* recorder.entries
          expect(log.filter((event) => event.startsWith("+"))).toEqual(names.map((name) => `+${name}`))
          expect(log.filter((event) => event.startsWith("-"))).toEqual(names.map((name) => `-${name}`).reverse())
        }),
      { fastCheck: { numRuns: 50, seed: 20261212 } }
    )

    it.effect.prop(
      "on wide random graphs of asynchronous constructors, at most N constructors are in flight",
      [graph.dag({ maxSize: 60, maxDependencies: 1 }), fc.integer({ min: 1, max: 4 }), fc.boolean()],
      ([dag, limit, usePromise]) =>
        Effect.gen(function*() {
          let inFlight = 0
          let most = 0
          const g = graph.makeGraph(dag, (_id, name) =>
            Effect.sync(() => {
              inFlight++
              most = Math.max(most, inFlight)
            }).pipe(
              Effect.zipRight(graph.pause(usePromise ? "promise" : "yield")),
              Effect.zipRight(Effect.sync(() => inFlight--)),
              Effect.as(name)
            ))
          yield* Effect.scoped(Layer.build(Registry.toLayer(g.registry, g.roots, { concurrency: limit })))
          expect(most).toBeLessThanOrEqual(limit)
          expect(most).toBeGreaterThanOrEqual(1)
          expect(inFlight).toBe(0)
        }),
      { fastCheck: { numRuns: 50, seed: 20261212 } }
    )
    it.effect("a concurrency that is not \"unbounded\" or at least 1 makes the Layer die saying why, before anything is built", () =>
      Effect.gen(function*() {
        const recorder = yield* graph.makeRecorder
        const registry = Registry.make(Component.make(Db, { build: resource(recorder, "Db") }))
        const plan = Either.getOrThrow(Resolver.resolve(registry, [Db]))
        for (const concurrency of [Number.NaN, 0, -3, 0.5, "2" as never]) {
          const exits: ReadonlyArray<Exit.Exit<unknown, unknown>> = [
            yield* Effect.exit(Effect.provide(Db, Plan.toLayer(plan, { concurrency }))),
            yield* Effect.exit(Effect.provide(Db, Registry.toLayer(registry, [Db], { concurrency })))
          ]
          for (const exit of exits) {
            if (Exit.isSuccess(exit)) throw new Error(`concurrency ${String(concurrency)} was accepted`)
            const defect = Cause.squash(exit.cause)
            expect(Cause.isIllegalArgumentException(defect)).toBe(true)
            expect(defect).toHaveProperty(
              "message",
              `layerwise Plan.toLayer: concurrency must be "unbounded" or at least 1, got ${
                typeof concurrency === "string" ? `"${concurrency}"` : String(concurrency)
              }`
            )
          }
        }
        expect(yield* recorder.entries).toEqual([])
        // the limit is a whole number of constructors: a fraction above 1 is rounded down
        expect(yield* Effect.provide(Db, Plan.toLayer(plan, { concurrency: 1.5 }))).toBe("Db")
      }))
  })

  describe("release", () => {
    it.effect("builds synchronous constructors in the plan's order, releases nothing while the Layer is in use, then each component once, before any of its dependencies", () =>
      Effect.gen(function*() {
        const recorder = yield* graph.makeRecorder
        const registry = Registry.make(
          Component.make(Db, { build: resource(recorder, "Db") }),
          Component.make(Repo, { dependencies: [Db], build: resource(recorder, "Repo") }),
          Component.make(Cache, { build: resource(recorder, "Cache") }),
          Component.make(Api, { dependencies: [Repo, Cache], build: resource(recorder, "Api") })
        )
        const { afterBuild, afterClose } = yield* buildAndRelease(Registry.toLayer(registry, [Api]), recorder)
        const plan = yield* Resolver.resolve(registry, [Api])
        expect(plan.nodes.map((node) => node.name)).toEqual(["Db", "Repo", "Cache", "Api"])
        expect(afterBuild).toEqual(["+Db", "+Repo", "+Cache", "+Api"])
        expect(afterClose).toEqual(["+Db", "+Repo", "+Cache", "+Api", "-Api", "-Cache", "-Repo", "-Db"])
      }))

    it.effect("releases the resources a constructor acquired in reverse order of acquisition", () =>
      Effect.gen(function*() {
        const recorder = yield* graph.makeRecorder
        const registry = Registry.make(
          Component.make(Db, { build: Effect.zipRight(resource(recorder, "Db.pool"), resource(recorder, "Db.session")) })
        )
        const { afterClose } = yield* buildAndRelease(Registry.toLayer(registry, [Db]), recorder)
        expect(afterClose).toEqual(["+Db.pool", "+Db.session", "-Db.session", "-Db.pool"])
      }))

    it.effect("a release that dies does not stop the other releases, and its defect surfaces when the scope closes", () =>
      Effect.gen(function*() {
        const recorder = yield* graph.makeRecorder
        const broken = new Error("Repo release broke")
        const registry = Registry.make(
          Component.make(Db, { build: resource(recorder, "Db") }),
          Component.make(Repo, {
            dependencies: [Db],
            build: Effect.as(
              Effect.acquireRelease(recorder.record("+Repo"), () => Effect.zipRight(recorder.record("-Repo"), Effect.die(broken))),
              "repo"
            )
          }),
          Component.make(Api, { dependencies: [Repo], build: resource(recorder, "Api") })
        )
        const exit = yield* Effect.exit(Effect.provide(Api, Registry.toLayer(registry, [Api])))
        expect(exit).toEqual(Exit.die(new Errors.ReleaseError({ component: "Repo", path: ["Api", "Repo"], cause: broken })))
        if (Exit.isFailure(exit)) {
          expect(Cause.squash(exit.cause)).toHaveProperty("message", "Api -> Repo: releasing Repo failed: Error: Repo release broke")
        }
        expect(yield* recorder.entries).toEqual(["+Db", "+Repo", "+Api", "-Api", "-Repo", "-Db"])
      }))
  })

  describe("failure", () => {
    for (const concurrency of [1, "unbounded"] as const) {
      it.effect(
        `a constructor failing half-way fails with ConstructionError and releases what was built, in reverse order (concurrency ${concurrency})`,
        () =>
          Effect.gen(function*() {
            const recorder = yield* graph.makeRecorder
            const refused = new Error("connection refused")
            const repo = Effect.gen(function*() {
              yield* recorder.record("start Repo")
              yield* resource(recorder, "Repo.connection")
              return yield* Effect.fail(refused)
            })
            const layer = Registry.toLayer(apiRegistry(recorder, repo), [Api], { concurrency })
            const { afterBuild, afterClose, exit } = yield* buildAndRelease(layer, recorder)
            const error = yield* Effect.flip(exit)
            expect(error).toBeInstanceOf(Errors.ConstructionError)
            expect(error._tag).toBe("ConstructionError")
            const construction = error as Errors.ConstructionError
            expect(construction.component).toBe("Repo")
            expect(construction.path).toEqual(["Api", "Repo"])
            expect(construction.cause).toBe(refused)
            expect(construction.message).toBe("Api -> Repo: constructor of Repo failed: Error: connection refused")
            // Cache was ready (queued behind Repo) and Api waited on Repo: neither ever starts.
            expect(afterBuild).toEqual(["+Db", "start Repo", "+Repo.connection", "-Repo.connection", "-Db"])
            expect(afterClose).toEqual(afterBuild)
          })
      )
    }

    it.effect("a constructor failing with a tagged error keeps that error, unchanged, as the cause", () =>
      Effect.gen(function*() {
        const registry = Registry.make(
          Component.make(Db, { build: Effect.fail({ _tag: "Refused", message: "no route to host" } as const) }),
          Component.make(Api, { dependencies: [Db], build: Effect.succeed("api") })
        )
        const error = yield* Effect.flip(Effect.provide(Api, Registry.toLayer(registry, [Api])))
        expect(error).toEqual(
          new Errors.ConstructionError({
            component: "Db",
            path: ["Api", "Db"],
            cause: { _tag: "Refused", message: "no route to host" }
          })
        )
        expect(error.message).toBe("Api -> Db: constructor of Db failed: Refused: no route to host")
      }))

    it.effect("a constructor that dies becomes a defect wrapping a ConstructionError that names the component", () =>
      Effect.gen(function*() {
        const recorder = yield* graph.makeRecorder
        const kaput = new Error("kaput")
        const repo = Effect.zipRight(resource(recorder, "Repo.connection"), Effect.die(kaput))
        const exit = yield* Effect.exit(Effect.provide(Api, Registry.toLayer(apiRegistry(recorder, repo), [Api])))
        expect(Exit.isFailure(exit)).toBe(true)
        const cause = (exit as Exit.Failure<string, unknown>).cause
        expect(Cause.isDie(cause)).toBe(true)
        expect(Cause.isFailure(cause)).toBe(false)
        const defect = Cause.squash(cause)
        expect(defect).toBeInstanceOf(Errors.ConstructionError)
        const construction = defect as Errors.ConstructionError
        expect(construction.component).toBe("Repo")
        expect(construction.path).toEqual(["Api", "Repo"])
        expect(construction.cause).toBe(kaput)
        expect(construction.message).toBe("Api -> Repo: constructor of Repo failed: Error: kaput")
        expect(yield* recorder.entries).toEqual(["+Db", "+Repo.connection", "-Repo.connection", "-Db"])
      }))

    it.effect("a constructor that interrupts itself (joins an interrupted fiber, Effect.interrupt) is a ConstructionError, not an interrupted build", () =>
      Effect.gen(function*() {
        const recorder = yield* graph.makeRecorder
        const joinsInterrupted = Effect.flatMap(Effect.fork(Effect.never), (child) => Effect.zipRight(Fiber.interrupt(child), Fiber.join(child)))
        for (const repo of [joinsInterrupted, Effect.zipRight(Effect.yieldNow(), Effect.interrupt)]) {
          const exit = yield* Effect.exit(
            Effect.provide(
              Api,
              Registry.toLayer(apiRegistry(recorder, Effect.zipRight(resource(recorder, "Repo"), repo)), [Api], { concurrency: 1 })
            )
          )
          if (Exit.isSuccess(exit)) throw new Error("the build succeeded")
          // a defect (the constructor did not fail with a value of its error type), naming the component
          expect(Cause.isInterruptedOnly(exit.cause)).toBe(false)
          const defect = Cause.squash(exit.cause)
          expect(defect).toBeInstanceOf(Errors.ConstructionError)
          const construction = defect as Errors.ConstructionError
          expect([construction.component, construction.path]).toEqual(["Repo", ["Api", "Repo"]])
          expect(Cause.isInterruptedException(construction.cause)).toBe(true)
          expect(construction.message).toMatch(/^Api -> Repo: constructor of Repo failed: InterruptedException: Interrupted by fibers: #\d+/)
          expect(yield* recorder.entries).toEqual(["+Db", "+Repo", "-Repo", "-Db"])
          yield* Ref.set(recorder.log, [])
        }
      }))

    it.effect("a failing constructor interrupts the independent constructors still in flight, whichever fiber runs them", () =>
      Effect.gen(function*() {
        const recorder = yield* graph.makeRecorder
        // Left is taken first (by the calling fiber) and never finishes; Right fails once Left is in flight.
        const registry = Registry.make(
          Component.make(Left, { build: Effect.zipRight(resource(recorder, "Left"), Effect.never) }),
          Component.make(Right, {
            build: Effect.gen(function*() {
              yield* Effect.yieldNow()
              yield* resource(recorder, "Right")
              return yield* Effect.fail("right failed")
            })
          })
        )
        const exit = yield* Effect.exit(Effect.scoped(Layer.build(Registry.toLayer(registry, [Left, Right]))))
        expect(exit).toEqual(
          Exit.fail(new Errors.ConstructionError({ component: "Right", path: ["Right"], cause: "right failed" }))
        )
        const log = yield* recorder.entries
        expect(log.slice(0, 2)).toEqual(["+Left", "+Right"])
        expect([...log.slice(2)].sort()).toEqual(["-Left", "-Right"])
      }), 10_000)

    it.effect("a failing constructor in a helper fiber interrupts a sleeping constructor of the calling fiber", () =>
      Effect.gen(function*() {
        const recorder = yield* graph.makeRecorder
        const registry = Registry.make(
          Component.make(Left, { build: Effect.zipRight(resource(recorder, "Left"), Effect.as(Effect.sleep("1 hour"), "left")) }),
          Component.make(Right, {
            build: Effect.zipRight(Effect.sleep("1 second"), Effect.fail("right failed"))
          })
        )
        const fiber = yield* Effect.fork(Effect.exit(Effect.scoped(Layer.build(Registry.toLayer(registry, [Left, Right])))))
        yield* TestClock.adjust("1 second")
        const exit = yield* Fiber.join(fiber)
        expect(Exit.isFailure(exit)).toBe(true)
        expect(yield* recorder.entries).toEqual(["+Left", "-Left"])
      }), 10_000)
  })

  describe("interruption", () => {
    it.effect("interrupting the build releases every built component once, in reverse dependency order", () =>
      Effect.gen(function*() {
        const recorder = yield* graph.makeRecorder
        const started = yield* Deferred.make<void>()
        const repo = Effect.gen(function*() {
          yield* resource(recorder, "Repo.connection")
          yield* Deferred.succeed(started, void 0)
          return yield* Effect.never
        })
        const layer = Registry.toLayer(apiRegistry(recorder, repo), [Api], { concurrency: 1 })
        const fiber = yield* Effect.fork(Effect.scoped(Layer.build(layer)))
        yield* Deferred.await(started)
        yield* Fiber.interrupt(fiber)
        expect(yield* recorder.entries).toEqual(["+Db", "+Repo.connection", "-Repo.connection", "-Db"])
      }))

    it.effect("interrupting an unbounded build interrupts every constructor in flight and releases everything once", () =>
      Effect.gen(function*() {
        const recorder = yield* graph.makeRecorder
        const leftStarted = yield* Deferred.make<void>()
        const rightStarted = yield* Deferred.make<void>()
        const hang = (name: string, started: Deferred.Deferred<void>) =>
          Effect.gen(function*() {
            yield* resource(recorder, name)
            yield* Deferred.succeed(started, void 0)
            return yield* Effect.never
          })
        const registry = Registry.make(
          Component.make(Db, { build: resource(recorder, "Db") }),
          Component.make(Left, { dependencies: [Db], build: hang("Left", leftStarted) }),
          Component.make(Right, { dependencies: [Db], build: hang("Right", rightStarted) }),
          Component.make(Api, { dependencies: [Left, Right], build: resource(recorder, "Api") })
        )
        const fiber = yield* Effect.fork(Effect.scoped(Layer.build(Registry.toLayer(registry, [Api]))))
        yield* Deferred.await(leftStarted)
        yield* Deferred.await(rightStarted)
        yield* Fiber.interrupt(fiber)
        expect(yield* recorder.entries).toEqual(["+Db", "+Left", "+Right", "-Right", "-Left", "-Db"])
      }))
  })

  describe("components given as Layers", () => {
    it.effect("keep Layer semantics: their own finalizer and their internal sub-layer, released after their dependents", () =>
      Effect.gen(function*() {
        const recorder = yield* graph.makeRecorder
        const ConnectionLive = Layer.scoped(Connection, resource(recorder, "Connection"))
        const DbLive = Layer.scoped(Db, Effect.flatMap(Connection, (connection) => resource(recorder, `Db(${connection})`)))
          .pipe(Layer.provide(ConnectionLive))
        const registry = Registry.make(
          Component.fromLayer(Db, { layer: DbLive }),
          Component.fromLayer(Api, {
            dependencies: [Db],
            layer: Layer.scoped(Api, Effect.flatMap(Db, (db) => resource(recorder, `Api(${db})`)))
          })
        )
        const { afterBuild, afterClose } = yield* buildAndRelease(Registry.toLayer(registry, [Api]), recorder)
        expect(afterBuild).toEqual(["+Connection", "+Db(Connection)", "+Api(Db(Connection))"])
        expect(afterClose).toEqual([
          ...afterBuild,
          "-Api(Db(Connection))",
          "-Db(Connection)",
          "-Connection"
        ])
      }))

    it.effect("a Layer used inside two components is built once through the outer MemoMap and released after both", () =>
      Effect.gen(function*() {
        // Observed behaviour: component Layers are built with the MemoMap of the Layer build that
        // builds the plan, so a Layer value shared by two components (here a sub-layer of both) is
        // built once, both see the same instance, and it is released when the last of them is.
        const recorder = yield* graph.makeRecorder
        const instances = yield* Ref.make(0)
        const SharedLive = Layer.scoped(
          Shared,
          Effect.zipRight(resource(recorder, "Shared"), Effect.map(Ref.updateAndGet(instances, (n) => n + 1), (id) => ({ id })))
        )
        const registry = Registry.make(
          Component.fromLayer(Left, {
            layer: Layer.scoped(Left, Effect.flatMap(Shared, (shared) => resource(recorder, `Left(${shared.id})`)))
              .pipe(Layer.provide(SharedLive))
          }),
          Component.fromLayer(Right, {
            layer: Layer.scoped(Right, Effect.flatMap(Shared, (shared) => resource(recorder, `Right(${shared.id})`)))
              .pipe(Layer.provide(SharedLive))
          }),
          Component.make(Api, { dependencies: [Left, Right], build: resource(recorder, "Api") })
        )
        const { afterClose } = yield* buildAndRelease(Registry.toLayer(registry, [Api]), recorder)
        expect(yield* Ref.get(instances)).toBe(1)
        expect(afterClose).toEqual(["+Shared", "+Left(1)", "+Right(1)", "+Api", "-Api", "-Right(1)", "-Left(1)", "-Shared"])
      }))

    it.effect("a Layer given to a component is the graph's own: provided next to the plan too, it is built once by each", () =>
      Effect.gen(function*() {
        const recorder = yield* graph.makeRecorder
        const SharedLive = Layer.scoped(Shared, Effect.as(resource(recorder, "Shared"), { id: 1 }))
        const registry = Registry.make(Component.fromLayer(Shared, { layer: SharedLive }))
        const both = Layer.merge(Registry.toLayer(registry, [Shared]), SharedLive)
        const shared = yield* Effect.scoped(Effect.map(Layer.build(both), Context.get(Shared)))
        expect(shared).toEqual({ id: 1 })
        expect(yield* recorder.entries).toEqual(["+Shared", "+Shared", "-Shared", "-Shared"])
      }))

    it.effect("a Layer inside the Layers of two components of one graph is built once, whatever else they depend on", () =>
      Effect.gen(function*() {
        const builds = yield* Ref.make(0)
        const SharedLive = Layer.effect(Shared, Effect.map(Db, (db) => ({ id: db.length }))).pipe(Layer.tap(() => Ref.update(builds, (n) => n + 1)))
        const registry = Registry.make(
          Component.succeed(Db, "db"),
          Component.succeed(Cache, "cache"),
          Component.fromLayer(Left, {
            dependencies: [Db],
            layer: Layer.effect(Left, Effect.map(Shared, (shared) => `left ${shared.id}`)).pipe(Layer.provide(SharedLive))
          }),
          Component.fromLayer(Right, {
            dependencies: [Db, Cache],
            layer: Layer.effect(Right, Effect.map(Effect.zip(Shared, Cache), ([shared, cache]) => `right ${shared.id} ${cache}`)).pipe(
              Layer.provide(SharedLive)
            )
          })
        )
        const built = yield* Effect.provide(Effect.all([Left, Right]), Registry.toLayer(registry, [Left, Right]))
        expect(built).toEqual(["left 2", "right 2 cache"])
        expect(yield* Ref.get(builds)).toBe(1)
      }))

    it.effect("FiberRef changes made by component Layers reach the program, whichever worker built them", () =>
      Effect.gen(function*() {
        // Regression: only the component built on the calling fiber used to propagate its FiberRefs.
        const SetByLeft = FiberRef.unsafeMake("unset")
        const SetByRight = FiberRef.unsafeMake("unset")
        const registry = Registry.make(
          Component.fromLayer(Left, { layer: Layer.merge(Layer.succeed(Left, "left"), Layer.locallyScoped(SetByLeft, "left")) }),
          Component.fromLayer(Right, {
            layer: Layer.merge(
              Layer.effect(Right, Effect.as(Effect.yieldNow(), "right")),
              Layer.locallyScoped(SetByRight, "right")
            )
          })
        )
        const refs = yield* Effect.provide(
          Effect.all([FiberRef.get(SetByLeft), FiberRef.get(SetByRight)]),
          Registry.toLayer(registry, [Left, Right])
        )
        expect(refs).toEqual(["left", "right"])
      }))

    it.effect("constructors see the services of the program they are built for; their dependencies do not leak into the program", () =>
      Effect.gen(function*() {
        // Outside is provided around the plan's Layer; every constructor reads it without declaring
        // it (serviceOption needs nothing), and Left and Right suspend so that helper fibers build too.
        class Outside extends Context.Tag("Outside")<Outside, string>() {}
        const seen = (name: string) =>
          Effect.map(Effect.zipRight(Effect.yieldNow(), Effect.serviceOption(Outside)), (outside) => `${name}:${Option.getOrElse(outside, () => "none")}`)
        const registry = Registry.make(
          Component.make(Db, { build: seen("db") }),
          Component.make(Left, { dependencies: [Db], build: seen("left") }),
          Component.make(Right, { dependencies: [Db], build: seen("right") }),
          Component.make(Api, {
            dependencies: [Left, Right],
            build: Effect.map(Effect.all([Left, Right, seen("api")]), (parts) => parts.join(" "))
          })
        )
        const program = Effect.all([Api, Effect.serviceOption(Left), Effect.serviceOption(Db), Effect.serviceOption(Outside)])
        const [api, left, db, outside] = yield* program.pipe(
          Effect.provide(Registry.toLayer(registry, [Api])),
          Effect.provideService(Outside, "outside")
        )
        expect(api).toBe("left:outside right:outside api:outside")
        // only the requested roots reach the program, next to its own services
        expect([left, db, outside]).toEqual([Option.none(), Option.none(), Option.some("outside")])
      }))

    it.effect("a component Layer failing half-way releases its sub-layer; the ConstructionError names the component", () =>
      Effect.gen(function*() {
        const recorder = yield* graph.makeRecorder
        const DbLive = Layer.effect(Db, Effect.fail("no database")).pipe(
          Layer.provide(Layer.scoped(Connection, resource(recorder, "Connection")))
        )
        const registry = Registry.make(
          Component.fromLayer(Db, { layer: DbLive }),
          Component.make(Api, { dependencies: [Db], build: resource(recorder, "Api") })
        )
        const error = yield* Effect.flip(Effect.scoped(Layer.build(Registry.toLayer(registry, [Api]))))
        expect(error).toEqual(new Errors.ConstructionError({ component: "Db", path: ["Api", "Db"], cause: "no database" }))
        expect(yield* recorder.entries).toEqual(["+Connection", "-Connection"])
      }))
  })

  describe("regressions: each graph builds its Layer-backed components itself (issues 11 and 17)", () => {
    class Greeting extends Context.Tag("Greeting")<Greeting, { readonly word: string }>() {}
    class Greeter extends Context.Tag("Greeter")<Greeter, { readonly greet: (name: string) => string }>() {}
    class Polite extends Context.Tag("Polite")<Polite, { readonly greet: (name: string) => string }>() {}
    const GreeterLive = Layer.effect(Greeter, Effect.map(Greeting, (greeting) => ({ greet: (name: string) => `${greeting.word} ${name}!` })))
    const greeterRegistry = Registry.make(
      Component.succeed(Greeting, { word: "hello" }),
      Component.fromLayer(Greeter, { dependencies: [Greeting], layer: GreeterLive }),
      Component.make(Polite, {
        dependencies: [Greeter],
        build: Effect.map(Greeter, (greeter) => ({ greet: (name: string) => `${greeter.greet(name)} (politely)` }))
      })
    )

    it.effect("two ManagedRuntimes sharing a MemoMap each get the Greeter their own graph resolved", () =>
      Effect.gen(function*() {
        const memoMap = yield* Layer.makeMemoMap
        const real = ManagedRuntime.make(Registry.toLayer(greeterRegistry, [Greeter]), memoMap)
        const fake = ManagedRuntime.make(Testing.toLayer(greeterRegistry, [Greeter], Testing.value(Greeting, { word: "FAKE" })), memoMap)
        const greetings = yield* Effect.promise(async () => [
          (await real.runPromise(Greeter)).greet("x"),
          (await fake.runPromise(Greeter)).greet("x")
        ])
        yield* Effect.promise(() => Promise.all([real.dispose(), fake.dispose()]))
        expect(greetings).toEqual(["hello x!", "FAKE x!"])
      }))

    it.effect("a failing constructor stays the error when a release then fails: the release failure is added to it", () =>
      Effect.gen(function*() {
        const registry = Registry.make(
          Component.make(Db, { build: Effect.as(Effect.addFinalizer(() => Effect.die(new Error("socket stuck"))), "db") }),
          Component.make(Api, { dependencies: [Db], build: Effect.fail("api failed") })
        )
        for (const run of [
          (layer: Layer.Layer<Api, Errors.BuildError | Errors.ResolutionError | Errors.InvalidOptions>) => Effect.exit(Effect.provide(Api, layer)),
          (layer: Layer.Layer<Api, Errors.BuildError | Errors.ResolutionError | Errors.InvalidOptions>) => Effect.exit(Layer.launch(layer)),
          (layer: Layer.Layer<Api, Errors.BuildError | Errors.ResolutionError | Errors.InvalidOptions>) =>
            Effect.promise(() => ManagedRuntime.make(layer).runPromiseExit(Api))
        ]) {
          const exit = yield* run(Registry.toLayer(registry, [Api]))
          if (Exit.isSuccess(exit)) throw new Error("the build succeeded")
          expect(Cause.failureOption(exit.cause)).toEqual(
            Option.some(new Errors.ConstructionError({ component: "Api", path: ["Api"], cause: "api failed" }))
          )
          expect(Cause.defects(exit.cause).pipe(Chunk.toReadonlyArray).map((defect) => (defect as Error).message)).toEqual([
            "Api -> Db: releasing Db failed: Error: socket stuck"
          ])
        }
      }))

    it.effect("a Layer-backed component whose build fails: its failing finalizer is added to the construction error", () =>
      Effect.gen(function*() {
        const registry = Registry.make(
          Component.fromLayer(Db, {
            layer: Layer.scoped(Db, Effect.zipRight(Effect.addFinalizer(() => Effect.die(new Error("pool stuck"))), Effect.fail("no database")))
          })
        )
        const exit = yield* Effect.exit(Effect.provide(Db, Registry.toLayer(registry, [Db])))
        if (Exit.isSuccess(exit)) throw new Error("the build succeeded")
        expect(Cause.failureOption(exit.cause)).toEqual(
          Option.some(new Errors.ConstructionError({ component: "Db", path: ["Db"], cause: "no database" }))
        )
        expect(Cause.defects(exit.cause).pipe(Chunk.toReadonlyArray).map((defect) => (defect as Error).message)).toEqual([
          "Db: releasing Db failed: Error: pool stuck"
        ])
      }))

    describe("nested it.layer", () => {
      it.layer(Registry.toLayer(greeterRegistry, [Polite]))("the outer graph", (it) => {
        it.effect("greets with the real greeting", () => Effect.map(Polite, (polite) => expect(polite.greet("x")).toBe("hello x! (politely)")))
        it.layer(Testing.toLayer(greeterRegistry, [Polite], Testing.value(Greeting, { word: "FAKE" })))("an inner graph with a fake", (it) => {
          it.effect("greets with the fake it resolved, not the outer graph's Greeter", () =>
            Effect.map(Polite, (polite) => expect(polite.greet("x")).toBe("FAKE x! (politely)")))
        })
      })
    })
  })

  describe("FiberRefs", () => {
    /** A Layer providing `tag` (after yielding when `yields`) that sets `ref` to `value` for as long as it lives. */
    const setting = (tag: Context.Tag<any, string>, ref: FiberRef.FiberRef<string>, value: string, yields = false) =>
      Layer.effect(tag, Effect.as(yields ? Effect.repeatN(Effect.yieldNow(), 3) : Effect.void, value)).pipe(
        Layer.provideMerge(Layer.locallyScoped(ref, value))
      )

    it.effect("a FiberRef a component's Layer sets reaches the components depending on it, whichever worker builds them, as with Layer.provide", () =>
      Effect.gen(function*() {
        const Ref = FiberRef.unsafeMake("unset")
        const DbLive = setting(Db, Ref, "set by Db")
        const CacheLive = Layer.effect(Cache, Effect.as(Effect.repeatN(Effect.yieldNow(), 3), "cache")) // asynchronous
        const ApiLive = Layer.effect(Api, FiberRef.get(Ref))
        // Cache suspends, so Api (needing both) is built by the worker that built Cache, not Db
        const registry = Registry.make(
          Component.fromLayer(Cache, { layer: CacheLive }),
          Component.fromLayer(Db, { layer: DbLive }),
          Component.fromLayer(Api, { dependencies: [Cache, Db], layer: ApiLive })
        )
        for (const concurrency of [1, "unbounded"] as const) {
          expect(yield* Effect.provide(Api, Registry.toLayer(registry, [Api], { concurrency }))).toBe("set by Db")
        }
        expect(yield* Effect.provide(Api, ApiLive.pipe(Layer.provide(Layer.merge(CacheLive, DbLive))))).toBe("set by Db")
      }))

    it.effect("FiberRefs set by a component do not reach the components that do not depend on it, whichever worker builds them", () =>
      Effect.gen(function*() {
        const Ref = FiberRef.unsafeMake("unset")
        const reads = Effect.map(FiberRef.get(Ref), (value) => `saw ${value}`)
        for (const yields of [false, true]) {
          // Db is built first; Left and Right (independent of Db) after it, possibly by the same worker
          const registry = Registry.make(
            Component.fromLayer(Db, { layer: setting(Db, Ref, "set by Db", yields) }),
            Component.make(Left, { dependencies: [Db], build: reads }),
            Component.make(Right, { build: reads }),
            Component.make(Cache, { build: Effect.zipRight(Effect.yieldNow(), reads) })
          )
          const seen = yield* Effect.provide(Effect.all([Left, Right, Cache]), Registry.toLayer(registry, [Left, Right, Cache]))
          expect(seen).toEqual(["saw set by Db", "saw unset", "saw unset"])
        }
      }))

    it.effect("when dependencies pass on changes of the same FiberRef, the one built later wins, as with Layer.merge; a component's own change wins over what it saw", () =>
      Effect.gen(function*() {
        const Ref = FiberRef.unsafeMake("unset")
        const reads = Effect.map(FiberRef.get(Ref), (value) => `saw ${value}`)
        // build order: Db, Cache, Left, Right, Api (Db and Cache independent; Left after Db)
        const registry = (yields: boolean) =>
          Registry.make(
            Component.fromLayer(Db, { layer: setting(Db, Ref, "Db", yields) }),
            Component.fromLayer(Cache, { layer: setting(Cache, Ref, "Cache") }),
            Component.fromLayer(Left, { dependencies: [Db], layer: setting(Left, Ref, "Left") }),
            Component.make(Right, { dependencies: [Cache, Db], build: reads }),
            Component.make(Api, { dependencies: [Left, Cache], build: reads })
          )
        for (const yields of [false, true]) {
          const plan = Either.getOrThrow(Resolver.resolve(registry(yields), [Right, Api]))
          expect(plan.nodes.map((node) => node.name)).toEqual(["Cache", "Db", "Right", "Left", "Api"])
          const seen = yield* Effect.provide(Effect.all([Right, Api, FiberRef.get(Ref)]), Plan.toLayer(plan))
          // Right: Db was built after Cache (whichever finished first); Api: Left (after Cache) over its dependency Db
          expect(seen).toEqual(["saw Db", "saw Left", "Left"])
        }
        // what Layer.provide(Layer.merge(a, b)) gives when a and b take as long: b's
        const merged = Layer.effect(Right, reads).pipe(
          Layer.provide(Layer.merge(setting(Cache, Ref, "Cache"), setting(Db, Ref, "Db")))
        )
        expect(yield* Effect.provide(Right, merged)).toBe("saw Db")
      }))

    it.effect("a dependency passing on an older change overrides a newer one coming through another dependency built before it, as Layer.merge does", () =>
      Effect.gen(function*() {
        const Ref = FiberRef.unsafeMake("unset")
        const reads = Effect.map(FiberRef.get(Ref), (value) => `saw ${value}`)
        // Db sets it; Repo (on Db) sets it again; Cache (on Db) passes Db's on; Api needs Repo and Cache
        const DbLive = setting(Db, Ref, "Db")
        const RepoLive = Layer.effect(Repo, Effect.succeed("repo")).pipe(Layer.provideMerge(Layer.locallyScoped(Ref, "Repo")))
        const registry = Registry.make(
          Component.fromLayer(Db, { layer: DbLive }),
          Component.fromLayer(Repo, { dependencies: [Db], layer: RepoLive }),
          Component.make(Cache, { dependencies: [Db], build: Effect.succeed("cache") }),
          Component.make(Api, { dependencies: [Repo, Cache], build: reads })
        )
        const plan = Either.getOrThrow(Resolver.resolve(registry, [Api]))
        expect(plan.nodes.map((node) => node.name)).toEqual(["Db", "Repo", "Cache", "Api"])
        expect(yield* Effect.provide(Api, Plan.toLayer(plan))).toBe("saw Db")
        // the same graph as Layers
        const layers = Layer.effect(Api, reads).pipe(
          Layer.provide(Layer.merge(RepoLive.pipe(Layer.provide(DbLive)), Layer.succeed(Cache, "cache").pipe(Layer.provideMerge(DbLive))))
        )
        expect(yield* Effect.provide(Api, layers)).toBe("saw Db")
      }))

    it.effect("a logger, a config provider and a FiberRef an Effect constructor sets reach the components depending on them", () =>
      Effect.gen(function*() {
        const Ref = FiberRef.unsafeMake("unset")
        const logged: Array<string> = []
        const registry = Registry.make(
          Component.fromLayer(Db, {
            layer: Layer.merge(
              Layer.succeed(Db, "db"),
              Logger.replace(Logger.defaultLogger, Logger.make(({ message }) => void logged.push(String(message))))
            )
          }),
          Component.fromLayer(Config, {
            layer: Layer.merge(
              Layer.succeed(Config, { port: 0 }),
              Layer.setConfigProvider(ConfigProvider.fromJson({ port: 8080 }))
            )
          }),
          Component.make(Cache, { build: Effect.as(FiberRef.set(Ref, "set by Cache"), "cache") }),
          Component.make(Api, {
            dependencies: [Db, Config, Cache],
            build: Effect.gen(function*() {
              yield* Effect.yieldNow()
              yield* Effect.log("building Api")
              return `port ${yield* EffectConfig.number("port")}, ${yield* FiberRef.get(Ref)}`
            })
          })
        )
        expect(yield* Effect.provide(Api, Registry.toLayer(registry, [Api]))).toBe("port 8080, set by Cache")
        expect(logged).toEqual(["building Api"])
      }))

    it.effect.prop(
      "on random graphs, a constructor sees the view of its dependency built last among those passing one on, and the program every change",
      [
        graph.dag({ maxSize: 40, maxDependencies: 3 }).chain((dag) =>
          fc.record({
            dag: fc.constant(dag),
            sets: fc.array(fc.constantFrom("none", "set", "scoped"), { minLength: dag.length, maxLength: dag.length }),
            pauses: fc.array(fc.constantFrom<graph.Pause>("sync", "yield", "promise"), { minLength: dag.length, maxLength: dag.length }),
            concurrency: fc.constantFrom<1 | 2 | "unbounded">(1, 2, "unbounded")
          })
        )
      ],
      ([{ concurrency, dag, pauses, sets }]) =>
        Effect.gen(function*() {
          const Ref = FiberRef.unsafeMake("unset")
          const seen = new Map<string, string>()
          const g = graph.makeGraph(dag, (id, name) =>
            Effect.gen(function*() {
              yield* graph.pause(pauses[id]!)
              seen.set(name, yield* FiberRef.get(Ref))
              if (sets[id] === "set") yield* FiberRef.set(Ref, name)
              if (sets[id] === "scoped") yield* Effect.locallyScoped(Ref, name)
              return name
            }))
          const plan = Either.getOrThrow(Resolver.resolve(g.registry, g.roots))
          const program = yield* Effect.provide(FiberRef.get(Ref), Plan.toLayer(plan, { concurrency }))
          // The model, with one FiberRef: a node's view is its own value if it sets one, otherwise what
          // it saw, which is the view of its dependency built last among those with a view.
          const position = (id: number) => plan.nodes.find((node) => node.name === graph.nameOf(id))!.id
          const byPosition = dag.map((_, id) => id).sort((a, b) => position(a) - position(b))
          const view = new Map<number, string>()
          const saw = new Map<number, string>()
          for (const id of byPosition) {
            const last = dag[id]!.filter((dependency) => view.has(dependency)).sort((a, b) => position(a) - position(b)).at(-1)
            saw.set(id, last === undefined ? "unset" : view.get(last)!)
            if (sets[id] !== "none") view.set(id, graph.nameOf(id))
            else if (last !== undefined) view.set(id, view.get(last)!)
          }
          expect(dag.map((_, id) => seen.get(graph.nameOf(id)))).toEqual(dag.map((_, id) => saw.get(id)))
          const lastSetter = byPosition.filter((id) => sets[id] !== "none").at(-1)
          expect(program).toBe(lastSetter === undefined ? "unset" : graph.nameOf(lastSetter))
        }),
      { fastCheck: { numRuns: 100, seed: 20261212 } }
    )
  })

  describe("values and requests", () => {
    it.effect("Component.succeed provides its value as is, with nothing to build or release", () =>
      Effect.gen(function*() {
        const config = { port: 8080 }
        const registry = Registry.make(
          Component.succeed(Config, config),
          Component.make(Api, { dependencies: [Config], build: Effect.map(Config, (c) => `port ${c.port}`) })
        )
        const [api, provided] = yield* Effect.provide(Effect.all([Api, Config]), Registry.toLayer(registry, [Api, Config]))
        expect(api).toBe("port 8080")
        expect(provided).toBe(config)
      }))

    it.effect("optional and collection requests arrive in the constructor as Option and as an array sorted by order", () =>
      Effect.gen(function*() {
        class Report extends Context.Tag("Report")<Report, {
          readonly metrics: Option.Option<string>
          readonly cache: Option.Option<string>
          readonly plugins: ReadonlyArray<string>
        }>() {}
        const OptionalMetrics = Dependency.optional(Metrics)
        const OptionalCache = Dependency.optional(Cache)
        const Plugins = Dependency.all(Plugin)
        const registry = Registry.make(
          Component.succeed(Cache, "cache"),
          Component.succeed(Plugin, "third", { name: "third", order: 3 }),
          Component.make(Plugin, { name: "first", order: -1, build: Effect.succeed("first") }),
          Component.succeed(Plugin, "second", { name: "second", order: 2 }),
          Component.make(Report, {
            dependencies: [OptionalMetrics, OptionalCache, Plugins],
            build: Effect.all({ metrics: OptionalMetrics, cache: OptionalCache, plugins: Plugins })
          })
        )
        const report = yield* Effect.provide(Report, Registry.toLayer(registry, [Report]))
        expect(report).toEqual({ metrics: Option.none(), cache: Option.some("cache"), plugins: ["first", "second", "third"] })
      }))

    it.effect("roots requested as qualified, named, optional and collection tags are provided under those tags", () =>
      Effect.gen(function*() {
        const ReplicaDb = Dependency.qualified(Db, Replica)
        const AuditDb = Dependency.named(Db, "audit")
        const OptionalMetrics = Dependency.optional(Metrics)
        const OptionalCache = Dependency.optional(Cache)
        const Plugins = Dependency.all(Plugin)
        const registry = Registry.make(
          Component.succeed(Db, "main", { primary: true }),
          Component.succeed(Db, "replica", { name: "replica", qualifiers: [Replica] }),
          Component.succeed(Db, "audit", { name: "audit" }),
          Component.succeed(Cache, "cache"),
          Component.succeed(Plugin, "b", { name: "b", order: 2 }),
          Component.succeed(Plugin, "a", { name: "a", order: 1 })
        )
        const values = yield* Effect.provide(
          Effect.all([Db, ReplicaDb, AuditDb, OptionalMetrics, OptionalCache, Plugins]),
          Registry.toLayer(registry, [Db, ReplicaDb, AuditDb, OptionalMetrics, OptionalCache, Plugins])
        )
        expect(values).toEqual(["main", "replica", "audit", Option.none(), Option.some("cache"), ["a", "b"]])
      }))

    it.effect("an empty plan builds an empty context", () =>
      Effect.gen(function*() {
        const plan = Either.getOrThrow(Resolver.resolve(Registry.empty, []))
        const context = yield* Effect.scoped(Layer.build(Plan.toLayer(plan)))
        expect(Context.isContext(context)).toBe(true)
      }))
  })

  describe("integration", () => {
    const lifecycleRegistry = (recorder: graph.Recorder) =>
      Registry.make(
        Component.make(Db, { build: resource(recorder, "Db") }),
        Component.make(Api, {
          dependencies: [Db],
          build: Effect.map(Effect.zipRight(resource(recorder, "Api"), Db), (db) => `api(${db})`)
        })
      )

    it.effect("Effect.provide builds the Layer for the program and releases it afterwards", () =>
      Effect.gen(function*() {
        const recorder = yield* graph.makeRecorder
        const program = Effect.flatMap(Api, (api) => Effect.as(recorder.record(`use ${api}`), api))
        const value = yield* Effect.provide(program, Registry.toLayer(lifecycleRegistry(recorder), [Api]))
        expect(value).toBe("api(Db)")
        expect(yield* recorder.entries).toEqual(["+Db", "+Api", "use api(Db)", "-Api", "-Db"])
      }))

    it.effect("Layer.launch keeps the components alive until interrupted, then releases them", () =>
      Effect.gen(function*() {
        const recorder = yield* graph.makeRecorder
        const ready = yield* Deferred.make<void>()
        class Server extends Context.Tag("Server")<Server, string>() {}
        const registry = Registry.make(
          Component.make(Db, { build: resource(recorder, "Db") }),
          Component.make(Server, {
            dependencies: [Db],
            build: Effect.zipLeft(resource(recorder, "Server"), Deferred.succeed(ready, void 0))
          })
        )
        const fiber = yield* Effect.fork(Layer.launch(Registry.toLayer(registry, [Server])))
        yield* Deferred.await(ready)
        expect(yield* recorder.entries).toEqual(["+Db", "+Server"])
        yield* Fiber.interrupt(fiber)
        expect(yield* recorder.entries).toEqual(["+Db", "+Server", "-Server", "-Db"])
      }))

    it.effect("ManagedRuntime.make runs programs with the components and dispose releases them", () =>
      Effect.gen(function*() {
        const recorder = yield* graph.makeRecorder
        const runtime = ManagedRuntime.make(Registry.toLayer(lifecycleRegistry(recorder), [Api]))
        const first = yield* Effect.promise(() => runtime.runPromise(Api))
        const second = yield* Effect.promise(() => runtime.runPromise(Api))
        expect([first, second]).toEqual(["api(Db)", "api(Db)"])
        expect(yield* recorder.entries).toEqual(["+Db", "+Api"])
        yield* Effect.promise(() => runtime.dispose())
        expect(yield* recorder.entries).toEqual(["+Db", "+Api", "-Api", "-Db"])
      }))

    // `it.layer` builds the Layer once for the nested block and releases it after the block.
    const sharedLog: Array<string> = []
    const sharedRecorder: graph.Recorder = {
      log: Ref.unsafeMake(sharedLog),
      record: (event) => Effect.sync(() => void sharedLog.push(event)),
      entries: Effect.sync(() => [...sharedLog])
    }

    describe("with it.layer", () => {
      it.layer(Registry.toLayer(lifecycleRegistry(sharedRecorder), [Api]))("the plan's Layer", (it) => {
        it.effect("provides the roots to the first test", () =>
          Effect.gen(function*() {
            expect(yield* Api).toBe("api(Db)")
            expect(yield* sharedRecorder.entries).toEqual(["+Db", "+Api"])
          }))

        it.effect("and to the next one, without building again", () =>
          Effect.gen(function*() {
            expect(yield* Api).toBe("api(Db)")
            expect(yield* sharedRecorder.entries).toEqual(["+Db", "+Api"])
          }))
      })

      it.effect("releases the components once the block is done", () =>
        Effect.sync(() => expect(sharedLog).toEqual(["+Db", "+Api", "-Api", "-Db"])))
    })
  })

  describe("random graphs", () => {
    const pauses = (size: number) =>
      fc.array(fc.constantFrom<graph.Pause>("sync", "yield", "promise"), { minLength: size, maxLength: size })
    // a random subset of the components given as Layers, some provided with an inner Layer of their own
    const scenario = graph.dag({ maxSize: 60, maxDependencies: 3 }).chain((dag) =>
      fc.record({ dag: fc.constant(dag), pauses: pauses(dag.length), failing: fc.nat(dag.length - 1), kinds: graph.kinds(dag.length) })
    )
    /** Every node given as a Layer provided with an inner Layer built it, unless it was never reached. */
    const innersBuilt = (dag: graph.Dag, kinds: ReadonlyArray<graph.Kind>, log: ReadonlyArray<string>) =>
      dag.flatMap((_, id) =>
        kinds[id] === "layer-provide" && log.includes(`start ${graph.nameOf(id)}`) && !log.includes(`+${graph.nameOf(id)}.inner`)
          ? [`${graph.nameOf(id)}'s inner Layer was not built`]
          : []
      )

    for (const concurrency of [1, 2, "unbounded"] as const) {
      it.effect.prop(
        `builds in topological order and releases in reverse, each component once, Effects and Layers alike (concurrency ${concurrency})`,
        [scenario],
        ([{ dag, kinds, pauses }]) =>
          Effect.gen(function*() {
            const recorder = yield* graph.makeRecorder
            const g = graph.makeGraph(
              dag,
              (id, name, dependencies) => graph.recordedConstructor(recorder, name, dependencies, { pause: pauses[id] }),
              { kinds, inner: (_, name) => graph.recordedInner(recorder, name) }
            )
            const { afterBuild, afterClose, exit } = yield* buildAndRelease(
              Registry.toLayer(g.registry, g.roots, { concurrency }),
              recorder
            )
            expect(exit._tag).toBe("Success")
            expect(afterBuild.filter((event) => event.startsWith("-"))).toEqual([])
            expect(graph.successViolations(dag, afterClose)).toEqual([])
            expect(innersBuilt(dag, kinds, afterClose)).toEqual([])
          }),
        { fastCheck: { numRuns: 60, seed: 20261212 } }
      )

      it.effect.prop(
        `a failure at a random constructor releases everything built once, in reverse, and starts nothing new, Effects and Layers alike (concurrency ${concurrency})`,
        [scenario],
        ([{ dag, failing, kinds, pauses }]) =>
          Effect.gen(function*() {
            const recorder = yield* graph.makeRecorder
            const g = graph.makeGraph(
              dag,
              (id, name, dependencies) => graph.recordedConstructor(recorder, name, dependencies, { pause: pauses[id], fail: id === failing }),
              { kinds, inner: (_, name) => graph.recordedInner(recorder, name) }
            )
            const { afterBuild, afterClose, exit } = yield* buildAndRelease(
              Registry.toLayer(g.registry, g.roots, { concurrency }),
              recorder
            )
            const error = yield* Effect.flip(exit)
            expect(error).toBeInstanceOf(Errors.ConstructionError)
            const construction = error as Errors.ConstructionError
            expect(construction.component).toBe(graph.nameOf(failing))
            expect(construction.cause).toEqual(new graph.NodeFailure({ node: graph.nameOf(failing) }))
            // Everything was released before the error surfaced.
            expect(afterClose).toEqual(afterBuild)
            // With one worker nothing at all starts after the failure. With several, a worker may be
            // preempted by the scheduler between taking a ready node and running its constructor, so
            // the check is that a late starter was ready (taken off the queue) before the failure.
            expect(graph.failureViolations(dag, failing, afterClose, { strict: concurrency === 1 })).toEqual([])
          }),
        { fastCheck: { numRuns: 60, seed: 20261212 } }
      )
    }

    it.effect.prop(
      "finalizers failing at random components, Effects or Layers, their own or their inner Layers', with or without a failing constructor: everything built is released once, dependents first, and every failure is a ReleaseError naming its component, in release order, added to the construction error",
      [graph.dag({ maxSize: 30, maxDependencies: 3 }).chain((dag) =>
        fc.record({
          dag: fc.constant(dag),
          pauses: pauses(dag.length),
          kinds: graph.kinds(dag.length),
          releasing: fc.uniqueArray(fc.nat(dag.length - 1), { minLength: 1, maxLength: 4 }),
          inner: fc.boolean(),
          failing: fc.option(fc.nat(dag.length - 1), { nil: undefined }),
          concurrency: fc.constantFrom<number | "unbounded">(1, 2, "unbounded")
        }).map((input) =>
          // an inner Layer's finalizer fails: that component is given as a Layer provided with one
          input.inner ? { ...input, kinds: input.kinds.map((kind, id) => (input.releasing.includes(id) ? "layer-provide" : kind)) } : input
        )
      )],
      ([{ concurrency, dag, failing, inner, kinds, pauses, releasing }]) =>
        Effect.gen(function*() {
          const recorder = yield* graph.makeRecorder
          const g = graph.makeGraph(
            dag,
            (id, name, dependencies) =>
              graph.recordedConstructor(recorder, name, dependencies, {
                pause: pauses[id],
                fail: id === failing,
                failRelease: releasing.includes(id) && !inner
              }),
            { kinds, inner: (id, name) => graph.recordedInner(recorder, name, { failRelease: releasing.includes(id) && inner }) }
          )
          const scope = yield* Scope.make()
          const built = yield* Effect.exit(Layer.buildWithScope(Registry.toLayer(g.registry, g.roots, { concurrency }), scope))
          const afterBuild = yield* recorder.entries
          const closed = yield* Effect.exit(Scope.close(scope, Exit.void))
          const log = yield* recorder.entries
          // the parts told to fail that were built, in the order they were released
          const failed = log.flatMap((entry) => {
            const part = entry.slice(1)
            const id = releasing.find((id) => part === (inner ? `${graph.nameOf(id)}.inner` : graph.nameOf(id)))
            return entry.startsWith("-") && id !== undefined ? [["ReleaseError", graph.nameOf(id), new graph.ReleaseFailure({ part })]] : []
          })
          // the release failures, where they surface: the failed build's cause, or the closing of its scope
          const surfaced: Exit.Exit<unknown, unknown> = failing === undefined ? closed : built
          const releaseErrors = Exit.isFailure(surfaced) ? Chunk.toReadonlyArray(Cause.defects(surfaced.cause)) : []
          expect(releaseErrors.map((error) => [(error as Errors.ReleaseError)._tag, (error as Errors.ReleaseError).component, (error as Errors.ReleaseError).cause]))
            .toEqual(failed)
          if (failing === undefined) {
            expect(built._tag).toBe("Success")
            expect(graph.successViolations(dag, log)).toEqual([])
          } else {
            // the construction error stays the error
            const error = Option.getOrThrow(Cause.failureOption((built as Exit.Failure<unknown, unknown>).cause)) as Errors.ConstructionError
            expect([error._tag, error.component, error.cause]).toEqual([
              "ConstructionError",
              graph.nameOf(failing),
              new graph.NodeFailure({ node: graph.nameOf(failing) })
            ])
            // everything was released before the build failed
            expect(log).toEqual(afterBuild)
            expect(closed._tag).toBe("Success")
            expect(graph.failureViolations(dag, failing, log, { strict: concurrency === 1 })).toEqual([])
          }
        }),
      { fastCheck: { numRuns: 100, seed: 20261208 } }
    )

    it.effect.prop(
      "interrupting the build while a random constructor runs, Effects and Layers alike: everything built is released once, in reverse, before the interruption returns",
      [scenario.chain((input) => fc.record({ input: fc.constant(input), concurrency: fc.constantFrom<number | "unbounded">(1, 2, "unbounded") }))],
      ([{ concurrency, input: { dag, failing: blocking, kinds, pauses } }]) =>
        Effect.gen(function*() {
          const recorder = yield* graph.makeRecorder
          const blocked = yield* Deferred.make<void>()
          const g = graph.makeGraph(
            dag,
            (id, name, dependencies) =>
              graph.recordedConstructor(recorder, name, dependencies, { pause: pauses[id], block: id === blocking ? blocked : undefined }),
            { kinds, inner: (_, name) => graph.recordedInner(recorder, name) }
          )
          const scope = yield* Scope.make()
          const fiber = yield* Effect.fork(Layer.buildWithScope(Registry.toLayer(g.registry, g.roots, { concurrency }), scope))
          yield* Deferred.await(blocked)
          expect(Exit.isInterrupted(yield* Fiber.interrupt(fiber))).toBe(true)
          const afterInterrupt = yield* recorder.entries
          yield* Scope.close(scope, Exit.void)
          const log = yield* recorder.entries
          expect(log).toEqual(afterInterrupt)
          expect(log.filter((entry) => entry.startsWith("+")).length).toBe(log.filter((entry) => entry.startsWith("-")).length)
          expect(graph.lifecycleViolations(dag, log)).toEqual([])
          // nothing depending on the blocked component was started
          for (const dependent of graph.dependentsOf(dag, blocking)) {
            if (dependent !== blocking) expect(log).not.toContain(`start ${graph.nameOf(dependent)}`)
          }
        }),
      { fastCheck: { numRuns: 100, seed: 20261212 } }
    )

    it.effect.prop(
      "constructors sleeping under the TestClock build in topological order and release in reverse",
      [graph.dag({ maxSize: 20 }).chain((dag) =>
        fc.record({
          dag: fc.constant(dag),
          millis: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: dag.length, maxLength: dag.length }),
          failing: fc.option(fc.nat(dag.length - 1), { nil: undefined })
        })
      )],
      ([{ dag, failing, millis }]) =>
        Effect.gen(function*() {
          const recorder = yield* graph.makeRecorder
          const g = graph.makeGraph(dag, (id, name, dependencies) =>
            graph.recordedConstructor(recorder, name, dependencies, {
              pause: "sleep",
              sleepMillis: millis[id],
              fail: id === failing
            }))
          const { afterClose, exit } = yield* withClock(
            buildAndRelease(Registry.toLayer(g.registry, g.roots), recorder),
            5
          )
          if (failing === undefined) {
            expect(exit._tag).toBe("Success")
            expect(graph.successViolations(dag, afterClose)).toEqual([])
          } else {
            expect(exit._tag).toBe("Failure")
            expect(graph.failureViolations(dag, failing, afterClose)).toEqual([])
          }
        }),
      { fastCheck: { numRuns: 20, seed: 20261212 } }
    )
  })

  it.effect("a 10,000-long chain builds and releases in order without overflowing the stack", () =>
    Effect.gen(function*() {
      const size = 10_000
      const log: Array<string> = []
      const dag = Array.from({ length: size }, (_, id) => id === 0 ? [] : [id - 1])
      const g = graph.makeGraph(dag, (_id, name) =>
        Effect.as(
          Effect.acquireRelease(Effect.sync(() => void log.push(`+${name}`)), () => Effect.sync(() => void log.push(`-${name}`))),
          name
        ))
      const layer = Registry.toLayer(g.registry, g.roots)
      const top = yield* Effect.scoped(Effect.map(Layer.build(layer), Context.get(g.tags[size - 1]!)))
      expect(top).toBe(graph.nameOf(size - 1))
      const names = dag.map((_, id) => graph.nameOf(id))
      expect(log).toEqual([...names.map((name) => `+${name}`), ...names.reverse().map((name) => `-${name}`)])
    }))
})
