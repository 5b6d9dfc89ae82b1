// jitsi-eu's CrossGuard policies. This module only defines them (no PolicyPack here): the pack
// entry (index.ts) starts a policy server when loaded, so `npm run plan` and the tests import
// these objects and run them over recorded resources instead.
import type { Policies, ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, StackValidationPolicy } from '@pulumi/policy';
import { ADMIN_PORTS } from '../ports.ts';
import { EU_REGIONS, OPT_IN_REGIONS, isAllowedRegion } from '../spec/regions.ts';
import { TAG_EXPIRES_AT, TAG_PROJECT, TAG_SANDBOX, TAG_STACK } from '../tags.ts';
import { atExpression } from '../aws/expiry-schedule.ts';
import { decodeUserData, findLiteralSecrets } from './user-data-scan.ts';
import { HETZNER_POLICIES } from './hetzner.ts';
import { OPENSTACK_POLICIES } from './openstack.ts';

export interface PolicyConfig {
  /** Mirrors jitsi-eu:allowNonEuRegion: eu-west-2 and eu-central-2 are allowed only with it. */
  allowNonEuRegion: boolean;
}

export const REQUIRED_TAGS = [TAG_STACK, TAG_PROJECT] as const;

const T = {
  provider: 'pulumi:providers:aws',
  instance: 'aws:ec2/instance:Instance',
  launchTemplate: 'aws:ec2/launchTemplate:LaunchTemplate',
  volume: 'aws:ebs/volume:Volume',
  keyPair: 'aws:ec2/keyPair:KeyPair',
  securityGroup: 'aws:ec2/securityGroup:SecurityGroup',
  securityGroupRule: 'aws:ec2/securityGroupRule:SecurityGroupRule',
  ingressRule: 'aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule',
  autoscalingGroup: 'aws:autoscaling/group:Group',
  schedule: 'aws:scheduler/schedule:Schedule',
} as const;

/** Resource types that take a `tags` map (and so get the provider's default tags). */
const TAGGABLE = new Set<string>([
  'aws:ec2/vpc:Vpc',
  'aws:ec2/subnet:Subnet',
  'aws:ec2/internetGateway:InternetGateway',
  'aws:ec2/routeTable:RouteTable',
  'aws:ec2/securityGroup:SecurityGroup',
  'aws:ec2/networkInterface:NetworkInterface',
  'aws:ec2/eip:Eip',
  'aws:ec2/instance:Instance',
  'aws:ec2/launchTemplate:LaunchTemplate',
  'aws:ec2/keyPair:KeyPair',
  'aws:ebs/volume:Volume',
  'aws:iam/role:Role',
  'aws:iam/policy:Policy',
  'aws:iam/instanceProfile:InstanceProfile',
  'aws:ssm/parameter:Parameter',
  'aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule',
  'aws:scheduler/scheduleGroup:ScheduleGroup',
]);

type Props = Record<string, unknown>;

/** Provider settings may arrive JSON-encoded (Pulumi sends provider config as strings). */
function decoded(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const trimmed = value.trim();
  if (!/^[{["]/.test(trimmed) && trimmed !== 'true' && trimmed !== 'false') return value;
  try {
    return JSON.parse(trimmed);
  } catch {
    return value;
  }
}

const asRecord = (value: unknown): Props => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Props) : {});
const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const isTrue = (value: unknown): boolean => value === true || value === 'true';

// --- EU region ---------------------------------------------------------------------------------

const allowedList = (config: PolicyConfig) =>
  [...EU_REGIONS, ...(config.allowNonEuRegion ? OPT_IN_REGIONS : [])].map((r) => r.region).join(', ');

export const euRegion: ResourceValidationPolicy = {
  name: 'eu-region',
  description: 'AWS resources are created only in EU regions (eu-west-2 and eu-central-2 only with the opt-in).',
  enforcementLevel: 'mandatory',
  configSchema: { properties: { allowNonEuRegion: { type: 'boolean', default: false } } },
  validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
    const config = { allowNonEuRegion: false, ...args.getConfig<Partial<PolicyConfig>>() };
    let region: unknown;
    if (args.type === T.provider) {
      region = args.props.region;
      if (region === undefined || region === '') {
        report('the AWS provider has no region: it would use whatever the machine is configured with; set the region explicitly');
        return;
      }
    } else if (args.type.startsWith('aws:')) {
      // Since @pulumi/aws v7 a resource may name its own region instead of the provider's.
      region = args.props.region;
      if (region === undefined) return;
    } else {
      return;
    }
    if (typeof region !== 'string' || !isAllowedRegion(region, config.allowNonEuRegion)) {
      report(`region ${String(region)} is not allowed: use one of ${allowedList(config)}`);
    }
  },
};

// --- Encrypted volumes -------------------------------------------------------------------------

export const encryptedVolumes: ResourceValidationPolicy = {
  name: 'encrypted-volumes',
  description: 'Every EBS volume (instance root and data volumes, launch templates, standalone volumes) is encrypted.',
  enforcementLevel: 'mandatory',
  validateResource: (args, report) => {
    const props = args.props as Props;
    if (args.type === T.instance) {
      const root = asRecord(props.rootBlockDevice);
      if (!isTrue(root.encrypted)) report('the root volume is not encrypted: set rootBlockDevice.encrypted = true');
      asArray(props.ebsBlockDevices).forEach((device, i) => {
        if (!isTrue(asRecord(device).encrypted)) report(`ebsBlockDevices[${i}] is not encrypted`);
      });
    } else if (args.type === T.launchTemplate) {
      const mappings = asArray(props.blockDeviceMappings);
      if (mappings.length === 0) report('the launch template maps no block device: the image default (possibly unencrypted) would be used');
      mappings.forEach((mapping, i) => {
        const ebs = asRecord(asRecord(mapping).ebs);
        if (!isTrue(ebs.encrypted)) report(`blockDeviceMappings[${i}] is not encrypted: set ebs.encrypted = "true"`);
      });
    } else if (args.type === T.volume) {
      if (!isTrue(props.encrypted)) report('the volume is not encrypted');
    }
  },
};

// --- IMDSv2 ------------------------------------------------------------------------------------

export const imdsV2Required: ResourceValidationPolicy = {
  name: 'imdsv2-required',
  description: 'Instances and launch templates require IMDSv2 session tokens, with a hop limit of 1.',
  enforcementLevel: 'mandatory',
  validateResource: (args, report) => {
    if (args.type !== T.instance && args.type !== T.launchTemplate) return;
    const metadata = asRecord((args.props as Props).metadataOptions);
    if (metadata.httpEndpoint === 'disabled') return;
    if (metadata.httpTokens !== 'required') report('the instance metadata service accepts IMDSv1: set metadataOptions.httpTokens = "required"');
    if (Number(metadata.httpPutResponseHopLimit) !== 1) report(`metadataOptions.httpPutResponseHopLimit is ${String(metadata.httpPutResponseHopLimit)}: set it to 1`);
  },
};

// --- Admin ports -------------------------------------------------------------------------------

const WORLD = new Set(['0.0.0.0/0', '::/0']);

interface Ingress {
  protocol: string;
  fromPort: number;
  toPort: number;
  sources: string[];
}

function exposedAdminPorts(rule: Ingress): number[] {
  if (!rule.sources.some((source) => WORLD.has(source))) return [];
  const protocol = rule.protocol.toLowerCase();
  if (protocol === 'icmp' || protocol === '1' || protocol === 'icmpv6' || protocol === '58') return [];
  if (protocol === '-1' || protocol === 'all') return [...ADMIN_PORTS];
  return ADMIN_PORTS.filter((port) => rule.fromPort <= port && port <= rule.toPort);
}

function ingressRules(type: string, props: Props): Ingress[] {
  if (type === T.securityGroup) {
    return asArray(props.ingress).map((raw) => {
      const rule = asRecord(raw);
      return {
        protocol: String(rule.protocol ?? ''),
        fromPort: Number(rule.fromPort),
        toPort: Number(rule.toPort),
        sources: [...asArray(rule.cidrBlocks), ...asArray(rule.ipv6CidrBlocks)].map(String),
      };
    });
  }
  if (type === T.securityGroupRule && props.type === 'ingress') {
    return [{
      protocol: String(props.protocol ?? ''),
      fromPort: Number(props.fromPort),
      toPort: Number(props.toPort),
      sources: [...asArray(props.cidrBlocks), ...asArray(props.ipv6CidrBlocks)].map(String),
    }];
  }
  if (type === T.ingressRule) {
    const all = props.ipProtocol === '-1';
    return [{
      protocol: String(props.ipProtocol ?? ''),
      fromPort: all ? 0 : Number(props.fromPort),
      toPort: all ? 65535 : Number(props.toPort),
      sources: [props.cidrIpv4, props.cidrIpv6].filter((s): s is string => typeof s === 'string'),
    }];
  }
  return [];
}

export const noPublicAdminPorts: ResourceValidationPolicy = {
  name: 'no-public-admin-ports',
  description: `No administration or internal port (${ADMIN_PORTS.join(', ')}) is open to the whole Internet.`,
  enforcementLevel: 'mandatory',
  validateResource: (args, report) => {
    for (const rule of ingressRules(args.type, args.props as Props)) {
      const ports = exposedAdminPorts(rule);
      if (ports.length > 0) {
        report(`${rule.protocol} ${rule.fromPort}-${rule.toPort} is open to the Internet and covers port${ports.length === 1 ? '' : 's'} ${ports.join(', ')}`);
      }
    }
  },
};

// --- SSH key pairs -----------------------------------------------------------------------------

export const noSshKeyPairs: ResourceValidationPolicy = {
  name: 'no-ssh-key-pairs',
  description: 'No SSH key pair is created or given to an instance: administration goes through SSM Session Manager.',
  enforcementLevel: 'mandatory',
  validateResource: (args, report) => {
    if (args.type === T.keyPair) report('an SSH key pair is created: use SSM Session Manager instead (see the ssmShellCommand stack output)');
    if ((args.type === T.instance || args.type === T.launchTemplate) && (args.props as Props).keyName) {
      report(`keyName is set to ${String((args.props as Props).keyName)}: remove it and use SSM Session Manager`);
    }
  },
};

// --- Required tags -----------------------------------------------------------------------------

function missingTags(tags: Props): string[] {
  return REQUIRED_TAGS.filter((key) => typeof tags[key] !== 'string' || tags[key] === '');
}

export const requiredTags: ResourceValidationPolicy = {
  name: 'required-tags',
  description: `Every taggable resource carries ${REQUIRED_TAGS.join(' and ')}, so teardown can find it; so do the instances and volumes an Auto Scaling group launches.`,
  enforcementLevel: 'mandatory',
  validateResource: (args, report) => {
    const props = args.props as Props;
    if (args.type === T.provider) {
      const defaults = asRecord(asRecord(decoded(props.defaultTags)).tags);
      const missing = missingTags(defaults);
      if (missing.length > 0) report(`the provider's default tags lack ${missing.join(', ')}`);
      return;
    }
    if (args.type === T.autoscalingGroup) {
      const tags: Props = {};
      for (const tag of asArray(props.tags)) tags[String(asRecord(tag).key)] = asRecord(tag).value;
      const missing = missingTags(tags);
      if (missing.length > 0) report(`the Auto Scaling group lacks the tags ${missing.join(', ')}`);
      return;
    }
    if (!TAGGABLE.has(args.type)) return;
    const providerDefaults = asRecord(asRecord(decoded(args.provider?.props.defaultTags)).tags);
    const effective = props.tagsAll ? asRecord(props.tagsAll) : { ...providerDefaults, ...asRecord(props.tags) };
    const missing = missingTags(effective);
    if (missing.length > 0) report(`the resource lacks the tags ${missing.join(', ')} (neither its own nor the provider's default tags)`);
    if (args.type === T.launchTemplate) {
      // Launched instances and volumes do not inherit default tags: the template must carry them.
      const specs = asArray(props.tagSpecifications).map(asRecord);
      for (const resourceType of ['instance', 'volume']) {
        const spec = specs.find((s) => s.resourceType === resourceType);
        const missingHere = missingTags(asRecord(spec?.tags));
        if (missingHere.length > 0) report(`instances launched from this template: the ${resourceType} tag specification lacks ${missingHere.join(', ')}`);
      }
    }
  },
};

// --- Literal secrets in user data --------------------------------------------------------------

export const noSecretsInUserData: ResourceValidationPolicy = {
  name: 'no-secrets-in-user-data',
  description: 'User data holds no literal secret (anyone allowed to describe an instance can read it); secrets come from SSM at boot.',
  enforcementLevel: 'mandatory',
  validateResource: (args, report) => {
    const props = args.props as Props;
    const sources: { value: unknown; base64: boolean }[] =
      args.type === T.instance
        ? [{ value: props.userData, base64: false }, { value: props.userDataBase64, base64: true }]
        : args.type === T.launchTemplate
          ? [{ value: props.userData, base64: true }]
          : [];
    for (const source of sources) {
      if (typeof source.value !== 'string' || source.value === '') continue;
      let text: string;
      try {
        text = decodeUserData(source.value, source.base64);
      } catch {
        report('the user data cannot be decoded, so it cannot be checked for secrets');
        continue;
      }
      for (const finding of findLiteralSecrets(text)) report(finding);
    }
  },
};

// --- Sandbox expiry schedule -------------------------------------------------------------------

/** The universal-target action a schedule calls (`ec2:stopInstances`), or undefined. */
function scheduledAction(props: Props): string | undefined {
  const arn = asRecord(props.target).arn;
  return typeof arn === 'string' ? /:aws-sdk:(.+)$/.exec(arn)?.[1] : undefined;
}

export const sandboxExpirySchedule: StackValidationPolicy = {
  name: 'sandbox-expiry-schedule',
  description: `A sandbox (provider tag ${TAG_SANDBOX}=true) stops itself at its expiry: a schedule at ${TAG_EXPIRES_AT} stops its signaling node, and another empties its bridge pool if it has one.`,
  enforcementLevel: 'mandatory',
  validateStack: (args, report) => {
    const provider = args.resources.find((r) => r.type === T.provider && asRecord(asRecord(decoded(r.props.defaultTags)).tags)[TAG_SANDBOX] === 'true');
    if (!provider) return;
    const expiresAt = asRecord(asRecord(decoded(provider.props.defaultTags)).tags)[TAG_EXPIRES_AT];
    if (typeof expiresAt !== 'string' || Number.isNaN(Date.parse(expiresAt))) {
      report(`this sandbox has no ${TAG_EXPIRES_AT} tag, so nothing says when it must stop: set jitsi-eu:expiresAt`);
      return;
    }
    const when = atExpression(expiresAt);
    const schedules = args.resources.filter((r) => r.type === T.schedule);
    const needed: [string, string][] = [['ec2:stopInstances', 'stops its signaling node']];
    if (args.resources.some((r) => r.type === T.autoscalingGroup)) needed.push(['autoscaling:updateAutoScalingGroup', 'empties its bridge pool']);
    for (const [action, what] of needed) {
      const found = schedules.filter((s) => scheduledAction(s.props as Props) === action);
      if (found.length === 0) {
        report(`this sandbox has no schedule that ${what} at its expiry (${expiresAt}): it would keep running and costing until someone runs sandbox reap`);
      } else if (!found.some((s) => (s.props as Props).scheduleExpression === when)) {
        report(`the schedule that ${what} fires at ${found.map((s) => String((s.props as Props).scheduleExpression)).join(', ')}, not at the sandbox's expiry ${when}`);
      }
    }
  },
};

export const POLICIES: Readonly<Policies> = [
  euRegion,
  encryptedVolumes,
  imdsV2Required,
  noPublicAdminPorts,
  noSshKeyPairs,
  requiredTags,
  noSecretsInUserData,
  sandboxExpirySchedule,
  ...HETZNER_POLICIES,
  ...OPENSTACK_POLICIES,
];
