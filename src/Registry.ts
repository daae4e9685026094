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
import type * as Context from "effect/Context"
import { dual } from "effect/Function"
import type { Inspectable } from "effect/Inspectable"
import type * as Layer from "effect/Layer"
import type { Pipeable } from "effect/Pipeable"
import type * as Types from "effect/Types"
import type * as Component from "./Component.js"
import type * as Dependency from "./Dependency.js"
import type * as Errors from "./Errors.js"
import type * as Family from "./Family.js"
import * as conditionInternal from "./internal/condition.js"
import * as internal from "./internal/registry.js"
import * as layerInternal from "./internal/toLayer.js"
import type * as Condition from "./Condition.js"
import type * as Lifetime from "./Lifetime.js"
import type * as Options from "./Options.js"
import type * as Plan from "./Plan.js"
import type * as Qualifier from "./Qualifier.js"
import type * as Resolver from "./Resolver.js"

/**
 * The brand every registry carries: what `Registry.isRegistry` tests.
 *
 * @example
 * ```ts
 * import { Registry } from "layerwise"
 *
 * export const branded = (u: object): boolean => Registry.TypeId in u
 * ```
 *
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
export interface Registry<out E = unknown> extends Pipeable, Inspectable {
  readonly [TypeId]: { readonly _E: Types.Covariant<E> }
}

/**
 * What a registry is made of: components, component families and other registries.
 *
 * @since 0.1.0
 * @category models
 */
// `any`: a family is invariant in its tag, service and arguments (its error and a registry's are covariant)
export type Item = Component.Any | Family.Family<any, any, any, unknown> | Registry<unknown>

/**
 * What {@link make}, {@link when} and {@link add} take in place of each item: the item itself when it is an
 * {@link Item}; else, for what a new user gives by mistake, a sentence saying how to register it,
 * which the compiler shows as the parameter's type (`Argument of type 'typeof Signer' is not
 * assignable to parameter of type '"an Effect.Service class is registered as
 * Component.fromService(TheClass)"'`), where it said the value was missing a family's properties.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Options, type Registry } from "layerwise"
 *
 * const DbOptions = Options.make("db", { url: Schema.String })
 * // "options are not registered: ..."
 * export type Told = Registry.Checked<readonly [typeof DbOptions]>[0]
 * ```
 *
 * @since 0.2.0
 * @category type-level
 */
export type Checked<Items extends ReadonlyArray<unknown>> = {
  readonly [K in keyof Items]: Items[K] extends Item ? Items[K] : NotAnItem<Items[K]>
}

type NotAnItem<I> = I extends Options.Any
  ? "options are not registered: list them in the dependencies of the components that read them, and the resolver provides them"
  // `any`: a service class whatever its service, key and Default's types
  : I extends { readonly Default: Layer.Layer<any, any, any> } & Context.Tag<any, any>
    ? "an Effect.Service class is registered as Component.fromService(TheClass)"
  // `any`: a tag whatever its identifier and service
  : I extends Context.Tag<any, any> ? "a tag is registered as a component of it: Component.make(tag, { build }), Component.succeed(tag, value)"
  : I extends Layer.Layer.Any ? "a Layer is registered as a component of the tag it provides: Component.fromLayer(tag, { layer })"
  : Item

/**
 * The constructors' error type of registry items (components, families, registries, or a list of
 * them): what the Layer of a registry made of them fails with, inside `ConstructionError`.
 *
 * @example
 * ```ts
 * import { Context, Effect } from "effect"
 * import { Component, Registry } from "layerwise"
 *
 * class Db extends Context.Tag("app/Db")<Db, { readonly url: string }>() {}
 * class DbDown extends Error {}
 *
 * export const registry = Registry.make(Component.make(Db, { build: Effect.fail(new DbDown()) }))
 * export type Failure = Registry.Error<typeof registry> // DbDown
 * ```
 *
 * @since 0.2.0
 * @category type-level
 */
export type Error<I> = I extends Component.Component<infer _Id, infer _Service, infer E> ? E
  : I extends Family.Family<infer _Args, infer _Id, infer _Service, infer E> ? E
  : I extends Registry<infer E> ? E
  : I extends ReadonlyArray<infer One> ? Error<One>
  : never

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
export const isRegistry: (u: unknown) => u is Registry<unknown> = internal.isRegistry

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
export const empty: Registry<never> = internal.empty

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
export const make: <const Items extends ReadonlyArray<unknown>>(...items: Checked<Items>) => Registry<Error<Items[number]>> =
  internal.make

/**
 * Adds components and registries: one, or an array of them (a value that is none says how to
 * register it, as {@link make} does).
 *
 * @example
 * ```ts
 * import { Context } from "effect"
 * import { Component, Registry } from "layerwise"
 *
 * class Greeting extends Context.Tag("app/Greeting")<Greeting, string>() {}
 *
 * export const registry = Registry.empty.pipe(Registry.add([Component.succeed(Greeting, "hello")]))
 * export const same = Registry.empty.pipe(Registry.add(Component.succeed(Greeting, "hello")))
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const add: {
  <const Items>(
    items: CheckedItems<Items>
  ): <E>(self: Registry<E>) => Registry<E | Error<Items>>
  <E, const Items>(
    self: Registry<E>,
    items: CheckedItems<Items>
  ): Registry<E | Error<Items>>
} = internal.add

/** One item or a list of them, each checked as {@link Checked} checks the items of `make`. */
type CheckedItems<Items> = Items extends ReadonlyArray<unknown> ? Checked<Items> : Checked<readonly [Items]>[0]

/**
 * Adds overriding components: an override wins over every other candidate of its tag for the
 * requests it applies to. Without qualifiers it applies to every request of its tag; with qualifiers,
 * only to requests for one of them. Several overrides of one request are chosen among by the usual
 * rules. Made for tests (see `Testing`) and for environment-specific wiring. Takes one component or
 * an array of them. An override must replace something: one of a service no component of the registry
 * provides (false conditions' included) and nothing requests is a resolution problem
 * (`InvalidDeclaration`, `OverridesNothing`), as is one's qualifier that no component of its service
 * has and no request asks for; to add a service, use {@link add}.
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
  <const Components extends Component.Any | ReadonlyArray<Component.Any>>(
    components: Components
  ): <E>(self: Registry<E>) => Registry<E | Error<Components>>
  <E, const Components extends Component.Any | ReadonlyArray<Component.Any>>(
    self: Registry<E>,
    components: Components
  ): Registry<E | Error<Components>>
} = internal.override

/**
 * Replaces the component with the given name by another constructor, keeping the replaced one's
 * name, qualifiers, primary / alternative and order (a mock by name); the lifecycle (hooks,
 * background work, health checks, startup) is the replacement's, as it acts on the service the
 * replacement builds. Replacing a name that no component has, or replacing one name twice, is
 * reported by the resolver.
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
  <Id, Service, E2>(name: string, component: Component.Component<Id, Service, E2>): <E>(self: Registry<E>) => Registry<E | E2>
  <E, Id, Service, E2>(self: Registry<E>, name: string, component: Component.Component<Id, Service, E2>): Registry<E | E2>
} = internal.replace

/**
 * Items that exist only when a condition holds in the resolution environment: a component or a whole
 * module guarded by a profile or a property. When the condition is false they do not exist at all
 * (a request that then finds nothing lists them in its `MissingComponent`, with the condition).
 * With only the condition it guards the one item it is piped onto:
 * `FileStorage.pipe(Registry.when(Condition.profile("files")))`.
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
export const when: {
  (condition: Condition.Condition): <I extends Item>(item: I) => Registry<Error<I>>
  <const Items extends readonly [unknown, ...Array<unknown>]>(condition: Condition.Condition, ...items: Checked<Items>): Registry<Error<Items[number]>>
} = internal.when

/**
 * Resolves the roots against the registry and builds the plan, as one Layer. Resolution runs when
 * the Layer is built, before any constructor, after reading the `effect/Config`s of its environment
 * (profiles and properties given as Configs) and of its conditions with the `ConfigProvider` of the
 * fiber building it: a resolution problem (an `InvalidConfig` included) fails the Layer with
 * {@link Errors.ResolutionError} and builds nothing. To inspect the plan first, use
 * `Resolver.resolveEffect` (or `Resolver.resolve`) and `Plan.toLayer`.
 *
 * The Layer fails with `ConstructionError<E>`, `E` the registry's constructors' errors, so a
 * program handles the user's error by its tag. Services the registry expects from outside (a
 * platform's `HttpClient`, `FileSystem`...) are declared with `external`: they are the Layer's
 * requirements, provided as to any Layer (`Layer.provide(NodeContext.layer)`); a request of one that
 * no component provides resolves to the program's. Data-first or data-last
 * (`registry.pipe(Registry.toLayer([Api]))`). Like `Plan.toLayer`, it builds and releases and runs
 * no lifecycle metadata (initializers, hooks, disposers, startup components that are not roots):
 * `App.layer` does.
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
export const toLayer: {
  <const Roots extends ReadonlyArray<Dependency.Any>, const External extends ReadonlyArray<Dependency.Any> = readonly []>(
    roots: Roots,
    options?: LayerOptions<External>
  ): <E>(
    self: Registry<E>
  ) => Layer.Layer<Dependency.Identifiers<Roots>, Errors.ResolutionError | Errors.InvalidOptions | Errors.BuildError<E>, Dependency.Identifiers<External>>
  <E, const Roots extends ReadonlyArray<Dependency.Any>, const External extends ReadonlyArray<Dependency.Any> = readonly []>(
    self: Registry<E>,
    roots: Roots,
    options?: LayerOptions<External>
  ): Layer.Layer<Dependency.Identifiers<Roots>, Errors.ResolutionError | Errors.InvalidOptions | Errors.BuildError<E>, Dependency.Identifiers<External>>
} = layerInternal.registryToLayer

/**
 * Options of {@link toLayer}: the resolution's (profiles, properties, as data or `effect/Config`s,
 * external services) and the Layer's (concurrency).
 *
 * @since 0.2.0
 * @category models
 */
export interface LayerOptions<External extends ReadonlyArray<Dependency.Any> = ReadonlyArray<Dependency.Any>>
  extends Plan.LayerOptions, Resolver.EffectOptions<External>
{}

/**
 * What {@link components} keeps: every criterion given must hold.
 *
 * @since 0.2.0
 * @category models
 */
export interface ComponentFilter {
  /** components providing this service (by its tag's key) */
  readonly service?: Dependency.Any | undefined
  /** components carrying this qualifier */
  readonly qualifier?: Qualifier.Input | undefined
  /** the component of this name (its explicit name, else its tag's key) */
  readonly name?: string | undefined
  /** startup components only (`true`), or only the others (`false`) */
  readonly startup?: boolean | undefined
  /** components of this lifetime: `"singleton"`, `"transient"`, or a scope's name */
  readonly lifetime?: "singleton" | "transient" | Lifetime.ScopeName | undefined
  /** any other predicate */
  readonly where?: ((component: Component.Any) => boolean) | undefined
}

/**
 * Lists a registry's components that pass a filter, sorted by order (registration order between equal
 * orders), without resolving or building anything: what a request could choose among, the startup
 * components, the components of a scope... Guarded items count when their condition holds in the
 * environment given (none: only unguarded items and those whose condition needs no profile or
 * property); a component registered twice is listed once. No Config is read: an item whose guard
 * needs one (`Condition.config`, `Options.equals`, negated or not) is left out, unless the profiles and
 * properties decide the guard alone; `App.plan` or `Resolver.resolveEffect` read them (the plan's nodes:
 * `Resolver.resolveEffect(registry, [Dependency.all(Plugin)])` for the plugins active in this environment).
 *
 * @example
 * ```ts
 * import { Context } from "effect"
 * import { Component, Lifecycle, Registry } from "layerwise"
 *
 * class Plugin extends Context.Tag("app/Plugin")<Plugin, { readonly name: string }>() {}
 *
 * const registry = Registry.make(
 *   Component.succeed(Plugin, { name: "b" }, { order: 2, qualifiers: ["web"] }),
 *   Component.succeed(Plugin, { name: "a" }, { order: 1, qualifiers: ["web"] }).pipe(Lifecycle.startup()),
 *   Component.succeed(Plugin, { name: "c" }, { qualifiers: ["cli"] })
 * )
 * const web = Registry.components(registry, { qualifier: "web" }).map((component) => component.order) // [1, 2]
 * const startup = Registry.components(registry, { startup: true }).length // 1
 * const cli = registry.pipe(Registry.components({ qualifier: "cli" })).length // 1 (data-last)
 * ```
 *
 * @since 0.2.0
 * @category getters
 */
export const components: {
  (filter?: ComponentFilter, environment?: Condition.EnvironmentInput): (self: Registry<unknown>) => ReadonlyArray<Component.Any>
  (self: Registry<unknown>, filter?: ComponentFilter, environment?: Condition.EnvironmentInput): ReadonlyArray<Component.Any>
} = dual(
  (args) => internal.isRegistry(args[0]),
  (self: Registry<unknown>, filter?: ComponentFilter, environment?: Condition.EnvironmentInput) =>
    internal.components(self, filter, conditionInternal.environment(environment))
)
