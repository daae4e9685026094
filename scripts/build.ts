/**
 * `npm run build` (and `npm pack` / `npm publish`, through `prepack`): a fresh `dist/` with the
 * package's two builds, compiled from `src/` by two tsc runs at once.
 *
 * - `dist/esm/`: ES modules (tsconfig.build.json), what `import` resolves to.
 * - `dist/cjs/`: CommonJS (tsconfig.build.cjs.json), what `require` and the `main` field resolve to.
 *   Its own package.json marks the folder `"type": "commonjs"` inside this `"type": "module"` package,
 *   and repeats `"sideEffects": []` for the bundlers that read the nearest package.json.
 *
 * Each build has its own declarations, so that TypeScript reads ESM types for the ESM files and
 * CommonJS types for the CommonJS files; both builds' declaration and source maps point into `src/`,
 * which the package ships.
 */
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const dist = path.join(root, "dist")
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc")

const compile = (project: string): Promise<number | null> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [tsc, "-p", path.join(root, project)], { cwd: root, stdio: "inherit" })
    child.on("error", reject)
    child.on("exit", resolve)
  })

// A stale file from a renamed or removed module would otherwise be packed and stay importable.
fs.rmSync(dist, { recursive: true, force: true })

const codes = await Promise.all([compile("tsconfig.build.json"), compile("tsconfig.build.cjs.json")])
if (codes.some((code) => code !== 0)) {
  console.error("build failed")
  process.exit(1)
}
fs.writeFileSync(path.join(dist, "cjs", "package.json"), JSON.stringify({ type: "commonjs", sideEffects: [] }, null, 2) + "\n")
