/**
 * What child containers built, as an application's health runs list it (`checks.ts`).
 *
 * Under App, the singletons the application's container built on lookup beyond its plan (by name),
 * and those a child container (`Container.child`) built for itself (its own components, see
 * `../container/lookup.ts`), are health-checked with the application's components: listed after
 * them, a child's by their path from the root container as `Container.shutDown` names them
 * (`tenant-a/Db`; `tenant-a/Db (override)` for one that shadows its parent's), children in tree order
 * (a child, then its own children, siblings in the order they were opened), each child's components
 * in the order its lookups resolved them, dependencies first. A health run builds nothing: a
 * component a child has not built, has shut down, or whose child closed is not listed.
 *
 * A child's component can be named too (`App.healthOf`), by that path, and a container stands for
 * what it sees: its own components and its ancestors' (samber/do's `Scope.HealthCheck`).
 *
 * @internal
 */
import type * as PublicContainer from "../../Container.js"
import type * as Plan from "../../Plan.js"
import * as container from "../container.js"
import { eachHeld, existingRealm, type Realm, realmOf } from "../container/lookup.js"
import * as planInternal from "../plan.js"
import type { AppRun } from "./run.js"

/** A component a child container holds, as a health run lists it. @internal */
export interface ChildComponent {
  readonly realm: Realm
  readonly holder: container.Container
  readonly node: Plan.Node
  /** its path from the root container, as `Container.shutDown` names it */
  readonly name: string
}

/**
 * Which children's components a health run lists: of every child, each built one that declares
 * checks (`"checked"`); or, of some children, those (`checked`) and those named (by component name).
 *
 * @internal
 */
export type ChildSelection = "checked" | ReadonlyMap<Realm, RealmSelection>

/** @internal */
export interface RealmSelection {
  checked: boolean
  readonly names: Set<string>
}

/**
 * The application's container (for what its lookups built beyond the plan), then its open children
 * and theirs: a child before its own, siblings in the order they were opened.
 */
const realms = (self: AppRun): ReadonlyArray<Realm> => {
  const root = self.container === undefined ? undefined : existingRealm(self.container)
  const found: Array<Realm> = []
  const visit = (realm: Realm): void => {
    for (const child of realm.children.values()) {
      found.push(child)
      visit(child)
    }
  }
  if (root !== undefined) {
    found.push(root)
    visit(root)
  }
  return found
}

/** What a realm holds that is not one of the application's own components (the root's plan): what lookups and children built. */
const eachBuiltByLookups = (realm: Realm, visit: (holder: container.Container, node: Plan.Node) => void): void =>
  eachHeld(realm, (holder, node) => {
    if (holder !== realm.root || realm.parent !== undefined) visit(holder, node)
  })

const isSingleton = (node: Plan.Node): boolean => (node.component.lifetime?._tag ?? "Singleton") === "Singleton"

const declaresChecks = (node: Plan.Node): boolean => (node.component.lifecycle?.healthChecks.length ?? 0) > 0

/** Whether the component is there to check: its child open, not shut down, a singleton built (a transient's instances are its requesters'). @internal */
export const isLive = (child: ChildComponent): boolean =>
  child.realm.state === "open" && !child.realm.shut.has(child.node.name) &&
  (!isSingleton(child.node) || container.isBuilt(child.holder, child.node.id))

/** Whether its checks run: a live singleton (only a built instance has checks to run). @internal */
export const isChecked = (child: ChildComponent): boolean => isSingleton(child.node) && isLive(child)

/** The children's components a health run lists, in tree order (see the module's comment). @internal */
export const listed = (self: AppRun, selection: ChildSelection): ReadonlyArray<ChildComponent> => {
  const components: Array<ChildComponent> = []
  for (const realm of realms(self)) {
    const selected = selection === "checked" ? undefined : selection.get(realm)
    if (selection !== "checked" && selected === undefined) continue
    eachBuiltByLookups(realm, (holder, node) => {
      const child: ChildComponent = { realm, holder, node, name: [...realm.path, node.name].join("/") }
      if (((selected?.checked ?? true) && declaresChecks(node) && isChecked(child)) || selected?.names.has(node.name) === true) {
        components.push(child)
      }
    })
  }
  return components
}

/**
 * The realm of a container of this application, with its ancestors up to the root's (the root's
 * first: what its lookups built beyond the plan is the root container's too); `undefined` when it is
 * another application's (or a plan's outside App).
 *
 * @internal
 */
export const lineOf = (self: AppRun, service: PublicContainer.Container): ReadonlyArray<Realm> | undefined => {
  const realm = realmOf(service)
  if (self.container === undefined || realm.root !== self.container) return undefined
  const line: Array<Realm> = []
  for (let at: Realm | undefined = realm; at !== undefined; at = at.parent) line.unshift(at)
  return line
}

/**
 * The component a path names (`tenant-a/Db`: the open child at that path from the root container,
 * then a component it holds, `Name` or `Name (override)`), if any. A component's name may hold `/`
 * (a tag's key, `app/Db`): each way of reading the path as children then a name is tried.
 *
 * @internal
 */
export const named = (self: AppRun, path: string): { readonly realm: Realm; readonly name: string } | undefined => {
  const root = self.container === undefined ? undefined : existingRealm(self.container)
  return root === undefined ? undefined : namedIn(root, path)
}

const namedIn = (realm: Realm, rest: string): { readonly realm: Realm; readonly name: string } | undefined => {
  let found: string | undefined
  eachBuiltByLookups(realm, (_, node) => {
    if (node.name === rest || (found === undefined && node.name === `${rest} (override)`)) found = node.name
  })
  if (found !== undefined) return { realm, name: found }
  for (let at = rest.indexOf("/"); at >= 0; at = rest.indexOf("/", at + 1)) {
    const child = realm.children.get(rest.slice(0, at))
    const found = child === undefined ? undefined : namedIn(child, rest.slice(at + 1))
    if (found !== undefined) return found
  }
  return undefined
}

/**
 * The components the application's run-time lookups built beyond the plan that a request reaches (a
 * tag, a named or qualified request: as each lookup's plan resolved it), by name, each once. @internal
 */
export const builtAnswering = (self: AppRun, key: string): ReadonlyArray<{ readonly realm: Realm; readonly name: string }> => {
  const root = self.container === undefined ? undefined : existingRealm(self.container)
  if (root === undefined) return []
  const found: Array<{ readonly realm: Realm; readonly name: string }> = []
  eachBuiltByLookups(root, (holder, node) => {
    if (found.some((each) => each.name === node.name)) return
    if (planInternal.nodesOfRequest(holder.plan, key).includes(node.id)) found.push({ realm: root, name: node.name })
  })
  return found
}

/** The paths of every component the open children hold (close names for a path that names none). @internal */
export const allPaths = (self: AppRun): ReadonlyArray<string> =>
  realms(self).flatMap((realm) => {
    const paths: Array<string> = []
    eachBuiltByLookups(realm, (_, node) => void paths.push([...realm.path, node.name].join("/")))
    return paths
  })
