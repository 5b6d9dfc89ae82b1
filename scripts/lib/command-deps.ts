// What deploy, teardown and sandbox reach outside themselves in common: the Pulumi workspace, the
// credential checks and where their output goes. Each command's deps extend this, so a test
// can swap any part for a stand-in.
import { progress } from './cli.ts';
import { requireCloudCredentials, type CredentialTarget } from './cloud-credentials.ts';
import { openPulumiWorkspace, type Workspace } from './workspace.ts';

export interface CommandDeps {
  openWorkspace: () => Promise<Workspace>;
  /** AWS: are there working credentials for this region? */
  requireCredentials: (region: string) => Promise<unknown>;
  /** Hetzner Cloud and OpenStack: are the provider's credentials there? (default: the environment and clouds.yaml) */
  requireCloudCredentials?: (target: CredentialTarget) => Promise<void> | void;
  /** The command's result (stdout). */
  out: (text: string) => void;
  /** Progress lines (stderr). */
  progress: (message: string) => void;
  /** Pulumi's own output, passed through (stderr). */
  onOutput: (text: string) => void;
}

/** The credentials check for the stack's cloud: STS on AWS, the token or clouds.yaml entry elsewhere. */
export async function checkCredentials(deps: Pick<CommandDeps, 'requireCredentials' | 'requireCloudCredentials'>, target: CredentialTarget): Promise<void> {
  if (target.cloud === 'aws') await deps.requireCredentials(target.region);
  else await (deps.requireCloudCredentials ?? requireCloudCredentials)(target);
}

export const REAL_COMMAND_DEPS: CommandDeps = {
  openWorkspace: () => openPulumiWorkspace(),
  // The AWS SDK loads only when credentials are checked, so that --help and usage errors stay fast.
  requireCredentials: async (region) => (await import('../deploy/credentials.ts')).requireAwsCredentials(region),
  out: (text) => process.stdout.write(text),
  progress,
  onOutput: (text) => process.stderr.write(text),
};
