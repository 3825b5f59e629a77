import { existsSync } from 'node:fs';
import { mkdir, readdir, realpath } from 'node:fs/promises';
import path from 'node:path';
import { quotedIdentifier, quotedString, type DuckDBConnection } from '@duckdb/node-api';
import { tableReferences } from '../../sql/table-references.js';
import { SerialLanes } from '../../serial-lanes.js';

/** Project ids as docs/contract.md#config-file allows them; anything else never becomes a file name. */
const PROJECT_ID = /^[A-Za-z0-9-]+$/;
const FILE_SUFFIX = '.duckdb';
// One lane: attaches are instance-wide, so they run one at a time.
const ATTACH_LANE = 'attach';

/**
 * One DuckDB file per BigQuery project, `<dir>/<project>.duckdb`, attached as
 * a catalog named exactly after the project (docs/contract.md#warehouses). ATTACH is
 * instance-wide, so one connection of its own does it for every other, and
 * attaches are serialized so two queries never attach the same file twice.
 */
export class ProjectCatalogs {
  private readonly attached = new Set<string>();
  private readonly attaches = new SerialLanes();

  private constructor(
    private readonly directory: string,
    private readonly connection: DuckDBConnection,
  ) {}

  /** Attaches every project file already in `directory` (created if missing). */
  static async open(directory: string, connection: DuckDBConnection): Promise<ProjectCatalogs> {
    await mkdir(directory, { recursive: true });
    // Metric SQL is read-only but could still read any file the process can
    // (read_csv('/etc/...')) and echo it in an error message. File access is
    // confined to the warehouse directory, for good: DuckDB refuses to turn
    // external access back on while the database runs.
    const confined = `${await realpath(directory)}${path.sep}`;
    await connection.run(`SET allowed_directories = [${quotedString(confined)}]`);
    await connection.run('SET enable_external_access = false');
    const catalogs = new ProjectCatalogs(directory, connection);
    for (const name of await readdir(directory)) {
      const project = name.endsWith(FILE_SUFFIX) ? name.slice(0, -FILE_SUFFIX.length) : '';
      if (PROJECT_ID.test(project)) await catalogs.ensure(project, { create: false });
    }
    return catalogs;
  }

  /**
   * Attaches the project's file; with `create` a missing file is created.
   * Resolves true when the project is attached afterwards.
   */
  ensure(project: string, options: { create: boolean }): Promise<boolean> {
    if (this.attached.has(project)) return Promise.resolve(true);
    return this.attaches.run(ATTACH_LANE, async () => {
      if (this.attached.has(project)) return true;
      const file = this.fileOf(project);
      if (file === undefined || (!options.create && !existsSync(file))) return false;
      // ATTACH takes no bound parameters; the path is quoted as a literal and the name as an identifier.
      await this.connection.run(`ATTACH ${quotedString(file)} AS ${quotedIdentifier(project)}`);
      this.attached.add(project);
      return true;
    });
  }

  /**
   * Attaches the existing files of the projects a BigQuery query names. Read
   * from our own lexer rather than DuckDB's getTableNames, which parses
   * synchronously on the event loop and serialised every query behind it.
   */
  async attachNamedIn(bigQuerySql: string): Promise<void> {
    for (const reference of tableReferences(bigQuerySql)) {
      if (reference.project !== undefined) await this.ensure(reference.project, { create: false });
    }
  }

  /** Resolves once every attach started so far has settled. */
  settled(): Promise<void> {
    return this.attaches.settled();
  }

  private fileOf(project: string): string | undefined {
    return PROJECT_ID.test(project) ? path.join(this.directory, `${project}${FILE_SUFFIX}`) : undefined;
  }
}
