// The role a jitsi-eu host runs as: read the secrets its role needs, be reachable through SSM
// Session Manager (no SSH), plus whatever the caller adds (signaling node: storing its TLS
// certificate; bridges: their own lifecycle hook).
import * as pulumi from '@pulumi/pulumi';
import { InstanceProfile } from '@pulumi/aws/iam/instanceProfile.js';
import { Role } from '@pulumi/aws/iam/role.js';
import { RolePolicy } from '@pulumi/aws/iam/rolePolicy.js';
import { RolePolicyAttachment } from '@pulumi/aws/iam/rolePolicyAttachment.js';
import { type AwsAccount, managedPolicyArn } from './account.ts';

export const SESSION_MANAGER_POLICY = 'AmazonSSMManagedInstanceCore';

export interface InstanceRoleArgs {
  account: AwsAccount;
  description: string;
  /** The managed policy that reads this role's secrets (all of the stack's, or the bridge's one). */
  readSecretsPolicyArn: pulumi.Input<string>;
  /** Reads the stack's configuration bundles (every role). */
  readBundlesPolicyArn?: pulumi.Input<string>;
  /** An extra inline policy document, for permissions only this role needs. */
  inlinePolicy?: object;
}

export interface InstanceRole {
  role: Role;
  profile: InstanceProfile;
}

export function createInstanceRole(name: string, args: InstanceRoleArgs, parent: pulumi.Resource): InstanceRole {
  const child = { parent };
  const role = new Role(`${name}-role`, {
    description: args.description,
    assumeRolePolicy: JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: args.account.ec2Principal }, Action: 'sts:AssumeRole' }],
    }),
  }, child);
  const attachments = [
    new RolePolicyAttachment(`${name}-secrets`, { role: role.name, policyArn: args.readSecretsPolicyArn }, child),
    new RolePolicyAttachment(`${name}-ssm`, { role: role.name, policyArn: managedPolicyArn(args.account, SESSION_MANAGER_POLICY) }, child),
    ...(args.readBundlesPolicyArn ? [new RolePolicyAttachment(`${name}-bundles`, { role: role.name, policyArn: args.readBundlesPolicyArn }, child)] : []),
  ];
  const inline = args.inlinePolicy
    ? [new RolePolicy(`${name}-inline`, { role: role.name, policy: JSON.stringify(args.inlinePolicy) }, child)]
    : [];
  // The profile waits for the permissions, so a host never boots without them.
  const profile = new InstanceProfile(`${name}-profile`, { role: role.name }, { parent, dependsOn: [...attachments, ...inline] });
  return { role, profile };
}
