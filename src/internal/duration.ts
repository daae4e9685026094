/**
 * The one reading of duration settings (timeouts): App validates with it, Explain renders with it.
 *
 * @internal
 */
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"

/** A non-negative duration, infinite included, or `undefined` when the input is not one. @internal */
export const decodeNonNegative = (input: unknown): Duration.Duration | undefined => {
  if (input === undefined) return undefined
  if (typeof input === "number") return input >= 0 ? Duration.millis(input) : undefined
  if (typeof input === "bigint") return input >= BigInt(0) ? Duration.nanos(input) : undefined
  if (typeof input === "string" && input.trimStart().startsWith("-")) return undefined
  if (Array.isArray(input) && !input.every((part) => typeof part === "number" && part >= 0)) return undefined
  return Option.getOrUndefined(Duration.decodeUnknown(input))
}

/** A finite, non-negative duration, or `undefined` when the input is not one. @internal */
export const decodeTimeout = (input: unknown): Duration.Duration | undefined => {
  const decoded = decodeNonNegative(input)
  return decoded !== undefined && Duration.isFinite(decoded) ? decoded : undefined
}

/** A setting as the user gave it, for messages. @internal */
export const describeInput = (input: unknown): string =>
  typeof input === "bigint"
    ? `${input}n`
    : Duration.isDuration(input)
    ? Duration.format(input)
    : Array.isArray(input)
    ? `[${input.join(", ")}]`
    : String(input)
