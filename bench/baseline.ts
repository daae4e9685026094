/**
 * The resolution baselines. `topologicalSort` (issue 11's baseline): a plain iterative topological
 * sort (depth-first, post-order) of the same components with Maps of keys, from the same roots; no
 * rules, no validation, no error reporting. `validatedTopologicalSort` (a reference): the cheapest
 * correct first pass measured, validation included, over indices and typed arrays; it runs at or
 * below the Map-based sort, so the bare sort is not a floor of a resolution, only a comparator.
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Component from "../src/Component.js"

export const topologicalSort = (
  components: ReadonlyArray<Component.Any>,
  roots: ReadonlyArray<{ readonly key: string }>
): Array<Component.Any> => {
  const byKey = new Map<string, Component.Any>()
  for (const component of components) byKey.set(component.tag.key, component)
  const state = new Map<string, 1 | 2>()
  const order: Array<Component.Any> = []
  const stack: Array<{ readonly component: Component.Any; next: number }> = []
  const enter = (key: string) => {
    const component = byKey.get(key)
    if (component === undefined) throw new Error(`missing ${key}`)
    state.set(key, 1)
    stack.push({ component, next: 0 })
  }
  for (const root of roots) {
    if (state.has(root.key)) continue
    enter(root.key)
    while (stack.length > 0) {
      const frame = stack[stack.length - 1]!
      const dependencies = frame.component.dependencies
      if (frame.next < dependencies.length) {
        const key = dependencies[frame.next++]!.key
        const seen = state.get(key)
        if (seen === undefined) enter(key)
        else if (seen === 1) throw new Error(`cycle at ${key}`)
      } else {
        stack.pop()
        state.set(frame.component.tag.key, 2)
        order.push(frame.component)
      }
    }
  }
  return order
}

/** The prototype of `Context.GenericTag`'s tags: the cheapest test of a tag (see `validatedTopologicalSort`). */
const genericTagPrototype: unknown = Object.getPrototypeOf(Context.GenericTag("@layerwise/bench/Prototype"))

const isTag = (u: unknown): u is { readonly key: string } =>
  (typeof u === "function" || (typeof u === "object" && u !== null)) &&
  (Object.getPrototypeOf(u) === genericTagPrototype || Context.TagTypeId in u)

/** The components validated and indexed by key (see `validatedTopologicalSort`): what both floors share. */
interface Validated {
  readonly byKey: Map<string, number>
  readonly keys: Array<string>
  readonly requestKeys: Array<Array<string>>
}

const validate = (components: ReadonlyArray<Component.Any>): Validated => {
  const byKey = new Map<string, number>()
  const keys: Array<string> = new Array(components.length)
  const requestKeys: Array<Array<string>> = new Array(components.length)
  for (let index = 0; index < components.length; index++) {
    const component = components[index]!
    const tag: unknown = component.tag
    if (!isTag(tag)) throw new Error(`invalid tag #${index}`)
    const name: unknown = component.name
    if (name !== undefined && (typeof name !== "string" || name.length === 0)) throw new Error(`invalid name #${index}`)
    if (typeof component.order !== "number" || !Number.isFinite(component.order)) throw new Error(`invalid order #${index}`)
    for (const qualifier of component.qualifiers) {
      if (typeof qualifier !== "string" || qualifier.length === 0) throw new Error(`invalid qualifier #${index}`)
    }
    const construct = component.construct
    if (construct._tag === "Effect" && !Effect.isEffect(construct.effect)) throw new Error(`invalid constructor #${index}`)
    if (construct._tag === "Layer" && !Layer.isLayer(construct.layer)) throw new Error(`invalid layer #${index}`)
    const dependencies = component.dependencies
    const own: Array<string> = new Array(dependencies.length)
    for (let position = 0; position < dependencies.length; position++) {
      const dependency: unknown = dependencies[position]
      if (!isTag(dependency)) throw new Error(`invalid dependency #${index}`)
      own[position] = dependency.key
    }
    requestKeys[index] = own
    const key = tag.key
    keys[index] = key
    byKey.set(key, index)
  }
  return { byKey, keys, requestKeys }
}

/**
 * The floor of a first resolution's checks: the same sort, after what any resolver has to learn of
 * a component it never saw before anything runs (DESIGN: the graph is validated before anything runs;
 * `Component.make(tag, { build: <not an Effect> })` is an `InvalidDeclaration`, not a hang): its tag
 * is a tag and its key, each dependency is a tag and its key, its name, order and qualifiers are
 * valid, its constructor is of its kind. Each tag is read once per component that holds it (a tag
 * never met before has a hidden class of its own: every read of one is a cache miss), the sort then
 * reads only the keys. No rules, no error reporting (an invalid component throws), no plan.
 */
export const validatedTopologicalSort = (
  components: ReadonlyArray<Component.Any>,
  roots: ReadonlyArray<{ readonly key: string }>
): Array<Component.Any> => {
  const { byKey, requestKeys } = validate(components)
  const state = new Int8Array(components.length)
  const order: Array<Component.Any> = []
  const stack: Array<number> = []
  const cursor = new Int32Array(components.length)
  const enter = (key: string) => {
    const index = byKey.get(key)
    if (index === undefined) throw new Error(`missing ${key}`)
    state[index] = 1
    stack.push(index)
  }
  for (const root of roots) {
    const index = byKey.get(root.key)
    if (index !== undefined && state[index] !== 0) continue
    enter(root.key)
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!
      const keys = requestKeys[top]!
      if (cursor[top]! < keys.length) {
        const key = keys[cursor[top]!++]!
        const next = byKey.get(key)
        if (next === undefined || state[next] === 0) enter(key)
        else if (state[next] === 1) throw new Error(`cycle at ${key}`)
      } else {
        stack.pop()
        state[top] = 2
        order.push(components[top]!)
      }
    }
  }
  return order
}

const anySelector = { _tag: "Any" } as const

/** What a plan edge holds (`Plan.Edge`): the request's description, its targets, why. */
interface PlannedEdge {
  readonly request: {
    readonly service: string
    readonly selector: typeof anySelector
    readonly cardinality: "one"
    readonly key: string
    readonly label: string
  }
  readonly targets: Array<number>
  readonly choice: { readonly rule: "only"; readonly considered: ReadonlyArray<string> }
}

/** What a plan node holds (`Plan.Node`). */
interface PlannedNode {
  readonly id: number
  readonly name: string
  readonly service: string
  readonly component: Component.Any
  readonly override: boolean
  readonly dependencies: ReadonlyArray<PlannedEdge>
  readonly parent: number | undefined
}

/**
 * The floor of a first resolution that returns a plan (a reference): `validatedTopologicalSort`, and
 * the plan's public data made as cheaply as its shape allows (`Plan.Node`, `Plan.Edge`: a plan is
 * data that `Explain`, the ops API and a user read). Per node one record (its id, name, service,
 * component, override flag, requests, parent on the path from a root); per distinct request one edge
 * shared by every requester: its description, its targets (candidate indices while walking, node ids
 * after), its choice and the names considered. Every candidate is named after its key and chosen as
 * the only one (the fixtures' graphs need no rule); no error reporting, no memo, no indexes for lookups.
 */
export const plannedTopologicalSort = (
  components: ReadonlyArray<Component.Any>,
  roots: ReadonlyArray<{ readonly key: string }>
): { readonly nodes: ReadonlyArray<PlannedNode>; readonly roots: ReadonlyArray<PlannedEdge> } => {
  const { byKey, keys, requestKeys } = validate(components)
  const count = components.length
  const state = new Int8Array(count)
  const cursor = new Int32Array(count)
  const parentOf = new Int32Array(count)
  const nodeIdOf = new Int32Array(count)
  const postOrder: Array<number> = []
  const edgeOf: Array<PlannedEdge | undefined> = new Array(count)
  const edgesOf: Array<Array<PlannedEdge>> = new Array(count)
  const stack: Array<number> = []
  const edgeFor = (key: string): PlannedEdge => {
    const index = byKey.get(key)
    if (index === undefined) throw new Error(`missing ${key}`)
    return edgeOf[index] ??= {
      request: { service: key, selector: anySelector, cardinality: "one", key, label: key },
      targets: [index],
      choice: { rule: "only", considered: [keys[index]!] }
    }
  }
  const enter = (index: number, parent: number) => {
    state[index] = 1
    parentOf[index] = parent
    const own = requestKeys[index]!
    const edges: Array<PlannedEdge> = new Array(own.length)
    for (let position = 0; position < own.length; position++) edges[position] = edgeFor(own[position]!)
    edgesOf[index] = edges
    stack.push(index)
  }
  const rootEdges: Array<PlannedEdge> = []
  for (const root of roots) {
    const edge = edgeFor(root.key)
    rootEdges.push(edge)
    const index = edge.targets[0]!
    if (state[index] !== 0) continue
    enter(index, -1)
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!
      const edges = edgesOf[top]!
      if (cursor[top]! < edges.length) {
        const next = edges[cursor[top]!++]!.targets[0]!
        if (state[next] === 0) enter(next, top)
        else if (state[next] === 1) throw new Error(`cycle at ${keys[next]}`)
      } else {
        stack.pop()
        state[top] = 2
        nodeIdOf[top] = postOrder.length
        postOrder.push(top)
      }
    }
  }
  for (const edge of edgeOf) if (edge !== undefined) edge.targets[0] = nodeIdOf[edge.targets[0]!]!
  const nodes: Array<PlannedNode> = new Array(postOrder.length)
  for (let id = 0; id < postOrder.length; id++) {
    const index = postOrder[id]!
    const parent = parentOf[index]!
    nodes[id] = {
      id,
      name: keys[index]!,
      service: keys[index]!,
      component: components[index]!,
      override: false,
      dependencies: edgesOf[index]!,
      parent: parent === -1 ? undefined : nodeIdOf[parent]!
    }
  }
  return { nodes, roots: rootEdges }
}
