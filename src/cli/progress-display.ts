import type { RunControl } from '../../services/pipeline/pipeline-dependencies.js';

type ProgressCallbacks = Pick<RunControl, 'onMetricsPlanned' | 'onMetricStarted' | 'onMetricDone'>;

/**
 * A one-line progress display for a terminal: done/total, failures, the metric
 * most recently started. Redrawn in place; cleared when the run ends.
 */
export function progressDisplay(stream: NodeJS.WriteStream): ProgressCallbacks & { clear: () => void } {
  let total = 0;
  let done = 0;
  let failed = 0;
  let current = '';
  const draw = () => {
    const line = `[${done}/${total}] ${failed} failed${current ? `, running ${current}` : ''}`;
    stream.write(`\r\x1b[2K${line.slice(0, (stream.columns || 80) - 1)}`);
  };
  return {
    onMetricsPlanned: (metrics) => {
      total = metrics.length;
      draw();
    },
    onMetricStarted: (metric) => {
      current = metric.metric_id;
      draw();
    },
    onMetricDone: (outcome) => {
      done++;
      if (outcome.status === 'Failed') failed++;
      draw();
    },
    clear: () => stream.write('\r\x1b[2K'),
  };
}
