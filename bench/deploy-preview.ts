// How long `npm run deploy -- --stack example-production --preview-only` takes from the command's
// start until its preview is printed, offline: the stand-in Pulumi CLI (test/fixtures/fake-pulumi)
// answers with a recorded preview of a stack of 30 resources where the signaling host is replaced,
// and moto_server answers the AWS credential check. What is measured is jitsi-eu's own share (npm,
// tsx, the spec, the Automation API, the policy-pack setup, the summary and its words), not the
// real CLI's program run or the cloud.
//   npx tsx bench/deploy-preview.ts [--runs N] [--json]
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PROJECT_DIR } from '../infra/spec/index.ts';
import { EXIT, printJson, progress, renderTable, runCli } from '../scripts/lib/cli.ts';
import { RESOURCES as R, previewRun, replace, same } from '../test/fixtures/fake-pulumi/preview-events.ts';
import { startMoto } from '../test/helpers/moto.ts';
import { tempDir } from '../test/helpers/tools.ts';
import { parseBenchArgs, summarise } from './timing.ts';

const USAGE = `Usage: npx tsx bench/deploy-preview.ts [--runs N] [--json]

Times \`npm run deploy -- --stack example-production --preview-only\` against the stand-in Pulumi
CLI and moto_server, from process start until the preview is printed and until exit (median,
fastest and slowest of N runs, default 5).`;

const STACK = 'example-production';
const STUB_BIN = join(PROJECT_DIR, 'test/fixtures/fake-pulumi/bin');

interface Run {
  /** Process start → the first line of the preview on stdout. */
  previewMs: number;
  /** Process start → exit. */
  exitMs: number;
}

function runOnce(env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const elapsed = () => Number(process.hrtime.bigint() - started) / 1e6;
    const child = spawn('npm', ['run', '--silent', 'deploy', '--', '--stack', STACK, '--preview-only'], { cwd: PROJECT_DIR, env });
    let stdout = '';
    let stderr = '';
    let previewMs: number | undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (previewMs === undefined && stdout.includes(`Preview of ${STACK}`)) previewMs = elapsed();
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0 || previewMs === undefined) reject(new Error(`deploy --preview-only exited ${String(code)}:\n${stderr}${stdout}`));
      else resolve({ previewMs, exitMs: elapsed() });
    });
  });
}

async function main(argv: string[]): Promise<number> {
  const args = parseBenchArgs(argv, USAGE);
  if (args === EXIT.OK) return EXIT.OK;
  chmodSync(join(STUB_BIN, 'pulumi'), 0o755);
  const dir = tempDir('jitsi-eu-bench-');
  const moto = await startMoto();
  try {
    // The stack exists already (so nothing writes to the checkout's stack file), with 30 resources.
    const state = join(dir.path, 'state');
    mkdirSync(join(state, '.pulumi/stacks/jitsi-eu'), { recursive: true });
    writeFileSync(join(state, '.pulumi/stacks/jitsi-eu', `${STACK}.json`), JSON.stringify({ secretsProvider: 'passphrase', resources: 30, outputs: {}, history: [] }));
    const run = previewRun([same(R.signalingEip), same(R.dnsRecord), ...replace(R.signalingInstance, { userDataBase64: 'update-replace' }, { deleteBeforeReplace: true })], { same: 29, replace: 1 });
    const events = join(dir.path, 'events.json');
    writeFileSync(events, JSON.stringify(run.events));
    const home = join(dir.path, 'home');
    mkdirSync(home);
    const env = {
      ...moto.env,
      PATH: [STUB_BIN, dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].join(':'),
      HOME: home,
      NO_COLOR: '1',
      PULUMI_BACKEND_URL: `file://${state}`,
      PULUMI_CONFIG_PASSPHRASE: 'bench-passphrase',
      FAKE_PULUMI_EVENTS: events,
    };
    progress(`${args.runs} run${args.runs === 1 ? '' : 's'} (after one warm-up)`);
    await runOnce(env);
    const runs: Run[] = [];
    for (let i = 0; i < args.runs; i += 1) runs.push(await runOnce(env));
    const preview = summarise(runs.map((r) => r.previewMs));
    const exit = summarise(runs.map((r) => r.exitMs));
    if (args.json) printJson({ runs: args.runs, previewPrinted: preview, exited: exit });
    else {
      const row = (label: string, t: typeof preview) => [label, `${t.medianMs} ms`, `${t.minMs} ms`, `${t.maxMs} ms`];
      process.stdout.write(`${renderTable(['from start to', 'median', 'min', 'max'], [row('preview printed', preview), row('exit', exit)])}\n`);
    }
    return EXIT.OK;
  } finally {
    await moto.stop();
    dir.remove();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  void runCli(() => main(process.argv.slice(2)));
}
