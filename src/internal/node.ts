import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Cause from "effect/Cause"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import type * as App from "../App.js"
import * as Errors from "../Errors.js"
import type * as Node from "../node.js"
import type * as Options from "../Options.js"
import * as Report from "../Report.js"
import * as appInternal from "./app/app.js"
import * as optionsRead from "./optionsRead.js"
import * as optionsProvider from "./optionsProvider.js"

/**
 * How a failed run is told, once: a layerwise error by its message (it lists every problem, each
 * naming the user's component; its stack would point into layerwise), the report having listed an
 * application's errors already when it was printed; anything else (a defect) in full.
 */
const told = (cause: Cause.Cause<unknown>, printed: boolean): Effect.Effect<void> => {
  const failure = Cause.failureOption(cause)
  if (Option.isNone(failure)) return Effect.logError(cause)
  const error = failure.value
  if (error instanceof Errors.ApplicationFailed && printed) return Effect.logError(`${error.message.split("\n")[0]!.replace(/:$/, "")} (see the report above)`)
  return Effect.logError(error instanceof Error ? error.message : String(error))
}

/**
 * Warns of the command line's flags that look like an application's option but are none (read by
 * nobody, they would leave the option at its default unsaid). Only with flags given: the application
 * is then resolved here, and run from that plan (not resolved twice); a plan that does not resolve
 * is the run's to report.
 */
const misspelled = (app: App.App<never>, argv: ReadonlyArray<string>): Effect.Effect<App.App<never>> =>
  argv.some((argument) => argument.startsWith("--") && argument !== "--help")
    ? Effect.matchEffect(appInternal.planOf(app), {
      onFailure: () => Effect.succeed(app),
      onSuccess: (plan) =>
        Effect.as(
          Effect.forEach(optionsRead.misspelledFlags(plan, argv), (message) => Effect.logWarning(message), { discard: true }),
          appInternal.withPlan(app, plan)
        )
    })
    : Effect.succeed(app)

/**
 * The help `--help` prints: the options of the application's plan. When the values the command line
 * gives leave the application without a plan (an option's value no candidate is chosen for), the
 * help of the plan it has without them (read without them too: each value and what conditions left
 * out agree), after what the command line's values made of it; when it has none either, the
 * resolution's error, told as a run's.
 */
const helpOf = (app: App.App<never>, input: Options.ProviderInput): Effect.Effect<string, Errors.ResolutionError> => {
  const help = Effect.flatMap(appInternal.planOf(app), optionsRead.help)
  return Effect.catchAll(help, (error) =>
    help.pipe(
      Effect.withConfigProvider(optionsProvider.provider({ ...input, argv: [] })),
      Effect.map((text) =>
        `With the values of the command line, the application does not resolve (the options below are those of the application without them):\n${error.message}\n\n${text}`
      ),
      Effect.orElseFail(() => error)
    ))
}

/** @internal */
export const runMain = (
  self: App.App<never> | Effect.Effect<App.App<never>, unknown, Scope.Scope>,
  options?: Node.RunMainOptions
): void => {
  const print = options?.printReport ?? true
  let printed = false
  // the exit code the report says the shutdown asked for (taken from every report, printed or not,
  // also one of a run a signal then interrupted: the first request won, and it asked for this code)
  let asked: number | undefined
  const reporting = (app: App.App<never>): App.App<never> => {
    const userReport = appInternal.optionsOf(app).onReport
    return appInternal.withOptions(app, {
      ...appInternal.optionsOf(app),
      onReport: (report) =>
        Effect.zipRight(
          Effect.sync(() => void (asked = report.exitCode)),
          Effect.zipRight(
            print ? Effect.zipRight(Console.log(Report.format(report)), Effect.sync(() => void (printed = true))) : Effect.void,
            userReport?.(report) ?? Effect.void
          )
        )
    })
  }
  // `NodeRuntime.runMain` interrupts the program on the first SIGINT / SIGTERM and stops listening.
  // This listener, added before it (so called first), makes that first signal, once the application
  // runs, the application's graceful shutdown with the signal as its reason (`App.shutdown`): the run
  // then ends as that shutdown, not interrupted (`runWith`). Before (making the App, building,
  // starting), the interruption alone ends it. It counts signals and exits at once on the second one.
  let running: App.Running<never> | undefined
  let received = 0
  const onSignal = (signal: NodeJS.Signals) => {
    received++
    if (received === 1 && running !== undefined) Effect.runSync(appInternal.shutdown(running, signal))
    if (received >= 2 && options?.forceExit !== false) {
      process.exit(options?.forceExitCode ?? (signal === "SIGTERM" ? 143 : 130))
    }
  }
  process.on("SIGINT", onSignal)
  process.on("SIGTERM", onSignal)
  // The outcome of the run as the run itself ends. A signal interrupts the main fiber, and once a
  // fiber is interrupted Effect strips the failures from a cause as it crosses an interruptible
  // frame: the fiber's exit after a graceful shutdown that failed would be "interrupted" only. So the
  // failure is told here, where it is still whole (`onExit` runs uninterruptibly), and the exit code
  // is taken from it.
  let outcome: Exit.Exit<unknown, unknown> | undefined
  // an App, or the Effect that makes it (its failure is told as the run's are)
  const made = appInternal.isApp(self) ? Effect.succeed(self) : self
  // each source the options leave out is the process's: a file given adds to the command line and the
  // environment, it does not replace them (`argv: []` reads no flags)
  const given = options?.options
  const input = { argv: given?.argv ?? process.argv.slice(2), env: given?.env ?? process.env, file: given?.file }
  const help = optionsProvider.helpRequested(input.argv ?? [])
  // the scope of the Effect that makes the App lasts as long as the run (a subscription to its events)
  // the branches' union is written out: inferred, it was the first branch's type or the other's,
  // whichever the checker had instantiated first (a program that typed `App.run` before this file)
  const run = Effect.scoped(Effect.flatMap(
    made,
    (app): Effect.Effect<unknown, Errors.ResolutionError | Errors.LifecycleError> =>
      help
        ? Effect.flatMap(helpOf(app, input), Console.log)
        : Effect.flatMap(misspelled(app, input.argv ?? []), (checked) => appInternal.runWith(reporting(checked), (handle) => void (running = handle)))
  ))
  // what the program runs in (a tracer, a logger): built first, released after the report
  const program = (options?.layer === undefined ? run : Effect.provide(run, options.layer)).pipe(
    // which also warns, when the application's options are read, of an option that keeps its default
    // while the environment or the file spells it another way (.NET's Orders__MaxLines)
    Effect.withConfigProvider(optionsProvider.warningProvider(input)),
    Effect.onExit((exit) => {
      outcome = exit
      return Exit.isFailure(exit) && !Cause.isInterruptedOnly(exit.cause) && options?.disableErrorReporting !== true
        ? told(exit.cause, printed)
        : Effect.void
    }),
    Effect.ensuring(Effect.sync(() => {
      process.removeListener("SIGINT", onSignal)
      process.removeListener("SIGTERM", onSignal)
    }))
  )
  NodeRuntime.runMain(program, {
    disableErrorReporting: true,
    disablePrettyLogger: options?.disablePrettyLogger,
    teardown: (exit, onExit) => {
      // the run's own outcome when it ended (always, unless the program never got to run): a failure
      // exits 1 whatever exit code the shutdown asked for (the failure wins); a clean run exits with
      // that code, or 0 (leaving a `process.exitCode` the program set, as Effect's runMain does)
      const ended = outcome ?? exit
      if (Exit.isFailure(ended) && !Cause.isInterruptedOnly(ended.cause)) return onExit(1)
      if (asked !== undefined) process.exitCode = asked
      onExit(asked ?? 0)
    }
  })
}
