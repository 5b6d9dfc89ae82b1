// How long `npm run deploy -- --stack NAME --preview-only` takes from the command's start until
// its preview is printed, offline: the stand-in Pulumi CLI (test/fixtures/fake-pulumi) answers
// with a recorded preview of a stack of 30 resources, moto_server answers the AWS credential
// check. Two previews: the signaling host replaced, and a configuration change applied in place
// (the bundle rendered again and compared with the one the stack recorded). What is measured is jitsi-eu's own share (npm,
// tsx, the spec, the Automation API, the policy-pack setup, the summary and its words), not the
// real CLI's program run or the cloud.
//   npx tsx bench/deploy-preview.ts [--runs N] [--json]
import { spawn } from 'node:child_process';
import { appendFileSync, chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PROJECT_DIR, stackFileFor } from '../infra/spec/index.ts';
import { EXIT, printJson, progress, renderTable, runCli } from '../scripts/lib/cli.ts';
import { renderBundle } from '../infra/render/bundle.ts';
import { configurationRecord, roleArchive } from '../infra/render/delivery.ts';
import { SIGNALING_PRIVATE_IP } from '../infra/aws/layout.ts';
import { loadSpecOrThrow } from '../scripts/lib/cli.ts';
import { RESOURCES as R, create, previewRun, replace, same, update } from '../test/fixtures/fake-pulumi/preview-events.ts';
import { writeOwnNamesStack } from '../test/helpers/own-names-stack.ts';
import { startMoto } from '../test/helpers/moto.ts';
import { tempDir } from '../test/helpers/tools.ts';
import { parseBenchArgs, summarise } from './timing.ts';

const USAGE = `Usage: npx tsx bench/deploy-preview.ts [--runs N] [--json]

Times \`npm run deploy -- --stack NAME --preview-only\` against the stand-in Pulumi CLI and
moto_server, for a replaced host and for a configuration applied in place, from process start
until the preview is printed and until exit (median, fastest and slowest of N runs, default 5).`;

/** The production example under a name of its own (deploy refuses example names). */
const STACK = 'bench-preview';
const STUB_BIN = join(PROJECT_DIR, 'test/fixtures/fake-pulumi/bin');

interface Run {
  /** Process start → the first line of the preview on stdout. */
  previewMs: number;
  /** Process start → exit. */
  exitMs: number;
}

/** One run; `words` must be in the preview, so that the timing is of the preview it claims. */
function runOnce(env: NodeJS.ProcessEnv, words: string): Promise<Run> {
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
      if (code !== 0 || previewMs === undefined || !stdout.includes(words)) reject(new Error(`deploy --preview-only exited ${String(code)} (expected "${words}" in its preview):\n${stderr}${stdout}`));
      else resolve({ previewMs, exitMs: elapsed() });
    });
  });
}

async function main(argv: string[]): Promise<number> {
  const args = parseBenchArgs(argv, USAGE);
  if (args === EXIT.OK) return EXIT.OK;
  chmodSync(join(STUB_BIN, 'pulumi'), 0o755);
  const dir = tempDir('jitsi-eu-bench-');
  const removeStack = writeOwnNamesStack('production', STACK);
  // Recorded, as after a first deploy: nothing looks for images.
  appendFileSync(stackFileFor(STACK), '  jitsi-eu:amiId: ami-0123456789abcdef0\n');
  const moto = await startMoto();
  try {
    const spec = loadSpecOrThrow(stackFileFor(STACK), STACK).spec;
    // What the stack deployed last: the same configuration with the lobby the other way round.
    const before = { ...spec, lobby: !spec.lobby };
    const recorded = { signaling: configurationRecord(roleArchive(before, renderBundle(before), 'signaling', { signalingPrivateIp: SIGNALING_PRIVATE_IP })) };
    const bundleObject = { chain: ['jitsi-eu:aws:BundleDelivery', 'aws:s3/bucketObjectv2:BucketObjectv2'], name: 'configuration-signaling-new', inputs: { key: 'bundles/signaling/new.tar.gz' } };
    const pointer = { chain: ['jitsi-eu:aws:BundleDelivery', 'aws:ssm/parameter:Parameter'], name: 'configuration-signaling-pointer', inputs: { value: 'revision=old' } };
    const scenarios = [
      { label: 'host replaced', words: 'is replaced', run: previewRun([same(R.signalingEip), same(R.dnsRecord), ...replace(R.signalingInstance, { userDataBase64: 'update-replace' }, { deleteBeforeReplace: true })], { same: 29, replace: 1 }) },
      { label: 'applied in place', words: 'Configuration applied in place', run: previewRun([same(R.signalingInstance), create(bundleObject), update(pointer, { value: 'update' }, { value: 'revision=new' })], { same: 30, create: 1, update: 1 }) },
    ];
    const home = join(dir.path, 'home');
    mkdirSync(home);
    const rows: string[][] = [];
    const results: Record<string, { previewPrinted: ReturnType<typeof summarise>; exited: ReturnType<typeof summarise> }> = {};
    for (const [index, scenario] of scenarios.entries()) {
      // The stack exists already, with 30 resources and the configuration it recorded.
      const state = join(dir.path, `state-${index}`);
      mkdirSync(join(state, '.pulumi/stacks/jitsi-eu'), { recursive: true });
      writeFileSync(join(state, '.pulumi/stacks/jitsi-eu', `${STACK}.json`), JSON.stringify({ secretsProvider: 'passphrase', resources: 30, outputs: { configuration: recorded }, history: [] }));
      const events = join(dir.path, `events-${index}.json`);
      writeFileSync(events, JSON.stringify(scenario.run.events));
      const env = {
        ...moto.env,
        PATH: [STUB_BIN, dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].join(':'),
        HOME: home,
        NO_COLOR: '1',
        PULUMI_BACKEND_URL: `file://${state}`,
        PULUMI_CONFIG_PASSPHRASE: 'bench-passphrase',
        FAKE_PULUMI_EVENTS: events,
      };
      progress(`${scenario.label}: ${args.runs} run${args.runs === 1 ? '' : 's'} (after one warm-up)`);
      await runOnce(env, scenario.words);
      const runs: Run[] = [];
      for (let i = 0; i < args.runs; i += 1) runs.push(await runOnce(env, scenario.words));
      const preview = summarise(runs.map((r) => r.previewMs));
      const exit = summarise(runs.map((r) => r.exitMs));
      results[scenario.label] = { previewPrinted: preview, exited: exit };
      rows.push([scenario.label, `${preview.medianMs} ms`, `${preview.minMs}–${preview.maxMs} ms`, `${exit.medianMs} ms`]);
    }
    if (args.json) printJson({ runs: args.runs, ...results });
    else process.stdout.write(`${renderTable(['preview', 'printed (median)', 'printed (min–max)', 'exit (median)'], rows)}\n`);
    return EXIT.OK;
  } finally {
    await moto.stop();
    removeStack();
    dir.remove();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  void runCli(() => main(process.argv.slice(2)));
}
