import type * as Condition from "../Condition.js"

/** @internal */
export const make = (description: string, test: (environment: Condition.Environment) => boolean): Condition.Condition => {
  if (typeof test !== "function") throw new TypeError(`Condition.make: "${description}" needs a predicate function`)
  return { description, test }
}

/** @internal */
export const profile = (name: string): Condition.Condition =>
  make(`profile ${name}`, (environment) => environment.profiles.has(name))

/** @internal */
export const property = (name: string, value?: string): Condition.Condition =>
  value === undefined
    ? make(`property ${name} is set`, (environment) => environment.properties[name] !== undefined)
    : make(`property ${name} = ${value}`, (environment) => environment.properties[name] === value)

/** @internal */
export const not = (self: Condition.Condition): Condition.Condition =>
  make(`not (${self.description})`, (environment) => !self.test(environment))

/** @internal */
export const and = (...conditions: ReadonlyArray<Condition.Condition>): Condition.Condition =>
  make(conditions.map((c) => `(${c.description})`).join(" and "), (environment) => conditions.every((c) => c.test(environment)))

/** @internal */
export const or = (...conditions: ReadonlyArray<Condition.Condition>): Condition.Condition =>
  make(conditions.map((c) => `(${c.description})`).join(" or "), (environment) => conditions.some((c) => c.test(environment)))

const emptyEnvironment: Condition.Environment = { profiles: new Set(), properties: {} }

/** @internal */
export const environment = (input?: Condition.EnvironmentInput): Condition.Environment =>
  input === undefined
    ? emptyEnvironment
    : { profiles: new Set(input.profiles ?? []), properties: { ...(input.properties ?? {}) } }
