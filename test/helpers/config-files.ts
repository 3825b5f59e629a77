import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Writes numbered config files into `dir`: JSON for values, raw text for strings (malformed-JSON cases). */
export function configWriter(dir: string): (content: unknown) => string {
  let written = 0;
  return (content) => {
    const path = join(dir, `metrics-${++written}.json`);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  };
}
