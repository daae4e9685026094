/**
 * Renders an arbitrary failure value (an Error, a tagged error, any value) as one line for a
 * message, without throwing: the one rendering of causes in errors (`Errors`) and health reports.
 *
 * @internal
 */
export const describeValue = (value: unknown): string => {
  if (value instanceof Error) return value.message.length > 0 ? `${value.name}: ${value.message}` : value.name
  if (typeof value === "object" && value !== null) {
    const tag = "_tag" in value ? String(value._tag) : undefined
    const message = "message" in value && typeof value.message === "string" && value.message.length > 0
      ? value.message
      : undefined
    if (tag !== undefined || message !== undefined) return [tag, message].filter((part) => part !== undefined).join(": ")
    try {
      return JSON.stringify(value)
    } catch {
      return String(value)
    }
  }
  return String(value)
}
