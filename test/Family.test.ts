import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Either, Ref } from "effect"
import { inspect } from "node:util"
import { App, Component, Condition, Errors, Family, Lifecycle, Lifetime, Plan, Registry, Resolver, Testing } from "../src/index.js"

class Credentials extends Context.Tag("Credentials")<Credentials, { readonly token: string }>() {}
class ClusterConfig extends Context.Tag("ClusterConfig")<ClusterConfig, { readonly endpoint: string }>() {}
class Client extends Context.Tag("Client")<Client, { readonly cluster: string; readonly qps: number; readonly id: number }>() {}
class Watcher extends Context.Tag("Watcher")<Watcher, { readonly clients: ReadonlyArray<string> }>() {}
class Reporter extends Context.Tag("Reporter")<Reporter, { readonly client: string }>() {}

interface ClientArgs {
  readonly cluster: string
  readonly qps: number
}

const makeClients = (builds: Ref.Ref<Array<string>>, options?: { readonly merge?: boolean }) => {
  let id = 0
  return Family.make(Client, {
    name: "Client",
    key: (args: ClientArgs) => args.cluster,
    ...(options?.merge === true
      ? { merge: (existing: ClientArgs, incoming: ClientArgs) => ({ ...existing, qps: Math.max(existing.qps, incoming.qps) }) }
      : {}),
    dependencies: () => [Credentials],
    build: (args) =>
      Effect.gen(function*() {
        yield* Credentials
        yield* Ref.update(builds, (all) => [...all, `${args.cluster}@${args.qps}`])
        return { cluster: args.cluster, qps: args.qps, id: ++id }
      })
  })
}

/** A request for any member of the clients family (the arguments of each are part of its type). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type ClientRequest = Context.Tag<Family.Member<Client, any>, Client["Type"]>

const watcherOf = (...requests: ReadonlyArray<ClientRequest>) =>
  Component.make(Watcher, {
    dependencies: requests,
    build: Effect.gen(function*() {
      const clients: Array<string> = []
      for (const request of requests) {
        const client = yield* request
        clients.push(`${client.cluster}#${client.id}@${client.qps}`)
      }
      return { clients }
    })
  })

const credentials = Component.succeed(Credentials, { token: "t" })

/** Credentials, a family of clients (its builds recorded) and a Watcher of the requests `requestsOf` makes of it. */
const watching = (
  requestsOf: (clients: ReturnType<typeof makeClients>) => ReadonlyArray<ClientRequest>,
  options?: { readonly merge?: boolean }
) =>
  Effect.gen(function*() {
    const builds = yield* Ref.make<Array<string>>([])
    const Clients = makeClients(builds, options)
    return { builds, Clients, registry: Registry.make(credentials, Clients, watcherOf(...requestsOf(Clients))) }
  })

/** A recorder of lifecycle hooks, and a family of clients (one per cluster name) with the given lifecycle. */
const recordedClients = (
  lifecycle: (
    record: (entry: string) => Effect.Effect<void>
  ) => (member: Component.Component<Client, Client["Type"], never>) => Component.Component<Client, Client["Type"], never>
) =>
  Effect.map(Ref.make<Array<string>>([]), (log) => {
    const record = (entry: string) => Ref.update(log, (entries) => [...entries, entry])
    const Clients = Family.make(Client, {
      name: "Client",
      key: (cluster: string) => cluster,
      build: (cluster) => Effect.succeed({ cluster, qps: 0, id: 0 }),
      lifecycle: lifecycle(record)
    })
    return { log, record, Clients }
  })

describe("Family", () => {
  it.effect("toJSON and util.inspect show a family's name and service", () =>
    Effect.gen(function*() {
      const Clients = makeClients(yield* Ref.make<Array<string>>([]))
      expect(Clients.toJSON()).toStrictEqual({ _id: "Family", name: "Client", service: "Client" })
      expect(inspect(Clients)).toBe(inspect({ _id: "Family", name: "Client", service: "Client" }))
    }))

  it.effect("requests with equal names share one instance and different names are separate instances", () =>
    Effect.gen(function*() {
      const { builds, registry } = yield* watching((Clients) => [
        Clients.of({ cluster: "a", qps: 1 }),
        Clients.of({ cluster: "b", qps: 1 }),
        Clients.of({ cluster: "a", qps: 1 })
      ])
      const watcher = yield* Effect.provide(Watcher, Registry.toLayer(registry, [Watcher]))
      expect(watcher.clients).toEqual(["a#1@1", "b#2@1", "a#1@1"])
      expect(yield* Ref.get(builds)).toEqual(["a@1", "b@1"])
    }))

  it.effect("without merge the first request's arguments win", () =>
    Effect.gen(function*() {
      const { registry } = yield* watching((Clients) => [
        Clients.of({ cluster: "a", qps: 5 }),
        Clients.of({ cluster: "a", qps: 50 })
      ])
      const watcher = yield* Effect.provide(Watcher, Registry.toLayer(registry, [Watcher]))
      expect(watcher.clients).toEqual(["a#1@5", "a#1@5"])
    }))

  it.effect("resolution order: a component's own requests all come before its dependencies' requests", () =>
    Effect.gen(function*() {
      const builds = yield* Ref.make<Array<string>>([])
      const Clients = makeClients(builds)
      // Watcher asks for Reporter (which asks for the client at qps 5), then for the client at qps 1:
      // Watcher's second request comes before Reporter's, so qps 1 wins
      const reporter = Component.make(Reporter, {
        dependencies: [Clients.of({ cluster: "a", qps: 5 })],
        build: Effect.succeed({ client: "a" })
      })
      const watcher = Component.make(Watcher, {
        dependencies: [Reporter, Clients.of({ cluster: "a", qps: 1 })],
        build: Effect.succeed({ clients: [] })
      })
      yield* Effect.provide(Watcher, Registry.toLayer(Registry.make(credentials, Clients, reporter, watcher), [Watcher]))
      expect(yield* Ref.get(builds)).toEqual(["a@1"])
    }))

  it.effect("a merge function combines the arguments of every request before the member is built", () =>
    Effect.gen(function*() {
      const builds = yield* Ref.make<Array<string>>([])
      const Clients = makeClients(builds, { merge: true })
      const registry = Registry.make(
        credentials,
        Clients,
        watcherOf(Clients.of({ cluster: "a", qps: 5 }), Clients.of({ cluster: "a", qps: 50 })),
        Component.make(Reporter, {
          dependencies: [Clients.of({ cluster: "a", qps: 20 })],
          build: Effect.map(Clients.of({ cluster: "a", qps: 20 }), (client) => ({ client: `${client.cluster}@${client.qps}` }))
        })
      )
      const [watcher, reporter] = yield* Effect.provide(Effect.all([Watcher, Reporter]), Registry.toLayer(registry, [Watcher, Reporter]))
      expect(watcher.clients).toEqual(["a#1@50", "a#1@50"])
      expect(reporter.client).toBe("a@50")
      expect(yield* Ref.get(builds)).toEqual(["a@50"])
    }))

  it("each member has its own dependencies, which may be members of other families", () => {
    const Configs = Family.make(ClusterConfig, {
      name: "ClusterConfig",
      key: (cluster: string) => cluster,
      build: (cluster) => Effect.succeed({ endpoint: `https://${cluster}.example` })
    })
    const Clients = Family.make(Client, {
      name: "Client",
      key: (cluster: string) => cluster,
      dependencies: (cluster) => [Configs.of(cluster)],
      build: (cluster) => Effect.map(Configs.of(cluster), () => ({ cluster, qps: 1, id: 0 }))
    })
    const registry = Registry.make(Configs, Clients, watcherOf(Clients.of("a"), Clients.of("b")))
    const plan = Either.getOrThrow(Resolver.resolve(registry, [Watcher]))
    expect(plan.nodes.map((node) => node.name)).toEqual([
      "ClusterConfig(a)",
      "Client(a)",
      "ClusterConfig(b)",
      "Client(b)",
      "Watcher"
    ])
    expect(Plan.path(plan, 0)).toEqual(["Watcher", "Client(a)", "ClusterConfig(a)"])
  })

  it.effect("merged arguments that change a member's dependencies are resolved again with the merged arguments", () =>
    Effect.gen(function*() {
      class Tracer extends Context.Tag("Tracer")<Tracer, string>() {}
      interface Args {
        readonly cluster: string
        readonly traced: boolean
      }
      const Clients = Family.make(Client, {
        name: "Client",
        key: (args: Args) => args.cluster,
        merge: (a, b) => ({ cluster: a.cluster, traced: a.traced || b.traced }),
        dependencies: (args) => (args.traced ? [Tracer] : []),
        build: (args) => Effect.succeed({ cluster: args.traced ? "traced" : "plain", qps: 0, id: 0 })
      })
      const registry = Registry.make(
        Component.succeed(Tracer, "tracer"),
        Clients,
        watcherOf(Clients.of({ cluster: "a", traced: false }), Clients.of({ cluster: "a", traced: true }))
      )
      const plan = Either.getOrThrow(Resolver.resolve(registry, [Watcher]))
      expect(plan.nodes.map((node) => node.name)).toEqual(["Tracer", "Client(a)", "Watcher"])
      const watcher = yield* Effect.provide(Watcher, Plan.toLayer(plan))
      expect(watcher.clients).toEqual(["traced#0@0", "traced#0@0"])
    }))

  it.effect("a test replaces one member by name and leaves the others", () =>
    Effect.gen(function*() {
      const { builds, registry } = yield* watching((Clients) => [
        Clients.of({ cluster: "a", qps: 1 }),
        Clients.of({ cluster: "b", qps: 1 })
      ])
      const layer = Testing.toLayer(registry, [Watcher], Testing.named(Client, "Client(b)", { cluster: "fake", qps: 0, id: 99 }))
      const watcher = yield* Effect.provide(Watcher, layer)
      expect(watcher.clients).toEqual(["a#1@1", "fake#99@0"])
      expect(yield* Ref.get(builds)).toEqual(["a@1"])
    }))

  it.scoped("every member gets the family's lifecycle: an App starts each, checks its health and stops it, dependents first", () =>
    Effect.gen(function*() {
      const { Clients, log, record } = yield* recordedClients((record) => (member) =>
        member.pipe(
          Lifecycle.onStart((client) => record(`start ${client.cluster}`)),
          Lifecycle.healthCheck((client) => client.cluster === "a" ? Effect.void : Effect.fail("unready"), { name: "ready" }),
          Lifecycle.onStop((client) => record(`stop ${client.cluster}`))
        )
      )
      const watcher = watcherOf(Clients.of("a"), Clients.of("b")).pipe(
        Lifecycle.onStart(() => record("start watcher")),
        Lifecycle.onStop(() => record("stop watcher"))
      )
      const running = yield* App.start(App.make(Registry.make(Clients, watcher), { roots: [Watcher], concurrency: 1 }))
      const health = yield* App.health(running)
      expect(health.components.map((component) => [component.name, component.status, component.checks.map((check) => check.name)]))
        .toEqual([["Client(a)", "healthy", ["ready"]], ["Client(b)", "unhealthy", ["ready"]]])
      yield* App.stop(running)
      expect(yield* Ref.get(log)).toEqual(["start a", "start b", "start watcher", "stop watcher", "stop b", "stop a"])
    }))

  it.scoped("a member replaced by name runs its replacement's lifecycle, not the family's", () =>
    Effect.gen(function*() {
      const { Clients, log, record } = yield* recordedClients((record) => (member) =>
        member.pipe(Lifecycle.onStart((client) => record(`family start ${client.cluster}`)))
      )
      const fake = Component.succeed(Client, { cluster: "fake", qps: 0, id: 9 }).pipe(
        Lifecycle.onStart((client) => record(`fake start ${client.cluster}`))
      )
      const registry = Registry.make(Clients, watcherOf(Clients.of("a"), Clients.of("b"))).pipe(Registry.replace("Client(b)", fake))
      const running = yield* App.start(App.make(registry, { roots: [Watcher], concurrency: 1 }))
      yield* App.stop(running)
      expect(yield* Ref.get(log)).toEqual(["family start a", "fake start fake"])
    }))

  it("a replacement of a member these roots do not reach is accepted, as for any registered component; a name no family could give is not", () => {
    const Clients = Family.make(Client, { name: "C", key: (cluster: string) => cluster, build: (cluster) => Effect.succeed({ cluster, qps: 0, id: 0 }) })
    const registry = Registry.make(credentials, Clients, watcherOf(Clients.of("a")))
    const fake = Component.succeed(Client, { cluster: "fake", qps: 0, id: 9 })
    expect(Either.isRight(Resolver.resolve(registry.pipe(Registry.replace("C(b)", fake)), [Watcher]))).toBe(true)
    const unknown = Resolver.resolve(registry.pipe(Registry.replace("D(b)", fake)), [Watcher])
    expect(Either.isLeft(unknown) && unknown.left.problems.map((problem) => problem._tag)).toEqual(["InvalidDeclaration"])
  })

  it("a member replaced by name with a Component as the value (a cast lets one through) is an InvalidDeclaration of the replacement, saying to use Registry.replace", () => {
    const Clients = Family.make(Client, { name: "C", key: (cluster: string) => cluster, build: (cluster) => Effect.succeed({ cluster, qps: 0, id: 0 }) })
    const registry = Registry.make(credentials, Clients, watcherOf(Clients.of("a")))
    const fake = Component.succeed(Client, { cluster: "fake", qps: 0, id: 9 })
    const result = Resolver.resolve(registry.pipe(Testing.named(Client, "C(a)", fake as never)), [Watcher])
    expect(Either.isLeft(result) && result.left.problems.map((problem) => problem.message)).toEqual([
      "invalid replacement of \"C(a)\": its value is a Component, which would be the service itself: use Registry.replace(registry, \"C(a)\", component)"
    ])
  })

  it("a replacement of a member these roots do not reach whose key is close to a member's they do is a misspelling: UnknownName names that member", () => {
    const Clients = Family.make(Client, { name: "C", key: (cluster: string) => cluster, build: (cluster) => Effect.succeed({ cluster, qps: 0, id: 0 }) })
    const registry = Registry.make(credentials, Clients, watcherOf(Clients.of("eu-west"), Clients.of("us")))
    const fake = { cluster: "fake", qps: 0, id: 9 }
    const misspelt = Resolver.resolve(registry.pipe(Testing.named(Client, "C(EU-west)", fake)), [Watcher])
    expect(Either.isLeft(misspelt) && misspelt.left.problems).toEqual([
      new Errors.InvalidDeclaration({
        path: [],
        subject: { _tag: "Replacement", name: "C(EU-west)" },
        issues: [{ code: "UnknownName", names: ["C(eu-west)"], invalid: 0 }]
      })
    ])
    expect(Either.isLeft(misspelt) && misspelt.left.message).toBe(
      "1 problem resolving the graph:\n  - invalid replacement of \"C(EU-west)\": no component is named \"C(EU-west)\" (names: C(eu-west)); did you mean C(eu-west)?"
    )
    // keys are compared, not names: eu's sibling us, reached by other roots, is no misspelling of it
    expect(Either.isRight(Resolver.resolve(registry.pipe(Testing.named(Client, "C(eu)", fake)), [Watcher]))).toBe(true)
  })

  it("a member of a family that is not registered is reported as missing, with its path", () => {
    const Clients = Family.make(Client, {
      name: "Client",
      key: (cluster: string) => cluster,
      build: (cluster) => Effect.succeed({ cluster, qps: 0, id: 0 })
    })
    const result = Resolver.resolve(Registry.make(watcherOf(Clients.of("a"))), [Watcher])
    expect(Either.isLeft(result) && result.left.message).toBe(
      "1 problem resolving the graph:\n  - Watcher -> Client(a): no component provides Client(a) (available: Watcher); " +
        "it is a member of family Client, which is not registered: add the family to the registry"
    )
    expect(Either.isLeft(result) && result.left.problems).toEqual([
      new Errors.MissingComponent({
        path: ["Watcher"],
        request: "Client(a)",
        available: ["Watcher"],
        suggestions: [],
        unqualified: [],
        excluded: [],
        family: { _tag: "NotRegistered", name: "Client" }
      })
    ])
  })

  it("a member of a family that a false condition left out says so, with the condition", () => {
    const Clients = Family.make(Client, { name: "Client", key: (cluster: string) => cluster, build: (cluster) => Effect.succeed({ cluster, qps: 0, id: 0 }) })
    const registry = Registry.make(Registry.when(Condition.profile("k8s"), Clients), watcherOf(Clients.of("a")))
    const result = Resolver.resolve(registry, [Watcher])
    expect(Either.isLeft(result) && result.left.problems.map((problem) => problem.message)).toEqual([
      "Watcher -> Client(a): no component provides Client(a) (available: Watcher); candidates excluded by their conditions: Client (profile k8s); " +
      "it is a member of family Client, which is not registered: add the family to the registry"
    ])
  })

  it("a plain request of a service that only a registered family provides says that its members are requested with the family", () => {
    // Regression: the message was only "no component provides Client (available: ...); register one, or declare it external if the program provides it".
    const Clients = Family.make(Client, { name: "Clients", key: (cluster: string) => cluster, build: (cluster) => Effect.succeed({ cluster, qps: 0, id: 0 }) })
    const registry = Registry.make(Clients, Component.make(Reporter, { dependencies: [Client], build: Effect.succeed({ client: "" }) }))
    const result = Resolver.resolve(registry, [Reporter])
    expect(Either.isLeft(result) && result.left.problems).toEqual([
      new Errors.MissingComponent({
        path: ["Reporter"],
        request: "Client",
        available: ["Reporter"],
        suggestions: [],
        unqualified: [],
        excluded: [],
        family: { _tag: "MembersOnly", names: ["Clients"] }
      })
    ])
    expect(Either.isLeft(result) && result.left.problems[0]!.message).toBe(
      "Reporter -> Client: no component provides Client (available: Reporter); family Clients provides Client only to requests of its members: " +
        "request one with Family.request(family, args) or family.of(args)"
    )
  })

  it("a member of an unregistered family is missing, even when a registered family of another service has its name", () => {
    class Other extends Context.Tag("Other")<Other, { readonly cluster: string; readonly qps: number; readonly id: number }>() {}
    const registered = Family.make(Client, { name: "X", key: (cluster: string) => cluster, build: (cluster) => Effect.succeed({ cluster, qps: 0, id: 0 }) })
    const unregistered = Family.make(Other, { name: "X", key: (cluster: string) => cluster, build: (cluster) => Effect.succeed({ cluster, qps: 0, id: 1 }) })
    const registry = Registry.make(
      registered,
      Component.make(Watcher, { dependencies: [registered.of("k"), unregistered.of("k")], build: Effect.succeed({ clients: [] }) })
    )
    const result = Resolver.resolve(registry, [Watcher])
    expect(Either.isLeft(result) && result.left.problems.map((problem) => problem.message)).toEqual([
      "Watcher -> X(k): no component provides X(k) (available: Watcher); it is a member of family X, which is not registered: add the family to the registry"
    ])
  })

  it("two registered families with one name are a DuplicateName (their members would share names)", () => {
    const http = Family.make(Client, { key: (cluster: string) => cluster, build: (cluster) => Effect.succeed({ cluster, qps: 0, id: 0 }) })
    const grpc = Family.make(Client, { key: (cluster: string) => cluster, build: (cluster) => Effect.succeed({ cluster, qps: 0, id: 1 }) })
    const result = Resolver.resolve(Registry.make(http, grpc, watcherOf(http.of("a"), grpc.of("a"))), [Watcher])
    expect(Either.isLeft(result) && result.left.problems.map((problem) => problem.message)).toEqual([
      `duplicate component name "Client": given to 2 components (providing Client, Client); names must be unique in a registry (to put one in another's place, use Registry.replace, or Testing.named in a test)`
    ])
  })

  it.effect("members of two families of one name have different keys: each registry builds its own family's member", () =>
    Effect.gen(function*() {
      const http = Family.make(Client, { name: "C", key: (cluster: string) => cluster, build: (cluster) => Effect.succeed({ cluster, qps: 0, id: 1 }) })
      const grpc = Family.make(Client, { name: "C", key: (cluster: string) => cluster, build: (cluster) => Effect.succeed({ cluster, qps: 0, id: 2 }) })
      // each registry registers one of them: each member request reaches its own family's member
      for (const [family, id] of [[http, 1], [grpc, 2]] as const) {
        const watcher = yield* Effect.provide(Watcher, Registry.toLayer(Registry.make(family, watcherOf(family.of("a"))), [Watcher]))
        expect(watcher.clients).toEqual([`a#${id}@0`])
      }
      expect(http.of("a").key).not.toBe(grpc.of("a").key)
    }))

  it("a member named like a registered component is a DuplicateName", () => {
    const Clients = Family.make(Client, { name: "C", key: (cluster: string) => cluster, build: (cluster) => Effect.succeed({ cluster, qps: 0, id: 0 }) })
    const registry = Registry.make(
      Clients,
      Component.succeed(Client, { cluster: "plain", qps: 0, id: 0 }).pipe(Component.named("C(a)")),
      Component.make(Watcher, { dependencies: [Clients.of("a"), Client], build: Effect.succeed({ clients: [] }) })
    )
    const result = Resolver.resolve(registry, [Watcher])
    expect(Either.isLeft(result) && result.left.problems.map((problem) => problem.message)).toEqual([
      `duplicate component name "C(a)": given to 2 components (providing Client, Client); names must be unique in a registry (to put one in another's place, use Registry.replace, or Testing.named in a test)`
    ])
  })

  it.effect("a tag-wide override of the family's service replaces every member; a qualified one replaces none", () =>
    Effect.gen(function*() {
      const { builds, registry } = yield* watching((Clients) => [
        Clients.of({ cluster: "a", qps: 1 }),
        Clients.of({ cluster: "b", qps: 1 })
      ])
      const fake = { cluster: "fake", qps: 0, id: 99 }
      const overridden = yield* Effect.provide(Watcher, Testing.toLayer(registry, [Watcher], Testing.value(Client, fake)))
      expect(overridden.clients).toEqual(["fake#99@0", "fake#99@0"])
      expect(yield* Ref.get(builds)).toEqual([])
      const plan = Either.getOrThrow(Resolver.resolve(Testing.value(Client, fake)(registry), [Watcher]))
      expect(plan.nodes.at(-1)!.dependencies.map((edge) => [edge.request.label, edge.choice.rule])).toEqual([
        ["Client(a)", "override"],
        ["Client(b)", "override"]
      ])
      const qualified = yield* Effect.provide(
        Watcher,
        Testing.toLayer(registry, [Watcher], Testing.value(Client, fake, { qualifiers: ["eu"] }))
      )
      expect(qualified.clients).toEqual(["a#1@1", "b#2@1"])
    }))

  it("a dependencies function that throws is an invalid declaration, not a crash", () => {
    const Clients = Family.make(Client, {
      name: "Client",
      key: (cluster: string) => cluster,
      dependencies: (): ReadonlyArray<typeof Credentials> => {
        throw new Error("no such cluster")
      },
      build: (cluster) => Effect.succeed({ cluster, qps: 0, id: 0 })
    })
    const result = Resolver.resolve(Registry.make(Clients, watcherOf(Clients.of("x"))), [Watcher])
    expect(Either.isLeft(result) && result.left.problems.map((problem) => problem.message)).toEqual([
      "Watcher: invalid family member Client(x): its dependencies function threw: no such cluster"
    ])
  })

  it("dependencies given as a list instead of a function of the member's arguments fail Family.make, saying how to write them", () => {
    // Regression: the resolution reported "its dependencies function threw: member.family.dependencies is not a function"
    class Storage extends Context.Tag("Storage")<Storage, string>() {}
    expect(() =>
      Family.make(Client, {
        name: "Client",
        key: (cluster: string) => cluster,
        dependencies: [Storage] as unknown as (cluster: string) => ReadonlyArray<typeof Storage>,
        build: (cluster) => Effect.succeed({ cluster, qps: 0, id: 0 })
      })
    ).toThrow("Family.make: the dependencies of family Client must be a function of a member's arguments (`dependencies: (args) => [...]`), got [")
  })

  it("a key function that does not return a name fails at the request, with the family's name", () => {
    const Clients = Family.make(Client, {
      name: "Client",
      key: (cluster: string) => cluster,
      build: (cluster) => Effect.succeed({ cluster, qps: 0, id: 0 })
    })
    // an empty key (a tenant read from an unset variable) is shown quoted: it read "got " before
    expect(() => Clients.of("")).toThrow(new TypeError("Family.request: the key function of family Client must return a non-empty string, got \"\""))
  })

  it("a merge that never settles the dependencies is reported instead of looping", () => {
    class Extra extends Context.Tag("Extra")<Extra, number>() {}
    let flip = false
    const Clients = Family.make(Client, {
      name: "Client",
      key: (_: number) => "one",
      merge: (a, b) => a + b,
      dependencies: () => {
        flip = !flip
        return flip ? [Extra] : []
      },
      build: () => Effect.succeed({ cluster: "one", qps: 0, id: 0 })
    })
    const result = Resolver.resolve(
      Registry.make(Component.succeed(Extra, 1), Clients, watcherOf(Clients.of(1), Clients.of(2))),
      [Watcher]
    )
    expect(Either.isLeft(result)).toBe(true)
    const problems = Either.isLeft(result) ? result.left.problems : []
    expect(problems.some((problem) => problem instanceof Errors.InvalidDeclaration && problem.subject._tag === "Member" && problem.subject.name === "Client(one)"))
      .toBe(true)
  })
  it("a build function that returns something other than an Effect is an invalid member, found before anything runs", () => {
    const Clients = Family.make(Client, {
      name: "Client",
      key: (cluster: string) => cluster,
      build: (cluster) => ({ cluster, qps: 0, id: 0 }) as unknown as Effect.Effect<{ cluster: string; qps: number; id: number }>
    })
    const result = Resolver.resolve(Registry.make(Clients, watcherOf(Clients.of("eu"))), [Watcher])
    expect(Either.isLeft(result) && result.left.problems.map((problem) => problem.message)).toEqual([
      "invalid family member Client(eu): its family's build function must return an Effect, got { cluster: \"eu\", qps: 0, id: 0 }"
    ])
  })
  describe("a problem several members reach alike is listed once", () => {
    /** A family of clients whose members request what `dependencies` says, one cluster each. */
    const clientsRequesting = (dependencies: (cluster: string) => ReadonlyArray<Context.Tag<any, any>>, name = "KubeClient") =>
      Family.make(Client, { name, key: (cluster: string) => cluster, dependencies, build: (cluster) => Effect.succeed({ cluster, qps: 0, id: 0 }) })
    const messagesOf = (result: Either.Either<unknown, Errors.ResolutionError>) =>
      Either.isLeft(result) ? result.left.problems.map((problem) => problem.message) : []

    it("a service every member requests and no component provides is one problem: the first member's path, and the others it is also reached through", () => {
      // Regression: one MissingComponent per member, differing only in the member in their paths.
      const Clients = clientsRequesting(() => [Credentials])
      const registry = Registry.make(Clients, watcherOf(Clients.of("eu"), Clients.of("us"), Clients.of("ap")))
      const result = Resolver.resolve(registry, [Watcher])
      expect(Either.isLeft(result) && result.left.problems).toEqual([
        new Errors.MissingComponent({
          path: ["Watcher", "KubeClient(eu)"],
          request: "Credentials",
          available: ["Watcher"],
          suggestions: [],
          unqualified: [],
          excluded: [],
          alsoThrough: ["KubeClient(us)", "KubeClient(ap)"]
        })
      ])
      expect(Either.isLeft(result) && result.left.message).toBe(
        "1 problem resolving the graph:\n  - Watcher -> KubeClient(eu) -> Credentials (also through KubeClient(us), KubeClient(ap)): " +
          "no component provides Credentials (available: Watcher); register one, or declare it external if the program provides it"
      )
    })

    it("problems that differ in more than the member stay separate: another missing service, a member's argument in the request", () => {
      const Clients = clientsRequesting((cluster) => [cluster === "ap" ? ClusterConfig : Credentials])
      const Unregistered = clientsRequesting(() => [], "Pool")
      const Reporters = Family.make(Reporter, {
        name: "Reporter",
        key: (cluster: string) => cluster,
        dependencies: (cluster) => [Unregistered.of(cluster)],
        build: (cluster) => Effect.succeed({ client: cluster })
      })
      const registry = Registry.make(
        Clients,
        Reporters,
        Component.make(Watcher, {
          dependencies: [Clients.of("eu"), Clients.of("us"), Clients.of("ap"), Reporters.of("eu"), Reporters.of("us")],
          build: Effect.succeed({ clients: [] })
        })
      )
      expect(messagesOf(Resolver.resolve(registry, [Watcher]))).toEqual([
        "Watcher -> KubeClient(eu) -> Credentials (also through KubeClient(us)): no component provides Credentials (available: Watcher); " +
        "register one, or declare it external if the program provides it",
        "Watcher -> KubeClient(ap) -> ClusterConfig: no component provides ClusterConfig (available: Watcher); " +
        "register one, or declare it external if the program provides it",
        "Watcher -> Reporter(eu) -> Pool(eu): no component provides Pool(eu) (available: Watcher); " +
        "it is a member of family Pool, which is not registered: add the family to the registry",
        "Watcher -> Reporter(us) -> Pool(us): no component provides Pool(us) (available: Watcher); " +
        "it is a member of family Pool, which is not registered: add the family to the registry"
      ])
    })

    it("candidates that tie for every member's request are one AmbiguousComponent", () => {
      // Regression: one AmbiguousComponent per member.
      const Clients = clientsRequesting(() => [Credentials])
      const registry = Registry.make(
        Clients,
        Component.succeed(Credentials, { token: "a" }).pipe(Component.named("vault")),
        Component.succeed(Credentials, { token: "b" }).pipe(Component.named("env")),
        watcherOf(Clients.of("eu"), Clients.of("us"))
      )
      const result = Resolver.resolve(registry, [Watcher])
      expect(Either.isLeft(result) && result.left.problems).toEqual([
        new Errors.AmbiguousComponent({
          path: ["Watcher", "KubeClient(eu)"],
          request: "Credentials",
          candidates: ["env", "vault"],
          rule: "none primary, equal order 0",
          alsoThrough: ["KubeClient(us)"]
        })
      ])
      expect(messagesOf(result)).toEqual([
        "Watcher -> KubeClient(eu) -> Credentials (also through KubeClient(us)): 2 candidates tie for Credentials (env, vault; none primary, equal order 0): " +
        "mark one primary, the others alternative, give them different orders, or request one by qualifier or name"
      ])
    })

    it("every member (a singleton) depending on a request-scoped component is one LifetimeMismatch", () => {
      // Regression: one LifetimeMismatch per member.
      const Request = Lifetime.scope("Request")
      const Clients = clientsRequesting(() => [Credentials])
      const registry = Registry.make(
        Clients,
        Component.succeed(Credentials, { token: "t" }).pipe(Lifetime.scoped(Request)),
        watcherOf(Clients.of("eu"), Clients.of("us"))
      )
      const result = Resolver.resolve(registry, [Watcher], { scopes: [Request] })
      expect(Either.isLeft(result) && result.left.problems).toEqual([
        new Errors.LifetimeMismatch({
          path: ["Watcher", "KubeClient(eu)"],
          component: "KubeClient(eu)",
          lifetime: "singleton",
          dependency: "Credentials",
          dependencyLifetime: "scoped(Request)",
          through: [],
          alsoThrough: ["KubeClient(us)"]
        })
      ])
      expect(messagesOf(result)).toEqual([
        "Watcher -> KubeClient(eu) (also through KubeClient(us)): KubeClient(eu) (singleton) depends on Credentials (scoped(Request)), which does not live as long: " +
        "request it with Dependency.lazy or Dependency.factory (inside an open scope), or give KubeClient(eu) a lifetime no longer than Credentials's"
      ])
    })

    it("a cycle through each member is one CircularDependency", () => {
      // Regression: one CircularDependency per member.
      const Clients = clientsRequesting(() => [Watcher])
      const result = Resolver.resolve(Registry.make(Clients, watcherOf(Clients.of("eu"), Clients.of("us"), Clients.of("ap"))), [Watcher])
      expect(Either.isLeft(result) && result.left.problems).toEqual([
        new Errors.CircularDependency({
          path: [],
          cycle: ["Watcher", "KubeClient(eu)", "Watcher"],
          alsoThrough: ["KubeClient(us)", "KubeClient(ap)"]
        })
      ])
      expect(messagesOf(result)).toEqual([
        "circular dependency Watcher -> KubeClient(eu) -> Watcher (also through KubeClient(us), KubeClient(ap)): break it by moving what they share " +
        "into a component of its own, or look one up at run time with Container.get (a Dependency.lazy request still counts)"
      ])
    })
  })
})
