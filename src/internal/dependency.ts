import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import { globalValue } from "effect/GlobalValue"
import type * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import type * as Dependency from "../Dependency.js"
import type * as Errors from "../Errors.js"
import type * as Family from "../Family.js"
import * as Qualifier from "../Qualifier.js"

/** @internal */
export const TypeId: unique symbol = Symbol.for("layerwise/Dependency")

/** @internal */
export type Selector =
  | { readonly _tag: "Any" }
  | { readonly _tag: "Qualifier"; readonly qualifier: string }
  | { readonly _tag: "Name"; readonly name: string }

/** @internal */
export type Cardinality = "one" | "optional" | "all"

/** @internal */
export interface Request {
  readonly target: Dependency.Any
  readonly selector: Selector
  readonly cardinality: Cardinality
  /** the key the resolved value is provided under (the request's own tag key) */
  readonly key: string
  /** human-readable form: `Database`, `Database@replica`, `Database#primaryDb`, `Option<Database>`, `All<Plugin>` */
  readonly label: string
  /** set on a handle request: its value builds the component when used (lazy, factory, reloadable) */
  readonly handle?: "lazy" | "factory" | "reloadable" | undefined
  /** set on a request for a member of a component family: the family and the arguments of this request */
  readonly member?: MemberRequest | undefined
  /** set on a request for a component's options (`Options.make`): the options themselves (the request's tag) */
  readonly options?: OptionsLike | undefined
}

/**
 * What the resolver needs of an options request (the public type lives in Options.ts): it is its own
 * tag, and its options' name.
 *
 * @internal
 */
export interface OptionsLike extends Context.Tag<unknown, unknown> {
  readonly name: string
}

/** @internal */
export interface MemberRequest {
  readonly family: FamilyLike
  readonly args: unknown
  /** the member's name within its family: `family.key(args)` */
  readonly name: string
}

/**
 * What the resolver needs of a family (the public type lives in Family.ts).
 *
 * @internal
 */
export interface FamilyLike {
  readonly tag: Context.Tag<unknown, unknown>
  readonly name: string
  /** what its members' keys start with: unique to the family (see `Family.make`) */
  readonly keyPrefix: string
  readonly key: (args: unknown) => string
  readonly merge: ((existing: unknown, incoming: unknown) => unknown) | undefined
  readonly dependencies: (args: unknown) => ReadonlyArray<Context.Tag<unknown, unknown>>
  readonly build: (args: unknown) => import("../Component.js").Construct
  /** its members' lifecycle metadata, if the family declares one */
  readonly lifecycle: import("../Lifecycle.js").Lifecycle | undefined
}

/**
 * Every derived tag's key (and so its request's) starts with this: a tag whose key does not is a plain
 * tag, without asking the tag (a user's tag may have such a key too: it is then asked). The prefix is
 * reserved: a component of a plain tag with it is invalid, layerwise's own services aside (see
 * `ownServiceKeys`).
 *
 * @internal
 */
export const derivedPrefix = "layerwise/"

/** The key of `App.Shutdowner`'s tag (made in internal/app.ts). @internal */
export const shutdownerKey = "layerwise/App/Shutdowner"

/** The key of `App.Health`'s tag (made in internal/app.ts). @internal */
export const healthKey = "layerwise/App/Health"

/** The key of `App.Application`'s tag (made in internal/app.ts). @internal */
export const applicationKey = "layerwise/App/Application"

/**
 * The key of `Container.Container`'s tag: a request of it resolves to the running container (the
 * rule `container`), never to a component.
 *
 * @internal
 */
export const containerKey = "layerwise/Container"

/** The key of `Ops.Server`'s tag (made in internal/ops.ts). @internal */
export const opsServerKey = "layerwise/Ops/Server"

/**
 * The keys of layerwise's own services that are registered as components: the only service keys
 * with the derived prefix a registry accepts (the resolver rejects any other component whose key has
 * it: a context holds one value per key, so such a service would alias a derived request).
 *
 * - `layerwise/App/Shutdowner`: `App.Shutdowner`, registered by every App (`App.ShutdownerLive`) and
 *   by users who provide their own. Its tag is made in internal/app.ts with `shutdownerKey`; no
 *   derived key can be equal to it (those read `layerwise/family/...`, `layerwise/Option<...>`,
 *   `layerwise/All<...>`, or hold `@` or `#`), and Resolver tests check that it is accepted.
 * - `layerwise/App/Health`: `App.Health` (`App.HealthLive`), the same way (`healthKey`).
 * - `layerwise/App/Application`: `App.Application` (`App.ApplicationLive`), the same way (`applicationKey`).
 * - `layerwise/Ops/Server`: `Ops.Server`, provided by the component `Ops.serve` makes (`opsServerKey`).
 *
 * Not listed, since never examined as a component's tag: App's startup barrier (`layerwise/startup`)
 * is a plan node made after resolution; family members are candidates of their family's tag, not of
 * their member key; `Instances.Tag` keys are the user's.
 *
 * @internal
 */
export const ownServiceKeys: ReadonlySet<string> = new Set([shutdownerKey, healthKey, applicationKey, opsServerKey])

/** A member's key as given, for messages: a string quoted, so that an empty one shows. @internal */
export const describeKey = (key: unknown): string => typeof key === "string" ? JSON.stringify(key) : String(key)

/**
 * A request for the member of a family named `family.key(args)`. Not interned: two requests with the
 * same member name share the key (so the same instance) but each carries its own arguments, which
 * the resolver merges.
 *
 * @internal
 */
export const member = <Id, Service, A>(family: FamilyLike, args: A): Context.Tag<Family.Member<Id, A>, Service> => {
  const name = family.key(args)
  if (typeof name !== "string" || name.length === 0) {
    throw new TypeError(`Family.request: the key function of family ${family.name} must return a non-empty string, got ${describeKey(name)}`)
  }
  const label = `${family.name}(${name})`
  const key = `${family.keyPrefix}(${name})`
  const tag = Context.GenericTag<unknown, unknown>(key)
  const request: Request = {
    target: family.tag,
    selector: anySelector,
    cardinality: "one",
    key,
    label,
    member: { family, args, name }
  }
  Object.defineProperty(tag, TypeId, { value: request, enumerable: false })
  // the identifier is a type-level name of the request, known to the caller (see `derive`)
  return tag as Context.Tag<Family.Member<Id, A>, Service>
}

/**
 * Makes `tag` the request for the options `tag` stands for: it resolves to the options themselves
 * when no component provides its tag (see `Options.make`).
 *
 * @internal
 */
export const markOptions = (tag: OptionsLike, label: string): void => {
  const request: Request = { target: tag, selector: anySelector, cardinality: "one", key: tag.key, label, options: tag }
  Object.defineProperty(tag, TypeId, { value: request, enumerable: false })
}

/**
 * A derived key for `label` that no other derived request has (`layerwise/<label>`, then
 * `layerwise/<label>~2`...), for requests that are not interned by what they mean (options).
 *
 * @internal
 */
export const uniqueKey = (label: string): string => {
  const usedKeys = derived.usedKeys
  let key = `${derivedPrefix}${label}`
  for (let suffix = 2; usedKeys.has(key); suffix++) key = `${derivedPrefix}${label}~${suffix}`
  usedKeys.add(key)
  return key
}

/**
 * The options each Config made by `Options` reads (the Configs of options conditions), so that a plan
 * lists the options its conditions read. Process-wide, as the derived keys are.
 */
const optionsConfigs = globalValue(Symbol.for("layerwise/Dependency/optionsConfigs"), () => new WeakMap<object, OptionsLike>())

/** Records that `config` reads (a value of) `options`. @internal */
export const readsOptions = (config: object, options: OptionsLike): void => {
  optionsConfigs.set(config, options)
}

/** The options a Config reads, when `Options` made it. @internal */
export const optionsOfConfig = (config: object): OptionsLike | undefined => optionsConfigs.get(config)

/** @internal */
export const anySelector: Selector = { _tag: "Any" }

/** @internal */
export const isDependency = (u: unknown): u is Context.Tag<unknown, unknown> & { readonly [TypeId]: Request } =>
  // the resolver asks once per distinct derived request: a direct check, no `dual` wrapper
  (typeof u === "function" || (typeof u === "object" && u !== null)) && TypeId in u

/**
 * The request a tag stands for. A plain tag is a single-valued, unselected request of itself (made
 * on demand: the resolver reads plain tags by key and never asks for theirs); a tag made by this
 * module carries its request.
 *
 * @internal
 */
export const requestOf = (tag: Context.Tag<unknown, unknown>): Request =>
  isDependency(tag) ? tag[TypeId] : { target: tag, selector: anySelector, cardinality: "one", key: tag.key, label: tag.key }

/**
 * A request as plan data (`Dependency.describe`, `Plan.Edge.request`).
 *
 * @internal
 */
export const describe = (request: Request): Dependency.Description => ({
  service: request.target.key,
  selector: request.selector,
  cardinality: request.cardinality,
  key: request.key,
  label: request.label,
  ...(request.handle === undefined ? undefined : { handle: request.handle })
})

// Derived tags are interned by what they mean (target key, selector, cardinality), not by their
// label: requesting `all(Plugin)` twice yields the same tag object, and creating one never captures a
// second stack trace (Context.GenericTag does that on every call). Labels can coincide for different
// requests when names contain `@` or `#` (`qualified(Tag("X"), "y#z")` and `named(Tag("X@y"), "z")`
// both read `X@y#z`); the second one then gets a context key with a numbered suffix (`layerwise/X@y#z~2`),
// so two different requests never share a key. Process-wide (`globalValue`), so that two loaded copies
// of layerwise intern into one table and agree on every derived key.
const derived = globalValue(Symbol.for("layerwise/Dependency/derived"), () => ({
  interned: new Map<string, Context.Tag<unknown, unknown>>(),
  usedKeys: new Set<string>()
}))

const identityOf = (request: Omit<Request, "key">): string =>
  JSON.stringify([
    request.target.key,
    request.selector._tag,
    request.selector._tag === "Qualifier" ? request.selector.qualifier : request.selector._tag === "Name" ? request.selector.name : "",
    request.cardinality,
    request.handle ?? ""
  ])

/**
 * The tag of a derived request, typed by its caller: a derived tag's identifier is a type-level name
 * of the request (the context holds the service under the derived key), so only its caller knows it.
 */
const derive = <Identifier, Service>(request: Omit<Request, "key">): Context.Tag<Identifier, Service> => {
  const identity = identityOf(request)
  const interned = derived.interned
  let tag = interned.get(identity)
  if (tag === undefined) {
    const key = uniqueKey(request.label)
    const made = Context.GenericTag<unknown, unknown>(key)
    Object.defineProperty(made, TypeId, { value: { ...request, key }, enumerable: false })
    tag = made
    interned.set(identity, tag)
  }
  return tag as Context.Tag<Identifier, Service>
}

const selectorLabel = (selector: Selector): string =>
  selector._tag === "Qualifier" ? `@${selector.qualifier}` : selector._tag === "Name" ? `#${selector.name}` : ""

const assertTag = (operation: string, tag: unknown): Context.Tag<unknown, unknown> => {
  if (!Context.isTag(tag)) {
    throw new TypeError(`Dependency.${operation}: expected a Context.Tag, got ${String(tag)}`)
  }
  return tag
}

/** Options always resolve, to the options or the component of their tag: they are requested as they are. */
const assertNotOptions = (operation: string, request: Request): void => {
  if (request.options !== undefined) {
    throw new TypeError(`Dependency.${operation}: ${request.label} are a component's options; request them as they are (they always resolve)`)
  }
}

const assertSingle = (operation: string, tag: Context.Tag<unknown, unknown>): Request => {
  const request = requestOf(tag)
  assertNotOptions(operation, request)
  if (request.member !== undefined) {
    throw new TypeError(`Dependency.${operation}: ${request.label} is a family member; request it directly (a member always exists)`)
  }
  if (request.cardinality !== "one" || request.handle !== undefined) {
    const what = request.handle !== undefined ? `a ${request.handle} handle` : request.cardinality === "all" ? "a collection" : "optional"
    throw new TypeError(`Dependency.${operation}: ${request.label} is already ${what}; ${operation} applies to a tag or a qualified/named request`)
  }
  return request
}

const assertPlain = (operation: string, tag: Context.Tag<unknown, unknown>): void => {
  const request = requestOf(tag)
  assertNotOptions(operation, request)
  if (request.cardinality !== "one" || request.selector._tag !== "Any") {
    throw new TypeError(`Dependency.${operation}: ${request.label} is already a derived request; apply ${operation} to the service's own tag`)
  }
}

/** @internal */
export const qualified = <Id, Service, const Q extends string>(
  tag: Context.Tag<Id, Service>,
  qualifier: Qualifier.Input<Q>
): Context.Tag<Dependency.Qualified<Id, Q>, Service> => {
  assertPlain("qualified", assertTag("qualified", tag))
  const name = Qualifier.nameOf(qualifier)
  if (typeof name !== "string" || name.length === 0) {
    throw new TypeError(`Dependency.qualified: the qualifier of ${tag.key} must be a non-empty string or Qualifier`)
  }
  const selector: Selector = { _tag: "Qualifier", qualifier: name }
  return derive({ target: tag, selector, cardinality: "one", label: `${tag.key}${selectorLabel(selector)}` })
}

/** @internal */
export const named = <Id, Service, const N extends string>(
  tag: Context.Tag<Id, Service>,
  name: N
): Context.Tag<Dependency.Named<Id, N>, Service> => {
  assertPlain("named", assertTag("named", tag))
  if (typeof name !== "string" || name.length === 0) {
    throw new TypeError(`Dependency.named: the name requested of ${tag.key} must be a non-empty string`)
  }
  const selector: Selector = { _tag: "Name", name }
  return derive({ target: tag, selector, cardinality: "one", label: `${tag.key}${selectorLabel(selector)}` })
}

/** @internal */
export const optional = <Id, Service>(tag: Context.Tag<Id, Service>): Context.Tag<Dependency.Optional<Id>, Option.Option<Service>> => {
  const inner = assertSingle("optional", assertTag("optional", tag))
  return derive({ target: inner.target, selector: inner.selector, cardinality: "optional", label: `Option<${inner.label}>` })
}

/** @internal */
export const all = <Id, Service>(tag: Context.Tag<Id, Service>): Context.Tag<Dependency.All<Id>, ReadonlyArray<Service>> => {
  const inner = assertSingle("all", assertTag("all", tag))
  return derive({ target: inner.target, selector: inner.selector, cardinality: "all", label: `All<${inner.label}>` })
}

const handleLabels = { lazy: "Lazy", factory: "Factory", reloadable: "Reloadable" } as const

/**
 * The label of the request a handle's label wraps (`Lazy<Db@replica>` -> `Db@replica`); any other label as it is.
 * A problem of a handle is its target's: nothing provides a handle itself.
 *
 * @internal
 */
export const handleTargetLabel = (label: string): string => {
  for (const kind of Object.values(handleLabels)) {
    if (label.startsWith(`${kind}<`) && label.endsWith(">")) return label.slice(kind.length + 1, -1)
  }
  return label
}

const handle = <Identifier, Value>(kind: "lazy" | "factory" | "reloadable", tag: Context.Tag<unknown, unknown>) => {
  const inner = assertSingle(kind, assertTag(kind, tag))
  return derive<Identifier, Value>({
    target: inner.target,
    selector: inner.selector,
    cardinality: "one",
    label: `${handleLabels[kind]}<${inner.label}>`,
    handle: kind
  })
}

/** @internal */
export const lazy = <Id, Service>(tag: Context.Tag<Id, Service>): Context.Tag<Dependency.Lazy<Id>, Effect.Effect<Service, Errors.HandleError>> =>
  handle("lazy", tag as Context.Tag<unknown, unknown>)

/** @internal */
export const factory = <Id, Service>(
  tag: Context.Tag<Id, Service>
): Context.Tag<Dependency.Factory<Id>, Effect.Effect<Service, Errors.HandleError, Scope.Scope>> =>
  handle("factory", tag as Context.Tag<unknown, unknown>)

/** @internal */
export const reloadable = <Id, Service>(
  tag: Context.Tag<Id, Service>
): Context.Tag<Dependency.Reloadable<Id>, Dependency.ReloadableHandle<Service>> => handle("reloadable", tag as Context.Tag<unknown, unknown>)
