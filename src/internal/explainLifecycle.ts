/**
 * A component's lifecycle metadata as Explain says it: one line of the tree and the diagrams
 * (`lifecycleText`), its JSON form (`lifecycleJson`), and the line of `Explain.component`'s text read
 * from that JSON (`lifecycleFacts`).
 *
 * @internal
 */
import * as Duration from "effect/Duration"
import type * as Explain from "../Explain.js"
import type * as Lifecycle from "../Lifecycle.js"
import { decodeTimeout, describeInput } from "./duration.js"
import { startupText } from "./lifecycle.js"

/** Hooks of one kind: `onStart` / `onStart x2` when they carry default names, else their names. */
const hooksText = (kind: string, hooks: ReadonlyArray<{ readonly name: string; readonly note?: string }>): string | undefined => {
  if (hooks.length === 0) return undefined
  const note = (hook: { readonly note?: string }) => hook.note === undefined ? "" : ` (${hook.note})`
  // default names are not shown; neither is a note they all share, once after the count
  const defaults = hooks.every((hook) => (hook.name === kind || hook.name.startsWith(`${kind}#`)) && hook.note === hooks[0]!.note)
  if (defaults) return `${hooks.length === 1 ? kind : `${kind} x${hooks.length}`}${note(hooks[0]!)}`
  return `${kind}: ${hooks.map((hook) => `${hook.name}${note(hook)}`).join(", ")}`
}

/** A health check as the texts name it: `connected (readiness)` when it counts for readiness. */
const readinessNoted = (check: Lifecycle.HealthCheck): { readonly name: string; readonly note?: string } =>
  check.readiness ? { name: check.name, note: "readiness" } : check

/** A timeout as the text says it: `5s`, or `invalid (soon)` (App refuses to run it: `InvalidLifecycle`). */
const timeoutText = (input: Duration.DurationInput): string => {
  const decoded = decodeTimeout(input)
  return decoded === undefined ? `invalid (${describeInput(input)})` : Duration.format(decoded)
}

/**
 * A component's lifecycle metadata in one line, in the order the application runs it: startup
 * order, initializers, start hooks, background work, stop hooks, disposers, health checks (run when
 * asked, listed last), timeouts. Empty for a
 * component without lifecycle metadata.
 *
 * @internal
 */
export const lifecycleText = (lifecycle: Lifecycle.Lifecycle | undefined): string => {
  if (lifecycle === undefined) return ""
  const parts: Array<string | undefined> = [
    lifecycle.startup === undefined ? undefined : `startup ${startupText(lifecycle.startup)}`,
    hooksText("initializer", lifecycle.initializers),
    hooksText("onStart", lifecycle.onStart),
    // background work stopped by interruption (the default) reads like a hook; by a signal, says so
    hooksText("background", lifecycle.background.map((work) => work.onShutdown === "signal" ? { name: work.name, note: "signal" } : work)),
    hooksText("onStop", lifecycle.onStop),
    hooksText("disposer", lifecycle.disposers),
    hooksText("healthCheck", lifecycle.healthChecks.map(readinessNoted))
  ]
  const { grace, health, start, stop } = lifecycle.timeouts
  const timeouts = [
    start === undefined ? undefined : `start ${timeoutText(start)}`,
    stop === undefined ? undefined : `stop ${timeoutText(stop)}`,
    grace === undefined ? undefined : `grace ${timeoutText(grace)}`,
    health === undefined ? undefined : `health ${timeoutText(health)}`
  ].filter((part) => part !== undefined)
  if (timeouts.length > 0) parts.push(`timeouts: ${timeouts.join(", ")}`)
  return parts.filter((part) => part !== undefined).join(" · ")
}

/** A timeout in milliseconds, `undefined` when it is invalid (the JSON form leaves it out). */
const millis = (input: Duration.DurationInput): number | undefined => {
  const decoded = decodeTimeout(input)
  return decoded === undefined ? undefined : Duration.toMillis(decoded)
}

const timeoutJson = <K extends string>(key: K, input: Duration.DurationInput | undefined): { readonly [_ in K]?: number } => {
  const value = input === undefined ? undefined : millis(input)
  return (value === undefined ? {} : { [key]: value }) as { readonly [_ in K]?: number }
}

/** A component's lifecycle metadata as its JSON forms give it (`Explain.LifecycleJson`). @internal */
export const lifecycleJson = (lifecycle: Lifecycle.Lifecycle): Explain.LifecycleJson => {
  const { grace, health, start, stop } = lifecycle.timeouts
  const names = (hooks: ReadonlyArray<Lifecycle.Hook>) => hooks.map((hook) => hook.name)
  return {
    startup: lifecycle.startup ?? null,
    initializers: names(lifecycle.initializers),
    onStart: names(lifecycle.onStart),
    onStop: names(lifecycle.onStop),
    disposers: names(lifecycle.disposers),
    background: lifecycle.background.map((work) => ({ name: work.name, onShutdown: work.onShutdown })),
    // only when there are some: the JSON of components without health checks is unchanged
    ...(lifecycle.healthChecks.length === 0 ? undefined : {
      healthChecks: lifecycle.healthChecks.map((check) => ({
        name: check.name,
        timeout: check.timeout === undefined ? null : millis(check.timeout) ?? null,
        ...(check.readiness ? { readiness: true } : undefined)
      }))
    }),
    timeouts: {
      ...timeoutJson("start", start),
      ...timeoutJson("stop", stop),
      ...timeoutJson("grace", grace),
      ...timeoutJson("health", health)
    }
  }
}

/**
 * A component's lifecycle metadata as `Explain.component`'s text gives it, from its JSON form: startup
 * order, then each kind of hook with its names (`health checks: ping, connected (readiness)`). Empty
 * for a component without any.
 *
 * @internal
 */
export const lifecycleFacts = (lifecycle: Explain.LifecycleJson): string => {
  const kinds: Array<readonly [string, ReadonlyArray<string>]> = [
    ["initializers", lifecycle.initializers],
    ["start hooks", lifecycle.onStart],
    ["background work", lifecycle.background.map((work) => work.name)],
    ["stop hooks", lifecycle.onStop],
    ["disposers", lifecycle.disposers],
    ["health checks", (lifecycle.healthChecks ?? []).map((check) => check.readiness === true ? `${check.name} (readiness)` : check.name)]
  ]
  const parts = kinds.filter(([, names]) => names.length > 0).map(([kind, names]) => `${kind}: ${names.join(", ")}`)
  if (lifecycle.startup !== null) parts.unshift(`startup ${startupText(lifecycle.startup)}`)
  return parts.join(" · ")
}
