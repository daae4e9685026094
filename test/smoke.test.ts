import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Either, Ref } from "effect"
import { Component, Registry, Resolver } from "../src/index.js"

class Database extends Context.Tag("Database")<Database, string>() {}
class Api extends Context.Tag("Api")<Api, string>() {}

describe("smoke", () => {
  it.effect("builds", () =>
    Effect.gen(function*() {
      const log = yield* Ref.make<Array<string>>([])
      const rec = (s: string) => Ref.update(log, (l) => [...l, s])
      const registry = Registry.make(
        Component.make(Database, { build: Effect.acquireRelease(Effect.as(rec("+db"), "db"), () => rec("-db")) }),
        Component.make(Api, { dependencies: [Database], build: Effect.acquireRelease(Effect.as(rec("+api"), "api"), () => rec("-api")).pipe(Effect.zipLeft(Database)) })
      )
      const value = yield* Effect.scoped(Effect.provide(Api, Registry.toLayer(registry, [Api])))
      expect(value).toBe("api")
      expect(yield* Ref.get(log)).toEqual(["+db", "+api", "-api", "-db"])
      const r = Resolver.resolve(Registry.make(Component.make(Api, { dependencies: [Database], build: Database })), [Api])
      expect(Either.isLeft(r) && r.left.message).toBe("1 problem resolving the graph:\n  - Api -> Database: no component provides Database (available: Api)")
    }))
})
