import type { IncomingMessage, ServerResponse } from 'node:http';
import { bigQueryRoutes } from './bigquery-routes.js';
import { DuckDbEngine } from './duckdb-engine.js';
import { FakeJobs, type JobLatency } from './fake-jobs.js';
import { ScanEstimates } from './scan-estimates.js';
import { FaultPlan } from '../fault-plan.js';
import { HttpError, listenOnLoopback, parseJson, readBody, serveWithFaults } from '../http-kit.js';
import { checkRequestBytes } from './request-limits.js';

export interface FakeBigQuery {
  /** http://127.0.0.1:<port>, for apiEndpoint or BIGQUERY_EMULATOR_HOST. */
  url: string;
  faults: FaultPlan;
  /** The jobs, and `jobs.executions`: how many times SQL really ran. */
  jobs: FakeJobs;
  /** The storage, for fixtures (ensureDataset, runDuckDb) and for reading back what was written. */
  engine: DuckDbEngine;
  /** The bytes dry runs report and jobs bill, per table; jobs over their maximumBytesBilled fail as on BigQuery. */
  scans: ScanEstimates;
  close(): Promise<void>;
}

/**
 * A local BigQuery REST server (v2) on 127.0.0.1 and a random port, for the
 * real @google-cloud/bigquery client. Paths are served with and without the
 * /bigquery/v2 prefix, because the client drops it when BIGQUERY_EMULATOR_HOST
 * is set. Like BigQuery it refuses requests past its limits (request-limits.ts),
 * so a test fails where production would. `jobLatency` keeps jobs RUNNING for
 * a while, as benchmarks model BigQuery's own latency.
 */
export async function startFakeBigQuery(options: { jobLatency?: JobLatency } = {}): Promise<FakeBigQuery> {
  const engine = await DuckDbEngine.create();
  const faults = new FaultPlan();
  const jobs = new FakeJobs(engine, options.jobLatency);
  const scans = new ScanEstimates();
  const routes = bigQueryRoutes(engine, jobs, scans);

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname.replace(/^\/bigquery\/v2/, '');
    const raw = await readBody(request);
    const body = parseJson(raw);
    for (const route of routes) {
      const match = route.method === request.method ? route.pattern.exec(path) : null;
      if (match === null) continue;
      const parts = match.slice(1).map(decodeURIComponent);
      return serveWithFaults(faults, route.endpoint(body), response, async (fault) => {
        checkRequestBytes(raw.length);
        return route.serve({ parts, body, query: url.searchParams, fault });
      });
    }
    return serveWithFaults(faults, 'unknown', response, async () => {
      throw new HttpError(404, 'notFound', `The fake serves no ${request.method} ${url.pathname}`);
    });
  };

  const server = await listenOnLoopback(handle);
  return {
    url: server.url,
    faults,
    jobs,
    engine,
    scans,
    async close() {
      jobs.stopWaiting();
      await server.close();
      await jobs.settle();
      engine.close();
    },
  };
}
