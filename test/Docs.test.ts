/**
 * Every `@example` in the public modules compiles; the README's quick start compiles and runs as
 * written, and its other blocks marked `<!-- type-checked by test/Docs.test.ts -->` compile as written.
 *
 * Each example block of `src/*.ts` is written to a scratch folder as a module of its own (so its
 * declarations never clash with another example's) and all of them are type-checked in one program
 * with the project's compiler options, where `layerwise` resolves to `src/index.ts`. Unused names
 * are allowed: an example may declare something only to show it.
 */
import { beforeAll, describe, expect, it } from "@effect/vitest"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import ts from "typescript"
import * as Layerwise from "../src/index.js"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const srcDir = path.join(root, "src")

interface Example {
  readonly module: string
  readonly line: number
  readonly code: string
  file: string
}

const extract = (module: string): Array<Example> => {
  const lines = fs.readFileSync(path.join(srcDir, module), "utf8").split("\n")
  const examples: Array<Example> = []
  let current: { line: number; code: Array<string> } | undefined
  let inExample = false
  lines.forEach((text, index) => {
    const content = text.replace(/^\s*\* ?/, "")
    if (/^\s*\*\s*@example/.test(text)) {
      inExample = true
      return
    }
    if (inExample && current === undefined && content.startsWith("```ts")) {
      current = { line: index + 2, code: [] }
      return
    }
    if (current !== undefined && content.startsWith("```")) {
      examples.push({ module, line: current.line, code: current.code.join("\n"), file: "" })
      current = undefined
      inExample = false
      return
    }
    if (current !== undefined) current.code.push(content)
  })
  return examples
}

/** The first `ts` block of the README's "Quick start" section: complete, meant to be copied. */
const quickStart = (): Example => {
  const lines = fs.readFileSync(path.join(root, "README.md"), "utf8").split("\n")
  const section = lines.indexOf("## Quick start")
  const open = lines.findIndex((text, index) => index > section && text === "```ts")
  const close = lines.findIndex((text, index) => index > open && text === "```")
  return { module: "README.md", line: open + 2, code: lines.slice(open + 1, close).join("\n"), file: "" }
}

/** The marker before a README block that is complete (imports included) and must compile as written. */
const checkedMarker = "<!-- type-checked by test/Docs.test.ts -->"

/** The README's blocks marked as type-checked: complete programs, like the quick start. */
const markedBlocks = (): Array<Example> => {
  const lines = fs.readFileSync(path.join(root, "README.md"), "utf8").split("\n")
  return lines.flatMap((text, index) => {
    if (text !== checkedMarker) return []
    if (lines[index + 1] !== "```ts") throw new Error(`README.md:${index + 1}: the marker must be followed by a ts block`)
    const close = lines.findIndex((line, at) => at > index + 1 && line === "```")
    return [{ module: "README.md", line: index + 3, code: lines.slice(index + 2, close).join("\n"), file: "" }]
  })
}

const modules = fs.readdirSync(srcDir).filter((name) => name.endsWith(".ts") && name !== "index.ts").sort()
/**
 * The internal files a public module re-exports whole (`export * from "./internal/errorsRun.js"`): their exports are
 * the public module's, documented where they are declared (`App`'s services, `Errors`' families of errors).
 */
const reExported = modules.flatMap((module) =>
  [...fs.readFileSync(path.join(srcDir, module), "utf8").matchAll(/^export \* from "\.\/(internal\/[\w/]+)\.js"/gm)].map((match) => `${match[1]}.ts`)
)
const readme = quickStart()
const readmeBlocks = markedBlocks()
const examples = [...modules.flatMap(extract), ...reExported.flatMap(extract), readme, ...readmeBlocks]
const diagnostics = new Map<Example, Array<string>>()

beforeAll(() => {
  // inside the package, so that `effect` and the package's "type": "module" resolve as for users
  const cache = path.join(root, "node_modules", ".cache")
  fs.mkdirSync(cache, { recursive: true })
  const scratch = fs.mkdtempSync(path.join(cache, "layerwise-examples-"))
  examples.forEach((example, index) => {
    example.file = path.join(scratch, `${example.module.replace(/\.ts$/, "").replace(/\//g, "_")}_${index}.ts`)
    fs.writeFileSync(example.file, `${example.code}\nexport {}\n`)
  })
  const configPath = path.join(root, "tsconfig.json")
  const config = ts.readConfigFile(configPath, ts.sys.readFile)
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, root, {}, configPath)
  const program = ts.createProgram({
    rootNames: examples.map((example) => example.file),
    options: { ...parsed.options, noEmit: true, noUnusedLocals: false, noUnusedParameters: false, baseUrl: root }
  })
  for (const example of examples) {
    const source = program.getSourceFile(example.file)
    const found = source === undefined
      ? ["not compiled"]
      : [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)].map((diagnostic) =>
        `TS${diagnostic.code}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, " ")}`
      )
    diagnostics.set(example, found)
  }
  fs.rmSync(scratch, { recursive: true, force: true })
}, 120_000)

describe("the README's quick start", () => {
  it("compiles as written", () => {
    expect(readme.code).toContain('from "layerwise"')
    expect(diagnostics.get(readme)).toEqual([])
  })

  it("runs as written: writes through the primary, reads through the replica, closes both", () => {
    const cache = path.join(root, "node_modules", ".cache")
    fs.mkdirSync(cache, { recursive: true })
    const scratch = fs.mkdtempSync(path.join(cache, "layerwise-readme-"))
    try {
      const file = path.join(scratch, "quickstart.ts")
      // "layerwise" is this checkout's source (a user's install resolves it to the package)
      fs.writeFileSync(file, readme.code.replace('from "layerwise"', `from ${JSON.stringify(path.join(srcDir, "index.ts"))}`))
      const output = execFileSync(process.execPath, ["--import", "tsx", file], { cwd: root, encoding: "utf8", timeout: 60_000 })
      const messages = [...output.matchAll(/message="?([^"\n]*)"?/g)].map((match) => match[1])
      expect(messages.slice(0, 2)).toEqual(["postgres://main answered insert ada", "postgres://replica answered select 42"])
      // both closed once, after the program (they do not depend on each other: either may close first)
      expect(messages.slice(2).sort()).toEqual(["closed postgres://main", "closed postgres://replica"])
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true })
    }
  }, 60_000)
})

describe("the README's other complete blocks", () => {
  it("the blocks marked as type-checked compile as written", () => {
    expect(readmeBlocks.length).toBeGreaterThanOrEqual(2)
    expect(readmeBlocks.flatMap((block) => (diagnostics.get(block) ?? []).map((found) => `README.md:${block.line}: ${found}`))).toEqual([])
  })
})

describe("documentation examples", () => {
  it("every public module documents its exports with examples", () => {
    const documented = new Set(examples.map((example) => example.module))
    expect(modules.filter((module) => !documented.has(module))).toEqual([])
  })

  it("the internal files a public module re-exports are documented too: App's services, Errors' families of errors", () => {
    expect(reExported).toEqual(["internal/app/services.ts", "internal/errorsResolution.ts", "internal/errorsRun.ts", "internal/errorsContainer.ts"])
    const documented = new Set(examples.map((example) => example.module))
    expect(reExported.filter((module) => !documented.has(module))).toEqual([])
  })

  it("every example compiles", () => {
    const failures = examples.flatMap((example) => {
      const found = diagnostics.get(example) ?? []
      return found.length === 0 ? [] : [`${example.module}:${example.line}: ${found.join("; ")}`]
    })
    expect(failures).toEqual([])
    expect(examples.length).toBeGreaterThan(50)
  })
})

describe("the README's \"Coming from\" tables", () => {
  /** Every `Module.member` of layerwise's modules in the code spans of the sections headed "Coming from". */
  const named = (): ReadonlyArray<string> => {
    const text = fs.readFileSync(path.join(root, "README.md"), "utf8")
    const sections = text.split(/^(?=## )/m).filter((section) => section.startsWith("## Coming from"))
    const modules = Object.keys(Layerwise).join("|")
    const pattern = new RegExp(`(?<![\\w.])(${modules})\\.([A-Za-z]+)`, "g")
    return [...new Set(sections.flatMap((section) =>
      [...section.matchAll(/`([^`]+)`/g)].flatMap((span) => [...span[1]!.matchAll(pattern)].map((match) => match[0]))
    ))]
  }

  it("name only what layerwise exports", () => {
    const names = named()
    expect(names.length).toBeGreaterThan(60)
    const missing = names.filter((name) => {
      const [module, member] = name.split(".") as [keyof typeof Layerwise, string]
      return !(member in Layerwise[module])
    })
    expect(missing).toEqual([])
  })
})

describe("the README's install commands", () => {
  /** The `name@range` arguments of the first `sh` block of the section "Install", in order. */
  const installed = (): ReadonlyArray<readonly [string, string]> => {
    const lines = fs.readFileSync(path.join(root, "README.md"), "utf8").split("\n")
    const section = lines.indexOf("## Install")
    const open = lines.findIndex((text, index) => index > section && text === "```sh")
    const close = lines.findIndex((text, index) => index > open && text === "```")
    return lines.slice(open + 1, close)
      .flatMap((line) => line.replace(/#.*$/, "").split(/\s+/))
      .flatMap((word) => {
        const match = /^(@?[a-z0-9-]+(?:\/[a-z0-9-]+)?)@(\S+)$/.exec(word)
        return match === null ? [] : [[match[1]!, match[2]!] as const]
      })
  }

  /** Whether `version` (x.y.z) is in the caret range `^a.b.c` (npm's: the left-most non-zero part is fixed). */
  const inCaret = (version: string, range: string): boolean => {
    const low = range.replace(/^\^/, "").split(".").map(Number)
    const have = version.split(".").map(Number)
    const fixed = low[0] !== 0 ? 1 : 2
    return low.slice(0, fixed).every((part, index) => have[index] === part) &&
      (have[0]! * 1e6 + have[1]! * 1e3 + have[2]!) >= (low[0]! * 1e6 + low[1]! * 1e3 + low[2]!)
  }

  it("give every peer dependency at package.json's range, and the test tools at ranges the project's own versions are in", () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as {
      readonly peerDependencies: Record<string, string>
      readonly devDependencies: Record<string, string>
    }
    const commands = installed()
    expect(Object.fromEntries(commands.filter(([name]) => name in manifest.peerDependencies))).toEqual(manifest.peerDependencies)
    const tools = commands.filter(([name]) => !(name in manifest.peerDependencies))
    expect(tools.map(([name]) => name)).toEqual(["vitest", "@effect/vitest"])
    expect(tools.filter(([name, range]) => !inCaret(manifest.devDependencies[name]!, range))).toEqual([])
  })
})
