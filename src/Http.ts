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
 * component or on the request itself: it would capture the first request's. {@link requestScope}
 * checks its scope and services against the running container when it is made, before the server
 * serves (`NotInScope`).
 *
 * **Wrap** the app: `Http.requestScope(Http.Request, [CurrentUser])` needs `Container.Container`
 * (request it among the roots, or in the dependencies of the component that serves) and gives a
 * {@link Middleware}, made where the server is made (a component's constructor, `Layer.unwrapEffect`,
 * an `HttpApiBuilder.group`'s build): `router.pipe(scoped)`. It removes the services it lists from
 * the app's requirements. Apply it last (outermost), so that the middlewares applied before it run
 * inside the request's scope and share its instances with the handlers.
 *
 * **Lifetime of a request's instances.** Each request-scoped component is built at most once per
 * request (the listed services when the request starts, the others on first use), and never shared
 * with another request. They are released, last built first, when the platform closes the request's
 * `Scope`: after the response is sent, a streamed body included (a handler's stream may use them while
 * it runs), also when the handler fails or dies, and when the client goes away mid-request (the
 * server interrupts the handler). Their finalizers get how the wrapped app ended when it failed (a
 * failure answered after the middleware, as HttpApi answers a handler's errors, included), else how
 * the request's `Scope` closed: a per-request unit of work commits or rolls back there. Release
 * failures are logged.
 *
 * **HttpApi.** `HttpApiBuilder.group` makes a handler's requirements the requirements of the group's
 * Layer, built once for the server, so a handler cannot require a request-scoped service whatever
 * wraps the whole API. Make the middleware in the group's build and wrap each handler instead:
 * `HttpApiBuilder.group(Api, "me", (handlers) => Effect.map(Http.requestScope(Http.Request,
 * [CurrentUser]), (scoped) => handlers.handle("me", () => handler.pipe(scoped, Effect.orDie))))` opens
 * the scope around that handler (one per request, as one request runs one handler); the group's Layer
 * then requires `Container.Container` and may fail with `NotInScope`, and `Effect.orDie` (or a mapping
 * to one of the endpoint's errors) handles what the middleware adds to the handler's errors
 * (`Errors.HandleError`: a failed construction, `ScopeNotOpen`, and what the running container can
 * answer, `InvalidOptions`, `ComponentShutDown`, `ContainerClosed`), none of the endpoint's declared
 * errors. A handler with errors of its own keeps them with `handler.pipe(Effect.either, scoped,
 * Effect.orDie, Effect.flatten)`. An `HttpApiMiddleware` runs outside that scope.
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
 * What {@link requestScope} gives: a middleware that runs an app (an `HttpRouter`, an `HttpApp`, one
 * handler) inside a scope of its own per request, with the listed services built in it and provided
 * to the app (they leave its requirements; the scope's inputs and the request's `Scope` join them).
 *
 * It adds `Errors.HandleError` to the app's errors. Its `ConstructionError` is `ConstructionError<unknown>`:
 * the services are tags, and the constructors behind them are the running container's components,
 * resolved at run time, so their error types are not known here. Answer it with
 * `Effect.catchTag("ConstructionError", ...)` after the middleware, narrowing its `cause` (the
 * constructor's own failure, unchanged) with `instanceof` or `Predicate.isTagged`.
 *
 * @example
 * ```ts
 * import { HttpRouter, type HttpServerRequest, HttpServerResponse } from "@effect/platform"
 * import { Context, Data, Effect } from "effect"
 * import type * as Http from "layerwise/Http"
 *
 * class CurrentUser extends Context.Tag("app/CurrentUser")<CurrentUser, { readonly name: string }>() {}
 * // what CurrentUser's request-scoped constructor fails with when the request has no user
 * class Unauthorized extends Data.TaggedError("Unauthorized")<{}> {}
 *
 * const routes = HttpRouter.empty.pipe(
 *   HttpRouter.get("/me", Effect.flatMap(CurrentUser, (user) => HttpServerResponse.text(`hello ${user.name}`)))
 * )
 *
 * // the routes with the request scope around them, once the middleware is checked and made; a constructor's
 * // Unauthorized is answered with a 401, any other construction failure with a 503
 * export const scoped = (middleware: Http.Middleware<readonly [typeof CurrentUser], HttpServerRequest.HttpServerRequest>) =>
 *   routes.pipe(
 *     middleware,
 *     Effect.catchTag("ConstructionError", (error) =>
 *       error.cause instanceof Unauthorized
 *         ? HttpServerResponse.text("who are you?", { status: 401 })
 *         : HttpServerResponse.text(`${error.component} is unavailable`, { status: 503 }))
 *   )
 * ```
 *
 * @since 0.2.0
 * @category scopes
 */
export interface Middleware<Services extends ReadonlyArray<Dependency.Any>, Inputs> {
  <A, E, R>(app: Effect.Effect<A, E, R>): Effect.Effect<
    A,
    E | Errors.HandleError,
    Exclude<R, Dependency.Identifiers<Services>> | Inputs | Scope.Scope
  >
}

/**
 * The request scope of the running container (`Container.Container`), as a {@link Middleware}:
 * apply it to an app (an `HttpRouter`, an `HttpApp`, one handler), last, so that each request runs in
 * a scope of `scope` of its own: `services` (each a service the scope provides, or one of the plan's
 * roots) are built in it and provided to the app; the scope's other components are built on first
 * use in it; all are released when the request's `Scope` closes, once the response is sent (see the
 * module's doc). The scope's inputs come from the request's context (`HttpServerRequest` for
 * {@link Request}).
 *
 * **Checked before any request.** Making it checks the scope and the services against the running
 * container: a scope the application does not declare, or a service the scope does not provide,
 * fails it with `NotInScope` (naming the scope, the services, and what the scope provides), so the
 * Layer or component that makes the server fails to build and the server never serves a route that
 * could only die. A request-scoped constructor's failure is the app's `ConstructionError`, per request.
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
 * const routes = HttpRouter.empty.pipe(
 *   HttpRouter.get("/me", Effect.flatMap(CurrentUser, (user) => HttpServerResponse.text(`hello ${user.name}`)))
 * )
 *
 * // checked when the Layer is built, before the server serves (serve it where a server is provided: NodeHttpServer.layer, ...)
 * export const ServeLive = Layer.unwrapEffect(
 *   Effect.map(Http.requestScope(Http.Request, [CurrentUser]), (scoped) => HttpServer.serve(routes.pipe(scoped)))
 * ).pipe(Layer.provide(Registry.toLayer(registry, [Container.Container], { scopes: [Http.Request] })))
 * ```
 *
 * @since 0.2.0
 * @category scopes
 */
export const requestScope: <const Services extends ReadonlyArray<Dependency.Any>, Inputs = never>(
  scope: Lifetime.ScopeName<string, Inputs>,
  services: Services
) => Effect.Effect<Middleware<Services, Inputs>, Errors.NotInScope, Container.Container> = internal.requestScope
