#!/usr/bin/env node
// dist/warroom.mjs: the whole CLI in one file that runs with plain `node` and no
// node_modules, for bastion hosts that cannot reach a registry (SPEC section 12).
//
//   node scripts/build-bundle.mjs [--out dist/warroom.mjs] [--entry FILE] [--metafile]
//
// The entry does what bin/warroom.js does, from the TypeScript sources. ink, react,
// yoga-layout (its wasm is inlined as base64 by the package itself), xstate, execa, zod
// and yaml are all bundled. Some of them are CommonJS and call require('fs'): the
// program gets a real `require` for node builtins.
//
// The CLI's file is a small ES module (the loader) followed by the program in a comment.
// The loader compiles the program with node:vm and a V8 code cache (docs/bundle.md), so a
// start after the first skips parsing and compiling it: the console's first frame went
// from ~280 to ~200 ms on the bench machine. `--entry FILE` bundles another entry as a
// plain ES module without the loader (the benchmark's bare Ink "hello").

import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire, isBuiltin } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Script } from 'node:vm';

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

// A vm script has no import statements: each builtin becomes a small module that requires
// it where the program first needs it (builtins that only later commands use, such as
// child_process, net and zlib, are no longer loaded at start) and exports its properties
// the way node's own ES module facade does, read once.
const builtinsByRequire = {
  name: 'builtins-by-require',
  setup(builder) {
    const require = createRequire(import.meta.url);
    builder.onResolve({ filter: /^[\w:/]+$/ }, (args) => {
      if (!isBuiltin(args.path)) return undefined;
      return ['import-statement', 'dynamic-import'].includes(args.kind) ? { path: args.path, namespace: 'warroom-builtin' } : { path: args.path, external: true };
    });
    builder.onLoad({ filter: /.*/, namespace: 'warroom-builtin' }, (args) => {
      const names = Object.keys(require(args.path)).filter((name) => name !== 'default' && /^[A-Za-z_$][\w$]*$/.test(name));
      const exports = names.map((name, at) => `const v${at} = builtin.${name};\nexport { v${at} as ${name} };`);
      return { contents: [`const builtin = require(${JSON.stringify(args.path)});`, 'export default builtin;', ...exports].join('\n'), loader: 'js' };
    });
  },
};

// yoga-layout's emscripten loader reads its inlined wasm through fetch() whenever fetch
// exists: node then loads undici (about 20 ms at start) to decode a data: URL. With fetch
// hidden from that one module, it decodes the base64 itself, as it does where fetch is absent.
const yogaWithoutFetch = {
  name: 'yoga-without-fetch',
  setup(builder) {
    builder.onLoad({ filter: /[\\/]yoga-layout[\\/]dist[\\/]binaries[\\/]yoga-wasm-base64-esm\.js$/ }, async (args) => ({
      contents: `const fetch = undefined;\n${await readFile(args.path, 'utf8')}`,
      loader: 'js',
    }));
  },
};

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  // The CLI reads NODE_ENV nowhere; React does, and its production build is smaller and faster.
  define: { 'process.env.NODE_ENV': '"production"' },
  tsconfig: join(REPO, 'tsconfig.json'),
  legalComments: 'eof',
  minifySyntax: true,
  logLevel: 'warning',
};

/** Bundles `entry` (default: the CLI) into the single file `out`. */
export async function bundle({ out, entry, metafile = false }) {
  mkdirSync(dirname(out), { recursive: true });
  const result = entry
    ? await build({ ...common, entryPoints: [entry], outfile: out, format: 'esm', banner: { js: BANNER }, plugins: [noInkDevtools], metafile })
    : await build({
        ...common,
        stdin: { contents: CLI_ENTRY, resolveDir: REPO, sourcefile: 'warroom-entry.ts', loader: 'ts' },
        outfile: out,
        write: false,
        format: 'esm',
        define: { ...common.define, 'import.meta.url': 'warroomModuleUrl' },
        plugins: [noInkDevtools, builtinsByRequire, yogaWithoutFetch],
        metafile,
      });
  if (!entry) writeFileSync(out, withLoader(result.outputFiles[0].text));
  chmodSync(out, 0o755);
  if (metafile && result.metafile) writeFileSync(`${out}.meta.json`, JSON.stringify(result.metafile));
  return { out, bytes: statSync(out).size };
}

// ─── the loader ─────────────────────────────────────────────────────────────

// The program sits in a block comment, where "*/" would end it early: it is written with
// a control character between the two, which the loader takes out again.
const PROGRAM_START = '/*warroom-program';
const COMMENT_END = '*/';
const ESCAPED_END = '*\x01/';

/**
 * The CLI's file: the loader, then esbuild's output as the body of an async function
 * (its top-level await stays legal; `require` and the module's URL come in as arguments)
 * inside a comment, ASCII only so the loader can read it back as latin1.
 */
function withLoader(esm) {
  const program = `(async function (require, warroomModuleUrl) {"use strict";\n${esm}\n})`.replace(
    /[^\x00-\x7f]/g,
    // Only comments hold non-ASCII here (esbuild escapes it everywhere else); an escape is as good.
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  if (program.includes(ESCAPED_END)) throw new Error('the program already holds the escape the loader undoes');
  // A leftover import statement or import.meta would only fail on the bastion: fail the build instead.
  new Script(program, { filename: 'dist/warroom.mjs (program)' });
  const buildId = createHash('sha256').update(LOADER).update(program).digest('hex').slice(0, 16);
  // Stack traces give the file's own line numbers: the loader's lines and PROGRAM_START's come first.
  const linesBefore = LOADER.split('\n').length + 1;
  const loader = LOADER.replace('@BUILD_ID@', buildId).replace('@LINES_BEFORE@', String(linesBefore));
  return `${loader}\n${PROGRAM_START}\n${program.replaceAll(COMMENT_END, ESCAPED_END)}\n${COMMENT_END}\n`;
}

// The loader as it appears at the top of dist/warroom.mjs (String.raw: what is written is
// what runs); @BUILD_ID@ and @LINES_BEFORE@ are filled in per build.
const LOADER = String.raw`#!/usr/bin/env node
// warroom, the whole CLI in one file (docs/bundle.md). The program is in the comment at the
// end; this loader compiles it with a V8 code cache kept per user and per command, so a
// start after the first one skips parsing and compiling it. Any trouble with the cache
// (a folder that cannot be written, a cache from another node) means compiling as usual.
import { createHash } from 'node:crypto';
import { closeSync, constants as fsConstants, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { constants, Script } from 'node:vm';

const BUILD_ID = '@BUILD_ID@';
const LINES_BEFORE = @LINES_BEFORE@;
const DIGEST_BYTES = 32;
const KEPT_PER_COMMAND = 4;

const file = fileURLToPath(import.meta.url);
const { program, size, mtimeMs } = readProgram(file);
// One cache a command: the first command run after an install (often --help) would
// otherwise decide what every later one finds compiled. A copy or an edit of this file
// (size, mtime) or another node is another cache.
const command = /^[a-z]{1,16}$/.test(process.argv[2] ?? '') ? process.argv[2] : 'default';
const folder = ownFolder(cacheFolder(process.env));
const name = [command, BUILD_ID, size, Math.trunc(mtimeMs), process.version, process.arch].join('-') + '.v8cache';
const script = new Script(program, {
  filename: file,
  lineOffset: LINES_BEFORE,
  cachedData: folder === undefined ? undefined : readCache(join(folder, name)),
  // The program imports nothing at run time; should it ever, import() works as in a module.
  importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
});
// undefined: there was no cache to offer; true: V8 would not take it.
if (folder !== undefined && script.cachedDataRejected !== false) keepCache(folder, name);
await script.runInThisContext()(createRequire(import.meta.url), import.meta.url);

/** The program: from the line after PROGRAM_START (near the top) to the last line, COMMENT_END. */
function readProgram(file) {
  const fd = openSync(file, 'r');
  try {
    const { size, mtimeMs } = fstatSync(fd);
    const text = readFileSync(fd, 'latin1');
    const program = text
      .slice(text.indexOf(${JSON.stringify(`\n${PROGRAM_START}\n`)}) + ${PROGRAM_START.length + 2}, text.lastIndexOf(${JSON.stringify(`\n${COMMENT_END}`)}))
      .replaceAll(${JSON.stringify(ESCAPED_END)}, ${JSON.stringify(COMMENT_END)});
    return { program, size, mtimeMs };
  } finally {
    closeSync(fd);
  }
}

/** WARROOM_COMPILE_CACHE=off, or a folder; by default the user's cache folder. */
function cacheFolder(env) {
  if (env.WARROOM_COMPILE_CACHE === 'off') return undefined;
  if (env.WARROOM_COMPILE_CACHE) return env.WARROOM_COMPILE_CACHE;
  try {
    return join(env.XDG_CACHE_HOME && isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : join(homedir(), '.cache'), 'warroom');
  } catch {
    return undefined;
  }
}

/** The folder if no one else may change what is in it (or it is still to be made), else undefined. */
function ownFolder(folder) {
  if (folder === undefined) return undefined;
  try {
    const stat = statSync(folder);
    return stat.isDirectory() && stat.uid === process.getuid?.() && (stat.mode & 0o022) === 0 ? folder : undefined;
  } catch (error) {
    return error.code === 'ENOENT' ? folder : undefined;
  }
}

/** The cache, if this user wrote it and no one else may: compiled code runs with our rights. */
function readCache(path) {
  let handle;
  try {
    // Non-blocking: a FIFO planted under the cache's name must not hang the start.
    handle = openSync(path, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
    const stat = fstatSync(handle);
    if (!stat.isFile() || stat.uid !== process.getuid?.() || (stat.mode & 0o022) !== 0) return undefined;
    // V8 checks a cache's version and length, not its bytes (a flipped bit is a crash): the file carries a digest.
    const data = readFileSync(handle);
    const code = data.subarray(DIGEST_BYTES);
    return code.length > 0 && digestOf(code).equals(data.subarray(0, DIGEST_BYTES)) ? code : undefined;
  } catch {
    return undefined;
  } finally {
    if (handle !== undefined) closeSync(handle);
  }
}

/**
 * Writes what V8 has compiled by then: once start-up is over (1.5 s) or at exit, whichever
 * comes first. Bad input (exit 3) ends before any real work and would leave a cache per typo.
 */
function keepCache(folder, name) {
  let kept = false;
  const keep = () => {
    if (kept) return;
    kept = true;
    try {
      makeFolder(folder);
      const path = join(folder, name);
      const partial = path + '.' + process.pid + '.tmp';
      const code = script.createCachedData();
      writeFileSync(partial, Buffer.concat([digestOf(code), code]), { flag: 'wx', mode: 0o600 });
      renameSync(partial, path);
      // The newest few per command: two installed copies used in turn must not evict each other.
      const older = readdirSync(folder)
        .filter((entry) => entry.startsWith(command + '-'))
        .map((entry) => ({ entry, at: statSync(join(folder, entry)).mtimeMs }))
        .sort((a, b) => b.at - a.at)
        .slice(KEPT_PER_COMMAND);
      for (const { entry } of older) rmSync(join(folder, entry), { force: true });
    } catch {
      // Not writable: every start compiles, as without a cache.
    }
  };
  setTimeout(keep, 1500).unref();
  process.once('exit', (code) => code !== 3 && keep());
}

/** The folder and at most its parent (~/.cache): node's recursive mkdir never returns on /proc-like file systems. */
function makeFolder(folder) {
  try {
    mkdirSync(folder, { mode: 0o700 });
  } catch (error) {
    if (error.code === 'EEXIST') return;
    if (error.code !== 'ENOENT') throw error;
    mkdirSync(dirname(folder), { mode: 0o700 });
    mkdirSync(folder, { mode: 0o700 });
  }
}

function digestOf(code) {
  return createHash('sha256').update(code).digest();
}`;

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
