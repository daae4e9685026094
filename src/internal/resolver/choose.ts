/**
 * Choice among the candidates of a request: selection by qualifier or name, overrides, then the
 * ranking rules; or the problem when nothing (or a tie) comes out.
 *
 * @internal
 */
import type * as Dependency from "../../Dependency.js"
import * as Errors from "../../Errors.js"
import * as dependency from "../dependency.js"
import type * as Plan from "../../Plan.js"
import { hooksOfStack } from "./hooks.js"
import { familiesOf } from "./members.js"
import { available, excludedFor, excludedIndex, selectorSuggestionsFor, suggest, suggestionsFor } from "./problems.js"
import {
  type Candidates,
  candidatesOf,
  compareNames,
  componentNamed,
  makeEdge,
  pathOfStack,
  sortedNames,
  type WalkEdge,
  type WalkState
} from "./state.js"

/**
 * Ranks candidates of a single-valued request: override > primary > not alternative > lower order.
 * Registration order never decides: equal rank is a tie, reported as ambiguity.
 */
const compareRank = (candidates: Candidates, a: number, b: number): number => {
  const first = candidates.components[a]!
  const second = candidates.components[b]!
  return candidates.overrides[a] !== candidates.overrides[b]
    ? (candidates.overrides[a] ? -1 : 1)
    : first.primary !== second.primary
    ? (first.primary ? -1 : 1)
    : first.alternative !== second.alternative
    ? (first.alternative ? 1 : -1)
    : first.order - second.order
}

const decidingRule = (candidates: Candidates, best: number, runnerUp: number): Plan.Choice["rule"] =>
  candidates.overrides[best] !== candidates.overrides[runnerUp]
    ? "override"
    : candidates.components[best]!.primary !== candidates.components[runnerUp]!.primary
    ? "primary"
    : candidates.components[best]!.alternative !== candidates.components[runnerUp]!.alternative
    ? "not-alternative"
    : "lowest-order"

const tieDescription = (candidates: Candidates, tied: ReadonlyArray<number>): string => {
  const first = candidates.components[tied[0]!]!
  const flags = [
    candidates.overrides[tied[0]!] ? "all overrides" : undefined,
    first.primary ? "all primary" : "none primary",
    first.alternative ? "all alternative" : undefined,
    `equal order ${first.order}`
  ].filter((part) => part !== undefined)
  return flags.join(", ")
}

/**
 * Whether a candidate of the tag whose first candidate is `first` is an override with no qualifier
 * (one that applies to every request of the tag).
 *
 * @internal
 */
export const overridesEveryRequest = (self: WalkState, first: number): boolean => {
  const { components, overrides } = self.index.candidates
  for (let candidate = first; candidate !== -1; candidate = self.index.nextOfTag[candidate]!) {
    if (overrides[candidate] && components[candidate]!.qualifiers.length === 0) return true
  }
  return false
}

/**
 * Chooses among the candidates of the request's service; `first` is its first candidate.
 *
 * @internal
 */
export const choose = (self: WalkState, description: Dependency.Description, first: number | undefined): WalkEdge | undefined => {
  if (
    first !== undefined && self.index.nextOfTag[first] === -1 && description.selector._tag === "Any" &&
    !self.index.candidates.overrides[first]
  ) {
    // the common case: a plain (or optional, or collection) request of a tag with one candidate
    const rule = description.cardinality === "all" ? "all" : "only"
    return makeEdge(description, [first], { rule, considered: [self.index.candidates.names[first]!] })
  }
  return chooseAmong(self, description, first)
}

/**
 * `choose` apart from its common case: selection, overrides, ranking, and the problems.
 *
 * @internal
 */
export const chooseAmong = (self: WalkState, description: Dependency.Description, first: number | undefined): WalkEdge | undefined => {
  const candidates = self.index.candidates
  const { components, names, overrides } = candidates
  const selector = description.selector
  const all = candidatesOf(self.index, first)
  const selected = all.filter((candidate) => {
    const qualifiers = components[candidate]!.qualifiers
    return selector._tag === "Any"
      ? !overrides[candidate] || qualifiers.length === 0
      : selector._tag === "Qualifier"
      ? qualifiers.includes(selector.qualifier) || (overrides[candidate] && qualifiers.length === 0)
      : names[candidate] === selector.name || (overrides[candidate] && qualifiers.length === 0)
  })
  // Overrides that apply to this request replace every other candidate; those of the nearest child
  // container replace its ancestors' (a grandchild's own, its parent child's); for a qualified request,
  // overrides carrying its qualifier are more specific than tag-wide ones and replace those too, and
  // for a named request, the override of that name (a child's own next to a parent's it lists again).
  let applying = selected.filter((candidate) => overrides[candidate])
  if (applying.length > 1 && self.flat.levels !== undefined) applying = nearest(self.flat.levels, components, applying)
  if (selector._tag === "Qualifier" && applying.length > 1) {
    const specific = applying.filter((candidate) => components[candidate]!.qualifiers.includes(selector.qualifier))
    if (specific.length > 0) applying = specific
  } else if (selector._tag === "Name" && applying.length > 1) {
    const specific = applying.filter((candidate) => names[candidate] === selector.name)
    if (specific.length > 0) applying = specific
  }
  const pool = applying.length > 0 ? applying : selected
  const considered = pool.map((candidate) => names[candidate]!)
  // A plain request of a service the program provides, with no candidate in the registry: the
  // program's (an optional one finds it, a collection is it alone).
  if (pool.length === 0 && selector._tag === "Any" && self.external.has(description.service)) {
    return makeEdge(description, [], { rule: "external", considered: [] })
  }
  // A plain request of a declared scope's input, with no candidate: whoever opens the scope provides it
  if (pool.length === 0 && selector._tag === "Any" && description.handle === undefined && self.inputs.has(description.service)) {
    return makeEdge(description, [], { rule: "input", considered: [] })
  }
  // An input of the scope its requester is scoped to, which the application does not declare: that
  // scope is the problem (UnknownScope, told by the lifetimes' check), not a missing component
  if (pool.length === 0 && selector._tag === "Any" && description.handle === undefined && inputOfUndeclaredScope(self, description.service)) {
    return undefined
  }
  // the running container itself
  if (description.service === dependency.containerKey && selector._tag === "Any" && description.cardinality === "one") {
    return makeEdge(description, [], { rule: "container", considered: [] })
  }
  if (description.cardinality === "all") {
    // by order, then registration order (candidate indices are registration order)
    const sorted = [...pool].sort((a, b) => components[a]!.order - components[b]!.order || a - b)
    return makeEdge(description, sorted, { rule: "all", considered, ...(pool.length === 0 ? unmatchedOf(self, description, all) : undefined) })
  }
  if (pool.length === 0) {
    if (description.cardinality === "optional") {
      return makeEdge(description, [], { rule: "absent", considered, ...unmatchedOf(self, description, all) })
    }
    if (self.index.invalidTags.has(description.service)) return undefined
    reportMissing(self, description, all)
    return undefined
  }
  if (pool.length === 1) {
    return makeEdge(description, [pool[0]!], { rule: overrides[pool[0]!] ? "override" : "only", considered })
  }
  // a stable sort: tied candidates stay in registration order
  const ranked = [...pool].sort((a, b) => compareRank(candidates, a, b))
  const best = ranked[0]!
  const tied = ranked.filter((candidate) => compareRank(candidates, candidate, best) === 0)
  if (tied.length > 1) {
    // candidates of one name tie because the name was given twice: the DuplicateName problem the
    // registry's names get (`reportDuplicateNames`; default names are unique) says it, with its fix
    if (tied.every((candidate) => names[candidate] === names[tied[0]!])) return undefined
    self.problems.push(
      new Errors.AmbiguousComponent({
        path: pathOfStack(self),
        request: description.label,
        candidates: sortedNames(tied.map((candidate) => names[candidate]!)),
        rule: tieDescription(candidates, tied),
        ...hooksOfStack(self, description.key)
      })
    )
    return undefined
  }
  return makeEdge(description, [best], { rule: decidingRule(candidates, best, ranked[1]!), considered })
}

/**
 * The overrides listed by the deepest child container among `applying` (a component of none, a
 * registry's own override, at depth 0): a child's own components shadow its ancestors' in it.
 */
const nearest = (levels: ReadonlyMap<unknown, number>, components: ReadonlyArray<unknown>, applying: Array<number>): Array<number> => {
  let deepest = 0
  for (const candidate of applying) deepest = Math.max(deepest, levels.get(components[candidate]) ?? 0)
  return applying.filter((candidate) => (levels.get(components[candidate]) ?? 0) === deepest)
}

/** Whether `service` is an input of the undeclared scope the component being expanded is scoped to. */
const inputOfUndeclaredScope = (self: WalkState, service: string): boolean => {
  if (self.depth === 0) return false
  const own = self.index.candidates.components[self.frameCandidate[self.depth - 1]!]!.lifetime
  return own?._tag === "Scoped" && !self.scopes.includes(own.scope.name) && own.scope.inputs.includes(service)
}

/**
 * `unmatched` for a request (optional, or a collection, that matched nothing) of a name or qualifier
 * no component of its service has (`all`, its candidates), those false conditions left out included;
 * none for a family's service, whose members are named by their requests.
 */
const unmatchedOf = (
  self: WalkState,
  description: Dependency.Description,
  all: ReadonlyArray<number>
): { readonly unmatched: { readonly suggestions: ReadonlyArray<string> } } | undefined => {
  const selector = description.selector
  if (selector._tag === "Any") return undefined
  const { components, names } = self.index.candidates
  // the names (qualifiers) of its service's components, false conditions' included
  const known = new Set<string>()
  const add = (name: string, qualifiers: ReadonlyArray<string>): void => {
    if (selector._tag === "Name") known.add(name)
    else for (const qualifier of qualifiers) known.add(qualifier)
  }
  for (const candidate of all) add(names[candidate]!, components[candidate]!.qualifiers)
  for (const family of self.flat.families as ReadonlySet<dependency.FamilyLike>) if (family.tag.key === description.service) return undefined
  if (self.flat.skipped.length > 0) {
    for (const { component } of excludedIndex(self).byService.get(description.service) ?? []) {
      add(component.name ?? component.tag.key, component.qualifiers)
    }
  }
  const missing = selector._tag === "Name" ? selector.name : selector.qualifier
  return known.has(missing) ? undefined : { unmatched: { suggestions: suggest(missing, [...known]) } }
}

/** Reports a request that no candidate (of `all`, its service's) matches. */
const reportMissing = (self: WalkState, description: Dependency.Description, all: ReadonlyArray<number>): void => {
  const { components, names, prepared } = self.index.candidates
  const selector = description.selector
  const families = self.flat.families.size > 0 ? familiesOf(self, description.service) : []
  const namesake = selector._tag === "Name" ? componentNamed(self, selector.name) : undefined
  const elsewhere = namesake !== undefined && prepared[namesake]!.key !== description.service
    ? { name: names[namesake]!, service: prepared[namesake]!.key }
    : undefined
  const unqualified = all.slice().sort((a, b) => compareNames(names[a]!, names[b]!))
  const qualifiers = unqualified.map((candidate) => components[candidate]!.qualifiers)
  self.problems.push(
    new Errors.MissingComponent({
      path: pathOfStack(self),
      request: description.label,
      available: available(self),
      // close names of the service when it has no candidates (a plain request rules out only qualified
      // overrides), or of its candidates' qualifiers (names) for a qualified (named) request
      suggestions: selector._tag !== "Any"
        ? selectorSuggestionsFor(self, description, all)
        : all.length === 0
        ? suggestionsFor(self, description.service)
        : [],
      unqualified: unqualified.map((candidate) => names[candidate]!),
      ...(qualifiers.some((own) => own.length > 0) ? { qualifiers } : {}),
      excluded: excludedFor(self, description),
      ...(families.length > 0 ? { family: { _tag: "MembersOnly", names: families } } : {}),
      ...(elsewhere !== undefined ? { elsewhere } : {}),
      ...hooksOfStack(self, description.key)
    })
  )
}
