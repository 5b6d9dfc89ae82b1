// The Pulumi program under mocks that answer as Hetzner Cloud does: numeric ids, a server's
// addresses, Primary IPs and DNS zones. Records what the program registers (as scripts/plan/record.ts
// does for AWS) and the resource options each resource was given, which the mocks never see.
import * as pulumi from '@pulumi/pulumi';
import type { MockCallArgs, MockResourceArgs } from '@pulumi/pulumi/runtime/mocks.js';
import { type RecordedResource, type Recording, type ResolvedOutputs, finishRecording } from '../../scripts/plan/record.ts';
import { tlsMockState } from '../../scripts/plan/mocks-tls.ts';

/** Documentation ranges (RFC 5737, RFC 3849) stand in for the addresses Hetzner assigns. */
export const HETZNER_SIGNALING_IPV4 = '203.0.113.20';
export const HETZNER_IPV6_NETWORK = '2001:db8:20::/64';
export const HETZNER_IPV6_ADDRESS = '2001:db8:20::1';

export interface HetznerRunOptions {
  stack: string;
  config: Record<string, string>;
  /** DNS zones of the project, by name, with their mode; getZone fails for any other name. */
  zones?: Record<string, 'primary' | 'secondary'>;
  /** What deploy says the stack's signaling node is (ProgramOptions.deployedSignalingHost). */
  deployedSignalingHost?: string;
}

export interface HetznerRun {
  recording: Recording;
  /** `<type>::<name>` → the options the program passed. */
  options: Map<string, pulumi.CustomResourceOptions>;
  /** `<type>::<name>` → the URNs of the resources given as dependsOn / replaceWith. */
  dependsOn: Map<string, string[]>;
  replaceWith: Map<string, string[]>;
  error?: unknown;
}

function hetznerState(args: MockResourceArgs, nextId: () => string, generatedSecrets: string[]): { id: string; state: Record<string, unknown> } {
  const inputs = args.inputs as Record<string, unknown>;
  const key = tlsMockState(args, (pem) => generatedSecrets.push(pem));
  if (key) return key;
  const id = nextId();
  switch (args.type) {
    case 'hcloud:index/primaryIp:PrimaryIp':
      return inputs.type === 'ipv6'
        ? { id, state: { ...inputs, ipAddress: HETZNER_IPV6_NETWORK, ipNetwork: HETZNER_IPV6_NETWORK } }
        : { id, state: { ...inputs, ipAddress: HETZNER_SIGNALING_IPV4 } };
    case 'hcloud:index/server:Server': {
      const publicNet = ((inputs.publicNets as Record<string, unknown>[] | undefined) ?? [{}])[0] ?? {};
      const ipv6 = publicNet.ipv6Enabled !== false;
      return {
        id,
        state: {
          ...inputs,
          status: 'running',
          ipv4Address: publicNet.ipv4Enabled === false ? '' : `198.51.100.${Number(id) % 250}`,
          ipv6Address: ipv6 ? HETZNER_IPV6_ADDRESS : '',
          ipv6Network: ipv6 ? HETZNER_IPV6_NETWORK : '',
        },
      };
    }
    case 'hcloud:index/networkSubnet:NetworkSubnet':
      // The provider's id for a subnet: `<network id>-<range>`.
      return { id: `${String(inputs.networkId)}-${String(inputs.ipRange)}`, state: inputs };
    default:
      return { id, state: inputs };
  }
}

function hetznerCall(args: MockCallArgs, zones: Record<string, 'primary' | 'secondary'>): Record<string, unknown> {
  const inputs = args.inputs as Record<string, unknown>;
  if (args.token === 'hcloud:index/getZone:getZone') {
    const name = String(inputs.name);
    const mode = zones[name];
    if (!mode) throw new Error(`zone not found: ${name}`);
    return { id: 4711, name, mode, ttl: 3600, labels: {}, deleteProtection: false, registrar: 'other', primaryNameservers: [], authoritativeNameservers: {} };
  }
  throw new Error(`these mocks have no answer for the lookup ${args.token}`);
}

/** Runs the program once under Hetzner's mocks; a failing program is returned in `error`. */
export async function runHetznerProgram(options: HetznerRunOptions): Promise<HetznerRun> {
  const resources: RecordedResource[] = [];
  const invokes: Recording['invokes'] = [];
  const generatedSecrets: string[] = [];
  let counter = 100000;
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const result = hetznerState(args, () => String(++counter), generatedSecrets);
        resources.push({
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
        invokes.push({ token: args.token, inputs: args.inputs as Record<string, unknown>, ...(args.provider ? { provider: args.provider } : {}) });
        return hetznerCall(args, options.zones ?? {});
      },
    },
    'jitsi-eu',
    options.stack,
    false,
  );
  pulumi.runtime.setAllConfig(options.config);
  const { jitsiEuProgram } = await import('../../infra/program.ts');
  const seen = new Map<string, pulumi.CustomResourceOptions>();
  const urnsOf = async (list: unknown) => Promise.all(((list ?? []) as pulumi.Resource[]).map((r) => new Promise<string>((resolve) => r.urn.apply(resolve))));
  const pending: Promise<void>[] = [];
  const dependsOn = new Map<string, string[]>();
  const replaceWith = new Map<string, string[]>();
  let failure: { error: unknown } | undefined;
  const outputs = (await pulumi.runtime.runInPulumiStack(async () => {
    pulumi.runtime.registerStackTransformation((args) => {
      const key = `${args.type}::${args.name}`;
      seen.set(key, args.opts);
      const opts = args.opts as pulumi.CustomResourceOptions;
      pending.push(urnsOf([opts.dependsOn ?? []].flat()).then((urns) => void dependsOn.set(key, urns)));
      pending.push(urnsOf(opts.replaceWith).then((urns) => void replaceWith.set(key, urns)));
      return undefined;
    });
    try {
      return await jitsiEuProgram({ warn: () => {}, ...(options.deployedSignalingHost ? { deployedSignalingHost: options.deployedSignalingHost } : {}) });
    } catch (error) {
      failure = { error };
      return {};
    }
  })) as ResolvedOutputs;
  await Promise.all(pending);
  const recording = await finishRecording({ resources, invokes, generatedSecrets, events: [] }, options.stack, outputs);
  return { recording, options: seen, dependsOn, replaceWith, ...(failure ? { error: failure.error } : {}) };
}
