/**
 * Overrides that replace nothing: an override (`Registry.override`, `Testing.value`, ...) of a service
 * no component of the registry provides and nothing requests is a misspelt or stale fake, and the
 * test would run against what its author did not mean. As uber fx's `fx.Replace` and `fx.Decorate`
 * of a type nothing provides, and as `Testing.named` of a name no component has, it is a problem of
 * the resolution, found before anything is built.
 *
 * What counts, whatever the roots: a component of the service (one false conditions left out too, as
 * in another environment; a family's), and a request of it by any component of the registry (reached
 * from these roots or not: an override list shared by tests of parts of one registry), a root or an
 * external service. An override of a service something requests and nothing provides fills that
 * hole. A child container's own components are no such overrides (`registry.shadow`): one of a
 * service its parent has none of adds it.
 *
 * @internal
 */
import type * as Dependency from "../../Dependency.js"
import * as Errors from "../../Errors.js"
import * as dependency from "../dependency.js"
import * as registry from "../registry.js"
import { suggest } from "./problems.js"
import { candidatesOf, type Index, isComponent, isTag } from "./state.js"

/**
 * Reports each service the flattening's `replacing` overrides replace nothing of, once, in
 * registration order. Runs only when the registry has such overrides; the requests are gathered only
 * when one of them has no component of its service.
 *
 * @internal
 */
export const reportOverridesOfNothing = (
  index: Index,
  flat: registry.Flattened,
  roots: ReadonlyArray<Dependency.Any>,
  external: ReadonlyArray<Dependency.Any>,
  problems: Array<Errors.Problem>
): void => {
  const replacing = new Set<unknown>(flat.replacing)
  const { components, overrides } = index.candidates
  const provided = (key: string): boolean =>
    candidatesOf(index, index.byTag.get(key)).some((candidate) =>
      candidate < index.baseCount &&
      (!replacing.has(components[candidate]) || !overrides[candidate] || index.alsoOrdinary.has(candidate))
    )
  let unprovided: Array<string> | undefined
  for (const override of flat.replacing) {
    // an invalid one is reported as such
    if (!isComponent(override) || !isTag(override.tag)) continue
    const key = override.tag.key
    if (!provided(key) && !(unprovided ??= []).includes(key)) unprovided.push(key)
  }
  if (unprovided === undefined) return
  const known = knownServices(index, flat, roots, external, replacing)
  for (const key of unprovided) {
    if (known.provided.has(key) || known.requested.has(key)) continue
    const services = [...new Set([...known.provided, ...known.requested])]
    problems.push(
      new Errors.InvalidDeclaration({
        path: [],
        subject: { _tag: "Override", service: key },
        issues: [{ code: "OverridesNothing", suggestions: suggest(key, services) }]
      })
    )
  }
}

/**
 * The services the registry has besides the overrides that must replace something: those its
 * components provide (false conditions' too) and its families, and those requested by its components,
 * the roots and the external services; by key.
 */
const knownServices = (
  index: Index,
  flat: registry.Flattened,
  roots: ReadonlyArray<Dependency.Any>,
  external: ReadonlyArray<Dependency.Any>,
  replacing: ReadonlySet<unknown>
): { readonly provided: ReadonlySet<string>; readonly requested: ReadonlySet<string> } => {
  const provided = new Set<string>()
  const requested = new Set<string>()
  const request = (tag: unknown): void => {
    if (isTag(tag)) requested.add(dependency.requestOf(tag).target.key)
  }
  const { components, prepared } = index.candidates
  for (let candidate = 0; candidate < components.length; candidate++) {
    if (candidate < index.baseCount && !replacing.has(components[candidate])) provided.add(prepared[candidate]!.key)
    for (const tag of prepared[candidate]!.requests) request(tag)
  }
  for (const family of flat.families as ReadonlySet<dependency.FamilyLike>) provided.add(family.tag.key)
  for (const { item } of registry.excluded(flat)) {
    if (isComponent(item)) {
      if (isTag(item.tag)) provided.add(item.tag.key)
    } else provided.add(item.tag.key)
  }
  for (const root of roots) request(root)
  for (const service of external) request(service)
  return { provided, requested }
}
