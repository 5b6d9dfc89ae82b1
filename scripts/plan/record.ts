// Runs the Pulumi program in-process under Pulumi's mocks: no CLI, no credentials, no network.
// Every resource the program registers and every lookup it makes is recorded with its inputs.
// AWS-computed values (ids, addresses, ARNs) are stand-ins from documentation ranges.
import { randomBytes } from 'node:crypto';
import * as pulumi from '@pulumi/pulumi';
import type { MockCallArgs, MockResourceArgs } from '@pulumi/pulumi/runtime/mocks.js';
import { regionInfo } from '../../infra/spec/regions.ts';
import type { StackOutputs } from '../../infra/program.ts';
import type { PulumiConfig } from './config.ts';
import { MOCK_AMI_ID, MOCK_IPV6_ADDRESS, MOCK_IPV6_BLOCK, MOCK_PUBLIC_IP, MOCK_ZONE_ID, hex } from './stand-ins.ts';
import { hetznerMockCall, hetznerMockState } from './mocks-hetzner.ts';
import { openstackMockCall, openstackMockState } from './mocks-openstack.ts';
import { tlsMockState } from './mocks-tls.ts';

export interface RecordedResource {
  type: string;
  name: string;
  /** Set once the run has finished; encodes the parent chain. */
  urn: string;
  /** The stand-in id the mocks gave it. */
  id: string;
  custom: boolean;
  /** Reference (`urn::id`) of the provider that manages the resource, if any. */
  provider?: string;
  /** As Pulumi serialised them: secret values are `{<sig>: <secret sig>, value}` objects. */
  inputs: Record<string, unknown>;
}

export interface RecordedInvoke {
  token: string;
  inputs: Record<string, unknown>;
  provider?: string;
}

export type ResolvedOutputs = { [K in keyof StackOutputs]: pulumi.Unwrap<StackOutputs[K]> };

export interface Recording {
  stack: string;
  resources: RecordedResource[];
  invokes: RecordedInvoke[];
  outputs: ResolvedOutputs;
  /** Values the mocks generated for random passwords and private keys, to check they never leak. */
  generatedSecrets: string[];
  /** `create <type> <name>` when a registration reached the mocks, `created <type> <name>` when answered. */
  events: string[];
}

export interface RecordOptions {
  stack: string;
  config: PulumiConfig;
  /** Account id the lookups answer with; AWS's documentation example by default. */
  accountId?: string;
  warn?: (message: string) => void;
  /** Resource types the mocks answer only after a pause, to show what waits for them. */
  slowTypes?: readonly string[];
  /** The newest Debian image per architecture, as the image lookup answers it (MOCK_AMI_ID by default). */
  newestImages?: Partial<Record<'x86_64' | 'arm64', string>>;
}

/** Pulumi's marker for a secret value in serialised properties. */
export const SECRET_SIG_KEY = '4dabf18193072939515e22adb298388d';
export const SECRET_SIG = '1b47061264138c4ac30d75fd1eb44270';

export function isSecretValue(value: unknown): value is { value: unknown } {
  return typeof value === 'object' && value !== null && (value as Record<string, unknown>)[SECRET_SIG_KEY] === SECRET_SIG;
}

export { MOCK_AMI_ID, MOCK_IPV6_ADDRESS, MOCK_IPV6_BLOCK, MOCK_PUBLIC_IP, MOCK_ZONE_ID } from './stand-ins.ts';

interface MockContext {
  region: string;
  partition: string;
  dnsSuffix: string;
  accountId: string;
  generatedSecrets: string[];
  newestImages: Partial<Record<string, string>>;
}

function mockState(args: MockResourceArgs, ctx: MockContext): { id: string; state: Record<string, unknown> } {
  const inputs = args.inputs as Record<string, unknown>;
  const arn = (service: string, resource: string, global = false) =>
    `arn:${ctx.partition}:${service}:${global ? '' : ctx.region}:${ctx.accountId}:${resource}`;
  const id = (prefix: string) => `${prefix}-${hex(args.name, 17)}`;
  const physical = (inputs.name as string | undefined) ?? `${args.name}-${hex(args.name, 7)}`;
  switch (args.type) {
    case 'aws:ec2/vpc:Vpc':
      return {
        id: id('vpc'),
        // AWS assigns the IPv6 block; the documentation range stands in for it.
        state: { ...inputs, arn: arn('ec2', `vpc/${id('vpc')}`), ...(inputs.assignGeneratedIpv6CidrBlock ? { ipv6CidrBlock: MOCK_IPV6_BLOCK } : {}) },
      };
    case 'aws:ec2/subnet:Subnet':
      return { id: id('subnet'), state: inputs };
    case 'aws:ec2/internetGateway:InternetGateway':
      return { id: id('igw'), state: inputs };
    case 'aws:ec2/routeTable:RouteTable':
      return { id: id('rtb'), state: inputs };
    case 'aws:ec2/securityGroup:SecurityGroup':
      return { id: id('sg'), state: inputs };
    case 'aws:ec2/networkInterface:NetworkInterface':
      return {
        id: id('eni'),
        state: { ...inputs, privateIp: (inputs.privateIps as string[] | undefined)?.[0], ipv6Addresses: inputs.ipv6AddressCount ? [MOCK_IPV6_ADDRESS] : [] },
      };
    case 'aws:ec2/eip:Eip':
      return { id: id('eipalloc'), state: { ...inputs, publicIp: MOCK_PUBLIC_IP, allocationId: id('eipalloc') } };
    case 'aws:ec2/instance:Instance':
      return { id: id('i'), state: { ...inputs, arn: arn('ec2', `instance/${id('i')}`), publicIp: MOCK_PUBLIC_IP } };
    case 'aws:ec2/launchTemplate:LaunchTemplate':
      return { id: id('lt'), state: { ...inputs, latestVersion: 1 } };
    case 'aws:autoscaling/group:Group': {
      const name = (inputs.name as string | undefined) ?? `${inputs.namePrefix as string}${hex(args.name, 26)}`;
      return { id: name, state: { ...inputs, name, arn: arn('autoscaling', `autoScalingGroup:${hex(name, 8)}:autoScalingGroupName/${name}`) } };
    }
    case 'aws:iam/role:Role':
      return { id: physical, state: { ...inputs, name: physical, arn: arn('iam', `role/${physical}`, true) } };
    case 'aws:iam/instanceProfile:InstanceProfile':
      return { id: physical, state: { ...inputs, name: physical, arn: arn('iam', `instance-profile/${physical}`, true) } };
    case 'aws:iam/policy:Policy':
      return { id: arn('iam', `policy/${physical}`, true), state: { ...inputs, name: physical, arn: arn('iam', `policy/${physical}`, true) } };
    case 'aws:ssm/parameter:Parameter':
      return { id: inputs.name as string, state: { ...inputs, arn: arn('ssm', `parameter${inputs.name as string}`) } };
    case 'aws:route53/record:Record':
      return { id: `${MOCK_ZONE_ID}_${inputs.name as string}_${inputs.type as string}`, state: { ...inputs, fqdn: inputs.name } };
    case 'random:index/randomPassword:RandomPassword': {
      const length = Number(inputs.length ?? 32);
      const result = randomBytes(length * 2).toString('base64').replace(/[^A-Za-z0-9]/g, '').slice(0, length);
      ctx.generatedSecrets.push(result);
      return { id: 'none', state: { ...inputs, result } };
    }
    default:
      return hetznerMockState(args) ?? openstackMockState(args) ?? tlsMockState(args, (pem) => ctx.generatedSecrets.push(pem)) ?? { id: `${args.name}-id`, state: inputs };
  }
}

function mockCall(args: MockCallArgs, ctx: MockContext): Record<string, unknown> {
  const inputs = args.inputs as Record<string, unknown>;
  switch (args.token) {
    case 'aws:index/getPartition:getPartition':
      return { id: ctx.partition, partition: ctx.partition, dnsSuffix: ctx.dnsSuffix, reverseDnsPrefix: ctx.dnsSuffix.split('.').reverse().join('.') };
    case 'aws:index/getCallerIdentity:getCallerIdentity':
      return { id: ctx.accountId, accountId: ctx.accountId, arn: `arn:${ctx.partition}:iam::${ctx.accountId}:user/jitsi-eu-plan`, userId: 'AIDAJITSIEUPLAN' };
    case 'aws:index/getServicePrincipal:getServicePrincipal': {
      const service = String(inputs.serviceName);
      return { id: service, name: `${service}.amazonaws.com`, region: inputs.region ?? ctx.region, serviceName: service, suffix: 'amazonaws.com' };
    }
    case 'aws:index/getAvailabilityZones:getAvailabilityZones': {
      const names = ['a', 'b', 'c'].map((zone) => `${ctx.region}${zone}`);
      return { id: ctx.region, names, zoneIds: names.map((_, i) => `${ctx.region.replace(/-/g, '')}-az${i + 1}`), groupNames: [ctx.region] };
    }
    case 'aws:ec2/getAmi:getAmi': {
      const filters = (inputs.filters as { name: string; values: string[] }[] | undefined) ?? [];
      const architecture = filters.find((f) => f.name === 'architecture')?.values[0] ?? 'x86_64';
      const imageId = filters.find((f) => f.name === 'image-id')?.values[0] ?? ctx.newestImages[architecture] ?? MOCK_AMI_ID;
      return { id: imageId, imageId, architecture, rootDeviceName: '/dev/xvda', name: `debian-12-${architecture === 'arm64' ? 'arm64' : 'amd64'}-planned` };
    }
    case 'aws:route53/getZone:getZone':
      return { id: MOCK_ZONE_ID, zoneId: MOCK_ZONE_ID, name: inputs.name, privateZone: false };
    default: {
      const answer = hetznerMockCall(args.token, inputs) ?? openstackMockCall(args.token, inputs);
      if (answer) return answer;
      throw new Error(`the offline plan has no answer for the lookup ${args.token}`);
    }
  }
}

export interface MockRun {
  recording: Recording;
  /** Set when the program failed; `recording` then holds what was registered before. */
  error?: unknown;
}

export interface InstalledMocks {
  resources: RecordedResource[];
  invokes: RecordedInvoke[];
  generatedSecrets: string[];
  events: string[];
}

/** Points Pulumi's runtime at recording mocks and sets the stack config; see runUnderMocks. */
export async function installMocks(options: RecordOptions): Promise<InstalledMocks> {
  const region = options.config['aws:region'] ?? options.config['jitsi-eu:location'] ?? options.config['openstack:region'] ?? '';
  const partition = regionInfo(region)?.partition ?? 'aws';
  const ctx: MockContext = {
    region,
    partition,
    dnsSuffix: partition === 'aws-eusc' ? 'amazonaws.eu' : 'amazonaws.com',
    accountId: options.accountId ?? '111122223333',
    generatedSecrets: [],
    newestImages: options.newestImages ?? {},
  };
  const resources: RecordedResource[] = [];
  const invokes: RecordedInvoke[] = [];
  const events: string[] = [];
  const slow = new Set(options.slowTypes ?? []);
  await pulumi.runtime.setMocks(
    {
      async newResource(args) {
        events.push(`create ${args.type} ${args.name}`);
        const result = mockState(args, ctx);
        resources.push({
          type: args.type,
          name: args.name,
          urn: '',
          id: result.id,
          custom: args.custom ?? false,
          ...(args.provider ? { provider: args.provider } : {}),
          inputs: args.inputs as Record<string, unknown>,
        });
        if (slow.has(args.type)) await new Promise((resolve) => setTimeout(resolve, 25));
        events.push(`created ${args.type} ${args.name}`);
        return result;
      },
      call(args) {
        invokes.push({ token: args.token, inputs: args.inputs as Record<string, unknown>, ...(args.provider ? { provider: args.provider } : {}) });
        return mockCall(args, ctx);
      },
    },
    'jitsi-eu',
    options.stack,
    false,
  );
  pulumi.runtime.setAllConfig(options.config);
  return { resources, invokes, generatedSecrets: ctx.generatedSecrets, events };
}

/** Collects what the mocks recorded once the program has finished. */
export async function finishRecording(mocks: InstalledMocks, stack: string, outputs: ResolvedOutputs): Promise<Recording> {
  // Wait for every registration to reach the mocks.
  await pulumi.runtime.disconnect();
  attachUrns(mocks.resources, stack);
  return {
    stack,
    resources: mocks.resources.filter((r) => r.type !== 'pulumi:pulumi:Stack'),
    invokes: mocks.invokes,
    outputs,
    generatedSecrets: mocks.generatedSecrets,
    events: mocks.events,
  };
}

/** Runs the program once. Calls must not overlap: Pulumi's runtime state is process-wide. */
export async function runUnderMocks(options: RecordOptions): Promise<MockRun> {
  const mocks = await installMocks(options);
  // Imported here, after the mocks are in place.
  const { jitsiEuProgram } = await import('../../infra/program.ts');
  // A failing program is caught inside the stack, so Pulumi's own bookkeeping sees a normal end
  // (it would otherwise report the rejection a second time, unhandled).
  let failure: { error: unknown } | undefined;
  const outputs = (await pulumi.runtime.runInPulumiStack(async () => {
    try {
      return await jitsiEuProgram({ warn: options.warn ?? (() => {}) });
    } catch (error) {
      failure = { error };
      return {};
    }
  })) as ResolvedOutputs;
  const recording = await finishRecording(mocks, options.stack, outputs);
  return failure ? { recording, error: failure.error } : { recording };
}

/** Runs the program once and returns what it registered; a failing program rejects. */
export async function recordProgram(options: RecordOptions): Promise<Recording> {
  const run = await runUnderMocks(options);
  if ('error' in run) throw run.error;
  return run.recording;
}

/** URNs come from the mock monitor's registry (names are unique within the program). */
function attachUrns(resources: RecordedResource[], stack: string): void {
  const monitor = pulumi.runtime.getMonitor() as unknown as { getRegisteredResources?: () => Map<string, unknown> } | undefined;
  const urns = monitor?.getRegisteredResources ? [...monitor.getRegisteredResources().keys()] : [];
  for (const resource of resources) {
    const suffix = `${resource.type}::${resource.name}`;
    resource.urn =
      urns.find((urn) => urn.endsWith(`$${suffix}`) || urn.endsWith(`::${suffix}`)) ??
      `urn:pulumi:${stack}::jitsi-eu::${suffix}`;
  }
}

/** A provider reference `urn::id` → the provider's URN. */
export function providerUrn(reference: string): string {
  const at = reference.lastIndexOf('::');
  return at === -1 ? reference : reference.slice(0, at);
}
