/**
 * What the resolver says about a request that finds nothing: the services available, close names,
 * what false conditions left out.
 *
 * @internal
 */
import type * as Component from "../../Component.js"
import type * as Dependency from "../../Dependency.js"
import type * as Errors from "../../Errors.js"
import * as dependency from "../dependency.js"
import * as registry from "../registry.js"
import { candidatesOf, compareNames, type ExcludedIndex, isComponent, isTag, type WalkEdge, type WalkState } from "./state.js"

/**
 * The edit distance (Levenshtein, with a swap of two neighbouring letters one edit: `gp` for `pg`;
 * case as given) of `a` and `b` when it is at most `limit`, and
 * `limit + 1` otherwise. The work is bounded by the limit, not by the product of the lengths: a
 * common prefix and suffix are skipped, only the cells within `limit` of the diagonal are computed,
 * and the computation stops at the first row whose every cell is over the limit. So comparing two
 * keys of length n takes O(n * limit).
 *
 * @internal
 */
export const boundedDistance = (a: string, b: string, limit: number): number => {
  const over = limit + 1
  let start = 0
  while (start < a.length && start < b.length && a.charCodeAt(start) === b.charCodeAt(start)) start++
  let endA = a.length
  let endB = b.length
  while (endA > start && endB > start && a.charCodeAt(endA - 1) === b.charCodeAt(endB - 1)) {
    endA--
    endB--
  }
  const rows = endA - start
  const columns = endB - start
  if (Math.abs(rows - columns) > limit) return over
  if (rows === 0 || columns === 0) return Math.max(rows, columns)
  // `beforePrevious`, `previous` and `current` are rows of the table; a cell outside the band reads as `over`
  let beforePrevious = new Int32Array(columns + 1).fill(over)
  let previous = new Int32Array(columns + 1)
  let current = new Int32Array(columns + 1)
  for (let column = 0; column <= columns; column++) previous[column] = column <= limit ? column : over
  for (let row = 1; row <= rows; row++) {
    const from = Math.max(1, row - limit)
    const to = Math.min(columns, row + limit)
    current[from - 1] = from === 1 && row <= limit ? row : over
    let least = current[from - 1]!
    const letter = a.charCodeAt(start + row - 1)
    for (let column = from; column <= to; column++) {
      const replaced = previous[column - 1]! + (letter === b.charCodeAt(start + column - 1) ? 0 : 1)
      const deleted = previous[column]! + 1
      const inserted = current[column - 1]! + 1
      // two neighbouring letters swapped
      const swapped = row > 1 && column > 1 && letter === b.charCodeAt(start + column - 2) &&
          a.charCodeAt(start + row - 2) === b.charCodeAt(start + column - 1)
        ? beforePrevious[column - 2]! + 1
        : over
      const cell = Math.min(replaced, deleted, inserted, swapped, over)
      current[column] = cell
      if (cell < least) least = cell
    }
    // the next row reads one cell beyond this row's band: outside it
    if (to < columns) current[to + 1] = over
    if (least > limit) return over
    const reused = beforePrevious
    beforePrevious = previous
    previous = current
    current = reused
  }
  return Math.min(previous[columns]!, over)
}

/** The most edits a close name may be apart, however long the missing name. */
const mostEdits = 16

/**
 * Close names, closest first, then in name order: at most a third of the missing name's length apart
 * (at least 2 edits, at most `mostEdits`), and, so that short names are not "close" to anything of
 * their length (`A` for `B`), fewer edits apart than the shorter of the two has letters: the two
 * share at least one letter in place. A difference of case alone is always close. A missing name
 * without a `/` is compared with the last segment of a namespaced one too (`Database`, `Databse`:
 * `app/Database`), as tags' keys are namespaced and people drop the namespace.
 *
 * @internal
 */
export const suggest = (missing: string, available: ReadonlyArray<string>): ReadonlyArray<string> => {
  const lower = missing.toLowerCase()
  const threshold = Math.min(mostEdits, Math.max(2, Math.floor(missing.length / 3)))
  const bare = !missing.includes("/")
  const close: Array<{ readonly name: string; readonly distance: number }> = []
  // Infinity when not close
  const distanceTo = (text: string): number => {
    // the distance is at least the difference in length: most names are ruled out without computing it
    if (Math.abs(text.length - missing.length) > threshold) return Infinity
    const distance = boundedDistance(lower, text.toLowerCase(), threshold)
    return distance <= threshold && distance < Math.min(missing.length, text.length) ? distance : Infinity
  }
  for (const name of available) {
    if (name === missing) continue
    const slash = bare ? name.lastIndexOf("/") : -1
    const distance = Math.min(distanceTo(name), slash >= 0 ? distanceTo(name.slice(slash + 1)) : Infinity)
    if (distance !== Infinity) close.push({ name, distance })
  }
  return close
    .sort((a, b) => a.distance - b.distance || compareNames(a.name, b.name))
    .slice(0, 3)
    .map(({ name }) => name)
}

/**
 * The names to suggest for `name`, which none of `components` has: when it is the key of a service
 * (or, bare, a namespaced key's last segment), that service's components first (a service's key given where a component's name is asked), or
 * when it is a family's name, its members (`Queue(orders)` for "Queue"); then the close names (`suggest`).
 *
 * @internal
 */
export const suggestComponents = (
  name: string,
  components: Iterable<{ readonly name: string; readonly service: string }>
): ReadonlyArray<string> => {
  const names: Array<string> = []
  const provide: Array<string> = []
  // a bare name is also a namespaced key without its namespace (`PaymentGateway` for `orders/PaymentGateway`)
  const bare = !name.includes("/")
  for (const component of components) {
    names.push(component.name)
    // a service's key names its components; a family's name its members (`Queue(orders)` for "Queue")
    const service = component.service
    if (
      service === name ||
      (bare && service.endsWith(name) && service[service.length - name.length - 1] === "/") ||
      (component.name.startsWith(name) && component.name[name.length] === "(")
    ) {
      provide.push(component.name)
    }
  }
  return provide.length === 0 ? suggest(name, names) : [...provide, ...suggest(name, names).filter((close) => !provide.includes(close))]
}

/**
 * The services a missing request's message lists, in name order: the registered ones but layerwise's
 * own (App registers its Shutdowner in every application's registry; no one misspells its key). Only
 * keys with the derived prefix need a look: those of valid candidates are layerwise's own.
 *
 * @internal
 */
export const available = (self: WalkState): ReadonlyArray<string> =>
  self.available ??= [...new Set([...self.index.byTag.keys(), ...self.external])]
    .filter((key) => !key.startsWith(dependency.derivedPrefix))
    .sort(compareNames)

/**
 * How many distinct missing requests get close-name suggestions. Each costs a comparison with every
 * available name (or candidate), so without a bound an application missing one service per component
 * (or a misspelt shared one, requested everywhere) would take time quadratic in its size to report.
 */
const suggestedServices = 20

/**
 * The suggestions of the missing request with this key, computed by `find` once per key (every
 * requester of it reports the same list), for the first `suggestedServices` keys.
 */
const suggestionsOnce = (self: WalkState, key: string, find: () => ReadonlyArray<string>): ReadonlyArray<string> => {
  const computed = (self.suggestions ??= new Map()).get(key)
  if (computed !== undefined) return computed
  const found = self.suggestions.size < suggestedServices ? find() : []
  self.suggestions.set(key, found)
  return found
}

/**
 * The close names of a missing service (see `suggestionsOnce`).
 *
 * @internal
 */
export const suggestionsFor = (self: WalkState, service: string): ReadonlyArray<string> =>
  suggestionsOnce(self, service, () => suggest(service, available(self)))

/**
 * What a qualified (named) request that matched none of `candidates`, its service's, may have meant:
 * their qualifiers (names) close to its own (see `suggestionsOnce`; a request's key is not a
 * service's, being derived). Nothing for a plain request.
 *
 * @internal
 */
export const selectorSuggestionsFor = (
  self: WalkState,
  description: Dependency.Description,
  candidates: ReadonlyArray<number>
): ReadonlyArray<string> => {
  const selector = description.selector
  const { components, names } = self.index.candidates
  return selector._tag === "Qualifier"
    ? suggestionsOnce(
      self,
      description.key,
      () => suggest(selector.qualifier, [...new Set(candidates.flatMap((candidate) => components[candidate]!.qualifiers))])
    )
    : selector._tag === "Name"
    ? suggestionsOnce(self, description.key, () => suggest(selector.name, candidates.map((candidate) => names[candidate]!)))
    : []
}

/** What false conditions left out, indexed on first need. @internal */
export const excludedIndex = (self: WalkState): ExcludedIndex => {
  if (self.excluded !== undefined) return self.excluded
  const byService: ExcludedIndex["byService"] = new Map()
  const families: ExcludedIndex["families"] = new Map()
  const { index } = self
  // among the candidates of its tag alone: the work is the excluded components', not the registry's
  const isCandidate = (item: Component.Any): boolean =>
    candidatesOf(index, index.byTag.get(item.tag.key)).some((candidate) =>
      candidate < index.baseCount && index.candidates.components[candidate] === item
    )
  const seen = new Set<unknown>()
  for (const { condition, item } of registry.excluded(self.flat)) {
    if (seen.has(item)) continue
    seen.add(item)
    if (isComponent(item)) {
      // invalid (not a candidate anyway), or registered elsewhere too (then a candidate)
      if (!isTag(item.tag) || isCandidate(item)) continue
      const same = byService.get(item.tag.key)
      if (same === undefined) byService.set(item.tag.key, [{ component: item, condition }])
      else same.push({ component: item, condition })
    } else if (!self.flat.families.has(item)) {
      families.set(item, condition)
    }
  }
  return self.excluded = { byService, families }
}

/** The candidates false conditions left out that would have matched the request, in name order. @internal */
export const excludedFor = (self: WalkState, description: Dependency.Description): ReadonlyArray<Errors.ExcludedCandidate> => {
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
  return found.sort((a, b) => compareNames(a.name, b.name))
}

/**
 * Notes on the choice of each resolved request what false conditions left out that it would have
 * matched (`Plan.Choice.excluded`), after a walk. Nothing when no condition was false; otherwise the
 * plain requests of the services with excluded candidates and the derived requests are looked at:
 * the choices of the others are left as they are, and `choose` does nothing for it.
 *
 * @internal
 */
export const noteExcluded = (self: WalkState): void => {
  if (self.flat.skipped.length === 0) return
  const byService = excludedIndex(self).byService
  if (byService.size === 0) return
  const note = (edge: WalkEdge | undefined): void => {
    if (edge === undefined || !byService.has(edge.request.service)) return
    const excluded = excludedFor(self, edge.request)
    if (excluded.length > 0) edge.choice = { ...edge.choice, excluded }
  }
  for (const service of byService.keys()) {
    const first = self.index.byTag.get(service)
    if (first !== undefined) note(self.memoOfTag[first])
  }
  self.memoByKey.forEach(note)
}

/** The condition that left a family out of the registry, if one did. @internal */
export const excludedFamily = (self: WalkState, family: unknown): string | undefined =>
  self.flat.skipped.length > 0 ? excludedIndex(self).families.get(family) : undefined
