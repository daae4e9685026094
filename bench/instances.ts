/**
 * Keyed instances: the cost of a cached `use` and a cached `get`, each next to the floor of what it
 * has to do, measured the same way in the same run; then build-and-replace throughput under churn,
 * sequential and under concurrent load.
 *
 * What a cached hit must do, and the floor it is compared with:
 *
 * - `manager.use(key, f)`: take a reference, run `f`, release on exit (however `f` ends). Floors:
 *   the combinators it is made of with a `Map.get` and a counter instead of the manager's
 *   bookkeeping (`uninterruptibleMask` around `matchCauseEffect(restore(...))`),
 *   `Effect.onExit(Effect.sync(Map.get), release)` (the cheapest public "run, then always
 *   release" combinator) and `Effect.acquireUseRelease` of a `Map.get`.
 * - `manager.get(key)` inside a Scope that is already open: take a reference and register its
 *   release in that Scope. Measured in batches of 100 gets per Scope (`Scope.make`, 100 gets,
 *   `Scope.close`), so a get's number includes its release when the Scope closes and 1/100 of
 *   making and closing the Scope. Floors, measured in the same batches: the combinators it is made
 *   of (`uninterruptibleMask` around `Scope.addFinalizer`, a `Map.get` and a counter), a bare
 *   `Scope.addFinalizer(scope, release)` per operation (no lookup, no region), and `RcMap.get`.
 * - `Effect.scoped(manager.get(key))`: a Scope of its own per get. Floors: `Effect.scoped` of a
 *   `Scope.addFinalizer` and a `Map.get` (any scoped hold closes its Scope with one finalizer, which
 *   costs far more than closing an empty one), `Effect.scoped` of a `Map.get` alone (an empty
 *   Scope), and `Effect.scoped(RcMap.get)`.
 *
 * - The same cached `use` and `get` (a Scope per round of `iterations` gets) run in a caller context
 *   of 10 services and of 10,000: neither copies the caller's context, so the two must cost the
 *   same. For contrast, `Effect.scoped(get(key))` in both (`Effect.scoped` copies the caller's
 *   context to add its Scope), over fewer iterations.
 *
 * Every Effect row is one `Effect.gen` loop of `iterations` operations over 100 keys, run with
 * `Effect.runSync` (a cached hit never suspends, so scheduler yields are not part of the number);
 * the loop's own cost per operation is the "empty Effect.gen loop" row and is included in every
 * Effect row (the notes give the ratio of the raw numbers). The variants are measured interleaved:
 * one warm-up round of each, then `rounds` rounds of each in turn; the median round is reported.
 * The RcMap keeps its entries (`idleTimeToLive: infinity`) so that its get is a cached get too.
 *
 * Each cached-hit row also gives its Effect operations per operation (run-loop steps, counted with a
 * scheduler the run loop asks once per step): deterministic, where times vary with the machine's load.
 * A `use` is exactly the steps of its combinators; no public combinator that releases however an
 * effect ends takes fewer.
 *
 * Run: npx tsx bench/instances.ts
 */
import { type Cause, Context, Duration, Effect, Exit, RcMap, Scheduler, Scope } from "effect"
import * as Instances from "../src/Instances.js"

const iterations = 100_000
const batch = 100
const rounds = 5
const keys = Array.from({ length: 100 }, (_, index) => `tenant-${index}`)

const median = (samples: ReadonlyArray<number>): number => {
  const sorted = [...samples].sort((a, b) => a - b)
  return sorted[sorted.length >> 1]!
}

/**
 * Milliseconds of the median round of each variant: one warm-up round of each, then `rounds`
 * rounds in which every variant runs once, in turn (so that a slower phase of the machine hits
 * them alike).
 */
const measureInterleaved = async <Name extends string>(
  variants: Record<Name, () => Promise<void> | void>
): Promise<Record<Name, number>> => {
  const names = Object.keys(variants) as Array<Name>
  for (const name of names) await variants[name]()
  const samples = Object.fromEntries(names.map((name) => [name, [] as Array<number>])) as Record<Name, Array<number>>
  for (let round = 0; round < rounds; round++) {
    for (const name of names) {
      const started = performance.now()
      await variants[name]()
      samples[name].push(performance.now() - started)
    }
  }
  return Object.fromEntries(names.map((name) => [name, median(samples[name])])) as Record<Name, number>
}

/**
 * Effect operations (run-loop steps) per operation of `effect`, one of the loops below: counted with a
 * scheduler whose `shouldYield` the run loop asks once per step (and that never yields). Unlike times,
 * the counts do not vary with the machine's load.
 */
const opsPerOperation = async (effect: Effect.Effect<unknown, unknown>): Promise<number> => {
  let steps = 0
  const counting: Scheduler.Scheduler = {
    shouldYield: () => {
      steps++
      return false
    },
    scheduleTask: (task, priority) => Scheduler.defaultScheduler.scheduleTask(task, priority)
  }
  await Effect.runPromise(Effect.withScheduler(effect, counting))
  return steps / iterations
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

/** `count` operations (`iterations` unless given), `operation(index)` each. */
const loop = <E, R>(operation: (index: number) => Effect.Effect<unknown, E, R>, count = iterations) =>
  Effect.gen(function*() {
    for (let index = 0; index < count; index++) yield* operation(index)
  })

/** `iterations` operations in batches of `batch`, each batch in a Scope opened before it and closed after it. */
const loopInOpenScopes = <E>(operation: (index: number, scope: Scope.Scope) => Effect.Effect<unknown, E, Scope.Scope>) =>
  Effect.gen(function*() {
    for (let first = 0; first < iterations; first += batch) {
      const scope = yield* Scope.make()
      yield* Effect.gen(function*() {
        for (let index = first; index < first + batch; index++) yield* operation(index, scope)
      }).pipe(Scope.extend(scope))
      yield* Scope.close(scope, Exit.void)
    }
  })

const cachedHits = async () => {
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
  // the floors' release: the same work as a release that finds other holders (a decrement)
  let holders = 0
  const release = Effect.sync(() => {
    holders--
  })
  const onExitRelease = () => release
  const key = (index: number) => keys[index % 100]!
  // the combinators a cached hit is made of, with a Map.get for the lookup and a counter for the
  // reference count: what the manager would cost with no bookkeeping at all
  const releaseAfter = {
    onSuccess: <B>(value: B) => {
      holders--
      return Exit.succeed(value)
    },
    onFailure: <E>(cause: Cause.Cause<E>) => {
      holders--
      return Exit.failCause(cause)
    }
  }
  const handOut = Effect.succeed(undefined)
  const take = (index: number) =>
    Effect.sync(() => {
      holders++
      return plain.get(key(index))
    })

  const loops = {
    emptyLoop: loop(() => Effect.void),
    use: loop((index) => manager.state.use(key(index), Effect.succeed)),
    onExit: loop((index) => Effect.onExit(take(index), onExitRelease)),
    acquireUseRelease: loop((index) => Effect.acquireUseRelease(take(index), Effect.succeed, onExitRelease)),
    useCombinators: loop((index) =>
      Effect.uninterruptibleMask((restore) => {
        holders++
        return Effect.matchCauseEffect(restore(Effect.succeed(plain.get(key(index)))), releaseAfter)
      })
    ),
    getInScope: loopInOpenScopes((index) => manager.state.get(key(index))),
    addFinalizerInScope: loopInOpenScopes((_, scope) => {
      holders++
      return Scope.addFinalizer(scope, release)
    }),
    rcMapInScope: loopInOpenScopes((index) => RcMap.get(rcMap.state, key(index))),
    getCombinators: loopInOpenScopes((index, scope) =>
      Effect.uninterruptibleMask(() => {
        holders++
        plain.get(key(index))
        return Effect.zipRight(Scope.addFinalizer(scope, release), handOut)
      })
    ),
    scopedGet: loop((index) => Effect.scoped(manager.state.get(key(index)))),
    scopedRcMap: loop((index) => Effect.scoped(RcMap.get(rcMap.state, key(index)))),
    scopedMap: loop((index) => Effect.scoped(Effect.succeed(plain.get(key(index))))),
    scopedFinalizer: loop((index) =>
      Effect.scoped(Effect.flatMap(Effect.scope, (scope) => {
        holders++
        return Effect.as(Scope.addFinalizer(scope, release), plain.get(key(index)))
      }))
    )
  }
  const runs = Object.fromEntries(
    Object.entries(loops).map(([name, effect]) => [name, () => void Effect.runSync(effect as Effect.Effect<void, unknown>)])
  ) as Record<keyof typeof loops, () => void>
  const ms = await measureInterleaved({
    ...runs,
    map: () => {
      let found = 0
      for (let index = 0; index < iterations; index++) if (plain.get(key(index)) !== undefined) found++
      if (found !== iterations) throw new Error("unreachable")
    }
  })
  // the cached hits' operations, counted one loop at a time (the counts do not depend on timing)
  const counted = [
    "use",
    "useCombinators",
    "onExit",
    "acquireUseRelease",
    "getInScope",
    "getCombinators",
    "addFinalizerInScope",
    "rcMapInScope"
  ] as const
  const ops = {} as Record<(typeof counted)[number], number>
  for (const name of counted) ops[name] = await opsPerOperation(loops[name] as Effect.Effect<void, unknown>)
  const metrics = Effect.runSync(manager.state.metrics)
  await manager.close()
  await rcMap.close()
  if (metrics.builds !== keys.length) throw new Error(`expected ${keys.length} builds, got ${metrics.builds}`)
  if (metrics.misses !== keys.length) throw new Error(`expected ${keys.length} misses, got ${metrics.misses}`)
  if (holders !== 0) throw new Error(`the floors' releases did not all run: ${holders}`)
  return { ms, ops }
}

/** A context of `size` services (tags of their own), built in one pass. */
const contextOfSize = (size: number): Context.Context<unknown> =>
  Context.mergeAll(
    ...Array.from({ length: size }, (_, index) => Context.make(Context.GenericTag<unknown>(`bench/Service${index}`), index))
  )

/** Cached `use` and `get` in a caller context of 10 services and of 10,000. */
const callerContexts = async () => {
  const scopedIterations = 1_000
  const manager = withScope(
    Effect.tap(
      Instances.make({
        key: (tenant: string) => tenant,
        make: (tenant) => Effect.succeed({ tenant }),
        needsUpdate: () => false
      }),
      (manager) => Effect.forEach(keys, (key) => manager.use(key, Effect.succeed), { discard: true })
    )
  )
  const key = (index: number) => keys[index % 100]!
  const contexts = { small: contextOfSize(10), large: contextOfSize(10_000) }
  const inContext = (context: Context.Context<unknown>) => ({
    use: Effect.provide(loop((index) => manager.state.use(key(index), Effect.succeed)), context),
    // one Scope per round, made by Effect.scoped once (it copies the context once per round)
    get: Effect.provide(Effect.scoped(loop((index) => manager.state.get(key(index)))), context),
    scopedGet: Effect.provide(loop((index) => Effect.scoped(manager.state.get(key(index))), scopedIterations), context)
  })
  const small = inContext(contexts.small)
  const large = inContext(contexts.large)
  const run = (effect: Effect.Effect<unknown>) => () => void Effect.runSync(effect)
  const ms = await measureInterleaved({
    useSmall: run(small.use),
    useLarge: run(large.use),
    getSmall: run(small.get),
    getLarge: run(large.get),
    scopedGetSmall: run(small.scopedGet),
    scopedGetLarge: run(large.scopedGet)
  })
  const metrics = Effect.runSync(manager.state.metrics)
  await manager.close()
  if (metrics.builds !== keys.length) throw new Error(`expected ${keys.length} builds, got ${metrics.builds}`)
  return { ms, scopedIterations }
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
  const churn = Effect.gen(function*() {
    for (let index = 0; index < replacements; index++) {
      yield* manager.state.use({ tenant: keys[index % 100]!, version: ++version }, Effect.succeed)
    }
  })
  const { ms } = await measureInterleaved({ ms: () => Effect.runPromise(churn) })
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
  const { ms } = await measureInterleaved({ ms: () => Effect.runPromise(round) })
  const after = Effect.runSync(manager.state.metrics)
  await manager.close()
  const replacementsPerRound = (after.replacements - before.replacements) / (rounds + 1)
  return { ms, replacementsPerRound }
}

/** Runs every measurement; one row per measurement, `nsPerOp` per operation (or per replacement). */
export const run = async (): Promise<Array<{ name: string; nsPerOp: number; note?: string }>> => {
  const { ms: hits, ops } = await cachedHits()
  const callers = await callerContexts()
  const ns = (ms: number) => (ms * 1e6) / iterations
  const ratio = (ms: number, floor: number, name: string) => `${(ms / floor).toFixed(2)}x ${name}`
  const steps = (name: keyof typeof ops) => `${ops[name].toFixed(1)} Effect ops`
  const sequential = await sequentialChurn(20_000)
  const concurrentGets = 50_000
  const concurrent = await concurrentChurn(concurrentGets)
  return [
    {
      name: "Instances use(key, f), cached",
      nsPerOp: ns(hits.use),
      note: `${ratio(hits.use, hits.useCombinators, "its combinators")}, ${ratio(hits.use, hits.onExit, "onExit")}, ${
        ratio(hits.use, hits.acquireUseRelease, "acquireUseRelease")
      }; ${steps("use")}`
    },
    {
      name: "floor: uninterruptibleMask + matchCauseEffect (the combinators of a use)",
      nsPerOp: ns(hits.useCombinators),
      note: steps("useCombinators")
    },
    { name: "floor: Effect.onExit(sync(Map.get), release)", nsPerOp: ns(hits.onExit), note: steps("onExit") },
    {
      name: "floor: Effect.acquireUseRelease(Map.get)",
      nsPerOp: ns(hits.acquireUseRelease),
      note: steps("acquireUseRelease")
    },
    {
      name: `Instances get(key), cached, in an open Scope (${batch} per Scope)`,
      nsPerOp: ns(hits.getInScope),
      note: `${ratio(hits.getInScope, hits.getCombinators, "its combinators")}, ${
        ratio(hits.getInScope, hits.addFinalizerInScope, "bare Scope.addFinalizer")
      }, ${
        ratio(hits.getInScope, hits.rcMapInScope, "RcMap.get in an open Scope")
      }; ${steps("getInScope")} (with the batch's Scope)`
    },
    {
      name: `floor: uninterruptibleMask + Scope.addFinalizer (the combinators of a get), in an open Scope`,
      nsPerOp: ns(hits.getCombinators),
      note: steps("getCombinators")
    },
    {
      name: `floor: bare Scope.addFinalizer, in an open Scope (${batch} per Scope)`,
      nsPerOp: ns(hits.addFinalizerInScope),
      note: steps("addFinalizerInScope")
    },
    {
      name: `RcMap.get, cached, in an open Scope (${batch} per Scope)`,
      nsPerOp: ns(hits.rcMapInScope),
      note: steps("rcMapInScope")
    },
    {
      name: "Instances Effect.scoped(get(key)), cached",
      nsPerOp: ns(hits.scopedGet),
      note: `${ratio(hits.scopedGet, hits.scopedFinalizer, "Effect.scoped(addFinalizer + Map.get)")}, ${
        ratio(hits.scopedGet, hits.scopedMap, "Effect.scoped(Map.get)")
      }, ${ratio(hits.scopedGet, hits.scopedRcMap, "Effect.scoped(RcMap.get)")}`
    },
    { name: "RcMap Effect.scoped(get(key)), cached", nsPerOp: ns(hits.scopedRcMap) },
    {
      name: "floor: Effect.scoped(Scope.addFinalizer + Map.get) (a Scope closed with one finalizer)",
      nsPerOp: ns(hits.scopedFinalizer)
    },
    { name: "floor: Effect.scoped(Map.get) (a Scope closed with no finalizer)", nsPerOp: ns(hits.scopedMap) },
    {
      name: "Instances use(key, f), cached, in a caller context of 10,000 services",
      nsPerOp: ns(callers.ms.useLarge),
      note: `${ratio(callers.ms.useLarge, callers.ms.useSmall, "the same in a context of 10 services")} (${
        ns(callers.ms.useSmall).toFixed(0)
      } ns)`
    },
    {
      name: "Instances get(key), cached, in an open Scope, in a caller context of 10,000 services",
      nsPerOp: ns(callers.ms.getLarge),
      note: `${ratio(callers.ms.getLarge, callers.ms.getSmall, "the same in a context of 10 services")} (${
        ns(callers.ms.getSmall).toFixed(0)
      } ns)`
    },
    {
      name: "Instances Effect.scoped(get(key)), cached, in a caller context of 10,000 services (Effect.scoped copies it)",
      nsPerOp: (callers.ms.scopedGetLarge * 1e6) / callers.scopedIterations,
      note: `${ratio(callers.ms.scopedGetLarge, callers.ms.scopedGetSmall, "the same in a context of 10 services")} (${
        ((callers.ms.scopedGetSmall * 1e6) / callers.scopedIterations).toFixed(0)
      } ns)`
    },
    { name: "empty Effect.gen loop (included in every Effect row)", nsPerOp: ns(hits.emptyLoop) },
    { name: "Map.get", nsPerOp: ns(hits.map) },
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
