/**
 * A per-tenant client pool whose settings change at run time.
 *
 * Each tenant gets one client, built from its settings; concurrent requests share it. When a
 * tenant's settings change, the next request builds a new client, and the old one is closed only
 * after the requests still using it have finished. A rebuild that fails leaves the previous client
 * cached. Closing the pool (here: the end of the program) closes every client.
 *
 * Run: npx tsx examples/tenants.ts
 */
import { Context, Data, Effect, Layer, Ref } from "effect"
import { Instances } from "layerwise"

interface TenantSettings {
  readonly tenant: string
  readonly endpoint: string
}

class ConnectError extends Data.TaggedError("ConnectError")<{ readonly endpoint: string }> {
  override get message() {
    return `cannot connect to ${this.endpoint}`
  }
}

interface Client {
  readonly id: number
  readonly endpoint: string
  readonly call: (path: string, millis?: number) => Effect.Effect<string>
}

const started = Date.now()
const say = (line: string) => Effect.sync(() => console.log(`[${String(Date.now() - started).padStart(4)} ms] ${line}`))

/** Every tenant's current settings, changed at run time by an operator. */
class Settings extends Context.Tag("example/Settings")<Settings, Ref.Ref<ReadonlyMap<string, string>>>() {}

/** The pool: clients for tenant settings, keyed by tenant, whose gets fail with ConnectError only. */
class Clients extends Instances.Tag("example/TenantClients")<Clients, TenantSettings, string, Client, ConnectError>() {}

let nextId = 0
const ClientsLive = Instances.layer(Clients, {
  key: (settings) => settings.tenant,
  make: (settings) =>
    Effect.gen(function*() {
      if (settings.endpoint.startsWith("bad:")) return yield* new ConnectError({ endpoint: settings.endpoint })
      const id = ++nextId
      yield* say(`open  client #${id} ${settings.tenant} -> ${settings.endpoint}`)
      yield* Effect.addFinalizer(() => say(`close client #${id} ${settings.tenant} -> ${settings.endpoint}`))
      return {
        id,
        endpoint: settings.endpoint,
        call: (path, millis = 20) => Effect.as(Effect.sleep(millis), `${settings.endpoint}${path}`)
      } satisfies Client
    }),
  needsUpdate: (settings, cached) => settings.endpoint !== cached.context.endpoint,
  idleTimeToLive: "1 minute",
  closeTimeout: "2 seconds"
})

const SettingsLive = Layer.effect(
  Settings,
  Ref.make<ReadonlyMap<string, string>>(new Map([["acme", "https://eu.acme"], ["globex", "https://globex"]]))
)

const request = (tenant: string, path: string, millis?: number) =>
  Effect.gen(function*() {
    const endpoint = (yield* Ref.get(yield* Settings)).get(tenant)!
    const clients = yield* Clients
    return yield* clients.use({ tenant, endpoint }, (client) =>
      Effect.gen(function*() {
        yield* say(`  ${tenant}${path} starts on client #${client.id}`)
        const response = yield* client.call(path, millis)
        yield* say(`  ${tenant}${path} done: ${response}`)
        return response
      }))
  })

const move = (tenant: string, endpoint: string) =>
  Effect.flatMap(Settings, (settings) => Ref.update(settings, (all) => new Map([...all, [tenant, endpoint]])))

const program = Effect.gen(function*() {
  const clients = yield* Clients

  yield* say("two concurrent requests for acme share one client:")
  yield* Effect.all([request("acme", "/a"), request("acme", "/b")], { concurrency: "unbounded" })

  yield* say("acme moves to another endpoint while a slow request is in flight:")
  const slow = yield* Effect.fork(request("acme", "/slow", 300))
  yield* Effect.sleep("50 millis")
  yield* move("acme", "https://us.acme")
  yield* request("acme", "/after-move")
  yield* say("  (the old client stays open until /slow is done)")
  yield* slow.await

  yield* request("globex", "/x")
  yield* say("globex moves to an unreachable endpoint: the rebuild fails, the old client stays cached")
  yield* move("globex", "bad://globex")
  // a request's only error is the pool's ConnectError: catchTag reaches it
  yield* request("globex", "/x").pipe(Effect.catchTag("ConnectError", (error) => say(`  request failed: ${error.message}`)))
  const cached = yield* clients.entries
  yield* say(`  cached: ${cached.map((entry) => `${entry.key} -> ${entry.context.endpoint}`).join(", ")}`)
  yield* move("globex", "https://globex.example")
  yield* request("globex", "/x")

  console.log("metrics:", yield* clients.metrics)
  yield* say("shutting down: every client is closed")
})

Effect.runPromise(program.pipe(Effect.provide(Layer.merge(ClientsLive, SettingsLive)))).then(
  () => console.log("done"),
  (error) => {
    console.error(error)
    process.exitCode = 1
  }
)
