import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Condition from "../Condition.js"
import type * as Registry from "../Registry.js"
import * as executor from "./executor.js"
import * as resolver from "./resolver.js"

/** @internal */
export const registryToLayer = (
  registry: Registry.Registry,
  roots: ReadonlyArray<Context.Tag<unknown, unknown>>,
  options?: { readonly concurrency?: number | "unbounded" | undefined } & Condition.EnvironmentInput
) =>
  Layer.unwrapEffect(
    Effect.map(Effect.suspend(() => resolver.resolve(registry, roots, options)), (plan) => executor.toLayer(plan, options))
  )
