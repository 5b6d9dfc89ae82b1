// The stack outputs deploy and sandbox use, read defensively (an older program may lack some).
import type { StackOutputs } from '../lib/workspace.ts';

export interface DeployedOutputs {
  url?: string;
  publicIp?: string;
  region?: string;
  /** The signaling node's EC2 instance id. */
  instanceId?: string;
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
  return {
    ...(text('url') ? { url: text('url') } : {}),
    ...(text('publicIp') ? { publicIp: text('publicIp') } : {}),
    ...(text('region') ? { region: text('region') } : {}),
    ...(text('signalingInstanceId') ? { instanceId: text('signalingInstanceId') } : {}),
    ...(text('ssmShellCommand') ? { ssmShellCommand: text('ssmShellCommand') } : {}),
    ...(text('hostAccountParameter') ? { hostAccountParameter: text('hostAccountParameter') } : {}),
    ...(cost && !cost.secret && typeof cost.value === 'number' ? { hourlyCostEur: cost.value } : {}),
  };
}

/** Every output with secret ones masked: safe to print or write as JSON. */
export function printableOutputs(outputs: StackOutputs): Record<string, unknown> {
  return Object.fromEntries(Object.entries(outputs).map(([key, { value, secret }]) => [key, secret ? '[secret]' : value]));
}
