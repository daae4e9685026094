import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as MutableHashMap from "effect/MutableHashMap"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import type * as Instances from "../Instances.js"

interface Instance<C, A> {
  readonly value: A
  readonly context: C
  readonly scope: Scope.CloseableScope
  readonly createdAt: number
  holders: number
  /** no longer handed out: replaced, invalidated, evicted or the manager closed */
  retired: boolean
  disposed: boolean
}

interface Slot<C, A, E> {
  current: Instance<C, A> | undefined
  building: Deferred.Deferred<Instance<C, A>, E> | undefined
  lastUsed: number
  /** bumped on every use: an idle timer only evicts if no use happened since it started */
  generation: number
}

/** @internal */
export const make = <C, K, A, E, R>(
  provider: Instances.Provider<C, K, A, E, R>
): Effect.Effect<Instances.InstanceManager<C, K, A, E>, never, Scope.Scope | R> =>
  Effect.gen(function*() {
    const managerScope = yield* Effect.scope
    const runtimeContext = yield* Effect.context<R>()
    const idle = provider.idleTimeToLive === undefined ? undefined : Duration.decode(provider.idleTimeToLive)
    const closeTimeout = Duration.decode(provider.closeTimeout ?? Duration.seconds(30))
    const capacity = provider.capacity
    if (capacity !== undefined && (!Number.isInteger(capacity) || capacity < 1)) {
      return yield* Effect.dieMessage(`Instances.make: capacity must be a positive integer, got ${capacity}`)
    }
    const slots = MutableHashMap.empty<K, Slot<C, A, E>>()
    const counters = { hits: 0, misses: 0, builds: 0, replacements: 0, disposals: 0, failures: 0, evictions: 0 }
    let live = 0
    let clock = 0
    let closed = false
    let drained: Deferred.Deferred<void> | undefined

    const dispose = (instance: Instance<C, A>): Effect.Effect<void> =>
      Effect.suspend(() => {
        if (instance.disposed) return Effect.void
        instance.disposed = true
        counters.disposals++
        live--
        if (live === 0 && drained !== undefined) Deferred.unsafeDone(drained, Exit.void)
        return Scope.close(instance.scope, Exit.void)
      })

    /** Retires an instance: disposed now if nobody holds it, otherwise when its last holder is done. */
    const retire = (instance: Instance<C, A>): Effect.Effect<void> =>
      Effect.suspend(() => {
        instance.retired = true
        return instance.holders === 0 ? dispose(instance) : Effect.void
      })

    const evictLeastRecentlyUsed = Effect.suspend(() => {
      if (capacity === undefined) return Effect.void
      const evicted: Array<Instance<C, A>> = []
      while (countCached() > capacity) {
        let oldest: [K, Slot<C, A, E>] | undefined
        for (const entry of slots) {
          if (entry[1].current !== undefined && (oldest === undefined || entry[1].lastUsed < oldest[1].lastUsed)) oldest = entry
        }
        if (oldest === undefined) break
        evicted.push(oldest[1].current!)
        oldest[1].current = undefined
        if (oldest[1].building === undefined) MutableHashMap.remove(slots, oldest[0])
        counters.evictions++
      }
      return Effect.forEach(evicted, retire, { discard: true })
    })

    const countCached = () => {
      let count = 0
      for (const [, slot] of slots) if (slot.current !== undefined) count++
      return count
    }

    const scheduleIdle = (key: K, slot: Slot<C, A, E>, instance: Instance<C, A>) => {
      if (idle === undefined) return Effect.void
      const generation = slot.generation
      // Forked from a release (uninterruptible, and forks inherit that): the timer must be made
      // interruptible, or closing the manager would wait for it to expire.
      return Effect.forkIn(
        Effect.interruptible(Effect.sleep(idle)).pipe(
          Effect.zipRight(Effect.suspend(() => {
            if (slot.current !== instance || slot.generation !== generation || instance.holders > 0) return Effect.void
            slot.current = undefined
            if (slot.building === undefined) MutableHashMap.remove(slots, key)
            counters.evictions++
            return retire(instance)
          }))
        ),
        managerScope
      ).pipe(Effect.asVoid)
    }

    const hold = (key: K, slot: Slot<C, A, E>, instance: Instance<C, A>): Effect.Effect<A, never, Scope.Scope> =>
      Effect.acquireRelease(
        Effect.sync(() => {
          instance.holders++
          slot.lastUsed = ++clock
          slot.generation++
          return instance.value
        }),
        () =>
          Effect.suspend(() => {
            instance.holders--
            if (instance.holders > 0) return Effect.void
            if (instance.retired) return dispose(instance)
            return slot.current === instance ? scheduleIdle(key, slot, instance) : Effect.void
          })
      )

    /**
     * Builds an instance for a slot in a fiber of the manager, so that a caller interrupted while
     * waiting never cancels a build other callers share. On success the new instance is swapped in
     * and the one it replaces retired; on failure the previous instance stays cached and valid.
     */
    const build = (key: K, slot: Slot<C, A, E>, context: C): Effect.Effect<Deferred.Deferred<Instance<C, A>, E>> =>
      Effect.gen(function*() {
        const deferred = yield* Deferred.make<Instance<C, A>, E>()
        slot.building = deferred
        counters.builds++
        const construct = Effect.gen(function*() {
          const scope = yield* Scope.make()
          // the instance's own Scope must be the innermost one provided: its finalizers are its disposal
          const exit = yield* Effect.exit(
            Effect.provide(Scope.extend(provider.make(context), scope), runtimeContext)
          )
          slot.building = undefined
          if (Exit.isFailure(exit)) {
            counters.failures++
            yield* Scope.close(scope, exit)
            if (slot.current === undefined && MutableHashMap.get(slots, key).pipe(Option.contains(slot))) {
              MutableHashMap.remove(slots, key)
            }
            return yield* Deferred.failCause(deferred, exit.cause)
          }
          const instance: Instance<C, A> = {
            value: exit.value,
            context,
            scope,
            createdAt: Date.now(),
            holders: 0,
            retired: false,
            disposed: false
          }
          live++
          const previous = slot.current
          if (closed) {
            // built while the manager closed: hand it to nobody
            instance.retired = true
            yield* dispose(instance)
            return yield* Deferred.failCause(deferred, Cause.die(new ManagerClosedDefect()))
          }
          slot.current = instance
          // the newest instance is the most recently used: capacity eviction never picks it
          slot.lastUsed = ++clock
          if (previous !== undefined) {
            counters.replacements++
            yield* retire(previous)
          }
          yield* evictLeastRecentlyUsed
          return yield* Deferred.succeed(deferred, instance)
        })
        yield* Effect.forkIn(Effect.uninterruptible(construct), managerScope)
        return deferred
      })

    const get = (context: C): Effect.Effect<A, E | Instances.InstanceKeyError | Instances.ManagerClosed, Scope.Scope> =>
      Effect.suspend((): Effect.Effect<A, E | Instances.InstanceKeyError | Instances.ManagerClosed, Scope.Scope> => {
        if (closed) return Effect.fail(new ManagerClosed())
        let key: K
        try {
          key = provider.key(context)
        } catch (error) {
          return Effect.fail(new InstanceKeyError({ cause: error }))
        }
        let slot = Option.getOrUndefined(MutableHashMap.get(slots, key))
        if (slot === undefined) {
          slot = { current: undefined, building: undefined, lastUsed: 0, generation: 0 }
          MutableHashMap.set(slots, key, slot)
        }
        const current = slot.current
        if (current !== undefined && !provider.needsUpdate(context, { context: current.context, instance: current.value })) {
          counters.hits++
          return hold(key, slot, current)
        }
        counters.misses++
        const owner = slot
        const pending = owner.building !== undefined ? Effect.succeed(owner.building) : build(key, owner, context)
        return Effect.flatMap(pending, (deferred) =>
          Effect.flatMap(Deferred.await(deferred), (instance) =>
            // a replacement may have retired it between the build and this caller's turn: take the newest
            instance.retired && owner.current !== undefined ? hold(key, owner, owner.current) : hold(key, owner, instance)))
      })

    yield* Effect.addFinalizer(() =>
      Effect.gen(function*() {
        closed = true
        const all: Array<Instance<C, A>> = []
        for (const [, slot] of slots) if (slot.current !== undefined) all.push(slot.current)
        MutableHashMap.clear(slots)
        yield* Effect.forEach(all, retire, { discard: true })
        if (live > 0) {
          drained = yield* Deferred.make<void>()
          // finalizers run uninterruptibly: the wait must be interruptible for the timeout to end it
          const waited = yield* Deferred.await(drained).pipe(Effect.interruptible, Effect.timeoutOption(closeTimeout))
          if (Option.isNone(waited)) {
            // holders did not finish in time: dispose anyway (their uses may now fail)
            yield* Effect.forEach(all, dispose, { discard: true })
          }
        }
      })
    )

    const manager: Instances.InstanceManager<C, K, A, E> = {
      get,
      use: (context, f) => Effect.scoped(Effect.flatMap(get(context), f)),
      invalidate: (key) =>
        Effect.suspend(() => {
          const slot = Option.getOrUndefined(MutableHashMap.get(slots, key))
          if (slot === undefined || slot.current === undefined) return Effect.void
          const instance = slot.current
          slot.current = undefined
          if (slot.building === undefined) MutableHashMap.remove(slots, key)
          return retire(instance)
        }),
      entries: Effect.sync(() => {
        const listed: Array<Instances.Entry<K, C>> = []
        for (const [key, slot] of slots) {
          if (slot.current !== undefined) {
            listed.push({ key, context: slot.current.context, createdAt: slot.current.createdAt, holders: slot.current.holders })
          }
        }
        return listed
      }),
      metrics: Effect.sync(() => ({ ...counters, cached: countCached(), live }))
    }
    return manager
  })


/** @internal */
export class InstanceKeyError extends Data.TaggedError("InstanceKeyError")<{ readonly cause: unknown }> {
  override get message() {
    return `the key function of the instance manager failed: ${this.cause instanceof Error ? this.cause.message : String(this.cause)}`
  }
}

/** @internal */
export class ManagerClosed extends Data.TaggedError("ManagerClosed")<{}> {
  override get message() {
    return "the instance manager is closed"
  }
}

class ManagerClosedDefect extends Error {
  override readonly message = "the instance manager closed while this instance was being built"
}

/** @internal */
export const tag = <T>(key: string): Context.Tag<T, T> => Context.GenericTag<T>(key)
