/**
 * Opening a lifetime's scope around an effect (`Lifetime.within`, `Http.requestScope`): the services
 * it gives, checked against the plan (`scopeEdges`), built or found in a new open scope of the fiber
 * (`withinEdges`), and the scope's instances released when it ends, by the containers that built them.
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Exit from "effect/Exit"
import * as FiberRef from "effect/FiberRef"
import * as Scope from "effect/Scope"
import type * as Dependency from "../../Dependency.js"
import * as Errors from "../../Errors.js"
import type * as Plan from "../../Plan.js"
import { type Container, edgeService, openScopes, ScopeInstance } from "../container.js"
import * as builds from "./builds.js"
import * as dependency from "../dependency.js"
import * as executor from "../executor.js"
import * as runtime from "../runtime.js"


/**
 * Opens a scope named `name` around `effect`, inside the scopes the fiber has open: the services of
 * `requests` (each a request the scope provides, or one of the plan's roots) are built (or found) in
 * it and given to `effect`; when `effect` ends, the scope's instances are released, last built first.
 * The scope's inputs are taken from the caller's context (its type requires them). A release
 * failure is a defect of `within`.
 *
 * With `owner` (an HTTP request's Scope, closed once the response is sent), the instances are
 * released when `owner` closes instead (at once if it is closed), with `effect`'s exit when it failed
 * (a failure answered after the middleware, as HttpApi answers a handler's errors, leaves `owner`'s
 * exit a success), else with `owner`'s; a release failure is then logged, as no caller is left to fail.
 *
 * @internal
 */
export const within = <A, E, R>(
  self: Container,
  name: string,
  requests: ReadonlyArray<Dependency.Any>,
  effect: Effect.Effect<A, E, R>,
  owner?: Scope.Scope
): Effect.Effect<A, E | Errors.HandleError, R> =>
  Effect.suspend(() => {
    const edges = scopeEdges(self.plan, name, requests)
    return Either.isLeft(edges)
      ? Effect.dieMessage(`layerwise Lifetime.within: ${edges.left.message}`)
      : withinEdges(self, name, edges.right, effect, owner)
  })

/**
 * What the scope `name` gives for each of `requests` (a service it provides, or a root of the plan),
 * in their order; or the `NotInScope` naming those it does not give (or the scope, when the
 * application does not declare it). `Lifetime.within` checks each call; a request scope's middleware
 * checks once, when it is made.
 *
 * @internal
 */
export const scopeEdges = (
  plan: Plan.Any,
  name: string,
  requests: ReadonlyArray<Dependency.Any>
): Either.Either<ReadonlyArray<Plan.Edge>, Errors.NotInScope> => {
  const entry = plan.scopes.find((scope) => scope.name === name)
  const edges: Array<Plan.Edge> = []
  const missing: Array<string> = []
  for (const request of requests) {
    const edge = entry?.provides.find((candidate) => candidate.request.key === request.key) ??
      plan.roots.find((candidate) => candidate.request.key === request.key)
    if (entry === undefined || edge === undefined) missing.push(dependency.describe(dependency.requestOf(request)).label)
    else edges.push(edge)
  }
  return entry !== undefined && missing.length === 0 ? Either.right(edges) : Either.left(
    new Errors.NotInScope({
      scope: name,
      services: missing,
      provides: entry === undefined ? [] : entry.provides.map((edge) => edge.request.label),
      declared: plan.scopes.map((scope) => scope.name)
    })
  )
}

/** `within` for requests `scopeEdges` found in the scope. @internal */
export const withinEdges = <A, E, R>(
  self: Container,
  name: string,
  edges: ReadonlyArray<Plan.Edge>,
  effect: Effect.Effect<A, E, R>,
  owner?: Scope.Scope
): Effect.Effect<A, E | Errors.HandleError, R> =>
  Effect.flatMap(FiberRef.get(openScopes), (parent) => {
    const entry = self.plan.scopes.find((scope) => scope.name === name)!
    return Effect.acquireUseRelease(
      Effect.map(Effect.context<never>(), (caller) => {
        const services = runtime.servicesOf(caller)
        const inputs = new Map<string, unknown>()
        for (const key of entry.inputs) if (services.has(key)) inputs.set(key, services.get(key))
        return new ScopeInstance(name, parent, inputs)
      }),
      (instance) =>
        Effect.locally(
          Effect.flatMap(
            Effect.forEach(edges, (edge) => edgeService(self, edge, instance)),
            (services) => Effect.provide(effect, runtime.contextFromMap(new Map(services.map((service, index) => [edges[index]!.request.key, service]))))
          ),
          openScopes,
          instance
        ),
      (instance, exit) => {
        const release = (exit: Exit.Exit<unknown, unknown>) =>
          Effect.flatMap(releaseScopeInstance(self, instance, exit), (failures) => failures === undefined ? Effect.void : Effect.failCause(failures))
        return owner === undefined
          ? release(exit)
          : Scope.addFinalizerExit(owner, (closed) => Effect.catchAllCause(release(exit._tag === "Failure" ? exit : closed), Effect.logError))
      }
    )
  })

/**
 * Releases an open scope's instances, once the builds of its instances in flight (in fibers that
 * outlived it) have ended (`builds.closeScope`: nothing more is built in it from then on). When
 * run-time lookups' containers built some of them (their node ids are their own plans'), each
 * container's are released with its plan (dependents first), the containers made last first: a
 * lookup's container depends only on containers made before it.
 */
const releaseScopeInstance = (
  self: Container,
  instance: ScopeInstance,
  exit: Exit.Exit<unknown, unknown>
): Effect.Effect<Cause.Cause<never> | undefined> =>
  Effect.suspend(() => {
    const building = builds.closeScope(instance, exit)
    return building === undefined ? releaseNow(self, instance, exit) : Effect.zipRight(building, releaseNow(self, instance, exit))
  })

const releaseNow = (
  self: Container,
  instance: ScopeInstance,
  exit: Exit.Exit<unknown, unknown>
): Effect.Effect<Cause.Cause<never> | undefined> =>
  Effect.suspend(() => {
    let foreign = false
    for (const made of instance.madeBy.values()) if (made !== self) foreign = true
    if (!foreign) return executor.releaseOwner(instance, self.plan, exit, forgetting(instance, self))
    instance.closing ??= exit
    const scopes = instance.scopes.splice(0)
    const owners = instance.owners.splice(0)
    const groups = new Map<Container, executor.Owner>()
    scopes.forEach((scope, index) => {
      const made = instance.madeBy.get(scope) ?? self
      let group = groups.get(made)
      if (group === undefined) groups.set(made, group = { scopes: [], owners: [], closing: undefined })
      group.scopes.push(scope)
      group.owners.push(owners[index]!)
    })
    const ordered = [...groups].sort(([a], [b]) => b.scopeKeyBase - a.scopeKeyBase)
    return Effect.reduce(ordered, undefined as Cause.Cause<never> | undefined, (failures, [made, group]) =>
      Effect.map(executor.releaseOwner(group, made.plan, exit, forgetting(instance, made)), (failure) =>
        failure === undefined ? failures : failures === undefined ? failure : Cause.sequential(failures, failure)))
  })

/**
 * The release of a scope's node scopes forgets each instance as its release begins: a use after it
 * (a fiber forked in the scope that outlived it) finds it no longer there (`ScopeNotOpen`).
 */
const forgetting = (instance: ScopeInstance, made: Container): executor.NodeRelease => ({
  before: (id) => {
    instance.instances.delete(made.scopeKeyBase + id)
    return undefined
  },
  after: () => {}
})
