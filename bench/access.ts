/**
 * Access to a running application: the cost of running an effect that reads one root service of a
 * started App, at 1,000 and 10,000 components (graph `wide` of bench/graph.ts: its roots grow with
 * it, ~25% of the components), next to `ManagedRuntime.runSync` of a tag with a one-service Layer.
 *
 * - `Runtime.runSync(running.runtime)`: the access path (a Runtime made once when the App started);
 * - `Effect.provide(effect, running.runtime)`: Effect 3 merges the runtime's context into the
 *   caller's on every call (and diffs its FiberRefs);
 * - `Effect.provide(effect, running.context)`: merges the roots' services on every call.
 *
 * Method: both applications started once and kept running; each sample runs the effect enough
 * times to last ~10 ms and reports one call; per round a full GC, an untimed pass of every variant,
 * then a timed one (variants interleaved); medians.
 *
 * Run: npx tsx bench/access.ts
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Runtime from "effect/Runtime"
import * as Scope from "effect/Scope"
import * as App from "../src/App.js"
import * as F from "./fixture.js"
import { generate } from "./graph.js"
import * as H from "./harness.js"

export interface Row {
  readonly name: string
  /** milliseconds per call */
  readonly ms: number
  readonly note?: string
}

export interface Result {
  readonly rows: ReadonlyArray<Row>
  /** `ManagedRuntime.runSync`, and the access path per size (NaN when absent), ms per call */
  readonly managed: number
  readonly path: ReadonlyArray<number>
  /** the access path at the largest size over the smallest */
  readonly growth: number
  /** the access path at the largest size over `ManagedRuntime.runSync` */
  readonly versusManaged: number
  readonly sizes: ReadonlyArray<number>
}

interface Variant {
  readonly name: string
  readonly call: () => unknown
  repeat: number
  readonly samples: Array<number>
}

const sample = (variant: Variant): number => {
  const start = H.now()
  for (let i = 0; i < variant.repeat; i++) H.keep(variant.call())
  return (H.now() - start) / variant.repeat
}

/** Calls per sample so that a sample lasts at least `minMs`. */
const calibrate = (variant: Variant, minMs: number): void => {
  for (;;) {
    const start = H.now()
    for (let i = 0; i < variant.repeat; i++) H.keep(variant.call())
    const elapsed = H.now() - start
    if (elapsed >= minMs || variant.repeat >= 1 << 20) return
    variant.repeat = Math.max(variant.repeat * 2, Math.ceil((variant.repeat * minMs) / Math.max(elapsed, 0.001)))
  }
}

class Probe extends Context.Tag("bench/access/Probe")<Probe, F.Service>() {}

export const run = async (options?: { readonly quick?: boolean }): Promise<Result> => {
  const quick = options?.quick ?? false
  const sizes = quick ? [100, 1_000] : [1_000, 10_000]
  const scope = F.makeScope()
  const variant = (name: string, call: () => unknown): Variant => ({ name, call, repeat: 1, samples: [] })
  const variants: Array<Variant> = []
  const add = (name: string, call: () => unknown): Variant => {
    const made = variant(name, call)
    variants.push(made)
    return made
  }
  /** the access path per size */
  const paths: Array<Variant> = []
  try {
    const managed = ManagedRuntime.make(Layer.succeed(Probe, { id: 0, value: 1 }))
    const readProbe = Effect.map(Probe, (service) => service.value)
    H.keep(managed.runSync(readProbe))
    add("ManagedRuntime.runSync(effect), a one-service Layer", () => managed.runSync(readProbe))
    const copying: Array<Variant> = []
    for (const size of sizes) {
      const fixture = F.makeFixture(generate(size, "wide"))
      const running = await Effect.runPromise(Scope.extend(App.start(App.make(F.resolve(fixture))), scope))
      const root = fixture.roots[fixture.roots.length - 1]!
      const read = Effect.map(root, (service) => service.value)
      const label = `${H.count(size)} components, ${H.count(fixture.roots.length)} roots`
      // absent before the access path existed (a baseline run of older code)
      const runtime = (running as unknown as { readonly runtime?: Runtime.Runtime<F.Service> }).runtime
      if (runtime !== undefined) {
        const runSync = Runtime.runSync(runtime)
        paths.push(add(`Runtime.runSync(running.runtime)(effect), ${label}`, () => runSync(read)))
        copying.push(variant(`Effect.runSync(Effect.provide(effect, running.runtime)), ${label}`, () => Effect.runSync(Effect.provide(read, runtime))))
      }
      copying.push(
        variant(`Effect.runSync(Effect.provide(effect, running.context)), ${label}`, () =>
          Effect.runSync(Effect.provide(read, running.context as Context.Context<F.Service>)))
      )
    }
    const cheap = [...variants]
    // the copying ones last: their garbage would slow whatever runs next
    variants.push(...copying)
    const rounds = quick ? { warmup: 1, runs: 5 } : { warmup: 2, runs: 15 }
    for (const variant of variants) calibrate(variant, quick ? 5 : 10)
    for (let round = 0; round < rounds.warmup + rounds.runs; round++) {
      // a forced GC leaves V8 slow for ~100 ms: an untimed pass of every variant first
      H.gc()
      for (const variant of variants) sample(variant)
      // the cheap ones in turn first (no place in the order favoured), the copying ones last
      const order = [...cheap.slice(round % cheap.length), ...cheap.slice(0, round % cheap.length), ...copying]
      for (const variant of order) {
        // the same variant untimed just before: the garbage of the one before is its own to collect
        sample(variant)
        const time = sample(variant)
        if (round >= rounds.warmup) variant.samples.push(time)
      }
    }
    await managed.dispose()
  } finally {
    await Effect.runPromise(Scope.close(scope, Exit.void))
  }
  const managedMs = H.median(variants[0]!.samples)
  const rows = variants.map((variant, index): Row => {
    const ms = H.median(variant.samples)
    return { name: variant.name, ms, note: index === 0 ? "-" : `${H.ratio(ms / managedMs)} ManagedRuntime.runSync` }
  })
  const path = (index: number) => paths.length === sizes.length ? H.median(paths[index]!.samples) : Number.NaN
  return {
    rows,
    managed: managedMs,
    path: sizes.map((_, index) => path(index)),
    growth: path(sizes.length - 1) / path(0),
    versusManaged: path(sizes.length - 1) / managedMs,
    sizes
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await run({ quick: process.argv.includes("--quick") })
  console.log("| benchmark | per call | note |\n|---|---|---|")
  for (const row of result.rows) console.log(`| ${row.name} | ${H.us(row.ms)} | ${row.note ?? ""} |`)
  console.log(`\naccess path: ${H.count(result.sizes[1]!)} / ${H.count(result.sizes[0]!)} = ${H.ratio(result.growth)}; vs ManagedRuntime.runSync: ${H.ratio(result.versusManaged)}`)
}
