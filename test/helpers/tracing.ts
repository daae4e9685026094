/**
 * A recording Tracer: every span made (name, parent, attributes, links, how it ended), in order of
 * ending, and the tree they form.
 */
import { Effect, Exit, Option, Tracer } from "effect"

/** One span as recorded once it ended. */
export interface RecordedSpan {
  readonly name: string
  readonly spanId: string
  readonly parent: string | undefined
  readonly attributes: ReadonlyMap<string, unknown>
  readonly links: ReadonlyArray<string>
  /** "success", "failure" or "interrupted": how the span's exit ended */
  readonly exit: "success" | "failure" | "interrupted" | "open"
}

export interface Recording {
  readonly tracer: Tracer.Tracer
  /** every span, in order of opening */
  readonly spans: ReadonlyArray<RecordedSpan>
  /** The tree as indented lines `name [component] outcome`, children in order of opening. */
  readonly tree: (options?: { readonly attributes?: ReadonlyArray<string> }) => ReadonlyArray<string>
  readonly clear: () => void
}

const exitOf = (exit: Exit.Exit<unknown, unknown>): RecordedSpan["exit"] =>
  Exit.isSuccess(exit) ? "success" : Exit.isInterrupted(exit) && exit.cause._tag === "Interrupt" ? "interrupted" : "failure"

/** A Tracer recording the spans it makes; spans are plain (`Tracer.NativeSpan`-like) and cheap. */
export const makeRecording = (): Recording => {
  const spans: Array<RecordedSpan & { exit: RecordedSpan["exit"] }> = []
  let next = 0
  const tracer = Tracer.make({
    span: (name, parent, context, links, startTime, kind) => {
      const spanId = `${++next}`
      const attributes = new Map<string, unknown>()
      const recorded = {
        name,
        spanId,
        parent: Option.isSome(parent) ? parent.value.spanId : undefined,
        attributes,
        links: links.map((link) => link.span.spanId),
        exit: "open" as RecordedSpan["exit"]
      }
      spans.push(recorded)
      const span: Tracer.Span = {
        _tag: "Span",
        name,
        spanId,
        traceId: Option.isSome(parent) ? parent.value.traceId : spanId,
        parent,
        context,
        status: { _tag: "Started", startTime },
        attributes,
        links,
        sampled: true,
        kind,
        end: (endTime, exit) => {
          ;(span as { status: Tracer.SpanStatus }).status = { _tag: "Ended", startTime, endTime, exit }
          recorded.exit = exitOf(exit)
        },
        attribute: (key, value) => {
          attributes.set(key, value)
        },
        event: () => {},
        addLinks: () => {}
      }
      return span
    },
    context: (f) => f()
  })
  const tree = (options?: { readonly attributes?: ReadonlyArray<string> }): ReadonlyArray<string> => {
    const shown = options?.attributes ?? ["layerwise.component", "layerwise.outcome"]
    const lines: Array<string> = []
    const ids = new Set(spans.map((span) => span.spanId))
    const visit = (span: RecordedSpan, depth: number) => {
      const values = shown.flatMap((key) => span.attributes.has(key) ? [String(span.attributes.get(key))] : [])
      lines.push(`${"  ".repeat(depth)}${[span.name, ...values].join(" ")}${span.exit === "open" ? " (open)" : ""}`)
      for (const child of spans) if (child.parent === span.spanId) visit(child, depth + 1)
    }
    for (const span of spans) if (span.parent === undefined || !ids.has(span.parent)) visit(span, 0)
    return lines
  }
  return { tracer, spans, tree, clear: () => spans.splice(0) }
}

/** Runs `effect` with the recording's tracer. */
export const traced = <A, E, R>(recording: Recording, effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.withTracer(effect, recording.tracer)
