/**
 * The container: the running graph of an application or of a plan's Layer, as a service.
 *
 * A component or the program requests `Container.Container` like any other service (in its
 * `dependencies`, or among a Layer's roots) and gets the container that built it: what opens a
 * lifetime's scope (`Lifetime.within`) and holds the instances built after startup (lazy singletons,
 * transients, scoped instances). The request resolves to the container itself (the rule `container`),
 * never to a component.
 *
 * @since 0.2.0
 */
import type * as Context from "effect/Context"
import type * as Plan from "./Plan.js"
import * as internal from "./internal/container.js"

/**
 * The running container of a graph.
 *
 * @since 0.2.0
 * @category models
 */
export interface Container {
  /** The plan it runs. */
  readonly plan: Plan.Any
}

/**
 * The container's tag: request it to reach the running container.
 *
 * @example
 * ```ts
 * import { Context, Effect } from "effect"
 * import { Component, Container, Lifetime, Registry } from "layerwise"
 *
 * class CurrentUser extends Context.Tag("app/CurrentUser")<CurrentUser, { readonly id: string }>() {}
 * const Request = Lifetime.scope("Request")
 *
 * const registry = Registry.make(
 *   Component.make(CurrentUser, { build: Effect.sync(() => ({ id: crypto.randomUUID() })) }).pipe(Lifetime.scoped(Request))
 * )
 *
 * // the Layer provides the container; each `Lifetime.within` opens a Request scope of its own
 * export const program = Effect.gen(function*() {
 *   const first = yield* Lifetime.within(CurrentUser, Request, [CurrentUser])
 *   const second = yield* Lifetime.within(CurrentUser, Request, [CurrentUser])
 *   return first.id !== second.id
 * }).pipe(Effect.provide(Registry.toLayer(registry, [Container.Container], { scopes: [Request] })))
 * ```
 *
 * @since 0.2.0
 * @category tags
 */
export const Container: Context.Tag<Container, Container> = internal.Tag
