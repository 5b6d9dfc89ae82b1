// The host's cloud layer: the neutral templates name no cloud mechanism; the bundle is the same
// on every cloud apart from the files that name the cloud's own mechanisms; the user data of
// Hetzner Cloud and OpenStack fits the provider's limit and carries the role's configuration.
import { spawnSync } from 'node:child_process';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { CHANNEL_PUBLIC_KEY_PATH, CHANNEL_UNIT, publicKeyLine } from '../../infra/channel.ts';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { HETZNER_USER_DATA_LIMIT, hetznerUserData } from '../../infra/hetzner/user-data.ts';
import { OPENSTACK_USER_DATA_LIMIT, openstackUserData } from '../../infra/openstack/user-data.ts';
import { userDataSize } from '../../infra/render/archive-user-data.ts';
import { renderBundle } from '../../infra/render/bundle.ts';
import { LOCAL_BUNDLE } from '../../infra/render/cloud-init.ts';
import { CHANNEL_FILES } from '../../infra/render/cloud-layer.ts';
import { orderSteps, stepWord, stepsForFile } from '../../infra/render/reload.ts';
import { findLiteralSecrets } from '../../infra/policy/user-data-scan.ts';
import { roleArchive } from '../../infra/render/delivery.ts';
import { TEMPLATES_DIR } from '../../infra/render/engine.ts';
import { hostRoles } from '../../infra/render/roles.ts';
import type { Cloud, DeploymentSpec } from '../../infra/spec/types.ts';
import { loadSpecOrThrow } from '../../scripts/lib/cli.ts';
import { makeSpec } from '../helpers/spec.ts';
import { requireTool, tempDir } from '../helpers/tools.ts';

const PLACES: Record<Cloud, Pick<DeploymentSpec, 'cloud' | 'region' | 'country' | 'regionLabel'>> = {
  aws: { cloud: 'aws', region: 'eu-central-1', country: 'DE', regionLabel: 'Frankfurt, Germany' },
  hetzner: { cloud: 'hetzner', region: 'fsn1', country: 'DE', regionLabel: 'Falkenstein, Germany' },
  openstack: { cloud: 'openstack', region: 'de1', country: 'DE', regionLabel: 'Frankfurt, Germany' },
};
const on = (spec: DeploymentSpec, cloud: Cloud): DeploymentSpec => ({ ...spec, ...PLACES[cloud] });
const channelPublicKey = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
const deployValues = { signalingPrivateIp: '10.0.0.10', channelKey: publicKeyLine(channelPublicKey) };

/** The archive's tar out of the user data's text, decoded by the host's own command (python3). */
function decodeOnHost(text: string): Buffer {
  const python = requireTool('python3');
  const result = spawnSync(python, ['-c', 'import base64,lzma,sys;sys.stdout.buffer.write(lzma.decompress(base64.b85decode(sys.stdin.read().strip())))'], { input: text, maxBuffer: 1 << 26 });
  if (result.status !== 0) throw new Error(`python3 could not decode the archive: ${result.stderr.toString()}`);
  return result.stdout;
}

function templateFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? templateFiles(path) : [path];
  });
}

// An AWS CLI call (`aws ssm ...`, `aws s3 ...`) at the start of a command, after a pipe or `$(`.
const AWS_COMMAND = /(^|[\s;|&(])aws (ssm|s3|s3api|autoscaling|ec2|sts)\b/m;

describe('neutral host templates', () => {
  it('call no AWS command and reach no metadata address outside templates/cloud/', () => {
    const neutral = templateFiles(TEMPLATES_DIR).filter((f) => !relative(TEMPLATES_DIR, f).startsWith('cloud/'));
    expect(neutral.length).toBeGreaterThan(20);
    const offenders = neutral.filter((f) => AWS_COMMAND.test(readFileSync(f, 'utf8')) || readFileSync(f, 'utf8').includes('169.254.169.254'));
    expect(offenders.map((f) => relative(TEMPLATES_DIR, f))).toEqual([]);
  });

  it('leave AWS commands to templates/cloud/aws/ alone', () => {
    const others = templateFiles(join(TEMPLATES_DIR, 'cloud')).filter((f) => !relative(TEMPLATES_DIR, f).startsWith('cloud/aws/'));
    expect(others.length).toBeGreaterThan(3);
    expect(others.filter((f) => AWS_COMMAND.test(readFileSync(f, 'utf8'))).map((f) => relative(TEMPLATES_DIR, f))).toEqual([]);
    expect(templateFiles(join(TEMPLATES_DIR, 'cloud/aws')).some((f) => AWS_COMMAND.test(readFileSync(f, 'utf8')))).toBe(true);
  });

  for (const cloud of ['hetzner', 'openstack'] as const) {
    it(`render for ${cloud} with no SSM agent, no AWS CLI and no AWS command in any host file`, () => {
      const bundle = renderBundle(on(makeSpec({ topology: 'scalable', bridges: { min: 2, max: 2, instanceType: 'ccx33' } as never }), cloud));
      for (const file of bundle.files) {
        expect(AWS_COMMAND.test(file.content), file.path).toBe(false);
        expect(file.content, file.path).not.toMatch(/amazon-ssm-agent|awscli/);
      }
    });
  }
});

describe('the bundle is the same on every cloud', () => {
  // What names a cloud's own mechanisms (and, for the notices, the provider and the place).
  const cloudFiles = (spec: DeploymentSpec) => [
    ...hostRoles(spec).map((role) => `etc/jitsi-eu/cloud-init/${role}.yaml`),
    'usr/local/lib/jitsi-eu/cloud.sh',
  ];
  const examples = ['production', 'scalable', 'sandbox'] as const;
  for (const example of examples) {
    it(`Pulumi.example-${example}.yaml: aws, hetzner and openstack differ only in the cloud's own files`, () => {
      const spec = loadSpecOrThrow(`Pulumi.example-${example}.yaml`).spec;
      const [aws, hetzner, openstack] = (['aws', 'hetzner', 'openstack'] as const).map((cloud) => renderBundle(on(spec, cloud)));
      const byPath = (b: typeof aws) => new Map(b!.files.map((f) => [f.path, f]));
      const a = byPath(aws);
      for (const [name, other] of [['hetzner', hetzner], ['openstack', openstack]] as const) {
        const o = byPath(other);
        const differing = [...new Set([...a.keys(), ...o.keys()])]
          .filter((path) => a.get(path)?.content !== o.get(path)?.content || a.get(path)?.mode !== o.get(path)?.mode)
          .sort();
        // Only on clouds without an object store: the agent and the metadata rule travel in the
        // archive, the signaling node has the operator channel; only with a bridge pool: the
        // signaling node's share of jvb-password on the private network.
        const extra = [
          'usr/local/sbin/jitsi-eu-apply',
          'etc/jitsi-eu/metadata-guard.nft',
          'etc/systemd/system/jitsi-eu-metadata-guard.service',
          ...Object.values(CHANNEL_FILES).map((path) => path.slice(1)),
          ...(spec.topology === 'scalable' ? ['etc/nginx/conf.d/jitsi-eu-bridge-share.conf', 'etc/sysctl.d/60-jitsi-eu-bridge-share.conf'] : []),
        ];
        const notices = differing.filter((p) => p.startsWith('usr/share/jitsi-eu/www/privacy'));
        expect(differing.filter((p) => !notices.includes(p)), name).toEqual([...cloudFiles(spec), ...extra].sort());
        // The privacy notices name the provider as processor and the place: each of them differs.
        expect(notices).toEqual([...a.keys()].filter((p) => p.startsWith('usr/share/jitsi-eu/www/privacy')).sort());
      }
    });
  }
});

describe('user data with the configuration archive (Hetzner Cloud, OpenStack)', () => {
  const examples = ['production', 'scalable', 'sandbox'] as const;
  for (const example of examples) {
    for (const [cloud, make, limit] of [
      ['hetzner', hetznerUserData, HETZNER_USER_DATA_LIMIT],
      ['openstack', openstackUserData, OPENSTACK_USER_DATA_LIMIT],
    ] as const) {
      it(`Pulumi.example-${example}.yaml on ${cloud}: every role fits ${limit.maxBytes} bytes and carries its archive`, () => {
        const spec = on(loadSpecOrThrow(`Pulumi.example-${example}.yaml`).spec, cloud);
        const bundle = renderBundle(spec);
        for (const role of hostRoles(spec)) {
          const text = make(spec, bundle, role, deployValues);
          const size = userDataSize(text, limit);
          process.stderr.write(`user data ${example} ${cloud} ${role}: ${size} bytes of ${limit.maxBytes}\n`);
          expect(size).toBeLessThanOrEqual(limit.maxBytes);
          expect(text.startsWith('#cloud-config\n')).toBe(true);
          const doc = parse(text) as { write_files: { path: string; content: string; encoding?: string }[]; packages: string[] };
          const archive = roleArchive(spec, bundle, role, deployValues);
          // The host turns the text back into the archive's tar, byte for byte, and the pointer names its sha256.
          const written = doc.write_files.find((f) => f.path === LOCAL_BUNDLE.encoded)!;
          const tar = decodeOnHost(written.content);
          expect(tar.equals(gunzipSync(archive.archive))).toBe(true);
          expect(doc.write_files.find((f) => f.path === LOCAL_BUNDLE.pointer)!.content)
            .toBe(`revision=${archive.revision} archive=${LOCAL_BUNDLE.archive} sha256=${createHash('sha256').update(tar).digest('hex')}\n`);
          expect(text).toContain(`# Configuration revision ${archive.revision}`);
          expect(tar.toString('latin1')).toContain('files/usr/local/sbin/jitsi-eu-apply');
          // The channel key, as PEM, on the signaling node only.
          const key = doc.write_files.find((f) => f.path === CHANNEL_PUBLIC_KEY_PATH);
          if (role === 'signaling') expect(key?.content).toBe(channelPublicKey);
          else expect(key).toBeUndefined();
          expect(doc.packages).not.toContain('awscli');
          expect(text).not.toMatch(/@@jitsi-eu-(deploy|bundle):/);
        }
      });
    }
  }

  it('is accepted by `cloud-init schema` for each cloud and role', () => {
    const cloudInit = requireTool('cloud-init');
    const work = tempDir('jitsi-eu-cloud-layer-');
    try {
      const spec = loadSpecOrThrow('Pulumi.example-scalable.yaml').spec;
      for (const [cloud, make] of [['hetzner', hetznerUserData], ['openstack', openstackUserData]] as const) {
        const s = on(spec, cloud);
        const bundle = renderBundle(s);
        for (const role of hostRoles(s)) {
          const path = join(work.path, `${cloud}-${role}.yaml`);
          writeFileSync(path, make(s, bundle, role, deployValues));
          const result = spawnSync(cloudInit, ['schema', '--config-file', path], { encoding: 'utf8' });
          expect(`${result.status} ${result.stdout}${result.stderr}`.trim(), `${cloud} ${role}`).toBe(`0 Valid cloud-config: ${path}`);
        }
      }
    } finally {
      work.remove();
    }
  }, 120_000);

  it('changes with the configuration (a new server) and not otherwise', () => {
    const spec = on(makeSpec(), 'hetzner');
    const once = hetznerUserData(spec, renderBundle(spec), 'signaling', deployValues);
    expect(hetznerUserData(spec, renderBundle(spec), 'signaling', deployValues)).toBe(once);
    const changed = { ...spec, lobby: !spec.lobby };
    expect(hetznerUserData(changed, renderBundle(changed), 'signaling', deployValues)).not.toBe(once);
  });

  it('refuses a bundle rendered for AWS, naming the cloud', () => {
    const spec = makeSpec();
    expect(() => hetznerUserData({ ...spec, ...PLACES.hetzner }, renderBundle(spec), 'signaling', deployValues)).toThrow(/rendered for hetzner/);
  });

  it('refuses user data above the provider\'s limit, naming it', () => {
    const spec = on(makeSpec(), 'hetzner');
    const bundle = renderBundle(spec);
    // Text that gzip cannot shrink much: a page grown by some 20 KB.
    const noise = Array.from({ length: 4000 }, (_, i) => `${(i * 7919) % 10007}`).join(' ');
    const big = { ...bundle, files: bundle.files.map((f) => (f.path.endsWith('privacy.html') ? { ...f, content: f.content + noise } : f)) };
    expect(() => hetznerUserData(spec, big, 'signaling', deployValues)).toThrow(/Hetzner Cloud accepts at most 32768/);
  });

  it('refuses a signaling user data without the channel key, or with something else in its place', () => {
    const spec = on(makeSpec(), 'hetzner');
    const bundle = renderBundle(spec);
    expect(() => hetznerUserData(spec, bundle, 'signaling', { signalingPrivateIp: '10.0.0.10' })).toThrow(/@@jitsi-eu-deploy:channel-key@@/);
    expect(() => hetznerUserData(spec, bundle, 'signaling', { ...deployValues, channelKey: 'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA' })).toThrow(/not an Ed25519 public key line/);
  });
});

describe('the operator channel in the bundle', () => {
  it('is on the signaling node of Hetzner Cloud and OpenStack only', () => {
    const spec = loadSpecOrThrow('Pulumi.example-scalable.yaml').spec;
    const paths = Object.values(CHANNEL_FILES).map((path) => path.slice(1));
    expect(renderBundle(spec).files.filter((f) => paths.includes(f.path))).toEqual([]);
    for (const cloud of ['hetzner', 'openstack'] as const) {
      const files = renderBundle(on(spec, cloud)).files.filter((f) => paths.includes(f.path));
      expect(files.map((f) => f.path).sort()).toEqual([...paths].sort());
      for (const file of files) expect(file.roles, file.path).toEqual(['signaling']);
    }
  });

  it('is never restarted by the host agent: a changed unit reloads systemd only, a changed service file nothing', () => {
    const spec = on(makeSpec(), 'hetzner');
    const files = renderBundle(spec).files.filter((f) => [CHANNEL_FILES.service, CHANNEL_FILES.unit, CHANNEL_FILES.apply].includes(`/${f.path}` as never));
    expect(files).toHaveLength(3);
    const words = orderSteps(files.flatMap((f) => stepsForFile(f))).map(stepWord);
    expect(words).toEqual(['daemon-reload']);
    expect(words.join(' ')).not.toContain(CHANNEL_UNIT);
  });

  it('loads the metadata rule again when its rule or unit changes (it travels in the archive now)', () => {
    const guard = renderBundle(on(makeSpec(), 'hetzner')).files.filter((f) => f.path.includes('metadata-guard'));
    expect(guard.map((f) => stepWord(orderSteps(stepsForFile(f)).at(-1)!))).toEqual(['restart:jitsi-eu-metadata-guard.service', 'restart:jitsi-eu-metadata-guard.service']);
  });
});

describe('the policy\'s user data scan', () => {
  it('still looks inside the configuration archive the user data carries', () => {
    const spec = on(makeSpec(), 'hetzner');
    const bundle = renderBundle(spec);
    expect(findLiteralSecrets(hetznerUserData(spec, bundle, 'signaling', deployValues))).toEqual([]);
    const leaky = { ...bundle, files: bundle.files.map((f) => (f.path.endsWith('jvb.conf') ? { ...f, content: `${f.content}\nadmin_password = "a-literal-value-1234"\n` } : f)) };
    expect(findLiteralSecrets(hetznerUserData(spec, leaky, 'signaling', deployValues)).join('\n')).toMatch(/write_files \/var\/lib\/jitsi-eu\/bundle\/archive\.txt line \d+: admin_password is set to a literal value/);
  });
});
