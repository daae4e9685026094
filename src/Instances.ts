/**
 * Keyed instances: one instance per key (tenant, data source, cluster), rebuilt when its settings
 * change, the replaced one disposed exactly once, after its last user.
 *
 * A {@link Provider} says how to key a context, whether the cached instance needs an update for a
 * context (`needsUpdate` receives the context the cached instance was made with) and how to make one
 * (a scoped Effect: its finalizers are the instance's disposal). The manager guarantees:
 *
 * - the first `get` of a key builds; later gets that need no update return the same instance;
 * - concurrent gets of one key share one build (and its outcome, failure included); a slow build of
 *   one key never blocks other keys; a build is never cancelled by a caller giving up, only by a
 *   close (it runs in a fiber of the manager);
 * - each get starts at most one build, and a get waiting for a build that succeeds receives its
 *   instance (the get that started it always; a get that joined it when it needs no update for that
 *   get's context, else it looks again), even if the instance was replaced, evicted or invalidated
 *   before the get resumed: it is then disposed after that get's use. So no churn of settings or
 *   capacity makes gets rebuild for each other forever;
 * - when `needsUpdate` says so, a new instance is built and swapped in; the old one is never handed
 *   out again and is disposed exactly once, when every user still holding it has finished (a `get`
 *   holds its instance until the caller's Scope closes; a `use` while its function runs);
 * - a failing build returns its error and leaves the previous instance cached and valid; a failing
 *   first build caches nothing (the next get tries again); an effectful key that fails fails the get
 *   with its own error and builds nothing;
 * - what types cannot describe is a defect, never a typed error: a key function that throws dies
 *   with an {@link InstanceKeyDefect}; a `make` that dies (or throws, or returns something other
 *   than an Effect, or interrupts itself) dies with an {@link InstanceMakeDefect} naming the key,
 *   and leaves the cache as it was; a `make` that gets its own key from the manager, directly or
 *   through other makes (of this manager or another), would wait for itself: that get dies with
 *   {@link InstanceCycle} instead. So a manager's gets fail only with the errors of its provider's
 *   `make` and `key` (`E` of {@link InstanceManager});
 * - optional idle time-to-live and capacity (least recently used first) evict, disposing after the
 *   last holder;
 * - closing the manager's Scope stops handing out instances: as with Effect's `RcMap`, a get after
 *   the close is interrupted, and so is a get waiting for a build the close interrupted. The close
 *   interrupts builds in flight, disposes every instance nobody holds and waits up to
 *   `closeTimeout` for the holders of the others; past it, it disposes them anyway and logs a
 *   warning naming their keys (counted in `forcedDisposals`).
 *
 * Disposal runs in the fiber that ends the instance's last use (the last holder's Scope closing, a
 * build that replaced or evicted it, an idle timer, the close), uninterruptibly. A failing
 * finalizer of an instance is logged and counted in `disposalFailures`; it never fails that fiber.
 *
 * Keys: primitives (strings, numbers, booleans, bigints, symbols, `null`, `undefined`) are compared
 * as a JavaScript `Map` compares them (SameValueZero: `===`, except that `NaN` equals `NaN`; `1` and
 * `"1"` are two keys); objects with Effect's `Equal` / `Hash` (a `MutableHashMap`): `Data.struct`,
 * `Data.tuple`, `Data.Class`, `Schema.Class` instances and other `Equal` values structurally, plain
 * objects and arrays by reference (so `{ tenant: "a" }` twice is two keys: return a string or a
 * `Data.struct` from `key`). For primitives this is `Equal` except for `NaN`, which `Equal` never
 * finds equal to itself.
 *
 * The key is computed once per `get`: an instance stays bound to the key it was built for, even if
 * the caller mutates the context afterwards (the next `get` with the mutated context is a get of its
 * new key). The cache keeps the caller's context object for `needsUpdate`, so pass immutable contexts.
 *
 * A cached get or use costs the same whatever the size of the caller's context: it copies no
 * context (a `get` reads the caller's Scope from it).
 *
 * @since 0.1.0
 */
import type * as Context from "effect/Context"
import * as Data from "effect/Data"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import type { Inspectable } from "effect/Inspectable"
import type * as Layer from "effect/Layer"
import type { Pipeable } from "effect/Pipeable"
import type * as Scope from "effect/Scope"
import { describeValue } from "./internal/describe.js"
import * as internal from "./internal/instances.js"

/**
 * The identifier of an {@link InstanceManager}.
 *
 * @example
 * ```ts
 * import { Instances } from "layerwise"
 *
 * console.log(typeof Instances.TypeId) // "symbol"
 * ```
 *
 * @since 0.1.0
 * @category symbols
 */
export const TypeId: unique symbol = Symbol.for("layerwise/Instances")

/**
 * @since 0.1.0
 * @category symbols
 */
export type TypeId = typeof TypeId

/**
 * How to key, check and make instances.
 *
 * - `C`: the context of a request (tenant settings, a data source's configuration);
 * - `K`: the cache key computed from it;
 * - `A`: the instance;
 * - `E`: how `make` fails (passed through to the caller unchanged);
 * - `R`: what `make` needs besides its Scope (taken from the context `make` was called in);
 * - `KE`: how an effectful `key` fails (passed through unchanged; `never` for a plain key function).
 *
 * The manager's gets fail with `E | KE`, nothing else (see the module's documentation).
 *
 * @example
 * ```ts
 * import { Data, Effect } from "effect"
 * import type { Instances } from "layerwise"
 *
 * interface DataSource { readonly org: number; readonly uid: string; readonly updated: number }
 * interface Connection { readonly uid: string }
 *
 * // a Data.struct key: equal by value, so two requests for one data source share its connection
 * export const dataSources: Instances.Provider<DataSource, { readonly org: number; readonly uid: string }, Connection> = {
 *   key: (source) => Data.struct({ org: source.org, uid: source.uid }),
 *   make: (source) => Effect.succeed({ uid: source.uid }),
 *   needsUpdate: (source, cached) => source.updated > cached.context.updated,
 *   idleTimeToLive: "10 minutes",
 *   capacity: 1_000
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Provider<C, K, A, E = never, R = never, KE = never> {
  /**
   * The cache key of a context, compared with `Equal` (see the module's documentation). A plain
   * value, or an Effect for keys that must be looked up: its failure `KE` fails the get unchanged.
   * A key function that throws is a defect: the get dies with {@link InstanceKeyDefect}. Either
   * way nothing is built. The result is run when it is an Effect, so a key must not itself be an Effect value
   * (`Option`, `Either`, a `Context.Tag`): wrap it in a `Data.struct` or a string.
   */
  readonly key: (context: C) => K | Effect.Effect<K, KE>
  /**
   * Makes an instance. It runs in a Scope of its own: the finalizers it adds are the instance's
   * disposal, run once, after its last holder. It is interrupted only by the manager's close. It
   * may get instances of other keys (also from this manager), never its own: see {@link InstanceCycle}.
   */
  readonly make: (context: C) => Effect.Effect<A, E, R | Scope.Scope>
  /**
   * Whether the cached instance, made with `cached.context`, must be rebuilt for `context` (it may
   * also look at `cached.instance`, to replace a broken one). Called on every get that finds an
   * instance, so keep it cheap and pure (one that invalidates the key anyway never gets the
   * invalidated instance handed out); a throw is a defect. A get that joined a build in flight
   * checks the built instance against its own context too, and builds again if it is stale for it.
   *
   * Write `make` before `needsUpdate` in the object literal (or annotate `make`'s parameter):
   * TypeScript fixes `A` when it types `cached`, so a `make` it has not seen yet would leave `A`
   * as `unknown`.
   */
  readonly needsUpdate: (context: C, cached: Cached<C, A>) => boolean
  /**
   * Dispose an instance nobody held for this long (default: never). Like every duration of layerwise, any
   * `Duration.DurationInput` (`60_000`, `"1 minute"`, `Duration.minutes(1)`), non-negative; infinite is the
   * default. Another value is a defect of `make` (as is an unusable `capacity`).
   */
  readonly idleTimeToLive?: Duration.DurationInput | undefined
  /** At most this many keys have a cached instance; the least recently used is evicted first (default: no limit). */
  readonly capacity?: number | undefined
  /** How long closing the manager waits for builds and holders before disposing anyway (default 30 seconds; finite, else as `idleTimeToLive`). */
  readonly closeTimeout?: Duration.DurationInput | undefined
  /**
   * The manager's name: the label `manager` of its Effect Metrics (`layerwise.instances.size`,
   * `.hits`, `.misses`, `.evictions`: see `Observability.instanceMetricsOf`). Without one it has no
   * Metrics (its `metrics` still count); `layer` names it after its tag's key by default.
   */
  readonly name?: string | undefined
}

/**
 * A cached instance and the context it was made with, as `needsUpdate` sees it.
 *
 * @example
 * ```ts
 * import type { Instances } from "layerwise"
 *
 * interface Settings { readonly url: string }
 * export const changed = (settings: Settings, cached: Instances.Cached<Settings, unknown>) =>
 *   settings.url !== cached.context.url
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Cached<C, A> {
  /** The context the instance was made with. */
  readonly context: C
  /** The instance. */
  readonly instance: A
}

/**
 * What is cached under a key, as listed by `entries`.
 *
 * @example
 * ```ts
 * import type { Instances } from "layerwise"
 *
 * export const describe = (entry: Instances.Entry<string, unknown>) =>
 *   `${entry.key}: created at ${new Date(entry.createdAt).toISOString()}, ${entry.holders} user(s)`
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Entry<K, C> {
  /** The key. */
  readonly key: K
  /** The context the cached instance was made with. */
  readonly context: C
  /** When it was built, in milliseconds of the manager's `Clock`. */
  readonly createdAt: number
  /** Users holding it now. */
  readonly holders: number
}

/**
 * Counters of the manager's life so far, and what it holds now.
 *
 * @example
 * ```ts
 * import type { Instances } from "layerwise"
 *
 * export const hitRatio = (metrics: Instances.Metrics) => metrics.hits / Math.max(1, metrics.hits + metrics.misses)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Metrics {
  /** Gets that found a cached instance needing no update. */
  readonly hits: number
  /** Gets that did not (they started a build or joined one). */
  readonly misses: number
  /** Builds started (one per shared build, however many gets joined it). */
  readonly builds: number
  /** Builds that failed, died or were interrupted by the close. */
  readonly failures: number
  /** Builds that replaced a cached instance. */
  readonly replacements: number
  /** Instances dropped by the idle time-to-live or the capacity. */
  readonly evictions: number
  /** Instances dropped by `invalidate`. */
  readonly invalidations: number
  /** Instances disposed (each once). */
  readonly disposals: number
  /** Disposals whose finalizers failed (logged). */
  readonly disposalFailures: number
  /** Instances disposed by a close that timed out while they were still held. */
  readonly forcedDisposals: number
  /** Keys with a cached instance now. */
  readonly cached: number
  /** Instances built and not yet disposed now (cached, or retired and still held). */
  readonly live: number
  /** Builds in flight now (a build ends once it has retired what its instance replaced or evicted). */
  readonly building: number
}

/**
 * A keyed instance manager. Its operations are plain Effects; it lives as long as the Scope it was
 * made in.
 *
 * - `C`: the context of a request; `K`: the cache key; `A`: the instance;
 * - `E`: how a get fails: the errors of the provider's `make` and of an effectful `key` (`never`
 *   when neither can fail). Defects and the manager's close are not in it (see the module's
 *   documentation).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import type { Instances } from "layerwise"
 *
 * interface Client { readonly query: (sql: string) => Effect.Effect<number> }
 *
 * // a request holds its tenant's client while it runs, even if the client is replaced meanwhile
 * export const handle = (clients: Instances.InstanceManager<string, string, Client>, tenant: string) =>
 *   clients.use(tenant, (client) => client.query("select 1"))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface InstanceManager<C, K, A, E = never> extends Pipeable, Inspectable {
  readonly [TypeId]: TypeId
  /**
   * The instance for a context, held until the caller's Scope closes: it is not disposed before,
   * even if it is replaced, invalidated or evicted meanwhile. Interrupting the caller while it
   * waits for a build does not cancel the build. The release is a finalizer of that Scope, so like
   * every finalizer it relies on the Scope being closed uninterruptibly (as `Effect.scoped` and
   * layers close theirs): a close interrupted midway skips the finalizers it has not run yet.
   *
   * The caller's Scope is read from its context, never copied, so a get costs the same in a
   * context of ten services or ten thousand. `Effect.scoped(get(...))` does copy it (as
   * `Effect.scoped` always does, to add the Scope): for the span of one effect, prefer `use`.
   */
  readonly get: (context: C) => Effect.Effect<A, E, Scope.Scope>
  /**
   * Runs `f` with the instance for a context, holding it while the effect `f` returns runs (also
   * when it fails or is interrupted, and when `f` itself throws: a defect). Needs no Scope: if
   * `f`'s effect needs one, it is the caller's.
   */
  readonly use: <B, E2, R2>(
    context: C,
    f: (instance: A) => Effect.Effect<B, E2, R2>
  ) => Effect.Effect<B, E | E2, R2>
  /**
   * Drops the key's instance from the cache: the next get builds a new one; this one is disposed
   * once its holders are done. A build in flight for the key is not affected and caches its result.
   */
  readonly invalidate: (key: K) => Effect.Effect<void>
  /** The keys with a cached instance (least recently used first when a capacity is set). */
  readonly keys: Effect.Effect<ReadonlyArray<K>>
  /** What is cached now, in the order of `keys`. */
  readonly entries: Effect.Effect<ReadonlyArray<Entry<K, C>>>
  /** Counters and sizes. */
  readonly metrics: Effect.Effect<Metrics>
}

/**
 * Makes a manager that lives in the current Scope: closing it disposes every instance (see the
 * module's documentation for the close). `make` runs with the context `make` was called in (its
 * `R`), and with a Scope of the instance's own.
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
 *     make: (settings) =>
 *       Effect.acquireRelease(
 *         Effect.sync(() => ({ url: settings.url })),
 *         () => Effect.log(`closing ${settings.url}`)
 *       ),
 *     // rebuild when the URL changed; the old client is closed after the requests still using it
 *     needsUpdate: (settings, cached) => settings.url !== cached.context.url
 *   })
 *   return yield* clients.use({ tenant: "acme", url: "https://acme" }, (client) => Effect.succeed(client.url))
 * })
 * Effect.runPromise(Effect.scoped(program)).then(console.log) // "https://acme"
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: <C, K, A, E = never, R = never, KE = never>(
  provider: Provider<C, K, A, E, R, KE>
) => Effect.Effect<InstanceManager<C, K, A, E | KE>, never, Scope.Scope | R> = internal.make

/**
 * A tag class for a manager, so that a manager can be a component other components depend on,
 * written like `Context.Tag`: `Instances.Tag(id)<Self, C, K, A, E>()` reads "Self is the manager of
 * `A` instances for contexts `C`, keyed by `K`, whose gets fail with `E`" (the parameters of
 * {@link InstanceManager}, in its order; `E` defaults to `never`). The class has an identifier of
 * its own: two managers of one type are two services to the compiler, and a missing one is named
 * by its class in type errors.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Component, Instances } from "layerwise"
 *
 * interface TenantSettings { readonly tenant: string; readonly url: string }
 * interface Client { readonly url: string }
 *
 * export class Clients extends Instances.Tag("app/Clients")<Clients, TenantSettings, string, Client>() {}
 *
 * export const ClientsLive = Component.make(Clients, {
 *   build: Instances.make({
 *     key: (settings: TenantSettings) => settings.tenant,
 *     make: (settings: TenantSettings) => Effect.succeed({ url: settings.url }),
 *     needsUpdate: (settings, cached) => settings.url !== cached.context.url
 *   })
 * })
 *
 * // a request that needs Clients: `Effect<string, never, Clients>`
 * export const handle = (settings: TenantSettings) =>
 *   Effect.flatMap(Clients, (clients) => clients.use(settings, (client) => Effect.succeed(client.url)))
 * ```
 *
 * @since 0.1.0
 * @category tags
 */
export const Tag: <const Id extends string>(
  id: Id
) => <Self, C, K, A, E = never>() => Context.TagClass<Self, Id, InstanceManager<C, K, A, E>> = internal.Tag

/**
 * A Layer that makes a manager for a tag; the manager is closed when the Layer is released. The
 * tag fixes the provider's types (its `key`, `make` and `needsUpdate` are typed from it), and the
 * provider's errors must be among the tag's `E`. The Layer's requirements are `make`'s, without
 * the Scope (each instance gets its own).
 *
 * @example
 * ```ts
 * import { Data, Effect } from "effect"
 * import { Instances } from "layerwise"
 *
 * class ConnectError extends Data.TaggedError("ConnectError")<{ readonly tenant: string }> {}
 * interface Client { readonly url: string }
 *
 * class Clients extends Instances.Tag("app/Clients")<Clients, string, string, Client, ConnectError>() {}
 *
 * const ClientsLive = Instances.layer(Clients, {
 *   key: (tenant) => tenant,
 *   make: (tenant) => tenant === "" ? new ConnectError({ tenant }) : Effect.succeed({ url: `https://${tenant}` }),
 *   needsUpdate: () => false
 * })
 *
 * const program = Effect.flatMap(Clients, (clients) => clients.use("acme", (client) => Effect.succeed(client.url)))
 * Effect.runPromise(Effect.provide(program, ClientsLive)).then(console.log) // "https://acme"
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: <Self, C, K, A, E, R = never>(
  tag: Context.Tag<Self, InstanceManager<C, K, A, E>>,
  provider: Provider<NoInfer<C>, NoInfer<K>, NoInfer<A>, NoInfer<E>, R, NoInfer<E>>
) => Layer.Layer<Self, never, Exclude<R, Scope.Scope>> = internal.layer

/**
 * Whether a value is an {@link InstanceManager}.
 *
 * @example
 * ```ts
 * import { Instances } from "layerwise"
 *
 * console.log(Instances.isInstanceManager({})) // false
 * ```
 *
 * @since 0.1.0
 * @category refinements
 */
export const isInstanceManager: (u: unknown) => u is InstanceManager<unknown, unknown, unknown, unknown> =
  internal.isInstanceManager

/**
 * `manager.get(context)` as a function, data-first or data-last (as `RcMap.get`): the instance for
 * a context, held until the caller's Scope closes.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Instances } from "layerwise"
 *
 * export const program = Effect.gen(function*() {
 *   const clients = yield* Instances.make({
 *     key: (tenant: string) => tenant,
 *     make: (tenant) => Effect.succeed({ tenant }),
 *     needsUpdate: () => false
 *   })
 *   const acme = yield* Instances.get(clients, "acme")
 *   const globex = yield* clients.pipe(Instances.get("globex"))
 *   return [acme.tenant, globex.tenant] // ["acme", "globex"]
 * }).pipe(Effect.scoped)
 * ```
 *
 * @since 0.2.0
 * @category operations
 */
export const get: {
  <C>(context: C): <K, A, E>(self: InstanceManager<C, K, A, E>) => Effect.Effect<A, E, Scope.Scope>
  <C, K, A, E>(self: InstanceManager<C, K, A, E>, context: C): Effect.Effect<A, E, Scope.Scope>
} = dual(2, <C, K, A, E>(self: InstanceManager<C, K, A, E>, context: C) => self.get(context))

/**
 * `manager.use(context, f)` as a function, data-first or data-last: runs `f` with the instance for
 * a context, holding it while `f`'s effect runs.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Instances } from "layerwise"
 *
 * export const program = Effect.gen(function*() {
 *   const clients = yield* Instances.make({
 *     key: (tenant: string) => tenant,
 *     make: (tenant) => Effect.succeed({ tenant }),
 *     needsUpdate: () => false
 *   })
 *   return yield* clients.pipe(Instances.use("acme", (client) => Effect.succeed(client.tenant))) // "acme"
 * }).pipe(Effect.scoped)
 * ```
 *
 * @since 0.2.0
 * @category operations
 */
export const use: {
  <C, A, B, E2, R2>(
    context: C,
    f: (instance: A) => Effect.Effect<B, E2, R2>
  ): <K, E>(self: InstanceManager<C, K, A, E>) => Effect.Effect<B, E | E2, R2>
  <C, K, A, E, B, E2, R2>(
    self: InstanceManager<C, K, A, E>,
    context: C,
    f: (instance: A) => Effect.Effect<B, E2, R2>
  ): Effect.Effect<B, E | E2, R2>
} = dual(
  3,
  <C, K, A, E, B, E2, R2>(self: InstanceManager<C, K, A, E>, context: C, f: (instance: A) => Effect.Effect<B, E2, R2>) =>
    self.use(context, f)
)

/**
 * `manager.invalidate(key)` as a function, data-first or data-last (as `RcMap.invalidate`): the next
 * get of the key builds a new instance; this one is disposed once its holders are done.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Instances } from "layerwise"
 *
 * export const program = Effect.gen(function*() {
 *   const clients = yield* Instances.make({
 *     key: (tenant: string) => tenant,
 *     make: (tenant) => Effect.succeed({ tenant }),
 *     needsUpdate: () => false
 *   })
 *   yield* clients.use("acme", Effect.succeed)
 *   yield* Instances.invalidate(clients, "acme")
 *   return yield* clients.keys // []
 * }).pipe(Effect.scoped)
 * ```
 *
 * @since 0.2.0
 * @category operations
 */
export const invalidate: {
  <K>(key: K): <C, A, E>(self: InstanceManager<C, K, A, E>) => Effect.Effect<void>
  <C, K, A, E>(self: InstanceManager<C, K, A, E>, key: K): Effect.Effect<void>
} = dual(2, <C, K, A, E>(self: InstanceManager<C, K, A, E>, key: K) => self.invalidate(key))

/**
 * The defect a get dies with when the key function threw: nothing was built. A key function that
 * can fail returns an Effect, whose error is the get's (see {@link Provider}).
 *
 * @example
 * ```ts
 * import { Instances } from "layerwise"
 *
 * console.log(new Instances.InstanceKeyDefect({ cause: new Error("no tenant") }).message)
 * // "the key function of the instance manager threw: Error: no tenant"
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class InstanceKeyDefect extends Data.TaggedError("InstanceKeyDefect")<{ readonly cause: unknown }> {
  override get message() {
    return `the key function of the instance manager threw: ${describeValue(this.cause)}`
  }
}

/**
 * The defect a get dies with when `make` died: the key, and the original defect as `cause`. Typed
 * failures of `make` are passed through unchanged; only defects are wrapped.
 *
 * @example
 * ```ts
 * import { Instances } from "layerwise"
 *
 * console.log(new Instances.InstanceMakeDefect({ key: "acme", cause: new Error("driver crashed") }).message)
 * // "making the instance for key acme died: Error: driver crashed"
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class InstanceMakeDefect extends Data.TaggedError("InstanceMakeDefect")<{
  readonly key: unknown
  readonly cause: unknown
}> {
  override get message() {
    return `making the instance for key ${describeValue(this.key)} died: ${describeValue(this.cause)}`
  }
}

/**
 * The defect a get dies with when it would wait for a build that waits for it: a `make` that gets
 * its own key, directly or through the makes of other keys (of this manager or of another one).
 * The build it came from then fails with it (wrapped in an {@link InstanceMakeDefect}), and the key
 * can be built again.
 *
 * @example
 * ```ts
 * import { Instances } from "layerwise"
 *
 * console.log(new Instances.InstanceCycle({ key: "acme" }).message)
 * // "the make of key acme gets its own instance, directly or through other makes: it would wait for itself forever"
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class InstanceCycle extends Data.TaggedError("InstanceCycle")<{ readonly key: unknown }> {
  override get message() {
    return `the make of key ${describeValue(this.key)} gets its own instance, directly or through other makes: it would wait for itself forever`
  }
}
