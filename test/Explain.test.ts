import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Either, Schema } from "effect"
import { Component, Dependency, Explain, Registry, Resolver, Testing } from "../src/index.js"

class Db extends Context.Tag("Db")<Db, string>() {}
class Cache extends Context.Tag("Cache")<Cache, string>() {}
class Repo extends Context.Tag("Repo")<Repo, string>() {}
class Api extends Context.Tag("Api")<Api, string>() {}
class Plugin extends Context.Tag("Plugin")<Plugin, string>() {}

const registry = Registry.make(
  Component.succeed(Db, "pg").pipe(Component.named("Postgres"), Component.primary),
  Component.succeed(Db, "sqlite").pipe(Component.named("Sqlite"), Component.qualified(["replica"])),
  Component.make(Cache, { dependencies: [Db], build: Db }),
  Component.make(Repo, {
    dependencies: [Db, Cache, Dependency.qualified(Db, "replica"), Dependency.optional(Plugin)],
    build: Db
  }),
  Component.make(Api, { dependencies: [Repo, Cache, Dependency.all(Plugin)], build: Repo })
)
const plan = Either.getOrThrow(Resolver.resolve(registry, [Api]))

const small = Either.getOrThrow(
  Resolver.resolve(
    Registry.make(
      Component.succeed(Db, "pg"),
      Component.make(Repo, { dependencies: [Db], build: Db }),
      Component.make(Api, { dependencies: [Repo, Dependency.all(Db)], build: Repo })
    ),
    [Api]
  )
)

describe("Explain", () => {
  it("the tree shows choices and request labels, and expands a shared dependency once", () => {
    expect(Explain.tree(plan)).toBe(
      [
        "└─ Api",
        "   ├─ Repo",
        "   │  ├─ Postgres (Db) [primary over Sqlite]",
        "   │  ├─ Cache",
        "   │  │  └─ Postgres (Db) [primary over Sqlite]",
        "   │  ├─ Db@replica: Sqlite (Db)",
        "   │  └─ Option<Plugin> (absent)",
        "   ├─ Cache (see above)",
        "   └─ All<Plugin> (none)"
      ].join("\n")
    )
  })

  it("the tree lists every member of a collection, in order, and marks overrides", () => {
    const withPlugins = registry.pipe(
      Registry.add([
        Component.succeed(Plugin, "b").pipe(Component.named("B"), Component.order(2)),
        Component.succeed(Plugin, "a").pipe(Component.named("A"), Component.order(1))
      ]),
      Testing.value(Cache, "fake")
    )
    const lines = Explain.tree(Either.getOrThrow(Resolver.resolve(withPlugins, [Api]))).split("\n")
    expect(lines.slice(-3)).toEqual([
      "   ├─ Cache (override) (Cache) [override]",
      "   ├─ All<Plugin>: A (Plugin) [all, 2 by order]",
      "   └─ All<Plugin>: B (Plugin)"
    ])
  })

  it("mermaid draws a node per component and a labelled arrow per selected request, roots bold", () => {
    expect(Explain.mermaid(small)).toBe(
      [
        "flowchart TD",
        "  n0[\"Db\"]",
        "  n1[\"Repo\"]",
        "  n2[\"Api\"]",
        "  n1 --> n0",
        "  n2 --> n1",
        "  n2 -->|\"All#lt;Db#gt;\"| n0",
        "  classDef root stroke-width:3px",
        "  classDef override stroke-dasharray: 5 5",
        "  class n2 root"
      ].join("\n")
    )
  })

  it("dot draws the same graph for Graphviz", () => {
    expect(Explain.dot(small)).toBe(
      [
        "digraph layerwise {",
        "  rankdir=TB;",
        "  node [shape=box];",
        "  n0 [label=\"Db\"];",
        "  n1 [label=\"Repo\"];",
        "  n2 [label=\"Api\", penwidth=2];",
        "  n1 -> n0;",
        "  n2 -> n1;",
        "  n2 -> n0 [label=\"All<Db>\"];",
        "}"
      ].join("\n")
    )
  })

  it("awkward names are escaped in mermaid and dot", () => {
    const odd = Either.getOrThrow(
      Resolver.resolve(Registry.make(Component.succeed(Db, "x").pipe(Component.named("say \"hi\" <now>"))), [Db])
    )
    expect(Explain.mermaid(odd)).toContain("n0[\"say #quot;hi#quot; #lt;now#gt;<br/>Db\"]")
    expect(Explain.dot(odd)).toContain("n0 [label=\"say \\\"hi\\\" <now>\\nDb\", penwidth=2];")
  })

  it("the JSON form goes through its schema and survives a round trip", () => {
    const json = Explain.toJson(plan)
    expect(json.order).toEqual([0, 1, 2, 3, 4])
    expect(json.nodes[0]).toMatchObject({ name: "Postgres", service: "Db", primary: true, construct: "Value", parent: 3 })
    expect(json.nodes[3]!.dependencies[0]!.choice).toEqual({ rule: "primary", considered: ["Postgres", "Sqlite"] })
    const decoded = Explain.fromJson(JSON.parse(JSON.stringify(json)))
    expect(decoded).toEqual(json)
    expect(Schema.is(Explain.PlanJson)(decoded)).toBe(true)
  })

  it("decoding rejects malformed JSON", () => {
    expect(() => Explain.fromJson({ roots: [], nodes: [{ id: "zero" }], order: [] })).toThrow()
  })

  it.effect("a 10,000-long chain renders in every form without overflowing the stack", () =>
    Effect.sync(() => {
      const tags = Array.from({ length: 10_000 }, (_, index) => Context.GenericTag<string, string>(`S${index}`))
      const components = tags.map((tag, index) =>
        index === 0 ? Component.succeed(tag, "0") : Component.make(tag, { dependencies: [tags[index - 1]!], build: tags[index - 1]! })
      )
      const chain = Either.getOrThrow(Resolver.resolve(Registry.make(...components), [tags[9_999]!]))
      expect(Explain.tree(chain).split("\n")).toHaveLength(10_000)
      expect(Explain.mermaid(chain).split("\n")).toHaveLength(1 + 10_000 + 9_999 + 3)
      expect(Explain.dot(chain).split("\n")).toHaveLength(3 + 10_000 + 9_999 + 1)
      expect(Explain.toJson(chain).nodes).toHaveLength(10_000)
    }))
})
