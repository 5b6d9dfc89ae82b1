// npm run upgrade (and deploy's recording of the image) against moto_server, which holds Debian's
// published images (loaded as Debian's account publishes them), and the stub Pulumi CLI
// (test/fixtures/fake-pulumi). The stack file is a person's, with comments; hosts answer through
// a stand-in command channel that runs status's real probe script; the clock is a fake one.
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { AutoScalingClient, CreateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { CreateLaunchTemplateCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PROJECT_DIR, stackFileFor } from '../../infra/spec/index.ts';
import { deployMain } from '../../scripts/deploy/main.ts';
import { UsageError } from '../../scripts/lib/cli.ts';
import type { HostAnswer, HostCommands, RunOptions } from '../../scripts/lib/host-commands.ts';
import { awsImageSource } from '../../scripts/lib/stack-images.ts';
import { openPulumiWorkspace } from '../../scripts/lib/workspace.ts';
import type { UpgradeDeps } from '../../scripts/upgrade/deps.ts';
import { upgradeMain } from '../../scripts/upgrade/main.ts';
import { PASSING_PROBES, memoryDeps } from '../fixtures/fake-pulumi/memory-deps.ts';
import { RESOURCES as R, previewRun, replace, update } from '../fixtures/fake-pulumi/preview-events.ts';
import { startMoto, type Moto } from '../helpers/moto.ts';
import { RECORDED, RecordedHostCommands } from '../helpers/recorded-hosts.ts';
import { tempDir } from '../helpers/tools.ts';

const STUB_BIN = resolve(PROJECT_DIR, 'test/fixtures/fake-pulumi/bin');
const PASSPHRASE = 'stub-test-passphrase';
const DEBIAN = '136693071363';
const DOMAIN = 'meet.jitsi-eu-selftest.eu';
const INSTANCE = 'i-0123456789abcdef0';
const OLD = 'ami-0deb12a0000000001';
const NEW = 'ami-0deb12a0000000002';
const ARM = 'ami-0deb12b0000000002';

// No creation_date: moto 5 parses it once per region from a shared list and fails the second
// time, so every image is published "now" there and the names (which carry Debian's build date)
// decide which is newest, as they do between images of the same day on AWS.
const image = (id: string, name: string, architecture: string, owner = DEBIAN) => ({
  ami_id: id,
  name,
  description: name,
  owner_id: owner,
  public: true,
  virtualization_type: 'hvm',
  architecture,
  state: 'available',
  image_type: 'machine',
  hypervisor: 'xen',
  root_device_name: '/dev/xvda',
  root_device_type: 'ebs',
  sriov: 'simple',
});
/** What Debian's account publishes in every region here, plus images the lookup must pass over. */
const IMAGES = [
  image(OLD, 'debian-12-amd64-20261001-1000', 'x86_64'),
  image(NEW, 'debian-12-amd64-20261201-1200', 'x86_64'),
  image('ami-0deb12b0000000001', 'debian-12-arm64-20261001-1000', 'arm64'),
  image(ARM, 'debian-12-arm64-20261201-1200', 'arm64'),
  image('ami-0deb13a0000000001', 'debian-13-amd64-20261215-1300', 'x86_64'),
  image('ami-0e1se00000000001', 'debian-12-amd64-20261220-custom', 'x86_64', '111122223333'),
];

const STACK_TEXT = `# The university's meetings. Edited by hand: keep these notes.
config:
  aws:region: eu-central-1
  jitsi-eu:domain: ${DOMAIN} # our own name
  jitsi-eu:acmeEmail: ops@jitsi-eu-selftest.eu
  jitsi-eu:organization: Selftest University
  jitsi-eu:privacyContact: dpo@jitsi-eu-selftest.eu
  jitsi-eu:topology: scalable
  jitsi-eu:bridges:
    min: 1
    max: 3
    instanceType: c6i.xlarge # sized for 200 people
  # Recorded by the first deploy.
  jitsi-eu:amiId: ${OLD} # debian-12-amd64-20261001
`;

/** The day moto published every image (see above), in expected texts; `matching` makes it a pattern. */
const DAY = '@DAY@';
const matching = (text: string) => new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replaceAll(DAY, '\\d{4}-\\d{2}-\\d{2}'));
let moto: Moto;
let ec2: EC2Client;
const savedEnv: Record<string, string | undefined> = {};
let dir: ReturnType<typeof tempDir>;
let project: string;
let state: string;
let log: string;

beforeAll(async () => {
  const amis = tempDir();
  const amisFile = join(amis.path, 'amis.json');
  writeFileSync(amisFile, JSON.stringify(IMAGES));
  process.env.MOTO_AMIS_PATH = amisFile;
  try {
    moto = await startMoto();
  } finally {
    delete process.env.MOTO_AMIS_PATH;
  }
  // The commands' AWS clients read the usual environment.
  for (const [key, value] of Object.entries(moto.env)) {
    savedEnv[key] = process.env[key];
    process.env[key] = value;
  }
  ec2 = new EC2Client({ region: 'eu-central-1', endpoint: moto.endpoint });
}, 60_000);

afterAll(async () => {
  ec2?.destroy();
  for (const [key, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  await moto?.stop();
});

const baseEnv = () => ({ PATH: `${STUB_BIN}:${dirname(process.execPath)}:/usr/bin:/bin`, PULUMI_BACKEND_URL: `file://${state}`, PULUMI_CONFIG_PASSPHRASE: PASSPHRASE });
const ops = () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { args: string[] }).args[0]!) : []);
const openStub = () => openPulumiWorkspace({ projectDir: project, env: baseEnv(), home: dir.path });

/** A deployed stack in the stub's state; the preview and the update then report `events`. */
async function deployedStack(stack: string, events: unknown[], outputs: Record<string, unknown> = { url: `https://${DOMAIN}/`, publicIp: '192.0.2.10', signalingInstanceId: INSTANCE }) {
  const ws = await openStub();
  await ws.createStack(stack);
  process.env.FAKE_PULUMI_OUTPUTS = JSON.stringify(outputs);
  await ws.up(stack, () => {}, { allowNonEuRegion: false });
  const eventsFile = join(dir.path, 'events.json');
  writeFileSync(eventsFile, JSON.stringify(events));
  process.env.FAKE_PULUMI_EVENTS = eventsFile;
  writeFileSync(log, '');
}

beforeEach(() => {
  chmodSync(join(STUB_BIN, 'pulumi'), 0o755);
  dir = tempDir();
  project = join(dir.path, 'project');
  state = join(dir.path, 'state');
  mkdirSync(project);
  mkdirSync(state);
  copyFileSync(join(PROJECT_DIR, 'Pulumi.yaml'), join(project, 'Pulumi.yaml'));
  log = join(dir.path, 'calls.jsonl');
  process.env.FAKE_PULUMI_LOG = log;
  for (const key of ['FAKE_PULUMI_OUTPUTS', 'FAKE_PULUMI_EVENTS', 'FAKE_PULUMI_FAIL']) delete process.env[key];
});

afterEach(() => {
  for (const key of ['FAKE_PULUMI_LOG', 'FAKE_PULUMI_OUTPUTS', 'FAKE_PULUMI_EVENTS']) delete process.env[key];
  dir.remove();
});

/** The signaling host's answers: jicofo's conference count, one entry per question (the last repeats). */
class MeetingCounts implements HostCommands {
  asked = 0;
  constructor(private readonly counts: number[]) {}
  async run(ids: readonly string[], script: string, options: RunOptions): Promise<Map<string, HostAnswer>> {
    const n = this.counts[Math.min(this.asked++, this.counts.length - 1)]!;
    const host = { dpkg: RECORDED.signalingDpkg('10710'), jicofoStats: RECORDED.jicofoStats(n, n * 4, 2) };
    return new RecordedHostCommands(new Map([[INSTANCE, host]]), DOMAIN).run(ids, script, options);
  }
}

function upgradeDeps(stack: string, hosts?: HostCommands) {
  const start = Date.parse('2026-12-06T12:00:00Z');
  const seen = { out: [] as string[], messages: [] as string[], atPreview: [] as string[], sleeps: [] as number[], now: start };
  const file = stackFileFor(stack, project);
  const deps: UpgradeDeps = {
    openWorkspace: openStub,
    requireCredentials: async () => {},
    out: (text) => void seen.out.push(text),
    progress: (message) => {
      seen.messages.push(message);
      // What Pulumi reads when it previews.
      if (message.startsWith('previewing')) seen.atPreview.push(readFileSync(file, 'utf8'));
    },
    onOutput: () => {},
    loadVerify: async () => ({ run: async (request) => ({ url: request.url, verdict: 'pass', checks: [], durationMs: 1 }) }),
    probes: PASSING_PROBES,
    intervalMs: 1,
    interactive: () => false,
    ask: async () => '',
    imageSource: awsImageSource,
    hosts: async () => {
      if (!hosts) throw new Error('this test asks no host');
      return hosts;
    },
    clock: {
      now: () => seen.now,
      sleep: async (ms) => {
        seen.sleeps.push(ms);
        seen.now += ms;
      },
    },
    idlePollMs: 60_000,
    projectDir: project,
  };
  return { deps, seen, file, text: () => seen.out.join('') };
}

const NEW_IMAGE_EVENTS = previewRun(
  [...replace(R.signalingInstance, { ami: 'update-replace' }, { deleteBeforeReplace: true }), update(R.bridgeTemplate, { imageId: 'update' }), update(R.bridgeGroup, { 'launchTemplate.version': 'update' })],
  { replace: 1, update: 2, same: 27 },
).events;

describe('npm run upgrade --image latest', () => {
  it('writes the newest Debian 12 image into the stack file, comments and order kept, previews it, and applies it', async () => {
    await deployedStack('campus', NEW_IMAGE_EVENTS);
    const { deps, seen, file, text } = upgradeDeps('campus');
    writeFileSync(file, STACK_TEXT);
    expect(await upgradeMain(['--stack', 'campus', '--image', 'latest', '--yes'], deps)).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(STACK_TEXT.replace(OLD, NEW));
    expect(seen.atPreview).toEqual([STACK_TEXT.replace(OLD, NEW)]);
    expect(text()).toMatch(matching(`jitsi-eu:amiId: ${OLD} (debian-12-amd64-20261001-1000, published ${DAY}) → ${NEW} (debian-12-amd64-20261201-1200, published ${DAY})`));
    expect(text()).toContain(`The new host gets the Debian image ${NEW} (from ${OLD}).`);
    expect(text()).toContain(`Bridges move to the Debian image ${NEW} (from ${OLD}): meetings move to new bridges only when they end`);
    expect(text()).toContain('The update starts right after confirmation: meetings in progress end; about 10 minutes without service.');
    expect(text()).toContain('✓ campus deployed and verified');
    expect(ops().filter((op) => op === 'preview' || op === 'up')).toEqual(['preview', 'up']);
  });

  it('--preview-only says the same and writes nothing', async () => {
    await deployedStack('campus', NEW_IMAGE_EVENTS);
    const { deps, seen, file, text } = upgradeDeps('campus');
    writeFileSync(file, STACK_TEXT);
    expect(await upgradeMain(['--stack', 'campus', '--image', 'latest', '--preview-only'], deps)).toBe(0);
    expect(seen.atPreview).toEqual([STACK_TEXT.replace(OLD, NEW)]);
    expect(text()).toMatch(matching(`→ ${NEW} (debian-12-amd64-20261201-1200, published ${DAY})`));
    expect(readFileSync(file, 'utf8')).toBe(STACK_TEXT);
    expect(ops()).not.toContain('up');
  });

  it('without --yes and without a terminal: exit 2 after the preview, and the stack file as before', async () => {
    await deployedStack('campus', NEW_IMAGE_EVENTS);
    const { deps, file } = upgradeDeps('campus');
    writeFileSync(file, STACK_TEXT);
    await expect(upgradeMain(['--stack', 'campus', '--image', 'latest'], deps)).rejects.toThrow(/needs a confirmation[\s\S]*--yes/);
    expect(readFileSync(file, 'utf8')).toBe(STACK_TEXT);
    expect(ops()).not.toContain('up');
  });

  it('Graviton bridges: a new bridge type of the other architecture records the newest arm64 image for them, not the x86 one they run', async () => {
    // The bridge group as deployed: its launch template boots the x86 image.
    const template = await ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: 'campus-bridges', LaunchTemplateData: { ImageId: OLD, InstanceType: 'c6i.xlarge' } }));
    const autoscaling = new AutoScalingClient({ region: 'eu-central-1', endpoint: moto.endpoint });
    await autoscaling.send(new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: 'campus-bridges',
      MinSize: 0,
      MaxSize: 3,
      AvailabilityZones: ['eu-central-1a'],
      LaunchTemplate: { LaunchTemplateId: template.LaunchTemplate!.LaunchTemplateId!, Version: '1' },
    }));
    autoscaling.destroy();
    await deployedStack('campus', previewRun([update(R.bridgeTemplate, { imageId: 'update', instanceType: 'update' })], { update: 1, same: 29 }).events, {
      url: `https://${DOMAIN}/`,
      publicIp: '192.0.2.10',
      signalingInstanceId: INSTANCE,
      bridgeAsgName: 'campus-bridges',
    });
    const { deps, file, text } = upgradeDeps('campus');
    writeFileSync(file, STACK_TEXT);
    expect(await upgradeMain(['--stack', 'campus', '--bridge-instance-type', 'c7g.2xlarge', '--yes'], deps)).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(
      STACK_TEXT.replace('instanceType: c6i.xlarge # sized', 'instanceType: c7g.2xlarge # sized') + `  jitsi-eu:bridgeAmiId: ${ARM}\n`,
    );
    expect(text()).toMatch(matching(`jitsi-eu:bridgeAmiId: ${ARM} (debian-12-arm64-20261201-1200, published ${DAY})`));
    expect(text()).toContain('The signaling host keeps running: the update starts right after confirmation.');
  });
});

describe('--json and a stack not deployed', () => {
  it('--preview-only --json: one JSON object with the new values, the images and the preview', async () => {
    await deployedStack('campus', NEW_IMAGE_EVENTS);
    const { deps, file, text } = upgradeDeps('campus');
    writeFileSync(file, STACK_TEXT);
    expect(await upgradeMain(['--stack', 'campus', '--image', 'latest', '--preview-only', '--json'], deps)).toBe(0);
    const shown = JSON.parse(text()) as { values: Record<string, string>; images: { key: string; image: { id: string }; previous: { id: string } }[]; preview: { impact: { kind: string }[] } };
    expect(shown.values).toEqual({ 'jitsi-eu:amiId': NEW });
    expect(shown.images).toEqual([expect.objectContaining({ key: 'jitsi-eu:amiId', image: expect.objectContaining({ id: NEW }), previous: expect.objectContaining({ id: OLD }) })]);
    expect(shown.preview.impact.map((i) => i.kind)).toEqual(['signaling-replaced', 'bridges-rolled']);
    expect(readFileSync(file, 'utf8')).toBe(STACK_TEXT);
  });

  it('a stack that was never deployed: exit 2, pointing at deploy', async () => {
    const ws = await openStub();
    await ws.createStack('campus');
    const { deps, file } = upgradeDeps('campus');
    writeFileSync(file, STACK_TEXT);
    await expect(upgradeMain(['--stack', 'campus', '--image', 'latest', '--yes'], deps)).rejects.toThrow(/campus is not deployed[\s\S]*npm run deploy -- --stack campus/);
    expect(readFileSync(file, 'utf8')).toBe(STACK_TEXT);
  });
});

describe('npm run upgrade --jitsi', () => {
  it('moves a stack on an older release to the checked one: the value in place, both roles named', async () => {
    const older = STACK_TEXT.replace('  jitsi-eu:topology: scalable\n', '  jitsi-eu:topology: scalable\n  jitsi-eu:jitsiVersion: "10655" # the release we started with\n');
    await deployedStack('campus', previewRun([...replace(R.signalingInstance, { userDataBase64: 'update-replace' }, { deleteBeforeReplace: true }), update(R.bridgeTemplate, { userData: 'update' })], { replace: 1, update: 1, same: 28 }).events);
    const { deps, file, text } = upgradeDeps('campus');
    writeFileSync(file, older);
    expect(await upgradeMain(['--stack', 'campus', '--jitsi', '10710', '--yes'], deps)).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(older.replace('"10655" # the release', '"10710" # the release'));
    expect(text()).toContain('Jitsi release 10655 → 10710 (package jitsi-meet 2.0.10710-1) on every host');
    expect(text()).toContain('The new host gets Jitsi release 10710 (from 10655).');
    expect(text()).toContain('Bridges move to Jitsi release 10710 (from 10655): meetings move to new bridges only when they end');
  });
});

describe('refusals (exit 2, nothing written, nothing previewed)', () => {
  const refused = async (args: string[], message: RegExp) => {
    await deployedStack('campus', NEW_IMAGE_EVENTS);
    const { deps, file } = upgradeDeps('campus');
    writeFileSync(file, STACK_TEXT);
    const run = upgradeMain(['--stack', 'campus', ...args, '--yes'], deps);
    await expect(run).rejects.toBeInstanceOf(UsageError);
    await expect(run).rejects.toThrow(message);
    expect(readFileSync(file, 'utf8')).toBe(STACK_TEXT);
    expect(ops()).not.toContain('preview');
  };

  it('a Jitsi release jitsi-eu has not checked, listing the allowed ones', () => refused(['--jitsi', '10655'], /--jitsi 10655 is not a release jitsi-eu has checked[\s\S]*Allowed: 10710/));
  it('an instance type jitsi-eu does not know, with the sizes it has', () => refused(['--instance-type', 'c6i.huge'], /--instance-type "c6i.huge" is not an instance type jitsi-eu knows: .*c6i comes in/));
  it('an image that is neither latest nor an AMI id', () => refused(['--image', 'newest'], /neither latest nor an AMI id/));
  it('an image EC2 does not know in the region', () => refused(['--image', 'ami-0fffffffffffffff0'], /not an image EC2 knows in eu-central-1/));
  it('an image of the wrong architecture', () => refused(['--image', ARM], /is for arm64; campus needs x86_64/));
  it('nothing asked', () => refused([], /nothing to upgrade/));
});

describe('--when-idle and --at', () => {
  it('waits while the signaling host reports 2, then 1 meeting, and upgrades once it reports none', async () => {
    await deployedStack('campus', NEW_IMAGE_EVENTS);
    const hosts = new MeetingCounts([2, 1, 0]);
    const { deps, seen, file } = upgradeDeps('campus', hosts);
    writeFileSync(file, STACK_TEXT);
    expect(await upgradeMain(['--stack', 'campus', '--image', 'latest', '--when-idle', '--yes'], deps)).toBe(0);
    expect(hosts.asked).toBe(3);
    expect(seen.sleeps).toEqual([60_000, 60_000]);
    expect(seen.messages).toEqual(expect.arrayContaining([
      '2 meetings still running on the signaling host; waiting (2h left of --max-wait)',
      '1 meeting still running on the signaling host; waiting (1h 59m left of --max-wait)',
      'the signaling host has no meeting now',
    ]));
    expect(readFileSync(file, 'utf8')).toBe(STACK_TEXT.replace(OLD, NEW));
    expect(ops()).toContain('up');
  });

  it('stops at --max-wait while meetings go on: exit 1, how many, nothing changed', async () => {
    await deployedStack('campus', NEW_IMAGE_EVENTS);
    const hosts = new MeetingCounts([3]);
    const { deps, seen, file, text } = upgradeDeps('campus', hosts);
    writeFileSync(file, STACK_TEXT);
    expect(await upgradeMain(['--stack', 'campus', '--image', 'latest', '--when-idle', '--max-wait', '10m', '--yes'], deps)).toBe(1);
    expect(seen.sleeps.reduce((a, b) => a + b, 0)).toBe(10 * 60_000);
    expect(text()).toContain('✗ campus: after 10m (--max-wait) 3 meetings were still running: nothing was changed, Pulumi.campus.yaml is as before.');
    expect(readFileSync(file, 'utf8')).toBe(STACK_TEXT);
    expect(ops()).not.toContain('up');
  });

  it('--at waits for that time, then upgrades', async () => {
    await deployedStack('campus', NEW_IMAGE_EVENTS);
    const { deps, seen, file } = upgradeDeps('campus');
    writeFileSync(file, STACK_TEXT);
    expect(await upgradeMain(['--stack', 'campus', '--image', 'latest', '--at', '2026-12-06T13:30:00Z', '--yes'], deps)).toBe(0);
    expect(seen.sleeps.reduce((a, b) => a + b, 0)).toBe(90 * 60_000);
    expect(seen.now).toBe(Date.parse('2026-12-06T13:30:00Z'));
    expect(ops().filter((op) => op === 'preview' || op === 'up')).toEqual(['preview', 'up']);
  });
});

describe('deploy records the image of a stack that has none', () => {
  // deploy reads stack files where Pulumi does, next to Pulumi.yaml (git-ignored there).
  const stack = 'own-imagerecord';
  const checkoutFile = stackFileFor(stack);
  const unpinned = STACK_TEXT.split('\n').filter((l) => !l.includes('jitsi-eu:amiId') && !l.includes('Recorded by')).join('\n');
  afterAll(() => rmSync(checkoutFile, { force: true }));

  const deployDeps = () => ({ ...memoryDeps(), openWorkspace: openStub, imageSource: awsImageSource, interactive: () => false, ask: async () => '' });

  it('a new stack: the newest image, announced in the preview; --preview-only keeps nothing', async () => {
    writeFileSync(checkoutFile, unpinned);
    const ws = await openStub();
    await ws.createStack(stack);
    const d = deployDeps();
    expect(await deployMain(['--stack', stack, '--preview-only'], d)).toBe(0);
    expect(d.stdout.join('')).toMatch(matching(`jitsi-eu:amiId is recorded in Pulumi.${stack}.yaml as ${NEW} (debian-12-amd64-20261201-1200, published ${DAY}), the newest Debian 12 image, for the signaling node and the bridges.`));
    expect(readFileSync(checkoutFile, 'utf8')).toBe(unpinned);
  });

  it('kept once the deploy goes ahead, with the file\'s comments; a later deploy leaves it although a newer image exists', async () => {
    writeFileSync(checkoutFile, unpinned);
    const ws = await openStub();
    await ws.createStack(stack);
    process.env.FAKE_PULUMI_OUTPUTS = JSON.stringify({ url: `https://${DOMAIN}/`, publicIp: '192.0.2.10' });
    expect(await deployMain(['--stack', stack, '--yes'], deployDeps())).toBe(0);
    expect(readFileSync(checkoutFile, 'utf8')).toBe(`${unpinned}  jitsi-eu:amiId: ${NEW}\n`);
    // Pinned to the older image, the next deploy keeps it.
    writeFileSync(checkoutFile, STACK_TEXT);
    const d = deployDeps();
    expect(await deployMain(['--stack', stack, '--yes'], d)).toBe(0);
    expect(readFileSync(checkoutFile, 'utf8')).toBe(STACK_TEXT);
    expect(d.stdout.join('')).not.toContain('Debian image:');
  });

  it('a stack deployed before images were recorded keeps the image its signaling host runs', async () => {
    const launched = await ec2.send(new RunInstancesCommand({ ImageId: OLD, MinCount: 1, MaxCount: 1, InstanceType: 'c6i.xlarge' }));
    const instanceId = launched.Instances![0]!.InstanceId!;
    writeFileSync(checkoutFile, unpinned);
    await deployedStack(stack, previewRun([], { same: 30 }).events, { url: `https://${DOMAIN}/`, publicIp: '192.0.2.10', signalingInstanceId: instanceId });
    const d = deployDeps();
    expect(await deployMain(['--stack', stack, '--preview-only'], d)).toBe(0);
    expect(d.stdout.join('')).toMatch(matching(`jitsi-eu:amiId is recorded in Pulumi.${stack}.yaml as ${OLD} (debian-12-amd64-20261001-1000, published ${DAY}): the image the signaling node and the bridges run now, so recording it replaces nothing.`));
  });
});
