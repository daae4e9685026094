import type * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import { globalValue } from "effect/GlobalValue"
import { pipeArguments } from "effect/Pipeable"
import { hasProperty } from "effect/Predicate"
import type * as Component from "../Component.js"
import type * as Family from "../Family.js"
import * as dependency from "./dependency.js"

/** @internal */
export const TypeId: Family.TypeId = Symbol.for("layerwise/Family") as Family.TypeId

const FamilyProto = {
  [TypeId]: TypeId,
  pipe() {
    return pipeArguments(this, arguments)
  },
  of(this: Family.Family<unknown, unknown, unknown>, args: unknown) {
    return dependency.member(this as unknown as dependency.FamilyLike, args)
  },
  toString(this: Family.Family<unknown, unknown, unknown>) {
    return `Family(${this.name})`
  }
}

/** @internal */
export const isFamily = (u: unknown): u is Family.Family<unknown, unknown, unknown> => hasProperty(u, TypeId)

/**
 * How many families were made with each name. A family's member keys start with its name, numbered
 * from the second family of a name on (`layerwise/family/X~2(key)`): members of two families never
 * share a key, so never a value in a context, even when the families share a name (a registry
 * reports that as a duplicate name; a request for a member of an unregistered family is missing,
 * whatever other family has its name). Process-wide (`globalValue`), so that two loaded copies of
 * layerwise number alike.
 */
const madeByName = globalValue(Symbol.for("layerwise/Family/madeByName"), () => new Map<string, number>())

/** @internal */
export const make = (
  tag: Context.Tag<unknown, unknown>,
  options: {
    readonly name?: string | undefined
    readonly key: (args: unknown) => string
    readonly merge?: ((existing: unknown, incoming: unknown) => unknown) | undefined
    readonly dependencies?: ((args: unknown) => ReadonlyArray<Context.Tag<unknown, unknown>>) | undefined
    readonly build: (args: unknown) => Effect.Effect<unknown, unknown, unknown>
  }
): Family.Family<unknown, unknown, unknown> => {
  const name = options.name ?? tag.key
  if (typeof name !== "string" || name.length === 0) {
    throw new TypeError(`Family.make: the family of ${tag.key} needs a non-empty name`)
  }
  if (typeof options.key !== "function" || typeof options.build !== "function") {
    throw new TypeError(`Family.make: family ${name} needs a key function and a build function`)
  }
  const self = Object.create(FamilyProto)
  const made = (madeByName.get(name) ?? 0) + 1
  madeByName.set(name, made)
  self.tag = tag
  self.name = name
  self.keyPrefix = `${dependency.derivedPrefix}family/${made === 1 ? name : `${name}~${made}`}`
  self.key = options.key
  self.merge = options.merge
  self.dependencies = options.dependencies ?? (() => [])
  self.build = (args: unknown): Component.Construct => ({ _tag: "Effect", effect: options.build(args) })
  return self
}

/** @internal */
export const request = (family: Family.Family<unknown, unknown, unknown>, args: unknown) =>
  dependency.member(family as unknown as dependency.FamilyLike, args)
