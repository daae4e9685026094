import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Context, Effect, Either, Exit, Redacted, Ref, Schema } from "effect"
import * as FastCheck from "effect/FastCheck"
import { inspect } from "node:util"
import { App, Component, Condition, Errors, Family, Options, Plan, Registry, Resolver, Testing } from "../src/index.js"

const DbOptions = Options.make("db", {
  url: Schema.String.annotations({ description: "where the database listens" }),
  poolSize: Schema.optionalWith(Schema.NumberFromString.pipe(Schema.int()), { default: () => 10 }),
  password: Schema.Redacted(Schema.String)
})

class Database extends Context.Tag("Database")<Database, { readonly url: string; readonly poolSize: number; readonly password: string }>() {}
class Api extends Context.Tag("Api")<Api, { readonly db: string }>() {}

const DatabaseLive = Component.make(Database, {
  dependencies: [DbOptions],
  build: Effect.map(DbOptions, (options) => ({ url: options.url, poolSize: options.poolSize, password: Redacted.value(options.password) }))
})
const ApiLive = Component.make(Api, { dependencies: [Database], build: Effect.map(Database, (db) => ({ db: db.url })) })
const registry = Registry.make(ApiLive, DatabaseLive)

const withProvider = (input: Options.ProviderInput) => <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.withConfigProvider(effect, Options.provider(input))

const database = Effect.provide(Database, Registry.toLayer(registry, [Database]))
const planOf = Either.getOrThrow(Resolver.resolve(registry, [Api]))

describe("Options", () => {
  it("isOptions recognises options tags (a family's members too), isFamily families; neither takes a plain tag", () => {
    const Db = Options.make("db", { url: Schema.String })
    const Kube = Options.family("kube", { url: Schema.String })
    const values = [Db, Kube, Kube.of("eu"), Context.GenericTag<string>("db"), { name: "db" }, null]
    expect(values.map(Options.isOptions)).toEqual([true, false, true, false, false, false])
    expect(values.map(Options.isFamily)).toEqual([false, true, false, false, false, false])
  })

  it("a family's member of an empty key fails where it is requested, showing the key quoted", () => {
    const Kube = Options.family("kube", { url: Schema.String })
    expect(() => Kube.of("")).toThrow(new TypeError("Options.family: the key of a member of kube must be a non-empty string, got \"\""))
  })

  it("a family of options shows its name in toString, toJSON and util.inspect", () => {
    const Kube = Options.family("kube", { url: Schema.String })
    expect(String(Kube)).toBe("Options.Family(kube)")
    expect(inspect(Kube)).toBe(inspect({ _id: "Options.Family", name: "kube" }))
  })

  it("options show their name and keys in toString, toJSON and util.inspect, a family's member too", () => {
    // Regression: they printed as the Context.Tag they are, its key and its stack trace
    const Db = Options.make("db", { url: Schema.String, poolSize: Schema.NumberFromString })
    const Eu = Options.family("kube", { url: Schema.String }).of("eu")
    expect([String(Db), String(Eu)]).toEqual(["Options<db>", "Options<kube(eu)>"])
    expect(Db.toJSON()).toEqual({ _id: "Options", name: "db", keys: ["url", "poolSize"] })
    expect(inspect(Eu)).toBe(inspect({ _id: "Options", name: "kube(eu)", keys: ["url"] }))
  })

  describe("reading", () => {
    it.effect("a component reads its options, decoded by their schema, with their defaults", () =>
      Effect.gen(function*() {
        const db = yield* database.pipe(withProvider({ env: { DB_URL: "postgres://db", DB_PASSWORD: "hunter2" } }))
        expect(db).toEqual({ url: "postgres://db", poolSize: 10, password: "hunter2" })
      }))

    it.effect("an options request resolves to the options themselves, with the rule options", () =>
      Effect.sync(() => {
        const node = planOf.nodes.find((candidate) => candidate.name === "Database")!
        expect(node.dependencies.map((edge) => [edge.request.label, edge.targets, edge.choice])).toEqual([
          ["Options<db>", [], { rule: "options", considered: [] }]
        ])
        expect(planOf.options).toEqual([DbOptions])
      }))

    it.effect("two missing values and an invalid one are reported together, with the path, before any constructor runs", () =>
      Effect.gen(function*() {
        const built = yield* Ref.make(0)
        const counted = Registry.make(
          Component.make(Api, { dependencies: [Database], build: Effect.as(Ref.update(built, (n) => n + 1), { db: "" }) }),
          DatabaseLive
        )
        const error = yield* Effect.flip(
          Effect.provide(Api, Registry.toLayer(counted, [Api])).pipe(withProvider({ env: { DB_POOL_SIZE: "ten" } }))
        )
        expect(error).toEqual(
          new Errors.InvalidOptions({
            problems: [
              {
                path: ["Api", "Database"], options: "db", key: "url", flag: "--db-url", variable: "DB_URL",
                expected: "string", got: undefined, from: undefined, reason: "missing"
              },
              {
                path: ["Api", "Database"], options: "db", key: "poolSize", flag: "--db-pool-size", variable: "DB_POOL_SIZE",
                expected: "int", got: "\"ten\"", from: "environment variable DB_POOL_SIZE",
                reason: "Unable to decode \"ten\" into a number"
              },
              {
                path: ["Api", "Database"], options: "db", key: "password", flag: "--db-password", variable: "DB_PASSWORD",
                expected: "string", got: undefined, from: undefined, reason: "missing"
              }
            ]
          })
        )
        expect(error.message).toBe(
          [
            "3 invalid options:",
            "  - Api -> Database: option --db-url (DB_URL) is missing; expected string",
            "  - Api -> Database: option --db-pool-size: expected int, got \"ten\" (environment variable DB_POOL_SIZE): Unable to decode \"ten\" into a number",
            "  - Api -> Database: option --db-password (DB_PASSWORD) is missing; expected string"
          ].join("\n")
        )
        expect(yield* Ref.get(built)).toBe(0)
      }))

    it.effect("a problem is told once, with the first path and the other components that need the options, directly or not", () =>
      Effect.gen(function*() {
        // Regression: only Poller -> Upstream was told; Dispatcher and Audit cannot be built either
        const UpstreamOptions = Options.make("upstream", { url: Schema.String })
        class Upstream extends Context.Tag("Upstream")<Upstream, string>() {}
        class Audit extends Context.Tag("Audit")<Audit, string>() {}
        class Poller extends Context.Tag("Poller")<Poller, string>() {}
        class Dispatcher extends Context.Tag("Dispatcher")<Dispatcher, string>() {}
        const reading = { dependencies: [UpstreamOptions], build: Effect.map(UpstreamOptions, (options) => options.url) }
        const plan = Either.getOrThrow(Resolver.resolve(
          Registry.make(
            Component.make(Upstream, reading),
            Component.make(Audit, reading),
            Component.make(Poller, { dependencies: [Upstream], build: Upstream }),
            Component.make(Dispatcher, { dependencies: [Upstream, Audit], build: Audit })
          ),
          [Poller, Dispatcher]
        ))
        const error = yield* Effect.flip(Options.validate(plan).pipe(withProvider({})))
        expect(error.problems).toEqual([{
          path: ["Poller", "Upstream"], alsoNeededBy: ["Audit", "Dispatcher"], options: "upstream", key: "url", flag: "--upstream-url",
          variable: "UPSTREAM_URL", expected: "string", got: undefined, from: undefined, reason: "missing"
        }])
        expect(error.message).toBe(
          "1 invalid option:\n  - Poller -> Upstream (also needed by Audit, Dispatcher): option --upstream-url (UPSTREAM_URL) is missing; expected string"
        )
        // one path is all there is: nothing more is said
        const alone = yield* Effect.flip(Options.validate(Either.getOrThrow(Resolver.resolve(Registry.make(Component.make(Upstream, reading)), [Upstream]))).pipe(withProvider({})))
        expect(alone.problems[0]).not.toHaveProperty("alsoNeededBy")
      }))

    it.effect("every problem of the options says who else needs them: each missing field's, and a shared flag's", () =>
      Effect.gen(function*() {
        const Db = Options.make("db", { poolSize: Schema.String, url: Schema.String })
        const DbPool = Options.make("db-pool", { size: Schema.optionalWith(Schema.String, { default: () => "20" }) })
        class Pool extends Context.Tag("Pool")<Pool, string>() {}
        class Api extends Context.Tag("Api")<Api, string>() {}
        class Jobs extends Context.Tag("Jobs")<Jobs, string>() {}
        const plan = Either.getOrThrow(Resolver.resolve(
          Registry.make(
            Component.make(Pool, { dependencies: [Db, DbPool], build: Effect.map(Db, (db) => db.url) }),
            Component.make(Api, { dependencies: [Pool], build: Pool }),
            Component.make(Jobs, { dependencies: [Pool], build: Pool })
          ),
          [Api, Jobs]
        ))
        const error = yield* Effect.flip(Options.validate(plan).pipe(withProvider({})))
        expect(error.problems.map((problem) => [problem.options, problem.key, problem.path, problem.alsoNeededBy, problem.reason])).toEqual([
          ["db", "poolSize", ["Api", "Pool"], ["Jobs"], "missing"],
          ["db", "url", ["Api", "Pool"], ["Jobs"], "missing"],
          ["db-pool", "size", ["Api", "Pool"], ["Jobs"], "shares its flag with poolSize of db"]
        ])
      }))

    it.effect("a secret's value is never printed: not in a problem, not in the help", () =>
      Effect.gen(function*() {
        const Secret = Options.make("api", { token: Schema.Redacted(Schema.String.pipe(Schema.minLength(10))) })
        class Client extends Context.Tag("Client")<Client, string>() {}
        const secretRegistry = Registry.make(
          Component.make(Client, { dependencies: [Secret], build: Effect.map(Secret, (o) => Redacted.value(o.token)) })
        )
        const plan = Either.getOrThrow(Resolver.resolve(secretRegistry, [Client]))
        const given = withProvider({ argv: ["--api-token", "s3cr3t"] })
        const error = yield* Effect.flip(Effect.provide(Client, Plan.toLayer(plan)).pipe(given))
        if (error._tag !== "InvalidOptions") throw new Error(`expected InvalidOptions, got ${error._tag}`)
        const help = yield* Options.help(plan).pipe(given)
        const described = yield* Options.describe(plan).pipe(given)
        for (const text of [error.message, JSON.stringify(error.problems), help, JSON.stringify(described)]) {
          expect(text).not.toContain("s3cr3t")
        }
        expect(error.problems.map((problem) => problem.got)).toEqual(["<redacted>"])
        expect(described.map((option) => option.value)).toEqual(["<redacted>"])
      }))

    it.effect("a flag wins over an environment variable, which wins over the file", () =>
      Effect.gen(function*() {
        const Sources = Options.make("s", { a: Schema.String, b: Schema.String, c: Schema.String })
        class Read extends Context.Tag("Read")<Read, string>() {}
        const sourced = Registry.make(Component.make(Read, { dependencies: [Sources], build: Effect.map(Sources, (o) => `${o.a} ${o.b} ${o.c}`) }))
        const plan = Either.getOrThrow(Resolver.resolve(sourced, [Read]))
        const given = withProvider({
          argv: ["--s-a=flag"],
          env: { S_A: "env", S_B: "env" },
          file: { s: { a: "file", b: "file", c: "file" } }
        })
        expect(yield* Effect.provide(Read, Plan.toLayer(plan)).pipe(given)).toBe("flag env file")
        const described = yield* Options.describe(plan).pipe(given)
        expect(described.map((option) => [option.flag, option.source, option.from])).toEqual([
          ["--s-a", "flag", "--s-a"],
          ["--s-b", "environment", "S_B"],
          ["--s-c", "file", "s.c"]
        ])
      }))

    it.effect("options named with a dot (Spring's inventory.http) are read from the file's nested keys, as a YAML file nests them, and from its key of that name", () =>
      Effect.gen(function*() {
        const HttpOptions = Options.make("inventory.http", { port: Schema.NumberFromString, host: Schema.String })
        class Read extends Context.Tag("Read")<Read, string>() {}
        const plan = Either.getOrThrow(Resolver.resolve(
          Registry.make(Component.make(Read, { dependencies: [HttpOptions], build: Effect.map(HttpOptions, (o) => `${o.host}:${o.port}`) })),
          [Read]
        ))
        const given = withProvider({ file: { inventory: { http: { port: 8081 } }, "inventory.http": { host: "localhost" } } })
        expect(yield* Effect.provide(Read, Plan.toLayer(plan)).pipe(given)).toBe("localhost:8081")
        const described = yield* Options.describe(plan).pipe(given)
        expect(described.map((option) => [option.flag, option.source, option.from])).toEqual([
          ["--inventory-http-port", "file", "inventory.http.port"],
          ["--inventory-http-host", "file", "inventory.http.host"]
        ])
      }))

    it.effect("the precedence holds for any values given in any sources", () =>
      Effect.gen(function*() {
        const One = Options.make("one", { value: Schema.String })
        const text = FastCheck.stringMatching(/^[a-z0-9]{1,8}$/)
        const sources = FastCheck.record(
          { flag: FastCheck.option(text, { nil: undefined }), env: FastCheck.option(text, { nil: undefined }), file: FastCheck.option(text, { nil: undefined }) }
        )
        const samples = FastCheck.sample(sources, { numRuns: 100, seed: 16 })
        class Read extends Context.Tag("Read")<Read, string>() {}
        const plan = Either.getOrThrow(
          Resolver.resolve(Registry.make(Component.make(Read, { dependencies: [One], build: Effect.map(One, (o) => o.value) })), [Read])
        )
        for (const sample of samples) {
          const input: Options.ProviderInput = {
            argv: sample.flag === undefined ? [] : ["--one-value", sample.flag],
            env: sample.env === undefined ? {} : { ONE_VALUE: sample.env },
            file: sample.file === undefined ? {} : { one: { value: sample.file } }
          }
          const exit = yield* Effect.exit(Effect.provide(Read, Plan.toLayer(plan)).pipe(withProvider(input)))
          const expected = sample.flag ?? sample.env ?? sample.file
          expect(exit).toEqual(
            expected === undefined
              ? Exit.fail(new Errors.InvalidOptions({
                problems: [{
                  path: ["Read"], options: "one", key: "value", flag: "--one-value", variable: "ONE_VALUE",
                  expected: "string", got: undefined, from: undefined, reason: "missing"
                }]
              }))
              : Exit.succeed(expected)
          )
        }
      }))

    it.effect("any ConfigProvider serves options: Effect's own from a map", () =>
      Effect.gen(function*() {
        const db = yield* database.pipe(
          Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["db.url", "postgres://map"], ["db.password", "pw"], ["db.poolSize", "3"]])))
        )
        expect(db).toEqual({ url: "postgres://map", poolSize: 3, password: "pw" })
      }))

    it.effect("a missing option read by another ConfigProvider than Options.provider says where it was looked for, not only the flag and variable it does not read", () =>
      Effect.gen(function*() {
        // the variable named by the flag's convention, in a provider that reads db.url and db.password
        const error = yield* Effect.flip(database.pipe(
          Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["DB_URL", "postgres://map"], ["db.password", "pw"]])))
        ))
        expect(error._tag === "InvalidOptions" ? error.problems : error).toEqual([{
          path: ["Database"], options: "db", key: "url", flag: "--db-url", variable: "DB_URL",
          expected: "string", got: undefined, from: "the ConfigProvider at db.url", reason: "missing"
        }])
        expect(error.message).toBe(
          "1 invalid option:\n  - Database: option --db-url is missing (looked for in the ConfigProvider at db.url; the flag and DB_URL are read through Options.provider, as runMain does); expected string"
        )
      }))

    it.effect("a missing option names the variable or file key that spells it another way (.NET's Orders__MaxLines, a file's Orders.MaxLines), never its value", () =>
      Effect.gen(function*() {
        const OrdersOptions = Options.make("orders", {
          maxLines: Schema.NumberFromString,
          region: Schema.String,
          token: Schema.Redacted(Schema.String),
          currency: Schema.String
        })
        class Orders extends Context.Tag("Orders")<Orders, unknown>() {}
        const orders = Registry.make(Component.make(Orders, { dependencies: [OrdersOptions], build: OrdersOptions }))
        const error = yield* Effect.flip(Effect.provide(Orders, Registry.toLayer(orders, [Orders])).pipe(withProvider({
          env: { Orders__MaxLines: "5", "orders:token": "hunter2", PATH: "/usr/bin" },
          file: { Orders: { Region: "eu", Limits: { MaxLines: 3 } }, "orders.currency": "EUR" }
        })))
        expect(error._tag === "InvalidOptions" ? error.problems.map((problem) => problem.reason) : error).toEqual([
          "missing (the environment has Orders__MaxLines: the variable is ORDERS_MAX_LINES)",
          "missing (the options file has Orders.Region: the key is orders.region)",
          "missing (the environment has orders:token: the variable is ORDERS_TOKEN)",
          "missing (the options file has \"orders.currency\": the key is orders.currency)"
        ])
        expect(error.message).toBe([
          "4 invalid options:",
          "  - Orders: option --orders-max-lines (ORDERS_MAX_LINES) is missing (the environment has Orders__MaxLines: the variable is ORDERS_MAX_LINES); expected number",
          "  - Orders: option --orders-region (ORDERS_REGION) is missing (the options file has Orders.Region: the key is orders.region); expected string",
          "  - Orders: option --orders-token (ORDERS_TOKEN) is missing (the environment has orders:token: the variable is ORDERS_TOKEN); expected string",
          "  - Orders: option --orders-currency (ORDERS_CURRENCY) is missing (the options file has \"orders.currency\": the key is orders.currency); expected string"
        ].join("\n"))
      }))

    it.effect("a name another option reads is not said to spell a missing one; a name that spells two options so is said of both", () =>
      Effect.gen(function*() {
        // names that differ only in case make two flags when the case splits words: --orders-max-lines, --orders-maxlines
        const OrdersOptions = Options.make("orders", { maxLines: Schema.NumberFromString, maxlines: Schema.NumberFromString })
        class Orders extends Context.Tag("Orders")<Orders, unknown>() {}
        const orders = Effect.provide(Orders, Registry.toLayer(Registry.make(Component.make(Orders, { dependencies: [OrdersOptions], build: OrdersOptions })), [Orders]))
        const exact = yield* Effect.flip(orders.pipe(withProvider({ env: { ORDERS_MAXLINES: "2" } })))
        expect(exact.message).toBe("1 invalid option:\n  - Orders: option --orders-max-lines (ORDERS_MAX_LINES) is missing; expected number")
        const both = yield* Effect.flip(orders.pipe(withProvider({ env: { Orders__MaxLines: "2" } })))
        expect(both.message).toBe([
          "2 invalid options:",
          "  - Orders: option --orders-max-lines (ORDERS_MAX_LINES) is missing (the environment has Orders__MaxLines: the variable is ORDERS_MAX_LINES); expected number",
          "  - Orders: option --orders-maxlines (ORDERS_MAXLINES) is missing (the environment has Orders__MaxLines: the variable is ORDERS_MAXLINES); expected number"
        ].join("\n"))
      }))

    it.effect("an invalid option read by another ConfigProvider than Options.provider says where it was read, as a missing one does", () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(database.pipe(
          Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["db.url", "postgres://map"], ["db.password", "pw"], ["db.poolSize", "many"]])))
        ))
        expect(error._tag === "InvalidOptions" ? error.problems : error).toEqual([{
          path: ["Database"], options: "db", key: "poolSize", flag: "--db-pool-size", variable: "DB_POOL_SIZE",
          expected: "int", got: "\"many\"", from: "the ConfigProvider at db.poolSize", reason: "Unable to decode \"many\" into a number"
        }])
        expect(error.message).toBe(
          "1 invalid option:\n  - Database: option --db-pool-size: expected int, got \"many\" (the ConfigProvider at db.poolSize): Unable to decode \"many\" into a number"
        )
      }))

    it.effect("a flag given alone is a value only for a boolean option: a string or a secret given so is invalid, never \"true\"", () =>
      Effect.gen(function*() {
        const Flags = Options.make("feature", { verbose: Schema.BooleanFromString, name: Schema.String })
        class Feature extends Context.Tag("Feature")<Feature, { readonly verbose: boolean; readonly name: string }>() {}
        const reading = Component.make(Feature, { dependencies: [Flags], build: Flags })
        const layer = Registry.toLayer(Registry.make(reading, DatabaseLive), [Feature, Database])
        // `$UNSET` expanded to nothing by the shell: `--db-password --db-url x`
        const argv = ["--feature-verbose", "--feature-name", "--db-password", "--db-url", "postgres://flag"]
        const error = yield* Effect.flip(Effect.provide(Feature, layer).pipe(withProvider({ argv })))
        expect(error._tag === "InvalidOptions" ? error.problems.map((problem) => [problem.flag, problem.got, problem.reason]) : error).toEqual([
          ["--feature-name", "\"true\"", "the flag was given without a value (a flag alone is true, for a boolean option)"],
          ["--db-password", "<redacted>", "the flag was given without a value (a flag alone is true, for a boolean option)"]
        ])
        // the last one given counts: a value after a bare one is read
        const named = yield* Effect.provide(Feature, Registry.toLayer(Registry.make(reading), [Feature])).pipe(
          withProvider({ argv: ["--feature-verbose", "--feature-name", "--feature-name=x"] })
        )
        expect(named).toEqual({ verbose: true, name: "x" })
      }))

    it.effect("a component of the options' tag gives them instead: nothing is read", () =>
      Effect.gen(function*() {
        const tested = registry.pipe(Testing.value(DbOptions, { url: "postgres://test", poolSize: 1, password: Redacted.make("pw") }))
        const plan = Either.getOrThrow(Resolver.resolve(tested, [Database]))
        expect(plan.options).toEqual([])
        expect(yield* Effect.provide(Database, Plan.toLayer(plan)).pipe(withProvider({}))).toEqual({
          url: "postgres://test", poolSize: 1, password: "pw"
        })
      }))

    it.effect("options with one value are the flag named like them", () =>
      Effect.gen(function*() {
        const Verbose = Options.make("verbose", Schema.BooleanFromString)
        class Logger extends Context.Tag("Logger")<Logger, boolean>() {}
        const layer = Registry.toLayer(Registry.make(Component.make(Logger, { dependencies: [Verbose], build: Verbose })), [Logger])
        expect(yield* Effect.provide(Logger, layer).pipe(withProvider({ argv: ["--verbose"] }))).toBe(true)
        expect(yield* Effect.provide(Logger, layer).pipe(withProvider({ env: { VERBOSE: "false" } }))).toBe(false)
      }))

    it.effect("two options named alike (db's poolSize, db-pool's size) are one flag: reported, whatever is given", () =>
      Effect.gen(function*() {
        const Db = Options.make("db", { poolSize: Schema.optionalWith(Schema.String, { default: () => "10" }) })
        const DbPool = Options.make("db-pool", { size: Schema.optionalWith(Schema.String, { default: () => "20" }) })
        class Pools extends Context.Tag("Pools")<Pools, string>() {}
        const pools = Registry.make(
          Component.make(Pools, { dependencies: [Db, DbPool], build: Effect.map(Effect.all([Db, DbPool]), ([a, b]) => `${a.poolSize} ${b.size}`) })
        )
        const error = yield* Effect.flip(Effect.provide(Pools, Registry.toLayer(pools, [Pools])).pipe(withProvider({})))
        if (error._tag !== "InvalidOptions") throw new Error(`expected InvalidOptions, got ${error._tag}`)
        expect(error.problems.map((problem) => [problem.path, problem.options, problem.key, problem.flag, problem.reason])).toEqual([
          [["Pools"], "db-pool", "size", "--db-pool-size", "shares its flag with poolSize of db"]
        ])
      }))
  })

  describe("App", () => {
    it.effect("App reads every option before anything runs: InvalidOptions lists them all, no constructor ran", () =>
      Effect.gen(function*() {
        const built = yield* Ref.make<ReadonlyArray<string>>([])
        const recorded = Registry.make(
          Component.make(Api, { dependencies: [Database], build: Effect.as(Ref.update(built, (names) => [...names, "Api"]), { db: "" }) }),
          Component.make(Database, {
            dependencies: [DbOptions],
            build: Effect.flatMap(DbOptions, (options) =>
              Effect.as(Ref.update(built, (names) => [...names, "Database"]), { url: options.url, poolSize: options.poolSize, password: "" }))
          })
        )
        const error = yield* Effect.flip(App.run(App.make(recorded, { roots: [Api] })).pipe(withProvider({ argv: ["--db-pool-size", "1.5"] })))
        expect(error._tag).toBe("InvalidOptions")
        expect(error.message).toBe(
          [
            "3 invalid options:",
            "  - Api -> Database: option --db-url (DB_URL) is missing; expected string",
            "  - Api -> Database: option --db-pool-size: expected int, got \"1.5\" (flag --db-pool-size): Expected an integer, actual 1.5",
            "  - Api -> Database: option --db-password (DB_PASSWORD) is missing; expected string"
          ].join("\n")
        )
        expect(yield* Ref.get(built)).toEqual([])
      }))

    it.effect("App builds with the options read", () =>
      Effect.gen(function*() {
        const [api, report] = yield* Effect.scoped(Effect.gen(function*() {
          const running = yield* App.start(App.make(registry, { roots: [Api] }))
          return [Context.get(running.context, Api), yield* App.stop(running)] as const
        })).pipe(withProvider({ env: { DB_URL: "postgres://app", DB_PASSWORD: "pw" } }))
        expect(api).toEqual({ db: "postgres://app" })
        expect(report.success).toBe(true)
      }))
  })

  describe("families", () => {
    it.effect("the options of family members are namespaced by name(args)", () =>
      Effect.gen(function*() {
        const KubeOptions = Options.family("kube", { url: Schema.String })
        class KubeClient extends Context.Tag("KubeClient")<KubeClient, string>() {}
        const Clients = Family.make(KubeClient, {
          key: (args: { readonly cluster: string }) => args.cluster,
          dependencies: (args) => [KubeOptions.of(args.cluster)],
          build: (args) => Effect.map(KubeOptions.of(args.cluster), (options) => options.url)
        })
        class Both extends Context.Tag("Both")<Both, ReadonlyArray<string>>() {}
        const Eu = Clients.of({ cluster: "eu" })
        const Us = Clients.of({ cluster: "us" })
        const kube = Registry.make(
          Clients,
          Component.make(Both, { dependencies: [Eu, Us], build: Effect.all([Eu, Us]) })
        )
        const plan = Either.getOrThrow(Resolver.resolve(kube, [Both]))
        const given = withProvider({ argv: ["--kube-eu-url", "https://eu"], file: { kube: { us: { url: "https://us" } } } })
        expect(yield* Effect.provide(Both, Plan.toLayer(plan)).pipe(given)).toEqual(["https://eu", "https://us"])
        expect(KubeOptions.of("eu")).toBe(KubeOptions.of("eu"))
        const described = yield* Options.describe(plan).pipe(given)
        expect(described.map((option) => [option.options, option.components, option.flag, option.variable, option.source, option.from])).toEqual([
          ["kube(eu)", ["KubeClient(eu)"], "--kube-eu-url", "KUBE_EU_URL", "flag", "--kube-eu-url"],
          ["kube(us)", ["KubeClient(us)"], "--kube-us-url", "KUBE_US_URL", "file", "kube.us.url"]
        ])
      }))

    it.effect("members whose keys differ only in case or punctuation share no flag unnoticed: InvalidOptions names both, nothing is built", () =>
      Effect.gen(function*() {
        const KubeOptions = Options.family("kube", { url: Schema.String })
        class KubeClient extends Context.Tag("KubeClient")<KubeClient, string>() {}
        const built = yield* Ref.make(0)
        const Clients = Family.make(KubeClient, {
          key: (cluster: string) => cluster,
          dependencies: (cluster) => [KubeOptions.of(cluster)],
          build: (cluster) => Effect.zipRight(Ref.update(built, (n) => n + 1), Effect.map(KubeOptions.of(cluster), (options) => options.url))
        })
        class Both extends Context.Tag("Both")<Both, ReadonlyArray<string>>() {}
        const Dotted = Clients.of("eu.west")
        const Cased = Clients.of("EU_West")
        const kube = Registry.make(Clients, Component.make(Both, { dependencies: [Dotted, Cased], build: Effect.all([Dotted, Cased]) }))
        const error = yield* Effect.flip(
          Effect.provide(Both, Registry.toLayer(kube, [Both])).pipe(withProvider({ argv: ["--kube-eu-west-url", "https://eu"] }))
        )
        expect(error).toEqual(
          new Errors.InvalidOptions({
            problems: [{
              path: ["Both", "KubeClient(EU_West)"], options: "kube(EU_West)", key: "url", flag: "--kube-eu-west-url",
              variable: "KUBE_EU_WEST_URL", expected: "string", got: undefined, from: undefined,
              reason: "shares its flag with url of kube(eu.west)"
            }]
          })
        )
        expect(error.message).toBe(
          "1 invalid option:\n  - Both -> KubeClient(EU_West): option url of kube(EU_West) has the flag --kube-eu-west-url and the variable " +
            "KUBE_EU_WEST_URL of option url of kube(eu.west), so neither can be set apart from the other: rename one (names and keys " +
            "that differ only in case or punctuation share their flag)"
        )
        expect(yield* Ref.get(built)).toBe(0)
      }))

    it.effect("two modules' options of one name and key share no flag unnoticed: InvalidOptions says the name is declared twice, nothing is built", () =>
      Effect.gen(function*() {
        // two libraries, each with its own Options.make("pg", { host }): both would read --pg-host
        const PoolOptions = Options.make("pg", { host: Schema.String })
        const QueueOptions = Options.make("pg", { host: Schema.String, channel: Schema.String })
        class Pool extends Context.Tag("acme/Pool")<Pool, string>() {}
        class Jobs extends Context.Tag("other/Jobs")<Jobs, string>() {}
        const built = yield* Ref.make(0)
        const modules = Registry.make(
          Component.make(Pool, { dependencies: [PoolOptions], build: Effect.zipRight(Ref.update(built, (n) => n + 1), Effect.map(PoolOptions, (o) => o.host)) }),
          Component.make(Jobs, { dependencies: [QueueOptions], build: Effect.zipRight(Ref.update(built, (n) => n + 1), Effect.map(QueueOptions, (o) => o.channel)) })
        )
        const error = yield* Effect.flip(
          Effect.provide(Effect.all([Pool, Jobs]), Registry.toLayer(modules, [Pool, Jobs])).pipe(
            withProvider({ argv: ["--pg-host", "db", "--pg-channel", "jobs"] })
          )
        )
        expect(error).toEqual(
          new Errors.InvalidOptions({
            problems: [{
              path: ["other/Jobs"], options: "pg", key: "host", flag: "--pg-host", variable: "PG_HOST", expected: "string",
              got: undefined, from: undefined, reason: "shares its flag with host of other options named pg"
            }]
          })
        )
        expect(error.message).toBe(
          "1 invalid option:\n  - other/Jobs: option host of pg has the flag --pg-host and the variable PG_HOST of option host of other " +
            "options named pg, so neither can be set apart from the other: rename one (two Options.make of one name share their flags: " +
            "give each module's options a name of its own)"
        )
        expect(yield* Ref.get(built)).toBe(0)
      }))
  })

  describe("help", () => {
    it.effect("the help heads two options of one name apart, each with the components reading it", () =>
      Effect.gen(function*() {
        const PoolOptions = Options.make("pg", { host: Schema.String })
        const QueueOptions = Options.make("pg", { channel: Schema.String })
        class Pool extends Context.Tag("acme/Pool")<Pool, string>() {}
        class Jobs extends Context.Tag("other/Jobs")<Jobs, string>() {}
        const plan = Either.getOrThrow(Resolver.resolve(Registry.make(
          Component.make(Pool, { dependencies: [PoolOptions], build: Effect.map(PoolOptions, (o) => o.host) }),
          Component.make(Jobs, { dependencies: [QueueOptions], build: Effect.map(QueueOptions, (o) => o.channel) })
        ), [Pool, Jobs]))
        expect(yield* Options.help(plan).pipe(withProvider({ argv: ["--pg-host", "db"] }))).toBe([
          "Options:",
          "",
          "  pg (acme/Pool)",
          "    --pg-host <string, required>  env PG_HOST",
          "        value: \"db\" (flag --pg-host)",
          "",
          "  pg (other/Jobs)",
          "    --pg-channel <string, required>  env PG_CHANNEL",
          "        value: not given"
        ].join("\n"))
      }))

    it.effect("the help lists the plan's options: flag, type, default, secret, variable, description, value and source", () =>
      Effect.gen(function*() {
        const help = yield* Options.help(planOf).pipe(withProvider({ argv: ["--db-url", "postgres://db"], env: { DB_PASSWORD: "pw" } }))
        expect(help).toBe(
          [
            "Options:",
            "",
            "  db (Database)",
            "    --db-url <string, required>  env DB_URL",
            "        where the database listens",
            "        value: \"postgres://db\" (flag --db-url)",
            "    --db-pool-size <int, default 10>  env DB_POOL_SIZE",
            "        value: 10 (default)",
            "    --db-password <string, required, secret>  env DB_PASSWORD",
            "        value: <redacted> (environment variable DB_PASSWORD)"
          ].join("\n")
        )
      }))

    it.effect("describe gives the help as data", () =>
      Effect.gen(function*() {
        const described = yield* Options.describe(planOf).pipe(withProvider({}))
        expect(described[0]).toEqual({
          options: "db", components: ["Database"], key: "url", flag: "--db-url", variable: "DB_URL", type: "string",
          default: undefined, description: "where the database listens", secret: false, required: true, value: undefined, source: "none",
          from: undefined
        })
        // an option with a default, or an optional one, is not required
        expect(described.map((option) => [option.key, option.required])).toEqual([["url", true], ["poolSize", false], ["password", true]])
      }))
  })

  describe("help of the components left out by conditions", () => {
    const StorageOptions = Options.make("storage", { kind: Schema.Literal("memory", "sql") })
    const AuditOptions = Options.make("audit", { topic: Schema.String })
    class Repository extends Context.Tag("Repository")<Repository, string>() {}
    class Audit extends Context.Tag("Audit")<Audit, string>() {}
    const modular = Registry.make(
      Registry.when(Options.equals(StorageOptions, "kind", "memory"), Component.succeed(Repository, "memory").pipe(Component.named("MemoryRepository"))),
      Registry.when(
        Options.equals(StorageOptions, "kind", "sql"),
        Component.make(Repository, { dependencies: [DbOptions], build: Effect.map(DbOptions, (options) => options.url) }).pipe(Component.named("SqlRepository"))
      ),
      Registry.when(
        Condition.profile("audit"),
        Component.make(Audit, { dependencies: [DbOptions, AuditOptions], build: Effect.map(AuditOptions, (options) => options.topic) }).pipe(
          Component.named("SqlAudit")
        )
      )
    )
    const given = withProvider({ env: { STORAGE_KIND: "memory", DB_URL: "postgres://db" } })

    it.effect("the help lists the options of the registered components that conditions left out, with the condition that left each out", () =>
      Effect.gen(function*() {
        const plan = yield* Resolver.resolveEffect(modular, [Repository]).pipe(given)
        expect(yield* Options.help(plan).pipe(given)).toBe(
          [
            "Options:",
            "",
            "  storage (read by conditions)",
            "    --storage-kind <\"memory\" | \"sql\", required>  env STORAGE_KIND",
            "        value: \"memory\" (environment variable STORAGE_KIND)",
            "",
            "Options of components left out by their conditions:",
            "",
            "  db (SqlRepository: option --storage-kind is \"sql\", given \"memory\"; SqlAudit: profile audit)",
            "    --db-url <string, required>  env DB_URL",
            "        where the database listens",
            "        value: \"postgres://db\" (environment variable DB_URL)",
            "    --db-pool-size <int, default 10>  env DB_POOL_SIZE",
            "        value: 10 (default)",
            "    --db-password <string, required, secret>  env DB_PASSWORD",
            "        value: not given",
            "",
            "  audit (SqlAudit: profile audit)",
            "    --audit-topic <string, required>  env AUDIT_TOPIC",
            "        value: not given"
          ].join("\n")
        )
      }))

    it.effect("the help lists the options of what only a left-out component needs (its dependency's), under the component that needs it", () =>
      Effect.gen(function*() {
        class Client extends Context.Tag("Client")<Client, string>() {}
        const ClientOptions = Options.make("http", { retries: Schema.optionalWith(Schema.NumberFromString, { default: () => 3 }) })
        const withClient = Registry.make(
          Component.succeed(Repository, "memory").pipe(Component.named("MemoryRepository"), Component.alternative),
          Registry.when(
            Condition.profile("live"),
            Component.make(Repository, { dependencies: [Client], build: Client }).pipe(Component.named("LiveRepository"))
          ),
          // no condition of its own: only LiveRepository requests it
          Component.make(Client, { dependencies: [ClientOptions], build: Effect.succeed("client") }).pipe(Component.named("HttpClient"))
        )
        const plan = yield* Resolver.resolveEffect(withClient, [Repository])
        expect(yield* Options.help(plan).pipe(withProvider({}))).toBe(
          [
            "No options.",
            "",
            "Options of components left out by their conditions:",
            "",
            "  http (HttpClient, for LiveRepository: profile live)",
            "    --http-retries <number, default 3>  env HTTP_RETRIES",
            "        value: 3 (default)"
          ].join("\n")
        )
      }))

    it.effect("options no component requests are validated as far as conditions read them: a secret only a left-out component needs is not required, a bad value a condition read is reported as read by conditions", () =>
      Effect.gen(function*() {
        const StoreOptions = Options.make("store", { kind: Schema.Literal("memory", "sql"), token: Schema.Redacted(Schema.String) })
        const registry = Registry.make(
          Registry.when(Options.equals(StoreOptions, "kind", "memory"), Component.succeed(Repository, "memory")),
          Component.succeed(Repository, "fallback").pipe(Component.named("Fallback"), Component.alternative)
        )
        const build = (env: Record<string, string>) =>
          Effect.provide(Repository, Registry.toLayer(registry, [Repository])).pipe(withProvider({ env }))
        // the token is not read: only a component requesting StoreOptions would need it
        expect(yield* build({ STORE_KIND: "memory" })).toBe("memory")
        const error = yield* Effect.flip(build({ STORE_KIND: "mysql" }))
        expect(error.message).toContain("read by conditions: option --store-kind: expected \"memory\" | \"sql\", got \"mysql\"")
        expect(error.message).not.toContain("--store-token")
      }))

    it.effect("options the plan reads are listed with the plan's only; a plan without options says so before the left-out ones", () =>
      Effect.gen(function*() {
        const sql = withProvider({ env: { STORAGE_KIND: "sql" } })
        const plan = yield* Resolver.resolveEffect(modular, [Repository]).pipe(sql)
        const leftOut = yield* Options.describeLeftOut(plan).pipe(sql)
        expect(leftOut.map((option) => [option.options, option.key, option.components, option.conditions])).toEqual([
          ["audit", "topic", ["SqlAudit"], ["profile audit"]]
        ])
        const plain = Registry.make(
          Component.succeed(Audit, "none"),
          Registry.when(Condition.profile("audit"), Component.make(Audit, { dependencies: [AuditOptions], build: Effect.succeed("audit") }))
        )
        const withoutOptions = yield* Resolver.resolveEffect(plain, [Audit])
        expect(yield* Options.help(withoutOptions).pipe(withProvider({}))).toBe(
          [
            "No options.",
            "",
            "Options of components left out by their conditions:",
            "",
            "  audit (Audit: profile audit)",
            "    --audit-topic <string, required>  env AUDIT_TOPIC",
            "        value: not given"
          ].join("\n")
        )
      }))
  })

  describe("conditions", () => {
    const StorageOptions = Options.make("storage", { kind: Schema.Literal("memory", "file") })
    class Storage extends Context.Tag("Storage")<Storage, string>() {}
    const storage = Registry.make(
      Registry.when(Options.equals(StorageOptions, "kind", "memory"), Component.succeed(Storage, "memory")),
      Registry.when(Options.equals(StorageOptions, "kind", "file"), Component.succeed(Storage, "file"))
    )

    it.effect("an option selects an implementation", () =>
      Effect.gen(function*() {
        const kind = (value: string) => Effect.provide(Storage, Registry.toLayer(storage, [Storage])).pipe(withProvider({ env: { STORAGE_KIND: value } }))
        expect([yield* kind("memory"), yield* kind("file")]).toEqual(["memory", "file"])
      }))

    it.effect("when nothing is selected, the problem says the value given, that it is none of the option's values, and the values that would select something", () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(
          Effect.provide(Storage, Registry.toLayer(storage, [Storage])).pipe(withProvider({ env: { STORAGE_KIND: "s3" } }))
        )
        expect(error.message).toBe(
          "1 problem resolving the graph:\n  - Storage: no component provides Storage (available: none); candidates excluded by their conditions: " +
            "Storage (option --storage-kind is \"memory\", given \"s3\" (expected \"memory\" | \"file\")), Storage (option --storage-kind is \"file\", given \"s3\" (expected \"memory\" | \"file\"))"
        )
      }))

    it.effect("when the option is not given at all, the problem says how to give it", () =>
      Effect.gen(function*() {
        // Regression: "given nothing", with nothing saying where a value would come from
        const error = yield* Effect.flip(Effect.provide(Storage, Registry.toLayer(storage, [Storage])).pipe(withProvider({})))
        expect(error.message).toBe(
          "1 problem resolving the graph:\n  - Storage: no component provides Storage (available: none); candidates excluded by their conditions: " +
            "Storage (option --storage-kind is \"memory\", given nothing: set --storage-kind or STORAGE_KIND), " +
            "Storage (option --storage-kind is \"file\", given nothing: set --storage-kind or STORAGE_KIND)"
        )
      }))
  })

  it.effect("a name's words become the flag's and the variable's", () =>
    Effect.gen(function*() {
      const Named = Options.make("httpServer", { maxBodySize: Schema.NumberFromString, URLPrefix: Schema.String })
      class Server extends Context.Tag("Server")<Server, number>() {}
      const plan = Either.getOrThrow(
        Resolver.resolve(Registry.make(Component.make(Server, { dependencies: [Named], build: Effect.map(Named, (o) => o.maxBodySize) })), [Server])
      )
      expect(Named.keys).toEqual(["maxBodySize", "URLPrefix"])
      const described = yield* Options.describe(plan).pipe(withProvider({}))
      expect(described.map((option) => [option.flag, option.variable])).toEqual([
        ["--http-server-max-body-size", "HTTP_SERVER_MAX_BODY_SIZE"],
        ["--http-server-url-prefix", "HTTP_SERVER_URL_PREFIX"]
      ])
    }))
})
