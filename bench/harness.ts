/**
 * Measurement helpers: forced GC, medians, heap deltas, markdown tables.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import * as v8 from "node:v8"
import * as vm from "node:vm"

/**
 * The repository's root: the nearest folder above this module with a `bench/run.ts`, whether this
 * module runs from `bench/` (under tsx) or compiled, from `bench/.generated/dist/bench/` (`npm run
 * bench`). Files the benchmarks read or write are found from it.
 */
export const root: string = (() => {
  let folder = path.dirname(fileURLToPath(import.meta.url))
  while (!fs.existsSync(path.join(folder, "bench", "run.ts"))) {
    const parent = path.dirname(folder)
    if (parent === folder) throw new Error("bench: the repository's root (a folder with bench/run.ts) not found")
    folder = parent
  }
  return folder
})()

/** The folder of the benchmarks' sources (`bench/`), and of what they write (`bench/.generated/`). */
export const benchFolder = path.join(root, "bench")
export const generatedFolder = path.join(benchFolder, ".generated")

/**
 * `global.gc`, exposed at runtime when node was not started with `--expose-gc` (`npm run bench`
 * starts node without flags).
 */
const exposedGc: ((options?: { readonly type: "minor" | "major" }) => void) | undefined = (() => {
  const existing = (globalThis as { gc?: ((options?: { readonly type: "minor" | "major" }) => void) | undefined }).gc
  if (typeof existing === "function") return existing
  try {
    v8.setFlagsFromString("--expose-gc")
    const exposed: unknown = vm.runInNewContext("gc")
    if (typeof exposed === "function") return exposed as (options?: { readonly type: "minor" | "major" }) => void
  } catch {
    // fall through: measurements still run, heap numbers are noisier
  }
  return undefined
})()

/** A full collection (mark-compact). */
export const gc = (): void => exposedGc?.()

/**
 * A collection of the young generation only (a scavenge): what the runs before left there is not
 * collected during the next timed one, and no compiled code is thrown away (a full GC does that: see
 * bench/README.md, "The build at 1,000 components").
 */
export const minorGc = (): void => exposedGc?.({ type: "minor" })

export const now = (): number => performance.now()

export const median = (samples: ReadonlyArray<number>): number => {
  if (samples.length === 0) return Number.NaN
  const sorted = [...samples].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

export const min = (samples: ReadonlyArray<number>): number =>
  samples.length === 0 ? Number.NaN : Math.min(...samples)

/** heapUsed after two full collections. */
export const settledHeap = (): number => {
  gc()
  gc()
  return process.memoryUsage().heapUsed
}

/** Keeps a value reachable until the call (so a heap measurement sees it retained). */
export const keep = (value: unknown): void => {
  if (value !== undefined) sink.kept++
}
const sink = { kept: 0 }

/**
 * Times `fn` as the median of `runs` samples after `warmup` unmeasured calls. Each sample repeats
 * `fn` enough times to last at least `minSampleMs` (for sub-millisecond work) and reports the time
 * of one call.
 */
export const timeSync = (
  fn: () => unknown,
  options: { readonly warmup: number; readonly runs: number; readonly minSampleMs?: number }
): { readonly median: number; readonly min: number; readonly samples: ReadonlyArray<number> } => {
  for (let i = 0; i < options.warmup; i++) keep(fn())
  let repeat = 1
  const minSample = options.minSampleMs ?? 0
  if (minSample > 0) {
    for (;;) {
      const start = now()
      for (let i = 0; i < repeat; i++) keep(fn())
      const elapsed = now() - start
      if (elapsed >= minSample || repeat >= 1 << 20) break
      repeat = Math.max(repeat * 2, Math.ceil((repeat * minSample) / Math.max(elapsed, 0.001)))
    }
  }
  const samples: Array<number> = []
  for (let run = 0; run < options.runs; run++) {
    // a forced full GC leaves V8 slow for a while: re-warm (untimed) before the sample
    gc()
    for (let i = 0; i < repeat; i++) keep(fn())
    const start = now()
    for (let i = 0; i < repeat; i++) keep(fn())
    samples.push((now() - start) / repeat)
  }
  return { median: median(samples), min: min(samples), samples }
}

/**
 * Asynchronous variants timed in interleaved rounds: each round runs every variant once, starting
 * with the next one (none always runs first, or after the same one); each timed run follows a full
 * GC and one untimed run of the same variant (a forced GC leaves V8 slow for a while). Gives each
 * variant's samples, one per timed round, in round order.
 */
export const interleavedRounds = async (
  variants: ReadonlyArray<() => Promise<unknown>>,
  rounds: { readonly warmup: number; readonly runs: number }
): Promise<Array<Array<number>>> => {
  const samples = variants.map(() => [] as Array<number>)
  for (let round = 0; round < rounds.warmup + rounds.runs; round++) {
    for (let turn = 0; turn < variants.length; turn++) {
      const index = (turn + round) % variants.length
      gc()
      await variants[index]!()
      const started = now()
      await variants[index]!()
      const elapsed = now() - started
      if (round >= rounds.warmup) samples[index]!.push(elapsed)
    }
  }
  return samples
}

/** The median of `samples`' ratios to `baseline`'s, round by round (both from `interleavedRounds`). */
export const ratioByRound = (samples: ReadonlyArray<number>, baseline: ReadonlyArray<number>): number =>
  median(samples.map((sample, round) => sample / baseline[round]!))

// ---------------------------------------------------------------------------------------------
// formatting

export const ms = (value: number): string =>
  !Number.isFinite(value)
    ? "-"
    : value >= 100
    ? `${value.toFixed(0)} ms`
    : value >= 10
    ? `${value.toFixed(1)} ms`
    : value >= 1
    ? `${value.toFixed(2)} ms`
    : `${value.toFixed(3)} ms`

export const us = (valueMs: number): string => {
  if (!Number.isFinite(valueMs)) return "-"
  const value = valueMs * 1000
  return value >= 100 ? `${value.toFixed(0)} µs` : value >= 10 ? `${value.toFixed(1)} µs` : `${value.toFixed(2)} µs`
}

export const ns = (valueMs: number): string => {
  if (!Number.isFinite(valueMs)) return "-"
  const value = valueMs * 1e6
  return value >= 100 ? `${value.toFixed(0)} ns` : `${value.toFixed(1)} ns`
}

export const bytes = (value: number): string =>
  !Number.isFinite(value)
    ? "-"
    : Math.abs(value) >= 1024 * 1024
    ? `${(value / 1024 / 1024).toFixed(1)} MB`
    : Math.abs(value) >= 1024
    ? `${(value / 1024).toFixed(1)} KB`
    : `${value.toFixed(0)} B`

export const ratio = (value: number): string => (Number.isFinite(value) ? `${value.toFixed(2)}x` : "-")

export const count = (value: number): string => value.toLocaleString("en-US")

export const table = (headers: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? "").length)))
  const line = (cells: ReadonlyArray<string>) =>
    `| ${cells.map((cell, column) => cell.padEnd(widths[column]!)).join(" | ")} |`
  return [line(headers), `| ${widths.map((width) => "-".repeat(width)).join(" | ")} |`, ...rows.map(line)].join("\n")
}

export const verdict = (pass: boolean | undefined): string => (pass === undefined ? "n/a" : pass ? "PASS" : "FAIL")
