import type * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import { globalValue } from "effect/GlobalValue"
import * as Inspectable from "effect/Inspectable"
import { pipeArguments } from "effect/Pipeable"
import { hasProperty } from "effect/Predicate"
import type * as Component from "../Component.js"
import type * as Dependency from "../Dependency.js"
import type * as Family from "../Family.js"
import * as component from "./component.js"
import { describeValue } from "./describe.js"
import * as dependency from "./dependency.js"

/** @internal */
export const TypeId: Family.TypeId = Symbol.for("layerwise/Family") as Family.TypeId

const FamilyProto = {
  ...Inspectable.BaseProto,
  [TypeId]: TypeId,
  pipe() {
    return pipeArguments(this, arguments)
  },
  of(this: Family.Family<unknown, unknown, unknown>, args: unknown) {
    return dependency.member(this as unknown as dependency.FamilyLike, args)
  },
  toString(this: Family.Family<unknown, unknown, unknown>) {
    return `Family(${this.name})`
  },
  toJSON(this: Family.Family<unknown, unknown, unknown>) {
    return { _id: "Family", name: this.name, service: this.tag.key }
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
export const make = <Id, Service, Args, E = never>(
  tag: Context.Tag<Id, Service>,
  options: {
    readonly name?: string | undefined
    readonly key: (args: Args) => string
    readonly merge?: ((existing: Args, incoming: Args) => Args) | undefined
    readonly dependencies?: ((args: Args) => ReadonlyArray<Dependency.Any>) | undefined
    readonly build: (args: Args) => Effect.Effect<Service, E, unknown>
    readonly lifecycle?: ((member: Component.Component<Id, Service, E>) => Component.Component<Id, Service, E>) | undefined
  }
): Family.Family<Id, Service, Args, E> => {
  const name = options.name ?? tag.key
  if (typeof name !== "string" || name.length === 0) {
    throw new TypeError(`Family.make: the family of ${tag.key} needs a non-empty name`)
  }
  if (typeof options.key !== "function" || typeof options.build !== "function") {
    throw new TypeError(`Family.make: family ${name} needs a key function and a build function`)
  }
  if (options.dependencies !== undefined && typeof options.dependencies !== "function") {
    // a list where a function of the member's arguments is expected: the common slip from Component.make
    throw new TypeError(
      `Family.make: the dependencies of family ${name} must be a function of a member's arguments (\`dependencies: (args) => [...]\`), got ${
        describeValue(options.dependencies)
      }`
    )
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
  self.build = (args: Args): Component.Construct => ({ _tag: "Effect", effect: options.build(args) })
  // the lifecycle combinators applied to a stand-in component of the family's service: every member
  // (not replaced) carries the metadata they made
  self.lifecycle = options.lifecycle === undefined ? undefined : options.lifecycle(
    component.fromFields({
      tag,
      name,
      qualifiers: [],
      primary: false,
      alternative: false,
      order: 0,
      dependencies: [],
      construct: { _tag: "Value", value: undefined }
    }) as Component.Component<Id, Service, E>
  ).lifecycle
  return self
}

/** @internal */
export const request = <Id, Service, Args, const A extends Args>(
  family: Family.Family<Id, Service, Args, unknown>,
  args: A
): Context.Tag<Family.Member<Id, A>, Service> =>
  // the resolver's view of a family (internal fields the public type does not show)
  dependency.member<Id, Service, A>(family as unknown as dependency.FamilyLike, args)
