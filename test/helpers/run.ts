/**
 * Helpers for the unit tests of App's internal modules (test/internal/): a plan of named components,
 * a run record on the current Clock with the events it publishes, and a way to let every runnable
 * fiber progress.
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as App from "../../src/App.js"
import { Component, type Plan, Registry, Resolver } from "../../src/index.js"
import { RunRecord } from "../../src/internal/app/record.js"

/** A plan of one component per name (`Component.succeed`, in that order, each a root). */
export const planOf = (...names: ReadonlyArray<string>): Plan.Plan<never> => {
  const tags = names.map((name) => Context.GenericTag<string, string>(name))
  const resolved = Resolver.resolve(Registry.make(...tags.map((tag, index) => Component.succeed(tag, names[index]!))), tags)
  if (Either.isLeft(resolved)) throw new Error(resolved.left.message)
  return resolved.right as Plan.Plan<never>
}

/** A run record of a plan of `names`, on the current Clock (the TestClock in tests), keeping every event. */
export const makeRecord = (...names: ReadonlyArray<string>) =>
  Effect.map(Effect.clock, (clock) => {
    const events: Array<App.Event> = []
    const record = new RunRecord(planOf(...names), clock, (event) => events.push(event()))
    return { record, events }
  })

/** Lets every runnable fiber run until it suspends (no real asynchrony is involved in these tests). */
export const settle: Effect.Effect<void> = Effect.asVoid(Effect.replicateEffect(Effect.yieldNow(), 50))
