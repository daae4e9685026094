import { describe, expect, it } from "@effect/vitest"
import { vi } from "vitest"
import { Context, Effect, Option } from "effect"
import { Dependency, Family, Qualifier } from "../src/index.js"

class Database extends Context.Tag("app/Database")<Database, { readonly url: string }>() {}
class Plugin extends Context.Tag("app/Plugin")<Plugin, { readonly name: string }>() {}

const Replica = Qualifier.make("replica")

/** Asserts that `f` throws a TypeError (not merely an error) with exactly this message. */
const expectTypeError = (f: () => unknown, message: string) => {
  let thrown: unknown
  try {
    f()
  } catch (error) {
    thrown = error
  }
  expect(thrown).toBeInstanceOf(TypeError)
  expect((thrown as TypeError).message).toBe(message)
}

describe("Dependency", () => {
  describe("interning", () => {
    it("deriving the same request twice gives the same tag", () => {
      expect(Dependency.all(Plugin)).toBe(Dependency.all(Plugin))
      expect(Dependency.optional(Database)).toBe(Dependency.optional(Database))
      expect(Dependency.named(Database, "audit")).toBe(Dependency.named(Database, "audit"))
      expect(Dependency.all(Dependency.qualified(Plugin, "core"))).toBe(Dependency.all(Dependency.qualified(Plugin, "core")))
    })

    it("requests whose labels coincide (names containing @ or #) are still different tags with different keys", () => {
      class X extends Context.Tag("X")<X, string>() {}
      class XAtY extends Context.Tag("X@y")<XAtY, string>() {}
      const qualifiedX = Dependency.qualified(X, "y#z")
      const namedXAtY = Dependency.named(XAtY, "z")
      expect(Dependency.describe(qualifiedX).label).toBe("X@y#z")
      expect(Dependency.describe(namedXAtY).label).toBe("X@y#z")
      expect(namedXAtY).not.toBe(qualifiedX)
      expect(new Set([qualifiedX.key, namedXAtY.key]).size).toBe(2)
      // interning still holds for each of them
      expect(Dependency.named(XAtY, "z")).toBe(namedXAtY)
      expect(Dependency.qualified(X, "y#z")).toBe(qualifiedX)
    })

    it("a qualified request made from a token is the same tag as one made from its name", () => {
      expect(Dependency.qualified(Database, Replica)).toBe(Dependency.qualified(Database, "replica"))
      expect(Dependency.qualified(Database, Replica)).toBe(Dependency.qualified(Database, Qualifier.make("replica")))
    })

    it("different requests are different tags with different keys", () => {
      const requests = [
        Database,
        Dependency.qualified(Database, "replica"),
        Dependency.qualified(Database, "other"),
        Dependency.named(Database, "replica"),
        Dependency.optional(Database),
        Dependency.all(Database),
        Dependency.optional(Dependency.qualified(Database, "replica")),
        Dependency.all(Dependency.named(Database, "replica"))
      ]
      expect(new Set(requests).size).toBe(requests.length)
      expect(new Set(requests.map((request) => request.key)).size).toBe(requests.length)
    })

    it("derived requests are Context tags", () => {
      for (
        const request of [
          Dependency.qualified(Database, Replica),
          Dependency.named(Database, "a"),
          Dependency.optional(Database),
          Dependency.all(Database)
        ]
      ) {
        expect(Context.isTag(request)).toBe(true)
      }
    })

    it.effect("a derived request reads its service from a context like any tag", () =>
      Effect.gen(function*() {
        const context = Context.empty().pipe(
          Context.add(Dependency.optional(Database), Option.some({ url: "x" })),
          Context.add(Dependency.all(Plugin), [{ name: "p" }])
        )
        const database = yield* Effect.provide(Dependency.optional(Database), context)
        const plugins = yield* Effect.provide(Dependency.all(Plugin), context)
        expect(database).toEqual(Option.some({ url: "x" }))
        expect(plugins).toEqual([{ name: "p" }])
      }))
  })

  describe("describe", () => {
    it("a plain tag is a single-valued request of itself under its own key", () => {
      expect(Dependency.describe(Database)).toEqual({
        service: "app/Database",
        selector: { _tag: "Any" },
        cardinality: "one",
        key: "app/Database",
        label: "app/Database"
      })
    })

    it("a qualified request is labelled Key@qualifier", () => {
      expect(Dependency.describe(Dependency.qualified(Database, Replica))).toEqual({
        service: "app/Database",
        selector: { _tag: "Qualifier", qualifier: "replica" },
        cardinality: "one",
        key: "layerwise/app/Database@replica",
        label: "app/Database@replica"
      })
    })

    it("a named request is labelled Key#name", () => {
      expect(Dependency.describe(Dependency.named(Database, "audit"))).toEqual({
        service: "app/Database",
        selector: { _tag: "Name", name: "audit" },
        cardinality: "one",
        key: "layerwise/app/Database#audit",
        label: "app/Database#audit"
      })
    })

    it("an optional request is labelled Option<...> and keeps the selector of what it wraps", () => {
      expect(Dependency.describe(Dependency.optional(Database))).toEqual({
        service: "app/Database",
        selector: { _tag: "Any" },
        cardinality: "optional",
        key: "layerwise/Option<app/Database>",
        label: "Option<app/Database>"
      })
      expect(Dependency.describe(Dependency.optional(Dependency.named(Database, "audit")))).toEqual({
        service: "app/Database",
        selector: { _tag: "Name", name: "audit" },
        cardinality: "optional",
        key: "layerwise/Option<app/Database#audit>",
        label: "Option<app/Database#audit>"
      })
    })

    it("a collection request is labelled All<...> and keeps the selector of what it wraps", () => {
      expect(Dependency.describe(Dependency.all(Plugin))).toEqual({
        service: "app/Plugin",
        selector: { _tag: "Any" },
        cardinality: "all",
        key: "layerwise/All<app/Plugin>",
        label: "All<app/Plugin>"
      })
      expect(Dependency.describe(Dependency.all(Dependency.qualified(Plugin, "core")))).toEqual({
        service: "app/Plugin",
        selector: { _tag: "Qualifier", qualifier: "core" },
        cardinality: "all",
        key: "layerwise/All<app/Plugin@core>",
        label: "All<app/Plugin@core>"
      })
    })
  })

  describe("misuse", () => {
    // Casts: these calls are rejected by the types too; the runtime checks protect untyped callers.
    const unsafe = <A>(value: unknown) => value as A
    /** A request as an untyped caller passes it (its identifier is lost, so the types cannot object). */
    const untyped = (tag: Dependency.Any): Dependency.Any => tag

    it("optional of a collection throws a TypeError", () => {
      expectTypeError(() => Dependency.optional(untyped(Dependency.all(Plugin))), "Dependency.optional: All<app/Plugin> is already a collection; optional applies to a tag or a qualified/named request")
    })

    it("a collection of an optional throws a TypeError", () => {
      expectTypeError(() => Dependency.all(untyped(Dependency.optional(Plugin))), "Dependency.all: Option<app/Plugin> is already optional; all applies to a tag or a qualified/named request")
    })

    it("nesting the same cardinality twice throws a TypeError", () => {
      expectTypeError(() => Dependency.all(untyped(Dependency.all(Plugin))), "Dependency.all: All<app/Plugin> is already a collection; all applies to a tag or a qualified/named request")
      expectTypeError(() => Dependency.optional(untyped(Dependency.optional(Plugin))), "Dependency.optional: Option<app/Plugin> is already optional; optional applies to a tag or a qualified/named request")
    })

    it("qualifying or naming a derived request throws a TypeError", () => {
      expectTypeError(() => Dependency.qualified(untyped(Dependency.all(Plugin)), "core"), "Dependency.qualified: All<app/Plugin> is already a derived request; apply qualified to the service's own tag")
      expectTypeError(() => Dependency.named(untyped(Dependency.qualified(Plugin, "core")), "x"), "Dependency.named: app/Plugin@core is already a derived request; apply named to the service's own tag")
    })

    it("deriving from something that is not a tag throws a TypeError", () => {
      expectTypeError(() => Dependency.qualified(unsafe<typeof Database>("Database"), "replica"), "Dependency.qualified: expected a Context.Tag, got Database")
      expectTypeError(() => Dependency.named(unsafe<typeof Database>(undefined), "a"), "Dependency.named: expected a Context.Tag, got undefined")
      expectTypeError(() => Dependency.optional(unsafe<typeof Database>(42)), "Dependency.optional: expected a Context.Tag, got 42")
      expectTypeError(() => Dependency.all(unsafe<typeof Database>(null)), "Dependency.all: expected a Context.Tag, got null")
    })

    it("an empty qualifier or name throws a TypeError", () => {
      expectTypeError(() => Dependency.qualified(Database, ""), "Dependency.qualified: the qualifier of app/Database must be a non-empty string or Qualifier")
      expectTypeError(() => Dependency.named(Database, ""), "Dependency.named: the name requested of app/Database must be a non-empty string")
    })
  })
  describe("two loaded copies of layerwise", () => {
    it("intern derived requests into one table: the same request is the same tag in both", async () => {
      // Regression: each copy kept its own table, so a copy derived another tag (and another key) for
      // the same request once the other had taken the label's key.
      vi.resetModules()
      const copy = await import("../src/Dependency.js")
      expect(copy).not.toBe(Dependency)
      const made = Dependency.all(Dependency.named(Plugin, "copies"))
      expect(copy.all(copy.named(Plugin, "copies"))).toBe(made)
      expect(copy.qualified(Database, "copied").key).toBe(Dependency.qualified(Database, "copied").key)
    })

    it("number families of one name together: members of two such families never share a key", async () => {
      vi.resetModules()
      const copy = await import("../src/Family.js")
      expect(copy).not.toBe(Family)
      const options = { name: "Copied", key: (id: string) => id, build: (id: string) => Effect.succeed({ name: id }) }
      const mine = Family.make(Plugin, options)
      const theirs = copy.make(Plugin, options)
      expect(Family.request(mine, "a").key).not.toBe(copy.request(theirs, "a").key)
    })
  })
})
