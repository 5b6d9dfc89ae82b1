// Wall-clock time of `npm run verify` as a user runs it (npm, tsx, every external check) against a
// jitsi-eu deployment on loopback (real nginx, Prosody and coturn with the rendered files), and of
// a run against a host that drops every packet. Targets: a full run under 5 s; the unreachable
// run ends within its --timeout with exit code 2.
//   npx tsx bench/verify.ts [--runs N] [--json]
import { EXIT, printJson, progress, renderTable, runCli } from '../scripts/lib/cli.ts';
import { runVerify } from '../scripts/verify/run.ts';
import { startLoopbackDeployment, startUnresponsivePorts } from '../test/fixtures/verify/deployment.ts';
import { parseBenchArgs, summarise, timeNpmRun } from './timing.ts';

const USAGE = `Usage: npx tsx bench/verify.ts [--runs N] [--json]

Starts a jitsi-eu deployment on loopback (nginx, Prosody, coturn with the rendered files), then
times a full external \`npm run verify\` against it (median of N runs, default 5; target < 5 s),
the same run in-process, and a run against a host that drops every packet with --timeout 5
(target: exit 2 in under 5 s).`;

export const FULL_RUN_TARGET_MS = 5000;
const UNREACHABLE_TIMEOUT_S = 5;

const timeCli = (args: string[]) => timeNpmRun('verify', args);

async function main(argv: string[]): Promise<number> {
  const parsed = parseBenchArgs(argv, USAGE);
  if (parsed === EXIT.OK) return EXIT.OK;
  const { runs } = parsed;

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
      if (run.status !== 0 || verdict !== 'pass') throw new Error(`verify did not pass (exit ${String(run.status)}): ${run.stdout.slice(0, 400)}`);
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
      { run: 'full external run (npm run verify)', ...summarise(cli), target: `< ${FULL_RUN_TARGET_MS} ms` },
      { run: 'full external run (runVerify in-process)', ...summarise(inProcess), target: '-' },
      { run: `unreachable host, --timeout ${UNREACHABLE_TIMEOUT_S} (exit ${String(unreachable.status)})`, ...summarise([unreachable.ms]), target: `< ${UNREACHABLE_TIMEOUT_S * 1000} ms, exit 2` },
    ];
    const ok = rows[0]!.medianMs < FULL_RUN_TARGET_MS && unreachable.status === 2 && unreachable.ms < UNREACHABLE_TIMEOUT_S * 1000;
    if (parsed.json) printJson({ ok, results: rows });
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
