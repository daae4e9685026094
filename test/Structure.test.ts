/**
 * The source's layout contracts (issue 12's "done when"): files small enough to read, Effect's runtime
 * internals behind one seam, and public modules bound to their implementations without casts.
 */
import { describe, expect, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const src = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "src")

const sources = (folder: string): Array<string> =>
  fs.readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(folder, entry.name)
    return entry.isDirectory() ? sources(file) : entry.name.endsWith(".ts") ? [file] : []
  })

const relative = (file: string) => path.relative(src, file).split(path.sep).join("/")
const lines = (file: string) => fs.readFileSync(file, "utf8").replace(/\n$/, "").split("\n")
/** a line that is code, not a comment */
const isCode = (line: string) => !/^\s*(\*|\/\/|\/\*)/.test(line)

describe("the source's layout", () => {
  it("no source file is over 1,000 lines, none of App's internal modules over 500", () => {
    const over = sources(src).flatMap((file) => {
      const count = lines(file).length
      const limit = relative(file).startsWith("internal/app/") ? 500 : 1000
      return count > limit ? [`${relative(file)}: ${count} lines (at most ${limit})`] : []
    })
    expect(over).toEqual([])
  })

  it("Effect's unsafe APIs and private fields are used in the runtime seam only (src/internal/runtime.ts)", () => {
    const outside = sources(src).filter((file) => relative(file) !== "internal/runtime.ts").flatMap((file) =>
      lines(file).flatMap((line, index) =>
        isCode(line) && /\.unsafe[A-Z]\w*\(|\b_fiberRefs\b|\bunsafeMake\b/.test(line) ? [`${relative(file)}:${index + 1}: ${line.trim()}`] : []
      )
    )
    expect(outside).toEqual([])
  })

  it("the public modules bind their implementations with at most 5 casts to never or any", () => {
    const casts = sources(src).filter((file) => !relative(file).includes("/")).flatMap((file) =>
      lines(file).flatMap((line, index) => isCode(line) && /\bas (never|any)\b/.test(line) ? [`${relative(file)}:${index + 1}`] : [])
    )
    expect(casts.length).toBeLessThanOrEqual(5)
  })
})
