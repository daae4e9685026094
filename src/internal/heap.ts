/**
 * A binary min-heap of numbers: the choice among the ready, in a release order (`executor.releaseOrder`,
 * `container/lookedUp.ts`).
 *
 * @internal
 */
export class MinHeap {
  private readonly items: Array<number> = []

  get size(): number {
    return this.items.length
  }

  push(item: number): void {
    const items = this.items
    let at = items.push(item) - 1
    while (at > 0) {
      const parent = (at - 1) >> 1
      if (items[parent]! <= item) break
      items[at] = items[parent]!
      at = parent
    }
    items[at] = item
  }

  pop(): number | undefined {
    const items = this.items
    if (items.length === 0) return undefined
    const top = items[0]!
    const last = items.pop()!
    if (items.length > 0) {
      let at = 0
      for (;;) {
        let child = 2 * at + 1
        if (child >= items.length) break
        if (child + 1 < items.length && items[child + 1]! < items[child]!) child++
        if (items[child]! >= last) break
        items[at] = items[child]!
        at = child
      }
      items[at] = last
    }
    return top
  }
}
