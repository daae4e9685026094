/**
 * An application's health checks: those of the components that started, each with its component's
 * service and the services its check declared, run from the application's runner.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import type * as Health from "../../Health.js"
import * as observe from "../observe.js"
import * as healthInternal from "./health.js"
import * as runtime from "../runtime.js"
import * as hooks from "./hooks.js"
import * as settingsInternal from "./settings.js"
import { type AppRun, hookServices } from "./run.js"


/** The applications whose health the current fiber is checking (it runs one of their checks). */
const checkingHealth = runtime.makeFiberLocal<ReadonlyArray<AppRun>>("App/checkingHealth", [])

/**
 * Runs the health checks of the components that started. Checks start from the application's runner
 * after the build (its context and FiberRefs, as stop hooks do) and with the component's service;
 * nothing is shared with the lifecycle's phases, so checking health during the startup (from a start
 * hook) cannot wait for it: what has not started yet is "not-running".
 *
 * @internal
 */
export const checkHealth = (self: AppRun, concurrency: number): Effect.Effect<Health.Report> =>
  Effect.suspend(() => {
    if ((runtime.currentFiberLocal(checkingHealth) ?? []).includes(self)) {
      return Effect.dieMessage(
        "layerwise App.health: a health check cannot check the health of its own application (it would run itself again, without end)"
      )
    }
    self.healthChecked ??= self.components.flatMap((component, id) => (component.lifecycle?.healthChecks.length ?? 0) > 0 ? [id] : [])
    const targets = self.healthChecked.map((id): healthInternal.ComponentTarget => {
      const settings = self.components[id]!
      const running = self.record.stateOf(id) === "started"
      return {
        name: self.record.nameOf(id),
        running,
        checks: !running ? [] : settings.lifecycle!.healthChecks.map((check) => ({
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
    return observe.health(self.record, healthInternal.run(targets, concurrency, () => self.record.now()))
  })
