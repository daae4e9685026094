import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { globalValue } from "effect/GlobalValue"
import * as Inspectable from "effect/Inspectable"
import { pipeArguments } from "effect/Pipeable"
import { hasProperty } from "effect/Predicate"
import type * as Condition from "../Condition.js"
import type * as Dependency from "../Dependency.js"
import * as Errors from "../Errors.js"
import * as dependency from "./dependency.js"
import * as runtime from "./runtime.js"

/** @internal */
export const TypeId: Condition.TypeId = Symbol.for("layerwise/Condition") as Condition.TypeId

const ConditionProto = {
  ...Inspectable.BaseProto,
  [TypeId]: TypeId,
  pipe() {
    return pipeArguments(this, arguments)
  },
  toString(this: Condition.Condition) {
    return `Condition(${this.description})`
  },
  toJSON(this: Condition.Condition) {
    return { _id: "Condition", description: this.description }
  }
}

/** @internal */
export const isCondition = (u: unknown): u is Condition.Condition => hasProperty(u, TypeId)

const makeWith = (
  description: string,
  test: (environment: Condition.Environment) => boolean,
  configs: ReadonlyArray<Config.Config<unknown>> | undefined,
  explain: ((environment: Condition.Environment) => string) | undefined
): Condition.Condition => {
  if (typeof test !== "function") throw new TypeError(`Condition.make: "${description}" needs a predicate function`)
  const self = Object.create(ConditionProto)
  self.description = description
  self.test = test
  if (configs !== undefined && configs.length > 0) self.configs = configs
  if (explain !== undefined) self.explain = explain
  return self
}

/** @internal */
export const make = (
  description: string,
  test: (environment: Condition.Environment) => boolean,
  configs?: ReadonlyArray<Config.Config<unknown>>
): Condition.Condition => makeWith(description, test, configs, undefined)

/**
 * A condition that says more in an environment than its description: the values it read there
 * (`explain`), for the problems that list what it excluded.
 *
 * @internal
 */
export const explained = (
  description: string,
  test: (environment: Condition.Environment) => boolean,
  explain: (environment: Condition.Environment) => string,
  configs?: ReadonlyArray<Config.Config<unknown>>
): Condition.Condition => makeWith(description, test, configs, explain)

/**
 * What a condition says of itself in an environment: its `explain` when it has one and can (it may
 * read a Config that could not be read), else its description.
 *
 * @internal
 */
export const explainIn = (self: Condition.Condition, environment: Condition.Environment): string => {
  if (self.explain === undefined) return self.description
  try {
    return self.explain(environment)
  } catch {
    return self.description
  }
}

/** A combination's `explain` when one of its conditions has one (else the combination needs none). */
const explainOf = (
  conditions: ReadonlyArray<Condition.Condition>,
  combine: (texts: ReadonlyArray<string>) => string
): ((environment: Condition.Environment) => string) | undefined =>
  conditions.some((c) => c.explain !== undefined)
    ? (environment) => combine(conditions.map((c) => explainIn(c, environment)))
    : undefined

const combined = (
  of: ReadonlyArray<Condition.Condition>,
  description: string,
  test: (environment: Condition.Environment) => boolean,
  configs: ReadonlyArray<Config.Config<unknown>> | undefined,
  explain: ((environment: Condition.Environment) => string) | undefined
): Condition.Condition => {
  const made = makeWith(description, test, configs, explain)
  return of.some(readsRegistry) ? Object.assign(made, { [ReadsRegistry]: true }) : made
}

/** @internal */
export const profile = (name: string): Condition.Condition =>
  make(`profile ${name}`, (environment) => environment.profiles.has(name))

/** @internal */
export const property = (name: string, value?: string): Condition.Condition =>
  value === undefined
    ? make(`property ${name} is set`, (environment) => environment.properties[name] !== undefined)
    : make(`property ${name} = ${value}`, (environment) => environment.properties[name] === value)

/** @internal */
export const config = (self: Config.Config<boolean>, description?: string): Condition.Condition => {
  const keys = runtime.configKeys(self)
  return make(
    description ?? (keys.length > 0 ? `config ${keys.join(", ")}` : "config"),
    (environment) => environment.config(self) === true,
    [self]
  )
}

/** The Configs of the conditions, each once, in order. */
const configsOf = (conditions: ReadonlyArray<Condition.Condition>): ReadonlyArray<Config.Config<unknown>> | undefined => {
  let configs: Set<Config.Config<unknown>> | undefined
  for (const condition of conditions) {
    if (condition.configs === undefined) continue
    configs ??= new Set()
    for (const config of condition.configs) configs.add(config)
  }
  return configs === undefined ? undefined : [...configs]
}

const negated = (text: string): string => `not (${text})`

const joined = (operator: string) => (texts: ReadonlyArray<string>): string => texts.map((text) => `(${text})`).join(` ${operator} `)

/** @internal */
export const not = (self: Condition.Condition): Condition.Condition =>
  combined(
    [self],
    negated(self.description),
    (environment) => !self.test(environment),
    self.configs,
    explainOf([self], (texts) => negated(texts[0]!))
  )

/** @internal */
export const and = (...conditions: ReadonlyArray<Condition.Condition>): Condition.Condition =>
  combined(
    conditions,
    joined("and")(conditions.map((c) => c.description)),
    (environment) => conditions.every((c) => c.test(environment)),
    configsOf(conditions),
    explainOf(conditions, joined("and"))
  )

/** @internal */
export const or = (...conditions: ReadonlyArray<Condition.Condition>): Condition.Condition =>
  combined(
    conditions,
    joined("or")(conditions.map((c) => c.description)),
    (environment) => conditions.some((c) => c.test(environment)),
    configsOf(conditions),
    explainOf(conditions, joined("or"))
  )

// ---------------------------------------------------------------------------------------------
// Conditions on what the registry holds (`missing`, `present`)

const ReadsRegistry = Symbol.for("layerwise/Condition/ReadsRegistry")
const Providers = Symbol.for("layerwise/Condition/Providers")

/**
 * The components that count for presence conditions (see `Condition.missing`) which provide a
 * request: their names, sorted, each once.
 *
 * @internal
 */
export type Providers = (request: dependency.Request) => ReadonlyArray<string>

/**
 * Whether a condition reads what the registry holds (`missing`, `present`, or a combination of
 * one): such a guard is evaluated against the registry's unguarded-by-presence components.
 *
 * @internal
 */
export const readsRegistry = (self: Condition.Condition): boolean =>
  (self as { readonly [ReadsRegistry]?: boolean })[ReadsRegistry] === true

/** `environment` where presence conditions see `providers`. @internal */
export const withProviders = (environment: Condition.Environment, providers: Providers): Condition.Environment =>
  // read by `providersIn`; not part of the public Environment
  ({ ...environment, [Providers]: providers }) as Condition.Environment

const providersIn = (environment: Condition.Environment, description: string): Providers => {
  const providers = (environment as { readonly [Providers]?: Providers })[Providers]
  if (providers === undefined) {
    throw new TypeError(
      `"${description}" reads the registry, which only the resolver gives it: guard components with it (Registry.when), combined with Condition.and/or/not, not inside Condition.make`
    )
  }
  return providers
}

const presenceRequest = (operation: string, request: Dependency.Any): dependency.Request => {
  const read = dependency.requestOf(request)
  if (read.cardinality !== "one" || read.handle !== undefined || read.options !== undefined || read.member !== undefined) {
    throw new TypeError(`Condition.${operation}: ${read.label} is not a service request; ${operation} applies to a tag or a qualified/named request`)
  }
  return read
}

const presence = (
  description: string,
  test: (providers: ReadonlyArray<string>) => boolean,
  explain: (providers: ReadonlyArray<string>) => string,
  request: dependency.Request
): Condition.Condition =>
  Object.assign(
    explained(
      description,
      (environment) => test(providersIn(environment, description)(request)),
      (environment) => explain(providersIn(environment, description)(request))
    ),
    { [ReadsRegistry]: true }
  )

const providing = (providers: ReadonlyArray<string>): string => `${providers.join(", ")} ${providers.length === 1 ? "does" : "do"}`

/** @internal */
export const missing = (request: Dependency.Any): Condition.Condition => {
  const read = presenceRequest("missing", request)
  return presence(
    `no other component provides ${read.label}`,
    (providers) => providers.length === 0,
    (providers) => providers.length === 0 ? `no other component provides ${read.label}` : `no other component provides ${read.label}: ${providing(providers)}`,
    read
  )
}

/** @internal */
export const present = (request: Dependency.Any): Condition.Condition => {
  const read = presenceRequest("present", request)
  return presence(
    `another component provides ${read.label}`,
    (providers) => providers.length > 0,
    (providers) => `another component provides ${read.label}: ${providers.length === 0 ? "none does" : providing(providers)}`,
    read
  )
}

/**
 * What `environment.config` throws for a Config it cannot give: one not read (`failure` undefined)
 * or one that could not be read. The resolver turns it into its problem.
 *
 * @internal
 */
export class ConfigUnavailable {
  constructor(readonly config: Config.Config<unknown>, readonly failure: ConfigError.ConfigError | undefined) {}
}

const ConfigValues = Symbol.for("layerwise/Condition/ConfigValues")

// ---------------------------------------------------------------------------------------------
// Config given by the registry (`Testing.options`)

const GivenConfig = Symbol.for("layerwise/Condition/GivenConfig")

/**
 * Config values a registry gives (`Testing.options`): text by Config path (segments joined with
 * `.`), read before any `ConfigProvider` for the whole resolution: by the conditions and, through
 * the plan's origin, by its options.
 *
 * @internal
 */
export type Given = ReadonlyMap<string, string>

/** A Config path as a key of {@link Given}. @internal */
export const givenKey = (path: ReadonlyArray<string>): string => path.join(".")

interface Giving {
  readonly entries: Given
  /** when it was made: of two that give one path, the later one wins */
  readonly sequence: number
}

const givings = globalValue(Symbol.for("layerwise/Condition/givings"), () => ({ made: 0 }))

/**
 * A condition that always holds and gives Config values to the resolution that reads it (guarding
 * nothing: `Registry.when(giving(...), Registry.empty)`). Where several give one path, the one made
 * last wins, wherever the registry holds it: make one each time a registry is given the values.
 *
 * @internal
 */
export const giving = (description: string, entries: Given): Condition.Condition =>
  Object.assign(make(description, () => true), { [GivenConfig]: { entries, sequence: givings.made++ } satisfies Giving })

const givenBy = (conditions: ReadonlyArray<Condition.Condition>): Given | undefined => {
  let found: Array<Giving> | undefined
  for (const condition of conditions) {
    const giving = (condition as { readonly [GivenConfig]?: Giving })[GivenConfig]
    if (giving !== undefined) (found ??= []).push(giving)
  }
  if (found === undefined) return undefined
  const given = new Map<string, string>()
  for (const { entries } of found.sort((a, b) => a.sequence - b.sequence)) for (const [key, text] of entries) given.set(key, text)
  return given
}

/** The Config values the registry of the environment gave, if any. @internal */
export const givenIn = (environment: Condition.Environment | undefined): Given | undefined =>
  environment === undefined ? undefined : (environment as { readonly [GivenConfig]?: Given })[GivenConfig]

/** `provider` with the given values first (a path given is read from them, any other from `provider`). @internal */
export const withGiven = (provider: ConfigProvider.ConfigProvider, given: Given): ConfigProvider.ConfigProvider =>
  ConfigProvider.orElse(ConfigProvider.fromMap(new Map(given), { pathDelim: "." }), () => provider)

type ConfigValues = ReadonlyMap<Config.Config<unknown>, Either.Either<unknown, ConfigError.ConfigError>>

const makeEnvironment = (
  profiles: Iterable<string> | undefined,
  properties: Readonly<Record<string, string | undefined>> | undefined,
  values: ConfigValues | undefined,
  given?: Given
): Condition.Environment => ({
  profiles: new Set(profiles ?? []),
  properties: { ...(properties ?? {}) },
  config: <A>(config: Config.Config<A>): A => {
    const value = values?.get(config)
    if (value === undefined) throw new ConfigUnavailable(config, undefined)
    if (Either.isLeft(value)) throw new ConfigUnavailable(config, value.left)
    return value.right as A
  },
  // read by `configsRead` and `givenIn`; not part of the public Environment
  ...(values === undefined ? {} : { [ConfigValues]: values }),
  ...(given === undefined ? {} : { [GivenConfig]: given })
})

/**
 * Whether the environment read Configs (only an environment made by `read` did), and what a Config
 * failed with there.
 *
 * @internal
 */
export const configsRead = (
  environment: Condition.Environment
): ((config: Config.Config<unknown>) => ConfigError.ConfigError | undefined) | undefined => {
  const values = (environment as { readonly [ConfigValues]?: ConfigValues })[ConfigValues]
  if (values === undefined) return undefined
  return (config) => {
    const value = values.get(config)
    return value !== undefined && Either.isLeft(value) ? value.left : undefined
  }
}

const emptyEnvironment: Condition.Environment = makeEnvironment(undefined, undefined, undefined)

/** @internal */
export const environment = (input?: Condition.EnvironmentInput): Condition.Environment => {
  if (input === undefined || (input.profiles === undefined && input.properties === undefined)) return emptyEnvironment
  if (Config.isConfig(input.profiles) || Config.isConfig(input.properties)) {
    throw new TypeError(
      "the profiles or properties are an effect/Config, which only an effectful resolution reads: resolve with Resolver.resolveEffect (Registry.toLayer and App read them too)"
    )
  }
  return makeEnvironment(input.profiles, input.properties, undefined)
}

/**
 * Reads the environment: the profiles and properties given as Configs, then the Configs of the
 * conditions, with the current `ConfigProvider`. Every Config of the profiles and properties that
 * cannot be read fails the reading, all of them in one `ResolutionError`; a condition's is kept as
 * its failure, reported if a guard evaluates the condition (see `Condition`). Config values the
 * conditions give ({@link giving}) are read before the current `ConfigProvider`, and kept in the
 * environment ({@link givenIn}) for the plan's options.
 *
 * @internal
 */
export const read = (
  input: Condition.EnvironmentSource | undefined,
  conditions: ReadonlyArray<Condition.Condition>
): Effect.Effect<Condition.Environment, Errors.ResolutionError> => {
  const given = givenBy(conditions)
  const reading = Effect.gen(function*() {
    const problems: Array<Errors.Problem> = []
    const attempt = <A>(value: A | Config.Config<A>, source: Errors.ConfigSource) =>
      Config.isConfig(value)
        ? Effect.map(Effect.either(value), (result) => {
          if (Either.isRight(result)) return result.right
          problems.push(new Errors.InvalidConfig({ source, cause: result.left }))
          return undefined
        })
        : Effect.succeed(value)
    const profiles = yield* attempt(input?.profiles, { _tag: "Profiles" })
    const properties = yield* readProperties(input?.properties, attempt)
    if (problems.length > 0) return yield* Effect.fail(new Errors.ResolutionError({ problems }))
    const configs = configsOf(conditions)
    if (configs === undefined) return makeEnvironment(profiles, properties, new Map(), given)
    const values = new Map<Config.Config<unknown>, Either.Either<unknown, ConfigError.ConfigError>>()
    for (const config of configs) values.set(config, yield* Effect.either(config))
    return makeEnvironment(profiles, properties, values, given)
  })
  return given === undefined ? reading : Effect.configProviderWith((provider) => Effect.withConfigProvider(reading, withGiven(provider, given)))
}

const readProperties = (
  input: Condition.EnvironmentSource["properties"],
  attempt: <A>(value: A | Config.Config<A>, source: Errors.ConfigSource) => Effect.Effect<A | undefined>
): Effect.Effect<Readonly<Record<string, string | undefined>> | undefined> => {
  if (input === undefined || Config.isConfig(input)) return attempt(input, { _tag: "Properties" })
  return Effect.map(
    Effect.forEach(Object.entries(input), ([name, value]) => Effect.map(attempt(value, { _tag: "Property", name }), (read) => [name, read] as const)),
    Object.fromEntries
  )
}
