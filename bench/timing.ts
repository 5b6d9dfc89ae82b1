// What every benchmark shares: the --runs/--json/--help arguments, wall-clock timing of an npm
// script as a user runs it, and the median/min/max summary the targets are judged on.
import { spawnSync } from 'node:child_process';
import { PROJECT_DIR } from '../infra/spec/index.ts';
import { EXIT, UsageError, parseCliOrHelp } from '../scripts/lib/cli.ts';

export interface BenchArgs {
  runs: number;
  json: boolean;
}

const OPTIONS = {
  runs: { type: 'string', default: '5' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

/** `--runs N` (default 5) and `--json`; prints the usage and returns EXIT.OK for --help. */
export function parseBenchArgs(argv: string[], usage: string): BenchArgs | typeof EXIT.OK {
  const parsed = parseCliOrHelp(argv, OPTIONS, usage);
  if (!parsed) return EXIT.OK;
  const { values } = parsed;
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new UsageError(`--runs ${JSON.stringify(values.runs)}: give a whole number of at least 1`);
  return { runs, json: values.json };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export interface Timing {
  medianMs: number;
  minMs: number;
  maxMs: number;
}

/** Median, fastest and slowest of a series of runs, in whole milliseconds. */
export function summarise(times: readonly number[]): Timing {
  return { medianMs: Math.round(median(times)), minMs: Math.round(Math.min(...times)), maxMs: Math.round(Math.max(...times)) };
}

export interface TimedRun {
  ms: number;
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `npm run --silent SCRIPT -- ARGS` in the project, timing it from process start to exit. */
export function timeNpmRun(script: string, args: readonly string[]): TimedRun {
  const started = process.hrtime.bigint();
  const result = spawnSync('npm', ['run', '--silent', script, '--', ...args], { cwd: PROJECT_DIR, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, status: result.status, stdout: result.stdout, stderr: result.stderr };
}
