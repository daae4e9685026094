import { describe, expect, it } from "@effect/vitest"
import { Context, Duration, Effect, Either } from "effect"
import { Component, Lifecycle, type Plan, Registry, Resolver } from "../../src/index.js"
import * as executor from "../../src/internal/executor.js"
import * as settings from "../../src/internal/app/settings.js"

const tagOf = (name: string) => Context.GenericTag<string, string>(name)

/** A component `name` depending on `dependencies` (by name), changed by `lifecycle`. */
const component = (
  name: string,
  dependencies: ReadonlyArray<string> = [],
  lifecycle: (self: Component.Component<string, string>) => Component.Component<string, string> = (self) => self
) => lifecycle(Component.make(tagOf(name), { dependencies: dependencies.map(tagOf), build: Effect.succeed(name) }))

const planOf = (...components: ReadonlyArray<Component.Component<string, string>>): Plan.Plan<never> => {
  const resolved = Resolver.resolve(Registry.make(...components), components.map((each) => each.tag))
  if (Either.isLeft(resolved)) throw new Error(resolved.left.message)
  return resolved.right as Plan.Plan<never>
}

/** Per component name, its startup stage. */
const stagesByName = (plan: Plan.Plan<never>): Record<string, number> | undefined => {
  const stages = settings.startupStages(plan, executor.predecessorsOf(plan))
  return stages === undefined ? undefined : Object.fromEntries(plan.nodes.map((node) => [node.name, stages[node.id]!]))
}

const defaults = settings.validateOptions({}, [])

describe("settings", () => {
  describe("options", () => {
    it("no options: the defaults, and no problem", () => {
      const problems: settings.Problems = []
      expect(settings.validateOptions({}, problems)).toEqual({
        start: Duration.seconds(15),
        stop: Duration.seconds(15),
        grace: Duration.seconds(10),
        release: Duration.seconds(30),
        health: Duration.seconds(5),
        healthOverall: undefined,
        concurrency: Number.POSITIVE_INFINITY,
        healthConcurrency: Number.POSITIVE_INFINITY
      })
      expect(problems).toEqual([])
    })

    it("timeouts in every form Effect decodes; concurrency as a limit, rounded down", () => {
      const problems: settings.Problems = []
      const decoded = settings.validateOptions({
        startTimeout: "2 seconds",
        stopTimeout: 500,
        graceTimeout: Duration.minutes(1),
        releaseTimeout: BigInt(1_000_000),
        healthTimeout: [1, 0],
        healthOverallTimeout: "1 minute",
        concurrency: 2.7,
        healthConcurrency: "unbounded"
      }, problems)
      expect(problems).toEqual([])
      expect(decoded).toEqual({
        start: Duration.seconds(2),
        stop: Duration.millis(500),
        grace: Duration.minutes(1),
        release: Duration.nanos(BigInt(1_000_000)),
        health: Duration.decode([1, 0]),
        healthOverall: Duration.minutes(1),
        concurrency: 2,
        healthConcurrency: Number.POSITIVE_INFINITY
      })
    })

    it("every invalid option is listed at once, in a fixed order, and its default is used in its place", () => {
      const problems: settings.Problems = []
      const decoded = settings.validateOptions({
        startTimeout: "soon" as never,
        stopTimeout: -1,
        graceTimeout: Duration.infinity,
        releaseTimeout: "-2 seconds" as never,
        healthTimeout: Number.NaN,
        healthOverallTimeout: -5,
        concurrency: 0,
        healthConcurrency: "many" as never
      }, problems)
      expect(problems).toEqual([
        { subject: "application", reason: "startTimeout must be a finite, non-negative duration, got soon" },
        { subject: "application", reason: "stopTimeout must be a finite, non-negative duration, got -1" },
        { subject: "application", reason: "graceTimeout must be a finite, non-negative duration, got Infinity" },
        { subject: "application", reason: "releaseTimeout must be a finite, non-negative duration, got -2 seconds" },
        { subject: "application", reason: "healthTimeout must be a finite, non-negative duration, got NaN" },
        { subject: "application", reason: "healthOverallTimeout must be a finite, non-negative duration, got -5" },
        { subject: "application", reason: "concurrency must be \"unbounded\" or at least 1, got 0" },
        { subject: "application", reason: "healthConcurrency must be \"unbounded\" or at least 1, got \"many\"" }
      ])
      expect(decoded).toEqual(defaults)
    })
  })

  describe("component settings", () => {
    it("a component's own timeouts override the application's; a component without lifecycle has the application's", () => {
      const app = settings.validateOptions({ startTimeout: "1 second", stopTimeout: "2 seconds", healthTimeout: "3 seconds" }, [])
      const plan = planOf(
        component("plain"),
        component("tuned", [], Lifecycle.timeouts({ start: "10 seconds", grace: 7 }))
      )
      const problems: settings.Problems = []
      const [plain, tuned] = settings.componentSettings(plan, app, problems)
      expect(problems).toEqual([])
      expect(plain).toEqual({
        lifecycle: undefined,
        start: Duration.seconds(1),
        stop: Duration.seconds(2),
        grace: Duration.seconds(10),
        health: Duration.seconds(3)
      })
      expect([tuned!.start, tuned!.stop, tuned!.grace, tuned!.health]).toEqual([
        Duration.seconds(10),
        Duration.seconds(2),
        Duration.millis(7),
        Duration.seconds(3)
      ])
    })

    it("a health check's timeout: its own, else its component's, else the application's", () => {
      const app = settings.validateOptions({ healthTimeout: "3 seconds" }, [])
      const check = () => Effect.void
      const plan = planOf(
        component("own", [], (self) => self.pipe(Lifecycle.healthCheck(check, { timeout: "1 second" }), Lifecycle.timeouts({ health: "2 seconds" }))),
        component("component's", [], (self) => self.pipe(Lifecycle.healthCheck(check), Lifecycle.timeouts({ health: "2 seconds" }))),
        component("application's", [], Lifecycle.healthCheck(check))
      )
      const components = settings.componentSettings(plan, app, [])
      expect(components.map((each) => settings.checkTimeout(each.lifecycle!.healthChecks[0]!, each))).toEqual([
        Duration.seconds(1),
        Duration.seconds(2),
        Duration.seconds(3)
      ])
    })

    it("every invalid setting of every component is listed at once, in plan order", () => {
      const notAFunction = "not a function" as never
      const plan = planOf(
        component("db", [], (self) =>
          self.pipe(
            Lifecycle.startup(Number.NaN),
            Lifecycle.initializer(notAFunction, { name: "warm" }),
            Lifecycle.onStart(notAFunction),
            Lifecycle.onStop(notAFunction),
            Lifecycle.disposer(notAFunction),
            Lifecycle.background(notAFunction)
          )),
        component("api", ["db"], (self) =>
          self.pipe(
            Lifecycle.healthCheck(notAFunction, { name: "ping", timeout: -5 }),
            Lifecycle.timeouts({ start: "soon" as never, stop: -1, grace: Duration.infinity, health: Number.NaN })
          ))
      )
      const problems: settings.Problems = []
      settings.componentSettings(plan, defaults, problems)
      expect(problems).toEqual([
        { subject: "component db", reason: "its startup order must be a finite number, got NaN" },
        { subject: "component db", reason: "its hook warm is not a function" },
        { subject: "component db", reason: "its hook onStart is not a function" },
        { subject: "component db", reason: "its hook onStop is not a function" },
        { subject: "component db", reason: "its hook disposer is not a function" },
        { subject: "component db", reason: "its hook background is not a function" },
        { subject: "component api", reason: "its health check ping is not a function" },
        { subject: "component api", reason: "the timeout of its health check ping must be a finite, non-negative duration, got -5" },
        { subject: "component api", reason: "its start timeout must be a finite, non-negative duration, got soon" },
        { subject: "component api", reason: "its stop timeout must be a finite, non-negative duration, got -1" },
        { subject: "component api", reason: "its grace timeout must be a finite, non-negative duration, got Infinity" },
        { subject: "component api", reason: "its health timeout must be a finite, non-negative duration, got NaN" }
      ])
    })
  })

  describe("startup stages", () => {
    it("no startup component: no stages", () => {
      expect(stagesByName(planOf(component("a"), component("b", ["a"])))).toBeUndefined()
    })

    it("ranks become stages 0, 1, ... in increasing order of startup order, whatever the orders' values", () => {
      const plan = planOf(
        component("late", [], Lifecycle.startup(100)),
        component("early", [], Lifecycle.startup(-5)),
        component("middle", [], Lifecycle.startup(0.5)),
        component("also middle", [], Lifecycle.startup(0.5))
      )
      expect(stagesByName(plan)).toEqual({ "late": 2, "early": 0, "middle": 1, "also middle": 1 })
    })

    it("a dependency of a startup component belongs to the lowest order among the startup components needing it; what none needs has no stage", () => {
      const plan = planOf(
        component("db"),
        component("cache", ["db"]),
        component("api", ["cache"], Lifecycle.startup(10)),
        component("migrations", ["db"], Lifecycle.startup(5)),
        component("metrics"),
        // depends on a startup component, is not one: no stage of its own
        component("client", ["api"])
      )
      expect(stagesByName(plan)).toEqual({ db: 0, cache: 1, api: 1, migrations: 0, metrics: -1, client: -1 })
    })

    it("a startup component needed by a startup component of a lower order starts with that order", () => {
      const plan = planOf(
        component("store", [], Lifecycle.startup(10)),
        component("boot", ["store"], Lifecycle.startup(1))
      )
      expect(stagesByName(plan)).toEqual({ store: 0, boot: 0 })
    })

    it("reversed stages run the same groups in the opposite order; nodes without a stage keep none", () => {
      expect(Array.from(settings.reversedStages(Int32Array.from([0, 1, -1, 2, 1]))!)).toEqual([2, 1, -1, 0, 1])
      expect(settings.reversedStages(undefined)).toBeUndefined()
    })
  })
})
