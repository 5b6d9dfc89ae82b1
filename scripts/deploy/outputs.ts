// The stack outputs deploy and sandbox use, read defensively (an older program may lack some).
import { CLOUDS, type Cloud } from '../../infra/spec/types.ts';
import type { StackOutputs } from '../lib/workspace.ts';

export interface DeployedOutputs {
  /** Absent from programs older than the choice of cloud (they ran on AWS). */
  cloud?: Cloud;
  url?: string;
  publicIp?: string;
  region?: string;
  /** The signaling node's id at its provider (EC2 instance id, Hetzner or OpenStack server id). */
  instanceId?: string;
  /** Hetzner and OpenStack, scalable topology: the bridge servers' ids. */
  bridgeServerIds?: string[];
  ssmShellCommand?: string;
  hostAccountParameter?: string;
  hourlyCostEur?: number;
}

export function readOutputs(outputs: StackOutputs): DeployedOutputs {
  const text = (key: string): string | undefined => {
    const entry = outputs[key];
    return entry && !entry.secret && typeof entry.value === 'string' && entry.value !== '' ? entry.value : undefined;
  };
  const cost = outputs.hourlyCostEur;
  const cloud = text('cloud');
  const bridges = outputs.bridgeServerIds;
  const bridgeIds = bridges && !bridges.secret && Array.isArray(bridges.value) ? bridges.value.map(String) : undefined;
  return {
    ...(cloud && (CLOUDS as readonly string[]).includes(cloud) ? { cloud: cloud as Cloud } : {}),
    ...(text('url') ? { url: text('url') } : {}),
    ...(text('publicIp') ? { publicIp: text('publicIp') } : {}),
    ...(text('region') ? { region: text('region') } : {}),
    ...(text('signalingInstanceId') ? { instanceId: text('signalingInstanceId') } : {}),
    ...(text('ssmShellCommand') ? { ssmShellCommand: text('ssmShellCommand') } : {}),
    ...(text('hostAccountParameter') ? { hostAccountParameter: text('hostAccountParameter') } : {}),
    ...(bridgeIds?.length ? { bridgeServerIds: bridgeIds } : {}),
    ...(cost && !cost.secret && typeof cost.value === 'number' ? { hourlyCostEur: cost.value } : {}),
  };
}

/** Every output with secret ones masked: safe to print or write as JSON. */
export function printableOutputs(outputs: StackOutputs): Record<string, unknown> {
  return Object.fromEntries(Object.entries(outputs).map(([key, { value, secret }]) => [key, secret ? '[secret]' : value]));
}
