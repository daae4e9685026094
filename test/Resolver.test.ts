import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Either, FastCheck as fc, Layer, Option, Ref } from "effect"
import { App, Component, Condition, Dependency, Errors, Explain, Family, Lifecycle, Lifetime, Plan, Qualifier, Registry, Resolver } from "../src/index.js"
import { boundedDistance } from "../src/internal/resolver/problems.js"

class Database extends Context.Tag("Database")<Database, { readonly url: string }>() {}
class Cache extends Context.Tag("Cache")<Cache, { readonly size: number }>() {}
class Logger extends Context.Tag("Logger")<Logger, { readonly level: string }>() {}
class Plugin extends Context.Tag("Plugin")<Plugin, { readonly name: string }>() {}
class UserRepo extends Context.Tag("UserRepo")<UserRepo, { readonly source: string }>() {}
class Api extends Context.Tag("Api")<Api, { readonly source: string }>() {}
class A extends Context.Tag("A")<A, string>() {}
class B extends Context.Tag("B")<B, string>() {}
class C extends Context.Tag("C")<C, string>() {}
class Sender extends Context.Tag("Sender")<Sender, string>() {}

const Replica = Qualifier.make("replica")

/** A Database candidate named after its url. */
const database = (name: string) => Component.succeed(Database, { url: name }).pipe(Component.named(name))
const plugin = (name: string) => Component.succeed(Plugin, { name }).pipe(Component.named(name))
const sender = (name: string, qualifiers: ReadonlyArray<string> = []) =>
  Component.succeed(Sender, name).pipe(Component.named(name), Component.qualified(qualifiers))

/** A component of `tag` that depends on `dependencies`; its value is irrelevant to resolution. */
const needing = <Id, Service>(
  tag: Context.Tag<Id, Service>,
  dependencies: ReadonlyArray<Dependency.Any>,
  value: Service
): Component.Component<Id, Service> => Component.make(tag, { dependencies, build: Effect.succeed(value) })

const planOf = (registry: Registry.Registry, roots: ReadonlyArray<Dependency.Any>): Plan.Plan<never> => {
  const result = Resolver.resolve(registry, roots)
  if (Either.isLeft(result)) throw new Error(`expected a plan, got: ${result.left.message}`)
  return result.right
}

const errorOf = (registry: Registry.Registry, roots: ReadonlyArray<Dependency.Any>): Errors.ResolutionError => {
  const result = Resolver.resolve(registry, roots)
  if (Either.isRight(result)) throw new Error(`expected a ResolutionError, got a plan of ${result.right.nodes.length} nodes`)
  return result.left
}

/** The names of the nodes an edge resolved to. */
const namesOf = (plan: Plan.Plan<never>, edge: Plan.Edge): ReadonlyArray<string> =>
  edge.targets.map((id) => plan.nodes[id]!.name)

/** How the single root request resolved: the chosen names, the rule and what it considered. */
const choiceOf = (registry: Registry.Registry, root: Dependency.Any) => {
  const plan = planOf(registry, [root])
  const edge = plan.roots[0]!
  return { chosen: namesOf(plan, edge), rule: edge.choice.rule, considered: edge.choice.considered }
}

const nodeNames = (plan: Plan.Plan<never>): ReadonlyArray<string> => plan.nodes.map((node) => node.name)

describe("Resolver", () => {
  it.effect("resolve and resolveEffect are dual: the data-last form resolves as the data-first one", () =>
    Effect.gen(function*() {
      const registry = Registry.make(Component.make(UserRepo, { dependencies: [Database], build: Effect.succeed({ source: "db" }) }))
      const plans = [
        Either.getOrThrow(Resolver.resolve(registry, [UserRepo], { external: [Database] })),
        Either.getOrThrow(registry.pipe(Resolver.resolve([UserRepo], { external: [Database] }))),
        yield* Resolver.resolveEffect(registry, [UserRepo], { external: [Database] }),
        yield* registry.pipe(Resolver.resolveEffect([UserRepo], { external: [Database] }))
      ]
      for (const plan of plans) {
        expect(plan.toJSON()).toStrictEqual({ _id: "Plan", components: ["UserRepo"], roots: ["UserRepo"], external: ["Database"] })
      }
      const missing = Either.flip(registry.pipe(Resolver.resolve([UserRepo])))
      expect(Either.getOrThrow(missing).problems.map((problem) => problem._tag)).toEqual(["MissingComponent"])
    }))

  it("roots, external services and scopes given alone instead of as arrays (a JavaScript caller, a cast) are lists of one", () => {
    // typed as arrays: a caller the compiler does not check may pass one
    const loose = <A>(item: A): ReadonlyArray<A> => item as unknown as ReadonlyArray<A>
    const registry = Registry.make(Component.make(UserRepo, { dependencies: [Database], build: Effect.succeed({ source: "db" }) }))
    const plan = Either.getOrThrow(Resolver.resolve(registry, loose(UserRepo), { external: loose(Database), scopes: loose(Lifetime.scope("Request")) }))
    expect(plan.roots.map((edge) => edge.request.key)).toEqual(["UserRepo"])
    expect(plan.external).toEqual(["Database"])
    expect(plan.scopes.map((scope) => scope.name)).toEqual(["Request"])
  })

  describe("choice for a single-valued request", () => {
    it("chooses the only candidate by the rule 'only'", () => {
      expect(choiceOf(Registry.make(database("main")), Database)).toEqual({
        chosen: ["main"],
        rule: "only",
        considered: ["main"]
      })
    })

    it("an override wins over a primary candidate even when the override is alternative with a higher order", () => {
      const registry = Registry.make(database("main").pipe(Component.primary, Component.order(-10))).pipe(
        Registry.override([database("fake").pipe(Component.alternative, Component.order(99))])
      )
      expect(choiceOf(registry, Database)).toEqual({ chosen: ["fake"], rule: "override", considered: ["fake"] })
    })

    it("a primary candidate wins over candidates with a lower order, and the rule is 'primary'", () => {
      const registry = Registry.make(
        database("low").pipe(Component.order(-5)),
        database("main").pipe(Component.primary, Component.order(10))
      )
      expect(choiceOf(registry, Database)).toEqual({ chosen: ["main"], rule: "primary", considered: ["low", "main"] })
    })

    it("a candidate that is not alternative wins over alternatives with a lower order, and the rule is 'not-alternative'", () => {
      const registry = Registry.make(
        database("fallback").pipe(Component.alternative, Component.order(-5)),
        database("real").pipe(Component.order(10))
      )
      expect(choiceOf(registry, Database)).toEqual({
        chosen: ["real"],
        rule: "not-alternative",
        considered: ["fallback", "real"]
      })
    })

    it("the lowest order wins among candidates equal on the other rules, and the rule is 'lowest-order'", () => {
      const registry = Registry.make(
        database("three").pipe(Component.order(3)),
        database("one").pipe(Component.order(1)),
        database("two").pipe(Component.order(2))
      )
      expect(choiceOf(registry, Database)).toEqual({
        chosen: ["one"],
        rule: "lowest-order",
        considered: ["three", "one", "two"]
      })
    })

    it("when several candidates are primary, the next rules choose among them only", () => {
      const registry = Registry.make(
        database("plain").pipe(Component.order(-100)),
        database("primary5").pipe(Component.primary, Component.order(5)),
        database("primary1").pipe(Component.primary, Component.order(1))
      )
      expect(choiceOf(registry, Database)).toEqual({
        chosen: ["primary1"],
        rule: "lowest-order",
        considered: ["plain", "primary5", "primary1"]
      })
    })

    it("when every candidate is alternative, the lowest order wins", () => {
      const registry = Registry.make(
        database("second").pipe(Component.alternative, Component.order(2)),
        database("first").pipe(Component.alternative, Component.order(1))
      )
      expect(choiceOf(registry, Database)).toEqual({
        chosen: ["first"],
        rule: "lowest-order",
        considered: ["second", "first"]
      })
    })

    it("a tie is an AmbiguousComponent that lists only the tied candidates", () => {
      const registry = Registry.make(
        database("a").pipe(Component.order(0)),
        database("later").pipe(Component.order(1)),
        database("b").pipe(Component.order(0)),
        database("fallback").pipe(Component.alternative, Component.order(-1))
      )
      const error = errorOf(registry, [Database])
      expect(error.problems).toEqual([
        new Errors.AmbiguousComponent({
          path: [],
          request: "Database",
          candidates: ["a", "b"],
          rule: "none primary, equal order 0"
        })
      ])
      expect(error.message).toBe(
        "1 problem resolving the graph:\n  - Database: 2 candidates tie for Database (a, b; none primary, equal order 0): " +
          "mark one primary, the others alternative, give them different orders, or request one by qualifier or name"
      )
    })

    it("registration order never decides: both registration orders of two equal candidates are ambiguous", () => {
      const forward = errorOf(Registry.make(database("a"), database("b")), [Database])
      const backward = errorOf(Registry.make(database("b"), database("a")), [Database])
      expect(forward.problems.map((problem) => problem._tag)).toEqual(["AmbiguousComponent"])
      expect(backward.problems.map((problem) => problem._tag)).toEqual(["AmbiguousComponent"])
      expect((forward.problems[0] as Errors.AmbiguousComponent).candidates).toEqual(["a", "b"])
      // the same problem either way: the tied candidates are listed by name
      expect((backward.problems[0] as Errors.AmbiguousComponent).candidates).toEqual(["a", "b"])
    })

    it("a tie among primary candidates says they are all primary", () => {
      const registry = Registry.make(
        database("a").pipe(Component.primary, Component.order(2)),
        database("b").pipe(Component.primary, Component.order(2)),
        database("c")
      )
      expect(errorOf(registry, [Database]).problems).toEqual([
        new Errors.AmbiguousComponent({ path: [], request: "Database", candidates: ["a", "b"], rule: "all primary, equal order 2" })
      ])
    })

    it("a tie among alternative candidates says they are all alternative", () => {
      const registry = Registry.make(
        database("a").pipe(Component.alternative),
        database("b").pipe(Component.alternative)
      )
      expect(errorOf(registry, [Database]).problems).toEqual([
        new Errors.AmbiguousComponent({
          path: [],
          request: "Database",
          candidates: ["a", "b"],
          rule: "none primary, all alternative, equal order 0"
        })
      ])
    })

    it("a tie among overrides says they are all overrides", () => {
      const registry = Registry.make(database("main")).pipe(Registry.override([database("x"), database("y")]))
      expect(errorOf(registry, [Database]).problems).toEqual([
        new Errors.AmbiguousComponent({
          path: [],
          request: "Database",
          candidates: ["x", "y"],
          rule: "all overrides, none primary, equal order 0"
        })
      ])
    })

    it("unnamed candidates are named after their tag key, numbered when several share the tag", () => {
      const registry = Registry.make(
        Component.succeed(Database, { url: "1" }),
        Component.succeed(Cache, { size: 1 }),
        Component.succeed(Database, { url: "2" }).pipe(Component.order(1))
      )
      expect(choiceOf(registry, Database)).toEqual({
        chosen: ["Database#1"],
        rule: "lowest-order",
        considered: ["Database#1", "Database#2"]
      })
      expect(choiceOf(registry, Cache).chosen).toEqual(["Cache"])
    })

    it("an unnamed candidate whose default name another component was given explicitly is numbered instead, not a duplicate", () => {
      // Regression: one explicit name "Database" next to an unnamed Database was a DuplicateName
      // "given to 2 components", although the name was given once.
      const registry = Registry.make(
        Component.succeed(Database, { url: "main" }).pipe(Component.named("Database"), Component.primary),
        Component.succeed(Database, { url: "replica" }).pipe(Component.qualified([Replica]))
      )
      const plan = planOf(registry, [Database, Dependency.qualified(Database, Replica)])
      expect(plan.roots.map((edge) => namesOf(plan, edge))).toEqual([["Database"], ["Database#1"]])
      expect(nodeNames(plan)).toEqual(["Database", "Database#1"])
    })

    it("default names skip every name given explicitly, to a candidate of any service, and keep their order", () => {
      const registry = Registry.make(
        Component.succeed(Cache, { size: 1 }).pipe(Component.named("Database#1")),
        Component.succeed(Database, { url: "1" }),
        Component.succeed(Database, { url: "2" }).pipe(Component.order(1)),
        Component.succeed(Logger, { level: "info" }).pipe(Component.named("Cache"))
      )
      expect(choiceOf(registry, Database).considered).toEqual(["Database#2", "Database#3"])
      // Cache's own candidate is named explicitly; Logger's explicit name "Cache" is not a default name
      expect(choiceOf(registry, Cache).chosen).toEqual(["Database#1"])
      expect(choiceOf(registry, Logger).chosen).toEqual(["Cache"])
    })

    it("an explicit name that is another candidate's default name (Sender#2, next to two unnamed Senders) keeps it: the unnamed ones are numbered past it in registration order, and a replacement of that name replaces the explicit one", () => {
      // the rule README states (the unnamed one that would be Sender#2 is Sender#3): deterministic, never a duplicate
      const unnamed = Registry.make(Component.succeed(Sender, "smtp"), Component.succeed(Sender, "log").pipe(Component.order(1)))
      const registry = Registry.add(unnamed, Component.succeed(Sender, "explicit").pipe(Component.named("Sender#2"), Component.order(2)))
      const valuesOf = (plan: Plan.Plan<never>) =>
        plan.nodes.map((node) => `${node.name}: ${node.component.construct._tag === "Value" ? String(node.component.construct.value) : "?"}`)
      expect(valuesOf(planOf(unnamed, [Dependency.all(Sender)]))).toEqual(["Sender#1: smtp", "Sender#2: log"])
      expect(valuesOf(planOf(registry, [Dependency.all(Sender)]))).toEqual(["Sender#1: smtp", "Sender#3: log", "Sender#2: explicit"])
      const replaced = Registry.replace(registry, "Sender#2", Component.succeed(Sender, "replacement"))
      expect(valuesOf(planOf(replaced, [Dependency.all(Sender)]))).toEqual(["Sender#1: smtp", "Sender#3: log", "Sender#2: replacement"])
    })

    it("an unnamed override whose default name was given explicitly is numbered instead", () => {
      const registry = Registry.make(
        Component.succeed(Logger, { level: "info" }).pipe(Component.named("Database (override)"))
      ).pipe(Registry.override([Component.succeed(Database, { url: "fake" })]))
      expect(choiceOf(registry, Database).chosen).toEqual(["Database (override #1)"])
    })

    it("two equal explicit names are still a DuplicateName when an unnamed candidate has the same default name", () => {
      const registry = Registry.make(
        database("Database"),
        database("Database"),
        Component.succeed(Database, { url: "unnamed" })
      )
      expect(errorOf(registry, []).problems).toEqual([
        new Errors.DuplicateName({ name: "Database", services: ["Database", "Database"] })
      ])
    })
  })

  describe("selection by qualifier and name", () => {
    it("a qualified request considers only the candidates carrying that qualifier, whether given as token or string", () => {
      const registry = Registry.make(
        database("main").pipe(Component.primary),
        database("byToken").pipe(Component.qualified([Replica])),
        database("other").pipe(Component.qualified(["other"]))
      )
      expect(choiceOf(registry, Dependency.qualified(Database, Replica))).toEqual({
        chosen: ["byToken"],
        rule: "only",
        considered: ["byToken"]
      })
      expect(choiceOf(registry, Dependency.qualified(Database, "replica")).chosen).toEqual(["byToken"])
      const byString = Registry.make(database("main"), database("byString").pipe(Component.qualified(["replica"])))
      expect(choiceOf(byString, Dependency.qualified(Database, Replica)).chosen).toEqual(["byString"])
    })

    it("the choice rules decide among the candidates with the qualifier", () => {
      const registry = Registry.make(
        database("main").pipe(Component.primary),
        database("replicaA").pipe(Component.qualified([Replica])),
        database("replicaB").pipe(Component.qualified([Replica]), Component.primary)
      )
      expect(choiceOf(registry, Dependency.qualified(Database, Replica))).toEqual({
        chosen: ["replicaB"],
        rule: "primary",
        considered: ["replicaA", "replicaB"]
      })
    })

    it("a component with several qualifiers answers a request for each of them", () => {
      const registry = Registry.make(database("both").pipe(Component.qualified([Replica, "reporting"])))
      expect(choiceOf(registry, Dependency.qualified(Database, "replica")).chosen).toEqual(["both"])
      expect(choiceOf(registry, Dependency.qualified(Database, "reporting")).chosen).toEqual(["both"])
    })

    it("a plain request also considers qualified candidates", () => {
      const registry = Registry.make(database("replica").pipe(Component.qualified([Replica])))
      expect(choiceOf(registry, Database).chosen).toEqual(["replica"])
    })

    it("a named request considers only the candidate with that name, even against a primary", () => {
      const registry = Registry.make(database("main").pipe(Component.primary), database("audit"))
      expect(choiceOf(registry, Dependency.named(Database, "audit"))).toEqual({
        chosen: ["audit"],
        rule: "only",
        considered: ["audit"]
      })
    })

    it("a named request only matches candidates of its own tag", () => {
      const registry = Registry.make(
        Component.succeed(Cache, { size: 1 }).pipe(Component.named("shared")),
        database("main")
      )
      expect(errorOf(registry, [Dependency.named(Database, "shared")]).problems).toEqual([
        new Errors.MissingComponent({
          path: [],
          request: "Database#shared",
          available: ["Cache", "Database"],
          suggestions: [],
          unqualified: ["main"],
          excluded: [],
          elsewhere: { name: "shared", service: "Cache" }
        })
      ])
    })
  })

  describe("optional requests", () => {
    it("an optional request with no candidate resolves to nothing by the rule 'absent'", () => {
      const plan = planOf(Registry.make(database("main")), [Dependency.optional(Cache)])
      expect(plan.roots[0]!.targets).toEqual([])
      expect(plan.roots[0]!.choice).toEqual({ rule: "absent", considered: [] })
      expect(plan.nodes).toEqual([])
    })

    it.effect("an optional request with no candidate provides Option.none", () =>
      Effect.gen(function*() {
        const value = yield* Effect.provide(
          Dependency.optional(Cache),
          Registry.toLayer(Registry.make(database("main")), [Dependency.optional(Cache)])
        )
        expect(value).toEqual(Option.none())
      }))

    it.effect("an optional request with a candidate provides Option.some of the chosen one", () =>
      Effect.gen(function*() {
        const registry = Registry.make(database("main").pipe(Component.primary), database("other"))
        const value = yield* Effect.provide(
          Dependency.optional(Database),
          Registry.toLayer(registry, [Dependency.optional(Database)])
        )
        expect(value).toEqual(Option.some({ url: "main" }))
      }))

    it.effect("a constructor reads an optional dependency as an Option", () =>
      Effect.gen(function*() {
        const registry = Registry.make(
          Component.make(Api, {
            dependencies: [Dependency.optional(Database), Dependency.optional(Cache)],
            build: Effect.gen(function*() {
              const database = yield* Dependency.optional(Database)
              const cache = yield* Dependency.optional(Cache)
              return { source: `${Option.getOrElse(Option.map(database, (d) => d.url), () => "-")}/${Option.isSome(cache)}` }
            })
          }),
          database("main")
        )
        const api = yield* Effect.provide(Api, Registry.toLayer(registry, [Api]))
        expect(api.source).toBe("main/false")
      }))

    it("an optional qualified request is absent when only candidates without the qualifier exist, its choice saying that none has it", () => {
      const plan = planOf(Registry.make(database("main")), [Dependency.optional(Dependency.qualified(Database, Replica))])
      expect(plan.roots[0]!.choice).toEqual({ rule: "absent", considered: [], unmatched: { suggestions: [] } })
    })

    it("an optional request of a name a component left out by its condition has is absent, and no unmatched one; a close one suggests it", () => {
      const registry = Registry.make(database("main"), Registry.when(Condition.profile("audit"), database("audit")))
      const plan = planOf(registry, [Dependency.optional(Dependency.named(Database, "audit")), Dependency.optional(Dependency.named(Database, "aduit"))])
      expect(plan.roots.map((root) => root.choice.unmatched)).toEqual([undefined, { suggestions: ["audit"] }])
    })

    it("an optional request with tied candidates is still an AmbiguousComponent", () => {
      const registry = Registry.make(database("a"), database("b"))
      expect(errorOf(registry, [Dependency.optional(Database)]).message).toBe(
        "1 problem resolving the graph:\n  - Option<Database>: 2 candidates tie for Option<Database> (a, b; none primary, equal order 0): " +
          "mark one primary, the others alternative, give them different orders, or request one by qualifier or name"
      )
    })
  })

  describe("collections", () => {
    it("a collection gets every candidate sorted by order, then by registration order, whatever primary and alternative say", () => {
      const registry = Registry.make(
        plugin("b1").pipe(Component.order(1)),
        plugin("c2").pipe(Component.order(2), Component.primary),
        plugin("a0").pipe(Component.order(0), Component.alternative),
        plugin("d1").pipe(Component.order(1)),
        plugin("minus").pipe(Component.order(-3))
      )
      expect(choiceOf(registry, Dependency.all(Plugin))).toEqual({
        chosen: ["minus", "a0", "b1", "d1", "c2"],
        rule: "all",
        considered: ["b1", "c2", "a0", "d1", "minus"]
      })
    })

    it("the candidates of services registered in turns keep each service's registration order", () => {
      const registry = Registry.make(
        plugin("p1"),
        database("d1"),
        Component.succeed(Cache, { size: 1 }).pipe(Component.named("c1")),
        plugin("p2"),
        database("d2"),
        plugin("p3")
      )
      expect(choiceOf(registry, Dependency.all(Plugin)).chosen).toEqual(["p1", "p2", "p3"])
      expect(choiceOf(registry, Dependency.all(Database)).chosen).toEqual(["d1", "d2"])
      expect(choiceOf(registry, Dependency.all(Cache)).chosen).toEqual(["c1"])
    })

    it.effect("a constructor reads a collection as the services in that order", () =>
      Effect.gen(function*() {
        const registry = Registry.make(
          plugin("second").pipe(Component.order(2)),
          plugin("first").pipe(Component.order(1)),
          needing(Api, [Dependency.all(Plugin)], { source: "" }),
          Component.make(UserRepo, {
            dependencies: [Dependency.all(Plugin)],
            build: Effect.map(Dependency.all(Plugin), (plugins) => ({ source: plugins.map((p) => p.name).join(",") }))
          })
        )
        const repo = yield* Effect.provide(UserRepo, Registry.toLayer(registry, [UserRepo]))
        expect(repo.source).toBe("first,second")
      }))

    it("a collection of a qualified request gets only the candidates with that qualifier", () => {
      const registry = Registry.make(
        plugin("core2").pipe(Component.qualified(["core"]), Component.order(2)),
        plugin("extra"),
        plugin("core1").pipe(Component.qualified(["core"]), Component.order(1))
      )
      expect(choiceOf(registry, Dependency.all(Dependency.qualified(Plugin, "core")))).toEqual({
        chosen: ["core1", "core2"],
        rule: "all",
        considered: ["core2", "core1"]
      })
    })

    it.effect("a collection with no candidate is empty, not an error", () =>
      Effect.gen(function*() {
        const plan = planOf(Registry.empty, [Dependency.all(Plugin)])
        expect(plan.roots[0]!.targets).toEqual([])
        expect(plan.roots[0]!.choice).toEqual({ rule: "all", considered: [] })
        const plugins = yield* Effect.provide(Dependency.all(Plugin), Registry.toLayer(Registry.empty, [Dependency.all(Plugin)]))
        expect(plugins).toEqual([])
      }))
  })

  describe("overrides and replacements", () => {
    const production = Registry.make(
      database("main").pipe(Component.primary),
      database("replica").pipe(Component.qualified([Replica])),
      database("audit")
    )

    it("a tag-wide override wins for plain, qualified and named requests of its tag", () => {
      const registry = production.pipe(Registry.override([database("fake")]))
      const plan = planOf(registry, [Database, Dependency.qualified(Database, Replica), Dependency.named(Database, "audit")])
      expect(plan.roots.map((edge) => namesOf(plan, edge))).toEqual([["fake"], ["fake"], ["fake"]])
      expect(plan.roots.map((edge) => edge.choice.rule)).toEqual(["override", "override", "override"])
      expect(nodeNames(plan)).toEqual(["fake"])
    })

    it("a tag-wide override replaces the whole collection", () => {
      const registry = Registry.make(plugin("a"), plugin("b")).pipe(Registry.override([plugin("fake")]))
      expect(choiceOf(registry, Dependency.all(Plugin))).toEqual({ chosen: ["fake"], rule: "all", considered: ["fake"] })
    })

    it("among overrides without qualifiers, a named request takes the one of its name (the more specific), as a qualified request takes those of its qualifier; a plain request still finds them tied", () => {
      // Regression: a named request of one of two overrides tied them ('2 candidates tie for Database
      // (fake, other; all overrides, ...)'), a child re-listing a parent's component beside its own
      const registry = production.pipe(Registry.override([database("fake"), database("other")]))
      expect(choiceOf(registry, Dependency.named(Database, "other"))).toEqual({ chosen: ["other"], rule: "override", considered: ["other"] })
      expect(choiceOf(registry, Dependency.named(Database, "fake")).chosen).toEqual(["fake"])
      expect(errorOf(registry, [Database]).problems.map((problem) => problem.message)).toEqual([
        "Database: 2 candidates tie for Database (fake, other; all overrides, none primary, equal order 0): keep one override (a later override does not replace an earlier one), or mark one primary, give them different orders, or qualify them"
      ])
    })

    it("a qualified override applies only to requests for its qualifier", () => {
      const registry = production.pipe(Registry.override([database("fakeReplica").pipe(Component.qualified([Replica]))]))
      expect(choiceOf(registry, Database).chosen).toEqual(["main"])
      expect(choiceOf(registry, Dependency.named(Database, "audit")).chosen).toEqual(["audit"])
      expect(choiceOf(registry, Dependency.qualified(Database, Replica))).toEqual({
        chosen: ["fakeReplica"],
        rule: "override",
        considered: ["fakeReplica"]
      })
      expect(choiceOf(registry, Dependency.all(Database)).chosen).toEqual(["main", "replica", "audit"])
      expect(choiceOf(registry, Dependency.all(Dependency.qualified(Database, Replica))).chosen).toEqual(["fakeReplica"])
    })

    it("a named request of a qualified override's name gets that override, whatever its qualifiers", () => {
      const registry = production.pipe(Registry.override([database("fakeReplica").pipe(Component.qualified([Replica]))]))
      expect(choiceOf(registry, Dependency.named(Database, "fakeReplica")).chosen).toEqual(["fakeReplica"])
      expect(choiceOf(registry, Dependency.named(Database, "replica")).chosen).toEqual(["replica"])
    })

    it("several overrides of one request are chosen among by the usual rules", () => {
      const registry = production.pipe(
        Registry.override([database("fakeA").pipe(Component.order(-1)), database("fakeB").pipe(Component.primary)])
      )
      expect(choiceOf(registry, Database)).toEqual({ chosen: ["fakeB"], rule: "primary", considered: ["fakeA", "fakeB"] })
    })

    it("a plan node says whether it was registered as an override", () => {
      const plan = planOf(production.pipe(Registry.override([database("fake")])), [Database])
      expect(plan.nodes.map((node) => [node.name, node.override])).toEqual([["fake", true]])
    })

    it("a component registered both as itself and as an override keeps its own name, and can be replaced by it", () => {
      const live = Component.succeed(Logger, { level: "info" })
      for (const registry of [
        Registry.make(live).pipe(Registry.override([live])),
        Registry.override(Registry.empty, [live]).pipe(Registry.add([live]))
      ]) {
        expect(planOf(registry, [Logger]).nodes.map((node) => [node.name, node.override])).toEqual([["Logger", true]])
        const replaced = registry.pipe(Registry.replace("Logger", Component.succeed(Logger, { level: "debug" })))
        expect(nodeNames(planOf(replaced, [Logger]))).toEqual(["Logger"])
      }
    })

    it("replace keeps the replaced component's name, qualifiers, primary flag and order, with the new constructor and dependencies", () => {
      const replacement = needing(Database, [Cache], { url: "memory" }).pipe(
        Component.named("ignored"),
        Component.alternative,
        Component.order(7)
      )
      const registry = Registry.make(
        database("main").pipe(Component.primary, Component.order(3), Component.qualified([Replica])),
        database("other"),
        Component.succeed(Cache, { size: 1 })
      ).pipe(Registry.replace("main", replacement))
      const plan = planOf(registry, [Database])
      expect(nodeNames(plan)).toEqual(["Cache", "main"])
      const node = plan.nodes[1]!
      expect(plan.roots[0]!.choice).toEqual({ rule: "primary", considered: ["main", "other"] })
      expect(node.component.name).toBe("main")
      expect(node.component.qualifiers).toEqual(["replica"])
      expect(node.component.primary).toBe(true)
      expect(node.component.alternative).toBe(false)
      expect(node.component.order).toBe(3)
      expect(node.component.dependencies).toEqual([Cache])
      expect(node.component.construct).toBe(replacement.construct)
    })

    it("replace applies to a component named after its tag", () => {
      const registry = Registry.make(Component.succeed(Database, { url: "real" })).pipe(
        Registry.replace("Database", Component.succeed(Database, { url: "fake" }))
      )
      const plan = planOf(registry, [Database])
      expect(plan.nodes[0]!.component.construct).toEqual({ _tag: "Value", value: { url: "fake" } })
    })

    it("an override replaced by name must still replace something: a qualifier of it no component has and nothing requests is reported", () => {
      // Regression: the replacement took the override's place and was counted as a component of the
      // registry's own, so the override's qualifier seemed provided (found by the overrides model below)
      const registry = production.pipe(
        Registry.override([database("fakeReporting").pipe(Component.qualified(["reporting"]))]),
        Registry.replace("fakeReporting", Component.succeed(Database, { url: "memory" }))
      )
      expect(errorOf(registry, [Database]).problems).toEqual([
        new Errors.InvalidDeclaration({
          path: [],
          subject: { _tag: "Override", service: "Database", qualifier: "reporting" },
          issues: [{ code: "OverridesNothing", suggestions: [] }]
        })
      ])
    })

    it("replacing a name that no component has is an InvalidDeclaration", () => {
      const registry = production.pipe(Registry.replace("nope", database("x")))
      expect(errorOf(registry, [Database]).problems).toEqual([
        new Errors.InvalidDeclaration({
          path: [],
          subject: { _tag: "Replacement", name: "nope" },
          issues: [{ code: "UnknownName", names: ["audit", "main", "replica"], invalid: 0 }]
        })
      ])
    })

    it("replacing a name in an empty registry says there are no names", () => {
      expect(errorOf(Registry.empty.pipe(Registry.replace("nope", database("x"))), []).message).toBe(
        "1 problem resolving the graph:\n  - invalid replacement of \"nope\": no component is named \"nope\" (names: none)"
      )
    })

    it("replacing a name when every component of the registry is invalid says so, not that there are no names", () => {
      const registry = Registry.make(database("broken").pipe(Component.order(NaN))).pipe(Registry.replace("nope", database("x")))
      expect(errorOf(registry, []).problems.map((problem) => problem.message)).toEqual([
        "invalid component broken: its order must be a finite number, got NaN",
        "invalid replacement of \"nope\": no component is named \"nope\" (names: none: the registry's only component is invalid)"
      ])
      const two = Registry.make(database("a").pipe(Component.order(NaN)), database("b").pipe(Component.order(NaN))).pipe(
        Registry.replace("nope", database("x"))
      )
      expect(errorOf(two, []).problems[2]!.message).toBe(
        "invalid replacement of \"nope\": no component is named \"nope\" (names: none: the registry's 2 components are invalid)"
      )
    })

    it("replacing a component by one that provides another service is an InvalidDeclaration", () => {
      // Regression: the Cache value used to be provided as the Database.
      const registry = production.pipe(Registry.replace("audit", Component.succeed(Cache, { size: 1 })))
      expect(errorOf(registry, [Dependency.named(Database, "audit")]).problems).toEqual([
        new Errors.InvalidDeclaration({
          path: [],
          subject: { _tag: "Replacement", name: "audit" },
          issues: [{ code: "ReplacementService", provides: "Cache", replaced: "Database" }]
        })
      ])
    })

    it("replacing a family member by a component that provides another service is an InvalidDeclaration", () => {
      // Regression: the replacement's value used to be provided as the member.
      const Clients = Family.make(Database, {
        name: "Client",
        key: (cluster: string) => cluster,
        build: (cluster) => Effect.succeed({ url: cluster })
      })
      const registry = Registry.make(Clients, needing(Api, [Family.request(Clients, "eu")], { source: "" })).pipe(
        Registry.replace("Client(eu)", Component.succeed(Cache, { size: 1 }))
      )
      expect(errorOf(registry, [Api]).problems).toEqual([
        new Errors.InvalidDeclaration({
          path: ["Api"],
          subject: { _tag: "Replacement", name: "Client(eu)" },
          issues: [{ code: "ReplacementService", provides: "Cache", replaced: "Database" }]
        })
      ])
    })
  })

  describe("problems", () => {
    it("a missing dependency is reported with its path from the root and the services available", () => {
      const registry = Registry.make(
        needing(Api, [UserRepo], { source: "" }),
        needing(UserRepo, [Database], { source: "" }),
        Component.succeed(Cache, { size: 1 }),
        Component.succeed(Logger, { level: "info" })
      )
      const error = errorOf(registry, [Api])
      expect(error.problems).toEqual([
        new Errors.MissingComponent({
          path: ["Api", "UserRepo"],
          request: "Database",
          available: ["Api", "Cache", "Logger", "UserRepo"],
          suggestions: [],
          unqualified: [],
          excluded: []
        })
      ])
      expect(error.message).toBe(
        "1 problem resolving the graph:\n  - Api -> UserRepo -> Database: no component provides Database (available: Api, Cache, Logger, UserRepo); register one, or declare it external if the program provides it"
      )
    })

    it("two roots reaching one missing dependency through one shared component list it once, with the first root's path", () => {
      const registry = Registry.make(needing(Api, [UserRepo], { source: "" }), needing(Cache, [UserRepo], { size: 1 }), needing(UserRepo, [Database], { source: "" }))
      expect(errorOf(registry, [Api, Cache]).problems).toEqual([
        new Errors.MissingComponent({
          path: ["Api", "UserRepo"],
          request: "Database",
          available: ["Api", "Cache", "UserRepo"],
          suggestions: [],
          unqualified: [],
          excluded: []
        })
      ])
    })

    it("a missing dependency with a close name suggests it, and how to provide it if it is not what was meant", () => {
      // Regression: "...; did you mean Database?" dropped "register one, or declare it external" that a missing name without close names has
      class Databse extends Context.Tag("Databse")<Databse, string>() {}
      const registry = Registry.make(database("main"), needing(Api, [Databse], { source: "" }))
      expect(errorOf(registry, [Api]).problems[0]!.message).toBe(
        "Api -> Databse: no component provides Databse (available: Api, Database); did you mean Database? If not, register one, or declare it external if the program provides it"
      )
      expect((errorOf(registry, [Api]).problems[0] as Errors.MissingComponent).suggestions).toEqual(["Database"])
    })

    it("two neighbouring letters swapped are one edit: a short name typed with them swapped is suggested", () => {
      class Pg extends Context.Tag("pg")<Pg, string>() {}
      class Gp extends Context.Tag("gp")<Gp, string>() {}
      class Reop extends Context.Tag("app/Reop")<Reop, string>() {}
      class Repo extends Context.Tag("app/Repo")<Repo, string>() {}
      const registry = Registry.make(Component.succeed(Pg, "pg"), Component.succeed(Repo, "repo"), needing(Api, [Gp, Reop], { source: "" }))
      expect(errorOf(registry, [Api]).problems.map((problem) => (problem as Errors.MissingComponent).suggestions)).toEqual([["pg"], ["app/Repo"]])
      // a name: the same distance
      const named = Registry.make(database("pg"), needing(Api, [Dependency.named(Database, "gp")], { source: "" }))
      expect(errorOf(named, [Api]).problems[0]!.message).toMatch(/did you mean pg\?$/)
    })

    it("the bounded distance is the unbounded one (swaps of neighbours included) capped at the limit + 1, for random words", () => {
      // the plain dynamic programme, every cell computed
      const reference = (a: string, b: string): number => {
        const table = Array.from({ length: a.length + 1 }, (_, row) => Array.from({ length: b.length + 1 }, (_, column) => row === 0 ? column : column === 0 ? row : 0))
        for (let row = 1; row <= a.length; row++) {
          for (let column = 1; column <= b.length; column++) {
            let cell = Math.min(table[row - 1]![column]! + 1, table[row]![column - 1]! + 1, table[row - 1]![column - 1]! + (a[row - 1] === b[column - 1] ? 0 : 1))
            if (row > 1 && column > 1 && a[row - 1] === b[column - 2] && a[row - 2] === b[column - 1]) cell = Math.min(cell, table[row - 2]![column - 2]! + 1)
            table[row]![column] = cell
          }
        }
        return table[a.length]![b.length]!
      }
      const word = fc.string({ unit: fc.constantFrom("a", "b", "c"), maxLength: 9 })
      fc.assert(fc.property(word, word, fc.integer({ min: 0, max: 5 }), (a, b, limit) => {
        expect(boundedDistance(a, b, limit)).toBe(Math.min(reference(a, b), limit + 1))
      }), { numRuns: 2_000, seed: 20261212 })
    })

    it("a missing one-letter service is not suggested another one-letter service: a close name shares more than its length", () => {
      // Regression: "no component provides B (available: A); did you mean A?"
      const registry = Registry.make(Component.succeed(A, "a"), needing(Api, [B], { source: "" }))
      expect((errorOf(registry, [Api]).problems[0] as Errors.MissingComponent).suggestions).toEqual([])
      class Ab extends Context.Tag("Ab")<Ab, string>() {}
      class Ac extends Context.Tag("Ac")<Ac, string>() {}
      class Xyz extends Context.Tag("Xyz")<Xyz, string>() {}
      // two letters: one edit away is close; a three-letter name is not suggested for a one-letter one
      const short = Registry.make(Component.succeed(Ab, "ab"), Component.succeed(Xyz, "xyz"), needing(Api, [Ac, A], { source: "" }))
      expect(errorOf(short, [Api]).problems.map((problem) => (problem as Errors.MissingComponent).suggestions)).toEqual([["Ab"], []])
      // a different case is close whatever the length
      class Lower extends Context.Tag("a")<Lower, string>() {}
      expect((errorOf(Registry.make(Component.succeed(A, "a")), [Lower]).problems[0] as Errors.MissingComponent).suggestions).toEqual(["A"])
    })

    it("layerwise's own services are not listed as available to a request that finds nothing", () => {
      const registry = Registry.make(App.ShutdownerLive, Component.succeed(Cache, { size: 1 }), needing(Api, [Database], { source: "" }))
      expect(errorOf(registry, [Api]).problems.map((problem) => problem.message)).toEqual([
        "Api -> Database: no component provides Database (available: Api, Cache); register one, or declare it external if the program provides it"
      ])
    })

    it("a missing qualified request lists the candidates ruled out by the qualifier, with theirs", () => {
      const registry = Registry.make(
        database("main"),
        database("other").pipe(Component.qualified(["other"])),
        needing(Api, [Dependency.qualified(Database, Replica)], { source: "" })
      )
      const error = errorOf(registry, [Api])
      expect(error.problems).toEqual([
        new Errors.MissingComponent({
          path: ["Api"],
          request: "Database@replica",
          available: ["Api", "Database"],
          suggestions: [],
          unqualified: ["main", "other"],
          qualifiers: [[], ["other"]],
          excluded: []
        })
      ])
      expect(error.problems[0]!.message).toBe(
        "Api -> Database@replica: no component provides Database@replica; candidates that do not match it: main, other (other)"
      )
    })

    it("a plain request whose only candidates are qualified overrides is missing, and lists them as not matching; the override replaces nothing", () => {
      const registry = Registry.make(needing(Api, [Database], { source: "" })).pipe(
        Registry.override([database("fake").pipe(Component.qualified([Replica]))])
      )
      expect(errorOf(registry, [Api]).problems.map((problem) => problem.message)).toEqual([
        "Api -> Database: no component provides Database; candidates that do not match it: fake (replica)",
        "invalid override of Database@replica: no component of Database has the qualifier replica and nothing requests Database@replica, so it replaces nothing: an override with qualifiers answers only the requests of one of them (to replace every Database, give it none; to add a Database qualified replica, register it with Registry.add)"
      ])
    })

    it("a missing named request lists the candidates of the tag", () => {
      const registry = Registry.make(database("main"))
      expect(errorOf(registry, [Dependency.named(Database, "audit")]).problems[0]!.message).toBe(
        "Database#audit: no component provides Database#audit; candidates that do not match it: main"
      )
    })

    it("a misspelt qualifier lists each candidate with its qualifiers, and asks whether a close one was meant", () => {
      // Regression: the message listed the candidates' names alone ("email, push, sms"), not the
      // qualifiers a qualified request is matched against, and suggested nothing.
      const registry = Registry.make(
        sender("email", ["bulk"]),
        sender("sms", ["urgent"]),
        sender("push"),
        needing(Api, [Dependency.qualified(Sender, "urgnet")], { source: "" })
      )
      const error = errorOf(registry, [Api])
      expect(error.problems).toEqual([
        new Errors.MissingComponent({
          path: ["Api"],
          request: "Sender@urgnet",
          available: ["Api", "Sender"],
          suggestions: ["urgent"],
          unqualified: ["email", "push", "sms"],
          qualifiers: [["bulk"], [], ["urgent"]],
          excluded: []
        })
      ])
      expect(error.problems[0]!.message).toBe(
        "Api -> Sender@urgnet: no component provides Sender@urgnet; " +
          "candidates that do not match it: email (bulk), push, sms (urgent); did you mean urgent?"
      )
    })

    it("a misspelt name asks whether a close candidate's name was meant", () => {
      const registry = Registry.make(
        sender("email"),
        sender("sms"),
        sender("push"),
        needing(Api, [Dependency.named(Sender, "emial")], { source: "" })
      )
      expect(errorOf(registry, [Api]).problems.map((problem) => problem.message)).toEqual([
        "Api -> Sender#emial: no component provides Sender#emial; " +
        "candidates that do not match it: email, push, sms; did you mean email?"
      ])
    })

    it("an ambiguous dependency is reported with its path", () => {
      const registry = Registry.make(needing(Api, [Database], { source: "" }), database("a"), database("b"))
      expect(errorOf(registry, [Api]).problems).toEqual([
        new Errors.AmbiguousComponent({
          path: ["Api"],
          request: "Database",
          candidates: ["a", "b"],
          rule: "none primary, equal order 0"
        })
      ])
    })

    it("a cycle is reported as the full cycle, with the path from the root to it", () => {
      const registry = Registry.make(
        needing(Api, [A], { source: "" }),
        needing(A, [B], "a"),
        needing(B, [C], "b"),
        needing(C, [A], "c")
      )
      const error = errorOf(registry, [Api])
      expect(error.problems).toEqual([new Errors.CircularDependency({ path: ["Api"], cycle: ["A", "B", "C", "A"] })])
      expect(error.message).toBe("1 problem resolving the graph:\n  - Api: circular dependency A -> B -> C -> A: break it by moving what they share into a component of its own, or look one up at run time with Container.get (a Dependency.lazy request still counts)")
    })

    it("a cycle that starts at the root has an empty path", () => {
      const registry = Registry.make(needing(A, [B], "a"), needing(B, [A], "b"))
      expect(errorOf(registry, [A]).message).toBe("1 problem resolving the graph:\n  - circular dependency A -> B -> A: break it by moving what they share into a component of its own, or look one up at run time with Container.get (a Dependency.lazy request still counts)")
    })

    it("a component that depends on itself is a cycle A -> A", () => {
      const error = errorOf(Registry.make(needing(A, [A], "a")), [A])
      expect(error.problems).toEqual([new Errors.CircularDependency({ path: [], cycle: ["A", "A"] })])
    })

    it("a composite that requests every component of its own service is told how to leave itself out, not to move what 'they' share", () => {
      // Regression: "circular dependency composite -> composite: break it by moving what they share into a component of its own"
      const registry = Registry.make(
        needing(Plugin, [], { name: "csv" }).pipe(Component.named("csv")),
        needing(Plugin, [Dependency.all(Plugin)], { name: "composite" }).pipe(Component.named("composite"), Component.primary),
        needing(Api, [Plugin], { source: "" })
      )
      expect(errorOf(registry, [Api]).problems.map((problem) => problem.message)).toEqual([
        "Api: circular dependency composite -> composite: composite requests its own service and is given itself: give it a tag of its own, " +
        "or qualify the others and request them by qualifier (Dependency.qualified(Service, \"inner\"), Dependency.all(Dependency.qualified(Service, \"member\"))) or name"
      ])
    })

    it("a cycle through optional and collection requests is still a cycle", () => {
      const registry = Registry.make(
        needing(A, [Dependency.optional(B)], "a"),
        needing(B, [Dependency.all(Plugin)], "b"),
        needing(Plugin, [A], { name: "p" })
      )
      expect(errorOf(registry, [A]).problems).toEqual([
        new Errors.CircularDependency({ path: [], cycle: ["A", "B", "Plugin", "A"] })
      ])
    })

    it("a cycle reached from several roots is reported once", () => {
      const registry = Registry.make(needing(A, [B], "a"), needing(B, [A], "b"), needing(C, [A], "c"))
      expect(errorOf(registry, [A, B, C]).problems).toEqual([
        new Errors.CircularDependency({ path: [], cycle: ["A", "B", "A"] })
      ])
    })

    it("a cycle or a missing service reached through a hook's dependencies says which hook requested it, not the constructor", () => {
      // Regression: "Api -> A -> B -> C -> Logger" and "circular dependency A -> B -> C -> A", though no constructor requests B, A or Logger
      const registry = Registry.make(
        needing(Api, [A], { source: "" }),
        needing(A, [], "a").pipe(Lifecycle.onStop(() => Effect.void, { name: "flush", dependencies: [B] })),
        needing(B, [C], "b"),
        needing(C, [], "c").pipe(
          Lifecycle.onStart(() => Effect.void, { dependencies: [A] }),
          Lifecycle.healthCheck(() => Effect.void, { dependencies: [Logger] })
        )
      )
      const error = errorOf(registry, [Api])
      expect(error.problems.map((problem) => problem.message)).toEqual([
        "Api -> A -[onStop \"flush\"]-> B -> C -[healthCheck]-> Logger: no component provides Logger (available: A, Api, B, C); register one, or declare it external if the program provides it",
        "Api: circular dependency A -[onStop \"flush\"]-> B -> C -[onStart]-> A: break it by moving what they share into a component of its own, or look one up at run time with Container.get (a Dependency.lazy request still counts)"
      ])
      // the path stays a list of names; the hooks are the steps they requested, by requester
      expect(error.problems[0]).toMatchObject({
        path: ["Api", "A", "B", "C"],
        request: "Logger",
        hooks: [{ requester: "A", kind: "onStop", name: "flush" }, { requester: "C", kind: "healthCheck", name: "healthCheck" }]
      })
      expect(error.problems[1]).toEqual(
        new Errors.CircularDependency({
          path: ["Api"],
          cycle: ["A", "B", "C", "A"],
          hooks: [{ requester: "A", kind: "onStop", name: "flush" }, { requester: "C", kind: "onStart", name: "onStart" }]
        })
      )
    })

    it("an ambiguous request of a hook says which hook made it; a request of the constructor and a hook alike is the constructor's", () => {
      const registry = Registry.make(
        database("pg"),
        database("sqlite"),
        needing(Api, [Cache], { source: "" }).pipe(
          Lifecycle.background(() => Effect.never, { name: "sweep", dependencies: [Database] }),
          Lifecycle.onStop(() => Effect.void, { dependencies: [Cache] })
        )
      )
      expect(errorOf(registry, [Api]).problems.map((problem) => problem.message)).toEqual([
        "Api -> Cache: no component provides Cache (available: Api, Database); register one, or declare it external if the program provides it",
        "Api -[background \"sweep\"]-> Database: 2 candidates tie for Database (pg, sqlite; none primary, equal order 0): mark one primary, the others alternative, give them different orders, or request one by qualifier or name"
      ])
      // a path through a hook to the cycle's start: drawn before it
      const cycle = Registry.make(
        needing(Api, [], { source: "" }).pipe(Lifecycle.onStop(() => Effect.void, { dependencies: [A] }), Lifecycle.onStop(() => Effect.void, { dependencies: [B] })),
        needing(A, [], "a"),
        needing(B, [C], "b"),
        needing(C, [B], "c")
      )
      expect(errorOf(cycle, [Api]).problems.map((problem) => problem.message)).toEqual([
        "Api -[onStop#2]-> B: circular dependency B -> C -> B: break it by moving what they share into a component of its own, or look one up at run time with Container.get (a Dependency.lazy request still counts)"
      ])
    })

    it("a hook that requests its own component's service is told it is given the instance, not to give the component a tag of its own", () => {
      const registry = Registry.make(
        needing(Api, [A], { source: "" }),
        needing(A, [], "a").pipe(Lifecycle.onStop(() => Effect.void, { name: "flush", dependencies: [A] }))
      )
      const error = errorOf(registry, [Api])
      expect(error.problems.map((problem) => problem.message)).toEqual([
        "Api: circular dependency A -[onStop \"flush\"]-> A: its onStop \"flush\" requests A's own service, which every hook of A is given as its first argument: remove it from the hook's dependencies"
      ])
      expect(error.problems[0]).toEqual(
        new Errors.CircularDependency({ path: ["Api"], cycle: ["A", "A"], hooks: [{ requester: "A", kind: "onStop", name: "flush" }] })
      )
    })

    it("duplicate explicit names are reported with every service that used the name", () => {
      const registry = Registry.make(
        database("shared"),
        Component.succeed(Cache, { size: 1 }).pipe(Component.named("shared")),
        Component.succeed(Logger, { level: "info" }).pipe(Component.named("shared"))
      )
      const error = errorOf(registry, [])
      expect(error.problems).toEqual([
        new Errors.DuplicateName({ name: "shared", services: ["Cache", "Database", "Logger"] })
      ])
      expect(error.message).toBe(
        "1 problem resolving the graph:\n  - duplicate component name \"shared\": given to 3 components (providing Cache, Database, Logger); names must be unique in a registry (to put one in another's place, use Registry.replace, or Testing.named in a test)"
      )
    })

    it("a request by a name given to several candidates of its service is told once, as the duplicate name, not also as a tie of candidates of that one name", () => {
      // Regression: '3 candidates tie for Database#ro (ro, ro, ro; ...): mark one primary, ...' came next to the DuplicateName
      const registry = Registry.make(
        database("ro"),
        Component.succeed(Database, { url: "replica-2" }).pipe(Component.named("ro")),
        Component.succeed(Database, { url: "replica-3" }).pipe(Component.named("ro")),
        Component.make(Api, { dependencies: [Dependency.named(Database, "ro")], build: Effect.succeed({ source: "ro" }) })
      )
      expect(errorOf(registry, [Api]).problems).toEqual([
        new Errors.DuplicateName({ name: "ro", services: ["Database", "Database", "Database"] })
      ])
    })

    it("a dependency that is not a tag is an InvalidDeclaration of its component", () => {
      const registry = Registry.make(needing(Api, [42 as unknown as Dependency.Any], { source: "" }))
      expect(errorOf(registry, []).problems).toEqual([
        new Errors.InvalidDeclaration({
          path: [],
          subject: { _tag: "Component", name: "Api" },
          issues: [{ code: "InvalidDependency", position: 1, got: "42" }]
        })
      ])
    })

    it("every kind of Effect tag is a valid tag and dependency, and a look-alike is not", () => {
      // the resolver answers the common tags by their prototype (a tag never met before misses V8's
      // caches on a property test): generic tags, Context.Tag classes, Effect.Service classes and
      // references must all still be tags, and an object with a key alone must not
      class Clock extends Context.Tag("Clock")<Clock, { readonly now: number }>() {}
      class Greeter extends Effect.Service<Greeter>()("Greeter", { succeed: { word: "hello" as string } }) {}
      const Level = Context.Reference<{ readonly level: string }>()("Level", { defaultValue: () => ({ level: "info" }) })
      const registry = Registry.make(
        Component.succeed(Clock, { now: 1 }),
        Component.succeed(Greeter, new Greeter({ word: "hi" })),
        Component.succeed(Level, { level: "debug" }),
        needing(Api, [Clock, Greeter, Level], { source: "" })
      )
      const plan = Either.getOrThrow(Resolver.resolve(registry, [Api]))
      expect(plan.nodes.map((node) => node.name)).toEqual(["Clock", "Greeter", "Level", "Api"])
      const lookAlike = { key: "Database" } as unknown as Dependency.Any
      expect(errorOf(Registry.make(database("main"), needing(Api, [lookAlike], { source: "" })), []).problems).toEqual([
        new Errors.InvalidDeclaration({
          path: [],
          subject: { _tag: "Component", name: "Api" },
          issues: [{ code: "InvalidDependency", position: 1, got: "{ key: \"Database\" }" }]
        })
      ])
    })

    it("a non-finite order is an InvalidDeclaration", () => {
      const registry = Registry.make(database("nan").pipe(Component.order(NaN)), database("inf").pipe(Component.order(Infinity)))
      expect(errorOf(registry, []).problems).toEqual([
        new Errors.InvalidDeclaration({
          path: [],
          subject: { _tag: "Component", name: "nan" },
          issues: [{ code: "InvalidOrder", got: "NaN" }]
        }),
        new Errors.InvalidDeclaration({
          path: [],
          subject: { _tag: "Component", name: "inf" },
          issues: [{ code: "InvalidOrder", got: "Infinity" }]
        })
      ])
    })

    it("a component both primary and alternative is an InvalidDeclaration", () => {
      const registry = Registry.make(database("both").pipe(Component.primary, Component.alternative))
      expect(errorOf(registry, []).message).toBe(
        "1 problem resolving the graph:\n  - invalid component both: it cannot be both primary and alternative"
      )
    })

    it("an empty name is an InvalidDeclaration", () => {
      const registry = Registry.make(Component.succeed(Database, { url: "" }).pipe(Component.named("")))
      expect(errorOf(registry, []).problems).toEqual([
        new Errors.InvalidDeclaration({
          path: [],
          subject: { _tag: "Component", name: "" },
          issues: [{ code: "InvalidName", got: "" }]
        })
      ])
    })

    it("every reason a component is invalid is listed in one InvalidDeclaration", () => {
      const registry = Registry.make(
        needing(Api, [undefined as unknown as Dependency.Any], { source: "" }).pipe(
          Component.order(NaN),
          Component.primary,
          Component.alternative
        )
      )
      expect(errorOf(registry, []).problems).toEqual([
        new Errors.InvalidDeclaration({
          path: [],
          subject: { _tag: "Component", name: "Api" },
          issues: [
            { code: "InvalidOrder", got: "NaN" },
            { code: "PrimaryAndAlternative" },
            { code: "InvalidDependency", position: 1, got: "undefined" }
          ]
        })
      ])
    })

    it("a registry item that is not a component is an InvalidDeclaration", () => {
      const registry = Registry.make(database("main"), "Database" as unknown as Component.Any)
      expect(errorOf(registry, []).problems).toEqual([
        new Errors.InvalidDeclaration({
          path: [],
          subject: { _tag: "Entry", position: 2 },
          issues: [{ code: "NotAComponent", got: "Database" }]
        })
      ])
    })

    it("a root that is not a tag is an InvalidDeclaration", () => {
      const error = errorOf(Registry.make(database("main")), [Database, { key: "Database" } as unknown as Dependency.Any])
      expect(error.problems).toEqual([
        new Errors.InvalidDeclaration({
          path: [],
          subject: { _tag: "Root", position: 2 },
          issues: [{ code: "InvalidRoot", got: "{ key: \"Database\" }" }]
        })
      ])
    })

    it("a request for a service whose only candidate is invalid reports the invalid candidate, not a missing one", () => {
      // Regression: "no component provides Database (available: Api); register one, or declare it external if the program provides it" was reported as well, which is false.
      const registry = Registry.make(
        database("broken").pipe(Component.order(NaN)),
        needing(Api, [Database], { source: "" })
      )
      expect(errorOf(registry, [Api]).message).toBe(
        "1 problem resolving the graph:\n  - invalid component broken: its order must be a finite number, got NaN"
      )
    })

    it("a component registered under a request's tag (optional, collection, qualified) is an InvalidDeclaration", () => {
      const optional = Dependency.optional(Database)
      const registry = Registry.make(
        Component.succeed(optional, Option.some({ url: "x" })),
        Component.succeed(Dependency.all(Plugin), []),
        Component.succeed(Dependency.qualified(Database, Replica), { url: "replica" }),
        needing(Api, [optional], { source: "" })
      )
      expect(errorOf(registry, [Api]).problems.map((problem) => problem.message)).toEqual([
        "invalid component layerwise/Option<Database>: its tag is the request Option<Database>, not a service's tag: register it under Database",
        "invalid component layerwise/All<Plugin>: its tag is the request All<Plugin>, not a service's tag: register it under Plugin",
        "invalid component layerwise/Database@replica: its tag is the request Database@replica, not a service's tag: register it under Database"
      ])
    })

    it("problems of components the roots do not reach are not reported", () => {
      const registry = Registry.make(
        database("main"),
        needing(Api, [Cache], { source: "" }),
        needing(A, [B], "a"),
        needing(B, [A], "b"),
        plugin("x"),
        plugin("y")
      )
      expect(nodeNames(planOf(registry, [Database]))).toEqual(["main"])
    })

    it("every problem of a registry is reported in one ResolutionError, in discovery order", () => {
      const registry = Registry.make(
        database("broken").pipe(Component.primary, Component.alternative),
        Component.succeed(Cache, { size: 1 }).pipe(Component.named("dup")),
        Component.succeed(Logger, { level: "info" }).pipe(Component.named("dup")),
        needing(Api, [UserRepo, Plugin, A], { source: "" }),
        plugin("p1"),
        plugin("p2"),
        needing(A, [B], "a"),
        needing(B, [A], "b")
      ).pipe(Registry.replace("ghost", database("x")))
      const error = errorOf(registry, [Api])
      expect(error.problems.map((problem) => problem._tag)).toEqual([
        "InvalidDeclaration",
        "DuplicateName",
        "MissingComponent",
        "AmbiguousComponent",
        "CircularDependency",
        "InvalidDeclaration"
      ])
      expect(error.message).toBe(
        [
          "6 problems resolving the graph:",
          "  - invalid component broken: it cannot be both primary and alternative",
          "  - duplicate component name \"dup\": given to 2 components (providing Cache, Logger); names must be unique in a registry (to put one in another's place, use Registry.replace, or Testing.named in a test)",
          "  - Api -> UserRepo: no component provides UserRepo (available: A, Api, B, Cache, Logger, Plugin); register one, or declare it external if the program provides it",
          "  - Api -> Plugin: 2 candidates tie for Plugin (p1, p2; none primary, equal order 0): mark one primary, the others alternative, give them different orders, or request one by qualifier or name",
          "  - Api: circular dependency A -> B -> A: break it by moving what they share into a component of its own, or look one up at run time with Container.get (a Dependency.lazy request still counts)",
          "  - invalid replacement of \"ghost\": no component is named \"ghost\" (names: A, Api, B, dup, p1, p2)"
        ].join("\n")
      )
    })

    it("a named request whose name is a component of another service says which service that component provides", () => {
      // Regression: "no component provides Database#store", as if no component were named store.
      const registry = Registry.make(
        database("main"),
        Component.succeed(Cache, { size: 1 }).pipe(Component.named("store")),
        needing(Api, [Dependency.named(Database, "store")], { source: "" })
      )
      const error = errorOf(registry, [Api])
      expect(error.problems).toEqual([
        new Errors.MissingComponent({
          path: ["Api"],
          request: "Database#store",
          available: ["Api", "Cache", "Database"],
          suggestions: [],
          unqualified: ["main"],
          excluded: [],
          elsewhere: { name: "store", service: "Cache" }
        })
      ])
      expect(error.problems[0]!.message).toBe(
        "Api -> Database#store: no component provides Database#store; candidates that do not match it: main; component store exists, but it provides Cache"
      )
    })

    it("the lists of names in resolution errors are sorted, not in registration order", () => {
      // Regression: every list followed registration order, so one registry's messages changed with
      // the order its modules were composed in.
      const registry = Registry.make(
        needing(Logger, [Dependency.qualified(Plugin, "core")], { level: "info" }),
        plugin("zeta"),
        plugin("alpha"),
        Component.succeed(Cache, { size: 1 }).pipe(Component.named("dup")),
        database("dup"),
        needing(Api, [UserRepo, Plugin], { source: "" })
      ).pipe(Registry.replace("ghost", database("x")))
      expect(errorOf(registry, [Api, Logger]).problems.map((problem) => problem.message)).toEqual([
        "duplicate component name \"dup\": given to 2 components (providing Cache, Database); names must be unique in a registry (to put one in another's place, use Registry.replace, or Testing.named in a test)",
        "Api -> UserRepo: no component provides UserRepo (available: Api, Cache, Database, Logger, Plugin); register one, or declare it external if the program provides it",
        "Api -> Plugin: 2 candidates tie for Plugin (alpha, zeta; none primary, equal order 0): mark one primary, the others alternative, give them different orders, or request one by qualifier or name",
        "Logger -> Plugin@core: no component provides Plugin@core; candidates that do not match it: alpha, zeta",
        "invalid replacement of \"ghost\": no component is named \"ghost\" (names: alpha, Api, dup, Logger, zeta)"
      ])
    })

    it("a build that is not an Effect, or a layer that is not a Layer, is an InvalidDeclaration: nothing runs", () => {
      // Regression: they passed resolution; other constructors then ran, and an undefined layer hung the build.
      const notEffects: ReadonlyArray<readonly [string, unknown, string]> = [
        ["undefined", undefined, "undefined"],
        ["a promise", Promise.resolve(1), "Promise {}"],
        ["a function", () => 1, "[Function]"],
        ["a plain object", { url: "x" }, "{ url: \"x\" }"]
      ]
      const registry = Registry.make(
        ...notEffects.map(([name, build]) =>
          Component.make(Database, { build: build as Effect.Effect<{ readonly url: string }> }).pipe(Component.named(name))
        ),
        Component.fromLayer(Cache, { layer: undefined as unknown as Layer.Layer<Cache> }),
        Component.fromLayer(Logger, { layer: { level: "info" } as unknown as Layer.Layer<Logger> })
      )
      expect(errorOf(registry, []).problems).toEqual([
        ...notEffects.map(([name, , got]) =>
          new Errors.InvalidDeclaration({
            path: [],
            subject: { _tag: "Component", name },
            issues: [{ code: "InvalidConstructor", expected: "Effect", got }]
          })
        ),
        new Errors.InvalidDeclaration({
          path: [],
          subject: { _tag: "Component", name: "Cache" },
          issues: [{ code: "InvalidConstructor", expected: "Layer", got: "undefined" }]
        }),
        new Errors.InvalidDeclaration({
          path: [],
          subject: { _tag: "Component", name: "Logger" },
          issues: [{ code: "InvalidConstructor", expected: "Layer", got: "{ level: \"info\" }" }]
        })
      ])
      expect(errorOf(registry, []).problems.map((problem) => problem.message).slice(3)).toEqual([
        "invalid component a plain object: its build must be an Effect, got { url: \"x\" }",
        "invalid component Cache: its layer must be a Layer, got undefined",
        "invalid component Logger: its layer must be a Layer, got { level: \"info\" }"
      ])
    })

    it("a value component may hold any value: undefined, a promise, a function", () => {
      const registry = Registry.make(
        Component.succeed(Database, undefined as unknown as { readonly url: string }).pipe(Component.named("undefined")),
        Component.succeed(Database, Promise.resolve(1) as unknown as { readonly url: string }).pipe(Component.named("promise")),
        Component.succeed(Database, (() => 1) as unknown as { readonly url: string }).pipe(Component.named("function"))
      )
      expect(nodeNames(planOf(registry, [Dependency.all(Database)]))).toEqual(["undefined", "promise", "function"])
    })

    it.effect("a layer that is not a Layer fails the build with a ResolutionError instead of hanging it", () =>
      Effect.gen(function*() {
        const built = yield* Ref.make<ReadonlyArray<string>>([])
        const registry = Registry.make(
          Component.make(Cache, { build: Effect.as(Ref.update(built, (names) => [...names, "Cache"]), { size: 1 }) }),
          Component.fromLayer(Database, { layer: undefined as unknown as Layer.Layer<Database> })
        )
        const error = yield* Effect.flip(Layer.build(Registry.toLayer(registry, [Cache, Database])))
        expect(error._tag).toBe("ResolutionError")
        expect(yield* Ref.get(built)).toEqual([])
      }).pipe(Effect.scoped, Effect.timeout("5 seconds")), { timeout: 10_000 })

    it("two replacements of one name are an InvalidDeclaration listing both, reported with the other problems", () => {
      // Regression: the last one won silently.
      const registry = Registry.make(database("audit"), needing(Api, [Cache], { source: "" })).pipe(
        Registry.replace("audit", Component.succeed(Database, { url: "memory" })),
        Registry.replace("audit", needing(Database, [Logger], { url: "other" }).pipe(Component.named("fake")))
      )
      const error = errorOf(registry, [Api])
      expect(error.problems[0]).toEqual(
        new Errors.InvalidDeclaration({
          path: [],
          subject: { _tag: "Replacement", name: "audit" },
          issues: [{
            code: "ReplacedTwice",
            replacements: [{ name: "Database", construct: "Value" }, { name: "fake", construct: "Effect" }]
          }]
        })
      )
      expect(error.problems.map((problem) => problem.message)).toEqual([
        "invalid replacement of \"audit\": it is replaced 2 times (by Database (a value), then fake (an Effect)): replace a name once",
        "Api -> Cache: no component provides Cache (available: Api, Database); register one, or declare it external if the program provides it"
      ])
    })

    it("the same replacement reached twice replaces its name once, without a conflict", () => {
      const fake = Registry.empty.pipe(Registry.replace("audit", Component.succeed(Database, { url: "memory" })))
      const registry = Registry.make(database("audit"), fake, Registry.make(fake))
      expect(planOf(registry, [Database]).nodes[0]!.component.construct).toEqual({ _tag: "Value", value: { url: "memory" } })
    })

    it("a missing request of two requesters is reported for each, with its own path", () => {
      const registry = Registry.make(needing(A, [Database], "a"), needing(B, [Database], "b"))
      expect(errorOf(registry, [A, B]).problems.map((problem) => problem.message)).toEqual([
        "A -> Database: no component provides Database (available: A, B); register one, or declare it external if the program provides it",
        "B -> Database: no component provides Database (available: A, B); register one, or declare it external if the program provides it"
      ])
    })
  })

  describe("plan", () => {
    it("a choice lists the candidates conditions excluded that the request would have matched, each with its condition", () => {
      // Regression: the choice of MapCache read "only", as if no other cache were registered.
      const registry = Registry.make(
        Registry.when(Condition.profile("lru"), Component.succeed(Cache, { size: 1 }).pipe(Component.named("LruCache"))),
        Registry.when(Condition.not(Condition.profile("lru")), Component.succeed(Cache, { size: 2 }).pipe(Component.named("MapCache"))),
        Registry.when(Condition.profile("cloud"), database("remote").pipe(Component.qualified([Replica])), database("other")),
        database("main").pipe(Component.primary),
        database("replica").pipe(Component.qualified([Replica])),
        needing(Api, [Cache, Database, Dependency.qualified(Database, Replica), Dependency.optional(Logger)], { source: "" })
      )
      const plan = planOf(registry, [Api])
      const api = plan.nodes.find((node) => node.name === "Api")!
      expect(api.dependencies.map((edge) => [edge.request.label, edge.choice])).toEqual([
        ["Cache", { rule: "only", considered: ["MapCache"], excluded: [{ name: "LruCache", condition: "profile lru" }] }],
        [
          "Database",
          {
            rule: "primary",
            considered: ["main", "replica"],
            excluded: [{ name: "other", condition: "profile cloud" }, { name: "remote", condition: "profile cloud" }]
          }
        ],
        ["Database@replica", { rule: "only", considered: ["replica"], excluded: [{ name: "remote", condition: "profile cloud" }] }],
        // no condition excluded a logger: no excluded field
        ["Option<Logger>", { rule: "absent", considered: [] }]
      ])
      // the other way round; and a registry without conditions has choices without the field
      const lru = Either.getOrThrow(Resolver.resolve(registry, [Cache], { profiles: ["lru", "cloud"] }))
      expect(lru.roots[0]!.choice).toEqual({ rule: "only", considered: ["LruCache"], excluded: [{ name: "MapCache", condition: "not (profile lru)" }] })
      expect(Either.getOrThrow(Resolver.resolve(Registry.make(database("main")), [Database])).roots[0]!.choice).toEqual({
        rule: "only",
        considered: ["main"]
      })
    })

    it("only components reachable from the roots are in the plan", () => {
      const registry = Registry.make(
        needing(Api, [UserRepo], { source: "" }),
        needing(UserRepo, [Database], { source: "" }),
        database("main"),
        Component.succeed(Cache, { size: 1 }),
        needing(Logger, [Cache], { level: "info" })
      )
      expect(nodeNames(planOf(registry, [Api]))).toEqual(["main", "UserRepo", "Api"])
      expect(nodeNames(planOf(registry, [UserRepo]))).toEqual(["main", "UserRepo"])
    })

    it("nodes are in build order: every node after the nodes it depends on", () => {
      const registry = Registry.make(
        needing(Api, [UserRepo, Logger], { source: "" }),
        needing(UserRepo, [Database, Cache], { source: "" }),
        needing(Cache, [Logger], { size: 1 }),
        Component.succeed(Logger, { level: "info" }),
        database("main")
      )
      const plan = planOf(registry, [Api])
      expect(nodeNames(plan)).toEqual(["main", "Logger", "Cache", "UserRepo", "Api"])
      expect(plan.nodes.map((node) => node.id)).toEqual([0, 1, 2, 3, 4])
      for (const node of plan.nodes) {
        for (const edge of node.dependencies) for (const target of edge.targets) expect(target).toBeLessThan(node.id)
      }
    })

    it("a dependency shared by two components appears once (diamond)", () => {
      const registry = Registry.make(
        needing(Api, [A, B], { source: "" }),
        needing(A, [C], "a"),
        needing(B, [C], "b"),
        needing(C, [], "c")
      )
      const plan = planOf(registry, [Api])
      expect(nodeNames(plan)).toEqual(["C", "A", "B", "Api"])
      expect(plan.nodes.map((node) => node.dependencies.map((edge) => edge.targets))).toEqual([
        [],
        [[0]],
        [[0]],
        [[1], [2]]
      ])
    })

    it("each node knows the node that first needed it, which gives its path", () => {
      const registry = Registry.make(
        needing(Api, [A, B], { source: "" }),
        needing(A, [C], "a"),
        needing(B, [C], "b"),
        needing(C, [], "c")
      )
      const plan = planOf(registry, [Api])
      expect(plan.nodes.map((node) => node.parent)).toEqual([1, 3, 3, undefined])
      expect(Plan.path(plan, 0)).toEqual(["Api", "A", "C"])
    })

    it("each edge describes its request", () => {
      const registry = Registry.make(
        needing(Api, [Database, Dependency.qualified(Database, Replica), Dependency.optional(Cache), Dependency.all(Plugin)], {
          source: ""
        }),
        database("main").pipe(Component.qualified([Replica]))
      )
      const plan = planOf(registry, [Api])
      expect(plan.nodes[1]!.dependencies.map((edge) => edge.request)).toEqual([
        { service: "Database", selector: { _tag: "Any" }, cardinality: "one", key: "Database", label: "Database" },
        {
          service: "Database",
          selector: { _tag: "Qualifier", qualifier: "replica" },
          cardinality: "one",
          key: "layerwise/Database@replica",
          label: "Database@replica"
        },
        { service: "Cache", selector: { _tag: "Any" }, cardinality: "optional", key: "layerwise/Option<Cache>", label: "Option<Cache>" },
        { service: "Plugin", selector: { _tag: "Any" }, cardinality: "all", key: "layerwise/All<Plugin>", label: "All<Plugin>" }
      ])
    })

    it("each dependency edge of a node records the rule that chose its targets", () => {
      const registry = Registry.make(
        needing(
          Api,
          [Database, Cache, Dependency.all(Plugin), Dependency.optional(Logger), Dependency.named(Database, "other")],
          { source: "" }
        ),
        database("main").pipe(Component.primary),
        database("other"),
        Component.succeed(Cache, { size: 1 }),
        plugin("p")
      )
      const plan = planOf(registry, [Api])
      const api = plan.nodes.find((node) => node.name === "Api")!
      expect(api.dependencies.map((edge) => [edge.request.label, namesOf(plan, edge), edge.choice])).toEqual([
        ["Database", ["main"], { rule: "primary", considered: ["main", "other"] }],
        ["Cache", ["Cache"], { rule: "only", considered: ["Cache"] }],
        ["All<Plugin>", ["p"], { rule: "all", considered: ["p"] }],
        ["Option<Logger>", [], { rule: "absent", considered: [] }],
        ["Database#other", ["other"], { rule: "only", considered: ["other"] }]
      ])
    })

    it("roots are resolved in the order given, and a component requested twice is one node", () => {
      const registry = Registry.make(database("main").pipe(Component.qualified([Replica])), Component.succeed(Cache, { size: 1 }))
      const plan = planOf(registry, [Cache, Database, Dependency.qualified(Database, Replica)])
      expect(nodeNames(plan)).toEqual(["Cache", "main"])
      expect(plan.roots.map((edge) => edge.targets)).toEqual([[0], [1], [1]])
    })

    it("an empty list of roots is an empty plan", () => {
      const plan = planOf(Registry.make(database("main")), [])
      expect(plan.nodes).toEqual([])
      expect(plan.roots).toEqual([])
    })

    it("resolution runs no constructor", () => {
      let ran = 0
      const registry = Registry.make(
        Component.make(Database, { build: Effect.sync(() => (ran++, { url: "x" })) }),
        Component.make(Api, {
          dependencies: [Database],
          build: Effect.map(Database, (database) => (ran++, { source: database.url }))
        })
      )
      expect(nodeNames(planOf(registry, [Api]))).toEqual(["Database", "Api"])
      expect(ran).toBe(0)
    })
  })

  describe("scale", () => {
    const chain = (length: number, closed: boolean) => {
      const tags = Array.from({ length }, (_, index) => Context.GenericTag<string, string>(`Link${index}`))
      return Registry.make(
        ...tags.map((tag, index) =>
          needing(tag, index + 1 < length ? [tags[index + 1]!] : closed ? [tags[0]!] : [], `${index}`)
        )
      ).pipe((registry) => ({ registry, root: tags[0]! }))
    }

    it("a 10,000-long dependency chain resolves without overflowing the stack", () => {
      const { registry, root } = chain(10_000, false)
      const plan = planOf(registry, [root])
      expect(plan.nodes.length).toBe(10_000)
      expect(plan.nodes[0]!.name).toBe("Link9999")
      expect(plan.nodes[9_999]!.name).toBe("Link0")
      expect(Plan.path(plan, 0).length).toBe(10_000)
    })

    it("a 10,000-long cycle is reported as one CircularDependency", () => {
      const { registry, root } = chain(10_000, true)
      const error = errorOf(registry, [root])
      expect(error.problems.length).toBe(1)
      const problem = error.problems[0] as Errors.CircularDependency
      expect(problem._tag).toBe("CircularDependency")
      expect(problem.cycle.length).toBe(10_001)
      expect(problem.cycle[0]).toBe("Link0")
      expect(problem.cycle[9_999]).toBe("Link9999")
      expect(problem.cycle[10_000]).toBe("Link0")
    })
    it("a service missing for 2,000 requesters is reported for each, its close names computed once", () => {
      class Loger extends Context.Tag("Loger")<Loger, string>() {}
      const tags = Array.from({ length: 2_000 }, (_, index) => Context.GenericTag<string, string>(`Service${index}`))
      const registry = Registry.make(
        Component.succeed(Logger, { level: "info" }),
        ...tags.map((tag) => needing(tag, [Loger], ""))
      )
      const problems = errorOf(registry, tags).problems as ReadonlyArray<Errors.MissingComponent>
      expect(problems.length).toBe(2_000)
      expect(problems[1_999]!.message).toMatch(/^Service1999 -> Loger: no component provides Loger \(available: .*; did you mean Logger\? If not, register one, or declare it external if the program provides it$/)
      // one list for every requester: the suggestions were computed once, not once per requester
      expect(problems.every((problem) => problem.suggestions === problems[0]!.suggestions)).toBe(true)
    })

    it("close names are suggested for the first 20 distinct missing services only", () => {
      const missing = Array.from({ length: 25 }, (_, index) => Context.GenericTag<string, string>(`Servic${index}`))
      const available = Array.from({ length: 25 }, (_, index) => Context.GenericTag<string, string>(`Service${index}`))
      const registry = Registry.make(
        ...available.map((tag, index) => needing(tag, [missing[index]!], ""))
      )
      const problems = errorOf(registry, available).problems as ReadonlyArray<Errors.MissingComponent>
      expect(problems.map((problem) => problem.suggestions.length > 0)).toEqual(
        Array.from({ length: 25 }, (_, index) => index < 20)
      )
      expect(problems[0]!.suggestions[0]).toBe("Service0")
    })

    it("close names of keys 100,000 characters long are found with bounded work", { timeout: 5_000 }, () => {
      // Regression: the edit distance compared every pair of characters: 52 s for two 100,000-character keys.
      const long = "x".repeat(100_000)
      const registry = Registry.make(
        Component.succeed(Context.GenericTag<string, string>(`${long}a`), "a"),
        Component.succeed(Context.GenericTag<string, string>(`b${long.slice(0, 50_000)}${"y".repeat(50_000)}`), "b"),
        needing(Api, [Context.GenericTag<string, string>(`${long}b`)], { source: "" })
      )
      const problem = errorOf(registry, [Api]).problems[0] as Errors.MissingComponent
      expect(problem.suggestions).toEqual([`${long}a`])
    })

    it("close names are at most 16 edits apart, however long the missing name", () => {
      const name = "Service".repeat(10)
      const edited = (edits: number) => `${name.slice(0, name.length - edits)}${"Z".repeat(edits)}`
      const registry = Registry.make(
        Component.succeed(Context.GenericTag<string, string>(edited(16)), "16"),
        Component.succeed(Context.GenericTag<string, string>(edited(17)), "17"),
        needing(Api, [Context.GenericTag<string, string>(name)], { source: "" })
      )
      expect((errorOf(registry, [Api]).problems[0] as Errors.MissingComponent).suggestions).toEqual([edited(16)])
    })

    it("close names are listed closest first, then in name order", () => {
      class Databse extends Context.Tag("Databse")<Databse, string>() {}
      const registry = Registry.make(
        Component.succeed(Context.GenericTag<string, string>("Databsez"), ""),
        Component.succeed(Context.GenericTag<string, string>("Databasz"), ""),
        Component.succeed(Context.GenericTag<string, string>("Database"), ""),
        needing(Api, [Databse], { source: "" })
      )
      expect((errorOf(registry, [Api]).problems[0] as Errors.MissingComponent).suggestions).toEqual([
        "Database",
        "Databsez",
        "Databasz"
      ])
    })

    it("150,000 problems are returned in the ResolutionError, not thrown past the stack's limit", () => {
      class Missing extends Context.Tag("Missing")<Missing, string>() {}
      const tags = Array.from({ length: 150_000 }, (_, index) => Context.GenericTag<string, string>(`T${index}`))
      const request = Dependency.qualified(Missing, "q")
      const registry = Registry.add(Registry.empty, tags.map((tag) => needing(tag, [request], "")))
      expect(errorOf(registry, tags).problems.length).toBe(150_000)
    })
  })

  describe("what resolution keeps of a component", () => {
    it("a resolved component stays strictly equal to an unresolved copy, and resolves the same in another registry", () => {
      const build = Effect.succeed({ source: "api" })
      const api = Component.make(Api, { dependencies: [Database, Dependency.optional(Cache)], build })
      const copy = Component.make(Api, { dependencies: [Database, Dependency.optional(Cache)], build })
      const first = planOf(Registry.make(api, database("main")), [Api])
      expect(api).toStrictEqual(copy)
      const second = planOf(Registry.make(database("replica"), Component.succeed(Cache, { size: 1 }), api), [Api])
      expect(nodeNames(first)).toEqual(["main", "Api"])
      expect(nodeNames(second)).toEqual(["replica", "Cache", "Api"])
      expect(second.nodes[2]!.component).toBe(api)
      expect(second.nodes[2]!.dependencies.map((edge) => edge.request.label)).toEqual(["Database", "Option<Cache>"])
    })

    it("a component keeps its own copy of its dependencies: the caller's array changed later changes nothing", () => {
      const dependencies: Array<Dependency.Any> = [A]
      const component = needing(C, dependencies, "c")
      const registry = Registry.make(Component.succeed(A, "a"), component)
      expect(nodeNames(planOf(registry, [C]))).toEqual(["A", "C"])
      dependencies.push(B)
      expect(component.dependencies).toEqual([A])
      expect(nodeNames(planOf(registry, [C]))).toEqual(["A", "C"])
    })

    it("a component whose tag's key starts with the reserved prefix of derived requests is an InvalidDeclaration", () => {
      // Regression: a service tag keyed "layerwise/All<Database>" was the same context entry as
      // Dependency.all(Database): either request got the other's value (a string service yielded an array).
      const Lookalike = Context.GenericTag<"Lookalike", string>("layerwise/All<Database>")
      const registry = Registry.make(
        Component.succeed(Lookalike, "plain"),
        database("main"),
        needing(Api, [Dependency.all(Database), Lookalike], { source: "api" })
      )
      const error = errorOf(registry, [Api])
      expect(error.problems).toEqual([
        new Errors.InvalidDeclaration({
          path: [],
          subject: { _tag: "Component", name: "layerwise/All<Database>" },
          issues: [{ code: "ReservedKey", prefix: "layerwise/" }]
        })
      ])
    })

    it("layerwise's own App.Shutdowner and App.Health are not caught by the reserved prefix, registered by App or by hand", () => {
      const plan = planOf(Registry.make(App.ShutdownerLive, App.HealthLive), [App.Shutdowner, App.Health])
      expect(nodeNames(plan)).toEqual(["layerwise/App/Shutdowner", "layerwise/App/Health"])
      const own = Component.succeed(App.Shutdowner, { shutdown: () => Effect.void })
      expect(nodeNames(planOf(Registry.make(own), [App.Shutdowner]))).toEqual(["layerwise/App/Shutdowner"])
    })

    it("components shared by many registries resolve exactly as fresh copies of them would", () => {
      // A pool of component declarations over 4 tags; each registry takes some of them, some as
      // overrides, some more than once. Resolving with the pool's objects (examined once, then
      // remembered) must give what resolving fresh copies (never seen) gives, plan or problems.
      const tags = [0, 1, 2, 3].map((index) => Context.GenericTag<string, string>(`Shared${index}`))
      interface Spec {
        readonly tag: number
        readonly dependencies: ReadonlyArray<{ readonly tag: number; readonly kind: "plain" | "optional" | "all" | "qualified" }>
        readonly name: string | undefined
        readonly qualifier: string | undefined
        readonly flag: "none" | "primary" | "alternative"
        readonly order: number
        readonly broken: boolean
      }
      const spec: fc.Arbitrary<Spec> = fc.record({
        tag: fc.nat(3),
        dependencies: fc.array(
          fc.record({ tag: fc.nat(3), kind: fc.constantFrom("plain" as const, "optional" as const, "all" as const, "qualified" as const) }),
          { maxLength: 3 }
        ),
        name: fc.option(fc.constantFrom("a", "b", "c"), { nil: undefined }),
        qualifier: fc.option(fc.constantFrom("x", "y"), { nil: undefined }),
        flag: fc.constantFrom("none" as const, "primary" as const, "alternative" as const),
        order: fc.integer({ min: 0, max: 2 }),
        broken: fc.nat(9).map((draw) => draw === 0) // one in ten is invalid (a NaN order)
      })
      const request = ({ kind, tag }: Spec["dependencies"][number]) =>
        kind === "plain"
          ? tags[tag]!
          : kind === "optional"
          ? Dependency.optional(tags[tag]!)
          : kind === "all"
          ? Dependency.all(tags[tag]!)
          : Dependency.qualified(tags[tag]!, "x")
      const declare = (spec: Spec): Component.Any => {
        let made: Component.Any = Component.make(tags[spec.tag]!, {
          dependencies: spec.dependencies.map(request),
          build: Effect.succeed("value"),
          ...(spec.broken ? { order: Number.NaN } : { order: spec.order })
        })
        if (spec.name !== undefined) made = made.pipe(Component.named(spec.name))
        if (spec.qualifier !== undefined) made = made.pipe(Component.qualified([spec.qualifier]))
        if (spec.flag === "primary") made = Component.primary(made)
        if (spec.flag === "alternative") made = Component.alternative(made)
        return made
      }
      const summary = (result: Either.Either<Plan.Plan<never>, Errors.ResolutionError>) =>
        Either.isLeft(result)
          ? { problems: result.left.message }
          : {
            nodes: result.right.nodes.map((node) => ({
              name: node.name,
              override: node.override,
              dependencies: node.dependencies.map((edge) => [edge.request.label, edge.choice.rule, edge.targets])
            })),
            roots: result.right.roots.map((edge) => [edge.request.label, edge.choice.rule, edge.choice.considered, edge.targets])
          }
      fc.assert(
        fc.property(
          fc.array(spec, { minLength: 1, maxLength: 8 }),
          fc.array(fc.array(fc.record({ pick: fc.nat(7), override: fc.boolean() }), { minLength: 1, maxLength: 8 }), {
            minLength: 1,
            maxLength: 5
          }),
          fc.array(fc.nat(3), { minLength: 1, maxLength: 3 }),
          (specs, registries, roots) => {
            const pool = specs.map(declare)
            const rootTags = roots.map((index) => tags[index]!)
            for (const entries of registries) {
              const registryOf = (component: (index: number) => Component.Any) =>
                entries.reduce(
                  (registry: Registry.Registry, { override, pick }) =>
                    override
                      ? Registry.override(registry, [component(pick % specs.length)])
                      : Registry.add(registry, [component(pick % specs.length)]),
                  Registry.empty
                )
              const shared = summary(Resolver.resolve(registryOf((index) => pool[index]!), rootTags))
              // one copy per declaration, as the pool has: a component registered twice counts once
              const copies = specs.map(declare)
              const fresh = summary(Resolver.resolve(registryOf((index) => copies[index]!), rootTags))
              expect(shared).toEqual(fresh)
            }
          }
        ),
        { numRuns: 300, seed: 20261212 }
      )
    })
  })

  describe("properties", () => {
    type Flag = "none" | "primary" | "alternative"
    interface CandidateSpec {
      readonly dependencies: ReadonlyArray<number>
      readonly flag: Flag
      readonly order: number
    }
    interface GraphSpec {
      /** candidates per tag; a candidate of tag t depends only on tags < t */
      readonly tags: ReadonlyArray<ReadonlyArray<CandidateSpec>>
      readonly roots: ReadonlyArray<number>
    }

    const range = (n: number) => Array.from({ length: n }, (_, index) => index)

    const graphSpec: fc.Arbitrary<GraphSpec> = fc.integer({ min: 1, max: 10 }).chain((size) =>
      fc.record({
        tags: fc.tuple(
          ...range(size).map((tag) =>
            fc.array(
              fc.record({
                dependencies: fc.subarray(range(tag)),
                flag: fc.constantFrom<Flag>("none", "primary", "alternative"),
                order: fc.integer({ min: 0, max: 2 })
              }),
              { minLength: 1, maxLength: 3 }
            )
          )
        ),
        roots: fc.subarray(range(size), { minLength: 1 })
      })
    )

    const nameOf = (tag: number, index: number) => `T${tag}.${index}`

    const build = (spec: GraphSpec) => {
      const tags = spec.tags.map((_, tag) => Context.GenericTag<string, string>(`T${tag}`))
      const components = spec.tags.flatMap((candidates, tag) =>
        candidates.map((candidate, index) => {
          const base = needing(tags[tag]!, candidate.dependencies.map((dependency) => tags[dependency]!), nameOf(tag, index))
            .pipe(Component.named(nameOf(tag, index)), Component.order(candidate.order))
          return candidate.flag === "primary"
            ? Component.primary(base)
            : candidate.flag === "alternative"
            ? Component.alternative(base)
            : base
        })
      )
      return { tags, registry: Registry.make(...components) }
    }

    /** Reference model of the choice rules: rank tuples (primary first, then not alternative, then order). */
    const winnerOf = (candidates: ReadonlyArray<CandidateSpec>): number | "tie" => {
      const rank = (candidate: CandidateSpec) =>
        [candidate.flag === "primary" ? 0 : 1, candidate.flag === "alternative" ? 1 : 0, candidate.order] as const
      const compare = (a: CandidateSpec, b: CandidateSpec) => {
        const [x, y] = [rank(a), rank(b)]
        return x[0] - y[0] || x[1] - y[1] || x[2] - y[2]
      }
      const sorted = range(candidates.length).sort((a, b) => compare(candidates[a]!, candidates[b]!))
      return sorted.length > 1 && compare(candidates[sorted[0]!]!, candidates[sorted[1]!]!) === 0 ? "tie" : sorted[0]!
    }

    /** Walks the model from the roots through the winners: reachable tags, their winners, and the tied ones. */
    const expectationOf = (spec: GraphSpec) => {
      const winners = new Map<number, number>()
      const tied = new Set<number>()
      const queue = [...spec.roots]
      const visited = new Set<number>()
      while (queue.length > 0) {
        const tag = queue.pop()!
        if (visited.has(tag)) continue
        visited.add(tag)
        const winner = winnerOf(spec.tags[tag]!)
        if (winner === "tie") {
          tied.add(tag)
          continue
        }
        winners.set(tag, winner)
        queue.push(...spec.tags[tag]![winner]!.dependencies)
      }
      return { winners, tied }
    }

    it("on random DAGs, resolution succeeds exactly when no reachable request ties, and chooses what the rules say", () => {
      fc.assert(
        fc.property(graphSpec, (spec) => {
          const { registry, tags } = build(spec)
          const result = Resolver.resolve(registry, spec.roots.map((root) => tags[root]!))
          const expected = expectationOf(spec)
          if (expected.tied.size > 0) {
            expect(Either.isLeft(result)).toBe(true)
            const problems = Either.isLeft(result) ? result.left.problems : []
            expect(new Set(problems.map((problem) => problem._tag))).toEqual(new Set(["AmbiguousComponent"]))
            expect(new Set(problems.map((problem) => (problem as Errors.AmbiguousComponent).request))).toEqual(
              new Set([...expected.tied].map((tag) => `T${tag}`))
            )
            return
          }
          expect(Either.isRight(result)).toBe(true)
          if (Either.isLeft(result)) return
          const plan = result.right
          expect(new Set(nodeNames(plan))).toEqual(
            new Set([...expected.winners].map(([tag, winner]) => nameOf(tag, winner)))
          )
          expect(plan.nodes.length).toBe(expected.winners.size)
          plan.roots.forEach((edge, position) => {
            const tag = spec.roots[position]!
            expect(namesOf(plan, edge)).toEqual([nameOf(tag, expected.winners.get(tag)!)])
          })
          for (const node of plan.nodes) {
            for (const edge of node.dependencies) {
              for (const target of edge.targets) expect(target).toBeLessThan(node.id)
              const tag = Number(edge.request.service.slice(1))
              expect(namesOf(plan, edge)).toEqual([nameOf(tag, expected.winners.get(tag)!)])
            }
          }
        }),
        { numRuns: 300, seed: 20261212 }
      )
    })

    it("on random graphs with an injected cycle, every CircularDependency is a real cycle through the injected edge", () => {
      const cyclicSpec = fc.integer({ min: 1, max: 12 }).chain((size) =>
        fc.record({
          dependencies: fc.tuple(...range(size).map((tag) => fc.subarray(range(tag)))),
          from: fc.nat(size - 1),
          pick: fc.nat(),
          roots: fc.shuffledSubarray(range(size), { minLength: size, maxLength: size })
        })
      )
      fc.assert(
        fc.property(cyclicSpec, ({ dependencies, from, pick, roots }) => {
          // `to` is reachable from `from` (possibly `from` itself); the edge to -> from closes a cycle.
          const reachable = new Set<number>([from])
          const queue = [from]
          while (queue.length > 0) {
            for (const next of dependencies[queue.pop()!]!) {
              if (!reachable.has(next)) {
                reachable.add(next)
                queue.push(next)
              }
            }
          }
          const candidatesOfTo = [...reachable].sort((a, b) => a - b)
          const to = candidatesOfTo[pick % candidatesOfTo.length]!
          const edges = dependencies.map((deps, tag) => (tag === to ? [...deps, from] : [...deps]))
          const tags = edges.map((_, tag) => Context.GenericTag<string, string>(`N${tag}`))
          const registry = Registry.make(
            ...edges.map((deps, tag) => needing(tags[tag]!, deps.map((dependency) => tags[dependency]!), `${tag}`))
          )
          const result = Resolver.resolve(registry, roots.map((root) => tags[root]!))
          expect(Either.isLeft(result)).toBe(true)
          if (Either.isRight(result)) return
          const problems = result.left.problems
          expect(problems.length).toBeGreaterThan(0)
          const hasEdge = (a: string, b: string) => edges[Number(a.slice(1))]!.includes(Number(b.slice(1)))
          for (const problem of problems) {
            expect(problem._tag).toBe("CircularDependency")
            const cycle = (problem as Errors.CircularDependency).cycle
            expect(cycle.length).toBeGreaterThanOrEqual(2)
            expect(cycle[0]).toBe(cycle[cycle.length - 1])
            expect(new Set(cycle.slice(0, -1)).size).toBe(cycle.length - 1)
            for (let index = 0; index + 1 < cycle.length; index++) {
              expect(hasEdge(cycle[index]!, cycle[index + 1]!)).toBe(true)
            }
            const closing = cycle.findIndex((name, index) => name === `N${to}` && cycle[index + 1] === `N${from}`)
            expect(closing).toBeGreaterThanOrEqual(0)
          }
        }),
        { numRuns: 300, seed: 20261212 }
      )
    })
  })

  describe("models of the seeds' rules, checked on random inputs", () => {
    // Each model is the README's rule written out plainly (go-path/di's choice among candidates and by
    // qualifier, samber/do's named services and overrides, with layerwise's documented differences: a tie
    // is an error, never registration order; two overrides of one request tie too, where a later
    // do.Override replaces the earlier). Candidates of one service, Sender, named s0, s1, ... (overrides
    // o0, o1, ...); a request is plain, qualified (q0, q1, or q2 that nobody has) or named (a name or a
    // missing one), optional or not.
    type Flag = "none" | "primary" | "alternative"
    interface Candidate {
      readonly name: string
      readonly qualifiers: ReadonlyArray<string>
      readonly flag: Flag
      readonly order: number
      readonly override: boolean
    }
    type Selector =
      | { readonly _tag: "Any" }
      | { readonly _tag: "Qualifier"; readonly qualifier: string }
      | { readonly _tag: "Name"; readonly name: string }
    interface Request {
      readonly selector: Selector
      readonly optional: boolean
    }

    const candidate = (prefix: string, override: boolean) => (index: number): fc.Arbitrary<Candidate> =>
      fc.record({
        name: fc.constant(`${prefix}${index}`),
        qualifiers: fc.subarray(["q0", "q1"]),
        flag: fc.constantFrom<Flag>("none", "none", "primary", "alternative"),
        order: fc.integer({ min: 0, max: 1 }),
        override: fc.constant(override)
      })
    const candidates = (prefix: string, override: boolean, max: number) =>
      fc.integer({ min: 0, max }).chain((count) => fc.tuple(...Array.from({ length: count }, (_, index) => candidate(prefix, override)(index))))
    const request: fc.Arbitrary<Request> = fc.record({
      selector: fc.oneof(
        fc.constant<Selector>({ _tag: "Any" }),
        fc.constantFrom("q0", "q1", "q2").map((qualifier): Selector => ({ _tag: "Qualifier", qualifier })),
        fc.constantFrom("s0", "s1", "s2", "o0", "o1", "nobody").map((name): Selector => ({ _tag: "Name", name }))
      ),
      optional: fc.boolean()
    })

    const requestOf = ({ optional, selector }: Request): Dependency.Any => {
      if (selector._tag === "Any") return optional ? Dependency.optional(Sender) : Sender
      if (selector._tag === "Qualifier") {
        const qualified = Dependency.qualified(Sender, selector.qualifier)
        return optional ? Dependency.optional(qualified) : qualified
      }
      const named = Dependency.named(Sender, selector.name)
      return optional ? Dependency.optional(named) : named
    }
    const labelOf = ({ optional, selector }: Request): string => {
      const single = selector._tag === "Any" ? "Sender" : selector._tag === "Qualifier" ? `Sender@${selector.qualifier}` : `Sender#${selector.name}`
      return optional ? `Option<${single}>` : single
    }
    const componentOf = (spec: Candidate, value = spec.name) => {
      const base = Component.succeed(Sender, value).pipe(Component.named(spec.name), Component.qualified(spec.qualifiers), Component.order(spec.order))
      return spec.flag === "primary" ? Component.primary(base) : spec.flag === "alternative" ? Component.alternative(base) : base
    }

    /**
     * The candidates a request chooses among (README, "Resolution" and "Testing"): a plain request
     * considers every candidate but overrides with qualifiers, a qualified one those with its qualifier,
     * a named one the one of that name. An override without qualifiers answers every request of its tag;
     * one with qualifiers only the requests of one of them. Overrides that answer replace every other
     * candidate, and for a qualified request those with its qualifier replace the tag-wide ones (for a
     * named request, the one of that name).
     */
    const poolOf = (all: ReadonlyArray<Candidate>, selector: Selector): ReadonlyArray<Candidate> => {
      const tagWide = (c: Candidate) => c.override && c.qualifiers.length === 0
      const answers = (c: Candidate) =>
        tagWide(c) || (selector._tag === "Any"
          ? !c.override
          : selector._tag === "Qualifier"
          ? c.qualifiers.includes(selector.qualifier)
          : c.name === selector.name)
      const answering = all.filter(answers)
      const overriding = answering.filter((c) => c.override)
      const specific = selector._tag === "Qualifier"
        ? overriding.filter((c) => c.qualifiers.includes(selector.qualifier))
        : selector._tag === "Name"
        ? overriding.filter((c) => c.name === selector.name)
        : []
      return specific.length > 0 ? specific : overriding.length > 0 ? overriding : answering
    }

    /** The ranking (go-path/di's DefaultFactorySortLessFn without the mock, which the pool already decided): primary, not alternative, lower order. */
    const rank = (c: Candidate) => [c.flag === "primary" ? 0 : 1, c.flag === "alternative" ? 1 : 0, c.order] as const
    const compare = (a: Candidate, b: Candidate) => {
      const [x, y] = [rank(a), rank(b)]
      return x[0] - y[0] || x[1] - y[1] || x[2] - y[2]
    }
    const byName = (a: string, b: string) => a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0

    type Outcome =
      | { readonly _tag: "Chosen"; readonly name: string; readonly rule: string }
      | { readonly _tag: "Absent" }
      | { readonly _tag: "Missing" }
      | { readonly _tag: "Ambiguous"; readonly candidates: ReadonlyArray<string>; readonly rule: string }

    /** The model's answer to a single-valued request. */
    const outcomeOf = (all: ReadonlyArray<Candidate>, { optional, selector }: Request): Outcome => {
      const pool = poolOf(all, selector)
      if (pool.length === 0) return optional ? { _tag: "Absent" } : { _tag: "Missing" }
      if (pool.length === 1) return { _tag: "Chosen", name: pool[0]!.name, rule: pool[0]!.override ? "override" : "only" }
      const [best, runnerUp] = [...pool].sort(compare)
      if (compare(best!, runnerUp!) === 0) {
        const tied = pool.filter((c) => compare(c, best!) === 0)
        const rule = [
          best!.override ? "all overrides" : undefined,
          best!.flag === "primary" ? "all primary" : "none primary",
          best!.flag === "alternative" ? "all alternative" : undefined,
          `equal order ${best!.order}`
        ].filter((part) => part !== undefined).join(", ")
        return { _tag: "Ambiguous", candidates: tied.map((c) => c.name).sort(byName), rule }
      }
      const [x, y] = [rank(best!), rank(runnerUp!)]
      return { _tag: "Chosen", name: best!.name, rule: x[0] !== y[0] ? "primary" : x[1] !== y[1] ? "not-alternative" : "lowest-order" }
    }

    /** What layerwise answered, in the model's terms. */
    const answerOf = (
      registry: Registry.Registry,
      asked: Request,
      options?: Resolver.Options
    ): Outcome | { readonly _tag: "Other"; readonly problems: ReadonlyArray<string> } => {
      const result = Resolver.resolve(registry, [requestOf(asked)], options)
      if (Either.isLeft(result)) {
        const problems = result.left.problems
        if (problems.length === 1 && problems[0]!._tag === "MissingComponent" && problems[0]!.request === labelOf(asked)) return { _tag: "Missing" }
        if (problems.length === 1 && problems[0]!._tag === "AmbiguousComponent" && problems[0]!.request === labelOf(asked)) {
          return { _tag: "Ambiguous", candidates: problems[0]!.candidates, rule: problems[0]!.rule }
        }
        return { _tag: "Other", problems: problems.map((problem) => problem.message) }
      }
      const edge = result.right.roots[0]!
      if (edge.targets.length === 0) return edge.choice.rule === "absent" ? { _tag: "Absent" } : { _tag: "Other", problems: [edge.choice.rule] }
      return { _tag: "Chosen", name: result.right.nodes[edge.targets[0]!]!.name, rule: edge.choice.rule }
    }

    it("qualifiers and names: a request chooses among its candidates as the model says, or fails with the problem it says, the tied candidates sorted", () => {
      fc.assert(
        fc.property(candidates("s", false, 4), request, (registered, asked) => {
          expect(answerOf(Registry.make(...registered.map((spec) => componentOf(spec))), asked)).toEqual(outcomeOf(registered, asked))
        }),
        { numRuns: 500, seed: 20261208 }
      )
    })

    it("overrides and replacements: an override answers the requests the model says and wins there, two equal ones tie, a replacement keeps its place; an override's unused qualifier, an unknown or twice-replaced name are problems", () => {
      const replacements = fc.array(fc.constantFrom("s0", "s1", "o0", "nope"), { maxLength: 2 })
      fc.assert(
        fc.property(candidates("s", false, 3), candidates("o", true, 2), replacements, request, (registered, overriding, replaced, asked) => {
          const all = [...registered, ...overriding]
          let registry = Registry.make(...registered.map((spec) => componentOf(spec))).pipe(
            Registry.override(overriding.map((spec) => componentOf(spec)))
          )
          for (const name of replaced) registry = registry.pipe(Registry.replace(name, Component.succeed(Sender, `fake ${name}`)))
          // README: an override must replace something (each of its qualifiers one a component has or a
          // request asks for); replacing a name no component has, or one name twice, is a problem
          const unused = [...new Set(overriding.flatMap((spec) => spec.qualifiers))].filter((qualifier) =>
            !registered.some((spec) => spec.qualifiers.includes(qualifier)) &&
            !(asked.selector._tag === "Qualifier" && asked.selector.qualifier === qualifier)
          )
          const names = all.map((spec) => spec.name)
          const declarations = [
            ...unused.sort().map((qualifier) => `Override Sender@${qualifier}: OverridesNothing`),
            ...[...new Set(replaced)].filter((name) => !names.includes(name)).map((name) => `Replacement ${name}: UnknownName`),
            ...[...new Set(replaced)].filter((name) => replaced.indexOf(name) !== replaced.lastIndexOf(name)).map((name) => `Replacement ${name}: ReplacedTwice`)
          ]
          const result = Resolver.resolve(registry, [requestOf(asked)])
          const invalid = Either.isLeft(result)
            ? result.left.problems.flatMap((problem) =>
              problem._tag === "InvalidDeclaration"
                ? problem.issues.map((issue) => `${problem.subject._tag} ${"qualifier" in problem.subject ? `${problem.subject.service}@${problem.subject.qualifier}` : "name" in problem.subject ? problem.subject.name : "service" in problem.subject ? problem.subject.service : ""}: ${issue.code}`)
                : []
            )
            : []
          expect(invalid.sort()).toEqual(declarations.sort())
          if (declarations.length > 0) return
          const expected = outcomeOf(all, asked)
          expect(answerOf(registry, asked)).toEqual(expected)
          if (expected._tag === "Chosen" && Either.isRight(result)) {
            const chosen = result.right.nodes[result.right.roots[0]!.targets[0]!]!
            expect(chosen.component.construct).toEqual({ _tag: "Value", value: replaced.includes(expected.name) ? `fake ${expected.name}` : expected.name })
          }
        }),
        { numRuns: 500, seed: 20261208 }
      )
    })

    // Conditions (go-path/di's Condition, Spring's @Profile): random conditions over random profiles and
    // properties, modelled as data, with what each says of itself
    type Guard =
      | { readonly _tag: "Profile"; readonly name: string }
      | { readonly _tag: "Property"; readonly name: string; readonly value?: string }
      | { readonly _tag: "Not"; readonly of: Guard }
      | { readonly _tag: "And" | "Or"; readonly of: readonly [Guard, Guard] }
    interface Environment {
      readonly profiles: ReadonlyArray<string>
      readonly properties: Record<string, string>
    }
    const guard: fc.Arbitrary<Guard> = fc.letrec<{ guard: Guard }>((tie) => ({
      guard: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        fc.constantFrom("p0", "p1").map((name): Guard => ({ _tag: "Profile", name })),
        fc.record({ name: fc.constantFrom("k0", "k1"), value: fc.option(fc.constantFrom("a", "b"), { nil: undefined }) })
          .map(({ name, value }): Guard => value === undefined ? { _tag: "Property", name } : { _tag: "Property", name, value }),
        tie("guard").map((of): Guard => ({ _tag: "Not", of })),
        fc.tuple(tie("guard"), tie("guard"), fc.constantFrom("And" as const, "Or" as const)).map(([a, b, _tag]): Guard => ({ _tag, of: [a, b] }))
      )
    })).guard
    const environment: fc.Arbitrary<Environment> = fc.record({
      profiles: fc.subarray(["p0", "p1"]),
      properties: fc.record({ k0: fc.constantFrom("a", "b"), k1: fc.constantFrom("a", "b") }, { requiredKeys: [] })
    })
    /** Whether a guard holds in an environment (README, "Conditions and profiles"). */
    const holds = (condition: Guard, env: Environment): boolean =>
      condition._tag === "Profile"
        ? env.profiles.includes(condition.name)
        : condition._tag === "Property"
        ? condition.value === undefined ? env.properties[condition.name] !== undefined : env.properties[condition.name] === condition.value
        : condition._tag === "Not"
        ? !holds(condition.of, env)
        : condition._tag === "And"
        ? holds(condition.of[0], env) && holds(condition.of[1], env)
        : holds(condition.of[0], env) || holds(condition.of[1], env)
    /** What a guard says of itself: "profile p0", "property k0 = a", "not (...)", "(...) and (...)". */
    const describeGuard = (condition: Guard): string =>
      condition._tag === "Profile"
        ? `profile ${condition.name}`
        : condition._tag === "Property"
        ? condition.value === undefined ? `property ${condition.name} is set` : `property ${condition.name} = ${condition.value}`
        : condition._tag === "Not"
        ? `not (${describeGuard(condition.of)})`
        : condition.of.map((part) => `(${describeGuard(part)})`).join(condition._tag === "And" ? " and " : " or ")
    const conditionOf = (condition: Guard): Condition.Condition =>
      condition._tag === "Profile"
        ? Condition.profile(condition.name)
        : condition._tag === "Property"
        ? Condition.property(condition.name, condition.value)
        : condition._tag === "Not"
        ? Condition.not(conditionOf(condition.of))
        : (condition._tag === "And" ? Condition.and : Condition.or)(conditionOf(condition.of[0]), conditionOf(condition.of[1]))
    /**
     * Spring's @ConditionalOnMissingBean / OnBean: `Condition.missing(request)`, `Condition.present(request)`
     * of Sender or Sender@q0. What they see (README): the candidates whose guards all hold and none of
     * which reads the registry, whatever the registration order.
     */
    type Presence = { readonly _tag: "Missing" | "Present"; readonly qualifier?: "q0" }
    const presence: fc.Arbitrary<Presence> = fc.record({
      _tag: fc.constantFrom("Missing" as const, "Present" as const),
      qualifier: fc.constantFrom("q0" as const)
    }, { requiredKeys: ["_tag"] })
    type AnyGuard = Guard | Presence
    const isPresence = (condition: AnyGuard): condition is Presence => condition._tag === "Missing" || condition._tag === "Present"
    interface World {
      readonly registered: ReadonlyArray<Candidate>
      readonly guards: ReadonlyArray<ReadonlyArray<AnyGuard>>
      readonly env: Environment
    }
    /** The candidates that provide a presence condition's request, by name, sorted. */
    const providersOf = (world: World, condition: Presence): ReadonlyArray<string> =>
      world.registered.filter((spec, index) =>
        world.guards[index]!.every((g) => !isPresence(g) && holds(g, world.env)) &&
        (condition.qualifier === undefined || spec.qualifiers.includes(condition.qualifier))
      ).map((spec) => spec.name).sort(byName)
    const holdsIn = (world: World, condition: AnyGuard): boolean =>
      isPresence(condition) ? (providersOf(world, condition).length === 0) === (condition._tag === "Missing") : holds(condition, world.env)
    /** What a false guard says: a presence condition with the providers it saw. */
    const explainIn = (world: World, condition: AnyGuard): string => {
      if (!isPresence(condition)) return describeGuard(condition)
      const label = condition.qualifier === undefined ? "Sender" : `Sender@${condition.qualifier}`
      const providers = providersOf(world, condition)
      const providing = providers.length === 0 ? "none does" : `${providers.join(", ")} ${providers.length === 1 ? "does" : "do"}`
      return condition._tag === "Missing" ? `no other component provides ${label}: ${providing}` : `another component provides ${label}: ${providing}`
    }
    const conditionOfAny = (condition: AnyGuard): Condition.Condition =>
      isPresence(condition)
        ? (condition._tag === "Missing" ? Condition.missing : Condition.present)(condition.qualifier === undefined ? Sender : Dependency.qualified(Sender, condition.qualifier))
        : conditionOf(condition)
    /** A candidate under its guards, outermost first: `Registry.when(outer, Registry.when(inner, component))`. */
    const guarded = (item: Registry.Registry | Component.Component<Sender, string>, guards: ReadonlyArray<AnyGuard>) =>
      guards.reduceRight<Registry.Registry | Component.Component<Sender, string>>((inner, condition) => Registry.when(conditionOfAny(condition), inner), item)
    /**
     * Why the guards leave candidate `index` out, or undefined when they all hold: the outermost false
     * guard says it; a false guard nested in it adds its own, `(outer) and (inner)`.
     */
    const leftOutBy = (world: World, index: number): string | undefined => {
      const guards = world.guards[index]!
      const first = guards.findIndex((condition) => !holdsIn(world, condition))
      if (first === -1) return undefined
      return guards.slice(first + 1).reduce(
        (reason, condition) => holdsIn(world, condition) ? reason : `(${reason}) and (${explainIn(world, condition)})`,
        explainIn(world, guards[first]!)
      )
    }
    const guardsOf = (count: number) =>
      fc.array(fc.array(fc.oneof({ weight: 4, arbitrary: guard }, { weight: 1, arbitrary: presence }), { maxLength: 2 }), { minLength: count, maxLength: count })

    it("conditions: a candidate whose guards do not all hold is as if unregistered, and Explain says which condition left it out", () => {
      const scenario = candidates("s", false, 4).chain((registered) =>
        fc.record({ registered: fc.constant(registered), guards: guardsOf(registered.length), env: environment, asked: request })
      )
      fc.assert(
        fc.property(scenario, ({ asked, env, guards, registered }) => {
          const world: World = { registered, guards, env }
          const registry = Registry.make(...registered.map((spec, index) => guarded(componentOf(spec), guards[index]!)))
          const kept = registered.filter((_, index) => leftOutBy(world, index) === undefined)
          const expected = outcomeOf(kept, asked)
          expect(answerOf(registry, asked, env)).toEqual(expected)
          // the same request of a registry of the kept candidates alone, unguarded
          expect(answerOf(Registry.make(...kept.map((spec) => componentOf(spec))), asked)).toEqual(expected)
          const result = Resolver.resolve(registry, [requestOf(asked)], env)
          if (Either.isLeft(result)) return
          registered.forEach((spec, index) => {
            const reason = leftOutBy(world, index)
            if (reason === undefined) return
            const explained = Explain.component(result.right, spec.name)
            expect(Either.isLeft(explained) && explained.left.leftOut).toEqual({ _tag: "Excluded", condition: reason })
          })
        }),
        { numRuns: 400, seed: 20261208 }
      )
    })

    it("collections: Dependency.all gets the candidates the model's request considers, by order then registration, primaries and alternatives in place, whatever conditions left out; none is an empty collection", () => {
      // README: "a collection gets every candidate sorted by order (registration order breaks ties)";
      // go-path/di's AllOf sorts by primary and alternative too, layerwise by order alone
      const scenario = fc.tuple(candidates("s", false, 4), candidates("o", true, 1)).chain(([registered, overriding]) =>
        fc.record({
          registered: fc.constant([...registered, ...overriding]),
          guards: guardsOf(registered.length + overriding.length),
          env: environment,
          selector: request.map((asked) => asked.selector)
        })
      )
      fc.assert(
        fc.property(scenario, ({ env, guards, registered, selector }) => {
          const world: World = { registered, guards, env }
          const entry = (spec: Candidate, index: number) => {
            const item = spec.override ? Registry.empty.pipe(Registry.override(componentOf(spec))) : Registry.make(componentOf(spec))
            return guarded(item, guards[index]!)
          }
          const registry = Registry.make(...registered.map(entry))
          const kept = registered.filter((_, index) => leftOutBy(world, index) === undefined)
          // an override of nothing is reported (see the overrides property): keep to those that replace something
          if (kept.some((spec) => spec.override) && !kept.some((spec) => !spec.override)) return
          if (kept.some((spec) => spec.override && spec.qualifiers.some((q) => !kept.some((other) => !other.override && other.qualifiers.includes(q)) && !(selector._tag === "Qualifier" && selector.qualifier === q)))) return
          const ordered = poolOf(kept, selector)
            .map((spec) => ({ spec, position: kept.indexOf(spec) }))
            .sort((a, b) => a.spec.order - b.spec.order || a.position - b.position)
            .map(({ spec }) => spec.name)
          const all = selector._tag === "Any"
            ? Dependency.all(Sender)
            : selector._tag === "Qualifier"
            ? Dependency.all(Dependency.qualified(Sender, selector.qualifier))
            : Dependency.all(Dependency.named(Sender, selector.name))
          // what a constructor requesting the collection reads (the Layer provides the root: the cast says so to runSync)
          const values = () =>
            Effect.runSync(Effect.provide(all as Effect.Effect<ReadonlyArray<string>, never, unknown>, Registry.toLayer(registry, [all], env)) as Effect.Effect<ReadonlyArray<string>, unknown>)
          const result = Resolver.resolve(registry, [all], env)
          if (Either.isLeft(result)) throw new Error(result.left.message)
          const edge = result.right.roots[0]!
          expect([edge.choice.rule, namesOf(result.right, edge)]).toEqual(["all", ordered])
          // and the constructor reads them in that order
          expect(values()).toEqual(ordered)
        }),
        { numRuns: 300, seed: 20261208 }
      )
    })
  })
})
