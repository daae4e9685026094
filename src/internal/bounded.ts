/**
 * A wait bounded by a timeout where nothing can be interrupted (a release, a shutdown).
 *
 * @internal
 */
import * as Deferred from "effect/Deferred"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as runtime from "./runtime.js"

/**
 * Runs `effect` on a fiber of its own and waits for it at most `timeout`: its exit, or, past the
 * timeout, what `timedOut` says then (it goes on). No interruption is involved (the wait is a Deferred
 * settled by it or by a timer, as the application's release waits), so the bound holds in the
 * uninterruptible shutdown. A timer that finds nothing waited for (`timedOut` gives `undefined`: the
 * effect is about to end) lets it end. The application's release (`app/stopping.ts`) and a shutdown
 * under App (`container/shutdown.ts`) wait so.
 *
 * @internal
 */
export const within = <A, E, T>(
  effect: Effect.Effect<A, E>,
  timeout: Duration.Duration,
  timedOut: () => T | undefined
): Effect.Effect<Either.Either<Exit.Exit<A, E>, T>> =>
  Effect.suspend(() => {
    const settled = runtime.makeDeferred<Either.Either<Exit.Exit<A, E>, T>>()
    const work = Effect.flatMap(Effect.exit(effect), (exit) => Deferred.succeed(settled, Either.right(exit)))
    // interruptible, though its caller may not be: once the work ended, its interruption ends the sleep
    // (else the timer would hold the process for the whole timeout)
    const timer = Effect.interruptible(Effect.zipRight(
      Effect.sleep(timeout),
      Effect.suspend(() => {
        const found = timedOut()
        return found === undefined ? Effect.void : Deferred.succeed(settled, Either.left(found))
      })
    ))
    return Effect.flatMap(Effect.zipRight(Effect.forkDaemon(work), Effect.forkDaemon(timer)), (timing) =>
      Effect.tap(Deferred.await(settled), () => Fiber.interruptFork(timing)))
  })
