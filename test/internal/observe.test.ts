/**
 * What layerwise tells of a build and a run (internal/observe.ts): spans (recorded with a Tracer of
 * the test's), Effect Metrics (read from the global registry; every test names its components apart,
 * so that their metrics are its own), and the startup log (a Logger of the test's, on the TestClock).
 */
import { describe, expect, it } from "@effect/vitest"
import { Cause, Context, Data, Deferred, Effect, Either, Exit, Fiber, Layer, Logger, Metric, TestClock } from "effect"
import { App, Component, Container, Dependency, Errors, Instances, Lifecycle, Lifetime, Observability, Plan, Registry, Resolver } from "layerwise"
import { FastCheck as fc } from "effect"
import { Report } from "layerwise"
import type { Phase } from "../../src/Report.js"
import { startupSummary } from "../../src/internal/observe.js"
import { makeRecord } from "../helpers/run.js"
import { makeRecording, type RecordedSpan, traced } from "../helpers/tracing.js"

class Boom extends Data.TaggedError("Boom")<{ readonly where: string }> {}

class A extends Context.Tag("A")<A, string>() {}
class B extends Context.Tag("B")<B, string>() {}
class C extends Context.Tag("C")<C, string>() {}

/** A with every hook (its start hook makes a span of its own), B depending on it. */
const hooked = (names: { readonly a: string; readonly b: string }, b: Effect.Effect<string, Boom> = Effect.succeed("b")) =>
  Registry.make(
    Component.make(A, { build: Effect.withSpan(Effect.succeed("a"), "user.construct") }).pipe(
      Component.named(names.a),
      Lifecycle.initializer(() => Effect.void),
      Lifecycle.onStart(() => Effect.withSpan(Effect.void, "user.start")),
      Lifecycle.onStop(() => Effect.void),
      Lifecycle.disposer(() => Effect.void)
    ),
    Component.make(B, { dependencies: [A], build: b }).pipe(Component.named(names.b))
  )

const startStop = <R>(app: App.App<R>) => Effect.scoped(Effect.flatMap(App.start(app), App.stop))

const planOf = <E>(registry: Registry.Registry<E>, roots: ReadonlyArray<Context.Tag<any, any>>) =>
  Either.getOrThrow(Resolver.resolve(registry, roots))

const spanNamed = (spans: ReadonlyArray<RecordedSpan>, name: string, component?: string) =>
  spans.find((span) => span.name === name && (component === undefined || span.attributes.get("layerwise.component") === component))!

/** A Logger recording every message, and the Layer that adds it. */
const makeLog = () => {
  const lines: Array<string> = []
  const logger = Logger.make(({ message }) => {
    lines.push(Array.isArray(message) ? message.join(" ") : String(message))
  })
  return { lines, layer: Logger.add(logger) }
}

describe("observe", () => {
  describe("App's spans", () => {
    it.effect("one span per phase of every component, under its phase's span; constructors' and hooks' spans nest under their component's", () =>
      Effect.gen(function*() {
        const recording = makeRecording()
        yield* traced(recording, startStop(App.make(hooked({ a: "A", b: "B" }), { roots: [B], startupLog: false })))
        expect(recording.tree()).toEqual([
          "layerwise.app.start success",
          "  layerwise.build success",
          "    layerwise.component.build A success",
          "      user.construct",
          "    layerwise.component.initialize A success",
          "    layerwise.component.build B success",
          "  layerwise.start success",
          "    layerwise.component.start A success",
          "      user.start",
          "layerwise.app.stop success",
          "  layerwise.stop success",
          "    layerwise.component.stop A success",
          "  layerwise.release success",
          "    layerwise.component.release B success",
          "    layerwise.component.dispose A success",
          "    layerwise.component.release A success"
        ])
        expect(recording.spans.every((span) => span.exit === "success")).toBe(true)
      }))

    it.effect("a tracer App.provide installs (as @effect/opentelemetry's NodeSdk.layer does) gets the run's spans", () =>
      Effect.gen(function*() {
        const recording = makeRecording()
        const app = App.make(hooked({ a: "A", b: "B" }), { roots: [B], startupLog: false }).pipe(App.provide(Layer.setTracer(recording.tracer)))
        yield* startStop(app)
        expect(recording.tree().filter((line) => !line.startsWith(" "))).toEqual(["layerwise.app.start success", "layerwise.app.stop success"])
      }))

    it.effect("a component's span has its name, its tag's key, its qualifiers, its lifetime, the phase and the outcome", () =>
      Effect.gen(function*() {
        const recording = makeRecording()
        const registry = Registry.make(Component.succeed(A, "a").pipe(Component.named("primary-a"), Component.qualified(["main"]), Lifecycle.onStart(() => Effect.void)))
        yield* traced(recording, startStop(App.make(registry, { roots: [A], startupLog: false })))
        expect(Object.fromEntries(spanNamed(recording.spans, "layerwise.component.start").attributes)).toEqual({
          "layerwise.component": "primary-a",
          "layerwise.service": "A",
          "layerwise.qualifiers": ["main"],
          "layerwise.lifetime": "singleton",
          "layerwise.phase": "start",
          "layerwise.outcome": "success"
        })
      }))

    it.effect("layerwise.build has layerwise.components, the application's components in the plan (not layerwise's own services), as Plan.toLayer's has", () =>
      Effect.gen(function*() {
        const recording = makeRecording()
        const registry = hooked({ a: "A", b: "B" }).pipe(Registry.add(Component.make(C, { dependencies: [B, App.Health], build: Effect.succeed("c") })))
        yield* traced(recording, startStop(App.make(registry, { roots: [C], startupLog: false })))
        expect(Object.fromEntries(spanNamed(recording.spans, "layerwise.build").attributes)).toEqual({
          "layerwise.components": 3,
          "layerwise.phase": "build",
          "layerwise.outcome": "success"
        })
      }))

    it.effect("a failing constructor ends its build span, the build's and layerwise.app.start's with a failure; what was built is released under layerwise.app.stop", () =>
      Effect.gen(function*() {
        const recording = makeRecording()
        const app = App.make(hooked({ a: "A", b: "B" }, Effect.fail(new Boom({ where: "B" }))), { roots: [B], startupLog: false })
        const exit = yield* traced(recording, Effect.exit(App.run(app)))
        expect(Exit.isFailure(exit)).toBe(true)
        expect(recording.tree()).toEqual([
          "layerwise.app.start failure",
          "  layerwise.build failure",
          "    layerwise.component.build A success",
          "      user.construct",
          "    layerwise.component.initialize A success",
          "    layerwise.component.build B failure",
          "layerwise.app.stop success",
          "  layerwise.stop success",
          "  layerwise.release success",
          "    layerwise.component.release B success",
          "    layerwise.component.dispose A success",
          "    layerwise.component.release A success"
        ])
        expect(spanNamed(recording.spans, "layerwise.component.build", "B").exit).toBe("failure")
        expect(spanNamed(recording.spans, "layerwise.app.start").exit).toBe("failure")
      }))

    it.effect("a start hook that times out ends its span with the outcome timeout, a failure", () =>
      Effect.gen(function*() {
        const recording = makeRecording()
        const registry = Registry.make(Component.succeed(A, "a").pipe(Lifecycle.onStart(() => Effect.never)))
        const fiber = yield* traced(recording, Effect.fork(Effect.exit(App.run(App.make(registry, { roots: [A], startTimeout: "1 second", startupLog: false })))))
        yield* TestClock.adjust("1 second")
        expect(Exit.isFailure(yield* Fiber.join(fiber))).toBe(true)
        expect(recording.tree()).toEqual([
          "layerwise.app.start failure",
          "  layerwise.build success",
          "    layerwise.component.build A success",
          "  layerwise.start failure",
          "    layerwise.component.start A timeout",
          "layerwise.app.stop success",
          "  layerwise.stop success",
          "  layerwise.release success",
          "    layerwise.component.release A success"
        ])
        expect(spanNamed(recording.spans, "layerwise.component.start", "A").exit).toBe("failure")
      }))

    it.effect("background work runs under no span: a request's span it makes is a root; the component's background span is a root linked to layerwise.app.start, ended with success by a normal stop", () =>
      Effect.gen(function*() {
        const recording = makeRecording()
        const serving = yield* Deferred.make<void>()
        const registry = Registry.make(
          Component.succeed(A, "a").pipe(
            Lifecycle.background(() =>
              Effect.zipRight(
                Effect.withSpan(Deferred.succeed(serving, undefined), "http.request"),
                Effect.never
              )
            )
          )
        )
        yield* traced(
          recording,
          Effect.scoped(Effect.gen(function*() {
            const running = yield* App.start(App.make(registry, { roots: [A], startupLog: false }))
            yield* Deferred.await(serving)
            yield* App.stop(running)
          }))
        )
        const request = spanNamed(recording.spans, "http.request")
        const background = spanNamed(recording.spans, "layerwise.component.background", "A")
        expect(request.parent).toBeUndefined()
        expect(background.parent).toBeUndefined()
        expect(background.links).toEqual([spanNamed(recording.spans, "layerwise.app.start").spanId])
        expect(background.exit).toBe("success")
        expect(background.attributes.get("layerwise.outcome")).toBe("success")
        // a normal shutdown: every span of layerwise's ends with success
        expect(recording.spans.filter((span) => span.name.startsWith("layerwise.") && span.exit !== "success")).toEqual([])
      }))

    it.effect("a health check is layerwise.health with a span per check, ended with the check's outcome", () =>
      Effect.gen(function*() {
        const recording = makeRecording()
        const registry = Registry.make(
          Component.succeed(A, "a").pipe(
            Component.named("SpansHealthy"),
            Lifecycle.healthCheck(() => Effect.void, { name: "ping" }),
            Lifecycle.healthCheck(() => Effect.fail(new Boom({ where: "disk" })), { name: "disk" })
          )
        )
        yield* traced(
          recording,
          Effect.scoped(Effect.gen(function*() {
            const running = yield* App.start(App.make(registry, { roots: [A], startupLog: false }))
            recording.clear()
            yield* App.health(running)
          }))
        )
        expect(recording.tree({ attributes: ["layerwise.check", "layerwise.outcome"] }).slice(0, 3)).toEqual([
          "layerwise.health failure",
          "  layerwise.component.health ping success",
          "  layerwise.component.health disk failure"
        ])
      }))

    it.effect("a child container's check is a span under layerwise.health with the component named by its path, and its status metric is labelled so", () =>
      Effect.gen(function*() {
        const recording = makeRecording()
        const registry = Registry.make(Component.succeed(A, "a"))
        yield* traced(
          recording,
          Effect.scoped(Effect.gen(function*() {
            const running = yield* App.start(App.make(registry, { roots: [A, Container.Container], startupLog: false, metrics: true }))
            const tenant = yield* Container.child("spans-tenant", [
              Component.succeed(B, "b").pipe(Lifecycle.healthCheck(() => Effect.fail(new Boom({ where: "tenant" })), { name: "ping" }))
            ]).pipe(Effect.provide(running.context))
            yield* Container.getFrom(tenant, B)
            recording.clear()
            yield* App.health(running)
          }))
        )
        expect(recording.tree({ attributes: ["layerwise.component", "layerwise.check", "layerwise.outcome"] }).slice(0, 2)).toEqual([
          "layerwise.health failure",
          "  layerwise.component.health spans-tenant/B ping failure"
        ])
        expect((yield* Metric.value(Observability.healthStatusOf("spans-tenant/B", "ping"))).value).toBe(0)
      }))

    it.effect("no span at all with spans: false, nor with Effect's built-in tracer", () =>
      Effect.gen(function*() {
        const recording = makeRecording()
        yield* traced(recording, startStop(App.make(hooked({ a: "A", b: "B" }), { roots: [B], spans: false, startupLog: false })))
        expect(recording.tree()).toEqual(["user.construct", "user.start"])
        // Effect's built-in tracer: what the program makes is made, layerwise makes nothing
        const names: Array<string> = []
        yield* startStop(App.make(hooked({ a: "A", b: "B" }), { roots: [B], startupLog: false })).pipe(
          Effect.withSpan("program"),
          Effect.tap(() => Effect.sync(() => names.push("done")))
        )
        expect(names).toEqual(["done"])
      }))
  })

  describe("Plan.toLayer's spans", () => {
    it.effect("layerwise.build with a span per component (its constructor's spans under it), then layerwise.release with one per component", () =>
      Effect.gen(function*() {
        const recording = makeRecording()
        const plan = planOf(hooked({ a: "A", b: "B" }), [B])
        yield* traced(recording, Effect.scoped(Layer.build(Plan.toLayer(plan))))
        expect(recording.tree()).toEqual([
          "layerwise.build success",
          "  layerwise.component.build A success",
          "    user.construct",
          "  layerwise.component.build B success",
          "layerwise.release success",
          "  layerwise.component.release B success",
          "  layerwise.component.release A success"
        ])
        expect(spanNamed(recording.spans, "layerwise.build").attributes.get("layerwise.components")).toBe(2)
      }))

    it.effect("a failing constructor ends its span and the build's with a failure; the release has one span", () =>
      Effect.gen(function*() {
        const recording = makeRecording()
        const plan = planOf(hooked({ a: "A", b: "B" }, Effect.fail(new Boom({ where: "B" }))), [B])
        const exit = yield* traced(recording, Effect.exit(Effect.scoped(Layer.build(Plan.toLayer(plan)))))
        expect(Exit.isFailure(exit)).toBe(true)
        expect(recording.tree()).toEqual([
          "layerwise.build failure",
          "  layerwise.component.build A success",
          "    user.construct",
          "  layerwise.component.build B failure",
          "layerwise.release success",
          "  layerwise.component.release B success",
          "  layerwise.component.release A success"
        ])
      }))

    it.effect("a release that fails ends its component's span and the release's with a failure", () =>
      Effect.gen(function*() {
        const recording = makeRecording()
        const registry = Registry.make(
          Component.make(A, { build: Effect.acquireRelease(Effect.succeed("a"), () => Effect.die(new Boom({ where: "release" }))) })
        )
        const exit = yield* traced(recording, Effect.exit(Effect.scoped(Layer.build(Plan.toLayer(planOf(registry, [A]))))))
        expect(Exit.isFailure(exit)).toBe(true)
        expect(recording.tree()).toEqual([
          "layerwise.build success",
          "  layerwise.component.build A success",
          "layerwise.release failure",
          "  layerwise.component.release A failure"
        ])
      }))

    it.effect("Registry.toLayer has the same spans; spans: false has none", () =>
      Effect.gen(function*() {
        const recording = makeRecording()
        yield* traced(recording, Effect.scoped(Layer.build(Registry.toLayer(hooked({ a: "A", b: "B" }), [B]))))
        expect(recording.tree()).toEqual([
          "layerwise.build success",
          "  layerwise.component.build A success",
          "    user.construct",
          "  layerwise.component.build B success",
          "layerwise.release success",
          "  layerwise.component.release B success",
          "  layerwise.component.release A success"
        ])
        recording.clear()
        yield* traced(recording, Effect.scoped(Layer.build(Registry.toLayer(hooked({ a: "A", b: "B" }), [B], { spans: false }))))
        expect(recording.tree()).toEqual(["user.construct"])
      }))
  })

  describe("instances built after startup", () => {
    class Report_ extends Context.Tag("Report")<Report_, string>() {}
    class Reader extends Context.Tag("Reader")<Reader, Effect.Effect<string, Errors.HandleError>>() {}
    const registry = Registry.make(
      Component.succeed(Report_, "r"),
      Component.make(Reader, { dependencies: [Dependency.lazy(Report_)], build: Dependency.lazy(Report_) })
    )

    it.effect("a lazy singleton's build on first use has its layerwise.component.build span, under the span that used it", () =>
      Effect.gen(function*() {
        const recording = makeRecording()
        yield* traced(
          recording,
          Effect.scoped(Effect.gen(function*() {
            const context = yield* Layer.build(Registry.toLayer(registry, [Reader]))
            recording.clear()
            yield* Effect.withSpan(Context.get(context, Reader), "user.read")
          }))
        )
        expect(recording.tree().slice(0, 2)).toEqual(["user.read", "  layerwise.component.build Report success"])
        const span = spanNamed(recording.spans, "layerwise.component.build", "Report")
        expect(Object.fromEntries(span.attributes)).toMatchObject({
          "layerwise.component": "Report",
          "layerwise.service": "Report",
          "layerwise.lifetime": "singleton",
          "layerwise.phase": "build",
          "layerwise.outcome": "success"
        })
        // with spans: false, none
        recording.clear()
        yield* traced(
          recording,
          Effect.scoped(Effect.flatMap(Layer.build(Registry.toLayer(registry, [Reader], { spans: false })), (context) => Context.get(context, Reader)))
        )
        expect(recording.spans).toEqual([])
      }))

    it.effect("under App, a lazy singleton's build on first use (by its handle or by a lookup) is one layerwise.component.build span, under the span that used it, not a second one under the startup's ended build span", () =>
      Effect.gen(function*() {
        const firstUse = (use: Effect.Effect<unknown, unknown, Reader | Container.Container>) =>
          Effect.gen(function*() {
            const recording = makeRecording()
            yield* traced(
              recording,
              Effect.scoped(Effect.gen(function*() {
                const running = yield* App.start(App.make(registry, { roots: [Reader, Container.Container], startupLog: false }))
                yield* Effect.withSpan(Effect.provide(use, running.context), "user.use")
                yield* App.stop(running)
              }))
            )
            return {
              builds: recording.spans.filter((span) => span.name === "layerwise.component.build").map((span) => span.attributes.get("layerwise.component")),
              tree: recording.tree().filter((line) => line.includes("user.") || line.includes("build Report"))
            }
          })
        const expected = { builds: ["Reader", "Report"], tree: ["user.use", "  layerwise.component.build Report success"] }
        expect(yield* firstUse(Effect.flatten(Reader))).toEqual(expected)
        expect(yield* firstUse(Container.get(Report_))).toEqual(expected)
        // used by a constructor during the startup's build: under that constructor's span
        class Eager extends Context.Tag("Eager")<Eager, string>() {}
        const recording = makeRecording()
        const eager = Registry.make(registry, Component.make(Eager, { dependencies: [Dependency.lazy(Report_)], build: Effect.flatten(Dependency.lazy(Report_)) }))
        yield* traced(recording, startStop(App.make(eager, { roots: [Eager], startupLog: false })))
        expect(recording.tree().filter((line) => line.includes(".build"))).toEqual([
          "  layerwise.build success",
          "    layerwise.component.build Eager success",
          "      layerwise.component.build Report success"
        ])
      }))
    it.effect("a singleton no root reaches, built by a lookup, and a child container's own component have their layerwise.component.build span, under the span that asked, under App and under Registry.toLayer", () =>
      Effect.gen(function*() {
        class Looked extends Context.Tag("Looked")<Looked, string>() {}
        const lookups = Effect.gen(function*() {
          yield* Effect.withSpan(Container.get(Looked), "user.lookup")
          yield* Effect.scoped(Effect.withSpan(
            Effect.flatMap(Container.child("tenant", [Component.succeed(Report_, "tenant's")]), (child) => Container.getFrom(child, Report_)),
            "user.child"
          ))
        })
        const expected = [
          "user.lookup",
          "  layerwise.component.build Looked success",
          "user.child",
          "  layerwise.component.build tenant/Report (override) success"
        ]
        const shown = (recording: ReturnType<typeof makeRecording>) =>
          recording.tree().filter((line) => line.startsWith("user.") || line.includes("build Looked") || line.includes("Report"))
        const withLooked = Registry.make(registry, Component.succeed(Looked, "l"))
        const app = makeRecording()
        yield* traced(app, Effect.scoped(Effect.gen(function*() {
          const running = yield* App.start(App.make(withLooked, { roots: [Container.Container], startupLog: false }))
          yield* Effect.provide(lookups, running.context)
          yield* App.stop(running)
        })))
        expect(shown(app)).toEqual(expected)
        const layer = makeRecording()
        yield* traced(layer, Effect.scoped(Effect.flatMap(Layer.build(Registry.toLayer(withLooked, [Container.Container])), (context) => Effect.provide(lookups, context))))
        expect(shown(layer)).toEqual(expected)
      }))
  })

  describe("metrics", () => {
    it.effect("every phase of every component is a duration in layerwise.phase.duration, labelled by phase (and by component when asked)", () =>
      Effect.gen(function*() {
        const registry = Registry.make(
          Component.make(A, { build: Effect.as(Effect.sleep("2 seconds"), "a") }).pipe(
            Component.named("MetricsDatabase"),
            Lifecycle.onStart(() => Effect.sleep("500 millis"))
          )
        )
        const run = (metrics: App.Options["metrics"]) =>
          Effect.gen(function*() {
            const fiber = yield* Effect.fork(startStop(App.make(registry, { roots: [A], startupLog: false, metrics })))
            yield* TestClock.adjust("2 seconds")
            yield* TestClock.adjust("500 millis")
            yield* Fiber.join(fiber)
          })
        // the per-phase histograms are the process's: what one run adds
        const counted = Effect.map(
          Effect.all([Metric.value(Observability.phaseDurationOf("build")), Metric.value(Observability.phaseDurationOf("start"))]),
          ([build, start]) => [build.count, build.sum, start.count, start.sum]
        )
        const before = yield* counted
        yield* run(undefined)
        const after = yield* counted
        expect(after.map((value, index) => value - before[index]!)).toEqual([1, 2000, 1, 500])
        // no series per component unless asked
        expect((yield* Metric.value(Observability.phaseDurationOf("build", "MetricsDatabase"))).count).toBe(0)
        yield* run("per-component")
        const build = yield* Metric.value(Observability.phaseDurationOf("build", "MetricsDatabase"))
        const start = yield* Metric.value(Observability.phaseDurationOf("start", "MetricsDatabase"))
        expect([build.count, build.sum, start.count, start.sum]).toEqual([1, 2000, 1, 500])
        // metrics: false records nothing
        const unchanged = yield* counted
        yield* run(false)
        expect(yield* counted).toEqual(unchanged)
      }))

    it.effect("a health check sets layerwise.health.status: 1 when it passed, 0 when it did not", () =>
      Effect.gen(function*() {
        let up = true
        const registry = Registry.make(
          Component.succeed(A, "a").pipe(
            Component.named("MetricsHealth"),
            Lifecycle.healthCheck(() => up ? Effect.void : Effect.fail(new Boom({ where: "ping" })), { name: "ping" })
          )
        )
        const status = Observability.healthStatusOf("MetricsHealth", "ping")
        yield* Effect.scoped(Effect.gen(function*() {
          const running = yield* App.start(App.make(registry, { roots: [A], startupLog: false }))
          yield* App.health(running)
          expect((yield* Metric.value(status)).value).toBe(1)
          up = false
          yield* App.health(running)
          expect((yield* Metric.value(status)).value).toBe(0)
        }))
      }))

    it.scoped("an instance manager with a name counts hits, misses and evictions and gauges its size, labelled manager", () =>
      Effect.gen(function*() {
        const clients = yield* Instances.make({
          name: "MetricsClients",
          key: (tenant: string) => tenant,
          make: (tenant: string) => Effect.succeed({ tenant }),
          needsUpdate: () => false,
          capacity: 1
        })
        yield* clients.use("acme", () => Effect.void)
        yield* clients.use("acme", () => Effect.void)
        yield* clients.use("globex", () => Effect.void)
        const metrics = Observability.instanceMetricsOf("MetricsClients")
        const values = yield* Effect.all([Metric.value(metrics.size), Metric.value(metrics.hits), Metric.value(metrics.misses), Metric.value(metrics.evictions)])
        expect(values.map((state) => "value" in state ? state.value : state.count)).toEqual([1, 1, 2, 1])
        const record = yield* clients.metrics
        expect([record.cached, record.hits, record.misses, record.evictions]).toEqual([1, 1, 2, 1])
      }))
  })

  describe("the startup log", () => {
    const slow = Registry.make(
      Component.make(A, { build: Effect.as(Effect.sleep("3 seconds"), "a") }).pipe(Component.named("db")),
      Component.make(B, { dependencies: [A], build: Effect.succeed("b") }).pipe(
        Component.named("server"),
        Lifecycle.onStart(() => Effect.sleep("250 millis"))
      )
    )

    const startLogged = (options: App.Options) =>
      Effect.gen(function*() {
        const log = makeLog()
        const fiber = yield* Effect.fork(Effect.provide(startStop(App.make(slow, { roots: [B], ...options })), log.layer))
        for (let step = 0; step < 13; step++) yield* TestClock.adjust("250 millis")
        yield* Fiber.join(fiber)
        return log.lines
      })

    it.effect("an application that starts none of its components says why: no root or startup component reaches one", () =>
      Effect.gen(function*() {
        const log = makeLog()
        // a server whose background work would serve, not marked as startup and no root
        const server = Registry.make(Component.succeed(A, "a").pipe(Lifecycle.background(() => Effect.never)))
        yield* Effect.provide(startStop(App.make(server)), log.layer)
        expect(log.lines).toEqual([
          "started 0 components in 0.00ms: no root or startup component reaches a component of the registry (give App.make its roots, or mark the components to run Lifecycle.startup())"
        ])
      }))

    it.effect("logs the plan's warnings before anything is built (a misspelt name under optional): Explain.warnings, one line each", () =>
      Effect.gen(function*() {
        const log = makeLog()
        const registry = Registry.make(
          Component.succeed(A, "a").pipe(Component.named("local")),
          Component.make(B, { dependencies: [Dependency.optional(Dependency.named(A, "locl"))], build: Effect.succeed("b") })
        )
        yield* Effect.provide(startStop(App.make(registry, { roots: [B], startupLog: "quiet" })), log.layer)
        expect(log.lines).toEqual([
          "layerwise: B -> Option<A#locl>: no component of A is named locl (did you mean local?), so it is always absent",
          "started 1 component in 0.00ms"
        ])
      }))

    it.effect("names a component still building after a second, once, then logs the started line and the table, slowest first", () =>
      Effect.gen(function*() {
        expect(yield* startLogged({})).toEqual([
          "still building db (1.00s)",
          [
            "started 2 components in 3.25s",
            "  component   build    start",
            "  db          3.00s        -",
            "  server     0.00ms  250.0ms"
          ].join("\n")
        ])
      }))

    it.effect("quiet logs the started line alone; false logs nothing; slowAfter and table are the delay and the rows", () =>
      Effect.gen(function*() {
        expect(yield* startLogged({ startupLog: "quiet" })).toEqual(["started 2 components in 3.25s"])
        expect(yield* startLogged({ startupLog: false })).toEqual([])
        expect(yield* startLogged({ startupLog: { slowAfter: "2 seconds", table: 1 } })).toEqual([
          "still building db (2.00s)",
          ["started 2 components in 3.25s", "  component  build  start", "  db         3.00s      -", "  … 1 more, each 3.00s or less"].join("\n")
        ])
      }))

    it.effect("the table is the slowest components of the report, ties in plan order, whatever the durations and rows", () =>
      Effect.gen(function*() {
        // the table as the report gives it: every component's build (+ initialize) and start, sorted
        const fromReport = (components: ReadonlyArray<Report.ComponentRecord>, rows: number): Array<string> => {
          // a component with no phase at all was not built by the startup: not listed, counted apart
          const timings = components.filter((component) => component.phases.length > 0).map((component) => {
            let build: number | undefined
            let start: number | undefined
            for (const phase of component.phases) {
              if (phase.phase === "build" || phase.phase === "initialize") build = (build ?? 0) + phase.duration
              else if (phase.phase === "start") start = phase.duration
            }
            return { name: component.name, build, start, total: (build ?? 0) + (start ?? 0) }
          })
          timings.sort((left, right) => right.total - left.total)
          const shown = timings.slice(0, rows)
          const show = (ms: number | undefined) => (ms === undefined ? "-" : Report.formatDuration(ms))
          const later = components.length - timings.length
          return [
            `started ${timings.length} component${timings.length === 1 ? "" : "s"} in 0.00ms${
              later === 0 ? "" : `; ${later} more ${later === 1 ? "is" : "are"} built when needed (scoped, transient, or reached only by handles)`
            }`,
            ...shown.map((timing) => `${timing.name} ${show(timing.build)} ${show(timing.start)}`),
            ...(timings.length > rows ? [`${timings.length - rows} more, each ${show(shown[shown.length - 1]?.total)} or less`] : [])
          ]
        }
        // the table of the summary, its columns separated by one space
        const fromSummary = (summary: string): Array<string> => {
          const [line, , ...table] = summary.split("\n")
          return [line!, ...table.map((row) => row.trim().replace(/^… /, "").split(/ {2,}/).join(" "))]
        }
        const phases: ReadonlyArray<Phase> = ["build", "initialize", "start"]
        const durations = fc.array(fc.array(fc.option(fc.constantFrom(0, 5, 5, 250, 3000), { nil: undefined }), { minLength: 3, maxLength: 3 }), {
          minLength: 1,
          maxLength: 12
        })
        const samples = fc.sample(fc.tuple(durations, fc.integer({ min: 1, max: 5 })), { numRuns: 60, seed: 11 })
        for (const [components, rows] of samples) {
          const names = components.map((_, index) => `c${index}`)
          const { record } = yield* makeRecord(...names)
          yield* TestClock.setTime(10_000)
          components.forEach((own, id) =>
            own.forEach((duration, index) => {
              if (duration === undefined) return
              record.begin(id, phases[index]!, 10_000 - duration)
              record.end(id, phases[index]!, "success")
            })
          )
          yield* TestClock.setTime(0)
          const summary = startupSummary(record, { slowAfter: 1000, rows, progress: false })
          expect(fromSummary(summary)).toEqual(fromReport(record.componentsReport(), rows))
        }
      }))

    it.effect("components the startup did not build (only a lazy handle reaches it, or it is scoped) are not counted as started nor listed: the line says how many more are built when needed", () =>
      Effect.gen(function*() {
        const log = makeLog()
        const Job = Lifetime.scope("Job")
        const registry = Registry.make(
          Component.succeed(A, "a").pipe(Component.named("reports")),
          Component.make(B, { dependencies: [Dependency.lazy(A)], build: Effect.succeed("b") }).pipe(
            Component.named("server"),
            Lifecycle.onStart(() => Effect.sleep("250 millis"))
          ),
          Component.succeed(C, "c").pipe(Component.named("perJob"), Lifetime.scoped(Job))
        )
        const fiber = yield* Effect.fork(Effect.provide(startStop(App.make(registry, { roots: [B], scopes: [Job] })), log.layer))
        yield* TestClock.adjust("250 millis")
        yield* Fiber.join(fiber)
        expect(log.lines).toEqual([
          [
            "started 1 component in 250.0ms; 2 more are built when needed (scoped, transient, or reached only by handles)",
            "  component   build    start",
            "  server     0.00ms  250.0ms"
          ].join("\n")
        ])
      }))

    it.effect("layerwise's own services a component requests are neither counted nor listed: the application's components are", () =>
      Effect.gen(function*() {
        const log = makeLog()
        const registry = Registry.make(
          Component.make(A, { dependencies: [App.Health, App.Shutdowner, App.Application], build: Effect.succeed("a") }).pipe(
            Component.named("server"),
            Lifecycle.onStart(() => Effect.sleep("250 millis"))
          )
        )
        const fiber = yield* Effect.fork(Effect.provide(startStop(App.make(registry, { roots: [A] })), log.layer))
        yield* TestClock.adjust("250 millis")
        yield* Fiber.join(fiber)
        expect(log.lines).toEqual([
          ["started 1 component in 250.0ms", "  component   build    start", "  server     0.00ms  250.0ms"].join("\n")
        ])
      }))

    it.effect("an unusable option is a defect naming it", () =>
      Effect.gen(function*() {
        const exit = yield* Effect.exit(startStop(App.make(slow, { roots: [B], startupLog: { table: -1 } })))
        expect(exit).toEqual(Exit.die(new Cause.IllegalArgumentException("layerwise App: startupLog.table must be a whole number of rows (0 or more), got -1")))
      }))
  })
})
