/**
 * The example service's components, wired with layerwise: its options, a logger, a todo repository
 * with two candidate implementations (each with a health check), and the HTTP routes: the todos, and
 * the ops API (`/ops/live`, `/ops/ready`, `/ops/health`, ... and the ops page at `/ops/`). A request
 * the routes cannot serve is answered with its status and a JSON body saying why:
 * `{ "error": "the todo id must be a positive integer, got \"abc\"" }`.
 */
import { FileSystem, HttpRouter, HttpServerRequest, HttpServerResponse, Path } from "@effect/platform"
import { Context, Effect, Option, ParseResult, Ref, Schema } from "effect"
import * as os from "node:os"
import * as path from "node:path"
import { App, Component, Container, Health, Lifecycle, Lifetime, Options, Registry } from "layerwise"
import * as Http from "layerwise/Http"
import * as Ops from "layerwise/Ops"

// ---------------------------------------------------------------------------------------------
// Configuration and logging

/**
 * The service's options (see layerwise's `Options`): each read from a flag, an environment variable
 * or an options file (`--port 8080`, `PORT=8080`), validated with the rest before anything is built,
 * and listed by `--help`. They are application-wide settings, so each is options with one value,
 * named like its flag; a component's own settings would be namespaced (`Options.make("http", { port })`
 * is `--http-port`, `HTTP_PORT`).
 */
export const PortOption = Options.make(
  "port",
  Schema.optionalWith(Schema.NumberFromString.pipe(Schema.int(), Schema.between(0, 65535)), { default: () => 3000 })
    .annotations({ description: "the port the HTTP server listens on (0: any free port)" })
)
export const HostOption = Options.make(
  "host",
  Schema.optionalWith(Schema.String, { default: () => "127.0.0.1" }).annotations({ description: "the address the HTTP server listens on" })
)
export const StorageOption = Options.make(
  "storage",
  Schema.optionalWith(Schema.Literal("memory", "file"), { default: () => "memory" as const })
    .annotations({ description: "where the todos are kept" })
)
export const DataFileOption = Options.make(
  "dataFile",
  Schema.optionalWith(Schema.String, { default: () => path.join(os.tmpdir(), "layerwise-todos.json") })
    .annotations({ description: "the file store's JSON file (with --storage file)" })
)

export class AppConfig extends Context.Tag("example/AppConfig")<AppConfig, {
  readonly host: string
  readonly port: number
  readonly dataFile: string
}>() {}

export const AppConfigLive = Component.make(AppConfig, {
  dependencies: [HostOption, PortOption, DataFileOption],
  build: Effect.all({ host: HostOption, port: PortOption, dataFile: DataFileOption })
})

export class Logger extends Context.Tag("example/Logger")<Logger, {
  readonly info: (message: string) => Effect.Effect<void>
}>() {}

export const LoggerLive = Component.make(Logger, {
  build: Effect.sync(() => {
    const started = Date.now()
    return {
      info: (message: string) =>
        Effect.sync(() => console.log(`[${String(Date.now() - started).padStart(5)} ms] ${message}`))
    }
  })
})

// ---------------------------------------------------------------------------------------------
// The repository: two candidates

export class Todo extends Schema.Class<Todo>("Todo")({
  id: Schema.Number,
  title: Schema.String,
  done: Schema.Boolean
}) {}

export const NewTodo = Schema.Struct({ title: Schema.String.pipe(Schema.minLength(1)) }).annotations({
  description: "an object with a non-empty title"
})

export class TodoRepo extends Context.Tag("example/TodoRepo")<TodoRepo, {
  readonly kind: string
  readonly list: Effect.Effect<ReadonlyArray<Todo>>
  readonly get: (id: number) => Effect.Effect<Option.Option<Todo>>
  readonly add: (title: string) => Effect.Effect<Todo>
  /** succeeds when the store can be used (its health check) */
  readonly available: Effect.Effect<void, unknown>
}>() {}

const makeRepo = (
  kind: string,
  initial: ReadonlyArray<Todo>,
  persist: (todos: ReadonlyArray<Todo>) => Effect.Effect<void>,
  available: Effect.Effect<void, unknown>
) =>
  Effect.map(Ref.make(initial), (todos) => ({
    kind,
    available,
    list: Ref.get(todos),
    get: (id: number) => Effect.map(Ref.get(todos), (all) => Option.fromNullable(all.find((todo) => todo.id === id))),
    add: (title: string) =>
      Ref.modify(todos, (all) => {
        const todo = new Todo({ id: all.reduce((max, t) => Math.max(max, t.id), 0) + 1, title, done: false })
        return [todo, [...all, todo]] as const
      }).pipe(Effect.tap(() => Effect.flatMap(Ref.get(todos), persist)))
  }))

/**
 * The stores' health check: available, and how many todos it holds (`Health.details`: in the
 * health report, and in `/ops/health` since the ops options ask for details).
 */
const available = (repo: Context.Tag.Service<TodoRepo>) =>
  Effect.zipRight(repo.available, Effect.map(repo.list, (todos) => Health.details({ store: repo.kind, todos: todos.length })))

/** The default: in memory, primary. */
export const MemoryTodoRepo = Component.make(TodoRepo, {
  dependencies: [Logger],
  build: Effect.gen(function*() {
    const logger = yield* Logger
    yield* logger.info("TodoRepo: in-memory store ready")
    return yield* makeRepo("memory", [], () => Effect.void, Effect.void)
  })
}).pipe(
  Component.named("memoryTodos"),
  Component.qualified(["memory"]),
  Component.primary,
  Lifecycle.healthCheck(available, { name: "available", timeout: "1 second" })
)

/**
 * A JSON file store: chosen by the `file` qualifier, or for every request when STORAGE=file. It uses
 * the platform's FileSystem and Path, which the application takes from outside (`external`,
 * provided with `NodeContext.layer`: see service.ts), as any Effect program would.
 */
export const FileTodoRepo = Component.make(TodoRepo, {
  dependencies: [AppConfig, Logger, FileSystem.FileSystem, Path.Path],
  build: Effect.gen(function*() {
    const config = yield* AppConfig
    const logger = yield* Logger
    const files = yield* FileSystem.FileSystem
    const paths = yield* Path.Path
    const read = files.readFileString(config.dataFile).pipe(
      Effect.flatMap(Schema.decodeUnknown(Schema.parseJson(Schema.Array(Todo)))),
      Effect.orElseSucceed((): ReadonlyArray<Todo> => [])
    )
    const initial = yield* read
    yield* logger.info(`TodoRepo: file store ${config.dataFile} (${initial.length} todos)`)
    const persist = (todos: ReadonlyArray<Todo>) =>
      Effect.orDie(files.writeFileString(config.dataFile, JSON.stringify(todos.map((todo) => ({ ...todo })))))
    yield* Effect.addFinalizer(() => logger.info("TodoRepo: file store closed"))
    // available while the data file's folder exists (the health report says why when it does not:
    // the platform's SystemError, "NotFound ... access ... ENOENT")
    const available = files.access(paths.dirname(config.dataFile), { writable: true })
    return yield* makeRepo("file", initial, persist, available)
  })
}).pipe(
  Component.named("fileTodos"),
  Component.qualified(["file"]),
  Lifecycle.healthCheck(available, { name: "available", timeout: "1 second" })
)

// ---------------------------------------------------------------------------------------------
// The request's context: one per HTTP request

/** Who calls (the `x-caller` header), built once per request and released when its response is sent. */
export class RequestContext extends Context.Tag("example/RequestContext")<RequestContext, {
  readonly caller: string
  readonly route: string
}>() {}

export const RequestContextLive = Component.make(RequestContext, {
  dependencies: [HttpServerRequest.HttpServerRequest, Logger],
  build: Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const logger = yield* Logger
    const context = { caller: request.headers["x-caller"] ?? "anonymous", route: `${request.method} ${request.url}` }
    yield* Effect.addFinalizer(() => logger.info(`RequestContext: ${context.route} for ${context.caller} released`))
    return context
  })
}).pipe(Lifetime.scoped(Http.Request))

// ---------------------------------------------------------------------------------------------
// HTTP routes

/** The id in `/todos/:id`: a positive integer, in decimal digits. */
const parseId = (text: string): Option.Option<number> => {
  const id = /^[1-9][0-9]*$/.test(text) ? Number(text) : Number.NaN
  return Number.isSafeInteger(id) ? Option.some(id) : Option.none()
}

/** A request the service does not serve: `{ "error": why, ...details }` with the status. */
const failure = (status: number, error: string, details: Record<string, unknown> = {}) =>
  HttpServerResponse.json({ error, ...details }, { status })

export class Routes extends Context.Tag("example/Routes")<Routes, HttpRouter.HttpRouter<unknown>>() {}

export const RoutesLive = Component.make(Routes, {
  dependencies: [TodoRepo, Logger, App.Application, Container.Container],
  build: Effect.gen(function*() {
    const repo = yield* TodoRepo
    const logger = yield* Logger
    // the request scope of this application's container, checked now: a service the scope does not
    // provide fails the startup (NotInScope), not every request
    const requestScoped = yield* Http.requestScope(Http.Request, [RequestContext])
    // the ops API and page of the application these routes run in. Everything is exposed for the
    // demo, health details too; a production service would expose less (liveness and readiness alone are the default),
    // or serve it on a port of its own that only the operators reach (`Ops.serve({ port })`)
    const ops = yield* Ops.router({ expose: "all", healthDetails: true })
    return HttpRouter.empty.pipe(
      HttpRouter.concat(ops),
      HttpRouter.get("/todos", Effect.flatMap(repo.list, (todos) => HttpServerResponse.json(todos))),
      // a handler of the request scope: its RequestContext is this request's
      HttpRouter.get(
        "/whoami",
        Effect.flatMap(RequestContext, (context) => HttpServerResponse.json({ caller: context.caller })).pipe(requestScoped)
      ),
      HttpRouter.get(
        "/todos/:id",
        Effect.gen(function*() {
          const { id } = yield* HttpRouter.params
          const parsed = parseId(id ?? "")
          if (Option.isNone(parsed)) {
            return yield* failure(400, `the todo id must be a positive integer, got ${JSON.stringify(id)}`)
          }
          const todo = yield* repo.get(parsed.value)
          return Option.isSome(todo)
            ? yield* HttpServerResponse.json(todo.value)
            : yield* failure(404, `no todo has id ${parsed.value}`)
        })
      ),
      HttpRouter.post(
        "/todos",
        Effect.gen(function*() {
          const body = yield* HttpServerRequest.schemaBodyJson(NewTodo)
          const todo = yield* repo.add(body.title)
          yield* logger.info(`Todos: added ${todo.id} (${todo.title})`)
          return yield* HttpServerResponse.json(todo, { status: 201 })
        }).pipe(
          Effect.catchTags({
            // the body is JSON, but not a todo
            ParseError: (error) =>
              failure(400, "the body is not a valid todo", {
                issues: ParseResult.ArrayFormatter.formatErrorSync(error).map(({ message, path }) => ({ path, message }))
              }),
            // the body is not JSON (a transport failure, the connection lost while reading, is left to the platform)
            RequestError: (error) =>
              error.reason === "Decode"
                ? failure(400, `the body is not JSON: ${error.cause instanceof Error ? error.cause.message : String(error.cause)}`)
                : Effect.fail(error)
          })
        )
      )
    )
  })
})

/** Storage is chosen by an option: `--storage file` (STORAGE=file) makes the file store (qualified `file`) the only candidate, so plain requests get it. */
export const storageModule = Registry.make(
  Registry.when(Options.equals(StorageOption, "memory"), MemoryTodoRepo),
  FileTodoRepo
)
