import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The secret-looking contents secretsOutside writes; none may ever appear in an answer, a recon row or a log line. */
export const SECRETS = ['SECRET-5f3a9', 'SECRET-json-4c1', 'SECRET-creds-88'];

/**
 * An allowed config directory `<root>/allowed` with secret-looking files
 * beside it, and every way a caller might try to name them or other files
 * outside: absolute and relative paths, `..`, symlinks inside the directory
 * to a file and to a directory outside, file:// URLs, /proc, the directory itself.
 */
export function secretsOutside(root: string) {
  const allowed = join(root, 'allowed');
  mkdirSync(allowed, { recursive: true });
  mkdirSync(join(root, 'secrets'));
  writeFileSync(join(root, 'secret.txt'), 'SECRET-5f3a9');
  writeFileSync(join(root, 'secret.json'), JSON.stringify([{ metric_id: 'SECRET-json-4c1' }]));
  writeFileSync(join(root, 'secrets', 'creds.txt'), 'SECRET-creds-88');
  symlinkSync(join(root, 'secret.txt'), join(allowed, 'link.json'));
  symlinkSync(join(root, 'secrets'), join(allowed, 'dir-link'));
  const outsidePaths = [
    join(root, 'secret.txt'),
    join(root, 'secret.json'),
    join(root, 'missing.json'),
    `${allowed}/../secret.txt`,
    `${allowed}/nowhere/../../secret.json`,
    relative(process.cwd(), join(root, 'secret.txt')),
    join(allowed, 'link.json'),
    join(allowed, 'dir-link', 'creds.txt'),
    join(allowed, 'dir-link', 'missing.txt'),
    pathToFileURL(join(root, 'secret.txt')).href,
    `file://${allowed}/%2e%2e/secret.json`,
    'file://other-host/etc/passwd',
    '/proc/self/environ',
    allowed,
  ];
  return { allowed, outsidePaths };
}
