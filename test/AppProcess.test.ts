/**
 * `runMain` (layerwise/node) in real Node processes (test/fixtures/appMain.ts, run with tsx): signals, the second
 * signal's fast exit, exit codes, the printed report. Kept apart from App.test.ts: each process takes
 * a few seconds to start.
 */
import { describe, expect, it } from "@effect/vitest"
import { spawn } from "node:child_process"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

describe.concurrent("runMain (layerwise/node), in a real process", () => {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
  const fixture = path.join(root, "test", "fixtures", "appMain.ts")

  const spawnApp = (
    mode: "clean" | "slow-start" | "hang" | "bounded" | "fail" | "stop-fails" | "build-fails" | "start-fails" | "config" | "options" | "options-file" | "events" | "choice" | "exit-code" | "exit-code-fails" | "exit-code-signal",
    env: Record<string, string> = {},
    argv: ReadonlyArray<string> = []
  ) => {
    const child = spawn(process.execPath, ["--import", "tsx", fixture, mode, ...argv], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, ...env }
    })
    let output = ""
    child.stdout.on("data", (chunk) => (output += String(chunk)))
    child.stderr.on("data", (chunk) => (output += String(chunk)))
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
    const killer = setTimeout(() => child.kill("SIGKILL"), 30_000)
    void exited.then(() => clearTimeout(killer))
    const waitFor = async (text: string) => {
      for (let waited = 0; !output.includes(text); waited += 20) {
        if (waited > 25_000 || child.exitCode !== null) throw new Error(`never printed "${text}":\n${output}`)
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
    }
    return { child, exited, waitFor, output: () => output }
  }

  /** The output without its log lines (a log line's message may span several lines, in quotes). */
  const withoutLogs = (output: string) => output.replace(/^timestamp=[^"\n]*"[^"]*"\n/gm, "")

  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    it(`${signal} shuts the application down gracefully with the signal as its reason, dependents first, prints the report and exits with 0`, async () => {
      const app = spawnApp("clean")
      await app.waitFor("started")
      app.child.kill(signal)
      expect(await app.exited).toBe(0)
      const lines = withoutLogs(app.output()).split("\n")
      expect(lines.slice(0, 5)).toEqual(["start Database", "start Server", "started", "stop Server", "stop Database"])
      expect(lines[5]).toMatch(new RegExp(`^application OK \\(shut down: ${signal}\\): startup [0-9.]+m?s, ran [0-9.]+m?s, shutdown [0-9.]+m?s, 3 components$`))
      // the application's components only: not layerwise/App/Shutdowner, which Reporter requests
      expect(lines.slice(6, 10).map((line) => line.split(/ {2,}/)[1])).toEqual(["component", "Database", "Server (startup 10)", "Reporter (startup 0)"])
      expect(lines[10]).toBe("")
      expect(app.output()).not.toContain("layerwise/")
      // the startup log: the summary line, then the timing table
      expect(app.output()).toMatch(/level=INFO[^\n]*message="started 3 components in [0-9.]+m?s\n  component +build +start\n/)
    })
  }

  for (const [mode, what] of [["build-fails", "constructor of Database"], ["start-fails", "start hook of Database"]] as const) {
    it(`a ${mode === "build-fails" ? "failing constructor" : "failing start hook"} is printed once, with the user's error and its cause, without a stack`, async () => {
      const app = spawnApp(mode)
      expect(await app.exited).toBe(1)
      const output = app.output()
      expect(output).toContain(`  - Server -> Database: ${what} failed: ConnectionRefused: connection to db.internal:5432 refused: caused by Error: ECONNREFUSED\n`)
      expect(output.match(/connection to db\.internal:5432 refused/g)).toHaveLength(1)
      expect(output.match(/ECONNREFUSED/g)).toHaveLength(1)
      expect(output).toMatch(/level=ERROR[^\n]*(building|starting) the application failed \(1 error\) \(see the report above\)/)
      expect(output).not.toMatch(/\n\s+at /)
      expect(output).not.toContain("node_modules")
      expect(output).not.toContain("src/internal")
    })
  }


  it("a signal during the startup interrupts it: what started is stopped, the report says interrupted, and it exits with 0", async () => {
    const app = spawnApp("slow-start")
    await app.waitFor("starting Database")
    app.child.kill("SIGTERM")
    expect(await app.exited).toBe(0)
    const lines = withoutLogs(app.output()).split("\n")
    expect(lines[0]).toBe("starting Database")
    expect(lines[1]).toMatch(/^application OK \(interrupted\): /)
  })

  it("a second signal exits at once, while a stop hook hangs", async () => {
    const app = spawnApp("hang")
    await app.waitFor("started")
    app.child.kill("SIGINT")
    await app.waitFor("stopping")
    app.child.kill("SIGINT")
    expect(await app.exited).toBe(130)
  })

  it("the shutdown a signal starts ends within the App's shutdownTimeout: its hung stop hook is cut off and reported, the exit code is 1", async () => {
    const app = spawnApp("bounded")
    await app.waitFor("started")
    app.child.kill("SIGTERM")
    await app.waitFor("stopping")
    const began = Date.now()
    expect(await app.exited).toBe(1)
    // the stop timeout is a minute: only the shutdown timeout (300 ms) ends it
    expect(Date.now() - began).toBeLessThan(10_000)
    expect(app.output()).toContain("application FAILED (shut down: SIGTERM)")
    expect(app.output()).toContain("Server: stop hook of Server was cut off by the shutdown timeout: the whole shutdown is bounded by 300ms (the App's shutdownTimeout)")
  })

  it("a background failure shuts down gracefully and exits with 1", async () => {
    const app = spawnApp("fail")
    expect(await app.exited).toBe(1)
    expect(app.output()).toContain("application FAILED (background work failed)")
    expect(app.output()).toContain("Server: background work of Server failed: Error: consumer crashed")
  })

  it("a shutdown a component asks for with exit code 3 exits with 3 after a clean run, the report printed or not", async () => {
    const [printed, quiet] = [spawnApp("exit-code"), spawnApp("exit-code", { QUIET: "1" })]
    expect([await printed.exited, await quiet.exited]).toEqual([3, 3])
    expect(withoutLogs(printed.output()).split("\n")[5]).toMatch(
      /^application OK \(shut down: job done, exit code 3\): startup [0-9.]+m?s, ran [0-9.]+m?s, shutdown [0-9.]+m?s, 3 components$/
    )
    expect(quiet.output()).not.toContain("application OK")
  })

  it("a SIGTERM during the shutdown a component asked for with exit code 3 leaves it: the first request wins, the process exits with 3", async () => {
    const app = spawnApp("exit-code-signal")
    await app.waitFor("stopping")
    app.child.kill("SIGTERM")
    expect(await app.exited).toBe(3)
    expect(app.output()).toContain("application OK (shut down: job done, exit code 3)")
  })

  it("a run that asked for exit code 3 and then failed exits with 1: the failure wins", async () => {
    const app = spawnApp("exit-code-fails")
    expect(await app.exited).toBe(1)
    expect(app.output()).toContain("application FAILED (shut down: job done, exit code 3)")
    expect(app.output()).toMatch(/level=ERROR[^\n]*the application's shutdown failed \(1 error\) \(see the report above\)/)
  })

  it("a stop hook failing in the shutdown a signal started is logged and exits with 1", async () => {
    const app = spawnApp("stop-fails")
    await app.waitFor("started")
    app.child.kill("SIGTERM")
    expect(await app.exited).toBe(1)
    expect(app.output()).toContain("application FAILED (shut down: SIGTERM)")
    // logged as a failure, once: the report has the error in full, the log says so, no stack into layerwise
    expect(app.output()).toMatch(/level=ERROR[^\n]*the application's shutdown failed \(1 error\) \(see the report above\)/)
    expect(app.output().match(/flush failed/g)).toHaveLength(1)
    expect(app.output()).not.toMatch(/\n\s+at /)
  })

  it("runs the App an Effect makes: Config read first, profiles from Config too", async () => {
    const app = spawnApp("config", { APP_GREETING: "hello", APP_PROFILES: "loud" })
    await app.waitFor("started")
    app.child.kill("SIGTERM")
    expect(await app.exited).toBe(0)
    const lines = withoutLogs(app.output()).split("\n")
    expect(lines.slice(0, 5).sort()).toEqual(["LOUD", "hello", "start Database", "start Server", "started"])
    expect(app.output()).toMatch(/application OK \(shut down: SIGTERM\)/)
  })

  it("the Effect that makes the App runs in a scope that lasts the run: a subscription made there sees every event, the build's included", async () => {
    const app = spawnApp("events")
    await app.waitFor("started")
    app.child.kill("SIGTERM")
    expect(await app.exited).toBe(0)
    const events = withoutLogs(app.output()).split("\n").filter((line) => line.startsWith("event "))
    // the last one ("stopped") is published as the run ends, with the scope: it may be left in the queue
    expect(events.slice(0, 4)).toEqual(["event building", "event starting", "event started", "event stopping"])
  })

  it("a failure of the Effect that makes the App is logged once, by its message, and exits with 1", async () => {
    const app = spawnApp("config", { APP_PROFILES: "loud" })
    expect(await app.exited).toBe(1)
    expect(app.output().match(/Missing data at APP_GREETING/g)).toHaveLength(1)
    expect(app.output()).toMatch(/level=ERROR/)
    expect(app.output()).not.toContain("application")
    expect(app.output()).not.toMatch(/\n\s+at /)
  })

  it("--help prints the options of the application's plan, with the values given, and exits with 0 without running it", async () => {
    const app = spawnApp("options", { SERVER_TOKEN: "s3cr3t" }, ["--server-port", "8080", "--help"])
    expect(await app.exited).toBe(0)
    expect(app.output()).toBe(
      [
        "Options:",
        "",
        "  server (Configured)",
        "    --server-port <number, required>  env SERVER_PORT",
        "        the port to listen on",
        "        value: 8080 (flag --server-port)",
        "    --server-host <string, default \"localhost\">  env SERVER_HOST",
        "        value: \"localhost\" (default)",
        "    --server-token <string, required, secret>  env SERVER_TOKEN",
        "        value: <redacted> (environment variable SERVER_TOKEN)",
        ""
      ].join("\n")
    )
  })

  it("--help with an option's value that leaves no candidate prints why, then the options of the application without the command line's values (read without them), and exits with 0", async () => {
    const app = spawnApp("choice", {}, ["--store", "sql", "--help"])
    expect(await app.exited).toBe(0)
    expect(app.output()).toBe(
      [
        "With the values of the command line, the application does not resolve (the options below are those of the application without them):",
        "1 problem resolving the graph:",
        "  - Reporter -> Store: no component provides Store (available: Reporter); candidates excluded by their conditions: " +
        "Store (option --store is \"memory\", given \"sql\"), Store (option --store is \"file\", given \"sql\")",
        "",
        "Options:",
        "",
        "  store (read by conditions)",
        "    --store <\"memory\" | \"file\" | \"sql\", default \"memory\">  env STORE",
        "        where things are kept",
        "        value: \"memory\" (default)",
        ""
      ].join("\n")
    )
  })

  it("--help of an application that does not resolve without the command line's values either tells the resolution error and exits with 1", async () => {
    const app = spawnApp("choice", { STORE: "sql" }, ["--help"])
    expect(await app.exited).toBe(1)
    expect(app.output()).toContain("level=ERROR")
    expect(app.output()).toContain("Reporter -> Store: no component provides Store")
    expect(app.output()).not.toContain("Options:")
  })

  it("a flag close to an option's without being one is warned of, with the option it looks like, and the run goes on", async () => {
    const app = spawnApp("options", { SERVER_TOKEN: "s3cr3t" }, ["--server-port", "8080", "--server-hots", "0.0.0.0", "--verbose"])
    await app.waitFor("started")
    app.child.kill("SIGTERM")
    expect(await app.exited).toBe(0)
    const warnings = app.output().split("\n").filter((line) => line.includes("level=WARN"))
    expect(warnings.map((line) => line.replace(/^.*message=/, ""))).toEqual([
      "\"the flag --server-hots is not an option of the application: did you mean --server-host?\""
    ])
    expect(app.output()).toContain("port 8080 on localhost")
  })

  it("an option that keeps its default while the environment spells it another way (.NET's Server__Host) is warned of once, and the run goes on", async () => {
    const app = spawnApp("options", { SERVER_TOKEN: "s3cr3t", Server__Host: "0.0.0.0" }, ["--server-port", "8080"])
    await app.waitFor("started")
    app.child.kill("SIGTERM")
    expect(await app.exited).toBe(0)
    const warnings = app.output().split("\n").filter((line) => line.includes("level=WARN"))
    expect(warnings.map((line) => line.replace(/^.*message=/, ""))).toEqual([
      "\"option --server-host keeps its default \\\"localhost\\\" (the environment has Server__Host: the variable is SERVER_HOST)\""
    ])
    expect(app.output()).toContain("port 8080 on localhost")
  })

  it("an options file given to runMain adds to the command line and the environment: a flag and a variable still set options, and --help still prints the help", async () => {
    const started = spawnApp("options-file", { SERVER_TOKEN: "s3cr3t" }, ["--server-port", "8080"])
    await started.waitFor("started")
    started.child.kill("SIGTERM")
    expect(await started.exited).toBe(0)
    expect(started.output()).toContain("port 8080 on from-file")

    const help = spawnApp("options-file", { SERVER_TOKEN: "s3cr3t" }, ["--server-port", "8080", "--help"])
    expect(await help.exited).toBe(0)
    expect(help.output()).toContain("        value: \"from-file\" (file server.host)\n")
  })

  it("options come from flags and the environment; the missing and invalid ones are told together, before anything starts", async () => {
    const started = spawnApp("options", { SERVER_TOKEN: "s3cr3t" }, ["--server-port=8080", "--server-host", "0.0.0.0"])
    await started.waitFor("started")
    started.child.kill("SIGTERM")
    expect(await started.exited).toBe(0)
    expect(started.output()).toContain("port 8080 on 0.0.0.0")

    const failed = spawnApp("options", { SERVER_PORT: "eighty" })
    expect(await failed.exited).toBe(1)
    // logged once (logfmt escapes the quotes), every problem in one message
    expect(failed.output().match(/level=ERROR/g)).toHaveLength(1)
    expect(failed.output()).toContain(
      "message=\"2 invalid options:\n" +
        "  - Configured: option --server-port: expected number, got \\\"eighty\\\" (environment variable SERVER_PORT): Unable to decode \\\"eighty\\\" into a number\n" +
        "  - Configured: option --server-token (SERVER_TOKEN) is missing; expected string\"\n"
    )
    expect(failed.output()).not.toContain("start Database")
  })
})
