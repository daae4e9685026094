/**
 * Conditions: decide, before resolution, whether parts of a registry exist.
 *
 * A condition is a pure predicate over the resolution {@link Environment}: the active profiles and a
 * set of properties, given to the resolver (`Resolver.resolve(registry, roots, { profiles, properties })`,
 * `Registry.toLayer(..., { profiles })`). `Registry.when(condition, ...items)` guards components or
 * whole modules; when the condition is false they do not exist: they are not candidates, not
 * validated, not named, not built.
 *
 * Why on registry entries rather than on components: one mechanism guards a single component or a
 * whole module (Spring's `@Profile` on a `@Configuration`), and conditions stay pure data evaluated
 * once, before the resolver looks at any candidate.
 *
 * The environment through `effect/Config`: the profiles and properties may be given as Configs
 * (`profiles: Config.array(Config.string(), "PROFILES")`, `properties: { "storage": Config.string("STORAGE") }`),
 * and {@link config} is a condition on a Config's value. The Configs are read with the current
 * `ConfigProvider` in an Effect before resolution (by `Registry.toLayer`, `App` and
 * `Resolver.resolveEffect`), then the resolution itself stays pure. A Config that cannot be read is
 * an `InvalidConfig` problem of the `ResolutionError`, each one reported: the profiles' and
 * properties' when they are read (resolution needs them, so it stops there), a condition's when a
 * guard evaluates it (a Config under a guard that is false is never needed). The pure
 * `Resolver.resolve` reads no Config: a Config condition given to it is an `InvalidDeclaration`
 * (`ConfigNotRead`).
 *
 * {@link property} reads the properties given (as data or Configs), never the `ConfigProvider` by
 * itself: a resolution depends on nothing it was not given, so a test is not changed by the
 * machine's environment variables. Read a variable with {@link config}, or give it as a property.
 *
 * Conditions on what the registry holds ({@link missing}, {@link present}): how a library ships a
 * default the application replaces by registering its own. They see the registry's components that
 * no such condition guards (see {@link missing} for the rule), so their result never depends on
 * registration order.
 *
 * @since 0.1.0
 */
import type * as Config from "effect/Config"
import type { Inspectable } from "effect/Inspectable"
import type { Pipeable } from "effect/Pipeable"
import type * as Dependency from "./Dependency.js"
import * as internal from "./internal/condition.js"

/**
 * The brand every condition carries: what `Condition.isCondition` tests.
 *
 * @example
 * ```ts
 * import { Condition } from "layerwise"
 *
 * export const branded = (u: object): boolean => Condition.TypeId in u
 * ```
 *
 * @since 0.2.0
 * @category symbols
 */
export const TypeId: unique symbol = internal.TypeId as TypeId

/**
 * @since 0.2.0
 * @category symbols
 */
export type TypeId = typeof TypeId

/**
 * What conditions are evaluated against.
 *
 * @since 0.1.0
 * @category models
 */
export interface Environment {
  /** The active profiles (e.g. `"test"`, `"file-storage"`). */
  readonly profiles: ReadonlySet<string>
  /** Named settings (e.g. `{ "repository.kind": "file" }`). */
  readonly properties: Readonly<Record<string, string | undefined>>
  /**
   * The value of a Config a condition declared (its `configs`), read before resolution. Throws when
   * it was not read (not declared, or a pure resolution) or could not be: the resolver reports why.
   */
  readonly config: <A>(config: Config.Config<A>) => A
}

/**
 * A predicate over the environment, with a description for explanations and errors, and the
 * Configs the predicate reads (with `environment.config`). Made by this module's constructors;
 * printed as what it tests (`Condition(profile prod)`; toJSON and util.inspect its description).
 *
 * @since 0.1.0
 * @category models
 */
export interface Condition extends Pipeable, Inspectable {
  readonly [TypeId]: TypeId
  readonly description: string
  readonly test: (environment: Environment) => boolean
  /** Read with the current `ConfigProvider` before resolution (see {@link config}). */
  readonly configs?: ReadonlyArray<Config.Config<unknown>> | undefined
  /**
   * The condition in an environment, with the values it read there (`option --storage is "file",
   * given "s3"`): what a `MissingComponent` says of a candidate the condition excluded. Without it,
   * the description. `Options.equals`, `missing` and `present` make conditions with one; `not`, `and`
   * and `or` keep theirs.
   */
  readonly explain?: ((environment: Environment) => string) | undefined
}

/**
 * The environment's input form, as the pure `Resolver.resolve` takes it: data.
 *
 * @since 0.1.0
 * @category models
 */
export interface EnvironmentInput {
  readonly profiles?: Iterable<string> | undefined
  readonly properties?: Readonly<Record<string, string | undefined>> | undefined
}

/**
 * The environment's input form where it is read in an Effect (`Registry.toLayer`, `App`,
 * `Resolver.resolveEffect`): data, or `effect/Config`s read with the current `ConfigProvider`:
 * the profiles as one Config, the properties as one Config of a record or one Config per property.
 *
 * @example
 * ```ts
 * import { Config } from "effect"
 * import type { Condition } from "layerwise"
 *
 * export const fromEnvironment: Condition.EnvironmentSource = {
 *   profiles: Config.array(Config.string(), "PROFILES").pipe(Config.withDefault([])),
 *   properties: { "storage.kind": Config.string("STORAGE").pipe(Config.withDefault(undefined)), region: "eu" }
 * }
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface EnvironmentSource {
  readonly profiles?: Iterable<string> | Config.Config<Iterable<string>> | undefined
  readonly properties?:
    | Readonly<Record<string, string | undefined | Config.Config<string | undefined>>>
    | Config.Config<Readonly<Record<string, string | undefined>>>
    | undefined
}

/**
 * Returns `true` if the value is a condition.
 *
 * @example
 * ```ts
 * import { Condition } from "layerwise"
 *
 * console.log(Condition.isCondition(Condition.profile("test"))) // true
 * console.log(Condition.isCondition({ description: "profile test", test: () => true })) // false
 * ```
 *
 * @since 0.2.0
 * @category refinements
 */
export const isCondition: (u: unknown) => u is Condition = internal.isCondition

/**
 * A condition from a predicate.
 *
 * @example
 * ```ts
 * import { Condition } from "layerwise"
 *
 * export const manyWorkers = Condition.make("workers > 4", (env) => Number(env.properties.workers ?? "1") > 4)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (
  description: string,
  test: (environment: Environment) => boolean,
  configs?: ReadonlyArray<Config.Config<unknown>>
) => Condition = internal.make

/**
 * True when the profile is active.
 *
 * @example
 * ```ts
 * import { Condition } from "layerwise"
 *
 * export const inTests = Condition.profile("test")
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const profile: (name: string) => Condition = internal.profile

/**
 * True when the property is set (to any value), or, given a value, set to that value.
 *
 * @example
 * ```ts
 * import { Condition } from "layerwise"
 *
 * export const fileStorage = Condition.property("repository", "file")
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const property: (name: string, value?: string) => Condition = internal.property

/**
 * True when the Config's value is `true`, read with the current `ConfigProvider` before resolution
 * (see the module's doc). Described as `config <its keys>` unless given a description. Build other
 * tests with Config's own combinators: `Condition.config(Config.map(Config.string("STORAGE"), (kind) => kind === "files"))`.
 * A Config that cannot be read when a guard evaluates the condition is an `InvalidConfig` problem;
 * give optional flags a default (`Config.withDefault(false)`).
 *
 * @example
 * ```ts
 * import { Config, Context, Effect, ConfigProvider } from "effect"
 * import { Component, Condition, Registry } from "layerwise"
 *
 * class Search extends Context.Tag("app/Search")<Search, { readonly engine: string }>() {}
 *
 * const registry = Registry.make(
 *   Component.succeed(Search, { engine: "database" }),
 *   Registry.when(
 *     Condition.config(Config.boolean("SEARCH_INDEX").pipe(Config.withDefault(false))),
 *     Component.succeed(Search, { engine: "index" }).pipe(Component.primary)
 *   )
 * )
 * const program = Effect.provide(Effect.map(Search, (search) => search.engine), Registry.toLayer(registry, [Search]))
 * Effect.runPromise(Effect.withConfigProvider(program, ConfigProvider.fromMap(new Map([["SEARCH_INDEX", "true"]]))))
 *   .then(console.log) // "index"
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const config: (config: Config.Config<boolean>, description?: string) => Condition = internal.config

/**
 * True when no other component provides the request: a service's tag, or a qualified or named
 * request (`Dependency.qualified(Cache, "fast")` looks at the candidates with that qualifier).
 * Described as `no other component provides Cache`; when it excludes components, the problems that
 * list them name the components that provide it (`no other component provides Cache: RedisCache does`).
 *
 * What counts, the same for every presence condition of a resolution so that none depends on
 * another's result or on registration order: the components registered (overrides included) under
 * guards that all hold and none of which reads the registry. A component guarded by a presence
 * condition (`missing`, `present`, or a combination of one with `and`/`or`/`not`) never counts: two
 * libraries that each ship a default of `Cache` guarded by `missing(Cache)` both keep theirs when the
 * application registers none, and the request of `Cache` then ranks them as usual (a tie is an
 * `AmbiguousComponent`: mark one `Component.alternative` or give them orders). An override without
 * qualifiers provides every request of its service, as it wins them. Family members do not count.
 * A guard that reads the registry is evaluated in the resolution's environment too
 * (`Condition.and(Condition.profile("prod"), Condition.missing(Cache))`); its predicate reads the
 * registry only through the resolver: calling it inside `Condition.make` is a `ConditionThrew`
 * problem.
 *
 * @example
 * ```ts
 * import { Context, Effect, Either } from "effect"
 * import { Component, Condition, Registry, Resolver } from "layerwise"
 *
 * class Cache extends Context.Tag("app/Cache")<Cache, { readonly kind: string }>() {}
 *
 * // a library's module: its default cache, unless the application registers one
 * const library = Registry.when(Condition.missing(Cache), Component.succeed(Cache, { kind: "memory" }).pipe(Component.named("MemoryCache")))
 *
 * const alone = Either.getOrThrow(Resolver.resolve(Registry.make(library), [Cache]))
 * console.log(alone.nodes.map((node) => node.name)) // ["MemoryCache"]
 * const withOwn = Registry.make(library, Component.succeed(Cache, { kind: "redis" }).pipe(Component.named("RedisCache")))
 * console.log(Either.getOrThrow(Resolver.resolve(withOwn, [Cache])).nodes.map((node) => node.name)) // ["RedisCache"]
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const missing: (request: Dependency.Any) => Condition = internal.missing

/**
 * True when another component provides the request (a tag, or a qualified or named request): an
 * addition that only makes sense next to something the application registered. The same
 * components count as for {@link missing}. Described as `another component provides Cache`.
 *
 * @example
 * ```ts
 * import { Context } from "effect"
 * import { Component, Condition, Registry } from "layerwise"
 *
 * class Cache extends Context.Tag("app/Cache")<Cache, { readonly kind: string }>() {}
 * class CacheMetrics extends Context.Tag("app/CacheMetrics")<CacheMetrics, { readonly hits: () => number }>() {}
 *
 * export const metrics = Registry.when(Condition.present(Cache), Component.succeed(CacheMetrics, { hits: () => 0 }))
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const present: (request: Dependency.Any) => Condition = internal.present

/**
 * Negates a condition.
 *
 * @example
 * ```ts
 * import { Condition } from "layerwise"
 *
 * export const notInTests = Condition.not(Condition.profile("test"))
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const not: (self: Condition) => Condition = internal.not

/**
 * True when every condition is.
 *
 * @example
 * ```ts
 * import { Condition } from "layerwise"
 *
 * export const prodWithFiles = Condition.and(Condition.profile("prod"), Condition.property("repository", "file"))
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const and: (...conditions: ReadonlyArray<Condition>) => Condition = internal.and

/**
 * True when any condition is.
 *
 * @example
 * ```ts
 * import { Condition } from "layerwise"
 *
 * export const local = Condition.or(Condition.profile("dev"), Condition.profile("test"))
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const or: (...conditions: ReadonlyArray<Condition>) => Condition = internal.or

/**
 * Builds an environment from its input form (missing parts are empty).
 *
 * @example
 * ```ts
 * import { Condition } from "layerwise"
 *
 * const environment = Condition.environment({ profiles: ["test"] })
 * console.log(Condition.profile("test").test(environment)) // true
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const environment: (input?: EnvironmentInput) => Environment = internal.environment
