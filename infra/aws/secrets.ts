// Component secrets: generated here, kept as Pulumi secrets, stored as SSM SecureString
// parameters under the stack's own path, and read by the hosts at boot. They never travel in
// user data. Also the one IAM policy that lets a host read them.
import * as pulumi from '@pulumi/pulumi';
import { Policy } from '@pulumi/aws/iam/policy.js';
import { Parameter } from '@pulumi/aws/ssm/parameter.js';
import { RandomPassword } from '@pulumi/random/randomPassword.js';
import type { DeploymentSpec } from '../spec/types.ts';
import { type SecretName, secretsFor, ssmParameterName, ssmPrefix } from '../secrets.ts';
import { type AwsAccount, arnFor } from './account.ts';

/** Letters and digits only: the values are substituted into Lua, HOCON and shell files. */
const SECRET_LENGTH: Record<SecretName, number> = {
  'focus-password': 32,
  'jvb-password': 32,
  'turn-secret': 40,
  'jwt-app-secret': 48,
  'host-password': 24,
};

const PURPOSE: Record<SecretName, string> = {
  'focus-password': "jicofo's XMPP account",
  'jvb-password': "the videobridges' XMPP account",
  'turn-secret': "coturn's shared secret for TURN credentials",
  'jwt-app-secret': 'the secret that signs host tokens (JWT)',
  'host-password': 'the initial host account',
};

export interface SecretsArgs {
  spec: DeploymentSpec;
  account: AwsAccount;
}

/** The IAM policy document that reads the stack's parameters and nothing else. */
export function readSecretsPolicyDocument(spec: Pick<DeploymentSpec, 'stack'>, account: AwsAccount): object {
  const path = ssmPrefix(spec.stack).replace(/\/$/, '');
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'ReadThisStacksParameters',
        Effect: 'Allow',
        Action: ['ssm:GetParameter', 'ssm:GetParameters', 'ssm:GetParametersByPath'],
        // The path itself is what GetParametersByPath is authorised against; `/*` covers the parameters.
        Resource: [arnFor(account, 'ssm', `parameter${path}`), arnFor(account, 'ssm', `parameter${path}/*`)],
      },
      {
        Sid: 'DecryptThemThroughSsm',
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: arnFor(account, 'kms', 'key/*'),
        Condition: { StringEquals: { 'kms:ViaService': `ssm.${account.region}.${account.dnsSuffix}` } },
      },
    ],
  };
}

export class Secrets extends pulumi.ComponentResource {
  /** SSM parameter name of each secret this deployment has. */
  readonly parameterNames: Partial<Record<SecretName, string>> = {};
  readonly readPolicyArn: pulumi.Output<string>;

  constructor(name: string, args: SecretsArgs, opts?: pulumi.ComponentResourceOptions) {
    super('jitsi-eu:aws:Secrets', name, {}, opts);
    const { spec, account } = args;
    const child = { parent: this };

    const parameters: Parameter[] = [];
    for (const secret of secretsFor(spec)) {
      const generated = new RandomPassword(`${name}-${secret}`, { length: SECRET_LENGTH[secret], special: false }, child);
      const parameterName = ssmParameterName(spec.stack, secret);
      parameters.push(new Parameter(`${name}-${secret}`, {
        name: parameterName,
        type: 'SecureString',
        tier: 'Standard',
        // Explicitly secret: the value stays encrypted in Pulumi's state and never shows in output.
        value: pulumi.secret(generated.result),
        description: `jitsi-eu ${spec.stack}: ${PURPOSE[secret]}`,
      }, child));
      this.parameterNames[secret] = parameterName;
    }

    const policy = new Policy(`${name}-read`, {
      description: `Read the jitsi-eu ${spec.stack} secrets under ${ssmPrefix(spec.stack)}`,
      policy: JSON.stringify(readSecretsPolicyDocument(spec, account)),
    }, { parent: this, dependsOn: parameters });
    this.readPolicyArn = policy.arn;
    this.registerOutputs({ parameterNames: this.parameterNames, readPolicyArn: this.readPolicyArn });
  }
}
