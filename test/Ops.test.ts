import { FetchHttpClient, HttpApi, HttpApiBuilder, HttpApiClient, HttpServer } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Cause, Chunk, Context, Data, Deferred, Effect, Either, Exit, FastCheck as fc, Fiber, Layer, Option, Redacted, Ref, Schema, TestClock } from "effect"
import { App, Component, Container, Dependency, Explain, Health, Lifecycle, Lifetime, Options, Qualifier, Registry, type Report, Resolver } from "layerwise"
import * as Ops from "layerwise/Ops"
import * as fs from "node:fs"
import { createServer } from "node:http"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import ts from "typescript"
import { dag, nameOf } from "./helpers/graph.js"

// ---------------------------------------------------------------------------------------------
// the startup timeline, from a plan and a report made by hand

const planOf = (registry: Registry.Registry, roots: ReadonlyArray<Context.Tag<any, any>>): Explain.PlanJson =>
  Explain.toJson(Either.getOrThrow(Resolver.resolve(registry, roots)))

type Phases = Partial<Record<"build" | "initialize" | "start", readonly [at: number, duration: number]>>

/** A report of a run where each component went through the phases given, at those times. */
const reportOf = (plan: Explain.PlanJson, phases: Record<string, Phases>, startup: number): Report.Report => ({
  success: true,
  ending: "shutdown",
  shutdownReason: null,
  startedAt: Date.UTC(2026, 11, 6, 9, 0, 0),
  startup,
  running: 0,
  shutdown: 0,
  components: plan.nodes.map((node) => ({
    name: node.name,
    service: node.service,
    startup: node.lifecycle?.startup ?? null,
    state: "started",
    phases: (["build", "initialize", "start"] as const).flatMap((phase) => {
      const timing = phases[node.name]?.[phase]
      return timing === undefined
        ? []
        : [{ phase, at: timing[0], duration: timing[1], outcome: "success" as const, hook: null, error: null }]
    })
  })),
  errors: []
})

class Config extends Context.Tag("Config")<Config, string>() {}
class Database extends Context.Tag("Database")<Database, string>() {}
class Cache extends Context.Tag("Cache")<Cache, string>() {}
class Api extends Context.Tag("Api")<Api, string>() {}
class Unused extends Context.Tag("Unused")<Unused, string>() {}

describe("Ops.startupTimeline", () => {
  it("follows, back from the phase that ended last, the dependency that ended last: builds, the component's own initializers, the end of the whole build, then starts", () => {
    const plan = planOf(
      Registry.make(
        Component.succeed(Config, "c"),
        Component.make(Database, { dependencies: [Config], build: Config }).pipe(Lifecycle.onStart(() => Effect.void)),
        Component.succeed(Cache, "cache"),
        Component.make(Api, { dependencies: [Database, Cache], build: Database }).pipe(
          Lifecycle.initializer(() => Effect.void),
          Lifecycle.onStart(() => Effect.void)
        )
      ),
      [Api]
    )
    const timeline = Ops.startupTimeline(
      plan,
      reportOf(plan, {
        Config: { build: [0, 5] },
        Database: { build: [5, 20], start: [32, 8] },
        Cache: { build: [0, 8.04] },
        Api: { build: [25, 5], initialize: [30, 2], start: [40, 10.26] }
      }, 50.26)
    )
    expect(timeline).toEqual({
      startedAt: "2026-12-06T09:00:00.000Z",
      duration: 50.3,
      components: [
        { name: "Config", service: "Config", state: "started", startup: null, stage: null, phases: [{ phase: "build", at: 0, duration: 5, outcome: "success" }] },
        {
          name: "Database",
          service: "Database",
          state: "started",
          startup: null,
          stage: null,
          phases: [{ phase: "build", at: 5, duration: 20, outcome: "success" }, { phase: "start", at: 32, duration: 8, outcome: "success" }]
        },
        { name: "Cache", service: "Cache", state: "started", startup: null, stage: null, phases: [{ phase: "build", at: 0, duration: 8, outcome: "success" }] },
        {
          name: "Api",
          service: "Api",
          state: "started",
          startup: null,
          stage: null,
          phases: [
            { phase: "build", at: 25, duration: 5, outcome: "success" },
            { phase: "initialize", at: 30, duration: 2, outcome: "success" },
            { phase: "start", at: 40, duration: 10.3, outcome: "success" }
          ]
        }
      ],
      criticalPath: [
        { component: "Config", phase: "build", at: 0, duration: 5, via: null },
        { component: "Database", phase: "build", at: 5, duration: 20, via: "dependency" },
        { component: "Api", phase: "build", at: 25, duration: 5, via: "dependency" },
        { component: "Api", phase: "initialize", at: 30, duration: 2, via: "component" },
        { component: "Database", phase: "start", at: 32, duration: 8, via: "built" },
        { component: "Api", phase: "start", at: 40, duration: 10.3, via: "dependency" }
      ]
    })
  })

  it("follows startup stages: a higher order's builds and starts wait for every component of the lower orders, and a component without start hooks passes the wait on", () => {
    class Migrations extends Context.Tag("Migrations")<Migrations, string>() {}
    class Router extends Context.Tag("Router")<Router, string>() {}
    class Server extends Context.Tag("Server")<Server, string>() {}
    const plan = planOf(
      Registry.make(
        Component.succeed(Migrations, "m").pipe(Lifecycle.startup(0), Lifecycle.onStart(() => Effect.void)),
        Component.succeed(Router, "r"),
        Component.make(Server, { dependencies: [Router], build: Router }).pipe(Lifecycle.startup(10), Lifecycle.onStart(() => Effect.void))
      ),
      [Migrations, Server]
    )
    const timeline = Ops.startupTimeline(
      plan,
      reportOf(plan, {
        Migrations: { build: [0, 30], start: [40, 30] },
        Router: { build: [30, 5] },
        Server: { build: [35, 5], start: [70, 10] }
      }, 80)
    )
    expect(timeline.components.map((component) => [component.name, component.startup, component.stage])).toEqual([
      ["Migrations", 0, 0],
      ["Router", null, 1],
      ["Server", 10, 1]
    ])
    expect(timeline.criticalPath).toEqual([
      { component: "Migrations", phase: "build", at: 0, duration: 30, via: null },
      { component: "Router", phase: "build", at: 30, duration: 5, via: "stage" },
      { component: "Server", phase: "build", at: 35, duration: 5, via: "dependency" },
      { component: "Migrations", phase: "start", at: 40, duration: 30, via: "built" },
      { component: "Server", phase: "start", at: 70, duration: 10, via: "stage" }
    ])
  })

  it("counts what a constructor looked up during the build (the report's lookups) as a dependency: its build and its start wait for it, in its startup stage", () => {
    class Slow extends Context.Tag("Slow")<Slow, string>() {}
    const plan = planOf(
      Registry.make(
        Component.succeed(Slow, "s").pipe(Lifecycle.onStart(() => Effect.void)),
        Component.make(Api, { dependencies: [Container.Container], build: Effect.succeed("api") }).pipe(
          Lifecycle.startup(0),
          Lifecycle.onStart(() => Effect.void)
        )
      ),
      [Api, Slow]
    )
    // Api's build began at 0 and waited, in its constructor, for Slow's (its lookup)
    const report = reportOf(plan, { Slow: { build: [0, 100], start: [101, 20] }, Api: { build: [0, 101], start: [121, 4] } }, 125)
    const timeline = Ops.startupTimeline(plan, { ...report, lookups: [{ component: "Api", lookedUp: "Slow" }] })
    expect(timeline.components.map((component) => [component.name, component.stage])).toEqual([["Api", 0], ["Slow", 0]])
    // what it looked up is listed with it (the page draws it as a dashed edge); nothing with what looked up nothing
    expect(timeline.components.map((component) => [component.name, component.lookedUp])).toEqual([["Api", ["Slow"]], ["Slow", undefined]])
    expect(timeline.criticalPath).toEqual([
      { component: "Slow", phase: "build", at: 0, duration: 100, via: null },
      { component: "Api", phase: "build", at: 0, duration: 101, via: "lookup" },
      { component: "Slow", phase: "start", at: 101, duration: 20, via: "built" },
      { component: "Api", phase: "start", at: 121, duration: 4, via: "lookup" }
    ])
    // without the report's lookups, nothing says that Api waited for Slow
    expect(Ops.startupTimeline(plan, report).criticalPath).toEqual([
      { component: "Api", phase: "build", at: 0, duration: 101, via: null },
      { component: "Api", phase: "start", at: 121, duration: 4, via: "built" }
    ])
  })

  it.effect("under App, a constructor that looks up a slow singleton during the build waited for it: the critical path goes through its build", () =>
    Effect.gen(function*() {
      // Regression: the path was 'Api build 100 ms' alone (at 0, via null): the plan has no edge from Api to Slow
      class Slow extends Context.Tag("Slow")<Slow, string>() {}
      const app = App.make(
        Registry.make(
          Component.make(Slow, { build: Effect.as(Effect.sleep("100 millis"), "slow") }),
          Component.make(Api, { dependencies: [Container.Container], build: Effect.map(Container.get(Slow), (slow) => `api on ${slow}`) })
        ),
        { roots: [Api, Slow] }
      )
      const { plan, report } = yield* Effect.scoped(Effect.gen(function*() {
        const starting = yield* Effect.fork(App.start(app))
        while (Chunk.size(yield* TestClock.sleeps()) === 0) yield* Effect.yieldNow()
        yield* TestClock.adjust("100 millis")
        const running = yield* Fiber.join(starting)
        return { plan: Explain.toJson(running.plan), report: yield* App.report(running) }
      }))
      expect(report.lookups).toEqual([{ component: "Api", lookedUp: "Slow" }])
      expect(Ops.startupTimeline(plan, report).criticalPath).toEqual([
        { component: "Slow", phase: "build", at: 0, duration: 100, via: null },
        { component: "Api", phase: "build", at: 0, duration: 100, via: "lookup" }
      ])
    }))

  it("a lookup of what is not in the plan, of itself, or that closes a cycle with the plan's edges (a report written by hand) orders nothing and is not listed", () => {
    const plan = planOf(
      Registry.make(
        Component.succeed(Config, "c"),
        Component.succeed(Database, "db"),
        Component.make(Api, { dependencies: [Database], build: Database })
      ),
      [Api, Config]
    )
    const report = reportOf(plan, { Config: { build: [0, 50] }, Database: { build: [0, 10] }, Api: { build: [10, 5] } }, 50)
    const lookups = [{ component: "Database", lookedUp: "Api" }, { component: "Api", lookedUp: "Plugin" }, { component: "Api", lookedUp: "Api" }]
    expect(Ops.startupTimeline(plan, { ...report, lookups })).toEqual(Ops.startupTimeline(plan, report))
  })

  it("nothing ended yet: no phase, no critical path", () => {
    const plan = planOf(Registry.make(Component.succeed(Config, "c")), [Config])
    const report = reportOf(plan, {}, 0)
    expect(Ops.startupTimeline(plan, report)).toEqual({
      startedAt: "2026-12-06T09:00:00.000Z",
      duration: 0,
      components: [{ name: "Config", service: "Config", state: "started", startup: null, stage: null, phases: [] }],
      criticalPath: []
    })
  })

  it("for any graph, startup orders and durations run as early as App's contract allows, the critical path runs without a gap from 0 to the end of the startup", () => {
    const scenario = dag({ maxSize: 10 }).chain((graph) =>
      fc.record({
        graph: fc.constant(graph),
        nodes: fc.array(
          fc.record({
            startup: fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }),
            build: fc.integer({ min: 1, max: 20 }),
            initialize: fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
            start: fc.option(fc.integer({ min: 1, max: 20 }), { nil: undefined })
          }),
          { minLength: graph.length, maxLength: graph.length }
        )
      })
    )
    fc.assert(
      fc.property(scenario, ({ graph, nodes }) => {
        const tags = graph.map((_, id) => Context.GenericTag<string>(nameOf(id)))
        const registry = Registry.make(...graph.map((dependencies, id) => {
          const spec = nodes[id]!
          let component: Component.Component<string, string> = Component.make(tags[id]!, {
            dependencies: dependencies.map((target) => tags[target]!),
            build: Effect.succeed("")
          } as never)
          if (spec.startup !== undefined) component = component.pipe(Lifecycle.startup(spec.startup))
          if (spec.initialize !== undefined) component = component.pipe(Lifecycle.initializer(() => Effect.void))
          if (spec.start !== undefined) component = component.pipe(Lifecycle.onStart(() => Effect.void))
          return component
        }))
        const plan = planOf(registry, tags)
        const id = (name: string) => Number(name.slice(1))
        // the model: stages as App's contract defines them, and every phase as early as it may begin
        const rank = graph.map((_, node) => {
          let lowest = Number.POSITIVE_INFINITY
          for (let other = node; other < graph.length; other++) {
            const reaches = (from: number): boolean => from === node || graph[from]!.some(reaches)
            const startup = nodes[other]!.startup
            if (startup !== undefined && startup < lowest && reaches(other)) lowest = startup
          }
          return lowest
        })
        const ranks = [...new Set(rank)].filter(Number.isFinite).sort((a, b) => a - b)
        const order = [...ranks.map((value) => graph.map((_, node) => node).filter((node) => rank[node] === value)), graph.map((_, node) => node).filter((node) => !Number.isFinite(rank[node]!))]
        const schedule = (own: (node: number) => number, base: number) => {
          const at: Array<number> = [], done: Array<number> = []
          let lower = 0
          order.forEach((bucket, index) => {
            let stageDone = lower
            for (const node of bucket) {
              at[node] = Math.max(base, index < order.length - 1 ? lower : 0, ...graph[node]!.map((target) => done[target]!))
              done[node] = at[node]! + own(node)
              stageDone = Math.max(stageDone, done[node]!)
            }
            lower = stageDone
          })
          return { at, done }
        }
        const builds = schedule((node) => nodes[node]!.build + (nodes[node]!.initialize ?? 0), 0)
        const built = Math.max(...builds.done)
        const starts = schedule((node) => nodes[node]!.start ?? 0, built)
        const phases: Record<string, Phases> = {}
        graph.forEach((_, node) => {
          const spec = nodes[node]!
          const buildAt = builds.at[node]!
          phases[nameOf(node)] = {
            build: [buildAt, spec.build],
            ...(spec.initialize !== undefined ? { initialize: [buildAt + spec.build, spec.initialize] as const } : {}),
            ...(spec.start !== undefined ? { start: [starts.at[node]!, spec.start] as const } : {})
          }
        })
        const end = Math.max(...starts.done, built)
        const path = Ops.startupTimeline(plan, reportOf(plan, phases, end)).criticalPath
        expect(path.length).toBeGreaterThan(0)
        expect(path[0]!.at).toBe(0)
        expect(path[0]!.via).toBe(null)
        expect(path.at(-1)!.at + path.at(-1)!.duration).toBe(end)
        path.slice(1).forEach((step, index) => {
          const before = path[index]!
          expect(step.at).toBe(before.at + before.duration)
          // each step follows one edge, one stage, the end of the build, or the component's own build
          switch (step.via) {
            case "dependency":
              // a build after its dependency's build (with its initializers), a start after its start
              expect([
                step.phase === "start" ? before.phase : before.phase === "initialize" ? "build" : before.phase,
                graph[id(step.component)]!.includes(id(before.component))
              ]).toEqual([step.phase, true])
              break
            case "stage":
              expect(rank[id(before.component)]!).toBeLessThan(rank[id(step.component)]!)
              break
            case "built":
              expect([before.phase === "start", step.phase]).toEqual([false, "start"])
              break
            case "component":
              expect([step.component, before.phase, step.phase]).toEqual([before.component, "build", "initialize"])
              break
            default:
              expect.unreachable(`step ${index + 1} has no via`)
          }
        })
      }),
      { numRuns: 200, seed: 20261212 }
    )
  })
})

// ---------------------------------------------------------------------------------------------
// the ops API on loopback, served by Ops.serve

class PortProbe extends Context.Tag("test/PortProbe")<PortProbe, void>() {}

/** A component that tells the test where the ops server listens, as soon as it is built. */
const portProbe = (port: Deferred.Deferred<number>) =>
  Component.make(PortProbe, {
    dependencies: [Ops.Server],
    build: Effect.flatMap(Ops.Server, (server) => Deferred.succeed(port, server.port))
  }).pipe(Lifecycle.startup(Number.MIN_SAFE_INTEGER))

interface Answer {
  readonly status: number
  readonly contentType: string | null
  readonly cacheControl: string | null
  readonly body: any
  readonly text: string
}

const get = (port: number, route: string): Effect.Effect<Answer> =>
  Effect.promise(async () => {
    const response = await fetch(`http://127.0.0.1:${port}${route}`)
    const text = await response.text()
    const contentType = response.headers.get("content-type")
    return {
      status: response.status,
      contentType,
      cacheControl: response.headers.get("cache-control"),
      body: contentType === "application/json" ? JSON.parse(text) : text,
      text
    }
  })

/** Starts the application with an ops server on a free loopback port (in a fiber: it may wait in its start hooks). */
const startWithOps = (
  registry: Registry.Registry,
  expose: Ops.Options["expose"],
  roots: ReadonlyArray<Context.Tag<any, any>>,
  options?: Omit<Ops.Options, "expose">
) =>
  Effect.gen(function*() {
    const port = yield* Deferred.make<number>()
    const app = App.make(Registry.make(registry, Ops.serve({ ...options, port: 0, host: "127.0.0.1", expose }), portProbe(port)), { roots })
    const starting = yield* Effect.fork(App.start(app))
    return { starting, port: yield* Deferred.await(port) }
  })

const DatabaseLive = Component.make(Database, { dependencies: [Config], build: Effect.map(Config, (url) => `db at ${url}`) }).pipe(
  Component.qualified(["main"]),
  Component.primary,
  Lifecycle.healthCheck(() => Effect.void, { name: "ping" })
)
const ReplicaLive = Component.succeed(Database, "replica").pipe(Component.named("replica"), Component.qualified([Qualifier.make("replica")]))
const ApiLive = Component.make(Api, { dependencies: [Database, Dependency.optional(Cache)], build: Database }).pipe(
  Lifecycle.onStart(() => Effect.void, { name: "listen" })
)
const registry = Registry.make(Component.succeed(Config, "postgres://main"), DatabaseLive, ReplicaLive, ApiLive)

const notExposed = (route: string, section: Ops.Section) => ({
  status: 404,
  body: { error: `GET ${route} is not exposed: add "${section}" to the ops options' expose (or expose "all")`, section }
})

const durationsRounded = (value: unknown): boolean =>
  JSON.stringify(value, (key, field) => (key === "duration" || key === "at") && Math.round(field * 10) !== field * 10 ? "unrounded" : field)
    .includes("unrounded") === false

describe("the ops API (Ops.serve, on loopback)", () => {
  it.live("by default only liveness and readiness are exposed: every other section answers 404 saying how to expose it, and the page says which sections it needs", () =>
    Effect.scoped(Effect.gen(function*() {
      const { port, starting } = yield* startWithOps(registry, undefined, [Api])
      yield* Fiber.join(starting)
      const live = yield* get(port, "/ops/live")
      expect([live.status, live.contentType, live.cacheControl, live.body]).toEqual([200, "application/json", "no-store", { live: true }])
      const ready = yield* get(port, "/ops/ready")
      expect([ready.status, ready.body]).toEqual([200, { ready: true, state: "started" }])
      const sections: ReadonlyArray<readonly [string, Ops.Section]> = [
        ["/ops/health", "health"],
        ["/ops/graph", "graph"],
        ["/ops/graph.mmd", "graph"],
        ["/ops/components/Api", "components"],
        ["/ops/startup", "startup"],
        ["/ops/metrics", "metrics"],
        ["/ops/options", "options"],
        ["/ops/containers", "containers"]
      ]
      for (const [route, section] of sections) {
        const answer = yield* get(port, route)
        expect({ status: answer.status, body: answer.body }).toEqual(notExposed(route, section))
      }
      const page = yield* get(port, "/ops/")
      expect([page.status, page.contentType]).toEqual([404, "text/html; charset=utf-8"])
      expect(page.text).toContain("The ops page needs the sections <code>graph</code>, <code>health</code> and <code>startup</code> exposed; not exposed here: <code>graph</code>, <code>health</code>, <code>startup</code>.")
      expect((yield* get(port, "/ops/nothing")).status).toBe(404)
    })))

  it.live("exposed, each endpoint answers with its exact shape: health per component and check, the graph as Explain gives it, one component explained, the startup timeline, metrics", () =>
    Effect.scoped(Effect.gen(function*() {
      // Unused: registered, requested by nothing
      const { port, starting } = yield* startWithOps(Registry.make(registry, Component.succeed(Unused, "unused")), "all", [Api])
      const running = yield* Fiber.join(starting)
      const names = running.plan.nodes.map((node) => node.name)
      // the plan has layerwise's own service the ops endpoints request; the application's components do not
      expect(names).toEqual(["Config", "Database", "Api", "layerwise/App/Application", "layerwise/Ops/Server", "test/PortProbe"])
      const components = ["Config", "Database", "Api", "layerwise/Ops/Server", "test/PortProbe"]

      const health = yield* get(port, "/ops/health")
      expect([health.status, health.cacheControl]).toEqual([200, "no-store"])
      const phase = (name: string) => ({ id: `${name}/phase`, name: "phase", status: "healthy", duration: 0 })
      expect(health.body).toEqual({
        healthy: true,
        state: "started",
        timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        components: components.map((name) => ({
          name,
          state: "started",
          status: "healthy",
          checks: name === "Database"
            ? [phase(name), { id: "Database/ping", name: "ping", status: "healthy", duration: expect.any(Number) }]
            : [phase(name)]
        }))
      })
      expect(durationsRounded(health.body)).toBe(true)
      // a Health.Report with more: it decodes as one
      expect(Schema.decodeUnknownSync(Health.Report)(health.body).components.map((component) => component.name)).toEqual(components)

      const graph = yield* get(port, "/ops/graph")
      expect([graph.status, graph.body]).toEqual([200, Explain.toJson(running.plan)])
      const mermaid = yield* get(port, "/ops/graph.mmd")
      expect([mermaid.status, mermaid.contentType, mermaid.text]).toEqual([200, "text/plain; charset=utf-8", Explain.mermaid(running.plan)])

      const database = yield* get(port, "/ops/components/Database")
      expect(database.status).toBe(200)
      expect(database.body).toEqual({
        name: "Database",
        service: "Database",
        qualifiers: ["main"],
        primary: true,
        alternative: false,
        order: 0,
        override: false,
        construct: "Effect",
        lifetime: null,
        root: false,
        // each choice with the line Explain's text says of it, which the ops page shows
        chosenBy: [{ dependent: "Api", request: "Database", rule: "primary", considered: ["Database", "replica"], text: "chosen for Api -> Database: primary over replica" }],
        dependencies: [{ request: "Config", components: ["Config"], rule: "only", considered: ["Config"] }],
        dependents: ["Api"],
        lifecycle: {
          startup: null,
          initializers: [],
          onStart: [],
          onStop: [],
          disposers: [],
          background: [],
          healthChecks: [{ name: "ping", timeout: null }],
          timeouts: {}
        },
        state: "started",
        startup: null,
        phases: [{ phase: "build", at: expect.any(Number), duration: expect.any(Number), outcome: "success", hook: null, error: null }]
      })
      expect(durationsRounded(database.body)).toBe(true)
      const explained = Explain.componentText(Either.getOrThrow(Explain.component(running.plan, "Database")))
      expect(explained.split("\n").filter((line) => line.startsWith("  chosen for ")).map((line) => line.trim()))
        .toEqual((database.body as Ops.ComponentJson).chosenBy.map((choice) => choice.text))
      const api = (yield* get(port, "/ops/components/Api")).body as Ops.ComponentJson
      expect([api.root, api.chosenBy, api.dependencies, api.dependents, api.phases.map((record) => record.phase)]).toEqual([
        true,
        [{ dependent: null, request: "Api", rule: "only", considered: ["Api"], text: "chosen for the root -> Api: the only candidate" }],
        [
          { request: "Database", components: ["Database"], rule: "primary", considered: ["Database", "replica"] },
          { request: "Option<Cache>", components: [], rule: "absent", considered: [] }
        ],
        [],
        ["build", "start"]
      ])
      // a name with slashes, encoded
      expect((yield* get(port, "/ops/components/layerwise%2FOps%2FServer")).body.lifecycle.startup).toBe(Number.MIN_SAFE_INTEGER)
      const unknown = yield* get(port, "/ops/components/Databse")
      expect([unknown.status, unknown.body]).toEqual([404, { error: "no component is named \"Databse\"", suggestions: ["Database"] }])
      // a registered component the plan left out says why, in Explain.component's words (it said "no component is
      // named"), its name quoted as in the other answers (it was not)
      const lost = yield* get(port, "/ops/components/replica")
      expect([lost.status, lost.body]).toEqual([404, { error: "\"replica\" is not in the plan: Api -> Database chose Database (primary)", suggestions: [] }])
      const unused = yield* get(port, "/ops/components/Unused")
      expect([unused.status, unused.body]).toEqual([404, {
        error: "\"Unused\" is not in the plan: nothing requests it (no root, nor a dependency of a component in the plan)",
        suggestions: []
      }])
      const own = yield* get(port, "/ops/components/layerwise%2FApp%2FApplication")
      expect([own.status, own.body]).toEqual([404, {
        error: "\"layerwise/App/Application\" is one of layerwise's own services, not a component of the application",
        suggestions: []
      }])
      expect((yield* get(port, "/ops/components/layerwise%2FApp%2FApplicatio")).body.suggestions).toEqual([])

      const startup = yield* get(port, "/ops/startup")
      expect(startup.status).toBe(200)
      const timeline = Schema.decodeUnknownSync(Ops.StartupJson)(startup.body)
      expect(timeline).toEqual(Ops.startupTimeline(Explain.toJson(running.plan), yield* App.report(running)))
      expect(timeline.components.map((component) => [component.name, component.stage, component.phases.map((record) => record.phase)])).toEqual([
        ["Config", null, ["build"]],
        ["Database", null, ["build"]],
        ["Api", null, ["build", "start"]],
        ["layerwise/Ops/Server", 0, ["build"]],
        ["test/PortProbe", 0, ["build"]]
      ])
      // the startup ended with Api's start, the only start hook, once everything was built
      expect(timeline.criticalPath.at(-1)).toMatchObject({ component: "Api", phase: "start", via: "built" })

      const metrics = yield* get(port, "/ops/metrics")
      expect(metrics.body).toEqual({
        components: 5,
        states: { pending: 0, building: 0, built: 0, starting: 0, started: 5, stopping: 0, stopped: 0, releasing: 0, released: 0, failed: 0 },
        phases: [
          { phase: "build", count: 5, total: expect.any(Number), max: expect.any(Number) },
          { phase: "initialize", count: 0, total: 0, max: 0 },
          { phase: "start", count: 1, total: expect.any(Number), max: expect.any(Number) },
          { phase: "background", count: 0, total: 0, max: 0 },
          { phase: "stop", count: 0, total: 0, max: 0 },
          { phase: "dispose", count: 0, total: 0, max: 0 },
          { phase: "release", count: 0, total: 0, max: 0 }
        ],
        startup: expect.any(Number),
        errors: 0
      })
      expect(Schema.is(Ops.MetricsJson)(metrics.body)).toBe(true)

      const page = yield* get(port, "/ops/")
      expect([page.status, page.contentType]).toEqual([200, "text/html; charset=utf-8"])
      expect(page.text).toMatch(/^<!doctype html>/)
    })))

  it.live("readiness is 503 until every component started, 200 once started, and 503 again from the shutdown on; liveness is 200 throughout; each component's phase check follows its state", () =>
    Effect.scoped(Effect.gen(function*() {
      class Slow extends Context.Tag("Slow")<Slow, void>() {}
      const inStart = yield* Deferred.make<void>()
      const finishStart = yield* Deferred.make<void>()
      const inStop = yield* Deferred.make<void>()
      const finishStop = yield* Deferred.make<void>()
      const SlowLive = Component.succeed(Slow, undefined).pipe(
        Lifecycle.onStart(() => Effect.zipRight(Deferred.succeed(inStart, undefined), Deferred.await(finishStart))),
        Lifecycle.onStop(() => Effect.zipRight(Deferred.succeed(inStop, undefined), Deferred.await(finishStop)))
      )
      const { port, starting } = yield* startWithOps(Registry.make(SlowLive), ["health"], [Slow])
      const phaseOf = (answer: Answer) =>
        (answer.body as Ops.HealthJson).components.filter((component) => component.name === "Slow").map((component) => [component.state, component.status, component.checks])

      yield* Deferred.await(inStart)
      expect([(yield* get(port, "/ops/live")).status, (yield* get(port, "/ops/ready")).body]).toEqual([200, { ready: false, state: "starting" }])
      expect((yield* get(port, "/ops/ready")).status).toBe(503)
      const whileStarting = yield* get(port, "/ops/health")
      expect([whileStarting.status, whileStarting.body.healthy, whileStarting.body.state, phaseOf(whileStarting)]).toEqual([
        503,
        false,
        "starting",
        [["starting", "not-running", [{ id: "Slow/phase", name: "phase", status: "unhealthy", duration: 0, error: "not running (starting)" }]]]
      ])

      yield* Deferred.succeed(finishStart, undefined)
      const running = yield* Fiber.join(starting)
      const ready = yield* get(port, "/ops/ready")
      expect([ready.status, ready.body]).toEqual([200, { ready: true, state: "started" }])
      const whileStarted = yield* get(port, "/ops/health")
      expect([whileStarted.status, phaseOf(whileStarted)]).toEqual([
        200,
        [["started", "healthy", [{ id: "Slow/phase", name: "phase", status: "healthy", duration: 0 }]]]
      ])

      const stopping = yield* Effect.fork(App.stop(running))
      yield* Deferred.await(inStop)
      const whileStopping = yield* get(port, "/ops/ready")
      expect([whileStopping.status, whileStopping.body, (yield* get(port, "/ops/live")).status]).toEqual([
        503,
        { ready: false, state: "stopping" },
        200
      ])
      const healthWhileStopping = yield* get(port, "/ops/health")
      expect([healthWhileStopping.status, phaseOf(healthWhileStopping)]).toEqual([
        503,
        [["stopping", "not-running", [{ id: "Slow/phase", name: "phase", status: "unhealthy", duration: 0, error: "not running (stopping)" }]]]
      ])
      yield* Deferred.succeed(finishStop, undefined)
      const report = yield* Fiber.join(stopping)
      expect(report.success).toBe(true)
      // released: the ops server no longer listens
      const after = yield* Effect.exit(Effect.tryPromise(() => fetch(`http://127.0.0.1:${port}/ops/live`)))
      expect(Exit.isFailure(after)).toBe(true)
    })))

  it.live("/ops/startup polled during the build lists what a constructor looked up so far (it waits for it there), not only once the build ended", () =>
    Effect.scoped(Effect.gen(function*() {
      // Regression: the report's lookups were read once the build ended; during it /ops/startup had none
      class Slow extends Context.Tag("Slow")<Slow, string>() {}
      const asked = yield* Deferred.make<void>()
      const finish = yield* Deferred.make<void>()
      const SlowLive = Component.make(Slow, { build: Effect.as(Deferred.await(finish), "slow") })
      const ApiLive = Component.make(Api, {
        dependencies: [Container.Container],
        build: Effect.zipRight(Deferred.succeed(asked, undefined), Effect.map(Container.get(Slow), (slow) => `api on ${slow}`))
      })
      const { port, starting } = yield* startWithOps(Registry.make(SlowLive, ApiLive), ["startup"], [Api, Slow])
      yield* Deferred.await(asked)
      const lookedUp = (answer: Answer) =>
        (answer.body as Ops.StartupJson).components.flatMap((component) => component.lookedUp === undefined ? [] : [[component.name, component.lookedUp]])
      // its wait began right after it said so: recorded as it begins, so told from then on (a few polls at most)
      let during = yield* get(port, "/ops/startup")
      for (let poll = 0; poll < 100 && lookedUp(during).length === 0; poll++) {
        yield* Effect.sleep("5 millis")
        during = yield* get(port, "/ops/startup")
      }
      expect([during.status, lookedUp(during)]).toEqual([200, [["Api", ["Slow"]]]])
      expect((during.body as Ops.StartupJson).components.find((component) => component.name === "Api")?.state).toBe("building")
      yield* Deferred.succeed(finish, undefined)
      yield* Fiber.join(starting)
      expect(lookedUp(yield* get(port, "/ops/startup"))).toEqual([["Api", ["Slow"]]])
    })))

  it.live("no answer shows a secret: a check failing with a Redacted field shows <redacted>; an unhealthy check makes the health 503", () =>
    Effect.scoped(Effect.gen(function*() {
      class VaultDown extends Data.TaggedError("VaultDown")<{ readonly token: Redacted.Redacted<string> }> {}
      class Vault extends Context.Tag("Vault")<Vault, void>() {}
      const VaultLive = Component.succeed(Vault, undefined).pipe(
        Lifecycle.healthCheck(() => Effect.fail(new VaultDown({ token: Redacted.make("hunter2") })), { name: "login" })
      )
      const { port, starting } = yield* startWithOps(Registry.make(VaultLive), "all", [Vault])
      yield* Fiber.join(starting)
      const health = yield* get(port, "/ops/health")
      expect(health.status).toBe(503)
      expect(health.body.components[0]).toEqual({
        name: "Vault",
        state: "started",
        status: "unhealthy",
        checks: [
          { id: "Vault/phase", name: "phase", status: "healthy", duration: 0 },
          { id: "Vault/login", name: "login", status: "unhealthy", duration: expect.any(Number), error: "VaultDown { token: <redacted> }" }
        ]
      })
      for (const route of ["/ops/health", "/ops/graph", "/ops/components/Vault", "/ops/startup", "/ops/metrics"]) {
        expect((yield* get(port, route)).text).not.toContain("hunter2")
      }
    })))

  it.live("a healthy check's details are shown only with healthDetails (not with expose: \"all\" alone), in /ops/health and /ops/ready's checks, secrets redacted", () =>
    Effect.gen(function*() {
      class Broker extends Context.Tag("Broker")<Broker, void>() {}
      const BrokerLive = Component.succeed(Broker, undefined).pipe(
        Lifecycle.healthCheck(() => Effect.succeed(Health.details({ lag: 2, password: Redacted.make("hunter2") })), { name: "lag", readiness: true })
      )
      const checksOf = (healthDetails: boolean | undefined) =>
        Effect.scoped(Effect.gen(function*() {
          const { port, starting } = yield* startWithOps(Registry.make(BrokerLive), "all", [Broker], healthDetails === undefined ? undefined : { healthDetails })
          yield* Fiber.join(starting)
          const health = yield* get(port, "/ops/health")
          const ready = yield* get(port, "/ops/ready")
          expect(health.text + ready.text).not.toContain("hunter2")
          return [health.body.components[0].checks[1], ready.body.checks[0]]
        }))
      const lag = { id: "Broker/lag", name: "lag", status: "healthy", duration: expect.any(Number), readiness: true }
      expect(yield* checksOf(undefined)).toEqual([lag, lag])
      expect(yield* checksOf(false)).toEqual([lag, lag])
      const withDetails = { ...lag, details: { lag: 2, password: "<redacted>" } }
      expect(yield* checksOf(true)).toEqual([withDetails, withDetails])
    }))

  it.live("the options section: every component's effective options and where each came from, a secret's value never shown", () =>
    Effect.scoped(Effect.gen(function*() {
      const VaultOptions = Options.make("vault", {
        url: Schema.String.annotations({ description: "the vault's address" }),
        retries: Schema.optionalWith(Schema.NumberFromString, { default: () => 3 }),
        token: Schema.Redacted(Schema.String)
      })
      class Vault extends Context.Tag("Vault")<Vault, string>() {}
      const VaultLive = Component.make(Vault, { dependencies: [VaultOptions], build: Effect.map(VaultOptions, (options) => options.url) })
      const { port, starting } = yield* startWithOps(Registry.make(VaultLive), ["options"], [Vault]).pipe(
        Effect.withConfigProvider(Options.provider({ argv: ["--vault-url", "https://vault"], env: { VAULT_TOKEN: "hunter2" } }))
      )
      yield* Fiber.join(starting)
      const answer = yield* get(port, "/ops/options")
      expect([answer.status, answer.body]).toEqual([200, {
        options: [
          {
            options: "vault", components: ["Vault"], key: "url", flag: "--vault-url", variable: "VAULT_URL", type: "string",
            description: "the vault's address", secret: false, required: true, value: "\"https://vault\"", source: "flag", from: "--vault-url"
          },
          {
            options: "vault", components: ["Vault"], key: "retries", flag: "--vault-retries", variable: "VAULT_RETRIES", type: "number",
            default: "3", secret: false, required: false, value: "3", source: "default"
          },
          {
            options: "vault", components: ["Vault"], key: "token", flag: "--vault-token", variable: "VAULT_TOKEN", type: "string",
            secret: true, required: true, value: "<redacted>", source: "environment", from: "VAULT_TOKEN"
          }
        ]
      }])
      expect(answer.text).not.toContain("hunter2")
    })))

  it.live("transient and scoped components, never started nor health-checked, are not in the health: an application with them is healthy", () =>
    Effect.scoped(Effect.gen(function*() {
      class RequestUser extends Context.Tag("RequestUser")<RequestUser, string>() {}
      class Stamp extends Context.Tag("Stamp")<Stamp, number>() {}
      const Request = Lifetime.scope("Request")
      const port = yield* Deferred.make<number>()
      const app = App.make(
        Registry.make(
          registry,
          Component.succeed(RequestUser, "ada").pipe(Lifetime.scoped(Request)),
          Component.succeed(Stamp, 1).pipe(Lifetime.transient),
          Ops.serve({ port: 0, host: "127.0.0.1", expose: ["health"] }),
          // with handles or scopes in the plan, App builds at startup the singletons that take part in the lifecycle
          portProbe(port).pipe(Lifecycle.onStart(() => Effect.void))
        ),
        { roots: [Api], scopes: [Request] }
      )
      yield* App.start(app)
      const health = yield* get(yield* Deferred.await(port), "/ops/health")
      expect(health.status).toBe(200)
      expect(health.body.components.map((component: { readonly name: string }) => component.name)).toEqual([
        "Config",
        "Database",
        "Api",
        "layerwise/Ops/Server",
        "test/PortProbe"
      ])
    })))

  it.live("a singleton only a lazy handle reaches is healthy once the application started, before its first use (pending) and after it (built): the application is healthy", () =>
    Effect.scoped(Effect.gen(function*() {
      class Reports extends Context.Tag("Reports")<Reports, string>() {}
      class Handler extends Context.Tag("Handler")<Handler, Effect.Effect<string, unknown>>() {}
      const port = yield* Deferred.make<number>()
      const app = App.make(
        Registry.make(
          Component.succeed(Reports, "report"),
          Component.make(Handler, { dependencies: [Dependency.lazy(Reports)], build: Dependency.lazy(Reports) }),
          Ops.serve({ port: 0, host: "127.0.0.1", expose: ["health"] }),
          portProbe(port)
        ),
        { roots: [Handler] }
      )
      const running = yield* App.start(app)
      const listening = yield* Deferred.await(port)
      const reports = (body: Ops.HealthJson) => body.components.find((component) => component.name === "Reports")
      const before = yield* get(listening, "/ops/health")
      expect([before.status, before.body.healthy, reports(before.body)]).toEqual([200, true, {
        name: "Reports",
        state: "pending",
        status: "healthy",
        checks: [{ id: "Reports/phase", name: "phase", status: "healthy", duration: 0 }]
      }])
      expect(yield* Effect.flatten(Effect.provide(Handler, running.context))).toBe("report")
      const after = yield* get(listening, "/ops/health")
      expect([after.status, after.body.healthy, reports(after.body)]).toEqual([200, true, {
        name: "Reports",
        state: "built",
        status: "healthy",
        checks: [{ id: "Reports/phase", name: "phase", status: "healthy", duration: 0 }]
      }])
    })))

  it.live("the containers section: what the running container holds (not layerwise's own services), the children opened at run time with what they built, and what was shut down; never an instance", () =>
    Effect.scoped(Effect.gen(function*() {
      const { port, starting } = yield* startWithOps(registry, ["containers"], [Api, Container.Container])
      const running = yield* Fiber.join(starting)
      const context = running.context as Context.Context<Container.Container>
      const tenant = yield* Container.child("tenant-a", [Component.succeed(Cache, "tenant cache")]).pipe(Effect.provide(context))
      yield* Container.getFrom(tenant, Cache)
      yield* Container.child("idle", []).pipe(Effect.provide(context))
      expect(yield* Container.shutDown("Database").pipe(Effect.provide(context))).toEqual(["Api", "Database"])
      const answer = yield* get(port, "/ops/containers")
      const component = (name: string, built: boolean, shutDown = false, service = name) => ({ name, service, lifetime: "singleton", built, shutDown })
      expect([answer.status, answer.contentType, answer.cacheControl, answer.body]).toEqual([200, "application/json", "no-store", {
        name: "",
        path: [],
        state: "open",
        components: [
          component("Config", true),
          component("Database", false, true),
          component("Api", false, true),
          component("layerwise/Ops/Server", true),
          component("test/PortProbe", true)
        ],
        children: [
          { name: "tenant-a", path: ["tenant-a"], state: "open", components: [component("Cache", true, false, "Cache")], children: [] },
          { name: "idle", path: ["idle"], state: "open", components: [], children: [] }
        ]
      }])
      expect(Schema.decodeUnknownSync(Ops.ContainerJson)(answer.body)).toEqual(Container.snapshot(Context.get(context, Container.Container)))
    })))

  it.live("the health section lists, after the application's components, what child containers built that declares checks, by path: one failing makes it 503", () =>
    Effect.scoped(Effect.gen(function*() {
      const { port, starting } = yield* startWithOps(registry, ["health"], [Api, Container.Container])
      const running = yield* Fiber.join(starting)
      const context = running.context as Context.Context<Container.Container>
      const tenant = yield* Container.child("tenant-a", [
        Component.succeed(Cache, "tenant cache").pipe(Lifecycle.healthCheck(() => Effect.fail("cold"), { name: "warm" })),
        // not looked up: not built, not listed
        Component.succeed(Config, "tenant config").pipe(Lifecycle.healthCheck(() => Effect.void))
      ]).pipe(Effect.provide(context))
      yield* Container.getFrom(tenant, Cache)
      const answer = yield* get(port, "/ops/health")
      expect(answer.status).toBe(503)
      expect(answer.body.healthy).toBe(false)
      expect(answer.body.components.map((component: Ops.HealthComponentJson) => component.name)).toEqual([
        "Config",
        "Database",
        "Api",
        "layerwise/Ops/Server",
        "test/PortProbe",
        "tenant-a/Cache"
      ])
      expect(answer.body.components[5]).toEqual({
        name: "tenant-a/Cache",
        state: "built",
        status: "unhealthy",
        checks: [
          { id: "tenant-a/Cache/phase", name: "phase", status: "healthy", duration: 0 },
          { id: "tenant-a/Cache/warm", name: "warm", status: "unhealthy", duration: expect.any(Number), error: "cold" }
        ]
      })
      expect(Schema.decodeUnknownSync(Health.Report)(answer.body).healthy).toBe(false)
    })))

  it.live("a component asked for by its service's key, where it is named otherwise, answers 404 suggesting the components of that service", () =>
    Effect.scoped(Effect.gen(function*() {
      // Regression: {"error":"no component is named \"Config\"","suggestions":[]}, though the graph shows "settings (Config)"
      const { port, starting } = yield* startWithOps(Registry.make(Component.succeed(Config, "postgres://main").pipe(Component.named("settings"))), ["components"], [Config])
      yield* Fiber.join(starting)
      const unknown = yield* get(port, "/ops/components/Config")
      expect([unknown.status, unknown.body]).toEqual([404, { error: "no component is named \"Config\"", suggestions: ["settings"] }])
    })))

  it.live("the containers section of endpoints made without the container answers 404 saying how to give it one", () =>
    Effect.scoped(Effect.gen(function*() {
      const { starting } = yield* startWithOps(registry, undefined, [Api, App.Application])
      const running = yield* Fiber.join(starting)
      const routes = yield* Ops.router({ expose: ["containers"] }).pipe(
        Effect.provideService(App.Application, Context.get(running.context as Context.Context<App.Application>, App.Application))
      )
      const served = yield* Layer.build(
        HttpServer.serve(routes).pipe(Layer.provideMerge(NodeHttpServer.layer(() => createServer(), { port: 0, host: "127.0.0.1" })))
      )
      const address = Context.get(served, HttpServer.HttpServer).address
      const answer = yield* get(address._tag === "TcpAddress" ? address.port : 0, "/ops/containers")
      expect([answer.status, answer.body]).toEqual([404, {
        error:
          "GET /ops/containers needs the running container: add Container.Container to the dependencies of the component that makes the ops endpoints (Ops.serve requests it itself)",
        section: "containers"
      }])
    })))

  it.live("/ops/ready counts the readiness checks: 503 naming the failing one (no error, no secret) while it fails, 200 once it passes; with health exposed, each check that counts with its error; /ops/live stays 200", () =>
    Effect.scoped(Effect.gen(function*() {
      class Broker extends Context.Tag("Broker")<Broker, string>() {}
      const up = yield* Ref.make(false)
      const BrokerLive = Component.succeed(Broker, "broker").pipe(
        Lifecycle.healthCheck(() => Effect.flatMap(Ref.get(up), (isUp) => isUp ? Effect.void : Effect.fail(new Error(`refused by ${Redacted.make("amqp://user:secret@broker")}`))), {
          name: "connected",
          readiness: true
        }),
        Lifecycle.healthCheck(() => Effect.fail("not counted"), { name: "queue depth" })
      )
      const { port, starting } = yield* startWithOps(Registry.make(registry, BrokerLive), undefined, [Api, Broker, App.Application])
      const running = yield* Fiber.join(starting)
      const down = yield* get(port, "/ops/ready")
      expect([down.status, down.cacheControl, down.body]).toEqual([503, "no-store", { ready: false, state: "started", failing: ["Broker/connected"] }])
      expect(down.text).not.toContain("secret")
      expect((yield* get(port, "/ops/live")).status).toBe(200)

      // the same application's answer with health exposed: the checks that count, errors included (secrets redacted)
      const routes = yield* Ops.router({ expose: ["health"] }).pipe(
        Effect.provideService(App.Application, Context.get(running.context as Context.Context<App.Application>, App.Application))
      )
      const served = yield* Layer.build(
        HttpServer.serve(routes).pipe(Layer.provideMerge(NodeHttpServer.layer(() => createServer(), { port: 0, host: "127.0.0.1" })))
      )
      const address = Context.get(served, HttpServer.HttpServer).address
      const detailed = yield* get(address._tag === "TcpAddress" ? address.port : 0, "/ops/ready")
      expect([detailed.status, detailed.body]).toEqual([503, {
        ready: false,
        state: "started",
        failing: ["Broker/connected"],
        checks: [{ id: "Broker/connected", name: "connected", status: "unhealthy", duration: expect.any(Number), error: "Error: refused by <redacted>", readiness: true }]
      }])

      yield* Ref.set(up, true)
      const ready = yield* get(port, "/ops/ready")
      expect([ready.status, ready.body]).toEqual([200, { ready: true, state: "started" }])
      const detailedReady = yield* get(address._tag === "TcpAddress" ? address.port : 0, "/ops/ready")
      expect([detailedReady.status, detailedReady.body]).toEqual([200, {
        ready: true,
        state: "started",
        checks: [{ id: "Broker/connected", name: "connected", status: "healthy", duration: expect.any(Number), readiness: true }]
      }])
    })))

  it.live("/ops/health and /ops/ready mark the checks that count for readiness (readiness: true), the others have no such field", () =>
    Effect.scoped(Effect.gen(function*() {
      class Broker extends Context.Tag("Broker")<Broker, string>() {}
      const BrokerLive = Component.succeed(Broker, "broker").pipe(
        Lifecycle.healthCheck(() => Effect.void, { name: "connected", readiness: true }),
        Lifecycle.healthCheck(() => Effect.void, { name: "queue depth" })
      )
      const { port, starting } = yield* startWithOps(Registry.make(BrokerLive), ["health"], [Broker])
      yield* Fiber.join(starting)
      const health = yield* get(port, "/ops/health")
      expect((health.body as Ops.HealthJson).components.find((component) => component.name === "Broker")?.checks).toEqual([
        { id: "Broker/phase", name: "phase", status: "healthy", duration: 0 },
        { id: "Broker/connected", name: "connected", status: "healthy", duration: expect.any(Number), readiness: true },
        { id: "Broker/queue depth", name: "queue depth", status: "healthy", duration: expect.any(Number) }
      ])
      expect(Schema.is(Ops.HealthJson)(health.body)).toBe(true)
      const ready = yield* get(port, "/ops/ready")
      expect([ready.status, ready.body]).toEqual([200, {
        ready: true,
        state: "started",
        checks: [{ id: "Broker/connected", name: "connected", status: "healthy", duration: expect.any(Number), readiness: true }]
      }])
    })))

  it.live("/ops/ready words a component that is not running as /ops/health does: one shut down while the application runs is 'not running (released)' in both", () =>
    Effect.scoped(Effect.gen(function*() {
      class Broker extends Context.Tag("Broker")<Broker, string>() {}
      const BrokerLive = Component.succeed(Broker, "broker").pipe(
        Lifecycle.healthCheck(() => Effect.void, { name: "connected", readiness: true })
      )
      const { port, starting } = yield* startWithOps(Registry.make(BrokerLive), ["health"], [Broker, Container.Container])
      const running = yield* Fiber.join(starting)
      expect(yield* Container.shutDown("Broker").pipe(Effect.provide(running.context as Context.Context<Container.Container>))).toEqual(["Broker"])
      const phase = { id: "Broker/phase", name: "phase", status: "unhealthy", duration: 0, error: "not running (released)" }
      const ready = yield* get(port, "/ops/ready")
      expect([ready.status, ready.body]).toEqual([503, { ready: false, state: "started", failing: ["Broker/phase"], checks: [phase] }])
      const health = yield* get(port, "/ops/health")
      expect((health.body as Ops.HealthJson).components.find((component) => component.name === "Broker")?.checks).toEqual([phase])
    })))

  it.effect("an unknown section in expose is a defect naming it and the sections there are", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(
        Effect.provideService(Ops.router({ expose: ["health", "beans" as Ops.Section] }), App.Application, {} as App.Application)
      )
      const defect = Exit.isFailure(exit) ? Cause.dieOption(exit.cause) : Option.none()
      expect(Option.map(defect, (error) => (error as Error).message)).toEqual(Option.some(
        "Ops: \"beans\" in expose is not a section (the sections: health, graph, components, startup, metrics, options, containers; or expose \"all\")"
      ))
    }))
})

// ---------------------------------------------------------------------------------------------
// the HttpApi form

class OpsApi extends HttpApi.make("api").add(Ops.group) {}

const normalized = (answer: Answer): unknown =>
  JSON.parse(JSON.stringify({ status: answer.status, contentType: answer.contentType, body: answer.body }, (key, value) =>
    key === "timestamp" || key === "duration" ? 0 : value))

describe("the ops API as an HttpApi group", () => {
  it.live("Ops.layer serves the group with the router's answers, and a typed client decodes each answer with its declared schema and status", () =>
    Effect.scoped(Effect.gen(function*() {
      const { port, starting } = yield* startWithOps(registry, "all", [Api, App.Application, Container.Container])
      const running = yield* Fiber.join(starting)
      const context = running.context as Context.Context<App.Application | Container.Container>
      const served = yield* Layer.build(
        HttpApiBuilder.serve().pipe(
          Layer.provide(HttpApiBuilder.api(OpsApi).pipe(Layer.provide(Ops.layer(OpsApi, { expose: "all" })))),
          Layer.provideMerge(NodeHttpServer.layer(() => createServer(), { port: 0, host: "127.0.0.1" })),
          Layer.provide(Layer.succeedContext(context))
        )
      )
      const address = Context.get(served, HttpServer.HttpServer).address
      const apiPort = address._tag === "TcpAddress" ? address.port : 0
      for (
        const route of [
          "/ops/live",
          "/ops/ready",
          "/ops/health",
          "/ops/graph",
          "/ops/graph.mmd",
          "/ops/components/Database",
          "/ops/components/Databse",
          "/ops/components/layerwise%2FApp%2FApplication",
          "/ops/startup",
          "/ops/metrics",
          "/ops/options",
          "/ops/containers",
          "/ops/"
        ]
      ) {
        expect([route, normalized(yield* get(apiPort, route))]).toEqual([route, normalized(yield* get(port, route))])
      }

      const client = yield* HttpApiClient.make(OpsApi, { baseUrl: `http://127.0.0.1:${apiPort}` })
      expect(yield* client.ops.live()).toEqual({ live: true })
      expect(yield* client.ops.ready()).toEqual({ ready: true, state: "started" })
      expect((yield* client.ops.health()).components.map((component) => [component.name, component.status])).toEqual([
        ["Config", "healthy"],
        ["Database", "healthy"],
        ["Api", "healthy"],
        ["layerwise/Ops/Server", "healthy"],
        ["test/PortProbe", "healthy"]
      ])
      expect(yield* client.ops.graph()).toEqual(Explain.toJson(running.plan))
      expect(yield* client.ops.mermaid()).toBe(Explain.mermaid(running.plan))
      expect((yield* client.ops.component({ path: { name: "Api" } })).dependencies.map((edge) => edge.request)).toEqual(["Database", "Option<Cache>"])
      expect(yield* Effect.flip(client.ops.component({ path: { name: "Databse" } }))).toEqual({
        error: "no component is named \"Databse\"",
        suggestions: ["Database"]
      })
      expect((yield* client.ops.startup()).components).toHaveLength(5)
      expect((yield* client.ops.metrics()).components).toBe(5)
      expect(yield* client.ops.options()).toEqual({ options: [] })
      expect(yield* client.ops.containers()).toEqual(Container.snapshot(Context.get(context, Container.Container)))
      expect(yield* client.ops.page()).toMatch(/^<!doctype html>/)
    }).pipe(Effect.provide(FetchHttpClient.layer))))
  it.live("a typed client decodes /ops/ready's 503 while a readiness check fails, with the failing check named", () =>
    Effect.scoped(Effect.gen(function*() {
      class Broker extends Context.Tag("Broker")<Broker, string>() {}
      const BrokerLive = Component.succeed(Broker, "broker").pipe(
        Lifecycle.healthCheck(() => Effect.fail("refused"), { name: "connected", readiness: true })
      )
      const running = yield* App.start(App.make(Registry.make(BrokerLive), { roots: [Broker, App.Application] }))
      const served = yield* Layer.build(
        HttpApiBuilder.serve().pipe(
          Layer.provide(HttpApiBuilder.api(OpsApi).pipe(Layer.provide(Ops.layer(OpsApi)))),
          Layer.provideMerge(NodeHttpServer.layer(() => createServer(), { port: 0, host: "127.0.0.1" })),
          Layer.provide(Layer.succeedContext(running.context as Context.Context<App.Application>))
        )
      )
      const address = Context.get(served, HttpServer.HttpServer).address
      const client = yield* HttpApiClient.make(OpsApi, { baseUrl: `http://127.0.0.1:${address._tag === "TcpAddress" ? address.port : 0}` })
      expect(yield* Effect.flip(client.ops.ready())).toEqual({ ready: false, state: "started", failing: ["Broker/connected"] })
    }).pipe(Effect.provide(FetchHttpClient.layer))))
})

// ---------------------------------------------------------------------------------------------
// the entry

describe("layerwise/Ops, an entry of its own", () => {
  it("the main entry imports neither layerwise/Ops nor @effect/platform, at any depth", () => {
    const src = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "src")
    const seen = new Set<string>()
    const packages = new Set<string>()
    const visit = (file: string) => {
      if (seen.has(file)) return
      seen.add(file)
      // every import and export of the module (static or dynamic), read by TypeScript: comments are not code
      const source = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true)
      const specifiers: Array<string> = []
      const walk = (node: ts.Node): void => {
        if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier !== undefined) {
          specifiers.push((node.moduleSpecifier as ts.StringLiteral).text)
        } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
          specifiers.push((node.arguments[0] as ts.StringLiteral).text)
        }
        ts.forEachChild(node, walk)
      }
      walk(source)
      for (const specifier of specifiers) {
        if (specifier.startsWith(".")) visit(path.resolve(path.dirname(file), specifier.replace(/\.js$/, ".ts")))
        else packages.add(specifier.split("/").slice(0, specifier.startsWith("@") ? 2 : 1).join("/"))
      }
    }
    visit(path.join(src, "index.ts"))
    expect(seen.has(path.join(src, "Ops.ts"))).toBe(false)
    expect(seen.has(path.join(src, "App.ts"))).toBe(true)
    expect([...packages].sort()).toEqual(["effect"])
  })
})
