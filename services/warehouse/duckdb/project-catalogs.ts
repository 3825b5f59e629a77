import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { quotedIdentifier, quotedString, type DuckDBConnection } from '@duckdb/node-api';
import type { ErrorCategory } from '../../errors.js';
import { SerialLanes } from '../../serial-lanes.js';
import { ProjectUnavailableError } from '../warehouse.js';

/** Project ids as docs/contract.md#config-file allows them; anything else never becomes a file name. */
const PROJECT_ID = /^[A-Za-z0-9-]+$/;
const FILE_SUFFIX = '.duckdb';
// One lane: ATTACH and DETACH are instance-wide, so they run one at a time.
const LANE = 'catalogs';

export interface ProjectCatalogsOptions {
  /** The warehouse directory, already created. */
  directory: string;
  /** Writes may create the file of a project that has none. */
  createProjects: boolean;
  /** Catalogs nobody uses that stay attached; the least recently used beyond this are detached. */
  maxIdle: number;
  /** Hears of each `*.duckdb` entry found unusable at open, and why. */
  onSkipped: (file: string, reason: string) => void;
}

export interface LeaseOptions {
  /** Create the file of a project that has none, where creating projects is on (writes). */
  create: boolean;
  /** The category of the error when a project cannot be used. */
  category: ErrorCategory;
}

/**
 * One DuckDB file per BigQuery project, `<dir>/<project>.duckdb`, attached as
 * a catalog named exactly after the project (docs/contract.md#warehouses).
 * A query or write leases the catalogs it names for as long as it runs; a
 * catalog nobody leases stays attached only while it is among the `maxIdle`
 * most recently used, so memory and open files stay bounded however many
 * projects runs name. ATTACH is instance-wide, so one connection of its own
 * does it for every other.
 */
export class ProjectCatalogs {
  /** Attached catalogs and how many queries or writes hold each. */
  private readonly leases = new Map<string, number>();
  /** Attached catalogs nobody holds, least recently used first. */
  private readonly idle = new Set<string>();
  private readonly lane = new SerialLanes();

  private constructor(
    private readonly connection: DuckDBConnection,
    private readonly options: ProjectCatalogsOptions,
  ) {}

  /**
   * Opens each project file already in the directory once, so an entry that
   * is not a usable database (a directory, an empty or corrupt file) is
   * reported at start-up; it is skipped, and only queries naming its project fail.
   */
  static async open(connection: DuckDBConnection, options: ProjectCatalogsOptions): Promise<ProjectCatalogs> {
    const catalogs = new ProjectCatalogs(connection, options);
    for (const name of await readdir(options.directory)) {
      const project = name.endsWith(FILE_SUFFIX) ? name.slice(0, -FILE_SUFFIX.length) : '';
      if (!PROJECT_ID.test(project)) continue;
      try {
        (await catalogs.lease([project], { create: false, category: 'PIPELINE_EXECUTION_ERROR' }))();
      } catch (error) {
        options.onSkipped(path.join(options.directory, name), (error as Error).message);
      }
    }
    return catalogs;
  }

  /** Whether the project has an entry in the directory, usable or not. */
  async exists(project: string): Promise<boolean> {
    return PROJECT_ID.test(project) && (await stat(this.fileOf(project)).then(() => true, () => false));
  }

  /**
   * Attaches the projects and holds them until the returned function is
   * called. Rejects with ProjectUnavailableError naming the project, its file
   * and why, holding nothing.
   */
  async lease(projects: readonly string[], options: LeaseOptions): Promise<() => void> {
    const held: string[] = [];
    try {
      for (const project of new Set(projects)) {
        await this.hold(project, options);
        held.push(project);
      }
    } catch (error) {
      held.forEach((project) => this.release(project));
      throw error;
    }
    return () => held.forEach((project) => this.release(project));
  }

  /** Resolves once every attach and detach started so far has settled. */
  settled(): Promise<void> {
    return this.lane.settled();
  }

  private hold(project: string, options: LeaseOptions): Promise<void> {
    if (this.take(project)) return Promise.resolve();
    return this.lane.run(LANE, async () => {
      if (this.take(project)) return;
      await this.attach(project, options);
      this.leases.set(project, 1);
    });
  }

  /** One more holder of an attached catalog; false when it is not attached. */
  private take(project: string): boolean {
    const holders = this.leases.get(project);
    if (holders === undefined) return false;
    this.leases.set(project, holders + 1);
    this.idle.delete(project);
    return true;
  }

  private release(project: string): void {
    const holders = (this.leases.get(project) ?? 1) - 1;
    this.leases.set(project, holders);
    if (holders > 0) return;
    this.idle.add(project);
    const oldest = this.idle.values().next().value;
    if (this.idle.size <= this.options.maxIdle || oldest === undefined) return;
    this.idle.delete(oldest);
    void this.lane.run(LANE, () => this.detach(oldest));
  }

  private async attach(project: string, options: LeaseOptions): Promise<void> {
    if (!PROJECT_ID.test(project)) {
      throw new ProjectUnavailableError(options.category, `'${project}' is not a project id (letters, digits and hyphens)`);
    }
    const file = this.fileOf(project);
    const entry = await stat(file).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw this.unusable(project, file, `could not be read (${error.message})`, options.category);
    });
    if (entry === undefined && !(options.create && this.options.createProjects)) throw this.missing(project, options.category);
    // A FIFO or device would block ATTACH's read for ever; a directory fails it with a less helpful message.
    if (entry !== undefined && !entry.isFile()) {
      throw this.unusable(project, file, entry.isDirectory() ? 'is a directory' : 'is not a regular file', options.category);
    }
    try {
      // ATTACH takes no bound parameters; the path is quoted as a literal and the name as an identifier.
      await this.connection.run(`ATTACH ${quotedString(file)} AS ${quotedIdentifier(project)}`);
    } catch (error) {
      throw this.unusable(project, file, `could not be opened (${(error as Error).message})`, options.category);
    }
  }

  /** Detaches a catalog that is still idle; one leased again since stays. */
  private async detach(project: string): Promise<void> {
    if (this.leases.get(project) !== 0) return;
    // Forgotten first, so a query asking for it meanwhile waits in the lane and attaches it again.
    this.leases.delete(project);
    try {
      await this.connection.run(`DETACH ${quotedIdentifier(project)}`);
    } catch {
      // Still attached, so still idle: the next eviction tries again. Nothing waits on a detach to report to.
      this.leases.set(project, 0);
      this.idle.add(project);
    }
  }

  private missing(project: string, category: ErrorCategory): ProjectUnavailableError {
    const creation = this.options.createProjects ? '' : '; project files are created only with METRICS_DUCKDB_CREATE_PROJECTS=true';
    return new ProjectUnavailableError(
      category,
      `Project '${project}' has no database file ${project}${FILE_SUFFIX} in the warehouse directory ${this.options.directory}${creation}`,
    );
  }

  private unusable(project: string, file: string, reason: string, category: ErrorCategory): ProjectUnavailableError {
    return new ProjectUnavailableError(category, `Project '${project}' cannot be used: ${file} ${reason}`);
  }

  private fileOf(project: string): string {
    return path.join(this.options.directory, `${project}${FILE_SUFFIX}`);
  }
}
