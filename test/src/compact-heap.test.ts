import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { nodeArguments } from '../helpers/real-process.js';

const PROBE = fileURLToPath(new URL('./scripts/young-generation-probe.ts', import.meta.url));

/** The young generation's size, before and after a process allocated objects living across collections. */
function youngGeneration(...args: string[]): { before: number; after: number } {
  const probe = spawnSync(process.execPath, nodeArguments(PROBE, args), { encoding: 'utf8' });
  if (probe.status !== 0) throw new Error(probe.stderr);
  return JSON.parse(probe.stdout) as { before: number; after: number };
}

t.test('a compact heap keeps the young generation from growing, where V8 would grow it', async (t) => {
  const left = youngGeneration();
  t.ok(left.after > left.before, `left alone, V8 grows it (${left.before} to ${left.after} bytes)`);
  const compact = youngGeneration('compact');
  t.equal(compact.after, compact.before, 'asked for a compact heap, it stays as it was');
});
