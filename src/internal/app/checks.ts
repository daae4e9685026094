/**
 * An application's health checks: those of the components that started, and of those its child
 * containers built (`children.ts`), each with its component's service and the services its check
 * declared, run from the application's runner.
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import type * as App from "../../App.js"
import type * as Dependency from "../../Dependency.js"
import * as Errors from "../../Errors.js"
import type * as PublicContainer from "../../Container.js"
import type * as Health from "../../Health.js"
import type * as Lifecycle from "../../Lifecycle.js"
import type * as Plan from "../../Plan.js"
import * as dependency from "../dependency.js"
import { decodeTimeout, describeInput } from "../duration.js"
import * as executor from "../executor.js"
import * as explainInternal from "../explain.js"
import * as health from "../health.js"
import { isAlias } from "../component.js"
import type { Realm } from "../container/lookup.js"
import * as planInternal from "../plan.js"
import { suggestComponents } from "../resolver/problems.js"
import * as observe from "../observe.js"
import * as children from "./children.js"
import * as healthInternal from "./health.js"
import * as runtime from "../runtime.js"
import * as hooks from "./hooks.js"
import * as instances from "./instances.js"
import * as settingsInternal from "./settings.js"
import { type AppRun, hookServices, servicesOf } from "./run.js"


/** The applications whose health the current fiber is checking (it runs one of their checks). */
const checkingHealth = runtime.makeFiberLocal<ReadonlyArray<AppRun>>("App/checkingHealth", [])

/** Whether the current fiber runs a check of this application. */
const isCheckingItself = (self: AppRun): boolean => (runtime.currentFiberLocal(checkingHealth) ?? []).includes(self)

const checkingItself = Effect.dieMessage(
  "layerwise App.health: a health check cannot check the health of its own application (it would run itself again, without end)"
)

/**
 * How one health run goes: at most `concurrency` checks at a time, all of it within `timeout` (none:
 * each check within its own only), the checks of `only` (`undefined`: of every component that
 * declares checks, the children's built ones included).
 *
 * @internal
 */
export interface HealthRun {
  readonly concurrency: number
  readonly timeout: Duration.Duration | undefined
  readonly only?: Selected | undefined
  /** only the checks that count for readiness, of the components (children's too) that declare one */
  readonly readiness?: boolean | undefined
}

/**
 * The components a health run lists: the application's (ids in plan order) and its children's (see
 * `children.ts`).
 *
 * @internal
 */
export interface Selected {
  readonly ids: ReadonlyArray<number>
  readonly children: children.ChildSelection
}

/**
 * What `App.healthOf` and `App.Health`'s `checkOf` select: components by name (a child's by its
 * path) or request, and containers (each: what it sees).
 *
 * @internal
 */
export type Selection = ReadonlyArray<string | Dependency.Any | PublicContainer.Container>

/**
 * Runs the health checks of the components that started. Checks start from the application's runner
 * after the build (its context and FiberRefs, as stop hooks do) and with the component's service;
 * nothing is shared with the lifecycle's phases, so checking health during the startup (from a start
 * hook) cannot wait for it: what has not started yet is "not-running". A component with nothing to
 * start runs once the application started. The children's components follow the application's, in
 * the same run (the same concurrency and overall timeout).
 *
 * @internal
 */
export const checkHealth = (self: AppRun, how: HealthRun): Effect.Effect<Health.Report> =>
  Effect.suspend(() => {
    if (isCheckingItself(self)) return checkingItself
    const counts = how.readiness === true ? countsForReadiness : undefined
    const ids = how.only?.ids ?? (counts === undefined ? checkedIds(self) : checkedIds(self).filter((id) => counts(self.plan.nodes[id]!)))
    const targets = ids.map((id): healthInternal.ComponentTarget => {
      const settings = self.components[id]!
      const running = health.isRunning(self.lifecycle.state, self.record.stateOf(id))
      const name = self.record.nameOf(id)
      const node = self.plan.nodes[id]!
      return {
        name,
        running,
        checks: !running ? [] : (settings.lifecycle?.healthChecks ?? []).filter((check) => counts === undefined || check.readiness).map((check) =>
          checkTarget(self, node, name, check, settings, () => self.values[id], hookServices(self, id), id)
        )
      }
    })
    for (const child of children.listed(self, how.only?.children ?? "checked")) {
      if (counts === undefined || counts(child.node)) targets.push(childTarget(self, child, counts !== undefined))
    }
    return observe.health(self.record, healthInternal.run(targets, how.concurrency, () => self.record.now(), how.timeout))
  })

/** One check of a component, started from the application's runner with the services it declared. */
const checkTarget = (
  self: AppRun,
  node: Plan.Node,
  listedAs: string,
  check: Lifecycle.HealthCheck,
  settings: settingsInternal.ComponentSettings,
  service: () => unknown,
  services: (hook: Lifecycle.HealthCheck) => Context.Context<never> | undefined,
  id?: number
): healthInternal.CheckTarget => {
  // the most specific timeout wins: the check's own, the component's, the application's
  const timeout = settingsInternal.checkTimeout(check, settings)
  const inFlight: InFlight = { id, instance: undefined, deadline: 0, abandoned: false, fiber: undefined }
  return {
    name: check.name,
    readiness: check.readiness,
    timeout,
    abandoned: () => inFlight.abandoned,
    waited: () => {
      if (inFlight.fiber !== undefined) self.checksInFlight.delete(inFlight.fiber)
    },
    start: () => {
      const instance = service()
      const started = hooks.start(
        self.runner,
        observe.check(self.record, node, listedAs, check.name, Effect.locallyWith(
          hooks.userEffect(`health check ${check.name}`, () => check.run(instance), services(check)),
          checkingHealth,
          (checking) => [...checking, self]
        ))
      )
      if (runtime.isRunning(started)) {
        inFlight.instance = instance
        inFlight.deadline = self.record.now() + Duration.toMillis(timeout)
        self.checksInFlight.set(started, inFlight)
        inFlight.fiber = started
      }
      return started
    }
  }
}

/**
 * A check running that its run waits for (`AppRun.checksInFlight`; one its run gave up on, timed
 * out, is not): `abandoned` once its component's stop or shutdown interrupted it.
 *
 * @internal
 */
export interface InFlight {
  fiber: Fiber.RuntimeFiber<unknown, unknown> | undefined
  /** the component it checks; undefined: a child container's */
  readonly id: number | undefined
  /** the instance it checks (a child container's component: its release interrupts it, see `abandonChecksOf`) */
  instance: unknown
  /** when its timeout expires (the record's clock, millis) */
  deadline: number
  abandoned: boolean
}

/**
 * Interrupts the health checks in flight of the components given, or every one and the readiness
 * run in flight, and waits for them to end, each until its timeout expires (one that ignores its
 * interruption is then left to go on, as its run left it): a check must not go on with a service
 * its component's stop or shutdown releases. The runs they belong to list those components as not
 * running.
 *
 * @internal
 */
export const abandonChecks = (self: AppRun, ids?: ReadonlyArray<number>): Effect.Effect<void> =>
  Effect.suspend(() => {
    if (ids === undefined) self.abandonReadiness?.()
    return abandon(self, (check) => ids === undefined || (check.id !== undefined && ids.includes(check.id)))
  })

/**
 * Interrupts the health checks in flight of one instance and waits for them, as `abandonChecks`
 * does: a child container's component (or a lookup's own singleton) whose release begins, run first
 * of the finalizers of its scope (`instances.ts`), so that no check goes on with what it releases.
 *
 * @internal
 */
export const abandonChecksOf = (self: AppRun, instance: unknown): Effect.Effect<void> =>
  Effect.suspend(() => abandon(self, (check) => check.id === undefined && check.instance === instance))

const abandon = (self: AppRun, which: (check: InFlight) => boolean): Effect.Effect<void> =>
  Effect.suspend(() => {
    const abandoned = Array.from(self.checksInFlight).filter(([, check]) => which(check))
    const now = self.record.now()
    // at the shutdown, within what is left of its timeout too
    const until = self.shutdownDeadline === undefined ? Infinity : now + self.shutdownDeadline.left()
    return Effect.forEach(abandoned, ([fiber, check]) => {
      check.abandoned = true
      runtime.interruptFiber(fiber)
      const end = Math.min(check.deadline, until)
      return end > now ? hooks.awaitWithin(fiber, Duration.millis(end - now)) : Effect.void
    }, { concurrency: "unbounded", discard: true })
  })

/**
 * A child container's component: its checks run while it is built (it runs until its child closes
 * or shuts it down); a transient or scoped one named has no instance of its own to check: healthy
 * with no checks while its child holds it.
 */
const childTarget = (self: AppRun, child: children.ChildComponent, readiness: boolean): healthInternal.ComponentTarget => {
  const { holder, node } = child
  const id = node.id
  const extension = instances.extensionOf(self, holder)
  const services = servicesOf(node, holder.build, extension.prepared[id], holder.build.layout.edgeStart[id]!)
  return {
    name: child.name,
    running: children.isLive(child),
    checks: !children.isChecked(child) ? [] : (node.component.lifecycle?.healthChecks ?? []).filter((check) => !readiness || check.readiness).map((check) =>
      checkTarget(self, node, child.name, check, extension.settings[id]!, () => holder.build.values[id], services)
    )
  }
}

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
 * The components a selection names, each once: a name is the component of that name, a path
 * (`tenant-a/Db`) a child's component (see `children.ts`); a request, every component it resolved to
 * in the plan; an alias, what it answers with; a container, what it sees: its own built components
 * that declare checks and its ancestors' (the root's: the application's and its lookups' that declare checks). A
 * name or request the application has no component for fails with `UnknownComponent` (a service's
 * key suggesting that service's components, then close names); an empty selection, or a container of another application, is a defect.
 *
 * @internal
 */
export const selectComponents = (
  self: AppRun,
  which: Selection,
  caller: string
): Effect.Effect<Selected, Errors.UnknownComponent> =>
  Effect.suspend(() => {
    if (which.length === 0) return illegal(caller, "no component to check (the selection is empty)")
    const names = planInternal.idsByName(self.plan)
    const selected = new Uint8Array(self.plan.nodes.length)
    const inChildren = new Map<Realm, children.RealmSelection>()
    const inChild = (realm: Realm): children.RealmSelection => {
      let known = inChildren.get(realm)
      if (known === undefined) inChildren.set(realm, known = { checked: false, names: new Set() })
      return known
    }
    for (const entry of which) {
      if (typeof entry !== "string" && !Context.isTag(entry) && !dependency.isDependency(entry)) {
        const line = children.lineOf(self, entry)
        if (line === undefined) return illegal(caller, "the container is not one of this application's")
        for (const id of checkedIds(self)) selected[id] = 1
        for (const realm of line) inChild(realm).checked = true
        continue
      }
      const label = typeof entry === "string" ? entry : dependency.requestOf(entry).label
      const ids = typeof entry === "string"
        ? (names.has(entry) ? [names.get(entry)!] : [])
        : planInternal.nodesOfRequest(self.plan, dependency.requestOf(entry).key)
      // beyond the plan: what run-time lookups built, by name (a child's by path) or by the request
      const built = ids.length > 0
        ? []
        : typeof entry === "string"
        ? [children.named(self, entry)].filter((found) => found !== undefined)
        : children.builtAnswering(self, dependency.requestOf(entry).key)
      for (const child of built) inChild(child.realm).names.add(child.name)
      if (ids.length === 0 && built.length === 0) {
        // a registered component the plan left out says why, as Explain does
        const unknown = explainInternal.unknownComponent(self.plan, entry)
        if (unknown.leftOut !== undefined) return Effect.fail(unknown)
        const known = [...self.plan.nodes, ...children.allPaths(self).map((path) => ({ name: path, service: "" }))]
        return Effect.fail(new Errors.UnknownComponent({ name: label, suggestions: suggestComponents(label, known) }))
      }
      for (const id of ids) selectAnswering(self.plan, id, selected)
    }
    return Effect.succeed({ ids: self.plan.nodes.flatMap((node) => (selected[node.id] === 1 ? [node.id] : [])), children: inChildren })
  })

/** Whether a component declares a check that counts for readiness. */
const countsForReadiness = (node: Plan.Node): boolean => (node.component.lifecycle?.healthChecks ?? []).some((check) => check.readiness)

/**
 * The application's readiness (`Health.Readiness`): its state, and once started its readiness
 * checks, run as `App.Health`'s `check` runs (the application's concurrency and overall timeout),
 * one run in flight shared by concurrent callers (`health.sharedRun`). Made once per run; the run in
 * flight when the application begins to stop is interrupted (`abandonReadiness`), its callers told
 * the state it is in.
 *
 * @internal
 */
export const readinessOf = (self: AppRun): Effect.Effect<Health.Readiness> => {
  const shared = health.sharedRun(Effect.suspend(() =>
    checkHealth(self, { concurrency: self.settings.healthConcurrency, timeout: self.settings.healthOverall, readiness: true })
  ))
  self.abandonReadiness = shared.abandon
  const notStarted = Effect.sync(() => health.notStarted(self.lifecycle.state))
  return Effect.suspend(() => {
    // a check that asks would wait for the run it is part of
    if (isCheckingItself(self)) return checkingItself
    if (self.lifecycle.state !== "started") return notStarted
    return Effect.matchCauseEffect(shared.run, {
      onSuccess: (report) => Effect.succeed(health.readiness(self.lifecycle.state, report)),
      // abandoned: the application began to stop
      onFailure: (cause) => Cause.isInterruptedOnly(cause) ? notStarted : Effect.failCause(cause)
    })
  })
}

/** The application's components that declare checks, in plan order (found on the first health check). */
const checkedIds = (self: AppRun): ReadonlyArray<number> =>
  self.healthChecked ??= self.components.flatMap((component, id) => (component.lifecycle?.healthChecks.length ?? 0) > 0 ? [id] : [])

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
  which: Selection,
  options: App.HealthOptions | undefined,
  caller: string
): Effect.Effect<Health.Report, Errors.UnknownComponent> =>
  Effect.flatMap(
    healthRun(self, options, caller),
    (how) => Effect.flatMap(selectComponents(self, which, caller), (only) => checkHealth(self, { ...how, only }))
  )
