// The properties of a planned resource that a reader cares about (sizes, ports, region,
// encryption, metadata service), with every secret masked. Ids and ARNs that only exist after
// deployment are left out.
import { MOCK_AMI_ID, MOCK_PUBLIC_IP, type RecordedResource, isSecretValue } from './record.ts';
import { MASK, type Props, jsonOrSelf, list, pick, rec, userData } from './props.ts';
import { describeHetzner } from './describe-hetzner.ts';
import { describeOpenStack } from './describe-openstack.ts';
import { TLS_PRIVATE_KEY_TYPE } from './mocks-tls.ts';

export { MASK } from './props.ts';

/** Replaces every secret-marked value with the mask. */
export function maskSecrets(value: unknown): unknown {
  if (isSecretValue(value)) return MASK;
  if (Array.isArray(value)) return value.map(maskSecrets);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Props).map(([key, inner]) => [key, maskSecrets(inner)]));
  }
  return value;
}

/** Secret-marked values replaced by what they hold: what the policy server gives policies. */
export function unwrapSecrets(value: unknown): unknown {
  if (isSecretValue(value)) return unwrapSecrets(value.value);
  if (Array.isArray(value)) return value.map(unwrapSecrets);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Props).map(([key, inner]) => [key, unwrapSecrets(inner)]));
  }
  return value;
}

function portRange(from: unknown, to: unknown): string {
  return from === to ? String(from) : `${String(from)}-${String(to)}`;
}

function ingressLines(rules: unknown, securityGroupNames: ReadonlyMap<string, string>): string[] {
  return list(rules).map((raw) => {
    const rule = rec(raw);
    const protocol = rule.protocol === '-1' ? 'all traffic' : String(rule.protocol);
    const sources = [
      ...list(rule.cidrBlocks).map(String),
      ...list(rule.securityGroups).map((id) => `security group ${securityGroupNames.get(String(id)) ?? String(id)}`),
    ];
    const ports = rule.protocol === '-1' ? '' : ` ${portRange(rule.fromPort, rule.toPort)}`;
    return `${protocol}${ports} from ${sources.join(', ')}${rule.description ? ` (${String(rule.description)})` : ''}`;
  });
}

function imds(options: unknown): string {
  const o = rec(options);
  return `${o.httpTokens === 'required' ? 'IMDSv2 required' : `httpTokens ${String(o.httpTokens ?? 'optional')}`}, hop limit ${String(o.httpPutResponseHopLimit ?? 'default')}, tags in metadata ${String(o.instanceMetadataTags ?? 'disabled')}`;
}

function volume(size: unknown, type: unknown, encrypted: unknown): string {
  return `${String(type)} ${String(size)} GiB, ${encrypted === true || encrypted === 'true' ? 'encrypted' : 'NOT encrypted'}`;
}

function statements(policy: unknown): string[] {
  return list(rec(jsonOrSelf(policy)).Statement).map((raw) => {
    const s = rec(raw);
    const actions = [s.Action].flat().map(String).join(', ');
    const resources = [s.Resource].flat().map(String).join(', ');
    return `${String(s.Effect)} ${actions} on ${resources}${s.Condition ? ` when ${JSON.stringify(s.Condition)}` : ''}`;
  });
}

/** The lookup's stand-in image id means: whatever Debian 12 image is newest at deploy time. */
const image = (id: unknown) => (id === MOCK_AMI_ID ? 'newest Debian 12 image (looked up at deploy time)' : id);

export interface DescribeContext {
  /** Mock security group id → resource name, to show which group a rule admits. */
  securityGroupNames: ReadonlyMap<string, string>;
}

export function describeResource(resource: RecordedResource, ctx: DescribeContext): Props {
  const p = resource.inputs;
  const masked = maskSecrets(p) as Props;
  switch (resource.type) {
    case 'pulumi:providers:aws':
      return { region: p.region, defaultTags: rec(jsonOrSelf(p.defaultTags)).tags };
    case 'aws:ec2/vpc:Vpc':
      return pick(p, ['cidrBlock', 'enableDnsHostnames']);
    case 'aws:ec2/subnet:Subnet':
      return pick(p, ['cidrBlock', 'availabilityZone', 'mapPublicIpOnLaunch']);
    case 'aws:ec2/routeTable:RouteTable':
      return { routes: list(p.routes).map((r) => `${String(rec(r).cidrBlock)} → internet gateway`) };
    case 'aws:ec2/securityGroup:SecurityGroup':
      return {
        description: p.description,
        ingress: ingressLines(p.ingress, ctx.securityGroupNames),
        egress: ingressLines(p.egress, ctx.securityGroupNames).map((line) => line.replace(' from ', ' to ')),
      };
    case 'aws:ec2/networkInterface:NetworkInterface':
      return pick(p, ['privateIps']);
    case 'aws:ec2/eip:Eip':
      return { domain: p.domain, attachedTo: `network interface, private address ${String(p.associateWithPrivateIp)}` };
    case 'aws:ec2/instance:Instance': {
      const root = rec(p.rootBlockDevice);
      return {
        instanceType: p.instanceType,
        ami: image(p.ami),
        metadata: imds(p.metadataOptions),
        rootVolume: volume(root.volumeSize, root.volumeType, root.encrypted),
        keyPair: p.keyName ?? 'none (SSM Session Manager)',
        userData: userData(p.userDataBase64, true) ?? userData(p.userData, false),
        userDataReplaceOnChange: p.userDataReplaceOnChange,
      };
    }
    case 'aws:ec2/launchTemplate:LaunchTemplate':
      return {
        instanceType: p.instanceType,
        imageId: image(p.imageId),
        metadata: imds(p.metadataOptions),
        volumes: list(p.blockDeviceMappings).map((m) => {
          const ebs = rec(rec(m).ebs);
          return `${String(rec(m).deviceName)}: ${volume(ebs.volumeSize, ebs.volumeType, ebs.encrypted)}`;
        }),
        publicIp: list(p.networkInterfaces).some((n) => rec(n).associatePublicIpAddress === 'true') ? 'one per bridge' : 'none',
        keyPair: p.keyName ?? 'none (SSM Session Manager)',
        userData: userData(p.userData, true),
      };
    case 'aws:autoscaling/group:Group':
      return { namePrefix: p.namePrefix, minSize: p.minSize, maxSize: p.maxSize, subnets: list(p.vpcZoneIdentifiers).length, instanceRefresh: rec(p.instanceRefresh).strategy };
    case 'aws:autoscaling/lifecycleHook:LifecycleHook':
      return pick(p, ['name', 'lifecycleTransition', 'heartbeatTimeout', 'defaultResult']);
    case 'aws:autoscaling/policy:Policy': {
      const target = rec(p.targetTrackingConfiguration);
      return { policyType: p.policyType, metric: rec(target.predefinedMetricSpecification).predefinedMetricType, targetValue: target.targetValue };
    }
    case 'aws:iam/role:Role':
      return { assumedBy: list(rec(jsonOrSelf(p.assumeRolePolicy)).Statement).map((s) => rec(rec(s).Principal).Service) };
    case 'aws:iam/instanceProfile:InstanceProfile':
    case 'aws:ec2/internetGateway:InternetGateway':
    case 'aws:ec2/routeTableAssociation:RouteTableAssociation':
      return {};
    case 'aws:iam/rolePolicyAttachment:RolePolicyAttachment':
      return { policyArn: String(p.policyArn).startsWith('arn:') && String(p.policyArn).includes(':iam::aws:policy/') ? p.policyArn : 'the stack\'s read-secrets policy' };
    case 'aws:iam/policy:Policy':
    case 'aws:iam/rolePolicy:RolePolicy':
      return { statements: statements(p.policy) };
    case 'aws:ssm/parameter:Parameter':
      return pick(masked, ['name', 'type', 'tier', 'value']);
    case 'aws:s3/bucketObjectv2:BucketObjectv2': {
      // A role's configuration bundle: its size, not its bytes.
      const bytes = typeof p.contentBase64 === 'string' ? Buffer.from(p.contentBase64, 'base64').length : undefined;
      return { ...pick(p, ['key', 'contentType', 'serverSideEncryption']), ...(bytes === undefined ? {} : { content: `${bytes} bytes (tar.gz)` }) };
    }
    case 'random:index/randomPassword:RandomPassword':
      return pick(p, ['length', 'special']);
    case TLS_PRIVATE_KEY_TYPE:
      // The operator channel's key: made by Pulumi, kept in the stack's state, nothing at the provider.
      return {
        ...pick(p, ['algorithm']),
        publicHalf: "in the signaling node's user data",
        privateHalf: 'stack output channelPrivateKey, secret (never shown)',
      };
    case 'aws:route53/record:Record':
      return {
        ...pick(p, ['name', 'type', 'ttl']),
        records: list(p.records).map((value) => (value === MOCK_PUBLIC_IP ? "the signaling node's Elastic IP" : value)),
      };
    default: {
      const cloud = resource.type.startsWith('hcloud:') || resource.type === 'pulumi:providers:hcloud' ? describeHetzner(resource) : describeOpenStack(resource, ctx.securityGroupNames);
      if (cloud) return cloud;
      if (!resource.custom) return {};
      const scalars = Object.entries(masked).filter(([, v]) => v === null || typeof v !== 'object');
      return Object.fromEntries(scalars.filter(([key]) => !/Id$|^id$|Arn$|^arn$/.test(key)));
    }
  }
}
