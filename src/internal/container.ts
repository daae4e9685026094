/**
 * The container: a graph's instances at run time, beyond what its build made at startup.
 *
 * The build (executor.ts) constructs the eager singletons: every singleton something needs through a
 * plain request (not a `lazy` or `factory` handle), every root's, every one a scope's components need,
 * and those the caller says must be (App: the singletons with start or stop hooks, background work or
 * health checks, as Spring builds a lazy bean that takes part in the lifecycle). Everything else is
 * built here, on demand, by the same construction path (`executor.constructInstance`):
 * - a **lazy singleton** (reached only through handles) on its first use, once (concurrent first uses
 *   share one build; a failure is not kept), owned by the graph's build and released with it;
 * - a **transient** component for each requester, in a scope forked from the requester's own, so it is
 *   released right after its requester's finalizers (a dependency after its dependent);
 * - a **scoped** component once per open scope of its name (the nearest in the fiber's chain of open
 *   scopes), owned by that scope and released, last built first, when it closes;
 * - a **factory** instance at every call, in a scope forked from the caller's Scope.
 *
 * Handle values (`Dependency.lazy`, `factory`, `reloadable`) are made here too: a node whose requests
 * include a handle, a transient or a scoped component gets its dependencies' values from `prepare`.
 * Opening a lifetime's scope around an effect is `container/within.ts`; run-time lookups and child
 * containers `container/lookup.ts` and `container/child.ts`; the builds in flight a close waits for
 * `container/builds.ts`; a reloadable handle's instances and their holders `container/reloadable.ts`.
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as ExecutionStrategy from "effect/ExecutionStrategy"
import * as Exit from "effect/Exit"
import * as FiberRef from "effect/FiberRef"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import type * as Component from "../Component.js"
import type * as PublicContainer from "../Container.js"
import type * as Dependency from "../Dependency.js"
import * as Errors from "../Errors.js"
import type * as Plan from "../Plan.js"
import * as builds from "./container/builds.js"
import * as reloadable from "./container/reloadable.js"
import * as startup from "./container/startup.js"
import * as dependency from "./dependency.js"
import * as executor from "./executor.js"
import * as observe from "./observe.js"
import * as planInternal from "./plan.js"
import * as runtime from "./runtime.js"

/** A lifetime's rank: 0 singleton, -1 transient, 1 + i the i-th declared scope. */
const TRANSIENT = -1

/** How a node's dependency is given (per edge of the plan's layout). */
const EDGE_PLAIN = 0
/** a plain request whose target is a transient or scoped component: an instance per requester */
const EDGE_INSTANCE = 1
const EDGE_LAZY = 2
const EDGE_FACTORY = 3
const EDGE_RELOADABLE = 4
/** a request of a scope's input: the nearest open scope's that has it */
const EDGE_INPUT = 5

/**
 * One open scope of a lifetime: its instances, owned and released by it; `parent` the scope it was
 * opened in (the fiber's chain of open scopes). The builds of its instances in flight are counted
 * (`builds.tracked`), so that its close waits for them (`builds.closeScope`).
 *
 * @internal
 */
export class ScopeInstance implements executor.Owner, builds.ClosableScope {
  readonly scopes: Array<Scope.CloseableScope> = []
  readonly owners: Array<number> = []
  closing: Exit.Exit<unknown, unknown> | undefined = undefined
  readonly inFlight: builds.Flight = { count: 0, settled: undefined }
  readonly instances = new Map<number, Deferred.Deferred<unknown, Errors.HandleError>>()
  /** the container that built each of its node scopes' instances (a lookup's container numbers its own nodes) */
  readonly madeBy = new Map<Scope.Scope, Container>()

  /** `inputs`: the services its opener provided for the scope's inputs, by key */
  constructor(
    readonly name: string,
    readonly parent: ScopeInstance | undefined,
    readonly inputs: ReadonlyMap<string, unknown>
  ) {}
}

/** The open scopes of the current fiber, innermost first (`undefined`: none). @internal */
export const openScopes = runtime.makeFiberLocal<ScopeInstance | undefined>("Container/openScopes", undefined)

/**
 * What App adds to every instance built here (its initializers, its disposers on the instance's
 * scope); a failure fails the instance's construction. `shared`: the instance is the component's
 * singleton (released with the graph), not one of its own (a transient, scoped or factory instance).
 *
 * @internal
 */
export type InstanceHook = (
  id: number,
  service: unknown,
  scope: Scope.Scope,
  shared: boolean,
  /** the values its constructor got for its requests (`undefined`: all plain) */
  edgeValue: executor.EdgeValue | undefined
) => Effect.Effect<void, Errors.HandleError>

/**
 * How an instance built here came to be: a `singleton` of the graph built on first use, a
 * `transient` for one requester, a `scoped` component's for one open scope, a `factory` handle's
 * call, a reloadable handle's `reload`.
 *
 * @internal
 */
export type InstanceKind = "singleton" | "transient" | "scoped" | "factory" | "reload"

/**
 * What App observes of the instances built here, for its events: each one it `watches` (asked as its
 * build begins; nothing is made for one it does not) has its build and its release (disposers, then
 * finalizers) timed on `now` (milliseconds), and their exits given to `built` and `released`.
 *
 * @internal
 */
export interface InstanceEvents {
  readonly watches: (id: number, kind: InstanceKind) => boolean
  readonly now: () => number
  readonly built: (id: number, kind: InstanceKind, duration: number, exit: Exit.Exit<unknown, unknown>) => void
  readonly released: (id: number, kind: InstanceKind, duration: number, exit: Exit.Exit<unknown, unknown>) => void
}

/**
 * What App runs when the container releases a singleton's instance before the graph's release (a
 * reloadable singleton's first instance, replaced): its disposers, with that instance.
 *
 * @internal
 */
export type DisposeHook = (id: number, service: unknown) => Effect.Effect<void>

/**
 * What App does when components of the graph are shut down while it runs (`Container.shutDown`):
 * `stop` stops them (background work, stop hooks), dependents first; `release` is added to the
 * release of their node scopes (their disposers, their record; not recording the late end of one in
 * `givenUp`); `released` ends the record of those that had no scope to close. `timeout` bounds the
 * shutdown's waits and releases (the application's release timeout); `timedOut` records the
 * component the shutdown gave up on past it (its phase in flight, or what it waited for).
 *
 * @internal
 */
export interface ShutDownHook {
  readonly stop: (ids: ReadonlyArray<number>, failed: HookFailures) => Effect.Effect<void>
  readonly release: (failed: HookFailures, givenUp: ReadonlySet<number>) => executor.NodeRelease
  readonly released: (ids: ReadonlyArray<number>) => void
  readonly timeout: Duration.Duration
  readonly timedOut: (id: number, error: Errors.ReleaseTimeout) => void
}

/**
 * Per node, what its stop hooks and disposers failed with during one shutdown (`HookFailed`,
 * `HookTimeout`): its `ReleaseError` tells them with its finalizers' failures, as an instance of a
 * child's own tells them.
 *
 * @internal
 */
export type HookFailures = Map<number, Array<unknown>>

/** @internal */
export class Container implements executor.Dynamic, PublicContainer.Container {
  readonly plan: Plan.Any
  /** per node: its lifetime's rank (see `TRANSIENT`) */
  readonly rank: Int32Array
  /** per node: built by the graph's build (an eager singleton) */
  readonly eager: Uint8Array
  /** per node: some request of it is plain (its dependents, or a lookup, captured its instance) */
  readonly plainIncoming: Uint8Array
  /** per node: its requests include a handle or a transient or scoped component */
  readonly special: Uint8Array
  /** per edge of the layout: how its value is given (`EDGE_*`) */
  readonly edgeKind: Uint8Array
  /** per node: every request plain, of an eager singleton (nothing for `prepare` to make) */
  readonly direct: Uint8Array
  /** lazy singletons: built, or being built */
  readonly lazy = new Map<number, Deferred.Deferred<unknown, Errors.HandleError>>()
  /** per node: a lazy singleton that is built (its instance in the build's values) */
  readonly lazyBuilt: Uint8Array
  /**
   * per node: its instance's release began (its container's close, a shutdown), marked by the
   * release's own step after its dependents' (`executor.releaseOwner`), or it was shut down before it
   * was built (`container/shutdown.ts`): a lazy handle no longer gives it, nor builds it
   */
  readonly released: Uint8Array
  /** its builds in flight, which its close waits for (`container/builds.ts`) */
  readonly inFlight: builds.InFlight
  /** reloadable singletons' current instances (`container/reloadable.ts`) */
  readonly cells = new Map<number, reloadable.Cell>()
  /** node scopes of reloaded instances (their own disposers are on them) */
  readonly reloaded = new WeakSet<Scope.Scope>()
  /** node scopes of first instances released when replaced (their disposers ran then) */
  readonly releasedEarly = new WeakSet<Scope.Scope>()
  readonly scopeNames: ReadonlyArray<string>
  onInstance: InstanceHook | undefined = undefined
  /** what App observes of the instances built here (see `InstanceEvents`) */
  instanceEvents: InstanceEvents | undefined = undefined
  /** each instance built here in a `layerwise.component.build` span (the graph's spans are on) */
  instanceSpans = false
  onDispose: DisposeHook | undefined = undefined
  /**
   * What App wraps around the build of a singleton built on first use (its own build, once its
   * dependencies are there): the record of its build phase.
   */
  onLazyBuild: (<A>(id: number, build: Effect.Effect<A, Errors.HandleError>) => Effect.Effect<A, Errors.HandleError>) | undefined =
    undefined
  /**
   * What App does to every container made for a run-time lookup of this one (see
   * `container/lookup.ts`) before it builds anything: gives it an instance hook for its own plan.
   * `path` names the child container the lookup was made for (`[]`: this one).
   */
  onExtension: ((extension: Container, path: ReadonlyArray<string>) => void) | undefined = undefined
  /**
   * What App does as a child of this container opens (`container/child.ts`), once it is open: builds
   * and starts its own singletons that take part in the lifecycle. A failure fails the opening, and
   * the child is closed at once.
   */
  onChildOpen: ((child: PublicContainer.Container, own: ReadonlyArray<Component.Any>) => Effect.Effect<void, Errors.LookupError>) | undefined =
    undefined
  onShutDown: ShutDownHook | undefined = undefined
  /**
   * The running App's own service for one of its built-in components (`App.Health`, `App.Shutdowner`,
   * `App.Application`; `undefined` for any other): what a lookup's plan that needs one gets, where its
   * constructor, made for outside an App, would die. Set by App on its root container.
   */
  builtInService: ((component: Component.Any) => { readonly service: unknown } | undefined) | undefined = undefined
  /**
   * A container made for a run-time lookup (see `container/lookup.ts`): the instance of a node that
   * another container holds (a singleton or a scoped component), instead of building it here.
   */
  delegate: ((id: number, chain: ScopeInstance | undefined) => Effect.Effect<unknown, Errors.HandleError> | undefined) | undefined =
    undefined
  /**
   * A container made for a run-time lookup: the reloadable handle of a node that another container
   * holds, made by that container (every handle of a component shares one current instance).
   */
  delegateReloadable:
    | ((id: number, chain: ScopeInstance | undefined) => Effect.Effect<Dependency.ReloadableHandle<unknown>, Errors.HandleError> | undefined)
    | undefined = undefined
  /** Added to a node's id to key its instance in an open scope: containers sharing a scope never collide. */
  scopeKeyBase = 0
  /** Its run-time lookups and children, once it has any (`container/lookup.ts`'s `Realm`). */
  realm: unknown = undefined
  /** The path of the container it builds for (a lookup's container: the child's that looked up; `[]`: the root's). */
  path: ReadonlyArray<string> = []

  /**
   * `graphBuilt: false`: no graph build constructs any node (the container of a run-time lookup's
   * plan): no node is an eager singleton, and every request goes through `prepare`.
   */
  constructor(readonly build: executor.GraphBuild, mustBuild?: (id: number) => boolean, graphBuilt = true) {
    const plan = build.plan
    this.plan = plan
    const nodes = plan.nodes
    const count = nodes.length
    this.scopeNames = plan.scopes.map((scope) => scope.name)
    this.rank = new Int32Array(count)
    for (let id = 0; id < count; id++) {
      const own = nodes[id]!.component.lifetime
      this.rank[id] = own === undefined || own._tag === "Singleton"
        ? 0
        : own._tag === "Transient"
        ? TRANSIENT
        : this.scopeNames.indexOf(own.scope.name) + 1
    }
    const layout = build.layout
    this.edgeKind = new Uint8Array(layout.edges.length)
    this.special = new Uint8Array(count)
    this.plainIncoming = new Uint8Array(count)
    // needed: reached through plain requests from a root, a scope's entry or a node that must be
    // built; dependents come after their dependencies in the plan's order, so one pass backwards
    const needed = new Uint8Array(count)
    for (const edge of [...plan.roots, ...plan.scopes.flatMap((scope) => scope.provides)]) {
      for (const target of edge.targets) {
        // a reloadable root is built at startup, but only a plain one captures the instance
        if (edge.request.handle === undefined || edge.request.handle === "reloadable") needed[target] = 1
        if (edge.request.handle === undefined) this.plainIncoming[target] = 1
      }
    }
    for (let id = count - 1; id >= 0; id--) {
      if (mustBuild?.(id) === true && this.rank[id] === 0) needed[id] = 1
      for (let edge = layout.edgeStart[id]!; edge < layout.edgeStart[id + 1]!; edge++) {
        const plain = layout.edges[edge]!
        const handle = plain.request.handle
        let kind = handle === "lazy"
          ? EDGE_LAZY
          : handle === "factory"
          ? EDGE_FACTORY
          : handle === "reloadable"
          ? EDGE_RELOADABLE
          : plain.choice.rule === "input"
          ? EDGE_INPUT
          : EDGE_PLAIN
        for (const target of plain.targets) {
          if (kind === EDGE_PLAIN && this.rank[target] !== 0) kind = EDGE_INSTANCE
          if (handle === undefined || handle === "reloadable") {
            if (needed[id] === 1) needed[target] = 1
            if (handle === undefined) this.plainIncoming[target] = 1
          }
        }
        this.edgeKind[edge] = kind
        if (kind !== EDGE_PLAIN) this.special[id] = 1
      }
    }
    this.eager = new Uint8Array(count)
    if (graphBuilt) for (let id = 0; id < count; id++) this.eager[id] = needed[id] === 1 && this.rank[id] === 0 ? 1 : 0
    this.direct = new Uint8Array(count)
    this.lazyBuilt = new Uint8Array(count)
    this.released = build.released = new Uint8Array(count)
    this.inFlight = new builds.InFlight(count)
    for (let id = 0; id < count; id++) {
      if (this.special[id] === 1) continue
      let direct = 1
      for (let edge = layout.edgeStart[id]!; edge < layout.edgeStart[id + 1]!; edge++) {
        for (const target of layout.edges[edge]!.targets) if (this.eager[target] === 0) direct = 0
      }
      this.direct[id] = direct
    }
  }

  atStartup(id: number): boolean {
    return this.eager[id] === 1
  }

  prepare(id: number, scope: Scope.Scope): Effect.Effect<executor.EdgeValue, Errors.BuildError> | undefined {
    if (this.special[id] === 0) return undefined
    // at startup, no scope is open, and a singleton's plain requests reach no scoped component (the
    // resolver checked): what is made here fails only as a construction does
    return Effect.catchIf(prepare(this, id, scope, undefined), (error) => !(error instanceof Errors.ConstructionError), Effect.die) as Effect.Effect<
      executor.EdgeValue,
      Errors.BuildError
    >
  }
}

/**
 * The container of a build, when its plan needs one (`PlanLayout.dynamic`): set as the build's
 * `dynamic`, and given to the components that request it. `mustBuild`: singletons the build
 * constructs even when only handles reach them.
 *
 * @internal
 */
export const attach = (build: executor.GraphBuild, mustBuild?: (id: number) => boolean): Container | undefined => {
  if (!build.layout.dynamic) return undefined
  const self = new Container(build, mustBuild)
  build.dynamic = self
  const outside = new Map(build.outside)
  outside.set(dependency.containerKey, self)
  build.outside = outside
  return self
}

/** Whether the graph's build constructs the node (an eager singleton). @internal */
export const builtAtStartup = (self: Container | undefined, id: number): boolean => self === undefined || self.eager[id] === 1

// ---------------------------------------------------------------------------------------------
// the values of a node's dependencies

/**
 * Makes what a node's requests need from the container, within `scope` (the node's own: the owner of
 * its transient dependencies): returns what gives each edge's value. `openOwner`: the open scope
 * whose instance the node is, whose instances its transient dependencies are too (see `buildIn`).
 *
 * @internal
 */
export const prepare = (
  self: Container,
  id: number,
  scope: Scope.Scope,
  chain: ScopeInstance | undefined,
  openOwner?: ScopeInstance
): Effect.Effect<executor.EdgeValue, Errors.HandleError> =>
  Effect.suspend(() => {
    const layout = self.build.layout
    const made = new Map<number, unknown>()
    const steps: Array<Effect.Effect<void, Errors.HandleError>> = []
    for (let edge = layout.edgeStart[id]!; edge < layout.edgeStart[id + 1]!; edge++) {
      const plain = layout.edges[edge]!
      switch (self.edgeKind[edge]) {
        case EDGE_PLAIN: {
          // a singleton first built by a handle must be there before its dependent (an eager one is)
          for (const target of plain.targets) {
            if (self.eager[target] === 0 || startup.pending(self, target)) steps.push(Effect.asVoid(singleton(self, target, chain)))
          }
          break
        }
        case EDGE_INSTANCE: {
          steps.push(Effect.map(
            Effect.forEach(plain.targets, (target) => instanceFor(self, target, scope, chain, openOwner)),
            (values) => void made.set(edge, collect(plain, values))
          ))
          break
        }
        case EDGE_LAZY: {
          made.set(edge, lazyHandle(self, plain.targets[0]!, scope, chain, openOwner))
          break
        }
        case EDGE_FACTORY: {
          made.set(edge, factoryHandle(self, plain.targets[0]!))
          break
        }
        case EDGE_RELOADABLE: {
          const target = plain.targets[0]!
          steps.push(Effect.map(reloadableOf(self, target, chain), (handle) => void made.set(edge, handle)))
          break
        }
        case EDGE_INPUT: {
          steps.push(Effect.map(inputOf(self, id, plain, chain), (input) => void made.set(edge, input)))
        }
      }
    }
    const value: executor.EdgeValue = (edge) =>
      made.has(edge) ? made.get(edge) : executor.valueOf(layout.edges[edge]!, self.build.values, self.build.outside)
    return Effect.as(Effect.all(steps, { discard: true }), value)
  })

/**
 * The services the roots give, in the build's context: a transient root's instance is owned by the
 * graph's build, a handle is made as for a node.
 *
 * @internal
 */
export const rootContext = <Roots>(self: Container): Effect.Effect<Context.Context<Roots>, Errors.BuildError> => {
  const services = new Map<string, unknown>()
  const roots = self.plan.roots
  return Effect.as(
    Effect.forEach(roots, (edge) => Effect.map(edgeService(self, edge), (service) => void services.set(edge.request.key, service)), {
      discard: true
    }),
    runtime.contextFromMap<Roots>(services)
  ).pipe(Effect.catchIf((error) => !(error instanceof Errors.ConstructionError), Effect.die)) as Effect.Effect<
    Context.Context<Roots>,
    Errors.BuildError
  >
}

/** The service of a request outside any node: the roots', a scope's entry or a lookup's (`chain` its open scopes). @internal */
export const edgeService = (self: Container, edge: Plan.Edge, chain?: ScopeInstance): Effect.Effect<unknown, Errors.HandleError> => {
  const handle = edge.request.handle
  if (handle !== undefined) {
    const target = edge.targets[0]!
    return handle === "lazy"
      ? Effect.succeed(lazyHandle(self, target, undefined, chain))
      : handle === "factory"
      ? Effect.succeed(factoryHandle(self, target))
      : reloadableOf(self, target, chain)
  }
  if (edge.targets.every((target) => self.rank[target] === 0 && self.eager[target] === 1 && !startup.pending(self, target))) {
    return Effect.succeed(executor.valueOf(edge, self.build.values, self.build.outside))
  }
  return Effect.map(
    Effect.forEach(edge.targets, (target) =>
      self.rank[target] === 0
        ? singleton(self, target, chain)
        : self.rank[target] === TRANSIENT
        // a transient outside any node lives as long as what provides it: the open scope, or the graph
        ? Effect.flatMap(openIn(self, chain ?? self.build, target), (scope) => buildIn(self, target, scope, chain, "transient", chain))
        : scoped(self, target, chain)),
    (values) => collect(edge, values)
  )
}

/** The value of an edge from its targets' instances: the one, an Option, or the collection. */
const collect = (edge: Plan.Edge, values: ReadonlyArray<unknown>): unknown =>
  edge.request.cardinality === "one"
    ? values[0]
    : edge.request.cardinality === "optional"
    ? (values.length === 0 ? Option.none() : Option.some(values[0]))
    : values

/** The instance of a node a requester (whose scope is `scope`, an instance of `openOwner` if given) gets, by the node's lifetime. */
const instanceFor = (
  self: Container,
  id: number,
  scope: Scope.Scope,
  chain: ScopeInstance | undefined,
  openOwner: ScopeInstance | undefined
): Effect.Effect<unknown, Errors.HandleError> => {
  const rank = self.rank[id]!
  if (rank === 0) return singleton(self, id, chain)
  if (rank === TRANSIENT) {
    return Effect.flatMap(Scope.fork(scope, ExecutionStrategy.sequential), (own) => buildIn(self, id, own, chain, "transient", openOwner))
  }
  return scoped(self, id, chain)
}

/**
 * Builds a node in `scope` (its own, closed by its owner): its dependencies, its constructor, App's
 * hook. Nothing is built once the container's close began (a lookup or a handle used while it
 * closes, or after): what the node would be built with is released, or about to be, and so would the
 * instance be at once; it fails with `ContainerClosed`, also when the close began while its
 * dependencies were made. A constructor already running finishes first: the close waits for it
 * (`builds.tracked`), so it ends with its dependencies alive, and its instance is released before them.
 * `openOwner`: the open scope whose instance it is (`scope` is in it: a scoped component's, a
 * transient's the scope owns or one of its instances holds), whose close waits for it the same way,
 * and once begun builds nothing more (`ScopeNotOpen`).
 */
const buildIn = (
  self: Container,
  id: number,
  scope: Scope.Scope,
  chain: ScopeInstance | undefined,
  kind: InstanceKind,
  openOwner?: ScopeInstance
): Effect.Effect<unknown, Errors.HandleError> => builds.tracked(self, id, kind, () => buildNow(self, id, scope, chain, kind, openOwner), openOwner)

/** `buildIn` within a build already counted in flight (a factory call, a reload: each as a whole). @internal */
export const buildNow = (
  self: Container,
  id: number,
  scope: Scope.Scope,
  chain: ScopeInstance | undefined,
  kind: InstanceKind,
  openOwner?: ScopeInstance
): Effect.Effect<unknown, Errors.HandleError> =>
  self.direct[id] === 1
    ? construct(self, id, scope, undefined, kind)
    : Effect.flatMap(
      prepare(self, id, scope, chain, openOwner),
      (edgeValue) => self.build.closing !== undefined ? Effect.fail(builds.closedFor(self, kind)) : construct(self, id, scope, edgeValue, kind)
    )

/** A node's instance (see `instance`), observed when App watches it, in a span when the graph's spans are on. */
const construct = (
  self: Container,
  id: number,
  scope: Scope.Scope,
  edgeValue: executor.EdgeValue | undefined,
  kind: InstanceKind
): Effect.Effect<unknown, Errors.HandleError> => {
  const events = self.instanceEvents
  const made = events !== undefined && events.watches(id, kind)
    ? watched(self, events, id, scope, edgeValue, kind)
    : instance(self, id, scope, edgeValue, kind)
  if (!self.instanceSpans) return made
  // a child's component is named by its path, as its health checks are (`tenant-a/Db (override)`)
  const node = self.plan.nodes[id]!
  return observe.instanceBuild(node, made, self.path.length === 0 ? node.name : `${self.path.join("/")}/${node.name}`)
}

/** A node's constructor and App's hook, its dependencies' values given (`undefined`: all plain). */
const instance = (
  self: Container,
  id: number,
  scope: Scope.Scope,
  edgeValue: executor.EdgeValue | undefined,
  kind: InstanceKind
): Effect.Effect<unknown, Errors.HandleError> => {
  const construct = self.plan.nodes[id]!.component.construct
  const built = construct._tag === "Value"
    ? Effect.succeed(construct.value)
    : Effect.withFiberRuntime<unknown, Errors.BuildError>((fiber) => executor.constructInstance(self.build, id, scope, fiber, edgeValue))
  const hook = self.onInstance
  return hook === undefined ? built : Effect.tap(built, (service) => hook(id, service, scope, kind === "singleton", edgeValue))
}

/**
 * An instance App watches (see `InstanceEvents`): built in a scope of its own inside `scope`, which
 * `scope` closes first (before what the instance was built with), so that its release is timed and
 * its failure seen, then passed on to `scope`'s close.
 */
const watched = (
  self: Container,
  events: InstanceEvents,
  id: number,
  scope: Scope.Scope,
  edgeValue: executor.EdgeValue | undefined,
  kind: InstanceKind
): Effect.Effect<unknown, Errors.HandleError> =>
  Effect.flatMap(Scope.fork(scope, ExecutionStrategy.sequential), (own) => {
    // what its constructor looks up is the node scope's (`container/lookedUp.ts`)
    runtime.opensIn(own, scope)
    const began = events.now()
    const release = (exit: Exit.Exit<unknown, unknown>) =>
      Effect.suspend(() => {
        const at = events.now()
        return Effect.flatMap(Effect.exit(Scope.close(own, exit)), (closed) => {
          events.released(id, kind, events.now() - at, closed)
          return closed
        })
      })
    // one step, not interruptible: a release follows every build published as a success
    return Effect.onExit(instance(self, id, own, edgeValue, kind), (exit) =>
      Effect.suspend(() => {
        events.built(id, kind, events.now() - began, exit)
        return Exit.isSuccess(exit) ? Scope.addFinalizerExit(scope, release) : Effect.void
      }))
  })

/** Runs `make` once per key of `memo`, sharing it between concurrent callers; a failure is not kept. */
const once = (
  memo: Map<number, Deferred.Deferred<unknown, Errors.HandleError>>,
  id: number,
  make: Effect.Effect<unknown, Errors.HandleError>,
  onSuccess?: (value: unknown) => void,
  /** instead of trying again: what a waiter whose builder was interrupted fails with, when it should not */
  givenUp?: () => Errors.HandleError | undefined
): Effect.Effect<unknown, Errors.HandleError> =>
  Effect.suspend(() => {
    const existing = memo.get(id)
    if (existing !== undefined) {
      // the build it awaited was interrupted (its builder was): the waiter tries again (a waiter that
      // is interrupted itself runs no handler), unless `givenUp` says otherwise
      return Effect.catchAllCause(Deferred.await(existing), (cause) => {
        if (!Cause.isInterruptedOnly(cause)) return Effect.failCause(cause)
        const error = givenUp?.()
        return error === undefined ? once(memo, id, make, onSuccess, givenUp) : Effect.fail(error)
      })
    }
    // uninterruptible from taking the memo's place to watching the build's end: an interruption never
    // leaves a Deferred nobody completes
    return Effect.uninterruptibleMask((restore) =>
      Effect.suspend(() => {
        if (memo.has(id)) return restore(once(memo, id, make, onSuccess, givenUp))
        const deferred = runtime.makeDeferred<unknown, Errors.HandleError>()
        memo.set(id, deferred)
        return Effect.onExit(restore(make), (exit) =>
          Effect.sync(() => {
            if (exit._tag === "Success") onSuccess?.(exit.value)
            else memo.delete(id)
            // a failure completes the waiting callers with it; an interruption sends them to try again
            runtime.completeDeferred(deferred, exit)
          }))
      })
    )
  })

/** A new node scope of `owner` for a node of this container (an open scope notes which container's node). */
const openIn = (self: Container, owner: executor.Owner, id: number): Effect.Effect<Scope.CloseableScope> =>
  owner instanceof ScopeInstance
    ? Effect.tap(executor.openScope(owner, id), (scope) => void owner.madeBy.set(scope, self))
    : executor.openScope(owner, id)

/**
 * Builds a node in a new node scope of `owner`. A failed build's scope is closed at once and
 * forgotten by its owner: what the attempt acquired is released now, not with the owner (its
 * failure added to the build's, or logged when the build was interrupted: `builds.releaseFailed`).
 */
const buildOwned = (
  self: Container,
  owner: executor.Owner,
  id: number,
  chain: ScopeInstance | undefined
): Effect.Effect<readonly [unknown, Scope.CloseableScope], Errors.HandleError> =>
  Effect.flatMap(openIn(self, owner, id), (scope) => {
    return Effect.onError(
      Effect.map(
        buildIn(self, id, scope, chain, self.rank[id] === 0 ? "singleton" : "scoped", owner instanceof ScopeInstance ? owner : undefined),
        (value) => [value, scope] as const
      ),
      (cause) =>
        Effect.suspend(() => {
          const index = owner.scopes.indexOf(scope)
          if (index !== -1) {
            owner.scopes.splice(index, 1)
            owner.owners.splice(index, 1)
          }
          return Effect.flatMap(builds.releaseFailed(self, id, scope, cause), (failure) => failure === undefined ? Effect.void : Effect.failCause(failure))
        })
    )
  })

/**
 * Builds the singletons first built by a handle and the scoped instances that a node reaches through
 * plain requests (through transients too), before the node's own scope is opened: an owner (the
 * graph's build, an open scope) releases its scopes last opened first, so each is released after
 * what depends on it.
 */
const dependenciesFirst = (self: Container, id: number, chain: ScopeInstance | undefined): Effect.Effect<void, Errors.HandleError> => {
  const layout = self.build.layout
  const steps: Array<Effect.Effect<unknown, Errors.HandleError>> = []
  for (let edge = layout.edgeStart[id]!; edge < layout.edgeStart[id + 1]!; edge++) {
    const kind = self.edgeKind[edge]
    if (kind === EDGE_LAZY || kind === EDGE_FACTORY) continue
    for (const target of layout.edges[edge]!.targets) {
      const rank = self.rank[target]!
      if (rank === 0 && (self.eager[target] === 0 || startup.pending(self, target))) steps.push(singleton(self, target, chain))
      else if (rank === TRANSIENT) steps.push(dependenciesFirst(self, target, chain))
      else if (rank > 0) steps.push(scoped(self, target, chain))
    }
  }
  return steps.length === 0 ? Effect.void : Effect.all(steps, { discard: true })
}

/** A singleton: eager ones are built; one reached only by handles is built on first use, in the graph's build. @internal */
export const singleton = (self: Container, id: number, chain: ScopeInstance | undefined): Effect.Effect<unknown, Errors.HandleError> =>
  // once built, the current instance (a reload replaces it), not the first build's
  self.eager[id] === 1 || self.lazyBuilt[id] === 1
    ? (startup.pending(self, id) ? startup.instance(self, id) : Effect.sync(() => self.build.values[id]))
    : self.delegate !== undefined
    ? delegated(self, id, chain) ?? lazySingleton(self, id, chain)
    : lazySingleton(self, id, chain)

/** Another container's instance of the node (see `Container.delegate`), stored as this one's value. */
const delegated = (self: Container, id: number, chain: ScopeInstance | undefined): Effect.Effect<unknown, Errors.HandleError> | undefined => {
  const found = self.delegate!(id, chain)
  return found === undefined ? undefined : Effect.tap(found, (value) => {
    self.build.values[id] = value
  })
}

/**
 * A singleton built on first use. Its caller, as it resumes, gets `ContainerClosed` once the
 * container's close began: the build it ran or waited for was still running then (the close waited
 * for it), and its instance is released now, after the dependents built before it, as a lookup's is.
 */
const lazySingleton = (self: Container, id: number, chain: ScopeInstance | undefined): Effect.Effect<unknown, Errors.HandleError> => {
  const own = Effect.map(buildOwned(self, self.build, id, chain), ([value]) => value)
  return Effect.flatMap(
    once(
      self.lazy,
      id,
      Effect.zipRight(dependenciesFirst(self, id, chain), self.onLazyBuild?.(id, own) ?? own),
      (value) => {
        self.build.values[id] = value
        self.lazyBuilt[id] = 1
      },
      // the graph's build that was torn down interrupted the build awaited: building it again would
      // only release it again (the constructors waiting for it are being cut off too)
      () => self.inFlight.tree?.torn?.() === true ? builds.closedFor(self, "singleton") : undefined
    ),
    (value) => self.build.closing === undefined ? Effect.succeed(value) : Effect.fail(builds.closedFor(self, "singleton"))
  )
}

/** The nearest scope of `name` in `chain`. */
const named = (chain: ScopeInstance | undefined, name: string): ScopeInstance | undefined => {
  let owner = chain
  while (owner !== undefined && owner.name !== name) owner = owner.parent
  return owner
}

/**
 * A scoped component's instance in the nearest open scope of its name: built once in it. `made`:
 * the open scopes where the asking handle was made, for a use where the fiber has none of that name
 * open (a streamed HTTP body sent after its handler returned, a fiber started from another runtime):
 * the handle's own scope then, as long as it is open. Once the scope's release began, only its
 * instances not released yet are given (to the finalizers of what depends on them): nothing is built,
 * and a fiber that outlived the scope gets `ScopeNotOpen`, never a released instance.
 */
const scoped = (
  self: Container,
  id: number,
  chain: ScopeInstance | undefined,
  made?: ScopeInstance | undefined
): Effect.Effect<unknown, Errors.HandleError> =>
  Effect.suspend(() => {
    const name = self.scopeNames[self.rank[id]! - 1]!
    let owner = named(chain, name)
    let open = chain
    if (owner === undefined && made !== undefined) {
      const own = named(made, name)
      if (own !== undefined && own.closing === undefined) {
        owner = own
        open = made
      }
    }
    const elsewhere = self.delegate?.(id, open)
    if (elsewhere !== undefined) return elsewhere
    const key = self.scopeKeyBase + id
    // a scope whose release began builds nothing, and its released instances are forgotten as they go
    // (`within`'s release): a fiber forked in it that outlives it finds no scope open there
    if (owner === undefined) {
      return Effect.fail(new Errors.ScopeNotOpen({ component: self.plan.nodes[id]!.name, scope: name, path: planInternal.pathTo(self.plan, id) }))
    }
    const instance = owner
    // its close began: an instance not released yet is still given (to the finalizers of what depends
    // on it, released before it); nothing more is built, and one whose build ends meanwhile is released
    // with the others (the close waited for it), so a fiber that outlived the scope gets none
    if (instance.closing !== undefined && !instance.instances.has(key)) return Effect.fail(builds.scopeClosedFor(self, id, instance))
    // read again as the caller resumes: one that waited for another fiber's build may resume once the
    // close began and released the instance (forgotten as its release began)
    return Effect.flatMap(
      once(
        instance.instances,
        key,
        Effect.zipRight(
          dependenciesFirst(self, id, instance),
          Effect.flatMap(buildOwned(self, instance, id, instance), ([value]) =>
            instance.closing === undefined ? Effect.succeed(value) : Effect.fail(builds.scopeClosedFor(self, id, instance)))
        )
      ),
      (value) => instance.closing === undefined || instance.instances.has(key) ? Effect.succeed(value) : Effect.fail(builds.scopeClosedFor(self, id, instance))
    )
  })

/**
 * A request of a scope's input: what the opener of the nearest open scope that declares it provided
 * (the resolver checked that only components of that scope, or of one inside it, request it; a
 * scope opened outside the one whose input it is fails as `ScopeNotOpen`).
 */
const inputOf = (
  self: Container,
  id: number,
  edge: Plan.Edge,
  chain: ScopeInstance | undefined
): Effect.Effect<unknown, Errors.HandleError> => {
  const key = edge.request.service
  for (let open = chain; open !== undefined; open = open.parent) {
    if (open.inputs.has(key)) {
      const input = open.inputs.get(key)
      return Effect.succeed(
        edge.request.cardinality === "one" ? input : edge.request.cardinality === "optional" ? Option.some(input) : [input]
      )
    }
  }
  const scope = self.plan.scopes.find((entry) => entry.inputs.includes(key))!.name
  return Effect.fail(new Errors.ScopeNotOpen({ component: self.plan.nodes[id]!.name, scope, path: planInternal.pathTo(self.plan, id) }))
}

// ---------------------------------------------------------------------------------------------
// handles

/**
 * A lazy handle: the component's instance on first use. A singleton's is the container's; a
 * transient's is built once for the requester (in `owner`, the requester's scope; an instance of
 * `openOwner` when the requester is one: built as one, see `buildIn`); a scoped component's is the
 * one of the nearest open scope of its name where the handle is used, else (used where none is open:
 * another fiber, such as a streamed body's) the one of the scope it was made in (`made`), while that
 * scope is open.
 */
const lazyHandle = (
  self: Container,
  id: number,
  owner: Scope.Scope | undefined,
  made: ScopeInstance | undefined,
  openOwner?: ScopeInstance
): Effect.Effect<unknown, Errors.HandleError> => {
  const rank = self.rank[id]!
  if (rank === 0) {
    // once built, the instance is read (the current one, for a reloadable component), until its
    // release began: the finalizers of its dependents, released before it, still get it; a use after
    // does not, as a reloadable's does not (read again as a first use's caller resumes)
    const first = Effect.flatMap(FiberRef.get(openScopes), (chain) =>
      Effect.flatMap(singleton(self, id, chain), (value) => self.released[id] === 0 ? Effect.succeed(value) : Effect.fail(releasedFor(self, id))))
    return Effect.suspend(() =>
      self.released[id] === 1
        ? Effect.fail(releasedFor(self, id))
        : (self.eager[id] === 1 && !startup.pending(self, id)) || self.lazyBuilt[id] === 1
        ? Effect.succeed(self.build.values[id])
        : first
    )
  }
  if (rank === TRANSIENT) {
    const memo = new Map<number, Deferred.Deferred<unknown, Errors.HandleError>>()
    // set as the instance's release begins (its owner's: the container's release, the requester's)
    let released = false
    const built = Effect.flatMap(FiberRef.get(openScopes), (chain) =>
      once(
        memo,
        id,
        Effect.flatMap(owner === undefined ? executor.openScope(self.build, id) : Scope.fork(owner, ExecutionStrategy.sequential), (scope) =>
          Effect.flatMap(
            Effect.tap(buildIn(self, id, scope, chain, "transient", openOwner), () =>
              Scope.addFinalizer(scope, Effect.sync(() => {
                released = true
              }))),
            // built while the container's close began (it waited for this build): released with the
            // rest, never given, and not kept (a later use builds nothing: ContainerClosed)
            (value) => self.build.closing === undefined ? Effect.succeed(value) : Effect.fail(builds.closedFor(self, "transient"))
          ))
      ))
    // an open scope's instance holds it: once the scope's close began (a fiber that outlived it, or one
    // that waited for another's build and resumed after that close released it), it is not given; nor
    // is one released with its container (a handle kept past its end), as a reloadable's is not
    return Effect.flatMap(built, (value): Effect.Effect<unknown, Errors.HandleError> =>
      openOwner !== undefined && openOwner.closing !== undefined
        ? Effect.fail(builds.scopeClosedFor(self, id, openOwner))
        : released
        ? Effect.fail(releasedFor(self, id))
        : Effect.succeed(value))
  }
  return Effect.flatMap(FiberRef.get(openScopes), (chain) => scoped(self, id, chain, made))
}

/** What a handle's use of an instance already released fails with: its container's close, else its shutdown (its own or its requester's). */
const releasedFor = (self: Container, id: number): Errors.ContainerClosed | Errors.ComponentShutDown =>
  self.build.closing !== undefined
    ? builds.closedFor(self, "transient")
    : new Errors.ComponentShutDown({ container: self.path, component: self.plan.nodes[id]!.name, path: planInternal.pathTo(self.plan, id) })

/**
 * A factory handle: a new instance at every call, in a scope forked from the caller's. One whose
 * build ended after the container's close began is released at once (its owner, the caller's Scope,
 * would release it after its dependencies) and the call fails with `ContainerClosed`: the close waits
 * for the whole call.
 */
const factoryHandle = (self: Container, id: number): Effect.Effect<unknown, Errors.HandleError, Scope.Scope> =>
  Effect.flatMap(Effect.scope, (caller) =>
    // a component shut down is not built again in its container (a handle got before the shutdown)
    self.released[id] === 1 && self.build.closing === undefined ? Effect.fail(releasedFor(self, id)) :
    Effect.flatMap(FiberRef.get(openScopes), (chain) =>
      builds.tracked(self, id, "factory", () =>
        Effect.flatMap(Scope.fork(caller, ExecutionStrategy.sequential), (own) =>
          Effect.flatMap(buildNow(self, id, own, chain, "factory"), (value) =>
            self.build.closing === undefined ? Effect.succeed(value) : closeLate(self, own, "factory"))))))

/** A build that ended after its container's close began: its scope released now, the call failed with `ContainerClosed` (and that release's failure). */
const closeLate = (self: Container, scope: Scope.CloseableScope, kind: InstanceKind): Effect.Effect<never, Errors.HandleError> =>
  Effect.flatMap(Effect.exit(Scope.close(scope, Exit.void)), (closed) => {
    const cause = Cause.fail(builds.closedFor(self, kind))
    return Effect.failCause(closed._tag === "Failure" ? Cause.sequential(cause, closed.cause) : cause)
  })

/**
 * The reloadable handle of a singleton: made by the container that holds its instance (this one, or
 * the one a lookup's container delegates it to).
 *
 * @internal
 */
export const reloadableOf = (
  self: Container,
  id: number,
  chain: ScopeInstance | undefined
): Effect.Effect<Dependency.ReloadableHandle<unknown>, Errors.HandleError> =>
  self.delegateReloadable?.(id, chain) ?? reloadable.reloadableHandle(self, id, chain)

/** The container's tag, as components and the program request it (`Container.Container`). @internal */
export const Tag = Context.GenericTag<PublicContainer.Container>(dependency.containerKey)

/** The container behind the public service (the only implementation of it). @internal */
export const fromService = (service: PublicContainer.Container): Container => service as Container

// ---------------------------------------------------------------------------------------------
// run-time lookups (see container/lookup.ts)

/** The open scopes of the current fiber, innermost first. @internal */
export const currentScopes: Effect.Effect<ScopeInstance | undefined> = FiberRef.get(openScopes)

/**
 * The instance of a node that every requester shares: a singleton's (built if it is not yet; pinned:
 * a reload does not release what a requester captured), or the nearest open scope's for a scoped
 * component; `undefined` for a transient (each requester builds its own).
 *
 * @internal
 */
export const sharedInstance = (
  self: Container,
  id: number,
  chain: ScopeInstance | undefined
): Effect.Effect<unknown, Errors.HandleError> | undefined => {
  const rank = self.rank[id]!
  return rank === 0
    ? Effect.flatMap(singleton(self, id, chain), () => {
      // released (its container closed, or it was shut down): another container's lazy handle of it,
      // kept since, gets none
      if (self.released[id] === 1) return Effect.fail(releasedFor(self, id))
      // another container's requester captures it: a reload does not release it. The current instance,
      // pinned now: the one built for this request may have been replaced (and released) since
      reloadable.pin(self, id)
      return Effect.succeed(self.build.values[id])
    })
    : rank === TRANSIENT
    ? undefined
    : scoped(self, id, chain)
}

/** Whether the node is a singleton already built: its value is `build.values[id]`. @internal */
export const isBuilt = (self: Container, id: number): boolean =>
  self.rank[id] === 0 && ((self.eager[id] === 1 && !startup.pending(self, id)) || (self.build.values[id] !== undefined && self.lazy.has(id)))
