import type * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import type * as Component from "../Component.js"
import type * as Dependency from "../Dependency.js"
import type * as Lifecycle from "../Lifecycle.js"
import * as component from "./component.js"

/** @internal */
export const empty: Lifecycle.Lifecycle = {
  startup: undefined,
  initializers: [],
  onStart: [],
  onStop: [],
  disposers: [],
  background: [],
  healthChecks: [],
  timeouts: {}
}

/** @internal */
export const get = (self: Component.Any): Lifecycle.Lifecycle => self.lifecycle ?? empty

/**
 * A startup order as text: the extremes by their names (`Ops.serve`'s default is
 * `Number.MIN_SAFE_INTEGER`), whose sixteen digits say nothing to a reader.
 *
 * @internal
 */
export const startupText = (order: number): string =>
  order === Number.MIN_SAFE_INTEGER
    ? "Number.MIN_SAFE_INTEGER"
    : order === Number.MAX_SAFE_INTEGER
    ? "Number.MAX_SAFE_INTEGER"
    : String(order)

/** @internal */
export const isStartup = (self: Component.Any): boolean => self.lifecycle !== undefined && self.lifecycle.startup !== undefined

const modify = (self: Component.Any, patch: (lifecycle: Lifecycle.Lifecycle) => Lifecycle.Lifecycle): Component.Any =>
  component.fromFields({ ...component.fieldsOf(self), lifecycle: patch(get(self)) })

/** A hook's default name: `onStart`, then `onStart#2`, `onStart#3`... in declaration order. */
const hookName = (kind: string, existing: ReadonlyArray<{ readonly name: string }>, options: Lifecycle.HookOptions | undefined) =>
  options?.name ?? (existing.length === 0 ? kind : `${kind}#${existing.length + 1}`)

const isComponentFirst = (args: IArguments) => component.isComponent(args[0])

/** A hook's declared dependencies, copied (a component is immutable; a caller's array may change). */
const dependenciesOf = (options: Lifecycle.HookOptions | undefined): ReadonlyArray<Dependency.Any> =>
  Array.isArray(options?.dependencies) ? options.dependencies.slice() : []

/** @internal */
export const startup: {
  (order?: number): <Id, Service, E>(self: Component.Component<Id, Service, E>) => Component.Component<Id, Service, E>
  <Id, Service, E>(self: Component.Component<Id, Service, E>, order?: number): Component.Component<Id, Service, E>
} = dual(
  isComponentFirst,
  (self: Component.Any, order?: number): Component.Any => modify(self, (lifecycle) => ({ ...lifecycle, startup: order ?? 0 }))
)

const hookCombinator = (kind: "initializer" | "onStart" | "onStop" | "disposer"): Lifecycle.HookCombinator =>
  dual(
    isComponentFirst,
    (
      self: Component.Any,
      run: (service: unknown) => Effect.Effect<unknown, unknown, unknown>,
      options?: Lifecycle.HookOptions
    ): Component.Any =>
      modify(self, (lifecycle) => {
        const field = kind === "initializer" ? "initializers" : kind === "disposer" ? "disposers" : kind
        const existing = lifecycle[field]
        const hook: Lifecycle.Hook = { name: hookName(kind, existing, options), run, dependencies: dependenciesOf(options) }
        return { ...lifecycle, [field]: [...existing, hook] }
      })
  )

/** @internal */
export const initializer = hookCombinator("initializer")

/** @internal */
export const onStart = hookCombinator("onStart")

/** @internal */
export const onStop = hookCombinator("onStop")

/** @internal */
export const disposer = hookCombinator("disposer")

/** @internal */
export const background: {
  <Service, const Dependencies extends ReadonlyArray<Dependency.Any> = readonly []>(
    run: (service: Service, shutdown: Lifecycle.ShutdownSignal) => Effect.Effect<unknown, unknown, Dependency.Identifiers<Dependencies>>,
    options?: Lifecycle.BackgroundOptions<Dependencies>
  ): <Id, E>(self: Component.Component<Id, Service, E>) => Component.Component<Id, Service, E>
  <Id, Service, E, const Dependencies extends ReadonlyArray<Dependency.Any> = readonly []>(
    self: Component.Component<Id, Service, E>,
    run: (service: Service, shutdown: Lifecycle.ShutdownSignal) => Effect.Effect<unknown, unknown, Dependency.Identifiers<Dependencies>>,
    options?: Lifecycle.BackgroundOptions<Dependencies>
  ): Component.Component<Id, Service, E>
} = dual(
  isComponentFirst,
  (
    self: Component.Any,
    run: (service: unknown, shutdown: Lifecycle.ShutdownSignal) => Effect.Effect<unknown, unknown, unknown>,
    options?: Lifecycle.BackgroundOptions
  ): Component.Any =>
    modify(self, (lifecycle) => ({
      ...lifecycle,
      background: [...lifecycle.background, {
        name: hookName("background", lifecycle.background, options),
        onShutdown: options?.onShutdown ?? "interrupt",
        run,
        dependencies: dependenciesOf(options)
      }]
    }))
)

/** @internal */
export const healthCheck: Lifecycle.HookCombinator<Lifecycle.HealthCheckOptions> = dual(
  isComponentFirst,
  (
    self: Component.Any,
    run: (service: unknown) => Effect.Effect<unknown, unknown, unknown>,
    options?: Lifecycle.HealthCheckOptions
  ): Component.Any =>
    modify(self, (lifecycle) => {
      const existing = lifecycle.healthChecks
      return {
        ...lifecycle,
        healthChecks: [...existing, {
          name: hookName("healthCheck", existing, options),
          run,
          timeout: options?.timeout,
          readiness: options?.readiness === true,
          dependencies: dependenciesOf(options)
        }]
      }
    })
)

/** @internal */
export const timeouts: {
  (timeouts: Lifecycle.Timeouts): <Id, Service, E>(self: Component.Component<Id, Service, E>) => Component.Component<Id, Service, E>
  <Id, Service, E>(self: Component.Component<Id, Service, E>, timeouts: Lifecycle.Timeouts): Component.Component<Id, Service, E>
} = dual(
  2,
  (self: Component.Any, timeouts: Lifecycle.Timeouts): Component.Any =>
    modify(self, (lifecycle) => ({ ...lifecycle, timeouts: { ...lifecycle.timeouts, ...timeouts } }))
)
