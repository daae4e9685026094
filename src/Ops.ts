/**
 * Operations: the running application over HTTP, for machines (probes, monitoring) and for people (an
 * ops page). `layerwise/Ops` is an entry of its own: it needs `@effect/platform` (an optional peer of
 * layerwise), which the main entry `layerwise` never loads.
 *
 * **Three ways to serve it**, the same endpoints and answers in each:
 * - {@link group} and {@link layer}: an `@effect/platform` `HttpApiGroup` to add to your `HttpApi`,
 *   and its handlers as a Layer (needing `App.Application`);
 * - {@link router}: a plain `HttpRouter` to mount in your own server (`HttpRouter.concat`);
 * - {@link serve}: a component that serves it on a port of its own (it needs `@effect/platform-node`
 *   too), built before anything else, so probes get answers during a long startup.
 *
 * **Probes.** Liveness runs no check: a dependency that is down does not mend when the process
 * restarts. Readiness runs the checks that count for readiness (concurrent probes share one run in
 * flight; each check bounded by its timeout), so a probe takes the process out of service while a
 * dependency it needs is down.
 *
 * **Safe by default**, like Spring Boot's Actuator: only liveness and readiness are exposed; every
 * other section is exposed only when asked (`expose: ["health", "graph"]`, or `"all"`). A section that
 * is not exposed answers `404` with `{ "error": ..., "section": ... }`. No answer shows a secret: a
 * `Redacted` value anywhere in an answer is written `"<redacted>"`, and errors are rendered as
 * layerwise renders them everywhere (with `Redacted` as `<redacted>`).
 *
 * **Endpoints** (JSON unless said; durations in milliseconds, rounded to 0.1 ms; every answer has
 * `cache-control: no-store`):
 *
 * | endpoint | section | answer |
 * |---|---|---|
 * | `GET /ops/live` | always | `200` {@link LiveJson} while the process serves |
 * | `GET /ops/ready` | always | {@link ReadyJson}: `200` once every component started and while every readiness check (`Lifecycle.healthCheck(check, { readiness: true })`) is healthy; `503` before, while one is not (naming it), and from the shutdown on |
 * | `GET /ops/health` | `health` | {@link HealthJson}: `200` healthy, `503` not; every component with its `<component>/phase` check (healthy once it started) and its own checks, then what run-time lookups and child containers built that declares checks |
 * | `GET /ops/graph` | `graph` | the plan as `Explain.toJson` gives it ({@link Explain.PlanJson}) |
 * | `GET /ops/graph.mmd` | `graph` | the plan as Mermaid text (`Explain.mermaid`), `text/plain` |
 * | `GET /ops/components/:name` | `components` | {@link ComponentJson}, one component explained; `404` {@link UnknownComponentJson} with close names when unknown (encode `/` in a name as `%2F`) |
 * | `GET /ops/startup` | `startup` | {@link StartupJson}: the startup timeline and its critical path |
 * | `GET /ops/metrics` | `metrics` | {@link MetricsJson}: counts and durations of the run's phases (a first set: it will grow) |
 * | `GET /ops/options` | `options` | {@link OptionsJson}: the effective options of every component (`Options.describe`), a secret's value as `<redacted>` |
 * | `GET /ops/containers` | `containers` | {@link ContainerJson}: what the running container and its open children hold (`Container.snapshot`); `404` saying so when the endpoints were made without `Container.Container` in their context |
 * | `GET /ops/` | always | the ops page (HTML); it needs `graph`, `health` and `startup` exposed, and says so when they are not |
 *
 * **The ops page** is one self-contained HTML page (inline CSS, script and SVG; it loads nothing from
 * the network, and its Content-Security-Policy allows nothing but this server): the component graph
 * (a layered drawing, nodes coloured by state), the health of every component and check, and the
 * startup timeline as a Gantt chart with the critical path marked (its bars, and the graph's edges
 * it follows); and, when `containers` is exposed, what each container holds. It reads `/ops/graph`,
 * `/ops/health` and `/ops/startup` (and `/ops/containers`), and refreshes every few seconds.
 *
 * **Extending.** Every section is one entry in the internal table of endpoints, gated by its name in
 * `expose`, its values written by the same redacting JSON writer.
 *
 * @since 0.2.0
 */
import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import type * as HttpApi from "@effect/platform/HttpApi"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import type * as HttpRouter from "@effect/platform/HttpRouter"
import type * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import type * as App from "./App.js"
import type * as Component from "./Component.js"
import type * as Container from "./Container.js"
import * as Explain from "./Explain.js"
import * as Health from "./Health.js"
import * as explainInternal from "./internal/explain.js"
import * as internal from "./internal/ops.js"
import * as startupInternal from "./internal/opsStartup.js"
import * as Report from "./Report.js"

// ---------------------------------------------------------------------------------------------
// options

/**
 * A section of the ops API that is exposed only when asked (liveness, readiness and the page always
 * are).
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import * as Ops from "layerwise/Ops"
 *
 * // sections read from the environment, e.g. OPS_EXPOSE=health,startup
 * export const expose = Schema.decodeUnknownSync(Schema.Array(Ops.Section))((process.env.OPS_EXPOSE ?? "").split(",").filter(Boolean))
 * ```
 *
 * @since 0.2.0
 * @category schemas
 */
export const Section = Schema.Literal("health", "graph", "components", "startup", "metrics", "options", "containers")

/**
 * @since 0.2.0
 * @category models
 */
export type Section = typeof Section.Type

/**
 * Options of {@link layer}, {@link router} and {@link serve}.
 *
 * @example
 * ```ts
 * import * as Ops from "layerwise/Ops"
 *
 * export const production: Ops.Options = { expose: ["health"] }
 * export const demo: Ops.Options = { expose: "all", healthDetails: true }
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface Options {
  /**
   * The sections to expose besides liveness and readiness (default: none); `"all"` exposes every
   * section. An unknown section name is a defect.
   */
  readonly expose?: ReadonlyArray<Section> | "all" | undefined
  /**
   * Whether `GET /ops/health` (and `/ops/ready`'s `checks`) show what healthy checks told of
   * themselves (`Health.details`; default `false`, also with `expose: "all"`), as Actuator shows
   * health details only with `show-details`: they may tell of the infrastructure (versions, hosts).
   * Secrets in them are `<redacted>` either way.
   */
  readonly healthDetails?: boolean | undefined
}

/**
 * Options of {@link serve}.
 *
 * @example
 * ```ts
 * import * as Ops from "layerwise/Ops"
 *
 * export const options: Ops.ServeOptions = { port: 9090, host: "0.0.0.0", expose: ["health", "metrics"] }
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface ServeOptions extends Options {
  /** The port to listen on (`0`: any free port; {@link Server} says which). */
  readonly port: number
  /** The address to listen on (default: every interface, as Node's `listen`). */
  readonly host?: string | undefined
  /**
   * The component's startup order (default `Number.MIN_SAFE_INTEGER`, the lowest: it is built, and
   * listens, before the components of every other order are built; releases go in reverse build
   * order, so it is released after them).
   */
  readonly startup?: number | undefined
}

// ---------------------------------------------------------------------------------------------
// answers

/**
 * The application's state (`App.State`), as JSON.
 *
 * @example
 * ```ts
 * import type { App } from "layerwise"
 * import * as Ops from "layerwise/Ops"
 *
 * export const state: App.State = Ops.State.literals[3] // "started"
 * ```
 *
 * @since 0.2.0
 * @category schemas
 */
export const State = Schema.Literal("created", "building", "starting", "started", "stopping", "stopped")

/**
 * `GET /ops/live`: the process serves.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import * as Ops from "layerwise/Ops"
 *
 * console.log(Schema.is(Ops.LiveJson)({ live: true })) // true
 * ```
 *
 * @since 0.2.0
 * @category schemas
 */
export const LiveJson = Schema.Struct({ live: Schema.Literal(true) })

/**
 * @since 0.2.0
 * @category models
 */
export interface LiveJson extends Schema.Schema.Type<typeof LiveJson> {}

/**
 * One check of one component, as `GET /ops/health` answers it: `id` is `<component>/<check>`. Every
 * component's first check is `phase`: healthy once the component started, unhealthy before it and
 * from its stop on (its `error` says its state); it costs nothing, its duration is 0. A singleton
 * only handles reach (`Dependency.lazy`, ...) has nothing to start: once the application started,
 * its `phase` is healthy before its first use (`pending`) and after it (`built`). A check that counts
 * for readiness (`Lifecycle.healthCheck(check, { readiness: true })`) has `readiness: true`; the
 * others have no `readiness`. A healthy check's `details` (`Health.details`) are shown only when
 * the options ask (`healthDetails: true`).
 *
 * @example
 * ```ts
 * import * as Ops from "layerwise/Ops"
 *
 * export const phase: Ops.HealthCheckJson = {
 *   id: "Database/phase", name: "phase", status: "unhealthy", duration: 0, error: "not running (starting)"
 * }
 * export const connected: Ops.HealthCheckJson = { id: "Broker/connected", name: "connected", status: "healthy", duration: 1.2, readiness: true }
 * ```
 *
 * @since 0.2.0
 * @category schemas
 */
export const HealthCheckJson = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  status: Health.CheckStatus,
  /** milliseconds, rounded to 0.1 */
  duration: Schema.Number,
  error: Schema.optionalWith(Schema.String, { exact: true }),
  /** present (`true`) when the check counts for readiness */
  readiness: Schema.optionalWith(Schema.Literal(true), { exact: true }),
  /** what a healthy check told of itself (`Health.details`), only with the options' `healthDetails` */
  details: Schema.optionalWith(Schema.Record({ key: Schema.String, value: Schema.Unknown }), { exact: true })
})

/**
 * @since 0.2.0
 * @category models
 */
export interface HealthCheckJson extends Schema.Schema.Type<typeof HealthCheckJson> {}

/**
 * `GET /ops/ready`: `ready` (status 200) once every component started and while every health check
 * that counts for readiness (`Lifecycle.healthCheck(check, { readiness: true })`) is healthy, until
 * the shutdown begins; else status 503. `state` is the application's. `failing` (when some are)
 * names the checks that count and are not healthy, `<component>/<check>` (a component not running:
 * `<component>/phase`), and says nothing else of them; with the `health` section exposed, `checks`
 * gives each check that counts as `GET /ops/health` does, errors included. Before the application
 * started and from its shutdown on, no check runs.
 *
 * @example
 * ```ts
 * import * as Ops from "layerwise/Ops"
 *
 * export const starting: Ops.ReadyJson = { ready: false, state: "starting" } // status 503
 * export const brokerDown: Ops.ReadyJson = { ready: false, state: "started", failing: ["Broker/connected"] } // status 503
 * ```
 *
 * @since 0.2.0
 * @category schemas
 */
export const ReadyJson = Schema.Struct({
  ready: Schema.Boolean,
  state: State,
  failing: Schema.optionalWith(Schema.Array(Schema.String), { exact: true }),
  checks: Schema.optionalWith(Schema.Array(HealthCheckJson), { exact: true })
})

/**
 * @since 0.2.0
 * @category models
 */
export interface ReadyJson extends Schema.Schema.Type<typeof ReadyJson> {}

/**
 * One component, as `GET /ops/health` answers it: its lifecycle state, its status (`"not-running"`
 * unless it started or is a singleton only handles reach, see {@link HealthCheckJson}; else healthy
 * when every check is), its `phase` check and its own checks
 * (declared with `Lifecycle.healthCheck`; run only while it runs).
 *
 * @example
 * ```ts
 * import * as Ops from "layerwise/Ops"
 *
 * export const isDown = (component: Ops.HealthComponentJson): boolean => component.status !== "healthy"
 * ```
 *
 * @since 0.2.0
 * @category schemas
 */
export const HealthComponentJson = Schema.Struct({
  name: Schema.String,
  state: Report.ComponentState,
  status: Schema.Literal("healthy", "unhealthy", "not-running"),
  checks: Schema.Array(HealthCheckJson)
})

/**
 * @since 0.2.0
 * @category models
 */
export interface HealthComponentJson extends Schema.Schema.Type<typeof HealthComponentJson> {}

/**
 * `GET /ops/health`: the health of every singleton of the application, in plan order (its
 * components: not layerwise's own services such as `layerwise/App/Application`; a `Health.Report`
 * with more: every component is listed, each with its `phase` check, and it decodes as a
 * `Health.Report`), then the components run-time lookups (by name) and child containers (by path)
 * built that declare checks (`tenant-a/Db (override)`, state `built`, as `App.health` lists them); `healthy` (status 200) when
 * every component is; `timestamp` is when it was checked (ISO 8601).
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import * as Ops from "layerwise/Ops"
 *
 * export const failing = (body: unknown): ReadonlyArray<string> =>
 *   Schema.decodeUnknownSync(Ops.HealthJson)(body).components.flatMap((component) =>
 *     component.checks.filter((check) => check.status !== "healthy").map((check) => check.id)
 *   )
 * ```
 *
 * @since 0.2.0
 * @category schemas
 */
export const HealthJson = Schema.Struct({
  healthy: Schema.Boolean,
  state: State,
  timestamp: Schema.String,
  components: Schema.Array(HealthComponentJson)
})

/**
 * @since 0.2.0
 * @category models
 */
export interface HealthJson extends Schema.Schema.Type<typeof HealthJson> {}

/**
 * The rule that chose a candidate for a request (`Plan.Choice`'s), as JSON.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import * as Ops from "layerwise/Ops"
 *
 * console.log(Schema.is(Ops.Rule)("primary")) // true
 * ```
 *
 * @since 0.2.0
 * @category schemas
 */
export const Rule = Schema.Literal("only", "override", "primary", "not-alternative", "lowest-order", "all", "absent", "external", "container", "input", "options")

/**
 * `GET /ops/components/:name`: one component explained. Its identity and the metadata the choice
 * rules use; `root` when a root request chose it; `chosenBy`: every request that resolved to it (the
 * requesting component, `null` for a root, the request's label, the rule that chose it, the
 * candidates considered, and `text`: the line `Explain.componentText` says of it, which the ops page
 * shows, `chosen for Api -> Database: primary over replica`); `dependencies`: its resolved requests; `dependents`: the components that
 * requested it; `lifecycle`: its lifecycle metadata (`Explain.LifecycleJson`) or `null`; its
 * lifecycle state, startup order, and the phases of the run so far with their timings
 * (`Report.PhaseRecord`, milliseconds rounded to 0.1).
 *
 * @example
 * ```ts
 * import * as Ops from "layerwise/Ops"
 *
 * export const whyChosen = (component: Ops.ComponentJson): ReadonlyArray<string> => component.chosenBy.map((choice) => choice.text)
 * export const rules = (component: Ops.ComponentJson): ReadonlyArray<string> => component.chosenBy.map((choice) => choice.rule)
 * ```
 *
 * @since 0.2.0
 * @category schemas
 */
export const ComponentJson = Schema.Struct({
  ...explainInternal.ComponentExplanation.fields,
  chosenBy: Schema.Array(Schema.Struct({ ...explainInternal.ChosenByJson.fields, text: Schema.String })),
  state: Report.ComponentState
})

/**
 * @since 0.2.0
 * @category models
 */
export interface ComponentJson extends Schema.Schema.Type<typeof ComponentJson> {}

/**
 * One step of the startup's critical path: a phase of a component (when it began, how long it took)
 * and `via`, how it waited for the step before it: `"dependency"` (it needed that component),
 * `"lookup"` (its constructor looked that component up during the build: the report's `lookups`),
 * `"stage"` (a lower startup order), `"built"` (starts wait for the whole graph to be built),
 * `"component"` (its own build, before its initializers); `null` for the first step. A component
 * without start hooks starts in no time once it may: on the path, a start of duration 0.
 *
 * @example
 * ```ts
 * import * as Ops from "layerwise/Ops"
 *
 * export const describeStep = (step: Ops.CriticalSegment): string =>
 *   `${step.component} ${step.phase} ${step.duration} ms${step.via === null ? "" : ` (after a ${step.via})`}`
 * ```
 *
 * @since 0.2.0
 * @category schemas
 */
export const CriticalSegment = Schema.Struct({
  component: Schema.String,
  phase: Schema.Literal("build", "initialize", "start"),
  at: Schema.Number,
  duration: Schema.Number,
  via: Schema.NullOr(Schema.Literal("dependency", "lookup", "stage", "built", "component"))
})

/**
 * @since 0.2.0
 * @category models
 */
export interface CriticalSegment extends Schema.Schema.Type<typeof CriticalSegment> {}

/**
 * `GET /ops/startup`: the startup timeline. `startedAt` (ISO 8601) is when the run began; `duration`
 * how long the startup took (so far, while it runs); per component, in build order, its state, its
 * startup order and stage (`null` when it has none), and its build, initialize and start phases
 * (`at`: milliseconds since the run began), and `lookedUp`, what its constructor looked up during the
 * build of the components listed (the report's `lookups`; left out when none); `criticalPath`: the chain of phases, in time order, that
 * decided when the startup ended, following dependency edges, what constructors looked up and startup
 * stages (see {@link startupTimeline}).
 *
 * @example
 * ```ts
 * import * as Ops from "layerwise/Ops"
 *
 * export const slowest = (startup: Ops.StartupJson): ReadonlyArray<string> =>
 *   [...new Set(startup.criticalPath.map((step) => step.component))]
 * ```
 *
 * @since 0.2.0
 * @category schemas
 */
export const StartupJson = Schema.Struct({
  startedAt: Schema.String,
  duration: Schema.Number,
  components: Schema.Array(Schema.Struct({
    name: Schema.String,
    service: Schema.String,
    state: Report.ComponentState,
    startup: Schema.NullOr(Schema.Number),
    stage: Schema.NullOr(Schema.Number),
    phases: Schema.Array(Schema.Struct({
      phase: Schema.Literal("build", "initialize", "start"),
      at: Schema.Number,
      duration: Schema.Number,
      outcome: Report.Outcome
    })),
    lookedUp: Schema.optional(Schema.Array(Schema.String))
  })),
  criticalPath: Schema.Array(CriticalSegment)
})

/**
 * @since 0.2.0
 * @category models
 */
export interface StartupJson extends Schema.Schema.Type<typeof StartupJson> {}

/**
 * `GET /ops/metrics`: a first set of metrics, from the run's report (more will come: health, instance
 * managers): the number of components, how many are in each state, per phase how many components went
 * through it and their total and longest duration, the startup's duration and the number of errors.
 *
 * @example
 * ```ts
 * import * as Ops from "layerwise/Ops"
 *
 * export const builds = (metrics: Ops.MetricsJson): number =>
 *   metrics.phases.find((phase) => phase.phase === "build")?.count ?? 0
 * ```
 *
 * @since 0.2.0
 * @category schemas
 */
export const MetricsJson = Schema.Struct({
  components: Schema.Number,
  states: Schema.Record({ key: Report.ComponentState, value: Schema.Number }),
  phases: Schema.Array(Schema.Struct({
    phase: Report.Phase,
    count: Schema.Number,
    total: Schema.Number,
    max: Schema.Number
  })),
  startup: Schema.Number,
  errors: Schema.Number
})

/**
 * @since 0.2.0
 * @category models
 */
export interface MetricsJson extends Schema.Schema.Type<typeof MetricsJson> {}

/**
 * `GET /ops/options`: the options of the application's plan as `Options.describe` gives them, read
 * when the ops endpoints are made (in the application, with its `ConfigProvider`): per option the
 * options' name and the components reading them, its flag, variable, type, default, description,
 * whether it is a secret, its value as shown (a secret's is `"<redacted>"`, never the value) and
 * where it came from.
 *
 * @example
 * ```ts
 * import * as Ops from "layerwise/Ops"
 *
 * export const flags = (answer: Ops.OptionsJson): ReadonlyArray<string> => answer.options.map((option) => option.flag)
 * ```
 *
 * @since 0.2.0
 * @category schemas
 */
export const OptionsJson = Schema.Struct({
  options: Schema.Array(Schema.Struct({
    options: Schema.String,
    components: Schema.Array(Schema.String),
    key: Schema.String,
    flag: Schema.String,
    variable: Schema.String,
    type: Schema.String,
    default: Schema.optional(Schema.String),
    description: Schema.optional(Schema.String),
    secret: Schema.Boolean,
    required: Schema.Boolean,
    value: Schema.optional(Schema.String),
    source: Schema.Literal("flag", "environment", "file", "config", "default", "none"),
    from: Schema.optional(Schema.String)
  }))
})

/**
 * @since 0.2.0
 * @category models
 */
export interface OptionsJson extends Schema.Schema.Type<typeof OptionsJson> {}

/**
 * One component a container holds, as `GET /ops/containers` answers it (`Container.SnapshotComponent`):
 * its name (a child's own: `Name (override)`), the key of its service, its lifetime, whether its
 * singleton instance is built and held, whether it was shut down (`Container.shutDown`).
 *
 * @example
 * ```ts
 * import * as Ops from "layerwise/Ops"
 *
 * export const db: Ops.ContainerComponentJson = { name: "Db", service: "app/Db", lifetime: "singleton", built: false, shutDown: true }
 * ```
 *
 * @since 0.2.0
 * @category schemas
 */
export const ContainerComponentJson: Schema.Schema<Container.SnapshotComponent> = Schema.Struct({
  name: Schema.String,
  service: Schema.String,
  lifetime: Schema.String,
  built: Schema.Boolean,
  shutDown: Schema.Boolean
})

/**
 * @since 0.2.0
 * @category models
 */
export type ContainerComponentJson = Container.SnapshotComponent

/**
 * `GET /ops/containers`: what the running container holds, as `Container.snapshot` takes it: its
 * components (the application's plan's, then what run-time lookups built; not layerwise's own
 * services, such as `layerwise/App/Application`, which the application provides) and its open children,
 * each with its own components and children, in the order they were opened. It shows names,
 * services, lifetimes and whether each is built or shut down: never an instance. Taking it builds
 * nothing.
 *
 * @example
 * ```ts
 * import * as Ops from "layerwise/Ops"
 *
 * // every shut-down component, by the path of its container
 * export const shutDown = (container: Ops.ContainerJson): ReadonlyArray<string> => [
 *   ...container.components.filter((component) => component.shutDown).map((component) => [...container.path, component.name].join("/")),
 *   ...container.children.flatMap(shutDown)
 * ]
 * ```
 *
 * @since 0.2.0
 * @category schemas
 */
export const ContainerJson: Schema.Schema<Container.Snapshot> = Schema.Struct({
  name: Schema.String,
  path: Schema.Array(Schema.String),
  state: Schema.Literal("open", "closing", "closed"),
  components: Schema.Array(ContainerComponentJson),
  children: Schema.Array(Schema.suspend((): Schema.Schema<Container.Snapshot> => ContainerJson))
})

/**
 * @since 0.2.0
 * @category models
 */
export type ContainerJson = Container.Snapshot

/**
 * The `404` answer of a section that is not exposed.
 *
 * @example
 * ```ts
 * import * as Ops from "layerwise/Ops"
 *
 * export const answer: Ops.NotExposedJson = {
 *   error: "GET /ops/graph is not exposed: add \"graph\" to the ops options' expose (or expose \"all\")",
 *   section: "graph"
 * }
 * ```
 *
 * @since 0.2.0
 * @category schemas
 */
export const NotExposedJson = Schema.Struct({ error: Schema.String, section: Section })

/**
 * @since 0.2.0
 * @category models
 */
export interface NotExposedJson extends Schema.Schema.Type<typeof NotExposedJson> {}

/**
 * The `404` answer of `GET /ops/components/:name` for a name no component of the application has
 * (one of layerwise's own services, in the plan, is not one of them), with the close names; for a
 * registered component the plan left out, the error says why (`replica is not in the plan: Api ->
 * Database chose Database (primary)`), as `Explain.component`'s `UnknownComponent` does.
 *
 * @example
 * ```ts
 * import * as Ops from "layerwise/Ops"
 *
 * export const answer: Ops.UnknownComponentJson = { error: "no component is named \"Databse\"", suggestions: ["Database"] }
 * ```
 *
 * @since 0.2.0
 * @category schemas
 */
export const UnknownComponentJson = Schema.Struct({ error: Schema.String, suggestions: Schema.Array(Schema.String) })

/**
 * @since 0.2.0
 * @category models
 */
export interface UnknownComponentJson extends Schema.Schema.Type<typeof UnknownComponentJson> {}

// ---------------------------------------------------------------------------------------------
// serving

/**
 * The ops endpoints as an `HttpApiGroup` named `ops`: add it to your `HttpApi` and provide
 * {@link layer} for its handlers. Each endpoint declares its answers (statuses and schemas), so an
 * `HttpApiClient` and the OpenAPI document know them.
 *
 * @example
 * ```ts
 * import { HttpApi } from "@effect/platform"
 * import * as Ops from "layerwise/Ops"
 *
 * export class Api extends HttpApi.make("api").add(Ops.group) {}
 * ```
 *
 * @since 0.2.0
 * @category http
 */
export const group = HttpApiGroup.make("ops")
  .add(HttpApiEndpoint.get("live", "/ops/live").addSuccess(LiveJson))
  .add(HttpApiEndpoint.get("ready", "/ops/ready").addSuccess(ReadyJson).addError(ReadyJson, { status: 503 }))
  .add(
    HttpApiEndpoint.get("health", "/ops/health")
      .addSuccess(HealthJson)
      .addError(HealthJson, { status: 503 })
      .addError(NotExposedJson, { status: 404 })
  )
  .add(HttpApiEndpoint.get("graph", "/ops/graph").addSuccess(Explain.PlanJson).addError(NotExposedJson, { status: 404 }))
  .add(
    HttpApiEndpoint.get("mermaid", "/ops/graph.mmd")
      .addSuccess(HttpApiSchema.Text({ contentType: "text/plain" }))
      .addError(NotExposedJson, { status: 404 })
  )
  .add(
    HttpApiEndpoint.get("component", "/ops/components/:name")
      .setPath(Schema.Struct({ name: Schema.String }))
      .addSuccess(ComponentJson)
      .addError(UnknownComponentJson, { status: 404 })
      .addError(NotExposedJson, { status: 404 })
  )
  .add(HttpApiEndpoint.get("startup", "/ops/startup").addSuccess(StartupJson).addError(NotExposedJson, { status: 404 }))
  .add(HttpApiEndpoint.get("metrics", "/ops/metrics").addSuccess(MetricsJson).addError(NotExposedJson, { status: 404 }))
  .add(HttpApiEndpoint.get("options", "/ops/options").addSuccess(OptionsJson).addError(NotExposedJson, { status: 404 }))
  .add(HttpApiEndpoint.get("containers", "/ops/containers").addSuccess(ContainerJson).addError(NotExposedJson, { status: 404 }))
  // its 404 (sections not exposed) is not declared: a string error schema would claim every string
  // failure of the whole API
  .add(HttpApiEndpoint.get("page", "/ops/").addSuccess(HttpApiSchema.Text({ contentType: "text/html" })))

/**
 * The type of {@link group}.
 *
 * @example
 * ```ts
 * import { HttpApi } from "@effect/platform"
 * import * as Ops from "layerwise/Ops"
 *
 * export const withOps = <Id extends string>(api: HttpApi.HttpApi<Id>): HttpApi.HttpApi<Id, Ops.Group> => api.add(Ops.group)
 * ```
 *
 * @since 0.2.0
 * @category http
 */
export type Group = typeof group

/**
 * The handlers of {@link group} for your `HttpApi` (which must include it), answering for the
 * application they run in (`App.Application`). Build the Layer inside the application (a component
 * that serves the API) or provide `App.Application` to it. The `containers` section answers from the
 * `Container.Container` in the Layer's context when it is built (list it in the component's
 * dependencies); without one, `GET /ops/containers` answers `404` saying so.
 *
 * @example
 * ```ts
 * import { HttpApi, HttpApiBuilder } from "@effect/platform"
 * import { Layer } from "effect"
 * import * as Ops from "layerwise/Ops"
 *
 * class Api extends HttpApi.make("api").add(Ops.group) {}
 *
 * // needs App.Application: build it in a component of the application that serves the API
 * export const ApiLive = HttpApiBuilder.api(Api).pipe(Layer.provide(Ops.layer(Api, { expose: ["health"] })))
 * ```
 *
 * @since 0.2.0
 * @category http
 */
// the implementation takes any HttpApi (`HttpApi.Any`); this signature is the one users get: it keeps
// the API's identifier and requires the ops group in it, which the implementation cannot express
export const layer: <ApiId extends string, Groups extends HttpApiGroup.HttpApiGroup.Any, ApiError, ApiR>(
  api: HttpApi.HttpApi<ApiId, Groups, ApiError, ApiR> & ([Group] extends [Groups] ? unknown : "add Ops.group to the HttpApi"),
  options?: Options
) => Layer.Layer<HttpApiGroup.ApiGroup<ApiId, "ops">, never, App.Application> = internal.layer as never

/**
 * The ops endpoints as a plain `HttpRouter` (paths under `/ops`), answering for the application it
 * is made in (`App.Application`): mount it in your server's router. The `containers` section answers
 * from the `Container.Container` in the context it is made in (list it in the dependencies of the
 * component that makes it); without one, `GET /ops/containers` answers `404` saying so.
 *
 * @example
 * ```ts
 * import { HttpRouter, HttpServerResponse } from "@effect/platform"
 * import { Context, Effect } from "effect"
 * import { App, Component } from "layerwise"
 * import * as Ops from "layerwise/Ops"
 *
 * class Routes extends Context.Tag("app/Routes")<Routes, HttpRouter.HttpRouter>() {}
 *
 * export const RoutesLive = Component.make(Routes, {
 *   dependencies: [App.Application],
 *   build: Effect.map(Ops.router({ expose: ["health", "startup"] }), (ops) =>
 *     HttpRouter.empty.pipe(HttpRouter.get("/hello", HttpServerResponse.text("hello")), HttpRouter.concat(ops)))
 * })
 * ```
 *
 * @since 0.2.0
 * @category http
 */
export const router: (options?: Options) => Effect.Effect<HttpRouter.HttpRouter, never, App.Application> =
  internal.router

/**
 * The ops server made by {@link serve}: where it listens.
 *
 * @example
 * ```ts
 * import * as Ops from "layerwise/Ops"
 *
 * export const url = (server: Ops.Server): string => `http://${server.hostname}:${server.port}/ops/`
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface Server {
  readonly hostname: string
  readonly port: number
}

/**
 * The tag of the {@link Server} service.
 *
 * @example
 * ```ts
 * import { Context, Effect } from "effect"
 * import { Component, Lifecycle } from "layerwise"
 * import * as Ops from "layerwise/Ops"
 *
 * class Announce extends Context.Tag("app/Announce")<Announce, void>() {}
 *
 * export const AnnounceLive = Component.make(Announce, {
 *   dependencies: [Ops.Server],
 *   build: Effect.flatMap(Ops.Server, (server) => Effect.log(`ops on port ${server.port}`))
 * }).pipe(Lifecycle.startup())
 * ```
 *
 * @since 0.2.0
 * @category tags
 */
export const Server: Context.Tag<Server, Server> = internal.ServerTag

/**
 * A component serving the ops endpoints on a port of its own (with `@effect/platform-node`'s HTTP
 * server; needs that package): add it to the application's registry. It listens from its
 * construction until its release. A startup component of the lowest order by default: it is built
 * (and listens) before the components of any other startup order (liveness answers during a long
 * startup; readiness says `503` until everything started), and released after everything built after
 * it (releases go in reverse build order). Named `layerwise/Ops/Server`; a port in use fails its
 * construction (the platform's `ServeError`). When the `containers` section is exposed, it requests
 * `Container.Container` too.
 *
 * @example
 * ```ts
 * import { App, Registry } from "layerwise"
 * import * as Ops from "layerwise/Ops"
 *
 * export const app = App.make(Registry.make(Ops.serve({ port: 9090, expose: ["health"] })))
 * ```
 *
 * @since 0.2.0
 * @category components
 */
export const serve: (options: ServeOptions) => Component.Component<Server, Server> = internal.serve

/**
 * The startup timeline of a run (what `GET /ops/startup` answers) from its plan's JSON form and its
 * report. The critical path starts from the phase that ended last and goes back, each time to the
 * phase that decided when the current one could begin, by App's lifecycle contract: a build waits
 * for its dependencies' builds (and initializers) and for the builds of lower startup stages; a
 * component's initializers for its build; a start for the whole build, its dependencies' starts and
 * the starts of lower stages. Of what a phase waited for, the one that ended last decided. What a
 * constructor looked up during the build (the report's `lookups`; a component of the plan) is one of
 * its dependencies here, as for App: a step `via: "lookup"`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { App, Explain, Registry } from "layerwise"
 * import * as Ops from "layerwise/Ops"
 *
 * const app = App.make(Registry.empty)
 * export const program = Effect.scoped(Effect.gen(function*() {
 *   const running = yield* App.start(app)
 *   const timeline = Ops.startupTimeline(Explain.toJson(running.plan), yield* App.report(running))
 *   yield* Effect.log(timeline.criticalPath.map((step) => `${step.component} ${step.phase}`).join(" -> "))
 * }))
 * ```
 *
 * @since 0.2.0
 * @category timeline
 */
export const startupTimeline: (plan: Explain.PlanJson, report: Report.Report) => StartupJson = startupInternal.timeline
