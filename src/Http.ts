/**
 * The request scope of an `@effect/platform` HTTP server: each request opens a scope of a declared
 * lifetime, its handlers `yield*` request-scoped services (the current user, a per-request
 * transaction, a request logger) like any other service, and the scope is released once the response
 * is sent. `layerwise/Http` is an entry of its own: it needs `@effect/platform` (an optional peer of
 * layerwise), which the main entry `layerwise` never loads.
 *
 * **Declare** the scope: {@link Request} is `Lifetime.scope("Request", { inputs: [HttpServerRequest] })`
 * (or declare your own with the platform's request among its inputs); scope components to it
 * (`Lifetime.scoped(Http.Request)`), and give it to the application (`scopes: [Http.Request]`, in
 * `App.make` or `Registry.toLayer`). A request-scoped component requests `HttpServerRequest` like any
 * service (the rule `input`).
 *
 * **Checked at startup, not per request.** The resolver rejects, with its path and before any
 * constructor runs (so before the server listens), a singleton that depends on a request-scoped
 * component or on the request itself: it would capture the first request's.
 *
 * **Wrap** the app ({@link requestScope}): `router.pipe(Http.requestScope(Http.Request, [CurrentUser]))`.
 * The wrapper removes the services it lists from the app's requirements and adds `Container.Container`
 * (request it among the roots, or in the dependencies of the component that serves). Apply it last
 * (outermost), so that the middlewares applied before it run inside the request's scope and share its
 * instances with the handlers.
 *
 * **Lifetime of a request's instances.** Each request-scoped component is built at most once per
 * request (the listed services when the request starts, the others on first use), and never shared
 * with another request. They are released, last built first, when the platform closes the request's
 * `Scope`: after the response is sent, a streamed body included (a handler's stream may use them while
 * it runs), also when the handler fails or dies, and when the client goes away mid-request (the
 * server interrupts the handler). Release failures are logged.
 *
 * **HttpApi.** `HttpApiBuilder.group` makes a handler's requirements the requirements of the group's
 * Layer, built once for the server, so a handler cannot require a request-scoped service whatever
 * wraps the whole API. Wrap each handler instead: `handler.pipe(Http.requestScope(Http.Request,
 * [CurrentUser]), Effect.orDie)` opens the scope around that handler (one per request, as one request
 * runs one handler); the group's Layer then requires `Container.Container`, and `Effect.orDie` (or a
 * mapping to one of the endpoint's errors) handles a failed construction, which is not among the
 * endpoint's declared errors. An `HttpApiMiddleware` runs outside that scope.
 *
 * @since 0.2.0
 */
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import type * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type * as Container from "./Container.js"
import type * as Dependency from "./Dependency.js"
import type * as Errors from "./Errors.js"
import * as internal from "./internal/http.js"
import type * as Lifetime from "./Lifetime.js"

/**
 * The request scope: one per HTTP request, its input the platform's `HttpServerRequest`.
 *
 * @example
 * ```ts
 * import { HttpServerRequest } from "@effect/platform"
 * import { Context, Effect } from "effect"
 * import { Component, Lifetime } from "layerwise"
 * import * as Http from "layerwise/Http"
 *
 * class CurrentUser extends Context.Tag("app/CurrentUser")<CurrentUser, { readonly name: string }>() {}
 *
 * // built once per request, from the request's header
 * export const CurrentUserLive = Component.make(CurrentUser, {
 *   dependencies: [HttpServerRequest.HttpServerRequest],
 *   build: Effect.map(HttpServerRequest.HttpServerRequest, (request) => ({ name: request.headers["x-user"] ?? "anonymous" }))
 * }).pipe(Lifetime.scoped(Http.Request))
 * ```
 *
 * @since 0.2.0
 * @category scopes
 */
export const Request: Lifetime.ScopeName<"Request", HttpServerRequest.HttpServerRequest> = internal.Request

/**
 * Runs an app (an `HttpRouter`, an `HttpApp`, one handler) inside a scope of `scope` per request:
 * `services` (each a service the scope provides, or one of the plan's roots) are built in it and
 * provided to the app; the scope's other components are built on first use in it; all are released
 * when the request's `Scope` closes, once the response is sent (see the module's doc). The scope's
 * inputs come from the request's context (`HttpServerRequest` for {@link Request}); the container
 * from `Container.Container`.
 *
 * A scope the application does not declare, or a service it does not provide, is a defect (of every
 * request); a request-scoped constructor's failure is the app's `ConstructionError`.
 *
 * @example
 * ```ts
 * import { HttpRouter, HttpServer, HttpServerRequest, HttpServerResponse } from "@effect/platform"
 * import { Context, Effect, Layer } from "effect"
 * import { Component, Container, Lifetime, Registry } from "layerwise"
 * import * as Http from "layerwise/Http"
 *
 * class CurrentUser extends Context.Tag("app/CurrentUser")<CurrentUser, { readonly name: string }>() {}
 *
 * const registry = Registry.make(
 *   Component.make(CurrentUser, {
 *     dependencies: [HttpServerRequest.HttpServerRequest],
 *     build: Effect.map(HttpServerRequest.HttpServerRequest, (request) => ({ name: request.headers["x-user"] ?? "anonymous" }))
 *   }).pipe(Lifetime.scoped(Http.Request))
 * )
 *
 * const app = HttpRouter.empty.pipe(
 *   HttpRouter.get("/me", Effect.flatMap(CurrentUser, (user) => HttpServerResponse.text(`hello ${user.name}`))),
 *   Http.requestScope(Http.Request, [CurrentUser])
 * )
 *
 * // serve it where a server is provided (NodeHttpServer.layer, ...)
 * export const ServeLive = HttpServer.serve(app).pipe(
 *   Layer.provide(Registry.toLayer(registry, [Container.Container], { scopes: [Http.Request] }))
 * )
 * ```
 *
 * @since 0.2.0
 * @category scopes
 */
export const requestScope: <const Services extends ReadonlyArray<Dependency.Any>, Inputs = never>(
  scope: Lifetime.ScopeName<string, Inputs>,
  services: Services
) => <A, E, R>(
  effect: Effect.Effect<A, E, R>
) => Effect.Effect<
  A,
  E | Errors.HandleError,
  Exclude<R, Dependency.Identifiers<Services>> | Container.Container | Inputs | Scope.Scope
> = internal.requestScope
