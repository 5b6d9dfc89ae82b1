// Wall-clock time of `npm run verify` as a user runs it (npm, tsx, every external check) against a
// jitsi-eu deployment on loopback (real nginx, Prosody and coturn with the rendered files), and of
// a run against a host that drops every packet. Targets: a full run under 5 s; the unreachable
// run ends within its --timeout with exit code 2.
//   npx tsx bench/verify.ts [--runs N] [--json]
import { spawnSync } from 'node:child_process';
import { PROJECT_DIR } from '../infra/spec/index.ts';
import { EXIT, UsageError, parseCli, printJson, progress, renderTable, runCli } from '../scripts/lib/cli.ts';
import { runVerify } from '../scripts/verify/run.ts';
import { startLoopbackDeployment, startUnresponsivePorts } from '../test/fixtures/verify/deployment.ts';

const USAGE = `Usage: npx tsx bench/verify.ts [--runs N] [--json]

Starts a jitsi-eu deployment on loopback (nginx, Prosody, coturn with the rendered files), then
times a full external \`npm run verify\` against it (median of N runs, default 5; target < 5 s),
the same run in-process, and a run against a host that drops every packet with --timeout 5
(target: exit 2 in under 5 s).`;

export const FULL_RUN_TARGET_MS = 5000;
const UNREACHABLE_TIMEOUT_S = 5;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

function timeCli(args: string[]): { ms: number; code: number | null; stdout: string } {
  const started = process.hrtime.bigint();
  const result = spawnSync('npm', ['run', '--silent', 'verify', '--', ...args], { cwd: PROJECT_DIR, encoding: 'utf8' });
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, code: result.status, stdout: result.stdout };
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseCli(argv, { runs: { type: 'string', default: '5' }, json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } }, USAGE);
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return EXIT.OK;
  }
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new UsageError(`--runs ${JSON.stringify(values.runs)}: give a whole number of at least 1`);

  progress('starting the loopback deployment (nginx, Prosody, coturn)');
  const deployment = await startLoopbackDeployment();
  const blackhole = await startUnresponsivePorts(2);
  try {
    const site = await deployment.serve();
    const args = [...site.args(), '--json'];
    progress(`full external run through the CLI: ${runs} runs`);
    timeCli(args); // warm caches
    const cli = Array.from({ length: runs }, () => {
      const run = timeCli(args);
      const verdict = (JSON.parse(run.stdout) as { verdict: string }).verdict;
      if (run.code !== 0 || verdict !== 'pass') throw new Error(`verify did not pass (exit ${String(run.code)}): ${run.stdout.slice(0, 400)}`);
      return run.ms;
    });
    progress(`full external run in-process: ${runs} runs`);
    const inProcess: number[] = [];
    for (let i = 0; i < runs; i += 1) {
      const started = Date.now();
      await runVerify(site.options());
      inProcess.push(Date.now() - started);
    }
    progress(`unreachable host with --timeout ${UNREACHABLE_TIMEOUT_S}`);
    const [https, http] = blackhole.ports as [number, number];
    const unreachable = timeCli(['--url', `https://meet.example.org:${https}`, '--resolve', 'meet.example.org:127.0.0.1', '--port-map', `80=${http}`, '--timeout', String(UNREACHABLE_TIMEOUT_S), '--json']);

    const rows = [
      { run: 'full external run (npm run verify)', medianMs: Math.round(median(cli)), minMs: Math.round(Math.min(...cli)), maxMs: Math.round(Math.max(...cli)), target: `< ${FULL_RUN_TARGET_MS} ms` },
      { run: 'full external run (runVerify in-process)', medianMs: Math.round(median(inProcess)), minMs: Math.min(...inProcess), maxMs: Math.max(...inProcess), target: '-' },
      { run: `unreachable host, --timeout ${UNREACHABLE_TIMEOUT_S} (exit ${String(unreachable.code)})`, medianMs: Math.round(unreachable.ms), minMs: Math.round(unreachable.ms), maxMs: Math.round(unreachable.ms), target: `< ${UNREACHABLE_TIMEOUT_S * 1000} ms, exit 2` },
    ];
    const ok = rows[0]!.medianMs < FULL_RUN_TARGET_MS && unreachable.code === 2 && unreachable.ms < UNREACHABLE_TIMEOUT_S * 1000;
    if (values.json) printJson({ ok, results: rows });
    else {
      process.stdout.write(`${renderTable(['run', 'median ms', 'min ms', 'max ms', 'target'], rows.map((r) => [r.run, String(r.medianMs), String(r.minMs), String(r.maxMs), r.target]))}\n`);
      process.stdout.write(ok ? 'within targets\n' : 'TARGET MISSED\n');
    }
    return ok ? EXIT.OK : EXIT.FAILED;
  } finally {
    blackhole.child.stdin?.end();
    blackhole.child.kill();
    await deployment.stop();
  }
}

await runCli(() => main(process.argv.slice(2)));
