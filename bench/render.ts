// Times `npm run render` end to end (process start, spec, render, write) for each example stack:
// wall clock over several runs, median reported. Target: under one second on a 2-core machine.
// Usage: npx tsx bench/render.ts [--runs N] [--json]
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_DIR } from '../infra/spec/index.ts';
import { EXIT, printJson, progress, renderTable, runCli } from '../scripts/lib/cli.ts';
import { parseBenchArgs, summarise, timeNpmRun, type Timing } from './timing.ts';

const TARGET_MS = 1000;
const USAGE = `Usage: npx tsx bench/render.ts [--runs N] [--json]

Runs \`npm run render\` N times (default 5) for every Pulumi.example-*.yaml stack and reports the
median wall-clock time. Exits 1 when a median misses the ${TARGET_MS} ms target.`;

async function main(): Promise<number> {
  const args = parseBenchArgs(process.argv.slice(2), USAGE);
  if (args === EXIT.OK) return EXIT.OK;
  const { runs } = args;

  const stacks = readdirSync(PROJECT_DIR)
    .map((name) => /^Pulumi\.(example-[^.]+)\.yaml$/.exec(name)?.[1])
    .filter((name): name is string => name !== undefined)
    .sort();
  const work = mkdtempSync(join(tmpdir(), 'jitsi-eu-bench-'));
  const results: (Timing & { stack: string; runs: number })[] = [];
  try {
    for (const stack of stacks) {
      const times: number[] = [];
      for (let i = 0; i < runs; i++) {
        progress(`${stack}: run ${i + 1} of ${runs}`);
        const run = timeNpmRun('render', ['--stack', stack, '--out', join(work, stack), '--json']);
        times.push(run.ms);
        if (run.status !== 0) throw new Error(`npm run render failed for ${stack} (exit ${run.status}): ${run.stderr.trim()}`);
      }
      results.push({ stack, ...summarise(times), runs });
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }

  const missed = results.filter((r) => r.medianMs >= TARGET_MS);
  if (args.json) {
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
