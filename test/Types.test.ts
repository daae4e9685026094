/**
 * Compile-time contracts, checked with the TypeScript compiler API.
 *
 * `test/types/compiles.ts` holds usages that must type-check; every file of `test/types/fixtures/`
 * is a usage that must NOT, and starts with `// expect: TS<code> <substring of the message>`. One
 * program compiles all of them at once (with the project's compiler options), so the cost of loading
 * Effect's declarations is paid once.
 */
import { beforeAll, describe, expect, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import ts from "typescript"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const fixturesDir = path.join(root, "test", "types", "fixtures")
const compilesFile = path.join(root, "test", "types", "compiles.ts")

interface Expectation {
  readonly file: string
  readonly code: number
  readonly substring: string
}

const expectationOf = (file: string): Expectation => {
  const firstLine = fs.readFileSync(file, "utf8").split("\n", 1)[0]!
  const match = /^\/\/ expect: TS(\d+) (.+)$/.exec(firstLine)
  if (match === null) throw new Error(`${file}: the first line must be "// expect: TS<code> <message substring>"`)
  return { file, code: Number(match[1]), substring: match[2]! }
}

const fixtures = fs.readdirSync(fixturesDir)
  .filter((name) => name.endsWith(".ts"))
  .sort()
  .map((name) => expectationOf(path.join(fixturesDir, name)))

interface Reported {
  readonly code: number
  readonly message: string
}

let diagnosticsByFile: ReadonlyMap<string, ReadonlyArray<Reported>> = new Map()
let globalDiagnostics: ReadonlyArray<Reported> = []

const report = (diagnostic: ts.Diagnostic): Reported => ({
  code: diagnostic.code,
  message: ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n")
})

beforeAll(() => {
  const configPath = path.join(root, "tsconfig.json")
  const config = ts.readConfigFile(configPath, ts.sys.readFile)
  if (config.error !== undefined) throw new Error(ts.flattenDiagnosticMessageText(config.error.messageText, "\n"))
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, root, { noEmit: true }, configPath)
  const files = [compilesFile, ...fixtures.map((fixture) => fixture.file)]
  const program = ts.createProgram({ rootNames: files, options: parsed.options })
  globalDiagnostics = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()].map(report)
  const byFile = new Map<string, ReadonlyArray<Reported>>()
  for (const file of files) {
    const source = program.getSourceFile(file)
    if (source === undefined) throw new Error(`${file} is not part of the program`)
    byFile.set(file, [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)].map(report))
  }
  diagnosticsByFile = byFile
}, 120_000)

describe("compile-time contracts", () => {
  it("the compiler options of the project produce no global diagnostic", () => {
    expect(globalDiagnostics).toEqual([])
  })

  it("every correct usage in test/types/compiles.ts type-checks", () => {
    expect(diagnosticsByFile.get(compilesFile)).toEqual([])
  })

  it("there are must-not-compile fixtures, each with its expected diagnostic", () => {
    expect(fixtures.map((fixture) => path.basename(fixture.file))).toEqual([
      "alias-incompatible-service.ts",
      "app-widened-roots.ts",
      "build-wrong-service.ts",
      "condition-literal.ts",
      "construction-error-typed.ts",
      "container-get-wrong-service.ts",
      "factory-without-scope.ts",
      "handle-of-collection.ts",
      "handle-read-as-service.ts",
      "health-service-without-readiness.ts",
      "hook-undeclared-service.ts",
      "http-request-scoped-without-scope.ts",
      "instances-layer-error-not-in-tag.ts",
      "instances-manager-of-another-tag.ts",
      "instances-no-error-to-catch.ts",
      "instances-tag-function-form.ts",
      "layer-missing-root.ts",
      "loose-roots-provide-nothing.ts",
      "nested-derived-request.ts",
      "ops-layer-without-group.ts",
      "options-not-text.ts",
      "options-undeclared.ts",
      "plan-widened-roots.ts",
      "registry-add-options.ts",
      "registry-options.ts",
      "registry-service-class.ts",
      "registry-tag.ts",
      "resolve-config-profiles.ts",
      "runmain-app-with-requirements.ts",
      "service-arguments-missing.ts",
      "service-default-requires.ts",
      "service-explicit-dependencies-missing.ts",
      "succeed-wrong-value.ts",
      "testing-external-not-provided.ts",
      "testing-options-wrong-value.ts",
      "undeclared-derived-request.ts",
      "undeclared-family-member.ts",
      "undeclared-in-build.ts",
      "undeclared-in-layer.ts",
      "undeclared-loose-dependencies.ts",
      "within-scope-inputs-not-provided.ts"
    ])
  })

  it("layerwise/node type-checks after a program typed App.run first (its inference does not depend on the order)", () => {
    const configPath = path.join(root, "tsconfig.json")
    const config = ts.readConfigFile(configPath, ts.sys.readFile)
    const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, root, { noEmit: true }, configPath)
    const first = path.join(root, "test", "types", "order", "app-run-first.ts")
    const node = path.join(root, "src", "internal", "node.ts")
    const program = ts.createProgram({ rootNames: [first, path.join(root, "src", "node.ts")], options: parsed.options })
    const diagnosticsOf = (file: string) => program.getSemanticDiagnostics(program.getSourceFile(file)).map(report)
    expect(diagnosticsOf(first)).toEqual([])
    expect(diagnosticsOf(node)).toEqual([])
  }, 120_000)

  for (const fixture of fixtures) {
    it(`${path.basename(fixture.file)} fails with exactly TS${fixture.code} "${fixture.substring}"`, () => {
      const reported = diagnosticsByFile.get(fixture.file) ?? []
      expect(reported.map((diagnostic) => diagnostic.code)).toEqual([fixture.code])
      expect(reported[0]!.message).toContain(fixture.substring)
    })
  }
})
