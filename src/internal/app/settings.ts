/**
 * An application's settings, validated before anything runs: its options and every component's
 * lifecycle metadata. Every problem is listed (`InvalidLifecycle`), none hides another.
 *
 * @internal
 */
import * as Duration from "effect/Duration"
import type * as App from "../../App.js"
import type * as Lifecycle from "../../Lifecycle.js"
import type * as Plan from "../../Plan.js"
import { decodeTimeout, describeInput } from "../duration.js"
import * as lifecycleInternal from "../lifecycle.js"
import { concurrencyLimit, concurrencyProblem } from "../executor.js"
import * as startOrder from "../startOrder.js"

/** @internal */
export type Problems = Array<{ readonly subject: string; readonly reason: string }>

/** The application's options, decoded. @internal */
export interface Settings {
  readonly start: Duration.Duration
  readonly stop: Duration.Duration
  readonly grace: Duration.Duration
  readonly release: Duration.Duration
  /** bounds the whole shutdown, each of its waits capped by what is left of it (`undefined`: no such bound; see `deadline.ts`) */
  readonly shutdown: Duration.Duration | undefined
  readonly health: Duration.Duration
  /** bounds a whole health run when its caller does not say (`undefined`: only each check is bounded) */
  readonly healthOverall: Duration.Duration | undefined
  readonly concurrency: number
  readonly healthConcurrency: number
}

/** Per component: its lifecycle (`undefined`: none) and its timeouts, the application's filling in. @internal */
export interface ComponentSettings {
  readonly lifecycle: Lifecycle.Lifecycle | undefined
  readonly start: Duration.Duration
  readonly stop: Duration.Duration
  readonly grace: Duration.Duration
  readonly health: Duration.Duration
}

const defaults = {
  start: Duration.seconds(15),
  stop: Duration.seconds(15),
  grace: Duration.seconds(10),
  release: Duration.seconds(30),
  health: Duration.seconds(5)
}

const timeoutOption = <A extends Duration.Duration | undefined>(problems: Problems, what: string, input: unknown, fallback: A): Duration.Duration | A => {
  if (input === undefined) return fallback
  const decoded = decodeTimeout(input)
  if (decoded !== undefined) return decoded
  problems.push({ subject: "application", reason: `${what} must be a finite, non-negative duration, got ${describeInput(input)}` })
  return fallback
}

const concurrencyOption = (problems: Problems, what: string, input: number | "unbounded" | undefined): number => {
  const problem = concurrencyProblem(input)
  if (problem !== undefined) problems.push({ subject: "application", reason: problem.replace(/^concurrency/, what) })
  return concurrencyLimit(input)
}

/** @internal */
export const validateOptions = (options: App.Options, problems: Problems): Settings => ({
  start: timeoutOption(problems, "startTimeout", options.startTimeout, defaults.start),
  stop: timeoutOption(problems, "stopTimeout", options.stopTimeout, defaults.stop),
  grace: timeoutOption(problems, "graceTimeout", options.graceTimeout, defaults.grace),
  release: timeoutOption(problems, "releaseTimeout", options.releaseTimeout, defaults.release),
  shutdown: timeoutOption(problems, "shutdownTimeout", options.shutdownTimeout, undefined),
  health: timeoutOption(problems, "healthTimeout", options.healthTimeout, defaults.health),
  healthOverall: timeoutOption(problems, "healthOverallTimeout", options.healthOverallTimeout, undefined),
  concurrency: concurrencyOption(problems, "concurrency", options.concurrency),
  healthConcurrency: concurrencyOption(problems, "healthConcurrency", options.healthConcurrency)
})

const timeoutNames = ["start", "stop", "grace", "health"] as const

const addProblem = (problems: Problems, name: string, reason: string): void => {
  problems.push({ subject: `component ${name}`, reason })
}

const validateHooks = (name: string, hooks: ReadonlyArray<{ readonly name: string; readonly run: unknown }>, problems: Problems): void => {
  for (let index = 0; index < hooks.length; index++) {
    const hook = hooks[index]!
    if (typeof hook.run !== "function") addProblem(problems, name, `its hook ${hook.name} is not a function`)
  }
}

const validateLifecycle = (name: string, lifecycle: Lifecycle.Lifecycle, problems: Problems): void => {
  if (lifecycle.startup !== undefined && !(typeof lifecycle.startup === "number" && Number.isFinite(lifecycle.startup))) {
    addProblem(problems, name, `its startup order must be a finite number, got ${String(lifecycle.startup)}`)
  }
  validateHooks(name, lifecycle.initializers, problems)
  validateHooks(name, lifecycle.onStart, problems)
  validateHooks(name, lifecycle.onStop, problems)
  validateHooks(name, lifecycle.disposers, problems)
  validateHooks(name, lifecycle.background, problems)
  const checks = lifecycle.healthChecks
  for (let index = 0; index < checks.length; index++) {
    const check = checks[index]!
    if (typeof check.run !== "function") addProblem(problems, name, `its health check ${check.name} is not a function`)
    if (check.timeout !== undefined && decodeTimeout(check.timeout) === undefined) {
      addProblem(
        problems,
        name,
        `the timeout of its health check ${check.name} must be a finite, non-negative duration, got ${describeInput(check.timeout)}`
      )
    }
  }
  if (lifecycle.timeouts === lifecycleInternal.empty.timeouts) return
  for (const what of timeoutNames) {
    const input = lifecycle.timeouts[what]
    if (input !== undefined && decodeTimeout(input) === undefined) {
      addProblem(problems, name, `its ${what} timeout must be a finite, non-negative duration, got ${describeInput(input)}`)
    }
  }
}

/** Every component's settings, their problems added to `problems`. @internal */
export const componentSettings = (
  plan: Plan.Any,
  settings: Settings,
  problems: Problems
): ReadonlyArray<ComponentSettings> =>
  plan.nodes.map((node): ComponentSettings => {
    const lifecycle = node.component.lifecycle
    if (lifecycle !== undefined) validateLifecycle(node.name, lifecycle, problems)
    // the empty timeouts every lifecycle starts with are shared until `Lifecycle.timeouts` sets some
    const own = lifecycle === undefined || lifecycle.timeouts === lifecycleInternal.empty.timeouts ? undefined : lifecycle.timeouts
    return {
      lifecycle,
      start: decodeTimeout(own?.start) ?? settings.start,
      stop: decodeTimeout(own?.stop) ?? settings.stop,
      grace: decodeTimeout(own?.grace) ?? settings.grace,
      health: decodeTimeout(own?.health) ?? settings.health
    }
  })

/**
 * Startup order as stages of the graph runner. A node's rank is the lowest startup order among
 * itself (when it is a startup component) and every startup component that depends on it; nodes no
 * startup component needs have none (-1). Ranks become stages 0, 1, ... in increasing order: whatever
 * a startup component of a higher order needs starts after everything lower orders need, and stops
 * before it. No cycle can arise: a node never depends on a node of a higher rank (that node's rank
 * would be at most its own). `undefined` when no component is a startup component.
 *
 * @internal
 */
export const startupStages = (
  plan: Plan.Any,
  predecessors: ReadonlyArray<ReadonlyArray<number>>
): Int32Array | undefined => {
  const nodes = plan.nodes
  if (!nodes.some((node) => node.component.lifecycle?.startup !== undefined)) return undefined
  // the plan's ids list dependencies first
  return startOrder.stagesOf((id) => nodes[id]!.component.lifecycle?.startup, predecessors)
}

/** The same stages, run in reverse (stopping). @internal */
export const reversedStages = (stages: Int32Array | undefined): Int32Array | undefined => {
  if (stages === undefined) return undefined
  let count = 0
  for (const stage of stages) if (stage + 1 > count) count = stage + 1
  return stages.map((stage) => (stage < 0 ? -1 : count - 1 - stage))
}

/** A health check's timeout: its own, else its component's, else the application's. @internal */
export const checkTimeout = (check: Lifecycle.HealthCheck, component: ComponentSettings): Duration.Duration =>
  decodeTimeout(check.timeout) ?? component.health
