/**
 * The example service: an HTTP JSON todo service on localhost, composed entirely with layerwise.
 *
 * - its options (`--port`, `--host`, `--storage memory|file`, `--data-file`; or PORT, HOST, STORAGE,
 *   DATA_FILE in the environment), validated before anything is built; `--help` lists them;
 * - a logger; a todo repository with two candidates (in memory, primary by default; a JSON file
 *   store, chosen for every request with `--storage file`), each with a health check;
 * - the platform's FileSystem and Path from outside the registry (`external`), provided with
 *   `NodeContext.layer` as any Effect program would (`App.provide`);
 * - a startup component that seeds the repository;
 * - the HTTP server as a started component whose background work serves requests, and at shutdown
 *   refuses new connections at once and answers the requests in flight before any stop hook runs;
 * - a request-scoped RequestContext (the caller, from the x-caller header): one per request, released
 *   (and logged) once its response is sent (`curl -H 'x-caller: ada' http://127.0.0.1:3000/whoami`).
 *
 * - traces: TRACE=console prints every span (layerwise's: the build, start, stop, release and health
 *   checks of every component; the platform's: one per HTTP request) with @effect/opentelemetry's
 *   NodeSdk and OpenTelemetry's ConsoleSpanExporter (in-process, no network). Swap the exporter for
 *   an OTLP one to send them to a collector.
 *
 * It prints its component graph and startup timings, serves requests, and on Ctrl-C (SIGINT) or
 * SIGTERM shuts down gracefully and prints the report.
 *
 * Run: npm start   (`npm start -- --help` for its options; then: curl http://127.0.0.1:3000/todos, /ops/health for the health checks, or open
 * http://127.0.0.1:3000/ops/ in a browser for the ops page: graph, health, startup timeline)
 * Under a supervisor that signals one process (Docker, systemd): node --import tsx examples/service.ts,
 * so that its SIGTERM reaches this process (npm start execs the same command; see the README).
 */
import { FileSystem, HttpServer, Path } from "@effect/platform"
import { NodeContext, NodeHttpServer } from "@effect/platform-node"
import { NodeSdk } from "@effect/opentelemetry"
import { ConsoleSpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base"
import { Context, Effect, Exit, Layer } from "effect"
import { createServer } from "node:http"
import { App, Component, Explain, Lifecycle, Options, Registry } from "layerwise"
import { runMain } from "layerwise/node"
import { Request as HttpRequest } from "layerwise/Http"
import { AppConfig, AppConfigLive, Logger, LoggerLive, RequestContextLive, Routes, RoutesLive, storageModule, TodoRepo } from "./service/domain.js"

class Seeder extends Context.Tag("example/Seeder")<Seeder, { readonly seeded: number }>() {}

/** Seeds the repository at startup, before the server starts (it depends on the repository). */
const SeederLive = Component.make(Seeder, {
  dependencies: [TodoRepo, Logger],
  build: Effect.gen(function*() {
    const repo = yield* TodoRepo
    const logger = yield* Logger
    const existing = yield* repo.list
    if (existing.length === 0) {
      yield* repo.add("read the layerwise README")
      yield* repo.add("try STORAGE=file npm start")
    }
    const seeded = (yield* repo.list).length
    yield* logger.info(`Seeder: ${seeded} todos in the ${repo.kind} store`)
    return { seeded }
  })
}).pipe(Lifecycle.startup(0))

/**
 * The HTTP server: the platform's, and a way to stop it gracefully. It listens when built (a port in
 * use fails the startup, before anything started); the socket is closed for good when it is released.
 */
class Http extends Context.Tag("example/Http")<Http, {
  readonly server: HttpServer.HttpServer
  /**
   * Refuses new connections at once (closes the socket, and the idle keep-alive connections), then
   * waits until the requests in flight are answered; interrupted (the grace timeout), it cuts the
   * connections left.
   */
  readonly closeAndDrain: Effect.Effect<void>
}>() {}

const HttpLive = Component.make(Http, {
  dependencies: [AppConfig, Logger],
  build: Effect.gen(function*() {
    const config = yield* AppConfig
    const node = createServer()
    // node closes the idle keep-alive connections when the socket closes, not those that become idle
    // later (they would stay open until their keep-alive timeout): close each once its response is sent
    node.on("request", (_request, response) =>
      response.on("finish", () => {
        if (!node.listening) setImmediate(() => node.closeIdleConnections())
      }))
    const server = yield* NodeHttpServer.make(() => node, { port: config.port, host: config.host })
    const logger = yield* Logger
    const address = server.address._tag === "TcpAddress" ? `http://${server.address.hostname}:${server.address.port}` : "?"
    yield* logger.info(`Http: listening on ${address}`)
    const closeAndDrain = Effect.async<void>((resume) => {
      node.close(() => resume(Effect.void))
      return Effect.sync(() => node.closeAllConnections())
    })
    return { server, closeAndDrain }
  }).pipe(Effect.orDie)
})

/** The running service: what its background work and stop hook need, gathered when it is built. */
class Service extends Context.Tag("example/Service")<Service, {
  readonly http: Http["Type"]
  readonly routes: Routes["Type"]
  readonly logger: Logger["Type"]
}>() {}

const ServiceLive = Component.make(Service, {
  dependencies: [Http, Routes, Logger, Seeder],
  build: Effect.all({ http: Http, routes: Routes, logger: Logger })
}).pipe(
  Lifecycle.startup(10),
  // background work: serve until the application asks it to finish (SIGINT, SIGTERM), then shut down
  // gracefully: new connections refused at once, the requests in flight answered (within the grace
  // timeout), and only then do the stop hooks run, this one's and those of everything the handlers use
  Lifecycle.background((service, shutdown) =>
    Effect.scoped(Effect.gen(function*() {
      yield* service.http.server.serve(service.routes)
      yield* service.logger.info("Service: serving requests (Ctrl-C to stop)")
      yield* shutdown.requested
      yield* service.logger.info("Service: new connections refused, answering the requests in flight")
      yield* service.http.closeAndDrain
      yield* service.logger.info("Service: the requests in flight answered")
    })), { onShutdown: "signal" }),
  Lifecycle.onStop((service) => service.logger.info("Service: stopped serving"))
)

const registry = Registry.make(AppConfigLive, LoggerLive, storageModule, RoutesLive, SeederLive, HttpLive, ServiceLive, RequestContextLive)
// the platform services the registry takes from outside
const external = [FileSystem.FileSystem, Path.Path] as const
// the scope each HTTP request opens (see RequestContext)
const scopes = [HttpRequest]

// the options (and the storage they select) are read from the command line and the environment
const options: Options.ProviderInput = { argv: process.argv.slice(2), env: process.env }

const app = App.make(registry, { external, scopes, stopTimeout: "5 seconds", graceTimeout: "3 seconds" }).pipe(
  App.provide(NodeContext.layer)
)

if (!process.argv.includes("--help")) {
  // the plan the application runs (App.Application, which the routes request, included), built nothing
  const plan = Effect.runSyncExit(App.plan(app).pipe(Effect.withConfigProvider(Options.provider(options))))
  if (Exit.isSuccess(plan)) {
    console.log("Component graph:")
    console.log(Explain.tree(plan.value))
    console.log("")
  }
}

// TRACE=console: the run's spans printed as they end (the tracer is installed around the whole run)
const TracingLive = process.env.TRACE === "console"
  ? NodeSdk.layer(() => ({
    resource: { serviceName: "todo-service" },
    spanProcessor: new SimpleSpanProcessor(new ConsoleSpanExporter())
  }))
  : Layer.empty

// `--help` prints the options of the application's plan instead of running it
runMain(
  app,
  { options, layer: TracingLive }
)
