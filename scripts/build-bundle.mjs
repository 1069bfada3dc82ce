#!/usr/bin/env node
// dist/warroom.mjs: the whole CLI in one file that runs with plain `node` and no
// node_modules, for bastion hosts that cannot reach a registry (SPEC section 12).
//
//   node scripts/build-bundle.mjs [--out dist/warroom.mjs] [--entry FILE] [--metafile]
//
// The entry does what bin/warroom.js does, from the TypeScript sources. ink, react,
// yoga-layout (its wasm is inlined as base64 by the package itself), xstate, execa,
// archiver, zod and yaml are all bundled. Some of them are CommonJS and call
// require('fs'): the banner gives the ES module a real `require` for node builtins.
// `--entry FILE` bundles another entry the same way (the benchmark's bare Ink "hello").

import { build } from 'esbuild';
import { chmodSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const BANNER = [
  '#!/usr/bin/env node',
  "import { createRequire as __warroomCreateRequire } from 'node:module';",
  'const require = __warroomCreateRequire(import.meta.url);',
].join('\n');

// The same two lines as bin/warroom.js, pointed at the sources instead of the tsc output.
const CLI_ENTRY = `import { main } from './src/cli/main.ts';\nprocess.exitCode = await main(process.argv.slice(2));\n`;

// Ink loads its devtools (react-devtools-core, not installed) only when DEV=true. Bundled,
// that dynamic import would become a static one of a missing package; the stub fails the
// way a missing package does, so Ink prints its own warning and goes on.
const noInkDevtools = {
  name: 'no-ink-devtools',
  setup(builder) {
    builder.onResolve({ filter: /^\.\/devtools\.js$/ }, (args) =>
      /[\\/]ink[\\/]build[\\/]/.test(args.importer) ? { path: 'ink-devtools', namespace: 'warroom-stub' } : undefined,
    );
    builder.onLoad({ filter: /.*/, namespace: 'warroom-stub' }, () => ({
      contents: "throw Object.assign(new Error('react-devtools-core is not in the bundle'), { code: 'ERR_MODULE_NOT_FOUND' });",
      loader: 'js',
    }));
  },
};

/** Bundles `entry` (default: the CLI) into the single file `out`. */
export async function bundle({ out, entry, metafile = false }) {
  mkdirSync(dirname(out), { recursive: true });
  const result = await build({
    ...(entry ? { entryPoints: [entry] } : { stdin: { contents: CLI_ENTRY, resolveDir: REPO, sourcefile: 'warroom-entry.ts', loader: 'ts' } }),
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    banner: { js: BANNER },
    // The CLI reads NODE_ENV nowhere; React does, and its production build is smaller and faster.
    define: { 'process.env.NODE_ENV': '"production"' },
    plugins: [noInkDevtools],
    tsconfig: join(REPO, 'tsconfig.json'),
    legalComments: 'eof',
    minifySyntax: true,
    logLevel: 'warning',
    metafile,
  });
  chmodSync(out, 0o755);
  if (metafile && result.metafile) writeFileSync(`${out}.meta.json`, JSON.stringify(result.metafile));
  return { out, bytes: statSync(out).size };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: join(REPO, 'dist/warroom.mjs') },
      entry: { type: 'string' },
      metafile: { type: 'boolean', default: false },
    },
  });
  const { out, bytes } = await bundle({ out: resolve(values.out), entry: values.entry && resolve(values.entry), metafile: values.metafile });
  console.log(`bundle: ${relative(process.cwd(), out) || out} (${(bytes / 1024 / 1024).toFixed(1)} MB)`);
}
