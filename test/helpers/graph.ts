/**
 * Shared test helpers for graphs of components: a fast-check arbitrary for random DAGs, a recorder
 * of lifecycle events, a constructor that records its lifecycle, and checkers that turn a recorded
 * log into a list of contract violations (so a test asserts `toEqual([])` and a failure shows
 * exactly what went wrong).
 *
 * Log format written by {@link recordedConstructor} (and expected by the checkers), for a node named
 * `n3`:
 * - `start n3`: its constructor began;
 * - `+n3`: its resource was acquired (the last step of a constructor that succeeds: "built");
 * - `fail n3`: it is about to fail (only for a node told to fail, right after `+n3`);
 * - `-n3`: its resource was released;
 * - `+n3.inner` / `-n3.inner`: the inner Layer of a node given as a Layer provided with one
 *   ({@link recordedInner}) was built / released.
 */
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as fc from "effect/FastCheck"
import * as Layer from "effect/Layer"
import * as Ref from "effect/Ref"
import type * as Scope from "effect/Scope"
import { Component, Registry } from "../../src/index.js"

/** Node `i` depends on the nodes `dag[i]`, all smaller than `i` (so node order is a topological order). */
export type Dag = ReadonlyArray<ReadonlyArray<number>>

/** A directed edge `[from, to]`: `from` depends on `to`. */
export type DagEdge = readonly [from: number, to: number]

export interface DagOptions {
  readonly minSize?: number | undefined
  readonly maxSize?: number | undefined
  /** The most dependencies a node has (fewer when there are not that many earlier nodes). */
  readonly maxDependencies?: number | undefined
}

/**
 * A random DAG: every node depends on 0 to `maxDependencies` distinct earlier nodes. Shrinks towards
 * fewer nodes and fewer, lower dependencies.
 */
export const dag = (options?: DagOptions): fc.Arbitrary<Dag> =>
  fc
    .array(fc.array(fc.nat(), { maxLength: options?.maxDependencies ?? 3 }), {
      minLength: options?.minSize ?? 1,
      maxLength: options?.maxSize ?? 60
    })
    .map((raw) =>
      raw.map((picks, id) => id === 0 ? [] : Array.from(new Set(picks.map((pick) => pick % id))).sort((a, b) => a - b))
    )

/** Every edge of a DAG. */
export const edgesOf = (graph: Dag): Array<DagEdge> =>
  graph.flatMap((dependencies, from) => dependencies.map((to) => [from, to] as const))

/** The nodes nothing depends on: requesting them reaches every node. */
export const sinksOf = (graph: Dag): Array<number> => {
  const needed = new Set(graph.flat())
  return graph.map((_, id) => id).filter((id) => !needed.has(id))
}

/** The node and every node that depends on it, directly or not. */
export const dependentsOf = (graph: Dag, id: number): Set<number> => {
  const reached = new Set([id])
  // Dependents always have larger ids, so one forward pass sees every path.
  for (let node = id + 1; node < graph.length; node++) {
    if (graph[node]!.some((dependency) => reached.has(dependency))) reached.add(node)
  }
  return reached
}

/** A node's name (and its tag's key). */
export const nameOf = (id: number): string => `n${id}`

/** A recorder of events, in the order they happened. */
export interface Recorder {
  readonly log: Ref.Ref<Array<string>>
  readonly record: (event: string) => Effect.Effect<void>
  /** A copy of the events so far. */
  readonly entries: Effect.Effect<Array<string>>
}

/**
 * Appends in place (the Ref holds one array for the recorder's lifetime), so recording stays O(1)
 * on 10,000-node graphs; `entries` returns a copy.
 */
export const makeRecorder: Effect.Effect<Recorder> = Effect.map(Effect.suspend(() => Ref.make<Array<string>>([])), (log) => ({
  log,
  record: (event) =>
    Ref.update(log, (events) => {
      events.push(event)
      return events
    }),
  entries: Effect.map(Ref.get(log), (events) => [...events])
}))

/** How a constructor suspends between starting and acquiring its resource. */
export type Pause = "sync" | "yield" | "promise" | "sleep"

/** Suspends according to `mode`; `sleep` waits `millis` (use TestClock). */
export const pause = (mode: Pause, millis = 1): Effect.Effect<void> => {
  switch (mode) {
    case "sync":
      return Effect.void
    case "yield":
      return Effect.yieldNow()
    case "promise":
      return Effect.promise(() => Promise.resolve())
    case "sleep":
      return Effect.sleep(millis)
  }
}

/** The failure of a node told to fail. */
export class NodeFailure extends Data.TaggedError("NodeFailure")<{ readonly node: string }> {}

export interface ConstructorOptions {
  readonly pause?: Pause | undefined
  readonly sleepMillis?: number | undefined
  /** Fail right after acquiring the resource (a constructor failing half-way). */
  readonly fail?: boolean | undefined
  /** The resource's release dies (with {@link ReleaseFailure}) right after recording `-<name>`. */
  readonly failRelease?: boolean | undefined
  /** Right after acquiring the resource, complete this and never return (a build to interrupt). */
  readonly block?: Deferred.Deferred<void> | undefined
}

/** The defect of a release told to fail. */
export class ReleaseFailure extends Data.TaggedError("ReleaseFailure")<{ readonly part: string }> {}

/** A release recording `-<part>`, then dying with {@link ReleaseFailure} when told to. */
const recordedRelease = (recorder: Recorder, part: string, fail: boolean | undefined): Effect.Effect<void> =>
  Effect.zipRight(recorder.record(`-${part}`), fail === true ? Effect.die(new ReleaseFailure({ part })) : Effect.void)

/**
 * A constructor that records `start <name>`, pauses, acquires a resource recording `+<name>` (released
 * recording `-<name>`), then either fails with {@link NodeFailure} (recording `fail <name>` first) or
 * returns `name`. It reads every dependency and dies if one does not hold its node's name.
 */
export const recordedConstructor = (
  recorder: Recorder,
  name: string,
  dependencies: ReadonlyArray<Context.Tag<string, string>>,
  options?: ConstructorOptions
): Effect.Effect<string, NodeFailure, Scope.Scope | string> =>
  Effect.gen(function*() {
    yield* recorder.record(`start ${name}`)
    const values = yield* Effect.forEach(dependencies, (tag) => tag)
    const expected = dependencies.map((tag) => tag.key)
    if (values.join(",") !== expected.join(",")) {
      return yield* Effect.dieMessage(`${name} received ${values.join(",")} instead of ${expected.join(",")}`)
    }
    yield* pause(options?.pause ?? "sync", options?.sleepMillis)
    yield* Effect.acquireRelease(recorder.record(`+${name}`), () => recordedRelease(recorder, name, options?.failRelease))
    if (options?.fail === true) {
      yield* recorder.record(`fail ${name}`)
      return yield* new NodeFailure({ node: name })
    }
    if (options?.block !== undefined) {
      yield* Deferred.succeed(options.block, undefined)
      return yield* Effect.never
    }
    return name
  })

/** An inner Layer for node `name`: acquires a resource recording `+<name>.inner`, released recording `-<name>.inner`. */
export const recordedInner = (recorder: Recorder, name: string, options?: { readonly failRelease?: boolean | undefined }): Layer.Layer<never> =>
  Layer.scopedDiscard(
    Effect.acquireRelease(recorder.record(`+${name}.inner`), () => recordedRelease(recorder, `${name}.inner`, options?.failRelease))
  )

/**
 * How a node's component is given: an Effect (`Component.make`), a scoped Layer
 * (`Component.fromLayer`), or a scoped Layer provided with an inner Layer of its own.
 */
export type Kind = "effect" | "layer" | "layer-provide"

/** Random kinds for `size` nodes. */
export const kinds = (size: number): fc.Arbitrary<ReadonlyArray<Kind>> =>
  fc.array(fc.constantFrom<Kind>("effect", "layer", "layer-provide"), { minLength: size, maxLength: size })

/** A DAG as components: node `i` provides the tag `n<i>` (value `"n<i>"`) and depends on its nodes' tags. */
export interface Graph {
  readonly tags: ReadonlyArray<Context.Tag<string, string>>
  readonly components: ReadonlyArray<Component.Component<string, string>>
  readonly registry: Registry.Registry
  /** The sinks' tags: requesting them reaches every node. */
  readonly roots: ReadonlyArray<Context.Tag<string, string>>
}

/**
 * Builds the components of a DAG; `build` gives each node its constructor, `kinds` how each is given
 * (Effects by default) and `inner` the inner Layer of a node given as a Layer provided with one.
 */
export const makeGraph = (
  graph: Dag,
  build: (
    id: number,
    name: string,
    dependencies: ReadonlyArray<Context.Tag<string, string>>
  ) => Effect.Effect<string, unknown, Scope.Scope | string>,
  options?: {
    readonly kinds?: ReadonlyArray<Kind> | undefined
    readonly inner?: ((id: number, name: string) => Layer.Layer<never>) | undefined
  }
): Graph => {
  const tags = graph.map((_, id) => Context.GenericTag<string, string>(nameOf(id)))
  const components = graph.map((dependencyIds, id) => {
    const dependencies = dependencyIds.map((dependency) => tags[dependency]!)
    const constructor = build(id, nameOf(id), dependencies)
    const kind = options?.kinds?.[id] ?? "effect"
    if (kind === "effect") return Component.make(tags[id]!, { dependencies, build: constructor })
    const layer = Layer.scoped(tags[id]!, constructor)
    const inner = options?.inner
    if (kind === "layer-provide" && inner === undefined) throw new Error("makeGraph: a layer-provide node needs an inner Layer")
    return Component.fromLayer(tags[id]!, {
      dependencies,
      layer: (kind === "layer" ? layer : Layer.provide(layer, inner!(id, nameOf(id)))) as Layer.Layer<string, unknown, string>
    })
  })
  return {
    tags,
    components,
    registry: Registry.make(...components),
    roots: sinksOf(graph).map((id) => tags[id]!)
  }
}

const positions = (log: ReadonlyArray<string>): Map<string, Array<number>> => {
  const found = new Map<string, Array<number>>()
  log.forEach((event, index) => {
    const list = found.get(event)
    if (list === undefined) found.set(event, [index])
    else list.push(index)
  })
  return found
}

/**
 * Violations of the lifecycle contracts in a log written by {@link recordedConstructor}, whether the
 * build succeeded or not:
 * - every node starts at most once and acquires at most once; whatever was acquired is released
 *   exactly once, nothing else is released;
 * - for every edge A -> B: A starts only after B was acquired (built); when both were acquired,
 *   A is released before B.
 * - a node's inner Layer, if it has one, is built at most once, before its constructor starts and
 *   after its dependencies were built, released exactly once if built, after the node and before its
 *   dependencies.
 */
export const lifecycleViolations = (graph: Dag, log: ReadonlyArray<string>): Array<string> => {
  const at = positions(log)
  const count = (event: string) => at.get(event)?.length ?? 0
  const first = (event: string) => at.get(event)?.[0]
  const violations: Array<string> = []
  graph.forEach((_, id) => {
    const name = nameOf(id)
    if (count(`start ${name}`) > 1) violations.push(`${name} started ${count(`start ${name}`)} times`)
    if (count(`+${name}`) > 1) violations.push(`${name} acquired ${count(`+${name}`)} times`)
    if (count(`-${name}`) !== count(`+${name}`)) {
      violations.push(`${name} acquired ${count(`+${name}`)} times, released ${count(`-${name}`)} times`)
    }
    if (count(`+${name}`) > 0 && count(`start ${name}`) === 0) violations.push(`${name} acquired without starting`)
    const inner = `${name}.inner`
    if (count(`+${inner}`) > 1) violations.push(`${inner} acquired ${count(`+${inner}`)} times`)
    if (count(`-${inner}`) !== count(`+${inner}`)) {
      violations.push(`${inner} acquired ${count(`+${inner}`)} times, released ${count(`-${inner}`)} times`)
    }
    if ((first(`start ${name}`) ?? Infinity) < (first(`+${inner}`) ?? -1)) violations.push(`${name} started before its inner Layer was built`)
    if ((first(`-${inner}`) ?? Infinity) < (first(`-${name}`) ?? -1)) violations.push(`${inner} released before ${name}`)
  })
  for (const [from, to] of edgesOf(graph)) {
    const a = nameOf(from)
    const b = nameOf(to)
    const started = first(`start ${a}`)
    if (started !== undefined) {
      const built = first(`+${b}`)
      if (built === undefined || built > started) violations.push(`${a} started before its dependency ${b} was built`)
    }
    const innerBuilt = first(`+${a}.inner`)
    if (innerBuilt !== undefined && (first(`+${b}`) ?? Infinity) > innerBuilt) {
      violations.push(`${a}.inner built before its dependency ${b} was built`)
    }
    for (const partA of [a, `${a}.inner`]) {
      for (const partB of [b, `${b}.inner`]) {
        const releasedA = first(`-${partA}`)
        const releasedB = first(`-${partB}`)
        if (releasedA !== undefined && releasedB !== undefined && releasedA > releasedB) {
          violations.push(`${partA} released after its dependency ${partB}`)
        }
      }
    }
  }
  return violations
}

/** Violations of a successful build: {@link lifecycleViolations}, and every node started, built and released once. */
export const successViolations = (graph: Dag, log: ReadonlyArray<string>): Array<string> => {
  const at = positions(log)
  const missing = graph.flatMap((_, id) =>
    [`start ${nameOf(id)}`, `+${nameOf(id)}`, `-${nameOf(id)}`].filter((event) => !at.has(event)).map((event) =>
      `missing ${event}`
    )
  )
  return [...missing, ...lifecycleViolations(graph, log)]
}

/**
 * Violations of a build where node `failed` failed half-way: {@link lifecycleViolations}, and
 * - the failing node acquired and released its resource exactly once;
 * - no node depending (directly or not) on the failed one ever started;
 * - a node starting after the failure was ready before it (its dependencies were all built), that is
 *   it could only have been taken off the ready queue before the failure; with `strict`, no node
 *   starts after the failure at all.
 */
export const failureViolations = (
  graph: Dag,
  failed: number,
  log: ReadonlyArray<string>,
  options?: { readonly strict?: boolean | undefined }
): Array<string> => {
  const at = positions(log)
  const violations = lifecycleViolations(graph, log)
  const failedName = nameOf(failed)
  const failure = at.get(`fail ${failedName}`)?.[0]
  if (failure === undefined) return [...violations, `${failedName} never failed`]
  if (!at.has(`-${failedName}`)) violations.push(`${failedName}'s own resource was not released`)
  for (const dependent of dependentsOf(graph, failed)) {
    if (dependent !== failed && at.has(`start ${nameOf(dependent)}`)) {
      violations.push(`${nameOf(dependent)} started although it depends on ${failedName}`)
    }
  }
  graph.forEach((dependencies, id) => {
    const started = at.get(`start ${nameOf(id)}`)?.[0]
    if (started === undefined || started < failure) return
    if (options?.strict === true) violations.push(`${nameOf(id)} started after ${failedName} failed`)
    else if (dependencies.some((dependency) => (at.get(`+${nameOf(dependency)}`)?.[0] ?? Infinity) > failure)) {
      violations.push(`${nameOf(id)} started after ${failedName} failed and was not ready before`)
    }
  })
  return violations
}
