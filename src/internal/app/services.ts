/**
 * `App`'s services, which every application built from a registry provides to its components:
 * `Shutdowner` (end the application), `Health` (check its health and readiness), `Application` (the
 * running application: plan, states, report, events), each with its tag and its component.
 *
 * The public side of these services: what `App` re-exports (`export *`), with the documentation and
 * examples that test/Docs.test.ts type-checks as those of the public modules. Their implementation is
 * in `./app.ts` and `./builtins.ts`.
 *
 * @internal
 */
import type * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Stream from "effect/Stream"
import type { Event, HealthOptions, State } from "../../App.js"
import type * as Component from "../../Component.js"
import type * as Container from "../../Container.js"
import type * as Dependency from "../../Dependency.js"
import type * as Errors from "../../Errors.js"
// imported under another name: `Health` is this module's service (the report's module is `Health`)
import type * as HealthReport from "../../Health.js"
import type * as Plan from "../../Plan.js"
import type * as Report from "../../Report.js"
import * as internal from "./app.js"

/**
 * The service that lets components end the application: its `shutdown` is {@link shutdown}. Every
 * application built from a registry provides it; request it like any dependency. The reason is the
 * report's `shutdownReason`, the exit code (uber fx's `fx.ExitCode`, see {@link ShutdownOptions}) its
 * `exitCode`, which `runMain` exits with after a clean run. The first request wins, reason and exit
 * code together; an exit code that is not an integer from 0 to 255 is a defect (nothing is requested).
 *
 * @example
 * ```ts
 * import { Context, Effect } from "effect"
 * import { App, Component, Lifecycle } from "layerwise"
 *
 * class Migration extends Context.Tag("app/Migration")<Migration, void>() {}
 *
 * // a one-shot job that ends the process with exit code 3 when there was nothing to do
 * export const MigrationLive = Component.make(Migration, {
 *   dependencies: [App.Shutdowner],
 *   build: Effect.flatMap(App.Shutdowner, (app) => app.shutdown("nothing to migrate", { exitCode: 3 }))
 * }).pipe(Lifecycle.startup())
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Shutdowner {
  readonly shutdown: (reason?: string, options?: ShutdownOptions) => Effect.Effect<void>
}

/**
 * Options of a shutdown request ({@link Shutdowner}'s `shutdown`, `App.shutdown`).
 *
 * `exitCode`: the code the process exits with (uber fx's `Shutdown(fx.ExitCode(3))`, .NET's
 * `Environment.ExitCode`), an integer from 0 to 255. It is the report's `exitCode` and what
 * `App.awaitShutdown` returns; `runMain` (`layerwise/node`) exits with it after a clean run. A failed
 * run exits 1 whatever the code asked for: the failure wins (a job that asked for 0 and whose stop
 * hook then failed did not end well).
 *
 * @example
 * ```ts
 * import { App } from "layerwise"
 *
 * export const noMigrationNeeded: App.ShutdownOptions = { exitCode: 3 }
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface ShutdownOptions {
  readonly exitCode?: number | undefined
}

/**
 * A shutdown request, as `App.awaitShutdown` returns it: the first one, which wins (`Requested`, with
 * its reason and exit code, as `App.shutdown` or the {@link Shutdowner} gave them; a signal under
 * `runMain` is one, its reason the signal's name), or background work that failed (`BackgroundFailed`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { App, Registry } from "layerwise"
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const running = yield* App.start(App.make(Registry.empty))
 *   yield* App.shutdown(running, "done", { exitCode: 3 })
 *   const request = yield* App.awaitShutdown(running)
 *   return request._tag === "Requested" ? request.exitCode : undefined // 3
 * }))
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export type ShutdownRequest =
  | { readonly _tag: "Requested"; readonly reason: string | undefined; readonly exitCode: number | undefined }
  | { readonly _tag: "BackgroundFailed" }

/**
 * The tag of the {@link Shutdowner} service.
 *
 * @example
 * ```ts
 * import { Context, Effect } from "effect"
 * import { App, Component, Lifecycle } from "layerwise"
 *
 * class Job extends Context.Tag("app/Job")<Job, void>() {}
 *
 * // a one-shot job: runs at startup, then ends the application
 * export const JobLive = Component.make(Job, {
 *   dependencies: [App.Shutdowner],
 *   build: Effect.flatMap(App.Shutdowner, (app) => app.shutdown("job done"))
 * }).pipe(Lifecycle.startup())
 * ```
 *
 * @since 0.1.0
 * @category tags
 */
export const Shutdowner: Context.Tag<Shutdowner, Shutdowner> = internal.Shutdowner

/**
 * The component providing {@link Shutdowner} (marked alternative, so a component of your own wins).
 * Applications made from a registry include it; add it to a registry you resolve yourself to use it
 * with an application made from a plan.
 *
 * @example
 * ```ts
 * import { App, Registry } from "layerwise"
 *
 * export const registry = Registry.make(App.ShutdownerLive)
 * ```
 *
 * @since 0.1.0
 * @category components
 */
export const ShutdownerLive: Component.Component<Shutdowner, Shutdowner> = internal.shutdownerComponent

/**
 * The service that lets components check the application's health: `check` is {@link health} with
 * the application's `healthConcurrency` and `healthOverallTimeout`, `checkOf` is {@link healthOf}.
 * Every application built from a registry provides it; request it like any dependency. Checking from
 * a start hook does not wait for the startup: what has not started yet is `"not-running"`. A health
 * check must not check its own application's health (it would run itself again without end): that
 * check dies, and is reported unhealthy saying so.
 *
 * @since 0.1.0
 * @category models
 */
export interface Health {
  readonly check: Effect.Effect<HealthReport.Report>
  /**
   * The health checks of some components only, or of what a container sees, as {@link healthOf}
   * (`health.checkOf([Database, "Cache"], { timeout: "1 second" })`).
   *
   * @since 0.2.0
   */
  readonly checkOf: (
    components: ReadonlyArray<string | Dependency.Any | Container.Container>,
    options?: HealthOptions
  ) => Effect.Effect<HealthReport.Report, Errors.UnknownComponent>
  /**
   * The application's readiness (`Health.Readiness`, what `GET /ops/ready` answers): ready once it
   * started and while every check declared with `readiness: true` is healthy. Only those run, only
   * once started; concurrent callers share one run in flight, and none is kept once it ended.
   *
   * @since 0.2.0
   */
  readonly readiness: Effect.Effect<HealthReport.Readiness>
}

/**
 * The tag of the {@link Health} service.
 *
 * @example
 * ```ts
 * import { Context, Effect } from "effect"
 * import { App, Component } from "layerwise"
 *
 * class Status extends Context.Tag("app/Status")<Status, { readonly healthy: Effect.Effect<boolean>; readonly ready: Effect.Effect<boolean> }>() {}
 *
 * // what HTTP `/health` and `/ready` routes would serve
 * export const StatusLive = Component.make(Status, {
 *   dependencies: [App.Health],
 *   build: Effect.map(App.Health, (health) => ({
 *     healthy: Effect.map(health.check, (report) => report.healthy),
 *     ready: Effect.map(health.readiness, (readiness) => readiness.ready)
 *   }))
 * })
 * ```
 *
 * @since 0.1.0
 * @category tags
 */
export const Health: Context.Tag<Health, Health> = internal.HealthTag

/**
 * The component providing {@link Health}, marked alternative and included as {@link ShutdownerLive}
 * is. Outside an application its construction dies.
 *
 * @example
 * ```ts
 * import { App, Registry } from "layerwise"
 *
 * export const registry = Registry.make(App.ShutdownerLive, App.HealthLive)
 * ```
 *
 * @since 0.1.0
 * @category components
 */
export const HealthLive: Component.Component<Health, Health> = internal.healthComponent

/**
 * The running application, as a service: what components and request handlers (an ops endpoint, a
 * `/health` route) read of the application they run in, without resolving its plan again. Every
 * application built from a registry provides it; request it like any dependency.
 *
 * - `plan`: the plan the application runs (its roots and startup components), for `Explain`;
 * - `state` / `phases`: the application's state and every component's, now;
 * - `report`: the report of the run so far (`App.report`): phases with their timings, errors;
 * - `health` / `readiness`: `App.Health`'s `check` and `readiness`;
 * - `events`: the lifecycle events from now on (`App.events`).
 *
 * During the build (a constructor reading it), the report and states say how far the startup got.
 *
 * @since 0.2.0
 * @category models
 */
export interface Application {
  readonly plan: Plan.Any
  readonly state: Effect.Effect<State>
  readonly phases: Effect.Effect<Readonly<Record<string, Report.ComponentState>>>
  readonly report: Effect.Effect<Report.Report>
  readonly health: Effect.Effect<HealthReport.Report>
  readonly readiness: Effect.Effect<HealthReport.Readiness>
  readonly events: Stream.Stream<Event>
}

/**
 * The tag of the {@link Application} service.
 *
 * @example
 * ```ts
 * import { Context, Effect } from "effect"
 * import { App, Component, Explain } from "layerwise"
 *
 * class Graph extends Context.Tag("app/Graph")<Graph, { readonly mermaid: string }>() {}
 *
 * // what an ops route would serve: the graph of the application it runs in
 * export const GraphLive = Component.make(Graph, {
 *   dependencies: [App.Application],
 *   build: Effect.map(App.Application, (app) => ({ mermaid: Explain.mermaid(app.plan) }))
 * })
 * ```
 *
 * @since 0.2.0
 * @category tags
 */
export const Application: Context.Tag<Application, Application> = internal.ApplicationTag

/**
 * The component providing {@link Application}, marked alternative and included as
 * {@link ShutdownerLive} is. Outside an application its construction dies.
 *
 * @example
 * ```ts
 * import { App, Registry } from "layerwise"
 *
 * export const registry = Registry.make(App.ApplicationLive)
 * ```
 *
 * @since 0.2.0
 * @category components
 */
export const ApplicationLive: Component.Component<Application, Application> = internal.applicationComponent
