// Bundles the compiled entry points (dist/src/server.js, cli.js, demo.js) into
// dist/bundle: what `npm start`, `npm run pipeline`, `npm run demo` and the image run.
//
// Why: a cold start spent most of its time finding, reading and compiling about
// 900 small module files (TypeBox, Fastify and DuckDB's API alone are over 600).
// One file per entry, with the lazily loaded parts (the DuckDB and BigQuery
// adapters, Cloud Storage) split into chunks loaded only when used, roughly
// halves start-to-ready (README, "Start-up").
//
// Usage: node bundle.js [dist directory, default ./dist]
import { build } from 'esbuild';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import process from 'node:process';

const dist = path.resolve(process.argv[2] ?? 'dist');
const outdir = path.join(dist, 'bundle');

await rm(outdir, { recursive: true, force: true });
await build({
  entryPoints: ['server', 'cli', 'demo'].map((name) => path.join(dist, 'src', `${name}.js`)),
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // jsonc-parser's `main` is a UMD build that requires its parts by computed name; its `module` build is plain ESM.
  mainFields: ['module', 'main'],
  external: [
    // A native addon: loaded from node_modules, as it must be.
    '@duckdb/node-bindings',
    // The Google clients read files shipped beside their code; they load only in BigQuery or gs:// use anyway.
    '@google-cloud/*',
    'google-auth-library',
  ],
  // Bundled CommonJS modules call require() for Node's built-ins and for the external packages above.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  plugins: [swaggerUiFilesInPlace()],
  logLevel: 'warning',
});

/**
 * @fastify/swagger-ui serves Swagger UI's files from its own directory, found
 * with __dirname, which a bundle does not have. Its code is bundled (with
 * @fastify/static it was a tenth of a cold start to load from node_modules);
 * its __dirname becomes its installed directory, where the files still are.
 */
function swaggerUiFilesInPlace() {
  return {
    name: 'swagger-ui-files-in-place',
    setup(bundler) {
      bundler.onLoad({ filter: /[\\/]node_modules[\\/]@fastify[\\/]swagger-ui[\\/](index|lib[\\/]routes)\.js$/ }, async ({ path: file }) => {
        const within = path.basename(path.dirname(file)) === 'lib' ? 'lib' : '.';
        const installed = `require('node:path').join(require('node:path').dirname(require.resolve('@fastify/swagger-ui')), ${JSON.stringify(within)})`;
        return { contents: `const __dirname = ${installed};\n${await readFile(file, 'utf8')}`, loader: 'js' };
      });
    },
  };
}
