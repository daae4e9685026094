/**
 * The examples as real processes: the service started on a free loopback port (directly, and the
 * way the README says to run it under a supervisor), real HTTP requests, SIGTERM and the graceful
 * shutdown (its order, the report, the exit code); the quick start's output.
 */
import { describe, expect, it } from "@effect/vitest"
import { type ChildProcessByStdio, spawn } from "node:child_process"
import { createServer, request as httpRequest } from "node:http"
import type { AddressInfo } from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import type { Readable } from "node:stream"
import { fileURLToPath } from "node:url"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")

interface Started {
  readonly child: ChildProcessByStdio<null, Readable, Readable>
  /** everything it printed so far, stdout and stderr */
  readonly output: () => string
  /** its exit code once it exited */
  readonly exited: Promise<number | null>
}

/**
 * Starts a command in the repository on a free loopback port (PORT=0), in a process group of its
 * own (so that whatever it started can be found, and killed if a test fails).
 */
const launch = (command: string, args: ReadonlyArray<string>, env: Record<string, string> = {}): Started => {
  const child = spawn(command, args, {
    cwd: root,
    env: { ...process.env, PORT: "0", HOST: "127.0.0.1", STORAGE: "memory", npm_config_update_notifier: "false", ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true
  })
  let output = ""
  child.stdout.on("data", (chunk) => (output += String(chunk)))
  child.stderr.on("data", (chunk) => (output += String(chunk)))
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
  return { child, output: () => output, exited }
}

/** Waits until the service serves requests, and gives its address. */
const serving = async (started: Started): Promise<string> => {
  const deadline = Date.now() + 30_000
  let address: string | undefined
  while (Date.now() < deadline && (address === undefined || !started.output().includes("serving requests"))) {
    address ??= /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(started.output())?.[1]
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  expect(address, started.output()).toBeDefined()
  return address!
}

/** Whether any process of the group `id` is still alive. */
const groupAlive = (id: number): boolean => {
  try {
    process.kill(-id, 0)
    return true
  } catch {
    return false
  }
}

/** Kills the process group of a test that failed half-way (by its id: only what the test started). */
const cleanUp = (started: Started): void => {
  const id = started.child.pid
  if (id !== undefined && groupAlive(id)) process.kill(-id, "SIGKILL")
}

/**
 * A GET on a connection of its own: its status, the error code of a connection refused or reset, or
 * "no answer" when nothing came back within 5 seconds.
 */
const attempt = (url: string): Promise<string> =>
  new Promise((resolve) => {
    const request = httpRequest(url, { agent: false, timeout: 5_000 }, (response) => {
      response.resume()
      response.on("end", () => resolve(String(response.statusCode)))
    })
    request.on("timeout", () => {
      resolve("no answer")
      request.destroy()
    })
    request.on("error", (error: Error & { code?: string }) => resolve(error.code ?? error.message))
    request.end()
  })

const json = async (response: Response) => ({ status: response.status, body: await response.json() })

const post = (address: string, body: string) =>
  fetch(`${address}/todos`, { method: "POST", headers: { "content-type": "application/json" }, body })

describe("examples/service.ts", () => {
  it("with TRACE=console, prints the spans of the run and of each request (a request's span is a root, not under the background work)", async () => {
    const service = launch(process.execPath, ["--import", "tsx", "examples/service.ts"], { TRACE: "console" })
    try {
      const address = await serving(service)
      expect((await fetch(`${address}/todos`)).status).toBe(200)
      service.child.kill("SIGTERM")
      expect(await service.exited).toBe(0)
      const output = service.output()
      for (const name of ["layerwise.build", "layerwise.component.build", "layerwise.app.start", "layerwise.component.background", "layerwise.app.stop"]) {
        expect(output).toContain(`name: '${name}'`)
      }
      // the request's span (the platform's, named after the method) has no parent
      expect(output).toMatch(/parentSpanContext: undefined,\n[^}]*name: 'http\.server GET'/)
    } finally {
      cleanUp(service)
    }
  })

  it("serves on loopback and shuts down gracefully on SIGTERM with exit code 0", async () => {
    const service = launch(process.execPath, ["--import", "tsx", "examples/service.ts"])
    try {
      const address = await serving(service)
      const todos = await (await fetch(`${address}/todos`)).json()
      expect(todos).toEqual([
        { id: 1, title: "read the layerwise README", done: false },
        { id: 2, title: "try STORAGE=file npm start", done: false }
      ])
      const created = await post(address, JSON.stringify({ title: "ship it" }))
      expect(created.status).toBe(201)
      expect(await created.json()).toEqual({ id: 3, title: "ship it", done: false })
      expect(await json(await fetch(`${address}/todos/3`))).toEqual({ status: 200, body: { id: 3, title: "ship it", done: false } })
      // the ops API, mounted in the service's router
      expect(await json(await fetch(`${address}/ops/ready`))).toEqual({ status: 200, body: { ready: true, state: "started" } })
      const health = await fetch(`${address}/ops/health`)
      expect(health.status).toBe(200)
      const phase = (name: string) => ({ id: `${name}/phase`, name: "phase", status: "healthy", duration: 0 })
      const component = (name: string, checks: ReadonlyArray<unknown> = []) => ({
        name,
        state: "started",
        status: "healthy",
        checks: [phase(name), ...checks]
      })
      expect(await health.json()).toEqual({
        healthy: true,
        state: "started",
        timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        components: [
          component("example/Logger"),
          component("memoryTodos", [{
            id: "memoryTodos/available",
            name: "available",
            status: "healthy",
            duration: expect.any(Number),
            details: { store: "memory", todos: expect.any(Number) }
          }]),
          component("example/Seeder"),
          component("example/AppConfig"),
          component("example/Http"),
          // not layerwise/App/Application, which Routes requests: layerwise's own service, not one of the service's components
          component("example/Routes"),
          component("example/Service")
        ]
      })
      service.child.kill("SIGTERM")
      expect(await service.exited).toBe(0)
      const order = ["Seeder: 2 todos", "Http: listening", "Service: serving requests", "Service: stopped serving", "application OK (shut down: SIGTERM)"]
      const positions = order.map((line) => service.output().indexOf(line))
      expect(positions.every((position) => position >= 0), service.output()).toBe(true)
      expect([...positions].sort((a, b) => a - b)).toEqual(positions)
      expect(service.output()).toContain("example/Service (startup 10)")
    } finally {
      cleanUp(service)
    }
  }, 60_000)

  it("at SIGTERM refuses new connections at once (ECONNREFUSED), answers the request in flight, and only then runs the stop hooks", async () => {
    const service = launch(process.execPath, ["--import", "tsx", "examples/service.ts"])
    try {
      const address = await serving(service)
      // a request in flight: its headers read by the server (which answers "100 Continue"), its body not sent yet
      const body = JSON.stringify({ title: "in flight" })
      const request = httpRequest(`${address}/todos`, {
        method: "POST",
        headers: { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)), expect: "100-continue" }
      })
      const answered = new Promise<{ status: number | undefined; body: string }>((resolve, reject) => {
        request.on("response", (response) => {
          let text = ""
          response.on("data", (chunk) => (text += String(chunk)))
          response.on("end", () => resolve({ status: response.statusCode, body: text }))
        })
        request.on("error", reject)
      })
      await new Promise<void>((resolve) => {
        request.on("continue", resolve)
        request.flushHeaders()
      })
      service.child.kill("SIGTERM")
      // new connections, one after the other from the signal on, until one is refused: each is answered
      // (before the shutdown began: 200; /ops/ready once it began: 503), reset (accepted as the socket
      // closed, its request not read yet: node closes it with the idle ones) or refused; none left hanging
      const outcomes: Array<string> = []
      const deadline = Date.now() + 30_000
      while (outcomes.at(-1) !== "ECONNREFUSED" && Date.now() < deadline) {
        outcomes.push(await attempt(`${address}/ops/ready`))
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
      expect(outcomes.filter((outcome) => !["200", "503", "ECONNRESET"].includes(outcome)), outcomes.join(", ")).toEqual(["ECONNREFUSED"])
      // the request in flight gets its answer, which used the repository
      request.end(body)
      expect(await answered).toEqual({ status: 201, body: JSON.stringify({ id: 3, title: "in flight", done: false }) })
      expect(await service.exited, service.output()).toBe(0)
      // the stop hooks ran after it was answered
      const order = [
        "Service: new connections refused, answering the requests in flight",
        "Todos: added 3 (in flight)",
        "Service: the requests in flight answered",
        "Service: stopped serving",
        "application OK (shut down: SIGTERM)"
      ]
      const positions = order.map((line) => service.output().indexOf(line))
      expect(positions.every((position) => position >= 0), service.output()).toBe(true)
      expect([...positions].sort((a, b) => a - b), service.output()).toEqual(positions)
    } finally {
      cleanUp(service)
    }
  }, 60_000)

  it("answers what it cannot serve with its status and a JSON body saying why: a bad id 400, an unknown one 404, a body that is not JSON or not a todo 400", async () => {
    const service = launch(process.execPath, ["--import", "tsx", "examples/service.ts"])
    try {
      const address = await serving(service)
      const badId = (id: string) => ({ status: 400, body: { error: `the todo id must be a positive integer, got ${JSON.stringify(id)}` } })
      expect(await json(await fetch(`${address}/todos/abc`))).toEqual(badId("abc"))
      expect(await json(await fetch(`${address}/todos/0`))).toEqual(badId("0"))
      expect(await json(await fetch(`${address}/todos/1.5`))).toEqual(badId("1.5"))
      expect(await json(await fetch(`${address}/todos/-2`))).toEqual(badId("-2"))
      expect(await json(await fetch(`${address}/todos/99`))).toEqual({ status: 404, body: { error: "no todo has id 99" } })
      expect(await json(await post(address, "not json"))).toEqual({
        status: 400,
        body: { error: "the body is not JSON: Unexpected token 'o', \"not json\" is not valid JSON" }
      })
      const invalid = (path: ReadonlyArray<string>, message: string) => ({
        status: 400,
        body: { error: "the body is not a valid todo", issues: [{ path, message }] }
      })
      expect(await json(await post(address, "{}"))).toEqual(invalid(["title"], "is missing"))
      expect(await json(await post(address, JSON.stringify({ title: "" })))).toEqual(
        invalid(["title"], "Expected a string at least 1 character(s) long, actual \"\"")
      )
      expect(await json(await post(address, "[1]"))).toEqual(
        invalid([], "Expected an object with a non-empty title, actual [1]")
      )
      // nothing was added by the requests it refused
      expect(await (await fetch(`${address}/todos`)).json()).toHaveLength(2)
      service.child.kill("SIGTERM")
      expect(await service.exited).toBe(0)
    } finally {
      cleanUp(service)
    }
  }, 60_000)

  it("each request gets a RequestContext of its own (the caller from its x-caller header), released once its response is sent", async () => {
    const service = launch(process.execPath, ["--import", "tsx", "examples/service.ts"])
    try {
      const address = await serving(service)
      const whoami = (caller?: string) => fetch(`${address}/whoami`, { headers: caller === undefined ? {} : { "x-caller": caller } }).then(json)
      expect(await Promise.all([whoami("ada"), whoami("bob"), whoami()])).toEqual([
        { status: 200, body: { caller: "ada" } },
        { status: 200, body: { caller: "bob" } },
        { status: 200, body: { caller: "anonymous" } }
      ])
      const releases = () => service.output().split("\n").filter((line) => line.includes("RequestContext:")).map((line) => line.replace(/^\[.*?\] /, ""))
      const deadline = Date.now() + 30_000
      while (releases().length < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
      expect(releases().sort()).toEqual([
        "RequestContext: GET /whoami for ada released",
        "RequestContext: GET /whoami for anonymous released",
        "RequestContext: GET /whoami for bob released"
      ])
      expect(service.output()).toContain("└─ example/RequestContext · scoped(Request)")
      service.child.kill("SIGTERM")
      expect(await service.exited).toBe(0)
    } finally {
      cleanUp(service)
    }
  }, 60_000)

  it("run the documented way (npm start), SIGTERM to npm's process (what a supervisor signals) shuts the service down: report printed, port closed, exit code 0, no process left", async () => {
    const npm = launch("npm", ["start"])
    try {
      const address = await serving(npm)
      expect((await fetch(`${address}/todos`)).status).toBe(200)
      npm.child.kill("SIGTERM")
      expect(await npm.exited).toBe(0)
      expect(npm.output()).toContain("Service: stopped serving")
      expect(npm.output()).toContain("application OK")
      await expect(fetch(`${address}/todos`)).rejects.toThrow()
      expect(groupAlive(npm.child.pid!)).toBe(false)
    } finally {
      cleanUp(npm)
    }
  }, 60_000)

  it("--help lists its options with the values given (flags, environment, defaults) and exits with 0 without serving", async () => {
    const service = launch(process.execPath, ["--import", "tsx", "examples/service.ts", "--help", "--storage", "file"])
    try {
      expect(await service.exited).toBe(0)
      expect(service.output()).toBe(
        [
          "Options:",
          "",
          "  host (example/AppConfig)",
          "    --host <string, default \"127.0.0.1\">  env HOST",
          "        the address the HTTP server listens on",
          "        value: \"127.0.0.1\" (environment variable HOST)",
          "",
          "  port (example/AppConfig)",
          "    --port <int & between(0, 65535), default 3000>  env PORT",
          "        the port the HTTP server listens on (0: any free port)",
          "        value: 0 (environment variable PORT)",
          "",
          "  dataFile (example/AppConfig)",
          `    --data-file <string, default ${JSON.stringify(path.join(os.tmpdir(), "layerwise-todos.json"))}>  env DATA_FILE`,
          "        the file store's JSON file (with --storage file)",
          `        value: ${JSON.stringify(path.join(os.tmpdir(), "layerwise-todos.json"))} (default)`,
          "",
          "  storage (read by conditions)",
          "    --storage <\"memory\" | \"file\", default \"memory\">  env STORAGE",
          "        where the todos are kept",
          "        value: \"file\" (flag --storage)",
          ""
        ].join("\n")
      )
    } finally {
      cleanUp(service)
    }
  }, 60_000)

  it("on a port already in use, it says so (the EADDRINUSE under the platform's ServeError) and exits with 1", async () => {
    const occupied = createServer()
    await new Promise<void>((resolve) => occupied.listen(0, "127.0.0.1", resolve))
    const port = (occupied.address() as AddressInfo).port
    const service = launch(process.execPath, ["--import", "tsx", "examples/service.ts"], { PORT: String(port) })
    try {
      expect(await service.exited).toBe(1)
      expect(service.output()).toContain(
        `example/Service -> example/Http: constructor of example/Http failed: ServeError: caused by Error: listen EADDRINUSE: address already in use 127.0.0.1:${port}`
      )
    } finally {
      cleanUp(service)
      await new Promise((resolve) => occupied.close(resolve))
    }
  }, 60_000)
})

describe("examples/quickstart.ts", () => {
  it("builds and uses the primary for the plain request and the replica for the qualified one, then shows a broken registry's errors under a heading", async () => {
    const quickstart = launch(process.execPath, ["--import", "tsx", "examples/quickstart.ts"])
    try {
      expect(await quickstart.exited, quickstart.output()).toBe(0)
      const [plan, run, broken] = quickstart.output().split("\n\n")
      expect(plan).toBe(
        [
          "Build order: Config -> primaryDb -> replicaDb -> Plugin#2 -> Plugin#1 -> UserRepo",
          "UserRepo",
          "├─ primaryDb (Database) [primary over replicaDb]",
          "│  └─ Config",
          "├─ Database@replica: replicaDb (Database)",
          "├─ All<Plugin>: Plugin#2 (Plugin) [all, 2 by order]",
          "└─ All<Plugin>: Plugin#1 (Plugin)"
        ].join("\n")
      )
      const lines = run!.split("\n")
      expect(lines[0]).toBe("Running the program:")
      // the two databases are independent: they open (and close) in either order, around their use
      expect(new Set(lines.slice(1, 3))).toEqual(new Set(["  open primary (postgres://localhost/app)", "  open replica (postgres://replica/app)"]))
      expect(lines.slice(3, 6)).toEqual([
        "  UserRepo writes to primary, reads from replica, plugins: metrics, audit",
        "  primary answered \"insert into users (name) values ('ada')\"",
        "  replica answered \"select * from users where id = 42\""
      ])
      expect(new Set(lines.slice(6))).toEqual(new Set(["  close primary", "  close replica"]))
      expect(broken).toBe(
        [
          "Now a deliberately broken registry (two Databases, neither primary; no Config), to show the resolution errors:",
          "2 problems resolving the graph:",
          "  - UserRepo -> Database: 2 candidates tie for Database (Database#1, Database#2; none primary, equal order 0): mark one primary, the others alternative, give them different orders, or request one by qualifier or name",
          "  - Config: no component provides Config (available: Database, UserRepo); register one, or declare it external if the program provides it",
          ""
        ].join("\n")
      )
    } finally {
      cleanUp(quickstart)
    }
  }, 60_000)
})

describe("examples/lifetimes.ts", () => {
  it("builds a transaction per job (committed, or rolled back when the job fails), the lazy report engine once on first use, an exporter per call, and releases a reloaded setting's previous instance right away", async () => {
    const example = launch(process.execPath, ["--import", "tsx", "examples/lifetimes.ts"])
    try {
      expect(await example.exited, example.output()).toBe(0)
      const lines = example.output().trimEnd().split("\n")
      // synchronous constructors build in the plan's order
      expect(lines.slice(0, 21)).toEqual([
        "settings v1: loaded",
        "runner: built (stamp 1)",
        "database: open",
        "transaction of a: begin",
        "job a: in tx-a with settings v1",
        "reports: built (stamp 2)",
        "exporter 1: open",
        "exporter 1: closed",
        "job a: report of a exported by 1",
        "transaction of a: commit",
        "transaction of b: begin",
        "job b: in tx-b with settings v1",
        "transaction of b: rollback",
        "settings v2: loaded",
        "settings v1: released",
        "transaction of c: begin",
        "job c: in tx-c with settings v2",
        "exporter 2: open",
        "exporter 2: closed",
        "job c: report of c exported by 2",
        "transaction of c: commit"
      ])
      expect(lines[21]).toBe("failed jobs: 1")
      expect(new Set(lines.slice(22))).toEqual(new Set(["settings v2: released", "reports: released", "database: close"]))
      expect(lines).toHaveLength(25)
    } finally {
      cleanUp(example)
    }
  }, 60_000)
})

describe("examples/container.ts", () => {
  it("looks plugins up once, gives a tenant child its own greeting over the shared database, reports an unknown request, shuts one plugin down, and releases lookups' instances before the graph's", async () => {
    const example = launch(process.execPath, ["--import", "tsx", "examples/container.ts"])
    try {
      expect(await example.exited, example.output()).toBe(0)
      expect(example.output().trimEnd().split("\n")).toEqual([
        "open database",
        "open plugin upper",
        "upper(a) via main",
        "open plugin reverse",
        "2 plugins, the first the same instance: true",
        "open tenant greeting",
        "tenant-a: bonjour from main; root: hello",
        "close tenant greeting",
        "1 problem resolving the graph:",
        "  - host/Missing: no component provides host/Missing (available: host/Database, host/Greeting, host/Plugin); register one, or declare it external if the program provides it",
        "close plugin reverse",
        "shut down: host/Plugin#2",
        "host/Plugin#2 was shut down in the container root",
        "close plugin upper",
        "close database"
      ])
    } finally {
      cleanUp(example)
    }
  }, 60_000)
})
