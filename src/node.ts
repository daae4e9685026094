/**
 * Running an application as the main program of a Node process: `layerwise/node`.
 *
 * Its own entry, so that `import "layerwise"` loads no Node platform code (a browser, Bun or Deno
 * program uses the core alone) and `@effect/platform-node` is needed only by programs that import
 * this one. Moving from `App.runMain` (before 0.2): `import { runMain } from "layerwise/node"` and call
 * `runMain(app)` where you called `App.runMain(app)`; the options are the same.
 *
 * @since 0.2.0
 */
import type * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import type * as App from "./App.js"
import type * as Options from "./Options.js"
import * as internal from "./internal/node.js"

/**
 * Options of {@link runMain}.
 *
 * @since 0.2.0
 * @category models
 */
export interface RunMainOptions {
  /** Print the report (`Report.format`) to stdout after the shutdown (default `true`). */
  readonly printReport?: boolean | undefined
  /** Exit at once on a second SIGINT / SIGTERM (default `true`); `false`: the second signal is ignored, the shutdown goes on. */
  readonly forceExit?: boolean | undefined
  /** The exit code of that fast exit (default 130 after SIGINT, 143 after SIGTERM). */
  readonly forceExitCode?: number | undefined
  /** Do not log a failed run (the exit code still says it failed). */
  readonly disableErrorReporting?: boolean | undefined
  readonly disablePrettyLogger?: boolean | undefined
  /**
   * Where the application's options and every other Config are read (`Options.provider`): by
   * default the command line (`process.argv.slice(2)`) and the environment (`process.env`); add an
   * options file's parsed content as `file` (`{ file: JSON.parse(text) }`: the command line and the
   * environment are still read, and win over it). `argv` and `env` given replace the process's
   * (`argv: []` reads no flags, nor `--help`).
   */
  readonly options?: Options.ProviderInput | undefined
  /**
   * A Layer the whole program runs in, built before the App is made and released after the report:
   * a tracer (`NodeSdk.layer` of `@effect/opentelemetry`, so that the run's spans are exported), a
   * Logger, a log level. A Layer that fails fails the program (told once, exit code 1).
   */
  readonly layer?: Layer.Layer<never, unknown> | undefined
}

/**
 * Runs the application as the main program of a Node process (with `@effect/platform-node`'s
 * `NodeRuntime.runMain`).
 *
 * Signals: once the application runs, the first SIGINT or SIGTERM is its graceful shutdown with the
 * signal as the reason, as `App.shutdown(running, "SIGTERM")` (samber/do's `ShutdownOnSignals`): the
 * report reads `application OK (shut down: SIGTERM)`. Before it runs (while the Effect that makes
 * the App, the build or the start hooks run), the signal interrupts the startup: what started is
 * stopped, everything is released, and the report says `interrupted`. A second signal, while the
 * shutdown goes on, exits at once (code 130 after SIGINT, 143 after SIGTERM; see `forceExit`).
 *
 * The report is printed after the shutdown. The exit code is 0 after a clean shutdown, a signal's
 * included (a signal is how a supervisor asks a service to stop, and Effect's `NodeRuntime.runMain`
 * also exits 0 when a signal interrupts its program), or the one the shutdown request asked for
 * (`App.Shutdowner`'s `shutdown("nothing to migrate", { exitCode: 3 })`, the report's `exitCode`; the
 * first request wins, so a signal after it leaves it), and 1 after a failure, whatever code was asked
 * for (also when the shutdown a signal started fails). A failure is told once: the report lists an application's errors
 * (each naming its component, with the user's error in full), a resolution, settings or options error
 * is logged by its message; only a defect is logged with its stack.
 *
 * Configuration: the program reads every Config (the components' options among them) through
 * `Options.provider` over the command line and the environment (see `RunMainOptions.options`):
 * `--db-url postgres://db` and `DB_URL=postgres://db` set the same option; a flag close to an
 * option's that is none (`--db-ulr`) is warned of, with the option it looks like. With `--help` on the
 * command line, nothing runs: the help of the application's options (`Options.help`, each with the
 * value given and where it came from) is printed and the process exits with code 0 (values of the
 * command line that leave the application without a plan: why, then the help of its plan without
 * them; no plan without them either: the resolution error, exit code 1).
 *
 * It takes the App, or an Effect that makes it (reading `effect/Config` first, for instance): that
 * Effect runs as part of the main program (a signal interrupts it too), and its failure is told
 * once, like the others (a `ConfigError` by its message), with exit code 1. Its Scope lasts as long
 * as the run: subscribe to the App's events there (`App.subscribe`, then a fiber forked in that
 * scope taking from the queue) to see them from the build on (the last, `stopped`, is published as
 * the run ends, and may be left in the queue). The App may not leave
 * requirements to the outside (`App<R, never>`): provide them first with `App.provide`.
 *
 * @example
 * ```ts
 * import { Config, Context, Effect, Queue } from "effect"
 * import { App, Component, Lifecycle, Registry } from "layerwise"
 * import { runMain } from "layerwise/node"
 *
 * class Ticker extends Context.Tag("app/Ticker")<Ticker, void>() {}
 *
 * const registry = Registry.make(
 *   Component.succeed(Ticker, undefined).pipe(
 *     Lifecycle.startup(),
 *     Lifecycle.background(() => Effect.forever(Effect.zipRight(Effect.log("tick"), Effect.sleep("1 second"))))
 *   )
 * )
 * if (process.argv.includes("--run")) runMain(App.make(registry))
 * // or made from the environment: PROFILES=a,b
 * const fromEnvironment = Effect.map(Config.array(Config.string(), "PROFILES"), (profiles) => App.make(registry, { profiles }))
 * if (process.argv.includes("--run-configured")) runMain(fromEnvironment)
 * // every lifecycle event logged, from the first
 * const logged = Effect.gen(function*() {
 *   const app = App.make(registry)
 *   const events = yield* App.subscribe(app)
 *   yield* Effect.forkScoped(Effect.forever(Effect.flatMap(Queue.take(events), (event) => Effect.log(event._tag))))
 *   return app
 * })
 * if (process.argv.includes("--run-logged")) runMain(logged)
 * ```
 *
 * @since 0.2.0
 * @category running
 */
export const runMain: {
  <R>(self: App.App<R>, options?: RunMainOptions): void
  <R, E>(self: Effect.Effect<App.App<R>, E, Scope.Scope>, options?: RunMainOptions): void
} = internal.runMain
