#!/bin/sh
# Instructions per FIRST resolution of a registry of never-seen components, next to the plain
# topological sort of an equally fresh graph: counted by valgrind (cachegrind), so the numbers are the
# same on a loaded machine, where times vary 2x. Needs valgrind; not part of `npm run bench`.
#
#   sh bench/instructions.sh [chain|wide] [size=10000]
#
# Method: two runs of the same program that makes K fresh fixtures (tags, components, registry);
# one also resolves each (or sorts it), the other does not; the difference over K is the cost of one
# first resolution, garbage collection included. V8 runs with --predictable (single-threaded, one
# hash seed, a fixed GC schedule), so repeated counts agree within ~1% on a quiet machine; under
# load they move more (up to ~20% seen), since some of V8's GC tasks are still driven by timers.
set -e
cd "$(dirname "$0")/.."
shape=${1:-chain}; size=${2:-10000}; k=4
out=bench/.generated/instructions; mkdir -p "$out"
flags="--predictable --predictable-gc-schedule --hash-seed=1 --random-seed=1"
for variant in resolve sort; do
  if [ "$variant" = resolve ]; then call='F.resolve(fixture)'; else call='topologicalSort(fixture.components, fixture.roots)'; fi
  cat > "$out/$variant.ts" <<EOT
import { topologicalSort } from "../../baseline.js"
import * as F from "../../fixture.js"
import { generate, type Shape } from "../../graph.js"
const graph = generate(Number(process.argv[3]), process.argv[2] as Shape)
const measured = process.argv[5] === "1"
let kept = 0
{ const fixture = F.makeFixture(graph); if ($call !== undefined) kept++ } // both runs compile the same code
for (let i = 0; i < Number(process.argv[4]); i++) {
  const fixture = F.makeFixture(graph)
  if (measured && $call !== undefined) kept++
}
console.log(kept)
EOT
  node_modules/.bin/esbuild "$out/$variant.ts" --bundle --platform=node --format=esm --outfile="$out/$variant.mjs" --packages=external --log-level=warning
  count() {
    valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null node $flags "$out/$variant.mjs" "$shape" "$size" $k "$1" 2>&1 |
      grep "I *refs" | tr -d ',' | awk '{print $NF}'
  }
  without=$(count 0); with=$(count 1)
  echo "$variant $shape $size: $(( (with - without) / k / 1000000 ))M instructions per first resolution"
done
