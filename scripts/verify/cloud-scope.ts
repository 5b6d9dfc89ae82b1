// Which checks mean something on the stack's cloud. The external checks ask only the site and
// work on every cloud; the AWS-side checks (--aws) and the placement of the address in AWS's EC2
// ranges are AWS's own, so on Hetzner Cloud and OpenStack they are skipped with the reason.
import type { DeploymentSpec } from '../../infra/spec/types.ts';
import type { CheckDefinition } from './checks/define.ts';

const CLOUD_NAME = { hetzner: 'Hetzner Cloud', openstack: 'OpenStack' } as const;

/** Checks that place the site's address in AWS's published EC2 ranges. */
const AWS_ADDRESS_CHECKS = new Set(['dns-aws-eu-region']);

/** Why the check does not apply to this stack's cloud, or undefined when it does. */
export function notOnThisCloud(check: Pick<CheckDefinition, 'id' | 'mode'>, spec: Pick<DeploymentSpec, 'cloud' | 'stack'>, fromStack: boolean): string | undefined {
  if (!fromStack || spec.cloud === 'aws') return undefined;
  const cloud = CLOUD_NAME[spec.cloud];
  if (check.mode === 'aws') {
    return `AWS-side check; stack ${spec.stack} runs on ${cloud}, which gives jitsi-eu no read access to its hosts: npm run status shows its servers, privacy-residency its place`;
  }
  if (AWS_ADDRESS_CHECKS.has(check.id)) {
    return `places the address in AWS's EC2 ranges; ${cloud} publishes no address ranges per location that jitsi-eu can check offline, so privacy-residency judges the stack's declared place instead`;
  }
  return undefined;
}
