import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Either } from "effect"
import { Component, Condition, Dependency, Errors, Registry, Resolver } from "../src/index.js"

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

  it("a whole module can be guarded, including nested modules", () => {
    const inner = Registry.make(Component.succeed(Storage, { kind: "nested" }))
    const guarded = Registry.make(api, Registry.when(Condition.profile("nested"), Registry.make(inner)))
    expect(Either.isLeft(Resolver.resolve(guarded, [Api]))).toBe(true)
    const plan = Either.getOrThrow(Resolver.resolve(guarded, [Api], { profiles: ["nested"] }))
    expect(plan.nodes.map((node) => node.name)).toEqual(["Storage", "Api"])
  })

  it("a request whose candidates conditions all excluded lists them, each with the condition that excluded it", () => {
    // Regression: the message said only "no component provides Storage (available: Api)".
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
      "Storage@remote: no component provides Storage@remote (available: Storage); candidates that do not match it: memory; " +
      "candidates excluded by their conditions: gcs ((profile cloud) and (profile eu)), s3 (profile cloud)"
    ])
  })

  it("a component excluded in one place but registered in another is a candidate, not listed as excluded", () => {
    const memory = Component.succeed(Storage, { kind: "memory" }).pipe(Component.qualified(["memory"]))
    const guarded = Registry.make(api, Registry.when(Condition.profile("never"), memory), memory)
    const result = Resolver.resolve(guarded, [Api, Dependency.qualified(Storage, "other")])
    expect(Either.isLeft(result) && result.left.problems.map((problem) => problem.message)).toEqual([
      "Storage@other: no component provides Storage@other (available: Api, Storage); candidates that do not match it: Storage"
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
      "invalid condition \"explodes\": it threw: boom",
      "Api -> Storage: no component provides Storage (available: Api)"
    ])
  })
})
