// Boot phase timings per host role, from the boot rehearsal: each role of the example stacks
// booted --runs times (default 1: a boot takes minutes) and the median of each phase reported.
// Target: every role ready within the rehearsal's 25-minute CI budget, i.e. well under 5 minutes
// a boot on a 2-core machine. Needs what the rehearsal needs (root, systemd-nspawn, ...).
// Usage: npx tsx bench/boot.ts [--runs N] [--json]
import type { HostRole } from '../infra/render/types.ts';
import { EXIT, loadSpecOrThrow, printJson, progress, renderTable, runCli } from '../scripts/lib/cli.ts';
import { PHASES, type Phase } from '../scripts/rehearse/phases.ts';
import { rehearse } from '../scripts/rehearse/run.ts';
import { median, parseBenchArgs } from './timing.ts';

const TARGET_SECONDS = 300;
const USAGE = `Usage: npx tsx bench/boot.ts [--runs N] [--json]

Boots each host role of the example stacks (single node, scalable signaling node, videobridge)
N times (default 1) in the boot rehearsal and reports the median duration of each boot phase
(${PHASES.join(', ')}). The Debian root is built first if this machine has none (minutes, once).
Exits 1 when a boot does not end ready or a median boot misses ${TARGET_SECONDS} s.`;

const TARGETS: { label: string; file: string; role: HostRole }[] = [
  { label: 'single node', file: 'Pulumi.example-production.yaml', role: 'signaling' },
  { label: 'scalable signaling', file: 'Pulumi.example-scalable.yaml', role: 'signaling' },
  { label: 'videobridge', file: 'Pulumi.example-scalable.yaml', role: 'bridge' },
];

async function main(): Promise<number> {
  const args = parseBenchArgs(process.argv.slice(2), USAGE);
  if (args === EXIT.OK) return EXIT.OK;
  const results: { role: string; runs: number; failed: number; phases: Partial<Record<Phase, number>> }[] = [];
  for (const target of TARGETS) {
    const { spec } = loadSpecOrThrow(target.file);
    const samples = new Map<Phase, number[]>();
    let failed = 0;
    for (let run = 1; run <= args.runs; run++) {
      progress(`${target.label}: boot ${run} of ${args.runs}`);
      const r = await rehearse({ spec, role: target.role });
      await r.host.stop();
      if (r.marker !== 'ok\n') failed++;
      for (const p of r.phases) if (p.seconds !== undefined) samples.set(p.phase, [...(samples.get(p.phase) ?? []), p.seconds]);
    }
    const phases = Object.fromEntries([...samples].map(([phase, values]) => [phase, Math.round(median(values) * 10) / 10]));
    results.push({ role: target.label, runs: args.runs, failed, phases });
  }
  if (args.json) printJson(results);
  else {
    process.stdout.write(`${renderTable(['role', ...PHASES.map((p) => `${p} (s)`), 'failed'], results.map((r) => [r.role, ...PHASES.map((p) => String(r.phases[p] ?? '-')), String(r.failed)]))}\n`);
  }
  return results.every((r) => r.failed === 0 && (r.phases.ready ?? Infinity) <= TARGET_SECONDS) ? EXIT.OK : EXIT.FAILED;
}

await runCli(main);
