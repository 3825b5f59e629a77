/** What `interruptOnSignals` hands the run, and how to stop listening. */
export interface Interrupt {
  signal: AbortSignal;
  dispose(): void;
}

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * The first SIGINT or SIGTERM (Ctrl-C, a scheduler's timeout, a pod
 * eviction) aborts `signal`, so the run stops its queries and still writes a
 * Failed recon row for every metric it could not finish; killing the process
 * there would leave those metrics without a trace. A second signal exits at once.
 */
export function interruptOnSignals(stderr: NodeJS.WritableStream, exitNow: (code: number) => void): Interrupt {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      stderr.write(`${name} again: exiting without recording the unfinished metrics\n`);
      exitNow(130);
      return;
    }
    stderr.write(`${name}: interrupting the run; unfinished metrics are recorded as interrupted (send it again to exit at once)\n`);
    controller.abort(new Error(name));
  };
  for (const name of SIGNALS) process.on(name, onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      for (const name of SIGNALS) process.removeListener(name, onSignal);
    },
  };
}
