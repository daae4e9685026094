/**
 * Reloadable handles (`Dependency.reloadable`): a singleton's current instance, held by its users
 * (`use`, `get`); `reload` builds a new one as a build in flight of the container (`builds.tracked`),
 * and a replaced instance is released once nothing holds it.
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberRef from "effect/FiberRef"
import * as Scope from "effect/Scope"
import type * as Dependency from "../../Dependency.js"
import * as Errors from "../../Errors.js"
import type * as Plan from "../../Plan.js"
import { buildNow, type Container, openScopes, type ScopeInstance, singleton } from "../container.js"
import { releaseCause } from "../errors.js"
import * as executor from "../executor.js"
import * as planInternal from "../plan.js"
import * as builds from "./builds.js"

/** A reloadable singleton's instance: held by its users; a replaced one is released when none holds it. @internal */
export interface Held {
  readonly value: unknown
  readonly scope: Scope.CloseableScope | undefined
  holds: number
  replaced: boolean
  /** plain requests got it (a dependent, a lookup): it lives as long as the graph */
  pinned: boolean
  /** its release began (its scope's close: the container's, a shutdown's): `use` and `get` no longer give it */
  released: boolean
}

/**
 * A reloadable singleton: its current instance; reloads one at a time. `first` is the instance the
 * graph built (its scope is the component's node scope; App disposes it as the singleton's); every
 * later one is an instance of its own, with its initializers and its disposers on its scope.
 *
 * @internal
 */
export interface Cell {
  current: Held
  readonly first: Held
  readonly reloads: Effect.Semaphore
}

/**
 * Marks the instances a plain request got (a run-time lookup's): a reload does not release them,
 * since whoever got one may still use it.
 *
 * @internal
 */
export const pinCurrent = (self: Container, edge: Plan.Edge): void => {
  for (const target of edge.targets) pin(self, target)
}

/** Marks the current instance of a node a plain request got (see `pinCurrent`). @internal */
export const pin = (self: Container, id: number): void => {
  self.plainIncoming[id] = 1
  const cell = self.cells.get(id)
  if (cell !== undefined) cell.current.pinned = true
}

/**
 * A reloadable handle of a singleton (see `Dependency.ReloadableHandle`). Written here rather than
 * with Effect's `Reloadable` / `ScopedRef`: those release the previous value as soon as the new one
 * is set, while a reloaded component's previous instance must live until its last user is done
 * with it (a `use` in progress, a `get` whose Scope is open), and as long as the graph when plain
 * dependents captured it. All handles of one component share one current instance.
 *
 * @internal
 */
export const reloadableHandle = (
  self: Container,
  id: number,
  chain: ScopeInstance | undefined
): Effect.Effect<Dependency.ReloadableHandle<unknown>, Errors.HandleError> =>
  Effect.flatMap(Effect.all([singleton(self, id, chain), Effect.makeSemaphore(1)]), ([first, reloads]) => {
    let cell = self.cells.get(id)
    let marked: Effect.Effect<void> = Effect.void
    if (cell === undefined) {
      const index = self.build.owners.indexOf(id)
      const scope = index === -1 ? undefined : self.build.scopes[index]
      const held: Held = { value: first, scope, holds: 0, replaced: false, pinned: self.plainIncoming[id] === 1, released: false }
      cell = { current: held, first: held, reloads }
      self.cells.set(id, cell)
      marked = markReleased(held)
    }
    const it = cell
    // the current instance, held; once released (its container closed, or it was shut down), using the
    // handle is a programming error, as using a closed resource: a defect that says why, where its
    // type promised nothing (an interruption would pass for a cancellation and say nothing)
    const hold = (operation: "use" | "get") =>
      Effect.suspend(() => {
        const held = it.current
        if (held.released) return Effect.die(releasedError(self, id, operation))
        held.holds++
        return Effect.succeed(held)
      })
    const unhold = (held: Held) =>
      Effect.suspend(() => {
        held.holds--
        return releaseReplaced(self, id, held)
      })
    return Effect.as(marked, {
      use: (f) => Effect.acquireUseRelease(hold("use"), (held) => f(held.value), unhold),
      get: Effect.map(Effect.acquireRelease(hold("get"), unhold), (held) => held.value),
      // the whole reload is a build in flight: a close that begins meanwhile waits for its end
      reload: it.reloads.withPermits(1)(
        Effect.flatMap(FiberRef.get(openScopes), (reloader) =>
          builds.tracked(self, id, "reload", () =>
            Effect.flatMap(executor.openScope(self.build, id), (scope) =>
              Effect.matchCauseEffect(Effect.zipRight(Effect.sync(() => self.reloaded.add(scope)), buildNow(self, id, scope, reloader, "reload")), {
                // the build's failure is the reload's; a failing release of what the attempt acquired is added to it, never replaces it
                onFailure: (cause) =>
                  Effect.flatMap(Effect.exit(Scope.close(scope, Exit.failCause(cause))), (closed) =>
                    Effect.failCause(closed._tag === "Failure" ? Cause.sequential(cause, closed.cause) : cause)),
                onSuccess: (value) =>
                  Effect.suspend(() => {
                    // built while the container's close began: never current; the close releases it with
                    // the graph's other instances, in order (its scope is the graph's), after this ends
                    if (self.build.closing !== undefined) return Effect.fail(builds.closedFor(self, "reload"))
                    const previous = it.current
                    const current: Held = { value, scope, holds: 0, replaced: false, pinned: false, released: false }
                    it.current = current
                    self.build.values[id] = value
                    previous.replaced = true
                    return Effect.zipRight(markReleased(current), releaseReplaced(self, id, previous))
                  })
              }))))
      )
    } satisfies Dependency.ReloadableHandle<unknown>)
  })

/**
 * Marks a held instance released as its scope's close begins: added after its constructor's
 * finalizers (and App's disposers), it runs before them. An instance without a scope (built from a
 * value) is never released.
 */
const markReleased = (held: Held): Effect.Effect<void> =>
  held.scope === undefined ? Effect.void : Scope.addFinalizer(held.scope, Effect.sync(() => {
    held.released = true
  }))

/** What `use` or `get` of a reloadable handle whose current instance was released dies with. */
const releasedError = (self: Container, id: number, operation: "use" | "get"): Errors.ContainerClosed | Errors.ComponentShutDown =>
  self.build.closing !== undefined
    ? new Errors.ContainerClosed({ container: self.path, operation })
    : new Errors.ComponentShutDown({ container: self.path, component: self.plan.nodes[id]!.name, path: planInternal.pathTo(self.plan, id) })

/**
 * Releases a replaced instance once nothing holds it; a release failure is logged (no caller is left
 * to fail): the `ReleaseError`'s message, with what the release failed with as the log's cause (the
 * error object itself logs as a JSON dump whose cause reads `{}`).
 */
const releaseReplaced = (self: Container, id: number, held: Held): Effect.Effect<void> => {
  if (!held.replaced || held.holds > 0 || held.pinned || held.scope === undefined) return Effect.void
  const scope = held.scope
  // the graph's instance: its disposers are App's to run (a reloaded one has its own on its scope)
  const dispose = self.reloaded.has(scope) || self.onDispose === undefined ? Effect.void : self.onDispose(id, held.value)
  self.releasedEarly.add(scope)
  return Effect.flatMap(Effect.zipRight(dispose, Effect.exit(Scope.close(scope, Exit.void))), (exit) =>
    exit._tag === "Success"
      ? Effect.void
      : Effect.logError(
        new Errors.ReleaseError({ component: self.plan.nodes[id]!.name, path: planInternal.pathTo(self.plan, id), cause: releaseCause(exit.cause) })
          .message,
        exit.cause
      ))
}
