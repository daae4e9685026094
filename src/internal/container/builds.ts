/**
 * A close and what it is still building. Every build a container runs at run time (a lookup's, a
 * handle's, a reload's, a scope's instance: `container.ts`'s `buildIn`, and a factory call or a
 * reload as a whole) is counted while it runs, per node; a close first stops the container from
 * building anything more, then waits for those counts to reach zero (`drain`), and only then
 * releases: a constructor running when the close began finishes with its dependencies alive, and its
 * instance is released before them, as every other. Neither interrupted: a lookup runs in its
 * caller's fiber, whose interruption is not the container's to do.
 *
 * An open scope of a lifetime (`Lifetime.within`, a request's) counts the builds of its own instances
 * the same way, besides its container's (`tracked`'s `scope`): its close (`closeScope`) stops it from
 * building, waits for them, then releases; a fiber that outlived the scope (forked in it) no longer
 * releases a dependency under a constructor, nor builds in a closed scope.
 *
 * The cost is a count per container (and per open scope), incremented and decremented around a
 * build; a lookup of a built singleton never builds, and never counts.
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import * as Errors from "../../Errors.js"
import type * as Plan from "../../Plan.js"
import type { InstanceKind } from "../container.js"
import { releaseCause } from "../errors.js"
import * as planInternal from "../plan.js"
import * as runtime from "../runtime.js"

/** A count of builds in flight, and what a close waiting for them awaits. @internal */
export interface Flight {
  count: number
  /** completed when the last one ends: made by a close that waits for them (`drain`, `closeScope`) */
  settled: Deferred.Deferred<void> | undefined
}

/** The builds a container has in flight. @internal */
export class InFlight implements Flight {
  /** per node: its builds in flight */
  readonly byNode: Int32Array
  /** all nodes together */
  count = 0
  settled: Deferred.Deferred<void> | undefined = undefined
  /**
   * the builds in flight of its whole tree of containers, once it is part of one (see `container/lookup.ts`'s
   * realm), and whether the tree's graph build ended without building everything (`torn`: it is torn down)
   */
  tree: { count: number; readonly torn?: () => boolean } | undefined = undefined

  constructor(nodes: number) {
    this.byNode = new Int32Array(nodes)
  }
}

/** What a close reads of a container: its build's release (begun once `closing` is set), its path, its builds in flight. @internal */
export interface Closable {
  readonly build: { closing: Exit.Exit<unknown, unknown> | undefined }
  readonly plan: Plan.Any
  readonly path: ReadonlyArray<string>
  readonly inFlight: InFlight
}

/** What a close reads of an open scope of a lifetime (`container.ts`'s `ScopeInstance`): its name, whether its close began, its builds in flight. @internal */
export interface ClosableScope {
  readonly name: string
  closing: Exit.Exit<unknown, unknown> | undefined
  readonly inFlight: Flight
}

/** What a build (or a handle's operation) of a container whose close began fails with. @internal */
export const closedFor = (self: Closable, kind: InstanceKind): Errors.ContainerClosed =>
  new Errors.ContainerClosed({ container: self.path, operation: kind === "reload" ? "reload" : "get" })

/** What node `id`'s instance asked of an open scope whose close began fails with (built or not). @internal */
export const scopeClosedFor = (self: Closable, id: number, scope: ClosableScope): Errors.ScopeNotOpen =>
  new Errors.ScopeNotOpen({ component: self.plan.nodes[id]!.name, scope: scope.name, path: planInternal.pathTo(self.plan, id), closing: true })

/**
 * Runs `make` as a build in flight of node `id` (counted until it ends, however it ends), unless the
 * container's close began: then it fails with `ContainerClosed`. `scope`: the open scope that owns
 * the instance (a scoped component's, a transient's it owns), which counts it too; once its close
 * began, the build fails with `ScopeNotOpen` (`closing`).
 *
 * @internal
 */
export const tracked = <A>(
  self: Closable,
  id: number,
  kind: InstanceKind,
  make: () => Effect.Effect<A, Errors.HandleError>,
  scope?: ClosableScope
): Effect.Effect<A, Errors.HandleError> =>
  // uninterruptible from the count's increment to its decrement's registration: an interruption never
  // leaves a count that no end takes back (the close would wait for it for ever)
  Effect.uninterruptibleMask((restore) =>
    Effect.suspend(() => {
      if (self.build.closing !== undefined) return Effect.fail(closedFor(self, kind))
      if (scope !== undefined && scope.closing !== undefined) return Effect.fail(scopeClosedFor(self, id, scope))
      const flight = self.inFlight
      const tree = flight.tree
      flight.count++
      flight.byNode[id]++
      if (tree !== undefined) tree.count++
      if (scope !== undefined) scope.inFlight.count++
      // the count is taken back as the build's outcome is handled (uninterruptible: the mask's),
      // without `Effect.ensuring`'s own mask and finalizer effect
      return Effect.matchCauseEffect(restore(make()), {
        onFailure: (cause) => {
          ended(flight, id, scope, tree)
          return Effect.failCause(cause)
        },
        onSuccess: (value) => {
          ended(flight, id, scope, tree)
          return Effect.succeed(value)
        }
      })
    })
  )

const ended = (flight: InFlight, id: number, scope: ClosableScope | undefined, tree: { count: number } | undefined): void => {
  flight.byNode[id]--
  if (tree !== undefined) tree.count--
  settle(flight)
  if (scope !== undefined) settle(scope.inFlight)
}

/** One build of `flight` ended: the last one completes what a close awaits. */
const settle = (flight: Flight): void => {
  if (--flight.count === 0 && flight.settled !== undefined) {
    runtime.completeDeferred(flight.settled, Exit.void)
    flight.settled = undefined
  }
}

/** Until the builds of `flight` have ended (`undefined`: none in flight). */
const allEnded = (flight: Flight): Effect.Effect<void> | undefined =>
  flight.count === 0 ? undefined : Deferred.await(flight.settled ??= runtime.makeDeferred<void>())

/**
 * Begins the close of containers: nothing more is built by any of them, and their builds in flight
 * are waited for (a constructor running when the close began, and what it was built for: a lookup's
 * check, a reload's, a factory call's), so that the release that follows finds every instance built
 * with its dependencies alive. A build that never ends holds the close (under App, until the release
 * timeout, which reports `buildsInFlight`).
 *
 * @internal
 */
export const drain = (containers: ReadonlyArray<Closable>, exit: Exit.Exit<unknown, unknown>): Effect.Effect<void> =>
  Effect.suspend(() => {
    for (const self of containers) self.build.closing ??= exit
    const waits: Array<Effect.Effect<void>> = []
    for (const { inFlight } of containers) {
      const wait = allEnded(inFlight)
      if (wait !== undefined) waits.push(wait)
    }
    return waits.length === 0 ? Effect.void : Effect.all(waits, { discard: true })
  })

/**
 * Begins the close of an open scope of a lifetime: nothing more is built in it (nor given: see
 * `container.ts`'s `scoped`), and the builds of its instances in flight (in fibers that outlive it)
 * are waited for, before its release releases them in order. Its container's close waits for them
 * too: under App, within the release timeout, which reports them as `building`.
 *
 * @internal
 */
export const closeScope = (scope: ClosableScope, exit: Exit.Exit<unknown, unknown>): Effect.Effect<void> | undefined => {
  scope.closing ??= exit
  return allEnded(scope.inFlight)
}

/** The nodes of `containers` with a build in flight, each once per container. @internal */
export const buildsInFlight = <C extends Closable>(containers: ReadonlyArray<C>): Array<{ readonly container: C; readonly id: number }> => {
  const found: Array<{ readonly container: C; readonly id: number }> = []
  for (const container of containers) {
    const { byNode, count } = container.inFlight
    if (count === 0) continue
    for (let id = 0; id < byNode.length; id++) if (byNode[id]! > 0) found.push({ container, id })
  }
  return found
}

/**
 * Releases what a failed build of node `id` acquired: its scope, closed at once with the build's
 * failure. Gives the release's failure, for its caller to add to the build's, never replacing it
 * (`undefined`: none). When the build was interrupted its caller is gone (an interrupted fiber's
 * failures reach nobody: an opening given up on, a lookup under a timeout), so the failure is logged
 * instead, naming the node (`logReleaseFailure`), and nothing is given.
 *
 * @internal
 */
export const releaseFailed = (
  self: Closable,
  id: number,
  scope: Scope.CloseableScope,
  cause: Cause.Cause<unknown>
): Effect.Effect<Cause.Cause<never> | undefined> =>
  Effect.flatMap(Effect.exit(Scope.close(scope, Exit.failCause(cause))), (closed) =>
    Exit.isSuccess(closed)
      ? Effect.succeed(undefined)
      : Cause.isInterrupted(cause)
      ? Effect.as(logReleaseFailure(self, id, closed.cause), undefined)
      : Effect.succeed(closed.cause))

const releaseError = (self: Closable, id: number, cause: Cause.Cause<unknown>): Errors.ReleaseError =>
  new Errors.ReleaseError({ component: self.plan.nodes[id]!.name, path: planInternal.pathTo(self.plan, id), cause: releaseCause(cause) })

/**
 * A release failure no caller is left to fail with, logged at error level: the `ReleaseError`'s
 * message (in a child container, after its path), with what the release failed with as the log's
 * cause (the error object itself logs as a JSON dump whose cause reads `{}`).
 *
 * @internal
 */
export const logReleaseFailure = (self: Closable, id: number, cause: Cause.Cause<unknown>): Effect.Effect<void> =>
  Effect.logError(`${self.path.length === 0 ? "" : `in child container ${self.path.join("/")}, `}${releaseError(self, id, cause).message}`, cause)
