/**
 * Reloadable handles (`Dependency.reloadable`): a singleton's current instance, held by its users
 * (`use`, `get`); `reload` builds a new one as a build in flight of the container (`builds.tracked`),
 * and a replaced instance is released once nothing holds it. The release of an instance by its
 * container (its close, a shutdown) first stops giving it out, then waits for the uses in flight on
 * it (`executor.releaseGates`), before anything of it is released (App's disposers included).
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberRef from "effect/FiberRef"
import * as Scope from "effect/Scope"
import type * as Dependency from "../../Dependency.js"
import * as Errors from "../../Errors.js"
import type * as Plan from "../../Plan.js"
import { buildNow, type Container, openScopes, type ScopeInstance, singleton } from "../container.js"
import * as executor from "../executor.js"
import * as planInternal from "../plan.js"
import * as runtime from "../runtime.js"
import * as builds from "./builds.js"

/** A reloadable singleton's instance: held by its users; a replaced one is released when none holds it. @internal */
export interface Held {
  readonly value: unknown
  readonly scope: Scope.CloseableScope | undefined
  /** its holders: the uses in flight, and the gets whose Scope is open */
  holds: number
  /** its uses in flight: what its release by the container waits for (see `gate`) */
  uses: number
  /** completed when its last use in flight ends, once its release waits for that */
  idle: Deferred.Deferred<void> | undefined
  replaced: boolean
  /** plain requests got it (a dependent, a lookup): it lives as long as the graph */
  pinned: boolean
  /** its release by the container began (its close, a shutdown): `use` and `get` no longer give it */
  released: boolean
  /** its release as a replaced instance (its last holder's, `releaseReplaced`) began: completed when it ended */
  early: Deferred.Deferred<void> | undefined
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
  /** how many of its instances' releases wait for uses in flight (App's release timeout reports them) */
  awaited: number
  /** how many of its instances' releases by the container wait for their release as a replaced instance in flight (reported the same) */
  releasing: number
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
    if (cell === undefined) {
      const index = self.build.owners.indexOf(id)
      const scope = index === -1 ? undefined : self.build.scopes[index]
      const held = heldOf(first, scope, self.plainIncoming[id] === 1)
      cell = { current: held, first: held, reloads, awaited: 0, releasing: 0 }
      self.cells.set(id, cell)
      gate(cell, held)
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
        if (operation === "use") held.uses++
        return Effect.succeed(held)
      })
    const unhold = (held: Held) =>
      Effect.suspend(() => {
        held.holds--
        return releaseReplaced(self, id, held)
      })
    const unuse = (held: Held) =>
      Effect.suspend(() => {
        // its release waits for this use (see `gate`): it goes on now
        if (--held.uses === 0 && held.idle !== undefined) runtime.completeDeferred(held.idle, Exit.void)
        return unhold(held)
      })
    return Effect.succeed({
      use: (f) => Effect.acquireUseRelease(hold("use"), (held) => f(held.value), unuse),
      get: Effect.map(Effect.acquireRelease(hold("get"), unhold), (held) => held.value),
      // the whole reload is a build in flight: a close that begins meanwhile waits for its end
      reload: it.reloads.withPermits(1)(
        Effect.flatMap(FiberRef.get(openScopes), (reloader) =>
          builds.tracked(self, id, "reload", () =>
            Effect.flatMap(executor.openScope(self.build, id), (scope) =>
              Effect.matchCauseEffect(Effect.zipRight(Effect.sync(() => self.reloaded.add(scope)), buildNow(self, id, scope, reloader, "reload")), {
                // the build's failure is the reload's; a failing release of what the attempt acquired is added to it, never replaces it
                onFailure: (cause) =>
                  Effect.flatMap(builds.releaseFailed(self, id, scope, cause), (failure) =>
                    Effect.failCause(failure === undefined ? cause : Cause.sequential(cause, failure))),
                onSuccess: (value) =>
                  Effect.suspend(() => {
                    // built while the container's close began: never current; the close releases it with
                    // the graph's other instances, in order (its scope is the graph's), after this ends
                    if (self.build.closing !== undefined) return Effect.fail(builds.closedFor(self, "reload"))
                    const previous = it.current
                    const current = heldOf(value, scope, false)
                    gate(it, current)
                    it.current = current
                    self.build.values[id] = value
                    previous.replaced = true
                    return releaseReplaced(self, id, previous)
                  })
              }))))
      )
    } satisfies Dependency.ReloadableHandle<unknown>)
  })

const heldOf = (value: unknown, scope: Scope.CloseableScope | undefined, pinned: boolean): Held => ({
  value,
  scope,
  holds: 0,
  uses: 0,
  idle: undefined,
  replaced: false,
  pinned,
  released: false,
  early: undefined
})

/**
 * What the release of a held instance by its container (its close, a shutdown: `executor.releaseOwner`)
 * waits for first, before App's disposers and its finalizers: it is marked released (a `use` or `get`
 * begun from then on dies, see `releasedError`), then the uses in flight on it end. It is released
 * after its dependents, so a dependent's finalizer still uses it. A `get` is not waited for: its
 * Scope is its caller's, which may outlive the container (one closed only after it would hold the
 * close for ever); what it got is released in order with the rest, and using it after is the
 * caller's error, as using any resource past its release. Under App, a use that does not end holds
 * the release until the release timeout, which reports it (`ReleaseTimeout`, `using`). An instance
 * without a scope (built from a value) is never released. A replaced instance whose release (its last
 * holder's) is in flight is waited for: the container's close of its scope would return at once, and
 * release its dependencies under its finalizers.
 */
const gate = (cell: Cell, held: Held): void => {
  if (held.scope === undefined) return
  executor.releaseGates.set(
    held.scope,
    Effect.suspend(() => {
      held.released = true
      if (held.early !== undefined) {
        cell.releasing++
        return Effect.ensuring(
          Deferred.await(held.early),
          Effect.sync(() => {
            cell.releasing--
          })
        )
      }
      if (held.uses === 0) return Effect.void
      cell.awaited++
      return Effect.ensuring(
        Deferred.await(held.idle ??= runtime.makeDeferred<void>()),
        Effect.sync(() => {
          cell.awaited--
        })
      )
    })
  )
}

/** The reloadable singletons of `containers` whose release waits for a use in flight (see `gate`), each once per container. @internal */
export const usesAwaited = <C extends Container>(containers: ReadonlyArray<C>): Array<{ readonly container: C; readonly id: number }> => {
  const found: Array<{ readonly container: C; readonly id: number }> = []
  for (const container of containers) {
    for (const [id, cell] of container.cells) if (cell.awaited > 0) found.push({ container, id })
  }
  return found
}

/** The reloadable singletons of `containers` whose release by the container waits for the release of a replaced instance in flight (see `gate`). @internal */
export const releasesAwaited = <C extends Container>(containers: ReadonlyArray<C>): Array<{ readonly container: C; readonly id: number }> => {
  const found: Array<{ readonly container: C; readonly id: number }> = []
  for (const container of containers) {
    for (const [id, cell] of container.cells) if (cell.releasing > 0) found.push({ container, id })
  }
  return found
}

/** What `use` or `get` of a reloadable handle whose current instance was released dies with. */
const releasedError = (self: Container, id: number, operation: "use" | "get"): Errors.ContainerClosed | Errors.ComponentShutDown =>
  self.build.closing !== undefined
    ? new Errors.ContainerClosed({ container: self.path, operation })
    : new Errors.ComponentShutDown({ container: self.path, component: self.plan.nodes[id]!.name, path: planInternal.pathTo(self.plan, id) })

/** Releases a replaced instance once nothing holds it; a release failure is logged (no caller is left to fail: `builds.logReleaseFailure`). */
const releaseReplaced = (self: Container, id: number, held: Held): Effect.Effect<void> => {
  // released: its container's release has it (it waited for its uses), in order
  if (!held.replaced || held.holds > 0 || held.pinned || held.released || held.scope === undefined) return Effect.void
  const scope = held.scope
  // the graph's instance: its disposers are App's to run (a reloaded one has its own on its scope)
  const dispose = self.reloaded.has(scope) || self.onDispose === undefined ? Effect.void : self.onDispose(id, held.value)
  self.releasedEarly.add(scope)
  // the container's release of its scope waits for this one's end (see `gate`); a release is not interrupted
  const early = held.early = runtime.makeDeferred<void>()
  return Effect.uninterruptible(Effect.ensuring(
    Effect.flatMap(Effect.zipRight(dispose, Effect.exit(Scope.close(scope, Exit.void))), (exit) =>
      exit._tag === "Success" ? Effect.void : builds.logReleaseFailure(self, id, exit.cause)),
    Effect.sync(() => runtime.completeDeferred(early, Exit.void))
  ))
}
