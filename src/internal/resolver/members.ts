/**
 * Component families in the resolver: members are candidates synthesised during a walk, one per
 * distinct member key requested, with the arguments of all their requests merged. A member's
 * dependencies and constructor come from its family's functions of those arguments; when merging
 * changes a member's dependencies, the walk is redone from the merged arguments until they settle.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import type * as Context from "effect/Context"
import type * as Dependency from "../../Dependency.js"
import * as Errors from "../../Errors.js"
import * as component from "../component.js"
import type * as dependency from "../dependency.js"
import { examine } from "./examine.js"
import { hooksOfStack } from "./hooks.js"
import { servicesByLayer, withServiceRequests } from "./services.js"
import { available, excludedFamily, suggest } from "./problems.js"
import {
  compareNames,
  componentNamed,
  type Index,
  isComponent,
  isTag,
  makeEdge,
  pathOfStack,
  type Prepared,
  reserve,
  show,
  sortedNames,
  type Walk,
  type WalkEdge,
  type WalkState
} from "./state.js"

/** Whether `name` is the name of a member of one of the families: `family(key)`. @internal */
export const namesMember = (name: string, families: ReadonlySet<dependency.FamilyLike>): boolean => {
  if (!name.endsWith(")")) return false
  for (const family of families) {
    if (name.length > family.name.length + 2 && name.startsWith(`${family.name}(`)) return true
  }
  return false
}

/**
 * The names of the walk's members that `name`, a member's name of a registered family (`family(key)`)
 * that the walk did not create, is close to: its family's members whose key is close to its key
 * (`suggest`: `Client(EU)` for `Client(eu)`). Keys are compared, not names: the family's name they
 * share would make any two short keys close (`Client(us)` for `Client(eu)`), and a test may replace
 * a member other roots reach.
 *
 * @internal
 */
export const closeMembers = (name: string, families: ReadonlySet<dependency.FamilyLike>, outcome: Walk): ReadonlyArray<string> => {
  const close: Array<string> = []
  if (outcome.members.size === 0 || !name.endsWith(")")) return close
  const names = outcome.state.index.candidates.names
  for (const family of families) {
    const prefix = `${family.name}(`
    if (name.length <= prefix.length + 1 || !name.startsWith(prefix)) continue
    const keys: Array<string> = []
    for (const member of outcome.members.values()) {
      if (member.family === family) keys.push(names[member.index]!.slice(prefix.length, -1))
    }
    for (const key of suggest(name.slice(prefix.length, -1), keys)) close.push(`${prefix}${key})`)
  }
  return close
}

/**
 * Several registered families with one name. Their members' keys differ (see `Family.make`), but
 * their members' names (`name(key)`) would not, and names identify components in plans,
 * explanations and replacements.
 *
 * @internal
 */
export const reportDuplicateFamilies = (families: ReadonlySet<dependency.FamilyLike>, problems: Array<Errors.Problem>): void => {
  const byName = new Map<string, Array<dependency.FamilyLike>>()
  for (const family of families) {
    const same = byName.get(family.name)
    if (same === undefined) byName.set(family.name, [family])
    else same.push(family)
  }
  for (const [name, same] of byName) {
    if (same.length > 1) {
      problems.push(new Errors.DuplicateName({ name, services: sortedNames(same.map((family) => family.tag.key)) }))
    }
  }
}

/** The registered families that provide `service` (to requests of their members only), in name order. @internal */
export const familiesOf = (self: WalkState, service: string): ReadonlyArray<string> => {
  const names: Array<string> = []
  for (const family of self.flat.families as ReadonlySet<dependency.FamilyLike>) {
    if (family.tag.key === service) names.push(family.name)
  }
  return names.sort(compareNames)
}

/**
 * Walks (with `walkFrom`) until the members' dependencies settle: each walk after the first is seeded
 * with the arguments the previous one merged. A member that keeps changing is reported, after as
 * many walks as there are members, plus one.
 *
 * @internal
 */
export const walkUntilSettled = (
  index: Index,
  problems: Array<Errors.Problem>,
  walkFrom: (seeds: ReadonlyMap<string, unknown>) => Walk
): Walk => {
  const { components, names, overrides, prepared } = index.candidates
  let seeds: ReadonlyMap<string, unknown> = new Map()
  for (let walks = 1;; walks++) {
    if (components.length > index.baseCount) {
      // drop the family members of the previous walk
      components.length = index.baseCount
      names.length = index.baseCount
      overrides.length = index.baseCount
      prepared.length = index.baseCount
    }
    const outcome = walkFrom(seeds)
    if (outcome.unsettled === undefined) return outcome
    if (walks > outcome.members.size + 1) {
      problems.push(
        new Errors.InvalidDeclaration({
          path: [],
          subject: { _tag: "Member", name: outcome.unsettled },
          issues: [{ code: "UnsettledMerge" }]
        })
      )
      return outcome
    }
    seeds = new Map([...outcome.members].map(([key, member]) => [key, member.args]))
  }
}

/**
 * Runs a family's function for a member; a throw is reported (with the walk's path) instead of
 * escaping.
 */
const runFamilyFunction = <A>(
  self: WalkState,
  name: string,
  which: "dependencies" | "merge" | "build",
  f: () => A
): { ok: true; value: A } | { ok: false } => {
  try {
    return { ok: true, value: f() }
  } catch (error) {
    self.problems.push(
      new Errors.InvalidDeclaration({
        path: pathOfStack(self),
        subject: { _tag: "Member", name },
        issues: [{
          code: "FamilyFunctionThrew",
          function: which,
          error: error instanceof Error ? error.message : show(error)
        }]
      })
    )
    return { ok: false }
  }
}

const keysOf = (tags: ReadonlyArray<Context.Tag<unknown, unknown>>): string =>
  tags.map((tag) => (isTag(tag) ? tag.key : show(tag))).join("\u0000")

/**
 * Resolves a request of a family member (no override of the family's service applies: the caller
 * chose those). The first request of a member key makes the member a candidate of this walk; every
 * further one merges its arguments into the member's (with the family's `merge`) and shares its edge.
 *
 * @internal
 */
export const resolveMember = (
  self: WalkState,
  request: dependency.Request,
  member: dependency.MemberRequest,
  description: Dependency.Description
): WalkEdge | undefined => {
  const existing = self.members.get(request.key)
  if (existing !== undefined) {
    if (member.family.merge !== undefined && !existing.replaced) {
      const merged = runFamilyFunction(self, request.label, "merge", () => member.family.merge!(existing.args, member.args))
      if (merged.ok) existing.args = merged.value
    }
    return existing.edge
  }
  if (!self.flat.families.has(member.family)) {
    const condition = excludedFamily(self, member.family)
    self.problems.push(
      new Errors.MissingComponent({
        path: pathOfStack(self),
        request: request.label,
        available: available(self),
        suggestions: [],
        unqualified: [],
        excluded: condition === undefined ? [] : [{ name: member.family.name, condition }],
        family: { _tag: "NotRegistered", name: member.family.name },
        ...hooksOfStack(self, request.key)
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
        subject: { _tag: "Replacement", name: request.label },
        issues: [{ code: "ReplacementService", provides: replacement.tag.key, replaced: member.family.tag.key }]
      })
    )
    return undefined
  }
  const dependencies = replacement !== undefined
    ? { ok: true as const, value: replacement.dependencies }
    : runFamilyFunction(self, request.label, "dependencies", () => member.family.dependencies(args))
  if (!dependencies.ok) return undefined
  const { components, names, overrides, prepared } = self.index.candidates
  const namesake = componentNamed(self, request.label)
  if (namesake !== undefined) {
    self.problems.push(
      new Errors.DuplicateName({
        name: request.label,
        services: sortedNames([prepared[namesake]!.key, member.family.tag.key])
      })
    )
  }
  let made = component.fromFields({
    tag: member.family.tag,
    name: request.label,
    qualifiers: [],
    primary: false,
    alternative: false,
    order: 0,
    dependencies: dependencies.value,
    // the constructor is made from the final (merged) arguments once the walk is over
    construct: replacement?.construct ?? { _tag: "Value", value: undefined },
    // lifecycle hooks act on the service, so they come with the constructor that builds it
    ...(replacement !== undefined
      ? (replacement.lifecycle !== undefined ? { lifecycle: replacement.lifecycle } : {})
      : (member.family.lifecycle !== undefined ? { lifecycle: member.family.lifecycle } : {}))
  })
  let examined: Prepared | Errors.InvalidDeclaration
  if (replacement !== undefined && made.construct._tag === "Layer" && made.construct.serviceDependencies !== undefined) {
    // a replacement made by Component.fromService: its class's dependencies are requests, as a registered one's
    const derived = withServiceRequests(made, servicesByLayer(self.index, self.externalTags))
    if (!(derived instanceof Errors.InvalidDeclaration)) made = derived.component
    examined = derived instanceof Errors.InvalidDeclaration ? derived : derived.prepared
  } else {
    examined = examine(made, components.length, replacement === undefined ? undefined : { _tag: "Replacement", name: request.label })
  }
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

/**
 * Members get their constructors from their final arguments. Returns the name of a member whose
 * final arguments ask for other dependencies than the ones walked (the walk must start over).
 *
 * @internal
 */
export const settleMembers = (self: WalkState): string | undefined => {
  const { components, names } = self.index.candidates
  let unsettled: string | undefined
  for (const member of self.members.values()) {
    if (member.replaced) continue
    const name = names[member.index]!
    const dependencies = runFamilyFunction(self, name, "dependencies", () => member.family.dependencies(member.args))
    if (dependencies.ok && keysOf(dependencies.value) !== member.dependencyKeys) unsettled ??= name
    const construct = runFamilyFunction(self, name, "build", () => member.family.build(member.args))
    if (!construct.ok) continue
    if (construct.value._tag === "Effect" && !Effect.isEffect(construct.value.effect)) {
      self.problems.push(
        new Errors.InvalidDeclaration({
          path: [],
          subject: { _tag: "Member", name },
          issues: [{ code: "MemberConstructor", got: show(construct.value.effect) }]
        })
      )
      continue
    }
    components[member.index] = component.fromFields({
      ...component.fieldsOf(components[member.index]!),
      construct: construct.value
    })
  }
  return unsettled
}

/** The kinds of problem a family member's component can reach alike with its family's other members. */
const foldable: ReadonlySet<string> = new Set(["MissingComponent", "AmbiguousComponent", "LifetimeMismatch", "CircularDependency"])
type Foldable = Errors.MissingComponent | Errors.AmbiguousComponent | Errors.LifetimeMismatch | Errors.CircularDependency

/** The names of a foldable problem that are walked candidates, in order: its path, its cycle, its component. */
const namesIn = (problem: Foldable): ReadonlyArray<string> => [
  ...problem.path,
  ...(problem._tag === "CircularDependency" ? problem.cycle : []),
  ...(problem._tag === "LifetimeMismatch" ? [problem.component] : [])
]

/** A problem's fields with `alsoThrough`, without the tag its constructor sets. */
const noted = <A extends Foldable>(problem: A, alsoThrough: ReadonlyArray<string>): Omit<A, "_tag"> => {
  const { _tag: _, ...fields } = problem
  return { ...fields, alsoThrough } as Omit<A, "_tag">
}

const withAlsoThrough = (problem: Foldable, alsoThrough: ReadonlyArray<string>): Errors.Problem => {
  switch (problem._tag) {
    case "MissingComponent":
      return new Errors.MissingComponent(noted(problem, alsoThrough))
    case "AmbiguousComponent":
      return new Errors.AmbiguousComponent(noted(problem, alsoThrough))
    case "LifetimeMismatch":
      return new Errors.LifetimeMismatch(noted(problem, alsoThrough))
    case "CircularDependency":
      return new Errors.CircularDependency(noted(problem, alsoThrough))
  }
}

/**
 * Lists once each problem that several members of one family reach alike: problems of one kind whose
 * fields are equal but for the members (of one family, at the same places) in their path, cycle or
 * component. The first stays where it was, with `alsoThrough`: per other one, in order, the members
 * its names differ by (joined with ` -> ` when several do). Run on a failed resolution only.
 *
 * @internal
 */
export const foldMemberProblems = (problems: Array<Errors.Problem>, outcome: Walk): void => {
  const names = outcome.state.index.candidates.names
  const familyOf = new Map<string, string>()
  const families = new Map<dependency.FamilyLike, string>()
  for (const member of outcome.members.values()) {
    let id = families.get(member.family)
    if (id === undefined) families.set(member.family, id = `\u0000member of family #${families.size}`)
    familyOf.set(names[member.index]!, id)
  }
  const generic = (name: string): string => familyOf.get(name) ?? name
  // equal for two problems that are equal but for the members, of one family each, at the same places
  const keyOf = (problem: Errors.Problem): string | undefined => {
    if (!foldable.has(problem._tag) || !namesIn(problem as Foldable).some((name) => familyOf.has(name))) return undefined
    return JSON.stringify({
      ...problem,
      path: (problem as Foldable).path.map(generic),
      ...(problem._tag === "CircularDependency" ? { cycle: problem.cycle.map(generic) } : {}),
      ...(problem._tag === "LifetimeMismatch" ? { component: generic(problem.component) } : {}),
      ...((problem as Foldable).hooks !== undefined
        ? { hooks: (problem as Foldable).hooks!.map((step) => ({ ...step, requester: generic(step.requester) })) }
        : {})
    })
  }
  const firsts = new Map<string, { readonly position: number; readonly names: ReadonlyArray<string>; readonly also: Array<string> }>()
  let kept = 0
  for (const problem of problems) {
    const key = keyOf(problem)
    const first = key === undefined ? undefined : firsts.get(key)
    if (first === undefined) {
      if (key !== undefined) firsts.set(key, { position: kept, names: namesIn(problem as Foldable), also: [] })
      problems[kept++] = problem
      continue
    }
    // an exact repeat adds nothing to the first
    const differing = namesIn(problem as Foldable).filter((name, position) => name !== first.names[position])
    if (differing.length > 0) first.also.push([...new Set(differing)].join(" -> "))
  }
  problems.length = kept
  for (const { also, position } of firsts.values()) {
    if (also.length > 0) problems[position] = withAlsoThrough(problems[position] as Foldable, also)
  }
}
