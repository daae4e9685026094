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
import * as Cause from "effect/Cause"
import type * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as FiberId from "effect/FiberId"
import * as FiberRef from "effect/FiberRef"
import { globalValue } from "effect/GlobalValue"
import * as Option from "effect/Option"
import * as Queue from "effect/Queue"
import type * as Scope from "effect/Scope"

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
export const contextFromMap = (services: Map<string, unknown>): Context.Context<never> => Context.unsafeMake(services)

/** The services of a context as a map (read only: it is the context's own). @internal */
export const servicesOf = (context: Context.Context<never>): ReadonlyMap<string, unknown> => context.unsafeMap

/** A service the caller knows is in the context. @internal */
export const serviceOf = <I, S>(context: Context.Context<I>, tag: Context.Tag<I, S>): S => Context.unsafeGet(context, tag)

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
