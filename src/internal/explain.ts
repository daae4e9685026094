import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import type * as Explain from "../Explain.js"
import type * as Component from "../Component.js"
import type * as Dependency from "../Dependency.js"
import * as Errors from "../Errors.js"
import type * as Plan from "../Plan.js"
import * as ReportSchema from "../Report.js"
import { isAlias, isBuiltIn } from "./component.js"
import * as dependency from "./dependency.js"
import { lifecycleFacts, lifecycleJson, lifecycleText } from "./explainLifecycle.js"
import { didYouMean } from "./errorMessages.js"
import { leftOutOf, providedOf, registeredOutside } from "./leftOut.js"
import * as lifetime from "./lifetime.js"
import * as planInternal from "./plan.js"
import { suggest, suggestComponents } from "./resolver/problems.js"

// ---------------------------------------------------------------------------------------------
// lifecycle metadata (see explainLifecycle.ts)

/**
 * What follows a component's first line: `replaced` when it replaced a component by name, its lifetime
 * unless a singleton (`alias` for an alias, a transient by construction), then its lifecycle metadata.
 */
const metadataText = (component: Component.Any, replaced = false): string => {
  const own = component.lifetime
  const lifetimeText = own === undefined || own._tag === "Singleton" ? "" : isAlias(component) ? "alias" : lifetime.format(own)
  return [replaced ? "replaced" : "", lifetimeText, lifecycleText(component.lifecycle)].filter((part) => part !== "").join(" · ")
}

const lifetimeJson = (component: Component.Any): { readonly lifetime?: Explain.LifetimeJson } => {
  const own = component.lifetime
  if (own === undefined || own._tag === "Singleton") return {}
  return { lifetime: own._tag === "Transient" ? { _tag: "Transient" } : { _tag: "Scoped", scope: own.scope.name } }
}

// ---------------------------------------------------------------------------------------------
// text tree

const DEFAULT_MAX_DEPTH = 32

// eslint-disable-next-line no-control-regex
const controlCharacters = /[\u0000-\u001f\u007f\u2028\u2029]/g

/**
 * One line per name, whatever the name: control characters (and the Unicode line and paragraph
 * separators, which some viewers break lines at) are written as JSON escapes.
 */
const printable = (text: string): string =>
  text.replace(
    controlCharacters,
    (character) => character < "\u2028" ? JSON.stringify(character).slice(1, -1) : `\\u${character.charCodeAt(0).toString(16)}`
  )

/** What follows the name of one of layerwise's own services (`builtins.isBuiltIn`): the application provides it, not one of its components. */
const BUILT_IN = "(layerwise)"

const nodeText = (node: Plan.Node): string => {
  const text = node.name === node.service ? printable(node.name) : `${printable(node.name)} (${printable(node.service)})`
  return isBuiltIn(node.component) ? `${text} ${BUILT_IN}` : text
}

/** A node's label in diagrams, one line each: its name, its service unless the name, `(layerwise)` for one of layerwise's own services, its metadata. */
const labelLines = (node: Plan.Node, replaced: ReadonlySet<string>): ReadonlyArray<string> => {
  const lifecycle = metadataText(node.component, replaced.has(node.name))
  return [
    node.name,
    ...(node.name === node.service ? [] : [node.service]),
    ...(isBuiltIn(node.component) ? [BUILT_IN] : []),
    ...(lifecycle === "" ? [] : [lifecycle])
  ]
}

/** What a choice's text says of the candidates conditions excluded, after its rule (nothing when none did). */
const excludedText = (excluded: ReadonlyArray<Errors.ExcludedCandidate> | undefined): string =>
  excluded === undefined || excluded.length === 0
    ? ""
    : `excluded by their conditions: ${excluded.map((candidate) => `${printable(candidate.name)} (${candidate.condition})`).join(", ")}`

/** The rule that chose a request's nodes: nothing for a sole candidate, the rule and the losers otherwise. */
const ruleText = (edge: Plan.Edge, chosen: ReadonlyArray<string>): string => {
  const { considered, rule } = edge.choice
  switch (rule) {
    case "only":
    case "absent":
      return ""
    case "all":
      return `all, ${edge.targets.length} by order`
    default: {
      const others = considered.filter((name) => !chosen.includes(name)).map(printable)
      return `${rule}${others.length > 0 ? ` over ${others.join(", ")}` : ""}`
    }
  }
}

/** Why a request chose its nodes, in brackets: its rule (see `ruleText`), then the candidates conditions excluded. */
const reasonOf = (edge: Plan.Edge, chosen: ReadonlyArray<string>): string => {
  const parts = [ruleText(edge, chosen), excludedText(edge.choice.excluded)].filter((part) => part !== "")
  return parts.length > 0 ? ` [${parts.join("; ")}]` : ""
}

/** What an edge's `unmatched` says: which name (qualifier) no component of its service has, and the close ones. */
const unmatchedText = (edge: Plan.Edge): { readonly missing: string; readonly suggestions: ReadonlyArray<string> } | undefined => {
  const { request: { selector, service }, choice: { unmatched } } = edge
  if (unmatched === undefined || selector._tag === "Any") return undefined
  const missing = selector._tag === "Name"
    ? `no component of ${printable(service)} is named ${printable(selector.name)}`
    : `no component of ${printable(service)} has the qualifier ${printable(selector.qualifier)}`
  return { missing, suggestions: unmatched.suggestions.map(printable) }
}

/** @internal */
export const warnings = (plan: Plan.Any): ReadonlyArray<string> => {
  const found: Array<string> = []
  const warn = (from: string | undefined, edge: Plan.Edge): void => {
    const unmatched = unmatchedText(edge)
    if (unmatched === undefined) return
    const close = unmatched.suggestions.length > 0 ? ` (${didYouMean(unmatched.suggestions)})` : ""
    const always = edge.request.cardinality === "all" ? "empty" : "absent"
    const label = printable(edge.request.label)
    found.push(`${from === undefined ? label : `${from} -> ${label}`}: ${unmatched.missing}${close}, so it is always ${always}`)
  }
  for (const root of plan.roots) warn(undefined, root)
  for (const node of plan.nodes) {
    // most nodes have none: App's startup log reads every plan
    let seen: Set<string> | undefined
    for (const edge of node.dependencies) {
      if (edge.choice.unmatched === undefined || seen?.has(edge.request.key) === true) continue
      ;(seen ??= new Set()).add(edge.request.key)
      warn(printable(node.name), edge)
    }
  }
  return found
}

/** A request is worth naming when it is more than "the one chosen candidate of this service". */
const isPlainRequest = (edge: Plan.Edge): boolean =>
  edge.request.cardinality === "one" && edge.request.selector._tag === "Any" && edge.request.handle === undefined

/** The rule of an edge that resolved to no component of the plan but to something outside it. */
const untargeted = (edge: Plan.Edge): "external" | "container" | "input" | "options" | undefined => {
  const rule = edge.choice.rule
  return rule === "external" || rule === "container" || rule === "input" || rule === "options" ? rule : undefined
}

/**
 * One dependent's edges as its renderings show them: one group per component reached, in the order
 * first reached, with the requests that reached it (distinct by label, in order); an edge that
 * reached no component is a group of its own (`target` undefined), unless one with its label came
 * before. The plan keeps one edge per request (a constructor's context has every request it
 * declared); explanations fold them, so that a component two requests resolved to is one line, one
 * arrow.
 */
const groupByTarget = (edges: ReadonlyArray<Plan.Edge>): ReadonlyArray<{
  readonly target: number | undefined
  readonly edges: ReadonlyArray<Plan.Edge>
}> => {
  const groups: Array<{ readonly target: number | undefined; readonly edges: Array<Plan.Edge> }> = []
  const byTarget = new Map<number, Array<Plan.Edge>>()
  const nothing = new Set<string>()
  for (const edge of edges) {
    if (edge.targets.length === 0) {
      if (nothing.has(edge.request.label)) continue
      nothing.add(edge.request.label)
      groups.push({ target: undefined, edges: [edge] })
      continue
    }
    for (const target of edge.targets) {
      let reached = byTarget.get(target)
      if (reached === undefined) {
        reached = []
        byTarget.set(target, reached)
        groups.push({ target, edges: reached })
      }
      if (!reached.some((other) => other.request.label === edge.request.label)) reached.push(edge)
    }
  }
  return groups
}

/** A line of a tree before it is placed: the component it shows (none for a request that reached no component) and its text. */
interface Line {
  readonly node: number | undefined
  readonly text: string
}

interface Item extends Line {
  /** indentation and connector of this line ("" for a top-level line) */
  readonly prefix: string
  /** indentation of this line's children */
  readonly indent: string
  readonly depth: number
}

/**
 * One dependent's edges as lines: one per component reached, where the first request reached it,
 * naming every request that did (two requests of one family member, or a plain and a qualified
 * request of one component, are one line); one line per distinct request that reached nothing.
 */
const dependencyLines = (nodes: ReadonlyArray<Plan.Node>, edges: ReadonlyArray<Plan.Edge>): ReadonlyArray<Line> =>
  groupByTarget(edges).map((group) => {
    if (group.target === undefined) {
      const edge = group.edges[0]!
      const nothing = untargeted(edge) ?? (edge.request.cardinality === "all" ? "none" : "absent")
      const unmatched = unmatchedText(edge)
      const warning = unmatched === undefined
        ? ""
        : ` [warning: ${unmatched.missing}${unmatched.suggestions.length > 0 ? `; ${didYouMean(unmatched.suggestions)}` : ""}]`
      return { node: undefined, text: `${printable(edge.request.label)} (${nothing})${warning}` }
    }
    // a request's reason is said once, on the first component it chose
    const reason = (edge: Plan.Edge) =>
      edge.targets[0] === group.target ? reasonOf(edge, edge.targets.map((target) => nodes[target]!.name)) : ""
    const node = nodeText(nodes[group.target]!)
    const [edge, ...others] = group.edges
    const text = others.length > 0
      ? `${group.edges.map((each) => `${printable(each.request.label)}${reason(each)}`).join(", ")}: ${node}`
      : isPlainRequest(edge!)
      ? `${node}${reason(edge!)}`
      : `${printable(edge!.request.label)}: ${node}${reason(edge!)}`
    return { node: group.target, text }
  })

/**
 * Per node, the lines of its dependents (the reverse edges), in build order: one line per
 * dependent, however many of its requests resolved to the node (as `groupByTarget` folds them), the
 * dependent's name followed by the requests when they are more than one plain request
 * (`Reports via Db@replica`), each with the rule that chose the node (`Api [primary over Sqlite]`).
 * The requests of the plan's roots and scopes are no component's: they are not dependents.
 */
const dependentLines = (nodes: ReadonlyArray<Plan.Node>): ReadonlyArray<ReadonlyArray<Line>> => {
  const lines: Array<Array<Line>> = nodes.map(() => [])
  const reason = (edge: Plan.Edge) => reasonOf(edge, edge.targets.map((target) => nodes[target]!.name))
  for (const dependent of nodes) {
    const name = nodeText(dependent)
    for (const group of groupByTarget(dependent.dependencies)) {
      if (group.target === undefined) continue
      const [edge, ...others] = group.edges
      const text = others.length === 0 && isPlainRequest(edge!)
        ? `${name}${reason(edge!)}`
        : `${name} via ${group.edges.map((each) => `${printable(each.request.label)}${reason(each)}`).join(", ")}`
      lines[group.target]!.push({ node: dependent.id, text })
    }
  }
  return lines
}

/**
 * The walk both trees share. Depth first with an explicit stack (a 10,000-long chain prints without
 * recursion). A node with children (`expandable`; `childrenOf` gives them) is expanded the first
 * time it is printed; later occurrences say "(see above)", so the number of lines is at most
 * nodes + edges + continuations.
 * Lines never get deeper than `maxDepth`: a node there whose children would go deeper is queued and
 * expanded in a section of its own after the main tree (`finish`; sections may queue further
 * sections), so the output size is O((nodes + edges) * maxDepth) rather than O(nodes * depth).
 */
const walk = (
  nodes: ReadonlyArray<Plan.Node>,
  options: Explain.TreeOptions | undefined,
  expandable: (node: number) => boolean,
  childrenOf: (node: number) => ReadonlyArray<Line>,
  replaced: ReadonlySet<string>
) => {
  const requested = options?.maxDepth
  const maxDepth = requested !== undefined && requested >= 1 ? Math.floor(requested) : DEFAULT_MAX_DEPTH
  const out: Array<string> = []
  const printed = new Uint8Array(nodes.length)
  const continued: Array<number> = []
  const stack: Array<Item> = []

  /** Pushes `lines` (in reverse, so they pop in order) as children at `depth`. */
  const push = (lines: ReadonlyArray<Line>, indent: string, depth: number) => {
    for (let index = lines.length - 1; index >= 0; index--) {
      const last = index === lines.length - 1
      stack.push({
        ...lines[index]!,
        prefix: depth === 0 ? "" : `${indent}${last ? "└─ " : "├─ "}`,
        indent: depth === 0 ? "" : `${indent}${last ? "   " : "│  "}`,
        depth
      })
    }
  }

  /** Prints `lines` at `depth` and everything below them. */
  const print = (lines: ReadonlyArray<Line>, depth: number) => {
    push(lines, "", depth)
    while (stack.length > 0) {
      const item = stack.pop()!
      if (item.node === undefined) {
        out.push(`${item.prefix}${item.text}`)
        continue
      }
      // lifecycle metadata follows a component's first line only
      const lifecycle = printed[item.node] === 1 ? "" : metadataText(nodes[item.node]!.component, replaced.has(nodes[item.node]!.name))
      const text = lifecycle === "" ? item.text : `${item.text} · ${lifecycle}`
      if (!expandable(item.node)) {
        printed[item.node] = 1
        out.push(`${item.prefix}${text}`)
      } else if (printed[item.node] === 1) {
        out.push(`${item.prefix}${text} (see above)`)
      } else if (item.depth >= maxDepth) {
        printed[item.node] = 1
        continued.push(item.node)
        out.push(`${item.prefix}${text} (continued below)`)
      } else {
        printed[item.node] = 1
        out.push(`${item.prefix}${text}`)
        push(childrenOf(item.node), item.indent, item.depth + 1)
      }
    }
  }

  /** The sections of the branches cut at `maxDepth`, then the text. */
  const finish = (): string => {
    // `continued` grows while it is walked: a section may reach the depth limit again.
    for (let index = 0; index < continued.length; index++) {
      const node = nodes[continued[index]!]!
      out.push(`${nodeText(node)} (continued)`)
      print(childrenOf(node.id), 1)
    }
    return out.join("\n")
  }

  return { out, printed, print, finish }
}

/** The walk from dependents to their dependencies. */
const walkDependencies = (plan: Plan.Any, options: Explain.TreeOptions | undefined) =>
  walk(
    plan.nodes,
    options,
    (node) => plan.nodes[node]!.dependencies.length > 0,
    (node) => dependencyLines(plan.nodes, plan.nodes[node]!.dependencies),
    planInternal.replacedOf(plan)
  )

/** @internal */
export const tree = (plan: Plan.Any, options?: Explain.TreeOptions): string => {
  const nodes = plan.nodes
  const { finish, out, print, printed } = walkDependencies(plan, options)
  print(dependencyLines(nodes, plan.roots), 0)

  // Each declared scope, with what it provides: its components are built when it opens.
  for (const scope of plan.scopes) {
    out.push(`scope ${printable(scope.name)}`)
    print(dependencyLines(nodes, scope.provides), 1)
  }

  // Nodes no requested root leads to (walked as roots of their own, e.g. App's startup
  // components): every such node is reachable from one that no other node depends on.
  const depended = new Uint8Array(nodes.length)
  for (const node of nodes) {
    for (const edge of node.dependencies) {
      for (const target of edge.targets) depended[target] = 1
    }
  }
  for (const node of nodes) {
    if (printed[node.id] === 1 || depended[node.id] === 1) continue
    print([{ node: node.id, text: nodeText(node) }], 0)
  }
  return finish()
}

// ---------------------------------------------------------------------------------------------
// diagrams

/**
 * The label diagrams put on an edge to `target`: the request when it is not plain (or when `named`),
 * then in brackets the rule when it decided and the candidates conditions excluded, said once, on
 * the arrow to the first component the request chose (as the tree says them).
 */
const edgeLabel = (edge: Plan.Edge, target: number, named = false): string | undefined => {
  const parts: Array<string> = []
  if (named || !isPlainRequest(edge)) parts.push(edge.request.label)
  const rule = edge.choice.rule
  const reasons = [
    rule !== "only" && rule !== "all" && rule !== "absent" && untargeted(edge) === undefined ? rule : "",
    edge.targets[0] === target ? excludedText(edge.choice.excluded) : ""
  ].filter((reason) => reason !== "")
  if (reasons.length > 0) parts.push(`[${reasons.join("; ")}]`)
  return parts.length === 0 ? undefined : parts.join(" ")
}

/** The label of the one arrow drawn for the requests of a group: every request named when there are several. */
const groupLabel = (edges: ReadonlyArray<Plan.Edge>, target: number): string | undefined =>
  edges.length === 1 ? edgeLabel(edges[0]!, target) : edges.map((edge) => edgeLabel(edge, target, true)).join(", ")

/**
 * The arrows of a diagram, one per (dependent, dependency), from and to diagram ids: `to` is a
 * node's, or the external service's or scope input's reached (kind `outside`); the kind is `handle`
 * when every request behind the arrow is a handle (the dependency is built when used, not before
 * its dependent).
 */
const arrows = (
  plan: Plan.Any,
  inputs: ReadonlyMap<string, string>,
  draw: (from: string, to: string, label: string | undefined, kind: "build" | "handle" | "outside") => void
): void => {
  for (const node of plan.nodes) {
    const from = `n${node.id}`
    const outside = new Set<string>()
    for (const group of groupByTarget(node.dependencies)) {
      if (group.target !== undefined) {
        const handle = group.edges.every((edge) => edge.request.handle !== undefined)
        draw(from, `n${group.target}`, groupLabel(group.edges, group.target), handle ? "handle" : "build")
        continue
      }
      const edge = group.edges[0]!
      const to = edge.choice.rule === "external"
        ? `x${plan.external.indexOf(edge.request.service)}`
        : edge.choice.rule === "input"
        ? inputs.get(edge.request.service)
        : undefined
      if (to === undefined || outside.has(to)) continue
      outside.add(to)
      draw(from, to, undefined, "outside")
    }
  }
}

const rootIds = (plan: Plan.Any): ReadonlySet<number> => new Set(plan.roots.flatMap((edge) => edge.targets))

const mermaidEntities: Readonly<Record<string, string>> = {
  "\"": "#quot;",
  "<": "#lt;",
  ">": "#gt;",
  "&": "#amp;",
  "`": "#96;",
  "#": "#35;"
}

/**
 * Text safe inside a quoted Mermaid label. Mermaid decodes `#name;` / `#123;` into HTML entities,
 * so a literal `#` is escaped only where it would start one (`Db#1` stays readable); one pass, so
 * the entities written here are never escaped again.
 */
const mermaidText = (text: string): string =>
  // eslint-disable-next-line no-control-regex
  text.replace(/#(?=\w+;)|["<>&`]|\r\n|[\r\n\u2028\u2029]|[\u0000-\u001f\u007f]/g, (match) =>
    mermaidEntities[match] ?? (match.includes("\n") || match === "\r" || match >= "\u2028" ? "<br/>" : " "))

/**
 * The declared scopes of a plan as diagrams group them: each scope's components (scoped to it) and
 * its inputs (the first scope declaring an input owns it, as in resolution); scopes with neither
 * are left out.
 */
const scopeGroups = (plan: Plan.Any): ReadonlyArray<{
  readonly index: number
  readonly name: string
  readonly nodes: ReadonlyArray<number>
  readonly inputs: ReadonlyArray<{ readonly id: string; readonly key: string }>
}> => {
  const owner = new Map<string, string>()
  const groups = plan.scopes.map((scope, index) => {
    const inputs = scope.inputs.filter((key) => !owner.has(key)).map((key) => {
      const id = `i${owner.size}`
      owner.set(key, id)
      return { id, key }
    })
    const nodes = plan.nodes.filter((node) => {
      const own = node.component.lifetime
      return own?._tag === "Scoped" && own.scope.name === scope.name
    }).map((node) => node.id)
    return { index, name: scope.name, nodes, inputs }
  })
  return groups.filter((group) => group.nodes.length > 0 || group.inputs.length > 0)
}

/** The diagram id of the node of a scope's input (see `scopeGroups`). */
const inputIds = (groups: ReturnType<typeof scopeGroups>): ReadonlyMap<string, string> =>
  new Map(groups.flatMap((group) => group.inputs.map((input) => [input.key, input.id] as const)))

/** @internal */
export const mermaid = (plan: Plan.Any, options?: Explain.DiagramOptions): string => {
  const roots = rootIds(plan)
  const lines = [`flowchart ${options?.direction ?? "TD"}`]
  for (const node of plan.nodes) {
    const label = labelLines(node, planInternal.replacedOf(plan)).map(mermaidText).join("<br/>")
    lines.push(`  n${node.id}["${label}"]`)
  }
  plan.external.forEach((key, index) => lines.push(`  x${index}(["${mermaidText(key)}<br/>(external)"])`))
  // each scope's components and inputs, grouped
  const groups = scopeGroups(plan)
  const inputs = inputIds(groups)
  for (const group of groups) {
    lines.push(`  subgraph s${group.index}["scope ${mermaidText(group.name)}"]`)
    for (const input of group.inputs) lines.push(`    ${input.id}(["${mermaidText(input.key)}<br/>(input)"])`)
    for (const id of group.nodes) lines.push(`    n${id}`)
    lines.push("  end")
  }
  // a handle's arrow (built when used, not before its requester) and one to what is outside the plan are dotted
  arrows(plan, inputs, (from, to, label, kind) => {
    const line = kind === "build" ? "-->" : "-.->"
    lines.push(`  ${from} ${label === undefined ? line : `${line}|"${mermaidText(label)}"|`} ${to}`)
  })
  lines.push("  classDef root stroke-width:3px")
  lines.push("  classDef override stroke-dasharray: 5 5")
  if (plan.external.length > 0) {
    lines.push("  classDef external stroke-dasharray: 2 2")
    lines.push(`  class ${plan.external.map((_, index) => `x${index}`).join(",")} external`)
  }
  const rootList = plan.nodes.filter((node) => roots.has(node.id)).map((node) => `n${node.id}`)
  const overrideList = plan.nodes.filter((node) => node.override).map((node) => `n${node.id}`)
  if (rootList.length > 0) lines.push(`  class ${rootList.join(",")} root`)
  if (overrideList.length > 0) lines.push(`  class ${overrideList.join(",")} override`)
  return lines.join("\n")
}

/**
 * A DOT quoted string. Backslashes are doubled so that names never form DOT label escapes
 * (`\N`, `\l`, ...); line breaks become `\n`; other control characters (a NUL ends a string for
 * some DOT tools) are written as visible escapes, as in the text tree.
 */
const dotString = (text: string): string =>
  `"${
    text.split(/\r\n|[\r\n]/).map((line) => printable(line).replace(/\\/g, "\\\\").replace(/"/g, "\\\"")).join("\\n")
  }"`

/** @internal */
export const dot = (plan: Plan.Any, options?: Explain.DiagramOptions): string => {
  const roots = rootIds(plan)
  const lines = ["digraph layerwise {", `  rankdir=${options?.direction ?? "TB"};`, "  node [shape=box];"]
  for (const node of plan.nodes) {
    const label = labelLines(node, planInternal.replacedOf(plan)).join("\n")
    const attributes = [`label=${dotString(label)}`]
    if (roots.has(node.id)) attributes.push("penwidth=2")
    if (node.override) attributes.push("style=dashed")
    lines.push(`  n${node.id} [${attributes.join(", ")}];`)
  }
  plan.external.forEach((key, index) => lines.push(`  x${index} [label=${dotString(`${key}\n(external)`)}, style=dotted];`))
  // each scope's components and inputs, in a cluster
  const groups = scopeGroups(plan)
  const inputs = inputIds(groups)
  for (const group of groups) {
    lines.push(`  subgraph cluster_${group.index} {`)
    lines.push(`    label=${dotString(`scope ${group.name}`)};`)
    lines.push("    style=dashed;")
    for (const input of group.inputs) lines.push(`    ${input.id} [label=${dotString(`${input.key}\n(input)`)}, style=dotted];`)
    for (const id of group.nodes) lines.push(`    n${id};`)
    lines.push("  }")
  }
  arrows(plan, inputs, (from, to, label, kind) => {
    const styles = [
      ...(label === undefined ? [] : [`label=${dotString(label)}`]),
      ...(kind === "handle" ? ["style=dashed"] : kind === "outside" ? ["style=dotted"] : [])
    ]
    lines.push(`  ${from} -> ${to}${styles.length === 0 ? "" : ` [${styles.join(", ")}]`};`)
  })
  lines.push("}")
  return lines.join("\n")
}

// ---------------------------------------------------------------------------------------------
// JSON

/** @internal */
export const SelectorJson = Schema.Union(
  Schema.TaggedStruct("Any", {}),
  Schema.TaggedStruct("Qualifier", { qualifier: Schema.String }),
  Schema.TaggedStruct("Name", { name: Schema.String })
)

/** @internal */
export const RequestJson = Schema.Struct({
  service: Schema.String,
  selector: SelectorJson,
  cardinality: Schema.Literal("one", "optional", "all"),
  key: Schema.String,
  label: Schema.String
})

/** The candidates false conditions left out of a choice, present when there are any. @internal */
export const excludedJson = {
  excluded: Schema.optionalWith(Schema.Array(Schema.Struct({ name: Schema.String, condition: Schema.String })), { exact: true })
}

/** @internal */
export const ChoiceJson = Schema.Struct({
  rule: Schema.Literal("only", "override", "primary", "not-alternative", "lowest-order", "all", "absent", "external", "container", "input", "options"),
  considered: Schema.Array(Schema.String),
  ...excludedJson,
  unmatched: Schema.optionalWith(Schema.Struct({ suggestions: Schema.Array(Schema.String) }), { exact: true })
})

/** @internal */
export const EdgeJson = Schema.Struct({
  request: RequestJson,
  targets: Schema.Array(Schema.Number),
  choice: ChoiceJson
})

/** @internal */
export const LifecycleJson = Schema.Struct({
  startup: Schema.NullOr(Schema.Number),
  initializers: Schema.Array(Schema.String),
  onStart: Schema.Array(Schema.String),
  onStop: Schema.Array(Schema.String),
  disposers: Schema.Array(Schema.String),
  background: Schema.Array(Schema.Struct({ name: Schema.String, onShutdown: Schema.Literal("interrupt", "signal") })),
  healthChecks: Schema.optionalWith(
    Schema.Array(Schema.Struct({
      name: Schema.String,
      timeout: Schema.NullOr(Schema.Number),
      readiness: Schema.optionalWith(Schema.Literal(true), { exact: true })
    })),
    { exact: true }
  ),
  timeouts: Schema.Struct({
    start: Schema.optionalWith(Schema.Number, { exact: true }),
    stop: Schema.optionalWith(Schema.Number, { exact: true }),
    grace: Schema.optionalWith(Schema.Number, { exact: true }),
    health: Schema.optionalWith(Schema.Number, { exact: true })
  })
})

/** A component's identity and choice metadata, as every JSON form shows it. @internal */
export const componentFields = {
  name: Schema.String,
  service: Schema.String,
  qualifiers: Schema.Array(Schema.String),
  primary: Schema.Boolean,
  alternative: Schema.Boolean,
  order: Schema.Number,
  override: Schema.Boolean,
  /** present (`true`) when the component replaced one of that name (`Registry.replace`, `Testing.named`), taking its metadata */
  replaced: Schema.optionalWith(Schema.Literal(true), { exact: true }),
  construct: Schema.Literal("Effect", "Layer", "Value")
}

/** @internal */
export const LifetimeJson = Schema.Union(
  Schema.TaggedStruct("Transient", {}),
  Schema.TaggedStruct("Scoped", { scope: Schema.String })
)

/** @internal */
export const NodeJson = Schema.Struct({
  id: Schema.Number,
  ...componentFields,
  lifetime: Schema.optionalWith(LifetimeJson, { exact: true }),
  parent: Schema.NullOr(Schema.Number),
  dependencies: Schema.Array(EdgeJson),
  lifecycle: Schema.optionalWith(LifecycleJson, { exact: true }),
  builtIn: Schema.optionalWith(Schema.Literal(true), { exact: true })
})

/** @internal */
export const PlanJson = Schema.Struct({
  roots: Schema.Array(EdgeJson),
  nodes: Schema.Array(NodeJson),
  order: Schema.Array(Schema.Number),
  external: Schema.optionalWith(Schema.Array(Schema.String), { exact: true })
})

const encode = Schema.encodeSync(PlanJson)

/** `builtIn: true` for one of layerwise's own services, nothing otherwise: other components' JSON is unchanged. */
const builtInJson = (component: Component.Any): { readonly builtIn?: true } => (isBuiltIn(component) ? { builtIn: true } : {})

/**
 * Through the schema's encoder, which also drops what is not part of the JSON form (edges are the
 * plan's own objects, passed as they are).
 *
 * @internal
 */
export const toJson = (plan: Plan.Any): Explain.PlanJson =>
  encode({
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
      ...(planInternal.replacedOf(plan).has(node.name) ? { replaced: true as const } : undefined),
      construct: node.component.construct._tag,
      parent: node.parent ?? null,
      dependencies: node.dependencies,
      ...(node.component.lifecycle === undefined ? undefined : { lifecycle: lifecycleJson(node.component.lifecycle) }),
      ...lifetimeJson(node.component),
      ...builtInJson(node.component)
    })),
    // node ids are positions in build order
    order: plan.nodes.map((node) => node.id),
    ...(plan.external.length === 0 ? undefined : { external: plan.external })
  })

/** @internal */
export const fromJson: (input: unknown) => Explain.PlanJson = Schema.decodeUnknownSync(PlanJson)

// ---------------------------------------------------------------------------------------------
// one component

/** @internal */
export const ChosenByJson = Schema.Struct({
  dependent: Schema.NullOr(Schema.String),
  request: Schema.String,
  rule: ChoiceJson.fields.rule,
  considered: Schema.Array(Schema.String),
  ...excludedJson
})

/** @internal */
export const ComponentExplanation = Schema.Struct({
  ...componentFields,
  lifetime: Schema.NullOr(LifetimeJson),
  /** present (`true`) when the component is an alias (`Component.alias`): its one dependency is what it answers with */
  alias: Schema.optionalWith(Schema.Literal(true), { exact: true }),
  /** present (`true`) when the component is one of layerwise's own services (`App.HealthLive`...): the application provides it */
  builtIn: Schema.optionalWith(Schema.Literal(true), { exact: true }),
  root: Schema.Boolean,
  chosenBy: Schema.Array(ChosenByJson),
  dependencies: Schema.Array(Schema.Struct({
    request: Schema.String,
    components: Schema.Array(Schema.String),
    rule: ChoiceJson.fields.rule,
    considered: Schema.Array(Schema.String),
    ...excludedJson
  })),
  dependents: Schema.Array(Schema.String),
  lifecycle: Schema.NullOr(LifecycleJson),
  startup: Schema.NullOr(Schema.Number),
  /** from the report, when one was given: where it got, and its phases with their timings */
  state: Schema.NullOr(ReportSchema.ComponentState),
  phases: Schema.Array(ReportSchema.PhaseRecord)
})

/** A choice's fields as a component's explanation shows them: `excluded` only when there are some. */
const choiceFields = (choice: Plan.Choice): Pick<typeof ChosenByJson.Type, "rule" | "considered" | "excluded"> =>
  choice.excluded === undefined
    ? { rule: choice.rule, considered: choice.considered }
    : { rule: choice.rule, considered: choice.considered, excluded: choice.excluded }

/**
 * Per node, every request that resolved to it: roots first, then dependents in build order; a
 * dependent's requests once each (two requests of one family member are one, see `groupByTarget`).
 */
const chosenByOf = (plan: Plan.Any): ReadonlyArray<ReadonlyArray<typeof ChosenByJson.Type>> => {
  const found: Array<Array<typeof ChosenByJson.Type>> = plan.nodes.map(() => [])
  const add = (dependent: string | null, edges: ReadonlyArray<Plan.Edge>) => {
    for (const group of groupByTarget(edges)) {
      if (group.target === undefined) continue
      for (const edge of group.edges) found[group.target]!.push({ dependent, request: edge.request.label, ...choiceFields(edge.choice) })
    }
  }
  add(null, plan.roots)
  for (const node of plan.nodes) add(node.name, node.dependencies)
  return found
}

/** Edges with distinct requests (by label), the first of each. */
const distinctRequests = (edges: ReadonlyArray<Plan.Edge>): ReadonlyArray<Plan.Edge> => {
  const first = new Map<string, Plan.Edge>()
  for (const edge of edges) if (!first.has(edge.request.label)) first.set(edge.request.label, edge)
  return [...first.values()]
}

/**
 * The node of a component, by its name or by a request that resolved to it; a request that resolved
 * to several components (a collection's, or a service only named or qualified requests chose) stands
 * for none of them: `UnknownComponent` with the members, to be named.
 */
const nodeOf = (plan: Plan.Any, which: string | Dependency.Any): Either.Either<number, Errors.UnknownComponent> => {
  const ids = typeof which === "string"
    ? [planInternal.idsByName(plan).get(which)].filter((id) => id !== undefined)
    : planInternal.nodesOfRequest(plan, which.key)
  if (ids.length === 1) return Either.right(ids[0]!)
  if (ids.length === 0) return Either.left(unknownComponent(plan, which))
  const name = dependency.describe(dependency.requestOf(which as Dependency.Any)).label
  return Either.left(new Errors.UnknownComponent({ name, suggestions: [], members: ids.map((id) => plan.nodes[id]!.name) }))
}

/**
 * What a name or request the plan has no component for fails with: a request by its label, close names suggested,
 * and why: a request no component answers says what does (`Provided`); for a registered component left out (by
 * name, or a named request's), the condition that excluded it,
 * else the first request (roots first, then in plan order) that chose another (an override included), else that nothing requests it. @internal
 */
export const unknownComponent = (plan: Plan.Any, which: string | Dependency.Any): Errors.UnknownComponent => {
  const request = typeof which === "string" ? undefined : dependency.describe(dependency.requestOf(which))
  const name = request === undefined ? which as string : request.label
  const sought = request === undefined ? name : request.selector._tag === "Name" ? request.selector.name : undefined
  // a name the plan has (a named request's, of another service) is not left out
  const leftOut = providedOf(plan, name) ?? (sought === undefined || planInternal.idsByName(plan).has(sought) ? undefined : leftOutOf(plan, sought))
  // a service's key given as a name: its components first; a family's name: its members (`Conn(acme)`); then close
  // names, of the registered components the plan left out too (each then says why it is left out)
  const suggestions = request === undefined
    ? suggestComponents(name, leftOut === undefined ? [...plan.nodes, ...registeredOutside(plan)] : plan.nodes)
    : suggest(name, plan.nodes.map((node) => node.name))
  return new Errors.UnknownComponent({ name, suggestions, ...(leftOut && { leftOut }) })
}

const explanations = new WeakMap<Plan.Any, ReadonlyArray<ReadonlyArray<typeof ChosenByJson.Type>>>()

/**
 * One component explained: what it is, why it was chosen for each request that resolved to it, what
 * it depends on and what depends on it, its lifecycle metadata; with a report, where it got and its
 * phases' timings. `UnknownComponent` when the plan has no component of that name or for that
 * request, or when the request resolved to several.
 *
 * @internal
 */
export const component = (
  plan: Plan.Any,
  which: string | Dependency.Any,
  report?: ReportSchema.Report
): Either.Either<typeof ComponentExplanation.Type, Errors.UnknownComponent> => {
  const found = nodeOf(plan, which)
  if (Either.isLeft(found)) return Either.left(found.left)
  const id = found.right
  const chosenBy = explanations.get(plan) ?? chosenByOf(plan)
  explanations.set(plan, chosenBy)
  const node = plan.nodes[id]!
  const own = chosenBy[id]!
  const record = report?.components.find((candidate) => candidate.name === node.name)
  const own_ = node.component
  const lifetime = own_.lifetime === undefined || own_.lifetime._tag === "Singleton"
    ? null
    : own_.lifetime._tag === "Transient" ? { _tag: "Transient" as const } : { _tag: "Scoped" as const, scope: own_.lifetime.scope.name }
  return Either.right({
    name: node.name,
    service: node.service,
    qualifiers: own_.qualifiers,
    primary: own_.primary,
    alternative: own_.alternative,
    order: own_.order,
    override: node.override,
    construct: own_.construct._tag,
    lifetime,
    ...(isAlias(own_) ? { alias: true as const } : undefined),
    ...(planInternal.replacedOf(plan).has(node.name) ? { replaced: true as const } : undefined),
    ...builtInJson(own_),
    root: own.some((choice) => choice.dependent === null),
    chosenBy: own,
    // each request once (two requests of one family member are one)
    dependencies: distinctRequests(node.dependencies).map((edge) => ({
      request: edge.request.label,
      components: edge.targets.map((target) => plan.nodes[target]!.name),
      ...choiceFields(edge.choice)
    })),
    dependents: [...new Set(own.flatMap((choice) => (choice.dependent === null ? [] : [choice.dependent])))],
    lifecycle: own_.lifecycle === undefined ? null : lifecycleJson(own_.lifecycle),
    startup: own_.lifecycle?.startup ?? null,
    state: record?.state ?? null,
    phases: record?.phases ?? []
  })
}

/** Why a request chose the component `name`, as its explanation's text and the ops page say it: `chosen for Api -> Db: primary over Sqlite`. @internal */
export const choiceText = (name: string, choice: typeof ChosenByJson.Type): string => {
  const others = choice.considered.filter((candidate) => candidate !== name)
  // a collection chose every candidate: this one is among them, not chosen over the others
  const excluded = excludedText(choice.excluded)
  const why = choice.rule === "only"
    ? excluded === "" ? "the only candidate" : "the only candidate left"
    : choice.rule === "all"
    ? `one of all ${choice.considered.length} candidates (${choice.considered.join(", ")})`
    : `${choice.rule}${others.length > 0 ? ` over ${others.join(", ")}` : ""}`
  return `chosen for ${choice.dependent === null ? "the root" : choice.dependent} -> ${choice.request}: ${why}${excluded === "" ? "" : `; ${excluded}`}`
}

/** One component explained, as text. @internal */
export const componentText = (explanation: typeof ComponentExplanation.Type): string => {
  const lines = [
    `${explanation.name}${explanation.name === explanation.service ? "" : ` (${explanation.service})`}${explanation.builtIn === true ? ` ${BUILT_IN}` : ""}`
  ]
  const facts: Array<string> = []
  facts.push(
    explanation.alias === true
      ? `alias of ${explanation.dependencies[0]!.request}`
      : explanation.lifetime === null
      ? "singleton"
      : explanation.lifetime._tag === "Transient"
      ? "transient"
      : `scoped(${explanation.lifetime.scope})`
  )
  if (explanation.qualifiers.length > 0) facts.push(`qualifiers: ${explanation.qualifiers.join(", ")}`)
  if (explanation.primary) facts.push("primary")
  if (explanation.alternative) facts.push("alternative")
  if (explanation.order !== 0) facts.push(`order ${explanation.order}`)
  if (explanation.override) facts.push("override")
  if (explanation.replaced === true) facts.push("replaced by name (Registry.replace, Testing.named)")
  if (explanation.builtIn === true) facts.push("provided by the application")
  else if (explanation.alias !== true) facts.push(`built from ${explanation.construct === "Effect" ? "an Effect" : explanation.construct === "Layer" ? "a Layer" : "a value"}`)
  lines.push(`  ${facts.join(" · ")}`)
  for (const choice of explanation.chosenBy) lines.push(`  ${choiceText(explanation.name, choice)}`)
  if (explanation.dependencies.length > 0) {
    lines.push(`  depends on: ${explanation.dependencies.map((edge) => `${edge.request}${edge.components.length === 0 ? ` (${edge.rule === "external" || edge.rule === "container" || edge.rule === "input" || edge.rule === "options" ? edge.rule : "none"})` : edge.components.length === 1 && edge.components[0] === edge.request ? "" : ` -> ${edge.components.join(", ")}`}`).join(", ")}`)
  }
  lines.push(`  dependents: ${explanation.dependents.length === 0 ? "none" : explanation.dependents.join(", ")}`)
  if (explanation.lifecycle !== null) {
    const facts = lifecycleFacts(explanation.lifecycle)
    if (facts !== "") lines.push(`  ${facts}`)
  }
  if (explanation.state !== null) {
    const phases = explanation.phases.map((phase) => `${phase.phase} ${phase.duration.toFixed(1)}ms${phase.outcome === "success" ? "" : ` ${phase.outcome}`}`)
    lines.push(`  ${explanation.state}${phases.length > 0 ? `: ${phases.join(", ")}` : ""}`)
  }
  return lines.join("\n")
}

/**
 * The tree rooted at one component, its dependencies or its dependents, recursively; the same walk
 * as `tree`'s.
 *
 * @internal
 */
export const componentTree = (
  plan: Plan.Any,
  which: string | Dependency.Any,
  options?: Explain.ComponentTreeOptions
): Either.Either<string, Errors.UnknownComponent> => {
  const found = nodeOf(plan, which)
  if (Either.isLeft(found)) return Either.left(found.left)
  const id = found.right
  const nodes = plan.nodes
  const dependents = options?.direction === "dependents" ? dependentLines(nodes) : undefined
  const { finish, print } = dependents === undefined
    ? walkDependencies(plan, options)
    : walk(nodes, options, (node) => dependents[node]!.length > 0, (node) => dependents[node]!, planInternal.replacedOf(plan))
  print([{ node: id, text: nodeText(nodes[id]!) }], 0)
  return Either.right(finish())
}

