// rotate and upgrade work on a running AWS stack through AWS's own services (SSM Parameter Store,
// Run Command, the bridges' Auto Scaling group). On Hetzner Cloud and OpenStack they refuse at
// once, saying what to do instead: deploy and accounts reach those stacks through the channel to
// the signaling node, but rotation does not use it yet, and an upgrade there is a deploy.
import type { Cloud, DeploymentSpec } from '../../infra/spec/types.ts';
import { UsageError } from './cli.ts';

export type HostCommand = 'rotate' | 'upgrade';

const CLOUD_NAME: Record<Cloud, string> = { aws: 'AWS', hetzner: 'Hetzner Cloud', openstack: 'OpenStack' };

function whyLines(command: HostCommand, spec: Pick<DeploymentSpec, 'stack' | 'cloud'>): string[] {
  const deploy = `npm run deploy -- --stack ${spec.stack}`;
  switch (command) {
    case 'rotate':
      return [
        'Here the signaling node made every service secret at its first boot and keeps them on its disk; rotating them through the stack\'s channel is not built yet: nothing was changed.',
        'Instead: new secrets come with a new signaling node. Replace it with',
        `pulumi up --stack ${spec.stack} --replace <URN of the signaling server> (pulumi stack --stack ${spec.stack} --show-urns lists it). Meetings in progress end.`,
      ];
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
