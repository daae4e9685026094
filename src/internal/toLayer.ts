import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as Layer from "effect/Layer"
import type * as Dependency from "../Dependency.js"
import type * as Errors from "../Errors.js"
import type * as Registry from "../Registry.js"
import * as executor from "./executor.js"
import * as registryInternal from "./registry.js"
import * as resolver from "./resolver.js"

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
  ) => Layer.Layer<Dependency.Identifiers<Roots>, Errors.ResolutionError | Errors.BuildError<E>, Dependency.Identifiers<External>>
  <E, const Roots extends ReadonlyArray<Dependency.Any>, const External extends ReadonlyArray<Dependency.Any> = readonly []>(
    self: Registry.Registry<E>,
    roots: Roots,
    options?: Registry.LayerOptions<External>
  ): Layer.Layer<Dependency.Identifiers<Roots>, Errors.ResolutionError | Errors.BuildError<E>, Dependency.Identifiers<External>>
} = dual(
  (args) => registryInternal.isRegistry(args[0]),
  <E, const Roots extends ReadonlyArray<Dependency.Any>, const External extends ReadonlyArray<Dependency.Any>>(
    self: Registry.Registry<E>,
    roots: Roots,
    options?: Registry.LayerOptions<External>
  ): Layer.Layer<Dependency.Identifiers<Roots>, Errors.ResolutionError | Errors.BuildError<E>, Dependency.Identifiers<External>> =>
    Layer.unwrapEffect(Effect.map(resolver.resolveEffect(self, roots, options), (plan) => executor.toLayer(plan, options)))
)
