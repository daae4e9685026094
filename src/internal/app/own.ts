/**
 * The lifecycle of instances a container builds after startup, of their own (not the application's
 * components, which the run's phases start and stop): their hooks, each bounded by its component's
 * timeout; and a singleton's start hooks and background work (a child container's own component, a
 * lookup's own singleton), which are a child's lifecycle: its singletons that take part in it are
 * built and started as the child opens (`childOpen`), stopped as it closes.
 *
 * A child's own instance is started where it is built (its dependencies, built first, started first)
 * and stopped by a finalizer of its scope, which the child's close runs dependents first: for each,
 * its background work is asked to finish, then its stop hooks run, then its disposers and its
 * constructor's finalizers. The application's phases (every component built, then every one
 * started; every one stopped, then every one released) are the application's: a child's components
 * come and go while it runs, so each goes through its own steps. Spring's child contexts start their
 * beans as they are refreshed and stop them as they close, the same way.
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import type * as PublicContainer from "../../Container.js"
import type * as Component from "../../Component.js"
import * as Errors from "../../Errors.js"
import type * as Lifecycle from "../../Lifecycle.js"
import * as lookup from "../container/lookup.js"
import * as dependency from "../dependency.js"
import * as runtime from "../runtime.js"
import * as background from "./background.js"
import * as deadlineInternal from "./deadline.js"
import * as hooks from "./hooks.js"
import type { Hooked } from "./instances.js"
import type { AppRun } from "./run.js"

const failed = (component: Hooked, hook: string, phase: Errors.HookPhase, cause: Cause.Cause<unknown>) =>
  new Errors.HookFailed({ component: component.name, path: component.path(), phase, hook, cause: hooks.failureOf(cause).reason })

/** A hook, or background work, the shutdown timeout (`shutdownTimeout`, its text) cut off. */
const cutOffByShutdown = (component: Hooked, hook: string, phase: Errors.HookPhase, shutdownTimeout: string) => {
  const timeout = Duration.format(phase === "background" ? component.settings.grace : component.settings.stop)
  return new Errors.HookTimeout({ component: component.name, path: component.path(), phase, hook, timeout, shutdownTimeout })
}

/**
 * Runs hooks one after the other, each on a fiber of its own within the component's start timeout;
 * the first that fails (or times out) fails the instance's construction, a `ConstructionError` whose
 * cause is the `HookFailed` (or `HookTimeout`), and the rest do not run. Once the last one completed,
 * `completed` runs in the same uninterruptible step that saw it end: what registers the undoing of
 * what the hooks did (the instance's disposers, its stop) on the instance's scope, so that whatever
 * completed is undone by its release.
 *
 * An interrupted caller (an opening interrupted, a lookup's fiber) interrupts the hook that runs: an
 * initializer or a start hook is ordinary Effect code, interruptible unless it says otherwise, and
 * its caller gave up on the instance. The hook is then waited for (for what is left of its timeout:
 * one that ignores its interruption cannot hold the release), as App's startup cuts off its hooks
 * (`hooks.ts`): its own finalizers end before the instance and its dependencies are released, and
 * its outcome is known. One that completed all the same (its fiber ended with a success: it ended
 * before its interruption reached it) counts: `completed` gets `interrupted` set, then the
 * interruption goes on; hooks after it do not run. One whose fiber ended interrupted did not complete,
 * whatever it did before (Effect's rule: an uninterruptible region that ends after an interruption
 * arrived ends interrupted), as at App's startup: it is not undone.
 *
 * @internal
 */
export const firstFailing = <E>(
  component: Hooked,
  service: unknown,
  list: ReadonlyArray<Lifecycle.Hook>,
  phase: "initialize" | "start",
  completed: (interrupted: boolean) => Effect.Effect<void, E>
): Effect.Effect<void, Errors.ConstructionError | E> => {
  // the step that registers the undoing is never cut in two (background work started, its stop not registered)
  if (list.length === 0) return Effect.uninterruptible(completed(false))
  const timeout = component.settings.start
  const constructionError = (cause: Errors.HookFailed | Errors.HookTimeout) =>
    new Errors.ConstructionError({ component: component.name, path: component.path(), cause })
  return Effect.uninterruptibleMask((restore) => {
    const from = (index: number): Effect.Effect<void, Errors.ConstructionError | E> => {
      if (index === list.length) return completed(false)
      const hook = list[index]!
      const last = index === list.length - 1
      return Effect.flatMap(
        // not the caller's child: a fiber waits at its end for its children, and one past its timeout
        // that ignores its interruption would hold the caller for ever
        Effect.zip(Clock.currentTimeMillis, Effect.forkDaemon(Effect.interruptible(hooks.userEffect(`hook ${hook.name}`, () => hook.run(service), component.services(hook))))),
        ([began, fiber]) =>
          Effect.flatMap(Effect.exit(restore(Effect.timeoutOption(Fiber.await(fiber), timeout))), (waited) => {
            if (Exit.isFailure(waited)) {
              return Effect.flatMap(cutOff(fiber, timeout, began), (ended) =>
                ended !== undefined && Exit.isSuccess(ended) && last
                  ? Effect.zipRight(completed(true), Effect.failCause(waited.cause))
                  : Effect.failCause(waited.cause))
            }
            if (Option.isNone(waited.value)) {
              // not waited for: a hook that ignores its interruption cannot hold the lifecycle
              runtime.interruptFiber(fiber)
              return Effect.fail(constructionError(
                new Errors.HookTimeout({ component: component.name, path: component.path(), phase, hook: hook.name, timeout: Duration.format(timeout) })
              ))
            }
            const exit = waited.value.value
            return Exit.isSuccess(exit) ? from(index + 1) : Effect.fail(constructionError(failed(component, hook.name, phase, exit.cause)))
          })
      )
    }
    return from(0)
  })
}

/** A hook whose caller was interrupted: interrupted, and waited for what is left of its timeout (`undefined`: it did not end in time). */
const cutOff = (fiber: Fiber.RuntimeFiber<unknown, unknown>, timeout: Duration.Duration, began: number) =>
  Effect.flatMap(Clock.currentTimeMillis, (now) => {
    runtime.interruptFiber(fiber)
    const left = Duration.millis(Math.max(0, Duration.toMillis(timeout) - (now - began)))
    // the wait itself can be cut off (this runs where nothing else can be interrupted): a hook that
    // ignores its interruption is not waited for past its timeout
    return Effect.map(Effect.timeoutOption(Effect.interruptible(Fiber.await(fiber)), left), Option.getOrUndefined)
  })

/**
 * Runs every hook, each within the component's stop timeout, past those that fail; then fails with
 * each failure (a `HookFailed`), as a scope's close fails with its finalizers' failures. Each runs on
 * a fiber of its own: one past its timeout is interrupted and not waited for (one that ignores its
 * interruption cannot hold the release, which runs where nothing can be interrupted). Stop hooks run
 * within what is left of the shutdown timeout too (`deadline`, read as each begins): one it cuts off,
 * or that does not begin once it passed, fails with a `HookTimeout` saying so.
 *
 * @internal
 */
export const allAttempted = (
  component: Hooked,
  service: unknown,
  list: ReadonlyArray<Lifecycle.Hook>,
  phase: "stop" | "dispose",
  deadline: () => deadlineInternal.ShutdownDeadline | undefined = () => undefined
): Effect.Effect<void> =>
  Effect.flatMap(
    Effect.forEach(list, (hook) =>
      Effect.suspend(() => {
        const { cut, timeout } = deadlineInternal.cap(deadline(), component.settings.stop)
        if (deadline()?.passed === true) return Effect.succeed(cutOffByShutdown(component, hook.name, phase, cut!))
        return Effect.flatMap(
          Effect.forkDaemon(Effect.interruptible(hooks.userEffect(`hook ${hook.name}`, () => hook.run(service), component.services(hook)))),
          (fiber) =>
            Effect.timeout(Effect.interruptible(Fiber.join(fiber)), timeout).pipe(
              Effect.matchCause({
                onFailure: (cause) => {
                  runtime.interruptFiber(fiber)
                  const timedOut = cut !== undefined && Option.exists(Cause.failureOption(cause), Cause.isTimeoutException)
                  return timedOut ? cutOffByShutdown(component, hook.name, phase, cut) : failed(component, hook.name, phase, cause)
                },
                onSuccess: () => undefined
              })
            )
        )
      })),
    (outcomes) => {
      const failures = outcomes.filter((failure) => failure !== undefined)
      return failures.length === 0 ? Effect.void : Effect.failCause(failures.map(Cause.die).reduce(Cause.sequential))
    }
  )

interface Run {
  readonly work: Lifecycle.Background
  readonly signal: Deferred.Deferred<void>
  /** asked to finish: its interruption is then no failure to log */
  stopping: boolean
}

/** A run whose work is on its fiber (work that was its result at once has none to stop). */
type Started = Run & { readonly fiber: Fiber.RuntimeFiber<unknown, unknown> }

/**
 * A singleton of its own starts: its start hooks (a failure fails its construction), then its
 * background work, each on a fiber of its own from the application's runner; then, on its scope, its
 * stop (`stop`). Background work that fails while the instance lives is logged at error level with
 * the component's path; it stops nothing (a child's work is the child's). A start in flight is
 * waited for by the application's stop (`stopAll`), which then stops it in order. `stopped`: where
 * its stop goes once it started, instead of among those `stopAll` stops and on its scope (the
 * application's stop phase stops what the application's build looked up in the graph's order, and a
 * finalizer its build added stops it when its scope closes first: `lookups.ts`).
 *
 * @internal
 */
export const start = (
  self: AppRun,
  component: Hooked,
  service: unknown,
  scope: Scope.Scope,
  stopped?: (stop: Effect.Effect<void>) => void
): Effect.Effect<void, Errors.ConstructionError> =>
  Effect.suspend(() => {
    const starting = runtime.makeDeferred<void>()
    self.ownStarting.add(starting)
    return Effect.ensuring(
      startNow(self, component, service, scope, stopped),
      Effect.sync(() => {
        self.ownStarting.delete(starting)
        runtime.completeDeferred(starting, Exit.void)
      })
    )
  })

const startNow = (
  self: AppRun,
  component: Hooked,
  service: unknown,
  scope: Scope.Scope,
  stopped: ((stop: Effect.Effect<void>) => void) | undefined
): Effect.Effect<void, Errors.ConstructionError> =>
  // its stop registered as its start hooks completed (see `firstFailing`); one whose opening was
  // interrupted as they ran (and that completed all the same) starts no background work: it is
  // stopped and released at once
  firstFailing(component, service, component.settings.lifecycle!.onStart, "start", (interrupted) =>
    Effect.suspend(() => {
      const runs: Array<Started> = []
      for (const work of interrupted ? [] : component.settings.lifecycle!.background) {
        const run: Run = { work, signal: runtime.makeDeferred<void>(), stopping: false }
        const logged = Effect.tapErrorCause(
          hooks.userEffect(`background ${work.name}`, () => work.run(service, background.shutdownSignal(run.signal)), component.services(work)),
          (cause) =>
            run.stopping && Cause.isInterruptedOnly(cause)
              ? Effect.void
              : Effect.logError(
                `layerwise: ${component.container.length === 0 ? "" : `in child container ${component.container.join("/")}, `}${
                  failed(component, work.name, "background", cause).message
                }`,
                cause
              )
        )
        const started = hooks.start(self.runner, logged)
        if (Exit.isExit(started)) continue
        // the same object: the log above reads its `stopping`
        runs.push(Object.assign(run, { fiber: started }))
      }
      // stopped once: by the application's stop, or as its scope closes, whichever comes first (the
      // finalizer then gives the stop's outcome: its failures are the instance's release's); listed
      // until its stop ended, so that the application's stop begun meanwhile waits for it
      return Effect.flatMap(Effect.cached(stop(self, component, service, runs)), (stopOnce) => {
        // its scope's finalizer, added as it was built, runs what `stopped` keeps
        if (stopped !== undefined) return Effect.sync(() => stopped(stopOnce))
        self.ownStarted.add(stopOnce)
        return Scope.addFinalizer(scope, Effect.ensuring(stopOnce, Effect.sync(() => self.ownStarted.delete(stopOnce))))
      })
    }))

/**
 * The application's stop begins with the instances of their own that started (children's and
 * lookups' singletons), last started first: they may depend on the application's components, which
 * stop next (not what the application's build looked up: its stop phase stops those, `lookups.ts`). The starts in flight are waited for first (each bounded by its start timeout; none
 * begins once the stop began, see `instances.ts`), so that what they start stops here too, in order;
 * within what is left of the shutdown timeout, past which what still starts is stopped by its release.
 * Their failures are their release's (see `start`).
 *
 * @internal
 */
export const stopAll = (self: AppRun): Effect.Effect<void> =>
  Effect.suspend(() =>
    Effect.zipRight(
      Effect.forEach([...self.ownStarting], (starting) =>
        self.shutdownDeadline === undefined
          ? Deferred.await(starting)
          : Effect.suspend(() => Effect.timeoutOption(Effect.interruptible(Deferred.await(starting)), self.shutdownDeadline!.left())), {
        discard: true
      }),
      Effect.suspend(() => Effect.forEach([...self.ownStarted].reverse(), Effect.exit, { discard: true }))
    ))

/**
 * A singleton of its own stops: its background work asked to finish (its signal completes, and work
 * that asked for `"interrupt"` is interrupted), awaited within the grace timeout, then interrupted and
 * awaited within the stop timeout; then its stop hooks. Work that did not end in time is a failure of
 * the instance's release (a `HookFailed` in the `background` phase), as a failing stop hook is. At the
 * application's shutdown each wait is capped by what is left of the shutdown timeout: what it cuts off
 * is a `HookTimeout` saying so.
 */
const stop = (self: AppRun, component: Hooked, service: unknown, runs: ReadonlyArray<Started>): Effect.Effect<void> => {
  const settings = component.settings
  const overdue = (run: Run) =>
    failed(component, run.work.name, "background", Cause.die(new Error(
      run.work.onShutdown === "interrupt"
        ? `did not end within ${Duration.format(settings.grace)} of its interruption`
        : `did not end within ${Duration.format(settings.grace)} of being asked to, nor within ${Duration.format(settings.stop)} of its interruption`
    )))
  const background = Effect.forEach(runs, (run) => {
    run.stopping = true
    runtime.openDeferred(run.signal)
    if (run.work.onShutdown === "interrupt") runtime.interruptFiber(run.fiber)
    // past the grace timeout the wait interrupts the work; work asked by its signal gets the stop timeout more
    const grace = deadlineInternal.cap(self.shutdownDeadline, settings.grace)
    return Effect.flatMap(hooks.awaitWithin(run.fiber, grace.timeout), (ended) => {
      if (Option.isSome(ended)) return Effect.succeed(undefined)
      if (grace.cut !== undefined) return Effect.succeed(cutOffByShutdown(component, run.work.name, "background", grace.cut))
      if (run.work.onShutdown === "interrupt") return Effect.succeed(overdue(run))
      const interrupted = deadlineInternal.cap(self.shutdownDeadline, settings.stop)
      return Effect.map(hooks.awaitWithin(run.fiber, interrupted.timeout), (ended) =>
        Option.isSome(ended) ? undefined : interrupted.cut !== undefined ? cutOffByShutdown(component, run.work.name, "background", interrupted.cut) : overdue(run))
    })
  }, { concurrency: "unbounded" })
  return Effect.flatMap(background, (outcomes) => {
    const late = outcomes.filter((failure) => failure !== undefined)
    const hooksStopped = allAttempted(component, service, settings.lifecycle!.onStop, "stop", () => self.shutdownDeadline)
    if (late.length === 0) return hooksStopped
    const lateCause = late.map(Cause.die).reduce(Cause.sequential)
    return Effect.flatMap(Effect.exit(hooksStopped), (stopped) =>
      Effect.failCause(Exit.isFailure(stopped) ? Cause.sequential(lateCause, stopped.cause) : lateCause))
  })
}

/** Whether a component starts with a child as it opens: a singleton with start or stop hooks, background work, or marked `startup()`. */
const startsWithChild = (each: Component.Any): boolean => {
  const lifecycle = each.lifecycle
  return (each.lifetime?._tag ?? "Singleton") === "Singleton" && lifecycle !== undefined &&
    (lifecycle.startup !== undefined || lifecycle.onStart.length > 0 || lifecycle.onStop.length > 0 || lifecycle.background.length > 0)
}

/**
 * As a child opens: its own singletons that take part in the lifecycle, built (and so started) one
 * after the other, in startup order (those without one last), then in the order given; each after
 * what it depends on, which its build builds (and starts) first. A request names the component
 * (`Dependency.named`) when it has a name, else asks for its service, which the child's own
 * component provides there.
 *
 * @internal
 */
export const childOpen = (
  child: PublicContainer.Container,
  components: ReadonlyArray<Component.Any>
): Effect.Effect<void, Errors.LookupError> => {
  const starting = components
    .map((each, position) => ({ each, position }))
    .filter(({ each }) => startsWithChild(each))
    .sort((a, b) => (a.each.lifecycle!.startup ?? Infinity) - (b.each.lifecycle!.startup ?? Infinity) || a.position - b.position)
  return Effect.forEach(starting, ({ each }) =>
    lookup.get(child, each.name === undefined ? each.tag : dependency.named(each.tag, each.name)), { discard: true })
}
