import { pipeArguments } from "effect/Pipeable"
import { hasProperty } from "effect/Predicate"
import type * as Plan from "../Plan.js"

/** @internal */
export const TypeId: Plan.TypeId = Symbol.for("layerwise/Plan") as Plan.TypeId

const PlanProto = {
  [TypeId]: { _Roots: (_: never) => _, _E: (_: never) => _, _R: (_: never) => _ },
  pipe() {
    return pipeArguments(this, arguments)
  },
  toString(this: Plan.Any) {
    return `Plan(${this.nodes.length} components, ${this.roots.length} roots)`
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
