import * as Context from "effect/Context"
import * as Either from "effect/Either"
import type * as Component from "../Component.js"
import type * as Condition from "../Condition.js"
import type * as Dependency from "../Dependency.js"
import * as Errors from "../Errors.js"
import type * as Plan from "../Plan.js"
import type * as Registry from "../Registry.js"
import * as component from "./component.js"
import * as condition from "./condition.js"
import * as dependency from "./dependency.js"
import * as planInternal from "./plan.js"
import * as registry from "./registry.js"

interface Candidate {
  readonly index: number
  readonly component: Component.Any
  readonly name: string
  readonly override: boolean
}

interface PendingEdge {
  readonly request: dependency.Request
  readonly targets: ReadonlyArray<number>
  readonly choice: Plan.Choice
  /** the plan edge made from this one, shared by every node that made the same request */
  finished?: Plan.Edge
}

const describe = (request: dependency.Request): Dependency.Description => ({
  service: request.target.key,
  selector: request.selector,
  cardinality: request.cardinality,
  key: request.key,
  label: request.label
})

/**
 * Ranks candidates of a single-valued request: override > primary > not alternative > lower order.
 * Registration order never decides: equal rank is a tie, reported as ambiguity.
 */
const compareRank = (a: Candidate, b: Candidate): number =>
  a.override !== b.override
    ? (a.override ? -1 : 1)
    : a.component.primary !== b.component.primary
    ? (a.component.primary ? -1 : 1)
    : a.component.alternative !== b.component.alternative
    ? (a.component.alternative ? 1 : -1)
    : a.component.order - b.component.order

const decidingRule = (best: Candidate, runnerUp: Candidate): Plan.Choice["rule"] =>
  best.override !== runnerUp.override
    ? "override"
    : best.component.primary !== runnerUp.component.primary
    ? "primary"
    : best.component.alternative !== runnerUp.component.alternative
    ? "not-alternative"
    : "lowest-order"

const tieDescription = (tied: ReadonlyArray<Candidate>): string => {
  const first = tied[0]!.component
  const flags = [
    tied[0]!.override ? "all overrides" : undefined,
    first.primary ? "all primary" : "none primary",
    first.alternative ? "all alternative" : undefined,
    `equal order ${first.order}`
  ].filter((part) => part !== undefined)
  return flags.join(", ")
}

const levenshtein = (a: string, b: string): number => {
  const previous = Array.from({ length: b.length + 1 }, (_, index) => index)
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0]!
    previous[0] = i
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j]!
      previous[j] = Math.min(previous[j]! + 1, previous[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1))
      diagonal = above
    }
  }
  return previous[b.length]!
}

const suggest = (missing: string, available: ReadonlyArray<string>): ReadonlyArray<string> => {
  const lower = missing.toLowerCase()
  const threshold = Math.max(2, Math.floor(missing.length / 3))
  return available
    .map((name) => ({ name, distance: levenshtein(lower, name.toLowerCase()) }))
    .filter(({ distance, name }) => distance <= threshold && name !== missing)
    .sort((a, b) => a.distance - b.distance)
    .slice(0, 3)
    .map(({ name }) => name)
}

const TagTypeId = Symbol.for("effect/Context/Tag")

/** `Context.isTag` without the `dual` wrapper of `Predicate.hasProperty`: it runs once per edge. */
const isTag = (u: unknown): u is Context.Tag<unknown, unknown> =>
  (typeof u === "function" || (typeof u === "object" && u !== null)) && TagTypeId in u

const validateComponent = (
  candidate: unknown,
  position: number,
  problems: Array<Errors.Problem>
): candidate is Component.Any => {
  if (!component.isComponent(candidate)) {
    problems.push(
      new Errors.InvalidDeclaration({
        path: [],
        subject: `registry entry #${position + 1}`,
        reason: `expected a Component or a Registry, got ${String(candidate)}`
      })
    )
    return false
  }
  const reasons: Array<string> = []
  if (!isTag(candidate.tag)) reasons.push(`its tag must be a Context.Tag, got ${String(candidate.tag)}`)
  if (candidate.name !== undefined && (typeof candidate.name !== "string" || candidate.name.length === 0)) {
    reasons.push(`its name must be a non-empty string, got ${String(candidate.name)}`)
  }
  if (typeof candidate.order !== "number" || !Number.isFinite(candidate.order)) {
    reasons.push(`its order must be a finite number, got ${String(candidate.order)}`)
  }
  if (candidate.primary && candidate.alternative) reasons.push("it cannot be both primary and alternative")
  if (!Array.isArray(candidate.dependencies)) {
    reasons.push("its dependencies must be an array of tags")
  } else {
    candidate.dependencies.forEach((tag, index) => {
      if (!isTag(tag)) reasons.push(`dependency #${index + 1} must be a Context.Tag, got ${String(tag)}`)
    })
  }
  for (const qualifier of candidate.qualifiers) {
    if (typeof qualifier !== "string" || qualifier.length === 0) reasons.push("its qualifiers must be non-empty strings")
  }
  if (reasons.length > 0) {
    const label = Context.isTag(candidate.tag) ? component.displayName(candidate) : `#${position + 1}`
    problems.push(new Errors.InvalidDeclaration({ path: [], subject: `component ${label}`, reason: reasons.join("; ") }))
    return false
  }
  return true
}

/**
 * Internal resolution option: candidates to walk as roots besides the requested ones (App adds its
 * startup components this way). They are not part of `Plan.roots`.
 *
 * @internal
 */
export interface ExtraRoots {
  readonly extraRoots?: ((component: Component.Any) => boolean) | undefined
}

/**
 * The resolver: a pure function from a registry and requested roots to a plan, or to every problem.
 *
 * Algorithm: flatten the registry, name and index candidates by tag, then one iterative depth-first
 * walk from the roots. Each reachable component is expanded once (its requests are resolved once),
 * so the walk is O(components + edges); a back edge to a component on the walk's stack is a cycle,
 * reported with the stack slice that forms it. Components come out in post-order, which is the build
 * order (dependencies first). Paths are only materialised when a problem is reported.
 *
 * @internal
 */
export const resolve = (
  input: Registry.Registry,
  roots: ReadonlyArray<Dependency.Any>,
  options?: Condition.EnvironmentInput & ExtraRoots
): Either.Either<Plan.Plan<unknown>, Errors.ResolutionError> => {
  const problems: Array<Errors.Problem> = []
  const flat = registry.flatten(input, condition.environment(options))
  for (const failure of flat.conditionFailures) {
    problems.push(
      new Errors.InvalidDeclaration({
        path: [],
        subject: `condition "${failure.condition.description}"`,
        reason: `it threw: ${failure.error instanceof Error ? failure.error.message : String(failure.error)}`
      })
    )
  }

  // 1. validate, index by tag, name every candidate, apply replacements by name. The common path
  // (unnamed components, no replacements) costs one map operation per component.
  const byTag = new Map<string, Array<Candidate>>()
  const candidates: Array<Candidate> = []
  let explicitlyNamed = 0
  // Tags with an invalid candidate: a request that finds no valid candidate of such a tag is not
  // also reported as missing (the InvalidDeclaration says why; "no component provides" would be false).
  const invalidTags = new Set<string>()
  flat.components.forEach((entry, position) => {
    if (!validateComponent(entry.component, position, problems)) {
      const invalid: unknown = entry.component
      if (component.isComponent(invalid) && isTag(invalid.tag)) invalidTags.add(invalid.tag.key)
      return
    }
    const candidate: Candidate = { index: candidates.length, component: entry.component, name: "", override: entry.override }
    candidates.push(candidate)
    if (entry.component.name !== undefined) explicitlyNamed++
    const same = byTag.get(entry.component.tag.key)
    if (same === undefined) byTag.set(entry.component.tag.key, [candidate])
    else same.push(candidate)
  })
  const usedReplacements = new Set<string>()
  for (const [key, same] of byTag) {
    // Unnamed overrides are named apart (`Key (override)`), so that overriding a service in a test
    // never renames the production components of that service.
    let unnamed = 0
    let unnamedOverrides = 0
    for (const candidate of same) {
      if (candidate.component.name !== undefined) continue
      if (candidate.override) unnamedOverrides++
      else unnamed++
    }
    let seen = 0
    let seenOverrides = 0
    for (const candidate of same) {
      let name = candidate.component.name
      if (name === undefined && candidate.override) {
        name = unnamedOverrides > 1 ? `${key} (override #${++seenOverrides})` : `${key} (override)`
      } else if (name === undefined) name = unnamed > 1 ? `${key}#${++seen}` : key
      ;(candidate as { name: string }).name = name
      if (flat.replacements.size === 0) continue
      const replacement = flat.replacements.get(name)
      if (replacement === undefined) continue
      usedReplacements.add(name)
      if (!validateComponent(replacement, 0, problems)) continue
      if (replacement.tag.key !== key) {
        // Otherwise the replacement's service would be provided under the replaced component's tag.
        problems.push(
          new Errors.InvalidDeclaration({
            path: [],
            subject: `replacement of "${name}"`,
            reason: `it provides ${replacement.tag.key}, but "${name}" provides ${key}`
          })
        )
      } else {
        // A replacement takes the place (and the choice metadata) of the component it replaces.
        ;(candidate as { component: Component.Any }).component = component.unsafeMake({
          ...component.fieldsOf(candidate.component),
          dependencies: replacement.dependencies,
          construct: replacement.construct,
          // lifecycle hooks act on the service, so they come with the constructor that builds it
          lifecycle: replacement.lifecycle
        })
      }
    }
  }

  // 2. duplicate names. Default names are unique by construction (tag keys are unique, suffixes are
  // unique within a tag), so only registries with explicit names need the check.
  if (explicitlyNamed > 0) {
    const byName = new Map<string, Array<Candidate>>()
    for (const candidate of candidates) {
      const same = byName.get(candidate.name)
      if (same === undefined) byName.set(candidate.name, [candidate])
      else same.push(candidate)
    }
    for (const [name, same] of byName) {
      if (same.length > 1) {
        problems.push(new Errors.DuplicateName({ name, services: same.map((c) => c.component.tag.key) }))
      }
    }
  }

  let availableCache: ReadonlyArray<string> | undefined
  const available = () => (availableCache ??= [...byTag.keys()])

  // 4. walk. Family members are synthesised on demand during the walk; when merged member arguments
  // change a member's dependencies the walk is redone, seeded with the merged arguments, until the
  // dependencies are stable.
  const baseCount = candidates.length
  let seeds = new Map<string, unknown>()
  let attempts = 0
  let outcome: Walk
  for (;;) {
    candidates.length = baseCount
    outcome = walk(seeds)
    attempts++
    if (outcome.unsettled === undefined) break
    if (attempts > outcome.members.size + 1) {
      problems.push(
        new Errors.InvalidDeclaration({
          path: [],
          subject: `family member ${outcome.unsettled}`,
          reason: "merging the arguments of its requests keeps changing its dependencies; make merge settle (idempotent and commutative)"
        })
      )
      break
    }
    seeds = new Map([...outcome.members].map(([key, member]) => [key, member.args]))
  }
  problems.push(...outcome.problems)

  for (const name of flat.replacements.keys()) {
    if (!usedReplacements.has(name)) {
      problems.push(
        new Errors.InvalidDeclaration({
          path: [],
          subject: `replacement of "${name}"`,
          reason: `no component is named "${name}" (names: ${
            candidates.length === 0 ? "none" : candidates.slice(0, 12).map((c) => c.name).join(", ")
          }${candidates.length > 12 ? ", ..." : ""})`
        })
      )
    }
  }

  if (problems.length > 0) return Either.left(new Errors.ResolutionError({ problems }))

  // 5. number nodes in build order
  const { edgesOf, parentOf, postOrder, rootEdges } = outcome
  const nodeIdOf = new Int32Array(candidates.length).fill(-1)
  postOrder.forEach((candidate, id) => {
    nodeIdOf[candidate] = id
  })
  // Edges are shared the same way their resolutions were.
  const toEdge = (edge: PendingEdge): Plan.Edge =>
    edge.finished ??= {
      request: describe(edge.request),
      targets: edge.targets.map((target) => nodeIdOf[target]!),
      choice: edge.choice
    }
  const nodes: Array<Plan.Node> = postOrder.map((index, id) => {
    const candidate = candidates[index]!
    const parent = parentOf[index]!
    return {
      id,
      name: candidate.name,
      service: candidate.component.tag.key,
      component: candidate.component,
      override: candidate.override,
      dependencies: edgesOf[index]!.map(toEdge),
      parent: parent === -1 ? undefined : nodeIdOf[parent]!
    }
  })
  return Either.right(planInternal.make(nodes, rootEdges.map(toEdge)))

  function walk(seeds: ReadonlyMap<string, unknown>): Walk {
    const walkProblems: Array<Errors.Problem> = []
    const state: Array<number> = new Array(baseCount).fill(0) // 0 unvisited, 1 on the stack, 2 done
    const stackPosition: Array<number> = new Array(baseCount).fill(0)
    const parentOf: Array<number> = new Array(baseCount).fill(-1)
    const edgesOf: Array<ReadonlyArray<PendingEdge> | undefined> = new Array(baseCount)
    const postOrder: Array<number> = []
    const stack: Array<Frame> = []
    const members = new Map<string, MemberState>()

    const pathOfStack = (): Array<string> => stack.map((frame) => candidates[frame.candidate]!.name)

    // A request resolves the same way wherever it appears (the rules depend only on the request), so
    // a successful resolution is computed once per request key and shared by every requester.
    // Problems are not memoised: each requester reports its own, with its own path.
    const resolved = new Map<string, PendingEdge>()
    const resolveRequest = (tag: Context.Tag<unknown, unknown>): PendingEdge | undefined => {
      // Every request's key is its tag's key, and only memoisable requests are stored (family members
      // never are): a hit needs no look at what kind of request the tag is.
      const known = resolved.get(tag.key)
      if (known !== undefined) return known
      const request = dependency.requestOf(tag)
      if (request.member !== undefined) return resolveMember(request, request.member)
      const edge = choose(request)
      if (edge !== undefined) resolved.set(request.key, edge)
      return edge
    }

    const resolveMember = (request: dependency.Request, member: dependency.MemberRequest): PendingEdge | undefined => {
      const known = members.get(request.key)
      if (known !== undefined) {
        if (member.family.merge !== undefined && !known.replaced) {
          const merged = attempt(request.label, "merge", () => member.family.merge!(known.args, member.args))
          if (merged.ok) known.args = merged.value
        }
        return known.edge
      }
      if (!flat.families.has(member.family)) {
        walkProblems.push(
          new Errors.MissingComponent({
            path: pathOfStack(),
            request: request.label,
            available: available(),
            suggestions: [],
            unqualified: []
          })
        )
        return undefined
      }
      const args = seeds.has(request.key) ? seeds.get(request.key) : member.args
      const replacement = flat.replacements.get(request.label)
      if (replacement !== undefined) usedReplacements.add(request.label)
      if (
        replacement !== undefined && component.isComponent(replacement) && isTag(replacement.tag) &&
        replacement.tag.key !== member.family.tag.key
      ) {
        walkProblems.push(
          new Errors.InvalidDeclaration({
            path: pathOfStack(),
            subject: `replacement of "${request.label}"`,
            reason: `it provides ${replacement.tag.key}, but "${request.label}" provides ${member.family.tag.key}`
          })
        )
        return undefined
      }
      const dependencies = replacement !== undefined
        ? { ok: true as const, value: replacement.dependencies }
        : attempt(request.label, "dependencies", () => member.family.dependencies(args))
      if (!dependencies.ok) return undefined
      const made = component.unsafeMake({
        tag: member.family.tag,
        name: request.label,
        qualifiers: [],
        primary: false,
        alternative: false,
        order: 0,
        dependencies: dependencies.value,
        // the constructor is made from the final (merged) arguments once the walk is over
        construct: replacement?.construct ?? { _tag: "Value", value: undefined }
      })
      if (!validateComponent(made, candidates.length, walkProblems)) return undefined
      const index = candidates.length
      candidates.push({ index, component: made, name: request.label, override: false })
      state.push(0)
      stackPosition.push(0)
      parentOf.push(-1)
      const edge: PendingEdge = { request, targets: [index], choice: { rule: "only", considered: [request.label] } }
      members.set(request.key, {
        index,
        edge,
        family: member.family,
        args,
        replaced: replacement !== undefined,
        dependencyKeys: keysOf(dependencies.value)
      })
      return edge
    }

    const attempt = <A>(label: string, what: string, f: () => A): { ok: true; value: A } | { ok: false } => {
      try {
        return { ok: true, value: f() }
      } catch (error) {
        walkProblems.push(
          new Errors.InvalidDeclaration({
            path: pathOfStack(),
            subject: `family member ${label}`,
            reason: `its ${what} function threw: ${error instanceof Error ? error.message : String(error)}`
          })
        )
        return { ok: false }
      }
    }

    const choose = (request: dependency.Request): PendingEdge | undefined => {
      const all = byTag.get(request.target.key) ?? []
      const selector = request.selector
      if (all.length === 1 && selector._tag === "Any" && !all[0]!.override) {
        const only = all[0]!
        return request.cardinality === "all"
          ? { request, targets: [only.index], choice: { rule: "all", considered: [only.name] } }
          : { request, targets: [only.index], choice: { rule: "only", considered: [only.name] } }
      }
      const selected = all.filter((candidate) =>
        selector._tag === "Any"
          ? !candidate.override || candidate.component.qualifiers.length === 0
          : selector._tag === "Qualifier"
          ? candidate.component.qualifiers.includes(selector.qualifier) ||
            (candidate.override && candidate.component.qualifiers.length === 0)
          : candidate.name === selector.name || (candidate.override && candidate.component.qualifiers.length === 0)
      )
      // Overrides that apply to this request replace every other candidate; for a qualified request,
      // overrides carrying its qualifier are more specific than tag-wide ones and replace those too.
      let overrides = selected.filter((candidate) => candidate.override)
      if (selector._tag === "Qualifier" && overrides.length > 1) {
        const specific = overrides.filter((candidate) => candidate.component.qualifiers.includes(selector.qualifier))
        if (specific.length > 0) overrides = specific
      }
      const pool = overrides.length > 0 ? overrides : selected
      const considered = pool.map((candidate) => candidate.name)
      if (request.cardinality === "all") {
        const sorted = [...pool].sort((a, b) => a.component.order - b.component.order || a.index - b.index)
        return { request, targets: sorted.map((candidate) => candidate.index), choice: { rule: "all", considered } }
      }
      if (pool.length === 0) {
        if (request.cardinality === "optional") return { request, targets: [], choice: { rule: "absent", considered } }
        if (invalidTags.has(request.target.key)) return undefined
        walkProblems.push(
          new Errors.MissingComponent({
            path: pathOfStack(),
            request: request.label,
            available: available(),
            suggestions: selector._tag === "Any" ? suggest(request.target.key, available()) : [],
            unqualified: selector._tag === "Any" ? [] : all.map((candidate) => candidate.name)
          })
        )
        return undefined
      }
      if (pool.length === 1) {
        return {
          request,
          targets: [pool[0]!.index],
          choice: { rule: pool[0]!.override ? "override" : "only", considered }
        }
      }
      const ranked = [...pool].sort(compareRank)
      const best = ranked[0]!
      const tied = ranked.filter((candidate) => compareRank(candidate, best) === 0)
      if (tied.length > 1) {
        walkProblems.push(
          new Errors.AmbiguousComponent({
            path: pathOfStack(),
            request: request.label,
            candidates: tied.map((candidate) => candidate.name),
            rule: tieDescription(tied)
          })
        )
        return undefined
      }
      return { request, targets: [best.index], choice: { rule: decidingRule(best, ranked[1]!), considered } }
    }

    const push = (index: number, parent: number) => {
      state[index] = 1
      stackPosition[index] = stack.length
      parentOf[index] = parent
      const chosen = candidates[index]!
      const edges: Array<PendingEdge> = []
      stack.push({ candidate: index, edges, edge: 0, target: 0 })
      for (const tag of chosen.component.dependencies) {
        const edge = resolveRequest(tag)
        if (edge !== undefined) edges.push(edge)
      }
      edgesOf[index] = edges
    }

    /** Iterative depth-first walk from one root candidate; appends to `postOrder`. */
    const descend = (target: number) => {
      if (state[target] !== 0) return
      push(target, -1)
      while (stack.length > 0) {
        const frame = stack[stack.length - 1]!
        const walking = frame.edges[frame.edge]
        if (walking !== undefined && frame.target >= walking.targets.length) {
          frame.edge++
          frame.target = 0
        } else if (walking !== undefined) {
          const next = walking.targets[frame.target++]!
          if (state[next] === 0) {
            push(next, frame.candidate)
          } else if (state[next] === 1) {
            const cycleStart = stackPosition[next]!
            walkProblems.push(
              new Errors.CircularDependency({
                path: stack.slice(0, cycleStart).map((f) => candidates[f.candidate]!.name),
                cycle: [...stack.slice(cycleStart).map((f) => candidates[f.candidate]!.name), candidates[next]!.name]
              })
            )
          }
        } else {
          stack.pop()
          state[frame.candidate] = 2
          postOrder.push(frame.candidate)
        }
      }
    }

    const rootEdges: Array<PendingEdge> = []
    roots.forEach((root, position) => {
      if (!Context.isTag(root)) {
        walkProblems.push(
          new Errors.InvalidDeclaration({
            path: [],
            subject: `root #${position + 1}`,
            reason: `a root must be a Context.Tag or a Dependency request, got ${String(root)}`
          })
        )
        return
      }
      const edge = resolveRequest(root)
      if (edge === undefined) return
      rootEdges.push(edge)
      for (const target of edge.targets) descend(target)
    })
    // Extra roots (App's startup components): walked like roots, after them, unless an override of
    // their service (one that applies to every request of it) takes their place.
    if (options?.extraRoots !== undefined) {
      for (let index = 0; index < baseCount; index++) {
        const candidate = candidates[index]!
        if (state[index] !== 0 || !options.extraRoots(candidate.component)) continue
        const shadowed = !candidate.override &&
          byTag.get(candidate.component.tag.key)!.some((other) => other.override && other.component.qualifiers.length === 0)
        if (!shadowed) descend(index)
      }
    }

    // Members get their constructors from their final arguments; a member whose final arguments ask
    // for other dependencies than the ones walked makes the walk start over.
    let unsettled: string | undefined
    for (const member of members.values()) {
      if (member.replaced) continue
      const candidate = candidates[member.index]!
      const dependencies = attempt(candidate.name, "dependencies", () => member.family.dependencies(member.args))
      if (dependencies.ok && keysOf(dependencies.value) !== member.dependencyKeys) unsettled ??= candidate.name
      const construct = attempt(candidate.name, "build", () => member.family.build(member.args))
      if (construct.ok) {
        candidates[member.index] = {
          ...candidate,
          component: component.unsafeMake({ ...component.fieldsOf(candidate.component), construct: construct.value })
        }
      }
    }
    return { problems: walkProblems, postOrder, edgesOf, parentOf, rootEdges, members, unsettled }
  }
}

interface Frame {
  readonly candidate: number
  readonly edges: ReadonlyArray<PendingEdge>
  /** the edge being walked, and the position among its targets */
  edge: number
  target: number
}

interface MemberState {
  readonly index: number
  readonly edge: PendingEdge
  readonly family: dependency.FamilyLike
  args: unknown
  readonly replaced: boolean
  readonly dependencyKeys: string
}

interface Walk {
  readonly problems: ReadonlyArray<Errors.Problem>
  readonly postOrder: ReadonlyArray<number>
  readonly edgesOf: ReadonlyArray<ReadonlyArray<PendingEdge> | undefined>
  readonly parentOf: ReadonlyArray<number>
  readonly rootEdges: ReadonlyArray<PendingEdge>
  readonly members: ReadonlyMap<string, MemberState>
  /** the name of a member whose merged arguments changed its dependencies */
  readonly unsettled: string | undefined
}

const keysOf = (tags: ReadonlyArray<Context.Tag<unknown, unknown>>): string =>
  tags.map((tag) => (Context.isTag(tag) ? tag.key : String(tag))).join("\u0000")
