/**
 * layerwise benchmarks. Every number is reported next to a baseline measured in the same run, so
 * ratios stay meaningful on a slow or noisy machine.
 *
 *   npm run bench                  full run (100 / 1,000 / 10,000), writes bench/RESULTS.md
 *   npm run bench -- --quick       100 / 1,000, fewer runs (smoke check), writes bench/.generated/RESULTS.quick.md
 *   npm run bench -- --typecheck   also runs bench/typecheck.ts (tsc on generated apps of 200 / 1,000 / 2,000)
 *   npm run bench -- --only=build,lifecycle --sizes=1000,10000
 *                                  some sections, some sizes, writes bench/.generated/RESULTS.partial.md
 *   npm run bench -- --in-process  every section in this process (by default each runs in its own)
 *
 * Sections: build, release, memory, resolution, the 10,000-long chain, type-checking, keyed instances
 * (bench/instances.ts), the application lifecycle (bench/lifecycle.ts), lifetimes and handles at run
 * time (bench/lifetimes.ts), options (bench/options.ts) and the container at run time (bench/container.ts).
 *
 * Method: warm-up rounds, then the median of several rounds; within a round the variants run one
 * after the other (interleaved, so drift hits them alike), each round starting with the next one (no
 * variant always first); sizes run sequentially; a full GC runs before every measured build and
 * before every heap reading; each section runs in a Node process of its own (see `section`).
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { spawnSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scheduler from "effect/Scheduler"
import * as Scope from "effect/Scope"
import * as runtime from "../src/internal/runtime.js"
import type * as Plan from "../src/Plan.js"
import { plannedTopologicalSort, topologicalSort, validatedTopologicalSort } from "./baseline.js"
import * as F from "./fixture.js"
import { depth, generate, type Graph, type Shape } from "./graph.js"
import * as H from "./harness.js"
import type { Result as AccessResult } from "./access.js"
import type { Result as OptionsResult } from "./options.js"
import type { Row as LifecycleRow } from "./lifecycle.js"
import type { Row as LifetimesRow } from "./lifetimes.js"
import type { Result as SpansResult } from "./spans.js"
import type { Result as ContainerResult } from "./container.js"

const args = process.argv.slice(2)
const quick = args.includes("--quick")
const withTypecheck = args.includes("--typecheck")
const option = (name: string): string | undefined => args.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3)
/** `--sizes=1000,10000`: other sizes (a partial run) */
const sizes = option("sizes")?.split(",").map(Number) ?? (quick ? [100, 1_000] : [100, 1_000, 10_000])
/** `--only=build,lifecycle,access`: some sections only (a partial run; also resolve, chain, instances, lifetimes, options, container) */
const only = option("only")?.split(",")
const partial = only !== undefined || option("sizes") !== undefined
const runs = (section: string): boolean => only === undefined || only.includes(section)
const shapes: ReadonlyArray<Shape> = ["chain", "wide"]
const HAND_LIMIT = 1_000
const TARGET_SIZE = sizes[sizes.length - 1]!

const roundsFor = (size: number): { warmup: number; runs: number; memoryRuns: number } =>
  quick
    ? { warmup: 1, runs: 3, memoryRuns: 1 }
    : size <= 100
    ? { warmup: 3, runs: 15, memoryRuns: 5 }
    : size <= 1_000
    ? { warmup: 3, runs: 21, memoryRuns: 3 }
    : { warmup: 1, runs: 11, memoryRuns: 3 }

/** the run's start (a section's process is given its parent's, `--started`) */
const started = Number(option("started") ?? Date.now())
const log = (message: string) => process.stderr.write(`[bench +${((Date.now() - started) / 1000).toFixed(0)}s] ${message}\n`)

// ---------------------------------------------------------------------------------------------
// build / release / memory

/**
 * layerwise; layerwise with FiberRefs read through the public `getFiberRefs` (`publicRefs`); the
 * floor; the floor in the runner's order, as a Layer (`floorAsRun`); the `Effect.provide` comparator (`flat`); constructors taking arguments; hand-composed
 * Layers; N acquireRelease in one Scope (`bare`).
 */
type Variant = "layerwise" | "publicRefs" | "floor" | "floorAsRun" | "flat" | "arguments" | "hand" | "bare"

interface Sample {
  readonly build: number
  readonly release: number
  /** the second build after the forced GC (see `timeOnce`) */
  readonly afterGc: number
  readonly heap: number
}

interface VariantResult {
  readonly build: number
  readonly release: number
  readonly heap: number
  readonly samples: number
  /** the timed samples, one per round, in round order (every variant has one in each round) */
  readonly rounds: ReadonlyArray<{ readonly build: number; readonly release: number; readonly afterGc: number }>
  /** Effect operations evaluated by the build / the release: deterministic, immune to noise */
  readonly buildOps: number
  readonly releaseOps: number
}

interface BuildResult {
  readonly graph: Graph
  readonly depth: number
  readonly variants: Partial<Record<Variant, VariantResult>>
  readonly order: F.OrderCheck & { readonly runs: number }
  readonly handOrder: (F.OrderCheck & { readonly runs: number }) | undefined
}

/**
 * How many untimed builds follow the forced GC before the timed one (see `timeOnce`): as many
 * components as 10,000, one build at least. A count, the same for every variant of a size, not a
 * time: V8 optimises code by how much of it ran, so a time would give the slower variant fewer
 * warm-ups. Only the hand-composed Layers (a comparator, no target) stop earlier, after a second.
 */
const settleBuilds = (size: number): number => Math.max(1, Math.round(10_000 / size))
const SETTLE_CAP_MS = 1_000

/**
 * One timed sample. A forced full GC (so that no old garbage is left to collect mid-sample) also
 * throws away compiled code: V8 collects the hidden classes of the objects the last builds made and
 * deoptimises the code that depended on them, the graph's and Effect's run loop alike. The next builds
 * run that code unoptimised again and optimise it while they run: at 1,000 components the second
 * build after the GC took 2-3x the time of the fourth and later ones, and its ratio to the floor moved
 * between 1.3x and 1.9x for one code (bench/README.md, "The build at 1,000 components"). So: GC, then
 * `settleBuilds(size)` untimed builds + releases of the same variant, a scavenge (their garbage is not
 * collected in the timed build: it would weigh on the variant that allocates most, for what the builds
 * before it left), then the timed build and the timed release. The second build after the GC is also
 * timed (`afterGc`; NaN when the timed build is the second), as the sample was until
 * 2026-12-06: a diagnostic of how much code a variant has to optimise again, not a measure of its build.
 */
const timeOnce = async (
  recorder: F.Recorder,
  build: (scope: Scope.Scope) => Effect.Effect<unknown, unknown>,
  size: number
): Promise<{ readonly build: number; readonly release: number; readonly afterGc: number }> => {
  H.gc()
  const since = H.now()
  const count = settleBuilds(size)
  let afterGc = Number.NaN
  for (let warm = 0; warm < count && (warm === 0 || H.now() - since < SETTLE_CAP_MS); warm++) {
    const scope = F.makeScope()
    const t0 = H.now()
    H.keep(await Effect.runPromise(build(scope)))
    if (warm === 1) afterGc = H.now() - t0
    await F.closeScope(scope)
  }
  recorder.reset()
  H.minorGc()
  const scope = F.makeScope()
  const t0 = H.now()
  const built = await Effect.runPromise(build(scope))
  const t1 = H.now()
  await F.closeScope(scope)
  const t2 = H.now()
  H.keep(built)
  return { build: t1 - t0, release: t2 - t1, afterGc }
}

/**
 * Counts the operations the Effect runtime evaluates (it asks its scheduler whether to yield before
 * each one); every fiber forked inherits the scheduler, so helper fibers are counted too.
 */
const opCounter = { ops: 0 }
const countingScheduler: Scheduler.Scheduler = {
  shouldYield: (fiber) => {
    opCounter.ops++
    return Scheduler.defaultScheduler.shouldYield(fiber)
  },
  scheduleTask: (task, priority, fiber) => Scheduler.defaultScheduler.scheduleTask(task, priority, fiber)
}

const opsOnce = async (
  build: (scope: Scope.Scope) => Effect.Effect<unknown, unknown>
): Promise<{ readonly build: number; readonly release: number }> => {
  const scope = F.makeScope()
  opCounter.ops = 0
  H.keep(await Effect.runPromise(Effect.withScheduler(build(scope), countingScheduler)))
  const built = opCounter.ops
  opCounter.ops = 0
  await Effect.runPromise(Effect.withScheduler(Scope.close(scope, Exit.void), countingScheduler))
  return { build: built, release: opCounter.ops }
}

/** Retained heap of a built graph: heapUsed after GC with the graph built, minus before. */
const heapOnce = async (
  recorder: F.Recorder,
  build: (scope: Scope.Scope) => Effect.Effect<unknown, unknown>
): Promise<number> => {
  recorder.reset()
  const before = H.settledHeap()
  const scope = F.makeScope()
  const built = await Effect.runPromise(build(scope))
  const heap = H.settledHeap() - before
  await F.closeScope(scope)
  H.keep(built)
  return heap
}

/** A build with `runtime.fiberRefsOf` reading through the public `getFiberRefs` (see bench/README.md). */
const withPublicRefs = <A, E>(build: Effect.Effect<A, E>): Effect.Effect<A, E> =>
  Effect.suspend(() => {
    runtime.fiberRefsRead.public = true
    return Effect.ensuring(build, Effect.sync(() => (runtime.fiberRefsRead.public = false)))
  })

const buildersOf = (fixture: F.Fixture, plan: Plan.Plan<never>, withHand: boolean) => {
  const layerwise = F.layerwiseLayer(plan)
  const order = F.runnerOrder(fixture, plan)
  const builders: Array<[Variant, (scope: Scope.Scope) => Effect.Effect<unknown, unknown>]> = [
    ["layerwise", (scope) => F.buildLayer(layerwise, scope)],
    ["floor", (scope) => F.buildFloor(fixture, scope)],
    ["floorAsRun", (scope) => F.buildFloorAsRun(fixture, order, scope)],
    ["flat", (scope) => F.buildFlat(fixture, scope)],
    ["arguments", (scope) => F.buildArguments(fixture, scope)],
    ["bare", (scope) => F.acquireBare(fixture, scope)]
  ]
  // absent before the switch existed (a baseline run of older code)
  if ((runtime as { readonly fiberRefsRead?: unknown }).fiberRefsRead !== undefined) {
    builders.push(["publicRefs", (scope) => withPublicRefs(F.buildLayer(layerwise, scope))])
  }
  if (withHand) {
    const hand = F.handLayer(fixture)
    builders.push(["hand", (scope) => F.buildLayer(hand, scope)])
  }
  return builders
}

const benchBuild = async (graph: Graph): Promise<BuildResult> => {
  const fixture = F.makeFixture(graph)
  const plan = F.resolve(fixture)
  if (plan.nodes.length !== graph.size) throw new Error(`plan has ${plan.nodes.length} nodes, expected ${graph.size}`)
  const builders = buildersOf(fixture, plan, graph.size <= HAND_LIMIT)
  const { memoryRuns, runs, warmup } = roundsFor(graph.size)
  const samples = new Map<Variant, Array<Sample>>()
  let order = { releases: 0, missing: 0, edges: 0, violations: 0, runs: 0 }
  let handOrder: typeof order | undefined
  const add = (total: typeof order, check: F.OrderCheck) => ({
    releases: total.releases + check.releases,
    missing: total.missing + check.missing,
    edges: total.edges + check.edges,
    violations: total.violations + check.violations,
    runs: total.runs + 1
  })
  for (let round = 0; round < warmup + runs; round++) {
    // each round starts with another variant: no variant always runs first, or after the same one
    for (let turn = 0; turn < builders.length; turn++) {
      const [variant, build] = builders[(turn + round) % builders.length]!
      const sample = await timeOnce(fixture.recorder, build, graph.size)
      if (variant === "layerwise") order = add(order, F.checkOrder(graph, fixture.recorder))
      if (variant === "floor" || variant === "arguments") {
        const check = F.checkOrder(graph, fixture.recorder)
        if (check.violations + check.missing > 0) throw new Error(`${variant} released out of order: ${JSON.stringify(check)}`)
      }
      if (variant === "hand") handOrder = add(handOrder ?? { releases: 0, missing: 0, edges: 0, violations: 0, runs: 0 }, F.checkOrder(graph, fixture.recorder))
      if (round < warmup) continue
      const list = samples.get(variant) ?? []
      list.push({ ...sample, heap: Number.NaN })
      samples.set(variant, list)
    }
  }
  // heap rounds after the timed ones: the first builds also allocate code and feedback (on the heap)
  const heaps = new Map<Variant, Array<number>>()
  for (let round = 0; round < memoryRuns; round++) {
    for (const [variant, build] of builders) {
      const list = heaps.get(variant) ?? []
      list.push(await heapOnce(fixture.recorder, build))
      heaps.set(variant, list)
    }
  }
  const ops = new Map<Variant, { build: number; release: number }>()
  for (const [variant, build] of builders) ops.set(variant, await opsOnce(build))
  const variants: Partial<Record<Variant, VariantResult>> = {}
  for (const [variant, list] of samples) {
    variants[variant] = {
      build: H.median(list.map((s) => s.build)),
      release: H.median(list.map((s) => s.release)),
      heap: H.median(heaps.get(variant) ?? []),
      samples: list.length,
      rounds: list,
      buildOps: ops.get(variant)!.build,
      releaseOps: ops.get(variant)!.release
    }
  }
  return { graph, depth: depth(graph), variants, order, handOrder }
}

/** Runs every variant (and resolution) untimed, so the first size measured does not pay for JIT warm-up. */
const warmUp = async (graph: Graph): Promise<void> => {
  const fixture = F.makeFixture(graph)
  const plan = F.resolve(fixture)
  const builders = buildersOf(fixture, plan, true)
  for (let round = 0; round < 2; round++) {
    H.keep(F.resolve(fixture))
    H.keep(topologicalSort(fixture.components, fixture.roots))
    for (const [, build] of builders) {
      const scope = F.makeScope()
      H.keep(await Effect.runPromise(build(scope)))
      await F.closeScope(scope)
    }
  }
}

// ---------------------------------------------------------------------------------------------
// resolution

/**
 * Samples of a first resolution: more than the other measurements take, since each is one run on fresh
 * objects (nothing to repeat within a sample), so one slow moment of the machine weighs on the median.
 */
const FIRST_RUNS = quick ? 7 : 21

interface ResolveResult {
  readonly graph: Graph
  /** repeated resolution of one registry (the resolver caches what it learnt of each component) */
  readonly resolve: number
  readonly baseline: number
  /**
   * The first resolution of a registry of components never seen before (what an application does),
   * as fast as it ran: the median of its samples in the process where it ran fastest (see
   * `firstRuns`), or in the rounds of the section's own process (`interleaved`), whichever is lower.
   */
  readonly first: number
  /** the topological sort on components never seen before, likewise (as fast as it ran) */
  readonly firstBaseline: number
  /** the medians over the processes of each one's median: a typical process */
  readonly firstTypical: number
  readonly firstBaselineTypical: number
  /** the fastest sample of each: the cost with the least interference from the machine */
  readonly firstBest: number
  readonly firstBaselineBest: number
  /**
   * References, not a target's baseline (bench/baseline.ts), best process too: the cheapest correct
   * first pass measured (the components validated as the resolver validates them, each tag read once,
   * then the sort over indices and typed arrays), and the same pass that also returns the plan's
   * data (a node per component, an edge per distinct request with its description and choice).
   */
  readonly firstValidated: number
  readonly firstPlanned: number
  /**
   * A diagnostic, in the section's own process: rounds of the sort and the resolver one after the
   * other, then rounds of the planning floor (settled first runs, the medians).
   */
  readonly interleaved: { readonly sort: number; readonly resolve: number; readonly planned: number }
}

/**
 * The time of one first run (`run` on a fixture never seen before), settled as a build sample is
 * (`timeOnce`): the fixtures made first; a full GC; `warmRuns` first runs on other fresh fixtures,
 * untimed (a full GC throws compiled code away, and the sort's more than the resolver's: timed
 * straight after it, the sort of the 10,000 chain took ~11 ms, settled ~5); a scavenge (what the
 * warm runs left in the young generation is not collected in the timed run); then the timed run.
 */
const settledFirst = (graph: Graph, warmRuns: number, run: (fixture: F.Fixture) => unknown): number => {
  const warm = Array.from({ length: warmRuns }, () => F.makeFixture(graph))
  const fresh = F.makeFixture(graph)
  H.gc()
  for (const fixture of warm) H.keep(run(fixture))
  warm.length = 0
  H.minorGc()
  const started = H.now()
  H.keep(run(fresh))
  return H.now() - started
}

/** What a first run can be: the resolver and the three baselines of bench/baseline.ts. */
const firstVariants = {
  resolve: (fixture: F.Fixture): unknown => F.resolve(fixture),
  sort: (fixture: F.Fixture): unknown => topologicalSort(fixture.components, fixture.roots),
  validated: (fixture: F.Fixture): unknown => validatedTopologicalSort(fixture.components, fixture.roots),
  planned: (fixture: F.Fixture): unknown => plannedTopologicalSort(fixture.components, fixture.roots)
}
type FirstVariant = keyof typeof firstVariants

/** `--first=<variant>,<shape>,<size> --out=<file>`: this process times first runs of one variant (see `firstRuns`). */
const firstChild = option("first")

const runFirstChild = (spec: string): void => {
  const [variant, shape, size] = spec.split(",") as [FirstVariant, Shape, string]
  const graph = generate(Number(size), shape)
  const { warmup } = roundsFor(graph.size)
  const run = firstVariants[variant]
  const warmRuns = Math.ceil(20_000 / graph.size)
  const samples: Array<number> = []
  for (let round = 0; round < warmup + 2 + FIRST_RUNS; round++) {
    const time = settledFirst(graph, warmRuns, run)
    if (round >= warmup + 2) samples.push(time)
  }
  fs.writeFileSync(option("out")!, JSON.stringify(samples))
}

/** Processes per variant and graph for first runs. */
const FIRST_PROCESSES = quick ? 2 : 4

/**
 * First runs of each variant, each in processes of its own (`FIRST_PROCESSES` each, the variants'
 * order rotated from one process to the next), every sample settled (`settledFirst`). Why processes:
 * a first run's time depends on what ran before it in the process far more than on the machine's
 * load. In one process, the same sort of the same fresh 10,000 chain settled at 4.0-4.4 ms, or at
 * 7-10 ms, by what the process had run (the resolver's rounds between its own; the validated sort's
 * too; neither), the resolver at 10-12 ms either way; a ratio of one process said 1.3x or 2.8x
 * (bench/README.md, "Resolver engine notes"). Per variant: the median of each process's samples,
 * then the best of those (each variant as fast as it ran) and their median (a typical process).
 */
const firstRuns = (graph: Graph): Record<FirstVariant, { best: number; typical: number; fastest: number }> => {
  const variants: Array<FirstVariant> = ["sort", "resolve", "planned", "validated"]
  const medians: Record<string, Array<number>> = {}
  const fastest: Record<string, number> = {}
  for (let process_ = 0; process_ < FIRST_PROCESSES; process_++) {
    for (let turn = 0; turn < variants.length; turn++) {
      const variant = variants[(turn + process_) % variants.length]!
      const samples = inChild<Array<number>>(`the first runs' process (${variant})`, `first-${variant}`, [
        `--first=${variant},${graph.shape},${graph.size}`
      ])
      ;(medians[variant] ??= []).push(H.median(samples))
      fastest[variant] = Math.min(fastest[variant] ?? Infinity, ...samples)
    }
  }
  const summary = (variant: FirstVariant) => ({ best: Math.min(...medians[variant]!), typical: H.median(medians[variant]!), fastest: fastest[variant]! })
  return { resolve: summary("resolve"), sort: summary("sort"), validated: summary("validated"), planned: summary("planned") }
}

/** The diagnostic of one process's interleaved rounds: the resolver and the planning floor against the sort. */
const interleavedText = ({ interleaved }: ResolveResult): string =>
  `the sort ${H.ms(interleaved.sort)}, first ${H.ms(interleaved.resolve)} (${H.ratio(interleaved.resolve / interleaved.sort)}), ` +
  `the planning floor ${H.ms(interleaved.planned)} (${H.ratio(interleaved.planned / interleaved.sort)}; first ${H.ratio(interleaved.resolve / interleaved.planned)} it)`

/** The planning floor returns what the resolver's plan holds, node by node and edge by edge, or the bench stops. */
const checkPlanningFloor = (fixture: F.Fixture): void => {
  const data = (nodes: ReadonlyArray<Plan.Node | ReturnType<typeof plannedTopologicalSort>["nodes"][number]>) =>
    JSON.stringify(nodes.map((node) => [node.id, node.name, node.service, node.override, node.parent, node.dependencies]))
  const plan = F.resolve(fixture)
  const planned = plannedTopologicalSort(fixture.components, fixture.roots)
  if (data(plan.nodes) !== data(planned.nodes) || JSON.stringify(plan.roots) !== JSON.stringify(planned.roots)) {
    throw new Error(`the planning floor's data differ from the resolver's plan (${fixture.graph.shape} ${fixture.graph.size})`)
  }
}

const benchResolve = (graph: Graph): ResolveResult => {
  const fixture = F.makeFixture(graph)
  const { runs, warmup } = roundsFor(graph.size)
  const options = { warmup: warmup + 2, runs: Math.max(runs, 7), minSampleMs: quick ? 10 : 30 }
  // interleave: baseline, resolve, baseline, resolve (two passes each, the median of all samples)
  const baseline1 = H.timeSync(() => topologicalSort(fixture.components, fixture.roots), options)
  const resolve1 = H.timeSync(() => F.resolve(fixture), options)
  const baseline2 = H.timeSync(() => topologicalSort(fixture.components, fixture.roots), options)
  const resolve2 = H.timeSync(() => F.resolve(fixture), options)
  checkPlanningFloor(fixture)
  const first = firstRuns(graph)
  const interleaved: Record<"sort" | "resolve" | "planned", Array<number>> = { sort: [], resolve: [], planned: [] }
  const warmRuns = Math.ceil(20_000 / graph.size)
  // the sort and the resolver round by round (the sort ran fastest so: 4.0-4.7 ms at the 10,000 chain,
  // 7-10 ms alone or with a baseline between), then the planning floor's rounds
  for (const variants of [["sort", "resolve"], ["planned"]] as const) {
    for (let round = 0; round < options.warmup + FIRST_RUNS; round++) {
      for (const variant of variants) {
        const time = settledFirst(graph, warmRuns, firstVariants[variant])
        if (round >= options.warmup) interleaved[variant].push(time)
      }
    }
  }
  const together = { sort: H.median(interleaved.sort), resolve: H.median(interleaved.resolve), planned: H.median(interleaved.planned) }
  return {
    graph,
    resolve: H.median([...resolve1.samples, ...resolve2.samples]),
    baseline: H.median([...baseline1.samples, ...baseline2.samples]),
    // each as fast as it ran: in its best process, or in the rounds of this one
    first: Math.min(first.resolve.best, together.resolve),
    firstBaseline: Math.min(first.sort.best, together.sort),
    firstTypical: first.resolve.typical,
    firstBaselineTypical: first.sort.typical,
    firstBest: first.resolve.fastest,
    firstBaselineBest: first.sort.fastest,
    firstValidated: first.validated.best,
    firstPlanned: Math.min(first.planned.best, together.planned),
    interleaved: together
  }
}

// ---------------------------------------------------------------------------------------------
// the 10,000-long chain: nothing may overflow the stack

interface Step {
  readonly step: string
  readonly ok: boolean
  readonly ms: number
  readonly note: string
}

const describeError = (error: unknown): string =>
  error instanceof RangeError ? `RangeError (stack overflow?): ${error.message}` : String(error instanceof Error ? error.message : error).slice(0, 200)

const timedStep = async (step: string, fn: () => unknown | Promise<unknown>, note?: (value: unknown) => string): Promise<Step> => {
  const start = H.now()
  try {
    const value = await fn()
    return { step, ok: true, ms: H.now() - start, note: note?.(value) ?? "" }
  } catch (error) {
    return { step, ok: false, ms: H.now() - start, note: describeError(error) }
  }
}

const benchLongChain = async (length: number): Promise<Array<Step>> => {
  const graph = generate(length, "line")
  const fixture = F.makeFixture(graph)
  const steps: Array<Step> = []
  let plan: Plan.Plan<never> | undefined
  steps.push(await timedStep("resolve", () => (plan = F.resolve(fixture)), () => `${plan!.nodes.length} nodes`))
  if (plan === undefined) return steps
  const layer = F.layerwiseLayer(plan)
  const scope = F.makeScope()
  fixture.recorder.reset()
  steps.push(await timedStep("build (Plan.toLayer)", () => Effect.runPromise(F.buildLayer(layer, scope))))
  let check: F.OrderCheck | undefined
  const release = await timedStep("release", async () => {
    await F.closeScope(scope)
    check = F.checkOrder(graph, fixture.recorder)
  })
  steps.push(
    check === undefined
      ? release
      : {
        ...release,
        ok: release.ok && check.violations === 0 && check.missing === 0,
        note: `${check.releases} releases, ${check.violations} order violations over ${check.edges} edges`
      }
  )
  let explain: Record<string, unknown> | undefined
  const imported = await timedStep("explain: import", async () => {
    explain = (await import("../src/Explain.js")) as Record<string, unknown>
  })
  if (explain === undefined) {
    steps.push(imported)
    return steps
  }
  for (const name of ["tree", "mermaid", "dot", "toJson"]) {
    const fn = explain[name]
    if (typeof fn !== "function") {
      steps.push({ step: `explain: ${name}`, ok: false, ms: Number.NaN, note: "not exported" })
      continue
    }
    steps.push(
      await timedStep(`explain: Explain.${name}(plan)`, () => {
        const output: unknown = fn(plan)
        // serialise structured output too: a nested JSON tree is where recursion would hide
        return typeof output === "string" ? output : JSON.stringify(output)
      }, (output) => `${H.count(String(output).length)} chars`)
    )
  }
  return steps
}

// ---------------------------------------------------------------------------------------------
// instances (bench/instances.ts, written separately)

interface InstanceRow {
  readonly name: string
  readonly nsPerOp: number
  readonly note?: string | undefined
}

const benchInstances = async (): Promise<Array<InstanceRow> | string> => {
  try {
    const module = (await import("./instances.js")) as { run?: unknown }
    if (typeof module.run !== "function") return "skipped: bench/instances.ts does not export run()"
    const rows: unknown = await module.run()
    if (!Array.isArray(rows)) return "failed: run() did not return an array"
    return rows as Array<InstanceRow>
  } catch (error) {
    return `failed: ${describeError(error)}`
  }
}

const benchAccess = async (): Promise<AccessResult | string> => {
  try {
    const module = await import("./access.js")
    return await module.run({ quick })
  } catch (error) {
    return `failed: ${describeError(error)}`
  }
}

const benchSpans = async (): Promise<SpansResult | string> => {
  try {
    const module = await import("./spans.js")
    return await module.run({ runs: quick ? 3 : 9 })
  } catch (error) {
    return `failed: ${describeError(error)}`
  }
}

const benchLifetimes = async (): Promise<ReadonlyArray<LifetimesRow> | string> => {
  try {
    const module = await import("./lifetimes.js")
    return await module.run()
  } catch (error) {
    return `failed: ${describeError(error)}`
  }
}

const benchContainer = async (): Promise<ContainerResult | string> => {
  try {
    const module = await import("./container.js")
    return await module.run({ quick })
  } catch (error) {
    return `failed: ${describeError(error)}`
  }
}

const benchOptions = async (): Promise<OptionsResult | string> => {
  try {
    const module = await import("./options.js")
    return await module.run({ quick })
  } catch (error) {
    return `failed: ${describeError(error)}`
  }
}

const benchLifecycle = async (): Promise<Array<LifecycleRow> | string> => {
  try {
    const module = await import("./lifecycle.js")
    return await module.run({ quick })
  } catch (error) {
    return `failed: ${describeError(error)}`
  }
}

// ---------------------------------------------------------------------------------------------
// report

interface Target {
  readonly target: string
  readonly measured: string
  readonly pass: boolean | undefined
}

const perComponent = (value: number, size: number) => value / size

/**
 * `a`'s time over `b`'s: the median of their ratios round by round (samples of one round are taken
 * one after the other, so the machine's drift between rounds cancels out).
 */
const timeRatio = (a: VariantResult, b: VariantResult, pick: "build" | "release" | "afterGc"): number =>
  H.median(a.rounds.map((sample, round) => sample[pick] / b.rounds[round]![pick]))
const opsPer = (ops: number, size: number) => (ops / size).toFixed(1)

/** A machine-speed reference: Map.set + Map.get of 10,000 string keys (median, ms). */
const calibrate = (): number => {
  const keys = Array.from({ length: 10_000 }, (_, i) => `bench/calibration/S${i}`)
  return H.timeSync(() => {
    const map = new Map<string, number>()
    for (let i = 0; i < keys.length; i++) map.set(keys[i]!, i)
    let sum = 0
    for (let i = 0; i < keys.length; i++) sum += map.get(keys[i]!)!
    return sum
  }, { warmup: 20, runs: 15, minSampleMs: 10 }).median
}

/** Every section's result (each in a process of its own unless `--in-process`, see `section`). */
const collect = async () => {
  const builds = await section("build", "build/release/memory", async (): Promise<Array<BuildResult>> => {
    log("warm-up (untimed): every variant on a 1,000 graph of each shape, twice")
    for (const shape of shapes) await warmUp(generate(1_000, shape))
    const results: Array<BuildResult> = []
    for (const size of sizes) {
      for (const shape of shapes) {
        log(`build/release ${shape} ${size}`)
        results.push(await benchBuild(generate(size, shape)))
      }
    }
    return results
  }, [])
  const resolutions = await section("resolve", "resolution", () => {
    const results: Array<ResolveResult> = []
    for (const size of sizes) {
      for (const shape of shapes) {
        log(`resolve ${shape} ${size}`)
        results.push(benchResolve(generate(size, shape)))
      }
    }
    return results
  }, [])
  const chain = await section("chain", "10,000-long chain", () => benchLongChain(10_000), [])
  const instances = await section("instances", "instances", benchInstances, "skipped (--only)")
  const lifecycle = await section("lifecycle", "lifecycle", benchLifecycle, "skipped (--only)")
  const lifetimes = await section("lifetimes", "lifetimes and handles", benchLifetimes, "skipped (--only)")
  const access = await section("access", "access to a running application", benchAccess, "skipped (--only)")
  const optionsResult = await section("options", "options", benchOptions, "skipped (--only)")
  const containerResult = await section("container", "container at run time", benchContainer, "skipped (--only)")
  const spansResult = await section("spans", "spans", benchSpans, "skipped (--only)")
  return { builds, resolutions, chain, instances, lifecycle, lifetimes, access, optionsResult, containerResult, spansResult }
}

/** Names of the sections as `--only` and `--section` take them, to the field of `collect`'s result. */
const sectionResults = {
  build: "builds",
  resolve: "resolutions",
  chain: "chain",
  instances: "instances",
  lifecycle: "lifecycle",
  lifetimes: "lifetimes",
  access: "access",
  options: "optionsResult",
  container: "containerResult",
  spans: "spansResult"
} as const

/** A section's process: runs the section alone and writes its result to `--out`. */
const runChild = async (name: string): Promise<void> => {
  const field = sectionResults[name as keyof typeof sectionResults]
  const out = option("out")
  if (field === undefined || out === undefined) throw new Error(`--section=${name}: unknown section, or no --out`)
  const results = await collect()
  fs.writeFileSync(out, JSON.stringify(results[field]))
}

/** `--section=<name> --out=<file>`: this process runs one section and writes its result there (see `section`). */
const childSection = option("section")

/**
 * Runs a section, by default in a Node process of its own (the same flags and loader, this script
 * with `--section`), and reads back its result. A section's numbers then depend on its own work
 * only, not on the heap and the compiled code the sections before it left behind: an application
 * starts in a fresh process, and the ratios of a section compare measurements of one process, the
 * same run. (The lifecycle at 10,000 measured 1.22-1.31x build + release when run alone and 1.60x
 * after the other sections in one process.) `--in-process` runs every section in this process, as
 * before.
 */
const section = async <A>(name: string, label: string, run: () => A | Promise<A>, skipped: A): Promise<A> => {
  if (!runs(name) || (childSection !== undefined && childSection !== name)) return skipped
  if (childSection !== undefined || args.includes("--in-process")) {
    log(label)
    return await run()
  }
  log(`${label} (a process of its own)`)
  return inChild<A>(`the ${name} section's process`, name, [`--section=${name}`, `--started=${started}`])
}

/**
 * Runs this script in a Node process of its own (the same flags and loader, this process's arguments
 * but its own `--section` and `--out`) with `extra` arguments and `--out=<file>`, and reads back the
 * JSON it wrote there (a section's result, a variant's first runs); `what` names it in an error.
 */
const inChild = <A>(what: string, file: string, extra: ReadonlyArray<string>): A => {
  const out = path.join(os.tmpdir(), `layerwise-bench-${process.pid}-${file}.json`)
  const passed = args.filter((arg) => !arg.startsWith("--section=") && !arg.startsWith("--out="))
  const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), ...passed, ...extra, `--out=${out}`], {
    stdio: ["ignore", "ignore", "inherit"]
  })
  try {
    if (child.status !== 0) throw new Error(`${what} ended with ${child.status ?? child.signal}`)
    return JSON.parse(fs.readFileSync(out, "utf8")) as A
  } finally {
    fs.rmSync(out, { force: true })
  }
}

const main = async () => {
  if (firstChild !== undefined) return runFirstChild(firstChild)
  if (childSection !== undefined) return runChild(childSection)
  log(`sizes ${sizes.join(", ")}${quick ? " (quick)" : ""}; node ${process.version}`)
  const loadBefore = os.loadavg()
  const calibrationBefore = calibrate()
  const { builds, resolutions, chain, instances, lifecycle, lifetimes, access, optionsResult, containerResult, spansResult } = await collect()
  let typecheck: { markdown: string; targets: Array<Target> } | undefined
  if (withTypecheck) {
    log("typecheck")
    const module = await import("./typecheck.js")
    typecheck = await module.runTypecheck(module.defaultSizes, log)
  } else {
    const last = path.join(H.generatedFolder, "typecheck.json")
    if (fs.existsSync(last)) {
      const saved = JSON.parse(fs.readFileSync(last, "utf8")) as { markdown: string; targets: Array<Target>; date: string }
      typecheck = {
        markdown: `_Not re-run (no \`--typecheck\`); the last separate run, ${saved.date}:_\n\n${saved.markdown}`,
        targets: saved.targets
      }
    }
  }
  const loadAfter = os.loadavg()
  const calibrationAfter = calibrate()

  // ---- targets
  const targets: Array<Target> = []
  const floorTargets: ReadonlyArray<readonly [number, number]> = quick ? [[1_000, 1.3]] : [[10_000, 1.15], [1_000, 1.3]]
  for (const [size, bound] of floorTargets) {
    for (const result of builds.filter((b) => b.graph.size === size)) {
      const { floor, floorAsRun, layerwise } = result.variants
      const value = timeRatio(layerwise!, floor!, "build")
      targets.push({
        target: `build: layerwise <= ${bound}x the floor at ${H.count(size)} (${result.graph.shape})`,
        measured: `${H.ratio(value)} (${H.ms(layerwise!.build)} vs ${H.ms(floor!.build)}); Effect ops ${H.ratio(layerwise!.buildOps / floor!.buildOps)} (${
          opsPer(layerwise!.buildOps, size)
        } vs ${opsPer(floor!.buildOps, size)} per component); vs the floor as layerwise runs (its order, as a Layer): ${
          H.ratio(timeRatio(layerwise!, floorAsRun!, "build"))
        }${
          settleBuilds(size) > 1
            ? `; the second build after a full GC (code still being optimised again): ${H.ratio(timeRatio(layerwise!, floor!, "afterGc"))}`
            : ""
        }`,
        pass: value <= bound
      })
    }
  }
  for (const result of builds.filter((b) => b.graph.size === TARGET_SIZE)) {
    const { bare, floor, layerwise } = result.variants
    const value = timeRatio(layerwise!, floor!, "release")
    targets.push({
      target: `release: layerwise <= 1.5x the release floor (node scopes closed in reverse) at ${H.count(TARGET_SIZE)} (${result.graph.shape})`,
      measured: `${H.ratio(value)} (${H.ms(layerwise!.release)} vs ${H.ms(floor!.release)}); Effect ops ${H.ratio(layerwise!.releaseOps / floor!.releaseOps)}; ` +
        `vs one bare Scope: ${H.ratio(timeRatio(layerwise!, bare!, "release"))}`,
      pass: value <= 1.5
    })
  }
  const violations = builds.reduce((sum, b) => sum + b.order.violations + b.order.missing, 0)
  const edgesChecked = builds.reduce((sum, b) => sum + b.order.edges, 0)
  targets.push({
    target: "release order: every edge respected in every layerwise run",
    measured: `${violations} violations / ${H.count(edgesChecked)} edges checked over ${builds.reduce((s, b) => s + b.order.runs, 0)} runs`,
    pass: violations === 0
  })
  for (const shape of sizes.length > 1 ? shapes : []) {
    const bySize = builds.filter((b) => b.graph.shape === shape)
    if (bySize.length < 2) continue
    const first = bySize[bySize.length - 2]!
    const last = bySize[bySize.length - 1]!
    const growth = (pick: (v: VariantResult) => number) =>
      perComponent(pick(last.variants.layerwise!), last.graph.size) / perComponent(pick(first.variants.layerwise!), first.graph.size)
    const floorGrowth = perComponent(last.variants.floor!.build, last.graph.size) / perComponent(first.variants.floor!.build, first.graph.size)
    const build = growth((v) => v.build)
    const heap = growth((v) => v.heap)
    targets.push({
      target: `linearity (${shape}): per-component build time and heap at ${H.count(last.graph.size)} <= 1.5x those at ${H.count(first.graph.size)}`,
      measured: `time ${H.ratio(build)} (floor: ${H.ratio(floorGrowth)}), heap ${H.ratio(heap)}`,
      pass: build <= 1.5 && heap <= 1.5
    })
  }
  for (const result of resolutions.filter((r) => r.graph.size === TARGET_SIZE)) {
    const value = result.first / result.firstBaseline
    targets.push({
      target: `first resolution <= 1.5x the plain topological sort of the same fresh graph at ${H.count(TARGET_SIZE)} (${result.graph.shape})`,
      measured: `${H.ratio(value)} (${H.ms(result.first)} vs ${H.ms(result.firstBaseline)}, each as fast as it ran: its best process or the one-process rounds); ` +
        `typical processes: ${H.ratio(result.firstTypical / result.firstBaselineTypical)}; ` +
        `fastest samples: ${H.ms(result.firstBest)} vs ${H.ms(result.firstBaselineBest)}; the floor that returns the plan's data: ${
          H.ms(result.firstPlanned)
        } (${H.ratio(result.firstPlanned / result.firstBaseline)} the sort; the resolver ${H.ratio(result.first / result.firstPlanned)} it); ` +
        `the validated sort: ${H.ms(result.firstValidated)}; repeated: ${H.ms(result.resolve)} = ${H.ratio(result.resolve / result.baseline)}; ` +
        `in rounds of one process (a diagnostic): ${interleavedText(result)}`,
      pass: value <= 1.5
    })
  }
  targets.push({
    target: `10,000-long chain: resolve, build, release, explain without stack overflow${chain.length === 0 ? " (skipped)" : ""}`,
    measured: chain.map((s) => `${s.step.replace(/ \(.*\)$/, "").replace(/^explain: Explain\.(\w+)\(plan\)$/, "$1")} ${s.ok ? "OK" : "FAIL"}`).join(", "),
    pass: chain.length === 0 ? undefined : chain.every((s) => s.ok)
  })
  if (typeof lifecycle !== "string") {
    for (const row of lifecycle.filter((r) => r.name.endsWith(`${TARGET_SIZE}: App, no-op hooks (full lifecycle)`))) {
      const graph = row.name.replace(/:.*$/, "")
      const baseline = lifecycle.find((other) => other.name === `${graph}: build + release`)
      const ops = baseline?.opsPerComponent === undefined || row.opsPerComponent === undefined
        ? ""
        : `; Effect ops ${H.ratio(row.opsPerComponent / baseline.opsPerComponent)} (${row.opsPerComponent.toFixed(1)} vs ${baseline.opsPerComponent.toFixed(1)} per component)`
      targets.push({
        target: `full lifecycle with no-op hooks <= 1.3x build + release (${graph})`,
        measured: `${H.ratio(row.ratio!)} (${H.ms(row.ms)})${ops}`,
        pass: row.ratio! <= 1.3
      })
    }
  }
  if (typeof lifetimes !== "string") {
    for (const row of lifetimes) {
      targets.push({
        target: `${row.name} <= ${row.target}x its baseline`,
        measured: `${H.ratio(row.ratio)} (${H.us(row.ms)} vs ${H.us(row.baseline)})${row.note === undefined ? "" : `; ${row.note}`}`,
        pass: row.ratio <= row.target
      })
    }
  }
  if (typeof access !== "string" && !Number.isNaN(access.growth)) {
    const [small, large] = access.sizes.map(H.count)
    targets.push({
      target: `access to a running App (\`Runtime.runSync(running.runtime)\`, one root service): at ${large} <= 1.2x at ${small}`,
      measured: `${H.ratio(access.growth)} (${H.us(access.path[1]!)} vs ${H.us(access.path[0]!)})`,
      pass: access.growth <= 1.2
    })
    targets.push({
      target: `access to a running App at ${large} <= 1.2x \`ManagedRuntime.runSync\` of a tag (a one-service Layer)`,
      measured: `${H.ratio(access.versusManaged)} (${H.us(access.path[1]!)} vs ${H.us(access.managed)})`,
      pass: access.versusManaged <= 1.2
    })
  }
  if (typeof optionsResult !== "string") {
    targets.push({
      target: `options of ${H.count(optionsResult.components)} components x 5 read and validated (\`Options.validate\`) <= 1.5x \`Config.all\` of the same values by hand`,
      measured: `${H.ratio(optionsResult.ratio)} (${H.ms(optionsResult.options)} vs ${H.ms(optionsResult.byHand)}); the floor of the semantics (every text read, absent told from given, each decoded by its Schema, by hand: ${H.ms(optionsResult.floor)}) is ${H.ratio(optionsResult.floorRatio)} \`Config.all\`, layerwise ${H.ratio(optionsResult.toFloor)} the floor`,
      pass: optionsResult.ratio <= 1.5
    })
  }
  if (typeof spansResult !== "string") {
    targets.push({
      target: `spans on <= 1.3x spans: false at ${H.count(spansResult.size)} (Plan.toLayer build + release, a tracer installed)`,
      measured: `${H.ratio(spansResult.toLayerRatio)} (${H.ms(spansResult.toLayerAdded)} added; the same spans made by hand: ${H.ms(spansResult.floor)})`,
      pass: spansResult.toLayerRatio <= 1.3
    })
    targets.push({
      target: `spans on <= 1.3x spans: false at ${H.count(spansResult.size)} (App start + stop, a tracer installed)`,
      measured: `${H.ratio(spansResult.appRatio)} (${H.ms(spansResult.appAdded)} added; the same spans made by hand: ${H.ms(spansResult.floor)})`,
      pass: spansResult.appRatio <= 1.3
    })
  }
  if (typeof containerResult !== "string") {
    for (const row of containerResult.lookups) {
      targets.push({
        target: `a run-time lookup of a built singleton (\`Container.get\`) <= 1.2x \`Context.get\` on a context of the same size (${H.count(row.size)})`,
        measured: `${H.ratio(row.ratio)} (${H.ns(row.lookup)} vs ${H.ns(row.direct)}); the floor (the context, then \`succeed\`: ${H.ns(row.floor)}) is ${H.ratio(row.floor / row.direct)} \`Context.get\`, the lookup ${H.ratio(row.toFloor)} the floor`,
        pass: row.ratio <= 1.2
      })
    }
    const child = containerResult.child
    targets.push({
      target: "a child container (open, 5 components looked up, close) over a parent of 10,000 <= 1.2x over a parent of 1,000",
      measured: `${H.ratio(child.ratio)} (${H.us(child.large)} vs ${H.us(child.small)})`,
      pass: child.ratio <= 1.2
    })
  }
  if (typecheck !== undefined) targets.push(...typecheck.targets)

  // ---- tables
  const buildRows = builds.map((b) => {
    const v = b.variants
    const n = b.graph.size
    return [
      `${b.graph.shape} ${H.count(n)}`,
      `${H.count(b.graph.edges)} / ${H.count(b.depth)}`,
      H.ms(v.layerwise!.build),
      H.ms(v.floor!.build),
      H.ms(v.floorAsRun!.build),
      H.ms(v.flat!.build),
      H.ms(v.arguments!.build),
      v.hand === undefined ? "-" : H.ms(v.hand.build),
      H.ratio(timeRatio(v.layerwise!, v.floor!, "build")),
      H.ratio(timeRatio(v.layerwise!, v.floorAsRun!, "build")),
      H.ratio(timeRatio(v.layerwise!, v.flat!, "build")),
      H.ratio(timeRatio(v.floor!, v.arguments!, "build")),
      v.hand === undefined ? "-" : H.ratio(timeRatio(v.layerwise!, v.hand, "build")),
      H.us(perComponent(v.layerwise!.build, n)),
      H.us(perComponent(v.floor!.build, n)),
      [v.layerwise!, v.floor!, v.flat!, v.arguments!, ...(v.hand === undefined ? [] : [v.hand])].map((r) => opsPer(r.buildOps, n)).join(" / "),
      H.ratio(v.layerwise!.buildOps / v.floor!.buildOps)
    ]
  })
  const releaseRows = builds.map((b) => {
    const v = b.variants
    const n = b.graph.size
    return [
      `${b.graph.shape} ${H.count(n)}`,
      H.ms(v.layerwise!.release),
      H.ms(v.floor!.release),
      H.ms(v.floorAsRun!.release),
      H.ms(v.bare!.release),
      H.ms(v.flat!.release),
      H.ms(v.arguments!.release),
      v.hand === undefined ? "-" : H.ms(v.hand.release),
      H.ratio(timeRatio(v.layerwise!, v.floor!, "release")),
      H.ratio(timeRatio(v.layerwise!, v.floorAsRun!, "release")),
      H.ratio(timeRatio(v.layerwise!, v.bare!, "release")),
      H.us(perComponent(v.layerwise!.release, n)),
      H.us(perComponent(v.floor!.release, n)),
      `${opsPer(v.layerwise!.releaseOps, n)} / ${opsPer(v.floor!.releaseOps, n)} / ${opsPer(v.bare!.releaseOps, n)}`,
      `${b.order.violations + b.order.missing} / ${H.count(b.order.edges)}`,
      b.handOrder === undefined ? "-" : `${b.handOrder.violations + b.handOrder.missing} / ${H.count(b.handOrder.edges)}`
    ]
  })
  const memoryRows = builds.map((b) => {
    const v = b.variants
    const n = b.graph.size
    return [
      `${b.graph.shape} ${H.count(n)}`,
      H.bytes(v.layerwise!.heap),
      H.bytes(v.floor!.heap),
      v.hand === undefined ? "-" : H.bytes(v.hand.heap),
      H.bytes(perComponent(v.layerwise!.heap, n)),
      H.bytes(perComponent(v.floor!.heap, n)),
      H.bytes(perComponent(v.flat!.heap, n)),
      H.bytes(perComponent(v.arguments!.heap, n)),
      v.hand === undefined ? "-" : H.bytes(perComponent(v.hand.heap, n)),
      H.bytes(perComponent(v.bare!.heap, n))
    ]
  })
  const fiberRefsRows = builds.filter((b) => b.graph.size >= 1_000 && b.variants.publicRefs !== undefined).map((b) => {
    const { layerwise, publicRefs } = b.variants
    const n = b.graph.size
    return [
      `${b.graph.shape} ${H.count(n)}`,
      H.ms(layerwise!.build),
      H.ms(publicRefs!.build),
      H.ratio(timeRatio(publicRefs!, layerwise!, "build")),
      H.ms(layerwise!.release),
      H.ms(publicRefs!.release),
      H.ratio(timeRatio(publicRefs!, layerwise!, "release")),
      H.bytes(layerwise!.heap),
      H.bytes(publicRefs!.heap),
      `${H.bytes(perComponent(layerwise!.heap, n))} / ${H.bytes(perComponent(publicRefs!.heap, n))}`,
      `${opsPer(layerwise!.buildOps, n)} / ${opsPer(publicRefs!.buildOps, n)}`
    ]
  })
  const resolveRows = resolutions.map((r) => {
    const n = r.graph.size
    const units = n + r.graph.edges
    return [
      `${r.graph.shape} ${H.count(n)}`,
      H.count(r.graph.edges),
      H.ms(r.first),
      H.ms(r.firstBaseline),
      H.ratio(r.first / r.firstBaseline),
      `${H.ms(r.firstTypical)} / ${H.ms(r.firstBaselineTypical)} (${H.ratio(r.firstTypical / r.firstBaselineTypical)})`,
      `${H.ms(r.firstBest)} / ${H.ms(r.firstBaselineBest)}`,
      `${H.ms(r.firstPlanned)} (${H.ratio(r.first / r.firstPlanned)})`,
      `${H.ms(r.firstValidated)} (${H.ratio(r.first / r.firstValidated)})`,
      H.ms(r.resolve),
      H.ms(r.baseline),
      H.ratio(r.resolve / r.baseline),
      H.ns(r.first / units),
      H.us(r.first / n),
      `${H.ms(r.interleaved.resolve)} / ${H.ms(r.interleaved.sort)} / ${H.ms(r.interleaved.planned)} (${H.ratio(r.interleaved.resolve / r.interleaved.sort)}, ${
        H.ratio(r.interleaved.resolve / r.interleaved.planned)
      })`
    ]
  })
  const lifecycleSection = typeof lifecycle === "string"
    ? lifecycle
    : H.table(
      ["benchmark", "median", "ratio to build + release", "note"],
      lifecycle.map((row) => [row.name, H.ms(row.ms), row.ratio === undefined ? "-" : H.ratio(row.ratio), row.note ?? ""])
    )
  const chainRows = chain.map((s) => [s.step, s.ok ? "OK" : "FAIL", H.ms(s.ms), s.note])
  const instancesSection = typeof instances === "string"
    ? instances
    : H.table(
      ["benchmark", "ns/op", "note"],
      instances.map((row) => [row.name, Number.isFinite(row.nsPerOp) ? row.nsPerOp.toFixed(1) : String(row.nsPerOp), row.note ?? ""])
    )

  const cpus = os.cpus()
  const elapsed = (Date.now() - started) / 1000
  const rounds = sizes.map((size) => {
    const r = roundsFor(size)
    return `${H.count(size)}: ${r.warmup} warm-up + ${r.runs} timed, ${r.memoryRuns} heap`
  }).join("; ")
  const markdown = [
    `# layerwise benchmarks${quick ? " (quick)" : ""}${partial ? ` (partial: ${only?.join(", ") ?? "all"}; sizes ${sizes.join(", ")})` : ""}`,
    "",
    `- date: ${new Date().toISOString()}`,
    `- node ${process.version}, effect ${effectVersion()}, ${os.platform()} ${os.arch()}`,
    `- machine: ${cpus.length} x ${cpus[0]?.model ?? "unknown CPU"}, ${H.bytes(os.totalmem())} RAM; shared and noisy ` +
    `(load average ${loadBefore[0]!.toFixed(2)} at start, ${loadAfter[0]!.toFixed(2)} at end). Absolute numbers vary ` +
    "run to run by 2x here; the ratios compare variants measured in the same rounds. Speed reference: Map.set + get " +
    `of 10,000 string keys takes ${H.ms(calibrationBefore)} at start, ${H.ms(calibrationAfter)} at end (~0.3-0.5 ms on a current laptop). ` +
    "Effect op counts (build / release) are deterministic: they do not vary with load.",
    `- method: rounds per size (${rounds}); times are medians, time ratios the median of the ratios round by round; variants interleaved within a round, each round starting with the next variant. Each timed sample: full GC, ` +
    "untimed builds + releases of the same variant, as many components as 10,000 (a forced GC throws compiled code " +
    "away: the first builds after it run while V8 optimises it again; the hand-composed Layers stop after 1 s), a " +
    "scavenge, then the timed build and the timed release. Heap: separate rounds, heapUsed after GC with the " +
    `graph built minus before. Total time ${elapsed.toFixed(0)} s.`,
    "- graphs (bench/graph.ts, seeded): `chain` = each node depends on the previous one + 2 random earlier ones (depth N); " +
    "`wide` = 3 random earlier ones each (shallow). Roots = the nodes nothing depends on. Each constructor `yield*`s its " +
    "dependencies' tags and acquires one resource with `Effect.acquireRelease`.",
    "",
    "## Targets",
    "",
    H.table(["target", "measured", "result"], targets.map((t) => [t.target, t.measured, H.verdict(t.pass)])),
    "",
    "## 1. Build",
    "",
    "layerwise = `Plan.toLayer(plan)` built with `Layer.buildWithScope` (resolution not included; see 4). floor = the " +
    "cheapest correct run of the same constructors: one fiber, topological order, per node one `Scope.make()` and one " +
    "FiberRef write setting its context (the caller's + its dependencies + its Scope); what the build is judged on. " +
    "floor as run = the same floor in the order layerwise's runner builds (the plan's: the resolver's post-order from " +
    "the roots, not index order), built as a Layer (the constructors' context then holds Effect's MemoMap, as layerwise's do): what " +
    "is left between it and layerwise is layerwise's own work. " +
    "flat = the comparator (the floor before): the same constructors in one fiber, `Effect.provide(constructor, Context of " +
    "its deps + Scope)` each, one Scope. arguments = the same work by constructors taking their dependencies as " +
    "arguments (`(deps) => Effect<Service, never, Scope>`), one fiber, one Scope per node: the cost of the tag-reading " +
    `style is floor / arguments. hand = one \`Layer.scoped\` per component, \`Layer.provide(own, Layer.mergeAll(...deps))\` (only up to ${H.count(HAND_LIMIT)}).`,
    "",
    H.table(
      [
        "graph",
        "edges / depth",
        "layerwise",
        "floor",
        "floor as run",
        "flat (provide)",
        "arguments",
        "hand Layers",
        "lw / floor",
        "lw / floor as run",
        "lw / flat",
        "floor / arguments",
        "lw / hand",
        "lw per comp.",
        "floor per comp.",
        "Effect ops per comp. (lw / floor / flat / arguments / hand)",
        "ops lw / floor"
      ],
      buildRows
    ),
    "",
    "## 2. Release",
    "",
    "Time to close the scope the graph was built in. floor = the floor's node scopes closed in reverse, one loop in one " +
    "fiber (the release floor, what the release is judged on); bare = N `acquireRelease` in one Scope (no per-node " +
    "scope). Order: (violations + missing releases) / edges checked, summed over every run.",
    "",
    H.table(
      [
        "graph",
        "layerwise",
        "floor",
        "floor as run",
        "bare Scope",
        "flat",
        "arguments",
        "hand Layers",
        "lw / floor",
        "lw / floor as run",
        "lw / bare",
        "lw per comp.",
        "floor per comp.",
        "Effect ops per comp. (lw / floor / bare)",
        "order (layerwise)",
        "order (hand)"
      ],
      releaseRows
    ),
    "",
    "## 3. Memory and linearity",
    "",
    "Retained heap of a built graph (heapUsed after GC, built minus before), total and per component. Per-component " +
    "times are in the build and release tables.",
    "",
    H.table(
      ["graph", "layerwise", "floor", "hand Layers", "lw per comp.", "floor per comp.", "flat per comp.", "arguments per comp.", "hand per comp.", "bare per comp."],
      memoryRows
    ),
    "",
    "### The FiberRefs read (`runtime.fiberRefsOf`)",
    "",
    "layerwise as built (FiberRefs read from the fiber's private field) next to the same build reading them with the " +
    "public `RuntimeFiber.getFiberRefs()`, in the same rounds (see bench/README.md, \"FiberRefs read\").",
    "",
    H.table(
      ["graph", "build: field", "build: getFiberRefs", "ratio", "release: field", "release: getFiberRefs", "ratio", "heap: field", "heap: getFiberRefs", "heap per comp.", "Effect ops per comp."],
      fiberRefsRows
    ),
    "",
    "## 4. Resolution",
    "",
    "`Resolver.resolve(registry, roots)` vs a plain iterative topological sort of the same components with Maps " +
    "(bench/baseline.ts). first = the first resolution of a registry whose components (and tags) were never seen " +
    "before, what an application does at startup (each sample on fresh objects; settled as a build sample is: after " +
    "the full GC, untimed first runs on other fresh graphs, then a scavenge); repeated = resolving one registry again " +
    "and again (the resolver keeps what it learnt of each component: an immutable value). First runs are timed in " +
    `processes of their own, ${FIRST_PROCESSES} per variant, the variants' order rotated: a first run's time depends on what ran ` +
    "before it in its process (the same sort, 4-10 ms), so one process's ratio says little. first and sort (fresh) = " +
    `each as fast as it ran: the median of its ${FIRST_RUNS} samples in the process where it ran fastest, or in the one-process rounds ` +
    "(below), whichever is lower (the ratio is the target's verdict); typical = the " +
    "medians over the processes; fastest = the fastest sample of each. Per unit = per (component + edge), first. " +
    "References, not a target's baseline: the planning floor = the validated sort that also returns the plan's data " +
    "(a node per component, an edge per distinct request with its description and choice, as `Plan` holds them: what a " +
    "resolution has to return); the validated sort = the cheapest correct first pass measured (every component " +
    "validated as the resolver validates it, each tag read once, then the sort over indices and typed arrays). One " +
    "process = a diagnostic, in one process: rounds of the sort and the resolver one after the other (where the sort " +
    "ran fastest), then rounds of the planning floor; the medians.",
    "",
    H.table(
      ["graph", "edges", "first", "sort (fresh)", "ratio", "typical: first / sort", "fastest: first / sort", "planning floor (first vs it)", "validated sort (first vs it)", "repeated", "sort", "ratio", "first per unit", "first per comp.", "one process: first / sort / floor (vs sort, vs floor)"],
      resolveRows
    ),
    "",
    "## 5. A 10,000-long chain (each component depends on the previous one)",
    "",
    H.table(["step", "result", "time", "note"], chainRows),
    "",
    "## 6. Type-checking",
    "",
    typecheck?.markdown ?? "_Not run: `npx tsx bench/typecheck.ts` or `npm run bench -- --typecheck`._",
    "",
    "## 7. Instances (bench/instances.ts)",
    "",
    instancesSection,
    "",
    "## 8. Lifecycle (bench/lifecycle.ts)",
    "",
    "`App.start` + `App.stop` of the same plan next to `Plan.toLayer` build + release: no hooks, no-op `onStart`/`onStop` " +
    "hooks on every component, hooks that must run (`Effect.sync`), and no-op hooks with a tracer installed.",
    "",
    lifecycleSection,
    "",
    "## 9. Access to a running application (bench/access.ts)",
    "",
    "An effect reading one root service of a started App (graph `wide`, its roots ~25% of its components), per " +
    "call: through `running.runtime` (made once when the App started), and through `Effect.provide` of the runtime or " +
    "of `running.context` (both merge the roots' services into the caller's context on every call), next to " +
    "`ManagedRuntime.runSync` of a tag with a one-service Layer.",
    "",
    typeof access === "string"
      ? access
      : H.table(["benchmark", "per call", "note"], access.rows.map((row) => [row.name, H.us(row.ms), row.note ?? ""])),
    "",
    "## 10. Lifetimes and handles (bench/lifetimes.ts)",
    "",
    "Each row next to its baseline, in the same rounds (ratio: the median of the per-round ratios): a transient " +
    "with three dependencies made through a factory handle vs its constructor run directly with the three services " +
    "provided and its own Scope; one request scope building 3 request-scoped components over 50 singletons vs a " +
    "hand-written per-request `Effect.provide` of the same services; a lazy handle after its first use vs " +
    "`Deferred.await` of a completed Deferred.",
    "",
    typeof lifetimes === "string"
      ? lifetimes
      : H.table(
        ["benchmark", "layerwise", "baseline", "ratio", "target", "note"],
        lifetimes.map((row) => [row.name, H.us(row.ms), H.us(row.baseline), H.ratio(row.ratio), `<= ${row.target}x`, row.note ?? ""])
      ),
    "",
    "## 11. Options (bench/options.ts)",
    "",
    "The options of 1,000 components with 5 options each (string, number, integer with a default, boolean, literal), " +
    "read and validated as a plan's Layer and App do (`Options.validate`), next to `Config.all` of the same values by " +
    "hand, both from one `ConfigProvider.fromMap`.",
    "",
    typeof optionsResult === "string"
      ? optionsResult
      : H.table(["benchmark", "per read"], [
        [`Options.validate (${H.count(optionsResult.components)} x 5)`, H.ms(optionsResult.options)],
        ["Config.all by hand", H.ms(optionsResult.byHand)],
        ["floor: every text read, decoded by its Schema, by hand", H.ms(optionsResult.floor)],
        ["ratio to Config.all (median of rounds)", H.ratio(optionsResult.ratio)],
        ["ratio to the floor", H.ratio(optionsResult.toFloor)]
      ]),
    "",
    "## 12. The container at run time (bench/container.ts)",
    "",
    "A run-time lookup of a singleton the application built (`Container.get`, through `Runtime.runSync`) next to " +
    "`Context.get` of its tag on a context of the same size; a child container with 5 components of its own, each " +
    "requesting one of the parent's services, opened, its 5 components looked up, and closed, over parents of 1,000 " +
    "and 10,000 components (its lookups resolve the child's components alone: the ratio stays near 1).",
    "",
    typeof containerResult === "string" ? containerResult : containerResult.markdown,
    "",
    "## 13. Spans (bench/spans.ts)",
    "",
    "`Plan.toLayer` build + release and `App.start` + `App.stop` with a tracer installed (`Tracer.make` over Effect's " +
    "native span: it keeps the spans, exports nothing), spans on against `spans: false`, next to the floor: the same " +
    "number of spans made by hand, each with layerwise's attributes, then ended.",
    "",
    typeof spansResult === "string" ? spansResult : spansResult.markdown,
    ""
  ].join("\n")

  process.stdout.write(markdown + "\n")
  const out = partial
    ? path.join(H.generatedFolder, "RESULTS.partial.md")
    : quick
    ? path.join(H.generatedFolder, "RESULTS.quick.md")
    : path.join(H.benchFolder, "RESULTS.md")
  fs.mkdirSync(path.dirname(out), { recursive: true })
  fs.writeFileSync(out, markdown)
  log(`written to ${path.relative(process.cwd(), out)}`)
}

const effectVersion = (): string => {
  try {
    const file = path.join(H.root, "node_modules", "effect", "package.json")
    return (JSON.parse(fs.readFileSync(file, "utf8")) as { version: string }).version
  } catch {
    return "?"
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`)
  process.exitCode = 1
})
