import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
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

t.test('follows symlinks anywhere: the CLI user owns the machine', async (t) => {
  const dir = t.testdir({ 'metrics.json': '[1]' });
  symlinkSync(join(dir, 'metrics.json'), join(dir, 'link.json'));
  t.equal(await createLocalFileConfigSource({ maxBytes: 100 }).read(join(dir, 'link.json')), '[1]');
});

t.test('a missing file and an oversized file fail with GCS_READ_ERROR naming the path', async (t) => {
  const dir = t.testdir();
  writeFileSync(join(dir, 'big.json'), 'x'.repeat(101));
  writeFileSync(join(dir, 'exact.json'), 'x'.repeat(100));
  const source = createLocalFileConfigSource({ maxBytes: 100 });
  await t.rejects(source.read(join(dir, 'nope.json')), { category: 'GCS_READ_ERROR', message: /nope\.json: does not exist/ });
  await t.rejects(source.read(join(dir, 'big.json')), {
    category: 'GCS_READ_ERROR',
    message: /big\.json is over the limit of 100 bytes \(METRICS_CONFIG_MAX_BYTES\)/,
  });
  t.equal((await source.read(join(dir, 'exact.json'))).length, 100, 'exactly the limit is read');
});

t.test('only regular files are read: a directory, a device and a FIFO are refused at once', async (t) => {
  const dir = t.testdir();
  mkdirSync(join(dir, 'folder'));
  execFileSync('mkfifo', [join(dir, 'fifo')]);
  const source = createLocalFileConfigSource({ maxBytes: 100 });
  for (const path of [join(dir, 'folder'), '/dev/zero', join(dir, 'fifo')]) {
    await t.rejects(source.read(path), { category: 'GCS_READ_ERROR', message: /is not a regular file$/ }, path);
  }
});

t.test('the limit holds whatever stat says: /proc files report 0 bytes and are cut at the limit', async (t) => {
  const source = createLocalFileConfigSource({ maxBytes: 10 });
  await t.rejects(source.read('/proc/self/environ'), { category: 'GCS_READ_ERROR', message: /over the limit of 10 bytes/ });
  // pagemap never ends (read to its end it would fill memory) and reads only in multiples of 8 bytes: limit + 1 is 2^17.
  await t.rejects(createLocalFileConfigSource({ maxBytes: 131_071 }).read('/proc/self/pagemap'), { message: /over the limit of 131071 bytes/ });
});

t.test('a file:// URL that names no local file is a read error, not a crash', async (t) => {
  await t.rejects(createLocalFileConfigSource({ maxBytes: 100 }).read('file://other-host/etc/passwd'), {
    category: 'GCS_READ_ERROR',
    message: /is not a valid local file:\/\/ URL/,
  });
});

t.test('a file the process may not read is a permission error', async (t) => {
  const dir = t.testdir();
  mkdirSync(join(dir, 'locked'), { mode: 0o000 });
  // Root reads anything; the permission check then shows up as a missing file below a readable directory.
  const message = await createLocalFileConfigSource({ maxBytes: 100 })
    .read(join(dir, 'locked', 'x.json'))
    .catch((error: Error) => error.message);
  t.match(message, /: (permission denied|does not exist)$/);
});
