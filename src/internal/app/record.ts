/**
 * The record of one application run: every component's state and phases (when each began and
 * ended, how, its first error), every error of the run, and the events published as it goes. The
 * report is made from it, during the run (`App.report`) and at its end.
 *
 * A phase's first error is noted before the phase ends, so the `PhaseEnded` event carries it.
 *
 * @internal
 */
import type * as Clock from "effect/Clock"
import type * as App from "../../App.js"
import type * as Errors from "../../Errors.js"
import type * as Plan from "../../Plan.js"
import * as Report from "../../Report.js"
import * as planInternal from "../plan.js"
import * as runtime from "../runtime.js"

/** The phases in the order a component goes through them (the report lists them so). @internal */
export const phaseOrder: ReadonlyArray<Report.Phase> = Report.Phase.literals

/** One phase of one component. */
interface PhaseRecord {
  /** milliseconds since the run started */
  at: number
  end: number
  /** `undefined` while it runs */
  outcome: Report.Outcome | undefined
  /** the hook that failed or timed out first, and the first error, rendered */
  hook: string | null
  error: string | null
}

/** One component of the run. @internal */
export class ComponentRecord {
  state: Report.ComponentState = "pending"
  /** every start hook succeeded: it is stopped at shutdown */
  started = false
  readonly phases = new Map<Report.Phase, PhaseRecord>()
}

/** @internal */
export class RunRecord {
  readonly components: ReadonlyArray<ComponentRecord>
  readonly errors: Array<Errors.RunError> = []
  readonly errorRecords: Array<Report.ErrorRecord> = []
  readonly startedAt: number
  private readonly origin: bigint

  constructor(
    readonly plan: Plan.Any,
    private readonly clock: Clock.Clock,
    /** publishes an event (made only when someone listens) */
    readonly emit: (event: () => App.Event) => void
  ) {
    this.components = plan.nodes.map(() => new ComponentRecord())
    this.origin = runtime.clockNanos(clock)
    this.startedAt = runtime.clockMillis(clock)
  }

  /** Milliseconds since the run started, on Effect's Clock. */
  now(): number {
    return Number(runtime.clockNanos(this.clock) - this.origin) / 1e6
  }

  nameOf(id: number): string {
    return this.plan.nodes[id]!.name
  }

  pathOf(id: number): ReadonlyArray<string> {
    return planInternal.pathTo(this.plan, id)
  }

  setState(id: number, state: Report.ComponentState): void {
    this.components[id]!.state = state
  }

  stateOf(id: number): Report.ComponentState {
    return this.components[id]!.state
  }

  /** A phase of a component begins (now, or at `at`). */
  begin(id: number, phase: Report.Phase, at: number = this.now()): void {
    this.components[id]!.phases.set(phase, { at, end: -1, outcome: undefined, hook: null, error: null })
    this.emit(() => ({ _tag: "PhaseStarted", component: this.nameOf(id), phase }))
  }

  /** A phase of a component ends (its first error, if any, was noted before). */
  end(id: number, phase: Report.Phase, outcome: Report.Outcome): void {
    const record = this.components[id]!.phases.get(phase)
    if (record === undefined || record.outcome !== undefined) return
    record.end = this.now()
    record.outcome = outcome
    this.emit(() => ({
      _tag: "PhaseEnded",
      component: this.nameOf(id),
      phase,
      outcome,
      duration: record.end - record.at,
      error: record.error ?? undefined
    }))
  }

  /** Whether the phase of a component ran (began, whether or not it ended). */
  ran(id: number, phase: Report.Phase): boolean {
    return this.components[id]!.phases.has(phase)
  }

  endOf(id: number, phase: Report.Phase): number | undefined {
    const record = this.components[id]!.phases.get(phase)
    return record === undefined || record.outcome === undefined ? undefined : record.end
  }

  /** An error of the run, in a phase of a component: the phase's first error is noted with it. */
  fail(id: number, phase: Report.Phase, hook: string | null, kind: Report.ErrorRecord["kind"], error: Errors.RunError): void {
    const record = this.components[id]!.phases.get(phase)
    if (record !== undefined && record.error === null) {
      record.hook = hook
      record.error = error.message
    }
    this.errors.push(error)
    this.errorRecords.push({ component: this.nameOf(id), phase, hook, kind, message: error.message })
  }

  /** The components' records as the report lists them. */
  componentsReport(): Array<Report.ComponentRecord> {
    return this.plan.nodes.map((node, id): Report.ComponentRecord => {
      const component = this.components[id]!
      const phases: Array<Report.PhaseRecord> = []
      for (const phase of phaseOrder) {
        const record = component.phases.get(phase)
        if (record === undefined || record.outcome === undefined) continue
        phases.push({
          phase,
          at: record.at,
          duration: Math.max(0, record.end - record.at),
          outcome: record.outcome,
          hook: record.hook,
          error: record.error
        })
      }
      return {
        name: node.name,
        service: node.service,
        startup: node.component.lifecycle?.startup ?? null,
        state: component.state,
        phases
      }
    })
  }
}
