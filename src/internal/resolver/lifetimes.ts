/**
 * Lifetimes at resolution: every component's lifetime is checked before anything runs.
 *
 * - a component scoped to a scope the application does not declare is an `InvalidDeclaration` (the
 *   scope's inputs it requests are then no `MissingComponent`: choose.ts leaves them to this): one the
 *   roots reach, and one they do not whose scope's name is close to a declared one's (a misspelt scope:
 *   nothing could ever open it, and `Lifetime.within` of the declared one would fail at its first use;
 *   one of another scope is another application's, which declares it, sharing the registry);
 * - a transient or scoped component with start or stop hooks, background work or health checks is
 *   one too (App starts, stops and checks singletons only);
 * - a component that depends directly on one that lives less is a `LifetimeMismatch`, with its path.
 *   Lifetimes are ordered singleton, then the declared scopes outer first; a transient dependency
 *   lives as long as its requester, so its own dependencies are checked against its requester's
 *   lifetime (through any number of transients). Handle requests (`Dependency.lazy`, `factory`,
 *   `reloadable`) are the way across, and are not checked, except a lazy handle of a transient: the
 *   instance it builds lives as long as its holder, so its dependencies are checked against it. A scope's input lives as long as the
 *   outermost declared scope that has it: only components of that scope, or of one inside it, may
 *   request it.
 *
 * Linear in the walk's edges, times the depth of transient chains.
 *
 * @internal
 */
import * as Errors from "../../Errors.js"
import type * as Lifetime from "../../Lifetime.js"
import * as lifetime from "../lifetime.js"
import { hooksField, hookSteps } from "./hooks.js"
import { suggest } from "./problems.js"
import type { Candidates, Walk } from "./state.js"

/** The key of `@effect/platform`'s `HttpServerRequest` (the input of the scope `Http.requestScope` serves), which the resolver does not import. */
const HTTP_REQUEST = "@effect/platform/HttpServerRequest"

const nonSingletonHooks = (
  lifecycle: NonNullable<Candidates["components"][number]["lifecycle"]>
): ReadonlyArray<string> =>
  [
    lifecycle.onStart.length > 0 ? "start hooks" : undefined,
    lifecycle.onStop.length > 0 ? "stop hooks" : undefined,
    lifecycle.background.length > 0 ? "background work" : undefined,
    lifecycle.healthChecks.length > 0 ? "health checks" : undefined,
    // a startup component is built when the application starts: a transient one would be built for
    // no one, a scoped one before its scope opens
    lifecycle.startup !== undefined ? "a startup order (Lifecycle.startup)" : undefined
  ].filter((hook) => hook !== undefined)

/** A candidate's dependency path, from a root (first-discovery parents). */
const chainOf = (walk: Walk, candidate: number): Array<number> => {
  const chain: Array<number> = []
  for (let current = candidate; current !== -1; current = walk.parentOf[current]!) chain.push(current)
  return chain.reverse()
}

/** The names of a candidate's dependency path, from a root. */
const pathOf = (candidates: Candidates, walk: Walk, candidate: number): Array<string> =>
  chainOf(walk, candidate).map((current) => candidates.names[current]!)

/**
 * The registry's components the walk did not reach that are scoped to an undeclared scope whose name
 * is close to a declared one's (`Reqest` for `Request`): misspelt, since a scope nobody declares is
 * never opened. (The walked ones are checked with the others.)
 */
const misspeltScopes = (
  candidates: Candidates,
  walk: Walk,
  scopes: ReadonlyArray<string>,
  problems: Array<Errors.Problem>
): void => {
  const { components, names } = candidates
  const position = walk.state.position
  const close = new Map<string, boolean>()
  for (let candidate = 0; candidate < walk.state.index.baseCount; candidate++) {
    const own = components[candidate]!.lifetime
    if (own?._tag !== "Scoped" || position[candidate] !== -1 || scopes.includes(own.scope.name)) continue
    let misspelt = close.get(own.scope.name)
    if (misspelt === undefined) close.set(own.scope.name, misspelt = suggest(own.scope.name, scopes).length > 0)
    if (!misspelt) continue
    problems.push(
      new Errors.InvalidDeclaration({
        path: [],
        subject: { _tag: "Component", name: names[candidate]! },
        issues: [{ code: "UnknownScope", scope: own.scope.name, declared: scopes }]
      })
    )
  }
}

/**
 * Checks the lifetimes of the walked candidates; `scopes` are the declared scope names, outer first.
 *
 * @internal
 */
export const check = (
  candidates: Candidates,
  walk: Walk,
  scopes: ReadonlyArray<string>,
  inputs: ReadonlyMap<string, string>,
  problems: Array<Errors.Problem>
): void => {
  const { components, names } = candidates
  // rank: 0 singleton, 1 + i the i-th declared scope; -1 transient (its requester's); -2 unknown scope
  const rankOf = (own: Lifetime.Lifetime | undefined): number => {
    if (own === undefined || own._tag === "Singleton") return 0
    if (own._tag === "Transient") return -1
    const index = scopes.indexOf(own.scope.name)
    return index === -1 ? -2 : index + 1
  }
  const lifetimeOf = (candidate: number): Lifetime.Lifetime => lifetime.get(components[candidate]!)
  // a scope whose opener provides the platform's request: the one `Http.requestScope` serves
  const servedByHttp = (own: Lifetime.Lifetime): boolean => own._tag === "Scoped" && inputs.get(HTTP_REQUEST) === own.scope.name
  const declaration = (candidate: number, path: ReadonlyArray<string>, issue: Errors.DeclarationIssue) =>
    problems.push(new Errors.InvalidDeclaration({ path, subject: { _tag: "Component", name: names[candidate]! }, issues: [issue] }))
  const reloadableOf = (target: number, path: ReadonlyArray<string>, requester: string) => {
    if (rankOf(components[target]!.lifetime) === 0) return
    declaration(target, path, { code: "ReloadableOfNonSingleton", lifetime: lifetime.format(lifetimeOf(target)), requester })
  }
  // `last`: the dependency, or the key of the request of a scope's input (no candidate)
  const mismatch = (
    candidate: number,
    dependency: string,
    dependencyLifetime: string,
    through: ReadonlyArray<number>,
    last: { readonly target: number } | { readonly key: string }
  ) => {
    const path = chainOf(walk, candidate)
    const chain = "target" in last ? [...path, ...through, last.target] : [...path, ...through]
    problems.push(
      new Errors.LifetimeMismatch({
        path: path.map((current) => names[current]!),
        component: names[candidate]!,
        lifetime: lifetime.format(lifetimeOf(candidate)),
        dependency,
        dependencyLifetime,
        through: through.map((transient) => names[transient]!),
        ...hooksField(hookSteps(candidates, walk.edgesOf, chain, "key" in last ? last.key : undefined)),
        ...("target" in last && servedByHttp(lifetimeOf(last.target)) ? { http: true } : {})
      })
    )
  }
  const postOrder = walk.postOrder
  if (scopes.length > 0) misspeltScopes(candidates, walk, scopes, problems)
  let shortLived = false
  for (let index = 0; index < postOrder.length; index++) {
    const candidate = postOrder[index]!
    const component = components[candidate]!
    const own = component.lifetime
    if (own === undefined || own._tag === "Singleton") continue
    shortLived = true
    if (own._tag === "Scoped" && !scopes.includes(own.scope.name)) {
      declaration(candidate, pathOf(candidates, walk, candidate), { code: "UnknownScope", scope: own.scope.name, declared: scopes })
    }
    const hooks = component.lifecycle === undefined ? [] : nonSingletonHooks(component.lifecycle)
    if (hooks.length > 0) {
      declaration(candidate, pathOf(candidates, walk, candidate), { code: "LifecycleOfNonSingleton", lifetime: lifetime.format(own), hooks })
    }
  }
  if (shortLived) {
    // a root lives as long as the graph; a reloadable handle swaps one current instance
    for (const edge of walk.rootEdges) {
      if (edge.request.handle === "reloadable") {
        for (const target of edge.targets) reloadableOf(target, [names[target]!], "a root")
      }
      if (edge.request.handle !== undefined) continue
      for (const target of edge.targets) {
        const own = components[target]!.lifetime
        // (an undeclared scope is its own problem)
        if (own?._tag !== "Scoped" || !scopes.includes(own.scope.name)) continue
        declaration(target, [names[target]!], { code: "ScopedRoot", scope: own.scope.name })
      }
    }
    for (let index = 0; index < postOrder.length; index++) {
      const requester = postOrder[index]!
      for (const edge of walk.edgesOf[requester] ?? []) {
        if (edge.request.handle !== "reloadable") continue
        for (const target of edge.targets) reloadableOf(target, [...pathOf(candidates, walk, requester), names[target]!], names[requester]!)
      }
    }
  }
  // only singletons in the plan: nothing can outlive anything
  if (!shortLived && inputs.size === 0) return
  const reported = new Set<string>()
  // Each candidate against its dependencies, following transients with the requester's rank.
  for (let index = 0; index < postOrder.length; index++) {
    const candidate = postOrder[index]!
    const rank = rankOf(components[candidate]!.lifetime)
    if (rank < 0) continue
    const stack: Array<{ readonly from: number; readonly through: ReadonlyArray<number> }> = [{ from: candidate, through: [] }]
    while (stack.length > 0) {
      const { from, through } = stack.pop()!
      for (const edge of walk.edgesOf[from] ?? []) {
        const handle = edge.request.handle
        if (handle !== undefined) {
          // a lazy handle keeps the transient instance it builds as long as its holder: what that
          // instance depends on is checked against the holder, as for a plain request
          if (handle === "lazy") {
            for (const target of edge.targets) {
              if (rankOf(components[target]!.lifetime) === -1) stack.push({ from: target, through: [...through, target] })
            }
          }
          continue
        }
        if (edge.choice.rule === "input") {
          const scope = inputs.get(edge.request.service)!
          const key = `${candidate} ${edge.request.service}`
          if (scopes.indexOf(scope) + 1 <= rank || reported.has(key)) continue
          reported.add(key)
          mismatch(candidate, edge.request.label, `input of ${scope}`, through, { key: edge.request.key })
          continue
        }
        for (const target of edge.targets) {
          const targetRank = rankOf(components[target]!.lifetime)
          if (targetRank === -1) {
            stack.push({ from: target, through: [...through, target] })
            continue
          }
          if (targetRank <= rank || targetRank === -2) continue
          const key = `${candidate} ${target}`
          if (reported.has(key)) continue
          reported.add(key)
          mismatch(candidate, names[target]!, lifetime.format(lifetimeOf(target)), through, { target })
        }
      }
    }
  }
}
