// Values a rendered file cannot know offline. Templates write a token; the token is replaced
//  - at deploy time by the Pulumi program (values Pulumi learns while creating resources), or
//  - at boot by the host itself (instance metadata and SSM secrets: see infra/secrets.ts).
// Keeping them as tokens is what makes `npm run render` pure and its output byte-identical.

/** Known when Pulumi creates the resources; substituted into user data by the program. */
export const DEPLOY_VALUES = {
  /** Private IPv4 address of the signaling node, which bridges log in to over XMPP. */
  signalingPrivateIp: '@@jitsi-eu-deploy:signaling-private-ip@@',
  channelKey: '@@jitsi-eu-deploy:channel-key@@',
} as const;
export type DeployValueName = keyof typeof DEPLOY_VALUES;

/** Known only on the host; the boot script reads them from the instance metadata service (IMDSv2). */
export const BOOT_VALUES = {
  localIpv4: '@@jitsi-eu-boot:local-ipv4@@',
  publicIpv4: '@@jitsi-eu-boot:public-ipv4@@',
  /** Dual stack: the primary interface's IPv6 address (public as it is; IMDS `ipv6`). */
  ipv6: '@@jitsi-eu-boot:ipv6@@',
  instanceId: '@@jitsi-eu-boot:instance-id@@',
} as const;

export function applyDeployValues(text: string, values: Partial<Record<DeployValueName, string>>): string {
  let out = text;
  for (const [name, token] of Object.entries(DEPLOY_VALUES) as [DeployValueName, string][]) {
    const value = values[name];
    if (value !== undefined) out = out.split(token).join(value);
  }
  return out;
}

/** Every placeholder kind: secrets, boot values and deploy values. */
export const ANY_PLACEHOLDER_PATTERN = /@@jitsi-eu-(?:secret|boot|deploy):[a-z0-9-]+@@/g;
