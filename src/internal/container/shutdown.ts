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
 * one at a time; lookups go on meanwhile.
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import type * as Scope from "effect/Scope"
import type * as PublicContainer from "../../Container.js"
import type * as Dependency from "../../Dependency.js"
import * as Errors from "../../Errors.js"
import type * as Plan from "../../Plan.js"
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
 * Shuts down a component of the container behind `service` (by name, or the component a request
 * resolves to; every one of an `all` request's), and everything depending on it. Returns what was
 * shut down, dependents first (a descendant's as `child/Name`).
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
    const run = Effect.suspend(() => shutDownNow(realm, target))
    return Effect.ensuring(previous === undefined ? run : Effect.zipRight(Deferred.await(previous), run), Deferred.succeed(mine, undefined))
  }))

const shutDownNow = (realm: Realm, target: string | Dependency.Any): Effect.Effect<ReadonlyArray<string>, Errors.ShutDownError> => {
  if (realm.state !== "open") return Effect.fail(new Errors.ContainerClosed({ container: realm.path, operation: "shutDown" }))
  const targets = targetsOf(realm, target)
  if (Either.isLeft(targets)) return Effect.fail(targets.left)
  const releases = mark(realm, targets.right)
  const root = realm.root
  const app = root.onShutDown
  const rootIds = releases.find((release) => release.container === root)?.ids ?? []
  // what the application's components' stop hooks and disposers failed with: told with their finalizers' failures
  const failed: container.HookFailures = new Map()
  return Effect.gen(function*() {
    if (app !== undefined && rootIds.length > 0) yield* app.stop(rootIds, failed)
    // singletons being built (by lookups in flight) are released once built: their dependencies outlive them
    for (const release of releases) {
      for (const [id, building] of release.container.lazy) {
        if (release.hit[id] !== 1) continue
        // a lazy handle's first use that runs or awaits the build does not get what is released now
        if (release.container.lazyBuilt[id] === 0) release.container.released[id] = 1
        yield* Effect.exit(Deferred.await(building))
      }
    }
    let failures: Cause.Cause<Errors.ReleaseError> | undefined
    for (let index = releases.length - 1; index >= 0; index--) {
      const release = releases[index]!
      const mine = release.container === root && app !== undefined
      const released = yield* releaseNodes(release, mine ? app.release(failed) : undefined)
      const failure = mine ? withHookFailures(release, failed, released) : released
      if (failure !== undefined) failures = failures === undefined ? typed(failure) : Cause.sequential(failures, typed(failure))
    }
    if (app !== undefined && rootIds.length > 0) app.released(rootIds)
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
    return Either.left(new Errors.UnknownComponent({ name: label, suggestions: suggestComponents(label, held.values()) }))
  }
  for (const name of names) {
    const node = held.get(name)
    if (node !== undefined ? isGone(realm, node) : realm.shut.has(name)) {
      return Either.left(new Errors.ComponentShutDown({ container: realm.path, component: name, path: [] }))
    }
    if (node === undefined) return Either.left(new Errors.UnknownComponent({ name, suggestions: suggestComponents(name, held.values()) }))
  }
  return Either.right(names)
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

/** Closes the node scopes of the hit nodes that the container's build owns, dependents first. */
const releaseNodes = (release: Release, steps: executor.NodeRelease | undefined): Effect.Effect<Cause.Cause<never> | undefined> =>
  Effect.suspend(() => {
    const build = release.container.build
    // what it never built stays so: a lazy handle got before (a holder's, a lookup's) would build it
    // now, on what the shutdown releases, and keep it until the container closes
    for (const id of release.ids) if (!build.owners.includes(id)) release.container.released[id] = 1
    const taken: executor.Owner = {
      scopes: [] as Array<Scope.CloseableScope>,
      owners: [] as Array<number>,
      closing: undefined,
      released: release.container.released
    }
    for (let index = 0; index < build.owners.length;) {
      const id = build.owners[index]!
      if (release.hit[id] !== 1) {
        index++
        continue
      }
      taken.scopes.push(build.scopes[index]!)
      taken.owners.push(id)
      build.scopes.splice(index, 1)
      build.owners.splice(index, 1)
    }
    return taken.scopes.length === 0 ? Effect.succeed(undefined) : executor.releaseOwner(taken, release.container.plan, Exit.void, steps)
  })
