/**
 * The typed errors of layerwise, as data.
 *
 * Every expected failure is a `Data.TaggedError` with structured, serialisable fields and a `message`
 * computed from them (the fields are the contract; the message renders them). Resolution never stops at
 * the first problem: the resolver collects every {@link Problem} it finds and fails once with a
 * {@link ResolutionError} listing them all, each with the dependency path from the root that needed it.
 *
 * The errors that wrap a failure of user code (`ConstructionError`, `ReleaseError`, `HookFailed`) keep it
 * unchanged as their `cause` and render it in their message on one line, with its details: a tagged error
 * by its tag, its fields and its message, then its `cause`, followed link by link (`DbDown { host: "db1",
 * port: 5432 }: caused by Error: connect ECONNREFUSED 127.0.0.1:5432`); an Error by its name and message,
 * then its `cause`; an Effect `Cause` by its failures and defects; a `Redacted` value as `<redacted>`. The
 * rendering is bounded (400 characters per string, 20 entries per object or list, 6 levels of nesting,
 * 2,000 characters in all), safe with cycles, and never throws (a getter that throws is rendered as what
 * it threw). The run's report, App's events and the health reports show the same rendering.
 *
 * @since 0.1.0
 */
import type { AmbiguousComponent, CircularDependency, DuplicateName, InvalidConfig, InvalidDeclaration, LifetimeMismatch, MissingComponent } from "./internal/errorsResolution.js"
import type { CircularLookup, ComponentShutDown, ContainerClosed, ScopeNotOpen, UnknownComponent } from "./internal/errorsContainer.js"
import type { ApplicationFailed, ConstructionError, HookFailed, HookTimeout, InvalidLifecycle, InvalidOptions, InvalidState, ReleaseError, ReleaseTimeout } from "./internal/errorsRun.js"
import * as internal from "./internal/errors.js"
import type { Constructor } from "./internal/errors.js"

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

// The errors and their models, by family: each documented where it is declared.

/** The resolution's problems (missing, ambiguous, circular, lifetime mismatch, duplicate name, invalid declaration, unreadable Config) and their models. */
export * from "./internal/errorsResolution.js"
/** A constructor's failure, a release's failure or timeout, unreadable options, and the lifecycle's errors. */
export * from "./internal/errorsRun.js"
/** What run-time lookups, child containers, shutdowns and scopes fail with. */
export * from "./internal/errorsContainer.js"

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
  | LifetimeMismatch
  | InvalidConfig

/**
 * Resolution failed: every problem the resolver found, at once. Nothing was built. A problem several members of a
 * family reach alike (equal but for the member in its path, cycle or component) is listed once, the first, with
 * `alsoThrough`: the others' members, in order (`Api -> Client(eu) -> Db (also through Client(us)): ...`).
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
 *   // "1 problem resolving the graph:\n  - app/Database: no component provides app/Database (available: none); register one, or declare it external if the program provides it"
 * }
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export const ResolutionError: Constructor<typeof internal.ResolutionError, ResolutionError> = internal.ResolutionError
export interface ResolutionError extends internal.ResolutionError {}

/**
 * What using a handle (`Dependency.lazy`, `factory`, `reloadable`'s `reload`) can fail with: its component's construction,
 * no open scope for a scoped one, and, for a handle a run-time container gave (`Container.get`, a child's components),
 * what reaching an instance another container holds meets: options unreadable there, the component shut down, that
 * container closed; any handle used once its own container's release began builds nothing and fails with `ContainerClosed`.
 * Its request was resolved when it was given: a resolution failing or a lookup cycle behind it dies.
 *
 * @since 0.2.0
 * @category errors
 */
export type HandleError = ConstructionError | ScopeNotOpen | InvalidOptions | ComponentShutDown | ContainerClosed

/**
 * What a run-time lookup (`Container.get`) can fail with: the request does not resolve (every problem, with its path, as at
 * startup), a lookup cycle, or what a handle can ({@link HandleError}: options, construction, scope, shutdown, a closed container).
 *
 * @since 0.2.0
 * @category errors
 */
export type LookupError = ResolutionError | CircularLookup | HandleError

/**
 * What shutting down a component (`Container.shutDown`) can fail with: no component of that name
 * (or request) runs in the container, it was shut down already, the container is closed, releases
 * failed (a `ReleaseError` per component, in release order, once every release was tried), or, under
 * App, the shutdown did not end within the release timeout (a `ReleaseTimeout` naming what it waited for).
 *
 * @since 0.2.0
 * @category errors
 */
export type ShutDownError = UnknownComponent | ComponentShutDown | ContainerClosed | ReleaseError | ReleaseTimeout

/**
 * The errors of building a resolved plan whose constructors fail with `E`.
 *
 * @since 0.1.0
 * @category errors
 */
export type BuildError<E = unknown> = ConstructionError<E>

/**
 * One error of an application run: a constructor, a hook, or a release.
 *
 * @since 0.1.0
 * @category errors
 */
export type RunError = ConstructionError | ReleaseError | ReleaseTimeout | HookFailed | HookTimeout

/**
 * The errors of running an application, once it resolved.
 *
 * @since 0.1.0
 * @category errors
 */
export type LifecycleError = InvalidLifecycle | InvalidOptions | ApplicationFailed | InvalidState
