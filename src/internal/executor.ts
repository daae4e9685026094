import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as ExecutionStrategy from "effect/ExecutionStrategy"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import type * as FiberId from "effect/FiberId"
import * as FiberRef from "effect/FiberRef"
import * as FiberRefs from "effect/FiberRefs"
import * as FiberRefsPatch from "effect/FiberRefsPatch"
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
  plan: Plan.Plan<never>,
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

// ---------------------------------------------------------------------------------------------
// FiberRefs: what a constructor changed reaches its dependents (see `execute`)

/**
 * The FiberRef changes of a build, made when the first constructor changed a FiberRef: until then
 * (and in most builds, always) the executor does no FiberRef work beyond comparing a constructor's
 * FiberRefs before and after it ran.
 */
interface FiberRefChanges {
  /** the FiberRefs a constructor sees when its dependencies pass nothing on: the caller's, as forked */
  readonly base: FiberRefs.FiberRefs
  /** the fiber id the FiberRefs below are made with (any would do: their stacks need one) */
  readonly fiberId: FiberId.Runtime
  /** per node whose constructor changed FiberRefs: its change (context and runtime flags left out) */
  readonly patches: Array<FiberRefsPatch.FiberRefsPatch | undefined>
  /**
   * per node built: its view, what its dependents see from it (what it saw, changed by what it
   * changed); `undefined` when that is `base`
   */
  readonly views: Array<FiberRefs.FiberRefs | undefined>
  /** per view passed on through a merge: its change from `base` */
  readonly deltas: Map<FiberRefs.FiberRefs, FiberRefsPatch.FiberRefsPatch>
}

/** A worker's FiberRefs are not known (a spare forked by a worker holding a view): set them. */
const UNKNOWN: FiberRefs.FiberRefs = FiberRefs.empty()

/** A worker fiber's FiberRef bookkeeping. */
interface Worker {
  readonly fiber: Fiber.RuntimeFiber<unknown, unknown>
  /** the view its FiberRefs hold now, context aside (`undefined`: the base; `UNKNOWN`) */
  holds: FiberRefs.FiberRefs | undefined
}

/**
 * What a node's constructor sees: the views of its dependencies, applied in build order, each as its
 * change from the base (as `Layer.merge` joins each branch's changes); no work when at most one of
 * them passes something on. Linear: a view is one FiberRefs value, whatever the number of changes in it.
 */
const viewFor = (changes: FiberRefChanges, node: Plan.Node): FiberRefs.FiberRefs | undefined => {
  const views = changes.views
  let only: FiberRefs.FiberRefs | undefined
  let several = false
  for (const edge of node.dependencies) {
    for (const target of edge.targets) {
      const view = views[target]
      if (view === undefined || view === only) continue
      if (only === undefined) only = view
      else several = true
    }
  }
  if (!several) return only
  // Several views: in build order, each applied once, where it comes last.
  const from: Array<number> = []
  for (const edge of node.dependencies) for (const target of edge.targets) if (views[target] !== undefined) from.push(target)
  from.sort((a, b) => a - b)
  const ordered: Array<FiberRefs.FiberRefs> = []
  for (let index = from.length - 1; index >= 0; index--) {
    const view = views[from[index]!]!
    if (!ordered.includes(view)) ordered.push(view)
  }
  ordered.reverse()
  let refs = ordered[0]!
  for (let index = 1; index < ordered.length; index++) {
    const view = ordered[index]!
    let delta = changes.deltas.get(view)
    if (delta === undefined) {
      delta = FiberRefsPatch.diff(changes.base, view)
      changes.deltas.set(view, delta)
    }
    refs = FiberRefsPatch.patch(delta, changes.fiberId, refs)
  }
  return refs
}

/**
 * A fiber's FiberRefs, read without writing them. `RuntimeFiber.getFiberRefs()` first writes the
 * fiber's runtime flags into its FiberRefs, so that calling it around every constructor flips the
 * stored flags between the ones `acquireRelease` saw and the current ones: a new map and a new stack
 * per constructor, which every finalizer's captured FiberRefs then retain (about 250 bytes per
 * component of a built graph). This reads the field `getFiberRefs` returns, where Effect's fiber
 * runtime keeps them; were it ever missing, it falls back to `getFiberRefs()`, as correct (the
 * runtime flags are left out of every comparison) and only heavier.
 */
const fiberRefsOf = (fiber: Fiber.RuntimeFiber<unknown, unknown>): FiberRefs.FiberRefs =>
  (fiber as unknown as { readonly _fiberRefs?: FiberRefs.FiberRefs })._fiberRefs ?? fiber.getFiberRefs()

/**
 * FiberRefs that are the fiber's own, never passed on: the context (the executor sets it for each
 * constructor; what a constructor provides reaches its dependents as services) and the runtime flags
 * (kept by the fiber itself and written into its FiberRefs whenever these are read: a copy, often
 * stale, that an uninterruptible region such as `acquireRelease` leaves different).
 */
const ownFiberRefs: ReadonlyArray<FiberRef.FiberRef<unknown>> = [
  FiberRef.currentContext as FiberRef.FiberRef<unknown>,
  FiberRef.currentRuntimeFlags as FiberRef.FiberRef<unknown>
]

const isOwn = (fiberRef: FiberRef.FiberRef<unknown>): boolean =>
  fiberRef === ownFiberRefs[0] || fiberRef === ownFiberRefs[1]

/**
 * Whether a constructor may have changed FiberRefs: cheap, without allocating. Almost every
 * constructor leaves its fiber new FiberRefs holding the same values (the runtime flags, see
 * `isOwn`; the runtime writing a FiberRef's initial value when a fiber yields), so values are
 * compared, one the fiber did not hold counting as its initial value.
 */
const mayHaveChanged = (before: FiberRefs.FiberRefs, after: FiberRefs.FiberRefs): boolean => {
  if (after === before) return false
  const previous = before.locals
  const current = after.locals
  if (current.size < previous.size) return true
  for (const fiberRef of current.keys()) {
    if (isOwn(fiberRef)) continue
    const old = previous.get(fiberRef)
    const value = current.get(fiberRef)![0][1]
    if (old === undefined ? FiberRefs.getOrDefault(before, fiberRef) !== value : old[0][1] !== value) return true
  }
  return false
}

/**
 * What a constructor changed in its fiber's FiberRefs, `undefined` when nothing (a constructor that
 * set and restored a FiberRef, `Effect.provideService` for instance, changed nothing); the fiber's
 * own FiberRefs left out (see `isOwn`).
 */
const changedBy = (
  before: FiberRefs.FiberRefs,
  after: FiberRefs.FiberRefs,
  fiberId: FiberId.Runtime
): FiberRefsPatch.FiberRefsPatch | undefined => {
  let compared = after
  for (const fiberRef of ownFiberRefs) {
    const value = FiberRefs.getOrDefault(before, fiberRef)
    if (FiberRefs.getOrDefault(compared, fiberRef) !== value) compared = FiberRefs.updateAs(compared, { fiberId, fiberRef, value })
  }
  const patch = FiberRefsPatch.diff(before, compared)
  return patch._tag === "Empty" ? undefined : patch
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
 *
 * FiberRefs: as with `Layer.provide`, a constructor sees the FiberRef changes its dependencies made
 * (a Layer setting a logger, a config provider, a FiberRef with `Layer.locallyScoped`; an Effect
 * constructor setting a FiberRef), and theirs, transitively, whichever worker built them; never the
 * changes of components it does not depend on. Each node has a view, what its dependents see from
 * it: what it saw, changed by what its constructor changed. A node sees the views of its
 * dependencies applied in build order (the plan's node order), each as its change from the caller's
 * FiberRefs, as `Layer.merge` joins the changes of each branch: when two of them changed the same
 * FiberRef, the one built later wins (what `Layer.provide(self, Layer.merge(a, b))` gives when `b`
 * finishes last; Effect's join order depends on timing, this one does not). As with `Layer.merge`, a
 * dependency passing on an older change can thereby override a newer one coming through another
 * branch (a diamond). A constructor's own change always wins over what it saw. On success the caller
 * gets every constructor's change, in build order, as a program provided with the Layer would.
 * Cost: each constructor's FiberRefs are compared before and after it runs (by reference, then the
 * values of the few FiberRefs set, without allocating); nothing else happens until one changed (most
 * builds). Then the change is recorded as a patch (context and runtime flags left out) and a view,
 * one FiberRefs value; a node whose dependencies pass on at most one view reuses it as is, a merge
 * applies one patch per further view: linear in the edges, whatever the number of changes. A worker
 * sets its FiberRefs only when the view it must build with differs from the one it holds (along a
 * chain below a logger, never). Workers are not joined: their FiberRefs are their own.
 *
 * Context: a constructor runs with the context of the fiber building it (the caller's, plus what
 * `wrapBuild` added), its dependencies and its own Scope, as `Effect.provide` would give it; the
 * worker sets it with a plain FiberRef write rather than `Effect.provide`, whose uninterruptible
 * bracket was about half the Effect operations of building a component. Without `wrapBuild` the
 * worker does not restore its context after each constructor (nothing it runs between constructors
 * reads it). With `wrapBuild` it restores it after each build (the wrapper reads it).
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
  plan: Plan.Plan<never>,
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

    // FiberRef changes: see above. `callerRefs` are the FiberRefs workers are forked with.
    const callerRefs = yield* Effect.getFiberRefs
    let changes: FiberRefChanges | undefined
    let spareHolds: FiberRefs.FiberRefs | undefined

    let head = 0
    let completed = 0
    let failure: Cause.Cause<Errors.BuildError> | undefined
    let workers = 1
    let sparePending = false
    let wake: Deferred.Deferred<void> | undefined
    const fiberId = yield* Effect.fiberId
    const workerScope = yield* Scope.make()
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
      worker: Worker,
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
          build = Effect.gen(function*() {
            yield* FiberRef.update(FiberRef.currentContext, (parent) => nodeContext(parent, node, values, scope))
            const before = fiberRefsOf(worker.fiber)
            const service = yield* constructorOf(node, construct, scope, memoMap)
            recordFiberRefs(worker, node.id, before)
            return service
          })
        }
        const exit = yield* Effect.exit(
          wrap(node, Effect.catchAllCause(build, (cause) => Effect.failCause(constructionCause(plan, node, cause))))
        )
        if (construct._tag !== "Value") yield* FiberRef.set(FiberRef.currentContext, callerContext)
        return exit
      })

    // Before a node's constructor, once a change was recorded: the worker's FiberRefs become the view
    // the node must see (a generator delegated to with `yield*`: no Effect operation unless they change).
    function* prepareFiberRefs(worker: Worker, changes: FiberRefChanges, node: Plan.Node) {
      const view = viewFor(changes, node)
      if (view === worker.holds) return
      yield* Effect.updateFiberRefs(() => view ?? changes.base)
      worker.holds = view
    }

    // After a constructor that succeeded: records what it changed in the worker's FiberRefs, if
    // anything, hence the view it passes on to its dependents.
    const recordFiberRefs = (worker: Worker, id: number, before: FiberRefs.FiberRefs): void => {
      const after = fiberRefsOf(worker.fiber)
      const patch = mayHaveChanged(before, after) ? changedBy(before, after, worker.fiber.id()) : undefined
      if (patch === undefined) {
        if (changes !== undefined) changes.views[id] = worker.holds
        return
      }
      if (changes === undefined) {
        const fiberId = worker.fiber.id()
        changes = { base: FiberRefs.forkAs(callerRefs, fiberId), fiberId, patches: [], views: [], deltas: new Map() }
      }
      changes.patches[id] = patch
      const view = FiberRefsPatch.patch(patch, changes.fiberId, worker.holds ?? changes.base)
      changes.views[id] = view
      worker.holds = view
    }

    const work: Effect.Effect<void> = Effect.gen(function*() {
      // A spare forked by a worker holding a view does not assume it: it sets its FiberRefs before
      // its first constructor.
      const worker: Worker = {
        fiber: yield* Effect.withFiberRuntime<Fiber.RuntimeFiber<unknown, unknown>>((fiber) => Effect.succeed(fiber)),
        holds: spareHolds
      }
      while (failure === undefined && completed < total) {
        if (head === ready.length) {
          wake ??= Deferred.unsafeMake<void>(fiberId)
          yield* Deferred.await(wake)
          continue
        }
        const id = ready[head++]!
        if (head < ready.length && !sparePending && workers < limit) {
          sparePending = true
          spareHolds = worker.holds === undefined ? undefined : UNKNOWN
          workers++
          yield* Effect.forkIn(spare, workerScope)
        }
        // Forking may have let other workers run: one of them may have failed in the meantime.
        if (failure !== undefined) break
        const node = nodes[id]!
        const construct = node.component.construct
        // no constructor, no change of its own: it passes on what its dependencies pass on
        if (construct._tag === "Value" && changes !== undefined) changes.views[id] = viewFor(changes, node)
        if (observer === undefined && construct._tag === "Value") {
          values[id] = construct.value
        } else {
          if (observer !== undefined) observer.buildStarted(node)
          let exit: Exit.Exit<unknown, Errors.BuildError>
          if (wrapBuild !== undefined) {
            if (changes !== undefined && construct._tag !== "Value") yield* prepareFiberRefs(worker, changes, node)
            exit = yield* wrappedBuild(worker, node, wrapBuild)
          } else if (construct._tag === "Value") {
            exit = Exit.succeed(construct.value)
          } else {
            const scope = yield* openNodeScope(id)
            if (changes !== undefined) yield* prepareFiberRefs(worker, changes, node)
            yield* FiberRef.set(FiberRef.currentContext, nodeContext(callerContext, node, values, scope))
            const before = fiberRefsOf(worker.fiber)
            exit = Exit.mapErrorCause(
              yield* Effect.exit(constructorOf(node, construct, scope, memoMap)),
              (cause) => constructionCause(plan, node, cause)
            )
            if (exit._tag === "Success") recordFiberRefs(worker, id, before)
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
      // The first worker to see the end (everything built, or a failure) wakes the calling fiber.
      Deferred.unsafeDone(done, Exit.void)
    })
    const spare: Effect.Effect<void> = Effect.suspend(() => {
      sparePending = false
      return work
    })

    // Closing workerScope interrupts every worker still running: the constructors in flight when a
    // constructor failed (or when the build was interrupted).
    yield* Effect.zipRight(Effect.forkIn(work, workerScope), Deferred.await(done)).pipe(
      Effect.ensuring(Scope.close(workerScope, Exit.void))
    )
    if (failure !== undefined) return yield* Effect.failCause(failure)
    // The caller gets every component's FiberRef changes, in build order.
    if (changes !== undefined) {
      for (let id = 0; id < total; id++) {
        const patch = changes.patches[id]
        if (patch !== undefined) yield* Effect.patchFiberRefs(patch)
      }
    }
    return values
  })

/** @internal */
export const rootContext = (plan: Plan.Plan<never>, values: ReadonlyArray<unknown>): Context.Context<never> =>
  Context.unsafeMake(contextOf(plan.roots, values))

/**
 * The plan's Layer. An unusable `concurrency` makes the Layer die when it is built (an
 * `IllegalArgumentException` saying why): it is a programming error, not a failure of the build, and
 * a typed error for it would widen `BuildError`, the error type of every plan's Layer.
 *
 * @internal
 */
export const toLayer = (plan: Plan.Plan<never>, options?: ExecuteOptions): Layer.Layer<never, Errors.BuildError> => {
  const problem = concurrencyProblem(options?.concurrency)
  if (problem !== undefined) {
    return Layer.dieSync(() => new Cause.IllegalArgumentException(`layerwise Plan.toLayer: ${problem}`))
  }
  return Layer.scopedContext(Effect.map(execute(plan, options), (values) => rootContext(plan, values)))
}
