/**
 * layerwise: dependency injection and component lifecycle for Effect.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as App from "./App.js"
/** @since 0.1.0 */
export * as Component from "./Component.js"
/** @since 0.1.0 */
export * as Condition from "./Condition.js"
/** @since 0.2.0 */
export * as Container from "./Container.js"
/** @since 0.1.0 */
export * as Dependency from "./Dependency.js"
/** @since 0.1.0 */
export * as Errors from "./Errors.js"
/** @since 0.1.0 */
export * as Explain from "./Explain.js"
/** @since 0.1.0 */
export * as Family from "./Family.js"
/** @since 0.1.0 */
export * as Health from "./Health.js"
/** @since 0.1.0 */
export * as Instances from "./Instances.js"
/** @since 0.1.0 */
export * as Lifecycle from "./Lifecycle.js"
/** @since 0.2.0 */
export * as Lifetime from "./Lifetime.js"
/** @since 0.2.0 */
export * as Observability from "./Observability.js"
/** @since 0.2.0 */
export * as Options from "./Options.js"
/** @since 0.1.0 */
export * as Plan from "./Plan.js"
/** @since 0.1.0 */
export * as Qualifier from "./Qualifier.js"
/** @since 0.1.0 */
export * as Registry from "./Registry.js"
/** @since 0.1.0 */
export * as Report from "./Report.js"
/** @since 0.1.0 */
export * as Resolver from "./Resolver.js"
/** @since 0.1.0 */
export * as Testing from "./Testing.js"
