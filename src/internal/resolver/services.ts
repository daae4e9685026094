/**
 * The dependencies of `Effect.Service` components (`Component.fromService`): each layer a class
 * lists as `dependencies` becomes a request of the service it is the `Default` of, when the
 * registry has that service, or is built for the component itself.
 *
 * @internal
 */
import type * as Context from "effect/Context"
import * as Layer from "effect/Layer"
import type * as Component from "../../Component.js"
import * as Errors from "../../Errors.js"
import * as component from "../component.js"
import { examine } from "./examine.js"
import { type Index, isTag, type Prepared, Trait } from "./state.js"

/** The layers a candidate's class lists as its dependencies, if it is a `fromService` component. */
const serviceDependenciesOf = (candidate: Component.Any): ReadonlyArray<unknown> | undefined => {
  const construct = candidate.construct
  return construct._tag === "Layer" && Array.isArray(construct.serviceDependencies) ? construct.serviceDependencies : undefined
}

/**
 * Step 2b (after naming: a replacement may be such a component): gives every `fromService`
 * candidate its requests. A dependency layer is a request of tag `T` when it is `T.Default` or
 * `T.DefaultWithoutDependencies` and `T` is a service a plain request of it finds: a candidate of it
 * that is not a qualified override, or an external service. Every other dependency layer is provided
 * to the candidate's layer (see `component.withServiceDependencies`). The services are compared by
 * identity of their layers, the only thing a class's `dependencies` hold.
 *
 * The component a candidate becomes is kept per candidate and per outcome, so resolving one registry
 * again gives the same components (and layers) again.
 *
 * @internal
 */
export const resolveServiceDependencies = (
  index: Index,
  external: ReadonlyArray<unknown>,
  problems: Array<Errors.Problem>
): void => {
  if ((index.traits & Trait.FromService) === 0) return
  const { components, prepared } = index.candidates
  let serviceOf: Map<unknown, Context.Tag<unknown, unknown>> | undefined
  for (let candidate = 0; candidate < index.baseCount; candidate++) {
    if (serviceDependenciesOf(components[candidate]!) === undefined) continue
    const derived = withServiceRequests(components[candidate]!, serviceOf ??= servicesByLayer(index, external))
    if (derived instanceof Errors.InvalidDeclaration) {
      problems.push(derived)
      continue
    }
    components[candidate] = derived.component
    prepared[candidate] = derived.prepared
  }
}

/**
 * A `fromService` component given its requests (see `resolveServiceDependencies`), as the component it
 * becomes with its prepared form, or why it cannot; a family member replaced by one gets them so when
 * the walk makes it. `serviceOf`: `servicesByLayer`'s.
 *
 * @internal
 */
export const withServiceRequests = (
  self: Component.Any,
  serviceOf: ReadonlyMap<unknown, Context.Tag<unknown, unknown>>
): { readonly component: Component.Any; readonly prepared: Prepared } | Errors.InvalidDeclaration => {
  const own = (self.tag as Context.Tag<unknown, unknown>).key
  const requests: Array<Context.Tag<unknown, unknown>> = []
  const inside: Array<Layer.Layer<never, unknown, unknown>> = []
  let outcome = ""
  for (const layer of serviceDependenciesOf(self) ?? []) {
    const tag = serviceOf.get(layer)
    if (tag !== undefined && tag.key !== own) {
      // a service's Default and DefaultWithoutDependencies both listed are one request
      if (!requests.includes(tag)) requests.push(tag)
      outcome += `${tag.key}\u0000`
    } else {
      inside.push(layer as Layer.Layer<never, unknown, unknown>)
      outcome += "\u0000"
    }
  }
  return derive(self, outcome, requests, inside)
}

/**
 * Every layer a plain request of a registered or external service is for, to that service's tag.
 *
 * @internal
 */
export const servicesByLayer = (index: Index, external: ReadonlyArray<unknown>): Map<unknown, Context.Tag<unknown, unknown>> => {
  const serviceOf = new Map<unknown, Context.Tag<unknown, unknown>>()
  const add = (tag: Context.Tag<unknown, unknown>) => {
    for (const name of ["Default", "DefaultWithoutDependencies"] as const) {
      const layer = name in tag ? (tag as unknown as Record<typeof name, unknown>)[name] : undefined
      if (Layer.isLayer(layer) && !serviceOf.has(layer)) serviceOf.set(layer, tag)
    }
  }
  const { components, overrides } = index.candidates
  index.byTag.forEach((first) => {
    for (let candidate = first; candidate !== -1; candidate = index.nextOfTag[candidate]!) {
      // a qualified override applies to qualified requests only: alone, it does not answer a plain one
      if (overrides[candidate] && components[candidate]!.qualifiers.length > 0) continue
      add(components[candidate]!.tag)
      return
    }
  })
  for (const tag of external) if (isTag(tag)) add(tag)
  return serviceOf
}

/** fromService component -> outcome (which layers are requests of which services) -> what it becomes */
const derivedOf = new WeakMap<Component.Any, Map<string, { readonly component: Component.Any; readonly prepared: Prepared }>>()

const derive = (
  self: Component.Any,
  outcome: string,
  requests: ReadonlyArray<Context.Tag<unknown, unknown>>,
  inside: ReadonlyArray<Layer.Layer<never, unknown, unknown>>
): { readonly component: Component.Any; readonly prepared: Prepared } | Errors.InvalidDeclaration => {
  let outcomes = derivedOf.get(self)
  const known = outcomes?.get(outcome)
  if (known !== undefined) return known
  const derived = component.withServiceDependencies(self, requests, inside)
  // valid, as the component it comes from, unless one of its requests is a tag no service may have
  const examined = examine(derived, 0)
  if (examined instanceof Errors.InvalidDeclaration) return examined
  const result = { component: derived, prepared: examined }
  if (outcomes === undefined) derivedOf.set(self, outcomes = new Map())
  outcomes.set(outcome, result)
  return result
}
