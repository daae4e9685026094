import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as ExecutionStrategy from "effect/ExecutionStrategy"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import * as Errors from "../Errors.js"
import type * as Plan from "../Plan.js"
import * as planInternal from "./plan.js"

/** @internal */
export interface ExecuteOptions {
  readonly concurrency?: number | "unbounded" | undefined
  /** Lifecycle observation (used by App). When absent the executor does no extra work at all. */
  readonly observer?: ExecuteObserver | undefined
}

/**
 * Synchronous callbacks around each node's build and release, plus an optional wrapper of the build
 * Effect (for spans). Callbacks run in the fiber doing the work and must not throw.
 *
 * @internal
 */
export interface ExecuteObserver {
  /** Before a node's build runs. */
  readonly buildStarted: (node: Plan.Node) => void
  /** After a node's build ended; not called for a build that was interrupted. */
  readonly buildEnded: (node: Plan.Node, exit: Exit.Exit<unknown, Errors.BuildError>) => void
  /** Wraps each node's build Effect. */
  readonly wrapBuild?:
    | ((node: Plan.Node, build: Effect.Effect<unknown, Errors.BuildError>) => Effect.Effect<unknown, Errors.BuildError>)
    | undefined
  /** Before a node's scope is closed (nodes built from a Value have no scope, hence no release). */
  readonly releaseStarted: (node: Plan.Node) => void
  /** After a node's scope closed; a failure is the `ReleaseError` defect. */
  readonly releaseEnded: (node: Plan.Node, exit: Exit.Exit<void>) => void
}

/** @internal */
export const valueOf = (edge: Plan.Edge, values: ReadonlyArray<unknown>): unknown => {
  switch (edge.request.cardinality) {
    case "one":
      return values[edge.targets[0]!]
    case "optional":
      return edge.targets.length === 0 ? Option.none() : Option.some(values[edge.targets[0]!])
    case "all":
      return edge.targets.map((target) => values[target])
  }
}

/** @internal */
export const contextOf = (edges: ReadonlyArray<Plan.Edge>, values: ReadonlyArray<unknown>): Map<string, unknown> => {
  const services = new Map<string, unknown>()
  for (const edge of edges) services.set(edge.request.key, valueOf(edge, values))
  return services
}

const toConstructionError = (plan: Plan.Plan<unknown>, node: Plan.Node) =>
(
  cause: Cause.Cause<unknown>
): Effect.Effect<never, Errors.ConstructionError> => {
  // An interruption-only cause holds no failure value, so it is a Cause<never>.
  if (Cause.isInterruptedOnly(cause)) return Effect.failCause(cause as Cause.Cause<never>)
  const error = (reason: unknown) =>
    new Errors.ConstructionError({ component: node.name, path: planInternal.pathTo(plan, node.id), cause: reason })
  const failure = Cause.failureOption(cause)
  // Expected failures stay expected; a constructor that died is still a defect, now naming the component.
  return Option.isSome(failure) ? Effect.fail(error(failure.value)) : Effect.die(error(Cause.squash(cause)))
}

/**
 * The node's own scope, closed by the graph's scope. A release failure of the node surfaces as a
 * defect that names the component (`ReleaseError`); it does not stop the other releases, since the
 * graph scope runs every finalizer whatever the others do.
 */
const nodeScope = (plan: Plan.Plan<unknown>, node: Plan.Node, graphScope: Scope.Scope, observer?: ExecuteObserver) =>
  Effect.tap(
    Scope.make(ExecutionStrategy.sequential),
    (scope) =>
      Scope.addFinalizerExit(graphScope, (exit) => {
        const release = Effect.catchAllCause(Scope.close(scope, exit), (cause) =>
          Effect.die(
            new Errors.ReleaseError({ component: node.name, path: planInternal.pathTo(plan, node.id), cause: Cause.squash(cause) })
          ))
        return observer === undefined ? release : observedRelease(node, release, observer)
      })
  )

const observedRelease = (node: Plan.Node, release: Effect.Effect<void>, observer: ExecuteObserver) =>
  Effect.suspend(() => {
    observer.releaseStarted(node)
    return Effect.flatMap(Effect.exit(release), (exit) => {
      observer.releaseEnded(node, exit)
      return exit
    })
  })

/**
 * Builds one node: its constructor runs with its dependencies and a Scope of its own in context.
 * The node's scope is forked from the graph's scope when construction starts, which is after every
 * dependency finished constructing, so the graph scope (sequential) closes dependents first.
 *
 * @internal
 */
export const buildNode = (
  plan: Plan.Plan<unknown>,
  node: Plan.Node,
  values: ReadonlyArray<unknown>,
  graphScope: Scope.Scope,
  memoMap: Layer.MemoMap,
  observer?: ExecuteObserver
): Effect.Effect<unknown, Errors.BuildError> => {
  const construct = node.component.construct
  if (construct._tag === "Value") return Effect.succeed(construct.value)
  return nodeScope(plan, node, graphScope, observer).pipe(
    Effect.flatMap((scope) => {
      const services = contextOf(node.dependencies, values)
      services.set(Scope.Scope.key, scope)
      const context = Context.unsafeMake<never>(services)
      return construct._tag === "Effect"
        ? Effect.provide(construct.effect as Effect.Effect<unknown, unknown>, context)
        : Effect.map(
          Effect.provide(
            Layer.buildWithMemoMap(construct.layer as Layer.Layer<unknown, unknown>, memoMap, scope),
            context
          ),
          (output) => Context.unsafeGet(output, node.component.tag)
        )
    }),
    Effect.catchAllCause(toConstructionError(plan, node))
  )
}

/**
 * Builds every node of a plan in the graph's scope and returns the services by node id.
 *
 * Scheduling: a ready queue of nodes whose dependencies are all built. One worker fiber works the
 * queue while the calling fiber waits; a helper fiber is forked only when there is more ready work
 * than the running workers took and fewer workers than the concurrency limit, and it starts working
 * only once the scheduler gives it a turn, that is once a worker suspended (an asynchronous
 * constructor) or yielded. A graph of synchronous constructors therefore builds at the speed of a
 * flat loop, while asynchronous constructors of independent components overlap up to the limit.
 * On success every worker is joined, so the FiberRef changes of every component (a Layer setting a
 * logger, a config provider...) reach the caller, as they would through Layer composition.
 *
 * Failure: the first constructor failure stops the scheduling of new nodes, interrupts the nodes
 * still under construction (in every worker: no constructor runs on the calling fiber), and fails.
 * Everything constructed so far lives in the graph scope and is released, dependents first, when
 * that scope closes (Layer does this on failure).
 *
 * @internal
 */
export const execute = (
  plan: Plan.Plan<unknown>,
  options?: ExecuteOptions
): Effect.Effect<Array<unknown>, Errors.BuildError, Scope.Scope> =>
  Effect.gen(function*() {
    const nodes = plan.nodes
    const total = nodes.length
    const values = new Array<unknown>(total)
    if (total === 0) return values
    const graphScope = yield* Effect.scope
    const memoMap = yield* Layer.CurrentMemoMap
    const observer = options?.observer
    const limitOption = options?.concurrency ?? "unbounded"
    const limit = limitOption === "unbounded" ? Number.POSITIVE_INFINITY : Math.max(1, Math.floor(limitOption))

    const remaining = new Int32Array(total)
    const dependents: Array<Array<number>> = new Array(total)
    const lastCounted = new Int32Array(total).fill(-1)
    for (let id = 0; id < total; id++) dependents[id] = []
    for (const node of nodes) {
      for (const edge of node.dependencies) {
        for (const target of edge.targets) {
          if (lastCounted[target] === node.id) continue
          lastCounted[target] = node.id
          remaining[node.id]++
          dependents[target]!.push(node.id)
        }
      }
    }
    const ready: Array<number> = []
    for (let id = 0; id < total; id++) if (remaining[id] === 0) ready.push(id)

    let head = 0
    let completed = 0
    let failure: Cause.Cause<Errors.BuildError> | undefined
    let workers = 1
    let sparePending = false
    let wake: Deferred.Deferred<void> | undefined
    const fiberId = yield* Effect.fiberId
    const workerScope = yield* Scope.make()
    const workerFibers: Array<Fiber.RuntimeFiber<void>> = []
    const done = Deferred.unsafeMake<void>(fiberId)

    const notify = () => {
      if (wake !== undefined) {
        const waiting = wake
        wake = undefined
        Deferred.unsafeDone(waiting, Exit.void)
      }
    }

    const work: Effect.Effect<void> = Effect.gen(function*() {
      while (failure === undefined && completed < total) {
        if (head === ready.length) {
          wake ??= Deferred.unsafeMake<void>(fiberId)
          yield* Deferred.await(wake)
          continue
        }
        const id = ready[head++]!
        if (head < ready.length && !sparePending && workers < limit) {
          sparePending = true
          workers++
          workerFibers.push(yield* Effect.forkIn(spare, workerScope))
        }
        // Forking may have let other workers run: one of them may have failed in the meantime.
        if (failure !== undefined) break
        let exit: Exit.Exit<unknown, Errors.BuildError>
        if (observer === undefined) {
          exit = yield* Effect.exit(buildNode(plan, nodes[id]!, values, graphScope, memoMap))
        } else {
          const node = nodes[id]!
          const build = buildNode(plan, node, values, graphScope, memoMap, observer)
          observer.buildStarted(node)
          exit = yield* Effect.exit(observer.wrapBuild === undefined ? build : observer.wrapBuild(node, build))
          observer.buildEnded(node, exit)
        }
        if (exit._tag === "Failure") {
          failure ??= exit.cause
          notify()
          break
        }
        values[id] = exit.value
        completed++
        const before = ready.length
        for (const dependent of dependents[id]!) {
          if (--remaining[dependent] === 0) ready.push(dependent)
        }
        if (ready.length > before || completed === total) notify()
      }
      // The first worker to see the end (everything built, or a failure) wakes the calling fiber.
      Deferred.unsafeDone(done, Exit.void)
    })
    const spare: Effect.Effect<void> = Effect.suspend(() => {
      sparePending = false
      return work
    })

    // Closing workerScope interrupts every worker still running: the constructors in flight when a
    // constructor failed (or when the build was interrupted).
    yield* Effect.gen(function*() {
      workerFibers.push(yield* Effect.forkIn(work, workerScope))
      yield* Deferred.await(done)
      if (failure === undefined) for (const fiber of workerFibers) yield* Fiber.join(fiber)
    }).pipe(Effect.ensuring(Scope.close(workerScope, Exit.void)))
    if (failure !== undefined) return yield* Effect.failCause(failure)
    return values
  })

/** @internal */
export const rootContext = (plan: Plan.Plan<unknown>, values: ReadonlyArray<unknown>): Context.Context<never> =>
  Context.unsafeMake(contextOf(plan.roots, values))

/** @internal */
export const toLayer = (plan: Plan.Plan<unknown>, options?: ExecuteOptions): Layer.Layer<never, Errors.BuildError> =>
  Layer.scopedContext(Effect.map(execute(plan, options), (values) => rootContext(plan, values)))
