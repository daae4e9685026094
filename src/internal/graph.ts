/**
 * The graph runner: runs a task for every node of a directed acyclic graph, each node once all the
 * nodes it waits for are done, at most `limit` tasks at a time. It knows nothing of components,
 * plans or lifecycles: the executor builds a plan with it (dependencies first), and App starts
 * (dependencies first) and stops (dependents first) an application with it.
 *
 * Scheduling: a ready heap of nodes whose predecessors are all done, the lowest node first (the
 * highest in a `descending` graph), so that synchronous tasks run in node order: a plan's build
 * order, or its reverse (not in the order nodes became ready, which a reader cannot tell from the
 * plan). One worker fiber works the heap while the calling fiber waits; a spare worker is forked only when more work is ready than
 * the running workers took and fewer workers than the limit run, and it gets a turn only once a
 * worker suspends (an asynchronous task) or yields. Synchronous tasks therefore run as a plain loop,
 * asynchronous tasks of independent nodes overlap up to the limit.
 *
 * Stages order groups of nodes beyond their edges: a node of stage `s` becomes ready only once every
 * node of a lower stage is done (App's startup orders). Nodes without a stage (`-1`) wait only for
 * their predecessors. Stages keep the graph linear: no edge between every pair of nodes of two stages.
 *
 * Stopping: a task sets `stopped` (through its closure over the run) to end the run: no node is
 * taken after that, the run ends at once, and the other workers are interrupted. A task that dies (a
 * bug) ends the run the same way, and the run fails with its cause. Workers run with the caller's
 * interruptibility: a task that must not be cut short makes itself uninterruptible, and the only
 * interruptible points the runner adds are its waits for ready work.
 *
 * Nothing here recurses per node: the run is a loop.
 *
 * @internal
 */
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import * as runtime from "./runtime.js"

/**
 * A graph to run: `successors[id]` lists the nodes waiting for `id`, `pending[id]` how many nodes
 * `id` waits for. A run consumes `pending`.
 *
 * @internal
 */
export interface Graph {
  readonly size: number
  readonly pending: Int32Array
  readonly successors: ReadonlyArray<ReadonlyArray<number>>
  /** per node its stage (0, 1, ... run in that order), or -1; `undefined` when no node has one */
  readonly stages?: Int32Array | undefined
  /** take the highest ready node first instead of the lowest (a run of dependents first) */
  readonly descending?: boolean | undefined
}

/**
 * The tasks waiting for one node of a run (`Run.waitFor`): opened when it completes or the run ends;
 * `lent`: how many of them lend their worker's place and were not woken yet.
 *
 * @internal
 */
export interface Waiter {
  readonly opened: Deferred.Deferred<void>
  lent: number
}

/**
 * One run of a graph: the state its workers share.
 *
 * @internal
 */
export class Run {
  stopped = false
  /** the ready nodes: a binary min-heap of keys (a node's id, or `size - 1 - id` descending) */
  readonly ready: Int32Array
  readyCount = 0
  completed = 0
  workers = 1
  sparePending = false
  wake: Deferred.Deferred<void> | undefined = undefined
  readonly done: Deferred.Deferred<void> = runtime.makeDeferred<void>()
  /** per stage: how many of its nodes are not done yet; nodes held until their stage opens */
  readonly stageRemaining: Int32Array | undefined
  readonly held: Array<Array<number>> | undefined
  openStage = 0
  spare!: Effect.Effect<void>
  workerScope!: Scope.Scope
  /** starts a spare worker as the run's caller would (see `lend`) */
  forkSpare!: () => void
  /** per node: 1 once its task completed */
  readonly finished: Uint8Array
  /** the run ended (every node done, or stopped): nothing more completes */
  ended = false
  /** per node someone waits for (`waitFor`): opened when it completes or the run ends */
  waiters: Map<number, Waiter> | undefined = undefined
  /** tasks waiting for another node (`waitFor`) and not woken yet: each lends its worker's place under the limit */
  lent = 0

  constructor(
    readonly graph: Graph,
    readonly limit: number,
    /** the work of a node: an Effect, or `undefined` when it was done synchronously */
    readonly task: (id: number) => Effect.Effect<void> | undefined
  ) {
    this.ready = new Int32Array(graph.size)
    this.finished = new Uint8Array(graph.size)
    const stages = graph.stages
    if (stages === undefined) {
      for (let id = 0; id < graph.size; id++) if (graph.pending[id] === 0) this.push(id)
      this.stageRemaining = undefined
      this.held = undefined
      return
    }
    let count = 0
    for (let id = 0; id < graph.size; id++) if (stages[id]! + 1 > count) count = stages[id]! + 1
    this.stageRemaining = new Int32Array(count)
    this.held = Array.from({ length: count }, () => [])
    for (let id = 0; id < graph.size; id++) if (stages[id]! >= 0) this.stageRemaining[stages[id]!]++
    this.openStage = firstOpen(this.stageRemaining, 0)
    for (let id = 0; id < graph.size; id++) if (graph.pending[id] === 0) this.makeReady(id)
  }

  /** A node whose predecessors are done: queued, or held until its stage opens. */
  makeReady(id: number): void {
    const stage = this.graph.stages === undefined ? -1 : this.graph.stages[id]!
    if (stage > this.openStage) this.held![stage]!.push(id)
    else this.push(id)
  }

  /** Queues a ready node. */
  push(id: number): void {
    const heap = this.ready
    const key = this.graph.descending === true ? this.graph.size - 1 - id : id
    let index = this.readyCount++
    while (index > 0) {
      const parent = (index - 1) >> 1
      if (heap[parent]! <= key) break
      heap[index] = heap[parent]!
      index = parent
    }
    heap[index] = key
  }

  /** Takes the ready node that comes first in the graph's order (there is one). */
  take(): number {
    const heap = this.ready
    const first = heap[0]!
    const count = --this.readyCount
    const key = heap[count]!
    let index = 0
    for (;;) {
      let child = 2 * index + 1
      if (child >= count) break
      if (child + 1 < count && heap[child + 1]! < heap[child]!) child++
      if (heap[child]! >= key) break
      heap[index] = heap[child]!
      index = child
    }
    heap[index] = key
    return this.graph.descending === true ? this.graph.size - 1 - first : first
  }

  /** Ends the run: no node is taken after this. */
  stop(): void {
    this.stopped = true
    this.notify()
  }

  notify(): void {
    const waiting = this.wake
    if (waiting !== undefined) {
      this.wake = undefined
      runtime.openDeferred(waiting)
    }
  }

  /**
   * What opens once the node completed, or the run ended without it (`undefined`: either happened
   * already). For a task that waits for another node of the run (a run-time lookup during a build).
   */
  waitFor(id: number): Waiter | undefined {
    if (this.finished[id] === 1 || this.ended) return undefined
    this.waiters ??= new Map()
    let waiter = this.waiters.get(id)
    if (waiter === undefined) {
      waiter = { opened: runtime.makeDeferred<void>(), lent: 0 }
      this.waiters.set(id, waiter)
    }
    return waiter
  }

  /**
   * Waits for `waiter` (from `waitFor`) in a task: its worker's place under the limit is lent to a
   * spare worker meanwhile, so that the node it waits for is not held back by the wait (under a limit
   * of 1, it would never be built). A worker beyond the limit once the wait ended stops at its next
   * turn. The spare starts from the run's caller (its FiberRefs, context and interruptibility), not
   * from the waiting task: the other nodes it runs are not run inside that task (a lookup in
   * progress, a span, the task's services). The place is taken back as the wait is woken (`open`),
   * not once the woken task resumes: a worker that completed the awaited node stops before it takes
   * another, so that the woken task and it never run at once beyond the limit.
   */
  lend(waiter: Waiter): Effect.Effect<void> {
    return Effect.suspend(() => {
      this.lent++
      waiter.lent++
      const spare = this.readyCount > 0 && !this.sparePending && this.workers < this.limit + this.lent
      if (spare) {
        this.sparePending = true
        this.workers++
        this.forkSpare()
      }
      return Effect.onInterrupt(Deferred.await(waiter.opened), () =>
        Effect.sync(() => {
          // given up on before it was woken: its place is taken back here
          if (waiter.lent > 0) {
            waiter.lent--
            this.lent--
          }
        }))
    })
  }

  /** Wakes the tasks waiting for a node: their places under the limit are taken back. */
  open(waiter: Waiter): void {
    this.lent -= waiter.lent
    waiter.lent = 0
    runtime.openDeferred(waiter.opened)
  }

  /** The run ended: whoever waits for a node that did not complete is woken (and finds it not finished). */
  end(): void {
    this.ended = true
    if (this.waiters === undefined) return
    for (const waiter of this.waiters.values()) this.open(waiter)
    this.waiters = undefined
  }

  /** A node is done: its successors may become ready, and its stage may open the next ones. */
  complete(id: number): void {
    this.completed++
    this.finished[id] = 1
    if (this.waiters !== undefined) {
      const waiter = this.waiters.get(id)
      if (waiter !== undefined) {
        this.waiters.delete(id)
        this.open(waiter)
      }
    }
    const before = this.readyCount
    const successors = this.graph.successors[id]!
    const pending = this.graph.pending
    for (let index = 0; index < successors.length; index++) {
      const successor = successors[index]!
      if (--pending[successor] === 0) this.makeReady(successor)
    }
    const stages = this.graph.stages
    if (stages !== undefined && stages[id]! >= 0 && --this.stageRemaining![stages[id]!] === 0) {
      const opened = firstOpen(this.stageRemaining!, this.openStage)
      for (let stage = this.openStage + 1; stage <= opened && stage < this.held!.length; stage++) {
        for (const held of this.held![stage]!) this.push(held)
        this.held![stage]!.length = 0
      }
      this.openStage = opened
    }
    if (this.readyCount > before || this.completed === this.graph.size) this.notify()
  }
}

/** The lowest stage from `from` on that still has nodes to run (stages after it wait for it). */
const firstOpen = (remaining: Int32Array, from: number): number => {
  let stage = from
  while (stage < remaining.length - 1 && remaining[stage] === 0) stage++
  return stage
}

const work = (self: Run): Effect.Effect<void> =>
  Effect.gen(function*() {
    const size = self.graph.size
    // an ended run (stopped, or interrupted: its workers are interrupted one at a time) takes nothing more
    while (!self.stopped && !self.ended && self.completed < size) {
      // a spare worker a wait lent a place to, once that wait ended
      if (self.workers > self.limit + self.lent) {
        self.workers--
        return
      }
      if (self.readyCount === 0) {
        self.wake ??= runtime.makeDeferred<void>()
        yield* Effect.interruptible(Deferred.await(self.wake))
        continue
      }
      const id = self.take()
      if (self.readyCount > 0 && !self.sparePending && self.workers < self.limit + self.lent) {
        self.sparePending = true
        self.workers++
        yield* Effect.forkIn(self.spare, self.workerScope)
      }
      // Forking may have let another worker run and stop the run.
      if (self.stopped) break
      const task = self.task(id)
      if (task !== undefined) yield* task
      // a task the run's end cut off (a lookup woken by it) did not complete its node
      if (self.stopped || self.ended) break
      self.complete(id)
    }
    // The first worker to see the end (everything done, or stopped) wakes the caller.
    runtime.openDeferred(self.done)
  })

/**
 * Runs every node's task once its predecessors are done (see the module's doc). Ends when every node
 * is done or a task stopped the run; the workers still running are then interrupted and awaited.
 *
 * @internal
 */
export const run = (
  graph: Graph,
  limit: number,
  task: (id: number) => Effect.Effect<void> | undefined,
  /** called with the run before any task: what a task needs to stop it */
  started?: (run: Run) => void
): Effect.Effect<Run> =>
  Effect.suspend(() => {
    const self = new Run(graph, limit, task)
    started?.(self)
    if (graph.size === 0) {
      self.end()
      return Effect.succeed(self)
    }
    return Effect.map(Effect.ensuring(supervise(self), Effect.sync(() => self.end())), () => self)
  })

/** A worker that does not end normally (a task died) ends the run with its cause. */
const worker = (self: Run): Effect.Effect<void> =>
  Effect.onExit(Effect.withFiberRuntime((fiber) => {
    // a worker is never joined: its FiberRefs need no history of the fibers it was forked from
    runtime.ownStacks(fiber)
    return work(self)
  }), (exit) =>
    exit._tag === "Success" ? Effect.void : Effect.sync(() => {
      self.stopped = true
      runtime.completeDeferred(self.done, exit)
    }))

/** Forks the first worker and waits; then ends the run and closes the worker scope, which interrupts and awaits every worker. */
const supervise = (self: Run): Effect.Effect<void> =>
  Effect.flatMap(Effect.zip(Scope.make(), runtime.currentRunner), ([workers, caller]) => {
    self.workerScope = workers
    self.spare = Effect.suspend(() => {
      self.sparePending = false
      return worker(self)
    })
    self.forkSpare = () => void runtime.forkIn(caller, self.spare, workers)
    return Effect.forkIn(worker(self), workers).pipe(
      Effect.zipRight(Deferred.await(self.done)),
      // the waits are woken first: a task that waits where it cannot be interrupted (an acquire) ends
      // (its node is not finished), where the close would wait for it for ever
      Effect.ensuring(Effect.suspend(() => {
        self.end()
        return Scope.close(workers, Exit.void)
      }))
    )
  })
