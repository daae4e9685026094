import { describe, expect, it } from "@effect/vitest"
import { vi } from "vitest"
import { Cause, Context, Deferred, Effect, Either, Exit, Fiber, Layer, Logger, Option, Scope, TestClock } from "effect"
import { App, Component, Container, Dependency, Errors, Family, Lifecycle, Lifetime, Qualifier, Registry, Resolver } from "../src/index.js"
import { type Instance, makeRecorder, type Recorder } from "./helpers/recorder.js"
import { settle } from "./helpers/run.js"

class Database extends Context.Tag("app/Database")<Database, { readonly url: string }>() {}
class Plugin extends Context.Tag("app/Plugin")<Plugin, { readonly name: string }>() {}

const Replica = Qualifier.make("replica")

/** Asserts that `f` throws a TypeError (not merely an error) with exactly this message. */
const expectTypeError = (f: () => unknown, message: string) => {
  let thrown: unknown
  try {
    f()
  } catch (error) {
    thrown = error
  }
  expect(thrown).toBeInstanceOf(TypeError)
  expect((thrown as TypeError).message).toBe(message)
}

describe("Dependency", () => {
  describe("interning", () => {
    it("deriving the same request twice gives the same tag", () => {
      expect(Dependency.all(Plugin)).toBe(Dependency.all(Plugin))
      expect(Dependency.optional(Database)).toBe(Dependency.optional(Database))
      expect(Dependency.named(Database, "audit")).toBe(Dependency.named(Database, "audit"))
      expect(Dependency.all(Dependency.qualified(Plugin, "core"))).toBe(Dependency.all(Dependency.qualified(Plugin, "core")))
    })

    it("requests whose labels coincide (names containing @ or #) are still different tags with different keys", () => {
      class X extends Context.Tag("X")<X, string>() {}
      class XAtY extends Context.Tag("X@y")<XAtY, string>() {}
      const qualifiedX = Dependency.qualified(X, "y#z")
      const namedXAtY = Dependency.named(XAtY, "z")
      expect(Dependency.describe(qualifiedX).label).toBe("X@y#z")
      expect(Dependency.describe(namedXAtY).label).toBe("X@y#z")
      expect(namedXAtY).not.toBe(qualifiedX)
      expect(new Set([qualifiedX.key, namedXAtY.key]).size).toBe(2)
      // interning still holds for each of them
      expect(Dependency.named(XAtY, "z")).toBe(namedXAtY)
      expect(Dependency.qualified(X, "y#z")).toBe(qualifiedX)
    })

    it("a qualified request made from a token is the same tag as one made from its name", () => {
      expect(Dependency.qualified(Database, Replica)).toBe(Dependency.qualified(Database, "replica"))
      expect(Dependency.qualified(Database, Replica)).toBe(Dependency.qualified(Database, Qualifier.make("replica")))
    })

    it("different requests are different tags with different keys", () => {
      const requests = [
        Database,
        Dependency.qualified(Database, "replica"),
        Dependency.qualified(Database, "other"),
        Dependency.named(Database, "replica"),
        Dependency.optional(Database),
        Dependency.all(Database),
        Dependency.optional(Dependency.qualified(Database, "replica")),
        Dependency.all(Dependency.named(Database, "replica"))
      ]
      expect(new Set(requests).size).toBe(requests.length)
      expect(new Set(requests.map((request) => request.key)).size).toBe(requests.length)
    })

    it("derived requests are Context tags", () => {
      for (
        const request of [
          Dependency.qualified(Database, Replica),
          Dependency.named(Database, "a"),
          Dependency.optional(Database),
          Dependency.all(Database)
        ]
      ) {
        expect(Context.isTag(request)).toBe(true)
      }
    })

    it.effect("a derived request reads its service from a context like any tag", () =>
      Effect.gen(function*() {
        const context = Context.empty().pipe(
          Context.add(Dependency.optional(Database), Option.some({ url: "x" })),
          Context.add(Dependency.all(Plugin), [{ name: "p" }])
        )
        const database = yield* Effect.provide(Dependency.optional(Database), context)
        const plugins = yield* Effect.provide(Dependency.all(Plugin), context)
        expect(database).toEqual(Option.some({ url: "x" }))
        expect(plugins).toEqual([{ name: "p" }])
      }))
  })

  describe("describe", () => {
    it("a plain tag is a single-valued request of itself under its own key", () => {
      expect(Dependency.describe(Database)).toEqual({
        service: "app/Database",
        selector: { _tag: "Any" },
        cardinality: "one",
        key: "app/Database",
        label: "app/Database"
      })
    })

    it("a qualified request is labelled Key@qualifier", () => {
      expect(Dependency.describe(Dependency.qualified(Database, Replica))).toEqual({
        service: "app/Database",
        selector: { _tag: "Qualifier", qualifier: "replica" },
        cardinality: "one",
        key: "layerwise/app/Database@replica",
        label: "app/Database@replica"
      })
    })

    it("a named request is labelled Key#name", () => {
      expect(Dependency.describe(Dependency.named(Database, "audit"))).toEqual({
        service: "app/Database",
        selector: { _tag: "Name", name: "audit" },
        cardinality: "one",
        key: "layerwise/app/Database#audit",
        label: "app/Database#audit"
      })
    })

    it("an optional request is labelled Option<...> and keeps the selector of what it wraps", () => {
      expect(Dependency.describe(Dependency.optional(Database))).toEqual({
        service: "app/Database",
        selector: { _tag: "Any" },
        cardinality: "optional",
        key: "layerwise/Option<app/Database>",
        label: "Option<app/Database>"
      })
      expect(Dependency.describe(Dependency.optional(Dependency.named(Database, "audit")))).toEqual({
        service: "app/Database",
        selector: { _tag: "Name", name: "audit" },
        cardinality: "optional",
        key: "layerwise/Option<app/Database#audit>",
        label: "Option<app/Database#audit>"
      })
    })

    it("a collection request is labelled All<...> and keeps the selector of what it wraps", () => {
      expect(Dependency.describe(Dependency.all(Plugin))).toEqual({
        service: "app/Plugin",
        selector: { _tag: "Any" },
        cardinality: "all",
        key: "layerwise/All<app/Plugin>",
        label: "All<app/Plugin>"
      })
      expect(Dependency.describe(Dependency.all(Dependency.qualified(Plugin, "core")))).toEqual({
        service: "app/Plugin",
        selector: { _tag: "Qualifier", qualifier: "core" },
        cardinality: "all",
        key: "layerwise/All<app/Plugin@core>",
        label: "All<app/Plugin@core>"
      })
    })
  })

  describe("misuse", () => {
    // Casts: these calls are rejected by the types too; the runtime checks protect untyped callers.
    const unsafe = <A>(value: unknown) => value as A
    /** A request as an untyped caller passes it (its identifier is lost, so the types cannot object). */
    const untyped = (tag: Dependency.Any): Dependency.Any => tag

    it("optional of a collection throws a TypeError", () => {
      expectTypeError(() => Dependency.optional(untyped(Dependency.all(Plugin))), "Dependency.optional: All<app/Plugin> is already a collection; optional applies to a tag or a qualified/named request")
    })

    it("a collection of an optional throws a TypeError", () => {
      expectTypeError(() => Dependency.all(untyped(Dependency.optional(Plugin))), "Dependency.all: Option<app/Plugin> is already optional; all applies to a tag or a qualified/named request")
    })

    it("nesting the same cardinality twice throws a TypeError", () => {
      expectTypeError(() => Dependency.all(untyped(Dependency.all(Plugin))), "Dependency.all: All<app/Plugin> is already a collection; all applies to a tag or a qualified/named request")
      expectTypeError(() => Dependency.optional(untyped(Dependency.optional(Plugin))), "Dependency.optional: Option<app/Plugin> is already optional; optional applies to a tag or a qualified/named request")
    })

    it("qualifying or naming a derived request throws a TypeError", () => {
      expectTypeError(() => Dependency.qualified(untyped(Dependency.all(Plugin)), "core"), "Dependency.qualified: All<app/Plugin> is already a derived request; apply qualified to the service's own tag")
      expectTypeError(() => Dependency.named(untyped(Dependency.qualified(Plugin, "core")), "x"), "Dependency.named: app/Plugin@core is already a derived request; apply named to the service's own tag")
    })

    it("deriving from something that is not a tag throws a TypeError", () => {
      expectTypeError(() => Dependency.qualified(unsafe<typeof Database>("Database"), "replica"), "Dependency.qualified: expected a Context.Tag, got Database")
      expectTypeError(() => Dependency.named(unsafe<typeof Database>(undefined), "a"), "Dependency.named: expected a Context.Tag, got undefined")
      expectTypeError(() => Dependency.optional(unsafe<typeof Database>(42)), "Dependency.optional: expected a Context.Tag, got 42")
      expectTypeError(() => Dependency.all(unsafe<typeof Database>(null)), "Dependency.all: expected a Context.Tag, got null")
    })

    it("an empty qualifier or name throws a TypeError", () => {
      expectTypeError(() => Dependency.qualified(Database, ""), "Dependency.qualified: the qualifier of app/Database must be a non-empty string or Qualifier")
      expectTypeError(() => Dependency.named(Database, ""), "Dependency.named: the name requested of app/Database must be a non-empty string")
    })
  })
  describe("two loaded copies of layerwise", () => {
    it("intern derived requests into one table: the same request is the same tag in both", async () => {
      // Regression: each copy kept its own table, so a copy derived another tag (and another key) for
      // the same request once the other had taken the label's key.
      vi.resetModules()
      const copy = await import("../src/Dependency.js")
      expect(copy).not.toBe(Dependency)
      const made = Dependency.all(Dependency.named(Plugin, "copies"))
      expect(copy.all(copy.named(Plugin, "copies"))).toBe(made)
      expect(copy.qualified(Database, "copied").key).toBe(Dependency.qualified(Database, "copied").key)
    })

    it("number families of one name together: members of two such families never share a key", async () => {
      vi.resetModules()
      const copy = await import("../src/Family.js")
      expect(copy).not.toBe(Family)
      const options = { name: "Copied", key: (id: string) => id, build: (id: string) => Effect.succeed({ name: id }) }
      const mine = Family.make(Plugin, options)
      const theirs = copy.make(Plugin, options)
      expect(Family.request(mine, "a").key).not.toBe(copy.request(theirs, "a").key)
    })
  })
})

// ---------------------------------------------------------------------------------------------
// handles at run time

class Leaf extends Context.Tag("Leaf")<Leaf, Instance>() {}
class Base extends Context.Tag("Base")<Base, Instance>() {}
class Holder extends Context.Tag("Holder")<Holder, Instance & { readonly leaf: Effect.Effect<Instance, Errors.HandleError> }>() {}
class Maker extends Context.Tag("Maker")<Maker, Instance & { readonly make: Effect.Effect<Instance, Errors.HandleError, Scope.Scope> }>() {}
class Keeper extends Context.Tag("Keeper")<Keeper, Instance & { readonly rules: Dependency.ReloadableHandle<Instance> }>() {}

/** Builds `layer` in a scope of its own: the context, and the Effect that closes it (the container's release). */
/**
 * A `use` of the handle forked and held: it has its instance once this returns, and records its use
 * (`recorder.use`) once `finish` lets it end (and joins it).
 */
const heldUse = (handle: Dependency.ReloadableHandle<Instance>, recorder: Recorder) =>
  Effect.gen(function*() {
    const inUse = yield* Deferred.make<void>()
    const done = yield* Deferred.make<void>()
    const user = yield* Effect.fork(handle.use((instance) =>
      Effect.zipRight(Effect.zipRight(Deferred.succeed(inUse, undefined), Deferred.await(done)), recorder.use(instance))
    ))
    yield* Deferred.await(inUse)
    return { finish: Effect.asVoid(Effect.zipRight(Deferred.succeed(done, undefined), Fiber.join(user))) }
  })

const open = <ROut, E>(layer: Layer.Layer<ROut, E>) =>
  Effect.gen(function*() {
    const scope = yield* Scope.make()
    const context = yield* Layer.buildWithScope(layer, scope)
    return { context, close: Scope.close(scope, Exit.void) }
  })

/** A holder of a lazy handle of Leaf, itself tracked. */
const holderOf = (recorder: Recorder) =>
  Component.make(Holder, {
    dependencies: [Dependency.lazy(Leaf)],
    build: Effect.zipWith(recorder.instance("Holder"), Dependency.lazy(Leaf), (instance, leaf) => ({ ...instance, leaf }))
  })

const leafOf = (recorder: Recorder, extra?: Effect.Effect<void, string>) =>
  Component.make(Leaf, {
    dependencies: [Base],
    build: Effect.zipLeft(recorder.instance("Leaf"), extra ?? Effect.void)
  })

const baseOf = (recorder: Recorder) => Component.make(Base, { build: recorder.instance("Base") })

describe("Dependency.lazy at run time", () => {
  /**
   * A lazy Leaf whose first build did not last: that attempt's instance released with its scope at
   * once, the second kept; at close the holder first, then Leaf, then Base (built once, kept).
   */
  const buildRetriedOnce = [
    "build Holder#1",
    "build Base#1",
    "build Leaf#1",
    "release Leaf#1",
    "build Leaf#2",
    "release Holder#1",
    "release Leaf#2",
    "release Base#1"
  ]

  it.effect("builds the component (and what it alone needs) on its first use, once, not at startup; released with the container", () =>
    Effect.gen(function*() {
      const recorder = makeRecorder()
      const registry = Registry.make(holderOf(recorder), leafOf(recorder), baseOf(recorder))
      const { context, close } = yield* open(Registry.toLayer(registry, [Holder]))
      expect(recorder.events).toEqual(["build Holder#1"])
      const holder = Context.get(context, Holder)
      const first = yield* holder.leaf
      const second = yield* holder.leaf
      expect(first).toBe(second)
      expect(first.id).toBe("Leaf#1")
      yield* close
      expect(recorder.events).toEqual(["build Holder#1", "build Base#1", "build Leaf#1", "release Holder#1", "release Leaf#1", "release Base#1"])
      // released exactly once: closing again releases nothing more
      yield* close
      expect(recorder.events.filter((event) => event.startsWith("release"))).toHaveLength(3)
    }))

  it.effect("concurrent first uses share one build", () =>
    Effect.gen(function*() {
      const recorder = makeRecorder()
      const gate = yield* Deferred.make<void>()
      const registry = Registry.make(holderOf(recorder), leafOf(recorder, Deferred.await(gate)), baseOf(recorder))
      const { context, close } = yield* open(Registry.toLayer(registry, [Holder]))
      const holder = Context.get(context, Holder)
      const users = yield* Effect.fork(Effect.all(Array.from({ length: 8 }, () => holder.leaf), { concurrency: "unbounded" }))
      yield* settle
      // every user is waiting on the one build, which waits on the gate
      expect(recorder.builds("Leaf")).toBe(1)
      yield* Deferred.succeed(gate, undefined)
      const instances = yield* Fiber.join(users)
      expect(new Set(instances.map((instance) => instance.id))).toEqual(new Set(["Leaf#1"]))
      yield* close
      expect(recorder.events).toEqual(["build Holder#1", "build Base#1", "build Leaf#1", "release Holder#1", "release Leaf#1", "release Base#1"])
    }))

  it.effect("a failure is not kept: the next use tries again, and succeeds", () =>
    Effect.gen(function*() {
      const recorder = makeRecorder()
      let attempts = 0
      const flaky = Effect.suspend(() => ++attempts === 1 ? Effect.fail("not yet") : Effect.void)
      const registry = Registry.make(holderOf(recorder), leafOf(recorder, flaky), baseOf(recorder))
      const { context, close } = yield* open(Registry.toLayer(registry, [Holder]))
      const holder = Context.get(context, Holder)
      const failed = yield* Effect.flip(holder.leaf)
      expect(failed).toBeInstanceOf(Errors.ConstructionError)
      expect(failed).toEqual(new Errors.ConstructionError({ component: "Leaf", path: ["Holder", "Leaf"], cause: "not yet" }))
      expect(failed.message).toBe("Holder -> Leaf: constructor of Leaf failed: not yet")
      const leaf = yield* holder.leaf
      expect(leaf.id).toBe("Leaf#2")
      expect(yield* holder.leaf).toBe(leaf)
      yield* close
      expect(recorder.events).toEqual(buildRetriedOnce)
    }))

  it.effect("an interrupted first build is not kept: a caller that waited on it builds again, and gets the instance", () =>
    Effect.gen(function*() {
      const recorder = makeRecorder()
      const gate = yield* Deferred.make<void>()
      let attempts = 0
      // the first attempt waits on the gate (and is interrupted there); the next ones go through
      const slowFirst = Effect.suspend(() => ++attempts === 1 ? Deferred.await(gate) : Effect.void)
      const registry = Registry.make(holderOf(recorder), leafOf(recorder, slowFirst), baseOf(recorder))
      const { context, close } = yield* open(Registry.toLayer(registry, [Holder]))
      const holder = Context.get(context, Holder)
      const builder = yield* Effect.fork(holder.leaf)
      yield* settle
      const waiter = yield* Effect.fork(holder.leaf)
      yield* settle
      yield* Fiber.interrupt(builder)
      const leaf = yield* Fiber.join(waiter)
      expect(leaf.id).toBe("Leaf#2")
      expect(yield* holder.leaf).toBe(leaf)
      yield* close
      expect(recorder.events).toEqual(buildRetriedOnce)
    }))

  it.effect("a handle first used once its container was released fails with ContainerClosed and builds nothing", () =>
    Effect.gen(function*() {
      const recorder = makeRecorder()
      const registry = Registry.make(holderOf(recorder), leafOf(recorder), baseOf(recorder))
      const { context, close } = yield* open(Registry.toLayer(registry, [Holder]))
      const holder = Context.get(context, Holder)
      yield* close
      const closed = new Errors.ContainerClosed({ container: [], operation: "get" })
      expect(yield* Effect.flip(holder.leaf)).toEqual(closed)
      // a later use as well: nothing was kept
      expect(yield* Effect.flip(holder.leaf)).toEqual(closed)
      expect(recorder.events).toEqual(["build Holder#1", "release Holder#1"])
    }))

  it.effect("a handle of a transient used once its container was released fails with ContainerClosed, never giving the released instance; a finalizer of its holder that runs before its release still gets it", () =>
    Effect.gen(function*() {
      const recorder = makeRecorder()
      // the holder uses its Leaf as it is built, so that Leaf is released after the holder's finalizer
      const holder = Component.make(Holder, {
        dependencies: [Dependency.lazy(Leaf)],
        build: Effect.gen(function*() {
          const instance = yield* recorder.instance("Holder")
          const leaf = yield* Dependency.lazy(Leaf)
          yield* leaf
          yield* Effect.addFinalizer(() => Effect.flatMap(Effect.orDie(leaf), recorder.use))
          return { ...instance, leaf }
        })
      })
      const { context, close } = yield* open(Registry.toLayer(Registry.make(holder, leafOf(recorder).pipe(Lifetime.transient), baseOf(recorder)), [Holder]))
      const { leaf } = Context.get(context, Holder)
      expect((yield* leaf).id).toBe("Leaf#1")
      yield* close
      expect(yield* Effect.flip(leaf)).toEqual(new Errors.ContainerClosed({ container: [], operation: "get" }))
      expect(recorder.events).toEqual(["build Holder#1", "build Base#1", "build Leaf#1", "use Leaf#1", "release Leaf#1", "release Holder#1", "release Base#1"])
      expect(recorder.usedAfterRelease).toEqual([])
    }))

  /** A holder of a lazy handle of Leaf whose finalizer uses it: Leaf is released after it. */
  const usingHolderOf = (recorder: Recorder) =>
    Component.make(Holder, {
      dependencies: [Dependency.lazy(Leaf)],
      build: Effect.gen(function*() {
        const instance = yield* recorder.instance("Holder")
        const leaf = yield* Dependency.lazy(Leaf)
        yield* Effect.addFinalizer(() => Effect.flatMap(Effect.orDie(leaf), recorder.use))
        return { ...instance, leaf }
      })
    })

  it.effect("a handle of a singleton used once its container was released fails with ContainerClosed, never giving the released instance; a finalizer of its holder still gets it", () =>
    Effect.gen(function*() {
      const recorder = makeRecorder()
      const { context, close } = yield* open(Registry.toLayer(Registry.make(usingHolderOf(recorder), leafOf(recorder), baseOf(recorder)), [Holder]))
      const { leaf } = Context.get(context, Holder)
      expect((yield* leaf).id).toBe("Leaf#1")
      yield* close
      expect(yield* Effect.flip(leaf)).toEqual(new Errors.ContainerClosed({ container: [], operation: "get" }))
      expect(recorder.events).toEqual(["build Holder#1", "build Base#1", "build Leaf#1", "use Leaf#1", "release Holder#1", "release Leaf#1", "release Base#1"])
      expect(recorder.usedAfterRelease).toEqual([])
    }))

  it.effect("a handle of a singleton the build made at startup (a root too), used once its container was released, fails with ContainerClosed; a finalizer of its holder still gets it", () =>
    Effect.gen(function*() {
      const recorder = makeRecorder()
      const { context, close } = yield* open(Registry.toLayer(Registry.make(usingHolderOf(recorder), leafOf(recorder), baseOf(recorder)), [Holder, Leaf]))
      const { leaf } = Context.get(context, Holder)
      expect(yield* leaf).toBe(Context.get(context, Leaf))
      yield* close
      expect(yield* Effect.flip(leaf)).toEqual(new Errors.ContainerClosed({ container: [], operation: "get" }))
      expect(recorder.events).toEqual(["build Base#1", "build Leaf#1", "build Holder#1", "use Leaf#1", "release Holder#1", "release Leaf#1", "release Base#1"])
      expect(recorder.usedAfterRelease).toEqual([])
    }))

  it.effect("a first use still building when its container's release begins fails with ContainerClosed: the release waits for the build, then releases the instance it never gave", () =>
    Effect.gen(function*() {
      const recorder = makeRecorder()
      const started = yield* Deferred.make<void>()
      const gate = yield* Deferred.make<void>()
      const registry = Registry.make(holderOf(recorder), leafOf(recorder, Effect.zipRight(Deferred.succeed(started, undefined), Deferred.await(gate))), baseOf(recorder))
      const { context, close } = yield* open(Registry.toLayer(registry, [Holder]))
      const { leaf } = Context.get(context, Holder)
      const user = yield* Effect.fork(Effect.either(leaf))
      yield* Deferred.await(started)
      const closing = yield* Effect.fork(close)
      yield* settle
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.join(closing)
      expect(yield* Fiber.join(user)).toEqual(Either.left(new Errors.ContainerClosed({ container: [], operation: "get" })))
      expect(recorder.events).toEqual(["build Holder#1", "build Base#1", "build Leaf#1", "release Holder#1", "release Leaf#1", "release Base#1"])
    }))

  it.effect("a first use of a transient still building when its container's release begins fails with ContainerClosed: the release waits for the build, then releases the instance it never gave", () =>
    Effect.gen(function*() {
      const recorder = makeRecorder()
      const started = yield* Deferred.make<void>()
      const gate = yield* Deferred.make<void>()
      const slowLeaf = leafOf(recorder, Effect.zipRight(Deferred.succeed(started, undefined), Deferred.await(gate))).pipe(Lifetime.transient)
      const { context, close } = yield* open(Registry.toLayer(Registry.make(holderOf(recorder), slowLeaf, baseOf(recorder)), [Holder]))
      const { leaf } = Context.get(context, Holder)
      const user = yield* Effect.fork(Effect.either(leaf))
      yield* Deferred.await(started)
      const closing = yield* Effect.fork(close)
      yield* settle
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.join(closing)
      expect(yield* Fiber.join(user)).toEqual(Either.left(new Errors.ContainerClosed({ container: [], operation: "get" })))
      expect(recorder.events).toEqual(["build Holder#1", "build Base#1", "build Leaf#1", "release Leaf#1", "release Holder#1", "release Base#1"])
    }))

  it("a lazy request of a missing component is a resolution error, before anything runs", () => {
    const recorder = makeRecorder()
    const result = Resolver.resolve(Registry.make(holderOf(recorder)), [Holder])
    expect(Either.isLeft(result)).toBe(true)
    expect((result as Either.Left<Errors.ResolutionError, never>).left.problems.map((problem) => problem._tag)).toEqual(["MissingComponent"])
    expect(recorder.events).toEqual([])
  })

  it("a lazy request of a missing service with a close name suggests it and says how to provide it", () => {
    // Regression: the suggestion replaced "register one, or declare it external" instead of coming before it
    class Leef extends Context.Tag("Leef")<Leef, Instance>() {}
    class Reader extends Context.Tag("Reader")<Reader, Effect.Effect<Instance, Errors.HandleError>>() {}
    const registry = Registry.make(
      Component.succeed(Leaf, { id: "leaf" }),
      Component.make(Reader, { dependencies: [Dependency.lazy(Leef)], build: Dependency.lazy(Leef) })
    )
    const result = Resolver.resolve(registry, [Reader])
    expect(Either.flip(result).pipe(Either.map((error) => error.message))).toEqual(Either.right(
      "1 problem resolving the graph:\n  - Reader -> Lazy<Leef>: no component provides Leef (available: Leaf, Reader); " +
        "did you mean Leaf? If not, register one, or declare it external if the program provides it"
    ))
  })
})

describe("Dependency.factory at run time", () => {
  const makerOf = (recorder: Recorder) =>
    Component.make(Maker, {
      dependencies: [Dependency.factory(Leaf)],
      build: Effect.zipWith(recorder.instance("Maker"), Dependency.factory(Leaf), (instance, make) => ({ ...instance, make }))
    })

  it.effect("gives a fresh instance per call, released with the caller's Scope; the singleton is unchanged", () =>
    Effect.gen(function*() {
      const recorder = makeRecorder()
      const Using = Component.make(Keeper, {
        dependencies: [Leaf],
        build: Effect.map(Leaf, (leaf) => ({ id: `Keeper(${leaf.id})`, rules: undefined as never }))
      })
      const registry = Registry.make(makerOf(recorder), leafOf(recorder), baseOf(recorder), Using)
      const { context, close } = yield* open(Registry.toLayer(registry, [Maker, Leaf]))
      expect(recorder.events).toEqual(["build Base#1", "build Leaf#1", "build Maker#1"])
      const maker = Context.get(context, Maker)
      const [a, b] = yield* Effect.scoped(Effect.gen(function*() {
        const a = yield* maker.make
        const b = yield* maker.make
        recorder.events.push("caller done")
        return [a, b] as const
      }))
      expect([a.id, b.id]).toEqual(["Leaf#2", "Leaf#3"])
      expect(Context.get(context, Leaf).id).toBe("Leaf#1")
      yield* close
      expect(recorder.events).toEqual([
        "build Base#1",
        "build Leaf#1",
        "build Maker#1",
        "build Leaf#2",
        "build Leaf#3",
        "caller done",
        "release Leaf#3",
        "release Leaf#2",
        "release Maker#1",
        "release Leaf#1",
        "release Base#1"
      ])
    }))

  it.effect("a call once its container was released fails with ContainerClosed, where it built on released dependencies", () =>
    Effect.gen(function*() {
      const recorder = makeRecorder()
      const registry = Registry.make(makerOf(recorder), leafOf(recorder), baseOf(recorder))
      const { context, close } = yield* open(Registry.toLayer(registry, [Maker]))
      const maker = Context.get(context, Maker)
      const leaf = yield* Effect.scoped(maker.make)
      yield* close
      expect(yield* Effect.flip(Effect.scoped(maker.make))).toEqual(new Errors.ContainerClosed({ container: [], operation: "get" }))
      expect(leaf.id).toBe("Leaf#1")
      expect(recorder.events).toEqual(["build Maker#1", "build Base#1", "build Leaf#1", "release Leaf#1", "release Maker#1", "release Base#1"])
    }))

  it.effect("a call still building when its container closes fails with ContainerClosed: the close waits for it, and its instance is released at once, before its dependencies", () =>
    Effect.gen(function*() {
      const recorder = makeRecorder()
      const started = yield* Deferred.make<void>()
      const gate = yield* Deferred.make<void>()
      let calls = 0
      const slowLeaf = Component.make(Leaf, {
        dependencies: [Base],
        build: Effect.suspend(() =>
          ++calls === 1 ? recorder.instance("Leaf") : Effect.zipRight(Effect.zipRight(Deferred.succeed(started, undefined), Deferred.await(gate)), recorder.instance("Leaf"))
        )
      })
      const { context, close } = yield* open(Registry.toLayer(Registry.make(makerOf(recorder), slowLeaf, baseOf(recorder)), [Maker, Leaf]))
      const maker = Context.get(context, Maker)
      // the caller's Scope outlives the container
      const caller = yield* Scope.make()
      const calling = yield* Effect.fork(Effect.either(Scope.extend(maker.make, caller)))
      yield* Deferred.await(started)
      const closing = yield* Effect.fork(close)
      for (let step = 0; step < 10; step++) yield* Effect.yieldNow()
      expect(recorder.events).toEqual(["build Base#1", "build Leaf#1", "build Maker#1"])
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.join(closing)
      expect(yield* Fiber.join(calling)).toEqual(Either.left(new Errors.ContainerClosed({ container: [], operation: "get" })))
      yield* Scope.close(caller, Exit.void)
      expect(recorder.events).toEqual([
        "build Base#1",
        "build Leaf#1",
        "build Maker#1",
        "build Leaf#2",
        "release Leaf#2",
        "release Maker#1",
        "release Leaf#1",
        "release Base#1"
      ])
    }))

  it.effect("each instance runs its own initializers and disposers (App)", () =>
    Effect.gen(function*() {
      const recorder = makeRecorder()
      const leaf = leafOf(recorder).pipe(
        Lifecycle.initializer((instance) => Effect.sync(() => recorder.events.push(`initialize ${instance.id}`))),
        Lifecycle.disposer((instance) => Effect.sync(() => recorder.events.push(`dispose ${instance.id}`)))
      )
      const app = App.make(Registry.make(makerOf(recorder), leaf, baseOf(recorder)), { roots: [Maker] })
      yield* Effect.scoped(Effect.gen(function*() {
        const running = yield* App.start(app)
        const maker = Context.get(running.context, Maker)
        yield* Effect.scoped(Effect.zip(maker.make, maker.make))
        yield* App.stop(running)
      }))
      expect(recorder.events).toEqual([
        "build Maker#1",
        "build Base#1",
        "build Leaf#1",
        "initialize Leaf#1",
        "build Leaf#2",
        "initialize Leaf#2",
        "dispose Leaf#2",
        "release Leaf#2",
        "dispose Leaf#1",
        "release Leaf#1",
        // Maker may use what its factory makes until it is released: Base (which those need) after it
        "release Maker#1",
        "release Base#1"
      ])
    }))

  it.effect("a failed initializer fails the call with a ConstructionError, and releases what it built", () =>
    Effect.gen(function*() {
      const recorder = makeRecorder()
      const leaf = leafOf(recorder).pipe(Lifecycle.initializer(() => Effect.fail("refused")))
      const app = App.make(Registry.make(makerOf(recorder), leaf, baseOf(recorder)), { roots: [Maker] })
      const error = yield* Effect.scoped(Effect.gen(function*() {
        const running = yield* App.start(app)
        const error = yield* Effect.flip(Effect.scoped(Context.get(running.context, Maker).make))
        yield* App.stop(running)
        return error
      }))
      expect(error).toBeInstanceOf(Errors.ConstructionError)
      expect(error).toEqual(
        new Errors.ConstructionError({
          component: "Leaf",
          path: ["Maker", "Leaf"],
          cause: new Errors.HookFailed({ component: "Leaf", path: ["Maker", "Leaf"], phase: "initialize", hook: "initializer", cause: "refused" })
        })
      )
      // the initializer's failure, said once: not "constructor of Leaf failed: HookFailed: Maker -> Leaf: initializer ..."
      expect(error.message).toBe("Maker -> Leaf: initializer of Leaf failed: refused")
      expect(recorder.events).toEqual(["build Maker#1", "build Base#1", "build Leaf#1", "release Leaf#1", "release Maker#1", "release Base#1"])
    }))
})

/** A keeper of a reloadable handle of Leaf, itself tracked. */
const keeperOf = (recorder: Recorder) =>
  Component.make(Keeper, {
    dependencies: [Dependency.reloadable(Leaf)],
    build: Effect.zipWith(recorder.instance("Keeper"), Dependency.reloadable(Leaf), (instance, rules) => ({ ...instance, rules }))
  })

describe("Dependency.reloadable at run time", () => {

  it.effect("get and use give the current instance; reload makes a new one current for later uses and releases the old one", () =>
    Effect.gen(function*() {
      const recorder = makeRecorder()
      const registry = Registry.make(keeperOf(recorder), leafOf(recorder), baseOf(recorder))
      const { context, close } = yield* open(Registry.toLayer(registry, [Keeper]))
      const { rules } = Context.get(context, Keeper)
      expect((yield* Effect.scoped(rules.get)).id).toBe("Leaf#1")
      expect(yield* rules.use((leaf) => Effect.succeed(leaf.id))).toBe("Leaf#1")
      yield* rules.reload
      expect(yield* rules.use((leaf) => Effect.succeed(leaf.id))).toBe("Leaf#2")
      yield* rules.reload
      expect((yield* Effect.scoped(rules.get)).id).toBe("Leaf#3")
      yield* close
      expect(recorder.events).toEqual([
        "build Base#1",
        "build Leaf#1",
        "build Keeper#1",
        "build Leaf#2",
        "release Leaf#1",
        "build Leaf#3",
        "release Leaf#2",
        "release Keeper#1",
        "release Leaf#3",
        "release Base#1"
      ])
    }))

  it.effect("an instance in use is released only when its last user is done", () =>
    Effect.gen(function*() {
      const recorder = makeRecorder()
      const registry = Registry.make(keeperOf(recorder), leafOf(recorder), baseOf(recorder))
      const { context, close } = yield* open(Registry.toLayer(registry, [Keeper]))
      const { rules } = Context.get(context, Keeper)
      const held = yield* heldUse(rules, recorder)
      // a get whose Scope stays open holds it too
      const holding = yield* Scope.make()
      const got = yield* Scope.extend(rules.get, holding)
      yield* rules.reload
      expect(recorder.events.slice(3)).toEqual(["build Leaf#2"])
      yield* held.finish
      expect(recorder.events.slice(3)).toEqual(["build Leaf#2", "use Leaf#1"])
      yield* recorder.use(got)
      yield* Scope.close(holding, Exit.void)
      expect(recorder.events.slice(3)).toEqual(["build Leaf#2", "use Leaf#1", "use Leaf#1", "release Leaf#1"])
      expect(recorder.usedAfterRelease).toEqual([])
      yield* close
      expect(recorder.events.slice(7)).toEqual(["release Keeper#1", "release Leaf#2", "release Base#1"])
    }))

  it.effect("a replaced instance whose release (its last user's) is in flight as the container closes is released in full before its dependencies", () =>
    Effect.gen(function*() {
      const recorder = makeRecorder()
      // Leaf#1's release waits for `finish`: a release in flight when the close reaches its scope
      const finish = yield* Deferred.make<void>()
      const slowLeaf = Component.make(Leaf, {
        dependencies: [Base],
        build: Effect.tap(recorder.instance("Leaf"), (leaf) =>
          leaf.id === "Leaf#1"
            ? Effect.addFinalizer(() => Effect.zipRight(Deferred.await(finish), Effect.sync(() => void recorder.events.push("finalized Leaf#1"))))
            : Effect.void)
      })
      const registry = Registry.make(keeperOf(recorder), slowLeaf, baseOf(recorder))
      const { context, close } = yield* open(Registry.toLayer(registry, [Keeper]))
      const { rules } = Context.get(context, Keeper)
      const done = yield* Deferred.make<void>()
      const inUse = yield* Deferred.make<void>()
      const user = yield* Effect.fork(rules.use(() => Effect.zipRight(Deferred.succeed(inUse, undefined), Deferred.await(done))))
      yield* Deferred.await(inUse)
      yield* rules.reload
      // the use ends: Leaf#1's release (its last holder's) begins, and waits; then the container closes
      yield* Deferred.succeed(done, undefined)
      for (let step = 0; step < 5; step++) yield* Effect.yieldNow()
      const closing = yield* Effect.fork(close)
      for (let step = 0; step < 10; step++) yield* Effect.yieldNow()
      const meanwhile = recorder.events.slice(4)
      yield* Deferred.succeed(finish, undefined)
      yield* Fiber.join(user)
      yield* Fiber.join(closing)
      // the close waits for Leaf#1's release: Base is not released under it
      expect(meanwhile).toEqual(["release Keeper#1", "release Leaf#2"])
      expect(recorder.events).toEqual([
        "build Base#1",
        "build Leaf#1",
        "build Keeper#1",
        "build Leaf#2",
        "release Keeper#1",
        "release Leaf#2",
        "finalized Leaf#1",
        "release Leaf#1",
        "release Base#1"
      ])
    }))

  it.effect("a failed reload keeps the current instance and fails with the typed error", () =>
    Effect.gen(function*() {
      const recorder = makeRecorder()
      let attempts = 0
      const failsSecond = Effect.suspend(() => ++attempts === 2 ? Effect.fail("broken rules") : Effect.void)
      const registry = Registry.make(keeperOf(recorder), leafOf(recorder, failsSecond), baseOf(recorder))
      const { context, close } = yield* open(Registry.toLayer(registry, [Keeper]))
      const { rules } = Context.get(context, Keeper)
      const error = yield* Effect.flip(rules.reload)
      expect(error).toBeInstanceOf(Errors.ConstructionError)
      expect(error).toEqual(new Errors.ConstructionError({ component: "Leaf", path: ["Keeper", "Leaf"], cause: "broken rules" }))
      expect(error.message).toBe("Keeper -> Leaf: constructor of Leaf failed: broken rules")
      expect(yield* rules.use((leaf) => Effect.succeed(leaf.id))).toBe("Leaf#1")
      yield* rules.reload
      expect(yield* rules.use((leaf) => Effect.succeed(leaf.id))).toBe("Leaf#3")
      yield* close
      expect(recorder.events).toEqual([
        "build Base#1",
        "build Leaf#1",
        "build Keeper#1",
        "build Leaf#2",
        "release Leaf#2",
        "build Leaf#3",
        "release Leaf#1",
        "release Keeper#1",
        "release Leaf#3",
        "release Base#1"
      ])
    }))

  it.effect("a failed reload whose attempt's release fails too fails with the construction's error, the release's failure added to its cause", () =>
    Effect.gen(function*() {
      const recorder = makeRecorder()
      let attempts = 0
      // what each attempt acquired is released with a failure; the second attempt then fails
      const Flaky = Component.make(Leaf, {
        build: Effect.gen(function*() {
          const leaf = yield* recorder.instance("Leaf")
          yield* Effect.addFinalizer(() => Effect.die(new Error(`${leaf.id} socket closed`)))
          if (++attempts === 2) return yield* Effect.fail("broken rules")
          return leaf
        })
      })
      const { context, close } = yield* open(Registry.toLayer(Registry.make(keeperOf(recorder), Flaky), [Keeper]))
      const { rules } = Context.get(context, Keeper)
      const exit = yield* Effect.exit(rules.reload)
      expect(Exit.isFailure(exit) && Cause.failureOption(exit.cause)).toEqual(
        Option.some(new Errors.ConstructionError({ component: "Leaf", path: ["Keeper", "Leaf"], cause: "broken rules" }))
      )
      expect(Exit.isFailure(exit) && Cause.defects(exit.cause).pipe((defects) => [...defects].map(String))).toEqual(["Error: Leaf#2 socket closed"])
      expect(yield* rules.use((leaf) => Effect.succeed(leaf.id))).toBe("Leaf#1")
      yield* Effect.exit(close)
      expect(recorder.events).toEqual(["build Leaf#1", "build Keeper#1", "build Leaf#2", "release Leaf#2", "release Keeper#1", "release Leaf#1"])
    }))

  it.effect("a replaced instance whose release fails is logged as its ReleaseError's message, with the failure as the log's cause", () =>
    Effect.gen(function*() {
      const recorder = makeRecorder()
      const lines: Array<string> = []
      const logger = Logger.make(({ cause, logLevel, message }) => {
        const text = Array.isArray(message) ? message.join(" ") : String(message)
        lines.push(`${logLevel.label} ${text} | ${[...Cause.defects(cause)].map((defect) => String(defect)).join(", ")}`)
      })
      const Failing = Component.make(Leaf, {
        build: Effect.acquireRelease(Effect.succeed({ id: "Leaf" }), () => Effect.die(new Error("socket closed")))
      })
      const registry = Registry.make(keeperOf(recorder), Failing)
      const { context, close } = yield* open(Registry.toLayer(registry, [Keeper]))
      const { rules } = Context.get(context, Keeper)
      yield* rules.reload.pipe(Effect.provide(Logger.replace(Logger.defaultLogger, logger)))
      expect(lines).toEqual(["ERROR Keeper -> Leaf: releasing Leaf failed: Error: socket closed | Error: socket closed"])
      yield* Effect.exit(close)
    }))

  it.effect("an instance plain dependents captured lives as long as the container; everything is released at close, once", () =>
    Effect.gen(function*() {
      const recorder = makeRecorder()
      const Captures = Component.make(Maker, {
        dependencies: [Leaf],
        build: Effect.map(Leaf, (leaf) => ({ id: `Maker(${leaf.id})`, make: Effect.succeed(leaf) }))
      })
      const registry = Registry.make(keeperOf(recorder), leafOf(recorder), baseOf(recorder), Captures)
      const { context, close } = yield* open(Registry.toLayer(registry, [Keeper, Maker]))
      const { rules } = Context.get(context, Keeper)
      yield* rules.reload
      yield* rules.reload
      expect(recorder.events).toEqual(["build Base#1", "build Leaf#1", "build Keeper#1", "build Leaf#2", "build Leaf#3", "release Leaf#2"])
      yield* close
      yield* close
      expect(recorder.events.slice(6)).toEqual(["release Keeper#1", "release Leaf#3", "release Leaf#1", "release Base#1"])
    }))

  it.effect("use and get once the container was released die with ContainerClosed; a dependent's finalizer still uses the instance, released after it", () =>
    Effect.gen(function*() {
      const recorder = makeRecorder()
      // Keeper uses Leaf as it is released: Leaf is released after it
      const keeper = Component.make(Keeper, {
        dependencies: [Dependency.reloadable(Leaf)],
        build: Effect.gen(function*() {
          const rules = yield* Dependency.reloadable(Leaf)
          const instance = yield* recorder.instance("Keeper")
          yield* Effect.addFinalizer(() => rules.use(recorder.use))
          return { ...instance, rules }
        })
      })
      const { context, close } = yield* open(Registry.toLayer(Registry.make(keeper, leafOf(recorder), baseOf(recorder)), [Keeper]))
      const { rules } = Context.get(context, Keeper)
      yield* close
      const used = yield* Effect.exit(rules.use((leaf) => Effect.succeed(leaf.id)))
      expect(used).toEqual(Exit.die(new Errors.ContainerClosed({ container: [], operation: "use" })))
      const got = yield* Effect.exit(Effect.scoped(rules.get))
      expect(got).toEqual(Exit.die(new Errors.ContainerClosed({ container: [], operation: "get" })))
      expect(recorder.events).toEqual(["build Base#1", "build Leaf#1", "build Keeper#1", "use Leaf#1", "release Keeper#1", "release Leaf#1", "release Base#1"])
      expect(recorder.usedAfterRelease).toEqual([])
    }))

  it.effect("a use still running when the container closes holds its instance's release: released once it ends, after its dependents and before its dependencies; a use begun after dies", () =>
    Effect.gen(function*() {
      const recorder = makeRecorder()
      const registry = Registry.make(keeperOf(recorder), leafOf(recorder), baseOf(recorder))
      const { context, close } = yield* open(Registry.toLayer(registry, [Keeper]))
      const { rules } = Context.get(context, Keeper)
      const held = yield* heldUse(rules, recorder)
      const closing = yield* Effect.fork(close)
      for (let step = 0; step < 10; step++) yield* Effect.yieldNow()
      // the release waits on Leaf#1: its dependents are released, and a new use dies
      expect(recorder.events.slice(3)).toEqual(["release Keeper#1"])
      const late = yield* Effect.exit(rules.use((leaf) => Effect.succeed(leaf.id)))
      expect(late).toEqual(Exit.die(new Errors.ContainerClosed({ container: [], operation: "use" })))
      yield* held.finish
      yield* Fiber.join(closing)
      expect(recorder.events.slice(3)).toEqual(["release Keeper#1", "use Leaf#1", "release Leaf#1", "release Base#1"])
      expect(recorder.usedAfterRelease).toEqual([])
    }))

  it.effect("a replaced instance a use still holds when the container closes is released once that use ends, in order", () =>
    Effect.gen(function*() {
      const recorder = makeRecorder()
      const registry = Registry.make(keeperOf(recorder), leafOf(recorder), baseOf(recorder))
      const { context, close } = yield* open(Registry.toLayer(registry, [Keeper]))
      const { rules } = Context.get(context, Keeper)
      const held = yield* heldUse(rules, recorder)
      yield* rules.reload
      const closing = yield* Effect.fork(close)
      for (let step = 0; step < 10; step++) yield* Effect.yieldNow()
      expect(recorder.events.slice(3)).toEqual(["build Leaf#2", "release Keeper#1", "release Leaf#2"])
      yield* held.finish
      yield* Fiber.join(closing)
      expect(recorder.events.slice(3)).toEqual(["build Leaf#2", "release Keeper#1", "release Leaf#2", "use Leaf#1", "release Leaf#1", "release Base#1"])
      expect(recorder.usedAfterRelease).toEqual([])
    }))

  it.effect("shutting the component down waits for a use still running on its instance, then releases it; a use begun meanwhile dies with ComponentShutDown", () =>
    Effect.gen(function*() {
      const recorder = makeRecorder()
      const registry = Registry.make(keeperOf(recorder), leafOf(recorder), baseOf(recorder))
      const { context, close } = yield* open(Registry.toLayer(registry, [Keeper, Container.Container]))
      const { rules } = Context.get(context, Keeper)
      const held = yield* heldUse(rules, recorder)
      const shutting = yield* Effect.fork(Container.shutDownIn(Context.get(context, Container.Container), "Leaf"))
      for (let step = 0; step < 10; step++) yield* Effect.yieldNow()
      expect(recorder.events.slice(3)).toEqual(["release Keeper#1"])
      const late = yield* Effect.exit(rules.use((leaf) => Effect.succeed(leaf.id)))
      expect(late).toEqual(Exit.die(new Errors.ComponentShutDown({ container: [], component: "Leaf", path: ["Keeper", "Leaf"] })))
      yield* held.finish
      expect(yield* Fiber.join(shutting)).toEqual(["Keeper", "Leaf"])
      yield* close
      expect(recorder.events.slice(3)).toEqual(["release Keeper#1", "use Leaf#1", "release Leaf#1", "release Base#1"])
      expect(recorder.usedAfterRelease).toEqual([])
    }))

  it.effect("use once the component was shut down dies with ComponentShutDown; a reloaded instance's too", () =>
    Effect.gen(function*() {
      const recorder = makeRecorder()
      const registry = Registry.make(keeperOf(recorder), leafOf(recorder), baseOf(recorder))
      const { context, close } = yield* open(Registry.toLayer(registry, [Keeper, Container.Container]))
      const { rules } = Context.get(context, Keeper)
      yield* rules.reload
      yield* Container.shutDownIn(Context.get(context, Container.Container), "Leaf")
      const used = yield* Effect.exit(rules.use((leaf) => Effect.succeed(leaf.id)))
      expect(used).toEqual(Exit.die(new Errors.ComponentShutDown({ container: [], component: "Leaf", path: ["Keeper", "Leaf"] })))
      yield* close
      expect(recorder.usedAfterRelease).toEqual([])
    }))
})

describe("Dependency.reloadable with App", () => {
  it.effect("a reloaded instance runs its initializers; a replaced one its disposers when released; the current one its disposers once, at stop", () =>
    Effect.gen(function*() {
      const recorder = makeRecorder()
      const leaf = leafOf(recorder).pipe(
        Lifecycle.initializer((instance) => Effect.sync(() => recorder.events.push(`initialize ${instance.id}`))),
        Lifecycle.disposer((instance) => Effect.sync(() => recorder.events.push(`dispose ${instance.id}`)))
      )
      const keeper = keeperOf(recorder)
      const app = App.make(Registry.make(keeper, leaf, baseOf(recorder)), { roots: [Keeper] })
      const report = yield* Effect.scoped(Effect.gen(function*() {
        const running = yield* App.start(app)
        const { rules } = Context.get(running.context, Keeper)
        yield* rules.reload
        yield* rules.reload
        expect(yield* rules.use((current) => Effect.succeed(current.id))).toBe("Leaf#3")
        return yield* App.stop(running)
      }))
      expect(recorder.events).toEqual([
        "build Base#1",
        "build Leaf#1",
        "initialize Leaf#1",
        "build Keeper#1",
        "build Leaf#2",
        "initialize Leaf#2",
        "dispose Leaf#1",
        "release Leaf#1",
        "build Leaf#3",
        "initialize Leaf#3",
        "dispose Leaf#2",
        "release Leaf#2",
        "release Keeper#1",
        "dispose Leaf#3",
        "release Leaf#3",
        "release Base#1"
      ])
      expect(report.components.find((component) => component.name === "Leaf")!.state).toBe("released")
    }))

  it.effect("a use still running when the application stops is waited for before its instance's disposers and release; past the release timeout it is reported, its instance left unreleased", () =>
    Effect.gen(function*() {
      const recorder = makeRecorder()
      const leaf = leafOf(recorder).pipe(Lifecycle.disposer((instance) => Effect.sync(() => recorder.events.push(`dispose ${instance.id}`))))
      const app = App.make(Registry.make(keeperOf(recorder), leaf, baseOf(recorder)), { roots: [Keeper], releaseTimeout: "5 seconds" })
      // a use that ends: its instance disposed and released after it
      const report = yield* Effect.scoped(Effect.gen(function*() {
        const running = yield* App.start(app)
        const { rules } = Context.get(running.context, Keeper)
        const held = yield* heldUse(rules, recorder)
        const stopping = yield* Effect.fork(App.stop(running))
        for (let step = 0; step < 10; step++) yield* Effect.yieldNow()
        expect(recorder.events.slice(3)).toEqual(["release Keeper#1"])
        yield* held.finish
        return yield* Fiber.join(stopping)
      }))
      expect(report.errors).toEqual([])
      expect(recorder.events.slice(3)).toEqual(["release Keeper#1", "use Leaf#1", "dispose Leaf#1", "release Leaf#1", "release Base#1"])
      // a use that never ends: the release waits for it until the release timeout
      const never = makeRecorder()
      const scope = yield* Scope.make()
      const running = yield* Scope.extend(
        App.start(App.make(Registry.make(keeperOf(never), leafOf(never), baseOf(never)), { roots: [Keeper], releaseTimeout: "5 seconds" })),
        scope
      )
      const inUse = yield* Deferred.make<void>()
      const user = yield* Effect.fork(Context.get(running.context, Keeper).rules.use(() => Effect.zipRight(Deferred.succeed(inUse, undefined), Effect.never)))
      yield* Deferred.await(inUse)
      const stopping = yield* Effect.fork(Effect.flip(App.stop(running)))
      for (let step = 0; step < 10; step++) yield* Effect.yieldNow()
      yield* TestClock.adjust("5 seconds")
      const failed = (yield* Fiber.join(stopping)) as Errors.ApplicationFailed
      const timedOut = new Errors.ReleaseTimeout({ component: "Leaf", path: ["Keeper", "Leaf"], timeout: "5s", using: true })
      expect(failed.errors).toEqual([timedOut])
      expect(timedOut.message).toBe(
        "Keeper -> Leaf: the release waited for a use of Leaf in flight (its reloadable handle's use), which did not complete within 5s; the components not released yet were left unreleased"
      )
      expect(failed.report.errors).toEqual([{ component: "Leaf", phase: "release", hook: null, kind: "timeout", message: timedOut.message }])
      expect(never.events).toEqual(["build Base#1", "build Leaf#1", "build Keeper#1", "release Keeper#1"])
      yield* Fiber.interrupt(user)
      yield* Scope.close(scope, Exit.void)
    }))

  it.effect("a replaced instance's own release still running when the application's release reaches it holds that release until the release timeout, which reports it; the run failed", () =>
    Effect.gen(function*() {
      const recorder = makeRecorder()
      // Leaf#1's finalizer never ends
      const leaf = Component.make(Leaf, {
        dependencies: [Base],
        build: Effect.tap(recorder.instance("Leaf"), (instance) => instance.id === "Leaf#1" ? Effect.addFinalizer(() => Effect.never) : Effect.void)
      })
      const scope = yield* Scope.make()
      const running = yield* Scope.extend(App.start(App.make(Registry.make(keeperOf(recorder), leaf, baseOf(recorder)), { roots: [Keeper], releaseTimeout: "5 seconds" })), scope)
      const { rules } = Context.get(running.context, Keeper)
      const [inUse, done] = [yield* Deferred.make<void>(), yield* Deferred.make<void>()]
      // a daemon: its end (Leaf#1's release) never comes
      yield* Effect.forkDaemon(rules.use(() => Effect.zipRight(Deferred.succeed(inUse, undefined), Deferred.await(done))))
      yield* Deferred.await(inUse)
      yield* rules.reload
      // the use ends: Leaf#1's release as a replaced instance begins, and never ends
      yield* Deferred.succeed(done, undefined)
      for (let step = 0; step < 5; step++) yield* Effect.yieldNow()
      const stopping = yield* Effect.fork(Effect.flip(App.stop(running)))
      for (let step = 0; step < 10; step++) yield* Effect.yieldNow()
      yield* TestClock.adjust("5 seconds")
      const failed = (yield* Fiber.join(stopping)) as Errors.ApplicationFailed
      const timedOut = new Errors.ReleaseTimeout({ component: "Leaf", path: ["Keeper", "Leaf"], timeout: "5s" })
      expect(failed.errors).toEqual([timedOut])
      expect(timedOut.message).toBe("Keeper -> Leaf: releasing Leaf did not complete within 5s; the components not released yet were left unreleased")
      // Base, which Leaf#1 depends on, is left unreleased
      expect(recorder.events).toEqual(["build Base#1", "build Leaf#1", "build Keeper#1", "build Leaf#2", "release Keeper#1", "release Leaf#2"])
    }))

  it.effect("a replaced instance a get still holds when the application stops is disposed and released once, in order, not again when that get's Scope closes", () =>
    Effect.gen(function*() {
      const recorder = makeRecorder()
      const leaf = leafOf(recorder).pipe(Lifecycle.disposer((instance) => Effect.sync(() => recorder.events.push(`dispose ${instance.id}`))))
      const app = App.make(Registry.make(keeperOf(recorder), leaf, baseOf(recorder)), { roots: [Keeper] })
      // the get's Scope outlives the application: the stop does not wait for it
      const holding = yield* Scope.make()
      const report = yield* Effect.scoped(Effect.gen(function*() {
        const running = yield* App.start(app)
        const { rules } = Context.get(running.context, Keeper)
        yield* Scope.extend(rules.get, holding)
        yield* rules.reload
        return yield* App.stop(running)
      }))
      yield* Scope.close(holding, Exit.void)
      expect(report.errors).toEqual([])
      expect(recorder.events).toEqual([
        "build Base#1",
        "build Leaf#1",
        "build Keeper#1",
        "build Leaf#2",
        "release Keeper#1",
        "dispose Leaf#2",
        "release Leaf#2",
        "dispose Leaf#1",
        "release Leaf#1",
        "release Base#1"
      ])
    }))

  it.effect("the current reloaded instance's failing disposer at the application's stop fails the run, under its component", () =>
    Effect.gen(function*() {
      const recorder = makeRecorder()
      const leaf = leafOf(recorder).pipe(
        Lifecycle.disposer((instance) => instance.id === "Leaf#2" ? Effect.fail(`${instance.id} not flushed`) : Effect.void)
      )
      const keeper = keeperOf(recorder)
      const app = App.make(Registry.make(keeper, leaf, baseOf(recorder)), { roots: [Keeper] })
      const failed = yield* Effect.flip(Effect.scoped(Effect.gen(function*() {
        const running = yield* App.start(app)
        yield* Context.get(running.context, Keeper).rules.reload
        return yield* App.stop(running)
      })))
      const disposer = new Errors.HookFailed({ component: "Leaf", path: ["Keeper", "Leaf"], phase: "dispose", hook: "disposer", cause: "Leaf#2 not flushed" })
      const released = new Errors.ReleaseError({ component: "Leaf", path: ["Keeper", "Leaf"], cause: disposer })
      expect((failed as Errors.ApplicationFailed).errors).toEqual([released])
      expect(released.message).toBe("Keeper -> Leaf: releasing Leaf failed: HookFailed: Keeper -> Leaf: disposer of Leaf failed: Leaf#2 not flushed")
      expect((failed as Errors.ApplicationFailed).report.errors).toEqual([
        { component: "Leaf", phase: "release", hook: null, kind: "defect", message: released.message }
      ])
      expect(recorder.events.slice(-3)).toEqual(["release Keeper#1", "release Leaf#2", "release Base#1"])
    }))

  it.effect("a reload still building when the application stops fails with ContainerClosed: the stop waits for it, never makes its instance current, and releases it before its dependencies", () =>
    Effect.gen(function*() {
      const recorder = makeRecorder()
      const initializing = yield* Deferred.make<void>()
      const gate = yield* Deferred.make<void>()
      const leaf = leafOf(recorder).pipe(
        Lifecycle.initializer((instance) =>
          instance.id === "Leaf#2" ? Effect.zipRight(Deferred.succeed(initializing, undefined), Deferred.await(gate)) : Effect.void
        ),
        Lifecycle.disposer((instance) => Effect.sync(() => recorder.events.push(`dispose ${instance.id}`)))
      )
      const keeper = keeperOf(recorder)
      const app = App.make(Registry.make(keeper, leaf, baseOf(recorder)), { roots: [Keeper] })
      const [report, reloaded] = yield* Effect.scoped(Effect.gen(function*() {
        const running = yield* App.start(app)
        const reloading = yield* Effect.fork(Effect.either(Context.get(running.context, Keeper).rules.reload))
        yield* Deferred.await(initializing)
        const stopping = yield* Effect.fork(App.stop(running))
        for (let step = 0; step < 10; step++) yield* Effect.yieldNow()
        // Leaf#2's initializer still runs: nothing is released under it
        expect(recorder.events).toEqual(["build Base#1", "build Leaf#1", "build Keeper#1", "build Leaf#2"])
        yield* Deferred.succeed(gate, undefined)
        return [yield* Fiber.join(stopping), yield* Fiber.join(reloading)] as const
      }))
      expect(reloaded).toEqual(Either.left(new Errors.ContainerClosed({ container: [], operation: "reload" })))
      expect(report.errors).toEqual([])
      expect(recorder.events).toEqual([
        "build Base#1",
        "build Leaf#1",
        "build Keeper#1",
        "build Leaf#2",
        "release Keeper#1",
        "dispose Leaf#2",
        "release Leaf#2",
        "dispose Leaf#1",
        "release Leaf#1",
        "release Base#1"
      ])
    }))
})

describe("Dependency.lazy with App", () => {
  it.effect("a lazy singleton whose first build failed runs its disposers once, after its holder's release", () =>
    Effect.gen(function*() {
      const recorder = makeRecorder()
      let attempts = 0
      const flaky = Effect.suspend(() => ++attempts === 1 ? Effect.fail("not yet") : Effect.void)
      const leaf = leafOf(recorder, flaky).pipe(
        Lifecycle.disposer((instance) => Effect.sync(() => recorder.events.push(`dispose ${instance.id}`)))
      )
      const app = App.make(Registry.make(holderOf(recorder), leaf, baseOf(recorder)), { roots: [Holder] })
      yield* Effect.scoped(Effect.gen(function*() {
        const running = yield* App.start(app)
        const holder = Context.get(running.context, Holder)
        yield* Effect.flip(holder.leaf)
        yield* holder.leaf
        yield* App.stop(running)
      }))
      expect(recorder.events).toEqual([
        "build Holder#1",
        "build Base#1",
        "build Leaf#1",
        "release Leaf#1",
        "build Leaf#2",
        "release Holder#1",
        "dispose Leaf#2",
        "release Leaf#2",
        "release Base#1"
      ])
    }))
})
