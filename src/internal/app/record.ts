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
import * as lifetime from "../lifetime.js"
import * as planInternal from "../plan.js"
import * as runtime from "../runtime.js"
import { isBuiltIn } from "./builtins.js"

/** The phases in the order a component goes through them (the report lists them so). @internal */
export const phaseOrder: ReadonlyArray<Report.Phase> = Report.Phase.literals

/** Each phase's position in `phaseOrder`: a component's phases are slots `id * phaseOrder.length + index`. @internal */
export const phaseIndex = Object.fromEntries(phaseOrder.map((phase, index) => [phase, index])) as Readonly<Record<Report.Phase, number>>

/** A phase's outcome as stored: 0 never began, 1 running, then the outcomes. */
const outcomes: ReadonlyArray<Report.Outcome | undefined> = [undefined, undefined, "success", "failure", "timeout", "interrupted"]
const outcomeCode: Readonly<Record<Report.Outcome, number>> = { success: 2, failure: 3, timeout: 4, interrupted: 5 }

/** The first error of a phase: the hook that failed or timed out first, and the error, rendered. */
interface FirstError {
  readonly hook: string | null
  readonly error: string
}

/** One component of the run (its phases are kept by the run's record). @internal */
export class ComponentRecord {
  state: Report.ComponentState = "pending"
  /** every start hook succeeded: it is stopped at shutdown */
  started = false
  /** when `Container.shutDown` shut it down while the application ran (milliseconds since the run started) */
  shutDownAt: number | undefined = undefined
  /** how many instances of it were built after startup (a transient or scoped component's) */
  instances = 0
}

/**
 * What observes a run's phases as they go (the App observer of `observe.ts`: spans, metrics, the
 * startup log), called by the record directly, by component id: no event is made for it.
 *
 * @internal
 */
export interface PhaseObserver {
  /** `onFirstUse`: a singleton's build on first use, whose span is the container's (`observe.instanceBuild`) */
  readonly began: (id: number, phase: Report.Phase, onFirstUse: boolean) => void
  readonly ended: (id: number, phase: Report.Phase, outcome: Report.Outcome, duration: number, error: string | undefined) => void
}

/**
 * The run's record. Phases are kept flat, one slot per component and phase (`id * 7 + phase`): when
 * each began and ended (milliseconds since the run started), how it ended; the first error of the
 * few that have one apart.
 *
 * @internal
 */
export class RunRecord {
  /** its phases' observer, if the run has one (see `observe.attach`) */
  observer: PhaseObserver | undefined = undefined
  readonly components: ReadonlyArray<ComponentRecord>
  /**
   * Per node, 1 when it is one of layerwise's own services (`builtins.isBuiltIn`): recorded like any
   * node, but not one of the application's components, so neither observed (spans, metrics, the
   * startup log), nor published as events, nor listed in the report.
   */
  readonly builtIn: Uint8Array
  /** how many of the plan's nodes are the application's components (not `builtIn`) */
  readonly componentCount: number
  readonly errors: Array<Errors.RunError> = []
  readonly errorRecords: Array<Report.ErrorRecord> = []
  readonly startedAt: number
  private readonly origin: bigint
  private readonly phaseAt: Float64Array
  private readonly phaseEnd: Float64Array
  private readonly phaseOutcome: Uint8Array
  private readonly firstErrors = new Map<number, FirstError>()

  constructor(
    readonly plan: Plan.Any,
    private readonly clock: Clock.Clock,
    /** publishes an event (made only when someone listens) */
    readonly emit: (event: () => App.Event) => void,
    /** whether anyone listens: no event is made (nor `emit` called) while no one does */
    readonly listening: () => boolean = () => true
  ) {
    const size = plan.nodes.length
    const components = new Array<ComponentRecord>(size)
    for (let id = 0; id < size; id++) components[id] = new ComponentRecord()
    this.components = components
    this.builtIn = Uint8Array.from(plan.nodes, (node) => (isBuiltIn(node.component) ? 1 : 0))
    this.componentCount = size - this.builtIn.reduce((sum, flag) => sum + flag, 0)
    this.phaseAt = new Float64Array(size * phaseOrder.length)
    this.phaseEnd = new Float64Array(size * phaseOrder.length)
    this.phaseOutcome = new Uint8Array(size * phaseOrder.length)
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

  /** A phase of a component begins (now, or at `at`); `onFirstUse`: a singleton's build on first use (a handle's, a lookup's). */
  begin(id: number, phase: Report.Phase, at: number = this.now(), onFirstUse = false): void {
    const slot = id * phaseOrder.length + phaseIndex[phase]
    this.phaseAt[slot] = at
    this.phaseOutcome[slot] = 1
    this.firstErrors.delete(slot)
    if (this.builtIn[id] === 1) return
    this.observer?.began(id, phase, onFirstUse)
    if (this.listening()) this.emit(() => ({ _tag: "PhaseStarted", component: this.nameOf(id), phase }))
  }

  /** A phase of a component ends (its first error, if any, was noted before). */
  end(id: number, phase: Report.Phase, outcome: Report.Outcome): void {
    const slot = id * phaseOrder.length + phaseIndex[phase]
    if (this.phaseOutcome[slot] !== 1) return
    const end = this.now()
    this.phaseEnd[slot] = end
    this.phaseOutcome[slot] = outcomeCode[outcome]
    if (this.builtIn[id] === 1) return
    this.observer?.ended(id, phase, outcome, end - this.phaseAt[slot]!, this.firstErrors.get(slot)?.error)
    if (!this.listening()) return
    this.emit(() => ({
      _tag: "PhaseEnded",
      component: this.nameOf(id),
      phase,
      outcome,
      duration: end - this.phaseAt[slot]!,
      error: this.firstErrors.get(slot)?.error
    }))
  }

  /** Whether the phase of a component ran (began, whether or not it ended). */
  ran(id: number, phase: Report.Phase): boolean {
    return this.phaseOutcome[id * phaseOrder.length + phaseIndex[phase]] !== 0
  }

  endOf(id: number, phase: Report.Phase): number | undefined {
    const slot = id * phaseOrder.length + phaseIndex[phase]
    return this.phaseOutcome[slot]! < 2 ? undefined : this.phaseEnd[slot]
  }

  /** An error of the run, in a phase of a component: the phase's first error is noted with it. */
  fail(id: number, phase: Report.Phase, hook: string | null, kind: Report.ErrorRecord["kind"], error: Errors.RunError): void {
    const slot = id * phaseOrder.length + phaseIndex[phase]
    if (this.phaseOutcome[slot] !== 0 && !this.firstErrors.has(slot)) this.firstErrors.set(slot, { hook, error: error.message })
    this.errors.push(error)
    this.errorRecords.push({ component: this.nameOf(id), phase, hook, kind, message: error.message })
  }

  /** How long a phase of a component took, as the report says; `undefined` when it did not end (or never began). */
  phaseDuration(id: number, phase: Report.Phase): number | undefined {
    const slot = id * phaseOrder.length + phaseIndex[phase]
    return outcomes[this.phaseOutcome[slot]!] === undefined ? undefined : Math.max(0, this.phaseEnd[slot]! - this.phaseAt[slot]!)
  }

  /** The application's components' records as the report lists them, in plan order (layerwise's own services left out). */
  componentsReport(): Array<Report.ComponentRecord> {
    const listed = this.componentCount === this.plan.nodes.length ? this.plan.nodes : this.plan.nodes.filter((node) => this.builtIn[node.id] === 0)
    return listed.map((node): Report.ComponentRecord => {
      const id = node.id
      const own = node.component.lifetime
      const phases: Array<Report.PhaseRecord> = []
      for (let index = 0; index < phaseOrder.length; index++) {
        const slot = id * phaseOrder.length + index
        const outcome = outcomes[this.phaseOutcome[slot]!]
        if (outcome === undefined) continue
        const at = this.phaseAt[slot]!
        const first = this.firstErrors.get(slot)
        phases.push({
          phase: phaseOrder[index]!,
          at,
          duration: Math.max(0, this.phaseEnd[slot]! - at),
          outcome,
          hook: first?.hook ?? null,
          error: first?.error ?? null
        })
      }
      const record = this.components[id]!
      return {
        name: node.name,
        service: node.service,
        startup: node.component.lifecycle?.startup ?? null,
        ...(own === undefined || own._tag === "Singleton"
          // a singleton's instances besides it: its factory handle's calls, its reloads
          ? (record.instances === 0 ? {} : { instances: record.instances })
          : { lifetime: lifetime.format(own), instances: record.instances }),
        state: record.state,
        ...(record.shutDownAt === undefined ? {} : { shutDownAt: record.shutDownAt }),
        phases
      }
    })
  }
}
