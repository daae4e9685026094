/**
 * An application's health checks: those of the components that started, each with its component's
 * service and the services its check declared, run from the application's runner.
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as App from "../../App.js"
import type * as Dependency from "../../Dependency.js"
import * as Errors from "../../Errors.js"
import type * as Health from "../../Health.js"
import type * as Plan from "../../Plan.js"
import * as dependency from "../dependency.js"
import { decodeTimeout, describeInput } from "../duration.js"
import * as executor from "../executor.js"
import { isAlias } from "../component.js"
import * as planInternal from "../plan.js"
import { suggest } from "../resolver/problems.js"
import * as observe from "../observe.js"
import * as healthInternal from "./health.js"
import * as runtime from "../runtime.js"
import * as hooks from "./hooks.js"
import * as settingsInternal from "./settings.js"
import { type AppRun, hookServices } from "./run.js"


/** The applications whose health the current fiber is checking (it runs one of their checks). */
const checkingHealth = runtime.makeFiberLocal<ReadonlyArray<AppRun>>("App/checkingHealth", [])

/**
 * How one health run goes: at most `concurrency` checks at a time, all of it within `timeout` (none:
 * each check within its own only), the checks of `only` (ids in plan order; `undefined`: of every
 * component that declares checks).
 *
 * @internal
 */
export interface HealthRun {
  readonly concurrency: number
  readonly timeout: Duration.Duration | undefined
  readonly only?: ReadonlyArray<number> | undefined
}

/**
 * Runs the health checks of the components that started. Checks start from the application's runner
 * after the build (its context and FiberRefs, as stop hooks do) and with the component's service;
 * nothing is shared with the lifecycle's phases, so checking health during the startup (from a start
 * hook) cannot wait for it: what has not started yet is "not-running". A component with nothing to
 * start runs once the application started.
 *
 * @internal
 */
export const checkHealth = (self: AppRun, how: HealthRun): Effect.Effect<Health.Report> =>
  Effect.suspend(() => {
    if ((runtime.currentFiberLocal(checkingHealth) ?? []).includes(self)) {
      return Effect.dieMessage(
        "layerwise App.health: a health check cannot check the health of its own application (it would run itself again, without end)"
      )
    }
    self.healthChecked ??= self.components.flatMap((component, id) => (component.lifecycle?.healthChecks.length ?? 0) > 0 ? [id] : [])
    const targets = (how.only ?? self.healthChecked).map((id): healthInternal.ComponentTarget => {
      const settings = self.components[id]!
      const state = self.record.stateOf(id)
      // one with nothing to start (a transient, a scoped component, a singleton only handles reach,
      // built on first use or not yet) runs as long as the application does: as the ops health says
      const running = state === "started" || (self.lifecycle.state === "started" && (state === "pending" || state === "built"))
      return {
        name: self.record.nameOf(id),
        running,
        checks: !running ? [] : (settings.lifecycle?.healthChecks ?? []).map((check) => ({
          name: check.name,
          // the most specific timeout wins: the check's own, the component's, the application's
          timeout: settingsInternal.checkTimeout(check, settings),
          start: () =>
            hooks.start(
              self.runner,
              observe.check(self.record, id, check.name, Effect.locallyWith(
                hooks.userEffect(`health check ${check.name}`, () => check.run(self.values[id]), hookServices(self, id)(check)),
                checkingHealth,
                (checking) => [...checking, self]
              ))
            )
        }))
      }
    })
    return observe.health(self.record, healthInternal.run(targets, how.concurrency, () => self.record.now(), how.timeout))
  })

/**
 * A health run as asked (`App.health`'s options, `caller` naming who asked in defects), the
 * application's settings filling in: an unusable concurrency or timeout is a defect.
 *
 * @internal
 */
export const healthRun = (
  self: AppRun,
  options: App.HealthOptions | undefined,
  caller: string
): Effect.Effect<HealthRun> => {
  const concurrencyProblem = executor.concurrencyProblem(options?.concurrency)
  if (concurrencyProblem !== undefined) return illegal(caller, concurrencyProblem)
  const timeout = options?.timeout === undefined ? self.settings.healthOverall : decodeTimeout(options.timeout)
  if (options?.timeout !== undefined && timeout === undefined) {
    return illegal(caller, `timeout must be a finite, non-negative duration, got ${describeInput(options.timeout)}`)
  }
  return Effect.succeed({
    concurrency: options?.concurrency === undefined ? self.settings.healthConcurrency : executor.concurrencyLimit(options.concurrency),
    timeout
  })
}

const illegal = (caller: string, problem: string): Effect.Effect<never> =>
  Effect.die(new Cause.IllegalArgumentException(`layerwise ${caller}: ${problem}`))

/**
 * The components a selection names, in plan order, each once: a name is the component of that
 * name; a request, every component it resolved to in the plan; an alias, what it answers with. One
 * the plan has no component for fails with `UnknownComponent` (with the close names); an empty
 * selection is a defect (its report would be healthy, saying nothing).
 *
 * @internal
 */
export const selectComponents = (
  self: AppRun,
  which: ReadonlyArray<string | Dependency.Any>,
  caller: string
): Effect.Effect<ReadonlyArray<number>, Errors.UnknownComponent> =>
  Effect.suspend(() => {
    if (which.length === 0) return illegal(caller, "no component to check (the selection is empty)")
    const names = planInternal.idsByName(self.plan)
    const selected = new Uint8Array(self.plan.nodes.length)
    for (const entry of which) {
      const label = typeof entry === "string" ? entry : dependency.requestOf(entry).label
      const ids = typeof entry === "string"
        ? (names.has(entry) ? [names.get(entry)!] : [])
        : planInternal.nodesOfRequest(self.plan, dependency.requestOf(entry).key)
      if (ids.length === 0) {
        return Effect.fail(new Errors.UnknownComponent({ name: label, suggestions: suggest(label, [...names.keys()]) }))
      }
      for (const id of ids) selectAnswering(self.plan, id, selected)
    }
    return Effect.succeed(self.plan.nodes.flatMap((node) => (selected[node.id] === 1 ? [node.id] : [])))
  })

/**
 * Marks a selected component, or for an alias what it answers with (the components its one request
 * resolved to, through aliases of aliases): an alias has no health of its own. An alias whose request
 * no component answers (an external service) is itself selected.
 */
const selectAnswering = (plan: Plan.Any, id: number, selected: Uint8Array): void => {
  let answering = id
  for (;;) {
    const node = plan.nodes[answering]!
    // an alias's request is single-valued: one target, none when nothing in the plan answers it
    const target = isAlias(node.component) ? node.dependencies[0]?.targets[0] : undefined
    if (target === undefined) break
    answering = target
  }
  selected[answering] = 1
}

/**
 * The health checks of the components a selection names (see `selectComponents`), run as asked (see
 * `healthRun`). A component named that declares no checks is listed too: `"healthy"` with no checks
 * once started, else `"not-running"`.
 *
 * @internal
 */
export const checkSelected = (
  self: AppRun,
  which: ReadonlyArray<string | Dependency.Any>,
  options: App.HealthOptions | undefined,
  caller: string
): Effect.Effect<Health.Report, Errors.UnknownComponent> =>
  Effect.flatMap(
    healthRun(self, options, caller),
    (how) => Effect.flatMap(selectComponents(self, which, caller), (only) => checkHealth(self, { ...how, only }))
  )
