import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as ExecutionStrategy from "effect/ExecutionStrategy"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as FiberRef from "effect/FiberRef"
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
  /** Before a node's build runs (before its scope is made). */
  readonly buildStarted: (node: Plan.Node) => void
  /**
   * After a node's build ended, with failures already turned into `ConstructionError` (never an
   * interruption-only cause); not called for a build that was interrupted from outside (its worker
   * was interrupted).
   */
  readonly buildEnded: (node: Plan.Node, exit: Exit.Exit<unknown, Errors.BuildError>) => void
  /**
   * Wraps each node's build Effect: the constructor run in the node's context, its failures already
   * turned into `ConstructionError`. The constructor's context is the one the wrapped Effect runs in
   * (so a span set by the wrapper is the constructor's parent span) plus its dependencies and Scope.
   */
  readonly wrapBuild?:
    | ((node: Plan.Node, build: Effect.Effect<unknown, Errors.BuildError>) => Effect.Effect<unknown, Errors.BuildError>)
    | undefined
  /**
   * Before a node's scope is closed, by the graph scope's finalizer: dependents first, in the fiber
   * closing the graph scope (nodes built from a Value have no scope, hence no release).
   */
  readonly releaseStarted: (node: Plan.Node) => void
  /** After a node's scope closed; a failure is the `ReleaseError` defect. */
  readonly releaseEnded: (node: Plan.Node, exit: Exit.Exit<void>) => void
}

/**
 * Why a concurrency option cannot be used (`undefined` when it can): it must be `"unbounded"` or a
 * number of at least 1 (a fraction is rounded down). One rule and one message for `Plan.toLayer`,
 * `Registry.toLayer` and `App`.
 *
 * @internal
 */
export const concurrencyProblem = (input: unknown): string | undefined =>
  input === undefined || input === "unbounded" || (typeof input === "number" && input >= 1)
    ? undefined
    : `concurrency must be "unbounded" or at least 1, got ${typeof input === "string" ? JSON.stringify(input) : String(input)}`

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

/**
 * The context a node's constructor runs in: the context of the fiber building it, overridden by the
 * node's dependencies and its own Scope; the context `Effect.provide(constructor, dependencies)`
 * would give.
 */
const nodeContext = (
  parent: Context.Context<never>,
  node: Plan.Node,
  values: ReadonlyArray<unknown>,
  scope: Scope.Scope
): Context.Context<never> => {
  const services = new Map<string, unknown>(parent.unsafeMap)
  for (const edge of node.dependencies) services.set(edge.request.key, valueOf(edge, values))
  services.set(Scope.Scope.key, scope)
  return Context.unsafeMake(services)
}

/**
 * A failed build's cause as the executor reports it: a `ConstructionError` naming the component and
 * its path. Expected failures stay expected; a constructor that died is still a defect.
 *
 * A constructor whose cause holds only interruptions (it ran `Effect.interrupt`, or joined a fiber
 * that was interrupted) failed too: it is a defect like a death, its `InterruptedException` naming
 * the fibers. It is not the build being interrupted: when the build is interrupted from outside (or
 * another constructor failed), the workers are interrupted, and an interrupted fiber that is
 * interruptible (as workers are, unless the whole build was made uninterruptible) runs no handler of
 * the exit: this function only sees causes a constructor ended with on its own. Passing them on as interruptions made a
 * failed build look like an interrupted one (an `App` run ending "interrupted", exit code 0).
 */
const constructionCause = (
  plan: Plan.Plan<unknown>,
  node: Plan.Node,
  cause: Cause.Cause<unknown>
): Cause.Cause<Errors.BuildError> => {
  const error = (reason: unknown) =>
    new Errors.ConstructionError({ component: node.name, path: planInternal.pathTo(plan, node.id), cause: reason })
  const failure = Cause.failureOption(cause)
  return Option.isSome(failure) ? Cause.fail(error(failure.value)) : Cause.die(error(Cause.squash(cause)))
}

/** A node's constructor: its Effect, or its Layer built in the node's scope through the MemoMap. */
const constructorOf = (
  node: Plan.Node,
  construct: Exclude<Plan.Node["component"]["construct"], { readonly _tag: "Value" }>,
  scope: Scope.Scope,
  memoMap: Layer.MemoMap
): Effect.Effect<unknown, unknown> =>
  construct._tag === "Effect"
    ? construct.effect as Effect.Effect<unknown, unknown>
    : Effect.map(
      Layer.buildWithMemoMap(construct.layer as Layer.Layer<unknown, unknown>, memoMap, scope),
      (output) => Context.unsafeGet(output, node.component.tag)
    )

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
 * Context: a constructor runs with the context of the fiber building it (the caller's, plus what
 * `wrapBuild` added), its dependencies and its own Scope, as `Effect.provide` would give it; the
 * worker sets it with a plain FiberRef write rather than `Effect.provide`, whose uninterruptible
 * bracket was about half the Effect operations of building a component. Without `wrapBuild` the
 * worker does not restore its context after each constructor (nothing it runs between constructors
 * reads it), only when it ends, before it is joined; a worker whose build failed or was interrupted
 * is never joined. With `wrapBuild` it restores it after each build (the wrapper reads it).
 *
 * Scopes: each constructor (Effect or Layer) gets a Scope of its own, made when its construction
 * starts, which is after every one of its dependencies finished constructing. Node scopes are not
 * forked from the graph's scope: ONE finalizer, added to the graph's scope before anything is
 * built, closes them all, one at a time in a loop, in reverse order of construction start, hence
 * every component before any of its dependencies; each with the exit the graph's scope closes
 * with. That covers the nodes built, the ones that failed half-way and the ones interrupted in
 * flight, each released exactly once. A node whose release fails becomes a `ReleaseError` defect
 * naming it, the releases go on, and the finalizer fails with all those defects, in release order.
 * Nodes built from a Value have no scope and nothing to release. A node scope made after the graph
 * scope began closing (a graph scope closed while building) is closed at once, as a finalizer
 * added to a closed scope would run at once: what its constructor acquires is released right away.
 *
 * Failure: the first constructor failure stops the scheduling of new nodes, interrupts the nodes
 * still under construction (in every worker: no constructor runs on the calling fiber), and fails
 * with the failure turned into a `ConstructionError` (see `constructionCause`). Everything
 * constructed so far is released, dependents first, when the graph scope closes (Layer does this
 * on failure).
 *
 * Nothing here recurses per node: building and releasing are loops.
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
    const callerContext = yield* Effect.context<never>()
    const observer = options?.observer
    const wrapBuild = observer?.wrapBuild
    const limitOption = options?.concurrency ?? "unbounded"
    const limit = limitOption === "unbounded" ? Number.POSITIVE_INFINITY : Math.max(1, Math.floor(limitOption))

    // Node scopes, in order of construction start, and the node owning each.
    const scopes: Array<Scope.CloseableScope> = []
    const owners: Array<number> = []
    // The exit the graph scope is closing with, once it began closing.
    let closing: Exit.Exit<unknown, unknown> | undefined

    // A node's release outcome: a failure to close its scope becomes a `ReleaseError` defect naming it.
    const released = (id: number, closed: Exit.Exit<void>): Exit.Exit<void> => {
      const result = closed._tag === "Success" ? closed : Exit.die(
        new Errors.ReleaseError({ component: nodes[id]!.name, path: planInternal.pathTo(plan, id), cause: Cause.squash(closed.cause) })
      )
      if (observer !== undefined) observer.releaseEnded(nodes[id]!, result)
      return result
    }

    yield* Scope.addFinalizerExit(graphScope, (exit) =>
      Effect.gen(function*() {
        closing = exit
        let failures: Cause.Cause<never> | undefined
        for (let index = scopes.length - 1; index >= 0; index--) {
          const id = owners[index]!
          if (observer !== undefined) observer.releaseStarted(nodes[id]!)
          const result = released(id, yield* Effect.exit(Scope.close(scopes[index]!, exit)))
          if (result._tag === "Failure") {
            failures = failures === undefined ? result.cause : Cause.sequential(failures, result.cause)
          }
        }
        scopes.length = 0
        owners.length = 0
        if (failures !== undefined) return yield* Effect.failCause(failures)
      }))

    // Registers a node scope just made for the graph finalizer; one made once the graph scope began
    // closing is closed at once (it is empty: that cannot fail), as a finalizer added to a closed
    // scope would be.
    const adopt = (scope: Scope.CloseableScope, id: number): Effect.Effect<void> | undefined => {
      if (closing === undefined) {
        scopes.push(scope)
        owners.push(id)
        return undefined
      }
      if (observer !== undefined) observer.releaseStarted(nodes[id]!)
      return Effect.map(Effect.exit(Scope.close(scope, closing)), (closed) => void released(id, closed))
    }

    // A node's scope, made when its construction starts and adopted at once (a generator delegated
    // to with `yield*`: no Effect operation of its own).
    function* openNodeScope(id: number) {
      const scope = yield* Scope.make(ExecutionStrategy.sequential)
      const late = adopt(scope, id)
      if (late !== undefined) yield* late
      return scope
    }

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

    // With `wrapBuild`, each build runs here: the node's context is derived from the worker's when
    // the build runs (inside the wrapper, so a span it opened is the constructor's parent span), and
    // the worker's context is set back to the caller's afterwards, for the next wrapper.
    const wrappedBuild = (
      node: Plan.Node,
      wrap: NonNullable<ExecuteObserver["wrapBuild"]>
    ): Effect.Effect<Exit.Exit<unknown, Errors.BuildError>> =>
      Effect.gen(function*() {
        const construct = node.component.construct
        let build: Effect.Effect<unknown, unknown>
        if (construct._tag === "Value") {
          build = Effect.succeed(construct.value)
        } else {
          const scope = yield* openNodeScope(node.id)
          build = Effect.zipRight(
            FiberRef.update(FiberRef.currentContext, (parent) => nodeContext(parent, node, values, scope)),
            constructorOf(node, construct, scope, memoMap)
          )
        }
        const exit = yield* Effect.exit(
          wrap(node, Effect.catchAllCause(build, (cause) => Effect.failCause(constructionCause(plan, node, cause))))
        )
        if (construct._tag !== "Value") yield* FiberRef.set(FiberRef.currentContext, callerContext)
        return exit
      })

    // Without `wrapBuild`, a constructor's context is left set after it: nothing the worker runs
    // between constructors reads it, and a spare forked then sets its own before each constructor.
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
        const node = nodes[id]!
        const construct = node.component.construct
        if (observer === undefined && construct._tag === "Value") {
          values[id] = construct.value
        } else {
          if (observer !== undefined) observer.buildStarted(node)
          let exit: Exit.Exit<unknown, Errors.BuildError>
          if (wrapBuild !== undefined) {
            exit = yield* wrappedBuild(node, wrapBuild)
          } else if (construct._tag === "Value") {
            exit = Exit.succeed(construct.value)
          } else {
            const scope = yield* openNodeScope(id)
            yield* FiberRef.set(FiberRef.currentContext, nodeContext(callerContext, node, values, scope))
            exit = Exit.mapErrorCause(
              yield* Effect.exit(constructorOf(node, construct, scope, memoMap)),
              (cause) => constructionCause(plan, node, cause)
            )
          }
          if (observer !== undefined) observer.buildEnded(node, exit)
          if (exit._tag === "Failure") {
            failure ??= exit.cause
            notify()
            break
          }
          values[id] = exit.value
        }
        completed++
        const before = ready.length
        for (const dependent of dependents[id]!) {
          if (--remaining[dependent] === 0) ready.push(dependent)
        }
        if (ready.length > before || completed === total) notify()
      }
      // A worker is joined only when everything was built: its context must be the caller's again.
      if (failure === undefined) yield* FiberRef.set(FiberRef.currentContext, callerContext)
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

/**
 * The plan's Layer. An unusable `concurrency` makes the Layer die when it is built (an
 * `IllegalArgumentException` saying why): it is a programming error, not a failure of the build, and
 * a typed error for it would widen `BuildError`, the error type of every plan's Layer.
 *
 * @internal
 */
export const toLayer = (plan: Plan.Plan<unknown>, options?: ExecuteOptions): Layer.Layer<never, Errors.BuildError> => {
  const problem = concurrencyProblem(options?.concurrency)
  if (problem !== undefined) {
    return Layer.dieSync(() => new Cause.IllegalArgumentException(`layerwise Plan.toLayer: ${problem}`))
  }
  return Layer.scopedContext(Effect.map(execute(plan, options), (values) => rootContext(plan, values)))
}
