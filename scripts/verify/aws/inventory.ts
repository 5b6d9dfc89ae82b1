// --aws: the deployment as the AWS API describes it. Instances are found by the stack tag (with
// --stack) or by the public address the domain resolves to; security groups and volumes follow
// from them. Commands on the hosts go through SSM Run Command (no SSH).
import {
  DescribeInstancesCommand,
  DescribeSecurityGroupsCommand,
  DescribeVolumesCommand,
  EC2Client,
  GetEbsEncryptionByDefaultCommand,
  type Filter,
  type Instance,
  type SecurityGroup,
  type Volume,
} from '@aws-sdk/client-ec2';
import { GetCommandInvocationCommand, SSMClient, SendCommandCommand } from '@aws-sdk/client-ssm';
import { TAG_STACK } from '../../../infra/tags.ts';

export type InstanceRole = 'signaling' | 'bridge';

export interface InstanceView {
  id: string;
  role: InstanceRole;
  state: string;
  availabilityZone: string;
  httpTokens?: string;
  hopLimit?: number;
  metadataState?: string;
  httpEndpoint?: string;
  keyName?: string;
  securityGroupIds: string[];
  publicIp?: string;
}

export interface AwsInventory {
  region: string;
  /** How the instances were found, for detail lines. */
  foundBy: string;
  stack?: string;
  instances: InstanceView[];
  securityGroups: Map<string, SecurityGroup>;
  volumes: Volume[];
  /** Account default for new volumes in this region (undefined when the call is not allowed). */
  ebsEncryptionByDefault?: boolean;
  /** Runs a shell script on instances through SSM Run Command; stdout per instance id. */
  runScript(instanceIds: string[], script: string, timeoutMs: number): Promise<Map<string, ScriptResult>>;
}

export interface ScriptResult {
  status: string;
  stdout: string;
}

export interface AwsClientOptions {
  region: string;
  endpoint?: string;
}

function clientConfig(options: AwsClientOptions) {
  return { region: options.region, ...(options.endpoint ? { endpoint: options.endpoint } : {}), maxAttempts: 2 };
}

/** Instances in an Auto Scaling group are bridges (AWS tags them with their group's name). */
export function roleOf(instance: Instance): InstanceRole {
  return instance.Tags?.some((t) => t.Key === 'aws:autoscaling:groupName') ? 'bridge' : 'signaling';
}

function view(instance: Instance): InstanceView {
  return {
    id: instance.InstanceId ?? 'unknown',
    role: roleOf(instance),
    state: instance.State?.Name ?? 'unknown',
    availabilityZone: instance.Placement?.AvailabilityZone ?? '',
    ...(instance.MetadataOptions?.HttpTokens ? { httpTokens: instance.MetadataOptions.HttpTokens } : {}),
    ...(instance.MetadataOptions?.HttpPutResponseHopLimit !== undefined ? { hopLimit: instance.MetadataOptions.HttpPutResponseHopLimit } : {}),
    ...(instance.MetadataOptions?.State ? { metadataState: instance.MetadataOptions.State } : {}),
    ...(instance.MetadataOptions?.HttpEndpoint ? { httpEndpoint: instance.MetadataOptions.HttpEndpoint } : {}),
    ...(instance.KeyName ? { keyName: instance.KeyName } : {}),
    securityGroupIds: (instance.SecurityGroups ?? []).map((g) => g.GroupId!).filter(Boolean),
    ...(instance.PublicIpAddress ? { publicIp: instance.PublicIpAddress } : {}),
  };
}

const LIVE_STATES: Filter = { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] };

async function describeInstances(ec2: EC2Client, filters: Filter[], signal: AbortSignal): Promise<Instance[]> {
  const instances: Instance[] = [];
  let token: string | undefined;
  do {
    const page = await ec2.send(new DescribeInstancesCommand({ Filters: [...filters, LIVE_STATES], ...(token ? { NextToken: token } : {}) }), { abortSignal: signal });
    for (const reservation of page.Reservations ?? []) instances.push(...(reservation.Instances ?? []));
    token = page.NextToken;
  } while (token);
  return instances;
}

export interface InventoryRequest extends AwsClientOptions {
  /** Find by the stack tag. */
  stack?: string;
  /** Otherwise find by these public addresses (then widen to their stack). */
  addresses: string[];
  signal: AbortSignal;
}

export async function loadInventory(request: InventoryRequest): Promise<AwsInventory> {
  const ec2 = new EC2Client(clientConfig(request));
  const ssm = new SSMClient(clientConfig(request));
  const signal = request.signal;
  let stack = request.stack;
  let foundBy: string;
  let instances: Instance[];
  if (stack) {
    instances = await describeInstances(ec2, [{ Name: `tag:${TAG_STACK}`, Values: [stack] }], signal);
    foundBy = `tag ${TAG_STACK}=${stack} in ${request.region}`;
  } else {
    const byAddress = await describeInstances(ec2, [{ Name: 'ip-address', Values: request.addresses }], signal);
    stack = byAddress.flatMap((i) => i.Tags ?? []).find((t) => t.Key === TAG_STACK)?.Value;
    instances = stack ? await describeInstances(ec2, [{ Name: `tag:${TAG_STACK}`, Values: [stack] }], signal) : byAddress;
    foundBy = stack
      ? `public address ${request.addresses.join(', ')} → stack ${stack} in ${request.region}`
      : `public address ${request.addresses.join(', ')} in ${request.region}`;
  }
  const views = instances.map(view);
  const groupIds = [...new Set(views.flatMap((v) => v.securityGroupIds))];
  const securityGroups = new Map<string, SecurityGroup>();
  if (groupIds.length > 0) {
    const groups = await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: groupIds }), { abortSignal: signal });
    for (const group of groups.SecurityGroups ?? []) securityGroups.set(group.GroupId!, group);
  }
  const volumes: Volume[] = [];
  if (views.length > 0) {
    const result = await ec2.send(
      new DescribeVolumesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: views.map((v) => v.id) }] }),
      { abortSignal: signal },
    );
    volumes.push(...(result.Volumes ?? []));
  }
  let ebsEncryptionByDefault: boolean | undefined;
  try {
    ebsEncryptionByDefault = (await ec2.send(new GetEbsEncryptionByDefaultCommand({}), { abortSignal: signal })).EbsEncryptionByDefault;
  } catch {
    ebsEncryptionByDefault = undefined;
  }
  return {
    region: request.region,
    foundBy,
    ...(stack ? { stack } : {}),
    instances: views,
    securityGroups,
    volumes,
    ...(ebsEncryptionByDefault !== undefined ? { ebsEncryptionByDefault } : {}),
    async runScript(instanceIds, script, timeoutMs) {
      const sent = await ssm.send(
        new SendCommandCommand({
          DocumentName: 'AWS-RunShellScript',
          InstanceIds: instanceIds,
          Parameters: { commands: [script] },
          TimeoutSeconds: Math.max(30, Math.ceil(timeoutMs / 1000)),
          Comment: 'jitsi-eu verify: service health',
        }),
        { abortSignal: signal },
      );
      const commandId = sent.Command?.CommandId;
      if (!commandId) throw new Error('SSM returned no command id');
      const results = new Map<string, ScriptResult>();
      const deadline = Date.now() + timeoutMs;
      for (const id of instanceIds) {
        for (;;) {
          let status = 'Pending';
          let stdout = '';
          try {
            const invocation = await ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: id }), { abortSignal: signal });
            status = invocation.Status ?? 'Pending';
            stdout = invocation.StandardOutputContent ?? '';
          } catch (error) {
            // The invocation appears a moment after SendCommand returns.
            if ((error as { name?: string }).name !== 'InvocationDoesNotExist') throw error;
          }
          if (!['Pending', 'InProgress', 'Delayed'].includes(status)) {
            results.set(id, { status, stdout });
            break;
          }
          if (Date.now() > deadline) {
            results.set(id, { status: 'TimedOut', stdout });
            break;
          }
          await new Promise((resolve) => setTimeout(resolve, 1000));
        }
      }
      return results;
    },
  };
}
