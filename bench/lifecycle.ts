/**
 * The full lifecycle next to build + release alone, in the same run.
 *
 * For 1,000 and 10,000 components (the `wide` and `chain` graphs of bench/graph.ts, constructors from
 * bench/fixture.ts: each reads its dependencies and acquires one resource):
 * - `build + release`: `Plan.toLayer(plan)` built into a scope, then the scope closed (the baseline);
 * - `App, no hooks`: `App.start` + `App.stop` of the same plan (state tracking, report, no hook);
 * - `App, no-op hooks`: the same with an `onStart` and an `onStop` hook (`Effect.void`) on every
 *   component: build + start + stop + release (a hook that is already a result needs no fiber);
 * - `App, Effect.sync hooks`: the same with hooks that must run (`Effect.sync(() => {})`): each runs
 *   on a fiber of its own, synchronously;
 * - `App, no-op hooks, traced`: the same with a tracer installed (a span per build, start and stop).
 *
 * Method: warm-up rounds, then rounds where the variants run one after the other (interleaved, each
 * round starting with the next one): per variant its median, and the median of its ratios to build +
 * release round by round. Before every measured run a full GC and one untimed run of the same variant.
 * Effect operations: counted in one more run per variant. Resolution is not timed (the application is
 * made from the resolved plan). Target: full lifecycle with no-op hooks <= 1.3x build + release.
 *
 * Run: npx tsx bench/lifecycle.ts
 */
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Scheduler from "effect/Scheduler"
import * as Scope from "effect/Scope"
import * as Tracer from "effect/Tracer"
import * as App from "../src/App.js"
import * as Component from "../src/Component.js"
import * as Lifecycle from "../src/Lifecycle.js"
import type * as Plan from "../src/Plan.js"
import * as PlanModule from "../src/Plan.js"
import * as Registry from "../src/Registry.js"
import * as F from "./fixture.js"
import { generate, type Shape } from "./graph.js"
import * as H from "./harness.js"

export interface Row {
  readonly name: string
  readonly ms: number
  readonly ratio?: number
  readonly note?: string
  /** Effect operations evaluated by one run (deterministic), per component */
  readonly opsPerComponent?: number
}

/** Counts the Effect operations of `run` (every fiber it forks inherits the counting scheduler). */
const counter = { ops: 0 }
const countingScheduler: Scheduler.Scheduler = {
  shouldYield: (fiber) => {
    counter.ops++
    return Scheduler.defaultScheduler.shouldYield(fiber)
  },
  scheduleTask: (task, priority, fiber) => Scheduler.defaultScheduler.scheduleTask(task, priority, fiber)
}

const withHooks = (fixture: F.Fixture, hook: () => Effect.Effect<void>): Plan.Plan<never> => {
  const noop = hook
  const components = fixture.components.map((component) =>
    component.pipe(Lifecycle.onStart(noop), Lifecycle.onStop(noop)) as Component.Any
  )
  return F.resolve({ ...fixture, components, registry: Registry.make(...components) })
}

/** A tracer that records nothing but is not Effect's built-in one: App then makes its spans. */
const makeTracer = (): Tracer.Tracer => {
  const native = Effect.runSync(Effect.tracer)
  return Tracer.make({ span: (...args) => native.span(...args), context: (f) => f() })
}

const lifecycle = (app: App.App<never>) => Effect.scoped(Effect.flatMap(App.start(app), App.stop))

type Counted = <A, E>(effect: Effect.Effect<A, E>) => Effect.Effect<A, E>
const plain: Counted = (effect) => effect
const counted: Counted = (effect) => Effect.withScheduler(effect, countingScheduler)

const buildRelease = async (layer: Layer.Layer<never, unknown>, count: Counted = plain): Promise<void> => {
  const scope = F.makeScope()
  H.keep(await Effect.runPromise(count(F.buildLayer(layer, scope))))
  await Effect.runPromise(count(Scope.close(scope, Exit.void)))
}

const runApp = async (app: App.App<never>, tracer?: Tracer.Tracer, count: Counted = plain): Promise<void> => {
  const program = tracer === undefined ? lifecycle(app) : Effect.withTracer(lifecycle(app), tracer)
  const report = await Effect.runPromise(count(program))
  if (!report.success) throw new Error("the application run failed")
}

const measure = async (size: number, shape: Shape, rounds: { warmup: number; runs: number }): Promise<Array<Row>> => {
  const fixture = F.makeFixture(generate(size, shape))
  const plain = F.resolve(fixture)
  const hooked = withHooks(fixture, () => Effect.void)
  const synchronous = withHooks(fixture, () => Effect.sync(() => {}))
  const layer = PlanModule.toLayer(plain)
  const bare = App.make(plain)
  const full = App.make(hooked)
  const fullSync = App.make(synchronous)
  const tracer = makeTracer()
  const variants: Array<readonly [string, (count?: Counted) => Promise<void>]> = [
    ["build + release", (count) => buildRelease(layer, count)],
    ["App, no hooks", (count) => runApp(bare, undefined, count)],
    ["App, no-op hooks (full lifecycle)", (count) => runApp(full, undefined, count)],
    ["App, Effect.sync hooks", (count) => runApp(fullSync, undefined, count)],
    ["App, no-op hooks, traced", (count) => runApp(full, tracer, count)]
  ]
  const samples = await H.interleavedRounds(variants.map(([, run]) => () => run()), rounds)
  const ops: Array<number> = []
  for (const [, run] of variants) {
    counter.ops = 0
    await run(counted)
    ops.push(counter.ops / size)
  }
  // the ratio to build + release: the median of the ratios round by round
  const ratioToBaseline = (index: number) => H.ratioByRound(samples[index]!, samples[0]!)
  return variants.map(([name], index) => {
    const ms = H.median(samples[index]!)
    const note = `${H.us(ms / size)} per component; ${ops[index]!.toFixed(1)} Effect ops per component`
    return index === 0
      ? { name: `${shape} ${size}: ${name}`, ms, note, opsPerComponent: ops[index]! }
      : { name: `${shape} ${size}: ${name}`, ms, ratio: ratioToBaseline(index), note, opsPerComponent: ops[index]! }
  })
}

export const run = async (options?: { readonly quick?: boolean }): Promise<Array<Row>> => {
  const quick = options?.quick ?? false
  const rows: Array<Row> = []
  // a quick run is a smoke check: 1,000 only
  for (const size of quick ? [1_000] : [1_000, 10_000]) {
    for (const shape of ["wide", "chain"] as const) {
      const rounds = quick ? { warmup: 1, runs: 3 } : size <= 1_000 ? { warmup: 3, runs: 9 } : { warmup: 2, runs: 5 }
      rows.push(...await measure(size, shape, rounds))
    }
  }
  return rows
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await run({ quick: process.argv.includes("--quick") })
  console.log("| benchmark | median | ratio to build + release | note |\n|---|---|---|---|")
  for (const row of rows) {
    console.log(`| ${row.name} | ${H.ms(row.ms)} | ${row.ratio === undefined ? "-" : H.ratio(row.ratio)} | ${row.note ?? ""} |`)
  }
}
