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

/**
 * The floor of a first resolution: the same sort, after what any resolver has to learn of a
 * component it never saw before anything runs (DESIGN: the graph is validated before anything runs;
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
  const byKey = new Map<string, number>()
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
    const keys: Array<string> = new Array(dependencies.length)
    for (let position = 0; position < dependencies.length; position++) {
      const dependency: unknown = dependencies[position]
      if (!isTag(dependency)) throw new Error(`invalid dependency #${index}`)
      keys[position] = dependency.key
    }
    requestKeys[index] = keys
    byKey.set(tag.key, index)
  }
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
