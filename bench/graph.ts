/**
 * Random dependency graphs for the benchmarks, reproducible from a seed.
 *
 * Nodes are numbered so that every dependency of node `i` is an earlier node (`< i`): index order is
 * a topological order, and a graph is acyclic by construction.
 *
 * - `chain`: node `i` depends on `i - 1` and on up to 2 more random earlier nodes (~3 deps each);
 *   the longest path is the whole graph, so any per-node recursion shows up as a stack overflow.
 * - `wide`: node `i` depends on up to 3 random earlier nodes; shallow (depth grows like log N) and
 *   wide, many components are ready at once.
 * - `line`: node `i` depends on `i - 1` only (a pure chain, one edge per node).
 */

export type Shape = "chain" | "wide" | "line"

export interface Graph {
  readonly shape: Shape
  readonly size: number
  readonly seed: number
  /** `deps[i]`: distinct earlier nodes that node `i` depends on. */
  readonly deps: ReadonlyArray<ReadonlyArray<number>>
  /** Nodes nothing depends on: requesting them as roots reaches the whole graph. */
  readonly sinks: ReadonlyArray<number>
  readonly edges: number
}

/** mulberry32: a small, fast, seeded PRNG returning floats in [0, 1). */
export const prng = (seed: number): (() => number) => {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export const generate = (size: number, shape: Shape, seed = 20240601): Graph => {
  const random = prng(seed ^ size ^ (shape === "chain" ? 0x1000 : shape === "wide" ? 0x2000 : 0x3000))
  const deps: Array<Array<number>> = new Array(size)
  const hasDependent = new Uint8Array(size)
  let edges = 0
  for (let i = 0; i < size; i++) {
    const mine: Array<number> = []
    if (i > 0) {
      if (shape !== "wide") mine.push(i - 1)
      const wanted = shape === "line" ? 0 : shape === "chain" ? 2 : 3
      for (let attempt = 0; attempt < wanted; attempt++) {
        const candidate = Math.floor(random() * i)
        if (!mine.includes(candidate)) mine.push(candidate)
      }
    }
    for (const dep of mine) hasDependent[dep] = 1
    edges += mine.length
    deps[i] = mine
  }
  const sinks: Array<number> = []
  for (let i = 0; i < size; i++) if (hasDependent[i] === 0) sinks.push(i)
  return { shape, size, seed, deps, sinks, edges }
}

/** The longest path (in nodes): how deep a recursive walk of the graph would go. */
export const depth = (graph: Graph): number => {
  const level = new Int32Array(graph.size)
  let deepest = 0
  for (let i = 0; i < graph.size; i++) {
    let own = 1
    for (const dep of graph.deps[i]!) own = Math.max(own, level[dep]! + 1)
    level[i] = own
    deepest = Math.max(deepest, own)
  }
  return deepest
}
