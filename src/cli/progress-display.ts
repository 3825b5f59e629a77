import { Writable } from 'node:stream';
import type { RunControl } from '../../services/pipeline/pipeline-dependencies.js';

type ProgressCallbacks = Pick<RunControl, 'onMetricsPlanned' | 'onMetricStarted' | 'onMetricDone'>;

export interface ProgressDisplay extends ProgressCallbacks {
  /** Log lines written here appear above the progress line instead of through it. */
  logStream: Writable;
  clear: () => void;
}

/**
 * A one-line progress display for a terminal: done/total, failures, the
 * metrics running now. Redrawn in place; cleared when the run ends.
 */
export function progressDisplay(stream: NodeJS.WriteStream): ProgressDisplay {
  let total = 0;
  let done = 0;
  let failed = 0;
  const running = new Set<string>();
  const CLEAR = '\r\x1b[2K';
  const line = () => {
    const names = [...running].join(', ');
    const text = `[${done}/${total}] ${failed} failed${names ? `, running ${names}` : ''}`;
    return text.slice(0, (stream.columns || 80) - 1);
  };
  const draw = () => stream.write(`${CLEAR}${line()}`);
  return {
    // Each run of a backfill starts counting again.
    onMetricsPlanned: (metrics) => {
      total = metrics.length;
      done = 0;
      failed = 0;
      running.clear();
      draw();
    },
    onMetricStarted: (metric) => {
      running.add(metric.metric_id);
      draw();
    },
    onMetricDone: (outcome) => {
      running.delete(outcome.metric_id);
      done++;
      if (outcome.status === 'Failed') failed++;
      draw();
    },
    logStream: new Writable({
      write(chunk, _encoding, callback) {
        stream.write(`${CLEAR}${String(chunk)}`);
        draw();
        callback();
      },
    }),
    clear: () => stream.write(CLEAR),
  };
}
