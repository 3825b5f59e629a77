import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import t, { type Test } from 'tap';
import type { ConfigSource } from '../../../services/config-source/config-source.js';
import { confineLocalConfigs, localConfigPathProblem, OUTSIDE_LOCAL_CONFIG_DIR } from '../../../services/config-source/local-config-directory.js';
import { createLocalFileConfigSource } from '../../../services/config-source/local-file-config-source.js';
import { secretsOutside } from '../../helpers/secrets-outside.js';

/** An allowed directory with configs and links that stay inside it, and secrets beside it. */
function layout(t: Test) {
  const root = t.testdir({ allowed: { 'metrics.json': '[]', nested: { 'more.json': '[]' } } });
  const { allowed, outsidePaths } = secretsOutside(root);
  symlinkSync(join(allowed, 'metrics.json'), join(allowed, 'link-inside.json'));
  return { root, allowed, outsidePaths };
}

t.test('paths under the directory are accepted, existing or not, links included while they stay inside', async (t) => {
  const { allowed } = layout(t);
  for (const path of [
    join(allowed, 'metrics.json'),
    join(allowed, 'nested', 'more.json'),
    join(allowed, 'nested', '..', 'metrics.json'),
    join(allowed, 'link-inside.json'),
    join(allowed, 'not-yet.json'),
    pathToFileURL(join(allowed, 'metrics.json')).href,
    'gs://bucket/anything.json',
  ]) {
    t.equal(await localConfigPathProblem(path, allowed), undefined, path);
  }
});

t.test('anything outside gets the same answer, whether it exists or not', async (t) => {
  const { allowed, outsidePaths } = layout(t);
  for (const path of [...outsidePaths, '/etc/passwd']) t.equal(await localConfigPathProblem(path, allowed), OUTSIDE_LOCAL_CONFIG_DIR, path);
});

t.test('a directory given with symlinks or a trailing slash is resolved too', async (t) => {
  const { root, allowed } = layout(t);
  symlinkSync(allowed, join(root, 'alias'));
  t.equal(await localConfigPathProblem(join(allowed, 'metrics.json'), `${join(root, 'alias')}/`), undefined);
  t.equal(await localConfigPathProblem(join(root, 'secret.txt'), join(root, 'alias')), OUTSIDE_LOCAL_CONFIG_DIR);
});

t.test('the confined source checks again at read time and reads the path it checked', async (t) => {
  const { root, allowed } = layout(t);
  const asked: string[] = [];
  const inner = createLocalFileConfigSource({ maxBytes: 100 });
  const recording: ConfigSource = { read: (path) => (asked.push(path), inner.read(path)) };
  const source = confineLocalConfigs(recording, allowed);
  t.equal(await source.read(join(allowed, 'link-inside.json')), '[]');
  t.same(asked, [join(allowed, 'metrics.json')], 'the link was resolved before the read');
  await t.rejects(source.read(join(allowed, 'link.json')), {
    category: 'GCS_READ_ERROR',
    message: `Config ${join(allowed, 'link.json')} ${OUTSIDE_LOCAL_CONFIG_DIR}`,
  });
  // A link swapped after the request was accepted is caught by the read.
  mkdirSync(join(allowed, 'later'));
  symlinkSync(join(root, 'secret.txt'), join(allowed, 'later', 'config.json'));
  await t.rejects(source.read(join(allowed, 'later', 'config.json')), { category: 'GCS_READ_ERROR', message: /is not a file under the local config directory/ });
  t.equal(asked.length, 1, 'nothing outside was read');
  await source.read('gs://bucket/x.json').catch(() => undefined);
  t.equal(asked.at(-1), 'gs://bucket/x.json', 'gs:// paths pass through unchecked');
});
