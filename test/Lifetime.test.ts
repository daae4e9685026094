import { describe, expect, it } from "@effect/vitest"
import { Cause, Chunk, Context, Deferred, Effect, Either, Equal, Exit, FastCheck, Fiber, Hash, HashSet, Layer, Queue, Scope, TestClock } from "effect"
import { App, Component, Container, Dependency, Errors, Explain, Lifecycle, Lifetime, Registry, Resolver } from "layerwise"
import { inspect } from "node:util"
import { type Instance, makeRecorder, type Recorder } from "./helpers/recorder.js"

class Config extends Context.Tag("Config")<Config, string>() {}
class CurrentUser extends Context.Tag("CurrentUser")<CurrentUser, string>() {}
class Tx extends Context.Tag("Tx")<Tx, string>() {}
class Step extends Context.Tag("Step")<Step, string>() {}
class Api extends Context.Tag("Api")<Api, string>() {}
class Stamp extends Context.Tag("Stamp")<Stamp, string>() {}
class Reader extends Context.Tag("Reader")<Reader, Effect.Effect<string>>() {}

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
    expect(inspect(Request)).toBe(inspect({ _id: "ScopeName", name: "Request" }))
    // the other metadata is kept
    expect(CurrentUserLive.pipe(Component.named("user"), Lifetime.transient).name).toBe("user")
  })

  it("scope names of one name are Equal with equal hashes, as the container knows one scope by its name", () => {
    class Incoming extends Context.Tag("Incoming")<Incoming, string>() {}
    const again = Lifetime.scope("Request", { inputs: [Incoming] })
    expect(Equal.equals(Request, again)).toBe(true)
    expect(Hash.hash(Request)).toBe(Hash.hash(again))
    expect(Equal.equals(Request, Job)).toBe(false)
    expect(Equal.equals(Request, "Request")).toBe(false)
    expect(HashSet.size(HashSet.make(Request, again, Job))).toBe(2)
    // the resolver too: a component scoped to the other token is in the declared scope, with its inputs joined
    const user = Component.make(CurrentUser, { dependencies: [Incoming], build: Effect.succeed("alice") }).pipe(Lifetime.scoped(again))
    const plan = Either.getOrThrow(Resolver.resolve(Registry.make(user), [], { scopes: [Request, again] }))
    expect(plan.scopes.map((scope) => ({ name: scope.name, inputs: scope.inputs, provides: scope.provides.map((edge) => plan.nodes[edge.targets[0]!]!.name) })))
      .toEqual([{ name: "Request", inputs: ["Incoming"], provides: ["CurrentUser"] }])
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
      expect(problemsOf(missing)).toEqual(["CurrentUser -> Config: no component provides Config (available: CurrentUser); register one, or declare it external if the program provides it"])
    })

    it("a component scoped to a scope the application does not declare is an InvalidDeclaration", () => {
      const result = Resolver.resolve(Registry.make(ConfigLive, CurrentUserLive), [CurrentUser])
      expect(problemsOf(result)).toEqual([
        "CurrentUser: invalid component CurrentUser: it is scoped to Request, which the application does not declare (declared scopes: none; declare it with the option scopes)"
      ])
    })

    it("the scope's inputs its components request are no MissingComponent when the scope is not declared: the undeclared scope is the one problem", () => {
      class Message extends Context.Tag("Message")<Message, string>() {}
      const Order = Lifetime.scope("Order", { inputs: [Message] })
      const OrderContextLive = Component.make(Tx, { dependencies: [Message, Config], build: Effect.succeed("tx") }).pipe(Lifetime.scoped(Order))
      const ApiLive = Component.make(Api, { dependencies: [Dependency.lazy(Tx)], build: Effect.succeed("api") })
      expect(problemsOf(Resolver.resolve(Registry.make(ConfigLive, OrderContextLive, ApiLive), [Api]))).toEqual([
        "Api -> Tx: invalid component Tx: it is scoped to Order, which the application does not declare (declared scopes: none; declare it with the option scopes)"
      ])
      // declared, the input resolves as one; a singleton requesting it is still told it outlives it
      expect(Either.isRight(Resolver.resolve(Registry.make(ConfigLive, OrderContextLive, ApiLive), [Api], { scopes: [Order] }))).toBe(true)
      const SingletonLive = Component.make(Step, { dependencies: [Message], build: Effect.succeed("step") })
      expect(problemsOf(Resolver.resolve(Registry.make(ConfigLive, OrderContextLive, SingletonLive), [Step, Dependency.lazy(Tx)]))).toEqual([
        "Step -> Message: no component provides Message (available: Config, Step, Tx); register one, or declare it external if the program provides it",
        "Tx: invalid component Tx: it is scoped to Order, which the application does not declare (declared scopes: none; declare it with the option scopes)"
      ])
    })

    it("a component scoped to a misspelt scope is an InvalidDeclaration suggesting the declared scope, reached from the roots or not (nothing could ever open its scope)", () => {
      const Reqest = Lifetime.scope("Reqest")
      const MisspeltLive = Component.make(CurrentUser, { dependencies: [Config], build: Effect.succeed("alice") }).pipe(Lifetime.scoped(Reqest))
      const declaredMessage = "invalid component CurrentUser: it is scoped to Reqest, which the application does not declare (declared scopes: Request, Job; declare it with the option scopes); did you mean Request?"
      expect(problemsOf(Resolver.resolve(Registry.make(ConfigLive, MisspeltLive), [CurrentUser], { scopes: [Request, Job] }))).toEqual([
        `CurrentUser: ${declaredMessage}`
      ])
      // reached from no root: Lifetime.within(effect, Request, [CurrentUser]) would fail at its first use
      const unreached = Resolver.resolve(Registry.make(ConfigLive, MisspeltLive), [Config], { scopes: [Request, Job] })
      expect(Either.isLeft(unreached) && unreached.left.problems).toEqual([
        new Errors.InvalidDeclaration({
          path: [],
          subject: { _tag: "Component", name: "CurrentUser" },
          issues: [{ code: "UnknownScope", scope: "Reqest", declared: ["Request", "Job"] }]
        })
      ])
      expect(problemsOf(unreached)).toEqual([declaredMessage])
    })

    it("a component the roots do not reach, scoped to a scope the application does not declare and that is close to none it does, is no problem: another application of the registry declares it", () => {
      // a worker declaring Job alone, sharing the registry of a web application that declares Request
      const result = Resolver.resolve(Registry.make(ConfigLive, CurrentUserLive, TxLive), [Config], { scopes: [Job] })
      expect(Either.isRight(result) && result.right.nodes.map((node) => node.name)).toEqual(["Config"])
      expect(Either.isRight(Resolver.resolve(Registry.make(ConfigLive, CurrentUserLive), [Config]))).toBe(true)
    })

    it("a transient or scoped component with start or stop hooks, background work, health checks or a startup order is an InvalidDeclaration", () => {
      const registry = Registry.make(
        StampLive.pipe(Lifecycle.onStart(() => Effect.void), Lifecycle.healthCheck(() => Effect.void), Lifecycle.initializer(() => Effect.void))
      )
      expect(problemsOf(Resolver.resolve(registry, [Stamp]))).toEqual([
        "Stamp: invalid component Stamp: it is transient, but has start hooks, health checks: only singletons are started, stopped and health-checked (initializers and disposers run with every instance)"
      ])
      // Regression: a transient startup component was never built (0 instances in the report), and nothing said so
      const startup = Registry.make(StampLive.pipe(Lifecycle.startup(1)))
      expect(problemsOf(Resolver.resolve(startup, [Stamp]))).toEqual([
        "Stamp: invalid component Stamp: it is transient, but has a startup order (Lifecycle.startup): only singletons are started, stopped and health-checked (initializers and disposers run with every instance)"
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
      expect(mismatch).toEqual(
        new Errors.LifetimeMismatch({
          path: ["Api"],
          component: "Api",
          lifetime: "singleton",
          dependency: "CurrentUser",
          dependencyLifetime: "scoped(Request)",
          through: []
        })
      )
    })

    it("a LifetimeMismatch reached through a hook's dependencies says which hook requested the dependency", () => {
      // Regression: "Api (singleton) depends on CurrentUser", though Api's constructor requests nothing
      const SessionsLive = Component.make(Api, { build: Effect.succeed("api") }).pipe(
        Lifecycle.onStop(() => Effect.void, { name: "flush", dependencies: [CurrentUser] })
      )
      const Outer = Component.make(Stamp, { build: Effect.succeed("s") }).pipe(
        Lifetime.transient,
        Lifecycle.initializer(() => Effect.void, { dependencies: [Tx] })
      )
      const StepOnStamp = Component.make(Step, { build: Effect.succeed("step") }).pipe(Lifecycle.onStart(() => Effect.void, { dependencies: [Stamp] }))
      const result = Resolver.resolve(Registry.make(SessionsLive, ConfigLive, CurrentUserLive, TxLive, Outer, StepOnStamp), [Api, Step], {
        scopes: [Request]
      })
      expect(problemsOf(result)).toEqual([
        "Api: Api (singleton) depends, in its onStop \"flush\", on CurrentUser (scoped(Request)), which does not live as long: request it with Dependency.lazy or Dependency.factory (inside an open scope), or give Api a lifetime no longer than CurrentUser's",
        "Step: Step (singleton) depends through Stamp (transient), in its onStart and Stamp's initializer, on Tx (scoped(Request)), which does not live as long: request it with Dependency.lazy or Dependency.factory (inside an open scope), or give Step a lifetime no longer than Tx's"
      ])
      expect((result as Either.Left<Errors.ResolutionError, never>).left.problems[1]).toEqual(
        new Errors.LifetimeMismatch({
          path: ["Step"],
          component: "Step",
          lifetime: "singleton",
          dependency: "Tx",
          dependencyLifetime: "scoped(Request)",
          through: ["Stamp"],
          hooks: [{ requester: "Step", kind: "onStart", name: "onStart" }, { requester: "Stamp", kind: "initializer", name: "initializer" }]
        })
      )
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
        "CurrentUser -> Incoming: no component provides Incoming (available: CurrentUser); register one, or declare it external if the program provides it"
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

// ---------------------------------------------------------------------------------------------
// at run time

class Shared extends Context.Tag("Shared")<Shared, Instance>() {}
class Fresh extends Context.Tag("Fresh")<Fresh, Instance>() {}
class Left extends Context.Tag("Left")<Left, Instance & { readonly fresh: Instance }>() {}
class Right extends Context.Tag("Right")<Right, Instance & { readonly fresh: Instance }>() {}
class User extends Context.Tag("User")<User, Instance>() {}
class Session extends Context.Tag("Session")<Session, Instance & { readonly user: Instance }>() {}
class Work extends Context.Tag("Work")<Work, Instance & { readonly session: Instance }>() {}
class Finder extends Context.Tag("Finder")<Finder, { readonly user: Effect.Effect<Instance, Errors.HandleError> }>() {}
class Looker extends Context.Tag("Looker")<Looker, { readonly user: Effect.Effect<Instance, Errors.HandleError> }>() {}

/** A registry of tracked components: Shared (singleton), Fresh (transient), User and Session (Request), Work (Job). */
const runtimeRegistry = (recorder: Recorder) =>
  Registry.make(
    Component.make(Shared, { build: recorder.instance("Shared") }),
    Component.make(Fresh, { dependencies: [Shared], build: recorder.instance("Fresh") }).pipe(Lifetime.transient),
    Component.make(Left, { dependencies: [Fresh], build: Effect.zipWith(recorder.instance("Left"), Fresh, (own, fresh) => ({ ...own, fresh })) }),
    Component.make(Right, { dependencies: [Fresh], build: Effect.zipWith(recorder.instance("Right"), Fresh, (own, fresh) => ({ ...own, fresh })) }),
    Component.make(User, { dependencies: [Shared], build: recorder.instance("User") }).pipe(Lifetime.scoped(Request)),
    Component.make(Session, {
      dependencies: [User, Fresh],
      build: Effect.zipWith(recorder.instance("Session"), User, (own, user) => ({ ...own, user }))
    }).pipe(Lifetime.scoped(Request)),
    Component.make(Work, {
      dependencies: [Session],
      build: Effect.zipWith(recorder.instance("Work"), Session, (own, session) => ({ ...own, session }))
    }).pipe(Lifetime.scoped(Job)),
    Component.make(Finder, { dependencies: [Dependency.lazy(User)], build: Effect.map(Dependency.lazy(User), (user) => ({ user })) })
  )

/** Runs `program` with the registry's Layer (roots: the container and `Finder`), then closes it. */
const withContainer = <A, E>(recorder: Recorder, program: Effect.Effect<A, E, Container.Container | Finder>) =>
  Effect.provide(program, Registry.toLayer(runtimeRegistry(recorder), [Container.Container, Finder], { scopes: [Request, Job] }))

/** Uses the Request scope's Session (and its User): records the use of both. */
const useSession = (recorder: Recorder) =>
  Effect.gen(function*() {
    const session = yield* Session
    yield* recorder.use(session)
    yield* recorder.use(session.user)
    return session
  })

describe("Lifetime at run time", () => {
  it.effect("a transient gives every requester an instance of its own, released right after its requester", () =>
    Effect.gen(function*() {
      const recorder = makeRecorder()
      const [left, right] = yield* Effect.scoped(Effect.gen(function*() {
        const context = yield* Layer.build(Registry.toLayer(runtimeRegistry(recorder), [Left, Right]))
        return [Context.get(context, Left), Context.get(context, Right)] as const
      }))
      expect([left.fresh.id, right.fresh.id]).toEqual(["Fresh#1", "Fresh#2"])
      expect(recorder.events).toEqual([
        "build Shared#1",
        "build Fresh#1",
        "build Left#1",
        "build Fresh#2",
        "build Right#1",
        "release Right#1",
        "release Fresh#2",
        "release Left#1",
        "release Fresh#1",
        "release Shared#1"
      ])
    }))

  it.effect("a dependent's two requests of a transient, a plain one and Dependency.all, get an instance each (README: one per request of each requester)", () =>
    Effect.gen(function*() {
      let built = 0
      class Both extends Context.Tag("Both")<Both, readonly [number, ReadonlyArray<number>]>() {}
      class Counter extends Context.Tag("Counter")<Counter, number>() {}
      const registry = Registry.make(
        Component.make(Counter, { build: Effect.sync(() => ++built) }).pipe(Lifetime.transient),
        Component.make(Both, { dependencies: [Counter, Dependency.all(Counter)], build: Effect.all([Counter, Dependency.all(Counter)]) })
      )
      const both = yield* Effect.scoped(Effect.map(Layer.build(Registry.toLayer(registry, [Both])), Context.get(Both)))
      expect([built, [both[0], ...both[1]].sort()]).toEqual([2, [1, 2]])
    }))

  it.effect("a scoped component is built once per open scope, on first use, and released (last built first) when within ends", () =>
    Effect.gen(function*() {
      const recorder = makeRecorder()
      yield* withContainer(
        recorder,
        Effect.gen(function*() {
          const first = yield* Effect.zip(useSession(recorder), Effect.flatMap(User, recorder.use)).pipe(Lifetime.within(Request, [Session, User]))
          recorder.events.push("between")
          const second = yield* useSession(recorder).pipe(Lifetime.within(Request, [Session]))
          expect([first[0].id, second.id]).toEqual(["Session#1", "Session#2"])
        })
      )
      expect(recorder.events).toEqual([
        "build Shared#1",
        "build User#1",
        "build Fresh#1",
        "build Session#1",
        "use Session#1",
        "use User#1",
        "use User#1",
        "release Session#1",
        "release Fresh#1",
        "release User#1",
        "between",
        "build User#2",
        "build Fresh#2",
        "build Session#2",
        "use Session#2",
        "use User#2",
        "release Session#2",
        "release Fresh#2",
        "release User#2",
        "release Shared#1"
      ])
      expect(recorder.usedAfterRelease).toEqual([])
    }))

  it.effect("a scope's instances are released when its effect fails, dies or is interrupted", () =>
    Effect.gen(function*() {
      const recorder = makeRecorder()
      const released = ["release Session#1", "release Fresh#1", "release User#1"]
      yield* withContainer(
        recorder,
        Effect.gen(function*() {
          const failed = yield* Effect.flip(Effect.zipRight(useSession(recorder), Effect.fail("handler failed")).pipe(Lifetime.within(Request, [Session])))
          expect(failed).toBe("handler failed")
          expect(recorder.events.slice(-3)).toEqual(released)
          const died = yield* Effect.exit(Effect.zipRight(useSession(recorder), Effect.die("boom")).pipe(Lifetime.within(Request, [Session])))
          expect(Exit.isFailure(died) && Cause.isDie(died.cause)).toBe(true)
          expect(recorder.events.slice(-3)).toEqual(["release Session#2", "release Fresh#2", "release User#2"])
          const inside = yield* Deferred.make<void>()
          const fiber = yield* Effect.fork(
            Effect.zipRight(Effect.zipRight(useSession(recorder), Deferred.succeed(inside, undefined)), Effect.never).pipe(Lifetime.within(Request, [Session]))
          )
          yield* Deferred.await(inside)
          yield* Fiber.interrupt(fiber)
          expect(recorder.events.slice(-3)).toEqual(["release Session#3", "release Fresh#3", "release User#3"])
        })
      )
      expect(recorder.builds("User")).toBe(3)
      expect(recorder.live).toEqual(new Set())
    }))

  it.effect("a scoped component's finalizers get the exit of the effect within ran: a transaction commits on success and rolls back on a failure, a defect or an interruption", () =>
    Effect.gen(function*() {
      const ended: Array<string> = []
      const TxLive = Component.make(Tx, {
        build: Effect.acquireRelease(Effect.succeed("tx"), (_, exit) =>
          Effect.sync(() =>
            void ended.push(Exit.isSuccess(exit) ? "commit" : Cause.isInterruptedOnly(exit.cause) ? "rollback (interrupted)" : `rollback (${Cause.pretty(exit.cause)})`)
          ))
      }).pipe(Lifetime.scoped(Job))
      const inJob = <A, E>(effect: Effect.Effect<A, E, Tx>) => Effect.exit(Lifetime.within(effect, Job, [Tx]))
      yield* Effect.gen(function*() {
        yield* inJob(Tx)
        yield* inJob(Effect.zipRight(Tx, Effect.fail("declined")))
        yield* inJob(Effect.zipRight(Tx, Effect.die("boom")))
        const started = yield* Deferred.make<void>()
        const fiber = yield* Effect.fork(inJob(Effect.zipRight(Effect.zipRight(Tx, Deferred.succeed(started, undefined)), Effect.never)))
        yield* Deferred.await(started)
        yield* Fiber.interrupt(fiber)
      }).pipe(Effect.provide(Registry.toLayer(Registry.make(TxLive), [Container.Container], { scopes: [Job] })))
      expect(ended).toEqual(["commit", "rollback (Error: declined)", "rollback (Error: boom)", "rollback (interrupted)"])
    }))

  it.effect("scopes nest: an inner scope sees the outer one's instances and is closed first", () =>
    Effect.gen(function*() {
      const recorder = makeRecorder()
      yield* withContainer(
        recorder,
        Effect.gen(function*() {
          const outer = yield* Session
          const inner = yield* Effect.flatMap(Work, (work) => Effect.as(recorder.use(work), work)).pipe(
            Lifetime.within(Job, [Work]),
            Effect.zipLeft(Effect.sync(() => recorder.events.push("job done")))
          )
          const again = yield* Work.pipe(Lifetime.within(Job, [Work]))
          expect(inner.session).toBe(outer)
          expect(again.session).toBe(outer)
          expect(again.id).toBe("Work#2")
        }).pipe(Lifetime.within(Request, [Session]))
      )
      expect(recorder.events).toEqual([
        "build Shared#1",
        "build User#1",
        "build Fresh#1",
        "build Session#1",
        "build Work#1",
        "use Work#1",
        "release Work#1",
        "job done",
        "build Work#2",
        "release Work#2",
        "release Session#1",
        "release Fresh#1",
        "release User#1",
        "release Shared#1"
      ])
    }))

  it.effect("concurrent scopes never share an instance", () =>
    Effect.gen(function*() {
      const recorder = makeRecorder()
      const seen = yield* withContainer(
        recorder,
        Effect.gen(function*() {
          const bothOpen = yield* Effect.makeLatch(false)
          const arrived = yield* Deferred.make<void>()
          let count = 0
          const request = Effect.gen(function*() {
            const session = yield* Session
            if (++count === 2) yield* Deferred.succeed(arrived, undefined)
            yield* bothOpen.await
            const finder = yield* Finder
            // a lazy handle of a longer-lived component finds the instance of the scope it is used in
            const user = yield* finder.user
            yield* recorder.use(user)
            return [session.id, session.user.id, user.id]
          }).pipe(Lifetime.within(Request, [Session]))
          const fiber = yield* Effect.fork(Effect.all([request, request], { concurrency: "unbounded" }))
          yield* Deferred.await(arrived)
          yield* bothOpen.open
          return yield* Fiber.join(fiber)
        })
      )
      expect(seen).toEqual([["Session#1", "User#1", "User#1"], ["Session#2", "User#2", "User#2"]])
      expect(recorder.builds("User")).toBe(2)
      expect(recorder.usedAfterRelease).toEqual([])
      expect(recorder.live).toEqual(new Set())
    }))

  it.effect("a fiber forked in a scope that uses its scoped components once the scope closed gets ScopeNotOpen, never the released instance, and builds nothing there", () =>
    Effect.gen(function*() {
      const recorder = makeRecorder()
      const [used, session] = yield* withContainer(
        recorder,
        Effect.gen(function*() {
          const finder = yield* Finder
          const gate = yield* Deferred.make<void>()
          // forked as a daemon in the scope: it keeps the scope's place after the scope closed
          const late = yield* Effect.gen(function*() {
            yield* recorder.use(yield* finder.user)
            return yield* Effect.forkDaemon(Effect.zipRight(
              Deferred.await(gate),
              Effect.all([Effect.either(finder.user), Effect.either(Container.get(Session))])
            ))
          }).pipe(Lifetime.within(Request, []))
          yield* Deferred.succeed(gate, undefined)
          return yield* Fiber.join(late)
        })
      )
      // the scope's close began (and ended): the error says so (closing), merged with the close that waits for its builds
      expect(used).toEqual(Either.left(new Errors.ScopeNotOpen({ component: "User", scope: "Request", path: ["Finder", "User"], closing: true })))
      expect(session).toEqual(Either.left(new Errors.ScopeNotOpen({ component: "Session", scope: "Request", path: ["Session"], closing: true })))
      expect(recorder.builds("User")).toBe(1)
      expect(recorder.builds("Session")).toBe(0)
      expect(recorder.usedAfterRelease).toEqual([])
      expect(recorder.live).toEqual(new Set())
    }))

  it.effect("while a scope is being released, a scoped instance's finalizer still gets the instances it depends on through a lazy handle (released after it)", () =>
    Effect.gen(function*() {
      const recorder = makeRecorder()
      const registry = runtimeRegistry(recorder).pipe(Registry.add([
        Component.make(Looker, {
          dependencies: [Dependency.lazy(User)],
          build: Effect.gen(function*() {
            const user = yield* Dependency.lazy(User)
            yield* Effect.addFinalizer(() => Effect.flatMap(Effect.orDie(user), recorder.use))
            return { user }
          })
        }).pipe(Lifetime.scoped(Request))
      ]))
      yield* Effect.flatMap(Looker, (looker) => looker.user).pipe(
        Lifetime.within(Request, [Looker]),
        Effect.provide(Registry.toLayer(registry, [Container.Container], { scopes: [Request, Job] }))
      )
      expect(recorder.builds("User")).toBe(1)
      expect(recorder.usedAfterRelease).toEqual([])
      expect(recorder.live).toEqual(new Set())
    }))

  it.effect("a lazy handle made in an open scope, used where the fiber has no scope open (another runtime's fiber, a streamed body), gets its own scope's instance while that scope is open", () =>
    Effect.gen(function*() {
      const recorder = makeRecorder()
      // a request-scoped holder of a lazy handle of another request-scoped component, not built yet
      const registry = runtimeRegistry(recorder).pipe(Registry.add([
        Component.make(Looker, { dependencies: [Dependency.lazy(User)], build: Effect.map(Dependency.lazy(User), (user) => ({ user })) })
          .pipe(Lifetime.scoped(Request))
      ]))
      const [inside, again, after] = yield* Effect.gen(function*() {
        const [user, inside, again] = yield* Effect.gen(function*() {
          const { user } = yield* Looker
          // a fiber of the default runtime: it carries none of this fiber's open scopes
          const inside = yield* Effect.promise(() => Effect.runPromise(Effect.map(user, (instance) => instance.id)))
          const again = yield* Effect.map(user, (instance) => instance.id)
          return [user, inside, again] as const
        }).pipe(Lifetime.within(Request, [Looker]))
        const after = yield* Effect.promise(() => Effect.runPromise(Effect.flip(user)))
        return [inside, again, after] as const
      }).pipe(Effect.provide(Registry.toLayer(registry, [Container.Container], { scopes: [Request, Job] })))
      expect([inside, again]).toEqual(["User#1", "User#1"])
      expect(after).toEqual(new Errors.ScopeNotOpen({ component: "User", scope: "Request", path: ["User"] }))
      expect(recorder.builds("User")).toBe(1)
      expect(recorder.live).toEqual(new Set())
    }))

  it.effect("a scoped component used outside its scope is a ScopeNotOpen naming the component, the scope and the path", () =>
    Effect.gen(function*() {
      const recorder = makeRecorder()
      const error = yield* withContainer(recorder, Effect.flatMap(Finder, (finder) => Effect.flip(finder.user)))
      expect(error).toBeInstanceOf(Errors.ScopeNotOpen)
      expect(error).toEqual(new Errors.ScopeNotOpen({ component: "User", scope: "Request", path: ["Finder", "User"] }))
      expect(error.message).toBe(
        "Finder -> User: User is scoped to Request, and no Request scope is open here (open one with Lifetime.within; an HTTP server opens one per request with Http.requestScope)"
      )
      // inside a Job scope alone (no Request open), the same
      const inJob = yield* withContainer(recorder, Effect.flatMap(Finder, (finder) => Effect.flip(finder.user)).pipe(Lifetime.within(Job, [])))
      expect(inJob).toEqual(new Errors.ScopeNotOpen({ component: "User", scope: "Request", path: ["Finder", "User"] }))
      expect(recorder.builds("User")).toBe(0)
    }))

  describe("closing a scope with builds in flight", () => {
    class Base extends Context.Tag("Base")<Base, Instance>() {}
    class Slow extends Context.Tag("Slow")<Slow, Instance>() {}
    class Lone extends Context.Tag("Lone")<Lone, Instance>() {}
    class Holder extends Context.Tag("Holder")<Holder, { readonly lone: Effect.Effect<Instance, Errors.HandleError> }>() {}

    /**
     * Base and Slow scoped to Job (Slow on Base; its constructor, once given Base, says it `started` and
     * waits for `gate`, then records whether Base was released meanwhile), Lone transient, Holder scoped
     * to Job with a lazy handle of Lone; the roots a lazy handle of Slow and the container.
     */
    const gated = (recorder: Recorder) =>
      Effect.gen(function*() {
        const started = yield* Deferred.make<void>()
        const gate = yield* Deferred.make<void>()
        const registry = Registry.make(
          Component.make(Base, { build: recorder.instance("Base") }).pipe(Lifetime.scoped(Job)),
          Component.make(Slow, {
            dependencies: [Base],
            build: Effect.gen(function*() {
              const base = yield* Base
              yield* Deferred.succeed(started, undefined)
              yield* Deferred.await(gate)
              if (!recorder.live.has(base.id)) recorder.events.push(`Slow built on a released ${base.id}`)
              return yield* recorder.instance("Slow")
            })
          }).pipe(Lifetime.scoped(Job)),
          Component.make(Lone, { build: recorder.instance("Lone") }).pipe(Lifetime.transient),
          Component.make(Holder, { dependencies: [Dependency.lazy(Lone)], build: Effect.map(Dependency.lazy(Lone), (lone) => ({ lone })) })
            .pipe(Lifetime.scoped(Job))
        )
        const layer = Registry.toLayer(registry, [Container.Container, Dependency.lazy(Slow)], { scopes: [Job] })
        return { started, gate, layer }
      })

    it.effect("a scope's close waits for the build of its instance in another fiber, then releases it before its dependencies; that build's caller fails with ScopeNotOpen", () =>
      Effect.gen(function*() {
        const recorder = makeRecorder()
        const { gate, layer, started } = yield* gated(recorder)
        const forced = yield* Effect.gen(function*() {
          // the effect forks a fiber that builds Slow, and returns while Slow's constructor runs
          const job = Effect.gen(function*() {
            const slow = yield* Dependency.lazy(Slow)
            const forcing = yield* Effect.fork(Effect.either(slow))
            yield* Deferred.await(started)
            return forcing
          }).pipe(Lifetime.within(Job, [Dependency.lazy(Slow)]))
          const closing = yield* Effect.fork(job)
          yield* Deferred.await(started)
          for (let step = 0; step < 10; step++) yield* Effect.yieldNow()
          // the close began: nothing is released under the constructor
          expect(recorder.events).toEqual(["build Base#1"])
          yield* Deferred.succeed(gate, undefined)
          const forcing = yield* Fiber.join(closing)
          return yield* Fiber.join(forcing)
        }).pipe(Effect.provide(layer))
        const closed = new Errors.ScopeNotOpen({ component: "Slow", scope: "Job", path: ["Slow"], closing: true })
        expect(forced).toEqual(Either.left(closed))
        expect(closed.message).toBe(
          "Slow: Slow was asked of a Job scope whose close began: nothing more is built or given there (a fiber that outlived its Lifetime.within, or its request, asked for it)"
        )
        expect(recorder.events).toEqual(["build Base#1", "build Slow#1", "release Slow#1", "release Base#1"])
      }))

    it.effect("a fiber of a scope that waited for another's build of its instance, resumed once the scope's close released it, fails with ScopeNotOpen and never gets the released instance", () =>
      Effect.gen(function*() {
        const recorder = makeRecorder()
        const registry = Registry.make(
          Component.make(Base, { build: Effect.zipRight(Effect.repeatN(Effect.yieldNow(), 3), recorder.instance("Base")) }).pipe(Lifetime.scoped(Job))
        )
        // two fibers of the scope ask for Base (the second waits for the first's build); the scope closes meanwhile
        const got = yield* Effect.gen(function*() {
          const asking = yield* Effect.forEach([1, 2], () =>
            Effect.fork(Effect.zipRight(
              Effect.repeatN(Effect.yieldNow(), 2),
              Effect.either(Effect.tap(Container.get(Base), (base) => recorder.use(base)))
            )))
          yield* Effect.repeatN(Effect.yieldNow(), 6)
          return asking
        }).pipe(Lifetime.within(Job, []), Effect.flatMap(Fiber.joinAll), Effect.provide(Registry.toLayer(registry, [Container.Container], { scopes: [Job] })))
        expect(recorder.usedAfterRelease).toEqual([])
        expect(got).toEqual([
          Either.right({ id: "Base#1" }),
          Either.left(new Errors.ScopeNotOpen({ component: "Base", scope: "Job", path: ["Base"], closing: true }))
        ])
        expect(recorder.events).toEqual(["build Base#1", "use Base#1", "release Base#1"])
      }))

    it.effect("an instance's lazy handle of a transient it already built, used by a fiber of the scope once the scope's close began, fails with ScopeNotOpen and never gives the released transient", () =>
      Effect.gen(function*() {
        const recorder = makeRecorder()
        const { gate, layer } = yield* gated(recorder)
        yield* Deferred.succeed(gate, undefined)
        const late = yield* Effect.gen(function*() {
          const go = yield* Deferred.make<void>()
          const fiber = yield* Effect.gen(function*() {
            const { lone } = yield* Holder
            yield* recorder.use(yield* lone)
            return yield* Effect.fork(Effect.zipRight(Deferred.await(go), Effect.either(lone)))
          }).pipe(Lifetime.within(Job, [Holder]))
          yield* Deferred.succeed(go, undefined)
          return yield* Fiber.join(fiber)
        }).pipe(Effect.provide(layer))
        expect(late).toEqual(Either.left(new Errors.ScopeNotOpen({ component: "Lone", scope: "Job", path: ["Holder", "Lone"], closing: true })))
        expect(recorder.events).toEqual(["build Lone#1", "use Lone#1", "release Lone#1"])
      }))

    it.effect("a build a fiber of a scope would start once the scope's close began fails with ScopeNotOpen and builds nothing: a scoped component's, a transient's the scope or its instance would own", () =>
      Effect.gen(function*() {
        const recorder = makeRecorder()
        const { gate, layer } = yield* gated(recorder)
        yield* Deferred.succeed(gate, undefined)
        const [slow, lone, held] = yield* Effect.gen(function*() {
          const go = yield* Deferred.make<void>()
          // a fiber of the scope (it inherits its open scopes) that outlives it
          const late = yield* Effect.gen(function*() {
            const slow = yield* Dependency.lazy(Slow)
            const { lone } = yield* Holder
            return yield* Effect.fork(
              Effect.zipRight(Deferred.await(go), Effect.all([Effect.either(slow), Effect.either(Container.get(Lone)), Effect.either(lone)]))
            )
          }).pipe(Lifetime.within(Job, [Dependency.lazy(Slow), Holder]))
          yield* Deferred.succeed(go, undefined)
          return yield* Fiber.join(late)
        }).pipe(Effect.provide(layer))
        expect(slow).toEqual(Either.left(new Errors.ScopeNotOpen({ component: "Slow", scope: "Job", path: ["Slow"], closing: true })))
        expect(lone).toEqual(Either.left(new Errors.ScopeNotOpen({ component: "Lone", scope: "Job", path: ["Lone"], closing: true })))
        expect(held).toEqual(Either.left(new Errors.ScopeNotOpen({ component: "Lone", scope: "Job", path: ["Holder", "Lone"], closing: true })))
        // nothing is built: neither Slow on a released Base nor Lone in Holder's released scope
        expect(recorder.events).toEqual([])
      }))
  })

  describe("closing a scope at random points", () => {
    /**
     * what a fiber forked in the scope does: a lookup of S_target, a lazy handle's of it, a lookup of the
     * transient T, or H's lazy handle of T (H scoped to Job: the transient is its instance's)
     */
    interface Op {
      readonly kind: "get" | "lazy" | "transient" | "held"
      readonly target: number
      readonly before: number
      readonly after: number
    }
    interface Scenario {
      /** S0..Sn-1 scoped to Job: each on some earlier ones */
      readonly graph: ReadonlyArray<ReadonlyArray<number>>
      /** per S: it needs the singleton G, the transient T */
      readonly onG: ReadonlyArray<boolean>
      readonly onT: ReadonlyArray<boolean>
      /** per S, and for T and G: how many times its constructor yields once given its dependencies */
      readonly yields: ReadonlyArray<number>
      readonly ops: ReadonlyArray<Op>
      /** how many times the scope's effect yields, once its fibers are forked, before it returns (the scope closes) */
      readonly closeAfter: number
    }

    const scenario: FastCheck.Arbitrary<Scenario> = FastCheck.integer({ min: 1, max: 4 }).chain((size) =>
      FastCheck.record({
        graph: FastCheck.tuple(...Array.from({ length: size }, (_, index) => FastCheck.subarray(Array.from({ length: index }, (_, earlier) => earlier)))),
        onG: FastCheck.array(FastCheck.boolean(), { minLength: size, maxLength: size }),
        onT: FastCheck.array(FastCheck.boolean(), { minLength: size, maxLength: size }),
        yields: FastCheck.array(FastCheck.nat({ max: 3 }), { minLength: size + 2, maxLength: size + 2 }),
        ops: FastCheck.array(
          FastCheck.record({
            kind: FastCheck.constantFrom<Op["kind"]>("get", "lazy", "transient", "held"),
            target: FastCheck.nat({ max: size - 1 }),
            before: FastCheck.nat({ max: 6 }),
            after: FastCheck.nat({ max: 3 })
          }),
          { minLength: 1, maxLength: 5 }
        ),
        closeAfter: FastCheck.nat({ max: 12 })
      })
    )

    interface Made {
      readonly id: string
      readonly deps: ReadonlyArray<string>
    }

    it.effect.prop(
      "a Lifetime.within scope closing while fibers forked in it look up its instances, force lazy handles and build transients: every instance is released once, after its dependents, none given out released, none built once the close ended, every late request a ScopeNotOpen (closing)",
      [scenario],
      ([{ closeAfter, graph, onG, onT, ops, yields }]) =>
        Effect.gen(function*() {
          const size = graph.length
          const problems: Array<string> = []
          const live = new Map<string, Made>()
          const events: Array<string> = []
          const counts = new Map<string, number>()
          const tags = graph.map((_, id) => Context.GenericTag<Made>(`S${id}`))
          const G = Context.GenericTag<Made>("G")
          const T = Context.GenericTag<Made>("T")
          const H = Context.GenericTag<{ readonly t: Effect.Effect<Made, Errors.HandleError> }>("H")
          /** a constructor of `name` given its dependencies' instances: yields, checks them alive, then makes one, released with its Scope */
          const made = (name: string, dependencies: ReadonlyArray<Context.Tag<Made, Made>>, times: number) =>
            Effect.gen(function*() {
              const got = yield* Effect.forEach(dependencies, (tag) => tag)
              yield* Effect.repeatN(Effect.yieldNow(), times)
              for (const dependency of got) if (!live.has(dependency.id)) problems.push(`${name} built on a released ${dependency.id}`)
              return yield* Effect.acquireRelease(
                Effect.sync(() => {
                  const n = (counts.get(name) ?? 0) + 1
                  counts.set(name, n)
                  const instance = { id: `${name}#${n}`, deps: got.map((dependency) => dependency.id) }
                  live.set(instance.id, instance)
                  events.push(`build ${instance.id}`)
                  return instance
                }),
                (instance) =>
                  Effect.sync(() => {
                    if (!live.has(instance.id)) problems.push(`${instance.id} released twice`)
                    for (const other of live.values()) if (other.deps.includes(instance.id)) problems.push(`${instance.id} released before its dependent ${other.id}`)
                    live.delete(instance.id)
                    events.push(`release ${instance.id}`)
                  })
              )
            })
          const components = graph.map((earlier, id) => {
            const dependencies = [...earlier.map((other) => tags[other]!), ...(onG[id] ? [G] : []), ...(onT[id] ? [T] : [])]
            return Component.make(tags[id]!, { dependencies, build: made(`S${id}`, dependencies, yields[id]!) } as never).pipe(Lifetime.scoped(Job))
          })
          const registry = Registry.make(
            ...components,
            Component.make(G, { build: made("G", [], yields[size]!) } as never),
            Component.make(T, { build: made("T", [], yields[size + 1]!) } as never).pipe(Lifetime.transient),
            Component.make(H, { dependencies: [Dependency.lazy(T)], build: Effect.map(Dependency.lazy(T), (t) => ({ t })) }).pipe(Lifetime.scoped(Job))
          )
          const handles = tags.map((tag) => Dependency.lazy(tag))
          const layer = Registry.toLayer(registry, [Container.Container, ...handles], { scopes: [Job] })
          yield* Effect.gen(function*() {
            const fibers = yield* Effect.gen(function*() {
              const lazy = yield* Effect.forEach(handles, (handle) => handle)
              const forked = yield* Effect.forEach(ops, ({ after, before, kind, target }) =>
                Effect.fork(Effect.gen(function*() {
                  yield* Effect.repeatN(Effect.yieldNow(), before)
                  const request: Effect.Effect<Made, Errors.LookupError | Errors.HandleError, Container.Container> = kind === "get"
                    ? Container.get(tags[target]!)
                    : kind === "lazy"
                    ? lazy[target]!
                    : kind === "held"
                    ? Effect.flatMap(Container.get(H), (held) => held.t)
                    : Container.get(T)
                  const got = yield* Effect.either(request)
                  if (Either.isLeft(got)) {
                    const error = got.left
                    if (!(error._tag === "ScopeNotOpen" && error.closing === true)) problems.push(`a ${kind} of S${target} failed with ${error._tag}: ${error.message}`)
                    return
                  }
                  if (!live.has(got.right.id)) problems.push(`a ${kind} of S${target} got the released ${got.right.id}`)
                  yield* Effect.repeatN(Effect.yieldNow(), after)
                })))
              yield* Effect.repeatN(Effect.yieldNow(), closeAfter)
              return forked
            }).pipe(Lifetime.within(Job, handles))
            const closedAt = events.length
            yield* Fiber.joinAll(fibers)
            // nothing of the scope built once its close ended (G, a singleton, may be)
            for (const event of events.slice(closedAt)) if (event.startsWith("build ") && !event.startsWith("build G")) problems.push(`${event} after the scope closed`)
          }).pipe(Effect.provide(layer))
          for (const id of live.keys()) problems.push(`${id} never released`)
          expect(problems).toEqual([])
        }),
      { fastCheck: { numRuns: 400, seed: 20261207 } }
    )
  })

  describe("with App", () => {
    /** A maker of Fresh instances through a factory handle. */
    class Maker extends Context.Tag("Maker")<Maker, { readonly make: Effect.Effect<Instance, Errors.HandleError, Scope.Scope> }>() {}

    /** Shared, Fresh (transient, dependent of Shared), User (Request, needs Fresh; built in 1s, released in 2s), Maker (a factory of Fresh). */
    const instancesRegistry = (recorder: Recorder) =>
      Registry.make(
        Component.make(Shared, { build: recorder.instance("Shared") }),
        Component.make(Fresh, { dependencies: [Shared], build: recorder.instance("Fresh") }).pipe(Lifetime.transient),
        Component.make(User, {
          dependencies: [Fresh],
          build: Effect.zipRight(
            Effect.acquireRelease(Effect.sleep("1 second"), () => Effect.sleep("2 seconds")),
            recorder.instance("User")
          )
        }).pipe(Lifetime.scoped(Request)),
        Component.make(Maker, { dependencies: [Dependency.factory(Fresh)], build: Effect.map(Dependency.factory(Fresh), (make) => ({ make })) })
      )

    const compactInstance = (event: App.Event): ReadonlyArray<string> =>
      event._tag === "InstanceBuilt" || event._tag === "InstanceReleased"
        ? [
          `${event._tag} ${event.component} ${event.kind}${event.scope === undefined ? "" : `(${event.scope})`} ${event.outcome} ${event.duration}ms${
            event.error === undefined ? "" : ` (${event.error})`
          }`
        ]
        : []

    it.effect("instances no phase records publish InstanceBuilt and InstanceReleased: a transient per lookup and per requester, a scoped instance per open scope, a factory's per call", () =>
      Effect.gen(function*() {
        const recorder = makeRecorder()
        const app = App.make(instancesRegistry(recorder), { roots: [Container.Container, Maker], scopes: [Request] })
        const fiber = yield* Effect.fork(Effect.scoped(Effect.gen(function*() {
          const events = yield* App.subscribe(app)
          const running = yield* App.start(app)
          const run = <A, E>(effect: Effect.Effect<A, E, Container.Container | Maker>) => Effect.provide(effect, running.context)
          yield* run(Effect.flatMap(Container.get(Fresh), recorder.use))
          const request = run(Effect.flatMap(User, recorder.use).pipe(Lifetime.within(Request, [User])))
          yield* request
          yield* request
          yield* run(Effect.scoped(Effect.flatMap(Effect.flatMap(Maker, (maker) => maker.make), recorder.use)))
          recorder.events.push("stopping")
          yield* App.stop(running)
          return Chunk.toReadonlyArray(yield* Queue.takeAll(events)).flatMap(compactInstance)
        })))
        yield* TestClock.adjust("1 minute")
        const published = yield* Fiber.join(fiber)
        expect(published).toEqual([
          // Maker's factory handle builds nothing at startup; a lookup's transient lives with the container
          "InstanceBuilt Fresh transient success 0ms",
          // each Request scope: its User and the transient it requests, released when the scope closes
          "InstanceBuilt Fresh transient success 0ms",
          "InstanceBuilt User scoped(Request) success 1000ms",
          "InstanceReleased User scoped(Request) success 2000ms",
          "InstanceReleased Fresh transient success 0ms",
          "InstanceBuilt Fresh transient success 0ms",
          "InstanceBuilt User scoped(Request) success 1000ms",
          "InstanceReleased User scoped(Request) success 2000ms",
          "InstanceReleased Fresh transient success 0ms",
          // a factory's instance, released when the caller's Scope closes
          "InstanceBuilt Fresh factory success 0ms",
          "InstanceReleased Fresh factory success 0ms",
          // the lookup's transient, with the application
          "InstanceReleased Fresh transient success 0ms"
        ])
        expect(recorder.events.filter((event) => !event.startsWith("use "))).toEqual([
          "build Shared#1",
          "build Fresh#1",
          "build Fresh#2",
          "build User#1",
          "release User#1",
          "release Fresh#2",
          "build Fresh#3",
          "build User#2",
          "release User#2",
          "release Fresh#3",
          "build Fresh#4",
          "release Fresh#4",
          "stopping",
          "release Fresh#1",
          "release Shared#1"
        ])
      }))

    it.effect("an instance event names the child container that built the instance; the application's own are []", () =>
      Effect.gen(function*() {
        const recorder = makeRecorder()
        const app = App.make(instancesRegistry(recorder), { roots: [Container.Container], scopes: [Request] })
        const events = yield* Effect.scoped(Effect.gen(function*() {
          const subscribed = yield* App.subscribe(app)
          const running = yield* App.start(app)
          yield* Effect.provide(Container.get(Fresh), running.context)
          const tenant = yield* Container.child("tenant-a", [Component.make(Shared, { build: recorder.instance("TenantShared") })]).pipe(
            Effect.provide(running.context)
          )
          yield* Container.getFrom(tenant, Fresh)
          yield* App.stop(running)
          return Chunk.toReadonlyArray(yield* Queue.takeAll(subscribed)).flatMap((event) =>
            event._tag === "InstanceBuilt" ? [`${event.component} ${event.kind} [${event.container.join("/")}]`] : []
          )
        }))
        expect(events).toEqual([
          "Fresh transient []",
          // the child's own Shared (a lookup's singleton), then the transient that needs it, both the child's
          "Shared (override) singleton [tenant-a]",
          "Fresh transient [tenant-a]"
        ])
      }))

    it.effect("a failed instance build and a failed instance release publish their errors; a lookup's own singleton has events, the application's singletons phases", () =>
      Effect.gen(function*() {
        let builds = 0
        class Broken extends Context.Tag("Broken")<Broken, string>() {}
        const registry = Registry.make(
          Component.make(Broken, {
            build: Effect.suspend(() =>
              ++builds === 1
                ? Effect.fail("not yet")
                : Effect.as(Effect.acquireRelease(Effect.void, () => Effect.die(new Error("socket closed"))), "broken")
            )
          }).pipe(Lifetime.transient),
          Component.succeed(Config, "config")
        )
        const app = App.make(registry, { roots: [Container.Container] })
        const { published, stopped } = yield* Effect.scoped(Effect.gen(function*() {
          const events = yield* App.subscribe(app)
          const running = yield* App.start(app)
          const lookups = Effect.all([Effect.exit(Container.get(Broken)), Container.get(Broken), Container.get(Config)])
          yield* Effect.provide(lookups, running.context)
          const stopped = yield* Effect.flip(App.stop(running))
          return { stopped, published: Chunk.toReadonlyArray(yield* Queue.takeAll(events)).flatMap(compactInstance) }
        }))
        expect(stopped._tag === "ApplicationFailed" && stopped.errors.map((error) => error.message)).toEqual([
          "Broken: releasing Broken failed: Error: socket closed"
        ])
        expect(published).toEqual([
          "InstanceBuilt Broken transient failure 0ms (Broken: constructor of Broken failed: not yet)",
          "InstanceBuilt Broken transient success 0ms",
          "InstanceBuilt Config singleton success 0ms",
          "InstanceReleased Config singleton success 0ms",
          "InstanceReleased Broken transient failure 0ms (Broken: releasing Broken failed: Error: socket closed)"
        ])
      }))

    it.effect("instances are watched only while someone listens: one built before anyone subscribed has no events, not even its release", () =>
      Effect.gen(function*() {
        const recorder = makeRecorder()
        const app = App.make(instancesRegistry(recorder), { roots: [Container.Container, Maker], scopes: [Request] })
        const fiber = yield* Effect.fork(Effect.scoped(Effect.gen(function*() {
          const running = yield* App.start(app)
          const make = Effect.provide(Effect.flatMap(Maker, (maker) => maker.make), running.context)
          const unheard = yield* Scope.make()
          yield* Scope.extend(make, unheard)
          const events = yield* App.subscribe(app)
          yield* Effect.scoped(make)
          yield* Scope.close(unheard, Exit.void)
          yield* App.stop(running)
          return Chunk.toReadonlyArray(yield* Queue.takeAll(events)).flatMap(compactInstance)
        })))
        yield* TestClock.adjust("1 minute")
        expect(yield* Fiber.join(fiber)).toEqual(["InstanceBuilt Fresh factory success 0ms", "InstanceReleased Fresh factory success 0ms"])
        expect(recorder.builds("Fresh")).toBe(2)
      }))

    it.effect("a singleton built on first use is in the report with its build phase, when it happened; a failed first use leaves it pending, and the next one builds it", () =>
      Effect.gen(function*() {
        let attempts = 0
        const registry = Registry.make(
          Component.make(Config, {
            build: Effect.flatMap(Effect.sleep("2 seconds"), () => (++attempts === 1 ? Effect.fail("not yet") : Effect.succeed("config")))
          }),
          Component.make(Reader, { dependencies: [Dependency.lazy(Config)], build: Effect.map(Dependency.lazy(Config), Effect.orDie) })
        )
        const fiber = yield* Effect.fork(Effect.scoped(Effect.gen(function*() {
          const running = yield* App.start(App.make(registry, { roots: [Reader] }))
          const use = Effect.flatMap(Effect.provide(Reader, running.context), Effect.exit)
          yield* Effect.sleep("1 second")
          const first = yield* use
          const between = (yield* App.report(running)).components.find((component) => component.name === "Config")!
          const second = yield* use
          const report = yield* App.stop(running)
          return { first, between, second, report }
        })))
        yield* TestClock.adjust("10 seconds")
        const { between, first, report, second } = yield* Fiber.join(fiber)
        expect(Exit.isFailure(first)).toBe(true)
        expect(second).toEqual(Exit.succeed("config"))
        expect(between.state).toBe("pending")
        expect(between.phases.map((phase) => `${phase.phase}:${phase.outcome}`)).toEqual(["build:failure"])
        const config = report.components.find((component) => component.name === "Config")!
        expect(config.phases.map((phase) => `${phase.phase}:${phase.outcome} at ${phase.at} for ${phase.duration}`)).toEqual([
          "build:success at 3000 for 2000",
          `release:success at ${config.phases[1]!.at} for 0`
        ])
      }))

    it.effect("a hook that declares a handle or a transient gets what its component's constructor got: the handle, the same instance", () =>
      Effect.gen(function*() {
        const recorder = makeRecorder()
        const registry = Registry.make(
          Component.make(Shared, { build: recorder.instance("Shared") }),
          Component.make(Fresh, { build: recorder.instance("Fresh") }).pipe(Lifetime.transient),
          Component.make(Api, {
            dependencies: [Dependency.lazy(Shared), Fresh],
            build: Effect.map(Fresh, (fresh) => `api with ${fresh.id}`)
          }).pipe(
            Lifecycle.onStart(
              () =>
                Effect.gen(function*() {
                  const fresh = yield* Fresh
                  recorder.events.push(`start with ${fresh.id}`)
                  // the handle, not the service: using it builds Shared now
                  const shared = yield* yield* Dependency.lazy(Shared)
                  recorder.events.push(`start used ${shared.id}`)
                }),
              { dependencies: [Fresh, Dependency.lazy(Shared)] }
            )
          ),
          Component.succeed(Stamp, "stamp").pipe(
            Lifecycle.onStart(
              () => Effect.flatMap(Dependency.reloadable(Shared), (handle) => Effect.zipRight(handle.reload, Effect.sync(() => recorder.events.push("reloaded")))),
              { dependencies: [Dependency.reloadable(Shared)] }
            )
          )
        )
        const report = yield* Effect.scoped(Effect.flatMap(App.start(App.make(registry, { roots: [Api, Stamp] })), App.stop))
        expect(report.success).toBe(true)
        // one Fresh: the start hook got the constructor's; the handles are handles (Shared built at
        // startup as a reloadable's target, then reloaded by Stamp's hook)
        expect(recorder.events).toEqual([
          "build Shared#1",
          "build Fresh#1",
          "start with Fresh#1",
          "start used Shared#1",
          "build Shared#2",
          "release Shared#1",
          "reloaded",
          "release Fresh#1",
          "release Shared#2"
        ])
      }))

    it.effect("instances run their initializers and disposers; transients and scoped instances are never started, stopped or health-checked", () =>
      Effect.gen(function*() {
        const recorder = makeRecorder()
        const registry = Registry.make(
          Component.make(Shared, { build: recorder.instance("Shared") }).pipe(
            Lifecycle.onStart(() => Effect.sync(() => recorder.events.push("start Shared"))),
            Lifecycle.onStop(() => Effect.sync(() => recorder.events.push("stop Shared"))),
            Lifecycle.healthCheck(() => Effect.sync(() => recorder.events.push("check Shared")))
          ),
          Component.make(Fresh, { dependencies: [Shared], build: recorder.instance("Fresh") }).pipe(
            Lifetime.transient,
            Lifecycle.initializer((instance) => Effect.sync(() => recorder.events.push(`initialize ${instance.id}`))),
            Lifecycle.disposer((instance) => Effect.sync(() => recorder.events.push(`dispose ${instance.id}`)))
          ),
          Component.make(User, { dependencies: [Fresh], build: recorder.instance("User") }).pipe(
            Lifetime.scoped(Request),
            Lifecycle.initializer((instance) => Effect.sync(() => recorder.events.push(`initialize ${instance.id}`))),
            Lifecycle.disposer((instance) => Effect.sync(() => recorder.events.push(`dispose ${instance.id}`)))
          )
        )
        const app = App.make(registry, { roots: [Container.Container], scopes: [Request] })
        yield* Effect.scoped(Effect.gen(function*() {
          const running = yield* App.start(app)
          recorder.events.push("started")
          yield* Effect.flatMap(User, recorder.use).pipe(Lifetime.within(Request, [User]), Effect.provide(running.context))
          yield* App.stop(running)
        }))
        expect(recorder.events).toEqual([
          "build Shared#1",
          "start Shared",
          "started",
          "build Fresh#1",
          "initialize Fresh#1",
          "build User#1",
          "initialize User#1",
          "use User#1",
          "dispose User#1",
          "release User#1",
          "dispose Fresh#1",
          "release Fresh#1",
          "stop Shared",
          "release Shared#1"
        ])
      }))

    it.effect("a transient root's instance whose disposer fails at the application's stop fails the run, under its component", () =>
      Effect.gen(function*() {
        const recorder = makeRecorder()
        const registry = Registry.make(
          Component.make(Fresh, { build: recorder.instance("Fresh") }).pipe(
            Lifetime.transient,
            Lifecycle.disposer((instance) => Effect.fail(`${instance.id} not flushed`))
          )
        )
        const failed = (yield* Effect.flip(Effect.scoped(Effect.flatMap(App.start(App.make(registry, { roots: [Fresh] })), App.stop)))) as Errors.ApplicationFailed
        const disposer = new Errors.HookFailed({ component: "Fresh", path: ["Fresh"], phase: "dispose", hook: "disposer", cause: "Fresh#1 not flushed" })
        expect(failed.errors).toEqual([new Errors.ReleaseError({ component: "Fresh", path: ["Fresh"], cause: disposer })])
        expect(failed.errors[0]!.message).toBe("Fresh: releasing Fresh failed: HookFailed: Fresh: disposer of Fresh failed: Fresh#1 not flushed")
        expect(recorder.events).toEqual(["build Fresh#1", "release Fresh#1"])
      }))
  })
})

// ---------------------------------------------------------------------------------------------
// property: random graphs of lifetimes and handles, interrupted or failing at random points

type Kind = "plain" | "lazy" | "factory"
type Life = "singleton" | "transient" | "scoped"
interface Spec {
  readonly lifetimes: ReadonlyArray<Life>
  /** per node, its requests of earlier nodes */
  readonly edges: ReadonlyArray<ReadonlyArray<readonly [number, Kind]>>
  /** a constructor that fails: the node and at which of its builds (1-based) */
  readonly failing: readonly [number, number] | undefined
  /** interrupt the program after this many yields (undefined: let it end) */
  readonly interruptAfter: number | undefined
}

const specArbitrary: FastCheck.Arbitrary<Spec> = FastCheck.integer({ min: 2, max: 6 }).chain((size) =>
  FastCheck.record({
    lifetimes: FastCheck.array(FastCheck.constantFrom<Life>("singleton", "transient", "scoped"), { minLength: size, maxLength: size }),
    edges: FastCheck.tuple(
      ...Array.from({ length: size }, (_, id) =>
        FastCheck.uniqueArray(FastCheck.tuple(FastCheck.nat({ max: Math.max(0, id - 1) }), FastCheck.constantFrom<Kind>("plain", "lazy", "factory")), {
          maxLength: id === 0 ? 0 : 3,
          selector: ([target]) => target
        }))
    ),
    failing: FastCheck.option(FastCheck.tuple(FastCheck.nat({ max: size - 1 }), FastCheck.integer({ min: 1, max: 3 })), { nil: undefined }),
    interruptAfter: FastCheck.option(FastCheck.nat({ max: 60 }), { nil: undefined })
  })
)

interface Node {
  readonly id: string
  /** uses the instance and, through its requests, its dependencies */
  readonly touch: Effect.Effect<void, Errors.HandleError | string>
}

/**
 * Runs a random graph: every instance built is released exactly once and never used after its
 * release. `underApp`: as an App's, with a subscriber: every instance build published as a success is
 * followed by exactly one release of it.
 */
const runSpec = (spec: Spec, underApp = false) =>
  Effect.gen(function*() {
    const recorder = makeRecorder()
    const size = spec.lifetimes.length
    const tags = Array.from({ length: size }, (_, id) => Context.GenericTag<Node>(`P${id}`))
    // a request that would make a singleton capture a scoped instance (plainly, through transients,
    // or through a lazy handle of a transient, which keeps its instance) becomes a lazy one, or a
    // factory for a transient: the resolver rejects those, which the resolution tests cover.
    // Requests are of earlier nodes: one pass in order.
    const reachesScoped: Array<boolean> = []
    const edges: Array<ReadonlyArray<readonly [number, Kind]>> = []
    spec.edges.forEach((requests, id) => {
      const life = spec.lifetimes[id]!
      const own = requests.map(([target, kind]): readonly [number, Kind] =>
        life === "singleton" && reachesScoped[target] && (kind === "plain" || kind === "lazy")
          ? [target, spec.lifetimes[target] === "transient" ? "factory" : "lazy"]
          : [target, kind]
      )
      edges.push(own)
      reachesScoped[id] = life === "scoped" ||
        (life === "transient" &&
          own.some(([target, kind]) => reachesScoped[target]! && (kind === "plain" || (kind === "lazy" && spec.lifetimes[target] === "transient"))))
    })
    const requestOf = (target: number, kind: Kind): Dependency.Any =>
      kind === "plain" ? tags[target]! : kind === "lazy" ? Dependency.lazy(tags[target]!) : Dependency.factory(tags[target]!)
    const components = tags.map((tag, id) => {
      const dependencies = edges[id]!.map(([target, kind]) => requestOf(target, kind))
      const build = Effect.gen(function*() {
        yield* Effect.yieldNow()
        const own = yield* recorder.instance(`P${id}`)
        if (spec.failing !== undefined && spec.failing[0] === id && recorder.builds(`P${id}`) === spec.failing[1]) {
          return yield* Effect.fail(`P${id} failed`)
        }
        const touches: Array<Effect.Effect<void, Errors.HandleError | string>> = []
        const plain: Array<Node> = []
        for (const [index, [, kind]] of edges[id]!.entries()) {
          const value: unknown = yield* (dependencies[index]! as Context.Tag<unknown, unknown>)
          if (kind === "plain") plain.push(value as Node)
          touches.push(
            kind === "plain"
              ? (value as Node).touch
              : kind === "lazy"
              ? Effect.flatMap(value as Effect.Effect<Node, Errors.HandleError>, (node) => node.touch)
              : Effect.scoped(Effect.flatMap(value as Effect.Effect<Node, Errors.HandleError, Scope.Scope>, (node) => node.touch))
          )
        }
        // its plain dependencies are still there while it is released
        yield* Effect.addFinalizer(() => Effect.forEach(plain, recorder.use, { discard: true }))
        return { id: own.id, touch: Effect.zipRight(recorder.use(own), Effect.all(touches, { discard: true })) } satisfies Node
      }) as Effect.Effect<Node, string, Scope.Scope>
      const component = Component.make(tag, { dependencies, build })
      const life = spec.lifetimes[id]!
      return life === "singleton" ? component : life === "transient" ? Lifetime.transient(component) : Lifetime.scoped(component, Request)
    })
    const top = tags[size - 1]!
    const roots = spec.lifetimes[size - 1] === "scoped" ? [Container.Container] : [Container.Container, top]
    // every generated graph is valid: the run below tests the runtime, not the resolver
    const resolved = Resolver.resolve(Registry.make(...components), roots, { scopes: [Request] })
    if (Either.isLeft(resolved)) expect.fail(resolved.left.message)
    const layer = Registry.toLayer(Registry.make(...components), roots, { scopes: [Request] })
    const app = App.make(Registry.make(...components), { roots, scopes: [Request], startupLog: false })
    const published: Array<App.Event> = []
    const program = Effect.scoped(Effect.gen(function*() {
      if (underApp) {
        const events = yield* App.subscribe(app)
        yield* Effect.addFinalizer(() => Effect.map(Queue.takeAll(events), (taken) => void published.push(...taken)))
      }
      const context = underApp ? (yield* App.start(app)).context : yield* Layer.build(layer)
      yield* Effect.flatMap(top, (node) => node.touch).pipe(Lifetime.within(Request, [top]), Effect.provide(context as Context.Context<Container.Container>))
    }))
    const fiber = yield* Effect.fork(program)
    if (spec.interruptAfter !== undefined) {
      yield* Effect.repeatN(Effect.yieldNow(), spec.interruptAfter)
      yield* Fiber.interrupt(fiber)
    } else {
      yield* Fiber.await(fiber)
    }
    const built = recorder.events.filter((event) => event.startsWith("build ")).map((event) => event.slice(6))
    const released = recorder.events.filter((event) => event.startsWith("release ")).map((event) => event.slice(8))
    expect([...released].sort()).toEqual([...built].sort())
    expect(recorder.live).toEqual(new Set())
    expect(recorder.usedAfterRelease).toEqual([])
    const instances = (tag: string, outcome?: string) =>
      published.flatMap((event) =>
        event._tag === tag && "kind" in event && (outcome === undefined || event.outcome === outcome) ? [`${event.component} ${event.kind}`] : []
      ).sort()
    expect(instances("InstanceReleased")).toEqual(instances("InstanceBuilt", "success"))
    return built.length
  })

describe("Lifetime at run time, property", () => {
  it("in random graphs of lifetimes and handles, interrupted or failing at random points, every instance is released exactly once and never used after", () =>
    Effect.runPromise(Effect.gen(function*() {
      let released = 0
      yield* Effect.promise(() =>
        FastCheck.assert(
          FastCheck.asyncProperty(specArbitrary, (spec) => Effect.runPromise(Effect.map(runSpec(spec), (count) => void (released += count)))),
          { numRuns: 150, seed: 20261212 }
        )
      )
      // not vacuous: the graphs resolve, and build (and release) instances
      expect(released).toBeGreaterThan(150)
    })))

  it("the same graphs under App, with a subscriber: every instance released exactly once; each instance build published as a success is followed by one release", () =>
    Effect.runPromise(Effect.gen(function*() {
      let released = 0
      yield* Effect.promise(() =>
        FastCheck.assert(
          FastCheck.asyncProperty(specArbitrary, (spec) => Effect.runPromise(Effect.map(runSpec(spec, true), (count) => void (released += count)))),
          { numRuns: 150, seed: 20261212 }
        )
      )
      expect(released).toBeGreaterThan(150)
    })))
})
