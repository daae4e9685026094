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
 * once, before the resolver looks at any candidate. Reading the environment (process variables,
 * `effect/Config`) is the application's job: it passes the result in, so resolution stays pure and
 * testable.
 *
 * @since 0.1.0
 */
import * as internal from "./internal/condition.js"

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
}

/**
 * A predicate over the environment, with a description for explanations and errors.
 *
 * @since 0.1.0
 * @category models
 */
export interface Condition {
  readonly description: string
  readonly test: (environment: Environment) => boolean
}

/**
 * The environment's input form, as the resolver takes it.
 *
 * @since 0.1.0
 * @category models
 */
export interface EnvironmentInput {
  readonly profiles?: Iterable<string> | undefined
  readonly properties?: Readonly<Record<string, string | undefined>> | undefined
}

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
export const make: (description: string, test: (environment: Environment) => boolean) => Condition = internal.make

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
