import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import t from 'tap';

// What the Dockerfile's runtime stage does, without a Docker engine: production dependencies
// alone, installed with the Dockerfile's own `npm ci` flags, plus the compiled output it copies,
// started with its CMD. Slow (one `npm ci` from the npm cache or registry); nothing is timed.
t.setTimeout(10 * 60_000);

const ROOT = new URL('../../', import.meta.url).pathname;
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');

interface Stage {
  from: string;
  name: string;
  lines: string[];
}

/** The Dockerfile's stages with their instruction lines (comments dropped, ARG defaults substituted in FROM). */
function stagesOf(text: string): Stage[] {
  const args = new Map<string, string>();
  const stages: Stage[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const arg = /^ARG\s+(\w+)=(\S+)$/.exec(line);
    if (arg && stages.length === 0) args.set(arg[1] as string, arg[2] as string);
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?$/i.exec(line);
    if (from) {
      const image = (from[1] as string).replace(/\$\{(\w+)\}/g, (whole, name: string) => args.get(name) ?? whole);
      stages.push({ from: image, name: from[2] ?? '', lines: [] });
    } else {
      stages.at(-1)?.lines.push(line);
    }
  }
  return stages;
}

const stages = stagesOf(dockerfile);
const runtime = stages.at(-1) as Stage;
const cmdLine = runtime.lines.find((line) => line.startsWith('CMD '));
const cmd = cmdLine ? (JSON.parse(cmdLine.slice(4)) as string[]) : [];
const installLine = runtime.lines.find((line) => /^RUN npm ci\b/.test(line)) ?? '';
/** The runtime stage's `npm ci ...` arguments (after `npm`), up to the first `&&`. */
const installArgs = installLine.slice('RUN '.length).split('&&')[0]?.trim().split(/\s+/).slice(1) ?? [];
const copies = runtime.lines.filter((line) => line.startsWith('COPY ')).map((line) => line.split(/\s+/).slice(1));
const env = Object.fromEntries(
  runtime.lines.filter((line) => line.startsWith('ENV ')).map((line) => line.slice(4).split('=') as [string, string]),
);

t.test('the Dockerfile: Node 22 bookworm, production dependencies only, the bundled output only, non-root, node dist/bundle/server.js', async (t) => {
  t.ok(stages.length >= 2, 'multi-stage');
  t.equal(runtime.from, 'node:22-bookworm-slim', 'runtime base is Node 22 LTS on glibc (DuckDB ships glibc binaries)');
  t.same(cmd, ['node', 'dist/bundle/server.js'], 'CMD is the bundled server entry');
  t.equal(installArgs[0], 'ci', 'runtime installs with npm ci (from the lockfile)');
  t.ok(installArgs.includes('--omit=dev'), 'runtime installs production dependencies only');
  t.ok(installArgs.includes('--ignore-scripts'), 'runtime runs no install scripts (prepare would need tsc)');
  const user = runtime.lines.filter((line) => line.startsWith('USER ')).at(-1);
  t.ok(user !== undefined && !/^USER\s+(root|0)(:|$)/.test(user), `runs as a non-root user (${user})`);
  for (const [first, , dest] of copies) {
    if (first === '--from=build') t.equal(dest, './dist/bundle', `copies the bundled output only from the build stage: ${dest}`);
  }
  const sources = copies.filter(([first]) => first !== '--from=build').flatMap((copy) => copy.slice(0, -1));
  t.same(sources.sort(), ['examples', 'package-lock.json', 'package.json'], 'nothing else from the sources: no src/, test/, tsconfig');
  const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').map((line) => line.trim());
  for (const entry of ['node_modules', 'dist', 'data', 'test', '.git']) t.ok(ignored.includes(entry), `.dockerignore keeps ${entry} out`);
});

t.test('production dependencies and the bundled output alone start the service, serve its docs, stop on SIGTERM, and run the CLI and the demo', async (t) => {
  // Filled in below; the teardown, registered first, kills whatever was started.
  const started: { child?: ChildProcess } = {};
  // Outside the repository: npm must never mistake the repository for the project it installs into.
  const dir = mkdtempSync(join(tmpdir(), 'metrics-image-'));
  t.teardown(() => {
    const { child } = started;
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  const app = join(dir, 'app');
  mkdirSync(app);

  // The build stage, `npm run build`: compile, then bundle, into a directory of our own, never the
  // possibly stale ./dist. It is inside the repository, where the bundler finds node_modules.
  const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  t.equal(scripts['build'], 'tsc -p tsconfig.build.json && node bundle.js', 'the build the steps below repeat');
  const built = t.testdir();
  const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', built], {
    encoding: 'utf8',
  });
  t.equal(tsc.status, 0, `tsc -p tsconfig.build.json${tsc.status === 0 ? '' : `: ${tsc.stdout}${tsc.stderr}`}`);
  const bundle = spawnSync(process.execPath, [join(ROOT, 'bundle.js'), built], { encoding: 'utf8' });
  t.equal(bundle.status, 0, `node bundle.js${bundle.status === 0 ? '' : `: ${bundle.stderr}`}`);

  // The runtime stage, COPY by COPY.
  for (const copy of copies) {
    const fromBuild = copy[0] === '--from=build';
    const sources = copy.slice(fromBuild ? 1 : 0, -1);
    const dest = copy.at(-1) as string;
    for (const source of sources) {
      const from = fromBuild ? join(built, source.replace(/^\/app\/dist\//, '')) : join(ROOT, source);
      cpSync(from, join(app, dest.endsWith('/') ? join(dest, basename(source)) : dest), { recursive: true });
    }
  }
  t.ok(existsSync(join(app, cmd[1] as string)), `${cmd[1]} is in the image`);

  // `npx tap` exports npm_config_local_prefix=<repository>; an npm started with it would install
  // into the repository's node_modules. The child npm gets an environment without npm's variables,
  // and must agree that the app directory is the project before anything is installed.
  const npmEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));
  const prefix = spawnSync('npm', ['prefix'], { cwd: app, env: npmEnv, encoding: 'utf8' });
  t.equal(realpathSync(prefix.stdout.trim()), realpathSync(app), 'npm installs into the temporary app directory');
  if (realpathSync(prefix.stdout.trim()) !== realpathSync(app)) return;
  const npmArgs = [...installArgs, '--prefer-offline'];
  const npm = spawnSync('npm', npmArgs, { cwd: app, env: npmEnv, encoding: 'utf8' });
  t.equal(npm.status, 0, `npm ${npmArgs.join(' ')}${npm.status === 0 ? '' : `: ${npm.stderr.slice(-2000)}`}`);
  const duckdb = readFileSync(join(app, 'node_modules/@duckdb/node-bindings/package.json'), 'utf8');
  t.ok(duckdb.length > 0, '@duckdb/node-bindings installed');
  const platform = `node-bindings-${process.platform}-${process.arch}`;
  t.ok(existsSync(join(app, 'node_modules/@duckdb', platform, 'duckdb.node')), `the prebuilt DuckDB binary came with @duckdb/${platform}, no build script needed`);
  // (yaml is not listed: a production dependency needs it too.)
  for (const dev of ['typescript', 'tap', 'supertest']) t.notOk(existsSync(join(app, 'node_modules', dev)), `no devDependency ${dev}`);

  const [command, ...args] = cmd;
  const child = spawn(command === 'node' ? process.execPath : (command as string), args, {
    cwd: app,
    env: {
      PATH: process.env.PATH ?? '',
      ...env,
      PORT: '0',
      HOST: '127.0.0.1',
      METRICS_DUCKDB_DIR: join(dir, 'warehouse'),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.child = child;
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Server listening at (http:\/\/[^"\s]+)/.exec(output);
      if (match) resolve(match[1] as string);
    });
    void exited.then(() => reject(new Error(`the server exited before listening:\n${output}`)));
  });

  const health = await fetch(`${url}/healthz`);
  t.equal(health.status, 200, 'GET /healthz');
  t.same(await health.json(), { status: 'ok' });
  const ready = await fetch(`${url}/readyz`);
  t.equal(ready.status, 200, 'GET /readyz: the embedded warehouse opened in METRICS_DUCKDB_DIR');
  const document = (await (await fetch(`${url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
  t.ok(document.paths['/runs'], 'GET /openapi.json describes the routes');
  const docs = await fetch(`${url}/docs/`);
  t.match(await docs.text(), /Swagger UI/, 'GET /docs/: Swagger UI');
  const css = await fetch(`${url}/docs/static/swagger-ui.css`);
  t.match({ status: css.status, text: await css.text() }, { status: 200, text: /\.swagger-ui/ }, "Swagger UI's own files, served from its installed directory");

  child.kill('SIGTERM');
  const { code, signal } = await exited;
  const clean = code === 0 && signal === null;
  t.same({ code, signal }, { code: 0, signal: null }, `exits 0 on SIGTERM after closing${clean ? '' : `\n${output.slice(-2000)}`}`);
  t.match(output, /"signal":"SIGTERM"/, 'logged the shutdown');

  // The other two bundled entry points: the CLI, and the demo (a whole run on the embedded warehouse).
  const help = spawnSync(process.execPath, ['dist/bundle/cli.js', '--help'], { cwd: app, encoding: 'utf8' });
  t.equal(help.status, 0, 'node dist/bundle/cli.js --help');
  t.match(help.stdout, /--partition_info_table/);
  const demo = spawnSync(process.execPath, ['dist/bundle/demo.js'], { cwd: app, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
  t.equal(demo.status, 0, `node dist/bundle/demo.js${demo.status === 0 ? '' : `: ${demo.stderr.slice(-2000)}`}`);
  t.match(demo.stdout + demo.stderr, /6 passed, 1 failed/, 'the demo run: refund_rate fails on purpose');
});
