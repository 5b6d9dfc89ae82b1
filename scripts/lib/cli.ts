// What every jitsi-eu command shares: argument parsing, exit codes, errors without stack
// traces, colour only on a terminal, progress on stderr (stdout stays clean for --json).
import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import Table from 'cli-table3';
import { PROJECT_DIR, STACK_NAME_RULE, formatProblems, loadStackFile, stackFileFor, stackNameProblem } from '../../infra/spec/index.ts';
import { exampleNameProblems } from '../../infra/spec/example-names.ts';
import type { DeploymentSpec } from '../../infra/spec/types.ts';

export const EXIT = {
  /** Success: the job is done, or the thing checked is fine. */
  OK: 0,
  /** The thing checked is wrong (a failed verification, a policy violation, orphans found). */
  FAILED: 1,
  /** Usage or environment error: bad arguments, invalid config, a missing tool or credentials. */
  USAGE: 2,
} as const;

/** An error the user can fix: printed as one or more lines without a stack trace, exit 2. */
export class UsageError extends Error {
  readonly lines: string[];
  constructor(lines: string | string[]) {
    const all = Array.isArray(lines) ? lines : [lines];
    super(all.join('\n'));
    this.lines = all;
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

export interface ParsedCli<O extends Options> {
  values: ReturnType<typeof parseArgs<{ options: O; allowPositionals: true; strict: true }>>['values'];
  positionals: string[];
}

/** Parses argv strictly; an unknown flag or a missing value is a UsageError naming it. */
export function parseCli<O extends Options>(argv: string[], options: O, usage: string): ParsedCli<O> {
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { values, positionals } as ParsedCli<O>;
  } catch (error) {
    const message = (error as Error).message.replace(/\. To specify a positional argument.*$/s, '');
    throw new UsageError([message, `run with --help for usage:`, '', usage]);
  }
}

/**
 * The start every command shares: parses argv strictly and, for --help, writes the usage and
 * returns undefined (the command then exits 0).
 */
export function parseCliOrHelp<O extends Options>(
  argv: string[],
  options: O,
  usage: string,
  out: (text: string) => void = (text) => process.stdout.write(text),
): ParsedCli<O> | undefined {
  const parsed = parseCli(argv, options, usage);
  if ((parsed.values as { help?: unknown }).help !== true) return parsed;
  out(`${usage}\n`);
  return undefined;
}

/** Runs a command's main function and exits with its code; UsageError → 2 with its message only. */
export async function runCli(main: () => Promise<number>): Promise<never> {
  let code: number;
  try {
    code = await main();
  } catch (error) {
    if (error instanceof UsageError) {
      const [first, ...rest] = error.lines;
      process.stderr.write(`${style.fail('error:', process.stderr)} ${first ?? ''}\n${rest.map((l) => `${l}\n`).join('')}`);
      code = EXIT.USAGE;
    } else {
      const err = error as Error;
      process.stderr.write(`${style.fail('error:', process.stderr)} unexpected failure: ${err.message}\n`);
      if (process.env.JITSI_EU_DEBUG) process.stderr.write(`${err.stack ?? ''}\n`);
      else process.stderr.write('set JITSI_EU_DEBUG=1 to see where it happened\n');
      code = EXIT.USAGE;
    }
  }
  process.exitCode = code;
  // Let pending writes flush, then leave even if a library left a handle open.
  await new Promise((resolve) => setTimeout(resolve, 0));
  process.exit(code);
}

const useColour = (stream: NodeJS.WriteStream) => Boolean(stream.isTTY) && !process.env.NO_COLOR;

export const style = {
  ok: (s: string, stream: NodeJS.WriteStream = process.stdout) => (useColour(stream) ? `\x1b[32m${s}\x1b[0m` : s),
  fail: (s: string, stream: NodeJS.WriteStream = process.stdout) => (useColour(stream) ? `\x1b[31m${s}\x1b[0m` : s),
  warn: (s: string, stream: NodeJS.WriteStream = process.stdout) => (useColour(stream) ? `\x1b[33m${s}\x1b[0m` : s),
  dim: (s: string, stream: NodeJS.WriteStream = process.stdout) => (useColour(stream) ? `\x1b[2m${s}\x1b[0m` : s),
};

/** Progress lines on stderr, so `--json` output on stdout stays machine-readable. */
export function progress(message: string): void {
  process.stderr.write(`${style.dim('…', process.stderr)} ${message}\n`);
}

export function warn(message: string): void {
  process.stderr.write(`${style.warn('warning:', process.stderr)} ${message}\n`);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** A plain table (no borders in pipes, box drawing on a terminal). */
export function renderTable(head: string[], rows: string[][]): string {
  const tty = useColour(process.stdout);
  const table = new Table({
    head,
    style: { head: tty ? ['bold'] : [], border: tty ? ['grey'] : [] },
    ...(tty ? {} : { chars: { top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '', left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '  ' } }),
  });
  table.push(...rows);
  // Without borders the padding of the last column is only trailing blanks.
  return tty ? table.toString() : table.toString().split('\n').map((line) => line.trimEnd()).join('\n');
}

/** A command that takes `--stack NAME` and no bare argument: the stack name, or a UsageError. */
export function requireStackName(stack: string | undefined, positionals: readonly string[], action: string): string {
  if (positionals.length > 0) throw new UsageError([`unexpected argument ${positionals[0]}: the stack is given with --stack NAME`, 'run with --help for usage']);
  if (!stack) throw new UsageError([`missing --stack NAME: which stack should be ${action}?`, 'run with --help for usage']);
  return checkStackName(stack);
}

/** The stack name as given, or a UsageError naming it, the rule and the fix (every command uses this). */
export function checkStackName(name: string, given = `--stack ${JSON.stringify(name)}`): string {
  const problem = stackNameProblem(name);
  if (problem) throw new UsageError([`${given}: the name ${problem}.`, `${STACK_NAME_RULE}.`, 'Give the exact name of one stack, as pulumi stack ls or npm run sandbox -- list shows it.']);
  return name;
}

/** `--config PATH` or `--stack NAME` (exactly one) → the stack file's path. */
export function stackFileFromArgs(values: { config?: string | undefined; stack?: string | undefined }): string {
  if (values.config && values.stack) throw new UsageError('give either --config PATH or --stack NAME, not both');
  if (values.config) return values.config;
  if (values.stack) return stackFileFor(checkStackName(values.stack));
  throw new UsageError('missing --config PATH or --stack NAME: which stack should be used?');
}

/**
 * What argv gives for `--NAME VALUE` or `--NAME=VALUE` (before a bare `--`): the value, '' when
 * the option has none, undefined when it is absent. For options a command refuses with its own
 * explanation rather than parseArgs' "Unknown option".
 */
export function rawOptionValue(argv: readonly string[], name: string): string | undefined {
  const flag = `--${name}`;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    if (arg === '--') return undefined;
    if (arg.startsWith(`${flag}=`)) return arg.slice(flag.length + 1);
    if (arg === flag) {
      const next = argv[i + 1];
      return next !== undefined && !next.startsWith('-') ? next : '';
    }
  }
  return undefined;
}

/**
 * Commands that run Pulumi read the stack file where Pulumi does: Pulumi.NAME.yaml next to
 * Pulumi.yaml. Given a stack file path, says how to get from it to `--stack NAME`.
 */
export function stackFileAdvice(path: string): string {
  const name = /^Pulumi\.(.+)\.ya?ml$/.exec(basename(path))?.[1];
  const target = stackFileFor(name ?? 'NAME');
  if (name && resolve(dirname(path)) === PROJECT_DIR && path.endsWith('.yaml')) return `${path} is already there: use --stack ${name}`;
  return `for ${path}: cp ${path} ${target}, then use --stack ${name ?? 'NAME'}`;
}

export interface LoadedSpec {
  spec: DeploymentSpec;
  warnings: string[];
  source: string;
}

/** Loads and validates a stack file; invalid config is a UsageError listing every problem. */
export function loadSpecOrThrow(path: string, stack?: string): LoadedSpec {
  const result = loadStackFile(path, stack ? { stack } : {});
  if (!result.ok) {
    throw new UsageError([
      `${path} has ${result.problems.length} problem${result.problems.length === 1 ? '' : 's'}:`,
      ...formatProblems(result.problems, path).map((line) => `  ${line}`),
    ]);
  }
  return { spec: result.spec, warnings: result.warnings, source: path };
}

/** Line of each `namespace:key:` in a stack file, for messages about keys after validation. */
export function configKeyLines(path: string): Map<string, number> {
  const lines = new Map<string, number>();
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return lines;
  }
  text.split('\n').forEach((line, index) => {
    const key = /^\s+([A-Za-z0-9-]+:[A-Za-z0-9_.-]+):/.exec(line)?.[1];
    if (key && !lines.has(key)) lines.set(key, index + 1);
  });
  return lines;
}

/**
 * Deploy's and sandbox create's refusal of example names (meet.example.org, ops@example.org):
 * no certificate and no DNS answer would ever come for them. `source` is the stack file, or a
 * description of where the config came from.
 */
export function refuseExampleNames(spec: DeploymentSpec, source: string): void {
  const problems = exampleNameProblems(spec, configKeyLines(source));
  if (problems.length === 0) return;
  throw new UsageError([
    `${source} still holds example names, which cannot be deployed:`,
    ...formatProblems(problems, source).map((line) => `  ${line}`),
  ]);
}
