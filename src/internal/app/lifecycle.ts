/**
 * The application's state machine, with named states (as fx's `internal/lifecycle`):
 *
 *     created -> building -> starting -> started -> stopping -> stopped
 *
 * A failed build or start goes straight to `stopping`. Every transition is checked: an internal
 * transition that is not allowed is a defect (a bug of layerwise); an operation a user asks in a state
 * that does not allow it fails with `InvalidState`, naming the state.
 *
 * @internal
 */
import type * as App from "../../App.js"
import * as Errors from "../../Errors.js"

const transitions: Record<App.State, ReadonlyArray<App.State>> = {
  created: ["building", "stopping"],
  building: ["starting", "stopping"],
  starting: ["started", "stopping"],
  started: ["stopping"],
  stopping: ["stopped"],
  stopped: []
}

/** @internal */
export class Lifecycle {
  state: App.State = "created"

  constructor(private readonly emit: (event: () => App.Event) => void) {}

  transition(to: App.State): void {
    const from = this.state
    if (!transitions[from].includes(to)) throw new Error(`layerwise App: invalid internal transition from ${from} to ${to}`)
    this.state = to
    this.emit(() => ({ _tag: "StateChanged", from, to }))
  }

  /** `InvalidState` when `operation` is asked in a state it does not allow. */
  check(operation: string, allowed: ReadonlyArray<App.State>): Errors.InvalidState | undefined {
    return allowed.includes(this.state) ? undefined : new Errors.InvalidState({ operation, state: this.state, allowed })
  }
}
