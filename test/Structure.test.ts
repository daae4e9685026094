/**
 * The source's layout contracts (issue 12's "done when"): files small enough to read, Effect's runtime
 * internals behind one seam, and public modules bound to their implementations without casts.
 */
import { describe, expect, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const src = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "src")

/** Every source file, by its path under `src/` (`internal/app/run.ts`). */
const sources = (): Array<string> =>
  fs.readdirSync(src, { recursive: true, encoding: "utf8" }).filter((file) => file.endsWith(".ts")).map((file) => file.split(path.sep).join("/"))

const lines = (file: string) => fs.readFileSync(path.join(src, file), "utf8").replace(/\n$/, "").split("\n")
/** a line that is code, not a comment */
const isCode = (line: string) => !/^\s*(\*|\/\/|\/\*)/.test(line)

describe("the source's layout", () => {
  it("no source file is over 1,000 lines, none of App's internal modules over 500", () => {
    const over = sources().flatMap((file) => {
      const count = lines(file).length
      const limit = file.startsWith("internal/app/") ? 500 : 1000
      return count > limit ? [`${file}: ${count} lines (at most ${limit})`] : []
    })
    expect(over).toEqual([])
  })

  it("Effect's unsafe APIs and private fields are used in the runtime seam only (src/internal/runtime.ts)", () => {
    const outside = sources().filter((file) => file !== "internal/runtime.ts").flatMap((file) =>
      lines(file).flatMap((line, index) =>
        isCode(line) && /\.unsafe[A-Z]\w*\(|\b_fiberRefs\b|\bunsafeMake\b/.test(line) ? [`${file}:${index + 1}: ${line.trim()}`] : []
      )
    )
    expect(outside).toEqual([])
  })

  it("every `any` and `@ts-ignore` in the source is justified by a comment on the line above", () => {
    const unjustified = sources().flatMap((file) => {
      const text = lines(file)
      return text.flatMap((line, index) =>
        isCode(line) && /(<|,\s*|:\s*|\bas\s+|=\s*)any\b|\bany\s*[,>\]]|@ts-ignore/.test(line) && !/^\s*\/\/.*`any`|^\s*\/\/.*ts-ignore/.test(text[index - 1] ?? "")
          ? [`${file}:${index + 1}: ${line.trim()}`]
          : []
      )
    })
    expect(unjustified).toEqual([])
  })

  it("the public modules bind their implementations with at most 5 casts to never or any", () => {
    const casts = sources().filter((file) => !file.includes("/")).flatMap((file) =>
      lines(file).flatMap((line, index) => isCode(line) && /\bas (never|any)\b/.test(line) ? [`${file}:${index + 1}`] : [])
    )
    expect(casts.length).toBeLessThanOrEqual(5)
  })

  it("no export is documented as added in a version later than the package's (`@since` at most package.json's version)", () => {
    const version = (text: string) => text.split(".").map(Number)
    const later = (a: ReadonlyArray<number>, b: ReadonlyArray<number>) => {
      for (let index = 0; index < Math.max(a.length, b.length); index++) {
        if ((a[index] ?? 0) !== (b[index] ?? 0)) return (a[index] ?? 0) > (b[index] ?? 0)
      }
      return false
    }
    const pkg = JSON.parse(fs.readFileSync(path.join(src, "..", "package.json"), "utf8")) as { readonly version: string }
    const ahead = sources().flatMap((file) =>
      lines(file).flatMap((line, index) => {
        const since = /@since (\d+\.\d+\.\d+)/.exec(line)
        return since !== null && later(version(since[1]!), version(pkg.version)) ? [`${file}:${index + 1}: @since ${since[1]} (package ${pkg.version})`] : []
      })
    )
    expect(ahead).toEqual([])
  })
})
