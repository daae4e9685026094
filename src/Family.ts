/**
 * Component families: one declaration, many instances identified by name(arguments).
 *
 * A family is declared once with a key function of its arguments; every request carries arguments,
 * and requests whose arguments have the same key resolve to **one** instance (the member), while
 * different keys are separate instances, each with its own dependencies (which may themselves be
 * members of other families). Two clients for two clusters are two members of one family; every
 * component asking for the client of cluster "a" shares one.
 *
 * Arguments of later requests for an existing member: by default the first request in resolution
 * order wins (the roots in order, then depth-first: each component's requests all in declaration
 * order, before any request of its dependencies); with a `merge` function, every request's
 * arguments are folded into the member's, in that order
 * (`merge(existing, incoming)`), before anything is built. When merged arguments change a member's
 * dependencies, resolution is redone with the merged arguments until the dependencies are stable, so
 * `merge` must settle (idempotent and commutative merges such as max, union, or "or" always do).
 *
 * Members are ordinary plan nodes named `Family(key)`: they appear in explanations, they can be
 * replaced by name (`Registry.replace("KubeClient(a)", ...)`, `Testing.named`), and they are built
 * and released like any component, with the family's `lifecycle` (start and stop hooks, background
 * work, health checks...) each. An override of the family's service with no qualifier
 * (`Testing.value(Tag, fake)`) applies to every request of the service, member requests included:
 * it replaces every member. A family must be registered in the registry like a component;
 * members are reached only through member requests (a plain request for the family's tag does not
 * see them). Names are unique in a registry: two registered families with one name, or a member
 * named like a component, are a `DuplicateName`; members of two families never share a key (nor an
 * instance), even when the families share a name.
 *
 * @since 0.1.0
 */
import type * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type { Inspectable } from "effect/Inspectable"
import type { Pipeable } from "effect/Pipeable"
import type * as Scope from "effect/Scope"
import type * as Types from "effect/Types"
import type * as Component from "./Component.js"
import type * as Dependency from "./Dependency.js"
import * as internal from "./internal/family.js"

/**
 * The brand every component family carries: what `Family.isFamily` tests.
 *
 * @example
 * ```ts
 * import { Family } from "layerwise"
 *
 * export const branded = (u: object): boolean => Family.TypeId in u
 * ```
 *
 * @since 0.1.0
 * @category symbols
 */
export const TypeId: unique symbol = internal.TypeId as TypeId

/**
 * @since 0.1.0
 * @category symbols
 */
export type TypeId = typeof TypeId

/**
 * Identifier of a request for a member of the family of `Id`, with the arguments of that request.
 *
 * The arguments are part of the type (inferred as literally as they are written), so that a
 * constructor that declares the member of `{ cluster: "eu" }` cannot use the member of
 * `{ cluster: "us" }` unnoticed: members with different arguments are different services to the
 * compiler, as they are to the resolver. Arguments known only as a wide type (a `string` variable)
 * give a member type that covers every member with arguments of that type.
 *
 * @example
 * ```ts
 * import { Context, Effect } from "effect"
 * import { Family } from "layerwise"
 *
 * class KubeClient extends Context.Tag("app/KubeClient")<KubeClient, { readonly cluster: string }>() {}
 * const KubeClients = Family.make(KubeClient, {
 *   key: (args: { readonly cluster: string }) => args.cluster,
 *   build: (args) => Effect.succeed({ cluster: args.cluster })
 * })
 *
 * // Context.Tag<Family.Member<KubeClient, { readonly cluster: "eu" }>, { readonly cluster: string }>
 * export const EuClient = KubeClients.of({ cluster: "eu" })
 * ```
 *
 * @since 0.1.0
 * @category type-level
 */
export interface Member<out Id, out Args = unknown> {
  readonly "~layerwise/Member": Id
  readonly "~layerwise/MemberArgs": Args
}

/**
 * A family of components providing `Service` under the tag `Id`, one member per key of `Args`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Family<in out Id, in out Service, in out Args, out E = unknown> extends Pipeable, Inspectable {
  readonly [TypeId]: TypeId
  /** The error type of its members' constructors (type-level only). */
  readonly "~layerwise/FamilyError"?: Types.Covariant<E> | undefined
  /** The tag every member provides. */
  readonly tag: Context.Tag<Id, Service>
  /** The family's name; members are named `name(key)`. */
  readonly name: string
  /** The member name of a request's arguments; equal keys share one instance. */
  readonly key: (args: Args) => string
  /** A request for the member of these arguments (same as {@link request}). */
  readonly of: <const A extends Args>(args: A) => Context.Tag<Member<Id, A>, Service>
}

/**
 * Declares a family.
 *
 * @example
 * ```ts
 * import { Context, Effect } from "effect"
 * import { Component, Family, Lifecycle, Registry } from "layerwise"
 *
 * class Credentials extends Context.Tag("app/Credentials")<Credentials, { readonly token: string }>() {}
 * class KubeClient extends Context.Tag("app/KubeClient")<KubeClient, { readonly cluster: string; readonly qps: number }>() {}
 *
 * export const KubeClients = Family.make(KubeClient, {
 *   name: "KubeClient",
 *   key: (args: { readonly cluster: string; readonly qps: number }) => args.cluster,
 *   // two requests for one cluster share a client that satisfies both
 *   merge: (existing, incoming) => ({ ...existing, qps: Math.max(existing.qps, incoming.qps) }),
 *   dependencies: () => [Credentials],
 *   build: (args) => Effect.map(Credentials, () => ({ cluster: args.cluster, qps: args.qps })),
 *   // every member started, health-checked and stopped by an App, as a component is
 *   lifecycle: (member) => member.pipe(Lifecycle.healthCheck((client) => Effect.log(`ping ${client.cluster}`)))
 * })
 *
 * export const registry = Registry.make(
 *   Component.succeed(Credentials, { token: "t" }),
 *   KubeClients
 * )
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: <Id, Service, Args, E = never, const Dependencies extends ReadonlyArray<Dependency.Any> = readonly []>(
  tag: Context.Tag<Id, Service>,
  options: {
    /** Defaults to the tag's key. */
    readonly name?: string | undefined
    readonly key: (args: Args) => string
    readonly merge?: ((existing: Types.NoInfer<Args>, incoming: Types.NoInfer<Args>) => Types.NoInfer<Args>) | undefined
    readonly dependencies?: ((args: Types.NoInfer<Args>) => Dependencies) | undefined
    readonly build: (
      args: Types.NoInfer<Args>
    ) => Effect.Effect<Types.NoInfer<Service>, E, Scope.Scope | Dependency.Identifiers<Dependencies>>
    /**
     * Every member's lifecycle: the `Lifecycle` combinators applied to a component of the family's
     * service (`(member) => member.pipe(Lifecycle.onStart(...), Lifecycle.healthCheck(...))`), of
     * which only the lifecycle metadata is kept. An `App` runs each member's hooks as a component's;
     * a member replaced by name takes its replacement's lifecycle instead.
     */
    readonly lifecycle?:
      | ((
        member: Component.Component<Id, Types.NoInfer<Service>, Types.NoInfer<E>>
      ) => Component.Component<Id, Types.NoInfer<Service>, Types.NoInfer<E>>)
      | undefined
  }
) => Family<Id, Service, Args, E> = internal.make

/**
 * A request for the member of a family with the given arguments: a tag, used like any dependency.
 *
 * @example
 * ```ts
 * import { Context, Effect } from "effect"
 * import { Component, Family } from "layerwise"
 *
 * class KubeClient extends Context.Tag("app/KubeClient")<KubeClient, { readonly cluster: string }>() {}
 * class Controller extends Context.Tag("app/Controller")<Controller, { readonly watching: string }>() {}
 *
 * const KubeClients = Family.make(KubeClient, {
 *   key: (args: { readonly cluster: string }) => args.cluster,
 *   build: (args) => Effect.succeed({ cluster: args.cluster })
 * })
 * const EuClient = Family.request(KubeClients, { cluster: "eu" })
 *
 * export const ControllerLive = Component.make(Controller, {
 *   dependencies: [EuClient],
 *   build: Effect.map(EuClient, (client) => ({ watching: client.cluster }))
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const request: <Id, Service, Args, const A extends Args>(
  family: Family<Id, Service, Args, unknown>,
  args: A
) => Context.Tag<Member<Id, A>, Service> = internal.request

/**
 * Returns `true` if the value is a family.
 *
 * @example
 * ```ts
 * import { Context, Effect } from "effect"
 * import { Family } from "layerwise"
 *
 * class Client extends Context.Tag("app/Client")<Client, string>() {}
 * const Clients = Family.make(Client, { key: (name: string) => name, build: (name) => Effect.succeed(name) })
 * console.log(Family.isFamily(Clients)) // true
 * ```
 *
 * @since 0.1.0
 * @category refinements
 */
export const isFamily: (u: unknown) => u is Family<unknown, unknown, unknown> = internal.isFamily
