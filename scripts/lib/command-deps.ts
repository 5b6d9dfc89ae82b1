// What deploy, teardown and sandbox reach outside themselves in common: the Pulumi workspace, the
// AWS credential check and where their output goes. Each command's deps extend this, so a test
// can swap any part for a stand-in.
import { progress } from './cli.ts';
import { openPulumiWorkspace, type Workspace } from './workspace.ts';

export interface CommandDeps {
  openWorkspace: () => Promise<Workspace>;
  requireCredentials: (region: string) => Promise<unknown>;
  /** The command's result (stdout). */
  out: (text: string) => void;
  /** Progress lines (stderr). */
  progress: (message: string) => void;
  /** Pulumi's own output, passed through (stderr). */
  onOutput: (text: string) => void;
}

export const REAL_COMMAND_DEPS: CommandDeps = {
  openWorkspace: () => openPulumiWorkspace(),
  // The AWS SDK loads only when credentials are checked, so that --help and usage errors stay fast.
  requireCredentials: async (region) => (await import('../deploy/credentials.ts')).requireAwsCredentials(region),
  out: (text) => process.stdout.write(text),
  progress,
  onOutput: (text) => process.stderr.write(text),
};
