import { interruptOnSignals } from './cli/interrupt-on-signals.js';
import { runCli } from './cli/run-cli.js';

const interrupt = interruptOnSignals(process.stderr, (code) => process.exit(code));
try {
  process.exitCode = await runCli(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    signal: interrupt.signal,
  });
} finally {
  interrupt.dispose();
}
