/**
 * The renderers behind the messages of `Errors`' classes: what a message is made of, apart from the
 * classes and their documented fields.
 *
 * @internal
 */
import * as ConfigError from "effect/ConfigError"
import type * as Errors from "../Errors.js"
import { handleTargetLabel } from "./dependency.js"
import { suggest } from "./resolver/problems.js"

/** @internal */
export const formatPath = (path: Errors.DependencyPath): string => path.join(" -> ")

/** A hook as a step of a chain names it: its kind and name (`onStop "flush"`), or its default name alone (`onStop#2`). */
const hookLabel = (step: Errors.HookStep): string =>
  step.name === step.kind || step.name.startsWith(`${step.kind}#`) ? step.name : `${step.kind} "${step.name}"`

/**
 * Names as a problem's message draws them: `A -> B`, and a step a hook requested `A -[onStop "flush"]-> B` (see
 * `Errors.HookStep`).
 *
 * @internal
 */
export const formatChain = (names: ReadonlyArray<string>, hooks: ReadonlyArray<Errors.HookStep> | undefined): string => {
  if (hooks === undefined || hooks.length === 0) return formatPath(names)
  let text = names.length > 0 ? names[0]! : ""
  for (let position = 1; position < names.length; position++) {
    const step = hooks.find((hook) => hook.requester === names[position - 1])
    text += `${step === undefined ? " -> " : ` -[${hookLabel(step)}]-> `}${names[position]}`
  }
  return text
}

/**
 * What a missing name or service may have meant, as every message that suggests says it: `did you mean A or B?`,
 * closest first.
 *
 * @internal
 */
export const didYouMean = (suggestions: ReadonlyArray<string>): string => `did you mean ${suggestions.join(" or ")}?`

/** How to fix a request no component provides when nothing else explains it (after a suggestion: `If not, ...`). */
const registerOne = "register one, or declare it external if the program provides it"

/** @internal */
export const listed = (names: ReadonlyArray<string>, limit = 12): string =>
  names.length <= limit
    ? names.join(", ")
    : `${names.slice(0, limit).join(", ")}, and ${names.length - limit} more`

/** The note of a problem other family members reach alike (see `Errors.ResolutionError`): ` (also through KubeClient(us))`. @internal */
export const alsoThrough = (problem: { readonly alsoThrough?: ReadonlyArray<string> | undefined }): string =>
  problem.alsoThrough === undefined || problem.alsoThrough.length === 0 ? "" : ` (also through ${listed(problem.alsoThrough)})`

/** The services every App registers (their tags' keys, made in internal/app.ts), by their public names. */
const appServices: ReadonlyMap<string, string> = new Map([
  ["layerwise/App/Application", "App.Application"],
  ["layerwise/App/Health", "App.Health"],
  ["layerwise/App/Shutdowner", "App.Shutdowner"]
])

/** @internal */
export const missingComponent = (self: Errors.MissingComponent): string => {
    const provided = handleTargetLabel(self.request)
    const where = `${formatChain([...self.path, self.request], self.hooks)}${alsoThrough(self)}`
    const ruledOut = self.unqualified.length > 0
      ? `; candidates that do not match it: ${
        listed(self.unqualified.map((name, position) => {
          const qualifiers = self.qualifiers?.[position] ?? []
          return qualifiers.length > 0 ? `${name} (${qualifiers.join(", ")})` : name
        }))
      }`
      : ""
    const excluded = self.excluded.length > 0
      ? `; candidates excluded by their conditions: ${
        listed(self.excluded.map((candidate) => `${candidate.name} (${candidate.condition})`))
      }`
      : ""
    const family = self.family === undefined
      ? ""
      : self.family._tag === "NotRegistered"
      ? `; it is a member of family ${self.family.name}, which is not registered: add the family to the registry`
      : `; ${self.family.names.length === 1 ? "family" : "families"} ${listed(self.family.names)} ${
        self.family.names.length === 1 ? "provides" : "provide"
      } ${provided} only to requests of ${
        self.family.names.length === 1 ? "its" : "their"
      } members: request one with Family.request(family, args) or family.of(args)`
    const elsewhere = self.elsewhere === undefined
      ? ""
      : `; component ${self.elsewhere.name} exists, but it provides ${self.elsewhere.service}`
    const app = appServices.get(provided)
    const fromApp = app === undefined
      ? ""
      : `; ${app} is provided by every App made from a registry, and Registry.toLayer, Plan.toLayer and Testing.toLayer make no App: run the registry as one (App.make, then App.run, App.start or App.layer; App.plan resolves it as an App does, for Explain)`
    const close = self.suggestions.length > 0 ? `; ${didYouMean(self.suggestions)}` : ""
    // nothing else explains it: the service is nowhere in the registry (a close name may be what was meant, or not)
    const register = `${ruledOut}${excluded}${family}${elsewhere}${fromApp}` !== ""
      ? ""
      : close === ""
      ? `; ${registerOne}`
      : ` If not, ${registerOne}`
    // the services registered say nothing of a request whose service has candidates that only its
    // qualifier or name missed: those candidates are what it could have been
    const available = self.unqualified.length > 0 ? "" : ` (available: ${self.available.length > 0 ? listed(self.available) : "none"})`
    return `${where}: no component provides ${provided}${available}${ruledOut}${excluded}${family}${elsewhere}${fromApp}${close}${register}`
  }

/** @internal */
export const formatSubject = (subject: Errors.DeclarationSubject): string => {
  switch (subject._tag) {
    case "Component":
      return `component ${subject.name}`
    case "Entry":
      return `registry entry #${subject.position}`
    case "Root":
      return `root #${subject.position}`
    case "Replacement":
      return `replacement of "${subject.name}"`
    case "Override":
      return `override of ${subject.service}${subject.qualifier === undefined ? "" : `@${subject.qualifier}`}`
    case "Condition":
      return conditionText(subject.description, subject.guarded)
    case "Member":
      return `family member ${subject.name}`
  }
}

export const constructs: Record<Errors.ReplacementDescription["construct"], string> = {
  Effect: "an Effect",
  Layer: "a Layer",
  Value: "a value"
}

/** What to use instead of a value that is a Component or a Layer, by what it was given to (`ValueIsDeclaration`). */
const valueInstead = (kind: "Component" | "Layer", subject: Errors.DeclarationSubject): string => {
  switch (subject._tag) {
    case "Override":
      return kind === "Component" ? "use Testing.component" : "use Testing.layer"
    case "Replacement":
      return `use Registry.replace(registry, "${subject.name}", ${kind === "Component" ? "component" : "Component.fromLayer(tag, { layer })"})`
    default:
      return kind === "Component" ? "register the Component itself" : "build the service with it, Component.fromLayer(tag, { layer })"
  }
}

/** @internal */
export const formatIssue = (issue: Errors.DeclarationIssue, subject: Errors.DeclarationSubject): string => {
  switch (issue.code) {
    case "NotAComponent":
      return `expected a Component or a Registry, got ${issue.got}`
    case "InvalidTag":
      return `its tag must be a Context.Tag, got ${issue.got}`
    case "RequestTag":
      return `its tag is the request ${issue.request}, not a service's tag: register it under ${issue.service}`
    case "ReservedKey":
      return `its tag's key starts with "${issue.prefix}", which is reserved for layerwise's derived requests (Dependency.optional, all, qualified, named, family members): give the service a key of its own`
    case "InvalidName":
      return `its name must be a non-empty string, got ${issue.got}`
    case "InvalidOrder":
      return `its order must be a finite number, got ${issue.got}`
    case "PrimaryAndAlternative":
      return "it cannot be both primary and alternative"
    case "DependenciesNotArray":
      return "its dependencies must be an array of tags"
    case "InvalidDependency":
      return `dependency #${issue.position} must be a Context.Tag, got ${issue.got}`
    case "InvalidHookDependencies":
      return `the dependencies of its hook ${issue.hook} must be an array of Context.Tags, got ${issue.got}`
    case "UnknownScope": {
      const close = suggest(issue.scope, issue.declared)
      return `it is scoped to ${issue.scope}, which the application does not declare (declared scopes: ${
        issue.declared.length === 0 ? "none" : issue.declared.join(", ")
      }; declare it with the option scopes)${close.length > 0 ? `; ${didYouMean(close)}` : ""}`
    }
    case "LifecycleOfNonSingleton":
      return `it is ${issue.lifetime}, but has ${issue.hooks.join(", ")}: only singletons are started, stopped and health-checked (initializers and disposers run with every instance)`
    case "ScopedRoot":
      return `it is scoped to ${issue.scope}, and a root lives as long as the graph: reach it inside Lifetime.within(effect, ${issue.scope}, [...]), or make the root a Dependency.lazy request of it (used inside an open ${issue.scope})`
    case "ReloadableOfNonSingleton":
      return `${issue.requester} requests it with Dependency.reloadable, but it is ${issue.lifetime}: only a singleton has one current instance to reload (request it plainly, or with Dependency.factory for a fresh one)`
    case "InvalidQualifiers":
      return "its qualifiers must be non-empty strings"
    case "InvalidConstructor":
      return issue.expected === "Effect"
        ? `its build must be an Effect, got ${issue.got}`
        : `its layer must be a Layer, got ${issue.got}`
    case "InvalidRoot":
      return `a root must be a Context.Tag or a Dependency request, got ${issue.got}`
    case "ConditionThrew":
      return `it threw: ${issue.error}`
    case "ConfigNotRead":
      return "it reads an effect/Config that was not read before resolution: Resolver.resolve reads none (Resolver.resolveEffect, Registry.toLayer and App do), and only the Configs a condition declares are read (Condition.config, Condition.make's configs)"
    case "UnknownName": {
      const name = subject._tag === "Replacement" ? subject.name : ""
      // App's own services are no names a test replaces
      const own = issue.names.filter((candidate) => !appServices.has(candidate))
      const names = own.length > 0
        ? listed(own)
        : issue.invalid === 0
        ? "none"
        : issue.invalid === 1
        ? "none: the registry's only component is invalid"
        : `none: the registry's ${issue.invalid} components are invalid`
      const close = suggest(name, own)
      return `no component is named "${name}" (names: ${names})${close.length > 0 ? `; ${didYouMean(close)}` : ""}`
    }
    case "ReplacementService":
      return `it provides ${issue.provides}, but "${subject._tag === "Replacement" ? subject.name : ""}" provides ${issue.replaced}`
    case "ReplacedTwice":
      return `it is replaced ${issue.replacements.length} times (by ${
        issue.replacements.map((replacement) => `${replacement.name} (${constructs[replacement.construct]})`).join(", then ")
      }): replace a name once`
    case "ValueIsDeclaration":
      return `its value is a ${issue.kind}, which would be the service itself: ${valueInstead(issue.kind, subject)}`
    case "OverridesNothing": {
      const service = subject._tag === "Override" ? subject.service : ""
      const qualifier = subject._tag === "Override" ? subject.qualifier : undefined
      if (qualifier !== undefined) {
        const answers = "n override with qualifiers answers only the requests of one of them"
        return `no component of ${service} has the qualifier ${qualifier} and nothing requests ${service}@${qualifier}, so it replaces nothing${
          issue.suggestions.length > 0
            ? `; ${didYouMean(issue.suggestions)} A${answers}`
            : `: a${answers} (to replace every ${service}, give it none; to add a ${service} qualified ${qualifier}, register it with Registry.add)`
        }`
      }
      const add = "register it with Registry.add"
      return `no component provides ${service} and nothing requests it, so it replaces nothing${
        issue.suggestions.length > 0 ? `; ${didYouMean(issue.suggestions)} If it adds a service, ${add}` : `: to add a service, ${add}`
      }`
    }
    case "FamilyFunctionThrew":
      return `its ${issue.function} function threw: ${issue.error}`
    case "MemberConstructor":
      return `its family's build function must return an Effect, got ${issue.got}`
    case "UnsettledMerge":
      return "merging the arguments of its requests keeps changing its dependencies; make merge settle (idempotent and commutative)"
  }
}

/** @internal */
export const formatConfigSource = (source: Errors.ConfigSource): string => {
  switch (source._tag) {
    case "Profiles":
      return "the profiles"
    case "Properties":
      return "the properties"
    case "Property":
      return `property "${source.name}"`
    case "Condition":
      return conditionText(source.description, source.guarded)
  }
}

/** A condition in a message, with what it guards: the first few (a module's worth would drown the message). */
const conditionText = (description: string, guarded: ReadonlyArray<string> | undefined): string =>
  guarded === undefined || guarded.length === 0 ? `condition "${description}"` : `condition "${description}" (guarding ${listed(guarded, 5)})`

/** @internal */
export const invalidConfig = (self: Errors.InvalidConfig): string =>
  `the Config of ${formatConfigSource(self.source)} cannot be read: ${String(self.cause)}${configHint(self.source, self.cause)}`

/** The fix of a condition's Config that is not set: a flag the application may leave unset needs a default. @internal */
export const configHint = (source: Errors.ConfigSource, cause: ConfigError.ConfigError): string =>
  source._tag === "Condition" && ConfigError.isMissingDataOnly(cause)
    ? ": set it, or give the Config a default (Config.withDefault) for when it is not set"
    : ""

/** How an option problem's `reason` begins when another option has its flag (`shares its flag with url of kube(EU_West)`). @internal */
export const sharedFlagReason = "shares its flag with"

/**
 * An option problem's `reason` when no value was given: `missing`, with what the provider has that
 * spells the option another way when it has any (`missing (the environment has Orders__MaxLines: the
 * variable is ORDERS_MAX_LINES)`). @internal
 */
export const missingReason = (near: string | undefined): string => near === undefined ? "missing" : `missing (${near})`

const isMissing = (reason: string): boolean => reason === "missing" || reason.startsWith("missing (")

/** @internal */
export const formatOptionProblem = (problem: Errors.OptionProblem): string => {
  // no path: only conditions read the options (before resolution), which no component names
  const where = problem.path.length === 0
    ? "read by conditions: "
    : `${formatPath(problem.path)}${problem.alsoNeededBy === undefined ? "" : ` (also needed by ${listed(problem.alsoNeededBy)})`}: `
  if (problem.reason.startsWith(sharedFlagReason)) {
    const other = problem.reason.slice(sharedFlagReason.length)
    return `${where}option ${problem.key === "" ? "" : `${problem.key} of `}${problem.options} has the flag ${problem.flag} and the variable ${problem.variable} of option${other}, so neither can be set apart from the other: rename one (${
      other.endsWith(` other options named ${problem.options}`)
        ? "two Options.make of one name share their flags: give each module's options a name of its own"
        : "names and keys that differ only in case or punctuation share their flag"
    })`
  }
  if (problem.got === undefined) {
    // a missing value's from: looked for in a ConfigProvider other than Options.provider, which alone
    // reads the flag and the variable
    const state = isMissing(problem.reason) ? problem.reason : `unreadable: ${problem.reason}`
    return problem.from === undefined
      ? `${where}option ${problem.flag} (${problem.variable}) is ${state}; expected ${problem.expected}`
      : `${where}option ${problem.flag} is ${state} (looked for in ${problem.from}; the flag and ${problem.variable} are read through Options.provider, as runMain does); expected ${problem.expected}`
  }
  const reason = problem.reason === "" ? "" : `: ${problem.reason}`
  return `${where}option ${problem.flag}: expected ${problem.expected}, got ${problem.got}${
    problem.from === undefined ? "" : ` (${problem.from})`
  }${reason}`
}

/**
 * The ways out of a tie, by what tied: overrides do not replace one another (the later one does not win,
 * as a later `do.Override` would), and candidates all primary have one primary too many.
 */
const untie = (rule: string): string =>
  rule.startsWith("all overrides")
    ? "keep one override (a later override does not replace an earlier one), or mark one primary, give them different orders, or qualify them"
    : rule.includes("all primary")
    ? "leave one primary, give them different orders, or request one by qualifier or name"
    : "mark one primary, the others alternative, give them different orders, or request one by qualifier or name"

/** @internal */
export const ambiguousComponent = (self: Errors.AmbiguousComponent): string =>
  `${formatChain([...self.path, self.request], self.hooks)}${alsoThrough(self)}: ${self.candidates.length} candidates tie for ${self.request} (${
    listed(self.candidates)
  }; ${self.rule}): ${untie(self.rule)}`

/** @internal */
export const circularDependency = (self: Errors.CircularDependency): string => {
  // a step from the path to the cycle is drawn before the cycle: `Api -[onStop]-> A: circular dependency A -> B -> A`
  const into = self.path.length > 0 ? self.hooks?.find((step) => step.requester === self.path[self.path.length - 1]) : undefined
  const where = self.path.length > 0
    ? `${formatChain(self.path, self.hooks)}${into === undefined ? "" : ` -[${hookLabel(into)}]-> ${self.cycle[0]}`}: `
    : ""
  // one component: a hook of it that asks for its own service (every hook is given the instance), or
  // a decorator or composite of its own service, given itself
  const own = self.cycle.length === 2 ? self.hooks?.find((step) => step.requester === self.cycle[0]) : undefined
  const fix = own !== undefined
    ? `its ${hookLabel(own)} requests ${self.cycle[0]}'s own service, which every hook of ${self.cycle[0]} is given as its first argument: remove it from the hook's dependencies`
    : self.cycle.length === 2
    ? `${self.cycle[0]} requests its own service and is given itself: give it a tag of its own, or qualify the others and request them by qualifier (Dependency.qualified(Service, "inner"), Dependency.all(Dependency.qualified(Service, "member"))) or name`
    : "break it by moving what they share into a component of its own, or look one up at run time with Container.get (a Dependency.lazy request still counts)"
  return `${where}circular dependency ${formatChain(self.cycle, self.hooks)}${alsoThrough(self)}: ${fix}`
}

/** @internal */
export const lifetimeMismatch = (self: Errors.LifetimeMismatch): string => {
  const via = self.through.length > 0 ? ` through ${self.through.join(" -> ")} (transient)` : ""
  // the hooks of the component and of the transients that request the next one: `, in its onStop and Tx's disposer,`
  const own = (self.hooks ?? []).filter((step) => step.requester === self.component || self.through.includes(step.requester)).map((
    step
  ) => `${step.requester === self.component ? "its" : `${step.requester}'s`} ${hookLabel(step)}`)
  const inHooks = own.length > 0 ? `, in ${own.join(" and ")},` : ""
  const head = `${formatChain(self.path, self.hooks)}${alsoThrough(self)}: ${self.component} (${self.lifetime}) depends${via}${inHooks} on ${self.dependency} (${self.dependencyLifetime}), which does not live as long`
  if (self.dependencyLifetime.startsWith("input of ")) {
    return `${head}: scope ${self.component} to ${self.dependencyLifetime.slice("input of ".length)} (or a scope inside it)`
  }
  const otherwise = `or give ${self.component} a lifetime no longer than ${self.dependency}'s`
  if (self.http !== true) return `${head}: request it with Dependency.lazy or Dependency.factory (inside an open scope), ${otherwise}`
  // the scope of an HTTP request: its handlers get its instances from the request's scope, as README's "Request scope for HTTP" shows
  const scope = self.dependencyLifetime.slice("scoped(".length, -1)
  return `${head}: it lives for one HTTP request: yield* it in the handlers, wrapped with Http.requestScope(${
    scope === "Request" ? "Http.Request" : scope
  }, [${self.dependency}]), or request it with Dependency.lazy or Dependency.factory (used within a request), ${otherwise}`
}

/** @internal */
export const invalidDeclaration = (self: Errors.InvalidDeclaration): string => {
  const where = self.path.length > 0 ? `${formatPath(self.path)}: ` : ""
  return `${where}invalid ${formatSubject(self.subject)}: ${self.issues.map((issue) => formatIssue(issue, self.subject)).join("; ")}`
}

/** @internal */
export const resolutionError = (self: Errors.ResolutionError): string => {
  const count = self.problems.length
  return `${count} problem${count === 1 ? "" : "s"} resolving the graph:\n${self.problems.map((problem) => `  - ${problem.message}`).join("\n")}`
}

/**
 * A registered component the plan left out, and why (`UnknownComponent`'s message with its `leftOut`;
 * the ops endpoint's, which quotes the name as its other answers do). @internal
 */
export const notInPlan = (name: string, reason: Errors.LeftOutReason): string =>
  reason._tag === "Provided" ? `${name} is no component: ${providedText(reason)}` : `${name} is not in the plan: ${
    reason._tag === "Excluded"
      ? `its condition left it out (${reason.condition})`
      : reason._tag === "NotRequested"
      ? "nothing requests it (no root, nor a dependency of a component in the plan)"
      : reason.rule === "override"
      // an override's name says so already (`Db (override)`)
      ? `${formatPath(reason.path)} chose ${listed(reason.chosen)}, which overrides it`
      : `${formatPath(reason.path)} chose ${listed(reason.chosen)} (${reason.rule})`
  }`

/** What answers a request no component does (`LeftOutReason`'s `Provided`). */
const providedText = (provided: Extract<Errors.LeftOutReason, { readonly _tag: "Provided" }>): string => {
  switch (provided.rule) {
    case "external":
      return "the program provides it (declared external)"
    case "input":
      return `an input of the scope ${provided.scope}, provided by whoever opens it (Lifetime.within, Http.requestScope)`
    case "options":
      return "options, read from the configuration before anything is built (Options.describe(plan) gives their values)"
    case "container":
      return "the running container, which the Layer or App provides (Container.Container)"
  }
}
