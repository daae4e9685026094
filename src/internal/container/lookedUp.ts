/**
 * What constructors looked up at run time: the one record of "who looked up what", which orders the
 * release here and, under App, the start and the stop (`app/lookups.ts`).
 *
 * A constructor that gets an instance by a run-time lookup (`Container.get` in it) uses it as a
 * dependency its plan does not show: its finalizers may use it. So the instance is released after
 * that component, as if it were declared, and still before its own dependencies. A lookup that built
 * or waited for something, or that got a singleton a lookup built (which the asker may have been
 * built after), is recorded when a constructor of the realm's tree may be running (a build in
 * flight, or the graph's: `lookup.ts` asks only then, so that the read of a built singleton costs
 * nothing more), under the Scope of the context it was asked in: a constructor's node scope, or a
 * scope opened in it for the construction (a Layer's, one App watches an instance in: `runtime.opensIn`).
 * Every lookup of the graph's build is one (its answers are kept as ready only once it ended); one
 * that waits for what the graph has not built yet is recorded as its wait begins, so that a wait the
 * build's failure or end cuts off still releases its asker (what its constructor acquired before
 * asking: a Layer's inner Layer) before what it waited for, not behind it (a hung release there held
 * the asker past the release timeout, unreleased though it holds nothing of it). A
 * lookup of a singleton of the graph's plan already built after the build records nothing: it was
 * built before the asker, so released after it. Recording is a map's write: the records are keyed
 * weakly by Scope, and only a node scope's are ever read (a lookup asked elsewhere, the program's
 * own in a Scope of its own, is kept only as long as that Scope lives).
 *
 * This record replaced another one: the graph's node scopes moved, during the build, to just after
 * what a constructor awaited (`startup.releasedBefore`). Both ordered the graph's release; the
 * records alone do now (a failed build's release follows them too, `toLayer.ts`).
 *
 * At the realm's close (`order`), with records, its node scopes (the root graph's, for the root's
 * realm, and those of the containers its lookups made) are released in one order: each after every
 * scope of what depends on it (its plan's requests, handles included; a lookup's container's
 * request of an instance another container holds; a recorded lookup) and, among those free to go,
 * in the order a close without records follows (the lookups' containers, last made first, each last
 * built first; then the graph's). Without records nothing of this runs: the close is as it was. A
 * cycle through records (a constructor that looked up what depends on it through a handle) is broken
 * at the scope a close without records would release first. The order is linear in the scopes,
 * nodes and requests (a node without a scope, or another container's, passes its dependents on
 * through one vertex of its own), but for the choice among those free to go (a heap).
 *
 * @internal
 */
import * as Context from "effect/Context"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import type * as container from "../container.js"
import * as executor from "../executor.js"
import { MinHeap } from "../heap.js"
import * as runtime from "../runtime.js"

/** What a recorded lookup's answer gave: nodes of `container` (an answer's edge's targets, one array per edge). @internal */
export interface Asked {
  readonly container: container.Container
  readonly targets: ReadonlyArray<number>
}

/** Per realm (keyed by its object), its recorded lookups, by the Scope of the context each was asked in. */
const records = new WeakMap<object, WeakMap<Scope.Scope, Array<Asked>>>()

/**
 * Records a lookup of `realm` answered by `answering`'s `targets`, asked in `caller` (see the
 * module's doc). Its caller asks only while a constructor may run in the realm's tree.
 *
 * @internal
 */
export const record = (
  realm: object,
  caller: Context.Context<never> | undefined,
  answering: container.Container,
  targets: ReadonlyArray<number>
): void => {
  if (caller === undefined || targets.length === 0) return
  const found = Context.getOption(caller, Scope.Scope)
  if (Option.isNone(found)) return
  const scope = runtime.outermostOf(found.value)
  let byScope = records.get(realm)
  if (byScope === undefined) records.set(realm, byScope = new WeakMap())
  const list = byScope.get(scope)
  if (list === undefined) byScope.set(scope, [{ container: answering, targets }])
  else if (!list.some((known) => known.container === answering && known.targets === targets)) list.push({ container: answering, targets })
}

/**
 * What the constructor that ran in a node scope of the realm looked up (`undefined`: nothing);
 * `undefined` for every scope when the realm has no records (`hasRecords`).
 *
 * @internal
 */
export const askedIn = (realm: object, scope: Scope.Scope): ReadonlyArray<Asked> | undefined => records.get(realm)?.get(scope)

/** Whether anything of the realm was recorded (and not yet taken by its close's `order`). @internal */
export const hasRecords = (realm: object): boolean => records.has(realm)

/** One node scope of a container, as the merged order sees it. */
interface Unit {
  readonly holder: container.Container
  readonly id: number
  readonly scope: Scope.CloseableScope
}

/**
 * The realm's release order when it has records (see the module's doc), from the first released;
 * `undefined` without records. `extensions`: the lookups' containers, in the order they were made,
 * and, for the root's realm, `graph` (the root container, whose scopes come last in a close without
 * records). Its caller takes each container's scopes out of it: they are released in this order only.
 *
 * The vertices: the units (node scopes), numbered in the order a close without records follows,
 * then one per node of a container reached (`hub`): what depends on the node waits for it, and it
 * waits for the node's units, or, for a node without any, for its own dependencies' vertices (for
 * a node another container holds, for that node's). An edge `a -> b`: `b` is released only once
 * `a` is. A vertex other than a unit is passed as soon as it is free.
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
  const holders: Array<container.Container> = []
  for (let index = extensions.length - 1; index >= 0; index--) holders.push(extensions[index]!)
  if (graph !== undefined) holders.push(graph)
  const unitsOf = new Map<container.Container, Map<number, Array<number>>>()
  for (const holder of holders) {
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
  // after[v]: the vertices released only once v is (units first, then hubs, made as they are reached)
  const after: Array<Array<number>> = units.map(() => [])
  const hubs = new Map<container.Container, Map<number, number>>()
  const pending: Array<readonly [container.Container, number, number]> = []
  const hub = (holder: container.Container, id: number): number => {
    let byNode = hubs.get(holder)
    if (byNode === undefined) hubs.set(holder, byNode = new Map())
    const known = byNode.get(id)
    if (known !== undefined) return known
    const vertex = after.length
    after.push([])
    byNode.set(id, vertex)
    pending.push([holder, id, vertex])
    return vertex
  }
  // where a node is held: the container that builds it (`null`: outside the realm)
  const heldAt = (holder: container.Container, id: number) => {
    let at: { readonly holder: container.Container; readonly id: number } = { holder, id }
    for (let next = holderOf(at.holder, at.id); next !== undefined; next = holderOf(at.holder, at.id)) {
      if (next === null) return null
      at = next
    }
    return at
  }
  // each unit waits for its node's dependencies, and for what its constructor looked up (not itself)
  for (let index = 0; index < units.length; index++) {
    const { holder, id, scope } = units[index]!
    for (const dependency of executor.predecessorsOf(holder.plan)[id]!) after[index]!.push(hub(holder, dependency))
    for (const { container: answering, targets } of asked.get(scope) ?? []) {
      for (const target of targets) {
        const held = heldAt(answering, target)
        if (held !== null && !(held.holder === holder && held.id === id)) after[index]!.push(hub(held.holder, held.id))
      }
    }
  }
  // each hub waits for its node's units, else for where it is held, else for its dependencies
  while (pending.length > 0) {
    const [holder, id, vertex] = pending.pop()!
    const own = unitsOf.get(holder)?.get(id)
    if (own !== undefined) {
      after[vertex]!.push(...own)
      continue
    }
    const held = holderOf(holder, id)
    if (held === null) continue
    if (held !== undefined) {
      after[vertex]!.push(hub(held.holder, held.id))
      continue
    }
    for (const dependency of executor.predecessorsOf(holder.plan)[id]!) after[vertex]!.push(hub(holder, dependency))
  }
  // Kahn's algorithm, taking among the units free to go the first in a close without records
  const blocking = new Int32Array(after.length)
  for (const list of after) for (const target of list) blocking[target]++
  const done = new Uint8Array(after.length)
  const free = new MinHeap()
  const passing: Array<number> = []
  for (let vertex = 0; vertex < after.length; vertex++) {
    if (blocking[vertex] !== 0) continue
    if (vertex < units.length) free.push(vertex)
    else passing.push(vertex)
  }
  const release = (vertex: number) => {
    done[vertex] = 1
    for (const target of after[vertex]!) {
      if (--blocking[target] !== 0 || done[target] === 1) continue
      if (target < units.length) free.push(target)
      else passing.push(target)
    }
  }
  const found: Array<Unit> = []
  let first = 0
  while (found.length < units.length) {
    while (passing.length > 0) release(passing.pop()!)
    let next = free.pop()
    while (next !== undefined && done[next] === 1) next = free.pop()
    if (next === undefined) {
      // a cycle through records: broken at the first a close without records would release
      while (done[first] === 1) first++
      next = first
    }
    release(next)
    found.push(units[next]!)
  }
  return found
}
