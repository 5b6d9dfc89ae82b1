// Times `npm run render` end to end (process start, spec, render, write) for each example stack:
// wall clock over several runs, median reported. Target: under one second on a 2-core machine.
// Usage: npx tsx bench/render.ts [--runs N] [--json]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { PROJECT_DIR } from '../infra/spec/index.ts';
import { EXIT, UsageError, parseCli, printJson, progress, renderTable, runCli } from '../scripts/lib/cli.ts';

const TARGET_MS = 1000;
const USAGE = `Usage: npx tsx bench/render.ts [--runs N] [--json]

Runs \`npm run render\` N times (default 5) for every Pulumi.example-*.yaml stack and reports the
median wall-clock time. Exits 1 when a median misses the ${TARGET_MS} ms target.`;

const OPTIONS = {
  runs: { type: 'string', default: '5' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function main(): Promise<number> {
  const { values } = parseCli(process.argv.slice(2), OPTIONS, USAGE);
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return EXIT.OK;
  }
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new UsageError(`--runs ${values.runs}: give a whole number of at least 1`);

  const stacks = readdirSync(PROJECT_DIR)
    .map((name) => /^Pulumi\.(example-[^.]+)\.yaml$/.exec(name)?.[1])
    .filter((name): name is string => name !== undefined)
    .sort();
  const work = mkdtempSync(join(tmpdir(), 'jitsi-eu-bench-'));
  const results: { stack: string; medianMs: number; minMs: number; maxMs: number; runs: number }[] = [];
  try {
    for (const stack of stacks) {
      const times: number[] = [];
      for (let i = 0; i < runs; i++) {
        progress(`${stack}: run ${i + 1} of ${runs}`);
        const start = performance.now();
        const result = spawnSync('npm', ['run', '--silent', 'render', '--', '--stack', stack, '--out', join(work, stack), '--json'], {
          cwd: PROJECT_DIR,
          encoding: 'utf8',
        });
        times.push(performance.now() - start);
        if (result.status !== 0) throw new Error(`npm run render failed for ${stack} (exit ${result.status}): ${result.stderr.trim()}`);
      }
      results.push({ stack, medianMs: Math.round(median(times)), minMs: Math.round(Math.min(...times)), maxMs: Math.round(Math.max(...times)), runs });
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }

  const missed = results.filter((r) => r.medianMs >= TARGET_MS);
  if (values.json) {
    printJson({ targetMs: TARGET_MS, results });
  } else {
    process.stdout.write(
      `${renderTable(
        ['stack', 'median ms', 'min ms', 'max ms', 'runs', `< ${TARGET_MS} ms`],
        results.map((r) => [r.stack, String(r.medianMs), String(r.minMs), String(r.maxMs), String(r.runs), r.medianMs < TARGET_MS ? 'yes' : 'NO']),
      )}\n`,
    );
  }
  return missed.length === 0 ? EXIT.OK : EXIT.FAILED;
}

await runCli(main);
