import * as Arr from "effect/Array"
import type * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as Inspectable from "effect/Inspectable"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import type * as Types from "effect/Types"
import type * as Dependency from "../Dependency.js"
import { pipeArguments } from "effect/Pipeable"
import { hasProperty } from "effect/Predicate"
import type * as Component from "../Component.js"
import * as Qualifier from "../Qualifier.js"
import * as runtime from "./runtime.js"

/** @internal */
export const TypeId: Component.TypeId = Symbol.for("layerwise/Component") as Component.TypeId

const variance = { _Id: (_: unknown) => _, _Service: (_: unknown) => _ }

const ComponentProto = {
  ...Inspectable.BaseProto,
  [TypeId]: variance,
  pipe() {
    return pipeArguments(this, arguments)
  },
  toString(this: Component.Any) {
    return `Component(${this.name ?? this.tag.key})`
  },
  toJSON(this: Component.Any) {
    return {
      _id: "Component",
      service: this.tag.key,
      name: this.name,
      qualifiers: this.qualifiers,
      primary: this.primary,
      alternative: this.alternative,
      order: this.order,
      dependencies: this.dependencies.map((tag) => tag.key),
      construct: this.construct._tag
    }
  }
}

type Fields = { -readonly [K in keyof Component.Any]: Component.Any[K] }

/** A component's own fields: what its prototype does not give (the type id, `pipe`, `Inspectable`'s members). */
type OwnFields = Omit<Fields, typeof TypeId | "pipe" | "toString" | "toJSON" | typeof Inspectable.NodeInspectSymbol>

/**
 * The class behind every component (its prototype is `ComponentProto`). It exists for one private
 * slot: what the resolver learns of a component (valid or not, its tag's key, its requests' keys)
 * depends only on the component, which never changes, so the resolver keeps it here, once. Private,
 * so neither equality, nor inspection, nor serialisation ever sees it; a slot rather than a
 * `WeakMap`, since a weak map costs a hash insertion per new component and a lookup per resolution,
 * and weighs on every garbage collection.
 */
class ComponentImpl {
  #memo: unknown = undefined

  static memoOf(self: unknown): unknown {
    return typeof self === "object" && self !== null && #memo in self ? self.#memo : undefined
  }

  static remember(self: unknown, memo: unknown): void {
    if (typeof self === "object" && self !== null && #memo in self) self.#memo = memo
  }
}
Object.setPrototypeOf(ComponentImpl.prototype, ComponentProto)

/**
 * What the resolver remembered of a component (`undefined`: nothing yet, or not a component made here).
 *
 * @internal
 */
export const memoOf: (self: unknown) => unknown = ComponentImpl.memoOf

/**
 * Remembers what the resolver learnt of a component; ignored for values not made here.
 *
 * @internal
 */
export const remember: (self: unknown, memo: unknown) => void = ComponentImpl.remember

/** @internal */
export const fromFields = (fields: OwnFields): Component.Any => {
  const self = new ComponentImpl()
  Object.assign(self, fields)
  return self as unknown as Component.Any
}

const modify = (self: Component.Any, patch: Partial<OwnFields>): Component.Any =>
  fromFields({ ...fieldsOf(self), ...patch })

/** @internal */
export const fieldsOf = (self: Component.Any): OwnFields => ({
  tag: self.tag,
  name: self.name,
  qualifiers: self.qualifiers,
  primary: self.primary,
  alternative: self.alternative,
  order: self.order,
  dependencies: self.dependencies,
  construct: self.construct,
  // only present when set, so components without lifecycle metadata keep exactly their old fields
  ...(self.lifecycle !== undefined ? { lifecycle: self.lifecycle } : undefined),
  ...(self.lifetime !== undefined ? { lifetime: self.lifetime } : undefined)
})

/** @internal */
export const isComponent = (u: unknown): u is Component.Any => hasProperty(u, TypeId)

const metadata = (options: Component.Metadata | undefined) => ({
  name: options?.name,
  qualifiers: (options?.qualifiers ?? []).map(Qualifier.nameOf),
  primary: options?.primary ?? false,
  alternative: options?.alternative ?? false,
  order: options?.order ?? 0
})

type Declaration = Component.Metadata & { readonly dependencies?: ReadonlyArray<Dependency.Any> | undefined }

/**
 * The declared dependencies are copied: a component is an immutable value, and what resolution learns
 * of it is kept for its life (`remember`), so a caller's array pushed to later must not change it.
 * (Anything that is not an array is kept as given, for the resolver to report.)
 */
const declare = <Id, Service, E>(
  tag: Context.Tag<Id, Service>,
  options: Declaration,
  construct: Component.Construct
): Component.Component<Id, Service, E> =>
  fromFields({
    tag,
    ...metadata(options),
    dependencies: Array.isArray(options.dependencies) ? options.dependencies.slice() : options.dependencies ?? [],
    construct
  })

/** @internal */
export const make = <Id, Service, E = never, const Dependencies extends ReadonlyArray<Dependency.Any> = readonly []>(
  tag: Context.Tag<Id, Service>,
  options: Component.Metadata & {
    readonly dependencies?: Dependencies
    readonly build: Effect.Effect<Types.NoInfer<Service>, E, Scope.Scope | Dependency.Identifiers<Dependencies>>
  }
): Component.Component<Id, Service, E> => declare(tag, options, { _tag: "Effect", effect: options.build })

/** @internal */
export const fromLayer = <Id, Service, E = never, const Dependencies extends ReadonlyArray<Dependency.Any> = readonly []>(
  tag: Context.Tag<Id, Service>,
  options: Component.Metadata & {
    readonly dependencies?: Dependencies
    readonly layer: Layer.Layer<Id, E, Dependency.Identifiers<Dependencies>>
  }
): Component.Component<Id, Service, E> => declare(tag, options, { _tag: "Layer", layer: options.layer })

/** A static of a class, read without assuming what the class is (from JavaScript, anything). */
const staticOf = (service: unknown, name: "Default" | "DefaultWithoutDependencies"): unknown =>
  (typeof service === "function" || (typeof service === "object" && service !== null)) && name in service
    ? (service as Record<typeof name, unknown>)[name]
    : undefined

/**
 * The layer of an `Effect.Service` class and the layers it lists as `dependencies` (see
 * `Component.fromService`): with explicit dependencies, or for a class without dependencies, its
 * layer alone. The dependency layers are read from `Default` (`Layer.provide(own, dependencies)`);
 * a `Default` not made that way is built as it is, with no requests. What is not a Layer is kept
 * as given, for the resolver to report.
 *
 * @internal
 */
export const fromService = <S extends Component.ServiceClass, const Dependencies extends ReadonlyArray<Dependency.Any> = never>(
  service: S & Component.Service.Requirements<S, Dependencies>,
  ...[options]: Component.Service.OptionsArgument<S, Dependencies>
): Component.Component<Context.Tag.Identifier<S>, Context.Tag.Service<S>, Component.Service.Error<S, Dependencies>> => {
  const args: ReadonlyArray<unknown> = options?.arguments ?? []
  // called on the class: Effect.Service's `Default(...args)` reads `this.DefaultWithoutDependencies`
  const applied = (layer: unknown): unknown => typeof layer === "function" ? layer.apply(service, args) : layer
  const own = staticOf(service, "DefaultWithoutDependencies")
  const metadataOnly: Declaration = { ...options, dependencies: undefined }
  if (options?.dependencies !== undefined) {
    return declare(service, options, { _tag: "Layer", layer: applied(own ?? staticOf(service, "Default")) as Layer.Layer<never> })
  }
  const whole = applied(staticOf(service, "Default"))
  const split = own === undefined ? undefined : runtime.splitProvide(whole)
  return split === undefined
    ? declare(service, metadataOnly, { _tag: "Layer", layer: whole as Layer.Layer<never> })
    : declare(service, metadataOnly, { _tag: "Layer", layer: split.self, serviceDependencies: split.provided })
}

/**
 * The component an Effect.Service component (`fromService`) is once the resolver decided, for
 * each of its dependency layers, whether it is a request (`requests`, after its declared
 * dependencies) or built for it (`inside`, provided to its layer).
 *
 * @internal
 */
export const withServiceDependencies = (
  self: Component.Any,
  requests: ReadonlyArray<Context.Tag<unknown, unknown>>,
  inside: ReadonlyArray<Layer.Layer<never, unknown, unknown>>
): Component.Any => {
  const construct = self.construct as Extract<Component.Construct, { readonly _tag: "Layer" }>
  // merged, as Effect.Service's own Default provides them: none of them is given to another
  const layer = Arr.isNonEmptyReadonlyArray(inside) ? Layer.provide(construct.layer, inside) : construct.layer
  return modify(self, {
    dependencies: requests.length === 0 ? self.dependencies : [...self.dependencies, ...requests],
    construct: { _tag: "Layer", layer }
  })
}

/** @internal */
export const succeed = <Id, Service>(
  tag: Context.Tag<Id, Service>,
  value: Types.NoInfer<Service>,
  options?: Component.Metadata
): Component.Component<Id, Service, never> => declare(tag, { ...options, dependencies: [] }, { _tag: "Value", value })

/**
 * An alias: a transient component of `tag` whose instance is what `initial` resolves to for each
 * requester (the same singleton, a transient's new instance, the open scope's one), built by nothing
 * but that request. Transient, so that it never outlives nor pins what it aliases.
 *
 * @internal
 */
export const alias = <Id, Service, InitialId, InitialService extends Service>(
  tag: Context.Tag<Id, Service>,
  initial: Context.Tag<InitialId, InitialService>,
  options?: Component.Metadata
): Component.Component<Id, Service, never> =>
  // `modify` keeps the declared tag, service and error: it only sets the lifetime
  modify(declare<Id, Service, never>(tag, { ...options, dependencies: [initial as Dependency.Any] }, { _tag: "Effect", effect: initial }), {
    lifetime: { _tag: "Transient" }
  }) as Component.Component<Id, Service, never>

/**
 * Whether a component is an alias: a transient whose constructor is its one request's tag, so that
 * its instance is what that request resolves to (what {@link alias} makes, or the same written by hand).
 *
 * @internal
 */
export const isAlias = (self: Component.Any): boolean =>
  self.lifetime?._tag === "Transient" && self.dependencies.length === 1 && self.construct._tag === "Effect" &&
  self.construct.effect === self.dependencies[0]

/** @internal */
export const named: {
  (name: string): <Id, Service, E>(self: Component.Component<Id, Service, E>) => Component.Component<Id, Service, E>
  <Id, Service, E>(self: Component.Component<Id, Service, E>, name: string): Component.Component<Id, Service, E>
} = dual(2, (self: Component.Any, name: string): Component.Any => modify(self, { name }))

/** @internal */
export const qualified: {
  (qualifiers: ReadonlyArray<Qualifier.Input>): <Id, Service, E>(
    self: Component.Component<Id, Service, E>
  ) => Component.Component<Id, Service, E>
  <Id, Service, E>(
    self: Component.Component<Id, Service, E>,
    qualifiers: ReadonlyArray<Qualifier.Input>
  ): Component.Component<Id, Service, E>
} = dual(
  2,
  (self: Component.Any, qualifiers: ReadonlyArray<Qualifier.Input>): Component.Any =>
    modify(self, { qualifiers: [...self.qualifiers, ...qualifiers.map(Qualifier.nameOf)] })
)

/** @internal */
export const primary = <Id, Service, E>(self: Component.Component<Id, Service, E>): Component.Component<Id, Service, E> =>
  modify(self, { primary: true })

/** @internal */
export const alternative = <Id, Service, E>(self: Component.Component<Id, Service, E>): Component.Component<Id, Service, E> =>
  modify(self, { alternative: true })

/** @internal */
export const order: {
  (order: number): <Id, Service, E>(self: Component.Component<Id, Service, E>) => Component.Component<Id, Service, E>
  <Id, Service, E>(self: Component.Component<Id, Service, E>, order: number): Component.Component<Id, Service, E>
} = dual(2, (self: Component.Any, order: number): Component.Any => modify(self, { order }))

/** @internal */
export const displayName = (self: Component.Any): string => self.name ?? self.tag.key

/** The constructors of layerwise's own services (`App.Health`, ...), which App registers (see `app/builtins.ts`). */
const builtInConstructors = new WeakSet<object>()

/**
 * Marks a constructor as one of layerwise's own services': a component built by it is provided by
 * the application, not one of its components. The low layers (Explain, container snapshots, ops)
 * tell such components apart through `isBuiltIn` without knowing App.
 *
 * @internal
 */
export const markBuiltIn = <A extends object>(constructor: A): A => {
  builtInConstructors.add(constructor)
  return constructor
}

/**
 * Whether a component is one of layerwise's own services (see `markBuiltIn`): told by its
 * constructor, so that a component of the user's own for one of those tags is the user's.
 *
 * @internal
 */
export const isBuiltIn = (self: Component.Any): boolean =>
  self.construct._tag === "Effect" && builtInConstructors.has(self.construct.effect)
