/**
 * Why a name or request is no component of a plan, for `Explain.component`'s `UnknownComponent`: what
 * answers a request no component does, or why the plan left a registered component out. Read from
 * the plan and its registry on the failure path only.
 *
 * @internal
 */
import type * as Component from "../Component.js"
import type * as Plan from "../Plan.js"
import { displayName, isComponent } from "./component.js"
import type * as Errors from "../Errors.js"
import * as planInternal from "./plan.js"
import * as registryInternal from "./registry.js"
import { originOf } from "./resolver.js"

/** The rules of requests no component answers, each a `Provided` reason. */
const outsideRules: ReadonlySet<string> = new Set(["external", "input", "options", "container"])

/**
 * A request of the plan (by its label) that the program (`external`), a scope's opener (`input`, with
 * the scope), the configuration (`options`) or the running container answers, not a component. @internal
 */
export const providedOf = (plan: Plan.Any, label: string): Errors.LeftOutReason | undefined => {
  for (const edges of [plan.roots, ...plan.nodes.map((node) => node.dependencies)]) {
    const edge = edges.find((edge) => edge.request.label === label && outsideRules.has(edge.choice.rule))
    if (edge === undefined) continue
    const scope = edge.choice.rule === "input" ? plan.scopes.find((scope) => scope.inputs.includes(edge.request.service)) : undefined
    return { _tag: "Provided", rule: edge.choice.rule as "external" | "input" | "options" | "container", ...(scope && { scope: scope.name }) }
  }
  return undefined
}

/**
 * Why the registered component `name` is not in the plan: the condition that excluded it, else the first
 * request (roots first, then in plan order) that chose another, else `unreached`'s reason. With
 * `service` (its service, when no request considered it): the first request of it an override won. @internal
 */
export const leftOutOf = (plan: Plan.Any, name: string, service?: string): Errors.LeftOutReason | undefined => {
  let notChosen: Errors.LeftOutReason | undefined
  const scan = (dependent: string | null, edges: ReadonlyArray<Plan.Edge>): Errors.LeftOutReason | undefined => {
    for (const edge of edges) {
      const excluded = edge.choice.excluded?.find((candidate) => candidate.name === name)
      if (excluded !== undefined) return { _tag: "Excluded", condition: excluded.condition }
      if (notChosen === undefined && (edge.choice.considered.includes(name) || (edge.choice.rule === "override" && edge.request.service === service))) {
        const chosen = edge.targets.map((target) => plan.nodes[target]!.name)
        const path = dependent === null ? [edge.request.label] : [dependent, edge.request.label]
        if (!chosen.includes(name)) notChosen = { _tag: "NotChosen", path, chosen, rule: edge.choice.rule }
      }
    }
    return undefined
  }
  const excluded = scan(null, plan.roots) ?? plan.nodes.reduce<Errors.LeftOutReason | undefined>((found, node) => found ?? scan(node.name, node.dependencies), undefined)
  return excluded ?? notChosen ?? (service === undefined ? unreached(plan, name) : { _tag: "NotRequested" })
}

/** A registered component no request considered: its condition's exclusion, an override's choice (it wins without considering the others), or never requested. */
const unreached = (plan: Plan.Any, name: string): Errors.LeftOutReason | undefined => {
  const origin = originOf(plan)
  const flat = origin && registryInternal.flatten(origin.registry, origin.environment)
  const named = (item: unknown) => isComponent(item) && displayName(item) === name
  if (flat === undefined) return undefined
  const component = flat.components.find((item) => isComponent(item) && item.name === name) ?? flat.components.find(named)
  if (component !== undefined) return namedAfterKey(flat, component) ? leftOutOf(plan, name, component.tag.key) : undefined
  const excluded = registryInternal.excluded(flat).find(({ item }) => named(item))
  return excluded && { _tag: "Excluded", condition: excluded.condition }
}

/**
 * The registered components a plan does not have (conditions kept them or left them out), by name and
 * service, so that a misspelt name of one is suggested as the plan's are; each once, registration order. @internal
 */
export const registeredOutside = (plan: Plan.Any): ReadonlyArray<{ readonly name: string; readonly service: string }> => {
  const origin = originOf(plan)
  if (origin === undefined) return []
  const flat = registryInternal.flatten(origin.registry, origin.environment)
  const inPlan = planInternal.idsByName(plan)
  const chosen = new Set<unknown>(plan.nodes.map((node) => node.component))
  const found = new Map<string, string>()
  const add = (item: Component.Any) => {
    const name = displayName(item)
    if (!inPlan.has(name) && !found.has(name)) found.set(name, item.tag.key)
  }
  // one of several unnamed components of a service is numbered by the resolver (`Key#2`), not `Key`
  for (const item of flat.components) if (isComponent(item) && !chosen.has(item) && namedAfterKey(flat, item)) add(item)
  // one a condition left out is known by its name, or by its key (as `unreached` finds it)
  for (const { item } of registryInternal.excluded(flat)) if (isComponent(item)) add(item)
  return [...found].map(([name, service]) => ({ name, service }))
}

/**
 * Whether the resolver names `component` as it is displayed: given a name, or the one unnamed component
 * of its service that is not only an override (that is `Key (override)`), none named `Key` explicitly;
 * several are `Key#1`, `Key#2` (and may all be in the plan), so none of them is `Key`.
 */
const namedAfterKey = (flat: registryInternal.Flattened, component: Component.Any): boolean => {
  if (component.name !== undefined) return true
  const key = component.tag.key
  const ordinary = new Set<Component.Any>()
  let explicit = false
  flat.components.forEach((item, index) => {
    if (!isComponent(item) || item.tag.key !== key) return
    if (item.name === key) explicit = true
    else if (item.name === undefined && !flat.overrides[index]) ordinary.add(item)
  })
  return !explicit && ordinary.size === 1 && ordinary.has(component)
}
