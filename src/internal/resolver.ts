import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Arr from "effect/Array"
import * as Either from "effect/Either"
import { globalValue } from "effect/GlobalValue"
import type * as Component from "../Component.js"
import type * as Condition from "../Condition.js"
import type * as Dependency from "../Dependency.js"
import type * as Lifetime from "../Lifetime.js"
import * as Errors from "../Errors.js"
import type * as Plan from "../Plan.js"
import type * as Registry from "../Registry.js"
import * as component from "./component.js"
import * as condition from "./condition.js"
import * as dependency from "./dependency.js"
import * as lifetime from "./lifetime.js"
import * as planInternal from "./plan.js"
import * as registry from "./registry.js"
import { choose, chooseAmong, overridesEveryRequest } from "./resolver/choose.js"
import { examine, givenAs } from "./resolver/examine.js"
import { hooksField, hookSteps } from "./resolver/hooks.js"
import * as lifetimes from "./resolver/lifetimes.js"
import * as members from "./resolver/members.js"
import { replacedOverrides, reportOverridesOfNothing } from "./resolver/overrides.js"
import { noteExcluded } from "./resolver/problems.js"
import { resolveServiceDependencies } from "./resolver/services.js"
import {
  type Candidates,
  candidatesOf,
  describePlain,
  type Index,
  isComponent,
  makeEdge,
  isTag,
  namesOnStack,
  type Prepared,
  reserveAdjacency,
  show,
  sortedNames,
  Trait,
  type Walk,
  type WalkEdge,
  type WalkState
} from "./resolver/state.js"

/**
 * Internal resolution option: candidates to walk as roots besides the requested ones (App adds its
 * startup components this way). They are not part of `Plan.roots`.
 *
 * @internal
 */
export interface ExtraRoots {
  readonly extraRoots?: ((component: Component.Any) => boolean) | undefined
}

/** @internal */
export type Options = Condition.EnvironmentInput & ExtraRoots & {
  readonly external?: ReadonlyArray<Context.Tag<unknown, unknown>> | undefined
  readonly scopes?: ReadonlyArray<Lifetime.ScopeName> | undefined
}

/** What a resolution takes besides its environment. */
type Settings = ExtraRoots & {
  readonly external?: ReadonlyArray<Dependency.Any> | undefined
  readonly scopes?: ReadonlyArray<Lifetime.ScopeName> | undefined
}

/**
 * The resolver: a pure function from a registry and requested roots to a plan, or to every problem.
 *
 * Algorithm: flatten the registry, index and name the candidates by tag, then one iterative
 * depth-first walk from the roots. Each reachable component is expanded once (its requests are
 * resolved once), and each distinct request is chosen for once, so the walk is
 * O(components + edges); a back edge to a component on the walk's stack is a cycle, reported with
 * the stack slice that forms it. Components come out in post-order, which is the build order
 * (dependencies first). Paths are only materialised when a problem is reported. Family members are
 * synthesised during the walk (see `resolver/members.ts`).
 *
 * Problems are reported in this order: conditions that threw, names replaced more than once,
 * invalid components (registration order), replacements that do not fit (tag by tag), duplicate
 * names (of components, then of families), what the walk finds (discovery order; a member named
 * like a component among it), then replacements of names no component has. A problem several
 * members of a family reach alike is listed once (see `members.foldMemberProblems`).
 *
 * @internal
 */
export const resolve = <
  E,
  const Roots extends ReadonlyArray<Dependency.Any>,
  const External extends ReadonlyArray<Dependency.Any> = readonly []
>(
  input: Registry.Registry<E>,
  roots: Roots,
  options?: Condition.EnvironmentInput & ExtraRoots & {
    readonly external?: External | undefined
    readonly scopes?: ReadonlyArray<Lifetime.ScopeName> | undefined
  }
): Either.Either<
  Plan.Plan<Dependency.Identifiers<Roots>, E, Dependency.Identifiers<External>>,
  Errors.ResolutionError
> => {
  return resolveIn(input, roots, options, condition.environment(options))
}

/**
 * `resolve` after reading its environment in an Effect: the profiles and properties given as
 * Configs, and the Configs of the registry's conditions, with the current `ConfigProvider` (see
 * `Condition`). Fails with the `InvalidConfig` problems of the profiles and properties when any
 * cannot be read; otherwise resolves as `resolve` does, in that environment.
 *
 * @internal
 */
export const resolveEffect = <
  E,
  const Roots extends ReadonlyArray<Dependency.Any>,
  const External extends ReadonlyArray<Dependency.Any> = readonly []
>(
  input: Registry.Registry<E>,
  roots: Roots,
  options?: Condition.EnvironmentSource & ExtraRoots & {
    readonly external?: External | undefined
    readonly scopes?: ReadonlyArray<Lifetime.ScopeName> | undefined
  }
): Effect.Effect<
  Plan.Plan<Dependency.Identifiers<Roots>, E, Dependency.Identifiers<External>>,
  Errors.ResolutionError
> =>
  Effect.flatMap(
    Effect.suspend(() => condition.read(options, registry.conditionsOf(input))),
    (environment) =>
      Either.match(resolveIn<E, Roots, External>(input, roots, options, environment), {
        onLeft: Effect.fail,
        onRight: Effect.succeed
      })
  )

const resolveIn = <E, Roots extends ReadonlyArray<Dependency.Any>, External extends ReadonlyArray<Dependency.Any>>(
  input: Registry.Registry<E>,
  roots: Roots,
  options: Settings | undefined,
  environment: Condition.Environment
): Either.Either<
  Plan.Plan<Dependency.Identifiers<Roots>, E, Dependency.Identifiers<External>>,
  Errors.ResolutionError
> => {
  if (shapes === undefined) keepShapes()
  // one root, external service or scope given alone (a JavaScript caller, a cast) is a list of one
  roots = Arr.ensure(roots) as ReadonlyArray<Dependency.Any> as Roots
  if (options?.external !== undefined && !Array.isArray(options.external)) options = { ...options, external: Arr.ensure(options.external) }
  if (options?.scopes !== undefined && !Array.isArray(options.scopes)) options = { ...options, scopes: Arr.ensure(options.scopes) }
  const resolution = run(input, roots, options, environment)
  if (resolution.problems.length > 0) return Either.left(new Errors.ResolutionError({ problems: resolution.problems }))
  const plan = finish<Dependency.Identifiers<Roots>, E, Dependency.Identifiers<External>>(
    resolution.index.candidates,
    resolution.outcome,
    externalKeys(options?.external),
    declaredScopes(options?.scopes),
    resolution.flat.read
  )
  origins.set(plan, { registry: input, external: options?.external, scopes: options?.scopes, environment })
  if (resolution.flat.replacements.size > 0) planInternal.replacedNames.set(plan, new Set(resolution.flat.replacements.keys()))
  return Either.right(plan)
}

/** A declared scope: its name, and the keys of its inputs (the services whoever opens it provides). */
interface DeclaredScope {
  readonly name: string
  readonly inputs: ReadonlyArray<string>
}

/** The declared scopes, each once (a name declared twice has the union of its inputs), outer first. */
const declaredScopes = (scopes: ReadonlyArray<Lifetime.ScopeName> | undefined): ReadonlyArray<DeclaredScope> => {
  const inputs = new Map<string, Set<string>>()
  for (const scope of scopes ?? []) {
    if (!lifetime.isScopeName(scope)) continue
    let own = inputs.get(scope.name)
    if (own === undefined) inputs.set(scope.name, own = new Set())
    for (const key of scope.inputs) own.add(key)
  }
  return [...inputs].map(([name, keys]) => ({ name, inputs: [...keys] }))
}

/** Each scope input's key, to the outermost declared scope that has it. */
const inputScopes = (scopes: ReadonlyArray<DeclaredScope>): ReadonlyMap<string, string> => {
  const owners = new Map<string, string>()
  for (const scope of scopes) {
    for (const key of scope.inputs) if (!owners.has(key)) owners.set(key, scope.name)
  }
  return owners
}

/** The keys of the declared external services, each once, in declaration order. */
const externalKeys = (external: ReadonlyArray<Dependency.Any> | undefined): ReadonlyArray<string> =>
  external === undefined ? [] : [...new Set(external.filter(isTag).map((tag) => tag.key))]

/** The records of a resolution before its plan is made. */
interface Resolution {
  readonly problems: ReadonlyArray<Errors.Problem>
  readonly flat: registry.Flattened
  readonly index: Index
  readonly outcome: Walk
}

/** `resolve` but the plan: every step, and every problem. */
const run = (
  input: Registry.Registry,
  roots: ReadonlyArray<Dependency.Any>,
  options: Settings | undefined,
  environment: Condition.Environment
): Resolution => {
  const problems: Array<Errors.Problem> = []
  const flat = registry.flatten(input, environment)
  if (flat.conditionFailures.length > 0) reportConditionFailures(flat, problems)
  flat.replacedTwice.forEach((replacements, name) => {
    problems.push(
      new Errors.InvalidDeclaration({
        path: [],
        subject: { _tag: "Replacement", name },
        issues: [{ code: "ReplacedTwice", replacements: replacements.map(describeReplacement) }]
      })
    )
  })
  const index = indexCandidates(flat, problems)
  const usedReplacements = new Set<string>()
  nameCandidates(index, flat.replacements, usedReplacements, problems)
  resolveServiceDependencies(index, options?.external ?? [], problems)
  if (index.explicitlyNamed) reportDuplicateNames(index.candidates, problems)
  const families = flat.families as ReadonlySet<dependency.FamilyLike>
  if (families.size > 1) members.reportDuplicateFamilies(families, problems)

  const scopes = declaredScopes(options?.scopes)
  const scopeNames = scopes.map((scope) => scope.name)
  const inputs = inputScopes(scopes)
  const outcome = members.walkUntilSettled(
    index,
    problems,
    (seeds) =>
      walk(index, flat, usedReplacements, seeds, roots, options?.extraRoots, options?.external ?? [], scopeNames, inputs)
  )
  // a loop, not a spread: a spread passes every problem as an argument (the stack's limit)
  for (const problem of outcome.problems) problems.push(problem)
  if ((index.traits & Trait.ShortLived) !== 0 || inputs.size > 0) lifetimes.check(index.candidates, outcome, scopeNames, inputs, problems)
  if (problems.length > 1 && outcome.members.size > 1) members.foldMemberProblems(problems, outcome)
  if (flat.replacing.length > 0) reportOverridesOfNothing(index, flat, roots, options?.external ?? [], problems)

  let unknownNames: ReadonlyArray<string> | undefined
  for (const name of flat.replacements.keys()) {
    if (usedReplacements.has(name)) continue
    // a member's name of a registered family names a component even when these roots do not reach
    // it, as an unreached registered component's name does, unless it misspells a member they reach
    const close = members.namesMember(name, families) ? members.closeMembers(name, families, outcome) : undefined
    if (close !== undefined && close.length === 0) continue
    const issue: Errors.DeclarationIssue = close === undefined
      ? {
        code: "UnknownName",
        names: unknownNames ??= sortedNames([...new Set(index.candidates.names.slice(0, index.baseCount))]),
        invalid: index.invalidCount
      }
      : { code: "UnknownName", names: close, invalid: 0 }
    problems.push(new Errors.InvalidDeclaration({ path: [], subject: { _tag: "Replacement", name }, issues: [issue] }))
  }

  return { problems, flat, index, outcome }
}

/**
 * The conditions that threw while the registry was flattened. One that read a Config it could not
 * have: every Config it declares that could not be read (each Config once, whichever condition
 * reached it first, with what that condition guards), or, when it read one that was not read at
 * all, that it needs the Config read.
 */
const reportConditionFailures = (flat: registry.Flattened, problems: Array<Errors.Problem>): void => {
  const failureOf = condition.configsRead(flat.environment)
  const reported = new Set<unknown>()
  for (const { condition: guard, error } of flat.conditionFailures) {
    if (!(error instanceof condition.ConfigUnavailable) || error.failure === undefined || failureOf === undefined) {
      const guarded = guardedBy(flat, guard)
      const subject = { _tag: "Condition", description: guard.description, ...(guarded.length > 0 ? { guarded } : {}) } as const
      problems.push(
        new Errors.InvalidDeclaration({
          path: [],
          subject,
          issues: [
            error instanceof condition.ConfigUnavailable
              ? { code: "ConfigNotRead" }
              : { code: "ConditionThrew", error: error instanceof Error ? error.message : show(error) }
          ]
        })
      )
    } else {
      let guarded: ReadonlyArray<string> | undefined
      for (const config of [error.config, ...(guard.configs ?? [])]) {
        const failure = failureOf(config)
        if (failure === undefined || reported.has(config)) continue
        reported.add(config)
        guarded ??= guardedBy(flat, guard)
        problems.push(
          new Errors.InvalidConfig({
            source: { _tag: "Condition", description: guard.description, ...(guarded.length > 0 ? { guarded } : {}) },
            cause: failure
          })
        )
      }
    }
  }
}

/**
 * The names of what `guard` guards (see `Errors.ConfigSource`): the components and families of every
 * registry it guards, nested ones included, in registration order, each once.
 */
const guardedBy = (flat: registry.Flattened, guard: Condition.Condition): ReadonlyArray<string> => {
  const names = new Set<string>()
  const guarded = flat.skipped.flatMap((skipped) => (skipped.condition === guard ? [skipped.registry] : []))
  registry.forEachEntry(guarded, (entry) => {
    if (entry._tag === "Component" || entry._tag === "Override") {
      const item: unknown = entry.component
      if (isComponent(item) && isTag(item.tag)) names.add(component.displayName(item))
    } else if (entry._tag === "Family") {
      names.add(entry.family.name)
    }
  })
  return [...names]
}

/** A replacement as `ReplacedTwice` lists it. */
const describeReplacement = (replacement: unknown): Errors.ReplacementDescription => {
  if (!isComponent(replacement)) return { name: show(replacement), construct: "Value" }
  const name = replacement.name ?? (isTag(replacement.tag) ? replacement.tag.key : show(replacement.tag))
  return { name, construct: replacement.construct._tag }
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
  const filled = fillCandidates(flat, problems, components, names, overrides, prepared, byTag, nextOfTag, invalidTags, alsoOrdinary)
  const count = filled.count
  const fit = <A>(column: Array<A>): Array<A> => (count === most ? column : column.slice(0, count))
  const explicitlyNamed = (filled.traits & Trait.Named) !== 0
  return {
    candidates: { components: fit(components), names: fit(names), overrides: fit(overrides), prepared: fit(prepared) },
    baseCount: count,
    byTag,
    nextOfTag,
    invalidTags,
    invalidCount: problems.length - reported,
    explicitlyNamed,
    traits: filled.traits,
    // several candidates of a tag make fewer tags than candidates
    keyNamed: !explicitlyNamed && byTag.size === count && !overrides.includes(true),
    alsoOrdinary
  }
}

/**
 * The loop of `indexCandidates`, in a function of its own that ends with the loop (see bench/README.md,
 * "Resolver engine notes"). Returns how many candidates it wrote, and their traits ORed. Each is
 * named after its tag's key (`nameCandidates` renames them when that is not their name).
 */
const fillCandidates = (
  flat: registry.Flattened,
  problems: Array<Errors.Problem>,
  components: Array<Component.Any>,
  names: Array<string>,
  overrides: Array<boolean>,
  prepared: Array<Prepared>,
  byTag: Map<string, number>,
  nextOfTag: Int32Array,
  invalidTags: Set<string>,
  alsoOrdinary: Set<number>
): { readonly count: number; readonly traits: number } => {
  const lastOfTag = new Int32Array(nextOfTag.length) // the last candidate of a tag, at the tag's first candidate
  // the candidates of tags registered more than once, by component: where a repeat is found
  const indexOfShared = new Map<Component.Any, number>()
  let reportedInvalid: Set<unknown> | undefined
  let repeats = false
  let traits = 0
  let count = 0
  for (let position = 0; position < flat.components.length; position++) {
    const entry = flat.components[position]!
    // A component is an immutable value, so whether it is valid and what it requests never change: each
    // is examined once, not once per resolution, and its prepared form kept in the component itself.
    let ready = component.memoOf(entry) as Prepared | undefined
    if (ready === undefined) {
      const examined = examine(entry, position, givenAs(flat.overrides[position]))
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
    const index = count
    let first: number | undefined
    if (repeats) {
      first = byTag.get(key)
      if (first === undefined) byTag.set(key, index)
    } else {
      // Until a tag repeats, one write per candidate: a write that leaves the size unchanged met the
      // first repeated tag (and overwrote its first candidate, which is the only earlier one of that
      // key: every tag before it was new), and from then on each key is looked up before it is written.
      const size = byTag.size
      byTag.set(key, index)
      if (byTag.size === size) {
        repeats = true
        first = earlierOfKey(prepared, count, key)
        byTag.set(key, first)
      }
    }
    if (first !== undefined) {
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
    names[index] = key
    prepared[index] = ready
    traits |= ready.traits
    overrides[index] = flat.overrides[position]!
    nextOfTag[index] = -1
    lastOfTag[index] = index
    count++
  }
  return { count, traits }
}

/** The candidate before `count` whose tag has `key`, the first repeated one (see `fillCandidates`). */
const earlierOfKey = (prepared: ReadonlyArray<Prepared>, count: number, key: string): number => {
  let candidate = count - 1
  while (prepared[candidate]!.key !== key) candidate--
  return candidate
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
  // the common case: every candidate is named after its tag's key, as `fillCandidates` named it
  if (index.keyNamed && replacements.size === 0) return
  const { components, names, overrides, prepared } = index.candidates
  // named as an override: an override that production did not also register
  const namedAsOverride = (candidate: number) => overrides[candidate] && !index.alsoOrdinary.has(candidate)
  const explicit = index.explicitlyNamed ? explicitNames(components) : undefined
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
      const examined = examine(replacement, 0, { _tag: "Replacement", name })
      if (examined instanceof Errors.InvalidDeclaration) {
        problems.push(examined)
        continue
      }
      if (replacement.tag.key !== key) {
        // Otherwise the replacement's service would be provided under the replaced component's tag.
        problems.push(
          new Errors.InvalidDeclaration({
            path: [],
            subject: { _tag: "Replacement", name },
            issues: [{ code: "ReplacementService", provides: replacement.tag.key, replaced: key }]
          })
        )
      } else {
        // A replacement takes the place (and the choice metadata) of the component it replaces.
        const replaced = components[candidate]!
        components[candidate] = component.fromFields({
          ...component.fieldsOf(replaced),
          dependencies: replacement.dependencies,
          construct: replacement.construct,
          // lifecycle hooks act on the service, so they come with the constructor that builds it
          lifecycle: replacement.lifecycle
        })
        if (overrides[candidate]) replacedOverrides.set(components[candidate]!, replaced)
        // the replacement provides the same service (its key is checked above) with its own dependencies
        prepared[candidate] = examined
        index.traits |= examined.traits
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
        new Errors.DuplicateName({
          name,
          services: sortedNames(same.map((candidate) => candidates.prepared[candidate]!.key))
        })
      )
    }
  }
}

/** Room for family members before the per-candidate columns first grow. */
const memberRoom = 16

/** Step 4: one walk from the roots (then the extra roots), and the members' constructors. */
const walk = (
  index: Index,
  flat: registry.Flattened,
  usedReplacements: Set<string>,
  seeds: ReadonlyMap<string, unknown>,
  roots: ReadonlyArray<Dependency.Any>,
  extraRoots: ((component: Component.Any) => boolean) | undefined,
  external: ReadonlyArray<Dependency.Any>,
  scopes: ReadonlyArray<string>,
  inputs: ReadonlyMap<string, string>
): Walk => {
  const count = index.baseCount
  const capacity = count + memberRoom
  const self: WalkState = {
    index,
    flat,
    usedReplacements,
    seeds,
    external: new Set(externalKeys(external)),
    externalTags: external,
    inputs,
    scopes,
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
    excluded: undefined,
    options: []
  }
  const { components, overrides, prepared } = index.candidates
  const rootEdges: Array<WalkEdge> = []
  for (let position = 0; position < roots.length; position++) {
    const root: unknown = roots[position]
    if (!isTag(root)) {
      self.problems.push(
        new Errors.InvalidDeclaration({
          path: [],
          subject: { _tag: "Root", position: position + 1 },
          issues: [{ code: "InvalidRoot", got: show(root) }]
        })
      )
      continue
    }
    const key = root.key
    const first = index.byTag.get(key)
    const edge = known(self, key, first) ?? resolveRequest(self, root, key, first)
    if (edge === undefined) continue
    rootEdges.push(edge)
    for (const target of edge.targets) descend(self, target)
  }
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
  // The requests each declared scope provides: a plain request of every service with a candidate
  // scoped to it, or an alias of one (the same instance under another tag, `Component.alias`),
  // resolved by the usual rules and walked like roots (validated before anything runs, built only
  // when the scope opens).
  const scopeEdges = scopes.map((name) => {
    const keys = new Set<string>()
    for (let candidate = 0; candidate < count; candidate++) {
      const own = components[candidate]!.lifetime
      if (own?._tag === "Scoped" && own.scope.name === name) keys.add(prepared[candidate]!.key)
    }
    for (let grew = keys.size > 0; grew;) {
      grew = false
      for (let candidate = 0; candidate < count; candidate++) {
        const key = prepared[candidate]!.key
        if (!keys.has(key) && component.isAlias(components[candidate]!) && keys.has(prepared[candidate]!.requestKeys[0]!)) {
          keys.add(key)
          grew = true
        }
      }
    }
    const edges: Array<WalkEdge> = []
    for (const key of keys) {
      const first = index.byTag.get(key)
      const edge = known(self, key, first) ?? resolveRequest(self, components[first!]!.tag, key, first)
      if (edge === undefined) continue
      edges.push(edge)
      for (const target of edge.targets) descend(self, target)
    }
    return edges
  })
  const unsettled = members.settleMembers(self)
  noteExcluded(self)
  return {
    state: self,
    problems: self.problems,
    postOrder: self.postOrder.subarray(0, self.nodes),
    nodeIdOf: self.nodeIdOf,
    edgesOf: self.edgesOf,
    parentOf: self.parentOf,
    memoOfTag: self.memoOfTag,
    memoByKey: self.memoByKey,
    rootEdges,
    scopeEdges,
    members: self.members,
    options: self.options,
    unsettled
  }
}

/**
 * The memoised resolution of the request with this key, if any (see `WalkState`); `first` is the
 * first candidate of the tag with this key (`byTag.get(key)`).
 */
const known = (self: WalkState, key: string, first: number | undefined): WalkEdge | undefined =>
  first !== undefined ? self.memoOfTag[first] : self.memoByKey.get(key)

/**
 * Resolves the request of `tag` (whose key is `key`, and `first` the first candidate of the tag with
 * that key), not memoised yet, and memoises a success (not a family member's: each request of a
 * member merges its arguments). Only here is a tag asked whether it is a derived request, once per
 * distinct request.
 */
const resolveRequest = (
  self: WalkState,
  tag: Context.Tag<unknown, unknown>,
  key: string,
  first: number | undefined
): WalkEdge | undefined => {
  let edge: WalkEdge | undefined
  // a derived request's key has the derived prefix: plain tags, the bulk, are not asked
  if (key.startsWith(dependency.derivedPrefix) && dependency.isDependency(tag)) {
    const request = tag[dependency.TypeId]
    const description = dependency.describe(request)
    if (request.options !== undefined) {
      // options: the component of their tag when one is registered (a test's values), else themselves
      edge = first !== undefined
        ? choose(self, description, first)
        : makeEdge(description, [], { rule: "options", considered: [] })
      if (first === undefined) self.options.push(request.options)
    } else if (request.member !== undefined) {
      // A tag-wide override of the family's service (no qualifier: it applies to every request of
      // it) replaces every member, as it replaces every other candidate of the service.
      const familyFirst = self.index.byTag.get(request.member.family.tag.key)
      if (familyFirst === undefined || !overridesEveryRequest(self, familyFirst)) {
        return members.resolveMember(self, request, request.member, description)
      }
      if (self.flat.replacements.has(request.label)) self.usedReplacements.add(request.label)
      edge = chooseAmong(self, description, familyFirst)
    } else {
      edge = choose(self, description, self.index.byTag.get(request.target.key))
    }
  } else {
    // a plain request is of its own tag (its key is its service's): its candidates are found by its key
    edge = choose(self, describePlain(key), first)
  }
  if (edge === undefined) return undefined
  if (first !== undefined) self.memoOfTag[first] = edge
  else self.memoByKey.set(key, edge)
  return edge
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
  const prepared = self.index.candidates.prepared[candidate]!
  const keys = prepared.requestKeys
  const own: Array<WalkEdge> = new Array(keys.length)
  let resolved = 0
  for (let position = 0; position < keys.length; position++) {
    const key = keys[position]!
    const first = self.index.byTag.get(key)
    const edge = known(self, key, first) ??
      resolveRequest(self, prepared.requests[position]!, key, first)
    if (edge === undefined) continue
    own[resolved++] = edge
    const targets = edge.targets
    reserveAdjacency(self, targets.length)
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
          cycle: [...namesOnStack(self, position, self.depth), self.index.candidates.names[next]!],
          ...hooksField(hookSteps(self.index.candidates, self.edgesOf, [...self.frameCandidate.subarray(0, self.depth), next]))
        })
      )
    }
  }
}

/**
 * Step 5: the plan of a successful walk. Every edge made is reachable from the plan (each was made
 * for a request of a walked candidate or a root, and the walk visited all its targets) and kept once
 * in the memo or by its member, so rewriting the targets of each of those from candidate indices to
 * node ids, once, turns the walk's edges into the plan's: shared by every requester as they were
 * during the walk.
 */
const finish = <Roots, E, R>(
  candidates: Candidates,
  walk: Walk,
  external: ReadonlyArray<string>,
  scopes: ReadonlyArray<DeclaredScope> = [],
  read: ReadonlyArray<Condition.Condition> = []
): Plan.Plan<Roots, E, R> => {
  const { edgesOf, nodeIdOf, parentOf, postOrder } = walk
  const memoOfTag = walk.memoOfTag
  for (let first = 0; first < memoOfTag.length; first++) renumber(memoOfTag[first], nodeIdOf)
  for (const edge of walk.memoByKey.values()) renumber(edge, nodeIdOf)
  for (const member of walk.members.values()) renumber(member.edge, nodeIdOf)
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
  // the type parameters are phantom: what the roots provide, what the constructors fail with, what
  // the program provides, known to the caller from the registry and options it passed
  const plan = planInternal.make<Roots, E, R>(
    nodes,
    walk.rootEdges,
    external,
    scopes.map((scope, index) => ({ name: scope.name, inputs: scope.inputs, provides: walk.scopeEdges[index]! })),
    planOptions(walk.options, read)
  )
  if (read.length > 0) planInternal.readByConditions.set(plan, new Set(read.flatMap((guard) => guard.configs ?? [])))
  return plan
}

/** Rewrites an edge's targets from candidate indices to node ids (see `finish`). */
const renumber = (edge: WalkEdge | undefined, nodeIdOf: Int32Array): void => {
  if (edge === undefined) return
  const targets = edge.targets
  for (let position = 0; position < targets.length; position++) targets[position] = nodeIdOf[targets[position]!]!
}

/**
 * The options of a plan: those its requests resolved to, in the order the walk met them, then those
 * only the conditions it evaluated read (they chose what is in it), each once.
 */
const planOptions = (
  requested: ReadonlyArray<dependency.OptionsLike>,
  read: ReadonlyArray<Condition.Condition>
): ReadonlyArray<dependency.OptionsLike> => {
  if (read.length === 0) return requested
  const all = new Set(requested)
  for (const guard of read) {
    for (const config of guard.configs ?? []) {
      const options = dependency.optionsOfConfig(config)
      if (options !== undefined) all.add(options)
    }
  }
  return all.size === requested.length ? requested : [...all]
}

/**
 * The records of one small resolution, kept for the life of the module once the resolver has run.
 * The records of a resolution (the flattened registry, the index, the walk's state and outcome, the
 * plan's nodes, edges and requests) are object literals, and V8 collects the hidden class of a
 * literal with the last object of it, discarding every optimised function that depended on it:
 * without a live record of each shape, a resolution that follows a garbage collection would run the
 * resolver unoptimised again (see bench/README.md, "Resolver engine notes"). A cache of this copy of
 * the module's code: it changes no result.
 */
let shapes: unknown = undefined

/** The small resolution `shapes` keeps: a component and one that depends on it. */
const keepShapes = (): void => {
  const used = Context.GenericTag<unknown, unknown>("@layerwise/resolver/Used")
  const user = Context.GenericTag<unknown, unknown>("@layerwise/resolver/User")
  const declared = (tag: Context.Tag<unknown, unknown>, dependencies: ReadonlyArray<Dependency.Any>) =>
    component.fromFields({
      tag,
      name: undefined,
      qualifiers: [],
      primary: false,
      alternative: false,
      order: 0,
      dependencies,
      construct: { _tag: "Value", value: undefined }
    })
  const resolution = run(registry.make(declared(used, []), declared(user, [used])), [user], undefined, condition.environment())
  shapes = { resolution, plan: finish(resolution.index.candidates, resolution.outcome, []) }
}

// ---------------------------------------------------------------------------------------------
// the container: resolving at run time

/**
 * What a plan was resolved from: its registry, its settings (without App's extra roots) and the
 * environment its conditions were evaluated in. A run-time lookup resolves more requests from it,
 * with the same rules and in the same environment (no Config is read again).
 *
 * @internal
 */
export interface Origin {
  readonly registry: Registry.Registry<unknown>
  readonly external: ReadonlyArray<Dependency.Any> | undefined
  readonly scopes: ReadonlyArray<Lifetime.ScopeName> | undefined
  readonly environment: Condition.Environment
}

/** Per plan the resolver made, what it was resolved from (a plan is immutable: a weak record of it). */
const origins = globalValue(Symbol.for("layerwise/resolver/origins"), () => new WeakMap<Plan.Any, Origin>())

/** What the resolver resolved a plan from; `undefined` for a plan it did not make. @internal */
export const originOf = (plan: Plan.Any): Origin | undefined => origins.get(plan)

/**
 * Resolves `roots` from an origin (see `Origin`): the plan of what they reach, or every problem. The
 * plan's origin is `origin`.
 *
 * @internal
 */
export const resolveFrom = (origin: Origin, roots: ReadonlyArray<Dependency.Any>): Either.Either<Plan.Any, Errors.ResolutionError> =>
  resolveIn(origin.registry, roots, { external: origin.external, scopes: origin.scopes }, origin.environment) as Either.Either<
    Plan.Any,
    Errors.ResolutionError
  >
