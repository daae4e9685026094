/**
 * The health of a running application: what its components' health checks answered.
 *
 * Components declare checks with `Lifecycle.healthCheck`; a running application runs them when asked
 * (`App.health` from outside, the `App.Health` service from inside, for an HTTP `/health` route) and
 * answers with a {@link Report}. Checking health is not a lifecycle phase: it changes nothing in the
 * application, is not part of its run report, and never fails.
 *
 * - Only components that declare checks are listed, in plan order (dependencies first), then those
 *   run-time lookups built beyond the plan (by name) and child containers built (`Container.child`),
 *   by path (`tenant-a/Db (override)`); when some
 *   components are asked for (`App.healthOf`), just those, whether they declare checks or not.
 * - A component that has not started (still building or starting, failed, stopping or stopped) is
 *   `"not-running"`: its checks are not run and its `checks` list is empty. A check in flight when
 *   the application begins to stop, its component is shut down, or (a child container's) released,
 *   is interrupted (and waited for, until its timeout, before anything is released): its component
 *   is `"not-running"` too.
 * - Each check of a started component is `"healthy"` when it succeeds within its timeout (with the
 *   {@link details} it succeeded with, if any),
 *   `"unhealthy"` when it fails, dies or throws (with its error rendered), `"timeout"` when it did not
 *   complete in time (it is interrupted and not waited for): within its own timeout, or within the
 *   run's overall timeout, if one was set (a check still waiting for its turn then is `"timeout"`
 *   too, with a duration of 0).
 * - A component is `"healthy"` when every check is; the application is `healthy` when every listed
 *   component is.
 *
 * A report is plain data described by an `effect/Schema` schema ({@link Report}), so it encodes to
 * JSON and decodes back; {@link format} renders it as text. Durations are milliseconds on Effect's
 * `Clock` (so `TestClock` makes them deterministic).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import * as internal from "./internal/health.js"

/**
 * How one check ended.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Health } from "layerwise"
 *
 * Schema.is(Health.CheckStatus)("timeout") // true
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const CheckStatus = Schema.Literal("healthy", "unhealthy", "timeout")

/**
 * @since 0.1.0
 * @category models
 */
export type CheckStatus = typeof CheckStatus.Type

/**
 * The health of one component.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Health } from "layerwise"
 *
 * Schema.is(Health.ComponentStatus)("not-running") // true
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const ComponentStatus = Schema.Literal("healthy", "unhealthy", "not-running")

/**
 * @since 0.1.0
 * @category models
 */
export type ComponentStatus = typeof ComponentStatus.Type

/**
 * What a healthy check tells of itself (made by {@link details}): a pool's free connections, a
 * broker's lag, the version of the server it reached.
 *
 * @example
 * ```ts
 * import { Health } from "layerwise"
 *
 * export const pool: Health.Details = Health.details({ idle: 3, busy: 1 })
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface Details extends internal.Details {}

/**
 * Details of a healthy check: a check (`Lifecycle.healthCheck`) that succeeds with
 * `Health.details({ ... })` is reported with them (`details` in its {@link CheckRecord}, after its
 * duration in {@link format}), as Spring Boot's health indicators and .NET's `HealthCheckResult.Data`
 * report theirs; a check that succeeds with anything else reports none, so that what a check
 * happens to return (a query's rows, a client's answer) is never shown by accident. Only a healthy
 * check has details: a failing one is told by its error, whose fields are rendered.
 *
 * The values are written as plain JSON when the check ends: a `Redacted` as `<redacted>` (a
 * report never shows a secret), a bigint as its digits, a `Date` as ISO text, a non-finite number
 * as text, what has a `toJSON` as it writes itself, functions and symbols left out; at most 6
 * levels deep, 100 entries per array or record and 1,000 characters per string, cycles as
 * `[Circular]`. Over HTTP, the ops API shows them only when asked (`expose: ["health",
 * "health-details"]`), as Actuator shows details only with `show-details`.
 *
 * @example
 * ```ts
 * import { Context, Effect } from "effect"
 * import { Component, Health, Lifecycle } from "layerwise"
 *
 * class Pool extends Context.Tag("app/Pool")<Pool, { readonly stats: Effect.Effect<{ readonly idle: number; readonly busy: number }> }>() {}
 *
 * export const PoolLive = Component.make(Pool, { build: Effect.succeed({ stats: Effect.succeed({ idle: 3, busy: 1 }) }) }).pipe(
 *   Lifecycle.healthCheck((pool) => Effect.map(pool.stats, (stats) => Health.details(stats)), { name: "connections" })
 * )
 * // App.health: { name: "connections", status: "healthy", duration: 0, details: { idle: 3, busy: 1 } }
 * // Health.format:     connections: healthy 0.00ms (idle: 3, busy: 1)
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const details: (values: Readonly<Record<string, unknown>>) => Details = internal.details

/**
 * Whether a value was made by {@link details}.
 *
 * @example
 * ```ts
 * import { Health } from "layerwise"
 *
 * console.log(Health.isDetails(Health.details({ lag: 0 }))) // true
 * console.log(Health.isDetails({ lag: 0 })) // false
 * ```
 *
 * @since 0.2.0
 * @category guards
 */
export const isDetails: (u: unknown) => u is Details = internal.isDetails

/**
 * One check of one component, as it ran.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Health } from "layerwise"
 *
 * export const check = Schema.decodeUnknownSync(Health.CheckRecord)({ name: "ping", status: "healthy", duration: 1.5 })
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const CheckRecord = Schema.Struct({
  /** the check's name (`healthCheck`, `healthCheck#2`, or the name given) */
  name: Schema.String,
  status: CheckStatus,
  /** milliseconds, from when it began until it ended or timed out */
  duration: Schema.Number,
  /** why it is not healthy: its error rendered, or the timeout it exceeded */
  error: Schema.optionalWith(Schema.String, { exact: true }),
  /** present (`true`) when the check counts for readiness (`Lifecycle.healthCheck(check, { readiness: true })`) */
  readiness: Schema.optionalWith(Schema.Literal(true), { exact: true }),
  /**
   * what a healthy check told of itself: present when it succeeded with {@link details}, its values
   * as plain JSON (secrets as `<redacted>`; see {@link details})
   */
  details: Schema.optionalWith(Schema.Record({ key: Schema.String, value: Schema.Unknown }), { exact: true })
})

/**
 * @since 0.1.0
 * @category models
 */
export interface CheckRecord extends Schema.Schema.Type<typeof CheckRecord> {}

/**
 * One component that declares health checks; its checks in declaration order (none when it is not
 * running).
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Health } from "layerwise"
 *
 * export const db = Schema.decodeUnknownSync(Health.ComponentRecord)({ name: "Db", status: "not-running", checks: [] })
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const ComponentRecord = Schema.Struct({
  name: Schema.String,
  status: ComponentStatus,
  checks: Schema.Array(CheckRecord)
})

/**
 * @since 0.1.0
 * @category models
 */
export interface ComponentRecord extends Schema.Schema.Type<typeof ComponentRecord> {}

/**
 * The health of an application.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Health } from "layerwise"
 *
 * const toJson = (report: Health.Report): string => JSON.stringify(Schema.encodeSync(Health.Report)(report))
 * console.log(toJson({ healthy: true, components: [] })) // {"healthy":true,"components":[]}
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const Report = Schema.Struct({
  /** `true` when every listed component is healthy */
  healthy: Schema.Boolean,
  /** the components that declare health checks, in plan order, then those run-time lookups (by name) and child containers (by path) built */
  components: Schema.Array(ComponentRecord)
})

/**
 * @since 0.1.0
 * @category models
 */
export interface Report extends Schema.Schema.Type<typeof Report> {}

/**
 * The application's readiness (`App.Health`'s `readiness`, what `GET /ops/ready` answers from):
 * `ready` once the application started and while every health check that counts for readiness
 * (`Lifecycle.healthCheck(check, { readiness: true })`) is healthy. `state` is the application's
 * (`App.State`); the checks run only when it is `"started"` (before and from the shutdown on,
 * `report` lists nothing). `failing` names each check that counts and is not healthy,
 * `<component>/<check>` (a component that declares some but is not running:
 * `<component>/phase`), and nothing else: no error, safe to show. `report` is what those checks
 * answered (only they, of the components that declare one), errors included.
 *
 * @example
 * ```ts
 * import { Health } from "layerwise"
 *
 * export const brokerDown: Health.Readiness = {
 *   ready: false,
 *   state: "started",
 *   failing: ["Broker/connected"],
 *   report: {
 *     healthy: false,
 *     components: [{ name: "Broker", status: "unhealthy", checks: [{ name: "connected", status: "timeout", duration: 2000, error: "did not complete within 2s" }] }]
 *   }
 * }
 * ```
 *
 * @since 0.2.0
 * @category schemas
 */
export const Readiness = Schema.Struct({
  ready: Schema.Boolean,
  state: Schema.Literal("created", "building", "starting", "started", "stopping", "stopped"),
  failing: Schema.Array(Schema.String),
  report: Report
})

/**
 * @since 0.2.0
 * @category models
 */
export interface Readiness extends Schema.Schema.Type<typeof Readiness> {}

/**
 * Renders a health report as text: a summary line, then each component with its status and each of
 * its checks with its status, duration and error, or its {@link details} (a check that counts for
 * readiness: `connected (readiness)`; details: `pool: healthy 2.00ms (idle: 3, busy: 1)`).
 *
 * @example
 * ```ts
 * import { Health } from "layerwise"
 *
 * console.log(Health.format({
 *   healthy: false,
 *   components: [
 *     { name: "Database", status: "unhealthy", checks: [{ name: "ping", status: "timeout", duration: 2000, error: "did not complete within 2s" }] },
 *     { name: "Cache", status: "not-running", checks: [] }
 *   ]
 * }))
 * // health UNHEALTHY: 0 of 2 components healthy
 * //   Database: unhealthy
 * //     ping: TIMEOUT 2.00s: did not complete within 2s
 * //   Cache: not running
 * ```
 *
 * @since 0.1.0
 * @category formatting
 */
export const format: (report: Report) => string = internal.format
