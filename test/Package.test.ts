/**
 * The published package, as a user gets it: `npm pack` in a clean copy of the repository (its files
 * as a clone has them: no `dist/`, dependencies from this checkout's `node_modules`), the tarball
 * installed into a fresh project, then type-checked and run there. No network: the tarball has no
 * dependencies of its own, and its peers (`effect`, `@effect/platform`, `@effect/platform-node`) and
 * `@types/node` are linked from this checkout's copies, as an application's own copies would be used.
 *
 * The public modules are read from `src/*.ts`: each is a subpath (`layerwise/Component`, and
 * `layerwise/node` once `src/node.ts` exists), and every check below covers each of them.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")

/**
 * `@effect/platform-node` is an optional peer that only the Node entry `layerwise/node` needs: when
 * the package has that entry (`src/node.ts`, built to `dist/{esm,cjs}/node.js`), the main entry must
 * load in a project that does not have `@effect/platform-node`.
 */
const hasNodeEntry = fs.existsSync(path.join(root, "src", "node.ts"))

/** The public modules, one subpath each; `index` is the package root. */
const modules = fs
  .readdirSync(path.join(root, "src"))
  .filter((file) => file.endsWith(".ts") && file !== "index.ts")
  .map((file) => file.slice(0, -".ts".length))
  .sort()

interface Run {
  readonly code: number | null
  readonly output: string
}

const run = (command: string, args: ReadonlyArray<string>, cwd: string): Promise<Run> =>
  new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"] })
    let output = ""
    child.stdout.on("data", (chunk) => (output += String(chunk)))
    child.stderr.on("data", (chunk) => (output += String(chunk)))
    child.on("error", reject)
    child.on("close", (code) => resolve({ code, output }))
  })

const runNode = (args: ReadonlyArray<string>, cwd: string): Promise<Run> => run(process.execPath, args, cwd)

/** Fails (never skips) when a tool the test needs is not installed: `npm ci` installs them all. */
const binary = (pkg: string, name: string): string => {
  const manifestPath = path.join(root, "node_modules", pkg, "package.json")
  if (!fs.existsSync(manifestPath)) throw new Error(`${pkg} is not installed (npm ci installs it)`)
  const manifest = JSON.parse(fs.readFileSync(manifestPath, "utf8")) as { bin: string | Record<string, string> }
  const bin = typeof manifest.bin === "string" ? manifest.bin : manifest.bin[name]
  if (bin === undefined) throw new Error(`${pkg} has no "${name}" binary`)
  return path.join(path.dirname(manifestPath), bin)
}

const expectSuccess = (result: Run, what: string) => {
  if (result.code !== 0) throw new Error(`${what} exited with ${result.code}:\n${result.output}`)
}

const link = (project: string, pkg: string) => {
  const target = path.join(project, "node_modules", pkg)
  fs.mkdirSync(path.dirname(target), { recursive: true })
  fs.symlinkSync(fs.realpathSync(path.join(root, "node_modules", pkg)), target, "dir")
}

/**
 * A project with the tarball installed by npm (offline: it has no dependencies, and its peers are
 * linked after the install, which would otherwise prune them as extraneous).
 */
const installProject = async (directory: string, tarball: string, peers: ReadonlyArray<string>) => {
  fs.mkdirSync(directory, { recursive: true })
  fs.writeFileSync(path.join(directory, "package.json"), JSON.stringify({ name: path.basename(directory), private: true }))
  const install = await run(
    "npm",
    ["install", "--offline", "--ignore-scripts", "--legacy-peer-deps", "--no-package-lock", "--no-audit", "--no-fund", tarball],
    directory
  )
  expectSuccess(install, "npm install of the tarball")
  for (const peer of peers) link(directory, peer)
}

/**
 * One program, compiled as ESM (`main.mts`), as CommonJS (`main.cts`) and as a plain `.ts` for the
 * bundler and node10 resolutions. It imports the root and every subpath, checks that the root's
 * namespaces are the subpaths' modules, resolves a registry with a qualified candidate to a Layer and
 * runs a program with it, and prints what it found as one JSON line.
 */
const program = (): string => {
  const subpathImports = modules.map((name) => `import * as Subpath_${name} from "layerwise/${name}"`)
  return [
    `import { Context, Effect } from "effect"`,
    `import * as Layerwise from "layerwise"`,
    `import { Component, Registry } from "layerwise"`,
    ...subpathImports,
    "",
    `const subpaths: Record<string, object> = { ${modules.map((name) => `${JSON.stringify(name)}: Subpath_${name}`).join(", ")} }`,
    "",
    `class Greeting extends Context.Tag("Greeting")<Greeting, { readonly text: string }>() {}`,
    `class Greeter extends Context.Tag("Greeter")<Greeter, { readonly greet: (name: string) => string }>() {}`,
    "",
    `const Loud = Subpath_Qualifier.make("loud")`,
    "",
    "const registry = Registry.make(",
    `  Component.succeed(Greeting, { text: "hello" }).pipe(Component.primary),`,
    `  Component.succeed(Greeting, { text: "HELLO" }).pipe(Component.qualified([Loud])),`,
    "  Component.make(Greeter, {",
    "    dependencies: [Greeting, Subpath_Dependency.qualified(Greeting, Loud)],",
    "    build: Effect.gen(function*() {",
    "      const plain = yield* Greeting",
    "      const loud = yield* Subpath_Dependency.qualified(Greeting, Loud)",
    "      return { greet: (name: string) => `${plain.text} ${name}, ${loud.text} ${name}` }",
    "    })",
    "  })",
    ")",
    "",
    "// The Layer provides every requirement of the program: R is never.",
    "const main: Effect.Effect<string, unknown, never> = Effect.provide(",
    "  Effect.map(Greeter, (greeter) => greeter.greet(\"layerwise\")),",
    "  Registry.toLayer(registry, [Greeter])",
    ")",
    "",
    "// Exported with the types layerwise gives them: their declarations (emitted under NodeNext) name",
    "// layerwise's types by its entries, as a library built on layerwise publishes them.",
    "export const layer = Registry.toLayer(registry, [Greeter])",
    "export const resolved = Layerwise.Resolver.resolveEffect(registry, [Greeter])",
    "export const application = Layerwise.App.make(registry, { roots: [Greeter] })",
    "export const started = Layerwise.App.start(application)",
    "export const ran = Layerwise.App.run(application)",
    "export const looked = Layerwise.Container.get(Greeter)",
    "export const child = Layerwise.Container.child(\"tenant\", [])",
    "export const shutDown = Layerwise.Container.shutDown(\"Greeter\")",
    "export const explained = (plan: Layerwise.Plan.Any) => Layerwise.Explain.component(plan, \"Greeter\")",
    "export const released = new Layerwise.Errors.ReleaseError({ component: \"Greeter\", path: [\"Greeter\"], cause: null })",
    "",
    "Effect.runPromise(main).then((greeting) => {",
    "  const namespaces = Object.entries(Layerwise) as Array<[string, unknown]>",
    "  console.log(JSON.stringify({",
    `    format: typeof require === "function" ? "require" : "import",`,
    `    resolved: typeof require === "function" ? require.resolve("layerwise") : "",`,
    "    greeting,",
    "    namespaces: namespaces.map(([name]) => name).sort(),",
    "    sameModules: namespaces.every(([name, namespace]) => subpaths[name] === namespace),",
    "    emptySubpaths: Object.entries(subpaths).filter(([, module]) => Object.keys(module).length === 0).map(([name]) => name)",
    "  }))",
    "})",
    ""
  ].join("\n")
}

const tsconfig = (options: Record<string, unknown>, files: ReadonlyArray<string>) =>
  JSON.stringify({
    compilerOptions: {
      target: "ES2022",
      lib: ["ES2022"],
      types: ["node"],
      strict: true,
      exactOptionalPropertyTypes: true,
      skipLibCheck: false,
      ...options
    },
    files
  }, null, 2)

describe("the published package", () => {
  let temporary = ""
  let tarball = ""
  let packed: ReadonlyArray<string> = []
  let app = ""

  beforeAll(async () => {
    temporary = fs.mkdtempSync(path.join(os.tmpdir(), "layerwise-package-"))

    // A clean copy: the files a clone has (tracked, and new files git does not ignore), so no dist/.
    const clone = path.join(temporary, "clone")
    const listed = await run("git", ["ls-files", "--cached", "--others", "--exclude-standard", "-z"], root)
    expectSuccess(listed, "git ls-files")
    for (const file of listed.output.split("\0")) {
      const source = path.join(root, file)
      if (file === "" || !fs.existsSync(source) || fs.lstatSync(source).isSymbolicLink()) continue
      fs.mkdirSync(path.dirname(path.join(clone, file)), { recursive: true })
      fs.copyFileSync(source, path.join(clone, file))
    }
    expect(fs.existsSync(path.join(clone, "dist"))).toBe(false)
    fs.symlinkSync(fs.realpathSync(path.join(root, "node_modules")), path.join(clone, "node_modules"), "dir")

    const packs = path.join(temporary, "packs")
    fs.mkdirSync(packs)
    expectSuccess(await run("npm", ["pack", "--pack-destination", packs], clone), "npm pack")
    const tarballs = fs.readdirSync(packs)
    expect(tarballs).toHaveLength(1)
    tarball = path.join(packs, tarballs[0]!)

    const listing = await run("tar", ["-tzf", tarball], temporary)
    expectSuccess(listing, "tar -t")
    packed = listing.output.split("\n").filter((line) => line !== "").map((line) => line.replace(/^package\//, ""))

    app = path.join(temporary, "app")
    await installProject(app, tarball, ["effect", "@effect/platform", "@effect/platform-node", "@types/node"])
  }, 120_000)

  afterAll(() => {
    if (temporary !== "") fs.rmSync(temporary, { recursive: true, force: true })
  })

  it("npm pack in a clean clone builds both builds of every public module and packs them with LICENSE, README and src/, without tests, benchmarks, examples or scripts", () => {
    const expected = ["index", ...modules].flatMap((name) =>
      ["esm", "cjs"].flatMap((format) => [`dist/${format}/${name}.js`, `dist/${format}/${name}.d.ts`, `src/${name}.ts`])
    )
    expect(expected.filter((file) => !packed.includes(file))).toEqual([])
    expect(packed).toContain("LICENSE")
    expect(packed).toContain("README.md")
    expect(packed).toContain("dist/cjs/package.json")
    const topLevel = [...new Set(packed.map((file) => file.split("/")[0]))].sort()
    expect(topLevel).toEqual(["LICENSE", "README.md", "dist", "package.json", "src"])
  })

  it("every source map and declaration map points at a file in the package", () => {
    const unpacked = path.join(app, "node_modules", "layerwise")
    const dangling = packed
      .filter((file) => file.endsWith(".map"))
      .flatMap((file) => {
        const map = JSON.parse(fs.readFileSync(path.join(unpacked, file), "utf8")) as { sources: Array<string> }
        return map.sources
          .map((source) => path.relative(unpacked, path.resolve(path.dirname(path.join(unpacked, file)), source)))
          .filter((source) => !packed.includes(source))
          .map((source) => `${file} -> ${source}`)
      })
    expect(dangling).toEqual([])
    expect(packed.filter((file) => file.endsWith(".map")).length).toBeGreaterThan(0)
  })

  it("the dist/cjs folder is CommonJS inside the ESM package, with the package's sideEffects", () => {
    const unpacked = path.join(app, "node_modules", "layerwise")
    expect(JSON.parse(fs.readFileSync(path.join(unpacked, "dist", "cjs", "package.json"), "utf8"))).toEqual({
      type: "commonjs",
      sideEffects: []
    })
    const manifest = JSON.parse(fs.readFileSync(path.join(unpacked, "package.json"), "utf8")) as Record<string, unknown>
    expect(manifest["type"]).toBe("module")
    expect(manifest["sideEffects"]).toEqual([])
  })

  it("a program importing the root and every subpath type-checks with skipLibCheck: false under NodeNext (ESM and CJS), Bundler and Node10, its declarations name layerwise's types by its public entries, and it runs with plain node as ESM and as CommonJS", async () => {
    const source = program()
    fs.writeFileSync(path.join(app, "main.mts"), source)
    fs.writeFileSync(path.join(app, "main.cts"), source)
    fs.writeFileSync(path.join(app, "main.ts"), source)
    fs.writeFileSync(
      path.join(app, "tsconfig.nodenext.json"),
      tsconfig({ module: "NodeNext", moduleResolution: "NodeNext", outDir: "out", declaration: true }, ["main.mts", "main.cts"])
    )
    fs.writeFileSync(
      path.join(app, "tsconfig.bundler.json"),
      tsconfig({ module: "ESNext", moduleResolution: "Bundler", noEmit: true }, ["main.ts"])
    )
    fs.writeFileSync(
      path.join(app, "tsconfig.node10.json"),
      tsconfig({ module: "CommonJS", moduleResolution: "Node10", esModuleInterop: true, noEmit: true }, ["main.ts"])
    )
    const tsc = binary("typescript", "tsc")
    const checks = await Promise.all(
      ["nodenext", "bundler", "node10"].map((resolution) => runNode([tsc, "-p", `tsconfig.${resolution}.json`], app))
    )
    expect(checks.map((check) => check.output)).toEqual(["", "", ""])
    expect(checks.map((check) => check.code)).toEqual([0, 0, 0])

    // The program's declarations name layerwise's types through its entries only: `layerwise/internal/*`
    // is not exported, so a declaration importing it would not resolve for the library's users.
    const entries = new Set(["layerwise", ...modules.map((name) => `layerwise/${name}`)])
    const declarations = ["main.d.mts", "main.d.cts"].map((file) => fs.readFileSync(path.join(app, "out", file), "utf8"))
    const specifiers = declarations.flatMap((text) => [...text.matchAll(/(?:from |import\()"(layerwise[^"]*)"/g)].map((match) => match[1]!))
    expect([...new Set(specifiers.filter((specifier) => !entries.has(specifier)))]).toEqual([])
    for (const text of declarations) {
      expect(text.split("\n").filter((line) => /^export declare const (resolved|ran|explained):/.test(line))).toEqual([
        "export declare const resolved: Effect.Effect<Layerwise.Plan.Plan<Greeter, never, never>, Layerwise.Errors.ResolutionError, never>;",
        "export declare const ran: Effect.Effect<Layerwise.Report.Report, Layerwise.Errors.ResolutionError | Layerwise.Errors.LifecycleError, never>;",
        "export declare const explained: (plan: Layerwise.Plan.Any) => import(\"effect/Either\").Either<Layerwise.Explain.ComponentExplanation, Layerwise.Errors.UnknownComponent>;"
      ])
    }

    const expected = {
      greeting: "hello layerwise, HELLO layerwise",
      namespaces: (await import("layerwise").then((index) => Object.keys(index))).sort(),
      sameModules: true,
      emptySubpaths: []
    }
    const [esm, cjs] = await Promise.all([
      runNode([path.join("out", "main.mjs")], app),
      runNode([path.join("out", "main.cjs")], app)
    ])
    expectSuccess(esm, "node out/main.mjs")
    expectSuccess(cjs, "node out/main.cjs")
    expect(JSON.parse(esm.output)).toEqual({ format: "import", resolved: "", ...expected })
    expect(JSON.parse(cjs.output)).toEqual({
      format: "require",
      resolved: path.join(app, "node_modules", "layerwise", "dist", "cjs", "index.js"),
      ...expected
    })
  }, 120_000)

  it.runIf(hasNodeEntry)("the main entry loads, by import and by require, without the optional peers @effect/platform-node and @effect/platform; layerwise/Ops and layerwise/Http say they need @effect/platform", async () => {
    const core = path.join(temporary, "core")
    await installProject(core, tarball, ["effect"])
    expect(fs.existsSync(path.join(core, "node_modules", "@effect"))).toBe(false)
    const [esm, cjs, ops, http] = await Promise.all([
      runNode(["--input-type=module", "-e", `const { Registry } = await import("layerwise"); console.log(typeof Registry.make)`], core),
      runNode(["-e", `const { Registry } = require("layerwise"); console.log(typeof Registry.make)`], core),
      runNode(["--input-type=module", "-e", `await import("layerwise/Ops")`], core),
      runNode(["--input-type=module", "-e", `await import("layerwise/Http")`], core)
    ])
    expect([esm.output, cjs.output]).toEqual(["function\n", "function\n"])
    for (const entry of [ops, http]) {
      expect(entry.code).toBe(1)
      expect(entry.output).toContain("Cannot find package '@effect/platform'")
    }
  })

  it("publint reports nothing on the tarball", async () => {
    const result = await runNode([binary("publint", "publint"), "run", tarball, "--level", "suggestion", "--strict"], temporary)
    expectSuccess(result, "publint")
    expect(result.output).toContain("All good!")
  })

  it("are the types wrong finds no problem at the root or any subpath, in any resolution mode", async () => {
    const result = await runNode(
      [
        binary("@arethetypeswrong/cli", "attw"),
        tarball,
        "--no-definitely-typed",
        "--format",
        "table-flipped",
        "--no-color",
        "--entrypoints",
        ".",
        ...modules
      ],
      temporary
    )
    expectSuccess(result, "attw")
    expect(result.output).toContain("No problems found")
  })
})
