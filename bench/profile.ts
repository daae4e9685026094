/**
 * Profiling helper: repeats one variant's build (and release) so a CPU profile shows where its time goes.
 *
 *   npx tsc -p bench/tsconfig.json        (what npm run bench compiles: the JavaScript the package ships)
 *   node --cpu-prof --cpu-prof-dir=bench/.generated/prof bench/.generated/dist/bench/profile.js layerwise wide 10000 10
 *   node bench/.generated/dist/bench/profile.js --summary bench/.generated/prof/<file>.cpuprofile [filter]
 *   node bench/.generated/dist/bench/profile.js --compare layerwise,floor wide 10000 15   (two variants, round by round)
 *
 * Variants: layerwise | layerwise-sequential (concurrency 1) | layerwise-getFiberRefs (FiberRefs read
 * through the public `getFiberRefs`) | floor | floor-runner-order | floor-layer (the floor built as a
 * Layer) | floor-as-run (both) | flat | arguments | bare | hand | app | app-hooks | resolve | baseline
 * (app: `App.start` in the scope, stopped when it closes; app-hooks: with a no-op `onStart` and
 * `onStop` on every component). The summary lists the functions with the most self time, and the
 * total (inclusive) time of the ones matching `filter` (a path fragment, default `src/`). Inclusive
 * time means little for Effect code (the run loop calls continuations, not the functions that built
 * them): read self time, and the Effect op counts in RESULTS.md. `--compare` prints the Effect op
 * counts of both too.
 *
 * Profile the compiled JavaScript, not tsx's: under tsx every function of a file reports line 1, and
 * esbuild's `keepNames` renames every named closure each time it is made (bench/README.md, "What runs").
 */
import * as fs from "node:fs"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Scheduler from "effect/Scheduler"
import * as Scope from "effect/Scope"
import * as App from "../src/App.js"
import type * as Component from "../src/Component.js"
import * as runtime from "../src/internal/runtime.js"
import * as Lifecycle from "../src/Lifecycle.js"
import * as PlanModule from "../src/Plan.js"
import * as Registry from "../src/Registry.js"
import { topologicalSort } from "./baseline.js"
import * as F from "./fixture.js"
import { generate, type Shape } from "./graph.js"
import * as H from "./harness.js"

interface ProfileNode {
  readonly id: number
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number }
  readonly hitCount?: number
  readonly children?: ReadonlyArray<number>
}

const summarize = (file: string, filter: string) => {
  const profile = JSON.parse(fs.readFileSync(file, "utf8")) as {
    nodes: ReadonlyArray<ProfileNode>
    samples: ReadonlyArray<number>
    timeDeltas: ReadonlyArray<number>
  }
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const selfTime = new Map<number, number>()
  profile.samples.forEach((id, index) => selfTime.set(id, (selfTime.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0)))
  const total = [...selfTime.values()].reduce((a, b) => a + b, 0)
  const label = (node: ProfileNode) => {
    const url = node.callFrame.url.replace(/^file:\/\/.*?\/(node_modules\/|src\/|bench\/)/, "$1")
    return `${node.callFrame.functionName || "(anonymous)"} ${url}:${node.callFrame.lineNumber + 1}`
  }
  // self time per function (all its call sites together)
  const self = new Map<string, number>()
  for (const [id, time] of selfTime) {
    const key = label(byId.get(id)!)
    self.set(key, (self.get(key) ?? 0) + time)
  }
  // inclusive time per function, counting each sample once per function even under recursion
  const parent = new Map<number, number>()
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id)
  const inclusive = new Map<string, number>()
  for (const [id, time] of selfTime) {
    const seen = new Set<string>()
    for (let current: number | undefined = id; current !== undefined; current = parent.get(current)) {
      const key = label(byId.get(current)!)
      if (seen.has(key)) continue
      seen.add(key)
      inclusive.set(key, (inclusive.get(key) ?? 0) + time)
    }
  }
  const percent = (time: number) => `${((time / total) * 100).toFixed(1).padStart(5)}%`
  console.log(`total sampled ${(total / 1000).toFixed(0)} ms\n\nself time, top 40:`)
  for (const [key, time] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log(`${percent(time)}  ${key}`)
  console.log(`\ninclusive time of functions matching "${filter}":`)
  for (const [key, time] of [...inclusive].filter(([key]) => key.includes(filter)).sort((a, b) => b[1] - a[1]).slice(0, 40)) {
    console.log(`${percent(time)}  ${key}`)
  }
}

/** An App of the fixture's plan, with a no-op `onStart` and `onStop` hook on every component (`app-hooks`) or none (`app`). */
const appOf = (fixture: F.Fixture, hooked: boolean): App.App<never> => {
  if (!hooked) return App.make(F.resolve(fixture))
  const components = fixture.components.map((component) =>
    component.pipe(Lifecycle.onStart(() => Effect.void), Lifecycle.onStop(() => Effect.void)) as Component.Any
  )
  return App.make(F.resolve({ ...fixture, components, registry: Registry.make(...components) }))
}

const builderOf = (fixture: F.Fixture, variant: string) => {
  const layerwise = F.layerwiseLayer(F.resolve(fixture))
  const sequential = PlanModule.toLayer(F.resolve(fixture), { concurrency: 1 })
  const order = F.runnerOrder(fixture, F.resolve(fixture))
  const hand = variant === "hand" ? F.handLayer(fixture) : undefined
  const app = variant === "app" || variant === "app-hooks" ? appOf(fixture, variant === "app-hooks") : undefined
  return (scope: Scope.Scope): Effect.Effect<unknown, unknown> =>
    app !== undefined
      ? Scope.extend(App.start(app), scope)
      : variant === "layerwise"
      ? F.buildLayer(layerwise, scope)
      : variant === "layerwise-getFiberRefs"
      ? Effect.suspend(() => {
        runtime.fiberRefsRead.public = true
        return Effect.ensuring(F.buildLayer(layerwise, scope), Effect.sync(() => (runtime.fiberRefsRead.public = false)))
      })
      : variant === "layerwise-sequential"
      ? F.buildLayer(sequential, scope)
      : variant === "floor"
      ? F.buildFloor(fixture, scope)
      : variant === "floor-runner-order"
      ? F.buildFloor(fixture, scope, order)
      : variant === "floor-as-run"
      ? F.buildFloorAsRun(fixture, order, scope)
      : variant === "floor-layer"
      ? Layer.buildWithScope(Layer.scopedDiscard(Effect.flatMap(Effect.scope, (own) => F.buildFloor(fixture, own))), scope)
      : variant === "flat"
      ? F.buildFlat(fixture, scope)
      : variant === "arguments"
      ? F.buildArguments(fixture, scope)
      : variant === "bare"
      ? F.acquireBare(fixture, scope)
      : F.buildLayer(hand!, scope)
}

const profile = async (variant: string, shape: Shape, size: number, repeat: number) => {
  const fixture = F.makeFixture(generate(size, shape))
  if (variant === "resolve" || variant === "baseline") {
    const start = H.now()
    for (let i = 0; i < repeat; i++) {
      H.keep(variant === "resolve" ? F.resolve(fixture) : topologicalSort(fixture.components, fixture.roots))
    }
    console.log(`${variant} ${shape} ${size}: ${H.ms((H.now() - start) / repeat)} per run`)
    return
  }
  const build = builderOf(fixture, variant)
  const builds: Array<number> = []
  const releases: Array<number> = []
  for (let i = 0; i < repeat; i++) {
    const scope = F.makeScope()
    const t0 = H.now()
    H.keep(await Effect.runPromise(build(scope)))
    const t1 = H.now()
    await F.closeScope(scope)
    builds.push(t1 - t0)
    releases.push(H.now() - t1)
  }
  console.log(`${variant} ${shape} ${size}: build ${H.ms(H.median(builds))}, release ${H.ms(H.median(releases))} (medians of ${repeat})`)
}

/** Effect operations of one build and its release (every fiber inherits the counting scheduler). */
const countOps = async (build: (scope: Scope.Scope) => Effect.Effect<unknown, unknown>) => {
  let ops = 0
  const counting: Scheduler.Scheduler = {
    shouldYield: (fiber) => {
      ops++
      return Scheduler.defaultScheduler.shouldYield(fiber)
    },
    scheduleTask: (task, priority, fiber) => Scheduler.defaultScheduler.scheduleTask(task, priority, fiber)
  }
  const scope = F.makeScope()
  H.keep(await Effect.runPromise(Effect.withScheduler(build(scope), counting)))
  const built = ops
  ops = 0
  await Effect.runPromise(Effect.withScheduler(Scope.close(scope, Exit.void), counting))
  return { build: built, release: ops }
}

/**
 * Two variants side by side: per round, each built and released once untimed after a full GC, then
 * timed; the median of the per-round ratios (first / second), which drift on a loaded machine
 * affects less than a ratio of medians.
 */
const compare = async (variants: string, shape: Shape, size: number, rounds: number) => {
  const fixture = F.makeFixture(generate(size, shape))
  const [first, second] = variants.split(",").map((variant) => ({ variant, build: builderOf(fixture, variant), samples: [] as Array<{ build: number; release: number }> }))
  const once = async (build: (scope: Scope.Scope) => Effect.Effect<unknown, unknown>) => {
    const scope = F.makeScope()
    const t0 = H.now()
    H.keep(await Effect.runPromise(build(scope)))
    const t1 = H.now()
    await F.closeScope(scope)
    return { build: t1 - t0, release: H.now() - t1 }
  }
  for (let round = 0; round < rounds + 2; round++) {
    for (const side of round % 2 === 0 ? [first!, second!] : [second!, first!]) {
      H.gc()
      await once(side.build)
      const sample = await once(side.build)
      if (round >= 2) side.samples.push(sample)
    }
  }
  const ops = [first!, second!].map((side) => countOps(side.build))
  const ratios = (pick: (sample: { build: number; release: number }) => number) =>
    H.median(first!.samples.map((sample, index) => pick(sample) / pick(second!.samples[index]!)))
  const medians = (side: typeof first) => `build ${H.ms(H.median(side!.samples.map((s) => s.build)))}, release ${H.ms(H.median(side!.samples.map((s) => s.release)))}`
  console.log(`${shape} ${size}, ${rounds} rounds: ${first!.variant} ${medians(first)}; ${second!.variant} ${medians(second)}`)
  console.log(`  ${first!.variant} / ${second!.variant}: build ${H.ratio(ratios((s) => s.build))}, release ${H.ratio(ratios((s) => s.release))} (median of per-round ratios)`)
  const [a, b] = await Promise.all(ops)
  const per = (count: number) => (count / size).toFixed(1)
  console.log(`  Effect ops per component: build ${per(a!.build)} / ${per(b!.build)}, release ${per(a!.release)} / ${per(b!.release)}`)
}

const args = process.argv.slice(2)
if (args[0] === "--summary") {
  summarize(args[1]!, args[2] ?? "src/")
} else if (args[0] === "--compare") {
  const [, variants = "layerwise,floor", shape = "wide", size = "10000", rounds = "15"] = args
  compare(variants, shape as Shape, Number(size), Number(rounds)).catch((error: unknown) => {
    console.error(error)
    process.exitCode = 1
  })
} else {
  const [variant = "layerwise", shape = "wide", size = "10000", repeat = "10"] = args
  profile(variant, shape as Shape, Number(size), Number(repeat)).catch((error: unknown) => {
    console.error(error)
    process.exitCode = 1
  })
}
