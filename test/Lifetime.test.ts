import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Either, Exit } from "effect"
import { Component, Container, Dependency, Errors, Explain, Lifecycle, Lifetime, Registry, Resolver } from "layerwise"

class Config extends Context.Tag("Config")<Config, string>() {}
class CurrentUser extends Context.Tag("CurrentUser")<CurrentUser, string>() {}
class Tx extends Context.Tag("Tx")<Tx, string>() {}
class Step extends Context.Tag("Step")<Step, string>() {}
class Api extends Context.Tag("Api")<Api, string>() {}
class Stamp extends Context.Tag("Stamp")<Stamp, string>() {}

const Request = Lifetime.scope("Request")
const Job = Lifetime.scope("Job")

const ConfigLive = Component.succeed(Config, "config")
const CurrentUserLive = Component.make(CurrentUser, { dependencies: [Config], build: Effect.succeed("alice") }).pipe(Lifetime.scoped(Request))
const TxLive = Component.make(Tx, { dependencies: [CurrentUser], build: Effect.succeed("tx") }).pipe(Lifetime.scoped(Request))
const StepLive = Component.make(Step, { dependencies: [Tx], build: Effect.succeed("step") }).pipe(Lifetime.scoped(Job))
const StampLive = Component.make(Stamp, { build: Effect.succeed("stamp") }).pipe(Lifetime.transient)

const problemsOf = <E>(result: Either.Either<unknown, E>): ReadonlyArray<string> =>
  Either.isLeft(result) ? (result.left as Errors.ResolutionError).problems.map((problem) => problem.message) : []

describe("Lifetime", () => {
  it("a component is a singleton unless it says otherwise; scope names are typed tokens", () => {
    expect(Lifetime.get(ConfigLive)).toEqual(Lifetime.singleton)
    expect(Lifetime.get(StampLive)._tag).toBe("Transient")
    expect(Lifetime.format(Lifetime.get(CurrentUserLive))).toBe("scoped(Request)")
    expect(Lifetime.isScopeName(Request)).toBe(true)
    expect(Lifetime.isScopeName({ name: "Request" })).toBe(false)
    // the other metadata is kept
    expect(CurrentUserLive.pipe(Component.named("user"), Lifetime.transient).name).toBe("user")
  })

  describe("resolution", () => {
    it("each declared scope provides a plain request of every service scoped to it, validated with the rest", () => {
      const registry = Registry.make(ConfigLive, CurrentUserLive, TxLive, StepLive)
      const plan = Either.getOrThrow(Resolver.resolve(registry, [], { scopes: [Request, Job] }))
      expect(plan.scopes.map((scope) => [scope.name, scope.provides.map((edge) => plan.nodes[edge.targets[0]!]!.name)])).toEqual([
        ["Request", ["CurrentUser", "Tx"]],
        ["Job", ["Step"]]
      ])
      // a scoped component whose dependency is missing is a problem before anything runs
      const missing = Resolver.resolve(Registry.make(CurrentUserLive), [], { scopes: [Request] })
      expect(problemsOf(missing)).toEqual(["CurrentUser -> Config: no component provides Config (available: CurrentUser)"])
    })

    it("a component scoped to a scope the application does not declare is an InvalidDeclaration", () => {
      const result = Resolver.resolve(Registry.make(ConfigLive, CurrentUserLive), [CurrentUser])
      expect(problemsOf(result)).toEqual([
        "CurrentUser: invalid component CurrentUser: it is scoped to Request, which the application does not declare (declared scopes: none; declare it with the option scopes)"
      ])
    })

    it("a transient or scoped component with start or stop hooks, background work or health checks is an InvalidDeclaration", () => {
      const registry = Registry.make(
        StampLive.pipe(Lifecycle.onStart(() => Effect.void), Lifecycle.healthCheck(() => Effect.void), Lifecycle.initializer(() => Effect.void))
      )
      expect(problemsOf(Resolver.resolve(registry, [Stamp]))).toEqual([
        "Stamp: invalid component Stamp: it is transient, but has start hooks, health checks: only singletons are started, stopped and health-checked (initializers and disposers run with every instance)"
      ])
    })

    it("a singleton on a request-scoped component, or an outer scope's on an inner one's, is a LifetimeMismatch with its path", () => {
      const SessionsLive = Component.make(Api, { dependencies: [CurrentUser], build: Effect.succeed("api") })
      const OuterLive = Component.make(Stamp, { dependencies: [Step], build: Effect.succeed("c") }).pipe(Lifetime.scoped(Request))
      const registry = Registry.make(SessionsLive, ConfigLive, CurrentUserLive, OuterLive, StepLive, TxLive)
      const result = Resolver.resolve(registry, [Api], { scopes: [Request, Job] })
      expect(problemsOf(result)).toEqual([
        "Api: Api (singleton) depends on CurrentUser (scoped(Request)), which does not live as long: request it with Dependency.lazy or Dependency.factory (inside an open scope), or give Api a lifetime no longer than CurrentUser's",
        "Stamp: Stamp (scoped(Request)) depends on Step (scoped(Job)), which does not live as long: request it with Dependency.lazy or Dependency.factory (inside an open scope), or give Stamp a lifetime no longer than Step's"
      ])
      const mismatch = (result as Either.Left<Errors.ResolutionError, never>).left.problems[0] as Errors.LifetimeMismatch
      expect(mismatch).toMatchObject({ _tag: "LifetimeMismatch", path: ["Api"], component: "Api", dependency: "CurrentUser", through: [] })
    })

    it("a transient lives as long as its requester: what it depends on is checked against the requester, through any number of transients", () => {
      const Outer = Component.make(Stamp, { dependencies: [Tx], build: Effect.succeed("s") }).pipe(Lifetime.transient)
      const SingletonApi = Component.make(Api, { dependencies: [Stamp], build: Effect.succeed("api") })
      const ScopedStep = Component.make(Step, { dependencies: [Stamp], build: Effect.succeed("step") }).pipe(Lifetime.scoped(Request))
      const registry = Registry.make(ConfigLive, CurrentUserLive, TxLive, Outer, SingletonApi, ScopedStep)
      const result = Resolver.resolve(registry, [Api], { scopes: [Request] })
      // the singleton captures Tx through the transient; the request-scoped Step may
      expect(problemsOf(result)).toEqual([
        "Api: Api (singleton) depends through Stamp (transient) on Tx (scoped(Request)), which does not live as long: request it with Dependency.lazy or Dependency.factory (inside an open scope), or give Api a lifetime no longer than Tx's"
      ])
    })

    it("inner scopes may depend on outer ones and on singletons; every problem is reported together", () => {
      const registry = Registry.make(ConfigLive, CurrentUserLive, TxLive, StepLive)
      expect(Either.isRight(Resolver.resolve(registry, [], { scopes: [Request, Job] }))).toBe(true)
      // Job declared outside Request: Step (Job) depending on Tx (Request) now outlives it
      expect(problemsOf(Resolver.resolve(registry, [], { scopes: [Job, Request] }))).toEqual([
        "Step: Step (scoped(Job)) depends on Tx (scoped(Request)), which does not live as long: request it with Dependency.lazy or Dependency.factory (inside an open scope), or give Step a lifetime no longer than Tx's"
      ])
    })
  })

  it("a scoped root, or a reloadable handle of a transient or scoped component, is an InvalidDeclaration", () => {
    const Reloading = Component.make(Api, { dependencies: [Dependency.reloadable(Stamp)], build: Effect.succeed("api") })
    const registry = Registry.make(ConfigLive, CurrentUserLive, StampLive, Reloading)
    expect(problemsOf(Resolver.resolve(registry, [CurrentUser, Api, Dependency.reloadable(CurrentUser)], { scopes: [Request] }))).toEqual([
      "CurrentUser: invalid component CurrentUser: it is scoped to Request, and a root lives as long as the graph: reach it inside Lifetime.within(effect, Request, [...]), or make the root a Dependency.lazy request of it (used inside an open Request)",
      "CurrentUser: invalid component CurrentUser: a root requests it with Dependency.reloadable, but it is scoped(Request): only a singleton has one current instance to reload (request it plainly, or with Dependency.factory for a fresh one)",
      "Api -> Stamp: invalid component Stamp: Api requests it with Dependency.reloadable, but it is transient: only a singleton has one current instance to reload (request it plainly, or with Dependency.factory for a fresh one)"
    ])
    // a lazy root of it is fine: used where the scope is open
    expect(Either.isRight(Resolver.resolve(registry, [Dependency.lazy(CurrentUser)], { scopes: [Request] }))).toBe(true)
  })

  describe("scope inputs", () => {
    class Incoming extends Context.Tag("Incoming")<Incoming, { readonly user: string }>() {}
    class Message extends Context.Tag("Message")<Message, string>() {}
    const HttpRequest = Lifetime.scope("Request", { inputs: [Incoming] })
    const Work = Lifetime.scope("Job", { inputs: [Message] })
    const UserLive = Component.make(CurrentUser, {
      dependencies: [Incoming],
      build: Effect.map(Incoming, (incoming) => incoming.user)
    }).pipe(Lifetime.scoped(HttpRequest))
    const StepOfMessage = Component.make(Step, {
      dependencies: [CurrentUser, Message],
      build: Effect.gen(function*() {
        return `${yield* CurrentUser}:${yield* Message}`
      })
    }).pipe(Lifetime.scoped(Work))

    it("a request of a scope's input resolves to what the scope's opener provides (the rule input)", () => {
      const plan = Either.getOrThrow(Resolver.resolve(Registry.make(UserLive), [], { scopes: [HttpRequest] }))
      expect(plan.scopes.map((scope) => [scope.name, scope.inputs])).toEqual([["Request", ["Incoming"]]])
      expect(plan.nodes[0]!.dependencies.map((edge) => [edge.request.key, edge.choice.rule, edge.targets])).toEqual([["Incoming", "input", []]])
      expect(Explain.tree(plan).split("\n")).toEqual(["scope Request", "└─ CurrentUser · scoped(Request)", "   └─ Incoming (input)"])
    })

    it("a component that outlives the scope whose input it requests is a LifetimeMismatch; an undeclared input is missing", () => {
      const SingletonApi = Component.make(Api, { dependencies: [Incoming], build: Effect.succeed("api") })
      const TransientStamp = Component.make(Stamp, { dependencies: [Incoming], build: Effect.succeed("s") }).pipe(Lifetime.transient)
      const SingletonOfStamp = Component.make(Config, { dependencies: [Stamp], build: Effect.succeed("c") })
      const registry = Registry.make(SingletonApi, TransientStamp, SingletonOfStamp, UserLive)
      expect(problemsOf(Resolver.resolve(registry, [Api, Config], { scopes: [HttpRequest] }))).toEqual([
        "Api: Api (singleton) depends on Incoming (input of Request), which does not live as long: scope Api to Request (or a scope inside it)",
        "Config: Config (singleton) depends through Stamp (transient) on Incoming (input of Request), which does not live as long: scope Config to Request (or a scope inside it)"
      ])
      // without the input declared, Incoming is a service like any other: nobody provides it
      expect(problemsOf(Resolver.resolve(Registry.make(UserLive), [], { scopes: [Request] }))).toEqual([
        "CurrentUser -> Incoming: no component provides Incoming (available: CurrentUser)"
      ])
    })

    it.effect("each open scope's components get its opener's input; concurrent scopes never share one", () =>
      Effect.gen(function*() {
        const handle = (user: string) =>
          // each scope yields while open, so the three are open at once
          Lifetime.within(Effect.zipLeft(CurrentUser, Effect.yieldNow()), HttpRequest, [CurrentUser]).pipe(
            Effect.provideService(Incoming, { user })
          )
        const users = yield* Effect.all(["ada", "bob", "cy"].map(handle), { concurrency: "unbounded" })
        expect(users).toEqual(["ada", "bob", "cy"])
      }).pipe(Effect.provide(Registry.toLayer(Registry.make(UserLive), [Container.Container], { scopes: [HttpRequest] }))))

    it.effect("an inner scope's components see the outer scope's inputs and instances, and their own inputs", () =>
      Effect.gen(function*() {
        const step = yield* Lifetime.within(Step, Work, [Step]).pipe(
          Effect.provideService(Message, "m1"),
          (job) => Lifetime.within(job, HttpRequest, [CurrentUser]),
          Effect.provideService(Incoming, { user: "ada" })
        )
        expect(step).toBe("ada:m1")
        // a Job opened outside any Request: the Request's input is not there
        const outside = yield* Lifetime.within(Step, Work, [Step]).pipe(Effect.provideService(Message, "m2"), Effect.exit)
        expect(outside).toEqual(Exit.fail(new Errors.ScopeNotOpen({ component: "CurrentUser", scope: "Request", path: ["CurrentUser"] })))
      }).pipe(
        Effect.provide(Registry.toLayer(Registry.make(UserLive, StepOfMessage), [Container.Container], { scopes: [HttpRequest, Work] }))
      ))
  })

  describe("release", () => {
    it.effect("a scope releases a component before the scoped components it depends on, directly or through a transient, whichever its opener requested", () => {
      const released: Array<string> = []
      const recorded = <I, S>(tag: Context.Tag<I, S>, value: S) =>
        Effect.as(Effect.addFinalizer(() => Effect.sync(() => released.push(tag.key))), value)
      const registry = Registry.make(
        Component.make(CurrentUser, { build: recorded(CurrentUser, "ada") }).pipe(Lifetime.scoped(Request)),
        Component.make(Stamp, { dependencies: [CurrentUser], build: recorded(Stamp, "s") }).pipe(Lifetime.transient),
        Component.make(Tx, { dependencies: [Stamp], build: recorded(Tx, "tx") }).pipe(Lifetime.scoped(Request)),
        Component.make(Step, { dependencies: [Tx, CurrentUser], build: recorded(Step, "step") }).pipe(Lifetime.scoped(Request))
      )
      return Effect.gen(function*() {
        yield* Lifetime.within(Step, Request, [Step])
        expect(released).toEqual(["Step", "Tx", "Stamp", "CurrentUser"])
      }).pipe(Effect.provide(Registry.toLayer(registry, [Container.Container], { scopes: [Request] })))
    })
  })

  describe("explain", () => {
    it("a component's lifetime follows its first line when it is not a singleton, and is in the JSON form", () => {
      const registry = Registry.make(ConfigLive, CurrentUserLive, StampLive.pipe(Lifecycle.initializer(() => Effect.void)))
      const plan = Either.getOrThrow(Resolver.resolve(registry, [Stamp], { scopes: [Request] }))
      expect(Explain.tree(plan).split("\n")).toEqual([
        "Stamp · transient · initializer",
        "scope Request",
        "└─ CurrentUser · scoped(Request)",
        "   └─ Config"
      ])
      const json = Explain.toJson(plan)
      expect(json.nodes.map((node) => [node.name, node.lifetime])).toEqual([
        ["Stamp", { _tag: "Transient" }],
        ["Config", undefined],
        ["CurrentUser", { _tag: "Scoped", scope: "Request" }]
      ])
    })
  })
})
