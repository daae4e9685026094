import { describe, expect, it } from "@effect/vitest"
import { Cause, ConfigProvider, Context, Data, Effect, Exit, Layer, Redacted, Ref, Schema } from "effect"
import { App, Component, Condition, Dependency, Errors, Family, Lifecycle, Options, Qualifier, Registry, Resolver, Testing } from "../src/index.js"

class Database extends Context.Tag("Database")<Database, { readonly url: string }>() {}
class Mailer extends Context.Tag("Mailer")<Mailer, {
  readonly send: (to: string) => Effect.Effect<string>
  readonly outbox: Effect.Effect<ReadonlyArray<string>>
}>() {}
class Api extends Context.Tag("Api")<Api, { readonly describe: string }>() {}

const Replica = Qualifier.make("replica")
const ReplicaDatabase = Dependency.qualified(Database, Replica)

const production = Registry.make(
  Component.succeed(Database, { url: "postgres://main" }).pipe(Component.named("main"), Component.primary),
  Component.succeed(Database, { url: "postgres://replica" }).pipe(Component.named("replica"), Component.qualified([Replica])),
  Component.make(Mailer, {
    build: Effect.succeed({ send: (to: string) => Effect.succeed(`smtp:${to}`), outbox: Effect.succeed([]) })
  }),
  Component.make(Api, {
    dependencies: [Database, ReplicaDatabase],
    build: Effect.gen(function*() {
      const main = yield* Database
      const replica = yield* ReplicaDatabase
      return { describe: `${main.url} + ${replica.url}` }
    })
  })
)

const describeApi = Effect.map(Api, (api) => api.describe)

describe("Testing", () => {
  it.effect("a value override wins over the primary candidate for every request of its tag", () =>
    Effect.gen(function*() {
      const layer = Testing.toLayer(production, [Api], Testing.value(Database, { url: "memory" }))
      expect(yield* Effect.provide(describeApi, layer)).toBe("memory + memory")
    }))

  it.effect("a qualified override replaces only the requests for its qualifier", () =>
    Effect.gen(function*() {
      const layer = Testing.toLayer(production, [Api], Testing.value(Database, { url: "memory" }, { qualifiers: [Replica] }))
      expect(yield* Effect.provide(describeApi, layer)).toBe("postgres://main + memory")
    }))

  it.effect("a qualified override answers the collections of its qualifier, not the plain collection, where replacing by name does", () =>
    Effect.gen(function*() {
      const urls = (registry: Registry.Registry<never>, request: Context.Tag<any, ReadonlyArray<{ readonly url: string }>>) =>
        Effect.provide(Effect.map(request, (all) => all.map((database) => database.url)), Registry.toLayer(registry, [request]))
      const qualified = production.pipe(Testing.value(Database, { url: "memory" }, { qualifiers: [Replica] }))
      expect(yield* urls(qualified, Dependency.all(ReplicaDatabase))).toEqual(["memory"])
      expect(yield* urls(qualified, Dependency.all(Database))).toEqual(["postgres://main", "postgres://replica"])
      expect(yield* urls(production.pipe(Testing.named(Database, "replica", { url: "memory" })), Dependency.all(Database))).toEqual([
        "postgres://main",
        "memory"
      ])
    }))

  it.effect("a qualified override is more specific than a tag-wide one for requests of its qualifier", () =>
    Effect.gen(function*() {
      const layer = Testing.toLayer(
        production,
        [Api],
        Testing.value(Database, { url: "memory" }),
        Testing.value(Database, { url: "memory://replica" }, { qualifiers: [Replica] })
      )
      expect(yield* Effect.provide(describeApi, layer)).toBe("memory + memory://replica")
    }))

  it.effect("a replacement by name swaps one member and keeps its qualifiers", () =>
    Effect.gen(function*() {
      const layer = Testing.toLayer(production, [Api], Testing.named(Database, "replica", { url: "memory://replica" }))
      expect(yield* Effect.provide(describeApi, layer)).toBe("postgres://main + memory://replica")
    }))

  it.effect("a replacement of a name that no component has is a resolution error", () =>
    Effect.gen(function*() {
      const layer = Testing.toLayer(production, [Api], Testing.named(Database, "nope", { url: "memory" }))
      const error = yield* Effect.flip(Effect.provide(describeApi, layer))
      expect(error._tag).toBe("ResolutionError")
      expect(error.message).toBe(
        "1 problem resolving the graph:\n  - invalid replacement of \"nope\": no component is named \"nope\" (names: Api, Mailer, main, replica)"
      )
    }))

  it.effect("a replacement of a name without its namespace, under App, suggests the close names and lists only the application's components", () =>
    Effect.gen(function*() {
      class Greeting extends Context.Tag("api/Greeting")<Greeting, string>() {}
      const registry = Registry.make(Component.succeed(Greeting, "hello")).pipe(Testing.named(Greeting, "Greeting", "hi"))
      const error = yield* Effect.flip(App.plan(App.make(registry)))
      expect(error.message).toBe(
        "1 problem resolving the graph:\n  - invalid replacement of \"Greeting\": no component is named \"Greeting\" (names: api/Greeting); did you mean api/Greeting?"
      )
    }))

  describe("an override that replaces nothing", () => {
    class Mailr extends Context.Tag("Mailr")<Mailr, string>() {}
    class Clock extends Context.Tag("test/Clock")<Clock, number>() {}
    class Audit extends Context.Tag("Audit")<Audit, string>() {}

    it.effect("of a service no component provides and nothing requests is a resolution problem, found before anything is built, suggesting the close services", () =>
      Effect.gen(function*() {
        const built = yield* Ref.make(0)
        const registry = production.pipe(
          Registry.add(Component.make(Audit, { build: Effect.as(Ref.update(built, (n) => n + 1), "audit") }))
        )
        const layer = Testing.toLayer(registry, [Api, Audit], Testing.value(Mailr, "fake"))
        const error = yield* Effect.flip(Effect.provide(describeApi, layer))
        expect(error).toEqual(new Errors.ResolutionError({
          problems: [new Errors.InvalidDeclaration({ path: [], subject: { _tag: "Override", service: "Mailr" }, issues: [{ code: "OverridesNothing", suggestions: ["Mailer"] }] })]
        }))
        expect(error.message).toBe(
          "1 problem resolving the graph:\n  - invalid override of Mailr: no component provides Mailr and nothing requests it, so it replaces nothing; did you mean Mailer? If it adds a service, register it with Registry.add"
        )
        expect(yield* Ref.get(built)).toBe(0)
      }))

    it.effect("every override helper and Registry.override are held to it, each service once; without a close service the message says how to add one", () =>
      Effect.gen(function*() {
        const problems = (registry: Registry.Registry<unknown>) =>
          Effect.map(Effect.flip(Resolver.resolveEffect(registry, [Api])), (error) => error.problems.map((problem) => problem.message))
        const clockNothing = "invalid override of test/Clock: no component provides test/Clock and nothing requests it, so it replaces nothing: to add a service, register it with Registry.add"
        expect(yield* problems(production.pipe(
          Testing.value(Clock, 1),
          Testing.layer(Clock, Layer.succeed(Clock, 2)),
          Testing.component(Component.succeed(Clock, 3).pipe(Component.named("fixed"))),
          Testing.mock(Mailer, {}),
          Registry.override(Component.succeed(Audit, "audit"))
        ))).toEqual([
          clockNothing,
          "invalid override of Audit: no component provides Audit and nothing requests it, so it replaces nothing: to add a service, register it with Registry.add"
        ])
      }))

    it.effect("of a service the registry provides but the roots do not need is no problem: one override list serves the tests of parts of a registry", () =>
      Effect.gen(function*() {
        const layer = Testing.toLayer(production, [Database], Testing.value(Mailer, { send: () => Effect.succeed("fake"), outbox: Effect.succeed([]) }))
        expect(yield* Effect.provide(Effect.map(Database, (db) => db.url), layer)).toBe("postgres://main")
      }))

    it.effect("of a service only a component left out by its condition provides is no problem (another environment's)", () =>
      Effect.gen(function*() {
        const registry = Registry.make(production, Registry.when(Condition.profile("audit"), Component.succeed(Audit, "audit")))
        const layer = Testing.toLayer(registry, [Api], Testing.value(Audit, "fake"))
        expect(yield* Effect.provide(describeApi, layer)).toBe("postgres://main + postgres://replica")
      }))

    it.effect("of a service something requests and nothing provides fills the hole, whether these roots reach the requester or not", () =>
      Effect.gen(function*() {
        class Report extends Context.Tag("Report")<Report, string>() {}
        const registry = production.pipe(
          Registry.add(Component.make(Report, { dependencies: [Dependency.optional(Audit)], build: Effect.succeed("report") }))
        )
        const filled = Testing.toLayer(registry, [Report], Testing.value(Audit, "fake"))
        expect(yield* Effect.provide(Report, filled)).toBe("report")
        const elsewhere = Testing.toLayer(registry, [Api], Testing.value(Audit, "fake"))
        expect(yield* Effect.provide(describeApi, elsewhere)).toBe("postgres://main + postgres://replica")
        // a root (or an external service) requests it too
        expect(yield* Effect.provide(Audit, Testing.toLayer(production, [Audit], Testing.value(Audit, "root")))).toBe("root")
      }))
  })

  describe("a qualified override that replaces nothing", () => {
    const Typo = Qualifier.make("replca")
    const Cold = Qualifier.make("cold")
    const problems = (registry: Registry.Registry<unknown>, roots: ReadonlyArray<Dependency.Any> = [Api]) =>
      Effect.map(Effect.flip(Resolver.resolveEffect(registry, roots)), (error) => error.problems.map((problem) => problem.message))

    it.effect("of a qualifier no component of its service has and no request asks for is a resolution problem, suggesting the close qualifiers", () =>
      Effect.gen(function*() {
        const layer = Testing.toLayer(production, [Api], Testing.value(Database, { url: "memory" }, { qualifiers: [Typo] }))
        const error = yield* Effect.flip(Effect.provide(describeApi, layer))
        expect(error).toEqual(new Errors.ResolutionError({
          problems: [
            new Errors.InvalidDeclaration({
              path: [],
              subject: { _tag: "Override", service: "Database", qualifier: "replca" },
              issues: [{ code: "OverridesNothing", suggestions: ["replica"] }]
            })
          ]
        }))
        expect(error.message).toBe(
          "1 problem resolving the graph:\n  - invalid override of Database@replca: no component of Database has the qualifier replca and nothing requests Database@replca, so it replaces nothing; did you mean replica? An override with qualifiers answers only the requests of one of them"
        )
      }))

    it.effect("each qualifier of an override is checked, once per service, in registration order; without a close one the message says what to do", () =>
      Effect.gen(function*() {
        expect(yield* problems(production.pipe(
          Testing.value(Database, { url: "memory" }, { qualifiers: [Replica, Cold] }),
          Registry.override(Component.succeed(Database, { url: "memory" }).pipe(Component.qualified([Cold]))),
          Testing.mock(Mailer, {}, { qualifiers: [Typo] })
        ))).toEqual([
          "invalid override of Database@cold: no component of Database has the qualifier cold and nothing requests Database@cold, so it replaces nothing: an override with qualifiers answers only the requests of one of them (to replace every Database, give it none; to add a Database qualified cold, register it with Registry.add)",
          "invalid override of Mailer@replca: no component of Mailer has the qualifier replca and nothing requests Mailer@replca, so it replaces nothing: an override with qualifiers answers only the requests of one of them (to replace every Mailer, give it none; to add a Mailer qualified replca, register it with Registry.add)"
        ])
      }))

    it.effect("of a qualifier a component has, one left out by its condition has, or something requests (optional, collection, handle, from any component or root) is no problem", () =>
      Effect.gen(function*() {
        const fake = { url: "memory" }
        // a component has it, though these roots do not request it
        const some = Testing.toLayer(production, [Database], Testing.value(Database, fake, { qualifiers: [Replica] }))
        expect(yield* Effect.provide(Effect.map(Database, (db) => db.url), some)).toBe("postgres://main")
        // one another environment's
        const cold = Registry.make(
          production,
          Registry.when(Condition.profile("cold"), Component.succeed(Database, { url: "cold" }).pipe(Component.qualified([Cold])))
        )
        expect(yield* Effect.provide(describeApi, Testing.toLayer(cold, [Api], Testing.value(Database, fake, { qualifiers: [Cold] }))))
          .toBe("postgres://main + postgres://replica")
        // requested and not provided: the override fills it
        class Report extends Context.Tag("Report")<Report, string>() {}
        const requesting = production.pipe(Registry.add(Component.make(Report, {
          dependencies: [Dependency.optional(Dependency.qualified(Database, Cold))],
          build: Effect.map(Dependency.optional(Dependency.qualified(Database, Cold)), (db) => db._tag === "Some" ? db.value.url : "none")
        })))
        expect(yield* Effect.provide(Report, Testing.toLayer(requesting, [Report], Testing.value(Database, fake, { qualifiers: [Cold] })))).toBe("memory")
        expect(yield* Effect.provide(describeApi, Testing.toLayer(requesting, [Api], Testing.value(Database, fake, { qualifiers: [Cold] }))))
          .toBe("postgres://main + postgres://replica")
        // a root's collection and a handle
        const collection = Dependency.all(Dependency.qualified(Database, Cold))
        expect(yield* Effect.provide(collection, Testing.toLayer(production, [collection], Testing.value(Database, fake, { qualifiers: [Cold] }))))
          .toEqual([fake])
        const lazy = Dependency.lazy(Dependency.qualified(Mailer, Cold))
        const plan = yield* Resolver.resolveEffect(production.pipe(Testing.mock(Mailer, {}, { qualifiers: [Cold] })), [lazy])
        expect(plan.nodes.map((node) => node.name)).toEqual(["Mailer (override)"])
      }))
  })

  it.effect("a mock built with Layer.mock serves the given members and dies on the others", () =>
    Effect.gen(function*() {
      const layer = Testing.toLayer(production, [Mailer], Testing.mock(Mailer, { send: (to) => Effect.succeed(`fake:${to}`) }))
      const mailer = yield* Effect.provide(Mailer, layer)
      expect(yield* mailer.send("ada")).toBe("fake:ada")
      const exit = yield* Effect.exit(mailer.outbox)
      expect(Exit.isFailure(exit) && Cause.isDie(exit.cause)).toBe(true)
    }))

  it.effect("a Layer override keeps its own resources and releases them with the graph", () =>
    Effect.gen(function*() {
      const log = yield* Ref.make<Array<string>>([])
      const fake = Layer.scoped(
        Database,
        Effect.acquireRelease(
          Effect.as(Ref.update(log, (entries) => [...entries, "open"]), { url: "scoped" }),
          () => Ref.update(log, (entries) => [...entries, "close"])
        )
      )
      const url = yield* Effect.scoped(
        Effect.provide(Effect.map(Database, (db) => db.url), Testing.toLayer(production, [Database], Testing.layer(Database, fake)))
      )
      expect(url).toBe("scoped")
      expect(yield* Ref.get(log)).toEqual(["open", "close"])
    }))

  it.effect("a component override resolves its own dependencies from the registry", () =>
    Effect.gen(function*() {
      const layer = Testing.toLayer(
        production,
        [Api],
        Testing.component(Component.make(Api, {
          dependencies: [ReplicaDatabase],
          build: Effect.map(ReplicaDatabase, (db) => ({ describe: `test on ${db.url}` }))
        }))
      )
      expect(yield* Effect.provide(describeApi, layer)).toBe("test on postgres://replica")
    }))

  it.effect("an override or a replacement has its own lifecycle, not the replaced component's: the real health check does not run against the fake, one given to the fake does", () =>
    Effect.gen(function*() {
      const checked: Array<string> = []
      const ping = Lifecycle.healthCheck((database: Database["Type"]) => Effect.sync(() => void checked.push(database.url)), { name: "ping" })
      const real = Registry.make(Component.succeed(Database, { url: "postgres://main" }).pipe(Component.named("main"), ping))
      const checksOf = (registry: Registry.Registry<never>) =>
        Effect.scoped(Effect.gen(function*() {
          const running = yield* App.start(App.make(registry, { roots: [Database] }))
          const report = yield* App.health(running)
          return report.components.map((component) => `${component.name}: ${component.checks.map((check) => check.name).join(", ")}`)
        }))
      expect(yield* checksOf(real.pipe(Testing.value(Database, { url: "memory" })))).toEqual([])
      expect(yield* checksOf(real.pipe(Testing.named(Database, "main", { url: "memory" })))).toEqual([])
      expect(checked).toEqual([])
      expect(yield* checksOf(real.pipe(Testing.component(Component.succeed(Database, { url: "memory" }).pipe(ping))))).toEqual([
        "Database (override): ping"
      ])
      expect(checked).toEqual(["memory"])
    }))

  it.effect("overrides leave the production registry untouched", () =>
    Effect.gen(function*() {
      production.pipe(Testing.value(Database, { url: "memory" }))
      expect(yield* Effect.provide(describeApi, Registry.toLayer(production, [Api]))).toBe(
        "postgres://main + postgres://replica"
      )
    }))

  it.effect("two overrides of one request tie like any other candidates", () =>
    Effect.gen(function*() {
      const layer = Testing.toLayer(
        production,
        [Database],
        Testing.value(Database, { url: "a" }),
        Testing.value(Database, { url: "b" })
      )
      const error = yield* Effect.flip(Effect.provide(Database, layer))
      expect(error).toBeInstanceOf(Errors.ResolutionError)
      expect((error as Errors.ResolutionError).problems[0]!._tag).toBe("AmbiguousComponent")
    }))

  it.effect("two named overrides of one name are an error listing both, not the last one winning", () =>
    Effect.gen(function*() {
      // Regression: the second override won silently.
      const layer = Testing.toLayer(
        production,
        [Api],
        Testing.named(Database, "replica", { url: "memory://a" }),
        Testing.named(Database, "replica", { url: "memory://b" })
      )
      const error = yield* Effect.flip(Effect.provide(describeApi, layer))
      expect(error).toEqual(
        new Errors.ResolutionError({
          problems: [
            new Errors.InvalidDeclaration({
              path: [],
              subject: { _tag: "Replacement", name: "replica" },
              issues: [{
                code: "ReplacedTwice",
                replacements: [{ name: "Database", construct: "Value" }, { name: "Database", construct: "Value" }]
              }]
            })
          ]
        })
      )
      expect(error.message).toBe(
        "1 problem resolving the graph:\n  - invalid replacement of \"replica\": it is replaced 2 times (by Database (a value), then Database (a value)): replace a name once"
      )
    }))

  describe("a fake that is a Component or a Layer", () => {
    // a wide service type lets one through the types
    class Anything extends Context.Tag("app/Anything")<Anything, object>() {}
    const real = Registry.make(Component.succeed(Anything, { real: true }).pipe(Component.named("realAnything")))
    const fake = Component.succeed(Anything, { fake: true })
    const layer = Layer.succeed(Anything, { fake: true })
    const problems = (registry: Registry.Registry<unknown>) =>
      Effect.map(Effect.flip(Resolver.resolveEffect(registry, [Anything])), (error) => error.problems)

    it.effect("given to Testing.value is an InvalidDeclaration of the override, saying to use Testing.component or Testing.layer", () =>
      Effect.gen(function*() {
        expect(yield* problems(real.pipe(Testing.value(Anything, fake)))).toEqual([
          new Errors.InvalidDeclaration({ path: [], subject: { _tag: "Override", service: "app/Anything" }, issues: [{ code: "ValueIsDeclaration", kind: "Component" }] })
        ])
        const messages = (registry: Registry.Registry<unknown>) => Effect.map(problems(registry), (found) => found.map((problem) => problem.message))
        expect(yield* messages(real.pipe(Testing.value(Anything, fake)))).toEqual([
          "invalid override of app/Anything: its value is a Component, which would be the service itself: use Testing.component"
        ])
        expect(yield* messages(real.pipe(Testing.value(Anything, layer)))).toEqual([
          "invalid override of app/Anything: its value is a Layer, which would be the service itself: use Testing.layer"
        ])
        // the override's qualifier is told with its service
        const qualified = Registry.make(Component.succeed(Anything, { real: true }).pipe(Component.qualified(["cold"])))
        expect(yield* messages(qualified.pipe(Testing.value(Anything, layer, { qualifiers: ["cold"] })))).toEqual([
          "invalid override of app/Anything@cold: its value is a Layer, which would be the service itself: use Testing.layer"
        ])
      }))

    it.effect("given to Testing.named is an InvalidDeclaration of the replacement, saying to use Registry.replace", () =>
      Effect.gen(function*() {
        const messages = (registry: Registry.Registry<unknown>) => Effect.map(problems(registry), (found) => found.map((problem) => problem.message))
        expect(yield* problems(real.pipe(Testing.named(Anything, "realAnything", fake)))).toEqual([
          new Errors.InvalidDeclaration({ path: [], subject: { _tag: "Replacement", name: "realAnything" }, issues: [{ code: "ValueIsDeclaration", kind: "Component" }] })
        ])
        expect(yield* messages(real.pipe(Testing.named(Anything, "realAnything", fake)))).toEqual([
          "invalid replacement of \"realAnything\": its value is a Component, which would be the service itself: use Registry.replace(registry, \"realAnything\", component)"
        ])
        expect(yield* messages(real.pipe(Testing.named(Anything, "realAnything", layer)))).toEqual([
          "invalid replacement of \"realAnything\": its value is a Layer, which would be the service itself: use Registry.replace(registry, \"realAnything\", Component.fromLayer(tag, { layer }))"
        ])
      }))
  })

  describe("data-first and data-last", () => {
    it.effect("every helper given the registry first returns the registry the piped form gives", () =>
      Effect.gen(function*() {
        const fakeApi = Component.succeed(Api, { describe: "fake api" })
        const firsts = [
          Testing.value(production, Database, { url: "memory" }),
          Testing.mock(production, Database, { url: "mock" }),
          Testing.layer(production, Database, Layer.succeed(Database, { url: "layer" })),
          Testing.component(production, fakeApi),
          Testing.named(production, Database, "replica", { url: "memory://replica" })
        ]
        const lasts = [
          production.pipe(Testing.value(Database, { url: "memory" })),
          production.pipe(Testing.mock(Database, { url: "mock" })),
          production.pipe(Testing.layer(Database, Layer.succeed(Database, { url: "layer" }))),
          production.pipe(Testing.component(fakeApi)),
          production.pipe(Testing.named(Database, "replica", { url: "memory://replica" }))
        ]
        const described = (registry: Registry.Registry<unknown>) => Effect.provide(describeApi, Registry.toLayer(registry, [Api]))
        const expected = ["memory + memory", "mock + mock", "layer + layer", "fake api", "postgres://main + memory://replica"]
        expect(yield* Effect.forEach(firsts, described)).toEqual(expected)
        expect(yield* Effect.forEach(lasts, described)).toEqual(expected)
      }))

    it.effect("data-first overrides take their options last", () =>
      Effect.gen(function*() {
        const registry = Testing.value(production, Database, { url: "memory" }, { qualifiers: [Replica] })
        expect(yield* Effect.provide(describeApi, Registry.toLayer(registry, [Api]))).toBe("postgres://main + memory")
      }))

    it.effect("an override keeps the registry's error type and adds its own: catchTag reaches either", () =>
      Effect.gen(function*() {
        class DbDown extends Data.TaggedError("DbDown")<{ readonly url: string }> {}
        class FakeBroken extends Data.TaggedError("FakeBroken")<{}> {}
        const failing = Registry.make(
          Component.make(Database, { build: Effect.fail(new DbDown({ url: "postgres://main" })) }),
          Component.make(Mailer, { build: Effect.never })
        )
        const overridden = failing.pipe(Testing.layer(Mailer, Layer.fail(new FakeBroken())))
        const reached = yield* Effect.provide(Effect.as(Mailer, "built"), Registry.toLayer(overridden, [Mailer])).pipe(
          Effect.catchTag("ConstructionError", (error) =>
            Effect.succeed(error.cause._tag === "FakeBroken" ? "fake failed" : `production failed at ${error.cause.url}`))
        )
        expect(reached).toBe("fake failed")
      }))
  })

  describe("toLayer with options", () => {
    class Clock extends Context.Tag("platform/Clock")<Clock, { readonly now: () => number }>() {}
    class Stamp extends Context.Tag("Stamp")<Stamp, string>() {}
    const guarded = Registry.make(
      Component.make(Stamp, { dependencies: [Clock], build: Effect.map(Clock, (clock) => `at ${clock.now()}`) }),
      Registry.when(Condition.profile("eu"), Component.succeed(Database, { url: "postgres://eu" }))
    )

    it.effect("takes the overrides, the external services and the profiles of Registry.toLayer", () =>
      Effect.gen(function*() {
        // the registry has no Mailer: the override gives the one the roots request
        const layer = Testing.toLayer(guarded, [Stamp, Database, Mailer], {
          overrides: [Testing.value(Mailer, { send: (to) => Effect.succeed(`fake:${to}`), outbox: Effect.succeed([]) })],
          external: [Clock],
          profiles: ["eu"]
        })
        const program = Effect.all([Stamp, Effect.map(Database, (db) => db.url), Effect.flatMap(Mailer, (mailer) => mailer.send("ada"))])
        expect(yield* Effect.provide(program, layer.pipe(Layer.provide(Layer.succeed(Clock, { now: () => 7 }))))).toEqual([
          "at 7",
          "postgres://eu",
          "fake:ada"
        ])
      }))

    it.effect("applies the overrides in order and passes the build options on (an invalid concurrency dies)", () =>
      Effect.gen(function*() {
        const layer = Testing.toLayer(production, [Api], {
          overrides: [Testing.value(Database, { url: "memory" }), Testing.named(Database, "replica", { url: "memory://replica" })],
          concurrency: 0
        })
        const exit = yield* Effect.exit(Effect.provide(describeApi, layer))
        expect(Exit.isFailure(exit) && Cause.isDie(exit.cause)).toBe(true)
        const fine = Testing.toLayer(production, [Api], {
          overrides: [Testing.value(Database, { url: "memory" }), Testing.value(Database, { url: "memory://replica" }, { qualifiers: [Replica] })],
          concurrency: 1
        })
        expect(yield* Effect.provide(describeApi, fine)).toBe("memory + memory://replica")
      }))

    it.effect("data-last: registry.pipe(Testing.toLayer(roots, options))", () =>
      Effect.gen(function*() {
        const layer = production.pipe(Testing.toLayer([Api], { overrides: [Testing.value(Database, { url: "memory" })] }))
        expect(yield* Effect.provide(describeApi, layer)).toBe("memory + memory")
      }))

    it.effect("without overrides or options it is the registry's Layer", () =>
      Effect.gen(function*() {
        expect(yield* Effect.provide(describeApi, Testing.toLayer(production, [Api]))).toBe("postgres://main + postgres://replica")
        expect(yield* Effect.provide(describeApi, Testing.toLayer(production, [Api], {}))).toBe("postgres://main + postgres://replica")
      }))
  })

  describe("with it.layer", () => {
    it.layer(Testing.toLayer(production, [Api, Mailer], Testing.value(Database, { url: "memory" })))((it) => {
      it.effect("the overridden graph is provided to every test of the block", () =>
        Effect.gen(function*() {
          expect(yield* describeApi).toBe("memory + memory")
          expect(yield* Effect.flatMap(Mailer, (mailer) => mailer.send("x"))).toBe("smtp:x")
        }))
    })
  })

  describe("options", () => {
    const StorageOptions = Options.make("storage", {
      kind: Schema.Literal("memory", "sql"),
      name: Schema.String,
      pool: Schema.optionalWith(Schema.NumberFromString.pipe(Schema.int(), Schema.positive()), { default: () => 4 }),
      password: Schema.optional(Schema.Redacted(Schema.String))
    })
    class Storage extends Context.Tag("Storage")<Storage, {
      readonly implementation: string
      readonly options: Omit<typeof StorageOptions.Service, "password">
    }>() {}
    const storageOf = (implementation: string) =>
      Component.make(Storage, {
        dependencies: [StorageOptions],
        build: Effect.map(StorageOptions, ({ password: _, ...options }) => ({ implementation, options }))
      })
    const storage = Registry.make(
      Registry.when(Options.equals(StorageOptions, "kind", "memory"), storageOf("memory")),
      Registry.when(Options.equals(StorageOptions, "kind", "sql"), storageOf("sql"))
    )
    // the real configuration selects the memory storage
    const configured = Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["storage.kind", "memory"], ["storage.name", "main"], ["storage.pool", "8"]])))

    it.effect("the conditions see the options a test gives, and so do their requesters", () =>
      Effect.gen(function*() {
        const layer = Testing.toLayer(storage, [Storage], Testing.options(StorageOptions, { kind: "sql" }))
        expect(yield* Effect.provide(Storage, layer).pipe(configured)).toEqual({
          implementation: "sql",
          options: { kind: "sql", name: "main", pool: 8 }
        })
        // data-first, run as an App
        const app = App.make(Testing.options(storage, StorageOptions, { kind: "sql" }), { roots: [Storage] })
        expect((yield* Effect.provide(Storage, App.layer(app)).pipe(configured)).implementation).toBe("sql")
      }))

    it.effect("a partial value keeps the configuration's other options, their defaults included", () =>
      Effect.gen(function*() {
        const given = Testing.toLayer(storage, [Storage], Testing.options(StorageOptions, { pool: 2, name: undefined }))
        expect(yield* Effect.provide(Storage, given).pipe(configured)).toEqual({
          implementation: "memory",
          options: { kind: "memory", name: "main", pool: 2 }
        })
        const withDefault = Testing.toLayer(storage, [Storage], Testing.options(StorageOptions, { kind: "sql", name: "test" }))
        expect(yield* Effect.provide(Storage, withDefault).pipe(Effect.withConfigProvider(ConfigProvider.fromMap(new Map())))).toEqual({
          implementation: "sql",
          options: { kind: "sql", name: "test", pool: 4 }
        })
      }))

    it.effect("the help says which values the test gave; of two overrides of one option, the one applied last wins", () =>
      Effect.gen(function*() {
        const plan = yield* Resolver.resolveEffect(
          storage.pipe(
            Testing.options(StorageOptions, { kind: "memory", password: Redacted.make("hunter2") }),
            Testing.options(StorageOptions, { kind: "sql" })
          ),
          [Storage]
        ).pipe(configured)
        const described = yield* Options.describe(plan).pipe(configured)
        expect(described.map((option) => [option.flag, option.value, option.source, option.from])).toEqual([
          ["--storage-kind", "\"sql\"", "config", "Testing.options"],
          ["--storage-name", "\"main\"", "config", undefined],
          ["--storage-pool", "8", "config", undefined],
          ["--storage-password", "<redacted>", "config", "Testing.options"]
        ])
        expect(yield* Options.help(plan).pipe(configured)).toContain("value: \"sql\" (Testing.options)")
      }))

    it.effect("options with one value take the value alone", () =>
      Effect.gen(function*() {
        const Port = Options.make("port", Schema.NumberFromString)
        class Server extends Context.Tag("Server")<Server, number>() {}
        const registry = Registry.make(
          Registry.when(Options.equals(Port, 80), Component.succeed(Server, 0)),
          Component.make(Server, { dependencies: [Port], build: Port }).pipe(Component.alternative)
        )
        const layer = Testing.toLayer(registry, [Server], Testing.options(Port, 8080))
        expect(yield* Effect.provide(Server, layer).pipe(configured)).toBe(8080)
      }))

    it.effect("a family member's options a test gives are read by the member and seen by a condition on them; the other members' are read as usual", () =>
      Effect.gen(function*() {
        const KubeOptions = Options.family("kube", { url: Schema.String })
        class KubeClient extends Context.Tag("KubeClient")<KubeClient, string>() {}
        const Clients = Family.make(KubeClient, {
          key: (args: { readonly cluster: string }) => args.cluster,
          dependencies: (args) => [KubeOptions.of(args.cluster)],
          build: (args) => Effect.map(KubeOptions.of(args.cluster), (options) => options.url)
        })
        class Mode extends Context.Tag("Mode")<Mode, string>() {}
        const registry = Registry.make(
          Clients,
          Registry.when(Options.equals(KubeOptions.of("eu"), "url", "memory://eu"), Component.succeed(Mode, "in memory")),
          Component.succeed(Mode, "remote").pipe(Component.alternative)
        )
        const Eu = Clients.of({ cluster: "eu" })
        const Us = Clients.of({ cluster: "us" })
        const read = Effect.all([Eu, Us, Mode])
        const kube = Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["kube.eu.url", "https://eu"], ["kube.us.url", "https://us"]])))
        expect(yield* Effect.provide(read, Testing.toLayer(registry, [Eu, Us, Mode], {})).pipe(kube)).toEqual(["https://eu", "https://us", "remote"])
        const given = Testing.toLayer(registry, [Eu, Us, Mode], Testing.options(KubeOptions.of("eu"), { url: "memory://eu" }))
        expect(yield* Effect.provide(read, given).pipe(kube)).toEqual(["memory://eu", "https://us", "in memory"])
        const plan = yield* Resolver.resolveEffect(Testing.options(registry, KubeOptions.of("eu"), { url: "memory://eu" }), [Eu, Us, Mode]).pipe(kube)
        const described = yield* Options.describe(plan).pipe(kube)
        expect(described.map((option) => [option.options, option.flag, option.value, option.from])).toEqual([
          ["kube(eu)", "--kube-eu-url", "\"memory://eu\"", "Testing.options"],
          ["kube(us)", "--kube-us-url", "\"https://us\"", undefined]
        ])
      }))

    it("a value its option's schema rejects, or an option the options lack, throws where it is given", () => {
      expect(() => Testing.options(StorageOptions, { pool: 0 })).toThrow(
        new TypeError(
          "Testing.options: 0 is not a valid value of option --storage-pool (storage.pool): Expected a positive number, actual 0"
        )
      )
      expect(() => Testing.options(storage, StorageOptions, { kind: "s3" as "sql" })).toThrow(
        new TypeError("Testing.options: \"s3\" is not a valid value of option --storage-kind (storage.kind): Expected \"memory\", actual \"s3\"; Expected \"sql\", actual \"s3\"")
      )
      expect(() => Testing.options(StorageOptions, { size: 1 } as never)).toThrow(
        new TypeError("Testing.options: storage has no option \"size\" (its options: \"kind\", \"name\", \"pool\", \"password\")")
      )
      // a secret given as plain text (a cast, or JavaScript) is told how to give it, its value never shown
      expect(() => Testing.options(StorageOptions, { password: "hunter2" as never })).toThrow(
        new TypeError("Testing.options: <redacted> is not a valid value of option --storage-password (storage.password): a secret is given as Redacted.make(value)")
      )
    })
  })
})
