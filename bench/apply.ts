// From a configuration change to applied on the rehearsal host: the signaling host of the
// production example boots once, then --runs changes alternate (the notice's organisation and the
// lobby, which reloads Prosody), each timed from render + archive + upload (moto's S3 and SSM, as
// deploy leaves them) to the agent's answer, plus an agent run with nothing to do.
// Target: a change applied within 30 s of the upload on a 2-core machine.
// Usage: npx tsx bench/apply.ts [--runs N] [--json]
import { AGENT_PATH } from '../infra/render/delivery.ts';
import { EXIT, loadSpecOrThrow, printJson, progress, renderTable, runCli } from '../scripts/lib/cli.ts';
import { rehearse } from '../scripts/rehearse/run.ts';
import { rehearsalArchive, rehearsalDelivery } from '../scripts/rehearse/user-data.ts';
import { median, parseBenchArgs } from './timing.ts';

const TARGET_SECONDS = 30;
const USAGE = `Usage: npx tsx bench/apply.ts [--runs N] [--json]

Boots the signaling host of Pulumi.example-production.yaml in the boot rehearsal, then applies N
configuration changes (default 3) in place and reports the median seconds of: render and archive,
upload (object and pointer), the agent's run on the host, the whole; and of an agent run with
nothing to do. Needs what the rehearsal needs (root, systemd-nspawn, ...).
Exits 1 when a change fails or the median whole exceeds ${TARGET_SECONDS} s.`;

const seconds = (from: number) => (performance.now() - from) / 1000;

async function main(): Promise<number> {
  const args = parseBenchArgs(process.argv.slice(2), USAGE);
  if (args === EXIT.OK) return EXIT.OK;
  const base = loadSpecOrThrow('Pulumi.example-production.yaml').spec;
  progress('booting the signaling host (about a minute)');
  const r = await rehearse({ spec: base, role: 'signaling' });
  const samples = { render: [] as number[], upload: [] as number[], agent: [] as number[], whole: [] as number[], idle: [] as number[] };
  let failed = 0;
  try {
    if (r.marker !== 'ok\n') throw new Error(`the host did not boot: ${r.marker ?? 'no marker'}`);
    for (let run = 1; run <= args.runs; run++) {
      const spec = { ...base, organization: `Example University ${run}`, lobby: run % 2 === 1 ? !base.lobby : base.lobby };
      progress(`change ${run} of ${args.runs}`);
      const start = performance.now();
      const archive = rehearsalArchive(spec, 'signaling');
      samples.render.push(seconds(start));
      const uploadStart = performance.now();
      await r.host.deliver(rehearsalDelivery(spec, archive));
      samples.upload.push(seconds(uploadStart));
      const agentStart = performance.now();
      const result = await r.host.run([AGENT_PATH, '--json']);
      samples.agent.push(seconds(agentStart));
      samples.whole.push(seconds(start));
      if (result.status !== 0 || (JSON.parse(result.stdout) as { revision: string }).revision !== archive.revision) failed++;
      const idleStart = performance.now();
      const idle = await r.host.run([AGENT_PATH, '--json']);
      samples.idle.push(seconds(idleStart));
      if (idle.status !== 0) failed++;
    }
  } finally {
    await r.host.stop();
  }
  const figures = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, Math.round(median(v) * 100) / 100]));
  if (args.json) printJson({ runs: args.runs, failed, medianSeconds: figures });
  else {
    process.stdout.write(`${renderTable(['render+archive (s)', 'upload (s)', 'agent (s)', 'whole (s)', 'agent, nothing to do (s)', 'failed'],
      [[String(figures.render), String(figures.upload), String(figures.agent), String(figures.whole), String(figures.idle), String(failed)]])}\n`);
  }
  return failed === 0 && (figures.whole ?? Infinity) <= TARGET_SECONDS ? EXIT.OK : EXIT.FAILED;
}

await runCli(main);
