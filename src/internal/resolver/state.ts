/**
 * The resolver's data: the candidates of one resolution, their index by tag, and the state of a walk
 * from the roots; with the small functions every step of the resolver reads them through.
 *
 * @internal
 */
import * as Context from "effect/Context"
import type * as Component from "../../Component.js"
import type * as Dependency from "../../Dependency.js"
import type * as Errors from "../../Errors.js"
import type * as Plan from "../../Plan.js"
import * as component from "../component.js"
import { describeValue } from "../describe.js"
import * as dependency from "../dependency.js"
import type * as registry from "../registry.js"

/**
 * The candidates of one resolution, by index: a struct of arrays rather than one object per
 * candidate, so resolution allocates little besides the plan it returns.
 *
 * Indices `0 .. baseCount - 1` are the registry's valid components in registration order (a
 * replacement already applied); family members are appended during a walk and dropped before the
 * next one.
 *
 * @internal
 */
export interface Candidates {
  readonly components: Array<Component.Any>
  readonly names: Array<string>
  readonly overrides: Array<boolean>
  readonly prepared: Array<Prepared>
}

/**
 * What resolution reads of a valid component besides its metadata: its tag's key and the keys of
 * the requests its dependencies stand for. Read once for the life of the component (components are
 * immutable, see `component.remember`); after that, nothing is read of a tag until a request of it
 * has to be chosen for, once per distinct request in a resolution.
 *
 * A request's key is its tag's key: a derived tag (`Dependency.qualified`, `all`, a family member...)
 * is made with its request's key, so whether a dependency is plain or derived does not matter here.
 *
 * @internal
 */
export interface Prepared {
  /** the tag's key */
  readonly key: string
  /** the keys of the component's requests, in order: its dependencies, then its hooks' (each once) */
  readonly requestKeys: ReadonlyArray<string>
  /** the requests themselves, in the same order */
  readonly requests: ReadonlyArray<Context.Tag<unknown, unknown>>
  /** what resolution must take care of for this component (`Trait`s, one bit each) */
  readonly traits: number
}

/**
 * What a component asks of resolution beyond its requests, one bit each in `Prepared.traits`: the
 * index ORs them over its candidates, so that a pass only some components need (their names, their
 * `fromService` dependencies, their lifetimes) is skipped when no candidate needs it.
 *
 * @internal
 */
export const Trait = {
  /** given a name (`Component.named`): names can then collide */
  Named: 1,
  /** made by `Component.fromService` with dependency layers: its requests are found among the services */
  FromService: 2,
  /** of a lifetime other than singleton: the lifetimes are checked */
  ShortLived: 4
} as const

/**
 * A plan edge while the walk runs: its targets are candidate indices until the walk succeeds, then
 * they are rewritten in place to node ids and the edge is the plan's (see `finish`). One edge is
 * made per resolved request and shared by every requester, with one description of the request.
 *
 * @internal
 */
export interface WalkEdge {
  readonly request: Dependency.Description
  readonly targets: Array<number>
  /** replaced after the walk when conditions excluded candidates of the request (see `noteExcluded`) */
  choice: Plan.Choice
}

/**
 * The registry's valid components indexed by tag. The candidates of a tag form a list in
 * registration order: `byTag` holds its first candidate and `nextOfTag` links each candidate to the
 * next one (-1 ends the list), so a tag with one candidate (the common case) costs one map entry and
 * no allocation.
 *
 * @internal
 */
export interface Index {
  readonly candidates: Candidates
  /** how many candidates the registry has (family members come after them) */
  readonly baseCount: number
  /** tag key -> its first candidate; in the order the tags were first registered */
  readonly byTag: ReadonlyMap<string, number>
  readonly nextOfTag: Int32Array
  /**
   * Tags with an invalid candidate: a request that finds no valid candidate of such a tag is not also
   * reported as missing (the InvalidDeclaration says why; "no component provides" would be false).
   */
  readonly invalidTags: ReadonlySet<string>
  /** how many registered values are invalid (reported, not candidates) */
  readonly invalidCount: number
  /** whether any candidate has an explicit name (only then can names collide) */
  readonly explicitlyNamed: boolean
  /**
   * The `Trait`s of every candidate, ORed (a replacement's are added when it takes a candidate's
   * place): a pass for a trait no candidate has is skipped.
   */
  traits: number
  /**
   * whether every candidate is named after its tag's key: none is named explicitly, none is an
   * override, no tag has several
   */
  readonly keyNamed: boolean
  /**
   * Overrides also registered as ordinary components (the same value both ways): they keep the name
   * of an ordinary component, since overriding never renames what production registered.
   */
  readonly alsoOrdinary: ReadonlySet<number>
}

/**
 * A family member synthesised by a walk: its candidate index, its one edge (shared by every request
 * of it), and the arguments merged from its requests so far.
 *
 * @internal
 */
export interface MemberState {
  readonly index: number
  readonly edge: WalkEdge
  readonly family: dependency.FamilyLike
  args: unknown
  readonly replaced: boolean
  readonly dependencyKeys: string
}

/**
 * The state of one walk from the roots: one record, made by one literal, and module functions over
 * it (not a class, not closures).
 *
 * The integer columns are typed arrays. Per-candidate columns have room for `capacity` candidates
 * and are replaced by larger copies when family members outgrow it (`reserve`): read them from
 * `self` after anything that may add a member.
 *
 * @internal
 */
export interface WalkState {
  readonly index: Index
  readonly flat: registry.Flattened
  readonly usedReplacements: Set<string>
  readonly seeds: ReadonlyMap<string, unknown>
  /** the keys of the services the program provides (external requirements) */
  readonly external: ReadonlySet<string>
  /** those services' tags, as the resolution's options give them */
  readonly externalTags: ReadonlyArray<unknown>
  /** the keys of the declared scopes' inputs, each to the outermost scope that has it */
  readonly inputs: ReadonlyMap<string, string>
  /** the declared scopes' names, outer first */
  readonly scopes: ReadonlyArray<string>
  readonly problems: Array<Errors.Problem>
  capacity: number
  // per candidate:
  /** -1 unvisited; -2 done (in `postOrder`); otherwise on the stack, at that depth */
  position: Int32Array
  /** the candidate that first needed it (-1: a root) */
  parentOf: Int32Array
  /** its node id once done */
  nodeIdOf: Int32Array
  /** where its targets end in `adjacency` (they start where its frame's cursor started) */
  adjacencyEnd: Int32Array
  /** its resolved requests, in declaration order (requests that failed are left out) */
  readonly edgesOf: Array<Array<WalkEdge> | undefined>
  // The stack, one frame per level: the candidate being expanded and the position in `adjacency` of
  // the next target to visit; `depth` frames are live.
  frameCandidate: Int32Array
  frameCursor: Int32Array
  depth: number
  /** candidates in post-order (build order); `nodes` of them */
  postOrder: Int32Array
  nodes: number
  /**
   * The targets of every expanded candidate's requests, in order, each candidate's contiguous: the
   * walk reads one array of integers instead of following edge objects.
   */
  adjacency: Int32Array
  adjacencyLength: number
  readonly members: Map<string, MemberState>
  // A request resolves the same way wherever it appears (the rules depend only on the request), so
  // a successful resolution is computed once per request key and shared by every requester.
  // Problems are not memoised: each requester reports its own, with its own path. Family members
  // never are: each request of a member merges its arguments.
  //
  // The memo has two homes: for the key of a registered tag (plain requests, the bulk) the entry at
  // that tag's first candidate, found by the lookup that finds the candidates, so a repeated request
  // costs one lookup; for other keys (derived requests, unregistered tags) a map.
  readonly memoOfTag: Array<WalkEdge | undefined>
  readonly memoByKey: Map<string, WalkEdge>
  available: ReadonlyArray<string> | undefined
  /** close names, by missing service (see `suggestionsFor`) */
  suggestions: Map<string, ReadonlyArray<string>> | undefined
  /** the registered candidates by name, made on first need (see `componentNamed`) */
  namesOfComponents: Map<string, number> | undefined
  /** what false conditions left out, made on first need (see `excludedIndex`) */
  excluded: ExcludedIndex | undefined
  /** the options requests resolved to the options themselves, in the order the walk met them */
  readonly options: Array<dependency.OptionsLike>
}

/**
 * The outcome of a walk.
 *
 * @internal
 */
export interface Walk {
  /** the state the walk ran in */
  readonly state: WalkState
  readonly problems: ReadonlyArray<Errors.Problem>
  // Every edge made is in exactly one of these, once: the memo (by key) and the members.
  readonly memoOfTag: ReadonlyArray<WalkEdge | undefined>
  readonly memoByKey: ReadonlyMap<string, WalkEdge>
  /** candidates in build order */
  readonly postOrder: Int32Array
  /** per candidate in the plan: its node id */
  readonly nodeIdOf: Int32Array
  /** per candidate: its resolved requests, in declaration order (requests that failed are left out) */
  readonly edgesOf: ReadonlyArray<ReadonlyArray<WalkEdge> | undefined>
  /** per candidate in the plan: the candidate that first needed it (-1: a root) */
  readonly parentOf: Int32Array
  readonly rootEdges: ReadonlyArray<WalkEdge>
  /** per declared scope (outer first): the requests it provides (see `Plan.scopes`) */
  readonly scopeEdges: ReadonlyArray<ReadonlyArray<WalkEdge>>
  readonly members: ReadonlyMap<string, MemberState>
  /** the options requests resolved to the options themselves (see `WalkState.options`) */
  readonly options: ReadonlyArray<dependency.OptionsLike>
  /** the name of a member whose merged arguments changed its dependencies */
  readonly unsettled: string | undefined
}

/**
 * The components and families that false conditions left out of the registry (and that are not
 * registered elsewhere), by the service they provide and by family, with why. Only missing requests
 * read it.
 *
 * @internal
 */
export interface ExcludedIndex {
  readonly byService: Map<string, Array<{ readonly component: Component.Any; readonly condition: string }>>
  readonly families: Map<unknown, string>
}

const TagTypeId = Context.TagTypeId

/** The prototype of `Context.GenericTag`'s tags (and `Context.Tag` classes), read from one. */
const genericTagPrototype: unknown = Object.getPrototypeOf(Context.GenericTag("@layerwise/resolver/Prototype"))

/**
 * `Context.isTag` without the `dual` wrapper of `Predicate.hasProperty`, and without a property
 * lookup for the common tags. Each `Context.GenericTag` has a hidden class of its own (its `stack`
 * getter is defined on the object), so an `in` test of a tag never met before misses V8's inline
 * caches: a tag whose prototype is `Context.GenericTag`'s (or `Context.Tag`'s, a class whose
 * prototype is the same object) is answered by the prototype alone; other values (`Effect.Service`
 * classes, references) by the type id. See bench/README.md, "Resolver engine notes".
 *
 * @internal
 */
export const isTag = (u: unknown): u is Context.Tag<unknown, unknown> =>
  (typeof u === "function" || (typeof u === "object" && u !== null)) &&
  (Object.getPrototypeOf(u) === genericTagPrototype || TagTypeId in u)

/** `Component.isComponent` without the `dual` wrapper of `Predicate.hasProperty`. @internal */
export const isComponent = (u: unknown): u is Component.Any =>
  (typeof u === "function" || (typeof u === "object" && u !== null)) && component.TypeId in u

/**
 * A value in a message, as failures are rendered (`describeValue`: bounded, never throwing): a plain
 * object shows its fields (`{ key: "Database" }`), not `[object Object]`.
 *
 * @internal
 */
export const show = (u: unknown): string => describeValue(u)

/**
 * The order of names in messages: alphabetical regardless of case, then by code unit (so that it is
 * total, and the same on every machine).
 *
 * @internal
 */
export const compareNames = (a: string, b: string): number => {
  const x = a.toLowerCase()
  const y = b.toLowerCase()
  return x < y ? -1 : x > y ? 1 : a < b ? -1 : a > b ? 1 : 0
}

/** A sorted copy of a list of names (see `compareNames`). @internal */
export const sortedNames = (names: ReadonlyArray<string>): Array<string> => names.slice().sort(compareNames)

/**
 * The description of a plain request (a service's own tag): `dependency.describe` of it, made from
 * the key alone, without a request object.
 *
 * @internal
 */
export const describePlain = (key: string): Dependency.Description => ({
  service: key,
  selector: dependency.anySelector,
  cardinality: "one",
  key,
  label: key
})

/** @internal */
export const makeEdge = (description: Dependency.Description, targets: Array<number>, choice: Plan.Choice): WalkEdge => ({
  request: description,
  targets,
  choice
})

/** The candidates of a tag, from its first one, in registration order. @internal */
export const candidatesOf = (index: Index, first: number | undefined): Array<number> => {
  const all: Array<number> = []
  for (let candidate = first ?? -1; candidate !== -1; candidate = index.nextOfTag[candidate]!) all.push(candidate)
  return all
}

/** The names of the candidates on the stack from depth `from` to depth `to` (excluded). @internal */
export const namesOnStack = (self: WalkState, from: number, to: number): Array<string> => {
  const names = self.index.candidates.names
  return Array.from(self.frameCandidate.subarray(from, to), (candidate) => names[candidate]!)
}

/** The path of a problem found while expanding the candidate on top of the stack. @internal */
export const pathOfStack = (self: WalkState): Array<string> => namesOnStack(self, 0, self.depth)

/**
 * The registered candidate with this name, if any (family members come after them and are not
 * looked at).
 *
 * @internal
 */
export const componentNamed = (self: WalkState, name: string): number | undefined => {
  if (self.namesOfComponents === undefined) {
    self.namesOfComponents = new Map()
    const names = self.index.candidates.names
    for (let candidate = 0; candidate < self.index.baseCount; candidate++) self.namesOfComponents.set(names[candidate]!, candidate)
  }
  return self.namesOfComponents.get(name)
}

/** A copy of `column` with room for `capacity` entries, the new ones set to `fill`. */
const grown = (column: Int32Array, capacity: number, fill: number): Int32Array => {
  const next = new Int32Array(capacity)
  if (fill !== 0) next.fill(fill, column.length)
  next.set(column)
  return next
}

/** Makes room in `adjacency` for `extra` more targets. @internal */
export const reserveAdjacency = (self: WalkState, extra: number): void => {
  if (self.adjacencyLength + extra > self.adjacency.length) {
    self.adjacency = grown(self.adjacency, 2 * (self.adjacencyLength + extra), 0)
  }
}

/** Makes room in the per-candidate columns (and the stack) for `count` candidates. @internal */
export const reserve = (self: WalkState, count: number): void => {
  if (count <= self.capacity) return
  const capacity = Math.max(count, self.capacity * 2)
  self.position = grown(self.position, capacity, -1)
  self.parentOf = grown(self.parentOf, capacity, 0)
  self.nodeIdOf = grown(self.nodeIdOf, capacity, 0)
  self.adjacencyEnd = grown(self.adjacencyEnd, capacity, 0)
  self.frameCandidate = grown(self.frameCandidate, capacity, 0)
  self.frameCursor = grown(self.frameCursor, capacity, 0)
  self.postOrder = grown(self.postOrder, capacity, 0)
  self.capacity = capacity
}
