import { describe, expect, it } from "@effect/vitest"
import { Data, Deferred, Effect, Exit, Fiber, Random, Ref, Scope, TestClock } from "effect"
import { Instances } from "../src/index.js"

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

/** A provider whose instances record their life, and whose builds can be slowed or failed per tenant. */
const makeProvider = Effect.gen(function*() {
  const log = yield* Ref.make<Array<string>>([])
  const record = (entry: string) => Ref.update(log, (entries) => [...entries, entry])
  let serial = 0
  const failing = new Set<string>()
  const slow = new Map<string, number>()
  const provider: Instances.Provider<Settings, string, Client, string, never> = {
    key: (settings) => settings.tenant,
    needsUpdate: (settings, cached) => settings.version !== cached.context.version,
    make: (settings) =>
      Effect.gen(function*() {
        const delay = slow.get(settings.tenant)
        if (delay !== undefined) yield* Effect.sleep(delay)
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
      })
  }
  return { log, provider, failing, slow }
})

const use = (client: Client) =>
  Effect.suspend(() =>
    client.disposed ? Effect.die(new Error(`${client.tenant}#${client.serial} used after disposal`)) : Effect.succeed(client)
  )

describe("Instances", () => {
  it.scoped("the first get builds and later gets that need no update return the same instance", () =>
    Effect.gen(function*() {
      const { log, provider } = yield* makeProvider
      const manager = yield* Instances.make(provider)
      const first = yield* manager.use({ tenant: "a", version: 1 }, use)
      const second = yield* manager.use({ tenant: "a", version: 1 }, use)
      expect(second).toBe(first)
      expect(yield* Ref.get(log)).toEqual(["build a@1"])
      expect(yield* manager.metrics).toMatchObject({ hits: 1, misses: 1, builds: 1, cached: 1, live: 1 })
    }))

  it.scoped("an update builds a new instance and disposes the old one exactly once, after its last holder", () =>
    Effect.gen(function*() {
      const { log, provider } = yield* makeProvider
      const manager = yield* Instances.make(provider)
      const holder = yield* Scope.make()
      const old = yield* manager.get({ tenant: "a", version: 1 }).pipe(Scope.extend(holder))
      const fresh = yield* manager.use({ tenant: "a", version: 2 }, use)
      expect(fresh.version).toBe(2)
      expect(old.disposed).toBe(false) // still held
      expect(yield* Ref.get(log)).toEqual(["build a@1", "build a@2"])
      yield* Scope.close(holder, Exit.void)
      expect(old.disposed).toBe(true)
      expect(yield* Ref.get(log)).toEqual(["build a@1", "build a@2", "dispose a@1"])
      // the replaced instance is never handed out again
      expect((yield* manager.use({ tenant: "a", version: 2 }, use)).serial).toBe(fresh.serial)
      expect(yield* manager.metrics).toMatchObject({ replacements: 1, disposals: 1, live: 1 })
    }))

  it.scoped("needsUpdate receives the context the cached instance was made with", () =>
    Effect.gen(function*() {
      const seen: Array<[number, number]> = []
      const manager = yield* Instances.make<Settings, string, number, never, never>({
        key: (settings) => settings.tenant,
        needsUpdate: (settings, cached) => {
          seen.push([settings.version, cached.context.version])
          return false
        },
        make: (settings) => Effect.succeed(settings.version)
      })
      yield* manager.use({ tenant: "a", version: 1 }, Effect.succeed)
      const value = yield* manager.use({ tenant: "a", version: 7 }, Effect.succeed)
      expect(value).toBe(1)
      expect(seen).toEqual([[7, 1]])
    }))

  it.scoped("twelve concurrent first gets of one key build once", () =>
    Effect.gen(function*() {
      const { log, provider, slow } = yield* makeProvider
      slow.set("a", 100)
      const manager = yield* Instances.make(provider)
      const fiber = yield* Effect.fork(
        Effect.all(Array.from({ length: 12 }, () => manager.use({ tenant: "a", version: 1 }, use)), { concurrency: "unbounded" })
      )
      yield* TestClock.adjust(100)
      const clients = yield* Fiber.join(fiber)
      expect(new Set(clients.map((client) => client.serial)).size).toBe(1)
      expect(yield* Ref.get(log)).toEqual(["build a@1"])
      expect(yield* manager.metrics).toMatchObject({ builds: 1, misses: 12 })
    }))

  it.scoped("a slow build of one key never blocks other keys", () =>
    Effect.gen(function*() {
      const { provider, slow } = yield* makeProvider
      slow.set("slow", 1_000)
      const manager = yield* Instances.make(provider)
      const slowFiber = yield* Effect.fork(manager.use({ tenant: "slow", version: 1 }, use))
      yield* TestClock.adjust(1)
      const fast = yield* manager.use({ tenant: "fast", version: 1 }, use)
      expect(fast.tenant).toBe("fast")
      expect(slowFiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust(1_000)
      expect((yield* Fiber.join(slowFiber)).tenant).toBe("slow")
    }))

  it.scoped("a failing rebuild returns its error and keeps the previous instance cached and valid", () =>
    Effect.gen(function*() {
      const { failing, log, provider } = yield* makeProvider
      const manager = yield* Instances.make(provider)
      const first = yield* manager.use({ tenant: "a", version: 1 }, use)
      failing.add("a")
      const error = yield* Effect.flip(manager.use({ tenant: "a", version: 2 }, use))
      expect(error).toBe("cannot connect a")
      expect(first.disposed).toBe(false)
      const entries = yield* manager.entries
      expect(entries.map((entry) => [entry.key, entry.context.version])).toEqual([["a", 1]])
      failing.delete("a")
      expect((yield* manager.use({ tenant: "a", version: 2 }, use)).version).toBe(2)
      expect(yield* Ref.get(log)).toEqual(["build a@1", "build a@2", "dispose a@1"])
      expect(yield* manager.metrics).toMatchObject({ failures: 1, replacements: 1 })
    }))

  it.scoped("a failing first build caches nothing and the next get tries again", () =>
    Effect.gen(function*() {
      const { failing, provider } = yield* makeProvider
      const manager = yield* Instances.make(provider)
      failing.add("a")
      expect(yield* Effect.flip(manager.use({ tenant: "a", version: 1 }, use))).toBe("cannot connect a")
      expect(yield* manager.entries).toEqual([])
      failing.delete("a")
      expect((yield* manager.use({ tenant: "a", version: 1 }, use)).tenant).toBe("a")
    }))

  it.scoped("a failing key function builds nothing and fails with InstanceKeyError", () =>
    Effect.gen(function*() {
      const { log, provider } = yield* makeProvider
      const manager = yield* Instances.make({
        ...provider,
        key: (settings: Settings) => {
          if (settings.tenant === "") throw new Error("no tenant")
          return settings.tenant
        }
      })
      const error = yield* Effect.flip(manager.use({ tenant: "", version: 1 }, use))
      expect(error).toBeInstanceOf(Instances.InstanceKeyError)
      expect((error as Instances.InstanceKeyError).message).toBe("the key function of the instance manager failed: no tenant")
      expect(yield* Ref.get(log)).toEqual([])
    }))

  it.scoped("a make that dies propagates the defect and leaves the cache unchanged", () =>
    Effect.gen(function*() {
      let die = false
      const manager = yield* Instances.make<Settings, string, number, never, never>({
        key: (settings) => settings.tenant,
        needsUpdate: (settings, cached) => settings.version !== cached.context.version,
        make: (settings) => (die ? Effect.dieMessage("driver crashed") : Effect.succeed(settings.version))
      })
      yield* manager.use({ tenant: "a", version: 1 }, Effect.succeed)
      die = true
      const exit = yield* Effect.exit(manager.use({ tenant: "a", version: 2 }, Effect.succeed))
      expect(Exit.isFailure(exit) && exit.cause._tag === "Die").toBe(true)
      expect((yield* manager.entries).map((entry) => entry.context.version)).toEqual([1])
    }))

  it.scoped("keys are compared with Equal: Data structs by value, plain objects by reference", () =>
    Effect.gen(function*() {
      let builds = 0
      const manager = yield* Instances.make<{ readonly key: unknown }, unknown, number, never, never>({
        key: (context) => context.key,
        needsUpdate: () => false,
        make: () => Effect.sync(() => ++builds)
      })
      yield* manager.use({ key: Data.struct({ tenant: "a" }) }, Effect.succeed)
      yield* manager.use({ key: Data.struct({ tenant: "a" }) }, Effect.succeed)
      expect(builds).toBe(1)
      yield* manager.use({ key: { tenant: "b" } }, Effect.succeed)
      yield* manager.use({ key: { tenant: "b" } }, Effect.succeed)
      expect(builds).toBe(3)
    }))

  it.scoped("an idle instance is disposed after its time to live, a used one is kept", () =>
    Effect.gen(function*() {
      const { log, provider } = yield* makeProvider
      const manager = yield* Instances.make({ ...provider, idleTimeToLive: "1 minute" })
      yield* manager.use({ tenant: "a", version: 1 }, use)
      yield* TestClock.adjust("40 seconds")
      yield* manager.use({ tenant: "a", version: 1 }, use)
      yield* TestClock.adjust("40 seconds")
      expect(yield* Ref.get(log)).toEqual(["build a@1"])
      yield* TestClock.adjust("30 seconds")
      expect(yield* Ref.get(log)).toEqual(["build a@1", "dispose a@1"])
      expect(yield* manager.entries).toEqual([])
      expect(yield* manager.metrics).toMatchObject({ evictions: 1, live: 0 })
    }))

  it.effect("closing the manager does not wait for pending idle timers", () =>
    Effect.gen(function*() {
      const { log, provider } = yield* makeProvider
      const managerScope = yield* Scope.make()
      const manager = yield* Instances.make({ ...provider, idleTimeToLive: "1 hour" }).pipe(Scope.extend(managerScope))
      yield* manager.use({ tenant: "a", version: 1 }, use)
      const closing = yield* Effect.fork(Scope.close(managerScope, Exit.void))
      yield* TestClock.adjust(1)
      expect(closing.unsafePoll()).not.toBeNull()
      expect(yield* Ref.get(log)).toEqual(["build a@1", "dispose a@1"])
    }))

  it.scoped("over capacity the least recently used instance is evicted, after its holders", () =>
    Effect.gen(function*() {
      const { log, provider } = yield* makeProvider
      const manager = yield* Instances.make({ ...provider, capacity: 2 })
      yield* manager.use({ tenant: "a", version: 1 }, use)
      yield* manager.use({ tenant: "b", version: 1 }, use)
      yield* manager.use({ tenant: "a", version: 1 }, use) // a is now more recent than b
      yield* manager.use({ tenant: "c", version: 1 }, use)
      expect(yield* Ref.get(log)).toEqual(["build a@1", "build b@1", "build c@1", "dispose b@1"])
      expect((yield* manager.entries).map((entry) => entry.key).sort()).toEqual(["a", "c"])
    }))

  it.scoped("invalidate drops a key; its instance is disposed once its holders are done", () =>
    Effect.gen(function*() {
      const { log, provider } = yield* makeProvider
      const manager = yield* Instances.make(provider)
      const holder = yield* Scope.make()
      const client = yield* manager.get({ tenant: "a", version: 1 }).pipe(Scope.extend(holder))
      yield* manager.invalidate("a")
      expect(client.disposed).toBe(false)
      yield* Scope.close(holder, Exit.void)
      expect(yield* Ref.get(log)).toEqual(["build a@1", "dispose a@1"])
      expect((yield* manager.use({ tenant: "a", version: 1 }, use)).serial).not.toBe(client.serial)
    }))

  it.effect("closing the manager disposes every instance, waiting for holders, and later gets fail", () =>
    Effect.gen(function*() {
      const { log, provider } = yield* makeProvider
      const managerScope = yield* Scope.make()
      const manager = yield* Instances.make(provider).pipe(Scope.extend(managerScope))
      const release = yield* Deferred.make<void>()
      yield* manager.use({ tenant: "a", version: 1 }, use)
      const holding = yield* Effect.fork(manager.use({ tenant: "b", version: 1 }, () => Deferred.await(release)))
      yield* TestClock.adjust(1)
      const closing = yield* Effect.fork(Scope.close(managerScope, Exit.void))
      yield* TestClock.adjust(1)
      expect(yield* Ref.get(log)).toEqual(["build a@1", "build b@1", "dispose a@1"])
      yield* Deferred.succeed(release, undefined)
      yield* Fiber.join(holding)
      yield* Fiber.join(closing)
      expect(yield* Ref.get(log)).toEqual(["build a@1", "build b@1", "dispose a@1", "dispose b@1"])
      const error = yield* Effect.flip(manager.use({ tenant: "a", version: 1 }, use))
      expect(error).toBeInstanceOf(Instances.ManagerClosed)
    }))

  it.effect("a holder that outlives the close timeout does not stop the close; its instance is disposed anyway", () =>
    Effect.gen(function*() {
      const { log, provider } = yield* makeProvider
      const managerScope = yield* Scope.make()
      const manager = yield* Instances.make({ ...provider, closeTimeout: "5 seconds" }).pipe(Scope.extend(managerScope))
      yield* Effect.fork(manager.use({ tenant: "a", version: 1 }, () => Effect.never))
      yield* TestClock.adjust(1)
      const closing = yield* Effect.fork(Scope.close(managerScope, Exit.void))
      yield* TestClock.adjust(1)
      expect(yield* Ref.get(log)).toEqual(["build a@1"]) // still held: the close waits
      yield* TestClock.adjust("5 seconds")
      yield* Fiber.join(closing)
      expect(yield* Ref.get(log)).toEqual(["build a@1", "dispose a@1"])
    }))

  it.scoped("stress: 100,000 gets over 100 keys with updates, failures and interruptions dispose every instance exactly once", () =>
    Effect.gen(function*() {
      const versions = new Map<number, number>()
      const all: Array<Client> = []
      let usedAfterDisposal = 0
      let interrupted = 0
      let failed = 0
      const managerScope = yield* Scope.make()
      const manager = yield* Instances.make<Settings, string, Client, string, never>({
        key: (settings) => settings.tenant,
        needsUpdate: (settings, cached) => settings.version > cached.context.version,
        make: (settings) =>
          Effect.gen(function*() {
            if ((yield* Random.nextIntBetween(0, 100)) < 2) return yield* Effect.fail("random build failure")
            const client: Client = { tenant: settings.tenant, version: settings.version, serial: all.length, disposed: false }
            all.push(client)
            yield* Effect.addFinalizer(() =>
              Effect.suspend(() => {
                if (client.disposed) return Effect.die(new Error("disposed twice"))
                client.disposed = true
                return Effect.void
              })
            )
            return client
          })
      }).pipe(Scope.extend(managerScope))
      const step = (index: number) =>
        Effect.gen(function*() {
          const key = yield* Random.nextIntBetween(0, 100)
          if ((yield* Random.nextIntBetween(0, 100)) < 5) versions.set(key, (versions.get(key) ?? 0) + 1)
          const settings = { tenant: `t${key}`, version: versions.get(key) ?? 0 }
          const work = manager.use(settings, (client) =>
            Effect.suspend(() => {
              if (client.disposed) usedAfterDisposal++
              return index % 7 === 0 ? Effect.yieldNow() : Effect.void
            }))
          if (index % 50 === 0) {
            const fiber = yield* Effect.fork(work)
            yield* Fiber.interrupt(fiber)
            interrupted++
          } else {
            const exit = yield* Effect.exit(work)
            if (Exit.isFailure(exit)) failed++
          }
        })
      yield* Effect.forEach(Array.from({ length: 100_000 }, (_, index) => index), step, { concurrency: 50, discard: true })
      const metrics = yield* manager.metrics
      expect(metrics.cached).toBeLessThanOrEqual(100)
      yield* Scope.close(managerScope, Exit.void)
      const after = yield* manager.metrics
      console.log(
        `stress: ${metrics.hits + metrics.misses} gets, ${all.length} instances built, ${metrics.replacements} replacements, ` +
          `${metrics.failures} build failures (${failed} failed gets), ${interrupted} interrupted users, ` +
          `${after.disposals} disposals, ${usedAfterDisposal} uses after disposal`
      )
      expect(usedAfterDisposal).toBe(0)
      expect(all.every((client) => client.disposed)).toBe(true)
      expect(after.disposals).toBe(all.length)
      expect(after.live).toBe(0)
    }), { timeout: 120_000 })
})
