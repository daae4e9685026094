import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import type * as App from "../App.js"
import type * as Health from "../Health.js"
import type * as Report from "../Report.js"
import { formatDuration } from "../Report.js"
import * as runtime from "./runtime.js"

// ---------------------------------------------------------------------------------------------
// formatting

const checkStatusText: Record<Health.CheckStatus, string> = {
  healthy: "healthy",
  unhealthy: "UNHEALTHY",
  timeout: "TIMEOUT"
}

const componentStatusText: Record<Health.ComponentStatus, string> = {
  "healthy": "healthy",
  "unhealthy": "unhealthy",
  "not-running": "not running"
}

/** @internal */
export const format = (report: Health.Report): string => {
  const total = report.components.length
  const healthy = report.components.filter((component) => component.status === "healthy").length
  const lines = [
    `health ${report.healthy ? "OK" : "UNHEALTHY"}: ${
      total === 0 ? "no component declares health checks" : `${healthy} of ${total} component${total === 1 ? "" : "s"} healthy`
    }`
  ]
  for (const component of report.components) {
    lines.push(`  ${component.name}: ${componentStatusText[component.status]}`)
    for (const check of component.checks) {
      lines.push(
        `    ${check.name}${check.readiness === true ? " (readiness)" : ""}: ${checkStatusText[check.status]} ${formatDuration(check.duration)}${
          check.error === undefined ? "" : `: ${check.error}`
        }`
      )
    }
  }
  return lines.join("\n")
}

/**
 * Whether a component runs, as health reports see it: started; or, once the application started,
 * one with nothing to start (App starts at startup every singleton that takes part in the
 * lifecycle): a transient or scoped component, or a singleton only handles reach, `pending` (not
 * built yet) or `built` (on first use).
 *
 * @internal
 */
export const isRunning = (application: App.State, component: Report.ComponentState): boolean =>
  component === "started" || (application === "started" && (component === "pending" || component === "built"))

// ---------------------------------------------------------------------------------------------
// readiness

/**
 * The readiness of an application in `state` whose readiness checks answered `report` (see
 * `Health.Readiness`): ready when started and every check that counts is healthy.
 *
 * @internal
 */
export const readiness = (state: App.State, report: Health.Report): Health.Readiness => ({
  ready: state === "started" && report.healthy,
  state,
  failing: report.components.flatMap((component) =>
    component.status === "not-running"
      ? [`${component.name}/phase`]
      : component.checks.flatMap((check) => (check.status === "healthy" ? [] : [`${component.name}/${check.name}`]))
  ),
  report
})

/** The readiness of an application that has not started, or is stopping: no check runs. @internal */
export const notStarted = (state: App.State): Health.Readiness => readiness(state, { healthy: true, components: [] })

/**
 * `run` with at most one run in flight: a caller that comes while one runs gets that run's result,
 * one that comes after it ended starts the next. Nothing is kept once a run ended (no cache). The run
 * does not belong to its first caller: interrupting a caller stops its wait only, and the run ends
 * by itself (a health run ends within its checks' timeouts), or when its owner `abandon`s it (an
 * application that begins to stop: its checks must not go on with services it releases); its callers
 * then fail with the interruption.
 *
 * @internal
 */
export const sharedRun = <A>(run: Effect.Effect<A>): { readonly run: Effect.Effect<A>; readonly abandon: () => void } => {
  let inFlight: { readonly result: Deferred.Deferred<A>; fiber?: Fiber.RuntimeFiber<unknown> } | undefined
  // uninterruptible from taking the slot to forking its run: a slot taken is always completed
  const shared = Effect.uninterruptibleMask((restore) =>
    Effect.suspend(() => {
      if (inFlight !== undefined) return restore(Deferred.await(inFlight.result))
      const slot: { readonly result: Deferred.Deferred<A>; fiber?: Fiber.RuntimeFiber<unknown> } = { result: runtime.makeDeferred<A>() }
      inFlight = slot
      // interruptible, though forked where nothing is: `abandon` interrupts it
      const settled = Effect.onExit(Effect.interruptible(run), (exit) =>
        Effect.sync(() => {
          if (inFlight === slot) inFlight = undefined
          runtime.completeDeferred(slot.result, exit)
        }))
      return Effect.flatMap(Effect.forkDaemon(settled), (fiber) => {
        slot.fiber = fiber
        return restore(Deferred.await(slot.result))
      })
    })
  )
  const abandon = () => {
    const fiber = inFlight?.fiber
    if (fiber !== undefined) runtime.interruptFiber(fiber)
  }
  return { run: shared, abandon }
}
