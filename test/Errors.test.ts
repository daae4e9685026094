import type { HttpServer } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Cause, Chunk, ConfigError, Context, Data, Effect, Either, Exit, FastCheck as fc, FiberId, Queue, Redacted, Schema } from "effect"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { App, Component, Dependency, Errors, Lifecycle, Registry, Resolver } from "../src/index.js"
import { describeValue } from "../src/internal/describe.js"

const names = (count: number) => Array.from({ length: count }, (_, index) => `S${index + 1}`)

const missing = (fields: Partial<ConstructorParameters<typeof Errors.MissingComponent>[0]> = {}) =>
  new Errors.MissingComponent({
    path: ["Api", "UserRepo"],
    request: "Database",
    available: ["Cache", "Logger"],
    suggestions: [],
    unqualified: [],
    excluded: [],
    ...fields
  })

describe("Errors", () => {
  it("formatPath joins names with arrows", () => {
    expect(Errors.formatPath(["Api", "UserRepo", "Database"])).toBe("Api -> UserRepo -> Database")
    expect(Errors.formatPath([])).toBe("")
  })

  describe("MissingComponent", () => {
    it("names the path, the request and what is available", () => {
      expect(missing().message).toBe(
        "Api -> UserRepo -> Database: no component provides Database (available: Cache, Logger); register one, or declare it external if the program provides it"
      )
    })

    it("says 'none' when nothing is available, and starts at the request for a root", () => {
      expect(missing({ path: [], available: [] }).message).toBe("Database: no component provides Database (available: none); register one, or declare it external if the program provides it")
    })

    it("suggests close names and still says how to provide the service, when nothing else explains it", () => {
      // Regression: with suggestions, "register one, or declare it external" was left out
      expect(missing({ suggestions: ["Databases", "Datastore"] }).message).toBe(
        "Api -> UserRepo -> Database: no component provides Database (available: Cache, Logger); " +
          "did you mean Databases or Datastore? If not, register one, or declare it external if the program provides it"
      )
    })

    it("lists the candidates ruled out by a selector and the suggestions", () => {
      expect(
        missing({
          request: "Database@replica",
          available: ["Database"],
          unqualified: ["main", "audit"],
          suggestions: ["Databases", "Datastore"]
        }).message
      ).toBe(
        "Api -> UserRepo -> Database@replica: no component provides Database@replica; " +
          "candidates that do not match it: main, audit; did you mean Databases or Datastore?"
      )
    })

    it("lists the candidates their conditions excluded, each with its condition, after those that do not match", () => {
      expect(
        missing({
          request: "Database@replica",
          unqualified: ["main"],
          excluded: [{ name: "replicaS3", condition: "profile prod" }, { name: "Database", condition: "(property db = x) and (profile y)" }],
          suggestions: ["Databases"]
        }).message
      ).toBe(
        "Api -> UserRepo -> Database@replica: no component provides Database@replica; " +
          "candidates that do not match it: main; " +
          "candidates excluded by their conditions: replicaS3 (profile prod), Database ((property db = x) and (profile y)); " +
          "did you mean Databases?"
      )
    })

    it("says that App's own services come with an App, which a Layer of the registry is not, and how to run one", () => {
      const hint = (name: string) =>
        `${name} is provided by every App made from a registry, and Registry.toLayer, Plan.toLayer and Testing.toLayer make no App: ` +
        `run the registry as one (App.make, then App.run, App.start or App.layer; App.plan resolves it as an App does, for Explain)`
      expect([App.Application, App.Health, App.Shutdowner].map((tag) => missing({ path: ["Routes"], request: tag.key }).message)).toEqual([
        `Routes -> layerwise/App/Application: no component provides layerwise/App/Application (available: Cache, Logger); ${hint("App.Application")}`,
        `Routes -> layerwise/App/Health: no component provides layerwise/App/Health (available: Cache, Logger); ${hint("App.Health")}`,
        `Routes -> layerwise/App/Shutdowner: no component provides layerwise/App/Shutdowner (available: Cache, Logger); ${hint("App.Shutdowner")}`
      ])
    })

    it("of a handle, names the service nobody provides, not the handle, and says what an App's own service needs", () => {
      class Api extends Context.Tag("Api")<Api, string>() {}
      class Reports extends Context.Tag("Reports")<Reports, string>() {}
      const messages = (request: Context.Tag<any, any>) =>
        Either.match(Resolver.resolve(Registry.make(Component.make(Api, { dependencies: [request], build: Effect.succeed("api") })), [Api]), {
          onLeft: (error) => error.problems.map((problem) => problem.message),
          onRight: () => []
        })
      expect([Dependency.lazy(Reports), Dependency.factory(Reports), Dependency.reloadable(Dependency.named(Reports, "daily"))].map(messages)).toEqual([
        ["Api -> Lazy<Reports>: no component provides Reports (available: Api); register one, or declare it external if the program provides it"],
        ["Api -> Factory<Reports>: no component provides Reports (available: Api); register one, or declare it external if the program provides it"],
        ["Api -> Reloadable<Reports#daily>: no component provides Reports#daily (available: Api); register one, or declare it external if the program provides it"]
      ])
      expect(messages(Dependency.lazy(App.Health))).toEqual([
        "Api -> Lazy<layerwise/App/Health>: no component provides layerwise/App/Health (available: Api); App.Health is provided by every App made from a registry, " +
        "and Registry.toLayer, Plan.toLayer and Testing.toLayer make no App: run the registry as one (App.make, then App.run, App.start or App.layer; App.plan resolves it as an App does, for Explain)"
      ])
    })

    it("says that the family of a requested member is not registered", () => {
      expect(missing({ request: "KubeClient(eu)", family: { _tag: "NotRegistered", name: "KubeClient" } }).message).toBe(
        "Api -> UserRepo -> KubeClient(eu): no component provides KubeClient(eu) (available: Cache, Logger); " +
          "it is a member of family KubeClient, which is not registered: add the family to the registry"
      )
    })

    it("says that registered families provide a plainly requested service only to member requests, naming them", () => {
      expect(missing({ request: "KubeClient", family: { _tag: "MembersOnly", names: ["KubeClients"] } }).message).toBe(
        "Api -> UserRepo -> KubeClient: no component provides KubeClient (available: Cache, Logger); " +
          "family KubeClients provides KubeClient only to requests of its members: request one with Family.request(family, args) or family.of(args)"
      )
      expect(missing({ request: "KubeClient", family: { _tag: "MembersOnly", names: ["Http", "Grpc"] } }).message).toBe(
        "Api -> UserRepo -> KubeClient: no component provides KubeClient (available: Cache, Logger); " +
          "families Http, Grpc provide KubeClient only to requests of their members: request one with Family.request(family, args) or family.of(args)"
      )
    })

    it("lists at most 12 available services and counts the rest", () => {
      expect(missing({ available: names(14) }).message).toBe(
        "Api -> UserRepo -> Database: no component provides Database (available: S1, S2, S3, S4, S5, S6, S7, S8, S9, S10, S11, S12, and 2 more); register one, or declare it external if the program provides it"
      )
    })
  })

  it("AmbiguousComponent names the tied candidates, the rule that tied them and the ways out", () => {
    const problem = new Errors.AmbiguousComponent({
      path: ["Api"],
      request: "Database",
      candidates: ["Postgres", "Sqlite"],
      rule: "none primary, equal order 0"
    })
    expect(problem.message).toBe(
      "Api -> Database: 2 candidates tie for Database (Postgres, Sqlite; none primary, equal order 0): " +
        "mark one primary, the others alternative, give them different orders, or request one by qualifier or name"
    )
  })

  it("AmbiguousComponent among overrides says to keep one, and among primary candidates to leave one primary", () => {
    // Regression: both said 'mark one primary, the others alternative', though the overrides' later one was
    // meant to win (samber/do's Override replaces) and every candidate was primary already
    const tie = (candidates: ReadonlyArray<string>, rule: string) =>
      new Errors.AmbiguousComponent({ path: ["Api"], request: "Mailer", candidates, rule }).message
    expect(tie(["Mailer (override #1)", "Mailer (override #2)"], "all overrides, none primary, equal order 0")).toBe(
      "Api -> Mailer: 2 candidates tie for Mailer (Mailer (override #1), Mailer (override #2); all overrides, none primary, equal order 0): " +
        "keep one override (a later override does not replace an earlier one), or mark one primary, give them different orders, or qualify them"
    )
    expect(tie(["ses", "smtp"], "all primary, equal order 0")).toBe(
      "Api -> Mailer: 2 candidates tie for Mailer (ses, smtp; all primary, equal order 0): " +
        "leave one primary, give them different orders, or request one by qualifier or name"
    )
  })

  it("CircularDependency shows the path to the cycle, then the cycle, then how to break it", () => {
    expect(new Errors.CircularDependency({ path: ["Api"], cycle: ["A", "B", "A"] }).message).toBe(
      "Api: circular dependency A -> B -> A: break it by moving what they share into a component of its own, or look one up at run time with Container.get (a Dependency.lazy request still counts)"
    )
    // one component given itself: a decorator or composite of its own service, which has nothing to share with "them"
    expect(new Errors.CircularDependency({ path: [], cycle: ["A", "A"] }).message).toBe("circular dependency A -> A: A requests its own service and is given itself: give it a tag of its own, or qualify the others and request them by qualifier (Dependency.qualified(Service, \"inner\"), Dependency.all(Dependency.qualified(Service, \"member\"))) or name")
  })

  it("DuplicateName names the name and the services given it", () => {
    expect(new Errors.DuplicateName({ name: "db", services: ["Database", "Cache"] }).message).toBe(
      "duplicate component name \"db\": given to 2 components (providing Database, Cache); names must be unique in a registry (to put one in another's place, use Registry.replace, or Testing.named in a test)"
    )
  })

  it("InvalidDeclaration names the subject and every issue, after the path when there is one", () => {
    expect(
      new Errors.InvalidDeclaration({
        path: [],
        subject: { _tag: "Component", name: "Database" },
        issues: [{ code: "InvalidOrder", got: "NaN" }, { code: "PrimaryAndAlternative" }]
      }).message
    ).toBe("invalid component Database: its order must be a finite number, got NaN; it cannot be both primary and alternative")
    expect(
      new Errors.InvalidDeclaration({
        path: ["Api"],
        subject: { _tag: "Member", name: "F(a)" },
        issues: [{ code: "FamilyFunctionThrew", function: "build", error: "boom" }]
      }).message
    ).toBe("Api: invalid family member F(a): its build function threw: boom")
  })

  it("InvalidDeclaration renders each subject and issue as the resolver reports them", () => {
    const message = (subject: Errors.DeclarationSubject, issue: Errors.DeclarationIssue) =>
      new Errors.InvalidDeclaration({ path: [], subject, issues: [issue] }).message
    expect([
      message({ _tag: "Entry", position: 2 }, { code: "NotAComponent", got: "42" }),
      message({ _tag: "Root", position: 1 }, { code: "InvalidRoot", got: "x" }),
      message({ _tag: "Condition", description: "profile a" }, { code: "ConditionThrew", error: "boom" }),
      message({ _tag: "Replacement", name: "db" }, { code: "UnknownName", names: ["a", "b"], invalid: 0 }),
      message({ _tag: "Replacement", name: "db" }, { code: "UnknownName", names: [], invalid: 2 }),
      message({ _tag: "Replacement", name: "Greeting" }, { code: "UnknownName", names: ["api/Greeting", "layerwise/App/Health"], invalid: 0 }),
      message({ _tag: "Replacement", name: "db" }, { code: "ReplacementService", provides: "Cache", replaced: "Database" }),
      message({ _tag: "Replacement", name: "db" }, {
        code: "ReplacedTwice",
        replacements: [{ name: "Database", construct: "Value" }, { name: "fake", construct: "Layer" }]
      }),
      message({ _tag: "Component", name: "Api" }, { code: "InvalidConstructor", expected: "Effect", got: "undefined" }),
      message({ _tag: "Member", name: "F(a)" }, { code: "MemberConstructor", got: "1" }),
      message({ _tag: "Member", name: "F(a)" }, { code: "UnsettledMerge" }),
      message({ _tag: "Component", name: "app/Db" }, { code: "ValueIsDeclaration", kind: "Component" }),
      message({ _tag: "Component", name: "app/Db" }, { code: "ValueIsDeclaration", kind: "Layer" }),
      message({ _tag: "Override", service: "app/Db" }, { code: "ValueIsDeclaration", kind: "Component" }),
      message({ _tag: "Override", service: "app/Db", qualifier: "replica" }, { code: "ValueIsDeclaration", kind: "Layer" }),
      message({ _tag: "Replacement", name: "auditDb" }, { code: "ValueIsDeclaration", kind: "Component" }),
      message({ _tag: "Replacement", name: "auditDb" }, { code: "ValueIsDeclaration", kind: "Layer" })
    ]).toEqual([
      "invalid registry entry #2: expected a Component or a Registry, got 42",
      "invalid root #1: a root must be a Context.Tag or a Dependency request, got x",
      "invalid condition \"profile a\": it threw: boom",
      "invalid replacement of \"db\": no component is named \"db\" (names: a, b)",
      "invalid replacement of \"db\": no component is named \"db\" (names: none: the registry's 2 components are invalid)",
      "invalid replacement of \"Greeting\": no component is named \"Greeting\" (names: api/Greeting); did you mean api/Greeting?",
      "invalid replacement of \"db\": it provides Cache, but \"db\" provides Database",
      "invalid replacement of \"db\": it is replaced 2 times (by Database (a value), then fake (a Layer)): replace a name once",
      "invalid component Api: its build must be an Effect, got undefined",
      "invalid family member F(a): its family's build function must return an Effect, got 1",
      "invalid family member F(a): merging the arguments of its requests keeps changing its dependencies; make merge settle (idempotent and commutative)",
      "invalid component app/Db: its value is a Component, which would be the service itself: register the Component itself",
      "invalid component app/Db: its value is a Layer, which would be the service itself: build the service with it, Component.fromLayer(tag, { layer })",
      "invalid override of app/Db: its value is a Component, which would be the service itself: use Testing.component",
      "invalid override of app/Db@replica: its value is a Layer, which would be the service itself: use Testing.layer",
      "invalid replacement of \"auditDb\": its value is a Component, which would be the service itself: use Registry.replace(registry, \"auditDb\", component)",
      "invalid replacement of \"auditDb\": its value is a Layer, which would be the service itself: use Registry.replace(registry, \"auditDb\", Component.fromLayer(tag, { layer }))"
    ])
  })

  it("ContainerClosed names the container and the operation, and says when the application's stop is why", () => {
    expect(new Errors.ContainerClosed({ container: ["tenant-a"], operation: "get" }).message).toBe("the container tenant-a is closed: get is not possible")
    expect(new Errors.ContainerClosed({ container: [], operation: "child" }).message).toBe("the container root is closed: child is not possible")
    expect(new Errors.ContainerClosed({ container: ["tenant-a"], operation: "get", stopping: true }).message).toBe(
      "the application is stopping: get is not possible in the container tenant-a"
    )
  })

  it("MissingComponent says when the requested name is a component of another service", () => {
    expect(
      new Errors.MissingComponent({
        path: [],
        request: "Database#store",
        available: ["Cache", "Database"],
        suggestions: [],
        unqualified: [],
        excluded: [],
        elsewhere: { name: "store", service: "Cache" }
      }).message
    ).toBe(
      "Database#store: no component provides Database#store (available: Cache, Database); component store exists, but it provides Cache"
    )
  })

  it("ResolutionError lists every problem, one per line, and counts them", () => {
    const one = new Errors.ResolutionError({ problems: [missing()] })
    expect(one.message).toBe(
      "1 problem resolving the graph:\n  - Api -> UserRepo -> Database: no component provides Database (available: Cache, Logger); register one, or declare it external if the program provides it"
    )
    const two = new Errors.ResolutionError({
      problems: [missing(), new Errors.CircularDependency({ path: [], cycle: ["A", "A"] })]
    })
    expect(two.message).toBe(
      "2 problems resolving the graph:\n" +
        "  - Api -> UserRepo -> Database: no component provides Database (available: Cache, Logger); register one, or declare it external if the program provides it\n" +
        "  - circular dependency A -> A: A requests its own service and is given itself: give it a tag of its own, or qualify the others and request them by qualifier (Dependency.qualified(Service, \"inner\"), Dependency.all(Dependency.qualified(Service, \"member\"))) or name"
    )
  })

  it("an unset Config of a condition says how to fix it; an invalid one, and the environment's, say what Effect said", () => {
    // Regression: a condition's missing Config said only that it cannot be read
    const missingData = ConfigError.MissingData(["BETA"], "Expected BETA to exist in the process context")
    const invalid = ConfigError.InvalidData(["BETA"], "Expected a boolean value but received maybe")
    expect([
      new Errors.InvalidConfig({ source: { _tag: "Condition", description: "config BETA" }, cause: missingData }).message,
      new Errors.InvalidConfig({ source: { _tag: "Condition", description: "config BETA" }, cause: invalid }).message,
      new Errors.InvalidConfig({ source: { _tag: "Profiles" }, cause: missingData }).message
    ]).toEqual([
      "the Config of condition \"config BETA\" cannot be read: (Missing data at BETA: \"Expected BETA to exist in the process context\"): set it, or give the Config a default (Config.withDefault) for when it is not set",
      "the Config of condition \"config BETA\" cannot be read: (Invalid data at BETA: \"Expected a boolean value but received maybe\")",
      "the Config of the profiles cannot be read: (Missing data at BETA: \"Expected BETA to exist in the process context\")"
    ])
  })

  describe("HookFailed and HookTimeout", () => {
    it("name a hook by its kind (initializer, start hook, stop hook, disposer, background work), its name after unless it is the default", () => {
      const failed = (phase: Errors.HookPhase, hook: string) =>
        new Errors.HookFailed({ component: "Db", path: ["Db"], phase, hook, cause: "down" }).message
      expect([
        failed("initialize", "initializer"),
        failed("initialize", "initializer#2"),
        failed("start", "onStart"),
        failed("start", "connect"),
        failed("stop", "onStop#3"),
        failed("dispose", "disposer"),
        failed("background", "background"),
        failed("background", "drain")
      ]).toEqual([
        "Db: initializer of Db failed: down",
        "Db: initializer #2 of Db failed: down",
        "Db: start hook of Db failed: down",
        "Db: start hook connect of Db failed: down",
        "Db: stop hook #3 of Db failed: down",
        "Db: disposer of Db failed: down",
        "Db: background work of Db failed: down",
        "Db: background work drain of Db failed: down"
      ])
      expect(new Errors.HookTimeout({ component: "Db", path: ["Db"], phase: "background", hook: "background", timeout: "2s" }).message)
        .toBe("Db: background work of Db did not complete within 2s (the grace timeout: Lifecycle.timeouts({ grace }) on the component, or the App's graceTimeout)")
    })
  })

  describe("ConstructionError", () => {
    const failed = (cause: unknown) => new Errors.ConstructionError({ component: "Database", path: ["Api", "Database"], cause })

    it("renders an Error cause by name and message", () => {
      expect(failed(new Error("refused")).message).toBe("Api -> Database: constructor of Database failed: Error: refused")
    })

    it("renders a tagged cause by tag and message", () => {
      expect(failed({ _tag: "ConnectionRefused", message: "port 5432" }).message).toBe(
        "Api -> Database: constructor of Database failed: ConnectionRefused: port 5432"
      )
      expect(failed({ _tag: "Timeout" }).message).toBe("Api -> Database: constructor of Database failed: Timeout")
    })

    it("says a hook's failure or timeout of the component once: the hook's message, not the constructor's", () => {
      const hookFailed = new Errors.HookFailed({ component: "Database", path: ["Api", "Database"], phase: "initialize", hook: "initializer", cause: "refused" })
      const timedOut = new Errors.HookTimeout({ component: "Database", path: ["Api", "Database"], phase: "start", hook: "onStart", timeout: "2s" })
      expect([failed(hookFailed).message, failed(timedOut).message]).toEqual([
        "Api -> Database: initializer of Database failed: refused",
        "Api -> Database: start hook of Database did not complete within 2s (the start timeout: Lifecycle.timeouts({ start }) on the component, or the App's startTimeout)"
      ])
    })

    it("renders primitives with String", () => {
      expect(failed("boom").message).toBe("Api -> Database: constructor of Database failed: boom")
      expect(failed(42).message).toBe("Api -> Database: constructor of Database failed: 42")
      expect(failed(null).message).toBe("Api -> Database: constructor of Database failed: null")
    })
  })

  it("errors carry their tag and serialise to their fields", () => {
    const problem = missing()
    expect(problem._tag).toBe("MissingComponent")
    expect(problem).toBeInstanceOf(Error)
    expect(JSON.parse(JSON.stringify(problem))).toEqual({
      _tag: "MissingComponent",
      path: ["Api", "UserRepo"],
      request: "Database",
      available: ["Cache", "Logger"],
      suggestions: [],
      unqualified: [],
      excluded: []
    })
  })

  it.effect("errors are yieldable failures that catchTag can handle", () =>
    Effect.gen(function*() {
      const handled = yield* Effect.catchTag(
        new Errors.ResolutionError({ problems: [] }),
        "ResolutionError",
        (error) => Effect.succeed(error.problems.length)
      )
      expect(handled).toBe(0)
    }))
})


// ---------------------------------------------------------------------------------------------
// how a failure value (the cause of an error) is rendered in messages

class DbDown extends Data.TaggedError("DbDown")<{ readonly host: string; readonly port: number; readonly cause: unknown }> {}
class StoreError extends Data.TaggedError("StoreError")<{ readonly reason: string; readonly cause?: unknown }> {}
class Refused extends Data.TaggedError("Refused")<{}> {}
class Db extends Context.Tag("Db")<Db, string>() {}

/** Node's error for a refused connection: its fields repeat what its message says. */
const connectionRefused = () =>
  Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), {
    errno: -111,
    code: "ECONNREFUSED",
    syscall: "connect",
    address: "127.0.0.1",
    port: 5432
  })

/** The message of a ConstructionError of a root component `Db` whose constructor failed with `cause`. */
const failedWith = (cause: unknown): string => new Errors.ConstructionError({ component: "Db", path: ["Db"], cause }).message
const prefix = "Db: constructor of Db failed: "

describe("Errors: a failure keeps its details", () => {
  it.effect("a constructor failing with a tagged error with fields and a cause is rendered with both (DbDown { host, cause: ECONNREFUSED })", () =>
    Effect.gen(function*() {
      const registry = Registry.make(
        Component.make(Db, { build: Effect.fail(new DbDown({ host: "db1", port: 5432, cause: connectionRefused() })) })
      )
      const error = yield* Effect.flip(Effect.provide(Db, Registry.toLayer(registry, [Db])))
      expect(error.message).toBe(
        "Db: constructor of Db failed: DbDown { host: \"db1\", port: 5432 }: caused by Error: connect ECONNREFUSED 127.0.0.1:5432"
      )
    }))

  it.scoped("a server whose port is in use says so: the platform's ServeError is rendered with its cause (EADDRINUSE)", () =>
    Effect.gen(function*() {
      const occupied = yield* Effect.acquireRelease(
        Effect.async<Server>((resume) => {
          const server = createServer()
          server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
        }),
        (server) => Effect.async<void>((resume) => void server.close(() => resume(Effect.void)))
      )
      const port = (occupied.address() as AddressInfo).port
      class Http extends Context.Tag("example/Http")<Http, HttpServer.HttpServer>() {}
      const registry = Registry.make(
        Component.make(Http, { build: Effect.orDie(NodeHttpServer.make(() => createServer(), { port, host: "127.0.0.1" })) })
      )
      const exit = yield* Effect.exit(Effect.provide(Http, Registry.toLayer(registry, [Http])))
      if (Exit.isSuccess(exit)) throw new Error("the server listened on a port in use")
      expect((Cause.squash(exit.cause) as Errors.ConstructionError).message).toBe(
        `example/Http: constructor of example/Http failed: ServeError: caused by Error: listen EADDRINUSE: address already in use 127.0.0.1:${port}`
      )
    }))

  it.effect("the report's error records and the PhaseEnded event carry the details too", () =>
    Effect.gen(function*() {
      const down = new DbDown({ host: "db1", port: 5432, cause: connectionRefused() })
      const rendered = "DbDown { host: \"db1\", port: 5432 }: caused by Error: connect ECONNREFUSED 127.0.0.1:5432"
      const buildFails = App.make(Registry.make(Component.make(Db, { build: Effect.fail(down) })), { roots: [Db] })
      const built = yield* Effect.flip(App.run(buildFails))
      expect(built._tag === "ApplicationFailed" && built.report.errors.map((error) => error.message)).toEqual([
        `Db: constructor of Db failed: ${rendered}`
      ])
      const startFails = App.make(
        Registry.make(Component.make(Db, { build: Effect.succeed("db") }).pipe(Lifecycle.onStart(() => Effect.fail(down)))),
        { roots: [Db] }
      )
      const { events, started } = yield* Effect.scoped(Effect.gen(function*() {
        const subscription = yield* App.subscribe(startFails)
        const started = yield* Effect.flip(App.run(startFails))
        return { events: Chunk.toReadonlyArray(yield* Queue.takeAll(subscription)), started }
      }))
      const message = `Db: start hook of Db failed: ${rendered}`
      expect(started._tag === "ApplicationFailed" && started.report.errors.map((error) => error.message)).toEqual([message])
      expect(events.flatMap((event) => event._tag === "PhaseEnded" && event.phase === "start" ? [event.error] : [])).toEqual([
        message
      ])
    }))

  it("a Schema.TaggedError is rendered by its tag and the message Schema computes from its fields, secrets redacted", () => {
    class QuotaExceeded extends Schema.TaggedError<QuotaExceeded>()("QuotaExceeded", {
      tenant: Schema.String,
      limit: Schema.Number,
      token: Schema.Redacted(Schema.String)
    }) {}
    expect(failedWith(new QuotaExceeded({ tenant: "acme", limit: 10, token: Redacted.make("s3cr3t") }))).toBe(
      `${prefix}QuotaExceeded: { "tenant": "acme", "limit": 10, "token": <redacted> }`
    )
    class Overdrawn extends Schema.TaggedError<Overdrawn>()("Overdrawn", { account: Schema.String }) {
      override get message() {
        return `account ${this.account} is overdrawn`
      }
    }
    expect(failedWith(new Overdrawn({ account: "A-1" }))).toBe(`${prefix}Overdrawn: account A-1 is overdrawn`)
  })

  it("a tagged error shows its fields, its message when given one, then its cause; a computed message stands for the fields", () => {
    expect(failedWith(new Refused())).toBe(`${prefix}Refused`)
    expect(failedWith(new StoreError({ reason: "disk full" }))).toBe(`${prefix}StoreError { reason: "disk full" }`)
    class Described extends Data.TaggedError("Described")<{ readonly id: number; readonly message: string }> {}
    expect(failedWith(new Described({ id: 7, message: "it broke" }))).toBe(`${prefix}Described { id: 7 }: it broke`)
    class Computed extends Data.TaggedError("Computed")<{ readonly id: number; readonly cause: unknown }> {
      override get message() {
        return `order ${this.id} was lost`
      }
    }
    expect(failedWith(new Computed({ id: 7, cause: new Error("timeout") }))).toBe(
      `${prefix}Computed: order 7 was lost: caused by Error: timeout`
    )
    // plain objects with a tag are tagged errors too (the message as given)
    expect(failedWith({ _tag: "ConnectionRefused", message: "port 5432" })).toBe(`${prefix}ConnectionRefused: port 5432`)
    expect(failedWith({ _tag: "Timeout", after: "5s" })).toBe(`${prefix}Timeout { after: "5s" }`)
  })

  it("an Error with a cause is followed to its cause; its own fields are said by its message, unless it has none", () => {
    expect(failedWith(new Error("request failed", { cause: new Error("socket hang up") }))).toBe(
      `${prefix}Error: request failed: caused by Error: socket hang up`
    )
    expect(failedWith(connectionRefused())).toBe(`${prefix}Error: connect ECONNREFUSED 127.0.0.1:5432`)
    expect(failedWith(Object.assign(new TypeError(), { code: "E_BAD" }))).toBe(`${prefix}TypeError { code: "E_BAD" }`)
    // Effect's UnknownException (Effect.tryPromise) keeps the cause in a field too: said once
    expect(failedWith(new Cause.UnknownException(new Error("ENOENT")))).toBe(
      `${prefix}UnknownException: An unknown error occurred: caused by Error: ENOENT`
    )
  })

  it("a chain of causes is followed to its end (three levels)", () => {
    const chain = new Error("request failed", {
      cause: new StoreError({ reason: "read", cause: new Error("EIO: i/o error", { cause: "disk 3 is offline" }) })
    })
    expect(failedWith(chain)).toBe(
      `${prefix}Error: request failed: caused by StoreError { reason: "read" }: caused by Error: EIO: i/o error: caused by disk 3 is offline`
    )
  })

  it("a cyclic cause, and objects that reference each other, end in [Circular]", () => {
    const itself = new StoreError({ reason: "loop" })
    Object.assign(itself, { cause: itself })
    expect(failedWith(itself)).toBe(`${prefix}StoreError { reason: "loop" }: caused by [Circular]`)
    const first = new Error("first")
    const second = new Error("second", { cause: first })
    Object.assign(first, { cause: second })
    expect(failedWith(first)).toBe(`${prefix}Error: first: caused by Error: second: caused by [Circular]`)
    const a: Record<string, unknown> = { name: "a" }
    const b: Record<string, unknown> = { name: "b", peer: a }
    a.peer = b
    expect(failedWith({ _tag: "Conflict", first: a, second: b })).toBe(
      `${prefix}Conflict { first: { name: "a", peer: { name: "b", peer: [Circular] } }, second: { name: "b", peer: { name: "a", peer: [Circular] } } }`
    )
  })

  it("a huge field is cut, a long list counted, deep nesting named, and the whole message bounded", () => {
    expect(failedWith(new StoreError({ reason: "x".repeat(100_000) }))).toBe(
      `${prefix}StoreError { reason: "${"x".repeat(400)}"…(+99600 characters) }`
    )
    expect(failedWith({ _tag: "Batch", ids: Array.from({ length: 25 }, (_, index) => index) })).toBe(
      `${prefix}Batch { ids: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, … 5 more] }`
    )
    expect(failedWith({ _tag: "Deep", a: { b: { c: { d: { e: { f: { g: 1 } } } } } } })).toBe(
      `${prefix}Deep { a: { b: { c: { d: { e: { f: [Object] } } } } } }`
    )
    const wide: Record<string, string> = {}
    for (let index = 0; index < 100; index++) wide[`k${index}`] = "y".repeat(300)
    const entries = Object.entries(wide).map(([key, value]) => `${key}: "${value}"`).join(", ")
    expect(failedWith(wide)).toBe(`${prefix}${`{ ${entries}`.slice(0, 2000)}…(truncated)`)
  })

  it("getters and Proxy traps that throw are rendered as what they threw; objects without a prototype as their fields", () => {
    const lazy = {
      id: 7,
      get detail(): string {
        throw new Error("not loaded")
      }
    }
    expect(failedWith(lazy)).toBe(`${prefix}{ id: 7, detail: [threw Error: not loaded] }`)
    class Unreadable extends Data.TaggedError("Unreadable")<{}> {
      override get message(): string {
        throw new Error("no message")
      }
    }
    expect(failedWith(new Unreadable())).toBe(`${prefix}Unreadable: [threw Error: no message]`)
    const trapped = new Proxy({}, {
      ownKeys: () => {
        throw new Error("no keys")
      }
    })
    expect(failedWith(trapped)).toBe(`${prefix}[threw Error: no keys]`)
    expect(failedWith(Object.assign(Object.create(null), { code: 7 }))).toBe(`${prefix}{ code: 7 }`)
  })

  it("a Redacted value is rendered <redacted>, wherever it is, and its secret never", () => {
    class LoginFailed extends Data.TaggedError("LoginFailed")<{ readonly user: string; readonly password: Redacted.Redacted }> {}
    const message = failedWith(new LoginFailed({ user: "ada", password: Redacted.make("hunter2") }))
    expect(message).toBe(`${prefix}LoginFailed { user: "ada", password: <redacted> }`)
    expect(failedWith(Redacted.make("hunter2"))).toBe(`${prefix}<redacted>`)
    expect(failedWith(new Error("denied", { cause: [Redacted.make("hunter2")] }))).toBe(`${prefix}Error: denied: caused by [<redacted>]`)
  })

  it("plain objects, arrays, Maps and Sets are rendered as data, nested strings quoted", () => {
    expect(failedWith({ code: 7, detail: { retry: true, after: [1, "2"] } })).toBe(
      `${prefix}{ code: 7, detail: { retry: true, after: [1, "2"] } }`
    )
    expect(failedWith({ "content-type": "text/html", headers: new Map([["x", 1]]), seen: new Set(["a"]) })).toBe(
      `${prefix}{ "content-type": "text/html", headers: Map(1) { "x" => 1 }, seen: Set(1) { "a" } }`
    )
  })

  it("null, undefined, symbols, bigints and strings are rendered as String gives them, a bigint with its n", () => {
    expect([null, undefined, Symbol("db"), 12n, 4.5, false, "boom"].map(failedWith)).toEqual(
      ["null", "undefined", "Symbol(db)", "12n", "4.5", "false", "boom"].map((rendered) => `${prefix}${rendered}`)
    )
    expect(failedWith({ _tag: "Odd", a: null, b: undefined, c: Symbol("db"), d: 12n, f: () => 1 })).toBe(
      `${prefix}Odd { a: null, b: undefined, c: Symbol(db), d: 12n, f: [Function f] }`
    )
  })

  it("an Effect Cause is rendered as its failures and defects, or as interrupted; line breaks of messages fold", () => {
    expect(failedWith(Cause.parallel(Cause.fail(new Refused()), Cause.die(new Error("finalizer broke"))))).toBe(
      `${prefix}Refused and Error: finalizer broke`
    )
    expect(failedWith(Cause.interrupt(FiberId.none))).toBe(`${prefix}interrupted`)
    const resolution = new Errors.ResolutionError({
      problems: [new Errors.CircularDependency({ path: [], cycle: ["A", "B", "A"] })]
    })
    expect(failedWith(resolution)).toBe(`${prefix}ResolutionError: 1 problem resolving the graph: - circular dependency A -> B -> A: break it by moving what they share into a component of its own, or look one up at run time with Container.get (a Dependency.lazy request still counts)`)
  })

  it("layerwise's own errors as causes are not repeated: their message already renders their cause", () => {
    const inner = new Errors.ConstructionError({ component: "Pool", path: ["Pool"], cause: new Error("refused") })
    const hook = new Errors.HookFailed({ component: "Api", path: ["Api"], phase: "start", hook: "onStart", cause: inner })
    expect(hook.message).toBe(
      "Api: start hook of Api failed: ConstructionError: Pool: constructor of Pool failed: Error: refused"
    )
    const release = new Errors.ReleaseError({ component: "Db", path: ["Api", "Db"], cause: new StoreError({ reason: "flush" }) })
    expect(release.message).toBe("Api -> Db: releasing Db failed: StoreError { reason: \"flush\" }")
  })

  it("any value, errors wrapping any value and tagged objects holding any value render without throwing, within 2,000 characters", () => {
    const anything = fc.anything({
      withBigInt: true,
      withBoxedValues: true,
      withDate: true,
      withMap: true,
      withNullPrototype: true,
      withObjectString: true,
      withSet: true,
      withSparseArray: true,
      withTypedArray: true
    })
    const value = fc.oneof(
      anything,
      fc.tuple(fc.string(), anything).map(([message, cause]) => new Error(message, { cause })),
      fc.tuple(fc.string(), fc.dictionary(fc.string(), anything)).map(([tag, fields]) => ({ ...fields, _tag: tag })),
      fc.tuple(fc.string(), anything).map(([reason, cause]) => new StoreError({ reason, cause }))
    )
    fc.assert(fc.property(value, (cause) => {
      const message = failedWith(cause)
      expect(message.startsWith(prefix)).toBe(true)
      expect(message.length).toBeLessThanOrEqual(prefix.length + 2000 + "…(truncated)".length)
    }), { numRuns: 500, seed: 20261212 })
  })

  it("the multi-line rendering (for a console) puts each cause on a line of its own and keeps the messages' line breaks", () => {
    const chain = new Error("request failed", {
      cause: new DbDown({ host: "db1", port: 5432, cause: new Error("two\nlines") })
    })
    expect(describeValue(chain, { multiline: true })).toBe(
      "Error: request failed\ncaused by DbDown { host: \"db1\", port: 5432 }\ncaused by Error: two\nlines"
    )
    expect(describeValue(chain)).toBe(
      "Error: request failed: caused by DbDown { host: \"db1\", port: 5432 }: caused by Error: two lines"
    )
  })
})

describe("Errors.UnknownComponent", () => {
  it("suggests close names as every message does: did you mean A or B?", () => {
    // Regression: it listed them as "did you mean S3, Dc?", where a missing service's message says "S3 or Dc"
    expect(new Errors.UnknownComponent({ name: "Db", suggestions: ["S3", "Dc"] }).message).toBe("no component is named Db (did you mean S3 or Dc?)")
    expect(new Errors.UnknownComponent({ name: "Db", suggestions: [] }).message).toBe("no component is named Db")
  })
})
