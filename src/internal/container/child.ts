/**
 * Child containers: a named container opened from a running one, with components of its own.
 *
 * A child resolves its lookups from its parent's origin with its own components as overrides (they
 * shadow the parent's in the child only); every other component's instance is its parent's (shared,
 * never rebuilt; see `lookup.ts`). A parent never sees a child's components, siblings share nothing
 * of each other. A name is unique among the open children of one parent. A child is closed when the
 * Scope it was opened in closes, or with its parent: children first (concurrently), then what its
 * own lookups built, last built first.
 *
 * A child's own component overrides its parent's of the same service and is named apart
 * (`Db (override)`); one of a service its parent registers none of overrides nothing and keeps the
 * name it would have in a registry of its own (`Audit`; see `ownNamed`). One named as a component of
 * its service its parent's registry has takes that one's place in the child's resolutions
 * (`registry.shadow`), where the two names collided; one named as another service's component of an
 * ancestor's, or as another of its own, fails the opening (`duplicateNames`). A grandchild's own components shadow its parent
 * child's: among the overrides of a request, the nearest container's win (`Flattened.levels`), as its
 * own components alone answer (`childAnswer`).
 *
 * Opening a child reads nothing of its parent's graph (what the root's registry registers is read
 * once per registry), and its lookups do not resolve the parent's registry when they need only the
 * child's components and the parent's instances (`childAnswer` in `lookup.ts`): their cost does not
 * depend on the parent's size.
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Scope from "effect/Scope"
import type * as Component from "../../Component.js"
import type * as PublicContainer from "../../Container.js"
import * as Errors from "../../Errors.js"
import type * as Registry from "../../Registry.js"
import * as component from "../component.js"
import type * as dependency from "../dependency.js"
import * as registry from "../registry.js"
import * as resolver from "../resolver.js"
import { sortedNames } from "../resolver/state.js"
import { close, type Face, Realm, realmOf } from "./lookup.js"

/**
 * Opens a child of the container behind `service`, closed when the current Scope closes (its
 * release failures a defect of that close). Under App, its own singletons that take part in the
 * lifecycle are then built and started (`Container.onChildOpen`).
 *
 * @internal
 */
export const child = (
  service: PublicContainer.Container,
  name: string,
  components: ReadonlyArray<Component.Any>
): Effect.Effect<PublicContainer.Container, Errors.DuplicateChild | Errors.LookupError, Scope.Scope> =>
  Effect.flatMap(opened(service, name, components), (face) => {
    const realm = realmOf(face)
    const starting = realm.root.onChildOpen?.(face, [...realm.own!])
    if (starting === undefined) return Effect.succeed(face)
    // a child that fails to start is closed at once (what started stops, what was built is released),
    // its name free again; its release failures are told after the start's
    return Effect.as(
      Effect.catchAllCause(starting, (cause) =>
        Effect.flatMap(close(realm, Exit.failCause(cause)), (failures) =>
          Effect.failCause(failures === undefined ? cause : Cause.sequential(cause, failures)))),
      face
    )
  })

const opened = (
  service: PublicContainer.Container,
  name: string,
  components: ReadonlyArray<Component.Any>
): Effect.Effect<PublicContainer.Container, Errors.DuplicateChild | Errors.ContainerClosed | Errors.ResolutionError, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.suspend((): Effect.Effect<PublicContainer.Container, Errors.DuplicateChild | Errors.ContainerClosed | Errors.ResolutionError> => {
      const parent = realmOf(service)
      if (parent.state !== "open") return Effect.fail(new Errors.ContainerClosed({ container: parent.path, operation: "child" }))
      if (parent.children.has(name)) {
        return Effect.fail(new Errors.DuplicateChild({ parent: parent.path, name, siblings: [...parent.children.keys()] }))
      }
      const duplicates = duplicateNames(parent, components)
      if (duplicates.length > 0) return Effect.fail(new Errors.ResolutionError({ problems: duplicates }))
      const face: Face = { plan: parent.root.plan, realm: undefined }
      // its origin (the parent's registry with its components as overrides) is made on first need
      const realm = new Realm(parent.root, face, parent, name, undefined, new Set(ownNamed(parent, components)))
      face.realm = realm
      parent.children.set(name, realm)
      return Effect.succeed(face as PublicContainer.Container)
    }),
    (face, exit) => Effect.flatMap(close(realmOf(face), exit), (failures) => failures === undefined ? Effect.void : Effect.failCause(failures))
  )

/**
 * What a container's components register, whatever their conditions: the keys of their services, the
 * names given to them, the key prefixes of their families' members. A child's own component that
 * provides none of those services overrides nothing of its parent's.
 */
interface Registered {
  readonly keys: ReadonlySet<string>
  readonly names: ReadonlySet<string>
  readonly prefixes: ReadonlyArray<string>
}

/** Per registry, what it registers (a registry is immutable: read once, when a child of its plan's container first opens). */
const ofRegistry = new WeakMap<Registry.Registry<unknown>, Registered>()

const registeredIn = (root: Registry.Registry<unknown>): Registered => {
  const known = ofRegistry.get(root)
  if (known !== undefined) return known
  const keys = new Set<string>()
  const names = new Set<string>()
  const prefixes: Array<string> = []
  registry.forEachEntry([root], (entry) => {
    if (entry._tag === "Family") prefixes.push((entry.family as unknown as dependency.FamilyLike).keyPrefix)
    else if (entry._tag !== "Include" && entry._tag !== "When") {
      // a value that is no component may stand under a false condition: the resolver never examined it
      const item: unknown = entry.component
      if (component.isComponent(item) && Context.isTag(item.tag)) keys.add(item.tag.key)
      const given = entry._tag === "Replace" ? entry.name : component.isComponent(item) ? item.name : undefined
      if (given !== undefined) names.add(given)
    }
  })
  const made: Registered = { keys, names, prefixes }
  ofRegistry.set(root, made)
  return made
}

/**
 * Whether the container or one of its ancestors registers a component of the service `key` (a child:
 * as one of its own; no service: a name alone) or one named `name`; `undefined` when the root's plan
 * was not resolved from a registry.
 */
const registers = (realm: Realm, key: string | undefined, name: string): boolean | undefined => {
  for (let at: Realm = realm;; at = at.parent) {
    if (at.parent === undefined) {
      const origin = resolver.originOf(at.root.plan)
      if (origin === undefined) return undefined
      const root = registeredIn(origin.registry)
      return root.names.has(name) || (key !== undefined && (root.keys.has(key) || root.prefixes.some((prefix) => key.startsWith(prefix))))
    }
    if (key !== undefined && at.ownKeys!.has(key)) return true
    for (const own of at.own!) if (own.name === name) return true
  }
}

/**
 * The names a child's own components may not have, as its lookups that resolve its parent's registry
 * would find them (`DuplicateName`), found as it opens, before anything is built, where its lookups
 * among its own components alone passed: a name given to two of its own components, or to one of its
 * own and a component of another service of an ancestor child's or of the root's registry (one its
 * conditions leave in). One of the same service is no duplicate: the child's takes its place
 * (`registry.shadow`). In the order of the child's components.
 */
const duplicateNames = (parent: Realm, components: ReadonlyArray<Component.Any>): ReadonlyArray<Errors.DuplicateName> => {
  const duplicates: Array<Errors.DuplicateName> = []
  // the root registry's flattening, made only when one of its names is given here
  let flat: registry.Flattened | undefined
  const reported = new Set<string>()
  for (const own of components) {
    // a value that is no component is the resolver's to report
    if (!component.isComponent(own) || own.name === undefined || reported.has(own.name)) continue
    const name = own.name
    const named = new Set([own])
    for (const other of components) if (component.isComponent(other) && other.name === name) named.add(other)
    if (named.size === 1) {
      const elsewhere = (other: unknown): void => {
        if (component.isComponent(other) && other.name === name && other.tag.key !== own.tag.key) named.add(other)
      }
      let at: Realm = parent
      for (; at.parent !== undefined; at = at.parent) at.own!.forEach(elsewhere)
      const origin = resolver.originOf(at.root.plan)
      if (named.size === 1 && origin !== undefined && registeredIn(origin.registry).names.has(name)) {
        ;(flat ??= registry.flatten(origin.registry, origin.environment)).components.forEach(elsewhere)
      }
    }
    if (named.size === 1) continue
    reported.add(name)
    duplicates.push(new Errors.DuplicateName({ name, services: sortedNames([...named].map((each) => each.tag.key)) }))
  }
  return duplicates
}

/**
 * A child's own components as it holds them, each unnamed one given a name its ancestors' components
 * and its own have not: those of a service its parent registers none of (they override nothing) the
 * name the same components would have in a registry of their own (`Db`; `Db#1`, `Db#2` for several),
 * unless one is taken; the others the name the resolver gives an override (`Db (override)`; `Db
 * (override #1)`, `Db (override #2)`), or the next numbers free (`Db (override #1)` in a grandchild
 * whose parent child has its `Db (override)`). Named before any resolution, a component has one name
 * whether a lookup resolves the child's own components alone or its parent's registry too (else two
 * names and two instances of one singleton), and no instance an ancestor holds under it.
 */
const ownNamed = (parent: Realm, components: ReadonlyArray<Component.Any>): ReadonlyArray<Component.Any> => {
  const unnamed = new Map<string, Array<number>>()
  components.forEach((each, position) => {
    if (each.name !== undefined) return
    const same = unnamed.get(each.tag.key)
    if (same === undefined) unnamed.set(each.tag.key, [position])
    else same.push(position)
  })
  if (unnamed.size === 0) return components
  const given = new Set(components.flatMap((each) => each.name === undefined ? [] : [each.name]))
  const named = [...components]
  for (const [key, positions] of unnamed) {
    const names = positions.length === 1 ? [key] : positions.map((_, index) => `${key}#${index + 1}`)
    // a service the parent registers: an override; a name taken: named apart, each with a name free
    if (names.some((name) => given.has(name) || registers(parent, key, name) !== false)) {
      names.length = 0
      const free = (name: string) => !given.has(name) && registers(parent, undefined, name) !== true
      if (positions.length === 1 && free(`${key} (override)`)) names.push(`${key} (override)`)
      for (let number = 1; names.length < positions.length; number++) {
        if (free(`${key} (override #${number})`)) names.push(`${key} (override #${number})`)
      }
    }
    positions.forEach((position, index) => {
      named[position] = component.named(components[position]!, names[index]!)
    })
  }
  return named
}

/**
 * The nearest open descendant of the container named `name` (breadth first: a child before a
 * grandchild), if any.
 *
 * @internal
 */
export const findChild = (service: PublicContainer.Container, name: string): PublicContainer.Container | undefined => {
  let level: Array<Realm> = [realmOf(service)]
  while (level.length > 0) {
    const next: Array<Realm> = []
    for (const realm of level) {
      const found = realm.children.get(name)
      if (found !== undefined) return found.face
      next.push(...realm.children.values())
    }
    level = next
  }
  return undefined
}

/** The names from the root container to this one (`[]` for the root). @internal */
export const pathOf = (service: PublicContainer.Container): ReadonlyArray<string> => realmOf(service).path
