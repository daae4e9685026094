/**
 * The example service as a real process: start it on a free loopback port, make real HTTP requests,
 * send SIGTERM, and check the graceful shutdown (its order, the report) and the exit code.
 */
import { describe, expect, it } from "@effect/vitest"
import { spawn } from "node:child_process"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")

describe("examples/service.ts", () => {
  it("serves on loopback and shuts down gracefully on SIGTERM with exit code 0", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "examples/service.ts"], {
      cwd: root,
      env: { ...process.env, PORT: "0", HOST: "127.0.0.1", STORAGE: "memory" },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let output = ""
    child.stdout.on("data", (chunk) => (output += String(chunk)))
    child.stderr.on("data", (chunk) => (output += String(chunk)))
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
    try {
      const deadline = Date.now() + 30_000
      let address: string | undefined
      while (Date.now() < deadline && (address === undefined || !output.includes("serving requests"))) {
        address ??= /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1]
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
      expect(address, output).toBeDefined()
      const todos = await (await fetch(`${address}/todos`)).json()
      expect(todos).toEqual([
        { id: 1, title: "read the layerwise README", done: false },
        { id: 2, title: "try STORAGE=file npm start", done: false }
      ])
      const created = await fetch(`${address}/todos`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ title: "ship it" })
      })
      expect(created.status).toBe(201)
      expect(await created.json()).toEqual({ id: 3, title: "ship it", done: false })
      expect((await fetch(`${address}/todos/3`)).status).toBe(200)
      expect((await fetch(`${address}/todos/99`)).status).toBe(404)
      expect((await fetch(`${address}/todos`, { method: "POST", body: "{}" })).status).toBe(400)
      const health = await fetch(`${address}/health`)
      expect(health.status).toBe(200)
      expect(await health.json()).toEqual({
        healthy: true,
        components: [
          { name: "memoryTodos", status: "healthy", checks: [{ name: "available", status: "healthy", duration: expect.any(Number) }] }
        ]
      })
      child.kill("SIGTERM")
      expect(await exited).toBe(0)
      const order = ["Seeder: 2 todos", "Http: listening", "Service: serving requests", "Service: stopped serving", "application OK"]
      const positions = order.map((line) => output.indexOf(line))
      expect(positions.every((position) => position >= 0), output).toBe(true)
      expect([...positions].sort((a, b) => a - b)).toEqual(positions)
      expect(output).toContain("example/Service (startup 10)")
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL")
    }
  }, 60_000)
})
