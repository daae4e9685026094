/**
 * What the application's constructors looked up at run time, in its start and its stop.
 *
 * A constructor that gets an instance by a lookup (`Container.get` in it) depends on it as on a
 * declared dependency (samber/do and fx count a dependency found at invocation as one): the
 * instance is released after that component (`container/lookedUp.ts`), and, under App, it is started
 * before it and stopped after it. A lookup's own singleton that takes part in the lifecycle (start or
 * stop hooks, background work), built while the application builds, is not started as it is built
 * (`defer`): the start phase starts it, in one graph with the application's components
 * (`startGraph`), after what it depends on and before the components whose constructors looked it up,
 * and the stop phase stops it in the same graph's reverse order. Its start is one as any other: one
 * that fails stops the start phase (what started stops, everything is released); its stop hooks have
 * their stop timeout. Its failures are told under its component's name (the report does not list it):
 * a start's as the run's error, a stop's with its release.
 *
 * The graph: every node of the root container's plan and of each container its lookups made (one
 * vertex per component of a container; a lookup's container's node that another container holds is
 * that one), each waiting for what its plan requests and for what its constructor looked up (the
 * records of `container/lookedUp.ts`, one notion of "who looked up what" for the start, the stop and
 * the release). Vertices that start nothing (a lookup's component without hooks, a transient) pass the
 * order on. App's startup orders apply as to a declared dependency: what a constructor of a lower
 * order looked up starts in that order. Lookups made outside any constructor (the program's, after the
 * start) are not in it: their instances start as they are built and stop first, last started first
 * (`own.ts`). A lookup that closes a cycle with the plan's handles (a constructor that looked up what
 * holds a handle of it) orders nothing: the edges of such lookups are left out.
 *
 * Without lookups during the build nothing of this runs: the start and stop phases are the plan's.
 *
 * The report's `lookups` (`lookedUpInBuild`) are the application's components' edges of this graph, by
 * name, read from the same records as the build ends; `Ops.startupTimeline` counts them as App does.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Scope from "effect/Scope"
import type * as Errors from "../../Errors.js"
import type * as Report from "../../Report.js"
import type * as container from "../container.js"
import * as lookedUp from "../container/lookedUp.js"
import * as lookup from "../container/lookup.js"
import * as executor from "../executor.js"
import * as startOrder from "../startOrder.js"
import * as builtins from "./builtins.js"
import type { Hooked } from "./instances.js"
import * as own from "./own.js"
import type { AppRun } from "./run.js"

/** A lookup's own singleton built during the application's build, started by its start phase. @internal */
export interface Looked {
  readonly holder: container.Container
  readonly id: number
  readonly component: Hooked
  readonly service: unknown
  readonly scope: Scope.Scope
  /** its stop, once it started */
  stop: Effect.Effect<void> | undefined
}

/**
 * A lookup's own singleton that takes part in the lifecycle, built during the application's build:
 * kept for the start phase. A finalizer of its scope stops it, if it started, when the scope closes
 * before the stop phase (a shutdown, or the release of a start that failed): added now, before what
 * must run before it (its health checks' abandonment), as `own.start` adds its stop.
 *
 * @internal
 */
export const defer = (
  self: AppRun,
  component: Hooked,
  held: { readonly holder: container.Container; readonly id: number },
  service: unknown,
  scope: Scope.Scope
): Effect.Effect<void> =>
  Effect.suspend(() => {
    const looked: Looked = { holder: held.holder, id: held.id, component, service, scope, stop: undefined }
    self.lookedUp.push(looked)
    return Scope.addFinalizer(scope, Effect.suspend(() => looked.stop ?? Effect.void))
  })

/** The graph the start and stop phases run when constructors looked instances up during the build. @internal */
export interface StartGraph {
  /** per vertex (the application's nodes first, by id), what it starts after */
  readonly predecessors: ReadonlyArray<ReadonlyArray<number>>
  /** per vertex, its startup stage (see `settings.startupStages`); `undefined` without startup orders */
  readonly stages: Int32Array | undefined
  /** the vertices of lookups' own singletons to start */
  readonly looked: ReadonlyMap<number, Looked>
}

/**
 * The start graph (see the module's doc), or `undefined` when no constructor looked anything up
 * during the build: then the phases run the plan's graph, as before.
 *
 * @internal
 */
export const startGraph = (self: AppRun): StartGraph | undefined => {
  const root = self.container
  const realm = root === undefined ? undefined : lookup.existingRealm(root)
  if (root === undefined || realm === undefined) return undefined
  if (!lookedUp.hasRecords(realm) && self.lookedUp.length === 0) return undefined
  const { holders, offsets, size, found } = vertices(root, realm)
  // what each vertex's plan requests: the application's, a lookup's container's (or where that is held)
  const requested: Array<ReadonlyArray<number>> = new Array(size)
  const holderOf = lookup.holderIn(realm)
  for (const holder of holders) {
    const offset = offsets.get(holder)!
    const predecessors = holder === root ? self.predecessors : executor.predecessorsOf(holder.plan)
    for (let id = 0; id < holder.plan.nodes.length; id++) {
      const held = holder === root ? undefined : holderOf(holder, id)
      requested[offset + id] = held === undefined
        ? (offset === 0 ? predecessors[id]! : predecessors[id]!.map((dependency) => offset + dependency))
        : held === null
        ? []
        : [offsets.get(held.holder)! + held.id]
    }
  }
  // a cycle through the plan's handles: the lookups of what could not be ordered are left out
  const order = startOrder.orderWithLookups(requested, found)
  const predecessors = requested.map((plan, vertex) => found[vertex] === undefined ? plan : [...plan, ...found[vertex]!])
  const looked = new Map<number, Looked>()
  for (const each of self.lookedUp) {
    const offset = offsets.get(each.holder)
    if (offset !== undefined) looked.set(offset + each.id, each)
  }
  return { predecessors, stages: self.stages === undefined
      ? undefined
      : startOrder.stagesOf((vertex) => self.plan.nodes[vertex]?.component.lifecycle?.startup, predecessors, order),
    looked
  }
}

/**
 * The graph's vertices: the application's nodes first (by id), then those of each container the
 * realm's lookups made, and per vertex what its constructor looked up (its node scopes' records;
 * `undefined`: nothing), itself left out.
 */
const vertices = (root: container.Container, realm: lookup.Realm) => {
  const holders = [root, ...realm.extensions]
  const offsets = new Map<container.Container, number>()
  let size = 0
  for (const holder of holders) {
    offsets.set(holder, size)
    size += holder.plan.nodes.length
  }
  const found: Array<Array<number> | undefined> = new Array(size)
  for (const holder of holders) {
    const offset = offsets.get(holder)!
    const { owners, scopes } = holder.build
    for (let index = 0; index < scopes.length; index++) {
      const asker = offset + owners[index]!
      for (const { container: answering, targets } of lookedUp.askedIn(realm, scopes[index]!) ?? []) {
        const at = offsets.get(answering)
        if (at === undefined) continue
        for (const target of targets) if (at + target !== asker) (found[asker] ??= []).push(at + target)
      }
    }
  }
  return { holders, offsets, size, found }
}

/**
 * What the application's components' constructors looked up during the build, as the report lists it
 * (`Report.lookups`), read from the same records as the start graph, once the build ended (the
 * realm's close takes them), and by a report made during the build, what was recorded so far (a
 * lookup is recorded as its wait begins): per component in plan order, what it looked up by name (a component of
 * the plan, or a lookup's own instance, which has its component's name), each once, in the order
 * recorded. layerwise's own services are left out, as the report leaves them out.
 *
 * @internal
 */
export const lookedUpInBuild = (self: AppRun): ReadonlyArray<Report.Lookup> => {
  const root = self.container
  const realm = root === undefined ? undefined : lookup.existingRealm(root)
  if (root === undefined || realm === undefined || !lookedUp.hasRecords(realm)) return []
  const { holders, offsets, found } = vertices(root, realm)
  // layerwise's own services (the plan's, or a lookup's answered by the App) have no name here
  const names: Array<string | undefined> = []
  for (const holder of holders) {
    const offset = offsets.get(holder)!
    for (const node of holder.plan.nodes) names[offset + node.id] = builtins.isBuiltIn(node.component) ? undefined : node.name
  }
  const listed: Array<Report.Lookup> = []
  for (let id = 0; id < self.plan.nodes.length; id++) {
    const component = names[id]
    if (found[id] === undefined || component === undefined) continue
    const seen = new Set<string>([component])
    for (const target of found[id]!) {
      const name = names[target]
      if (name === undefined || seen.has(name)) continue
      seen.add(name)
      listed.push({ component, lookedUp: name })
    }
  }
  return listed
}

/**
 * The start of a lookup's own singleton of the graph, as its turn comes: nothing for another vertex,
 * nor for one released meanwhile. One that fails is the run's error (under its component's name,
 * which the report does not list) and stops the start phase, as any start that fails.
 *
 * @internal
 */
export const startVertex = (self: AppRun, graph: StartGraph, vertex: number): Effect.Effect<void> | undefined => {
  const looked = graph.looked.get(vertex)
  if (looked === undefined || looked.holder.build.closing !== undefined || looked.holder.released[looked.id] === 1) return undefined
  return Effect.catchAll(
    own.start(self, looked.component, looked.service, looked.scope, (stop) => {
      looked.stop = stop
    }),
    (error) =>
      Effect.sync(() => {
        const cause = error.cause as Errors.HookFailed | Errors.HookTimeout
        self.record.errors.push(cause)
        self.record.errorRecords.push({
          component: looked.component.name,
          phase: "start",
          hook: cause.hook,
          kind: cause._tag === "HookTimeout" ? "timeout" : "failure",
          message: cause.message
        })
        self.starting!.stop()
      })
  )
}

/**
 * The stop of a lookup's own singleton of the graph that started, as its turn comes (dependents
 * first): its failures are its release's, as for every instance of its own (`own.ts`).
 *
 * @internal
 */
export const stopVertex = (graph: StartGraph, vertex: number): Effect.Effect<void> | undefined => {
  const stop = graph.looked.get(vertex)?.stop
  return stop === undefined ? undefined : Effect.asVoid(Effect.exit(stop))
}
