// The Pulumi program: stack config → spec → bundle → AWS resources. Used by the entry point
// (infra/index.ts), by `npm run plan` (under mocks) and by the tests.
import * as pulumi from '@pulumi/pulumi';
import { formatProblems, specFromConfig } from './spec/index.ts';
import type { DeploymentSpec } from './spec/types.ts';
import { renderBundle } from './render/bundle.ts';
import { ssmParameterName } from './secrets.ts';
import { hourlyCostEur } from './cost/model.ts';
import { lookupAccount } from './aws/account.ts';
import { amiProblem, findMachineImage, imagePinFor } from './aws/ami.ts';
import { BridgePool } from './aws/bridge-pool.ts';
import { Dns, type DnsRecord, lookupZoneId } from './aws/dns.ts';
import { SIGNALING_PRIVATE_IP } from './aws/layout.ts';
import { Network, pickAvailabilityZones } from './aws/network.ts';
import { SANDBOX_EXPIRY_NAME } from './aws/expiry-schedule.ts';
import { SandboxExpiry, needsExpirySchedule } from './aws/sandbox-expiry.ts';
import { euProvider } from './aws/provider.ts';
import { SECRETS_COMPONENT_NAME } from './aws/secret-urns.ts';
import { Secrets } from './aws/secrets.ts';
import { SignalingNode } from './aws/signaling-node.ts';
import { userDataFor } from './aws/user-data.ts';
import { BundleDelivery } from './aws/bundle-delivery.ts';
import { configurationRecord, roleArchive } from './render/delivery.ts';
import { hostRoles } from './render/roles.ts';
import type { BundleComponent, HostRole } from './render/types.ts';

export interface StackOutputs {
  url: string;
  publicIp: pulumi.Output<string>;
  region: string;
  signalingInstanceId: pulumi.Output<string>;
  /** Scalable topology only. */
  bridgeAsgName?: pulumi.Output<string>;
  /** Opens a shell on the signaling node through SSM Session Manager. */
  ssmShellCommand: pulumi.Output<string>;
  /** Secure auth only: the SSM parameter holding the initial host account's password. */
  hostAccountParameter?: string;
  /** Compute, addresses and storage per hour, in EUR (egress not included). */
  hourlyCostEur: number;
  /** The address record(s) of the site; create them yourself when dnsManaged is false. */
  dnsRecords: pulumi.Output<DnsRecord[]>;
  dnsManaged: boolean;
  /** The configuration each host role runs: its revision and the sha256 of each file (deploy's preview compares them). */
  configuration: Partial<Record<HostRole, DeployedConfiguration>>;
}

export interface DeployedConfiguration {
  revision: string;
  /** Bundle path → sha256 of the file as delivered, and its component. */
  files: Record<string, { sha256: string; component: BundleComponent }>;
  /** Prosody's hosts and components: adding or removing one restarts Prosody. */
  prosodyHosts: string[];
}

export interface ProgramOptions {
  /** Where spec warnings go; Pulumi's log by default. */
  warn?: (message: string) => void;
}

/**
 * The stack config as Pulumi hands it over (`jitsi-eu:x`, `aws:region`, strings) → spec. An
 * invalid stack stops here, before any resource exists, with the messages `render` prints.
 */
export function specFromStackConfig(config: Readonly<Record<string, unknown>>, stack: string, warn: (message: string) => void): DeploymentSpec {
  const source = `Pulumi.${stack}.yaml`;
  const result = specFromConfig(config, { stack });
  if (!result.ok) {
    const count = result.problems.length;
    throw new pulumi.RunError(
      [`${source} has ${count} problem${count === 1 ? '' : 's'}:`, ...formatProblems(result.problems, source).map((line) => `  ${line}`)].join('\n'),
    );
  }
  const imageProblem = amiProblem(result.spec);
  if (imageProblem) throw new pulumi.RunError(`${source}: ${imageProblem}`);
  for (const warning of result.warnings) warn(warning);
  return result.spec;
}

export async function jitsiEuProgram(options: ProgramOptions = {}): Promise<StackOutputs> {
  const warn = options.warn ?? ((message: string) => void pulumi.log.warn(message));
  const spec = specFromStackConfig(pulumi.runtime.allConfig(), pulumi.getStack(), warn);

  // Rendering first: a template problem stops the run before anything is created.
  const bundle = renderBundle(spec);
  const deployValues = { signalingPrivateIp: SIGNALING_PRIVATE_IP };
  const signalingUserData = userDataFor(bundle, 'signaling', deployValues);
  const bridgeUserData = spec.topology === 'scalable' ? userDataFor(bundle, 'bridge', deployValues) : undefined;
  const archives = hostRoles(spec).map((role) => roleArchive(spec, bundle, role, deployValues));

  const provider = euProvider(spec);
  const inRegion = { providers: [provider] };
  const [account, zones, zoneId] = await Promise.all([
    lookupAccount(spec.region, provider),
    pickAvailabilityZones(provider),
    spec.dnsZone ? lookupZoneId(spec.dnsZone, provider) : Promise.resolve(undefined),
  ]);
  // The stack's recorded image(s): a newer upstream image changes nothing until `npm run upgrade`.
  const signalingImage = await findMachineImage(spec, 'signaling', provider);
  const bridgeImage = imagePinFor(spec, 'bridge').key === imagePinFor(spec, 'signaling').key ? signalingImage : await findMachineImage(spec, 'bridge', provider);

  const network = new Network('network', { spec, availabilityZones: zones }, inRegion);
  const secrets = new Secrets(SECRETS_COMPONENT_NAME, { spec, account }, inRegion);
  const delivery = new BundleDelivery('configuration', { spec, archives }, inRegion);
  const withBundles = { readBundlesPolicyArn: delivery.readPolicyArn, bootAfter: delivery.ready };
  const bridges = bridgeUserData && secrets.bridgeReadPolicyArn
    ? new BridgePool('bridges', {
        spec,
        account,
        vpcId: network.vpcId,
        subnetIds: network.subnetIds,
        image: bridgeImage,
        userDataBase64: bridgeUserData.base64,
        readSecretsPolicyArn: secrets.bridgeReadPolicyArn,
        ...withBundles,
      }, inRegion)
    : undefined;
  const signaling = new SignalingNode('signaling', {
    spec,
    account,
    vpcId: network.vpcId,
    subnetId: network.subnetIds[0]!,
    image: signalingImage,
    userDataBase64: signalingUserData.base64,
    readSecretsPolicyArn: secrets.readPolicyArn,
    ...withBundles,
    ...(bridges ? { bridgeSecurityGroupId: bridges.securityGroupId } : {}),
  }, inRegion);
  if (needsExpirySchedule(spec)) {
    new SandboxExpiry(SANDBOX_EXPIRY_NAME, {
      spec,
      account,
      signalingInstanceId: signaling.instanceId,
      ...(bridges ? { bridgeGroupName: bridges.groupName } : {}),
    }, inRegion);
  }
  const dns = new Dns('dns', {
    spec,
    publicIp: signaling.publicIp,
    ...(signaling.ipv6Address ? { ipv6Address: signaling.ipv6Address } : {}),
    ...(zoneId ? { zoneId } : {}),
  }, inRegion);

  return {
    url: `https://${spec.domain}/`,
    publicIp: signaling.publicIp,
    region: spec.region,
    signalingInstanceId: signaling.instanceId,
    ...(bridges ? { bridgeAsgName: bridges.groupName } : {}),
    ssmShellCommand: pulumi.interpolate`aws ssm start-session --target ${signaling.instanceId} --region ${spec.region}`,
    ...(spec.auth === 'secure' ? { hostAccountParameter: ssmParameterName(spec.stack, 'host-password') } : {}),
    hourlyCostEur: hourlyCostEur(spec),
    dnsRecords: dns.records,
    dnsManaged: dns.managed,
    configuration: Object.fromEntries(archives.map((a) => [a.role, configurationRecord(a)])),
  };
}
