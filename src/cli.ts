import { interruptOnSignals } from './cli/interrupt-on-signals.js';
import { runCli } from './cli/run-cli.js';
import { useCompactHeap } from './compact-heap.js';
import { exitOnCrash, ignoreOutputErrors, reportFatal } from './process-failures.js';

useCompactHeap();
ignoreOutputErrors(process.stdout, process.stderr);
exitOnCrash(process.stderr, process.env, (code) => process.exit(code));
const interrupt = interruptOnSignals(process.stderr, (code) => process.exit(code));
try {
  process.exitCode = await runCli(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    signal: interrupt.signal,
  });
} catch (error) {
  process.exitCode = reportFatal(error, process.stderr, process.env);
} finally {
  interrupt.dispose();
}
