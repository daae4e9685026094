/**
 * One graph, built several ways with the same constructors:
 *
 * - layerwise: `Registry` -> `Resolver.resolve` -> `Plan.toLayer(plan)`, built with `Layer.buildWithScope`;
 * - floor (the cheapest correct run of the same constructors, what build and release are judged on):
 *   one fiber, topological order; per node one `Scope.make()` and one FiberRef write setting its
 *   context (the caller's + its dependencies + its own Scope); the node scopes closed in reverse at
 *   release;
 * - flat, `Effect.provide` per constructor (a comparator, the floor before): one fiber, topological
 *   order, each constructor given a `Context` of its dependencies (and the one Scope) through
 *   `Effect.provide`;
 * - arguments (a reference): the same work by constructors that take their dependencies as arguments
 *   (`(deps) => Effect<Service, never, Scope>`), one fiber, one Scope per node (set as the floor sets
 *   a context), closed in reverse;
 * - hand-composed Layers: one `Layer.scoped` per component, fully provided with
 *   `Layer.provide(own, Layer.mergeAll(...dependencies))`, the sinks merged with `Layer.mergeAll`;
 * - bare scope: N `Effect.acquireRelease` in one Scope (no dependency order, one scope).
 *
 * Every tag-reading constructor reads its dependencies from its context (`yield*` their tags) and
 * acquires one resource with `Effect.acquireRelease`; the release records its position so a run can
 * check that every edge was respected (a component released before each of its dependencies).
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as FiberRef from "effect/FiberRef"
import * as Layer from "effect/Layer"
import * as Scope from "effect/Scope"
import * as Component from "../src/Component.js"
import type * as Plan from "../src/Plan.js"
import * as PlanModule from "../src/Plan.js"
import * as Registry from "../src/Registry.js"
import * as Resolver from "../src/Resolver.js"
import type { Graph } from "./graph.js"

export interface Service {
  readonly id: number
  readonly value: number
}

export type ServiceTag = Context.Tag<Service, Service>

/** Release positions by node: `released[i]` is the how-many-th release node `i` was (-1: not released). */
export class Recorder {
  readonly released: Int32Array
  count = 0
  constructor(readonly size: number) {
    this.released = new Int32Array(size).fill(-1)
  }
  reset(): void {
    this.released.fill(-1)
    this.count = 0
  }
  record(id: number): void {
    this.released[id] = this.count++
  }
}

export interface OrderCheck {
  /** releases recorded (should be N) */
  readonly releases: number
  /** nodes released more than once or never */
  readonly missing: number
  /** dependency edges checked */
  readonly edges: number
  /** edges where the dependency was released before its dependent */
  readonly violations: number
}

export const checkOrder = (graph: Graph, recorder: Recorder): OrderCheck => {
  let missing = 0
  let edges = 0
  let violations = 0
  for (let i = 0; i < graph.size; i++) {
    const own = recorder.released[i]!
    if (own < 0) missing++
    for (const dep of graph.deps[i]!) {
      edges++
      const theirs = recorder.released[dep]!
      if (own < 0 || theirs < 0 || own > theirs) violations++
    }
  }
  return { releases: recorder.count, missing: missing + Math.max(0, recorder.count - graph.size), edges, violations }
}

export interface Fixture {
  readonly graph: Graph
  readonly tags: ReadonlyArray<ServiceTag>
  readonly constructors: ReadonlyArray<Effect.Effect<Service, never, Service | Scope.Scope>>
  /** the same constructors, taking their dependencies (in `graph.deps` order) as arguments */
  readonly argumentConstructors: ReadonlyArray<ArgumentConstructor>
  readonly recorder: Recorder
  readonly roots: ReadonlyArray<ServiceTag>
  readonly components: ReadonlyArray<Component.Any>
  readonly registry: Registry.Registry
}

const constructorOf = (
  id: number,
  dependencies: ReadonlyArray<ServiceTag>,
  recorder: Recorder
): Effect.Effect<Service, never, Service | Scope.Scope> =>
  Effect.gen(function*() {
    let value = 1
    for (const tag of dependencies) value += (yield* tag).value
    return yield* Effect.acquireRelease(
      Effect.sync((): Service => ({ id, value: value % 1000 })),
      () => Effect.sync(() => recorder.record(id))
    )
  })

export type ArgumentConstructor = (dependencies: ReadonlyArray<Service>) => Effect.Effect<Service, never, Scope.Scope>

const argumentConstructorOf = (id: number, recorder: Recorder): ArgumentConstructor => (dependencies) => {
  let value = 1
  for (const dependency of dependencies) value += dependency.value
  return Effect.acquireRelease(
    Effect.sync((): Service => ({ id, value: value % 1000 })),
    () => Effect.sync(() => recorder.record(id))
  )
}

export const makeFixture = (graph: Graph): Fixture => {
  const prefix = `bench/${graph.shape}${graph.size}`
  const tags: Array<ServiceTag> = []
  for (let i = 0; i < graph.size; i++) tags.push(Context.GenericTag<Service>(`${prefix}/S${i}`))
  const recorder = new Recorder(graph.size)
  const constructors = graph.deps.map((deps, id) => constructorOf(id, deps.map((dep) => tags[dep]!), recorder))
  const argumentConstructors = graph.deps.map((_, id) => argumentConstructorOf(id, recorder))
  const components = constructors.map((build, id) =>
    Component.make(tags[id]!, { dependencies: graph.deps[id]!.map((dep) => tags[dep]!), build })
  )
  const registry = Registry.make(...components)
  return { graph, tags, constructors, argumentConstructors, recorder, roots: graph.sinks.map((sink) => tags[sink]!), components, registry }
}

export const resolve = (fixture: Fixture): Plan.Plan<never> => {
  const result = Resolver.resolve(fixture.registry, fixture.roots)
  if (Either.isLeft(result)) throw new Error(`resolution failed: ${result.left.message}`)
  return result.right
}

// ---------------------------------------------------------------------------------------------
// the variants: each builds into a given scope and returns what it built (kept alive by the caller)

export const layerwiseLayer = (plan: Plan.Plan<never>): Layer.Layer<never, unknown> => PlanModule.toLayer(plan)

export const buildLayer = <A, E>(layer: Layer.Layer<A, E>, scope: Scope.Scope): Effect.Effect<unknown, E> =>
  Layer.buildWithScope(layer, scope)

/**
 * Node scopes closed in reverse order of creation (dependents first) when `scope` closes: the release
 * of `buildFloor` and `buildArguments`, and the release floor.
 */
const closeInReverse = (scope: Scope.Scope, scopes: ReadonlyArray<Scope.CloseableScope>): Effect.Effect<void> =>
  Scope.addFinalizerExit(scope, (exit) =>
    Effect.gen(function*() {
      for (let i = scopes.length - 1; i >= 0; i--) yield* Scope.close(scopes[i]!, exit)
    }))

/**
 * The floor: the cheapest correct run of the tag-reading constructors. One fiber, topological order;
 * per node, a Scope of its own and its context (the caller's, its dependencies, its Scope) set with
 * one FiberRef write; the caller's context restored at the end; the node scopes closed in reverse
 * when `scope` closes.
 */
export const buildFloor = (
  fixture: Fixture,
  scope: Scope.Scope,
  /** the order the nodes are built in (default: index order) */
  order?: ReadonlyArray<number>
): Effect.Effect<ReadonlyArray<Service>> =>
  Effect.gen(function*() {
    const { constructors, graph, tags } = fixture
    const caller = yield* Effect.context<never>()
    const values = new Array<Service>(graph.size)
    const scopes: Array<Scope.CloseableScope> = []
    yield* closeInReverse(scope, scopes)
    for (let position = 0; position < graph.size; position++) {
      const i = order === undefined ? position : order[position]!
      const own = yield* Scope.make()
      scopes.push(own)
      const services = new Map<string, unknown>(caller.unsafeMap)
      for (const dep of graph.deps[i]!) services.set(tags[dep]!.key, values[dep])
      services.set(Scope.Scope.key, own)
      yield* FiberRef.set(FiberRef.currentContext, Context.unsafeMake<never>(services))
      values[i] = yield* (constructors[i] as Effect.Effect<Service>)
    }
    yield* FiberRef.set(FiberRef.currentContext, caller)
    return values
  })

/**
 * The floor as layerwise's build runs: in the runner's order (`runnerOrder`), as a Layer (its
 * constructors' context then holds what Effect's Layer builder provides: its MemoMap). What is left
 * between this and layerwise is layerwise's own work.
 */
export const buildFloorAsRun = (fixture: Fixture, order: ReadonlyArray<number>, scope: Scope.Scope): Effect.Effect<unknown> =>
  Layer.buildWithScope(Layer.scopedDiscard(Effect.flatMap(Effect.scope, (own) => buildFloor(fixture, own, order))), scope)

/**
 * The order layerwise's graph runner builds a plan in with synchronous constructors: the plan's
 * (`Plan.nodes`, the resolver's post-order from the roots), since the runner takes the lowest ready
 * node first. As indexes of the fixture (a plan numbers its nodes its own way).
 */
export const runnerOrder = (fixture: Fixture, plan: Plan.Plan<never>): ReadonlyArray<number> => {
  const index = new Map(fixture.tags.map((tag, i) => [tag.key, i]))
  return plan.nodes.map((node) => index.get(node.service)!)
}

/**
 * The reference with constructors taking their dependencies as arguments: one fiber, topological
 * order, a Scope per node (its context, the caller's and the Scope, set as the floor sets it), closed
 * in reverse when `scope` closes.
 */
export const buildArguments = (fixture: Fixture, scope: Scope.Scope): Effect.Effect<ReadonlyArray<Service>> =>
  Effect.gen(function*() {
    const { argumentConstructors, graph } = fixture
    const caller = yield* Effect.context<never>()
    const values = new Array<Service>(graph.size)
    const scopes: Array<Scope.CloseableScope> = []
    yield* closeInReverse(scope, scopes)
    for (let i = 0; i < graph.size; i++) {
      const own = yield* Scope.make()
      scopes.push(own)
      const deps = graph.deps[i]!
      const dependencies = new Array<Service>(deps.length)
      for (let d = 0; d < deps.length; d++) dependencies[d] = values[deps[d]!]!
      yield* FiberRef.set(FiberRef.currentContext, Context.add(caller, Scope.Scope, own) as Context.Context<never>)
      values[i] = yield* (argumentConstructors[i]!(dependencies) as Effect.Effect<Service>)
    }
    yield* FiberRef.set(FiberRef.currentContext, caller)
    return values
  })

/** The comparator (the floor before): one fiber, topological order, one Scope, `Effect.provide` per constructor. */
export const buildFlat = (fixture: Fixture, scope: Scope.Scope): Effect.Effect<ReadonlyArray<Service>> =>
  Effect.gen(function*() {
    const { constructors, graph, tags } = fixture
    const values = new Array<Service>(graph.size)
    for (let i = 0; i < graph.size; i++) {
      const services = new Map<string, unknown>()
      for (const dep of graph.deps[i]!) services.set(tags[dep]!.key, values[dep])
      services.set(Scope.Scope.key, scope)
      values[i] = yield* Effect.provide(constructors[i]!, Context.unsafeMake<Service | Scope.Scope>(services))
    }
    return values
  })

/**
 * Hand-composed nested Layers, the natural way: each component's `Layer.scoped` provided with the
 * (memoised, shared) fully provided layers of its dependencies.
 */
export const handLayer = (fixture: Fixture): Layer.Layer<Service> => {
  const { constructors, graph, tags } = fixture
  const provided: Array<Layer.Layer<Service>> = new Array(graph.size)
  for (let i = 0; i < graph.size; i++) {
    const own = Layer.scoped(tags[i]!, constructors[i]!)
    const deps = graph.deps[i]!
    provided[i] = deps.length === 0
      ? (own as Layer.Layer<Service>)
      : Layer.provide(own, deps.length === 1 ? provided[deps[0]!]! : Layer.mergeAll(...deps.map((dep) => provided[dep]!) as [Layer.Layer<Service>]))
  }
  const sinks = graph.sinks.map((sink) => provided[sink]!)
  return sinks.length === 1 ? sinks[0]! : Layer.mergeAll(...sinks as [Layer.Layer<Service>])
}

/** The release floor: N acquireRelease (same acquire and release as the constructors) in one Scope. */
export const acquireBare = (fixture: Fixture, scope: Scope.Scope): Effect.Effect<ReadonlyArray<Service>> =>
  Effect.gen(function*() {
    const values = new Array<Service>(fixture.graph.size)
    const recorder = fixture.recorder
    for (let i = 0; i < fixture.graph.size; i++) {
      const id = i
      values[i] = yield* Effect.acquireRelease(
        Effect.sync((): Service => ({ id, value: id % 1000 })),
        () => Effect.sync(() => recorder.record(id))
      )
    }
    return values
  }).pipe(Scope.extend(scope))

export const makeScope = (): Scope.CloseableScope => Effect.runSync(Scope.make())

export const closeScope = (scope: Scope.CloseableScope): Promise<void> => Effect.runPromise(Scope.close(scope, Exit.void))
