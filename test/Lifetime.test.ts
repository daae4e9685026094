import { describe, expect, it } from "@effect/vitest"
import { Cause, Context, Deferred, Effect, Either, Exit, Fiber, Layer } from "effect"
import { App, Component, Container, Dependency, Errors, Explain, Lifecycle, Lifetime, Registry, Resolver } from "layerwise"
import { type Instance, makeRecorder, type Recorder } from "./helpers/recorder.js"

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

  it.effect("a scoped component used outside its scope is a ScopeNotOpen naming the component, the scope and the path", () =>
    Effect.gen(function*() {
      const recorder = makeRecorder()
      const error = yield* withContainer(recorder, Effect.flatMap(Finder, (finder) => Effect.flip(finder.user)))
      expect(error).toBeInstanceOf(Errors.ScopeNotOpen)
      expect(error).toMatchObject({ _tag: "ScopeNotOpen", component: "User", scope: "Request", path: ["Finder", "User"] })
      expect(error.message).toBe(
        "Finder -> User: User is scoped to Request, and no Request scope is open here (open one with Lifetime.within)"
      )
      // inside a Job scope alone (no Request open), the same
      const inJob = yield* withContainer(recorder, Effect.flatMap(Finder, (finder) => Effect.flip(finder.user)).pipe(Lifetime.within(Job, [])))
      expect(inJob).toMatchObject({ _tag: "ScopeNotOpen", component: "User", scope: "Request" })
      expect(recorder.builds("User")).toBe(0)
    }))

  describe("with App", () => {
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
  })
})
