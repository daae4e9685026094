/**
 * Keyed instances: the cost of a cached `get` (a scoped use of an instance) next to a plain `RcMap.get`
 * and a `Map.get`, in the same run; and build-and-replace throughput under churn.
 *
 * Run: npx tsx bench/instances.ts
 */
import { Effect, RcMap } from "effect"
import { Instances } from "../src/index.js"

const iterations = 100_000
const keys = Array.from({ length: 100 }, (_, index) => `tenant-${index}`)

const time = async (run: () => Promise<void>): Promise<number> => {
  await run() // warm-up
  const samples: Array<number> = []
  for (let round = 0; round < 5; round++) {
    const started = performance.now()
    await run()
    samples.push(performance.now() - started)
  }
  samples.sort((a, b) => a - b)
  return samples[2]!
}

export const run = async (): Promise<Array<{ name: string; nsPerOp: number; note?: string }>> => {
  const managerGet = await time(() =>
    Effect.runPromise(Effect.scoped(Effect.gen(function*() {
      const manager = yield* Instances.make({
        key: (tenant: string) => tenant,
        needsUpdate: () => false,
        make: (tenant: string) => Effect.succeed({ tenant })
      })
      for (const key of keys) yield* manager.use(key, Effect.succeed)
      for (let index = 0; index < iterations; index++) yield* Effect.scoped(manager.get(keys[index % 100]!))
    })))
  )
  const rcMapGet = await time(() =>
    Effect.runPromise(Effect.scoped(Effect.gen(function*() {
      const map = yield* RcMap.make({ lookup: (tenant: string) => Effect.succeed({ tenant }) })
      for (let index = 0; index < iterations; index++) yield* Effect.scoped(RcMap.get(map, keys[index % 100]!))
    })))
  )
  const mapGet = await time(async () => {
    const map = new Map(keys.map((key) => [key, { tenant: key }]))
    let found = 0
    for (let index = 0; index < iterations; index++) if (map.get(keys[index % 100]!) !== undefined) found++
    if (found !== iterations) throw new Error("unreachable")
  })
  const replacements = 20_000
  const churn = await time(() =>
    Effect.runPromise(Effect.scoped(Effect.gen(function*() {
      const manager = yield* Instances.make({
        key: (settings: { readonly tenant: string; readonly version: number }) => settings.tenant,
        needsUpdate: (settings, cached) => settings.version !== cached.context.version,
        make: (settings) => Effect.acquireRelease(Effect.succeed(settings), () => Effect.void)
      })
      for (let index = 0; index < replacements; index++) {
        yield* manager.use({ tenant: keys[index % 100]!, version: index }, Effect.succeed)
      }
    })))
  )
  const perOp = (ms: number) => (ms * 1e6) / iterations
  return [
    { name: "Instances cached get (scoped use)", nsPerOp: perOp(managerGet), note: `${(managerGet / rcMapGet).toFixed(2)}x RcMap.get` },
    { name: "RcMap.get (scoped use)", nsPerOp: perOp(rcMapGet) },
    { name: "Map.get", nsPerOp: perOp(mapGet) },
    {
      name: "Instances build + replace under churn",
      nsPerOp: (churn * 1e6) / replacements,
      note: `${Math.round(replacements / (churn / 1000))} replacements/s`
    }
  ]
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const results = await run()
  console.log("| benchmark | ns/op | note |\n|---|---|---|")
  for (const result of results) console.log(`| ${result.name} | ${Math.round(result.nsPerOp)} | ${result.note ?? ""} |`)
}
