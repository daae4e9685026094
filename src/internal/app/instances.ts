/**
 * The instances a container builds after startup (transient and scoped components, factory and
 * reloaded instances, singletons first built on first use, a lookup's own components), as App sees
 * them: their initializers and disposers, the record of a singleton built on first use, and their
 * events while someone listens.
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import * as Errors from "../../Errors.js"
import type * as Plan from "../../Plan.js"
import * as container from "../container.js"
import type * as executor from "../executor.js"
import * as planInternal from "../plan.js"
import * as builtins from "./builtins.js"
import * as checks from "./checks.js"
import * as hooks from "./hooks.js"
import * as lookups from "./lookups.js"
import * as own from "./own.js"
import { type AppRun, hookServices, servicesOf } from "./run.js"
import * as settingsInternal from "./settings.js"
import { releaseCause } from "../errors.js"

/** Gives the application's container (and every container made for its lookups) App's instance hooks. @internal */
export const attach = (self: AppRun, dynamic: container.Container): void => {
  dynamic.onInstance = instanceHook(self)
  dynamic.instanceEvents = instanceEvents(self, dynamic, [])
  dynamic.onLazyBuild = (id, build) => lazyBuild(self, id, build)
  dynamic.onChildOpen = own.childOpen
  dynamic.builtInService = (component) => builtins.serviceIn(self, component)
  dynamic.onExtension = (extension, path) => {
    extension.onInstance = extensionHook(self, extension, path)
    extension.instanceEvents = instanceEvents(self, extension, path)
    extension.onLazyBuild = (id, build) => {
      const own = ownId(self, extension.plan.nodes[id]!)
      return own === undefined ? build : lazyBuild(self, own, build)
    }
  }
}

/** A component whose instances a container builds after startup, as App's hooks see it. @internal */
export interface Hooked {
  readonly settings: settingsInternal.ComponentSettings
  readonly name: string
  readonly path: () => ReadonlyArray<string>
  readonly services: ReturnType<typeof hookServices>
  /** its id in the run's record when the instance is the application's singleton (released with the application) */
  readonly recorded: number | undefined
  /** a singleton of its own (a child's component, a lookup's): its start and stop hooks and background work run */
  readonly starts: boolean
  /** the path of the child container that builds it (`[]`: the application's) */
  readonly container: ReadonlyArray<string>
  /** whether the close of the container that builds it began (a singleton of its own is then not started) */
  readonly closing?: () => boolean
  /** a root container's lookup's own singleton: the container that holds it and its node there */
  readonly held?: { readonly holder: container.Container; readonly id: number }
}

/**
 * What every instance the container builds after startup gets: its initializers, in order, each
 * bounded by the component's start timeout (a failure fails the instance's construction, as a
 * `ConstructionError` whose cause is the `HookFailed` or `HookTimeout`); its disposers run when the
 * instance is released, before its constructor's finalizers. A singleton built on first use is
 * recorded as built, and released (disposers included) with the application, as any other.
 */
const instanceHook = (self: AppRun): container.InstanceHook => (id, service, scope, singleton, edgeValue) => {
  // a singleton's later hooks (start, stop, health checks) get what its constructor got
  if (singleton) self.prepared[id] = edgeValue
  else self.record.components[id]!.instances++
  return hookInstance(self, {
    settings: self.components[id]!,
    name: self.plan.nodes[id]!.name,
    path: () => self.record.pathOf(id),
    services: singleton ? hookServices(self, id) : servicesOf(self.plan.nodes[id]!, self.build!, edgeValue, self.build!.layout.edgeStart[id]!),
    recorded: singleton ? id : undefined,
    starts: false,
    container: []
  }, service, scope)
}

/**
 * The instance hook of a container made for a run-time lookup (its plan numbers its own nodes): a
 * component of the application's plan (the same component, by name) gets the application's hook; any
 * other gets its initializers and its disposers on the instance's scope (a singleton's is released
 * when the lookups' containers are, before the application's components). A component whose
 * lifecycle settings are invalid fails its construction with `InvalidLifecycle`.
 */
const extensionHook = (self: AppRun, extension: container.Container, path: ReadonlyArray<string>): container.InstanceHook => {
  const plan = extension.plan
  const { settings, problems, prepared } = extensionOf(self, extension)
  const application = instanceHook(self)
  return (id, service, scope, singleton, edgeValue) => {
    const node = plan.nodes[id]!
    const own = ownId(self, node)
    // numbered as the application's plan: its values as the application's (the lookup's plan, the
    // same component, resolved the same requests to the same services)
    if (own !== undefined) {
      return application(own, service, scope, singleton, edgeValue === undefined ? undefined : renumbered(self, own, extension, id, edgeValue))
    }
    const invalid = problems.filter((problem) => problem.subject === `component ${node.name}`)
    if (invalid.length > 0) {
      return Effect.fail(
        new Errors.ConstructionError({ component: node.name, path: planInternal.pathTo(plan, id), cause: new Errors.InvalidLifecycle({ problems: invalid }) })
      )
    }
    // a singleton's health checks get what its constructor got
    if (singleton) prepared[id] = edgeValue
    return hookInstance(self, {
      settings: settings[id]!,
      name: node.name,
      path: () => planInternal.pathTo(plan, id),
      services: servicesOf(node, extension.build, edgeValue, extension.build.layout.edgeStart[id]!),
      recorded: undefined,
      starts: singleton,
      container: path,
      closing: () => extension.build.closing !== undefined,
      ...(path.length === 0 && { held: { holder: extension, id } })
    }, service, scope)
  }
}

/**
 * What App keeps of a container made for a run-time lookup: its components' lifecycle settings (and
 * the problems found in them), and per singleton it built, the values its constructor got (its
 * health checks get them too).
 *
 * @internal
 */
export interface Extension {
  readonly settings: ReadonlyArray<settingsInternal.ComponentSettings>
  readonly problems: settingsInternal.Problems
  readonly prepared: Array<executor.EdgeValue | undefined>
}

const extensions = new WeakMap<container.Container, Extension>()

/** What App keeps of a container made for a lookup (made on first need). @internal */
export const extensionOf = (self: AppRun, extension: container.Container): Extension => {
  let known = extensions.get(extension)
  if (known === undefined) {
    const problems: settingsInternal.Problems = []
    known = { settings: settingsInternal.componentSettings(extension.plan, self.settings, problems), problems, prepared: [] }
    extensions.set(extension, known)
  }
  return known
}

/** The values a lookup's node got, by the edges of the application's node of the same component. */
const renumbered = (
  self: AppRun,
  own: number,
  extension: container.Container,
  id: number,
  edgeValue: executor.EdgeValue
): executor.EdgeValue => {
  const offset = extension.build.layout.edgeStart[id]! - self.build!.layout.edgeStart[own]!
  return (edge) => edgeValue(edge + offset)
}

/** The id in the application's plan of a lookup's node that is one of the application's components (the same component, by name). */
const ownId = (self: AppRun, node: Plan.Node): number | undefined => {
  const own = planInternal.idsByName(self.plan).get(node.name)
  return own !== undefined && self.plan.nodes[own]!.component === node.component ? own : undefined
}

/**
 * The build of a singleton of the application built on first use, recorded as a build at startup
 * is (its state, its build phase: constructor and initializers). A failed one goes back to
 * `pending`, its phase ended `failure`: the next use tries again, and the error is its requester's.
 */
const lazyBuild = <A>(self: AppRun, id: number, build: Effect.Effect<A, Errors.HandleError>): Effect.Effect<A, Errors.HandleError> =>
  Effect.suspend(() => {
    self.record.setState(id, "building")
    self.record.begin(id, "build", undefined, true)
    return Effect.onExit(build, (exit) =>
      Effect.sync(() => {
        if (Exit.isSuccess(exit)) return self.record.end(id, "build", "success")
        self.record.end(id, "build", Cause.isInterruptedOnly(exit.cause) ? "interrupted" : "failure")
        self.record.setState(id, "pending")
      }))
  })

/**
 * The events of the instances a container builds that no phase records (`InstanceBuilt`,
 * `InstanceReleased`): all of them but the application's singletons, watched while someone listens;
 * `path` names the child container it belongs to (`[]`: the application's).
 */
const instanceEvents = (self: AppRun, owner: container.Container, path: ReadonlyArray<string>): container.InstanceEvents => {
  const record = self.record
  const emit = (tag: "InstanceBuilt" | "InstanceReleased", id: number, kind: container.InstanceKind, duration: number, exit: Exit.Exit<unknown, unknown>) => {
    const node = owner.plan.nodes[id]!
    const own = node.component.lifetime
    record.emit(() => ({
      _tag: tag,
      component: node.name,
      container: path,
      kind,
      scope: kind === "scoped" && own?._tag === "Scoped" ? own.scope.name : undefined,
      outcome: Exit.isSuccess(exit) ? "success" : Cause.isInterruptedOnly(exit.cause) ? "interrupted" : "failure",
      duration,
      error: Exit.isSuccess(exit) ? undefined : rendered(tag === "InstanceBuilt"
        ? hooks.failureOf(exit.cause).reason
        : new Errors.ReleaseError({ component: node.name, path: planInternal.pathTo(owner.plan, id), cause: releaseCause(exit.cause) }))
    }))
  }
  return {
    watches: (id, kind) =>
      record.listening() && (kind !== "singleton" || (owner !== self.container && ownId(self, owner.plan.nodes[id]!) === undefined)),
    now: () => record.now(),
    built: (id, kind, duration, exit) => emit("InstanceBuilt", id, kind, duration, exit),
    released: (id, kind, duration, exit) => emit("InstanceReleased", id, kind, duration, exit)
  }
}

const rendered = (error: unknown): string => error instanceof Error ? error.message : String(error)

const hookInstance = (self: AppRun, component: Hooked, service: unknown, scope: Scope.Scope): Effect.Effect<void, Errors.HandleError> => {
  const settings = component.settings
  const lifecycle = settings.lifecycle
  const initializers = lifecycle?.initializers ?? []
  const recorded = component.recorded
  if (recorded !== undefined) {
    // initialized as its initializers complete: disposed by the application's release; one whose
    // build was interrupted as they completed fails, its scope closed at once (not the application's
    // release): its disposers are on it then
    return own.firstFailing(component, service, initializers, "initialize", (interrupted) => {
      if (!interrupted) {
        return Effect.sync(() => {
          self.record.setState(recorded, "built")
          self.initialized[recorded] = 1
        })
      }
      const disposers = lifecycle?.disposers ?? []
      return disposers.length === 0 ? Effect.void : Scope.addFinalizer(scope, own.allAttempted(component, service, disposers, "dispose"))
    })
  }
  // An instance of its own: its disposers on its scope as its initializers complete (each bounded,
  // failures kept going, then the scope's close fails with them, as with its finalizers' failures: a
  // release failure of the instance); a singleton's start hooks and background work (a child's own
  // component, a lookup's), stopped first as the scope closes (see `own.ts`); its health checks in
  // flight interrupted and waited for first of all: each finalizer added after the one it must run
  // before. A singleton built while its container's close or the application's stop began (its build
  // in flight then) is not started: nothing would stop it in order, and it is released at once. A root
  // container's lookup's own singleton built during the application's build is started by its start
  // phase, after its dependencies and before what looked it up (`lookups.ts`).
  const disposers = lifecycle?.disposers ?? []
  const checked = (lifecycle?.healthChecks.length ?? 0) > 0
  const starts = component.starts && lifecycle !== undefined && (lifecycle.onStart.length > 0 || lifecycle.onStop.length > 0 || lifecycle.background.length > 0)
  if (disposers.length === 0 && !checked && !starts) {
    return initializers.length === 0 ? Effect.void : own.firstFailing(component, service, initializers, "initialize", () => Effect.void)
  }
  const initialize = own.firstFailing(component, service, initializers, "initialize", () =>
    disposers.length === 0 ? Effect.void : Scope.addFinalizer(scope, own.allAttempted(component, service, disposers, "dispose")))
  return Effect.gen(function*() {
    yield* initialize
    if (starts) {
      // the application's stop closes its containers too: said first, it is why
      if (self.stopping) return yield* new Errors.ContainerClosed({ container: component.container, operation: "get", stopping: true })
      if (component.closing?.() === true) return yield* new Errors.ContainerClosed({ container: component.container, operation: "get" })
      // built during the application's build: started by its start phase, in order (`lookups.ts`)
      if (component.held !== undefined && self.lifecycle.state === "building") yield* lookups.defer(self, component, component.held, service, scope)
      else yield* own.start(self, component, service, scope)
    }
    if (checked) yield* Scope.addFinalizer(scope, checks.abandonChecksOf(self, service))
  })
}
