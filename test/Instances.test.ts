import { describe, expect, it } from "@effect/vitest"
import {
  Cause,
  Clock,
  Data,
  Deferred,
  Duration,
  Effect,
  Exit,
  FastCheck as fc,
  Fiber,
  FiberId,
  Logger,
  Option,
  Random,
  Ref,
  RuntimeFlags,
  RuntimeFlagsPatch,
  Scope,
  Supervisor,
  TestClock
} from "effect"
import { identity } from "effect/Function"
import { inspect } from "node:util"
import { Component, Instances, Registry } from "../src/index.js"
import { addFinalizerNow } from "../src/internal/runtime.js"

interface Settings {
  readonly tenant: string
  readonly version: number
}

interface Client {
  readonly tenant: string
  readonly version: number
  readonly serial: number
  disposed: boolean
}

const settings = (tenant: string, version = 1): Settings => ({ tenant, version })

/** The whole metrics of a manager: the counts given, every other count 0. */
const metrics = (counts: Partial<Instances.Metrics>): Instances.Metrics => ({
  hits: 0,
  misses: 0,
  builds: 0,
  building: 0,
  cached: 0,
  live: 0,
  replacements: 0,
  invalidations: 0,
  failures: 0,
  disposals: 0,
  disposalFailures: 0,
  forcedDisposals: 0,
  evictions: 0,
  ...counts
})

/**
 * A provider whose instances record their life in `log`, and whose builds can be slowed (by
 * TestClock millis), gated (until a Deferred completes) or failed, per tenant.
 */
const makeProvider = Effect.gen(function*() {
  const log = yield* Ref.make<Array<string>>([])
  const record = (entry: string) => Ref.update(log, (entries) => [...entries, entry])
  let serial = 0
  const failing = new Set<string>()
  const slow = new Map<string, number>()
  const gates = new Map<string, Deferred.Deferred<void>>()
  const provider: Instances.Provider<Settings, string, Client, string> = {
    key: (settings) => settings.tenant,
    make: (settings) =>
      Effect.gen(function*() {
        const delay = slow.get(settings.tenant)
        if (delay !== undefined) yield* Effect.sleep(delay)
        const gate = gates.get(settings.tenant)
        if (gate !== undefined) yield* Deferred.await(gate)
        if (failing.has(settings.tenant)) return yield* Effect.fail(`cannot connect ${settings.tenant}`)
        const client: Client = { tenant: settings.tenant, version: settings.version, serial: ++serial, disposed: false }
        yield* record(`build ${settings.tenant}@${settings.version}`)
        yield* Effect.addFinalizer(() =>
          Effect.suspend(() => {
            if (client.disposed) return Effect.die(new Error(`${client.tenant}#${client.serial} disposed twice`))
            client.disposed = true
            return record(`dispose ${settings.tenant}@${settings.version}`)
          })
        )
        return client
      }),
    needsUpdate: (settings, cached) => settings.version !== cached.context.version
  }
  return { log, record, provider, failing, slow, gates }
})

/** A use that dies if the instance was disposed before or while it runs. */
const use = (client: Client) =>
  Effect.suspend(() =>
    client.disposed ? Effect.die(new Error(`${client.tenant}#${client.serial} used after disposal`)) : Effect.succeed(client)
  )

/** Log lines at level and message, captured from the fiber that runs `effect`. */
const capturingLogs = Effect.gen(function*() {
  const lines: Array<string> = []
  const logger = Logger.make(({ logLevel, message }) => {
    lines.push(`${logLevel.label} ${Array.isArray(message) ? message.join(" ") : String(message)}`)
  })
  return { lines, provide: Effect.provide(Logger.add(logger)) }
})

describe("Instances", () => {
  it.effect("toString, toJSON and util.inspect show a manager's name, state and instance counts, open and closed", () =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      const manager = yield* Scope.extend(
        Instances.make({ name: "tenants", key: (settings: Settings) => settings.tenant, make: () => Effect.succeed(1), needsUpdate: () => false }),
        scope
      )
      yield* Effect.scoped(manager.get(settings("a", 1)))
      expect(String(manager)).toBe("InstanceManager(tenants, open)")
      expect(inspect(manager)).toBe(inspect({ _id: "InstanceManager", name: "tenants", state: "Open", cached: 1, live: 1 }))
      yield* Scope.close(scope, Exit.void)
      expect(manager.toJSON()).toStrictEqual({ _id: "InstanceManager", name: "tenants", state: "Closed", cached: 0, live: 0 })
      expect(String(manager)).toBe("InstanceManager(tenants, closed)")
    }))

  describe("building and reusing", () => {
    it.scoped("the first get builds and later gets that need no update return the same instance", () =>
      Effect.gen(function*() {
        const { log, provider } = yield* makeProvider
        const manager = yield* Instances.make(provider)
        const first = yield* manager.use(settings("a"), use)
        const second = yield* manager.use(settings("a"), use)
        const third = yield* Effect.scoped(manager.get(settings("a")))
        expect(second).toBe(first)
        expect(third).toBe(first)
        expect(yield* Ref.get(log)).toEqual(["build a@1"])
        expect(yield* manager.metrics).toEqual(metrics({ hits: 2, misses: 1, builds: 1, cached: 1, live: 1 }))
      }))

    it.scoped("needsUpdate receives the context the cached instance was made with, and the instance", () =>
      Effect.gen(function*() {
        const seen: Array<[number, number, number]> = []
        const manager = yield* Instances.make({
          key: (settings: Settings) => settings.tenant,
          make: (settings) => Effect.succeed({ madeFor: settings.version }),
          needsUpdate: (settings, cached) => {
            seen.push([settings.version, cached.context.version, cached.instance.madeFor])
            return false
          }
        })
        yield* manager.use(settings("a", 1), Effect.succeed)
        const value = yield* manager.use(settings("a", 7), Effect.succeed)
        expect(value.madeFor).toBe(1)
        expect(seen).toEqual([[7, 1, 1]])
      }))

    it.scoped("twelve concurrent first gets of one key build once", () =>
      Effect.gen(function*() {
        const { log, provider, slow } = yield* makeProvider
        slow.set("a", 100)
        const manager = yield* Instances.make(provider)
        const fiber = yield* Effect.fork(
          Effect.all(Array.from({ length: 12 }, () => manager.use(settings("a"), use)), { concurrency: "unbounded" })
        )
        yield* TestClock.adjust(100)
        const clients = yield* Fiber.join(fiber)
        expect(new Set(clients.map((client) => client.serial)).size).toBe(1)
        expect(yield* Ref.get(log)).toEqual(["build a@1"])
        expect(yield* manager.metrics).toEqual(metrics({ misses: 12, builds: 1, cached: 1, live: 1 }))
      }))

    it.scoped("a slow build of one key never blocks other keys", () =>
      Effect.gen(function*() {
        const { log, provider, slow } = yield* makeProvider
        slow.set("slow", 1_000)
        const manager = yield* Instances.make(provider)
        const slowFiber = yield* Effect.fork(manager.use(settings("slow"), use))
        yield* TestClock.adjust(1)
        // no clock time passes: the fast key is built and used while the slow build sleeps
        const fast = yield* manager.use(settings("fast"), use)
        expect(fast.tenant).toBe("fast")
        expect(slowFiber.unsafePoll()).toBeNull()
        expect(yield* Ref.get(log)).toEqual(["build fast@1"])
        yield* TestClock.adjust(999)
        expect((yield* Fiber.join(slowFiber)).tenant).toBe("slow")
        expect(yield* Ref.get(log)).toEqual(["build fast@1", "build slow@1"])
      }))

    it.scoped("a get that joins a build for an older context builds again for its own", () =>
      Effect.gen(function*() {
        const { log, provider, slow } = yield* makeProvider
        slow.set("a", 100)
        const manager = yield* Instances.make(provider)
        const older = yield* Effect.fork(manager.use(settings("a", 1), use))
        yield* TestClock.adjust(1)
        const newer = yield* Effect.fork(manager.use(settings("a", 2), use))
        yield* TestClock.adjust(99)
        expect((yield* Fiber.join(older)).version).toBe(1)
        yield* TestClock.adjust(100)
        expect((yield* Fiber.join(newer)).version).toBe(2)
        expect(yield* Ref.get(log)).toEqual(["build a@1", "build a@2", "dispose a@1"])
      }))

    it.scoped("a caller that gives up waiting does not cancel the shared build", () =>
      Effect.gen(function*() {
        const { log, provider, slow } = yield* makeProvider
        slow.set("a", 100)
        const manager = yield* Instances.make(provider)
        const impatient = yield* Effect.fork(manager.use(settings("a"), use))
        yield* TestClock.adjust(10)
        yield* Fiber.interrupt(impatient)
        yield* TestClock.adjust(90)
        expect(yield* Ref.get(log)).toEqual(["build a@1"])
        expect(yield* manager.keys).toEqual(["a"])
        yield* manager.use(settings("a"), use)
        expect(yield* manager.metrics).toEqual(metrics({ hits: 1, misses: 1, builds: 1, cached: 1, live: 1 }))
      }))

    it.scoped("keys are compared with Equal: primitives and Data values by value, plain objects by reference", () =>
      Effect.gen(function*() {
        class Source extends Data.Class<{ readonly org: number; readonly uid: string }> {}
        let builds = 0
        const manager = yield* Instances.make({
          key: (context: { readonly key: unknown }) => context.key,
          make: () => Effect.sync(() => ++builds),
          needsUpdate: () => false
        })
        const buildsFor = (first: unknown, second: unknown) =>
          Effect.gen(function*() {
            const before = builds
            yield* manager.use({ key: first }, Effect.succeed)
            yield* manager.use({ key: second }, Effect.succeed)
            return builds - before
          })
        expect(yield* buildsFor("tenant", "tenant")).toBe(1)
        expect(yield* buildsFor(42, 42)).toBe(1)
        expect(yield* buildsFor(Data.struct({ tenant: "a" }), Data.struct({ tenant: "a" }))).toBe(1)
        expect(yield* buildsFor(new Source({ org: 1, uid: "x" }), new Source({ org: 1, uid: "x" }))).toBe(1)
        expect(yield* buildsFor({ tenant: "b" }, { tenant: "b" })).toBe(2)
        expect(yield* buildsFor(["c"], ["c"])).toBe(2)
      }))
  })

  describe("replacing", () => {
    it.scoped("an update builds a new instance; the old one is disposed exactly once, after its last holder", () =>
      Effect.gen(function*() {
        const { log, provider, record } = yield* makeProvider
        const manager = yield* Instances.make(provider)
        const holder = yield* Scope.make()
        const old = yield* manager.get(settings("a", 1)).pipe(Scope.extend(holder))
        const fresh = yield* manager.use(settings("a", 2), use)
        expect(fresh.version).toBe(2)
        // the holder keeps using the replaced instance: it is still valid
        yield* use(old).pipe(Effect.zipRight(record("holder uses a@1")))
        yield* Scope.close(holder, Exit.void)
        expect(yield* Ref.get(log)).toEqual(["build a@1", "build a@2", "holder uses a@1", "dispose a@1"])
        // never handed out again: the same context gets the new instance, the old one is gone for good
        expect((yield* manager.use(settings("a", 2), use)).serial).toBe(fresh.serial)
        expect(yield* manager.entries).toMatchObject([{ key: "a", context: { version: 2 } }])
        expect(yield* manager.metrics).toEqual(metrics({ hits: 1, misses: 2, builds: 2, cached: 1, live: 1, replacements: 1, disposals: 1 }))
      }))

    it.scoped("a user interrupted mid-use releases its reference", () =>
      Effect.gen(function*() {
        const { log, provider } = yield* makeProvider
        const manager = yield* Instances.make(provider)
        const started = yield* Deferred.make<void>()
        const user = yield* Effect.fork(manager.use(settings("a", 1), () => Deferred.succeed(started, undefined).pipe(Effect.zipRight(Effect.never))))
        yield* Deferred.await(started)
        yield* manager.use(settings("a", 2), use)
        expect(yield* Ref.get(log)).toEqual(["build a@1", "build a@2"])
        yield* Fiber.interrupt(user)
        expect(yield* Ref.get(log)).toEqual(["build a@1", "build a@2", "dispose a@1"])
        expect(yield* manager.metrics).toEqual(metrics({ misses: 2, builds: 2, cached: 1, live: 1, replacements: 1, disposals: 1 }))
      }))

    it.scoped("an instance dropped before the gets waiting for its build resume is still handed to them, and disposed after their use", () =>
      Effect.gen(function*() {
        const { gates, log, provider, record } = yield* makeProvider
        const gate = yield* Deferred.make<void>()
        gates.set("a", gate)
        const manager = yield* Instances.make(provider)
        const user = (name: string) => manager.use(settings("a"), (client) => Effect.as(Effect.zipRight(use(client), record(`${name} uses a@1`)), client))
        const builder = yield* Effect.fork(user("builder"))
        const waiter = yield* Effect.fork(user("waiter"))
        yield* Effect.yieldNow()
        gates.delete("a")
        yield* Deferred.succeed(gate, undefined)
        // the build completes and wakes its waiters, queued behind this fiber: invalidate first
        yield* Effect.yieldNow()
        yield* manager.invalidate("a")
        expect(yield* Ref.get(log)).toEqual(["build a@1"])
        const [first, second] = [yield* Fiber.join(builder), yield* Fiber.join(waiter)]
        expect(first.serial).toBe(second.serial)
        expect(yield* Ref.get(log)).toEqual(["build a@1", "builder uses a@1", "waiter uses a@1", "dispose a@1"])
        // never handed out again: the next get builds
        expect((yield* manager.use(settings("a"), use)).serial).not.toBe(first.serial)
        expect(yield* manager.metrics).toEqual(metrics({ misses: 3, builds: 2, cached: 1, live: 1, invalidations: 1, disposals: 1 }))
      }))
  })

  describe("failures", () => {
    it.scoped("a failing rebuild returns its error and keeps the previous instance cached and valid", () =>
      Effect.gen(function*() {
        const { failing, log, provider } = yield* makeProvider
        const manager = yield* Instances.make(provider)
        const first = yield* manager.use(settings("a", 1), use)
        failing.add("a")
        const error = yield* Effect.flip(manager.use(settings("a", 2), use))
        expect(error).toBe("cannot connect a")
        expect(first.disposed).toBe(false)
        expect(yield* manager.entries).toMatchObject([{ key: "a", context: { version: 1 } }])
        // still handed out to a context it suits
        expect((yield* manager.use(settings("a", 1), use)).serial).toBe(first.serial)
        failing.delete("a")
        expect((yield* manager.use(settings("a", 2), use)).version).toBe(2)
        expect(yield* Ref.get(log)).toEqual(["build a@1", "build a@2", "dispose a@1"])
        expect(yield* manager.metrics).toEqual(metrics({ hits: 1, misses: 3, builds: 3, cached: 1, live: 1, replacements: 1, failures: 1, disposals: 1 }))
      }))

    it.scoped("a failing first build caches nothing and the next get tries again", () =>
      Effect.gen(function*() {
        const { failing, provider } = yield* makeProvider
        const manager = yield* Instances.make(provider)
        failing.add("a")
        expect(yield* Effect.flip(manager.use(settings("a"), use))).toBe("cannot connect a")
        expect(yield* manager.entries).toEqual([])
        expect(yield* manager.metrics).toEqual(metrics({ misses: 1, builds: 1, failures: 1 }))
        failing.delete("a")
        expect((yield* manager.use(settings("a"), use)).tenant).toBe("a")
        expect(yield* manager.metrics).toEqual(metrics({ misses: 2, builds: 2, cached: 1, live: 1, failures: 1 }))
      }))

    it.scoped("a key function that throws builds nothing and dies with an InstanceKeyDefect", () =>
      Effect.gen(function*() {
        const { log, provider } = yield* makeProvider
        const manager = yield* Instances.make({
          ...provider,
          key: (settings: Settings) => {
            if (settings.tenant === "") throw new Error("no tenant")
            return settings.tenant
          }
        })
        const exit = yield* Effect.exit(manager.use(settings(""), use))
        const defect = Exit.isFailure(exit) ? Option.getOrUndefined(Cause.dieOption(exit.cause)) : undefined
        expect(defect).toBeInstanceOf(Instances.InstanceKeyDefect)
        expect(defect).toMatchObject({ _tag: "InstanceKeyDefect", message: "the key function of the instance manager threw: Error: no tenant" })
        expect(yield* Ref.get(log)).toEqual([])
        expect(yield* manager.metrics).toEqual(metrics({}))
      }))

    it.scoped("an effectful key function's failure is passed through unchanged and builds nothing", () =>
      Effect.gen(function*() {
        class UnknownTenant extends Data.TaggedError("UnknownTenant")<{ readonly tenant: string }> {}
        const { log, provider } = yield* makeProvider
        const known = new Set(["a"])
        const manager = yield* Instances.make({
          ...provider,
          key: (settings: Settings) =>
            known.has(settings.tenant) ? Effect.succeed(settings.tenant) : Effect.fail(new UnknownTenant({ tenant: settings.tenant }))
        })
        expect(yield* Effect.flip(manager.use(settings("z"), use))).toEqual(new UnknownTenant({ tenant: "z" }))
        expect((yield* manager.use(settings("a"), use)).tenant).toBe("a")
        expect(yield* Ref.get(log)).toEqual(["build a@1"])
      }))

    it.scoped("a make that dies fails the get with an InstanceMakeDefect naming the key and leaves the cache unchanged", () =>
      Effect.gen(function*() {
        let die = false
        const manager = yield* Instances.make({
          key: (settings: Settings) => settings.tenant,
          make: (settings) => (die ? Effect.dieMessage("driver crashed") : Effect.succeed(settings.version)),
          needsUpdate: (settings, cached) => settings.version !== cached.context.version
        })
        yield* manager.use(settings("a", 1), Effect.succeed)
        die = true
        const exit = yield* Effect.exit(manager.use(settings("a", 2), Effect.succeed))
        const defect = Exit.isFailure(exit) ? Option.getOrUndefined(Cause.dieOption(exit.cause)) : undefined
        expect(defect).toBeInstanceOf(Instances.InstanceMakeDefect)
        expect((defect as Instances.InstanceMakeDefect).message).toBe(`making the instance for key a died: RuntimeException: driver crashed`)
        expect((defect as Instances.InstanceMakeDefect).cause).toBeInstanceOf(Cause.RuntimeException)
        expect(yield* manager.entries).toMatchObject([{ key: "a", context: { version: 1 } }])
        expect(yield* manager.use(settings("a", 1), Effect.succeed)).toBe(1)
        expect(yield* manager.metrics).toEqual(metrics({ hits: 1, misses: 2, builds: 2, cached: 1, live: 1, failures: 1 }))
      }))

    it.effect("a make that throws, or returns no Effect, fails the get with an InstanceMakeDefect; nothing hangs, not even the close", () =>
      Effect.gen(function*() {
        const managerScope = yield* Scope.make()
        const manager = yield* Instances.make({
          key: (settings: Settings) => settings.tenant,
          make: (settings: Settings): Effect.Effect<number> => {
            if (settings.version === 2) throw new Error("no url configured")
            if (settings.version === 3) return "not an effect" as never
            return Effect.succeed(settings.version)
          },
          needsUpdate: (settings, cached) => settings.version !== cached.context.version
        }).pipe(Scope.extend(managerScope))
        const defectOf = (exit: Exit.Exit<unknown, unknown>) =>
          Exit.isFailure(exit) ? Option.getOrUndefined(Cause.dieOption(exit.cause)) : undefined
        // a first build and a replacement alike
        for (const tenant of ["fresh", "cached"]) {
          if (tenant === "cached") yield* manager.use(settings(tenant, 1), Effect.succeed)
          const thrown = defectOf(yield* Effect.exit(manager.use(settings(tenant, 2), Effect.succeed)))
          expect((thrown as Instances.InstanceMakeDefect).message).toBe(
            `making the instance for key ${tenant} died: Error: no url configured`
          )
          const returned = defectOf(yield* Effect.exit(manager.use(settings(tenant, 3), Effect.succeed)))
          expect((returned as Instances.InstanceMakeDefect).message).toBe(
            `making the instance for key ${tenant} died: TypeError: make must return an Effect, got not an effect`
          )
        }
        // the cached instance stayed valid, the fresh key is free to build again
        expect(yield* manager.use(settings("cached", 1), Effect.succeed)).toBe(1)
        expect(yield* manager.use(settings("fresh", 1), Effect.succeed)).toBe(1)
        expect(yield* manager.metrics).toEqual(metrics({ hits: 1, misses: 6, builds: 6, cached: 2, live: 2, failures: 4 }))
        yield* Scope.close(managerScope, Exit.void)
        expect(yield* manager.metrics).toEqual(metrics({ hits: 1, misses: 6, builds: 6, failures: 4, disposals: 2 }))
      }))

    it.scoped("a make that interrupts itself fails the get with an InstanceMakeDefect, not an interruption, while the manager is open", () =>
      Effect.gen(function*() {
        const manager = yield* Instances.make({
          key: (tenant: string) => tenant,
          make: (tenant: string) => (tenant === "x" ? Effect.interrupt : Effect.succeed(tenant)),
          needsUpdate: () => false
        })
        const exit = yield* Effect.exit(manager.use("x", Effect.succeed))
        const defect = Exit.isFailure(exit) ? Option.getOrUndefined(Cause.dieOption(exit.cause)) : undefined
        expect((defect as Instances.InstanceMakeDefect).message).toBe(
          `making the instance for key x died: make was interrupted (not by a close of the manager)`
        )
        expect(yield* manager.use("y", Effect.succeed)).toBe("y")
      }))

    it.scoped("a make that gets its own key, directly or through another key's make, dies with InstanceCycle instead of waiting forever", () =>
      Effect.gen(function*() {
        const self: { manager?: Instances.InstanceManager<string, string, string> } = {}
        // "a" gets "a"; "b" gets "c", which gets "b" from a fiber of its own; "d" gets "e", no cycle
        const next: Record<string, string> = { a: "a", b: "c", c: "b", d: "e" }
        const manager: Instances.InstanceManager<string, string, string> = yield* Instances.make({
          key: (tenant: string) => tenant,
          make: (tenant: string): Effect.Effect<string> => {
            const other = next[tenant]
            if (other === undefined) return Effect.succeed(tenant)
            const get = Effect.orDie(self.manager!.use(other, (instance) => Effect.succeed(`${tenant}>${instance}`)))
            return tenant === "c" ? Effect.flatMap(Effect.fork(get), Fiber.join) : get
          },
          needsUpdate: () => false
        })
        self.manager = manager
        const cycleOf = (exit: Exit.Exit<unknown, unknown>) => {
          const defect = Exit.isFailure(exit) ? Option.getOrUndefined(Cause.dieOption(exit.cause)) : undefined
          return defect instanceof Instances.InstanceMakeDefect ? defect.cause : defect
        }
        const direct = cycleOf(yield* Effect.exit(manager.use("a", Effect.succeed)))
        expect(direct).toBeInstanceOf(Instances.InstanceCycle)
        expect((direct as Instances.InstanceCycle).message).toBe(
          `the make of key a gets its own instance, directly or through other makes: it would wait for itself forever`
        )
        // the inner get of "b" (in the make of "c", in the make of "b") found the cycle
        const indirect = cycleOf(yield* Effect.exit(manager.use("b", Effect.succeed)))
        expect(indirect).toBeInstanceOf(Instances.InstanceMakeDefect)
        expect(((indirect as Instances.InstanceMakeDefect).cause as Instances.InstanceCycle).key).toBe("b")
        expect(yield* manager.use("d", Effect.succeed)).toBe("d>e")
        expect(yield* manager.metrics).toEqual(metrics({ misses: 7, builds: 5, cached: 2, live: 2, failures: 3 }))
      }))

    it.scoped("a needsUpdate that invalidates its key never gets the invalidated (disposed) instance handed out", () =>
      Effect.gen(function*() {
        const self: { manager?: Instances.InstanceManager<number, string, { disposed: boolean }> } = {}
        const manager = yield* Instances.make({
          key: (_version: number) => "k",
          make: (_version: number) =>
            Effect.acquireRelease(Effect.sync(() => ({ disposed: false })), (client) =>
              Effect.sync(() => {
                client.disposed = true
              })),
          needsUpdate: (version: number) => {
            if (version === 2) Effect.runSync(self.manager!.invalidate("k"))
            return false
          }
        })
        self.manager = manager
        yield* manager.use(1, Effect.succeed)
        expect(yield* manager.use(2, (client) => Effect.succeed(client.disposed))).toBe(false)
        expect(yield* manager.metrics).toEqual(metrics({ misses: 2, builds: 2, cached: 1, live: 1, invalidations: 1, disposals: 1 }))
      }))

    it.scoped("a failing disposal is logged and never fails the user that released the instance", () =>
      Effect.gen(function*() {
        const { lines, provide } = yield* capturingLogs
        const manager = yield* Instances.make({
          key: (settings: Settings) => settings.tenant,
          make: (settings) =>
            Effect.as(Effect.addFinalizer(() => (settings.version === 1 ? Effect.dieMessage("socket already closed") : Effect.void)), settings),
          needsUpdate: (settings, cached) => settings.version !== cached.context.version
        })
        const holder = yield* Scope.make()
        yield* manager.get(settings("a", 1)).pipe(Scope.extend(holder))
        yield* manager.use(settings("a", 2), Effect.succeed)
        const exit = yield* Effect.exit(Scope.close(holder, Exit.void).pipe(provide))
        expect(Exit.isSuccess(exit)).toBe(true)
        expect(lines).toEqual([`ERROR Instances: disposing the instance for key a failed`])
        expect(yield* manager.metrics).toEqual(metrics({ misses: 2, builds: 2, cached: 1, live: 1, replacements: 1, disposals: 1, disposalFailures: 1 }))
      }))
  })

  describe("eviction", () => {
    it.scoped("an idle instance is disposed after its time to live, a used one is kept", () =>
      Effect.gen(function*() {
        const { log, provider } = yield* makeProvider
        const manager = yield* Instances.make({ ...provider, idleTimeToLive: "1 minute" })
        yield* manager.use(settings("a"), use)
        yield* TestClock.adjust("40 seconds")
        yield* manager.use(settings("a"), use)
        yield* TestClock.adjust("40 seconds")
        expect(yield* Ref.get(log)).toEqual(["build a@1"])
        yield* TestClock.adjust("20 seconds")
        expect(yield* Ref.get(log)).toEqual(["build a@1", "dispose a@1"])
        expect(yield* manager.entries).toEqual([])
        expect(yield* manager.metrics).toEqual(metrics({ hits: 1, misses: 1, builds: 1, disposals: 1, evictions: 1 }))
      }))

    it.scoped("an idle time to live never disposes an instance while it is held", () =>
      Effect.gen(function*() {
        const { log, provider } = yield* makeProvider
        const manager = yield* Instances.make({ ...provider, idleTimeToLive: "1 minute" })
        const holder = yield* Scope.make()
        yield* manager.get(settings("a")).pipe(Scope.extend(holder))
        yield* TestClock.adjust("5 minutes")
        expect(yield* Ref.get(log)).toEqual(["build a@1"])
        yield* Scope.close(holder, Exit.void)
        yield* TestClock.adjust("59 seconds")
        expect(yield* Ref.get(log)).toEqual(["build a@1"])
        yield* TestClock.adjust("1 second")
        expect(yield* Ref.get(log)).toEqual(["build a@1", "dispose a@1"])
      }))

    it.effect("an idle time to live takes every duration form, each the same time; an unusable one, or close timeout, is a defect of make", () =>
      Effect.gen(function*() {
        const forms: ReadonlyArray<Duration.DurationInput> = [60_000, "1 minute", Duration.minutes(1), BigInt(60_000_000_000), [60, 0]]
        for (const idleTimeToLive of forms) {
          const { log, provider } = yield* makeProvider
          yield* Effect.scoped(Effect.gen(function*() {
            const manager = yield* Instances.make({ ...provider, idleTimeToLive, closeTimeout: idleTimeToLive })
            yield* manager.use(settings("a"), use)
            yield* TestClock.adjust("59 seconds")
            expect(yield* Ref.get(log)).toEqual(["build a@1"])
            yield* TestClock.adjust("1 second")
            expect(yield* Ref.get(log)).toEqual(["build a@1", "dispose a@1"])
          }))
        }
        const { provider } = yield* makeProvider
        // each unusable input, and how the defect shows it
        const unusable: ReadonlyArray<readonly [unknown, string]> = [
          ["soon", "soon"],
          [-5, "-5"],
          [Number.NaN, "NaN"],
          [Number.POSITIVE_INFINITY, "Infinity"],
          [Duration.infinity, "Infinity"],
          ["-1 seconds", "-1 seconds"],
          [[-1, Number.POSITIVE_INFINITY], "[-1, Infinity]"]
        ]
        const options = ["idleTimeToLive", "closeTimeout"] as const
        const defects: Array<string> = []
        for (const [input] of unusable) {
          for (const option of options) {
            const exit = yield* Effect.exit(Effect.scoped(Instances.make({ ...provider, [option]: input as Duration.DurationInput })))
            defects.push(Exit.isFailure(exit) ? Cause.pretty(exit.cause).split("\n")[0]! : "made")
          }
        }
        // an infinite idle time to live is the default (never), and its defect does not call it unusable; an infinite
        // close timeout is refused
        expect(defects).toEqual(unusable.flatMap(([input, shown]) =>
          options.map((option) =>
            option === "idleTimeToLive" && (input === Number.POSITIVE_INFINITY || input === Duration.infinity)
              ? "made"
              : option === "idleTimeToLive"
              ? `RuntimeException: Instances.make: idleTimeToLive must be a non-negative duration (infinite: never), got ${shown}`
              : `RuntimeException: Instances.make: closeTimeout must be a finite, non-negative duration, got ${shown}`
          )
        ))
      }))

    it.effect("closing the manager does not wait for pending idle timers", () =>
      Effect.gen(function*() {
        const { log, provider } = yield* makeProvider
        const managerScope = yield* Scope.make()
        const manager = yield* Instances.make({ ...provider, idleTimeToLive: "1 hour" }).pipe(Scope.extend(managerScope))
        yield* manager.use(settings("a"), use)
        const closing = yield* Effect.fork(Scope.close(managerScope, Exit.void))
        yield* TestClock.adjust(1)
        expect(yield* Fiber.poll(closing)).toEqual(Option.some(Exit.void))
        expect(yield* Ref.get(log)).toEqual(["build a@1", "dispose a@1"])
      }))

    it.scoped("over capacity the least recently used instance is evicted, and disposed only after its holders", () =>
      Effect.gen(function*() {
        const { log, provider } = yield* makeProvider
        const manager = yield* Instances.make({ ...provider, capacity: 2 })
        const holder = yield* Scope.make()
        yield* manager.use(settings("a"), use)
        yield* manager.get(settings("b")).pipe(Scope.extend(holder))
        yield* manager.use(settings("a"), use) // a is now more recent than b
        expect(yield* manager.keys).toEqual(["b", "a"])
        yield* manager.use(settings("c"), use)
        expect(yield* manager.keys).toEqual(["a", "c"])
        expect(yield* Ref.get(log)).toEqual(["build a@1", "build b@1", "build c@1"]) // b is still held
        yield* Scope.close(holder, Exit.void)
        expect(yield* Ref.get(log)).toEqual(["build a@1", "build b@1", "build c@1", "dispose b@1"])
        expect(yield* manager.metrics).toEqual(metrics({ hits: 1, misses: 3, builds: 3, cached: 2, live: 2, disposals: 1, evictions: 1 }))
      }))

    it.effect("builds that evict each other over capacity hand each caller a live instance and keep at most capacity cached, however they interleave", () =>
      Effect.gen(function*() {
        // A small yield budget makes every fiber yield after a few operations: swept over budgets and
        // over the length of one build, the build of b lands in every position relative to the
        // caller of a resuming (deterministic: the scheduler is)
        const broken: Array<string> = []
        for (let budget = 16; budget <= 40; budget++) {
          for (let steps = 0; steps <= 4; steps++) {
            yield* Effect.scoped(Effect.gen(function*() {
              const gates = { a: yield* Deferred.make<void>(), b: yield* Deferred.make<void>() }
              const manager = yield* Instances.make({
                key: (tenant: "a" | "b") => tenant,
                make: (tenant: "a" | "b") =>
                  Effect.gen(function*() {
                    yield* Deferred.await(gates[tenant])
                    if (tenant === "b") for (let step = 0; step < steps; step++) yield* Effect.void
                    const client = { tenant, disposed: false }
                    yield* Effect.addFinalizer(() => Effect.sync(() => void (client.disposed = true)))
                    return client
                  }),
                needsUpdate: () => false,
                capacity: 1
              })
              const users = yield* Effect.forEach(["a", "b"] as const, (tenant) =>
                Effect.fork(manager.use(tenant, (client) => Effect.succeed(client.disposed))))
              yield* Effect.yieldNow()
              yield* Deferred.succeed(gates.a, undefined)
              yield* Deferred.succeed(gates.b, undefined)
              const disposedWhenUsed = yield* Fiber.joinAll(users)
              const keys = yield* manager.keys
              const { cached } = yield* manager.metrics
              const entries = yield* Effect.exit(manager.entries)
              if (disposedWhenUsed.some(identity) || cached > 1 || keys.length > 1 || Exit.isFailure(entries)) {
                broken.push(`budget ${budget}, ${steps} steps: keys ${keys.join(",")}, ${cached} cached, entries ${entries._tag}`)
              }
            }).pipe(Effect.withMaxOpsBeforeYield(budget)))
          }
        }
        expect(broken).toEqual([])
      }))

    it.scoped("concurrent first gets of more keys than the capacity build once per key, each caller getting the instance its build made", () =>
      Effect.gen(function*() {
        for (const keys of [3, 20]) {
          const built: Array<{ readonly key: number; disposed: boolean }> = []
          const manager = yield* Instances.make({
            key: (key: number) => key,
            make: (key: number) =>
              Effect.gen(function*() {
                yield* Effect.yieldNow() // every build in flight at once
                const client = { key, disposed: false }
                built.push(client)
                yield* Effect.addFinalizer(() => Effect.sync(() => void (client.disposed = true)))
                return client
              }),
            needsUpdate: () => false,
            capacity: 1
          })
          const seen = yield* Effect.forEach(
            Array.from({ length: keys }, (_, key) => key),
            (key) => manager.use(key, (client) => Effect.succeed([client.key, client.disposed] as const)),
            { concurrency: "unbounded" }
          )
          expect(seen).toEqual(Array.from({ length: keys }, (_, key) => [key, false]))
          expect(yield* manager.metrics).toMatchObject({ builds: keys, misses: keys, cached: 1, live: 1 })
          expect(built.filter((client) => !client.disposed).length).toBe(1)
        }
      }))

    it.effect("gets over more keys than the capacity with rising settings all end, building at most once each", () =>
      Effect.gen(function*() {
        // 10 gets over 3 keys, capacity 1, 6 at a time, every get with a newer version than the last
        // (read when it starts): needsUpdate fires on every look, and each build evicts the others'
        // fresh instances. Swept over yield budgets (2048: Effect's default) and build lengths.
        const broken: Array<string> = []
        for (const budget of [16, 24, 32, 40, 48, 2048]) {
          for (const buildYields of [0, 1, 2]) {
            let version = 0
            const exit = yield* endsWithinSteps(
              Effect.scoped(Effect.gen(function*() {
                const manager = yield* Instances.make({
                  key: (settings: Settings) => settings.tenant,
                  make: (settings) =>
                    Effect.gen(function*() {
                      for (let step = 0; step < buildYields; step++) yield* Effect.yieldNow()
                      return settings
                    }),
                  needsUpdate: (settings, cached) => settings.version > cached.context.version,
                  capacity: 1
                })
                yield* Effect.forEach(
                  Array.from({ length: 10 }, (_, index) => index),
                  (index) => Effect.suspend(() => manager.use(settings(`t${index % 3}`, ++version), Effect.succeed)),
                  { concurrency: 6, discard: true }
                )
                return yield* manager.metrics
              })).pipe(Effect.withMaxOpsBeforeYield(budget)),
              100_000
            )
            const where = `budget ${budget}, ${buildYields} build yields`
            if (Exit.isFailure(exit)) broken.push(`${where}: ${Cause.pretty(exit.cause)}`)
            else if (exit.value.builds > 10) broken.push(`${where}: ${exit.value.builds} builds for 10 gets`)
          }
        }
        expect(broken).toEqual([])
      }))

    it.scoped("invalidate drops a key; its instance is disposed once its holders are done", () =>
      Effect.gen(function*() {
        const { log, provider } = yield* makeProvider
        const manager = yield* Instances.make(provider)
        const holder = yield* Scope.make()
        const client = yield* manager.get(settings("a")).pipe(Scope.extend(holder))
        yield* manager.invalidate("a")
        yield* manager.invalidate("not cached")
        expect(yield* manager.keys).toEqual([])
        expect(client.disposed).toBe(false)
        yield* Scope.close(holder, Exit.void)
        expect(yield* Ref.get(log)).toEqual(["build a@1", "dispose a@1"])
        expect((yield* manager.use(settings("a"), use)).serial).not.toBe(client.serial)
        expect(yield* manager.metrics).toEqual(metrics({ misses: 2, builds: 2, cached: 1, live: 1, invalidations: 1, disposals: 1 }))
      }))
  })

  describe("churn", () => {
    // one test running the fast-check runs itself (with Effect.runPromise), as below
    it.effect("under random keys, capacities, concurrency, settings churn, failures, interruptions and a close every get ends having started at most one build, and every instance is disposed once, after its last holder", () =>
      Effect.promise(() =>
        fc.assert(
          fc.asyncProperty(
            fc.record({
              keys: fc.integer({ min: 1, max: 5 }),
              capacity: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
              concurrency: fc.integer({ min: 1, max: 8 }),
              rule: fc.constantFrom("rising" as const, "changed" as const),
              buildYields: fc.integer({ min: 0, max: 2 }),
              maxOpsBeforeYield: fc.constantFrom(16, 20, 24, 32, 48, 64, 2048),
              closeAt: fc.option(fc.nat(19), { nil: undefined, freq: 4 }),
              gets: fc.array(
                fc.record({
                  key: fc.nat(4),
                  operation: fc.constantFrom("use" as const, "get" as const),
                  bump: fc.boolean(),
                  fails: fc.integer({ min: 0, max: 9 }).map((roll) => roll === 0),
                  useYields: fc.integer({ min: 0, max: 2 }),
                  interruptAt: fc.option(fc.integer({ min: 1, max: 40 }), { nil: undefined, freq: 4 })
                }),
                { minLength: 1, maxLength: 20 }
              )
            }),
            (scenario) => Effect.runPromise(churnScenario(scenario))
          ),
          { numRuns: 1000, seed: 20261211 }
        )
      ))
  })

  describe("closing", () => {
    it.effect("closing the manager disposes every instance, waiting for holders, and later gets are interrupted", () =>
      Effect.gen(function*() {
        const { log, provider } = yield* makeProvider
        const managerScope = yield* Scope.make()
        const manager = yield* Instances.make(provider).pipe(Scope.extend(managerScope))
        const release = yield* Deferred.make<void>()
        yield* manager.use(settings("a"), use)
        const holding = yield* Effect.fork(manager.use(settings("b"), (client) => Effect.zipRight(Deferred.await(release), use(client))))
        yield* TestClock.adjust(1)
        const closing = yield* Effect.fork(Scope.close(managerScope, Exit.void))
        yield* TestClock.adjust(1)
        expect(yield* Ref.get(log)).toEqual(["build a@1", "build b@1", "dispose a@1"])
        expect(closing.unsafePoll()).toBeNull()
        // while closing, no instance is handed out
        expect(Exit.isInterrupted(yield* Effect.exit(manager.use(settings("b"), use)))).toBe(true)
        yield* Deferred.succeed(release, undefined)
        yield* Fiber.join(holding)
        yield* Fiber.join(closing)
        expect(yield* Ref.get(log)).toEqual(["build a@1", "build b@1", "dispose a@1", "dispose b@1"])
        expect(Exit.isInterrupted(yield* Effect.exit(manager.use(settings("a"), use)))).toBe(true)
        expect(Exit.isInterrupted(yield* Effect.exit(Effect.scoped(manager.get(settings("a")))))).toBe(true)
        expect(yield* manager.metrics).toEqual(metrics({ misses: 2, builds: 2, disposals: 2 }))
      }))

    it.effect("a close that times out disposes held instances anyway, replaced ones included, and reports them", () =>
      Effect.gen(function*() {
        const { log, provider } = yield* makeProvider
        const { lines, provide } = yield* capturingLogs
        const managerScope = yield* Scope.make()
        // the close reports through the loggers of the fiber that made the manager
        const manager = yield* Instances.make({ ...provider, closeTimeout: "5 seconds" }).pipe(provide, Scope.extend(managerScope))
        yield* Effect.fork(manager.use(settings("a", 1), () => Effect.never))
        yield* TestClock.adjust(1)
        yield* manager.use(settings("a", 2), use) // a@1 is replaced, still held
        const closing = yield* Effect.fork(Scope.close(managerScope, Exit.void))
        yield* TestClock.adjust(1)
        expect(yield* Ref.get(log)).toEqual(["build a@1", "build a@2", "dispose a@2"]) // a@1 still held: the close waits
        yield* TestClock.adjust("5 seconds")
        yield* Fiber.join(closing)
        expect(yield* Ref.get(log)).toEqual(["build a@1", "build a@2", "dispose a@2", "dispose a@1"])
        expect(lines).toEqual([
          `WARN Instances: close timed out after 5s; disposing 1 instance(s) still in use: a (1 holder(s))`
        ])
        expect(yield* manager.metrics).toEqual(metrics({ misses: 2, builds: 2, replacements: 1, disposals: 2, forcedDisposals: 1 }))
      }))

    it.effect("a get waiting for a build when the manager closes is interrupted, and so is the build", () =>
      Effect.gen(function*() {
        const { log, provider, slow } = yield* makeProvider
        slow.set("a", 3_600_000)
        const managerScope = yield* Scope.make()
        const manager = yield* Instances.make(provider).pipe(Scope.extend(managerScope))
        const waiting = yield* Effect.fork(manager.use(settings("a"), use))
        yield* TestClock.adjust(1)
        expect(yield* manager.metrics).toEqual(metrics({ misses: 1, builds: 1, building: 1 }))
        yield* Scope.close(managerScope, Exit.void)
        expect(Exit.isInterrupted(yield* Fiber.await(waiting))).toBe(true)
        expect(yield* Ref.get(log)).toEqual([])
        expect(yield* manager.metrics).toEqual(metrics({ misses: 1, builds: 1, failures: 1 }))
      }))
  })

  describe("inspecting and providing", () => {
    it.scoped("get, use and invalidate are module functions too, data-first and data-last, doing what the methods do", () =>
      Effect.gen(function*() {
        const { log, provider } = yield* makeProvider
        const manager = yield* Instances.make(provider)
        const first = yield* Instances.get(manager, settings("a"))
        const again = yield* manager.pipe(Instances.get(settings("a")))
        const used = yield* Instances.use(manager, settings("a"), Effect.succeed)
        const piped = yield* manager.pipe(Instances.use(settings("b"), (client) => Effect.succeed(client)))
        expect([again, used]).toEqual([first, first])
        expect(piped).not.toBe(first)
        yield* Instances.invalidate(manager, "a")
        expect(yield* manager.keys).toEqual(["b"])
        yield* manager.pipe(Instances.invalidate("b"))
        expect(yield* manager.keys).toEqual([])
        // b had no holder left: disposed at once; a is held by the first get until the test's Scope closes
        expect(yield* Ref.get(log)).toEqual(["build a@1", "build b@1", "dispose b@1"])
      }))

    it.scoped("keys and entries list what is cached, with its context, creation time and holders", () =>
      Effect.gen(function*() {
        const { provider } = yield* makeProvider
        const manager = yield* Instances.make(provider)
        const holder = yield* Scope.make()
        yield* manager.use(settings("a", 3), use)
        yield* TestClock.adjust("5 seconds")
        yield* manager.get(settings("b", 1)).pipe(Scope.extend(holder))
        yield* manager.get(settings("b", 1)).pipe(Scope.extend(holder))
        expect(yield* manager.keys).toEqual(["a", "b"])
        expect(yield* manager.entries).toEqual([
          { key: "a", context: settings("a", 3), createdAt: 0, holders: 0 },
          { key: "b", context: settings("b", 1), createdAt: 5_000, holders: 2 }
        ])
        yield* Scope.close(holder, Exit.void)
        expect((yield* manager.entries).map((entry) => entry.holders)).toEqual([0, 0])
      }))

    it.scoped("metrics count hits, misses, builds, failures, replacements and disposals", () =>
      Effect.gen(function*() {
        const { failing, provider } = yield* makeProvider
        const manager = yield* Instances.make(provider)
        yield* manager.use(settings("a", 1), use) // miss, build
        yield* manager.use(settings("a", 1), use) // hit
        yield* manager.use(settings("a", 2), use) // miss, build, replacement, disposal
        failing.add("b")
        yield* Effect.exit(manager.use(settings("b", 1), use)) // miss, build, failure
        expect(yield* manager.metrics).toEqual({
          hits: 1,
          misses: 3,
          builds: 3,
          failures: 1,
          replacements: 1,
          evictions: 0,
          invalidations: 0,
          disposals: 1,
          disposalFailures: 0,
          forcedDisposals: 0,
          cached: 1,
          live: 1,
          building: 0
        })
      }))

    it.effect("a manager is a service: Instances.layer provides it under its tag and closes it with the layer", () =>
      Effect.gen(function*() {
        const disposed: Array<string> = []
        class TenantClients extends Instances.Tag("test/TenantClients")<TenantClients, string, string, { readonly tenant: string }>() {}
        const layer = Instances.layer(TenantClients, {
          key: (tenant) => tenant,
          make: (tenant) => Effect.acquireRelease(Effect.succeed({ tenant }), () => Effect.sync(() => disposed.push(tenant))),
          needsUpdate: () => false
        })
        const tenant = yield* Effect.flatMap(TenantClients, (clients) => {
          expect(Instances.isInstanceManager(clients)).toBe(true)
          return clients.use("acme", (client) => Effect.succeed(client.tenant))
        }).pipe(Effect.provide(layer))
        expect(tenant).toBe("acme")
        expect(disposed).toEqual(["acme"])
      }))
    it.effect("a tag is a class of its own: two managers of one type are two components, each closed with the graph", () =>
      Effect.gen(function*() {
        class Clients extends Instances.Tag("test/Clients")<Clients, string, string, { readonly pool: string; readonly tenant: string }>() {}
        class BackupClients extends Instances.Tag("test/BackupClients")<BackupClients, string, string, { readonly pool: string; readonly tenant: string }>() {}
        const disposed: Array<string> = []
        const provider = (pool: string) => ({
          key: (tenant: string) => tenant,
          make: (tenant: string) =>
            Effect.acquireRelease(Effect.succeed({ pool, tenant }), () => Effect.sync(() => disposed.push(`${pool}/${tenant}`))),
          needsUpdate: () => false
        })
        const registry = Registry.make(
          Component.make(Clients, { build: Instances.make(provider("main")) }),
          Component.make(BackupClients, { build: Instances.make(provider("backup")) })
        )
        const pools = yield* Effect.gen(function*() {
          const clients = yield* Clients
          const backups = yield* BackupClients
          return [
            yield* clients.use("acme", (client) => Effect.succeed(`${client.pool}/${client.tenant}`)),
            yield* backups.use("acme", (client) => Effect.succeed(`${client.pool}/${client.tenant}`))
          ]
        }).pipe(Effect.provide(Registry.toLayer(registry, [Clients, BackupClients])))
        expect(pools).toEqual(["main/acme", "backup/acme"])
        expect(disposed.sort()).toEqual(["backup/acme", "main/acme"])
        expect(Clients.key).toBe("test/Clients")
      }))
  })

  it.scoped(
    "stress: 100,000 gets over 100 keys with updates, failures and interruptions dispose every instance exactly once",
    () => stress({ gets: 100_000, seed: "layerwise/Instances stress" }),
    { timeout: 60_000 }
  )

  it.scoped(
    "stress: 20,000 gets over 100 keys with a capacity of 20 and an idle time to live dispose every instance exactly once",
    () => stress({ gets: 20_000, seed: "layerwise/Instances eviction stress", capacity: 20, idleTimeToLive: "2 millis" }),
    { timeout: 60_000 }
  )
})

/**
 * Gets from 50 fibers over 100 keys. Random steps bump a key's version (so `needsUpdate` asks for
 * a replacement), builds fail at random, and some users are interrupted after a random number of
 * yields (before their get, while waiting for a build, or mid-use). Every use checks its instance
 * is not disposed, before and after yielding to the other fibers. With an idle time to live the
 * manager runs on the live clock (so that idle timers fire while users come and go; a TestClock
 * adjusted mid-run would wait for every fiber to suspend).
 */
const stress = (options: {
  readonly gets: number
  readonly seed: string
  readonly capacity?: number
  readonly idleTimeToLive?: Duration.DurationInput
}) =>
  Effect.gen(function*() {
    const versions = new Map<number, number>()
    const built: Array<Client> = []
    const counts = { usedAfterDisposal: 0, interrupted: 0, interruptedMidUse: 0, failedGets: 0, uses: 0 }
    const managerScope = yield* Scope.make()
    const manager = yield* Instances.make({
      key: (settings: Settings) => settings.tenant,
      make: (settings) =>
        Effect.gen(function*() {
          const roll = yield* Random.nextIntBetween(0, 100)
          if (roll < 30) yield* Effect.yieldNow() // builds in flight while other gets arrive
          if (roll >= 98) return yield* Effect.fail("random build failure")
          const client: Client = { tenant: settings.tenant, version: settings.version, serial: built.length, disposed: false }
          built.push(client)
          yield* Effect.addFinalizer(() =>
            Effect.suspend(() => {
              if (client.disposed) return Effect.die(new Error(`${client.tenant}#${client.serial} disposed twice`))
              client.disposed = true
              return Effect.void
            })
          )
          return client
        }),
      needsUpdate: (settings, cached) => settings.version > cached.context.version,
      capacity: options.capacity,
      idleTimeToLive: options.idleTimeToLive
    }).pipe(options.idleTimeToLive === undefined ? identity : Effect.withClock(Clock.make()), Scope.extend(managerScope))

    const check = (client: Client) =>
      Effect.sync(() => {
        if (client.disposed) counts.usedAfterDisposal++
      })
    const step = Effect.gen(function*() {
      const key = yield* Random.nextIntBetween(0, 100)
      if ((yield* Random.nextIntBetween(0, 100)) < 5) versions.set(key, (versions.get(key) ?? 0) + 1)
      const yields = yield* Random.nextIntBetween(0, 4)
      const work = manager.use({ tenant: `t${key}`, version: versions.get(key) ?? 0 }, (client) =>
        Effect.gen(function*() {
          yield* check(client)
          for (let index = 0; index < yields; index++) yield* Effect.yieldNow()
          yield* check(client) // still valid after other fibers ran, replacements and evictions included
          counts.uses++
        }).pipe(Effect.onInterrupt(() => Effect.sync(() => counts.interruptedMidUse++))))
      if (options.idleTimeToLive !== undefined && (yield* Random.nextIntBetween(0, 100)) < 1) {
        yield* Effect.sleep("3 millis").pipe(Effect.withClock(Clock.make())) // let idle timers fire
      }
      if ((yield* Random.nextIntBetween(0, 100)) < 3) {
        const fiber = yield* Effect.fork(work)
        for (let index = 0; index < yields; index++) yield* Effect.yieldNow()
        yield* Fiber.interrupt(fiber)
        counts.interrupted++
      } else {
        const exit = yield* Effect.exit(work)
        if (Exit.isFailure(exit)) counts.failedGets++
      }
    })
    yield* Effect.forEach(Array.from({ length: options.gets }), () => step, { concurrency: 50, discard: true }).pipe(
      Effect.withRandom(Random.make(options.seed))
    )

    // every user is done: nothing retired may still be alive, and at most one instance per key is cached
    const metrics = yield* manager.metrics
    const entries = yield* manager.entries
    expect(metrics.live).toBe(metrics.cached)
    expect(new Set(entries.map((entry) => entry.key)).size).toBe(entries.length)
    expect(entries.length).toBeLessThanOrEqual(options.capacity ?? 100)
    expect(entries.every((entry) => entry.holders === 0)).toBe(true)
    expect(built.filter((client) => !client.disposed).length).toBe(metrics.cached)

    yield* Scope.close(managerScope, Exit.void)
    const after = yield* manager.metrics
    console.log(
      `stress (${options.gets} steps${options.capacity === undefined ? "" : `, capacity ${options.capacity}`}` +
        `${options.idleTimeToLive === undefined ? "" : `, idle TTL ${Duration.format(Duration.decode(options.idleTimeToLive))} (live clock)`}): ` +
        `${metrics.hits + metrics.misses} gets (${metrics.hits} hits, ${metrics.misses} misses), ` +
        `${metrics.builds} builds, ${built.length} instances built, ${metrics.replacements} replacements, ${metrics.evictions} evictions, ` +
        `${metrics.failures} build failures (${counts.failedGets} failed gets), ${counts.interrupted} interrupted users ` +
        `(${counts.interruptedMidUse} mid-use), ${counts.uses} completed uses, ${after.disposals} disposals, ` +
        `${counts.usedAfterDisposal} uses after disposal`
    )
    expect(counts.usedAfterDisposal).toBe(0)
    expect(counts.interruptedMidUse).toBeGreaterThan(0)
    expect(built.every((client) => client.disposed)).toBe(true)
    expect(after.disposals).toBe(built.length)
    expect(after.builds).toBe(built.length + after.failures)
    expect(after.live).toBe(0)
    if (options.capacity !== undefined || options.idleTimeToLive !== undefined) expect(metrics.evictions).toBeGreaterThan(0)
  })

describe("Instances: a context whose key changes during use", () => {
  it.scoped("the instance stays bound to the key it was built for; the changed context gets its own", () =>
    Effect.gen(function*() {
      const disposed: Array<string> = []
      const manager = yield* Instances.make({
        key: (context: { tenant: string }) => context.tenant,
        make: (context: { tenant: string }) =>
          Effect.acquireRelease(Effect.succeed({ builtFor: context.tenant }), (client) =>
            Effect.sync(() => disposed.push(client.builtFor))),
        needsUpdate: () => false
      })
      const context = { tenant: "a" }
      const seen = yield* manager.use(context, (client) =>
        Effect.gen(function*() {
          context.tenant = "b" // mutated while the instance is in use
          const other = yield* manager.use(context, (inner) => Effect.succeed(inner.builtFor))
          return [client.builtFor, other]
        }))
      expect(seen).toEqual(["a", "b"])
      expect(disposed).toEqual([])
      expect([...(yield* manager.keys)].sort()).toEqual(["a", "b"])
      expect((yield* manager.entries).map((entry) => [entry.key, entry.context.tenant]).sort()).toEqual([
        ["a", "b"], // the cached context is the caller's object: it shows the mutation, the key does not move
        ["b", "b"]
      ])
    }))
})

describe("Instances: cached hits", () => {
  it.scoped("hits and misses are counted on the fast paths of get and use; needsUpdate runs once per look", () =>
    Effect.gen(function*() {
      let checks = 0
      const manager = yield* Instances.make({
        key: (settings: Settings) => settings.tenant,
        make: (settings) => Effect.succeed({ version: settings.version }),
        needsUpdate: (settings, cached) => {
          checks++
          return settings.version !== cached.context.version
        }
      })
      yield* manager.use(settings("a", 1), Effect.succeed) // miss: nothing cached, nothing to check
      yield* manager.use(settings("a", 1), Effect.succeed) // hit
      yield* Effect.scoped(manager.get(settings("a", 1))) // hit
      const holder = yield* Scope.make()
      yield* manager.get(settings("a", 1)).pipe(Scope.extend(holder)) // hit, held
      expect(yield* manager.metrics).toEqual(metrics({ hits: 3, misses: 1, builds: 1, cached: 1, live: 1 }))
      expect((yield* manager.entries).map((entry) => entry.holders)).toEqual([1])
      expect(yield* Effect.scoped(manager.get(settings("a", 2)))).toEqual({ version: 2 }) // miss: replaced
      expect(yield* manager.use(settings("a", 2), Effect.succeed)).toEqual({ version: 2 }) // hit
      expect(yield* manager.metrics).toEqual(metrics({ hits: 4, misses: 2, builds: 2, cached: 1, live: 2, replacements: 1 }))
      expect(checks).toBe(5)
      yield* Scope.close(holder, Exit.void)
      expect(yield* manager.metrics).toEqual(metrics({ hits: 4, misses: 2, builds: 2, cached: 1, live: 1, replacements: 1, disposals: 1 }))
    }))

  it.effect("a get registers its release in the caller's Scope in the step that takes the instance (the runtime seam still reads Effect's Scope)", () =>
    Effect.gen(function*() {
      const { provider } = yield* makeProvider
      const manager = yield* Effect.scoped(Effect.gen(function*() {
        const manager = yield* Instances.make(provider)
        yield* manager.use(settings("a"), use)
        // registered synchronously: an open Effect Scope takes the finalizer in this step
        const scope = yield* Scope.make()
        let released = 0
        expect(addFinalizerNow(scope, () => Effect.sync(() => void released++))).toBe(true)
        yield* manager.get(settings("a")).pipe(Scope.extend(scope))
        expect((yield* manager.entries).map((entry) => entry.holders)).toEqual([1])
        yield* Scope.close(scope, Exit.void)
        expect(released).toBe(1)
        expect((yield* manager.entries).map((entry) => entry.holders)).toEqual([0])
        // a closed Scope takes nothing: a get into it releases at once, through Scope.addFinalizerExit
        expect(addFinalizerNow(scope, () => Effect.void)).toBe(false)
        yield* manager.get(settings("a")).pipe(Effect.provideService(Scope.Scope, scope))
        expect((yield* manager.entries).map((entry) => entry.holders)).toEqual([0])
        return manager
      }))
      expect(yield* manager.metrics).toEqual(metrics({ hits: 2, misses: 1, builds: 1, disposals: 1 }))
    }))

  it.scoped("primitive keys are compared as a Map compares them: NaN is one key, 0 and -0 are one key, 1 and \"1\" two", () =>
    Effect.gen(function*() {
      let builds = 0
      const manager = yield* Instances.make({
        key: (key: unknown) => key,
        make: () => Effect.sync(() => ++builds),
        needsUpdate: () => false
      })
      expect([yield* manager.use(Number.NaN, Effect.succeed), yield* manager.use(Number.NaN, Effect.succeed)]).toEqual([1, 1])
      expect([yield* manager.use(0, Effect.succeed), yield* manager.use(-0, Effect.succeed)]).toEqual([2, 2])
      expect([yield* manager.use(1, Effect.succeed), yield* manager.use("1", Effect.succeed)]).toEqual([3, 4])
      expect([yield* manager.use(null, Effect.succeed), yield* manager.use(undefined, Effect.succeed)]).toEqual([5, 6])
      expect(yield* manager.metrics).toEqual(metrics({ hits: 2, misses: 6, builds: 6, cached: 6, live: 6 }))
      yield* manager.invalidate(Number.NaN)
      expect(yield* manager.metrics).toEqual(metrics({ hits: 2, misses: 6, builds: 6, cached: 5, live: 5, invalidations: 1, disposals: 1 }))
    }))

  it.scoped("a use whose function throws fails with the defect and releases the instance", () =>
    Effect.gen(function*() {
      const { log, provider } = yield* makeProvider
      const manager = yield* Instances.make(provider)
      const boom = (): Effect.Effect<never> => {
        throw new Error("boom")
      }
      // first a miss (the function runs after the build), then a hit (it runs in the hit's step)
      for (const counts of [{ hits: 0, misses: 1 }, { hits: 1, misses: 1 }]) {
        const exit = yield* Effect.exit(manager.use(settings("a"), boom))
        expect(Exit.isFailure(exit) && Option.getOrUndefined(Cause.dieOption(exit.cause))).toEqual(new Error("boom"))
        expect((yield* manager.entries).map((entry) => entry.holders)).toEqual([0])
        expect(yield* manager.metrics).toMatchObject(counts)
      }
      yield* manager.invalidate("a")
      expect(yield* Ref.get(log)).toEqual(["build a@1", "dispose a@1"])
      expect(yield* manager.metrics).toEqual(metrics({ hits: 1, misses: 1, builds: 1, invalidations: 1, disposals: 1 }))
    }))

  // one test running the fast-check runs itself (with Effect.runPromise): a test environment per
  // run, as it.effect.prop builds, would cost more than the runs
  it.effect("a use or get interrupted at any step never leaks its hold and never sees a disposed instance", () =>
    Effect.promise(() =>
      fc.assert(
        fc.asyncProperty(
          fc.constantFrom("use" as const, "get" as const),
          fc.constantFrom("hit" as const, "miss" as const, "replace" as const),
          fc.integer({ min: 1, max: 60 }),
          fc.integer({ min: 0, max: 2 }),
          fc.integer({ min: 0, max: 2 }),
          fc.integer({ min: 0, max: 6 }),
          (operation, path, interruptAt, buildYields, useYields, invalidateInterruptedAt) =>
            Effect.runPromise(interruptionScenario({ operation, path, interruptAt, buildYields, useYields, invalidateInterruptedAt }))
        ),
        { numRuns: 300, seed: 20261212 }
      )
    ))

  // live clock: a failed assertion closes a manager with a holder leaked, after its closeTimeout
  it.live("interrupting a cached use at each of its steps releases it every time: before the lookup, before, during and after its function", () =>
    Effect.gen(function*() {
      const stages = new Set<string>()
      for (let interruptAt = 1; interruptAt <= 40; interruptAt++) {
        yield* Effect.scoped(Effect.gen(function*() {
          const { log, provider } = yield* makeProvider
          const manager = yield* Instances.make({ ...provider, closeTimeout: "1 millis" })
          yield* manager.use(settings("a"), use)
          let stage = "before its function"
          const user = manager.use(settings("a"), (client) =>
            Effect.gen(function*() {
              stage = "during its function"
              yield* Effect.yieldNow()
              yield* use(client)
              stage = "after its function"
            }))
          yield* Fiber.await(yield* Effect.fork(interruptedAtStep(user, interruptAt)))
          const { hits } = yield* manager.metrics
          stages.add(hits === 0 ? "before the lookup" : stage)
          expect((yield* manager.entries).map((entry) => entry.holders)).toEqual([0])
          yield* manager.invalidate("a")
          expect(yield* Ref.get(log)).toEqual(["build a@1", "dispose a@1"])
          expect(yield* manager.metrics).toMatchObject({ misses: 1, live: 0 })
        }))
      }
      expect([...stages].sort()).toEqual(["after its function", "before its function", "before the lookup", "during its function"])
    }))
})

/**
 * A manager whose instances count their misuses (used after, or disposed more than once, their
 * disposal), one `use` or `get` of key "a" (a hit, a miss, or a miss that replaces the cached
 * instance) interrupted at `interruptAt`, and optionally an `invalidate` running concurrently,
 * interrupted at its own step. Once every build is done, invalidating the key must dispose every
 * instance built: nothing is left held.
 */
const interruptionScenario = (
  { buildYields, interruptAt, invalidateInterruptedAt, operation, path, useYields }: {
    readonly operation: "use" | "get"
    readonly path: "hit" | "miss" | "replace"
    readonly interruptAt: number
    readonly buildYields: number
    readonly useYields: number
    readonly invalidateInterruptedAt: number
  }
) =>
  Effect.scoped(Effect.gen(function*() {
    const built: Array<Client> = []
    let misuses = 0
    const manager = yield* Instances.make({
      key: (settings: Settings) => settings.tenant,
      make: (settings) =>
        Effect.gen(function*() {
          for (let index = 0; index < buildYields; index++) yield* Effect.yieldNow()
          const client: Client = { tenant: settings.tenant, version: settings.version, serial: built.length, disposed: false }
          built.push(client)
          yield* Effect.addFinalizer(() =>
            Effect.sync(() => {
              if (client.disposed) misuses++ // disposed twice
              client.disposed = true
            })
          )
          return client
        }),
      needsUpdate: (settings, cached) => settings.version !== cached.context.version,
      // a failed assertion closes the manager with a holder leaked: do not wait for it
      closeTimeout: "1 millis"
    })
    if (path !== "miss") yield* manager.use(settings("a", 1), Effect.succeed)
    const check = (client: Client) =>
      Effect.sync(() => {
        if (client.disposed) misuses++ // used after its disposal
      })
    const body = (client: Client) =>
      Effect.gen(function*() {
        yield* check(client)
        for (let index = 0; index < useYields; index++) yield* Effect.yieldNow()
        yield* check(client)
      })
    const context = settings("a", path === "replace" ? 2 : 1)
    const user = operation === "use"
      ? manager.use(context, body)
      : Effect.scoped(Effect.flatMap(manager.get(context), body))
    const userFiber = yield* Effect.fork(interruptedAtStep(user, interruptAt))
    // 0: no invalidation meanwhile; otherwise one that runs concurrently and is interrupted at that step
    const invalidating = invalidateInterruptedAt === 0
      ? undefined
      : yield* Effect.fork(interruptedAtStep(manager.invalidate("a"), invalidateInterruptedAt))
    yield* Fiber.await(userFiber)
    if (invalidating !== undefined) yield* Fiber.await(invalidating)
    // a build the user started goes on without it
    while ((yield* manager.metrics).building > 0) yield* Effect.yieldNow()
    yield* manager.invalidate("a")
    expect(misuses).toBe(0)
    expect(built.every((client) => client.disposed)).toBe(true)
    expect(yield* manager.metrics).toMatchObject({ live: 0, cached: 0, disposals: built.length })
  }))

interface ChurnClient {
  readonly serial: number
  readonly context: ChurnSettings
  inUse: number
  disposed: boolean
}

interface ChurnSettings {
  readonly tenant: number
  readonly version: number
  readonly fails: boolean
}

/**
 * Random gets (uses, and gets in a Scope of their own) of a manager with a capacity or not, run
 * `concurrency` at a time under a small yield budget; some bump their key's version first (so
 * `needsUpdate` fires), some ask for a build that fails, some are interrupted at a random step, and
 * the manager may be closed when one of them starts. Every instance counts its users; its disposal
 * checks it is disposed once and unused.
 */
const churnScenario = (scenario: {
  readonly keys: number
  readonly capacity: number | undefined
  readonly concurrency: number
  readonly rule: "rising" | "changed"
  readonly buildYields: number
  readonly maxOpsBeforeYield: number
  readonly closeAt: number | undefined
  readonly gets: ReadonlyArray<{
    readonly key: number
    readonly operation: "use" | "get"
    readonly bump: boolean
    readonly fails: boolean
    readonly useYields: number
    readonly interruptAt: number | undefined
  }>
}) =>
  Effect.gen(function*() {
    const built: Array<ChurnClient> = []
    const misuses: Array<string> = []
    const versions = new Map<number, number>()
    const needsUpdate = scenario.rule === "rising"
      ? (settings: ChurnSettings, cached: Instances.Cached<ChurnSettings, ChurnClient>) => settings.version > cached.context.version
      : (settings: ChurnSettings, cached: Instances.Cached<ChurnSettings, ChurnClient>) => settings.version !== cached.context.version
    const managerScope = yield* Scope.make()
    const manager = yield* Instances.make({
      key: (settings: ChurnSettings) => settings.tenant,
      make: (settings: ChurnSettings) =>
        Effect.gen(function*() {
          for (let step = 0; step < scenario.buildYields; step++) yield* Effect.yieldNow()
          if (settings.fails) return yield* Effect.fail("build failure")
          // made and registered for disposal in one uninterruptible step (a close may interrupt make)
          return yield* Effect.acquireRelease(
            Effect.sync(() => {
              const client: ChurnClient = { serial: built.length, context: settings, inUse: 0, disposed: false }
              built.push(client)
              return client
            }),
            (client) =>
              Effect.sync(() => {
                if (client.disposed) misuses.push(`#${client.serial} disposed twice`)
                if (client.inUse > 0) misuses.push(`#${client.serial} disposed while in use`)
                client.disposed = true
              })
          )
        }),
      needsUpdate,
      capacity: scenario.capacity,
      // a close waits for holders, which end soon: reached only when one leaked
      closeTimeout: "10 seconds"
    }).pipe(Scope.extend(managerScope))
    let closing: Fiber.RuntimeFiber<void> | undefined

    const body = (settings: ChurnSettings, useYields: number) => (client: ChurnClient) =>
      Effect.gen(function*() {
        if (client.disposed) misuses.push(`#${client.serial} handed out after its disposal`)
        if (client.context.tenant !== settings.tenant || needsUpdate(settings, { context: client.context, instance: client })) {
          misuses.push(`#${client.serial} handed out for a context it does not suit`)
        }
        client.inUse++
        for (let step = 0; step < useYields; step++) yield* Effect.yieldNow()
        if (client.disposed) misuses.push(`#${client.serial} disposed during its use`)
      }).pipe(Effect.ensuring(Effect.sync(() => void client.inUse--)))
    const gets = scenario.gets.map((get, index) =>
      Effect.suspend(() => {
        if (index === scenario.closeAt) closing = Effect.runFork(Scope.close(managerScope, Exit.void))
        const tenant = get.key % scenario.keys
        if (get.bump) versions.set(tenant, (versions.get(tenant) ?? 0) + 1)
        const settings: ChurnSettings = { tenant, version: versions.get(tenant) ?? 0, fails: get.fails }
        const work = get.operation === "use"
          ? manager.use(settings, body(settings, get.useYields))
          : Effect.scoped(Effect.flatMap(manager.get(settings), body(settings, get.useYields)))
        // interrupted in a fiber of its own (Effect.all may run it in this one)
        return get.interruptAt === undefined
          ? Effect.exit(work)
          : Effect.flatMap(Effect.fork(interruptedAtStep(work, get.interruptAt)), Fiber.await)
      })
    )
    const ended = yield* endsWithinSteps(
      Effect.gen(function*() {
        const exits = yield* Effect.all(gets, { concurrency: scenario.concurrency })
        if (closing !== undefined) yield* Fiber.join(closing)
        // builds whose callers were interrupted go on without them
        while ((yield* manager.metrics).building > 0) yield* Effect.yieldNow()
        return exits
      }).pipe(Effect.withMaxOpsBeforeYield(scenario.maxOpsBeforeYield)),
      200_000
    )
    expect(Exit.isFailure(ended) ? Cause.pretty(ended.cause) : "ended").toBe("ended")
    const exits = Exit.isSuccess(ended) ? ended.value : []
    scenario.gets.forEach((get, index) => {
      const exit = exits[index]!
      // a get that was not interrupted gets an instance, or the failure of the build it started
      // or joined, or an interruption once the manager is closed
      if (get.interruptAt === undefined && Exit.isFailure(exit)) {
        if (Cause.isInterruptedOnly(exit.cause)) expect(closing).toBeDefined()
        else expect(Cause.squash(exit.cause)).toBe("build failure")
      }
    })

    const quiescent = yield* manager.metrics
    expect(quiescent.builds).toBeLessThanOrEqual(scenario.gets.length)
    expect(quiescent.cached).toBeLessThanOrEqual(scenario.capacity ?? scenario.keys)
    expect(quiescent.live).toBe(quiescent.cached) // nothing retired is left undisposed
    expect(built.filter((client) => !client.disposed).length).toBe(quiescent.cached)
    expect((yield* manager.entries).every((entry) => entry.holders === 0)).toBe(true)

    yield* Scope.close(managerScope, Exit.void)
    const closed = yield* manager.metrics
    expect(misuses).toEqual([])
    expect(built.every((client) => client.disposed)).toBe(true)
    // a make the close interrupted after making its client disposed it with the build's Scope
    expect(closed.disposals).toBeLessThanOrEqual(built.length)
    if (closing === undefined) expect(closed.disposals).toBe(built.length)
    expect(closed).toMatchObject({ live: 0, forcedDisposals: 0 })
  })

/**
 * Runs `effect` in a fiber of its own, counting the steps of the run loop of that fiber and of every
 * fiber forked from it (daemons included), and interrupts it once they exceed `budget`: its exit, or
 * a failure saying it did not end. Counts, not time, so a livelock fails the test deterministically.
 */
const endsWithinSteps = <A, E, R>(effect: Effect.Effect<A, E, R>, budget: number): Effect.Effect<Exit.Exit<A, E | string>, never, R> => {
  class StepBudget extends Supervisor.AbstractSupervisor<void> {
    steps = 0
    target: Fiber.RuntimeFiber<unknown, unknown> | undefined = undefined
    value = Effect.void
    override onEffect<X, Y>(fiber: Fiber.RuntimeFiber<X, Y>): void {
      this.target ??= fiber as Fiber.RuntimeFiber<unknown, unknown>
      if (++this.steps === budget) this.target.unsafeInterruptAsFork(FiberId.none)
    }
  }
  const supervisor = new StepBudget()
  return Effect.fork(effect.pipe(
    Effect.withRuntimeFlagsPatch(RuntimeFlagsPatch.enable(RuntimeFlags.OpSupervision)),
    Effect.supervised(supervisor)
  )).pipe(
    Effect.flatMap(Fiber.await),
    Effect.map((exit) => supervisor.steps >= budget ? Exit.fail(`did not end within ${budget} steps`) : exit)
  )
}

/**
 * Interrupts the fiber that runs `effect` right before its `step`-th step of the run loop (counted
 * by a supervisor, from the first step of `effect`); never if it finishes first. The interruption
 * lands at that exact point, or, inside an uninterruptible region, when the region ends.
 */
const interruptedAtStep = <A, E, R>(effect: Effect.Effect<A, E, R>, step: number): Effect.Effect<A, E, R> => {
  class InterruptAtStep extends Supervisor.AbstractSupervisor<void> {
    steps = 0
    target: Fiber.RuntimeFiber<unknown, unknown> | undefined = undefined
    value = Effect.void
    override onEffect<X, Y>(fiber: Fiber.RuntimeFiber<X, Y>): void {
      // the first fiber seen is the one running `effect`; fibers it forks (builds) are left alone
      this.target ??= fiber as Fiber.RuntimeFiber<unknown, unknown>
      if (fiber === this.target && ++this.steps === step) fiber.unsafeInterruptAsFork(FiberId.none)
    }
  }
  return effect.pipe(
    Effect.withRuntimeFlagsPatch(RuntimeFlagsPatch.enable(RuntimeFlags.OpSupervision)),
    Effect.supervised(new InterruptAtStep())
  )
}
