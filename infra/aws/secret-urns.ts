// Where the program's secrets sit in a stack's state, for commands that name them to Pulumi
// (rotate). Kept apart from the component so that a command can compute them without loading
// the Pulumi SDK.
import type { SecretName } from '../secrets.ts';
import { PROJECT } from '../tags.ts';

/** Logical name of the one Secrets component of the program. */
export const SECRETS_COMPONENT_NAME = 'secrets';
export const SECRETS_COMPONENT_TYPE = 'jitsi-eu:aws:Secrets';

/**
 * URNs of one secret's two resources in a stack: the RandomPassword that makes the value and the
 * SSM parameter that holds it (both named `secrets-<secret>`). Rotation replaces the first, which
 * makes a new value, and updates the second; nothing else in the program refers to a value.
 */
export function secretUrns(stack: string, secret: SecretName): { password: string; parameter: string } {
  // Children of a component directly under the stack: the component's type, then their own.
  const prefix = `urn:pulumi:${stack}::${PROJECT}::${SECRETS_COMPONENT_TYPE}$`;
  const name = `${SECRETS_COMPONENT_NAME}-${secret}`;
  return {
    password: `${prefix}random:index/randomPassword:RandomPassword::${name}`,
    parameter: `${prefix}aws:ssm/parameter:Parameter::${name}`,
  };
}
