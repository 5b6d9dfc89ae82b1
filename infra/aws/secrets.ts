// Component secrets: generated here, kept as Pulumi secrets, stored as SSM SecureString
// parameters under the stack's own path, and read by the hosts at boot. They never travel in
// user data. Also the one IAM policy that lets a host read them.
import * as pulumi from '@pulumi/pulumi';
import { Policy } from '@pulumi/aws/iam/policy.js';
import { Parameter } from '@pulumi/aws/ssm/parameter.js';
import { RandomPassword } from '@pulumi/random/randomPassword.js';
import type { DeploymentSpec } from '../spec/types.ts';
import { type SecretName, secretsFor, ssmParameterName, ssmPrefix, tlsCertificateParameterName } from '../secrets.ts';
import { SECRETS_COMPONENT_TYPE } from './secret-urns.ts';
import { type AwsAccount, arnFor } from './account.ts';
import { bundlePointerName } from '../render/delivery.ts';

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

/** SecureString values are decrypted by KMS on SSM's behalf, and only through SSM. */
function decryptThroughSsm(account: AwsAccount): object {
  return {
    Sid: 'DecryptThemThroughSsm',
    Effect: 'Allow',
    Action: 'kms:Decrypt',
    Resource: arnFor(account, 'kms', 'key/*'),
    Condition: { StringEquals: { 'kms:ViaService': `ssm.${account.region}.${account.dnsSuffix}` } },
  };
}

/** ARN of one SSM parameter (its name starts with `/`). */
export function parameterArn(account: AwsAccount, name: string): string {
  return arnFor(account, 'ssm', `parameter${name}`);
}

/** The SSM actions that return a parameter's value. */
const PARAMETER_READ_ACTIONS = ['ssm:GetParameter', 'ssm:GetParameters', 'ssm:GetParametersByPath', 'ssm:GetParameterHistory'];

/**
 * The IAM policy document that reads the stack's parameters and nothing else (the signaling
 * node). AmazonSSMManagedInstanceCore (Session Manager) allows ssm:GetParameter(s) on every
 * parameter of the account: the explicit deny keeps other stacks' secrets out of reach.
 */
export function readSecretsPolicyDocument(spec: Pick<DeploymentSpec, 'stack'>, account: AwsAccount): object {
  const path = ssmPrefix(spec.stack).replace(/\/$/, '');
  // The path itself is what GetParametersByPath is authorised against; `/*` covers the parameters.
  const own = [parameterArn(account, path), parameterArn(account, `${path}/*`)];
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'ReadThisStacksParameters',
        Effect: 'Allow',
        Action: ['ssm:GetParameter', 'ssm:GetParameters', 'ssm:GetParametersByPath'],
        Resource: own,
      },
      decryptThroughSsm(account),
      {
        Sid: 'NoOtherStacksParameters',
        Effect: 'Deny',
        Action: PARAMETER_READ_ACTIONS,
        NotResource: [...own, `arn:${account.partition}:ssm:*::parameter/aws/*`],
      },
    ],
  };
}

/**
 * A videobridge needs its XMPP password and nothing else of the stack. AmazonSSMManagedInstanceCore
 * (Session Manager) allows ssm:GetParameter(s) on every parameter, and SSM's AWS managed key lets
 * any principal of the account decrypt through SSM: only an explicit deny keeps the other secrets
 * (of this stack and any other) from a bridge. AWS's public parameters stay readable.
 */
export function readBridgeSecretsPolicyDocument(spec: Pick<DeploymentSpec, 'stack'>, account: AwsAccount): object {
  const password = parameterArn(account, ssmParameterName(spec.stack, 'jvb-password'));
  // The pointer to the bridges' configuration bundle: not a secret, read by the host agent.
  const pointer = parameterArn(account, bundlePointerName(spec.stack, 'bridge'));
  return {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'ReadTheBridgePassword', Effect: 'Allow', Action: 'ssm:GetParameter', Resource: [password, pointer] },
      decryptThroughSsm(account),
      {
        Sid: 'NoOtherParameter',
        Effect: 'Deny',
        Action: PARAMETER_READ_ACTIONS,
        NotResource: [password, pointer, `arn:${account.partition}:ssm:*::parameter/aws/*`],
      },
    ],
  };
}

/**
 * The signaling node writes its certificate back after each issue or renewal. The parameter uses
 * SSM's AWS managed key, whose key policy lets SSM encrypt for any principal of the account.
 */
export function storeCertificatePolicyDocument(spec: Pick<DeploymentSpec, 'stack'>, account: AwsAccount): object {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'StoreOwnCertificate',
        Effect: 'Allow',
        Action: 'ssm:PutParameter',
        Resource: parameterArn(account, tlsCertificateParameterName(spec.stack)),
      },
    ],
  };
}

/** Value of the certificate parameter until the signaling node has stored one. */
export const NO_CERTIFICATE_YET = 'none';

export class Secrets extends pulumi.ComponentResource {
  /** SSM parameter name of each secret this deployment has. */
  readonly parameterNames: Partial<Record<SecretName, string>> = {};
  /** Reads every parameter of the stack: the signaling node. */
  readonly readPolicyArn: pulumi.Output<string>;
  /** Reads the videobridges' password only; scalable topology. */
  readonly bridgeReadPolicyArn?: pulumi.Output<string>;
  readonly certificateParameterName: string;

  constructor(name: string, args: SecretsArgs, opts?: pulumi.ComponentResourceOptions) {
    super(SECRETS_COMPONENT_TYPE, name, {}, opts);
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

    // The host stores the certificate it has issued; Pulumi only creates the parameter (so that
    // it carries the stack's tags and `pulumi destroy` removes it) and never overwrites the value.
    this.certificateParameterName = tlsCertificateParameterName(spec.stack);
    parameters.push(new Parameter(`${name}-tls-certificate`, {
      name: this.certificateParameterName,
      type: 'SecureString',
      // Key and full chain may exceed the 4 KB of a standard parameter.
      tier: 'Intelligent-Tiering',
      value: NO_CERTIFICATE_YET,
      description: `jitsi-eu ${spec.stack}: TLS key and certificate of ${spec.domain}, kept across host replacements`,
    }, { parent: this, ignoreChanges: ['value'] }));

    const policy = new Policy(`${name}-read`, {
      description: `Read the jitsi-eu ${spec.stack} secrets under ${ssmPrefix(spec.stack)}`,
      policy: JSON.stringify(readSecretsPolicyDocument(spec, account)),
    }, { parent: this, dependsOn: parameters });
    this.readPolicyArn = policy.arn;
    if (spec.topology === 'scalable') {
      const bridgePolicy = new Policy(`${name}-read-bridge`, {
        description: `Read the jitsi-eu ${spec.stack} videobridge password`,
        policy: JSON.stringify(readBridgeSecretsPolicyDocument(spec, account)),
      }, { parent: this, dependsOn: parameters });
      this.bridgeReadPolicyArn = bridgePolicy.arn;
    }
    this.registerOutputs({
      parameterNames: this.parameterNames,
      readPolicyArn: this.readPolicyArn,
      bridgeReadPolicyArn: this.bridgeReadPolicyArn,
      certificateParameterName: this.certificateParameterName,
    });
  }
}
