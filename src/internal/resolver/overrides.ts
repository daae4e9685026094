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
 * An override with qualifiers answers only the requests of one of them, so each of its qualifiers
 * must be one a component of its service has (false conditions' too) or a request asks for
 * (`Dependency.qualified(Db, q)`, alone or in `optional`, `all`, a handle): `Testing.value(Db, fake,
 * { qualifiers: [Replca] })` of a provided `Db` would otherwise replace nothing, as silently.
 *
 * @internal
 */
import type * as Component from "../../Component.js"
import type * as Dependency from "../../Dependency.js"
import * as Errors from "../../Errors.js"
import * as dependency from "../dependency.js"
import * as registry from "../registry.js"
import { suggest } from "./problems.js"
import { candidatesOf, type Index, isComponent, isTag } from "./state.js"

/**
 * The override a replacement by name took the place of (`Testing.named` of an override's name), by
 * the candidate that took it: still an override that must replace something, with the replaced one's
 * qualifiers.
 *
 * @internal
 */
export const replacedOverrides = new WeakMap<Component.Any, Component.Any>()

/**
 * Reports each service the flattening's `replacing` overrides replace nothing of, once, in
 * registration order; and each qualifier of an override with qualifiers (which answers only the
 * requests of one of them) that no component of its service has and nothing requests of it, once per
 * service. Runs only when the registry has such overrides; the requests are gathered only when one
 * of them has no component of its service, or a qualifier none of them has.
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
  // an override replaced by name is one still: the candidate that took its place counts as it
  if (flat.replacements.size > 0) {
    for (let candidate = 0; candidate < index.baseCount; candidate++) {
      const replaced = replacedOverrides.get(index.candidates.components[candidate]!)
      if (replaced !== undefined && replacing.has(replaced)) replacing.add(index.candidates.components[candidate])
    }
  }
  const { components, overrides } = index.candidates
  // a component of the registry's own, not an override only
  const ordinary = (candidate: number): boolean =>
    candidate < index.baseCount &&
    (!replacing.has(components[candidate]) || !overrides[candidate] || index.alsoOrdinary.has(candidate))
  const provided = (key: string, qualifier?: string): boolean =>
    candidatesOf(index, index.byTag.get(key)).some((candidate) =>
      ordinary(candidate) && (qualifier === undefined || components[candidate]!.qualifiers.includes(qualifier))
    )
  // service, or service and qualifier, in registration order, each once
  let unprovided: Array<{ readonly service: string; readonly qualifier?: string }> | undefined
  const note = (service: string, qualifier?: string): void => {
    if (unprovided?.some((noted) => noted.service === service && noted.qualifier === qualifier)) return
    ;(unprovided ??= []).push(qualifier === undefined ? { service } : { service, qualifier })
  }
  for (const override of flat.replacing) {
    // an invalid one is reported as such
    if (!isComponent(override) || !isTag(override.tag)) continue
    const key = override.tag.key
    if (!provided(key)) note(key)
    for (const qualifier of override.qualifiers) {
      if (typeof qualifier === "string" && qualifier.length > 0 && !provided(key, qualifier)) note(key, qualifier)
    }
  }
  if (unprovided === undefined) return
  const known = knownServices(index, flat, roots, external, replacing)
  const unknownServices = new Set<string>()
  for (const { qualifier, service } of unprovided) {
    if (qualifier === undefined) {
      if (known.provided.has(service) || known.requested.has(service)) continue
      unknownServices.add(service)
      const services = [...new Set([...known.provided, ...known.requested])]
      problems.push(
        new Errors.InvalidDeclaration({
          path: [],
          subject: { _tag: "Override", service },
          issues: [{ code: "OverridesNothing", suggestions: suggest(service, services) }]
        })
      )
      continue
    }
    // a service replacing nothing is reported as such; a family's members are no components to have qualifiers
    const qualifiers = known.qualifiers.get(service)
    if (unknownServices.has(service) || known.families.has(service) || qualifiers?.has(qualifier)) continue
    problems.push(
      new Errors.InvalidDeclaration({
        path: [],
        subject: { _tag: "Override", service, qualifier },
        issues: [{ code: "OverridesNothing", suggestions: suggest(qualifier, [...(qualifiers ?? [])]) }]
      })
    )
  }
}

/**
 * The services the registry has besides the overrides that must replace something: those its
 * components provide (false conditions' too) and its families, and those requested by its components,
 * the roots and the external services; by key. With, per service, the qualifiers its components have
 * (false conditions' too) and those its requests ask for.
 */
const knownServices = (
  index: Index,
  flat: registry.Flattened,
  roots: ReadonlyArray<Dependency.Any>,
  external: ReadonlyArray<Dependency.Any>,
  replacing: ReadonlySet<unknown>
): {
  readonly provided: ReadonlySet<string>
  readonly requested: ReadonlySet<string>
  readonly families: ReadonlySet<string>
  readonly qualifiers: ReadonlyMap<string, ReadonlySet<string>>
} => {
  const provided = new Set<string>()
  const requested = new Set<string>()
  const families = new Set<string>()
  const qualifiers = new Map<string, Set<string>>()
  const qualify = (service: string, qualifier: string): void => {
    const known = qualifiers.get(service)
    if (known === undefined) qualifiers.set(service, new Set([qualifier]))
    else known.add(qualifier)
  }
  const request = (tag: unknown): void => {
    if (!isTag(tag)) return
    const { selector, target } = dependency.requestOf(tag)
    requested.add(target.key)
    if (selector._tag === "Qualifier") qualify(target.key, selector.qualifier)
  }
  const { components, prepared } = index.candidates
  for (let candidate = 0; candidate < components.length; candidate++) {
    if (candidate < index.baseCount && !replacing.has(components[candidate])) {
      provided.add(prepared[candidate]!.key)
      for (const qualifier of components[candidate]!.qualifiers) qualify(prepared[candidate]!.key, qualifier)
    }
    for (const tag of prepared[candidate]!.requests) request(tag)
  }
  for (const family of flat.families as ReadonlySet<dependency.FamilyLike>) families.add(family.tag.key)
  for (const { item } of registry.excluded(flat)) {
    if (isComponent(item)) {
      if (!isTag(item.tag)) continue
      provided.add(item.tag.key)
      if (Array.isArray(item.qualifiers)) for (const qualifier of item.qualifiers) qualify(item.tag.key, qualifier)
    } else families.add(item.tag.key)
  }
  for (const family of families) provided.add(family)
  for (const root of roots) request(root)
  for (const service of external) request(service)
  return { provided, requested, families, qualifiers }
}
