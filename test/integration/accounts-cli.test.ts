// `npm run accounts` against moto_server (SSM and EC2), with a fake command channel standing in
// for SSM Run Command (moto runs no commands): what lands in SSM, what the host is asked, what is
// printed (a generated password exactly once, on stdout, in no other output), and exit codes.
import { CreateSubnetCommand, CreateVpcCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { GetParameterCommand, ListTagsForResourceCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountParameterName } from '../../infra/accounts.ts';
import { ACCOUNTS_SCRIPT_PATH } from '../../infra/render/os.ts';
import { ssmParameterName } from '../../infra/secrets.ts';
import type { DeploymentSpec } from '../../infra/spec/types.ts';
import { openAwsStack } from '../../scripts/accounts/deps.ts';
import { PASSWORD_LENGTH } from '../../scripts/accounts/password.ts';
import { parseAccountsArgs } from '../../scripts/accounts/usage.ts';
import { EXIT, UsageError } from '../../scripts/lib/cli.ts';
import type { HostAnswer, HostCommands, RunOptions } from '../../scripts/lib/host-commands.ts';
import { startMoto, type Moto } from '../helpers/moto.ts';
import { runAccounts, type AccountsRun } from '../helpers/accounts-run.ts';
import { runNpmScript } from '../helpers/npm-run.ts';
import { makeSpec } from '../helpers/spec.ts';

const REGION = 'eu-central-1';
const DEPLOYED = makeSpec({ stack: 'crew', auth: 'secure', region: REGION });
/** A secure stack with no running host (not deployed yet, or stopped). */
const IDLE = makeSpec({ stack: 'idle', auth: 'secure', region: REGION });
let moto: Moto;
let ssm: SSMClient;
let signalingId: string;

/** Answers like accounts.sh on a host, and remembers what it was asked. */
class FakeHosts implements HostCommands {
  readonly runs: { instanceIds: readonly string[]; script: string; comment: string }[] = [];
  constructor(private readonly answer: (id: string) => HostAnswer) {}
  async run(instanceIds: readonly string[], script: string, options: RunOptions): Promise<Map<string, HostAnswer>> {
    this.runs.push({ instanceIds, script, comment: options.comment });
    return new Map(instanceIds.map((id) => [id, this.answer(id)]));
  }
}

const SYNCED: HostAnswer = {
  state: 'answered',
  stdout: '2026-12-06T12:00:00Z jitsi-eu: service accounts focus@auth and jvb@auth are set\n2026-12-06T12:00:01Z jitsi-eu: host accounts on meet.example.org: alice host\n2026-12-06T12:00:01Z jitsi-eu: added: alice; removed: none\n',
};

interface Run extends AccountsRun {
  hosts: FakeHosts;
  asked: string[];
}

async function accounts(argv: string[], options: { spec?: DeploymentSpec; terminal?: boolean; answer?: (id: string) => HostAnswer; confirm?: boolean } = {}): Promise<Run> {
  const hosts = new FakeHosts(options.answer ?? (() => SYNCED));
  const asked: string[] = [];
  const run = await runAccounts(argv, {
    loadSpec: (stack) => {
      const spec = options.spec ?? DEPLOYED;
      expect(stack).toBe(spec.stack);
      return spec;
    },
    requireCredentials: async () => undefined,
    openStack: (spec) => ({ ...openAwsStack(spec), hosts }),
    confirm: async (question) => {
      asked.push(question);
      return options.confirm ?? false;
    },
  }, options.terminal);
  return { ...run, hosts, asked };
}

async function storedPassword(spec: DeploymentSpec, name: string): Promise<string | undefined> {
  try {
    return (await ssm.send(new GetParameterCommand({ Name: accountParameterName(spec.stack, name), WithDecryption: true }))).Parameter?.Value;
  } catch {
    return undefined;
  }
}

const occurrences = (text: string, value: string) => text.split(value).length - 1;

beforeAll(async () => {
  moto = await startMoto();
  Object.assign(process.env, moto.env, { AWS_REGION: REGION });
  ssm = new SSMClient({ region: REGION });
  for (const spec of [DEPLOYED, IDLE]) {
    await ssm.send(new PutParameterCommand({ Name: ssmParameterName(spec.stack, 'host-password'), Value: `stack-host-${spec.stack}-secret`, Type: 'SecureString' }));
  }
  const ec2 = new EC2Client({ region: REGION });
  const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.41.0.0/16' }))).Vpc!.VpcId!;
  const subnet = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.41.1.0/24', AvailabilityZone: `${REGION}a` }))).Subnet!.SubnetId!;
  const run = await ec2.send(
    new RunInstancesCommand({
      ImageId: 'ami-12c6146b',
      InstanceType: 'c6i.xlarge',
      MinCount: 1,
      MaxCount: 1,
      SubnetId: subnet,
      TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'jitsi-eu:stack', Value: DEPLOYED.stack }] }],
    }),
  );
  signalingId = run.Instances![0]!.InstanceId!;
  ec2.destroy();
}, 60_000);

afterAll(async () => {
  ssm?.destroy();
  await moto?.stop();
});

describe('npm run accounts against moto_server', () => {
  it('add: stores a generated SecureString under the stack path, tagged; the host syncs; the password is printed once, on stdout only', async () => {
    const run = await accounts(['add', 'alice', '--stack', DEPLOYED.stack, '--json']);
    expect(run.code, run.err).toBe(EXIT.OK);
    const report = JSON.parse(run.out) as { password: string; jid: string; host: { state: string; instanceId: string; said: string[] } };
    expect(report.password).toMatch(new RegExp(`^[A-Za-z0-9]{${PASSWORD_LENGTH}}$`));
    expect(report.jid).toBe(`alice@${DEPLOYED.domain}`);
    expect(await storedPassword(DEPLOYED, 'alice')).toBe(report.password);
    const tags = await ssm.send(new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: accountParameterName(DEPLOYED.stack, 'alice') }));
    expect(tags.TagList).toEqual(expect.arrayContaining([{ Key: 'jitsi-eu:stack', Value: DEPLOYED.stack }, { Key: 'jitsi-eu:project', Value: 'jitsi-eu' }]));

    expect(run.hosts.runs).toEqual([{ instanceIds: [signalingId], script: `${ACCOUNTS_SCRIPT_PATH} sync`, comment: 'jitsi-eu accounts add alice' }]);
    expect(report.host).toEqual({ state: 'applied', instanceId: signalingId, said: ['host accounts on meet.example.org: alice host', 'added: alice; removed: none'] });
    expect(occurrences(run.out, report.password)).toBe(1);
    expect(run.err).not.toContain(report.password);
  });

  it('add on a terminal prints the password once in words; off a terminal without --json it refuses before storing anything', async () => {
    const run = await accounts(['add', 'bob', '--stack', DEPLOYED.stack], { terminal: true });
    expect(run.code, run.err).toBe(EXIT.OK);
    const password = (await storedPassword(DEPLOYED, 'bob'))!;
    expect(occurrences(run.out, password)).toBe(1);
    expect(run.out).toContain(`password: ${password}`);
    expect(run.out).toContain(`signaling host ${signalingId} applied it`);
    expect(run.err).not.toContain(password);

    await expect(accounts(['add', 'carol', '--stack', DEPLOYED.stack])).rejects.toThrow(/stdout is not one/);
    expect(await storedPassword(DEPLOYED, 'carol')).toBeUndefined();
  });

  it('add of an account that exists: exit 1, the password unchanged', async () => {
    const before = await storedPassword(DEPLOYED, 'alice');
    const run = await accounts(['add', 'alice', '--stack', DEPLOYED.stack, '--json']);
    expect(run.code).toBe(EXIT.FAILED);
    expect(run.out).toBe('');
    expect(run.err).toContain('account alice exists already in stack crew');
    expect(await storedPassword(DEPLOYED, 'alice')).toBe(before);
    expect(run.hosts.runs).toEqual([]);
  });

  it('list: every account with the stack\'s own host account, and no password anywhere', async () => {
    const run = await accounts(['list', '--stack', DEPLOYED.stack, '--json']);
    expect(run.code).toBe(EXIT.OK);
    const listed = JSON.parse(run.out) as { accounts: { name: string; jid: string; stackAccount: boolean; changed?: string }[] };
    expect(listed.accounts.map((a) => [a.name, a.stackAccount])).toEqual([
      ['alice', false],
      ['bob', false],
      ['host', true],
    ]);
    expect(listed.accounts.every((a) => a.changed && !Number.isNaN(Date.parse(a.changed)))).toBe(true);
    const text = await accounts(['list', '--stack', DEPLOYED.stack]);
    expect(text.out).toMatch(/^\s*alice\s+alice@meet\.example\.org/m);
    expect(text.out).toContain("the stack's own account");
    for (const name of ['alice', 'bob']) {
      const password = (await storedPassword(DEPLOYED, name))!;
      expect(run.out + text.out + run.err + text.err).not.toContain(password);
    }
    expect(run.out).not.toContain('stack-host-crew-secret');
    expect(run.hosts.runs).toEqual([]);
  });

  it('reset-password: a new password in SSM, shown once; an unknown account is exit 1', async () => {
    const before = await storedPassword(DEPLOYED, 'alice');
    const run = await accounts(['reset-password', 'alice', '--stack', DEPLOYED.stack, '--json']);
    expect(run.code, run.err).toBe(EXIT.OK);
    const { password } = JSON.parse(run.out) as { password: string };
    expect(password).not.toBe(before);
    expect(await storedPassword(DEPLOYED, 'alice')).toBe(password);
    expect(occurrences(run.out, password)).toBe(1);
    expect(run.err).not.toContain(password);
    expect(run.hosts.runs.map((r) => r.script)).toEqual([`${ACCOUNTS_SCRIPT_PATH} sync`]);

    const unknown = await accounts(['reset-password', 'nobody', '--stack', DEPLOYED.stack, '--json']);
    expect(unknown.code).toBe(EXIT.FAILED);
    expect(unknown.err).toContain('there is no account nobody in stack crew');
    expect(await storedPassword(DEPLOYED, 'nobody')).toBeUndefined();
  });

  it('remove asks first (nothing changes without a yes), then deletes, says the person is signed out for good, and syncs', async () => {
    const refused = accounts(['remove', 'bob', '--stack', DEPLOYED.stack]);
    await expect(refused).rejects.toThrow(UsageError);
    expect(await storedPassword(DEPLOYED, 'bob')).toBeDefined();

    const confirmed = await accounts(['remove', 'bob', '--stack', DEPLOYED.stack], { confirm: true });
    expect(confirmed.code, confirmed.err).toBe(EXIT.OK);
    expect(confirmed.asked).toEqual([expect.stringContaining(`Remove bob@${DEPLOYED.domain} from stack crew?`)]);
    expect(confirmed.out).toContain('bob cannot sign in again');
    expect(await storedPassword(DEPLOYED, 'bob')).toBeUndefined();
    expect(confirmed.hosts.runs).toHaveLength(1);

    const scripted = await accounts(['add', 'dan', '--stack', DEPLOYED.stack, '--json']).then(() => accounts(['remove', 'dan', '--stack', DEPLOYED.stack, '--yes', '--json']));
    expect(scripted.code).toBe(EXIT.OK);
    expect(scripted.asked).toEqual([]);
    expect(JSON.parse(scripted.out)).not.toHaveProperty('password');

    const again = await accounts(['remove', 'bob', '--stack', DEPLOYED.stack, '--yes']);
    expect(again.code).toBe(EXIT.FAILED);
    expect(again.err).toContain('there is no account bob');
  });

  it('a silent host: the change is stored, exit 1, and it says the change applies at the next sync or boot', async () => {
    const run = await accounts(['add', 'erin', '--stack', DEPLOYED.stack, '--json'], {
      answer: () => ({ state: 'no-answer', stdout: '', detail: 'no answer through SSM within 60000 ms' }),
    });
    expect(run.code).toBe(EXIT.FAILED);
    const report = JSON.parse(run.out) as { password: string; host: { state: string; detail: string } };
    expect(await storedPassword(DEPLOYED, 'erin')).toBe(report.password);
    expect(report.host.state).toBe('no-answer');
    expect(report.host.detail).toContain("applies at the host's next accounts sync or boot");
    expect(occurrences(run.out, report.password)).toBe(1);
  });

  it('no running signaling host: stored, exit 0, and it says the change applies when the host boots', async () => {
    const run = await accounts(['add', 'frank', '--stack', IDLE.stack], { spec: IDLE, terminal: true });
    expect(run.code, run.err).toBe(EXIT.OK);
    expect(run.hosts.runs).toEqual([]);
    expect(run.out).toContain('no signaling host is running: the change applies when it boots');
    expect(await storedPassword(IDLE, 'frank')).toBeDefined();
  });

  it('refuses a stack that is not secure (exit 2) before touching AWS', async () => {
    for (const auth of ['jwt', 'anonymous'] as const) {
      const spec = makeSpec({ stack: 'open', auth, region: REGION });
      await expect(accounts(['add', 'grace', '--stack', 'open', '--json'], { spec })).rejects.toThrow(`jitsi-eu:auth: ${auth}: host accounts exist only on secure stacks`);
      expect(await storedPassword(spec, 'grace')).toBeUndefined();
    }
  });
});

describe('npm run accounts -- secret on AWS, against moto_server', () => {
  it('host-password: read from SSM with decryption and shown once (--json, or a terminal); refused into a pipe', async () => {
    const json = await accounts(['secret', 'host-password', '--stack', DEPLOYED.stack, '--json']);
    expect(json.code, json.err).toBe(EXIT.OK);
    expect(JSON.parse(json.out)).toEqual({ stack: DEPLOYED.stack, secret: 'host-password', value: `stack-host-${DEPLOYED.stack}-secret` });
    expect(json.err).not.toContain('secret-');
    expect(json.hosts.runs).toEqual([]);

    const terminal = await accounts(['secret', 'host-password', '--stack', DEPLOYED.stack], { terminal: true });
    expect(terminal.code).toBe(EXIT.OK);
    expect(occurrences(terminal.out, `stack-host-${DEPLOYED.stack}-secret`)).toBe(1);
    expect(terminal.out).toContain('shown this once and kept nowhere on this machine');

    await expect(accounts(['secret', 'host-password', '--stack', DEPLOYED.stack])).rejects.toThrow(/secret shows the secret once, on a terminal; stdout is not one/);
  });

  it('a secret the auth mode does not have, or an unknown name: exit 2 naming the fault', async () => {
    await expect(accounts(['secret', 'jwt-app-secret', '--stack', DEPLOYED.stack, '--json'])).rejects.toThrow(/uses jitsi-eu:auth: secure, so it has no jwt-app-secret[\s\S]*secret host-password/);
    expect(() => parseAccountsArgs(['secret', 'jvb-password', '--stack', 'crew'])).toThrow('unknown secret jvb-password: give one of host-password, jwt-app-secret');
  });
});

describe('npm run accounts: usage', () => {
  it.each([
    [[], 'missing what to do'],
    [['add', 'alice'], 'missing --stack NAME'],
    [['rename', 'alice', '--stack', 'example-production'], 'unknown action rename'],
    [['add', '--stack', 'example-production'], 'missing the account'],
    [['add', 'Alice!', '--stack', 'example-production'], 'is not an account name jitsi-eu accepts'],
    [['remove', 'host', '--stack', 'example-production'], "is the stack's own account"],
    [['list', 'alice', '--stack', 'example-production'], 'list takes no account name'],
    [['add', 'alice', '--stack', 'example-production', '--timeout', '0'], '--timeout 0'],
    [['add', 'alice', '--stack', 'bad name'], '--stack "bad name"'],
  ])('%j: exit 2 naming the fault', (argv, message) => {
    expect(() => parseAccountsArgs(argv)).toThrow(message);
  });

  it('as a user runs it: --help exits 0, usage errors and a non-secure stack exit 2', () => {
    const help = runNpmScript('accounts', ['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: npm run accounts -- list --stack NAME');
    const bad = runNpmScript('accounts', ['add', 'Alice!', '--stack', 'example-production']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('"Alice!" is not an account name');
    // Pulumi.example-scalable.yaml signs hosts in with JWT.
    const jwt = runNpmScript('accounts', ['list', '--stack', 'example-scalable']);
    expect(jwt.code).toBe(2);
    expect(jwt.stderr).toContain('host accounts exist only on secure stacks');
  }, 120_000);
});
