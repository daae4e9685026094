import { describe, expect, it } from "@effect/vitest"
import { Context, Data, Effect, Schema } from "effect"
import { App, Component, Health, Lifecycle, Registry } from "layerwise"
import { promises as fs } from "node:fs"

const report: Health.Report = {
  healthy: false,
  components: [
    {
      name: "Database",
      status: "unhealthy",
      checks: [
        { name: "ping", status: "timeout", duration: 2000, error: "did not complete within 2s", readiness: true },
        { name: "pool", status: "unhealthy", duration: 0.5, error: "Error: no connection" },
        { name: "healthCheck#3", status: "healthy", duration: 12.25 }
      ]
    },
    { name: "Cache", status: "healthy", checks: [{ name: "healthCheck", status: "healthy", duration: 0 }] },
    { name: "Server", status: "not-running", checks: [] }
  ]
}

describe("Health", () => {
  it.effect("a report encodes to JSON and decodes back to the same report; a healthy check has no error field, one that does not count for readiness no readiness field", () =>
    Effect.gen(function*() {
      const json = JSON.stringify(yield* Schema.encode(Health.Report)(report))
      expect(JSON.parse(json).components[1].checks[0]).toEqual({ name: "healthCheck", status: "healthy", duration: 0 })
      expect(yield* Schema.decodeUnknown(Schema.parseJson(Health.Report))(json)).toEqual(report)
      const invalid = yield* Effect.flip(
        Schema.decodeUnknown(Health.Report)({ healthy: true, components: [{ name: "X", status: "ok", checks: [] }] })
      )
      expect(invalid._tag).toBe("ParseError")
    }))

  it.effect("a readiness encodes to JSON and decodes back; its state is an application's", () =>
    Effect.gen(function*() {
      const readiness: Health.Readiness = { ready: false, state: "started", failing: ["Database/ping", "Server/phase"], report }
      const json = JSON.stringify(yield* Schema.encode(Health.Readiness)(readiness))
      expect(yield* Schema.decodeUnknown(Schema.parseJson(Health.Readiness))(json)).toEqual(readiness)
      expect(Schema.is(Health.Readiness)({ ...readiness, state: "ready" })).toBe(false)
    }))

  it("format renders a summary line, then each component's status and each check's status, duration and error; a check that counts for readiness says so", () => {
    expect(Health.format(report)).toBe(
      [
        "health UNHEALTHY: 1 of 3 components healthy",
        "  Database: unhealthy",
        "    ping (readiness): TIMEOUT 2.00s: did not complete within 2s",
        "    pool: UNHEALTHY 0.50ms: Error: no connection",
        "    healthCheck#3: healthy 12.3ms",
        "  Cache: healthy",
        "    healthCheck: healthy 0.00ms",
        "  Server: not running"
      ].join("\n")
    )
    expect(Health.format({ healthy: true, components: [] })).toBe("health OK: no component declares health checks")
    expect(Health.format({ healthy: true, components: [report.components[1]!] })).toBe(
      ["health OK: 1 of 1 component healthy", "  Cache: healthy", "    healthCheck: healthy 0.00ms"].join("\n")
    )
  })
})

describe("Health: a failing check's error", () => {
  it.scoped("keeps the fields and the cause of a tagged error (StoreError { reason, cause: ENOENT }), in the report and its JSON", () =>
    Effect.gen(function*() {
      class StoreError extends Data.TaggedError("StoreError")<{ readonly reason: string; readonly cause: unknown }> {}
      class Store extends Context.Tag("Store")<Store, { readonly folder: string }>() {}
      const registry = Registry.make(
        Component.succeed(Store, { folder: "/layerwise-missing-folder/data" }).pipe(
          Lifecycle.healthCheck((store) =>
            Effect.tryPromise({
              try: () => fs.access(store.folder),
              catch: (cause) => new StoreError({ reason: "data folder not writable", cause })
            }), { name: "writable" })
        )
      )
      const report = yield* Effect.flatMap(App.start(App.make(registry, { roots: [Store] })), App.health)
      const error = "StoreError { reason: \"data folder not writable\" }: caused by " +
        "Error: ENOENT: no such file or directory, access '/layerwise-missing-folder/data'"
      expect(report.components[0]!.checks).toEqual([{ name: "writable", status: "unhealthy", duration: expect.any(Number), error }])
      expect(JSON.parse(JSON.stringify(yield* Schema.encode(Health.Report)(report))).components[0].checks[0].error).toBe(error)
    }))
})
