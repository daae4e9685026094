import { describe, expect, it } from "@effect/vitest"
import type * as App from "../../src/App.js"
import { Errors } from "../../src/index.js"
import { Lifecycle } from "../../src/internal/app/lifecycle.js"

const states: ReadonlyArray<App.State> = ["created", "building", "starting", "started", "stopping", "stopped"]

/** A state machine walked to `path`, with the events it published. */
const walked = (...path: ReadonlyArray<App.State>) => {
  const events: Array<App.Event> = []
  const lifecycle = new Lifecycle((event) => events.push(event()))
  for (const state of path) lifecycle.transition(state)
  return { lifecycle, events }
}

describe("App's state machine", () => {
  it("starts created; a run goes created, building, starting, started, stopping, stopped, publishing each change", () => {
    const { events, lifecycle } = walked("building", "starting", "started", "stopping", "stopped")
    expect(lifecycle.state).toBe("stopped")
    expect(events).toEqual([
      { _tag: "StateChanged", from: "created", to: "building" },
      { _tag: "StateChanged", from: "building", to: "starting" },
      { _tag: "StateChanged", from: "starting", to: "started" },
      { _tag: "StateChanged", from: "started", to: "stopping" },
      { _tag: "StateChanged", from: "stopping", to: "stopped" }
    ])
    expect(new Lifecycle(() => {}).state).toBe("created")
  })

  it("a run that fails or is interrupted before it started goes straight to stopping, from any state before started", () => {
    for (const path of [[], ["building"], ["building", "starting"]] as const) {
      const { lifecycle } = walked(...path, "stopping", "stopped")
      expect(lifecycle.state).toBe("stopped")
    }
  })

  it("exactly the transitions of the machine are allowed; any other is a defect naming both states, and changes nothing", () => {
    const allowed: Record<App.State, ReadonlyArray<App.State>> = {
      created: ["building", "stopping"],
      building: ["starting", "stopping"],
      starting: ["started", "stopping"],
      started: ["stopping"],
      stopping: ["stopped"],
      stopped: []
    }
    const paths: Record<App.State, ReadonlyArray<App.State>> = {
      created: [],
      building: ["building"],
      starting: ["building", "starting"],
      started: ["building", "starting", "started"],
      stopping: ["stopping"],
      stopped: ["stopping", "stopped"]
    }
    for (const from of states) {
      for (const to of states) {
        const { events, lifecycle } = walked(...paths[from])
        const before = events.length
        if (allowed[from].includes(to)) {
          lifecycle.transition(to)
          expect(lifecycle.state).toBe(to)
        } else {
          expect(() => lifecycle.transition(to)).toThrow(`layerwise App: invalid internal transition from ${from} to ${to}`)
          expect(lifecycle.state).toBe(from)
          expect(events).toHaveLength(before)
        }
      }
    }
  })

  it("check gives InvalidState naming the operation, the state and the states allowing it; nothing when allowed", () => {
    const { lifecycle } = walked("building")
    expect(lifecycle.check("stop", ["started"])).toEqual(
      new Errors.InvalidState({ operation: "stop", state: "building", allowed: ["started"] })
    )
    expect(lifecycle.check("stop", ["started"])!.message).toBe("cannot stop the application while it is building (allowed when: started)")
    expect(lifecycle.check("report", ["building", "started"])).toBeUndefined()
  })
})
