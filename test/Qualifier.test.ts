import { describe, expect, it } from "@effect/vitest"
import { Equal, Hash, HashSet } from "effect"
import { inspect } from "node:util"
import { Qualifier } from "../src/index.js"

/** Asserts that `f` throws a TypeError (not merely an error) with exactly this message. */
const expectTypeError = (f: () => unknown, message: string) => {
  let thrown: unknown
  try {
    f()
  } catch (error) {
    thrown = error
  }
  expect(thrown).toBeInstanceOf(TypeError)
  expect((thrown as TypeError).message).toBe(message)
}

describe("Qualifier", () => {
  it("make gives a token carrying its name", () => {
    const replica = Qualifier.make("replica")
    expect(replica.name).toBe("replica")
    expect(String(replica)).toBe("Qualifier(replica)")
  })

  it("toJSON and util.inspect show a token as its name", () => {
    const replica = Qualifier.make("replica")
    expect(replica.toJSON()).toEqual({ _id: "Qualifier", name: "replica" })
    expect(inspect(replica)).toBe(inspect({ _id: "Qualifier", name: "replica" }))
  })

  it("tokens of one name are Equal with equal hashes, tokens of two names are not, nor a token and its name", () => {
    expect(Equal.equals(Qualifier.make("replica"), Qualifier.make("replica"))).toBe(true)
    expect(Hash.hash(Qualifier.make("replica"))).toBe(Hash.hash(Qualifier.make("replica")))
    expect(Equal.equals(Qualifier.make("replica"), Qualifier.make("primary"))).toBe(false)
    expect(Equal.equals(Qualifier.make("replica"), "replica")).toBe(false)
    const set = HashSet.make(Qualifier.make("replica"), Qualifier.make("replica"), Qualifier.make("primary"))
    expect(HashSet.size(set)).toBe(2)
  })

  it("isQualifier recognises tokens, not their names", () => {
    expect(Qualifier.isQualifier(Qualifier.make("replica"))).toBe(true)
    expect(Qualifier.isQualifier("replica")).toBe(false)
    expect(Qualifier.isQualifier({ name: "replica" })).toBe(false)
    expect(Qualifier.isQualifier(null)).toBe(false)
  })

  it("nameOf gives the name of a token or of a string", () => {
    expect(Qualifier.nameOf(Qualifier.make("replica"))).toBe("replica")
    expect(Qualifier.nameOf("replica")).toBe("replica")
  })

  it("two tokens of one name are distinct values with the same name", () => {
    const first = Qualifier.make("replica")
    const second = Qualifier.make("replica")
    expect(first).not.toBe(second)
    expect(Qualifier.nameOf(first)).toBe(Qualifier.nameOf(second))
  })

  it("tokens are pipeable", () => {
    expect(Qualifier.make("replica").pipe(Qualifier.nameOf)).toBe("replica")
  })

  it("make rejects an empty name with a TypeError", () => {
    expectTypeError(() => Qualifier.make(""), "Qualifier.make: a qualifier needs a non-empty string name, got ")
    expectTypeError(() => Qualifier.make(undefined as unknown as string), "Qualifier.make: a qualifier needs a non-empty string name, got undefined")
  })
})
