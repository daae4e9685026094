/**
 * Test overrides: replace any component of a registry with a test value, a mock or a Layer.
 *
 * Every helper here is `dual`: given the registry first it returns the new registry
 * (`Testing.value(registry, Mailer, fake)`); without it, an {@link Override} to pipe onto the
 * production registry, which stays untouched:
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
 * An override keeps the registry's error type and adds its own constructor's (`Registry<E>` becomes
 * `Registry<E | E2>`), so the test Layer's `ConstructionError<...>` stays typed.
 *
 * Overrides win over every candidate (primary included) for the requests they apply to: all
 * requests of their tag (qualified, named and family member requests included), or, when given
 * qualifiers, only requests for one of those qualifiers.
 * They go through the same resolver as production wiring, so a test still fails on a missing or
 * ambiguous dependency of the real graph. An override must replace something, as a replacement by
 * name must name a component: one of a service no component of the registry provides and nothing
 * requests (a misspelt or stale fake) is a resolution problem (`invalid override of Mailr: ...; did
 * you mean Mailer?`), and so is a qualifier of an override that no component of its service has and
 * nothing requests (`invalid override of Database@replca: ...; did you mean replica?`). One the roots
 * do not need is not (an override list shared by the tests of parts of a registry), nor one of a
 * service something requests and nothing provides (it fills it).
 *
 * @since 0.1.0
 */
import type * as Context from "effect/Context"
import { dual } from "effect/Function"
import * as Layer from "effect/Layer"
import * as Component from "./Component.js"
import type * as Dependency from "./Dependency.js"
import type * as Errors from "./Errors.js"
import * as optionsInternal from "./internal/options.js"
import type * as Options from "./Options.js"
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

/**
 * A registry transformer that adds an override whose constructor may fail with `E2`: what the
 * data-last helpers return, to pipe onto a registry or to give to {@link toLayer}.
 *
 * @example
 * ```ts
 * import { Context } from "effect"
 * import { Testing } from "layerwise"
 *
 * class Greeting extends Context.Tag("app/Greeting")<Greeting, string>() {}
 *
 * export const hi: Testing.Override = Testing.value(Greeting, "hi")
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface Override<out E2 = never> {
  <E>(self: Registry.Registry<E>): Registry.Registry<E | E2>
}

/**
 * The constructor error an override adds: `E2` of an {@link Override}; `unknown` for a plain function
 * `(registry) => registry`.
 *
 * @example
 * ```ts
 * import { Context, Effect, Layer } from "effect"
 * import { Testing } from "layerwise"
 *
 * class Clock extends Context.Tag("app/Clock")<Clock, { readonly now: Effect.Effect<number> }>() {}
 * class ClockDown extends Error {}
 *
 * const broken = Testing.layer(Clock, Layer.fail(new ClockDown()))
 * export type Failure = Testing.OverrideError<typeof broken> // ClockDown
 * ```
 *
 * @since 0.2.0
 * @category type-level
 */
export type OverrideError<O> = O extends Override<infer E2> ? E2
  : O extends (self: Registry.Registry<never>) => Registry.Registry<infer E2> ? E2
  : never

const asOverride = <E, Id, Service, E2>(
  self: Registry.Registry<E>,
  component: Component.Component<Id, Service, E2>,
  options?: OverrideOptions
): Registry.Registry<E | E2> =>
  Registry.override(self, [
    options?.qualifiers !== undefined && options.qualifiers.length > 0
      ? Component.qualified(component, options.qualifiers)
      : component
  ])

/** Data-first when the first argument is a registry (no override helper takes one otherwise). */
const registryFirst = (args: IArguments): boolean => Registry.isRegistry(args[0])

/**
 * Overrides a service with a value. The override is a component of its own: it has none of the
 * lifecycle of the components it wins over (hooks, background work, health checks, startup); to
 * keep a health check against the fake, use {@link component} with the check applied to it. A value
 * that is a Component or a Layer (a wide service type lets one through) is an `InvalidDeclaration`
 * at resolution: use {@link component} or {@link layer}.
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
 * export const same = Testing.value(production, Mailer, { send: (to) => Effect.succeed(`fake:${to}`) })
 * ```
 *
 * @since 0.1.0
 * @category testing
 */
export const value: {
  <Id, Service>(tag: Context.Tag<Id, Service>, service: NoInfer<Service>, options?: OverrideOptions): Override
  <E, Id, Service>(
    self: Registry.Registry<E>,
    tag: Context.Tag<Id, Service>,
    service: NoInfer<Service>,
    options?: OverrideOptions
  ): Registry.Registry<E>
} = dual(
  registryFirst,
  <E, Id, Service>(
    self: Registry.Registry<E>,
    tag: Context.Tag<Id, Service>,
    service: Service,
    options?: OverrideOptions
  ): Registry.Registry<E> => asOverride(self, Component.succeed(tag, service), options)
)

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
 * export const withUsers = <E>(production: Registry.Registry<E>) =>
 *   production.pipe(Testing.mock(Users, { find: (id) => Effect.succeed(`user ${id}`) }))
 * ```
 *
 * @since 0.1.0
 * @category testing
 */
export const mock: {
  <Id, Service extends object>(
    tag: Context.Tag<Id, Service>,
    service: NoInfer<Layer.PartialEffectful<Service>>,
    options?: OverrideOptions
  ): Override
  <E, Id, Service extends object>(
    self: Registry.Registry<E>,
    tag: Context.Tag<Id, Service>,
    service: NoInfer<Layer.PartialEffectful<Service>>,
    options?: OverrideOptions
  ): Registry.Registry<E>
} = dual(
  registryFirst,
  <E, Id, Service extends object>(
    self: Registry.Registry<E>,
    tag: Context.Tag<Id, Service>,
    service: Layer.PartialEffectful<Service>,
    options?: OverrideOptions
  ): Registry.Registry<E> => asOverride(self, Component.fromLayer(tag, { layer: Layer.mock(tag, service) }), options)
)

/**
 * Overrides a service with a Layer (for instance a test implementation with its own resources).
 * The Layer must not require anything; use {@link component} for an override with dependencies. Its
 * error type is added to the registry's.
 *
 * @example
 * ```ts
 * import { Context, Effect, Layer } from "effect"
 * import { Registry, Testing } from "layerwise"
 *
 * class Clock extends Context.Tag("app/Clock")<Clock, { readonly now: Effect.Effect<number> }>() {}
 *
 * export const frozen = <E>(production: Registry.Registry<E>) =>
 *   production.pipe(Testing.layer(Clock, Layer.succeed(Clock, { now: Effect.succeed(0) })))
 * ```
 *
 * @since 0.1.0
 * @category testing
 */
export const layer: {
  <Id, Service, E2>(tag: Context.Tag<Id, Service>, layer: Layer.Layer<Id, E2>, options?: OverrideOptions): Override<E2>
  <E, Id, Service, E2>(
    self: Registry.Registry<E>,
    tag: Context.Tag<Id, Service>,
    layer: Layer.Layer<Id, E2>,
    options?: OverrideOptions
  ): Registry.Registry<E | E2>
} = dual(
  registryFirst,
  <E, Id, Service, E2>(
    self: Registry.Registry<E>,
    tag: Context.Tag<Id, Service>,
    layer: Layer.Layer<Id, E2>,
    options?: OverrideOptions
  ): Registry.Registry<E | E2> => asOverride(self, Component.fromLayer(tag, { layer }), options)
)

/**
 * Overrides with a full component (it may have dependencies of its own, resolved from the same
 * registry). Its error type is added to the registry's.
 *
 * @example
 * ```ts
 * import { Context, Effect } from "effect"
 * import { Component, Registry, Testing } from "layerwise"
 *
 * class Config extends Context.Tag("app/Config")<Config, { readonly prefix: string }>() {}
 * class Mailer extends Context.Tag("app/Mailer")<Mailer, { readonly send: (to: string) => string }>() {}
 *
 * export const recording = <E>(production: Registry.Registry<E>) =>
 *   production.pipe(Testing.component(Component.make(Mailer, {
 *     dependencies: [Config],
 *     build: Effect.map(Config, (config) => ({ send: (to: string) => `${config.prefix}${to}` }))
 *   })))
 * ```
 *
 * @since 0.1.0
 * @category testing
 */
export const component: {
  <Id, Service, E2>(component: Component.Component<Id, Service, E2>, options?: OverrideOptions): Override<E2>
  <E, Id, Service, E2>(
    self: Registry.Registry<E>,
    component: Component.Component<Id, Service, E2>,
    options?: OverrideOptions
  ): Registry.Registry<E | E2>
} = dual(registryFirst, asOverride)

/**
 * Replaces only the component with the given name by a value (a mock by name); the replaced
 * component keeps its name, qualifiers and choice metadata, not its lifecycle (hooks, background
 * work, health checks, startup: they act on the service its constructor built). An unknown name, a name replaced
 * twice (two `named` overrides of one name), or a value that is a Component or a Layer (use
 * `Registry.replace` with a component) is reported by the resolver.
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
export const named: {
  <Id, Service>(tag: Context.Tag<Id, Service>, name: string, service: NoInfer<Service>): Override
  <E, Id, Service>(self: Registry.Registry<E>, tag: Context.Tag<Id, Service>, name: string, service: NoInfer<Service>): Registry.Registry<E>
} = dual(
  registryFirst,
  <E, Id, Service>(self: Registry.Registry<E>, tag: Context.Tag<Id, Service>, name: string, service: Service): Registry.Registry<E> =>
    Registry.replace(self, name, Component.succeed(tag, service))
)

/**
 * What {@link options} takes: some of the options' values (each may be left out or `undefined`);
 * for options with one value, the value.
 *
 * @example
 * ```ts
 * import type { Testing } from "layerwise"
 *
 * export const some: Testing.GivenOptions<{ readonly url: string; readonly poolSize: number }> = { poolSize: 2 }
 * export const one: Testing.GivenOptions<number> = 8080
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export type GivenOptions<A> = { readonly [K in keyof A]?: A[K] | undefined }

/**
 * Gives options' values to a test, as configuration: every given value is read before the
 * `ConfigProvider` (flags, environment variables, an options file), by the options' requesters and
 * by the conditions alike, so `Options.equals(StorageOptions, "kind", "sql")` selects what the test
 * gives. Values are partial: the options not given (or given `undefined`) are read from the
 * configuration as usual, with their defaults; options with one value take the value alone. Each
 * value is a decoded value, encoded with its option's schema to the text it would be given as (a
 * secret as `Redacted.make(...)`); a value the schema rejects, or an option the options do not
 * have, throws a `TypeError` saying which and why. The help and the ops show these values as given
 * by `Testing.options`. Where two give the same option, the one applied last wins.
 *
 * Unlike {@link value} on the options' tag (which replaces what the requesters read and nothing
 * else), the values are validated, merged with the configuration, and seen by the conditions.
 *
 * @example
 * ```ts
 * import { Context, Schema } from "effect"
 * import { Component, Options, Registry, Testing } from "layerwise"
 *
 * const StorageOptions = Options.make("storage", {
 *   kind: Schema.Literal("memory", "sql"),
 *   pool: Schema.optionalWith(Schema.NumberFromString, { default: () => 4 })
 * })
 * class Storage extends Context.Tag("app/Storage")<Storage, string>() {}
 *
 * const production = Registry.make(
 *   Registry.when(Options.equals(StorageOptions, "kind", "memory"), Component.succeed(Storage, "memory")),
 *   Registry.when(Options.equals(StorageOptions, "kind", "sql"), Component.succeed(Storage, "sql"))
 * )
 * export const test = production.pipe(Testing.options(StorageOptions, { kind: "sql" })) // pool: read as usual
 * export const same = Testing.options(production, StorageOptions, { kind: "sql" })
 * ```
 *
 * @since 0.2.0
 * @category testing
 */
export const options: {
  <Name extends string, A>(options: Options.Options<Name, A>, values: NoInfer<GivenOptions<A>>): Override
  <E, Name extends string, A>(self: Registry.Registry<E>, options: Options.Options<Name, A>, values: NoInfer<GivenOptions<A>>): Registry.Registry<E>
} = function() {
  const dataFirst = registryFirst(arguments)
  // checked when given, not when applied: an invalid value throws where the test gives it
  const giving = optionsInternal.given(arguments[dataFirst ? 1 : 0], arguments[dataFirst ? 2 : 1])
  // a guard that always holds and guards nothing: its condition gives the values to the resolution
  // (a new one each time applied: the one applied last wins)
  const apply = <E>(registry: Registry.Registry<E>): Registry.Registry<E> => Registry.add(registry, [Registry.when(giving(), Registry.empty)])
  return dataFirst ? apply(arguments[0]) : apply
} as never

/**
 * Options of {@link toLayer}: the overrides to apply, then everything `Registry.toLayer` takes
 * (profiles, properties, external services, concurrency).
 *
 * @since 0.2.0
 * @category models
 */
export interface LayerOptions<
  External extends ReadonlyArray<Dependency.Any> = ReadonlyArray<Dependency.Any>,
  Overrides extends ReadonlyArray<AnyOverride> = ReadonlyArray<AnyOverride>
> extends Registry.LayerOptions<External> {
  /** Applied to the registry in order, as `registry.pipe(...overrides)` would. */
  readonly overrides?: Overrides
}

/**
 * Any registry transformer: an {@link Override}, or a function of your own.
 *
 * @since 0.2.0
 * @category models
 */
export type AnyOverride = (self: Registry.Registry<never>) => Registry.Registry<unknown>

/**
 * The Layer of a registry with test overrides applied, shaped for `it.layer` from
 * `@effect/vitest`: `Registry.toLayer(registry.pipe(...overrides), roots, options)`. It takes the
 * same options as `Registry.toLayer` (profiles, properties, `external`, concurrency) and the
 * overrides as `overrides`; it is typed the same way (the registry's and the overrides' constructor
 * errors, the external services as requirements). The overrides may also follow the roots directly,
 * `Testing.toLayer(registry, roots, ...overrides)`, when no other option is needed. Data-first or
 * data-last (`registry.pipe(Testing.toLayer([Api], { overrides: [...] }))`).
 *
 * @example
 * ```ts
 * import { Context, Effect } from "effect"
 * import { Component, Registry, Testing } from "layerwise"
 *
 * class Clock extends Context.Tag("platform/Clock")<Clock, { readonly now: () => number }>() {}
 * class Greeting extends Context.Tag("app/Greeting")<Greeting, string>() {}
 *
 * const production = Registry.make(
 *   Component.make(Greeting, { dependencies: [Clock], build: Effect.map(Clock, (clock) => `hello at ${clock.now()}`) })
 * )
 * // Layer<Greeting, ResolutionError | ConstructionError<never>, Clock>
 * const TestLayer = Testing.toLayer(production, [Greeting], {
 *   overrides: [Testing.value(Greeting, "hi")],
 *   external: [Clock],
 *   profiles: ["test"]
 * })
 * const Simple = Testing.toLayer(production, [Greeting], Testing.value(Greeting, "hi"))
 * Effect.runPromise(Effect.provide(Greeting, Simple)).then(console.log) // "hi"
 * ```
 *
 * @since 0.1.0
 * @category testing
 */
// `Overrides` defaults to the type each override is checked against, not to `readonly []`: an
// override helper called inside `overrides` is typed with the default as its context.
export const toLayer: {
  <
    const Roots extends ReadonlyArray<Dependency.Any>,
    const External extends ReadonlyArray<Dependency.Any> = readonly [],
    const Overrides extends ReadonlyArray<AnyOverride> = ReadonlyArray<Override>
  >(roots: Roots, options?: LayerOptions<External, Overrides>): <E>(
    self: Registry.Registry<E>
  ) => Layer.Layer<
    Dependency.Identifiers<Roots>,
    Errors.ResolutionError | Errors.BuildError<E | OverrideError<Overrides[number]>>,
    Dependency.Identifiers<External>
  >
  <
    E,
    const Roots extends ReadonlyArray<Dependency.Any>,
    const External extends ReadonlyArray<Dependency.Any> = readonly [],
    const Overrides extends ReadonlyArray<AnyOverride> = ReadonlyArray<Override>
  >(registry: Registry.Registry<E>, roots: Roots, options?: LayerOptions<External, Overrides>): Layer.Layer<
    Dependency.Identifiers<Roots>,
    Errors.ResolutionError | Errors.BuildError<E | OverrideError<Overrides[number]>>,
    Dependency.Identifiers<External>
  >
  <E, const Roots extends ReadonlyArray<Dependency.Any>, const Overrides extends ReadonlyArray<AnyOverride>>(
    registry: Registry.Registry<E>,
    roots: Roots,
    ...overrides: Overrides
  ): Layer.Layer<Dependency.Identifiers<Roots>, Errors.ResolutionError | Errors.BuildError<E | OverrideError<Overrides[number]>>>
} = dual(
  registryFirst,
  (
    registry: Registry.Registry<unknown>,
    roots: ReadonlyArray<Dependency.Any>,
    ...rest: ReadonlyArray<Transformer | LayerOptionsOf<Transformer> | undefined>
  ) => {
    // an options object is never a function, an override always is
    const first = rest[0]
    const { overrides = [], ...options }: LayerOptionsOf<Transformer> = typeof first === "function" || first === undefined
      ? { overrides: rest as ReadonlyArray<Transformer> }
      : first
    return Registry.toLayer(overrides.reduce((current, apply) => apply(current), registry), roots, options)
  }
)

/** What every override is at run time, whatever its type says of the registries it takes. */
type Transformer = (self: Registry.Registry<unknown>) => Registry.Registry<unknown>

type LayerOptionsOf<O> = Registry.LayerOptions & { readonly overrides?: ReadonlyArray<O> | undefined }
