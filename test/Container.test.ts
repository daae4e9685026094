import { describe, expect, it } from "@effect/vitest"
import { Cause, ConfigProvider, Context, Deferred, Effect, Either, Exit, FastCheck as fc, Fiber, Layer, Logger, Option, Schema, Scope, TestClock } from "effect"
import { App, Component, Condition, Container, Dependency, Errors, Lifecycle, Lifetime, Options, Registry, Report } from "layerwise"

class Config extends Context.Tag("Config")<Config, { readonly id: number }>() {}
class Db extends Context.Tag("Db")<Db, { readonly id: number; readonly config: { readonly id: number } }>() {}
class Api extends Context.Tag("Api")<Api, { readonly id: number; readonly db: { readonly id: number } }>() {}
class Plugin extends Context.Tag("Plugin")<Plugin, { readonly name: string; readonly id: number }>() {}
class Stamp extends Context.Tag("Stamp")<Stamp, { readonly id: number }>() {}
class Loop extends Context.Tag("Loop")<Loop, string>() {}
class Other extends Context.Tag("Other")<Other, string>() {}
class Keeper extends Context.Tag("Keeper")<Keeper, { readonly db: Effect.Effect<{ readonly id: number }, Errors.HandleError> }>() {}

/** Records builds and releases in order; each build gets the next number as its instance's id. */
const makeRecorder = () => {
  const events: Array<string> = []
  let next = 0
  return {
    events,
    /** a scoped constructor that records `build name` / `release name` */
    make: <A>(name: string, value: (id: number) => A) =>
      Effect.acquireRelease(
        Effect.sync(() => {
          events.push(`build ${name}`)
          return value(++next)
        }),
        () => Effect.sync(() => void events.push(`release ${name}`))
      ),
    count: (event: string) => events.filter((recorded) => recorded === event).length
  }
}
type Recorder = ReturnType<typeof makeRecorder>

const registryOf = (recorder: Recorder) =>
  Registry.make(
    Component.make(Config, { build: recorder.make("Config", (id) => ({ id })) }),
    Component.make(Db, { dependencies: [Config], build: Effect.flatMap(Config, (config) => recorder.make("Db", (id) => ({ id, config }))) }),
    Component.make(Api, { dependencies: [Db], build: Effect.flatMap(Db, (db) => recorder.make("Api", (id) => ({ id, db }))) }),
    Component.make(Plugin, { build: recorder.make("csv", (id) => ({ name: "csv", id })) }).pipe(Component.qualified(["csv"]), Component.order(1)),
    Component.make(Plugin, { build: recorder.make("json", (id) => ({ name: "json", id })) }).pipe(
      Component.qualified(["json"]),
      Component.named("jsonPlugin"),
      Component.order(2)
    ),
    Component.make(Stamp, { build: recorder.make("Stamp", (id) => ({ id })) }).pipe(Lifetime.transient)
  )

/**
 * A Db whose constructor, once its Config is given, says it `started`, then waits for `gate`: a build in
 * flight for as long as a test holds it. Its instance is recorded as `name` after the wait, or before it
 * (`recorded: "before"`: made, then held).
 */
const gatedDb = (recorder: Recorder, name: string, recorded: "before" | "after" = "after") =>
  Effect.gen(function*() {
    const gate = yield* Deferred.make<void>()
    const started = yield* Deferred.make<void>()
    const slowDb = Component.make(Db, {
      dependencies: [Config],
      build: Effect.gen(function*() {
        const config = yield* Config
        const made = recorder.make(name, (id) => ({ id, config }))
        const db = recorded === "before" ? yield* made : undefined
        yield* Deferred.succeed(started, undefined)
        yield* Deferred.await(gate)
        return db ?? (yield* made)
      })
    })
    return { gate, started, slowDb }
  })

/**
 * Config, Db (a disposer) and Api on Db, whose finalizer notes `releasing Api`, then waits for
 * `hold` before it notes `released Api`: a release that never ends for as long as a test holds it.
 */
/**
 * `hungApi` under App (release timeout 20 s), started in the caller's Scope: the running application,
 * its context, and `release`, which lets Api's finalizer end and the fibers it woke run.
 */
const startHungApp = (recorder: Recorder) =>
  Effect.gen(function*() {
    const hold = yield* Deferred.make<void>()
    const running = yield* App.start(App.make(hungApi(recorder, hold), { roots: [Container.Container, Api], releaseTimeout: "20 seconds" }))
    const release = Effect.gen(function*() {
      yield* Deferred.succeed(hold, undefined)
      for (let step = 0; step < 20; step++) yield* Effect.yieldNow()
    })
    return { running, context: running.context as Context.Context<Container.Container>, release }
  })

const hungApi = (recorder: Recorder, hold: Deferred.Deferred<void>) => {
  const note = (event: string) => Effect.sync(() => void recorder.events.push(event))
  return Registry.make(
    Component.make(Config, { build: recorder.make("Config", (id) => ({ id })) }),
    Component.make(Db, { dependencies: [Config], build: Effect.flatMap(Config, (config) => recorder.make("Db", (id) => ({ id, config }))) })
      .pipe(Lifecycle.disposer(() => note("dispose Db"))),
    Component.make(Api, {
      dependencies: [Db],
      build: Effect.flatMap(Db, (db) =>
        Effect.acquireRelease(
          Effect.sync(() => {
            recorder.events.push("build Api")
            return { id: 0, db }
          }),
          () => Effect.zipRight(note("releasing Api"), Effect.zipRight(Deferred.await(hold), note("released Api")))
        ))
    })
  )
}
/** The report of a stop, also of one that failed (`ApplicationFailed`). */
const reportOf = <E>(stop: Effect.Effect<Report.Report, E>) =>
  Effect.catchIf(stop, (error): error is E & Errors.ApplicationFailed => error instanceof Errors.ApplicationFailed, (failed) => Effect.succeed(failed.report))
/** A fiber's exit once it ended, after some turns: `undefined` while it runs. */
const endOf = <A, E>(fiber: Fiber.Fiber<A, E>) =>
  Effect.gen(function*() {
    for (let step = 0; step < 20; step++) yield* Effect.yieldNow()
    const polled = yield* Fiber.poll(fiber)
    return Option.getOrUndefined(polled)
  })

/** Runs `program` with the registry's Layer of `roots` (and the container), then closes it. */
const withContainer = <A, E>(
  registry: Registry.Registry<unknown>,
  roots: ReadonlyArray<Dependency.Any>,
  program: Effect.Effect<A, E, Container.Container>
) =>
  Effect.scoped(
    Effect.flatMap(Layer.build(Registry.toLayer(registry, [Container.Container, ...roots])), (context) =>
      Effect.provide(program, context as Context.Context<Container.Container>))
  )

describe("Container", () => {
  describe("lookups", () => {
    it.effect("a lookup of what the application built gives its instance and builds nothing", () =>
      Effect.gen(function*() {
        const recorder = makeRecorder()
        const [root, looked, again] = yield* withContainer(
          registryOf(recorder),
          [Db],
          Effect.all([Effect.flatMap(Container.Container, () => Container.get(Db)), Container.get(Db), Container.get(Config)])
        )
        expect(looked).toBe(root)
        expect(again).toBe(root.config)
        expect(recorder.events).toEqual(["build Config", "build Db", "release Db", "release Config"])
      }))

    it.effect("a lookup builds what is missing once, sharing what the application built, and releases it first", () =>
      Effect.gen(function*() {
        const recorder = makeRecorder()
        const [first, second] = yield* withContainer(registryOf(recorder), [Db], Effect.all([Container.get(Api), Container.get(Api)]))
        expect(second).toBe(first)
        expect(first.db.id).toBe(2)
        expect(recorder.events).toEqual(["build Config", "build Db", "build Api", "release Api", "release Db", "release Config"])
      }))

    it.effect("qualified, named, optional and all lookups are typed by their request and share instances", () =>
      Effect.gen(function*() {
        const recorder = makeRecorder()
        const result = yield* withContainer(
          registryOf(recorder),
          [],
          Effect.gen(function*() {
            const csv: { readonly name: string } = yield* Container.get(Dependency.qualified(Plugin, "csv"))
            const json = yield* Container.get(Dependency.named(Plugin, "jsonPlugin"))
            const every: ReadonlyArray<{ readonly name: string }> = yield* Container.get(Dependency.all(Plugin))
            const none: Option.Option<unknown> = yield* Container.get(Dependency.optional(Other))
            return { csv, json, every, none }
          })
        )
        expect(result.every).toEqual([result.csv, result.json])
        expect(result.every[0]).toBe(result.csv)
        expect(result.every[1]).toBe(result.json)
        expect(result.none).toEqual(Option.none())
        expect(recorder.count("build csv")).toBe(1)
        expect(recorder.count("build json")).toBe(1)
        expect(recorder.count("release csv") + recorder.count("release json")).toBe(2)
      }))

    it.effect("a lookup of a component the plan left out reads the options it requests, which the plan did not read", () =>
      Effect.gen(function*() {
        class Pool extends Context.Tag("test/lookups/Pool")<Pool, { readonly size: number; readonly url: string }>() {}
        const PoolOptions = Options.make("pool", {
          size: Schema.optionalWith(Schema.NumberFromString, { default: () => 3 }),
          url: Schema.String
        })
        const registry = Registry.make(Component.make(Pool, { dependencies: [PoolOptions], build: PoolOptions }))
        const pool = yield* withContainer(registry, [], Container.get(Pool)).pipe(
          Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["pool.url", "postgres://lookup"]])))
        )
        expect(pool).toEqual({ size: 3, url: "postgres://lookup" })
      }))

    it.effect("a lookup whose options cannot be read fails with InvalidOptions, naming the option and who needs it", () =>
      Effect.gen(function*() {
        class Pool extends Context.Tag("test/lookups/Pool")<Pool, { readonly size: number }>() {}
        const PoolOptions = Options.make("pool", { size: Schema.NumberFromString })
        const registry = Registry.make(Component.make(Pool, { dependencies: [PoolOptions], build: PoolOptions }))
        const error = yield* Effect.scoped(
          Effect.flatMap(Layer.build(Registry.toLayer(registry, [Container.Container])), (context) =>
            Effect.flip(Container.getFrom(Context.get(context, Container.Container), Pool)))
        ).pipe(Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["pool.size", "many"]]))))
        expect(error._tag).toBe("InvalidOptions")
        expect(error.message).toContain("Pool")
        expect(error.message).toContain("--pool-size")
      }))

    it.effect("concurrent first lookups of a component read the options it requests once, and share its instance", () =>
      Effect.gen(function*() {
        // Regression: each lookup read them, the second overwriting what the first had read
        class Pool extends Context.Tag("test/lookups/Pool")<Pool, { readonly url: string }>() {}
        const PoolOptions = Options.make("pool", { url: Schema.String })
        const given = ConfigProvider.fromMap(new Map([["pool.url", "postgres://lookup"]]))
        let loads = 0
        // each load lets the other lookup run
        const counting = ConfigProvider.make({
          load: (config) => Effect.zipRight(Effect.sync(() => loads++), Effect.zipRight(Effect.yieldNow(), given.load(config))),
          flattened: given.flattened
        })
        const registry = Registry.make(Component.make(Pool, { dependencies: [PoolOptions], build: Effect.map(PoolOptions, ({ url }) => ({ url })) }))
        const [first, second] = yield* withContainer(registry, [], Effect.all([Container.get(Pool), Container.get(Pool)], { concurrency: 2 })).pipe(
          Effect.withConfigProvider(counting)
        )
        expect([loads, first, first === second]).toEqual([1, { url: "postgres://lookup" }, true])
      }))

    it.effect("a lookup whose options could not be read, or whose reading was interrupted, reads them again at the next lookup", () =>
      Effect.gen(function*() {
        class Pool extends Context.Tag("test/lookups/Pool")<Pool, { readonly url: string }>() {}
        const PoolOptions = Options.make("pool", { url: Schema.String })
        const registry = Registry.make(Component.make(Pool, { dependencies: [PoolOptions], build: PoolOptions }))
        const given = ConfigProvider.fromMap(new Map([["pool.url", "postgres://lookup"]]))
        const reading = yield* Deferred.make<void>()
        const blocked = ConfigProvider.make({ load: () => Effect.zipRight(Deferred.succeed(reading, undefined), Effect.never), flattened: given.flattened })
        const outcomes = yield* withContainer(registry, [], Effect.gen(function*() {
          const missing = yield* Effect.flip(Effect.withConfigProvider(Container.get(Pool), ConfigProvider.fromMap(new Map())))
          const interrupted = yield* Effect.fork(Effect.withConfigProvider(Container.get(Pool), blocked))
          yield* Deferred.await(reading)
          yield* Fiber.interrupt(interrupted)
          return [missing._tag, yield* Effect.withConfigProvider(Container.get(Pool), given)] as const
        }))
        expect(outcomes).toEqual(["InvalidOptions", { url: "postgres://lookup" }])
      }))

    it.effect("a lookup of options themselves reads them", () =>
      Effect.gen(function*() {
        const PoolOptions = Options.make("pool", { url: Schema.String })
        const options = yield* withContainer(Registry.make(), [], Container.get(PoolOptions)).pipe(
          Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["pool.url", "postgres://options"]])))
        )
        expect(options).toEqual({ url: "postgres://options" })
      }))

    it.effect("a lookup reads the options of what it builds only: not those the plan read, nor those of what an earlier lookup built", () =>
      Effect.gen(function*() {
        // the second lookup's provider has report.format alone: Db (the startup's) and Pool (the first
        // lookup's) are delegated, their options not read again
        class Db extends Context.Tag("test/lookups/Db")<Db, { readonly url: string }>() {}
        class Pool extends Context.Tag("test/lookups/Pool")<Pool, { readonly url: string; readonly db: string }>() {}
        class Report extends Context.Tag("test/lookups/Report")<Report, { readonly pool: string; readonly format: string }>() {}
        const DbOptions = Options.make("db", { url: Schema.String })
        const PoolOptions = Options.make("pool", { url: Schema.String })
        const ReportOptions = Options.make("report", { format: Schema.String })
        const registry = Registry.make(
          Component.make(Db, { dependencies: [DbOptions], build: DbOptions }),
          Component.make(Pool, { dependencies: [Db, PoolOptions], build: Effect.map(Effect.all([Db, PoolOptions]), ([db, pool]) => ({ url: pool.url, db: db.url })) }),
          Component.make(Report, {
            dependencies: [Pool, ReportOptions],
            build: Effect.map(Effect.all([Pool, ReportOptions]), ([pool, report]) => ({ pool: pool.url, format: report.format }))
          })
        )
        const provider = (entries: ReadonlyArray<readonly [string, string]>) => ConfigProvider.fromMap(new Map(entries))
        const report = yield* withContainer(
          registry,
          [Db],
          Effect.zipRight(
            Effect.withConfigProvider(Container.get(Pool), provider([["pool.url", "pool://first"]])),
            Effect.withConfigProvider(Container.get(Report), provider([["report.format", "csv"]]))
          )
        ).pipe(Effect.withConfigProvider(provider([["db.url", "db://startup"]])))
        expect(report).toEqual({ pool: "pool://first", format: "csv" })
      }))

    it.effect("a constructor that looks up App.Health, App.Shutdowner or App.Application under App gets the application's own, though no component requests them; a child's lookup too; outside an App it fails saying only an App provides it", () =>
      Effect.gen(function*() {
        class Probe extends Context.Tag("Probe")<Probe, string>() {}
        const looking = Component.make(Probe, {
          dependencies: [Container.Container],
          build: Effect.gen(function*() {
            const health = yield* Container.get(App.Health)
            const application = yield* Container.get(App.Application)
            const report = yield* health.check
            return `healthy ${report.healthy}, state ${yield* application.state}`
          })
        })
        const registry = Registry.make(Component.succeed(Config, { id: 1 }), looking)
        const report = yield* Effect.scoped(Effect.gen(function*() {
          const running = yield* App.start(App.make(registry, { roots: [Probe, Container.Container], startupLog: false }))
          expect(Context.get(running.context as Context.Context<Probe>, Probe)).toBe("healthy true, state building")
          expect(running.plan.nodes.map((node) => node.name)).toEqual(["Probe"])
          const context = running.context as Context.Context<Container.Container>
          const tenant = yield* Container.child("tenant", [Component.succeed(Config, { id: 2 })]).pipe(Effect.provide(context))
          const shutdowner = yield* Container.getFrom(tenant, App.Shutdowner)
          yield* shutdowner.shutdown("looked up")
          yield* App.awaitShutdown(running)
          return yield* App.stop(running)
        }))
        expect(report.shutdownReason).toBe("looked up")
        const outside = yield* Effect.exit(Effect.scoped(Layer.build(Registry.toLayer(registry, [Probe]))))
        expect(Exit.isFailure(outside) && Cause.pretty(outside.cause)).toContain("no component provides layerwise/App/Health (available: Config, Probe); App.Health is provided by every App made from a registry")
      }))

    it.effect("a lookup in a container already released fails with ContainerClosed and builds nothing", () =>
      Effect.gen(function*() {
        // Regression: a released container no lookup had used built the instance, which nothing released
        const recorder = makeRecorder()
        const container = yield* withContainer(registryOf(recorder), [], Container.Container)
        expect(yield* Effect.flip(Container.getFrom(container, Config))).toEqual(new Errors.ContainerClosed({ container: [], operation: "get" }))
        expect(yield* Effect.flip(Effect.scoped(Container.child("late", []).pipe(Effect.provideService(Container.Container, container)))))
          .toEqual(new Errors.ContainerClosed({ container: [], operation: "child" }))
        expect(recorder.events).toEqual([])
      }))

    it.effect("a transient is built for every lookup and released with the container", () =>
      Effect.gen(function*() {
        const recorder = makeRecorder()
        const [first, second] = yield* withContainer(registryOf(recorder), [], Effect.all([Container.get(Stamp), Container.get(Stamp)]))
        expect(first).not.toBe(second)
        expect(recorder.events).toEqual(["build Stamp", "build Stamp", "release Stamp", "release Stamp"])
      }))

    it.effect("a transient built by a lookup gets its dependencies' instances, built by the application or not (an alias too)", () =>
      Effect.gen(function*() {
        const recorder = makeRecorder()
        class Reader extends Context.Tag("Reader")<Reader, { readonly db: { readonly id: number } }>() {}
        class Settings extends Context.Tag("Settings")<Settings, { readonly id: number }>() {}
        const registry = registryOf(recorder).pipe(Registry.add([
          Component.make(Reader, { dependencies: [Db], build: Effect.map(Db, (db) => ({ db })) }).pipe(Lifetime.transient),
          Component.alias(Settings, Config)
        ]))
        const read = Effect.all([Container.get(Reader), Container.get(Db), Container.get(Settings), Container.get(Config)])
        // Db not built by the application (the lookup builds it), then built by it
        for (const roots of [[], [Db]]) {
          const [reader, db, settings, config] = yield* withContainer(registry, roots, read)
          expect(reader.db).toBe(db)
          expect(settings).toBe(config)
        }
      }))

    it.effect("a lookup whose constructor failed keeps nothing: the next lookup builds again, and its instance is kept", () =>
      Effect.gen(function*() {
        let attempts = 0
        class Flaky extends Context.Tag("Flaky")<Flaky, { readonly attempt: number }>() {}
        const registry = Registry.make(
          Component.make(Flaky, { build: Effect.suspend(() => ++attempts === 1 ? Effect.fail("down") : Effect.succeed({ attempt: attempts })) })
        )
        const [first, second, third] = yield* withContainer(
          registry,
          [],
          Effect.all([Effect.flip(Container.get(Flaky)), Container.get(Flaky), Container.get(Flaky)])
        )
        expect(first).toMatchObject({ _tag: "ConstructionError", component: "Flaky", cause: "down" })
        expect(second).toEqual({ attempt: 2 })
        expect(third).toBe(second)
        expect(attempts).toBe(2)
      }))

    it.effect("a request that does not resolve fails with the startup's ResolutionError, with its path", () =>
      Effect.gen(function*() {
        const recorder = makeRecorder()
        class Needy extends Context.Tag("Needy")<Needy, string>() {}
        const registry = registryOf(recorder).pipe(
          Registry.add([Component.make(Needy, { dependencies: [Other], build: Effect.succeed("needy") })])
        )
        const error = yield* withContainer(registry, [], Effect.flip(Container.get(Needy)))
        expect(error._tag).toBe("ResolutionError")
        expect(error.message).toBe(
          "1 problem resolving the graph:\n" +
            "  - Needy -> Other: no component provides Other (available: Api, Config, Db, Needy, Plugin, Stamp); register one, or declare it external if the program provides it"
        )
        const unknown = yield* withContainer(registry, [], Effect.flip(Container.get(Dependency.qualified(Plugin, "xml"))))
        expect(unknown._tag).toBe("ResolutionError")
        expect(recorder.events).toEqual([])
      }))

    it.effect("a lookup whose name or qualifier misses lists the service's candidates, not every service; a service without candidates lists them", () =>
      Effect.gen(function*() {
        const registry = registryOf(makeRecorder())
        const problemsOf = (request: Dependency.Any) =>
          Effect.map(
            withContainer(registry, [], Effect.flip(Container.get(request))),
            (error) => error._tag === "ResolutionError" ? error.problems.map((problem) => problem.message) : [error.message]
          )
        expect(yield* problemsOf(Dependency.named(Plugin, "xmlPlugin"))).toEqual([
          "Plugin#xmlPlugin: no component provides Plugin#xmlPlugin; candidates that do not match it: jsonPlugin (json), Plugin (csv); did you mean Plugin?"
        ])
        expect(yield* problemsOf(Dependency.qualified(Plugin, "xml"))).toEqual([
          "Plugin@xml: no component provides Plugin@xml; candidates that do not match it: jsonPlugin (json), Plugin (csv)"
        ])
        expect(yield* problemsOf(Other)).toEqual([
          "Other: no component provides Other (available: Api, Config, Db, Plugin, Stamp); register one, or declare it external if the program provides it"
        ])
      }))

    it.effect("a constructor that looks up itself, directly or through another, fails with CircularLookup", () =>
      Effect.gen(function*() {
        const registry = Registry.make(
          Component.make(Loop, { dependencies: [Container.Container], build: Effect.as(Container.get(Loop), "loop") }),
          Component.make(Other, { dependencies: [Container.Container], build: Effect.as(Container.get(Api), "other") }),
          Component.make(Api, {
            dependencies: [Container.Container],
            build: Effect.as(Container.get(Other), { id: 0, db: { id: 0 } })
          })
        )
        const direct = yield* withContainer(registry, [], Effect.flip(Container.get(Loop)))
        expect(direct).toBeInstanceOf(Errors.ConstructionError)
        expect((direct as Errors.ConstructionError).cause).toEqual(new Errors.CircularLookup({ path: ["Loop", "Loop"] }))
        const through = yield* withContainer(registry, [], Effect.flip(Container.get(Other)))
        const inner = ((through as Errors.ConstructionError).cause as Errors.ConstructionError).cause
        expect(inner).toEqual(new Errors.CircularLookup({ path: ["Other", "Api", "Other"] }))
      }))

    it.effect("a lookup cycle's path names the components built between the lookups, as the construction's path does", () =>
      Effect.gen(function*() {
        class Repo extends Context.Tag("app/Repo")<Repo, string>() {}
        class Store extends Context.Tag("app/Store")<Store, string>() {}
        const registry = Registry.make(
          Component.make(Api, { dependencies: [Repo], build: Effect.succeed({ id: 0, db: { id: 0 } }) }),
          Component.make(Repo, { dependencies: [Store], build: Effect.succeed("repo") }),
          Component.make(Store, { dependencies: [Container.Container], build: Effect.as(Container.get(Api), "store") })
        )
        const error = (yield* withContainer(registry, [], Effect.flip(Container.get(Api)))) as Errors.ConstructionError
        // field by field: toEqual of two ConstructionErrors does not tell their causes' paths apart
        expect([error._tag, error.component, error.path]).toEqual(["ConstructionError", "app/Store", ["Api", "app/Repo", "app/Store"]])
        expect(error.cause).toEqual(new Errors.CircularLookup({ path: ["Api", "app/Repo", "app/Store", "Api"] }))
      }))

    it.effect("a cycle through two lookups names the components each lookup built, up to the constructor that looked up the next", () =>
      Effect.gen(function*() {
        class Gateway extends Context.Tag("Gateway")<Gateway, string>() {}
        class Front extends Context.Tag("Front")<Front, string>() {}
        class Repo extends Context.Tag("Repo")<Repo, string>() {}
        const registry = Registry.make(
          Component.make(Gateway, { dependencies: [Front], build: Effect.succeed("gateway") }),
          Component.make(Front, { dependencies: [Container.Container], build: Effect.as(Container.get(Api), "front") }),
          Component.make(Api, { dependencies: [Repo], build: Effect.succeed({ id: 0, db: { id: 0 } }) }),
          Component.make(Repo, { dependencies: [Container.Container], build: Effect.as(Container.get(Gateway), "repo") })
        )
        const error = (yield* withContainer(registry, [], Effect.flip(Container.get(Gateway)))) as Errors.ConstructionError<Errors.ConstructionError>
        expect([error.component, error.path, error.cause.component, error.cause.path]).toEqual(["Front", ["Gateway", "Front"], "Repo", ["Api", "Repo"]])
        expect(error.cause.cause).toEqual(new Errors.CircularLookup({ path: ["Gateway", "Front", "Api", "Repo", "Gateway"] }))
        expect(error.cause.cause).toHaveProperty(
          "message",
          "Gateway -> Front -> Api -> Repo -> Gateway: a run-time lookup closes a cycle (a constructor looks up what is being built for it)"
        )
      }))

    describe("during the graph's build", () => {
      class Early extends Context.Tag("Early")<Early, { readonly got: unknown }>() {}
      class Late extends Context.Tag("Late")<Late, { readonly name: string }>() {}
      class Outside extends Context.Tag("Outside")<Outside, { readonly late: unknown }>() {}
      const LateLive = (recorder: Recorder) => Component.make(Late, { build: recorder.make("Late", () => ({ name: "late" })) })
      const looksUp = <I, S>(recorder: Recorder, tag: Context.Tag<I, S>) =>
        Component.make(Early, {
          dependencies: [Container.Container],
          build: Effect.flatMap(Container.get(tag), (got) => recorder.make("Early", () => ({ got })))
        })

      it.effect("a constructor's lookup of a singleton the graph builds after it waits for that build, at any concurrency", () =>
        Effect.gen(function*() {
          // Regression: the lookup read the build's value before it was made and gave undefined ({ got: undefined })
          for (const concurrency of ["unbounded", 1] as const) {
            const recorder = makeRecorder()
            const registry = Registry.make(looksUp(recorder, Late), LateLive(recorder))
            const early = yield* Effect.scoped(Effect.flatMap(
              Layer.build(Registry.toLayer(registry, [Early, Late], { concurrency })),
              (context) => Effect.succeed(Context.get(context as Context.Context<Early>, Early))
            ))
            expect(early.got).toEqual({ name: "late" })
            // built once, before the constructor that waited for it went on; each released once
            expect(recorder.events.slice(0, 2)).toEqual(["build Late", "build Early"])
            expect([recorder.count("release Late"), recorder.count("release Early")]).toEqual([1, 1])
          }
        }))

      it.effect("a lookup's component that depends on a singleton the graph has not built yet gets it built", () =>
        Effect.gen(function*() {
          // Regression: Outside was built with late: undefined
          const recorder = makeRecorder()
          const registry = Registry.make(
            looksUp(recorder, Outside),
            Component.make(Outside, { dependencies: [Late], build: Effect.map(Late, (late) => ({ late })) }),
            LateLive(recorder)
          )
          const early = yield* Effect.scoped(Effect.flatMap(
            Layer.build(Registry.toLayer(registry, [Early, Late])),
            (context) => Effect.succeed(Context.get(context as Context.Context<Early>, Early))
          ))
          expect(early.got).toEqual({ late: { name: "late" } })
        }))

      it.effect("under concurrency 1, a constructor's lookup of one whose constructor waits for a lookup of its own waits too: no cycle, no CircularLookup", () =>
        Effect.gen(function*() {
          // Regression: the spare worker lent for Early's wait was forked from Early's constructor and
          // carried its lookup in progress: Middle's lookup of Early, run on that worker, was taken for
          // one made from Early's constructor (CircularLookup 'Early -> Late -> Early')
          class Middle extends Context.Tag("Middle")<Middle, { readonly got: unknown }>() {}
          const recorder = makeRecorder()
          const registry = Registry.make(
            looksUp(recorder, Late),
            Component.make(Middle, {
              dependencies: [Container.Container],
              build: Effect.flatMap(Container.get(Early), (got) => recorder.make("Middle", () => ({ got })))
            }),
            LateLive(recorder)
          )
          const [early, middle] = yield* Effect.scoped(Effect.flatMap(
            Layer.build(Registry.toLayer(registry, [Early, Middle, Late], { concurrency: 1 })),
            (context) => Effect.succeed([Context.get(context as Context.Context<Early>, Early), Context.get(context as Context.Context<Middle>, Middle)] as const)
          ))
          expect(early.got).toEqual({ name: "late" })
          expect(middle.got).toBe(early)
          expect(recorder.events).toEqual(["build Late", "build Early", "build Middle", "release Middle", "release Early", "release Late"])
        }))

      it.effect("under concurrency 1, a constructor whose wait for a lookup ended runs alone: the worker that built what it waited for takes nothing more meanwhile", () =>
        Effect.gen(function*() {
          // Regression: the place the waiting constructor lent was taken back only as it resumed, so
          // the worker that built Late went on to Other first: 'Early begins, Late built, Other begins,
          // Early ends, Other ends', two constructors at once under concurrency 1
          const events: Array<string> = []
          const recorded = (name: string, work: Effect.Effect<void, Errors.LookupError, Container.Container>) =>
            Effect.gen(function*() {
              events.push(`${name} begins`)
              yield* work
              for (let step = 0; step < 3; step++) yield* Effect.yieldNow()
              events.push(`${name} ends`)
              return name
            })
          class Late extends Context.Tag("Late")<Late, string>() {}
          const registry = Registry.make(
            Component.make(Loop, { dependencies: [Container.Container], build: recorded("Early", Effect.asVoid(Container.get(Late))) }),
            Component.make(Late, { build: Effect.sync(() => void events.push("Late built")).pipe(Effect.as("late")) }),
            Component.make(Other, { dependencies: [Container.Container], build: recorded("Other", Effect.void) })
          )
          yield* Effect.scoped(Layer.build(Registry.toLayer(registry, [Loop, Late, Other], { concurrency: 1 })))
          expect(events).toEqual(["Early begins", "Late built", "Early ends", "Other begins", "Other ends"])
        }))

      it.effect("a lookup that waits in an uninterruptible region (an acquire) of a build that failed meanwhile ends with ContainerClosed: the build fails, nothing hangs", () =>
        Effect.gen(function*() {
          class Late extends Context.Tag("Late")<Late, string>() {}
          class Failing extends Context.Tag("Failing")<Failing, string>() {}
          const registry = Registry.make(
            Component.make(Loop, {
              dependencies: [Container.Container],
              build: Effect.acquireRelease(Container.get(Late), () => Effect.void)
            }),
            Component.make(Late, { build: Effect.never }),
            Component.make(Failing, { build: Effect.zipRight(Effect.yieldNow(), Effect.fail("no")) })
          )
          // Regression: the build never ended: its end woke the waits only once its workers ended, and
          // closing them waited for Loop's worker, uninterruptible in its wait
          const fiber = yield* Effect.forkDaemon(Effect.scoped(Layer.build(Registry.toLayer(registry, [Loop, Late, Failing]))))
          for (let step = 0; step < 50; step++) yield* Effect.yieldNow()
          const exit = Option.getOrUndefined(yield* Fiber.poll(fiber))
          const error = exit !== undefined && Exit.isFailure(exit) ? Cause.squash(exit.cause) as Errors.ConstructionError : undefined
          expect([error?.component, error?.cause]).toEqual(["Failing", "no"])
        }))

      it.effect("a constructor that looked up a singleton the graph began to build after it is released before that singleton, waited for or not: its finalizer still has it", () =>
        Effect.gen(function*() {
          // Regression: node scopes were released last made first, made as constructors start, so Late
          // (begun after Early) was released first ('release Late, release Early') and Early's
          // finalizer used a released Late
          class Late extends Context.Tag("Late")<Late, { released: boolean }>() {}
          for (const waited of [true, false]) {
            const events: Array<string> = []
            const registry = Registry.make(
              Component.make(Early, {
                dependencies: [Container.Container],
                build: Effect.gen(function*() {
                  // not waited for: Late, begun after Early, is built while Early yields
                  if (!waited) for (let step = 0; step < 3; step++) yield* Effect.yieldNow()
                  const late = yield* Container.get(Late)
                  yield* Effect.addFinalizer(() => Effect.sync(() => void events.push(`release Early, Late released: ${late.released}`)))
                  return { got: late }
                })
              }),
              Component.make(Late, {
                build: Effect.acquireRelease(Effect.sync(() => ({ released: false })), (late) =>
                  Effect.sync(() => {
                    late.released = true
                    events.push("release Late")
                  }))
              })
            )
            yield* Effect.scoped(Layer.build(Registry.toLayer(registry, [Early, Late])))
            expect(events).toEqual(["release Early, Late released: false", "release Late"])
          }
        }))

      it.effect("a constructor's lookup of what the graph builds with it fails with CircularLookup, as the resolution error's advice does", () =>
        Effect.gen(function*() {
          // Regression: following 'look one up at run time with Container.get' in the constructor gave undefined
          const registry = Registry.make(
            Component.make(Api, { dependencies: [Other], build: Effect.succeed({ id: 0, db: { id: 0 } }) }),
            Component.make(Other, { dependencies: [Container.Container], build: Effect.as(Container.get(Api), "other") })
          )
          const error = (yield* Effect.flip(Effect.scoped(Layer.build(Registry.toLayer(registry, [Api]))))) as Errors.ConstructionError
          expect([error._tag, error.component, error.path]).toEqual(["ConstructionError", "Other", ["Api", "Other"]])
          expect(error.cause).toEqual(new Errors.CircularLookup({ path: ["Api", "Other", "Api"] }))
        }))

      it.effect("under App, a startup component's lookup of one of a higher order, built after it, fails with CircularLookup; of a lower order, gets it", () =>
        Effect.gen(function*() {
          const registry = (orderOfOther: number) =>
            Registry.make(
              Component.make(Loop, { dependencies: [Container.Container], build: Container.get(Other) }).pipe(Lifecycle.startup(10)),
              Component.make(Other, { build: Effect.succeed("other") }).pipe(Lifecycle.startup(orderOfOther))
            )
          const started = (orderOfOther: number) =>
            Effect.scoped(Effect.flatMap(App.start(App.make(registry(orderOfOther), { roots: [Loop] })), (running) => Effect.provide(Loop, running.context)))
          expect(yield* started(5)).toBe("other")
          const failed = (yield* Effect.flip(started(20))) as Errors.ApplicationFailed
          const error = failed.errors[0] as Errors.ConstructionError
          expect([error.component, error.cause]).toEqual(["Loop", new Errors.CircularLookup({ path: ["Other", "Loop", "Other"] })])
        }))

      it.effect("two constructors of the graph that look each other up fail with CircularLookup instead of waiting for each other", () =>
        Effect.gen(function*() {
          const registry = Registry.make(
            Component.make(Loop, { dependencies: [Container.Container], build: Effect.as(Container.get(Other), "loop") }),
            Component.make(Other, {
              dependencies: [Container.Container],
              build: Effect.zipRight(Effect.yieldNow(), Effect.as(Container.get(Loop), "other"))
            })
          )
          for (const concurrency of ["unbounded", 1] as const) {
            const error = (yield* Effect.flip(Effect.scoped(Layer.build(Registry.toLayer(registry, [Loop, Other], { concurrency }))))) as Errors.ConstructionError
            expect([error._tag, error.component]).toEqual(["ConstructionError", "Other"])
            expect(error.cause).toEqual(new Errors.CircularLookup({ path: ["Loop", "Other", "Loop"] }))
          }
        }))
      describe("at random", () => {
        /**
         * singletons T0..Tn-1, all roots, each on some earlier ones (the plan's requests) whose
         * constructor also looks up some of them at run time (any, itself included: built already, not
         * yet, or closing a cycle), where it can be interrupted or not, and may use what it looked up in
         * its finalizer; under a plain Layer
         * or App (random startup orders); at a random concurrency; one constructor failing or hanging;
         * the build interrupted after some steps
         */
        interface Scenario {
          readonly dependencies: ReadonlyArray<ReadonlyArray<number>>
          readonly lookups: ReadonlyArray<ReadonlyArray<number>>
          readonly usedAtRelease: ReadonlyArray<boolean>
          /** per node: its lookups run where they cannot be interrupted (an acquire) */
          readonly uninterruptible: ReadonlyArray<boolean>
          readonly yields: ReadonlyArray<number>
          readonly concurrency: 1 | 2 | "unbounded"
          readonly app: boolean
          readonly startup: ReadonlyArray<number | undefined>
          readonly fault: { readonly node: number; readonly kind: "none" | "fail" | "hang" }
          readonly interruptAfter: number | undefined
        }
        const scenarios: fc.Arbitrary<Scenario> = fc.integer({ min: 1, max: 6 }).chain((size) => {
          const perNode = <A>(arbitrary: fc.Arbitrary<A>) => fc.array(arbitrary, { minLength: size, maxLength: size })
          return fc.record({
            dependencies: fc.tuple(...Array.from({ length: size }, (_, index) => fc.subarray(Array.from({ length: index }, (_, earlier) => earlier)))),
            lookups: perNode(fc.array(fc.nat({ max: size - 1 }), { maxLength: 2 })),
            usedAtRelease: perNode(fc.boolean()),
            uninterruptible: perNode(fc.boolean()),
            yields: perNode(fc.nat({ max: 2 })),
            concurrency: fc.constantFrom<Scenario["concurrency"]>(1, 2, "unbounded"),
            app: fc.boolean(),
            startup: perNode(fc.option(fc.nat({ max: 2 }), { nil: undefined })),
            fault: fc.record({ node: fc.nat({ max: size - 1 }), kind: fc.constantFrom<Scenario["fault"]["kind"]>("none", "none", "fail", "hang") }),
            interruptAfter: fc.option(fc.nat({ max: 12 }), { nil: undefined })
          }).map((input) =>
            // a constructor that never ends holds the build: it is interrupted
            input.fault.kind === "hang" && input.interruptAfter === undefined ? { ...input, interruptAfter: 12 } : input
          )
        })

        /** Whether the constructors would wait for one another for ever: a cycle through what each needs before it ends (computed here, not by the container). */
        const hasCycle = ({ app, dependencies, lookups, startup }: Scenario): boolean => {
          const size = dependencies.length
          // App's startup orders: a node's rank is the lowest order of itself and what depends on it (a startup component's)
          const rank = Array.from({ length: size }, (_, id) => (app ? startup[id] ?? Infinity : Infinity))
          for (let id = size - 1; id >= 0; id--) for (const needed of dependencies[id]!) rank[needed] = Math.min(rank[needed]!, rank[id]!)
          const needs = (id: number): ReadonlyArray<number> => [
            ...dependencies[id]!,
            ...lookups[id]!,
            ...(rank[id] === Infinity ? [] : rank.flatMap((other, node) => (other < rank[id]! ? [node] : [])))
          ]
          const state = new Array<0 | 1 | 2>(size).fill(0)
          const visit = (id: number): boolean => {
            if (state[id] === 1) return true
            if (state[id] === 2) return false
            state[id] = 1
            if (needs(id).some(visit)) return true
            state[id] = 2
            return false
          }
          return dependencies.some((_, id) => visit(id))
        }

        /** The tags of the errors in a failure: its causes and an ApplicationFailed's errors, innermost ones. */
        const leavesOf = (error: unknown): ReadonlyArray<string> => {
          const tagged = error as { readonly _tag?: string; readonly cause?: unknown; readonly errors?: ReadonlyArray<unknown> }
          if (tagged._tag === "ApplicationFailed") return (tagged.errors ?? []).flatMap(leavesOf)
          if (tagged._tag === "ConstructionError" && typeof tagged.cause === "object" && tagged.cause !== null && "_tag" in tagged.cause) return leavesOf(tagged.cause)
          return [tagged._tag ?? String(error)]
        }

        class Boom extends Schema.TaggedError<Boom>()("Boom", {}) {}

        it.effect.prop(
          "no lookup gets a value not built yet, every wait ends, CircularLookup exactly when the constructors need one another in a cycle, at most `concurrency` constructors run, every instance released once after what needs it",
          [scenarios],
          ([input]) =>
            Effect.gen(function*() {
              const { app, concurrency, dependencies, fault, interruptAfter, lookups, usedAtRelease, yields } = input
              interface Built { readonly name: string; released: number; readonly dependents: Array<Built> }
              const size = dependencies.length
              const instances: Array<Built | undefined> = new Array(size).fill(undefined)
              const problems: Array<string> = []
              let running = 0
              let mostRunning = 0
              const run = (delta: number) => {
                running += delta
                mostRunning = Math.max(mostRunning, running)
              }
              const tags = dependencies.map((_, index) => Context.GenericTag<Built>(`T${index}`))
              const registry = Registry.make(...dependencies.map((needs, index) => {
                const component = Component.make(tags[index]!, {
                  dependencies: [Container.Container, ...needs.map((need) => tags[need]!)],
                  build: Effect.suspend(() => {
                    let counted = true
                    run(1)
                    return Effect.gen(function*() {
                      const got: Array<Built> = []
                      for (const need of needs) got.push(yield* tags[need]!)
                      for (let step = 0; step < yields[index]!; step++) yield* Effect.yieldNow()
                      const looked: Array<Built> = []
                      for (const target of lookups[index]!) {
                        // waiting is not running
                        run(-1)
                        counted = false
                        const instance = yield* (input.uninterruptible[index] ? Effect.uninterruptible(Container.get(tags[target]!)) : Container.get(tags[target]!))
                        run(1)
                        counted = true
                        if (instance === undefined || instance !== instances[target]) problems.push(`T${index}'s lookup of T${target} got ${JSON.stringify(instance)}, not its instance`)
                        else if (instance.released > 0) problems.push(`T${index}'s lookup of T${target} got it released`)
                        looked.push(instance)
                      }
                      if (fault.node === index && fault.kind === "fail") return yield* new Boom()
                      if (fault.node === index && fault.kind === "hang") return yield* Effect.never
                      const instance: Built = { name: `T${index}`, released: 0, dependents: [] }
                      for (const dependency of got) dependency.dependents.push(instance)
                      yield* Effect.addFinalizer(() =>
                        Effect.sync(() => {
                          instance.released++
                          for (const dependent of instance.dependents) if (dependent.released === 0) problems.push(`T${index} released before its dependent ${dependent.name}`)
                          if (usedAtRelease[index]) for (const used of looked) if (used.released > 0) problems.push(`T${index}'s finalizer used ${used.name} it looked up, released`)
                        })
                      )
                      instances[index] = instance
                      return instance
                    }).pipe(Effect.ensuring(Effect.sync(() => counted && run(-1))))
                  })
                })
                const order = input.startup[index]
                return app && order !== undefined ? component.pipe(Lifecycle.startup(order)) : component
              }))
              const roots = [Container.Container, ...tags]
              const checkContext = (context: Context.Context<never>) =>
                Effect.sync(() => {
                  tags.forEach((tag, index) => {
                    if (Context.unsafeGet(context, tag) !== instances[index]) problems.push(`the graph's T${index} is not the instance built`)
                  })
                })
              const build: Effect.Effect<void, unknown> = app
                ? Effect.scoped(Effect.flatMap(App.start(App.make(registry, { roots, concurrency })), (running) => checkContext(running.context as Context.Context<never>)))
                : Effect.scoped(Effect.flatMap(Layer.build(Registry.toLayer(registry, roots, { concurrency })), checkContext))
              const fiber = yield* Effect.forkDaemon(build)
              if (interruptAfter !== undefined) {
                for (let step = 0; step < interruptAfter; step++) yield* Effect.yieldNow()
                yield* Effect.fork(Fiber.interrupt(fiber))
              }
              for (let step = 0; step < 100; step++) yield* Effect.yieldNow()
              yield* TestClock.adjust("1 minute")
              const exit = yield* Fiber.poll(fiber)
              if (Option.isNone(exit)) {
                problems.push("the build never ended")
              } else {
                const cycle = hasCycle(input)
                const failures = Exit.isFailure(exit.value) ? [...Cause.failures(exit.value.cause)].flatMap(leavesOf) : []
                const defects = Exit.isFailure(exit.value) ? [...Cause.defects(exit.value.cause)] : []
                if (defects.length > 0) problems.push(`defects: ${defects.map(String).join(", ")}`)
                const interrupted = Exit.isFailure(exit.value) && Cause.isInterruptedOnly(exit.value.cause)
                if (failures.includes("CircularLookup") && !cycle) problems.push(`CircularLookup without a cycle: ${failures.join(", ")}`)
                if (fault.kind === "none" && interruptAfter === undefined) {
                  const expected = cycle ? "a CircularLookup" : "success"
                  const got = Exit.isSuccess(exit.value) ? "success" : failures.includes("CircularLookup") ? "a CircularLookup" : Cause.pretty(exit.value.cause)
                  if (got !== expected) problems.push(`expected ${expected}, got ${got}`)
                }
                if (!interrupted) {
                  const unexpected = failures.filter((tag) => !["CircularLookup", "ContainerClosed", "Boom"].includes(tag))
                  if (unexpected.length > 0) problems.push(`unexpected failures: ${unexpected.join(", ")}`)
                }
              }
              if (concurrency !== "unbounded" && mostRunning > concurrency) problems.push(`${mostRunning} constructors ran at once under concurrency ${concurrency}`)
              const built = instances.filter((instance) => instance !== undefined)
              for (const instance of built) if (instance.released !== 1) problems.push(`${instance.name} released ${instance.released} times`)
              if (problems.length > 0) throw new Error(problems.join("\n"))
            }),
          { fastCheck: { numRuns: 300, seed: 9 } }
        )
      })
    })

    describe("release order of what constructors looked up", () => {
      class Early extends Context.Tag("Early")<Early, { readonly got: unknown }>() {}
      class Late extends Context.Tag("Late")<Late, { readonly name: string }>() {}
      class Holder extends Context.Tag("Holder")<Holder, string>() {}
      /** A constructor that looks `tag` up, and whose finalizer records whether what it got was released by then. */
      const asker = <I, S>(recorder: Recorder, name: string, tag: Context.Tag<I, S>, gone: Set<string>, lookedUp: string) =>
        Effect.flatMap(Container.get(tag), (got) =>
          Effect.acquireRelease(
            Effect.sync(() => {
              recorder.events.push(`build ${name}`)
              return { got }
            }),
            () => Effect.sync(() => void recorder.events.push(`release ${name}${gone.has(lookedUp) ? ` (${lookedUp} released)` : ""}`))
          ))
      /** A constructor recorded as `name`, and marked gone in `gone` as it is released. */
      const tracked = <A>(recorder: Recorder, name: string, gone: Set<string>, value: A) =>
        Effect.acquireRelease(
          Effect.sync(() => {
            recorder.events.push(`build ${name}`)
            return value
          }),
          () =>
            Effect.sync(() => {
              gone.add(name)
              recorder.events.push(`release ${name}`)
            })
        )

      /** Config; Late, on Config; Early, whose constructor looks Late up (each recorded, marked gone as released). */
      const lookingUp = (recorder = makeRecorder(), gone = new Set<string>()) => ({
        recorder,
        gone,
        config: Component.make(Config, { build: tracked(recorder, "Config", gone, { id: 1 }) }),
        late: Component.make(Late, { dependencies: [Config], build: tracked(recorder, "Late", gone, { name: "late" }) }),
        early: Component.make(Early, { dependencies: [Container.Container], build: asker(recorder, "Early", Late, gone, "Late") })
      })

      it.effect("an instance a graph's constructor looked up is released after that component, before its own dependencies", () =>
        Effect.gen(function*() {
          // Regression: 'build Config, build Late, build Early, release Late, release Early (Late released), release Config'
          for (const concurrency of ["unbounded", 1] as const) {
            const { config, late, early, recorder } = lookingUp()
            const registry = Registry.make(config, late, early)
            yield* Effect.scoped(Layer.build(Registry.toLayer(registry, [Early, Config], { concurrency })))
            expect(recorder.events).toEqual(["build Config", "build Late", "build Early", "release Early", "release Late", "release Config"])
          }
        }))

      it.effect("an instance the Layer of a graph's component looked up is released after that component, before its own dependencies", () =>
        Effect.gen(function*() {
          // Regression: 'release Late, release Early (Late released)': the Layer's constructor runs in a
          // scope of its own, whose lookups were not recorded
          const { config, late, recorder, gone } = lookingUp()
          const early = Component.fromLayer(Early, {
            dependencies: [Container.Container],
            layer: Layer.scoped(Early, asker(recorder, "Early", Late, gone, "Late"))
          })
          yield* Effect.scoped(Layer.build(Registry.toLayer(Registry.make(config, late, early), [Early, Config])))
          expect(recorder.events).toEqual(["build Config", "build Late", "build Early", "release Early", "release Late", "release Config"])
        }))

      it.effect("when the graph's build fails, an instance a constructor looked up is released after that component and before its own dependencies", () =>
        Effect.gen(function*() {
          // Regression: 'release Early, release Config, release Late': the failed build released the
          // graph, then what lookups built, after what it depends on
          class Failing extends Context.Tag("Failing")<Failing, string>() {}
          const { config, late, early, recorder } = lookingUp()
          const failing = Component.make(Failing, { dependencies: [Early], build: Effect.fail("no") })
          const registry = Registry.make(config, late, early, failing)
          const exit = yield* Effect.exit(Effect.scoped(Layer.build(Registry.toLayer(registry, [Early, Config, Failing]))))
          expect(Exit.isFailure(exit)).toBe(true)
          expect(recorder.events).toEqual(["build Config", "build Late", "build Early", "release Early", "release Late", "release Config"])
        }))

      it.effect("an instance a lookup's own component's constructor looked up is released after it", () =>
        Effect.gen(function*() {
          // Regression: 'build Late, build Early, release Late, release Early (Late released)'
          const { config, late, early, recorder } = lookingUp()
          const registry = Registry.make(config, late, early)
          yield* withContainer(registry, [Config], Container.get(Early))
          expect(recorder.events).toEqual(["build Config", "build Late", "build Early", "release Early", "release Late", "release Config"])
        }))

      it.effect("an instance a child's own component's constructor looked up in the child is released after it", () =>
        Effect.gen(function*() {
          // Regression: 'build Late, build Early, release Late, release Early (Late released)'
          const { config, late, early, recorder } = lookingUp()
          const registry = Registry.make(config)
          const own = [late, early]
          yield* withContainer(registry, [Config], Effect.scoped(Effect.flatMap(Container.child("tenant", own), (child) => Container.getFrom(child, Early))))
          expect(recorder.events).toEqual(["build Config", "build Late", "build Early", "release Early", "release Late", "release Config"])
        }))

      it.effect("an instance a lookup built before a constructor that looks it up ran is released after that component too", () =>
        Effect.gen(function*() {
          // Regression: 'release Late, release Early (Late released)': the graph's lazy singleton Early, built after the program's lookup of Late
          const { config, late, early, recorder } = lookingUp()
          const registry = Registry.make(config, late, early)
          yield* withContainer(
            registry,
            [Config, Dependency.lazy(Early)],
            Effect.zipRight(Container.get(Late), Effect.flatten(Container.get(Dependency.lazy(Early))))
          )
          expect(recorder.events).toEqual(["build Config", "build Late", "build Early", "release Early", "release Late", "release Config"])
        }))

      it.effect("shutting down an instance a constructor looked up shuts down what depends on it by its requests, not that component", () =>
        Effect.gen(function*() {
          const { config, late, early, recorder } = lookingUp()
          const registry = Registry.make(config, late, early)
          const [shut, got] = yield* withContainer(
            registry,
            [Config, Early],
            Effect.all([Container.shutDown("Late"), Effect.either(Container.get(Early))])
          )
          expect(shut).toEqual(["Late"])
          // Early runs on with the instance it got, as the program would with one it looked up
          expect(Either.isRight(got)).toBe(true)
          expect(recorder.events).toEqual(["build Config", "build Late", "build Early", "release Late", "release Early (Late released)", "release Config"])
        }))

      it.effect("a constructor's lookup of what holds a handle of it (a cycle) is released as a close without lookups would, each once", () =>
        Effect.gen(function*() {
          const recorder = makeRecorder()
          const gone = new Set<string>()
          const registry = Registry.make(
            Component.make(Holder, { dependencies: [Dependency.lazy(Early)], build: tracked(recorder, "Holder", gone, "holder") }),
            Component.make(Early, { dependencies: [Container.Container], build: asker(recorder, "Early", Holder, gone, "Holder") })
          )
          // Holder built first, by a lookup; Early, which it holds a handle of, looks it up once built
          yield* withContainer(registry, [], Effect.zipRight(Container.get(Holder), Container.get(Early)))
          expect(recorder.events).toEqual(["build Holder", "build Early", "release Holder", "release Early (Holder released)"])
        }))

      it.effect("what the program looks up itself keeps its order: last built first", () =>
        Effect.gen(function*() {
          const { config, late, recorder, gone } = lookingUp()
          const registry = Registry.make(config, late, Component.make(Holder, { build: tracked(recorder, "Holder", gone, "holder") }))
          yield* withContainer(registry, [Config], Effect.zip(Container.get(Holder), Container.get(Late)))
          expect(recorder.events).toEqual(["build Config", "build Holder", "build Late", "release Late", "release Holder", "release Config"])
        }))
    })

    it.effect("a singleton built on first use through a handle is released before the singletons it depends on", () =>
      Effect.gen(function*() {
        const recorder = makeRecorder()
        class Uses extends Context.Tag("Uses")<Uses, Effect.Effect<{ readonly id: number }, Errors.HandleError>>() {}
        const registry = registryOf(recorder).pipe(
          Registry.add([Component.make(Uses, { dependencies: [Dependency.lazy(Api)], build: Effect.flatMap(Dependency.lazy(Api), Effect.succeed) })])
        )
        yield* Effect.flatMap(Uses, (use) => use).pipe(Effect.provide(Registry.toLayer(registry, [Uses])))
        expect(recorder.events).toEqual(["build Config", "build Db", "build Api", "release Api", "release Db", "release Config"])
      }))

    it.effect("an open scope's instances that a lookup built are released dependents first, a failure named after its component", () =>
      Effect.gen(function*() {
        const recorder = makeRecorder()
        const Request = Lifetime.scope("Request")
        class Session extends Context.Tag("Session")<Session, { readonly id: number }>() {}
        class Cart extends Context.Tag("Cart")<Cart, { readonly id: number }>() {}
        class Checkout extends Context.Tag("Checkout")<Checkout, { readonly id: number }>() {}
        const registry = Registry.make(
          Component.make(Config, { build: recorder.make("Config", (id) => ({ id })) }),
          Component.make(Session, { dependencies: [Config], build: recorder.make("Session", (id) => ({ id })) }).pipe(Lifetime.scoped(Request)),
          Component.make(Cart, {
            dependencies: [Session],
            build: Effect.zipLeft(
              recorder.make("Cart", (id) => ({ id })),
              Effect.acquireRelease(Effect.void, () => Effect.die("the cart did not close"))
            )
          }).pipe(Lifetime.scoped(Request)),
          Component.make(Checkout, { dependencies: [Cart], build: recorder.make("Checkout", (id) => ({ id })) }).pipe(Lifetime.transient)
        )
        // only Config is the application's: the lookup of Checkout builds the rest, Session and Cart in the open Request
        const exit = yield* Effect.exit(Effect.scoped(Effect.flatMap(
          Layer.build(Registry.toLayer(registry, [Container.Container, Config], { scopes: [Request] })),
          (context) => Effect.provide(Effect.asVoid(Container.get(Checkout)).pipe(Lifetime.within(Request, [])), context)
        )))
        expect(recorder.events).toEqual([
          "build Config",
          "build Session",
          "build Cart",
          "build Checkout",
          "release Checkout",
          "release Cart",
          "release Session",
          "release Config"
        ])
        expect(Exit.isFailure(exit) && Cause.squash(exit.cause)).toMatchObject({ _tag: "ReleaseError", component: "Cart" })
      }))

    it.effect("a lookup in a closed container fails with ContainerClosed", () =>
      Effect.gen(function*() {
        const recorder = makeRecorder()
        const scope = yield* Scope.make()
        const context = yield* Layer.buildWithScope(Registry.toLayer(registryOf(recorder), [Container.Container]), scope)
        const container = Context.get(context, Container.Container)
        yield* Container.getFrom(container, Api)
        yield* Scope.close(scope, Exit.void)
        const error = yield* Effect.flip(Container.getFrom(container, Api))
        expect(error).toEqual(new Errors.ContainerClosed({ container: [], operation: "get" }))
        expect(recorder.events).toEqual(["build Config", "build Db", "build Api", "release Api", "release Db", "release Config"])
      }))

    it.effect("a lookup still building when its container closes fails with ContainerClosed: the close waits for its constructor, then releases it before its dependencies", () =>
      Effect.gen(function*() {
        const recorder = makeRecorder()
        const { gate, started, slowDb } = yield* gatedDb(recorder, "Db")
        const scope = yield* Scope.make()
        const context = yield* Layer.buildWithScope(Registry.toLayer(Registry.make(Component.make(Config, { build: recorder.make("Config", (id) => ({ id })) }), slowDb), [Container.Container, Config]), scope)
        const container = Context.get(context, Container.Container)
        const building = yield* Effect.fork(Effect.either(Container.getFrom(container, Db)))
        yield* Deferred.await(started)
        const closing = yield* Effect.fork(Scope.close(scope, Exit.void))
        for (let step = 0; step < 10; step++) yield* Effect.yieldNow()
        // Db's constructor still runs with its Config: nothing is released under it
        expect(recorder.events).toEqual(["build Config"])
        yield* Deferred.succeed(gate, undefined)
        yield* Fiber.join(closing)
        expect(yield* Fiber.join(building)).toEqual(Either.left(new Errors.ContainerClosed({ container: [], operation: "get" })))
        expect(recorder.events).toEqual(["build Config", "build Db", "release Db", "release Config"])
      }))

    it.effect("a lazy handle of a transient that a lookup gave, used once its container closed, fails with ContainerClosed and never gives the released instance", () =>
      Effect.gen(function*() {
        const recorder = makeRecorder()
        const scope = yield* Scope.make()
        const context = yield* Layer.buildWithScope(Registry.toLayer(registryOf(recorder), [Container.Container]), scope)
        const stamp = yield* Container.getFrom(Context.get(context, Container.Container), Dependency.lazy(Stamp))
        expect((yield* stamp).id).toBe(1)
        yield* Scope.close(scope, Exit.void)
        expect(yield* Effect.flip(stamp)).toEqual(new Errors.ContainerClosed({ container: [], operation: "get" }))
        expect(recorder.events).toEqual(["build Stamp", "release Stamp"])
      }))

    it.effect("a lazy handle of a singleton that a lookup gave, used once its container closed, fails with ContainerClosed and never gives the released instance", () =>
      Effect.gen(function*() {
        const recorder = makeRecorder()
        const scope = yield* Scope.make()
        const context = yield* Layer.buildWithScope(Registry.toLayer(registryOf(recorder), [Container.Container]), scope)
        const db = yield* Container.getFrom(Context.get(context, Container.Container), Dependency.lazy(Db))
        expect((yield* db).id).toBe(2)
        yield* Scope.close(scope, Exit.void)
        expect(yield* Effect.flip(db)).toEqual(new Errors.ContainerClosed({ container: [], operation: "get" }))
        expect(recorder.events).toEqual(["build Config", "build Db", "release Db", "release Config"])
      }))

    it.effect("a lazy handle of a singleton held by a lookup's own component, used once its container closed, fails with ContainerClosed; the component's finalizer still gets the instance", () =>
      Effect.gen(function*() {
        const recorder = makeRecorder()
        const keeper = Component.make(Keeper, {
          dependencies: [Dependency.lazy(Db)],
          build: Effect.gen(function*() {
            const db = yield* Dependency.lazy(Db)
            yield* Effect.addFinalizer(() => Effect.flatMap(Effect.orDie(db), (instance) => Effect.sync(() => void recorder.events.push(`use Db ${instance.id}`))))
            return { db }
          })
        })
        const scope = yield* Scope.make()
        const context = yield* Layer.buildWithScope(Registry.toLayer(registryOf(recorder).pipe(Registry.add(keeper)), [Container.Container]), scope)
        const { db } = yield* Container.getFrom(Context.get(context, Container.Container), Keeper)
        expect((yield* db).id).toBe(2)
        yield* Scope.close(scope, Exit.void)
        expect(yield* Effect.flip(db)).toEqual(new Errors.ContainerClosed({ container: [], operation: "get" }))
        expect(recorder.events).toEqual(["build Config", "build Db", "use Db 2", "release Db", "release Config"])
      }))

    it.effect("a lookup interrupted while it builds releases what the build acquired at once; a release that fails then is logged with the component's path, no caller being left to fail with it", () =>
      Effect.gen(function*() {
        const recorder = makeRecorder()
        const logged: Array<string> = []
        const logger = Logger.make(({ cause, logLevel, message }) => {
          if (logLevel._tag === "Error") logged.push(`${(message as ReadonlyArray<unknown>).map(String).join(" ")} | ${Cause.pretty(cause).split("\n")[0]}`)
        })
        const started = yield* Deferred.make<void>()
        const leakyDb = Component.make(Db, {
          dependencies: [Config],
          build: Effect.gen(function*() {
            const config = yield* Config
            yield* recorder.make("Db", (id) => ({ id, config }))
            yield* Effect.addFinalizer(() => Effect.die(new Error("Db socket closed")))
            yield* Deferred.succeed(started, undefined)
            return yield* Effect.never
          })
        })
        const configLive = Component.make(Config, { build: recorder.make("Config", (id) => ({ id })) })
        const scope = yield* Scope.make()
        const context = yield* Layer.buildWithScope(Registry.toLayer(Registry.make(configLive, leakyDb), [Container.Container]), scope)
        const building = yield* Effect.fork(Effect.provide(Container.getFrom(Context.get(context, Container.Container), Db), Logger.replace(Logger.defaultLogger, logger)))
        yield* Deferred.await(started)
        const exit = yield* Fiber.interrupt(building)
        expect(Exit.isFailure(exit) && Cause.isInterruptedOnly(exit.cause)).toBe(true)
        expect(recorder.events).toEqual(["build Config", "build Db", "release Db"])
        expect(logged).toEqual(["Db: releasing Db failed: Error: Db socket closed | Error: Db socket closed"])
        yield* Scope.close(scope, Exit.void)
        expect(recorder.events).toEqual(["build Config", "build Db", "release Db", "release Config"])
      }))

    it.effect("a lookup whose dependency is still building when its container closes builds nothing after it: the dependent's constructor never starts", () =>
      Effect.gen(function*() {
        const recorder = makeRecorder()
        const gate = yield* Deferred.make<void>()
        const started = yield* Deferred.make<void>()
        const slowConfig = Component.make(Config, {
          build: Effect.gen(function*() {
            yield* Deferred.succeed(started, undefined)
            yield* Deferred.await(gate)
            return yield* recorder.make("Config", (id) => ({ id }))
          })
        })
        const dbLive = Component.make(Db, { dependencies: [Config], build: Effect.flatMap(Config, (config) => recorder.make("Db", (id) => ({ id, config }))) })
        const scope = yield* Scope.make()
        const context = yield* Layer.buildWithScope(Registry.toLayer(Registry.make(slowConfig, dbLive), [Container.Container]), scope)
        const building = yield* Effect.fork(Effect.either(Container.getFrom(Context.get(context, Container.Container), Db)))
        yield* Deferred.await(started)
        const closing = yield* Effect.fork(Scope.close(scope, Exit.void))
        yield* Deferred.succeed(gate, undefined)
        yield* Fiber.join(closing)
        expect(yield* Fiber.join(building)).toEqual(Either.left(new Errors.ContainerClosed({ container: [], operation: "get" })))
        expect(recorder.events).toEqual(["build Config", "release Config"])
      }))
  })

  describe("children", () => {
    /** a child's own Db: its `id` is the recorder's next; it records as "child Db" */
    const childDb = (recorder: Recorder, label: string) =>
      Component.make(Db, {
        dependencies: [Config],
        build: Effect.flatMap(Config, (config) => recorder.make(label, (id) => ({ id, config })))
      })

    it.effect("a child shadows its parent's components for itself only, and shares the parent's instances", () =>
      Effect.gen(function*() {
        const recorder = makeRecorder()
        const result = yield* withContainer(
          registryOf(recorder),
          [Db],
          Effect.gen(function*() {
            const parentDb = yield* Container.get(Db)
            const child = yield* Container.child("tenant", [childDb(recorder, "tenant Db")])
            const db = yield* Container.getFrom(child, Db)
            const again = yield* Container.getFrom(child, Db)
            const config = yield* Container.getFrom(child, Config)
            const api = yield* Container.getFrom(child, Api)
            return { parentDb, db, again, config, api, afterChild: yield* Container.get(Db) }
          }).pipe(Effect.scoped)
        )
        expect(result.db).not.toBe(result.parentDb)
        expect(result.again).toBe(result.db)
        expect(result.db.config).toBe(result.parentDb.config)
        expect(result.config).toBe(result.parentDb.config)
        // Api is the parent's component: the parent's instance, built with the parent's Db
        expect(result.api.db).toBe(result.parentDb)
        expect(result.afterChild).toBe(result.parentDb)
        expect(recorder.events).toEqual([
          "build Config",
          "build Db",
          "build tenant Db",
          "build Api",
          "release tenant Db",
          "release Api",
          "release Db",
          "release Config"
        ])
      }))

    it.effect("a parent that closes while its child's own close is in flight waits for it: the child's instances are released before the parent's they depend on", () =>
      Effect.gen(function*() {
        const recorder = makeRecorder()
        const finish = yield* Deferred.make<void>()
        // the child's Db: its release waits for `finish`
        const slowChildDb = Component.make(Db, {
          dependencies: [Config],
          build: Effect.flatMap(Config, (config) =>
            Effect.tap(recorder.make("tenant Db", (id) => ({ id, config })), () =>
              Effect.addFinalizer(() => Effect.zipRight(Deferred.await(finish), Effect.sync(() => void recorder.events.push("finalized tenant Db"))))))
        })
        const rootScope = yield* Scope.make()
        const context = yield* Layer.buildWithScope(Registry.toLayer(registryOf(recorder), [Container.Container, Config]), rootScope)
        const root = Context.get(context, Container.Container)
        const childScope = yield* Scope.make()
        const child = yield* Scope.extend(Effect.provideService(Container.child("tenant", [slowChildDb]), Container.Container, root), childScope)
        yield* Container.getFrom(child, Db)
        // the child's Scope closes (its release waits), then the root's
        const childClosing = yield* Effect.fork(Scope.close(childScope, Exit.void))
        for (let step = 0; step < 5; step++) yield* Effect.yieldNow()
        const rootClosing = yield* Effect.fork(Scope.close(rootScope, Exit.void))
        for (let step = 0; step < 10; step++) yield* Effect.yieldNow()
        const meanwhile = [...recorder.events]
        yield* Deferred.succeed(finish, undefined)
        yield* Fiber.join(childClosing)
        yield* Fiber.join(rootClosing)
        expect(meanwhile).toEqual(["build Config", "build tenant Db"])
        expect(recorder.events).toEqual(["build Config", "build tenant Db", "finalized tenant Db", "release tenant Db", "release Config"])
      }))

    it.effect("a child's lookup that fails in what it takes from its parent says the path from the child's own component, as a root container's lookup does", () =>
      Effect.gen(function*() {
        // Regression: the ResolutionError read "app/Repo -> app/Cache: no component provides ...", the
        // ConstructionError "app/Store: constructor of app/Store failed", without the child's Api or Other
        // that needed them, where a root container's lookup says the whole chain (ioc's invocation chains)
        class Repo extends Context.Tag("app/Repo")<Repo, string>() {}
        class Cache extends Context.Tag("app/Cache")<Cache, string>() {}
        class Store extends Context.Tag("app/Store")<Store, string>() {}
        const registry = Registry.make(
          Component.make(Repo, { dependencies: [Cache], build: Effect.succeed("repo") }),
          Component.make(Store, { build: Effect.fail("store down") })
        )
        const [missing, failed] = yield* withContainer(
          registry,
          [],
          Effect.gen(function*() {
            const child = yield* Container.child("tenant", [
              Component.make(Api, { dependencies: [Repo], build: Effect.succeed({ id: 0, db: { id: 0 } }) }),
              Component.make(Other, { dependencies: [Store], build: Store })
            ])
            return [yield* Effect.flip(Container.getFrom(child, Api)), yield* Effect.flip(Container.getFrom(child, Other))] as const
          }).pipe(Effect.scoped)
        )
        expect(missing._tag === "ResolutionError" && missing.problems.map((problem) => "path" in problem ? problem.path : [])).toEqual([["Api", "app/Repo"]])
        expect(failed._tag === "ConstructionError" && [failed.component, failed.path]).toEqual(["app/Store", ["Other", "app/Store"]])
      }))

    it.effect("closing a child whose releases fail releases every other instance, then dies with a ReleaseError per component that failed, in release order", () =>
      Effect.gen(function*() {
        const recorder = makeRecorder()
        const broken = <I, S>(tag: Context.Tag<I, S>, service: S) =>
          Component.make(tag, { build: Effect.acquireRelease(Effect.succeed(service), () => Effect.die(`${tag.key} did not close`)) })
        const exit = yield* withContainer(
          registryOf(recorder),
          [Config],
          Effect.exit(Effect.scoped(Effect.gen(function*() {
            const child = yield* Container.child("tenant", [broken(Db, { id: 0, config: { id: 0 } }), broken(Api, { id: 0, db: { id: 0 } })])
            yield* Container.getFrom(child, Db)
            yield* Container.getFrom(child, Api)
            yield* Container.getFrom(child, Config)
          })))
        )
        expect(recorder.events).toEqual(["build Config", "release Config"])
        expect(Exit.isFailure(exit) && [...Cause.defects(exit.cause)].map((defect) => (defect as Errors.ReleaseError).component))
          .toEqual(["Api (override)", "Db (override)"])
      }))

    it.effect("siblings are isolated, names are unique among open siblings, and children are found by name through the tree", () =>
      Effect.gen(function*() {
        const recorder = makeRecorder()
        yield* withContainer(
          registryOf(recorder),
          [],
          Effect.gen(function*() {
            const root = yield* Container.Container
            const a = yield* Container.child("a", [childDb(recorder, "a Db")])
            const b = yield* Container.child("b", [childDb(recorder, "b Db")])
            const dbA = yield* Container.getFrom(a, Db)
            const dbB = yield* Container.getFrom(b, Db)
            expect(dbA).not.toBe(dbB)
            expect(dbA.config).toBe(dbB.config)
            const duplicate = yield* Effect.flip(Container.child("a", []))
            expect(duplicate).toEqual(new Errors.DuplicateChild({ parent: [], name: "a", siblings: ["a", "b"] }))
            const grandchild = yield* Container.child("deep", []).pipe(Effect.provideService(Container.Container, b))
            expect(Container.path(grandchild)).toEqual(["b", "deep"])
            expect(Container.findChild(root, "deep")).toEqual(Option.some(grandchild))
            expect(Container.findChild(a, "deep")).toEqual(Option.none())
            // the grandchild sees its parent's Db, not its aunt's
            expect(yield* Container.getFrom(grandchild, Db)).toBe(dbB)
            // a name is free again once its child closed
            yield* Effect.scoped(Container.child("c", []))
            yield* Effect.scoped(Container.child("c", []))
          }).pipe(Effect.scoped)
        )
        expect(recorder.count("build a Db")).toBe(1)
        expect(recorder.count("release a Db")).toBe(1)
        expect(recorder.count("build b Db")).toBe(1)
        expect(recorder.count("release b Db")).toBe(1)
      }))

    it.effect("closing a container closes its children first, then what it built, dependents first", () =>
      Effect.gen(function*() {
        const recorder = makeRecorder()
        // the children's Scope outlives the container's: the container's close closes them
        const longer = yield* Scope.make()
        yield* withContainer(
          registryOf(recorder),
          [],
          Effect.gen(function*() {
            yield* Container.get(Db)
            const a = yield* Scope.extend(Container.child("a", [childDb(recorder, "a Db")]), longer)
            const b = yield* Scope.extend(Container.child("b", [childDb(recorder, "b Db")]), longer)
            yield* Container.getFrom(a, Db)
            yield* Container.getFrom(b, Db)
            yield* Container.get(Api)
          })
        )
        yield* Scope.close(longer, Exit.void)
        expect(recorder.events.slice(0, 5)).toEqual(["build Config", "build Db", "build a Db", "build b Db", "build Api"])
        // the children concurrently (in either order), then the container's own, dependents first
        expect(new Set(recorder.events.slice(5, 7))).toEqual(new Set(["release a Db", "release b Db"]))
        expect(recorder.events.slice(7)).toEqual(["release Api", "release Db", "release Config"])
      }))

    it.effect("a lazy handle of a singleton held by a child's own component, used once the child closed, fails with ContainerClosed; one of its parent's singleton, once the parent closed", () =>
      Effect.gen(function*() {
        const recorder = makeRecorder()
        const keeper = Component.make(Keeper, { dependencies: [Dependency.lazy(Db)], build: Effect.map(Dependency.lazy(Db), (db) => ({ db })) })
        const scope = yield* Scope.make()
        const context = yield* Layer.buildWithScope(Registry.toLayer(registryOf(recorder), [Container.Container]), scope)
        const container = Context.get(context, Container.Container)
        const { own, inherited } = yield* Effect.scoped(Effect.gen(function*() {
          const own = (yield* Container.getFrom(yield* Container.child("tenant-a", [keeper, childDb(recorder, "tenant Db")]), Keeper)).db
          const inherited = (yield* Container.getFrom(yield* Container.child("tenant-b", [keeper]), Keeper)).db
          expect((yield* own).id).toBe(2)
          expect((yield* inherited).id).toBe(3)
          return { own, inherited }
        })).pipe(Effect.provideService(Container.Container, container))
        expect(yield* Effect.flip(own)).toEqual(new Errors.ContainerClosed({ container: ["tenant-a"], operation: "get" }))
        // the parent's instance is not released with the child
        expect((yield* inherited).id).toBe(3)
        yield* Scope.close(scope, Exit.void)
        expect(yield* Effect.flip(inherited)).toEqual(new Errors.ContainerClosed({ container: [], operation: "get" }))
        expect(recorder.events).toEqual(["build Config", "build tenant Db", "build Db", "release tenant Db", "release Db", "release Config"])
      }))

    it.effect("a child closed with its Scope releases what it built, once", () =>
      Effect.gen(function*() {
        const recorder = makeRecorder()
        yield* withContainer(
          registryOf(recorder),
          [],
          Effect.gen(function*() {
            yield* Container.get(Db)
            yield* Effect.scoped(Effect.flatMap(Container.child("a", [childDb(recorder, "a Db")]), (a) => Container.getFrom(a, Db)))
            yield* Container.get(Api)
          })
        )
        expect(recorder.events).toEqual([
          "build Config",
          "build Db",
          "build a Db",
          "release a Db",
          "build Api",
          "release Api",
          "release Db",
          "release Config"
        ])
      }))

    it.effect("a closed container opens no child and answers no lookup", () =>
      Effect.gen(function*() {
        const recorder = makeRecorder()
        const child = yield* withContainer(registryOf(recorder), [], Effect.scoped(Container.child("gone", [])))
        expect(yield* Effect.flip(Container.getFrom(child, Db))).toEqual(new Errors.ContainerClosed({ container: ["gone"], operation: "get" }))
        const opened = yield* Effect.flip(Effect.scoped(Container.child("late", []).pipe(Effect.provideService(Container.Container, child))))
        expect(opened).toEqual(new Errors.ContainerClosed({ container: ["gone"], operation: "child" }))
      }))

    it.effect("the container a lookup's own component was given (a child's, the root's) answers no lookup once closed, its built singletons included", () =>
      Effect.gen(function*() {
        class Seer extends Context.Tag("Seer")<Seer, Container.Container>() {}
        const recorder = makeRecorder()
        const seer = Component.make(Seer, { dependencies: [Container.Container], build: Container.Container })
        const scope = yield* Scope.make()
        const context = yield* Layer.buildWithScope(Registry.toLayer(registryOf(recorder).pipe(Registry.add(seer)), [Container.Container]), scope)
        const root = yield* Container.getFrom(Context.get(context, Container.Container), Seer)
        yield* Container.getFrom(root, Db)
        const inChild = yield* Effect.scoped(Effect.gen(function*() {
          const child = yield* Container.child("tenant-a", [seer])
          const seen = yield* Container.getFrom(child, Seer)
          yield* Container.getFrom(seen, Db)
          return seen
        })).pipe(Effect.provideService(Container.Container, root))
        expect(yield* Effect.flip(Container.getFrom(inChild, Db))).toEqual(new Errors.ContainerClosed({ container: ["tenant-a"], operation: "get" }))
        expect(yield* Container.getFrom(root, Db)).toEqual({ id: 2, config: { id: 1 } })
        yield* Scope.close(scope, Exit.void)
        expect(yield* Effect.flip(Container.getFrom(root, Db))).toEqual(new Errors.ContainerClosed({ container: [], operation: "get" }))
      }))

    it.effect("closing a parent while a child is still building waits for that build (here its caller gives up on it), then releases every instance built, exactly once", () =>
      Effect.gen(function*() {
        const recorder = makeRecorder()
        const { started, slowDb } = yield* gatedDb(recorder, "slow Db", "before")
        const scope = yield* Scope.make()
        const context = yield* Layer.buildWithScope(Registry.toLayer(registryOf(recorder), [Container.Container, Config]), scope)
        const root = Context.get(context, Container.Container)
        const child = yield* Scope.extend(Effect.provideService(Container.child("a", [slowDb]), Container.Container, root), scope)
        const building = yield* Effect.fork(Container.getFrom(child, Db))
        yield* Deferred.await(started)
        const closing = yield* Effect.fork(Scope.close(scope, Exit.void))
        for (let step = 0; step < 10; step++) yield* Effect.yieldNow()
        // the close waits for the child's build in flight: here its caller gives up on it
        expect(recorder.events).toEqual(["build Config", "build slow Db"])
        yield* Fiber.interrupt(building)
        yield* Fiber.join(closing)
        expect(recorder.events).toEqual(["build Config", "build slow Db", "release slow Db", "release Config"])
      }))

    it.effect("a child's lookup still building when the child closes fails with ContainerClosed: the close waits for it, then releases it before the child's own dependencies", () =>
      Effect.gen(function*() {
        const recorder = makeRecorder()
        const { gate, started, slowDb } = yield* gatedDb(recorder, "child Db")
        const ownConfig = Component.make(Config, { build: recorder.make("child Config", (id) => ({ id })) })
        yield* withContainer(
          registryOf(recorder),
          [],
          Effect.gen(function*() {
            const scope = yield* Scope.make()
            const child = yield* Scope.extend(Container.child("c", [ownConfig, slowDb]), scope)
            const building = yield* Effect.fork(Effect.either(Container.getFrom(child, Db)))
            yield* Deferred.await(started)
            const closing = yield* Effect.fork(Scope.close(scope, Exit.void))
            for (let step = 0; step < 10; step++) yield* Effect.yieldNow()
            expect(recorder.events).toEqual(["build child Config"])
            yield* Deferred.succeed(gate, undefined)
            yield* Fiber.join(closing)
            expect(yield* Fiber.join(building)).toEqual(Either.left(new Errors.ContainerClosed({ container: ["c"], operation: "get" })))
          })
        )
        expect(recorder.events).toEqual(["build child Config", "build child Db", "release child Db", "release child Config"])
      }))

    it.effect("a reloadable handle got by a lookup reloads the application's instance: later lookups get the current one, and what a lookup got is released only with the application", () =>
      Effect.gen(function*() {
        const recorder = makeRecorder()
        const result = yield* withContainer(
          registryOf(recorder),
          [Api],
          Effect.gen(function*() {
            const before = yield* Container.get(Db)
            const handle = yield* Container.get(Dependency.reloadable(Db))
            const other = yield* Container.get(Dependency.reloadable(Db))
            yield* handle.reload
            const between = yield* Container.get(Db)
            const seenByOther = yield* other.use(Effect.succeed)
            yield* other.reload
            const after = yield* Container.get(Db)
            const api = yield* Container.get(Api)
            return { before, between, seenByOther, after, api, events: [...recorder.events] }
          }).pipe(Effect.scoped)
        )
        // one current instance, whichever handle reloaded it, and plain lookups follow it
        expect([result.before.id, result.between.id, result.after.id]).toEqual([2, 4, 5])
        expect(result.seenByOther).toBe(result.between)
        // a dependent keeps what it captured
        expect(result.api.db).toBe(result.before)
        // nothing a lookup got was released while the application ran
        expect(result.events).toEqual(["build Config", "build Db", "build Api", "build Db", "build Db"])
        const released = recorder.events.slice(5)
        expect(released).toEqual(["release Api", "release Db", "release Db", "release Db", "release Config"])
      }))

    it.effect("reloading a component through a child's handle changes only the child's instance", () =>
      Effect.gen(function*() {
        const recorder = makeRecorder()
        const result = yield* withContainer(
          registryOf(recorder),
          [Db],
          Effect.gen(function*() {
            const tenant = yield* Container.child("tenant", [childDb(recorder, "tenant Db")])
            const handle = yield* Container.getFrom(tenant, Dependency.reloadable(Db))
            const first = yield* handle.use(Effect.succeed)
            yield* handle.reload
            const second = yield* handle.use(Effect.succeed)
            const looked = yield* Container.getFrom(tenant, Db)
            const parent = yield* Container.get(Db)
            return { first, second, looked, parent }
          }).pipe(Effect.scoped)
        )
        expect(result.second).not.toBe(result.first)
        expect(result.looked).toBe(result.second)
        expect(result.parent.id).toBe(2)
        expect(result.first.config).toBe(result.parent.config)
        expect(recorder.events).toEqual([
          "build Config",
          "build Db",
          "build tenant Db",
          "build tenant Db",
          "release tenant Db",
          "release tenant Db",
          "release Db",
          "release Config"
        ])
      }))

    it.effect("a child's lookups of its own components and of its parent's instances do not resolve the parent's registry", () =>
      Effect.gen(function*() {
        const recorder = makeRecorder()
        let evaluated = 0
        const counted = Condition.make("counted", () => {
          evaluated++
          return true
        })
        class Report extends Context.Tag("Report")<Report, { readonly db: number }>() {}
        const registry = Registry.make(registryOf(recorder), Registry.when(counted, Component.succeed(Other, "other")))
        const result = yield* withContainer(
          registry,
          [Db],
          Effect.gen(function*() {
            const before = evaluated
            const tenant = yield* Container.child("tenant", [
              Component.make(Report, { dependencies: [Db], build: Effect.map(Db, (db) => ({ db: db.id })) })
            ])
            const report = yield* Container.getFrom(tenant, Report)
            const db = yield* Container.getFrom(tenant, Db)
            const config = yield* Container.getFrom(tenant, Config)
            const evaluations = evaluated - before
            // the container a child's lookup of the container gives is the child
            const itself = yield* Container.getFrom(tenant, Container.Container)
            expect(Container.path(itself)).toEqual(["tenant"])
            return { report, db, config, parentDb: yield* Container.get(Db), evaluations }
          }).pipe(Effect.scoped)
        )
        expect(result.evaluations).toBe(0)
        expect(result.db).toBe(result.parentDb)
        expect(result.report.db).toBe(result.parentDb.id)
        expect(result.config).toBe(result.parentDb.config)
      }))

    it.effect("a child's component that no request of the child selects leaves its parent's answer: a qualified override is not a plain collection's", () =>
      Effect.gen(function*() {
        const recorder = makeRecorder()
        const result = yield* withContainer(
          registryOf(recorder),
          [],
          Effect.gen(function*() {
            const tenant = yield* Container.child("tenant", [
              Component.make(Plugin, { build: recorder.make("xml", (id) => ({ name: "xml", id })) }).pipe(Component.qualified(["xml"]))
            ])
            const every = yield* Container.getFrom(tenant, Dependency.all(Plugin))
            const xml = yield* Container.getFrom(tenant, Dependency.qualified(Plugin, "xml"))
            return { every: every.map((plugin) => plugin.name), xml: xml.name, inParent: yield* Container.get(Dependency.all(Plugin)) }
          }).pipe(Effect.scoped)
        )
        expect(result.every).toEqual(["csv", "json"])
        expect(result.xml).toBe("xml")
        expect(result.inParent.map((plugin) => plugin.name)).toEqual(["csv", "json"])
      }))

    it.effect("a child's plain component of a service is the service's whole collection in the child; the parent's plain components listed too join it (built again by the child), its qualified ones answer only their qualifier", () =>
      Effect.gen(function*() {
        const recorder = makeRecorder()
        const plugin = (name: string, order: number) => Component.make(Plugin, { build: recorder.make(name, (id) => ({ name, id })) }).pipe(Component.order(order))
        const plain = Registry.make(plugin("a", 1), plugin("b", 2))
        const xml = plugin("xml", 3)
        const names = (plugins: ReadonlyArray<{ readonly name: string }>) => plugins.map((plugin) => plugin.name)
        const inPlain = yield* withContainer(
          plain,
          [],
          Effect.gen(function*() {
            const inParent = yield* Container.get(Dependency.all(Plugin))
            const own = yield* Container.child("own", [xml])
            const extended = yield* Container.child("extended", [...Registry.components(plain, { service: Plugin }), xml])
            return {
              own: names(yield* Container.getFrom(own, Dependency.all(Plugin))),
              extended: yield* Container.getFrom(extended, Dependency.all(Plugin)),
              inParent
            }
          }).pipe(Effect.scoped)
        )
        expect(inPlain.own).toEqual(["xml"])
        expect(names(inPlain.extended)).toEqual(["a", "b", "xml"])
        expect(inPlain.extended[0]!.id).not.toBe(inPlain.inParent[0]!.id)
        // registryOf's csv and json are qualified: listed in the child, they answer their qualifiers only
        const qualified = registryOf(recorder)
        const inQualified = yield* withContainer(
          qualified,
          [],
          Effect.gen(function*() {
            const extended = yield* Container.child("extended", [...Registry.components(qualified, { service: Plugin }), xml])
            return {
              all: names(yield* Container.getFrom(extended, Dependency.all(Plugin))),
              csv: names(yield* Container.getFrom(extended, Dependency.all(Dependency.qualified(Plugin, "csv"))))
            }
          }).pipe(Effect.scoped)
        )
        expect(inQualified).toEqual({ all: ["xml"], csv: ["csv"] })
      }))

    it.effect("a child answers every request as its parent's registry with the child's components as overrides would", () =>
      Effect.promise(() =>
        fc.assert(
          fc.asyncProperty(fc.subarray(["own", "xml", "csv"] as const), (owned) =>
            Effect.runPromise(Effect.gen(function*() {
              const recorder = makeRecorder()
              const own = owned.map((qualifier) => {
                const made = Component.make(Plugin, { build: recorder.make(`own ${qualifier}`, (id) => ({ name: `own ${qualifier}`, id })) })
                return qualifier === "own" ? made : made.pipe(Component.qualified([qualifier]))
              })
              const requests: ReadonlyArray<Context.Tag<unknown, unknown>> = [
                Plugin,
                Dependency.qualified(Plugin, "csv"),
                Dependency.qualified(Plugin, "json"),
                Dependency.qualified(Plugin, "xml"),
                Dependency.all(Plugin),
                Dependency.optional(Plugin)
              ] as ReadonlyArray<any>
              const names = (value: unknown): unknown =>
                Array.isArray(value)
                  ? value.map(names)
                  : Option.isOption(value)
                  ? Option.map(value, names)
                  : (value as { readonly name: string }).name
              const answer = (container: Container.Container, request: Context.Tag<unknown, unknown>) =>
                Effect.map(Effect.either(Container.getFrom(container, request)), Either.mapBoth({ onLeft: (error) => error._tag, onRight: names }))
              const inChild = yield* withContainer(
                registryOf(recorder),
                [],
                Effect.gen(function*() {
                  const tenant = yield* Container.child("tenant", own)
                  return yield* Effect.forEach(requests, (request) => answer(tenant, request))
                }).pipe(Effect.scoped)
              )
              // the lookups are run-time requests, which the resolution does not see: a component never
              // built requests Plugin@xml for them, so that an override qualified xml replaces something
              class Lookups extends Context.Tag("Lookups")<Lookups, number>() {}
              const lookups = Component.make(Lookups, { dependencies: [Dependency.optional(Dependency.qualified(Plugin, "xml"))], build: Effect.succeed(0) })
              const overridden = yield* withContainer(
                Registry.override(registryOf(recorder).pipe(Registry.add(lookups)), own),
                [],
                Effect.flatMap(Container.Container, (root) => Effect.forEach(requests, (request) => answer(root, request)))
              )
              expect(inChild).toEqual(overridden)
            }))
          ),
          { numRuns: 20, seed: 20261212 }
        )
      ))

    it.effect("a transient of the parent that a child's component needs is built by the child, with the child's components, and released with it", () =>
      Effect.gen(function*() {
        const recorder = makeRecorder()
        class Uses extends Context.Tag("Uses")<Uses, { readonly stamp: number }>() {}
        const result = yield* withContainer(
          registryOf(recorder),
          [],
          Effect.gen(function*() {
            const uses = yield* Effect.scoped(Effect.gen(function*() {
              const tenant = yield* Container.child("tenant", [
                Component.make(Uses, { dependencies: [Stamp], build: Effect.flatMap(Stamp, (stamp) => recorder.make("Uses", () => ({ stamp: stamp.id }))) })
              ])
              return yield* Container.getFrom(tenant, Uses)
            }))
            recorder.events.push("child closed")
            return uses
          })
        )
        expect(result.stamp).toBe(1)
        expect(recorder.events).toEqual(["build Stamp", "build Uses", "release Uses", "release Stamp", "child closed"])
      }))
  })

  describe("names of a child's own components", () => {
    it.effect("a child's own component is named `X (override)` only when it overrides its parent's X; otherwise as it would be in a registry of its own", () =>
      Effect.gen(function*() {
        // Regression: every one was `X (override)`, though the parent had no X to override
        const recorder = makeRecorder()
        class Report extends Context.Tag("Report")<Report, string>() {}
        class Audit extends Context.Tag("Audit")<Audit, string>() {}
        const names = (snapshot: Container.Snapshot) => snapshot.components.map((component) => component.name)
        const result = yield* withContainer(
          registryOf(recorder),
          [Db],
          Effect.gen(function*() {
            const tenant = yield* Container.child("tenant", [
              Component.succeed(Db, { id: 0, config: { id: 0 } }),
              Component.succeed(Report, "report"),
              Component.succeed(Audit, "first"),
              Component.succeed(Audit, "second"),
              Component.succeed(Audit, "named").pipe(Component.named("audit"))
            ])
            const deep = yield* Container.child("deep", [Component.succeed(Report, "deep report")]).pipe(Effect.provideService(Container.Container, tenant))
            const reports = [yield* Container.getFrom(tenant, Report), yield* Container.getFrom(deep, Report)]
            yield* Container.getFrom(tenant, Db)
            yield* Container.getFrom(tenant, Dependency.all(Audit))
            const snapshot = Container.snapshot(yield* Container.Container)
            return { reports, tenant: names(snapshot.children[0]!), deep: names(snapshot.children[0]!.children[0]!) }
          }).pipe(Effect.scoped)
        )
        expect(result).toEqual({
          reports: ["report", "deep report"],
          tenant: ["Report", "Db (override)", "Audit#1", "Audit#2", "audit"],
          deep: ["Report (override)"]
        })
      }))
    it.effect("a child's own component named as one of its parent's replaces it in a lookup that needs the parent's registry, where the two collided as a duplicate name", () =>
      Effect.gen(function*() {
        // Regression: the child's lookup of Api (its transient Stamp needs the parent's registry)
        // failed with 'duplicate component name "main-db"': the parent's main-db and the child's
        // override of it were both in the registry it resolved from
        const db = (name: string, id: number) => Component.succeed(Db, { id, config: { id: 0 } }).pipe(Component.named(name))
        const stamps = { next: 0 }
        const registry = Registry.make(
          db("main-db", 1),
          db("backup-db", 2),
          Component.make(Stamp, { build: Effect.sync(() => ({ id: ++stamps.next })) }).pipe(Lifetime.transient)
        )
        const build = Effect.map(Db, (db) => ({ id: 0, db }))
        const ids = yield* withContainer(
          registry,
          [],
          Effect.gen(function*() {
            const withStamp = yield* Container.child("with-stamp", [db("main-db", 3), Component.make(Api, { dependencies: [Stamp, Db], build })])
            const own = yield* Container.child("own", [db("main-db", 4), Component.make(Api, { dependencies: [Db], build })])
            return [
              (yield* Container.getFrom(withStamp, Api)).db.id,
              (yield* Container.getFrom(withStamp, Dependency.named(Db, "main-db"))).id,
              (yield* Container.getFrom(own, Api)).db.id,
              (yield* Container.get(Dependency.named(Db, "main-db"))).id
            ]
          }).pipe(Effect.scoped)
        )
        expect(ids).toEqual([3, 3, 4, 1])
      }))
    it.effect("a child's own named component takes the place of its parent's replacement by that name and is taken the place of by a grandchild's; one name given twice in one child stays a duplicate, found as it opens", () =>
      Effect.gen(function*() {
        const db = (name: string, id: number) => Component.succeed(Db, { id, config: { id: 0 } }).pipe(Component.named(name))
        const registry = Registry.make(
          db("main-db", 1),
          db("backup-db", 2),
          Component.make(Stamp, { build: Effect.succeed({ id: 0 }) }).pipe(Lifetime.transient)
        ).pipe(Registry.replace("main-db", db("main-db", 5)))
        // Stamp, the parent's transient, makes every lookup of Api a full resolution
        const api = Component.make(Api, { dependencies: [Stamp, Db], build: Effect.map(Db, (db) => ({ id: 0, db })) })
        const config = Component.make(Config, { dependencies: [Stamp, Db], build: Effect.map(Db, (db) => ({ id: db.id })) })
        const result = yield* withContainer(
          registry,
          [],
          Effect.gen(function*() {
            const child = yield* Container.child("child", [db("main-db", 3), api])
            const grandchild = yield* Container.child("grandchild", [db("main-db", 6), config]).pipe(Effect.provideService(Container.Container, child))
            return {
              ids: [
                (yield* Container.getFrom(child, Api)).db.id,
                (yield* Container.getFrom(grandchild, Config)).id,
                (yield* Container.get(Dependency.named(Db, "main-db"))).id
              ],
              twice: yield* Effect.match(Container.child("twice", [db("main-db", 7), db("main-db", 8), api]), {
                onFailure: (error) => error.message,
                onSuccess: () => "opened"
              })
            }
          }).pipe(Effect.scoped)
        )
        expect(result.ids).toEqual([3, 6, 5])
        expect(result.twice).toBe(
          "1 problem resolving the graph:\n" +
            `  - duplicate component name "main-db": given to 2 components (providing Db, Db); names must be unique in a registry (to put one in another's place, use Registry.replace, or Testing.named in a test)`
        )
      }))
    it.effect("a child's own component named as a component of another service, its own, an ancestor child's or its parent registry's, fails Container.child with DuplicateName naming both, before anything is built", () =>
      Effect.gen(function*() {
        // Regression: the child opened, its lookups among its own components passed, and a lookup that
        // resolved the parent's registry (Api on the parent's transient Stamp) failed with
        // 'duplicate component name "store": given to 2 components (providing Db, Other)'
        const builds: Array<string> = []
        const named = <I, S>(tag: Context.Tag<I, S>, value: S, name: string) =>
          Component.make(tag, { build: Effect.sync(() => (builds.push(name), value)) }).pipe(Component.named(name))
        const registry = Registry.make(
          named(Db, { id: 1, config: { id: 0 } }, "store"),
          Component.make(Stamp, { build: Effect.succeed({ id: 0 }) }).pipe(Lifetime.transient),
          Registry.when(Condition.profile("never"), Registry.make(named(Config, { id: 0 }, "hidden")))
        )
        const api = Component.make(Api, { dependencies: [Stamp, Db], build: Effect.map(Db, (db) => ({ id: 0, db })) })
        const result = yield* withContainer(
          registry,
          [],
          Effect.gen(function*() {
            const message = (opening: Effect.Effect<Container.Container, { readonly message: string }, Container.Container | Scope.Scope>) =>
              Effect.match(opening, { onFailure: (error) => error.message, onSuccess: (opened) => `opened ${Container.path(opened).join("/")}` })
            const ofParent = yield* message(Container.child("tenant", [named(Other, "other", "store"), api]))
            const ofItsOwn = yield* message(Container.child("tenant", [named(Other, "other", "mine"), named(Loop, "loop", "mine")]))
            const a = yield* Container.child("a", [named(Other, "other", "cache")])
            const ofAncestor = yield* message(Container.child("b", [named(Loop, "loop", "cache")]).pipe(Effect.provideService(Container.Container, a)))
            // a name only a false condition's component has, and one of the same service, are no duplicates
            const tenant = yield* Container.child("tenant", [named(Other, "other", "hidden"), named(Db, { id: 2, config: { id: 0 } }, "store"), api])
            return {
              messages: [ofParent, ofItsOwn, ofAncestor],
              children: Container.snapshot(yield* Container.Container).children.map((child) => child.name),
              tenant: [(yield* Container.getFrom(tenant, Api)).db.id, yield* Container.getFrom(tenant, Other)]
            }
          }).pipe(Effect.scoped)
        )
        const duplicate = (name: string, services: string) =>
          `1 problem resolving the graph:\n  - duplicate component name "${name}": given to 2 components (providing ${services}); names must be unique in a registry (to put one in another's place, use Registry.replace, or Testing.named in a test)`
        expect(result).toEqual({
          messages: [duplicate("store", "Db, Other"), duplicate("mine", "Loop, Other"), duplicate("cache", "Loop, Other")],
          children: ["a", "tenant"],
          tenant: [2, "other"]
        })
        expect(builds).toEqual(["store", "hidden"])
      }))
    it.effect("a child opens over a parent whose registry holds an invalid value its false condition leaves out", () =>
      Effect.gen(function*() {
        // Regression: the child's naming read every entry of the parent's registry as a component
        // (TypeError: reading 'key' of undefined), where the guard keeps the value from resolution
        class Report extends Context.Tag("Report")<Report, string>() {}
        const registry = Registry.make(
          Component.succeed(Db, { id: 0, config: { id: 0 } }),
          Registry.when(Condition.profile("never"), Registry.make(42 as unknown as Component.Any))
        )
        const report = yield* withContainer(
          registry,
          [Db],
          Effect.gen(function*() {
            const tenant = yield* Container.child("tenant", [Component.succeed(Report, "report")])
            return yield* Container.getFrom(tenant, Report)
          }).pipe(Effect.scoped)
        )
        expect(report).toBe("report")
      }))
  })

  describe("a grandchild's own components", () => {
    class Seen extends Context.Tag("Seen")<Seen, unknown>() {}
    const db = (name: string | undefined, id: number) =>
      name === undefined ? Component.succeed(Db, { id, config: { id: 0 } }) : Component.succeed(Db, { id, config: { id: 0 } }).pipe(Component.named(name))
    const stamp = Component.make(Stamp, { build: Effect.succeed({ id: 0 }) }).pipe(Lifetime.transient)
    /**
     * What `request` gives a component of a container, as the ids of the Dbs: with Stamp (the root's
     * transient), its lookup in a child resolves the whole registry; without, the child's own components alone.
     */
    const seen = (request: Dependency.Any, withStamp: boolean) =>
      Component.make(Seen, {
        dependencies: withStamp ? [Stamp, request] : [request],
        // the request is among its dependencies (typed loosely here: any request)
        build: Effect.map(request as Context.Tag<unknown, unknown>, (found) =>
          Array.isArray(found) ? found.map((db: { readonly id: number }) => db.id) : (found as { readonly id: number }).id) as Effect.Effect<unknown>
      })
    /** What each request gives a component of a grandchild `b` listing `ofB` (of a child listing `ofA`), resolving the whole registry or not. */
    const answers = (
      registry: Registry.Registry<unknown>,
      ofA: ReadonlyArray<Component.Any>,
      ofB: ReadonlyArray<Component.Any>,
      requests: ReadonlyArray<Dependency.Any>
    ) =>
      withContainer(
        registry,
        [],
        Effect.gen(function*() {
          const a = yield* Container.child("a", ofA)
          let opened = 0
          const answer = (request: Dependency.Any, withStamp: boolean) =>
            Effect.flatMap(
              Container.child(`b#${++opened}`, [...ofB, seen(request, withStamp)]).pipe(Effect.provideService(Container.Container, a)),
              (b) => Effect.either(Effect.mapError(Container.getFrom(b, Seen), (error) => error.message))
            )
          return {
            full: yield* Effect.forEach(requests, (request) => answer(request, true)),
            own: yield* Effect.forEach(requests, (request) => answer(request, false))
          }
        }).pipe(Effect.scoped)
      )

    it.effect("a grandchild's own component wins over its parent child's, for a single request, a request by name and a collection, in a lookup that resolves the whole registry as in one of its own components alone", () =>
      Effect.gen(function*() {
        // Regression: the lookups that resolve the registry tied the two children's components ('Seen ->
        // Db: 2 candidates tie for Db (a-db, b-db; all overrides, ...)'), gave the child's a-db to a
        // request of it and joined them in a collection ([2, 3]), where the grandchild's own components
        // alone gave b-db to each
        const requests: ReadonlyArray<Dependency.Any> = [Db, Dependency.named(Db, "b-db"), Dependency.named(Db, "a-db"), Dependency.named(Db, "root-db"), Dependency.all(Db)]
        const result = yield* answers(Registry.make(db("root-db", 1), stamp), [db("a-db", 2)], [db("b-db", 3)], requests)
        expect(result.full).toEqual([Either.right(3), Either.right(3), Either.right(3), Either.right(3), Either.right([3])])
        expect(result.own).toEqual(result.full)
      }))

    it.effect("a grandchild's collection is its own components, by order, then as it lists them", () =>
      Effect.gen(function*() {
        const result = yield* answers(
          Registry.make(db("root-db", 1), stamp),
          [db("a-db", 2)],
          [db("b-db", 3), db("b-first", 4).pipe(Component.order(-1)), db("b-last", 5)],
          [Dependency.all(Db)]
        )
        expect(result.full).toEqual([Either.right([4, 3, 5])])
        expect(result.own).toEqual(result.full)
      }))

    it.effect("a child's own component wins over an override of its parent's registry (Registry.override, Testing's) in a lookup that resolves the whole registry", () =>
      Effect.gen(function*() {
        // Regression: 'Seen -> Db: 2 candidates tie for Db (Db (override #1), Db (override #2); all
        // overrides, ...)', the registry's override and the child's, where the child's own components alone gave the child's
        const registry = Registry.make(db(undefined, 1), stamp).pipe(Registry.override([db(undefined, 2)]))
        const ids = yield* withContainer(
          registry,
          [],
          Effect.gen(function*() {
            const full = yield* Container.child("full", [db(undefined, 3), seen(Db, true)])
            const own = yield* Container.child("own", [db(undefined, 3), seen(Db, false)])
            return [yield* Container.getFrom(full, Seen), yield* Container.getFrom(own, Seen), (yield* Container.get(Db)).id]
          }).pipe(Effect.scoped)
        )
        expect(ids).toEqual([3, 3, 2])
      }))

    it.effect("a grandchild's own unnamed singleton is built once, whether a lookup resolves its own components alone or the whole registry", () =>
      Effect.gen(function*() {
        // Regression: the grandchild built its Db twice, as `Db (override)` among its own components
        // and as `Db (override #2)` in the whole registry, next to its parent child's unnamed Db. It is
        // named apart from that one (`Db (override)`) before any resolution
        const builds: Array<number> = []
        const counted = (id: number) => Component.make(Db, { build: Effect.sync(() => (builds.push(id), { id, config: { id: 0 } })) })
        const result = yield* withContainer(
          Registry.make(counted(1), stamp),
          [],
          Effect.gen(function*() {
            const a = yield* Container.child("a", [counted(2)])
            const b = yield* Container.child("b", [counted(3), seen(Db, true)]).pipe(Effect.provideService(Container.Container, a))
            const ids = [(yield* Container.getFrom(b, Db)).id, yield* Container.getFrom(b, Seen), (yield* Container.getFrom(b, Db)).id]
            return { ids, names: Container.snapshot(b).components.map((component) => component.name) }
          }).pipe(Effect.scoped)
        )
        expect(result).toEqual({ ids: [3, 3, 3], names: ["Db (override #1)", "Stamp", "Seen"] })
        expect(builds).toEqual([3])
      }))

    it.effect("a lookup in a nested child answers as the child's own components alone do, whatever the depth and which containers register the service", () =>
      Effect.promise(() =>
        fc.assert(
          fc.asyncProperty(
            // per container, root first: what Db it registers (plain, qualified "x", both), named or not
            fc.array(fc.record({ plain: fc.boolean(), qualified: fc.boolean(), named: fc.boolean() }), { minLength: 2, maxLength: 4 }),
            (levels) =>
              Effect.runPromise(Effect.gen(function*() {
                const dbsOf = (level: number) => {
                  const { named, plain, qualified } = levels[level]!
                  const name = (kind: string) => named ? `db-${level}-${kind}` : undefined
                  return [
                    ...(plain ? [db(name("plain"), level * 10 + 1)] : []),
                    ...(qualified ? [db(name("x"), level * 10 + 2).pipe(Component.qualified(["x"]))] : [])
                  ]
                }
                const requests: ReadonlyArray<Dependency.Any> = [Db, Dependency.qualified(Db, "x"), Dependency.optional(Db), Dependency.all(Db)]
                const { full, own } = yield* withContainer(
                  Registry.make(...dbsOf(0), stamp),
                  [],
                  Effect.gen(function*() {
                    let parent = yield* Container.Container
                    for (let level = 1; level < levels.length - 1; level++) {
                      parent = yield* Container.child(`level-${level}`, dbsOf(level)).pipe(Effect.provideService(Container.Container, parent))
                    }
                    const deepest = parent
                    let opened = 0
                    const answer = (request: Dependency.Any, withStamp: boolean) =>
                      Effect.flatMap(
                        Container.child(`deepest#${++opened}`, [...dbsOf(levels.length - 1), seen(request, withStamp)]).pipe(
                          Effect.provideService(Container.Container, deepest)
                        ),
                        (child) => Effect.either(Effect.mapError(Container.getFrom(child, Seen), (error) => error._tag))
                      )
                    return {
                      full: yield* Effect.forEach(requests, (request) => answer(request, true)),
                      own: yield* Effect.forEach(requests, (request) => answer(request, false))
                    }
                  }).pipe(Effect.scoped)
                )
                expect(full).toEqual(own)
                // a plain request: the nearest child's plain Db
                let nearest = levels.length - 1
                while (nearest > 0 && !levels[nearest]!.plain) nearest--
                if (nearest > 0) expect(full[0]).toEqual(Either.right(nearest * 10 + 1))
              }))
          ),
          { numRuns: 60, seed: 20261207 }
        )
      ))
  })

  describe("handles of what another container holds", () => {
    class Pool extends Context.Tag("test/handles/Pool")<Pool, { readonly size: number }>() {}
    class Tenant extends Context.Tag("test/handles/Tenant")<Tenant, { readonly pool: Effect.Effect<{ readonly size: number }, Errors.HandleError> }>() {}
    const PoolOptions = Options.make("pool", { size: Schema.NumberFromString })
    const pool = Component.make(Pool, { dependencies: [PoolOptions], build: PoolOptions })
    /** a child's own component with a lazy handle of the parent's Pool */
    const tenant = Component.make(Tenant, { dependencies: [Dependency.lazy(Pool)], build: Effect.map(Dependency.lazy(Pool), (pool) => ({ pool })) })
    const sized = (size: string) => Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["pool.size", size]])))

    it.effect("a child's lazy handle of its parent's component shut down fails with ComponentShutDown, typed", () =>
      Effect.gen(function*() {
        // Regression: the failure reached the handle through a cast to HandleError, which did not list it
        const error = yield* withContainer(
          Registry.make(pool),
          [],
          Effect.gen(function*() {
            yield* Container.get(Pool)
            const child = yield* Container.child("tenant", [tenant])
            const { pool } = yield* Container.getFrom(child, Tenant)
            yield* Container.shutDown("test/handles/Pool")
            // a tag the handle's error type did not list does not type-check
            return yield* Effect.catchTags(pool, { ComponentShutDown: (error) => Effect.succeed(error) })
          }).pipe(Effect.scoped)
        ).pipe(sized("4"))
        expect(error).toEqual(new Errors.ComponentShutDown({ container: [], component: "test/handles/Pool", path: ["test/handles/Pool"] }))
      }))

    it.effect("a child's lazy handle of a parent's component whose options cannot be read fails with InvalidOptions, typed", () =>
      Effect.gen(function*() {
        const error = yield* withContainer(
          Registry.make(pool),
          [],
          Effect.gen(function*() {
            const child = yield* Container.child("tenant", [tenant])
            const { pool } = yield* Container.getFrom(child, Tenant)
            return yield* Effect.catchTags(Effect.as(pool, undefined), { InvalidOptions: (error) => Effect.succeed(error) })
          }).pipe(Effect.scoped)
        ).pipe(sized("many"))
        expect(error?._tag).toBe("InvalidOptions")
        expect(error?.message).toContain("--pool-size")
      }))

    it.effect("a child's lazy handle used once its containers closed fails with ContainerClosed, typed", () =>
      Effect.gen(function*() {
        const handle = yield* withContainer(
          Registry.make(pool),
          [],
          Effect.gen(function*() {
            const child = yield* Container.child("tenant", [tenant])
            return (yield* Container.getFrom(child, Tenant)).pool
          }).pipe(Effect.scoped)
        )
        const error = yield* Effect.catchTags(handle, { ContainerClosed: (error) => Effect.succeed(error) }).pipe(sized("4"))
        expect(error).toEqual(new Errors.ContainerClosed({ container: [], operation: "get" }))
      }))

    it.effect("a child's lazy handle of a parent's component the parent cannot resolve dies with the ResolutionError", () =>
      Effect.gen(function*() {
        class Secret extends Context.Tag("test/handles/Secret")<Secret, string>() {}
        class Vault extends Context.Tag("test/handles/Vault")<Vault, string>() {}
        class Holder extends Context.Tag("test/handles/Holder")<Holder, { readonly vault: Effect.Effect<string, Errors.HandleError> }>() {}
        // the parent's Vault needs a Secret only the child provides: the child's plan resolves it, its parent's cannot
        const registry = Registry.make(Component.make(Vault, { dependencies: [Secret], build: Secret }))
        const exit = yield* withContainer(
          registry,
          [],
          Effect.gen(function*() {
            const child = yield* Container.child("tenant", [
              Component.make(Secret, { build: Effect.succeed("s3cr3t") }),
              Component.make(Holder, { dependencies: [Dependency.lazy(Vault)], build: Effect.map(Dependency.lazy(Vault), (vault) => ({ vault })) })
            ])
            const { vault } = yield* Container.getFrom(child, Holder)
            return yield* Effect.exit(vault)
          }).pipe(Effect.scoped)
        )
        expect(Exit.isFailure(exit) && Cause.isDie(exit.cause) && !Cause.isFailure(exit.cause)).toBe(true)
        const defect = Exit.isFailure(exit) ? Cause.squash(exit.cause) : undefined
        expect(defect instanceof Errors.ResolutionError && defect.message).toBe(
          "1 problem resolving the graph:\n  - test/handles/Vault -> test/handles/Secret: no component provides test/handles/Secret (available: test/handles/Vault); did you mean test/handles/Vault? If not, register one, or declare it external if the program provides it"
        )
      }))
  })

  describe("snapshots", () => {
    it.effect("a snapshot lists each container's components under its name, built or not, shut down or not, and its children", () =>
      Effect.gen(function*() {
        const recorder = makeRecorder()
        const snapshot = yield* withContainer(
          registryOf(recorder),
          [Db],
          Effect.gen(function*() {
            yield* Container.get(Api)
            yield* Container.get(Stamp)
            const tenant = yield* Container.child("tenant", [
              Component.make(Db, { dependencies: [Config], build: Effect.flatMap(Config, (config) => recorder.make("tenant Db", (id) => ({ id, config }))) })
            ])
            yield* Container.getFrom(tenant, Db)
            yield* Container.child("idle", [])
            yield* Container.shutDown("Api")
            return Container.snapshot(yield* Container.Container)
          }).pipe(Effect.scoped)
        )
        const component = (name: string, built: boolean, shutDown = false, lifetime = "singleton", service = name) => ({ name, service, lifetime, built, shutDown })
        expect(snapshot).toEqual({
          name: "",
          path: [],
          state: "open",
          components: [component("Config", true), component("Db", true), component("Api", false, true), component("Stamp", false, false, "transient")],
          children: [
            { name: "tenant", path: ["tenant"], state: "open", components: [component("Db (override)", true, false, "singleton", "Db")], children: [] },
            { name: "idle", path: ["idle"], state: "open", components: [], children: [] }
          ]
        })
      }))
    it.effect("an application's snapshot leaves out layerwise's own services its components request: they are the application's, not its components", () =>
      Effect.gen(function*() {
        class Probe extends Context.Tag("Probe")<Probe, string>() {}
        const registry = Registry.make(
          Component.succeed(Config, { id: 1 }),
          Component.make(Probe, { dependencies: [App.Health, App.Shutdowner, Config], build: Effect.succeed("probe") })
        )
        const snapshot = yield* Effect.scoped(Effect.gen(function*() {
          const running = yield* App.start(App.make(registry, { roots: [Probe, Container.Container] }))
          const context = running.context as Context.Context<Container.Container>
          const tenant = yield* Container.child("tenant", [Component.succeed(Config, { id: 2 })]).pipe(Effect.provide(context))
          yield* Container.getFrom(tenant, Config)
          expect(running.plan.nodes.map((node) => node.name)).toEqual(["layerwise/App/Health", "layerwise/App/Shutdowner", "Config", "Probe"])
          return Container.snapshot(Context.get(context, Container.Container))
        }))
        const component = (name: string, service = name) => ({ name, service, lifetime: "singleton", built: true, shutDown: false })
        expect(snapshot).toEqual({
          name: "",
          path: [],
          state: "open",
          components: [component("Config"), component("Probe")],
          children: [{ name: "tenant", path: ["tenant"], state: "open", components: [component("Config (override)", "Config")], children: [] }]
        })
      }))
  })

  describe("trees of containers", () => {
    /** per child: its parent (0 the root, i + 1 the i-th child), and whether its Scope closes before the root's */
    const trees = fc.array(fc.record({ parent: fc.nat(), early: fc.boolean(), lookups: fc.nat({ max: 2 }) }), { maxLength: 8 }).map((children) =>
      children.map((child, index) => ({ ...child, parent: child.parent % (index + 1) }))
    )

    it.effect("every instance of a random tree closed at random points is released exactly once, a child's before its parent's", () =>
      Effect.promise(() =>
        fc.assert(
          fc.asyncProperty(trees, (children) =>
            Effect.runPromise(Effect.gen(function*() {
              const recorder = makeRecorder()
              // the container of each child's component `Svc<i>`, which depends on its parent's (the root's: Config)
              const tags = children.map((_, index) => Context.GenericTag<{ readonly id: number; readonly parent: unknown }>(`Svc${index + 1}`))
              const component = (index: number) => {
                const parent = children[index]!.parent
                const upper: Context.Tag<any, any> = parent === 0 ? Config : tags[parent - 1]!
                return Component.make(tags[index]!, {
                  dependencies: [upper],
                  build: Effect.flatMap(upper, (up) => recorder.make(`${index + 1}`, (id) => ({ id, parent: up })))
                })
              }
              const scope = yield* Scope.make()
              const context = yield* Layer.buildWithScope(Registry.toLayer(registryOf(recorder), [Container.Container, Config]), scope)
              const containers: Array<Container.Container> = [Context.get(context, Container.Container)]
              const scopes: Array<Scope.CloseableScope> = []
              for (let index = 0; index < children.length; index++) {
                const own = yield* Scope.make()
                scopes.push(own)
                const parent = containers[children[index]!.parent]!
                const child = yield* Scope.extend(Effect.provideService(Container.child(`c${index + 1}`, [component(index)]), Container.Container, parent), own)
                containers.push(child)
                for (let lookup = 0; lookup < children[index]!.lookups; lookup++) {
                  const service = yield* Container.getFrom(child, tags[index]!)
                  // the parent's instance is shared, never rebuilt
                  const upper: Context.Tag<any, any> = children[index]!.parent === 0 ? Config : tags[children[index]!.parent - 1]!
                  expect(service.parent).toBe(yield* Container.getFrom(parent, upper))
                }
              }
              for (let index = children.length - 1; index >= 0; index--) if (children[index]!.early) yield* Scope.close(scopes[index]!, Exit.void)
              yield* Scope.close(scope, Exit.void)
              for (const own of scopes) yield* Scope.close(own, Exit.void)
              const builds = recorder.events.filter((event) => event.startsWith("build "))
              const releases = recorder.events.filter((event) => event.startsWith("release "))
              expect([...releases].map((event) => event.slice(8)).sort()).toEqual(builds.map((event) => event.slice(6)).sort())
              expect(new Set(builds).size).toBe(builds.length)
              // a child's instance is released before its parent's
              children.forEach((child, index) => {
                const own = recorder.events.indexOf(`release ${index + 1}`)
                const parent = recorder.events.indexOf(child.parent === 0 ? "release Config" : `release ${child.parent}`)
                if (own !== -1) expect(own).toBeLessThan(parent)
              })
            }))
          ),
          { numRuns: 50, seed: 20261212 }
        )
      ))
  })

  describe("shutting down", () => {
    it.effect("a child's close that begins while a shutdown in it releases a component waits for that release: its dependencies are released after it", () =>
      Effect.gen(function*() {
        const recorder = makeRecorder()
        const finish = yield* Deferred.make<void>()
        const slowDb = Component.make(Db, {
          dependencies: [Config],
          build: Effect.flatMap(Config, (config) =>
            Effect.tap(recorder.make("Db", (id) => ({ id, config })), () =>
              Effect.addFinalizer(() => Effect.zipRight(Deferred.await(finish), Effect.sync(() => void recorder.events.push("finalized Db"))))))
        })
        yield* withContainer(
          Registry.make(),
          [],
          Effect.gen(function*() {
            const scope = yield* Scope.make()
            const child = yield* Scope.extend(Container.child("tenant", [Component.make(Config, { build: recorder.make("Config", (id) => ({ id })) }), slowDb]), scope)
            yield* Container.getFrom(child, Db)
            const shuttingDown = yield* Effect.fork(Container.shutDownIn(child, "Db"))
            for (let step = 0; step < 5; step++) yield* Effect.yieldNow()
            const closing = yield* Effect.fork(Scope.close(scope, Exit.void))
            for (let step = 0; step < 10; step++) yield* Effect.yieldNow()
            const meanwhile = [...recorder.events]
            yield* Deferred.succeed(finish, undefined)
            yield* Fiber.join(shuttingDown)
            yield* Fiber.join(closing)
            expect(meanwhile).toEqual(["build Config", "build Db"])
          })
        )
        expect(recorder.events).toEqual(["build Config", "build Db", "finalized Db", "release Db", "release Config"])
      }))

    it.effect("a lazy handle of a singleton used once the component was shut down fails with ComponentShutDown, never giving the released instance", () =>
      Effect.gen(function*() {
        const recorder = makeRecorder()
        const error = yield* withContainer(
          registryOf(recorder),
          [],
          Effect.gen(function*() {
            const db = yield* Container.get(Dependency.lazy(Db))
            yield* db
            yield* Container.shutDown("Db")
            return yield* Effect.flip(db)
          })
        )
        expect(error).toEqual(new Errors.ComponentShutDown({ container: [], component: "Db", path: ["Db"] }))
        expect(recorder.events).toEqual(["build Config", "build Db", "release Db", "release Config"])
      }))

    it.effect("a lazy handle of a singleton shut down before its first use fails with ComponentShutDown and builds nothing", () =>
      Effect.gen(function*() {
        const recorder = makeRecorder()
        const keeper = Component.make(Keeper, { dependencies: [Dependency.lazy(Db)], build: Effect.map(Dependency.lazy(Db), (db) => ({ db })) })
        const result = yield* withContainer(
          registryOf(recorder).pipe(Registry.add(keeper)),
          [],
          Effect.gen(function*() {
            const { db } = yield* Container.get(Keeper)
            const looked = yield* Container.get(Dependency.lazy(Db))
            const stopped = yield* Container.shutDown("Db")
            return { stopped, held: yield* Effect.flip(db), looked: yield* Effect.flip(looked) }
          })
        )
        expect(result.stopped).toEqual(["Keeper", "Db"])
        expect(result.held).toEqual(new Errors.ComponentShutDown({ container: [], component: "Db", path: ["Keeper", "Db"] }))
        expect(result.looked).toEqual(new Errors.ComponentShutDown({ container: [], component: "Db", path: ["Db"] }))
        expect(recorder.events).toEqual([])
      }))

    it.effect("a lazy handle's first use still building when a shutdown reaches its singleton fails with ComponentShutDown: the shutdown waits for the build, then releases the instance it never gave", () =>
      Effect.gen(function*() {
        const recorder = makeRecorder()
        const { gate, started, slowDb } = yield* gatedDb(recorder, "Db")
        const registry = Registry.make(Component.make(Config, { build: recorder.make("Config", (id) => ({ id })) }), slowDb)
        const result = yield* withContainer(
          registry,
          [Config],
          Effect.gen(function*() {
            const db = yield* Container.get(Dependency.lazy(Db))
            const user = yield* Effect.fork(Effect.either(db))
            yield* Deferred.await(started)
            const stopping = yield* Effect.fork(Container.shutDown("Db"))
            for (let step = 0; step < 10; step++) yield* Effect.yieldNow()
            yield* Deferred.succeed(gate, undefined)
            return { stopped: yield* Fiber.join(stopping), used: yield* Fiber.join(user), events: [...recorder.events] }
          })
        )
        expect(result.stopped).toEqual(["Db"])
        expect(result.used).toEqual(Either.left(new Errors.ComponentShutDown({ container: [], component: "Db", path: ["Db"] })))
        expect(result.events).toEqual(["build Config", "build Db", "release Db"])
      }))

    it.effect("outside App a shutdown has no timeout to use: it waits for as long as a finalizer runs, then ends", () =>
      Effect.gen(function*() {
        const recorder = makeRecorder()
        const hold = yield* Deferred.make<void>()
        const result = yield* withContainer(
          hungApi(recorder, hold),
          [Api],
          Effect.gen(function*() {
            const shutting = yield* Effect.fork(Container.shutDown("Db"))
            yield* TestClock.adjust("1 hour")
            const running = yield* endOf(shutting)
            yield* Deferred.succeed(hold, undefined)
            return { running, stopped: yield* Fiber.join(shutting) }
          })
        )
        expect(result.running).toBeUndefined()
        expect(result.stopped).toEqual(["Api", "Db"])
        expect(recorder.events).toEqual(["build Config", "build Db", "build Api", "releasing Api", "released Api", "release Db", "release Config"])
      }))

    it.effect("a factory handle of a component shut down since builds no more instances: each call fails with ComponentShutDown", () =>
      Effect.gen(function*() {
        const recorder = makeRecorder()
        const result = yield* withContainer(
          registryOf(recorder),
          [Config, Db],
          Effect.gen(function*() {
            const make = yield* Container.get(Dependency.factory(Db))
            const before = yield* Effect.scoped(make)
            const stopped = yield* Container.shutDown("Db")
            return { before: before.id, stopped, after: yield* Effect.flip(Effect.scoped(make)) }
          })
        )
        expect(result.before).toBe(3)
        expect(result.stopped).toEqual(["Db"])
        expect(result.after).toEqual(new Errors.ComponentShutDown({ container: [], component: "Db", path: ["Db"] }))
        expect(recorder.events).toEqual(["build Config", "build Db", "build Db", "release Db", "release Db", "release Config"])
      }))

    it.effect("shutting down a service's key, not a component's name, fails suggesting the components of that service the container holds", () =>
      Effect.gen(function*() {
        const registry = Registry.make(
          Component.succeed(Config, { id: 1 }).pipe(Component.named("settings")),
          Component.succeed(Stamp, { id: 2 }).pipe(Component.named("stamp"))
        )
        const unknown = yield* withContainer(
          registry,
          [Config],
          Effect.zipRight(Container.get(Stamp), Effect.flip(Container.shutDown("Config")))
        )
        expect(unknown).toEqual(new Errors.UnknownComponent({ name: "Config", suggestions: ["settings"] }))
      }))

    it.effect("shutting down a component releases it and its dependents, dependents first, while the rest runs", () =>
      Effect.gen(function*() {
        const recorder = makeRecorder()
        const result = yield* withContainer(
          registryOf(recorder),
          [Db],
          Effect.gen(function*() {
            const api = yield* Container.get(Api)
            recorder.events.push("shutting down")
            const stopped = yield* Container.shutDown("Db")
            recorder.events.push("shut down")
            const config = yield* Container.get(Config)
            return {
              api,
              stopped,
              config,
              db: yield* Effect.flip(Container.get(Db)),
              apiAgain: yield* Effect.flip(Container.get(Api)),
              again: yield* Effect.flip(Container.shutDown("Db")),
              unknown: yield* Effect.flip(Container.shutDown("Dbb"))
            }
          })
        )
        expect(result.stopped).toEqual(["Api", "Db"])
        expect(result.config).toBe((result.api.db as Context.Tag.Service<Db>).config)
        expect(result.db).toEqual(new Errors.ComponentShutDown({ container: [], component: "Db", path: ["Db"] }))
        expect(result.apiAgain).toEqual(new Errors.ComponentShutDown({ container: [], component: "Db", path: ["Api", "Db"] }))
        expect(result.apiAgain.message).toBe("Api -> Db: Db was shut down in the container root")
        expect(result.again).toEqual(new Errors.ComponentShutDown({ container: [], component: "Db", path: [] }))
        expect(result.unknown).toEqual(new Errors.UnknownComponent({ name: "Dbb", suggestions: ["Db"] }))
        expect(recorder.events).toEqual([
          "build Config",
          "build Db",
          "build Api",
          "shutting down",
          "release Api",
          "release Db",
          "shut down",
          "release Config"
        ])
      }))

    it.effect("a lookup building what a shutdown reaches fails with ComponentShutDown, and its instance is released once", () =>
      Effect.gen(function*() {
        const recorder = makeRecorder()
        const building = yield* Deferred.make<void>()
        const proceed = yield* Deferred.make<void>()
        class Slow extends Context.Tag("Slow")<Slow, { readonly id: number }>() {}
        const registry = registryOf(recorder).pipe(
          Registry.add([
            Component.make(Slow, {
              dependencies: [Db],
              build: Effect.zipRight(Effect.zipRight(Deferred.succeed(building, undefined), Deferred.await(proceed)), recorder.make("Slow", (id) => ({ id })))
            })
          ])
        )
        const result = yield* withContainer(
          registry,
          [Db],
          Effect.gen(function*() {
            const lookup = yield* Effect.fork(Container.get(Slow))
            yield* Deferred.await(building)
            const stopping = yield* Effect.fork(Container.shutDown("Db"))
            yield* Deferred.succeed(proceed, undefined)
            return { lookup: yield* Effect.flip(Fiber.join(lookup)), stopped: yield* Fiber.join(stopping) }
          })
        )
        expect(result.lookup).toEqual(new Errors.ComponentShutDown({ container: [], component: "Slow", path: ["Slow"] }))
        expect(result.lookup.message).toBe("Slow was shut down in the container root")
        expect(result.stopped).toEqual(["Slow", "Db"])
        expect(recorder.events).toEqual(["build Config", "build Db", "build Slow", "release Slow", "release Db", "release Config"])
      }))

    it.effect("a request shuts down the components it resolves to; what nothing built or holds is unknown", () =>
      Effect.gen(function*() {
        const recorder = makeRecorder()
        const result = yield* withContainer(
          registryOf(recorder),
          [],
          Effect.gen(function*() {
            yield* Container.get(Dependency.all(Plugin))
            const csv = yield* Container.shutDown(Dependency.qualified(Plugin, "csv"))
            const json = yield* Container.get(Dependency.qualified(Plugin, "json"))
            const every = yield* Effect.flip(Container.get(Dependency.all(Plugin)))
            const never = yield* Effect.flip(Container.shutDown(Dependency.qualified(Plugin, "xml")))
            return { csv, json, every, never }
          })
        )
        expect(result.csv).toEqual(["Plugin"])
        expect(result.json.name).toBe("json")
        expect(result.every).toMatchObject({ _tag: "ComponentShutDown", component: "Plugin" })
        expect(result.never).toMatchObject({ _tag: "UnknownComponent", name: "Plugin@xml" })
        expect(recorder.events).toEqual(["build csv", "build json", "release csv", "release json"])
      }))

    it.effect("a child's dependents are shut down with its parent's component; a child's own component of that name is not", () =>
      Effect.gen(function*() {
        const recorder = makeRecorder()
        class Report extends Context.Tag("Report")<Report, { readonly db: number }>() {}
        const tenantReport = Component.make(Report, { dependencies: [Db], build: Effect.flatMap(Db, (db) => recorder.make("tenant Report", () => ({ db: db.id }))) })
        const result = yield* withContainer(
          registryOf(recorder),
          [Db],
          Effect.gen(function*() {
            const tenant = yield* Container.child("tenant", [tenantReport])
            const own = yield* Container.child("own", [
              Component.make(Db, { dependencies: [Config], build: Effect.flatMap(Config, (config) => recorder.make("own Db", (id) => ({ id, config }))) })
            ])
            yield* Container.getFrom(tenant, Report)
            const ownDb = yield* Container.getFrom(own, Db)
            const stopped = yield* Container.shutDown("Db")
            const inTenant = yield* Effect.flip(Container.getFrom(tenant, Report))
            const ownAgain = yield* Container.getFrom(own, Db)
            const fromChild = yield* Effect.flip(Container.shutDownIn(tenant, "Db"))
            const ownStopped = yield* Container.shutDownIn(own, "Db")
            return { stopped, inTenant, ownDb, ownAgain, fromChild, ownStopped }
          }).pipe(Effect.scoped)
        )
        expect(result.stopped).toEqual(["tenant/Report", "Db"])
        expect(result.inTenant).toEqual(new Errors.ComponentShutDown({ container: [], component: "Db", path: ["Report", "Db"] }))
        expect(result.ownAgain).toBe(result.ownDb)
        // a child holds what it built: the parent's Db is not the child's to shut down
        expect(result.fromChild).toEqual(new Errors.UnknownComponent({ name: "Db", suggestions: [] }))
        expect(result.ownStopped).toEqual(["Db (override)"])
        expect(recorder.events).toEqual([
          "build Config",
          "build Db",
          "build tenant Report",
          "build own Db",
          "release tenant Report",
          "release Db",
          "release own Db",
          "release Config"
        ])
      }))

    it.effect("lookups during a shutdown fail for what it shuts down and succeed for the rest; a second shutdown of it fails; each instance is released once", () =>
      Effect.gen(function*() {
        const recorder = makeRecorder()
        const releasing = yield* Deferred.make<void>()
        const proceed = yield* Deferred.make<void>()
        class Slow extends Context.Tag("Slow")<Slow, string>() {}
        const registry = registryOf(recorder).pipe(
          Registry.add([
            Component.make(Slow, {
              dependencies: [Db],
              build: Effect.acquireRelease(Effect.succeed("slow"), () =>
                Effect.zipRight(Deferred.succeed(releasing, undefined), Deferred.await(proceed)))
            })
          ])
        )
        const result = yield* withContainer(
          registry,
          [Db],
          Effect.gen(function*() {
            yield* Container.get(Slow)
            const first = yield* Effect.fork(Container.shutDown("Db"))
            yield* Deferred.await(releasing)
            const during = yield* Effect.all([
              Effect.flip(Container.get(Db)),
              Effect.flip(Container.get(Slow)),
              Container.get(Config),
              Container.get(Dependency.qualified(Plugin, "csv"))
            ])
            const second = yield* Effect.fork(Container.shutDown("Db"))
            yield* Deferred.succeed(proceed, undefined)
            return { during, first: yield* Fiber.join(first), second: yield* Effect.flip(Fiber.join(second)) }
          })
        )
        expect(result.during[0]).toMatchObject({ _tag: "ComponentShutDown", component: "Db" })
        expect(result.during[1]).toMatchObject({ _tag: "ComponentShutDown", component: "Db" })
        expect(result.during[2].id).toBe(1)
        expect(result.first).toEqual(["Slow", "Db"])
        expect(result.second).toEqual(new Errors.ComponentShutDown({ container: [], component: "Db", path: [] }))
        expect(recorder.events).toEqual(["build Config", "build Db", "build csv", "release Db", "release csv", "release Config"])
      }))

    it.effect("a release that fails is a typed ReleaseError of shutDown naming the component, one per component, once every instance was released", () =>
      Effect.gen(function*() {
        const recorder = makeRecorder()
        const broken = (name: string) => new Error(`${name} did not close`)
        const failing = (name: string) => Effect.acquireRelease(Effect.void, () => Effect.die(broken(name)))
        const registry = Registry.make(
          Component.make(Config, { build: recorder.make("Config", (id) => ({ id })) }),
          Component.make(Db, {
            dependencies: [Config],
            build: Effect.flatMap(Config, (config) => Effect.zipLeft(recorder.make("Db", (id) => ({ id, config })), failing("Db")))
          }),
          Component.make(Api, {
            dependencies: [Db],
            build: Effect.flatMap(Db, (db) => Effect.zipLeft(recorder.make("Api", (id) => ({ id, db })), failing("Api")))
          })
        )
        // Db is the application's, Api a lookup's: both containers' release failures are typed
        const exit = yield* withContainer(registry, [Db], Effect.zipRight(Container.get(Api), Effect.exit(Container.shutDown("Config"))))
        expect(exit._tag).toBe("Failure")
        if (exit._tag === "Success") return
        const failures: ReadonlyArray<Errors.ShutDownError> = [...Cause.failures(exit.cause)]
        expect(failures).toEqual([
          new Errors.ReleaseError({ component: "Api", path: ["Api"], cause: broken("Api") }),
          new Errors.ReleaseError({ component: "Db", path: ["Db"], cause: broken("Db") })
        ])
        expect([...Cause.defects(exit.cause)]).toEqual([])
        expect(recorder.events).toEqual(["build Config", "build Db", "build Api", "release Api", "release Db", "release Config"])
      }))
  })

  describe("closing with lookups in flight", () => {
    /** Config, and a Db whose constructor signals `started`, then waits for `gate` */
    const slowRegistry = (recorder: Recorder, started: Deferred.Deferred<void>, gate: Effect.Effect<void>) =>
      Registry.make(
        Component.make(Config, { build: recorder.make("Config", (id) => ({ id })) }),
        Component.make(Db, {
          dependencies: [Config],
          build: Effect.gen(function*() {
            const config = yield* Config
            yield* Deferred.succeed(started, undefined)
            yield* gate
            return yield* recorder.make("Db", (id) => ({ id, config }))
          })
        })
      )

    it.effect("App's release waits for a lookup still building, then releases its instance before its dependencies; the lookup fails with ContainerClosed", () =>
      Effect.gen(function*() {
        const recorder = makeRecorder()
        const gate = yield* Deferred.make<void>()
        const started = yield* Deferred.make<void>()
        const app = App.make(slowRegistry(recorder, started, Deferred.await(gate)), { roots: [Container.Container, Config] })
        const [report, looked] = yield* Effect.scoped(Effect.gen(function*() {
          const running = yield* App.start(app)
          const building = yield* Effect.fork(Effect.either(Container.getFrom(Context.get(running.context, Container.Container), Db)))
          yield* Deferred.await(started)
          const stopping = yield* Effect.fork(App.stop(running))
          for (let step = 0; step < 10; step++) yield* Effect.yieldNow()
          expect(recorder.events).toEqual(["build Config"])
          yield* Deferred.succeed(gate, undefined)
          return [yield* Fiber.join(stopping), yield* Fiber.join(building)] as const
        }))
        expect(looked).toEqual(Either.left(new Errors.ContainerClosed({ container: [], operation: "get" })))
        expect(report.errors).toEqual([])
        expect(recorder.events).toEqual(["build Config", "build Db", "release Db", "release Config"])
      }))

    it.effect("App's release waits for a build in flight at most its release timeout: the build is reported, nothing is released, the run failed", () =>
      Effect.gen(function*() {
        const recorder = makeRecorder()
        const started = yield* Deferred.make<void>()
        const app = App.make(slowRegistry(recorder, started, Effect.never), { roots: [Container.Container, Config], releaseTimeout: "5 seconds" })
        const scope = yield* Scope.make()
        const running = yield* Scope.extend(App.start(app), scope)
        const building = yield* Effect.fork(Container.getFrom(Context.get(running.context, Container.Container), Db))
        yield* Deferred.await(started)
        const stopping = yield* Effect.fork(Effect.flip(App.stop(running)))
        for (let step = 0; step < 10; step++) yield* Effect.yieldNow()
        yield* TestClock.adjust("5 seconds")
        const failed = (yield* Fiber.join(stopping)) as Errors.ApplicationFailed
        const timedOut = new Errors.ReleaseTimeout({ component: "Db", path: ["Db"], timeout: "5s", building: true })
        expect(failed.errors).toEqual([timedOut])
        expect(timedOut.message).toBe("Db: the release waited for the build of Db in flight, which did not complete within 5s; nothing was released")
        expect(failed.report.errors).toEqual([{ component: "Db", phase: "release", hook: null, kind: "timeout", message: timedOut.message }])
        expect(recorder.events).toEqual(["build Config"])
        // its caller gives up on it: the release, left running, goes on
        yield* Fiber.interrupt(building)
        yield* Scope.close(scope, Exit.void)
      }))

    it.effect("a plain lookup whose singleton a concurrent reload replaced while it waited for its build gets the current instance, kept as long as the container, never the replaced one released", () =>
      Effect.gen(function*() {
        const recorder = makeRecorder()
        const registry = Registry.make(
          Component.make(Config, { build: Effect.zipRight(Effect.yieldNow(), recorder.make("Config", (id) => ({ id }))) }),
          Component.make(Db, { dependencies: [Config], build: Effect.flatMap(Config, (config) => recorder.make("Db", (id) => ({ id, config }))) })
        )
        const got = yield* withContainer(
          registry,
          [],
          Effect.gen(function*() {
            const reloading = yield* Effect.fork(Effect.flatMap(Container.get(Dependency.reloadable(Db)), (handle) => handle.reload))
            const looking = yield* Effect.fork(Container.get(Db))
            yield* Fiber.join(reloading)
            const db = yield* Fiber.join(looking)
            recorder.events.push(`got Db#${db.id}`)
            return db
          })
        )
        expect(got.id).toBe(3)
        expect(recorder.events).toEqual(["build Config", "build Db", "build Db", "release Db", "got Db#3", "release Db", "release Config"])
      }))

    it.effect.prop(
      "plain lookups of a root plan's own lazy singleton racing reloads of it, at random interleavings, never get a released instance; every instance is released once",
      [fc.record({
        lookups: fc.array(fc.record({ reload: fc.boolean(), before: fc.nat({ max: 4 }), between: fc.nat({ max: 3 }) }), { minLength: 2, maxLength: 6 }),
        buildYields: fc.nat({ max: 3 })
      })],
      ([{ buildYields, lookups }]) =>
        Effect.gen(function*() {
          const events: Array<string> = []
          let next = 0
          const live = new Set<number>()
          class Conn extends Context.Tag("Conn")<Conn, { readonly id: number }>() {}
          const registry = Registry.make(
            Component.make(Config, { build: Effect.succeed({ id: 0 }) }),
            Component.make(Conn, {
              dependencies: [Config],
              build: Effect.acquireRelease(
                Effect.zipRight(Effect.repeatN(Effect.yieldNow(), buildYields), Effect.sync(() => {
                  live.add(++next)
                  events.push(`build Conn#${next}`)
                  return { id: next }
                })),
                ({ id }) => Effect.sync(() => {
                  live.delete(id)
                  events.push(`release Conn#${id}`)
                })
              )
            })
          )
          const problems: Array<string> = []
          yield* withContainer(
            registry,
            [Dependency.lazy(Conn)],
            Effect.gen(function*() {
              const fibers = yield* Effect.forEach(lookups, ({ before, between, reload }) =>
                Effect.fork(Effect.zipRight(
                  Effect.repeatN(Effect.yieldNow(), before),
                  reload
                    ? Effect.flatMap(Container.get(Dependency.reloadable(Conn)), (handle) => Effect.zipRight(Effect.repeatN(Effect.yieldNow(), between), handle.reload))
                    : Effect.flatMap(Container.get(Conn), (conn) =>
                      Effect.zipRight(Effect.repeatN(Effect.yieldNow(), between), Effect.sync(() => {
                        if (!live.has(conn.id)) problems.push(`a lookup got the released Conn#${conn.id}`)
                      })))
                )))
              yield* Fiber.joinAll(fibers)
            })
          )
          const built = events.filter((event) => event.startsWith("build ")).map((event) => event.slice(6)).sort()
          const released = events.filter((event) => event.startsWith("release ")).map((event) => event.slice(8)).sort()
          expect({ problems, released }).toEqual({ problems: [], released: built })
        }),
      { fastCheck: { numRuns: 200, seed: 20261207 } }
    )

    /**
     * components T0..Tn-1 (each on some earlier ones, yielding while built, its constructor looking up
     * some other earlier ones at run time), some of them roots of the graph, lookups in the root and a
     * child (plain ones, and reloadable ones that reload or use the instance for some yields), the root
     * closed after some yields
     */
    const scenarios = fc.integer({ min: 2, max: 5 }).chain((size) =>
      fc.record({
        dependencies: fc.tuple(...Array.from({ length: size }, (_, index) => fc.subarray(Array.from({ length: index }, (_, earlier) => earlier)))),
        looksUp: fc.tuple(...Array.from({ length: size }, (_, index) => fc.subarray(Array.from({ length: index }, (_, earlier) => earlier)))),
        roots: fc.subarray(Array.from({ length: size }, (_, index) => index)),
        yields: fc.array(fc.nat({ max: 3 }), { minLength: size, maxLength: size }),
        lookups: fc.array(
          fc.record({ inChild: fc.boolean(), target: fc.nat({ max: size - 1 }), mode: fc.constantFrom("plain", "reload", "use"), yields: fc.nat({ max: 4 }) }),
          { minLength: 1, maxLength: 5 }
        ),
        closeAfter: fc.nat({ max: 12 })
      })
    )

    it.effect("no lookup gets a released instance, no constructor runs on a released dependency, no use runs on a released instance, every instance is released once, after its dependents and after the constructors that looked it up; a reloadable handle is not used after", () =>
      Effect.promise(() =>
        fc.assert(
          fc.asyncProperty(scenarios, ({ closeAfter, dependencies, lookups, looksUp, roots, yields }) =>
            Effect.runPromise(Effect.gen(function*() {
              interface Built { readonly name: string; released: number; readonly dependents: Array<Built> }
              const built: Array<Built> = []
              const problems: Array<string> = []
              const tags = dependencies.map((_, index) => Context.GenericTag<Built>(`T${index}`))
              const registry = Registry.make(...dependencies.map((needs, index) =>
                Component.make(tags[index]!, {
                  dependencies: [...needs.map((need) => tags[need]!), Container.Container],
                  build: Effect.gen(function*() {
                    const got: Array<Built> = []
                    for (const need of needs) got.push(yield* tags[need]!)
                    // what it looks up is a dependency as much as what it declares
                    for (const other of looksUp[index]!) if (!needs.includes(other)) got.push(yield* Container.get(tags[other]!))
                    for (const dependency of got) if (dependency.released > 0) problems.push(`T${index} built on a released ${dependency.name}`)
                    for (let step = 0; step < yields[index]!; step++) yield* Effect.yieldNow()
                    // a constructor that was running when the close began ends with its dependencies alive
                    for (const dependency of got) if (dependency.released > 0) problems.push(`T${index} finished building on a released ${dependency.name}`)
                    const instance: Built = { name: `T${index}`, released: 0, dependents: [] }
                    for (const dependency of got) dependency.dependents.push(instance)
                    built.push(instance)
                    yield* Effect.addFinalizer(() =>
                      Effect.sync(() => {
                        instance.released++
                        for (const dependent of instance.dependents) if (dependent.released === 0) problems.push(`T${index} released before its dependent ${dependent.name}`)
                      })
                    )
                    return instance
                  })
                })
              ))
              const scope = yield* Scope.make()
              const context = yield* Layer.buildWithScope(Registry.toLayer(registry, [Container.Container, ...roots.map((root) => tags[root]!)]), scope)
              const root = Context.get(context, Container.Container)
              const child = yield* Scope.extend(Effect.provideService(Container.child("c", []), Container.Container, root), scope)
              const handles: Array<Dependency.ReloadableHandle<Built>> = []
              // a constructor's own lookup may find the container closing too
              const closed = (error: unknown): boolean =>
                error instanceof Errors.ContainerClosed || (error instanceof Errors.ConstructionError && closed(error.cause))
              const closedOrFine = (result: Either.Either<unknown, { readonly _tag: string }>) => {
                if (Either.isLeft(result) && !closed(result.left)) problems.push(`a lookup failed with ${result.left._tag}`)
              }
              const fibers = yield* Effect.forEach(lookups, ({ inChild, mode, target, yields: using }) =>
                Effect.fork(
                  mode === "reload"
                    // a reload in flight when the close begins: ends before anything is released, its instance never current
                    ? Effect.flatMap(Container.getFrom(inChild ? child : root, Dependency.reloadable(tags[target]!)), (handle) => {
                      handles.push(handle)
                      return handle.reload
                    }).pipe(Effect.either, Effect.map(closedOrFine))
                    : mode === "use"
                    // a use in flight when the close begins: its instance is released once it ends; one begun once its release began dies
                    ? Effect.flatMap(Container.getFrom(inChild ? child : root, Dependency.reloadable(tags[target]!)), (handle) =>
                      handle.use((instance) =>
                        Effect.gen(function*() {
                          for (let step = 0; step < using; step++) yield* Effect.yieldNow()
                          if (instance.released > 0) problems.push(`a use ran on a released T${target}`)
                        })
                      )).pipe(
                        Effect.catchAllDefect((defect) =>
                          defect instanceof Errors.ContainerClosed ? Effect.void : Effect.sync(() => void problems.push(`a use died: ${String(defect)}`))
                        ),
                        Effect.either,
                        Effect.map(closedOrFine)
                      )
                    : Effect.tap(Effect.either(Container.getFrom(inChild ? child : root, tags[target]!)), (result) => {
                      if (Either.isRight(result) && result.right.released > 0) problems.push(`a lookup got a released T${target}`)
                      closedOrFine(result)
                    })
                ))
              for (let step = 0; step < closeAfter; step++) yield* Effect.yieldNow()
              yield* Scope.close(scope, Exit.void)
              yield* Fiber.joinAll(fibers)
              // a reloadable handle used after its container's release dies with ContainerClosed
              for (const handle of handles) {
                const used = yield* Effect.exit(handle.use((instance) => Effect.succeed(instance.released)))
                const defect = Exit.isFailure(used) ? Cause.squash(used.cause) : `gave an instance released ${used.value} times`
                if (!(defect instanceof Errors.ContainerClosed && defect.operation === "use")) problems.push(`a handle's use after the close: ${String(defect)}`)
              }
              expect(problems).toEqual([])
              expect(built.filter((instance) => instance.released !== 1)).toEqual([])
            }))
          ),
          { numRuns: 150, seed: 20261207 }
        )
      ))
  })

  describe("shutting down random graphs", () => {
    /** components T0..Tn-1, each depending on some earlier ones; the roots built at startup; lookups and shutdowns in order */
    const scenarios = fc.integer({ min: 2, max: 7 }).chain((size) =>
      fc.record({
        dependencies: fc.tuple(...Array.from({ length: size }, (_, index) => fc.subarray(Array.from({ length: index }, (_, earlier) => earlier)))),
        roots: fc.subarray(Array.from({ length: size }, (_, index) => index)),
        steps: fc.array(fc.record({ shutDown: fc.boolean(), target: fc.nat({ max: size - 1 }) }), { maxLength: 10 }),
        /** the components whose release fails (dies, once it recorded its event) */
        failing: fc.subarray(Array.from({ length: size }, (_, index) => index))
      })
    )
    const broken = (index: number) => new Error(`T${index} did not close`)

    it.effect("every built instance is released once, dependents first; a shut-down component and its dependents are gone, the rest runs; every release that fails is a ReleaseError of the shutdown, in release order", () =>
      Effect.promise(() =>
        fc.assert(
          fc.asyncProperty(scenarios, ({ dependencies, failing, roots, steps }) =>
            Effect.runPromise(Effect.gen(function*() {
              const recorder = makeRecorder()
              const size = dependencies.length
              const tags = dependencies.map((_, index) => Context.GenericTag<{ readonly id: number }>(`T${index}`))
              const registry = Registry.make(...dependencies.map((needs, index) =>
                Component.make(tags[index]!, {
                  dependencies: needs.map((need) => tags[need]!),
                  build: failing.includes(index)
                    ? Effect.zipLeft(recorder.make(`T${index}`, (id) => ({ id })), Effect.acquireRelease(Effect.void, () => Effect.die(broken(index))))
                    : recorder.make(`T${index}`, (id) => ({ id }))
                })
              ))
              const closure = (index: number): Set<number> => {
                const found = new Set<number>([index])
                for (const need of dependencies[index]!) for (const reached of closure(need)) found.add(reached)
                return found
              }
              // the model: what the container holds (its plan's and what lookups resolved), what was shut down
              const held = new Set<number>(roots.flatMap((root) => [...closure(root)]))
              const targets = new Set<number>()
              const shut = new Set<number>()
              const gone = (index: number) => [...closure(index)].some((reached) => targets.has(reached))
              const scope = yield* Scope.make()
              const context = yield* Layer.buildWithScope(Registry.toLayer(registry, [Container.Container, ...roots.map((root) => tags[root]!)]), scope)
              const container = Context.get(context, Container.Container)
              const instances = new Map<number, unknown>()
              for (const step of steps) {
                const index = step.target
                if (!step.shutDown) {
                  const result = yield* Effect.either(Container.getFrom(container, tags[index]!))
                  if (gone(index)) {
                    expect(Either.isLeft(result) && result.left._tag).toBe("ComponentShutDown")
                    continue
                  }
                  expect(Either.isRight(result)).toBe(true)
                  if (Either.isRight(result)) {
                    // a singleton: the same instance every time
                    if (instances.has(index)) expect(result.right).toBe(instances.get(index))
                    instances.set(index, result.right)
                  }
                  for (const reached of closure(index)) held.add(reached)
                  continue
                }
                const before = recorder.events.length
                const exit = yield* Effect.exit(Container.shutDownIn(container, `T${index}`))
                const result = Exit.isSuccess(exit) ? Either.right(exit.value) : Either.left([...Cause.failures(exit.cause)][0]!)
                if (shut.has(index)) {
                  expect(Either.isLeft(result) && result.left._tag).toBe("ComponentShutDown")
                  continue
                }
                if (!held.has(index)) {
                  expect(Either.isLeft(result) && result.left._tag).toBe("UnknownComponent")
                  continue
                }
                targets.add(index)
                const newly = [...held].filter((other) => !shut.has(other) && closure(other).has(index))
                for (const other of newly) shut.add(other)
                for (const other of newly) instances.delete(other)
                // what it released: the built ones among them, each once, dependents first
                const released = recorder.events.slice(before).map((event) => Number(event.slice("release T".length)))
                // the releases that failed, each a ReleaseError (in release order), or the names shut down
                const failed = released.filter((other) => failing.includes(other))
                if (failed.length === 0) expect(Either.isRight(result) && [...result.right].sort()).toEqual(newly.map((other) => `T${other}`).sort())
                else {
                  expect(Exit.isFailure(exit) && [...Cause.failures(exit.cause)].map((error) => [error._tag, (error as Errors.ReleaseError).component, (error as Errors.ReleaseError).cause]))
                    .toEqual(failed.map((other) => ["ReleaseError", `T${other}`, broken(other)]))
                  expect(Exit.isFailure(exit) && [...Cause.defects(exit.cause)]).toEqual([])
                }
                expect(recorder.events.slice(before).every((event) => event.startsWith("release "))).toBe(true)
                expect([...released].sort()).toEqual(newly.filter((other) => recorder.count(`build T${other}`) === 1).sort())
                released.forEach((other, position) => {
                  for (const later of released.slice(position + 1)) expect(closure(later).has(other)).toBe(false)
                })
              }
              const beforeClose = recorder.events.length
              const closed = yield* Effect.exit(Scope.close(scope, Exit.void))
              // the close's failures: one ReleaseError (a defect) per release of what was left that failed, in release order
              const failedAtClose = recorder.events.slice(beforeClose).map((event) => Number(event.slice("release T".length))).filter((other) => failing.includes(other))
              expect(Exit.isFailure(closed) ? [...Cause.defects(closed.cause)].map((error) => [(error as Errors.ReleaseError)._tag, (error as Errors.ReleaseError).component]) : [])
                .toEqual(failedAtClose.map((other) => ["ReleaseError", `T${other}`]))
              const builds = recorder.events.filter((event) => event.startsWith("build ")).map((event) => event.slice(6))
              const releases = recorder.events.filter((event) => event.startsWith("release ")).map((event) => event.slice(8))
              expect(new Set(builds).size).toBe(builds.length)
              expect([...releases].sort()).toEqual([...builds].sort())
              // across the whole run, no instance is released before one that depends on it
              releases.forEach((name, position) => {
                const index = Number(name.slice(1))
                for (const later of releases.slice(position + 1)) expect(closure(Number(later.slice(1))).has(index)).toBe(false)
              })
              expect(size).toBeGreaterThan(1)
            }))
          ),
          { numRuns: 100, seed: 20261208 }
        )
      ))
  })

  describe("samber/do v2 behaviour", () => {
    it.effect("ProvideNamedTransient: each lookup of a named transient gets an instance of its own, released with the container, last built first", () =>
      Effect.gen(function*() {
        const recorder = makeRecorder()
        const requestId = Component.make(Stamp, { build: recorder.make("request-id", (id) => ({ id })) }).pipe(Component.named("request-id"), Lifetime.transient)
        const registry = Registry.make(requestId, Component.succeed(Stamp, { id: 0 }).pipe(Component.named("fixed")))
        const [first, second, fixed] = yield* withContainer(
          registry,
          [],
          Effect.all([Container.get(Dependency.named(Stamp, "request-id")), Container.get(Dependency.named(Stamp, "request-id")), Container.get(Dependency.named(Stamp, "fixed"))])
        )
        expect([first.id, second.id, fixed.id]).toEqual([1, 2, 0])
        expect(recorder.events).toEqual(["build request-id", "build request-id", "release request-id", "release request-id"])
      }))

    it.effect("Scope with ProvideNamed: a child's named component overrides its parent's service, answering every request of it in the child, other names included (README: where do shadows that name alone)", () =>
      Effect.gen(function*() {
        const named = (name: string, id: number) => Component.succeed(Stamp, { id }).pipe(Component.named(name))
        const ids = yield* withContainer(
          Registry.make(named("main-db", 1), named("backup-db", 2)),
          [],
          Effect.gen(function*() {
            const child = yield* Container.child("tenant", [named("main-db", 3)])
            return [
              (yield* Container.getFrom(child, Dependency.named(Stamp, "main-db"))).id,
              (yield* Container.getFrom(child, Dependency.named(Stamp, "backup-db"))).id,
              (yield* Container.getFrom(child, Stamp)).id,
              (yield* Container.get(Dependency.named(Stamp, "main-db"))).id,
              (yield* Container.get(Dependency.named(Stamp, "backup-db"))).id
            ]
          }).pipe(Effect.scoped)
        )
        expect(ids).toEqual([3, 3, 3, 1, 2])
      }))

    it.effect("Shutdown[T] of a provided value shuts down its dependents first; the value then answers no lookup, the rest runs", () =>
      Effect.gen(function*() {
        const recorder = makeRecorder()
        const registry = Registry.make(
          Component.succeed(Config, { id: 0 }),
          Component.make(Db, { dependencies: [Config], build: Effect.flatMap(Config, (config) => recorder.make("Db", (id) => ({ id, config }))) }),
          Component.make(Stamp, { build: recorder.make("Stamp", (id) => ({ id })) })
        )
        const result = yield* withContainer(
          registry,
          [Db],
          Effect.gen(function*() {
            const stopped = yield* Container.shutDown(Config)
            recorder.events.push("shut down")
            return { stopped, config: yield* Effect.flip(Container.get(Config)), stamp: yield* Container.get(Stamp) }
          })
        )
        expect(result.stopped).toEqual(["Db", "Config"])
        expect(result.config).toEqual(new Errors.ComponentShutDown({ container: [], component: "Config", path: ["Config"] }))
        expect(result.stamp.id).toBe(2)
        expect(recorder.events).toEqual(["build Db", "release Db", "shut down", "build Stamp", "release Stamp"])
      }))
  })

  describe("with App", () => {
    /** the recorder's registry with hooks on Db (stop) and on Plugin "csv" and Stamp (initializer, disposer) */
    const hooked = (recorder: Recorder) => {
      const note = (event: string) => Effect.sync(() => void recorder.events.push(event))
      return Registry.make(
        Component.make(Config, { build: recorder.make("Config", (id) => ({ id })) }),
        Component.make(Db, { dependencies: [Config], build: Effect.flatMap(Config, (config) => recorder.make("Db", (id) => ({ id, config }))) })
          .pipe(Lifecycle.onStop(() => note("stop Db"))),
        Component.make(Api, { dependencies: [Db], build: Effect.flatMap(Db, (db) => recorder.make("Api", (id) => ({ id, db }))) }).pipe(
          Lifecycle.initializer((api) => note(`initialize Api ${api.id}`)),
          Lifecycle.disposer((api) => note(`dispose Api ${api.id}`))
        ),
        Component.make(Stamp, { build: recorder.make("Stamp", (id) => ({ id })) }).pipe(
          Lifetime.transient,
          Lifecycle.initializer((stamp) => note(`initialize Stamp ${stamp.id}`)),
          Lifecycle.disposer((stamp) => note(`dispose Stamp ${stamp.id}`))
        )
      )
    }

    it.effect("what lookups build runs its initializers and disposers and is released before the application's components", () =>
      Effect.gen(function*() {
        const recorder = makeRecorder()
        const app = App.make(hooked(recorder), { roots: [Container.Container, Db] })
        const report = yield* Effect.scoped(Effect.gen(function*() {
          const running = yield* App.start(app)
          recorder.events.push("started")
          yield* Effect.all([Container.get(Api), Container.get(Api), Container.get(Stamp)]).pipe(Effect.provide(running.context))
          recorder.events.push("looked up")
          return yield* App.stop(running)
        }))
        expect(recorder.events).toEqual([
          "build Config",
          "build Db",
          "started",
          "build Api",
          "initialize Api 3",
          "build Stamp",
          "initialize Stamp 4",
          "looked up",
          "stop Db",
          "dispose Stamp 4",
          "release Stamp",
          "dispose Api 3",
          "release Api",
          "release Db",
          "release Config"
        ])
        expect(report.errors).toEqual([])
      }))

    it.effect("what a child builds under App runs its hooks and is released with the application, once", () =>
      Effect.gen(function*() {
        const recorder = makeRecorder()
        const app = App.make(hooked(recorder), { roots: [Container.Container, Db] })
        yield* Effect.scoped(Effect.gen(function*() {
          const running = yield* App.start(app)
          const context = running.context as Context.Context<Container.Container>
          // a child left open: the application's release closes it
          const tenant = yield* Container.child("tenant", []).pipe(Effect.provide(context), Scope.extend(yield* Scope.make()))
          yield* Container.getFrom(tenant, Api)
          yield* App.stop(running)
        }))
        expect(recorder.events).toEqual([
          "build Config",
          "build Db",
          "build Api",
          "initialize Api 3",
          "stop Db",
          "dispose Api 3",
          "release Api",
          "release Db",
          "release Config"
        ])
      }))

    it.effect("under App, a failing disposer of what a child or a transient built is a release failure, told beside its finalizer's", () =>
      Effect.gen(function*() {
        const released = (name: string) => Effect.acquireRelease(Effect.succeed({ id: 0 }), () => Effect.die(new Error(`${name} socket closed`)))
        const registry = Registry.make(
          Component.succeed(Config, { id: 1 }),
          Component.make(Stamp, { build: released("Stamp") }).pipe(
            Lifetime.transient,
            Lifecycle.disposer(() => Effect.fail("Stamp not flushed"))
          ),
          Component.make(Loop, { dependencies: [Stamp], build: Effect.succeed("loop") })
        )
        const TenantDb = Component.make(Db, { dependencies: [Config], build: Effect.as(released("Db"), { id: 2, config: { id: 1 } }) }).pipe(
          Lifecycle.disposer(() => Effect.fail("Db not flushed"), { name: "flush" }),
          Lifecycle.disposer(() => Effect.die(new Error("Db lock kept")), { name: "unlock" })
        )
        const { closed, report } = yield* Effect.scoped(Effect.gen(function*() {
          const running = yield* App.start(App.make(registry, { roots: [Container.Container, Loop] }))
          const context = running.context as Context.Context<Container.Container>
          // a child closed on its own dies with its release failures; one left open, the application's release reports them
          const own = yield* Scope.make()
          const tenant = yield* Container.child("tenant", [TenantDb]).pipe(Effect.provide(context), Scope.extend(own))
          yield* Container.getFrom(tenant, Db)
          const closed = yield* Effect.exit(Scope.close(own, Exit.void))
          const other = yield* Container.child("other", [TenantDb]).pipe(Effect.provide(context), Scope.extend(yield* Scope.make()))
          yield* Container.getFrom(other, Db)
          const failed = yield* Effect.flip(App.stop(running))
          return { closed, report: failed._tag === "ApplicationFailed" ? failed : { errors: [failed] } }
        }))
        expect(Exit.isFailure(closed) ? Cause.defects(closed.cause).pipe((defects) => Array.from(defects, (defect) => (defect as Error).message)) : []).toEqual([
          "Db: releasing Db failed: HookFailed: Db: disposer flush of Db failed: Db not flushed, HookFailed: Db: disposer unlock of Db failed: Error: Db lock kept and Error: Db socket closed"
        ])
        expect(report.errors.map((error) => error.message)).toEqual([
          "Db: releasing Db failed: HookFailed: Db: disposer flush of Db failed: Db not flushed, HookFailed: Db: disposer unlock of Db failed: Error: Db lock kept and Error: Db socket closed",
          "Loop: releasing Loop failed: HookFailed: Loop -> Stamp: disposer of Stamp failed: Stamp not flushed and Error: Stamp socket closed"
        ])
      }))

    it.effect("under App, a lookup whose component's initializer fails, or whose lifecycle settings are invalid, fails and keeps nothing", () =>
      Effect.gen(function*() {
        const recorder = makeRecorder()
        const registry = Registry.make(
          Component.make(Config, { build: recorder.make("Config", (id) => ({ id })) }),
          Component.make(Plugin, { dependencies: [Config], build: recorder.make("csv", (id) => ({ name: "csv", id })) }).pipe(
            Component.qualified(["csv"]),
            Lifecycle.initializer(() => Effect.fail("no csv today"))
          ),
          Component.make(Plugin, { build: recorder.make("json", (id) => ({ name: "json", id })) }).pipe(
            Component.qualified(["json"]),
            Component.named("jsonPlugin"),
            Lifecycle.timeouts({ start: "soon" as never })
          )
        )
        const app = App.make(registry, { roots: [Container.Container, Config] })
        const [csv, json] = yield* Effect.scoped(Effect.gen(function*() {
          const running = yield* App.start(app)
          const errors = yield* Effect.all([
            Effect.flip(Container.get(Dependency.qualified(Plugin, "csv"))),
            Effect.flip(Container.get(Dependency.qualified(Plugin, "json")))
          ]).pipe(Effect.provide(running.context))
          yield* App.stop(running)
          return errors
        }))
        expect(csv).toMatchObject({ _tag: "ConstructionError", component: "Plugin", cause: { _tag: "HookFailed", phase: "initialize" } })
        expect(json).toMatchObject({ _tag: "ConstructionError", component: "jsonPlugin", cause: { _tag: "InvalidLifecycle" } })
        // what a failed lookup built is released at once
        expect(recorder.events).toEqual(["build Config", "build csv", "release csv", "build json", "release json", "release Config"])
      }))

    it.effect("a release failure of what a lookup built is an error of the report, under its component's name", () =>
      Effect.gen(function*() {
        const registry = Registry.make(
          Component.make(Plugin, {
            build: Effect.acquireRelease(Effect.succeed({ name: "broken", id: 1 }), () => Effect.die("cannot close"))
          }).pipe(Component.named("BrokenPlugin"))
        )
        const app = App.make(registry, { roots: [Container.Container] })
        const report = yield* Effect.scoped(Effect.gen(function*() {
          const running = yield* App.start(app)
          yield* Container.get(Plugin).pipe(Effect.provide(running.context))
          const failed = yield* Effect.flip(App.stop(running))
          expect(failed).toBeInstanceOf(Errors.ApplicationFailed)
          return (failed as Errors.ApplicationFailed).report
        }))
        expect(report.errors.map((error) => [error.component, error.phase, error.kind])).toEqual([["BrokenPlugin", "release", "defect"]])
        expect(report.errors[0]!.message).toBe("BrokenPlugin: releasing BrokenPlugin failed: cannot close")
      }))

    it.effect("under App, shutting down stops the components that started, dependents first, then releases them; the report lists them released", () =>
      Effect.gen(function*() {
        const recorder = makeRecorder()
        const note = (event: string) => Effect.sync(() => void recorder.events.push(event))
        const registry = Registry.make(
          Component.make(Config, { build: recorder.make("Config", (id) => ({ id })) }).pipe(Lifecycle.onStop(() => note("stop Config"))),
          Component.make(Db, { dependencies: [Config], build: Effect.flatMap(Config, (config) => recorder.make("Db", (id) => ({ id, config }))) })
            .pipe(Lifecycle.onStart(() => note("start Db")), Lifecycle.onStop(() => note("stop Db")), Lifecycle.disposer(() => note("dispose Db"))),
          Component.make(Api, { dependencies: [Db], build: Effect.flatMap(Db, (db) => recorder.make("Api", (id) => ({ id, db }))) })
            .pipe(Lifecycle.onStop(() => note("stop Api")), Lifecycle.disposer(() => note("dispose Api")))
        )
        const app = App.make(registry, { roots: [Container.Container, Api] })
        const { phases, report, stopped } = yield* Effect.scoped(Effect.gen(function*() {
          const running = yield* App.start(app)
          recorder.events.push("started")
          const stopped = yield* Container.shutDown("Db").pipe(Effect.provide(running.context))
          recorder.events.push("shut down")
          const phases = yield* App.phases(running)
          return { phases, stopped, report: yield* App.stop(running) }
        }))
        expect(stopped).toEqual(["Api", "Db"])
        expect(phases).toMatchObject({ Config: "started", Db: "released", Api: "released" })
        expect(recorder.events).toEqual([
          "build Config",
          "build Db",
          "build Api",
          "start Db",
          "started",
          "stop Api",
          "stop Db",
          "dispose Api",
          "release Api",
          "dispose Db",
          "release Db",
          "shut down",
          "stop Config",
          "release Config"
        ])
        const phasesOf = (name: string) => report.components.find((component) => component.name === name)!.phases.map((phase) => phase.phase)
        expect(phasesOf("Db")).toEqual(["build", "start", "stop", "dispose", "release"])
        expect(phasesOf("Api")).toEqual(["build", "stop", "dispose", "release"])
        expect(report.errors).toEqual([])
      }))

    it.effect("under App, shutting down fails with what the components' stop hooks and disposers failed with, each told with its finalizers', as a child's own component's is", () =>
      Effect.gen(function*() {
        // Regression: shutDown failed with Db's finalizer alone ('Db: releasing Db failed: Error: socket closed'),
        // the failing stop hook of Api and disposer of Db only in the application's report
        const registry = Registry.make(
          Component.make(Config, { build: Effect.succeed({ id: 0 }) }),
          Component.make(Db, {
            dependencies: [Config],
            build: Effect.acquireRelease(Effect.succeed({ id: 0, config: { id: 0 } }), () => Effect.die(new Error("socket closed")))
          }).pipe(Lifecycle.disposer(() => Effect.fail(new Error("not flushed")), { name: "flush" })),
          Component.make(Api, { dependencies: [Db], build: Effect.succeed({ id: 0, db: { id: 0 } }) })
            .pipe(Lifecycle.onStart(() => Effect.void), Lifecycle.onStop(() => Effect.fail(new Error("still serving")), { name: "drain" }))
        )
        const failure = yield* Effect.scoped(Effect.gen(function*() {
          const running = yield* App.start(App.make(registry, { roots: [Container.Container, Api] }))
          const exit = yield* Effect.exit(Container.shutDown("Db").pipe(Effect.provide(running.context)))
          yield* Effect.exit(App.stop(running))
          return exit
        }))
        expect(Exit.isFailure(failure) && [...Cause.failures(failure.cause)].map((error) => error.message)).toEqual([
          "Api: releasing Api failed: HookFailed: Api: stop hook drain of Api failed: Error: still serving",
          "Api -> Db: releasing Db failed: HookFailed: Api -> Db: disposer flush of Db failed: Error: not flushed and Error: socket closed"
        ])
      }))

    it.effect("under App, a shutdown whose release does not end within the release timeout fails with ReleaseTimeout naming the component; it stays shut down, and its release goes on, its dependencies released after it", () =>
      Effect.gen(function*() {
        // Regression: the shutdown held its caller for as long as Api's finalizer ran (forever)
        const recorder = makeRecorder()
        const result = yield* Effect.scoped(Effect.gen(function*() {
          const { context, release, running } = yield* startHungApp(recorder)
          const shutting = yield* Effect.fork(Container.shutDown("Db").pipe(Effect.provide(context)))
          yield* TestClock.adjust("19 seconds")
          const before = yield* endOf(shutting)
          yield* TestClock.adjust("1 second")
          const after = yield* endOf(shutting)
          const lookup = yield* Effect.flip(Container.get(Db).pipe(Effect.provide(context)))
          const phases = yield* App.phases(running)
          const events = [...recorder.events]
          yield* release
          return { before, after, lookup, phases, events, report: yield* reportOf(App.stop(running)) }
        }))
        expect(result.before).toBeUndefined()
        const error = new Errors.ReleaseTimeout({ component: "Api", path: ["Api"], timeout: "20s", shutDown: true })
        expect(result.after).toEqual(Exit.fail(error))
        expect(error.message).toBe("Api: the shutdown's release of Api did not complete within 20s; the shutdown goes on without its caller: what it depends on is released after it")
        expect(result.lookup).toEqual(new Errors.ComponentShutDown({ container: [], component: "Db", path: ["Db"] }))
        expect(result.phases).toMatchObject({ Config: "started", Db: "stopped", Api: "failed" })
        expect(result.events).toEqual(["build Config", "build Db", "build Api", "releasing Api"])
        // once Api's finalizer ended, Db was released after it; the application released Config
        expect(recorder.events.slice(4)).toEqual(["released Api", "dispose Db", "release Db", "release Config"])
        expect(result.report.components.map((component) => [component.name, component.state, component.phases.map((phase) => `${phase.phase}:${phase.outcome}`)]))
          .toEqual([
            ["Config", "released", ["build:success", "release:success"]],
            ["Db", "released", ["build:success", "dispose:success", "release:success"]],
            ["Api", "failed", ["build:success", "release:timeout"]]
          ])
        expect(result.report.errors.map((recorded) => [recorded.component, recorded.phase, recorded.kind, recorded.message])).toEqual([
          ["Api", "release", "timeout", error.message]
        ])
      }))

    it.effect("under App, a release failure of a shutdown given up on at the release timeout is logged, no caller being left to fail with it", () =>
      Effect.gen(function*() {
        const logged: Array<string> = []
        const logger = Logger.make(({ cause, logLevel, message }) => {
          if (logLevel._tag === "Error") logged.push(`${(message as ReadonlyArray<unknown>).map(String).join(" ")} | ${Cause.pretty(cause).split("\n")[0]}`)
        })
        const hold = yield* Deferred.make<void>()
        const registry = Registry.make(
          Component.succeed(Config, { id: 0 }),
          Component.make(Db, {
            dependencies: [Config],
            build: Effect.acquireRelease(Effect.succeed({ id: 0, config: { id: 0 } }), () => Effect.zipRight(Deferred.await(hold), Effect.die(new Error("socket closed"))))
          })
        )
        const app = App.make(registry, { roots: [Container.Container, Db], releaseTimeout: "20 seconds" })
        const result = yield* Effect.scoped(Effect.gen(function*() {
          const running = yield* App.start(app)
          const context = running.context as Context.Context<Container.Container>
          const shutting = yield* Effect.fork(Container.shutDown("Db").pipe(Effect.provide(context), Effect.provide(Logger.replace(Logger.defaultLogger, logger))))
          yield* TestClock.adjust("20 seconds")
          const after = yield* endOf(shutting)
          const before = [...logged]
          yield* Deferred.succeed(hold, undefined)
          for (let step = 0; step < 20; step++) yield* Effect.yieldNow()
          yield* Effect.exit(App.stop(running))
          return { after, before }
        }))
        expect(result.after).toEqual(Exit.fail(new Errors.ReleaseTimeout({ component: "Db", path: ["Db"], timeout: "20s", shutDown: true })))
        expect(result.before).toEqual([])
        expect(logged).toEqual(["Db: releasing Db failed: Error: socket closed | Error: socket closed"])
      }))

    it.effect("under App, a shutdown that waits for a build in flight past the release timeout fails with ReleaseTimeout (building); the build's caller fails with ComponentShutDown and its instance is released once built", () =>
      Effect.gen(function*() {
        const recorder = makeRecorder()
        const { gate, slowDb, started } = yield* gatedDb(recorder, "Db")
        const registry = Registry.make(Component.make(Config, { build: recorder.make("Config", (id) => ({ id })) }), slowDb)
        const app = App.make(registry, { roots: [Container.Container, Config], releaseTimeout: "20 seconds" })
        const result = yield* Effect.scoped(Effect.gen(function*() {
          const running = yield* App.start(app)
          const context = running.context as Context.Context<Container.Container>
          const db = yield* Container.get(Dependency.lazy(Db)).pipe(Effect.provide(context))
          const user = yield* Effect.fork(Effect.either(db))
          yield* Deferred.await(started)
          const shutting = yield* Effect.fork(Container.shutDown("Db").pipe(Effect.provide(context)))
          yield* TestClock.adjust("20 seconds")
          const after = yield* endOf(shutting)
          yield* Deferred.succeed(gate, undefined)
          const used = yield* Fiber.join(user)
          for (let step = 0; step < 20; step++) yield* Effect.yieldNow()
          const events = [...recorder.events]
          yield* App.stop(running)
          return { after, used, events }
        }))
        const error = new Errors.ReleaseTimeout({ component: "Db", path: ["Db"], timeout: "20s", building: true, shutDown: true })
        expect(result.after).toEqual(Exit.fail(error))
        expect(error.message).toBe("Db: the shutdown waited for the build of Db in flight, which did not complete within 20s; the shutdown goes on without its caller: what it shuts down is released once that build ends")
        expect(result.used).toEqual(Either.left(new Errors.ComponentShutDown({ container: [], component: "Db", path: ["Db"] })))
        expect(result.events).toEqual(["build Config", "build Db", "release Db"])
      }))

    it.effect("under App, a shutdown that waits for a reloadable handle's use past the release timeout fails with ReleaseTimeout (using); the instance is released once the use ends", () =>
      Effect.gen(function*() {
        const recorder = makeRecorder()
        const hold = yield* Deferred.make<void>()
        const using = yield* Deferred.make<void>()
        const app = App.make(registryOf(recorder), { roots: [Container.Container, Db], releaseTimeout: "20 seconds" })
        const result = yield* Effect.scoped(Effect.gen(function*() {
          const running = yield* App.start(app)
          const context = running.context as Context.Context<Container.Container>
          const handle = yield* Container.get(Dependency.reloadable(Db)).pipe(Effect.provide(context))
          const use = yield* Effect.fork(handle.use(() => Effect.zipRight(Deferred.succeed(using, undefined), Deferred.await(hold))))
          yield* Deferred.await(using)
          const shutting = yield* Effect.fork(Container.shutDown("Db").pipe(Effect.provide(context)))
          yield* TestClock.adjust("20 seconds")
          const after = yield* endOf(shutting)
          const events = [...recorder.events]
          yield* Deferred.succeed(hold, undefined)
          yield* Fiber.join(use)
          for (let step = 0; step < 20; step++) yield* Effect.yieldNow()
          return { after, events, later: [...recorder.events], report: yield* reportOf(App.stop(running)) }
        }))
        const error = new Errors.ReleaseTimeout({ component: "Db", path: ["Db"], timeout: "20s", using: true, shutDown: true })
        expect(result.after).toEqual(Exit.fail(error))
        expect(error.message).toBe(
          "Db: the shutdown waited for a use of Db in flight (its reloadable handle's use), which did not complete within 20s; the shutdown goes on without its caller: Db is released once that use ends, what it depends on after it"
        )
        expect(result.events).toEqual(["build Config", "build Db"])
        expect(result.later).toEqual(["build Config", "build Db", "release Db"])
        expect(result.report.errors.map((recorded) => [recorded.component, recorded.phase, recorded.kind, recorded.message])).toEqual([
          ["Db", "release", "timeout", error.message]
        ])
      }))

    it.effect("under App, a shutdown that waits for an earlier one still releasing past its answer fails once the release timeout passes again, with what that one waits for, and shuts nothing down", () =>
      Effect.gen(function*() {
        const recorder = makeRecorder()
        const result = yield* Effect.scoped(Effect.gen(function*() {
          const { context, release, running } = yield* startHungApp(recorder)
          const first = yield* Effect.fork(Container.shutDown("Db").pipe(Effect.provide(context)))
          const second = yield* Effect.fork(Container.shutDown("Config").pipe(Effect.provide(context)))
          yield* TestClock.adjust("20 seconds")
          const firstEnd = yield* endOf(first)
          const secondBefore = yield* endOf(second)
          yield* TestClock.adjust("20 seconds")
          const secondEnd = yield* endOf(second)
          const config = yield* Container.get(Config).pipe(Effect.provide(context))
          yield* release
          const again = yield* Container.shutDown("Config").pipe(Effect.provide(context))
          yield* Effect.exit(App.stop(running))
          return { firstEnd, secondBefore, secondEnd, config, again }
        }))
        const error = new Errors.ReleaseTimeout({ component: "Api", path: ["Api"], timeout: "20s", shutDown: true })
        expect(result.firstEnd).toEqual(Exit.fail(error))
        expect(result.secondBefore).toBeUndefined()
        expect(result.secondEnd).toEqual(Exit.fail(error))
        expect(result.config.id).toBe(1)
        expect(result.again).toEqual(["Config"])
        expect(recorder.events).toEqual(["build Config", "build Db", "build Api", "releasing Api", "released Api", "dispose Db", "release Db", "release Config"])
      }))

    it.effect("the report tells the components shut down while the application ran apart: when (shutDownAt), in its data and in its text", () =>
      Effect.gen(function*() {
        const recorder = makeRecorder()
        const app = App.make(registryOf(recorder), { roots: [Container.Container, Api] })
        const report = yield* Effect.scoped(Effect.gen(function*() {
          const running = yield* App.start(app)
          yield* TestClock.adjust("5 seconds")
          yield* Container.shutDown("Db").pipe(Effect.provide(running.context))
          yield* TestClock.adjust("2 seconds")
          return yield* App.stop(running)
        }))
        expect(report.components.map((component) => [component.name, component.state, component.shutDownAt])).toEqual([
          ["Config", "released", undefined],
          ["Db", "released", 5000],
          ["Api", "released", 5000]
        ])
        expect(Schema.decodeUnknownSync(Report.Report)(Schema.encodeSync(Report.Report)(report))).toEqual(report)
        expect(Report.format(report).split("\n")).toEqual([
          "application OK (shut down): startup 0.00ms, ran 7.00s, shutdown 0.00ms, 3 components",
          "  component                  build  release",
          "  Config                    0.00ms   0.00ms",
          "  Db (shut down at 5.00s)   0.00ms   0.00ms",
          "  Api (shut down at 5.00s)  0.00ms   0.00ms"
        ])
      }))
  })
})
