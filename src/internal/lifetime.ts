import * as Context from "effect/Context"
import * as Equal from "effect/Equal"
import { dual } from "effect/Function"
import * as Hash from "effect/Hash"
import * as Inspectable from "effect/Inspectable"
import { pipeArguments } from "effect/Pipeable"
import { hasProperty } from "effect/Predicate"
import type * as Component from "../Component.js"
import type * as Dependency from "../Dependency.js"
import type * as Lifetime from "../Lifetime.js"
import * as component from "./component.js"

/** @internal */
export const TypeId: Lifetime.TypeId = Symbol.for("layerwise/Lifetime/ScopeName") as Lifetime.TypeId

const ScopeNameProto = {
  ...Inspectable.BaseProto,
  [TypeId]: TypeId,
  pipe() {
    return pipeArguments(this, arguments)
  },
  toString(this: Lifetime.ScopeName) {
    return `ScopeName(${this.name})`
  },
  toJSON(this: Lifetime.ScopeName) {
    return { _id: "ScopeName", name: this.name }
  },
  // a scope is its name to the resolver and the container (the inputs of one name declared twice are joined)
  [Equal.symbol](this: Lifetime.ScopeName, that: unknown) {
    return isScopeName(that) && that.name === this.name
  },
  [Hash.symbol](this: Lifetime.ScopeName) {
    return Hash.cached(this, Hash.combine(Hash.hash(TypeId))(Hash.string(this.name)))
  }
}

/** @internal */
export const scope = <const Name extends string, const Inputs extends ReadonlyArray<Dependency.Any> = readonly []>(
  name: Name,
  options?: { readonly inputs?: Inputs | undefined }
): Lifetime.ScopeName<Name, Dependency.Identifiers<Inputs>> => {
  if (typeof name !== "string" || name.length === 0) throw new TypeError("Lifetime.scope: a scope needs a non-empty name")
  const inputs = options?.inputs ?? []
  if (!Array.isArray(inputs) || !inputs.every((input) => Context.isTag(input))) {
    throw new TypeError(`Lifetime.scope: the inputs of ${name} must be tags`)
  }
  const self = Object.create(ScopeNameProto)
  self.name = name
  self.inputs = [...new Set(inputs.map((input: Dependency.Any) => input.key))]
  return self
}

/** @internal */
export const isScopeName = (u: unknown): u is Lifetime.ScopeName => hasProperty(u, TypeId)

/** @internal */
export const singleton: Lifetime.Lifetime = { _tag: "Singleton" }

const transientLifetime: Lifetime.Lifetime = { _tag: "Transient" }

/** @internal */
export const get = (self: Component.Any): Lifetime.Lifetime => self.lifetime ?? singleton

const withLifetime = <Id, Service, E>(
  self: Component.Component<Id, Service, E>,
  lifetime: Lifetime.Lifetime
): Component.Component<Id, Service, E> => component.fromFields({ ...component.fieldsOf(self), lifetime })

/** @internal */
export const transient = <Id, Service, E>(self: Component.Component<Id, Service, E>): Component.Component<Id, Service, E> =>
  withLifetime(self, transientLifetime)

/** @internal */
export const scoped: {
  (scope: Lifetime.ScopeName): <Id, Service, E>(self: Component.Component<Id, Service, E>) => Component.Component<Id, Service, E>
  <Id, Service, E>(self: Component.Component<Id, Service, E>, scope: Lifetime.ScopeName): Component.Component<Id, Service, E>
} = dual(2, <Id, Service, E>(self: Component.Component<Id, Service, E>, scope: Lifetime.ScopeName) => withLifetime(self, { _tag: "Scoped", scope }))

/** @internal */
export const format = (lifetime: Lifetime.Lifetime): string =>
  lifetime._tag === "Scoped" ? `scoped(${lifetime.scope.name})` : lifetime._tag === "Singleton" ? "singleton" : "transient"
