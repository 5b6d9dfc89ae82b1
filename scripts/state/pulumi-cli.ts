// The few `pulumi` CLI calls that move state between backends, run through zx. Each call names
// its backend with PULUMI_BACKEND_URL, so nothing depends on (or changes) `pulumi login`.
// The Automation API is not used here: export and import are single CLI calls, and the same
// calls must reach two different backends within one command.
import { $ } from 'zx';
import { PULUMI_INSTALL_HINT, PulumiCommandError, chooseSecrets, findPulumiCli, pulumiErrorLines } from '../lib/workspace.ts';
import { UsageError } from '../lib/cli.ts';

/** A `pulumi stack export` document: only the parts jitsi-eu looks at. */
export interface Deployment {
  version: number;
  deployment: {
    resources?: unknown[];
    secrets_providers?: { type?: string; state?: { url?: string } };
  };
}

export interface PulumiCli {
  /** The provider new stacks get when an export does not name one (JITSI_EU_SECRETS_PROVIDER or the passphrase). */
  readonly defaultSecretsProvider: string;
  /** The stack's state as `pulumi stack export` prints it (secrets stay encrypted). */
  exportStack(backendUrl: string, stack: string): Promise<string>;
  /** Names of this project's stacks in the backend. */
  stackNames(backendUrl: string): Promise<string[]>;
  initStack(backendUrl: string, stack: string, secretsProvider: string): Promise<void>;
  importStack(backendUrl: string, stack: string, file: string): Promise<void>;
}

export interface CliOptions {
  env: NodeJS.ProcessEnv;
  /** Where Pulumi.yaml and the stack files are: stacks are project-scoped, and the passphrase salt is in the stack file. */
  projectDir: string;
}

/** Finds the CLI and the secrets settings first, so a missing one is an exit 2 before any work. */
export function pulumiCli(options: CliOptions): PulumiCli {
  const cli = findPulumiCli(options.env.PATH);
  if (!cli) throw new UsageError(PULUMI_INSTALL_HINT);
  const secrets = chooseSecrets(options.env);
  const run = async (backendUrl: string, args: string[]): Promise<string> => {
    const env = { ...options.env, ...secrets.env, PULUMI_BACKEND_URL: backendUrl, PULUMI_SKIP_UPDATE_CHECK: 'true' };
    const result = await $({ cwd: options.projectDir, env, quiet: true, nothrow: true })`${cli} ${args} --non-interactive`;
    if (result.exitCode !== 0) throw new PulumiCommandError(`pulumi ${args.slice(0, 2).join(' ')} failed: ${pulumiErrorLines(result.stderr || result.stdout)}`);
    return result.stdout;
  };
  return {
    defaultSecretsProvider: secrets.provider,
    exportStack: (backendUrl, stack) => run(backendUrl, ['stack', 'export', '--stack', stack]),
    stackNames: async (backendUrl) => {
      const listed = JSON.parse((await run(backendUrl, ['stack', 'ls', '--json'])) || '[]') as { name: string }[];
      return listed.map((s) => s.name);
    },
    initStack: async (backendUrl, stack, secretsProvider) => {
      await run(backendUrl, ['stack', 'init', stack, '--secrets-provider', secretsProvider]);
    },
    importStack: async (backendUrl, stack, file) => {
      await run(backendUrl, ['stack', 'import', '--stack', stack, '--file', file]);
    },
  };
}

/** Parses an export; anything that is not one is an error naming `source`. */
export function parseDeployment(text: string, source: string): Deployment {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UsageError(`${source} is not a Pulumi state export (not JSON)`);
  }
  const d = parsed as Partial<Deployment> | null;
  if (!d || typeof d !== 'object' || typeof d.version !== 'number' || !d.deployment || typeof d.deployment !== 'object') {
    throw new UsageError(`${source} is not a Pulumi state export (no "version" and "deployment")`);
  }
  return d as Deployment;
}

export function resourceCount(d: Deployment): number {
  return d.deployment.resources?.length ?? 0;
}

/**
 * The secrets provider a stack created from this export must have, so the encrypted values in
 * it stay readable: the passphrase (its salt is in Pulumi.NAME.yaml) or the same KMS key.
 */
export function secretsProviderOf(d: Deployment, fallback: string): string {
  const sp = d.deployment.secrets_providers;
  if (sp?.type === 'passphrase') return 'passphrase';
  if (sp?.type === 'cloud' && sp.state?.url) return sp.state.url;
  return fallback;
}
