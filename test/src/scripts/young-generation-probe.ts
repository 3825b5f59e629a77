import { getHeapSpaceStatistics } from 'node:v8';
import { useCompactHeap } from '../../../src/compact-heap.js';

// Prints the young generation's size before and after allocating objects that live
// across collections, which is what makes V8 grow it; with "compact", after asking
// for a compact heap first.
const youngGeneration = () => getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? -1;
if (process.argv.includes('compact')) useCompactHeap();
const before = youngGeneration();
const kept: object[][] = [];
for (let round = 0; round < 100; round++) {
  kept.push(Array.from({ length: 20_000 }, (_, i) => ({ round, i })));
  if (kept.length > 5) kept.shift();
}
process.stdout.write(JSON.stringify({ before, after: youngGeneration() }));
