/**
 * The request scope of an HTTP server: a lifetime's scope opened around each request's Effect and
 * released with the platform's request Scope.
 *
 * @internal
 */
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type * as Container from "../Container.js"
import type * as Dependency from "../Dependency.js"
import type * as Errors from "../Errors.js"
import type * as Lifetime from "../Lifetime.js"
import * as container from "./container.js"
import * as lifetime from "./lifetime.js"

/** @internal */
export const Request = lifetime.scope("Request", { inputs: [HttpServerRequest.HttpServerRequest] })

/**
 * Opens `scope` around `effect` as `Lifetime.within` does, but hands the release of its instances to
 * the Scope in the caller's context (the request's, which the server closes once the response, a
 * streamed body included, is sent, or the request is abandoned), not to the end of `effect`.
 *
 * @internal
 */
export const requestScope = <const Services extends ReadonlyArray<Dependency.Any>, Inputs = never>(
  scope: Lifetime.ScopeName<string, Inputs>,
  services: Services
) =>
<A, E, R>(
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, E | Errors.HandleError, Exclude<R, Dependency.Identifiers<Services>> | Container.Container | Inputs | Scope.Scope> =>
  Effect.flatMap(
    Effect.all([container.Tag, Effect.scope]),
    ([running, owner]) => container.within(container.fromService(running), scope.name, services, effect, owner)
  ) as Effect.Effect<A, E | Errors.HandleError, Exclude<R, Dependency.Identifiers<Services>> | Container.Container | Inputs | Scope.Scope>
