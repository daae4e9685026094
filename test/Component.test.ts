import { describe, expect, it } from "@effect/vitest"
import * as Path from "@effect/platform/Path"
import { inspect } from "node:util"
import { Context, Data, Effect, Either, Layer, Ref } from "effect"
import { Component, Condition, Dependency, Errors, Explain, Family, Lifetime, Qualifier, Registry, Resolver, Testing } from "../src/index.js"

class Config extends Context.Tag("Config")<Config, { readonly url: string }>() {}
class Database extends Context.Tag("Database")<Database, { readonly url: string }>() {}

const Replica = Qualifier.make("replica")

const metadataOf = (component: Component.Any) => ({
  tag: component.tag,
  name: component.name,
  qualifiers: component.qualifiers,
  primary: component.primary,
  alternative: component.alternative,
  order: component.order,
  dependencies: component.dependencies
})

const defaults = {
  name: undefined,
  qualifiers: [],
  primary: false,
  alternative: false,
  order: 0
}

describe("Component", () => {
  describe("constructors", () => {
    it("make builds with an Effect and has default metadata", () => {
      const build = Effect.map(Config, (config) => ({ url: config.url }))
      const component = Component.make(Database, { dependencies: [Config], build })
      expect(metadataOf(component)).toEqual({ tag: Database, ...defaults, dependencies: [Config] })
      expect(component.construct).toEqual({ _tag: "Effect", effect: build })
    })

    it("make without dependencies declares none", () => {
      expect(Component.make(Database, { build: Effect.succeed({ url: "" }) }).dependencies).toEqual([])
    })

    it("constructors take the metadata as options, qualifier tokens stored by name", () => {
      const component = Component.make(Database, {
        build: Effect.succeed({ url: "" }),
        name: "main",
        qualifiers: [Replica, "reporting"],
        primary: true,
        order: -1
      })
      expect(metadataOf(component)).toEqual({
        tag: Database,
        name: "main",
        qualifiers: ["replica", "reporting"],
        primary: true,
        alternative: false,
        order: -1,
        dependencies: []
      })
      const fallback = Component.succeed(Database, { url: "" }, { alternative: true })
      expect(fallback.alternative).toBe(true)
    })

    it("fromLayer builds with a Layer", () => {
      const layer = Layer.succeed(Database, { url: "layer" })
      const component = Component.fromLayer(Database, { layer })
      expect(metadataOf(component)).toEqual({ tag: Database, ...defaults, dependencies: [] })
      expect(component.construct).toEqual({ _tag: "Layer", layer })
    })

    it("succeed provides a value and depends on nothing", () => {
      const component = Component.succeed(Database, { url: "value" })
      expect(metadataOf(component)).toEqual({ tag: Database, ...defaults, dependencies: [] })
      expect(component.construct).toEqual({ _tag: "Value", value: { url: "value" } })
    })
  })

  describe("a value that is a Component or a Layer", () => {
    // a wide service type lets one through the types
    class Anything extends Context.Tag("app/Anything")<Anything, object>() {}

    it("given to succeed is an InvalidDeclaration at resolution, saying what to use instead", () => {
      const own = Component.succeed(Database, { url: "main" })
      const result = Resolver.resolve(Registry.make(Component.succeed(Anything, own)), [Anything])
      expect(result).toEqual(Either.left(new Errors.ResolutionError({
        problems: [new Errors.InvalidDeclaration({ path: [], subject: { _tag: "Component", name: "app/Anything" }, issues: [{ code: "ValueIsDeclaration", kind: "Component" }] })]
      })))
      expect(Either.isLeft(result) && result.left.problems.map((problem) => problem.message)).toEqual([
        "invalid component app/Anything: its value is a Component, which would be the service itself: register the Component itself"
      ])
      const layered = Resolver.resolve(Registry.make(Component.succeed(Anything, Layer.succeed(Database, { url: "main" }))), [Anything])
      expect(Either.isLeft(layered) && layered.left.problems.map((problem) => problem.message)).toEqual([
        "invalid component app/Anything: its value is a Layer, which would be the service itself: build the service with it, Component.fromLayer(tag, { layer })"
      ])
    })

    it("given to succeed of an Effect stays a value: an Effect may be a service", () => {
      const plan = Either.getOrThrow(Resolver.resolve(Registry.make(Component.succeed(Anything, Effect.succeed(1))), [Anything]))
      expect(plan.nodes.map((node) => node.component.construct._tag)).toEqual(["Value"])
    })
  })

  describe("combinators", () => {
    const base = Component.succeed(Database, { url: "x" })

    it("each combinator returns a new component and leaves the original unchanged", () => {
      const changed = base.pipe(
        Component.named("main"),
        Component.qualified([Replica]),
        Component.primary,
        Component.order(3)
      )
      const fallback = Component.alternative(base)
      expect(metadataOf(base)).toEqual({ tag: Database, ...defaults, dependencies: [] })
      expect(metadataOf(changed)).toEqual({
        tag: Database,
        name: "main",
        qualifiers: ["replica"],
        primary: true,
        alternative: false,
        order: 3,
        dependencies: []
      })
      expect(fallback.alternative).toBe(true)
      expect(changed.construct).toBe(base.construct)
    })

    it("qualified adds to the existing qualifiers", () => {
      const component = base.pipe(Component.qualified(["a"]), Component.qualified([Qualifier.make("b"), "c"]))
      expect(component.qualifiers).toEqual(["a", "b", "c"])
    })

    it("named, qualified and order also take the component first", () => {
      expect(Component.named(base, "n").name).toBe("n")
      expect(Component.qualified(base, [Replica]).qualifiers).toEqual(["replica"])
      expect(Component.order(base, 5).order).toBe(5)
    })

    it("a later combinator of the same kind wins", () => {
      expect(base.pipe(Component.named("a"), Component.named("b")).name).toBe("b")
      expect(base.pipe(Component.order(1), Component.order(2)).order).toBe(2)
    })
  })

  describe("refinements and rendering", () => {
    it("isComponent recognises components only", () => {
      expect(Component.isComponent(Component.succeed(Database, { url: "" }))).toBe(true)
      expect(Component.isComponent(Database)).toBe(false)
      expect(Component.isComponent({ tag: Database })).toBe(false)
      expect(Component.isComponent(null)).toBe(false)
      expect(Component.isComponent("Database")).toBe(false)
    })

    it("toString shows the name, or the tag key when unnamed", () => {
      expect(String(Component.succeed(Database, { url: "" }))).toBe("Component(Database)")
      expect(String(Component.succeed(Database, { url: "" }).pipe(Component.named("main")))).toBe("Component(main)")
    })

    it("toJSON is the metadata as plain data", () => {
      const component = Component.make(Database, {
        dependencies: [Config, Dependency.optional(Config)],
        build: Effect.succeed({ url: "" })
      }).pipe(Component.named("main"), Component.qualified([Replica]), Component.order(2))
      expect(JSON.parse(JSON.stringify(component))).toEqual({
        _id: "Component",
        service: "Database",
        name: "main",
        qualifiers: ["replica"],
        primary: false,
        alternative: false,
        order: 2,
        dependencies: ["Config", "layerwise/Option<Config>"],
        construct: "Effect"
      })
    })

    it("console.log and util.inspect show a component as its toJSON, not its tag's fields", () => {
      const component = Component.succeed(Database, { url: "" }).pipe(Component.named("main"))
      expect(inspect(component)).toBe(inspect(component.toJSON()))
      expect(inspect(component)).not.toContain("stack")
    })
  })

  describe("building", () => {
    it.effect("a make component runs its Effect with its declared dependencies and releases its resources", () =>
      Effect.gen(function*() {
        const log = yield* Ref.make<Array<string>>([])
        const record = (entry: string) => Ref.update(log, (entries) => [...entries, entry])
        const registry = Registry.make(
          Component.succeed(Config, { url: "postgres://" }),
          Component.make(Database, {
            dependencies: [Config],
            build: Effect.gen(function*() {
              const config = yield* Config
              return yield* Effect.acquireRelease(
                Effect.as(record(`open ${config.url}`), { url: config.url }),
                () => record(`close ${config.url}`)
              )
            })
          })
        )
        const database = yield* Effect.provide(Database, Registry.toLayer(registry, [Database]))
        expect(database).toEqual({ url: "postgres://" })
        expect(yield* Ref.get(log)).toEqual(["open postgres://", "close postgres://"])
      }))

    it.effect("a fromLayer component of an Effect.Service gets its dependencies from the registry", () =>
      Effect.gen(function*() {
        class Clock extends Effect.Service<Clock>()("Clock", { succeed: { now: (): number => 42 } }) {}
        class Greeter extends Effect.Service<Greeter>()("Greeter", {
          effect: Effect.map(Clock, (clock) => ({ greet: (name: string) => `hello ${name} at ${clock.now()}` })),
          dependencies: [Clock.Default]
        }) {}
        const registry = Registry.make(
          Component.succeed(Clock, new Clock({ now: () => 7 })),
          Component.fromLayer(Greeter, { dependencies: [Clock], layer: Greeter.DefaultWithoutDependencies })
        )
        const greeter = yield* Effect.provide(Greeter, Registry.toLayer(registry, [Greeter]))
        expect(greeter.greet("you")).toBe("hello you at 7")
      }))

    it.effect("a fromLayer component keeps its Layer's finalizers", () =>
      Effect.gen(function*() {
        const log = yield* Ref.make<Array<string>>([])
        const layer = Layer.scoped(
          Database,
          Effect.acquireRelease(
            Effect.as(Ref.update(log, (entries) => [...entries, "acquire"]), { url: "scoped" }),
            () => Ref.update(log, (entries) => [...entries, "release"])
          )
        )
        const registry = Registry.make(Component.fromLayer(Database, { layer }))
        const database = yield* Effect.provide(
          Effect.tap(Database, () => Ref.update(log, (entries) => [...entries, "use"])),
          Registry.toLayer(registry, [Database])
        )
        expect(database).toEqual({ url: "scoped" })
        expect(yield* Ref.get(log)).toEqual(["acquire", "use", "release"])
      }))
  })

  describe("alias", () => {
    class Storage extends Context.Tag("Storage")<Storage, { readonly url: string }>() {}
    class Both extends Context.Tag("Both")<Both, { readonly storage: unknown; readonly database: unknown }>() {}
    class Stamp extends Context.Tag("Stamp")<Stamp, { readonly n: number }>() {}
    class Label extends Context.Tag("Label")<Label, { readonly n: number }>() {}
    class Pair extends Context.Tag("Pair")<Pair, { readonly a: unknown; readonly b: unknown }>() {}

    it.effect("an alias answers with the instance of what it aliases: built once, released once, the same object under both tags", () =>
      Effect.gen(function*() {
        const log = yield* Ref.make<Array<string>>([])
        const registry = Registry.make(
          Component.make(Database, {
            build: Effect.acquireRelease(
              Effect.as(Ref.update(log, (entries) => [...entries, "open"]), { url: "postgres://" }),
              () => Ref.update(log, (entries) => [...entries, "close"])
            )
          }),
          Component.alias(Storage, Database),
          Component.make(Both, { dependencies: [Storage, Database], build: Effect.all({ storage: Storage, database: Database }) })
        )
        const both = yield* Effect.provide(Both, Registry.toLayer(registry, [Both]))
        expect(both.storage).toBe(both.database)
        expect(both.storage).toEqual({ url: "postgres://" })
        expect(yield* Ref.get(log)).toEqual(["open", "close"])
        const plan = Either.getOrThrow(Resolver.resolve(registry, [Storage]))
        expect(Object.fromEntries(plan.nodes.map((node) => [node.name, node.component.lifetime?._tag ?? "Singleton"]))).toEqual({
          Storage: "Transient",
          Database: "Singleton"
        })
      }))

    it.effect("an alias of a qualified request follows the choice rules of that request", () =>
      Effect.gen(function*() {
        const registry = Registry.make(
          Component.succeed(Database, { url: "main" }).pipe(Component.primary),
          Component.succeed(Database, { url: "replica" }).pipe(Component.qualified([Replica])),
          Component.alias(Storage, Dependency.qualified(Database, Replica))
        )
        expect(yield* Effect.provide(Storage, Registry.toLayer(registry, [Storage]))).toEqual({ url: "replica" })
      }))

    it.effect("an alias of a singleton gives the singleton; of a transient, each requester a new instance, as the transient does", () =>
      Effect.gen(function*() {
        let made = 0
        const registryWith = (stamp: Component.Component<Stamp, { readonly n: number }>) =>
          Registry.make(
            stamp,
            Component.alias(Label, Stamp),
            Component.make(Pair, { dependencies: [Label, Stamp], build: Effect.all({ a: Label, b: Stamp }) })
          )
        const StampLive = Component.make(Stamp, { build: Effect.sync(() => ({ n: ++made })) })
        expect(yield* Effect.provide(Pair, Registry.toLayer(registryWith(StampLive), [Pair]))).toEqual({ a: { n: 1 }, b: { n: 1 } })
        made = 0
        const fresh = yield* Effect.provide(Pair, Registry.toLayer(registryWith(StampLive.pipe(Lifetime.transient)), [Pair]))
        expect([fresh.a, fresh.b].map((stamp) => (stamp as { readonly n: number }).n).sort()).toEqual([1, 2])
      }))

    describe("samber/do v2 behaviour", () => {
      it("As of a service nothing provides: a request of the alias is a MissingComponent through it, before anything runs; an alias nothing requests is no problem", () => {
        const registry = Registry.make(Component.alias(Storage, Database), Component.succeed(Config, { url: "config" }))
        const error = Either.flip(Resolver.resolve(registry, [Storage])).pipe(Either.getOrThrow)
        expect(error.problems.map((problem) => problem.message)).toEqual([
          "Storage -> Database: no component provides Database (available: Config, Storage); register one, or declare it external if the program provides it"
        ])
        expect(Either.isRight(Resolver.resolve(registry, [Config]))).toBe(true)
      })
    })
  })

  describe("fromService", () => {
    // Each test declares its classes: a class's Default layer is one value, which Layer memoisation
    // shares within a build, and the counters below count builds per test.
    const services = () => {
      const built: Array<string> = []
      class Clock extends Effect.Service<Clock>()("Clock", {
        effect: Effect.sync(() => {
          built.push("Clock")
          return { now: (): number => 1 }
        })
      }) {}
      class Greeter extends Effect.Service<Greeter>()("Greeter", {
        effect: Effect.map(Clock, (clock) => {
          built.push("Greeter")
          return { greet: (name: string) => `hello ${name} at ${clock.now()}` }
        }),
        dependencies: [Clock.Default]
      }) {}
      return { built, Clock, Greeter }
    }
    const greet = <I, S extends { readonly greet: (name: string) => string }>(tag: Context.Tag<I, S>) =>
      Effect.map(tag, (greeter) => greeter.greet("ada"))

    it.effect("a service registered with its dependency's class requests it: one instance, the registry's, shared", () =>
      Effect.gen(function*() {
        const { Clock, Greeter, built } = services()
        const registry = Registry.make(Component.fromService(Clock), Component.fromService(Greeter))
        const plan = Either.getOrThrow(Resolver.resolve(registry, [Greeter, Clock]))
        expect(Explain.tree(plan)).toBe("Greeter\n└─ Clock\nClock")
        const [greeting, now] = yield* Effect.provide(
          Effect.all([greet(Greeter), Effect.map(Clock, (clock) => clock.now())]),
          Registry.toLayer(registry, [Greeter, Clock])
        )
        expect([greeting, now]).toEqual(["hello ada at 1", 1])
        expect(built).toEqual(["Clock", "Greeter"])
      }))

    it.effect("an override of the dependency's tag replaces it for the service, registered or not", () =>
      Effect.gen(function*() {
        const { Clock, Greeter, built } = services()
        const fake = Testing.value(Clock, Clock.make({ now: () => 42 }))
        const registered = Registry.make(Component.fromService(Clock), Component.fromService(Greeter))
        const alone = Registry.make(Component.fromService(Greeter))
        expect(yield* Effect.provide(greet(Greeter), Testing.toLayer(registered, [Greeter], fake))).toBe("hello ada at 42")
        expect(yield* Effect.provide(greet(Greeter), Testing.toLayer(alone, [Greeter], fake))).toBe("hello ada at 42")
        expect(built).toEqual(["Greeter", "Greeter"])
      }))

    it.effect("a dependency whose service the registry does not have is built for the service itself", () =>
      Effect.gen(function*() {
        const { Clock, Greeter, built } = services()
        const registry = Registry.make(Component.fromService(Greeter))
        const plan = Either.getOrThrow(Resolver.resolve(registry, [Greeter]))
        expect(plan.nodes.map((node) => [node.name, node.dependencies.length])).toEqual([["Greeter", 0]])
        expect(yield* Effect.provide(greet(Greeter), Registry.toLayer(registry, [Greeter]))).toBe("hello ada at 1")
        expect(built).toEqual(["Clock", "Greeter"])
        // a condition that leaves the dependency's only component out leaves it to the service too
        const guarded = Registry.make(
          Registry.when(Condition.profile("fake-clock"), Component.succeed(Clock, Clock.make({ now: () => 9 }))),
          Component.fromService(Greeter)
        )
        expect(yield* Effect.provide(greet(Greeter), Registry.toLayer(guarded, [Greeter]))).toBe("hello ada at 1")
        expect(yield* Effect.provide(greet(Greeter), Registry.toLayer(guarded, [Greeter], { profiles: ["fake-clock"] }))).toBe(
          "hello ada at 9"
        )
      }))

    it.effect("a platform layer among the dependencies is built inside, next to a requested service", () =>
      Effect.gen(function*() {
        const { Clock } = services()
        class Files extends Effect.Service<Files>()("Files", {
          effect: Effect.gen(function*() {
            const path = yield* Path.Path
            const clock = yield* Clock
            return { at: (name: string) => `${path.join("/data", name)}@${clock.now()}` }
          }),
          dependencies: [Path.layer, Clock.Default]
        }) {}
        const registry = Registry.make(Component.fromService(Files), Component.succeed(Clock, Clock.make({ now: () => 5 })))
        const plan = Either.getOrThrow(Resolver.resolve(registry, [Files]))
        expect(plan.nodes.map((node) => [node.name, node.dependencies.map((edge) => edge.request.key)])).toEqual([
          ["Clock", []],
          ["Files", ["Clock"]]
        ])
        const files = yield* Effect.provide(Files, Registry.toLayer(registry, [Files]))
        expect(files.at("todos.json")).toBe("/data/todos.json@5")
      }))

    it.effect("a dependency declared external is the program's", () =>
      Effect.gen(function*() {
        const { Clock, Greeter } = services()
        const layer = Registry.toLayer(Registry.make(Component.fromService(Greeter)), [Greeter], { external: [Clock] })
        const provided = layer.pipe(Layer.provide(Layer.succeed(Clock, Clock.make({ now: () => 3 }))))
        expect(yield* Effect.provide(greet(Greeter), provided)).toBe("hello ada at 3")
      }))

    it("a service without dependencies builds with its Default; one with them with DefaultWithoutDependencies and its dependency layers", () => {
      const { Clock, Greeter } = services()
      expect(Component.fromService(Clock).construct).toEqual({ _tag: "Layer", layer: Clock.Default })
      expect(Component.fromService(Greeter).construct).toEqual({
        _tag: "Layer",
        layer: Greeter.DefaultWithoutDependencies,
        serviceDependencies: [Clock.Default]
      })
      expect(metadataOf(Component.fromService(Greeter, { name: "greeter", order: 2 }))).toEqual({
        ...defaults,
        tag: Greeter,
        name: "greeter",
        order: 2,
        dependencies: []
      })
    })

    it.effect("explicit dependencies win: they are the requests, and nothing is built inside", () =>
      Effect.gen(function*() {
        const { Clock, Greeter } = services()
        const explicit = Component.fromService(Greeter, { dependencies: [Clock] })
        expect(explicit.construct).toEqual({ _tag: "Layer", layer: Greeter.DefaultWithoutDependencies })
        expect(explicit.dependencies).toEqual([Clock])
        const error = yield* Effect.flip(Effect.provide(greet(Greeter), Registry.toLayer(Registry.make(explicit), [Greeter])))
        expect(error.message).toBe(
          "1 problem resolving the graph:\n  - Greeter -> Clock: no component provides Clock (available: Greeter); register one, or declare it external if the program provides it"
        )
        const registry = Registry.make(explicit, Component.succeed(Clock, Clock.make({ now: () => 8 })))
        expect(yield* Effect.provide(greet(Greeter), Registry.toLayer(registry, [Greeter]))).toBe("hello ada at 8")
      }))

    it.effect("a service whose Default is a function takes its arguments in the options", () =>
      Effect.gen(function*() {
        const { Clock } = services()
        class Db extends Effect.Service<Db>()("Db", { effect: (url: string) => Effect.succeed({ url }) }) {}
        class Pool extends Effect.Service<Pool>()("Pool", {
          effect: (size: number) => Effect.map(Clock, (clock) => ({ size, at: clock.now() })),
          dependencies: [Clock.Default]
        }) {}
        const registry = Registry.make(
          Component.fromService(Db, { arguments: ["postgres://main"] }),
          Component.fromService(Pool, { arguments: [4] }),
          Component.succeed(Clock, Clock.make({ now: () => 6 }))
        )
        const [db, pool] = yield* Effect.provide(Effect.all([Db, Pool]), Registry.toLayer(registry, [Db, Pool]))
        expect([db.url, pool.size, pool.at]).toEqual(["postgres://main", 4, 6])
      }))

    it.effect("the service's errors are the component's: catchTag reaches them", () =>
      Effect.gen(function*() {
        class Unreachable extends Data.TaggedError("Unreachable")<{ readonly host: string }> {}
        class Remote extends Effect.Service<Remote>()("Remote", {
          effect: Effect.zipRight(Effect.fail(new Unreachable({ host: "db1" })), Effect.succeed({ ping: Effect.void }))
        }) {}
        const host = yield* Effect.provide(Remote, Registry.toLayer(Registry.make(Component.fromService(Remote)), [Remote])).pipe(
          Effect.as("built"),
          Effect.catchTag("ConstructionError", (error) => Effect.succeed(error.cause.host))
        )
        expect(host).toBe("db1")
      }))

    it.effect("a class without a Default layer (from JavaScript) is an InvalidDeclaration before anything runs", () =>
      Effect.gen(function*() {
        class Plain extends Context.Tag("Plain")<Plain, string>() {}
        let ran = 0
        const registry = Registry.make(
          (Component.fromService as unknown as (service: unknown) => Component.Any)(Plain),
          Component.make(Database, { build: Effect.sync(() => (ran++, { url: "ran" })) }).pipe(Component.named("db"))
        )
        const error = yield* Effect.flip(Effect.provide(Database, Registry.toLayer(registry, [Database])))
        expect(error).toEqual(
          new Errors.ResolutionError({
            problems: [
              new Errors.InvalidDeclaration({
                path: [],
                subject: { _tag: "Component", name: "Plain" },
                issues: [{ code: "InvalidConstructor", expected: "Layer", got: "undefined" }]
              })
            ]
          })
        )
        expect(ran).toBe(0)
      }))

    it.effect("a replacement by name that is a fromService component gets its requests too", () =>
      Effect.gen(function*() {
        const { Clock, Greeter } = services()
        const registry = Registry.make(
          Component.succeed(Greeter, Greeter.make({ greet: () => "production" })).pipe(Component.named("greeter")),
          Component.succeed(Clock, Clock.make({ now: () => 4 }))
        ).pipe(Registry.replace("greeter", Component.fromService(Greeter)))
        expect(yield* Effect.provide(greet(Greeter), Registry.toLayer(registry, [Greeter]))).toBe("hello ada at 4")
      }))

    it.effect("a family member replaced by name with a fromService component gets its requests too", () =>
      Effect.gen(function*() {
        // Regression: "constructor of G(a) failed: Service not found: Clock": members are made during the walk,
        // after the registry's fromService components were given their requests, and the replacement's never was
        const { Clock, Greeter } = services()
        const Greeters = Family.make(Greeter, {
          name: "G",
          key: (who: string) => who,
          build: (who) => Effect.succeed(Greeter.make({ greet: () => `production ${who}` }))
        })
        class Api extends Context.Tag("Api")<Api, string>() {}
        const registry = Registry.make(
          Greeters,
          Component.succeed(Clock, Clock.make({ now: () => 4 })),
          Component.make(Api, { dependencies: [Greeters.of("a")], build: greet(Greeters.of("a")) })
        ).pipe(Registry.replace("G(a)", Component.fromService(Greeter)))
        const plan = Either.getOrThrow(Resolver.resolve(registry, [Api]))
        expect(Explain.tree(plan)).toBe("Api\n└─ G(a) (Greeter) · replaced\n   └─ Clock")
        expect(yield* Effect.provide(Api, Registry.toLayer(registry, [Api]))).toBe("hello ada at 4")
      }))

    it("resolving a registry again gives the same components and layers", () => {
      const { Clock, Greeter } = services()
      const registry = Registry.make(Component.fromService(Greeter))
      const first = Either.getOrThrow(Resolver.resolve(registry, [Greeter]))
      const again = Either.getOrThrow(Resolver.resolve(registry, [Greeter]))
      expect(again.nodes[0]!.component).toBe(first.nodes[0]!.component)
      const withClock = Either.getOrThrow(Resolver.resolve(Registry.add(registry, [Component.fromService(Clock)]), [Greeter]))
      expect(withClock.nodes[1]!.component).not.toBe(first.nodes[0]!.component)
      expect(withClock.nodes[1]!.component.dependencies).toEqual([Clock])
    })
  })
})
