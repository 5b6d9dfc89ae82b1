// --aws: the deployment from the AWS side. Placement, IMDSv2, encryption, key pairs and security
// groups come from the EC2 API; service health from the hosts themselves through SSM Run Command.
import type { IpPermission, SecurityGroup } from '@aws-sdk/client-ec2';
import { ADMIN_PORTS, PORTS, TURN_RELAY_PORTS } from '../../../infra/ports.ts';
import { isAllowedRegion } from '../../../infra/spec/index.ts';
import type { DeploymentSpec } from '../../../infra/spec/types.ts';
import { placementFor, regionOfPlacement } from '../placement.ts';
// The AWS SDK loads only when --aws is used: it is a large import.
import type { AwsInventory, InstanceRole, InstanceView, ScriptResult } from '../aws/inventory.ts';
import { UsageError } from '../../lib/cli.ts';
import type { VerifyContext } from '../context.ts';
import { type CheckDefinition, fail, list, pass, reason, warn } from './define.ts';

export interface PortRule {
  protocol: 'tcp' | 'udp';
  from: number;
  to: number;
}

const rule = (protocol: 'tcp' | 'udp', from: number, to: number = from): PortRule => ({ protocol, from, to });
const showRule = (r: PortRule) => `${r.protocol}/${r.from === r.to ? r.from : `${r.from}-${r.to}`}`;

/** What each role opens to the whole Internet, as designed. */
export function expectedWorldIngress(spec: Pick<DeploymentSpec, 'topology' | 'turn'>, role: InstanceRole): PortRule[] {
  if (role === 'bridge') return [rule('udp', PORTS.jvbMedia)];
  const rules = [rule('tcp', PORTS.https), rule('tcp', PORTS.http)];
  if (spec.topology === 'single') rules.push(rule('udp', PORTS.jvbMedia));
  if (spec.turn) {
    rules.push(rule('udp', PORTS.turn), rule('tcp', PORTS.turn), rule('tcp', PORTS.turns), rule('udp', TURN_RELAY_PORTS.min, TURN_RELAY_PORTS.max));
  }
  return rules;
}

function protocolOf(permission: IpPermission): 'tcp' | 'udp' | 'all' | string {
  const p = (permission.IpProtocol ?? '').toLowerCase();
  if (p === '-1' || p === 'all') return 'all';
  if (p === '6') return 'tcp';
  if (p === '17') return 'udp';
  return p;
}

/** Findings for the security groups of one instance; empty when they are exactly as designed. */
export function judgeSecurityGroups(
  spec: Pick<DeploymentSpec, 'topology' | 'turn'>,
  role: InstanceRole,
  groups: readonly SecurityGroup[],
): string[] {
  const expected = expectedWorldIngress(spec, role);
  const seen = new Set<string>();
  const problems: string[] = [];
  for (const group of groups) {
    for (const permission of group.IpPermissions ?? []) {
      const protocol = protocolOf(permission);
      const from = permission.FromPort ?? 0;
      const to = permission.ToPort ?? 65535;
      const world = [
        ...(permission.IpRanges ?? []).filter((r) => r.CidrIp === '0.0.0.0/0').map(() => '0.0.0.0/0'),
        ...(permission.Ipv6Ranges ?? []).filter((r) => r.CidrIpv6 === '::/0').map(() => '::/0'),
      ];
      const otherCidrs = [
        ...(permission.IpRanges ?? []).map((r) => r.CidrIp ?? '').filter((c) => c !== '0.0.0.0/0'),
        ...(permission.Ipv6Ranges ?? []).map((r) => r.CidrIpv6 ?? '').filter((c) => c !== '::/0'),
      ];
      const sourceGroups = (permission.UserIdGroupPairs ?? []).map((p) => p.GroupId ?? '');
      const text = protocol === 'all' ? 'all traffic' : `${protocol}/${from === to ? from : `${from}-${to}`}`;
      if (world.length > 0) {
        if (protocol === 'all') {
          problems.push(`${group.GroupId}: all traffic open to the world`);
          continue;
        }
        const admin = ADMIN_PORTS.filter((p) => protocol === 'tcp' && p >= from && p <= to);
        if (admin.length > 0) problems.push(`${group.GroupId}: ${text} from the world includes admin port${admin.length > 1 ? 's' : ''} ${admin.join(', ')}`);
        const match = expected.find((e) => e.protocol === protocol && e.from === from && e.to === to);
        if (match) seen.add(showRule(match));
        else if (admin.length === 0) problems.push(`${group.GroupId}: ${text} open to the world is not part of the design`);
      }
      const internalBridgeLogin = role === 'signaling' && spec.topology === 'scalable' && protocol === 'tcp' && from === PORTS.xmppClient && to === PORTS.xmppClient;
      if (sourceGroups.length > 0 && !internalBridgeLogin) problems.push(`${group.GroupId}: ${text} from security group ${sourceGroups.join(', ')} is not part of the design`);
      if (otherCidrs.length > 0) problems.push(`${group.GroupId}: ${text} from ${otherCidrs.join(', ')} is not part of the design`);
      if ((permission.PrefixListIds ?? []).length > 0) problems.push(`${group.GroupId}: ${text} from a prefix list is not part of the design`);
    }
  }
  for (const e of expected) if (!seen.has(showRule(e))) problems.push(`${showRule(e)} is not open to the world, but the ${role} needs it`);
  return problems;
}

/**
 * The region of the AWS API calls: the stack's, else the region the address is placed in (its
 * EC2 reverse DNS name, or AWS's ranges when downloaded), else the SDK's.
 */
export async function awsRegionFor(ctx: VerifyContext): Promise<string | undefined> {
  if (ctx.fromStack) return ctx.spec.region;
  const placement = await placementFor(ctx);
  const placed = placement.addresses.map(regionOfPlacement).find((region) => region !== undefined);
  return placed ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
}

/** Before any AWS check: a region to ask and credentials that work, or a UsageError (exit 2) in one line. */
export async function requireAwsAccessFor(ctx: VerifyContext): Promise<void> {
  const region = await awsRegionFor(ctx);
  if (!region) throw new UsageError('--aws: cannot tell which AWS region to ask; give --stack NAME or set AWS_REGION');
  const { requireAwsAccess } = await import('../aws/credentials.ts');
  await requireAwsAccess({
    region,
    ...(ctx.options.awsEndpoint ? { endpoint: ctx.options.awsEndpoint } : {}),
    timeoutMs: Math.max(1000, Math.min(15_000, ctx.deadline - Date.now() - 1000)),
  });
}

function inventory(ctx: VerifyContext): Promise<AwsInventory> {
  return ctx.once('aws inventory', async () => {
    const region = await awsRegionFor(ctx);
    if (!region) throw new Error('cannot tell which AWS region to ask: give --stack NAME (or set AWS_REGION)');
    const { loadInventory } = await import('../aws/inventory.ts');
    return loadInventory({
      region,
      ...(ctx.options.awsEndpoint ? { endpoint: ctx.options.awsEndpoint } : {}),
      ...(ctx.fromStack ? { stack: ctx.spec.stack } : {}),
      addresses: ctx.resolved.addresses,
      signal: ctx.signal,
    });
  });
}

type InventoryJudge = (inv: AwsInventory, ctx: VerifyContext) => ReturnType<CheckDefinition['run']>;

function awsCheck(id: string, title: string, description: string, judge: InventoryJudge, timeoutMs?: number): CheckDefinition {
  return {
    id,
    title,
    area: 'aws',
    mode: 'aws',
    description,
    ...(timeoutMs ? { timeoutMs } : {}),
    async run(ctx) {
      let inv: AwsInventory;
      try {
        inv = await inventory(ctx);
      } catch (error) {
        const name = (error as { name?: string }).name ?? '';
        if (/Credential|UnrecognizedClient|InvalidClientTokenId|AuthFailure/i.test(name) || /credential/i.test(reason(error))) {
          return fail(`AWS credentials missing or refused (${reason(error)}): set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY`);
        }
        return fail(`AWS API: ${reason(error)}`);
      }
      if (inv.instances.length === 0) return fail(`no instances found by ${inv.foundBy}`);
      return judge(inv, ctx);
    },
  };
}

const regionOfZone = (zone: string) => zone.replace(/[a-z]$/, '');

const placement = awsCheck(
  'aws-instance-region',
  'Instances run in the expected EU region',
  "Every instance of the deployment is placed in the stack's region, which is an allowed EU region.",
  async (inv, ctx) => {
    const problems: string[] = [];
    for (const i of inv.instances) {
      const region = regionOfZone(i.availabilityZone) || inv.region;
      if (!isAllowedRegion(region, ctx.spec.allowNonEuRegion)) problems.push(`${i.id} in ${region}, not an allowed region`);
      else if (ctx.fromStack && region !== ctx.spec.region) problems.push(`${i.id} in ${region}, the stack says ${ctx.spec.region}`);
    }
    if (problems.length > 0) return fail(list(problems));
    return pass(`${inv.instances.length} instance${inv.instances.length > 1 ? 's' : ''} in ${[...new Set(inv.instances.map((i) => i.availabilityZone))].join(', ')} (${inv.foundBy})`);
  },
);

const imdsv2 = awsCheck(
  'aws-imdsv2',
  'IMDSv2 required',
  'Every instance requires session tokens for instance metadata (HttpTokens required) with a hop limit of 1.',
  async (inv) => {
    const failures = inv.instances.filter((i) => i.httpTokens !== 'required').map((i) => `${i.id}: HttpTokens ${i.httpTokens ?? 'unknown'}`);
    if (failures.length > 0) return fail(`${list(failures)}; set metadata_options http_tokens = required`);
    const warnings = [
      ...inv.instances.filter((i) => (i.hopLimit ?? 1) > 1).map((i) => `${i.id}: hop limit ${i.hopLimit}`),
      ...inv.instances.filter((i) => i.metadataState && i.metadataState !== 'applied').map((i) => `${i.id}: metadata options ${i.metadataState}`),
    ];
    if (warnings.length > 0) return warn(list(warnings));
    return pass(`required on ${inv.instances.map((i) => i.id).join(', ')}`);
  },
);

const ebs = awsCheck(
  'aws-ebs-encrypted',
  'Volumes encrypted',
  "Every volume attached to the deployment's instances is encrypted (WARN when the account default for new volumes is off).",
  async (inv) => {
    if (inv.volumes.length === 0) return fail('no attached volumes found');
    const plain = inv.volumes.filter((v) => !v.Encrypted).map((v) => `${v.VolumeId} (${v.Attachments?.[0]?.InstanceId ?? 'detached'})`);
    if (plain.length > 0) return fail(`unencrypted: ${list(plain)}`);
    if (inv.ebsEncryptionByDefault === false) return warn(`${inv.volumes.length} volumes encrypted; the account default for new volumes in ${inv.region} is off`);
    return pass(`${inv.volumes.length} volume${inv.volumes.length > 1 ? 's' : ''} encrypted`);
  },
);

const keyPair = awsCheck(
  'aws-no-key-pair',
  'No SSH key pair',
  'No instance was launched with an EC2 key pair (administration goes through SSM Session Manager).',
  async (inv) => {
    const withKey = inv.instances.filter((i) => i.keyName).map((i) => `${i.id} (${i.keyName})`);
    if (withKey.length > 0) return fail(`key pair on ${list(withKey)}`);
    return pass('no key pairs');
  },
);

const securityGroups = awsCheck(
  'aws-security-groups',
  'Security groups exactly as designed',
  'Ingress is exactly what each role needs (443/80, UDP 10000, TURN ports when on; XMPP only from the bridges): nothing else, and no admin port open to the world.',
  async (inv, ctx) => {
    const problems: string[] = [];
    for (const instance of inv.instances) {
      const groups = instance.securityGroupIds.map((id) => inv.securityGroups.get(id)).filter((g): g is SecurityGroup => Boolean(g));
      for (const p of judgeSecurityGroups(ctx.spec, instance.role, groups)) problems.push(`${instance.id} (${instance.role}): ${p}`);
    }
    if (problems.length > 0) return fail(list([...new Set(problems)], 3));
    return pass(`${inv.securityGroups.size} security group${inv.securityGroups.size > 1 ? 's' : ''} as designed`);
  },
);

/** The script run on the hosts: HTTP codes of the local health endpoints and jicofo's bridge count. */
export const HEALTH_SCRIPT = [
  `printf 'jvb=%s\\n' "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 http://127.0.0.1:${PORTS.jvbPrivateHttp}/about/health)"`,
  `printf 'jicofo=%s\\n' "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 http://127.0.0.1:${PORTS.jicofoRest}/about/health)"`,
  `printf 'bridges=%s\\n' "$(curl -s --max-time 5 http://127.0.0.1:${PORTS.jicofoRest}/stats | grep -o '"operational_bridge_count":[0-9]*' | cut -d: -f2)"`,
].join('\n');

export interface HealthReport {
  jvb?: number;
  jicofo?: number;
  bridges?: number;
}

export function parseHealthOutput(stdout: string): HealthReport {
  const read = (key: string) => {
    const match = new RegExp(`^${key}=(\\d+)\\s*$`, 'm').exec(stdout);
    return match ? Number(match[1]) : undefined;
  };
  const report: HealthReport = {};
  const jvb = read('jvb');
  const jicofo = read('jicofo');
  const bridges = read('bridges');
  if (jvb !== undefined) report.jvb = jvb;
  if (jicofo !== undefined) report.jicofo = jicofo;
  if (bridges !== undefined) report.bridges = bridges;
  return report;
}

interface HealthRun {
  instances: InstanceView[];
  results: Map<string, ScriptResult>;
}

function health(ctx: VerifyContext, inv: AwsInventory): Promise<HealthRun> {
  return ctx.once('aws health', async () => {
    const instances = inv.instances.filter((i) => i.state === 'running');
    if (instances.length === 0) throw new Error('no running instance to ask');
    const timeout = Math.max(5000, Math.min(60_000, ctx.deadline - Date.now() - 1000));
    return { instances, results: await inv.runScript(instances.map((i) => i.id), HEALTH_SCRIPT, timeout) };
  });
}

/** JVB health per instance that runs a bridge. */
export function judgeJvbHealth(spec: Pick<DeploymentSpec, 'topology'>, run: HealthRun): { ok: boolean; detail: string } {
  const role: InstanceRole = spec.topology === 'scalable' ? 'bridge' : 'signaling';
  const hosts = run.instances.filter((i) => i.role === role);
  if (hosts.length === 0) return { ok: false, detail: `no running ${role} instance` };
  const findings = hosts.map((i) => {
    const result = run.results.get(i.id);
    const code = result ? parseHealthOutput(result.stdout).jvb : undefined;
    return { id: i.id, ok: code === 200, text: `${i.id}: ${code === undefined ? `no answer (command ${result?.status ?? 'not run'})` : `HTTP ${code}`}` };
  });
  return { ok: findings.every((f) => f.ok), detail: list(findings.map((f) => f.text)) };
}

export function judgeJicofo(spec: Pick<DeploymentSpec, 'topology' | 'bridges'>, run: HealthRun): { health: { ok: boolean; detail: string }; bridges: { ok: boolean; detail: string } } {
  const signaling = run.instances.find((i) => i.role === 'signaling');
  if (!signaling) {
    const none = { ok: false, detail: 'no running signaling instance' };
    return { health: none, bridges: none };
  }
  const result = run.results.get(signaling.id);
  const report = result ? parseHealthOutput(result.stdout) : {};
  const status = result?.status ?? 'not run';
  const health =
    report.jicofo === 200
      ? { ok: true, detail: `${signaling.id}: jicofo healthy` }
      : { ok: false, detail: `${signaling.id}: jicofo health ${report.jicofo === undefined ? `gave no answer (command ${status})` : report.jicofo === 503 ? 'HTTP 503 (still starting or unhealthy)' : `HTTP ${report.jicofo}`}` };
  const runningBridges = run.instances.filter((i) => i.role === 'bridge').length;
  const expected = spec.topology === 'scalable' ? Math.max(spec.bridges?.min ?? 1, runningBridges) : 1;
  const bridges =
    report.bridges === undefined
      ? { ok: false, detail: `jicofo reported no bridge count (command ${status})` }
      : report.bridges >= expected
        ? { ok: true, detail: `jicofo sees ${report.bridges} operational bridge${report.bridges === 1 ? '' : 's'} (expected ${expected})` }
        : { ok: false, detail: `jicofo sees ${report.bridges} operational bridge${report.bridges === 1 ? '' : 's'}, expected ${expected}` };
  return { health, bridges };
}

function healthCheck(id: string, title: string, description: string, pick: (ctx: VerifyContext, run: HealthRun) => { ok: boolean; detail: string }): CheckDefinition {
  return awsCheck(
    id,
    title,
    description,
    async (inv, ctx) => {
      let run: HealthRun;
      try {
        run = await health(ctx, inv);
      } catch (error) {
        return fail(`SSM Run Command: ${reason(error)} (is the SSM agent online on the instance?)`);
      }
      const verdict = pick(ctx, run);
      return verdict.ok ? pass(verdict.detail) : fail(verdict.detail);
    },
    75_000,
  );
}

const jvbHealth = healthCheck(
  'aws-jvb-health',
  'Videobridge healthy',
  `Through SSM Run Command, each videobridge answers 200 on its loopback health endpoint (port ${PORTS.jvbPrivateHttp}).`,
  (ctx, run) => judgeJvbHealth(ctx.spec, run),
);

const jicofoHealth = healthCheck(
  'aws-jicofo-health',
  'jicofo healthy',
  `Through SSM Run Command, jicofo answers 200 on its loopback health endpoint (port ${PORTS.jicofoRest}).`,
  (ctx, run) => judgeJicofo(ctx.spec, run).health,
);

const bridgeCount = healthCheck(
  'aws-bridge-count',
  'jicofo sees every bridge',
  "jicofo's statistics count as many operational bridges as the deployment runs (1 on a single node; the running pool, at least its minimum, when scalable).",
  (ctx, run) => judgeJicofo(ctx.spec, run).bridges,
);

export const AWS_CHECKS: CheckDefinition[] = [placement, imdsv2, ebs, keyPair, securityGroups, jvbHealth, jicofoHealth, bridgeCount];
