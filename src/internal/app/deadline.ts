/**
 * The shutdown timeout (App's `shutdownTimeout`, as .NET's `HostOptions.ShutdownTimeout` and samber/do's
 * `ShutdownWithContext`): one bound over the whole shutdown, from its beginning (`stopRun`) to the end of
 * the release. It adds no wait of its own: each wait of the shutdown (background work's grace and the
 * stop timeout after it, each stop hook, the starts in flight of instances of their own, the release)
 * keeps its own timeout, capped by what is left of this one. A wait it cut short ends as its own
 * timeout would (interrupted, not awaited; the release abandoned) and says so: its `HookTimeout` or
 * `ReleaseTimeout` has `shutdownTimeout`. Once it passed nothing more begins: a stop hook not begun is
 * reported as cut off without running, background work not stopped yet is interrupted without a wait,
 * and the release, begun at once, is abandoned at its first wait.
 *
 * @internal
 */
import * as Duration from "effect/Duration"

/** @internal */
export class ShutdownDeadline {
  /** the bound as errors render it (`shutdownTimeout` of `HookTimeout` and `ReleaseTimeout`) */
  readonly text: string
  private readonly at: number

  /** `now`: milliseconds on the run's clock (`RunRecord.now`); the bound begins now. */
  constructor(timeout: Duration.Duration, private readonly now: () => number) {
    this.text = Duration.format(timeout)
    this.at = now() + Duration.toMillis(timeout)
  }

  /** Whether it passed: nothing more begins. */
  get passed(): boolean {
    return this.now() >= this.at
  }

  /** What is left of it, in milliseconds (0 once it passed). */
  left(): number {
    return Math.max(0, this.at - this.now())
  }
}

/** A wait's timeout, capped by what is left of the shutdown timeout: `cut` (the bound's text) when that is less. @internal */
export interface Capped {
  readonly timeout: Duration.Duration
  readonly cut: string | undefined
}

/** `timeout`, or what is left of `deadline` when that is less (`undefined`: no shutdown timeout, or no shutdown yet). @internal */
export const cap = (deadline: ShutdownDeadline | undefined, timeout: Duration.Duration): Capped => {
  if (deadline === undefined) return { timeout, cut: undefined }
  const left = deadline.left()
  return left < Duration.toMillis(timeout) ? { timeout: Duration.millis(left), cut: deadline.text } : { timeout, cut: undefined }
}
