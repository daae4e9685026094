/**
 * `Options.provider`: one `ConfigProvider` over command-line flags, environment variables and an
 * options file, in that order of precedence, that also says where each value came from (the help and
 * the ops read it). It serves any Config, not only options: a path `["db", "poolSize"]` is the flag
 * `--db-pool-size`, the variable `db_poolSize` (as Effect's `fromEnv` names it) or else
 * `DB_POOL_SIZE`, and the file key `db.poolSize`.
 *
 * @internal
 */
import * as ConfigError from "effect/ConfigError"
import * as ConfigProvider from "effect/ConfigProvider"
import * as PathPatch from "effect/ConfigProviderPathPatch"
import * as Effect from "effect/Effect"
import * as HashSet from "effect/HashSet"
import { hasProperty } from "effect/Predicate"
import type * as Options from "../Options.js"
import { flagName, variableName } from "./options.js"

/** Where a value was found: the source and the name it has there. @internal */
export interface Found {
  readonly source: "flag" | "environment" | "file"
  readonly name: string
  /** the texts given: a flag given several times gives several; a file's list, one per element */
  readonly texts: ReadonlyArray<string>
  /**
   * A flag given alone (`--verbose`), its last time: its text is `"true"`, a value only for a boolean
   * option (the options' reading says so of any other; this provider cannot, it does not see schemas)
   */
  readonly alone?: true
}

/**
 * A name a provider has that spells a path another way (`Orders__MaxLines`, a file's `Orders.MaxLines`
 * for `orders.maxLines`): equal to one of its names once case and punctuation are ignored, but none of
 * them, so not read. @internal
 */
export interface Near {
  readonly source: "environment" | "file"
  /** the variable, or the file key (its segments joined with `.`; a segment with a `.` quoted) */
  readonly name: string
  /** a file key's segments (a variable's: none) */
  readonly segments?: ReadonlyArray<string>
}

/** The lookup of a provider made by `provider`. @internal */
export interface Sources {
  readonly find: (path: ReadonlyArray<string>) => Found | undefined
  /** the names that spell `path` another way (see {@link Near}), variables first, each in the order given */
  readonly near: (path: ReadonlyArray<string>) => ReadonlyArray<Near>
  /** whether the options that keep their default while such a name exists are warned of (`runMain`'s provider) */
  readonly warnsOfNear: boolean
  /** the options warned of so far (their Config path, joined with NUL): each once */
  readonly warned: Set<string>
}

const SourcesId = Symbol.for("layerwise/Options/Sources")

/** The lookup of a provider made by `provider`, if it is one. @internal */
export const sourcesOf = (provider: ConfigProvider.ConfigProvider): Sources | undefined =>
  hasProperty(provider, SourcesId) ? provider[SourcesId] as Sources : undefined

/** Command-line flags by name, and those whose last time was alone (see `parseFlags`). @internal */
export interface Flags {
  readonly values: ReadonlyMap<string, ReadonlyArray<string>>
  readonly alone: ReadonlySet<string>
}

/**
 * Command-line flags by name (without the dashes): `--name=value`, `--name value`, or `--name` alone
 * (`"true"`, when followed by another flag or nothing). Arguments that are not flags are skipped;
 * `--` ends the flags.
 *
 * @internal
 */
export const parseFlags = (argv: ReadonlyArray<string>): Flags => {
  const flags = new Map<string, Array<string>>()
  const alone = new Set<string>()
  const add = (name: string, value: string, isAlone = false) => {
    const values = flags.get(name)
    if (values === undefined) flags.set(name, [value])
    else values.push(value)
    if (isAlone) alone.add(name)
    else alone.delete(name)
  }
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index]!
    if (argument === "--") break
    if (!argument.startsWith("--") || argument.length === 2) continue
    const equals = argument.indexOf("=")
    if (equals > 2) {
      add(argument.slice(2, equals), argument.slice(equals + 1))
      continue
    }
    const next = argv[index + 1]
    if (next !== undefined && !next.startsWith("--")) {
      add(argument.slice(2), next)
      index++
    } else {
      add(argument.slice(2), "true", true)
    }
  }
  return { values: flags, alone }
}

/** Whether the command line asks for the help (`--help` before any `--`). @internal */
export const helpRequested = (argv: ReadonlyArray<string>): boolean => {
  for (const argument of argv) {
    if (argument === "--") return false
    if (argument === "--help") return true
  }
  return false
}

/**
 * The value at a path of a parsed file: a text, a list of texts, or `undefined`. A segment with a `.`
 * (options named `inventory.http`, Spring's `@ConfigurationProperties("inventory.http")`) is that
 * key, else the keys it joins, nested as a YAML file nests them (`inventory: { http: { port } }`).
 */
const inFile = (file: unknown, path: ReadonlyArray<string>): unknown => {
  const found = at(file, path)
  return found !== undefined || !path.some(hasDot) ? found : at(file, nested(path))
}

const hasDot = (segment: string): boolean => segment.includes(".")

const nested = (path: ReadonlyArray<string>): ReadonlyArray<string> => path.flatMap((segment) => segment.split("."))

const at = (file: unknown, path: ReadonlyArray<string>): unknown => {
  let current = file
  for (const segment of path) {
    if (typeof current !== "object" || current === null || Array.isArray(current) || !Object.hasOwn(current, segment)) return undefined
    current = (current as Record<string, unknown>)[segment]
  }
  return current
}

const isText = (value: unknown): value is string | number | boolean | bigint =>
  typeof value === "string" || typeof value === "number" || typeof value === "boolean" || typeof value === "bigint"

const textsInFile = (value: unknown): ReadonlyArray<string> | undefined =>
  isText(value) ? [String(value)] : Array.isArray(value) && value.every(isText) ? value.map(String) : undefined

/** A name as compared with a path's: its letters and digits, lower case. */
const spelled = (text: string): string => text.toLowerCase().replace(/[^a-z0-9]/g, "")

/** Whether `near` is one of the names `path` is read by (then it is not near it, it is it). @internal */
export const isNameOf = (path: ReadonlyArray<string>, near: Near): boolean =>
  near.segments === undefined
    ? near.name === path.join("_") || near.name === variableName(path)
    : sameSegments(near.segments, path) || (path.some(hasDot) && sameSegments(near.segments, nested(path)))

const sameSegments = (segments: ReadonlyArray<string>, path: ReadonlyArray<string>): boolean =>
  segments.length === path.length && segments.every((segment, index) => segment === path[index])

/** Every key of a parsed file that has a value (not an object), as its segments. */
const fileKeys = (file: unknown): Array<ReadonlyArray<string>> => {
  const keys: Array<ReadonlyArray<string>> = []
  const seen = new Set<unknown>()
  const visit = (value: unknown, segments: ReadonlyArray<string>) => {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      if (segments.length > 0) keys.push(segments)
      return
    }
    if (seen.has(value)) return
    seen.add(value)
    for (const [key, child] of Object.entries(value)) visit(child, [...segments, key])
  }
  visit(file, [])
  return keys
}

/**
 * The names of the environment and the file by their spelling (see {@link Near}): made when first
 * asked, which is when an option is not given (its error, or `runMain`'s warning, says so).
 */
const nearIndex = (env: Readonly<Record<string, string | undefined>>, file: unknown): ReadonlyMap<string, ReadonlyArray<Near>> => {
  const index = new Map<string, Array<Near>>()
  const add = (near: Near) => {
    const key = spelled(near.segments === undefined ? near.name : near.segments.join(""))
    const known = index.get(key)
    if (known === undefined) index.set(key, [near])
    else known.push(near)
  }
  for (const [name, value] of Object.entries(env)) if (value !== undefined) add({ source: "environment", name })
  for (const segments of fileKeys(file)) {
    const name = segments.map((segment) => segment.includes(".") ? JSON.stringify(segment) : segment).join(".")
    add({ source: "file", name, segments })
  }
  return index
}

/** @internal */
export const provider = (input: Options.ProviderInput = {}): ConfigProvider.ConfigProvider => make(input, false)

/**
 * `runMain`'s provider: as {@link provider}, and the options that keep their default while it has a
 * name that spells theirs another way are warned of when the application's options are read.
 *
 * @internal
 */
export const warningProvider = (input: Options.ProviderInput = {}): ConfigProvider.ConfigProvider => make(input, true)

const make = (input: Options.ProviderInput, warnsOfNear: boolean): ConfigProvider.ConfigProvider => {
  const { alone, values: flags } = parseFlags(input.argv ?? [])
  const env = input.env ?? {}
  const file = input.file
  const find = (path: ReadonlyArray<string>): Found | undefined => {
    if (flags.size > 0) {
      const name = flagName(path)
      const texts = flags.get(name)
      if (texts !== undefined) return alone.has(name) ? { source: "flag", name: `--${name}`, texts, alone: true } : { source: "flag", name: `--${name}`, texts }
    }
    const exact = path.join("_")
    const given = env[exact]
    if (given !== undefined) return { source: "environment", name: exact, texts: [given] }
    const variable = variableName(path)
    const constant = env[variable]
    if (constant !== undefined) return { source: "environment", name: variable, texts: [constant] }
    if (file !== undefined) {
      const texts = textsInFile(inFile(file, path))
      if (texts !== undefined) return { source: "file", name: path.join("."), texts }
    }
    return undefined
  }
  const load = <A>(path: ReadonlyArray<string>, primitive: { readonly parse: (text: string) => Effect.Effect<A, ConfigError.ConfigError> }, split: boolean) =>
    Effect.suspend(() => {
      const found = find(path)
      if (found === undefined) {
        return Effect.fail(ConfigError.MissingData([...path], `Expected ${describePath(path, file !== undefined)} to be given`))
      }
      const texts = !split
        ? found.texts.slice(-1)
        : found.source === "file"
        ? found.texts
        : found.texts.flatMap((text) => text.split(/\s*,\s*/))
      if (!split && found.source === "file" && found.texts.length !== 1) {
        return Effect.fail(ConfigError.InvalidData([...path], `Expected one value at ${found.name} in the options file, got a list`))
      }
      return texts.length === 1
        ? Effect.mapBoth(primitive.parse(texts[0]!), { onFailure: ConfigError.prefixed([...path]), onSuccess: (value) => [value] })
        : Effect.mapError(Effect.forEach(texts, (text) => primitive.parse(text)), ConfigError.prefixed([...path]))
    })
  const enumerateChildren = (path: ReadonlyArray<string>) =>
    Effect.sync(() => {
      const children = new Set<string>()
      const value = inFile(file, path)
      if (typeof value === "object" && value !== null && !Array.isArray(value)) for (const key of Object.keys(value)) children.add(key)
      const prefix = path.length === 0 ? "" : `${path.join("_")}_`
      for (const name of Object.keys(env)) {
        if (name.startsWith(prefix) && name.length > prefix.length) children.add(name.slice(prefix.length).split("_")[0]!)
      }
      return HashSet.fromIterable(children)
    })
  const made = ConfigProvider.fromFlat(ConfigProvider.makeFlat({ load, enumerateChildren, patch: PathPatch.empty }))
  let index: ReadonlyMap<string, ReadonlyArray<Near>> | undefined
  const near = (path: ReadonlyArray<string>): ReadonlyArray<Near> => {
    index ??= nearIndex(env, file)
    const spellings = index.get(spelled(path.join("")))
    return spellings === undefined ? [] : spellings.filter((each) => !isNameOf(path, each))
  }
  const sources: Sources = { find, near, warnsOfNear, warned: new Set() }
  Object.defineProperty(made, SourcesId, { value: sources })
  return made
}

const describePath = (path: ReadonlyArray<string>, withFile: boolean): string =>
  `${path.length === 0 ? "a value" : `--${flagName(path)}`} (or ${variableName(path)}${withFile ? `, or ${path.join(".")} in the options file` : ""})`
