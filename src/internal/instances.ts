import * as Cause from "effect/Cause"
import type * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as FiberId from "effect/FiberId"
import * as FiberRef from "effect/FiberRef"
import * as Layer from "effect/Layer"
import * as MutableHashMap from "effect/MutableHashMap"
import * as Option from "effect/Option"
import { pipeArguments } from "effect/Pipeable"
import { hasProperty } from "effect/Predicate"
import * as Scope from "effect/Scope"
import type * as Instances from "../Instances.js"

/** @internal */
export const TypeId: Instances.TypeId = Symbol.for("layerwise/Instances") as Instances.TypeId

/**
 * One built instance. It is also the `Cached` value handed to `needsUpdate` (its `context` and
 * `instance` fields), so a cached `get` allocates nothing for the check.
 *
 * Invariants: `retired` is set exactly when the instance stops being its slot's `current`; a
 * retired instance is never handed out again, except to the gets that waited for the build that
 * made it (see `wait`: they hold it already); a disposed one never; `disposed` is set once, when `retired` and `holders === 0` (or by
 * a forced close), and its Scope is closed right after.
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
  readonly context: C
  readonly deferred: Deferred.Deferred<Instance<K, C, A>, E | ManagerClosed>
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

type Counters = {
  -readonly [Name in keyof Omit<Instances.Metrics, "cached" | "live" | "building">]: number
}

const ManagerProto = {
  [TypeId]: TypeId,
  pipe() {
    return pipeArguments(this, arguments)
  }
}

/** @internal */
export const isInstanceManager = (u: unknown): u is Instances.InstanceManager<unknown, unknown, unknown, unknown, unknown> =>
  hasProperty(u, TypeId)

/** @internal */
export const make = <C, K, A, E = never, R = never, KE = never>(
  provider: Instances.Provider<C, K, A, E, R, KE>
): Effect.Effect<Instances.InstanceManager<C, K, A, E, KE>, never, Scope.Scope | R> =>
  Effect.gen(function*() {
    const capacity = provider.capacity
    if (capacity !== undefined && (!Number.isInteger(capacity) || capacity < 1)) {
      return yield* Effect.dieMessage(`Instances.make: capacity must be a positive integer, got ${capacity}`)
    }
    const idleMillis = provider.idleTimeToLive === undefined
      ? undefined
      : Duration.toMillis(Duration.decode(provider.idleTimeToLive))
    const closeTimeout = Duration.decode(provider.closeTimeout ?? Duration.seconds(30))
    // the manager's own clock: idle timers and creation times never depend on which caller's fiber runs them
    const clock: Clock.Clock = yield* Effect.clock
    const runtimeContext = yield* Effect.context<R>()

    // A key's slot is in exactly one of these, chosen by the key's type: primitive keys (strings,
    // numbers, booleans, bigints, symbols, null, undefined) in a Map, compared as a Map compares
    // them (SameValueZero: `===`, except that NaN equals NaN), with no Option or hashing per lookup;
    // objects and functions in a MutableHashMap, compared with Equal / Hash. For primitives the two
    // agree except on NaN, which Equal never finds equal to itself (every get of it would build).
    const primitiveSlots = new Map<K, Slot<K, C, A, E>>()
    const otherSlots = MutableHashMap.empty<K, Slot<K, C, A, E>>()
    const findSlot = (key: K): Slot<K, C, A, E> | undefined =>
      isPrimitive(key) ? primitiveSlots.get(key) : Option.getOrUndefined(MutableHashMap.get(otherSlots, key))
    const addSlot = (slot: Slot<K, C, A, E>): void => {
      if (isPrimitive(slot.key)) primitiveSlots.set(slot.key, slot)
      else MutableHashMap.set(otherSlots, slot.key, slot)
    }
    // slots holding an instance, least recently used first when a capacity is set (otherwise in
    // order of installation): capacity eviction takes the first one
    const cached = new Set<Slot<K, C, A, E>>()
    // built and not yet disposed, cached or retired but still held
    const live = new Set<Instance<K, C, A>>()
    // builds and idle timers; a close interrupts them
    const fibers = new Set<Fiber.RuntimeFiber<unknown, unknown>>()
    const counters: Counters = {
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
    // build fibers running, until they end (after retiring what their instance replaced or evicted)
    let building = 0
    let closed = false
    const drained = Deferred.unsafeMake<void>(FiberId.none)

    const track = <X, Y>(fiber: Fiber.RuntimeFiber<X, Y>) => {
      fibers.add(fiber)
      fiber.addObserver(() => fibers.delete(fiber))
    }

    /**
     * Closes the instance's Scope, at most once per instance. Runs in the fiber that triggers it (the
     * last holder's Scope closing, a build, a close), uninterruptibly; a failing finalizer of the
     * instance is logged and counted, never returned to that fiber.
     */
    const dispose = (instance: Instance<K, C, A>): Effect.Effect<void> =>
      Effect.suspend(() => {
        if (instance.disposed) return Effect.void
        instance.disposed = true
        counters.disposals++
        return Scope.close(instance.scope, Exit.void).pipe(
          Effect.catchAllCause((cause) => {
            counters.disposalFailures++
            return Effect.logError(`Instances: disposing the instance for key ${format(instance.key)} failed`, cause)
          }),
          Effect.ensuring(Effect.sync(() => {
            live.delete(instance)
            if (closed && live.size === 0) Deferred.unsafeDone(drained, Exit.void)
          })),
          Effect.uninterruptible
        )
      })

    /**
     * Stops handing the instance out (and its idle timer, so that no timer outlives what it
     * watches); disposes it now if nobody holds it, else when its last holder is done.
     */
    const retire = (instance: Instance<K, C, A>): Effect.Effect<void> =>
      Effect.suspend(() => {
        instance.retired = true
        if (instance.idleFiber !== undefined) {
          instance.idleFiber.unsafeInterruptAsFork(FiberId.none)
          instance.idleFiber = undefined
        }
        return instance.holders === 0 ? dispose(instance) : Effect.void
      })

    const prune = (slot: Slot<K, C, A, E>) => {
      if (slot.current !== undefined || slot.building !== undefined || findSlot(slot.key) !== slot) return
      if (isPrimitive(slot.key)) primitiveSlots.delete(slot.key)
      else MutableHashMap.remove(otherSlots, slot.key)
    }

    /** Takes the slot's instance out of the cache (synchronously); the caller retires it. */
    const uncache = (slot: Slot<K, C, A, E>): Instance<K, C, A> | undefined => {
      const instance = slot.current
      if (instance === undefined) return undefined
      slot.current = undefined
      cached.delete(slot)
      prune(slot)
      return instance
    }

    const idleLoop = (instance: Instance<K, C, A>): Effect.Effect<void> =>
      Effect.suspend(() => {
        if (instance.retired || instance.holders > 0) {
          // a holder came back: its release starts a new timer
          instance.idleTimer = false
          instance.idleFiber = undefined
          return Effect.void
        }
        const remaining = instance.expiresAt - clock.unsafeCurrentTimeMillis()
        if (remaining > 0) {
          return Effect.flatMap(Effect.interruptible(clock.sleep(Duration.millis(remaining))), () => idleLoop(instance))
        }
        instance.idleTimer = false
        instance.idleFiber = undefined
        if (instance.slot.current !== instance) return Effect.void
        uncache(instance.slot as Slot<K, C, A, E>)
        counters.evictions++
        return retire(instance)
      })

    /**
     * Restarts the idle countdown of an instance nobody holds (synchronously); returns the start of
     * its idle timer, unless one runs already (the common case: undefined, nothing to run). The
     * timer runs in a daemon fiber of the manager, forked from an uninterruptible region (a
     * release, a build), so only its sleep is interruptible, and a close interrupts it.
     */
    const idleFrom = (instance: Instance<K, C, A>, ttl: number): Effect.Effect<void> | undefined => {
      instance.expiresAt = clock.unsafeCurrentTimeMillis() + ttl
      if (instance.idleTimer || closed) return undefined
      instance.idleTimer = true
      return Effect.asVoid(Effect.tap(Effect.forkDaemon(idleLoop(instance)), (fiber) => {
        track(fiber)
        // unless it already ended (its loop resets the flag first)
        if (instance.idleTimer) instance.idleFiber = fiber
      }))
    }

    /**
     * Drops one holder, synchronously, and returns what must run next: the instance's disposal if
     * it is retired and that was its last holder, the start of its idle timer if it became idle, or
     * undefined (nothing, the common case). The caller runs it in the same uninterruptible region:
     * a holder count dropped to zero without the disposal that follows would never be disposed.
     */
    const releaseNow = (instance: Instance<K, C, A>): Effect.Effect<void> | undefined => {
      instance.holders--
      if (instance.holders > 0) return undefined
      if (instance.retired) return dispose(instance)
      return idleMillis === undefined ? undefined : idleFrom(instance, idleMillis)
    }

    /**
     * Counts one more holder of an instance that is handed out (neither retired nor disposed: the
     * caller checked it in the same synchronous step). The caller must, in the same uninterruptible
     * region, make sure the holder is released exactly once.
     */
    const hold = (instance: Instance<K, C, A>): void => {
      instance.holders++
      // most recently used goes last (only a cached instance's slot is in `cached`)
      if (capacity !== undefined && instance.slot.current === instance) {
        const slot = instance.slot as Slot<K, C, A, E>
        cached.delete(slot)
        cached.add(slot)
      }
    }

    /** A `get`'s hold (already counted): released when the caller's Scope closes. Runs uninterruptibly. */
    const holdInScope = (instance: Instance<K, C, A>, scope: Scope.Scope): Effect.Effect<A> => {
      return Effect.flatMap(Scope.addFinalizerExit(scope, instance.release), instance.handOut)
    }

    /**
     * A `use`'s hold (already counted): released when `f`'s effect ends, however it ends (the continuation is in
     * place before `f`'s effect starts; `restore` gives it the caller's interruptibility back).
     * Runs uninterruptibly.
     */
    const holdDuring = <B, E2, R2>(
      instance: Instance<K, C, A>,
      f: (instance: A) => Effect.Effect<B, E2, R2>,
      restore: <X, Y, Z>(effect: Effect.Effect<X, Y, Z>) => Effect.Effect<X, Y, Z>
    ): Effect.Effect<B, E2, R2> => {
      let effect: Effect.Effect<B, E2, R2>
      try {
        effect = f(instance.instance)
      } catch (defect) {
        return instance.useExit.onFailure(Cause.die(defect))
      }
      return Effect.matchCauseEffect<B, E2, R2, never, E2, never, B, never, never>(restore(effect), instance.useExit)
    }

    const evictOverCapacity = (): Array<Instance<K, C, A>> => {
      const evicted: Array<Instance<K, C, A>> = []
      if (capacity === undefined) return evicted
      while (cached.size > capacity) {
        // the first slot is the least recently used; the one just installed is last
        const oldest = cached.values().next().value!
        const instance = uncache(oldest)
        cached.delete(oldest) // a no-op unless the invariant (every slot in `cached` has an instance) broke: never loop on it
        if (instance !== undefined) {
          // never handed out again from here on, like a replaced instance: the build that evicts it
          // wakes its waiters before it retires (disposes) what it evicted
          instance.retired = true
          counters.evictions++
          evicted.push(instance)
        }
      }
      return evicted
    }

    /**
     * Runs `make` for a build: a `make` that throws, or returns something other than an Effect, dies
     * like one whose Effect dies (it must never take the build's fiber down with it: its waiters
     * would wait forever). The build is added to the fiber's chain of builds in progress (see
     * `buildsInProgress`), which fibers forked by `make` inherit.
     */
    const makeInstance = (key: K, build: Build<K, C, A, E>, scope: Scope.CloseableScope): Effect.Effect<A, E> =>
      Effect.suspend(() => {
        const made: unknown = provider.make(build.context)
        return Effect.isEffect(made)
          ? made as Effect.Effect<A, E, R | Scope.Scope>
          : Effect.die(new TypeError(`make must return an Effect, got ${format(made)}`))
      }).pipe(
        Effect.provide(Context.add(runtimeContext, Scope.Scope, scope)),
        Effect.locallyWith(buildsInProgress, (chain) => [...chain, build]),
        Effect.catchAllCause((cause) => Effect.failCause(annotateDefects(cause, key)))
      )

    /**
     * The record of a built instance, with the values every hold of it reuses (so that a cached
     * get or use allocates none of them).
     */
    const newInstance = (slot: Slot<K, C, A, E>, context: C, value: A, scope: Scope.CloseableScope): Instance<K, C, A> => {
      const instance: Instance<K, C, A> = {
        key: slot.key,
        slot: slot as Slot<K, C, A, unknown>,
        context,
        instance: value,
        scope,
        createdAt: clock.unsafeCurrentTimeMillis(),
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
      // relies on the Scope being closed uninterruptibly (Effect.scoped, layers and acquireRelease
      // do): a close interrupted between finalizers skips the rest of them, this one included.
      const released = Effect.suspend(() => releaseNow(instance) ?? Effect.void)
      instance.release = () => released
      const handedOut = Effect.succeed(value)
      instance.handOut = () => handedOut
      instance.useExit = {
        onSuccess: (result) => {
          const next = releaseNow(instance)
          return next === undefined ? Exit.succeed(result) : Effect.as(next, result)
        },
        onFailure: (cause) => {
          const next = releaseNow(instance)
          return next === undefined ? Exit.failCause(cause) : Effect.zipRight(next, Exit.failCause(cause))
        }
      }
      return instance
    }

    /**
     * The build of one key, in a daemon fiber of the manager: a caller that gives up (is
     * interrupted while waiting) never cancels a build other callers share; only a close does.
     * That fiber is uninterruptible except for `make` itself, so the bookkeeping below always
     * completes and a build never leaves a half-entry.
     *
     * On success the new instance becomes the key's current one and the build's waiters are
     * released; then the instance it replaces and any evicted over capacity are retired. On failure
     * the key's previous instance stays cached and valid, the build's scope is closed with the
     * failure, and every waiter gets the same cause. A build that finishes after the manager
     * closed disposes its instance and fails with `ManagerClosed`.
     */
    const construct = (slot: Slot<K, C, A, E>, build: Build<K, C, A, E>): Effect.Effect<void> =>
      Effect.gen(function*() {
        const scope = yield* Scope.make()
        const exit = yield* Effect.exit(Effect.interruptible(makeInstance(slot.key, build, scope)))
        slot.building = undefined
        if (Exit.isFailure(exit)) {
          counters.failures++
          prune(slot)
          yield* Scope.close(scope, exit).pipe(Effect.catchAllCause((cause) =>
            Effect.logError(`Instances: closing the failed build for key ${format(slot.key)} failed`, cause)
          ))
          if (closed) return yield* Deferred.fail(build.deferred, new ManagerClosed())
          // only a close interrupts a build's fiber: interrupted otherwise, `make` interrupted itself
          return yield* Deferred.failCause(
            build.deferred,
            Cause.isInterruptedOnly(exit.cause)
              ? Cause.die(new InstanceMakeDefect({ key: slot.key, cause: "make was interrupted (not by a close of the manager)" }))
              : exit.cause
          )
        }
        const instance = newInstance(slot, build.context, exit.value, scope)
        live.add(instance)
        if (closed) {
          prune(slot)
          yield* retire(instance)
          return yield* Deferred.fail(build.deferred, new ManagerClosed())
        }
        const previous = slot.current
        slot.current = instance
        cached.delete(slot)
        cached.add(slot)
        if (previous !== undefined) {
          previous.retired = true
          counters.replacements++
        }
        const evicted = evictOverCapacity()
        // a hold for each waiter, before anything can retire it: see Build
        instance.holders += build.waiters
        build.result = instance
        yield* Deferred.succeed(build.deferred, instance)
        if (previous !== undefined) yield* retire(previous)
        for (const instance of evicted) yield* retire(instance)
        // an idle timer for an instance nobody takes (every waiter gave up)
        if (idleMillis !== undefined && instance.holders === 0) {
          const startTimer = idleFrom(instance, idleMillis)
          if (startTimer !== undefined) yield* startTimer
        }
      })

    const startBuild = (key: K, found: Slot<K, C, A, E> | undefined, context: C): Effect.Effect<Build<K, C, A, E>> => {
      let slot = found
      if (slot === undefined) {
        slot = { key, current: undefined, building: undefined }
        addSlot(slot)
      }
      // registered synchronously, before anything else can run: a concurrent get of this key joins it
      const build: Build<K, C, A, E> = { context, deferred: Deferred.unsafeMake(FiberId.none), waiters: 0, result: undefined }
      slot.building = build
      counters.builds++
      building++
      return Effect.as(Effect.tap(Effect.forkDaemon(Effect.onExit(construct(slot, build), settle(slot, build))), track), build)
    }

    /**
     * After a build's fiber: normally nothing (the build settled its waiters). Should its bookkeeping
     * ever die, the waiters get that cause rather than waiting forever, and the key is free to build
     * again.
     */
    const settle = (slot: Slot<K, C, A, E>, build: Build<K, C, A, E>) => (exit: Exit.Exit<void>): Effect.Effect<void> =>
      Exit.isSuccess(exit) ? Effect.sync(() => void building--) : Effect.sync(() => {
        building--
        if (slot.building === build) {
          slot.building = undefined
          counters.failures++
          prune(slot)
        }
        Deferred.unsafeDone(build.deferred, Exit.failCause(exit.cause))
      })

    type GetError = E | ManagerClosed
    type Restore = <X, Y, Z>(effect: Effect.Effect<X, Y, Z>) => Effect.Effect<X, Y, Z>

    /**
     * One pass of a get or use, run uninterruptibly (only the wait for a build is restored to the
     * caller's interruptibility); `take` holds the instance it is given, in the same synchronous
     * step. A hit takes the current instance; otherwise the pass joins the key's build or starts
     * one (see `wait`).
     */
    const attempt = <X, Y, Z>(
      key: K,
      context: C,
      restore: Restore,
      first: boolean,
      take: (instance: Instance<K, C, A>) => Effect.Effect<X, Y, Z>
    ): Effect.Effect<X, Y | GetError, Z> => {
      if (closed) return Effect.fail(new ManagerClosed())
      const slot = findSlot(key)
      const current = slot?.current
      if (current !== undefined && !provider.needsUpdate(context, current)) {
        // retired by `needsUpdate` itself (it invalidated the key): look again
        if (current.retired) return attempt(key, context, restore, first, take)
        if (first) counters.hits++
        hold(current)
        return take(current)
      }
      return wait(key, slot, context, restore, first, take)
    }

    /**
     * The miss of a pass: joins the key's build or starts one, and waits for it. Every get waiting
     * for a build that succeeds owns a hold of its instance (see Build), even if the instance was
     * replaced, evicted or invalidated before the get resumed (it is then disposed after that
     * get's use): the get that started the build takes it (made for its context, it is what it
     * asked for); a get that joined takes it if it needs no update for its own context, else
     * releases its hold and looks again. So each get starts at most one build, and a get that
     * started one always ends with that build's outcome: no churn of settings or capacity can make
     * builds evict each other's instances before their callers take them.
     */
    const wait = <X, Y, Z>(
      key: K,
      slot: Slot<K, C, A, E> | undefined,
      context: C,
      restore: Restore,
      first: boolean,
      take: (instance: Instance<K, C, A>) => Effect.Effect<X, Y, Z>
    ): Effect.Effect<X, Y | GetError, Z> => {
      if (first) counters.misses++
      const joined = slot?.building
      if (joined !== undefined) {
        if (waitsForItself(joined)) return Effect.die(new InstanceCycle({ key }))
        return awaitBuild(joined, restore, (instance) => {
          let stale: boolean
          try {
            stale = provider.needsUpdate(context, instance)
          } catch (defect) {
            return afterRelease(instance, Effect.die(defect))
          }
          return stale ? afterRelease(instance, attempt(key, context, restore, false, take)) : take(instance)
        })
      }
      return Effect.flatMap(startBuild(key, slot, context), (build) => awaitBuild(build, restore, take))
    }

    /**
     * Waits for a build as one of its waiters; `claim` gets the instance with this waiter's hold
     * taken. A waiter that leaves without the instance (interrupted, or the build failed) gives
     * its place back: its hold if the build already took one for it.
     */
    const awaitBuild = <X, Y, Z>(
      build: Build<K, C, A, E>,
      restore: Restore,
      claim: (instance: Instance<K, C, A>) => Effect.Effect<X, Y | GetError, Z>
    ): Effect.Effect<X, Y | GetError, Z> => {
      build.waiters++
      return Effect.matchCauseEffect(restore(Deferred.await(build.deferred)), {
        onFailure: (cause) => {
          if (build.result !== undefined) return afterRelease(build.result, Effect.failCause(cause))
          build.waiters--
          return Effect.failCause(cause)
        },
        // disposed already: only a close that timed out disposes a held instance
        onSuccess: (instance) => instance.disposed ? Effect.fail(new ManagerClosed()) : claim(instance)
      })
    }

    /** Releases one hold of the instance, then runs `next`. */
    const afterRelease = <X, Y, Z>(instance: Instance<K, C, A>, next: Effect.Effect<X, Y, Z>): Effect.Effect<X, Y, Z> => {
      const released = releaseNow(instance)
      return released === undefined ? next : Effect.zipRight(released, next)
    }

    /** The key of a context; a key function that throws gives a failed Effect (a key to run, like an effectful one). */
    const keyOf = (context: C): K | Effect.Effect<K, KE | InstanceKeyError> => {
      try {
        return provider.key(context)
      } catch (error) {
        return Effect.fail(new InstanceKeyError({ cause: error }))
      }
    }

    /**
     * The body of a get or a use, run in the synchronous step that opens their uninterruptible
     * region: a hit is handled right here (no Option, no Effect step beyond `take`'s own); anything
     * else goes through `attempt` / `wait`. `take` holds the instance it is given. A key that is
     * itself an Effect value (Option, Either, a Tag) is run: documented on Provider.key.
     */
    const acquire = <X, Y, Z>(
      context: C,
      restore: Restore,
      take: (instance: Instance<K, C, A>) => Effect.Effect<X, Y, Z>
    ): Effect.Effect<X, Y | E | KE | InstanceKeyError | ManagerClosed, Z> => {
      const key = keyOf(context)
      if (Effect.isEffect(key)) {
        return Effect.flatMap(
          restore(key as Effect.Effect<K, KE | InstanceKeyError>),
          (key) => attempt(key, context, restore, true, take)
        )
      }
      const slot = findSlot(key)
      const current = slot?.current
      if (current !== undefined && !provider.needsUpdate(context, current)) {
        // retired by `needsUpdate` itself (it invalidated the key): look again
        if (current.retired) return attempt(key, context, restore, true, take)
        counters.hits++
        hold(current)
        return take(current)
      }
      return wait(key, slot, context, restore, true, take)
    }

    const get = (context: C): Effect.Effect<A, E | KE | InstanceKeyError | ManagerClosed, Scope.Scope> =>
      Effect.uninterruptibleMask((restore): Effect.Effect<A, E | KE | InstanceKeyError | ManagerClosed> => {
        if (closed) return Effect.fail(new ManagerClosed())
        // The caller's Scope, read from its fiber's context in this step (a withFiberRuntime or an
        // Effect.scope would cost a step of its own). The body of uninterruptibleMask runs in the
        // caller's fiber, which the runtime has just made the current one: always Some.
        const fiber = Fiber.getCurrentFiber()
        if (Option.isNone(fiber)) return Effect.dieMessage("Instances: get ran outside a fiber")
        const scope = Context.unsafeGet(fiber.value.currentContext, Scope.Scope)
        return acquire(context, restore, (instance) => holdInScope(instance, scope))
      })

    const use = <B, E2, R2>(
      context: C,
      f: (instance: A) => Effect.Effect<B, E2, R2>
    ): Effect.Effect<B, E | E2 | KE | InstanceKeyError | ManagerClosed, R2> =>
      Effect.uninterruptibleMask((restore) =>
        closed ? Effect.fail(new ManagerClosed()) : acquire(context, restore, (instance) => holdDuring(instance, f, restore))
      )

    const close = Effect.gen(function*() {
      closed = true
      for (const slot of cached) {
        const instance = uncache(slot)
        if (instance !== undefined) instance.retired = true
      }
      primitiveSlots.clear()
      MutableHashMap.clear(otherSlots)
      // unheld instances are disposed concurrently; held ones by their last holder
      yield* Effect.forEach(Array.from(live), (instance) => (instance.retired && instance.holders === 0 ? dispose(instance) : Effect.void), {
        concurrency: "unbounded",
        discard: true
      })
      const waited = yield* Effect.gen(function*() {
        // builds in flight end with ManagerClosed (their instance, if any, disposed by the build)
        yield* Fiber.interruptAll(Array.from(fibers))
        if (live.size > 0) yield* Deferred.await(drained)
      }).pipe(Effect.interruptible, Effect.timeoutOption(closeTimeout))
      if (Option.isNone(waited)) {
        const remaining = Array.from(live).filter((instance) => !instance.disposed)
        counters.forcedDisposals += remaining.length
        yield* Effect.logWarning(
          `Instances: close timed out after ${Duration.format(closeTimeout)}; disposing ${remaining.length} instance(s) still in use: ` +
            remaining.map((instance) => `${format(instance.key)} (${instance.holders} holder(s))`).join(", ")
        )
        yield* Effect.forEach(remaining, dispose, { concurrency: "unbounded", discard: true })
      }
    })
    yield* Effect.addFinalizer(() => close)

    const manager: Instances.InstanceManager<C, K, A, E, KE> = Object.assign(Object.create(ManagerProto), {
      get,
      use,
      // uninterruptible: an instance taken out of the cache and not retired would never be disposed
      invalidate: (key: K) =>
        Effect.uninterruptible(Effect.suspend(() => {
          const slot = findSlot(key)
          const instance = slot === undefined ? undefined : uncache(slot)
          if (instance === undefined) return Effect.void
          counters.invalidations++
          return retire(instance)
        })),
      keys: Effect.sync(() => Array.from(cached, (slot) => slot.key)),
      entries: Effect.sync(() =>
        Array.from(cached, (slot): Instances.Entry<K, C> => {
          const instance = slot.current!
          return { key: slot.key, context: instance.context, createdAt: instance.createdAt, holders: instance.holders }
        })
      ),
      metrics: Effect.sync((): Instances.Metrics => {
        return { ...counters, cached: cached.size, live: live.size, building }
      })
    })
    return manager
  })

/** @internal */
export const tag = <C, K, A, E = never, KE = never>(
  key: string
): Context.Tag<Instances.InstanceManager<C, K, A, E, KE>, Instances.InstanceManager<C, K, A, E, KE>> =>
  Context.GenericTag<Instances.InstanceManager<C, K, A, E, KE>>(key)

/** @internal */
export const layer = <C, K, A, E, KE, R>(
  tag: Context.Tag<Instances.InstanceManager<C, K, A, E, KE>, Instances.InstanceManager<C, K, A, E, KE>>,
  provider: Instances.Provider<C, K, A, E, R, KE>
): Layer.Layer<Instances.InstanceManager<C, K, A, E, KE>, never, Exclude<R, Scope.Scope>> =>
  Layer.scoped(tag, make(provider) as Effect.Effect<Instances.InstanceManager<C, K, A, E, KE>, never, Scope.Scope | Exclude<R, Scope.Scope>>)

/**
 * The builds whose `make` a fiber runs in, innermost last (fibers forked by a `make` inherit it).
 * A get that would wait for one of these builds waits for itself: the build cannot finish before
 * that get does. Shared by every manager, so cycles through several managers are found too. Read
 * only when a get joins a build in flight, never on a hit.
 */
const buildsInProgress = FiberRef.unsafeMake<ReadonlyArray<unknown>>([])

/** Whether the running fiber is (directly or through forks) inside the `make` of this build. */
const waitsForItself = (build: unknown): boolean => {
  const fiber = Fiber.getCurrentFiber()
  return Option.isSome(fiber) && fiber.value.getFiberRef(buildsInProgress).includes(build)
}

const isPrimitive = (key: unknown): boolean => key === null || (typeof key !== "object" && typeof key !== "function")

const format = (key: unknown): string => {
  if (typeof key === "string") return JSON.stringify(key)
  if (typeof key === "number" || typeof key === "bigint" || typeof key === "boolean" || key === undefined || key === null) {
    return String(key)
  }
  try {
    return JSON.stringify(key) ?? String(key)
  } catch {
    return String(key)
  }
}

/**
 * Wraps every defect of a failed `make` in an {@link InstanceMakeDefect} naming the key, keeping the
 * rest of the cause (typed failures, interruptions, their structure) as it was.
 */
const annotateDefects = <E>(cause: Cause.Cause<E>, key: unknown): Cause.Cause<E> =>
  Cause.match(cause, {
    onEmpty: Cause.empty as Cause.Cause<E>,
    onFail: (error) => Cause.fail(error),
    onDie: (defect) => Cause.die(new InstanceMakeDefect({ key, cause: defect })),
    onInterrupt: (fiberId) => Cause.interrupt(fiberId),
    onSequential: (left, right) => Cause.sequential(left, right),
    onParallel: (left, right) => Cause.parallel(left, right)
  })

const describe = (cause: unknown): string =>
  cause instanceof Error ? cause.message : typeof cause === "string" ? cause : format(cause)

/** @internal */
export class InstanceKeyError extends Data.TaggedError("InstanceKeyError")<{ readonly cause: unknown }> {
  override get message() {
    return `the key function of the instance manager threw: ${describe(this.cause)}`
  }
}

/** @internal */
export class InstanceMakeDefect extends Data.TaggedError("InstanceMakeDefect")<{
  readonly key: unknown
  readonly cause: unknown
}> {
  override get message() {
    return `making the instance for key ${format(this.key)} died: ${describe(this.cause)}`
  }
}

/** @internal */
export class InstanceCycle extends Data.TaggedError("InstanceCycle")<{ readonly key: unknown }> {
  override get message() {
    return `the make of key ${format(this.key)} gets its own instance, directly or through other makes: it would wait for itself forever`
  }
}

/** @internal */
export class ManagerClosed extends Data.TaggedError("ManagerClosed")<{}> {
  override get message() {
    return "the instance manager is closed"
  }
}
