// Wall-clock time of `npm run plan -- --config <stack> --json` for each example stack, as a user
// runs it (npm, tsx, the SDK, the program under mocks, policies, cost). Target: under 3 s.
//   npx tsx bench/plan.ts [--runs N] [--json]
import { pathToFileURL } from 'node:url';
import { stackFileFor } from '../infra/spec/index.ts';
import { EXIT, printJson, progress, renderTable, runCli } from '../scripts/lib/cli.ts';
import { parseBenchArgs, summarise, timeNpmRun } from './timing.ts';

const USAGE = `Usage: npx tsx bench/plan.ts [--runs N] [--json]

Times \`npm run plan -- --config <stack> --json\` for each example stack (wall clock, median of N
runs, default 5) and fails when a median exceeds the 3 s target.`;

export const TARGET_MS = 3000;
const STACKS = ['example-sandbox', 'example-production', 'example-scalable'];

function timePlan(stack: string): number {
  const run = timeNpmRun('plan', ['--config', stackFileFor(stack), '--json']);
  if (run.status !== 0) throw new Error(`plan for ${stack} exited ${String(run.status)}: ${run.stderr}`);
  JSON.parse(run.stdout);
  return run.ms;
}

async function main(argv: string[]): Promise<number> {
  const args = parseBenchArgs(argv, USAGE);
  if (args === EXIT.OK) return EXIT.OK;
  const { runs } = args;
  const results = STACKS.map((stack) => {
    progress(`${stack}: ${runs} run${runs === 1 ? '' : 's'}`);
    timePlan(stack); // warm the file system and tsx caches
    return { stack, ...summarise(Array.from({ length: runs }, () => timePlan(stack))) };
  });
  const ok = results.every((r) => r.medianMs < TARGET_MS);
  if (args.json) printJson({ targetMs: TARGET_MS, runs, results, ok });
  else {
    process.stdout.write(`${renderTable(['stack', 'median', 'min', 'max'], results.map((r) => [r.stack, `${r.medianMs} ms`, `${r.minMs} ms`, `${r.maxMs} ms`]))}\n`);
    process.stdout.write(`target: median under ${TARGET_MS} ms per stack: ${ok ? 'met' : 'NOT met'}\n`);
  }
  return ok ? EXIT.OK : EXIT.FAILED;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  void runCli(() => main(process.argv.slice(2)));
}
