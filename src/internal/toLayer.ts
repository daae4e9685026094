import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as Layer from "effect/Layer"
import * as Scope from "effect/Scope"
import type * as Dependency from "../Dependency.js"
import type * as Errors from "../Errors.js"
import type * as Plan from "../Plan.js"
import type * as Registry from "../Registry.js"
import * as container from "./container.js"
import * as lookup from "./container/lookup.js"
import * as executor from "./executor.js"
import * as optionsRead from "./optionsRead.js"
import * as observe from "./observe.js"
import * as registryInternal from "./registry.js"
import * as resolver from "./resolver.js"

/** What a registry's Layer provides, fails with and needs. */
type RegistryLayer<E, Roots extends ReadonlyArray<Dependency.Any>, External extends ReadonlyArray<Dependency.Any>> = Layer.Layer<
  Dependency.Identifiers<Roots>,
  Errors.ResolutionError | Errors.InvalidOptions | Errors.BuildError<E>,
  Dependency.Identifiers<External>
>

/**
 * A registry's Layer: resolution when the Layer is built, then the plan's Layer. Here rather than in
 * internal/registry.ts: the registry is below the resolver and the executor, this is the one place
 * that goes forward from it to both (what `Registry.toLayer` offers for convenience).
 *
 * @internal
 */
export const registryToLayer: {
  <const Roots extends ReadonlyArray<Dependency.Any>, const External extends ReadonlyArray<Dependency.Any> = readonly []>(
    roots: Roots,
    options?: Registry.LayerOptions<External>
  ): <E>(
    self: Registry.Registry<E>
  ) => RegistryLayer<E, Roots, External>
  <E, const Roots extends ReadonlyArray<Dependency.Any>, const External extends ReadonlyArray<Dependency.Any> = readonly []>(
    self: Registry.Registry<E>,
    roots: Roots,
    options?: Registry.LayerOptions<External>
  ): RegistryLayer<E, Roots, External>
} = dual(
  (args) => registryInternal.isRegistry(args[0]),
  <E, const Roots extends ReadonlyArray<Dependency.Any>, const External extends ReadonlyArray<Dependency.Any>>(
    self: Registry.Registry<E>,
    roots: Roots,
    options?: Registry.LayerOptions<External>
  ): RegistryLayer<E, Roots, External> =>
    Layer.unwrapEffect(Effect.map(resolver.resolveEffect(self, roots, options), (plan) => planToLayer(plan, options)))
)

/**
 * The plan's Layer. A failed (or interrupted) build is released before the Layer fails, and its
 * release failures are added to its cause: the build's own failure stays the error, whatever the
 * program's MemoMap does with the Layer's scope afterwards. The plan's options are read and validated
 * before the build starts (nothing is built when one is invalid). An unusable `concurrency` makes the Layer
 * die when it is built (a programming error, not a failure of the build).
 *
 * @internal
 */
export const planToLayer = <Roots, E, R>(
  plan: Plan.Plan<Roots, E, R>,
  options?: Plan.LayerOptions
): Layer.Layer<Roots, Errors.BuildError<E> | Errors.InvalidOptions, R> => {
  const problem = executor.concurrencyProblem(options?.concurrency)
  if (problem !== undefined) {
    return Layer.dieSync(() => new Cause.IllegalArgumentException(`layerwise Plan.toLayer: ${problem}`))
  }
  return Layer.scopedContext(
    Effect.uninterruptibleMask((restore) =>
      Effect.gen(function*() {
        const spans = yield* observe.layerSpans(plan, options?.spans)
        // the options, all read and valid before anything is built, are services the build starts from
        const self = yield* optionsRead.provideTo(plan, executor.makeBuild(plan, { concurrency: options?.concurrency }))
        const dynamic = container.attach(self)
        if (dynamic !== undefined && spans !== undefined) dynamic.instanceSpans = true
        // `Scope.addFinalizerExit`, not `Effect.addFinalizer`: the latter would undo the FiberRef
        // changes the releases make (a `Layer.locallyScoped` restoring its FiberRef).
        // the container's children and lookups are released first: what they built depends on the graph's
        yield* Scope.addFinalizerExit(yield* Effect.scope, (exit) =>
          Effect.flatMap(
            Effect.zip(lookup.closeRoot(dynamic, exit), observe.releasing(spans, executor.release(self, exit, observe.releaseSteps(spans)))),
            ([fromLookups, failures]) =>
              fromLookups === undefined && failures === undefined
                ? Effect.void
                : Effect.failCause(fromLookups === undefined ? failures! : failures === undefined ? fromLookups : Cause.sequential(fromLookups, failures))
          )
        )
        const built = yield* Effect.exit(restore(observe.building(spans, executor.buildAll(self, observe.nodeTasks(spans, self, executor.plainTask(self))))))
        if (built._tag === "Failure") {
          const fromLookups = yield* lookup.closeRoot(dynamic, built)
          const released = yield* observe.releasing(spans, executor.release(self, built, observe.releaseSteps(spans)))
          const failures = fromLookups === undefined ? released : released === undefined ? fromLookups : Cause.sequential(fromLookups, released)
          // the constructors' errors are the plan's `E` (the resolver typed the plan from them)
          const cause = built.cause as Cause.Cause<Errors.BuildError<E>>
          return yield* Effect.failCause(failures === undefined ? cause : Cause.sequential(cause, failures))
        }
        yield* self.views.applyAll(plan.nodes.length)
        return dynamic === undefined ? executor.rootContext(plan, self.values, self.outside) : yield* container.rootContext<Roots>(dynamic)
      })
    )
  ) as Layer.Layer<Roots, Errors.BuildError<E> | Errors.InvalidOptions, R>
}
