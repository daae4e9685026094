/**
 * The one rendering of failure values (the `cause` of layerwise's errors, a health check's failure):
 * bounded, cycle-safe, and never throwing, whatever the value is.
 *
 * What a value renders as:
 *
 * - an error (an `Error`, or any object with a string `_tag`) as its tag (or its name), its fields,
 *   its message, then its `cause`, followed link by link:
 *   `DbDown { host: "db1", port: 5432 }: caused by Error: connect ECONNREFUSED 127.0.0.1:5432`.
 *   The fields are its own enumerable properties but `_tag`, `name`, `message`, `stack`, `cause`
 *   (and a field holding the cause itself). They are left out when they are already said: by a
 *   message its class computes (a `message` getter renders what it wants shown, as in layerwise's
 *   own errors and `Schema.TaggedError`'s default message), or by the message of an untagged `Error`
 *   (Node's system errors repeat their `code`, `syscall` and address in it). The cause is left out
 *   when the message already contains its rendering (layerwise's errors render their cause);
 * - an Effect `Cause` (and a failed `Exit`) as its failures and defects (`A and B`), or
 *   `interrupted` when it has none. Not `Cause.pretty`: it prints stack traces into Effect's
 *   internals, a paragraph per reason, and renders a tagged error without a message as
 *   `DbDown: An error has occurred`, losing its fields and its cause;
 * - a `Redacted` value (and a `Secret`) as `<redacted>`, as Effect renders it: its content is never
 *   read;
 * - other objects as `{ key: value }` (after their class's name), arrays as `[a, b]`, `Map`s and
 *   `Set`s with their entries; nested strings quoted; `null`, `undefined`, numbers, booleans and
 *   symbols as `String` gives them, bigints with an `n`; a string at the top as itself.
 *
 * Bounds: a string past 400 characters is cut (`"aaa"…(+9600 characters)`); objects, arrays and
 * causes list at most 20 entries (`… 5 more`); values nested deeper than 6 levels (fields and causes
 * alike) are named only (`[DbDown]`, `[Object]`); a value met again inside itself is `[Circular]`;
 * the whole rendering stops at 2,000 characters (`…(truncated)`). These bound the work done, not
 * only the text. Reading a property that throws (a getter, a Proxy trap) renders as
 * `[threw <what it threw>]` in its place.
 *
 * One line by default: line breaks in messages fold into spaces. With `multiline`, each cause
 * starts a line of its own (`\ncaused by ...`, unindented: the caller indents the block) and
 * messages keep their line breaks; the rest is the same.
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import * as Exit from "effect/Exit"
import * as Redacted from "effect/Redacted"

/** @internal */
export interface DescribeOptions {
  /** each cause on a line of its own, and messages keep their line breaks */
  readonly multiline?: boolean | undefined
}

/** Characters of one string (a field, a message) rendered before it is cut. */
const maxText = 400
/** Entries of one object, array, Map, Set or Cause rendered before the rest are counted. */
const maxEntries = 20
/** Levels of nesting (fields and causes) rendered before values are only named. */
const maxDepth = 6
/** Characters of a whole rendering. */
const maxTotal = 2000

/**
 * Renders an arbitrary failure value (an Error, a tagged error, a Cause, any value) for a message,
 * without throwing. See the module's documentation for the rendering.
 *
 * @internal
 */
export const describeValue = (value: unknown, options?: DescribeOptions): string => {
  const state: State = { remaining: maxTotal, exhausted: false, ancestors: [], multiline: options?.multiline === true }
  const text = render(value, 0, state, false)
  return state.exhausted || text.length > maxTotal ? `${cut(text, maxTotal)}…(truncated)` : text
}

interface State {
  /** characters of text the rendering may still produce */
  remaining: number
  /** some text was left out for want of `remaining` */
  exhausted: boolean
  /** the objects being rendered, from the top down to the current one */
  readonly ancestors: Array<object>
  readonly multiline: boolean
}

/** Spends budget on a piece of text: the part of it that fits. */
const take = (state: State, text: string): string => {
  if (text.length <= state.remaining) {
    state.remaining -= text.length
    return text
  }
  state.exhausted = true
  const fitted = cut(text, Math.max(0, state.remaining))
  state.remaining = 0
  return fitted
}

/** The first `length` characters of a text, without splitting a surrogate pair. */
const cut = (text: string, length: number): string => {
  if (text.length <= length) return text
  const end = length > 0 && isHighSurrogate(text.charCodeAt(length - 1)) ? length - 1 : length
  return text.slice(0, end)
}

const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff

/** A string, at most `maxText` characters of it: quoted (nested values) or as prose (messages). */
const renderText = (text: string, state: State, quoted: boolean): string => {
  const shown = cut(text, maxText)
  const elided = text.length > shown.length ? `…(+${text.length - shown.length} characters)` : ""
  const body = quoted ? JSON.stringify(shown) : state.multiline ? shown : shown.replace(/[ \t]*\r?\n\s*/g, " ")
  return take(state, body + elided)
}

type Read = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly thrown: unknown }

/** Reads a property; a getter or a Proxy trap that throws gives what it threw. */
const read = (target: object, key: PropertyKey): Read => {
  try {
    return { ok: true, value: (target as Record<PropertyKey, unknown>)[key] }
  } catch (thrown) {
    return { ok: false, thrown }
  }
}

const renderThrown = (thrown: unknown, depth: number, state: State): string =>
  `[threw ${render(thrown, depth + 1, state, false)}]`

const renderRead = (result: Read, depth: number, state: State, quoted: boolean): string =>
  result.ok ? render(result.value, depth, state, quoted) : renderThrown(result.thrown, depth, state)

/**
 * Renders any value. `quoted`: strings are quoted (values inside a structure) or not (the top, a
 * cause). Never throws: a value that cannot be read renders as what reading it threw.
 */
const render = (value: unknown, depth: number, state: State, quoted: boolean): string => {
  if (state.remaining <= 0) {
    state.exhausted = true
    return ""
  }
  const before = state.ancestors.length
  try {
    return renderUnguarded(value, depth, state, quoted)
  } catch (thrown) {
    state.ancestors.length = before
    return depth < maxDepth ? renderThrown(thrown, depth, state) : take(state, "[unreadable]")
  }
}

const renderUnguarded = (value: unknown, depth: number, state: State, quoted: boolean): string => {
  switch (typeof value) {
    case "string":
      return renderText(value, state, quoted)
    case "bigint":
      return take(state, `${String(value)}n`)
    case "function":
      return take(state, value.name.length > 0 ? `[Function ${value.name}]` : "[Function]")
    case "object":
      if (value === null) return take(state, "null")
      if (Redacted.isRedacted(value)) return take(state, "<redacted>")
      if (state.ancestors.includes(value)) return take(state, "[Circular]")
      if (depth >= maxDepth) return take(state, `[${shortName(value)}]`)
      state.ancestors.push(value)
      try {
        return renderObject(value, depth, state)
      } finally {
        state.ancestors.pop()
      }
    default:
      // numbers, booleans, undefined, symbols (String renders a symbol; a template would throw)
      return take(state, String(value))
  }
}

const renderObject = (value: object, depth: number, state: State): string => {
  if (Cause.isCause(value)) return renderCause(value, depth, state)
  if (Exit.isExit(value)) {
    return Exit.isFailure(value)
      ? renderCause(value.cause, depth, state)
      : `${take(state, "Success")} { value: ${render(value.value, depth + 1, state, true)} }`
  }
  if (Array.isArray(value)) {
    return `[${renderEntries(value.length, value, state, (item) => render(item, depth + 1, state, true))}]`
  }
  if (value instanceof Date) return take(state, Number.isNaN(value.getTime()) ? "Invalid Date" : value.toISOString())
  if (value instanceof RegExp) return take(state, String(value))
  if (value instanceof Map) {
    const entries = renderEntries(value.size, value, state, ([key, item]: [unknown, unknown]) =>
      `${render(key, depth + 1, state, true)} => ${render(item, depth + 1, state, true)}`)
    return `Map(${value.size}) {${entries.length > 0 ? ` ${entries} ` : ""}}`
  }
  if (value instanceof Set) {
    const entries = renderEntries(value.size, value, state, (item) => render(item, depth + 1, state, true))
    return `Set(${value.size}) {${entries.length > 0 ? ` ${entries} ` : ""}}`
  }
  if (ArrayBuffer.isView(value)) return take(state, `${className(value) ?? "ArrayBuffer"}(${value.byteLength} bytes)`)
  if (isErrorLike(value)) return renderError(value, depth, state)
  const fields = renderFields(value, depth, state, noKeys)
  const name = className(value)
  if (fields === undefined && name !== undefined && hasOwnToString(value)) return renderText(String(value), state, false)
  const body = fields ?? "{}"
  return name === undefined ? body : `${take(state, name)} ${body}`
}

/** An error: an `Error`, or an object with a string `_tag` (a tagged error, Effect's data types). */
const isErrorLike = (value: object): boolean =>
  value instanceof Error || Object.prototype.toString.call(value) === "[object Error]" || typeof tagOf(value) === "string"

const tagOf = (value: object): unknown => ("_tag" in value ? (value as { readonly _tag: unknown })._tag : undefined)

/** The keys an error's fields never show: they are its head, its message, its cause, or noise. */
const errorKeys: ReadonlySet<string> = new Set(["_tag", "name", "message", "stack", "cause"])
const noKeys: ReadonlySet<string> = new Set()

const renderError = (value: object, depth: number, state: State): string => {
  const tag = tagOf(value)
  const tagged = typeof tag === "string"
  const head = take(state, cut(tagged ? tag : errorName(value), maxText))
  const message = read(value, "message")
  const messageText = message.ok && typeof message.value === "string" && message.value.length > 0
    ? message.value
    : undefined
  const cause: Read = "cause" in value ? read(value, "cause") : { ok: true, value: undefined }
  let out = head
  if (tagged ? !hasComputedMessage(value) : messageText === undefined) {
    // a field holding the cause itself (Effect's UnknownException keeps it as `error`) is said by the cause
    const fields = renderFields(value, depth, state, errorKeys, (field) => cause.ok && cause.value !== undefined && field === cause.value)
    if (fields !== undefined) out += ` ${fields}`
  }
  if (messageText !== undefined) out += `: ${renderText(messageText, state, false)}`
  else if (!message.ok) out += `: ${renderThrown(message.thrown, depth, state)}`
  if (!cause.ok || cause.value !== undefined) {
    const saved = { remaining: state.remaining, exhausted: state.exhausted }
    const rendered = renderRead(cause, depth + 1, state, false)
    if (messageText !== undefined && rendered.length > 0 && messageText.includes(rendered)) {
      // the message says it already (layerwise's own errors render their cause in their message)
      state.remaining = saved.remaining
      state.exhausted = saved.exhausted
    } else {
      out += `${state.multiline ? "\n" : ": "}caused by ${rendered}`
    }
  }
  return out
}

/** The name of an untagged error: its `name`, else its class's name, else `Error`. */
const errorName = (value: object): string => {
  const name = read(value, "name")
  if (name.ok && typeof name.value === "string" && name.value.length > 0) return name.value
  return className(value) ?? "Error"
}

/**
 * Whether the error's class computes its message (a `message` getter on its prototype chain, above
 * `Error.prototype`), rather than being given one.
 */
const hasComputedMessage = (value: object): boolean => {
  for (let target: object | null = value; target !== null; target = Object.getPrototypeOf(target)) {
    if (target === Error.prototype || target === Object.prototype) return false
    const descriptor = Object.getOwnPropertyDescriptor(target, "message")
    if (descriptor !== undefined) return descriptor.get !== undefined
  }
  return false
}

/**
 * `{ key: value, ... }` of an object's own enumerable string keys but `excluded`, and but the fields
 * `redundant` says are; `undefined` when there are none. Reads at most `maxEntries` fields.
 */
const renderFields = (
  value: object,
  depth: number,
  state: State,
  excluded: ReadonlySet<string>,
  redundant: (field: unknown) => boolean = () => false
): string | undefined => {
  const parts: Array<string> = []
  let more = 0
  for (const key of Object.keys(value)) {
    if (excluded.has(key)) continue
    if (parts.length === maxEntries || state.remaining <= 0) {
      more++
      continue
    }
    const field = read(value, key)
    if (field.ok && redundant(field.value)) continue
    parts.push(`${take(state, renderKey(key))}: ${renderRead(field, depth + 1, state, true)}`)
  }
  if (more > 0) parts.push(take(state, `… ${more} more`))
  return parts.length === 0 ? undefined : `{ ${parts.join(", ")} }`
}

/** At most `maxEntries` entries of a collection of `size`, then how many were left out. */
const renderEntries = <A>(
  size: number,
  items: Iterable<A>,
  state: State,
  renderItem: (item: A) => string
): string => {
  const parts: Array<string> = []
  for (const item of items) {
    if (parts.length === maxEntries || state.remaining <= 0) break
    parts.push(renderItem(item))
  }
  if (parts.length < size) parts.push(take(state, `… ${size - parts.length} more`))
  return parts.join(", ")
}

const identifier = /^[A-Za-z_$][A-Za-z0-9_$]*$/

const renderKey = (key: string): string => (identifier.test(key) ? key : JSON.stringify(cut(key, maxText)))

/** A Cause as its failures and defects, or `interrupted` when it has none (its interruptions). */
const renderCause = (cause: Cause.Cause<unknown>, depth: number, state: State): string => {
  const reasons = [...Cause.failures(cause), ...Cause.defects(cause)]
  if (reasons.length === 0) return take(state, Cause.isInterrupted(cause) ? "interrupted" : "empty cause")
  if (reasons.length === 1) return render(reasons[0], depth + 1, state, false)
  const parts: Array<string> = []
  for (const reason of reasons.slice(0, maxEntries)) {
    if (state.remaining <= 0) break
    parts.push(render(reason, depth + 1, state, false))
  }
  if (parts.length < reasons.length) parts.push(take(state, `${reasons.length - parts.length} more`))
  return parts.length === 1 ? parts[0]! : `${parts.slice(0, -1).join(", ")} and ${parts[parts.length - 1]}`
}

/** The class name of an object, `undefined` for plain objects and objects without a prototype. */
const className = (value: object): string | undefined => {
  const prototype: unknown = Object.getPrototypeOf(value)
  if (prototype === null || prototype === Object.prototype || typeof prototype !== "object") return undefined
  const constructor = read(prototype, "constructor")
  if (!constructor.ok || typeof constructor.value !== "function") return undefined
  const name = constructor.value.name
  return typeof name === "string" && name.length > 0 && name !== "Object" ? name : undefined
}

/** Whether an object's class gives it a `toString` of its own (a URL, a class with a rendering). */
const hasOwnToString = (value: object): boolean => {
  const toString = read(value, "toString")
  return toString.ok && typeof toString.value === "function" && toString.value !== Object.prototype.toString
}

/** How a value nested too deep is named: its tag, its class, or its kind. */
const shortName = (value: object): string => {
  if (Array.isArray(value)) return `Array(${value.length})`
  if (Cause.isCause(value)) return "Cause"
  const tag = tagOf(value)
  if (typeof tag === "string") return cut(tag, maxText)
  if (value instanceof Error) return errorName(value)
  return className(value) ?? "Object"
}
