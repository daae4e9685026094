/**
 * The typed errors of layerwise, as data.
 *
 * Every expected failure is a `Data.TaggedError` with structured, serialisable fields and a `message`
 * computed from them (the fields are the contract; the message renders them). Resolution never stops at
 * the first problem: the resolver collects every {@link Problem} it finds and fails once with a
 * {@link ResolutionError} listing them all, each with the dependency path from the root that needed it.
 *
 * The errors that wrap a failure of user code (`ConstructionError`, `ReleaseError`, `HookFailed`) keep it
 * unchanged as their `cause` and render it in their message on one line, with its details: a tagged error
 * by its tag, its fields and its message, then its `cause`, followed link by link (`DbDown { host: "db1",
 * port: 5432 }: caused by Error: connect ECONNREFUSED 127.0.0.1:5432`); an Error by its name and message,
 * then its `cause`; an Effect `Cause` by its failures and defects; a `Redacted` value as `<redacted>`. The
 * rendering is bounded (400 characters per string, 20 entries per object or list, 6 levels of nesting,
 * 2,000 characters in all), safe with cycles, and never throws (a getter that throws is rendered as what
 * it threw). The run's report, App's events and the health reports show the same rendering.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as internal from "./internal/errors.js"

/**
 * An error class's constructor, typed by its public interface (`export interface X extends
 * internal.X {}`), so that what a user's emitted declarations say of it is `Errors.X`, never the
 * internal class (the package's exports do not reach `layerwise/internal/*`).
 */
type Constructor<C extends abstract new(args: never) => unknown, I> = new(args: ConstructorParameters<C>[0]) => I

/**
 * A dependency path from a requested root to the place a problem was found, as display names:
 * `["Api", "UserRepo", "Database"]`.
 *
 * @since 0.1.0
 * @category models
 */
export type DependencyPath = ReadonlyArray<string>

/**
 * Renders a dependency path the way every message in layerwise shows it: `Api -> UserRepo -> Database`.
 *
 * @example
 * ```ts
 * import { Errors } from "layerwise"
 *
 * console.log(Errors.formatPath(["Api", "UserRepo", "Database"])) // "Api -> UserRepo -> Database"
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const formatPath = (path: DependencyPath): string => path.join(" -> ")

/**
 * A candidate a condition of its registry left out (`Registry.when`): `name` is its name (explicit, its
 * tag's key, or a family's), `condition` the description of the condition that excluded it (several,
 * joined with `and`, when nested guards were false; `config BETA, which could not be evaluated`).
 *
 * @example
 * ```ts
 * import { Errors } from "layerwise"
 *
 * const excluded: Errors.ExcludedCandidate = { name: "StorageS3", condition: "profile prod" }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface ExcludedCandidate {
  readonly name: string
  readonly condition: string
}

/**
 * Why a request that involves a component family found nothing:
 *
 * - `NotRegistered`: the request is for a member of family `name`, which the registry does not
 *   register (add the family to the registry);
 * - `MembersOnly`: the request is a plain one of a service that registered families (`names`) provide
 *   only to requests of their members (`Family.request(family, args)` or `family.of(args)`).
 *
 * @example
 * ```ts
 * import { Errors } from "layerwise"
 *
 * const unregistered: Errors.FamilyHint = { _tag: "NotRegistered", name: "KubeClient" }
 * const membersOnly: Errors.FamilyHint = { _tag: "MembersOnly", names: ["KubeClient"] }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type FamilyHint =
  | { readonly _tag: "NotRegistered"; readonly name: string }
  | { readonly _tag: "MembersOnly"; readonly names: ReadonlyArray<string> }

/**
 * A component that has the name a named request asked for, but provides another service than the
 * request's: `Dependency.named(Database, "store")` where `store` is a `Cache`.
 *
 * @example
 * ```ts
 * import { Errors } from "layerwise"
 *
 * const elsewhere: Errors.NamedElsewhere = { name: "store", service: "Cache" }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface NamedElsewhere {
  readonly name: string
  readonly service: string
}

/**
 * A step of a problem's chain of names (its path, then its request, cycle, or transients and dependency) that a hook
 * of the requester requested, not its constructor: a start or stop hook, initializer, disposer, background work or
 * health check that declares `dependencies` (they are resolved like the constructor's). `requester` is the component
 * whose hook it is, by its name in the chain (the step is its request of the next name); `kind` the hook's
 * combinator, `name` its name (`flush`, or the default: `onStop`, `onStop#2`). Messages draw the step
 * `A -[onStop "flush"]-> B`. A field of the problems (`hooks`), as which request reached a name is the resolver's
 * knowledge, not the names'; `path` stays a list of names for programs that read it, and a longer path (a child
 * container's lookup) keeps the steps.
 *
 * @example
 * ```ts
 * import { Errors } from "layerwise"
 *
 * const problem = new Errors.MissingComponent({
 *   path: ["Api", "Cache"], request: "Metrics", available: ["Api", "Cache"], suggestions: [], unqualified: [], excluded: [],
 *   hooks: [{ requester: "Cache", kind: "onStop", name: "flush" }]
 * })
 * console.log(problem.message) // "Api -> Cache -[onStop \"flush\"]-> Metrics: no component provides Metrics ..."
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface HookStep {
  readonly requester: string
  readonly kind: "initializer" | "onStart" | "onStop" | "disposer" | "background" | "healthCheck"
  readonly name: string
}

/**
 * No component provides what a request asked for.
 *
 * `available` lists the services the registry does provide (layerwise's own left out) and `suggestions` what the
 * request may have meant: the services whose names are close to a missing service's, or, for a qualified (named)
 * request, its candidates' qualifiers (names) close to its own. `unqualified` lists the candidates of the service
 * that the request ruled out: those without its qualifier or name, or, for a plain request, qualified overrides (they
 * serve only requests for their qualifier); `qualifiers`, present when any of them has some, their qualifiers, at the
 * same positions. `excluded`: the candidates that would have matched but a condition left out (`Registry.when`).
 * `family`, when present, says how the request missed a component family (see {@link FamilyHint}); `elsewhere`, the
 * component with the name a named request asked for, of another service; `alsoThrough`, the other family members that
 * reach the problem alike (see {@link ResolutionError}); `hooks`, the steps a hook requested (see {@link HookStep}).
 *
 * Names are listed in order (code unit order, not registration order: messages do not change with the
 * order modules were composed in); suggestions closest first, then in name order. The message renders
 * the fields in this order; the parts of empty fields are left out:
 *
 * `<path> -> <request> (also through <alsoThrough>): no component provides <request> (available: <available>)`
 * `; candidates that do not match it: <unqualified>` (each with its qualifiers: `sms (urgent)`)
 * `; candidates excluded by their conditions: <name> (<condition>), ...`
 * `; <what the family hint says>`
 * `; component <name> exists, but it provides <service>`
 * `; did you mean <suggestions>?`
 * `; register one, or declare it external if the program provides it` (when none of the above is said; after the suggestions as ` If not, register one, ...`)
 *
 * @example
 * ```ts
 * import { Errors } from "layerwise"
 *
 * const problem = new Errors.MissingComponent({
 *   path: ["Api", "UserRepo"], request: "Database", available: ["Cache", "Logger"], suggestions: [], unqualified: [], excluded: []
 * })
 * console.log(problem.message)
 * // "Api -> UserRepo -> Database: no component provides Database (available: Cache, Logger); register one, or declare it external if the program provides it"
 *
 * const excluded = new Errors.MissingComponent({
 *   path: ["Api"], request: "Storage", available: ["Api"], suggestions: [], unqualified: [],
 *   excluded: [{ name: "StorageS3", condition: "profile prod" }]
 * })
 * console.log(excluded.message)
 * // "Api -> Storage: no component provides Storage (available: Api); candidates excluded by their conditions: StorageS3 (profile prod)"
 *
 * const misspelt = new Errors.MissingComponent({
 *   path: ["Api"], request: "Sender@urgnet", available: ["Api", "Sender"], suggestions: ["urgent"],
 *   unqualified: ["email", "push", "sms"], qualifiers: [["bulk"], [], ["urgent"]], excluded: []
 * })
 * console.log(misspelt.message)
 * // "Api -> Sender@urgnet: no component provides Sender@urgnet (available: Api, Sender); candidates that do not match it: email (bulk), push, sms (urgent); did you mean urgent?"
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export const MissingComponent: Constructor<typeof internal.MissingComponent, MissingComponent> = internal.MissingComponent
export interface MissingComponent extends internal.MissingComponent {}

/**
 * A single-valued request matched several candidates that tie under the choice rules
 * (override > primary > not alternative > lowest order). `alsoThrough`: see {@link ResolutionError}; `hooks`: see
 * {@link HookStep}.
 *
 * @example
 * ```ts
 * import { Errors } from "layerwise"
 *
 * const problem = new Errors.AmbiguousComponent({
 *   path: ["Api"], request: "Database", candidates: ["Postgres", "Sqlite"], rule: "equal order 0, neither primary"
 * })
 * console.log(problem.message)
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export const AmbiguousComponent: Constructor<typeof internal.AmbiguousComponent, AmbiguousComponent> = internal.AmbiguousComponent
export interface AmbiguousComponent extends internal.AmbiguousComponent {}

/**
 * The dependency graph has a cycle. `cycle` is the full cycle, starting and ending with the same
 * component: `["A", "B", "C", "A"]`. `alsoThrough`: see {@link ResolutionError}; `hooks`: see {@link HookStep} (a step
 * from the path's last name to the cycle's first is drawn before the cycle: `Api -[onStop]-> A: circular dependency A -> ...`).
 *
 * @example
 * ```ts
 * import { Errors } from "layerwise"
 *
 * const problem = new Errors.CircularDependency({ path: ["Api"], cycle: ["A", "B", "A"] })
 * console.log(problem.message) // "Api: circular dependency A -> B -> A: break it ..."
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export const CircularDependency: Constructor<typeof internal.CircularDependency, CircularDependency> = internal.CircularDependency
export interface CircularDependency extends internal.CircularDependency {}

/**
 * A component outlives what it depends on: a singleton depends directly on a component scoped to a request, an outer
 * scope's component on an inner scope's. It would keep that instance after its scope closed (a released transaction,
 * the first request's user). `path` ends with the dependent; a transient in between lives as long as its requester,
 * so `through` names the transients the dependency is reached by. `alsoThrough`: see {@link ResolutionError}; `hooks`:
 * see {@link HookStep} (the message says the hooks of the component and of the transients: `depends, in its onStop
 * "flush", on`). `http`: the scope is one `Http.requestScope` serves (its inputs have `HttpServerRequest`): the hint says so.
 *
 * @example
 * ```ts
 * import { Errors } from "layerwise"
 *
 * const problem = new Errors.LifetimeMismatch({
 *   path: ["Api", "Sessions"],
 *   component: "Sessions",
 *   lifetime: "singleton",
 *   dependency: "CurrentUser",
 *   dependencyLifetime: "scoped(Request)",
 *   through: []
 * })
 * console.log(problem.message)
 * // "Api -> Sessions: Sessions (singleton) depends on CurrentUser (scoped(Request)), which does not live as long: request it with Dependency.lazy or Dependency.factory (inside an open scope), or give Sessions a lifetime no longer than CurrentUser's"
 * ```
 *
 * @since 0.2.0
 * @category errors
 */
export const LifetimeMismatch: Constructor<typeof internal.LifetimeMismatch, LifetimeMismatch> = internal.LifetimeMismatch
export interface LifetimeMismatch extends internal.LifetimeMismatch {}

/**
 * Two components of a registry were given the same explicit name (or two registered families the
 * same name, or a family member the name of a component).
 *
 * @example
 * ```ts
 * import { Errors } from "layerwise"
 *
 * const problem = new Errors.DuplicateName({ name: "db", services: ["Database", "Cache"] })
 * console.log(problem.message)
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export const DuplicateName: Constructor<typeof internal.DuplicateName, DuplicateName> = internal.DuplicateName
export interface DuplicateName extends internal.DuplicateName {}

/**
 * What an {@link InvalidDeclaration} is about:
 *
 * - `Component`: a registered component, by its name (its explicit name or its tag's key; `#<n>`,
 *   its position among the registry's components, when it has no valid tag);
 * - `Entry`: a registry item that is not a component at all, by its position (from 1);
 * - `Root`: a requested root, by its position (from 1);
 * - `Replacement`: a replacement by name (`Registry.replace`, `Testing.named`), by the name it replaces;
 * - `Override`: an override (`Registry.override`, `Testing.value`, ...), by the key of the service it overrides
 *   (and the qualifier in question, for one with qualifiers);
 * - `Condition`: a condition of `Registry.when`, by its description, with what it guards (as {@link ConfigSource}'s);
 * - `Member`: a member of a component family, by its name (`family(key)`).
 *
 * @example
 * ```ts
 * import { Errors } from "layerwise"
 *
 * const subject: Errors.DeclarationSubject = { _tag: "Replacement", name: "auditDb" }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type DeclarationSubject =
  | { readonly _tag: "Component"; readonly name: string }
  | { readonly _tag: "Entry"; readonly position: number }
  | { readonly _tag: "Root"; readonly position: number }
  | { readonly _tag: "Replacement"; readonly name: string }
  | { readonly _tag: "Override"; readonly service: string; readonly qualifier?: string | undefined }
  | { readonly _tag: "Condition"; readonly description: string; readonly guarded?: ReadonlyArray<string> | undefined }
  | { readonly _tag: "Member"; readonly name: string }

/**
 * A replacement of a name, as {@link DeclarationIssue} `ReplacedTwice` lists it: the replacing
 * component's name (its explicit name or its tag's key) and how it builds.
 *
 * @since 0.1.0
 * @category models
 */
export interface ReplacementDescription {
  readonly name: string
  readonly construct: "Effect" | "Layer" | "Value"
}

/**
 * One way a declaration is malformed, as data: a `code` and the fields that code needs (values that
 * are not data, such as what was given instead of a tag, are rendered with `String`).
 *
 * - `NotAComponent`: a registry item is neither a component, a family nor a registry;
 * - `InvalidTag`: a component's tag is not a `Context.Tag`;
 * - `RequestTag`: a component is registered under a request's tag (`Dependency.optional`, `all`,
 *   `qualified`, `named`, a family member) instead of its service's tag;
 * - `ReservedKey`: a component's tag's key starts with the prefix reserved for derived requests;
 * - `InvalidName`, `InvalidOrder`, `InvalidQualifiers`: malformed metadata;
 * - `PrimaryAndAlternative`: a component is both;
 * - `UnknownScope`: a component is scoped to a scope the application does not declare (one the roots
 *   reach, or any whose scope's name is close to a declared one's: the message suggests it);
 * - `LifecycleOfNonSingleton`: a transient or scoped component has start or stop hooks, background
 *   work, health checks or a startup order;
 * - `ScopedRoot`: a root of the graph is scoped (only an open scope has its instances);
 * - `ReloadableOfNonSingleton`: a `Dependency.reloadable` request of a transient or scoped component;
 * - `DependenciesNotArray`, `InvalidDependency` (`position` from 1): malformed dependencies;
 * - `InvalidConstructor`: `Component.make`'s `build` is not an Effect, or `Component.fromLayer`'s
 *   `layer` (the `Default` of `Component.fromService`'s class) not a Layer;
 * - `InvalidRoot`: a root is not a tag;
 * - `ConditionThrew`: a condition threw while evaluated;
 * - `ConfigNotRead`: a condition reads an `effect/Config` that was not read before resolution (the
 *   pure `Resolver.resolve` reads none; the others read the Configs conditions declare);
 * - `UnknownName`: a replacement names no component (`names`: the registry's component names, or the
 *   close members of a misspelt member's family; `invalid`: how many of its components are invalid);
 * - `ReplacementService`: a replacement provides another service than the component it replaces;
 * - `ReplacedTwice`: a name is replaced more than once, by these replacements in registration order;
 * - `OverridesNothing`: no component provides the overridden service and nothing requests it (`suggestions`: close services),
 *   or, for the subject's `qualifier`, none of the service has it and nothing requests it so (close qualifiers);
 * - `FamilyFunctionThrew`: a family's `dependencies`, `merge` or `build` function threw for a member;
 * - `MemberConstructor`: a family's `build` function returned something other than an Effect;
 * - `UnsettledMerge`: merging a member's arguments keeps changing its dependencies;
 * - `ValueIsDeclaration`: the value of `Component.succeed` (or of an override, `Testing.value`, or of
 *   a replacement, `Testing.named`) is a Component or a Layer, which would be the service itself.
 *
 * @example
 * ```ts
 * import { Errors } from "layerwise"
 *
 * const issue: Errors.DeclarationIssue = { code: "InvalidOrder", got: "NaN" }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type DeclarationIssue =
  | { readonly code: "NotAComponent"; readonly got: string }
  | { readonly code: "InvalidTag"; readonly got: string }
  | { readonly code: "RequestTag"; readonly request: string; readonly service: string }
  | { readonly code: "ReservedKey"; readonly prefix: string }
  | { readonly code: "InvalidName"; readonly got: string }
  | { readonly code: "InvalidOrder"; readonly got: string }
  | { readonly code: "PrimaryAndAlternative" }
  | { readonly code: "DependenciesNotArray" }
  | { readonly code: "InvalidDependency"; readonly position: number; readonly got: string }
  | { readonly code: "InvalidHookDependencies"; readonly hook: string; readonly got: string }
  | { readonly code: "UnknownScope"; readonly scope: string; readonly declared: ReadonlyArray<string> }
  | { readonly code: "LifecycleOfNonSingleton"; readonly lifetime: string; readonly hooks: ReadonlyArray<string> }
  | { readonly code: "ScopedRoot"; readonly scope: string }
  | { readonly code: "ReloadableOfNonSingleton"; readonly lifetime: string; readonly requester: string }
  | { readonly code: "InvalidQualifiers" }
  | { readonly code: "InvalidConstructor"; readonly expected: "Effect" | "Layer"; readonly got: string }
  | { readonly code: "InvalidRoot"; readonly got: string }
  | { readonly code: "ConditionThrew"; readonly error: string }
  | { readonly code: "ConfigNotRead" }
  | { readonly code: "UnknownName"; readonly names: ReadonlyArray<string>; readonly invalid: number }
  | { readonly code: "ReplacementService"; readonly provides: string; readonly replaced: string }
  | { readonly code: "ReplacedTwice"; readonly replacements: ReadonlyArray<ReplacementDescription> }
  | { readonly code: "OverridesNothing"; readonly suggestions: ReadonlyArray<string> }
  | { readonly code: "FamilyFunctionThrew"; readonly function: "dependencies" | "merge" | "build"; readonly error: string }
  | { readonly code: "MemberConstructor"; readonly got: string }
  | { readonly code: "UnsettledMerge" }
  | { readonly code: "ValueIsDeclaration"; readonly kind: "Component" | "Layer" }

/**
 * A registration or a request that is malformed in a way types could not catch (a non-finite order, a build that is
 * not an Effect, ...). `subject` says what was malformed ({@link DeclarationSubject}), `issues` every way it is
 * ({@link DeclarationIssue}, which lists them all; one problem per subject, however many issues it has).
 *
 * @example
 * ```ts
 * import { Errors } from "layerwise"
 *
 * const problem = new Errors.InvalidDeclaration({
 *   path: [],
 *   subject: { _tag: "Component", name: "Database" },
 *   issues: [{ code: "InvalidOrder", got: "NaN" }]
 * })
 * console.log(problem.message) // "invalid component Database: its order must be a finite number, got NaN"
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export const InvalidDeclaration: Constructor<typeof internal.InvalidDeclaration, InvalidDeclaration> = internal.InvalidDeclaration
export interface InvalidDeclaration extends internal.InvalidDeclaration {}

/**
 * What read an `effect/Config` for the resolution: the `profiles` or `properties` option (one
 * property, when the properties are given one Config each), or a condition, by its description, with
 * what it guards (`guarded`, present when the resolver reports it): the names of the components and
 * families it would have let in or kept out (explicit, else their tag's key), in registration order, each once.
 *
 * @example
 * ```ts
 * import { Errors } from "layerwise"
 *
 * const source: Errors.ConfigSource = { _tag: "Condition", description: "config FEATURE_X" }
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export type ConfigSource =
  | { readonly _tag: "Profiles" }
  | { readonly _tag: "Properties" }
  | { readonly _tag: "Property"; readonly name: string }
  | { readonly _tag: "Condition"; readonly description: string; readonly guarded?: ReadonlyArray<string> | undefined }

/**
 * An `effect/Config` the resolution needs could not be read with the current `ConfigProvider` (missing or invalid
 * data): the environment's profiles or properties given as Configs, or a condition's (`Condition.config`), when a guard
 * reaches it. `cause` is Effect's `ConfigError`. Every such Config is reported, each once, with the other problems; a
 * condition's says what the condition guards (the first five names; all in `source.guarded`).
 *
 * @example
 * ```ts
 * import { ConfigError } from "effect"
 * import { Errors } from "layerwise"
 *
 * const problem = new Errors.InvalidConfig({
 *   source: { _tag: "Condition", description: "config FEATURE_X", guarded: ["FeatureX"] },
 *   cause: ConfigError.MissingData(["FEATURE_X"], "Expected FEATURE_X to exist in the process context")
 * })
 * console.log(problem.message)
 * // the Config of condition "config FEATURE_X" (guarding FeatureX) cannot be read: (Missing data at FEATURE_X: "Expected FEATURE_X to exist in the process context"): set it, ...
 * ```
 *
 * @since 0.2.0
 * @category errors
 */
export const InvalidConfig: Constructor<typeof internal.InvalidConfig, InvalidConfig> = internal.InvalidConfig
export interface InvalidConfig extends internal.InvalidConfig {}

/**
 * One problem found by the resolver.
 *
 * @since 0.1.0
 * @category errors
 */
export type Problem =
  | MissingComponent
  | AmbiguousComponent
  | CircularDependency
  | DuplicateName
  | InvalidDeclaration
  | LifetimeMismatch
  | InvalidConfig

/**
 * Resolution failed: every problem the resolver found, at once. Nothing was built. A problem several members of a
 * family reach alike (equal but for the member in its path, cycle or component) is listed once, the first, with
 * `alsoThrough`: the others' members, in order (`Api -> Client(eu) -> Db (also through Client(us)): ...`).
 *
 * @example
 * ```ts
 * import { Context, Either } from "effect"
 * import { Registry, Resolver } from "layerwise"
 *
 * class Database extends Context.Tag("app/Database")<Database, { readonly query: string }>() {}
 *
 * const result = Resolver.resolve(Registry.empty, [Database])
 * if (Either.isLeft(result)) {
 *   console.log(result.left.message)
 *   // "1 problem resolving the graph:\n  - app/Database: no component provides app/Database (available: none); register one, or declare it external if the program provides it"
 * }
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export const ResolutionError: Constructor<typeof internal.ResolutionError, ResolutionError> = internal.ResolutionError
export interface ResolutionError extends internal.ResolutionError {}

/**
 * A component's constructor failed (or died, or interrupted itself: `cause` is then an `InterruptedException`
 * naming the fibers) while the graph was built; what was built was released, dependents first, before this
 * error surfaced. `path`: from a root to the component. `cause` is the constructor's own failure, unchanged and
 * typed: a plan's Layer fails with `ConstructionError<E>`, `E` the union of its constructors' errors. A
 * constructor that died is a defect: the error is in the cause's defects, `cause` what it died with. Built by a
 * lookup or a handle, a component whose initializer failed has that `HookFailed` as `cause`, and its message.
 *
 * @example
 * ```ts
 * import { Data } from "effect"
 * import { Errors } from "layerwise"
 *
 * const error = new Errors.ConstructionError({ component: "Database", path: ["Api", "Database"], cause: new Error("refused") })
 * console.log(error.message) // "Api -> Database: constructor of Database failed: Error: refused"
 *
 * class DbDown extends Data.TaggedError("DbDown")<{ readonly host: string; readonly cause: unknown }> {}
 * const cause = new DbDown({ host: "db1", cause: new Error("connect ECONNREFUSED 127.0.0.1:5432") })
 * const down = new Errors.ConstructionError({ component: "Database", path: ["Database"], cause })
 * console.log(down.message)
 * // "Database: constructor of Database failed: DbDown { host: \"db1\" }: caused by Error: connect ECONNREFUSED 127.0.0.1:5432"
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class ConstructionError<out E = unknown> extends Data.TaggedError("ConstructionError")<{
  readonly component: string
  readonly path: DependencyPath
  readonly cause: E
}> {
  override get message(): string {
    return internal.constructionErrorMessage(this)
  }
}

/**
 * Releasing a component failed (a finalizer, or a disposer of an instance of its own, failed or died;
 * several: `cause` is their Cause). A defect when the scope closes; the others are still released.
 *
 * @example
 * ```ts
 * import { Errors } from "layerwise"
 *
 * const error = new Errors.ReleaseError({ component: "Database", path: ["Api", "Database"], cause: new Error("socket closed") })
 * console.log(error.message) // "Api -> Database: releasing Database failed: Error: socket closed"
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export const ReleaseError: Constructor<typeof internal.ReleaseError, ReleaseError> = internal.ReleaseError
export interface ReleaseError extends internal.ReleaseError {}

/**
 * An application's release (after the stop hooks, each component's disposers and constructor's
 * finalizers), or a `Container.shutDown` under App, did not complete within the release timeout:
 * `component` was being released (its disposers or finalizers: the report's phase in flight says which).
 * The wait ends; the components not released yet (among them what `component` depends on, which must
 * outlive it: its release goes on in the background) are left unreleased. `building`: the release was still
 * waiting for `component`'s build in flight (a lookup's, a handle's), before releasing anything;
 * `using`: for a use in flight of its instance (a reloadable handle's `use`), before releasing it.
 * `shutDown`: a shutdown's, whose release goes on without its caller (the message says so). `shutdownTimeout`: App's cut it off.
 *
 * @example
 * ```ts
 * import { Errors } from "layerwise"
 *
 * const error = new Errors.ReleaseTimeout({ component: "Database", path: ["Api", "Database"], timeout: "15s" })
 * console.log(error.message)
 * // "Api -> Database: releasing Database did not complete within 15s; the components not released yet were left unreleased"
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export const ReleaseTimeout: Constructor<typeof internal.ReleaseTimeout, ReleaseTimeout> = internal.ReleaseTimeout
export interface ReleaseTimeout extends internal.ReleaseTimeout {}

/**
 * A component scoped to a scope was needed (through a handle, or a scope's own request) where no
 * scope of that name is open (for a lazy handle: nor the one it was made in). Nothing was built for it.
 * `closing`: the scope was open, but its close had begun (a fiber that outlived it asked): neither a
 * scoped component nor a transient the scope would own is built, or given, there any more.
 *
 * @example
 * ```ts
 * import { Errors } from "layerwise"
 *
 * const error = new Errors.ScopeNotOpen({ component: "CurrentUser", scope: "Request", path: ["Admin", "CurrentUser"] })
 * console.log(error.message)
 * // "Admin -> CurrentUser: CurrentUser is scoped to Request, and no Request scope is open here (open one
 * // with Lifetime.within; an HTTP server opens one per request with Http.requestScope)"
 * ```
 *
 * @since 0.2.0
 * @category errors
 */
export const ScopeNotOpen: Constructor<typeof internal.ScopeNotOpen, ScopeNotOpen> = internal.ScopeNotOpen
export interface ScopeNotOpen extends internal.ScopeNotOpen {}

/**
 * A request scope (`Http.requestScope`) lists `services` its scope does not provide (its components, in
 * `provides`, and the plan's roots), or names a scope the application does not declare (`declared`: the
 * scopes it declares). Found against the running container, before any request is served.
 *
 * @example
 * ```ts
 * import { Errors } from "layerwise"
 *
 * const error = new Errors.NotInScope({ scope: "Request", services: ["Audit"], provides: ["CurrentUser", "Tx"], declared: ["Request"] })
 * console.log(error.message) // "the scope Request does not provide Audit (it provides: CurrentUser, Tx; and the plan's roots): list only ..."
 * ```
 *
 * @since 0.2.0
 * @category errors
 */
export const NotInScope: Constructor<typeof internal.NotInScope, NotInScope> = internal.NotInScope
export interface NotInScope extends internal.NotInScope {}

/**
 * What using a handle (`Dependency.lazy`, `factory`, `reloadable`'s `reload`) can fail with: its component's construction,
 * no open scope for a scoped one, and, for a handle a run-time container gave (`Container.get`, a child's components),
 * what reaching an instance another container holds meets: options unreadable there, the component shut down, that
 * container closed; any handle used once its own container's release began builds nothing and fails with `ContainerClosed`.
 * Its request was resolved when it was given: a resolution failing or a lookup cycle behind it dies.
 *
 * @since 0.2.0
 * @category errors
 */
export type HandleError = ConstructionError | ScopeNotOpen | InvalidOptions | ComponentShutDown | ContainerClosed

/**
 * Why a plan left out a registered component ({@link UnknownComponent}'s `leftOut`): a false condition (`Excluded`), a request
 * that chose others (`NotChosen`), no request (`NotRequested`); or what answers a request no component does (`Provided`).
 *
 * @example
 * ```ts
 * import { Errors } from "layerwise"
 *
 * const notChosen: Errors.LeftOutReason = { _tag: "NotChosen", path: ["Api", "Db"], chosen: ["Pg"], rule: "primary" }
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export type LeftOutReason =
  | { readonly _tag: "Excluded"; readonly condition: string }
  | { readonly _tag: "NotChosen"; readonly path: DependencyPath; readonly chosen: ReadonlyArray<string>; readonly rule: string }
  | { readonly _tag: "NotRequested" }
  | { readonly _tag: "Provided"; readonly rule: "external" | "input" | "options" | "container"; readonly scope?: string | undefined }

/**
 * A component was asked for by a name (or a request, by its label) the plan has no component for: `suggestions`
 * are its close names; `leftOut` (Explain) says why the plan left out a registered component of that name, or what
 * answers a request no component does ({@link LeftOutReason}); `members` (Explain): the components a request resolved to.
 *
 * @example
 * ```ts
 * import { Errors } from "layerwise"
 *
 * const error = new Errors.UnknownComponent({ name: "mian", suggestions: ["main"] })
 * console.log(error.message) // "no component is named mian (did you mean main?)"
 * const lost = new Errors.UnknownComponent({ name: "Sqlite", suggestions: [], leftOut: { _tag: "NotChosen", path: ["Api", "Db"], chosen: ["Pg"], rule: "primary" } })
 * console.log(lost.message) // "Sqlite is not in the plan: Api -> Db chose Pg (primary)"
 * ```
 *
 * @since 0.2.0
 * @category errors
 */
export const UnknownComponent: Constructor<typeof internal.UnknownComponent, UnknownComponent> = internal.UnknownComponent
export interface UnknownComponent extends internal.UnknownComponent {}

// ---------------------------------------------------------------------------------------------
// Container errors (run-time lookups, child containers)

/**
 * A run-time lookup (`Container.get`) that closes a cycle: a constructor a lookup started looked up
 * (directly or through others) what that lookup was building. `path` lists the lookups in progress,
 * outermost first, each followed by the components built for it down to the one whose constructor
 * made the next lookup, then the lookup that closed the cycle (it fails at once: nothing waits).
 *
 * @example
 * ```ts
 * import { Errors } from "layerwise"
 *
 * const error = new Errors.CircularLookup({ path: ["Plugins", "Registry", "Plugins"] })
 * console.log(error.message)
 * // "Plugins -> Registry -> Plugins: a run-time lookup closes a cycle (a constructor looks up what is being built for it)"
 * ```
 *
 * @since 0.2.0
 * @category errors
 */
export const CircularLookup: Constructor<typeof internal.CircularLookup, CircularLookup> = internal.CircularLookup
export interface CircularLookup extends internal.CircularLookup {}

/**
 * A container that is closing or closed was asked to look something up or to open a child; `container`: its path (`[]`: the root).
 * A handle's `reload` then fails so too, and its `use` or `get` of a released instance dies with it (`operation`: `use`, `get`).
 * Under App, a singleton of a container's own built as the application's stop began is not started: `stopping` is set then.
 *
 * @example
 * ```ts
 * import { Errors } from "layerwise"
 *
 * const error = new Errors.ContainerClosed({ container: ["tenant-a"], operation: "child" })
 * console.log(error.message) // "the container tenant-a is closed: child is not possible"
 * ```
 *
 * @since 0.2.0
 * @category errors
 */
export const ContainerClosed: Constructor<typeof internal.ContainerClosed, ContainerClosed> = internal.ContainerClosed
export interface ContainerClosed extends internal.ContainerClosed {}

/**
 * A child container was opened with a name one of its open siblings already has.
 *
 * @example
 * ```ts
 * import { Errors } from "layerwise"
 *
 * const error = new Errors.DuplicateChild({ parent: [], name: "tenant-a", siblings: ["tenant-a", "tenant-b"] })
 * console.log(error.message) // "the container root already has a child named tenant-a (its children: tenant-a, tenant-b)"
 * ```
 *
 * @since 0.2.0
 * @category errors
 */
export const DuplicateChild: Constructor<typeof internal.DuplicateChild, DuplicateChild> = internal.DuplicateChild
export interface DuplicateChild extends internal.DuplicateChild {}

/**
 * A component that was shut down (`Container.shutDown`) in a container: a lookup that needs it (the
 * component itself, or anything depending on it) fails so, as does shutting it down again.
 * `container` is the container's path from the root (`[]` for the root); `path` the requests from
 * the lookup to the component (`[]` when it was asked to shut down again).
 *
 * @example
 * ```ts
 * import { Errors } from "layerwise"
 *
 * const error = new Errors.ComponentShutDown({ container: [], component: "Db", path: ["Api", "Db"] })
 * console.log(error.message) // "Api -> Db: Db was shut down in the container root"
 * ```
 *
 * @since 0.2.0
 * @category errors
 */
export const ComponentShutDown: Constructor<typeof internal.ComponentShutDown, ComponentShutDown> = internal.ComponentShutDown
export interface ComponentShutDown extends internal.ComponentShutDown {}

/**
 * What a run-time lookup (`Container.get`) can fail with: the request does not resolve (every problem, with its path, as at
 * startup), a lookup cycle, or what a handle can ({@link HandleError}: options, construction, scope, shutdown, a closed container).
 *
 * @since 0.2.0
 * @category errors
 */
export type LookupError = ResolutionError | CircularLookup | HandleError

/**
 * What shutting down a component (`Container.shutDown`) can fail with: no component of that name
 * (or request) runs in the container, it was shut down already, the container is closed, releases
 * failed (a `ReleaseError` per component, in release order, once every release was tried), or, under
 * App, the shutdown did not end within the release timeout (a `ReleaseTimeout` naming what it waited for).
 *
 * @since 0.2.0
 * @category errors
 */
export type ShutDownError = UnknownComponent | ComponentShutDown | ContainerClosed | ReleaseError | ReleaseTimeout

/**
 * The errors of building a resolved plan whose constructors fail with `E`.
 *
 * @since 0.1.0
 * @category errors
 */
export type BuildError<E = unknown> = ConstructionError<E>

/**
 * One option that could not be given to its component (see `Options`): missing, not what its schema expects, or unreadable.
 * - `path`: the dependency path to the first component that requests the options (empty: only a condition reads them);
 *   `alsoNeededBy`, present when there are any: the other components that cannot be built without them (that request
 *   them too, or depend on one that does, directly or not), in plan order;
 * - `options`: the options' name (`db`; a family member's `kube(eu)`), `key` the option's (`url`; empty for options with one value);
 * - `flag`, `variable`: the flag and the environment variable that set it (`--db-url`, `DB_URL`);
 * - `expected`: what its schema decodes (`string`, `int`, `"memory" | "file"`);
 * - `got`: the value given, as given (`undefined`: none); a secret's is `<redacted>`, never the value;
 * - `from`: where the value given came from (`flag --db-url`, `environment variable DB_URL`, `file key db.url`); a
 *   value another provider than `Options.provider` read, or looked for, where (`the ConfigProvider at db.url`);
 * - `reason`: `missing`, what the schema said of the value, why it could not be read, or `shares its flag with url of kube(eu.west)`.
 *
 * @example
 * ```ts
 * import type { Errors } from "layerwise"
 *
 * export const problem: Errors.OptionProblem = {
 *   path: ["Api", "Database"], options: "db", key: "url", flag: "--db-url", variable: "DB_URL",
 *   expected: "string", got: undefined, from: undefined, reason: "missing"
 * }
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface OptionProblem {
  readonly path: DependencyPath
  readonly alsoNeededBy?: ReadonlyArray<string> | undefined
  readonly options: string
  readonly key: string
  readonly flag: string
  readonly variable: string
  readonly expected: string
  readonly got: string | undefined
  readonly from: string | undefined
  readonly reason: string
}

/**
 * The options of a plan could not all be read (see `Options`): every option missing, invalid or unreadable, at once.
 * They are read before any constructor runs, so nothing was built. A problem is told once, however many need it.
 *
 * @example
 * ```ts
 * import { Errors } from "layerwise"
 *
 * const error = new Errors.InvalidOptions({
 *   problems: [
 *     { path: ["Db"], options: "db", key: "url", flag: "--db-url", variable: "DB_URL", expected: "string", got: undefined, from: undefined, reason: "missing" },
 *     {
 *       path: ["Db"], options: "db", key: "poolSize", flag: "--db-pool-size", variable: "DB_POOL_SIZE", expected: "int",
 *       got: "\"ten\"", from: "environment variable DB_POOL_SIZE", reason: "Unable to decode \"ten\" into a number"
 *     }
 *   ]
 * })
 * console.log(error.message)
 * // 2 invalid options:
 * //   - Db: option --db-url (DB_URL) is missing; expected string
 * //   - Db: option --db-pool-size: expected int, got "ten" (environment variable DB_POOL_SIZE): Unable to decode "ten" into a number
 * ```
 *
 * @since 0.2.0
 * @category errors
 */
export const InvalidOptions: Constructor<typeof internal.InvalidOptions, InvalidOptions> = internal.InvalidOptions
export interface InvalidOptions extends internal.InvalidOptions {}

// ---------------------------------------------------------------------------------------------
// Lifecycle errors (App, Lifecycle)

/**
 * The lifecycle phases a hook runs in.
 *
 * @since 0.1.0
 * @category models
 */
export type HookPhase = "initialize" | "start" | "background" | "stop" | "dispose"

/**
 * Lifecycle settings that cannot be run: a negative or non-finite timeout, a non-finite startup
 * order, a hook that is not a function. Checked before anything is built; `problems` lists every one
 * found, each with its subject (`application` or `component Db`).
 *
 * @example
 * ```ts
 * import { Errors } from "layerwise"
 *
 * const error = new Errors.InvalidLifecycle({
 *   problems: [{ subject: "component Db", reason: "its stop timeout must be a finite, non-negative duration, got -1" }]
 * })
 * console.log(error.message)
 * // "1 invalid lifecycle setting:\n  - component Db: its stop timeout must be a finite, non-negative duration, got -1"
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export const InvalidLifecycle: Constructor<typeof internal.InvalidLifecycle, InvalidLifecycle> = internal.InvalidLifecycle
export interface InvalidLifecycle extends internal.InvalidLifecycle {}

/**
 * A lifecycle hook of a component failed (or died): an initializer, a start or stop hook, a disposer,
 * or background work while the application ran. `hook` is its name (`onStart#2`, or the one given);
 * the message names it by kind: `start hook #2 of Server`, `background work drain of Server`.
 *
 * @example
 * ```ts
 * import { Errors } from "layerwise"
 *
 * const error = new Errors.HookFailed({
 *   component: "Server", path: ["Server"], phase: "start", hook: "onStart", cause: new Error("port in use")
 * })
 * console.log(error.message) // "Server: start hook of Server failed: Error: port in use"
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export const HookFailed: Constructor<typeof internal.HookFailed, HookFailed> = internal.HookFailed
export interface HookFailed extends internal.HookFailed {}

/**
 * A component's lifecycle hook did not complete within `timeout` (rendered): interrupted, not awaited; the lifecycle
 * went on. `overrun`: the stop timeout that background work handling the shutdown signal overran once interrupted.
 * `shutdownTimeout`: App's `shutdownTimeout` cut it off first (this error, not one of its own: the report shows it on
 * the hook's phase as its own timeout would, and the message names what to raise; `ReleaseTimeout` likewise).
 *
 * @example
 * ```ts
 * import { Errors } from "layerwise"
 *
 * const error = new Errors.HookTimeout({ component: "Server", path: ["Server"], phase: "stop", hook: "onStop", timeout: "5s" })
 * console.log(error.message) // "Server: stop hook of Server did not complete within 5s (the stop timeout: ...)"
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export const HookTimeout: Constructor<typeof internal.HookTimeout, HookTimeout> = internal.HookTimeout
export interface HookTimeout extends internal.HookTimeout {}

/**
 * An operation was asked of a running application in a state that does not allow it (stopping an
 * application that is already stopping or stopped). `state` is the state it was in.
 *
 * @example
 * ```ts
 * import { Errors } from "layerwise"
 *
 * const error = new Errors.InvalidState({ operation: "stop", state: "stopped", allowed: ["started"] })
 * console.log(error.message) // "cannot stop the application while it is stopped (allowed when: started)"
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export const InvalidState: Constructor<typeof internal.InvalidState, InvalidState> = internal.InvalidState
export interface InvalidState extends internal.InvalidState {}

/**
 * One error of an application run: a constructor, a hook, or a release.
 *
 * @since 0.1.0
 * @category errors
 */
export type RunError = ConstructionError | ReleaseError | ReleaseTimeout | HookFailed | HookTimeout

/**
 * An application run failed. By the time this error surfaces everything that started was stopped and
 * everything that was built was released. `reason` is what ended the run badly first:
 *
 * - `build`: a constructor or an initializer failed; nothing was started;
 * - `start`: a start hook failed or timed out; what had started was stopped, in reverse order;
 * - `background`: background work failed while the application ran; the application shut down;
 * - `stop`: the run itself went well, but a stop hook, a disposer, background work or a release
 *   failed or timed out during the shutdown.
 *
 * `errors` lists every error of the run in the order they happened, `report` the whole run (see `Report`).
 *
 * @example
 * ```ts
 * import { Errors } from "layerwise"
 *
 * const failed = (error: Errors.ApplicationFailed) => `${error.reason}: ${error.errors.length} errors`
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export const ApplicationFailed: Constructor<typeof internal.ApplicationFailed, ApplicationFailed> = internal.ApplicationFailed
export interface ApplicationFailed extends internal.ApplicationFailed {}

/**
 * The errors of running an application, once it resolved.
 *
 * @since 0.1.0
 * @category errors
 */
export type LifecycleError = InvalidLifecycle | InvalidOptions | ApplicationFailed | InvalidState

