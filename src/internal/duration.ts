/**
 * The one reading of duration settings (timeouts): App validates with it, Explain renders with it.
 *
 * @internal
 */
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"

/** A finite, non-negative duration, or `undefined` when the input is not one. @internal */
export const decodeTimeout = (input: unknown): Duration.Duration | undefined => {
  if (input === undefined) return undefined
  if (typeof input === "number") return Number.isFinite(input) && input >= 0 ? Duration.millis(input) : undefined
  if (typeof input === "bigint") return input >= BigInt(0) ? Duration.nanos(input) : undefined
  if (typeof input === "string" && input.trimStart().startsWith("-")) return undefined
  if (Array.isArray(input) && !input.every((part) => typeof part === "number" && Number.isFinite(part) && part >= 0)) {
    return undefined
  }
  const decoded = Duration.decodeUnknown(input)
  return Option.isSome(decoded) && Duration.isFinite(decoded.value) ? decoded.value : undefined
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
