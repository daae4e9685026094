/**
 * Building a plan: every component's constructor run once, dependencies first, in a scope of its own;
 * every scope closed once, dependents first. `Plan.toLayer` is this with the plain node task; App
 * supplies its own node task (timing, initializers, disposers) around the same steps.
 *
 * Scopes: each constructor (Effect or Layer) gets a Scope of its own, made when its construction
 * starts, which is after every one of its dependencies finished constructing. `release` closes them
 * all, one at a time, in reverse order of construction start, hence every component before any of its
 * dependencies, each with the exit the graph ends with. That covers the nodes built, the ones that
 * failed half-way and the ones interrupted in flight, each released exactly once. A node whose
 * release fails becomes a `ReleaseError` defect naming it and the releases go on. A node scope made
 * once the release began is closed at once, as a finalizer added to a closed scope would run at once.
 * Nodes built from a value have no scope and nothing to release.
 *
 * Context: a constructor runs with the context of the fiber building it (the caller's), its
 * dependencies and its own Scope, as `Effect.provide` would give it; the worker sets it with one
 * FiberRef write. FiberRefs follow `Layer.provide` (see `runtime.FiberRefViews`).
 *
 * Layers: the Layers of one graph are built through a memo of the graph's own (`runtime.GraphLayers`):
 * a Layer (or a Layer inside one) used by several components of the graph is built once and released
 * after the last of them (`Layer.fresh` opts out), as their inputs are the same: a graph resolves each
 * request once, so every component of it that requests a service gets the same one. Never shared with
 * another graph, whatever MemoMap the program builds the graph's Layer with: another graph may have
 * resolved the same request to another component (a test's override).
 *
 * Failure: the first constructor failure stops the run: no other constructor starts, the ones in
 * flight are interrupted, and the build fails with a `ConstructionError` naming the component and
 * its path (see `constructionCause`).
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as ExecutionStrategy from "effect/ExecutionStrategy"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import { globalValue } from "effect/GlobalValue"

import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import * as Tracer from "effect/Tracer"
import * as Errors from "../Errors.js"
import type * as Plan from "../Plan.js"
import { releaseCause } from "./errors.js"
import * as graph from "./graph.js"
import { MinHeap } from "./heap.js"
import * as planInternal from "./plan.js"
import * as runtime from "./runtime.js"

/**
 * Why a concurrency option cannot be used (`undefined` when it can): it must be `"unbounded"` or a
 * number of at least 1 (a fraction is rounded down). One rule and one message for `Plan.toLayer`,
 * `Registry.toLayer`, `App` and health checks.
 *
 * @internal
 */
export const concurrencyProblem = (input: unknown): string | undefined =>
  input === undefined || input === "unbounded" || (typeof input === "number" && input >= 1)
    ? undefined
    : `concurrency must be "unbounded" or at least 1, got ${typeof input === "string" ? JSON.stringify(input) : String(input)}`

/** A usable concurrency option as a limit (`Infinity` for unbounded). @internal */
export const concurrencyLimit = (concurrency: number | "unbounded" | undefined): number =>
  concurrency === undefined || concurrency === "unbounded" || !(concurrency >= 1) ? Number.POSITIVE_INFINITY : Math.floor(concurrency)

/**
 * A resolved request's value: its node's service, an Option, or the services of a collection. An
 * external request (no targets, rule `external`) takes the service the program provides (`outside`).
 *
 * @internal
 */
export const valueOf = (edge: Plan.Edge, values: ReadonlyArray<unknown>, outside: ReadonlyMap<string, unknown>): unknown => {
  const targets = edge.targets
  switch (edge.request.cardinality) {
    case "one":
      return targets.length === 1 ? values[targets[0]!] : outside.get(edge.request.service)
    case "optional":
      return targets.length === 1
        ? Option.some(values[targets[0]!])
        : fromOutside(edge)
        ? Option.some(outside.get(edge.request.service))
        : Option.none()
    case "all":
      return targets.length === 0 && fromOutside(edge)
        ? [outside.get(edge.request.service)]
        : targets.map((target) => values[target])
  }
}

/** Whether an edge's service comes from outside the graph: the program's, or the container. */
const fromOutside = (edge: Plan.Edge): boolean => edge.choice.rule === "external" || edge.choice.rule === "container"

/** The services a list of edges gives, by key. @internal */
export const contextOf = <Services = never>(
  edges: ReadonlyArray<Plan.Edge>,
  values: ReadonlyArray<unknown>,
  outside: ReadonlyMap<string, unknown>
): Context.Context<Services> => {
  const services = new Map<string, unknown>()
  for (const edge of edges) services.set(edge.request.key, valueOf(edge, values, outside))
  return runtime.contextFromMap<Services>(services)
}

/** The roots' services of a built plan: the services its type says. @internal */
export const rootContext = <Roots>(
  plan: Plan.Plan<Roots, unknown, unknown>,
  values: ReadonlyArray<unknown>,
  outside: ReadonlyMap<string, unknown>
): Context.Context<Roots> => contextOf<Roots>(plan.roots, values, outside)

/**
 * The external services of a plan the caller's context lacks (a program that did not provide them:
 * the types require them, JavaScript does not). The build dies saying which.
 *
 * @internal
 */
export const missingExternal = (plan: Plan.Any, outside: ReadonlyMap<string, unknown>): Effect.Effect<void> => {
  const missing = plan.external.filter((key) => !outside.has(key))
  return missing.length === 0
    ? Effect.void
    : Effect.dieMessage(`layerwise: the external services ${missing.join(", ")} were not provided to the graph that needs them`)
}

/**
 * A plan as its builds read it, computed once per plan (an immutable value): per node its
 * predecessors, its constructor when it is an Effect, and the services its context gets from its
 * dependencies, in flat arrays, so that a build of many components reads little memory per node.
 *
 * @internal
 */
export class PlanLayout {
  /** per node, the nodes it depends on, each once */
  readonly predecessors: ReadonlyArray<ReadonlyArray<number>>
  /** per node, its constructor when it is an Effect; `undefined` for a Layer or a value */
  readonly effects: ReadonlyArray<Effect.Effect<unknown, unknown> | undefined>
  /** the edges of node `id` are `edgeStart[id]` to `edgeStart[id + 1]` (excluded) in the arrays below */
  readonly edgeStart: Int32Array
  readonly edges: ReadonlyArray<Plan.Edge>
  readonly edgeKeys: ReadonlyArray<string>
  /** the edge's one target when its cardinality is "one" (not external), else -1 (its value: `valueOf`) */
  readonly edgeTargets: Int32Array
  /**
   * Whether the plan needs a container (`Dynamic`): a component that is not a singleton, a handle
   * request, or a request of the container itself.
   */
  readonly dynamic: boolean

  constructor(plan: Plan.Any) {
    const nodes = plan.nodes
    const predecessors: Array<Array<number>> = new Array(nodes.length)
    const effects: Array<Effect.Effect<unknown, unknown> | undefined> = new Array(nodes.length)
    const edges: Array<Plan.Edge> = []
    this.edgeStart = new Int32Array(nodes.length + 1)
    const lastSeen = new Int32Array(nodes.length).fill(-1)
    for (let id = 0; id < nodes.length; id++) {
      const node = nodes[id]!
      const construct = node.component.construct
      effects[id] = construct._tag === "Effect" ? construct.effect as Effect.Effect<unknown, unknown> : undefined
      const own: Array<number> = []
      for (const edge of node.dependencies) {
        edges.push(edge)
        for (const target of edge.targets) {
          if (lastSeen[target] === id) continue
          lastSeen[target] = id
          own.push(target)
        }
      }
      predecessors[id] = own
      this.edgeStart[id + 1] = edges.length
    }
    this.predecessors = predecessors
    this.effects = effects
    this.edges = edges
    this.edgeKeys = edges.map((edge) => edge.request.key)
    this.edgeTargets = Int32Array.from(edges, (edge) => edge.request.cardinality === "one" && edge.targets.length === 1 ? edge.targets[0]! : -1)
    this.dynamic = nodes.some((node) => node.component.lifetime !== undefined && node.component.lifetime._tag !== "Singleton") ||
      [...edges, ...plan.roots].some((edge) => edge.request.handle !== undefined || edge.choice.rule === "container")
  }
}

/** What is computed once per plan: its layout, and per list of predecessors the runner's graphs. */
const perPlan = globalValue(Symbol.for("layerwise/executor/perPlan"), () => ({
  layouts: new WeakMap<Plan.Any, PlanLayout>(),
  graphs: new WeakMap<ReadonlyArray<ReadonlyArray<number>>, { forward?: RunnerEdges; backward?: RunnerEdges }>()
}))

/** A runner's graph before a run: its successors, and the counts a run starts from. */
interface RunnerEdges {
  readonly pending: Int32Array
  readonly successors: ReadonlyArray<ReadonlyArray<number>>
}

/** The layout of a plan (computed once per plan). @internal */
export const layoutOf = (plan: Plan.Any): PlanLayout => {
  let layout = perPlan.layouts.get(plan)
  if (layout === undefined) {
    layout = new PlanLayout(plan)
    perPlan.layouts.set(plan, layout)
  }
  return layout
}

/** Per node, the nodes it depends on, each once (computed once per plan). @internal */
export const predecessorsOf = (plan: Plan.Any): ReadonlyArray<ReadonlyArray<number>> => layoutOf(plan).predecessors

/**
 * The runner's graph of a plan: dependencies first (`forward`) or dependents first (backward), with
 * optional stages (App's startup orders).
 *
 * @internal
 */
export const runnerGraph = (
  predecessors: ReadonlyArray<ReadonlyArray<number>>,
  forward: boolean,
  stages?: Int32Array
): graph.Graph => {
  kept ??= new graph.Run(graphOf([[]], true, undefined), 1, () => undefined)
  return graphOf(predecessors, forward, stages)
}

const graphOf = (
  predecessors: ReadonlyArray<ReadonlyArray<number>>,
  forward: boolean,
  stages: Int32Array | undefined
): graph.Graph => {
  let graphs = perPlan.graphs.get(predecessors)
  if (graphs === undefined) {
    graphs = {}
    perPlan.graphs.set(predecessors, graphs)
  }
  const edges = forward ? graphs.forward ??= runnerEdges(predecessors, true) : graphs.backward ??= runnerEdges(predecessors, false)
  return { size: predecessors.length, pending: edges.pending.slice(), successors: edges.successors, stages, descending: !forward }
}

/**
 * A run of a graph of one node, kept for the life of the module once a graph has run. The runner's
 * graph and run are objects of their own hidden classes, which V8 collects with the last of them:
 * every optimised function of the runner that depended on them was thrown away at each garbage
 * collection after a build ("weak objects" in `--trace-deopt`), so the build after it ran the runner
 * unoptimised again (bench/README.md, "The build at 1,000 components"). A cache of this copy of the
 * module's code, as the resolver's (`resolver.ts`, `shapes`): it changes no result.
 */
let kept: graph.Run | undefined = undefined

const runnerEdges = (predecessors: ReadonlyArray<ReadonlyArray<number>>, forward: boolean): RunnerEdges => {
  const size = predecessors.length
  const pending = new Int32Array(size)
  const count = new Int32Array(size)
  for (let id = 0; id < size; id++) {
    for (const target of predecessors[id]!) {
      pending[forward ? id : target]++
      count[forward ? target : id]++
    }
  }
  // each list made at its final size, in node order: a run reads them one after the other
  const successors: Array<Array<number>> = new Array(size)
  for (let id = 0; id < size; id++) successors[id] = new Array<number>(count[id]!)
  count.fill(0)
  for (let id = 0; id < size; id++) {
    for (const target of predecessors[id]!) {
      const from = forward ? target : id
      successors[from]![count[from]!++] = forward ? id : target
    }
  }
  return { pending, successors }
}

/**
 * What owns node scopes and releases them, last made first: a graph's build, or an open scope of a
 * lifetime (its instances).
 *
 * @internal
 */
export interface Owner {
  /** node scopes in order of construction start, and the node owning each */
  readonly scopes: Array<Scope.CloseableScope>
  readonly owners: Array<number>
  /** the exit it is released with, once its release began: a node scope made then is closed at once */
  closing: Exit.Exit<unknown, unknown> | undefined
  /**
   * The order its release follows instead of its own (see `Interleaved`), set by the close of the
   * container that looked up instances for its constructors: `undefined` for every other owner.
   */
  interleaved?: Interleaved | undefined
  /**
   * Per node of its plan, set as the release of one of its node scopes begins (`releaseScope`, after
   * its dependents' releases): what a lazy handle of a singleton reads before giving the instance
   * (`container.ts`). `undefined`: not kept (an open scope of a lifetime).
   */
  readonly released?: Uint8Array | undefined
}

/**
 * A release order that interleaves an owner's node scopes with instances other owners hold (what
 * constructors looked up at run time, `container/lookedUp.ts`), from the first released: an owner's
 * own scope, or another's release as an Effect giving its failures. The owner's scopes not listed
 * (none, unless made after the order was) are released first, in the owner's own order.
 *
 * @internal
 */
export type Interleaved = ReadonlyArray<Scope.Scope | Effect.Effect<Cause.Cause<never> | undefined>>

/**
 * What a build of a dynamic plan (`PlanLayout.dynamic`) asks the container (`container.ts`): which
 * nodes it builds, and the values of a node's dependencies the container makes (handles, transient
 * instances).
 *
 * @internal
 */
export interface Dynamic {
  /** Whether the build constructs the node (an eager singleton); the container builds the others. */
  readonly atStartup: (id: number) => boolean
  /** The values of the node's dependencies, made in `scope` (the node's), when the container makes any. */
  readonly prepare: (id: number, scope: Scope.Scope) => Effect.Effect<EdgeValue, Errors.BuildError> | undefined
}

/**
 * The build of one plan: what its node tasks share.
 *
 * @internal
 */
export class GraphBuild implements Owner {
  readonly values: Array<unknown>
  /** node scopes in order of construction start, and the node owning each */
  readonly scopes: Array<Scope.CloseableScope> = []
  readonly owners: Array<number> = []
  /** the exit the graph is released with, once its release began */
  closing: Exit.Exit<unknown, unknown> | undefined = undefined
  /** its release's order with what constructors looked up, set by its container's close (see `Interleaved`) */
  interleaved: Interleaved | undefined = undefined
  /** per node, its release began (see `Owner.released`): kept once a container is attached (`container.ts`) */
  released: Uint8Array | undefined = undefined
  /** the first constructor failure */
  failure: Cause.Cause<Errors.BuildError> | undefined = undefined
  run: graph.Run | undefined = undefined
  /** the services of the caller's context: where external requests find theirs (and the container) */
  outside: ReadonlyMap<string, unknown>
  /** the container of a dynamic plan, set before the build runs */
  dynamic: Dynamic | undefined = undefined
  /** the graph's Layers, memoised for the graph alone */
  readonly layers = new runtime.GraphLayers()
  readonly layout: PlanLayout
  /**
   * A node's span while it builds, when spans are on: its constructor's parent span, set in the
   * context it runs in (the one `nodeContext` makes anyway: no other context is made or patched).
   */
  spanOf: ((id: number) => Tracer.AnySpan | undefined) | undefined = undefined

  constructor(
    readonly plan: Plan.Any,
    readonly limit: number,
    /** the context constructors start from */
    readonly callerContext: Context.Context<never>,
    readonly views: runtime.FiberRefViews
  ) {
    this.values = new Array(plan.nodes.length)
    this.layout = layoutOf(plan)
    this.outside = runtime.servicesOf(callerContext)
  }

  /** The first failure wins; the run stops. */
  fail(cause: Cause.Cause<Errors.BuildError>): void {
    this.failure ??= cause
    this.run?.stop()
  }

}

/** @internal */
export const makeBuild = (
  plan: Plan.Any,
  options?: { readonly concurrency?: number | "unbounded" | undefined }
): Effect.Effect<GraphBuild> =>
  Effect.flatMap(
    Effect.all([Effect.context<never>(), runtime.currentFiberRefs]),
    ([context, refs]) =>
      Effect.as(
        missingExternal(plan, runtime.servicesOf(context)),
        new GraphBuild(
          plan,
          concurrencyLimit(options?.concurrency),
          context,
          new runtime.FiberRefViews(refs)
        )
      )
  )

const makeNodeScope = Scope.make(ExecutionStrategy.sequential)

/**
 * Runs `use` with a node's scope, made when its construction starts, and the fiber running it. One
 * made once the release began is closed at once (it is empty: that cannot fail), before `use` runs.
 *
 * @internal
 */
export const withNodeScope = <A, E>(
  self: Owner,
  id: number,
  use: (scope: Scope.CloseableScope, fiber: Fiber.RuntimeFiber<unknown, unknown>) => Effect.Effect<A, E>
): Effect.Effect<A, E> =>
  Effect.flatMap(makeNodeScope, (scope) => {
    if (self.closing === undefined) {
      self.scopes.push(scope)
      self.owners.push(id)
      return use(scope, runtime.runningFiber())
    }
    return Effect.zipRight(Scope.close(scope, self.closing), Effect.suspend(() => use(scope, runtime.runningFiber())))
  })

/** A node's scope (see `withNodeScope`). @internal */
export const openScope = (self: Owner, id: number): Effect.Effect<Scope.CloseableScope> =>
  withNodeScope(self, id, Effect.succeed)

/**
 * A failed build's cause as the executor reports it: a `ConstructionError` naming the component and
 * its path. Expected failures stay expected; a constructor that died is still a defect. A
 * constructor whose cause holds only interruptions (it ran `Effect.interrupt`, or joined an
 * interrupted fiber) failed too: a defect like a death. It is not the build being interrupted: an
 * interrupted worker runs no handler of the exit, so only causes a constructor ended with on its own
 * reach this.
 */
const constructionCause = (
  plan: Plan.Any,
  node: Plan.Node,
  cause: Cause.Cause<unknown>
): Cause.Cause<Errors.BuildError> => {
  const error = (reason: unknown) =>
    new Errors.ConstructionError({ component: node.name, path: planInternal.pathTo(plan, node.id), cause: reason })
  const failure = Cause.failureOption(cause)
  return Option.isSome(failure) ? Cause.fail(error(failure.value)) : Cause.die(error(Cause.squash(cause)))
}

/**
 * The context a node's constructor runs in: `parent`, its dependencies' services, its own Scope and,
 * when spans are on, its span as the parent span.
 */
const nodeContext = (
  self: GraphBuild,
  id: number,
  parent: Context.Context<never>,
  scope: Scope.Scope,
  edgeValue: EdgeValue | undefined,
  span: Tracer.AnySpan | undefined
): Context.Context<never> => {
  const { edgeKeys, edgeStart, edgeTargets } = self.layout
  const values = self.values
  const services = new Map<string, unknown>(runtime.servicesOf(parent))
  for (let edge = edgeStart[id]!; edge < edgeStart[id + 1]!; edge++) {
    const target = edgeTargets[edge]!
    services.set(
      edgeKeys[edge]!,
      edgeValue !== undefined ? edgeValue(edge) : target >= 0 ? values[target] : valueOf(self.layout.edges[edge]!, values, self.outside)
    )
  }
  services.set(Scope.Scope.key, scope)
  if (span !== undefined) services.set(Tracer.ParentSpan.key, span)
  return runtime.contextFromMap(services)
}

/**
 * The value of a node's dependency, by its index in the plan's layout (`layout.edges`), when it is
 * not the plain one (the container's: a handle, a transient instance, a scoped one).
 *
 * @internal
 */
export type EdgeValue = (edge: number) => unknown

type Constructed = Exclude<Plan.Node["component"]["construct"], { readonly _tag: "Value" }>

/** A node's constructor: its Effect, or its Layer built through the graph's memo, as an Effect of its service. */
const serviceOf = (self: GraphBuild, id: number, scope: Scope.Scope): Effect.Effect<unknown, unknown> => {
  const effect = self.layout.effects[id]
  if (effect !== undefined) return effect
  const node = self.plan.nodes[id]!
  return Effect.map(
    self.layers.build((node.component.construct as Extract<Constructed, { readonly _tag: "Layer" }>).layer, scope) as Effect.Effect<Context.Context<never>, unknown>,
    (output) => runtime.serviceOf(output, node.component.tag as unknown as Context.Tag<never, unknown>)
  )
}

/**
 * Runs a node's constructor (an Effect or a Layer; not a value) on `fiber`, the fiber running the
 * current step, in its context and scope: the fiber gets the FiberRefs the node must see and its
 * context, synchronously; then the constructor runs. On success, what it changed in the fiber's
 * FiberRefs is recorded and `onSuccess` gets the service; on failure `onFailure` gets its cause as a
 * `ConstructionError`.
 *
 * The one path every node construction takes (`construct`, the plain task, App's task): a handful of
 * Effect operations around the constructor's own.
 *
 * @internal
 */
export const constructOn = <A, E>(
  self: GraphBuild,
  id: number,
  scope: Scope.Scope,
  fiber: Fiber.RuntimeFiber<unknown, unknown>,
  onFailure: (id: number, cause: Cause.Cause<Errors.BuildError>) => Effect.Effect<A, E>,
  onSuccess: (id: number, service: unknown) => Effect.Effect<A, E>,
  edgeValue?: EdgeValue
): Effect.Effect<A, E> => {
  if (self.views.changed) self.views.prepare(fiber, self.plan.nodes[id]!.dependencies)
  runtime.setContextOf(fiber, nodeContext(self, id, self.callerContext, scope, edgeValue, self.spanOf?.(id)))
  const before = runtime.fiberRefsOf(fiber)
  return Effect.matchCauseEffect(serviceOf(self, id, scope), {
    onFailure: (cause) => onFailure(id, constructionCause(self.plan, self.plan.nodes[id]!, cause)),
    onSuccess: (service) => {
      self.views.record(fiber, id, before)
      return onSuccess(id, service)
    }
  })
}

/**
 * Runs a node's constructor (see `constructOn`) on the fiber that runs this Effect; fails with its
 * `ConstructionError`.
 *
 * @internal
 */
export const construct = (self: GraphBuild, node: Plan.Node, scope: Scope.Scope): Effect.Effect<unknown, Errors.BuildError> =>
  Effect.withFiberRuntime((fiber) => constructOn(self, node.id, scope, fiber, failWith, Effect.succeed))

const failWith = (_: number, cause: Cause.Cause<Errors.BuildError>) => Effect.failCause(cause)

/**
 * Runs a node's constructor outside the graph's build (a component built lazily, per requester or in
 * a scope: see the container), on `fiber`, the fiber running the current step: its dependencies'
 * values from `edgeValue`, the context of the fiber as it is (restored afterwards: the fiber is the
 * caller's), its FiberRefs as the caller's (what it changes in them is not passed on).
 *
 * @internal
 */
export const constructInstance = (
  self: GraphBuild,
  id: number,
  scope: Scope.Scope,
  fiber: Fiber.RuntimeFiber<unknown, unknown>,
  edgeValue: EdgeValue | undefined
): Effect.Effect<unknown, Errors.BuildError> => {
  const parent = fiber.currentContext
  runtime.setContextOf(fiber, nodeContext(self, id, parent, scope, edgeValue, undefined))
  return Effect.matchCauseEffect(serviceOf(self, id, scope), {
    onFailure: (cause) => {
      runtime.setContextOf(fiber, parent)
      return Effect.failCause(constructionCause(self.plan, self.plan.nodes[id]!, cause))
    },
    onSuccess: (service) => {
      runtime.setContextOf(fiber, parent)
      return Effect.succeed(service)
    }
  })
}

/**
 * A node's value: built from a value, it is its own and passes on its dependencies' FiberRefs.
 *
 * @internal
 */
export const valueNode = (self: GraphBuild, node: Plan.Node, value: unknown): void => {
  self.values[node.id] = value
  self.views.passOn(node.id, node.dependencies)
}

/** The plain node task: the constructor, its value stored, its failure stopping the run. @internal */
export const plainTask = (self: GraphBuild) => {
  const failed = (_: number, cause: Cause.Cause<Errors.BuildError>) => {
    self.fail(cause)
    return Effect.void
  }
  const built = (id: number, service: unknown) => {
    self.values[id] = service
    return Effect.void
  }
  const dynamic = self.dynamic
  return (id: number): Effect.Effect<void> | undefined => {
    if (dynamic !== undefined && !dynamic.atStartup(id)) return undefined
    if (self.layout.effects[id] === undefined) {
      const node = self.plan.nodes[id]!
      const constructed = node.component.construct
      if (constructed._tag === "Value") {
        valueNode(self, node, constructed.value)
        return undefined
      }
    }
    return withNodeScope(self, id, (scope, fiber) => {
      const prepared = dynamic?.prepare(id, scope)
      return prepared === undefined
        ? constructOn(self, id, scope, fiber, failed, built)
        : Effect.matchCauseEffect(prepared, {
          onFailure: (cause) => failed(id, cause),
          onSuccess: (edgeValue) => constructOn(self, id, scope, fiber, failed, built, edgeValue)
        })
    })
  }
}

/**
 * Runs `task` for every node, dependencies first, at most `limit` at a time; fails with the first
 * failure a task reported (`fail`).
 *
 * @internal
 */
export const buildAll = (
  self: GraphBuild,
  task: (id: number) => Effect.Effect<void> | undefined,
  stages?: Int32Array
): Effect.Effect<void, Errors.BuildError> =>
  Effect.suspend(() => {
    const runnerGraph_ = runnerGraph(self.layout.predecessors, true, stages)
    return Effect.flatMap(
      graph.run(runnerGraph_, self.limit, task, (run) => {
        self.run = run
      }),
      () => self.failure === undefined ? Effect.void : Effect.failCause(self.failure)
    )
  })

/**
 * What a caller adds to each node's release (App: the component's disposers and its record). Both
 * are called as the node's turn comes, in release order.
 *
 * @internal
 */
export interface NodeRelease {
  /**
   * The node's release begins: an Effect to run before its scope closes (never failing), if any.
   * `scope`: the node scope about to close (a node may own several: transient instances, reloads).
   */
  readonly before: (id: number, scope: Scope.Scope) => Effect.Effect<void> | undefined
  /** Its scope closed: `error` when that failed (the failure is also returned by `release`). */
  readonly after: (id: number, error: Errors.ReleaseError | undefined, scope: Scope.Scope) => void
}

/**
 * Closes every node scope, dependents first, with `exit`; `steps` adds to each node's release.
 * The order is the reverse of construction start, which is dependents first for what a build
 * constructs; in a plan with lifetimes or handles, what was built after its dependents (a singleton
 * first built through a lazy handle its holder got at startup) is held back until they are released
 * (see `releaseOrder`). A node whose scope fails to close becomes a `ReleaseError` naming it, and the
 * releases go on. Returns the release failures (`ReleaseError` defects, in release order),
 * `undefined` when none; runs once: a second call finds nothing left.
 *
 * @internal
 */
export const release = (
  self: GraphBuild,
  exit: Exit.Exit<unknown, unknown>,
  steps?: NodeRelease
): Effect.Effect<Cause.Cause<never> | undefined> => releaseOwner(self, self.plan, exit, steps)

/**
 * What the release of a node scope waits for before anything else of it (its `NodeRelease` steps,
 * App's disposers among them, and its finalizers), by scope: a reloadable handle's instance stops
 * being given out, then waits for the uses in flight on it (`container/reloadable.ts`). Read by
 * `releaseOwner` for every scope it closes (a graph's release, a shutdown's); a scope with none has
 * no entry.
 *
 * @internal
 */
export const releaseGates = new WeakMap<Scope.Scope, Effect.Effect<void>>()

/**
 * `release` for any owner of node scopes (a graph's build, an open scope of a lifetime): its node
 * scopes closed last made first (`closeOrder`), or in its `interleaved` order when it has one,
 * `plan` naming their nodes in `ReleaseError`s; each first waits for its `releaseGates` entry, if any.
 *
 * @internal
 */
export const releaseOwner = (
  self: Owner,
  plan: Plan.Any,
  exit: Exit.Exit<unknown, unknown>,
  steps?: NodeRelease
): Effect.Effect<Cause.Cause<never> | undefined> =>
  Effect.suspend(() => {
    self.closing ??= exit
    const scopes = self.scopes.splice(0)
    const owners = self.owners.splice(0)
    const order = closeOrder(plan, owners)
    const interleaved = self.interleaved
    if (interleaved !== undefined) self.interleaved = undefined
    // an index of the owner's own scopes, or another owner's release
    let sequence: ArrayLike<number | Effect.Effect<Cause.Cause<never> | undefined>> = order
    if (interleaved !== undefined) {
      const listed = new Set(interleaved.filter((step) => !Effect.isEffect(step)))
      const merged: Array<number | Effect.Effect<Cause.Cause<never> | undefined>> = Array.from(order).filter((index) => !listed.has(scopes[index]!))
      for (const step of interleaved) {
        const index = Effect.isEffect(step) ? -1 : scopes.indexOf(step as Scope.CloseableScope)
        if (Effect.isEffect(step)) merged.push(step)
        else if (index !== -1) merged.push(index)
      }
      sequence = merged
    }
    return Effect.gen(function*() {
      let failures: Cause.Cause<never> | undefined
      for (let step = 0; step < sequence.length; step++) {
        const next = sequence[step]!
        if (typeof next !== "number") {
          const failure = yield* next
          if (failure !== undefined) failures = failures === undefined ? failure : Cause.sequential(failures, failure)
          continue
        }
        const id = owners[next]!
        const scope = scopes[next]!
        if (self.released !== undefined) self.released[id] = 1
        const gate = releaseGates.get(scope)
        if (gate !== undefined) yield* gate
        const before = steps?.before(id, scope)
        if (before !== undefined) yield* before
        const closed = yield* Effect.exit(Scope.close(scope, exit))
        const error = closed._tag === "Failure" ? releaseError(plan, id, closed.cause) : undefined
        steps?.after(id, error, scope)
        if (error !== undefined) failures = failures === undefined ? Cause.die(error) : Cause.sequential(failures, Cause.die(error))
      }
      return failures
    })
  })

/**
 * The indices of an owner's node scopes (`owners`: the node of each) in the order they are closed,
 * the first closed first: last made first, or `releaseOrder`'s for a plan with lifetimes or handles.
 *
 * @internal
 */
export const closeOrder = (plan: Plan.Any, owners: ReadonlyArray<number>): Int32Array => {
  const count = owners.length
  const found = new Int32Array(count)
  const order = layoutOf(plan).dynamic ? releaseOrder(plan, owners) : undefined
  for (let step = 0; step < count; step++) found[step] = order === undefined ? count - 1 - step : order[count - 1 - step]!
  return found
}

/**
 * Releases one node scope as `releaseOwner` does (it is the release of an owner of that scope alone),
 * called as its turn comes: marks its node `released` (see `Owner.released`), then its `releaseGates`
 * entry, if any, then the scope; its failure, if any, as a `ReleaseError` defect naming the node.
 *
 * @internal
 */
export const releaseScope = (
  plan: Plan.Any,
  id: number,
  scope: Scope.CloseableScope,
  exit: Exit.Exit<unknown, unknown>,
  released?: Uint8Array
): Effect.Effect<Cause.Cause<never> | undefined> => releaseOwner({ scopes: [scope], owners: [id], closing: undefined, released }, plan, exit)

/**
 * The order to close an owner's node scopes in, read from its end (`order[length - 1]` first):
 * never a node scope before the scopes of the nodes that depend on its node (through any request,
 * handles included, and through nodes with no scope of this owner: a transient whose instances
 * live in their requesters' scopes, a component not built), and otherwise the latest made first.
 * Kahn's algorithm, taking the latest made of the scopes whose dependents are all closed: for scopes
 * made in construction order it is that order reversed, as for a build with no handles.
 */
const releaseOrder = (plan: Plan.Any, owners: ReadonlyArray<number>): Int32Array => {
  const count = owners.length
  const predecessors = layoutOf(plan).predecessors
  const byNode = new Map<number, Array<number>>()
  for (let index = 0; index < count; index++) {
    const id = owners[index]!
    const same = byNode.get(id)
    if (same === undefined) byNode.set(id, [index])
    else same.push(index)
  }
  // the nodes with scopes a node depends on, directly or through nodes without one
  const dependenciesOf = (id: number): ReadonlyArray<number> => {
    const found = new Set<number>()
    const pending = [...predecessors[id]!]
    const seen = new Set<number>()
    while (pending.length > 0) {
      const dependency = pending.pop()!
      if (seen.has(dependency)) continue
      seen.add(dependency)
      if (byNode.has(dependency)) {
        found.add(dependency)
        continue
      }
      for (const next of predecessors[dependency]!) pending.push(next)
    }
    return [...found]
  }
  const dependencies = new Map<number, ReadonlyArray<number>>()
  for (const id of byNode.keys()) dependencies.set(id, dependenciesOf(id))
  // blocking[i]: how many scopes of nodes depending on i's node are still open
  const blocking = new Int32Array(count)
  for (let index = 0; index < count; index++) {
    for (const dependency of dependencies.get(owners[index]!)!) {
      for (const blocked of byNode.get(dependency)!) blocking[blocked]++
    }
  }
  // the scopes free to close, the latest made first
  const heap = new MinHeap()
  const push = (index: number) => heap.push(count - 1 - index)
  for (let index = 0; index < count; index++) if (blocking[index] === 0) push(index)
  const order = new Int32Array(count)
  let step = count
  while (heap.size > 0) {
    const index = count - 1 - heap.pop()!
    order[--step] = index
    for (const dependency of dependencies.get(owners[index]!)!) {
      for (const blocked of byNode.get(dependency)!) if (--blocking[blocked] === 0) push(blocked)
    }
  }
  return order
}

const releaseError = (plan: Plan.Any, id: number, cause: Cause.Cause<unknown>): Errors.ReleaseError =>
  new Errors.ReleaseError({ component: plan.nodes[id]!.name, path: planInternal.pathTo(plan, id), cause: releaseCause(cause) })
