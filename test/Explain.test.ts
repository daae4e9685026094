import { describe, expect, it } from "@effect/vitest"
import { Context, Duration, Effect, Either, FastCheck as fc, Layer, Schema } from "effect"
import { App, Component, Condition, Container, Dependency, Errors, Explain, Family, Lifecycle, Lifetime, Options, Plan, Qualifier, Registry, Resolver, Testing } from "../src/index.js"
import * as resolver from "../src/internal/resolver.js"
import * as graph from "./helpers/graph.js"

class Db extends Context.Tag("Db")<Db, string>() {}
class Cache extends Context.Tag("Cache")<Cache, string>() {}
class Queue extends Context.Tag("Queue")<Queue, string>() {}
class Mailer extends Context.Tag("Mailer")<Mailer, string>() {}
class Metrics extends Context.Tag("Metrics")<Metrics, string>() {}
class Shared extends Context.Tag("Shared")<Shared, string>() {}
class Left extends Context.Tag("Left")<Left, string>() {}
class Right extends Context.Tag("Right")<Right, string>() {}
class Repo extends Context.Tag("Repo")<Repo, string>() {}
class Api extends Context.Tag("Api")<Api, string>() {}
class Worker extends Context.Tag("Worker")<Worker, string>() {}
class Plugin extends Context.Tag("Plugin")<Plugin, string>() {}

const Replica = Qualifier.make("replica")

const resolve = (registry: Registry.Registry, roots: ReadonlyArray<Dependency.Any>): Plan.Plan<never> =>
  Either.getOrThrow(Resolver.resolve(registry, roots))

const lines = (...text: ReadonlyArray<string>): string => text.join("\n")

/** Db <- Repo <- Api, and Api also asks for every Db. */
const small = resolve(
  Registry.make(
    Component.succeed(Db, "pg"),
    Component.make(Repo, { dependencies: [Db], build: Db }),
    Component.make(Api, { dependencies: [Repo, Dependency.all(Db)], build: Repo })
  ),
  [Api]
)

/** Api <- [Postgres (primary over Sqlite), FakeMailer (override over Smtp)] */
const decided = resolve(
  Registry.make(
    Component.succeed(Db, "pg").pipe(Component.named("Postgres"), Component.primary),
    Component.succeed(Db, "sqlite").pipe(Component.named("Sqlite")),
    Component.succeed(Mailer, "smtp").pipe(Component.named("Smtp")),
    Component.make(Api, { dependencies: [Db, Mailer], build: Db })
  ).pipe(Registry.override([Component.succeed(Mailer, "fake").pipe(Component.named("FakeMailer"))])),
  [Api]
)

/** A chain of `length` components: `S<length-1>` depends on ... on `S0`. */
const chain = (length: number) => {
  const tags = Array.from({ length }, (_, index) => Context.GenericTag<string, string>(`S${index}`))
  const components = tags.map((tag, index) =>
    index === 0
      ? Component.succeed(tag, "S0")
      : Component.make(tag, { dependencies: [tags[index - 1]!], build: tags[index - 1]! })
  )
  return resolve(Registry.make(...components), [tags[length - 1]!])
}

/**
 * A tree of components named `n<id>` read back: every name printed, and the children of each line
 * that expands a component (which must be the only one expanding it); every line within `maxDepth`.
 */
const expansions = (text: string, maxDepth: number) => {
  const parsed = text.split("\n").map((line) => {
    const [, indent, connector, name, suffix] = /^((?:│ {2}| {3})*)(├─ |└─ )?(n\d+)(.*)$/.exec(line)!
    return { depth: indent!.length / 3 + (connector === undefined ? 0 : 1), name: name!, suffix: suffix! }
  })
  const expanded = new Map<string, Array<string>>()
  parsed.forEach((line, index) => {
    expect(line.depth).toBeLessThanOrEqual(maxDepth)
    if (line.suffix !== "" && line.suffix !== " (continued)") return
    const children: Array<string> = []
    for (let next = index + 1; next < parsed.length && parsed[next]!.depth > line.depth; next++) {
      if (parsed[next]!.depth === line.depth + 1) children.push(parsed[next]!.name)
    }
    if (children.length > 0 || line.suffix === " (continued)") {
      expect(expanded.has(line.name)).toBe(false)
      expanded.set(line.name, children)
    }
  })
  return { expanded, names: new Set(parsed.map((line) => line.name)) }
}

describe("Explain.tree", () => {
  it("starts at each root and hangs every dependency below its dependent", () => {
    const plan = resolve(
      Registry.make(
        Component.succeed(Db, "pg"),
        Component.make(Repo, { dependencies: [Db], build: Db }),
        Component.make(Cache, { dependencies: [], build: Effect.succeed("cache") }),
        Component.make(Api, { dependencies: [Repo, Cache], build: Repo })
      ),
      [Api, Cache]
    )
    expect(Explain.tree(plan)).toBe(lines(
      "Api",
      "├─ Repo",
      "│  └─ Db",
      "└─ Cache",
      "Cache"
    ))
  })

  it("expands a shared dependency once; later occurrences say (see above) without their subtree", () => {
    const diamond = resolve(
      Registry.make(
        Component.succeed(Db, "pg"),
        Component.make(Shared, { dependencies: [Db], build: Db }),
        Component.make(Left, { dependencies: [Shared], build: Shared }),
        Component.make(Right, { dependencies: [Shared], build: Shared }),
        Component.make(Api, { dependencies: [Left, Right], build: Left })
      ),
      [Api]
    )
    expect(Explain.tree(diamond)).toBe(lines(
      "Api",
      "├─ Left",
      "│  └─ Shared",
      "│     └─ Db",
      "└─ Right",
      "   └─ Shared (see above)"
    ))
  })

  it("names the rule that chose each candidate and the candidates it won over", () => {
    const plan = resolve(
      Registry.make(
        Component.succeed(Db, "pg").pipe(Component.named("Postgres"), Component.primary),
        Component.succeed(Db, "sqlite").pipe(Component.named("Sqlite")),
        Component.succeed(Cache, "redis").pipe(Component.named("Redis")),
        Component.succeed(Cache, "memory").pipe(Component.named("Memory"), Component.alternative),
        Component.succeed(Queue, "kafka").pipe(Component.named("Kafka"), Component.order(1)),
        Component.succeed(Queue, "rabbit").pipe(Component.named("Rabbit"), Component.order(2)),
        Component.succeed(Queue, "sqs").pipe(Component.named("Sqs"), Component.order(3)),
        Component.succeed(Mailer, "smtp").pipe(Component.named("Smtp")),
        Component.succeed(Plugin, "b").pipe(Component.named("B"), Component.order(2)),
        Component.succeed(Plugin, "a").pipe(Component.named("A"), Component.order(1)),
        Component.make(Api, {
          dependencies: [Db, Cache, Queue, Mailer, Dependency.all(Plugin), Dependency.optional(Metrics)],
          build: Db
        })
      ).pipe(Registry.override([Component.succeed(Mailer, "fake").pipe(Component.named("FakeMailer"))])),
      [Api]
    )
    expect(Explain.tree(plan)).toBe(lines(
      "Api",
      "├─ Postgres (Db) [primary over Sqlite]",
      "├─ Redis (Cache) [not-alternative over Memory]",
      "├─ Kafka (Queue) [lowest-order over Rabbit, Sqs]",
      "├─ FakeMailer (Mailer) [override]",
      "├─ All<Plugin>: A (Plugin) [all, 2 by order]",
      "├─ All<Plugin>: B (Plugin)",
      "└─ Option<Metrics> (absent)"
    ))
  })

  it("labels qualified, named, optional and collection requests, at the roots too; the requests that reached one component share its line, each with its reason", () => {
    const plan = resolve(
      Registry.make(
        Component.succeed(Db, "pg").pipe(Component.named("Postgres"), Component.primary),
        Component.succeed(Db, "sqlite").pipe(Component.named("Sqlite"), Component.qualified([Replica])),
        Component.make(Repo, {
          dependencies: [
            Dependency.qualified(Db, Replica),
            Dependency.named(Db, "Sqlite"),
            Dependency.optional(Db),
            Dependency.all(Db),
            Dependency.all(Plugin)
          ],
          build: Effect.succeed("repo")
        })
      ),
      [Repo, Dependency.qualified(Db, Replica), Dependency.optional(Metrics)]
    )
    expect(Explain.tree(plan)).toBe(lines(
      "Repo",
      "├─ Db@replica, Db#Sqlite, All<Db>: Sqlite (Db)",
      "├─ Option<Db> [primary over Sqlite], All<Db> [all, 2 by order]: Postgres (Db)",
      "└─ All<Plugin> (none)",
      "Db@replica: Sqlite (Db)",
      "Option<Metrics> (absent)"
    ))
  })

  it("shows components that no requested root leads to as roots of their own, after the requested ones", () => {
    const registry = Registry.make(
      Component.succeed(Db, "pg"),
      Component.make(Api, { dependencies: [Db], build: Db }),
      Component.make(Worker, { dependencies: [Db, Api], build: Db })
    )
    const plan = Either.getOrThrow(
      resolver.resolve(registry, [Api], { extraRoots: (component) => component.tag.key === Worker.key })
    )
    expect(Explain.tree(plan)).toBe(lines(
      "Api",
      "└─ Db",
      "Worker",
      "├─ Db",
      "└─ Api (see above)"
    ))
  })

  it("continues a branch deeper than maxDepth in a section of its own below the tree", () => {
    expect(Explain.tree(chain(5), { maxDepth: 2 })).toBe(lines(
      "S4",
      "└─ S3",
      "   └─ S2 (continued below)",
      "S2 (continued)",
      "└─ S1",
      "   └─ S0"
    ))
    expect(Explain.tree(chain(5), { maxDepth: 1 })).toBe(lines(
      "S4",
      "└─ S3 (continued below)",
      "S3 (continued)",
      "└─ S2 (continued below)",
      "S2 (continued)",
      "└─ S1 (continued below)",
      "S1 (continued)",
      "└─ S0"
    ))
    // a limit below 1 cannot make progress: the default applies
    expect(Explain.tree(chain(5), { maxDepth: 0 })).toBe(Explain.tree(chain(5)))
  })

  it("writes control characters in names as escapes, so that every line is one component", () => {
    const plan = resolve(Registry.make(Component.succeed(Db, "x").pipe(Component.named("two\nlines\tand a tab"))), [Db])
    expect(Explain.tree(plan)).toBe(String.raw`two\nlines\tand a tab (Db)`)
  })

  it("always expands a component exactly once, lists its dependencies in order and stays within maxDepth", () => {
    fc.assert(
      fc.property(graph.dag({ maxSize: 40 }), fc.integer({ min: 1, max: 4 }), (dag, maxDepth) => {
        const { registry, roots } = graph.makeGraph(dag, (_, name) => Effect.succeed(name))
        const plan = resolve(registry, roots)
        const { expanded, names } = expansions(Explain.tree(plan, { maxDepth }), maxDepth)
        dag.forEach((dependencies, id) => {
          expect(names.has(graph.nameOf(id))).toBe(true)
          if (dependencies.length > 0) expect(expanded.get(graph.nameOf(id))).toEqual(dependencies.map(graph.nameOf))
        })
      }),
      { seed: 20261212 }
    )
  })
})

describe("Explain.componentTree", () => {
  /** Db <- Shared <- Left, Right <- Api <- Server: a diamond on each side of Shared and Api. */
  const diamond = resolve(
    Registry.make(
      Component.succeed(Db, "pg"),
      Component.make(Shared, { dependencies: [Db], build: Db }),
      Component.make(Left, { dependencies: [Shared], build: Shared }),
      Component.make(Right, { dependencies: [Shared], build: Shared }),
      Component.make(Api, { dependencies: [Left, Right], build: Left }),
      Component.make(Worker, { dependencies: [Api], build: Api }).pipe(Component.named("Server"))
    ),
    [Worker]
  )
  const treeOf = (plan: Plan.Any, which: string | Dependency.Any, options?: Explain.ComponentTreeOptions) =>
    Either.getOrThrow(Explain.componentTree(plan, which, options))

  it("from a root: its dependencies recursively, as the tree shows them; nothing depends on it", () => {
    expect(treeOf(diamond, "Server")).toBe(Explain.tree(diamond))
    expect(treeOf(diamond, "Server")).toBe(lines(
      "Server (Worker)",
      "└─ Api",
      "   ├─ Left",
      "   │  └─ Shared",
      "   │     └─ Db",
      "   └─ Right",
      "      └─ Shared (see above)"
    ))
    expect(treeOf(diamond, "Server", { direction: "dependents" })).toBe("Server (Worker)")
  })

  it("from a leaf: its dependents recursively (the reverse edges), a shared dependent expanded once; it depends on nothing", () => {
    expect(treeOf(diamond, "Db", { direction: "dependents" })).toBe(lines(
      "Db",
      "└─ Shared",
      "   ├─ Left",
      "   │  └─ Api",
      "   │     └─ Server (Worker)",
      "   └─ Right",
      "      └─ Api (see above)"
    ))
    expect(treeOf(diamond, "Db")).toBe("Db")
    expect(treeOf(diamond, "Db", { direction: "dependencies" })).toBe("Db")
  })

  it("from a component in the middle: only what it pulls in, or only what depends on it", () => {
    expect(treeOf(diamond, "Left")).toBe(lines(
      "Left",
      "└─ Shared",
      "   └─ Db"
    ))
    expect(treeOf(diamond, "Left", { direction: "dependents" })).toBe(lines(
      "Left",
      "└─ Api",
      "   └─ Server (Worker)"
    ))
  })

  it("finds the component by a request that resolved to it, and a dependent line names the requests and the rule that chose the component", () => {
    const plan = resolve(
      Registry.make(
        Component.succeed(Db, "main").pipe(Component.named("main"), Component.primary),
        Component.succeed(Db, "replica").pipe(Component.named("replica"), Component.qualified([Replica])),
        Component.make(Repo, { dependencies: [Db, Dependency.qualified(Db, Replica)], build: Db }),
        Component.make(Api, { dependencies: [Dependency.qualified(Db, Replica), Dependency.lazy(Db), Repo], build: Repo }).pipe(
          Lifecycle.onStart(() => Effect.void, { name: "listen" })
        )
      ),
      [Api]
    )
    expect(treeOf(plan, Dependency.qualified(Db, Replica), { direction: "dependents" })).toBe(lines(
      "replica (Db)",
      "├─ Repo via Db@replica",
      "│  └─ Api · onStart: listen",
      "└─ Api via Db@replica"
    ))
    expect(treeOf(plan, Db, { direction: "dependents" })).toBe(lines(
      "main (Db)",
      "├─ Repo [primary over replica]",
      "│  └─ Api · onStart: listen",
      "└─ Api via Lazy<Db> [primary over replica]"
    ))
    expect(treeOf(plan, Api)).toBe(lines(
      "Api · onStart: listen",
      "├─ Db@replica: replica (Db)",
      "├─ Lazy<Db>: main (Db) [primary over replica]",
      "└─ Repo",
      "   ├─ main (Db) [primary over replica]",
      "   └─ Db@replica: replica (Db)"
    ))
  })

  it("continues a branch deeper than maxDepth in a section of its own below, in both directions", () => {
    expect(treeOf(chain(6), "S4", { maxDepth: 2 })).toBe(lines(
      "S4",
      "└─ S3",
      "   └─ S2 (continued below)",
      "S2 (continued)",
      "└─ S1",
      "   └─ S0"
    ))
    expect(treeOf(chain(6), "S0", { direction: "dependents", maxDepth: 2 })).toBe(lines(
      "S0",
      "└─ S1",
      "   └─ S2 (continued below)",
      "S2 (continued)",
      "└─ S3",
      "   └─ S4 (continued below)",
      "S4 (continued)",
      "└─ S5"
    ))
    expect(treeOf(chain(6), "S0", { direction: "dependents", maxDepth: 0 })).toBe(treeOf(chain(6), "S0", { direction: "dependents" }))
  })

  it("a name or request the plan has no component for is an UnknownComponent suggesting close names, as Explain.component's", () => {
    expect(Explain.componentTree(diamond, "Sahred", { direction: "dependents" })).toEqual(Explain.component(diamond, "Sahred"))
    expect(Either.flip(Explain.componentTree(diamond, "Sahred")).pipe(Either.map((error) => error.message))).toEqual(
      Either.right("no component is named Sahred (did you mean Shared?)")
    )
    expect(Explain.componentTree(diamond, Mailer)).toEqual(Either.left(new Errors.UnknownComponent({ name: "Mailer", suggestions: [] })))
  })

  it("reaches exactly the component's transitive dependencies or dependents, each expanded once with its direct ones in order", () => {
    fc.assert(
      fc.property(
        graph.dag({ maxSize: 30 }).chain((dag) => fc.tuple(fc.constant(dag), fc.nat({ max: dag.length - 1 }))),
        fc.integer({ min: 1, max: 4 }),
        ([dag, id], maxDepth) => {
          const { registry, roots } = graph.makeGraph(dag, (_, name) => Effect.succeed(name))
          const plan = resolve(registry, roots)
          const name = graph.nameOf(id)
          const dependencies = expansions(treeOf(plan, name, { maxDepth }), maxDepth)
          const pulledIn = new Set([id])
          for (let node = id; node >= 0; node--) if (pulledIn.has(node)) dag[node]!.forEach((each) => pulledIn.add(each))
          expect(dependencies.names).toEqual(new Set([...pulledIn].map(graph.nameOf)))
          for (const [parent, children] of dependencies.expanded) {
            expect(children).toEqual(dag[Number(parent.slice(1))]!.map(graph.nameOf))
          }
          const dependents = expansions(treeOf(plan, name, { direction: "dependents", maxDepth }), maxDepth)
          expect(dependents.names).toEqual(new Set([...graph.dependentsOf(dag, id)].map(graph.nameOf)))
          for (const [child, parents] of dependents.expanded) {
            expect(parents).toEqual(Either.getOrThrow(Explain.component(plan, child)).dependents)
          }
        }
      ),
      { seed: 20261212 }
    )
  })

  it("a 10,000-long chain's dependents render without overflowing the stack, in short lines", () => {
    const tree = treeOf(chain(10_000), "S0", { direction: "dependents" }).split("\n")
    expect(tree).toHaveLength(10_000 + Math.floor((10_000 - 2) / 32))
    expect(tree.slice(0, 2)).toEqual(["S0", "└─ S1"])
    expect(tree.at(-1)).toBe(`${" ".repeat(14 * 3)}└─ S9999`)
  })
})

describe("Explain.mermaid", () => {
  it("draws a node per component and an arrow per resolved request, labelled when the request is not plain", () => {
    expect(Explain.mermaid(small)).toBe(lines(
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
    ))
  })

  it("marks roots and overrides, labels edges decided by a rule, and follows the direction option", () => {
    expect(Explain.mermaid(decided, { direction: "LR" })).toBe(lines(
      "flowchart LR",
      "  n0[\"Postgres<br/>Db\"]",
      "  n1[\"FakeMailer<br/>Mailer\"]",
      "  n2[\"Api\"]",
      "  n2 -->|\"[primary]\"| n0",
      "  n2 -->|\"[override]\"| n1",
      "  classDef root stroke-width:3px",
      "  classDef override stroke-dasharray: 5 5",
      "  class n2 root",
      "  class n1 override"
    ))
  })
})

describe("Explain.dot", () => {
  it("draws the same graph for Graphviz", () => {
    expect(Explain.dot(small)).toBe(lines(
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
    ))
  })

  it("marks roots and overrides, labels edges decided by a rule, and follows the direction option", () => {
    expect(Explain.dot(decided, { direction: "LR" })).toBe(lines(
      "digraph layerwise {",
      "  rankdir=LR;",
      "  node [shape=box];",
      "  n0 [label=\"Postgres\\nDb\"];",
      "  n1 [label=\"FakeMailer\\nMailer\", style=dashed];",
      "  n2 [label=\"Api\", penwidth=2];",
      "  n2 -> n0 [label=\"[primary]\"];",
      "  n2 -> n1 [label=\"[override]\"];",
      "}"
    ))
  })
})

describe("escaping", () => {
  // quotes, angle brackets, square and curly brackets, an entity look-alike, an ampersand, a
  // backslash sequence DOT would interpret, a line break, and a `#` that must stay as it is
  const awkward = "say \"hi\"\n<now> [x] {y} #amp; a&b \\N #1"
  const plan = resolve(
    Registry.make(
      Component.succeed(Db, "x").pipe(Component.named(awkward)),
      Component.make(Api, { dependencies: [Dependency.named(Db, awkward)], build: Effect.succeed("api") })
    ),
    [Api]
  )

  it("awkward names and labels are escaped in mermaid", () => {
    expect(Explain.mermaid(plan).split("\n").slice(1, 4)).toEqual([
      String.raw`  n0["say #quot;hi#quot;<br/>#lt;now#gt; [x] {y} #35;amp; a#amp;b \N #1<br/>Db"]`,
      String.raw`  n1["Api"]`,
      String.raw`  n1 -->|"Db#say #quot;hi#quot;<br/>#lt;now#gt; [x] {y} #35;amp; a#amp;b \N #1"| n0`
    ])
  })

  it("awkward names and labels are escaped in dot", () => {
    expect(Explain.dot(plan).split("\n").slice(3, 6)).toEqual([
      String.raw`  n0 [label="say \"hi\"\n<now> [x] {y} #amp; a&b \\N #1\nDb"];`,
      String.raw`  n1 [label="Api", penwidth=2];`,
      String.raw`  n1 -> n0 [label="Db#say \"hi\"\n<now> [x] {y} #amp; a&b \\N #1"];`
    ])
  })
})

describe("escaping control characters", () => {
  const plan = resolve(Registry.make(Component.succeed(Db, "x").pipe(Component.named("a\u0000b\tc\u2028d"))), [Db])

  it("the tree and DOT write them as visible escapes, and Mermaid a line separator as a line break", () => {
    expect(Explain.tree(plan)).toBe(String.raw`a\u0000b\tc\u2028d (Db)`)
    expect(Explain.dot(plan).split("\n")[3]).toBe(String.raw`  n0 [label="a\\u0000b\\tc\\u2028d\nDb", penwidth=2];`)
    expect(Explain.mermaid(plan).split("\n")[1]).toBe(String.raw`  n0["a b c<br/>d<br/>Db"]`)
  })
})

describe("Explain JSON", () => {
  it("encodes a plan's components, requests, choices and build order through the schema", () => {
    const plan = resolve(
      Registry.make(
        Component.succeed(Db, "pg").pipe(Component.named("Postgres"), Component.qualified([Replica]), Component.order(3)),
        Component.fromLayer(Cache, { dependencies: [], layer: Layer.succeed(Cache, "cache") }),
        Component.make(Repo, {
          dependencies: [Dependency.qualified(Db, Replica), Dependency.optional(Metrics), Cache],
          build: Effect.succeed("repo")
        }).pipe(Component.primary)
      ),
      [Repo]
    )
    const qualified = {
      request: {
        service: "Db",
        selector: { _tag: "Qualifier", qualifier: "replica" },
        cardinality: "one",
        key: "layerwise/Db@replica",
        label: "Db@replica"
      },
      targets: [0],
      choice: { rule: "only", considered: ["Postgres"] }
    }
    const absent = {
      request: {
        service: "Metrics",
        selector: { _tag: "Any" },
        cardinality: "optional",
        key: "layerwise/Option<Metrics>",
        label: "Option<Metrics>"
      },
      targets: [],
      choice: { rule: "absent", considered: [] }
    }
    const cache = {
      request: { service: "Cache", selector: { _tag: "Any" }, cardinality: "one", key: "Cache", label: "Cache" },
      targets: [1],
      choice: { rule: "only", considered: ["Cache"] }
    }
    const node = { qualifiers: [], primary: false, alternative: false, order: 0, override: false }
    expect(Explain.toJson(plan)).toStrictEqual({
      roots: [{
        request: { service: "Repo", selector: { _tag: "Any" }, cardinality: "one", key: "Repo", label: "Repo" },
        targets: [2],
        choice: { rule: "only", considered: ["Repo"] }
      }],
      nodes: [
        {
          ...node,
          id: 0,
          name: "Postgres",
          service: "Db",
          qualifiers: ["replica"],
          order: 3,
          construct: "Value",
          parent: 2,
          dependencies: []
        },
        { ...node, id: 1, name: "Cache", service: "Cache", construct: "Layer", parent: 2, dependencies: [] },
        {
          ...node,
          id: 2,
          name: "Repo",
          service: "Repo",
          primary: true,
          construct: "Effect",
          parent: null,
          dependencies: [qualified, absent, cache]
        }
      ],
      order: [0, 1, 2]
    })
  })

  it("survives a round trip through JSON text and the schema", () => {
    for (const plan of [small, decided]) {
      const json = Explain.toJson(plan)
      const decoded = Schema.decodeUnknownSync(Explain.PlanJson)(JSON.parse(JSON.stringify(json)))
      expect(decoded).toStrictEqual(json)
      expect(Explain.fromJson(JSON.parse(JSON.stringify(json)))).toStrictEqual(json)
    }
  })

  it("decoding rejects what is not a plan's JSON form", () => {
    const json = Explain.toJson(small)
    expect(() => Explain.fromJson({ ...json, nodes: [{ ...json.nodes[0]!, id: "zero" }] })).toThrow(/id/)
    expect(() =>
      Explain.fromJson({ ...json, roots: [{ ...json.roots[0]!, choice: { rule: "random", considered: [] } }] })
    ).toThrow(/rule/)
    expect(() => Explain.fromJson({ roots: [] })).toThrow(/nodes/)
  })
})

describe("lifecycle metadata", () => {
  /** Server (startup, a named start hook, signalled background work, two unnamed stop hooks, a timeout) <- Db (a disposer) */
  const withLifecycle = resolve(
    Registry.make(
      Component.succeed(Db, "pg").pipe(Lifecycle.disposer(() => Effect.void)),
      Component.make(Api, { dependencies: [Db], build: Db }).pipe(
        Component.named("Server"),
        Lifecycle.startup(1),
        Lifecycle.onStart(() => Effect.void, { name: "listen" }),
        Lifecycle.background(() => Effect.never, { name: "accept", onShutdown: "signal" }),
        Lifecycle.onStop(() => Effect.void),
        Lifecycle.onStop(() => Effect.void),
        Lifecycle.timeouts({ stop: "5 seconds" })
      ),
      Component.make(Worker, { dependencies: [Db], build: Db })
    ),
    [Api, Worker]
  )

  it("the tree follows a component's first line with its lifecycle, in the order the application runs it", () => {
    expect(Explain.tree(withLifecycle)).toBe(lines(
      "Server (Api) · startup 1 · onStart: listen · background: accept (signal) · onStop x2 · timeouts: stop 5s",
      "└─ Db · disposer",
      "Worker",
      "└─ Db"
    ))
  })

  it("background work of the default name stopped by a signal reads 'background (signal)', as a default-named hook reads its kind alone", () => {
    // Regression: it read "background: background (signal)", its default name shown as if given
    const worker = (...works: ReadonlyArray<"signal" | "interrupt">) =>
      Explain.tree(resolve(
        Registry.make(works.reduce(
          (component, onShutdown) => component.pipe(Lifecycle.background(() => Effect.never, { onShutdown })),
          Component.succeed(Worker, "w")
        )),
        [Worker]
      ))
    expect([worker("signal"), worker("signal", "signal"), worker("signal", "interrupt"), worker("interrupt")]).toEqual([
      "Worker · background (signal)",
      "Worker · background x2 (signal)",
      "Worker · background: background (signal), background#2",
      "Worker · background"
    ])
  })

  it("the lowest startup order (Ops.serve's default) is named, not printed as its sixteen digits", () => {
    const plan = resolve(Registry.make(Component.succeed(Db, "pg").pipe(Lifecycle.startup(Number.MIN_SAFE_INTEGER))), [Db])
    expect(Explain.tree(plan)).toBe("Db · startup Number.MIN_SAFE_INTEGER")
  })

  it("health checks come last, before the timeouts, the health timeout among them; the JSON form lists them only when there are some", () => {
    const plan = resolve(
      Registry.make(
        Component.succeed(Db, "pg").pipe(
          Lifecycle.onStart(() => Effect.void),
          Lifecycle.healthCheck(() => Effect.void, { name: "ping", timeout: "1 second" }),
          Lifecycle.healthCheck(() => Effect.void, { name: "pool" }),
          Lifecycle.timeouts({ health: "2 seconds" })
        ),
        Component.make(Worker, { dependencies: [Db], build: Db }).pipe(Lifecycle.healthCheck(() => Effect.void))
      ),
      [Worker]
    )
    expect(Explain.tree(plan)).toBe(lines(
      "Worker · healthCheck",
      "└─ Db · onStart · healthCheck: ping, pool · timeouts: health 2s"
    ))
    const json = Explain.toJson(plan)
    expect(json.nodes.find((node) => node.name === "Db")!.lifecycle).toStrictEqual({
      startup: null,
      initializers: [],
      onStart: ["onStart"],
      onStop: [],
      disposers: [],
      background: [],
      healthChecks: [{ name: "ping", timeout: 1000 }, { name: "pool", timeout: null }],
      timeouts: { health: 2000 }
    })
    expect(Explain.fromJson(JSON.parse(JSON.stringify(json)))).toStrictEqual(json)
  })

  it("a health check that counts for readiness says so: (readiness) in the tree and in Explain.component's text, readiness: true in the JSON forms; the others say nothing of it", () => {
    const plan = resolve(
      Registry.make(
        Component.succeed(Db, "pg").pipe(
          Lifecycle.healthCheck(() => Effect.void, { name: "connected", readiness: true }),
          Lifecycle.healthCheck(() => Effect.void, { name: "pool" })
        ),
        Component.make(Worker, { dependencies: [Db], build: Db }).pipe(Lifecycle.healthCheck(() => Effect.void, { readiness: true }))
      ),
      [Worker]
    )
    expect(Explain.tree(plan)).toBe(lines(
      "Worker · healthCheck (readiness)",
      "└─ Db · healthCheck: connected (readiness), pool"
    ))
    const db = Either.getOrThrow(Explain.component(plan, "Db"))
    expect(db.lifecycle?.healthChecks).toStrictEqual([{ name: "connected", timeout: null, readiness: true }, { name: "pool", timeout: null }])
    expect(Explain.componentText(db).split("\n")[4]).toBe("  health checks: connected (readiness), pool")
    const json = Explain.toJson(plan)
    expect(json.nodes.map((node) => node.lifecycle?.healthChecks)).toStrictEqual([
      [{ name: "connected", timeout: null, readiness: true }, { name: "pool", timeout: null }],
      [{ name: "healthCheck", timeout: null, readiness: true }]
    ])
    expect(Explain.fromJson(JSON.parse(JSON.stringify(json)))).toStrictEqual(json)
  })

  it("a timeout in any duration form is explained as App reads it", () => {
    const forms: ReadonlyArray<Duration.DurationInput> = [1500, "1.5 seconds", Duration.millis(1500), BigInt(1_500_000_000), [1, 500_000_000]]
    const explained = forms.map((timeout) => {
      const plan = resolve(
        Registry.make(Component.succeed(Db, "pg").pipe(Lifecycle.timeouts({ stop: timeout }), Lifecycle.healthCheck(() => Effect.void, { name: "ping", timeout }))),
        [Db]
      )
      const lifecycle = Explain.toJson(plan).nodes[0]!.lifecycle!
      return [Explain.tree(plan), lifecycle.timeouts, lifecycle.healthChecks]
    })
    expect(explained).toEqual(forms.map(() => [
      lines("Db · healthCheck: ping · timeouts: stop 1s 500ms"),
      { stop: 1500 },
      [{ name: "ping", timeout: 1500 }]
    ]))
  })

  it("an invalid timeout, which App refuses to run, is explained as invalid instead of throwing", () => {
    const plan = resolve(
      Registry.make(
        Component.succeed(Db, "pg").pipe(
          Lifecycle.timeouts({ start: "soon" as never, stop: -5 }),
          Lifecycle.healthCheck(() => Effect.void, { name: "ping", timeout: Number.NaN })
        )
      ),
      [Db]
    )
    expect(Explain.tree(plan)).toBe(lines("Db · healthCheck: ping · timeouts: start invalid (soon), stop invalid (-5)"))
    const lifecycle = Explain.toJson(plan).nodes[0]!.lifecycle!
    expect(lifecycle.timeouts).toEqual({})
    expect(lifecycle.healthChecks).toEqual([{ name: "ping", timeout: null }])
  })

  it("mermaid and dot labels carry the same line", () => {
    const server = "startup 1 · onStart: listen · background: accept (signal) · onStop x2 · timeouts: stop 5s"
    expect(Explain.mermaid(withLifecycle).split("\n").slice(1, 4)).toEqual([
      "  n0[\"Db<br/>disposer\"]",
      `  n1["Server<br/>Api<br/>${server}"]`,
      "  n2[\"Worker\"]"
    ])
    expect(Explain.dot(withLifecycle).split("\n").slice(3, 6)).toEqual([
      "  n0 [label=\"Db\\ndisposer\"];",
      `  n1 [label="Server\\nApi\\n${server}", penwidth=2];`,
      "  n2 [label=\"Worker\", penwidth=2];"
    ])
  })

  it("the JSON form has the hooks by name, background work and the component's timeouts in milliseconds, and round-trips", () => {
    const json = Explain.toJson(withLifecycle)
    const server = json.nodes.find((node) => node.name === "Server")!
    expect(server.lifecycle).toStrictEqual({
      startup: 1,
      initializers: [],
      onStart: ["listen"],
      onStop: ["onStop", "onStop#2"],
      disposers: [],
      background: [{ name: "accept", onShutdown: "signal" }],
      timeouts: { stop: 5000 }
    })
    expect(json.nodes.find((node) => node.name === "Worker")).not.toHaveProperty("lifecycle")
    expect(Explain.fromJson(JSON.parse(JSON.stringify(json)))).toStrictEqual(json)
    expect(() => Explain.fromJson({ ...json, nodes: [{ ...server, lifecycle: { ...server.lifecycle, startup: "first" } }] }))
      .toThrow(/startup/)
  })
})

describe("one component", () => {
  const Replica = Qualifier.make("replica")
  const registry = Registry.make(
    Component.succeed(Db, "main").pipe(Component.named("main"), Component.primary),
    Component.succeed(Db, "replica").pipe(Component.named("replica"), Component.qualified([Replica])),
    Component.make(Api, { dependencies: [Db, Dependency.qualified(Db, Replica)], build: Effect.succeed("api") }).pipe(
      Lifecycle.onStart(() => Effect.void, { name: "listen" })
    )
  )
  const plan = Either.getOrThrow(Resolver.resolve(registry, [Api]))

  it("explains a component by name or by a request: why it was chosen, what it depends on, what depends on it", () => {
    const main = Either.getOrThrow(Explain.component(plan, "main"))
    expect(main).toMatchObject({
      name: "main",
      service: "Db",
      primary: true,
      lifetime: null,
      root: false,
      chosenBy: [{ dependent: "Api", request: "Db", rule: "primary", considered: ["main", "replica"] }],
      dependents: ["Api"],
      state: null,
      phases: []
    })
    expect(Either.getOrThrow(Explain.component(plan, Dependency.qualified(Db, Replica))).name).toBe("replica")
    expect(Either.getOrThrow(Explain.component(plan, Api)).dependencies.map((edge) => [edge.request, edge.components])).toEqual([
      ["Db", ["main"]],
      ["Db@replica", ["replica"]]
    ])
    expect(Explain.componentText(main).split("\n")).toEqual([
      "main (Db)",
      "  singleton · primary · built from a value",
      "  chosen for Api -> Db: primary over replica",
      "  dependents: Api"
    ])
    expect(Explain.componentText(Either.getOrThrow(Explain.component(plan, "Api"))).split("\n")).toEqual([
      "Api",
      "  singleton · built from an Effect",
      "  chosen for the root -> Api: the only candidate",
      "  depends on: Db -> main, Db@replica -> replica",
      "  dependents: none",
      "  start hooks: listen"
    ])
  })

  it("says a member of a collection is one of all its candidates, not chosen over the others", () => {
    const plugins = resolve(
      Registry.make(
        Component.succeed(Plugin, "csv").pipe(Component.named("csv"), Component.order(2)),
        Component.succeed(Plugin, "json").pipe(Component.named("json"), Component.order(1)),
        Component.make(Api, { dependencies: [Dependency.all(Plugin)], build: Effect.succeed("api") })
      ),
      [Api]
    )
    expect(Explain.componentText(Either.getOrThrow(Explain.component(plugins, "csv"))).split("\n")[2]).toBe(
      "  chosen for Api -> All<Plugin>: one of all 2 candidates (csv, json)"
    )
  })

  it("says which candidates conditions excluded from a choice, with their conditions: in the text, the tree, the diagrams and the JSON forms", () => {
    // Regression: MapCache was "the only candidate", which could not answer "why not the LRU cache?"
    const plan = resolve(
      Registry.make(
        Registry.when(Condition.profile("lru"), Component.succeed(Cache, "lru").pipe(Component.named("LruCache"))),
        Registry.when(Condition.not(Condition.profile("lru")), Component.succeed(Cache, "map").pipe(Component.named("MapCache"))),
        Registry.when(Condition.profile("oracle"), Component.succeed(Db, "oracle").pipe(Component.named("Oracle"))),
        Component.succeed(Db, "pg").pipe(Component.named("Postgres"), Component.primary),
        Component.succeed(Db, "sqlite").pipe(Component.named("Sqlite")),
        Component.make(Api, { dependencies: [Cache, Db], build: Cache })
      ),
      [Api]
    )
    const excluded = [{ name: "LruCache", condition: "profile lru" }]
    const map = Either.getOrThrow(Explain.component(plan, "MapCache"))
    expect(map.chosenBy).toEqual([{ dependent: "Api", request: "Cache", rule: "only", considered: ["MapCache"], excluded }])
    expect(Explain.componentText(map).split("\n")).toEqual([
      "MapCache (Cache)",
      "  singleton · built from a value",
      "  chosen for Api -> Cache: the only candidate left; excluded by their conditions: LruCache (profile lru)",
      "  dependents: Api"
    ])
    expect(Either.getOrThrow(Explain.component(plan, "Api")).dependencies).toEqual([
      { request: "Cache", components: ["MapCache"], rule: "only", considered: ["MapCache"], excluded },
      {
        request: "Db",
        components: ["Postgres"],
        rule: "primary",
        considered: ["Postgres", "Sqlite"],
        excluded: [{ name: "Oracle", condition: "profile oracle" }]
      }
    ])
    expect(Explain.tree(plan)).toBe(lines(
      "Api",
      "├─ MapCache (Cache) [excluded by their conditions: LruCache (profile lru)]",
      "└─ Postgres (Db) [primary over Sqlite; excluded by their conditions: Oracle (profile oracle)]"
    ))
    expect(Explain.mermaid(plan).split("\n").filter((line) => line.includes("->"))).toEqual([
      '  n2 -->|"[excluded by their conditions: LruCache (profile lru)]"| n0',
      '  n2 -->|"[primary; excluded by their conditions: Oracle (profile oracle)]"| n1'
    ])
    expect(Explain.dot(plan).split("\n").filter((line) => line.includes("->"))).toEqual([
      '  n2 -> n0 [label="[excluded by their conditions: LruCache (profile lru)]"];',
      '  n2 -> n1 [label="[primary; excluded by their conditions: Oracle (profile oracle)]"];'
    ])
    const json = Explain.toJson(plan)
    expect(json.nodes.find((node) => node.name === "Api")!.dependencies[0]!.choice).toEqual({
      rule: "only",
      considered: ["MapCache"],
      excluded
    })
    expect(Explain.fromJson(JSON.parse(JSON.stringify(json)))).toEqual(json)
  })

  it("says an alias is an alias, of what, in the tree and in a component's explanation (a transient is a transient)", () => {
    const aliased = resolve(
      Registry.make(
        Component.succeed(Db, "pg").pipe(Component.named("postgres")),
        Component.alias(Repo, Dependency.named(Db, "postgres")),
        Component.make(Cache, { dependencies: [Db], build: Effect.map(Db, (db) => `cached ${db}`) }).pipe(Lifetime.transient, Lifecycle.disposer(() => Effect.void)),
        Component.make(Api, { dependencies: [Repo, Cache], build: Repo })
      ),
      [Api]
    )
    expect(Explain.tree(aliased)).toBe(lines(
      "Api",
      "├─ Repo · alias",
      "│  └─ Db#postgres: postgres (Db)",
      "└─ Cache · transient · disposer",
      "   └─ postgres (Db)"
    ))
    const repo = Either.getOrThrow(Explain.component(aliased, Repo))
    expect(repo.alias).toBe(true)
    expect(Explain.componentText(repo).split("\n").slice(0, 2)).toEqual(["Repo", "  alias of Db#postgres"])
    const cache = Either.getOrThrow(Explain.component(aliased, Cache))
    expect(cache.alias).toBeUndefined()
    expect(Explain.componentText(cache).split("\n")[1]).toBe("  transient · built from an Effect")
  })

  it("a name the plan has no component for is an UnknownComponent suggesting close names", () => {
    const unknown = Explain.component(plan, "mian")
    expect(Either.isLeft(unknown) && unknown.left).toEqual(new Errors.UnknownComponent({ name: "mian", suggestions: ["main"] }))
    expect(Either.isLeft(unknown) && unknown.left.message).toBe("no component is named mian (did you mean main?)")
  })

  it("a service's key given as a name, where its components are named otherwise, suggests the components of that service", () => {
    // Regression: "no component is named Storage", with no hint, though the tree shows "S3 (Storage)"
    const plan = resolve(
      Registry.make(
        Component.succeed(Db, "s3").pipe(Component.named("S3")),
        Component.succeed(Cache, "lru").pipe(Component.named("Dc")),
        Component.make(Api, { dependencies: [Db, Cache], build: Db })
      ),
      [Api]
    )
    expect(Either.flip(Explain.component(plan, "Db"))).toEqual(Either.right(new Errors.UnknownComponent({ name: "Db", suggestions: ["S3", "Dc"] })))
    expect(Either.flip(Explain.componentTree(plan, "Db")).pipe(Either.map((error) => error.message)))
      .toEqual(Either.right("no component is named Db (did you mean S3 or Dc?)"))
  })

  it("a namespaced service's key given without its namespace suggests that service's components, as the whole key does", () => {
    // Regression: "no component is named PaymentGateway", no hint, for the service orders/PaymentGateway
    // whose components are named live and sandbox (a new user's worker), though "OrderProcessor" suggested
    // orders/OrderProcessor: a bare name is compared with the last segment of names already
    class Gateway extends Context.Tag("orders/PaymentGateway")<Gateway, string>() {}
    class Processor extends Context.Tag("orders/Processor")<Processor, string>() {}
    const plan = resolve(
      Registry.make(
        Component.succeed(Gateway, "live").pipe(Component.named("live")),
        Component.make(Processor, { dependencies: [Gateway], build: Gateway })
      ),
      [Processor]
    )
    expect(Either.flip(Explain.component(plan, "PaymentGateway")).pipe(Either.map((error) => error.message)))
      .toEqual(Either.right("no component is named PaymentGateway (did you mean live?)"))
    expect(Either.flip(Explain.component(plan, "orders/PaymentGateway")).pipe(Either.map((error) => error.message)))
      .toEqual(Either.right("no component is named orders/PaymentGateway (did you mean live?)"))
    // a namespaced name is compared whole: another namespace's service is not it
    expect(Either.flip(Explain.component(plan, "billing/PaymentGateway")).pipe(Either.map((error) => error.message)))
      .toEqual(Either.right("no component is named billing/PaymentGateway"))
  })

  it("an unknown name close to a registered component the plan left out suggests it, which is then told why it is left out", () => {
    // Regression: "no component is named Sandbox", no hint, where the registry has "sandbox", an
    // alternative the plan left out (the primary chosen): only the plan's names were suggested
    class Gateway extends Context.Tag("orders/PaymentGateway")<Gateway, string>() {}
    const plan = resolve(
      Registry.make(
        Component.succeed(Gateway, "live").pipe(Component.named("live"), Component.primary),
        Component.succeed(Gateway, "sandbox").pipe(Component.named("sandbox"), Component.alternative),
        Registry.when(Condition.profile("audit"), Component.succeed(Metrics, "audit").pipe(Component.named("auditMetrics"))),
        Component.succeed(Metrics, "unused").pipe(Component.named("unusedMetrics")),
        Component.make(Api, { dependencies: [Gateway], build: Gateway })
      ),
      [Api]
    )
    const message = (name: string) => Either.flip(Explain.component(plan, name)).pipe(Either.map((error) => error.message))
    expect(["Sandbox", "PaymentGateway", "auditMetric", "unusedMetric", "sandbox"].map(message)).toEqual([
      Either.right("no component is named Sandbox (did you mean sandbox?)"),
      Either.right("no component is named PaymentGateway (did you mean live or sandbox?)"),
      Either.right("no component is named auditMetric (did you mean auditMetrics?)"),
      Either.right("no component is named unusedMetric (did you mean unusedMetrics?)"),
      Either.right("sandbox is not in the plan: Api -> orders/PaymentGateway chose live (primary)")
    ])
  })

  it("a family's name given as a name suggests its members, as a service's key suggests its components", () => {
    // Regression: "no component is named Queue", no hint, for the name podseidon's users give (components
    // named by arguments; the seed audit). Explain, the ops 404, App.healthOf and Container.shutDown share
    // the suggestions: the family's members, in plan order
    class Topic extends Context.Tag("Topic")<Topic, string>() {}
    const Queues = Family.make(Topic, { name: "Queue", key: (topic: string) => topic, build: (topic) => Effect.succeed(topic) })
    const plan = resolve(
      Registry.make(Queues, Component.make(Api, { dependencies: [Queues.of("orders"), Queues.of("audit")], build: Effect.succeed("api") })),
      [Api]
    )
    expect(Either.flip(Explain.component(plan, "Queue")).pipe(Either.map((error) => error.message)))
      .toEqual(Either.right("no component is named Queue (did you mean Queue(orders) or Queue(audit)?)"))
  })

  it("a registered component the plan left out is told why: its condition, or the request that chose another", () => {
    // Regression: both were "no component is named LruCache", as if the registry had no such component
    const plan = resolve(
      Registry.make(
        Registry.when(Condition.profile("lru"), Component.succeed(Cache, "lru").pipe(Component.named("LruCache"))),
        Component.succeed(Cache, "map").pipe(Component.named("MapCache")),
        Component.succeed(Db, "pg").pipe(Component.named("Postgres"), Component.primary),
        Component.succeed(Db, "sqlite").pipe(Component.named("Sqlite")),
        Component.make(Api, { dependencies: [Cache, Db], build: Cache })
      ),
      [Api]
    )
    const leftOut = (which: string | Dependency.Any) => Either.flip(Explain.component(plan, which))
    expect([leftOut("LruCache"), leftOut("Sqlite")]).toEqual([
      Either.right(new Errors.UnknownComponent({ name: "LruCache", suggestions: [], leftOut: { _tag: "Excluded", condition: "profile lru" } })),
      Either.right(new Errors.UnknownComponent({
        name: "Sqlite",
        suggestions: [],
        leftOut: { _tag: "NotChosen", path: ["Api", "Db"], chosen: ["Postgres"], rule: "primary" }
      }))
    ])
    const messages = [leftOut("LruCache"), leftOut("Sqlite"), leftOut(Dependency.named(Db, "Sqlite"))].map(Either.map((error) => error.message))
    expect([...messages, Either.flip(Explain.componentTree(plan, "Sqlite")).pipe(Either.map((error) => error.message))]).toEqual([
        Either.right("LruCache is not in the plan: its condition left it out (profile lru)"),
        Either.right("Sqlite is not in the plan: Api -> Db chose Postgres (primary)"),
        Either.right("Db#Sqlite is not in the plan: Api -> Db chose Postgres (primary)"),
        Either.right("Sqlite is not in the plan: Api -> Db chose Postgres (primary)")
      ])
  })

  it("a component left out by a profile and a presence condition nested in it is told both, as two false profiles are", () => {
    // Regression: "(profile lru)" alone: the nested Condition.missing, not evaluated while the flattening
    // reached no presence condition, was taken to hold (found by the conditions model of Resolver's tests)
    const plan = resolve(
      Registry.make(
        Component.succeed(Cache, "redis").pipe(Component.named("RedisCache")),
        Registry.when(Condition.profile("lru"), Registry.when(Condition.missing(Cache), Component.succeed(Cache, "lru").pipe(Component.named("LruCache")))),
        Component.make(Api, { dependencies: [Cache], build: Cache })
      ),
      [Api]
    )
    expect(Either.flip(Explain.component(plan, "LruCache")).pipe(Either.map((error) => error.leftOut))).toEqual(
      Either.right({ _tag: "Excluded", condition: "(profile lru) and (no other component provides Cache: RedisCache does)" })
    )
  })

  it("a registered component no request reached is told so, and one its condition left out is told so though no request considered it", () => {
    // Regression: both were "no component is named ...", as if the registry had neither
    const plan = resolve(
      Registry.make(
        Component.succeed(Db, "pg"),
        Component.succeed(Metrics, "prometheus").pipe(Component.named("Prometheus")),
        Registry.when(Condition.profile("statsd"), Component.succeed(Metrics, "statsd").pipe(Component.named("Statsd"))),
        Component.make(Api, { dependencies: [Db], build: Db })
      ),
      [Api]
    )
    const messages = ["Prometheus", "Statsd", "Prometeus"].map((name) => Either.flip(Explain.component(plan, name)).pipe(Either.map((error) => error.message)))
    expect(messages).toEqual([
      Either.right("Prometheus is not in the plan: nothing requests it (no root, nor a dependency of a component in the plan)"),
      Either.right("Statsd is not in the plan: its condition left it out (profile statsd)"),
      Either.right("no component is named Prometeus (did you mean Prometheus?)")
    ])
    // a named request for a component of another service: that component is in the plan, not left out
    expect(Either.flip(Explain.component(plan, Dependency.named(Metrics, "Db"))).pipe(Either.map((error) => error.message)))
      .toEqual(Either.right("no component is named Metrics#Db"))
  })

  it("a service's key given as a name, its unnamed components in the plan as Key#1 and Key#2, suggests them, as it does named ones: no component of the plan is left out", () => {
    // Regression: "Plugin is not in the plan: nothing requests it (...)", though Api's collection has both
    // (the left-out reason took an unnamed component's tag key for its name; the resolver numbers them)
    const plan = resolve(
      Registry.make(
        Component.succeed(Plugin, "csv"),
        Component.succeed(Plugin, "json"),
        Component.make(Api, { dependencies: [Dependency.all(Plugin)], build: Effect.succeed("api") })
      ),
      [Api]
    )
    expect(Either.flip(Explain.component(plan, "Plugin")).pipe(Either.map((error) => error.message)))
      .toEqual(Either.right("no component is named Plugin (did you mean Plugin#1 or Plugin#2?)"))
    // one unnamed component is named after its key: left out, it is told so
    const alone = resolve(Registry.make(Component.succeed(Plugin, "csv"), Component.succeed(Api, "api")), [Api])
    expect(Either.flip(Explain.component(alone, "Plugin")).pipe(Either.map((error) => error.message)))
      .toEqual(Either.right("Plugin is not in the plan: nothing requests it (no root, nor a dependency of a component in the plan)"))
  })

  it("a component replaced by name (Testing.named, Registry.replace) says so, in its explanation and its JSON form; the others do not", () => {
    // Regression: a mock of one implementation among several read exactly as the production component it replaced
    const plan = resolve(
      Registry.make(
        Component.succeed(Plugin, "csv").pipe(Component.named("csv"), Component.order(1)),
        Component.succeed(Plugin, "json").pipe(Component.named("json")),
        Component.make(Api, { dependencies: [Dependency.all(Plugin)], build: Effect.succeed("api") })
      ).pipe(Testing.named(Plugin, "csv", "fake csv")),
      [Api]
    )
    const csv = Either.getOrThrow(Explain.component(plan, "csv"))
    expect([csv.replaced, Either.getOrThrow(Explain.component(plan, "json")).replaced]).toEqual([true, undefined])
    expect(Explain.toJson(plan).nodes.map((node) => [node.name, node.replaced])).toEqual([["json", undefined], ["csv", true], ["Api", undefined]])
    expect(Explain.fromJson(JSON.parse(JSON.stringify(Explain.toJson(plan)))).nodes[1]!.replaced).toBe(true)
    expect(Explain.componentText(csv).split("\n").slice(0, 2)).toEqual(["csv (Plugin)", "  singleton · order 1 · replaced by name (Registry.replace, Testing.named) · built from a value"])
    expect(Explain.tree(plan)).toBe(lines(
      "Api",
      "├─ All<Plugin>: json (Plugin) [all, 2 by order]",
      "└─ All<Plugin>: csv (Plugin) · replaced"
    ))
    expect(Explain.componentTree(plan, "csv", { direction: "dependents" })).toEqual(Either.right(lines("csv (Plugin) · replaced", "└─ Api via All<Plugin> [all, 2 by order]")))
    expect([Explain.mermaid(plan).split("\n").slice(1, 3), Explain.dot(plan).split("\n").slice(3, 5)]).toEqual([
      ["  n0[\"json<br/>Plugin\"]", "  n1[\"csv<br/>Plugin<br/>replaced\"]"],
      ["  n0 [label=\"json\\nPlugin\"];", "  n1 [label=\"csv\\nPlugin\\nreplaced\"];"]
    ])
  })

  it("a registered component a test override replaced is told so: the request that chose the override, not that nothing requests it", () => {
    // Regression: "pool is not in the plan: nothing requests it (...)", though Api requests Db (an override wins without considering the others)
    const plan = resolve(
      Registry.make(
        Component.succeed(Db, "pg").pipe(Component.named("pool")),
        Component.make(Api, { dependencies: [Db], build: Db })
      ).pipe(Testing.value(Db, "fake")),
      [Api]
    )
    expect(Either.flip(Explain.component(plan, "pool"))).toEqual(Either.right(new Errors.UnknownComponent({
      name: "pool",
      suggestions: [],
      leftOut: { _tag: "NotChosen", path: ["Api", "Db"], chosen: ["Db (override)"], rule: "override" }
    })))
    expect(Either.flip(Explain.component(plan, "pool")).pipe(Either.map((error) => error.message)))
      .toEqual(Either.right("pool is not in the plan: Api -> Db chose Db (override), which overrides it"))
  })

  it("a request no component answers, named as the tree shows it or by its tag, says what answers it: the program, a scope's opener, the configuration, the container", () => {
    // Regression: each was "no component is named ...", though the tree lists "Db (external)", "Msg (input)", ...
    class Msg extends Context.Tag("Msg")<Msg, string>() {}
    class Tx extends Context.Tag("Tx")<Tx, string>() {}
    const ApiOptions = Options.make("api", { url: Schema.String })
    const Job = Lifetime.scope("Job", { inputs: [Msg] })
    const plan = Either.getOrThrow(Resolver.resolve(
      Registry.make(
        Component.make(Api, { dependencies: [Db, ApiOptions, Container.Container], build: Db }),
        Component.make(Tx, { dependencies: [Msg], build: Msg }).pipe(Lifetime.scoped(Job))
      ),
      [Api],
      { external: [Db], scopes: [Job] }
    ))
    const messages = ["Db", Db, "Msg", "Options<api>", ApiOptions, Container.Container].map((which) =>
      Either.flip(Explain.component(plan, which)).pipe(Either.map((error) => error.message))
    )
    expect(messages).toEqual([
      Either.right("Db is no component: the program provides it (declared external)"),
      Either.right("Db is no component: the program provides it (declared external)"),
      Either.right("Msg is no component: an input of the scope Job, provided by whoever opens it (Lifetime.within, Http.requestScope)"),
      Either.right("Options<api> is no component: options, read from the configuration before anything is built (Options.describe(plan) gives their values)"),
      Either.right("Options<api> is no component: options, read from the configuration before anything is built (Options.describe(plan) gives their values)"),
      Either.right("layerwise/Container is no component: the running container, which the Layer or App provides (Container.Container)")
    ])
    expect(Either.flip(Explain.component(plan, "Msg"))).toEqual(Either.right(new Errors.UnknownComponent({
      name: "Msg",
      suggestions: [],
      leftOut: { _tag: "Provided", rule: "input", scope: "Job" }
    })))
  })

  it("a request the plan has no component for is named by its label, not its tag's reserved key", () => {
    // Regression: "no component is named layerwise/Db#Oracle"
    expect(Either.flip(Explain.component(plan, Dependency.named(Db, "oracle"))).pipe(Either.map((error) => error.message)))
      .toEqual(Either.right("no component is named Db#oracle"))
  })

  it("a name without the namespace of its component's (app/Database for Database) is suggested the namespaced one", () => {
    class AppDatabase extends Context.Tag("app/Database")<AppDatabase, string>() {}
    class AppCache extends Context.Tag("app/Cache")<AppCache, string>() {}
    const namespaced = Either.getOrThrow(Resolver.resolve(
      Registry.make(Component.succeed(AppDatabase, "db"), Component.make(AppCache, { dependencies: [AppDatabase], build: AppDatabase })),
      [AppCache]
    ))
    const suggested = (name: string) => Either.flip(Explain.component(namespaced, name)).pipe(Either.map((error) => error.message))
    expect([suggested("Database"), suggested("Databse"), suggested("database"), suggested("Queue")]).toEqual([
      Either.right("no component is named Database (did you mean app/Database?)"),
      Either.right("no component is named Databse (did you mean app/Database?)"),
      Either.right("no component is named database (did you mean app/Database?)"),
      Either.right("no component is named Queue")
    ])
  })

  it.effect("with a report, says where the component got and its phases' timings", () =>
    Effect.gen(function*() {
      const report = yield* Effect.scoped(Effect.flatMap(App.start(App.make(plan)), App.report))
      const api = Either.getOrThrow(Explain.component(plan, "Api", report))
      expect([api.state, api.phases.map((phase) => `${phase.phase}:${phase.outcome}`)]).toEqual(["started", ["build:success", "start:success"]])
      expect(Explain.componentText(api).split("\n").at(-1)).toMatch(/^ {2}started: build \d+\.\dms, start \d+\.\dms$/)
    }))
})

describe("layerwise's own services", () => {
  // Api requests App.Health (layerwise's own service, a component of the plan) and the running
  // container (no component: rule `container`); a user's component for App.Shutdowner is the user's
  const plan = resolve(
    Registry.make(
      App.HealthLive,
      Component.succeed(App.Shutdowner, { shutdown: () => Effect.void }).pipe(Component.named("MyShutdowner")),
      Component.make(Api, { dependencies: [App.Health, App.Shutdowner, Container.Container], build: Effect.succeed("api") })
    ),
    [Api]
  )

  it("the tree, the diagrams and a component's explanation mark them (layerwise): provided by the application, not a component of it", () => {
    expect(plan.nodes.map((node) => node.name)).toEqual(["layerwise/App/Health", "MyShutdowner", "Api"])
    expect(Explain.tree(plan)).toBe(lines(
      "Api",
      "├─ layerwise/App/Health (layerwise)",
      "├─ MyShutdowner (layerwise/App/Shutdowner)",
      "└─ layerwise/Container (container)"
    ))
    expect(Explain.mermaid(plan)).toBe(lines(
      "flowchart TD",
      "  n0[\"layerwise/App/Health<br/>(layerwise)\"]",
      "  n1[\"MyShutdowner<br/>layerwise/App/Shutdowner\"]",
      "  n2[\"Api\"]",
      "  n2 --> n0",
      "  n2 --> n1",
      "  classDef root stroke-width:3px",
      "  classDef override stroke-dasharray: 5 5",
      "  class n2 root"
    ))
    expect(Explain.dot(plan)).toBe(lines(
      "digraph layerwise {",
      "  rankdir=TB;",
      "  node [shape=box];",
      "  n0 [label=\"layerwise/App/Health\\n(layerwise)\"];",
      "  n1 [label=\"MyShutdowner\\nlayerwise/App/Shutdowner\"];",
      "  n2 [label=\"Api\", penwidth=2];",
      "  n2 -> n0;",
      "  n2 -> n1;",
      "}"
    ))
    expect(Explain.componentText(Either.getOrThrow(Explain.component(plan, App.Health))).split("\n")).toEqual([
      "layerwise/App/Health (layerwise)",
      "  singleton · alternative · provided by the application",
      "  chosen for Api -> layerwise/App/Health: the only candidate",
      "  dependents: Api"
    ])
    expect(Explain.componentText(Either.getOrThrow(Explain.component(plan, App.Shutdowner))).split("\n")).toEqual([
      "MyShutdowner (layerwise/App/Shutdowner)",
      "  singleton · built from a value",
      "  chosen for Api -> layerwise/App/Shutdowner: the only candidate",
      "  dependents: Api"
    ])
  })

  it("their JSON forms say builtIn: true, which no other component's has", () => {
    const json = Explain.toJson(plan)
    expect(json.nodes.map((node) => [node.name, node.builtIn])).toEqual([
      ["layerwise/App/Health", true],
      ["MyShutdowner", undefined],
      ["Api", undefined]
    ])
    expect(json.nodes.map((node) => "builtIn" in node)).toEqual([true, false, false])
    expect(Explain.fromJson(JSON.parse(JSON.stringify(json)))).toEqual(json)
    expect(Either.getOrThrow(Explain.component(plan, App.Health)).builtIn).toBe(true)
    expect("builtIn" in Either.getOrThrow(Explain.component(plan, App.Shutdowner))).toBe(false)
  })
})

describe("external services", () => {
  it("external services are leaves marked external in the tree, dotted nodes in the diagrams, and listed in the JSON form", () => {
    class Clock extends Context.Tag("platform/Clock")<Clock, { readonly now: () => number }>() {}
    const plan = Either.getOrThrow(
      Resolver.resolve(Registry.make(Component.make(Api, { dependencies: [Clock], build: Effect.succeed("api") })), [Api], { external: [Clock] })
    )
    expect(Explain.tree(plan)).toBe(lines("Api", "└─ platform/Clock (external)"))
    expect(Explain.mermaid(plan).split("\n")).toContain("  n0 -.-> x0")
    expect(Explain.mermaid(plan).split("\n")).toContain('  x0(["platform/Clock<br/>(external)"])')
    expect(Explain.dot(plan).split("\n")).toContain("  n0 -> x0 [style=dotted];")
    const json = Explain.toJson(plan)
    expect(json.external).toEqual(["platform/Clock"])
    expect(json.nodes[0]!.dependencies[0]!.choice).toEqual({ rule: "external", considered: [] })
    expect(Explain.fromJson(JSON.parse(JSON.stringify(json)))).toEqual(json)
  })
})

describe("requests that reach one component", () => {
  class Topic extends Context.Tag("Topic")<Topic, { readonly topic: string; readonly prefetch: number }>() {}
  const Queues = Family.make(Topic, {
    name: "Queue",
    key: (args: { readonly topic: string; readonly prefetch: number }) => args.topic,
    merge: (existing, incoming) => ({ ...existing, prefetch: Math.max(existing.prefetch, incoming.prefetch) }),
    build: (args) => Effect.succeed(args)
  })
  /** Worker asks for the member "orders" twice, with different arguments: one member, two requests. */
  const member = resolve(
    Registry.make(
      Queues,
      Component.make(Worker, {
        dependencies: [Queues.of({ topic: "orders", prefetch: 10 }), Queues.of({ topic: "orders", prefetch: 50 })],
        build: Effect.succeed("worker")
      })
    ),
    [Worker]
  )
  /** Api asks for Db plainly, for Db@replica, and for a lazy Db: one component each time. */
  const differing = resolve(
    Registry.make(
      Component.succeed(Db, "pg").pipe(Component.qualified([Replica])),
      Component.make(Api, { dependencies: [Db, Dependency.qualified(Db, Replica), Dependency.lazy(Db)], build: Effect.succeed("api") })
    ),
    [Api]
  )

  it("two requests of one family member are one line in the tree, one arrow in the diagrams, one reason in the component's explanation", () => {
    expect(Explain.tree(member)).toBe(lines("Worker", "└─ Queue(orders) (Topic)"))
    expect(Explain.mermaid(member).split("\n").filter((line) => line.includes("-->"))).toEqual(["  n1 --> n0"])
    expect(Explain.dot(member).split("\n").filter((line) => line.includes("->"))).toEqual(["  n1 -> n0;"])
    expect(Explain.componentText(Either.getOrThrow(Explain.component(member, "Queue(orders)"))).split("\n")).toEqual([
      "Queue(orders) (Topic)",
      "  singleton · built from an Effect",
      "  chosen for Worker -> Queue(orders): the only candidate",
      "  dependents: Worker"
    ])
    const worker = Either.getOrThrow(Explain.component(member, "Worker"))
    expect(worker.dependencies).toEqual([{ request: "Queue(orders)", components: ["Queue(orders)"], rule: "only", considered: ["Queue(orders)"] }])
    expect(Explain.componentText(worker).split("\n")[3]).toBe("  depends on: Queue(orders)")
  })

  it("different requests of one component share its line and one arrow, which name every request; its explanation gives each its reason", () => {
    expect(Explain.tree(differing)).toBe(lines("Api", "└─ Db, Db@replica, Lazy<Db>: Db"))
    // built before Api for the plain request: a solid arrow, not a handle's
    expect(Explain.mermaid(differing).split("\n").filter((line) => line.includes("->"))).toEqual(['  n1 -->|"Db, Db@replica, Lazy#lt;Db#gt;"| n0'])
    expect(Explain.dot(differing).split("\n").filter((line) => line.includes("->"))).toEqual(['  n1 -> n0 [label="Db, Db@replica, Lazy<Db>"];'])
    expect(Explain.componentText(Either.getOrThrow(Explain.component(differing, "Db"))).split("\n").slice(2)).toEqual([
      "  chosen for Api -> Db: the only candidate",
      "  chosen for Api -> Db@replica: the only candidate",
      "  chosen for Api -> Lazy<Db>: the only candidate",
      "  dependents: Api"
    ])
  })

  it("a request that resolved to several components (a collection) stands for none of them: UnknownComponent lists them to be named", () => {
    // Regression: Explain.component(plan, Plugin) explained csv, the first member, as if the request meant it
    const plugins = resolve(
      Registry.make(
        Component.succeed(Plugin, "csv").pipe(Component.named("csv")),
        Component.succeed(Plugin, "json").pipe(Component.named("json")),
        Component.make(Api, { dependencies: [Dependency.all(Plugin)], build: Effect.succeed("api") })
      ),
      [Api]
    )
    const several = (name: string) => new Errors.UnknownComponent({ name, suggestions: [], members: ["csv", "json"] })
    expect(Explain.component(plugins, Plugin)).toEqual(Either.left(several("Plugin")))
    expect(Explain.component(plugins, Dependency.all(Plugin))).toEqual(Either.left(several("All<Plugin>")))
    expect(Explain.componentTree(plugins, Plugin)).toEqual(Either.left(several("Plugin")))
    expect(several("Plugin").message).toBe('Plugin resolved to 2 components, not one (csv, json): name the one meant ("csv")')
    expect(Either.getOrThrow(Explain.component(plugins, "json")).name).toBe("json")
    // a request that chose one among candidates stands for it
    expect(Either.getOrThrow(Explain.component(differing, Dependency.qualified(Db, Replica))).name).toBe("Db")
  })

  it("an arrow is a handle's (dotted) only when every request behind it is a handle", () => {
    const lazyOnly = resolve(
      Registry.make(Component.succeed(Db, "pg"), Component.make(Api, { dependencies: [Dependency.lazy(Db), Dependency.lazy(Db)], build: Effect.succeed("api") })),
      [Api]
    )
    expect(Explain.mermaid(lazyOnly).split("\n").filter((line) => line.includes("->"))).toEqual(['  n1 -.->|"Lazy#lt;Db#gt;"| n0'])
    expect(Explain.dot(lazyOnly).split("\n").filter((line) => line.includes("->"))).toEqual(['  n1 -> n0 [label="Lazy<Db>", style=dashed];'])
  })

  it("two requests of one external service are one dotted arrow to it", () => {
    class Clock extends Context.Tag("platform/Clock")<Clock, number>() {}
    const plan = Either.getOrThrow(Resolver.resolve(
      Registry.make(Component.make(Api, { dependencies: [Clock, Dependency.optional(Clock)], build: Effect.succeed("api") })),
      [Api],
      { external: [Clock] }
    ))
    expect(Explain.tree(plan)).toBe(lines("Api", "├─ platform/Clock (external)", "└─ Option<platform/Clock> (external)"))
    expect(Explain.mermaid(plan).split("\n").filter((line) => line.includes("->"))).toEqual(["  n0 -.-> x0"])
    expect(Explain.dot(plan).split("\n").filter((line) => line.includes("->"))).toEqual(["  n0 -> x0 [style=dotted];"])
  })

  it("the JSON form keeps the plan's edges, one per request, as the constructor's context has them", () => {
    expect(Explain.toJson(member).nodes[1]!.dependencies.map((edge) => [edge.request.label, edge.targets])).toEqual([
      ["Queue(orders)", [0]],
      ["Queue(orders)", [0]]
    ])
    expect(Explain.toJson(differing).nodes[1]!.dependencies.map((edge) => [edge.request.label, edge.targets])).toEqual([
      ["Db", [0]],
      ["Db@replica", [0]],
      ["Lazy<Db>", [0]]
    ])
  })
})

describe("scopes in diagrams", () => {
  class Message extends Context.Tag("Message")<Message, string>() {}
  class Tx extends Context.Tag("Tx")<Tx, string>() {}
  class Stamp extends Context.Tag("Stamp")<Stamp, number>() {}
  class Runner extends Context.Tag("Runner")<Runner, string>() {}
  const Job = Lifetime.scope("Job", { inputs: [Message] })
  const plan = Either.getOrThrow(Resolver.resolve(
    Registry.make(
      Component.make(Runner, { dependencies: [Dependency.lazy(Tx)], build: Effect.succeed("r") }),
      Component.make(Tx, { dependencies: [Message, Stamp], build: Effect.succeed("tx") }).pipe(Lifetime.scoped(Job)),
      Component.succeed(Stamp, 1).pipe(Lifetime.transient)
    ),
    [Runner],
    { scopes: [Job] }
  ))

  it("Mermaid groups a scope's components and inputs in a subgraph; a request of an input is dotted", () => {
    expect(Explain.mermaid(plan).split("\n")).toEqual([
      "flowchart TD",
      "  n0[\"Stamp<br/>transient\"]",
      "  n1[\"Tx<br/>scoped(Job)\"]",
      "  n2[\"Runner\"]",
      "  subgraph s0[\"scope Job\"]",
      "    i0([\"Message<br/>(input)\"])",
      "    n1",
      "  end",
      "  n1 -.-> i0",
      "  n1 --> n0",
      "  n2 -.->|\"Lazy#lt;Tx#gt;\"| n1",
      "  classDef root stroke-width:3px",
      "  classDef override stroke-dasharray: 5 5",
      "  class n2 root"
    ])
  })

  it("DOT draws a scope as a dashed cluster with its components and inputs", () => {
    expect(Explain.dot(plan).split("\n")).toEqual([
      "digraph layerwise {",
      "  rankdir=TB;",
      "  node [shape=box];",
      "  n0 [label=\"Stamp\\ntransient\"];",
      "  n1 [label=\"Tx\\nscoped(Job)\"];",
      "  n2 [label=\"Runner\", penwidth=2];",
      "  subgraph cluster_0 {",
      "    label=\"scope Job\";",
      "    style=dashed;",
      "    i0 [label=\"Message\\n(input)\", style=dotted];",
      "    n1;",
      "  }",
      "  n1 -> i0 [style=dotted];",
      "  n1 -> n0;",
      "  n2 -> n1 [label=\"Lazy<Tx>\", style=dashed];",
      "}"
    ])
  })
})

describe("deep graphs", () => {
  it("a 10,000-long chain renders in every form without overflowing the stack, the tree in short lines", () => {
    const plan = chain(10_000)
    const tree = Explain.tree(plan).split("\n")
    // every component once, plus one "(continued)" header per 32 levels (the last one is a leaf)
    expect(tree).toHaveLength(10_000 + Math.floor((10_000 - 2) / 32))
    expect(Math.max(...tree.map((line) => line.length))).toBeLessThanOrEqual(32 * 3 + "S9999 (continued below)".length)
    expect(tree.slice(0, 2)).toEqual(["S9999", "└─ S9998"])
    // the last section starts at S15 (10,000 - 1 - 312 * 32 = 15 levels above S0)
    expect(tree.slice(-16, -14)).toEqual(["S15 (continued)", "└─ S14"])
    expect(tree.at(-1)).toBe(`${" ".repeat(14 * 3)}└─ S0`)
    expect(Explain.mermaid(plan).split("\n")).toHaveLength(1 + 10_000 + 9_999 + 3)
    expect(Explain.dot(plan).split("\n")).toHaveLength(3 + 10_000 + 9_999 + 1)
    const json = Explain.toJson(plan)
    expect(json.nodes).toHaveLength(10_000)
    expect(Explain.fromJson(JSON.parse(JSON.stringify(json))).nodes[9_999]!.dependencies[0]!.targets).toEqual([9_998])
  })
})

describe("optional requests and collections of a name or qualifier no component has", () => {
  class Storage extends Context.Tag("Storage")<Storage, string>() {}
  class Report extends Context.Tag("Report")<Report, string>() {}
  const Fast = Qualifier.make("fast")
  const registry = Registry.make(
    Component.succeed(Storage, "local").pipe(Component.named("local"), Component.primary),
    Component.succeed(Storage, "s3").pipe(Component.named("s3"), Component.qualified([Fast])),
    Registry.when(Condition.profile("archive"), Component.succeed(Storage, "glacier").pipe(Component.named("glacier"), Component.qualified(["cold"]))),
    Component.make(Report, {
      dependencies: [
        Dependency.optional(Dependency.named(Storage, "locl")),
        Dependency.optional(Dependency.named(Storage, "glacier")),
        Dependency.all(Dependency.qualified(Storage, "fsat")),
        Dependency.optional(Dependency.qualified(Storage, "cold")),
        Dependency.optional(Dependency.named(Storage, "s3"))
      ],
      build: Effect.succeed("report")
    })
  )
  const plan = resolve(registry, [Report, Dependency.optional(Dependency.named(Storage, "remote"))])

  it("are warnings: Explain.warnings lists them with their paths and close names, not those a component left out by its condition answers", () => {
    expect(Explain.warnings(plan)).toEqual([
      "Option<Storage#remote>: no component of Storage is named remote, so it is always absent",
      "Report -> Option<Storage#locl>: no component of Storage is named locl (did you mean local?), so it is always absent",
      "Report -> All<Storage@fsat>: no component of Storage has the qualifier fsat (did you mean fast?), so it is always empty"
    ])
    expect(Explain.warnings(resolve(registry, [Dependency.optional(Dependency.named(Storage, "s3"))]))).toEqual([])
  })

  it("the tree marks them, and the JSON form's choice has them as unmatched", () => {
    expect(Explain.tree(plan)).toBe(lines(
      "Report",
      "├─ Option<Storage#locl> (absent) [warning: no component of Storage is named locl; did you mean local?]",
      "├─ Option<Storage#glacier> (absent)",
      "├─ All<Storage@fsat> (none) [warning: no component of Storage has the qualifier fsat; did you mean fast?]",
      "├─ Option<Storage@cold> (absent)",
      "└─ Option<Storage#s3>: s3 (Storage)",
      "Option<Storage#remote> (absent) [warning: no component of Storage is named remote]"
    ))
    const choices = Explain.toJson(plan).nodes.find((node) => node.name === "Report")!.dependencies.map((edge) => edge.choice.unmatched)
    expect(choices).toEqual([{ suggestions: ["local"] }, undefined, { suggestions: ["fast"] }, undefined, undefined])
  })
})
