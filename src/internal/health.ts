import type * as Health from "../Health.js"
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
