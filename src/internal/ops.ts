/**
 * The ops endpoints: one table of answers (`endpoints`), served as an `HttpRouter` (`router`), as the
 * handlers of `Ops.group` (`layer`), and by `Ops.serve`'s own server. Every answer is made here, so
 * the three forms answer alike; every JSON answer is written by one redacting writer (`json`).
 *
 * Adding a section: its name in `Ops.Section` and `sections`, its endpoint in `Ops.group`, its answer in `endpoints`
 * (gated by its name, so it is exposed only when asked), and its route in `router` and `layer`; its
 * values go through `json`, which writes every `Redacted` as `<redacted>`.
 *
 * @internal
 */
import type * as HttpApi from "@effect/platform/HttpApi"
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as App from "../App.js"
import * as Component from "../Component.js"
import * as Container from "../Container.js"
import * as Explain from "../Explain.js"
import type * as Health from "../Health.js"
import * as Lifecycle from "../Lifecycle.js"
import type * as Ops from "../Ops.js"
import type * as Options from "../Options.js"
import type * as Plan from "../Plan.js"
import * as Report from "../Report.js"
import { isBuiltIn } from "./component.js"
import * as dependency from "./dependency.js"
import { notInPlan } from "./errorMessages.js"
import * as optionsRead from "./optionsRead.js"
import * as page from "./opsPage.js"
import { round, timeline } from "./opsStartup.js"
import * as explainInternal from "./explain.js"
import * as healthInternal from "./health.js"
import * as lifetime from "./lifetime.js"

/** Every section, in the order `"all"` lists them. @internal */
export const sections: ReadonlyArray<Ops.Section> = ["health", "graph", "components", "startup", "metrics", "options", "containers"]

/** The sections the ops page reads. @internal */
export const pageSections: ReadonlyArray<Ops.Section> = ["graph", "health", "startup"]

// ---------------------------------------------------------------------------------------------
// what every answer needs: the application, the exposed sections, what is made once per plan

class OpsContext {
  private planJson: Explain.PlanJson | undefined
  private mermaidText: string | undefined
  private index: Map<string, number> | undefined
  private componentNodes: ReadonlyArray<Plan.Node> | undefined

  constructor(
    readonly app: App.Application,
    readonly exposed: ReadonlySet<Ops.Section>,
    /** the plan's options as the application read them (read when the endpoints are made, if exposed) */
    readonly options: ReadonlyArray<Options.Described>,
    /** the container in the context the endpoints are made in (taken only when `containers` is exposed) */
    readonly container: Container.Container | undefined,
    /** whether checks' details are shown (`healthDetails`: never unless asked) */
    readonly healthDetails: boolean
  ) {}

  get json(): Explain.PlanJson {
    return (this.planJson ??= Explain.toJson(this.app.plan))
  }

  get mermaid(): string {
    return (this.mermaidText ??= Explain.mermaid(this.app.plan))
  }

  /** The application's components: the plan's nodes but layerwise's own services (see `App`'s module doc). */
  get components(): ReadonlyArray<Plan.Node> {
    return (this.componentNodes ??= this.app.plan.nodes.filter((node) => !isBuiltIn(node.component)))
  }

  /** The node of the application's component of that name. */
  idOf(name: string): number | undefined {
    return (this.index ??= new Map(this.components.map((node) => [node.name, node.id]))).get(name)
  }
}

const exposedOf = (options: Ops.Options | undefined): Effect.Effect<ReadonlySet<Ops.Section>> =>
  Effect.suspend(() => {
    const expose = options?.expose
    if (expose === undefined) return Effect.succeed(new Set())
    if (expose === "all") return Effect.succeed(new Set(sections))
    const unknown = expose.filter((section) => !sections.includes(section))
    return unknown.length > 0
      ? Effect.dieMessage(
        `Ops: ${unknown.map((section) => JSON.stringify(section)).join(", ")} in expose ${
          unknown.length === 1 ? "is not a section" : "are not sections"
        } (the sections: ${sections.join(", ")}; or expose "all")`
      )
      : Effect.succeed(new Set(expose))
  })

/** Whether the options expose the containers section (known before anything runs: `serve` then requests the container). */
const exposesContainers = (options: Ops.Options | undefined): boolean =>
  options?.expose === "all" || (options?.expose?.includes("containers") ?? false)

const makeContext = (options: Ops.Options | undefined): Effect.Effect<OpsContext, never, App.Application> =>
  Effect.flatMap(Effect.zip(App.Application, exposedOf(options)), ([app, exposed]) =>
    Effect.zipWith(
      exposed.has("options") ? optionsRead.describe(app.plan) : Effect.succeed([]),
      exposed.has("containers") ? Effect.serviceOption(Container.Container) : Effect.succeedNone,
      (described, container) => new OpsContext(app, exposed, described, Option.getOrUndefined(container), options?.healthDetails === true)
    ))

// ---------------------------------------------------------------------------------------------
// writing answers

const noStore = { "cache-control": "no-store" }

/** A `Redacted` value anywhere in an answer is written `"<redacted>"`. */
const redacting = (_key: string, value: unknown): unknown => (Redacted.isRedacted(value) ? "<redacted>" : value)

/** A JSON answer; every ops answer in JSON is written here. */
const json = (body: unknown, status = 200): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.text(JSON.stringify(body, redacting), { status, contentType: "application/json", headers: noStore })

const text = (body: string, contentType: string, status = 200): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.text(body, { status, contentType, headers: noStore })

const notExposed = (path: string, section: Ops.Section): HttpServerResponse.HttpServerResponse =>
  json({
    error: `GET ${path} is not exposed: add ${JSON.stringify(section)} to the ops options' expose (or expose "all")`,
    section
  } satisfies Ops.NotExposedJson, 404)

type Answer = Effect.Effect<HttpServerResponse.HttpServerResponse>

const gated = (self: OpsContext, path: string, section: Ops.Section, answer: () => Answer): Answer =>
  self.exposed.has(section) ? answer() : Effect.succeed(notExposed(path, section))

// ---------------------------------------------------------------------------------------------
// the answers

const live: Answer = Effect.succeed(json({ live: true } satisfies Ops.LiveJson))

/**
 * The application's readiness (`App.Application`'s `readiness`): which checks fail by name only;
 * their errors with the `health` section exposed. A component not running has its `phase` check.
 */
const ready = (self: OpsContext): Answer =>
  Effect.flatMap(self.app.readiness, (readiness) =>
    // the states are read only to say why a component is not running (a probe's answer is most often ready)
    Effect.map(readiness.report.components.some((component) => component.status === "not-running") ? self.app.phases : noPhases, (phases) => {
      const checks = readiness.report.components.flatMap((component) =>
        component.status === "not-running"
          ? [phaseCheck(component.name, false, phases[component.name] ?? "pending")]
          : checksJson(self, component.name, component.checks)
      )
      const body: Ops.ReadyJson = {
        ready: readiness.ready,
        state: readiness.state,
        ...(readiness.failing.length > 0 ? { failing: readiness.failing } : {}),
        ...(self.exposed.has("health") && checks.length > 0 ? { checks } : {})
      }
      return json(body, readiness.ready ? 200 : 503)
    }))

const noPhases: Effect.Effect<Readonly<Record<string, Report.ComponentState>>> = Effect.succeed({})

/**
 * A component's `phase` check, in `/ops/health` and `/ops/ready` alike: healthy while it runs, else
 * unhealthy saying the state it is in (`not running (starting)`).
 */
const phaseCheck = (component: string, running: boolean, state: Report.ComponentState): Ops.HealthCheckJson =>
  running
    ? { id: `${component}/phase`, name: "phase", status: "healthy", duration: 0 }
    : { id: `${component}/phase`, name: "phase", status: "unhealthy", duration: 0, error: `not running (${state})` }

/**
 * The health of every singleton: its `phase` check, then its own checks (run while it runs).
 * Transient and scoped components are never started nor health-checked: they are not listed. Then
 * the components child containers built that the health report lists (`tenant-a/Db`), `built`.
 * Once the application started, a singleton still `pending` or only `built` is one only handles
 * reach, with nothing to start (App builds at startup every singleton that takes part in the
 * lifecycle): not built yet, or built on first use. It is as healthy as a started one.
 */
const health = (self: OpsContext): Effect.Effect<Ops.HealthJson> =>
  Effect.map(
    Effect.all([self.app.health, self.app.phases, self.app.state, Clock.currentTimeMillis]),
    ([report, phases, state, now]) => {
      const checked = new Map(report.components.map((component) => [component.name, component]))
      const singletons = self.components.filter((node) => lifetime.get(node.component)._tag === "Singleton")
      const components = singletons.map((node): Ops.HealthComponentJson => {
        const componentState = phases[node.name] ?? "pending"
        const running = healthInternal.isRunning(state, componentState)
        const checks = [phaseCheck(node.name, running, componentState), ...checksJson(self, node.name, checked.get(node.name)?.checks ?? [])]
        return {
          name: node.name,
          state: componentState,
          status: !running ? "not-running" : checks.every((check) => check.status === "healthy") ? "healthy" : "unhealthy",
          checks
        }
      })
      // then what child containers built (listed by path, `tenant-a/Db`): built, so running
      const planned = new Set(self.components.map((node) => node.name))
      for (const component of report.components) {
        if (planned.has(component.name)) continue
        components.push({
          name: component.name,
          state: "built",
          status: component.status,
          checks: [phaseCheck(component.name, true, "built"), ...checksJson(self, component.name, component.checks)]
        })
      }
      return {
        healthy: components.every((component) => component.status === "healthy"),
        state,
        timestamp: new Date(now).toISOString(),
        components
      }
    }
  )

/** A component's checks as the ops API shows them; their details only when the options ask (`healthDetails`). */
const checksJson = (self: OpsContext, component: string, checks: ReadonlyArray<Health.CheckRecord>): ReadonlyArray<Ops.HealthCheckJson> =>
  checks.map((check): Ops.HealthCheckJson => ({
    id: `${component}/${check.name}`,
    name: check.name,
    status: check.status,
    duration: round(check.duration),
    ...(check.error !== undefined ? { error: check.error } : {}),
    ...(check.readiness === true ? { readiness: true } : {}),
    ...(check.details !== undefined && self.healthDetails ? { details: check.details } : {})
  }))

const roundPhase = (record: Report.PhaseRecord): Report.PhaseRecord => ({
  ...record,
  at: round(record.at),
  duration: round(record.duration)
})

const component = (self: OpsContext, name: string): Answer => {
  if (self.idOf(name) === undefined) {
    const own = self.app.plan.nodes.some((node) => node.name === name)
    // a registered component the plan left out is told why, in Explain.component's words, with its suggestions
    // (a service's key given as a name: the components of that service first) among the application's components
    const unknown = explainInternal.unknownComponent(self.app.plan, name)
    const leftOut = own ? undefined : unknown.leftOut
    return Effect.succeed(json({
      error: own
        ? `${JSON.stringify(name)} is one of layerwise's own services, not a component of the application`
        : leftOut !== undefined
        ? notInPlan(JSON.stringify(name), leftOut)
        : `no component is named ${JSON.stringify(name)}`,
      suggestions: unknown.suggestions.filter((suggested) => self.components.some((node) => node.name === suggested))
    } satisfies Ops.UnknownComponentJson, 404))
  }
  return Effect.map(self.app.report, (report) => {
    const explained = Either.getOrThrow(explainInternal.component(self.app.plan, name, report))
    const body: Ops.ComponentJson = {
      ...explained,
      chosenBy: explained.chosenBy.map((choice) => ({ ...choice, text: explainInternal.choiceText(explained.name, choice) })),
      state: explained.state ?? "pending",
      phases: explained.phases.map(roundPhase)
    }
    return json(body)
  })
}

/** The metrics of a run so far, from its report. */
const metrics = (report: Report.Report): Ops.MetricsJson => {
  const states = Object.fromEntries(Report.ComponentState.literals.map((state) => [state, 0])) as Record<Report.ComponentState, number>
  const phases = new Map(Report.Phase.literals.map((phase) => [phase, { phase, count: 0, total: 0, max: 0 }]))
  for (const record of report.components) {
    states[record.state]++
    for (const phase of record.phases) {
      const found = phases.get(phase.phase)!
      found.count++
      found.total += phase.duration
      found.max = Math.max(found.max, phase.duration)
    }
  }
  return {
    components: report.components.length,
    states,
    phases: [...phases.values()].map((phase) => ({ ...phase, total: round(phase.total), max: round(phase.max) })),
    startup: round(report.startup),
    errors: report.errors.length
  }
}

/**
 * What the containers hold (`Container.snapshot`), from the container the endpoints were made with:
 * names, services, lifetimes and flags, never an instance. Without a container in that context the
 * answer says how to give it one.
 */
const containers = (self: OpsContext): Answer =>
  Effect.sync(() =>
    self.container === undefined
      ? json({
        error:
          "GET /ops/containers needs the running container: add Container.Container to the dependencies of the component that makes the ops endpoints (Ops.serve requests it itself)",
        section: "containers"
      } satisfies Ops.NotExposedJson, 404)
      : json(Container.snapshot(self.container) satisfies Ops.ContainerJson)
  )

const pageAnswer = (self: OpsContext): Answer => {
  const missing = pageSections.filter((section) => !self.exposed.has(section))
  return Effect.succeed(
    missing.length === 0
      ? HttpServerResponse.text(page.html, {
        contentType: "text/html; charset=utf-8",
        headers: { ...noStore, "content-security-policy": page.contentSecurityPolicy }
      })
      : text(page.notExposed(missing), "text/html; charset=utf-8", 404)
  )
}

/** The table of endpoints: each served the same way by the router and the API group. */
const endpoints = (self: OpsContext) => ({
  live: () => live,
  ready: () => ready(self),
  health: () =>
    gated(self, "/ops/health", "health", () =>
      Effect.map(health(self), (body) => json(body, body.healthy ? 200 : 503))),
  graph: () => gated(self, "/ops/graph", "graph", () => Effect.sync(() => json(self.json))),
  mermaid: () => gated(self, "/ops/graph.mmd", "graph", () => Effect.sync(() => text(self.mermaid, "text/plain; charset=utf-8"))),
  component: (name: string) => gated(self, `/ops/components/${name}`, "components", () => component(self, name)),
  startup: () => gated(self, "/ops/startup", "startup", () => Effect.map(self.app.report, (report) => json(timeline(self.json, report)))),
  metrics: () => gated(self, "/ops/metrics", "metrics", () => Effect.map(self.app.report, (report) => json(metrics(report)))),
  options: () => gated(self, "/ops/options", "options", () => Effect.sync(() => json({ options: self.options } satisfies Ops.OptionsJson))),
  containers: () => gated(self, "/ops/containers", "containers", () => containers(self)),
  page: () => pageAnswer(self)
})

// ---------------------------------------------------------------------------------------------
// the three forms

/** @internal */
export const router = (options?: Ops.Options): Effect.Effect<HttpRouter.HttpRouter, never, App.Application> =>
  Effect.map(makeContext(options), (self) => {
    const answer = endpoints(self)
    return HttpRouter.empty.pipe(
      HttpRouter.get("/ops/live", Effect.suspend(answer.live)),
      HttpRouter.get("/ops/ready", Effect.suspend(answer.ready)),
      HttpRouter.get("/ops/health", Effect.suspend(answer.health)),
      HttpRouter.get("/ops/graph", Effect.suspend(answer.graph)),
      HttpRouter.get("/ops/graph.mmd", Effect.suspend(answer.mermaid)),
      HttpRouter.get("/ops/components/:name", Effect.flatMap(HttpRouter.params, (params) => answer.component(params["name"] ?? ""))),
      HttpRouter.get("/ops/startup", Effect.suspend(answer.startup)),
      HttpRouter.get("/ops/metrics", Effect.suspend(answer.metrics)),
      HttpRouter.get("/ops/options", Effect.suspend(answer.options)),
      HttpRouter.get("/ops/containers", Effect.suspend(answer.containers)),
      HttpRouter.get("/ops/", Effect.suspend(answer.page))
    )
  })

/** @internal */
export const layer = (api: HttpApi.HttpApi.Any, options?: Ops.Options) =>
  HttpApiBuilder.group(api as HttpApi.HttpApi<string, Ops.Group>, "ops", (handlers) =>
    Effect.map(makeContext(options), (self) => {
      const answer = endpoints(self)
      return handlers
        .handle("live", answer.live)
        .handle("ready", answer.ready)
        .handle("health", answer.health)
        .handle("graph", answer.graph)
        .handle("mermaid", answer.mermaid)
        .handle("component", ({ path }) => answer.component(path.name))
        .handle("startup", answer.startup)
        .handle("metrics", answer.metrics)
        .handle("options", answer.options)
        .handle("containers", answer.containers)
        .handle("page", answer.page)
    }))

/** @internal */
export const ServerTag: Context.Tag<Ops.Server, Ops.Server> = Context.GenericTag<Ops.Server>(dependency.opsServerKey)

const nodeHttpServer = Effect.tryPromise({
  try: () => Promise.all([import("@effect/platform-node/NodeHttpServer"), import("node:http")]),
  catch: (cause) => cause
}).pipe(
  Effect.orDieWith((cause) =>
    new Error(`Ops.serve needs @effect/platform-node (npm i @effect/platform-node): ${cause instanceof Error ? cause.message : String(cause)}`)
  )
)

/** @internal */
export const serve = (options: Ops.ServeOptions): Component.Component<Ops.Server, Ops.Server> =>
  Component.make(ServerTag, {
    // the containers section answers from the container in the context it is made in
    dependencies: exposesContainers(options) ? [App.Application, Container.Container] : [App.Application],
    build: Effect.gen(function*() {
      const routes = yield* router(options)
      const [NodeHttpServer, http] = yield* nodeHttpServer
      const server = yield* NodeHttpServer.make(() => http.createServer(), {
        port: options.port,
        ...(options.host !== undefined ? { host: options.host } : {})
      })
      yield* server.serve(routes)
      const address = server.address
      return address._tag === "TcpAddress"
        ? { hostname: address.hostname, port: address.port }
        : { hostname: address.path, port: 0 }
    })
  }).pipe(Lifecycle.startup(options.startup ?? Number.MIN_SAFE_INTEGER))
