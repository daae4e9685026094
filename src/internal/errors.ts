/**
 * The classes of `Errors`' errors (the resolution's problems but `InvalidDeclaration` and `InvalidConfig`, the
 * lifetimes' and the container's, the lifecycle's), which `Errors` exports with their documentation.
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import type * as ConfigError from "effect/ConfigError"
import * as Data from "effect/Data"
import type * as Errors from "../Errors.js"
import type * as Report from "../Report.js"
import { describeValue } from "./describe.js"
import { suggest } from "./resolver/problems.js"
import {
  ambiguousComponent,
  circularDependency,
  didYouMean,
  formatOptionProblem,
  formatPath,
  invalidConfig,
  invalidDeclaration,
  lifetimeMismatch,
  listed,
  missingComponent,
  notInPlan,
  resolutionError
} from "./errorMessages.js"

/**
 * An error class's constructor, typed by its public interface (`export interface X extends
 * internal.X {}`), so that what a user's emitted declarations say of it is `Errors.X`, never the
 * internal class (the package's exports do not reach `layerwise/internal/*`).
 *
 * @internal
 */
export type Constructor<C extends abstract new(args: never) => unknown, I> = new(args: ConstructorParameters<C>[0]) => I

/** @internal */
export class ScopeNotOpen extends Data.TaggedError("ScopeNotOpen")<{
  readonly component: string
  readonly scope: string
  readonly path: Errors.DependencyPath
  /** the scope was open, but its close began: asked by a fiber that outlived it (a scoped component, or a transient it would own) */
  readonly closing?: true | undefined
}> {
  override get message(): string {
    return this.closing === true
      ? `${formatPath(this.path)}: ${this.component} was asked of a ${this.scope} scope whose close began: nothing more is built or given there (a fiber that outlived its Lifetime.within, or its request, asked for it)`
      : `${formatPath(this.path)}: ${this.component} is scoped to ${this.scope}, and no ${this.scope} scope is open here (open one with Lifetime.within; an HTTP server opens one per request with Http.requestScope)`
  }
}

/** @internal */
export class NotInScope extends Data.TaggedError("NotInScope")<{
  readonly scope: string
  readonly services: ReadonlyArray<string>
  readonly provides: ReadonlyArray<string>
  readonly declared: ReadonlyArray<string>
}> {
  override get message(): string {
    if (!this.declared.includes(this.scope)) {
      const close = suggest(this.scope, this.declared)
      return `the application does not declare the scope ${this.scope} (declared scopes: ${
        this.declared.length === 0 ? "none" : listed(this.declared)
      }): ${close.length > 0 ? `${didYouMean(close)} If not, add` : "add"} it to the scopes of App.make or Registry.toLayer`
    }
    return `the scope ${this.scope} does not provide ${listed(this.services)} (it provides: ${
      this.provides.length === 0 ? "nothing" : listed(this.provides)
    }; and the plan's roots): list only components scoped to it (Lifetime.scoped(${this.scope})) and roots of the plan (a transient or a singleton: request it from a component scoped to ${this.scope})`
  }
}

/** @internal */
export class UnknownComponent extends Data.TaggedError("UnknownComponent")<{
  readonly name: string
  readonly suggestions: ReadonlyArray<string>
  readonly leftOut?: Errors.LeftOutReason | undefined
  readonly members?: ReadonlyArray<string> | undefined
}> {
  override get message(): string {
    if (this.members !== undefined) {
      return `${this.name} resolved to ${this.members.length} components, not one (${listed(this.members)}): name the one meant (${JSON.stringify(this.members[0])})`
    }
    if (this.leftOut !== undefined) return notInPlan(this.name, this.leftOut)
    const hint = this.suggestions.length > 0 ? ` (${didYouMean(this.suggestions)})` : ""
    return `no component is named ${this.name}${hint}`
  }
}

/** @internal */
export class CircularLookup extends Data.TaggedError("CircularLookup")<{
  readonly path: Errors.DependencyPath
}> {
  override get message(): string {
    return `${formatPath(this.path)}: a run-time lookup closes a cycle (a constructor looks up what is being built for it)`
  }
}

/** @internal */
export class ContainerClosed extends Data.TaggedError("ContainerClosed")<{
  readonly container: ReadonlyArray<string>
  readonly operation: "get" | "use" | "reload" | "child" | "shutDown"
  /** the application is stopping (under App): a singleton of the container's own, built then, is not started */
  readonly stopping?: true | undefined
}> {
  override get message(): string {
    const name = this.container.length === 0 ? "root" : this.container.join("/")
    return this.stopping === true
      ? `the application is stopping: ${this.operation} is not possible in the container ${name}`
      : `the container ${name} is closed: ${this.operation} is not possible`
  }
}

/** @internal */
export class DuplicateChild extends Data.TaggedError("DuplicateChild")<{
  readonly parent: ReadonlyArray<string>
  readonly name: string
  readonly siblings: ReadonlyArray<string>
}> {
  override get message(): string {
    const parent = this.parent.length === 0 ? "root" : this.parent.join("/")
    return `the container ${parent} already has a child named ${this.name} (its children: ${this.siblings.join(", ")})`
  }
}

/** @internal */
export class ComponentShutDown extends Data.TaggedError("ComponentShutDown")<{
  readonly container: ReadonlyArray<string>
  readonly component: string
  readonly path: Errors.DependencyPath
}> {
  override get message(): string {
    const name = this.container.length === 0 ? "root" : this.container.join("/")
    // a path of the component alone says nothing more than the component
    const where = this.path.length > 1 ? `${formatPath(this.path)}: ` : ""
    return `${where}${this.component} was shut down in the container ${name}`
  }
}

/** @internal */
export class InvalidLifecycle extends Data.TaggedError("InvalidLifecycle")<{
  readonly problems: ReadonlyArray<{ readonly subject: string; readonly reason: string }>
}> {
  override get message(): string {
    const count = this.problems.length
    return `${count} invalid lifecycle setting${count === 1 ? "" : "s"}:\n${
      this.problems.map((problem) => `  - ${problem.subject}: ${problem.reason}`).join("\n")
    }`
  }
}

/** What a hook of a phase is called in messages, and the name a hook of it has when none was given. */
const hookKinds: Readonly<Record<Errors.HookPhase, readonly [noun: string, defaultName: string]>> = {
  initialize: ["initializer", "initializer"],
  start: ["start hook", "onStart"],
  stop: ["stop hook", "onStop"],
  dispose: ["disposer", "disposer"],
  background: ["background work", "background"]
}

/**
 * A hook in a message: `start hook connect`, `background work drain`; one with its default name is
 * named by its kind alone (`start hook`, `initializer #2`), not twice (`background hook background`).
 */
const hookText = (phase: Errors.HookPhase, hook: string): string => {
  const [noun, defaultName] = hookKinds[phase]
  if (hook === defaultName) return noun
  return hook.startsWith(`${defaultName}#`) ? `${noun} ${hook.slice(defaultName.length)}` : `${noun} ${hook}`
}

/** @internal */
export class HookFailed extends Data.TaggedError("HookFailed")<{
  readonly component: string
  readonly path: Errors.DependencyPath
  readonly phase: Errors.HookPhase
  readonly hook: string
  readonly cause: unknown
}> {
  override get message(): string {
    return `${formatPath(this.path)}: ${hookText(this.phase, this.hook)} of ${this.component} failed: ${describeValue(this.cause)}`
  }
}

/** `Errors.ConstructionError`'s message: an initializer's failure (a `HookFailed` of the component) is told as it is. @internal */
export const constructionErrorMessage = (self: Errors.ConstructionError): string => {
  const cause: unknown = self.cause
  // a hook's failure or timeout names the component and the hook already: said once
  if ((cause instanceof HookFailed || cause instanceof HookTimeout) && cause.component === self.component) return cause.message
  return `${formatPath(self.path)}: constructor of ${self.component} failed: ${describeValue(self.cause)}`
}

/** @internal */
export class HookTimeout extends Data.TaggedError("HookTimeout")<{
  readonly component: string
  readonly path: Errors.DependencyPath
  readonly phase: Errors.HookPhase
  readonly hook: string
  readonly timeout: string
  readonly overrun?: string | undefined
  readonly shutdownTimeout?: string | undefined
}> {
  override get message(): string {
    if (this.shutdownTimeout !== undefined) {
      return `${formatPath(this.path)}: ${hookText(this.phase, this.hook)} of ${this.component} was cut off by ${cutOffBy(this.shutdownTimeout)}`
    }
    const setting = timeoutSettings[this.phase]
    const within = `${formatPath(this.path)}: ${hookText(this.phase, this.hook)} of ${this.component} did not complete within ${this.timeout} ` +
      `(the ${setting} timeout: Lifecycle.timeouts({ ${setting} }) on the component, or the App's ${setting}Timeout)`
    return this.overrun === undefined ? within : `${within}, nor end within ${this.overrun} once interrupted (the stop timeout)`
  }
}

/** What ended a wait the shutdown timeout cut short (`HookTimeout`, `ReleaseTimeout`). */
const cutOffBy = (shutdownTimeout: string): string =>
  `the shutdown timeout: the whole shutdown is bounded by ${shutdownTimeout} (the App's shutdownTimeout)`

/** The timeout that bounds each phase of hooks, as `Lifecycle.timeouts` and App's options name it. */
const timeoutSettings: Record<Errors.HookPhase, "start" | "grace" | "stop"> = {
  initialize: "start",
  start: "start",
  background: "grace",
  stop: "stop",
  dispose: "stop"
}

/** @internal */
export class InvalidState extends Data.TaggedError("InvalidState")<{
  readonly operation: string
  readonly state: string
  readonly allowed: ReadonlyArray<string>
}> {
  override get message(): string {
    return `cannot ${this.operation} the application while it is ${this.state} (allowed when: ${this.allowed.join(", ")})`
  }
}

/** @internal */
export class ApplicationFailed extends Data.TaggedError("ApplicationFailed")<{
  readonly reason: "build" | "start" | "background" | "stop"
  readonly errors: ReadonlyArray<Errors.RunError>
  readonly report: Report.Report
}> {
  override get message(): string {
    const count = this.errors.length
    const what = this.reason === "build"
      ? "building the application failed"
      : this.reason === "start"
      ? "starting the application failed"
      : this.reason === "background"
      ? "background work failed while the application ran"
      : "the application's shutdown failed"
    return `${what} (${count} error${count === 1 ? "" : "s"}):\n${
      this.errors.map((error) => `  - ${error.message}`).join("\n")
    }`
  }
}

/**
 * What a release failed with, for a `ReleaseError`: its one failure or defect, else the whole Cause
 * (rendered "A and B"), so that no failing finalizer or disposer of one instance hides another's.
 *
 * @internal
 */
export const releaseCause = (cause: Cause.Cause<unknown>): unknown =>
  Cause.failures(cause).length + Cause.defects(cause).length > 1 ? cause : Cause.squash(cause)

/** @internal */
export class ReleaseError extends Data.TaggedError("ReleaseError")<{
  readonly component: string
  readonly path: Errors.DependencyPath
  readonly cause: unknown
}> {
  override get message(): string {
    return `${formatPath(this.path)}: releasing ${this.component} failed: ${describeValue(this.cause)}`
  }
}

/** @internal */
export class ReleaseTimeout extends Data.TaggedError("ReleaseTimeout")<{
  readonly component: string
  readonly path: Errors.DependencyPath
  readonly timeout: string
  /** the release waited for `component`'s build in flight (a lookup's, a handle's), before releasing anything */
  readonly building?: true | undefined
  /** the release waited for a use in flight of `component`'s instance (a reloadable handle's `use`), before releasing it */
  readonly using?: true | undefined
  /** a `Container.shutDown`'s: its release goes on without its caller, each instance after its dependents */
  readonly shutDown?: true | undefined
  /** the App's shutdown timeout, which passed before the release timeout did (the application's release) */
  readonly shutdownTimeout?: string | undefined
}> {
  override get message(): string {
    if (this.shutdownTimeout !== undefined) {
      const by = cutOffBy(this.shutdownTimeout)
      return this.building === true
        ? `${formatPath(this.path)}: the release waited for the build of ${this.component} in flight, cut off by ${by}; nothing was released`
        : this.using === true
        ? `${formatPath(this.path)}: the release waited for a use of ${this.component} in flight (its reloadable handle's use), cut off by ${by}; the components not released yet were left unreleased`
        : `${formatPath(this.path)}: releasing ${this.component} was cut off by ${by}; the components not released yet were left unreleased`
    }
    if (this.shutDown === true) {
      const goesOn = "the shutdown goes on without its caller"
      return this.building === true
        ? `${formatPath(this.path)}: the shutdown waited for the build of ${this.component} in flight, which did not complete within ${this.timeout}; ${goesOn}: what it shuts down is released once that build ends`
        : this.using === true
        ? `${formatPath(this.path)}: the shutdown waited for a use of ${this.component} in flight (its reloadable handle's use), which did not complete within ${this.timeout}; ${goesOn}: ${this.component} is released once that use ends, what it depends on after it`
        : `${formatPath(this.path)}: the shutdown's release of ${this.component} did not complete within ${this.timeout}; ${goesOn}: what it depends on is released after it`
    }
    return this.building === true
      ? `${formatPath(this.path)}: the release waited for the build of ${this.component} in flight, which did not complete within ${this.timeout}; nothing was released`
      : this.using === true
      ? `${formatPath(this.path)}: the release waited for a use of ${this.component} in flight (its reloadable handle's use), which did not complete within ${this.timeout}; the components not released yet were left unreleased`
      : `${formatPath(this.path)}: releasing ${this.component} did not complete within ${this.timeout}; the components not released yet were left unreleased`
  }
}

/** @internal */
export class InvalidOptions extends Data.TaggedError("InvalidOptions")<{
  readonly problems: ReadonlyArray<Errors.OptionProblem>
}> {
  override get message(): string {
    const count = this.problems.length
    return `${count} invalid option${count === 1 ? "" : "s"}:\n${this.problems.map((problem) => `  - ${formatOptionProblem(problem)}`).join("\n")}`
  }
}

/** @internal */
export class DuplicateName extends Data.TaggedError("DuplicateName")<{
  readonly name: string
  readonly services: ReadonlyArray<string>
}> {
  override get message(): string {
    return `duplicate component name "${this.name}": given to ${this.services.length} components (providing ${
      listed(this.services)
    }); names must be unique in a registry (to put one in another's place, use Registry.replace, or Testing.named in a test)`
  }
}

/** @internal */
export class MissingComponent extends Data.TaggedError("MissingComponent")<{
  readonly path: Errors.DependencyPath
  readonly request: string
  readonly available: ReadonlyArray<string>
  readonly suggestions: ReadonlyArray<string>
  readonly unqualified: ReadonlyArray<string>
  readonly qualifiers?: ReadonlyArray<ReadonlyArray<string>> | undefined
  readonly excluded: ReadonlyArray<Errors.ExcludedCandidate>
  readonly family?: Errors.FamilyHint | undefined
  readonly elsewhere?: Errors.NamedElsewhere | undefined
  readonly alsoThrough?: ReadonlyArray<string> | undefined
  /** the steps of its chain a hook requested, in order (see `Errors.HookStep`); absent when constructors requested every one */
  readonly hooks?: ReadonlyArray<Errors.HookStep> | undefined
}> {
  override get message(): string {
    return missingComponent(this)
  }
}

/** @internal */
export class AmbiguousComponent extends Data.TaggedError("AmbiguousComponent")<{
  readonly path: Errors.DependencyPath
  readonly request: string
  readonly candidates: ReadonlyArray<string>
  readonly rule: string
  readonly alsoThrough?: ReadonlyArray<string> | undefined
  /** the steps of its chain a hook requested, in order (see `Errors.HookStep`); absent when constructors requested every one */
  readonly hooks?: ReadonlyArray<Errors.HookStep> | undefined
}> {
  override get message(): string {
    return ambiguousComponent(this)
  }
}

/** @internal */
export class CircularDependency extends Data.TaggedError("CircularDependency")<{
  readonly path: Errors.DependencyPath
  readonly cycle: ReadonlyArray<string>
  readonly alsoThrough?: ReadonlyArray<string> | undefined
  /** the steps of its chain a hook requested, in order (see `Errors.HookStep`); absent when constructors requested every one */
  readonly hooks?: ReadonlyArray<Errors.HookStep> | undefined
}> {
  override get message(): string {
    return circularDependency(this)
  }
}

/** @internal */
export class LifetimeMismatch extends Data.TaggedError("LifetimeMismatch")<{
  readonly path: Errors.DependencyPath
  readonly component: string
  readonly lifetime: string
  readonly dependency: string
  /**
   * The dependency's lifetime: `scoped(Request)`, or `input of Request` for a scope's input (the
   * service whoever opens the scope provides: no handle reaches it from outside the scope).
   */
  readonly dependencyLifetime: string
  /** the transient components the dependency is reached through, in order */
  readonly through: ReadonlyArray<string>
  readonly alsoThrough?: ReadonlyArray<string> | undefined
  /** the steps of its chain a hook requested, in order (see `Errors.HookStep`); absent when constructors requested every one */
  readonly hooks?: ReadonlyArray<Errors.HookStep> | undefined
  /** the dependency is scoped to a scope `Http.requestScope` serves (its inputs have the platform's `HttpServerRequest`) */
  readonly http?: true | undefined
}> {
  override get message(): string {
    return lifetimeMismatch(this)
  }
}

/** @internal */
export class InvalidDeclaration extends Data.TaggedError("InvalidDeclaration")<{
  readonly path: Errors.DependencyPath
  readonly subject: Errors.DeclarationSubject
  readonly issues: ReadonlyArray<Errors.DeclarationIssue>
}> {
  override get message(): string {
    return invalidDeclaration(this)
  }
}

/** @internal */
export class InvalidConfig extends Data.TaggedError("InvalidConfig")<{
  readonly source: Errors.ConfigSource
  readonly cause: ConfigError.ConfigError
}> {
  override get message(): string {
    return invalidConfig(this)
  }
}

/** @internal */
export class ResolutionError extends Data.TaggedError("ResolutionError")<{
  readonly problems: ReadonlyArray<Errors.Problem>
}> {
  override get message(): string {
    return resolutionError(this)
  }
}
