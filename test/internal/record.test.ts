import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Queue, TestClock } from "effect"
import { App, Errors } from "../../src/index.js"
import * as appInternal from "../../src/internal/app/app.js"
import { RunRecord } from "../../src/internal/app/record.js"
import { makeRecord, planOf } from "../helpers/run.js"

const hookFailed = (component: string, hook: string, where: string) =>
  new Errors.HookFailed({ component, path: [component], phase: "stop", hook, cause: new Error(where) })

describe("run record", () => {
  it.effect("phases begin and end with events, in order; a phase ends once; a phase that never began does not end", () =>
    Effect.gen(function*() {
      const { events, record } = yield* makeRecord("db", "api")
      record.begin(0, "build")
      yield* TestClock.adjust(5)
      record.end(0, "build", "success")
      record.end(0, "build", "failure")
      record.end(1, "start", "success")
      record.begin(1, "build")
      record.end(1, "build", "interrupted")
      expect(events).toEqual([
        { _tag: "PhaseStarted", component: "db", phase: "build" },
        { _tag: "PhaseEnded", component: "db", phase: "build", outcome: "success", duration: 5, error: undefined },
        { _tag: "PhaseStarted", component: "api", phase: "build" },
        { _tag: "PhaseEnded", component: "api", phase: "build", outcome: "interrupted", duration: 0, error: undefined }
      ])
      expect([record.ran(0, "build"), record.ran(1, "start")]).toEqual([true, false])
      expect([record.endOf(0, "build"), record.endOf(0, "start")]).toEqual([5, undefined])
    }))

  it.effect("the time of the run is milliseconds since it started, on Effect's Clock", () =>
    Effect.gen(function*() {
      yield* TestClock.adjust(1000)
      const { record } = yield* makeRecord("db")
      expect(record.startedAt).toBe(1000)
      expect(record.now()).toBe(0)
      yield* TestClock.adjust(1500)
      expect(record.now()).toBe(1500)
      record.begin(0, "start", 200)
      record.end(0, "start", "success")
      expect(record.componentsReport()[0]!.phases).toEqual([
        { phase: "start", at: 200, duration: 1300, outcome: "success", hook: null, error: null }
      ])
    }))

  it.effect("a phase's first error is noted with its hook before the phase ends, so PhaseEnded carries it; every error of the run is kept, in order", () =>
    Effect.gen(function*() {
      const { events, record } = yield* makeRecord("db", "api")
      record.begin(0, "stop")
      const first = hookFailed("db", "close", "first")
      const second = hookFailed("db", "flush", "second")
      const elsewhere = hookFailed("api", "drain", "elsewhere")
      record.fail(0, "stop", "close", "failure", first)
      record.fail(0, "stop", "flush", "defect", second)
      // an error of a phase that has no record (not begun) is an error of the run all the same
      record.fail(1, "stop", "drain", "timeout", elsewhere)
      record.end(0, "stop", "failure")
      expect(events.at(-1)).toEqual({
        _tag: "PhaseEnded",
        component: "db",
        phase: "stop",
        outcome: "failure",
        duration: 0,
        error: first.message
      })
      expect(record.errors).toEqual([first, second, elsewhere])
      expect(record.errorRecords).toEqual([
        { component: "db", phase: "stop", hook: "close", kind: "failure", message: first.message },
        { component: "db", phase: "stop", hook: "flush", kind: "defect", message: second.message },
        { component: "api", phase: "stop", hook: "drain", kind: "timeout", message: elsewhere.message }
      ])
      expect(record.componentsReport()[0]!.phases).toEqual([
        { phase: "stop", at: 0, duration: 0, outcome: "failure", hook: "close", error: first.message }
      ])
    }))

  it.effect("an App's events are made only while someone subscribes: no event thunk is called otherwise", () =>
    Effect.gen(function*() {
      const app = App.make(planOf("db")) as appInternal.AppImpl
      let made = 0
      const emit = appInternal.emitter(app.hub)
      const record = new RunRecord(planOf("db"), yield* Effect.clock, (event) =>
        emit(() => {
          made++
          return event()
        }))
      record.begin(0, "build")
      record.end(0, "build", "success")
      expect(made).toBe(0)
      const received = yield* Effect.scoped(Effect.gen(function*() {
        const subscription = yield* App.subscribe(app)
        record.begin(0, "release")
        record.end(0, "release", "success")
        return Chunk.toReadonlyArray(yield* Queue.takeAll(subscription))
      }))
      expect(made).toBe(2)
      expect(received.map((event) => event._tag === "PhaseEnded" || event._tag === "PhaseStarted" ? `${event._tag} ${event.phase}` : event._tag))
        .toEqual(["PhaseStarted release", "PhaseEnded release"])
      // the subscription ended with its scope
      record.begin(0, "dispose")
      expect(made).toBe(2)
    }))

  it.effect("the report lists each component with its ended phases in phase order, whatever order they ran in; a phase still running is left out", () =>
    Effect.gen(function*() {
      const { record } = yield* makeRecord("db", "api")
      for (const phase of ["release", "dispose", "stop", "background", "start", "initialize", "build"] as const) {
        record.begin(0, phase)
        record.end(0, phase, "success")
      }
      record.begin(1, "build")
      record.end(1, "build", "success")
      record.begin(1, "start")
      record.setState(0, "released")
      record.setState(1, "starting")
      expect(record.stateOf(1)).toBe("starting")
      const [db, api] = record.componentsReport()
      expect(db!.phases.map((phase) => phase.phase)).toEqual(["build", "initialize", "start", "background", "stop", "dispose", "release"])
      expect(db).toMatchObject({ name: "db", service: "db", startup: null, state: "released" })
      expect(api!.phases.map((phase) => `${phase.phase}:${phase.outcome}`)).toEqual(["build:success"])
      expect(api!.state).toBe("starting")
    }))
})
