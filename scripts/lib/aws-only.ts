// upgrade works on a running AWS stack through AWS's own services (SSM Parameter Store, Run
// Command, the bridges' Auto Scaling group). On Hetzner Cloud and OpenStack it refuses at once,
// saying what to do instead: an upgrade there is a deploy.
import type { Cloud, DeploymentSpec } from '../../infra/spec/types.ts';
import { UsageError } from './cli.ts';

export type HostCommand = 'upgrade';

const CLOUD_NAME: Record<Cloud, string> = { aws: 'AWS', hetzner: 'Hetzner Cloud', openstack: 'OpenStack' };

function whyLines(command: HostCommand, spec: Pick<DeploymentSpec, 'stack' | 'cloud'>): string[] {
  const deploy = `npm run deploy -- --stack ${spec.stack}`;
  switch (command) {
    case 'upgrade':
      return [
        'Here an upgrade is a deploy: nothing was changed.',
        'Instead: set the new jitsi-eu:image (the provider\'s Debian image name) or jitsi-eu:jitsiVersion, or a new jitsi-eu:instanceType, in the stack file,',
        `then run ${deploy}: it replaces the hosts (meetings on the signaling node end), and its preview shows that and asks first.`,
      ];
  }
}

/** Throws a UsageError (exit 2) for a stack outside AWS; returns for an AWS stack. */
export function refuseOutsideAws(command: HostCommand, spec: Pick<DeploymentSpec, 'stack' | 'cloud'>): void {
  if (spec.cloud === 'aws') return;
  throw new UsageError([`npm run ${command} is not available for stack ${spec.stack}, which runs on ${CLOUD_NAME[spec.cloud]} (jitsi-eu:cloud: ${spec.cloud}).`, ...whyLines(command, spec)]);
}
