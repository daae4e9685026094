/**
 * Which hook of a component requested a step of a problem's chain (see `Errors.HookStep`). Found when
 * a problem is reported, from what resolution has anyway: a component's requests are its constructor's
 * dependencies, then its hooks' (see `Prepared.requestKeys`), so a request at a position at or past
 * the constructor's is a hook's; the walk's edges say which request of a requester reached a name.
 * Nothing is recorded for it while resolving.
 *
 * @internal
 */
import type * as Errors from "../../Errors.js"
import type * as Lifecycle from "../../Lifecycle.js"
import { type Candidates, isTag, type WalkEdge, type WalkState } from "./state.js"

/** A lifecycle's hooks, by field and kind, in the order their requests follow the constructor's (see `examine`). */
const kinds: ReadonlyArray<readonly [keyof Lifecycle.Lifecycle, Errors.HookStep["kind"]]> = [
  ["initializers", "initializer"],
  ["onStart", "onStart"],
  ["onStop", "onStop"],
  ["disposers", "disposer"],
  ["background", "background"],
  ["healthChecks", "healthCheck"]
]

/** The first hook of `candidate` that requests `key`, when its constructor does not. */
const hookRequesting = (
  candidates: Candidates,
  candidate: number,
  key: string
): Omit<Errors.HookStep, "requester"> | undefined => {
  const component = candidates.components[candidate]!
  // -1 (not a request of it) is before the hooks' too
  if (candidates.prepared[candidate]!.requestKeys.indexOf(key) < component.dependencies.length) return undefined
  for (const [field, kind] of kinds) {
    const hooks = component.lifecycle?.[field]
    if (!Array.isArray(hooks)) continue
    for (const hook of hooks as ReadonlyArray<{ readonly name: string; readonly dependencies?: unknown }>) {
      const own = hook.dependencies
      if (Array.isArray(own) && own.some((tag) => isTag(tag) && tag.key === key)) return { kind, name: hook.name }
    }
  }
  return undefined
}

/**
 * The hook steps of a chain of candidates, each reached by a request of the one before it, then, when
 * `lastKey` is given, of the last one's request with that key. A requester with no request of its
 * hooks' own (the common case) costs one comparison.
 *
 * @internal
 */
export const hookSteps = (
  candidates: Candidates,
  edgesOf: ReadonlyArray<ReadonlyArray<WalkEdge> | undefined>,
  chain: ArrayLike<number>,
  lastKey?: string
): Array<Errors.HookStep> => {
  const steps: Array<Errors.HookStep> = []
  for (let position = 0; position < chain.length; position++) {
    const from = chain[position]!
    if (candidates.prepared[from]!.requestKeys.length === candidates.components[from]!.dependencies.length) continue
    // the first request of `from` that reached the next one: its constructor's before its hooks'
    const key = position + 1 < chain.length
      ? edgesOf[from]?.find((edge) => edge.targets.includes(chain[position + 1]!))?.request.key
      : lastKey
    const hook = key === undefined ? undefined : hookRequesting(candidates, from, key)
    if (hook !== undefined) steps.push({ requester: candidates.names[from]!, ...hook })
  }
  return steps
}

/** A problem's `hooks` field when any step has one (to spread into its fields): present only then. @internal */
export const hooksField = (steps: ReadonlyArray<Errors.HookStep>): { readonly hooks?: ReadonlyArray<Errors.HookStep> } =>
  steps.length > 0 ? { hooks: steps } : {}

/**
 * The `hooks` field of a problem found while expanding the candidate on top of the walk's stack: the
 * stack's steps, then the top's request with key `key`.
 *
 * @internal
 */
export const hooksOfStack = (self: WalkState, key: string): { readonly hooks?: ReadonlyArray<Errors.HookStep> } =>
  hooksField(hookSteps(self.index.candidates, self.edgesOf, self.frameCandidate.subarray(0, self.depth), key))
