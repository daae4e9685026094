/**
 * Run-time lookups: a request resolved and built while the graph runs (`Container.get`).
 *
 * Every container (the root one of a built graph, and each child, see `child.ts`) has a `Realm`: what
 * its lookups found, per request key, and where the instance of each component its requesters share
 * comes from (per component name). A lookup of a request:
 * - in the root container, when the plan already resolved that request (a root's, a scope's or any
 *   component's), is answered by the plan's edge: what the build made is given, never rebuilt;
 * - otherwise is resolved from what the plan was resolved from (`resolver.Origin`: the registry, its
 *   settings, the environment its conditions were read in; a child's registry has its components as
 *   overrides), with the same rules and problems as at startup. The components of that plan the
 *   container already has (by name) are delegated to it; the others are built by a container made for
 *   the lookup (an *extension*, `container.Container` over the lookup's plan), lazily, by the usual
 *   paths (singletons once, transients per requester, scoped instances in the open scope), and
 *   registered, so a later lookup reaching them shares them.
 *
 * A child delegates a component that is not one of its own to its parent (the parent's instance,
 * looked up by name in the parent if the parent has not built it yet): children share their parent's
 * instances and never build the parent's components; a parent never sees a child's. A child's lookup
 * that needs only its own components and its parent's instances does not resolve the parent's
 * registry (`childAnswer`).
 *
 * Shutdowns (`shutdown.ts`) mark names in a realm (`shut`): an answer, a plan resolved for a lookup
 * and a shared instance that reach one fail with `ComponentShutDown` (`isGone`).
 *
 * Answers are kept per request key (a request resolves to the same components every time: the
 * registry and environment do not change); a lookup whose answer is a built singleton reads its value
 * and nothing else (the fast path; while a constructor may run, one of what a lookup built is noted
 * for the release order, see `lookedUp.ts`).
 *
 * Cycles: the lookups in progress are a fiber-local chain; a lookup of a request that is on it fails
 * with `CircularLookup` instead of waiting for itself. Each link keeps its answer and the context it
 * was asked in (a constructor's, with its node scope), so the cycle's path, made only then, names the
 * components built between one lookup and the next.
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as FiberRef from "effect/FiberRef"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import type * as Component from "../../Component.js"
import type * as PublicContainer from "../../Container.js"
import type * as Dependency from "../../Dependency.js"
import * as Errors from "../../Errors.js"
import type * as Plan from "../../Plan.js"
import * as container from "../container.js"
import * as builds from "./builds.js"
import * as lookedUp from "./lookedUp.js"
import * as reloadable from "./reloadable.js"
import * as startup from "./startup.js"
import * as dependency from "../dependency.js"
import * as executor from "../executor.js"
import * as optionsRead from "../optionsRead.js"
import * as planInternal from "../plan.js"
import * as registry from "../registry.js"
import * as resolver from "../resolver.js"
import * as runtime from "../runtime.js"

/**
 * The instance of a component that every requester in a container shares (a singleton's, a scoped
 * one's), and its reloadable handle, made where the instance is held (a singleton's handles share one
 * current instance, whichever container a requester got one from).
 */
interface Share {
  (chain: container.ScopeInstance | undefined): Effect.Effect<unknown, Errors.LookupError>
  readonly reloadable: (chain: container.ScopeInstance | undefined) => Effect.Effect<Dependency.ReloadableHandle<unknown>, Errors.LookupError>
}

/** A share from its two ways of reaching the instance. */
const share = (
  instance: (chain: container.ScopeInstance | undefined) => Effect.Effect<unknown, Errors.LookupError>,
  reloadable: Share["reloadable"]
): Share => Object.assign(instance, { reloadable })

/** A share whose instance and handle both go through `around` (run when it is asked for). */
const around = (self: Share, wrap: <A>(effect: Effect.Effect<A, Errors.LookupError>) => Effect.Effect<A, Errors.LookupError>): Share =>
  share((chain) => wrap(self(chain)), (chain) => wrap(self.reloadable(chain)))

/** The share of a node that `holder` holds. */
const heldBy = (holder: container.Container, id: number): Share =>
  share((chain) => container.sharedInstance(holder, id, chain)!, (chain) => container.reloadableOf(holder, id, chain))

/** How a lookup of one request is answered: an edge of a container's plan. */
interface Answer {
  readonly container: container.Container
  readonly edge: Plan.Edge
  /** every target is a singleton of `container` already built: the value is read, nothing runs */
  ready: boolean
}

/** The services a container gives to components and the program: the public `Container`, with its realm. */
export interface Face extends PublicContainer.Container {
  realm: unknown
}

/**
 * A container's run-time state: its lookups' answers, the instances it shares, the extensions it
 * made, its children.
 *
 * @internal
 */
export class Realm {
  readonly children = new Map<string, Realm>()
  readonly answers = new Map<string, Answer>()
  /** per component name, where its shared instance comes from; filled on first need (`shares`) */
  sharedByName: Map<string, Share> | undefined = undefined
  /** the containers made for lookups, in order of creation: released last made first */
  readonly extensions: Array<container.Container> = []
  state: "open" | "closing" | "closed" = "open"
  /** the exit of its close, once it began */
  closing: Exit.Exit<unknown, unknown> | undefined = undefined
  /** completed when its close ended: what a close that finds it closing waits for */
  closed: Deferred.Deferred<void> | undefined = undefined
  /** the path of names from the root container (`[]` for the root) */
  readonly path: ReadonlyArray<string>
  /** what the containers of its tree share */
  readonly tree: Tree
  /** the names of the components shut down in it (`Container.shutDown`): asked for, or depending on one that was */
  readonly shut = new Set<string>()
  /** the keys of the services its own components provide (a child's) */
  readonly ownKeys: ReadonlySet<string> | undefined
  /** a child's lookups of its own components resolve from its own components alone (see `childAnswer`) */
  ownOrigin: resolver.Origin | undefined = undefined

  constructor(
    readonly root: container.Container,
    readonly face: Face,
    readonly parent: Realm | undefined,
    readonly name: string,
    /** what its lookups resolve from, when they resolve its parent's registry too (see `originOf`) */
    public origin: resolver.Origin | undefined,
    /** the components it builds itself: a child's own (`undefined`: the root, which builds all) */
    readonly own: ReadonlySet<Component.Any> | undefined
  ) {
    this.ownKeys = own === undefined ? undefined : new Set([...own].map((component) => component.tag.key))
    this.path = parent === undefined ? [] : [...parent.path, name]
    this.tree = parent === undefined
      ? {
        nextScopeKey: root.plan.nodes.length,
        lastShutDown: undefined,
        building: { count: 0, torn: () => startup.torn(root) },
        releasing: new Set()
      }
      : parent.tree
    root.inFlight.tree ??= this.tree.building
  }
}

/** What the containers of one tree share. */
interface Tree {
  /** the next free key base for a lookup container's scoped instances (see `Container.scopeKeyBase`) */
  nextScopeKey: number
  /** the shutdown that runs last (shutdowns of one tree run one at a time): completed when it ends */
  lastShutDown: Deferred.Deferred<void> | undefined
  /** its containers' builds in flight (`builds.InFlight`'s `tree`): while none runs and the graph is built, no constructor runs */
  readonly building: { count: number; readonly torn: () => boolean }
  /** the instances lookups built whose release is in flight (a realm's close, `releaseExtensions`): what a release timeout names */
  readonly releasing: Set<{ readonly container: container.Container; readonly id: number }>
}

/**
 * Whether a node of a plan resolved for the realm needs a component shut down in it: one shut down
 * in the realm, or, for a component that is not a child's own, in its parent (or higher).
 *
 * @internal
 */
export const isGone = (realm: Realm, node: Plan.Node): boolean => {
  for (let at: Realm | undefined = realm; at !== undefined; at = at.parent) {
    if (at.shut.has(node.name)) return true
    if (at.own !== undefined && at.own.has(node.component)) return false
  }
  return false
}

const shutDownError = (realm: Realm, node: Plan.Node, path: ReadonlyArray<string>): Errors.ComponentShutDown => {
  let at = realm
  while (!at.shut.has(node.name) && at.parent !== undefined) at = at.parent
  return new Errors.ComponentShutDown({ container: at.path, component: node.name, path })
}

/** Per container made for a lookup: its nodes whose instance another container holds (1) or that it builds (0). @internal */
export const delegatedNodes = new WeakMap<container.Container, Uint8Array>()

/** The realm of the container behind the service (the root's made on first use). @internal */
export const realmOf = (service: PublicContainer.Container): Realm => {
  const face = service as Face
  const realm = face.realm
  if (realm !== undefined) return realm as Realm
  const root = container.fromService(service)
  const made = new Realm(root, root as unknown as Face, undefined, "", resolver.originOf(root.plan), undefined)
  root.realm = made
  return made
}

/**
 * Visits the components whose instances the realm holds, each once by name, with the container that
 * holds it: the root's plan's (for the root), then what its lookups built (a child's: its own
 * components and transients), in the order its lookups' containers were made, dependencies first.
 *
 * @internal
 */
export const eachHeld = (realm: Realm, visit: (holder: container.Container, node: Plan.Node) => void): void => {
  const seen = new Set<string>()
  const add = (holder: container.Container, node: Plan.Node) => {
    if (seen.has(node.name)) return
    seen.add(node.name)
    visit(holder, node)
  }
  if (realm.parent === undefined) for (const node of realm.root.plan.nodes) add(realm.root, node)
  for (const extension of realm.extensions) {
    const delegated = delegatedNodes.get(extension)
    for (const node of extension.plan.nodes) if (delegated?.[node.id] !== 1) add(extension, node)
  }
}

/** The realm of a root container, if any lookup or child made one. @internal */
export const existingRealm = (root: container.Container): Realm | undefined => root.realm as Realm | undefined

/**
 * A lookup in progress: its request, its answer, the context it was asked in (`undefined`: a lookup
 * of the container's own) and the lookup in progress it was asked under.
 */
interface Link {
  readonly description: Dependency.Description
  readonly answer: Answer
  readonly caller: Context.Context<never> | undefined
  readonly outer: Link | undefined
}

/** The innermost lookup in progress on this fiber. */
const lookupChain = runtime.makeFiberLocal<Link | undefined>("Container/lookupLinks", undefined)

/**
 * Looks `request` up in the container behind `service` (see the module's comment), asked in the
 * context `caller` (which names the component whose constructor asks, should the lookup close a
 * cycle).
 *
 * @internal
 */
export const get = <I, S>(
  service: PublicContainer.Container,
  request: Context.Tag<I, S>,
  caller?: Context.Context<never>
): Effect.Effect<S, Errors.LookupError> => {
  const realm = realmOf(service)
  const answer = realm.answers.get(request.key)
  if (answer !== undefined && answer.ready && realm.state === "open") {
    // the current instance: once reloaded, the new one, which the caller captures as it did the old
    if (answer.container.cells.size !== 0) reloadable.pinCurrent(answer.container, answer.edge)
    // what a lookup built, got by a constructor (which may have been built after it): released after it
    if (answer.container !== realm.root && constructing(realm)) lookedUp.record(realm, caller, answer.container, answer.edge.targets)
    return Effect.succeed(executor.valueOf(answer.edge, answer.container.build.values, answer.container.build.outside) as S)
  }
  return lookup(realm, request, caller) as Effect.Effect<S, Errors.LookupError>
}

/** Whether a constructor may be running in the realm's tree: a build in flight, or the graph's. */
const constructing = (realm: Realm): boolean => realm.tree.building.count > 0 || startup.building(realm.root)

/** A lookup past the fast path: the realm open, no cycle, the answer found or made, then its value. */
const lookup = (realm: Realm, request: Dependency.Any, caller?: Context.Context<never>): Effect.Effect<unknown, Errors.LookupError> =>
  Effect.flatMap(FiberRef.get(lookupChain), (chain): Effect.Effect<unknown, Errors.LookupError> => {
    if (realm.state !== "open") return Effect.fail(new Errors.ContainerClosed({ container: realm.path, operation: "get" }))
    const description = dependency.describe(dependency.requestOf(request))
    for (let outer = chain; outer !== undefined; outer = outer.outer) {
      if (outer.description.key === description.key) return Effect.fail(circularLookup(chain, description, caller))
    }
    const answer = answerFor(realm, request, description)
    if (Either.isLeft(answer)) return Effect.fail(answer.left)
    const found = answer.right
    // a constructor may run it: read as it begins (a constructor of the graph's build may go on to its
    // end after that run ended, interrupted: its lookup is recorded all the same)
    const asked = constructing(realm)
    const made = Effect.flatMap(container.currentScopes, (scopes) =>
      Effect.flatMap(container.edgeService(found.container, found.edge, scopes), (value): Effect.Effect<unknown, Errors.LookupError> => {
        // the container began to close while this lookup built: the close released (or is releasing)
        // what it built, so the value is not given
        if (realm.state !== "open") return Effect.fail(new Errors.ContainerClosed({ container: realm.path, operation: "get" }))
        // a shutdown that reached what this lookup was building while it built
        const nodes = found.container.plan.nodes
        const gone = found.edge.targets.find((target) => isGone(realm, nodes[target]!))
        if (gone !== undefined) return Effect.fail(shutDownError(realm, nodes[gone]!, [description.label]))
        // during the graph's build, each lookup goes on to be recorded (what it got is released after its
        // constructor, see `lookedUp.ts`) and to wait for what the build has not made (`startup.pendingFor`)
        found.ready = isReady(found) && !startup.building(realm.root)
        // a constructor's lookup: what it got is released after it (see `lookedUp.ts`)
        if (asked || constructing(realm)) lookedUp.record(realm, caller, found.container, found.edge.targets)
        // what a plain lookup gets, its caller captures: a reload does not release it
        if (found.edge.request.handle === undefined) reloadable.pinCurrent(found.container, found.edge)
        return Effect.succeed(value)
      }))
    // a singleton of the graph asked for while the graph is still being built: its build, awaited first,
    // the lookup recorded as the wait begins: a wait the build's failure or end cuts off still orders
    // its asker's release (what it acquired before asking) before what it waited for (`lookedUp.ts`)
    const early = found.edge.request.handle === undefined ? startup.pendingFor(realm.root, found.container, found.edge.targets) : []
    const service = early.length > 0 ? Effect.zipRight(awaitEarly(realm, caller, found, early), made) : made
    return Effect.locally(
      withFill(found.container, service),
      lookupChain,
      { description, answer: found, caller, outer: chain }
    )
  })

/** Records the lookup (see `lookedUp.ts`), then waits for the graph's `early` nodes it needs. */
const awaitEarly = (
  realm: Realm,
  caller: Context.Context<never> | undefined,
  found: Answer,
  early: ReadonlyArray<number>
): Effect.Effect<void, Errors.CircularLookup | Errors.ContainerClosed> =>
  Effect.suspend(() => {
    lookedUp.record(realm, caller, found.container, found.edge.targets)
    return startup.awaitTargets(realm.root, early, found.container === realm.root)
  })

/**
 * The cycle a lookup of `description` closes: the lookups in progress, outermost first, each followed
 * by the components built for it down to the one whose constructor asked for the next lookup, then
 * the lookup of `description`.
 */
const circularLookup = (
  chain: Link | undefined,
  description: Dependency.Description,
  caller: Context.Context<never> | undefined
): Errors.CircularLookup => {
  // made innermost first, then reversed
  const path: Array<string> = [description.label]
  let asker = caller
  for (let link: Link | undefined = chain; link !== undefined; link = link.outer) {
    path.push(...builtBetween(link.answer, asker), link.description.label)
    asker = link.caller
  }
  return new Errors.CircularLookup({ path: path.reverse() })
}

/**
 * The components an answer's container built from the component it answers with down to the one whose
 * constructor runs in `caller` (the node that owns the context's Scope), innermost first, that one
 * included and the answer's left out. None when no node of that container owns the Scope (the
 * lookup was asked elsewhere, or the constructor changed its Scope).
 */
const builtBetween = (answer: Answer, caller: Context.Context<never> | undefined): ReadonlyArray<string> => {
  const scope = caller === undefined ? Option.none() : Context.getOption(caller, Scope.Scope)
  if (Option.isNone(scope)) return []
  const { build, plan } = answer.container
  const index = build.scopes.indexOf(scope.value as Scope.CloseableScope)
  if (index === -1) return []
  const names: Array<string> = []
  for (let id: number | undefined = build.owners[index]!; id !== undefined; id = plan.nodes[id]!.parent) {
    if (answer.edge.targets.includes(id)) return names
    names.push(plan.nodes[id]!.name)
  }
  return []
}

/** The realm's answer to a request: the one it keeps, or a new one, kept. */
const answerFor = (realm: Realm, request: Dependency.Any, description: Dependency.Description): Either.Either<Answer, Errors.LookupError> => {
  const kept = realm.answers.get(description.key)
  if (kept !== undefined) return Either.right(kept)
  const made = (realm.parent === undefined ? undefined : childAnswer(realm, request, description)) ?? answerOf(realm, request, description)
  if (Either.isRight(made)) realm.answers.set(description.key, made.right)
  return made
}

/** Whether an answer's value can be read without running anything: plain singletons, all built. */
const isReady = (answer: Answer): boolean =>
  answer.edge.request.handle === undefined && answer.edge.targets.every((target) => container.isBuilt(answer.container, target))

/** How a request is answered in a realm: by the root's plan, or by a container made for it. */
const answerOf = (realm: Realm, request: Dependency.Any, description: Dependency.Description): Either.Either<Answer, Errors.LookupError> => {
  if (realm.parent === undefined) {
    const edge = planEdges(realm.root).get(description.key)
    if (edge !== undefined) {
      const nodes = realm.root.plan.nodes
      const gone = edge.targets.find((target) => realm.shut.has(nodes[target]!.name))
      return gone === undefined
        ? Either.right({ container: realm.root, edge, ready: false })
        : Either.left(shutDownError(realm, nodes[gone]!, [description.label]))
    }
  }
  const origin = originOf(realm)
  if (origin === undefined) {
    // a plan the resolver did not make: only what it resolved can be looked up
    return Either.left(
      new Errors.ResolutionError({
        problems: [
          new Errors.MissingComponent({
            path: [],
            request: description.label,
            available: [...new Set(realm.root.plan.nodes.map((node) => node.name))].sort(),
            suggestions: [],
            unqualified: [],
            excluded: []
          })
        ]
      })
    )
  }
  return Either.flatMap(resolver.resolveFrom(origin, [request]), (plan): Either.Either<Answer, Errors.LookupError> => {
    const gone = plan.nodes.find((node) => isGone(realm, node))
    if (gone !== undefined) return Either.left(shutDownError(realm, gone, planInternal.pathTo(plan, gone.id)))
    const extension = extend(realm, plan)
    return Either.right({ container: extension, edge: plan.roots[0]!, ready: false })
  })
}

/** Per request key, the edge of the plan that resolved it (a root's, a scope's, a component's). */
const edgesOfPlans = new WeakMap<Plan.Any, ReadonlyMap<string, Plan.Edge>>()

/** @internal */
export const planEdges = (root: container.Container): ReadonlyMap<string, Plan.Edge> => {
  const plan = root.plan
  let edges = edgesOfPlans.get(plan)
  if (edges === undefined) {
    const made = new Map<string, Plan.Edge>()
    const add = (edge: Plan.Edge) => {
      if (!made.has(edge.request.key)) made.set(edge.request.key, edge)
    }
    plan.roots.forEach(add)
    for (const scope of plan.scopes) scope.provides.forEach(add)
    for (const node of plan.nodes) node.dependencies.forEach(add)
    edges = made
    edgesOfPlans.set(plan, edges)
  }
  return edges
}

/**
 * The container made for a lookup's plan: its components the realm (or its ancestors) shares are
 * delegated; the others are built by it, on first need, and registered as the realm's.
 */
const extend = (realm: Realm, plan: Plan.Any): container.Container => {
  const root = realm.root
  const build = new executor.GraphBuild(plan, root.build.limit, root.build.callerContext, root.build.views)
  const outside = new Map(root.build.outside)
  outside.set(dependency.containerKey, realm.face)
  build.outside = outside
  // nothing of a lookup's plan is built by a graph build: no request is of an eager singleton, so
  // every node's requests go through `prepare` (which builds or delegates its singletons first)
  const extension = new container.Container(build, undefined, false)
  extension.path = realm.path
  extension.inFlight.tree = realm.tree.building
  // what it builds is in a span as the root's run-time builds are (a lookup's own singleton, a child's component)
  extension.instanceSpans = root.instanceSpans
  root.onExtension?.(extension, realm.path)
  extension.scopeKeyBase = realm.tree.nextScopeKey
  realm.tree.nextScopeKey += plan.nodes.length
  const delegates = plan.nodes.map((node) => shareOf(realm, node))
  extension.delegate = (id, chain) => {
    const found = delegates[id]?.(chain)
    return found === undefined ? undefined : asHandleError(found)
  }
  extension.delegateReloadable = (id, chain) => {
    const found = delegates[id]?.reloadable(chain)
    return found === undefined ? undefined : asHandleError(found)
  }
  delegatedNodes.set(extension, Uint8Array.from(delegates, (share) => share === undefined ? 0 : 1))
  const shared = shares(realm)
  // the options the lookup or the components this container builds request (not those of what it
  // delegates): those the plan the container runs did not read are read before anything is built
  const options = plan.options as ReadonlyArray<dependency.OptionsLike>
  const requested = new Set<string>()
  if (options.length > 0) for (const edge of plan.roots) if (edge.choice.rule === "options") requested.add(edge.request.key)
  for (const node of plan.nodes) {
    if (delegates[node.id] !== undefined) continue
    if (!isTransient(node)) {
      const filled = around(heldBy(extension, node.id), (effect) => withFill(extension, effect))
      shared.set(node.name, guarded(realm, node, filled))
    }
    if (options.length > 0) for (const edge of node.dependencies) if (edge.choice.rule === "options") requested.add(edge.request.key)
  }
  const unread = options.filter((own) => requested.has(own.key) && !outside.has(own.key))
  if (unread.length > 0) {
    addFill(
      extension,
      Effect.map(optionsRead.servicesOf(plan, unread), (services) => {
        const read = services === undefined ? undefined : runtime.servicesOf(services)
        for (const own of unread) outside.set(own.key, read?.get(own.key))
      })
    )
  }
  realm.extensions.push(extension)
  return extension
}

/**
 * A delegated instance as the requests of a lookup's container (its handles' `get` among them) meet
 * it: what reaching the container that holds it can fail with (`Errors.HandleError`: its options,
 * its construction, its scope, its shutdown, that container closed). The plan that delegates it
 * resolved it: a resolution that fails there, or a lookup cycle closed there, is a defect (it dies
 * with that error), which no handle's caller can handle.
 */
const asHandleError = <A>(effect: Effect.Effect<A, Errors.LookupError>): Effect.Effect<A, Errors.HandleError> =>
  Effect.catchIf(
    effect,
    (error): error is Errors.ResolutionError | Errors.CircularLookup => error._tag === "ResolutionError" || error._tag === "CircularLookup",
    Effect.die
  )

/**
 * What a container made for a lookup puts in its build's outside services before anything of it is
 * built: the options its plan requests that the container's own plan did not read, and, for a
 * child's lookup, the parent's instances it takes (`Inherited`). Each part runs until it succeeded once.
 */
const fills = new WeakMap<container.Container, Effect.Effect<void, Errors.LookupError>>()

const addFill = (extension: container.Container, fill: Effect.Effect<void, Errors.LookupError>): void => {
  let done = false
  // one run at a time: concurrent first lookups wait for it, then find it done (or run it again
  // after a failure or an interruption), so none reads the options again nor overwrites them
  const lock = runtime.makeSemaphore(1)
  const once = Effect.suspend(() =>
    done ? Effect.void : lock.withPermits(1)(Effect.suspend(() =>
      done ? Effect.void : Effect.tap(fill, () => {
        done = true
      })
    ))
  )
  const before = fills.get(extension)
  fills.set(extension, before === undefined ? once : Effect.zipRight(before, once))
}

/** `effect` after `extension`'s fill (see `fills`), if it has one. */
const withFill = <A, E, R>(extension: container.Container, effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | Errors.LookupError, R> => {
  const fill = fills.get(extension)
  return fill === undefined ? effect : Effect.zipRight(fill, effect)
}

const isTransient = (node: Plan.Node): boolean => node.component.lifetime?._tag === "Transient"

/** The realm's shared instances by component name: the root's start with its plan's components. */
const shares = (realm: Realm): Map<string, Share> => {
  if (realm.sharedByName !== undefined) return realm.sharedByName
  const made = new Map<string, Share>()
  if (realm.parent === undefined) {
    const root = realm.root
    for (const node of root.plan.nodes) {
      if (!isTransient(node)) made.set(node.name, guarded(realm, node, heldBy(root, node.id)))
    }
  }
  realm.sharedByName = made
  return made
}

/** A shared instance that fails once its component is shut down in the realm (a lookup's container made before holds it). */
const guarded = (realm: Realm, node: Plan.Node, self: Share): Share =>
  around(self, (effect) => realm.shut.has(node.name) ? Effect.fail(shutDownError(realm, node, [node.name])) : effect)

/**
 * Where the realm gets a component's shared instance from, when not from a container made for this
 * lookup: its own (already built or registered), or, for a child, its parent's. `undefined`: the
 * lookup's container builds it (a transient always: each requester builds its own).
 */
const shareOf = (realm: Realm, node: Plan.Node): Share | undefined => {
  if (isTransient(node)) return undefined
  const known = shares(realm).get(node.name)
  if (known !== undefined) return known
  if (realm.parent === undefined) return hostShare(realm.root, node)
  if (realm.own!.has(node.component)) return undefined
  return inherited(realm.parent, node)
}

/**
 * The running App's own service for a built-in component no node of its plan holds (no component of
 * the application requests `App.Health`, one constructor looks it up): the App's, as its plan's
 * would be, never a new one (whose constructor dies outside an App). `undefined`: not a built-in, or
 * no App.
 */
const hostShare = (root: container.Container, node: Plan.Node): Share | undefined => {
  const given = root.builtInService?.(node.component)
  if (given === undefined) return undefined
  const instance = Effect.succeed(given.service)
  return share(
    () => instance,
    () => Effect.dieMessage(`${node.name} is one of the application's own services: it has no reloadable handle`)
  )
}

/** A parent's instance of a component a child needs: the parent's (or an ancestor's), looked up by name. */
const inherited = (realm: Realm, node: Plan.Node): Share => {
  const known = shares(realm).get(node.name)
  if (known !== undefined) return known
  if (realm.parent !== undefined && !realm.own!.has(node.component)) return inherited(realm.parent, node)
  const request = dependency.named(node.component.tag as Context.Tag<unknown, unknown>, node.name)
  const reloadable = dependency.reloadable(request)
  return share(
    () => lookup(realm, request),
    () => lookup(realm, reloadable) as Effect.Effect<Dependency.ReloadableHandle<unknown>, Errors.LookupError>
  )
}

// ---------------------------------------------------------------------------------------------
// a child's lookups, without its parent's registry

/**
 * What a child resolves from when a lookup needs its parent's registry: the parent's origin with the
 * child's components as overrides (made on first need: it lists every component of the parent's).
 *
 * @internal
 */
export const originOf = (realm: Realm): resolver.Origin | undefined => {
  if (realm.origin !== undefined || realm.parent === undefined) return realm.origin
  const parent = originOf(realm.parent)
  if (parent === undefined) return undefined
  realm.origin = { ...parent, registry: registry.shadow(parent.registry, [...realm.own!]) }
  return realm.origin
}

/**
 * The services a container made for a child's lookup takes from the child's parent (by service key:
 * its own components' plain requests of services no own component provides): its fill (`fills`) puts
 * the parent's instances in its build's outside services, `names` are the parent's components giving
 * each one (a shutdown of one of them reaches the child's dependents).
 */
interface Inherited {
  readonly names: ReadonlyMap<string, ReadonlyArray<string>>
}

const inheritedOf = new WeakMap<container.Container, Inherited>()

/** The parent's components a container made for a child's lookup takes services from, per service key. @internal */
export const inheritedNames = (extension: container.Container): ReadonlyMap<string, ReadonlyArray<string>> | undefined =>
  inheritedOf.get(extension)?.names

/**
 * A child's answer that reads nothing of its parent's registry, so that its cost does not depend on
 * the parent's size; `undefined` when the request needs the full resolution (`answerOf`).
 * - a request of a service none of the child's components provides has the parent's answer (the
 *   parent's instances: a child shares them), unless it is a transient (a child builds its own);
 * - a request of a service the child's components provide is resolved among them alone, every
 *   plain request of another service taken from the parent: when every request among them is
 *   answered by the child's components (overrides that apply), or is such a plain request whose
 *   parent's answer is no transient.
 */
const childAnswer = (realm: Realm, request: Dependency.Any, description: Dependency.Description): Either.Either<Answer, Errors.LookupError> | undefined => {
  const parent = realm.parent!
  // the container itself is the child, not its parent
  if (description.service === dependency.containerKey) return undefined
  if (!realm.ownKeys!.has(description.service)) {
    const answer = answerFor(parent, request, description)
    return Either.isRight(answer) && hasTransient(answer.right) ? undefined : answer
  }
  const origin = ownOriginOf(realm)
  if (origin === undefined) return undefined
  const resolved = resolver.resolveFrom(origin, [request])
  if (Either.isLeft(resolved)) return undefined
  const plan = resolved.right
  // none of the child's components answers it (an empty collection, an absent option): its parent's may
  if (plan.roots[0]!.targets.length === 0) return undefined
  const fromParent = new Map<
    string,
    { readonly request: Dependency.Any; readonly key: string; readonly answer: Answer; readonly path: ReadonlyArray<string> }
  >()
  for (const [edge, requester] of plan.nodes.flatMap((node) => node.dependencies.map((edge) => [edge, node] as const))) {
    if (edge.targets.length > 0) continue
    const rule = edge.choice.rule
    if (rule === "container" || (rule === "external" && parent.root.plan.external.includes(edge.request.service))) continue
    if (rule !== "external" || edge.request.handle !== undefined || edge.request.cardinality !== "one") return undefined
    const known = fromParent.get(edge.request.service)
    if (known !== undefined) {
      if (known.key !== edge.request.key) return undefined
      continue
    }
    const inherited = tagOf(edge.request.service)
    const answer = answerFor(parent, inherited, edge.request)
    // the parent's failures say the path from this lookup's request
    const path = planInternal.pathTo(plan, requester.id)
    if (Either.isLeft(answer)) return Either.left(reachedThrough(answer.left, path))
    if (hasTransient(answer.right)) return undefined
    fromParent.set(edge.request.service, { request: inherited, key: edge.request.key, answer: answer.right, path })
  }
  const gone = plan.nodes.find((node) => isGone(realm, node))
  if (gone !== undefined) return Either.left(shutDownError(realm, gone, planInternal.pathTo(plan, gone.id)))
  const extension = extend(realm, plan)
  if (fromParent.size > 0) {
    const outside = extension.build.outside as Map<string, unknown>
    addFill(
      extension,
      Effect.forEach(fromParent, ([key, { path, request }]) =>
        lookup(parent, request).pipe(
          Effect.map((value) => void outside.set(key, value)),
          Effect.mapError((error) => reachedThrough(error, path))
        ), { discard: true })
    )
    inheritedOf.set(extension, {
      names: new Map([...fromParent].map(([key, { answer }]) => [key, answer.edge.targets.map((target) => answer.container.plan.nodes[target]!.name)]))
    })
  }
  return Either.right({ container: extension, edge: plan.roots[0]!, ready: false })
}

/**
 * A parent's failure as the child's lookup that reached it through `path` (from its request to the
 * child's component that needs what the parent failed to give) tells it: every dependency path in it
 * starts there, as a root container's lookup says the whole chain.
 */
const reachedThrough = (error: Errors.LookupError, path: ReadonlyArray<string>): Errors.LookupError => {
  if (path.length === 0) return error
  switch (error._tag) {
    case "ComponentShutDown":
      return new Errors.ComponentShutDown({ ...error, path: [...path, ...error.path] })
    case "ConstructionError":
      return new Errors.ConstructionError({ ...error, path: [...path, ...error.path] })
    case "ResolutionError":
      return new Errors.ResolutionError({
        problems: error.problems.map((problem) => "path" in problem ? withPath(problem, [...path, ...problem.path]) : problem)
      })
    default:
      return error
  }
}

/** A copy of a problem (of whichever kind: its class and message kept) with another path. */
const withPath = <P extends Errors.Problem>(problem: P, path: ReadonlyArray<string>): P =>
  Object.assign(Object.create(Object.getPrototypeOf(problem)) as P, problem, { path })

/** The services the child's components request that none of them provides (the container aside): taken from the parent. */
const externalKeysOf = (realm: Realm): ReadonlyArray<Dependency.Any> => {
  const keys = new Set<string>()
  for (const component of realm.own!) {
    for (const request of component.dependencies) {
      const service = dependency.describe(dependency.requestOf(request)).service
      if (service !== dependency.containerKey && !realm.ownKeys!.has(service)) keys.add(service)
    }
  }
  return [...keys].map(tagOf)
}

/** A plain request of a service, by its key (tags are made once per key: making one records where). */
const tags = new Map<string, Context.Tag<unknown, unknown>>()

const tagOf = (key: string): Context.Tag<unknown, unknown> => {
  let tag = tags.get(key)
  if (tag === undefined) tags.set(key, tag = Context.GenericTag<unknown, unknown>(key))
  return tag
}

const hasTransient = (answer: Answer): boolean => answer.edge.targets.some((target) => isTransient(answer.container.plan.nodes[target]!))

/** The origin of a child's own components alone: the parent's, with them as its registry's only components. */
const ownOriginOf = (realm: Realm): resolver.Origin | undefined => {
  if (realm.ownOrigin !== undefined) return realm.ownOrigin
  let base: Realm = realm
  while (base.parent !== undefined && base.origin === undefined) base = base.parent
  const parent = base.origin
  if (parent === undefined) return undefined
  realm.ownOrigin = { ...parent, registry: registry.shadow(registry.empty, [...realm.own!]), external: [...(parent.external ?? []), ...externalKeysOf(realm)] }
  return realm.ownOrigin
}

// ---------------------------------------------------------------------------------------------
// closing

/**
 * Closes a realm: first nothing more is built by it, its children and, for the root's, the root
 * container, and the builds in flight there are waited for (`builds.drain`: a constructor running
 * finishes with its dependencies alive), and so is a shutdown in flight in its tree (it releases
 * scopes it took out of their containers); then its children are closed, concurrently, then the
 * instances its lookups built are released, last built first (each extension releases its components
 * dependents first), or, when constructors looked instances up, in one order with the graph's
 * (`releaseExtensions`). Runs once: a second call finds it closed and does nothing; a concurrent one (its
 * parent's close reaching a child whose own Scope is closing it) waits for its end, so that nothing
 * the realm's instances depend on is released under them. Returns the release failures, if any (the
 * first call's: a call that waited returns none). Uninterruptible: an interruption of its caller (an
 * opening of a child whose start failed, interrupted as the child closes) would leave it half done,
 * what it did not release never released and the child's name never freed.
 *
 * @internal
 */
export const close = (
  realm: Realm,
  exit: Exit.Exit<unknown, unknown>,
  late?: (failures: Cause.Cause<never>) => void
): Effect.Effect<Cause.Cause<never> | undefined> =>
  Effect.uninterruptible(Effect.suspend(() => {
    if (realm.state !== "open") return realm.closed === undefined ? Effect.succeed(undefined) : Effect.as(Deferred.await(realm.closed), undefined)
    realm.state = "closing"
    realm.closing = exit
    const closed = realm.closed = runtime.makeDeferred<void>()
    return Effect.ensuring(Effect.gen(function*() {
      yield* builds.drain(containersOf(realm), exit)
      // a shutdown in flight in the tree took the scopes it releases out of their containers: its
      // release ends before this one releases what those instances depend on
      const shutting = realm.tree.lastShutDown
      if (shutting !== undefined) yield* Deferred.await(shutting)
      const children = [...realm.children.values()]
      let failures: Cause.Cause<never> | undefined
      const fromChildren = yield* Effect.forEach(children, (child) => close(child, exit), { concurrency: "unbounded" })
      for (const failure of fromChildren) if (failure !== undefined) failures = combine(failures, failure)
      // extensions made while the children closed are in the list too: it is read as it is now
      const fromLookups = yield* releaseExtensions(realm, exit, late)
      if (fromLookups !== undefined) failures = combine(failures, fromLookups)
      realm.state = "closed"
      realm.parent?.children.delete(realm.name)
      return failures
    }), Effect.sync(() => runtime.completeDeferred(closed, Exit.void)))
  }))

/**
 * Releases what a realm's lookups built: each container made for them, last made first, or, when
 * constructors looked instances up (`lookedUp.ts`), every node scope in one order, where what a
 * constructor looked up goes after it. For the root's realm that order takes in the graph's scopes:
 * from the first of them on, it is the graph's release's to follow (`executor.Interleaved`), and the
 * failures of what lookups built released then go to `late` (else they are the graph's release's).
 */
const releaseExtensions = (
  realm: Realm,
  exit: Exit.Exit<unknown, unknown>,
  late: ((failures: Cause.Cause<never>) => void) | undefined
): Effect.Effect<Cause.Cause<never> | undefined> =>
  Effect.gen(function*() {
    let failures: Cause.Cause<never> | undefined
    const graph = realm.parent === undefined ? realm.root : undefined
    const merged = lookedUp.order(realm, realm.extensions, graph, holderIn(realm))
    if (merged === undefined) {
      for (let index = realm.extensions.length - 1; index >= 0; index--) {
        const extension = realm.extensions[index]!
        const failure = yield* executor.releaseOwner(extension.build, extension.plan, exit, noted(realm, extension))
        if (failure !== undefined) failures = combine(failures, failure)
      }
      return failures
    }
    for (const extension of realm.extensions) {
      extension.build.closing ??= exit
      extension.build.scopes.splice(0)
      extension.build.owners.splice(0)
    }
    // `executor.releaseScope`, its release in flight noted
    const release = ({ holder, id, scope }: (typeof merged)[number]) =>
      executor.releaseOwner({ scopes: [scope], owners: [id], closing: undefined, released: holder.build.released }, holder.plan, exit, noted(realm, holder))
    let at = 0
    for (; at < merged.length && merged[at]!.holder !== graph; at++) {
      const failure = yield* release(merged[at]!)
      if (failure !== undefined) failures = combine(failures, failure)
    }
    if (graph !== undefined && at < merged.length) {
      graph.build.interleaved = merged.slice(at).map((unit) =>
        unit.holder === graph
          ? unit.scope
          // released as its turn comes (it marks its node released then)
          : Effect.suspend(() =>
            Effect.map(release(unit), (failure) => {
              if (failure === undefined || late === undefined) return failure
              late(failure)
              return undefined
            })
          )
      )
    }
    return failures
  })

/**
 * Notes in the realm's tree the release in flight of a node of `holder` (what App's release timeout
 * names, `awaitedAtClose`): from after its gate (a use in flight on it, named apart) to its scope's close.
 */
const noted = (realm: Realm, holder: container.Container): executor.NodeRelease => {
  const releasing = realm.tree.releasing
  let current: { readonly container: container.Container; readonly id: number } | undefined
  return {
    before: (id) => void releasing.add(current = { container: holder, id }),
    after: () => {
      if (current !== undefined) releasing.delete(current)
    }
  }
}

/**
 * Where a node of one of the realm's containers is held when that container delegates it: the root's
 * plan, or a lookup's container made before (`null`: outside the realm, a parent's); `undefined` for
 * a node the container builds.
 *
 * @internal
 */
export const holderIn = (realm: Realm) => {
  let byName: Map<string, { readonly holder: container.Container; readonly id: number }> | undefined
  return (holder: container.Container, id: number) => {
    if (delegatedNodes.get(holder)?.[id] !== 1) return undefined
    if (byName === undefined) {
      const made = byName = new Map()
      eachHeld(realm, (held, node) => void made.set(node.name, { holder: held, id: node.id }))
    }
    return byName.get(holder.plan.nodes[id]!.name) ?? null
  }
}

/**
 * The containers a realm's close releases, so builds by: the root's (for the root's realm), its
 * lookups' and, recursively, its children's.
 *
 * @internal
 */
export const containersOf = (realm: Realm): Array<container.Container> => {
  const found: Array<container.Container> = realm.parent === undefined ? [realm.root] : []
  const add = (at: Realm) => {
    found.push(...at.extensions)
    for (const child of at.children.values()) add(child)
  }
  add(realm)
  return found
}

const combine = (left: Cause.Cause<never> | undefined, right: Cause.Cause<never>): Cause.Cause<never> =>
  left === undefined ? right : Cause.sequential(left, right)

/** A node of a container, and what a close waits for on it. @internal */
export interface Awaited {
  readonly container: container.Container
  readonly id: number
  /**
   * its build in flight (a lookup's, a handle's), a use in flight of its reloadable instance, or a
   * release in flight: a replaced instance's own, or, in the close, a lookup's instance's
   */
  readonly waitsFor: "building" | "using" | "releasing"
}

/**
 * What a root container's tree's close waits for (or would), node by node: builds, then uses, then
 * replaced instances' releases, then the release in flight of what its lookups built.
 *
 * @internal
 */
export const awaitedAtClose = (root: container.Container | undefined): Array<Awaited> => {
  const containers = containersIn(root)
  const tagged = (waitsFor: Awaited["waitsFor"]) => (found: { readonly container: container.Container; readonly id: number }): Awaited => ({ ...found, waitsFor })
  return [
    ...builds.buildsInFlight(containers).map(tagged("building")),
    ...reloadable.usesAwaited(containers).map(tagged("using")),
    ...reloadable.releasesAwaited(containers).map(tagged("releasing")),
    ...releasingIn(root).map(tagged("releasing"))
  ]
}

const releasingIn = (root: container.Container | undefined) => {
  const realm = root === undefined ? undefined : existingRealm(root)
  return realm === undefined ? [] : [...realm.tree.releasing]
}

const containersIn = (root: container.Container | undefined): Array<container.Container> => {
  if (root === undefined) return []
  const realm = existingRealm(root)
  return realm === undefined ? [root] : containersOf(realm)
}

/**
 * Closes the root container's realm before the graph's own release (what `Plan.toLayer` and App
 * run first when the graph is released): from then on the root container builds nothing, and the
 * builds in flight anywhere in its tree have ended before anything is released; a realm made later,
 * by a lookup or a child asked of the released container, is closed already.
 *
 * @internal
 */
export const closeRoot = (
  root: container.Container | undefined,
  exit: Exit.Exit<unknown, unknown>,
  late?: (failures: Cause.Cause<never>) => void
): Effect.Effect<Cause.Cause<never> | undefined> =>
  Effect.suspend(() => {
    if (root === undefined) return Effect.succeed(undefined)
    const realm = existingRealm(root)
    if (realm !== undefined) return close(realm, exit, late)
    // no lookup nor child yet: a realm closed from the start answers any later one with ContainerClosed
    const closed = realmOf(root as unknown as PublicContainer.Container)
    closed.state = "closed"
    closed.closing = exit
    // a handle's build in flight (a lazy one's, a factory's, a reload) is waited for all the same
    return Effect.as(builds.drain([root], exit), undefined)
  })
