/**
 * The container at run time (issue 15): the cost of a run-time lookup of a singleton already built,
 * next to `Context.get` on a context of the same size, and of opening a child container with 5
 * components, looking each up and closing it, over parents of 1,000 and 10,000 components.
 *
 * - lookup: `Runtime.runSync(runtime)(Container.get(Tag))` against `Runtime.runSync(runtime)(Tag)`
 *   (the tag as an Effect: `Context.get` of the runtime's context), the runtime's context holding
 *   the container and every component's service (N + 1 services);
 * - child: `Effect.runPromise` of open, 5 lookups, close, at each parent size; the ratio is the
 *   10,000 parent's over the 1,000 one's.
 *
 * Method: per round a full GC, an untimed pass of every variant, then a timed one; medians.
 *
 * Run: npx tsx bench/container.ts [--quick]
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Runtime from "effect/Runtime"
import * as Scope from "effect/Scope"
import * as Component from "../src/Component.js"
import * as Container from "../src/Container.js"
import * as Registry from "../src/Registry.js"
import * as H from "./harness.js"

interface Service {
  readonly id: number
}

const registryOf = (size: number) => {
  const tags = Array.from({ length: size }, (_, index) => Context.GenericTag<Service, Service>(`bench/container/S${index}`))
  const components = tags.map((tag, index) =>
    index === 0
      ? Component.succeed(tag, { id: 0 })
      : Component.make(tag, { dependencies: [tags[index - 1]!], build: Effect.succeed({ id: index }) })
  )
  return { tags, registry: Registry.make(...components) }
}

const timeRepeated = (repeat: number, call: () => unknown): number => {
  const start = H.now()
  for (let i = 0; i < repeat; i++) H.keep(call())
  return (H.now() - start) / repeat
}

const lookupRow = async (size: number, rounds: number) => {
  const { registry, tags } = registryOf(size)
  const scope = Effect.runSync(Scope.make())
  const context = await Effect.runPromise(Layer.buildWithScope(Registry.toLayer(registry, [Container.Container, ...tags]), scope))
  const runtime = Runtime.make({ context, runtimeFlags: Runtime.defaultRuntime.runtimeFlags, fiberRefs: Runtime.defaultRuntime.fiberRefs })
  const runSync = Runtime.runSync(runtime)
  const tag = tags[size >> 1]!
  const lookup = Container.get(tag)
  // the floor: the least a lookup that may have to build does, reading the context then answering
  // with an Effect (two operations, where the tag alone is one)
  const floor = Effect.contextWithEffect((context: Context.Context<never>) => Effect.succeed(Context.unsafeGet(context, tag)))
  runSync(lookup)
  const direct: Array<number> = []
  const looked: Array<number> = []
  const floors: Array<number> = []
  const repeat = 20_000
  for (let round = 0; round < rounds + 2; round++) {
    H.gc()
    timeRepeated(repeat, () => runSync(tag))
    timeRepeated(repeat, () => runSync(lookup))
    timeRepeated(repeat, () => runSync(floor))
    const a = timeRepeated(repeat, () => runSync(tag))
    const b = timeRepeated(repeat, () => runSync(lookup))
    const c = timeRepeated(repeat, () => runSync(floor))
    if (round >= 2) {
      direct.push(a)
      looked.push(b)
      floors.push(c)
    }
  }
  await Effect.runPromise(Scope.close(scope, Exit.void))
  return {
    direct: H.median(direct),
    lookup: H.median(looked),
    floor: H.median(floors),
    ratio: H.median(looked.map((time, index) => time / direct[index]!)),
    toFloor: H.median(looked.map((time, index) => time / floors[index]!))
  }
}

const childRow = async (size: number, rounds: number) => {
  const { registry, tags } = registryOf(size)
  const scope = Effect.runSync(Scope.make())
  const context = await Effect.runPromise(Layer.buildWithScope(Registry.toLayer(registry, [Container.Container, tags[size - 1]!]), scope))
  const root = Context.get(context, Container.Container)
  const own = Array.from({ length: 5 }, (_, index) => Context.GenericTag<Service, Service>(`bench/container/child/C${index}`))
  const components = own.map((tag, index) => Component.make(tag, { dependencies: [tags[index]!], build: Effect.succeed({ id: -index }) }))
  let counter = 0
  const once = Effect.scoped(
    Effect.flatMap(
      Effect.provideService(Effect.suspend(() => Container.child(`c${counter++}`, components)), Container.Container, root),
      (child) => Effect.forEach(own, (tag) => Container.getFrom(child, tag), { discard: true })
    )
  )
  const samples: Array<number> = []
  const repeat = 20
  const timeOnce = async () => {
    const start = H.now()
    for (let i = 0; i < repeat; i++) await Effect.runPromise(once)
    return (H.now() - start) / repeat
  }
  for (let round = 0; round < rounds + 2; round++) {
    H.gc()
    await timeOnce()
    const time = await timeOnce()
    if (round >= 2) samples.push(time)
  }
  await Effect.runPromise(Scope.close(scope, Exit.void))
  return H.median(samples)
}

/** The rows of a run, and their tables. */
export interface Result {
  readonly lookups: ReadonlyArray<{
    readonly size: number
    readonly lookup: number
    readonly direct: number
    readonly floor: number
    readonly ratio: number
    readonly toFloor: number
  }>
  readonly child: { readonly small: number; readonly large: number; readonly ratio: number }
  readonly markdown: string
}

export const run = async (options?: { readonly quick?: boolean }): Promise<Result> => {
  const rounds = options?.quick === true ? 5 : 11
  const lines: Array<string> = []
  const lookups: Array<Result["lookups"][number]> = []
  for (const size of [1_000, 10_000]) lookups.push({ size, ...(await lookupRow(size, rounds)) })
  lines.push(H.table(
    ["variant", "per call", "Context.get", "ratio", "<= 1.2x", "floor (context, then succeed)", "ratio to floor"],
    lookups.map((row) => [
      `lookup of a built singleton, ${H.count(row.size)} components`,
      H.ns(row.lookup),
      H.ns(row.direct),
      H.ratio(row.ratio),
      H.verdict(row.ratio <= 1.2),
      H.ns(row.floor),
      H.ratio(row.toFloor)
    ])
  ))
  const small = await childRow(1_000, rounds)
  const large = await childRow(10_000, rounds)
  lines.push(
    H.table(["child container: open, 5 lookups, close", "per child", "ratio to 1,000", "<= 1.2x"], [
      ["parent of 1,000", H.us(small), "-", "-"],
      ["parent of 10,000", H.us(large), H.ratio(large / small), H.verdict(large / small <= 1.2)]
    ])
  )
  return { lookups, child: { small, large, ratio: large / small }, markdown: lines.join("\n\n") }
}

if (process.argv[1]?.endsWith("container.ts")) {
  run({ quick: process.argv.includes("--quick") }).then((result) => console.log(result.markdown), (error) => {
    console.error(error)
    process.exit(1)
  })
}
