// The checks that need no network: the Pulumi CLI and its version, the secrets passphrase and
// the Session Manager plugin.
import { execFile } from 'node:child_process';
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PASSPHRASE_SETUP_LINES } from '../lib/passphrase.ts';
import { MIN_PULUMI_VERSION, PULUMI_INSTALL_HINT, findPulumiCli } from '../lib/workspace.ts';
import { missing, ok, type DoctorItem } from './item.ts';

const run = promisify(execFile);

/** -1, 0 or 1 as `a` is older than, equal to or newer than `b` (major.minor.patch). */
export function compareVersions(a: string, b: string): number {
  const parts = (v: string) => v.replace(/^v/, '').split(/[.+-]/).slice(0, 3).map((n) => Number.parseInt(n, 10) || 0);
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < 3; i += 1) if (x[i] !== y[i]) return x[i]! < y[i]! ? -1 : 1;
  return 0;
}

export async function checkPulumiCli(env: NodeJS.ProcessEnv): Promise<DoctorItem> {
  const title = `Pulumi CLI ${MIN_PULUMI_VERSION} or newer`;
  const cli = findPulumiCli(env.PATH);
  if (!cli) return missing('pulumi-cli', title, 'no `pulumi` on PATH', PULUMI_INSTALL_HINT.slice(1));
  let version: string;
  try {
    version = (await run(cli, ['version'], { env: { ...env, PULUMI_SKIP_UPDATE_CHECK: 'true' }, timeout: 15_000 })).stdout.trim();
  } catch (error) {
    return missing('pulumi-cli', title, `${cli} version failed: ${(error as Error).message.split('\n')[0]}`, ['reinstall the Pulumi CLI:', ...PULUMI_INSTALL_HINT.slice(2, 4)]);
  }
  if (!/^v?\d+\.\d+\.\d+/.test(version)) return missing('pulumi-cli', title, `${cli} version printed ${JSON.stringify(version)}, not a version`, ['reinstall the Pulumi CLI:', ...PULUMI_INSTALL_HINT.slice(2, 4)]);
  if (compareVersions(version, MIN_PULUMI_VERSION) < 0) {
    return missing('pulumi-cli', title, `${cli} is ${version}`, [`update it to ${MIN_PULUMI_VERSION} or newer:`, ...PULUMI_INSTALL_HINT.slice(2, 4)]);
  }
  return ok('pulumi-cli', title, `${cli} ${version}`);
}

const SETUP = ['create a passphrase file once and point Pulumi at it (keep it: every later deploy and teardown needs it):', ...PASSPHRASE_SETUP_LINES.map((l) => `  ${l}`)];

export function checkPassphrase(env: NodeJS.ProcessEnv): DoctorItem {
  const id = 'passphrase';
  const title = 'passphrase for the stacks’ secrets';
  const provider = env.JITSI_EU_SECRETS_PROVIDER?.trim();
  if (provider && provider !== 'passphrase') return ok(id, title, `JITSI_EU_SECRETS_PROVIDER=${provider} (no passphrase needed for new stacks)`);
  if (env.PULUMI_CONFIG_PASSPHRASE) return ok(id, title, 'PULUMI_CONFIG_PASSPHRASE is set');
  const file = env.PULUMI_CONFIG_PASSPHRASE_FILE?.trim();
  if (!file) {
    const empty = env.PULUMI_CONFIG_PASSPHRASE === '' ? ' (PULUMI_CONFIG_PASSPHRASE is set but empty)' : '';
    return missing(id, title, `neither PULUMI_CONFIG_PASSPHRASE nor PULUMI_CONFIG_PASSPHRASE_FILE is set${empty}`, SETUP);
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return missing(id, title, `PULUMI_CONFIG_PASSPHRASE_FILE=${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`, SETUP);
  }
  if (text.trim() === '') return missing(id, title, `PULUMI_CONFIG_PASSPHRASE_FILE=${file} is empty`, SETUP);
  const mode = statSync(file).mode & 0o777;
  if (mode & 0o077) {
    return missing(id, title, `PULUMI_CONFIG_PASSPHRASE_FILE=${file} can be read by other users (mode ${mode.toString(8).padStart(4, '0')})`, [
      `make it private: chmod 600 ${file}`,
    ]);
  }
  return ok(id, title, `PULUMI_CONFIG_PASSPHRASE_FILE=${file} (readable, private)`);
}

export function checkSessionManagerPlugin(env: NodeJS.ProcessEnv): DoctorItem {
  const title = 'AWS Session Manager plugin (the only way into a host: there is no SSH)';
  for (const dir of (env.PATH ?? '').split(':').filter(Boolean)) {
    const candidate = join(dir, 'session-manager-plugin');
    try {
      accessSync(candidate, constants.X_OK);
      return ok('session-manager-plugin', title, candidate);
    } catch {
      // keep looking
    }
  }
  return missing('session-manager-plugin', title, 'no `session-manager-plugin` on PATH: the stack output ssmShellCommand will not work', [
    'install it (Debian/Ubuntu: the session-manager-plugin.deb package from AWS), see',
    '  https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-working-with-install-plugin.html',
  ]);
}
