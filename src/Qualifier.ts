/**
 * Qualifiers: typed tokens that tell candidates of one service apart.
 *
 * A component can carry several qualifiers; a request qualified by one considers only the candidates
 * that carry it. A plain string works wherever a qualifier does; the token form gives a single place
 * to define (and rename) it, and its literal type flows into the request's identifier so that two
 * differently qualified requests of one tag are two different services in a constructor's context.
 *
 * @since 0.1.0
 */
import * as Equal from "effect/Equal"
import * as Hash from "effect/Hash"
import * as Inspectable from "effect/Inspectable"
import { type Pipeable, pipeArguments } from "effect/Pipeable"
import { hasProperty } from "effect/Predicate"

/**
 * The brand every qualifier carries: what `Qualifier.isQualifier` tests.
 *
 * @example
 * ```ts
 * import { Qualifier } from "layerwise"
 *
 * export const branded = (u: object): boolean => Qualifier.TypeId in u
 * ```
 *
 * @since 0.1.0
 * @category symbols
 */
export const TypeId: unique symbol = Symbol.for("layerwise/Qualifier")

/**
 * @since 0.1.0
 * @category symbols
 */
export type TypeId = typeof TypeId

/**
 * A qualifier token. Two tokens of one name are equal (`Equal.equals`, with equal hashes): a
 * qualifier is its name, as requests and candidates compare them.
 *
 * @since 0.1.0
 * @category models
 */
export interface Qualifier<out Name extends string = string> extends Pipeable, Inspectable.Inspectable, Equal.Equal {
  readonly [TypeId]: TypeId
  /** The qualifier's name, as it appears in explanations and error messages. */
  readonly name: Name
}

/**
 * A qualifier token or its name as a plain string.
 *
 * @since 0.1.0
 * @category models
 */
export type Input<Name extends string = string> = Name | Qualifier<Name>

/**
 * The name carried by a qualifier input, at the type level.
 *
 * @since 0.1.0
 * @category type-level
 */
export type NameOf<Q> = Q extends Qualifier<infer Name> ? Name : Q extends string ? Q : never

const QualifierProto = {
  ...Inspectable.BaseProto,
  [TypeId]: TypeId,
  pipe() {
    return pipeArguments(this, arguments)
  },
  toString(this: Qualifier) {
    return `Qualifier(${this.name})`
  },
  toJSON(this: Qualifier) {
    return { _id: "Qualifier", name: this.name }
  },
  [Equal.symbol](this: Qualifier, that: unknown) {
    return isQualifier(that) && that.name === this.name
  },
  [Hash.symbol](this: Qualifier) {
    return Hash.cached(this, Hash.combine(Hash.hash(TypeId))(Hash.string(this.name)))
  }
}

/**
 * Defines a qualifier.
 *
 * @example
 * ```ts
 * import { Qualifier } from "layerwise"
 *
 * export const Replica = Qualifier.make("replica")
 * console.log(Replica.name) // "replica"
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = <const Name extends string>(name: Name): Qualifier<Name> => {
  if (typeof name !== "string" || name.length === 0) {
    throw new TypeError(`Qualifier.make: a qualifier needs a non-empty string name, got ${String(name)}`)
  }
  const self = Object.create(QualifierProto)
  self.name = name
  return self
}

/**
 * Returns `true` if the value is a qualifier token.
 *
 * @example
 * ```ts
 * import { Qualifier } from "layerwise"
 *
 * console.log(Qualifier.isQualifier(Qualifier.make("replica"))) // true
 * console.log(Qualifier.isQualifier("replica")) // false
 * ```
 *
 * @since 0.1.0
 * @category refinements
 */
export const isQualifier = (u: unknown): u is Qualifier => hasProperty(u, TypeId)

/**
 * The name of a qualifier input (token or string).
 *
 * @example
 * ```ts
 * import { Qualifier } from "layerwise"
 *
 * console.log(Qualifier.nameOf(Qualifier.make("replica"))) // "replica"
 * console.log(Qualifier.nameOf("replica")) // "replica"
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const nameOf = <Name extends string>(input: Input<Name>): Name => isQualifier(input) ? input.name : input
