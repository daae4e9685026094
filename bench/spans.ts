/**
 * What layerwise's spans cost (issue 16: spans on <= 1.3x spans off at 10,000 components), in one
 * run, interleaved rounds, ratios the median of the ratios round by round:
 *
 * - `Plan.toLayer` build + release with a tracer installed, spans on, against `spans: false`;
 * - `App.start` + `App.stop` (no hooks, startup log off), spans on against `spans: false`;
 * - the floor: the spans themselves, made by hand with the same tracer (a build and a release span
 *   per component for the Layer, and the phase spans for App, each with the attributes layerwise
 *   sets, then ended), without building anything.
 *
 * The tracer is real but cheap: `Tracer.make` over Effect's native span (it keeps the span's
 * attributes and status, exports nothing).
 *
 *     npx tsx bench/spans.ts [size=10000] [rounds=9] [shape=wide]
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import * as Tracer from "effect/Tracer"
import * as App from "../src/App.js"
import * as PlanModule from "../src/Plan.js"
import * as F from "./fixture.js"
import { generate, type Shape } from "./graph.js"
import * as H from "./harness.js"


const native = Effect.runSync(Effect.tracer)
const tracer = Tracer.make({ span: (...args) => native.span(...args), context: (f) => f() })

const buildRelease = async (layer: Layer.Layer<never, unknown>): Promise<void> => {
  const scope = F.makeScope()
  H.keep(await Effect.runPromise(Effect.withTracer(F.buildLayer(layer, scope), tracer)))
  await Effect.runPromise(Effect.withTracer(Scope.close(scope, Exit.void), tracer))
}

const runApp = async (app: App.App<never>): Promise<void> => {
  const report = await Effect.runPromise(Effect.withTracer(Effect.scoped(Effect.flatMap(App.start(app), App.stop)), tracer))
  if (!report.success) throw new Error("the application run failed")
}

/** `count` spans made and ended by hand, each with layerwise's attributes, under one parent. */
const spansByHand = (count: number): void => {
  const parent = tracer.span("layerwise.build", Option.none(), Context.empty(), [], 0n, "internal")
  for (let index = 0; index < count; index++) {
    const span = tracer.span("layerwise.component.build", Option.some(parent), Context.empty(), [], 0n, "internal")
    span.attribute("layerwise.component", "component")
    span.attribute("layerwise.service", "service")
    span.attribute("layerwise.lifetime", "singleton")
    span.attribute("layerwise.phase", "build")
    span.attribute("layerwise.outcome", "success")
    span.end(1n, Exit.void)
  }
  parent.end(1n, Exit.void)
}

/** The spans' cost at `size` components: Plan.toLayer and App, spans on against off, and the floor. */
export interface Result {
  readonly size: number
  readonly rows: ReadonlyArray<readonly [string, number]>
  readonly toLayerRatio: number
  readonly appRatio: number
  readonly toLayerAdded: number
  readonly appAdded: number
  readonly floor: number
  readonly markdown: string
}

export const run = async (options: { readonly size?: number; readonly runs?: number; readonly shape?: Shape } = {}): Promise<Result> => {
  const size = options.size ?? 10_000
  const runs = options.runs ?? 9
  const shape = options.shape ?? "wide"
  const fixture = F.makeFixture(generate(size, shape))
  const plan = F.resolve(fixture)
  const on = PlanModule.toLayer(plan)
  const off = PlanModule.toLayer(plan, { spans: false })
  const appOn = App.make(plan, { startupLog: false })
  const appOff = App.make(plan, { startupLog: false, spans: false })
  // App: build, start (no hooks: none), stop, release phases: 2 component spans per component (build,
  // release) and the phase spans
  const variants: Array<readonly [string, () => Promise<void>]> = [
    ["Plan.toLayer, spans: false", () => buildRelease(off)],
    ["Plan.toLayer, spans on", () => buildRelease(on)],
    [`floor: ${H.count(2 * size)} spans by hand`, async () => spansByHand(2 * size)],
    ["App, spans: false", () => runApp(appOff)],
    ["App, spans on", () => runApp(appOn)]
  ]
  const samples = await H.interleavedRounds(variants.map(([, run]) => run), { warmup: 2, runs })
  const ratio = (index: number, to: number) => H.ratioByRound(samples[index]!, samples[to]!)
  const extra = (index: number, to: number) => H.median(samples[index]!.map((sample, round) => sample - samples[to]![round]!))
  const floor = H.median(samples[2]!)
  const rows = variants.map(([name], index) => [name, H.median(samples[index]!)] as const)
  const toLayerRatio = ratio(1, 0)
  const appRatio = ratio(4, 3)
  const markdown = [
    `spans at ${H.count(size)} components (${shape}), ${runs} rounds`,
    H.table(["variant", "median"], rows.map(([name, ms]) => [name, H.ms(ms)])),
    "",
    H.table(["", "ratio on/off", "target <= 1.3x", "added by spans", "floor (spans by hand)", "added / floor"], [
      ["Plan.toLayer", H.ratio(toLayerRatio), H.verdict(toLayerRatio <= 1.3), H.ms(extra(1, 0)), H.ms(floor), H.ratio(extra(1, 0) / floor)],
      ["App", H.ratio(appRatio), H.verdict(appRatio <= 1.3), H.ms(extra(4, 3)), H.ms(floor), H.ratio(extra(4, 3) / floor)]
    ])
  ].join("\n")
  return { size, rows, toLayerRatio, appRatio, toLayerAdded: extra(1, 0), appAdded: extra(4, 3), floor, markdown }
}

if (process.argv[1]?.endsWith("spans.ts")) {
  run({ size: Number(process.argv[2] ?? 10_000), runs: Number(process.argv[3] ?? 9), shape: (process.argv[4] ?? "wide") as Shape }).then(
    (result) => console.log(result.markdown),
    (error) => {
      console.error(error)
      process.exit(1)
    }
  )
}
