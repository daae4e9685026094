import * as Arr from "effect/Array"
import { dual } from "effect/Function"
import * as Inspectable from "effect/Inspectable"
import { pipeArguments } from "effect/Pipeable"
import { hasProperty } from "effect/Predicate"
import type * as Component from "../Component.js"
import type * as Registry from "../Registry.js"
import type * as Condition from "../Condition.js"
import type * as Family from "../Family.js"
import * as Qualifier from "../Qualifier.js"
import * as component from "./component.js"
import * as conditionInternal from "./condition.js"
import * as family from "./family.js"

/** @internal */
export const TypeId: Registry.TypeId = Symbol.for("layerwise/Registry") as Registry.TypeId

/** @internal */
export type Entry =
  | { readonly _tag: "Component"; readonly component: Component.Any }
  | {
    readonly _tag: "Override"
    readonly component: Component.Any
    readonly replaces?: true | undefined
    /** a child container's own components (`shadow`): the list this one came in */
    readonly shadows?: ReadonlyArray<Component.Any> | undefined
  }
  | { readonly _tag: "Replace"; readonly name: string; readonly component: Component.Any }
  | { readonly _tag: "Include"; readonly registry: Registry.Registry }
  | { readonly _tag: "Family"; readonly family: Family.Family<unknown, unknown, unknown> }
  | { readonly _tag: "When"; readonly condition: Condition.Condition; readonly registry: Registry.Registry }

/** @internal */
export interface RegistryImpl extends Registry.Registry<unknown> {
  readonly entries: ReadonlyArray<Entry>
}

const RegistryProto = {
  ...Inspectable.BaseProto,
  [TypeId]: { _E: (_: never) => _ },
  pipe() {
    return pipeArguments(this, arguments)
  },
  toString(this: RegistryImpl) {
    return `Registry(${this.entries.length} ${this.entries.length === 1 ? "entry" : "entries"})`
  },
  toJSON(this: RegistryImpl) {
    return { _id: "Registry", entries: this.entries.map(entryJson) }
  }
}

const entryJson = (entry: Entry): unknown => {
  switch (entry._tag) {
    case "Component":
    case "Override":
      return { _tag: entry._tag, component: entry.component.toJSON() }
    case "Replace":
      return { _tag: entry._tag, name: entry.name, component: entry.component.toJSON() }
    case "Family":
      return { _tag: entry._tag, family: entry.family.name }
    case "Include":
      return { _tag: entry._tag, registry: entry.registry.toJSON() }
    case "When":
      return { _tag: entry._tag, condition: entry.condition.description, registry: entry.registry.toJSON() }
  }
}

const fromEntries = <E>(entries: ReadonlyArray<Entry>): Registry.Registry<E> => {
  const self = Object.create(RegistryProto)
  self.entries = entries
  return self
}

/** @internal */
export const isRegistry = (u: unknown): u is Registry.Registry<unknown> => hasProperty(u, TypeId)

/** @internal */
export const empty: Registry.Registry<never> = fromEntries([])

const toEntry = (item: Registry.Item): Entry => {
  if (isRegistry(item)) return { _tag: "Include", registry: item }
  if (family.isFamily(item)) return { _tag: "Family", family: item }
  if (component.isComponent(item)) return { _tag: "Component", component: item }
  // Not a component: kept as an entry so the resolver reports it as an InvalidDeclaration with the
  // rest of the problems instead of throwing half-way through building a registry.
  return { _tag: "Component", component: item as unknown as Component.Any }
}

/** @internal */
export const make = <const Items extends ReadonlyArray<Registry.Item>>(...items: Items): Registry.Registry<Registry.Error<Items[number]>> =>
  fromEntries(items.map(toEntry))

const entriesOf = (self: Registry.Registry<unknown>): ReadonlyArray<Entry> => (self as RegistryImpl).entries

/** @internal */
export const add: {
  <const Items extends Registry.Item | ReadonlyArray<Registry.Item>>(
    items: Items
  ): <E>(self: Registry.Registry<E>) => Registry.Registry<E | Registry.Error<Items>>
  <E, const Items extends Registry.Item | ReadonlyArray<Registry.Item>>(
    self: Registry.Registry<E>,
    items: Items
  ): Registry.Registry<E | Registry.Error<Items>>
} = dual(
  2,
  (self: Registry.Registry<unknown>, items: Registry.Item | ReadonlyArray<Registry.Item>): Registry.Registry<unknown> =>
    fromEntries([...entriesOf(self), ...Arr.ensure(items).map(toEntry)])
)

/** @internal */
export const override: {
  <const Components extends Component.Any | ReadonlyArray<Component.Any>>(
    components: Components
  ): <E>(self: Registry.Registry<E>) => Registry.Registry<E | Registry.Error<Components>>
  <E, const Components extends Component.Any | ReadonlyArray<Component.Any>>(
    self: Registry.Registry<E>,
    components: Components
  ): Registry.Registry<E | Registry.Error<Components>>
} = dual(
  2,
  (self: Registry.Registry<unknown>, components: Component.Any | ReadonlyArray<Component.Any>): Registry.Registry<unknown> =>
    fromEntries([...entriesOf(self), ...Arr.ensure(components).map((component): Entry => ({ _tag: "Override", component, replaces: true }))])
)

/**
 * `override` for a child container's own components: they shadow the parent's of their service, and
 * one of a service the parent has none of adds it (not an override of nothing, see `Flattened.replacing`).
 * One named as a component of its service registered before it (the parent's, an ancestor's) takes
 * that one's place, as a replacement by name does, where the two names would collide: see `unshadowed`.
 * Each list's components are an override level deeper than the list's before it (`Flattened.levels`).
 *
 * @internal
 */
export const shadow = (self: Registry.Registry<unknown>, components: ReadonlyArray<Component.Any>): Registry.Registry<unknown> =>
  fromEntries([...entriesOf(self), ...components.map((component): Entry => ({ _tag: "Override", component, shadows: components }))])

/** @internal */
export const replace: {
  <Id, Service, E2>(
    name: string,
    component: Component.Component<Id, Service, E2>
  ): <E>(self: Registry.Registry<E>) => Registry.Registry<E | E2>
  <E, Id, Service, E2>(
    self: Registry.Registry<E>,
    name: string,
    component: Component.Component<Id, Service, E2>
  ): Registry.Registry<E | E2>
} = dual(
  3,
  (self: Registry.Registry<unknown>, name: string, component: Component.Any): Registry.Registry<unknown> =>
    fromEntries([...entriesOf(self), { _tag: "Replace", name, component }])
)

/**
 * Guarded items; with the condition alone, the guard of the one item it is then applied to (a
 * registry item is never a condition, so the arity tells the forms apart).
 *
 * @internal
 */
export const when: {
  (condition: Condition.Condition): <I extends Registry.Item>(item: I) => Registry.Registry<Registry.Error<I>>
  <const Items extends readonly [Registry.Item, ...Array<Registry.Item>]>(
    condition: Condition.Condition,
    ...items: Items
  ): Registry.Registry<Registry.Error<Items[number]>>
} = // one implementation of both forms, typed by the overloads above (a function expression cannot have overloads)
function(condition: Condition.Condition, ...items: ReadonlyArray<Registry.Item>) {
  if (arguments.length === 1) {
    return (item: Registry.Item) => fromEntries([{ _tag: "When", condition, registry: make(item) }])
  }
  return fromEntries([{ _tag: "When", condition, registry: make(...items) }])
} as never

/** @internal */
export interface Flattened {
  /**
   * Every component occurrence, in registration order, with what is not a component too (the
   * resolver reports it). The same component may occur more than once (added twice, or present in two
   * registries made from one another with `add`): the resolver counts it once, at its first
   * occurrence, and as an override if any of its occurrences is one.
   */
  readonly components: ReadonlyArray<Component.Any>
  /** `overrides[i]`: occurrence `i` was registered as an override */
  readonly overrides: ReadonlyArray<boolean>
  /**
   * The components registered by `Registry.override` (and so `Testing`'s overrides), in registration
   * order: each must replace something, a service the registry provides or something requests (the
   * resolver reports one that replaces nothing). Empty, and shared, when there are none.
   */
  readonly replacing: ReadonlyArray<Component.Any>
  /** name -> replacement (the last one, when the name is in `replacedTwice`) */
  readonly replacements: ReadonlyMap<string, Component.Any>
  /**
   * name -> its replacements in registration order, for the names replaced by more than one
   * component (a conflict the resolver reports; the same replacement entry reached twice is one)
   */
  readonly replacedTwice: ReadonlyMap<string, ReadonlyArray<Component.Any>>
  /** the registered component families (members are resolved only for these) */
  readonly families: ReadonlySet<unknown>
  /** conditions that threw while evaluated, with what they threw */
  readonly conditionFailures: ReadonlyArray<{ readonly condition: Condition.Condition; readonly error: unknown }>
  /**
   * The guarded registries skipped because their condition was false or could not be evaluated, in
   * registration order: only looked into when a request finds nothing, to say what the conditions
   * excluded (see `excluded`).
   */
  readonly skipped: ReadonlyArray<Skipped>
  /**
   * the environment the conditions were evaluated in: with what presence conditions see when a guard
   * reading the registry was reached (see `providersOf`)
   */
  readonly environment: Condition.Environment
  /** the conditions evaluated that read Configs (what the plan's options include: see `Plan.options`) */
  readonly read: ReadonlyArray<Condition.Condition>
  /** the registry flattened: what presence conditions nested in a skipped registry read (see `excluded`) */
  readonly root: Registry.Registry
  /**
   * A child container's own components (`shadow`) by how deep the child that lists them is (1 for a
   * root's child, 2 for a grandchild; a component listed at two depths, the deeper): among the
   * overrides that apply to a request, the nearest container's win (see `choose`). `undefined` when no
   * child's components were flattened.
   */
  readonly levels: ReadonlyMap<Component.Any, number> | undefined
}

/**
 * A guarded registry left out: its condition was false, or could not be evaluated (`unevaluated`;
 * why is a problem of its own).
 *
 * @internal
 */
export interface Skipped {
  readonly condition: Condition.Condition
  readonly registry: Registry.Registry
  readonly unevaluated?: true | undefined
}

const noComponents: ReadonlyArray<Component.Any> = []

/**
 * Flattens nested registries depth-first in entry order. Iterative: deep module nesting cannot
 * overflow the stack.
 *
 * A registry included more than once (a module shared by two modules) is walked once, at its first
 * inclusion, and a replacement entry reached twice counts once (only distinct replacements of one
 * name conflict, see `replacedTwice`). (Components reached twice are counted once by the resolver, see {@link Flattened}: it groups
 * them by tag anyway, which finds repeats without a lookup per component.) Entries guarded by a
 * condition that is false in the environment are skipped whole. A guard that reads the registry
 * (`Condition.missing`, `Condition.present`) is evaluated where it is reached, against what
 * `providersOf` counts: the same for every such guard, whatever their order.
 *
 * @internal
 */
export const flatten = (root: Registry.Registry, environment: Condition.Environment): Flattened => {
  const conditionFailures: Array<{ condition: Condition.Condition; error: unknown }> = []
  // sized for the root's entries (a registry of components alone fills them exactly), written by
  // index: grown past that by nested registries, cut to what was written at the end
  const rootEntries = (root as RegistryImpl).entries
  const components: Array<Component.Any> = new Array(rootEntries.length)
  const overrides: Array<boolean> = new Array(rootEntries.length)
  let count = 0
  let replacing: Array<Component.Any> | undefined
  // a child container's own named components, where they occur (see `unshadowed`)
  let shadowing: Array<Shadowing> | undefined
  // a child container's own components by depth (see `Flattened.levels`), and each child's list by its
  // depth: a child's list comes after its parent's
  let levels: Map<Component.Any, number> | undefined
  let lists: Map<ReadonlyArray<Component.Any>, number> | undefined
  const replacements = new Map<string, Component.Any>()
  const replacedTwice = new Map<string, Array<Component.Any>>()
  const families = new Set<unknown>()
  const skipped: Array<Skipped> = []
  const read: Array<Condition.Condition> = []
  // the environment of the guards that read the registry, made when the first one is reached
  let withProviders: Condition.Environment | undefined
  // registries and replacement entries already reached
  const reached = new Set<unknown>([root])
  const stack: Array<{ readonly entries: ReadonlyArray<Entry>; index: number }> = [{ entries: rootEntries, index: 0 }]
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!
    if (frame.index >= frame.entries.length) {
      stack.pop()
      continue
    }
    const entry = frame.entries[frame.index++]!
    switch (entry._tag) {
      case "Component":
        components[count] = entry.component
        overrides[count++] = false
        break
      case "Override":
        if (entry.shadows !== undefined) {
          if (component.isComponent(entry.component) && entry.component.name !== undefined) (shadowing ??= []).push({ at: count, entry })
          lists ??= new Map()
          let level = lists.get(entry.shadows)
          if (level === undefined) lists.set(entry.shadows, level = lists.size + 1)
          levels ??= new Map()
          if ((levels.get(entry.component) ?? 0) < level) levels.set(entry.component, level)
        }
        components[count] = entry.component
        overrides[count++] = true
        if (entry.replaces === true) (replacing ??= []).push(entry.component)
        break
      case "Replace":
        if (!reached.has(entry)) {
          reached.add(entry)
          const earlier = replacements.get(entry.name)
          if (earlier !== undefined && earlier !== entry.component) {
            const all = replacedTwice.get(entry.name)
            if (all === undefined) replacedTwice.set(entry.name, [earlier, entry.component])
            else all.push(entry.component)
          }
          replacements.set(entry.name, entry.component)
        }
        break
      case "Family":
        families.add(entry.family)
        break
      case "When": {
        let holds = false
        let threw = false
        if (entry.condition.configs !== undefined) read.push(entry.condition)
        const evaluated = conditionInternal.readsRegistry(entry.condition)
          ? (withProviders ??= conditionInternal.withProviders(environment, providersOf(root, environment)))
          : environment
        try {
          holds = entry.condition.test(evaluated) === true
        } catch (error) {
          threw = true
          conditionFailures.push({ condition: entry.condition, error })
          skipped.push({ condition: entry.condition, registry: entry.registry, unevaluated: true })
        }
        if (holds && !reached.has(entry.registry)) {
          reached.add(entry.registry)
          stack.push({ entries: (entry.registry as RegistryImpl).entries, index: 0 })
        } else if (!holds && !threw) {
          skipped.push({ condition: entry.condition, registry: entry.registry })
        }
        break
      }
      case "Include":
        if (!reached.has(entry.registry)) {
          reached.add(entry.registry)
          stack.push({ entries: (entry.registry as RegistryImpl).entries, index: 0 })
        }
        break
    }
  }
  if (count < components.length) {
    components.length = count
    overrides.length = count
  }
  if (shadowing !== undefined && unshadowed(components, overrides, shadowing, replacements, replacedTwice) && replacing !== undefined) {
    const kept = new Set(components)
    replacing = replacing.filter((each) => kept.has(each))
  }
  return {
    components,
    overrides,
    replacing: replacing ?? noComponents,
    replacements,
    replacedTwice,
    families,
    conditionFailures,
    skipped,
    environment: withProviders ?? environment,
    read,
    root,
    levels
  }
}

/** A child container's own named component (`shadow`), at its position among the flattened components. */
interface Shadowing {
  readonly at: number
  readonly entry: Extract<Entry, { readonly _tag: "Override" }>
}

/**
 * Takes out of the flattened components those a child container's own component takes the place of:
 * one registered before it (its parent's, an ancestor's, whatever its kind) of its service and its
 * name, unless it is one of the child's own too (a component the child lists again), with the
 * replacements by that name (they replaced the component taken out, not the child's). A name given
 * twice among one child's own components, or to components of two services, stays a duplicate name.
 * Whether any was taken out.
 */
const unshadowed = (
  components: Array<Component.Any>,
  overrides: Array<boolean>,
  shadowing: ReadonlyArray<Shadowing>,
  replacements: Map<string, Component.Any>,
  replacedTwice: Map<string, Array<Component.Any>>
): boolean => {
  const out = new Set<number>()
  for (const { at, entry } of shadowing) {
    const { name, tag } = entry.component
    let taken = false
    for (let position = 0; position < at; position++) {
      const earlier = components[position]!
      // a value that is no component is kept for the resolver to report
      if (component.isComponent(earlier) && earlier.name === name && earlier.tag.key === tag.key && !entry.shadows!.includes(earlier)) {
        out.add(position)
        taken = true
      }
    }
    if (taken) {
      replacements.delete(name!)
      replacedTwice.delete(name!)
    }
  }
  if (out.size === 0) return false
  let kept = 0
  for (let position = 0; position < components.length; position++) {
    if (out.has(position)) continue
    components[kept] = components[position]!
    overrides[kept++] = overrides[position]!
  }
  components.length = kept
  overrides.length = kept
  return true
}

/**
 * What presence conditions (`Condition.missing`, `Condition.present`) see: the components of the
 * registry whose guards all hold and none reads the registry, overrides included. A guard that
 * reads the registry is not entered, and one that throws does not hold (the flattening reports it).
 * Registration order changes nothing of it: a registry counts when any of its inclusions is reached.
 */
const providersOf = (root: Registry.Registry, environment: Condition.Environment): conditionInternal.Providers => {
  const byService = new Map<string, Array<{ readonly component: Component.Any; readonly override: boolean }>>()
  const reached = new Set<unknown>([root])
  const stack: Array<ReadonlyArray<Entry>> = [(root as RegistryImpl).entries]
  while (stack.length > 0) {
    for (const entry of stack.pop()!) {
      if (entry._tag === "Component" || entry._tag === "Override") {
        const candidate = entry.component
        if (!component.isComponent(candidate) || typeof candidate.tag?.key !== "string") continue
        const same = byService.get(candidate.tag.key)
        const counted = { component: candidate, override: entry._tag === "Override" }
        if (same === undefined) byService.set(candidate.tag.key, [counted])
        else same.push(counted)
        continue
      }
      if (entry._tag !== "When" && entry._tag !== "Include") continue
      if (reached.has(entry.registry)) continue
      if (entry._tag === "When") {
        if (conditionInternal.readsRegistry(entry.condition)) continue
        let holds = false
        try {
          holds = entry.condition.test(environment) === true
        } catch {
          // reported by the flattening
        }
        if (!holds) continue
      }
      reached.add(entry.registry)
      stack.push((entry.registry as RegistryImpl).entries)
    }
  }
  return (request) => {
    const names = new Set<string>()
    for (const { component: candidate, override } of byService.get(request.target.key) ?? []) {
      const selector = request.selector
      // an override without qualifiers takes every request of its service, selected ones included
      const provides = (override && candidate.qualifiers.length === 0) || selector._tag === "Any" ||
        (selector._tag === "Qualifier" && candidate.qualifiers.includes(selector.qualifier)) ||
        (selector._tag === "Name" && component.displayName(candidate) === selector.name)
      if (provides) names.add(component.displayName(candidate))
    }
    return [...names].sort()
  }
}

/**
 * Every entry of the registries and of those they include or guard, whatever the conditions, in
 * registration order (an included or guarded registry's entries right after its entry); each registry
 * looked into once. Iterative: nesting depth is no limit.
 *
 * @internal
 */
export const forEachEntry = (roots: Iterable<Registry.Registry<unknown>>, f: (entry: Entry) => void): void => {
  const reached = new Set<unknown>()
  // the entries still to visit, the next on top
  const pending: Array<Entry> = []
  const enter = (registry: Registry.Registry<unknown>): void => {
    if (reached.has(registry)) return
    reached.add(registry)
    const entries = (registry as RegistryImpl).entries
    for (let index = entries.length - 1; index >= 0; index--) pending.push(entries[index]!)
  }
  for (const root of roots) {
    enter(root)
    for (let entry = pending.pop(); entry !== undefined; entry = pending.pop()) {
      f(entry)
      if (entry._tag === "Include" || entry._tag === "When") enter(entry.registry)
    }
  }
}

/**
 * The condition of every guard in a registry, those under other guards too (what the environment
 * must read before a resolution: see `Condition`).
 *
 * @internal
 */
export const conditionsOf = (root: Registry.Registry): ReadonlyArray<Condition.Condition> => {
  const conditions: Array<Condition.Condition> = []
  forEachEntry([root], (entry) => {
    if (entry._tag === "When") conditions.push(entry.condition)
  })
  return conditions
}

/**
 * A component or family left out by false conditions: the description of the guard that excluded it
 * (`config BETA, which could not be evaluated` for one that could not be), or, when
 * guards nested in it were false too, all of theirs (`(profile a) and (profile b)`).
 *
 * @internal
 */
export interface Excluded {
  readonly item: Component.Any | Family.Family<unknown, unknown, unknown>
  readonly condition: string
}

/**
 * What the false conditions of a flattening left out: the components (overrides included) and
 * families of the skipped registries, in registration order. A guard nested in a skipped registry is
 * evaluated too: when it is false as well, its description is added to the reason. Components that
 * are registered elsewhere too may be among them: the caller tells those apart. Iterative, each
 * registry looked into once (at the first skipped guard that reaches it).
 *
 * @internal
 */
export const excluded = (flat: Flattened): ReadonlyArray<Excluded> => {
  const found: Array<Excluded> = []
  const reached = new Set<unknown>()
  // what a presence condition nested in a skipped registry sees, as the flattening's would have (its
  // environment has it only when it reached one itself)
  let withProviders: Condition.Environment | undefined
  const environmentOf = (condition: Condition.Condition): Condition.Environment =>
    conditionInternal.readsRegistry(condition)
      ? (withProviders ??= conditionInternal.withProviders(flat.environment, providersOf(flat.root, flat.environment)))
      : flat.environment
  for (const guard of flat.skipped) {
    if (reached.has(guard.registry)) continue
    reached.add(guard.registry)
    const stack: Array<{ readonly entries: ReadonlyArray<Entry>; index: number; readonly condition: string }> = [{
      entries: (guard.registry as RegistryImpl).entries,
      index: 0,
      condition: guard.unevaluated === undefined
        ? conditionInternal.explainIn(guard.condition, flat.environment)
        : `${guard.condition.description}, which could not be evaluated`
    }]
    while (stack.length > 0) {
      const frame = stack[stack.length - 1]!
      if (frame.index >= frame.entries.length) {
        stack.pop()
        continue
      }
      const entry = frame.entries[frame.index++]!
      switch (entry._tag) {
        case "Component":
        case "Override":
          found.push({ item: entry.component, condition: frame.condition })
          break
        case "Family":
          found.push({ item: entry.family as Family.Family<unknown, unknown, unknown>, condition: frame.condition })
          break
        case "Include":
        case "When": {
          if (reached.has(entry.registry)) break
          let condition = frame.condition
          if (entry._tag === "When") {
            let holds = true
            const environment = environmentOf(entry.condition)
            try {
              holds = entry.condition.test(environment) === true
            } catch {
              // reported by the flattening when it was reached there; here it only explains less
            }
            if (!holds) condition = `(${condition}) and (${conditionInternal.explainIn(entry.condition, environment)})`
          }
          reached.add(entry.registry)
          stack.push({ entries: (entry.registry as RegistryImpl).entries, index: 0, condition })
          break
        }
        case "Replace":
          break
      }
    }
  }
  return found
}

/**
 * The components of a registry that pass a filter, sorted by order (registration order between
 * equal orders): what the resolver would consider, without resolving or building anything. Guarded
 * items count when their condition holds in `environment`; a component registered twice counts once;
 * overrides are listed with the rest.
 *
 * @internal
 */
export const components = (
  self: Registry.Registry<unknown>,
  filter: Registry.ComponentFilter | undefined,
  environment: Condition.Environment
): ReadonlyArray<Component.Any> => {
  const flat = flatten(self, environment)
  const seen = new Set<Component.Any>()
  const chosen: Array<Component.Any> = []
  for (const candidate of [...flat.components, ...flat.replacements.values()]) {
    if (!component.isComponent(candidate) || seen.has(candidate)) continue
    seen.add(candidate)
    if (filter === undefined || matches(candidate, filter)) chosen.push(candidate)
  }
  // a stable sort: equal orders keep registration order
  return chosen.map((candidate, position) => ({ candidate, position }))
    .sort((a, b) => a.candidate.order - b.candidate.order || a.position - b.position)
    .map(({ candidate }) => candidate)
}

const matches = (candidate: Component.Any, filter: Registry.ComponentFilter): boolean => {
  if (filter.service !== undefined && candidate.tag.key !== filter.service.key) return false
  if (filter.qualifier !== undefined && !candidate.qualifiers.includes(Qualifier.nameOf(filter.qualifier))) return false
  if (filter.name !== undefined && component.displayName(candidate) !== filter.name) return false
  if (filter.startup !== undefined && (candidate.lifecycle?.startup !== undefined) !== filter.startup) return false
  if (filter.lifetime !== undefined && !lifetimeMatches(candidate, filter.lifetime)) return false
  return filter.where === undefined || filter.where(candidate)
}

const lifetimeMatches = (candidate: Component.Any, wanted: NonNullable<Registry.ComponentFilter["lifetime"]>): boolean => {
  const own = candidate.lifetime
  if (wanted === "singleton") return own === undefined || own._tag === "Singleton"
  if (wanted === "transient") return own?._tag === "Transient"
  return own?._tag === "Scoped" && own.scope.name === wanted.name
}
