// The Pulumi side of deploy, sandbox and teardown: one small interface over the stacks of this
// project, and its implementation on the Pulumi Automation API (LocalWorkspace over the project
// directory, driving the `pulumi` CLI).
//
// Defaults, chosen so that nobody needs an account anywhere:
//  - State: Pulumi's local file backend in ~/.pulumi-jitsi-eu (state lives under its .pulumi/
//    folder). It sits outside the checkout on purpose: deleting or re-cloning the repository must
//    never lose track of servers that are still running. PULUMI_BACKEND_URL overrides it (for a
//    team: an S3 bucket in an EU region, `s3://bucket?region=eu-central-1`).
//  - Secrets: the passphrase provider, with the passphrase from PULUMI_CONFIG_PASSPHRASE or
//    PULUMI_CONFIG_PASSPHRASE_FILE. Nothing here ever makes one up. JITSI_EU_SECRETS_PROVIDER
//    (e.g. `awskms://alias/jitsi-eu?region=eu-central-1`) picks another provider for new stacks.
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { basename, delimiter, dirname, join } from 'node:path';
import { Document, parse as parseYaml } from 'yaml';
import { PROJECT_DIR, stackFileFor } from '../../infra/spec/index.ts';
import type { EngineEvent, PolicyEvent } from '@pulumi/pulumi/automation/index.js';
import type { PolicyConfig } from '../../infra/policy/policies.ts';
import { UsageError } from './cli.ts';
import { PASSPHRASE_SETUP_LINES } from './passphrase.ts';

/** Oldest CLI with project-scoped stacks on the file backend (two projects may share a stack name). */
export const MIN_PULUMI_VERSION = '3.61.0';

export interface StackSummary {
  name: string;
  /** ISO time of the last update, when there was one. */
  lastUpdate?: string;
  updateInProgress?: boolean;
  resourceCount?: number;
}

export type StackOutputs = Record<string, { value: unknown; secret: boolean }>;

/**
 * jitsi-eu's CrossGuard policy pack (PulumiPolicy.yaml, entered through pack.cjs). Every preview and
 * every update runs it; a mandatory violation stops the operation.
 */
export const POLICY_PACK_DIR = join(PROJECT_DIR, 'infra', 'policy');

/** Pulumi's engine events of one operation, as the Automation API hands them over. */
export type { EngineEvent, PolicyEvent };

export interface PreviewRun {
  events: EngineEvent[];
  /** Resources per operation (`same`, `create`, `update`, `replace`, `delete`...). */
  changeSummary: Record<string, number>;
}

/** Which resources an update touches: `--target` and `--replace`, each a list of URNs. */
export interface UpdateScope {
  targets?: string[];
  replace?: string[];
}

/** A scope, and variables the program sees during this operation only (JITSI_EU_DEPLOYED_SIGNALING_HOST). */
export interface UpdateOptions extends UpdateScope {
  env?: Record<string, string>;
}

/** The Automation API's options for a scope (left out when empty). */
function scopeOptions(scope: UpdateScope): { target?: string[]; replace?: string[] } {
  return {
    ...(scope.targets?.length ? { target: scope.targets } : {}),
    ...(scope.replace?.length ? { replace: scope.replace } : {}),
  };
}

/** The `config:` map of a stack file, as YAML gives it. */
export type StackConfig = Record<string, unknown>;

/** What the commands need from Pulumi. Tests use an in-memory implementation. */
export interface Workspace {
  /** Directory that holds Pulumi.yaml and the stack files. */
  readonly projectDir: string;
  /** Human description of where state is kept, for messages. */
  readonly backendDescription: string;
  listStacks(): Promise<StackSummary[]>;
  /** The config of Pulumi.<stack>.yaml, or undefined when there is no such file. */
  readStackConfig(stack: string): Promise<StackConfig | undefined>;
  /** Writes a new Pulumi.<stack>.yaml; refuses to replace one that exists. */
  writeStackFile(stack: string, config: StackConfig, comment: string): Promise<void>;
  /** `pulumi stack init` with the secrets provider; StackExistsError when it exists. */
  createStack(stack: string): Promise<void>;
  /** Selects the stack, creating it first when the backend does not know it. */
  createOrSelectStack(stack: string): Promise<'created' | 'selected'>;
  setConfig(stack: string, key: string, value: string): Promise<void>;
  /**
   * `pulumi preview --diff` with the policy pack: what an update would do, resource by resource.
   * PolicyViolationError when a mandatory policy fails. `scope` as for `up`.
   */
  preview(stack: string, policy: PolicyConfig, scope?: UpdateOptions): Promise<PreviewRun>;
  /**
   * `pulumi up` with the policy pack; PolicyViolationError when a mandatory policy fails. With
   * `targets` (resource URNs), only those resources are updated (`pulumi up --target`); those in
   * `replace` are replaced even though nothing forces it (`--replace`).
   */
  up(stack: string, onOutput: (text: string) => void, policy: PolicyConfig, options?: UpdateOptions): Promise<StackOutputs>;
  outputs(stack: string): Promise<StackOutputs>;
  destroy(stack: string, onOutput: (text: string) => void): Promise<void>;
  /** Removes the stack, its history and its stack file. */
  removeStack(stack: string): Promise<void>;
  /** Start of the stack's first update: when its resources began to exist (and to cost). */
  firstUpdateAt(stack: string): Promise<Date | undefined>;
}

export class StackMissingError extends Error {
  constructor(readonly stackName: string, where: string) {
    super(`stack ${stackName} does not exist in ${where}`);
  }
}

export class StackExistsError extends Error {
  constructor(readonly stackName: string, where: string) {
    super(`stack ${stackName} already exists in ${where}`);
  }
}

export class StackBusyError extends Error {
  constructor(readonly stackName: string) {
    super(`stack ${stackName} is locked by another update that is still running; wait for it to finish (or, if it crashed, run pulumi cancel --stack ${stackName})`);
  }
}

/** A Pulumi command that failed; `message` holds Pulumi's own error lines, not its whole output. */
export class PulumiCommandError extends Error {}

/** The policy pack refused the stack: the mandatory violations, in the policies' own words. */
export class PolicyViolationError extends Error {
  constructor(readonly stackName: string, readonly violations: PolicyEvent[]) {
    super(`the policy pack refused stack ${stackName}:\n${violations.map(formatViolation).join('\n')}`);
  }
}

export function formatViolation(v: PolicyEvent): string {
  const resource = v.resourceUrn ? ` (${v.resourceUrn.split('::').pop()}, ${v.resourceUrn.split('::')[2]?.split('$').pop()})` : '';
  return `[${v.enforcementLevel}] ${v.policyName}: ${v.message.trim()}${resource}`;
}

/** The mandatory policy violations among an operation's events. */
export function mandatoryViolations(events: readonly EngineEvent[]): PolicyEvent[] {
  return events.flatMap((e) => (e.policyEvent?.enforcementLevel === 'mandatory' ? [e.policyEvent] : []));
}

// ---------------------------------------------------------------------------------------------
// Preflight: what must be installed or set before any Pulumi call.

export const PULUMI_INSTALL_HINT = [
  'the Pulumi CLI is not installed (no `pulumi` on PATH). jitsi-eu drives it through the Automation API.',
  'Install it, then run the command again:',
  '  curl -fsSL https://get.pulumi.com | sh        # installs to ~/.pulumi/bin; add that to PATH',
  '  (or: brew install pulumi/tap/pulumi, or see https://www.pulumi.com/docs/iac/download-install/)',
  `jitsi-eu needs pulumi ${MIN_PULUMI_VERSION} or newer. No Pulumi account is needed: state stays in a local folder.`,
];

/** Absolute path of `pulumi` on the given PATH, or undefined. */
export function findPulumiCli(pathVariable: string | undefined): string | undefined {
  for (const dir of (pathVariable ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, 'pulumi');
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export interface BackendChoice {
  url: string;
  /** True when PULUMI_BACKEND_URL was not set and jitsi-eu's default is used. */
  isDefault: boolean;
  /** The folder of the default file backend (created when missing). */
  localDir?: string;
}

export const DEFAULT_STATE_DIR_NAME = '.pulumi-jitsi-eu';

export function chooseBackend(env: NodeJS.ProcessEnv, home: string = homedir()): BackendChoice {
  const given = env.PULUMI_BACKEND_URL?.trim();
  if (given) return { url: given, isDefault: false };
  const localDir = join(home, DEFAULT_STATE_DIR_NAME);
  return { url: `file://${localDir}`, isDefault: true, localDir };
}

export interface SecretsChoice {
  /** Value for `pulumi stack init --secrets-provider`. */
  provider: string;
  /** Variables every Pulumi call needs for it. */
  env: Record<string, string>;
}

export function chooseSecrets(env: NodeJS.ProcessEnv): SecretsChoice {
  const other = env.JITSI_EU_SECRETS_PROVIDER?.trim();
  if (other && other !== 'passphrase') {
    // Existing passphrase stacks still need their passphrase; pass it along when it is set.
    const passthrough: Record<string, string> = {};
    if (env.PULUMI_CONFIG_PASSPHRASE) passthrough.PULUMI_CONFIG_PASSPHRASE = env.PULUMI_CONFIG_PASSPHRASE;
    if (env.PULUMI_CONFIG_PASSPHRASE_FILE) passthrough.PULUMI_CONFIG_PASSPHRASE_FILE = env.PULUMI_CONFIG_PASSPHRASE_FILE;
    return { provider: other, env: passthrough };
  }
  const passphrase = env.PULUMI_CONFIG_PASSPHRASE;
  const file = env.PULUMI_CONFIG_PASSPHRASE_FILE?.trim();
  if (passphrase !== undefined && passphrase !== '') {
    return { provider: 'passphrase', env: { PULUMI_CONFIG_PASSPHRASE: passphrase } };
  }
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new UsageError([
        `PULUMI_CONFIG_PASSPHRASE_FILE=${file} cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
        'point it at a readable file that holds the passphrase of your Pulumi stacks',
      ]);
    }
    if (text.trim() === '') {
      throw new UsageError(`PULUMI_CONFIG_PASSPHRASE_FILE=${file} is empty: write the passphrase into it (one line)`);
    }
    return { provider: 'passphrase', env: { PULUMI_CONFIG_PASSPHRASE_FILE: file } };
  }
  const emptyNote = passphrase === '' ? ['PULUMI_CONFIG_PASSPHRASE is set but empty; an empty passphrase would leave the stack secrets unprotected.'] : [];
  throw new UsageError([
    'no passphrase for Pulumi secrets: set PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE.',
    ...emptyNote,
    'The passphrase encrypts the generated service passwords kept in the stack state; every later deploy,',
    'sandbox or teardown of the same stacks needs the same one, so keep it in your password manager. For example:',
    ...PASSPHRASE_SETUP_LINES.map((line) => `  ${line}`),
    '(or set JITSI_EU_SECRETS_PROVIDER to a KMS key URL such as awskms://alias/jitsi-eu?region=eu-central-1)',
  ]);
}

export interface OpenWorkspaceOptions {
  /** Where Pulumi.yaml and the stack files are; defaults to this checkout. */
  projectDir?: string;
  /** Where PATH, PULUMI_* and JITSI_EU_* are read from; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** Home directory for the default state folder. */
  home?: string;
}

/**
 * Checks the CLI, the secrets passphrase and the backend, then opens the workspace. Every failure is
 * a UsageError (exit 2) that says what to install or set; nothing slow runs before the CLI is found.
 */
export async function openPulumiWorkspace(options: OpenWorkspaceOptions = {}): Promise<PulumiWorkspace> {
  const env = options.env ?? process.env;
  const projectDir = options.projectDir ?? PROJECT_DIR;
  const cli = findPulumiCli(env.PATH);
  if (!cli) throw new UsageError(PULUMI_INSTALL_HINT);
  const secrets = chooseSecrets(env);
  const backend = chooseBackend(env, options.home);
  if (backend.localDir && !existsSync(backend.localDir)) {
    // The file backend refuses a folder that does not exist.
    mkdirSync(backend.localDir, { recursive: true, mode: 0o700 });
  }
  if (!existsSync(join(projectDir, 'Pulumi.yaml'))) {
    throw new UsageError(`${projectDir} has no Pulumi.yaml: run jitsi-eu commands from a complete checkout`);
  }

  // Loaded only now: the Automation API pulls in gRPC and takes a moment to import.
  const automation = await import('@pulumi/pulumi/automation/index.js');
  const root = basename(dirname(cli)) === 'bin' ? dirname(dirname(cli)) : undefined;
  let command: import('@pulumi/pulumi/automation/index.js').PulumiCommand;
  try {
    command = await automation.PulumiCommand.get(root ? { root } : {});
  } catch (error) {
    throw new UsageError([`the Pulumi CLI at ${cli} cannot be used: ${firstLine((error as Error).message)}`, ...PULUMI_INSTALL_HINT.slice(1)]);
  }
  if (command.version && command.version.compare(MIN_PULUMI_VERSION) < 0) {
    throw new UsageError([`the Pulumi CLI at ${cli} is version ${command.version.version}; jitsi-eu needs ${MIN_PULUMI_VERSION} or newer.`, 'Update it (reinstall as below) and run the command again:', ...PULUMI_INSTALL_HINT.slice(2, 4)]);
  }
  const envVars: Record<string, string> = {
    PULUMI_BACKEND_URL: backend.url,
    ...secrets.env,
    PULUMI_SKIP_UPDATE_CHECK: 'true',
  };
  const workspace = await automation.LocalWorkspace.create({
    workDir: projectDir,
    pulumiCommand: command,
    envVars,
    secretsProvider: secrets.provider,
  });
  return new PulumiWorkspace(workspace, automation, projectDir, backend);
}

type Automation = typeof import('@pulumi/pulumi/automation/index.js');
type LocalWorkspace = import('@pulumi/pulumi/automation/index.js').LocalWorkspace;
type AutomationStack = import('@pulumi/pulumi/automation/index.js').Stack;

/** The Workspace on Pulumi's Automation API. */
export class PulumiWorkspace implements Workspace {
  readonly backendDescription: string;

  constructor(
    private readonly ws: LocalWorkspace,
    private readonly automation: Automation,
    readonly projectDir: string,
    readonly backend: BackendChoice,
  ) {
    this.backendDescription = backend.isDefault ? `the local state folder ${backend.localDir}` : `the backend ${redactUrl(backend.url)}`;
  }

  async listStacks(): Promise<StackSummary[]> {
    const stacks = await this.call(undefined, () => this.ws.listStacks());
    return stacks.map((s) => ({
      name: s.name,
      ...(s.lastUpdate ? { lastUpdate: s.lastUpdate } : {}),
      ...(s.updateInProgress !== undefined ? { updateInProgress: s.updateInProgress } : {}),
      ...(s.resourceCount !== undefined ? { resourceCount: s.resourceCount } : {}),
    }));
  }

  async readStackConfig(stack: string): Promise<StackConfig | undefined> {
    return readStackConfigFile(stackFileFor(stack, this.projectDir));
  }

  async writeStackFile(stack: string, config: StackConfig, comment: string): Promise<void> {
    writeNewStackFile(stackFileFor(stack, this.projectDir), config, comment);
  }

  async createStack(stack: string): Promise<void> {
    await this.call(stack, () => this.ws.createStack(stack));
  }

  async createOrSelectStack(stack: string): Promise<'created' | 'selected'> {
    try {
      await this.select(stack);
      return 'selected';
    } catch (error) {
      if (!(error instanceof StackMissingError)) throw error;
    }
    await this.createStack(stack);
    return 'created';
  }

  async setConfig(stack: string, key: string, value: string): Promise<void> {
    await this.call(stack, () => this.ws.setConfig(stack, key, { value, secret: false }));
  }

  async preview(stack: string, policy: PolicyConfig, scope: UpdateOptions = {}): Promise<PreviewRun> {
    const selected = await this.select(stack);
    const events: EngineEvent[] = [];
    const result = await this.withEnv(scope.env, () =>
      this.withPolicy(stack, policy, events, (packs) => selected.preview({ diff: true, ...packs, ...scopeOptions(scope), onEvent: (event) => events.push(event) })),
    );
    return { events, changeSummary: result.changeSummary as Record<string, number> };
  }

  async up(stack: string, onOutput: (text: string) => void, policy: PolicyConfig, options: UpdateOptions = {}): Promise<StackOutputs> {
    const selected = await this.select(stack);
    const events: EngineEvent[] = [];
    const result = await this.withEnv(options.env, () =>
      this.withPolicy(stack, policy, events, (packs) => selected.up({ onOutput, onError: onOutput, ...packs, ...scopeOptions(options), onEvent: (event) => events.push(event) })),
    );
    return result.outputs as StackOutputs;
  }

  /** Runs one operation with extra variables for the CLI and the program, removed afterwards. */
  private async withEnv<T>(env: Record<string, string> | undefined, run: () => Promise<T>): Promise<T> {
    const names = Object.keys(env ?? {});
    Object.assign(this.ws.envVars, env);
    try {
      return await run();
    } finally {
      for (const name of names) delete this.ws.envVars[name];
    }
  }

  /**
   * Runs a preview or an update with the policy pack and its config (written to a private
   * temporary file for the duration); a failure with mandatory violations among the events
   * becomes a PolicyViolationError.
   */
  private async withPolicy<T>(
    stack: string,
    policy: PolicyConfig,
    events: readonly EngineEvent[],
    run: (packs: { policyPacks: string[]; policyPackConfigs: string[] }) => Promise<T>,
  ): Promise<T> {
    const dir = mkdtempSync(join(tmpdir(), 'jitsi-eu-policy-'));
    const configFile = join(dir, 'policy-config.json');
    writeFileSync(configFile, JSON.stringify(policyPackConfig(policy)), { mode: 0o600 });
    try {
      return await this.call(stack, () => run({ policyPacks: [POLICY_PACK_DIR], policyPackConfigs: [configFile] }));
    } catch (error) {
      const violations = mandatoryViolations(events);
      throw violations.length ? new PolicyViolationError(stack, violations) : error;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  async outputs(stack: string): Promise<StackOutputs> {
    return (await this.call(stack, () => this.ws.stackOutputs(stack))) as StackOutputs;
  }

  async destroy(stack: string, onOutput: (text: string) => void): Promise<void> {
    const selected = await this.select(stack);
    await this.call(stack, () => selected.destroy({ onOutput, onError: onOutput }));
  }

  async removeStack(stack: string): Promise<void> {
    this.selected.delete(stack);
    await this.call(stack, () => this.ws.removeStack(stack));
  }

  async firstUpdateAt(stack: string): Promise<Date | undefined> {
    const selected = await this.select(stack);
    const history = await this.call(stack, () => selected.history());
    const starts = history.filter((h) => h.kind === 'update').map((h) => new Date(h.startTime).getTime()).filter((t) => !Number.isNaN(t));
    return starts.length ? new Date(Math.min(...starts)) : undefined;
  }

  /** Stacks already selected: each further command names its stack, so one `stack select` is enough. */
  private readonly selected = new Map<string, AutomationStack>();

  private async select(stack: string) {
    const known = this.selected.get(stack);
    if (known) return known;
    const selected = await this.call(stack, () => this.automation.Stack.select(stack, this.ws));
    this.selected.set(stack, selected);
    return selected;
  }

  /** Runs one Automation API call and turns its errors into ours. */
  private async call<T>(stack: string | undefined, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw this.translate(stack, error);
    }
  }

  private translate(stack: string | undefined, error: unknown): Error {
    const a = this.automation;
    if (stack && error instanceof a.StackNotFoundError) return new StackMissingError(stack, this.backendDescription);
    if (stack && error instanceof a.StackAlreadyExistsError) return new StackExistsError(stack, this.backendDescription);
    if (stack && error instanceof a.ConcurrentUpdateError) return new StackBusyError(stack);
    if (error instanceof a.CommandError) return new PulumiCommandError(pulumiErrorLines(error.message));
    return error instanceof Error ? error : new Error(String(error));
  }
}

/** The `--policy-pack-config` document: per policy, its settings (see infra/policy/policies.ts). */
export function policyPackConfig(policy: PolicyConfig): Record<string, unknown> {
  return { 'eu-region': { allowNonEuRegion: policy.allowNonEuRegion } };
}

/** Pulumi's `error:` lines from a failed command's output (the whole output when it has none). */
export function pulumiErrorLines(message: string): string {
  const stderr = /stderr: ([\s\S]*?)(?:\n err\?:|$)/.exec(message)?.[1] ?? message;
  const lines = stderr.split('\n').map((l) => l.trimEnd()).filter(Boolean);
  const errors = lines.filter((l) => /^\s*error:/.test(l));
  return (errors.length ? errors : lines.slice(-15)).join('\n');
}

/** Hides credentials in a backend URL (`s3://...?access_key=` or `https://user:pw@host`). */
export function redactUrl(url: string): string {
  return url.replace(/\/\/[^/@]*@/, '//…@').replace(/([?&](?:secret|token|password|access_key)[^=]*=)[^&]*/gi, '$1…');
}

function firstLine(text: string): string {
  return text.split('\n').find((l) => l.trim()) ?? text;
}

// ---------------------------------------------------------------------------------------------
// Stack files: the same Pulumi.<stack>.yaml that `pulumi` itself reads.

export function readStackConfigFile(path: string): StackConfig | undefined {
  if (!existsSync(path)) return undefined;
  const parsed: unknown = parseYaml(readFileSync(path, 'utf8'));
  if (parsed && typeof parsed === 'object' && 'config' in parsed) {
    const config = (parsed as { config: unknown }).config;
    if (config && typeof config === 'object' && !Array.isArray(config)) return config as StackConfig;
  }
  return {};
}

/** Writes a stack file with a leading comment; every string is quoted so no YAML reader retypes it. */
export function writeNewStackFile(path: string, config: StackConfig, comment: string): void {
  if (existsSync(path)) throw new UsageError(`${path} already exists: choose another name, or remove the file if it is left over`);
  const doc = new Document({ config });
  doc.commentBefore = comment
    .split('\n')
    .map((line) => (line ? ` ${line}` : ''))
    .join('\n');
  writeFileSync(path, doc.toString({ defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN', lineWidth: 0 }), { mode: 0o644, flag: 'wx' });
}
