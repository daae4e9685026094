import { describe, expect, it } from "@effect/vitest"
import { inspect } from "node:util"
import {
  Cause,
  Chunk,
  Clock,
  Config,
  ConfigProvider,
  Context,
  Data,
  Deferred,
  Duration,
  Effect,
  Either,
  Exit,
  FastCheck as fc,
  Fiber,
  FiberRef,
  Layer,
  Logger,
  Option,
  Queue,
  Ref,
  Runtime,
  Schema,
  Scope,
  Stream,
  TestClock
} from "effect"
import { App, Component, Condition, Container, Dependency, Errors, Explain, Health, Lifecycle, Lifetime, Options, Plan, Registry, Report, Resolver, Testing } from "layerwise"
import * as runtime from "../src/internal/runtime.js"
import { makeRecording, traced } from "./helpers/tracing.js"
import { type Dag, dag, dependentsOf, edgesOf, makeRecorder, nameOf, type Recorder, sinksOf } from "./helpers/graph.js"

// ---------------------------------------------------------------------------------------------
// helpers

class Boom extends Data.TaggedError("Boom")<{ readonly where: string }> {}

class A extends Context.Tag("A")<A, string>() {}
class B extends Context.Tag("B")<B, string>() {}
class C extends Context.Tag("C")<C, string>() {}
class D extends Context.Tag("D")<D, string>() {}

/** A component that records its build and release, with hooks recording `<kind> <name>`. */
const recorded = <Id>(
  recorder: Recorder,
  tag: Context.Tag<Id, string>,
  dependencies: ReadonlyArray<Context.Tag<any, any>> = [],
  hooks: { readonly start?: boolean; readonly stop?: boolean } = { start: true, stop: true }
): Component.Component<Id, string> => {
  const name = tag.key
  let component = Component.make(tag, {
    dependencies,
    build: Effect.acquireRelease(Effect.as(recorder.record(`build ${name}`), name), () => recorder.record(`release ${name}`))
  } as never) as Component.Component<Id, string>
  if (hooks.start !== false) component = Lifecycle.onStart(component, () => recorder.record(`start ${name}`))
  if (hooks.stop !== false) component = Lifecycle.onStop(component, () => recorder.record(`stop ${name}`))
  return component
}

/** Starts and stops the application in one scope, returning the report (or the failure). */
const startStop = <R>(app: App.App<R>) => Effect.scoped(Effect.flatMap(App.start(app), App.stop))

/** Waits until `count` sleeps are pending on the TestClock (so `adjust` reaches them). */
const awaitSleeps = (count: number) =>
  Effect.gen(function*() {
    for (let i = 0; i < 10_000; i++) {
      if (Chunk.size(yield* TestClock.sleeps()) >= count) return
      yield* Effect.yieldNow()
    }
    return yield* Effect.dieMessage(`never reached ${count} pending sleeps`)
  })

const failureOf = <A, E>(exit: Exit.Exit<A, E>): E => {
  if (Exit.isSuccess(exit)) throw new Error("expected a failure")
  const failure = Cause.failureOption(exit.cause)
  if (Option.isNone(failure)) throw new Error(`expected a typed failure, got ${Cause.pretty(exit.cause)}`)
  return failure.value
}

/** Waits until the recorder holds `count` entries (what the fibers it waits for recorded so far). */
const awaitEntries = (recorder: Recorder, count: number) =>
  Effect.gen(function*() {
    for (let i = 0; i < 10_000; i++) {
      if ((yield* recorder.entries).length >= count) return
      yield* Effect.yieldNow()
    }
    return yield* Effect.dieMessage(`never reached ${count} entries`)
  })

/** the most seconds `awaitMovingClock` moves the clock on: far more than every timeout of a run put together */
const clockTurns = 2_000

/**
 * Awaits a fiber, letting its fibers run until it ends or only the clock can move it on, then moving
 * the TestClock on a second at a time; `undefined` when it is still running after `clockTurns` seconds
 * (a test-level guard: a hung run fails the test instead of hanging it).
 */
const awaitMovingClock = <A, E>(fiber: Fiber.RuntimeFiber<A, E>) =>
  Effect.gen(function*() {
    for (let turn = 0, yields = 0; Option.isNone(yield* Fiber.poll(fiber)); yields++) {
      if (yields < 100) {
        yield* Effect.yieldNow()
        continue
      }
      if (++turn === clockTurns) return undefined
      yields = 0
      yield* TestClock.adjust("1 second")
    }
    return yield* Fiber.await(fiber)
  })

/** Starts `app`, runs `check` on it in a fiber while `drive` moves the clock, and gives what it gave. */
const healthWhile = <A>(app: App.App<never>, check: (running: App.Running<never>) => Effect.Effect<A, unknown>, drive: Effect.Effect<void>) =>
  Effect.scoped(Effect.gen(function*() {
    const running = yield* App.start(app)
    const fiber = yield* Effect.fork(check(running))
    yield* drive
    return yield* Fiber.join(fiber)
  }))

const phasesOf = (report: Report.Report, name: string) =>
  report.components.find((component) => component.name === name)!.phases.map((record) =>
    `${record.phase}:${record.outcome}`
  )

// ---------------------------------------------------------------------------------------------

describe("App", () => {
  it.scoped("an App and its running handle are Inspectable: toString, toJSON and util.inspect say what they are, not their fields", () =>
    Effect.gen(function*() {
      class Db extends Context.Tag("inspect/Db")<Db, string>() {}
      const registry = Registry.make(Component.succeed(Db, "db"))
      const fromRegistry = App.make(registry, { roots: [Db] })
      const fromPlan = App.make(Either.getOrThrow(Resolver.resolve(registry, [Db])))
      expect([String(fromRegistry), String(fromPlan)]).toEqual(["App(registry)", "App(1 component)"])
      expect([fromRegistry.toJSON(), fromPlan.toJSON()]).toEqual([
        { _id: "App", source: "registry" },
        { _id: "App", source: "plan of 1 component" }
      ])
      expect(inspect(fromPlan)).toBe(inspect({ _id: "App", source: "plan of 1 component" }))
      const running = yield* App.start(fromPlan)
      expect(String(running)).toBe("App.Running(started)")
      expect(inspect(running)).toBe(inspect({ _id: "App.Running", state: "started", components: 1 }))
    }))

  describe("phases and ordering", () => {
    it.effect("runs a component's phases in order: build, initializers, start, background, stop, disposers, release", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const backgroundStarted = yield* Deferred.make<void>()
        const component = Component.make(A, {
          build: Effect.acquireRelease(Effect.as(recorder.record("build"), "a"), () => recorder.record("release"))
        }).pipe(
          Lifecycle.initializer(() => recorder.record("initialize")),
          Lifecycle.onStart(() => recorder.record("start")),
          Lifecycle.background(() =>
            Effect.zipRight(
              Effect.zipRight(recorder.record("background"), Deferred.succeed(backgroundStarted, undefined)),
              Effect.onInterrupt(Effect.never, () => recorder.record("background interrupted"))
            )
          ),
          Lifecycle.onStop(() => recorder.record("stop")),
          Lifecycle.disposer(() => recorder.record("dispose"))
        )
        const app = App.make(Registry.make(component), { roots: [A] })
        yield* Effect.scoped(Effect.gen(function*() {
          const running = yield* App.start(app)
          yield* Deferred.await(backgroundStarted)
          yield* App.stop(running)
        }))
        expect(yield* recorder.entries).toEqual([
          "build",
          "initialize",
          "start",
          "background",
          "background interrupted",
          "stop",
          "dispose",
          "release"
        ])
      }))

    it.effect("starts dependencies first, and stops and releases in reverse dependency order", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const registry = Registry.make(
          recorded(recorder, C, [B]),
          recorded(recorder, B, [A]),
          recorded(recorder, A)
        )
        yield* startStop(App.make(registry, { roots: [C] }))
        expect(yield* recorder.entries).toEqual([
          "build A",
          "build B",
          "build C",
          "start A",
          "start B",
          "start C",
          "stop C",
          "stop B",
          "stop A",
          "release C",
          "release B",
          "release A"
        ])
      }))

    it.effect("runs start hooks only once the whole graph is built", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        // A has no dependents: it is built last; B's start still waits for it
        const registry = Registry.make(recorded(recorder, A, [B]), recorded(recorder, B))
        yield* startStop(App.make(registry, { roots: [A] }))
        const log = yield* recorder.entries
        expect(log.slice(0, 4)).toEqual(["build B", "build A", "start B", "start A"])
      }))

    it.effect("starts and stops independent components concurrently: two hooks waiting on each other both finish", () =>
      Effect.gen(function*() {
        const startedA = yield* Deferred.make<void>()
        const startedB = yield* Deferred.make<void>()
        const stoppedA = yield* Deferred.make<void>()
        const stoppedB = yield* Deferred.make<void>()
        const registry = Registry.make(
          Component.succeed(A, "a").pipe(
            Lifecycle.onStart(() => Effect.zipRight(Deferred.succeed(startedA, undefined), Deferred.await(startedB))),
            Lifecycle.onStop(() => Effect.zipRight(Deferred.succeed(stoppedA, undefined), Deferred.await(stoppedB)))
          ),
          Component.succeed(B, "b").pipe(
            Lifecycle.onStart(() => Effect.zipRight(Deferred.succeed(startedB, undefined), Deferred.await(startedA))),
            Lifecycle.onStop(() => Effect.zipRight(Deferred.succeed(stoppedB, undefined), Deferred.await(stoppedA)))
          )
        )
        const report = yield* startStop(App.make(registry, { roots: [A, B] }))
        expect(report.success).toBe(true)
        expect(report.components.map((component) => component.state)).toEqual(["released", "released"])
      }))

    it.effect("with concurrency 1, starts one component at a time", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const hook = (name: string) => () =>
          Effect.zipRight(recorder.record(`start ${name}`), Effect.zipRight(Effect.yieldNow(), recorder.record(`started ${name}`)))
        const registry = Registry.make(
          Component.succeed(A, "a").pipe(Lifecycle.onStart(hook("A"))),
          Component.succeed(B, "b").pipe(Lifecycle.onStart(hook("B")))
        )
        yield* startStop(App.make(registry, { roots: [A, B], concurrency: 1 }))
        expect(yield* recorder.entries).toEqual(["start A", "started A", "start B", "started B"])
      }))

    it.effect("runs several initializers, start hooks, stop hooks and disposers in declaration order", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const component = Component.succeed(A, "a").pipe(
          Lifecycle.initializer(() => recorder.record("initialize 1")),
          Lifecycle.initializer(() => recorder.record("initialize 2")),
          Lifecycle.onStart(() => Effect.zipRight(Effect.yieldNow(), recorder.record("start 1"))),
          Lifecycle.onStart(() => recorder.record("start 2")),
          Lifecycle.onStop(() => recorder.record("stop 1")),
          Lifecycle.onStop(() => Effect.zipRight(Effect.yieldNow(), recorder.record("stop 2"))),
          Lifecycle.disposer(() => recorder.record("dispose 1")),
          Lifecycle.disposer(() => recorder.record("dispose 2"))
        )
        yield* startStop(App.make(Registry.make(component), { roots: [A] }))
        expect(yield* recorder.entries).toEqual([
          "initialize 1",
          "initialize 2",
          "start 1",
          "start 2",
          "stop 1",
          "stop 2",
          "dispose 1",
          "dispose 2"
        ])
      }))

    it.effect("gives every hook the built service", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const component = Component.make(A, { build: Effect.succeed("the service") }).pipe(
          Lifecycle.initializer((service) => recorder.record(`initialize ${service}`)),
          Lifecycle.onStart((service) => recorder.record(`start ${service}`)),
          Lifecycle.background((service) => recorder.record(`background ${service}`)),
          Lifecycle.onStop((service) => recorder.record(`stop ${service}`)),
          Lifecycle.disposer((service) => recorder.record(`dispose ${service}`))
        )
        yield* startStop(App.make(Registry.make(component), { roots: [A] }))
        expect(yield* recorder.entries).toEqual([
          "initialize the service",
          "start the service",
          "background the service",
          "stop the service",
          "dispose the service"
        ])
      }))

    it.effect("hooks see the FiberRefs component Layers set: an initializer what its constructor saw, the other hooks the whole application's", () =>
      Effect.gen(function*() {
        const Ref = FiberRef.unsafeMake("unset")
        const seen: Array<string> = []
        const sees = (what: string) => () => Effect.flatMap(FiberRef.get(Ref), (value) => Effect.sync(() => void seen.push(`${what}: ${value}`)))
        const registry = Registry.make(
          // A sets the FiberRef (a logger, a config provider... would be set the same way), asynchronously
          Component.fromLayer(A, {
            layer: Layer.effect(A, Effect.as(Effect.yieldNow(), "a")).pipe(Layer.provideMerge(Layer.locallyScoped(Ref, "set by A")))
          }),
          Component.make(B, { dependencies: [A], build: Effect.succeed("b") }).pipe(
            Lifecycle.initializer(sees("initializer B")),
            Lifecycle.onStart(sees("start B")),
            Lifecycle.background(sees("background B")),
            Lifecycle.onStop(sees("stop B")),
            Lifecycle.disposer(sees("disposer B"))
          ),
          // C does not depend on A: its constructor and initializer do not see what A set
          Component.make(C, { build: Effect.succeed("c") }).pipe(
            Lifecycle.initializer(sees("initializer C")),
            Lifecycle.onStart(sees("start C"))
          )
        )
        const report = yield* startStop(App.make(registry, { roots: [B, C] }))
        expect(report.success).toBe(true)
        expect(seen).toEqual([
          "initializer C: unset",
          "initializer B: set by A",
          "start B: set by A",
          "background B: set by A",
          "start C: set by A",
          "stop B: set by A",
          "disposer B: set by A"
        ])
      }))

    it.effect("builds a dependent only after its dependencies' initializers succeeded", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const registry = Registry.make(
          Component.make(A, { build: Effect.as(recorder.record("build A"), "a") }).pipe(
            Lifecycle.initializer(() => Effect.zipRight(Effect.yieldNow(), recorder.record("initialize A")))
          ),
          Component.make(B, { dependencies: [A], build: Effect.as(recorder.record("build B"), "b") })
        )
        yield* startStop(App.make(registry, { roots: [B] }))
        expect(yield* recorder.entries).toEqual(["build A", "initialize A", "build B"])
      }))
  })

  describe("what constructors look up at run time", () => {
    it.effect("an instance a component's constructor looked up is released after it, before its own dependencies; its failure is the run's", () =>
      Effect.gen(function*() {
        // Regression: 'release B, release A' (A's finalizers ran with B released), then 'release C'
        const recorder = yield* makeRecorder
        const asker = Component.make(A, {
          dependencies: [Container.Container],
          build: Effect.flatMap(Container.get(B), () =>
            Effect.acquireRelease(Effect.as(recorder.record("build A"), "A"), () => recorder.record("release A")))
        })
        const failing = Component.make(B, {
          dependencies: [C],
          build: Effect.acquireRelease(Effect.as(recorder.record("build B"), "B"), () =>
            Effect.zipRight(recorder.record("release B"), Effect.die(new Error("B not closed"))))
        })
        const failed = (yield* Effect.flip(startStop(App.make(Registry.make(asker, failing, recorded(recorder, C, [], { start: false, stop: false })), { roots: [A, C] })))) as Errors.ApplicationFailed
        expect(yield* recorder.entries).toEqual(["build C", "build B", "build A", "release A", "release B", "release C"])
        expect(failed.errors.map((error) => error.message)).toEqual(["B: releasing B failed: Error: B not closed"])
      }))

    it.effect("the report lists what each component's constructor looked up during the build, by name: a component of the plan, a lookup's own instance, each once; layerwise's own services left out", () =>
      Effect.gen(function*() {
        const looking = Component.make(A, {
          dependencies: [Container.Container],
          build: Effect.as(Effect.all([Container.get(D), Container.get(B), Container.get(D), Container.get(App.Health)]), "a")
        })
        const report = yield* startStop(App.make(
          Registry.make(
            looking,
            Component.make(B, { dependencies: [Container.Container], build: Effect.as(Container.get(C), "b") }),
            Component.succeed(C, "c"),
            // no component requests App.Health: the App answers A's lookup of it
            Component.succeed(D, "d")
          ),
          { roots: [A, C, D] }
        ))
        expect(report.components.map((component) => component.name)).toEqual(["A", "C", "D"])
        expect(report.lookups).toEqual([{ component: "A", lookedUp: "D" }, { component: "A", lookedUp: "B" }])
        expect(Report.format(report).split("\n").slice(-2)).toEqual(["looked up by constructors during the build:", "  - A: D, B"])
        const nothing = yield* startStop(App.make(Registry.make(Component.succeed(C, "c")), { roots: [C] }))
        expect(nothing.lookups).toEqual([])
      }))

    it.effect("a failed build's report lists what constructors looked up before it failed", () =>
      Effect.gen(function*() {
        const failed = (yield* Effect.flip(startStop(App.make(
          Registry.make(
            Component.make(A, { dependencies: [Container.Container], build: Effect.zipRight(Container.get(C), Effect.fail(new Boom({ where: "A" }))) }),
            Component.succeed(C, "c")
          ),
          { roots: [A, C] }
        )))) as Errors.ApplicationFailed
        expect(failed.reason).toBe("build")
        expect(failed.report.lookups).toEqual([{ component: "A", lookedUp: "C" }])
      }))

    /** A, whose constructor looks up C (no root reaches it) before it records its build; C depends on B; all three with start and stop hooks. */
    const lookingUpC = (recorder: Recorder, startC: () => Effect.Effect<void, unknown> = () => recorder.record("start C")) => [
      Component.make(A, {
        dependencies: [Container.Container],
        build: Effect.flatMap(Container.get(C), () => Effect.acquireRelease(Effect.as(recorder.record("build A"), "A"), () => recorder.record("release A")))
      }).pipe(Lifecycle.onStart(() => recorder.record("start A")), Lifecycle.onStop(() => recorder.record("stop A"))),
      recorded(recorder, B),
      recorded(recorder, C, [B], { start: false }).pipe(Lifecycle.onStart(startC))
    ] as const

    it.effect("an instance a component's constructor looked up starts after its own dependencies and before that component, and stops after it, before them", () =>
      Effect.gen(function*() {
        // Regression: 'build B, build C, start C, build A, start A, start B, stop C, stop B, stop A': C started
        // as it was built, before B, and stopped with the lookups' instances, before A
        const recorder = yield* makeRecorder
        const report = yield* startStop(App.make(Registry.make(...lookingUpC(recorder)), { roots: [A, B] }))
        expect(report.success).toBe(true)
        expect(yield* recorder.entries).toEqual([
          "build B", "build C", "build A", "start B", "start C", "start A", "stop A", "stop C", "stop B", "release A", "release C", "release B"
        ])
      }))

    it.effect("what a constructor looked up and what that depends on, none of it in the plan, start before that component and stop after it", () =>
      Effect.gen(function*() {
        // Regression: 'build B, start B, build C, start C, build A, start A, stop C, stop B, stop A'
        const recorder = yield* makeRecorder
        const report = yield* startStop(App.make(Registry.make(...lookingUpC(recorder)), { roots: [A] }))
        expect(report.success).toBe(true)
        expect(yield* recorder.entries).toEqual([
          "build B", "build C", "build A", "start B", "start C", "start A", "stop A", "stop C", "stop B", "release A", "release C", "release B"
        ])
      }))

    it.effect("a start hook of an instance a constructor looked up that never ends fails the start at the start timeout, and what started stops", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const components = lookingUpC(recorder, () => Effect.zipRight(recorder.record("start C"), Effect.never))
        const fiber = yield* Effect.fork(Effect.flip(startStop(App.make(Registry.make(...components), { roots: [A, B], startTimeout: "5 seconds" }))))
        yield* awaitSleeps(1)
        yield* TestClock.adjust("5 seconds")
        const failed = (yield* Fiber.join(fiber)) as Errors.ApplicationFailed
        expect(failed.reason).toBe("start")
        expect(failed.errors.map((error) => error.message)).toEqual([
          "C: start hook of C did not complete within 5s (the start timeout: Lifecycle.timeouts({ start }) on the component, or the App's startTimeout)"
        ])
        expect(yield* recorder.entries).toEqual(["build B", "build C", "build A", "start B", "start C", "stop B", "release A", "release C", "release B"])
      }))

    it.effect("a stop hook of an instance a constructor looked up that never ends is cut off at the stop timeout, and the stop and the release go on", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const [asker, b, c] = lookingUpC(recorder)
        const hung = c.pipe(Lifecycle.onStop(() => Effect.never, { name: "drain" }))
        const fiber = yield* Effect.fork(Effect.flip(startStop(App.make(Registry.make(asker, b, hung), { roots: [A, B], stopTimeout: "5 seconds" }))))
        yield* awaitSleeps(1)
        yield* TestClock.adjust("5 seconds")
        const failed = (yield* Fiber.join(fiber)) as Errors.ApplicationFailed
        expect(yield* recorder.entries).toEqual([
          "build B", "build C", "build A", "start B", "start C", "start A", "stop A", "stop C", "stop B", "release A", "release C", "release B"
        ])
        expect(failed.errors.map((error) => error.message)).toEqual([
          "C: releasing C failed: HookFailed: C: stop hook drain of C failed: TimeoutException: Operation timed out after '5s'"
        ])
      }))

    it.effect("what a constructor of a lower startup order looked up starts in that order, also a component of the plan only a handle of a higher one reaches", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        // D, without hooks, is reached only by a lazy handle of B (order 1): its rank is 1, but A (order 0) looks it up
        const registry = Registry.make(
          Component.make(A, {
            dependencies: [Container.Container],
            build: Effect.flatMap(Container.get(D), () => Effect.as(recorder.record("build A"), "A"))
          }).pipe(Lifecycle.startup(0), Lifecycle.onStart(() => recorder.record("start A"))),
          Component.make(B, { dependencies: [Dependency.lazy(D)], build: Effect.as(recorder.record("build B"), "B") }).pipe(
            Lifecycle.startup(1),
            Lifecycle.onStart(() => recorder.record("start B"))
          ),
          Component.make(D, { build: Effect.as(recorder.record("build D"), "D") })
        )
        const report = yield* startStop(App.make(registry))
        expect(report.success).toBe(true)
        expect(yield* recorder.entries).toEqual(["build D", "build A", "build B", "start A", "start B"])
      }))

    it.scoped("while events are listened to, what a lookup's own component's constructor looked up is still released after it", () =>
      Effect.gen(function*() {
        // Regression: 'release C, release D': the constructor of an instance App watches runs in a scope
        // of its own, whose lookups were not recorded
        class Dd extends Context.Tag("D")<Dd, string>() {}
        const recorder = yield* makeRecorder
        const asker = Component.make(Dd, {
          dependencies: [Container.Container],
          build: Effect.flatMap(Container.get(C), () => Effect.acquireRelease(Effect.as(recorder.record("build D"), "D"), () => recorder.record("release D")))
        })
        const app = App.make(Registry.make(recorded(recorder, A, [], { start: false, stop: false }), asker, recorded(recorder, C, [], { start: false, stop: false })), {
          roots: [A, Container.Container]
        })
        yield* App.subscribe(app)
        const scope = yield* Scope.make()
        const running = yield* Scope.extend(App.start(app), scope)
        yield* Effect.provide(Container.get(Dd), running.context)
        yield* Scope.close(scope, Exit.void)
        expect(yield* recorder.entries).toEqual(["build A", "build C", "build D", "release D", "release C", "release A"])
      }))

    it.effect("a start hook of an instance a constructor looked up that fails fails the start: what started stops, everything is released", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const components = lookingUpC(recorder, () => Effect.zipRight(recorder.record("start C"), Effect.fail(new Boom({ where: "C" }))))
        const failed = (yield* Effect.flip(startStop(App.make(Registry.make(...components), { roots: [A, B] })))) as Errors.ApplicationFailed
        expect(failed.reason).toBe("start")
        expect(yield* recorder.entries).toEqual(["build B", "build C", "build A", "start B", "start C", "stop B", "release A", "release C", "release B"])
        expect(failed.errors.map((error) => error.message)).toEqual(['C: start hook of C failed: Boom { where: "C" }'])
      }))
  })

  describe("startup components", () => {
    it.effect("builds and starts a startup component although nothing depends on it", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const registry = Registry.make(
          recorded(recorder, A),
          recorded(recorder, B).pipe(Lifecycle.startup())
        )
        yield* startStop(App.make(registry, { roots: [A] }))
        expect((yield* recorder.entries).filter((event) => event.startsWith("start"))).toEqual(["start A", "start B"])
      }))

    it.effect("builds a startup component without hooks that nothing reaches, also in an application with scopes or handles", () =>
      Effect.gen(function*() {
        const built: Array<string> = []
        const Job = Lifetime.scope("Job")
        const registry = Registry.make(
          Component.make(A, { build: Effect.sync(() => (built.push("A"), "a")) }),
          Component.make(B, { build: Effect.sync(() => (built.push("B"), "b")) }).pipe(Lifecycle.startup()),
          Component.succeed(C, "c").pipe(Lifetime.scoped(Job))
        )
        yield* startStop(App.make(registry, { roots: [A], scopes: [Job] }))
        expect(built.sort()).toEqual(["A", "B"])
      }))

    it.effect("starts lower startup orders first, equal orders concurrently, each after its own dependencies", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        // C (order 10) and D (order 10) wait on each other: they must start concurrently
        const startedC = yield* Deferred.make<void>()
        const startedD = yield* Deferred.make<void>()
        const registry = Registry.make(
          recorded(recorder, A, [], { start: true, stop: false }).pipe(Lifecycle.startup(20)),
          recorded(recorder, B, [], { start: true, stop: false }).pipe(Lifecycle.startup(0)),
          Component.succeed(C, "c").pipe(
            Lifecycle.startup(10),
            Lifecycle.onStart(() =>
              Effect.zipRight(
                recorder.record("start C"),
                Effect.zipRight(Deferred.succeed(startedC, undefined), Deferred.await(startedD))
              )
            )
          ),
          Component.succeed(D, "d").pipe(
            Lifecycle.startup(10),
            Lifecycle.onStart(() =>
              Effect.zipRight(
                recorder.record("start D"),
                Effect.zipRight(Deferred.succeed(startedD, undefined), Deferred.await(startedC))
              )
            )
          )
        )
        yield* startStop(App.make(registry))
        const log = yield* recorder.entries
        expect(log.filter((event) => event.startsWith("build"))).toEqual(["build B", "build A"])
        const starts = log.filter((event) => event.startsWith("start"))
        expect(starts[0]).toBe("start B")
        expect(starts.slice(1, 3).sort()).toEqual(["start C", "start D"])
        expect(starts[3]).toBe("start A")
      }))

    it.effect("a dependency of a lower-order startup component is built and started in that lower order", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const registry = Registry.make(
          recorded(recorder, A).pipe(Lifecycle.startup(0)), // needs C, marked 30
          recorded(recorder, B).pipe(Lifecycle.startup(20)),
          recorded(recorder, C).pipe(Lifecycle.startup(30)),
          recorded(recorder, D, [A]) // nothing of lower order needs D; A is order 0
        )
        // A depends on C; re-declare A with its dependency
        const withDependency = registry.pipe(
          Registry.override([recorded(recorder, A, [C]).pipe(Lifecycle.startup(0))])
        )
        yield* startStop(App.make(withDependency, { roots: [D] }))
        const log = yield* recorder.entries
        // C (30) belongs to order 0 through A; B (20) comes after order 0; D (no order) only after A
        const starts = log.filter((event) => event.startsWith("start"))
        expect(starts.slice(0, 2)).toEqual(["start C", "start A"])
        expect(starts.slice(2).sort()).toEqual(["start B", "start D"])
        const stops = log.filter((event) => event.startsWith("stop"))
        expect(stops.slice(0, 2).sort()).toEqual(["stop B", "stop D"])
        expect(stops.slice(2)).toEqual(["stop A", "stop C"])
      }))

    it.effect("every startup component of the registry runs, even one not chosen for a request of its service", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const registry = Registry.make(
          Component.succeed(A, "main").pipe(Component.named("main"), Component.primary),
          Component.succeed(A, "warmup").pipe(
            Component.named("warmup"),
            Lifecycle.startup(),
            Lifecycle.onStart((value) => recorder.record(`start ${value}`))
          )
        )
        const report = yield* startStop(App.make(registry, { roots: [A] }))
        expect(yield* recorder.entries).toEqual(["start warmup"])
        expect(report.components.map((component) => component.name).sort()).toEqual(["main", "warmup"])
      }))

    it.effect("an override of its service takes the place of a startup component", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const registry = Registry.make(
          Component.succeed(A, "real").pipe(Lifecycle.startup(), Lifecycle.onStart(() => recorder.record("start real")))
        ).pipe(Registry.override([Component.succeed(A, "fake")]))
        const report = yield* startStop(App.make(registry))
        expect(yield* recorder.entries).toEqual([])
        expect(report.components.map((component) => component.name)).toEqual([])
      }))

    it.effect("a replacement by name brings its own lifecycle: a startup component replaced by a plain value is not run", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const registry = Registry.make(
          Component.succeed(A, "real").pipe(
            Component.named("migrations"),
            Lifecycle.startup(),
            Lifecycle.onStart(() => recorder.record("start real"))
          ),
          recorded(recorder, B, [A])
        ).pipe(Registry.replace("migrations", Component.succeed(A, "fake")))
        yield* startStop(App.make(registry, { roots: [B] }))
        expect((yield* recorder.entries).filter((event) => event.startsWith("start"))).toEqual(["start B"])
      }))

    it.effect("a startup component whose dependency is missing fails resolution before anything is built", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const registry = Registry.make(recorded(recorder, A), recorded(recorder, B, [C]).pipe(Lifecycle.startup()))
        const error = yield* Effect.flip(startStop(App.make(registry, { roots: [A] })))
        expect(error._tag).toBe("ResolutionError")
        expect(error.message).toBe(
          "1 problem resolving the graph:\n" +
            "  - B -> C: no component provides C (available: A, B); register one, or declare it external if the program provides it"
        )
        expect(yield* recorder.entries).toEqual([])
      }))

    it.effect("profiles and conditions read from effect/Config when the application starts; one that cannot be read builds nothing", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const registry = Registry.make(
          recorded(recorder, A),
          Registry.when(Condition.profile("b"), recorded(recorder, B).pipe(Lifecycle.startup())),
          Registry.when(Condition.config(Config.boolean("WITH_C")), recorded(recorder, C).pipe(Lifecycle.startup()))
        )
        const app = App.make(registry, { roots: [A], profiles: Config.array(Config.string(), "PROFILES") })
        const provider = (entries: ReadonlyArray<readonly [string, string]>) => ConfigProvider.fromMap(new Map(entries))
        yield* Effect.withConfigProvider(startStop(app), provider([["PROFILES", "b"], ["WITH_C", "true"]]))
        expect((yield* recorder.entries).filter((event) => event.startsWith("start")).sort()).toEqual(["start A", "start B", "start C"])
        const before = (yield* recorder.entries).length
        const error = yield* Effect.flip(Effect.withConfigProvider(startStop(app), provider([["PROFILES", "b"]])))
        expect(error.message).toBe(
          "1 problem resolving the graph:\n  - the Config of condition \"config WITH_C\" (guarding C) cannot be read: (Missing data at WITH_C: \"Expected WITH_C to exist in the provided map\"): set it, or give the Config a default (Config.withDefault) for when it is not set"
        )
        expect((yield* recorder.entries).length).toBe(before)
      }))

    it.effect("an application made from a plan runs exactly the plan's components", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const registry = Registry.make(recorded(recorder, A), recorded(recorder, B).pipe(Lifecycle.startup()))
        const plan = Either.getOrThrow(Resolver.resolve(registry, [A]))
        yield* startStop(App.make(plan))
        expect((yield* recorder.entries).filter((event) => event.startsWith("start"))).toEqual(["start A"])
      }))
  })

  describe("failures", () => {
    it.effect("a failing start stops what already started, in reverse order, then releases everything", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const registry = Registry.make(
          recorded(recorder, A),
          recorded(recorder, B, [A]),
          recorded(recorder, C, [B], { start: false }).pipe(
            Lifecycle.onStart(() => Effect.zipRight(recorder.record("start C"), new Boom({ where: "C" })))
          ),
          recorded(recorder, D, [C])
        )
        const error = yield* Effect.flip(startStop(App.make(registry, { roots: [D] })))
        expect(yield* recorder.entries).toEqual([
          "build A",
          "build B",
          "build C",
          "build D",
          "start A",
          "start B",
          "start C",
          "stop B",
          "stop A",
          "release D",
          "release C",
          "release B",
          "release A"
        ])
        expect(error._tag).toBe("ApplicationFailed")
        const failed = error as Errors.ApplicationFailed
        expect(failed.reason).toBe("start")
        expect(failed.errors.map((e) => e._tag)).toEqual(["HookFailed"])
        expect(failed.errors[0]).toMatchObject({ component: "C", phase: "start", hook: "onStart", path: ["D", "C"] })
        expect((failed.errors[0] as Errors.HookFailed).cause).toEqual(new Boom({ where: "C" }))
        expect(failed.report.ending).toBe("start-failed")
        expect(phasesOf(failed.report, "C")).toEqual(["build:success", "start:failure", "release:success"])
        expect(failed.report.components.find((component) => component.name === "D")!.state).toBe("released")
      }))

    it.effect("a failing start interrupts the starts in flight; those components are not stopped", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const slowStarted = yield* Deferred.make<void>()
        const registry = Registry.make(
          Component.succeed(A, "a").pipe(
            Lifecycle.onStart(() =>
              Effect.zipRight(
                Deferred.succeed(slowStarted, undefined),
                Effect.onInterrupt(Effect.never, () => recorder.record("A start interrupted"))
              )
            ),
            Lifecycle.onStop(() => recorder.record("stop A"))
          ),
          Component.succeed(B, "b").pipe(
            Lifecycle.onStart(() => Effect.zipRight(Deferred.await(slowStarted), new Boom({ where: "B" })))
          )
        )
        const error = yield* Effect.flip(startStop(App.make(registry, { roots: [A, B] })))
        expect(error._tag).toBe("ApplicationFailed")
        expect(yield* recorder.entries).toEqual(["A start interrupted"])
        const report = (error as Errors.ApplicationFailed).report
        expect(phasesOf(report, "A")).toEqual(["build:success", "start:interrupted"])
      }))

    it.effect("a start hook interrupted because another start failed has finished its cleanup before its component and dependencies are released", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const listening = yield* Deferred.make<void>()
        const registry = Registry.make(
          recorded(recorder, A, [], { start: false, stop: false }),
          recorded(recorder, B, [A], { start: false, stop: false }).pipe(
            Lifecycle.onStart(() =>
              Effect.scoped(Effect.gen(function*() {
                // honours interruption, but its cleanup takes a moment
                yield* Effect.acquireRelease(recorder.record("listen B"), () =>
                  Effect.zipRight(Effect.sleep("20 millis"), recorder.record("unlisten B")))
                yield* Deferred.succeed(listening, undefined)
                return yield* Effect.never
              }))
            )
          ),
          Component.succeed(C, "c").pipe(
            Lifecycle.onStart(() => Effect.zipRight(Deferred.await(listening), new Boom({ where: "C" })))
          )
        )
        const fiber = yield* Effect.fork(Effect.exit(startStop(App.make(registry, { roots: [B, C] }))))
        yield* awaitSleeps(2) // the start timeout of B's hook, and its cleanup's sleep
        yield* TestClock.adjust("20 millis")
        const failed = failureOf(yield* Fiber.join(fiber)) as Errors.ApplicationFailed
        expect(failed.reason).toBe("start")
        expect(yield* recorder.entries).toEqual(["build A", "build B", "listen B", "unlisten B", "release B", "release A"])
        expect(phasesOf(failed.report, "B")).toEqual(["build:success", "start:interrupted", "release:success"])
        expect(failed.report.components.find((component) => component.name === "B")!.phases[1]!.duration).toBe(20)
      }))

    it.effect("a start hook cut off that ignores interruption holds the rollback for what is left of its timeout, then is reported as timed out", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const registry = Registry.make(
          recorded(recorder, A, [], { start: false, stop: false }).pipe(
            Lifecycle.onStart(() => Effect.uninterruptible(Effect.never), { name: "stubborn" }),
            Lifecycle.timeouts({ start: "10 seconds" })
          ),
          Component.succeed(B, "b").pipe(Lifecycle.onStart(() => Effect.zipRight(Effect.sleep("4 seconds"), new Boom({ where: "B" }))))
        )
        const fiber = yield* Effect.fork(Effect.exit(startStop(App.make(registry, { roots: [A, B] }))))
        yield* awaitSleeps(3) // A's start timeout, B's sleep and B's start timeout
        yield* TestClock.adjust("4 seconds")
        yield* awaitSleeps(1) // what is left of A's start timeout
        expect(yield* recorder.entries).toEqual(["build A"])
        yield* TestClock.adjust("6 seconds")
        const failed = failureOf(yield* Fiber.join(fiber)) as Errors.ApplicationFailed
        expect(yield* recorder.entries).toEqual(["build A", "release A"])
        expect(failed.errors.map((error) => error.message)).toEqual([
          "B: start hook of B failed: Boom { where: \"B\" }",
          "A: start hook stubborn of A did not complete within 10s (the start timeout: Lifecycle.timeouts({ start }) on the component, or the App's startTimeout)"
        ])
        expect(failed.report.components.find((component) => component.name === "A")!.phases[1]).toMatchObject({
          phase: "start",
          duration: 10_000,
          outcome: "timeout"
        })
      }))

    it.effect("a start cut off between two of its hooks is not a start: the component is not started, given background work, or stopped", () =>
      Effect.gen(function*() {
        // However far A's first hook got when C failed (it may even have finished), its second hook
        // never ran: A did not start. The number of steps moves the race across the cut-off.
        for (let steps = 0; steps < 12; steps++) {
          const recorder = yield* makeRecorder
          const go = yield* Deferred.make<void>()
          const registry = Registry.make(
            Component.succeed(A, "a").pipe(
              Lifecycle.onStart(() => Effect.zipRight(Deferred.await(go), Effect.repeatN(Effect.yieldNow(), steps))),
              Lifecycle.onStart(() => recorder.record("start A #2")),
              Lifecycle.background(() => Effect.zipRight(recorder.record("background A"), Effect.never)),
              Lifecycle.onStop(() => recorder.record("stop A"))
            ),
            Component.succeed(C, "c").pipe(Lifecycle.onStart(() => Effect.zipRight(Deferred.await(go), new Boom({ where: "C" }))))
          )
          const fiber = yield* Effect.fork(Effect.exit(startStop(App.make(registry, { roots: [A, C] }))))
          yield* Effect.repeatN(Effect.yieldNow(), 5)
          yield* Deferred.succeed(go, undefined)
          const failed = failureOf(yield* Fiber.join(fiber)) as Errors.ApplicationFailed
          const log = yield* recorder.entries
          const startOfA = phasesOf(failed.report, "A")[1]
          if (log.includes("start A #2")) {
            expect(log).toEqual(["start A #2", "background A", "stop A"])
            expect(startOfA).toBe("start:success")
          } else {
            expect(log).toEqual([])
            expect(startOfA).toBe("start:interrupted")
            expect(failed.report.components.find((component) => component.name === "A")!.phases.map((p) => p.phase)).toEqual([
              "build",
              "start"
            ])
          }
        }
      }))

    it.effect("a failing constructor: nothing starts, everything built is released", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const registry = Registry.make(
          recorded(recorder, A),
          Component.make(B, { dependencies: [A], build: Effect.fail(new Boom({ where: "B" })) }),
          recorded(recorder, C, [B])
        )
        const error = yield* Effect.flip(startStop(App.make(registry, { roots: [C] })))
        expect(yield* recorder.entries).toEqual(["build A", "release A"])
        const failed = error as Errors.ApplicationFailed
        expect(failed.reason).toBe("build")
        expect(failed.errors.map((e) => e._tag)).toEqual(["ConstructionError"])
        expect(failed.report.ending).toBe("build-failed")
        // its scope was opened before the constructor ran: it is released like the others
        expect(phasesOf(failed.report, "B")).toEqual(["build:failure", "release:success"])
        expect(failed.report.errors).toEqual([{
          component: "B",
          phase: "build",
          hook: null,
          kind: "failure",
          message: "C -> B: constructor of B failed: Boom { where: \"B\" }"
        }])
      }))

    it.effect("a failing constructor interrupts the constructors in flight; the report says so", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const slowStarted = yield* Deferred.make<void>()
        const registry = Registry.make(
          Component.make(A, {
            build: Effect.zipRight(
              Deferred.succeed(slowStarted, undefined),
              Effect.onInterrupt(Effect.never, () => recorder.record("A interrupted"))
            )
          }),
          Component.make(B, { build: Effect.zipRight(Deferred.await(slowStarted), new Boom({ where: "B" })) })
        )
        const failed = (yield* Effect.flip(startStop(App.make(registry, { roots: [A, B] })))) as Errors.ApplicationFailed
        expect(yield* recorder.entries).toEqual(["A interrupted"])
        expect(failed.reason).toBe("build")
        expect(phasesOf(failed.report, "A")).toEqual(["build:interrupted", "release:success"])
        expect(failed.report.errors.map((error) => error.component)).toEqual(["B"])
      }))

    it.effect("a constructor that interrupts itself fails the build (it is not an interrupted run)", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        let reported: Report.Report | undefined
        const registry = Registry.make(
          recorded(recorder, A),
          Component.make(B, {
            dependencies: [A],
            // joins a fiber that was interrupted: the constructor ends with an interruption-only cause
            build: Effect.flatMap(Effect.fork(Effect.never), (child) => Effect.zipRight(Fiber.interrupt(child), Fiber.join(child)))
          })
        )
        const app = App.make(registry, { roots: [B], onReport: (report) => Effect.sync(() => void (reported = report)) })
        const exit = yield* Effect.exit(App.run(app))
        const failed = failureOf(exit) as Errors.ApplicationFailed
        expect([failed.reason, failed.report.ending, failed.report.success]).toEqual(["build", "build-failed", false])
        expect(reported).toEqual(failed.report)
        expect(failed.errors.map((error) => [error._tag, (error as Errors.ConstructionError).component])).toEqual([["ConstructionError", "B"]])
        expect(failed.report.errors.map((error) => [error.component, error.phase, error.kind])).toEqual([["B", "build", "defect"]])
        expect(phasesOf(failed.report, "B")).toEqual(["build:failure", "release:success"])
        expect(yield* recorder.entries).toEqual(["build A", "release A"])
      }))

    it.effect("an initializer in flight when another constructor fails is interrupted, and its cleanup ends before its component is released", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const warming = yield* Deferred.make<void>()
        const registry = Registry.make(
          recorded(recorder, A, [], { start: false, stop: false }).pipe(
            Lifecycle.initializer(() =>
              Effect.scoped(Effect.gen(function*() {
                yield* Effect.acquireRelease(recorder.record("warm A"), () => recorder.record("cool A"))
                yield* Deferred.succeed(warming, undefined)
                return yield* Effect.never
              }))
            )
          ),
          Component.make(B, { build: Effect.zipRight(Deferred.await(warming), new Boom({ where: "B" })) })
        )
        const failed = failureOf(yield* Effect.exit(App.run(App.make(registry, { roots: [A, B] })))) as Errors.ApplicationFailed
        expect(failed.reason).toBe("build")
        yield* Effect.repeatN(Effect.yieldNow(), 50) // a stray fiber would have its chance
        expect(yield* recorder.entries).toEqual(["build A", "warm A", "cool A", "release A"])
        // its constructor had finished (build success), its initializer was interrupted
        expect(phasesOf(failed.report, "A")).toEqual(["build:success", "initialize:interrupted", "release:success"])
      }))

    it.effect("a failing initializer fails the build of its component and is reported as that initializer", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const registry = Registry.make(
          recorded(recorder, A).pipe(
            Lifecycle.initializer(() => Effect.void),
            Lifecycle.initializer(() => new Boom({ where: "init" })),
            Lifecycle.disposer(() => recorder.record("dispose A"))
          ),
          recorded(recorder, B, [A])
        )
        const error = yield* Effect.flip(startStop(App.make(registry, { roots: [B] })))
        // the constructor's resource is released; the disposers of a component never initialized do not run
        expect(yield* recorder.entries).toEqual(["build A", "release A"])
        const failed = error as Errors.ApplicationFailed
        expect(failed.reason).toBe("build")
        expect(failed.report.errors[0]).toMatchObject({ component: "A", phase: "initialize", hook: "initializer#2" })
        expect(failed.errors[0]!.message).toBe('B -> A: initializer #2 of A failed: Boom { where: "init" }')
        expect(phasesOf(failed.report, "A")).toEqual(["build:success", "initialize:failure", "release:success"])
      }))

    it.effect("the shutdown goes on past failures and reports every one: failing, dying and throwing stop hooks", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const registry = Registry.make(
          recorded(recorder, A),
          recorded(recorder, B, [A], { start: true, stop: false }).pipe(
            Lifecycle.onStop(() => new Boom({ where: "stop B" })),
            Lifecycle.onStop(() => recorder.record("stop B 2")),
            Lifecycle.onStop(() => Effect.die("B died"), { name: "dying" }),
            Lifecycle.onStop(() => {
              throw new Error("thrown")
            }, { name: "throwing" })
          ),
          recorded(recorder, C, [B]).pipe(Lifecycle.disposer(() => Effect.fail("dispose C failed")))
        )
        const error = yield* Effect.flip(startStop(App.make(registry, { roots: [C] })))
        expect((yield* recorder.entries).slice(6)).toEqual([
          "stop C",
          "stop B 2",
          "stop A",
          "release C",
          "release B",
          "release A"
        ])
        const failed = error as Errors.ApplicationFailed
        expect(failed.reason).toBe("stop")
        expect(failed.report.errors.map((e) => [e.component, e.phase, e.hook, e.kind])).toEqual([
          ["B", "stop", "onStop", "failure"],
          ["B", "stop", "dying", "defect"],
          ["B", "stop", "throwing", "defect"],
          ["C", "dispose", "disposer", "failure"]
        ])
        expect(failed.report.success).toBe(false)
      }))

    it.effect("a release that fails is reported by component and the other releases proceed", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const registry = Registry.make(
          recorded(recorder, A),
          Component.make(B, {
            dependencies: [A],
            build: Effect.acquireRelease(Effect.succeed("b"), () => Effect.die(new Error("socket closed")))
          })
        )
        const error = yield* Effect.flip(startStop(App.make(registry, { roots: [B] })))
        expect((yield* recorder.entries).slice(-2)).toEqual(["stop A", "release A"])
        const failed = error as Errors.ApplicationFailed
        expect(failed.errors.map((e) => e._tag)).toEqual(["ReleaseError"])
        expect(failed.report.errors[0]).toMatchObject({ component: "B", phase: "release", kind: "defect" })
        expect(phasesOf(failed.report, "B")).toEqual(["build:success", "release:failure"])
      }))
  })

  describe("timeouts", () => {
    it.effect("every duration form bounds a hook the same, as the App's timeout and as the component's", () =>
      Effect.gen(function*() {
        const forms: ReadonlyArray<Duration.DurationInput> = [2000, "2 seconds", Duration.seconds(2), BigInt(2_000_000_000), [2, 0]]
        const hung = Component.succeed(B, "b").pipe(Lifecycle.onStart(() => Effect.never, { name: "connect" }))
        const timedOut: Array<string> = []
        for (const timeout of forms) {
          const apps = [
            App.make(Registry.make(hung), { roots: [B], startTimeout: timeout }),
            App.make(Registry.make(hung.pipe(Lifecycle.timeouts({ start: timeout }))), { roots: [B] })
          ]
          for (const app of apps) {
            const fiber = yield* Effect.fork(Effect.exit(startStop(app)))
            yield* awaitSleeps(1)
            yield* TestClock.adjust("2 seconds")
            const failed = failureOf(yield* Fiber.join(fiber)) as Errors.ApplicationFailed
            const started = failed.report.components[0]!.phases[1]!
            timedOut.push(`${started.outcome} after ${started.duration}: ${failed.errors[0]!.message}`)
          }
        }
        const message = "B: start hook connect of B did not complete within 2s (the start timeout: Lifecycle.timeouts({ start }) on the component, or the App's startTimeout)"
        expect(timedOut).toEqual(forms.flatMap(() => [`timeout after 2000: ${message}`, `timeout after 2000: ${message}`]))
      }))

    it.effect("a start hook that never returns is bounded by the start timeout, reported by name, and rolled back", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const registry = Registry.make(
          recorded(recorder, A),
          Component.succeed(B, "b").pipe(Lifecycle.onStart(() => Effect.never, { name: "connect" })),
          Component.make(C, { dependencies: [A, B], build: Effect.succeed("c") })
        )
        const fiber = yield* Effect.fork(Effect.exit(startStop(App.make(registry, { roots: [C], startTimeout: "5 seconds" }))))
        yield* awaitSleeps(1)
        yield* TestClock.adjust("5 seconds")
        const failed = failureOf(yield* Fiber.join(fiber)) as Errors.ApplicationFailed
        expect(failed.reason).toBe("start")
        expect(failed.errors.map((e) => e.message)).toEqual(["C -> B: start hook connect of B did not complete within 5s (the start timeout: Lifecycle.timeouts({ start }) on the component, or the App's startTimeout)"])
        expect(yield* recorder.entries).toEqual(["build A", "start A", "stop A", "release A"])
        const started = failed.report.components.find((component) => component.name === "B")!.phases[1]!
        expect(started).toEqual({
          phase: "start",
          at: 0,
          duration: 5000,
          outcome: "timeout",
          hook: "connect",
          error: "C -> B: start hook connect of B did not complete within 5s (the start timeout: Lifecycle.timeouts({ start }) on the component, or the App's startTimeout)"
        })
      }))

    it.effect("a hook that ignores interruption cannot hold the lifecycle beyond its timeout", () =>
      Effect.gen(function*() {
        const registry = Registry.make(
          Component.succeed(A, "a").pipe(Lifecycle.onStart(() => Effect.uninterruptible(Effect.never)))
        )
        const fiber = yield* Effect.fork(Effect.exit(startStop(App.make(registry, { roots: [A], startTimeout: 1000 }))))
        yield* awaitSleeps(1)
        yield* TestClock.adjust(1000)
        const failed = failureOf(yield* Fiber.join(fiber)) as Errors.ApplicationFailed
        expect(failed.errors.map((e) => e._tag)).toEqual(["HookTimeout"])
      }))

    it.effect("a hung stop hook is reported by name while the other stops and releases proceed", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const registry = Registry.make(
          recorded(recorder, A),
          recorded(recorder, B, [A]).pipe(Lifecycle.onStop(() => Effect.never, { name: "drain" })),
          recorded(recorder, C)
        )
        const fiber = yield* Effect.fork(Effect.exit(startStop(App.make(registry, { roots: [B, C], stopTimeout: "3 seconds" }))))
        yield* awaitSleeps(1)
        // the other stops already ran (C's before B's: dependents first, the last built first); A waits for B
        expect((yield* recorder.entries).filter((event) => event.startsWith("stop"))).toEqual(["stop C", "stop B"])
        yield* TestClock.adjust("3 seconds")
        const failed = failureOf(yield* Fiber.join(fiber)) as Errors.ApplicationFailed
        expect(failed.reason).toBe("stop")
        expect(failed.errors.map((e) => e.message)).toEqual(["B: stop hook drain of B did not complete within 3s (the stop timeout: Lifecycle.timeouts({ stop }) on the component, or the App's stopTimeout)"])
        const log = yield* recorder.entries
        expect(log).toEqual([
          "build A",
          "build B",
          "build C",
          "start A",
          "start B",
          "start C",
          "stop C",
          "stop B",
          "stop A",
          "release C",
          "release B",
          "release A"
        ])
      }))

    it.effect("a release that completes in time leaves no timer behind (the process can exit at once)", () =>
      Effect.gen(function*() {
        // a clock whose sleeps never end by themselves: it counts the ones not interrupted yet
        let sleeping = 0
        const base = yield* Effect.clock
        const clock: Clock.Clock = {
          [Clock.ClockTypeId]: Clock.ClockTypeId,
          unsafeCurrentTimeMillis: () => base.unsafeCurrentTimeMillis(),
          unsafeCurrentTimeNanos: () => base.unsafeCurrentTimeNanos(),
          currentTimeMillis: base.currentTimeMillis,
          currentTimeNanos: base.currentTimeNanos,
          sleep: () =>
            Effect.async<void>(() => {
              sleeping++
              return Effect.sync(() => {
                sleeping--
              })
            })
        }
        const recorder = yield* makeRecorder
        const app = App.make(Registry.make(recorded(recorder, A), recorded(recorder, B, [A])), { roots: [B], releaseTimeout: "20 seconds" })
        const report = yield* Effect.withClock(startStop(app), clock)
        expect(report.success).toBe(true)
        // the release timeout's timer is interrupted once the release completed, though the shutdown
        // runs uninterruptibly
        for (let i = 0; i < 10; i++) yield* Effect.yieldNow()
        expect(sleeping).toBe(0)
      }))

    it.effect("a hung release is bounded by the release timeout: reported by name, what is not released yet left so, the run failed", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const hung = Component.make(B, {
          dependencies: [A],
          build: Effect.acquireRelease(Effect.as(recorder.record("build B"), "B"), () => Effect.zipRight(recorder.record("releasing B"), Effect.never))
        })
        const registry = Registry.make(recorded(recorder, A), hung, recorded(recorder, C))
        const app = App.make(registry, { roots: [C, B], releaseTimeout: "20 seconds" })
        const fiber = yield* Effect.fork(Effect.exit(startStop(app)))
        yield* awaitSleeps(1)
        // built C, A, B (the plan's order): released in reverse, B first; its release hangs, and the rest waits
        expect((yield* recorder.entries).slice(-3)).toEqual(["stop A", "stop C", "releasing B"])
        yield* TestClock.adjust("20 seconds")
        const failed = failureOf(yield* Fiber.join(fiber)) as Errors.ApplicationFailed
        expect(failed.reason).toBe("stop")
        expect(failed.errors).toEqual([new Errors.ReleaseTimeout({ component: "B", path: ["B"], timeout: "20s" })])
        expect(failed.errors[0]!.message).toBe("B: releasing B did not complete within 20s; the components not released yet were left unreleased")
        expect((yield* recorder.entries).filter((event) => event.startsWith("release "))).toEqual([])
        expect(phasesOf(failed.report, "B").at(-1)).toBe("release:timeout")
        for (const name of ["A", "C"]) expect(phasesOf(failed.report, name).some((phase) => phase.startsWith("release"))).toBe(false)
      }))

    it.effect("a disposer still running when the release timeout expires is reported as its component's release timeout, the run failed", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const slow = recorded(recorder, B, [A]).pipe(
          Lifecycle.disposer(() => Effect.zipRight(recorder.record("disposing B"), Effect.sleep("5 seconds")))
        )
        const app = App.make(Registry.make(recorded(recorder, A), slow), { roots: [B], releaseTimeout: "2 seconds", stopTimeout: "10 seconds" })
        const fiber = yield* Effect.fork(Effect.exit(startStop(app)))
        yield* awaitSleeps(2)
        expect((yield* recorder.entries).slice(-1)).toEqual(["disposing B"])
        yield* TestClock.adjust("2 seconds")
        const failed = failureOf(yield* Fiber.join(fiber)) as Errors.ApplicationFailed
        expect(failed.reason).toBe("stop")
        expect(failed.errors).toEqual([new Errors.ReleaseTimeout({ component: "B", path: ["B"], timeout: "2s" })])
        expect(phasesOf(failed.report, "B")).toEqual(["build:success", "start:success", "stop:success", "dispose:timeout"])
        expect(failed.report.components.find((component) => component.name === "B")!.state).toBe("failed")
        expect((yield* recorder.entries).filter((event) => event.startsWith("release "))).toEqual([])
      }))


    it.effect("a run-time lookup's instance whose release never ends is bounded by the release timeout: reported by its name in the report's errors, the run failed", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        // C is registered but no root reaches it: built by the lookup, not one of the report's components
        const hung = Component.make(C, {
          build: Effect.acquireRelease(Effect.as(recorder.record("build C"), "c"), () => Effect.zipRight(recorder.record("releasing C"), Effect.never))
        })
        const registry = Registry.make(recorded(recorder, A), hung)
        const app = App.make(registry, { roots: [A, Container.Container], releaseTimeout: "1 second" })
        const fiber = yield* Effect.fork(Effect.scoped(Effect.gen(function*() {
          const running = yield* App.start(app)
          yield* Effect.provide(Container.get(C), running.context)
          return yield* Effect.exit(App.stop(running))
        })))
        yield* awaitEntries(recorder, 5)
        expect(yield* recorder.entries).toEqual(["build A", "start A", "build C", "stop A", "releasing C"])
        yield* TestClock.adjust("2 seconds")
        const failed = failureOf(yield* Fiber.join(fiber)) as Errors.ApplicationFailed
        expect(failed.reason).toBe("stop")
        expect(failed.errors).toEqual([new Errors.ReleaseTimeout({ component: "C", path: ["C"], timeout: "1s" })])
        expect(failed.report.success).toBe(false)
        expect(failed.report.errors).toEqual([{ component: "C", phase: "release", hook: null, kind: "timeout", message: failed.errors[0]!.message }])
        expect(failed.report.components.map((component) => component.name)).toEqual(["A"])
        // what C's release was still waiting for was left unreleased, as the application's own components are
        expect((yield* recorder.entries).filter((event) => event.startsWith("release "))).toEqual([])
      }))

    it.effect("a Layer's inner Layer, built before its constructor's lookup waited on what a failed build never made, is released though the failed one's release hangs past the release timeout", () =>
      Effect.gen(function*() {
        // Regression: 'build B.inner, build A, releasing A': B's inner Layer was never released (the fault
        // property's counterexample, seed 11 at 3,000 runs)
        const recorder = yield* makeRecorder
        // A fails its build, its release never ends; C (no root reaches it) needs A; B's constructor looks C up
        const failing = Component.make(A, {
          build: Effect.zipRight(
            Effect.acquireRelease(recorder.record("build A"), () => Effect.zipRight(recorder.record("releasing A"), Effect.never)),
            Effect.fail(new Boom({ where: "build A" }))
          )
        })
        const inner = Layer.scopedDiscard(Effect.acquireRelease(recorder.record("build B.inner"), () => recorder.record("release B.inner")))
        const looking = Component.fromLayer(B, {
          dependencies: [Container.Container],
          layer: Layer.provide(
            Layer.scoped(B, Effect.flatMap(Container.get(C), () => Effect.acquireRelease(Effect.as(recorder.record("build B"), "B"), () => recorder.record("release B")))),
            inner
          )
        })
        const registry = Registry.make(failing, looking, recorded(recorder, C, [A], { start: false, stop: false }))
        const fiber = yield* Effect.fork(Effect.flip(startStop(App.make(registry, { roots: [B, A], releaseTimeout: "5 seconds" }))))
        yield* awaitSleeps(1)
        yield* TestClock.adjust("5 seconds")
        const failed = (yield* Fiber.join(fiber)) as Errors.ApplicationFailed
        expect(yield* recorder.entries).toEqual(["build B.inner", "build A", "release B.inner", "releasing A"])
        expect(failed.reason).toBe("build")
        expect(failed.errors.map((error) => error.message)).toEqual([
          "A: constructor of A failed: Boom { where: \"build A\" }",
          "A: releasing A did not complete within 5s; the components not released yet were left unreleased"
        ])
      }))

    it.effect("a release timeout that is negative or not finite fails with InvalidLifecycle", () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(startStop(App.make(Registry.empty, { releaseTimeout: -1 })))
        expect((error as Errors.InvalidLifecycle).problems).toEqual([
          { subject: "application", reason: "releaseTimeout must be a finite, non-negative duration, got -1" }
        ])
      }))

    it.effect("a component's own timeouts take precedence over the application's", () =>
      Effect.gen(function*() {
        const registry = Registry.make(
          Component.succeed(A, "a").pipe(Lifecycle.onStart(() => Effect.never), Lifecycle.timeouts({ start: "1 second" }))
        )
        const fiber = yield* Effect.fork(Effect.exit(startStop(App.make(registry, { roots: [A], startTimeout: "1 hour" }))))
        yield* awaitSleeps(1)
        yield* TestClock.adjust("1 second")
        const failed = failureOf(yield* Fiber.join(fiber)) as Errors.ApplicationFailed
        expect(failed.errors.map((error) => error.message)).toEqual([
          "A: start hook of A did not complete within 1s (the start timeout: Lifecycle.timeouts({ start }) on the component, or the App's startTimeout)"
        ])
      }))

    it.effect("negative or non-finite timeouts and startup orders fail with InvalidLifecycle listing every one, before anything runs", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const registry = Registry.make(
          recorded(recorder, A).pipe(Lifecycle.timeouts({ stop: -1, grace: Number.POSITIVE_INFINITY })),
          recorded(recorder, B).pipe(Lifecycle.startup(Number.NaN))
        )
        const error = yield* Effect.flip(
          startStop(App.make(registry, { roots: [A], startTimeout: Number.NaN, stopTimeout: "-5 seconds" }))
        )
        expect(error._tag).toBe("InvalidLifecycle")
        // every problem at once: the application's options, then the settings of the components that run
        expect((error as Errors.InvalidLifecycle).problems).toEqual([
          { subject: "application", reason: "startTimeout must be a finite, non-negative duration, got NaN" },
          { subject: "application", reason: "stopTimeout must be a finite, non-negative duration, got -5 seconds" },
          { subject: "component A", reason: "its stop timeout must be a finite, non-negative duration, got -1" },
          { subject: "component A", reason: "its grace timeout must be a finite, non-negative duration, got Infinity" },
          { subject: "component B", reason: "its startup order must be a finite number, got NaN" }
        ])
        // invalid options and a plan that cannot be resolved: the options' problems
        const unresolved = yield* Effect.flip(
          startStop(App.make(registry, { roots: [C], stopTimeout: -1 }))
        )
        expect((unresolved as Errors.InvalidLifecycle).problems).toEqual([
          { subject: "application", reason: "stopTimeout must be a finite, non-negative duration, got -1" }
        ])
        const second = yield* Effect.flip(startStop(App.make(registry, { roots: [A] })))
        expect((second as Errors.InvalidLifecycle).problems).toEqual([
          { subject: "component A", reason: "its stop timeout must be a finite, non-negative duration, got -1" },
          { subject: "component A", reason: "its grace timeout must be a finite, non-negative duration, got Infinity" },
          { subject: "component B", reason: "its startup order must be a finite number, got NaN" }
        ])
        expect(yield* recorder.entries).toEqual([])
      }))

    it.effect("a concurrency that is not \"unbounded\" or at least 1 fails with InvalidLifecycle before anything runs", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const registry = Registry.make(recorded(recorder, A))
        for (const concurrency of [Number.NaN, 0, -3]) {
          const error = yield* Effect.flip(startStop(App.make(registry, { roots: [A], concurrency })))
          expect((error as Errors.InvalidLifecycle).problems).toEqual([
            { subject: "application", reason: `concurrency must be "unbounded" or at least 1, got ${concurrency}` }
          ])
        }
        expect(yield* recorder.entries).toEqual([])
      }))

    it.effect("accepts every finite, non-negative duration form", () =>
      Effect.gen(function*() {
        const app = (timeout: App.Options["startTimeout"]) => App.make(Registry.empty, { startTimeout: timeout })
        const timeouts: ReadonlyArray<App.Options["startTimeout"]> = [0, 1500, "2 seconds", BigInt(1000), [1, 0]]
        for (const timeout of timeouts) {
          const report = yield* startStop(app(timeout))
          expect(report.success).toBe(true)
        }
      }))
  })

  describe("background work", () => {
    it.effect("a background effect asked to finish returns on its own within the grace timeout", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const component = Component.succeed(A, "a").pipe(
          Lifecycle.background((_, shutdown) =>
            Effect.zipRight(shutdown.requested, Effect.zipRight(Effect.sleep(500), recorder.record("finished cleanly"))), {
            onShutdown: "signal"
          }),
          Lifecycle.onStop(() => recorder.record("stop A"))
        )
        const fiber = yield* Effect.fork(startStop(App.make(Registry.make(component), { roots: [A], graceTimeout: "1 second" })))
        yield* awaitSleeps(2) // the background's sleep and the grace timeout
        yield* TestClock.adjust(500)
        const report = yield* Fiber.join(fiber)
        expect(yield* recorder.entries).toEqual(["finished cleanly", "stop A"])
        expect(report.success).toBe(true)
        expect(report.components[0]!.phases.find((record) => record.phase === "background")).toMatchObject({
          outcome: "success"
        })
      }))

    it.effect("a consumer as Lifecycle.background's example stops taking at the signal with jobs still waiting: the job in flight finishes, the others stay queued", () =>
      Effect.gen(function*() {
        // Regression: the example raced Queue.take against the signal alone; a take of a non-empty queue
        // wins that race, so a busy consumer took every job left (and any offered later) after the signal
        class Jobs extends Context.Tag("Jobs")<Jobs, Queue.Queue<string>>() {}
        const recorder = yield* makeRecorder
        const JobsLive = Component.make(Jobs, { build: Queue.unbounded<string>() }).pipe(
          Lifecycle.background((jobs, shutdown) =>
            Effect.gen(function*() {
              while (!(yield* shutdown.isRequested)) {
                const job = yield* Effect.raceFirst(Effect.asSome(Queue.take(jobs)), Effect.as(shutdown.requested, Option.none()))
                if (Option.isNone(job)) return
                yield* Effect.zipRight(Effect.sleep("1 second"), recorder.record(`ran ${job.value}`))
              }
            }), { onShutdown: "signal" })
        )
        const left = yield* Effect.scoped(Effect.gen(function*() {
          const running = yield* App.start(App.make(Registry.make(JobsLive), { roots: [Jobs], startupLog: false }))
          const jobs = yield* Effect.provide(Jobs, running.context)
          yield* Queue.offerAll(jobs, ["1", "2", "3", "4"])
          yield* awaitSleeps(1) // job 1 in flight
          yield* App.shutdown(running, "test")
          const stopping = yield* Effect.fork(App.stop(running))
          for (let second = 0; second < 5; second++) yield* TestClock.adjust("1 second")
          expect((yield* Fiber.join(stopping)).success).toBe(true)
          return yield* Queue.takeAll(jobs)
        }))
        expect(yield* recorder.entries).toEqual(["ran 1"])
        expect(Chunk.toReadonlyArray(left)).toEqual(["2", "3", "4"])
      }))

    it.effect("a background effect that does not finish within grace is interrupted and reported", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const component = Component.succeed(A, "a").pipe(
          Lifecycle.background(() => Effect.onInterrupt(Effect.never, () => recorder.record("interrupted")), {
            onShutdown: "signal",
            name: "consumer"
          })
        )
        const fiber = yield* Effect.fork(Effect.exit(startStop(App.make(Registry.make(component), { roots: [A], graceTimeout: "2 seconds" }))))
        yield* awaitSleeps(1)
        yield* TestClock.adjust("2 seconds")
        const failed = failureOf(yield* Fiber.join(fiber)) as Errors.ApplicationFailed
        expect(yield* recorder.entries).toEqual(["interrupted"])
        expect(failed.reason).toBe("stop")
        expect(failed.errors.map((e) => e.message)).toEqual(["A: background work consumer of A did not complete within 2s (the grace timeout: Lifecycle.timeouts({ grace }) on the component, or the App's graceTimeout)"])
      }))

    it.effect("background work that handles the signal and ignores the interruption is reported with both its timeouts", () =>
      Effect.gen(function*() {
        // Regression: "did not complete within 2s (the grace timeout...)" where grace was 1s: the 2s was grace plus
        // the stop timeout it was given once interrupted
        const component = Component.succeed(A, "a").pipe(
          Lifecycle.background(() => Effect.uninterruptible(Effect.sleep("10 seconds")), { onShutdown: "signal", name: "drain" })
        )
        const app = App.make(Registry.make(component), { roots: [A], graceTimeout: "1 second", stopTimeout: "1 second" })
        const fiber = yield* Effect.fork(Effect.exit(startStop(app)))
        yield* awaitSleeps(2) // the background's sleep and the grace timeout
        yield* TestClock.adjust("1 second")
        yield* awaitSleeps(2) // the sleep again (its own) and the stop timeout
        yield* TestClock.adjust("1 second")
        yield* TestClock.adjust("10 seconds") // it ends at last, and the release goes on
        const failed = failureOf(yield* Fiber.join(fiber)) as Errors.ApplicationFailed
        expect(failed.errors.map((e) => e.message)).toEqual([
          "A: background work drain of A did not complete within 1s (the grace timeout: Lifecycle.timeouts({ grace }) on the component, or the App's graceTimeout), nor end within 1s once interrupted (the stop timeout)"
        ])
      }))

    it.effect("a background failure shuts the application down gracefully and fails the run with that failure", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const fail = yield* Deferred.make<void>()
        const registry = Registry.make(
          recorded(recorder, A),
          recorded(recorder, B, [A]).pipe(
            Lifecycle.background(() => Effect.zipRight(Deferred.await(fail), new Boom({ where: "consumer" })))
          )
        )
        const fiber = yield* Effect.fork(Effect.flip(App.run(App.make(registry, { roots: [B] }))))
        yield* Effect.repeat(recorder.entries, { until: (log) => log.includes("start B") })
        yield* recorder.record("running")
        yield* Deferred.succeed(fail, undefined)
        const failed = (yield* Fiber.join(fiber)) as Errors.ApplicationFailed
        expect(failed.reason).toBe("background")
        expect((failed.errors[0] as Errors.HookFailed).cause).toEqual(new Boom({ where: "consumer" }))
        expect(failed.report.ending).toBe("background-failed")
        expect((yield* recorder.entries).slice(4)).toEqual(["running", "stop B", "stop A", "release B", "release A"])
      }))

    it.effect("a timed-out background phase ends once: no event after the application stopped, and its late end changes nothing", () =>
      Effect.gen(function*() {
        const component = Component.succeed(A, "a").pipe(
          Lifecycle.background(() => Effect.uninterruptible(Effect.sleep("5 seconds")), { name: "stubborn" }),
          Lifecycle.timeouts({ grace: "1 second" })
        )
        const app = App.make(Registry.make(component), { roots: [A] })
        const { compact, late, stopped } = yield* Effect.scoped(Effect.gen(function*() {
          const subscription = yield* App.subscribe(app)
          const running = yield* App.start(app)
          const stopping = yield* Effect.fork(Effect.flip(App.stop(running)))
          yield* awaitSleeps(2) // the background's sleep and the grace timeout
          yield* TestClock.adjust("1 second")
          const stopped = ((yield* Fiber.join(stopping)) as Errors.ApplicationFailed).report
          yield* TestClock.adjust("10 seconds") // the background work ends at last
          yield* Effect.repeatN(Effect.yieldNow(), 10)
          const events = Chunk.toReadonlyArray(yield* Queue.takeAll(subscription))
          const compact = events.map((event) =>
            event._tag === "StateChanged"
              ? `state ${event.to}`
              : event._tag === "PhaseStarted"
              ? `${event.phase} ${event.component}`
              : event._tag === "PhaseEnded"
              ? `${event.phase} ${event.component} ${event.outcome}`
              : `${event._tag} ${event.component}`
          )
          return { compact, late: yield* App.report(running), stopped }
        }))
        expect(compact.slice(-5)).toEqual(["state stopping", "stop A", "background A timeout", "stop A success", "state stopped"])
        expect(compact.filter((event) => event.startsWith("background A "))).toEqual(["background A timeout"])
        expect(stopped.components[0]!.phases.find((record) => record.phase === "background")).toMatchObject({
          outcome: "timeout",
          duration: 1000,
          error: "A: background work stubborn of A did not complete within 1s (the grace timeout: Lifecycle.timeouts({ grace }) on the component, or the App's graceTimeout)"
        })
        expect(late).toEqual(stopped)
      }))

    it.effect("a background failure seen through start and stop fails stop with reason background, as run does", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const fail = yield* Deferred.make<void>()
        const registry = Registry.make(
          recorded(recorder, A).pipe(
            Lifecycle.background(() => Effect.zipRight(Deferred.await(fail), new Boom({ where: "consumer" })))
          )
        )
        const error = yield* Effect.scoped(Effect.gen(function*() {
          const running = yield* App.start(App.make(registry, { roots: [A] }))
          yield* Deferred.succeed(fail, undefined)
          yield* App.awaitShutdown(running)
          return yield* Effect.flip(App.stop(running))
        }))
        const failed = error as Errors.ApplicationFailed
        expect([failed._tag, failed.reason, failed.report.ending, failed.report.success]).toEqual([
          "ApplicationFailed",
          "background",
          "background-failed",
          false
        ])
        expect((failed.errors[0] as Errors.HookFailed).cause).toEqual(new Boom({ where: "consumer" }))
        expect(yield* recorder.entries).toEqual(["build A", "start A", "stop A", "release A"])
      }))

    it.effect("background work that returns while running is simply done", () =>
      Effect.gen(function*() {
        const component = Component.succeed(A, "a").pipe(Lifecycle.background(() => Effect.void))
        const report = yield* startStop(App.make(Registry.make(component), { roots: [A] }))
        expect(report.success).toBe(true)
      }))
  })

  describe("the shutdown timeout", () => {
    /**
     * A (which needs B) has background work that ignores its signal (interrupted at its grace timeout, 2 s)
     * and a stop hook that hangs (its stop timeout, 3 s); B's release takes 1 s: 6 s of shutdown, the
     * phases' timeouts added up along the graph.
     */
    const slowShutdown = (recorder: Recorder) =>
      Registry.make(
        Component.make(B, {
          build: Effect.acquireRelease(Effect.succeed("b"), () =>
            Effect.zipRight(recorder.record("releasing B"), Effect.zipRight(Effect.sleep("1 second"), recorder.record("released B"))))
        }),
        Component.make(A, { dependencies: [B], build: Effect.succeed("a") }).pipe(
          Lifecycle.background(() => Effect.onInterrupt(Effect.never, () => recorder.record("consumer interrupted")), {
            onShutdown: "signal",
            name: "consumer"
          }),
          Lifecycle.onStop(() => Effect.onInterrupt(Effect.zipRight(recorder.record("draining"), Effect.never), () => recorder.record("drain interrupted")), {
            name: "drain"
          }),
          Lifecycle.timeouts({ grace: "2 seconds", stop: "3 seconds" })
        )
      )

    /** Starts, runs `running` of the TestClock, then stops: the stop's fiber, and the clock's time when the stop began. */
    const stopAfter = <R>(app: App.App<R>, running: Duration.DurationInput) =>
      Effect.gen(function*() {
        const handle = yield* App.start(app)
        yield* TestClock.adjust(running)
        const began = yield* Clock.currentTimeMillis
        return { began, stopping: yield* Effect.fork(Effect.exit(App.stop(handle))) }
      })

    it.scoped("a shutdown of grace 2 s, a stop hook hung 3 s and a release of 1 s ends at 4 s exactly with shutdownTimeout 4 s, reporting what it cut off", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const app = App.make(slowShutdown(recorder), { roots: [A], shutdownTimeout: "4 seconds", startupLog: false })
        const { began, stopping } = yield* stopAfter(app, 0)
        yield* awaitSleeps(1) // the grace timeout
        yield* TestClock.adjust("2 seconds")
        yield* awaitEntries(recorder, 2) // the consumer interrupted, draining
        yield* TestClock.adjust("1999 millis")
        expect(Option.isNone(yield* Fiber.poll(stopping))).toBe(true)
        yield* TestClock.adjust("1 millis")
        const failed = failureOf(yield* Fiber.join(stopping)) as Errors.ApplicationFailed
        expect((yield* Clock.currentTimeMillis) - began).toBe(4000)
        expect(failed.report.shutdown).toBe(4000)
        expect(yield* recorder.entries).toEqual(["consumer interrupted", "draining", "drain interrupted", "releasing B"])
        expect(failed.reason).toBe("stop")
        expect(failed.errors).toEqual([
          new Errors.HookTimeout({ component: "A", path: ["A"], phase: "background", hook: "consumer", timeout: "2s" }),
          new Errors.HookTimeout({ component: "A", path: ["A"], phase: "stop", hook: "drain", timeout: "3s", shutdownTimeout: "4s" }),
          new Errors.ReleaseTimeout({ component: "B", path: ["A", "B"], timeout: "30s", shutdownTimeout: "4s" })
        ])
        expect(failed.errors.slice(1).map((error) => error.message)).toEqual([
          "A: stop hook drain of A was cut off by the shutdown timeout: the whole shutdown is bounded by 4s (the App's shutdownTimeout)",
          "A -> B: releasing B was cut off by the shutdown timeout: the whole shutdown is bounded by 4s (the App's shutdownTimeout); the components not released yet were left unreleased"
        ])
        expect(phasesOf(failed.report, "A")).toEqual(["build:success", "start:success", "background:timeout", "stop:timeout", "release:success"])
        expect(phasesOf(failed.report, "B")).toEqual(["build:success", "release:timeout"])
        expect(failed.report.errors.map(({ component, hook, kind, phase }) => `${component} ${phase} ${hook} ${kind}`)).toEqual([
          "A background consumer timeout",
          "A stop drain timeout",
          "B release null timeout"
        ])
      }))

    it.scoped("without a shutdown timeout the same shutdown takes its phases' timeouts added up: 6 s", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const app = App.make(slowShutdown(recorder), { roots: [A], startupLog: false })
        const { began, stopping } = yield* stopAfter(app, 0)
        yield* awaitSleeps(1)
        yield* TestClock.adjust("2 seconds")
        yield* awaitEntries(recorder, 2)
        yield* TestClock.adjust("3 seconds")
        yield* awaitEntries(recorder, 4) // the drain interrupted, releasing B
        yield* TestClock.adjust("999 millis")
        expect(Option.isNone(yield* Fiber.poll(stopping))).toBe(true)
        yield* TestClock.adjust("1 millis")
        const failed = failureOf(yield* Fiber.join(stopping)) as Errors.ApplicationFailed
        expect((yield* Clock.currentTimeMillis) - began).toBe(6000)
        expect(failed.report.shutdown).toBe(6000)
        expect(yield* recorder.entries).toEqual(["consumer interrupted", "draining", "drain interrupted", "releasing B", "released B"])
        expect(failed.errors).toEqual([
          new Errors.HookTimeout({ component: "A", path: ["A"], phase: "background", hook: "consumer", timeout: "2s" }),
          new Errors.HookTimeout({ component: "A", path: ["A"], phase: "stop", hook: "drain", timeout: "3s" })
        ])
      }))

    it.scoped("once the shutdown timeout passed nothing more begins: a dependency's stop hook and background work are cut off without a wait, reported so", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const app = App.make(
          Registry.make(
            Component.succeed(B, "b").pipe(
              Lifecycle.background(() => Effect.onInterrupt(Effect.never, () => recorder.record("B's work interrupted")), { name: "work", onShutdown: "signal" }),
              Lifecycle.onStop(() => recorder.record("stop B"), { name: "flush" })
            ),
            Component.make(A, { dependencies: [B], build: Effect.succeed("a") }).pipe(
              Lifecycle.onStop(() => Effect.onInterrupt(Effect.never, () => recorder.record("A's stop interrupted")), { name: "drain" })
            )
          ),
          { roots: [A], shutdownTimeout: "1 second", startupLog: false }
        )
        const { began, stopping } = yield* stopAfter(app, 0)
        yield* awaitSleeps(1)
        yield* TestClock.adjust("1 second")
        const failed = failureOf(yield* Fiber.join(stopping)) as Errors.ApplicationFailed
        expect((yield* Clock.currentTimeMillis) - began).toBe(1000)
        expect(yield* recorder.entries).toEqual(["A's stop interrupted", "B's work interrupted"])
        expect(failed.errors.map((error) => error.message)).toEqual([
          "A: stop hook drain of A was cut off by the shutdown timeout: the whole shutdown is bounded by 1s (the App's shutdownTimeout)",
          "A -> B: background work work of B was cut off by the shutdown timeout: the whole shutdown is bounded by 1s (the App's shutdownTimeout)",
          "A -> B: stop hook flush of B was cut off by the shutdown timeout: the whole shutdown is bounded by 1s (the App's shutdownTimeout)"
        ])
        expect(phasesOf(failed.report, "B")).toEqual(["build:success", "start:success", "background:timeout", "stop:timeout"])
      }))

    it.scoped("a shutdown well within the shutdown timeout ends as it does without one: the same report", () =>
      Effect.gen(function*() {
        const shutDown = (options: App.Options) =>
          Effect.gen(function*() {
            const recorder = yield* makeRecorder
            const { stopping } = yield* stopAfter(App.make(slowShutdown(recorder), { roots: [A], startupLog: false, ...options }), 0)
            yield* awaitSleeps(1)
            yield* TestClock.adjust("2 seconds")
            yield* awaitEntries(recorder, 2)
            yield* TestClock.adjust("3 seconds")
            yield* awaitEntries(recorder, 4)
            yield* TestClock.adjust("1 second")
            const { startedAt: _, ...report } = (failureOf(yield* Fiber.join(stopping)) as Errors.ApplicationFailed).report
            return { entries: yield* recorder.entries, report }
          })
        const unbounded = yield* shutDown({})
        const bounded = yield* shutDown({ shutdownTimeout: "6001 millis" })
        expect(bounded).toEqual(unbounded)
        expect(bounded.report.shutdown).toBe(6000)
      }))

    it.scoped("the shutdown timeout begins with the shutdown, not with the application: a 3 s shutdown after 10 s of running is within 4 s", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const component = Component.succeed(A, "a").pipe(
          Lifecycle.onStop(() => Effect.zipRight(Effect.sleep("3 seconds"), recorder.record("drained")), { name: "drain" })
        )
        const app = App.make(Registry.make(component), { roots: [A], shutdownTimeout: "4 seconds", startupLog: false })
        const { began, stopping } = yield* stopAfter(app, "10 seconds")
        yield* awaitSleeps(2) // the drain's sleep and its capped stop timeout
        yield* TestClock.adjust("3 seconds")
        const report = yield* Effect.flatten(Fiber.join(stopping))
        expect((yield* Clock.currentTimeMillis) - began).toBe(3000)
        expect(yield* recorder.entries).toEqual(["drained"])
        expect([report.success, report.running, report.shutdown, report.errors]).toEqual([true, 10_000, 3000, []])
      }))

    it.effect("a shutdown timeout that is negative or not finite fails with InvalidLifecycle, before anything is built", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const registry = Registry.make(recorded(recorder, A))
        const negative = yield* Effect.flip(startStop(App.make(registry, { roots: [A], shutdownTimeout: -1 })))
        const infinite = yield* Effect.flip(startStop(App.make(registry, { roots: [A], shutdownTimeout: Duration.infinity })))
        expect([negative, infinite].map((error) => (error as Errors.InvalidLifecycle).problems)).toEqual([
          [{ subject: "application", reason: "shutdownTimeout must be a finite, non-negative duration, got -1" }],
          [{ subject: "application", reason: "shutdownTimeout must be a finite, non-negative duration, got Infinity" }]
        ])
        expect(yield* recorder.entries).toEqual([])
      }))

    it.effect("a startup interrupted while a start hook ignores its interruption is bounded by the shutdown timeout from the interruption on, not by what is left of the start timeout", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const registry = Registry.make(
          Component.succeed(A, "a").pipe(
            Lifecycle.onStart(() => Effect.uninterruptible(Effect.zipRight(recorder.record("listening"), Effect.sleep("1 minute"))), { name: "listen" }),
            Lifecycle.timeouts({ start: "1 minute" })
          )
        )
        const reports: Array<Report.Report> = []
        const app = App.make(registry, {
          roots: [A],
          shutdownTimeout: "5 seconds",
          startupLog: false,
          onReport: (report) => Effect.sync(() => reports.push(report))
        })
        const running = yield* Effect.fork(App.run(app))
        yield* awaitEntries(recorder, 1)
        yield* TestClock.adjust("1 second")
        const interrupting = yield* Effect.fork(Fiber.interrupt(running))
        yield* awaitSleeps(2) // the hook's minute, and the cut-off's wait
        yield* TestClock.adjust("4999 millis")
        expect(Option.isNone(yield* Fiber.poll(interrupting))).toBe(true)
        yield* TestClock.adjust("1 millis")
        const exit = yield* Fiber.join(interrupting)
        expect(Exit.isInterrupted(exit)).toBe(true)
        expect(reports[0]!.errors.map((error) => error.message)).toEqual([
          "A: start hook listen of A was cut off by the shutdown timeout: the whole shutdown is bounded by 5s (the App's shutdownTimeout)"
        ])
        expect(phasesOf(reports[0]!, "A")).toEqual(["build:success", "start:timeout"])
      }))
  })

  describe("running", () => {
    it.effect("run returns the report once a component requests the shutdown through the Shutdowner", () =>
      Effect.gen(function*() {
        class Job extends Context.Tag("Job")<Job, App.Shutdowner>() {}
        const registry = Registry.make(
          Component.make(Job, { dependencies: [App.Shutdowner], build: App.Shutdowner }).pipe(
            Lifecycle.startup(),
            Lifecycle.background((app) => Effect.zipRight(Effect.sleep("1 minute"), app.shutdown("job done")))
          )
        )
        const fiber = yield* Effect.fork(App.run(App.make(registry)))
        yield* awaitSleeps(1)
        yield* TestClock.adjust("1 minute")
        const report = yield* Fiber.join(fiber)
        expect(report.success).toBe(true)
        expect(report.ending).toBe("shutdown")
        expect(report.shutdownReason).toBe("job done")
        expect(report.running).toBe(60_000)
      }))

    it.effect("an interrupted run shuts down gracefully, gives the report to onReport, and ends interrupted", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const reported = yield* Deferred.make<Report.Report>()
        const registry = Registry.make(recorded(recorder, A))
        const app = App.make(registry, { roots: [A], onReport: (report) => Deferred.succeed(reported, report) })
        const fiber = yield* Effect.fork(App.run(app))
        yield* Effect.repeat(recorder.entries, { until: (log) => log.includes("start A") })
        const exit = yield* Fiber.interrupt(fiber)
        expect(Exit.isInterrupted(exit)).toBe(true)
        expect(yield* recorder.entries).toEqual(["build A", "start A", "stop A", "release A"])
        const report = yield* Deferred.await(reported)
        expect(report.ending).toBe("interrupted")
        expect(report.success).toBe(true)
      }))

    it.effect("an interrupted run whose shutdown failed fails with ApplicationFailed (not only interrupted)", () =>
      Effect.gen(function*() {
        const started = yield* Deferred.make<void>()
        const registry = Registry.make(
          Component.succeed(A, "a").pipe(
            Lifecycle.onStart(() => Deferred.succeed(started, undefined)),
            Lifecycle.onStop(() => new Boom({ where: "stop" }))
          )
        )
        const app = App.make(registry, { roots: [A] })
        // interrupted while starting (the rollback's stop fails) ...
        const starting = yield* Effect.fork(App.run(app))
        yield* Deferred.await(started)
        const first = yield* Fiber.interrupt(starting)
        expect(Exit.isFailure(first) && !Cause.isInterruptedOnly(first.cause)).toBe(true)
        expect(failureOf(first)._tag).toBe("ApplicationFailed")
        // ... and interrupted once started
        const exit = yield* Effect.scoped(Effect.gen(function*() {
          const events = yield* App.subscribe(app)
          const running = yield* Effect.fork(App.run(app))
          yield* Effect.repeat(Queue.take(events), { until: (event) => event._tag === "StateChanged" && event.to === "started" })
          return yield* Fiber.interrupt(running)
        }))
        expect(Exit.isFailure(exit) && !Cause.isInterruptedOnly(exit.cause)).toBe(true)
        const failed = failureOf(exit) as Errors.ApplicationFailed
        expect(failed.reason).toBe("stop")
        expect(failed.report.ending).toBe("interrupted")
      }))

    it.effect("interrupted while starting, it stops what started and releases everything", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const blocked = yield* Deferred.make<void>()
        const registry = Registry.make(
          recorded(recorder, A),
          recorded(recorder, B, [A], { start: false }).pipe(
            Lifecycle.onStart(() => Effect.zipRight(Deferred.succeed(blocked, undefined), Effect.never))
          )
        )
        const fiber = yield* Effect.fork(App.run(App.make(registry, { roots: [B] })))
        yield* Deferred.await(blocked)
        const exit = yield* Fiber.interrupt(fiber)
        expect(Exit.isInterrupted(exit)).toBe(true)
        expect(yield* recorder.entries).toEqual(["build A", "build B", "start A", "stop A", "release B", "release A"])
      }))

    it.effect("interrupted while constructors' lookups wait for a component the build never made, it ends interrupted: their ContainerClosed is no construction failure", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const blocked = yield* Deferred.make<void>()
        const [n0, n1, n2, n3] = ["n0", "n1", "n2", "n3"].map((name) => Context.GenericTag<string, string>(name))
        const looking = (tag: Context.Tag<string, string>) =>
          Component.make(tag, {
            dependencies: [Container.Container],
            build: Effect.flatMap(Container.get(n1!), () => Effect.as(recorder.record(`build ${tag.key}`), tag.key))
          })
        const registry = Registry.make(
          // n0's constructor never ends
          Component.make(n0!, { build: Effect.zipRight(Deferred.succeed(blocked, undefined), Effect.never) }),
          // n1 is not in the plan: the lookups build it, on n0
          Component.make(n1!, { dependencies: [n0!], build: Effect.as(recorder.record("build n1"), "n1") }),
          looking(n2!),
          looking(n3!)
        )
        const reports: Array<Report.Report> = []
        const fiber = yield* Effect.fork(App.run(App.make(registry, { roots: [n0!, n2!, n3!], onReport: (report) => Effect.sync(() => reports.push(report)) })))
        yield* Deferred.await(blocked)
        for (let i = 0; i < 10; i++) yield* Effect.yieldNow()
        const exit = yield* Fiber.interrupt(fiber)
        expect(Exit.isInterrupted(exit) && Cause.isInterruptedOnly((exit as Exit.Failure<never, never>).cause)).toBe(true)
        expect(reports.map((report) => [report.ending, report.success, report.errors])).toEqual([["interrupted", true, []]])
        // cut off by the interruption, as a constructor without lookups is
        for (const name of ["n0", "n2", "n3"]) expect(phasesOf(reports[0]!, name)).toEqual(["build:interrupted", "release:success"])
        expect(yield* recorder.entries).toEqual([])
      }))

    it.effect("start gives the roots' services and the application is stopped when the scope closes", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const registry = Registry.make(recorded(recorder, A), recorded(recorder, B, [A]))
        const value = yield* Effect.scoped(Effect.gen(function*() {
          const running = yield* App.start(App.make(registry, { roots: [B, Dependency.optional(C)] }))
          expect(yield* App.state(running)).toBe("started")
          return yield* Effect.provide(Effect.all([B, Dependency.optional(C)]), running.context)
        }))
        expect(value).toEqual(["B", Option.none()])
        expect((yield* recorder.entries).slice(-4)).toEqual(["stop B", "stop A", "release B", "release A"])
      }))

    it.effect("running.runtime runs effects with the roots' services and the FiberRefs the components set, outside any fiber of the application", () =>
      Effect.gen(function*() {
        const Ref = FiberRef.unsafeMake("unset")
        const recorder = yield* makeRecorder
        const setsRef = Component.fromLayer(C, { layer: Layer.effect(C, Effect.succeed("C")).pipe(Layer.provideMerge(Layer.locallyScoped(Ref, "set by C"))) })
        const registry = Registry.make(recorded(recorder, A), recorded(recorder, B, [A]), setsRef)
        const seen = yield* Effect.scoped(Effect.gen(function*() {
          const running = yield* App.start(App.make(registry, { roots: [B, C] }))
          const read = Effect.all([B, C, FiberRef.get(Ref)])
          return [Runtime.runSync(running.runtime)(read), yield* Effect.promise(() => Runtime.runPromise(running.runtime)(read))]
        }))
        expect(seen).toEqual([["B", "C", "set by C"], ["B", "C", "set by C"]])
      }))

    it.effect("stopping an application that is not started fails with InvalidState naming its state", () =>
      Effect.gen(function*() {
        yield* Effect.scoped(Effect.gen(function*() {
          const running = yield* App.start(App.make(Registry.empty))
          yield* App.stop(running)
          const error = yield* Effect.flip(App.stop(running))
          expect(error).toEqual(new Errors.InvalidState({ operation: "stop", state: "stopped", allowed: ["started"] }))
          expect(error.message).toBe("cannot stop the application while it is stopped (allowed when: started)")
        }))
      }))

    it.effect("shutdown requests are seen by awaitShutdown; the first reason wins and goes to the report of stop", () =>
      Effect.gen(function*() {
        const report = yield* Effect.scoped(Effect.gen(function*() {
          const running = yield* App.start(App.make(Registry.empty))
          yield* App.shutdown(running, "first")
          yield* App.shutdown(running, "second")
          yield* App.awaitShutdown(running)
          return yield* App.stop(running)
        }))
        expect([report.ending, report.shutdownReason]).toEqual(["shutdown", "first"])
      }))

    it.effect("the reason of a shutdown request goes to the report with start and stop, and when the scope of start closes", () =>
      Effect.gen(function*() {
        const reports: Array<Report.Report> = []
        const app = App.make(Registry.empty, { onReport: (report) => Effect.sync(() => void reports.push(report)) })
        const stopped = yield* Effect.scoped(Effect.gen(function*() {
          const running = yield* App.start(app)
          yield* App.shutdown(running, "maintenance")
          return yield* App.stop(running)
        }))
        yield* Effect.scoped(Effect.flatMap(App.start(app), App.shutdown("scope closing")))
        expect(reports.map((report) => [report.ending, report.shutdownReason])).toEqual([
          ["shutdown", "maintenance"],
          ["shutdown", "scope closing"]
        ])
        expect(stopped).toEqual(reports[0])
      }))

    it.effect("a shutdown request's exit code goes to awaitShutdown, the report and its summary line; the first request wins, reason and exit code together", () =>
      Effect.gen(function*() {
        const [request, report] = yield* Effect.scoped(Effect.gen(function*() {
          const running = yield* App.start(App.make(Registry.empty))
          yield* App.shutdown(running, "first", { exitCode: 3 })
          yield* App.shutdown(running, "second", { exitCode: 4 })
          return [yield* App.awaitShutdown(running), yield* App.stop(running)] as const
        }))
        expect(request).toEqual({ _tag: "Requested", reason: "first", exitCode: 3 })
        expect([report.ending, report.shutdownReason, report.exitCode]).toEqual(["shutdown", "first", 3])
        expect(Report.format(report).split("): ")[0]).toBe("application OK (shut down: first, exit code 3")
        // a first request without an exit code wins over a later one with one: the report has none
        const plain = yield* Effect.scoped(Effect.gen(function*() {
          const running = yield* App.start(App.make(Registry.empty))
          yield* App.shutdown(running, "first")
          yield* App.shutdown("second", { exitCode: 4 })(running)
          return yield* App.stop(running)
        }))
        expect([plain.shutdownReason, "exitCode" in plain]).toEqual(["first", false])
        expect(Report.format(plain).split("): ")[0]).toBe("application OK (shut down: first")
      }))

    it.effect("a component's Shutdowner request with an exit code ends run with a report carrying it, which encodes with the Report schema", () =>
      Effect.gen(function*() {
        class Job extends Context.Tag("Job")<Job, void>() {}
        const registry = Registry.make(
          Component.make(Job, {
            dependencies: [App.Shutdowner],
            build: Effect.flatMap(App.Shutdowner, (app) => app.shutdown("nothing to migrate", { exitCode: 0 }))
          }).pipe(Lifecycle.startup())
        )
        const report = yield* App.run(App.make(registry, { startupLog: false }))
        expect([report.success, report.shutdownReason, report.exitCode]).toEqual([true, "nothing to migrate", 0])
        expect(Schema.encodeSync(Report.Report)(report).exitCode).toBe(0)
        expect(Schema.decodeUnknownEither(Report.Report)({ ...Schema.encodeSync(Report.Report)(report), exitCode: 256 })._tag).toBe("Left")
      }))

    it.effect("an exit code that is not an integer from 0 to 255 is a defect naming the caller, and nothing is requested: a later request wins", () =>
      Effect.gen(function*() {
        class Job extends Context.Tag("Job")<Job, App.Shutdowner>() {}
        const registry = Registry.make(Component.make(Job, { dependencies: [App.Shutdowner], build: App.Shutdowner }).pipe(Lifecycle.startup()))
        const messages: Array<string> = []
        const report = yield* Effect.scoped(Effect.gen(function*() {
          const running = yield* App.start(App.make(registry, { roots: [Job], startupLog: false }))
          const job = yield* Effect.provide(Job, running.context)
          for (const exitCode of [3.5, -1, 256, Number.NaN]) {
            const exit = yield* Effect.exit(App.shutdown(running, "bad", { exitCode }))
            const defect = Exit.isFailure(exit) ? Cause.dieOption(exit.cause) : Option.none()
            messages.push(Option.isSome(defect) && defect.value instanceof Cause.IllegalArgumentException ? defect.value.message : "no defect")
          }
          const exit = yield* Effect.exit(job.shutdown("bad", { exitCode: 1000 }))
          const defect = Exit.isFailure(exit) ? Cause.dieOption(exit.cause) : Option.none()
          messages.push(Option.isSome(defect) && defect.value instanceof Cause.IllegalArgumentException ? defect.value.message : "no defect")
          yield* App.shutdown(running, "good", { exitCode: 255 })
          return yield* App.stop(running)
        }))
        expect(messages).toEqual([
          "layerwise App.shutdown: the exit code must be an integer from 0 to 255, got 3.5",
          "layerwise App.shutdown: the exit code must be an integer from 0 to 255, got -1",
          "layerwise App.shutdown: the exit code must be an integer from 0 to 255, got 256",
          "layerwise App.shutdown: the exit code must be an integer from 0 to 255, got NaN",
          "layerwise App.Shutdowner shutdown: the exit code must be an integer from 0 to 255, got 1000"
        ])
        expect([report.shutdownReason, report.exitCode]).toEqual(["good", 255])
      }))

    it.effect("layer provides the roots and stops the application with its scope", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const app = App.make(Registry.make(recorded(recorder, A)), { roots: [A] })
        const value = yield* Effect.provide(A, App.layer(app))
        expect(value).toBe("A")
        expect(yield* recorder.entries).toEqual(["build A", "start A", "stop A", "release A"])
      }))

    it.effect("closing the scope of start without stop: a failed shutdown is a defect of the closing, ApplicationFailed naming every error", () =>
      Effect.gen(function*() {
        const registry = Registry.make(
          Component.succeed(A, "a").pipe(
            Lifecycle.onStop(() => new Boom({ where: "stop" })),
            Lifecycle.disposer(() => Effect.die("disposer died"))
          )
        )
        const exit = yield* Effect.exit(Effect.scoped(App.start(App.make(registry, { roots: [A] }))))
        const defect = Exit.isFailure(exit) ? Cause.dieOption(exit.cause) : Option.none()
        expect(Option.isSome(defect) && defect.value instanceof Errors.ApplicationFailed).toBe(true)
        const failed = Option.getOrThrow(defect) as Errors.ApplicationFailed
        expect([failed.reason, failed.errors.map((error) => error._tag)]).toEqual(["stop", ["HookFailed", "HookFailed"]])
        expect(failed.message).toBe(
          "the application's shutdown failed (2 errors):\n" +
            '  - A: stop hook of A failed: Boom { where: "stop" }\n' +
            "  - A: disposer of A failed: disposer died"
        )
      }))

    it.effect("after stop gave the failure to its caller, closing the scope adds nothing", () =>
      Effect.gen(function*() {
        const registry = Registry.make(Component.succeed(A, "a").pipe(Lifecycle.onStop(() => new Boom({ where: "stop" }))))
        const exit = yield* Effect.exit(Effect.scoped(Effect.flatMap(App.start(App.make(registry, { roots: [A] })), App.stop)))
        expect(Exit.isFailure(exit) && Cause.isFailType(exit.cause)).toBe(true)
        expect(failureOf(exit)._tag).toBe("ApplicationFailed")
      }))

    it.effect("layer: a failed shutdown fails the program that used it, as a defect naming the error", () =>
      Effect.gen(function*() {
        const registry = Registry.make(Component.succeed(A, "a").pipe(Lifecycle.onStop(() => new Boom({ where: "stop" }))))
        const exit = yield* Effect.exit(Effect.provide(A, App.layer(App.make(registry, { roots: [A] }))))
        const defect = Exit.isFailure(exit) ? Cause.dieOption(exit.cause) : Option.none()
        expect(Option.map(defect, (error) => (error as Errors.ApplicationFailed).reason)).toEqual(Option.some("stop"))
      }))

    it.effect("layer: background work that fails is logged when it fails; the program keeps its services, and the layer's release fails", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const logged: Array<string> = []
        const logger = Logger.make(({ logLevel, message }) => {
          if (logLevel._tag === "Error") logged.push((message as ReadonlyArray<unknown>).map(String).join(" | "))
        })
        const fail = yield* Deferred.make<void>()
        const registry = Registry.make(
          recorded(recorder, A).pipe(
            Lifecycle.background(() => Effect.zipRight(Deferred.await(fail), new Boom({ where: "consumer" })))
          )
        )
        const program = Effect.gen(function*() {
          const a = yield* A
          yield* Deferred.succeed(fail, undefined)
          for (let i = 0; i < 100 && logged.length === 0; i++) yield* Effect.yieldNow()
          yield* recorder.record(`still using ${a}`)
        })
        const exit = yield* Effect.exit(
          Effect.provide(program, App.layer(App.make(registry, { roots: [A] }))).pipe(
            Effect.provide(Logger.replace(Logger.defaultLogger, logger))
          )
        )
        expect(logged).toEqual([
          "layerwise: background work failed while the application runs as a Layer; it keeps serving until the Layer is released, which then fails | A: background work of A failed: Boom { where: \"consumer\" }"
        ])
        expect(yield* recorder.entries).toEqual(["build A", "start A", "still using A", "stop A", "release A"])
        const defect = Exit.isFailure(exit) ? Cause.dieOption(exit.cause) : Option.none()
        expect(Option.map(defect, (error) => (error as Errors.ApplicationFailed).reason)).toEqual(Option.some("background"))
      }))

    it.effect("layer: a shutdown asked for while the application runs as a Layer is logged as a warning with its reason, where it went unsaid; the program keeps its services until the layer is released", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const logged: Array<string> = []
        const logger = Logger.make(({ logLevel, message }) => {
          if (logLevel._tag !== "Info") logged.push(`${logLevel.label}: ${(message as ReadonlyArray<unknown>).map(String).join(" | ")}`)
        })
        class Job extends Context.Tag("Job")<Job, Effect.Effect<void>>() {}
        const registry = Registry.make(recorded(recorder, A), Component.make(Job, { dependencies: [App.Shutdowner], build: Effect.map(App.Shutdowner, (app) => app.shutdown("job done")) }))
        const program = Effect.gen(function*() {
          const [a, done] = [yield* A, yield* Job]
          yield* done
          for (let i = 0; i < 100 && logged.length === 0; i++) yield* Effect.yieldNow()
          yield* recorder.record(`still using ${a}`)
        })
        yield* Effect.provide(program, App.layer(App.make(registry, { roots: [A, Job], startupLog: false }))).pipe(
          Effect.provide(Logger.replace(Logger.defaultLogger, logger))
        )
        expect(logged).toEqual([
          "WARN: layerwise: the shutdown asked for (job done) does not end an application run as a Layer, which cannot end the program it serves: it keeps serving until the Layer is released (App.start and App.awaitShutdown wait for such a request)"
        ])
        expect(yield* recorder.entries).toEqual(["build A", "start A", "still using A", "stop A", "release A"])
      }))

    it.effect("layer: the warning of a shutdown asked for with an exit code names the code, which ends nothing either", () =>
      Effect.gen(function*() {
        const logged: Array<string> = []
        const logger = Logger.make(({ logLevel, message }) => {
          if (logLevel._tag !== "Info") logged.push(`${logLevel.label}: ${(message as ReadonlyArray<unknown>).map(String).join(" | ")}`)
        })
        class Job extends Context.Tag("Job")<Job, App.Shutdowner>() {}
        const registry = Registry.make(Component.make(Job, { dependencies: [App.Shutdowner], build: App.Shutdowner }))
        const program = Effect.gen(function*() {
          yield* (yield* Job).shutdown(undefined, { exitCode: 3 })
          yield* (yield* Job).shutdown("job done", { exitCode: 4 })
          for (let i = 0; i < 100 && logged.length === 0; i++) yield* Effect.yieldNow()
        })
        yield* Effect.provide(program, App.layer(App.make(registry, { roots: [Job], startupLog: false }))).pipe(
          Effect.provide(Logger.replace(Logger.defaultLogger, logger))
        )
        expect(logged).toEqual([
          "WARN: layerwise: the shutdown asked for (exit code 3) does not end an application run as a Layer, which cannot end the program it serves: it keeps serving until the Layer is released (App.start and App.awaitShutdown wait for such a request)"
        ])
      }))

    it.effect("an application can run several times, each run independent", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const app = App.make(Registry.make(recorded(recorder, A)), { roots: [A] })
        yield* startStop(app)
        yield* startStop(app)
        expect((yield* recorder.entries).length).toBe(8)
      }))
  })

  describe("report", () => {
    it.effect("lists each component's phases with durations and errors, and encodes to JSON with its schema", () =>
      Effect.gen(function*() {
        const registry = Registry.make(
          Component.make(A, { build: Effect.as(Effect.sleep(100), "a") }).pipe(
            Lifecycle.onStart(() => Effect.sleep(200)),
            Lifecycle.onStop(() => Effect.sleep(300))
          ),
          Component.succeed(B, "b").pipe(Lifecycle.onStop(() => Effect.fail("nope")))
        )
        const fiber = yield* Effect.fork(Effect.flip(startStop(App.make(registry, { roots: [A, B] }))))
        for (const step of [100, 200, 300]) {
          yield* awaitSleeps(1)
          yield* TestClock.adjust(step)
        }
        const report = ((yield* Fiber.join(fiber)) as Errors.ApplicationFailed).report
        const a = report.components.find((component) => component.name === "A")!
        expect(a.phases.map(({ at, duration, phase }) => ({ phase, at, duration }))).toEqual([
          { phase: "build", at: 0, duration: 100 },
          { phase: "start", at: 100, duration: 200 },
          { phase: "stop", at: 300, duration: 300 },
          { phase: "release", at: 600, duration: 0 }
        ])
        expect(report).toMatchObject({ success: false, ending: "shutdown", startup: 300, running: 0, shutdown: 300 })
        expect(report.errors).toEqual([{
          component: "B",
          phase: "stop",
          hook: "onStop",
          kind: "failure",
          message: "B: stop hook of B failed: nope"
        }])
        const json = JSON.stringify(Schema.encodeSync(Report.Report)(report))
        expect(Schema.decodeUnknownSync(Report.Report)(JSON.parse(json))).toEqual(report)
      }))

    it.effect("a singleton's factory calls are counted as its instances besides it, and format says so", () =>
      Effect.gen(function*() {
        const registry = Registry.make(
          Component.succeed(A, "a"),
          Component.make(B, {
            dependencies: [Dependency.factory(A)],
            build: Effect.gen(function*() {
              const fresh = yield* Dependency.factory(A)
              yield* fresh
              yield* fresh
              return "b"
            })
          })
        )
        const report = yield* startStop(App.make(registry, { roots: [B], startupLog: false }))
        expect(report.components.map(({ instances, name }) => ({ name, instances }))).toEqual([
          { name: "A", instances: 2 },
          { name: "B", instances: undefined }
        ])
        expect(Report.format(report).split("\n").filter((line) => line.trimStart().startsWith("A"))).toEqual([
          expect.stringMatching(/^ *A \(\+2 instances: factory calls, reloads\) /)
        ])
      }))

    it.effect("format renders one row per component, the phases they went through, and every error", () =>
      Effect.gen(function*() {
        const registry = Registry.make(
          Component.succeed(A, "a").pipe(Lifecycle.startup(5), Lifecycle.onStart(() => Effect.sleep(1500))),
          Component.succeed(B, "b").pipe(Lifecycle.onStop(() => Effect.fail("nope")))
        )
        const fiber = yield* Effect.fork(Effect.flip(startStop(App.make(registry, { roots: [B] }))))
        yield* awaitSleeps(1)
        yield* TestClock.adjust(1500)
        const report = ((yield* Fiber.join(fiber)) as Errors.ApplicationFailed).report
        expect(Report.format(report)).toBe(
          [
            "application FAILED (shut down): startup 1.50s, ran 0.00ms, shutdown 0.00ms, 2 components",
            "  component       build  start           stop",
            "  B              0.00ms      -  FAILED 0.00ms",
            "  A (startup 5)  0.00ms  1.50s              -",
            "1 error:",
            "  - B: stop hook of B failed: nope"
          ].join("\n")
        )
      }))
    it.effect("format names the extreme startup orders (Ops.serve's default is the lowest) instead of printing their digits", () =>
      Effect.gen(function*() {
        const registry = Registry.make(
          Component.succeed(A, "a").pipe(Lifecycle.startup(Number.MIN_SAFE_INTEGER)),
          Component.succeed(B, "b").pipe(Lifecycle.startup(Number.MAX_SAFE_INTEGER))
        )
        const report = yield* startStop(App.make(registry))
        expect(Report.format(report).split("\n").slice(1)).toEqual([
          "  component                             build",
          "  A (startup Number.MIN_SAFE_INTEGER)  0.00ms",
          "  B (startup Number.MAX_SAFE_INTEGER)  0.00ms"
        ])
      }))
    it.effect("lists a transient or scoped component with its lifetime and how many instances were built: they are built after startup, so its state stays pending", () =>
      Effect.gen(function*() {
        const Job = Lifetime.scope("Job")
        const registry = Registry.make(
          Component.succeed(A, "a"),
          Component.succeed(B, "b").pipe(Lifetime.transient),
          Component.make(C, { dependencies: [B], build: Effect.succeed("c") }).pipe(Lifetime.scoped(Job))
        )
        const report = yield* Effect.scoped(Effect.gen(function*() {
          const running = yield* App.start(App.make(registry, { roots: [A, Container.Container], scopes: [Job] }))
          // two lookups of the transient, and a Job whose C gets a transient of its own
          yield* Effect.all([Container.get(B), Container.get(B), Effect.asVoid(C).pipe(Lifetime.within(Job, [C]))]).pipe(
            Effect.provide(running.context)
          )
          return yield* App.stop(running)
        }))
        expect(report.components.map(({ instances, lifetime, name, state }) => ({ name, lifetime, instances, state }))).toEqual([
          { name: "A", lifetime: undefined, instances: undefined, state: "released" },
          { name: "B", lifetime: "transient", instances: 3, state: "pending" },
          { name: "C", lifetime: "scoped(Job)", instances: 1, state: "pending" }
        ])
        expect(Report.format(report).split("\n").slice(1)).toEqual([
          "  component                      build",
          "  A                             0.00ms",
          "  B · transient (3 instances)        -",
          "  C · scoped(Job) (1 instance)       -"
        ])
        expect(Schema.decodeUnknownSync(Report.Report)(JSON.parse(JSON.stringify(Schema.encodeSync(Report.Report)(report))))).toEqual(report)
      }))
  })

  describe("hooks that declare their services", () => {
    class Logger extends Context.Tag("Logger")<Logger, { readonly log: (line: string) => Effect.Effect<void> }>() {}

    it.effect("a hook receives the services it declared; they start before its component and stop after it", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const registry = Registry.make(
          recorded(recorder, A),
          Component.succeed(Logger, { log: (line) => recorder.record(`log ${line}`) }).pipe(
            Lifecycle.onStart(() => recorder.record("start Logger")),
            Lifecycle.onStop(() => recorder.record("stop Logger"))
          ),
          recorded(recorder, B, [A]).pipe(
            Lifecycle.onStart((b) => Effect.flatMap(Logger, (logger) => logger.log(`started ${b}`)), { dependencies: [Logger] }),
            Lifecycle.onStop((b) => Effect.flatMap(Logger, (logger) => logger.log(`stopping ${b}`)), { dependencies: [Logger] }),
            Lifecycle.healthCheck(() => Effect.flatMap(Logger, (logger) => logger.log("checked")), { dependencies: [Logger] })
          )
        )
        yield* Effect.scoped(Effect.gen(function*() {
          const running = yield* App.start(App.make(registry, { roots: [B] }))
          expect((yield* App.health(running)).healthy).toBe(true)
          yield* App.stop(running)
        }))
        const log = yield* recorder.entries
        expect(log).toEqual([
          "build A",
          "build B",
          "start A",
          "start Logger",
          "start B",
          "log started B",
          "log checked",
          "stop B",
          "log stopping B",
          "stop Logger",
          "stop A",
          "release B",
          "release A"
        ])
      }))

    it.effect("a hook's service that no component provides is a resolution error with its path, before anything runs", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const registry = Registry.make(
          recorded(recorder, A).pipe(Lifecycle.onStop(() => Effect.asVoid(Logger), { dependencies: [Logger] }))
        )
        const error = yield* Effect.flip(App.run(App.make(registry, { roots: [A] })))
        expect(error._tag).toBe("ResolutionError")
        // the step is the hook's (the second onStop: the recorder's is the first), not the constructor's
        expect(error.message).toBe(
          "1 problem resolving the graph:\n" +
            "  - A -[onStop#2]-> Logger: no component provides Logger (available: A); register one, or declare it external if the program provides it"
        )
        expect(yield* recorder.entries).toEqual([])
      }))
  })

  describe("external requirements", () => {
    class Clock extends Context.Tag("platform/Clock")<Clock, { readonly now: () => number }>() {}
    /** A Clock at 7 that records its acquisition and its release. */
    const clockLive = (record: (entry: string) => Effect.Effect<void>) =>
      Layer.scoped(Clock, Effect.acquireRelease(Effect.as(record("+clock"), { now: () => 7 }), () => record("-clock")))

    it.effect("an App's external services come from App.provide's Layer: built before it, released after it", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const ClockLive = clockLive(recorder.record)
        const registry = Registry.make(
          Component.make(A, {
            dependencies: [Clock],
            build: Effect.acquireRelease(Effect.flatMap(Clock, (clock) => Effect.as(recorder.record(`+a ${clock.now()}`), "a")), () => recorder.record("-a"))
          }).pipe(Lifecycle.onStop(() => Effect.flatMap(Clock, (clock) => recorder.record(`stop ${clock.now()}`)), { dependencies: [Clock] }))
        )
        const app = App.make(registry, { roots: [A], external: [Clock] }).pipe(App.provide(ClockLive))
        yield* startStop(app)
        expect(yield* recorder.entries).toEqual(["+clock", "+a 7", "stop 7", "-a", "-clock"])
      }))

    it.effect("App.provide's Layer is released after the application also when the scope of App.start closes without App.stop", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const ClockLive = clockLive(recorder.record)
        const registry = Registry.make(
          Component.make(A, {
            dependencies: [Clock],
            build: Effect.acquireRelease(Effect.as(recorder.record("+a"), "a"), () => recorder.record("-a"))
          }).pipe(Lifecycle.onStop(() => Effect.flatMap(Clock, (clock) => recorder.record(`stop ${clock.now()}`)), { dependencies: [Clock] }))
        )
        yield* Effect.scoped(App.start(App.make(registry, { roots: [A], external: [Clock] }).pipe(App.provide(ClockLive))))
        expect(yield* recorder.entries).toEqual(["+clock", "+a", "stop 7", "-a", "-clock"])
      }))

    it.effect("without App.provide, the program provides them, as to any Effect", () =>
      Effect.gen(function*() {
        const registry = Registry.make(Component.make(A, { dependencies: [Clock], build: Effect.map(Clock, (clock) => `${clock.now()}`) }))
        const app = App.make(registry, { roots: [A], external: [Clock] })
        const a = yield* Effect.scoped(Effect.map(App.start(app), (running) => Context.get(running.context, A))).pipe(
          Effect.provideService(Clock, { now: () => 3 })
        )
        expect(a).toBe("3")
      }))
  })

  describe("the Application service", () => {
    it.effect("components reach the application they run in: its plan (startup components included), states, report, health and events", () =>
      Effect.gen(function*() {
        class Ops extends Context.Tag("Ops")<Ops, App.Application>() {}
        const registry = Registry.make(
          Component.succeed(A, "a").pipe(Lifecycle.healthCheck(() => Effect.void)),
          Component.succeed(B, "b").pipe(Lifecycle.startup(1)),
          Component.make(Ops, { dependencies: [A, App.Application], build: App.Application })
        )
        yield* Effect.scoped(Effect.gen(function*() {
          const running = yield* App.start(App.make(registry, { roots: [Ops] }))
          const ops = Context.get(running.context, Ops)
          expect(ops.plan.nodes.map((node) => node.name).sort()).toEqual(["A", "B", "Ops", "layerwise/App/Application"])
          expect(yield* ops.state).toBe("started")
          expect((yield* ops.phases)["B"]).toBe("started")
          expect((yield* ops.report).components.map((component) => component.name)).toEqual(
            ops.plan.nodes.map((node) => node.name).filter((name) => name !== "layerwise/App/Application")
          )
          expect((yield* ops.health).healthy).toBe(true)
          const events = yield* Effect.fork(
            Stream.runCollect(Stream.takeUntil(ops.events, (event) => event._tag === "StateChanged" && event.to === "stopped"))
          )
          yield* Effect.repeat(Effect.yieldNow(), { times: 20 })
          yield* App.stop(running)
          expect(Chunk.toReadonlyArray(yield* Fiber.join(events)).at(-1)).toEqual({ _tag: "StateChanged", from: "stopping", to: "stopped" })
        }))
      }))

    it.effect("App.plan is the plan run resolves, App's own services included, and builds nothing; a registry resolved by itself has no Application", () =>
      Effect.gen(function*() {
        let built = 0
        class Graph extends Context.Tag("Graph")<Graph, string>() {}
        const registry = Registry.make(
          Component.make(A, { build: Effect.sync(() => String(++built)) }),
          Component.succeed(B, "b").pipe(Lifecycle.startup(1)),
          Component.make(Graph, { dependencies: [A, App.Application], build: Effect.map(App.Application, (app) => app.plan.nodes.map((node) => node.name).join()) })
        )
        const app = App.make(registry, { roots: [Graph] })
        const plan = yield* App.plan(app)
        expect([plan.nodes.map((node) => node.name).sort(), built]).toEqual([["A", "B", "Graph", "layerwise/App/Application"], 0])
        const running = yield* App.start(app)
        expect(Context.get(running.context, Graph).split(",").sort()).toEqual(plan.nodes.map((node) => node.name).sort())
        expect(Either.isLeft(Resolver.resolve(registry, [Graph]))).toBe(true)
      }).pipe(Effect.scoped))

    it.effect("App.validate fails, building nothing, on what run fails with before it builds (an invalid timeout, a missing option, a resolution problem), where App.plan succeeds; else it gives the plan", () =>
      Effect.gen(function*() {
        let built = 0
        class Port extends Context.Tag("Port")<Port, number>() {}
        const PortOptions = Options.make("port", { value: Schema.NumberFromString })
        const registry = Registry.make(
          Component.make(A, { build: Effect.sync(() => String(++built)) }).pipe(Lifecycle.startup(), Lifecycle.timeouts({ start: -1 })),
          Component.make(Port, { dependencies: [PortOptions], build: Effect.map(PortOptions, (options) => (built++, options.value)) })
        )
        const timeout = App.make(registry)
        expect((yield* App.plan(timeout)).nodes.map((node) => node.name)).toEqual(["A"])
        expect(yield* Effect.flip(App.validate(timeout))).toEqual(new Errors.InvalidLifecycle({
          problems: [{ subject: "component A", reason: "its start timeout must be a finite, non-negative duration, got -1" }]
        }))
        const both = App.make(registry, { roots: [Port], startTimeout: -2 })
        expect((yield* Effect.flip(App.validate(both))).message).toBe(
          "2 invalid lifecycle settings:\n  - application: startTimeout must be a finite, non-negative duration, got -2\n  - component A: its start timeout must be a finite, non-negative duration, got -1"
        )
        const unread = App.make(Registry.make(registry.pipe(Registry.replace("A", Component.succeed(A, "a")))), { roots: [Port] })
        expect((yield* Effect.flip(App.validate(unread)))._tag).toBe("InvalidOptions")
        const given = yield* App.validate(unread).pipe(Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["port.value", "8080"]]))))
        expect([given.nodes.map((node) => node.name), built]).toEqual([["Port"], 0])
        expect((yield* Effect.flip(App.validate(App.make(Registry.make(Component.make(Port, { dependencies: [B], build: Effect.succeed(1) })), { roots: [Port] }))))._tag)
          .toBe("ResolutionError")
      }))

    it.effect("layerwise's own services a component requests are in the plan, not among the application's components: the report, Report.format, phases, phase, events and spans leave them out", () =>
      Effect.gen(function*() {
        class Web extends Context.Tag("Web")<Web, string>() {}
        const registry = Registry.make(
          Component.succeed(A, "a").pipe(Lifecycle.onStart(() => Effect.void)),
          Component.make(Web, {
            dependencies: [A, App.Health, App.Shutdowner, App.Application, Container.Container],
            build: Effect.succeed("web")
          }).pipe(Lifecycle.startup())
        )
        const own = ["layerwise/App/Health", "layerwise/App/Shutdowner", "layerwise/App/Application"]
        const recording = makeRecording()
        const app = App.make(registry, { startupLog: false })
        const events = yield* Effect.fork(Stream.runCollect(Stream.takeUntil(App.events(app), (event) => event._tag === "StateChanged" && event.to === "stopped")))
        yield* Effect.repeat(Effect.yieldNow(), { times: 20 })
        const [plan, phases, health, report] = yield* traced(
          recording,
          Effect.scoped(Effect.gen(function*() {
            const running = yield* App.start(app)
            const phases = yield* App.phases(running)
            const health = yield* Effect.all(own.map((name) => App.phase(running, name)))
            return [running.plan, phases, health, yield* App.stop(running)] as const
          }))
        )
        // the plan has them: the edges to them are Web's dependencies
        expect(plan.nodes.map((node) => node.name).sort()).toEqual(["A", "Web", ...own].sort())
        expect(phases).toEqual({ A: "started", Web: "started" })
        expect(health).toEqual([Option.none(), Option.none(), Option.none()])
        expect(report.components.map((component) => component.name)).toEqual(["A", "Web"])
        expect(Report.format(report).split("\n").slice(1)).toEqual([
          expect.stringMatching(/^  component +build +start +release$/),
          expect.stringMatching(/^  A +[0-9.]+ms +[0-9.]+ms +[0-9.]+ms$/),
          expect.stringMatching(/^  Web \(startup 0\) +[0-9.]+ms +- +[0-9.]+ms$/)
        ])
        expect(Report.format(report)).toMatch(/, 2 components$/m)
        const named = Chunk.toReadonlyArray(yield* Fiber.join(events)).flatMap((event) => event._tag === "StateChanged" ? [] : [event.component])
        expect([...new Set(named)].sort()).toEqual(["A", "Web"])
        expect([...new Set(recording.spans.flatMap((span) => {
          const component = span.attributes.get("layerwise.component")
          return component === undefined ? [] : [component]
        }))].sort()).toEqual(["A", "Web"])
      }))

    it.effect("a component of the user's own for App.Health is the user's, and listed", () =>
      Effect.gen(function*() {
        class Web extends Context.Tag("Web")<Web, string>() {}
        const registry = Registry.make(
          Component.succeed(App.Health, {
            check: Effect.succeed({ healthy: true, components: [] }),
            checkOf: () => Effect.succeed({ healthy: true, components: [] }),
            readiness: Effect.succeed({ ready: true, state: "started" as const, failing: [], report: { healthy: true, components: [] } })
          }).pipe(
            Component.named("my-health")
          ),
          Component.make(Web, { dependencies: [App.Health], build: Effect.succeed("web") }).pipe(Lifecycle.startup())
        )
        const report = yield* Effect.scoped(Effect.flatMap(App.start(App.make(registry, { startupLog: false })), App.stop))
        expect(report.components.map((component) => component.name)).toEqual(["my-health", "Web"])
      }))

    it.effect("outside an App the Application service dies, saying only an App provides it", () =>
      Effect.gen(function*() {
        const exit = yield* Effect.exit(Effect.provide(App.Application, Registry.toLayer(Registry.make(App.ApplicationLive), [App.Application])))
        expect(Exit.isFailure(exit) && Cause.pretty(exit.cause).includes("App.Application is only provided by an App")).toBe(true)
      }))
  })

  describe("health checks", () => {
    it.effect("reports each check by name: one that succeeds is healthy; failing, dying and throwing ones are unhealthy with their errors; it never fails", () =>
      Effect.gen(function*() {
        const registry = Registry.make(
          Component.succeed(A, "a").pipe(
            Lifecycle.healthCheck((service) => service === "a" ? Effect.void : Effect.fail("not its service"), { name: "sees its service" })
          ),
          Component.succeed(B, "b").pipe(
            Lifecycle.healthCheck(() => new Boom({ where: "B" }), { name: "fails" }),
            Lifecycle.healthCheck(() => Effect.dieMessage("broken"), { name: "dies" }),
            Lifecycle.healthCheck(() => {
              throw new Error("thrown")
            }, { name: "throws" }),
            Lifecycle.healthCheck(() => Effect.yieldNow(), { name: "suspends" })
          ),
          // without checks: not listed
          Component.succeed(C, "c")
        )
        const report = yield* Effect.scoped(Effect.flatMap(App.start(App.make(registry, { roots: [A, B, C] })), App.health))
        expect(report).toEqual({
          healthy: false,
          components: [
            { name: "A", status: "healthy", checks: [{ name: "sees its service", status: "healthy", duration: 0 }] },
            {
              name: "B",
              status: "unhealthy",
              checks: [
                { name: "fails", status: "unhealthy", duration: 0, error: "Boom { where: \"B\" }" },
                { name: "dies", status: "unhealthy", duration: 0, error: "RuntimeException: broken" },
                { name: "throws", status: "unhealthy", duration: 0, error: "Error: thrown" },
                { name: "suspends", status: "healthy", duration: 0 }
              ]
            }
          ]
        })
      }))

    it.effect("lists checks in declaration order, named healthCheck, healthCheck#2... or as given, however they end", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const registry = Registry.make(
          Component.succeed(A, "a").pipe(
            Lifecycle.healthCheck(() => Effect.zipRight(Effect.sleep("1 second"), recorder.record("first"))),
            Lifecycle.healthCheck(() => recorder.record("second")),
            Lifecycle.healthCheck(() => recorder.record("third"), { name: "last" })
          )
        )
        const report = yield* healthWhile(App.make(registry, { roots: [A] }), (running) => App.health(running), Effect.gen(function*() {
          yield* awaitEntries(recorder, 2)
          yield* TestClock.adjust("1 second")
        }))
        expect(yield* recorder.entries).toEqual(["second", "third", "first"])
        expect(report.components[0]!.checks).toEqual([
          { name: "healthCheck", status: "healthy", duration: 1000 },
          { name: "healthCheck#2", status: "healthy", duration: 0 },
          { name: "last", status: "healthy", duration: 0 }
        ])
      }))

    it.effect("a hung check that ignores interruption is reported as timed out by name at its timeout, while the others complete", () =>
      Effect.gen(function*() {
        const registry = Registry.make(
          Component.succeed(A, "a").pipe(
            Lifecycle.healthCheck(() => Effect.uninterruptible(Effect.never), { name: "hung", timeout: "2 seconds" }),
            Lifecycle.healthCheck(() => Effect.sleep("1 second"), { name: "slow" })
          ),
          Component.succeed(B, "b").pipe(Lifecycle.healthCheck(() => Effect.void, { name: "quick" }))
        )
        const report = yield* healthWhile(App.make(registry, { roots: [A, B] }), (running) => App.health(running), Effect.gen(function*() {
          // the hung check's timeout, the slow check's sleep and its timeout
          yield* awaitSleeps(3)
          yield* TestClock.adjust("2 seconds")
        }))
        expect(report).toEqual({
          healthy: false,
          components: [
            {
              name: "A",
              status: "unhealthy",
              checks: [
                { name: "hung", status: "timeout", duration: 2000, error: "did not complete within 2s" },
                { name: "slow", status: "healthy", duration: 1000 }
              ]
            },
            { name: "B", status: "healthy", checks: [{ name: "quick", status: "healthy", duration: 0 }] }
          ]
        })
      }))

    it.effect("a check's timeout is its own, else its component's health timeout, else the application's healthTimeout, 5 seconds by default", () =>
      Effect.gen(function*() {
        const registry = Registry.make(
          Component.succeed(A, "a").pipe(
            Lifecycle.healthCheck(() => Effect.never, { name: "own", timeout: "1 second" }),
            Lifecycle.healthCheck(() => Effect.never, { name: "component's" }),
            Lifecycle.timeouts({ health: "2 seconds" })
          ),
          Component.succeed(B, "b").pipe(Lifecycle.healthCheck(() => Effect.never, { name: "application's" }))
        )
        const durations = (options: App.Options) =>
          Effect.scoped(Effect.gen(function*() {
            const running = yield* App.start(App.make(registry, { ...options, roots: [A, B] }))
            const fiber = yield* Effect.fork(App.health(running))
            yield* awaitSleeps(3)
            yield* TestClock.adjust("1 hour")
            const report = yield* Fiber.join(fiber)
            return report.components.flatMap((component) => component.checks.map((check) => `${check.name} ${check.status} ${check.duration}`))
          }))
        expect(yield* durations({ healthTimeout: "3 seconds" })).toEqual([
          "own timeout 1000",
          "component's timeout 2000",
          "application's timeout 3000"
        ])
        expect(yield* durations({})).toEqual(["own timeout 1000", "component's timeout 2000", "application's timeout 5000"])
      }))

    it.effect("with concurrency 1 no two checks overlap; unbounded (the default) they all run at once", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const check = (name: string) => () =>
          Effect.zipRight(recorder.record(`begin ${name}`), Effect.zipRight(Effect.sleep("1 second"), recorder.record(`end ${name}`)))
        const registry = Registry.make(
          Component.succeed(A, "a").pipe(Lifecycle.healthCheck(check("a1")), Lifecycle.healthCheck(check("a2"))),
          Component.succeed(B, "b").pipe(Lifecycle.healthCheck(check("b")))
        )
        const report = yield* Effect.scoped(Effect.gen(function*() {
          const running = yield* App.start(App.make(registry, { roots: [A, B] }))
          const fiber = yield* Effect.fork(App.health(running, { concurrency: 1 }))
          for (const count of [1, 3, 5]) {
            yield* awaitEntries(recorder, count)
            yield* TestClock.adjust("1 second")
          }
          const report = yield* Fiber.join(fiber)
          expect(yield* recorder.entries).toEqual(["begin a1", "end a1", "begin a2", "end a2", "begin b", "end b"])
          yield* Ref.set(recorder.log, [])
          const unbounded = yield* Effect.fork(App.health(running))
          yield* awaitEntries(recorder, 3)
          yield* TestClock.adjust("1 second")
          yield* Fiber.join(unbounded)
          const entries = yield* recorder.entries
          expect(entries.slice(0, 3)).toEqual(["begin a1", "begin a2", "begin b"])
          // ended together: in any order
          expect(entries.slice(3).sort()).toEqual(["end a1", "end a2", "end b"])
          return report
        }))
        // each check's duration is its own run, not its wait for a turn
        expect(report.components.flatMap((component) => component.checks.map((check) => check.duration))).toEqual([1000, 1000, 1000])
      }))

    it.effect("the App.Health service checks from inside the application; during the startup it does not wait: what has not started is not-running", () =>
      Effect.gen(function*() {
        class Monitor extends Context.Tag("Monitor")<Monitor, App.Health>() {}
        const seen = yield* Deferred.make<Health.Report>()
        const registry = Registry.make(
          Component.succeed(A, "a").pipe(Lifecycle.healthCheck(() => Effect.void, { name: "ping" })),
          Component.make(Monitor, { dependencies: [A, App.Health], build: App.Health }).pipe(
            Lifecycle.onStart((health) => Effect.flatMap(health.check, (report) => Deferred.succeed(seen, report))),
            Lifecycle.healthCheck(() => Effect.void, { name: "self" })
          ),
          Component.make(B, { dependencies: [Monitor], build: Effect.succeed("b") }).pipe(
            Lifecycle.healthCheck(() => Effect.void, { name: "ready" })
          )
        )
        const [started, stopped] = yield* Effect.scoped(Effect.gen(function*() {
          const running = yield* App.start(App.make(registry, { roots: [B] }))
          const started = yield* App.health(running)
          yield* App.stop(running)
          return [started, yield* App.health(running)] as const
        }))
        expect(yield* Deferred.await(seen)).toEqual({
          healthy: false,
          components: [
            { name: "A", status: "healthy", checks: [{ name: "ping", status: "healthy", duration: 0 }] },
            { name: "Monitor", status: "not-running", checks: [] },
            { name: "B", status: "not-running", checks: [] }
          ]
        })
        expect(started).toEqual({
          healthy: true,
          components: [
            { name: "A", status: "healthy", checks: [{ name: "ping", status: "healthy", duration: 0 }] },
            { name: "Monitor", status: "healthy", checks: [{ name: "self", status: "healthy", duration: 0 }] },
            { name: "B", status: "healthy", checks: [{ name: "ready", status: "healthy", duration: 0 }] }
          ]
        })
        expect(stopped.healthy).toBe(false)
        expect(stopped.components.map((component) => component.status)).toEqual(["not-running", "not-running", "not-running"])
      }))

    it.effect("a check that checks its own application's health is unhealthy, saying why, instead of running itself again without end", () =>
      Effect.gen(function*() {
        class Monitor extends Context.Tag("Monitor")<Monitor, App.Health>() {}
        const registry = Registry.make(
          Component.make(Monitor, { dependencies: [App.Health], build: App.Health }).pipe(
            Lifecycle.healthCheck((health) => health.check, { name: "everything" })
          )
        )
        const report = yield* Effect.scoped(Effect.flatMap(App.start(App.make(registry, { roots: [Monitor] })), App.health))
        expect(report.components).toEqual([{
          name: "Monitor",
          status: "unhealthy",
          checks: [{
            name: "everything",
            status: "unhealthy",
            duration: 0,
            error:
              "RuntimeException: layerwise App.health: a health check cannot check the health of its own application (it would run itself again, without end)"
          }]
        }])
      }))

    it.effect("outside an App the App.Health service dies, saying only an App provides it", () =>
      Effect.gen(function*() {
        const plan = Resolver.resolve(Registry.make(App.HealthLive), [App.Health])
        if (Either.isLeft(plan)) return yield* Effect.die(plan.left)
        const exit = yield* Effect.exit(Effect.provide(App.Health, Plan.toLayer(plan.right)))
        expect(Exit.isFailure(exit) && Cause.pretty(exit.cause)).toContain(
          "App.Health is only provided by an App (App.run, App.start, App.layer)"
        )
      }))

    it.effect("checks see the component's service and the application's FiberRefs, as stop hooks do", () =>
      Effect.gen(function*() {
        const Ref = FiberRef.unsafeMake("unset")
        const registry = Registry.make(
          Component.fromLayer(A, {
            layer: Layer.effect(A, Effect.as(Effect.yieldNow(), "a")).pipe(Layer.provideMerge(Layer.locallyScoped(Ref, "set by A")))
          }),
          Component.succeed(B, "b").pipe(
            Lifecycle.healthCheck((service) =>
              Effect.flatMap(FiberRef.get(Ref), (value) => value === "set by A" && service === "b" ? Effect.void : Effect.fail(value))
            )
          )
        )
        const report = yield* Effect.scoped(Effect.flatMap(App.start(App.make(registry, { roots: [A, B] })), App.health))
        expect(report.healthy).toBe(true)
      }))

    it.effect("negative or non-finite health timeouts, a check that is not a function and a bad healthConcurrency fail with InvalidLifecycle", () =>
      Effect.gen(function*() {
        const registry = Registry.make(
          Component.succeed(A, "a").pipe(
            Lifecycle.healthCheck(() => Effect.void, { name: "ping", timeout: -1 }),
            Lifecycle.healthCheck("not a function" as never, { name: "broken" }),
            Lifecycle.timeouts({ health: "-5 seconds" })
          )
        )
        const error = yield* Effect.flip(startStop(App.make(registry, { roots: [A], healthTimeout: Number.NaN, healthConcurrency: 0 })))
        expect((error as Errors.InvalidLifecycle).problems).toEqual([
          { subject: "application", reason: "healthTimeout must be a finite, non-negative duration, got NaN" },
          { subject: "application", reason: "healthConcurrency must be \"unbounded\" or at least 1, got 0" },
          { subject: "component A", reason: "the timeout of its health check ping must be a finite, non-negative duration, got -1" },
          { subject: "component A", reason: "its health check broken is not a function" },
          { subject: "component A", reason: "its health timeout must be a finite, non-negative duration, got -5 seconds" }
        ])
      }))

    it.effect("App.health with a concurrency that is not \"unbounded\" or at least 1 is a defect", () =>
      Effect.gen(function*() {
        const exit = yield* Effect.scoped(
          Effect.flatMap(App.start(App.make(Registry.empty)), (running) => Effect.exit(App.health(running, { concurrency: 0 })))
        )
        expect(Exit.isFailure(exit) && Cause.pretty(exit.cause)).toContain(
          "layerwise App.health: concurrency must be \"unbounded\" or at least 1, got 0"
        )
      }))

    /** A, released on record, with a check that takes a second (an hour's timeout) and records its end or interruption. */
    const slowlyChecked = (recorder: Effect.Effect.Success<typeof makeRecorder>) =>
      Component.make(A, {
        build: Effect.acquireRelease(Effect.succeed("a"), () => recorder.record("release A"))
      }).pipe(
        Lifecycle.healthCheck(() =>
          Effect.zipRight(Effect.sleep("1 second"), recorder.record("check ends")).pipe(
            Effect.onInterrupt(() => recorder.record("check interrupted"))
          ), { name: "connected", timeout: "1 hour" })
      )

    it.scoped("a check in flight when the application begins to stop is interrupted and its component listed as not running, where it went on with the service the stop released and was reported healthy", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const registry = Registry.make(slowlyChecked(recorder))
        const running = yield* App.start(App.make(registry, { roots: [A] }))
        const caller = yield* Effect.fork(App.health(running))
        yield* awaitSleeps(2) // the check's sleep and its timeout
        yield* App.stop(running)
        yield* TestClock.adjust("1 second")
        expect(yield* recorder.entries).toEqual(["check interrupted", "release A"])
        expect(yield* Fiber.join(caller)).toEqual({ healthy: false, components: [{ name: "A", status: "not-running", checks: [] }] })
      }))

    it.scoped("a check in flight when its component is shut down is interrupted before the component is released, and the component listed as not running", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const registry = Registry.make(slowlyChecked(recorder))
        const running = yield* App.start(App.make(registry, { roots: [A, Container.Container] }))
        const caller = yield* Effect.fork(App.health(running))
        yield* awaitSleeps(2) // the check's sleep and its timeout
        yield* Effect.provide(Container.shutDown("A"), running.context)
        yield* TestClock.adjust("1 second")
        expect(yield* recorder.entries).toEqual(["check interrupted", "release A"])
        expect(yield* Fiber.join(caller)).toEqual({ healthy: false, components: [{ name: "A", status: "not-running", checks: [] }] })
      }))

    it.scoped("a check in flight of a child container's component when the child closes is interrupted before the component is released, and the component listed as not running", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const TenantA = slowlyChecked(recorder)
        const running = yield* App.start(App.make(Registry.make(Component.succeed(B, "b")), { roots: [B, Container.Container] }))
        const own = yield* Scope.make()
        const tenant = yield* Container.child("tenant-a", [TenantA]).pipe(Effect.provide(running.context), Scope.extend(own))
        yield* Container.getFrom(tenant, A)
        const caller = yield* Effect.fork(App.health(running))
        yield* awaitSleeps(2) // the check's sleep and its timeout
        yield* Scope.close(own, Exit.void)
        yield* TestClock.adjust("1 second")
        expect(yield* recorder.entries).toEqual(["check interrupted", "release A"])
        expect(yield* Fiber.join(caller)).toEqual({ healthy: false, components: [{ name: "tenant-a/A", status: "not-running", checks: [] }] })
      }))

    describe("some components only (App.healthOf)", () => {
      it.effect("lists only the components named or requested, in plan order, each once; the report is healthy when they are", () =>
        Effect.gen(function*() {
          class Plugin extends Context.Tag("Plugin")<Plugin, string>() {}
          const registry = Registry.make(
            Component.succeed(A, "a").pipe(Lifecycle.healthCheck(() => Effect.void, { name: "ping" })),
            Component.succeed(B, "b").pipe(Lifecycle.healthCheck(() => Effect.fail("down"), { name: "ping" })),
            Component.succeed(Plugin, "csv").pipe(Component.named("csv"), Lifecycle.healthCheck(() => Effect.void, { name: "loaded" })),
            Component.succeed(Plugin, "json").pipe(Component.named("json"), Lifecycle.healthCheck(() => Effect.void, { name: "loaded" })),
            // started, but declares no checks
            Component.succeed(C, "c")
          )
          const [byTag, plugins, unchecked] = yield* Effect.scoped(Effect.gen(function*() {
            const running = yield* App.start(App.make(registry, { roots: [A, B, C, Dependency.all(Plugin)] }))
            return [
              yield* App.healthOf(running, ["json", A, "A"]),
              yield* App.healthOf(running, [Dependency.all(Plugin)]),
              yield* App.healthOf(running, [C, B])
            ] as const
          }))
          expect(byTag).toEqual({
            healthy: true,
            components: [
              { name: "A", status: "healthy", checks: [{ name: "ping", status: "healthy", duration: 0 }] },
              { name: "json", status: "healthy", checks: [{ name: "loaded", status: "healthy", duration: 0 }] }
            ]
          })
          expect(plugins).toEqual({
            healthy: true,
            components: [
              { name: "csv", status: "healthy", checks: [{ name: "loaded", status: "healthy", duration: 0 }] },
              { name: "json", status: "healthy", checks: [{ name: "loaded", status: "healthy", duration: 0 }] }
            ]
          })
          expect(unchecked).toEqual({
            healthy: false,
            components: [
              { name: "B", status: "unhealthy", checks: [{ name: "ping", status: "unhealthy", duration: 0, error: "down" }] },
              { name: "C", status: "healthy", checks: [] }
            ]
          })
        }))

      it.effect("an alias, by request or by name, is checked as what it answers with: the aliased component's checks", () =>
        Effect.gen(function*() {
          class Postgres extends Context.Tag("Postgres")<Postgres, string>() {}
          const registry = Registry.make(
            Component.succeed(Postgres, "pg").pipe(Lifecycle.healthCheck(() => Effect.fail("down"), { name: "ping" })),
            Component.alias(A, Postgres),
            Component.alias(B, A).pipe(Component.named("db"))
          )
          const [byRequest, byName] = yield* Effect.scoped(Effect.gen(function*() {
            const running = yield* App.start(App.make(registry, { roots: [A, B] }))
            return [yield* App.healthOf(running, [A]), yield* App.healthOf(running, ["db", Postgres])] as const
          }))
          const postgres = { name: "Postgres", status: "unhealthy", checks: [{ name: "ping", status: "unhealthy", duration: 0, error: "down" }] }
          expect(byRequest).toEqual({ healthy: false, components: [postgres] })
          expect(byName).toEqual({ healthy: false, components: [postgres] })
        }))

      it.effect("a component with nothing to start (a transient, a singleton only a lazy handle reaches, built or not) is healthy once the application started", () =>
        Effect.gen(function*() {
          const registry = Registry.make(
            Component.succeed(A, "a").pipe(Lifetime.transient),
            Component.succeed(B, "b"),
            Component.succeed(C, "c").pipe(Component.named("Cache")),
            Component.make(D, {
              dependencies: [A, Dependency.lazy(B), Dependency.lazy(C)],
              build: Effect.flatMap(Dependency.lazy(C), (cache) => Effect.as(cache, "d"))
            })
          )
          const report = yield* Effect.scoped(Effect.gen(function*() {
            const running = yield* App.start(App.make(registry, { roots: [D] }))
            return yield* App.healthOf(running, [A, B, "Cache", D])
          }))
          expect(report).toEqual({
            healthy: true,
            components: [
              { name: "A", status: "healthy", checks: [] },
              { name: "B", status: "healthy", checks: [] },
              { name: "Cache", status: "healthy", checks: [] },
              { name: "D", status: "healthy", checks: [] }
            ]
          })
        }))

      it.effect("a name or request the application has no component for fails with UnknownComponent before any check runs (a service's key suggests its components); an empty list is a defect", () =>
        Effect.gen(function*() {
          const recorder = yield* makeRecorder
          const registry = Registry.make(
            Component.succeed(A, "a").pipe(Component.named("Database"), Lifecycle.healthCheck(() => recorder.record("checked")))
          )
          const [byName, byKey, byTag, empty] = yield* Effect.scoped(Effect.gen(function*() {
            const running = yield* App.start(App.make(registry, { roots: [A] }))
            return [
              yield* Effect.flip(App.healthOf(running, ["Database", "Databse"])),
              yield* Effect.flip(App.healthOf(running, ["A"])),
              yield* Effect.flip(App.healthOf(running, [B])),
              yield* Effect.exit(App.healthOf(running, []))
            ] as const
          }))
          expect(byName).toEqual(new Errors.UnknownComponent({ name: "Databse", suggestions: ["Database"] }))
          expect(byName.message).toBe("no component is named Databse (did you mean Database?)")
          // a service's key given as a name: the components of that service are suggested
          expect(byKey).toEqual(new Errors.UnknownComponent({ name: "A", suggestions: ["Database"] }))
          expect(byTag).toEqual(new Errors.UnknownComponent({ name: "B", suggestions: [] }))
          expect(yield* recorder.entries).toEqual([])
          expect(Exit.isFailure(empty) && Cause.pretty(empty.cause)).toContain(
            "layerwise App.healthOf: no component to check (the selection is empty)"
          )
        }))

      it.scoped("a registered component no root reaches and no lookup built says why it is not there, as Explain does, in App.healthOf and Container.shutDown alike", () =>
        Effect.gen(function*() {
          const registry = Registry.make(Component.succeed(A, "a"), Component.succeed(B, "b"))
          const running = yield* App.start(App.make(registry, { roots: [A, Container.Container], startupLog: false }))
          const byName = yield* Effect.flip(App.healthOf(running, ["B"]))
          const byTag = yield* Effect.flip(App.healthOf(running, [B]))
          const shutDown = yield* Effect.flip(Effect.provide(Container.shutDown("B"), running.context))
          const explainedOf = (which: string | typeof B) => {
            const explained = Explain.component(running.plan, which)
            return Either.isLeft(explained) ? explained.left.message : "explained"
          }
          expect(explainedOf("B")).toBe("B is not in the plan: nothing requests it (no root, nor a dependency of a component in the plan)")
          expect([byName.message, byTag.message, shutDown.message]).toEqual([explainedOf("B"), explainedOf(B), explainedOf("B")])
        }))

      it.effect("with concurrency 1 the selected components' checks run one at a time; the others' never begin", () =>
        Effect.gen(function*() {
          const recorder = yield* makeRecorder
          const check = (name: string) => () =>
            Effect.zipRight(recorder.record(`begin ${name}`), Effect.zipRight(Effect.sleep("1 second"), recorder.record(`end ${name}`)))
          const registry = Registry.make(
            Component.succeed(A, "a").pipe(Lifecycle.healthCheck(check("a1")), Lifecycle.healthCheck(check("a2"))),
            Component.succeed(B, "b").pipe(Lifecycle.healthCheck(check("b"))),
            Component.succeed(C, "c").pipe(Lifecycle.healthCheck(check("c")))
          )
          const report = yield* healthWhile(App.make(registry, { roots: [A, B, C] }), (running) => App.healthOf(running, [C, A], { concurrency: 1 }), Effect.gen(function*() {
            for (const count of [1, 3, 5]) {
              yield* awaitEntries(recorder, count)
              yield* TestClock.adjust("1 second")
            }
          }))
          expect(yield* recorder.entries).toEqual(["begin a1", "end a1", "begin a2", "end a2", "begin c", "end c"])
          expect(report).toEqual({
            healthy: true,
            components: [
              {
                name: "A",
                status: "healthy",
                checks: [{ name: "healthCheck", status: "healthy", duration: 1000 }, { name: "healthCheck#2", status: "healthy", duration: 1000 }]
              },
              { name: "C", status: "healthy", checks: [{ name: "healthCheck", status: "healthy", duration: 1000 }] }
            ]
          })
        }))

      it.effect("the App.Health service's checkOf checks some components from inside the application", () =>
        Effect.gen(function*() {
          class Monitor extends Context.Tag("Monitor")<Monitor, App.Health>() {}
          const registry = Registry.make(
            Component.succeed(A, "a").pipe(Lifecycle.healthCheck(() => Effect.void, { name: "ping" })),
            Component.succeed(B, "b").pipe(Lifecycle.healthCheck(() => Effect.fail("down"), { name: "ping" })),
            Component.make(Monitor, { dependencies: [App.Health], build: App.Health })
          )
          const [report, unknown] = yield* Effect.scoped(Effect.gen(function*() {
            const running = yield* App.start(App.make(registry, { roots: [A, B, Monitor] }))
            const monitor = running.context.pipe(Context.get(Monitor))
            return [yield* monitor.checkOf([A]), yield* Effect.flip(monitor.checkOf(["Z"]))] as const
          }))
          expect(report).toEqual({
            healthy: true,
            components: [{ name: "A", status: "healthy", checks: [{ name: "ping", status: "healthy", duration: 0 }] }]
          })
          expect(unknown._tag).toBe("UnknownComponent")
        }))
    })

    describe("an overall timeout", () => {
      it.effect("when it expires, the checks still running (one ignoring interruption too) are timed out saying so; the others keep their results; the report comes at once", () =>
        Effect.gen(function*() {
          const registry = Registry.make(
            Component.succeed(A, "a").pipe(
              Lifecycle.healthCheck(() => Effect.void, { name: "quick" }),
              Lifecycle.healthCheck(() => Effect.sleep("1 second"), { name: "slow" }),
              Lifecycle.healthCheck(() => Effect.sleep("3 seconds"), { name: "slower" })
            ),
            Component.succeed(B, "b").pipe(
              Lifecycle.healthCheck(() => Effect.uninterruptible(Effect.never), { name: "hung", timeout: "10 seconds" })
            )
          )
          const report = yield* healthWhile(App.make(registry, { roots: [A, B] }), (running) => App.health(running, { timeout: "2 seconds" }), Effect.gen(function*() {
            // the slow and slower checks' sleeps, the checks' own timeouts (3), the overall timeout
            yield* awaitSleeps(6)
            yield* TestClock.adjust("2 seconds")
          }))
          expect(report).toEqual({
            healthy: false,
            components: [
              {
                name: "A",
                status: "unhealthy",
                checks: [
                  { name: "quick", status: "healthy", duration: 0 },
                  { name: "slow", status: "healthy", duration: 1000 },
                  { name: "slower", status: "timeout", duration: 2000, error: "did not complete within the overall health timeout of 2s" }
                ]
              },
              {
                name: "B",
                status: "unhealthy",
                checks: [{ name: "hung", status: "timeout", duration: 2000, error: "did not complete within the overall health timeout of 2s" }]
              }
            ]
          })
        }))

      it.effect("checks still waiting for their turn when it expires are timed out too, as not begun", () =>
        Effect.gen(function*() {
          const check = () => Effect.sleep("1 second")
          const registry = Registry.make(
            Component.succeed(A, "a").pipe(Lifecycle.healthCheck(check, { name: "first" }), Lifecycle.healthCheck(check, { name: "second" })),
            Component.succeed(B, "b").pipe(Lifecycle.healthCheck(check, { name: "third" }))
          )
          const report = yield* healthWhile(App.make(registry, { roots: [A, B] }), (running) => App.healthOf(running, [A, B], { concurrency: 1, timeout: "1.5 seconds" }), Effect.gen(function*() {
            yield* awaitSleeps(3)
            yield* TestClock.adjust("1 second")
            yield* awaitSleeps(3)
            yield* TestClock.adjust("500 millis")
          }))
          expect(report.components.flatMap((component) => component.checks)).toEqual([
            { name: "first", status: "healthy", duration: 1000 },
            { name: "second", status: "timeout", duration: 500, error: "did not complete within the overall health timeout of 1s 500ms" },
            { name: "third", status: "timeout", duration: 0, error: "did not begin within the overall health timeout of 1s 500ms" }
          ])
        }))

      it.effect("the application's healthOverallTimeout bounds App.health and App.Health's check; a timeout option overrides it", () =>
        Effect.gen(function*() {
          class Monitor extends Context.Tag("Monitor")<Monitor, App.Health>() {}
          const registry = Registry.make(
            Component.succeed(A, "a").pipe(Lifecycle.healthCheck(() => Effect.never, { name: "hung" })),
            Component.make(Monitor, { dependencies: [App.Health], build: App.Health })
          )
          const durationOf = (run: Effect.Effect<Health.Report>) =>
            Effect.gen(function*() {
              const fiber = yield* Effect.fork(run)
              // the check's own timeout (5 s by default), the overall one
              yield* awaitSleeps(2)
              yield* TestClock.adjust("1 hour")
              const report = yield* Fiber.join(fiber)
              return report.components.flatMap((component) => component.checks.map((check) => `${check.duration} ${check.error}`))
            })
          const durations = yield* Effect.scoped(Effect.gen(function*() {
            const running = yield* App.start(App.make(registry, { roots: [A, Monitor], healthOverallTimeout: "2 seconds" }))
            const monitor = running.context.pipe(Context.get(Monitor))
            return [
              yield* durationOf(App.health(running)),
              yield* durationOf(monitor.check),
              yield* durationOf(App.health(running, { timeout: "3 seconds" }))
            ]
          }))
          expect(durations).toEqual([
            ["2000 did not complete within the overall health timeout of 2s"],
            ["2000 did not complete within the overall health timeout of 2s"],
            ["3000 did not complete within the overall health timeout of 3s"]
          ])
        }))

      it.effect("a bad healthOverallTimeout fails with InvalidLifecycle; a bad timeout option is a defect", () =>
        Effect.gen(function*() {
          const registry = Registry.make(Component.succeed(A, "a").pipe(Lifecycle.healthCheck(() => Effect.void)))
          const error = yield* Effect.flip(startStop(App.make(registry, { roots: [A], healthOverallTimeout: "-1 seconds" })))
          expect((error as Errors.InvalidLifecycle).problems).toEqual([
            { subject: "application", reason: "healthOverallTimeout must be a finite, non-negative duration, got -1 seconds" }
          ])
          const exit = yield* Effect.scoped(
            Effect.flatMap(App.start(App.make(registry, { roots: [A] })), (running) => Effect.exit(App.health(running, { timeout: Number.POSITIVE_INFINITY })))
          )
          expect(Exit.isFailure(exit) && Cause.pretty(exit.cause)).toContain(
            "layerwise App.health: timeout must be a finite, non-negative duration, got Infinity"
          )
        }))
    })
  })

  describe("health of child containers", () => {
    const pinged = Component.succeed(A, "a").pipe(Lifecycle.healthCheck(() => Effect.void, { name: "ping" }))
    /** An application of A (a check, healthy) and B (none), the container as a root, started in the test's scope. */
    const startWithContainer = (options?: Partial<App.Options>) =>
      Effect.map(App.start(App.make(Registry.make(pinged, Component.succeed(B, "app b")), { roots: [A, B, Container.Container, App.Health], ...options })), (running) => ({
        running,
        root: Context.get(running.context, Container.Container),
        open: (parent: Container.Container, name: string, components: ReadonlyArray<Component.Any>) =>
          Effect.provideService(Container.child(name, components), Container.Container, parent)
      }))
    const healthyA = { name: "A", status: "healthy", checks: [{ name: "ping", status: "healthy", duration: 0 }] }
    const healthyIn = (name: string, check = "healthCheck") => ({ name, status: "healthy", checks: [{ name: check, status: "healthy", duration: 0 }] })
    const namesOf = (report: Health.Report) => report.components.map((component) => component.name)

    it.scoped("a component only a run-time lookup of the application's container reached is checked once built, by its name, and can be named, and through a container", () =>
      Effect.gen(function*() {
        // C is registered but no root reaches it: not in the plan, built by the first lookup
        const registry = Registry.make(
          pinged,
          Component.succeed(B, "app b"),
          Component.succeed(C, "c").pipe(Lifecycle.healthCheck(() => new Boom({ where: "looked up" }), { name: "ping" }))
        )
        const running = yield* App.start(App.make(registry, { roots: [A, B, Container.Container] }))
        expect(namesOf(yield* App.health(running))).toEqual(["A"])
        yield* Effect.provide(Container.get(C), running.context)
        const unhealthyC = {
          name: "C",
          status: "unhealthy",
          checks: [{ name: "ping", status: "unhealthy", duration: 0, error: "Boom { where: \"looked up\" }" }]
        }
        expect(yield* App.health(running)).toEqual({ healthy: false, components: [healthyA, unhealthyC] })
        expect(yield* App.healthOf(running, ["C"])).toEqual({ healthy: false, components: [unhealthyC] })
        // by its tag too, as a name and Container.shutDownIn find it
        expect(yield* App.healthOf(running, [C])).toEqual({ healthy: false, components: [unhealthyC] })
        // the root container's own: what it sees, and what a child sees of its ancestors (samber/do's Scope.HealthCheck)
        const root = Context.get(running.context, Container.Container)
        expect(yield* App.healthOf(running, [root])).toEqual({ healthy: false, components: [healthyA, unhealthyC] })
        const tenant = yield* Effect.provideService(Container.child("tenant-a", []), Container.Container, root)
        expect(yield* App.healthOf(running, [tenant])).toEqual({ healthy: false, components: [healthyA, unhealthyC] })
      }))

    it.scoped("the application's report runs the checks of what its children and grandchildren built, named by path as Container.shutDown names them; a failing one makes it unhealthy; one not built is not listed", () =>
      Effect.gen(function*() {
        const { open, root, running } = yield* startWithContainer()
        const tenant = yield* open(root, "tenant-a", [
          // a child's own component that overrides its parent's is `B (override)`, as Container.shutDown names it; its check sees its own service
          Component.succeed(B, "tenant b").pipe(
            Lifecycle.healthCheck((b) => b === "tenant b" ? new Boom({ where: "tenant-a" }) : Effect.void, { name: "ping" })
          ),
          // never looked up: not built by the health check, not listed
          Component.succeed(C, "c").pipe(Lifecycle.healthCheck(() => Effect.dieMessage("must not run")))
        ])
        yield* Container.getFrom(tenant, B)
        const deep = yield* open(tenant, "deep", [
          Component.make(D, { dependencies: [B], build: Effect.map(B, (b) => `d of ${b}`) }).pipe(
            Lifecycle.healthCheck((d) => d === "d of tenant b" ? Effect.void : Effect.fail(d))
          )
        ])
        yield* Container.getFrom(deep, D)
        const report = yield* App.health(running)
        expect(report).toEqual({
          healthy: false,
          components: [
            healthyA,
            {
              name: "tenant-a/B (override)",
              status: "unhealthy",
              checks: [{ name: "ping", status: "unhealthy", duration: 0, error: "Boom { where: \"tenant-a\" }" }]
            },
            healthyIn("tenant-a/deep/D")
          ]
        })
        // the App.Health service reports the same
        expect(yield* Effect.flatMap(App.Health, (health) => health.check).pipe(Effect.provide(running.context))).toEqual(report)
        // shut down, with what depends on it: no longer listed
        expect(yield* Container.shutDownIn(tenant, "B")).toEqual(["deep/D", "B (override)"])
        expect(yield* App.health(running)).toEqual({ healthy: true, components: [healthyA] })
      }))

    it.scoped("a child's component shut down is no longer listed, nor is any of a child closed", () =>
      Effect.gen(function*() {
        const { open, root, running } = yield* startWithContainer()
        const checked = (tag: Context.Tag<any, string>) => Component.succeed(tag, tag.key).pipe(Lifecycle.healthCheck(() => Effect.void))
        const scope = yield* Scope.make()
        const tenant = yield* Scope.extend(open(root, "tenant-a", [checked(B), checked(C)]), scope)
        const other = yield* open(root, "tenant-b", [checked(B)])
        yield* Container.getFrom(tenant, B)
        yield* Container.getFrom(tenant, C)
        yield* Container.getFrom(other, B)
        expect(namesOf(yield* App.health(running))).toEqual(["A", "tenant-a/B (override)", "tenant-a/C", "tenant-b/B (override)"])
        expect(yield* Container.shutDownIn(tenant, "C")).toEqual(["C"])
        expect(namesOf(yield* App.health(running))).toEqual(["A", "tenant-a/B (override)", "tenant-b/B (override)"])
        // a child's own component its parent has none of keeps its name (`C`); shut down and named, it is there to see, not running
        expect(yield* App.healthOf(running, ["tenant-a/C"])).toEqual({ healthy: false, components: [{ name: "tenant-a/C", status: "not-running", checks: [] }] })
        yield* Scope.close(scope, Exit.void)
        expect(yield* App.health(running)).toEqual({ healthy: true, components: [healthyA, healthyIn("tenant-b/B (override)")] })
        // a closed child adds none of its own to what it sees, and its components are no longer found by path
        expect(namesOf(yield* App.healthOf(running, [tenant]))).toEqual(["A"])
        expect(yield* Effect.flip(App.healthOf(running, ["tenant-a/B"]))).toMatchObject({ _tag: "UnknownComponent", name: "tenant-a/B" })
      }))

    it.scoped("App.healthOf of a container checks what it sees: its components and its ancestors', never a sibling's or a descendant's; a child's component is named by its path", () =>
      Effect.gen(function*() {
        const { open, root, running } = yield* startWithContainer()
        const checked = (tag: Context.Tag<any, string>, name: string) =>
          Component.succeed(tag, name).pipe(Lifecycle.healthCheck((service) => service === name ? Effect.void : Effect.fail(service)))
        const tenantA = yield* open(root, "tenant-a", [checked(C, "a's C")])
        const deep = yield* open(tenantA, "deep", [checked(D, "deep D")])
        class Store extends Context.Tag("app/Store")<Store, string>() {}
        const tenantB = yield* open(root, "tenant-b", [checked(C, "b's C"), checked(Store, "store")])
        yield* Container.getFrom(tenantA, C)
        yield* Container.getFrom(deep, D)
        yield* Container.getFrom(tenantB, C)
        yield* Container.getFrom(tenantB, Store)
        expect(yield* App.healthOf(running, [tenantA])).toEqual({ healthy: true, components: [healthyA, healthyIn("tenant-a/C")] })
        const fromDeep = yield* App.healthOf(running, [deep])
        expect(fromDeep).toEqual({ healthy: true, components: [healthyA, healthyIn("tenant-a/C"), healthyIn("tenant-a/deep/D")] })
        expect(yield* Effect.flatMap(App.Health, (health) => health.checkOf([deep])).pipe(Effect.provide(running.context))).toEqual(fromDeep)
        // the root container sees the application's components alone
        expect(yield* App.healthOf(running, [root])).toEqual({ healthy: true, components: [healthyA] })
        // names and paths together: the application's first, then the children's, each once
        expect(yield* App.healthOf(running, ["tenant-b/C", B, tenantB])).toEqual({
          healthy: true,
          components: [healthyA, { name: "B", status: "healthy", checks: [] }, healthyIn("tenant-b/C"), healthyIn("tenant-b/app/Store")]
        })
        // a name with a slash of its own (a tag's key)
        expect(yield* App.healthOf(running, ["tenant-b/app/Store"])).toEqual({ healthy: true, components: [healthyIn("tenant-b/app/Store")] })
        expect(yield* Effect.flip(App.healthOf(running, ["tenant-b/D"]))).toMatchObject({ _tag: "UnknownComponent", name: "tenant-b/D" })
        // another application's container is a defect
        const other = yield* App.start(App.make(Registry.make(Component.succeed(C, "c")), { roots: [C, Container.Container] }))
        const exit = yield* Effect.exit(App.healthOf(running, [Context.get(other.context, Container.Container)]))
        expect(Exit.isFailure(exit) && Cause.pretty(exit.cause)).toContain("layerwise App.healthOf: the container is not one of this application's")
      }))

    it.scoped("a child's check gets the services it declared, as its component's constructor got them: its child's, its ancestors', a handle", () =>
      Effect.gen(function*() {
        const { open, root, running } = yield* startWithContainer()
        const seen: Array<string> = []
        const tenant = yield* open(root, "tenant-a", [Component.succeed(B, "tenant b")])
        const deep = yield* open(tenant, "deep", [
          Component.make(D, { dependencies: [A, B, Dependency.lazy(B)], build: Effect.succeed("d") }).pipe(
            Lifecycle.healthCheck(() =>
              Effect.gen(function*() {
                const lazy = yield* Dependency.lazy(B)
                seen.push(`${yield* A} ${yield* B} ${yield* lazy}`)
              }), { dependencies: [A, B, Dependency.lazy(B)] })
          ),
          Component.make(C, { dependencies: [A, B], build: Effect.succeed("c") }).pipe(
            Lifecycle.healthCheck(() => Effect.flatMap(Effect.all([A, B]), ([a, b]) => Effect.sync(() => seen.push(`${a} ${b}`))), {
              dependencies: [A, B]
            })
          )
        ])
        yield* Container.getFrom(deep, D)
        yield* Container.getFrom(deep, C)
        expect(yield* App.health(running)).toEqual({
          healthy: true,
          components: [healthyA, healthyIn("tenant-a/deep/D"), healthyIn("tenant-a/deep/C")]
        })
        expect(seen).toEqual(["a tenant b tenant b", "a tenant b"])
      }))

    it.scoped("a child's check runs within the application's health timeout and is reported timed out by path", () =>
      Effect.gen(function*() {
        const { open, root, running } = yield* startWithContainer({ healthTimeout: "2 seconds" })
        const tenant = yield* open(root, "tenant-a", [
          Component.succeed(B, "b").pipe(Lifecycle.healthCheck(() => Effect.never, { name: "hung" }))
        ])
        yield* Container.getFrom(tenant, B)
        const fiber = yield* Effect.fork(App.health(running))
        yield* awaitSleeps(1)
        yield* TestClock.adjust("2 seconds")
        expect(yield* Fiber.join(fiber)).toEqual({
          healthy: false,
          components: [
            healthyA,
            { name: "tenant-a/B (override)", status: "unhealthy", checks: [{ name: "hung", status: "timeout", duration: 2000, error: "did not complete within 2s" }] }
          ]
        })
      }))
  })

  describe("the lifecycle of child containers", () => {
    /** The application of A, its container as a root, started in the test's scope; `open` opens a child of it in `scope`. */
    const startForChildren = (recorder: Recorder, logger?: Logger.Logger<unknown, void>) =>
      Effect.map(App.start(App.make(Registry.make(recorded(recorder, A)), { roots: [A, Container.Container] })).pipe(
        Effect.provide(logger === undefined ? Layer.empty : Logger.replace(Logger.defaultLogger, logger))
      ), (running) => ({
        running,
        open: (name: string, components: ReadonlyArray<Component.Any>) =>
          Effect.provideService(Container.child(name, components), Container.Container, Context.get(running.context, Container.Container))
      }))

    /** A hook's effect that records `entry`, then signals `reached` and waits for `gate`. */
    const gatedHook = (recorder: Recorder, entry: string) =>
      Effect.gen(function*() {
        const [reached, gate] = [yield* Deferred.make<void>(), yield* Deferred.make<void>()]
        return { reached, gate, run: Effect.zipRight(recorder.record(entry), Effect.zipRight(Deferred.succeed(reached, undefined), Deferred.await(gate))) }
      })

    it.scoped("opening a child builds and starts its own components that take part in the lifecycle, in startup order, each after what it depends on; closing it stops them, dependents first, before their release; the others wait for a lookup", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const { open } = yield* startForChildren(recorder)
        const scope = yield* Scope.make()
        yield* Scope.extend(
          open("tenant-a", [
            // D first (startup 1), built after B, which it depends on and which starts first; C (startup 2) then
            recorded(recorder, B).pipe(Lifecycle.initializer(() => recorder.record("initialize B"))),
            recorded(recorder, C).pipe(Lifecycle.startup(2)),
            recorded(recorder, D, [B]).pipe(Lifecycle.startup(1), Lifecycle.disposer(() => recorder.record("dispose D"))),
            // no lifecycle: built on first need only
            Component.succeed(Context.GenericTag<string>("E"), "e").pipe(Lifecycle.initializer(() => recorder.record("initialize E")))
          ]),
          scope
        )
        expect(yield* recorder.entries).toEqual(["build A", "start A", "build B", "initialize B", "start B", "build D", "start D", "build C", "start C"])
        yield* Scope.close(scope, Exit.void)
        expect((yield* recorder.entries).slice(9)).toEqual(["stop C", "release C", "stop D", "dispose D", "release D", "stop B", "release B"])
      }))

    it.scoped("a child's own component's background work runs while the child is open, is asked to finish as it closes, before its stop hooks; work that fails is logged by path and ends nothing", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const logged: Array<string> = []
        const logger = Logger.make(({ cause, logLevel, message }) => {
          if (logLevel._tag === "Error") logged.push(`${(message as ReadonlyArray<unknown>).map(String).join(" | ")} | ${Cause.pretty(cause).split("\n")[0]}`)
        })
        const { open, running } = yield* startForChildren(recorder, logger)
        const scope = yield* Scope.make()
        yield* Scope.extend(
          open("tenant-a", [
            recorded(recorder, B).pipe(
              Lifecycle.background((b, shutdown) =>
                Effect.zipRight(recorder.record(`consuming ${b}`), Effect.zipRight(shutdown.requested, recorder.record("drained B"))), { onShutdown: "signal" })
            ),
            recorded(recorder, C, [], { start: false, stop: false }).pipe(Lifecycle.background(() => Effect.fail(new Boom({ where: "tenant-a consumer" }))))
          ]),
          scope
        )
        yield* awaitEntries(recorder, 6)
        expect(yield* recorder.entries).toEqual(["build A", "start A", "build B", "start B", "consuming B", "build C"])
        for (let i = 0; i < 100 && logged.length === 0; i++) yield* Effect.yieldNow()
        expect(logged).toEqual([
          "layerwise: in child container tenant-a, C: background work of C failed: Boom { where: \"tenant-a consumer\" } | Boom: An error has occurred"
        ])
        expect(yield* App.state(running)).toBe("started")
        yield* Scope.close(scope, Exit.void)
        expect((yield* recorder.entries).slice(6)).toEqual(["release C", "drained B", "stop B", "release B"])
      }))

    it.scoped("a start that fails fails the opening with the hook's error and closes the child at once: what started stops, what was built is released, and its name is free again", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const { open } = yield* startForChildren(recorder)
        const failing = recorded(recorder, C, [B], { stop: true }).pipe(Lifecycle.onStart(() => new Boom({ where: "tenant start" })))
        const error = failureOf(yield* Effect.exit(open("tenant-a", [recorded(recorder, B), failing])))
        expect(error.message).toBe("C: start hook #2 of C failed: Boom { where: \"tenant start\" }")
        expect((yield* recorder.entries).slice(2)).toEqual(["build B", "start B", "build C", "start C", "release C", "stop B", "release B"])
        const again = yield* open("tenant-a", [])
        expect(Container.path(again)).toEqual(["tenant-a"])
      }))

    it.scoped("an opening interrupted while the close that follows its failed start runs still releases everything the child built, and frees its name", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const { open } = yield* startForChildren(recorder)
        const { gate, reached: stopping, run: stopB } = yield* gatedHook(recorder, "stop B")
        const slowStop = recorded(recorder, B, [], { start: true, stop: false }).pipe(Lifecycle.onStop(() => stopB))
        const failing = recorded(recorder, C, [B], { stop: true }).pipe(Lifecycle.onStart(() => new Boom({ where: "tenant start" })))
        const scope = yield* Scope.make()
        const opening = yield* Effect.fork(Scope.extend(open("tenant-a", [slowStop, failing]), scope))
        yield* Deferred.await(stopping)
        yield* Fiber.interruptFork(opening)
        for (let step = 0; step < 10; step++) yield* Effect.yieldNow()
        yield* Deferred.succeed(gate, undefined)
        yield* Fiber.await(opening)
        yield* Scope.close(scope, Exit.void)
        expect((yield* recorder.entries).slice(2)).toEqual(["build B", "start B", "build C", "start C", "release C", "stop B", "release B"])
        expect(Container.path(yield* open("tenant-a", []))).toEqual(["tenant-a"])
      }))

    it.scoped("an opening interrupted as an own component's initializer completes disposes that component before its release", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const { open } = yield* startForChildren(recorder)
        let opening: Fiber.RuntimeFiber<Container.Container, unknown> | undefined
        // the interruption reaches the opening once the initializer completed
        const initB = Effect.zipRight(recorder.record("initialize B"), Effect.sync(() => runtime.interruptFiber(opening!)))
        const slowInit = recorded(recorder, B).pipe(Lifecycle.initializer(() => initB), Lifecycle.disposer(() => recorder.record("dispose B")))
        const scope = yield* Scope.make()
        opening = yield* Effect.fork(Scope.extend(open("tenant-a", [slowInit]), scope))
        expect(Exit.isInterrupted(yield* Fiber.await(opening))).toBe(true)
        yield* Scope.close(scope, Exit.void)
        expect((yield* recorder.entries).slice(2)).toEqual(["build B", "initialize B", "dispose B", "release B"])
        expect(Container.path(yield* open("tenant-a", []))).toEqual(["tenant-a"])
      }))

    it.scoped("an opening interrupted as an own component's start hook completes stops that component before its release", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const { open } = yield* startForChildren(recorder)
        let opening: Fiber.RuntimeFiber<Container.Container, unknown> | undefined
        const startB = Effect.zipRight(recorder.record("start B"), Effect.sync(() => runtime.interruptFiber(opening!)))
        const slowStart = recorded(recorder, B, [], { start: false, stop: true }).pipe(Lifecycle.onStart(() => startB))
        const scope = yield* Scope.make()
        opening = yield* Effect.fork(Scope.extend(open("tenant-a", [slowStart]), scope))
        expect(Exit.isInterrupted(yield* Fiber.await(opening))).toBe(true)
        yield* Scope.close(scope, Exit.void)
        expect((yield* recorder.entries).slice(2)).toEqual(["build B", "start B", "stop B", "release B"])
      }))

    it.scoped("a failing disposer of an own component whose build an interrupted opening gave up on is logged with its path, where no caller is left to fail", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const logged: Array<string> = []
        const logger = Logger.make(({ cause, logLevel, message }) => {
          if (logLevel._tag === "Error") logged.push(`${(message as ReadonlyArray<unknown>).map(String).join(" | ")} | ${Cause.pretty(cause).split("\n")[0]}`)
        })
        const { open } = yield* startForChildren(recorder)
        let opening: Fiber.RuntimeFiber<Container.Container, unknown> | undefined
        const failingDisposer = recorded(recorder, B).pipe(
          Lifecycle.initializer(() => Effect.zipRight(recorder.record("initialize B"), Effect.sync(() => runtime.interruptFiber(opening!)))),
          Lifecycle.disposer(() => Effect.zipRight(recorder.record("dispose B"), new Boom({ where: "dispose B" })))
        )
        const scope = yield* Scope.make()
        // the opening's fiber logs it (its caller's logger)
        opening = yield* Effect.fork(Scope.extend(open("tenant-a", [failingDisposer]), scope).pipe(Effect.provide(Logger.replace(Logger.defaultLogger, logger))))
        const opened = yield* Fiber.await(opening)
        expect(Exit.isFailure(opened) && Cause.isInterruptedOnly(opened.cause)).toBe(true)
        yield* Scope.close(scope, Exit.void)
        expect((yield* recorder.entries).slice(2)).toEqual(["build B", "initialize B", "dispose B", "release B"])
        expect(logged).toEqual([
          "in child container tenant-a, B: releasing B failed: HookFailed: B: disposer of B failed: Boom { where: \"dispose B\" } | HookFailed: B: disposer of B failed: Boom { where: \"dispose B\" }"
        ])
      }))

    it.scoped("an opening interrupted while an own component's initializer runs interrupts it and waits for its end before the release: what it began is undone first, and nothing is disposed", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const { open } = yield* startForChildren(recorder)
        const { reached: initializing, run: initB } = yield* gatedHook(recorder, "initialize B")
        const slowInit = recorded(recorder, B).pipe(
          Lifecycle.initializer(() => Effect.onInterrupt(initB, () => recorder.record("initialize B interrupted"))),
          Lifecycle.disposer(() => recorder.record("dispose B"))
        )
        const scope = yield* Scope.make()
        const opening = yield* Effect.fork(Scope.extend(open("tenant-a", [slowInit]), scope))
        yield* Deferred.await(initializing)
        expect(Exit.isInterrupted(yield* Fiber.interrupt(opening))).toBe(true)
        yield* Scope.close(scope, Exit.void)
        expect((yield* recorder.entries).slice(2)).toEqual(["build B", "initialize B", "initialize B interrupted", "release B"])
      }))

    it.scoped("the application's stop stops its children's started components first, last started first, then its own; their release follows in the release phase", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const scope = yield* Scope.make()
        const { open, running } = yield* Scope.extend(startForChildren(recorder), scope)
        yield* Scope.extend(open("tenant-a", [recorded(recorder, B, [A])]), scope)
        yield* Scope.extend(open("tenant-b", [recorded(recorder, C, [A])]), scope)
        const report = yield* App.stop(running)
        expect(report.success).toBe(true)
        const entries = yield* recorder.entries
        expect(entries.slice(2, 9)).toEqual(["build B", "start B", "build C", "start C", "stop C", "stop B", "stop A"])
        // the children close concurrently, before the application's components are released
        expect([[...entries.slice(9, 11)].sort(), entries[11]]).toEqual([["release B", "release C"], "release A"])
        yield* Scope.close(scope, Exit.void)
      }))

    it.scoped("background work that does not end within the grace timeout of being asked to, nor within the stop timeout of its interruption, fails the child's release, naming it", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const running = yield* App.start(App.make(Registry.make(recorded(recorder, A)), { roots: [A, Container.Container], graceTimeout: "1 second", stopTimeout: "2 seconds" }))
        const scope = yield* Scope.make()
        yield* Scope.extend(
          Effect.provide(Container.child("tenant-a", [
            recorded(recorder, B).pipe(Lifecycle.background(() => Effect.uninterruptible(Effect.never), { onShutdown: "signal" }))
          ]), running.context),
          scope
        )
        const closing = yield* Effect.fork(Effect.exit(Scope.close(scope, Exit.void)))
        yield* awaitSleeps(1)
        yield* TestClock.adjust("1 second")
        yield* awaitSleeps(1)
        yield* TestClock.adjust("2 seconds")
        const exit = yield* Fiber.join(closing)
        const released = Exit.isFailure(exit) ? Cause.dieOption(exit.cause) : Option.none()
        expect(Option.map(released, (error) => (error as Error).message)).toEqual(Option.some(
          "B: releasing B failed: HookFailed: B: background work of B failed: Error: did not end within 1s of being asked to, nor within 2s of its interruption"
        ))
        expect((yield* recorder.entries).slice(2)).toEqual(["build B", "start B", "stop B", "release B"])
      }))

    it.scoped("shutting down a child's started component stops it before its release, once: the child's close later stops it no more", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const { open } = yield* startForChildren(recorder)
        const scope = yield* Scope.make()
        const tenant = yield* Scope.extend(open("tenant-a", [recorded(recorder, B), recorded(recorder, C, [B])]), scope)
        expect(yield* Container.shutDownIn(tenant, "B")).toEqual(["C", "B"])
        yield* Scope.close(scope, Exit.void)
        expect((yield* recorder.entries).slice(2)).toEqual(["build B", "start B", "build C", "start C", "stop C", "release C", "stop B", "release B"])
      }))

    /** B, recorded, whose constructor signals `started` then waits for `gate` before it records its build. */
    const gatedB = (recorder: Recorder, started: Deferred.Deferred<void>, gate: Deferred.Deferred<void>) =>
      Component.make(B, {
        build: Effect.zipRight(
          Effect.zipRight(Deferred.succeed(started, undefined), Deferred.await(gate)),
          Effect.acquireRelease(Effect.as(recorder.record("build B"), "B"), () => recorder.record("release B"))
        )
      }).pipe(Lifecycle.onStart(() => recorder.record("start B")), Lifecycle.onStop(() => recorder.record("stop B")))

    it.scoped("an own component whose build is in flight as the child's close begins is not started: it is released, and the opening fails with ContainerClosed", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const { open } = yield* startForChildren(recorder)
        const [started, gate] = [yield* Deferred.make<void>(), yield* Deferred.make<void>()]
        const scope = yield* Scope.make()
        const opening = yield* Effect.fork(Effect.exit(Scope.extend(open("tenant-a", [gatedB(recorder, started, gate)]), scope)))
        yield* Deferred.await(started)
        const closing = yield* Effect.fork(Scope.close(scope, Exit.void))
        for (let step = 0; step < 10; step++) yield* Effect.yieldNow()
        yield* Deferred.succeed(gate, undefined)
        const opened = yield* Fiber.join(opening)
        yield* Fiber.join(closing)
        expect(opened).toEqual(Exit.fail(new Errors.ContainerClosed({ container: ["tenant-a"], operation: "get" })))
        expect(yield* recorder.entries).toEqual(["build A", "start A", "build B", "release B"])
      }))

    it.scoped("an own component whose build is in flight as the application's stop begins is not started: it is released before the application's components, and the opening fails with ContainerClosed saying the application is stopping", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const { open, running } = yield* startForChildren(recorder)
        const [started, gate] = [yield* Deferred.make<void>(), yield* Deferred.make<void>()]
        const scope = yield* Scope.make()
        const opening = yield* Effect.fork(Effect.exit(Scope.extend(open("tenant-a", [gatedB(recorder, started, gate)]), scope)))
        yield* Deferred.await(started)
        const stopping = yield* Effect.fork(App.stop(running))
        for (let step = 0; step < 10; step++) yield* Effect.yieldNow()
        yield* Deferred.succeed(gate, undefined)
        const opened = yield* Fiber.join(opening)
        const report = yield* Fiber.join(stopping)
        const error = new Errors.ContainerClosed({ container: ["tenant-a"], operation: "get", stopping: true })
        expect(opened).toEqual(Exit.fail(error))
        expect(error.message).toBe("the application is stopping: get is not possible in the container tenant-a")
        expect(report.success).toBe(true)
        expect(yield* recorder.entries).toEqual(["build A", "start A", "stop A", "build B", "release B", "release A"])
        yield* Scope.close(scope, Exit.void)
      }))

    it.scoped("the application's stop that begins while an own component's start hook runs waits for it, then stops that component before the application's components", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const { open, running } = yield* startForChildren(recorder)
        const { gate, reached: started, run: startB } = yield* gatedHook(recorder, "start B")
        const slowStart = recorded(recorder, B, [A], { start: false, stop: true }).pipe(Lifecycle.onStart(() => startB))
        const scope = yield* Scope.make()
        const opening = yield* Effect.fork(Effect.exit(Scope.extend(open("tenant-a", [slowStart]), scope)))
        yield* Deferred.await(started)
        const stopping = yield* Effect.fork(App.stop(running))
        for (let step = 0; step < 10; step++) yield* Effect.yieldNow()
        yield* Deferred.succeed(gate, undefined)
        yield* Fiber.join(opening)
        expect((yield* Fiber.join(stopping)).success).toBe(true)
        expect(yield* recorder.entries).toEqual(["build A", "start A", "build B", "start B", "stop B", "stop A", "release B", "release A"])
        yield* Scope.close(scope, Exit.void)
      }))

    it.scoped("the application's stop that begins while a child's close stops an own component waits for that stop before stopping the application's components", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const { open, running } = yield* startForChildren(recorder)
        const { gate, reached: stopping, run: stopB } = yield* gatedHook(recorder, "stop B")
        const slowStop = recorded(recorder, B, [A], { start: true, stop: false }).pipe(
          Lifecycle.onStop(() => Effect.zipRight(stopB, recorder.record("stopped B")))
        )
        const scope = yield* Scope.make()
        yield* Scope.extend(open("tenant-a", [slowStop]), scope)
        const closing = yield* Effect.fork(Scope.close(scope, Exit.void))
        yield* Deferred.await(stopping)
        const stopped = yield* Effect.fork(App.stop(running))
        for (let step = 0; step < 10; step++) yield* Effect.yieldNow()
        yield* Deferred.succeed(gate, undefined)
        yield* Fiber.join(closing)
        expect((yield* Fiber.join(stopped)).success).toBe(true)
        expect(yield* recorder.entries).toEqual(["build A", "start A", "build B", "start B", "stop B", "stopped B", "release B", "stop A", "release A"])
      }))

    it.scoped("a registered component no root reaches, with start and stop hooks, starts when a lookup first builds it and stops as the application's stop begins, before the application's components", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const scope = yield* Scope.make()
        const running = yield* Scope.extend(App.start(App.make(Registry.make(recorded(recorder, A), recorded(recorder, B)), { roots: [A, Container.Container] })), scope)
        expect(yield* recorder.entries).toEqual(["build A", "start A"])
        expect(yield* Effect.provide(Container.get(B), running.context)).toBe("B")
        expect(yield* recorder.entries).toEqual(["build A", "start A", "build B", "start B"])
        yield* Scope.close(scope, Exit.void)
        expect((yield* recorder.entries).slice(4)).toEqual(["stop B", "stop A", "release B", "release A"])
      }))

    /** B, recorded, whose first initializer run interrupts `caller()` (its caller, once it completed) and whose disposer is recorded. */
    const interruptingInit = (recorder: Recorder, caller: () => Fiber.RuntimeFiber<unknown, unknown>) => {
      let runs = 0
      return recorded(recorder, B, [], { start: false, stop: false }).pipe(
        Lifecycle.initializer(() =>
          Effect.zipRight(recorder.record("initialize B"), Effect.sync(() => runs++ === 0 && runtime.interruptFiber(caller())))
        ),
        Lifecycle.disposer(() => recorder.record("dispose B"))
      )
    }

    it.scoped("a lookup's own component whose initializer completes as the lookup is interrupted is disposed before its release, at once", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        let lookup: Fiber.RuntimeFiber<string, unknown> | undefined
        const scope = yield* Scope.make()
        const running = yield* Scope.extend(App.start(App.make(Registry.make(recorded(recorder, A), interruptingInit(recorder, () => lookup!)), { roots: [A, Container.Container] })), scope)
        lookup = yield* Effect.fork(Effect.provide(Container.get(B), running.context))
        expect(Exit.isInterrupted(yield* Fiber.await(lookup))).toBe(true)
        yield* Scope.close(scope, Exit.void)
        expect(yield* recorder.entries).toEqual(["build A", "start A", "build B", "initialize B", "dispose B", "release B", "stop A", "release A"])
      }))

    it.scoped("the application's singleton built by a lazy handle, whose initializer completes as the handle's use is interrupted, is disposed before its release, at once, and built again by the next use", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        let use: Fiber.RuntimeFiber<string, unknown> | undefined
        const holder = Component.make(D, { dependencies: [Dependency.lazy(B)], build: Effect.succeed("d") })
        const scope = yield* Scope.make()
        const running = yield* Scope.extend(App.start(App.make(Registry.make(holder, interruptingInit(recorder, () => use!)), { roots: [D, Container.Container] })), scope)
        const lazyB = Effect.provide(Effect.flatten(Container.get(Dependency.lazy(B))), running.context)
        use = yield* Effect.fork(lazyB)
        expect(Exit.isInterrupted(yield* Fiber.await(use))).toBe(true)
        expect(yield* lazyB).toBe("B")
        yield* Scope.close(scope, Exit.void)
        expect(yield* recorder.entries).toEqual(["build B", "initialize B", "dispose B", "release B", "build B", "initialize B", "dispose B", "release B"])
      }))
    /**
     * An application (A; a start timeout of 2 seconds) running in `scope`, and `lookup`: a forked
     * lookup of B, a component no root reaches, whose initializer never ends and ignores its interruption.
     */
    const lookupOfStuckInitializer = Effect.gen(function*() {
      const recorder = yield* makeRecorder
      const stuck = recorded(recorder, B, [], { start: false, stop: false }).pipe(
        Lifecycle.initializer(() => Effect.zipRight(recorder.record("initialize B"), Effect.uninterruptible(Effect.never)))
      )
      const scope = yield* Scope.make()
      const running = yield* Scope.extend(App.start(App.make(Registry.make(recorded(recorder, A), stuck), { roots: [A, Container.Container], startTimeout: "2 seconds" })), scope)
      const lookup = yield* Effect.forkDaemon(Effect.provide(Container.get(B), running.context))
      return { recorder, scope, lookup }
    })
    it.scoped("a lookup's own component whose initializer never ends and ignores its interruption fails the lookup at the start timeout: the hook is not waited for", () =>
      Effect.gen(function*() {
        // Regression: the hook's fiber was a child of the lookup's, which waited at its end for its
        // children: the lookup never ended, nor did the application's release after it
        const { recorder, scope, lookup } = yield* lookupOfStuckInitializer
        yield* TestClock.adjust("2 seconds")
        for (let step = 0; step < 20; step++) yield* Effect.yieldNow()
        const exit = Option.getOrUndefined(yield* Fiber.poll(lookup))
        const error = exit !== undefined && Exit.isFailure(exit) ? Cause.squash(exit.cause) as Errors.ConstructionError : undefined
        expect([error?._tag, (error?.cause as { readonly _tag: string } | undefined)?._tag]).toEqual(["ConstructionError", "HookTimeout"])
        const closing = yield* Effect.forkDaemon(Scope.close(scope, Exit.void))
        for (let step = 0; step < 20; step++) yield* Effect.yieldNow()
        expect(Option.isSome(yield* Fiber.poll(closing))).toBe(true)
        expect(yield* recorder.entries).toEqual(["build A", "start A", "build B", "initialize B", "release B", "stop A", "release A"])
      }))
    it.scoped("a lookup interrupted while its own component's initializer never ends and ignores its interruption ends within what is left of the start timeout", () =>
      Effect.gen(function*() {
        // Regression: the wait for the interrupted hook's end, bounded by what is left of its timeout,
        // could not itself be cut off (it ran where nothing can be interrupted): the lookup never ended
        const { recorder, scope, lookup } = yield* lookupOfStuckInitializer
        yield* TestClock.adjust("1 second")
        yield* Effect.forkDaemon(Fiber.interrupt(lookup))
        for (let step = 0; step < 20; step++) yield* Effect.yieldNow()
        expect(Option.isNone(yield* Fiber.poll(lookup))).toBe(true)
        yield* TestClock.adjust("1 second")
        for (let step = 0; step < 20; step++) yield* Effect.yieldNow()
        expect(Option.map(yield* Fiber.poll(lookup), Exit.isInterrupted)).toEqual(Option.some(true))
        yield* Scope.close(scope, Exit.void)
        expect(yield* recorder.entries).toEqual(["build A", "start A", "build B", "initialize B", "release B", "stop A", "release A"])
      }))
    it.scoped("a lookup's own component whose disposer never ends and ignores its interruption is released at its stop timeout: its constructor's finalizers run, the failure is told", () =>
      Effect.gen(function*() {
        // Regression: the disposer's timeout waited for its interruption to take effect: the release
        // held there until the application's release timeout, and B's finalizers never ran
        const recorder = yield* makeRecorder
        const stuck = recorded(recorder, B, [], { start: false, stop: false }).pipe(
          Lifecycle.disposer(() => Effect.zipRight(recorder.record("dispose B"), Effect.uninterruptible(Effect.never)))
        )
        const scope = yield* Scope.make()
        const running = yield* Scope.extend(App.start(App.make(Registry.make(recorded(recorder, A), stuck), { roots: [A, Container.Container], stopTimeout: "2 seconds" })), scope)
        expect(yield* Effect.provide(Container.get(B), running.context)).toBe("B")
        const closing = yield* Effect.forkDaemon(Effect.exit(Scope.close(scope, Exit.void)))
        for (let step = 0; step < 20; step++) yield* Effect.yieldNow()
        yield* TestClock.adjust("2 seconds")
        for (let step = 0; step < 20; step++) yield* Effect.yieldNow()
        expect(Option.isSome(yield* Fiber.poll(closing))).toBe(true)
        expect(yield* recorder.entries).toEqual(["build A", "start A", "build B", "stop A", "dispose B", "release B", "release A"])
      }))
  })

  describe("readiness (App.Health's readiness)", () => {
    /** The App.Health of a running application. */
    const healthOf = <R>(running: App.Running<R>) => Context.get(running.context as unknown as Context.Context<App.Health>, App.Health)
    const notReady = (state: App.State): Health.Readiness => ({ ready: false, state, failing: [], report: { healthy: true, components: [] } })

    it.scoped("ready once started while every check that counts for readiness is healthy; a failing one is named <component>/<check>; checks that do not count are not run", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const up = yield* Ref.make(true)
        const registry = Registry.make(
          Component.succeed(A, "broker").pipe(
            Lifecycle.healthCheck(() => Effect.flatMap(Ref.get(up), (isUp) => isUp ? recorder.record("connected") : new Boom({ where: "broker" })), {
              name: "connected",
              readiness: true
            }),
            Lifecycle.healthCheck(() => recorder.record("A's liveness-only check"), { name: "queue depth" })
          ),
          Component.succeed(B, "b").pipe(Lifecycle.healthCheck(() => recorder.record("B's check"), { name: "ping" }))
        )
        const running = yield* App.start(App.make(registry, { roots: [A, B, App.Health, App.Application] }))
        const health = healthOf(running)
        expect(yield* health.readiness).toEqual({
          ready: true,
          state: "started",
          failing: [],
          report: { healthy: true, components: [{ name: "A", status: "healthy", checks: [{ name: "connected", status: "healthy", duration: 0, readiness: true }] }] }
        })
        yield* Ref.set(up, false)
        expect(yield* health.readiness).toEqual({
          ready: false,
          state: "started",
          failing: ["A/connected"],
          report: {
            healthy: false,
            components: [{ name: "A", status: "unhealthy", checks: [{ name: "connected", status: "unhealthy", duration: 0, error: "Boom { where: \"broker\" }", readiness: true }] }]
          }
        })
        expect(yield* recorder.entries).toEqual(["connected"])
        // the health report marks the check that counts for readiness, and only it
        expect((yield* App.health(running)).components.map((component) => component.checks.map(({ duration: _, ...check }) => check))).toEqual([
          [{ name: "connected", status: "unhealthy", error: "Boom { where: \"broker\" }", readiness: true }, { name: "queue depth", status: "healthy" }],
          [{ name: "ping", status: "healthy" }]
        ])
        // App.Application's readiness is the same
        const application = Context.get(running.context, App.Application)
        expect((yield* application.readiness).failing).toEqual(["A/connected"])
      }))

    it.effect("an application with no check that counts is ready once started: readiness is the lifecycle's", () =>
      Effect.gen(function*() {
        const registry = Registry.make(Component.succeed(A, "a").pipe(Lifecycle.healthCheck(() => new Boom({ where: "A" }))))
        const answer = yield* Effect.scoped(Effect.flatMap(App.start(App.make(registry, { roots: [A, App.Health] })), (running) => healthOf(running).readiness))
        expect(answer).toEqual({ ready: true, state: "started", failing: [], report: { healthy: true, components: [] } })
      }))

    it.effect("during the startup and from the shutdown on it is not ready and no check runs (a start hook and a stop hook ask)", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const seen: Array<Health.Readiness> = []
        const ask = (health: App.Health) => Effect.map(health.readiness, (readiness) => void seen.push(readiness))
        const registry = Registry.make(
          Component.succeed(A, "a").pipe(Lifecycle.healthCheck(() => recorder.record("check"), { readiness: true })),
          Component.make(B, { dependencies: [A, App.Health], build: Effect.as(App.Health, "b") }).pipe(
            Lifecycle.onStart(() => Effect.flatMap(App.Health, ask), { dependencies: [App.Health] }),
            Lifecycle.onStop(() => Effect.flatMap(App.Health, ask), { dependencies: [App.Health] })
          )
        )
        yield* startStop(App.make(registry, { roots: [B] }))
        expect(seen).toEqual([notReady("starting"), notReady("stopping")])
        expect(yield* recorder.entries).toEqual([])
      }))

    it.effect("a hung readiness check makes the application not ready at its timeout, reported timed out; another caller then starts a new run", () =>
      Effect.gen(function*() {
        const registry = Registry.make(
          Component.succeed(A, "a").pipe(Lifecycle.healthCheck(() => Effect.uninterruptible(Effect.never), { name: "connected", timeout: "2 seconds", readiness: true }))
        )
        const readiness = yield* healthWhile(
          App.make(registry, { roots: [A, App.Health] }),
          (running) => healthOf(running).readiness,
          Effect.gen(function*() {
            yield* awaitSleeps(1)
            yield* TestClock.adjust("2 seconds")
          })
        )
        expect(readiness).toEqual({
          ready: false,
          state: "started",
          failing: ["A/connected"],
          report: {
            healthy: false,
            components: [{ name: "A", status: "unhealthy", checks: [{ name: "connected", status: "timeout", duration: 2000, error: "did not complete within 2s", readiness: true }] }]
          }
        })
      }))

    it.scoped("concurrent callers share one run in flight and get its answer; a caller after it ended starts the next run (no cache)", () =>
      Effect.gen(function*() {
        const runs = yield* Ref.make(0)
        const registry = Registry.make(
          Component.succeed(A, "a").pipe(
            Lifecycle.healthCheck(() => Effect.zipRight(Ref.update(runs, (n) => n + 1), Effect.sleep("1 second")), { name: "connected", readiness: true })
          )
        )
        const health = healthOf((yield* App.start(App.make(registry, { roots: [A, App.Health] }))))
        const callers = yield* Effect.forEach([1, 2, 3], () => Effect.fork(health.readiness))
        // the check's sleep and its timeout: one run
        yield* awaitSleeps(2)
        yield* TestClock.adjust("1 second")
        const answers = yield* Effect.forEach(callers, Fiber.join)
        expect(answers.map((answer) => answer.report.components[0]!.checks)).toEqual(
          [1, 2, 3].map(() => [{ name: "connected", status: "healthy", duration: 1000, readiness: true }])
        )
        expect(yield* Ref.get(runs)).toBe(1)
        const next = yield* Effect.fork(health.readiness)
        yield* awaitSleeps(2)
        yield* TestClock.adjust("1 second")
        expect((yield* Fiber.join(next)).ready).toBe(true)
        expect(yield* Ref.get(runs)).toBe(2)
      }))

    it.scoped("interrupting the caller that began a run stops its wait only: the run goes on and the callers that joined it get its answer", () =>
      Effect.gen(function*() {
        const runs = yield* Ref.make(0)
        const registry = Registry.make(
          Component.succeed(A, "a").pipe(
            Lifecycle.healthCheck(() => Effect.zipRight(Ref.update(runs, (n) => n + 1), Effect.sleep("1 second")), { name: "connected", readiness: true })
          )
        )
        const health = healthOf((yield* App.start(App.make(registry, { roots: [A, App.Health] }))))
        const first = yield* Effect.fork(health.readiness)
        yield* awaitSleeps(2)
        const second = yield* Effect.fork(health.readiness)
        yield* Effect.yieldNow()
        yield* Fiber.interrupt(first)
        yield* TestClock.adjust("1 second")
        expect(yield* Fiber.join(second)).toEqual({
          ready: true,
          state: "started",
          failing: [],
          report: { healthy: true, components: [{ name: "A", status: "healthy", checks: [{ name: "connected", status: "healthy", duration: 1000, readiness: true }] }] }
        })
        expect(yield* Ref.get(runs)).toBe(1)
      }))

    it.scoped("a readiness run in flight when the application begins to stop is interrupted, and its callers told the state it is in", () =>
      Effect.gen(function*() {
        // Regression: the shared run was a daemon fiber: the check went on with the released services until
        // its own timeout (here an hour), after the application had stopped
        const recorder = yield* makeRecorder
        const registry = Registry.make(
          Component.succeed(A, "a").pipe(
            Lifecycle.healthCheck(() => Effect.onInterrupt(Effect.never, () => recorder.record("check interrupted")), {
              name: "connected",
              readiness: true,
              timeout: "1 hour"
            })
          )
        )
        const running = yield* App.start(App.make(registry, { roots: [A, App.Health] }))
        const caller = yield* Effect.fork(healthOf(running).readiness)
        yield* awaitSleeps(1) // the check's timeout
        yield* App.stop(running)
        expect(yield* recorder.entries).toEqual(["check interrupted"])
        // the stop waits for the check to end before it goes on: its caller is told while it stops
        expect(yield* Fiber.join(caller)).toEqual(notReady("stopping"))
      }))

    it.scoped("a component with a check that counts is not ready once shut down: <component>/phase", () =>
      Effect.gen(function*() {
        const registry = Registry.make(Component.succeed(A, "a").pipe(Lifecycle.healthCheck(() => Effect.void, { name: "connected", readiness: true })))
        const running = yield* App.start(App.make(registry, { roots: [A, App.Health, Container.Container] }))
        yield* Effect.provide(Container.shutDown("A"), running.context)
        expect(yield* healthOf(running).readiness).toEqual({
          ready: false,
          state: "started",
          failing: ["A/phase"],
          report: { healthy: false, components: [{ name: "A", status: "not-running", checks: [] }] }
        })
      }))

    it.scoped("a child container's component with a check that counts is counted, by path; its checks that do not count are not run", () =>
      Effect.gen(function*() {
        const running = yield* App.start(App.make(Registry.make(Component.succeed(B, "b")), { roots: [B, App.Health, Container.Container] }))
        const root = Context.get(running.context, Container.Container)
        const tenant = yield* Effect.provideService(Container.child("tenant-a", [
          Component.succeed(A, "tenant a").pipe(
            Lifecycle.healthCheck(() => new Boom({ where: "tenant-a" }), { name: "connected", readiness: true }),
            Lifecycle.healthCheck(() => Effect.dieMessage("not run"), { name: "liveness only" })
          )
        ]), Container.Container, root)
        yield* Container.getFrom(tenant, A)
        expect(yield* healthOf(running).readiness).toEqual({
          ready: false,
          state: "started",
          failing: ["tenant-a/A/connected"],
          report: {
            healthy: false,
            components: [{ name: "tenant-a/A", status: "unhealthy", checks: [{ name: "connected", status: "unhealthy", duration: 0, error: "Boom { where: \"tenant-a\" }", readiness: true }] }]
          }
        })
      }))

    it.effect("a readiness check that asks its own application's readiness dies saying so, where it would wait for the run it is part of until its timeout", () =>
      Effect.gen(function*() {
        const registry = Registry.make(
          Component.make(A, { dependencies: [App.Health], build: Effect.succeed("a") }).pipe(
            Lifecycle.healthCheck(() => Effect.flatMap(App.Health, (health) => health.readiness), { name: "itself", readiness: true, dependencies: [App.Health] })
          )
        )
        const readiness = yield* Effect.scoped(Effect.flatMap(App.start(App.make(registry, { roots: [A, App.Health] })), (running) => healthOf(running).readiness))
        expect(readiness.report.components[0]!.checks).toEqual([{
          name: "itself",
          status: "unhealthy",
          duration: 0,
          error: "RuntimeException: layerwise App.health: a health check cannot check the health of its own application (it would run itself again, without end)",
          readiness: true
        }])
      }))
  })

  describe("observability", () => {
    it.effect("publishes every lifecycle event to subscribers, in order", () =>
      Effect.gen(function*() {
        const registry = Registry.make(
          Component.succeed(A, "a").pipe(Lifecycle.onStart(() => Effect.void)),
          Component.make(B, { dependencies: [A], build: Effect.succeed("b") }).pipe(
            Lifecycle.onStop(() => Effect.fail("nope"))
          )
        )
        const app = App.make(registry, { roots: [B] })
        const events = yield* Effect.scoped(Effect.gen(function*() {
          const subscription = yield* App.subscribe(app)
          yield* Effect.exit(startStop(app))
          return yield* Queue.takeAll(subscription)
        }))
        const compact = Chunk.toReadonlyArray(events).map((event) =>
          event._tag === "StateChanged"
            ? `state ${event.to}`
            : event._tag === "PhaseStarted"
            ? `${event.phase} ${event.component}`
            : event._tag === "PhaseEnded"
            ? `${event.phase} ${event.component} ${event.outcome}${event.error === undefined ? "" : ` (${event.error})`}`
            : `${event._tag} ${event.component}`
        )
        expect(compact).toEqual([
          "state building",
          "build A",
          "build A success",
          "build B",
          "build B success",
          "state starting",
          "start A",
          "start A success",
          "state started",
          "state stopping",
          "stop B",
          "stop B failure (B: stop hook of B failed: nope)",
          "release B",
          "release B success",
          "state stopped"
        ])
      }))

    it.effect("events is a Stream of the same events", () =>
      Effect.gen(function*() {
        const app = App.make(Registry.make(Component.succeed(A, "a")), { roots: [A] })
        const fiber = yield* Effect.fork(
          App.events(app).pipe(
            Stream.takeUntil((event) => event._tag === "StateChanged" && event.to === "stopped"),
            Stream.runCollect
          )
        )
        // the stream subscribes when it runs: wait until it did
        yield* Effect.repeat(Effect.yieldNow(), { times: 50 })
        yield* startStop(app)
        const events = yield* Fiber.join(fiber)
        expect(Chunk.toReadonlyArray(events).filter((event) => event._tag === "StateChanged").map((event) => (event as { to: string }).to))
          .toEqual(["building", "starting", "started", "stopping", "stopped"])
      }))

    it.effect("reports each component's current phase", () =>
      Effect.gen(function*() {
        const stopping = yield* Deferred.make<void>()
        const proceed = yield* Deferred.make<void>()
        const registry = Registry.make(
          Component.succeed(A, "a").pipe(Component.named("db")),
          Component.make(B, { dependencies: [A], build: Effect.succeed("b") }).pipe(
            Component.named("server"),
            Lifecycle.onStop(() => Effect.zipRight(Deferred.succeed(stopping, undefined), Deferred.await(proceed)))
          )
        )
        yield* Effect.scoped(Effect.gen(function*() {
          const running = yield* App.start(App.make(registry, { roots: [B] }))
          expect(yield* App.phases(running)).toEqual({ db: "started", server: "started" })
          expect(yield* App.phase(running, "nobody")).toEqual(Option.none())
          const stopFiber = yield* Effect.fork(App.stop(running))
          yield* Deferred.await(stopping)
          expect(yield* App.phase(running, "server")).toEqual(Option.some("stopping"))
          expect(yield* App.phase(running, "db")).toEqual(Option.some("started"))
          expect(yield* App.state(running)).toBe("stopping")
          yield* Deferred.succeed(proceed, undefined)
          yield* Fiber.join(stopFiber)
          expect(yield* App.phases(running)).toEqual({ db: "released", server: "released" })
        }))
      }))

    it.effect("each build, start and stop is a span named after its phase, under the phase's span, with the component as attribute", () =>
      Effect.gen(function*() {
        const recording = makeRecording()
        const registry = Registry.make(
          Component.succeed(A, "a").pipe(Lifecycle.onStart(() => Effect.void), Lifecycle.onStop(() => Effect.void))
        )
        yield* traced(recording, startStop(App.make(registry, { roots: [A], startupLog: false })))
        expect(recording.tree()).toEqual([
          "layerwise.app.start success",
          "  layerwise.build success",
          "    layerwise.component.build A success",
          "  layerwise.start success",
          "    layerwise.component.start A success",
          "layerwise.app.stop success",
          "  layerwise.stop success",
          "    layerwise.component.stop A success",
          "  layerwise.release success",
          "    layerwise.component.release A success"
        ])
        // without a tracer of its own (Effect's built-in one), no span is made
        recording.clear()
        yield* startStop(App.make(registry, { roots: [A] }))
        expect(recording.spans).toEqual([])
      }))
  })

  describe("regressions: components given as Layers (issues 11 and 17)", () => {
    class Greeting extends Context.Tag("Greeting")<Greeting, { readonly word: string }>() {}
    class Greeter extends Context.Tag("Greeter")<Greeter, { readonly greet: (name: string) => string }>() {}
    const GreeterLive = Layer.effect(Greeter, Effect.map(Greeting, (greeting) => ({ greet: (name: string) => `${greeting.word} ${name}!` })))
    const greeterRegistry = Registry.make(
      Component.succeed(Greeting, { word: "hello" }),
      Component.fromLayer(Greeter, { dependencies: [Greeting], layer: GreeterLive })
    )

    it.effect("two applications alive at once each build their Layer-backed components with their own dependencies", () =>
      Effect.scoped(Effect.gen(function*() {
        const fake = yield* App.start(App.make(Testing.value(Greeting, { word: "FAKE" })(greeterRegistry), { roots: [Greeter] }))
        const real = yield* App.start(App.make(greeterRegistry, { roots: [Greeter] }))
        expect(Context.get(fake.context, Greeter).greet("world")).toBe("FAKE world!")
        expect(Context.get(real.context, Greeter).greet("world")).toBe("hello world!")
      })))

    /** A component whose Layer acquires a resource, then fails; the resource's release does `release`. */
    const failingPool = (recorder: Recorder, release: Effect.Effect<void>) =>
      Component.fromLayer(A, {
        layer: Layer.scoped(
          A,
          Effect.zipRight(
            Effect.acquireRelease(recorder.record("acquire pool"), () => Effect.zipRight(recorder.record("release pool"), release)),
            Effect.fail(new Boom({ where: "pool" }))
          )
        )
      })

    it.effect("a Layer-backed component whose build fails: its hung finalizer is bounded by the release timeout and reported", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const app = App.make(Registry.make(failingPool(recorder, Effect.never)), { roots: [A], releaseTimeout: "1 second" })
        const fiber = yield* Effect.fork(Effect.exit(App.run(app)))
        yield* awaitEntries(recorder, 2)
        yield* TestClock.adjust("1 second")
        const failed = failureOf(yield* Fiber.join(fiber)) as Errors.ApplicationFailed
        expect(failed.reason).toBe("build")
        expect(failed.errors.map((error) => error._tag)).toEqual(["ConstructionError", "ReleaseTimeout"])
        expect(phasesOf(failed.report, "A")).toEqual(["build:failure", "release:timeout"])
      }))

    it.effect("a Layer-backed component whose build fails: its failing finalizer is reported and fails the run", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const app = App.make(Registry.make(failingPool(recorder, Effect.die(new Error("pool stuck")))), { roots: [A] })
        const failed = failureOf(yield* Effect.exit(App.run(app))) as Errors.ApplicationFailed
        expect(failed.reason).toBe("build")
        expect(failed.errors.map((error) => error._tag)).toEqual(["ConstructionError", "ReleaseError"])
        expect(failed.errors[1]!.message).toBe("A: releasing A failed: Error: pool stuck")
        expect(phasesOf(failed.report, "A")).toEqual(["build:failure", "release:failure"])
        expect(yield* recorder.entries).toEqual(["acquire pool", "release pool"])
      }))

    it.effect("a Layer-backed component still building when the run is interrupted: its hung finalizer is bounded by the release timeout", () =>
      Effect.gen(function*() {
        const recorder = yield* makeRecorder
        const building = yield* Deferred.make<void>()
        const registry = Registry.make(
          Component.fromLayer(A, {
            layer: Layer.scoped(
              A,
              Effect.zipRight(
                Effect.acquireRelease(recorder.record("acquire pool"), () => Effect.zipRight(recorder.record("release pool"), Effect.never)),
                Effect.zipRight(Deferred.succeed(building, undefined), Effect.never)
              )
            )
          })
        )
        const fiber = yield* Effect.fork(App.run(App.make(registry, { roots: [A], releaseTimeout: "1 second" })))
        yield* Deferred.await(building)
        const interrupting = yield* Effect.fork(Fiber.interrupt(fiber))
        yield* awaitEntries(recorder, 2)
        yield* TestClock.adjust("1 second")
        const failed = failureOf(yield* Fiber.join(interrupting)) as Errors.ApplicationFailed
        expect(failed.errors.map((error) => error._tag)).toEqual(["ReleaseTimeout"])
        expect(phasesOf(failed.report, "A")).toEqual(["build:interrupted", "release:timeout"])
      }))

    it.effect("a Layer-backed component's failing finalizer at a normal shutdown is reported, as an Effect component's is", () =>
      Effect.gen(function*() {
        const registry = Registry.make(
          Component.fromLayer(A, {
            layer: Layer.scoped(A, Effect.as(Effect.addFinalizer(() => Effect.die(new Error("pool stuck"))), "a")).pipe(
              Layer.provide(Layer.scopedDiscard(Effect.addFinalizer(() => Effect.die(new Error("inner stuck")))))
            )
          })
        )
        const failed = (yield* Effect.flip(startStop(App.make(registry, { roots: [A] })))) as Errors.ApplicationFailed
        expect(failed.reason).toBe("stop")
        expect(failed.errors.map((error) => error._tag)).toEqual(["ReleaseError"])
        expect(phasesOf(failed.report, "A")).toEqual(["build:success", "release:failure"])
      }))
  })

  describe("regressions: reporting (issue 11)", () => {
    it.effect("a failed build's PhaseEnded event carries its error", () =>
      Effect.gen(function*() {
        const registry = Registry.make(Component.make(A, { build: Effect.fail(new Boom({ where: "A" })) }))
        const app = App.make(registry, { roots: [A] })
        const events = yield* Effect.scoped(Effect.gen(function*() {
          const subscription = yield* App.subscribe(app)
          yield* Effect.exit(App.run(app))
          return Chunk.toReadonlyArray(yield* Queue.takeAll(subscription))
        }))
        const ended = events.find((event) => event._tag === "PhaseEnded" && event.phase === "build")
        expect(ended).toMatchObject({ outcome: "failure" })
        expect(ended?._tag === "PhaseEnded" ? ended.error : undefined).toMatch(/^A: constructor of A failed: Boom/)
      }))

    it.effect("a failing initializer is reported as that initializer, not as a failed constructor", () =>
      Effect.gen(function*() {
        const registry = Registry.make(
          Component.succeed(A, "a").pipe(Lifecycle.initializer(() => new Boom({ where: "init" }), { name: "warm" }))
        )
        const failed = (yield* Effect.flip(startStop(App.make(registry, { roots: [A] })))) as Errors.ApplicationFailed
        expect(failed.errors.map((error) => error._tag)).toEqual(["HookFailed"])
        expect(failed.errors[0]!.message).not.toContain("constructor")
        expect(failed.report.errors.map((error) => error.message)).toEqual([failed.errors[0]!.message])
      }))
  })

  describe("interrupted at every step (issue 11)", () => {
    /** How a component is given: an Effect, a Layer, or a Layer provided with a sub-layer of its own. */
    type Kind = "effect" | "layer" | "layer-provide"

    interface Scenario {
      readonly graph: Dag
      readonly kinds: ReadonlyArray<Kind>
      /** per node: its constructor and hooks suspend (yield) after recording their step */
      readonly asynchronous: ReadonlyArray<boolean>
      /** the node whose constructor and release each sleep a second (the clock moves them on), if any */
      readonly slow: number | undefined
      readonly background: ReadonlyArray<boolean>
      readonly startup: ReadonlyArray<number | undefined>
      /**
       * the node whose constructor looks up L (no root reaches it) before it builds, if any: L depends
       * on M (no root reaches it either) and on the looker's first dependency; both have every hook
       */
      readonly looker: number | undefined
    }

    const scenario: fc.Arbitrary<Scenario> = dag({ minSize: 3, maxSize: 4, maxDependencies: 2 }).chain((graph) => {
      const perNode = <A>(arbitrary: fc.Arbitrary<A>) => fc.array(arbitrary, { minLength: graph.length, maxLength: graph.length })
      return fc.record({
        graph: fc.constant(graph),
        kinds: perNode(fc.constantFrom<Kind>("effect", "layer", "layer-provide")),
        asynchronous: perNode(fc.boolean()),
        slow: fc.option(fc.nat({ max: graph.length - 1 }), { nil: undefined }),
        background: perNode(fc.boolean()),
        startup: perNode(fc.option(fc.nat({ max: 2 }), { nil: undefined })),
        looker: fc.option(fc.nat({ max: graph.length - 1 }), { nil: undefined })
      })
    })

    class Stopper extends Context.Tag("every-step/stopper")<Stopper, App.Shutdowner>() {}

    const describeEvent = (event: App.Event): string => {
      switch (event._tag) {
        case "StateChanged":
          return `state ${event.to}`
        case "PhaseStarted":
          return `begin ${event.component} ${event.phase}`
        case "PhaseEnded":
          return `end ${event.component} ${event.phase} ${event.outcome}`
        case "InstanceBuilt":
        case "InstanceReleased":
          return `${event._tag} ${event.component} ${event.outcome}`
      }
    }

    /**
     * Runs a scenario, interrupting `App.run` when its `at`-th step is recorded (`0`: before it runs;
     * `undefined`: never): at once, or `delay` scheduler turns later. The log merges the steps
     * (constructors, finalizers, hooks) with the App's events, in the order they happened: each step
     * first takes the events published before it.
     */
    const runInterrupted = (input: Scenario, at: number | undefined, delay = 0) =>
      Effect.gen(function*() {
        const { asynchronous, background, graph, kinds, looker, slow, startup } = input
        const log: Array<string> = []
        let steps = 0
        let fiber: Fiber.RuntimeFiber<Report.Report, unknown> | undefined
        let events: Queue.Dequeue<App.Event> | undefined
        const drain = Effect.suspend(() =>
          events === undefined ? Effect.void : Effect.map(Queue.takeAll(events), (taken) => {
            for (const event of taken) log.push(describeEvent(event))
          })
        )
        const step = (entry: string) =>
          Effect.zipRight(
            drain,
            Effect.suspend(() => {
              log.push(entry)
              if (++steps !== at) return Effect.void
              if (delay === 0) return Effect.sync(() => runtime.interruptFiber(fiber!))
              return Effect.asVoid(Effect.forkDaemon(Effect.zipRight(Effect.replicateEffect(Effect.yieldNow(), delay), Fiber.interrupt(fiber!))))
            })
          )
        const pause = (id: number) => (asynchronous[id] ? Effect.yieldNow() : Effect.void)
        const tags = graph.map((_, id) => Context.GenericTag<string, string>(nameOf(id)))
        const Looked = Context.GenericTag<string, string>("L")
        const LookedFirst = Context.GenericTag<string, string>("M")
        /** hooks of every kind, two of each: the sequence itself starts the second, where the first ended */
        const withHooks = (component: Component.Component<string, string>, name: string, id: number) => {
          const hook = (kind: string) => () => Effect.zipRight(step(`${kind} ${name}`), pause(id))
          return component.pipe(
            Lifecycle.initializer(hook("init")),
            Lifecycle.initializer(hook("init2")),
            Lifecycle.onStart(hook("start")),
            Lifecycle.onStart(hook("start2")),
            Lifecycle.onStop(hook("stop")),
            Lifecycle.onStop(hook("stop2")),
            Lifecycle.disposer(hook("dispose")),
            Lifecycle.disposer(hook("dispose2"))
          ) as Component.Component<string, string>
        }
        const lookedUp = (tag: Context.Tag<string, string>, dependencies: ReadonlyArray<Context.Tag<string, string>>) =>
          withHooks(
            Component.make(tag, {
              dependencies,
              build: Effect.zipRight(
                Effect.forEach(dependencies, (each) => each),
                Effect.acquireRelease(Effect.as(step(`+${tag.key}`), tag.key), () => step(`-${tag.key}`))
              )
            } as never) as Component.Component<string, string>,
            tag.key,
            looker ?? 0
          )
        const own = looker === undefined ? [] : [
          lookedUp(LookedFirst, []),
          lookedUp(Looked, [LookedFirst, ...graph[looker]!.slice(0, 1).map((dependency) => tags[dependency]!)])
        ]
        const components = graph.map((dependencyIds, id) => {
          const name = nameOf(id)
          const dependencies = dependencyIds.map((dependency) => tags[dependency]!)
          const sleep = slow === id ? Effect.sleep("1 second") : Effect.void
          const build = Effect.gen(function*() {
            if (looker === id) yield* Container.get(Looked)
            yield* Effect.forEach(dependencies, (tag) => tag)
            yield* Effect.acquireRelease(step(`+${name}`), () => Effect.zipRight(sleep, step(`-${name}`)))
            yield* pause(id)
            yield* sleep
            return name
          })
          const layer = Layer.scoped(tags[id]!, build)
          const requests = looker === id ? [Container.Container, ...dependencies] : dependencies
          let component: Component.Component<string, string> = kinds[id] === "effect"
            ? Component.make(tags[id]!, { dependencies: requests, build } as never)
            : Component.fromLayer(tags[id]!, {
              dependencies: requests,
              layer: kinds[id] === "layer"
                ? layer
                : Layer.provide(layer, Layer.scopedDiscard(Effect.acquireRelease(step(`+${name}.sub`), () => step(`-${name}.sub`))))
            } as never)
          component = withHooks(component, name, id)
          if (background[id]) component = Lifecycle.background(component, () => Effect.zipRight(step(`bg ${name}`), Effect.never))
          const order = startup[id]
          return order === undefined ? component : Lifecycle.startup(component, order)
        })
        const stopper = Component.make(Stopper, { dependencies: [App.Shutdowner], build: App.Shutdowner }).pipe(
          Lifecycle.startup(100),
          Lifecycle.onStart((app) => app.shutdown("scenario done"))
        )
        const app = App.make(Registry.make(...components, ...own, stopper), {
          roots: sinksOf(graph).map((id) => tags[id]!),
          startTimeout: "60 seconds",
          stopTimeout: "60 seconds",
          graceTimeout: "10 seconds",
          releaseTimeout: "120 seconds"
        })
        return yield* Effect.scoped(Effect.gen(function*() {
          events = yield* App.subscribe(app)
          fiber = yield* Effect.fork(App.run(app))
          if (at === 0) runtime.interruptFiber(fiber)
          const exit = yield* awaitMovingClock(fiber)
          yield* drain
          return { exit, log, steps }
        }))
      })

    /** The contracts an interrupted run keeps, as a list of violations. */
    const interruptedViolations = (
      input: Scenario,
      exit: Exit.Exit<Report.Report, unknown> | undefined,
      log: ReadonlyArray<string>,
      /** whether the run was interrupted (`"maybe"`: asked to be, perhaps once it had ended) */
      interrupted: boolean | "maybe"
    ): Array<string> => {
      if (exit === undefined) return [`the run did not end within ${clockTurns} seconds`]
      const found: Array<string> = []
      const where = (predicate: (entry: string) => boolean) => log.flatMap((entry, index) => (predicate(entry) ? [index] : []))
      const first = (entry: string) => log.indexOf(entry)
      const count = (entry: string) => where((each) => each === entry).length
      const ended = (name: string, phase: string) => log.findIndex((entry) => entry.startsWith(`end ${name} ${phase} `))
      const stopping = first("state stopping")
      const stopped = first("state stopped")
      // interrupted before it began, a run has nothing to stop
      if (stopped === -1 && log.some((entry) => entry.startsWith("state "))) found.push("the run began, and never reached the state stopped")
      // nothing fails: an interrupted run ends interrupted, any other with a successful report
      const endedInterrupted = Exit.isFailure(exit) && Cause.isInterruptedOnly(exit.cause)
      const endedWell = Exit.isSuccess(exit) && exit.value.success
      if (interrupted === true ? !endedInterrupted : interrupted === false ? !endedWell : !endedInterrupted && !endedWell) {
        found.push(`the run (interrupted: ${interrupted}) ended with ${Exit.isSuccess(exit) ? "success" : Cause.pretty(exit.cause)}`)
      }
      // every phase that began ended, once
      for (const entry of log) {
        if (!entry.startsWith("begin ")) continue
        const [, component, phase] = entry.split(" ")
        const ends = where((each) => each.startsWith(`end ${component} ${phase} `)).length
        if (ends !== 1) found.push(`the ${phase} phase of ${component} began and ended ${ends} times`)
      }
      const hooks: ReadonlyArray<readonly [string, Report.Phase]> = [
        ["init", "initialize"],
        ["init2", "initialize"],
        ["start", "start"],
        ["start2", "start"],
        ["stop", "stop"],
        ["stop2", "stop"],
        ["dispose", "dispose"],
        ["dispose2", "dispose"]
      ]
      input.graph.forEach((_, id) => {
        const name = nameOf(id)
        const parts = input.kinds[id] === "layer-provide" ? [name, `${name}.sub`] : [name]
        for (const part of parts) {
          if (count(`+${part}`) > 1 || count(`-${part}`) !== count(`+${part}`)) {
            found.push(`${part} built ${count(`+${part}`)} times, released ${count(`-${part}`)} times`)
          }
        }
        for (const [kind, phase] of hooks) {
          const entries = where((entry) => entry === `${kind} ${name}`)
          if (entries.length > 1) found.push(`${kind} ${name} ran ${entries.length} times`)
          if (entries.length === 0) continue
          const began = first(`begin ${name} ${phase}`)
          const end = ended(name, phase)
          if (began === -1 || began > entries[0]!) found.push(`${kind} ${name} started before its phase began`)
          if (end !== -1 && end < entries[0]!) found.push(`${kind} ${name} started after its phase ended`)
          const late = kind.startsWith("init") || kind.startsWith("start")
          if (late && stopping !== -1 && entries[0]! > stopping) found.push(`${kind} ${name} started after the application began stopping`)
          if (!late && (stopping === -1 || entries[0]! < stopping)) found.push(`${kind} ${name} ran before the application began stopping`)
          if (stopped !== -1 && entries[0]! > stopped) found.push(`${kind} ${name} started after the application stopped`)
        }
        const initialized = first(`end ${name} initialize success`) !== -1
        if (count(`dispose ${name}`) !== (initialized ? 1 : 0)) {
          found.push(`${name} ${initialized ? "initialized" : "not initialized"}, disposed ${count(`dispose ${name}`)} times`)
        }
        const started = first(`end ${name} start success`) !== -1
        if (count(`stop ${name}`) !== (started ? 1 : 0)) {
          found.push(`${name} ${started ? "started" : "not started"}, stopped ${count(`stop ${name}`)} times`)
        }
        const disposed = first(`dispose ${name}`)
        for (const part of parts) {
          if (disposed !== -1 && first(`-${part}`) !== -1 && first(`-${part}`) < disposed) found.push(`${part} released before ${name} was disposed`)
        }
        const working = first(`bg ${name}`)
        if (working !== -1 && (!started || working < first(`end ${name} start success`) || (stopping !== -1 && working > stopping))) {
          found.push(`the background work of ${name} started outside its component's running time`)
        }
      })
      for (const [from, to] of edgesOf(input.graph)) {
        const a = nameOf(from)
        const b = nameOf(to)
        const before = (x: string, y: string) => {
          const [i, j] = [first(x), first(y)]
          if (i !== -1 && j !== -1 && i > j) found.push(`${y} happened before ${x}, ${a} depending on ${b}`)
        }
        const requires = (x: string, y: string) => {
          const [i, j] = [first(x), first(y)]
          if (j !== -1 && (i === -1 || i > j)) found.push(`${y} happened without ${x} before it, ${a} depending on ${b}`)
        }
        requires(`end ${b} initialize success`, `+${a}`)
        requires(`end ${b} start success`, `start ${a}`)
        before(`stop ${a}`, `stop ${b}`)
        before(`dispose ${a}`, `-${b}`)
        for (const part of input.kinds[from] === "layer-provide" ? [a, `${a}.sub`] : [a]) {
          before(`-${part}`, `-${b}`)
          if (input.kinds[to] === "layer-provide") before(`-${part}`, `-${b}.sub`)
        }
      }
      if (input.looker !== undefined) found.push(...lookedUpViolations(input.graph, input.looker, log))
      return found
    }

    /**
     * What a constructor looked up during the build (L, on M and on the looker's first dependency)
     * keeps: it starts in the start phase, after what it depends on and before the looker; it stops
     * in the stop phase, after the looker and before what it depends on; it is released after the
     * looker and before what it depends on; each hook runs once at most, a stop only after a start,
     * a disposer only after an initializer.
     */
    const lookedUpViolations = (graph: Dag, looker: number, log: ReadonlyArray<string>): Array<string> => {
      const found: Array<string> = []
      const first = (entry: string) => log.indexOf(entry)
      const count = (entry: string) => log.filter((each) => each === entry).length
      const before = (x: string, y: string) => {
        const [i, j] = [first(x), first(y)]
        if (i !== -1 && j !== -1 && i > j) found.push(`${y} happened before ${x}`)
      }
      const requires = (x: string, y: string) => {
        const [i, j] = [first(x), first(y)]
        if (j !== -1 && (i === -1 || i > j)) found.push(`${y} happened without ${x} before it`)
      }
      for (const name of ["L", "M"]) {
        if (count(`+${name}`) > 1 || count(`-${name}`) !== count(`+${name}`)) found.push(`${name} built ${count(`+${name}`)} times, released ${count(`-${name}`)} times`)
        for (const kind of ["init", "init2", "start", "start2", "stop", "stop2", "dispose", "dispose2"]) {
          if (count(`${kind} ${name}`) > 1) found.push(`${kind} ${name} ran ${count(`${kind} ${name}`)} times`)
        }
        before("state starting", `start ${name}`)
        before(`start ${name}`, "state stopping")
        before("state stopping", `stop ${name}`)
        requires(`start2 ${name}`, `stop ${name}`)
        requires(`init2 ${name}`, `dispose ${name}`)
        before(`dispose ${name}`, `-${name}`)
      }
      const lookerName = nameOf(looker)
      const dependency = graph[looker]![0]
      requires("start2 M", "start L")
      requires("start2 L", `start ${lookerName}`)
      before(`stop ${lookerName}`, "stop L")
      before("stop L", "stop M")
      before(`-${lookerName}`, "-L")
      before("-L", "-M")
      if (dependency !== undefined) {
        const name = nameOf(dependency)
        requires(`end ${name} start success`, "start L")
        before("stop L", `stop ${name}`)
        before("-L", `-${name}`)
      }
      return found
    }

    it.effect.prop(
      "App.run interrupted at every step of a graph of Effect and Layer components with hooks and background work, one constructor perhaps looking up an instance outside the plan: it ends, no hook starts after its phase, every component is released once, dependents first, what was looked up started before its looker and stopped and released after it",
      [scenario],
      ([input]) =>
        Effect.gen(function*() {
          const full = yield* runInterrupted(input, undefined)
          expect(interruptedViolations(input, full.exit, full.log, false)).toEqual([])
          for (let at = 0; at <= full.steps; at++) {
            const { exit, log } = yield* runInterrupted(input, at, at % 3)
            const found = interruptedViolations(input, exit, log, at % 3 === 0 ? true : "maybe")
            if (found.length > 0) {
              throw new Error(`interrupted at step ${at} of ${full.steps}:\n${found.join("\n")}\nlog: ${log.join(", ")}`)
            }
          }
        }),
      { fastCheck: { numRuns: 6, seed: 20261206 }, timeout: 120_000 }
    )
  })

  describe("fault injection", () => {
    type FaultPhase =
      | "none"
      | "build"
      | "initialize"
      | "start"
      | "background"
      | "stop"
      | "dispose"
      | "interrupt-build"
      | "interrupt-start"
      | "interrupt-running"

    /** How a component is given: an Effect, a scoped Layer, or a scoped Layer provided with an inner scoped Layer. */
    type Kind = "effect" | "layer" | "layer-provide"

    /**
     * What the faulty component's finalizer does besides: fails, the finalizer of the inner Layer its
     * Layer is provided with fails, or it never ends (the release timeout bounds it).
     */
    type FinalizerFault = "none" | "fail" | "fail-inner" | "hang"

    interface Scenario {
      readonly graph: Dag
      readonly fault: {
        readonly node: number
        readonly phase: FaultPhase
        readonly finalizer: FinalizerFault
        readonly die: boolean
      }
      readonly kinds: ReadonlyArray<Kind>
      /** per node: its hooks suspend (yield) before finishing */
      readonly asynchronous: ReadonlyArray<boolean>
      /** per node: its startup order, if it is a startup component */
      readonly startup: ReadonlyArray<number | undefined>
      /**
       * a node that no root reaches, if any: each of its dependents looks it up in its constructor
       * (before building) instead of requesting it; no node has a startup order then (a lookup of what
       * a higher order builds fails with CircularLookup)
       */
      readonly lookedUp: number | undefined
    }

    /**
     * The nodes outside the plan when `lookedUp` is looked up instead of requested: it, and what only
     * it reaches. Lookups build them, and their own instances' rules apply: their background work's
     * failure is logged, not the application's; a build that fails (or is interrupted) is released at
     * once, its release's failure the lookup's. (A release that never ends is reported by name, in the
     * report's errors, as a component's is.)
     */
    const outsideOf = (graph: Dag, lookedUp: number | undefined): ReadonlySet<number> => {
      if (lookedUp === undefined) return new Set()
      const reached = new Set<number>()
      const pending = sinksOf(graph)
      while (pending.length > 0) {
        const id = pending.pop()!
        if (id === lookedUp || reached.has(id)) continue
        reached.add(id)
        pending.push(...graph[id]!)
      }
      return new Set(graph.map((_, id) => id).filter((id) => !reached.has(id)))
    }
    const releasedAtOnce = (phase: FaultPhase) => phase === "build" || phase === "initialize" || phase === "interrupt-build"

    const scenario: fc.Arbitrary<Scenario> = dag({ maxSize: 10 }).chain((graph) =>
      fc.record({
        graph: fc.constant(graph),
        fault: fc.record({
          node: fc.nat({ max: graph.length - 1 }),
          phase: fc.constantFrom<FaultPhase>(
            "none",
            "build",
            "initialize",
            "start",
            "background",
            "stop",
            "dispose",
            "interrupt-build",
            "interrupt-start",
            "interrupt-running"
          ),
          finalizer: fc.constantFrom<FinalizerFault>("none", "none", "none", "fail", "fail-inner", "hang"),
          die: fc.boolean()
        }),
        kinds: fc.array(fc.constantFrom<Kind>("effect", "layer", "layer-provide"), { minLength: graph.length, maxLength: graph.length }),
        asynchronous: fc.array(fc.boolean(), { minLength: graph.length, maxLength: graph.length }),
        startup: fc.array(fc.option(fc.nat({ max: 3 }), { nil: undefined }), { minLength: graph.length, maxLength: graph.length }),
        lookedUp: fc.option(fc.nat({ max: graph.length - 1 }), { nil: undefined })
      }).map((input) =>
        // the inner Layer's finalizer fails: the faulty component is given as a Layer provided with one
        input.fault.finalizer === "fail-inner"
          ? { ...input, kinds: input.kinds.map((kind, id) => (id === input.fault.node ? "layer-provide" : kind)) }
          : input
      ).map((input) => {
        const looked = input.lookedUp
        if (looked === undefined) return input
        // only a node something depends on can be looked up instead
        if (!graph.some((dependencies) => dependencies.includes(looked))) return { ...input, lookedUp: undefined }
        // a fault outside the plan that would not be the application's is none (see `outsideOf`)
        const { fault } = input
        return {
          ...input,
          startup: input.startup.map(() => undefined),
          fault: !outsideOf(graph, looked).has(fault.node) ? fault : {
            ...fault,
            phase: fault.phase === "background" ? "none" as const : fault.phase,
            finalizer: releasedAtOnce(fault.phase) ? "none" as const : fault.finalizer
          }
        }
      })
    )

    class Stopper extends Context.Tag("stopper")<Stopper, App.Shutdowner>() {}

    const run = (input: Scenario) =>
      Effect.gen(function*() {
        const { asynchronous, fault, graph, kinds, lookedUp, startup } = input
        const recorder = yield* makeRecorder
        const blocked = yield* Deferred.make<void>()
        const tags = graph.map((_, id) => Context.GenericTag<string, string>(nameOf(id)))
        const faultAt = (id: number, phase: FaultPhase) => fault.node === id && fault.phase === phase
        const boom = (id: number, phase: string) =>
          fault.die ? Effect.die(new Error(`${phase} ${nameOf(id)}`)) : Effect.fail(new Boom({ where: `${phase} ${nameOf(id)}` }))
        const pause = (id: number) => (asynchronous[id] ? Effect.yieldNow() : Effect.void)
        /** a finalizer recording `-<part>`, then failing or hanging when told to */
        const release = (id: number, part: string, failing: FinalizerFault) =>
          Effect.zipRight(
            recorder.record(`-${part}`),
            fault.node !== id ? Effect.void : fault.finalizer === failing
              ? Effect.orDie(boom(id, `release ${part}`))
              : fault.finalizer === "hang" && failing === "fail"
              ? Effect.never
              : Effect.void
          )
        const components = graph.map((dependencyIds, id) => {
          const name = nameOf(id)
          const looks = lookedUp !== undefined && dependencyIds.includes(lookedUp)
          const dependencies = [
            ...(looks ? [Container.Container] : []),
            ...dependencyIds.filter((dependency) => dependency !== lookedUp).map((dependency) => tags[dependency]!)
          ]
          const build = Effect.gen(function*() {
            if (looks) yield* Container.get(tags[lookedUp!]!)
            yield* pause(id)
            yield* Effect.acquireRelease(recorder.record(`+${name}`), () => release(id, name, "fail"))
            if (faultAt(id, "build")) return yield* boom(id, "build")
            if (faultAt(id, "interrupt-build")) {
              yield* Deferred.succeed(blocked, undefined)
              return yield* Effect.never
            }
            return name
          })
          const inner = Layer.scopedDiscard(Effect.acquireRelease(recorder.record(`+${name}.inner`), () => release(id, `${name}.inner`, "fail-inner")))
          const made = kinds[id] === "effect"
            ? Component.make(tags[id]!, { dependencies, build } as never) as Component.Component<string, string>
            : Component.fromLayer(tags[id]!, {
              dependencies,
              layer: kinds[id] === "layer" ? Layer.scoped(tags[id]!, build) : Layer.provide(Layer.scoped(tags[id]!, build), inner)
            } as never)
          let component = made.pipe(
            Lifecycle.initializer(() =>
              Effect.zipRight(pause(id), faultAt(id, "initialize") ? boom(id, "initialize") : recorder.record(`init ${name}`))
            ),
            Lifecycle.onStart(() =>
              Effect.gen(function*() {
                yield* recorder.record(`start ${name}`)
                yield* pause(id)
                if (faultAt(id, "start")) return yield* boom(id, "start")
                if (faultAt(id, "interrupt-start")) {
                  yield* Deferred.succeed(blocked, undefined)
                  return yield* Effect.never
                }
                yield* recorder.record(`started ${name}`)
              })
            ),
            Lifecycle.onStop(() =>
              Effect.zipRight(
                recorder.record(`stop ${name}`),
                Effect.zipRight(pause(id), faultAt(id, "stop") ? boom(id, "stop") : Effect.void)
              )
            ),
            Lifecycle.disposer(() =>
              Effect.zipRight(recorder.record(`dispose ${name}`), faultAt(id, "dispose") ? boom(id, "dispose") : Effect.void)
            )
          )
          if (faultAt(id, "background")) {
            component = Lifecycle.background(component, () => Effect.zipRight(Effect.yieldNow(), boom(id, "background")))
          } else if (asynchronous[id]) {
            component = Lifecycle.background(component, () => Effect.never)
          }
          const order = startup[id]
          return order === undefined ? component : Lifecycle.startup(component, order)
        })
        const interrupting = fault.phase.startsWith("interrupt")
        const stopper = Component.make(Stopper, { dependencies: [App.Shutdowner], build: App.Shutdowner }).pipe(
          Lifecycle.startup(100),
          Lifecycle.onStart((app) => app.shutdown("scenario done"))
        )
        const registry = Registry.make(...components, ...(interrupting ? [] : [stopper]))
        const app = App.make(registry, { roots: sinksOf(graph).map((id) => tags[id]!), releaseTimeout: "5 seconds" })
        const exit = yield* Effect.scoped(Effect.gen(function*() {
          const events = yield* App.subscribe(app)
          const fiber = yield* Effect.fork(App.run(app))
          if (fault.phase === "interrupt-start" || fault.phase === "interrupt-build") {
            yield* Deferred.await(blocked)
            yield* Fiber.interruptFork(fiber)
          }
          if (fault.phase === "interrupt-running") {
            yield* Effect.repeat(Queue.take(events), { until: (event) => event._tag === "StateChanged" && event.to === "started" })
            yield* Fiber.interruptFork(fiber)
          }
          return yield* awaitMovingClock(fiber)
        }))
        return { exit, log: yield* recorder.entries }
      })

    /** The lifecycle contracts, as a list of violations. */
    const violations = (input: Scenario, exit: Exit.Exit<Report.Report, unknown> | undefined, log: ReadonlyArray<string>) => {
      const { fault, graph, kinds, startup } = input
      if (exit === undefined) return [`the run did not end within ${clockTurns} seconds`]
      const found: Array<string> = []
      const at = new Map<string, Array<number>>()
      log.forEach((event, index) => at.set(event, [...(at.get(event) ?? []), index]))
      const count = (event: string) => at.get(event)?.length ?? 0
      const first = (event: string) => at.get(event)?.[0]
      // a hung release leaves what comes after it unreleased: the components the hung one depends on may be
      const hung = fault.finalizer === "hang" ? fault.node : undefined
      const mayBeLeft = hung === undefined ? new Set<number>() : new Set(graph.map((_, id) => id).filter((id) => !dependentsOf(graph, hung).has(id)))
      const partsOf = (id: number) => (kinds[id] === "layer-provide" ? [nameOf(id), `${nameOf(id)}.inner`] : [nameOf(id)])
      // what a lookup's failed build acquired is released at once, before its dependents; a build that
      // failed is not kept: another constructor's lookup running meanwhile builds it again
      const atOnce = outsideOf(graph, input.lookedUp).has(fault.node) && releasedAtOnce(fault.phase) ? fault.node : undefined
      graph.forEach((_, id) => {
        const name = nameOf(id)
        for (const part of partsOf(id)) {
          if (count(`+${part}`) > 1 && id !== atOnce) found.push(`${part} built ${count(`+${part}`)} times`)
          const released = count(`-${part}`)
          // the hung finalizer's own inner Layer comes after it too
          const left = mayBeLeft.has(id) || (id === hung && part !== name)
          if (released !== count(`+${part}`) && !(released === 0 && left)) {
            found.push(`${part} built ${count(`+${part}`)}, released ${released}`)
          }
        }
        // a Layer's inner Layer is built before it and released after it
        if (kinds[id] === "layer-provide") {
          if ((first(`+${name}`) ?? Infinity) < (first(`+${name}.inner`) ?? -1)) found.push(`${name} built before its inner Layer`)
          if ((first(`-${name}.inner`) ?? Infinity) < (first(`-${name}`) ?? -1)) found.push(`${name}'s inner Layer released before it`)
        }
        const stops = count(`stop ${name}`)
        if (stops !== (count(`started ${name}`) > 0 ? 1 : 0)) {
          found.push(`${name} started ${count(`started ${name}`)} times, stopped ${stops} times`)
        }
        if (count(`start ${name}`) > 1) found.push(`${name} start hook ran ${count(`start ${name}`)} times`)
        if (count(`dispose ${name}`) > (count(`init ${name}`) > 0 ? 1 : 0)) found.push(`${name} disposed without being initialized`)
        const disposed = first(`dispose ${name}`)
        if (disposed !== undefined && disposed > (first(`-${name}`) ?? -1)) found.push(`${name} disposed after its release`)
      })
      for (const [from, to] of edgesOf(graph)) {
        const a = nameOf(from)
        const b = nameOf(to)
        const built = first(`+${a}`)
        if (built !== undefined && (first(`+${b}`) ?? Infinity) > built) found.push(`${a} built before its dependency ${b}`)
        const started = first(`start ${a}`)
        if (started !== undefined && (first(`started ${b}`) ?? Infinity) > started) {
          found.push(`${a} started before its dependency ${b} had started`)
        }
        const stoppedA = first(`stop ${a}`)
        const stoppedB = first(`stop ${b}`)
        if (stoppedA !== undefined && stoppedB !== undefined && stoppedA > stoppedB) found.push(`${b} stopped before its dependent ${a}`)
        for (const partA of partsOf(from)) {
          for (const partB of partsOf(to)) {
            const releasedA = first(`-${partA}`)
            const releasedB = first(`-${partB}`)
            // a constructor whose lookup never returned (interrupted) does not hold what it asked for
            const got = to !== input.lookedUp || first(`+${a}`) !== undefined
            if (releasedA !== undefined && releasedB !== undefined && releasedA > releasedB && to !== atOnce && got) {
              found.push(`${partB} released before its dependent ${partA}`)
            }
          }
        }
      }
      const lastStop = Math.max(-1, ...log.flatMap((event, index) => (event.startsWith("stop ") ? [index] : [])))
      const firstRelease = log.findIndex((event) => event.startsWith("-"))
      if (firstRelease !== -1 && lastStop > firstRelease) found.push("a release happened before the last stop")
      // startup order: a node of a higher rank starts after every node of a lower rank started
      const rank = graph.map((_, id) => startup[id] ?? Infinity)
      for (let id = graph.length - 1; id >= 0; id--) {
        for (const dependency of graph[id]!) rank[dependency] = Math.min(rank[dependency]!, rank[id]!)
      }
      graph.forEach((_, x) => {
        const started = first(`start ${nameOf(x)}`)
        if (started === undefined || rank[x] === Infinity) return
        graph.forEach((_, y) => {
          if (rank[y]! < rank[x]! && (first(`started ${nameOf(y)}`) ?? Infinity) > started) {
            found.push(`${nameOf(x)} (rank ${rank[x]}) started before ${nameOf(y)} (rank ${rank[y]}) had started`)
          }
        })
      })
      // the outcome: a failed build or start says so; a failed or hung finalizer fails a shutdown that went well
      const released = fault.finalizer === "none" ? "" : " and a failed release"
      const expected: Record<FaultPhase, ReadonlyArray<string>> = {
        "none": [released === "" ? "success" : "stop"],
        "build": ["build"],
        "initialize": ["build"],
        "start": ["start"],
        "background": ["background", "stop"],
        "stop": ["stop"],
        "dispose": ["stop"],
        "interrupt-build": [released === "" ? "interrupted" : "stop"],
        "interrupt-start": [released === "" ? "interrupted" : "stop"],
        "interrupt-running": [released === "" ? "interrupted" : "stop"]
      }
      const failure = Exit.isFailure(exit) ? Option.getOrUndefined(Cause.failureOption(exit.cause)) : undefined
      const outcome = Exit.isSuccess(exit)
        ? (exit.value.success ? "success" : "unsuccessful report")
        : Cause.isInterruptedOnly(exit.cause)
        ? "interrupted"
        : failure === undefined
        ? `defect: ${Cause.pretty(exit.cause)}`
        : (failure as Errors.ApplicationFailed).reason ?? String(failure)
      const reported = (failure as Errors.ApplicationFailed | undefined)?.errors ?? []
      if (!expected[fault.phase].includes(outcome)) {
        found.push(`fault ${fault.phase}${released} at ${nameOf(fault.node)}: expected ${expected[fault.phase].join(" or ")}, got ${outcome}`)
      }
      // a failed or hung finalizer is reported, naming the component
      const releaseError = { none: undefined, fail: "ReleaseError", "fail-inner": "ReleaseError", hang: "ReleaseTimeout" }[fault.finalizer]
      if (releaseError !== undefined && !reported.some((error) => error._tag === releaseError && error.component === nameOf(fault.node))) {
        found.push(`finalizer fault ${fault.finalizer} at ${nameOf(fault.node)}: no ${releaseError} naming it among ${reported.map((error) => error._tag).join(", ")}`)
      }
      return found
    }

    it.effect.prop(
      "fail or interrupt at a random phase of a random component, given as an Effect or a Layer, its finalizers failing or hanging too, one component perhaps looked up by its dependents' constructors instead of requested: every started component is stopped once, every built one released once, dependents always first (what a constructor looked up counting as its dependency), failed releases reported",
      [scenario],
      ([input]) =>
        Effect.gen(function*() {
          const { exit, log } = yield* run(input)
          const found = violations(input, exit, log)
          if (found.length > 0) throw new Error(`${found.join("\n")}\nlog: ${log.join(", ")}`)
        }),
      // seeded, as the other properties are: a run of the suite checks the same cases (wider searches run with
      // other seeds and more runs by hand; their counterexamples become tests of their own, as below)
      { fastCheck: { numRuns: 200, seed: 4242 } }
    )

    it.effect("a constructor cut off as an interrupted build ends does not let its dependents be built (the property's counterexample, seed 11)", () =>
      Effect.gen(function*() {
        // Regression: 'n8 built before its dependency n7': n7's lookup of n5, cut off by the build's end,
        // failed where the build had ended; its failure was not recorded, yet its node completed
        const input: Scenario = {
          graph: [[], [0], [], [0], [0, 2, 3], [0, 3, 4], [4], [5], [3, 7]],
          fault: { node: 1, phase: "interrupt-build", finalizer: "none", die: false },
          kinds: Array.from({ length: 9 }, () => "effect" as const),
          asynchronous: [false, false, true, false, false, false, false, false, false],
          startup: Array.from({ length: 9 }, () => undefined),
          lookedUp: 5
        }
        const { exit, log } = yield* run(input)
        expect(violations(input, exit, log)).toEqual([])
      }))

    it.effect("a singleton two constructors look up is built once when a failed initializer stops the build while both wait for it (the property's counterexample at 3,000 runs)", () =>
      Effect.gen(function*() {
        // Regression: the first looker's interruption dropped the shared build, the second, not interrupted
        // yet, built it again ('+n3, +n8, init n3, dispose n3, -n3, +n3, init n3, dispose n3, -n3')
        const input: Scenario = {
          graph: [[], [], [], [0, 1, 2], [0, 1, 3], [4], [0, 1, 4], [1, 2, 3], [0, 1]],
          fault: { node: 8, phase: "initialize", finalizer: "none", die: false },
          kinds: Array.from({ length: 9 }, () => "effect" as const),
          asynchronous: [false, true, true, false, false, false, false, false, false],
          startup: Array.from({ length: 9 }, () => undefined),
          lookedUp: 3
        }
        const { exit, log } = yield* run(input)
        expect(violations(input, exit, log)).toEqual([])
        expect(log.filter((event) => event === "+n3").length).toBeLessThanOrEqual(1)
      }))
  })

  describe("fault injection in a child container's own lifecycle", () => {
    type Fault = "none" | "build" | "initialize" | "start" | "start-hang" | "stop" | "dispose" | "background"
    /** what happens at a random step of the opening (or once it ended, if it has fewer steps) */
    type Action = "close" | "interrupt" | "stop" | "shutdown"
    type Work = "none" | "interrupt" | "signal"

    interface Scenario {
      /** the child's own components c0..cn-1 (cX depends on the earlier ones listed) */
      readonly graph: Dag
      /** per node: it depends on the application's P too */
      readonly onParent: ReadonlyArray<boolean>
      /** per node: it has start and stop hooks (one with neither, nor background work, is built only as a dependency) */
      readonly hooked: ReadonlyArray<boolean>
      readonly work: ReadonlyArray<Work>
      readonly asynchronous: ReadonlyArray<boolean>
      readonly startup: ReadonlyArray<number | undefined>
      readonly fault: { readonly node: number; readonly phase: Fault }
      readonly action: { readonly kind: Action; readonly at: number; readonly target: number }
    }

    const scenario: fc.Arbitrary<Scenario> = dag({ minSize: 1, maxSize: 5, maxDependencies: 2 }).chain((graph) => {
      const perNode = <A>(arbitrary: fc.Arbitrary<A>) => fc.array(arbitrary, { minLength: graph.length, maxLength: graph.length })
      return fc.record({
        graph: fc.constant(graph),
        onParent: perNode(fc.boolean()),
        hooked: perNode(fc.boolean()),
        work: perNode(fc.constantFrom<Work>("none", "none", "interrupt", "signal")),
        asynchronous: perNode(fc.boolean()),
        startup: perNode(fc.option(fc.nat({ max: 2 }), { nil: undefined })),
        fault: fc.record({
          node: fc.nat({ max: graph.length - 1 }),
          phase: fc.constantFrom<Fault>("none", "build", "initialize", "start", "start-hang", "stop", "dispose", "background")
        }),
        action: fc.record({
          kind: fc.constantFrom<Action>("close", "interrupt", "stop", "shutdown"),
          at: fc.nat({ max: 24 }),
          target: fc.nat({ max: graph.length - 1 })
        })
      })
    })

    class P extends Context.Tag("P")<P, string>() {}
    const childName = (id: number) => `c${id}`

    const run = (input: Scenario) => {
      // what is logged at error level: a release failure no caller is left to fail with
      const logged: Array<string> = []
      const logger = Logger.make(({ logLevel, message }) => {
        if (logLevel._tag === "Error") logged.push((message as ReadonlyArray<unknown>).map(String).join(" "))
      })
      return Effect.gen(function*() {
        const { action, asynchronous, fault, graph, hooked, onParent, startup, work } = input
        const recorder = yield* makeRecorder
        const tags = graph.map((_, id) => Context.GenericTag<string, string>(childName(id)))
        const faultAt = (id: number, phase: Fault) => fault.node === id && fault.phase === phase
        const boom = (id: number, phase: string) => Effect.fail(new Boom({ where: `${phase} ${childName(id)}` }))
        const pause = (id: number) => (asynchronous[id] ? Effect.yieldNow() : Effect.void)
        let steps = 0
        let trigger: Effect.Effect<void> = Effect.void
        let triggered = false
        const fire = Effect.suspend(() => {
          if (triggered) return Effect.void
          triggered = true
          return trigger
        })
        const step = (entry: string) => Effect.zipRight(recorder.record(entry), Effect.suspend(() => ++steps === action.at ? fire : Effect.void))
        const components = graph.map((dependencyIds, id) => {
          const name = childName(id)
          const dependencies = [...dependencyIds.map((dependency) => tags[dependency]!), ...(onParent[id] ? [P] : [])]
          const build = Effect.gen(function*() {
            yield* pause(id)
            yield* Effect.acquireRelease(step(`+${name}`), () => step(`-${name}`))
            if (faultAt(id, "build")) return yield* boom(id, "build")
            return name
          })
          let component = (Component.make(tags[id]!, { dependencies, build } as never) as Component.Component<string, string>).pipe(
            Lifecycle.initializer(() => Effect.zipRight(pause(id), faultAt(id, "initialize") ? boom(id, "initialize") : step(`init ${name}`))),
            Lifecycle.disposer(() => Effect.zipRight(step(`dispose ${name}`), faultAt(id, "dispose") ? boom(id, "dispose") : Effect.void))
          )
          if (hooked[id] || faultAt(id, "start") || faultAt(id, "start-hang") || faultAt(id, "stop")) {
            component = component.pipe(
              Lifecycle.onStart(() =>
                Effect.gen(function*() {
                  yield* step(`start ${name}`)
                  yield* pause(id)
                  if (faultAt(id, "start")) return yield* boom(id, "start")
                  if (faultAt(id, "start-hang")) return yield* Effect.never
                  yield* step(`started ${name}`)
                })
              ),
              Lifecycle.onStop(() => Effect.zipRight(step(`stop ${name}`), Effect.zipRight(pause(id), faultAt(id, "stop") ? boom(id, "stop") : Effect.void)))
            )
          }
          const kind = faultAt(id, "background") && work[id] === "none" ? "interrupt" : work[id]!
          if (kind !== "none") {
            component = Lifecycle.background(component, (_, shutdown) =>
              Effect.zipRight(
                step(`bg ${name}`),
                faultAt(id, "background")
                  ? Effect.zipRight(Effect.yieldNow(), boom(id, "background"))
                  : kind === "signal"
                  ? shutdown.requested
                  : Effect.never
              ), { onShutdown: kind })
          }
          const order = startup[id]
          return order === undefined ? component : Lifecycle.startup(component, order)
        })
        const parent = Component.make(P, { build: Effect.acquireRelease(Effect.as(recorder.record("+P"), "P"), () => recorder.record("-P")) }).pipe(
          Lifecycle.onStart(() => recorder.record("start P")),
          Lifecycle.onStop(() => recorder.record("stop P"))
        )
        const app = App.make(Registry.make(parent), {
          roots: [P, Container.Container],
          startTimeout: "2 seconds",
          stopTimeout: "2 seconds",
          graceTimeout: "1 second",
          releaseTimeout: "30 seconds"
        })
        return yield* Effect.scoped(Effect.gen(function*() {
          const running = yield* App.start(app)
          const root = Context.get(running.context, Container.Container)
          const childScope = yield* Scope.make()
          let closed: Exit.Exit<void> | undefined
          let stopped: Exit.Exit<Report.Report, unknown> | undefined
          let shutDown: Exit.Exit<unknown, unknown> | undefined
          const close = Effect.suspend(() =>
            closed !== undefined ? Effect.void : Effect.zipRight(recorder.record("close child"), Effect.map(Effect.exit(Scope.close(childScope, Exit.void)), (exit) => {
              closed ??= exit
            }))
          )
          const stop = Effect.suspend(() =>
            stopped !== undefined ? Effect.void : Effect.zipRight(recorder.record("stop app"), Effect.map(Effect.exit(App.stop(running)), (exit) => {
              stopped ??= exit
            }))
          )
          const opening = yield* Effect.fork(Effect.exit(Scope.extend(Effect.provideService(Container.child("tenant", components), Container.Container, root), childScope)))
          const actions: Array<Fiber.RuntimeFiber<void>> = []
          trigger = Effect.suspend(() => {
            const act = action.kind === "close"
              ? close
              : action.kind === "stop"
              ? stop
              : action.kind === "interrupt"
              ? Fiber.interrupt(opening)
              : Option.match(Container.findChild(root, "tenant"), {
                onNone: () => Effect.void,
                onSome: (tenant) =>
                  Effect.map(Effect.exit(Container.shutDownIn(tenant, childName(action.target))), (exit) => {
                    shutDown = exit
                  })
              })
            return Effect.map(Effect.forkDaemon(act), (fiber) => void actions.push(fiber as Fiber.RuntimeFiber<void>))
          })
          const opened = yield* awaitMovingClock(opening)
          yield* fire
          const hung: Array<string> = []
          if (opened === undefined) hung.push("the opening")
          for (const fiber of actions) if ((yield* awaitMovingClock(fiber)) === undefined) hung.push(`the ${action.kind}`)
          const failedOpen = opened !== undefined && Exit.isSuccess(opened) && Exit.isFailure(opened.value)
          // a failed opening (not interrupted) leaves no child of that name open
          const leftOpen = failedOpen && !Exit.isInterrupted(opened!) && stopped === undefined && Option.isSome(Container.findChild(root, "tenant"))
          if ((yield* awaitMovingClock(yield* Effect.fork(close))) === undefined) hung.push("the child's close")
          // once closed, the name is free again
          const reopened = stopped === undefined
            ? Exit.isSuccess(yield* Effect.exit(Effect.scoped(Effect.provideService(Container.child("tenant", []), Container.Container, root))))
            : true
          if ((yield* awaitMovingClock(yield* Effect.fork(stop))) === undefined) hung.push("the application's stop")
          return { opened, closed, stopped, shutDown, hung, leftOpen, reopened, logged, log: yield* recorder.entries }
        }))
      }).pipe(Effect.provide(Logger.replace(Logger.defaultLogger, logger)))
    }

    type Outcome = Effect.Effect.Success<ReturnType<typeof run>>

    const violations = (input: Scenario, outcome: Outcome): Array<string> => {
      const { closed, hung, leftOpen, log, logged, opened, reopened, shutDown, stopped } = outcome
      const found: Array<string> = hung.map((what) => `${what} did not end within ${clockTurns} seconds`)
      if (leftOpen) found.push("the failed opening left the child open")
      if (!reopened) found.push("the child could not be opened again once closed")
      const at = new Map<string, Array<number>>()
      log.forEach((event, index) => at.set(event, [...(at.get(event) ?? []), index]))
      const count = (event: string) => at.get(event)?.length ?? 0
      const first = (event: string) => at.get(event)?.[0]
      const ending = Math.min(first("close child") ?? Infinity, first("stop app") ?? Infinity)
      input.graph.forEach((_, id) => {
        const name = childName(id)
        if (count(`+${name}`) > 1) found.push(`${name} built ${count(`+${name}`)} times`)
        if (count(`-${name}`) !== count(`+${name}`)) found.push(`${name} built ${count(`+${name}`)} times, released ${count(`-${name}`)} times`)
        // a hook that ran to its end is undone, also when the opening was interrupted as it ran
        const started = count(`started ${name}`) > 0
        if (count(`stop ${name}`) !== (started ? 1 : 0)) {
          found.push(`${name} ${started ? "started" : "not started"}, stopped ${count(`stop ${name}`)} times`)
        }
        const stoppedAt = first(`stop ${name}`)
        if (stoppedAt !== undefined && stoppedAt > (first(`-${name}`) ?? -1)) found.push(`${name} stopped after its release`)
        if (stoppedAt !== undefined && (first(`dispose ${name}`) ?? Infinity) < stoppedAt) found.push(`${name} disposed before its stop`)
        const initialized = count(`init ${name}`) > 0
        if (count(`dispose ${name}`) !== (initialized ? 1 : 0)) found.push(`${name} ${initialized ? "initialized" : "not initialized"}, disposed ${count(`dispose ${name}`)} times`)
        if ((first(`dispose ${name}`) ?? -1) > (first(`-${name}`) ?? Infinity)) found.push(`${name} disposed after its release`)
        if ((first(`start ${name}`) ?? -1) > ending) found.push(`${name} started after the child's close or the application's stop began`)
        if (input.onParent[id]) {
          if ((first(`stop ${name}`) ?? -1) > (first("stop P") ?? Infinity)) found.push(`P stopped before its dependent ${name}`)
          if ((first(`-${name}`) ?? -1) > (first("-P") ?? Infinity)) found.push(`P released before its dependent ${name}`)
        }
      })
      for (const [from, to] of edgesOf(input.graph)) {
        const a = childName(from)
        const b = childName(to)
        const before = (x: string, y: string) => {
          const [i, j] = [first(x), first(y)]
          if (i !== undefined && j !== undefined && i > j) found.push(`${y} happened before ${x}, ${a} depending on ${b}`)
        }
        const requires = (x: string, y: string) => {
          const [i, j] = [first(x), first(y)]
          if (j !== undefined && (i === undefined || i > j)) found.push(`${y} happened without ${x} before it, ${a} depending on ${b}`)
        }
        requires(`+${b}`, `+${a}`)
        if (input.hooked[to]) requires(`started ${b}`, `start ${a}`)
        before(`stop ${a}`, `stop ${b}`)
        before(`-${a}`, `-${b}`)
        before(`dispose ${a}`, `-${b}`)
      }
      // every failure of a hook that ran is told: by the opening, the child's close or the application's stop
      const { fault } = input
      const name = childName(fault.node)
      const ran: Record<Fault, string | undefined> = {
        none: undefined,
        build: `+${name}`,
        initialize: `+${name}`,
        start: `start ${name}`,
        "start-hang": `start ${name}`,
        stop: `stop ${name}`,
        dispose: `dispose ${name}`,
        background: undefined
      }
      // an interrupted opening tells nothing of what failed it (its caller gave up on it); the failed
      // release of an instance whose build it interrupted is logged
      const hook = ran[fault.phase]
      const abandoned = input.action.kind === "interrupt" && fault.phase !== "stop" && fault.phase !== "dispose"
      if (hook !== undefined && count(hook) > 0 && !abandoned) {
        const told = [
          opened !== undefined && Exit.isSuccess(opened) && Exit.isFailure(opened.value) ? Cause.pretty(opened.value.cause) : "",
          closed !== undefined && Exit.isFailure(closed) ? Cause.pretty(closed.cause) : "",
          stopped === undefined ? "" : Exit.isSuccess(stopped) ? JSON.stringify(stopped.value.errors) : Cause.pretty(stopped.cause),
          shutDown !== undefined && Exit.isFailure(shutDown) ? Cause.pretty(shutDown.cause) : "",
          ...logged
        ].join("\n")
        const expected = fault.phase === "start-hang" ? `start hook of ${name} did not complete within 2s` : `where: \\"${fault.phase} ${name}\\"`
        const expectedPlain = fault.phase === "start-hang" ? expected : `where: "${fault.phase} ${name}"`
        if (!told.includes(expected) && !told.includes(expectedPlain)) found.push(`the ${fault.phase} fault of ${name} was told nowhere: ${told}`)
      }
      return found
    }

    it.effect.prop(
      "a child's own components under random faults, with its opening interrupted, its close, the application's stop or a shutdown at a random step: every started instance stops once, before its release, after its dependents; none starts once the close or the stop began; every built one is released once, after its dependents; every failure is told",
      [scenario],
      ([input]) =>
        Effect.gen(function*() {
          const outcome = yield* run(input)
          const found = violations(input, outcome)
          if (found.length > 0) throw new Error(`${found.join("\n")}\nlog: ${outcome.log.join(", ")}`)
        }),
      { fastCheck: { numRuns: 300, seed: 20261207 } }
    )
  })

  describe("fault injection in the hooks of instances built at run time", () => {
    /**
     * what a hook does: ends; fails; never ends (past its timeout); takes a few turns (an interruption
     * may arrive meanwhile, or as it ends); takes them where it cannot be interrupted (it then ends
     * interrupted: not complete, not undone); never ends where it cannot be interrupted (not waited for)
     */
    type Behaviour = "ok" | "fail" | "hang" | "slow" | "stubborn" | "stuck"

    interface Scenario {
      /** components O0..On-1 outside the plan, looked up at run time (Oi depends on the earlier ones listed) */
      readonly graph: Dag
      /** per O: it has start and stop hooks (a lookup's own singleton then starts) */
      readonly starts: ReadonlyArray<boolean>
      /** per O, then H (the application's singleton only a lazy handle reaches): its initializer */
      readonly initialize: ReadonlyArray<Behaviour>
      /** per O: its start hook */
      readonly start: ReadonlyArray<Behaviour>
      /** per O: its stop hook and its disposer end, fail, or never end where they cannot be interrupted (each bounded by the stop timeout) */
      readonly undo: ReadonlyArray<"ok" | "fail" | "stuck">
      /** per O: it depends on H too */
      readonly onH: ReadonlyArray<boolean>
      /** the application stopped after some turns of the requests, or once they ended */
      readonly stopAfter: number | undefined
      /** fibers asking for an O (its index) or H (-1), each interrupted after some turns, or not */
      readonly requests: ReadonlyArray<{ readonly target: number; readonly interruptAfter: number | undefined }>
    }

    const behaviour = fc.constantFrom<Behaviour>("ok", "ok", "fail", "hang", "slow", "slow", "stubborn", "stuck")
    const scenario: fc.Arbitrary<Scenario> = dag({ minSize: 1, maxSize: 3, maxDependencies: 2 }).chain((graph) => {
      const perNode = <A>(arbitrary: fc.Arbitrary<A>, extra = 0) => fc.array(arbitrary, { minLength: graph.length + extra, maxLength: graph.length + extra })
      return fc.record({
        graph: fc.constant(graph),
        starts: perNode(fc.boolean()),
        initialize: perNode(behaviour, 1),
        start: perNode(behaviour),
        onH: perNode(fc.boolean()),
        undo: perNode(fc.constantFrom<"ok" | "fail" | "stuck">("ok", "ok", "fail", "stuck")),
        stopAfter: fc.option(fc.nat({ max: 10 }), { nil: undefined }),
        requests: fc.array(
          fc.record({ target: fc.integer({ min: -1, max: graph.length - 1 }), interruptAfter: fc.option(fc.nat({ max: 8 }), { nil: undefined }) }),
          { minLength: 1, maxLength: 3 }
        )
      })
    })

    class H extends Context.Tag("H")<H, { readonly id: string }>() {}
    class Holder extends Context.Tag("Holder")<Holder, Effect.Effect<{ readonly id: string }, Errors.HandleError>>() {}
    const startTimeout = 2_000
    const stopTimeout = 2_000
    /** the fiber's exit, moving the TestClock a second at a time; `undefined` when it still runs a minute later (every timeout here is shorter) */
    const awaitWithin = <A, E>(fiber: Fiber.RuntimeFiber<A, E>) =>
      Effect.gen(function*() {
        for (let turn = 0; turn < 60 * 20; turn++) {
          const exit = yield* Fiber.poll(fiber)
          if (Option.isSome(exit)) return exit.value
          if (turn % 20 === 19) yield* TestClock.adjust("1 second")
          else yield* Effect.yieldNow()
        }
        return undefined
      })

    it.effect.prop(
      "initializers and start hooks of lookups' singletons and of a lazy handle's, failing, hanging past their timeout or interrupted at random turns: every initialized instance disposed once, every started one stopped once, each after it was, every built one released once; an interrupted request ends within the start timeout and its undoing's stop timeouts",
      [scenario],
      ([input]) =>
        Effect.gen(function*() {
          const { graph, initialize, onH, requests, start, starts, stopAfter, undo } = input
          const undone = (entry: string, id: number) =>
            Effect.zipRight(
              Effect.sync(() => void events.push(entry)),
              undo[id] === "fail" ? new Boom({ where: entry }) : undo[id] === "stuck" ? Effect.uninterruptible(Effect.never) : Effect.void
            )
          const events: Array<string> = []
          const counts = new Map<string, number>()
          const problems: Array<string> = []
          const turns = Effect.gen(function*() {
            for (let turn = 0; turn < 3; turn++) yield* Effect.yieldNow()
          })
          const hook = (entry: string, how: Behaviour) =>
            Effect.gen(function*() {
              events.push(`${entry}…`)
              if (how === "fail") return yield* new Boom({ where: `${entry}` })
              if (how === "hang") return yield* Effect.never
              if (how === "stuck") return yield* Effect.uninterruptible(Effect.never)
              if (how === "slow") yield* turns
              // ended interrupted if an interruption arrived meanwhile: recorded apart
              if (how === "stubborn") return yield* Effect.uninterruptible(Effect.zipRight(turns, Effect.sync(() => void events.push(`${entry}!`))))
              // its last step: recorded only when the hook completes (nothing can interrupt it after)
              events.push(entry)
            }).pipe(Effect.onExit(() => Effect.sync(() => void events.push(`${entry} ended`))))
          const instance = (name: string) =>
            Effect.acquireRelease(
              Effect.sync(() => {
                const id = `${name}#${(counts.get(name) ?? 0) + 1}`
                counts.set(name, (counts.get(name) ?? 0) + 1)
                events.push(`+${id}`)
                return { id }
              }),
              ({ id }) => Effect.sync(() => void events.push(`-${id}`))
            )
          const tags = graph.map((_, id) => Context.GenericTag<{ readonly id: string }>(`O${id}`))
          const outside = graph.map((dependencies, id) => {
            let component = Component.make(tags[id]!, {
              dependencies: [...dependencies.map((dependency) => tags[dependency]!), ...(onH[id] ? [H] : [])],
              build: instance(`O${id}`)
            } as never) as Component.Component<{ readonly id: string }, { readonly id: string }>
            component = component.pipe(
              Lifecycle.initializer((self) => hook(`init ${self.id}`, initialize[id]!)),
              Lifecycle.disposer((self) => undone(`dispose ${self.id}`, id))
            )
            if (starts[id]) {
              component = component.pipe(
                Lifecycle.onStart((self) => hook(`start ${self.id}`, start[id]!)),
                Lifecycle.onStop((self) => undone(`stop ${self.id}`, id))
              )
            }
            return component
          })
          const registry = Registry.make(
            ...outside,
            Component.make(H, { build: instance("H") }).pipe(
              Lifecycle.initializer((self) => hook(`init ${self.id}`, initialize[graph.length]!)),
              Lifecycle.disposer((self) => Effect.sync(() => void events.push(`dispose ${self.id}`)))
            ),
            Component.make(Holder, { dependencies: [Dependency.lazy(H)], build: Dependency.lazy(H) })
          )
          const app = App.make(registry, {
            roots: [Container.Container, Holder],
            startTimeout: `${startTimeout} millis`,
            stopTimeout: `${stopTimeout} millis`,
            releaseTimeout: "30 seconds"
          })
          // an interrupted request waits for the hook it cut off (what is left of the start timeout),
          // then undoes what completed meanwhile at once: each instance's stop hook and disposer
          const interruptionBound = startTimeout + 2 * stopTimeout * graph.length
          const stopped = yield* Effect.forkDaemon(Effect.scoped(Effect.gen(function*() {
            const running = yield* App.start(app)
            const root = Context.get(running.context, Container.Container)
            const holder = Context.get(running.context, Holder)
            const fibers = yield* Effect.forEach(requests, ({ target }) =>
              Effect.forkDaemon(Effect.exit(target === -1 ? holder : Container.getFrom(root, tags[target]!))))
            const stopping = stopAfter === undefined ? undefined : yield* Effect.forkDaemon(Effect.gen(function*() {
              for (let turn = 0; turn < stopAfter; turn++) yield* Effect.yieldNow()
              yield* Effect.exit(App.stop(running))
            }))
            // each interrupted after its turns: it ends within what is left of the start timeout
            const interrupters = yield* Effect.forEach(requests, ({ interruptAfter }, index) =>
              interruptAfter === undefined ? Effect.succeed(undefined) : Effect.forkDaemon(Effect.gen(function*() {
                for (let turn = 0; turn < interruptAfter; turn++) yield* Effect.yieldNow()
                const asked = yield* Clock.currentTimeMillis
                yield* Fiber.interrupt(fibers[index]!)
                const took = (yield* Clock.currentTimeMillis) - asked
                if (took > interruptionBound) problems.push(`request ${index}'s interruption took ${took}ms`)
              })))
            for (const fiber of [...fibers, ...interrupters, stopping]) {
              if (fiber !== undefined && (yield* awaitWithin(fiber as Fiber.RuntimeFiber<unknown, unknown>)) === undefined) problems.push("a request never ended")
            }
          })))
          if ((yield* awaitWithin(stopped)) === undefined) problems.push("the application never stopped")
          for (let turn = 0; turn < 50; turn++) yield* Effect.yieldNow()
          const count = (entry: string) => events.filter((event) => event === entry).length
          const at = (entry: string) => events.indexOf(entry)
          for (const event of events) {
            if (event.startsWith("+")) {
              const id = event.slice(1)
              if (count(`-${id}`) !== 1) problems.push(`${id} released ${count(`-${id}`)} times`)
            } else if (/^init \w+#\d+$/.test(event)) {
              const id = event.slice(5)
              if (count(`dispose ${id}`) !== 1) problems.push(`${id} initialized, disposed ${count(`dispose ${id}`)} times`)
              if (count(`dispose ${id}`) > 0 && at(`dispose ${id}`) < at(event)) problems.push(`${id} disposed before its initializer completed`)
            } else if (/^start \w+#\d+$/.test(event)) {
              const id = event.slice(6)
              if (count(`stop ${id}`) !== 1) problems.push(`${id} started, stopped ${count(`stop ${id}`)} times`)
              if (count(`stop ${id}`) > 0 && at(`stop ${id}`) < at(event)) problems.push(`${id} stopped before its start hook completed`)
            } else if (event.endsWith("…")) {
              // every hook ended, but one that cannot be interrupted and never ends
              const entry = event.slice(0, -1)
              const [kind, id] = entry.split(" ")
              const name = id!.split("#")[0]!
              const index = name === "H" ? graph.length : Number(name.slice(1))
              const how = kind === "init" ? initialize[index] : start[index]
              if (how !== "stuck" && count(`${entry} ended`) !== 1) problems.push(`${entry} never ended`)
            } else if (event.startsWith("dispose ")) {
              const id = event.slice(8)
              // one whose initializer could not be interrupted is disposed when it completed (not interrupted meanwhile)
              if (!events.includes(`init ${id}`) && !events.includes(`init ${id}!`)) problems.push(`${id} disposed, never initialized`)
              if (count(event) !== 1) problems.push(`${id} disposed ${count(event)} times`)
            } else if (event.startsWith("stop ")) {
              const id = event.slice(5)
              if (!events.includes(`start ${id}`) && !events.includes(`start ${id}!`)) problems.push(`${id} stopped, never started`)
              if (count(event) !== 1) problems.push(`${id} stopped ${count(event)} times`)
            }
          }
          if (problems.length > 0) throw new Error(`${[...new Set(problems)].join("\n")}\nevents: ${events.join(", ")}`)
        }),
      { fastCheck: { numRuns: 250, seed: 1 } }
    )
  })
})
