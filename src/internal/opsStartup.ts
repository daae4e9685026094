/**
 * The startup timeline of an application run and its critical path, from its plan (as JSON) and its
 * report: pure data in, data out.
 *
 * The critical path is found forward, in build order, then read backwards, in time linear in nodes +
 * edges. For every component it keeps when it could begin building and starting, and which ended
 * phase decided that (the latest-ending of what it had to wait for). What a component waits for is
 * App's lifecycle contract:
 * - its build: its dependencies built (and initialized), and, when it belongs to a startup stage,
 *   every component of the lower stages built;
 * - its initializers: its own build;
 * - its start: the whole graph built, its dependencies started, and every component of the lower
 *   startup stages started.
 * A component without start hooks (no start recorded) starts, in no time, once it may: on the path it
 * is a start of duration 0, so every step of the path follows one edge or one stage. The path ends at the phase that ended last; each step back goes to the phase that decided
 * when the current one could begin: following a dependency edge, a startup stage, the end of the
 * whole build, or the component's own previous phase.
 *
 * It lists the components the report lists: a node of the plan the report does not list (one of
 * layerwise's own services, such as `layerwise/App/Health`) takes part in the walk (it takes no
 * time), but is neither listed nor a step of the path; a step after it says what decided the first
 * such node (the end of the build, for its instant start).
 *
 * Startup stages are computed as App computes them: a component's rank is the lowest startup order
 * of itself and of every startup component that depends on it (a dependency of an order-0 component
 * belongs to order 0); ranks, sorted, are the stages; a component no startup component needs has
 * none.
 *
 * What a component's constructor looked up during the build (the report's `lookups`) is one of its
 * dependencies here, as it is for App (it waited for it, started after it, in its stage): a step
 * `via: "lookup"`. Only a lookup of a component of the plan is an edge (a lookup's own instance is not
 * in the plan, nor its time in the report: it is within its looker's build). A lookup that closes a
 * cycle with the plan's edges (a constructor that looked up what holds a handle of it, or a report
 * written by hand) orders nothing, as for App: the lookups of what could not be ordered are left out.
 *
 * @internal
 */
import type * as Explain from "../Explain.js"
import type * as Ops from "../Ops.js"
import type * as Report from "../Report.js"
import * as startOrder from "./startOrder.js"

/** Milliseconds rounded to 0.1 ms, as every ops answer gives them. @internal */
export const round = (ms: number): number => Math.round(ms * 10) / 10

type StartupPhase = "build" | "initialize" | "start"

interface Segment {
  readonly id: number
  readonly phase: StartupPhase
  readonly at: number
  readonly end: number
}

/** When something could begin, and the ended phase that decided it (none: it waited for nothing). */
interface Gate {
  readonly time: number
  readonly segment: Segment | undefined
  readonly via: Ops.CriticalSegment["via"]
}

const none: Gate = { time: Number.NEGATIVE_INFINITY, segment: undefined, via: null }

const later = (current: Gate, time: number, segment: Segment | undefined, via: Ops.CriticalSegment["via"]): Gate =>
  segment !== undefined && time > current.time ? { time, segment, via } : current

/** Per node what its constructor looked up (node ids; `undefined`: nothing): the report's lookups of the plan's components. */
type Looked = ReadonlyArray<ReadonlyArray<number> | undefined>

const phasesOf = (record: Report.ComponentRecord | undefined): Partial<Record<StartupPhase, Report.PhaseRecord>> => {
  const found: Partial<Record<StartupPhase, Report.PhaseRecord>> = {}
  for (const phase of record?.phases ?? []) {
    if (phase.phase === "build" || phase.phase === "initialize" || phase.phase === "start") found[phase.phase] = phase
  }
  return found
}

/**
 * One pass over the graph for one kind of phase (the builds, or the starts), stage by stage, lowest
 * first, then the components without a stage: per component, when it could begin (`ready`) and when
 * it was done (`done`). A component without a phase of this kind is done when it is ready: with
 * `instant`, that moment is a phase of no duration (a component without start hooks started then),
 * so a path through it names it.
 */
const pass = (
  plan: Explain.PlanJson,
  looked: Looked,
  buckets: ReadonlyArray<ReadonlyArray<number>>,
  own: (id: number) => Segment | undefined,
  base: Gate,
  instant: StartupPhase | undefined
): { readonly ready: ReadonlyArray<Gate>; readonly done: ReadonlyArray<Gate> } => {
  const ready = new Array<Gate>(plan.nodes.length)
  const done = new Array<Gate>(plan.nodes.length)
  let lower = none
  buckets.forEach((bucket, index) => {
    const staged = index < buckets.length - 1
    let stageDone = lower
    for (const id of bucket) {
      let gate = staged ? later(base, lower.time, lower.segment, "stage") : base
      for (const edge of plan.nodes[id]!.dependencies) {
        for (const target of edge.targets) gate = later(gate, done[target]!.time, done[target]!.segment, "dependency")
      }
      for (const target of looked[id] ?? []) gate = later(gate, done[target]!.time, done[target]!.segment, "lookup")
      ready[id] = gate
      const segment = own(id) ??
        (instant !== undefined && gate.segment !== undefined ? { id, phase: instant, at: gate.time, end: gate.time } : undefined)
      done[id] = segment !== undefined ? { time: segment.end, segment, via: null } : gate
      stageDone = later(stageDone, done[id]!.time, done[id]!.segment, "stage")
    }
    lower = stageDone
  })
  return { ready, done }
}

/**
 * What each node looked up, of the report's lookups of the plan's components, an order of the nodes
 * after their dependencies and what they looked up (see the module's doc; the build order when nothing
 * was looked up), and what each waits for.
 */
const lookupsOf = (plan: Explain.PlanJson, report: Report.Report) => {
  const requested = plan.nodes.map((node) => node.dependencies.flatMap((edge) => edge.targets))
  const lookups = report.lookups ?? []
  if (lookups.length === 0) return { looked: [], order: plan.order, predecessors: requested }
  const idOf = new Map(plan.nodes.map((node) => [node.name, node.id]))
  const looked: Array<Array<number> | undefined> = new Array(plan.nodes.length)
  for (const { component, lookedUp } of lookups) {
    const looker = idOf.get(component)
    const target = idOf.get(lookedUp)
    if (looker !== undefined && target !== undefined && looker !== target) (looked[looker] ??= []).push(target)
  }
  const order = startOrder.orderWithLookups(requested, looked, plan.order)
  return { looked, order, predecessors: requested.map((own, id) => looked[id] === undefined ? own : [...own, ...looked[id]!]) }
}

/**
 * What a component's constructor looked up that the timeline lists, by name, in the order looked up
 * (the field left out when nothing: a lookup of what could not be ordered orders nothing and is not
 * listed either, see the module's doc).
 */
const lookedUpOf = (
  plan: Explain.PlanJson,
  targets: ReadonlyArray<number> | undefined,
  listed: ReadonlyMap<string, unknown>
): { readonly lookedUp?: ReadonlyArray<string> } => {
  const names = (targets ?? []).map((target) => plan.nodes[target]!.name).filter((name) => listed.has(name))
  return names.length === 0 ? {} : { lookedUp: names }
}

/** The startup timeline of a run and its critical path (see the module's doc). @internal */
export const timeline = (plan: Explain.PlanJson, report: Report.Report): Ops.StartupJson => {
  const byName = new Map(report.components.map((record) => [record.name, record]))
  const { looked, order, predecessors } = lookupsOf(plan, report)
  const phases = plan.nodes.map((node) => phasesOf(byName.get(node.name)))
  const segments = phases.map((found, id) => {
    const segment = (phase: StartupPhase): Segment | undefined => {
      const record = found[phase]
      return record === undefined ? undefined : { id, phase, at: record.at, end: record.at + record.duration }
    }
    return { build: segment("build"), initialize: segment("initialize"), start: segment("start") }
  })
  const stages = startOrder.stagesOf((id) => plan.nodes[id]!.lifecycle?.startup, predecessors, order)
  let stageCount = 0
  for (const stage of stages) if (stage + 1 > stageCount) stageCount = stage + 1
  // per stage its components in build order (after what they looked up), then the components without a stage
  const buckets: Array<Array<number>> = Array.from({ length: stageCount + 1 }, () => [])
  for (const id of order) buckets[stages[id]! >= 0 ? stages[id]! : stageCount]!.push(id)

  const builds = pass(plan, looked, buckets, (id) => segments[id]!.initialize ?? segments[id]!.build, none, undefined)
  let built = none
  for (const done of builds.done) built = later(built, done.time, done.segment, "built")
  const starts = pass(plan, looked, buckets, (id) => segments[id]!.start, built, "start")

  // the phase that ended last, then back along what decided when each phase could begin
  let current: Segment | undefined
  for (const own of segments) {
    for (const segment of [own.build, own.initialize, own.start]) {
      if (segment !== undefined && (current === undefined || segment.end > current.end)) current = segment
    }
  }
  const path: Array<Ops.CriticalSegment> = []
  while (current !== undefined) {
    const previous: Gate = current.phase === "start"
      ? starts.ready[current.id]!
      : current.phase === "initialize"
      ? { time: 0, segment: segments[current.id]!.build, via: "component" as const }
      : builds.ready[current.id]!
    path.push({
      component: plan.nodes[current.id]!.name,
      phase: current.phase,
      at: round(current.at),
      duration: round(current.end - current.at),
      via: previous.segment === undefined ? null : previous.via
    })
    current = previous.segment
  }
  path.reverse()
  // The steps of nodes the report does not list are left out; the first of them hands what decided
  // it to the next step listed (nothing, when no listed step comes before).
  const criticalPath: Array<Ops.CriticalSegment> = []
  let skipped: Ops.CriticalSegment | undefined
  for (const step of path) {
    if (!byName.has(step.component)) {
      skipped ??= step
      continue
    }
    criticalPath.push(skipped === undefined ? step : { ...step, via: criticalPath.length === 0 ? null : skipped.via })
    skipped = undefined
  }

  return {
    startedAt: new Date(report.startedAt).toISOString(),
    duration: round(report.startup),
    components: plan.nodes.filter((node) => byName.has(node.name)).map((node) => ({
      name: node.name,
      service: node.service,
      state: byName.get(node.name)?.state ?? "pending",
      startup: node.lifecycle?.startup ?? null,
      stage: stages[node.id]! >= 0 ? stages[node.id]! : null,
      phases: (["build", "initialize", "start"] as const).flatMap((phase) => {
        const found = phases[node.id]![phase]
        return found === undefined
          ? []
          : [{ phase, at: round(found.at), duration: round(found.duration), outcome: found.outcome }]
      }),
      ...lookedUpOf(plan, looked[node.id], byName)
    })),
    criticalPath
  }
}
