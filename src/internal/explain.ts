import * as Schema from "effect/Schema"
import type * as Plan from "../Plan.js"

/** Why a request chose its nodes, for the tree: nothing for a single candidate, the rule otherwise. */
const reasonOf = (edge: Plan.Edge, chosen: ReadonlyArray<string>): string => {
  const { considered, rule } = edge.choice
  switch (rule) {
    case "only":
      return ""
    case "absent":
      return ""
    case "all":
      return ` [all, ${edge.targets.length} by order]`
    default: {
      const others = considered.filter((name) => !chosen.includes(name))
      return ` [${rule}${others.length > 0 ? ` over ${others.join(", ")}` : ""}]`
    }
  }
}

const requestPrefix = (edge: Plan.Edge): string =>
  edge.request.cardinality === "one" && edge.request.selector._tag === "Any" ? "" : `${edge.request.label}: `

interface Line {
  readonly indent: string
  readonly last: boolean
  readonly text: string
  readonly node: number | undefined
}

/**
 * Depth-first, with an explicit stack: a 10,000-long chain prints without recursion. A node is
 * expanded the first time it is printed; later occurrences say "(see above)", so the output is linear
 * in nodes + edges even for diamonds.
 *
 * @internal
 */
export const tree = (plan: Plan.Plan<unknown>): string => {
  const out: Array<string> = []
  const expanded = new Uint8Array(plan.nodes.length)
  const stack: Array<Line> = []
  const pushEdges = (edges: ReadonlyArray<Plan.Edge>, indent: string) => {
    const lines: Array<Omit<Line, "last">> = []
    for (const edge of edges) {
      const prefix = requestPrefix(edge)
      if (edge.targets.length === 0) {
        const nothing = edge.request.cardinality === "all" ? "none" : "absent"
        lines.push({ indent, text: `${edge.request.label} (${nothing})`, node: undefined })
        continue
      }
      const chosen = edge.targets.map((target) => plan.nodes[target]!.name)
      edge.targets.forEach((target, index) => {
        const node = plan.nodes[target]!
        const service = node.name === node.service ? "" : ` (${node.service})`
        const why = index === 0 ? reasonOf(edge, chosen) : ""
        lines.push({ indent, text: `${prefix}${node.name}${service}${why}`, node: target })
      })
    }
    for (let index = lines.length - 1; index >= 0; index--) {
      stack.push({ ...lines[index]!, last: index === lines.length - 1 })
    }
  }
  pushEdges(plan.roots, "")
  while (stack.length > 0) {
    const line = stack.pop()!
    const connector = line.last ? "└─ " : "├─ "
    if (line.node !== undefined && expanded[line.node] === 1 && plan.nodes[line.node]!.dependencies.length > 0) {
      out.push(`${line.indent}${connector}${line.text} (see above)`)
      continue
    }
    out.push(`${line.indent}${connector}${line.text}`)
    if (line.node === undefined) continue
    expanded[line.node] = 1
    pushEdges(plan.nodes[line.node]!.dependencies, `${line.indent}${line.last ? "   " : "│  "}`)
  }
  return out.join("\n")
}

const edgeLabel = (edge: Plan.Edge): string | undefined =>
  edge.request.cardinality === "one" && edge.request.selector._tag === "Any" ? undefined : edge.request.label

const rootIds = (plan: Plan.Plan<unknown>): ReadonlySet<number> => new Set(plan.roots.flatMap((edge) => edge.targets))

const mermaidText = (text: string): string => text.replace(/"/g, "#quot;").replace(/</g, "#lt;").replace(/>/g, "#gt;")

/** @internal */
export const mermaid = (plan: Plan.Plan<unknown>): string => {
  const roots = rootIds(plan)
  const lines = ["flowchart TD"]
  for (const node of plan.nodes) {
    const label = node.name === node.service ? node.name : `${node.name}<br/>${node.service}`
    lines.push(`  n${node.id}["${mermaidText(label).replace("#lt;br/#gt;", "<br/>")}"]`)
  }
  for (const node of plan.nodes) {
    for (const edge of node.dependencies) {
      const label = edgeLabel(edge)
      for (const target of edge.targets) {
        lines.push(label === undefined ? `  n${node.id} --> n${target}` : `  n${node.id} -->|"${mermaidText(label)}"| n${target}`)
      }
    }
  }
  lines.push("  classDef root stroke-width:3px")
  lines.push("  classDef override stroke-dasharray: 5 5")
  const rootList = plan.nodes.filter((node) => roots.has(node.id)).map((node) => `n${node.id}`)
  const overrideList = plan.nodes.filter((node) => node.override).map((node) => `n${node.id}`)
  if (rootList.length > 0) lines.push(`  class ${rootList.join(",")} root`)
  if (overrideList.length > 0) lines.push(`  class ${overrideList.join(",")} override`)
  return lines.join("\n")
}

const dotString = (text: string): string => `"${text.replace(/\\/g, "\\\\").replace(/"/g, "\\\"").replace(/\n/g, "\\n")}"`

/** @internal */
export const dot = (plan: Plan.Plan<unknown>): string => {
  const roots = rootIds(plan)
  const lines = ["digraph layerwise {", "  rankdir=TB;", "  node [shape=box];"]
  for (const node of plan.nodes) {
    const label = node.name === node.service ? node.name : `${node.name}\n${node.service}`
    const attributes = [`label=${dotString(label)}`]
    if (roots.has(node.id)) attributes.push("penwidth=2")
    if (node.override) attributes.push("style=dashed")
    lines.push(`  n${node.id} [${attributes.join(", ")}];`)
  }
  for (const node of plan.nodes) {
    for (const edge of node.dependencies) {
      const label = edgeLabel(edge)
      for (const target of edge.targets) {
        lines.push(label === undefined ? `  n${node.id} -> n${target};` : `  n${node.id} -> n${target} [label=${dotString(label)}];`)
      }
    }
  }
  lines.push("}")
  return lines.join("\n")
}

/** @internal */
export const SelectorJson = Schema.Union(
  Schema.TaggedStruct("Any", {}),
  Schema.TaggedStruct("Qualifier", { qualifier: Schema.String }),
  Schema.TaggedStruct("Name", { name: Schema.String })
)

/** @internal */
export const EdgeJson = Schema.Struct({
  request: Schema.Struct({
    service: Schema.String,
    selector: SelectorJson,
    cardinality: Schema.Literal("one", "optional", "all"),
    key: Schema.String,
    label: Schema.String
  }),
  targets: Schema.Array(Schema.Number),
  choice: Schema.Struct({
    rule: Schema.Literal("only", "override", "primary", "not-alternative", "lowest-order", "all", "absent"),
    considered: Schema.Array(Schema.String)
  })
})

/** @internal */
export const NodeJson = Schema.Struct({
  id: Schema.Number,
  name: Schema.String,
  service: Schema.String,
  qualifiers: Schema.Array(Schema.String),
  primary: Schema.Boolean,
  alternative: Schema.Boolean,
  order: Schema.Number,
  override: Schema.Boolean,
  construct: Schema.Literal("Effect", "Layer", "Value"),
  parent: Schema.NullOr(Schema.Number),
  dependencies: Schema.Array(EdgeJson)
})

/** @internal */
export const PlanJson = Schema.Struct({
  roots: Schema.Array(EdgeJson),
  nodes: Schema.Array(NodeJson),
  order: Schema.Array(Schema.Number)
})

/** @internal */
export const toJson = (plan: Plan.Plan<unknown>): typeof PlanJson.Encoded =>
  Schema.encodeSync(PlanJson)({
    roots: plan.roots,
    nodes: plan.nodes.map((node) => ({
      id: node.id,
      name: node.name,
      service: node.service,
      qualifiers: node.component.qualifiers,
      primary: node.component.primary,
      alternative: node.component.alternative,
      order: node.component.order,
      override: node.override,
      construct: node.component.construct._tag,
      parent: node.parent ?? null,
      dependencies: node.dependencies
    })),
    order: plan.nodes.map((node) => node.id)
  })

/** @internal */
export const fromJson = Schema.decodeUnknownSync(PlanJson)
