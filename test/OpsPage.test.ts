/**
 * The ops page in a real browser: Debian's chromium, driven by playwright-core, opens the page an
 * application serves on loopback, and the test reads the rendered DOM (the graph, the health table,
 * the startup timeline and its critical path). A screenshot is saved as `test/artifacts/ops-page.png`
 * (not committed) for people to look at.
 *
 * The application's constructors and start hook sleep long enough (tens of milliseconds, with wide
 * margins between the branches) that one chain of components decides the startup on any machine.
 */
import { describe, expect, it } from "@effect/vitest"
import { Context, Deferred, Effect, Either, Fiber } from "effect"
import { App, Component, Condition, Container, Explain, Health, Lifecycle, Registry } from "layerwise"
import * as Ops from "layerwise/Ops"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { chromium } from "playwright-core"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const executablePath = "/usr/bin/chromium"
const flags = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync"
]

class Config extends Context.Tag("app/Config")<Config, string>() {}
class Database extends Context.Tag("app/Database")<Database, string>() {}
class Cache extends Context.Tag("app/Cache")<Cache, string>() {}
class Api extends Context.Tag("app/Api")<Api, string>() {}
class Worker extends Context.Tag("app/Worker")<Worker, string>() {}
/** What the test reads of the page's DOM (the test is compiled without the DOM's types). */
interface Element {
  readonly textContent: string | null
  readonly children: ArrayLike<Element> & Iterable<Element>
  getAttribute(name: string): string | null
  querySelector(selector: string): Element | null
  querySelectorAll(selector: string): ArrayLike<Element> & Iterable<Element>
}
interface Page {
  querySelector(selector: string): Element | null
  querySelectorAll(selector: string): ArrayLike<Element> & Iterable<Element>
}

class PortProbe extends Context.Tag("test/PortProbe")<PortProbe, void>() {}

const slow = <A>(millis: number, value: A) => Effect.as(Effect.sleep(millis), value)

const registry = (port: Deferred.Deferred<number>) =>
  Registry.make(
    Component.make(Config, { build: slow(40, "postgres://main") }),
    Component.make(Database, { dependencies: [Config], build: slow(150, "db") }).pipe(
      Lifecycle.healthCheck(() => Effect.succeed(Health.details({ idle: 3, version: "14.2" })), { name: "ping", readiness: true })
    ),
    // a replica the profile leaves out: the page says what conditions excluded
    Registry.when(Condition.profile("replica"), Component.succeed(Database, "replica").pipe(Component.named("app/Replica"))),
    Component.make(Cache, { build: slow(10, "cache") }).pipe(
      Lifecycle.healthCheck(() => Effect.fail("the cache is cold"), { name: "warm" })
    ),
    Component.make(Api, { dependencies: [Database, Cache], build: slow(45, "api") }).pipe(
      Lifecycle.onStart(() => Effect.sleep(80), { name: "listen" })
    ),
    // its constructor looks the cache up (a dashed edge on the page)
    Component.make(Worker, {
      dependencies: [Database, Container.Container],
      build: Effect.zipRight(Container.get(Cache), slow(5, "worker"))
    }).pipe(
      Lifecycle.startup(10),
      Lifecycle.onStart(() => Effect.sleep(5))
    ),
    Ops.serve({ port: 0, host: "127.0.0.1", expose: "all", healthDetails: true }),
    Component.make(PortProbe, {
      dependencies: [Ops.Server],
      build: Effect.flatMap(Ops.Server, (server) => Deferred.succeed(port, server.port))
    }).pipe(Lifecycle.startup(Number.MIN_SAFE_INTEGER))
  )

describe("the ops page in headless chromium", () => {
  it.live("draws one graph node per component, the health of every check (one that counts for readiness says so), and the startup timeline with the critical path marked on the chain that decided it", () =>
    Effect.scoped(Effect.gen(function*() {
      if (!fs.existsSync(executablePath)) {
        return yield* Effect.dieMessage(`${executablePath} is missing: apt-get install chromium (.ci/run installs it)`)
      }
      const port = yield* Deferred.make<number>()
      const starting = yield* Effect.fork(App.start(App.make(registry(port), { roots: [Api] })))
      const address = `http://127.0.0.1:${yield* Deferred.await(port)}/ops/`
      const running = yield* Fiber.join(starting)
      const names = running.plan.nodes.map((node) => node.name)
      // the application's components: the plan without layerwise's own service Ops.serve requests
      expect(names).toContain("layerwise/App/Application")
      const components = names.filter((name) => name !== "layerwise/App/Application")

      const profile = yield* Effect.acquireRelease(
        Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "layerwise-chromium-"))),
        (directory) => Effect.sync(() => fs.rmSync(directory, { recursive: true, force: true }))
      )
      const browser = yield* Effect.acquireRelease(
        Effect.promise(() =>
          chromium.launchPersistentContext(profile, {
            executablePath,
            headless: true,
            args: flags,
            viewport: { width: 1360, height: 900 }
          })
        ),
        (context) => Effect.promise(() => context.close())
      )
      const result = yield* Effect.promise(async () => {
        const page = await browser.newPage()
        const problems: Array<string> = []
        page.on("pageerror", (error) => problems.push(`page error: ${error.message}`))
        // the health answers 503 (a check fails), which the browser logs as a failed load: nothing else may be logged
        page.on("console", (message) => {
          if (message.type() === "error" && !message.text().includes("status of 503")) problems.push(`console: ${message.text()}`)
        })
        const requests: Array<string> = []
        page.on("request", (request) => requests.push(request.url()))
        await page.goto(address)
        await page.waitForSelector("body[data-rendered]", { timeout: 15000 }).catch((e) => { throw new Error(problems.join("\n") + String(e)) })
        const read = () => {
          const document = (globalThis as unknown as { readonly document: Page }).document
          const attribute = (selector: string, name: string) =>
            Array.from(document.querySelectorAll(selector)).map((element) => element.getAttribute(name))
          return {
            nodes: Array.from(document.querySelectorAll("#graph g.node")).map((node) => ({
              name: node.getAttribute("data-name"),
              state: node.getAttribute("data-state"),
              critical: node.getAttribute("data-critical"),
              label: node.querySelector("text.name")?.textContent
            })),
            criticalEdges: Array.from(document.querySelectorAll("#graph path.edge[data-critical='true']")).map((edge) =>
              `${edge.getAttribute("data-from")} -> ${edge.getAttribute("data-to")}`
            ),
            edges: attribute("#graph path.edge", "data-from").length,
            lookupEdges: Array.from(document.querySelectorAll("#graph path.edge")).flatMap((edge) =>
              edge.getAttribute("data-lookup") === "false" ? [] : [`${edge.getAttribute("data-from")} -> ${edge.getAttribute("data-to")}: ${edge.getAttribute("data-lookup")}`]
            ),
            checks: Array.from(document.querySelectorAll("#health-rows tr")).map((row) =>
              `${row.getAttribute("data-check")}: ${row.getAttribute("data-status")}`
            ),
            cacheError: document.querySelector("#health-rows tr[data-check='app/Cache/warm'] td.error")?.textContent,
            pingDetails: document.querySelector("#health-rows tr[data-check='app/Database/ping'] td.details")?.textContent,
            checkNames: Array.from(document.querySelectorAll("#health-rows td.check")).map((cell) => cell.textContent),
            bars: Array.from(document.querySelectorAll("#timeline rect.bar")).map((bar) => ({
              component: bar.getAttribute("data-component"),
              phase: bar.getAttribute("data-phase"),
              critical: bar.getAttribute("data-critical"),
              width: Number(bar.getAttribute("width"))
            })),
            summary: document.querySelector("#path-summary")?.textContent,
            containers: Array.from(document.querySelectorAll("#containers li")).map((line) =>
              [line.getAttribute("data-container"), ...Array.from(line.querySelectorAll("span.held")).map((held) => `${held.getAttribute("data-component")} ${held.getAttribute("data-status")}`)]
            ),
            state: document.querySelector("#state")?.textContent,
            healthy: document.querySelector("#healthy")?.textContent
          }
        }
        const dom = await page.evaluate(read)
        // a click on a component explains it (GET /ops/components/:name)
        await page.click("#graph g.node[data-name='app/Database']")
        await page.waitForSelector("#details dl")
        // a cell of several lines (the choices) as its lines
        const details = await page.evaluate(() =>
          Array.from((globalThis as unknown as { readonly document: Page }).document.querySelectorAll("#details dt, #details dd")).map((cell) =>
            cell.children.length > 0 ? Array.from(cell.children).map((line) => line.textContent) : cell.textContent
          )
        )
        fs.mkdirSync(path.join(root, "test", "artifacts"), { recursive: true })
        await page.screenshot({ path: path.join(root, "test", "artifacts", "ops-page.png"), fullPage: true })
        return { dom, details, problems, requests }
      })
      const { dom } = result

      expect(result.problems).toEqual([])
      // the page reads its own server's JSON, nothing else
      expect([...new Set(result.requests.map((url) => new URL(url).pathname))].sort()).toEqual([
        "/ops/",
        "/ops/components/app%2FDatabase",
        "/ops/containers",
        "/ops/graph",
        "/ops/health",
        "/ops/startup"
      ])
      expect([dom.state, dom.healthy]).toEqual(["started", "unhealthy"])
      // the containers (exposed with "all"): the application's, every component built (not layerwise's own service)
      expect(dom.containers).toEqual([["", ...components.map((name) => `${name} built`)]])

      // one node per component, with its name and its state; layerwise's own service is not drawn, nor the edge to it
      expect(dom.nodes.map((node) => node.name).sort()).toEqual([...components].sort())
      expect(dom.nodes.every((node) => node.label === node.name && node.state === "started")).toBe(true)
      const edges = running.plan.nodes.flatMap((node) => node.dependencies.flatMap((edge) => edge.targets.map((target) => [node.name, names[target]!])))
      expect(edges).toContainEqual(["layerwise/Ops/Server", "layerwise/App/Application"])
      // and one dashed edge: Worker's constructor looked the cache up during the build
      expect(dom.edges).toBe(edges.filter(([from, to]) => components.includes(from!) && components.includes(to!)).length + 1)
      expect(dom.lookupEdges).toEqual(["app/Worker -> app/Cache: true"])

      // the chain that decided the startup: Config, then Database, then Api's build and its start
      const critical = dom.nodes.filter((node) => node.critical === "true").map((node) => node.name)
      expect(critical).toEqual(expect.arrayContaining(["app/Config", "app/Database", "app/Api"]))
      expect(critical).not.toContain("app/Cache")
      expect(critical).not.toContain("app/Worker")
      expect(dom.criticalEdges).toEqual(expect.arrayContaining(["app/Database -> app/Config", "app/Api -> app/Database"]))
      expect(dom.criticalEdges).not.toContain("app/Api -> app/Cache")
      expect(dom.summary).toMatch(/app\/Config build [\d.]+ ms → app\/Database build [\d.]+ ms → app\/Api build [\d.]+ ms → app\/Api start [\d.]+ ms$/)

      // every component's phase check and every declared check, with its status
      expect(dom.checks).toEqual(components.flatMap((name) =>
        name === "app/Database"
          ? [`${name}/phase: healthy`, `${name}/ping: healthy`]
          : name === "app/Cache"
          ? [`${name}/phase: healthy`, `${name}/warm: unhealthy`]
          : [`${name}/phase: healthy`]
      ))
      expect(dom.cacheError).toBe("the cache is cold")
      // a healthy check's details (served with healthDetails)
      expect(dom.pingDetails).toBe("idle: 3, version: \"14.2\"")
      // a check that counts for readiness says so
      expect(dom.checkNames).toEqual(components.flatMap((name) =>
        name === "app/Database" ? ["phase", "ping (readiness)"] : name === "app/Cache" ? ["phase", "warm"] : ["phase"]
      ))

      // a bar per phase; the critical ones marked
      const bar = (component: string, phase: string) => dom.bars.find((found) => found.component === component && found.phase === phase)
      expect(dom.bars.filter((found) => found.phase === "build").map((found) => found.component).sort()).toEqual([...components].sort())
      expect(dom.bars.filter((found) => found.phase === "start").map((found) => found.component).sort()).toEqual(["app/Api", "app/Worker"])
      expect([bar("app/Config", "build")?.critical, bar("app/Database", "build")?.critical, bar("app/Api", "build")?.critical, bar("app/Api", "start")?.critical])
        .toEqual(["true", "true", "true", "true"])
      expect([bar("app/Cache", "build")?.critical, bar("app/Worker", "start")?.critical]).toEqual(["false", "false"])
      expect(bar("app/Database", "build")!.width).toBeGreaterThan(bar("app/Cache", "build")!.width)

      // each choice in Explain's words, the candidates conditions excluded included
      const explained = Explain.componentText(Either.getOrThrow(Explain.component(running.plan, "app/Database")))
      const choices = explained.split("\n").filter((line) => line.startsWith("  chosen for ")).map((line) => line.trim())
      expect(choices).toEqual([
        "chosen for app/Api -> app/Database: the only candidate left; excluded by their conditions: app/Replica (profile replica)",
        "chosen for app/Worker -> app/Database: the only candidate left; excluded by their conditions: app/Replica (profile replica)"
      ])
      expect(result.details).toEqual([
        "service",
        "app/Database",
        "chosen",
        choices,
        "depends on",
        "app/Config",
        "dependents",
        "app/Api, app/Worker",
        "state",
        "started",
        "phases",
        expect.stringMatching(/^build [\d.]+ ms$/)
      ])
      expect(fs.statSync(path.join(root, "test", "artifacts", "ops-page.png")).size).toBeGreaterThan(10_000)
    })), 60_000)
})
