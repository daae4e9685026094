/**
 * Lifetimes and handles: a job runner.
 *
 * - `Database` is a singleton (the default): built once, at startup, shared by everything.
 * - `Job` is a scope whose input is the job's `Message`: `Lifetime.within(effect, Job, [...])`
 *   opens one per message. `Transaction` is scoped to it: one per job, built on first use in it,
 *   released (rolled back or committed) when the job ends — also when it fails.
 * - `Stamp` is transient: every component that requests it gets its own.
 * - `Reports` is expensive and rarely used: the job runner requests it `lazy`, so it is built on its
 *   first use only, once, and released with the application.
 * - `Exporter` is requested as a `factory`: a new one per call, released with the caller's Scope.
 * - `Settings` is `reloadable`: `reload` builds a new one; the old one is released once unused.
 *
 * A singleton that requested `Transaction` directly would be a `LifetimeMismatch`, reported before
 * anything runs.
 *
 * Run: npx tsx examples/lifetimes.ts
 */
import { Context, Effect, Ref } from "effect"
import { Component, Container, Dependency, Lifetime, Registry } from "layerwise"

class Message extends Context.Tag("jobs/Message")<Message, { readonly id: string; readonly fail: boolean }>() {}
class Log extends Context.Tag("jobs/Log")<Log, (line: string) => Effect.Effect<void>>() {}
class Database extends Context.Tag("jobs/Database")<Database, { readonly query: (sql: string) => Effect.Effect<string> }>() {}
class Transaction extends Context.Tag("jobs/Transaction")<Transaction, { readonly id: string }>() {}
class Stamp extends Context.Tag("jobs/Stamp")<Stamp, number>() {}
class Reports extends Context.Tag("jobs/Reports")<Reports, { readonly render: (job: string) => string }>() {}
class Exporter extends Context.Tag("jobs/Exporter")<Exporter, { readonly id: number }>() {}
class Settings extends Context.Tag("jobs/Settings")<Settings, { readonly version: number }>() {}
class Runner extends Context.Tag("jobs/Runner")<Runner, {
  readonly run: (message: Context.Tag.Service<Message>) => Effect.Effect<void, unknown, Container.Container>
}>() {}

/** One scope per job; whoever opens it provides the job's message. */
const Job = Lifetime.scope("Job", { inputs: [Message] })

const lines: Array<string> = []
const LogLive = Component.succeed(Log, (line: string) => Effect.sync(() => void lines.push(line)))

const DatabaseLive = Component.make(Database, {
  dependencies: [Log],
  build: Effect.gen(function*() {
    const log = yield* Log
    yield* Effect.acquireRelease(log("database: open"), () => log("database: close"))
    return { query: (sql: string) => Effect.succeed(`rows of ${sql}`) }
  })
})

const TransactionLive = Component.make(Transaction, {
  dependencies: [Database, Message, Log],
  build: Effect.gen(function*() {
    const log = yield* Log
    const message = yield* Message
    yield* Effect.acquireRelease(
      log(`transaction of ${message.id}: begin`),
      (_, exit) => log(`transaction of ${message.id}: ${exit._tag === "Success" ? "commit" : "rollback"}`)
    )
    return { id: `tx-${message.id}` }
  })
}).pipe(Lifetime.scoped(Job))

let stamps = 0
const StampLive = Component.make(Stamp, { build: Effect.sync(() => ++stamps) }).pipe(Lifetime.transient)

const ReportsLive = Component.make(Reports, {
  dependencies: [Log, Stamp],
  build: Effect.gen(function*() {
    const log = yield* Log
    const stamp = yield* Stamp
    yield* Effect.acquireRelease(log(`reports: built (stamp ${stamp})`), () => log("reports: released"))
    return { render: (job: string) => `report of ${job}` }
  })
})

let exporters = 0
const ExporterLive = Component.make(Exporter, {
  dependencies: [Log],
  build: Effect.gen(function*() {
    const log = yield* Log
    const id = ++exporters
    yield* Effect.acquireRelease(log(`exporter ${id}: open`), () => log(`exporter ${id}: closed`))
    return { id }
  })
})

let versions = 0
const SettingsLive = Component.make(Settings, {
  dependencies: [Log],
  build: Effect.gen(function*() {
    const log = yield* Log
    const version = ++versions
    yield* Effect.acquireRelease(log(`settings v${version}: loaded`), () => log(`settings v${version}: released`))
    return { version }
  })
})

const RunnerLive = Component.make(Runner, {
  dependencies: [Log, Stamp, Dependency.lazy(Reports), Dependency.factory(Exporter), Dependency.reloadable(Settings)],
  build: Effect.gen(function*() {
    const log = yield* Log
    const stamp = yield* Stamp
    const reports = yield* Dependency.lazy(Reports)
    const exporter = yield* Dependency.factory(Exporter)
    const settings = yield* Dependency.reloadable(Settings)
    yield* log(`runner: built (stamp ${stamp})`)
    return {
      run: (message) =>
        Lifetime.within(
          Effect.gen(function*() {
            const tx = yield* Transaction
            const version = yield* settings.use((current) => Effect.succeed(current.version))
            yield* log(`job ${message.id}: in ${tx.id} with settings v${version}`)
            if (message.fail) return yield* Effect.fail(`job ${message.id} failed`)
            const report = yield* reports
            const used = yield* Effect.scoped(Effect.map(exporter, (opened) => opened.id))
            yield* log(`job ${message.id}: ${report.render(message.id)} exported by ${used}`)
          }),
          Job,
          [Transaction]
        ).pipe(Effect.provideService(Message, message))
    }
  })
})

export const registry = Registry.make(LogLive, DatabaseLive, TransactionLive, StampLive, ReportsLive, ExporterLive, SettingsLive, RunnerLive)

export const program = Effect.gen(function*() {
  const runner = yield* Runner
  const failures = yield* Ref.make(0)
  yield* runner.run({ id: "a", fail: false })
  yield* runner.run({ id: "b", fail: true }).pipe(Effect.catchAll(() => Ref.update(failures, (n) => n + 1)))
  const reload = yield* Dependency.reloadable(Settings)
  yield* reload.reload
  yield* runner.run({ id: "c", fail: false })
  lines.push(`failed jobs: ${yield* Ref.get(failures)}`)
}).pipe(
  Effect.provide(Registry.toLayer(registry, [Runner, Container.Container, Dependency.reloadable(Settings)], { scopes: [Job] }))
)

Effect.runPromise(program).then(
  () => console.log(lines.join("\n")),
  (error) => {
    console.error(error)
    process.exitCode = 1
  }
)
