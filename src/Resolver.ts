/**
 * The resolver: from a registry and the requested roots to a plan, before anything runs.
 *
 * Resolution is a pure function. It validates every declaration, chooses a candidate for every
 * request reachable from the roots, and checks the graph; it either returns a {@link Plan.Plan} or
 * fails with one {@link Errors.ResolutionError} that lists every problem found (missing, ambiguous,
 * circular, duplicate names, invalid declarations), each with its dependency path. No constructor
 * runs during resolution, and only components reachable from the roots end up in the plan.
 *
 * Choice for a single-valued request, in order: an override beats everything; then primary; then
 * not alternative; then the lowest order. Candidates still equal after those rules are a tie, which
 * is an error (registration order never silently decides). A qualified request considers only
 * candidates with that qualifier; a named one only the candidate with that name. A collection
 * request gets every candidate, sorted by order.
 *
 * Cost: O(components + edges), iterative (a 10,000-long dependency chain does not touch the stack).
 * A component is validated once for its life, not once per resolution: components are immutable,
 * and what resolution learns of one (valid or not, the keys it requests) is kept with it.
 *
 * @since 0.1.0
 */
import type * as Either from "effect/Either"
import type * as Condition from "./Condition.js"
import type * as Dependency from "./Dependency.js"
import type * as Errors from "./Errors.js"
import type * as Lifetime from "./Lifetime.js"
import * as internal from "./internal/resolver.js"
import type * as Plan from "./Plan.js"
import type * as Registry from "./Registry.js"

/**
 * Options of a resolution: the environment conditions are evaluated against (active profiles and
 * properties; see `Condition` and `Registry.when`), and the services the program provides from
 * outside the registry (`external`): a plain, optional or collection request of one that no component
 * of the registry provides resolves to the program's (the rule `"external"`); they are the plan's
 * requirements (`Plan<Roots, E, R>`), hence its Layer's. A request of a service that is neither
 * registered nor external is still a `MissingComponent` with its path. Qualified and named requests
 * only ever find components.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options<External extends ReadonlyArray<Dependency.Any> = ReadonlyArray<Dependency.Any>>
  extends Condition.EnvironmentInput
{
  readonly external?: External | undefined
  /**
   * The scopes the application opens, outer first (a scope may open inside the ones before it):
   * components scoped to them are resolved and validated with the rest (see `Lifetime`); a component
   * scoped to a scope not declared here is a resolution error.
   */
  readonly scopes?: ReadonlyArray<Lifetime.ScopeName> | undefined
}

/**
 * Resolves the roots against a registry.
 *
 * @example
 * ```ts
 * import { Context, Effect, Either } from "effect"
 * import { Component, Registry, Resolver } from "layerwise"
 *
 * class Database extends Context.Tag("Database")<Database, string>() {}
 * class Api extends Context.Tag("Api")<Api, string>() {}
 *
 * const registry = Registry.make(Component.make(Api, { dependencies: [Database], build: Database }))
 * const result = Resolver.resolve(registry, [Api])
 * if (Either.isLeft(result)) console.log(result.left.message)
 * // 1 problem resolving the graph:
 * //   - Api -> Database: no component provides Database (available: Api)
 * ```
 *
 * @since 0.1.0
 * @category resolution
 */
export const resolve: <
  E,
  const Roots extends ReadonlyArray<Dependency.Any>,
  const External extends ReadonlyArray<Dependency.Any> = readonly []
>(
  registry: Registry.Registry<E>,
  roots: Roots,
  options?: Options<External>
) => Either.Either<
  Plan.Plan<Dependency.Identifiers<Roots>, E, Dependency.Identifiers<External>>,
  Errors.ResolutionError
> = internal.resolve
