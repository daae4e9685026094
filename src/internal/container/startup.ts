/**
 * Run-time requests of the graph's own singletons while the graph is still being built.
 *
 * The singletons a root container's graph builds at startup (its eager nodes) are read from the
 * build's values once built. A constructor running during that build can ask for one at run time
 * before the build made it: a lookup of another component of the plan (`Container.get`, which the
 * resolution error of a cycle suggests), or a lookup of a component outside the plan that depends on
 * one. Such a request waits for the build of that singleton, as a lookup waits for any build in
 * flight, and never reads a value not made yet.
 *
 * A wait that could never end is a cycle instead: the singleton depends (through the plan's requests,
 * App's startup orders, or what other constructors wait for in the same way) on a constructor that
 * waits for this request: `CircularLookup`, whose path goes from the singleton to that constructor and back. A
 * build that ended without it (another constructor failed, or the build was interrupted) answers
 * `ContainerClosed`: the graph is being released.
 *
 * Who waits: the components of the graph whose constructors the request runs in, found by their node
 * Scope in the contexts of the lookups in progress on the fiber (`container/lookup.ts`'s chain) and
 * in the fiber's own. What a constructor runs in a fiber of its own, or under a Scope of its own, is
 * not seen, so a cycle through such a request waits. Waits hold a worker of the build: under a
 * `concurrency` bound, constructors waiting in this way can hold every worker.
 *
 * Nothing here runs once the build ended: `pending` is a read of a flag.
 *
 * @internal
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import * as Errors from "../../Errors.js"
import type { Container } from "../container.js"
import * as executor from "../executor.js"
import * as runtime from "../runtime.js"

/** A lookup in progress, as `container/lookup.ts` keeps it on the fiber: what it asks for, the context it was asked in, and the one around it. */
interface Asked {
  readonly description: { readonly label: string }
  readonly caller: Context.Context<never> | undefined
  readonly outer: Asked | undefined
}

/** A constructor of the graph a request runs in, and the lookups made from it down to the request (outermost first). */
interface Asker {
  readonly node: number
  readonly lookups: ReadonlyArray<string>
}

/** `container/lookup.ts`'s chain of lookups in progress (the same fiber-local), read here for its callers only. */
const lookupChain = runtime.makeFiberLocal<Asked | undefined>("Container/lookupLinks", undefined)

/** What the constructors that wait wait for: per waiting node, the nodes (of the same build). */
const waits = new WeakMap<Container, Map<number, Array<number>>>()

/** Whether the node is one the graph's build makes and has not made yet. */
export const pending = (self: Container, id: number): boolean => {
  if (self.eager[id] !== 1) return false
  const run = self.build.run
  return run !== undefined && run.finished[id] !== 1
}

/** Per plan, its nodes by name (a lookup's plan names the root's nodes it shares as the root's plan does). */
const byName = new WeakMap<object, ReadonlyMap<string, number>>()

/** Whether the graph's build is running (a lookup's answer is then not kept as ready: see `pendingFor`). */
export const building = (self: Container): boolean => {
  const run = self.build.run
  return run !== undefined && !run.ended
}

/**
 * Whether the graph's build ended without building everything (a constructor failed, or it was
 * interrupted): what it built is being released, and its constructors still running are cut off.
 *
 * @internal
 */
export const torn = (self: Container): boolean => {
  const run = self.build.run
  return run !== undefined && run.ended && run.completed < run.graph.size
}

/**
 * The nodes of `root` the graph's build makes that a lookup answered by `answering` (the root itself,
 * or a container made for the lookup, whose plan shares the root's nodes by name) reaches, while that
 * build runs: the pending ones are awaited before the lookup builds anything (`awaitTargets`). What a
 * constructor got is released after it by the lookup's record (`lookedUp.ts`), made once it got it.
 */
export const pendingFor = (root: Container, answering: Container, targets: ReadonlyArray<number>): ReadonlyArray<number> => {
  if (!building(root)) return []
  if (answering === root) return targets.filter((target) => root.eager[target] === 1)
  let names = byName.get(root.plan)
  if (names === undefined) byName.set(root.plan, names = new Map(root.plan.nodes.map((node) => [node.name, node.id])))
  const found: Array<number> = []
  for (const node of answering.plan.nodes) {
    const id = names.get(node.name)
    if (id !== undefined && root.eager[id] === 1) found.push(id)
  }
  return found
}

/**
 * Waits for every pending target (see the module's doc). `looked`: they are what the lookup asked
 * for (the root's own answer), not what it depends on.
 */
export const awaitTargets = (
  self: Container,
  targets: ReadonlyArray<number>,
  looked: boolean
): Effect.Effect<void, Errors.CircularLookup | Errors.ContainerClosed> =>
  Effect.forEach(targets, (target) => awaitNode(self, target, looked), { discard: true })

/** The instance of a pending node once built; a cycle is a defect here (a request typed without `CircularLookup`: a handle's, a lookup's component's). */
export const instance = (self: Container, id: number): Effect.Effect<unknown, Errors.ContainerClosed> =>
  Effect.map(Effect.catchTag(awaitNode(self, id, false), "CircularLookup", (cycle) => Effect.die(cycle)), () => self.build.values[id])

/** `looked`: the request is the innermost lookup in progress (its label ends a cycle's path), else a dependency of what it builds. */
const awaitNode = (self: Container, id: number, looked: boolean): Effect.Effect<void, Errors.CircularLookup | Errors.ContainerClosed> =>
  Effect.withFiberRuntime((fiber) => {
    const run = self.build.run
    if (run === undefined || run.ended) return run === undefined || run.finished[id] === 1 ? Effect.void : Effect.fail(closed(self))
    if (run.finished[id] === 1) return Effect.void
    const askers = askersOf(self, fiber)
    const cycle = cycleThrough(self, id, askers, looked)
    if (cycle !== undefined) return Effect.fail(new Errors.CircularLookup({ path: cycle }))
    const waiter = run.waitFor(id)
    if (waiter === undefined) return run.finished[id] === 1 ? Effect.void : Effect.fail(closed(self))
    let table = waits.get(self)
    if (table === undefined) waits.set(self, table = new Map())
    for (const { node } of askers) {
      const list = table.get(node)
      if (list === undefined) table.set(node, [id])
      else list.push(id)
    }
    const forget = Effect.sync(() => {
      for (const { node } of askers) {
        const list = table.get(node)!
        list.splice(list.indexOf(id), 1)
        if (list.length === 0) table.delete(node)
      }
    })
    return Effect.ensuring(
      Effect.flatMap(run.lend(waiter), () => run.finished[id] === 1 ? Effect.void : Effect.fail(closed(self))),
      forget
    )
  })

const closed = (self: Container): Errors.ContainerClosed => new Errors.ContainerClosed({ container: self.path, operation: "get" })

/** The graph's nodes whose constructors this request runs in: the owners of the Scopes of its lookups' callers and of the fiber's context. */
const askersOf = (self: Container, fiber: Fiber.RuntimeFiber<unknown, unknown>): ReadonlyArray<Asker> => {
  const links: Array<Asked> = []
  for (let link = fiber.getFiberRef(lookupChain); link !== undefined; link = link.outer) links.unshift(link)
  const askers: Array<Asker> = []
  const add = (context: Context.Context<never> | undefined, from: number) => {
    if (context === undefined) return
    const scope = Context.getOption(context, Scope.Scope)
    if (Option.isNone(scope)) return
    const index = self.build.scopes.indexOf(scope.value as Scope.CloseableScope)
    if (index === -1) return
    const node = self.build.owners[index]!
    if (askers.some((asker) => asker.node === node)) return
    // one lookup may pass through another container's (App's), on the chain twice
    const lookups: Array<string> = []
    for (const link of links.slice(from)) if (lookups[lookups.length - 1] !== link.description.label) lookups.push(link.description.label)
    askers.push({ node, lookups })
  }
  links.forEach((link, index) => add(link.caller, index))
  add(fiber.currentContext, links.length)
  return askers
}

/**
 * The cycle a wait for `id` would close: a path from `id`, through what it depends on (not built
 * yet), the startup components of lower orders it is built after, and what the constructors among
 * them wait for, to one of `askers`, then the lookups made from
 * that one's constructor down to this request, then `id` again; none when no asker is reached.
 */
const cycleThrough = (
  self: Container,
  id: number,
  askers: ReadonlyArray<Asker>,
  looked: boolean
): ReadonlyArray<string> | undefined => {
  if (askers.length === 0) return undefined
  const run = self.build.run!
  const predecessors = executor.predecessorsOf(self.plan)
  const waiting = waits.get(self)
  // App's startup orders: a node of a stage is built only once every node of a lower stage is
  const stages = run.graph.stages
  const staged: Array<number> = []
  if (stages !== undefined) for (let node = 0; node < stages.length; node++) if (stages[node]! >= 0 && run.finished[node] !== 1) staged.push(node)
  const earlier = (node: number): ReadonlyArray<number> =>
    stages === undefined || stages[node]! <= 0 ? [] : staged.filter((other) => stages[other]! < stages[node]!)
  const from = new Map<number, number>([[id, -1]])
  const queue = [id]
  for (let at = 0; at < queue.length; at++) {
    const node = queue[at]!
    const asker = askers.find((candidate) => candidate.node === node)
    if (asker !== undefined) {
      const path: Array<string> = []
      for (let step = node; step !== -1; step = from.get(step)!) path.push(self.plan.nodes[step]!.name)
      path.reverse().push(...asker.lookups)
      const name = self.plan.nodes[id]!.name
      // a lookup of the node itself ends the path with its request; one of what depends on it goes on to it
      if (asker.lookups.length === 0 || (!looked && asker.lookups[asker.lookups.length - 1] !== name)) path.push(name)
      return path
    }
    for (const next of [...predecessors[node]!, ...(waiting?.get(node) ?? []), ...earlier(node)]) {
      if (from.has(next) || run.finished[next] === 1) continue
      from.set(next, node)
      queue.push(next)
    }
  }
  return undefined
}
