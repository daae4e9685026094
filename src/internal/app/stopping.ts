/**
 * The end of a run: the stop phase (background work, then stop hooks, dependents first), then each
 * component's disposers and its scope's release (dependents first, bounded by the release timeout);
 * a component shut down while the application runs (`Container.shutDown`), the same way; and how
 * the run ended (its ending, its report, the failure it is when it did not end well).
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import * as Errors from "../../Errors.js"
import * as bounded from "../bounded.js"
import type * as Report from "../../Report.js"
import * as container from "../container.js"
import * as executor from "../executor.js"
import * as graph from "../graph.js"
import * as planInternal from "../plan.js"
import * as lookup from "../container/lookup.js"
import * as observe from "../observe.js"
import * as runtime from "../runtime.js"
import * as background from "./background.js"
import * as checks from "./checks.js"
import * as deadline from "./deadline.js"
import * as hooks from "./hooks.js"
import * as lookups from "./lookups.js"
import * as own from "./own.js"
import * as settingsInternal from "./settings.js"
import { type AppRun, hookServices, shutdownBegins, target } from "./run.js"

/**
 * The stop phase: every component that started, dependents first; with what constructors looked up
 * during the build, in the start phase's graph (`lookups.ts`). Never fails.
 *
 * @internal
 */
export const stopPhase = (self: AppRun): Effect.Effect<void> =>
  Effect.suspend(() => {
    const extended = self.startGraph
    const count = self.plan.nodes.length
    return Effect.asVoid(
      graph.run(
        extended === undefined
          ? executor.runnerGraph(self.predecessors, false, settingsInternal.reversedStages(self.stages))
          : executor.runnerGraph(extended.predecessors, false, settingsInternal.reversedStages(extended.stages)),
        self.settings.concurrency,
        (id) => id < count ? stopNode(self, id) : lookups.stopVertex(extended!, id)
      )
    )
  })

/** `failed`: where the failures of its stop hooks go besides the record (a shutdown's). */
const stopNode = (self: AppRun, id: number, failed?: container.HookFailures): Effect.Effect<void> | undefined => {
  if (!self.record.components[id]!.started) return undefined
  const settings = self.components[id]!
  const onStop = settings.lifecycle?.onStop ?? []
  const works = self.backgrounds[id]
  const running = works !== undefined && works.running
  if (onStop.length === 0 && !running) {
    self.record.setState(id, "stopped")
    return undefined
  }
  self.record.setState(id, "stopping")
  const sequence = new hooks.Sequence(target(self, id, "stop"), {
    hooks: onStop,
    service: self.values[id],
    timeout: settings.stop,
    keepGoing: true,
    deadline: self.shutdownDeadline,
    onDone: (done) => {
      self.record.setState(id, "stopped")
      if (failed !== undefined) failedWith(failed, id, done)
    },
    servicesOf: hookServices(self, id)
  })
  return running
    ? Effect.zipRight(background.stop(works, settings.grace, settings.stop, self.shutdownDeadline), hooks.runAll(sequence))
    : hooks.run(sequence)
}

/**
 * Components shut down while the application runs (`Container.shutDown`): each is recorded as shut
 * down when the shutdown begins (the report's `shutDownAt`); those that started are stopped,
 * dependents first, and no longer stopped at shutdown; their release is recorded as at shutdown, and
 * they end `released`. While the application is stopping, its stop phase stops them.
 */
export const shutDownHook = (self: AppRun): container.ShutDownHook => ({
  stop: (ids, failed) =>
    Effect.suspend(() => {
      const at = self.record.now()
      for (const id of ids) self.record.components[id]!.shutDownAt ??= at
      // its checks in flight must not go on with what its shutdown releases
      return Effect.zipRight(checks.abandonChecks(self, ids), Effect.forEach([...ids].reverse(), (id) =>
        Effect.suspend(() => {
          if (self.stopping || !self.record.components[id]!.started) return Effect.void
          return Effect.ensuring(
            stopNode(self, id, failed) ?? Effect.void,
            Effect.sync(() => {
              self.record.components[id]!.started = false
              self.backgrounds[id] = undefined
            })
          )
        }), { discard: true }))
    }),
  release: (failed, givenUp) => releaseSteps(self, failed, givenUp),
  released: (ids) => {
    for (const id of ids) {
      const state = self.record.stateOf(id)
      if (state !== "pending" && state !== "failed") self.record.setState(id, "released")
    }
  },
  timeout: self.settings.release,
  timedOut: (id, error) => {
    // being released: its phase in flight timed out, as in the application's release; else the
    // shutdown waited for its build or a use of it, before its release: an error of the run
    if (self.record.stateOf(id) !== "releasing") return recordRunError(self, error, "timeout")
    releaseTimedOut(self, id, error)
  }
})

/** A sequence's failures, added to the node's in `failed`. */
const failedWith = (failed: container.HookFailures, id: number, sequence: hooks.Sequence): void => {
  if (sequence.errors.length === 0) return
  const list = failed.get(id)
  if (list === undefined) failed.set(id, [...sequence.errors])
  else list.push(...sequence.errors)
}

/**
 * A singleton's disposers run with `service` (its instance), recorded as its dispose phase; `undefined`:
 * none. `failed`: where their failures go besides the record (a shutdown's).
 */
export const disposeSequence = (
  self: AppRun,
  id: number,
  service: unknown,
  failed?: container.HookFailures
): Effect.Effect<void> | undefined => {
  const disposers = self.components[id]!.lifecycle?.disposers ?? []
  if (self.initialized[id] !== 1 || disposers.length === 0) return undefined
  return hooks.runAll(
    new hooks.Sequence(target(self, id, "dispose"), {
      hooks: disposers,
      service,
      timeout: self.components[id]!.stop,
      keepGoing: true,
      ...(failed !== undefined && { onDone: (done: hooks.Sequence) => failedWith(failed, id, done) }),
      servicesOf: hookServices(self, id)
    })
  )
}

/**
 * Whether a node scope the graph's release closes is not the component's own release: a transient's
 * instance owned by the application (a root's, a lazy handle's), or a reloaded instance (its
 * disposers are on its scope).
 */
const notTheComponent = (self: AppRun, id: number, scope: Scope.Scope): boolean =>
  self.container !== undefined && (self.container.rank[id] !== 0 || self.container.reloaded.has(scope))

/**
 * Releases one component: its disposers (if it was built and initialized), then its scope (its
 * constructor's finalizers, closed by the executor); recorded as its dispose and release phases.
 * `failed`: where its disposers' failures go besides the record (a shutdown's).
 */
const releaseSteps = (self: AppRun, failed?: container.HookFailures, givenUp?: ReadonlySet<number>): executor.NodeRelease => ({
  before: (id, scope) => {
    if (notTheComponent(self, id, scope)) return undefined
    self.record.setState(id, "releasing")
    // a reloadable singleton's first instance: disposed when it was replaced, or now (not the current one)
    const cell = self.container?.cells.get(id)
    const dispose = self.container?.releasedEarly.has(scope) === true
      ? undefined
      : disposeSequence(self, id, cell === undefined ? self.values[id] : cell.first.value, failed)
    if (dispose === undefined) {
      self.record.begin(id, "release")
      return undefined
    }
    // disposers the release timeout gave up on: their component's late release is no longer part of the run
    return Effect.zipRight(
      dispose,
      Effect.sync(() => {
        if (!self.releaseTimedOut && givenUp?.has(id) !== true) self.record.begin(id, "release")
      })
    )
  },
  after: (id, error, scope) => {
    // given up on (the release, or a shutdown, timed out): its late end is no longer part of the run
    if (self.releaseTimedOut || givenUp?.has(id) === true) return
    // an instance of its own (a transient root's, a reloaded one): no phase of the component's, but
    // its release failure (its disposers', its finalizers') is the run's, as a lookup's instance's is
    if (notTheComponent(self, id, scope)) return error === undefined ? undefined : recordRunError(self, error)
    self.record.setState(id, "released")
    if (error === undefined) {
      self.record.end(id, "release", "success")
    } else {
      self.record.fail(id, "release", null, "defect", error)
      self.record.end(id, "release", "failure")
    }
  }
})

/** The release failures of what lookups built: errors of the run, under the component that failed (which the report may not list). */
const recordLookupFailures = (self: AppRun, failures: Cause.Cause<never> | undefined): void => {
  if (failures === undefined) return
  for (const defect of Cause.defects(failures)) {
    recordRunError(
      self,
      defect instanceof Errors.ReleaseError ? defect : new Errors.ReleaseError({ component: "Container", path: [], cause: defect })
    )
  }
}

/** A release failure no phase records (an instance's of its own, a wait the release timeout gave up): an error of the run, under its component. */
const recordRunError = (self: AppRun, error: Errors.ReleaseError | Errors.ReleaseTimeout, kind: "defect" | "timeout" = "defect"): void => {
  self.record.errors.push(error)
  self.record.errorRecords.push({ component: error.component, phase: "release", hook: null, kind, message: error.message })
}

/**
 * Releases every component, dependents first, for at most the release timeout. The release runs in a
 * fiber of its own and the wait is a Deferred settled by it or by a timer, whichever comes first: no
 * interruption is involved, so the wait is bounded also in the uninterruptible shutdown of an
 * interrupted run. Past the timeout, the component being released (its disposers or its scope) is
 * reported as timed out, on the phase in flight, and the rest is left as it is (its dependencies must
 * outlive it); so is each build in flight the release still waited for, before releasing anything
 * (see `lookup.closeRoot`).
 *
 * @internal
 */
export const releasePhase = (self: AppRun): Effect.Effect<void> =>
  Effect.suspend(() => {
    const build = self.build
    if (build === undefined) return Effect.void
    // what run-time lookups and children built depends on the application's components: released first
    const release = Effect.zipRight(
      // what a constructor looked up is released after it, within the application's release: those failures are recorded as these
      Effect.flatMap(
        lookup.closeRoot(self.container, Exit.void, (failures) => recordLookupFailures(self, failures)),
        (failures) => Effect.sync(() => recordLookupFailures(self, failures))
      ),
      executor.release(build, Exit.void, releaseSteps(self))
    )
    // capped by what is left of the shutdown timeout: begun at once past it, and abandoned at its first wait
    const bound = deadline.cap(self.shutdownDeadline, self.settings.release)
    const cut = bound.cut === undefined ? {} : { shutdownTimeout: bound.cut }
    return Effect.flatMap(bounded.within(release, bound.timeout, () => true), (ended) => {
      if (Either.isRight(ended)) return Effect.void
      self.releaseTimedOut = true
      // the release still waits for builds in flight (a lookup's, a handle's): nothing was released; or,
      // before releasing a reloadable's instance, for a use in flight on it, or a replaced instance's own release
      for (const { container: holder, id, waitsFor } of lookup.awaitedAtClose(self.container)) {
        recordRunError(
          self,
          new Errors.ReleaseTimeout({
            component: holder.plan.nodes[id]!.name,
            path: planInternal.pathTo(holder.plan, id),
            timeout: Duration.format(self.settings.release),
            ...(waitsFor === "building" ? { building: true } : waitsFor === "using" ? { using: true } : {}),
            ...cut
          }),
          "timeout"
        )
      }
      for (let id = 0; id < self.plan.nodes.length; id++) {
        if (self.record.stateOf(id) !== "releasing") continue
        releaseTimedOut(
          self,
          id,
          new Errors.ReleaseTimeout({
            component: self.record.nameOf(id),
            path: self.record.pathOf(id),
            timeout: Duration.format(self.settings.release),
            ...cut
          })
        )
      }
      return Effect.void
    })
  })

/**
 * A component being released when the release timeout passed: its phase in flight (its scope's
 * release, or before it its disposers) timed out, and it failed (the application's release, a shutdown's).
 */
const releaseTimedOut = (self: AppRun, id: number, error: Errors.ReleaseTimeout): void => {
  const phase = self.record.ran(id, "release") ? "release" : "dispose"
  self.record.setState(id, "failed")
  self.record.fail(id, phase, null, "timeout", error)
  self.record.end(id, phase, "timeout")
}

// ---------------------------------------------------------------------------------------------
// the shutdown, from its beginning to the report

/**
 * Stops and releases: the stop phase, then the release (disposers, then constructors' finalizers),
 * dependents first. Runs once; a second call waits for the first and returns the same report. Never
 * fails. Every ending goes through here (a stop, a shutdown request, a failed build or start, an
 * interruption, a closing scope): the shutdown timeout, if any, bounds it from its beginning to the
 * release's end (`deadline.ts`), not the `onReport` that follows.
 *
 * @internal
 */
export const stopRun = (run: AppRun): Effect.Effect<Report.Report> =>
  Effect.uninterruptible(Effect.suspend(() => {
    if (run.stopping) return Deferred.await(run.stopped)
    run.stopping = true
    settleEnding(run)
    const stop = Effect.gen(function*() {
      const record = run.record
      run.stopBegin = record.now()
      // begun already if the startup was torn down (its hooks cut off within it)
      shutdownBegins(run)
      run.lifecycle.transition("stopping")
      yield* checks.abandonChecks(run)
      yield* own.stopAll(run)
      if (run.startupEnd >= 0 || run.lifecycle.state !== "created") yield* observe.appPhase(record, "stop", stopPhase(run))
      // constructors interrupted in flight (another one failed, or the run was interrupted)
      for (let id = 0; id < run.plan.nodes.length; id++) {
        if (record.stateOf(id) !== "building") continue
        record.setState(id, "failed")
        record.end(id, "build", "interrupted")
        record.end(id, "initialize", "interrupted")
      }
      for (const works of run.backgrounds) if (works !== undefined) background.abandon(works)
      yield* observe.appPhase(record, "release", releasePhase(run))
      for (let id = 0; id < run.plan.nodes.length && !run.releaseTimedOut; id++) {
        const state = record.stateOf(id)
        // components built from a value have no scope to close: they are released with the graph
        if (state !== "pending" && state !== "failed" && state !== "released") record.setState(id, "released")
      }
      run.stopEnd = record.now()
      run.lifecycle.transition("stopped")
      const report = buildReport(run)
      const onReport = run.options.onReport
      if (onReport !== undefined) yield* Effect.catchAllCause(onReport(report), (cause) => Effect.logError("App onReport failed", cause))
      runtime.completeDeferred(run.stopped, Exit.succeed(report))
      return report
    })
    // A second caller waits for the first: whatever happens, it must not wait forever.
    const guarded = Effect.onExit(stop, (exit) =>
      Effect.sync(() => {
        if (exit._tag === "Failure") runtime.completeDeferred(run.stopped, exit)
      }))
    return observe.appStop(run.record, guarded)
  }))

/**
 * Stops and releases, then gives the report, or fails with `ApplicationFailed` when something failed
 * (background work counts even when the shutdown itself went well). What `run` and `stop` share.
 *
 * @internal
 */
export const stopAndReport = (run: AppRun): Effect.Effect<Report.Report, Errors.ApplicationFailed> =>
  Effect.flatMap(stopRun(run), (report) =>
    report.success && run.ending !== "background-failed" ? Effect.succeed(report) : Effect.fail(applicationFailed(run, report)))

// ---------------------------------------------------------------------------------------------
// how the run ended: the report

/**
 * Why the run ends, decided once, when the shutdown begins, for every way of ending it (`run`,
 * `stop`, the scope of `start` or `layer` closing): a failed build or start, or an interrupted run,
 * said so already; otherwise the first shutdown request does: background work that failed, or a
 * requested shutdown and its reason; with no request at all, a plain shutdown.
 *
 * @internal
 */
export const settleEnding = (run: AppRun): void => {
  if (run.ending !== undefined) return
  const request = run.shutdownRequest
  if (request?._tag === "BackgroundFailed") {
    run.ending = "background-failed"
  } else {
    run.ending = "shutdown"
    run.shutdownReason = request?.reason ?? null
    run.exitCode = request?.exitCode
  }
}

const endings: Record<Report.Ending, Errors.ApplicationFailed["reason"]> = {
  "shutdown": "stop",
  "interrupted": "stop",
  "build-failed": "build",
  "start-failed": "start",
  "background-failed": "background"
}

/** The failure of a run that did not end well: why it ended, its errors, its report. @internal */
export const applicationFailed = (run: AppRun, report: Report.Report): Errors.ApplicationFailed =>
  new Errors.ApplicationFailed({ reason: endings[run.ending ?? "shutdown"], errors: [...run.record.errors], report })

/** @internal */
export const buildReport = (run: AppRun): Report.Report => {
  const startupEnd = run.startupEnd >= 0 ? run.startupEnd : run.stopBegin
  return {
    success: run.record.errors.length === 0,
    ending: run.ending ?? "shutdown",
    shutdownReason: run.shutdownReason,
    ...(run.exitCode !== undefined && { exitCode: run.exitCode }),
    startedAt: run.record.startedAt,
    startup: Math.max(0, startupEnd),
    running: run.startupEnd >= 0 ? Math.max(0, run.stopBegin - run.startupEnd) : 0,
    shutdown: Math.max(0, run.stopEnd - run.stopBegin),
    components: run.record.componentsReport(),
    errors: [...run.record.errorRecords],
    // during the build, what was looked up so far (a lookup is recorded as its wait begins)
    lookups: run.lookups ?? lookups.lookedUpInBuild(run)
  }
}
