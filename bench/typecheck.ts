/**
 * Type-checking cost: `tsc --noEmit` on generated apps of N services, written two ways.
 *
 *   npx tsx bench/typecheck.ts [sizes]      e.g. `npx tsx bench/typecheck.ts 200,1000,2000` (the default)
 *
 * - layerwise: each service a `Context.Tag` class, a `Component.make(Tag, { dependencies, build })`,
 *   one `Registry.make(...)`, `Registry.toLayer(registry, roots)` and a program using the roots
 *   under `Effect.provide`; layerwise is imported from the repository's src by relative path (so its
 *   own source is checked too: that is in the fixed cost, measured with an app of one service);
 * - hand: the same services as `Layer.effect(Tag, Effect.gen(...))`, composed into one fully
 *   provided layer with `Layer.provideMerge` one `const` per step in topological order (the
 *   linear-checking way, not a `.pipe(...)` chain, which checks in ~N^3).
 *
 * - layerwise-dts: the layerwise app importing layerwise's emitted declarations instead of its src,
 *   which is what a consumer's tsc reads (and skipLibCheck skips).
 *
 * All forms share the graph (bench/graph.ts, `wide`: ~3 dependencies on earlier services) and the
 * program. Reported: tsc's CPU time (GNU time; stable on a shared machine, unlike wall time), wall
 * time, its own "Check time" and instantiations (--extendedDiagnostics), errors (TS2589 "type
 * instantiation is excessively deep" in particular). Generated files go to bench/.generated/.
 */
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { generate, type Graph } from "./graph.js"
import * as H from "./harness.js"

const repository = H.root
const outDir = path.join(H.generatedFolder, "typecheck")
const tscBin = path.join(repository, "node_modules", "typescript", "bin", "tsc")

export const defaultSizes: ReadonlyArray<number> = [200, 1_000, 2_000]

type Form = "layerwise" | "layerwise-dts" | "hand"

const serviceType = (i: number) => `{ readonly s${i}: (n: number) => number }`

const buildBody = (graph: Graph, i: number, indent: string): string => {
  const deps = graph.deps[i]!
  const lines = deps.map((dep) => `${indent}  const s${dep} = yield* S${dep}`)
  const sum = deps.map((dep) => ` + s${dep}.s${dep}(n)`).join("")
  return [
    "Effect.gen(function*() {",
    ...lines,
    `${indent}  return { s${i}: (n: number) => n${sum} + ${i} }`,
    `${indent}})`
  ].join("\n")
}

const program = (graph: Graph): string => {
  const roots = graph.sinks
  return [
    "export const program = Effect.gen(function*() {",
    ...roots.map((root) => `  const r${root} = yield* S${root}`),
    `  return 0${roots.map((root) => ` + r${root}.s${root}(1)`).join("")}`,
    "})"
  ].join("\n")
}

const tagDeclarations = (graph: Graph): Array<string> =>
  graph.deps.map((_, i) => `export class S${i} extends Context.Tag("app/S${i}")<S${i}, ${serviceType(i)}>() {}`)

export const generateApp = (graph: Graph, form: Form): string => {
  const lines: Array<string> = []
  if (form !== "hand") {
    lines.push(
      `import { Context, Effect } from "effect"`,
      form === "layerwise"
        ? `import { Component, Registry } from "../../../../src/index.js"`
        : `import { Component, Registry } from "../dist/index.js"`,
      "",
      ...tagDeclarations(graph),
      ""
    )
    graph.deps.forEach((deps, i) => {
      lines.push(
        `export const S${i}Component = Component.make(S${i}, {`,
        `  dependencies: [${deps.map((dep) => `S${dep}`).join(", ")}],`,
        `  build: ${buildBody(graph, i, "  ")}`,
        "})"
      )
    })
    lines.push(
      "",
      "export const registry = Registry.make(",
      graph.deps.map((_, i) => `  S${i}Component`).join(",\n"),
      ")",
      "",
      `export const AppLayer = Registry.toLayer(registry, [${graph.sinks.map((sink) => `S${sink}`).join(", ")}])`
    )
  } else {
    lines.push(`import { Context, Effect, Layer } from "effect"`, "", ...tagDeclarations(graph), "")
    graph.deps.forEach((_, i) => {
      lines.push(`export const S${i}Live = Layer.effect(S${i}, ${buildBody(graph, i, "")})`)
    })
    lines.push("", "export const L0 = S0Live")
    for (let i = 1; i < graph.size; i++) lines.push(`export const L${i} = Layer.provideMerge(S${i}Live, L${i - 1})`)
    lines.push("", `export const AppLayer = L${graph.size - 1}`)
  }
  lines.push(
    "",
    program(graph),
    "",
    "export const main: Effect.Effect<number, unknown, never> = Effect.provide(program, AppLayer)",
    ""
  )
  return lines.join("\n")
}

const tsconfig = {
  compilerOptions: {
    target: "ES2022",
    module: "NodeNext",
    moduleResolution: "NodeNext",
    lib: ["ES2022"],
    // layerwise's src uses Node's types (process): the src form needs them, every form loads them
    types: ["node"],
    strict: true,
    exactOptionalPropertyTypes: true,
    skipLibCheck: true,
    noEmit: true
  },
  files: ["app.ts"]
}

export interface Measurement {
  readonly form: Form
  readonly size: number
  /** wall time of the tsc process, ms */
  readonly wall: number
  /** user + system CPU time of the tsc process (GNU time), ms; NaN when unavailable */
  readonly cpu: number
  /** tsc's own "Check time", ms */
  readonly check: number
  readonly instantiations: number
  /** errors in the generated app (what the benchmark is about) */
  readonly errors: ReadonlyArray<string>
  /** errors in layerwise's own src (imported by the src form): src mid-edit, not the app's fault */
  readonly srcErrors: ReadonlyArray<string>
  readonly ts2589: boolean
}

/**
 * The cost compared: CPU time when GNU time is there (tsc is single-threaded, so its CPU time is what
 * its wall time would be on an idle machine; on this shared machine wall time varies 2-3x), else wall.
 */
const cost = (m: Measurement): number => (Number.isFinite(m.cpu) ? m.cpu : m.wall)

const write = (graph: Graph, form: Form): string => {
  const dir = path.join(outDir, `${form}-${graph.size}`)
  fs.mkdirSync(dir, { recursive: true })
  fs.writeFileSync(path.join(dir, "app.ts"), generateApp(graph, form))
  fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify(tsconfig, null, 2))
  return dir
}

const number = (output: string, label: string): number => {
  const match = new RegExp(`^${label}:\\s+([\\d.]+)`, "m").exec(output)
  return match === null ? Number.NaN : Number(match[1])
}

const gnuTime = "/usr/bin/time"
const hasGnuTime = fs.existsSync(gnuTime)

const check = (dir: string, form: Form, size: number): Measurement => {
  const tsc = [tscBin, "-p", path.join(dir, "tsconfig.json"), "--extendedDiagnostics"]
  const start = H.now()
  const result = hasGnuTime
    ? spawnSync(gnuTime, ["-f", "__cpu %U %S", process.execPath, ...tsc], {
      cwd: repository,
      encoding: "utf8",
      maxBuffer: 256 * 1024 * 1024
    })
    : spawnSync(process.execPath, tsc, { cwd: repository, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 })
  const wall = H.now() - start
  const output = `${result.stdout ?? ""}${result.stderr ?? ""}`
  const cpuMatch = /^__cpu ([\d.]+) ([\d.]+)/m.exec(output)
  const all = output.split("\n").filter((line) => /error TS\d+/.test(line))
  // tsc runs in the repository: the app's errors name bench/.generated/..., src's name src/...
  const errors = all.filter((line) => !/^\s*src\//.test(line))
  const srcErrors = all.filter((line) => /^\s*src\//.test(line))
  return {
    form,
    size,
    wall,
    cpu: cpuMatch === null ? Number.NaN : (Number(cpuMatch[1]) + Number(cpuMatch[2])) * 1000,
    check: number(output, "Check time") * 1000,
    instantiations: number(output, "Instantiations"),
    errors,
    srcErrors,
    ts2589: all.some((line) => line.includes("TS2589"))
  }
}

const best = (list: ReadonlyArray<Measurement>): Measurement => list.reduce((a, b) => (cost(b) < cost(a) ? b : a))

/** layerwise's declarations (what a consumer's tsc reads, with skipLibCheck), emitted from src. */
const emitDeclarations = (): ReadonlyArray<string> => {
  const result = spawnSync(
    process.execPath,
    [
      tscBin,
      "-p",
      path.join(repository, "tsconfig.build.json"),
      "--emitDeclarationOnly",
      "--declarationMap",
      "false",
      "--sourceMap",
      "false",
      "--outDir",
      path.join(outDir, "dist")
    ],
    { cwd: repository, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 }
  )
  return `${result.stdout ?? ""}${result.stderr ?? ""}`.split("\n").filter((line) => /error TS\d+/.test(line))
}

const forms: ReadonlyArray<Form> = ["layerwise", "layerwise-dts", "hand"]

export interface TypecheckTarget {
  readonly target: string
  readonly measured: string
  readonly pass: boolean | undefined
}

export const runTypecheck = async (
  sizes: ReadonlyArray<number>,
  log: (message: string) => void = () => {}
): Promise<{ markdown: string; targets: Array<TypecheckTarget> }> => {
  const all = [1, ...sizes]
  const results = new Map<string, Measurement>()
  log("emitting layerwise declarations (tsconfig.build.json) for the layerwise-dts form")
  const declarationErrors = emitDeclarations()
  for (const size of all) {
    const graph = generate(size, "wide")
    const dirs = Object.fromEntries(forms.map((form) => [form, write(graph, form)])) as Record<Form, string>
    // the best of several runs (interference only ever adds time): 3 for the fixed cost, 2 at 1,000 (the target), else 1
    const runs = size === 1 ? 3 : size === 1_000 ? 2 : 1
    const samples: Record<Form, Array<Measurement>> = { layerwise: [], "layerwise-dts": [], hand: [] }
    for (let run = 0; run < runs; run++) {
      for (const form of forms) {
        log(`tsc ${form} ${size} (run ${run + 1}/${runs})`)
        samples[form].push(check(dirs[form], form, size))
      }
    }
    for (const form of forms) results.set(`${form}-${size}`, best(samples[form]))
    await Promise.resolve()
  }
  const get = (form: Form, size: number) => results.get(`${form}-${size}`)!
  const net = (m: Measurement) => cost(m) - cost(get(m.form, 1))
  const perService = (m: Measurement) => (m.size === 1 ? "-" : H.ms(net(m) / m.size))
  const errors = (m: Measurement) =>
    `${m.errors.length}${m.ts2589 ? " (TS2589)" : ""}${m.srcErrors.length > 0 ? ` (+${m.srcErrors.length} in src)` : ""}`
  const rows = all.map((size) => {
    const lw = get("layerwise", size)
    const dts = get("layerwise-dts", size)
    const hand = get("hand", size)
    return [
      size === 1 ? "1 (fixed cost)" : H.count(size),
      H.ms(cost(lw)),
      H.ms(cost(dts)),
      H.ms(cost(hand)),
      H.ratio(cost(lw) / cost(hand)),
      H.ratio(cost(dts) / cost(hand)),
      `${H.ms(lw.wall)} / ${H.ms(dts.wall)} / ${H.ms(hand.wall)}`,
      `${H.ms(lw.check)} / ${H.ms(dts.check)} / ${H.ms(hand.check)}`,
      `${perService(lw)} / ${perService(dts)} / ${perService(hand)}`,
      `${H.count(lw.instantiations)} / ${H.count(dts.instantiations)} / ${H.count(hand.instantiations)}`,
      `${errors(lw)} / ${errors(dts)} / ${errors(hand)}`
    ]
  })
  const targets: Array<TypecheckTarget> = []
  const metric = hasGnuTime ? "tsc CPU time" : "tsc wall time"
  if (sizes.includes(1_000)) {
    const lw = get("layerwise", 1_000)
    const dts = get("layerwise-dts", 1_000)
    const hand = get("hand", 1_000)
    // The app as a user writes it imports the package, whose emitted declarations its tsc reads: that
    // is the form the target is judged on. The src form also type-checks layerwise's own source (a
    // fixed cost that grows with the library, not with the app): reported next to it, with its
    // ratio net of fixed costs.
    targets.push({
      target: `type-check: layerwise <= 1.2x hand-composed at 1,000 (${metric}, layerwise imported as a package: its .d.ts)`,
      measured: `${H.ratio(cost(dts) / cost(hand))} (${H.ms(cost(dts))} vs ${H.ms(cost(hand))}); imported from src (its own ` +
        `source checked too): ${H.ratio(cost(lw) / cost(hand))}, net of fixed costs ${H.ratio(net(lw) / net(hand))}`,
      pass: cost(dts) / cost(hand) <= 1.2
    })
  }
  const largest = sizes[sizes.length - 1]!
  const smallest = sizes[0]!
  const erroneous = [...results.values()].filter((m) => m.form !== "hand" && (m.errors.length > 0 || m.ts2589))
  const srcBroken = [...results.values()].some((m) => m.srcErrors.length > 0)
  targets.push({
    target: `type-check: no TS2589 (nor any error in the app) with layerwise up to ${H.count(largest)}`,
    measured: (erroneous.length === 0
      ? "no errors"
      : erroneous.map((m) => `${m.form} ${H.count(m.size)}: ${m.errors.length} errors${m.ts2589 ? " incl. TS2589" : ""}`).join("; ")) +
      (srcBroken ? " (src itself had errors during the run: see the table)" : ""),
    pass: erroneous.length === 0
  })
  if (largest !== smallest) {
    const growth = (form: Form) => (net(get(form, largest)) / largest) / (net(get(form, smallest)) / smallest)
    targets.push({
      target: `type-check linear: layerwise per-service ${metric} (net of fixed cost) at ${H.count(largest)} <= 1.5x that at ${H.count(smallest)}`,
      measured: `${H.ratio(growth("layerwise"))} (${perService(get("layerwise", smallest))} -> ${perService(get("layerwise", largest))} per service; ` +
        `.d.ts form: ${H.ratio(growth("layerwise-dts"))}; hand: ${H.ratio(growth("hand"))})`,
      pass: growth("layerwise") <= 1.5
    })
  }
  const firstErrors = [...results.values()].flatMap((m) =>
    [...m.errors, ...m.srcErrors].slice(0, 2).map((line) => `- ${m.form} ${m.size}: \`${line.trim().slice(0, 240)}\``)
  )
  const markdown = [
    "tsc 5.9 `--noEmit` (strict, skipLibCheck, NodeNext, exactOptionalPropertyTypes, types node) on generated apps " +
    "(bench/.generated/typecheck/), graph `wide` (~3 dependencies on earlier services), roots = services nothing " +
    `depends on. Three forms of one app: layerwise imported from src (src is checked too), layerwise imported from its ` +
    `emitted declarations (.d.ts: what a consumer's tsc reads, skipLibCheck skips them)${
      declarationErrors.length > 0 ? ` (emitting them reported ${declarationErrors.length} errors: src mid-edit?)` : ""
    }, and hand-composed Layers. Cost = ${metric} (${hasGnuTime ? "user + system, GNU time: stable under load, unlike wall time" : "GNU time missing"}); ` +
    "best of 3 runs for the fixed cost (size 1: lib, @types/node, effect's declarations, and for the src form layerwise's own src), " +
    "of 2 at 1,000, else 1 run. Per service = (cost - fixed cost) / N.",
    "",
    H.table(
      [
        "services",
        "layerwise (src)",
        "layerwise (.d.ts)",
        "hand",
        "src / hand",
        ".d.ts / hand",
        "wall: src / .d.ts / hand",
        "Check time: src / .d.ts / hand",
        "per service: src / .d.ts / hand",
        "instantiations: src / .d.ts / hand",
        "errors: src / .d.ts / hand"
      ],
      rows
    ),
    ...(firstErrors.length > 0 ? ["", "First errors:", "", ...firstErrors.slice(0, 12)] : [])
  ].join("\n")
  fs.mkdirSync(H.generatedFolder, { recursive: true })
  fs.writeFileSync(
    path.join(H.generatedFolder, "typecheck.json"),
    JSON.stringify({ date: new Date().toISOString(), sizes, markdown, targets }, null, 2)
  )
  return { markdown, targets }
}

const invokedDirectly = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)
if (invokedDirectly) {
  const argument = process.argv.slice(2).find((arg) => /^\d[\d,_]*$/.test(arg))
  const sizes = argument === undefined ? defaultSizes : argument.split(",").filter((s) => s.length > 0).map((s) => Number(s.replace(/_/g, "")))
  const started = Date.now()
  runTypecheck(sizes, (message) => process.stderr.write(`[typecheck +${((Date.now() - started) / 1000).toFixed(0)}s] ${message}\n`))
    .then(({ markdown, targets }) => {
      process.stdout.write(
        `${markdown}\n\n${H.table(["target", "measured", "result"], targets.map((t) => [t.target, t.measured, H.verdict(t.pass)]))}\n`
      )
    })
    .catch((error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`)
      process.exitCode = 1
    })
}
