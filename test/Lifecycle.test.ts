import { describe, expect, it } from "@effect/vitest"
import { Context, Duration, Effect } from "effect"
import { Component, Lifecycle, Qualifier } from "layerwise"

class Server extends Context.Tag("app/Server")<Server, { readonly port: number }>() {}

const base = Component.succeed(Server, { port: 80 })

describe("Lifecycle", () => {
  it("a component without lifecycle metadata has none, and get gives the empty lifecycle", () => {
    expect(base.lifecycle).toBeUndefined()
    expect("lifecycle" in Component.named(base, "server")).toBe(false)
    expect(Lifecycle.get(base)).toEqual(Lifecycle.empty)
    expect(Lifecycle.isStartup(base)).toBe(false)
  })

  it("startup marks a startup component with an order, 0 by default, data-first and data-last", () => {
    expect(Lifecycle.get(base.pipe(Lifecycle.startup())).startup).toBe(0)
    expect(Lifecycle.get(base.pipe(Lifecycle.startup(10))).startup).toBe(10)
    expect(Lifecycle.get(Lifecycle.startup(base, -5)).startup).toBe(-5)
    expect(Lifecycle.get(Lifecycle.startup(base)).startup).toBe(0)
    expect(Lifecycle.isStartup(Lifecycle.startup(base))).toBe(true)
  })

  it("hooks accumulate in declaration order, named after their kind and numbered from the second, or as given", () => {
    const first = () => Effect.void
    const second = () => Effect.log("second")
    const component = base.pipe(
      Lifecycle.onStart(first),
      Lifecycle.onStart(second),
      Lifecycle.onStart(first, { name: "listen" }),
      Lifecycle.onStop(first),
      Lifecycle.initializer(first),
      Lifecycle.initializer(second),
      Lifecycle.disposer(first, { name: "flush" }),
      Lifecycle.background(first)
    )
    const lifecycle = Lifecycle.get(component)
    expect(lifecycle.onStart.map((hook) => hook.name)).toEqual(["onStart", "onStart#2", "listen"])
    expect(lifecycle.onStart.map((hook) => hook.run)).toEqual([first, second, first])
    expect(lifecycle.onStop.map((hook) => hook.name)).toEqual(["onStop"])
    expect(lifecycle.initializers.map((hook) => hook.name)).toEqual(["initializer", "initializer#2"])
    expect(lifecycle.disposers.map((hook) => hook.name)).toEqual(["flush"])
    expect(lifecycle.background.map((work) => [work.name, work.onShutdown])).toEqual([["background", "interrupt"]])
  })

  it("health checks accumulate in declaration order, named healthCheck, healthCheck#2... or as given, each with its own timeout, counting for readiness only when asked", () => {
    const ping = () => Effect.void
    const component = base.pipe(
      Lifecycle.healthCheck(ping),
      Lifecycle.healthCheck(ping, { timeout: "2 seconds", readiness: true }),
      Lifecycle.healthCheck(ping, { name: "port open", timeout: 100, readiness: false })
    )
    expect(Lifecycle.get(component).healthChecks).toEqual([
      { name: "healthCheck", run: ping, timeout: undefined, readiness: false, dependencies: [] },
      { name: "healthCheck#2", run: ping, timeout: "2 seconds", readiness: true, dependencies: [] },
      { name: "port open", run: ping, timeout: 100, readiness: false, dependencies: [] }
    ])
    expect(Lifecycle.get(Lifecycle.healthCheck(base, ping, { name: "x" }))).toEqual(
      Lifecycle.get(base.pipe(Lifecycle.healthCheck(ping, { name: "x" })))
    )
    expect(Lifecycle.empty.healthChecks).toEqual([])
  })

  it("data-first and data-last forms are the same", () => {
    const run = () => Effect.void
    expect(Lifecycle.get(Lifecycle.onStop(base, run, { name: "x" }))).toEqual(
      Lifecycle.get(base.pipe(Lifecycle.onStop(run, { name: "x" })))
    )
    expect(Lifecycle.get(Lifecycle.background(base, run, { onShutdown: "signal" })).background[0]!.onShutdown).toBe("signal")
    expect(Lifecycle.get(Lifecycle.timeouts(base, { start: 5 })).timeouts).toEqual({ start: 5 })
  })

  it("timeouts merge with the ones set before", () => {
    const component = base.pipe(
      Lifecycle.timeouts({ start: "1 second", stop: "2 seconds" }),
      Lifecycle.timeouts({ stop: Duration.seconds(3), grace: 100 })
    )
    expect(Lifecycle.get(component).timeouts).toEqual({ start: "1 second", stop: Duration.seconds(3), grace: 100 })
  })

  it("lifecycle metadata survives the choice combinators, and they survive it", () => {
    const replica = Qualifier.make("replica")
    const component = base.pipe(
      Lifecycle.startup(3),
      Lifecycle.onStart(() => Effect.void),
      Component.named("server"),
      Component.qualified([replica]),
      Component.primary,
      Component.order(7),
      Lifecycle.onStop(() => Effect.void)
    )
    expect(component.name).toBe("server")
    expect(component.qualifiers).toEqual(["replica"])
    expect(component.primary).toBe(true)
    expect(component.order).toBe(7)
    const lifecycle = Lifecycle.get(component)
    expect(lifecycle.startup).toBe(3)
    expect([lifecycle.onStart.length, lifecycle.onStop.length]).toEqual([1, 1])
  })

  it("combinators return new components and leave the original unchanged", () => {
    const started = base.pipe(Lifecycle.onStart(() => Effect.void))
    const twice = started.pipe(Lifecycle.onStart(() => Effect.void))
    expect(Lifecycle.get(started).onStart).toHaveLength(1)
    expect(Lifecycle.get(twice).onStart).toHaveLength(2)
    expect(base.lifecycle).toBeUndefined()
    expect(Component.isComponent(twice)).toBe(true)
  })

  it("hooks are typed by the component's service", () => {
    // compile-time checks: a hook receives the component's service type
    const typed = base.pipe(
      Lifecycle.onStart((server) => Effect.log(server.port)),
      Lifecycle.background((server, shutdown) => Effect.zipRight(shutdown.requested, Effect.log(server.port)))
    )
    // @ts-expect-error the hook's parameter is not the component's service
    base.pipe(Lifecycle.onStart((server: { readonly url: string }) => Effect.log(server.url)))
    // @ts-expect-error a hook must return an Effect
    base.pipe(Lifecycle.onStart((server) => server.port))
    expect(Lifecycle.get(typed).onStart).toHaveLength(1)
  })
})
