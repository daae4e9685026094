import { describe, expect, it } from "@effect/vitest"
import { inspect } from "node:util"
import { Config, ConfigError, ConfigProvider, Context, Effect, Either, FastCheck as fc, Schema } from "effect"
import { Component, Condition, Dependency, Errors, Options, type Plan, Registry, Resolver } from "../src/index.js"

class Storage extends Context.Tag("Storage")<Storage, { readonly kind: string }>() {}
class Api extends Context.Tag("Api")<Api, { readonly storage: string }>() {}

const api = Component.make(Api, { dependencies: [Storage], build: Effect.map(Storage, (storage) => ({ storage: storage.kind })) })
const registry = Registry.make(
  api,
  Registry.when(Condition.not(Condition.profile("files")), Component.succeed(Storage, { kind: "memory" })),
  Registry.when(Condition.profile("files"), Component.succeed(Storage, { kind: "files" }))
)

const storageOf = (options: Resolver.Options) =>
  Effect.provide(Effect.map(Api, (a) => a.storage), Registry.toLayer(registry, [Api], options))

describe("Condition", () => {
  it.effect("a guarded component exists only when its condition holds", () =>
    Effect.gen(function*() {
      expect(yield* storageOf({})).toBe("memory")
      expect(yield* storageOf({ profiles: ["files"] })).toBe("files")
    }))

  it.effect("Registry.when with the condition alone guards the item it is piped onto", () =>
    Effect.gen(function*() {
      const piped = Registry.make(
        api,
        Component.succeed(Storage, { kind: "memory" }).pipe(Registry.when(Condition.not(Condition.profile("files")))),
        Component.succeed(Storage, { kind: "files" }).pipe(Registry.when(Condition.profile("files")))
      )
      const kind = (profiles: ReadonlyArray<string>) =>
        Effect.provide(Effect.map(Api, (a) => a.storage), Registry.toLayer(piped, [Api], { profiles }))
      expect([yield* kind([]), yield* kind(["files"])]).toEqual(["memory", "files"])
    }))

  it("a component whose condition is false does not exist: not a candidate, not validated, not named", () => {
    const guarded = Registry.make(
      api,
      Component.succeed(Storage, { kind: "memory" }),
      // would tie with the memory one, and its NaN order would be invalid: neither matters when absent
      Registry.when(Condition.profile("never"), Component.succeed(Storage, { kind: "other" }).pipe(Component.order(NaN)))
    )
    const plan = Either.getOrThrow(Resolver.resolve(guarded, [Api]))
    expect(plan.nodes.map((node) => node.name)).toEqual(["Storage", "Api"])
  })

  it("properties select by value or by presence", () => {
    const env = Condition.environment({ properties: { repository: "file" } })
    expect(Condition.property("repository", "file").test(env)).toBe(true)
    expect(Condition.property("repository", "memory").test(env)).toBe(false)
    expect(Condition.property("repository").test(env)).toBe(true)
    expect(Condition.property("missing").test(env)).toBe(false)
  })

  it("conditions combine with and, or and not, and describe themselves", () => {
    const condition = Condition.and(Condition.profile("prod"), Condition.or(Condition.profile("eu"), Condition.not(Condition.profile("us"))))
    expect(condition.description).toBe("(profile prod) and ((profile eu) or (not (profile us)))")
    expect(condition.test(Condition.environment({ profiles: ["prod"] }))).toBe(true)
    expect(condition.test(Condition.environment({ profiles: ["prod", "us"] }))).toBe(false)
    expect(condition.test(Condition.environment({ profiles: ["prod", "us", "eu"] }))).toBe(true)
    expect(condition.test(Condition.environment({}))).toBe(false)
  })

  it("every condition, made or combined, is recognised by isCondition, pipeable, and prints as what it tests", () => {
    class Cache extends Context.Tag("Cache")<Cache, string>() {}
    const Db = Options.make("db", { url: Schema.String })
    const made = [
      Condition.make("workers > 4", () => true),
      Condition.profile("prod"),
      Condition.property("repository", "file"),
      Condition.config(Config.boolean("BETA")),
      Condition.missing(Cache),
      Condition.present(Cache),
      Options.equals(Db, "url", "postgres://"),
      Condition.not(Condition.profile("us")),
      Condition.and(Condition.profile("prod"), Condition.missing(Cache)),
      Condition.or(Condition.profile("dev"), Condition.config(Config.boolean("BETA")))
    ]
    expect(made.map(Condition.isCondition)).toEqual(made.map(() => true))
    expect(made.map(String)).toEqual([
      "Condition(workers > 4)",
      "Condition(profile prod)",
      "Condition(property repository = file)",
      "Condition(config BETA)",
      "Condition(no other component provides Cache)",
      "Condition(another component provides Cache)",
      "Condition(option --db-url is \"postgres://\")",
      "Condition(not (profile us))",
      "Condition((profile prod) and (no other component provides Cache))",
      "Condition((profile dev) or (config BETA))"
    ])
    const prod = Condition.profile("prod")
    expect(prod.toJSON()).toEqual({ _id: "Condition", description: "profile prod" })
    expect(inspect(prod)).toBe(inspect({ _id: "Condition", description: "profile prod" }))
    expect(prod.pipe(Condition.not).description).toBe("not (profile prod)")
    expect(Condition.isCondition({ description: "profile prod", test: () => true })).toBe(false)
    expect(Condition.isCondition(null)).toBe(false)
  })

  it("a whole module can be guarded, including nested modules", () => {
    const inner = Registry.make(Component.succeed(Storage, { kind: "nested" }))
    const guarded = Registry.make(api, Registry.when(Condition.profile("nested"), Registry.make(inner)))
    expect(Either.isLeft(Resolver.resolve(guarded, [Api]))).toBe(true)
    const plan = Either.getOrThrow(Resolver.resolve(guarded, [Api], { profiles: ["nested"] }))
    expect(plan.nodes.map((node) => node.name)).toEqual(["Storage", "Api"])
  })

  it("a request whose candidates conditions all excluded lists them, each with the condition that excluded it", () => {
    // Regression: the message said only "no component provides Storage (available: Api); register one, or declare it external if the program provides it".
    const guarded = Registry.make(
      api,
      Registry.when(Condition.property("storage", "file"), Component.succeed(Storage, { kind: "file" })),
      Registry.when(Condition.profile("s3"), Component.succeed(Storage, { kind: "s3" }).pipe(Component.named("StorageS3")))
    )
    const result = Resolver.resolve(guarded, [Api])
    expect(Either.isLeft(result) && result.left.problems).toEqual([
      new Errors.MissingComponent({
        path: ["Api"],
        request: "Storage",
        available: ["Api"],
        suggestions: [],
        unqualified: [],
        excluded: [{ name: "Storage", condition: "property storage = file" }, { name: "StorageS3", condition: "profile s3" }]
      })
    ])
    expect(Either.isLeft(result) && result.left.problems[0]!.message).toBe(
      "Api -> Storage: no component provides Storage (available: Api); candidates excluded by their conditions: Storage (property storage = file), StorageS3 (profile s3)"
    )
  })

  it("excluded candidates are those the request would have matched, and a nested false guard adds its condition", () => {
    const guarded = Registry.make(
      Component.succeed(Storage, { kind: "memory" }).pipe(Component.named("memory")),
      Registry.when(
        Condition.profile("cloud"),
        Component.succeed(Storage, { kind: "s3" }).pipe(Component.named("s3"), Component.qualified(["remote"])),
        Registry.when(Condition.profile("eu"), Component.succeed(Storage, { kind: "gcs" }).pipe(Component.named("gcs"), Component.qualified(["remote"]))),
        Component.succeed(Storage, { kind: "local" }).pipe(Component.named("local"), Component.qualified(["local"]))
      )
    )
    const result = Resolver.resolve(guarded, [Dependency.qualified(Storage, "remote")])
    expect(Either.isLeft(result) && result.left.problems.map((problem) => problem.message)).toEqual([
      "Storage@remote: no component provides Storage@remote; candidates that do not match it: memory; " +
      "candidates excluded by their conditions: gcs ((profile cloud) and (profile eu)), s3 (profile cloud)"
    ])
  })

  it("a component excluded in one place but registered in another is a candidate, not listed as excluded", () => {
    const memory = Component.succeed(Storage, { kind: "memory" }).pipe(Component.qualified(["memory"]))
    const guarded = Registry.make(api, Registry.when(Condition.profile("never"), memory), memory)
    const result = Resolver.resolve(guarded, [Api, Dependency.qualified(Storage, "other")])
    expect(Either.isLeft(result) && result.left.problems.map((problem) => problem.message)).toEqual([
      "Storage@other: no component provides Storage@other; candidates that do not match it: Storage (memory)"
    ])
  })

  it("a condition that throws is reported as an invalid declaration, with the others", () => {
    const guarded = Registry.make(
      api,
      Registry.when(Condition.make("explodes", () => {
        throw new Error("boom")
      }), Component.succeed(Storage, { kind: "x" }))
    )
    const result = Resolver.resolve(guarded, [Api])
    expect(Either.isLeft(result) && result.left.problems.map((problem) => problem.message)).toEqual([
      "invalid condition \"explodes\" (guarding Storage): it threw: boom",
      // Regression: it said "register one", as if no component provided Storage
      "Api -> Storage: no component provides Storage (available: Api); candidates excluded by their conditions: Storage (explodes, which could not be evaluated)"
    ])
  })

  describe("the environment through effect/Config", () => {
    const withEnv = (entries: ReadonlyArray<readonly [string, string]>) => Effect.withConfigProvider(ConfigProvider.fromMap(new Map(entries)))
    const missing = (key: string) => ConfigError.MissingData([key], `Expected ${key} to exist in the provided map`)
    const search = Config.boolean("SEARCH_INDEX")
    const flagged = Registry.make(
      api,
      Component.succeed(Storage, { kind: "memory" }),
      Registry.when(Condition.config(search), Component.succeed(Storage, { kind: "index" }).pipe(Component.primary))
    )
    const storage = (registry: Registry.Registry, options?: Registry.LayerOptions) =>
      Effect.provide(Effect.map(Api, (a) => a.storage), Registry.toLayer(registry, [Api], options))

    it.effect("a component enabled by a Config flag exists only when the flag is true, read with the current ConfigProvider", () =>
      Effect.gen(function*() {
        expect(yield* storage(flagged).pipe(withEnv([["SEARCH_INDEX", "true"]]))).toBe("index")
        expect(yield* storage(flagged).pipe(withEnv([["SEARCH_INDEX", "false"]]))).toBe("memory")
        expect(Condition.config(search).description).toBe("config SEARCH_INDEX")
        const only = Registry.make(api, Registry.when(Condition.config(search), Component.succeed(Storage, { kind: "index" })))
        const error = yield* Effect.flip(storage(only)).pipe(withEnv([["SEARCH_INDEX", "no"]]))
        expect(error.message).toBe(
          "1 problem resolving the graph:\n  - Api -> Storage: no component provides Storage (available: Api); candidates excluded by their conditions: Storage (config SEARCH_INDEX)"
        )
      }))

    it.effect("two Config values that cannot be read are reported together, each once, with the rest", () =>
      Effect.gen(function*() {
        const beta = Config.boolean("BETA")
        const guarded = Registry.make(
          api,
          Registry.when(Condition.and(Condition.config(search), Condition.config(beta)), Component.succeed(Storage, { kind: "both" })),
          Registry.when(Condition.config(beta, "beta features"), Component.succeed(Storage, { kind: "beta" }))
        )
        const error = yield* Effect.flip(storage(guarded)).pipe(withEnv([]))
        expect(error).toEqual(
          new Errors.ResolutionError({
            problems: [
              new Errors.InvalidConfig({
                source: { _tag: "Condition", description: "(config SEARCH_INDEX) and (config BETA)", guarded: ["Storage"] },
                cause: missing("SEARCH_INDEX")
              }),
              new Errors.InvalidConfig({
                source: { _tag: "Condition", description: "(config SEARCH_INDEX) and (config BETA)", guarded: ["Storage"] },
                cause: missing("BETA")
              }),
              new Errors.MissingComponent({
                path: ["Api"],
                request: "Storage",
                available: ["Api"],
                suggestions: [],
                unqualified: [],
                excluded: [
                  { name: "Storage", condition: "(config SEARCH_INDEX) and (config BETA), which could not be evaluated" },
                  { name: "Storage", condition: "beta features, which could not be evaluated" }
                ]
              })
            ]
          })
        )
        // Regression: the candidates whose guards could not be read were not named ("register one")
        expect(error.message).toBe(
          "3 problems resolving the graph:\n" +
            "  - the Config of condition \"(config SEARCH_INDEX) and (config BETA)\" (guarding Storage) cannot be read: (Missing data at SEARCH_INDEX: \"Expected SEARCH_INDEX to exist in the provided map\"): set it, or give the Config a default (Config.withDefault) for when it is not set\n" +
            "  - the Config of condition \"(config SEARCH_INDEX) and (config BETA)\" (guarding Storage) cannot be read: (Missing data at BETA: \"Expected BETA to exist in the provided map\"): set it, or give the Config a default (Config.withDefault) for when it is not set\n" +
            "  - Api -> Storage: no component provides Storage (available: Api); candidates excluded by their conditions: Storage ((config SEARCH_INDEX) and (config BETA), which could not be evaluated), Storage (beta features, which could not be evaluated)"
        )
      }))

    it.effect("a Config a condition could not read names what the condition guards, the first five in the message", () =>
      Effect.gen(function*() {
        class Job extends Context.Tag("Job")<Job, string>() {}
        const job = (name: string) => Component.succeed(Job, name).pipe(Component.named(`job-${name}`))
        // one condition guarding two registries: the Config is reported once, with all it guards
        const jobs = Condition.config(Config.boolean("JOBS"))
        const guarded = Registry.make(
          api,
          Component.succeed(Storage, { kind: "memory" }),
          Registry.when(jobs, Registry.make(job("a"), job("b"), job("c"), Registry.make(job("d"), job("e"), job("f")))),
          Registry.when(jobs, job("g")),
          Registry.when(Condition.config(Config.boolean("S3"), "s3 storage"), Component.succeed(Storage, { kind: "s3" }).pipe(Component.primary))
        )
        const error = (yield* Effect.flip(storage(guarded)).pipe(withEnv([]))) as Errors.ResolutionError
        // Regression: 'the Config of condition "config JOBS" cannot be read', without what it would have let in
        expect(error.problems).toEqual([
          new Errors.InvalidConfig({
            source: { _tag: "Condition", description: "config JOBS", guarded: ["job-a", "job-b", "job-c", "job-d", "job-e", "job-f", "job-g"] },
            cause: missing("JOBS")
          }),
          new Errors.InvalidConfig({ source: { _tag: "Condition", description: "s3 storage", guarded: ["Storage"] }, cause: missing("S3") })
        ])
        expect(error.problems.map((problem) => problem.message)).toEqual([
          "the Config of condition \"config JOBS\" (guarding job-a, job-b, job-c, job-d, job-e, and 2 more) cannot be read: (Missing data at JOBS: \"Expected JOBS to exist in the provided map\"): set it, or give the Config a default (Config.withDefault) for when it is not set",
          "the Config of condition \"s3 storage\" (guarding Storage) cannot be read: (Missing data at S3: \"Expected S3 to exist in the provided map\"): set it, or give the Config a default (Config.withDefault) for when it is not set"
        ])
      }))

    it.effect("a Config under a guard that is false is never needed", () =>
      Effect.gen(function*() {
        const guarded = Registry.make(
          api,
          Component.succeed(Storage, { kind: "memory" }),
          Registry.when(
            Condition.profile("cloud"),
            Registry.when(Condition.config(Config.boolean("S3_PATH_STYLE")), Component.succeed(Storage, { kind: "s3" }).pipe(Component.primary))
          )
        )
        expect(yield* storage(guarded).pipe(withEnv([]))).toBe("memory")
        const error = yield* Effect.flip(storage(guarded, { profiles: ["cloud"] })).pipe(withEnv([]))
        expect(error).toEqual(
          new Errors.ResolutionError({
            problems: [
              new Errors.InvalidConfig({ source: { _tag: "Condition", description: "config S3_PATH_STYLE", guarded: ["Storage"] }, cause: missing("S3_PATH_STYLE") })
            ]
          })
        )
      }))

    it.effect("profiles and properties read from Config, one Config for the list or one per property", () =>
      Effect.gen(function*() {
        const profiles = Config.array(Config.string(), "PROFILES")
        expect(yield* storage(registry, { profiles }).pipe(withEnv([["PROFILES", "files,eu"]]))).toBe("files")
        const byProperty = Registry.make(
          api,
          Registry.when(Condition.property("storage", "files"), Component.succeed(Storage, { kind: "files" })),
          Registry.when(Condition.not(Condition.property("storage", "files")), Component.succeed(Storage, { kind: "memory" }))
        )
        const one = { properties: { storage: Config.string("STORAGE"), region: "eu" } }
        const all = { properties: Config.all({ storage: Config.string("STORAGE") }) }
        expect(yield* storage(byProperty, one).pipe(withEnv([["STORAGE", "files"]]))).toBe("files")
        expect(yield* storage(byProperty, all).pipe(withEnv([["STORAGE", "files"]]))).toBe("files")
        expect(yield* storage(byProperty, all).pipe(withEnv([["STORAGE", "memory"]]))).toBe("memory")
      }))

    it.effect("profiles and properties that cannot be read fail the resolution before it starts, all of them", () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(
          storage(flagged, {
            profiles: Config.array(Config.string(), "PROFILES"),
            properties: { storage: Config.string("STORAGE"), region: Config.string("REGION") }
          })
        ).pipe(withEnv([["REGION", "eu"]]))
        expect(error).toEqual(
          new Errors.ResolutionError({
            problems: [
              new Errors.InvalidConfig({ source: { _tag: "Profiles" }, cause: missing("PROFILES") }),
              new Errors.InvalidConfig({ source: { _tag: "Property", name: "storage" }, cause: missing("STORAGE") })
            ]
          })
        )
        expect(error.message).toBe(
          "2 problems resolving the graph:\n" +
            "  - the Config of the profiles cannot be read: (Missing data at PROFILES: \"Expected PROFILES to exist in the provided map\")\n" +
            "  - the Config of property \"storage\" cannot be read: (Missing data at STORAGE: \"Expected STORAGE to exist in the provided map\")"
        )
      }))

    it.effect("Resolver.resolveEffect reads the Configs; the pure Resolver.resolve says to use it", () =>
      Effect.gen(function*() {
        const plan = yield* Resolver.resolveEffect(flagged, [Api]).pipe(withEnv([["SEARCH_INDEX", "true"]]))
        expect(plan.nodes.map((node) => node.name)).toEqual(["Storage#2", "Api"])
        const result = Resolver.resolve(flagged, [Api])
        expect(Either.isLeft(result) && result.left.problems[0]).toEqual(
          new Errors.InvalidDeclaration({ path: [], subject: { _tag: "Condition", description: "config SEARCH_INDEX", guarded: ["Storage"] }, issues: [{ code: "ConfigNotRead" }] })
        )
        expect(Either.isLeft(result) && result.left.problems[0]!.message).toBe(
          "invalid condition \"config SEARCH_INDEX\" (guarding Storage): it reads an effect/Config that was not read before resolution: Resolver.resolve reads none (Resolver.resolveEffect, Registry.toLayer and App do), and only the Configs a condition declares are read (Condition.config, Condition.make's configs)"
        )
        // and a Config given as the profiles is a misuse types catch (JavaScript callers: a TypeError)
        expect(() => Resolver.resolve(flagged, [Api], { profiles: Config.array(Config.string()) } as unknown as Resolver.Options)).toThrow(
          "the profiles or properties are an effect/Config, which only an effectful resolution reads: resolve with Resolver.resolveEffect (Registry.toLayer and App read them too)"
        )
      }))

    it.effect("a condition made with Condition.make reads the Configs it declares; one it does not declare is not read", () =>
      Effect.gen(function*() {
        const workers = Config.integer("WORKERS")
        const declared = Condition.make("many workers", (environment) => environment.config(workers) > 4, [workers])
        const undeclared = Condition.make("undeclared", (environment) => environment.config(workers) > 4)
        const guarded = (condition: Condition.Condition) =>
          Registry.make(api, Registry.when(condition, Component.succeed(Storage, { kind: "pool" })))
        expect(yield* storage(guarded(declared)).pipe(withEnv([["WORKERS", "8"]]))).toBe("pool")
        expect(yield* storage(guarded(Condition.not(declared))).pipe(withEnv([["WORKERS", "2"]]))).toBe("pool")
        const error = yield* Effect.flip(storage(guarded(undeclared))).pipe(withEnv([["WORKERS", "8"]]))
        expect(error).toEqual(
          new Errors.ResolutionError({
            problems: [
              new Errors.InvalidDeclaration({ path: [], subject: { _tag: "Condition", description: "undeclared", guarded: ["Storage"] }, issues: [{ code: "ConfigNotRead" }] }),
              new Errors.MissingComponent({
                path: ["Api"],
                request: "Storage",
                available: ["Api"],
                suggestions: [],
                unqualified: [],
                excluded: [{ name: "Storage", condition: "undeclared, which could not be evaluated" }]
              })
            ]
          })
        )
      }))
  })

  describe("conditions on what the registry holds", () => {
    class Cache extends Context.Tag("Cache")<Cache, { readonly kind: string }>() {}
    class CacheMetrics extends Context.Tag("CacheMetrics")<CacheMetrics, { readonly of: string }>() {}

    const cache = (name: string, ...qualifiers: ReadonlyArray<string>) =>
      Component.succeed(Cache, { kind: name }).pipe(Component.named(name), Component.qualified(qualifiers))
    /** a library's module: its default cache unless the application registers one */
    const library = Registry.when(Condition.missing(Cache), cache("MemoryCache"))
    const namesOf = (result: Either.Either<{ readonly nodes: ReadonlyArray<{ readonly name: string }> }, Errors.ResolutionError>) =>
      Either.isRight(result) ? result.right.nodes.map((node) => node.name) : result.left.problems.map((problem) => problem.message)

    it("a library's default is kept when the application registers none, and dropped, from collections too, when it does", () => {
      expect(namesOf(Resolver.resolve(Registry.make(library), [Cache]))).toEqual(["MemoryCache"])
      // registered before or after the library's module: the same
      for (const registry of [Registry.make(library, cache("RedisCache")), Registry.make(cache("RedisCache"), library)]) {
        expect(namesOf(Resolver.resolve(registry, [Cache]))).toEqual(["RedisCache"])
        expect(namesOf(Resolver.resolve(registry, [Dependency.all(Cache)]))).toEqual(["RedisCache"])
        expect(Registry.components(registry, { service: Cache }).map((component) => component.name)).toEqual(["RedisCache"])
      }
    })

    it("an override or a component whose own condition holds counts; one whose condition is false does not", () => {
      const overridden = Registry.make(library).pipe(Registry.override([cache("TestCache")]))
      expect(namesOf(Resolver.resolve(overridden, [Dependency.all(Cache)]))).toEqual(["TestCache"])
      const guarded = Registry.make(library, Registry.when(Condition.profile("redis"), cache("RedisCache")))
      expect(namesOf(Resolver.resolve(guarded, [Cache]))).toEqual(["MemoryCache"])
      expect(namesOf(Resolver.resolve(guarded, [Cache], { profiles: ["redis"] }))).toEqual(["RedisCache"])
    })

    it("present holds when another component provides the request; components a presence condition guards never count", () => {
      const metrics = Registry.when(
        Condition.present(Cache),
        Component.make(CacheMetrics, { dependencies: [Cache], build: Effect.map(Cache, (cache) => ({ of: cache.kind })) })
      )
      expect(namesOf(Resolver.resolve(Registry.make(metrics, cache("RedisCache")), [CacheMetrics]))).toEqual(["RedisCache", "CacheMetrics"])
      // the library's default is guarded by a presence condition: it does not make the metrics present
      expect(namesOf(Resolver.resolve(Registry.make(metrics, library), [CacheMetrics]))).toEqual([
        "CacheMetrics: no component provides CacheMetrics (available: Cache); candidates excluded by their conditions: CacheMetrics (another component provides Cache: none does)"
      ])
      // two defaults guarded by missing(Cache) do not see each other: both are kept, and rank as usual
      const twoLibraries = Registry.make(library, Registry.when(Condition.missing(Cache), cache("LocalCache")))
      expect(namesOf(Resolver.resolve(twoLibraries, [Dependency.all(Cache)]))).toEqual(["MemoryCache", "LocalCache"])
      expect(namesOf(Resolver.resolve(twoLibraries, [Cache]))).toEqual([
        "Cache: 2 candidates tie for Cache (LocalCache, MemoryCache; none primary, equal order 0): mark one primary, the others alternative, give them different orders, or request one by qualifier or name"
      ])
    })

    it("presence conditions combine with the others by and, or and not, and describe themselves", () => {
      const prodDefault = Condition.and(Condition.profile("prod"), Condition.missing(Cache))
      expect(prodDefault.description).toBe("(profile prod) and (no other component provides Cache)")
      expect(Condition.not(Condition.present(Cache)).description).toBe("not (another component provides Cache)")
      const registry = (...items: ReadonlyArray<Registry.Item>) =>
        Registry.make(
          api,
          Registry.when(prodDefault, Component.succeed(Storage, { kind: "prod" })),
          Registry.when(Condition.or(Condition.profile("dev"), Condition.not(Condition.present(Cache))), Component.succeed(Storage, { kind: "dev" }).pipe(Component.alternative)),
          ...items
        )
      const kinds = (result: Either.Either<Plan.Any, Errors.ResolutionError>) =>
        Either.isRight(result) ? result.right.nodes.map((node) => node.name) : result.left.problems.map((problem) => problem.message)
      expect(kinds(Resolver.resolve(registry(), [Dependency.all(Storage)], { profiles: ["prod"] }))).toEqual(["Storage#1", "Storage#2"])
      expect(kinds(Resolver.resolve(registry(cache("RedisCache")), [Dependency.all(Storage)], { profiles: ["prod"] }))).toEqual([])
      expect(kinds(Resolver.resolve(registry(cache("RedisCache")), [Dependency.all(Storage)], { profiles: ["dev"] }))).toEqual(["Storage"])
      expect(kinds(Resolver.resolve(registry(cache("RedisCache")), [Api], { profiles: ["prod"] }))).toEqual([
        "Api -> Storage: no component provides Storage (available: Api, Cache); candidates excluded by their conditions: " +
        "Storage ((profile prod) and (no other component provides Cache: RedisCache does)), Storage ((profile dev) or (not (another component provides Cache: RedisCache does)))"
      ])
    })

    it.effect("a default left out is not in the plan: its options are not read, and the help lists them with what left it out", () =>
      Effect.gen(function*() {
        const CacheOptions = Options.make("memoryCache", { size: Schema.NumberFromString })
        const memory = Component.make(Cache, { dependencies: [CacheOptions], build: Effect.succeed({ kind: "memory" }) }).pipe(Component.named("MemoryCache"))
        const registry = Registry.make(Registry.when(Condition.missing(Cache), memory), cache("RedisCache"))
        const plan = yield* Resolver.resolveEffect(registry, [Dependency.all(Cache)])
        expect([plan.nodes.map((node) => node.name), plan.options]).toEqual([["RedisCache"], []])
        const leftOut = yield* Options.describeLeftOut(plan)
        expect(leftOut.map((option) => [option.options, option.key, option.components, option.conditions])).toEqual([
          ["memoryCache", "size", ["MemoryCache"], ["no other component provides Cache: RedisCache does"]]
        ])
      }).pipe(Effect.withConfigProvider(ConfigProvider.fromMap(new Map()))))

    it("a qualified or named request looks at the candidates with that qualifier or name; an override of the service provides them all", () => {
      const fastDefault = Registry.when(Condition.missing(Dependency.qualified(Cache, "fast")), cache("MemoryCache", "fast"))
      const request = Dependency.qualified(Cache, "fast")
      expect(namesOf(Resolver.resolve(Registry.make(fastDefault, cache("SlowCache", "slow")), [request]))).toEqual(["MemoryCache"])
      expect(namesOf(Resolver.resolve(Registry.make(fastDefault, cache("RedisCache", "fast")), [request]))).toEqual(["RedisCache"])
      expect(namesOf(Resolver.resolve(Registry.make(fastDefault).pipe(Registry.override([cache("TestCache")])), [request]))).toEqual(["TestCache"])
      const named = Registry.when(Condition.missing(Dependency.named(Cache, "main")), cache("main"))
      expect(namesOf(Resolver.resolve(Registry.make(named, cache("other")), [Dependency.named(Cache, "main")]))).toEqual(["main"])
      expect(Condition.missing(request).description).toBe("no other component provides Cache@fast")
    })

    it("a missing request names what provides it where it excluded a candidate", () => {
      const result = Resolver.resolve(Registry.make(Registry.when(Condition.missing(Cache), cache("MemoryCache", "memory")), cache("RedisCache")), [
        Dependency.qualified(Cache, "memory")
      ])
      expect(Either.isLeft(result) && result.left.problems).toEqual([
        new Errors.MissingComponent({
          path: [],
          request: "Cache@memory",
          available: ["Cache"],
          suggestions: [],
          unqualified: ["RedisCache"],
          excluded: [{ name: "MemoryCache", condition: "no other component provides Cache: RedisCache does" }]
        })
      ])
    })

    it("a presence condition read outside a guard, and one of a request that is not a service, are misuses said as such", () => {
      const hidden = Condition.make("hidden", (environment) => Condition.missing(Cache).test(environment))
      const result = Resolver.resolve(Registry.make(api, Registry.when(hidden, Component.succeed(Storage, { kind: "x" }))), [Storage])
      expect(Either.isLeft(result) && result.left.problems.map((problem) => problem.message)[0]).toBe(
        "invalid condition \"hidden\" (guarding Storage): it threw: \"no other component provides Cache\" reads the registry, which only the resolver gives it: guard components with it (Registry.when), combined with Condition.and/or/not, not inside Condition.make"
      )
      expect(() => Condition.missing(Dependency.all(Cache))).toThrow(
        "Condition.missing: All<Cache> is not a service request; missing applies to a tag or a qualified/named request"
      )
    })

    it("what presence conditions keep does not depend on registration order", () => {
      class Queue extends Context.Tag("Queue")<Queue, string>() {}
      const services = [Cache, Queue] as const
      const guards = [
        (service: 0 | 1) => Condition.missing(services[service]),
        (service: 0 | 1) => Condition.present(services[service]),
        (service: 0 | 1) => Condition.not(Condition.missing(services[service])),
        (_: 0 | 1) => Condition.profile("on"),
        (service: 0 | 1) => Condition.and(Condition.profile("on"), Condition.missing(services[service]))
      ]
      const item = fc.record({
        service: fc.constantFrom(0 as const, 1 as const),
        guard: fc.option(fc.record({ kind: fc.nat({ max: guards.length - 1 }), on: fc.constantFrom(0 as const, 1 as const) }), { nil: undefined }),
        override: fc.boolean()
      })
      fc.assert(
        fc.property(fc.array(item, { maxLength: 8 }), fc.boolean(), (items, on) => {
          const made = items.map(({ guard, override, service }, position) => {
            const component = Component.succeed(services[service] as typeof Cache, { kind: `c${position}` }).pipe(Component.named(`c${position}`))
            const entry = override ? Registry.empty.pipe(Registry.override([component])) : Registry.make(component)
            return guard === undefined ? entry : Registry.when(guards[guard.kind]!(guard.on), entry)
          })
          const kept = (registry: Registry.Registry) =>
            Registry.components(registry, {}, { profiles: on ? ["on"] : [] }).map((component) => component.name).sort()
          const expected = kept(Registry.make(...made))
          expect(kept(Registry.make(...[...made].reverse()))).toEqual(expected)
          expect(kept(Registry.make(...made.slice(1), ...made.slice(0, 1)))).toEqual(expected)
        }),
        { seed: 20261212 }
      )
    })
  })
})
