/**
 * Lifetimes and handles at run time (issue 14), each next to its baseline in the same run:
 *
 * - a transient with three dependencies, requested through a factory handle (a new instance, built
 *   and released per call) vs running its constructor Effect directly in a fiber with the three
 *   services provided and its own Scope (target <= 2x);
 * - one request scope (`Lifetime.within`) building 3 request-scoped components over 50 singletons vs a
 *   hand-written per-request `Effect.provide` of the same three services built by the same
 *   constructors (target <= 1.2x); the singletons' builds are counted: none is rebuilt;
 * - a lazy handle after its first use vs `Deferred.await` of a completed Deferred (target <= 1.5x).
 *
 * Method: each sample runs the variant enough times to last ~10 ms (Runtime.runPromise of a loop) and
 * reports one call; per round a full GC, then the variant and its baseline one after the other (their
 * order alternating); the ratio is the median of the per-round ratios.
 *
 * Run: npx tsx bench/lifetimes.ts
 */
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Scope from "effect/Scope"
import { Component, Container, Dependency, Lifetime, Registry } from "../src/index.js"
import * as H from "./harness.js"

export interface Row {
  readonly name: string
  /** milliseconds per call: the variant, its baseline */
  readonly ms: number
  readonly baseline: number
  /** median of the per-round ratios */
  readonly ratio: number
  readonly target: number
  readonly note?: string
}

const ROUNDS = 15

/** ms per call of `body`, looped `repeat` times in one Effect. */
const timeLoop = async (body: Effect.Effect<unknown, unknown>, repeat: number): Promise<number> => {
  const loop = Effect.repeatN(body, repeat - 1)
  const start = H.now()
  await Effect.runPromise(loop as Effect.Effect<unknown, unknown>)
  return (H.now() - start) / repeat
}

/** How many calls last ~10 ms. */
const calibrate = async (body: Effect.Effect<unknown, unknown>): Promise<number> => {
  let repeat = 16
  while (repeat < 1_000_000) {
    const start = H.now()
    await Effect.runPromise(Effect.repeatN(body, repeat - 1) as Effect.Effect<unknown, unknown>)
    if (H.now() - start > 10) break
    repeat *= 2
  }
  return repeat
}

const compare = async (variant: Effect.Effect<unknown, unknown>, baseline: Effect.Effect<unknown, unknown>) => {
  const repeatVariant = await calibrate(variant)
  const repeatBaseline = await calibrate(baseline)
  const ratios: Array<number> = []
  const variants: Array<number> = []
  const baselines: Array<number> = []
  for (let round = 0; round < ROUNDS; round++) {
    H.gc()
    let a: number
    let b: number
    if (round % 2 === 0) {
      a = await timeLoop(variant, repeatVariant)
      b = await timeLoop(baseline, repeatBaseline)
    } else {
      b = await timeLoop(baseline, repeatBaseline)
      a = await timeLoop(variant, repeatVariant)
    }
    variants.push(a)
    baselines.push(b)
    ratios.push(a / b)
  }
  return { ms: H.median(variants), baseline: H.median(baselines), ratio: H.median(ratios) }
}

interface Service {
  readonly n: number
}
const tag = (key: string) => Context.GenericTag<Service>(key)

/** Runs `f` with a built Layer's context, closing its scope after. */
const withLayer = async <R, A>(layer: Layer.Layer<R, unknown>, f: (context: Context.Context<R>) => Promise<A>): Promise<A> => {
  const scope = Effect.runSync(Scope.make())
  const context = await Effect.runPromise(Layer.buildWithScope(layer, scope))
  try {
    return await f(context)
  } finally {
    await Effect.runPromise(Scope.close(scope, Exit.void))
  }
}

const transientRow = async (): Promise<Row> => {
  const [A, B, C, T, Maker] = [tag("A"), tag("B"), tag("C"), tag("T"), Context.GenericTag<Effect.Effect<Service, unknown, Scope.Scope>>("Maker")]
  const construct = Effect.gen(function*() {
    const a = yield* A
    const b = yield* B
    const c = yield* C
    return yield* Effect.acquireRelease(Effect.succeed({ n: a.n + b.n + c.n }), () => Effect.void)
  })
  const registry = Registry.make(
    Component.succeed(A, { n: 1 }),
    Component.succeed(B, { n: 2 }),
    Component.succeed(C, { n: 3 }),
    Component.make(T, { dependencies: [A, B, C], build: construct }).pipe(Lifetime.transient),
    Component.make(Maker, { dependencies: [Dependency.factory(T)], build: Dependency.factory(T) })
  )
  const services = Context.make(A, { n: 1 }).pipe(Context.add(B, { n: 2 }), Context.add(C, { n: 3 }))
  return withLayer(Registry.toLayer(registry, [Maker]), async (context) => {
    const make = Context.get(context, Maker)
    const result = await compare(Effect.scoped(make), Effect.scoped(Effect.provide(construct, services)))
    return { name: "transient (3 dependencies), a new instance per call", ...result, target: 2 }
  })
}

const requestRow = async (): Promise<Row> => {
  let singletonBuilds = 0
  const singletons = Array.from({ length: 50 }, (_, i) => tag(`S${i}`))
  const [User, Tx, Log] = [tag("User"), tag("Tx"), tag("Log")]
  const Request = Lifetime.scope("Request")
  const acquire = (n: number) => Effect.acquireRelease(Effect.succeed({ n }), () => Effect.void)
  const user = Effect.flatMap(singletons[0]!, (s) => acquire(s.n))
  const tx = Effect.flatMap(Effect.all([User, singletons[1]!]), ([u, s]) => acquire(u.n + s.n))
  const log = Effect.flatMap(Effect.all([Tx, singletons[2]!]), ([t, s]) => acquire(t.n + s.n))
  const registry = Registry.make(
    ...singletons.map((s, i) => Component.make(s, { build: Effect.sync(() => (singletonBuilds++, { n: i })) })),
    Component.make(User, { dependencies: [singletons[0]!], build: user }).pipe(Lifetime.scoped(Request)),
    Component.make(Tx, { dependencies: [User, singletons[1]!], build: tx }).pipe(Lifetime.scoped(Request)),
    Component.make(Log, { dependencies: [Tx, singletons[2]!], build: log }).pipe(Lifetime.scoped(Request))
  )
  const handler = Effect.map(Effect.all([User, Tx, Log]), ([u, t, l]) => u.n + t.n + l.n)
  return withLayer(Registry.toLayer(registry, [Container.Container, ...singletons], { scopes: [Request] }), async (context) => {
    const before = singletonBuilds
    const perRequest = Effect.provide(handler.pipe(Lifetime.within(Request, [User, Tx, Log])), context)
    // by hand: the same constructors, each provided what it needs, in one Scope per request
    const byHand = Effect.scoped(Effect.gen(function*() {
      const u = yield* Effect.provide(user, context)
      const t = yield* Effect.provide(tx, Context.add(context, User, u))
      const l = yield* Effect.provide(log, Context.add(context, Tx, t))
      return yield* Effect.provide(handler, Context.make(User, u).pipe(Context.add(Tx, t), Context.add(Log, l)))
    }))
    const result = await compare(perRequest, byHand)
    if (singletonBuilds !== before) throw new Error(`a request rebuilt ${singletonBuilds - before} singletons`)
    return { name: "request scope: 3 scoped over 50 singletons", ...result, target: 1.2, note: "no singleton rebuilt (counted)" }
  })
}

const lazyRow = async (): Promise<Row> => {
  const [Target, Holder] = [tag("Target"), Context.GenericTag<Effect.Effect<Service, unknown>>("Holder")]
  const registry = Registry.make(
    Component.succeed(Target, { n: 1 }),
    Component.make(Holder, { dependencies: [Dependency.lazy(Target)], build: Dependency.lazy(Target) })
  )
  const done = Effect.runSync(Deferred.make<Service>())
  Effect.runSync(Deferred.succeed(done, { n: 1 }))
  return withLayer(Registry.toLayer(registry, [Holder]), async (context) => {
    const handle = Context.get(context, Holder)
    await Effect.runPromise(handle)
    const result = await compare(handle, Deferred.await(done))
    return { name: "lazy handle after its first use", ...result, target: 1.5 }
  })
}

export const run = async (): Promise<ReadonlyArray<Row>> => [await transientRow(), await requestRow(), await lazyRow()]

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await run()
  console.log(H.table(
    ["row", "layerwise", "baseline", "ratio", "target", ""],
    rows.map((row) => [row.name, H.us(row.ms), H.us(row.baseline), H.ratio(row.ratio), `<= ${row.target}x`, `${H.verdict(row.ratio <= row.target)} ${row.note ?? ""}`])
  ))
}
