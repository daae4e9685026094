/**
 * The keyed instance manager (`Instances.ts` is its spec), in the shape of Effect's `RcMap`: a
 * state record (`InstanceManagerImpl`) and module functions over it.
 *
 * A key's `Slot` holds its current `Instance` and its `Build` in flight. An instance counts its
 * holders (gets whose Scope is open, uses whose effect runs, waiters of the build that made it); it
 * is retired when it stops being its slot's current one (replaced, evicted, invalidated, closed)
 * and disposed once it is retired and has no holder. Every change of these counts and flags is
 * made in one synchronous step together with the Effect that must follow it (a disposal, an idle
 * timer), run in the same uninterruptible region: no interruption can come between them.
 *
 * A cached hit is one synchronous step, the one that opens the get's or use's uninterruptible
 * region: the key, one map lookup, `needsUpdate`, the hold; then, for a get, one finalizer in the
 * caller's Scope (read from its context, never copied), for a use, a release continuation around
 * the function's effect (restored to the caller's interruptibility).
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import type * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as FiberSet from "effect/FiberSet"
import * as Inspectable from "effect/Inspectable"
import * as Layer from "effect/Layer"
import * as MutableHashMap from "effect/MutableHashMap"
import * as Option from "effect/Option"
import { pipeArguments } from "effect/Pipeable"
import { hasProperty } from "effect/Predicate"
import * as Scope from "effect/Scope"
import * as Instances from "../Instances.js"
import { describeValue } from "./describe.js"
import { decodeNonNegative, decodeTimeout, describeInput } from "./duration.js"
import * as observe from "./observe.js"
import {
  addFinalizerNow,
  clockMillis,
  completeDeferred,
  currentFiberLocal,
  currentService,
  interruptFiber,
  makeDeferred,
  makeFiberLocal,
  mapDefects,
  updateMetric,
  withFiberLocal
} from "./runtime.js"

/** @internal */
export const TypeId: Instances.TypeId = Symbol.for("layerwise/Instances") as Instances.TypeId

// ---------------------------------------------------------------------------------------------
// state

/**
 * One built instance. It is also the `Cached` value handed to `needsUpdate` (its `context` and
 * `instance` fields), so a cached `get` allocates nothing for the check.
 *
 * Invariants: `retired` is set exactly when the instance stops being its slot's `current`; a
 * retired instance is never handed out again, except to the gets that waited for the build that
 * made it (see `wait`: they hold it already); a disposed one never; `disposed` is set once, when
 * `retired` and `holders === 0` (or by a forced close), and its Scope is closed right after.
 */
interface Instance<K, C, A> {
  readonly key: K
  readonly slot: Slot<K, C, A, unknown>
  readonly context: C
  readonly instance: A
  readonly scope: Scope.CloseableScope
  readonly createdAt: number
  /** the finalizer each `get` adds to its caller's Scope: one value, reused by every `get` */
  release: Scope.Scope.Finalizer
  /** what a `get` returns once the release is registered: one value, reused by every `get` */
  handOut: () => Effect.Effect<A>
  /** the continuations of every `use` of the instance: release it, then return the function's exit */
  useExit: UseExit
  holders: number
  retired: boolean
  disposed: boolean
  /** when the idle timer may evict it (manager clock, millis) */
  expiresAt: number
  /** an idle timer is running (or starting) */
  idleTimer: boolean
  idleFiber: Fiber.RuntimeFiber<void> | undefined
}

interface UseExit {
  readonly onSuccess: <B>(value: B) => Effect.Effect<B>
  readonly onFailure: <E>(cause: Cause.Cause<E>) => Effect.Effect<never, E>
}

/**
 * A build in flight and the gets waiting for it (the one that started it included). When it
 * succeeds it takes one hold of its instance for each of them, in the step that makes the instance
 * current, before anything can evict or replace it: each waiter then owns a hold it either keeps
 * (it takes the instance) or releases (see `wait`).
 */
interface Build<K, C, A, E> {
  readonly slot: Slot<K, C, A, E>
  readonly context: C
  readonly deferred: Deferred.Deferred<Instance<K, C, A>, E>
  /** gets waiting for it now */
  waiters: number
  /** its instance, once it succeeded (and took `waiters` holds of it) */
  result: Instance<K, C, A> | undefined
}

/** Everything the manager knows about one key. Removed from the map once it has neither an instance nor a build. */
interface Slot<K, C, A, E> {
  readonly key: K
  current: Instance<K, C, A> | undefined
  building: Build<K, C, A, E> | undefined
}

type State<K, C, A, E> = State.Open<K, C, A, E> | State.Closed

declare namespace State {
  interface Open<K, C, A, E> {
    readonly _tag: "Open"
    /**
     * A key's slot is in exactly one of these, chosen by the key's type: primitive keys in a Map,
     * compared as a Map compares them (SameValueZero), with no Option or hashing per lookup;
     * objects and functions in a MutableHashMap, compared with Equal / Hash. For primitives the two
     * agree except on NaN, which Equal never finds equal to itself (every get of it would build).
     */
    readonly primitiveSlots: Map<K, Slot<K, C, A, E>>
    readonly otherSlots: MutableHashMap.MutableHashMap<K, Slot<K, C, A, E>>
    /**
     * Slots holding an instance, least recently used first when a capacity is set (otherwise in
     * order of installation): capacity eviction takes the first one.
     */
    readonly cached: Set<Slot<K, C, A, E>>
  }

  interface Closed {
    readonly _tag: "Closed"
  }
}

type Counters = {
  -readonly [Name in keyof Omit<Instances.Metrics, "cached" | "live" | "building">]: number
}

type Restore = <X, Y, Z>(effect: Effect.Effect<X, Y, Z>) => Effect.Effect<X, Y, Z>

/** What a get or a use does with an instance it holds (the hold is already counted). */
type Take<K, C, A, X, Y, Z> = (instance: Instance<K, C, A>) => Effect.Effect<X, Y, Z>

class InstanceManagerImpl<C, K, A, E, KE> extends Inspectable.Class implements Instances.InstanceManager<C, K, A, E | KE> {
  readonly [TypeId]: Instances.TypeId = TypeId
  state: State<K, C, A, E> = {
    _tag: "Open",
    primitiveSlots: new Map(),
    otherSlots: MutableHashMap.empty(),
    cached: new Set()
  }
  /** built and not yet disposed: cached, or retired and still held */
  readonly live = new Set<Instance<K, C, A>>()
  readonly counters: Counters = {
    hits: 0,
    misses: 0,
    builds: 0,
    failures: 0,
    replacements: 0,
    evictions: 0,
    invalidations: 0,
    disposals: 0,
    disposalFailures: 0,
    forcedDisposals: 0
  }
  /** build fibers running, until they end (after retiring what their instance replaced or evicted) */
  building = 0
  /** completed once the manager is closed and its last live instance disposed */
  readonly drained = makeDeferred<void>()
  readonly keys: Effect.Effect<ReadonlyArray<K>>
  readonly entries: Effect.Effect<ReadonlyArray<Instances.Entry<K, C>>>
  readonly metrics: Effect.Effect<Instances.Metrics>
  /** its Effect Metrics, labelled with its name (none without a name) */
  readonly observed: observe.InstanceMetrics | undefined

  constructor(
    /** its `make` needs what `context` holds, besides a Scope */
    readonly provider: Instances.Provider<C, K, A, E, unknown, KE>,
    readonly context: Context.Context<never>,
    /** the manager's own clock: idle timers and creation times never depend on a caller's fiber */
    readonly clock: Clock.Clock,
    /** builds and idle timers; the close interrupts them */
    readonly fibers: FiberSet.FiberSet,
    readonly capacity: number | undefined,
    readonly idleMillis: number | undefined,
    readonly closeTimeout: Duration.Duration
  ) {
    super()
    this.keys = Effect.sync(() => Array.from(cachedSlots(this), (slot) => slot.key))
    this.entries = Effect.sync(() => Array.from(cachedSlots(this), entryOf))
    this.observed = provider.name === undefined ? undefined : observe.instanceMetricsOf(provider.name)
    this.metrics = Effect.sync(() => ({
      ...this.counters,
      cached: this.state._tag === "Open" ? this.state.cached.size : 0,
      live: this.live.size,
      building: this.building
    }))
  }

  get(context: C): Effect.Effect<A, E | KE, Scope.Scope> {
    return get(this, context)
  }

  use<B, E2, R2>(
    context: C,
    f: (instance: A) => Effect.Effect<B, E2, R2>
  ): Effect.Effect<B, E | E2 | KE, R2> {
    return use(this, context, f)
  }

  invalidate(key: K): Effect.Effect<void> {
    return invalidate(this, key)
  }

  pipe() {
    return pipeArguments(this, arguments)
  }

  toJSON() {
    const cached = this.state._tag === "Open" ? this.state.cached.size : 0
    return { _id: "InstanceManager", name: this.provider.name, state: this.state._tag, cached, live: this.live.size }
  }

  override toString() {
    return `InstanceManager(${this.provider.name ?? "unnamed"}, ${this.state._tag === "Open" ? "open" : "closed"})`
  }
}

/** The manager as the module functions see it: the parameters they do not use left open. */
type Manager<C, K, A, E> = InstanceManagerImpl<C, K, A, E, unknown>

const cachedSlots = <C, K, A, E>(self: Manager<C, K, A, E>): Iterable<Slot<K, C, A, E>> =>
  self.state._tag === "Open" ? self.state.cached : []

const entryOf = <K, C, A, E>(slot: Slot<K, C, A, E>): Instances.Entry<K, C> => {
  const instance = slot.current!
  return { key: slot.key, context: instance.context, createdAt: instance.createdAt, holders: instance.holders }
}

// ---------------------------------------------------------------------------------------------
// constructors

// The exports Instances.ts binds are function declarations: this module and Instances.ts import each
// other (the errors are declared there), and hoisted functions are defined whichever is loaded first.

/** @internal */
export function make<C, K, A, E = never, R = never, KE = never>(
  provider: Instances.Provider<C, K, A, E, R, KE>
): Effect.Effect<Instances.InstanceManager<C, K, A, E | KE>, never, Scope.Scope | R> {
  return Effect.gen(function*() {
    const capacity = provider.capacity
    if (capacity !== undefined && (!Number.isInteger(capacity) || capacity < 1)) {
      return yield* Effect.dieMessage(`Instances.make: capacity must be a positive integer, got ${capacity}`)
    }
    // read as App reads its timeouts (duration.ts): every DurationInput form, non-negative; an
    // infinite time to live is the default, never (as RcMap takes it), an infinite close timeout refused
    const idleTimeToLive = decodeNonNegative(provider.idleTimeToLive)
    if (provider.idleTimeToLive !== undefined && idleTimeToLive === undefined) {
      return yield* unusableDuration("idleTimeToLive", "non-negative duration (infinite: never)", provider.idleTimeToLive)
    }
    const closeTimeout = decodeTimeout(provider.closeTimeout)
    if (provider.closeTimeout !== undefined && closeTimeout === undefined) {
      return yield* unusableDuration("closeTimeout", "finite, non-negative duration", provider.closeTimeout)
    }
    // The fibers live in a Scope of their own that nothing closes: the close interrupts them itself,
    // within its timeout (a FiberSet closed with the manager's Scope would wait without end for a
    // build that ignores its interruption).
    const fibers = yield* Scope.extend(FiberSet.make(), yield* Scope.make())
    const self = new InstanceManagerImpl(
      provider,
      (yield* Effect.context<R>()) as Context.Context<never>,
      yield* Effect.clock,
      fibers,
      capacity,
      // infinite: never, as when it is not given
      idleTimeToLive === undefined || !Duration.isFinite(idleTimeToLive) ? undefined : Duration.toMillis(idleTimeToLive),
      closeTimeout ?? Duration.seconds(30)
    )
    yield* Effect.addFinalizer(() => close(self))
    return self
  })
}

// infinite and not negative: Effect decodes [-1, Infinity] as infinite too
const unusableDuration = (option: string, expected: string, input: unknown): Effect.Effect<never> =>
  Effect.dieMessage(`Instances.make: ${option} must be a ${expected}, got ${describeInput(input)}`)

/** @internal */
export function Tag<const Id extends string>(
  id: Id
): <Self, C, K, A, E = never>() => Context.TagClass<Self, Id, Instances.InstanceManager<C, K, A, E>> {
  return <Self, C, K, A, E = never>() => Context.Tag(id)<Self, Instances.InstanceManager<C, K, A, E>>()
}

/** @internal */
export function layer<Self, C, K, A, E, R = never>(
  tag: Context.Tag<Self, Instances.InstanceManager<C, K, A, E>>,
  provider: Instances.Provider<C, K, A, E, R, E>
): Layer.Layer<Self, never, Exclude<R, Scope.Scope>> {
  // make's R is its requirements and the Scope that Layer.scoped provides
  const named = provider.name === undefined ? { ...provider, name: tag.key } : provider
  return Layer.scoped(tag, make(named) as Effect.Effect<Instances.InstanceManager<C, K, A, E>, never, Scope.Scope | Exclude<R, Scope.Scope>>)
}

/** @internal */
export function isInstanceManager(u: unknown): u is Instances.InstanceManager<unknown, unknown, unknown, unknown> {
  return hasProperty(u, TypeId)
}

// ---------------------------------------------------------------------------------------------
// get and use

const get = <C, K, A, E, KE>(
  self: InstanceManagerImpl<C, K, A, E, KE>,
  context: C
): Effect.Effect<A, E | KE, Scope.Scope> =>
  Effect.uninterruptibleMask((restore) => {
    if (self.state._tag === "Closed") return Effect.interrupt
    // the caller's Scope, read from its fiber in this step: no copy of its context
    const scope = currentService(Scope.Scope)
    if (scope === undefined) return Effect.dieMessage("Instances: get ran without a Scope")
    return acquire(self, context, restore, (instance) => holdInScope(instance, scope))
  })

const use = <C, K, A, E, KE, B, E2, R2>(
  self: InstanceManagerImpl<C, K, A, E, KE>,
  context: C,
  f: (instance: A) => Effect.Effect<B, E2, R2>
): Effect.Effect<B, E | E2 | KE, R2> =>
  Effect.uninterruptibleMask((restore) =>
    self.state._tag === "Closed"
      ? Effect.interrupt
      : acquire(self, context, restore, (instance) => holdDuring(instance, f, restore))
  )

/**
 * The body of a get or a use, run in the synchronous step that opens their uninterruptible region:
 * a hit is handled right here, anything else goes through `attempt` / `wait`. A key that is itself
 * an Effect value (Option, Either, a Tag) is run: documented on Provider.key.
 */
const acquire = <C, K, A, E, KE, X, Y, Z>(
  self: InstanceManagerImpl<C, K, A, E, KE>,
  context: C,
  restore: Restore,
  take: Take<K, C, A, X, Y, Z>
): Effect.Effect<X, Y | E | KE, Z> => {
  const key = keyOf(self, context)
  return Effect.isEffect(key)
    ? Effect.flatMap(restore(key as Effect.Effect<K, KE>), (key) => attempt(self, key, context, restore, true, take))
    : attempt(self, key, context, restore, true, take)
}

/** The key of a context; a key function that throws gives a defect (a key to run, like an effectful one). */
const keyOf = <C, K, A, E, KE>(
  self: InstanceManagerImpl<C, K, A, E, KE>,
  context: C
): K | Effect.Effect<K, KE> => {
  try {
    return self.provider.key(context)
  } catch (error) {
    return Effect.die(new Instances.InstanceKeyDefect({ cause: error }))
  }
}

/**
 * One look of a get or a use, run uninterruptibly (only the wait for a build is restored to the
 * caller's interruptibility). A hit holds the current instance and takes it, in the same synchronous
 * step; otherwise the look joins the key's build or starts one (see `wait`). `first`: the get's
 * first look, the one that counts as its hit or miss.
 */
const attempt = <C, K, A, E, X, Y, Z>(
  self: Manager<C, K, A, E>,
  key: K,
  context: C,
  restore: Restore,
  first: boolean,
  take: Take<K, C, A, X, Y, Z>
): Effect.Effect<X, Y | E, Z> => {
  const state = self.state
  if (state._tag === "Closed") return Effect.interrupt
  const slot = findSlot(state, key)
  const current = slot?.current
  if (current !== undefined && !self.provider.needsUpdate(context, current)) {
    // retired by `needsUpdate` itself (it invalidated the key): look again
    if (current.retired) return attempt(self, key, context, restore, first, take)
    if (first) count(self, "hits")
    hold(self, current)
    return take(current)
  }
  if (first) count(self, "misses")
  return wait(self, state, key, slot, context, restore, take)
}

/**
 * The miss of a look: joins the key's build or starts one, and waits for it. Every get waiting for
 * a build that succeeds owns a hold of its instance (see Build), even if the instance was replaced,
 * evicted or invalidated before the get resumed (it is then disposed after that get's use): the
 * get that started the build takes it (made for its context, it is what it asked for); a get that
 * joined takes it if it needs no update for its own context, else releases its hold and looks
 * again. So each get starts at most one build, and a get that started one always ends with that
 * build's outcome: no churn of settings or capacity can make builds evict each other's instances
 * before their callers take them.
 */
const wait = <C, K, A, E, X, Y, Z>(
  self: Manager<C, K, A, E>,
  state: State.Open<K, C, A, E>,
  key: K,
  slot: Slot<K, C, A, E> | undefined,
  context: C,
  restore: Restore,
  take: Take<K, C, A, X, Y, Z>
): Effect.Effect<X, Y | E, Z> => {
  const joined = slot?.building
  if (joined === undefined) {
    const build = startBuild(self, state, key, slot, context)
    return Effect.zipRight(runBuild(self, build), awaitBuild(self, build, restore, take))
  }
  if (waitsForItself(joined)) return Effect.die(new Instances.InstanceCycle({ key }))
  return awaitBuild(self, joined, restore, (instance) => {
    let stale: boolean
    try {
      stale = self.provider.needsUpdate(context, instance)
    } catch (defect) {
      return afterRelease(self, instance, Effect.die(defect))
    }
    return stale
      ? afterRelease(self, instance, Effect.suspend(() => attempt(self, key, context, restore, false, take)))
      : take(instance)
  })
}

/**
 * Waits for a build as one of its waiters; `claim` gets the instance with this waiter's hold
 * counted. A waiter that leaves without the instance (interrupted, or the build failed) gives its
 * place back: its hold if the build already took one for it.
 */
const awaitBuild = <C, K, A, E, X, Y, Z>(
  self: Manager<C, K, A, E>,
  build: Build<K, C, A, E>,
  restore: Restore,
  claim: Take<K, C, A, X, Y | E, Z>
): Effect.Effect<X, Y | E, Z> => {
  build.waiters++
  return Effect.matchCauseEffect(restore(Deferred.await(build.deferred)), {
    onFailure: (cause) => {
      if (build.result !== undefined) return afterRelease(self, build.result, Effect.failCause(cause))
      build.waiters--
      return Effect.failCause(cause)
    },
    // disposed already: only a close that timed out disposes a held instance
    onSuccess: (instance) => (instance.disposed ? Effect.interrupt : claim(instance))
  })
}

/**
 * Counts one more holder of an instance that is handed out (neither retired nor disposed: the
 * caller checked it in the same synchronous step). The caller must, in the same uninterruptible
 * region, make sure the holder is released exactly once.
 */
const hold = <C, K, A, E>(self: Manager<C, K, A, E>, instance: Instance<K, C, A>): void => {
  instance.holders++
  // most recently used goes last (only a cached instance's slot is in `cached`)
  if (self.capacity !== undefined && instance.slot.current === instance && self.state._tag === "Open") {
    const slot = instance.slot as Slot<K, C, A, E>
    self.state.cached.delete(slot)
    self.state.cached.add(slot)
  }
}

/** A `get`'s hold: released when the caller's Scope closes. Runs uninterruptibly. */
const holdInScope = <K, C, A>(instance: Instance<K, C, A>, scope: Scope.Scope): Effect.Effect<A> =>
  addFinalizerNow(scope, instance.release)
    ? instance.handOut()
    : Effect.flatMap(Scope.addFinalizerExit(scope, instance.release), instance.handOut)

/**
 * A `use`'s hold: released when `f`'s effect ends, however it ends (the continuation is in place
 * before `f`'s effect starts; `restore` gives it the caller's interruptibility back). Runs
 * uninterruptibly.
 */
const holdDuring = <K, C, A, B, E2, R2>(
  instance: Instance<K, C, A>,
  f: (instance: A) => Effect.Effect<B, E2, R2>,
  restore: Restore
): Effect.Effect<B, E2, R2> => {
  let effect: Effect.Effect<B, E2, R2>
  try {
    effect = f(instance.instance)
  } catch (defect) {
    return instance.useExit.onFailure(Cause.die(defect))
  }
  return Effect.matchCauseEffect<B, E2, R2, never, E2, never, B, never, never>(restore(effect), instance.useExit)
}

/**
 * Drops one holder, synchronously, and returns what must run next: the instance's disposal if it
 * is retired and that was its last holder, the start of its idle timer if it became idle, or
 * undefined (nothing, the common case). The caller runs it in the same uninterruptible region: a
 * holder count dropped to zero without the disposal that follows would never be disposed.
 */
const release = <C, K, A, E>(self: Manager<C, K, A, E>, instance: Instance<K, C, A>): Effect.Effect<void> | undefined => {
  instance.holders--
  if (instance.holders > 0) return undefined
  if (instance.retired) return dispose(self, instance)
  return self.idleMillis === undefined ? undefined : startIdleTimer(self, instance, self.idleMillis)
}

/** Releases one hold of the instance, then runs `next`. */
const afterRelease = <C, K, A, E, X, Y, Z>(
  self: Manager<C, K, A, E>,
  instance: Instance<K, C, A>,
  next: Effect.Effect<X, Y, Z>
): Effect.Effect<X, Y, Z> => {
  const released = release(self, instance)
  return released === undefined ? next : Effect.zipRight(released, next)
}

// ---------------------------------------------------------------------------------------------
// slots

const isPrimitive = (key: unknown): boolean => key === null || (typeof key !== "object" && typeof key !== "function")

const findSlot = <K, C, A, E>(state: State.Open<K, C, A, E>, key: K): Slot<K, C, A, E> | undefined =>
  isPrimitive(key) ? state.primitiveSlots.get(key) : Option.getOrUndefined(MutableHashMap.get(state.otherSlots, key))

/** Removes a slot that holds neither an instance nor a build. */
const prune = <K, C, A, E>(self: Manager<C, K, A, E>, slot: Slot<K, C, A, E>): void => {
  const state = self.state
  if (state._tag === "Closed" || slot.current !== undefined || slot.building !== undefined || findSlot(state, slot.key) !== slot) {
    return
  }
  if (isPrimitive(slot.key)) state.primitiveSlots.delete(slot.key)
  else MutableHashMap.remove(state.otherSlots, slot.key)
}

/** Takes the slot's instance out of the cache (synchronously); the caller retires it. */
const uncache = <C, K, A, E>(self: Manager<C, K, A, E>, slot: Slot<K, C, A, E>): Instance<K, C, A> | undefined => {
  const instance = slot.current
  if (instance === undefined) return undefined
  slot.current = undefined
  if (self.state._tag === "Open") self.state.cached.delete(slot)
  prune(self, slot)
  sized(self)
  return instance
}

/** One more of a counter that is also an Effect Metric (when the manager has a name). */
const count = <C, K, A, E>(self: Manager<C, K, A, E>, counter: "hits" | "misses" | "evictions"): void => {
  self.counters[counter]++
  if (self.observed !== undefined) updateMetric(self.observed[counter], 1)
}

/** Sets the size gauge (when the manager has a name) to the keys cached now. */
const sized = <C, K, A, E>(self: Manager<C, K, A, E>): void => {
  if (self.observed !== undefined) updateMetric(self.observed.size, self.state._tag === "Open" ? self.state.cached.size : 0)
}

/**
 * Takes the least recently used instances out of the cache until it is within the capacity, and
 * marks them retired (never handed out again); the build that evicts them wakes its waiters before
 * it retires them for good (see `install`).
 */
const evictOverCapacity = <C, K, A, E>(self: Manager<C, K, A, E>, state: State.Open<K, C, A, E>): Array<Instance<K, C, A>> => {
  const evicted: Array<Instance<K, C, A>> = []
  if (self.capacity === undefined) return evicted
  while (state.cached.size > self.capacity) {
    // the first slot is the least recently used; the one just installed is last
    const oldest = state.cached.values().next().value!
    const instance = uncache(self, oldest)
    state.cached.delete(oldest) // a no-op unless the invariant (every slot in `cached` has an instance) broke: never loop on it
    if (instance !== undefined) {
      instance.retired = true
      count(self, "evictions")
      evicted.push(instance)
    }
  }
  return evicted
}

const invalidate = <C, K, A, E>(self: Manager<C, K, A, E>, key: K): Effect.Effect<void> =>
  // uninterruptible: an instance taken out of the cache and not retired would never be disposed
  Effect.uninterruptible(Effect.suspend(() => {
    const slot = self.state._tag === "Open" ? findSlot(self.state, key) : undefined
    const instance = slot === undefined ? undefined : uncache(self, slot)
    if (instance === undefined) return Effect.void
    self.counters.invalidations++
    return retire(self, instance)
  }))

// ---------------------------------------------------------------------------------------------
// builds

/**
 * Registers a build of the key, synchronously (a concurrent get of the key joins it), and starts it
 * in a fiber of the manager, forked from the caller's uninterruptible region: a caller that gives up
 * waiting never cancels a build other callers share; only a close does.
 */
const startBuild = <C, K, A, E>(
  self: Manager<C, K, A, E>,
  state: State.Open<K, C, A, E>,
  key: K,
  found: Slot<K, C, A, E> | undefined,
  context: C
): Build<K, C, A, E> => {
  let slot = found
  if (slot === undefined) {
    slot = { key, current: undefined, building: undefined }
    if (isPrimitive(key)) state.primitiveSlots.set(key, slot)
    else MutableHashMap.set(state.otherSlots, key, slot)
  }
  const build: Build<K, C, A, E> = { slot, context, deferred: makeDeferred(), waiters: 0, result: undefined }
  slot.building = build
  self.counters.builds++
  self.building++
  return build
}

/**
 * Runs a build (started by `startBuild`) in a fiber of the manager's FiberSet. The fiber is
 * uninterruptible except for `make` itself, so its bookkeeping always completes and a build never
 * leaves a half-entry.
 */
const runBuild = <C, K, A, E>(self: Manager<C, K, A, E>, build: Build<K, C, A, E>): Effect.Effect<void> =>
  Effect.asVoid(FiberSet.run(self.fibers, Effect.onExit(construct(self, build), (exit) => settle(self, build, exit))))

/**
 * The build of one key: `make` in a Scope of the instance's own, then `install` or `failBuild`.
 */
const construct = Effect.fnUntraced(function*<C, K, A, E>(self: Manager<C, K, A, E>, build: Build<K, C, A, E>) {
  const scope = yield* Scope.make()
  const exit = yield* Effect.exit(Effect.interruptible(makeInstance(self, build, scope)))
  if (Exit.isSuccess(exit)) return yield* install(self, build, scope, exit.value)
  return yield* failBuild(self, build, scope, exit)
})

/**
 * Runs `make` for a build: a `make` that throws, or returns something other than an Effect, dies
 * like one whose Effect dies (it must never take the build's fiber down with it: its waiters would
 * wait forever). Defects are wrapped in an InstanceMakeDefect naming the key. The build is added to
 * the fiber's chain of builds in progress (see `buildsInProgress`), which fibers forked by `make`
 * inherit.
 */
const makeInstance = <C, K, A, E>(self: Manager<C, K, A, E>, build: Build<K, C, A, E>, scope: Scope.CloseableScope): Effect.Effect<A, E> =>
  Effect.suspend(() => {
    const made: unknown = self.provider.make(build.context)
    return Effect.isEffect(made)
      ? made as Effect.Effect<A, E, Scope.Scope>
      : Effect.die(new TypeError(`make must return an Effect, got ${describeValue(made)}`))
  }).pipe(
    Effect.provide(Context.add(self.context, Scope.Scope, scope)),
    withFiberLocal(buildsInProgress, (chain) => [...chain, build]),
    Effect.catchAllCause((cause) =>
      Effect.failCause(mapDefects(cause, (defect) => new Instances.InstanceMakeDefect({ key: build.slot.key, cause: defect })))
    )
  )

/**
 * A successful build, in one synchronous step: the new instance becomes the key's current one, the
 * build takes a hold of it for each waiter and wakes them; then what it replaced and what it evicted
 * over capacity are retired, and an instance nobody waited for starts its idle timer. A build that
 * finishes after the manager closed disposes its instance and interrupts its waiters.
 */
const install = <C, K, A, E>(
  self: Manager<C, K, A, E>,
  build: Build<K, C, A, E>,
  scope: Scope.CloseableScope,
  value: A
): Effect.Effect<void> =>
  Effect.suspend(() => {
    const slot = build.slot
    slot.building = undefined
    const instance = newInstance(self, slot, build.context, value, scope)
    self.live.add(instance)
    const state = self.state
    if (state._tag === "Closed") {
      return Effect.zipRight(retire(self, instance), Deferred.interrupt(build.deferred))
    }
    const previous = slot.current
    slot.current = instance
    state.cached.delete(slot)
    state.cached.add(slot)
    const retiring = evictOverCapacity(self, state)
    sized(self)
    if (previous !== undefined) {
      previous.retired = true
      self.counters.replacements++
      retiring.unshift(previous)
    }
    instance.holders += build.waiters
    build.result = instance
    completeDeferred(build.deferred, Exit.succeed(instance))
    const idle = self.idleMillis !== undefined && instance.holders === 0
      ? startIdleTimer(self, instance, self.idleMillis)
      : undefined
    const retired = Effect.forEach(retiring, (instance) => retire(self, instance), { discard: true })
    return idle === undefined ? retired : Effect.zipRight(retired, idle)
  })

/**
 * A failed build: the key's previous instance stays cached and valid, the build's Scope is closed
 * with the failure, and every waiter gets the same cause (an interruption if the close interrupted it;
 * an InstanceMakeDefect if `make` interrupted itself, since only a close interrupts a build's fiber).
 */
const failBuild = <C, K, A, E>(
  self: Manager<C, K, A, E>,
  build: Build<K, C, A, E>,
  scope: Scope.CloseableScope,
  exit: Exit.Failure<A, E>
): Effect.Effect<void> =>
  Effect.suspend(() => {
    const slot = build.slot
    slot.building = undefined
    self.counters.failures++
    prune(self, slot)
    return Scope.close(scope, exit).pipe(
      Effect.catchAllCause((cause) =>
        Effect.logError(`Instances: closing the failed build for key ${describeValue(slot.key)} failed`, cause)
      ),
      Effect.zipRight(Effect.suspend(() =>
        self.state._tag === "Closed"
          ? Deferred.interrupt(build.deferred)
          : Deferred.failCause(
            build.deferred,
            Cause.isInterruptedOnly(exit.cause)
              ? Cause.die(new Instances.InstanceMakeDefect({ key: slot.key, cause: "make was interrupted (not by a close of the manager)" }))
              : exit.cause
          )
      ))
    )
  })

/**
 * After a build's fiber: the build is over. Should its bookkeeping ever die, the waiters get that
 * cause rather than waiting forever, and the key is free to build again.
 */
const settle = <C, K, A, E>(self: Manager<C, K, A, E>, build: Build<K, C, A, E>, exit: Exit.Exit<void>): Effect.Effect<void> =>
  Effect.sync(() => {
    self.building--
    if (Exit.isSuccess(exit)) return
    if (build.slot.building === build) {
      build.slot.building = undefined
      self.counters.failures++
      prune(self, build.slot)
    }
    completeDeferred(build.deferred, Exit.failCause(exit.cause))
  })

/**
 * The record of a built instance, with the values every hold of it reuses (so that a cached get or
 * use allocates none of them).
 */
const newInstance = <C, K, A, E>(
  self: Manager<C, K, A, E>,
  slot: Slot<K, C, A, E>,
  context: C,
  value: A,
  scope: Scope.CloseableScope
): Instance<K, C, A> => {
  const instance: Instance<K, C, A> = {
    key: slot.key,
    slot: slot as Slot<K, C, A, unknown>,
    context,
    instance: value,
    scope,
    createdAt: clockMillis(self.clock),
    // set just below: they close over the instance itself
    release: undefined as never,
    handOut: undefined as never,
    useExit: undefined as never,
    holders: 0,
    retired: false,
    disposed: false,
    expiresAt: 0,
    idleTimer: false,
    idleFiber: undefined
  }
  // one synchronous step, then the disposal or idle timer it calls for. Like every finalizer it
  // relies on the Scope being closed uninterruptibly (Effect.scoped, layers and acquireRelease do):
  // a close interrupted between finalizers skips the rest of them, this one included.
  const released = Effect.suspend(() => release(self, instance) ?? Effect.void)
  instance.release = () => released
  const handedOut = Effect.succeed(value)
  instance.handOut = () => handedOut
  instance.useExit = {
    onSuccess: (result) => {
      const next = release(self, instance)
      return next === undefined ? Exit.succeed(result) : Effect.as(next, result)
    },
    onFailure: (cause) => {
      const next = release(self, instance)
      return next === undefined ? Exit.failCause(cause) : Effect.zipRight(next, Exit.failCause(cause))
    }
  }
  return instance
}

// ---------------------------------------------------------------------------------------------
// retiring and disposing

/**
 * Stops handing the instance out (and its idle timer, so that no timer outlives what it watches);
 * disposes it now if nobody holds it, else when its last holder is done.
 */
const retire = <C, K, A, E>(self: Manager<C, K, A, E>, instance: Instance<K, C, A>): Effect.Effect<void> =>
  Effect.suspend(() => {
    instance.retired = true
    if (instance.idleFiber !== undefined) {
      interruptFiber(instance.idleFiber)
      instance.idleFiber = undefined
    }
    return instance.holders === 0 ? dispose(self, instance) : Effect.void
  })

/**
 * Closes the instance's Scope, at most once per instance. Runs in the fiber that triggers it (the
 * last holder's Scope closing, a build, a close), uninterruptibly; a failing finalizer of the
 * instance is logged and counted, never returned to that fiber.
 */
const dispose = <C, K, A, E>(self: Manager<C, K, A, E>, instance: Instance<K, C, A>): Effect.Effect<void> =>
  Effect.suspend(() => {
    if (instance.disposed) return Effect.void
    instance.disposed = true
    self.counters.disposals++
    return Scope.close(instance.scope, Exit.void).pipe(
      Effect.catchAllCause((cause) => {
        self.counters.disposalFailures++
        return Effect.logError(`Instances: disposing the instance for key ${describeValue(instance.key)} failed`, cause)
      }),
      Effect.ensuring(Effect.sync(() => {
        self.live.delete(instance)
        if (self.state._tag === "Closed" && self.live.size === 0) completeDeferred(self.drained, Exit.void)
      })),
      Effect.uninterruptible
    )
  })

/**
 * Restarts the idle countdown of an instance nobody holds (synchronously); returns the start of its
 * idle timer, unless one runs already (the common case: undefined, nothing to run). The timer runs
 * in a fiber of the manager, forked from an uninterruptible region (a release, a build), so only its
 * sleep is interruptible, and a close interrupts it.
 */
const startIdleTimer = <C, K, A, E>(self: Manager<C, K, A, E>, instance: Instance<K, C, A>, ttl: number): Effect.Effect<void> | undefined => {
  instance.expiresAt = clockMillis(self.clock) + ttl
  if (instance.idleTimer || self.state._tag === "Closed") return undefined
  instance.idleTimer = true
  return Effect.asVoid(Effect.tap(FiberSet.run(self.fibers, idleLoop(self, instance)), (fiber) => {
    // unless it already ended (its loop resets the flag first)
    if (instance.idleTimer) instance.idleFiber = fiber
  }))
}

const idleLoop = <C, K, A, E>(self: Manager<C, K, A, E>, instance: Instance<K, C, A>): Effect.Effect<void> =>
  Effect.suspend(() => {
    if (instance.retired || instance.holders > 0) {
      // a holder came back: its release starts a new timer
      instance.idleTimer = false
      instance.idleFiber = undefined
      return Effect.void
    }
    const remaining = instance.expiresAt - clockMillis(self.clock)
    if (remaining > 0) {
      return Effect.flatMap(Effect.interruptible(self.clock.sleep(Duration.millis(remaining))), () => idleLoop(self, instance))
    }
    instance.idleTimer = false
    instance.idleFiber = undefined
    if (instance.slot.current !== instance) return Effect.void
    uncache(self, instance.slot as Slot<K, C, A, E>)
    count(self, "evictions")
    return retire(self, instance)
  })

/**
 * The close: hands out nothing from now on, retires every cached instance, disposes those nobody
 * holds, interrupts builds and idle timers, and waits up to `closeTimeout` for the holders of the
 * others; past it, disposes them anyway and logs their keys.
 */
const close = Effect.fnUntraced(function*<C, K, A, E>(self: Manager<C, K, A, E>) {
  const state = self.state
  if (state._tag === "Closed") return
  self.state = { _tag: "Closed" }
  sized(self)
  for (const slot of state.cached) {
    const instance = slot.current!
    slot.current = undefined
    instance.retired = true
  }
  // unheld instances are disposed concurrently; held ones by their last holder
  yield* Effect.forEach(
    Array.from(self.live),
    (instance) => (instance.retired && instance.holders === 0 ? dispose(self, instance) : Effect.void),
    { concurrency: "unbounded", discard: true }
  )
  const waited = yield* Effect.gen(function*() {
    // builds in flight are interrupted, and so are their waiters (their instance, if any, disposed by the build)
    yield* Fiber.interruptAll(Array.from(self.fibers))
    if (self.live.size > 0) yield* Deferred.await(self.drained)
  }).pipe(Effect.interruptible, Effect.timeoutOption(self.closeTimeout))
  if (Option.isSome(waited)) return
  const remaining = Array.from(self.live).filter((instance) => !instance.disposed)
  self.counters.forcedDisposals += remaining.length
  yield* Effect.logWarning(
    `Instances: close timed out after ${Duration.format(self.closeTimeout)}; disposing ${remaining.length} instance(s) still in use: ` +
      remaining.map((instance) => `${describeValue(instance.key)} (${instance.holders} holder(s))`).join(", ")
  )
  yield* Effect.forEach(remaining, (instance) => dispose(self, instance), { concurrency: "unbounded", discard: true })
})

// ---------------------------------------------------------------------------------------------
// cycles

/**
 * The builds whose `make` a fiber runs in, innermost last (fibers forked by a `make` inherit it).
 * A get that would wait for one of these builds waits for itself: the build cannot finish before
 * that get does. Shared by every manager, so cycles through several managers are found too. Read
 * only when a get joins a build in flight, never on a hit.
 */
const buildsInProgress = makeFiberLocal<ReadonlyArray<unknown>>("Instances/buildsInProgress", [])

/** Whether the running fiber is (directly or through forks) inside the `make` of this build. */
const waitsForItself = (build: unknown): boolean => currentFiberLocal(buildsInProgress)?.includes(build) ?? false
