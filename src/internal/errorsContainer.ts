/**
 * `Errors`' container and scope errors: what run-time lookups (`Container.get`), child containers, shutdowns
 * and scopes (`Lifetime.scoped`, `Http.requestScope`) fail with.
 *
 * The public side of these errors: what `Errors` re-exports (`export *`), with the documentation and examples
 * that test/Docs.test.ts type-checks as those of the public modules. The classes are in `./errors.ts`.
 *
 * @internal
 */
import type { DependencyPath } from "../Errors.js"
import * as internal from "./errors.js"
import type { Constructor } from "./errors.js"

/**
 * A component scoped to a scope was needed (through a handle, or a scope's own request) where no
 * scope of that name is open (for a lazy handle: nor the one it was made in). Nothing was built for it.
 * `closing`: the scope was open, but its close had begun (a fiber that outlived it asked): neither a
 * scoped component nor a transient the scope would own is built, or given, there any more.
 *
 * @example
 * ```ts
 * import { Errors } from "layerwise"
 *
 * const error = new Errors.ScopeNotOpen({ component: "CurrentUser", scope: "Request", path: ["Admin", "CurrentUser"] })
 * console.log(error.message)
 * // "Admin -> CurrentUser: CurrentUser is scoped to Request, and no Request scope is open here (open one
 * // with Lifetime.within; an HTTP server opens one per request with Http.requestScope)"
 * ```
 *
 * @since 0.2.0
 * @category errors
 */
export const ScopeNotOpen: Constructor<typeof internal.ScopeNotOpen, ScopeNotOpen> = internal.ScopeNotOpen
export interface ScopeNotOpen extends internal.ScopeNotOpen {}

/**
 * A request scope (`Http.requestScope`) lists `services` its scope does not provide (its components, in
 * `provides`, and the plan's roots), or names a scope the application does not declare (`declared`: the
 * scopes it declares). Found against the running container, before any request is served.
 *
 * @example
 * ```ts
 * import { Errors } from "layerwise"
 *
 * const error = new Errors.NotInScope({ scope: "Request", services: ["Audit"], provides: ["CurrentUser", "Tx"], declared: ["Request"] })
 * console.log(error.message) // "the scope Request does not provide Audit (it provides: CurrentUser, Tx; and the plan's roots): list only ..."
 * ```
 *
 * @since 0.2.0
 * @category errors
 */
export const NotInScope: Constructor<typeof internal.NotInScope, NotInScope> = internal.NotInScope
export interface NotInScope extends internal.NotInScope {}

/**
 * Why a plan left out a registered component ({@link UnknownComponent}'s `leftOut`): a false condition (`Excluded`), a request
 * that chose others (`NotChosen`), no request (`NotRequested`); or what answers a request no component does (`Provided`).
 *
 * @example
 * ```ts
 * import { Errors } from "layerwise"
 *
 * const notChosen: Errors.LeftOutReason = { _tag: "NotChosen", path: ["Api", "Db"], chosen: ["Pg"], rule: "primary" }
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export type LeftOutReason =
  | { readonly _tag: "Excluded"; readonly condition: string }
  | { readonly _tag: "NotChosen"; readonly path: DependencyPath; readonly chosen: ReadonlyArray<string>; readonly rule: string }
  | { readonly _tag: "NotRequested" }
  | { readonly _tag: "Provided"; readonly rule: "external" | "input" | "options" | "container"; readonly scope?: string | undefined }

/**
 * A component was asked for by a name (or a request, by its label) the plan has no component for: `suggestions`
 * are its close names; `leftOut` (Explain) says why the plan left out a registered component of that name, or what
 * answers a request no component does ({@link LeftOutReason}); `members` (Explain): the components a request resolved to.
 *
 * @example
 * ```ts
 * import { Errors } from "layerwise"
 *
 * const error = new Errors.UnknownComponent({ name: "mian", suggestions: ["main"] })
 * console.log(error.message) // "no component is named mian (did you mean main?)"
 * const lost = new Errors.UnknownComponent({ name: "Sqlite", suggestions: [], leftOut: { _tag: "NotChosen", path: ["Api", "Db"], chosen: ["Pg"], rule: "primary" } })
 * console.log(lost.message) // "Sqlite is not in the plan: Api -> Db chose Pg (primary)"
 * ```
 *
 * @since 0.2.0
 * @category errors
 */
export const UnknownComponent: Constructor<typeof internal.UnknownComponent, UnknownComponent> = internal.UnknownComponent
export interface UnknownComponent extends internal.UnknownComponent {}

// ---------------------------------------------------------------------------------------------
// Container errors (run-time lookups, child containers)

/**
 * A run-time lookup (`Container.get`) that closes a cycle: a constructor a lookup started looked up
 * (directly or through others) what that lookup was building. `path` lists the lookups in progress,
 * outermost first, each followed by the components built for it down to the one whose constructor
 * made the next lookup, then the lookup that closed the cycle (it fails at once: nothing waits).
 *
 * @example
 * ```ts
 * import { Errors } from "layerwise"
 *
 * const error = new Errors.CircularLookup({ path: ["Plugins", "Registry", "Plugins"] })
 * console.log(error.message)
 * // "Plugins -> Registry -> Plugins: a run-time lookup closes a cycle (a constructor looks up what is being built for it)"
 * ```
 *
 * @since 0.2.0
 * @category errors
 */
export const CircularLookup: Constructor<typeof internal.CircularLookup, CircularLookup> = internal.CircularLookup
export interface CircularLookup extends internal.CircularLookup {}

/**
 * A container that is closing or closed was asked to look something up or to open a child; `container`: its path (`[]`: the root).
 * A handle's `reload` then fails so too, and its `use` or `get` of a released instance dies with it (`operation`: `use`, `get`).
 * Under App, a singleton of a container's own built as the application's stop began is not started: `stopping` is set then.
 *
 * @example
 * ```ts
 * import { Errors } from "layerwise"
 *
 * const error = new Errors.ContainerClosed({ container: ["tenant-a"], operation: "child" })
 * console.log(error.message) // "the container tenant-a is closed: child is not possible"
 * ```
 *
 * @since 0.2.0
 * @category errors
 */
export const ContainerClosed: Constructor<typeof internal.ContainerClosed, ContainerClosed> = internal.ContainerClosed
export interface ContainerClosed extends internal.ContainerClosed {}

/**
 * A child container was opened with a name one of its open siblings already has.
 *
 * @example
 * ```ts
 * import { Errors } from "layerwise"
 *
 * const error = new Errors.DuplicateChild({ parent: [], name: "tenant-a", siblings: ["tenant-a", "tenant-b"] })
 * console.log(error.message) // "the container root already has a child named tenant-a (its children: tenant-a, tenant-b)"
 * ```
 *
 * @since 0.2.0
 * @category errors
 */
export const DuplicateChild: Constructor<typeof internal.DuplicateChild, DuplicateChild> = internal.DuplicateChild
export interface DuplicateChild extends internal.DuplicateChild {}

/**
 * A component that was shut down (`Container.shutDown`) in a container: a lookup that needs it (the
 * component itself, or anything depending on it) fails so, as does shutting it down again.
 * `container` is the container's path from the root (`[]` for the root); `path` the requests from
 * the lookup to the component (`[]` when it was asked to shut down again).
 *
 * @example
 * ```ts
 * import { Errors } from "layerwise"
 *
 * const error = new Errors.ComponentShutDown({ container: [], component: "Db", path: ["Api", "Db"] })
 * console.log(error.message) // "Api -> Db: Db was shut down in the container root"
 * ```
 *
 * @since 0.2.0
 * @category errors
 */
export const ComponentShutDown: Constructor<typeof internal.ComponentShutDown, ComponentShutDown> = internal.ComponentShutDown
export interface ComponentShutDown extends internal.ComponentShutDown {}
