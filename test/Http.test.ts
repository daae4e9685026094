/**
 * The request scope of an HTTP server, against a real server on loopback (NodeHttpServer on port 0)
 * and Node's fetch: builds and releases per request with a recorder, concurrent clients, failures,
 * a client that goes away, a streamed body, and the validation at startup.
 */
import { HttpApi, HttpApiBuilder, HttpApiEndpoint, HttpApiGroup, type HttpApp, HttpMiddleware, HttpRouter, HttpServer, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Cause, Context, Data, Deferred, Effect, FastCheck as fc, Layer, Logger, Ref, Schema, type Scope, Stream } from "effect"
import { App, Component, Container, Errors, Lifecycle, Lifetime, Registry, Resolver } from "layerwise"
import * as Http from "layerwise/Http"
import { createServer } from "node:http"

/** What the server did, in order; `until` waits (without a timer) for an event to be recorded. */
class Recorder {
  readonly events: Array<string> = []
  private readonly waiting: Array<{ readonly event: string; readonly resolve: () => void }> = []

  record(event: string): Effect.Effect<void> {
    return Effect.sync(() => {
      this.events.push(event)
      for (const waiter of this.waiting.filter((waiter) => waiter.event === event)) waiter.resolve()
    })
  }

  waitFor(event: string): Promise<void> {
    return this.events.includes(event) ? Promise.resolve() : new Promise<void>((resolve) => this.waiting.push({ event, resolve }))
  }

  until(event: string): Effect.Effect<void> {
    return Effect.promise(() => this.waitFor(event))
  }

  /** the events of one user's request, in order */
  of(user: string): Array<string> {
    return this.events.filter((event) => event.endsWith(`:${user}`))
  }
}

class CurrentUser extends Context.Tag("CurrentUser")<CurrentUser, { readonly name: string; readonly instance: number }>() {}
class Tx extends Context.Tag("Tx")<Tx, { readonly user: string; readonly isOpen: () => boolean }>() {}
class Unauthorized extends Data.TaggedError("Unauthorized")<{}> {}
class Boom extends Data.TaggedError("Boom")<{}> {}

/**
 * The current user, from the request's `x-user` header (a request without one is Unauthorized), and
 * a transaction of that user: both request-scoped, each recording its build and release.
 */
const registryOf = (recorder: Recorder) => {
  let instances = 0
  return Registry.make(
    Component.make(CurrentUser, {
      dependencies: [HttpServerRequest.HttpServerRequest],
      build: Effect.gen(function*() {
        const name = (yield* HttpServerRequest.HttpServerRequest).headers["x-user"]
        if (name === undefined) return yield* new Unauthorized()
        yield* recorder.record(`build user:${name}`)
        yield* Effect.addFinalizer(() => recorder.record(`release user:${name}`))
        return { name, instance: ++instances }
      })
    }).pipe(Lifetime.scoped(Http.Request)),
    Component.make(Tx, {
      dependencies: [CurrentUser],
      build: Effect.gen(function*() {
        const user = yield* CurrentUser
        let open = true
        yield* recorder.record(`begin tx:${user.name}`)
        yield* Effect.addFinalizer(() => Effect.zipRight(Effect.sync(() => (open = false)), recorder.record(`end tx:${user.name}`)))
        return { user: user.name, isOpen: () => open }
      })
    }).pipe(Lifetime.scoped(Http.Request))
  )
}

/** Serves `served` on a free loopback port with the registry's container; gives its address. */
const listen = <E>(
  served: Layer.Layer<never, E, HttpServer.HttpServer | HttpRouter.HttpRouter.DefaultServices | Container.Container>,
  registry: Registry.Registry
) =>
  Effect.gen(function*() {
    const context = yield* Layer.build(
      served.pipe(
        Layer.provideMerge(NodeHttpServer.layer(() => createServer(), { port: 0, host: "127.0.0.1" })),
        Layer.provide(Registry.toLayer(registry, [Container.Container], { scopes: [Http.Request] }))
      )
    )
    const address = Context.get(context, HttpServer.HttpServer).address
    return `http://127.0.0.1:${address._tag === "TcpAddress" ? address.port : 0}`
  })

/** Serves the app made with the request scope's middleware (checked when the server's Layer is built). */
const serve = <E>(
  app: Effect.Effect<HttpApp.Default<E, HttpServerRequest.HttpServerRequest | Scope.Scope>, Errors.NotInScope, Container.Container>,
  registry: Registry.Registry
) => listen(Layer.unwrapEffect(Effect.map(app, (scoped) => HttpServer.serve(scoped))), registry)

const get = (url: string, user?: string, init: RequestInit = {}) =>
  Effect.promise(async () => {
    const response = await fetch(url, { ...init, headers: user === undefined ? {} : { "x-user": user } })
    return { status: response.status, body: await response.text() }
  })

/** The events of a request of `user` that ran `handler` events between its builds and its releases. */
const lifeOf = (user: string, ...handler: ReadonlyArray<string>) => [
  `build user:${user}`,
  `begin tx:${user}`,
  ...handler.map((event) => `${event}:${user}`),
  `end tx:${user}`,
  `release user:${user}`
]

describe("Http.requestScope", () => {
  it.live("builds the request-scoped services once per request, shared by a middleware and the handler, and releases them, last built first, after the response", () => {
    const recorder = new Recorder()
    const remember = HttpMiddleware.make((app) =>
      Effect.flatMap(CurrentUser, (user) => Effect.zipRight(recorder.record(`middleware #${user.instance}:${user.name}`), app))
    )
    const app = Effect.map(Http.requestScope(Http.Request, [CurrentUser, Tx]), (scoped) =>
      HttpRouter.empty.pipe(
        HttpRouter.get(
          "/me",
          Effect.gen(function*() {
            const user = yield* CurrentUser
            const tx = yield* Tx
            yield* recorder.record(`handler #${user.instance}:${user.name}`)
            return yield* HttpServerResponse.text(`${user.name} #${user.instance}, tx of ${tx.user}`)
          })
        ),
        remember,
        scoped
      ))
    return Effect.scoped(Effect.gen(function*() {
      const url = yield* serve(app, registryOf(recorder))
      expect(yield* get(`${url}/me`, "ada")).toEqual({ status: 200, body: "ada #1, tx of ada" })
      yield* recorder.until("release user:ada")
      expect(yield* get(`${url}/me`, "bob")).toEqual({ status: 200, body: "bob #2, tx of bob" })
      yield* recorder.until("release user:bob")
      expect(recorder.events).toEqual([...lifeOf("ada", "middleware #1", "handler #1"), ...lifeOf("bob", "middleware #2", "handler #2")])
    }))
  })

  it.live("concurrent requests never share an instance: each client sees its own user and transaction, built and released once", () => {
    const recorder = new Recorder()
    const users = ["u1", "u2", "u3", "u4", "u5", "u6", "u7", "u8"]
    return Effect.scoped(Effect.gen(function*() {
      // every handler waits until all of them are in: the requests' scopes are open at once
      const arrived = yield* Ref.make(0)
      const allIn = yield* Deferred.make<void>()
      const app = Effect.map(Http.requestScope(Http.Request, [CurrentUser, Tx]), (scoped) =>
        HttpRouter.empty.pipe(
          HttpRouter.get(
            "/together",
            Effect.gen(function*() {
              const user = yield* CurrentUser
              const tx = yield* Tx
              yield* recorder.record(`in:${user.name}`)
              if ((yield* Ref.updateAndGet(arrived, (count) => count + 1)) === users.length) yield* Deferred.succeed(allIn, undefined)
              yield* Deferred.await(allIn)
              return yield* HttpServerResponse.text(`${user.name} #${user.instance}, tx of ${tx.user}`)
            })
          ),
          scoped
        ))
      const url = yield* serve(app, registryOf(recorder))
      const answers = yield* Effect.all(users.map((user) => get(`${url}/together`, user)), { concurrency: "unbounded" })
      yield* Effect.forEach(users, (user) => recorder.until(`release user:${user}`), { discard: true })
      expect(answers.map((answer) => answer.body.replace(/ #\d+/, ""))).toEqual(users.map((user) => `${user}, tx of ${user}`))
      expect(new Set(answers.map((answer) => /#(\d+)/.exec(answer.body)![1])).size).toBe(users.length)
      for (const user of users) expect(recorder.of(user)).toEqual(lifeOf(user, "in"))
      expect(recorder.events).toHaveLength(users.length * 5)
    }))
  })

  it.live("a handler that fails or dies is answered 500, and its request's instances are released once", () => {
    const recorder = new Recorder()
    const app = Effect.map(Http.requestScope(Http.Request, [Tx]), (scoped) =>
      HttpRouter.empty.pipe(
        HttpRouter.get("/fail", Effect.flatMap(Tx, (tx) => Effect.zipRight(recorder.record(`failing:${tx.user}`), new Boom()))),
        HttpRouter.get("/die", Effect.flatMap(Tx, (tx) => Effect.zipRight(recorder.record(`dying:${tx.user}`), Effect.dieMessage("boom")))),
        scoped
      ))
    return Effect.scoped(Effect.gen(function*() {
      const url = yield* serve(app, registryOf(recorder))
      expect((yield* get(`${url}/fail`, "fay")).status).toBe(500)
      expect((yield* get(`${url}/die`, "dan")).status).toBe(500)
      yield* recorder.until("release user:fay")
      yield* recorder.until("release user:dan")
      expect(recorder.of("fay")).toEqual(lifeOf("fay", "failing"))
      expect(recorder.of("dan")).toEqual(lifeOf("dan", "dying"))
      expect(recorder.events).toHaveLength(10)
    }))
  })

  it.live("the request's instances are released with how its handler ended: a unit of work commits a request that succeeded and rolls back one that failed or died, also when the failure was answered after the wrapper", () => {
    const recorder = new Recorder()
    class UnitOfWork extends Context.Tag("UnitOfWork")<UnitOfWork, { readonly user: string }>() {}
    const registry = registryOf(recorder).pipe(Registry.add(
      Component.make(UnitOfWork, {
        dependencies: [CurrentUser],
        build: Effect.flatMap(CurrentUser, (user) =>
          Effect.as(Effect.addFinalizer((exit) => recorder.record(`${exit._tag === "Success" ? "commit" : "rollback"}:${user.name}`)), { user: user.name }))
      }).pipe(Lifetime.scoped(Http.Request))
    ))
    const app = Effect.map(Http.requestScope(Http.Request, [UnitOfWork]), (scoped) =>
      HttpRouter.empty.pipe(
        HttpRouter.get("/ok", Effect.flatMap(UnitOfWork, (work) => HttpServerResponse.text(work.user)).pipe(scoped)),
        HttpRouter.get("/fail", Effect.flatMap(UnitOfWork, () => new Boom()).pipe(scoped)),
        HttpRouter.get("/die", Effect.flatMap(UnitOfWork, () => Effect.dieMessage("boom")).pipe(scoped)),
        // a failure answered after the wrapper (as HttpApi answers a handler's typed errors): the response succeeds, the handler failed
        HttpRouter.get("/answered", Effect.flatMap(UnitOfWork, () => new Boom()).pipe(scoped, Effect.catchTag("Boom", () => HttpServerResponse.text("sorry", { status: 409 }))))
      ))
    return Effect.scoped(Effect.gen(function*() {
      const url = yield* serve(app, registry)
      expect((yield* get(`${url}/answered`, "ann")).status).toBe(409)
      expect((yield* get(`${url}/ok`, "ada")).status).toBe(200)
      expect((yield* get(`${url}/fail`, "fay")).status).toBe(500)
      expect((yield* get(`${url}/die`, "dan")).status).toBe(500)
      for (const user of ["ann", "ada", "fay", "dan"]) yield* recorder.until(`release user:${user}`)
      expect([recorder.of("ann"), recorder.of("ada"), recorder.of("fay"), recorder.of("dan")]).toEqual([
        ["build user:ann", "rollback:ann", "release user:ann"],
        ["build user:ada", "commit:ada", "release user:ada"],
        ["build user:fay", "rollback:fay", "release user:fay"],
        ["build user:dan", "rollback:dan", "release user:dan"]
      ])
    }))
  })

  it.live("an alias of a request-scoped component is served by the request scope: the same instance as its target's, per request", () => {
    const recorder = new Recorder()
    class Principal extends Context.Tag("Principal")<Principal, { readonly name: string; readonly instance: number }>() {}
    const registry = registryOf(recorder).pipe(Registry.add(Component.alias(Principal, CurrentUser)))
    const app = Effect.map(Http.requestScope(Http.Request, [Principal, CurrentUser]), (scoped) =>
      HttpRouter.empty.pipe(
        HttpRouter.get(
          "/me",
          Effect.gen(function*() {
            const principal = yield* Principal
            const user = yield* CurrentUser
            return yield* HttpServerResponse.text(`${principal.name} #${principal.instance} is ${user.name} #${user.instance}`)
          })
        ),
        scoped
      ))
    return Effect.scoped(Effect.gen(function*() {
      const url = yield* serve(app, registry)
      expect(yield* get(`${url}/me`, "ada")).toEqual({ status: 200, body: "ada #1 is ada #1" })
      expect(yield* get(`${url}/me`, "bob")).toEqual({ status: 200, body: "bob #2 is bob #2" })
      yield* recorder.until("release user:bob")
      expect(recorder.of("ada")).toEqual(["build user:ada", "release user:ada"])
    }))
  })

  it.live("a client that goes away mid-request: the handler is interrupted and the request's instances are released, once", () => {
    const recorder = new Recorder()
    const app = Effect.map(Http.requestScope(Http.Request, [Tx]), (scoped) =>
      HttpRouter.empty.pipe(
        HttpRouter.get(
          "/hang",
          Effect.flatMap(Tx, (tx) =>
            Effect.zipRight(recorder.record(`waiting:${tx.user}`), Effect.never).pipe(
              Effect.onInterrupt(() => recorder.record(`interrupted:${tx.user}`))
            ))
        ),
        scoped
      ))
    return Effect.scoped(Effect.gen(function*() {
      const url = yield* serve(app, registryOf(recorder))
      const client = new AbortController()
      const request = fetch(`${url}/hang`, { headers: { "x-user": "cy" }, signal: client.signal }).then(() => "answered", (error) => error.name)
      yield* recorder.until("waiting:cy")
      client.abort()
      expect(yield* Effect.promise(() => request)).toBe("AbortError")
      yield* recorder.until("release user:cy")
      expect(recorder.events).toEqual(lifeOf("cy", "waiting", "interrupted"))
    }))
  })

  it.live("property: however concurrent requests end (answered, failed, died, streamed, abandoned by their client), each one's instances are built once and released once, dependents first", () => {
    const recorder = new Recorder()
    const app = Effect.map(Http.requestScope(Http.Request, [Tx]), (scoped) =>
      HttpRouter.empty.pipe(
        HttpRouter.get("/ok", Effect.flatMap(Tx, (tx) => HttpServerResponse.text(tx.user))),
        HttpRouter.get("/fail", Effect.flatMap(Tx, () => new Boom())),
        HttpRouter.get("/die", Effect.flatMap(Tx, () => Effect.dieMessage("boom"))),
        HttpRouter.get("/stream", Effect.map(Tx, (tx) => HttpServerResponse.stream(Stream.encodeText(Stream.make(tx.user, "!"))))),
        HttpRouter.get("/hang", Effect.flatMap(Tx, (tx) => Effect.zipRight(recorder.record(`waiting:${tx.user}`), Effect.never))),
        scoped
      ))
    const request = async (url: string, route: string, user: string) => {
      const client = new AbortController()
      const answered = fetch(`${url}/${route}`, { headers: { "x-user": user }, signal: client.signal }).then((response) => response.text())
      if (route !== "hang") return answered
      await recorder.waitFor(`waiting:${user}`)
      client.abort()
      return answered.catch((error: Error) => error.name)
    }
    return Effect.scoped(Effect.gen(function*() {
      const url = yield* serve(app, registryOf(recorder))
      let run = 0
      yield* Effect.promise(() =>
        fc.assert(
          fc.asyncProperty(fc.array(fc.constantFrom("ok", "fail", "die", "stream", "hang"), { minLength: 1, maxLength: 6 }), async (routes) => {
            run++
            const users = routes.map((_, index) => `run${run}-${index}`)
            await Promise.all(routes.map((route, index) => request(url, route, users[index]!)))
            await Promise.all(users.map((user) => recorder.waitFor(`release user:${user}`)))
            expect(users.map((user) => recorder.of(user))).toEqual(routes.map((route, index) => lifeOf(users[index]!, ...(route === "hang" ? ["waiting"] : []))))
          }),
          { numRuns: 15, seed: 20261212 }
        )
      )
      expect(recorder.events.filter((event) => event.startsWith("build user:"))).toHaveLength(recorder.events.filter((event) => event.startsWith("release user:")).length)
    }))
  })

  it.live("a streamed body is sent while the request's instances are open: they are released after its last chunk", () => {
    const recorder = new Recorder()
    const app = Effect.map(Http.requestScope(Http.Request, [Tx]), (scoped) =>
      HttpRouter.empty.pipe(
        HttpRouter.get(
          "/stream",
          Effect.map(Tx, (tx) =>
            HttpServerResponse.stream(
              Stream.make("a", "b", "c").pipe(
                Stream.tap((chunk) => recorder.record(`chunk ${chunk} ${tx.isOpen() ? "with tx open" : "after tx ended"}:${tx.user}`)),
                Stream.encodeText
              )
            ))
        ),
        scoped
      ))
    return Effect.scoped(Effect.gen(function*() {
      const url = yield* serve(app, registryOf(recorder))
      expect(yield* get(`${url}/stream`, "sam")).toEqual({ status: 200, body: "abc" })
      yield* recorder.until("release user:sam")
      expect(recorder.events).toEqual(lifeOf("sam", "chunk a with tx open", "chunk b with tx open", "chunk c with tx open"))
    }))
  })

  it.live("a request-scoped constructor's failure is the app's typed ConstructionError, which it can answer; nothing is left open", () => {
    const recorder = new Recorder()
    const app = Effect.map(Http.requestScope(Http.Request, [CurrentUser, Tx]), (scoped) =>
      HttpRouter.empty.pipe(
        HttpRouter.get("/me", Effect.flatMap(CurrentUser, (user) => HttpServerResponse.text(user.name))),
        scoped,
        Effect.catchTag("ConstructionError", (error) => HttpServerResponse.text(`no user: ${error.component}`, { status: 401 }))
      ))
    return Effect.scoped(Effect.gen(function*() {
      const url = yield* serve(app, registryOf(recorder))
      expect(yield* get(`${url}/me`)).toEqual({ status: 401, body: "no user: CurrentUser" })
      expect(yield* get(`${url}/me`, "ada")).toEqual({ status: 200, body: "ada" })
      yield* recorder.until("release user:ada")
      expect(recorder.events).toEqual(lifeOf("ada"))
    }))
  })
})

describe("Http.requestScope release failures", () => {
  class Journal extends Context.Tag("Journal")<Journal, string>() {}

  it.live("a release that fails is logged with the component and its path (the response is gone), and the request's other instances are still released", () => {
    const recorder = new Recorder()
    const logged: Array<string> = []
    const logger = Logger.make(({ cause, logLevel }) => {
      const error = Cause.squash(cause)
      logged.push(`${logLevel.label} ${error instanceof Errors.ReleaseError ? `ReleaseError ${error.message}` : String(error)}`)
    })
    const registry = Registry.make(
      registryOf(recorder),
      Component.make(Journal, {
        dependencies: [Tx],
        build: Effect.as(Effect.addFinalizer(() => Effect.dieMessage("disk full")), "journal")
      }).pipe(Lifetime.scoped(Http.Request))
    )
    const app = Effect.map(Http.requestScope(Http.Request, [Journal]), (scoped) =>
      HttpRouter.empty.pipe(
        HttpRouter.get("/write", Effect.flatMap(Journal, (journal) => HttpServerResponse.text(journal))),
        scoped
      ))
    return Effect.scoped(Effect.gen(function*() {
      const url = yield* serve(app, registry)
      expect(yield* get(`${url}/write`, "ada")).toEqual({ status: 200, body: "journal" })
      yield* recorder.until("release user:ada")
      expect(recorder.events).toEqual(lifeOf("ada"))
      expect(logged).toEqual(["ERROR ReleaseError Journal: releasing Journal failed: RuntimeException: disk full"])
    })).pipe(Effect.provide(Logger.replace(Logger.defaultLogger, logger)))
  })
})

describe("Http.Request at startup", () => {
  class Audit extends Context.Tag("Audit")<Audit, string>() {}
  class Greeter extends Context.Tag("Greeter")<Greeter, string>() {}
  class Server extends Context.Tag("Server")<Server, void>() {}

  it.effect("a singleton that depends on a request-scoped service or on the request itself is a resolution error before the server is built", () =>
    Effect.gen(function*() {
      const recorder = new Recorder()
      const registry = Registry.make(
        registryOf(recorder),
        Component.make(Audit, { dependencies: [Tx], build: Effect.map(Tx, (tx) => tx.user) }),
        Component.make(Greeter, {
          dependencies: [HttpServerRequest.HttpServerRequest],
          build: Effect.map(HttpServerRequest.HttpServerRequest, (request) => request.url)
        }),
        Component.make(Server, { dependencies: [Audit, Greeter, Container.Container], build: recorder.record("listening") }).pipe(
          Lifecycle.startup(0)
        )
      )
      const error = yield* Effect.flip(App.run(App.make(registry, { scopes: [Http.Request] })))
      expect(error).toBeInstanceOf(Errors.ResolutionError)
      expect((error as Errors.ResolutionError).problems.map((problem) => problem.message)).toEqual([
        "Server -> Audit: Audit (singleton) depends on Tx (scoped(Request)), which does not live as long: it lives for one HTTP request: yield* it in the handlers, wrapped with Http.requestScope(Http.Request, [Tx]), or request it with Dependency.lazy or Dependency.factory (used within a request), or give Audit a lifetime no longer than Tx's",
        "Server -> Greeter: Greeter (singleton) depends on @effect/platform/HttpServerRequest (input of Request), which does not live as long: scope Greeter to Request (or a scope inside it)"
      ])
      expect(recorder.events).toEqual([])
    }))

  it("the hint points at Http.requestScope only for a scope whose opener provides HttpServerRequest: one of another name is named, a scope named Request without it gets the plain hint", () => {
    const ApiRequest = Lifetime.scope("ApiRequest", { inputs: [HttpServerRequest.HttpServerRequest] })
    const Request = Lifetime.scope("Request")
    const messagesOf = (scope: Lifetime.ScopeName) => {
      const registry = Registry.make(
        Component.succeed(Tx, { user: "u", isOpen: () => true }).pipe(Lifetime.scoped(scope)),
        Component.make(Audit, { dependencies: [Tx], build: Effect.map(Tx, (tx) => tx.user) })
      )
      const resolved = Resolver.resolve(registry, [Audit], { scopes: [scope] })
      return resolved._tag === "Left" ? resolved.left.problems.map((problem) => problem.message) : []
    }
    expect(messagesOf(ApiRequest)).toEqual([
      "Audit: Audit (singleton) depends on Tx (scoped(ApiRequest)), which does not live as long: it lives for one HTTP request: yield* it in the handlers, wrapped with Http.requestScope(ApiRequest, [Tx]), or request it with Dependency.lazy or Dependency.factory (used within a request), or give Audit a lifetime no longer than Tx's"
    ])
    expect(messagesOf(Request)).toEqual([
      "Audit: Audit (singleton) depends on Tx (scoped(Request)), which does not live as long: request it with Dependency.lazy or Dependency.factory (inside an open scope), or give Audit a lifetime no longer than Tx's"
    ])
  })
})

describe("Http.requestScope before any request", () => {
  class Audit extends Context.Tag("Audit")<Audit, string>() {}

  /** Builds the server of `app` on loopback: its failure, and whether anything answered on its port meanwhile. */
  const failedServe = <E>(
    app: Effect.Effect<HttpApp.Default<E, HttpServerRequest.HttpServerRequest | Scope.Scope>, Errors.NotInScope, Container.Container>,
    scopes: ReadonlyArray<Lifetime.ScopeName<string, any>>
  ) =>
    Effect.scoped(Effect.gen(function*() {
      const recorder = new Recorder()
      const served = Layer.unwrapEffect(Effect.map(app, (scoped) => HttpServer.serve(scoped))).pipe(
        Layer.provideMerge(NodeHttpServer.layer(() => createServer(), { port: 0, host: "127.0.0.1" })),
        Layer.provide(Registry.toLayer(registryOf(recorder), [Container.Container], { scopes }))
      )
      const error = yield* Effect.flip(Layer.build(served))
      return { error, events: recorder.events }
    }))

  it.live("a service the scope does not provide fails the server's Layer with NotInScope, naming the scope, the service, what the scope provides and what it can list, before it serves", () =>
    Effect.gen(function*() {
      const app = Effect.map(Http.requestScope(Http.Request, [CurrentUser, Audit]), (scoped) =>
        HttpRouter.empty.pipe(HttpRouter.get("/audit", Effect.flatMap(Audit, (audit) => HttpServerResponse.text(audit))), scoped))
      const { error, events } = yield* failedServe(app, [Http.Request])
      expect(error).toBeInstanceOf(Errors.NotInScope)
      expect({ ...error }).toEqual({ _tag: "NotInScope", scope: "Request", services: ["Audit"], provides: ["CurrentUser", "Tx"], declared: ["Request"] })
      expect(error.message).toBe("the scope Request does not provide Audit (it provides: CurrentUser, Tx; and the plan's roots): list only components scoped to it (Lifetime.scoped(Request)) and roots of the plan (a transient or a singleton: request it from a component scoped to Request)")
      expect(events).toEqual([])
    }))

  it.live("a scope the application does not declare fails it the same way, saying which scopes it declares", () =>
    Effect.gen(function*() {
      const Job = Lifetime.scope("Job")
      const app = Effect.map(Http.requestScope(Job, [Tx]), (scoped) =>
        HttpRouter.empty.pipe(HttpRouter.get("/tx", Effect.flatMap(Tx, (tx) => HttpServerResponse.text(tx.user))), scoped))
      const { error } = yield* failedServe(app, [Http.Request])
      expect(error.message).toBe("the application does not declare the scope Job (declared scopes: Request): add it to the scopes of App.make or Registry.toLayer")
    }))

  it.live("a misspelt scope fails it the same way, suggesting the declared scope", () =>
    Effect.gen(function*() {
      const Reqest = Lifetime.scope("Reqest", { inputs: [HttpServerRequest.HttpServerRequest] })
      const app = Effect.map(Http.requestScope(Reqest, [Tx]), (scoped) =>
        HttpRouter.empty.pipe(HttpRouter.get("/tx", Effect.flatMap(Tx, (tx) => HttpServerResponse.text(tx.user))), scoped))
      const { error } = yield* failedServe(app, [Http.Request])
      expect(error.message).toBe(
        "the application does not declare the scope Reqest (declared scopes: Request): did you mean Request? If not, add it to the scopes of App.make or Registry.toLayer"
      )
    }))

  it.live("under App, the component that makes the server fails its construction with NotInScope: nothing listens, nothing is left built", () =>
    Effect.gen(function*() {
      class Server extends Context.Tag("Server")<Server, HttpServer.HttpServer>() {}
      const recorder = new Recorder()
      const ServerLive = Component.make(Server, {
        dependencies: [Container.Container],
        build: Effect.gen(function*() {
          const scoped = yield* Http.requestScope(Http.Request, [Audit])
          const server = yield* NodeHttpServer.make(() => createServer(), { port: 0, host: "127.0.0.1" })
          yield* recorder.record("listening")
          yield* server.serve(HttpRouter.empty.pipe(HttpRouter.get("/audit", Effect.flatMap(Audit, (audit) => HttpServerResponse.text(audit))), scoped))
          return server
        })
      }).pipe(Lifecycle.startup(0))
      const failed = yield* Effect.flip(App.run(App.make(Registry.make(registryOf(recorder), ServerLive), { scopes: [Http.Request] })))
      expect(failed).toBeInstanceOf(Errors.ApplicationFailed)
      const errors = (failed as Errors.ApplicationFailed).errors
      expect(errors.map((error) => error._tag)).toEqual(["ConstructionError"])
      expect((errors[0] as Errors.ConstructionError).cause).toEqual(
        new Errors.NotInScope({ scope: "Request", services: ["Audit"], provides: ["CurrentUser", "Tx"], declared: ["Request"] })
      )
      expect(recorder.events).toEqual([])
    }))
})

describe("Http.requestScope with HttpApi", () => {
  class Me extends HttpApiGroup.make("me").add(HttpApiEndpoint.get("me", "/me").addSuccess(Schema.String)) {}
  class Api extends HttpApi.make("api").add(Me) {}

  it.live("wrapping a handler opens the request scope around it: its request-scoped services are the request's, released after the response", () => {
    const recorder = new Recorder()
    // the group's build makes the middleware (checked then), each handler is wrapped in it
    const MeLive = HttpApiBuilder.group(Api, "me", (handlers) =>
      Effect.map(Http.requestScope(Http.Request, [CurrentUser, Tx]), (scoped) =>
        handlers.handle("me", () =>
          Effect.map(Effect.all([CurrentUser, Tx]), ([user, tx]) => `${user.name}, tx of ${tx.user}`).pipe(scoped, Effect.orDie))))
    return Effect.scoped(Effect.gen(function*() {
      const url = yield* listen(HttpApiBuilder.serve().pipe(Layer.provide(HttpApiBuilder.api(Api).pipe(Layer.provide(MeLive)))), registryOf(recorder))
      const answers = yield* Effect.all([get(`${url}/me`, "ada"), get(`${url}/me`, "bob")], { concurrency: "unbounded" })
      expect(answers).toEqual([{ status: 200, body: "\"ada, tx of ada\"" }, { status: 200, body: "\"bob, tx of bob\"" }])
      yield* recorder.until("release user:ada")
      yield* recorder.until("release user:bob")
      expect([recorder.of("ada"), recorder.of("bob")]).toEqual([lifeOf("ada"), lifeOf("bob")])
    }))
  })
})
