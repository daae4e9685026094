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
import type * as Effect from "effect/Effect"
import type * as Either from "effect/Either"
import { dual } from "effect/Function"
import type * as Condition from "./Condition.js"
import type * as Dependency from "./Dependency.js"
import type * as Errors from "./Errors.js"
import type * as Lifetime from "./Lifetime.js"
import * as registryInternal from "./internal/registry.js"
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
 * Options of {@link resolveEffect}: those of {@link resolve}, with the profiles and properties
 * given as data or as `effect/Config`s (see `Condition.EnvironmentSource`).
 *
 * @since 0.2.0
 * @category models
 */
export interface EffectOptions<External extends ReadonlyArray<Dependency.Any> = ReadonlyArray<Dependency.Any>>
  extends Condition.EnvironmentSource
{
  readonly external?: External | undefined
  /** The scopes the application opens, outer first (see {@link Options.scopes}). */
  readonly scopes?: ReadonlyArray<Lifetime.ScopeName> | undefined
}

const registryFirst = (args: IArguments): boolean => registryInternal.isRegistry(args[0])

/** The plan a resolution of `Roots` against a `Registry<E>` gives, with `External` provided from outside. */
type Resolved<E, Roots extends ReadonlyArray<Dependency.Any>, External extends ReadonlyArray<Dependency.Any>> = Plan.Plan<
  Dependency.Identifiers<Roots>,
  E,
  Dependency.Identifiers<External>
>

/**
 * Resolves the roots against a registry (data-first, or data-last in a `pipe`).
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
 * //   - Api -> Database: no component provides Database (available: Api); register one, or declare it external if the program provides it
 * const piped = registry.pipe(Resolver.resolve([Api], { external: [Database] })) // data-last: the same resolution
 * ```
 *
 * @since 0.1.0
 * @category resolution
 */
export const resolve: {
  <const Roots extends ReadonlyArray<Dependency.Any>, const External extends ReadonlyArray<Dependency.Any> = readonly []>(
    roots: Roots,
    options?: Options<External>
  ): <E>(registry: Registry.Registry<E>) => Either.Either<Resolved<E, Roots, External>, Errors.ResolutionError>
  <E, const Roots extends ReadonlyArray<Dependency.Any>, const External extends ReadonlyArray<Dependency.Any> = readonly []>(
    registry: Registry.Registry<E>,
    roots: Roots,
    options?: Options<External>
  ): Either.Either<Resolved<E, Roots, External>, Errors.ResolutionError>
} = dual(registryFirst, internal.resolve)

/**
 * Resolves the roots against a registry after reading the environment with the current
 * `ConfigProvider`: the profiles and properties given as Configs, and the Configs its conditions
 * declare (`Condition.config`). Then the resolution is {@link resolve}'s, in that environment. A
 * Config that cannot be read is an `InvalidConfig` problem: the profiles' and properties' fail the
 * resolution before it starts (every one of them reported), a condition's is reported with the
 * other problems when a guard evaluates it. What `Registry.toLayer` and `App` resolve with.
 *
 * Why a twin rather than Configs in `resolve`: reading a Config is an Effect (it depends on the
 * `ConfigProvider` of the fiber), and `resolve` is a pure function, usable anywhere (an `Either`,
 * no runtime); a Config condition given to it is an `InvalidDeclaration` (`ConfigNotRead`) saying
 * to use this one.
 *
 * @example
 * ```ts
 * import { Config, ConfigProvider, Context, Effect } from "effect"
 * import { Component, Condition, Explain, Registry, Resolver } from "layerwise"
 *
 * class Storage extends Context.Tag("app/Storage")<Storage, { readonly kind: string }>() {}
 *
 * const registry = Registry.make(
 *   Registry.when(Condition.profile("files"), Component.succeed(Storage, { kind: "files" })),
 *   Registry.when(Condition.not(Condition.profile("files")), Component.succeed(Storage, { kind: "memory" }))
 * )
 * const plan = registry.pipe(Resolver.resolveEffect([Storage], { profiles: Config.array(Config.string(), "PROFILES") }))
 * Effect.runPromise(Effect.withConfigProvider(plan, ConfigProvider.fromMap(new Map([["PROFILES", "files"]]))))
 *   .then((plan) => console.log(Explain.tree(plan))) // "app/Storage"
 * ```
 *
 * @since 0.2.0
 * @category resolution
 */
export const resolveEffect: {
  <const Roots extends ReadonlyArray<Dependency.Any>, const External extends ReadonlyArray<Dependency.Any> = readonly []>(
    roots: Roots,
    options?: EffectOptions<External>
  ): <E>(registry: Registry.Registry<E>) => Effect.Effect<Resolved<E, Roots, External>, Errors.ResolutionError>
  <E, const Roots extends ReadonlyArray<Dependency.Any>, const External extends ReadonlyArray<Dependency.Any> = readonly []>(
    registry: Registry.Registry<E>,
    roots: Roots,
    options?: EffectOptions<External>
  ): Effect.Effect<Resolved<E, Roots, External>, Errors.ResolutionError>
} = dual(registryFirst, internal.resolveEffect)
