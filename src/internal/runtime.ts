/**
 * The runtime seam: the one module of layerwise that touches Effect's runtime internals and its
 * `unsafe*` APIs. Everything else uses Effect's public, effectful API.
 *
 * Effect 4 removes or renames most of what is here (FiberRef, FiberRefs, FiberRefsPatch and Runtime
 * are gone; `unsafeX` becomes `xUnsafe`; fiber ids become numbers). A layerwise line for Effect 4
 * rewrites this module (and the public types), not the design: keep every such use here, behind a
 * small function named for what layerwise needs, not for how Effect 3 does it.
 *
 * @internal
 */
import type * as Arr from "effect/Array"
import * as Cause from "effect/Cause"
import type * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as ExecutionStrategy from "effect/ExecutionStrategy"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as FiberId from "effect/FiberId"
import * as FiberRef from "effect/FiberRef"
import * as FiberRefs from "effect/FiberRefs"
import * as FiberRefsPatch from "effect/FiberRefsPatch"
import { globalValue } from "effect/GlobalValue"
import * as Layer from "effect/Layer"
import type * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Queue from "effect/Queue"
import * as Runtime from "effect/Runtime"
import * as Scope from "effect/Scope"

// ---------------------------------------------------------------------------------------------
// Deferred values completed from synchronous code

/** A Deferred made outside an Effect (no fiber owns it). @internal */
export const makeDeferred = <A, E = never>(): Deferred.Deferred<A, E> => Deferred.unsafeMake<A, E>(FiberId.none)

/** Completes a Deferred from synchronous code; does nothing when it is already done. @internal */
export const completeDeferred = <A, E>(self: Deferred.Deferred<A, E>, exit: Exit.Exit<A, E>): void => {
  Deferred.unsafeDone(self, exit)
}

/** Completes a `Deferred<void>` with success. @internal */
export const openDeferred = (self: Deferred.Deferred<void>): void => {
  Deferred.unsafeDone(self, Exit.void)
}

// ---------------------------------------------------------------------------------------------
// fibers

/** Asks a fiber to stop without waiting for it (its finalizers run in its own time). @internal */
export const interruptFiber = (fiber: Fiber.RuntimeFiber<unknown, unknown>): void => {
  fiber.unsafeInterruptAsFork(FiberId.none)
}

/** A fiber's exit when it has ended, `undefined` while it runs. @internal */
export const pollFiber = <A, E>(fiber: Fiber.RuntimeFiber<A, E>): Exit.Exit<A, E> | undefined => {
  const exit = fiber.unsafePoll()
  return exit === null ? undefined : exit
}

/** Calls `onEnd` with a fiber's exit when it ends (at once when it has ended). @internal */
export const whenFiberEnds = <A, E>(fiber: Fiber.RuntimeFiber<A, E>, onEnd: (exit: Exit.Exit<A, E>) => void): void => {
  const exit = fiber.unsafePoll()
  if (exit !== null) onEnd(exit)
  else fiber.addObserver(onEnd)
}

/** The fiber running the current synchronous step, if any (inside `Effect.sync`, a `gen` step...). @internal */
export const currentFiber = (): Fiber.RuntimeFiber<unknown, unknown> | undefined => {
  const fiber = Fiber.getCurrentFiber()
  return Option.isSome(fiber) ? fiber.value : undefined
}

/** A service of the current fiber's context, read in a synchronous step (`undefined` outside a fiber). @internal */
export const currentService = <I, S>(tag: Context.Tag<I, S>): S | undefined => {
  const fiber = currentFiber()
  return fiber === undefined ? undefined : Context.getOption(fiber.currentContext, tag).pipe(Option.getOrUndefined)
}

// ---------------------------------------------------------------------------------------------
// fiber-local state

/**
 * A fiber-local value with an initial value, made once per process (`globalValue`: two loaded
 * copies of layerwise share it). In Effect 4 this is a `Context.Reference`.
 *
 * @internal
 */
export const makeFiberLocal = <A>(id: string, initial: A): FiberRef.FiberRef<A> =>
  globalValue(Symbol.for(`layerwise/${id}`), () => FiberRef.unsafeMake(initial))

/** A fiber-local value as the current fiber holds it, read in a synchronous step. @internal */
export const currentFiberLocal = <A>(local: FiberRef.FiberRef<A>): A | undefined => {
  const fiber = currentFiber()
  return fiber === undefined ? undefined : fiber.getFiberRef(local)
}

// ---------------------------------------------------------------------------------------------
// clocks and queues

/** The clock's time in milliseconds, read synchronously. @internal */
export const clockMillis = (clock: Clock.Clock): number => clock.unsafeCurrentTimeMillis()

/** The clock's time in nanoseconds, read synchronously. @internal */
export const clockNanos = (clock: Clock.Clock): bigint => clock.unsafeCurrentTimeNanos()

/** Offers to a queue from synchronous code (an unbounded queue always takes it). @internal */
export const offerToQueue = <A>(queue: Queue.Enqueue<A>, value: A): void => {
  queue.unsafeOffer(value)
}

// ---------------------------------------------------------------------------------------------
// contexts

/** A context made from a map of keys to services, without copying it. @internal */
export const contextFromMap = <Services = never>(services: Map<string, unknown>): Context.Context<Services> =>
  Context.unsafeMake<Services>(services)

/** The services of a context as a map (read only: it is the context's own). @internal */
export const servicesOf = (context: Context.Context<never>): ReadonlyMap<string, unknown> => context.unsafeMap

/** A service the caller knows is in the context. @internal */
export const serviceOf = <I, S>(context: Context.Context<I>, tag: Context.Tag<I, S>): S => Context.unsafeGet(context, tag)

// ---------------------------------------------------------------------------------------------
// starting user effects (hooks, background work, health checks) on a runtime of their own

/**
 * Where a user effect starts: a context, FiberRefs and runtime flags (Effect 3's `Runtime`). In
 * Effect 4 this is the context alone (fiber-local state lives in it).
 *
 * @internal
 */
export type Runner = Runtime.Runtime<never>

/** The runtime of the current fiber, to start effects from later. @internal */
export const currentRunner: Effect.Effect<Runner> = Effect.runtime<never>()

/** The same runtime, with the FiberRefs another fiber holds now (its context left as it was). @internal */
export const runnerWithFiberRefsOf = (runner: Runner, fiber: Fiber.RuntimeFiber<unknown, unknown>): Runner =>
  Runtime.make({ context: runner.context, fiberRefs: fiber.getFiberRefs(), runtimeFlags: runner.runtimeFlags })

/** The services of a runner's context. @internal */
export const contextOfRunner = (runner: Runner): Context.Context<never> => runner.context

/**
 * Whether an Effect is already its own result (`Effect.void`, `Effect.succeed`, `Effect.fail`: in
 * Effect 3 these are `Exit` values), so that running it needs no fiber.
 *
 * @internal
 */
export const resultOf = <A, E>(effect: Effect.Effect<A, E>): Exit.Exit<A, E> | undefined =>
  Exit.isExit(effect) ? effect as Exit.Exit<A, E> : undefined

/**
 * Starts an effect on a fiber of its own that runs at once, in the caller's thread, until it
 * suspends or ends: the result is its exit when it ended synchronously, otherwise the running fiber.
 *
 * @internal
 */
export const startOn = <A, E>(runner: Runner, effect: Effect.Effect<A, E>): Exit.Exit<A, E> | Fiber.RuntimeFiber<A, E> => {
  const fiber = Runtime.runFork(runner)(effect)
  const exit = fiber.unsafePoll()
  return exit === null ? fiber : exit
}

/** Starts an effect on a fiber of its own from `runner`. @internal */
export const fork = <A, E>(runner: Runner, effect: Effect.Effect<A, E>): Fiber.RuntimeFiber<A, E> => Runtime.runFork(runner)(effect)

/**
 * Starts an effect on a fiber of its own from `runner`, interrupted and awaited as `scope` closes:
 * tied to it in this step, before the fiber's first turn (interrupted at once when `scope` is closed
 * already), as `Effect.forkIn` does, where `Runtime.runFork`'s `scope` option ties it only as the
 * fiber begins, and a fiber that begins once the scope closed runs on.
 *
 * @internal
 */
export const forkIn = <A, E>(runner: Runner, effect: Effect.Effect<A, E>, scope: Scope.Scope): Fiber.RuntimeFiber<A, E> => {
  const fiber = Runtime.runFork(runner)(effect)
  if (!addFinalizerNow(scope, () => Fiber.interrupt(fiber))) interruptFiber(fiber)
  return fiber
}

/** Whether a started effect is still running (a fiber) or ended (an exit). @internal */
export const isRunning = <A, E>(started: Exit.Exit<A, E> | Fiber.RuntimeFiber<A, E>): started is Fiber.RuntimeFiber<A, E> =>
  !Exit.isExit(started)

// ---------------------------------------------------------------------------------------------
// tracing

const builtInTracer = globalValue(Symbol.for("layerwise/builtInTracer"), () => Effect.runSync(Effect.tracer))

/**
 * Whether spans would be exported: tracing enabled and a tracer other than Effect's built-in one
 * (which exports nothing) installed.
 *
 * @internal
 */
export const tracingExported: Effect.Effect<boolean> = Effect.map(
  Effect.all([Effect.tracer, FiberRef.get(FiberRef.currentTracerEnabled)]),
  ([tracer, enabled]) => enabled && tracer !== builtInTracer
)

// ---------------------------------------------------------------------------------------------
// FiberRefs: what a constructor changed reaches its dependents (see the executor)

/**
 * A fiber's FiberRefs, read without writing them.
 *
 * Kept: the field `getFiberRefs` returns, where Effect 3's fiber runtime keeps them
 * (`FiberRuntime._fiberRefs`, private). Not the public `RuntimeFiber.getFiberRefs()`, which first
 * writes the fiber's runtime flags into its FiberRefs: read before and after every constructor, it
 * flips the stored flags between the ones `acquireRelease` saw and the current ones, a new map and
 * stack per constructor, which every finalizer's captured FiberRefs then retain. Measured at 10,000
 * components, the public read alternating with this one in the same process: a build 1.09x (chain) to
 * 1.12x (wide) slower, its release 1.02-1.03x, and ~15% more heap retained by the built graph
 * (~0.25 KB more per component). Details: bench/README.md, "FiberRefs read"; the same comparison in
 * every full bench run (bench/RESULTS.md, section 3). There is no silent fallback: a test fails when
 * the field disappears, and `fiberRefsFieldPresent` tells.
 *
 * @internal
 */
export const fiberRefsOf = (fiber: Fiber.RuntimeFiber<unknown, unknown>): FiberRefs.FiberRefs =>
  fiberRefsRead.public ? fiber.getFiberRefs() : (fiber as unknown as { readonly _fiberRefs: FiberRefs.FiberRefs })._fiberRefs

/**
 * Which read `fiberRefsOf` makes: the field (always, but in the benchmark that measures the public
 * read next to it, in the same run: bench/run.ts).
 *
 * @internal
 */
export const fiberRefsRead: { public: boolean } = { public: false }

/** Whether Effect's fiber runtime still keeps its FiberRefs where `fiberRefsOf` reads them. @internal */
export const fiberRefsFieldPresent = (fiber: Fiber.RuntimeFiber<unknown, unknown>): boolean => {
  // `getFiberRefs` first writes the runtime flags (a new FiberRefs value): read the field after it
  const refs = fiber.getFiberRefs()
  return (fiber as unknown as { readonly _fiberRefs?: unknown })._fiberRefs === refs
}

/**
 * FiberRefs that are a fiber's own, never passed on: the context (the executor sets it for each
 * constructor; what a constructor provides reaches its dependents as services) and the runtime flags
 * (kept by the fiber itself and written into its FiberRefs whenever these are read: a copy, often
 * stale, that an uninterruptible region such as `acquireRelease` leaves different).
 */
const ownFiberRefs: ReadonlyArray<FiberRef.FiberRef<unknown>> = [
  FiberRef.currentContext as FiberRef.FiberRef<unknown>,
  FiberRef.currentRuntimeFlags as FiberRef.FiberRef<unknown>
]

const isOwn = (fiberRef: FiberRef.FiberRef<unknown>): boolean => fiberRef === ownFiberRefs[0] || fiberRef === ownFiberRefs[1]

/**
 * Whether a constructor may have changed FiberRefs: cheap, without allocating. Most constructors
 * leave their fiber new FiberRefs holding the same values (the runtime flags, see `isOwn`; the
 * runtime writing a FiberRef's initial value when a fiber yields), so values are compared, one the
 * fiber did not hold counting as its initial value.
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

/** What a constructor changed in its fiber's FiberRefs, the fiber's own left out; `undefined`: nothing. */
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

/** The nodes a node depends on, as the plan's edges give them. @internal */
export type Predecessors = ReadonlyArray<{ readonly targets: ReadonlyArray<number> }>

/**
 * The FiberRef changes of one graph build, as `Layer.provide` passes them on: a constructor sees the
 * changes its dependencies made (and theirs, transitively), whichever fiber built them, never those
 * of components it does not depend on.
 *
 * Each node has a view, what its dependents see from it: what it saw, changed by what its
 * constructor changed. A node sees the views of its dependencies applied in build order, each as its
 * change from the caller's FiberRefs, as `Layer.merge` joins the changes of each branch: when two of
 * them changed the same FiberRef, the one built later wins; a constructor's own change wins over
 * what it saw. On success the caller gets every constructor's change, in build order.
 *
 * Cost: each constructor's FiberRefs are compared before and after it runs (by reference, then the
 * few FiberRefs set, without allocating); nothing else happens until one changed. Then a change is a
 * patch and a view (one FiberRefs value); a node whose dependencies pass on at most one view reuses
 * it, a merge applies one patch per further view. A fiber sets its FiberRefs only when the view it
 * must build with differs from the one it holds.
 *
 * @internal
 */
export class FiberRefViews {
  /** the FiberRefs a constructor sees when its dependencies pass nothing on: the caller's, as forked */
  private base: FiberRefs.FiberRefs | undefined = undefined
  /** the fiber id the FiberRefs below are made with (any would do: their stacks need one) */
  private fiberId: FiberId.Runtime | undefined = undefined
  /** per node whose constructor changed FiberRefs: its change */
  private readonly patches: Array<FiberRefsPatch.FiberRefsPatch | undefined> = []
  /** per node built: its view (`undefined`: the base) */
  private readonly views: Array<FiberRefs.FiberRefs | undefined> = []
  /** per view passed on through a merge: its change from the base */
  private readonly deltas = new Map<FiberRefs.FiberRefs, FiberRefsPatch.FiberRefsPatch>()
  /** per fiber that built with a view: the view its FiberRefs hold now (absent: not known) */
  private readonly holds = new Map<Fiber.RuntimeFiber<unknown, unknown>, FiberRefs.FiberRefs | undefined>()

  constructor(private readonly callerRefs: FiberRefs.FiberRefs) {}

  /** Whether any constructor changed FiberRefs so far (until then, nothing here does any work). */
  get changed(): boolean {
    return this.base !== undefined
  }

  /**
   * Before a node's constructor runs on `fiber` (the fiber running the current step): gives the
   * fiber the view the node must see, unless it holds it already (always, until a change was
   * recorded). Its context is set afterwards (`setContextOf`).
   */
  prepare(fiber: Fiber.RuntimeFiber<unknown, unknown>, dependencies: Predecessors): void {
    if (this.base === undefined) return
    const view = this.viewFor(dependencies)
    if (this.holds.has(fiber) && this.holds.get(fiber) === view) return
    this.holds.set(fiber, view)
    internalsOf(fiber).setFiberRefs(view ?? this.base)
  }

  /** A node without a constructor passes on what its dependencies pass on. */
  passOn(id: number, dependencies: Predecessors): void {
    if (this.base !== undefined) this.views[id] = this.viewFor(dependencies)
  }

  /** After a constructor succeeded on `fiber`: records what it changed, hence the view it passes on. */
  record(fiber: Fiber.RuntimeFiber<unknown, unknown>, id: number, before: FiberRefs.FiberRefs): void {
    const after = fiberRefsOf(fiber)
    const patch = mayHaveChanged(before, after) ? changedBy(before, after, fiber.id()) : undefined
    if (patch === undefined) {
      if (this.base !== undefined) this.views[id] = this.holds.get(fiber)
      return
    }
    if (this.base === undefined) {
      this.fiberId = fiber.id()
      this.base = FiberRefs.forkAs(this.callerRefs, this.fiberId)
    }
    this.patches[id] = patch
    const view = FiberRefsPatch.patch(patch, this.fiberId!, this.holds.get(fiber) ?? this.base)
    this.views[id] = view
    this.holds.set(fiber, view)
  }

  /** Gives the caller every constructor's change, in build order. */
  applyAll(size: number): Effect.Effect<void> {
    if (this.base === undefined) return Effect.void
    const patches: Array<FiberRefsPatch.FiberRefsPatch> = []
    for (let id = 0; id < size; id++) {
      const patch = this.patches[id]
      if (patch !== undefined) patches.push(patch)
    }
    return Effect.forEach(patches, (patch) => Effect.patchFiberRefs(patch), { discard: true })
  }

  /**
   * What a node sees: the views of its dependencies, applied in build order, each as its change from
   * the base; no work when at most one of them passes something on.
   */
  private viewFor(dependencies: Predecessors): FiberRefs.FiberRefs | undefined {
    const views = this.views
    let only: FiberRefs.FiberRefs | undefined
    let several = false
    for (const edge of dependencies) {
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
    for (const edge of dependencies) for (const target of edge.targets) if (views[target] !== undefined) from.push(target)
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
      let delta = this.deltas.get(view)
      if (delta === undefined) {
        delta = FiberRefsPatch.diff(this.base!, view)
        this.deltas.set(view, delta)
      }
      refs = FiberRefsPatch.patch(delta, this.fiberId!, refs)
    }
    return refs
  }
}

/** The FiberRefs of the current fiber, to start a graph build's views from. @internal */
export const currentFiberRefs: Effect.Effect<FiberRefs.FiberRefs> = Effect.getFiberRefs

// ---------------------------------------------------------------------------------------------
// Layers built by a graph: memoised within the graph, released with the graph

/** One Layer built (or being built) by a `GraphLayers`: shared by every build of it in its scope. */
interface Built {
  readonly deferred: Deferred.Deferred<readonly [FiberRefsPatch.FiberRefsPatch, Context.Context<never>], unknown>
  readonly scope: Scope.CloseableScope
  /** how many scopes use it: it is released when the last of them closes */
  observers: number
}

/** A Layer's primitive, as Effect 3 represents it (`internal/layer.ts`). */
type Primitive = Layer.Layer<unknown, unknown, unknown> & {
  readonly _op_layer: string
  readonly layer: Layer.Layer<unknown, unknown, unknown>
  readonly layers: ReadonlyArray<Layer.Layer<unknown, unknown, unknown>>
  readonly first: Layer.Layer<unknown, unknown, unknown>
  readonly second: Layer.Layer<unknown, unknown, unknown>
  readonly self: Layer.Layer<unknown, unknown, unknown>
  readonly effect: Effect.Effect<Context.Context<never>, unknown, unknown>
  evaluate(): Layer.Layer<unknown, unknown, unknown>
  failureK(cause: Cause.Cause<unknown>): Layer.Layer<unknown, unknown, unknown>
  successK(context: Context.Context<never>): Layer.Layer<unknown, unknown, unknown>
  zipK(left: Context.Context<never>, right: Context.Context<never>): Context.Context<never>
  f(effect: Effect.Effect<unknown, unknown, unknown>): Effect.Effect<Context.Context<never>, unknown, unknown>
}

const known = new Set(["ExtendScope", "Fold", "Fresh", "FromEffect", "Scoped", "Suspend", "Locally", "Provide", "ProvideMerge", "ZipWith", "MergeAll"])

/** Per scope a construction runs in that is not its node scope, the scope it was opened in (see `opensIn`). */
const openedInScopes = new WeakMap<Scope.Scope, Scope.Scope>()

/**
 * Notes that `inner`, a scope a constructor runs in, was opened in `outer`: a component's Layer (and
 * each Layer it is made of) is built in a scope of its own (`GraphLayers`), as is an instance App
 * watches (`container.ts`). What a constructor looks up is its node scope's (`container/lookedUp.ts`).
 *
 * @internal
 */
export const opensIn = (inner: Scope.Scope, outer: Scope.Scope): void => {
  openedInScopes.set(inner, outer)
}

/** The scope a construction's scope was opened in, up to the first that was not (its node scope, for a constructor's). @internal */
export const outermostOf = (scope: Scope.Scope): Scope.Scope => {
  let found = scope
  for (let outer = openedInScopes.get(found); outer !== undefined; outer = openedInScopes.get(found)) found = outer
  return found
}

/**
 * The Layers of one graph's components, built as `Layer.buildWithMemoMap` builds them (a Layer used
 * twice in the graph is built once and released after its last user), with one difference that
 * makes components given as Layers keep the lifecycle contract of Effect components: what a Layer
 * acquired is always released by closing the scope it was built in, never inside the build. Effect's
 * own MemoMap closes a failed (or interrupted) Layer's resources inline, in the building fiber and
 * uninterruptibly: a hung finalizer there hung the build itself, beyond any release timeout, and a
 * failing one replaced the build's error. Here the scope of every Layer built is registered with the
 * scope it is built in before it is built, so the component's scope releases it, bounded and
 * reported like any release.
 *
 * One instance per graph (and per set of resolved dependencies: see the executor), never shared with
 * another graph, so no graph hands out an instance built from other dependencies than its own.
 * It is a `Layer.MemoMap`, provided as `Layer.CurrentMemoMap` while its Layers build. A primitive
 * this version of layerwise does not know (a newer Effect) is built by Effect's own builder.
 *
 * @internal
 */
export class GraphLayers implements Layer.MemoMap {
  readonly [Layer.MemoMapTypeId]: Layer.MemoMapTypeId = Layer.MemoMapTypeId
  private readonly built = new Map<Layer.Layer<unknown, unknown, unknown>, Built>()
  private fallback: Layer.MemoMap | undefined = undefined

  getOrElseMemoize<RIn, E, ROut>(layer: Layer.Layer<ROut, E, RIn>, scope: Scope.Scope): Effect.Effect<Context.Context<ROut>, E, RIn> {
    return memoize(this, layer as Layer.Layer<unknown, unknown, unknown>, scope) as Effect.Effect<Context.Context<ROut>, E, RIn>
  }

  /** Builds a component's Layer in its scope, with this memo as the current MemoMap. */
  build(layer: Layer.Layer<never, unknown, unknown>, scope: Scope.Scope): Effect.Effect<Context.Context<never>, unknown, unknown> {
    // the memo keys Layers by identity, whatever they provide
    return Effect.provideService(memoize(this, layer as Layer.Layer<unknown, unknown, unknown>, scope), Layer.CurrentMemoMap, this)
  }

  static entryOf(self: GraphLayers, layer: Layer.Layer<unknown, unknown, unknown>): Built | undefined {
    return self.built.get(layer)
  }

  static remember(self: GraphLayers, layer: Layer.Layer<unknown, unknown, unknown>, built: Built | undefined): void {
    if (built === undefined) self.built.delete(layer)
    else self.built.set(layer, built)
  }

  static fallbackOf(self: GraphLayers): Layer.MemoMap {
    return self.fallback ??= Effect.runSync(Layer.makeMemoMap)
  }
}

const memoize = (
  self: GraphLayers,
  layer: Layer.Layer<unknown, unknown, unknown>,
  scope: Scope.Scope
): Effect.Effect<Context.Context<never>, unknown, unknown> =>
  Effect.suspend(() => {
    const existing = GraphLayers.entryOf(self, layer)
    if (existing !== undefined) {
      return Effect.flatMap(Deferred.await(existing.deferred), ([patch, context]) => {
        existing.observers++
        return Effect.as(
          Effect.zipRight(Scope.addFinalizerExit(scope, (exit) => release(self, layer, existing, exit)), Effect.patchFiberRefs(patch)),
          context
        )
      })
    }
    return Effect.uninterruptibleMask((restore) =>
      Effect.flatMap(Scope.make(), (inner) => {
        opensIn(inner, scope)
        const built: Built = { deferred: makeDeferred(), scope: inner, observers: 1 }
        if (Layer.isFresh(layer) === false) GraphLayers.remember(self, layer, built)
        return Effect.zipRight(
          Scope.addFinalizerExit(scope, (exit) => release(self, layer, built, exit)),
          Effect.onExit(restore(Effect.diffFiberRefs(buildPrimitive(self, layer as Primitive, inner))), (exit) =>
            Effect.sync(() => completeDeferred(built.deferred, exit)))
        ).pipe(Effect.map(([, context]) => context))
      })
    )
  })

/** A scope stops using a Layer; the last one closes what the Layer acquired. */
const release = (
  self: GraphLayers,
  layer: Layer.Layer<unknown, unknown, unknown>,
  built: Built,
  exit: Exit.Exit<unknown, unknown>
): Effect.Effect<void> =>
  Effect.suspend(() => {
    if (--built.observers > 0) return Effect.void
    if (GraphLayers.entryOf(self, layer) === built) GraphLayers.remember(self, layer, undefined)
    return Scope.close(built.scope, exit)
  })

/** One primitive built in `scope`, its parts through the memo (as Effect's `makeBuilder` does). */
const buildPrimitive = (
  self: GraphLayers,
  op: Primitive,
  scope: Scope.Scope
): Effect.Effect<Context.Context<never>, unknown, unknown> => {
  if (!known.has(op._op_layer)) return Layer.buildWithMemoMap(op, GraphLayers.fallbackOf(self), scope)
  switch (op._op_layer) {
    case "FromEffect":
      return op.effect
    case "Scoped":
      return Scope.extend(op.effect, scope)
    case "Suspend":
      return memoize(self, op.evaluate(), scope)
    case "Locally":
      return op.f(memoize(self, op.self, scope))
    case "ExtendScope":
      return Effect.scopeWith((outer) => memoize(self, op.layer, outer))
    case "Fresh":
      return new GraphLayers().build(op.layer, scope)
    case "Fold":
      return Effect.matchCauseEffect(memoize(self, op.layer, scope), {
        onFailure: (cause) => memoize(self, op.failureK(cause), scope),
        onSuccess: (context) => memoize(self, op.successK(context), scope)
      })
    case "Provide":
      return Effect.flatMap(memoize(self, op.first, scope), (context) => Effect.mapInputContext(memoize(self, op.second, scope) as Effect.Effect<Context.Context<never>, unknown, never>, (_: Context.Context<never>) => context))
    case "ProvideMerge":
      return Effect.zipWith(memoize(self, op.first, scope), memoize(self, op.second, scope), (left, right) => op.zipK(left, right))
    case "ZipWith":
      return Effect.flatMap(Scope.fork(scope, ExecutionStrategy.parallel), (parallel) =>
        Effect.flatMap(Effect.all([Scope.fork(parallel, ExecutionStrategy.sequential), Scope.fork(parallel, ExecutionStrategy.sequential)]), ([first, second]) =>
          Effect.zipWith(memoize(self, op.first, first), memoize(self, op.second, second), (left, right) => op.zipK(left, right), {
            concurrent: true
          })))
    default: // MergeAll
      return Effect.flatMap(Scope.fork(scope, ExecutionStrategy.parallel), (parallel) =>
        Effect.map(
          Effect.forEach(op.layers, (layer) => Effect.flatMap(Scope.fork(parallel, ExecutionStrategy.sequential), (own) => memoize(self, layer, own)), {
            concurrency: "unbounded"
          }),
          (contexts) => Context.mergeAll(...contexts) as Context.Context<never>
        ))
  }
}

// ---------------------------------------------------------------------------------------------
// Instances

/**
 * Runs an effect with a fiber-local value changed by `update` (forks inherit the change). In
 * Effect 4: `Effect.provideService` of a `Context.Reference`.
 *
 * @internal
 */
export const withFiberLocal = <A>(local: FiberRef.FiberRef<A>, update: (value: A) => A) =>
<X, E, R>(effect: Effect.Effect<X, E, R>): Effect.Effect<X, E, R> => Effect.locallyWith(effect, local, update)

/**
 * The cause with every defect replaced by `f(defect)`, its failures, interruptions and structure
 * kept. In Effect 4, where a Cause is a flat list of reasons, a map over them.
 *
 * @internal
 */
export const mapDefects = <E>(cause: Cause.Cause<E>, f: (defect: unknown) => unknown): Cause.Cause<E> =>
  Cause.match(cause, {
    onEmpty: Cause.empty as Cause.Cause<E>,
    onFail: (error) => Cause.fail(error),
    onDie: (defect) => Cause.die(f(defect)),
    onInterrupt: (fiberId) => Cause.interrupt(fiberId),
    onSequential: (left, right) => Cause.sequential(left, right),
    onParallel: (left, right) => Cause.parallel(left, right)
  })

/**
 * Adds a finalizer to an open Scope in the current synchronous step, as `Scope.addFinalizerExit`
 * does in Effect steps of its own. `false`, with nothing added, when the Scope is closed or is not
 * Effect's own implementation: the caller then uses `Scope.addFinalizerExit`. Reads the private
 * state of Effect 3's Scope (`state.finalizers`), which test/Instances.test.ts checks. Kept for
 * Instances' cached `get`: 8.4 Effect operations with it, 11.4 with `Scope.addFinalizerExit` (a
 * bare `Scope.addFinalizer` measured the same way: 7.4; bench/instances.ts). Effect 4: the
 * public `Scope.addFinalizerUnsafe`, or `Scope.addFinalizer` if that is gone.
 *
 * @internal
 */
export const addFinalizerNow = (scope: Scope.Scope, finalizer: Scope.Scope.Finalizer): boolean => {
  const state = (scope as { readonly state?: { readonly _tag?: unknown; readonly finalizers?: unknown } }).state
  if (state?._tag !== "Open" || !(state.finalizers instanceof Map)) return false
  state.finalizers.set({}, finalizer)
  return true
}

// ---------------------------------------------------------------------------------------------
// Effect.Service

/**
 * The parts of a Layer made by `Layer.provide(self, that)`: `self`, and the layers of `that` (the
 * array's, or the one layer); `undefined` for a Layer made any other way. An `Effect.Service` class
 * with `dependencies` builds its `Default` so: `Layer.provide(DefaultWithoutDependencies,
 * dependencies)`, which is how layerwise learns a service's dependency layers without the user
 * listing them again.
 *
 * Reads Effect 3's Layer representation: `provide` is a `Suspend` whose `evaluate()` gives a
 * `Provide` whose `second` is `self` and whose `first` is a `ProvideMerge` of the context and
 * `that` (a `MergeAll` of an array's layers). test/Component.test.ts checks it against Effect's own
 * `Effect.Service`. Effect 4: `Layer.provide` and `Effect.Service` are rewritten; read what they
 * become, or keep the service's dependencies where `Component.fromService` can ask for them.
 *
 * @internal
 */
export const splitProvide = (
  layer: unknown
): { readonly self: Layer.Layer<never, unknown, unknown>; readonly provided: ReadonlyArray<Layer.Layer<never, unknown, unknown>> } | undefined => {
  type Primitive = {
    readonly _op_layer?: unknown
    readonly evaluate?: unknown
    readonly first?: Primitive
    readonly second?: Primitive
    readonly layers?: unknown
  }
  if (!Layer.isLayer(layer)) return undefined
  const suspended = layer as Primitive
  if (suspended._op_layer !== "Suspend" || typeof suspended.evaluate !== "function") return undefined
  const provide = (suspended.evaluate as () => Primitive)()
  const merge = provide?._op_layer === "Provide" ? provide.first : undefined
  const that = merge?._op_layer === "ProvideMerge" ? merge.second : undefined
  const self = provide?.second
  if (!Layer.isLayer(self) || !Layer.isLayer(that)) return undefined
  const provided = (that as Primitive)._op_layer === "MergeAll" ? (that as Primitive).layers : [that]
  if (!Array.isArray(provided) || !provided.every(Layer.isLayer)) return undefined
  return {
    self: self as Layer.Layer<never, unknown, unknown>,
    provided: provided as ReadonlyArray<Layer.Layer<never, unknown, unknown>>
  }
}

// ---------------------------------------------------------------------------------------------
// Config

/**
 * The keys an `effect/Config` reads, as paths joined with `.` (`Config.boolean("FEATURE")`:
 * `["FEATURE"]`; `Config.nested(Config.string("HOST"), "DB")`: `["DB.HOST"]`), in order, each once:
 * what a condition on it is described by. Through `map`, `withDefault` (its first branch),
 * `redacted`, `array`, `all` and descriptions; empty for a Config without keys (`Config.succeed`,
 * `Config.suspend`). Reads Effect 3's Config representation (its `_tag`s and fields);
 * test/Condition.test.ts checks it. Effect 4: Config is rewritten on Schema; read its keys there.
 *
 * @internal
 */
export const configKeys = (config: unknown): ReadonlyArray<string> => {
  type Primitive = {
    readonly _tag?: unknown
    readonly name?: unknown
    readonly config?: Primitive
    readonly original?: Primitive
    readonly first?: Primitive
    readonly left?: Primitive
    readonly right?: Primitive
    readonly valueConfig?: Primitive
  }
  const keys = new Set<string>()
  const stack: Array<{ readonly config: Primitive | undefined; readonly path: string }> = [{ config: config as Primitive, path: "" }]
  while (stack.length > 0) {
    const { config: current, path } = stack.pop()!
    if (typeof current !== "object" || current === null) continue
    switch (current._tag) {
      case "Nested":
        stack.push({ config: current.config, path: path === "" ? String(current.name) : `${path}.${String(current.name)}` })
        break
      case "Primitive":
        if (path !== "") keys.add(path)
        break
      case "Described":
      case "Sequence":
        stack.push({ config: current.config, path })
        break
      case "MapOrFail":
      case "Redacted":
        stack.push({ config: current.original, path })
        break
      case "Fallback":
        stack.push({ config: current.first, path })
        break
      case "HashMap":
        stack.push({ config: current.valueConfig, path })
        break
      case "ZipWith":
        stack.push({ config: current.right, path }, { config: current.left, path })
        break
    }
  }
  return [...keys]
}

// ---------------------------------------------------------------------------------------------
// performance: a build's steps without Effect operations of their own

/**
 * The fiber running the current step, called in a continuation of an Effect (`flatMap`'s function,
 * `suspend`'s thunk, a handler of `matchCauseEffect`): what `Effect.withFiberRuntime` gives, without
 * an Effect operation of its own. A defect when called outside a fiber.
 *
 * @internal
 */
export const runningFiber = (): Fiber.RuntimeFiber<unknown, unknown> => {
  const fiber = currentFiber()
  if (fiber === undefined) throw new Error("layerwise: runningFiber called outside a running fiber")
  return fiber
}

/** What Effect 3's fiber runtime (`FiberRuntime`) offers beyond the public `RuntimeFiber`, used here. */
interface FiberInternals {
  setFiberRef<A>(fiberRef: FiberRef.FiberRef<A>, value: A): void
  setFiberRefs(fiberRefs: FiberRefs.FiberRefs): void
}

const internalsOf = (fiber: Fiber.RuntimeFiber<unknown, unknown>): FiberInternals => fiber as unknown as FiberInternals

/**
 * Sets the context of `fiber`, the fiber running the current step (inside `Effect.withFiberRuntime`
 * or a continuation of it), as `FiberRef.set(FiberRef.currentContext, context)` would, without an
 * Effect: the write `FiberRef.set` makes, minus the two Effect operations around it, once per
 * constructor of a build. Not restored: the caller sets it again. In Effect 4 the fiber's context is
 * a field of its own.
 *
 * @internal
 */
export const setContextOf = (fiber: Fiber.RuntimeFiber<unknown, unknown>, context: Context.Context<never>): void => {
  internalsOf(fiber).setFiberRef(FiberRef.currentContext, context)
}

/**
 * Gives `fiber`, the fiber running the current step, FiberRefs whose stacks hold its own values alone
 * (the entries of the fibers it was forked from dropped). For a fiber that is never joined into its
 * parent (the graph runner's workers): each of its FiberRef writes then copies a stack of one entry,
 * and what keeps its FiberRefs (every `acquireRelease` finalizer keeps those of its acquisition) keeps
 * one entry per FiberRef. A FiberRef's stack is the history `Fiber.join` merges from; a worker's is
 * never merged. Its values are unchanged.
 *
 * @internal
 */
export const ownStacks = (fiber: Fiber.RuntimeFiber<unknown, unknown>): void => {
  const locals = fiberRefsOf(fiber).locals
  let own: Map<FiberRef.FiberRef<unknown>, Arr.NonEmptyReadonlyArray<readonly [FiberId.Single, unknown]>> | undefined
  const id = fiber.id()
  for (const [fiberRef, stack] of locals) {
    if (stack.length === 1 && stack[0][0] === id) continue
    own ??= new Map(locals)
    own.set(fiberRef, [[id, stack[0][1]]])
  }
  if (own !== undefined) internalsOf(fiber).setFiberRefs(FiberRefs.unsafeMake(own))
}

// ---------------------------------------------------------------------------------------------
// performance: access to a running graph

/**
 * A runner with another context (its FiberRefs and runtime flags kept): effects run from it start
 * with that context as it is, not merged into another one, at a cost independent of its size.
 *
 * @internal
 */
export const runnerWithContext = <R>(runner: Runner, context: Context.Context<R>): Runtime.Runtime<R> =>
  Runtime.make({ context, fiberRefs: runner.fiberRefs, runtimeFlags: runner.runtimeFlags })

// ---------------------------------------------------------------------------------------------
// observability: metrics updated from the synchronous steps of a build or a run

/**
 * Updates a metric from synchronous code, as `Metric.update` does in an Effect (a counter adds, a
 * gauge sets, a histogram records), without the labels the current fiber adds (`Effect.tagMetrics`):
 * layerwise's metrics carry their own. A metric made with `Metric.fromMetricKey` of a tagged key
 * finds its state once and keeps it, so an update is a field write. In Effect 4: `Metric.updateUnsafe`.
 *
 * @internal
 */
export const updateMetric = <Type, In, Out>(metric: Metric.Metric<Type, In, Out>, value: In): void => {
  metric.unsafeUpdate(value, [])
}

// ---------------------------------------------------------------------------------------------
// Container: run-time lookups

/**
 * A semaphore made from synchronous code: what a container made for a lookup runs its fill under
 * (see container/lookup.ts, `addFill`).
 *
 * @internal
 */
export const makeSemaphore = (permits: number): Effect.Semaphore => Effect.unsafeMakeSemaphore(permits)
