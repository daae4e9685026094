import { describe, expect, it } from "@effect/vitest"
import { Context, Data, Effect, Redacted, Schema } from "effect"
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

describe("Health: details of a healthy check", () => {
  class Pool extends Context.Tag("Pool")<Pool, { readonly idle: number }>() {}

  const appWith = (...checks: ReadonlyArray<(pool: { readonly idle: number }) => Effect.Effect<unknown, unknown>>) =>
    App.make(
      Registry.make(
        checks.reduce(
          (component, check, index) => component.pipe(Lifecycle.healthCheck(check, { name: `check${index + 1}` })),
          Component.succeed(Pool, { idle: 3 })
        )
      ),
      { roots: [Pool] }
    )

  it.scoped("a check that succeeds with Health.details is reported with them; one that succeeds with anything else (rows, a number) reports none", () =>
    Effect.gen(function*() {
      const running = yield* App.start(appWith(
        (pool) => Effect.succeed(Health.details({ idle: pool.idle, busy: 1, version: "14.2" })),
        () => Effect.succeed({ rows: [{ secret: "not shown" }] }),
        () => Effect.succeed(42)
      ))
      const report = yield* App.health(running)
      expect(report.components[0]!.checks.map(({ duration: _, ...check }) => check)).toEqual([
        { name: "check1", status: "healthy", details: { idle: 3, busy: 1, version: "14.2" } },
        { name: "check2", status: "healthy" },
        { name: "check3", status: "healthy" }
      ])
      expect(Health.format({ ...report, components: report.components.map((c) => ({ ...c, checks: c.checks.map((k) => ({ ...k, duration: 0 })) })) })).toBe(
        [
          "health OK: 1 of 1 component healthy",
          "  Pool: healthy",
          "    check1: healthy 0.00ms (idle: 3, busy: 1, version: \"14.2\")",
          "    check2: healthy 0.00ms",
          "    check3: healthy 0.00ms"
        ].join("\n")
      )
    }))

  it.scoped("details are plain JSON fixed when the check ended: secrets redacted, bigint and dates as text, functions left out, cycles and depth bounded; the report still encodes and decodes", () =>
    Effect.gen(function*() {
      const cyclic: Record<string, unknown> = { name: "loop" }
      cyclic["self"] = cyclic
      const nested = { a: { b: { c: { d: { e: { f: { g: "deep" } } } } } } }
      const mutable = { count: 1 }
      const running = yield* App.start(appWith(() =>
        Effect.succeed(Health.details({
          password: Redacted.make("hunter2"),
          inside: { token: Redacted.make("t0k3n"), list: [Redacted.make("x"), 1n, () => 1] },
          big: 12345678901234567890n,
          at: new Date(0),
          nan: Number.NaN,
          fn: () => 1,
          missing: undefined,
          cyclic,
          nested,
          mutable,
          long: "x".repeat(1_005),
          many: Array.from({ length: 102 }, (_, i) => i)
        }))
      ))
      const report = yield* App.health(running)
      mutable.count = 2
      const details = report.components[0]!.checks[0]!.details!
      expect(details).toEqual({
        password: "<redacted>",
        inside: { token: "<redacted>", list: ["<redacted>", "1", null] },
        big: "12345678901234567890",
        at: "1970-01-01T00:00:00.000Z",
        nan: "NaN",
        cyclic: { name: "loop", self: "[Circular]" },
        nested: { a: { b: { c: { d: { e: { f: "{ g: \"deep\" }" } } } } } },
        mutable: { count: 1 },
        long: `${"x".repeat(1_000)}… (5 more characters)`,
        many: [...Array.from({ length: 100 }, (_, i) => i), "… 2 more"]
      })
      expect(JSON.stringify(report)).not.toContain("hunter2")
      const json = JSON.stringify(yield* Schema.encode(Health.Report)(report))
      expect(yield* Schema.decodeUnknown(Schema.parseJson(Health.Report))(json)).toEqual(report)
    }))

  it("Health.details takes a record: anything else is a TypeError saying what it got; isDetails tells its values apart", () => {
    expect(() => Health.details([1, 2] as unknown as Record<string, unknown>)).toThrow(new TypeError("Health.details takes a record of values, got [1, 2]"))
    expect(Health.isDetails(Health.details({ lag: 0 }))).toBe(true)
    expect(Health.isDetails({ values: { lag: 0 } })).toBe(false)
  })
})
