/**
 * The order and startup stages of a graph whose vertices wait for their requests and for what their
 * constructors looked up during the build: one mechanism for App's plan (`app/settings.ts`), App's
 * start graph with lookups (`app/lookups.ts`), and the ops startup timeline, which reads the same
 * graph back from a plan and a report (`opsStartup.ts`). Pure: no runtime.
 *
 * @internal
 */

/**
 * The vertices in an order where each comes after what it requested and what it looked up (Kahn's
 * algorithm, ready vertices taken in `seed`'s order: by index without one). A cycle can only go through
 * lookups (a constructor that looked up what holds a handle of it): the lookups of the vertices that
 * could not be ordered are left out of `looked` (changed in place), and the order is made again.
 *
 * @internal
 */
export const orderWithLookups = (
  requested: ReadonlyArray<ReadonlyArray<number>>,
  looked: Array<ReadonlyArray<number> | undefined>,
  seed?: ReadonlyArray<number>
): Array<number> => {
  const order = kahn(requested, looked, seed)
  if (order.length === requested.length) return order
  const placed = new Uint8Array(requested.length)
  for (const vertex of order) placed[vertex] = 1
  for (let vertex = 0; vertex < requested.length; vertex++) {
    if (placed[vertex] === 0) looked[vertex] = looked[vertex]?.filter((target) => placed[target] === 1)
  }
  return kahn(requested, looked, seed)
}

const kahn = (
  requested: ReadonlyArray<ReadonlyArray<number>>,
  looked: ReadonlyArray<ReadonlyArray<number> | undefined>,
  seed: ReadonlyArray<number> | undefined
): Array<number> => {
  const size = requested.length
  const waiting = new Int32Array(size)
  const dependents: Array<Array<number>> = Array.from({ length: size }, () => [])
  for (let vertex = 0; vertex < size; vertex++) {
    for (const list of [requested[vertex]!, looked[vertex] ?? []]) {
      for (const target of list) {
        waiting[vertex]++
        dependents[target]!.push(vertex)
      }
    }
  }
  const order: Array<number> = []
  const count = seed === undefined ? size : seed.length
  for (let at = 0; at < count; at++) {
    const vertex = seed === undefined ? at : seed[at]!
    if (waiting[vertex] === 0) order.push(vertex)
  }
  for (let at = 0; at < order.length; at++) for (const dependent of dependents[order[at]!]!) if (--waiting[dependent] === 0) order.push(dependent)
  return order
}

/**
 * The startup stages of a graph's vertices: a vertex's rank is the lowest startup order
 * (`Lifecycle.startup`) of itself and of everything that waits for it; the distinct ranks, sorted, are
 * the stages (0, 1, ...), -1 for a vertex no startup component waits for. `predecessors` lists what each
 * vertex waits for, `order` each vertex after them (by index without one).
 *
 * @internal
 */
export const stagesOf = (
  startupOf: (vertex: number) => number | null | undefined,
  predecessors: ReadonlyArray<ReadonlyArray<number>>,
  order?: ReadonlyArray<number>
): Int32Array => {
  const size = predecessors.length
  const rank = new Float64Array(size).fill(Number.POSITIVE_INFINITY)
  // the order lists what a vertex waits for first: walking it backwards sees every dependent first
  for (let at = (order === undefined ? size : order.length) - 1; at >= 0; at--) {
    const vertex = order === undefined ? at : order[at]!
    const startup = startupOf(vertex)
    if (startup !== null && startup !== undefined && startup < rank[vertex]!) rank[vertex] = startup
    const own = rank[vertex]!
    if (own === Number.POSITIVE_INFINITY) continue
    for (const target of predecessors[vertex]!) if (own < rank[target]!) rank[target] = own
  }
  const ranks = [...new Set(rank)].filter((value) => value !== Number.POSITIVE_INFINITY).sort((a, b) => a - b)
  const stageOf = new Map(ranks.map((value, index) => [value, index]))
  return Int32Array.from(rank, (value) => stageOf.get(value) ?? -1)
}
