/**
 * `Errors`' resolution and declaration errors: the problems the resolver collects into a `ResolutionError`
 * (missing, ambiguous, circular, lifetime mismatch, duplicate name, invalid declaration, unreadable Config) and
 * the models their fields use.
 *
 * The public side of these errors: what `Errors` re-exports (`export *`), with the documentation and examples
 * that test/Docs.test.ts type-checks as those of the public modules. The classes are in `./errors.ts`.
 *
 * @internal
 */
import * as internal from "./errors.js"
import type { Constructor } from "./errors.js"

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
 * Names are listed in order (alphabetical whatever their case, then by code unit: `jsonPlugin`
 * before `Plugin`; not registration order, so messages do not change with the order modules were
 * composed in); suggestions closest first, then in name order. The message renders the fields in this
 * order; the parts of empty fields are left out, and `available` is said only when the service has
 * no candidate at all (one whose qualifier or name missed lists its candidates instead):
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
 * // "Api -> Sender@urgnet: no component provides Sender@urgnet; candidates that do not match it: email (bulk), push, sms (urgent); did you mean urgent?"
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
