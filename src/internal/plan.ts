import { pipeArguments } from "effect/Pipeable"
import { hasProperty } from "effect/Predicate"
import type * as Plan from "../Plan.js"

/** @internal */
export const TypeId: Plan.TypeId = Symbol.for("layerwise/Plan") as Plan.TypeId

const PlanProto = {
  [TypeId]: { _Roots: (_: never) => _ },
  pipe() {
    return pipeArguments(this, arguments)
  },
  toString(this: Plan.Plan<never>) {
    return `Plan(${this.nodes.length} components, ${this.roots.length} roots)`
  }
}

/** @internal */
export const make = (nodes: ReadonlyArray<Plan.Node>, roots: ReadonlyArray<Plan.Edge>): Plan.Plan<never> => {
  const self = Object.create(PlanProto)
  self.nodes = nodes
  self.roots = roots
  return self
}

/** @internal */
export const isPlan = (u: unknown): u is Plan.Plan<never> => hasProperty(u, TypeId)

/**
 * The path from a root to a node, following the first-discovery parents. Iterative.
 *
 * @internal
 */
export const pathTo = (plan: Plan.Plan<never>, id: number): ReadonlyArray<string> => {
  const path: Array<string> = []
  let current: number | undefined = id
  while (current !== undefined) {
    const node: Plan.Node = plan.nodes[current]!
    path.push(node.name)
    current = node.parent
  }
  return path.reverse()
}
