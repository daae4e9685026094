/**
 * Checked before `src/internal/node.ts` by test/Types.test.ts: an application's run, as a user's test
 * file has it, typed before layerwise/node is.
 */
import { App, Registry } from "layerwise"

export const run = App.run(App.make(Registry.make()))
