import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import t from 'tap';
import { createLocalFileConfigSource } from '../../../services/config-source/local-file-config-source.js';

t.test('reads a path and a file:// URL', async (t) => {
  const dir = t.testdir({ 'metrics.json': '[]' });
  const source = createLocalFileConfigSource({ maxBytes: 100 });
  t.equal(await source.read(join(dir, 'metrics.json')), '[]');
  t.equal(await source.read(pathToFileURL(join(dir, 'metrics.json')).href), '[]');
});

t.test('a missing file, a directory and an oversized file fail with GCS_READ_ERROR naming the path', async (t) => {
  const dir = t.testdir();
  mkdirSync(join(dir, 'folder'));
  writeFileSync(join(dir, 'big.json'), 'x'.repeat(101));
  const source = createLocalFileConfigSource({ maxBytes: 100 });
  await t.rejects(source.read(join(dir, 'nope.json')), { category: 'GCS_READ_ERROR', message: /nope\.json: does not exist/ });
  await t.rejects(source.read(join(dir, 'folder')), { category: 'GCS_READ_ERROR', message: /folder is not a file/ });
  await t.rejects(source.read(join(dir, 'big.json')), { category: 'GCS_READ_ERROR', message: /big\.json is 101 bytes, over the limit of 100/ });
});
