/**
 * Registries: immutable sets of components, composed like modules.
 *
 * A registry holds components and other registries (a module can include modules). Whatever is
 * reached twice counts once, at its first position: a module included twice, a component added twice
 * or through two modules built from one; a component both added and overridden is one candidate, an
 * override. Adding, including and overriding return new registries, so a registry is a
 * plain value: share it, extend it per environment, clone it for free.
 *
 * Two ways to take a component's place, both for tests and for environments:
 * - {@link override}: the component wins over every candidate of its tag (or, when it carries
 *   qualifiers, of requests for those qualifiers);
 * - {@link replace}: the component named so is replaced, keeping its name and choice metadata.
 *
 * @since 0.1.0
 */
import type * as Layer from "effect/Layer"
import type { Pipeable } from "effect/Pipeable"
import type * as Component from "./Component.js"
import type * as Dependency from "./Dependency.js"
import type * as Errors from "./Errors.js"
import type * as Family from "./Family.js"
import * as internal from "./internal/registry.js"
import * as layerInternal from "./internal/toLayer.js"
import type * as Condition from "./Condition.js"
import type * as Plan from "./Plan.js"
import type * as Resolver from "./Resolver.js"

/**
 * @since 0.1.0
 * @category symbols
 */
export const TypeId: unique symbol = internal.TypeId as TypeId

/**
 * @since 0.1.0
 * @category symbols
 */
export type TypeId = typeof TypeId

/**
 * An immutable set of components and included registries.
 *
 * @since 0.1.0
 * @category models
 */
export interface Registry extends Pipeable {
  readonly [TypeId]: TypeId
}

/**
 * What a registry is made of: components, component families and other registries.
 *
 * @since 0.1.0
 * @category models
 */
// Family is invariant in its parameters; `any` is the only type every family is assignable to.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Item = Component.Any | Family.Family<any, any, any> | Registry

/**
 * Returns `true` if the value is a registry.
 *
 * @example
 * ```ts
 * import { Registry } from "layerwise"
 *
 * console.log(Registry.isRegistry(Registry.empty)) // true
 * ```
 *
 * @since 0.1.0
 * @category refinements
 */
export const isRegistry: (u: unknown) => u is Registry = internal.isRegistry

/**
 * The registry with no components.
 *
 * @example
 * ```ts
 * import { Registry } from "layerwise"
 *
 * export const nothing = Registry.empty
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const empty: Registry = internal.empty

/**
 * A registry of components and included registries, in order.
 *
 * @example
 * ```ts
 * import { Context } from "effect"
 * import { Component, Registry } from "layerwise"
 *
 * class Config extends Context.Tag("app/Config")<Config, { readonly port: number }>() {}
 * class Greeting extends Context.Tag("app/Greeting")<Greeting, string>() {}
 *
 * const ConfigModule = Registry.make(Component.succeed(Config, { port: 8080 }))
 * export const AppModule = Registry.make(ConfigModule, Component.succeed(Greeting, "hello"))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (...items: ReadonlyArray<Item>) => Registry = internal.make

/**
 * Adds components and registries.
 *
 * @example
 * ```ts
 * import { Context } from "effect"
 * import { Component, Registry } from "layerwise"
 *
 * class Greeting extends Context.Tag("app/Greeting")<Greeting, string>() {}
 *
 * export const registry = Registry.empty.pipe(Registry.add([Component.succeed(Greeting, "hello")]))
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const add: {
  (items: ReadonlyArray<Item>): (self: Registry) => Registry
  (self: Registry, items: ReadonlyArray<Item>): Registry
} = internal.add

/**
 * Adds overriding components: an override wins over every other candidate of its tag for the
 * requests it applies to. Without qualifiers it applies to every request of its tag; with qualifiers,
 * only to requests for one of them. Several overrides of one request are chosen among by the usual
 * rules. Made for tests (see `Testing`) and for environment-specific wiring.
 *
 * @example
 * ```ts
 * import { Context } from "effect"
 * import { Component, Registry } from "layerwise"
 *
 * class Mailer extends Context.Tag("app/Mailer")<Mailer, { readonly send: (to: string) => string }>() {}
 *
 * const production = Registry.make(Component.succeed(Mailer, { send: (to) => `smtp:${to}` }))
 * export const test = production.pipe(Registry.override([Component.succeed(Mailer, { send: (to) => `fake:${to}` })]))
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const override: {
  (components: ReadonlyArray<Component.Any>): (self: Registry) => Registry
  (self: Registry, components: ReadonlyArray<Component.Any>): Registry
} = internal.override

/**
 * Replaces the component with the given name by another constructor, keeping the replaced one's
 * name, qualifiers, primary / alternative and order (a mock by name). Replacing a name that no
 * component has, or replacing one name twice, is reported by the resolver.
 *
 * @example
 * ```ts
 * import { Context } from "effect"
 * import { Component, Registry } from "layerwise"
 *
 * class Database extends Context.Tag("app/Database")<Database, { readonly url: string }>() {}
 *
 * const registry = Registry.make(
 *   Component.succeed(Database, { url: "postgres://main" }).pipe(Component.named("main")),
 *   Component.succeed(Database, { url: "postgres://audit" }).pipe(Component.named("audit"))
 * )
 * export const withFakeAudit = registry.pipe(Registry.replace("audit", Component.succeed(Database, { url: "memory" })))
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const replace: {
  <Id, Service>(name: string, component: Component.Component<Id, Service>): (self: Registry) => Registry
  <Id, Service>(self: Registry, name: string, component: Component.Component<Id, Service>): Registry
} = internal.replace

/**
 * Items that exist only when a condition holds in the resolution environment: a component or a whole
 * module guarded by a profile or a property. When the condition is false they do not exist at all
 * (a request that then finds nothing lists them in its `MissingComponent`, with the condition).
 *
 * @example
 * ```ts
 * import { Context, Effect } from "effect"
 * import { Component, Condition, Registry } from "layerwise"
 *
 * class Storage extends Context.Tag("app/Storage")<Storage, { readonly kind: string }>() {}
 *
 * export const registry = Registry.make(
 *   Registry.when(Condition.not(Condition.profile("files")), Component.succeed(Storage, { kind: "memory" })),
 *   Registry.when(Condition.profile("files"), Component.succeed(Storage, { kind: "files" }))
 * )
 * const layer = Registry.toLayer(registry, [Storage], { profiles: ["files"] })
 * Effect.runPromise(Effect.provide(Effect.map(Storage, (s) => s.kind), layer)).then(console.log) // "files"
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const when: (condition: Condition.Condition, ...items: ReadonlyArray<Item>) => Registry = (condition, ...items) =>
  internal.when(condition, items)

/**
 * Resolves the roots against the registry and builds the plan, as one Layer. Resolution runs when
 * the Layer is built, before any constructor: a resolution problem fails the Layer with
 * {@link Errors.ResolutionError} and builds nothing. To inspect the plan first, use
 * `Resolver.resolve` and `Plan.toLayer`.
 *
 * @example
 * ```ts
 * import { Context, Effect } from "effect"
 * import { Component, Registry } from "layerwise"
 *
 * class Config extends Context.Tag("app/Config")<Config, { readonly name: string }>() {}
 * class Greeter extends Context.Tag("app/Greeter")<Greeter, { readonly greet: Effect.Effect<string> }>() {}
 *
 * const registry = Registry.make(
 *   Component.succeed(Config, { name: "world" }),
 *   Component.make(Greeter, {
 *     dependencies: [Config],
 *     build: Effect.map(Config, (config) => ({ greet: Effect.succeed(`hello ${config.name}`) }))
 *   })
 * )
 *
 * const program = Effect.flatMap(Greeter, (greeter) => greeter.greet)
 * Effect.runPromise(Effect.provide(program, Registry.toLayer(registry, [Greeter]))).then(console.log)
 * // "hello world"
 * ```
 *
 * @since 0.1.0
 * @category conversions
 */
export const toLayer: <const Roots extends ReadonlyArray<Dependency.Any>>(
  self: Registry,
  roots: Roots,
  options?: Plan.LayerOptions & Resolver.Options
) => Layer.Layer<Dependency.Identifiers<Roots>, Errors.ResolutionError | Errors.BuildError> =
  // cast kept: the executor's Layer is untyped in what it provides (Plan.toLayer's binding has the same cast)
  layerInternal.registryToLayer as never
