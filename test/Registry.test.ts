import { describe, expect, it } from "@effect/vitest"
import { Cause, Config, Context, Data, Effect, Either, Exit, Layer, Option, Ref, Schema, Scope } from "effect"
import { inspect } from "node:util"
import { Component, Condition, Dependency, Errors, Lifecycle, Lifetime, Options, Registry, Resolver } from "../src/index.js"

class Database extends Context.Tag("Database")<Database, { readonly url: string }>() {}
class Api extends Context.Tag("Api")<Api, { readonly source: string }>() {}
class Plugin extends Context.Tag("Plugin")<Plugin, { readonly name: string }>() {}

const plugin = (name: string) => Component.succeed(Plugin, { name }).pipe(Component.named(name))
const database = (url: string) => Component.succeed(Database, { url }).pipe(Component.named(url))

/** The names of every Plugin candidate, in the order a collection gets them (equal orders: registration order). */
const pluginNames = (registry: Registry.Registry): ReadonlyArray<string> => {
  const result = Resolver.resolve(registry, [Dependency.all(Plugin)])
  if (Either.isLeft(result)) throw new Error(result.left.message)
  return result.right.roots[0]!.targets.map((id) => result.right.nodes[id]!.name)
}

const chosenDatabase = (registry: Registry.Registry): string => {
  const result = Resolver.resolve(registry, [Database])
  if (Either.isLeft(result)) throw new Error(result.left.message)
  return result.right.nodes[result.right.roots[0]!.targets[0]!]!.name
}

describe("Registry", () => {
  it("toJSON and util.inspect show every entry: components, included registries, guards, overrides", () => {
    const inner = Registry.make(Component.succeed(Plugin, { name: "p" }))
    const registry = Registry.make(
      Component.succeed(Database, { url: "" }),
      Registry.when(Condition.profile("audit"), inner)
    ).pipe(Registry.add(inner), Registry.override(Component.succeed(Database, { url: "test" })))
    const plugin = Component.succeed(Plugin, { name: "p" }).toJSON()
    const database = Component.succeed(Database, { url: "" }).toJSON()
    const json = {
      _id: "Registry",
      entries: [
        { _tag: "Component", component: database },
        {
          _tag: "Include",
          registry: {
            _id: "Registry",
            entries: [{ _tag: "When", condition: "profile audit", registry: { _id: "Registry", entries: [{ _tag: "Include", registry: inner.toJSON() }] } }]
          }
        },
        { _tag: "Include", registry: { _id: "Registry", entries: [{ _tag: "Component", component: plugin }] } },
        { _tag: "Override", component: database }
      ]
    }
    expect(registry.toJSON()).toStrictEqual(json)
    expect(inspect(registry, { depth: null })).toBe(inspect(json, { depth: null }))
  })

  it("isRegistry recognises registries only", () => {
    expect(Registry.isRegistry(Registry.empty)).toBe(true)
    expect(Registry.isRegistry(Registry.make(plugin("a")))).toBe(true)
    expect(Registry.isRegistry(plugin("a"))).toBe(false)
    expect(Registry.isRegistry({ entries: [] })).toBe(false)
    expect(Registry.isRegistry(null)).toBe(false)
  })

  it("the empty registry provides nothing", () => {
    expect(pluginNames(Registry.empty)).toEqual([])
    const result = Resolver.resolve(Registry.empty, [Database])
    expect(Either.isLeft(result) && result.left.message).toBe(
      "1 problem resolving the graph:\n  - Database: no component provides Database (available: none); register one, or declare it external if the program provides it"
    )
  })

  it("make keeps its items in order, nested registries included depth-first where they appear", () => {
    const registry = Registry.make(
      plugin("a"),
      Registry.make(plugin("b"), Registry.make(plugin("c")), plugin("d")),
      plugin("e")
    )
    expect(pluginNames(registry)).toEqual(["a", "b", "c", "d", "e"])
  })

  it("add returns a new registry and leaves the original unchanged", () => {
    const original = Registry.make(plugin("a"))
    const dataLast = original.pipe(Registry.add([plugin("b"), Registry.make(plugin("c"))]))
    const dataFirst = Registry.add(original, [plugin("d")])
    expect(pluginNames(original)).toEqual(["a"])
    expect(pluginNames(dataLast)).toEqual(["a", "b", "c"])
    expect(pluginNames(dataFirst)).toEqual(["a", "d"])
  })

  it("add and override take one item, as make does, or an array", () => {
    const original = Registry.make(plugin("a"), database("main"))
    expect(pluginNames(original.pipe(Registry.add(plugin("b"))))).toEqual(["a", "b"])
    expect(pluginNames(Registry.add(original, Registry.make(plugin("c"))))).toEqual(["a", "c"])
    expect(pluginNames(original.pipe(Registry.add([plugin("b"), plugin("c")])))).toEqual(["a", "b", "c"])
    expect(chosenDatabase(original.pipe(Registry.override(database("fake"))))).toBe("fake")
  })

  it("override returns a new registry and leaves the original unchanged", () => {
    const original = Registry.make(database("main"))
    const dataLast = original.pipe(Registry.override([database("fake")]))
    const dataFirst = Registry.override(original, [database("other")])
    expect(chosenDatabase(original)).toBe("main")
    expect(chosenDatabase(dataLast)).toBe("fake")
    expect(chosenDatabase(dataFirst)).toBe("other")
  })

  it("replace returns a new registry and leaves the original unchanged", () => {
    const original = Registry.make(database("main"))
    const dataLast = original.pipe(Registry.replace("main", Component.succeed(Database, { url: "memory" })))
    const dataFirst = Registry.replace(original, "main", Component.succeed(Database, { url: "other" }))
    const constructOf = (registry: Registry.Registry) => {
      const result = Resolver.resolve(registry, [Database])
      return Either.isRight(result) ? result.right.nodes[0]!.component.construct : undefined
    }
    expect(constructOf(original)).toEqual({ _tag: "Value", value: { url: "main" } })
    expect(constructOf(dataLast)).toEqual({ _tag: "Value", value: { url: "memory" } })
    expect(constructOf(dataFirst)).toEqual({ _tag: "Value", value: { url: "other" } })
  })

  it("replacing one name twice is a resolution problem naming both replacements, not the later one winning", () => {
    const registry = Registry.make(database("main")).pipe(
      Registry.replace("main", Component.succeed(Database, { url: "first" })),
      Registry.replace("main", Component.succeed(Database, { url: "second" }).pipe(Component.named("second")))
    )
    const result = Resolver.resolve(registry, [Database])
    expect(Either.isLeft(result) && result.left.problems.map((problem) => problem.message)).toEqual([
      "invalid replacement of \"main\": it is replaced 2 times (by Database (a value), then second (a value)): replace a name once"
    ])
  })

  it("a module included twice counts once, at its first inclusion", () => {
    const Shared = Registry.make(plugin("shared"), Component.succeed(Database, { url: "shared" }))
    const registry = Registry.make(
      plugin("a"),
      Registry.make(Shared, plugin("b")),
      Registry.make(Shared, plugin("c")),
      Shared
    ).pipe(Registry.add([Shared]))
    expect(pluginNames(registry)).toEqual(["a", "shared", "b", "c"])
    // one unnamed Database, so a plain request is not ambiguous
    expect(chosenDatabase(registry)).toBe("Database")
  })

  describe("a value reached more than once counts once", () => {
    const planOf = (registry: Registry.Registry, roots: ReadonlyArray<Dependency.Any>) => {
      const result = Resolver.resolve(registry, roots)
      if (Either.isLeft(result)) throw new Error(result.left.message)
      return result.right
    }

    it("two modules extended from one common module, included together, share its components (diamond)", () => {
      const Common = Registry.make(Component.succeed(Database, { url: "common" }), plugin("common"))
      const A = Common.pipe(Registry.add([plugin("a")]))
      const B = Common.pipe(Registry.add([plugin("b")]))
      const app = Registry.make(A, B)
      // one unnamed Database: named after its tag, not numbered, and not ambiguous
      expect(chosenDatabase(app)).toBe("Database")
      expect(pluginNames(app)).toEqual(["common", "a", "b"])
      expect(planOf(app, [Database]).nodes.map((node) => node.name)).toEqual(["Database"])
    })

    it("the same component added twice is one candidate, at its first position", () => {
      const main = Component.succeed(Database, { url: "main" })
      expect(chosenDatabase(Registry.make(main, main))).toBe("Database")
      const [a, b] = [plugin("a"), plugin("b")]
      // an explicit name given once is not a duplicate name
      expect(pluginNames(Registry.make(a, b, a).pipe(Registry.add([b])))).toEqual(["a", "b"])
    })

    it("a component both added and overridden is one candidate, an override: it still wins over its tag's other candidates", () => {
      const fake = database("fake")
      const addedFirst = Registry.make(database("main"), fake).pipe(Registry.override([fake]))
      const overriddenFirst = Registry.make(database("main")).pipe(Registry.override([fake]), Registry.add([fake]))
      for (const registry of [addedFirst, overriddenFirst]) {
        const plan = planOf(registry, [Database])
        expect(plan.nodes.map((node) => [node.name, node.override])).toEqual([["fake", true]])
        expect(plan.roots[0]!.choice).toEqual({ rule: "override", considered: ["fake"] })
      }
    })

    it("a replacement reached twice is one replacement: applied once, and counted once in a conflict", () => {
      const first = Registry.make(database("main")).pipe(
        Registry.replace("main", Component.succeed(Database, { url: "first" }))
      )
      const plan = planOf(Registry.make(first, first.pipe(Registry.add([plugin("p")]))), [Database])
      expect(plan.nodes[0]!.component.construct).toEqual({ _tag: "Value", value: { url: "first" } })
      const second = first.pipe(Registry.replace("main", Component.succeed(Database, { url: "second" })))
      const result = Resolver.resolve(Registry.make(second, first), [Database])
      expect(Either.isLeft(result) && result.left.problems.map((problem) => problem.message)).toEqual([
        "invalid replacement of \"main\": it is replaced 2 times (by Database (a value), then Database (a value)): replace a name once"
      ])
    })
  })

  it("10,000 nested registries flatten without overflowing the stack", () => {
    let registry = Registry.make(plugin("p0"))
    for (let index = 1; index <= 10_000; index++) registry = Registry.make(registry, plugin(`p${index}`))
    const names = pluginNames(registry)
    expect(names.length).toBe(10_001)
    expect(names[0]).toBe("p0")
    expect(names[10_000]).toBe("p10000")
  })

  it("toString says how many entries a registry has", () => {
    expect(String(Registry.make(plugin("a"), Registry.empty))).toBe("Registry(2 entries)")
    // Regression: a registry of one entry said "Registry(1 entries)"
    expect(String(Registry.make(plugin("a")))).toBe("Registry(1 entry)")
  })

  describe("components", () => {
    const registry = Registry.make(
      plugin("b").pipe(Component.order(2), Component.qualified(["web"])),
      plugin("a").pipe(Component.order(1), Component.qualified(["web"]), Lifecycle.startup()),
      plugin("c").pipe(Component.qualified(["cli"]), Lifetime.transient),
      database("main"),
      Registry.when(Condition.profile("audit"), database("audit").pipe(Lifetime.scoped(Lifetime.scope("Request"))))
    )
    const names = (components: ReadonlyArray<Component.Any>) => components.map((component) => component.name)

    it("lists a registry's components by service, qualifier, name, startup, lifetime or a predicate, sorted by order, building nothing", () => {
      expect(names(Registry.components(registry))).toEqual(["c", "main", "a", "b"])
      expect(names(Registry.components(registry, { service: Plugin }))).toEqual(["c", "a", "b"])
      expect(names(Registry.components(registry, { qualifier: "web" }))).toEqual(["a", "b"])
      expect(names(Registry.components(registry, { name: "b" }))).toEqual(["b"])
      expect(names(Registry.components(registry, { startup: true }))).toEqual(["a"])
      expect(names(Registry.components(registry, { lifetime: "transient" }))).toEqual(["c"])
      expect(names(Registry.components(registry, { service: Plugin, where: (component) => component.order > 1 }))).toEqual(["b"])
    })

    it("is dual: the data-last form in a pipe lists what the data-first form lists", () => {
      expect(names(registry.pipe(Registry.components()))).toEqual(["c", "main", "a", "b"])
      expect(names(registry.pipe(Registry.components({ qualifier: "web" })))).toEqual(["a", "b"])
      expect(names(registry.pipe(Registry.components({ lifetime: Lifetime.scope("Request") }, { profiles: ["audit"] })))).toEqual(["audit"])
    })

    it("guarded items count when their condition holds in the environment given", () => {
      const Request = Lifetime.scope("Request")
      expect(names(Registry.components(registry, { lifetime: Request }))).toEqual([])
      expect(names(Registry.components(registry, { lifetime: Request }, { profiles: ["audit"] }))).toEqual(["audit"])
    })
  })

  it("components reads no Config: what a guard needing one (Condition.config, Options.equals, negated or not) guards is left out, whatever its value", () => {
    const Flag = Config.boolean("FLAG").pipe(Config.withDefault(true))
    const StoreOptions = Options.make("store", { kind: Schema.optionalWith(Schema.Literal("a", "b"), { default: () => "a" as const }) })
    const registry = Registry.make(
      Registry.when(Condition.config(Flag), plugin("on")),
      Registry.when(Condition.not(Condition.config(Flag)), plugin("off")),
      Registry.when(Options.equals(StoreOptions, "kind", "a"), plugin("kindA")),
      Registry.when(Condition.or(Condition.profile("audit"), Condition.config(Flag)), plugin("either")),
      Registry.when(Condition.not(Condition.profile("audit")), plugin("notAudit"))
    )
    expect(Registry.components(registry).map((component) => component.name)).toEqual(["notAudit"])
    // unless the profiles and properties decide the guard alone
    expect(Registry.components(registry, {}, { profiles: ["audit"] }).map((component) => component.name)).toEqual(["either"])
  })

  it.effect("the components the conditions let in, Configs read, are the plan's nodes of a request of them all: Resolver.resolveEffect(registry, [Dependency.all(Plugin)])", () =>
    Effect.gen(function*() {
      const Flag = Config.boolean("FLAG").pipe(Config.withDefault(true))
      const registry = Registry.make(
        Registry.when(Condition.config(Flag), plugin("on")),
        Registry.when(Condition.not(Condition.config(Flag)), plugin("off")),
        Registry.when(Condition.profile("audit"), plugin("audit"))
      )
      const plan = yield* Resolver.resolveEffect(registry, [Dependency.all(Plugin)])
      expect(plan.nodes.map((node) => node.name)).toEqual(["on"])
    }))

  describe("toLayer", () => {
    it.effect("builds the roots' dependencies first and releases them in reverse order", () =>
      Effect.gen(function*() {
        const log = yield* Ref.make<Array<string>>([])
        const record = (entry: string) => Ref.update(log, (entries) => [...entries, entry])
        const registry = Registry.make(
          Component.make(Api, {
            dependencies: [Database],
            build: Effect.gen(function*() {
              const database = yield* Database
              return yield* Effect.acquireRelease(
                Effect.as(record("+api"), { source: database.url }),
                () => record("-api")
              )
            })
          }),
          Component.make(Database, {
            build: Effect.acquireRelease(Effect.as(record("+db"), { url: "db" }), () => record("-db"))
          })
        )
        const api = yield* Effect.provide(Api, Registry.toLayer(registry, [Api]))
        expect(api.source).toBe("db")
        expect(yield* Ref.get(log)).toEqual(["+db", "+api", "-api", "-db"])
      }))

    it.effect("fails with the ResolutionError before running any constructor", () =>
      Effect.gen(function*() {
        const log = yield* Ref.make<Array<string>>([])
        const registry = Registry.make(
          Component.make(Api, {
            dependencies: [Database],
            build: Effect.as(Ref.update(log, (entries) => [...entries, "api"]), { source: "" })
          }),
          Component.make(Plugin, { build: Effect.as(Ref.update(log, (entries) => [...entries, "plugin"]), { name: "p" }) })
        )
        const exit = yield* Effect.exit(Effect.provide(Api, Registry.toLayer(registry, [Plugin, Api])))
        expect(exit).toEqual(
          Exit.fail(
            new Errors.ResolutionError({
              problems: [
                new Errors.MissingComponent({
                  path: ["Api"],
                  request: "Database",
                  available: ["Api", "Plugin"],
                  suggestions: [],
                  unqualified: [],
                  excluded: []
                })
              ]
            })
          )
        )
        expect(yield* Ref.get(log)).toEqual([])
      }))

    it("resolves when the layer is built, not when it is made", () => {
      expect(() => Registry.toLayer(Registry.empty, [Database])).not.toThrow()
    })

    it.effect("services from outside: declared external, they are the Layer's requirements, provided as to any Layer", () =>
      Effect.gen(function*() {
        class Clock extends Context.Tag("platform/Clock")<Clock, { readonly now: () => number }>() {}
        class Stamp extends Context.Tag("Stamp")<Stamp, string>() {}
        const registry = Registry.make(
          Component.make(Stamp, {
            dependencies: [Clock, Dependency.optional(Clock), Dependency.all(Clock)],
            build: Effect.gen(function*() {
              const clock = yield* Clock
              const optional = yield* Dependency.optional(Clock)
              const all = yield* Dependency.all(Clock)
              return `${clock.now()} ${Option.isSome(optional)} ${all.length}`
            })
          })
        )
        const layer = Registry.toLayer(registry, [Stamp], { external: [Clock] })
        const stamp = yield* Effect.provide(Stamp, layer.pipe(Layer.provide(Layer.succeed(Clock, { now: () => 42 }))))
        expect(stamp).toBe("42 true 1")
        // the plan says so
        const plan = Either.getOrThrow(Resolver.resolve(registry, [Stamp], { external: [Clock] }))
        expect(plan.external).toEqual(["platform/Clock"])
        expect(plan.nodes[0]!.dependencies.map((edge) => [edge.request.label, edge.choice.rule, edge.targets])).toEqual([
          ["platform/Clock", "external", []],
          ["Option<platform/Clock>", "external", []],
          ["All<platform/Clock>", "external", []]
        ])
      }))

    it.effect("a service neither registered nor declared external is still missing, with its path; external ones are available", () =>
      Effect.gen(function*() {
        class Clock extends Context.Tag("platform/Clock")<Clock, { readonly now: () => number }>() {}
        const registry = Registry.make(Component.make(Api, { dependencies: [Database, Clock], build: Effect.succeed({ source: "" }) }))
        const error = yield* Effect.flip(Effect.provide(Api, Registry.toLayer(registry, [Api], { external: [Clock] }).pipe(
          Layer.provide(Layer.succeed(Clock, { now: () => 0 }))
        )))
        expect(error.message).toBe("1 problem resolving the graph:\n  - Api -> Database: no component provides Database (available: Api, platform/Clock); register one, or declare it external if the program provides it")
      }))

    it.effect("a component of the registry wins over the program's service; qualified requests find components only", () =>
      Effect.gen(function*() {
        const registry = Registry.make(database("registry"))
        const url = yield* Effect.provide(
          Effect.map(Database, (db) => db.url),
          Registry.toLayer(registry, [Database], { external: [Database] }).pipe(Layer.provide(Layer.succeed(Database, { url: "outside" })))
        )
        expect(url).toBe("registry")
        const qualified = Registry.toLayer(Registry.empty, [Dependency.qualified(Database, "eu")], { external: [Database] })
        const error = yield* Effect.flip(Layer.build(qualified).pipe(Effect.scoped, Effect.provideService(Database, { url: "outside" })))
        expect(error._tag).toBe("ResolutionError")
      }))

    it.effect("an external service the program did not provide (JavaScript callers) dies saying which, before any constructor runs", () =>
      Effect.gen(function*() {
        class Clock extends Context.Tag("platform/Clock")<Clock, { readonly now: () => number }>() {}
        const built = yield* Ref.make(0)
        const registry = Registry.make(Component.make(Api, { dependencies: [Clock], build: Effect.as(Ref.update(built, (n) => n + 1), { source: "" }) }))
        const layer = Registry.toLayer(registry, [Api], { external: [Clock] }) as Layer.Layer<Api, unknown>
        const exit = yield* Effect.exit(Effect.provide(Api, layer))
        expect(Exit.isFailure(exit) && Cause.pretty(exit.cause)).toContain(
          "the external services platform/Clock were not provided to the graph that needs them"
        )
        expect(yield* Ref.get(built)).toBe(0)
      }))

    it.effect("fails with the constructors' own errors, typed, inside ConstructionError: catchTag reaches them", () =>
      Effect.gen(function*() {
        class ConfigError extends Data.TaggedError("ConfigError")<{ readonly key: string }> {}
        const registry = Registry.make(Component.make(Database, { build: Effect.fail(new ConfigError({ key: "DB_URL" })) }))
        const handled = yield* Effect.provide(Effect.map(Database, (db) => db.url), Registry.toLayer(registry, [Database])).pipe(
          Effect.catchTag("ConstructionError", (error) => Effect.succeed(`missing ${error.cause.key}`))
        )
        expect(handled).toBe("missing DB_URL")
      }))

    it.effect("data-first and data-last are the same", () =>
      Effect.gen(function*() {
        const registry = Registry.make(database("a"))
        const first = yield* Effect.provide(Database, Registry.toLayer(registry, [Database]))
        const last = yield* Effect.provide(Database, registry.pipe(Registry.toLayer([Database])))
        expect(last).toEqual(first)
      }))

    it.effect("provides a derived root under its own key", () =>
      Effect.gen(function*() {
        const registry = Registry.make(plugin("b").pipe(Component.order(2)), plugin("a").pipe(Component.order(1)))
        const plugins = yield* Effect.provide(Dependency.all(Plugin), Registry.toLayer(registry, [Dependency.all(Plugin)]))
        expect(plugins).toEqual([{ name: "a" }, { name: "b" }])
      }))
  })

  describe("samber/do v2 behaviour", () => {
    it.effect("Clone: each Layer of one registry builds its own instances of its constructors, shares a value's object, and releases only its own", () =>
      Effect.gen(function*() {
        // do's Clone copies the providers, not the invoked instances; a provided value is the value itself
        const log: Array<string> = []
        let built = 0
        const config = { url: "config" }
        class Settings extends Context.Tag("Settings")<Settings, typeof config>() {}
        const registry = Registry.make(
          Component.succeed(Settings, config),
          Component.make(Database, {
            dependencies: [Settings],
            build: Effect.acquireRelease(
              Effect.sync(() => {
                log.push(`+db${++built}`)
                return { url: `db${built}` }
              }),
              (database) => Effect.sync(() => void log.push(`-${database.url}`))
            )
          })
        )
        const [first, second] = [yield* Scope.make(), yield* Scope.make()]
        const original = yield* Layer.buildWithScope(Registry.toLayer(registry, [Database, Settings]), first)
        const cloned = yield* Layer.buildWithScope(Registry.toLayer(registry, [Database, Settings]), second)
        expect([Context.get(original, Database).url, Context.get(cloned, Database).url]).toEqual(["db1", "db2"])
        expect(Context.get(original, Settings)).toBe(config)
        expect(Context.get(cloned, Settings)).toBe(config)
        yield* Scope.close(second, Exit.void)
        // the clone's instance released, the original's kept
        expect(log).toEqual(["+db1", "+db2", "-db2"])
        yield* Scope.close(first, Exit.void)
        expect(log).toEqual(["+db1", "+db2", "-db2", "-db1"])
      }))
  })
})
