/**
 * Usages that must type-check. This file is part of the "test" include of tsconfig.json, so
 * `npm run typecheck` checks it; `test/Types.test.ts` also compiles it and expects no diagnostic.
 */
import { HttpApi, HttpApiEndpoint, HttpApiGroup, HttpRouter, type HttpServerError, HttpServer, type HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Config as EffectConfig, Context, Data, Effect, Layer, Option, type Redacted, Schema, type Scope } from "effect"
import {
  App,
  Component,
  Condition,
  Container,
  Dependency,
  Errors,
  Family,
  Health,
  Instances,
  Lifecycle,
  Options,
  Plan,
  Qualifier,
  Registry,
  Resolver,
  Testing
} from "../../src/index.js"
import { runMain } from "../../src/node.js"
import * as Http from "../../src/Http.js"
import * as Ops from "../../src/Ops.js"

/** `true` only when `A` and `B` are the same type (not merely mutually assignable through `any`). */
export type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false

/** Compiles only when its argument is the literal `true`. */
export const assertType = <T extends true>(_proof?: T): void => {}

class Config extends Context.Tag("compiles/Config")<Config, { readonly url: string }>() {}
class Database extends Context.Tag("compiles/Database")<Database, { readonly query: (sql: string) => string }>() {}
class Metrics extends Context.Tag("compiles/Metrics")<Metrics, { readonly count: (name: string) => void }>() {}
class Plugin extends Context.Tag("compiles/Plugin")<Plugin, { readonly name: string }>() {}
class Api extends Context.Tag("compiles/Api")<Api, { readonly handle: (path: string) => string }>() {}

const Replica = Qualifier.make("replica")

// make: the build may use Scope and exactly the declared dependencies.
export const DatabaseLive = Component.make(Database, {
  dependencies: [Config],
  build: Effect.gen(function*() {
    const config = yield* Config
    const connection = yield* Effect.acquireRelease(
      Effect.sync(() => ({ url: config.url })),
      () => Effect.void
    )
    return { query: (sql: string) => `${connection.url}: ${sql}` }
  })
})

// A build with no dependencies at all, and one that declares more than it uses.
export const ConfigLive = Component.make(Config, { build: Effect.succeed({ url: "postgres://" }) })
export const Overdeclared = Component.make(Metrics, {
  dependencies: [Config, Database],
  build: Effect.succeed({ count: (_name: string) => {} })
})

// Derived requests (qualified, named, optional, all) are used with `yield*` like any tag, with
// the service types they promise.
export const ApiLive = Component.make(Api, {
  dependencies: [
    Dependency.qualified(Database, Replica),
    Dependency.named(Database, "auditDb"),
    Dependency.optional(Metrics),
    Dependency.all(Plugin),
    Dependency.all(Dependency.qualified(Plugin, "core"))
  ],
  build: Effect.gen(function*() {
    const replica = yield* Dependency.qualified(Database, Replica)
    const audit = yield* Dependency.named(Database, "auditDb")
    const metrics = yield* Dependency.optional(Metrics)
    const plugins = yield* Dependency.all(Plugin)
    const core = yield* Dependency.all(Dependency.qualified(Plugin, "core"))
    assertType<Equals<typeof metrics, Option.Option<Context.Tag.Service<Metrics>>>>()
    assertType<Equals<typeof plugins, ReadonlyArray<Context.Tag.Service<Plugin>>>>()
    assertType<Equals<typeof core, ReadonlyArray<Context.Tag.Service<Plugin>>>>()
    return {
      handle: (path: string) => {
        Option.map(metrics, (m) => m.count(path))
        return `${replica.query(path)} ${audit.query(path)} ${plugins.length + core.length}`
      }
    }
  })
})

// A qualified request made from a token and one made from its name are the same request type.
const ReplicaByToken = Dependency.qualified(Database, Replica)
const ReplicaByName = Dependency.qualified(Database, "replica")
assertType<Equals<typeof ReplicaByToken, typeof ReplicaByName>>()
assertType<Equals<Context.Tag.Identifier<typeof ReplicaByToken>, Dependency.Qualified<Database, "replica">>>()

// fromLayer with an Effect.Service's DefaultWithoutDependencies: its requirements are declared.
class Clock extends Effect.Service<Clock>()("compiles/Clock", { succeed: { now: () => 0 } }) {}
class Greeter extends Effect.Service<Greeter>()("compiles/Greeter", {
  effect: Effect.map(Clock, (clock) => ({ greet: (name: string) => `hello ${name} at ${clock.now()}` })),
  dependencies: [Clock.Default]
}) {}

export const ClockLive = Component.fromLayer(Clock, { layer: Clock.Default })
export const GreeterLive = Component.fromLayer(Greeter, {
  dependencies: [Clock],
  layer: Greeter.DefaultWithoutDependencies
})

// succeed with a value of the service's type.
export const PluginLive = Component.succeed(Plugin, { name: "audit" }, { order: 1, qualifiers: ["core"] })

const registry = Registry.make(DatabaseLive, ConfigLive, ApiLive, ClockLive, GreeterLive, PluginLive)

// Registry.toLayer provides exactly the identifiers of the requested roots.
const layer = Registry.toLayer(registry, [Api, Greeter, Dependency.all(Plugin), Dependency.qualified(Database, Replica)])
assertType<
  Equals<
    Layer.Layer.Success<typeof layer>,
    Api | Greeter | Dependency.All<Plugin> | Dependency.Qualified<Database, "replica">
  >
>()
assertType<Equals<Layer.Layer.Context<typeof layer>, never>>()

// The layer satisfies a program that uses those roots.
export const program: Effect.Effect<string, unknown> = Effect.provide(
  Effect.gen(function*() {
    const api = yield* Api
    const greeter = yield* Greeter
    const plugins = yield* Dependency.all(Plugin)
    return `${api.handle("/")} ${greeter.greet("you")} ${plugins.length}`
  }),
  layer
)

// Resolver.resolve's plan is typed by its roots, too.
export const plan = Resolver.resolve(registry, [Api])

// Resolver.resolve, resolveEffect, Plan.path and Registry.components are dual: the data-last form,
// in a pipe, has the type of the data-first one.
export const pipedPlan = registry.pipe(Resolver.resolve([Api], { external: [Config] }))
assertType<Equals<typeof pipedPlan, ReturnType<typeof Resolver.resolve<never, [typeof Api], [typeof Config]>>>>()
declare const planOfApi: Plan.Plan<Api, "E", Config>
// Plan.toLayer passed as a function keeps the plan's types (a dual generic function would not).
const pointFreeLayer = Effect.map(Resolver.resolveEffect(registry, [Api], { external: [Config] }), Plan.toLayer)
assertType<Equals<Effect.Effect.Success<typeof pointFreeLayer>, Layer.Layer<Api, Errors.BuildError<never> | Errors.InvalidOptions, Config>>>()
const pipedPlanLayer = planOfApi.pipe(Plan.toLayer)
assertType<Equals<typeof pipedPlanLayer, Layer.Layer<Api, Errors.BuildError<"E"> | Errors.InvalidOptions, Config>>>()
export const pipedResolveEffect: Effect.Effect<Plan.Plan<Api, never, never>, Errors.ResolutionError> = registry.pipe(
  Resolver.resolveEffect([Api])
)
export const pipedPath: ReadonlyArray<string> = planOfApi.pipe(Plan.path(0))
export const pipedComponents: ReadonlyArray<Component.Any> = registry.pipe(Registry.components({ service: Api }))

// A plan (or App) that provides more can stand where one that provides less is expected (as a Layer
// can): plans are contravariant in their roots. Any plan is a `Plan<never>` (what Explain takes).
declare const apiAndGreeter: Plan.Plan<Api | Greeter>
export const onlyApi: Plan.Plan<Api> = apiAndGreeter
export const anyPlan: Plan.Plan<never> = apiAndGreeter
declare const appOfBoth: App.App<Api | Greeter>
export const appOfApi: App.App<Api> = appOfBoth

// A loosely typed list of requests makes nothing available (its identifiers would be `any`).
assertType<Equals<Dependency.Identifiers<ReadonlyArray<Dependency.Any>>, never>>()
assertType<Equals<Dependency.Identifiers<[typeof Config, typeof Database]>, Config | Database>>()

// A family member's arguments are part of its request's type: declaring the member is what lets a
// constructor use it (the same arguments give the same type, wherever the request is made).
class KubeClient extends Context.Tag("compiles/KubeClient")<KubeClient, { readonly cluster: string }>() {}
const KubeClients = Family.make(KubeClient, {
  key: (args: { readonly cluster: string }) => args.cluster,
  build: (args) => Effect.succeed({ cluster: args.cluster })
})
assertType<
  Equals<Context.Tag.Identifier<ReturnType<typeof KubeClients.of<{ cluster: "eu" }>>>, Family.Member<KubeClient, { cluster: "eu" }>>
>()
export const ControllerLive = Component.make(Metrics, {
  dependencies: [KubeClients.of({ cluster: "eu" })],
  build: Effect.map(KubeClients.of({ cluster: "eu" }), (client) => ({ count: (_name: string) => void client.cluster }))
})

// optional and all apply to a service's tag or to a qualified / named request.
export const optionalReplica = Dependency.optional(Dependency.qualified(Database, Replica))
export const allAudit = Dependency.all(Dependency.named(Database, "auditDb"))

// Ops: the handlers of the ops group for an API with other groups too, typed for that API; App.State
// and its JSON schema are the same type.
class OpsUsers extends HttpApiGroup.make("users").add(HttpApiEndpoint.get("list", "/users")) {}
class OpsApi extends HttpApi.make("api").add(OpsUsers).add(Ops.group) {}
export const OpsHandlers = Ops.layer(OpsApi, { expose: ["health"] })
assertType<Equals<typeof OpsHandlers, Layer.Layer<HttpApiGroup.ApiGroup<"api", "ops">, never, App.Application>>>()
assertType<Equals<typeof Ops.State.Type, App.State>>()

// ---------------------------------------------------------------------------------------------
// Instances

interface TenantSettings {
  readonly tenant: string
  readonly url: string
}
interface TenantClient {
  readonly url: string
}
class ConnectError extends Data.TaggedError("ConnectError")<{ readonly url: string }> {}
class UnknownTenant extends Data.TaggedError("UnknownTenant")<{ readonly tenant: string }> {}
const acme: TenantSettings = { tenant: "acme", url: "https://acme" }

// A pure key function and a make that cannot fail: gets and uses that cannot fail (no error the
// manager could not produce, not even for a key function that throws, or a close: those are a
// defect and an interruption).
const pureClients = Instances.make({
  key: (settings: TenantSettings) => settings.tenant,
  make: (settings: TenantSettings) => Effect.succeed<TenantClient>({ url: settings.url }),
  needsUpdate: (settings, cached) => settings.url !== cached.context.url
})
assertType<Equals<Effect.Effect.Success<typeof pureClients>, Instances.InstanceManager<TenantSettings, string, TenantClient>>>()
export const pureUse = Effect.flatMap(pureClients, (clients) => clients.use(acme, (client) => Effect.succeed(client.url)))
assertType<Equals<Effect.Effect.Error<typeof pureUse>, never>>()
export const pureGet = Effect.flatMap(pureClients, (clients) => clients.get(acme))
assertType<Equals<typeof pureGet, Effect.Effect<TenantClient, never, Scope.Scope>>>()

// The errors of make and of an effectful key are the gets' errors, and only they; make's
// requirements are the manager's.
const failingClients = Instances.make({
  key: (settings: TenantSettings) =>
    settings.tenant === "" ? Effect.fail(new UnknownTenant({ tenant: settings.tenant })) : Effect.succeed(settings.tenant),
  make: (settings: TenantSettings) =>
    Effect.flatMap(Config, (config) =>
      config.url === "" ? Effect.fail(new ConnectError({ url: settings.url })) : Effect.succeed<TenantClient>({ url: settings.url })),
  needsUpdate: () => false
})
assertType<Equals<Effect.Effect.Context<typeof failingClients>, Config | Scope.Scope>>()
export const failingUse = Effect.flatMap(failingClients, (clients) => clients.use(acme, (client) => Effect.succeed(client.url)))
assertType<Equals<Effect.Effect.Error<typeof failingUse>, ConnectError | UnknownTenant>>()
// catchTag reaches them
export const recovered = failingUse.pipe(
  Effect.catchTag("ConnectError", (error) => Effect.succeed(error.url)),
  Effect.catchTag("UnknownTenant", (error) => Effect.succeed(error.tenant))
)
assertType<Equals<Effect.Effect.Error<typeof recovered>, never>>()

// A tag is a class with an identifier of its own: two managers of one type are two services, and
// R names them by class.
export class Clients extends Instances.Tag("compiles/Clients")<Clients, TenantSettings, string, TenantClient>() {}
export class BackupClients extends Instances.Tag("compiles/BackupClients")<BackupClients, TenantSettings, string, TenantClient>() {}
export class FailingClients
  extends Instances.Tag("compiles/FailingClients")<FailingClients, TenantSettings, string, TenantClient, ConnectError | UnknownTenant>()
{}
assertType<Equals<Context.Tag.Service<Clients>, Instances.InstanceManager<TenantSettings, string, TenantClient>>>()
assertType<Equals<typeof Clients.key, "compiles/Clients">>()
export const useBoth = Effect.gen(function*() {
  const clients = yield* Clients
  const backups = yield* BackupClients
  return [yield* clients.use(acme, (client) => Effect.succeed(client.url)), yield* backups.use(acme, (client) => Effect.succeed(client.url))]
})
assertType<Equals<Effect.Effect.Context<typeof useBoth>, Clients | BackupClients>>()
assertType<Equals<Effect.Effect.Error<typeof useBoth>, never>>()

// Instances.layer types the provider from the tag; the Layer needs make's requirements, no Scope.
export const ClientsLayer = Instances.layer(Clients, {
  key: (settings) => settings.tenant,
  make: (settings) => Effect.acquireRelease(Effect.succeed({ url: settings.url }), () => Effect.void),
  needsUpdate: (settings, cached) => settings.url !== cached.context.url
})
assertType<Equals<typeof ClientsLayer, Layer.Layer<Clients, never, never>>>()
export const FailingClientsLayer = Instances.layer(FailingClients, {
  key: (settings) => settings.tenant === "" ? Effect.fail(new UnknownTenant({ tenant: "" })) : Effect.succeed(settings.tenant),
  make: (settings) => Effect.flatMap(Config, () => Effect.fail(new ConnectError({ url: settings.url }))),
  needsUpdate: () => false
})
assertType<Equals<typeof FailingClientsLayer, Layer.Layer<FailingClients, never, Config>>>()

// A manager is a component: Component.make with the class tag and Instances.make.
export const ClientsLive = Component.make(Clients, {
  build: Instances.make({
    key: (settings: TenantSettings) => settings.tenant,
    make: (settings: TenantSettings) => Effect.succeed({ url: settings.url }),
    needsUpdate: (settings, cached) => settings.url !== cached.context.url
  })
})
export const FailingClientsLive = Component.make(FailingClients, { dependencies: [Config], build: failingClients })

// A provider declared on its own serves Instances.layer and Component.make alike, for a tag whose
// error is the provider's or wider.
const pooledProvider: Instances.Provider<TenantSettings, string, TenantClient, ConnectError> = {
  key: (settings) => settings.tenant,
  make: (settings) => Effect.succeed({ url: settings.url }),
  needsUpdate: () => false
}
export class PooledClients
  extends Instances.Tag("compiles/PooledClients")<PooledClients, TenantSettings, string, TenantClient, ConnectError | UnknownTenant>()
{}
export const PooledClientsLayer = Instances.layer(PooledClients, pooledProvider)
assertType<Equals<typeof PooledClientsLayer, Layer.Layer<PooledClients, never, never>>>()
export const PooledClientsLive = Component.make(PooledClients, { build: Instances.make(pooledProvider) })

// ---------------------------------------------------------------------------------------------
// Typed construction errors and hooks that declare their services

class HookLogger extends Context.Tag("compiles/HookLogger")<HookLogger, { readonly log: (line: string) => Effect.Effect<void> }>() {}
class HookServer extends Context.Tag("compiles/HookServer")<HookServer, { readonly port: number }>() {}
class HookConfigError extends Data.TaggedError("HookConfigError")<{ readonly key: string }> {}

// a hook receives the services it declares; the component keeps its constructor's error type
export const HookServerLive = Component.make(HookServer, { build: Effect.fail(new HookConfigError({ key: "PORT" })) }).pipe(
  Lifecycle.onStop((server) => Effect.flatMap(HookLogger, (logger) => logger.log(`closing ${server.port}`)), {
    dependencies: [HookLogger]
  }),
  Lifecycle.healthCheck(() => Effect.asVoid(HookLogger), { dependencies: [HookLogger], timeout: "1 second", readiness: true }),
  Lifecycle.background((_server, shutdown) => Effect.zipRight(HookLogger, shutdown.requested), {
    dependencies: [HookLogger],
    onShutdown: "signal"
  })
)
assertType<Equals<Component.Error<typeof HookServerLive>, HookConfigError>>()
// readiness never fails: what a route answers from
assertType<Equals<App.Health["readiness"], Effect.Effect<Health.Readiness>>>()
assertType<Equals<App.Application["readiness"], Effect.Effect<Health.Readiness>>>()
export const hookRegistry = Registry.make(HookServerLive, Component.succeed(HookLogger, { log: () => Effect.void }))
export const hookLayer = Registry.toLayer(hookRegistry, [HookServer])
assertType<
  Equals<
    typeof hookLayer,
    Layer.Layer<HookServer, Errors.ResolutionError | Errors.InvalidOptions | Errors.ConstructionError<HookConfigError>>
  >
>()

// ---------------------------------------------------------------------------------------------
// Testing: data-first and data-last, the registry's error type kept, toLayer typed like Registry.toLayer

class TestingClock extends Context.Tag("compiles/TestingClock")<TestingClock, { readonly now: () => number }>() {}
class TestingFakeDown extends Data.TaggedError("TestingFakeDown")<{}> {}

// an override adds its constructor's error type to the registry's, in both forms
export const withFakeServer = hookRegistry.pipe(Testing.layer(HookServer, Layer.fail(new TestingFakeDown())))
export const withFakeServerFirst = Testing.layer(hookRegistry, HookServer, Layer.fail(new TestingFakeDown()))
assertType<Equals<typeof withFakeServer, Registry.Registry<HookConfigError | TestingFakeDown>>>()
assertType<Equals<typeof withFakeServerFirst, Registry.Registry<HookConfigError | TestingFakeDown>>>()
// a value, a mock or a name replacement adds nothing
export const withValue = Testing.value(hookRegistry, HookLogger, { log: () => Effect.void })
assertType<Equals<typeof withValue, Registry.Registry<HookConfigError>>>()

// Testing.toLayer: the overrides' errors, the external services as requirements
export const testingLayer = Testing.toLayer(hookRegistry, [HookServer], {
  overrides: [Testing.layer(HookServer, Layer.fail(new TestingFakeDown())), Testing.value(HookLogger, { log: () => Effect.void })],
  external: [TestingClock],
  profiles: ["test"]
})
assertType<
  Equals<
    typeof testingLayer,
    Layer.Layer<HookServer, Errors.ResolutionError | Errors.ConstructionError<HookConfigError | TestingFakeDown>, TestingClock>
  >
>()
export const testingLayerVariadic = Testing.toLayer(hookRegistry, [HookServer], Testing.layer(HookServer, Layer.fail(new TestingFakeDown())))
assertType<
  Equals<
    typeof testingLayerVariadic,
    Layer.Layer<HookServer, Errors.ResolutionError | Errors.ConstructionError<HookConfigError | TestingFakeDown>>
  >
>()
export const testingLayerLast = hookRegistry.pipe(Testing.toLayer([HookServer]))
assertType<Equals<typeof testingLayerLast, Layer.Layer<HookServer, Errors.ResolutionError | Errors.ConstructionError<HookConfigError>>>>()

// ---------------------------------------------------------------------------------------------
// Component.fromService: an Effect.Service class as a component, its dependencies read from the class

class ServiceDown extends Data.TaggedError("ServiceDown")<{}> {}
class ServiceClock extends Effect.Service<ServiceClock>()("compiles/ServiceClock", { succeed: { now: () => 0 } }) {}
class ServiceGreeter extends Effect.Service<ServiceGreeter>()("compiles/ServiceGreeter", {
  effect: Effect.flatMap(ServiceClock, (clock) => clock.now() < 0 ? Effect.fail(new ServiceDown()) : Effect.succeed({ hello: "hi" })),
  dependencies: [ServiceClock.Default]
}) {}
class ServiceNeedsConfig extends Effect.Service<ServiceNeedsConfig>()("compiles/ServiceNeedsConfig", {
  effect: Effect.map(Config, (config) => ({ url: config.url }))
}) {}
class ServiceDb extends Effect.Service<ServiceDb>()("compiles/ServiceDb", {
  effect: (url: string, size: number) => Effect.succeed({ url, size })
}) {}

// no options; the class's identifier, service and errors
export const ServiceClockLive = Component.fromService(ServiceClock)
assertType<Equals<typeof ServiceClockLive, Component.Component<ServiceClock, ServiceClock, never>>>()
export const ServiceGreeterLive = Component.fromService(ServiceGreeter, { name: "greeter", primary: true })
assertType<Equals<typeof ServiceGreeterLive, Component.Component<ServiceGreeter, ServiceGreeter, ServiceDown>>>()
// explicit dependencies cover the layer's requirements
export const ServiceGreeterExplicit = Component.fromService(ServiceGreeter, { dependencies: [ServiceClock] })
export const ServiceNeedsConfigLive = Component.fromService(ServiceNeedsConfig, { dependencies: [Config] })
assertType<Equals<typeof ServiceNeedsConfigLive, Component.Component<ServiceNeedsConfig, ServiceNeedsConfig, never>>>()
// a class with arguments takes them
export const ServiceDbLive = Component.fromService(ServiceDb, { arguments: ["postgres://", 4] })
export const serviceRegistry = Registry.make(ServiceClockLive, ServiceGreeterLive, ServiceDbLive)
assertType<Equals<typeof serviceRegistry, Registry.Registry<ServiceDown>>>()

// ---------------------------------------------------------------------------------------------
// The environment through effect/Config

const configProfiles = EffectConfig.array(EffectConfig.string(), "PROFILES")
export const configuredLayer = Registry.toLayer(registry, [Api], {
  profiles: configProfiles,
  properties: { "storage.kind": EffectConfig.string("STORAGE").pipe(EffectConfig.withDefault(undefined)), region: "eu" }
})
export const configuredPlan = Resolver.resolveEffect(registry, [Api], { properties: EffectConfig.all({ region: EffectConfig.string("REGION") }) })
assertType<Equals<typeof configuredPlan, Effect.Effect<Plan.Plan<Api, never, never>, Errors.ResolutionError>>>()
export const configuredApp = App.make(registry, { roots: [Api], profiles: configProfiles })
export const flagCondition = Condition.config(EffectConfig.boolean("FEATURE").pipe(EffectConfig.withDefault(false)))
// a condition is pipeable, and isCondition narrows an unknown value to one
export const notFlag: Condition.Condition = flagCondition.pipe(Condition.not)
export const describeGuard = (guard: unknown): string | undefined => Condition.isCondition(guard) ? guard.description : undefined
// runMain takes an App or an Effect that makes one
export const runConfigured = () => runMain(Effect.map(configProfiles, (profiles) => App.make(registry, { roots: [Api], profiles })))
export const runApp = () => runMain(configuredApp)

// ---------------------------------------------------------------------------------------------
// Container.get: the service type comes from the request; the container is required

export namespace ContainerLookups {
  class Plugin extends Context.Tag("types/Plugin")<Plugin, { readonly name: string }>() {}
  const one = Container.get(Plugin)
  const qualified = Container.get(Dependency.qualified(Plugin, "csv"))
  const optional = Container.get(Dependency.optional(Plugin))
  const every = Container.get(Dependency.all(Plugin))
  const lazy = Container.get(Dependency.lazy(Plugin))
  assertType<Equals<typeof one, Effect.Effect<{ readonly name: string }, Errors.LookupError, Container.Container>>>()
  assertType<Equals<Effect.Effect.Success<typeof qualified>, { readonly name: string }>>()
  assertType<Equals<Effect.Effect.Success<typeof optional>, Option.Option<{ readonly name: string }>>>()
  assertType<Equals<Effect.Effect.Success<typeof every>, ReadonlyArray<{ readonly name: string }>>>()
  assertType<Equals<Effect.Effect.Success<typeof lazy>, Effect.Effect<{ readonly name: string }, Errors.HandleError>>>()
  // what a handle meets reaching another container's instance is in its type; a lookup adds resolution and cycles
  assertType<Equals<Errors.HandleError, Errors.ConstructionError | Errors.ScopeNotOpen | Errors.InvalidOptions | Errors.ComponentShutDown | Errors.ContainerClosed>>()
  assertType<Equals<Errors.LookupError, Errors.ResolutionError | Errors.CircularLookup | Errors.HandleError>>()
  export const child = Container.child("tenant", [Component.succeed(Plugin, { name: "own" })])
  // under App a child starts its own components as it opens: their failures are a lookup's
  assertType<Equals<typeof child, Effect.Effect<Container.Container, Errors.DuplicateChild | Errors.LookupError, Container.Container | Scope.Scope>>>()
  // shutting down: by name or by any request; what was shut down, by name
  const byName = Container.shutDown("types/Plugin")
  const byRequest = Container.shutDown(Dependency.qualified(Plugin, "csv"))
  assertType<Equals<typeof byName, Effect.Effect<ReadonlyArray<string>, Errors.ShutDownError, Container.Container>>>()
  assertType<Equals<typeof byRequest, typeof byName>>()
  // under App, a shutdown past the release timeout fails with what it waited for
  assertType<Equals<Errors.ShutDownError, Errors.UnknownComponent | Errors.ComponentShutDown | Errors.ContainerClosed | Errors.ReleaseError | Errors.ReleaseTimeout>>()
}

// Handles: what a constructor reads from each

class HandleTarget extends Context.Tag("types/HandleTarget")<HandleTarget, { readonly n: number }>() {}
class HandleUser extends Context.Tag("types/HandleUser")<HandleUser, { readonly n: Effect.Effect<number, Errors.HandleError> }>() {}

export const LazyUserLive = Component.make(HandleUser, {
  dependencies: [Dependency.lazy(HandleTarget)],
  build: Effect.gen(function*() {
    const handle = yield* Dependency.lazy(HandleTarget)
    assertType<Equals<typeof handle, Effect.Effect<HandleTarget["Type"], Errors.HandleError>>>()
    return { n: Effect.map(handle, (target) => target.n) }
  })
})
export const FactoryUserLive = Component.make(HandleUser, {
  dependencies: [Dependency.factory(HandleTarget)],
  build: Effect.gen(function*() {
    const make = yield* Dependency.factory(HandleTarget)
    assertType<Equals<typeof make, Effect.Effect<HandleTarget["Type"], Errors.HandleError, Scope.Scope>>>()
    // a fresh instance lives as long as the caller's Scope
    return { n: Effect.scoped(Effect.map(make, (target) => target.n)) }
  })
})
export const ReloadableUserLive = Component.make(HandleUser, {
  dependencies: [Dependency.reloadable(HandleTarget)],
  build: Effect.gen(function*() {
    const handle = yield* Dependency.reloadable(HandleTarget)
    assertType<Equals<typeof handle, Dependency.ReloadableHandle<HandleTarget["Type"]>>>()
    assertType<Equals<typeof handle.reload, Effect.Effect<void, Errors.HandleError>>>()
    return { n: Effect.zipRight(handle.reload, handle.use((target) => Effect.succeed(target.n))) }
  })
})
// a handle of a qualified or named request
export const qualifiedLazy = Dependency.lazy(Dependency.qualified(HandleTarget, "primary"))
assertType<Equals<typeof qualifiedLazy, Context.Tag<Dependency.Lazy<Dependency.Qualified<HandleTarget, "primary">>, Effect.Effect<HandleTarget["Type"], Errors.HandleError>>>>()

// Options: a request whose service is the decoded options

const OptDb = Options.make("db", {
  url: Schema.String,
  poolSize: Schema.optionalWith(Schema.NumberFromString, { default: () => 10 }),
  timeout: Schema.optional(Schema.NumberFromString),
  password: Schema.Redacted(Schema.String),
  mode: Schema.Literal("ro", "rw")
})
assertType<
  Equals<
    typeof OptDb,
    Options.Options<"db", {
      readonly url: string
      readonly poolSize: number
      readonly timeout?: number | undefined
      readonly password: Redacted.Redacted<string>
      readonly mode: "ro" | "rw"
    }>
  >
>()
const OptVerbose = Options.make("verbose", Schema.BooleanFromString)
assertType<Equals<typeof OptVerbose, Options.Options<"verbose", boolean>>>()
const OptPort = Options.make("port", Schema.optionalWith(Schema.NumberFromString, { default: () => 3000 }))
assertType<Equals<typeof OptPort, Options.Options<"port", number>>>()
const OptStruct = Options.make("s", Schema.Struct({ a: Schema.String }))
assertType<Equals<typeof OptStruct, Options.Options<"s", { readonly a: string }>>>()
class OptDatabase extends Context.Tag("types/OptDatabase")<OptDatabase, string>() {}
export const OptDatabaseLive = Component.make(OptDatabase, {
  dependencies: [OptDb, OptVerbose],
  build: Effect.map(Effect.all([OptDb, OptVerbose]), ([db, verbose]) => `${db.url} ${db.poolSize} ${verbose}`)
})
export const optCondition: Condition.Condition = Options.equals(OptDb, "mode", "ro")
export const optSingleCondition: Condition.Condition = Options.equals(OptVerbose, true)
const OptKube = Options.family("kube", { url: Schema.String })
assertType<Equals<ReturnType<typeof OptKube.of>, Options.Options<string, { readonly url: string }>>>()

// Http.requestScope: made from the running container (it may fail with NotInScope), its middleware takes
// the services it lists out of the app's requirements

class RequestUser extends Context.Tag("compiles/RequestUser")<RequestUser, { readonly name: string }>() {}
class RequestTx extends Context.Tag("compiles/RequestTx")<RequestTx, { readonly id: number }>() {}

const scopedRoutes = HttpRouter.empty.pipe(
  HttpRouter.get(
    "/me",
    Effect.gen(function*() {
      const user = yield* RequestUser
      const tx = yield* RequestTx
      return yield* HttpServerResponse.text(`${user.name} ${tx.id}`)
    })
  )
)
const requestScoped = Http.requestScope(Http.Request, [RequestUser, RequestTx])
assertType<Equals<typeof requestScoped, Effect.Effect<Http.Middleware<readonly [typeof RequestUser, typeof RequestTx], HttpServerRequest.HttpServerRequest>, Errors.NotInScope, Container.Container>>>()
export const servedWithScope: Layer.Layer<never, Errors.NotInScope, HttpServer.HttpServer | Container.Container> = Layer.unwrapEffect(
  Effect.map(requestScoped, (scoped) => HttpServer.serve(scopedRoutes.pipe(scoped)))
)
const scopedApp = (middleware: Effect.Effect.Success<typeof requestScoped>) => scopedRoutes.pipe(middleware)
assertType<Equals<Effect.Effect.Error<ReturnType<typeof scopedApp>>, HttpServerError.RouteNotFound | Errors.HandleError>>()
assertType<Equals<Effect.Effect.Context<ReturnType<typeof scopedApp>>, HttpServerRequest.HttpServerRequest | Scope.Scope>>()
// the listed services are tags, their constructors the running container's: a request-scoped constructor's typed
// error is not known here, so the channel has ConstructionError<unknown>; a catchTag answers it by narrowing its cause
class RequestDenied extends Data.TaggedError("compiles/RequestDenied")<{}> {}
assertType<Equals<Extract<Effect.Effect.Error<ReturnType<typeof scopedApp>>, { readonly _tag: "ConstructionError" }>, Errors.ConstructionError<unknown>>>()
const answeredApp = (middleware: Effect.Effect.Success<typeof requestScoped>) =>
  scopedRoutes.pipe(
    middleware,
    Effect.catchTag("ConstructionError", (error) => {
      assertType<Equals<typeof error.cause, unknown>>()
      return HttpServerResponse.text(error.cause instanceof RequestDenied ? "denied" : "unavailable", { status: error.cause instanceof RequestDenied ? 403 : 503 })
    })
  )
assertType<
  Equals<
    Effect.Effect.Error<ReturnType<typeof answeredApp>>,
    HttpServerError.RouteNotFound | Errors.ScopeNotOpen | Errors.InvalidOptions | Errors.ComponentShutDown | Errors.ContainerClosed
  >
>()

// Health: checking every component never fails; checking some components (by tag, request or name)
// fails with UnknownComponent only, from outside and from inside (App.Health's checkOf)
declare const runningApi: App.Running<Api>
export const everyHealth = App.health(runningApi, { concurrency: 2, timeout: "2 seconds" })
assertType<Equals<typeof everyHealth, Effect.Effect<Health.Report>>>()
export const someHealth = App.healthOf(runningApi, [Database, Dependency.all(Plugin), "main"], { timeout: 500 })
assertType<Equals<typeof someHealth, Effect.Effect<Health.Report, Errors.UnknownComponent>>>()
export const someHealthInside = Effect.flatMap(App.Health, (health) => health.checkOf([Database]))
assertType<Equals<typeof someHealthInside, Effect.Effect<Health.Report, Errors.UnknownComponent, App.Health>>>()

// Registry.add and Registry.override take one item as Registry.make does, or an array; the error type follows
class AddedDown extends Data.TaggedError("AddedDown")<{}> {}
const failingMetrics = Component.make(Metrics, { build: Effect.fail(new AddedDown()) })
export const addedOne = Registry.make(DatabaseLive).pipe(Registry.add(failingMetrics))
export const addedMany = Registry.add(Registry.make(DatabaseLive), [failingMetrics, ConfigLive])
export const overriddenOne = Registry.make(DatabaseLive).pipe(Registry.override(failingMetrics))
assertType<Equals<typeof addedOne, typeof addedMany>>()
assertType<Equals<typeof overriddenOne, Registry.Registry<Registry.Error<typeof DatabaseLive> | AddedDown>>>()

// UnknownComponent's leftOut is an Errors.LeftOutReason (optional), which a caller can switch on by its tag
assertType<Equals<Errors.UnknownComponent["leftOut"], Errors.LeftOutReason | undefined>>()
export const whyLeftOut = (reason: Errors.LeftOutReason): string =>
  reason._tag === "NotChosen" ? `${reason.path.join(" -> ")} chose ${reason.chosen.join(", ")} (${reason.rule})` : reason._tag
