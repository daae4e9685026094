import { describe, expect, it } from "@effect/vitest"
import { Data, Effect } from "effect"
import { Errors } from "../src/index.js"

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
        "Api -> UserRepo -> Database: no component provides Database (available: Cache, Logger)"
      )
    })

    it("says 'none' when nothing is available, and starts at the request for a root", () => {
      expect(missing({ path: [], available: [] }).message).toBe("Database: no component provides Database (available: none)")
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
        "Api -> UserRepo -> Database@replica: no component provides Database@replica (available: Database); " +
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
        "Api -> UserRepo -> Database@replica: no component provides Database@replica (available: Cache, Logger); " +
          "candidates that do not match it: main; " +
          "candidates excluded by their conditions: replicaS3 (profile prod), Database ((property db = x) and (profile y)); " +
          "did you mean Databases?"
      )
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
        "Api -> UserRepo -> Database: no component provides Database (available: S1, S2, S3, S4, S5, S6, S7, S8, S9, S10, S11, S12, and 2 more)"
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

  it("CircularDependency shows the path to the cycle, then the cycle", () => {
    expect(new Errors.CircularDependency({ path: ["Api"], cycle: ["A", "B", "A"] }).message).toBe(
      "Api: circular dependency A -> B -> A"
    )
    expect(new Errors.CircularDependency({ path: [], cycle: ["A", "A"] }).message).toBe("circular dependency A -> A")
  })

  it("DuplicateName names the name and the services given it", () => {
    expect(new Errors.DuplicateName({ name: "db", services: ["Database", "Cache"] }).message).toBe(
      "duplicate component name \"db\": given to 2 components (providing Database, Cache); names must be unique in a registry"
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
      message({ _tag: "Replacement", name: "db" }, { code: "ReplacementService", provides: "Cache", replaced: "Database" }),
      message({ _tag: "Replacement", name: "db" }, {
        code: "ReplacedTwice",
        replacements: [{ name: "Database", construct: "Value" }, { name: "fake", construct: "Layer" }]
      }),
      message({ _tag: "Component", name: "Api" }, { code: "InvalidConstructor", expected: "Effect", got: "undefined" }),
      message({ _tag: "Member", name: "F(a)" }, { code: "MemberConstructor", got: "1" }),
      message({ _tag: "Member", name: "F(a)" }, { code: "UnsettledMerge" })
    ]).toEqual([
      "invalid registry entry #2: expected a Component or a Registry, got 42",
      "invalid root #1: a root must be a Context.Tag or a Dependency request, got x",
      "invalid condition \"profile a\": it threw: boom",
      "invalid replacement of \"db\": no component is named \"db\" (names: a, b)",
      "invalid replacement of \"db\": no component is named \"db\" (names: none: the registry's 2 components are invalid)",
      "invalid replacement of \"db\": it provides Cache, but \"db\" provides Database",
      "invalid replacement of \"db\": it is replaced 2 times (by Database (a value), then fake (a Layer)): replace a name once",
      "invalid component Api: its build must be an Effect, got undefined",
      "invalid family member F(a): its family's build function must return an Effect, got 1",
      "invalid family member F(a): merging the arguments of its requests keeps changing its dependencies; make merge settle (idempotent and commutative)"
    ])
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
      "1 problem resolving the graph:\n  - Api -> UserRepo -> Database: no component provides Database (available: Cache, Logger)"
    )
    const two = new Errors.ResolutionError({
      problems: [missing(), new Errors.CircularDependency({ path: [], cycle: ["A", "A"] })]
    })
    expect(two.message).toBe(
      "2 problems resolving the graph:\n" +
        "  - Api -> UserRepo -> Database: no component provides Database (available: Cache, Logger)\n" +
        "  - circular dependency A -> A"
    )
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

    it("renders other objects as JSON, or with String when they cannot be serialised", () => {
      expect(failed({ code: 7 }).message).toBe("Api -> Database: constructor of Database failed: {\"code\":7}")
      const circular: { self?: unknown } = {}
      circular.self = circular
      expect(failed(circular).message).toBe("Api -> Database: constructor of Database failed: [object Object]")
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

describe("Errors: causes without a message", () => {
  it("a tagged failure with an empty message is rendered by its tag alone", () => {
    class Refused extends Data.TaggedError("Refused")<{}> {}
    const error = new Errors.ConstructionError({ component: "Db", path: ["Api", "Db"], cause: new Refused() })
    expect(error.message).toBe("Api -> Db: constructor of Db failed: Refused")
  })

  it("a release failure names the component and its path", () => {
    const error = new Errors.ReleaseError({ component: "Db", path: ["Api", "Db"], cause: new Error("socket closed") })
    expect(error.message).toBe("Api -> Db: releasing Db failed: Error: socket closed")
  })
})
