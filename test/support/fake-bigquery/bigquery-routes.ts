import { randomUUID } from 'node:crypto';
import type { TableRef } from '../../../services/table-ref.js';
import type { Row } from '../../../services/warehouse/warehouse.js';
import type { DuckDbEngine, RestParameter } from './duckdb-engine.js';
import { jobResource, type FakeJobs, type JobRecord, type QueryJobConfiguration } from './fake-jobs.js';
import type { Fault } from '../fault-plan.js';
import { HttpError } from '../http-kit.js';
import { columnOfField, restRows, restSchema } from './rest-results.js';
import { checkQueryLimits } from './request-limits.js';
import type { ScanEstimates } from './scan-estimates.js';

export interface RouteContext {
  /** The path's captured parts: project, then job id or dataset and table. */
  parts: string[];
  body: Record<string, unknown>;
  query: URLSearchParams;
  fault: Fault | undefined;
}

export interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  pattern: RegExp;
  /** The endpoint name faults and counts use; jobs.insert of a dry run counts as jobs.dryRun. */
  endpoint: (body: Record<string, unknown>) => string;
  serve: (context: RouteContext) => Promise<{ status: number; body: unknown }>;
}

/** The BigQuery v2 methods the fake serves, on their documented request and response shapes. */
export function bigQueryRoutes(engine: DuckDbEngine, jobs: FakeJobs, scans: ScanEstimates): Route[] {
  const ok = (body: unknown) => ({ status: 200, body });
  const named = (name: string) => () => name;
  const locationOf = (value: unknown) => (typeof value === 'string' && value !== '' ? value : 'US');
  const tableOf = ([project, dataset, table]: string[]): TableRef => ({ project: project!, dataset: dataset!, table: table! });
  const columnsOf = async (table: TableRef) => {
    const columns = await engine.tableColumns(table);
    if (columns === undefined) throw new HttpError(404, 'notFound', `Not found: Table ${table.project}:${table.dataset}.${table.table}`);
    return columns;
  };

  /** A dry run's job resource: planned, never kept. */
  const dryRun = async (projectId: string, location: string, configuration: QueryJobConfiguration) => {
    const query = configuration.query ?? {};
    const plan = await engine.plan(query.query ?? '', query.queryParameters ?? [], projectId);
    const estimate = scans.estimate(query.query ?? '');
    return {
      kind: 'bigquery#job',
      jobReference: { projectId, location },
      configuration,
      status: { state: 'DONE' },
      statistics: { totalBytesProcessed: estimate.totalBytesProcessed, query: { statementType: plan.statementType, ...estimate } },
    };
  };

  return [
    {
      method: 'POST',
      pattern: /^\/projects\/([^/]+)\/jobs$/,
      endpoint: (body) => ((body['configuration'] as QueryJobConfiguration | undefined)?.dryRun ? 'jobs.dryRun' : 'jobs.insert'),
      async serve({ parts: [projectId], body, query, fault }) {
        const configuration = (body['configuration'] ?? {}) as QueryJobConfiguration;
        const reference = (body['jobReference'] ?? {}) as Partial<JobRecord['reference']>;
        const location = locationOf(reference.location);
        checkQueryLimits(configuration.query?.query ?? '', configuration.query?.queryParameters ?? []);
        if (configuration.dryRun) return ok(partialResponse(await dryRun(projectId!, location, configuration), query));
        const record = jobs.insert({ projectId: projectId!, jobId: reference.jobId ?? randomUUID(), location }, configuration, scans.limitFault(configuration) ?? fault);
        return ok(partialResponse(jobResource(record), query));
      },
    },
    {
      method: 'GET',
      pattern: /^\/projects\/([^/]+)\/jobs\/([^/]+)$/,
      endpoint: named('jobs.get'),
      serve: async ({ parts: [projectId, jobId], query }) => ok(partialResponse(jobResource(jobs.find(projectId!, jobId!)), query)),
    },
    {
      method: 'POST',
      pattern: /^\/projects\/([^/]+)\/jobs\/([^/]+)\/cancel$/,
      endpoint: named('jobs.cancel'),
      async serve({ parts: [projectId, jobId] }) {
        const record = jobs.find(projectId!, jobId!);
        jobs.cancel(record);
        return ok({ kind: 'bigquery#jobCancelResponse', job: jobResource(record) });
      },
    },
    {
      method: 'GET',
      pattern: /^\/projects\/([^/]+)\/queries\/([^/]+)$/,
      endpoint: named('jobs.getQueryResults'),
      async serve({ parts: [projectId, jobId], query }) {
        const record = jobs.find(projectId!, jobId!);
        await jobs.waitUntilDone(record, Number(query.get('timeoutMs') ?? 0));
        return ok(queryResults(record, query));
      },
    },
    {
      method: 'POST',
      pattern: /^\/projects\/([^/]+)\/queries$/,
      endpoint: named('jobs.query'),
      async serve({ parts: [projectId], body, fault }) {
        const query = { query: typeof body['query'] === 'string' ? body['query'] : '', queryParameters: (body['queryParameters'] ?? []) as RestParameter[] };
        checkQueryLimits(query.query, query.queryParameters);
        const reference = { projectId: projectId!, jobId: `job_${randomUUID()}`, location: locationOf(body['location']) };
        const record = jobs.insert(reference, { query }, fault);
        await jobs.settle();
        const int64 = (body['formatOptions'] as { useInt64Timestamp?: boolean } | undefined)?.useInt64Timestamp === true;
        return ok({ ...queryResults(record, new URLSearchParams({ 'formatOptions.useInt64Timestamp': String(int64) })), kind: 'bigquery#queryResponse' });
      },
    },
    {
      method: 'GET',
      pattern: /^\/projects\/([^/]+)\/datasets\/([^/]+)\/tables\/([^/]+)$/,
      endpoint: named('tables.get'),
      async serve({ parts }) {
        const table = tableOf(parts);
        return ok(tableResource(table, restSchema(await columnsOf(table))));
      },
    },
    {
      method: 'POST',
      pattern: /^\/projects\/([^/]+)\/datasets\/([^/]+)\/tables$/,
      endpoint: named('tables.insert'),
      async serve({ parts: [projectId, datasetId], body }) {
        const table = tableOf([projectId!, datasetId!, String((body['tableReference'] as { tableId?: string } | undefined)?.tableId ?? '')]);
        if (!(await engine.datasetExists(table.project, table.dataset))) throw new HttpError(404, 'notFound', `Not found: Dataset ${projectId}:${datasetId}`);
        if (await engine.tableExists(table)) throw new HttpError(409, 'duplicate', `Already Exists: Table ${projectId}:${datasetId}.${table.table}`);
        const fields = (body['schema'] as { fields?: Array<{ name: string; type: string }> } | undefined)?.fields ?? [];
        await engine.createTable(table, fields.map(columnOfField));
        return ok(tableResource(table, { fields }));
      },
    },
    {
      method: 'DELETE',
      pattern: /^\/projects\/([^/]+)\/datasets\/([^/]+)\/tables\/([^/]+)$/,
      endpoint: named('tables.delete'),
      async serve({ parts }) {
        const table = tableOf(parts);
        await columnsOf(table);
        await engine.dropTable(table);
        return { status: 204, body: undefined };
      },
    },
    {
      method: 'POST',
      pattern: /^\/projects\/([^/]+)\/datasets\/([^/]+)\/tables\/([^/]+)\/insertAll$/,
      endpoint: named('tabledata.insertAll'),
      async serve({ parts, body }) {
        const table = tableOf(parts);
        const rows = ((body['rows'] ?? []) as Array<{ json: Record<string, unknown> }>).map(
          (row): Row => Object.fromEntries(Object.entries(row.json).map(([name, value]) => [name, restCellText(value)])),
        );
        await engine.insertRows(table, await columnsOf(table), rows);
        return ok({ kind: 'bigquery#tableDataInsertAllResponse' });
      },
    },
  ];
}

/** getQueryResults: jobComplete false while RUNNING; a failed job answers with its error; rows paged by offset tokens. */
function queryResults(record: JobRecord, query: URLSearchParams) {
  if (record.state !== 'DONE') return { kind: 'bigquery#getQueryResultsResponse', jobReference: record.reference, jobComplete: false };
  if (record.failure) throw record.failure;
  const { columns = [], rows = [], affectedRows = 0, statementType } = record.execution ?? {};
  const start = Number(query.get('pageToken') ?? query.get('startIndex') ?? 0);
  const size = Number(query.get('maxResults') ?? 100_000);
  return {
    kind: 'bigquery#getQueryResultsResponse',
    jobReference: record.reference,
    jobComplete: true,
    schema: restSchema(columns),
    totalRows: String(rows.length),
    rows: restRows(columns, rows.slice(start, start + size), query.get('formatOptions.useInt64Timestamp') === 'true'),
    ...(start + size < rows.length ? { pageToken: String(start + size) } : {}),
    ...(statementType !== undefined && statementType !== 'SELECT' ? { numDmlAffectedRows: String(affectedRows) } : {}),
  };
}

/** The standard `fields` parameter of Google's JSON APIs: only the top-level fields named, comma-separated. */
function partialResponse(resource: Record<string, unknown>, query: URLSearchParams): Record<string, unknown> {
  const fields = query.get('fields');
  if (fields === null) return resource;
  const wanted = new Set(fields.split(',').map((field) => field.trim()));
  return Object.fromEntries(Object.entries(resource).filter(([name]) => wanted.has(name)));
}

function tableResource(table: TableRef, schema: unknown) {
  const { project, dataset, table: tableId } = table;
  return {
    kind: 'bigquery#table',
    id: `${project}:${dataset}.${tableId}`,
    tableReference: { projectId: project, datasetId: dataset, tableId },
    schema,
    type: 'TABLE',
  };
}

/** A JSON row value as the port's cell text: strings as they are, numbers, booleans and anything else as JSON. */
function restCellText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? value : JSON.stringify(value);
}
