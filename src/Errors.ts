/**
 * The typed errors of layerwise, as data.
 *
 * Every expected failure is a `Data.TaggedError` with structured, serialisable fields and a
 * `message` computed from them (the fields are the contract; the message is a rendering of them).
 * Resolution never stops at the first problem: the resolver collects every {@link Problem} it finds
 * and fails once with a {@link ResolutionError} that lists them all, each with the dependency path
 * from the root that needed it.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"

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
 * No component provides what a request asked for.
 *
 * `available` lists the services the registry does provide (so a typo is easy to spot) and
 * `suggestions` the ones whose names are close to the missing one. When the request was qualified
 * or named, `unqualified` lists the candidates of the tag that were ruled out by that selector.
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
 *   unqualified: []
 * })
 * console.log(problem.message)
 * // "Api -> UserRepo -> Database: no component provides Database (available: Cache, Logger)"
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
}> {
  override get message(): string {
    const where = formatPath([...this.path, this.request])
    const ruledOut = this.unqualified.length > 0
      ? `; candidates without that selector: ${listed(this.unqualified)}`
      : ""
    const close = this.suggestions.length > 0 ? `; did you mean ${this.suggestions.join(" or ")}?` : ""
    const available = this.available.length > 0 ? listed(this.available) : "none"
    return `${where}: no component provides ${this.request} (available: ${available})${ruledOut}${close}`
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
 * Two components of a registry were given the same explicit name.
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
 *   // "1 problem resolving the graph:\n  - Database: no component provides Database (available: none)"
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
 * A component's constructor failed (or died) while the graph was being built. Everything already
 * built was released, in reverse dependency order, before this error surfaced.
 *
 * `cause` is the constructor's own failure, unchanged; `path` is the dependency path from a root to
 * the component.
 *
 * @example
 * ```ts
 * import { Errors } from "layerwise"
 *
 * const error = new Errors.ConstructionError({ component: "Database", path: ["Api", "Database"], cause: new Error("refused") })
 * console.log(error.message) // "Api -> Database: constructor of Database failed: Error: refused"
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
    return `${formatPath(this.path)}: constructor of ${this.component} failed: ${describeCause(this.cause)}`
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
    return `${formatPath(this.path)}: releasing ${this.component} failed: ${describeCause(this.cause)}`
  }
}

/**
 * The errors of building a resolved plan.
 *
 * @since 0.1.0
 * @category errors
 */
export type BuildError = ConstructionError

/** Renders an arbitrary failure value for a message without throwing. */
const describeCause = (cause: unknown): string => {
  if (cause instanceof Error) return cause.message.length > 0 ? `${cause.name}: ${cause.message}` : cause.name
  if (typeof cause === "object" && cause !== null) {
    const tag = "_tag" in cause ? String(cause._tag) : undefined
    const message = "message" in cause && typeof cause.message === "string" && cause.message.length > 0
      ? cause.message
      : undefined
    if (tag !== undefined || message !== undefined) return [tag, message].filter((part) => part !== undefined).join(": ")
    try {
      return JSON.stringify(cause)
    } catch {
      return String(cause)
    }
  }
  return String(cause)
}
