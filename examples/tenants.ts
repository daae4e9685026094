/**
 * A per-tenant client pool whose settings change at run time.
 *
 * Each tenant gets one client, built from its settings; requests share it. When a tenant's settings
 * change, the next request builds a new client, and the old one is closed only after the requests
 * still using it have finished.
 *
 * Run: npx tsx examples/tenants.ts
 */
import { Context, Effect, Ref } from "effect"
import { Component, Instances, Registry } from "layerwise"

interface TenantSettings {
  readonly tenant: string
  readonly endpoint: string
}

interface Client {
  readonly endpoint: string
  readonly call: (path: string) => Effect.Effect<string>
}

class Settings extends Context.Tag("example/Settings")<Settings, Ref.Ref<Record<string, string>>>() {}
const Clients = Instances.Tag<TenantSettings, string, Client>("example/TenantClients")

const registry = Registry.make(
  Component.make(Settings, { build: Ref.make<Record<string, string>>({ acme: "https://eu.acme", globex: "https://globex" }) }),
  Component.make(Clients, {
    build: Instances.make({
      key: (settings: TenantSettings) => settings.tenant,
      needsUpdate: (settings, cached) => settings.endpoint !== cached.context.endpoint,
      make: (settings) =>
        Effect.acquireRelease(
          Effect.sync(() => {
            console.log(`  open client ${settings.tenant} -> ${settings.endpoint}`)
            return {
              endpoint: settings.endpoint,
              call: (path: string) => Effect.as(Effect.sleep("20 millis"), `${settings.endpoint}${path}`)
            }
          }),
          () => Effect.sync(() => console.log(`  close client ${settings.tenant} -> ${settings.endpoint}`))
        ),
      idleTimeToLive: "1 minute"
    })
  })
)

const request = (tenant: string, path: string) =>
  Effect.gen(function*() {
    const settings = yield* Settings
    const clients = yield* Clients
    const endpoint = (yield* Ref.get(settings))[tenant]!
    return yield* clients.use({ tenant, endpoint }, (client) => client.call(path))
  })

const program = Effect.gen(function*() {
  console.log("two requests for acme share one client:")
  console.log(" ", yield* Effect.all([request("acme", "/a"), request("acme", "/b")], { concurrency: 2 }))
  console.log("acme moves to another endpoint while a slow request is in flight:")
  const settings = yield* Settings
  const inFlight = yield* Effect.fork(request("acme", "/slow"))
  yield* Effect.sleep("5 millis")
  yield* Ref.update(settings, (all) => ({ ...all, acme: "https://us.acme" }))
  console.log(" ", yield* request("acme", "/after-move"))
  console.log("  in flight finished on the old client:", yield* inFlight.await.pipe(Effect.flatten))
  console.log(" ", yield* request("globex", "/x"))
  const clients = yield* Clients
  console.log("metrics:", yield* clients.metrics)
  console.log("shutting down:")
})

Effect.runPromise(Effect.provide(program, Registry.toLayer(registry, [Settings, Clients]))).then(() => console.log("done"))
