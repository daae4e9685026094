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
 * Opening a child reads nothing of its parent's graph, and its lookups do not resolve the parent's
 * registry when they need only the child's components and the parent's instances (`childAnswer` in
 * `lookup.ts`): their cost does not depend on the parent's size.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type * as Component from "../../Component.js"
import type * as PublicContainer from "../../Container.js"
import * as Errors from "../../Errors.js"
import { close, type Face, Realm, realmOf } from "./lookup.js"

/**
 * Opens a child of the container behind `service`, closed when the current Scope closes (its
 * release failures a defect of that close).
 *
 * @internal
 */
export const child = (
  service: PublicContainer.Container,
  name: string,
  components: ReadonlyArray<Component.Any>
): Effect.Effect<PublicContainer.Container, Errors.DuplicateChild | Errors.ContainerClosed, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.suspend((): Effect.Effect<PublicContainer.Container, Errors.DuplicateChild | Errors.ContainerClosed> => {
      const parent = realmOf(service)
      if (parent.state !== "open") return Effect.fail(new Errors.ContainerClosed({ container: parent.path, operation: "child" }))
      if (parent.children.has(name)) {
        return Effect.fail(new Errors.DuplicateChild({ parent: parent.path, name, siblings: [...parent.children.keys()] }))
      }
      const face: Face = { plan: parent.root.plan, realm: undefined }
      // its origin (the parent's registry with its components as overrides) is made on first need
      const realm = new Realm(parent.root, face, parent, name, undefined, new Set(components))
      face.realm = realm
      parent.children.set(name, realm)
      return Effect.succeed(face as PublicContainer.Container)
    }),
    (face, exit) => Effect.flatMap(close(realmOf(face), exit), (failures) => failures === undefined ? Effect.void : Effect.failCause(failures))
  )

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
