/**
 * Keyed instances: one instance per key (tenant, data source, cluster), rebuilt when its settings
 * change, the replaced one disposed exactly once, after its last user.
 *
 * A provider says how to key a context, whether a cached instance needs an update for a context
 * (`needsUpdate` receives the context the cached instance was made with) and how to make one (a
 * scoped Effect: its finalizers are the instance's disposal). The manager guarantees:
 *
 * - the first `get` of a key builds; later gets that need no update return the same instance;
 * - concurrent gets of one key share one build; a slow build of one key never blocks other keys;
 *   a build is never cancelled by a caller giving up (it runs in the manager's scope);
 * - when `needsUpdate` says so, a new instance is built and swapped in; the old one is disposed
 *   exactly once, when every user still holding it has finished (a `get` holds its instance until
 *   the caller's scope closes), and is never handed out again;
 * - a failing build returns the error and leaves the previous instance cached and valid; a failing
 *   first build caches nothing (the next get tries again); a failing key function builds nothing;
 * - optional idle time-to-live and capacity (least recently used first) evict, disposing after the
 *   last holder;
 * - closing the manager's scope disposes every instance, waiting for holders up to `closeTimeout`;
 *   gets after that fail with {@link ManagerClosed}.
 *
 * Keys are compared with Effect's `Equal` / `Hash` (a `MutableHashMap`): strings, numbers and other
 * primitives by value; `Data.struct`, `Data.Class`, `Schema.Class` and other `Equal` values
 * structurally; plain objects and arrays by reference (so `{ tenant: "a" }` twice is two keys:
 * return a string or a `Data.struct` from `key`).
 *
 * Why not `RcMap` or `LayerMap`: they have no "needs update" rule and no safe replacement of a live
 * instance; the manager is built on the same Effect primitives (Scope per instance, reference
 * counts released by the user's Scope) and adds both.
 *
 * @since 0.1.0
 */
import type * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as internal from "./internal/instances.js"

/**
 * How to key, check and make instances.
 *
 * @since 0.1.0
 * @category models
 */
export interface Provider<C, K, A, E, R> {
  /** The cache key of a context (compared with `Equal`). May throw: the get fails with {@link InstanceKeyError}. */
  readonly key: (context: C) => K
  /** Whether the cached instance, made with `cached.context`, must be rebuilt for `context`. */
  readonly needsUpdate: (context: C, cached: Cached<C, A>) => boolean
  /** Makes an instance; its Scope's finalizers dispose it. */
  readonly make: (context: C) => Effect.Effect<A, E, R | Scope.Scope>
  /** Dispose an instance nobody used for this long. */
  readonly idleTimeToLive?: Duration.DurationInput | undefined
  /** At most this many cached keys; the least recently used is evicted first. */
  readonly capacity?: number | undefined
  /** How long closing the manager waits for holders before disposing anyway (default 30 seconds). */
  readonly closeTimeout?: Duration.DurationInput | undefined
}

/**
 * A cached instance and the context it was made with.
 *
 * @since 0.1.0
 * @category models
 */
export interface Cached<C, A> {
  readonly context: C
  readonly instance: A
}

/**
 * What is cached under a key.
 *
 * @since 0.1.0
 * @category models
 */
export interface Entry<K, C> {
  readonly key: K
  readonly context: C
  readonly createdAt: number
  /** Users holding the instance now. */
  readonly holders: number
}

/**
 * Counters of the manager's life so far, and what it holds now.
 *
 * @since 0.1.0
 * @category models
 */
export interface Metrics {
  readonly hits: number
  readonly misses: number
  readonly builds: number
  readonly replacements: number
  readonly disposals: number
  readonly failures: number
  readonly evictions: number
  /** Keys with a cached instance. */
  readonly cached: number
  /** Instances built and not yet disposed (cached, or retired but still held). */
  readonly live: number
}

/**
 * A keyed instance manager.
 *
 * @since 0.1.0
 * @category models
 */
export interface InstanceManager<C, K, A, E> {
  /** The instance for a context, held until the caller's scope closes. */
  readonly get: (context: C) => Effect.Effect<A, E | InstanceKeyError | ManagerClosed, Scope.Scope>
  /** Runs `f` with the instance for a context, holding it while `f` runs. */
  readonly use: <B, E2, R2>(
    context: C,
    f: (instance: A) => Effect.Effect<B, E2, R2>
  ) => Effect.Effect<B, E | E2 | InstanceKeyError | ManagerClosed, R2>
  /** Drops the key's instance from the cache; it is disposed once its holders are done. */
  readonly invalidate: (key: K) => Effect.Effect<void>
  /** What is cached now. */
  readonly entries: Effect.Effect<ReadonlyArray<Entry<K, C>>>
  /** Counters and sizes. */
  readonly metrics: Effect.Effect<Metrics>
}

/**
 * Makes a manager that lives in the current Scope (closing it disposes every instance).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Instances } from "layerwise"
 *
 * interface TenantSettings { readonly tenant: string; readonly url: string }
 *
 * const program = Effect.gen(function*() {
 *   const clients = yield* Instances.make({
 *     key: (settings: TenantSettings) => settings.tenant,
 *     needsUpdate: (settings, cached) => settings.url !== cached.context.url,
 *     make: (settings: TenantSettings) =>
 *       Effect.acquireRelease(
 *         Effect.sync(() => ({ url: settings.url })),
 *         () => Effect.log(`closing ${settings.url}`)
 *       )
 *   })
 *   return yield* clients.use({ tenant: "acme", url: "https://acme" }, (client) => Effect.succeed(client.url))
 * })
 * Effect.runPromise(Effect.scoped(program)).then(console.log) // "https://acme"
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: <C, K, A, E, R>(
  provider: Provider<C, K, A, E, R>
) => Effect.Effect<InstanceManager<C, K, A, E>, never, Scope.Scope | R> = internal.make

/**
 * A tag for a manager, so that a manager can be a component used by other components
 * (`Component.make(TenantClients, { build: Instances.make(provider) })`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Component, Instances } from "layerwise"
 *
 * interface Client { readonly url: string }
 * export const TenantClients = Instances.Tag<string, string, Client>("app/TenantClients")
 * export const TenantClientsLive = Component.make(TenantClients, {
 *   build: Instances.make({
 *     key: (tenant: string) => tenant,
 *     needsUpdate: () => false,
 *     make: (tenant) => Effect.succeed({ url: `https://${tenant}` })
 *   })
 * })
 * ```
 *
 * @since 0.1.0
 * @category tags
 */
export const Tag = <C, K, A, E = never>(key: string): Context.Tag<InstanceManager<C, K, A, E>, InstanceManager<C, K, A, E>> =>
  internal.tag(key)

/**
 * The key function threw: nothing was built.
 *
 * @example
 * ```ts
 * import { Instances } from "layerwise"
 *
 * console.log(new Instances.InstanceKeyError({ cause: new Error("no tenant") }).message)
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export const InstanceKeyError: typeof internal.InstanceKeyError = internal.InstanceKeyError

/**
 * @since 0.1.0
 * @category errors
 */
export type InstanceKeyError = internal.InstanceKeyError

/**
 * The manager's scope closed: it hands out no instance any more.
 *
 * @example
 * ```ts
 * import { Instances } from "layerwise"
 *
 * console.log(new Instances.ManagerClosed().message) // "the instance manager is closed"
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export const ManagerClosed: typeof internal.ManagerClosed = internal.ManagerClosed

/**
 * @since 0.1.0
 * @category errors
 */
export type ManagerClosed = internal.ManagerClosed
