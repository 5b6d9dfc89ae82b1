// The day-2 commands that work on a running host (accounts, rotate, upgrade) reach it through AWS
// Systems Manager. Hetzner Cloud and OpenStack stacks have no such channel: jitsi-eu opens no SSH
// and runs no agent that takes orders, so configuration reaches those hosts only in the user data
// of new servers. These commands refuse such a stack at once, saying what to do instead.
import type { Cloud, DeploymentSpec } from '../../infra/spec/types.ts';
import { UsageError } from './cli.ts';

export type HostCommand = 'accounts' | 'rotate' | 'upgrade';

const CLOUD_NAME: Record<Cloud, string> = { aws: 'AWS', hetzner: 'Hetzner Cloud', openstack: 'OpenStack' };

const WHAT: Record<HostCommand, string> = {
  accounts: 'keeps host accounts in AWS SSM Parameter Store and applies them on the signaling node through SSM Run Command',
  rotate: 'stores new secret values in AWS SSM Parameter Store and restarts the services that read them through SSM Run Command',
  upgrade: "moves the stack's AWS image (jitsi-eu:amiId) and rolls the hosts through SSM and the bridges' Auto Scaling group",
};

function insteadLines(command: HostCommand, spec: Pick<DeploymentSpec, 'stack' | 'cloud'>): string[] {
  const deploy = `npm run deploy -- --stack ${spec.stack}`;
  const consoleWhere = spec.cloud === 'hetzner' ? 'the Hetzner Console (the server → Console)' : "your cloud's dashboard (the instance → Console)";
  switch (command) {
    case 'accounts':
      return [
        'Instead: host accounts live only on the signaling node here. Open its console in ' + consoleWhere + ' and manage them there with prosodyctl;',
        `they last until the node is replaced (${deploy} replaces it when its configuration changes, and the new node starts with the initial account again).`,
      ];
    case 'rotate':
      return [
        'Instead: on this cloud the signaling node makes every service secret at its first boot, and they never leave it, so new secrets come with a new node:',
        `${deploy} replaces the hosts whenever their configuration changes; to replace them without a change, run`,
        `pulumi up --stack ${spec.stack} --replace <URN of the signaling server> (pulumi stack --stack ${spec.stack} --show-urns lists it). Meetings in progress end.`,
      ];
    case 'upgrade':
      return [
        'Instead: set the new jitsi-eu:image (the provider\'s Debian image name) or jitsi-eu:jitsiVersion, or a new jitsi-eu:instanceType, in the stack file,',
        `then run ${deploy}: its preview shows the hosts being replaced (meetings on the signaling node end) and asks before it changes anything.`,
      ];
  }
}

/** Throws a UsageError (exit 2) for a stack outside AWS; returns for an AWS stack. */
export function refuseOutsideAws(command: HostCommand, spec: Pick<DeploymentSpec, 'stack' | 'cloud'>): void {
  if (spec.cloud === 'aws') return;
  const cloud = CLOUD_NAME[spec.cloud];
  throw new UsageError([
    `npm run ${command} is not available for stack ${spec.stack}, which runs on ${cloud} (jitsi-eu:cloud: ${spec.cloud}).`,
    `It ${WHAT[command]}; ${cloud} has no such service, and jitsi-eu opens no channel to the hosts there (no SSH, no agent taking orders): nothing was changed.`,
    ...insteadLines(command, spec),
  ]);
}
