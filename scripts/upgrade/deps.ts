// What upgrade reaches outside itself: deploy's parts (Pulumi, credentials, confirmation, waits,
// verification), EC2's Debian images, commands on the hosts through SSM, and the clock.
import { REAL_DEPLOY_DEPS, type DeployDeps } from '../deploy/main.ts';
import type { HostCommands } from '../lib/host-commands.ts';
import { awsImageSource, type ImageSource } from '../lib/stack-images.ts';
import type { DeploymentSpec } from '../../infra/spec/types.ts';
import { REAL_CLOCK, type Clock } from './window.ts';

export interface UpgradeDeps extends DeployDeps {
  imageSource: (spec: DeploymentSpec) => Promise<ImageSource>;
  /** Commands on the hosts of a region. */
  hosts: (region: string) => Promise<HostCommands>;
  clock: Clock;
  /** Between two questions to the signaling host while --when-idle waits. */
  idlePollMs?: number;
  /** Where the stack files are (the checkout by default). */
  projectDir?: string;
}

export const REAL_UPGRADE_DEPS: UpgradeDeps = {
  ...REAL_DEPLOY_DEPS,
  imageSource: awsImageSource,
  hosts: async (region) => {
    const [{ SSMClient }, { SsmHostCommands }] = await Promise.all([import('@aws-sdk/client-ssm'), import('../lib/host-commands.ts')]);
    return new SsmHostCommands(new SSMClient({ region, maxAttempts: 3 }));
  },
  clock: REAL_CLOCK,
};
