/**
 * The typed errors of layerwise, as data.
 *
 * Every expected failure is a `Data.TaggedError` with structured, serialisable fields and a
 * `message` computed from them (the fields are the contract; the message is a rendering of them).
 * Resolution never stops at the first problem: the resolver collects every {@link Problem} it finds
 * and fails once with a {@link ResolutionError} that lists them all, each with the dependency path
 * from the root that needed it.
 *
 * The errors that wrap a failure of user code (`ConstructionError`, `ReleaseError`, `HookFailed`)
 * keep it unchanged as their `cause` and render it in their message on one line, with its details:
 * a tagged error by its tag, its fields and its message, then its `cause`, followed link by link
 * (`DbDown { host: "db1", port: 5432 }: caused by Error: connect ECONNREFUSED 127.0.0.1:5432`); an
 * Error by its name and message, then its `cause`; an Effect `Cause` by its failures and defects; a
 * `Redacted` value as `<redacted>`. The rendering is bounded (400 characters per string, 20 entries
 * per object or list, 6 levels of nesting, 2,000 characters in all), safe with cycles, and never
 * throws (a getter that throws is rendered as what it threw). The run's report, App's events and the
 * health reports show the same rendering.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import type * as Report from "./Report.js"
import { describeValue } from "./internal/describe.js"

/**
 * A dependency path from a requested root to the place a problem was found, as display names:
 * `["Api", "UserRepo", "Database"]`.
 *
 * @since 0.1.0
 * @category models
 */
export type DependencyPath = ReadonlyArray<string>

/**
 * Renders a dependency path the way every message in layerwise shows it: `Api -> UserRepo -> Database`.
 *
 * @example
 * ```ts
 * import { Errors } from "layerwise"
 *
 * console.log(Errors.formatPath(["Api", "UserRepo", "Database"])) // "Api -> UserRepo -> Database"
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const formatPath = (path: DependencyPath): string => path.join(" -> ")

const listed = (names: ReadonlyArray<string>, limit = 12): string =>
  names.length <= limit
    ? names.join(", ")
    : `${names.slice(0, limit).join(", ")}, and ${names.length - limit} more`

/**
 * A candidate that a condition of its registry left out (see `Registry.when`): `name` is its name
 * (its explicit name, or its tag's key; for a family, the family's name), `condition` the description
 * of the false condition that excluded it (several, joined with `and`, when nested guards were false).
 *
 * @example
 * ```ts
 * import { Errors } from "layerwise"
 *
 * const excluded: Errors.ExcludedCandidate = { name: "StorageS3", condition: "profile prod" }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface ExcludedCandidate {
  readonly name: string
  readonly condition: string
}

/**
 * Why a request that involves a component family found nothing:
 *
 * - `NotRegistered`: the request is for a member of family `name`, which the registry does not
 *   register (add the family to the registry);
 * - `MembersOnly`: the request is a plain one of a service that registered families (`names`) provide
 *   only to requests of their members (`Family.request(family, args)` or `family.of(args)`).
 *
 * @example
 * ```ts
 * import { Errors } from "layerwise"
 *
 * const unregistered: Errors.FamilyHint = { _tag: "NotRegistered", name: "KubeClient" }
 * const membersOnly: Errors.FamilyHint = { _tag: "MembersOnly", names: ["KubeClient"] }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type FamilyHint =
  | { readonly _tag: "NotRegistered"; readonly name: string }
  | { readonly _tag: "MembersOnly"; readonly names: ReadonlyArray<string> }

/**
 * No component provides what a request asked for.
 *
 * `available` lists the services the registry does provide (so a typo is easy to spot; layerwise's
 * own services are left out) and `suggestions` the ones whose names are close to the missing one.
 * `unqualified` lists the candidates of the service that the request ruled out: those without its
 * qualifier or name, or, for a plain request, qualified overrides (they serve only requests for their
 * qualifier). `excluded` lists the candidates that would have matched the request but that a false
 * condition left out of the registry (`Registry.when`). `family`, when present, says how the request
 * missed a component family (see {@link FamilyHint}).
 *
 * The message renders these in that order; the parts of empty fields are left out:
 *
 * `<path> -> <request>: no component provides <request> (available: <available>)`
 * `; candidates that do not match it: <unqualified>`
 * `; candidates excluded by their conditions: <name> (<condition>), ...`
 * `; <what the family hint says>`
 * `; did you mean <suggestions>?`
 *
 * @example
 * ```ts
 * import { Errors } from "layerwise"
 *
 * const problem = new Errors.MissingComponent({
 *   path: ["Api", "UserRepo"],
 *   request: "Database",
 *   available: ["Cache", "Logger"],
 *   suggestions: [],
 *   unqualified: [],
 *   excluded: []
 * })
 * console.log(problem.message)
 * // "Api -> UserRepo -> Database: no component provides Database (available: Cache, Logger)"
 *
 * const excluded = new Errors.MissingComponent({
 *   path: ["Api"],
 *   request: "Storage",
 *   available: ["Api"],
 *   suggestions: [],
 *   unqualified: [],
 *   excluded: [{ name: "StorageS3", condition: "profile prod" }]
 * })
 * console.log(excluded.message)
 * // "Api -> Storage: no component provides Storage (available: Api); candidates excluded by their conditions: StorageS3 (profile prod)"
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class MissingComponent extends Data.TaggedError("MissingComponent")<{
  readonly path: DependencyPath
  readonly request: string
  readonly available: ReadonlyArray<string>
  readonly suggestions: ReadonlyArray<string>
  readonly unqualified: ReadonlyArray<string>
  readonly excluded: ReadonlyArray<ExcludedCandidate>
  readonly family?: FamilyHint | undefined
}> {
  override get message(): string {
    const where = formatPath([...this.path, this.request])
    const ruledOut = this.unqualified.length > 0
      ? `; candidates that do not match it: ${listed(this.unqualified)}`
      : ""
    const excluded = this.excluded.length > 0
      ? `; candidates excluded by their conditions: ${
        listed(this.excluded.map((candidate) => `${candidate.name} (${candidate.condition})`))
      }`
      : ""
    const family = this.family === undefined
      ? ""
      : this.family._tag === "NotRegistered"
      ? `; it is a member of family ${this.family.name}, which is not registered: add the family to the registry`
      : `; ${this.family.names.length === 1 ? "family" : "families"} ${listed(this.family.names)} ${
        this.family.names.length === 1 ? "provides" : "provide"
      } ${this.request} only to requests of ${
        this.family.names.length === 1 ? "its" : "their"
      } members: request one with Family.request(family, args) or family.of(args)`
    const close = this.suggestions.length > 0 ? `; did you mean ${this.suggestions.join(" or ")}?` : ""
    const available = this.available.length > 0 ? listed(this.available) : "none"
    return `${where}: no component provides ${this.request} (available: ${available})${ruledOut}${excluded}${family}${close}`
  }
}

/**
 * A single-valued request matched several candidates that tie under the choice rules
 * (override > primary > not alternative > lowest order).
 *
 * @example
 * ```ts
 * import { Errors } from "layerwise"
 *
 * const problem = new Errors.AmbiguousComponent({
 *   path: ["Api"],
 *   request: "Database",
 *   candidates: ["Postgres", "Sqlite"],
 *   rule: "equal order 0, neither primary"
 * })
 * console.log(problem.message)
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class AmbiguousComponent extends Data.TaggedError("AmbiguousComponent")<{
  readonly path: DependencyPath
  readonly request: string
  readonly candidates: ReadonlyArray<string>
  readonly rule: string
}> {
  override get message(): string {
    return `${formatPath([...this.path, this.request])}: ${this.candidates.length} candidates tie for ${this.request} (${
      listed(this.candidates)
    }; ${this.rule}): mark one primary, the others alternative, give them different orders, or request one by qualifier or name`
  }
}

/**
 * The dependency graph has a cycle. `cycle` is the full cycle, starting and ending with the same
 * component: `["A", "B", "C", "A"]`.
 *
 * @example
 * ```ts
 * import { Errors } from "layerwise"
 *
 * const problem = new Errors.CircularDependency({ path: ["Api"], cycle: ["A", "B", "A"] })
 * console.log(problem.message) // "Api: circular dependency A -> B -> A"
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class CircularDependency extends Data.TaggedError("CircularDependency")<{
  readonly path: DependencyPath
  readonly cycle: ReadonlyArray<string>
}> {
  override get message(): string {
    const where = this.path.length > 0 ? `${formatPath(this.path)}: ` : ""
    return `${where}circular dependency ${formatPath(this.cycle)}`
  }
}

/**
 * Two components of a registry were given the same explicit name (or two registered families the
 * same name, or a family member the name of a component).
 *
 * @example
 * ```ts
 * import { Errors } from "layerwise"
 *
 * const problem = new Errors.DuplicateName({ name: "db", services: ["Database", "Cache"] })
 * console.log(problem.message)
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class DuplicateName extends Data.TaggedError("DuplicateName")<{
  readonly name: string
  readonly services: ReadonlyArray<string>
}> {
  override get message(): string {
    return `duplicate component name "${this.name}": given to ${this.services.length} components (providing ${
      listed(this.services)
    }); names must be unique in a registry`
  }
}

/**
 * A registration or a request that is malformed in a way types could not catch (a non-tag given as a
 * dependency, a non-finite order, a component both primary and alternative, an override by a name
 * that no component has...). `subject` names what was malformed, `reason` says how.
 *
 * @example
 * ```ts
 * import { Errors } from "layerwise"
 *
 * const problem = new Errors.InvalidDeclaration({ path: [], subject: "component Database", reason: "order must be a finite number, got NaN" })
 * console.log(problem.message)
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidDeclaration extends Data.TaggedError("InvalidDeclaration")<{
  readonly path: DependencyPath
  readonly subject: string
  readonly reason: string
}> {
  override get message(): string {
    const where = this.path.length > 0 ? `${formatPath(this.path)}: ` : ""
    return `${where}invalid ${this.subject}: ${this.reason}`
  }
}

/**
 * One problem found by the resolver.
 *
 * @since 0.1.0
 * @category errors
 */
export type Problem =
  | MissingComponent
  | AmbiguousComponent
  | CircularDependency
  | DuplicateName
  | InvalidDeclaration

/**
 * Resolution failed: every problem the resolver found, at once. Nothing was built.
 *
 * @example
 * ```ts
 * import { Context, Either } from "effect"
 * import { Registry, Resolver } from "layerwise"
 *
 * class Database extends Context.Tag("app/Database")<Database, { readonly query: string }>() {}
 *
 * const result = Resolver.resolve(Registry.empty, [Database])
 * if (Either.isLeft(result)) {
 *   console.log(result.left.message)
 *   // "1 problem resolving the graph:\n  - app/Database: no component provides app/Database (available: none)"
 * }
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class ResolutionError extends Data.TaggedError("ResolutionError")<{
  readonly problems: ReadonlyArray<Problem>
}> {
  override get message(): string {
    const count = this.problems.length
    return `${count} problem${count === 1 ? "" : "s"} resolving the graph:\n${
      this.problems.map((problem) => `  - ${problem.message}`).join("\n")
    }`
  }
}

/**
 * A component's constructor failed (or died, or interrupted itself: its `cause` is then an
 * `InterruptedException` naming the fibers) while the graph was being built. Everything already
 * built was released, in reverse dependency order, before this error surfaced.
 *
 * `cause` is the constructor's own failure, unchanged; `path` is the dependency path from a root to
 * the component.
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
 * const down = new Errors.ConstructionError({
 *   component: "Database",
 *   path: ["Database"],
 *   cause: new DbDown({ host: "db1", cause: new Error("connect ECONNREFUSED 127.0.0.1:5432") })
 * })
 * console.log(down.message)
 * // "Database: constructor of Database failed: DbDown { host: \"db1\" }: caused by Error: connect ECONNREFUSED 127.0.0.1:5432"
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class ConstructionError extends Data.TaggedError("ConstructionError")<{
  readonly component: string
  readonly path: DependencyPath
  readonly cause: unknown
}> {
  override get message(): string {
    return `${formatPath(this.path)}: constructor of ${this.component} failed: ${describeValue(this.cause)}`
  }
}

/**
 * Releasing a component failed (a finalizer failed or died). It surfaces as a defect when the
 * graph's scope closes; the other components are still released.
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
export class ReleaseError extends Data.TaggedError("ReleaseError")<{
  readonly component: string
  readonly path: DependencyPath
  readonly cause: unknown
}> {
  override get message(): string {
    return `${formatPath(this.path)}: releasing ${this.component} failed: ${describeValue(this.cause)}`
  }
}

/**
 * An application's release (its constructors' finalizers, after the stop hooks and disposers) did
 * not complete within the release timeout: `component` was being released. The shutdown stops
 * waiting and ends; the components not released yet (among them what `component` depends on, which
 * must outlive it: its release goes on in the background) are left unreleased.
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
export class ReleaseTimeout extends Data.TaggedError("ReleaseTimeout")<{
  readonly component: string
  readonly path: DependencyPath
  readonly timeout: string
}> {
  override get message(): string {
    return `${formatPath(this.path)}: releasing ${this.component} did not complete within ${this.timeout}; the components not released yet were left unreleased`
  }
}

/**
 * The errors of building a resolved plan.
 *
 * @since 0.1.0
 * @category errors
 */
export type BuildError = ConstructionError

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
export class InvalidLifecycle extends Data.TaggedError("InvalidLifecycle")<{
  readonly problems: ReadonlyArray<{ readonly subject: string; readonly reason: string }>
}> {
  override get message(): string {
    const count = this.problems.length
    return `${count} invalid lifecycle setting${count === 1 ? "" : "s"}:\n${
      this.problems.map((problem) => `  - ${problem.subject}: ${problem.reason}`).join("\n")
    }`
  }
}

/**
 * A lifecycle hook of a component failed (or died): an initializer, a start or stop hook, a disposer,
 * or background work while the application ran. `hook` is the hook's name (`onStart`, `onStart#2`,
 * or the name it was given).
 *
 * @example
 * ```ts
 * import { Errors } from "layerwise"
 *
 * const error = new Errors.HookFailed({
 *   component: "Server", path: ["Server"], phase: "start", hook: "onStart", cause: new Error("port in use")
 * })
 * console.log(error.message) // "Server: start hook onStart of Server failed: Error: port in use"
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class HookFailed extends Data.TaggedError("HookFailed")<{
  readonly component: string
  readonly path: DependencyPath
  readonly phase: HookPhase
  readonly hook: string
  readonly cause: unknown
}> {
  override get message(): string {
    return `${formatPath(this.path)}: ${this.phase} hook ${this.hook} of ${this.component} failed: ${
      describeValue(this.cause)
    }`
  }
}

/**
 * A lifecycle hook of a component did not complete within its timeout. It was interrupted (without
 * waiting for the interruption to finish) and the lifecycle went on. `timeout` is the rendered
 * duration.
 *
 * @example
 * ```ts
 * import { Errors } from "layerwise"
 *
 * const error = new Errors.HookTimeout({ component: "Server", path: ["Server"], phase: "stop", hook: "onStop", timeout: "5s" })
 * console.log(error.message) // "Server: stop hook onStop of Server did not complete within 5s"
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class HookTimeout extends Data.TaggedError("HookTimeout")<{
  readonly component: string
  readonly path: DependencyPath
  readonly phase: HookPhase
  readonly hook: string
  readonly timeout: string
}> {
  override get message(): string {
    return `${formatPath(this.path)}: ${this.phase} hook ${this.hook} of ${this.component} did not complete within ${this.timeout}`
  }
}

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
export class InvalidState extends Data.TaggedError("InvalidState")<{
  readonly operation: string
  readonly state: string
  readonly allowed: ReadonlyArray<string>
}> {
  override get message(): string {
    return `cannot ${this.operation} the application while it is ${this.state} (allowed when: ${this.allowed.join(", ")})`
  }
}

/**
 * One error of an application run: a constructor, a hook, or a release.
 *
 * @since 0.1.0
 * @category errors
 */
export type RunError = ConstructionError | ReleaseError | ReleaseTimeout | HookFailed | HookTimeout

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
 * `errors` lists every error of the run in the order they happened, `report` the whole run (see
 * `Report`).
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
export class ApplicationFailed extends Data.TaggedError("ApplicationFailed")<{
  readonly reason: "build" | "start" | "background" | "stop"
  readonly errors: ReadonlyArray<RunError>
  readonly report: Report.Report
}> {
  override get message(): string {
    const count = this.errors.length
    const what = this.reason === "build"
      ? "building the application failed"
      : this.reason === "start"
      ? "starting the application failed"
      : this.reason === "background"
      ? "background work failed while the application ran"
      : "the application's shutdown failed"
    return `${what} (${count} error${count === 1 ? "" : "s"}):\n${
      this.errors.map((error) => `  - ${error.message}`).join("\n")
    }`
  }
}

/**
 * The errors of running an application, once it resolved.
 *
 * @since 0.1.0
 * @category errors
 */
export type LifecycleError = InvalidLifecycle | ApplicationFailed | InvalidState

