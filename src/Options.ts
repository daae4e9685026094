/**
 * Options: a component's settings, declared as an `effect/Schema`, read through `effect/Config` and
 * validated, every one of the plan at once, before any constructor runs.
 *
 * `Options.make("db", { url: Schema.String, poolSize: ... })` is a request (a `Context.Tag` whose
 * service is the decoded options): list it in a component's `dependencies` and read it with
 * `yield* DbOptions` like any service, so the compiler checks that a constructor reads only the
 * options it declared. When no component provides its tag, the resolver resolves it to the options
 * themselves (the rule `"options"`, see `Plan.Choice`): the plan lists them (`Plan.options`), and its
 * Layer (`Plan.toLayer`, `Registry.toLayer`) and `App` read and validate every one with the current
 * `ConfigProvider` before the build starts; every missing or invalid value is reported together in
 * one {@link Errors.InvalidOptions} (component path and the other components needing it, flag,
 * expected, got, where it came from), each problem once. A
 * component of the options' tag (`Testing.value(DbOptions, {...})`) gives them instead: nothing is
 * read. `Testing.options(DbOptions, { url })` gives some values as configuration, read before the
 * `ConfigProvider` by the options and by the conditions alike.
 *
 * Names. Options are namespaced by their name: the option `poolSize` of `db` is read at the Config
 * path `["db", "poolSize"]`, which {@link provider} finds as the flag `--db-pool-size`, the
 * environment variable `DB_POOL_SIZE` and the key `db.poolSize` of an options file. Options with one
 * value (`Options.make("verbose", Schema.BooleanFromString)`) are the flag `--verbose`. A member of
 * an options {@link family} (the options of a family member, `KubeClient(eu)`) is named `kube(eu)`
 * and read at `["kube", "eu", ...]`: `--kube-eu-url`, `KUBE_EU_URL`, `kube.eu.url`. Options named with a dot
 * (`inventory.http`) are read at `["inventory.http", ...]`: `--inventory-http-port`, `INVENTORY_HTTP_PORT`, and in
 * a file the nested `inventory: { http: { port } }` (or the key `"inventory.http"`).
 *
 * Values are text. An option is read as a string and decoded with its schema, so each option's
 * schema decodes a string (`Schema.NumberFromString`, `Schema.BooleanFromString`,
 * `Schema.Literal("memory", "file")`, `Schema.Redacted(Schema.String)`): reading the text apart from
 * decoding it tells a missing value from an invalid one and reports the text given. Defaults and
 * optional options are property signatures (`Schema.optionalWith(Schema.NumberFromString, { default: () => 10 })`,
 * `Schema.optional(...)`); descriptions are annotations (`.annotations({ description })`). A secret
 * is a `Redacted` option: its value is never printed, in problems, the help or the ops API.
 *
 * Why a Tag and not a field of the component: a Tag reuses everything requests already have (the
 * constructor's type checks it, tests replace it by name like any service, explanations show it),
 * and one options declaration can be shared by the components that need it.
 *
 * Files: {@link provider} takes a file's parsed content (`file: JSON.parse(text)`, or a YAML
 * parser's result): layerwise parses no format itself and depends on no YAML parser.
 *
 * @since 0.2.0
 */
import type * as ConfigProvider from "effect/ConfigProvider"
import type * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type { Inspectable } from "effect/Inspectable"
import type { Pipeable } from "effect/Pipeable"
import type * as Schema from "effect/Schema"
import type * as Types from "effect/Types"
import type * as Condition from "./Condition.js"
import type * as Errors from "./Errors.js"
import * as internal from "./internal/options.js"
import * as read from "./internal/optionsRead.js"
import * as providerInternal from "./internal/optionsProvider.js"
import type * as Plan from "./Plan.js"

/**
 * The brand every options value carries: what `Options.isOptions` tests.
 *
 * @example
 * ```ts
 * import { Options } from "layerwise"
 *
 * export const branded = (u: object): boolean => Options.TypeId in u
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
 * @since 0.2.0
 * @category symbols
 */
export const FamilyTypeId: unique symbol = internal.FamilyTypeId as FamilyTypeId

/**
 * @since 0.2.0
 * @category symbols
 */
export type FamilyTypeId = typeof FamilyTypeId

/**
 * A component's options: a request (its own identifier) whose service is the decoded options `A`.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Options } from "layerwise"
 *
 * // Options.Options<"db", { readonly url: string }>
 * export const DbOptions = Options.make("db", { url: Schema.String })
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface Options<Name extends string, A> extends Context.Tag<Options<Name, A>, A> {
  readonly [TypeId]: TypeId
  /** the options' name: what their flags, variables and file keys start with */
  readonly name: Name
  /** the keys of the options, in declaration order (one empty key for options with one value) */
  readonly keys: ReadonlyArray<string>
}

/**
 * Any options.
 *
 * @since 0.2.0
 * @category models
 */
// `any`: options are tags, invariant in both parameters (see `Dependency.Any`)
export type Any = Options<any, any>

/**
 * A schema an option accepts: it decodes a string (options are read as text) and needs no service;
 * or a property signature of one (`Schema.optional`, `Schema.optionalWith(..., { default })`).
 *
 * @since 0.2.0
 * @category type-level
 */
export type Field = Schema.Struct.Field

/**
 * The options a record of fields makes, or, when a field does not decode a string, a type that says
 * which (it has no tag's members: using it does not compile).
 *
 * @since 0.2.0
 * @category type-level
 */
export type FromFields<Name extends string, Fields extends Schema.Struct.Fields> = [Schema.Struct.Context<Fields>] extends [never]
  ? [Exclude<keyof Fields, TextFields<Fields>>] extends [never] ? Options<Name, Types.Simplify<Schema.Struct.Type<Fields>>>
  : { readonly "each option's schema must decode a string (options are read as text)": Exclude<keyof Fields, TextFields<Fields>> }
  : { readonly "options' schemas must need no service": Schema.Struct.Context<Fields> }

/**
 * The keys of the fields that decode a string.
 *
 * @since 0.2.0
 * @category type-level
 */
export type TextFields<Fields extends Schema.Struct.Fields> = {
  [K in keyof Fields]-?: Exclude<Schema.Struct.Encoded<Pick<Fields, K>>[keyof Schema.Struct.Encoded<Pick<Fields, K>>], undefined> extends string
    ? K
    : never
}[keyof Fields]

/**
 * Declares a component's options: a name (the prefix of their flags, variables and file keys) and a
 * `Schema.Struct` (or its fields); or a single schema (or property signature, for a default) for
 * options with one value (the flag `--<name>`). See the module's doc for how values are named, read and decoded.
 * Each call makes options of their own: two of one name (two modules') that share a key share its flag,
 * an `InvalidOptions` problem when both are read, so a published module names its options after itself.
 *
 * @example
 * ```ts
 * import { Context, Effect, Redacted, Schema } from "effect"
 * import { Component, Options } from "layerwise"
 *
 * export const DbOptions = Options.make("db", {
 *   url: Schema.String.annotations({ description: "where the database listens" }),
 *   poolSize: Schema.optionalWith(Schema.NumberFromString, { default: () => 10 }),
 *   password: Schema.Redacted(Schema.String)
 * })
 *
 * class Database extends Context.Tag("app/Database")<Database, { readonly url: string }>() {}
 *
 * export const DatabaseLive = Component.make(Database, {
 *   dependencies: [DbOptions],
 *   build: Effect.gen(function*() {
 *     const options = yield* DbOptions // { url: string; poolSize: number; password: Redacted<string> }
 *     void Redacted.value(options.password)
 *     return { url: options.url }
 *   })
 * })
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export function make<const Name extends string, Fields extends Schema.Struct.Fields>(name: Name, schema: Schema.Struct<Fields>): FromFields<Name, Fields>
export function make<const Name extends string, S extends Schema.Schema.All>(name: Name, schema: S): FromSchema<Name, S>
export function make<const Name extends string, P extends Schema.PropertySignature.All>(
  name: Name,
  signature: P
): Options<Name, Schema.Struct.Type<{ readonly value: P }> extends { readonly value?: infer V } ? V : never>
export function make<const Name extends string, const Fields extends Schema.Struct.Fields>(name: Name, fields: Fields): FromFields<Name, Fields>
// the overloads say what each input decodes to; the implementation reads any of them
export function make(name: string, input: unknown): unknown {
  return internal.make(name, input)
}

/**
 * The options a single schema makes (options with one value), or, when it does not decode a string
 * or needs a service, a type that says so (using it does not compile).
 *
 * @since 0.2.0
 * @category type-level
 */
export type FromSchema<Name extends string, S extends Schema.Schema.All> = [Schema.Schema.Context<S>] extends [never]
  ? Schema.Schema.Encoded<S> extends string ? Options<Name, Schema.Schema.Type<S>>
  : { readonly "the option's schema must decode a string (options are read as text)": Schema.Schema.Encoded<S> }
  : { readonly "options' schemas must need no service": Schema.Schema.Context<S> }

/**
 * Options of many instances: one declaration, the options of each member named `name(key)` and
 * read at `[name, key, ...]` (`--kube-eu-url`, `KUBE_EU_URL`, `kube.eu.url`). Give a family
 * member's component the options of its key (`dependencies: (args) => [KubeOptions.of(args.cluster)]`).
 * `of` gives the same options for the same key.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Options } from "layerwise"
 *
 * export const KubeOptions = Options.family("kube", { url: Schema.String })
 * export const Eu = KubeOptions.of("eu") // read from --kube-eu-url, KUBE_EU_URL or kube.eu.url
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export function family<const Name extends string, Fields extends Schema.Struct.Fields>(
  name: Name,
  schema: Schema.Struct<Fields>
): Family<Name, Types.Simplify<Schema.Struct.Type<Fields>>>
export function family<const Name extends string, S extends Schema.Schema.AnyNoContext>(name: Name, schema: S): Family<Name, Schema.Schema.Type<S>>
export function family<const Name extends string, const Fields extends Schema.Struct.Fields>(
  name: Name,
  fields: Fields
): Family<Name, Types.Simplify<Schema.Struct.Type<Fields>>>
export function family(name: string, input: unknown): unknown {
  return internal.family(name, input)
}

/**
 * The options of the members of a family (see {@link family}).
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Options } from "layerwise"
 *
 * export const KubeOptions: Options.Family<"kube", { readonly url: string }> = Options.family("kube", { url: Schema.String })
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface Family<Name extends string, A> extends Pipeable, Inspectable {
  readonly [FamilyTypeId]: FamilyTypeId
  readonly name: Name
  /** the options of the member with this key (named `name(key)`) */
  readonly of: (key: string) => Options<string, A>
}

/**
 * Returns `true` if the value is an options tag made by {@link make} (a family's member included).
 *
 * @example
 * ```ts
 * import { Context, Schema } from "effect"
 * import { Options } from "layerwise"
 *
 * console.log(Options.isOptions(Options.make("db", { url: Schema.String }))) // true
 * console.log(Options.isOptions(Options.family("kube", { url: Schema.String }).of("eu"))) // true
 * console.log(Options.isOptions(Context.GenericTag<string>("db"))) // false
 * ```
 *
 * @since 0.2.0
 * @category refinements
 */
export const isOptions: (u: unknown) => u is Any = internal.isOptions

/**
 * Returns `true` if the value is a family of options made by {@link family}.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Options } from "layerwise"
 *
 * const Kube = Options.family("kube", { url: Schema.String })
 * console.log(Options.isFamily(Kube), Options.isFamily(Kube.of("eu"))) // true false
 * ```
 *
 * @since 0.2.0
 * @category refinements
 */
export const isFamily: (u: unknown) => u is Family<string, unknown> = internal.isFamily

/**
 * A condition on an option's value (for `Registry.when`): true when the option, decoded, equals
 * `value` (`Equal.equals`). Options with one value take the value alone. The option is read before
 * resolution, like `Condition.config`'s Config, and the plan lists it in its options (the help shows
 * it). When a request finds no component because of such conditions, the problem says the value
 * given and the values that would have selected one (`option --storage is "file", given "s3"`;
 * `given "s3" (expected "memory" | "file")` when the value given is none of the option's values).
 *
 * @example
 * ```ts
 * import { Context, Schema } from "effect"
 * import { Component, Options, Registry } from "layerwise"
 *
 * const StorageOptions = Options.make("storage", { kind: Schema.Literal("memory", "file") })
 * class Storage extends Context.Tag("app/Storage")<Storage, { readonly kind: string }>() {}
 *
 * export const registry = Registry.make(
 *   Registry.when(Options.equals(StorageOptions, "kind", "memory"), Component.succeed(Storage, { kind: "memory" })),
 *   Registry.when(Options.equals(StorageOptions, "kind", "file"), Component.succeed(Storage, { kind: "file" }))
 * )
 * ```
 *
 * @since 0.2.0
 * @category conditions
 */
export function equals<Name extends string, A, K extends keyof A & string>(options: Options<Name, A>, key: K, value: A[K]): Condition.Condition
export function equals<Name extends string, A>(options: Options<Name, A>, value: A): Condition.Condition
export function equals(options: Any, ...args: ReadonlyArray<unknown>): Condition.Condition {
  return internal.equals(options, ...args)
}

/**
 * What {@link provider} reads: command-line arguments (`process.argv.slice(2)`), environment
 * variables (`process.env`), and an options file's parsed content (`JSON.parse(text)` or a YAML
 * parser's result), each optional.
 *
 * @example
 * ```ts
 * import type { Options } from "layerwise"
 *
 * export const input: Options.ProviderInput = { argv: ["--db-url", "postgres://db"], env: { DB_POOL_SIZE: "5" } }
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface ProviderInput {
  readonly argv?: ReadonlyArray<string> | undefined
  readonly env?: Readonly<Record<string, string | undefined>> | undefined
  readonly file?: unknown
}

/**
 * A `ConfigProvider` over flags, environment variables and an options file, in that order of
 * precedence (a flag wins over a variable, a variable over the file), that also records where each
 * value came from (the help and the ops show it). It serves any Config, not only options: the path
 * `["db", "poolSize"]` is the flag `--db-pool-size` (`--db-pool-size=5` or `--db-pool-size 5`; a
 * flag alone is `"true"`, which a boolean option takes and options of any other type report as given
 * without a value; arguments after `--` are not read), the variable `db_poolSize` (as
 * `ConfigProvider.fromEnv` names it) or `DB_POOL_SIZE`, and the file key `db.poolSize`. Lists are
 * comma-separated in flags and variables, arrays in the file. Only these spellings are read (case and
 * punctuation count): .NET's variable `Db__PoolSize` and a file's `{ "Db": { "PoolSize": 5 } }` are
 * not. An option missing says such a name it has (`is missing (the environment has Db__PoolSize: the
 * variable is DB_POOL_SIZE)`: equal once case and punctuation are ignored, never a
 * value); one that has a default keeps it, which `runMain` warns of.
 *
 * @example
 * ```ts
 * import { Effect, Layer, Schema } from "effect"
 * import { Options } from "layerwise"
 *
 * const DbOptions = Options.make("db", { url: Schema.String })
 *
 * export const fromProcess = Layer.setConfigProvider(
 *   Options.provider({ argv: process.argv.slice(2), env: process.env, file: { db: { url: "postgres://localhost" } } })
 * )
 * export const url = Effect.map(DbOptions, (options) => options.url)
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const provider: (input?: ProviderInput) => ConfigProvider.ConfigProvider = providerInternal.provider

/**
 * One option of a plan, as the help shows it: the options' name and the components that request
 * them, its key, flag and environment variable, type, default, description, whether it is a
 * secret and whether it is required, and, once read, its value (as shown: a secret's is `<redacted>`) and where it came from
 * (`flag`, `environment`, `file` from {@link provider}; `config` from another `ConfigProvider` or
 * from a test's `Testing.options`, then `from` says so; `default` when none was given and its
 * default applies; `none` when it has no value).
 *
 * @example
 * ```ts
 * import type { Options } from "layerwise"
 *
 * export const described: Options.Described = {
 *   options: "db", components: ["Database"], key: "url", flag: "--db-url", variable: "DB_URL", type: "string",
 *   default: undefined, description: "where the database listens", secret: false, required: true,
 *   value: "\"postgres://db\"", source: "flag", from: "--db-url"
 * }
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface Described {
  readonly options: string
  readonly components: ReadonlyArray<string>
  readonly key: string
  readonly flag: string
  readonly variable: string
  readonly type: string
  /** the default, as shown (`undefined`: none; a secret's is `<redacted>`) */
  readonly default: string | undefined
  readonly description: string | undefined
  readonly secret: boolean
  /**
   * whether it must be given: no default, and not optional (`Schema.optional`); one not given fails
   * the application's options (`InvalidOptions`)
   *
   * @since 0.2.0
   */
  readonly required: boolean
  /** the value, as shown (`undefined`: none was given and there is no default) */
  readonly value: string | undefined
  readonly source: "flag" | "environment" | "file" | "config" | "default" | "none"
  /** the flag, variable or file key the value was read from; `"Testing.options"` for a value a test gave */
  readonly from: string | undefined
}

/**
 * The options of a plan as data ({@link Described}, in the plan's order: `Plan.options`), read with
 * the current `ConfigProvider`: what `--help` prints. Never fails: an invalid value is shown as
 * given (a secret's never).
 *
 * @example
 * ```ts
 * import { Context, Effect, Schema } from "effect"
 * import { Component, Options, Registry, Resolver } from "layerwise"
 *
 * const DbOptions = Options.make("db", { url: Schema.String })
 * class Database extends Context.Tag("app/Database")<Database, string>() {}
 * const registry = Registry.make(Component.make(Database, { dependencies: [DbOptions], build: Effect.map(DbOptions, (o) => o.url) }))
 *
 * export const described = Effect.flatMap(Resolver.resolveEffect(registry, [Database]), Options.describe)
 * ```
 *
 * @since 0.2.0
 * @category destructors
 */
export const describe: (plan: Plan.Any) => Effect.Effect<ReadonlyArray<Described>> = read.describe

/**
 * An option that only registered components left out by conditions request (not the plan), as the
 * help shows it: `components` are those components, and `conditions` the condition that left each
 * out, in the same order, as it reads in the environment the plan was resolved in
 * (`option --storage-kind is "sql", given "memory"`, `profile sql`).
 *
 * @example
 * ```ts
 * import type { Options } from "layerwise"
 *
 * export const leftOut: Options.LeftOut = {
 *   options: "db", components: ["SqlRepository"], key: "url", flag: "--db-url", variable: "DB_URL", type: "string",
 *   default: undefined, description: undefined, secret: false, required: true, value: undefined, source: "none", from: undefined,
 *   conditions: ["option --storage-kind is \"sql\", given \"memory\""]
 * }
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface LeftOut extends Described {
  readonly conditions: ReadonlyArray<string>
}

/**
 * The options of the registered components that the plan's conditions left out (a candidate of
 * another implementation, a module of another profile), and of the registered components only those
 * need (their dependencies the plan does not have, listed as `HttpClient, for LiveGateway`), that the
 * plan does not read, as data
 * ({@link LeftOut}, in registration order), read with the current `ConfigProvider`: what the help
 * lists after the plan's options, so that a user can find them. Empty for a plan the resolver did
 * not make; the options of family members are not known until a member is requested, so are not
 * among them. Never fails.
 *
 * @example
 * ```ts
 * import { Context, Effect, Schema } from "effect"
 * import { Component, Condition, Options, Registry, Resolver } from "layerwise"
 *
 * const DbOptions = Options.make("db", { url: Schema.String })
 * class Storage extends Context.Tag("app/Storage")<Storage, string>() {}
 * const registry = Registry.make(
 *   Registry.when(Condition.profile("sql"), Component.make(Storage, { dependencies: [DbOptions], build: Effect.map(DbOptions, (o) => o.url) })),
 *   Registry.when(Condition.not(Condition.profile("sql")), Component.succeed(Storage, "memory"))
 * )
 *
 * // the option --db-url, of the component left out by "profile sql"
 * export const leftOut = Effect.flatMap(Resolver.resolveEffect(registry, [Storage]), Options.describeLeftOut)
 * ```
 *
 * @since 0.2.0
 * @category destructors
 */
export const describeLeftOut: (plan: Plan.Any) => Effect.Effect<ReadonlyArray<LeftOut>> = read.describeLeftOut

/**
 * The help of a plan's options as text: one block per options (with the components that read
 * them), one line per option: flag, type, default or `required`, secret, environment variable,
 * description, and the value given and where it came from. Then, under `Options of components left
 * out by their conditions:`, the options only left-out components request ({@link describeLeftOut}), each block
 * headed by those components and the condition that left each out. What `runMain` prints on `--help`.
 *
 * @example
 * ```ts
 * import { Context, Effect, Schema } from "effect"
 * import { Component, Options, Registry, Resolver } from "layerwise"
 *
 * const DbOptions = Options.make("db", { url: Schema.String })
 * class Database extends Context.Tag("app/Database")<Database, string>() {}
 * const registry = Registry.make(Component.make(Database, { dependencies: [DbOptions], build: Effect.map(DbOptions, (o) => o.url) }))
 *
 * export const help = Effect.flatMap(Resolver.resolveEffect(registry, [Database]), Options.help)
 * ```
 *
 * @since 0.2.0
 * @category destructors
 */
export const help: (plan: Plan.Any) => Effect.Effect<string> = read.help

/**
 * Reads and validates every options of a plan (what its Layer and `App` do before building):
 * fails with every problem at once.
 *
 * @example
 * ```ts
 * import { Context, Effect, Schema } from "effect"
 * import { Component, Options, Registry, Resolver } from "layerwise"
 *
 * const DbOptions = Options.make("db", { url: Schema.String })
 * class Database extends Context.Tag("app/Database")<Database, string>() {}
 * const registry = Registry.make(Component.make(Database, { dependencies: [DbOptions], build: Effect.map(DbOptions, (o) => o.url) }))
 *
 * export const check = Effect.flatMap(Resolver.resolveEffect(registry, [Database]), Options.validate)
 * ```
 *
 * @since 0.2.0
 * @category destructors
 */
export const validate: (plan: Plan.Any) => Effect.Effect<void, Errors.InvalidOptions> = read.validate
