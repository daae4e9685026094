/**
 * A recorder of instances for the lifetime and handle tests: every instance a tracked constructor
 * builds gets an id (`Name#n`, numbered per component from 1), and the recorder keeps the full list
 * of events (`build Name#n`, `release Name#n`, and what tests add) and which instances are live, so
 * a test asserts exact orderings and counts, and that nothing is used after its release.
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"

/** What every tracked component's service is: the id of its instance. */
export interface Instance {
  readonly id: string
}

export interface Recorder {
  readonly events: Array<string>
  /** ids of the instances built and not yet released */
  readonly live: Set<string>
  /** ids of instances used after their release (tests expect none) */
  readonly usedAfterRelease: Array<string>
  /** A constructor: builds a new instance of `name` and releases it with the constructor's Scope. */
  readonly instance: (name: string) => Effect.Effect<Instance, never, Scope.Scope>
  /** Records `use <id>`, and notes the instance if it was released. */
  readonly use: (instance: Instance) => Effect.Effect<void>
  /** How many `build` events name `name`'s instances. */
  readonly builds: (name: string) => number
}

export const makeRecorder = (): Recorder => {
  const events: Array<string> = []
  const live = new Set<string>()
  const usedAfterRelease: Array<string> = []
  const counts = new Map<string, number>()
  return {
    events,
    live,
    usedAfterRelease,
    instance: (name) =>
      Effect.acquireRelease(
        Effect.sync(() => {
          const n = (counts.get(name) ?? 0) + 1
          counts.set(name, n)
          const id = `${name}#${n}`
          events.push(`build ${id}`)
          live.add(id)
          return { id }
        }),
        ({ id }) =>
          Effect.sync(() => {
            events.push(`release ${id}`)
            live.delete(id)
          })
      ),
    use: ({ id }) =>
      Effect.sync(() => {
        events.push(`use ${id}`)
        if (!live.has(id)) usedAfterRelease.push(id)
      }),
    builds: (name) => counts.get(name) ?? 0
  }
}
