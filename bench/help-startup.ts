// How long every command takes to print its help or refuse a bad option, next to a bare
// `node -e 0` start: the commands load the AWS SDK, Pulumi and the browser driver only when they
// need them. Measured as the npm scripts start them (node scripts/launch.mjs COMMAND), without
// npm's own start-up; the old way (node --import tsx) and `npm run` are shown for comparison.
// Usage: npx tsx bench/help-startup.ts [--runs N] [--json]
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_DIR } from '../infra/spec/index.ts';
import { EXIT, printJson, progress, renderTable, runCli } from '../scripts/lib/cli.ts';
import { parseBenchArgs, summarise, type Timing } from './timing.ts';

const TARGET_MS = 300;
const USAGE = `Usage: npx tsx bench/help-startup.ts [--runs N] [--json]

Times, N times each (default 5), for every command of package.json: \`--help\` and a usage error
(an unknown option) through scripts/launch.mjs, the same under tsx, and \`npm run -s COMMAND -- --help\`;
and a bare \`node -e 0\`; wall clock, and the CPU time of --help (steadier on a busy machine).
Exits 1 when the wall-clock median of --help or of the usage error misses ${TARGET_MS} ms.`;

function time(command: string, args: readonly string[], expectStatus: number): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, { cwd: PROJECT_DIR, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== expectStatus) throw new Error(`${command} ${args.join(' ')} exited ${result.status}, expected ${expectStatus}: ${result.stderr}`);
  return ms;
}

const series = (runs: number, run: () => number): Timing => summarise(Array.from({ length: runs }, run));

/**
 * CPU time (user + system) of one run, measured by bash's `time`: on a busy machine the wall clock
 * mostly measures the wait for a core, the CPU time what the command itself costs.
 */
function cpuTime(args: readonly string[]): number {
  const quoted = args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const result = spawnSync('bash', ['-c', `TIMEFORMAT='%3U %3S'; time ${quoted} >/dev/null 2>&1`], { cwd: PROJECT_DIR, encoding: 'utf8' });
  const [user = 0, system = 0] = result.stderr.trim().split('\n').pop()!.split(' ').map(Number);
  return (user + system) * 1000;
}

async function main(): Promise<number> {
  const args = parseBenchArgs(process.argv.slice(2), USAGE);
  if (args === EXIT.OK) return EXIT.OK;
  const { runs } = args;
  const scripts = (JSON.parse(readFileSync(join(PROJECT_DIR, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  const commands = Object.keys(scripts).filter((name) => scripts[name] === `node scripts/launch.mjs ${name}`);

  const node = series(runs, () => time(process.execPath, ['-e', '0'], 0));
  const nodeCpu = series(runs, () => cpuTime([process.execPath, '-e', '0']));
  const results = [];
  for (const command of commands) {
    progress(`${command}: ${runs} runs each`);
    time(process.execPath, ['scripts/launch.mjs', command, '--help'], 0); // compiles, when sources changed
    const help = series(runs, () => time(process.execPath, ['scripts/launch.mjs', command, '--help'], 0));
    const helpCpu = series(runs, () => cpuTime([process.execPath, 'scripts/launch.mjs', command, '--help']));
    const tsxHelpCpu = series(runs, () => cpuTime([process.execPath, '--import', 'tsx', `scripts/${command}.ts`, '--help']));
    const usageError = series(runs, () => time(process.execPath, ['scripts/launch.mjs', command, '--no-such-option'], 2));
    const tsxHelp = series(runs, () => time(process.execPath, ['--import', 'tsx', `scripts/${command}.ts`, '--help'], 0));
    const npmHelp = series(runs, () => time('npm', ['run', '--silent', command, '--', '--help'], 0));
    results.push({ command, help, helpCpu, usageError, tsxHelp, tsxHelpCpu, npmHelp, meetsTarget: help.medianMs <= TARGET_MS && usageError.medianMs <= TARGET_MS });
  }

  if (args.json) {
    printJson({ targetMs: TARGET_MS, runs, node, nodeCpu, commands: results });
  } else {
    const cell = (t: Timing) => `${t.medianMs} (${t.minMs}–${t.maxMs})`;
    process.stdout.write(`bare node -e 0: ${cell(node)} ms wall clock, ${cell(nodeCpu)} ms CPU (median, min–max of ${runs})\n`);
    process.stdout.write(
      `${renderTable(
        ['command', '--help ms', '--help CPU ms', 'usage error ms', '× bare node', 'under tsx ms', 'under tsx CPU ms', 'npm run ms', `≤ ${TARGET_MS} ms`],
        results.map((r) => [r.command, cell(r.help), cell(r.helpCpu), cell(r.usageError), (r.help.medianMs / node.medianMs).toFixed(1), cell(r.tsxHelp), cell(r.tsxHelpCpu), cell(r.npmHelp), r.meetsTarget ? 'yes' : 'NO']),
      )}\n`,
    );
  }
  return results.every((r) => r.meetsTarget) ? EXIT.OK : EXIT.FAILED;
}

await runCli(main);
