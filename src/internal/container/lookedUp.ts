/**
 * What constructors looked up at run time, and the release order it makes.
 *
 * A constructor that gets an instance by a run-time lookup (`Container.get` in it) uses it as a
 * dependency its plan does not show: its finalizers may use it. So the instance is released after
 * that component, as if it were declared, and still before its own dependencies. A lookup that built
 * or waited for something, or that got a singleton a lookup built (which the asker may have been
 * built after), is recorded when a constructor of the realm is running and the lookup was asked in
 * its context (its node Scope): the asker's node scope, and the containers' nodes the answer gave
 * (`record`). A lookup of a singleton of the graph's plan already built records nothing: it was
 * built before the asker, so released after it.
 *
 * At the realm's close (`order`), with records, its node scopes (the root graph's, for the root's
 * realm, and those of the containers its lookups made) are released in one order: each after every
 * scope of what depends on it (its plan's requests, handles included; a lookup's container's
 * request of an instance another container holds; a recorded lookup) and, among those free to go,
 * in the order a close without records follows (the lookups' containers, last made first, each last
 * built first; then the graph's). Without records nothing of this runs: the close is as it was. A
 * cycle through records (a constructor that looked up what depends on it through a handle) is broken
 * at the scope a close without records would release first.
 *
 * @internal
 */
import * as Context from "effect/Context"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import * as container from "../container.js"
import * as executor from "../executor.js"

/** What a recorded lookup's answer gave: nodes of `container` (an answer's edge's targets, one array per edge). @internal */
export interface Asked {
  readonly container: container.Container
  readonly targets: ReadonlyArray<number>
}

/** Per realm (keyed by its object), its recorded lookups, by the node scope of the constructor each ran in. */
const records = new WeakMap<object, Map<Scope.Scope, Array<Asked>>>()

/**
 * Records a lookup of `realm` answered by `answering`'s `targets`, asked in `caller`, when that is a
 * constructor's of one of `containers` (the realm's). Its caller asks only while a constructor may
 * run in the realm's tree (a build in flight): the search for the constructor is not on every lookup.
 *
 * @internal
 */
export const record = (
  realm: object,
  containers: ReadonlyArray<container.Container>,
  caller: Context.Context<never> | undefined,
  answering: container.Container,
  targets: ReadonlyArray<number>
): void => {
  if (caller === undefined || targets.length === 0) return
  const scope = Context.getOption(caller, Scope.Scope)
  if (Option.isNone(scope)) return
  if (!containers.some((held) => held.build.scopes.lastIndexOf(scope.value as Scope.CloseableScope) !== -1)) return
  let byScope = records.get(realm)
  if (byScope === undefined) records.set(realm, byScope = new Map())
  const list = byScope.get(scope.value)
  if (list === undefined) byScope.set(scope.value, [{ container: answering, targets }])
  else if (!list.some((known) => known.container === answering && known.targets === targets)) list.push({ container: answering, targets })
}

/**
 * What the constructors of the realm looked up so far, by the node scope each ran in (`undefined`:
 * nothing): App's start phase orders the starts with it (`app/lookups.ts`).
 *
 * @internal
 */
export const asked = (realm: object): ReadonlyMap<Scope.Scope, ReadonlyArray<Asked>> | undefined => records.get(realm)

/** One node scope of a container, as the merged order sees it. */
interface Unit {
  readonly holder: container.Container
  readonly id: number
  readonly scope: Scope.CloseableScope
}

/**
 * The realm's release order when it has records (see the module's doc), from the first released;
 * `undefined` without records. `containers`: the lookups' containers, in the order they were made,
 * and, for the root's realm, `graph` (the root container, whose scopes come last in a close without
 * records). Each container's scopes are taken out of it (its release begun with `exit`): they are
 * released in this order only.
 *
 * @internal
 */
export const order = (
  realm: object,
  extensions: ReadonlyArray<container.Container>,
  graph: container.Container | undefined,
  /** where a node a container delegates is held (`null`: outside the realm); `undefined` for a node it builds */
  holderOf: (holder: container.Container, id: number) => { readonly holder: container.Container; readonly id: number } | null | undefined
): ReadonlyArray<Unit> | undefined => {
  const asked = records.get(realm)
  if (asked === undefined) return undefined
  records.delete(realm)
  // the units, in the order a close without records follows
  const units: Array<Unit> = []
  const unitsOf = new Map<container.Container, Map<number, Array<number>>>()
  const add = (holder: container.Container) => {
    const { owners, scopes } = holder.build
    const byNode = new Map<number, Array<number>>()
    unitsOf.set(holder, byNode)
    for (const index of executor.closeOrder(holder.plan, owners)) {
      const id = owners[index]!
      const same = byNode.get(id)
      if (same === undefined) byNode.set(id, [units.length])
      else same.push(units.length)
      units.push({ holder, id, scope: scopes[index]! })
    }
  }
  for (let index = extensions.length - 1; index >= 0; index--) add(extensions[index]!)
  if (graph !== undefined) add(graph)
  const byScope = new Map<Scope.Scope, number>(units.map((unit, index) => [unit.scope, index]))
  // the units of a node: its own, or those of the container that holds it for it
  const ofNode = (holder: container.Container, id: number): ReadonlyArray<number> | undefined => {
    const own = unitsOf.get(holder)?.get(id)
    if (own !== undefined) return own
    const held = holderOf(holder, id)
    return held === undefined ? undefined : held === null ? [] : unitsOf.get(held.holder)?.get(held.id) ?? []
  }
  // after[u]: the units released only once u is
  const after: Array<Array<number>> = units.map(() => [])
  for (let index = 0; index < units.length; index++) {
    const { holder, id } = units[index]!
    const predecessors = executor.predecessorsOf(holder.plan)
    const seen = new Set<number>()
    const pending = [...predecessors[id]!]
    while (pending.length > 0) {
      const dependency = pending.pop()!
      if (seen.has(dependency)) continue
      seen.add(dependency)
      const found = ofNode(holder, dependency)
      if (found === undefined) pending.push(...predecessors[dependency]!)
      else after[index]!.push(...found)
    }
  }
  for (const [scope, answers] of asked) {
    const asker = byScope.get(scope)
    if (asker === undefined) continue
    for (const { container: answering, targets } of answers) {
      for (const target of targets) for (const unit of ofNode(answering, target) ?? []) if (unit !== asker) after[asker]!.push(unit)
    }
  }
  // Kahn's algorithm, taking among the units free to go the first in a close without records
  const blocking = new Int32Array(units.length)
  for (const list of after) for (const unit of list) blocking[unit]++
  const done = new Uint8Array(units.length)
  const found: Array<Unit> = []
  let first = 0
  while (found.length < units.length) {
    while (done[first] === 1) first++
    let next = first
    while (next < units.length && (done[next] === 1 || blocking[next]! > 0)) next++
    // a cycle through records: broken at the first a close without records would release
    if (next === units.length) next = first
    done[next] = 1
    found.push(units[next]!)
    for (const unit of after[next]!) blocking[unit]--
  }
  return found
}
