/**
 * Options: reading and validating the options of 1,000 components with 5 options each (what a plan's
 * Layer and App do before building: `Options.validate`, the same reading), next to reading the same
 * values with `Config.all` by hand (one Config per component, nested under its name, the five
 * options as Effect's own Configs: string, number, integer with a default, boolean, literal).
 *
 * Both read from the same `ConfigProvider.fromMap` (the default's: values by dotted path). Method:
 * per round a full GC, an untimed run of each, then a timed run of each (variants interleaved, the
 * first alternating); the ratio is the median of the ratios round by round.
 *
 * Run: npx tsx bench/options.ts
 */
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as Component from "../src/Component.js"
import * as Options from "../src/Options.js"
import * as Registry from "../src/Registry.js"
import * as Resolver from "../src/Resolver.js"
import * as H from "./harness.js"

export interface Result {
  readonly components: number
  /** milliseconds per read of every option: layerwise's, and Config.all's by hand */
  readonly options: number
  readonly byHand: number
  /** the floor of the semantics: every text read, told absent or given, decoded by its Schema (by hand) */
  readonly floor: number
  /** median of the per-round ratios: to Config.all by hand, to the floor, the floor's to Config.all */
  readonly ratio: number
  readonly toFloor: number
  readonly floorRatio: number
}

const fields = {
  url: Schema.String,
  size: Schema.NumberFromString,
  retries: Schema.optionalWith(Schema.NumberFromString.pipe(Schema.int()), { default: () => 3 }),
  enabled: Schema.BooleanFromString,
  mode: Schema.Literal("ro", "rw")
}

const byHandConfig = (name: string) =>
  Config.nested(
    Config.all({
      url: Config.string("url"),
      size: Config.number("size"),
      retries: Config.integer("retries").pipe(Config.withDefault(3)),
      enabled: Config.boolean("enabled"),
      mode: Config.literal("ro", "rw")("mode")
    }),
    name
  )

/**
 * The floor of the semantics: every option read as text (an absent one told from an invalid one, so
 * that every problem is reported, not the first) and decoded by its Schema, by hand: `Config.all` of
 * `Config.option(Config.string(...))`, then each text through `ParseResult.decodeUnknownEither`.
 */
const decoders = {
  url: ParseResult.decodeUnknownEither(Schema.String),
  size: ParseResult.decodeUnknownEither(Schema.NumberFromString),
  retries: ParseResult.decodeUnknownEither(Schema.NumberFromString.pipe(Schema.int())),
  enabled: ParseResult.decodeUnknownEither(Schema.BooleanFromString),
  mode: ParseResult.decodeUnknownEither(Schema.Literal("ro", "rw"))
}
const keys = ["url", "size", "retries", "enabled", "mode"] as const
const floorConfig = (name: string) =>
  Config.map(
    Config.nested(Config.all(keys.map((key) => Config.option(Config.string(key)))), name),
    (texts) =>
      texts.map((text, index) => {
        const key = keys[index]!
        if (text._tag === "None") return key === "retries" ? Either.right(3) : Either.left("missing")
        return decoders[key](text.value)
      })
  )

export const run = async (options: { readonly quick?: boolean } = {}): Promise<Result> => {
  const components = 1_000
  const values = new Map<string, string>()
  const registryItems: Array<Component.Any> = []
  const roots: Array<Context.Tag<any, any>> = []
  const handConfigs: Array<Config.Config<unknown>> = []
  const floorConfigs: Array<Config.Config<unknown>> = []
  for (let index = 0; index < components; index++) {
    const name = `c${index}`
    values.set(`${name}.url`, `postgres://${name}`)
    values.set(`${name}.size`, String(index))
    values.set(`${name}.enabled`, index % 2 === 0 ? "true" : "false")
    values.set(`${name}.mode`, index % 3 === 0 ? "ro" : "rw")
    const declared = Options.make(name, fields)
    const tag = Context.GenericTag<unknown, string>(`bench/options/${name}`)
    registryItems.push(Component.make(tag, { dependencies: [declared], build: Effect.map(declared, (o) => o.url) }))
    roots.push(tag)
    handConfigs.push(byHandConfig(name))
    floorConfigs.push(floorConfig(name))
  }
  const plan = Either.getOrThrow(Resolver.resolve(Registry.make(...registryItems), roots))
  if (plan.options.length !== components) throw new Error(`the plan has ${plan.options.length} options, expected ${components}`)
  const provider = ConfigProvider.fromMap(values)
  const layerwise = Effect.withConfigProvider(Options.validate(plan), provider)
  const byHand = Effect.withConfigProvider(Config.all(handConfigs), provider)
  const floor = Effect.withConfigProvider(Config.all(floorConfigs), provider)
  const time = (effect: Effect.Effect<unknown, unknown>): number => {
    const start = H.now()
    H.keep(Effect.runSync(effect))
    return H.now() - start
  }
  const rounds = options.quick === true ? 7 : 21
  const samples: Array<{ readonly options: number; readonly byHand: number; readonly floor: number }> = []
  for (let round = 0; round < rounds + 2; round++) {
    H.gc()
    time(layerwise)
    time(byHand)
    time(floor)
    const first = round % 2 === 0
    const a = first ? time(layerwise) : 0
    const b = time(byHand)
    const f = time(floor)
    const c = first ? a : time(layerwise)
    if (round >= 2) samples.push({ options: c, byHand: b, floor: f })
  }
  return {
    components,
    options: H.median(samples.map((sample) => sample.options)),
    byHand: H.median(samples.map((sample) => sample.byHand)),
    floor: H.median(samples.map((sample) => sample.floor)),
    ratio: H.median(samples.map((sample) => sample.options / sample.byHand)),
    toFloor: H.median(samples.map((sample) => sample.options / sample.floor)),
    floorRatio: H.median(samples.map((sample) => sample.floor / sample.byHand))
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await run({ quick: process.argv.includes("--quick") })
  console.log(
    `options of ${H.count(result.components)} components x 5: ${H.ms(result.options)} vs Config.all by hand ${H.ms(result.byHand)}: ${H.ratio(result.ratio)}; ` +
      `the floor (texts read, each decoded by its Schema, by hand) ${H.ms(result.floor)} = ${H.ratio(result.floorRatio)} Config.all, layerwise ${H.ratio(result.toFloor)} the floor`
  )
}
