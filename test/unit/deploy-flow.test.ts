import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TIMEOUTS, deployStack, type DeployFlowOptions, type Probes } from '../../scripts/deploy/flow.ts';
import { deployMain, type DeployDeps } from '../../scripts/deploy/main.ts';
import { deploySummary } from '../../scripts/deploy/report.ts';
import { UsageError } from '../../scripts/lib/cli.ts';
import { loadVerifyRunner, type VerifyReport } from '../../scripts/deploy/verify.ts';
import { MemoryWorkspace } from '../fixtures/fake-pulumi/memory-workspace.ts';
import { PASSING_PROBES } from '../fixtures/fake-pulumi/memory-deps.ts';
import { RESOURCES as R, policyViolation } from '../fixtures/fake-pulumi/preview-events.ts';
import { makeSpec } from '../helpers/spec.ts';
import { writeOwnNamesStack } from '../helpers/own-names-stack.ts';

const spec = makeSpec({ stack: 'prod', domain: 'meet.example.org', dnsZone: 'example.org' });
const report = (verdict: 'pass' | 'fail'): VerifyReport => ({
  url: 'https://meet.example.org',
  verdict,
  checks: [
    { id: 'hsts', title: 'HSTS header', status: 'PASS', detail: 'max-age=63072000' },
    { id: 'third-party', title: 'no third-party hosts', status: verdict === 'pass' ? 'PASS' : 'FAIL', detail: verdict === 'pass' ? 'none' : 'gravatar.com requested' },
  ],
  durationMs: 10,
});

function options(overrides: Partial<DeployFlowOptions> = {}): DeployFlowOptions & { messages: string[] } {
  const messages: string[] = [];
  return {
    messages,
    progress: (m) => messages.push(m),
    onOutput: () => {},
    wait: true,
    timeouts: { dnsMs: 1_000, httpsMs: 1_000, readyMs: 1_000, verifyMs: 1_000 },
    intervalMs: 1,
    verify: { run: async () => report('pass') },
    probes: PASSING_PROBES,
    ...overrides,
  };
}

describe('deployStack', () => {
  it('creates the stack on first deploy, runs up, waits in order, then verifies', async () => {
    const ws = new MemoryWorkspace();
    ws.outputsFor = () => ({
      url: { value: 'https://meet.example.org', secret: false },
      publicIp: { value: '192.0.2.10', secret: false },
      hostAccountParameter: { value: '/jitsi-eu/prod/host-password', secret: false },
      jvbPassword: { value: 'hunter2', secret: true },
    });
    const order: string[] = [];
    const probes: Probes = {
      dns: async (host, ip) => (order.push(`dns ${host} ${ip}`), { ok: true, detail: 'ok' }),
      https: async (host, ip) => (order.push(`https ${host} ${ip}`), { ok: true, detail: 'ok' }),
      ready: async (host, ip, insecure) => (order.push(`ready ${host} ${ip} ${insecure}`), { ok: true, detail: 'ok' }),
    };
    const requests: unknown[] = [];
    const outcome = await deployStack(ws, spec, options({ probes, verify: { run: async ({ progress: _p, ...r }) => (requests.push(r), report('pass')) } }));
    expect(outcome.ok).toBe(true);
    expect(outcome.stackAction).toBe('created');
    expect(ws.opsFor('prod')).toEqual(['createOrSelectStack', 'up']);
    expect(order).toEqual(['dns meet.example.org 192.0.2.10', 'https meet.example.org 192.0.2.10', 'ready meet.example.org 192.0.2.10 false']);
    expect(requests).toEqual([{ url: 'https://meet.example.org', spec, host: 'meet.example.org', ip: '192.0.2.10', timeoutMs: 1_000 }]);
    // Secret outputs never reach what is printed.
    expect(outcome.outputs.jvbPassword).toBe('[secret]');
    expect(JSON.stringify(outcome)).not.toContain('hunter2');
    expect(outcome.deployed.hostAccountParameter).toBe('/jitsi-eu/prod/host-password');
  });

  it('selects an existing stack instead of creating it', async () => {
    const ws = new MemoryWorkspace();
    ws.seed('prod', undefined, { resources: 12 });
    const outcome = await deployStack(ws, spec, options());
    expect(outcome.stackAction).toBe('selected');
  });

  it('accepts the staging certificate for the ready wait of a staging deployment', async () => {
    const seen: boolean[] = [];
    const probes = { ...PASSING_PROBES, ready: async (_h: string, _i: string, insecure: boolean) => (seen.push(insecure), { ok: true, detail: 'ok' }) };
    await deployStack(new MemoryWorkspace(), makeSpec({ tls: 'letsencrypt-staging' }), options({ probes }));
    expect(seen).toEqual([true]);
  });

  it('fails with the verification verdict and names the failed checks', async () => {
    const outcome = await deployStack(new MemoryWorkspace(), spec, options({ verify: { run: async () => report('fail') } }));
    expect(outcome.ok).toBe(false);
    expect(outcome.failure).toBe('the live verification failed: third-party');
    expect(outcome.verify?.verdict).toBe('fail');
  });

  it('stops at the first wait that times out and does not verify', async () => {
    let verified = false;
    const probes = { ...PASSING_PROBES, https: async () => ({ ok: false, detail: 'connection refused (nginx not running yet)' }) };
    const outcome = await deployStack(new MemoryWorkspace(), spec, options({ probes, verify: { run: async () => ((verified = true), report('pass')) } }));
    expect(outcome.ok).toBe(false);
    expect(outcome.failure).toMatch(/^HTTPS on meet\.example\.org: gave up after .*connection refused/);
    expect(outcome.waits.map((w) => [w.id, w.ok])).toEqual([['dns', true], ['https', false]]);
    expect(verified).toBe(false);
  });

  it('stops at once when the host reports a failed boot, names the step and says where to look', async () => {
    const ws = new MemoryWorkspace();
    ws.outputsFor = () => ({
      publicIp: { value: '192.0.2.10', secret: false },
      region: { value: 'eu-north-1', secret: false },
      signalingInstanceId: { value: 'i-0abc123def4567890', secret: false },
      ssmShellCommand: { value: 'aws ssm start-session --target i-0abc123def4567890 --region eu-north-1', secret: false },
    });
    let readyCalls = 0;
    let verified = false;
    const probes = { ...PASSING_PROBES, ready: async () => (readyCalls++, { ok: false, final: true, detail: "the host's boot failed at step acme" }) };
    // The ready wait may take 30 minutes; a failed boot must not use any of them.
    const timeouts = { ...DEFAULT_TIMEOUTS };
    const outcome = await deployStack(ws, spec, options({ probes, timeouts, intervalMs: 60_000, verify: { run: async () => ((verified = true), report('pass')) } }));
    expect(readyCalls).toBe(1);
    expect(verified).toBe(false);
    expect(outcome.ok).toBe(false);
    expect(outcome.failure).toMatch(/^ready endpoint \/_jitsi-eu\/ready: the host's boot failed at step acme/);
    expect(outcome.waits.map((w) => [w.id, w.ok, w.final ?? false])).toEqual([['dns', true, false], ['https', true, false], ['ready', false, true]]);
    expect(outcome.hints).toEqual([
      'the boot output so far: aws ec2 get-console-output --instance-id i-0abc123def4567890 --latest --region eu-north-1 --output text',
      'the full boot log is /var/log/cloud-init-output.log on the host; open a shell there with: aws ssm start-session --target i-0abc123def4567890 --region eu-north-1',
    ]);
    const text = deploySummary(outcome);
    expect(text).toMatch(/waited\s+dns 0m, https 0m, ready failed/);
    expect(text).toContain('where to look next:\n    the boot output so far: aws ec2 get-console-output --instance-id i-0abc123def4567890 --latest --region eu-north-1 --output text');
  });

  it('says where to look when a wait times out, from the stack outputs (or the spec and tags, for an older program)', async () => {
    const ws = new MemoryWorkspace();
    ws.outputsFor = () => ({ publicIp: { value: '192.0.2.10', secret: false }, signalingInstanceId: { value: 'i-0fed', secret: false } });
    const probes = { ...PASSING_PROBES, https: async () => ({ ok: false, detail: 'connection refused (nginx not running yet)' }) };
    const outcome = await deployStack(ws, makeSpec({ stack: 'prod', region: 'eu-west-3' }), options({ probes, timeouts: { dnsMs: 50, httpsMs: 50, readyMs: 50, verifyMs: 50 } }));
    expect(outcome.failure).toMatch(/gave up after/);
    expect(outcome.hints).toEqual([
      'the boot output so far: aws ec2 get-console-output --instance-id i-0fed --latest --region eu-west-3 --output text',
      'the full boot log is /var/log/cloud-init-output.log on the host; open a shell there with: aws ssm start-session --target i-0fed --region eu-west-3',
    ]);
    expect(deploySummary(outcome)).toMatch(/https timed out/);

    const dnsLate = await deployStack(new MemoryWorkspace(), spec, options({ probes: { ...PASSING_PROBES, dns: async () => ({ ok: false, detail: 'no A record yet' }) }, timeouts: { dnsMs: 20, httpsMs: 20, readyMs: 20, verifyMs: 20 } }));
    expect(dnsLate.hints).toEqual([
      'the boot output so far: aws ec2 get-console-output --instance-id <instance-id> --latest --region eu-central-1 --output text',
      'the full boot log is /var/log/cloud-init-output.log on the host; open a shell there with: aws ssm start-session --target <instance-id> --region eu-central-1',
      '<instance-id>: the signaling instance tagged jitsi-eu:stack=prod in eu-central-1 (EC2 console, or aws ec2 describe-instances)',
    ]);
  });

  it('gives no hints when everything came up', async () => {
    const outcome = await deployStack(new MemoryWorkspace(), spec, options());
    expect(outcome.ok).toBe(true);
    expect(outcome.hints).toBeUndefined();
    expect(deploySummary(outcome)).not.toMatch(/where to look/);
  });

  it('reports a failed pulumi up and goes no further', async () => {
    const ws = new MemoryWorkspace();
    ws.failOn('prod', 'up');
    const outcome = await deployStack(ws, spec, options());
    expect(outcome).toMatchObject({ ok: false, failure: expect.stringMatching(/^pulumi up failed for prod: up of prod failed/), waits: [] });
  });

  it('runs up with the stack\'s policy settings; a mandatory violation (as in sandbox create, which has no preview) ends it with the policy\'s message', async () => {
    const ws = new MemoryWorkspace();
    const london = makeSpec({ stack: 'prod', region: 'eu-west-2', residency: 'adequacy', allowNonEuRegion: true });
    expect((await deployStack(ws, london, options({ wait: false }))).ok).toBe(true);
    expect(ws.policyRuns).toEqual([{ op: 'up', stack: 'prod', policy: { allowNonEuRegion: true } }]);
    ws.violations = [policyViolation('no-public-admin-ports', 'port 22 is open to 0.0.0.0/0', R.signalingSg).policyEvent!];
    const outcome = await deployStack(ws, spec, options());
    expect(outcome).toMatchObject({ ok: false, waits: [] });
    expect(outcome.failure).toBe(
      'pulumi up failed for prod: the policy pack refused stack prod:\n[mandatory] no-public-admin-ports: port 22 is open to 0.0.0.0/0 (signaling-sg, aws:ec2/securityGroup:SecurityGroup)',
    );
  });

  it('does not pass a deployment it could not verify', async () => {
    const outcome = await deployStack(new MemoryWorkspace(), spec, options({ verify: { missing: 'the live verification could not be loaded: nope' } }));
    expect(outcome.ok).toBe(false);
    expect(outcome.failure).toMatch(/deployed, but not verified/);
  });

  it('tells the operator which record to create when jitsi-eu manages no DNS zone', async () => {
    const o = options();
    await deployStack(new MemoryWorkspace(), makeSpec({ domain: 'meet.example.org' }), o);
    expect(o.messages.join('\n')).toMatch(/create the DNS record meet\.example\.org\. A 192\.0\.2\.10/);
  });

  it('with wait off, stops after up and says how to verify later', async () => {
    const outcome = await deployStack(new MemoryWorkspace(), spec, options({ wait: false }));
    expect(outcome).toMatchObject({ ok: true, waits: [], verifySkipped: expect.stringMatching(/npm run verify/) });
  });

  it('waits at most the default bounds: nothing unbounded', () => {
    for (const ms of Object.values(DEFAULT_TIMEOUTS)) expect(ms).toBeGreaterThan(0);
    expect(Math.max(...Object.values(DEFAULT_TIMEOUTS))).toBeLessThanOrEqual(60 * 60_000);
  });
});

describe('deploySummary', () => {
  it('prints a host-account command that gives the password alone, in the region of the stack', async () => {
    const ws = new MemoryWorkspace();
    ws.outputsFor = () => ({
      publicIp: { value: '192.0.2.10', secret: false },
      region: { value: 'eu-south-1', secret: false },
      hostAccountParameter: { value: '/jitsi-eu/prod/host-password', secret: false },
    });
    const outcome = await deployStack(ws, spec, options());
    const line = deploySummary(outcome).split('\n').find((l) => l.trim().startsWith('host account'));
    expect(line?.replace(/^\s*host account\s+/, '')).toBe('aws ssm get-parameter --name /jitsi-eu/prod/host-password --with-decryption --region eu-south-1 --query Parameter.Value --output text');
  });

  it('takes the region from the spec when the outputs have none', async () => {
    const ws = new MemoryWorkspace();
    ws.outputsFor = () => ({ publicIp: { value: '192.0.2.10', secret: false }, hostAccountParameter: { value: '/jitsi-eu/prod/host-password', secret: false } });
    const outcome = await deployStack(ws, makeSpec({ stack: 'prod', region: 'eu-west-1' }), options());
    expect(deploySummary(outcome)).toContain('--with-decryption --region eu-west-1 --query Parameter.Value --output text');
  });
});

describe('the live verification wired into deploy', () => {
  it('loads runVerify and hands it the spec and the pinned address: a host that answers nothing fails', async () => {
    const loaded = await loadVerifyRunner();
    expect('run' in loaded).toBe(true);
    if (!('run' in loaded)) return;
    const messages: string[] = [];
    // Nothing listens on 127.0.0.2, so the run must end with "unreachable", never with a pass.
    const result = await loaded.run({ url: 'https://meet.example.org', spec, host: 'meet.example.org', ip: '127.0.0.2', timeoutMs: 10_000, progress: (m) => messages.push(m) });
    expect(result.verdict).toBe('fail');
    expect(result.unreachable).toMatch(/meet\.example\.org \(127\.0\.0\.2\) cannot be reached/);
  });
});

describe('deployMain', () => {
  // deploy refuses the examples' own names (example.org); these tests deploy a copy with real-looking ones.
  let removeStack = () => {};
  beforeAll(() => {
    removeStack = writeOwnNamesStack('production', 'own-production');
  });
  afterAll(() => removeStack());
  const deps = (overrides: Partial<DeployDeps> = {}): DeployDeps & { stdout: string[]; opened: boolean[] } => {
    const stdout: string[] = [];
    const opened: boolean[] = [];
    const ws = new MemoryWorkspace();
    ws.outputsFor = () => ({ url: { value: 'https://meet.example.org', secret: false }, publicIp: { value: '192.0.2.10', secret: false } });
    return {
      stdout,
      opened,
      openWorkspace: async () => (opened.push(true), ws),
      requireCredentials: async () => {},
      loadVerify: async () => ({ run: async () => report('pass') }),
      probes: PASSING_PROBES,
      intervalMs: 1,
      out: (t) => stdout.push(t),
      progress: () => {},
      onOutput: () => {},
      interactive: () => false,
      ask: async () => {
        throw new Error('nobody should be asked');
      },
      ...overrides,
    };
  };

  it('deploys an example stack and prints JSON with exit 0', async () => {
    const d = deps();
    expect(await deployMain(['--stack', 'own-production', '--json'], d)).toBe(0);
    const outcome = JSON.parse(d.stdout.join(''));
    expect(outcome).toMatchObject({ stack: 'own-production', ok: true, url: 'https://meet.example.org' });
  });

  it('exits 1 when the verification fails', async () => {
    const d = deps({ loadVerify: async () => ({ run: async () => report('fail') }) });
    expect(await deployMain(['--stack', 'own-production'], d)).toBe(1);
    expect(d.stdout.join('')).toMatch(/✗ own-production: the live verification failed/);
  });

  it('refuses bad input before touching Pulumi', async () => {
    const d = deps();
    await expect(deployMain([], d)).rejects.toThrow(/missing --stack NAME/);
    await expect(deployMain(['--stack', 'does-not-exist'], d)).rejects.toThrow(/Pulumi\.does-not-exist\.yaml does not exist/);
    await expect(deployMain(['--stack', 'example-production', '--wait-timeout', 'later'], d)).rejects.toThrow(UsageError);
    await expect(deployMain(['prod'], d)).rejects.toThrow(/unexpected argument prod/);
    expect(d.opened).toEqual([]);
  });

  it('exits 1 at once when the host reports a failed boot, naming the step and where to look', async () => {
    const d = deps({ probes: { ...PASSING_PROBES, ready: async () => ({ ok: false, final: true, detail: "the host's boot failed at step acme" }) } });
    expect(await deployMain(['--stack', 'own-production'], d)).toBe(1);
    const text = d.stdout.join('');
    expect(text).toMatch(/✗ own-production: ready endpoint \/_jitsi-eu\/ready: the host's boot failed at step acme/);
    expect(text).toMatch(/aws ec2 get-console-output --instance-id .* --latest --region eu-west-3 --output text/);
    expect(text).toContain('/var/log/cloud-init-output.log');
  });

  it('refuses --config with where the stack file must be (exit 2), before touching Pulumi', async () => {
    const d = deps();
    for (const args of [['--config', 'Pulumi.example-production.yaml'], ['--config=/tmp/Pulumi.x.yaml'], ['--stack', 'x', '--config']]) {
      const refused = deployMain(args, d);
      await expect(refused).rejects.toThrow(UsageError);
      await expect(refused).rejects.toThrow(/^deploy needs the stack file as Pulumi\.NAME\.yaml next to Pulumi\.yaml \(Pulumi reads it there\): use --stack NAME$/m);
    }
    await expect(deployMain(['--config', 'Pulumi.example-production.yaml'], d)).rejects.toThrow(/Pulumi\.example-production\.yaml is already there: use --stack example-production/);
    await expect(deployMain(['--config', '/tmp/Pulumi.x.yaml'], d)).rejects.toThrow(/cp \/tmp\/Pulumi\.x\.yaml \/\S+\/Pulumi\.x\.yaml, then use --stack x/);
    expect(d.opened).toEqual([]);
  });

  it('stops with the credentials error before pulumi up', async () => {
    const d = deps({ requireCredentials: async () => Promise.reject(new UsageError('no AWS credentials were found.')) });
    await expect(deployMain(['--stack', 'example-production'], d)).rejects.toThrow(/no AWS credentials/);
  });
});
