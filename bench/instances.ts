/**
 * Keyed instances: the cost of a cached `get` (a scoped use of an instance) next to a cached
 * `RcMap.get` and a `Map.get`, measured in the same run; then build-and-replace throughput under
 * churn, sequential and under concurrent load.
 *
 * Method: each measurement is one Effect loop of `iterations` operations over 100 keys, run once
 * to warm up and then `rounds` times; the median round is reported. The cached-get loops run with
 * `Effect.runSync` (a cached get never suspends), so scheduler yields are not part of the number.
 * The RcMap keeps its entries (`idleTimeToLive: infinity`) so that its get is a cached get too.
 *
 * Run: npx tsx bench/instances.ts
 */
import { Duration, Effect, Exit, RcMap, Scope } from "effect"
import * as Instances from "../src/Instances.js"

const iterations = 200_000
const rounds = 3
const keys = Array.from({ length: 100 }, (_, index) => `tenant-${index}`)

const median = (samples: ReadonlyArray<number>): number => {
  const sorted = [...samples].sort((a, b) => a - b)
  return sorted[sorted.length >> 1]!
}

/** Milliseconds of the median round, after one warm-up round. */
const measure = async (round: () => Promise<void> | void): Promise<number> => {
  await round()
  const samples: Array<number> = []
  for (let index = 0; index < rounds; index++) {
    const started = performance.now()
    await round()
    samples.push(performance.now() - started)
  }
  return median(samples)
}

/** Runs `setup` in a Scope kept open across rounds, and returns a round runner for `loop`. */
const withScope = <S>(setup: Effect.Effect<S, never, Scope.Scope>) => {
  const scope = Effect.runSync(Scope.make())
  const state = Effect.runSync(Scope.extend(setup, scope))
  return {
    state,
    close: () => Effect.runPromise(Scope.close(scope, Exit.void))
  }
}

const cachedGets = async () => {
  const manager = withScope(
    Effect.tap(
      Instances.make({
        key: (tenant: string) => tenant,
        make: (tenant) => Effect.succeed({ tenant }),
        needsUpdate: () => false
      }),
      (manager) => Effect.orDie(Effect.forEach(keys, (key) => manager.use(key, Effect.succeed), { discard: true }))
    )
  )
  const rcMap = withScope(
    Effect.tap(
      RcMap.make({ lookup: (tenant: string) => Effect.succeed({ tenant }), idleTimeToLive: Duration.infinity }),
      (map) => Effect.forEach(keys, (key) => Effect.scoped(RcMap.get(map, key)), { discard: true })
    )
  )
  const plain = new Map(keys.map((key) => [key, { tenant: key }]))

  const managerLoop = Effect.gen(function*() {
    for (let index = 0; index < iterations; index++) yield* Effect.scoped(manager.state.get(keys[index % 100]!))
  })
  const rcMapLoop = Effect.gen(function*() {
    for (let index = 0; index < iterations; index++) yield* Effect.scoped(RcMap.get(rcMap.state, keys[index % 100]!))
  })
  const scopedLoop = Effect.gen(function*() {
    for (let index = 0; index < iterations; index++) yield* Effect.scoped(Effect.succeed(plain.get(keys[index % 100]!)))
  })

  // interleaved, so that a slower phase of the machine does not land on one of them only
  const managerMs = await measure(() => Effect.runSync(managerLoop))
  const rcMapMs = await measure(() => Effect.runSync(rcMapLoop))
  const scopedMs = await measure(() => Effect.runSync(scopedLoop))
  const mapMs = await measure(() => {
    let found = 0
    for (let index = 0; index < iterations; index++) if (plain.get(keys[index % 100]!) !== undefined) found++
    if (found !== iterations) throw new Error("unreachable")
  })
  const metrics = Effect.runSync(manager.state.metrics)
  await manager.close()
  await rcMap.close()
  if (metrics.builds !== keys.length) throw new Error(`expected ${keys.length} builds, got ${metrics.builds}`)
  return { managerMs, rcMapMs, scopedMs, mapMs }
}

/** Every operation replaces its key's instance: a build, a swap and the old instance's disposal. */
const sequentialChurn = async (replacements: number) => {
  let version = 0
  const manager = withScope(
    Instances.make({
      key: (settings: { readonly tenant: string; readonly version: number }) => settings.tenant,
      make: (settings) => Effect.acquireRelease(Effect.succeed(settings), () => Effect.void),
      needsUpdate: (settings, cached) => settings.version !== cached.context.version
    })
  )
  const loop = Effect.gen(function*() {
    for (let index = 0; index < replacements; index++) {
      yield* manager.state.use({ tenant: keys[index % 100]!, version: ++version }, Effect.succeed)
    }
  })
  const ms = await measure(() => Effect.runPromise(loop))
  const metrics = Effect.runSync(manager.state.metrics)
  await manager.close()
  return { ms, metrics }
}

/** 50 fibers, each get a random key, 5% of them for a newer version of it (a replacement). */
const concurrentChurn = async (gets: number) => {
  const versions = new Array<number>(keys.length).fill(0)
  const manager = withScope(
    Instances.make({
      key: (settings: { readonly key: number; readonly version: number }) => settings.key,
      make: (settings) => Effect.acquireRelease(Effect.succeed(settings), () => Effect.void),
      needsUpdate: (settings, cached) => settings.version > cached.context.version
    })
  )
  let seed = 42
  const random = () => {
    // xorshift: deterministic and cheap, so the loop measures the manager
    seed ^= seed << 13
    seed ^= seed >>> 17
    seed ^= seed << 5
    return (seed >>> 0) / 4294967296
  }
  const step = Effect.suspend(() => {
    const key = Math.floor(random() * keys.length)
    if (random() < 0.05) versions[key]!++
    return manager.state.use({ key, version: versions[key]! }, Effect.succeed)
  })
  const round = Effect.forEach(Array.from({ length: gets }), () => step, { concurrency: 50, discard: true })
  const before = Effect.runSync(manager.state.metrics)
  const ms = await measure(() => Effect.runPromise(round))
  const after = Effect.runSync(manager.state.metrics)
  await manager.close()
  const replacementsPerRound = (after.replacements - before.replacements) / (rounds + 1)
  return { ms, replacementsPerRound }
}

/** Runs every measurement; one row per measurement, `nsPerOp` per get (or per replacement). */
export const run = async (): Promise<Array<{ name: string; nsPerOp: number; note?: string }>> => {
  const gets = await cachedGets()
  const perGet = (ms: number) => (ms * 1e6) / iterations
  const sequential = await sequentialChurn(20_000)
  const concurrentGets = 50_000
  const concurrent = await concurrentChurn(concurrentGets)
  return [
    {
      name: "Instances cached get (scoped use)",
      nsPerOp: perGet(gets.managerMs),
      note: `${(gets.managerMs / gets.rcMapMs).toFixed(2)}x RcMap.get, ${(gets.managerMs / gets.scopedMs).toFixed(2)}x Effect.scoped(Map.get)`
    },
    { name: "RcMap.get, cached (scoped use)", nsPerOp: perGet(gets.rcMapMs) },
    { name: "Effect.scoped(Map.get) (the floor of a scoped use)", nsPerOp: perGet(gets.scopedMs) },
    { name: "Map.get", nsPerOp: perGet(gets.mapMs) },
    {
      name: "Instances build + replace + dispose, sequential",
      nsPerOp: (sequential.ms * 1e6) / 20_000,
      note: `${Math.round(20_000 / (sequential.ms / 1000))} replacements/s`
    },
    {
      name: "Instances use under churn (50 fibers, 5% updates)",
      nsPerOp: (concurrent.ms * 1e6) / concurrentGets,
      note: `${Math.round(concurrentGets / (concurrent.ms / 1000))} gets/s, ` +
        `${Math.round(concurrent.replacementsPerRound / (concurrent.ms / 1000))} replacements/s`
    }
  ]
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const results = await run()
  console.log("| benchmark | ns/op | note |\n|---|---:|---|")
  for (const result of results) console.log(`| ${result.name} | ${Math.round(result.nsPerOp)} | ${result.note ?? ""} |`)
}
