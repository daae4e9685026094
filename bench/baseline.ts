/**
 * The resolution baseline: a plain iterative topological sort (depth-first, post-order) of the same
 * components with Maps, from the same roots. No rules, no validation, no error reporting: the floor
 * any resolver pays to order a graph given as components and tags.
 */
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
