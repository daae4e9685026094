/**
 * Validation of what a registry holds: every way a registered value cannot be a candidate, found
 * before anything runs.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Context from "effect/Context"
import type * as Component from "../../Component.js"
import * as Errors from "../../Errors.js"
import type * as Lifecycle from "../../Lifecycle.js"
import * as component from "../component.js"
import * as dependency from "../dependency.js"
import { isComponent, isTag, type Prepared, show, Trait } from "./state.js"

/**
 * Examines a registered value: its prepared form when it is a valid component, or why it cannot be a
 * candidate (every issue it has, in one problem). One pass over the component that validates and
 * reads what resolution needs together, so each tag is read while it is at hand (see `Prepared`).
 * `position` numbers registry entries in messages about values that are not components at all.
 *
 * Constructors are checked for their kind only (`Effect.isEffect`, `Layer.isLayer`): a value
 * component may hold any value but a Component or a Layer, which would be the service itself (a fake
 * given to `Testing.value` for a wide service type, where `Testing.component` or `Testing.layer` was
 * meant). `given`: what the component is, when not a registered one (an override, a replacement of a
 * name): the subject such a value is told of, when it is the only issue.
 *
 * @internal
 */
export const examine = (candidate: unknown, position: number, given?: Given): Prepared | Errors.InvalidDeclaration => {
  if (!isComponent(candidate)) {
    return new Errors.InvalidDeclaration({
      path: [],
      subject: { _tag: "Entry", position: position + 1 },
      issues: [{ code: "NotAComponent", got: show(candidate) }]
    })
  }
  const issues: Array<Errors.DeclarationIssue> = []
  const tag: unknown = candidate.tag
  const tagged = isTag(tag)
  // read once: a tag never met before has a hidden class of its own (see `isTag`)
  const key = tagged ? tag.key : ""
  if (!tagged) issues.push({ code: "InvalidTag", got: show(tag) })
  else if (key.startsWith(dependency.derivedPrefix)) {
    if (dependency.isDependency(tag)) {
      // a request's tag (Dependency.optional, all, qualified, named, a family member) is not a
      // service; options are (a component of their tag gives them instead of reading them)
      const request = tag[dependency.TypeId]
      if (request.options === undefined) issues.push({ code: "RequestTag", request: request.label, service: request.target.key })
    } else if (!dependency.ownServiceKeys.has(key)) {
      // A context holds one value per key: such a service would be the value of the derived request
      // with its key, and that request's value its own.
      issues.push({ code: "ReservedKey", prefix: dependency.derivedPrefix })
    }
  }
  if (candidate.name !== undefined && (typeof candidate.name !== "string" || candidate.name.length === 0)) {
    issues.push({ code: "InvalidName", got: show(candidate.name) })
  }
  if (typeof candidate.order !== "number" || !Number.isFinite(candidate.order)) {
    issues.push({ code: "InvalidOrder", got: show(candidate.order) })
  }
  if (candidate.primary && candidate.alternative) issues.push({ code: "PrimaryAndAlternative" })
  const dependencies: unknown = candidate.dependencies
  const requestKeys: Array<string> = new Array(Array.isArray(dependencies) ? dependencies.length : 0)
  let requests: Array<Context.Tag<unknown, unknown>> = dependencies as Array<Context.Tag<unknown, unknown>>
  if (!Array.isArray(dependencies)) {
    issues.push({ code: "DependenciesNotArray" })
  } else {
    for (let index = 0; index < dependencies.length; index++) {
      const dependency = dependencies[index]
      if (isTag(dependency)) requestKeys[index] = dependency.key
      else issues.push({ code: "InvalidDependency", position: index + 1, got: show(dependency) })
    }
    const lifecycle = candidate.lifecycle
    if (lifecycle !== undefined) requests = withHookRequests(lifecycle, dependencies, requestKeys, issues)
  }
  if (!validQualifiers(candidate.qualifiers)) issues.push({ code: "InvalidQualifiers" })
  const construct: Component.Construct | undefined = candidate.construct
  if (construct?._tag === "Effect" && !isEffect(construct.effect)) {
    issues.push({ code: "InvalidConstructor", expected: "Effect", got: show(construct.effect) })
  } else if (construct?._tag === "Layer" && !Layer.isLayer(construct.layer)) {
    issues.push({ code: "InvalidConstructor", expected: "Layer", got: show(construct.layer) })
  } else if (construct?._tag === "Value") {
    const value: unknown = construct.value
    if (isComponent(value)) issues.push({ code: "ValueIsDeclaration", kind: "Component" })
    else if (Layer.isLayer(value)) issues.push({ code: "ValueIsDeclaration", kind: "Layer" })
  }
  if (issues.length === 0 && tagged) return { key, requestKeys, requests, traits: traitsOf(candidate) }
  return new Errors.InvalidDeclaration({
    path: [],
    subject: given !== undefined && tagged && issues.length === 1 && issues[0]!.code === "ValueIsDeclaration"
      ? given._tag === "Override"
        ? { _tag: "Override", service: key, ...(candidate.qualifiers.length === 1 ? { qualifier: candidate.qualifiers[0] } : {}) }
        : given
      : { _tag: "Component", name: tagged ? component.displayName(candidate) : `#${position + 1}` },
    issues
  })
}

/** What a component examined is, when not a registered one (see `examine`). @internal */
export type Given = { readonly _tag: "Override" } | { readonly _tag: "Replacement"; readonly name: string }

const anOverride: Given = { _tag: "Override" }

/** `Given` for an override (`undefined`: a registered component). @internal */
export const givenAs = (override: boolean | undefined): Given | undefined => override === true ? anOverride : undefined

/** A valid component's `Trait`s. */
const traitsOf = (candidate: Component.Any): number =>
  (candidate.name !== undefined ? Trait.Named : 0) |
  (candidate.construct?._tag === "Layer" && Array.isArray(candidate.construct.serviceDependencies) ? Trait.FromService : 0) |
  // as the lifetimes check tells them apart (lifetimes.ts)
  (candidate.lifetime !== undefined && candidate.lifetime._tag !== "Singleton" ? Trait.ShortLived : 0)

const validQualifiers = (qualifiers: ReadonlyArray<unknown>): boolean => {
  for (const qualifier of qualifiers) if (typeof qualifier !== "string" || qualifier.length === 0) return false
  return true
}

/** `Effect.isEffect` without the `dual` wrapper of `Predicate.hasProperty`: asked once per component. */
const isEffect = (u: unknown): boolean =>
  (typeof u === "object" || typeof u === "function") && u !== null && Effect.EffectTypeId in u

/**
 * The requests of a component's hooks (and health checks, background work) after its own, each key
 * once: they are resolved like the constructor's (same rules, same problems), so what a hook uses is
 * built and started before the component and outlives it. Returns the component's requests.
 */
const withHookRequests = (
  lifecycle: Lifecycle.Lifecycle,
  dependencies: ReadonlyArray<Context.Tag<unknown, unknown>>,
  requestKeys: Array<string>,
  issues: Array<Errors.DeclarationIssue>
): Array<Context.Tag<unknown, unknown>> => {
  let requests: Array<Context.Tag<unknown, unknown>> | undefined
  const hooks = [
    lifecycle.initializers,
    lifecycle.onStart,
    lifecycle.onStop,
    lifecycle.disposers,
    lifecycle.background,
    lifecycle.healthChecks
  ]
  for (const kind of hooks) {
    for (const hook of kind) {
      const own: unknown = hook.dependencies
      if (own === undefined) continue
      if (!Array.isArray(own)) {
        issues.push({ code: "InvalidHookDependencies", hook: hook.name, got: show(own) })
        continue
      }
      for (const tag of own) {
        if (!isTag(tag)) {
          issues.push({ code: "InvalidHookDependencies", hook: hook.name, got: show(tag) })
          continue
        }
        if (requestKeys.includes(tag.key)) continue
        requests ??= dependencies.slice()
        requests.push(tag)
        requestKeys.push(tag.key)
      }
    }
  }
  return requests ?? (dependencies as Array<Context.Tag<unknown, unknown>>)
}
