// Runs the Pulumi program for an OpenStack stack in-process under Pulumi's mocks and records what
// it registers and looks up, in the same shape as scripts/plan/record.ts records AWS stacks.
// Cloud-computed values (ids, floating addresses) are stand-ins from documentation ranges.
import { createHash } from 'node:crypto';
import * as pulumi from '@pulumi/pulumi';
import type { MockCallArgs, MockResourceArgs } from '@pulumi/pulumi/runtime/mocks.js';
import { type InstalledMocks, type Recording, type ResolvedOutputs, finishRecording } from '../../scripts/plan/record.ts';
import { tlsMockState } from '../../scripts/plan/mocks-tls.ts';
import type { ServerCloudOptions } from '../../infra/program.ts';

const hex = (seed: string, length: number) => createHash('sha256').update(seed).digest('hex').slice(0, length);
/** OpenStack ids are UUIDs. */
const uuid = (seed: string) => {
  const h = hex(seed, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};

export const MOCK_EXTERNAL_NETWORK_ID = uuid('external-network');
export const MOCK_ZONE_ID = uuid('designate-zone');
export const MOCK_IPV6_POOL_ID = uuid('ipv6-subnet-pool');
/** The IPv6 address SLAAC gives a port under the mocks (documentation range). */
export const mockIpv6For = (portName: string) => `2001:db8:4242::${hex(portName, 4)}`;

/** A floating address from TEST-NET-3 (reserved for documentation), different for each resource name. */
export function mockFloatingIp(name: string): string {
  return `203.0.113.${10 + (parseInt(hex(name, 4), 16) % 240)}`;
}

function mockState(args: MockResourceArgs, ipv6: boolean): { id: string; state: Record<string, unknown> } {
  const inputs = args.inputs as Record<string, unknown>;
  const id = uuid(`${args.type}/${args.name}`);
  switch (args.type) {
    case 'openstack:networking/floatingIp:FloatingIp':
      return { id, state: { ...inputs, address: mockFloatingIp(args.name) } };
    case 'openstack:networking/port:Port': {
      const fixed = ((inputs.fixedIps as { ipAddress?: string }[] | undefined) ?? []).map((f, i) => f.ipAddress ?? `10.0.0.${100 + ((parseInt(hex(args.name, 2), 16) + i) % 150)}`);
      return { id, state: { ...inputs, allFixedIps: [...fixed, ...(ipv6 ? [mockIpv6For(args.name)] : [])] } };
    }
    case 'openstack:compute/instance:Instance':
      return { id, state: { ...inputs, accessIpV4: '' } };
    default:
      return { id, state: inputs };
  }
}

function mockCall(args: MockCallArgs): Record<string, unknown> {
  const inputs = args.inputs as Record<string, unknown>;
  switch (args.token) {
    case 'openstack:networking/getNetwork:getNetwork':
      return { id: MOCK_EXTERNAL_NETWORK_ID, name: inputs.name, external: true, region: inputs.region ?? '', subnets: [], allTags: [] };
    case 'openstack:networking/getSubnetPool:getSubnetPool':
      return { id: MOCK_IPV6_POOL_ID, ipVersion: 6, isDefault: true, name: 'default-v6', prefixes: ['2001:db8:4242::/48'] };
    case 'openstack:dns/getDnsZone:getDnsZone':
      return { id: MOCK_ZONE_ID, name: inputs.name, type: 'PRIMARY' };
    default:
      throw new Error(`the OpenStack mocks have no answer for the lookup ${args.token}`);
  }
}

/** A small stack on OVHcloud's GRA11, as the program reads its config: one node of flavor b3-16. */
export const OPENSTACK_CONFIG: Record<string, string> = {
  'jitsi-eu:cloud': 'openstack',
  'openstack:region': 'GRA11',
  'jitsi-eu:country': 'FR',
  'jitsi-eu:externalNetwork': 'Ext-Net',
  'jitsi-eu:provider': 'OVH SAS, Roubaix, France',
  'jitsi-eu:domain': 'meet.example.org',
  'jitsi-eu:acmeEmail': 'ops@example.org',
  'jitsi-eu:organization': 'Example University',
  'jitsi-eu:privacyContact': 'dpo@example.org',
  'jitsi-eu:instanceType': 'b3-16',
};

/** What makes OPENSTACK_CONFIG the scalable topology: two bridges of flavor b3-32. */
export const OPENSTACK_SCALABLE: Record<string, string> = { 'jitsi-eu:topology': 'scalable', 'jitsi-eu:bridges': JSON.stringify({ min: 2, max: 2, instanceType: 'b3-32' }) };

export interface OpenstackRun {
  recording: Recording;
  /** Set when the program failed (an invalid stack, for instance). */
  error?: unknown;
}

/** Resource options never reach the mocks; a stack transformation sees them as the program passes them. */
export type OptionsSeen = Map<string, pulumi.CustomResourceOptions>;

/**
 * Runs the program once. Calls must not overlap: Pulumi's runtime state is process-wide.
 * With `options`, it also collects each resource's options (`<type>::<name>` → options);
 * `program` is what deploy tells the program (the signaling node the stack runs).
 */
export async function runOpenstackProgram(stack: string, config: Record<string, string>, options?: OptionsSeen, program: ServerCloudOptions = {}): Promise<OpenstackRun> {
  const mocks: InstalledMocks = { resources: [], invokes: [], generatedSecrets: [], events: [] };
  const ipv6 = config['jitsi-eu:ipv6'] === 'true';
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const result = tlsMockState(args, (pem) => mocks.generatedSecrets.push(pem)) ?? mockState(args, ipv6);
        mocks.events.push(`create ${args.type} ${args.name}`);
        mocks.resources.push({
          type: args.type,
          name: args.name,
          urn: '',
          id: result.id,
          custom: args.custom ?? false,
          ...(args.provider ? { provider: args.provider } : {}),
          inputs: args.inputs as Record<string, unknown>,
        });
        return result;
      },
      call(args) {
        mocks.invokes.push({ token: args.token, inputs: args.inputs as Record<string, unknown>, ...(args.provider ? { provider: args.provider } : {}) });
        return mockCall(args);
      },
    },
    'jitsi-eu',
    stack,
    false,
  );
  pulumi.runtime.setAllConfig(config);
  const { jitsiEuProgram } = await import('../../infra/program.ts');
  let failure: { error: unknown } | undefined;
  const outputs = (await pulumi.runtime.runInPulumiStack(async () => {
    if (options) {
      pulumi.runtime.registerStackTransformation((args) => {
        options.set(`${args.type}::${args.name}`, args.opts);
        return undefined;
      });
    }
    try {
      return await jitsiEuProgram({ warn: () => {}, ...program });
    } catch (error) {
      failure = { error };
      return {};
    }
  })) as ResolvedOutputs;
  const recording = await finishRecording(mocks, stack, outputs);
  return failure ? { recording, error: failure.error } : { recording };
}

/** Runs the program once; a failing program rejects. */
export async function recordOpenstackProgram(stack: string, config: Record<string, string>): Promise<Recording> {
  const run = await runOpenstackProgram(stack, config);
  if (run.error !== undefined) throw run.error;
  return run.recording;
}
