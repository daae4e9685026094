/**
 * What a tree of containers holds, as data (`Container.snapshot`): per container, the components
 * whose instances it holds (see `shutdown.ts`: the root's plan's and what its lookups resolved; a
 * child's own components and transients), whether each singleton is built, which were shut down;
 * then its open children, in the order they were opened. layerwise's own services (`App.Health`,
 * `App.Shutdowner`, `App.Application`: `builtins.isBuiltIn`) are the application's, not its
 * components: left out, as from every listing of an application's components.
 *
 * @internal
 */
import type * as PublicContainer from "../../Container.js"
import { isBuiltIn } from "../component.js"
import * as container from "../container.js"
import * as lifetime from "../lifetime.js"
import { eachHeld, type Realm, realmOf } from "./lookup.js"

/** @internal */
export const snapshot = (service: PublicContainer.Container): PublicContainer.Snapshot => snapshotOf(realmOf(service))

const snapshotOf = (realm: Realm): PublicContainer.Snapshot => {
  const components: Array<PublicContainer.SnapshotComponent> = []
  eachHeld(realm, (holder, node) => {
    if (isBuiltIn(node.component)) return
    const own = node.component.lifetime
    components.push({
      name: node.name,
      service: node.service,
      lifetime: own === undefined ? "singleton" : lifetime.format(own),
      built: realm.state === "open" && !realm.shut.has(node.name) && container.isBuilt(holder, node.id),
      shutDown: realm.shut.has(node.name)
    })
  })
  return {
    name: realm.name,
    path: realm.path,
    state: realm.state,
    components,
    children: [...realm.children.values()].map(snapshotOf)
  }
}
