import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Layer, Ref } from "effect"
import { Component, Dependency, Qualifier, Registry } from "../src/index.js"

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
})
