/**
 * Options: their declaration (`make`, `family`), each option as it is named, read and decoded
 * (`Field`), and conditions on an option's value (`equals`).
 *
 * An option is read as text (`effect/Config`'s `string`, at the path `[options, key]`, or
 * `[options]` for options with one value) and decoded with its schema, so an option's schema
 * decodes a string (`Schema.NumberFromString`, `Schema.Literal("a", "b")`, `Schema.Redacted(Schema.String)`).
 * Reading the text apart from decoding it tells a missing value from an invalid one, and lets every
 * problem be reported, each with the text that was given.
 *
 * @internal
 */
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Either from "effect/Either"
import * as Equal from "effect/Equal"
import * as Inspectable from "effect/Inspectable"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import { pipeArguments } from "effect/Pipeable"
import { hasProperty } from "effect/Predicate"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as SchemaAST from "effect/SchemaAST"
import type * as Condition from "../Condition.js"
import type * as Options from "../Options.js"
import * as condition from "./condition.js"
import * as dependency from "./dependency.js"
import { describeValue } from "./describe.js"

/** @internal */
export const TypeId: Options.TypeId = Symbol.for("layerwise/Options") as Options.TypeId

/** @internal */
export const FamilyTypeId: Options.FamilyTypeId = Symbol.for("layerwise/Options/Family") as Options.FamilyTypeId

// ---------------------------------------------------------------------------------------------
// names

/** The words of a name: split at case changes (`poolSize`: pool, Size) and at anything not a letter or digit. */
const words = (text: string): ReadonlyArray<string> =>
  text
    .replace(/([a-z0-9])([A-Z])/g, "$1\u0000$2")
    .replace(/([A-Z])([A-Z][a-z])/g, "$1\u0000$2")
    .split(/[^A-Za-z0-9]+/)
    .filter((word) => word.length > 0)

/** A path as a flag name, without the dashes: `["db", "poolSize"]` -> `db-pool-size`. @internal */
export const flagName = (path: ReadonlyArray<string>): string => path.flatMap(words).map((word) => word.toLowerCase()).join("-")

/** A path as an environment variable: `["db", "poolSize"]` -> `DB_POOL_SIZE`. @internal */
export const variableName = (path: ReadonlyArray<string>): string =>
  path.flatMap(words).map((word) => word.toUpperCase()).join("_")

// ---------------------------------------------------------------------------------------------
// one option

/** What decoding an option's text gave. @internal */
export type Decoded =
  | { readonly _tag: "Value"; readonly value: unknown }
  /** an optional option with no value and no default: left out of its options */
  | { readonly _tag: "Absent" }
  | { readonly _tag: "Missing" }
  | { readonly _tag: "Invalid"; readonly reason: string }

/** An option's text (`undefined`: none given) and what it decodes to. @internal */
export interface Reading {
  readonly text: string | undefined
  readonly decoded: Decoded
}

const absent: Decoded = { _tag: "Absent" }
const missing: Decoded = { _tag: "Missing" }

/** What the help says of an option, read from its schema once. */
interface Described {
  readonly type: string
  readonly secret: boolean
  /** whether `true` (or the text `"true"`) is among its values: a flag given alone (`--verbose`) sets it */
  readonly takesFlagAlone: boolean
  readonly description: string | undefined
  /** what a missing value decodes to: its default (`Value`), nothing (`Absent`) or `Missing` */
  readonly fallback: Decoded
}

/**
 * One option: its names and its schema. The Configs and decoders are made when first needed; an
 * option is immutable once made.
 *
 * @internal
 */
export class Field {
  readonly path: ReadonlyArray<string>
  readonly flag: string
  readonly variable: string
  /** its key in an options file: `db.url` */
  readonly fileKey: string
  private textConfig: Config.Config<Option.Option<string>> | undefined
  private readingConfig: Config.Config<Reading> | undefined
  private decoder: ((text: string | undefined) => Decoded) | undefined
  private described: Described | undefined

  constructor(
    readonly owner: dependency.OptionsLike,
    readonly key: string,
    readonly schema: Schema.Struct.Field
  ) {
    const base = implOf(owner).path
    this.path = key === "" ? base : [...base, key]
    this.flag = `--${flagName(this.path)}`
    this.variable = variableName(this.path)
    this.fileKey = this.path.join(".")
  }

  /** The option's text, `none` when no source gives one. */
  get text(): Config.Config<Option.Option<string>> {
    if (this.textConfig === undefined) {
      // optional where the value is read, then nested (an `option` around the nesting costs the
      // provider an error to recover from at every level when the value is absent)
      let config = Config.option(this.key === "" ? Config.string() : Config.string(this.key))
      const base = implOf(this.owner).path
      for (let index = base.length - 1; index >= 0; index--) config = Config.nested(config, base[index]!)
      this.textConfig = config
    }
    return this.textConfig
  }

  /**
   * The option as a condition reads it: the text given and what it decodes to. It fails only when
   * the provider cannot read the text: an invalid or missing value selects nothing, and the problem
   * that nothing was selected says the value given (the plan's options report it when something was).
   */
  get reading(): Config.Config<Reading> {
    if (this.readingConfig === undefined) {
      const config = Config.map(this.text, (text): Reading => {
        const given = Option.getOrUndefined(text)
        return { text: given, decoded: this.decode(given) }
      })
      dependency.readsOptions(config, this.owner)
      this.readingConfig = config
    }
    return this.readingConfig
  }

  /** Decodes the option's text (`undefined`: none was given). */
  decode(text: string | undefined): Decoded {
    return (this.decoder ??= makeDecoder(this.schema, (issue, given) => this.reason(issue, given)))(text)
  }

  /**
   * A value of the option as text (what decodes back to it), or why it is not a value of the
   * option (its schema's message; a secret's value never in it).
   */
  encode(value: unknown): Either.Either<string, string> {
    const encoded = Schema.isSchema(this.schema)
      ? ParseResult.encodeUnknownEither(this.schema as Schema.Schema<unknown, unknown, never>)(value)
      : Either.map(
        ParseResult.encodeUnknownEither(Schema.Struct({ value: this.schema }) as unknown as Schema.Schema<unknown, { readonly value?: unknown }, never>)(
          { value }
        ),
        (encoded) => encoded.value
      )
    if (Either.isLeft(encoded)) {
      const messages = ParseResult.ArrayFormatter.formatIssueSync(encoded.left).map((item) => item.message)
      return Either.left(
        !this.info.secret
          ? [...new Set(messages)].join("; ")
          : Redacted.isRedacted(value)
          ? "not a value of its schema"
          : "a secret is given as Redacted.make(value)"
      )
    }
    const text = encoded.right
    if (typeof text !== "string") return Either.left(`its schema encodes it to ${describeValue(text)}, not to text`)
    const decoded = this.decode(text)
    return decoded._tag === "Value" ? Either.right(text) : Either.left(decoded._tag === "Invalid" ? decoded.reason : "it does not decode back")
  }

  /** What the help and the problems say of the option. */
  get info(): Described {
    return this.described ??= describeField(this.schema, this)
  }

  /** A value given to the option as the help and problems show it: a secret's never. */
  shown(text: string | undefined): string {
    return text === undefined ? "nothing" : this.info.secret ? "<redacted>" : JSON.stringify(text)
  }

  /**
   * What the schema says of an invalid text: its messages, except those that only say the text is not
   * of the expected type (the problem says that already) or not `undefined` (an optional field's
   * other case). A secret's text is never in it.
   */
  private reason(issue: ParseResult.ParseIssue, text: string): string {
    const messages = ParseResult.ArrayFormatter.formatIssueSync(issue)
      .filter((item) => item._tag !== "Type")
      .map((item) => item.message)
    const reason = [...new Set(messages)].join("; ")
    if (!this.info.secret || text === "") return reason
    return reason.split(JSON.stringify(text)).join("<redacted>").split(text).join("<redacted>")
  }
}

/**
 * The decoder of a field: a schema decodes the text itself (a missing text is `Missing`); a property
 * signature (`Schema.optional`, `Schema.optionalWith(..., { default })`) decodes it as a struct's one
 * property, so its default and optionality apply.
 */
const makeDecoder = (
  field: Schema.Struct.Field,
  reason: (issue: ParseResult.ParseIssue, text: string) => string
): (text: string | undefined) => Decoded => {
  if (Schema.isSchema(field)) {
    const decode = ParseResult.decodeUnknownEither(field as Schema.Schema<unknown, unknown, never>)
    return (text) => {
      if (text === undefined) return missing
      const result = decode(text)
      return Either.isRight(result) ? { _tag: "Value", value: result.right } : { _tag: "Invalid", reason: reason(result.left, text) }
    }
  }
  const decode = ParseResult.decodeUnknownEither(Schema.Struct({ value: field }) as unknown as Schema.Schema<{ readonly value?: unknown }, unknown, never>)
  return (text) => {
    const result = decode(text === undefined ? {} : { value: text })
    if (Either.isRight(result)) return "value" in result.right ? { _tag: "Value", value: result.right.value } : absent
    return text === undefined ? missing : { _tag: "Invalid", reason: reason(result.left, text) }
  }
}

/** The type an AST decodes to, without the `undefined` of an optional property. */
const withoutUndefined = (ast: SchemaAST.AST): SchemaAST.AST =>
  SchemaAST.isUnion(ast) ? SchemaAST.Union.make(ast.types.filter((member) => !SchemaAST.isUndefinedKeyword(member))) : ast

/** Whether a value of this type is a `Redacted` (in a union too). */
const isRedacted = (ast: SchemaAST.AST): boolean =>
  SchemaAST.isUnion(ast)
    ? ast.types.some(isRedacted)
    : SchemaAST.isDeclaration(ast) && Option.getOrUndefined(SchemaAST.getDescriptionAnnotation(ast)) === "Redacted(<redacted>)"

/** Whether `true` or `"true"` is a value of this type (a union's member's too): what a flag alone sets. */
const takesTrue = (ast: SchemaAST.AST): boolean =>
  SchemaAST.isUnion(ast)
    ? ast.types.some(takesTrue)
    : SchemaAST.isBooleanKeyword(ast) || (SchemaAST.isLiteral(ast) && (ast.literal === true || ast.literal === "true"))

/** The keywords Effect describes itself (`Schema.String`: "a string"): their description is not the user's. */
const keywords: ReadonlyArray<SchemaAST.AST> = [
  SchemaAST.stringKeyword,
  SchemaAST.numberKeyword,
  SchemaAST.booleanKeyword,
  SchemaAST.bigIntKeyword,
  SchemaAST.unknownKeyword
]

const userDescription = (annotated: SchemaAST.Annotated, ast?: SchemaAST.AST): string | undefined => {
  const description = Option.getOrUndefined(SchemaAST.getDescriptionAnnotation(annotated))
  if (description === undefined || ast === undefined) return description
  const builtIn = keywords.find((keyword) => keyword._tag === ast._tag)
  return builtIn !== undefined && Option.getOrUndefined(SchemaAST.getDescriptionAnnotation(builtIn)) === description
    ? undefined
    : description
}

const describeField = (field: Schema.Struct.Field, self: Field): Described => {
  const property = (SchemaAST.typeAST(Schema.Struct({ value: field }).ast) as SchemaAST.TypeLiteral).propertySignatures[0]!
  const encoded = (SchemaAST.encodedAST(Schema.Struct({ value: field }).ast) as SchemaAST.TypeLiteral).propertySignatures[0]!
  const type = withoutUndefined(property.type)
  const secret = isRedacted(type)
  const own = Schema.isSchema(field) ? field.ast : undefined
  return {
    type: String(secret ? withoutUndefined(encoded.type) : type),
    secret,
    takesFlagAlone: !secret && takesTrue(type),
    description: userDescription(property) ?? (own !== undefined ? userDescription(own, own) : undefined),
    fallback: self.decode(undefined)
  }
}

/**
 * A value as the help and the ops show it: a secret (or any `Redacted`) as `<redacted>`, a string
 * quoted, anything else as layerwise renders values.
 *
 * @internal
 */
export const showValue = (value: unknown, secret: boolean): string =>
  secret ? "<redacted>" : typeof value === "string" ? JSON.stringify(value) : describeValue(value)

// ---------------------------------------------------------------------------------------------
// declarations

/** @internal */
export interface OptionsImpl extends Options.Options<string, unknown> {
  /** the fields as declared: one entry with key "" for options with one value */
  readonly declared: ReadonlyArray<readonly [string, Schema.Struct.Field]>
  readonly single: boolean
  /** the Config path the options are read at: `[name]`, or a family member's `[family, key]` */
  readonly path: ReadonlyArray<string>
  fieldsMemo: ReadonlyArray<Field> | undefined
}

/** @internal */
export const isOptions = (u: unknown): u is Options.Any => hasProperty(u, TypeId)

/** @internal */
export const isFamily = (u: unknown): u is Options.Family<string, unknown> => hasProperty(u, FamilyTypeId)

/** The options of an options request (every Options value is made by `make`). @internal */
export const implOf = (options: dependency.OptionsLike | Options.Any): OptionsImpl => options as unknown as OptionsImpl

/** The options' fields, in declaration order. @internal */
export const fieldsOf = (options: dependency.OptionsLike | Options.Any): ReadonlyArray<Field> => {
  const self = implOf(options)
  return self.fieldsMemo ??= self.declared.map(([key, field]) => new Field(self as unknown as dependency.OptionsLike, key, field))
}

const isField = (u: unknown): u is Schema.Struct.Field => Schema.isSchema(u) || Schema.isPropertySignature(u)

/** The fields of what `make` was given: a struct schema's, a record of fields, or one field (key ""). */
const declaredOf = (name: string, input: unknown): { readonly single: boolean; readonly declared: OptionsImpl["declared"] } => {
  if (Schema.isSchema(input) && hasProperty(input, "fields") && typeof input.fields === "object" && input.fields !== null) {
    return declaredOf(name, input.fields)
  }
  if (isField(input)) return { single: true, declared: [["", input]] }
  if (typeof input === "object" && input !== null) {
    const declared = Object.entries(input)
    const invalid = declared.find(([, field]) => !isField(field))
    if (invalid === undefined) return { single: false, declared }
    throw new TypeError(`Options.make: option ${JSON.stringify(invalid[0])} of ${name} must be a Schema or a property signature`)
  }
  throw new TypeError(`Options.make: the options of ${name} must be a Schema, a Schema.Struct or a record of fields`)
}

const OptionsProto = {
  ...Inspectable.BaseProto,
  pipe() {
    return pipeArguments(this, arguments)
  },
  toString(this: Options.Family<string, unknown>) {
    return `Options.Family(${this.name})`
  },
  toJSON(this: Options.Family<string, unknown>) {
    return { _id: "Options.Family", name: this.name }
  }
}

/** @internal */
export const make = (name: string, input: unknown, path: ReadonlyArray<string> = [name]): Options.Any => {
  if (typeof name !== "string" || name.length === 0) throw new TypeError("Options.make: the options' name must be a non-empty string")
  const { declared, single } = declaredOf(name, input)
  const label = `Options<${name}>`
  const tag = Context.GenericTag<unknown, unknown>(dependency.uniqueKey(label))
  const json = () => ({ _id: "Options", name, keys: declared.map(([key]) => key) })
  Object.defineProperties(tag, {
    [TypeId]: { value: TypeId },
    name: { value: name, enumerable: true },
    keys: { value: declared.map(([key]) => key), enumerable: true },
    declared: { value: declared },
    single: { value: single },
    path: { value: path },
    fieldsMemo: { value: undefined, writable: true },
    // printed as options, not as the Context.Tag they are (whose toJSON is its key and stack trace)
    toString: { value: () => label },
    toJSON: { value: json },
    [Inspectable.NodeInspectSymbol]: { value: json }
  })
  dependency.markOptions(tag as unknown as dependency.OptionsLike, label)
  return tag as unknown as Options.Any
}

/** @internal */
export const family = (name: string, input: unknown): Options.Family<string, unknown> => {
  if (typeof name !== "string" || name.length === 0) throw new TypeError("Options.family: the family's name must be a non-empty string")
  declaredOf(name, input)
  const members = new Map<string, Options.Any>()
  const self = Object.create(OptionsProto)
  self[FamilyTypeId] = FamilyTypeId
  self.name = name
  self.of = (key: string) => {
    if (typeof key !== "string" || key.length === 0) {
      throw new TypeError(`Options.family: the key of a member of ${name} must be a non-empty string, got ${dependency.describeKey(key)}`)
    }
    let member = members.get(key)
    if (member === undefined) {
      member = make(`${name}(${key})`, input, [name, key])
      members.set(key, member)
    }
    return member
  }
  return self
}

// ---------------------------------------------------------------------------------------------
// values given by a test

/**
 * The conditions that give options' values to a resolution (`Testing.options`): each value given
 * (`undefined`: not given), encoded to the text its option decodes, at the option's Config path; a
 * new condition each call of the function returned (see `condition.giving`). Throws a `TypeError`,
 * when called, for an option the options do not have or a value that is not one of its option (the
 * schema's message says why).
 *
 * @internal
 */
export const given = (self: Options.Any, values: unknown): () => Condition.Condition => {
  const impl = implOf(self)
  const fields = fieldsOf(self)
  const entries = new Map<string, string>()
  const give = (field: Field, value: unknown) => {
    const text = field.encode(value)
    if (Either.isLeft(text)) {
      const shown = showValue(value, field.info.secret)
      throw new TypeError(`Testing.options: ${shown} is not a valid value of option ${field.flag} (${impl.name}.${field.key || "value"}): ${text.left}`)
    }
    entries.set(condition.givenKey(field.path), text.right)
  }
  if (impl.single) {
    give(fields[0]!, values)
  } else {
    if (typeof values !== "object" || values === null) {
      throw new TypeError(`Testing.options: the values of ${impl.name} must be an object of its options, got ${describeValue(values)}`)
    }
    for (const [key, value] of Object.entries(values)) {
      const field = fields.find((candidate) => candidate.key === key)
      if (field === undefined) {
        throw new TypeError(
          `Testing.options: ${impl.name} has no option ${JSON.stringify(key)} (its options: ${fields.map((candidate) => JSON.stringify(candidate.key)).join(", ")})`
        )
      }
      if (value !== undefined) give(field, value)
    }
  }
  return () => condition.giving(`options ${impl.name} given by Testing.options`, entries)
}

// ---------------------------------------------------------------------------------------------
// conditions

/** @internal */
export const equals = (self: Options.Any, ...args: ReadonlyArray<unknown>): Condition.Condition => {
  const [key, value] = args.length >= 2 ? [args[0], args[1]] : ["", args[0]]
  const field = fieldsOf(self).find((candidate) => candidate.key === key)
  if (field === undefined) {
    throw new TypeError(
      `Options.equals: ${self.name} has no option ${JSON.stringify(key)} (its options: ${
        fieldsOf(self).map((candidate) => JSON.stringify(candidate.key)).join(", ")
      })`
    )
  }
  const config = field.reading
  const wanted = showValue(value, field.info.secret)
  return condition.explained(
    `option ${field.flag} is ${wanted}`,
    (environment) => {
      const decoded = environment.config(config).decoded
      return decoded._tag === "Value" && Equal.equals(decoded.value, value)
    },
    (environment) => `option ${field.flag} is ${wanted}, given ${showGiven(environment.config(config), field)}`,
    [config]
  )
}

const showGiven = (reading: Reading, field: Field): string => {
  const decoded = reading.decoded
  if (decoded._tag === "Value") return `${showValue(decoded.value, field.info.secret)}${reading.text === undefined ? " (its default)" : ""}`
  // a text that is none of the option's values (a typo of one) says what the values are
  if (decoded._tag === "Invalid") return `${field.shown(reading.text)} (expected ${field.info.type})`
  // nothing given: where a value would come from
  return reading.text === undefined ? `nothing: set ${field.flag} or ${field.variable}` : field.shown(reading.text)
}
