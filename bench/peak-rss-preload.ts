import { writeSync } from 'node:fs';

/**
 * Loaded with `node --import` into an entry point the bench measures: on exit
 * it reports the process's peak resident set size on stderr, where
 * bench/peak-rss.ts finds it. Nothing else about the process changes.
 */
process.on('exit', () => {
  writeSync(2, `\nbench:peak_rss_kb=${process.resourceUsage().maxRSS}\n`);
});
