/**
 * The request scope of an HTTP server: a lifetime's scope opened around each request's Effect and
 * released with the platform's request Scope.
 *
 * `requestScope` checks what it is asked for against the running container once, when it is made
 * (the scope is declared, each service is one the scope provides or a root of the plan), and fails
 * with `NotInScope` then; the middleware it gives holds that container and opens the scope per
 * request, where the same requests can no longer be wrong.
 *
 * @internal
 */
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Container from "../Container.js"
import type * as Dependency from "../Dependency.js"
import * as Errors from "../Errors.js"
import type * as Http from "../Http.js"
import type * as Lifetime from "../Lifetime.js"
import * as container from "./container.js"
import * as scopes from "./container/within.js"
import * as lifetime from "./lifetime.js"

/** @internal */
export const Request = lifetime.scope("Request", { inputs: [HttpServerRequest.HttpServerRequest] })

/**
 * Checks the scope and services against the running container, then gives the middleware: it opens
 * `scope` around each request's Effect as `Lifetime.within` does, but hands the release of its
 * instances to the Scope in the request's context (which the server closes once the response, a
 * streamed body included, is sent, or the request is abandoned), not to the end of the Effect.
 *
 * @internal
 */
export const requestScope = <const Services extends ReadonlyArray<Dependency.Any>, Inputs = never>(
  scope: Lifetime.ScopeName<string, Inputs>,
  services: Services
): Effect.Effect<Http.Middleware<Services, Inputs>, Errors.NotInScope, Container.Container> =>
  Effect.flatMap(container.Tag, (service) => {
    const running = container.fromService(service)
    const edges = scopes.scopeEdges(running.plan, scope.name, services)
    if (Either.isLeft(edges)) return Effect.fail(edges.left)
    // checked once, here: each request opens the scope with what was found
    const middleware = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
      Effect.flatMap(Effect.scope, (owner) => scopes.withinEdges(running, scope.name, edges.right, effect, owner))
    return Effect.succeed(middleware as Http.Middleware<Services, Inputs>)
  })
