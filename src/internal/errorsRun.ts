/**
 * `Errors`' run errors: a constructor's failure, a release's failure or timeout, unreadable options, and the
 * lifecycle's (App, Lifecycle) settings, hooks, states and failed runs.
 *
 * The public side of these errors: what `Errors` re-exports (`export *`), with the documentation and examples
 * that test/Docs.test.ts type-checks as those of the public modules. The classes are in `./errors.ts`.
 *
 * @internal
 */
import * as Data from "effect/Data"
import type { DependencyPath } from "../Errors.js"
import * as internal from "./errors.js"
import type { Constructor } from "./errors.js"

/**
 * A component's constructor failed (or died, or interrupted itself: `cause` is then an `InterruptedException`
 * naming the fibers) while the graph was built; what was built was released, dependents first, before this
 * error surfaced. `path`: from a root to the component. `cause` is the constructor's own failure, unchanged and
 * typed: a plan's Layer fails with `ConstructionError<E>`, `E` the union of its constructors' errors. A
 * constructor that died is a defect: the error is in the cause's defects, `cause` what it died with. Built by a
 * lookup or a handle, a component whose initializer failed has that `HookFailed` as `cause`, and its message.
 *
 * @example
 * ```ts
 * import { Data } from "effect"
 * import { Errors } from "layerwise"
 *
 * const error = new Errors.ConstructionError({ component: "Database", path: ["Api", "Database"], cause: new Error("refused") })
 * console.log(error.message) // "Api -> Database: constructor of Database failed: Error: refused"
 *
 * class DbDown extends Data.TaggedError("DbDown")<{ readonly host: string; readonly cause: unknown }> {}
 * const cause = new DbDown({ host: "db1", cause: new Error("connect ECONNREFUSED 127.0.0.1:5432") })
 * const down = new Errors.ConstructionError({ component: "Database", path: ["Database"], cause })
 * console.log(down.message)
 * // "Database: constructor of Database failed: DbDown { host: \"db1\" }: caused by Error: connect ECONNREFUSED 127.0.0.1:5432"
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class ConstructionError<out E = unknown> extends Data.TaggedError("ConstructionError")<{
  readonly component: string
  readonly path: DependencyPath
  readonly cause: E
}> {
  override get message(): string {
    return internal.constructionErrorMessage(this)
  }
}

/**
 * Releasing a component failed (a finalizer, or a disposer of an instance of its own, failed or died;
 * several: `cause` is their Cause). A defect when the scope closes; the others are still released.
 *
 * @example
 * ```ts
 * import { Errors } from "layerwise"
 *
 * const error = new Errors.ReleaseError({ component: "Database", path: ["Api", "Database"], cause: new Error("socket closed") })
 * console.log(error.message) // "Api -> Database: releasing Database failed: Error: socket closed"
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export const ReleaseError: Constructor<typeof internal.ReleaseError, ReleaseError> = internal.ReleaseError
export interface ReleaseError extends internal.ReleaseError {}

/**
 * An application's release (after the stop hooks, each component's disposers and constructor's
 * finalizers), or a `Container.shutDown` under App, did not complete within the release timeout:
 * `component` was being released (its disposers or finalizers: the report's phase in flight says which).
 * The wait ends; the components not released yet (among them what `component` depends on, which must
 * outlive it: its release goes on in the background) are left unreleased. `building`: the release was still
 * waiting for `component`'s build in flight (a lookup's, a handle's), before releasing anything;
 * `using`: for a use in flight of its instance (a reloadable handle's `use`), before releasing it.
 * `shutDown`: a shutdown's, whose release goes on without its caller (the message says so). `shutdownTimeout`: App's cut it off.
 *
 * @example
 * ```ts
 * import { Errors } from "layerwise"
 *
 * const error = new Errors.ReleaseTimeout({ component: "Database", path: ["Api", "Database"], timeout: "15s" })
 * console.log(error.message)
 * // "Api -> Database: releasing Database did not complete within 15s; the components not released yet were left unreleased"
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export const ReleaseTimeout: Constructor<typeof internal.ReleaseTimeout, ReleaseTimeout> = internal.ReleaseTimeout
export interface ReleaseTimeout extends internal.ReleaseTimeout {}

/**
 * One option that could not be given to its component (see `Options`): missing, not what its schema expects, or unreadable.
 * - `path`: the dependency path to the first component that requests the options (empty: only a condition reads them);
 *   `alsoNeededBy`, present when there are any: the other components that cannot be built without them (that request
 *   them too, or depend on one that does, directly or not), in plan order;
 * - `options`: the options' name (`db`; a family member's `kube(eu)`), `key` the option's (`url`; empty for options with one value);
 * - `flag`, `variable`: the flag and the environment variable that set it (`--db-url`, `DB_URL`);
 * - `expected`: what its schema decodes (`string`, `int`, `"memory" | "file"`);
 * - `got`: the value given, as given (`undefined`: none); a secret's is `<redacted>`, never the value;
 * - `from`: where the value given came from (`flag --db-url`, `environment variable DB_URL`, `file key db.url`); a
 *   value another provider than `Options.provider` read, or looked for, where (`the ConfigProvider at db.url`);
 * - `reason`: `missing` (followed, when the provider has a name that spells the option another way, by
 *   it: `missing (the environment has Db__Url: the variable is DB_URL)`; test with `startsWith("missing")`),
 *   what the schema said of the value, why it could not be read, or `shares its flag with url of kube(eu.west)`.
 *
 * @example
 * ```ts
 * import type { Errors } from "layerwise"
 *
 * export const problem: Errors.OptionProblem = {
 *   path: ["Api", "Database"], options: "db", key: "url", flag: "--db-url", variable: "DB_URL",
 *   expected: "string", got: undefined, from: undefined, reason: "missing"
 * }
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface OptionProblem {
  readonly path: DependencyPath
  readonly alsoNeededBy?: ReadonlyArray<string> | undefined
  readonly options: string
  readonly key: string
  readonly flag: string
  readonly variable: string
  readonly expected: string
  readonly got: string | undefined
  readonly from: string | undefined
  readonly reason: string
}

/**
 * The options of a plan could not all be read (see `Options`): every option missing, invalid or unreadable, at once.
 * They are read before any constructor runs, so nothing was built. A problem is told once, however many need it.
 *
 * @example
 * ```ts
 * import { Errors } from "layerwise"
 *
 * const error = new Errors.InvalidOptions({
 *   problems: [
 *     { path: ["Db"], options: "db", key: "url", flag: "--db-url", variable: "DB_URL", expected: "string", got: undefined, from: undefined, reason: "missing" },
 *     {
 *       path: ["Db"], options: "db", key: "poolSize", flag: "--db-pool-size", variable: "DB_POOL_SIZE", expected: "int",
 *       got: "\"ten\"", from: "environment variable DB_POOL_SIZE", reason: "Unable to decode \"ten\" into a number"
 *     }
 *   ]
 * })
 * console.log(error.message)
 * // 2 invalid options:
 * //   - Db: option --db-url (DB_URL) is missing; expected string
 * //   - Db: option --db-pool-size: expected int, got "ten" (environment variable DB_POOL_SIZE): Unable to decode "ten" into a number
 * ```
 *
 * @since 0.2.0
 * @category errors
 */
export const InvalidOptions: Constructor<typeof internal.InvalidOptions, InvalidOptions> = internal.InvalidOptions
export interface InvalidOptions extends internal.InvalidOptions {}

// ---------------------------------------------------------------------------------------------
// Lifecycle errors (App, Lifecycle)

/**
 * The lifecycle phases a hook runs in.
 *
 * @since 0.1.0
 * @category models
 */
export type HookPhase = "initialize" | "start" | "background" | "stop" | "dispose"

/**
 * Lifecycle settings that cannot be run: a negative or non-finite timeout, a non-finite startup
 * order, a hook that is not a function. Checked before anything is built; `problems` lists every one
 * found, each with its subject (`application` or `component Db`).
 *
 * @example
 * ```ts
 * import { Errors } from "layerwise"
 *
 * const error = new Errors.InvalidLifecycle({
 *   problems: [{ subject: "component Db", reason: "its stop timeout must be a finite, non-negative duration, got -1" }]
 * })
 * console.log(error.message)
 * // "1 invalid lifecycle setting:\n  - component Db: its stop timeout must be a finite, non-negative duration, got -1"
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export const InvalidLifecycle: Constructor<typeof internal.InvalidLifecycle, InvalidLifecycle> = internal.InvalidLifecycle
export interface InvalidLifecycle extends internal.InvalidLifecycle {}

/**
 * A lifecycle hook of a component failed (or died): an initializer, a start or stop hook, a disposer,
 * or background work while the application ran. `hook` is its name (`onStart#2`, or the one given);
 * the message names it by kind: `start hook #2 of Server`, `background work drain of Server`.
 *
 * @example
 * ```ts
 * import { Errors } from "layerwise"
 *
 * const error = new Errors.HookFailed({
 *   component: "Server", path: ["Server"], phase: "start", hook: "onStart", cause: new Error("port in use")
 * })
 * console.log(error.message) // "Server: start hook of Server failed: Error: port in use"
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export const HookFailed: Constructor<typeof internal.HookFailed, HookFailed> = internal.HookFailed
export interface HookFailed extends internal.HookFailed {}

/**
 * A component's lifecycle hook did not complete within `timeout` (rendered): interrupted, not awaited; the lifecycle
 * went on. `overrun`: the stop timeout that background work handling the shutdown signal overran once interrupted.
 * `shutdownTimeout`: App's `shutdownTimeout` cut it off first (this error, not one of its own: the report shows it on
 * the hook's phase as its own timeout would, and the message names what to raise; `ReleaseTimeout` likewise).
 *
 * @example
 * ```ts
 * import { Errors } from "layerwise"
 *
 * const error = new Errors.HookTimeout({ component: "Server", path: ["Server"], phase: "stop", hook: "onStop", timeout: "5s" })
 * console.log(error.message) // "Server: stop hook of Server did not complete within 5s (the stop timeout: ...)"
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export const HookTimeout: Constructor<typeof internal.HookTimeout, HookTimeout> = internal.HookTimeout
export interface HookTimeout extends internal.HookTimeout {}

/**
 * An operation was asked of a running application in a state that does not allow it (stopping an
 * application that is already stopping or stopped). `state` is the state it was in.
 *
 * @example
 * ```ts
 * import { Errors } from "layerwise"
 *
 * const error = new Errors.InvalidState({ operation: "stop", state: "stopped", allowed: ["started"] })
 * console.log(error.message) // "cannot stop the application while it is stopped (allowed when: started)"
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export const InvalidState: Constructor<typeof internal.InvalidState, InvalidState> = internal.InvalidState
export interface InvalidState extends internal.InvalidState {}

/**
 * An application run failed. By the time this error surfaces everything that started was stopped and
 * everything that was built was released. `reason` is what ended the run badly first:
 *
 * - `build`: a constructor or an initializer failed; nothing was started;
 * - `start`: a start hook failed or timed out; what had started was stopped, in reverse order;
 * - `background`: background work failed while the application ran; the application shut down;
 * - `stop`: the run itself went well, but a stop hook, a disposer, background work or a release
 *   failed or timed out during the shutdown.
 *
 * `errors` lists every error of the run in the order they happened, `report` the whole run (see `Report`).
 *
 * @example
 * ```ts
 * import { Errors } from "layerwise"
 *
 * const failed = (error: Errors.ApplicationFailed) => `${error.reason}: ${error.errors.length} errors`
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export const ApplicationFailed: Constructor<typeof internal.ApplicationFailed, ApplicationFailed> = internal.ApplicationFailed
export interface ApplicationFailed extends internal.ApplicationFailed {}
