/**
 * Reading a plan's options: every option of every options the plan lists (`Plan.options`), read with
 * the current `ConfigProvider`, decoded, and either all given to the build (as services of the
 * context it starts from: the executor reads an options edge, which has no target, from there) or
 * all reported together. The help and the ops describe them from the same reading.
 *
 * @internal
 */
import * as ConfigError from "effect/ConfigError"
import type * as ConfigProvider from "effect/ConfigProvider"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Component from "../Component.js"
import type * as Dependency from "../Dependency.js"
import * as Errors from "../Errors.js"
import type * as Options from "../Options.js"
import type * as Plan from "../Plan.js"
import * as component from "./component.js"
import * as condition from "./condition.js"
import * as dependency from "./dependency.js"
import { type Decoded, type Field, fieldsOf, implOf, showValue } from "./options.js"
import { type Found, isNameOf, parseFlags, type Sources, sourcesOf } from "./optionsProvider.js"
import * as planInternal from "./plan.js"
import * as registry from "./registry.js"
import * as resolver from "./resolver.js"
import { didYouMean, missingReason, sharedFlagReason } from "./errorMessages.js"
import { suggest } from "./resolver/problems.js"
import * as runtime from "./runtime.js"

/** One option as read: the text given (`undefined`: none), where, or why it could not be read. */
interface Reading {
  readonly field: Field
  readonly text: string | undefined
  readonly found: Found | undefined
  /** the value was given by the registry (`Testing.options`), not by the `ConfigProvider` */
  readonly given: boolean
  /** a ConfigError other than missing data (the provider could not read the value) */
  readonly unreadable: string | undefined
  /**
   * Where the value was looked for (missing) or read (invalid), when the current provider is not
   * `Options.provider`: its Config path (`email.apiKey`), since the flag and the variable the option is
   * named by are that provider's names, which another provider does not read (Effect's `fromEnv` reads
   * `email_apiKey`)
   */
  readonly lookedUp: string | undefined
  readonly decoded: Decoded
}

/**
 * Reads one option with `provider`, the current one with the values the registry gave first; where
 * a value came from is asked of the current one, `current`.
 */
const readField = (
  provider: ConfigProvider.ConfigProvider,
  current: ConfigProvider.ConfigProvider,
  given: condition.Given | undefined,
  field: Field
): Effect.Effect<Reading> =>
  Effect.match(provider.load(field.text), {
    onFailure: (error) => ({
      field,
      text: undefined,
      found: undefined,
      given: false,
      unreadable: ConfigError.isConfigError(error) ? String(error) : "",
      lookedUp: undefined,
      decoded: { _tag: "Missing" }
    }),
    onSuccess: (text) => readingOf(current, given, field, Option.getOrUndefined(text))
  })

const readingOf = (
  current: ConfigProvider.ConfigProvider,
  given: condition.Given | undefined,
  field: Field,
  text: string | undefined
): Reading => {
  const isGiven = text !== undefined && given !== undefined && given.has(condition.givenKey(field.path))
  const found = text === undefined || isGiven ? undefined : sourcesOf(current)?.find(field.path)
  return {
    field,
    text,
    found,
    given: isGiven,
    unreadable: undefined,
    lookedUp: !isGiven && sourcesOf(current) === undefined ? field.path.join(".") : undefined,
    // `--db-password $UNSET` is the flag alone: "true" is no password (nor a name, nor a port)
    decoded: found?.alone === true && !field.info.takesFlagAlone ? givenAlone : field.decode(text)
  }
}

const givenAlone: Decoded = { _tag: "Invalid", reason: "the flag was given without a value (a flag alone is true, for a boolean option)" }

/**
 * Every option's reading, in order (one load of the provider each: cheaper than `Config.all` of
 * them), with the values the plan's registry gave (`Testing.options`) before the current provider.
 */
const readAll = (plan: Plan.Any, options: ReadonlyArray<dependency.OptionsLike>): Effect.Effect<Read> =>
  Effect.configProviderWith((current) => {
    const given = condition.givenIn(resolver.originOf(plan)?.environment)
    const provider = given === undefined ? current : condition.withGiven(current, given)
    return Effect.map(
      Effect.forEach(options.flatMap(fieldsOf), (field) => readField(provider, current, given, field)),
      (readings) => ({ readings, sources: sourcesOf(current) })
    )
  })

/** The readings, and the lookup of the provider they were read with (`Options.provider`'s; `undefined`: another). */
interface Read {
  readonly readings: ReadonlyArray<Reading>
  readonly sources: Sources | undefined
}

/** Where the values given by the registry come from, as the help, the ops and the problems say. */
const givenSource = "Testing.options"

/** The components that request each options (by the options' tag key), in the plan's order. */
const requesters = (plan: Plan.Any): ReadonlyMap<string, ReadonlyArray<number>> => {
  const byKey = new Map<string, Array<number>>()
  if (plan.options.length === 0) return byKey
  for (const node of plan.nodes) {
    for (const edge of node.dependencies) {
      if (edge.choice.rule !== "options") continue
      const ids = byKey.get(edge.request.key)
      if (ids === undefined) byKey.set(edge.request.key, [node.id])
      else if (ids[ids.length - 1] !== node.id) ids.push(node.id)
    }
  }
  return byKey
}

/** Per options' requesters (one `requesters` list), where their problems are: each field's problem shares it. */
const whereOf = new WeakMap<ReadonlyArray<number>, Pick<Errors.OptionProblem, "path" | "alsoNeededBy">>()

/**
 * Where a problem of options is: the path to the first component that requests them (none: only
 * conditions read them) and, when there are any, the other components that cannot be built without
 * them (that request them too, or depend on one that does, directly or not; the path's excepted), in
 * plan order.
 */
const whereNeeded = (
  plan: Plan.Any,
  readers: ReadonlyArray<number> | undefined
): Pick<Errors.OptionProblem, "path" | "alsoNeededBy"> => {
  if (readers === undefined) return { path: [] }
  const known = whereOf.get(readers)
  if (known !== undefined) return known
  const path = planInternal.pathTo(plan, readers[0]!)
  const needing = new Uint8Array(plan.nodes.length)
  for (const id of readers) needing[id] = 1
  // a dependency comes before its dependents in the plan's order, so one pass reaches them all
  for (const node of plan.nodes) {
    if (needing[node.id] === 0 && node.dependencies.some((edge) => edge.targets.some((target) => needing[target] === 1))) needing[node.id] = 1
  }
  const onPath = new Set(path)
  const also = plan.nodes.flatMap((node) => (needing[node.id] === 1 && !onPath.has(node.name) ? [node.name] : []))
  const where = also.length === 0 ? { path } : { path, alsoNeededBy: also }
  whereOf.set(readers, where)
  return where
}

const fromText = (reading: Reading): string | undefined => reading.given ? givenSource : fromFound(reading.found)

const fromFound = (found: Found | undefined): string | undefined =>
  found === undefined
    ? undefined
    : found.source === "flag"
    ? `flag ${found.name}`
    : found.source === "environment"
    ? `environment variable ${found.name}`
    : `file key ${found.name}`

/**
 * What a provider has that spells an option not given another way, none of its names and none of
 * another option read with it (`Orders__MaxLines` for `orders.maxLines`): `the environment has
 * Orders__MaxLines: the variable is ORDERS_MAX_LINES`, `the options file has Orders.MaxLines: the key
 * is orders.maxLines`; `undefined` when it has none. Names only, never a value.
 */
const nearText = (sources: Sources | undefined, field: Field, readings: ReadonlyArray<Reading>): string | undefined => {
  if (sources === undefined) return undefined
  const near = sources.near(field.path)
  if (near.length === 0) return undefined
  const parts: Array<string> = []
  for (const each of near) {
    if (readings.some((reading) => isNameOf(reading.field.path, each))) continue
    parts.push(
      each.source === "environment"
        ? `the environment has ${each.name}: the variable is ${field.variable}`
        : `the options file has ${each.name}: the key is ${field.fileKey}`
    )
  }
  return parts.length === 0 ? undefined : parts.join("; ")
}

/**
 * The warnings of the options that keep their default (or stay unset) while the provider has a name
 * that spells theirs another way, each option once per provider: only for a provider that asks for
 * them (`runMain`'s).
 */
const nearWarnings = (sources: Sources | undefined, readings: ReadonlyArray<Reading>): ReadonlyArray<string> => {
  if (sources === undefined || !sources.warnsOfNear) return []
  const messages: Array<string> = []
  for (const reading of readings) {
    const { decoded, field } = reading
    if (reading.text !== undefined || (decoded._tag !== "Value" && decoded._tag !== "Absent")) continue
    const key = field.path.join("\u0000")
    if (sources.warned.has(key)) continue
    const near = nearText(sources, field, readings)
    if (near === undefined) continue
    sources.warned.add(key)
    const kept = decoded._tag === "Value" ? `keeps its default ${showValue(decoded.value, field.info.secret)}` : "is not set"
    messages.push(`option ${field.flag} ${kept} (${near})`)
  }
  return messages
}

const problemOf = (
  reading: Reading,
  where: Pick<Errors.OptionProblem, "path" | "alsoNeededBy">,
  near: () => string | undefined
): Errors.OptionProblem | undefined => {
  const { decoded, field } = reading
  if (decoded._tag === "Value" || decoded._tag === "Absent") return undefined
  return {
    ...where,
    options: field.owner.name,
    key: field.key,
    flag: field.flag,
    variable: field.variable,
    expected: field.info.type,
    got: reading.text === undefined ? undefined : field.shown(reading.text),
    from: reading.lookedUp === undefined ? fromText(reading) : `the ConfigProvider at ${reading.lookedUp}`,
    reason: reading.unreadable ?? (decoded._tag === "Missing" ? missingReason(near()) : decoded.reason)
  }
}

/**
 * The options that share their flag (and so their variable: both are made of the path's words) with
 * an option read at another path, each with the first such option: `kube(eu.west)` and
 * `kube(EU_West)` are both `--kube-eu-west-url`, so neither can be set apart from the other. So do
 * two options of one name and key declared apart (two modules' `Options.make("pg", { host })`).
 */
const sharedFlags = (readings: ReadonlyArray<Reading>): ReadonlyArray<readonly [Field, Field]> => {
  if (readings.length < 2) return []
  const byFlag = new Map<string, Field>()
  const shared: Array<readonly [Field, Field]> = []
  for (const { field } of readings) {
    const other = byFlag.get(field.flag)
    if (other === undefined) byFlag.set(field.flag, field)
    else if (other.fileKey !== field.fileKey || other.owner !== field.owner) shared.push([field, other])
  }
  return shared
}

/**
 * The services of a plan's options (each options' tag to its decoded value), or every problem;
 * `undefined` for a plan without options (nothing is read). `options`: some of the plan's only.
 *
 * @internal
 */
export const servicesOf = (
  plan: Plan.Any,
  options: ReadonlyArray<dependency.OptionsLike> = plan.options as unknown as ReadonlyArray<dependency.OptionsLike>
): Effect.Effect<Context.Context<never> | undefined, Errors.InvalidOptions> => {
  if (options.length === 0) return Effect.succeed(undefined)
  return Effect.flatMap(readAll(plan, options), ({ readings, sources }) => {
    const services = new Map<string, unknown>()
    let problems: Array<Errors.OptionProblem> | undefined
    let index = 0
    let paths: ReadonlyMap<string, ReadonlyArray<number>> | undefined
    for (const owner of options) {
      const fields = fieldsOf(owner)
      const single = implOf(owner).single
      const value: Record<string, unknown> = {}
      let only: unknown = undefined
      for (let position = 0; position < fields.length; position++) {
        const reading = readings[index++]!
        const decoded = reading.decoded
        if (decoded._tag === "Value") {
          if (single) only = decoded.value
          else value[reading.field.key] = decoded.value
          continue
        }
        if (decoded._tag === "Absent" && reading.unreadable === undefined) continue
        paths ??= requesters(plan)
        const first = paths.get(owner.key)?.[0]
        // options no component requests, read by conditions: only what a condition read matters
        // (a secret of them that only a left-out component needs is not required)
        if (first === undefined && planInternal.readByConditions.get(plan)?.has(reading.field.reading) === false) continue
        const problem = problemOf(reading, whereNeeded(plan, paths.get(owner.key)), () => nearText(sources, reading.field, readings))
        if (problem !== undefined) (problems ??= []).push(problem)
      }
      services.set(owner.key, single ? only : value)
    }
    for (const [field, other] of sharedFlags(readings)) {
      paths ??= requesters(plan)
      ;(problems ??= []).push({
        ...whereNeeded(plan, paths.get(field.owner.key)),
        options: field.owner.name,
        key: field.key,
        flag: field.flag,
        variable: field.variable,
        expected: field.info.type,
        got: undefined,
        from: undefined,
        reason: `${sharedFlagReason} ${other.key === "" ? "" : `${other.key} of `}${
          other.owner.name === field.owner.name ? `other options named ${other.owner.name}` : other.owner.name
        }`
      })
    }
    const result = problems !== undefined
      ? Effect.fail(new Errors.InvalidOptions({ problems }))
      // one context of them all (adding them one by one copies the context each time: quadratic)
      : Effect.succeed(runtime.contextFromMap(services))
    const warnings = nearWarnings(sources, readings)
    return warnings.length === 0 ? result : Effect.zipRight(Effect.forEach(warnings, (message) => Effect.logWarning(message), { discard: true }), result)
  })
}

/** @internal */
export const validate = (plan: Plan.Any): Effect.Effect<void, Errors.InvalidOptions> => Effect.asVoid(servicesOf(plan))

/**
 * Runs `effect` with the plan's options in its context, once all are read and valid.
 *
 * @internal
 */
export const provideTo = <A, E, R>(plan: Plan.Any, effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | Errors.InvalidOptions, R> =>
  plan.options.length === 0
    ? effect
    : Effect.flatMap(servicesOf(plan), (services) => services === undefined ? effect : Effect.provide(effect, services))

// ---------------------------------------------------------------------------------------------
// describing

const describeReading = (reading: Reading, components: ReadonlyArray<string>): Options.Described => {
  const { decoded, field } = reading
  const info = field.info
  const fallback = info.fallback._tag === "Value" ? showValue(info.fallback.value, info.secret) : undefined
  const given = reading.text !== undefined
  return {
    options: field.owner.name,
    components,
    key: field.key,
    flag: field.flag,
    variable: field.variable,
    type: info.type,
    default: fallback,
    description: info.description,
    secret: info.secret,
    required: info.fallback._tag === "Missing",
    value: given
      ? decoded._tag === "Value" ? showValue(decoded.value, info.secret) : field.shown(reading.text)
      : fallback,
    source: given ? reading.found?.source ?? "config" : fallback !== undefined ? "default" : "none",
    from: reading.given ? givenSource : given ? reading.found?.name : undefined
  }
}

/** @internal */
export const describe = (plan: Plan.Any): Effect.Effect<ReadonlyArray<Options.Described>> => {
  const options = plan.options as unknown as ReadonlyArray<dependency.OptionsLike>
  if (options.length === 0) return Effect.succeed([])
  return Effect.map(readAll(plan, options), ({ readings }) => {
    const paths = requesters(plan)
    return readings.map((reading) =>
      describeReading(reading, (paths.get(reading.field.owner.key) ?? []).map((id) => plan.nodes[id]!.name))
    )
  })
}

/** Options that only components left out by conditions request, each with those components and the condition that left each out. */
interface LeftOutOptions {
  readonly options: dependency.OptionsLike
  readonly components: Array<string>
  readonly conditions: Array<string>
}

/**
 * The options requested by the registered components that the plan's conditions left out, and not
 * by the plan: in registration order, from the plan's origin (none for a plan the resolver did not
 * make). Also those of what only such a component needs: a registered component of a service it
 * requests that the plan does not have, and so on (`HttpClient, for LiveGateway`: the HttpClient
 * no condition guards, which only the live gateway requests). A family's members are not known, so
 * their options are not among them.
 */
const leftOutOf = (plan: Plan.Any): ReadonlyArray<LeftOutOptions> => {
  const origin = resolver.originOf(plan)
  if (origin === undefined) return []
  const flat = registry.flatten(origin.registry, origin.environment)
  const excluded = registry.excluded(flat)
  if (excluded.length === 0) return []
  const inPlan = new Set(plan.options.map((options) => options.key))
  const chosen = new Set<unknown>(plan.nodes.map((node) => node.component))
  // the registered components the plan does not have, by service: what a left-out one would have got
  const outside = new Map<string, Array<Component.Any>>()
  for (const item of flat.components) {
    if (!chosen.has(item)) outside.set(item.tag.key, [...(outside.get(item.tag.key) ?? []), item])
  }
  const found = new Map<string, LeftOutOptions>()
  const add = (options: dependency.OptionsLike, name: string, reason: string) => {
    if (inPlan.has(options.key)) return
    let entry = found.get(options.key)
    if (entry === undefined) found.set(options.key, entry = { options, components: [], conditions: [] })
    if (entry.components.some((known, index) => known === name && entry.conditions[index] === reason)) return
    entry.components.push(name)
    entry.conditions.push(reason)
  }
  for (const { condition: reason, item } of excluded) {
    if (!component.isComponent(item) || chosen.has(item)) continue
    const root = component.displayName(item)
    const seen = new Set<unknown>([item])
    const pending: Array<[Component.Any, string]> = [[item, root]]
    for (let next = pending.shift(); next !== undefined; next = pending.shift()) {
      const [needed, name] = next
      if (!Array.isArray(needed.dependencies)) continue
      for (const request of needed.dependencies as ReadonlyArray<Dependency.Any>) {
        const described = dependency.requestOf(request)
        if (described.options !== undefined) {
          add(described.options, name, reason)
          continue
        }
        for (const dependencyOf of outside.get(described.target.key) ?? []) {
          if (seen.has(dependencyOf)) continue
          seen.add(dependencyOf)
          pending.push([dependencyOf, `${component.displayName(dependencyOf)}, for ${root}`])
        }
      }
    }
  }
  return [...found.values()]
}

/** @internal */
export const describeLeftOut = (plan: Plan.Any): Effect.Effect<ReadonlyArray<Options.LeftOut>> => {
  const leftOut = leftOutOf(plan)
  if (leftOut.length === 0) return Effect.succeed([])
  return Effect.map(readAll(plan, leftOut.map((entry) => entry.options)), ({ readings }) => {
    const byKey = new Map(leftOut.map((entry) => [entry.options.key, entry]))
    return readings.map((reading) => {
      const entry = byKey.get(reading.field.owner.key)!
      return { ...describeReading(reading, entry.components), conditions: entry.conditions }
    })
  })
}

const sourceText = (described: Options.Described): string =>
  described.source === "none"
    ? "not given"
    : described.source === "default"
    ? `${described.value} (default)`
    : `${described.value} (${
      described.source === "config" ? described.from ?? "config" : described.source === "environment" ? `environment variable ${described.from}` : `${described.source} ${described.from}`
    })`

/** The lines of one option of the help. */
const optionLines = (option: Options.Described): ReadonlyArray<string> => {
  const traits = [
    option.type,
    ...(option.required ? ["required"] : option.default === undefined ? [] : [`default ${option.default}`]),
    ...(option.secret ? ["secret"] : [])
  ]
  return [
    `    ${option.flag} <${traits.join(", ")}>  env ${option.variable}`,
    ...(option.description === undefined ? [] : [`        ${option.description}`]),
    `        value: ${sourceText(option)}`
  ]
}

/**
 * The help's lines of described options: one block per options, headed by its name and `heading` of
 * its first option (two options of one name, two modules', are two blocks, each with its readers).
 */
const blocks = <D extends Options.Described>(described: ReadonlyArray<D>, heading: (option: D) => string): Array<string> => {
  const lines: Array<string> = []
  let current: string | undefined
  for (const option of described) {
    const head = `  ${option.options} (${heading(option)})`
    if (head !== current) {
      current = head
      lines.push("", head)
    }
    lines.push(...optionLines(option))
  }
  return lines
}

/**
 * The help's text of described options (see `Options.help`), then of the options only components
 * left out by conditions read, each with the components and their conditions.
 *
 * @internal
 */
export const helpText = (described: ReadonlyArray<Options.Described>, leftOut: ReadonlyArray<Options.LeftOut> = []): string => {
  const lines = described.length === 0
    ? ["No options."]
    : ["Options:", ...blocks(described, (option) => option.components.length === 0 ? "read by conditions" : option.components.join(", "))]
  if (leftOut.length > 0) {
    lines.push(
      "",
      "Options of components left out by their conditions:",
      ...blocks(leftOut, (option) => option.components.map((name, index) => `${name}: ${option.conditions[index]}`).join("; "))
    )
  }
  return lines.join("\n")
}

/** @internal */
export const help = (plan: Plan.Any): Effect.Effect<string> =>
  Effect.zipWith(describe(plan), describeLeftOut(plan), helpText)

/**
 * The flags of a command line that are close to an option of the plan (its own, or of components
 * conditions left out) without being one: a misspelled flag is otherwise read by nobody, and the
 * option keeps its default. A flag close to none is left alone: any Config the program reads through
 * `Options.provider` may take it. One message per flag, in command-line order.
 *
 * @internal
 */
export const misspelledFlags = (plan: Plan.Any, argv: ReadonlyArray<string>): ReadonlyArray<string> => {
  // the options' flags, as declared: nothing is read to know them
  const options = [...(plan.options as unknown as ReadonlyArray<dependency.OptionsLike>), ...leftOutOf(plan).map((entry) => entry.options)]
  const known = [...new Set(options.flatMap((each) => fieldsOf(each).map((field) => field.flag)))]
  const messages: Array<string> = []
  for (const name of parseFlags(argv).values.keys()) {
    const flag = `--${name}`
    if (flag === "--help" || known.includes(flag)) continue
    // the closest only: the flags of one options share their prefix, so most are close to each other
    const closest = suggest(flag, known)[0]
    if (closest !== undefined) messages.push(`the flag ${flag} is not an option of the application: ${didYouMean([closest])}`)
  }
  return messages
}
