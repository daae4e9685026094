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

/**
 * The candidates of one resolution, by index. Struct of arrays rather than one object per candidate:
 * resolution allocates little besides the plan it returns.
 *
 * Indices `0 .. baseCount - 1` are the registry's valid components in registration order (a
 * replacement already applied); family members are appended during a walk and dropped before the
 * next one.
 */
interface Candidates {
  readonly components: Array<Component.Any>
  readonly names: Array<string>
  readonly overrides: Array<boolean>
  readonly prepared: Array<Prepared>
}

/**
 * What resolution reads of a valid component besides its metadata: its tag's key and the keys of the
 * requests its dependencies stand for. A tag has a hidden class of its own (Effect's tags carry a
 * per-tag `stack` accessor), so every read of a tag is a megamorphic access: validating and preparing
 * a component reads each of its tags twice (is it a tag, its key), once for the life of the component,
 * and nothing more is read of a tag until a request of it has to be chosen for (`resolveRequest`, once
 * per distinct request in a resolution).
 *
 * A request's key is its tag's key: a derived tag (`Dependency.qualified`, `all`, a family member...)
 * is made with its request's key, so whether a dependency is plain or derived does not matter here.
 *
 * Keys are not internalized (`Object.keys({ [key]: 0 })[0]`): that made repeated resolutions of one
 * registry faster but a first resolution much slower, since every distinct key makes a hidden
 * class, and a first resolution is what applications do.
 */
interface Prepared {
  /** the tag's key */
  readonly key: string
  /** the keys of the requests of the component's dependencies, in order */
  readonly requestKeys: ReadonlyArray<string>
}

/**
 * A plan edge while the walk runs: its targets are candidate indices until the walk succeeds, then
 * they are rewritten in place to node ids and the edge is the plan's (see `finish`). One edge is
 * made per resolved request and shared by every requester, with one description of the request.
 */
interface WalkEdge {
  readonly request: Dependency.Description
  readonly targets: Array<number>
  readonly choice: Plan.Choice
}

/**
 * The description of a plain request (a service's own tag): `dependency.describe` of it, made from
 * the key alone, without a request object.
 */
const describePlain = (key: string): Dependency.Description => ({
  service: key,
  selector: dependency.anySelector,
  cardinality: "one",
  key,
  label: key
})

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

/**
 * Close names: at most a third of the missing name's length apart (at least 2 edits), and, so that
 * short names are not "close" to anything of their length (`A` for `B`), fewer edits apart than the
 * shorter of the two has letters: the two share at least one letter in place. A difference of case
 * alone is always close.
 */
const suggest = (missing: string, available: ReadonlyArray<string>): ReadonlyArray<string> => {
  const lower = missing.toLowerCase()
  const threshold = Math.max(2, Math.floor(missing.length / 3))
  return available
    // the distance is at least the difference in length: most names are ruled out without computing it
    .filter((name) => Math.abs(name.length - missing.length) <= threshold && name !== missing)
    .map((name) => ({ name, distance: levenshtein(lower, name.toLowerCase()) }))
    .filter(({ distance, name }) => distance <= threshold && distance < Math.min(missing.length, name.length))
    .sort((a, b) => a.distance - b.distance)
    .slice(0, 3)
    .map(({ name }) => name)
}

const TagTypeId = Symbol.for("effect/Context/Tag")

/** `Context.isTag` without the `dual` wrapper of `Predicate.hasProperty`. */
const isTag = (u: unknown): u is Context.Tag<unknown, unknown> =>
  (typeof u === "function" || (typeof u === "object" && u !== null)) && TagTypeId in u

/** `Component.isComponent` without the `dual` wrapper of `Predicate.hasProperty`. */
const isComponent = (u: unknown): u is Component.Any =>
  (typeof u === "function" || (typeof u === "object" && u !== null)) && component.TypeId in u

/**
 * Examines a registered value: its prepared form when it is a valid component, or why it cannot be a
 * candidate. One pass over the component that validates and reads what resolution needs together, so
 * each tag is read while it is at hand (see `Prepared`). `position` numbers registry entries in
 * messages about values that are not components at all.
 */
const examine = (candidate: unknown, position: number): Prepared | Errors.InvalidDeclaration => {
  if (!isComponent(candidate)) {
    return new Errors.InvalidDeclaration({
      path: [],
      subject: `registry entry #${position + 1}`,
      reason: `expected a Component or a Registry, got ${String(candidate)}`
    })
  }
  const reasons: Array<string> = []
  const tag: unknown = candidate.tag
  const tagged = isTag(tag)
  if (!tagged) reasons.push(`its tag must be a Context.Tag, got ${String(tag)}`)
  else if (tag.key.startsWith(dependency.derivedPrefix)) {
    if (dependency.isDependency(tag)) {
      // a request's tag (Dependency.optional, all, qualified, named, a family member) is not a service
      const request = tag[dependency.TypeId]
      reasons.push(`its tag is the request ${request.label}, not a service's tag: register it under ${request.target.key}`)
    } else if (!dependency.ownServiceKeys.has(tag.key)) {
      // A context holds one value per key: such a service would be the value of the derived request
      // with its key, and that request's value its own.
      reasons.push(
        `its tag's key starts with "${dependency.derivedPrefix}", which is reserved for layerwise's derived requests (Dependency.optional, all, qualified, named, family members): give the service a key of its own`
      )
    }
  }
  if (candidate.name !== undefined && (typeof candidate.name !== "string" || candidate.name.length === 0)) {
    reasons.push(`its name must be a non-empty string, got ${String(candidate.name)}`)
  }
  if (typeof candidate.order !== "number" || !Number.isFinite(candidate.order)) {
    reasons.push(`its order must be a finite number, got ${String(candidate.order)}`)
  }
  if (candidate.primary && candidate.alternative) reasons.push("it cannot be both primary and alternative")
  const dependencies: unknown = candidate.dependencies
  // exactly sized (pushing onto an empty array reserves room for 17)
  const requestKeys: Array<string> = new Array(Array.isArray(dependencies) ? dependencies.length : 0)
  if (!Array.isArray(dependencies)) {
    reasons.push("its dependencies must be an array of tags")
  } else {
    for (let index = 0; index < dependencies.length; index++) {
      const dependency = dependencies[index]
      if (isTag(dependency)) requestKeys[index] = dependency.key
      else reasons.push(`dependency #${index + 1} must be a Context.Tag, got ${String(dependency)}`)
    }
  }
  for (const qualifier of candidate.qualifiers) {
    if (typeof qualifier !== "string" || qualifier.length === 0) reasons.push("its qualifiers must be non-empty strings")
  }
  if (reasons.length === 0 && tagged) return { key: tag.key, requestKeys }
  const label = tagged ? component.displayName(candidate) : `#${position + 1}`
  return new Errors.InvalidDeclaration({ path: [], subject: `component ${label}`, reason: reasons.join("; ") })
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
 * Algorithm: flatten the registry, index and name the candidates by tag, then one iterative
 * depth-first walk from the roots. Each reachable component is expanded once (its requests are
 * resolved once), and each distinct request is chosen for once, so the walk is
 * O(components + edges); a back edge to a component on the walk's stack is a cycle, reported with
 * the stack slice that forms it. Components come out in post-order, which is the build order
 * (dependencies first). Paths are only materialised when a problem is reported.
 *
 * Problems are reported in this order: conditions that threw, invalid components (registration
 * order), replacements that do not fit (tag by tag), duplicate names (of components, then of
 * families), what the walk finds (discovery order; a member named like a component among it), then
 * replacements of names no component has.
 *
 * @internal
 */
export const resolve = (
  input: Registry.Registry,
  roots: ReadonlyArray<Dependency.Any>,
  options?: Condition.EnvironmentInput & ExtraRoots
): Either.Either<Plan.Plan<never>, Errors.ResolutionError> => {
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
  const index = indexCandidates(flat, problems)
  const usedReplacements = new Set<string>()
  nameCandidates(index, flat.replacements, usedReplacements, problems)
  if (index.explicitlyNamed) reportDuplicateNames(index.candidates, problems)
  if (flat.families.size > 1) reportDuplicateFamilies(flat.families as ReadonlySet<dependency.FamilyLike>, problems)

  // Family members are synthesised on demand during the walk; when merged member arguments change a
  // member's dependencies the walk is redone, seeded with the merged arguments, until the
  // dependencies are stable.
  const { components, names, overrides, prepared } = index.candidates
  let seeds: ReadonlyMap<string, unknown> = new Map()
  let attempts = 0
  let outcome: Walk
  for (;;) {
    if (components.length > index.baseCount) {
      // drop the family members of the previous walk
      components.length = index.baseCount
      names.length = index.baseCount
      overrides.length = index.baseCount
      prepared.length = index.baseCount
    }
    outcome = walk(index, flat, usedReplacements, seeds, roots, options?.extraRoots)
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
  // a loop, not a spread: a spread passes every problem as an argument (the stack's limit)
  for (const problem of outcome.problems) problems.push(problem)

  for (const name of flat.replacements.keys()) {
    // a member's name of a registered family names a component even when these roots do not reach
    // it, as an unreached registered component's name does
    if (!usedReplacements.has(name) && !namesMember(name, flat.families as ReadonlySet<dependency.FamilyLike>)) {
      problems.push(
        new Errors.InvalidDeclaration({
          path: [],
          subject: `replacement of "${name}"`,
          reason: `no component is named "${name}" (names: ${
            names.length > 0
              ? names.slice(0, 12).join(", ")
              : index.invalidCount === 0
              ? "none"
              : index.invalidCount === 1
              ? "none: the registry's only component is invalid"
              : `none: the registry's ${index.invalidCount} components are invalid`
          }${names.length > 12 ? ", ..." : ""})`
        })
      )
    }
  }

  if (problems.length > 0) return Either.left(new Errors.ResolutionError({ problems }))
  return Either.right(finish(index.candidates, outcome))
}

/**
 * The registry's valid components indexed by tag. The candidates of a tag form a list in
 * registration order: `byTag` holds its first candidate and `nextOfTag` links each candidate to the
 * next one (-1 ends the list), so a tag with one candidate (the common case) costs one map entry and
 * no allocation.
 */
interface Index {
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
   * Overrides also registered as ordinary components (the same value both ways): they keep the name
   * of an ordinary component, since overriding never renames what production registered.
   */
  readonly alsoOrdinary: ReadonlySet<number>
}

/**
 * Step 1: validates every flattened component and indexes the valid ones by tag.
 *
 * A value registered more than once counts once, at its first occurrence (an invalid one is reported
 * once); a component is an override if any of its occurrences is. Repeats of a component are found
 * within its tag's candidates, so tags with one candidate (the common case) pay nothing for it.
 */
const indexCandidates = (flat: registry.Flattened, problems: Array<Errors.Problem>): Index => {
  // At most one candidate per flattened component: the columns are sized once, not grown, and only
  // copied shorter when there were invalid or repeated components.
  const most = flat.components.length
  const components: Array<Component.Any> = new Array(most)
  const names: Array<string> = new Array(most)
  const overrides: Array<boolean> = new Array(most)
  const prepared: Array<Prepared> = new Array(most)
  const byTag = new Map<string, number>()
  const nextOfTag = new Int32Array(most)
  const invalidTags = new Set<string>()
  const alsoOrdinary = new Set<number>()
  const reported = problems.length
  const count = fillCandidates(flat, problems, components, overrides, prepared, byTag, nextOfTag, invalidTags, alsoOrdinary)
  const fit = <A>(column: Array<A>): Array<A> => (count === most ? column : column.slice(0, count))
  return {
    candidates: { components: fit(components), names: fit(names), overrides: fit(overrides), prepared: fit(prepared) },
    baseCount: count,
    byTag,
    nextOfTag,
    invalidTags,
    invalidCount: problems.length - reported,
    explicitlyNamed: components.some((candidate) => candidate.name !== undefined),
    alsoOrdinary
  }
}

/**
 * The loop of `indexCandidates`, apart: a long loop is optimized while it runs (on-stack
 * replacement), and code after it in the same function that touches objects made per resolution
 * (whose hidden classes die with them) would throw that optimized code away on every resolution.
 * Returns how many candidates it wrote.
 */
const fillCandidates = (
  flat: registry.Flattened,
  problems: Array<Errors.Problem>,
  components: Array<Component.Any>,
  overrides: Array<boolean>,
  prepared: Array<Prepared>,
  byTag: Map<string, number>,
  nextOfTag: Int32Array,
  invalidTags: Set<string>,
  alsoOrdinary: Set<number>
): number => {
  const lastOfTag = new Int32Array(nextOfTag.length) // the last candidate of a tag, at the tag's first candidate
  // the candidates of tags registered more than once, by component: where a repeat is found
  const indexOfShared = new Map<Component.Any, number>()
  let reportedInvalid: Set<unknown> | undefined
  let count = 0
  for (let position = 0; position < flat.components.length; position++) {
    const entry = flat.components[position]!
    // A component is an immutable value, so whether it is valid and what it requests never change: each
    // is examined once, not once per resolution, and its prepared form kept in the component itself.
    let ready = component.memoOf(entry) as Prepared | undefined
    if (ready === undefined) {
      const examined = examine(entry, position)
      if (examined instanceof Errors.InvalidDeclaration) {
        reportedInvalid ??= new Set()
        if (reportedInvalid.has(entry)) continue
        reportedInvalid.add(entry)
        problems.push(examined)
        const value: unknown = entry
        if (isComponent(value) && isTag(value.tag)) invalidTags.add(value.tag.key)
        continue
      }
      ready = examined
      component.remember(entry, ready)
    }
    const key = ready.key
    const first = byTag.get(key)
    const index = count
    if (first === undefined) {
      byTag.set(key, index)
    } else {
      if (lastOfTag[first] === first) indexOfShared.set(components[first]!, first)
      const repeated = indexOfShared.get(entry)
      if (repeated !== undefined) {
        if (flat.overrides[position] !== overrides[repeated]) alsoOrdinary.add(repeated)
        if (flat.overrides[position]) overrides[repeated] = true
        continue
      }
      indexOfShared.set(entry, index)
      nextOfTag[lastOfTag[first]!] = index
      lastOfTag[first] = index
    }
    components[index] = entry
    prepared[index] = ready
    overrides[index] = flat.overrides[position]!
    nextOfTag[index] = -1
    lastOfTag[index] = index
    count++
  }
  return count
}

/** The candidates of a tag, from its first one, in registration order. */
const candidatesOf = (index: Index, first: number | undefined): Array<number> => {
  const all: Array<number> = []
  for (let candidate = first ?? -1; candidate !== -1; candidate = index.nextOfTag[candidate]!) all.push(candidate)
  return all
}

/**
 * Step 2: names every candidate, tag by tag, and applies the replacements by name. An unnamed
 * candidate is named after its tag key (`Key#1`, `Key#2` when several share the tag); unnamed
 * overrides are named apart (`Key (override)`), so that overriding a service in a test never renames
 * the production components of that service.
 *
 * A default name never takes a name given explicitly (to a candidate of any service): the unnamed
 * candidate gets the next number that is free instead (`Key#1`, or `Key#3` after an explicit
 * `Key#2`; `Key (override #1)`). Only explicit names can then be given twice (`reportDuplicateNames`).
 */
const nameCandidates = (
  index: Index,
  replacements: ReadonlyMap<string, Component.Any>,
  usedReplacements: Set<string>,
  problems: Array<Errors.Problem>
): void => {
  const { components, names, overrides, prepared } = index.candidates
  // named as an override: an override that production did not also register
  const namedAsOverride = (candidate: number) => overrides[candidate] && !index.alsoOrdinary.has(candidate)
  const explicit = index.explicitlyNamed ? explicitNames(components) : undefined
  // `forEach` rather than `for...of`: no entry array per tag
  index.byTag.forEach((first, key) => {
    if (index.nextOfTag[first] === -1 && replacements.size === 0) {
      const given = components[first]!.name
      const name = given ?? (namedAsOverride(first) ? `${key} (override)` : key)
      if (given !== undefined || explicit === undefined || !explicit.has(name)) {
        names[first] = name
        return
      }
    }
    const same = candidatesOf(index, first)
    let unnamed = 0
    let unnamedOverrides = 0
    for (const candidate of same) {
      if (components[candidate]!.name !== undefined) continue
      if (namedAsOverride(candidate)) unnamedOverrides++
      else unnamed++
    }
    let seen = 0
    let seenOverrides = 0
    for (const candidate of same) {
      let name = components[candidate]!.name
      if (name === undefined && namedAsOverride(candidate)) {
        name = unnamedOverrides > 1 || explicit?.has(`${key} (override)`)
          ? `${key} (override #${(seenOverrides = nextFree(explicit, `${key} (override #`, ")", seenOverrides))})`
          : `${key} (override)`
      } else if (name === undefined) {
        name = unnamed > 1 || explicit?.has(key) ? `${key}#${(seen = nextFree(explicit, `${key}#`, "", seen))}` : key
      }
      names[candidate] = name
      const replacement = replacements.get(name)
      if (replacement === undefined) continue
      usedReplacements.add(name)
      const examined = examine(replacement, 0)
      if (examined instanceof Errors.InvalidDeclaration) {
        problems.push(examined)
        continue
      }
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
        components[candidate] = component.fromFields({
          ...component.fieldsOf(components[candidate]!),
          dependencies: replacement.dependencies,
          construct: replacement.construct,
          // lifecycle hooks act on the service, so they come with the constructor that builds it
          lifecycle: replacement.lifecycle
        })
        // the replacement provides the same service (its key is checked above) with its own dependencies
        prepared[candidate] = examined
      }
    }
  })
}

/** The names given explicitly to candidates. */
const explicitNames = (components: ReadonlyArray<Component.Any>): ReadonlySet<string> => {
  const names = new Set<string>()
  for (const candidate of components) if (candidate.name !== undefined) names.add(candidate.name)
  return names
}

/** The first number after `last` that makes `prefix + number + suffix` a name no one was given explicitly. */
const nextFree = (explicit: ReadonlySet<string> | undefined, prefix: string, suffix: string, last: number): number => {
  let number = last + 1
  while (explicit?.has(`${prefix}${number}${suffix}`)) number++
  return number
}

/**
 * Step 3: explicit names given to several candidates, in the order the names first appear. Default
 * names are unique by construction: tag keys are unique, suffixes are unique within a tag, and
 * default names skip the explicit ones (see `nameCandidates`).
 */
const reportDuplicateNames = (candidates: Candidates, problems: Array<Errors.Problem>): void => {
  const byName = new Map<string, Array<number>>()
  candidates.names.forEach((name, candidate) => {
    const same = byName.get(name)
    if (same === undefined) byName.set(name, [candidate])
    else same.push(candidate)
  })
  for (const [name, same] of byName) {
    if (same.length > 1) {
      problems.push(
        new Errors.DuplicateName({ name, services: same.map((candidate) => candidates.prepared[candidate]!.key) })
      )
    }
  }
}

/** Whether `name` is the name of a member of one of the families: `family(key)`. */
const namesMember = (name: string, families: ReadonlySet<dependency.FamilyLike>): boolean => {
  if (!name.endsWith(")")) return false
  for (const family of families) {
    if (name.length > family.name.length + 2 && name.startsWith(`${family.name}(`)) return true
  }
  return false
}

/**
 * Step 3 (families): several registered families with one name. Their members' keys differ (see
 * `Family.make`), but their members' names (`name(key)`) would not, and names identify components
 * in plans, explanations and replacements.
 */
const reportDuplicateFamilies = (families: ReadonlySet<dependency.FamilyLike>, problems: Array<Errors.Problem>): void => {
  const byName = new Map<string, Array<dependency.FamilyLike>>()
  for (const family of families) {
    const same = byName.get(family.name)
    if (same === undefined) byName.set(family.name, [family])
    else same.push(family)
  }
  for (const [name, same] of byName) {
    if (same.length > 1) problems.push(new Errors.DuplicateName({ name, services: same.map((family) => family.tag.key) }))
  }
}

/**
 * Step 4: the state of one walk from the roots.
 *
 * A plain object made by one literal, and module functions over it, rather than a class or closures
 * made per resolution: the optimising compiler then keeps its code for the hot path (one lookup and
 * a few array reads per edge) across resolutions. (A closure is a new call target on every
 * resolution, and a class instance's hidden class was collected with the last walker: with either,
 * V8 threw that code away again and again.)
 *
 * The integer columns are typed arrays: their storage is outside the garbage-collected heap, so
 * collections neither scan nor copy them. Per-candidate columns have room for `capacity` candidates
 * and are replaced by larger copies when family members outgrow it (`reserve`): read them from
 * `self` after anything that may add a member.
 */
interface WalkState {
  readonly index: Index
  readonly flat: registry.Flattened
  readonly usedReplacements: Set<string>
  readonly seeds: ReadonlyMap<string, unknown>
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
  /** the registered candidates by name, made when the first family member is (see `componentNamed`) */
  namesOfComponents: Map<string, number> | undefined
  /** what false conditions left out, made when the first request finds nothing (see `excludedFor`) */
  excluded: ExcludedIndex | undefined
}

/**
 * The components and families that false conditions left out of the registry (and that are not
 * registered elsewhere), by the service they provide and by family, with why. Only missing requests
 * read it.
 */
interface ExcludedIndex {
  readonly byService: Map<string, Array<{ readonly component: Component.Any; readonly condition: string }>>
  readonly families: Map<unknown, string>
}

/** Room for family members before the per-candidate columns first grow. */
const memberRoom = 16

const walk = (
  index: Index,
  flat: registry.Flattened,
  usedReplacements: Set<string>,
  seeds: ReadonlyMap<string, unknown>,
  roots: ReadonlyArray<Dependency.Any>,
  extraRoots: ((component: Component.Any) => boolean) | undefined
): Walk => {
  const count = index.baseCount
  const capacity = count + memberRoom
  const self: WalkState = {
    index,
    flat,
    usedReplacements,
    seeds,
    problems: [],
    capacity,
    position: new Int32Array(capacity).fill(-1),
    parentOf: new Int32Array(capacity),
    nodeIdOf: new Int32Array(capacity),
    adjacencyEnd: new Int32Array(capacity),
    edgesOf: new Array(count),
    frameCandidate: new Int32Array(capacity),
    frameCursor: new Int32Array(capacity),
    depth: 0,
    postOrder: new Int32Array(capacity),
    nodes: 0,
    adjacency: new Int32Array(Math.max(16, count * 2)),
    adjacencyLength: 0,
    members: new Map(),
    memoOfTag: new Array(count),
    memoByKey: new Map(),
    available: undefined,
    suggestions: undefined,
    namesOfComponents: undefined,
    excluded: undefined
  }
  const { components, overrides, prepared } = index.candidates
  const rootEdges: Array<WalkEdge> = []
  roots.forEach((root, position) => {
    if (!Context.isTag(root)) {
      self.problems.push(
        new Errors.InvalidDeclaration({
          path: [],
          subject: `root #${position + 1}`,
          reason: `a root must be a Context.Tag or a Dependency request, got ${String(root)}`
        })
      )
      return
    }
    const key = root.key
    const edge = known(self, key) ?? resolveRequest(self, root, key)
    if (edge === undefined) return
    rootEdges.push(edge)
    for (const target of edge.targets) descend(self, target)
  })
  // Extra roots (App's startup components): walked like roots, after them, unless an override of
  // their service (one that applies to every request of it) takes their place.
  if (extraRoots !== undefined) {
    for (let candidate = 0; candidate < count; candidate++) {
      if (self.position[candidate] !== -1 || !extraRoots(components[candidate]!)) continue
      const shadowed = !overrides[candidate] &&
        candidatesOf(index, index.byTag.get(prepared[candidate]!.key)).some((other) =>
          overrides[other] && components[other]!.qualifiers.length === 0
        )
      if (!shadowed) descend(self, candidate)
    }
  }
  const unsettled = settleMembers(self)
  return {
    problems: self.problems,
    postOrder: self.postOrder.subarray(0, self.nodes),
    nodeIdOf: self.nodeIdOf,
    edgesOf: self.edgesOf,
    parentOf: self.parentOf,
    memoOfTag: self.memoOfTag,
    memoByKey: self.memoByKey,
    rootEdges,
    members: self.members,
    unsettled
  }
}

/** A copy of `column` with room for `capacity` entries, the new ones set to `fill`. */
const grown = (column: Int32Array, capacity: number, fill: number): Int32Array => {
  const next = new Int32Array(capacity)
  if (fill !== 0) next.fill(fill, column.length)
  next.set(column)
  return next
}

/** Makes room in the per-candidate columns (and the stack) for `count` candidates. */
const reserve = (self: WalkState, count: number): void => {
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

/**
 * Members get their constructors from their final arguments. Returns the name of a member whose
 * final arguments ask for other dependencies than the ones walked (the walk must start over).
 */
const settleMembers = (self: WalkState): string | undefined => {
  const { components, names } = self.index.candidates
  let unsettled: string | undefined
  for (const member of self.members.values()) {
    if (member.replaced) continue
    const name = names[member.index]!
    const dependencies = attempt(self, name, "dependencies", () => member.family.dependencies(member.args))
    if (dependencies.ok && keysOf(dependencies.value) !== member.dependencyKeys) unsettled ??= name
    const construct = attempt(self, name, "build", () => member.family.build(member.args))
    if (construct.ok) {
      components[member.index] = component.fromFields({
        ...component.fieldsOf(components[member.index]!),
        construct: construct.value
      })
    }
  }
  return unsettled
}

/**
 * The services a missing request's message lists: the registered ones but layerwise's own (App
 * registers its Shutdowner in every application's registry; no one misspells its key). Only keys
 * with the derived prefix need a look: those of valid candidates are layerwise's own.
 */
const available = (self: WalkState): ReadonlyArray<string> =>
  self.available ??= [...self.index.byTag.keys()].filter((key) => !key.startsWith(dependency.derivedPrefix))

/**
 * How many distinct missing services get close-name suggestions. Each costs a comparison with every
 * available name, so without a bound an application missing one service per component (or a
 * misspelt shared one, requested everywhere) would take time quadratic in its size to report.
 */
const suggestedServices = 20

/**
 * The close names of a missing service: computed once per service (every requester of it reports
 * the same), for the first `suggestedServices` services.
 */
const suggestionsFor = (self: WalkState, service: string): ReadonlyArray<string> => {
  const known = (self.suggestions ??= new Map()).get(service)
  if (known !== undefined) return known
  const found = self.suggestions.size < suggestedServices ? suggest(service, available(self)) : []
  self.suggestions.set(service, found)
  return found
}

const excludedIndex = (self: WalkState): ExcludedIndex => {
  if (self.excluded !== undefined) return self.excluded
  const byService: ExcludedIndex["byService"] = new Map()
  const families: ExcludedIndex["families"] = new Map()
  const candidates = new Set(self.index.candidates.components.slice(0, self.index.baseCount))
  const seen = new Set<unknown>()
  for (const { item, condition } of registry.excluded(self.flat)) {
    if (seen.has(item)) continue
    seen.add(item)
    if (isComponent(item)) {
      // registered elsewhere too (then a candidate), or invalid (not a candidate anyway)
      if (candidates.has(item) || !isTag(item.tag)) continue
      const same = byService.get(item.tag.key)
      if (same === undefined) byService.set(item.tag.key, [{ component: item, condition }])
      else same.push({ component: item, condition })
    } else if (!self.flat.families.has(item)) {
      families.set(item, condition)
    }
  }
  return self.excluded = { byService, families }
}

/** The candidates false conditions left out that would have matched the request. */
const excludedFor = (self: WalkState, description: Dependency.Description): ReadonlyArray<Errors.ExcludedCandidate> => {
  if (self.flat.skipped.length === 0) return []
  const of = excludedIndex(self).byService.get(description.service)
  if (of === undefined) return []
  const selector = description.selector
  const found: Array<Errors.ExcludedCandidate> = []
  for (const { component: candidate, condition } of of) {
    const name = candidate.name ?? description.service
    if (
      selector._tag === "Any" || (selector._tag === "Qualifier" && candidate.qualifiers.includes(selector.qualifier)) ||
      (selector._tag === "Name" && name === selector.name)
    ) found.push({ name, condition })
  }
  return found
}

/** The registered families that provide `service` (to requests of their members only). */
const familiesOf = (self: WalkState, service: string): ReadonlyArray<string> => {
  const names: Array<string> = []
  for (const family of self.flat.families as ReadonlySet<dependency.FamilyLike>) {
    if (family.tag.key === service) names.push(family.name)
  }
  return names
}

/** The names of the candidates on the stack from depth `from` to depth `to` (excluded). */
const namesOnStack = (self: WalkState, from: number, to: number): Array<string> => {
  const names = self.index.candidates.names
  return Array.from(self.frameCandidate.subarray(from, to), (candidate) => names[candidate]!)
}

const pathOfStack = (self: WalkState): Array<string> => namesOnStack(self, 0, self.depth)

const makeEdge = (description: Dependency.Description, targets: Array<number>, choice: Plan.Choice): WalkEdge => ({
  request: description,
  targets,
  choice
})

/** The memoised resolution of the request with this key, if any (see `WalkState`). */
const known = (self: WalkState, key: string): WalkEdge | undefined => {
  const first = self.index.byTag.get(key)
  return first !== undefined ? self.memoOfTag[first] : self.memoByKey.get(key)
}

/**
 * Resolves the request of `tag` (whose key is `key`), not memoised yet, and memoises a success (not a
 * family member's: each request of a member merges its arguments). Only here is a tag asked whether
 * it is a derived request, once per distinct request.
 */
const resolveRequest = (self: WalkState, tag: Context.Tag<unknown, unknown>, key: string): WalkEdge | undefined => {
  const first = self.index.byTag.get(key)
  let edge: WalkEdge | undefined
  // a derived request's key has the derived prefix: plain tags, the bulk, skip the (megamorphic) check
  if (key.startsWith(dependency.derivedPrefix) && dependency.isDependency(tag)) {
    const request = tag[dependency.TypeId]
    if (request.member !== undefined) return resolveMember(self, request, request.member, dependency.describe(request))
    edge = choose(self, dependency.describe(request), self.index.byTag.get(request.target.key))
  } else {
    // a plain request is of its own tag (its key is its service's): its candidates are found by its key
    edge = choose(self, describePlain(key), first)
  }
  if (edge === undefined) return undefined
  if (first !== undefined) self.memoOfTag[first] = edge
  else self.memoByKey.set(key, edge)
  return edge
}

const resolveMember = (
  self: WalkState,
  request: dependency.Request,
  member: dependency.MemberRequest,
  description: Dependency.Description
): WalkEdge | undefined => {
  const known = self.members.get(request.key)
  if (known !== undefined) {
    if (member.family.merge !== undefined && !known.replaced) {
      const merged = attempt(self, request.label, "merge", () => member.family.merge!(known.args, member.args))
      if (merged.ok) known.args = merged.value
    }
    return known.edge
  }
  // A tag-wide override of the family's service (no qualifier: it applies to every request of it)
  // replaces every member, as it replaces every other candidate of the service.
  const familyFirst = self.index.byTag.get(member.family.tag.key)
  if (familyFirst !== undefined && overridesEveryRequest(self, familyFirst)) {
    const overridden = chooseAmong(self, description, familyFirst)
    if (overridden !== undefined) self.memoByKey.set(request.key, overridden)
    if (self.flat.replacements.has(request.label)) self.usedReplacements.add(request.label)
    return overridden
  }
  if (!self.flat.families.has(member.family)) {
    const condition = self.flat.skipped.length > 0 ? excludedIndex(self).families.get(member.family) : undefined
    self.problems.push(
      new Errors.MissingComponent({
        path: pathOfStack(self),
        request: request.label,
        available: available(self),
        suggestions: [],
        unqualified: [],
        excluded: condition === undefined ? [] : [{ name: member.family.name, condition }],
        family: { _tag: "NotRegistered", name: member.family.name }
      })
    )
    return undefined
  }
  const args = self.seeds.has(request.key) ? self.seeds.get(request.key) : member.args
  const replacement = self.flat.replacements.get(request.label)
  if (replacement !== undefined) self.usedReplacements.add(request.label)
  if (
    replacement !== undefined && isComponent(replacement) && isTag(replacement.tag) &&
    replacement.tag.key !== member.family.tag.key
  ) {
    self.problems.push(
      new Errors.InvalidDeclaration({
        path: pathOfStack(self),
        subject: `replacement of "${request.label}"`,
        reason: `it provides ${replacement.tag.key}, but "${request.label}" provides ${member.family.tag.key}`
      })
    )
    return undefined
  }
  const dependencies = replacement !== undefined
    ? { ok: true as const, value: replacement.dependencies }
    : attempt(self, request.label, "dependencies", () => member.family.dependencies(args))
  if (!dependencies.ok) return undefined
  const { components, names, overrides, prepared } = self.index.candidates
  const namesake = componentNamed(self, request.label)
  if (namesake !== undefined) {
    self.problems.push(
      new Errors.DuplicateName({ name: request.label, services: [prepared[namesake]!.key, member.family.tag.key] })
    )
  }
  const made = component.fromFields({
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
  const examined = examine(made, components.length)
  if (examined instanceof Errors.InvalidDeclaration) {
    self.problems.push(examined)
    return undefined
  }
  // A member is a candidate of this walk only, not indexed by tag: requests of the family's tag never
  // choose it.
  const index = components.length
  reserve(self, index + 1)
  components.push(made)
  prepared.push(examined)
  names.push(request.label)
  overrides.push(false)
  const edge = makeEdge(description, [index], { rule: "only", considered: [request.label] })
  self.members.set(request.key, {
    index,
    edge,
    family: member.family,
    args,
    replaced: replacement !== undefined,
    dependencyKeys: keysOf(dependencies.value)
  })
  return edge
}

/** Whether a candidate of the tag whose first candidate is `first` is an override with no qualifier. */
const overridesEveryRequest = (self: WalkState, first: number): boolean => {
  const { components, overrides } = self.index.candidates
  for (let candidate = first; candidate !== -1; candidate = self.index.nextOfTag[candidate]!) {
    if (overrides[candidate] && components[candidate]!.qualifiers.length === 0) return true
  }
  return false
}

/** The registered candidate with this name, if any (family members come after them and are not looked at). */
const componentNamed = (self: WalkState, name: string): number | undefined => {
  if (self.namesOfComponents === undefined) {
    self.namesOfComponents = new Map()
    const names = self.index.candidates.names
    for (let candidate = 0; candidate < self.index.baseCount; candidate++) self.namesOfComponents.set(names[candidate]!, candidate)
  }
  return self.namesOfComponents.get(name)
}

/** Runs a family's function; a throw is reported (with the walk's path) instead of escaping. */
const attempt = <A>(self: WalkState, label: string, what: string, f: () => A): { ok: true; value: A } | { ok: false } => {
  try {
    return { ok: true, value: f() }
  } catch (error) {
    self.problems.push(
      new Errors.InvalidDeclaration({
        path: pathOfStack(self),
        subject: `family member ${label}`,
        reason: `its ${what} function threw: ${error instanceof Error ? error.message : String(error)}`
      })
    )
    return { ok: false }
  }
}

/** Chooses among the candidates of the request's service; `first` is its first candidate. */
const choose = (self: WalkState, description: Dependency.Description, first: number | undefined): WalkEdge | undefined => {
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
 * `choose` apart from its common case: its callbacks make a closure context on every call, which the
 * common case does not pay for.
 */
const chooseAmong = (self: WalkState, description: Dependency.Description, first: number | undefined): WalkEdge | undefined => {
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
  // Overrides that apply to this request replace every other candidate; for a qualified request,
  // overrides carrying its qualifier are more specific than tag-wide ones and replace those too.
  let applying = selected.filter((candidate) => overrides[candidate])
  if (selector._tag === "Qualifier" && applying.length > 1) {
    const specific = applying.filter((candidate) => components[candidate]!.qualifiers.includes(selector.qualifier))
    if (specific.length > 0) applying = specific
  }
  const pool = applying.length > 0 ? applying : selected
  const considered = pool.map((candidate) => names[candidate]!)
  if (description.cardinality === "all") {
    // by order, then registration order (candidate indices are registration order)
    const sorted = [...pool].sort((a, b) => components[a]!.order - components[b]!.order || a - b)
    return makeEdge(description, sorted, { rule: "all", considered })
  }
  if (pool.length === 0) {
    if (description.cardinality === "optional") return makeEdge(description, [], { rule: "absent", considered })
    if (self.index.invalidTags.has(description.service)) return undefined
    const families = self.flat.families.size > 0 ? familiesOf(self, description.service) : []
    self.problems.push(
      new Errors.MissingComponent({
        path: pathOfStack(self),
        request: description.label,
        available: available(self),
        // close names only for a service without candidates (a plain request rules out only qualified overrides)
        suggestions: selector._tag === "Any" && all.length === 0 ? suggestionsFor(self, description.service) : [],
        unqualified: all.map((candidate) => names[candidate]!),
        excluded: excludedFor(self, description),
        ...(families.length > 0 ? { family: { _tag: "MembersOnly", names: families } } : {})
      })
    )
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
    self.problems.push(
      new Errors.AmbiguousComponent({
        path: pathOfStack(self),
        request: description.label,
        candidates: tied.map((candidate) => names[candidate]!),
        rule: tieDescription(candidates, tied)
      })
    )
    return undefined
  }
  return makeEdge(description, [best], { rule: decidingRule(candidates, best, ranked[1]!), considered })
}

/**
 * Puts a candidate on the stack and resolves its requests (their problems' paths end with it). Its
 * targets are appended to `adjacency` before any other candidate is pushed, so they are contiguous.
 */
const push = (self: WalkState, candidate: number, parent: number): void => {
  const depth = self.depth++
  self.position[candidate] = depth
  self.parentOf[candidate] = parent
  self.frameCandidate[depth] = candidate
  self.frameCursor[depth] = self.adjacencyLength
  const keys = self.index.candidates.prepared[candidate]!.requestKeys
  const dependencies = self.index.candidates.components[candidate]!.dependencies
  const own: Array<WalkEdge> = new Array(keys.length)
  let resolved = 0
  for (let position = 0; position < keys.length; position++) {
    const key = keys[position]!
    const edge = known(self, key) ?? resolveRequest(self, dependencies[position]!, key)
    if (edge === undefined) continue
    own[resolved++] = edge
    const targets = edge.targets
    if (self.adjacencyLength + targets.length > self.adjacency.length) {
      self.adjacency = grown(self.adjacency, 2 * (self.adjacencyLength + targets.length), 0)
    }
    for (let target = 0; target < targets.length; target++) self.adjacency[self.adjacencyLength++] = targets[target]!
  }
  if (resolved < own.length) own.length = resolved
  self.edgesOf[candidate] = own
  self.adjacencyEnd[candidate] = self.adjacencyLength
}

/** Iterative depth-first walk from one root candidate; appends to `postOrder`. */
const descend = (self: WalkState, root: number): void => {
  if (self.position[root] !== -1) return
  push(self, root, -1)
  // the columns are read from `self` each time: a push may add family members, and grow them
  while (self.depth > 0) {
    const top = self.depth - 1
    const candidate = self.frameCandidate[top]!
    const cursor = self.frameCursor[top]!
    if (cursor === self.adjacencyEnd[candidate]) {
      self.depth = top
      self.position[candidate] = -2
      self.nodeIdOf[candidate] = self.nodes
      self.postOrder[self.nodes++] = candidate
      continue
    }
    self.frameCursor[top] = cursor + 1
    const next = self.adjacency[cursor]!
    const position = self.position[next]!
    if (position === -1) {
      push(self, next, candidate)
    } else if (position >= 0) {
      self.problems.push(
        new Errors.CircularDependency({
          path: namesOnStack(self, 0, position),
          cycle: [...namesOnStack(self, position, self.depth), self.index.candidates.names[next]!]
        })
      )
    }
  }
}

/**
 * Makes the plan of a successful walk. Every edge made is reachable from the plan (each was made for
 * a request of a walked candidate or a root, and the walk visited all its targets) and kept once in
 * the memo or by its member, so rewriting the targets of each of those from candidate indices to node
 * ids, once, turns the walk's edges into the plan's: shared by every requester as they were during
 * the walk.
 */
const finish = (candidates: Candidates, walk: Walk): Plan.Plan<never> => {
  const { edgesOf, nodeIdOf, parentOf, postOrder } = walk
  const renumber = (edge: WalkEdge | undefined) => {
    if (edge === undefined) return
    const targets = edge.targets
    for (let position = 0; position < targets.length; position++) targets[position] = nodeIdOf[targets[position]!]!
  }
  walk.memoOfTag.forEach(renumber)
  walk.memoByKey.forEach(renumber)
  walk.members.forEach((member) => renumber(member.edge))
  const { components, names, overrides, prepared } = candidates
  const nodes: Array<Plan.Node> = new Array(postOrder.length)
  for (let id = 0; id < postOrder.length; id++) {
    const candidate = postOrder[id]!
    const parent = parentOf[candidate]!
    nodes[id] = {
      id,
      name: names[candidate]!,
      service: prepared[candidate]!.key,
      component: components[candidate]!,
      override: overrides[candidate]!,
      dependencies: edgesOf[candidate]!,
      parent: parent === -1 ? undefined : nodeIdOf[parent]!
    }
  }
  return planInternal.make(nodes, walk.rootEdges)
}

interface MemberState {
  readonly index: number
  readonly edge: WalkEdge
  readonly family: dependency.FamilyLike
  args: unknown
  readonly replaced: boolean
  readonly dependencyKeys: string
}

interface Walk {
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
  readonly members: ReadonlyMap<string, MemberState>
  /** the name of a member whose merged arguments changed its dependencies */
  readonly unsettled: string | undefined
}

const keysOf = (tags: ReadonlyArray<Context.Tag<unknown, unknown>>): string =>
  tags.map((tag) => (Context.isTag(tag) ? tag.key : String(tag))).join("\u0000")
