// `node scripts/launch.mjs COMMAND [ARGS]`: how the npm scripts start a command quickly.
//
// Loading a TypeScript runtime (tsx) costs about half a second on every start, ten times what the
// command itself needs to print its help. So each command is compiled once with esbuild (the
// compiler tsx itself uses) into plain JavaScript under node_modules/.cache/jitsi-eu/, and started
// from there; the compiled copy is rebuilt as soon as any source file it was built from changes.
// Code split at dynamic import() stays in its own chunk, so heavy libraries (the AWS SDK, Pulumi,
// the browser driver) still load only when a command reaches them.
//
// Plain JavaScript on purpose: this file must run before anything can compile TypeScript.
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const PROJECT_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CACHE_DIR = join(PROJECT_DIR, 'node_modules', '.cache', 'jitsi-eu');

/** The compiled entry of a command, when every source it was built from is unchanged. */
function cachedEntry(command) {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(join(CACHE_DIR, `${command}.json`), 'utf8'));
  } catch {
    return undefined;
  }
  for (const [path, [mtimeMs, size]] of Object.entries(manifest.inputs)) {
    try {
      const stat = statSync(join(PROJECT_DIR, path));
      if (stat.mtimeMs !== mtimeMs || stat.size !== size) return undefined;
    } catch {
      return undefined;
    }
  }
  return join(CACHE_DIR, manifest.dir, manifest.entry);
}

/**
 * Sources compiled into one folder keep their own import.meta.url, dirname and filename, so that
 * paths computed from them (the project directory, the templates, files read beside a module)
 * still point into the checkout.
 */
const keepImportMetaUrl = {
  name: 'keep-import-meta-url',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, async (args) => ({
      contents: (await readFile(args.path, 'utf8'))
        .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href))
        .replaceAll('import.meta.dirname', JSON.stringify(dirname(args.path)))
        .replaceAll('import.meta.filename', JSON.stringify(args.path)),
      loader: 'ts',
    }));
  },
};

async function compile(command, source) {
  const { build } = await import('esbuild');
  mkdirSync(CACHE_DIR, { recursive: true });
  const dir = `${command}-${process.pid}-${Date.now()}`;
  const result = await build({
    absWorkingDir: PROJECT_DIR,
    entryPoints: { [command]: source },
    outdir: join(CACHE_DIR, dir),
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    sourcemap: true,
    metafile: true,
    logLevel: 'silent',
    plugins: [keepImportMetaUrl],
  });
  const inputs = {};
  // The launcher itself counts as an input: a change to how it compiles rebuilds every command.
  for (const path of [...Object.keys(result.metafile.inputs), 'scripts/launch.mjs']) {
    const stat = statSync(join(PROJECT_DIR, path));
    inputs[path] = [stat.mtimeMs, stat.size];
  }
  // Write then rename: another command starting at the same moment reads the old or the new file.
  const manifestPath = join(CACHE_DIR, `${command}.json`);
  writeFileSync(`${manifestPath}.${process.pid}`, JSON.stringify({ dir, entry: `${command}.js`, inputs }));
  renameSync(`${manifestPath}.${process.pid}`, manifestPath);
  removeOldBuilds(command, dir);
  return join(CACHE_DIR, dir, `${command}.js`);
}

/** Earlier builds of the command, once no run can still need them (a deploy waits for hours at most). */
function removeOldBuilds(command, current) {
  const dayAgo = Date.now() - 86_400_000;
  for (const name of readdirSync(CACHE_DIR)) {
    if (name === current || !name.startsWith(`${command}-`)) continue;
    const path = join(CACHE_DIR, name);
    try {
      if (statSync(path).mtimeMs < dayAgo) rmSync(path, { recursive: true, force: true });
    } catch {
      // removed by another run meanwhile
    }
  }
}

const [command, ...args] = process.argv.slice(2);
if (!command || !/^[a-z][a-z-]*$/.test(command)) {
  process.stderr.write('usage: node scripts/launch.mjs COMMAND [ARGS]  (e.g. render --help)\n');
  process.exit(2);
}
const source = join(PROJECT_DIR, 'scripts', `${command}.ts`);
try {
  statSync(source);
} catch {
  process.stderr.write(`error: no command ${command}: scripts/${command}.ts does not exist\n`);
  process.exit(2);
}
if (process.env.JITSI_EU_DEBUG) process.setSourceMapsEnabled(true);
// The command sees itself started as scripts/COMMAND.ts, as it would be under tsx.
const argv = [process.argv[0], source, ...args];
let entry = cachedEntry(command);
if (!entry) {
  try {
    entry = await compile(command, source);
  } catch {
    // No writable cache (or a source esbuild cannot compile): run the sources under tsx, which
    // starts slower but reports any error in the source itself.
    const { register } = await import('tsx/esm/api');
    register();
    process.argv = argv;
    await import(pathToFileURL(source).href);
  }
}
if (entry) {
  process.argv = argv;
  await import(pathToFileURL(entry).href);
}
