import * as Inspectable from "effect/Inspectable"
import { pipeArguments } from "effect/Pipeable"
import { hasProperty } from "effect/Predicate"
import type * as Plan from "../Plan.js"

/** @internal */
export const TypeId: Plan.TypeId = Symbol.for("layerwise/Plan") as Plan.TypeId

const PlanProto = {
  ...Inspectable.BaseProto,
  [TypeId]: { _Roots: (_: never) => _, _E: (_: never) => _, _R: (_: never) => _ },
  pipe() {
    return pipeArguments(this, arguments)
  },
  toString(this: Plan.Any) {
    const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`
    return `Plan(${count(this.nodes.length, "component")}, ${count(this.roots.length, "root")})`
  },
  toJSON(this: Plan.Any) {
    return {
      _id: "Plan",
      components: this.nodes.map((node) => node.name),
      roots: this.roots.map((edge) => edge.request.label),
      external: this.external
    }
  }
}

/** @internal */
export const make = <Roots = never, E = unknown, R = never>(
  nodes: ReadonlyArray<Plan.Node>,
  roots: ReadonlyArray<Plan.Edge>,
  external: ReadonlyArray<string> = [],
  scopes: ReadonlyArray<Plan.ScopeEntry> = [],
  options: ReadonlyArray<unknown> = []
): Plan.Plan<Roots, E, R> => {
  const self = Object.create(PlanProto)
  self.nodes = nodes
  self.roots = roots
  self.external = external
  self.scopes = scopes
  self.options = options
  return self
}

/** @internal */
export const isPlan = (u: unknown): u is Plan.Any => hasProperty(u, TypeId)

/**
 * The path from a root to a node, following the first-discovery parents. Iterative.
 *
 * @internal
 */
export const pathTo = (plan: Plan.Any, id: number): ReadonlyArray<string> => {
  const path: Array<string> = []
  let current: number | undefined = id
  while (current !== undefined) {
    const node: Plan.Node = plan.nodes[current]!
    path.push(node.name)
    current = node.parent
  }
  return path.reverse()
}

/**
 * Per plan whose conditions read options: the Configs they read (an option of options no component
 * requests is validated only when a condition read it).
 *
 * @internal
 */
export const readByConditions = new WeakMap<Plan.Any, ReadonlySet<object>>()

/** Per plan whose registry replaces components by name, those names (set by the resolver). @internal */
export const replacedNames = new WeakMap<Plan.Any, ReadonlySet<string>>()

const noNames: ReadonlySet<string> = new Set()

/** The names of a plan's components replaced by name (`Registry.replace`, `Testing.named`). @internal */
export const replacedOf = (plan: Plan.Any): ReadonlySet<string> => replacedNames.get(plan) ?? noNames

const namedIds = new WeakMap<Plan.Any, ReadonlyMap<string, number>>()

/** A plan's node ids by component name (computed once per plan). @internal */
export const idsByName = (plan: Plan.Any): ReadonlyMap<string, number> => {
  let ids = namedIds.get(plan)
  if (ids === undefined) {
    ids = new Map(plan.nodes.map((node) => [node.name, node.id]))
    namedIds.set(plan, ids)
  }
  return ids
}

/** Per plan, per request key: the first edge of the plan that resolved it to at least one component. */
const resolvedEdges = new WeakMap<Plan.Any, ReadonlyMap<string, Plan.Edge>>()

/**
 * The components a request (by its key) resolved to in the plan: the targets of a root's, a scope's
 * or any component's edge of that request; else, for a key no edge resolved, the components whose
 * service it is. Empty when the plan has none.
 *
 * @internal
 */
export const nodesOfRequest = (plan: Plan.Any, key: string): ReadonlyArray<number> => {
  let edges = resolvedEdges.get(plan)
  if (edges === undefined) {
    const made = new Map<string, Plan.Edge>()
    const add = (edge: Plan.Edge) => {
      if (edge.targets.length > 0 && !made.has(edge.request.key)) made.set(edge.request.key, edge)
    }
    plan.roots.forEach(add)
    for (const scope of plan.scopes) scope.provides.forEach(add)
    for (const node of plan.nodes) node.dependencies.forEach(add)
    edges = made
    resolvedEdges.set(plan, edges)
  }
  const edge = edges.get(key)
  if (edge !== undefined) return edge.targets
  return plan.nodes.flatMap((node) => (node.service === key ? [node.id] : []))
}
