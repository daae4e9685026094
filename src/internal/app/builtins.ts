/**
 * App's built-in services (`App.Shutdowner`, `App.Health`): services only an application can
 * provide, registered as components in every App's registry (and registrable by hand): `alternative`,
 * so a component of the user's own wins; outside an App (a plan built with `Plan.toLayer`) their
 * constructor dies saying so; in an App the run builds them as its own service instead.
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type * as App from "../../App.js"
import type * as Component from "../../Component.js"
import type * as PublicContainer from "../../Container.js"
import type * as Dependency from "../../Dependency.js"
import type * as Errors from "../../Errors.js"
import type * as Health from "../../Health.js"
import * as componentInternal from "../component.js"
import * as dependency from "../dependency.js"

/** What an application run offers its built-in services. @internal */
export interface Host {
  /** records the request unless one was made already (the first wins) */
  readonly requestShutdown: (reason: string | undefined, exitCode: number | undefined) => void
  readonly checkHealth: Effect.Effect<Health.Report>
  readonly checkHealthOf: (
    which: ReadonlyArray<string | Dependency.Any | PublicContainer.Container>,
    options?: App.HealthOptions
  ) => Effect.Effect<Health.Report, Errors.UnknownComponent>
  readonly application: App.Application
}

interface BuiltIn<S> {
  readonly tag: Context.Tag<S, S>
  readonly component: Component.Component<S, S>
  /** the constructor outside an App: what tells this built-in's component apart */
  readonly outsideApp: Effect.Effect<never>
  readonly serviceOf: (host: Host) => S
}

const builtIn = <S>(key: string, label: string, serviceOf: (host: Host) => S): BuiltIn<S> => {
  const tag = Context.GenericTag<S>(key)
  const outsideApp = componentInternal.markBuiltIn(Effect.dieMessage(`${label} is only provided by an App (App.run, App.start, App.layer)`))
  const component = componentInternal.make(tag as Context.Tag<unknown, unknown>, {
    name: key,
    alternative: true,
    build: outsideApp
  }) as Component.Component<S, S>
  return { tag, component, outsideApp, serviceOf }
}

/**
 * A shutdown request (`App.shutdown`, the `Shutdowner`'s `shutdown`), its exit code checked first: one
 * that is not an integer from 0 to 255 is a defect naming the caller, and nothing is requested. A
 * defect, not a typed error: `shutdown`'s error channel is `never` (a typed error would change every
 * caller's type), and a bad exit code is a mistake in the program, not a condition to handle.
 *
 * @internal
 */
export const requestShutdown = (
  caller: string,
  host: Pick<Host, "requestShutdown">,
  reason: string | undefined,
  options: App.ShutdownOptions | undefined
): Effect.Effect<void> =>
  Effect.suspend(() => {
    const exitCode = options?.exitCode
    if (exitCode !== undefined && !(Number.isInteger(exitCode) && exitCode >= 0 && exitCode <= 255)) {
      return Effect.die(
        new Cause.IllegalArgumentException(`layerwise ${caller}: the exit code must be an integer from 0 to 255, got ${String(exitCode)}`)
      )
    }
    host.requestShutdown(reason, exitCode)
    return Effect.void
  })

const shutdowner = builtIn<App.Shutdowner>(dependency.shutdownerKey, "App.Shutdowner", (host) => ({
  shutdown: (reason?: string, options?: App.ShutdownOptions) => requestShutdown("App.Shutdowner shutdown", host, reason, options)
}))

const health = builtIn<App.Health>(dependency.healthKey, "App.Health", (host) => ({
  check: host.checkHealth,
  checkOf: (which, options) => host.checkHealthOf(which, options),
  readiness: host.application.readiness
}))

const application = builtIn<App.Application>(dependency.applicationKey, "App.Application", (host) => host.application)

const all: ReadonlyArray<BuiltIn<unknown>> = [
  shutdowner as BuiltIn<unknown>,
  health as BuiltIn<unknown>,
  application as BuiltIn<unknown>
]

/** @internal */
export const Shutdowner: Context.Tag<App.Shutdowner, App.Shutdowner> = shutdowner.tag

/** @internal */
export const shutdownerComponent: Component.Component<App.Shutdowner, App.Shutdowner> = shutdowner.component

/** @internal */
export const HealthTag: Context.Tag<App.Health, App.Health> = health.tag

/** @internal */
export const healthComponent: Component.Component<App.Health, App.Health> = health.component

/** @internal */
export const ApplicationTag: Context.Tag<App.Application, App.Application> = application.tag

/** @internal */
export const applicationComponent: Component.Component<App.Application, App.Application> = application.component

/** The components every application's registry gets. @internal */
export const components: ReadonlyArray<Component.Any> = [shutdowner.component, health.component, application.component]

/**
 * Whether a component is one of layerwise's own services (`App.ShutdownerLive`, `App.HealthLive`,
 * `App.ApplicationLive`), told by its constructor: a component of the user's own for one of their
 * tags is the user's. Such a component is part of the plan (the edges to it are real dependencies,
 * `Explain` shows them), but not one of the application's components: the report, the phases, the
 * events, the startup log and the ops endpoints leave it out.
 *
 * @internal
 */
export const isBuiltIn: (component: Component.Any) => boolean = componentInternal.isBuiltIn

/** The service a built-in component has in an application run; `undefined` for any other component. @internal */
export const serviceIn = (host: Host, component: Component.Any): { readonly service: unknown } | undefined => {
  const construct = component.construct
  if (construct._tag !== "Effect") return undefined
  for (const candidate of all) {
    if (construct.effect === candidate.outsideApp) return { service: candidate.serviceOf(host) }
  }
  return undefined
}
