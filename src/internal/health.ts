import type * as App from "../App.js"
import type * as Health from "../Health.js"
import type * as Report from "../Report.js"
import { formatDuration } from "../Report.js"

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
        `    ${check.name}: ${checkStatusText[check.status]} ${formatDuration(check.duration)}${
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
