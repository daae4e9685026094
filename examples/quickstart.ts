/**
 * Quick start: several implementations of one service, chosen by rules; a graph validated before
 * anything runs; one Layer for the program.
 *
 * Run: npx tsx examples/quickstart.ts
 */
import { Context, Effect, Either } from "effect"
import { Component, Dependency, Explain, Plan, Qualifier, Registry, Resolver } from "layerwise"

// Services are ordinary Effect tags.
class Config extends Context.Tag("Config")<Config, { readonly databaseUrl: string }>() {}
class Database extends Context.Tag("Database")<Database, {
  readonly name: string
  readonly query: (sql: string) => Effect.Effect<string>
}>() {}
class Plugin extends Context.Tag("Plugin")<Plugin, { readonly name: string }>() {}
class UserRepo extends Context.Tag("UserRepo")<UserRepo, {
  readonly save: (name: string) => Effect.Effect<string>
  readonly find: (id: number) => Effect.Effect<string>
}>() {}

const Replica = Qualifier.make("replica")

// A resource: acquired when the graph is built, released (in reverse order) when it is closed.
const database = (name: string, url: string) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      console.log(`  open ${name} (${url})`)
      return { name, query: (sql: string) => Effect.succeed(`${name} answered "${sql}"`) }
    }),
    () => Effect.sync(() => console.log(`  close ${name}`))
  )

const registry = Registry.make(
  Component.succeed(Config, { databaseUrl: "postgres://localhost/app" }),
  // Two candidates for Database: the primary one wins unqualified requests...
  Component.make(Database, {
    dependencies: [Config],
    build: Effect.flatMap(Config, (config) => database("primary", config.databaseUrl))
  }).pipe(Component.named("primaryDb"), Component.primary),
  // ...and the replica is chosen by qualifier.
  Component.make(Database, { build: database("replica", "postgres://replica/app") }).pipe(
    Component.named("replicaDb"),
    Component.qualified([Replica])
  ),
  // A collection: every Plugin, sorted by order.
  Component.succeed(Plugin, { name: "audit" }).pipe(Component.order(2)),
  Component.succeed(Plugin, { name: "metrics" }).pipe(Component.order(1)),
  // UserRepo writes through the unqualified request (the primary) and reads through the qualified one.
  Component.make(UserRepo, {
    dependencies: [Database, Dependency.qualified(Database, Replica), Dependency.all(Plugin)],
    build: Effect.gen(function*() {
      const primary = yield* Database
      const replica = yield* Dependency.qualified(Database, Replica)
      const plugins = yield* Dependency.all(Plugin)
      console.log(`  UserRepo writes to ${primary.name}, reads from ${replica.name}, plugins: ${plugins.map((p) => p.name).join(", ")}`)
      return {
        save: (name: string) => primary.query(`insert into users (name) values ('${name}')`),
        find: (id: number) => replica.query(`select * from users where id = ${id}`)
      }
    })
  })
)

// 1. Resolve: pure, before anything runs. The plan is data.
const plan = Either.getOrThrow(Resolver.resolve(registry, [UserRepo]))
console.log("Build order:", plan.nodes.map((node) => node.name).join(" -> "))
console.log(Explain.tree(plan))

// 2. One Layer for the program: both databases are opened, used, and closed in reverse order.
const program = Effect.gen(function*() {
  const users = yield* UserRepo
  console.log(" ", yield* users.save("ada"))
  console.log(" ", yield* users.find(42))
})
console.log("\nRunning the program:")
await Effect.runPromise(Effect.provide(program, Plan.toLayer(plan)))

// 3. Problems are reported all at once, with their paths, before any constructor runs.
console.log("\nNow a deliberately broken registry (two Databases, neither primary; no Config), to show the resolution errors:")
const broken = Registry.make(
  Component.make(UserRepo, {
    dependencies: [Database],
    build: Effect.succeed({ save: () => Effect.succeed(""), find: () => Effect.succeed("") })
  }),
  Component.succeed(Database, { name: "a", query: () => Effect.succeed("") }),
  Component.succeed(Database, { name: "b", query: () => Effect.succeed("") })
)
Either.match(Resolver.resolve(broken, [UserRepo, Config]), {
  onLeft: (error) => console.log(error.message),
  onRight: () => console.log("unexpected: the broken registry resolved")
})
