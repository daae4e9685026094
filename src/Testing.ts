/**
 * Test overrides: replace any component of a registry with a test value, a mock or a Layer.
 *
 * Every helper here is a registry transformer, `(self: Registry) => Registry`, so they compose with
 * `pipe` on the production registry and leave it untouched:
 *
 * ```ts
 * const TestRegistry = AppRegistry.pipe(
 *   Testing.value(Mailer, fakeMailer),                // wins over every Mailer candidate
 *   Testing.mock(Users, { find: () => ... }),         // Layer.mock: unimplemented members die
 *   Testing.named(Database, "auditDb", memoryDb)      // replaces only the component named auditDb
 * )
 * it.layer(Registry.toLayer(TestRegistry, [Api]))("Api", (it) => ...)
 * ```
 *
 * Overrides win over every candidate (primary included) for the requests they apply to: all
 * requests of their tag (qualified, named and family member requests included), or, when given
 * qualifiers, only requests for one of those qualifiers.
 * They go through the same resolver as production wiring, so a test still fails on a missing or
 * ambiguous dependency of the real graph.
 *
 * @since 0.1.0
 */
import type * as Context from "effect/Context"
import * as Layer from "effect/Layer"
import * as Component from "./Component.js"
import type * as Dependency from "./Dependency.js"
import type * as Errors from "./Errors.js"
import type * as Qualifier from "./Qualifier.js"
import * as Registry from "./Registry.js"

/**
 * Where an override applies: every request of the tag (no qualifiers), or only requests for one of
 * the given qualifiers.
 *
 * @since 0.1.0
 * @category models
 */
export interface OverrideOptions {
  readonly qualifiers?: ReadonlyArray<Qualifier.Input> | undefined
}

const asOverride = <Id, Service>(component: Component.Component<Id, Service>, options?: OverrideOptions) =>
  Registry.override([
    options?.qualifiers !== undefined && options.qualifiers.length > 0
      ? Component.qualified(component, options.qualifiers)
      : component
  ])

/**
 * Overrides a service with a value.
 *
 * @example
 * ```ts
 * import { Context, Effect } from "effect"
 * import { Component, Registry, Testing } from "layerwise"
 *
 * class Mailer extends Context.Tag("app/Mailer")<Mailer, { readonly send: (to: string) => Effect.Effect<string> }>() {}
 *
 * const production = Registry.make(Component.succeed(Mailer, { send: (to) => Effect.succeed(`smtp:${to}`) }))
 * export const test = production.pipe(Testing.value(Mailer, { send: (to) => Effect.succeed(`fake:${to}`) }))
 * ```
 *
 * @since 0.1.0
 * @category testing
 */
export const value = <Id, Service>(
  tag: Context.Tag<Id, Service>,
  service: NoInfer<Service>,
  options?: OverrideOptions
): (self: Registry.Registry) => Registry.Registry => asOverride(Component.succeed(tag, service), options)

/**
 * Overrides a service with a partial implementation built by Effect's `Layer.mock`: members that
 * return Effects may be left out and die with `UnimplementedError` when called; other members are
 * required.
 *
 * @example
 * ```ts
 * import { Context, Effect } from "effect"
 * import { Registry, Testing } from "layerwise"
 *
 * class Users extends Context.Tag("app/Users")<Users, {
 *   readonly find: (id: string) => Effect.Effect<string>
 *   readonly remove: (id: string) => Effect.Effect<void>
 * }>() {}
 *
 * export const withUsers = (production: Registry.Registry) =>
 *   production.pipe(Testing.mock(Users, { find: (id) => Effect.succeed(`user ${id}`) }))
 * ```
 *
 * @since 0.1.0
 * @category testing
 */
export const mock = <Id, Service extends object>(
  tag: Context.Tag<Id, Service>,
  service: NoInfer<Layer.PartialEffectful<Service>>,
  options?: OverrideOptions
): (self: Registry.Registry) => Registry.Registry =>
  asOverride(Component.fromLayer(tag, { layer: Layer.mock(tag, service) }), options)

/**
 * Overrides a service with a Layer (for instance a test implementation with its own resources).
 * The Layer must not require anything; use {@link component} for an override with dependencies.
 *
 * @example
 * ```ts
 * import { Context, Effect, Layer } from "effect"
 * import { Registry, Testing } from "layerwise"
 *
 * class Clock extends Context.Tag("app/Clock")<Clock, { readonly now: Effect.Effect<number> }>() {}
 *
 * export const frozen = (production: Registry.Registry) =>
 *   production.pipe(Testing.layer(Clock, Layer.succeed(Clock, { now: Effect.succeed(0) })))
 * ```
 *
 * @since 0.1.0
 * @category testing
 */
export const layer = <Id, Service>(
  tag: Context.Tag<Id, Service>,
  layer: Layer.Layer<Id, unknown>,
  options?: OverrideOptions
): (self: Registry.Registry) => Registry.Registry => asOverride(Component.fromLayer(tag, { layer }), options)

/**
 * Overrides with a full component (it may have dependencies of its own, resolved from the same
 * registry).
 *
 * @example
 * ```ts
 * import { Context, Effect } from "effect"
 * import { Component, Registry, Testing } from "layerwise"
 *
 * class Config extends Context.Tag("app/Config")<Config, { readonly prefix: string }>() {}
 * class Mailer extends Context.Tag("app/Mailer")<Mailer, { readonly send: (to: string) => string }>() {}
 *
 * export const recording = (production: Registry.Registry) =>
 *   production.pipe(Testing.component(Component.make(Mailer, {
 *     dependencies: [Config],
 *     build: Effect.map(Config, (config) => ({ send: (to: string) => `${config.prefix}${to}` }))
 *   })))
 * ```
 *
 * @since 0.1.0
 * @category testing
 */
export const component = <Id, Service>(
  component: Component.Component<Id, Service>,
  options?: OverrideOptions
): (self: Registry.Registry) => Registry.Registry => asOverride(component, options)

/**
 * Replaces only the component with the given name by a value (a mock by name); the replaced
 * component keeps its name, qualifiers and choice metadata. An unknown name, or a name replaced
 * twice (two `named` overrides of one name), is reported by the resolver.
 *
 * @example
 * ```ts
 * import { Context } from "effect"
 * import { Component, Registry, Testing } from "layerwise"
 *
 * class Database extends Context.Tag("app/Database")<Database, { readonly url: string }>() {}
 *
 * const production = Registry.make(
 *   Component.succeed(Database, { url: "postgres://main" }).pipe(Component.named("main")),
 *   Component.succeed(Database, { url: "postgres://audit" }).pipe(Component.named("audit"))
 * )
 * export const test = production.pipe(Testing.named(Database, "audit", { url: "memory://audit" }))
 * ```
 *
 * @since 0.1.0
 * @category testing
 */
export const named = <Id, Service>(
  tag: Context.Tag<Id, Service>,
  name: string,
  service: NoInfer<Service>
): (self: Registry.Registry) => Registry.Registry => Registry.replace(name, Component.succeed(tag, service))

/**
 * The Layer of a registry with test overrides applied: `Registry.toLayer(overrides(registry), roots)`,
 * shaped for `it.layer` from `@effect/vitest`. To resolve with profiles or properties (registries
 * guarded by conditions), or with build options, call `Registry.toLayer` with the overrides piped:
 * `Registry.toLayer(production.pipe(Testing.value(Greeting, "hi")), [Greeting], { profiles: ["test"] })`.
 *
 * @example
 * ```ts
 * import { Context, Effect } from "effect"
 * import { Component, Registry, Testing } from "layerwise"
 *
 * class Greeting extends Context.Tag("app/Greeting")<Greeting, string>() {}
 *
 * const production = Registry.make(Component.succeed(Greeting, "hello"))
 * const TestLayer = Testing.toLayer(production, [Greeting], Testing.value(Greeting, "hi"))
 * Effect.runPromise(Effect.provide(Greeting, TestLayer)).then(console.log) // "hi"
 * ```
 *
 * @since 0.1.0
 * @category testing
 */
export const toLayer = <const Roots extends ReadonlyArray<Dependency.Any>>(
  registry: Registry.Registry,
  roots: Roots,
  ...overrides: ReadonlyArray<(self: Registry.Registry) => Registry.Registry>
): Layer.Layer<Dependency.Identifiers<Roots>, Errors.ResolutionError | Errors.BuildError> =>
  Registry.toLayer(overrides.reduce((current, apply) => apply(current), registry), roots)
