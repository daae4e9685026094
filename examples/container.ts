/**
 * The container at run time: a plugin host with tenants.
 *
 * - Nothing requests a `Plugin` at startup: `Container.get` looks them up when a command needs one
 *   (by qualifier, or all of them), builds each once and keeps it; `Database` was built at startup
 *   and is shared, never rebuilt.
 * - Each tenant is a child container: it overrides `Greeting` for itself only, sees the parent's
 *   `Database`, and is closed (its instances released) when its Scope closes; the application's
 *   close releases what the lookups built before the graph's own components, dependents first.
 * - A request nothing provides fails with the startup's `ResolutionError`.
 * - `Container.shutDown` releases one plugin while the rest runs; looking it up again fails with
 *   `ComponentShutDown`.
 *
 * Run: npx tsx examples/container.ts
 */
import { Context, Effect } from "effect"
import { Component, Container, Dependency, Registry } from "layerwise"

class Database extends Context.Tag("host/Database")<Database, { readonly name: string }>() {}
class Greeting extends Context.Tag("host/Greeting")<Greeting, string>() {}
class Plugin extends Context.Tag("host/Plugin")<Plugin, { readonly run: (input: string) => string }>() {}
class Missing extends Context.Tag("host/Missing")<Missing, string>() {}

const say = (line: string) => Effect.sync(() => console.log(line))
const resource = <A>(name: string, value: A) => Effect.acquireRelease(Effect.as(say(`open ${name}`), value), () => say(`close ${name}`))

const plugin = (name: string, order: number) =>
  Component.make(Plugin, {
    dependencies: [Database],
    build: Effect.flatMap(Database, (db) => resource(`plugin ${name}`, { run: (input: string) => `${name}(${input}) via ${db.name}` }))
  }).pipe(Component.qualified([name]), Component.order(order))

const registry = Registry.make(
  Component.make(Database, { build: resource("database", { name: "main" }) }),
  Component.succeed(Greeting, "hello"),
  plugin("upper", 1),
  plugin("reverse", 2)
)

const program = Effect.gen(function*() {
  const upper = yield* Container.get(Dependency.qualified(Plugin, "upper"))
  yield* say(upper.run("a"))
  const every = yield* Container.get(Dependency.all(Plugin))
  yield* say(`${every.length} plugins, the first the same instance: ${every[0] === upper}`)
  yield* Effect.scoped(Effect.gen(function*() {
    const tenant = yield* Container.child("tenant-a", [
      Component.make(Greeting, { dependencies: [Database], build: Effect.flatMap(Database, (db) => resource("tenant greeting", `bonjour from ${db.name}`)) })
    ])
    yield* say(`tenant-a: ${yield* Container.getFrom(tenant, Greeting)}; root: ${yield* Container.get(Greeting)}`)
  }))
  const error = yield* Effect.flip(Container.get(Missing))
  yield* say(error.message)
  const stopped = yield* Container.shutDown(Dependency.qualified(Plugin, "reverse"))
  yield* say(`shut down: ${stopped.join(", ")}`)
  const gone = yield* Effect.flip(Container.get(Dependency.qualified(Plugin, "reverse")))
  yield* say(gone.message)
})

Effect.runPromise(program.pipe(Effect.provide(Registry.toLayer(registry, [Container.Container, Database])))).catch((error) => {
  console.error(error)
  process.exit(1)
})
