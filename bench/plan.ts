// Wall-clock time of `npm run plan -- --config <stack> --json` for each example stack, as a user
// runs it (npm, tsx, the SDK, the program under mocks, policies, cost). Target: under 3 s.
//   npx tsx bench/plan.ts [--runs N] [--json]
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { PROJECT_DIR, stackFileFor } from '../infra/spec/index.ts';
import { EXIT, UsageError, parseCli, printJson, progress, renderTable, runCli } from '../scripts/lib/cli.ts';

const USAGE = `Usage: npx tsx bench/plan.ts [--runs N] [--json]

Times \`npm run plan -- --config <stack> --json\` for each example stack (wall clock, median of N
runs, default 5) and fails when a median exceeds the 3 s target.`;

export const TARGET_MS = 3000;
const STACKS = ['example-sandbox', 'example-production', 'example-scalable'];

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

function timePlan(stack: string): number {
  const started = process.hrtime.bigint();
  const result = spawnSync('npm', ['run', '--silent', 'plan', '--', '--config', stackFileFor(stack), '--json'], {
    cwd: PROJECT_DIR,
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`plan for ${stack} exited ${String(result.status)}: ${result.stderr}`);
  JSON.parse(result.stdout);
  return elapsed;
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseCli(argv, { runs: { type: 'string', default: '5' }, json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } }, USAGE);
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return EXIT.OK;
  }
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new UsageError(`--runs ${JSON.stringify(values.runs)}: give a whole number of at least 1`);
  const results = STACKS.map((stack) => {
    progress(`${stack}: ${runs} run${runs === 1 ? '' : 's'}`);
    timePlan(stack); // warm the file system and tsx caches
    const times = Array.from({ length: runs }, () => timePlan(stack));
    return { stack, medianMs: Math.round(median(times)), minMs: Math.round(Math.min(...times)), maxMs: Math.round(Math.max(...times)) };
  });
  const ok = results.every((r) => r.medianMs < TARGET_MS);
  if (values.json) printJson({ targetMs: TARGET_MS, runs, results, ok });
  else {
    process.stdout.write(`${renderTable(['stack', 'median', 'min', 'max'], results.map((r) => [r.stack, `${r.medianMs} ms`, `${r.minMs} ms`, `${r.maxMs} ms`]))}\n`);
    process.stdout.write(`target: median under ${TARGET_MS} ms per stack: ${ok ? 'met' : 'NOT met'}\n`);
  }
  return ok ? EXIT.OK : EXIT.FAILED;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  void runCli(() => main(process.argv.slice(2)));
}
