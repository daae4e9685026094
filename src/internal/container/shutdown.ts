/**
 * Shutting down one component of a running container (`Container.shutDown`).
 *
 * A component is shut down in the container that holds its instance: the root container holds the
 * application's components and what its lookups built; a child holds what it built itself (its own
 * components, and transients). Shutting it down:
 * 1. marks it, and every component that depends on it (through any request, handles included), as
 *    shut down, in its container and in the container's descendants (a child's component that needs
 *    it, unless the child's own component of that name shadows it): from then on, a lookup that needs
 *    any of them fails with `ComponentShutDown`, and so does shutting one of them down again;
 * 2. under App, stops those of the application's components that started (background work, then
 *    stop hooks), dependents first;
 * 3. waits for those of them being built (by a lookup in flight: it fails with
 *    `ComponentShutDown`), then releases their instances (disposers, then finalizers), dependents
 *    first: the descendants' first, then what the container's lookups built, last made first, then
 *    the application's.
 *
 * A shut-down component is never built again in that container: its dependents captured the
 * instance startup checked them with, and a component of the root container built at startup has
 * one instance for the container's life. A child with the component as one of its own builds a new
 * one. The instances of scoped components in open scopes stay until their scope closes, and
 * transient instances that a requester holds go with it. Shutdowns of one tree of containers run
 * one at a time; lookups go on meanwhile. Under App, step 3 is bounded by the release timeout (see
 * `shutDown`).
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import type * as Scope from "effect/Scope"
import type * as PublicContainer from "../../Container.js"
import type * as Dependency from "../../Dependency.js"
import * as Errors from "../../Errors.js"
import type * as Plan from "../../Plan.js"
import * as bounded from "../bounded.js"
import * as explainInternal from "../explain.js"
import type * as container from "../container.js"
import { releaseCause } from "../errors.js"
import * as dependency from "../dependency.js"
import * as executor from "../executor.js"
import * as planInternal from "../plan.js"
import * as resolver from "../resolver.js"
import { suggestComponents } from "../resolver/problems.js"
import * as runtime from "../runtime.js"
import { delegatedNodes, eachHeld, inheritedNames, isGone, originOf, planEdges, type Realm, realmOf } from "./lookup.js"

/** The nodes of one container a shutdown releases: `hit[id]` for each. */
interface Release {
  readonly realm: Realm
  readonly container: container.Container
  readonly hit: Uint8Array
  /** the nodes it holds newly shut down, dependencies first */
  readonly ids: Array<number>
}

/**
 * Where a shutdown's release stands, for what a timeout says: the node it waits for (a build in
 * flight, or its release: `gate`, waiting for the uses of a reloadable's instance or the release of
 * a replaced one, then `releasing`), or the earlier shutdown it waits for; `detached` once its caller
 * stopped waiting for it (it goes on, and completes its turn in the tree itself).
 */
interface Progress {
  at: { readonly container: container.Container; readonly id: number; stage: "building" | "gate" | "releasing" } | undefined
  waitsFor: Progress | undefined
  detached: boolean
  /** completed once its caller has its answer: a later shutdown's bound runs from then on */
  readonly answered: Deferred.Deferred<void>
}

/** Each shutdown's progress, by its turn in the tree (`Tree.lastShutDown`). */
const progressOf = new WeakMap<Deferred.Deferred<void>, Progress>()

/**
 * Shuts down a component of the container behind `service` (by name, or the component a request
 * resolves to; every one of an `all` request's), and everything depending on it. Returns what was
 * shut down, dependents first (a descendant's as `child/Name`).
 *
 * Under App (`onShutDown`), its waits and releases are bounded by the application's release timeout,
 * as the application's release is (its stop hooks and disposers by their stop timeout already): once
 * past it, it fails with a `ReleaseTimeout` naming what it waits for, and the release goes on, each
 * instance still released after its dependents; its turn in the tree ends when that release does. A
 * shutdown that waits for an earlier one does so without a bound until that one's caller has its
 * answer, then at most the release timeout, failing with what that one waits for (it shut nothing down).
 * Outside App there is no timeout to use: it waits as long as its releases take.
 *
 * @internal
 */
export const shutDown = (
  service: PublicContainer.Container,
  target: string | Dependency.Any
): Effect.Effect<ReadonlyArray<string>, Errors.ShutDownError> =>
  Effect.uninterruptible(Effect.suspend(() => {
    const realm = realmOf(service)
    const previous = realm.tree.lastShutDown
    const mine = runtime.makeDeferred<void>()
    realm.tree.lastShutDown = mine
    const progress: Progress = { at: undefined, waitsFor: undefined, detached: false, answered: runtime.makeDeferred<void>() }
    progressOf.set(mine, progress)
    const finished = Deferred.succeed(mine, undefined)
    const run = Effect.suspend(() => shutDownNow(realm, target, progress, finished))
    const timeout = realm.root.onShutDown?.timeout
    const before = previous === undefined ? undefined : progressOf.get(previous)
    const wait = previous === undefined
      ? Effect.void
      : timeout === undefined || before === undefined
      ? Deferred.await(previous)
      : Effect.zipRight(
        Deferred.await(before.answered),
        Effect.flatMap(bounded.within(Deferred.await(previous), timeout, () => timedOut(before, timeout)), (ended) => {
          if (Either.isRight(ended)) return Effect.void
          progress.detached = true
          // its turn comes once the earlier shutdown's ends: the tree's later ones and closes wait for that
          // (it did nothing meanwhile: whether it is detached matters only as its caller's answer ends)
          return Effect.zipRight(Effect.forkDaemon(Effect.zipRight(Deferred.await(previous), finished)), Effect.failCause(ended.left.cause))
        })
      )
    progress.waitsFor = before
    return Effect.ensuring(
      Effect.zipRight(Effect.tap(wait, () => Effect.sync(() => void (progress.waitsFor = undefined))), run),
      Effect.zipRight(Deferred.succeed(progress.answered, undefined), Effect.suspend(() => progress.detached ? Effect.void : finished))
    )
  }))

const shutDownNow = (
  realm: Realm,
  target: string | Dependency.Any,
  progress: Progress,
  finished: Effect.Effect<unknown>
): Effect.Effect<ReadonlyArray<string>, Errors.ShutDownError> => {
  if (realm.state !== "open") return Effect.fail(new Errors.ContainerClosed({ container: realm.path, operation: "shutDown" }))
  const targets = targetsOf(realm, target)
  if (Either.isLeft(targets)) return Effect.fail(targets.left)
  const releases = mark(realm, targets.right)
  const root = realm.root
  const app = root.onShutDown
  const rootIds = releases.find((release) => release.container === root)?.ids ?? []
  // what the application's components' stop hooks and disposers failed with: told with their finalizers' failures
  const failed: container.HookFailures = new Map()
  // the nodes of the root the timeout gave up on: their late end is not recorded over the timeout
  const givenUp = new Set<number>()
  const releaseAll = Effect.gen(function*() {
    // singletons being built (by lookups in flight) are released once built: their dependencies outlive them
    for (const release of releases) {
      for (const [id, building] of release.container.lazy) {
        if (release.hit[id] !== 1) continue
        // a lazy handle's first use that runs or awaits the build does not get what is released now
        if (release.container.lazyBuilt[id] === 0) release.container.released[id] = 1
        progress.at = { container: release.container, id, stage: "building" }
        yield* Effect.exit(Deferred.await(building))
      }
    }
    let failures: Cause.Cause<Errors.ReleaseError> | undefined
    for (let index = releases.length - 1; index >= 0; index--) {
      const release = releases[index]!
      const mine = release.container === root && app !== undefined
      const released = yield* releaseNodes(release, progress, mine ? app.release(failed, givenUp) : undefined)
      const failure = mine ? withHookFailures(release, failed, released) : released
      if (failure !== undefined) failures = failures === undefined ? typed(failure) : Cause.sequential(failures, typed(failure))
    }
    progress.at = undefined
    if (app !== undefined && rootIds.length > 0) app.released(rootIds)
    // given up on past the timeout: no caller is left to fail with what it failed with, so it is logged
    if (progress.detached && failures !== undefined) {
      // as `builds.logReleaseFailure` logs one: the error's message, with what the release failed with as the cause
      for (const error of Cause.failures(failures)) yield* Effect.logError(error.message, Cause.isCause(error.cause) ? error.cause : Cause.die(error.cause))
      for (const defect of Cause.defects(failures)) yield* Effect.logError("a shutdown given up on at the release timeout failed", Cause.die(defect))
    }
    return failures
  }).pipe(Effect.ensuring(finished))
  return Effect.gen(function*() {
    if (app !== undefined && rootIds.length > 0) yield* app.stop(rootIds, failed)
    let failures: Cause.Cause<Errors.ShutDownError> | undefined
    if (app === undefined) {
      failures = yield* releaseAll
    } else {
      // given up on as the timer fires, in the same step: a release that ends meanwhile is not recorded, nor logged, as kept
      const ended = yield* bounded.within(releaseAll, app.timeout, () => {
        const found = timedOut(progress, app.timeout)
        if (found === undefined) return undefined
        progress.detached = true
        // an application's component it gave up on is recorded so (the others as their release goes)
        if (found.id !== undefined) {
          givenUp.add(found.id)
          app.timedOut(found.id, found.error)
        }
        return found
      })
      if (Either.isLeft(ended)) return yield* Effect.failCause(ended.left.cause)
      failures = yield* ended.right
    }
    if (failures !== undefined) return yield* Effect.failCause(failures)
    const names: Array<string> = []
    for (let index = releases.length - 1; index >= 0; index--) {
      const release = releases[index]!
      const prefix = release.realm.path.slice(realm.path.length)
      for (let at = release.ids.length - 1; at >= 0; at--) {
        const name = [...prefix, release.container.plan.nodes[release.ids[at]!]!.name].join("/")
        if (!names.includes(name)) names.push(name)
      }
    }
    return names
  })
}

/**
 * What a shutdown that did not end within `timeout` fails with: a `ReleaseTimeout` naming what it
 * waits for now (what an earlier shutdown waits for, when it waits for that one), and that node's id
 * when the root container holds it (an application's component); `undefined` when it waits for nothing.
 */
const timedOut = (
  progress: Progress,
  timeout: Duration.Duration
): { readonly cause: Cause.Cause<Errors.ReleaseTimeout>; readonly error: Errors.ReleaseTimeout; readonly id: number | undefined } | undefined => {
  let at: Progress = progress
  while (at.waitsFor !== undefined) at = at.waitsFor
  const where = at.at
  if (where === undefined) return undefined
  const { container: holder, id, stage } = where
  const using = stage === "gate" && (holder.cells.get(id)?.awaited ?? 0) > 0
  const error = new Errors.ReleaseTimeout({
    component: holder.plan.nodes[id]!.name,
    path: planInternal.pathTo(holder.plan, id),
    timeout: Duration.format(timeout),
    ...(stage === "building" ? { building: true } : using ? { using: true } : {}),
    shutDown: true
  })
  // the root container is the one App watches (`onShutDown`): its node is an application's component
  return { cause: Cause.fail(error), error, id: at === progress && holder.onShutDown !== undefined ? id : undefined }
}

/**
 * The release failures of the application's components with what their stop hooks and disposers
 * failed with: one `ReleaseError` per component, dependents first, whose cause is every failure of
 * its stop, disposers and finalizers, as a child's own instance's is.
 */
const withHookFailures = (
  release: Release,
  failed: container.HookFailures,
  released: Cause.Cause<never> | undefined
): Cause.Cause<never> | undefined => {
  if (failed.size === 0) return released
  const plan = release.container.plan
  const byName = new Map<string, Errors.ReleaseError>()
  let others: Cause.Cause<never> = Cause.empty
  for (const defect of released === undefined ? [] : Cause.defects(released)) {
    if (defect instanceof Errors.ReleaseError) byName.set(defect.component, defect)
    else others = Cause.sequential(others, Cause.die(defect))
  }
  let all: Cause.Cause<never> = Cause.empty
  for (let index = release.ids.length - 1; index >= 0; index--) {
    const id = release.ids[index]!
    const node = plan.nodes[id]!
    const hookFailures = failed.get(id) ?? []
    const finalizers = byName.get(node.name)
    if (hookFailures.length === 0 && finalizers === undefined) continue
    let cause: Cause.Cause<unknown> = Cause.empty
    for (const failure of hookFailures) cause = Cause.sequential(cause, Cause.fail(failure))
    if (finalizers !== undefined) {
      cause = Cause.sequential(cause, Cause.isCause(finalizers.cause) ? finalizers.cause : Cause.fail(finalizers.cause))
    }
    const error = hookFailures.length === 0
      ? finalizers!
      : new Errors.ReleaseError({ component: node.name, path: planInternal.pathTo(plan, id), cause: releaseCause(cause) })
    all = Cause.sequential(all, Cause.die(error))
  }
  const combined = Cause.sequential(all, others)
  return Cause.isEmpty(combined) ? undefined : combined
}

/** The release failures (`ReleaseError` defects, in release order) as the typed failures of `shutDown`, in the same order. */
const typed = (failures: Cause.Cause<never>): Cause.Cause<Errors.ReleaseError> => {
  let cause: Cause.Cause<Errors.ReleaseError> = Cause.empty
  for (const defect of Cause.defects(failures)) {
    const next = defect instanceof Errors.ReleaseError ? Cause.fail(defect) : Cause.die(defect)
    cause = cause === Cause.empty ? next : Cause.sequential(cause, next)
  }
  return cause
}

/** The names of the components the target designates in the realm: each one it holds, not shut down. */
const targetsOf = (realm: Realm, target: string | Dependency.Any): Either.Either<ReadonlyArray<string>, Errors.ShutDownError> => {
  const held = heldBy(realm)
  // a child's own component is named apart from its parent's (`Name (override)`): it answers to either
  const names = typeof target === "string"
    ? [!held.has(target) && held.has(`${target} (override)`) ? `${target} (override)` : target]
    : namesOfRequest(realm, target)
  if (names === undefined || names.length === 0) {
    const label = typeof target === "string" ? target : dependency.describe(dependency.requestOf(target)).label
    return Either.left(unknownIn(realm, target, label, held))
  }
  for (const name of names) {
    const node = held.get(name)
    if (node !== undefined ? isGone(realm, node) : realm.shut.has(name)) {
      return Either.left(new Errors.ComponentShutDown({ container: realm.path, component: name, path: [] }))
    }
    if (node === undefined) return Either.left(unknownIn(realm, target, name, held))
  }
  return Either.right(names)
}

/**
 * A target the realm holds no component for: close names of what it holds, or, in the root container,
 * why a registered component is not in the application's plan, as Explain says it.
 */
const unknownIn = (realm: Realm, target: string | Dependency.Any, label: string, held: ReturnType<typeof heldBy>): Errors.UnknownComponent => {
  const unknown = realm.parent === undefined ? explainInternal.unknownComponent(realm.root.plan, target) : undefined
  return unknown?.leftOut !== undefined ? unknown : new Errors.UnknownComponent({ name: label, suggestions: suggestComponents(label, held.values()) })
}

/** The components whose instances the realm holds, by name: the root's plan's (for the root), and what its lookups built. */
const heldBy = (realm: Realm): Map<string, Plan.Node> => {
  const held = new Map<string, Plan.Node>()
  eachHeld(realm, (_, node) => void held.set(node.name, node))
  return held
}

/** The names of the components a request resolves to in the realm (as a lookup of it would). */
const namesOfRequest = (realm: Realm, request: Dependency.Any): ReadonlyArray<string> | undefined => {
  const key = dependency.describe(dependency.requestOf(request)).key
  const answer = realm.answers.get(key)
  if (answer !== undefined) return answer.edge.targets.map((target) => answer.container.plan.nodes[target]!.name)
  const edge = realm.parent === undefined ? planEdges(realm.root).get(key) : undefined
  if (edge !== undefined) return edge.targets.map((target) => realm.root.plan.nodes[target]!.name)
  const origin = originOf(realm)
  if (origin === undefined) return undefined
  const resolved = resolver.resolveFrom(origin, [request])
  if (Either.isLeft(resolved)) return undefined
  const plan = resolved.right
  return plan.roots[0]!.targets.map((target) => plan.nodes[target]!.name)
}

/**
 * Marks the targets and everything depending on them as shut down, in the realm and its
 * descendants, and forgets the lookups' answers that reach them. Returns the nodes to release, per
 * container, in the order they were marked (a container before those made after it, a realm before
 * its children): released from the end.
 */
const mark = (realm: Realm, targets: ReadonlyArray<string>): Array<Release> => {
  const releases: Array<Release> = []
  // every container's hit nodes: a child's answer may be its parent's
  const hits = new Map<container.Container, Uint8Array>()
  const visit = (at: Realm, own: ReadonlyArray<string>) => {
    const before = new Set(at.shut)
    for (const name of own) at.shut.add(name)
    for (const holder of at.parent === undefined ? [at.root, ...at.extensions] : at.extensions) {
      const nodes = holder.plan.nodes
      const predecessors = executor.predecessorsOf(holder.plan)
      const hit = new Uint8Array(nodes.length)
      const delegated = delegatedNodes.get(holder)
      const inherited = inheritedNames(holder)
      const ids: Array<number> = []
      // the plan lists dependencies before their dependents
      for (let id = 0; id < nodes.length; id++) {
        let gone = isGone(at, nodes[id]!)
        for (const dependency of predecessors[id]!) if (!gone && hit[dependency] === 1) gone = true
        if (!gone && inherited !== undefined) gone = takesGone(at, nodes[id]!, inherited)
        if (!gone) continue
        hit[id] = 1
        // a node whose instance another container holds is shut down there; a handle of it a lookup of
        // the container shutting it down made (a factory's, which builds in the lookup's) makes no more
        if (delegated?.[id] === 1) {
          if (at === realm) holder.released[id] = 1
          continue
        }
        at.shut.add(nodes[id]!.name)
        if (!before.has(nodes[id]!.name)) ids.push(id)
      }
      hits.set(holder, hit)
      if (ids.length > 0) releases.push({ realm: at, container: holder, hit, ids })
    }
    for (const [key, answer] of at.answers) {
      const hit = hits.get(answer.container)
      if (hit !== undefined && answer.edge.targets.some((target) => hit[target] === 1)) at.answers.delete(key)
    }
    // a child whose close began is left to it (it waits for this shutdown before releasing anything)
    for (const child of at.children.values()) if (child.state === "open") visit(child, [])
  }
  visit(realm, targets)
  return releases
}

/** Whether a node takes a service from the realm's parent (see `lookup.ts`'s `childAnswer`) that a component shut down there gave. */
const takesGone = (realm: Realm, node: Plan.Node, inherited: ReadonlyMap<string, ReadonlyArray<string>>): boolean =>
  node.dependencies.some((edge) =>
    edge.targets.length === 0 &&
    (inherited.get(edge.request.service) ?? []).some((name) => {
      for (let at = realm.parent; at !== undefined; at = at.parent) if (at.shut.has(name)) return true
      return false
    })
  )

/**
 * Closes the node scopes of the hit nodes that the container's build owns, dependents first, one at
 * a time (each noted in `progress` as it waits for its gate, then as it is released).
 */
const releaseNodes = (
  release: Release,
  progress: Progress,
  steps: executor.NodeRelease | undefined
): Effect.Effect<Cause.Cause<never> | undefined> =>
  Effect.suspend(() => {
    const holder = release.container
    const build = holder.build
    // what it never built stays so: a lazy handle got before (a holder's, a lookup's) would build it
    // now, on what the shutdown releases, and keep it until the container closes
    for (const id of release.ids) if (!build.owners.includes(id)) holder.released[id] = 1
    const scopes: Array<Scope.CloseableScope> = []
    const owners: Array<number> = []
    for (let index = 0; index < build.owners.length;) {
      const id = build.owners[index]!
      if (release.hit[id] !== 1) {
        index++
        continue
      }
      scopes.push(build.scopes[index]!)
      owners.push(id)
      build.scopes.splice(index, 1)
      build.owners.splice(index, 1)
    }
    if (scopes.length === 0) return Effect.succeed(undefined)
    const order = executor.closeOrder(holder.plan, owners)
    // the gate (a reloadable's uses) comes before the steps' `before`: from then on it is its release
    const tracked: executor.NodeRelease = {
      before: (id, scope) => {
        if (progress.at !== undefined) progress.at.stage = "releasing"
        return steps?.before(id, scope)
      },
      after: (id, error, scope) => steps?.after(id, error, scope)
    }
    return Effect.gen(function*() {
      let failures: Cause.Cause<never> | undefined
      for (const index of order) {
        const id = owners[index]!
        progress.at = { container: holder, id, stage: "gate" }
        const owner: executor.Owner = { scopes: [scopes[index]!], owners: [id], closing: undefined, released: holder.released }
        const failure = yield* executor.releaseOwner(owner, holder.plan, Exit.void, tracked)
        if (failure !== undefined) failures = failures === undefined ? failure : Cause.sequential(failures, failure)
      }
      return failures
    })
  })
