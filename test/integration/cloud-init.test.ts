// The EC2 user data of every host role, for every spec variant, checked by Debian's own
// cloud-init (`cloud-init schema`), measured as EC2 will receive it (gzipped), and read back to
// prove that it is a bootstrap: the agent, its settings and policy-rc.d, no file of the bundle.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { jitsiMetapackageVersion } from '../../infra/privacy/upstream.ts';
import { ANY_PLACEHOLDER_PATTERN } from '../../infra/placeholders.ts';
import { renderBundle } from '../../infra/render/bundle.ts';
import { USER_DATA_MAX_BYTES, cloudInitPath, userDataGzip } from '../../infra/render/cloud-init.ts';
import { AGENT_CONFIG_PATH, AGENT_PATH, bundlePointerName, configurationPackages } from '../../infra/render/delivery.ts';
import { bootScriptPath } from '../../infra/render/os.ts';
import { hostRoles } from '../../infra/render/roles.ts';
import type { BundleFile, HostRole } from '../../infra/render/types.ts';
import type { DeploymentSpec } from '../../infra/spec/types.ts';
import { makeSpec, specVariants } from '../helpers/spec.ts';
import { requireTool, tempDir } from '../helpers/tools.ts';

const CLOUD_INIT = requireTool('cloud-init');
// The interpreter cloud-init itself runs on (the one that can import it), from its shebang.
const PYTHON = readFileSync(CLOUD_INIT, 'utf8').split('\n', 1)[0]!.replace(/^#!\s*/, '').split(/\s+/)[0]!;
const work = tempDir('jitsi-eu-cloud-init-');
afterAll(() => work.remove());

interface WriteFile {
  path: string;
  content?: string;
  permissions?: string;
  defer?: boolean;
  owner?: string;
}
interface UserData {
  bootcmd: string[][];
  apt: { sources: Record<string, { source: string }>; debconf_selections: Record<string, string>; conf: string };
  packages: string[];
  write_files: WriteFile[];
  runcmd: string[][];
  [key: string]: unknown;
}

const variants: DeploymentSpec[] = [
  ...specVariants(),
  makeSpec({ stack: 'staging-sandbox', tls: 'letsencrypt-staging', sandbox: true, expiresAt: '2030-01-01T00:00:00.000Z' }),
  makeSpec({ stack: 'london', region: 'eu-west-2', residency: 'adequacy', allowNonEuRegion: true }),
  makeSpec({ stack: 'sovereign', region: 'eusc-de-east-1', partition: 'aws-eusc', topology: 'scalable' }),
];
const documents = variants.flatMap((spec) => {
  const bundle = renderBundle(spec);
  return hostRoles(spec).map((role) => {
    const file = bundle.files.find((f) => f.path === cloudInitPath(role));
    if (!file) throw new Error(`${spec.stack}: no user data for ${role}`);
    return { spec, role, bundle, file, doc: parse(file.content) as UserData };
  });
});
const label = (d: { spec: DeploymentSpec; role: HostRole }) => `${d.spec.stack} ${d.role}`;

// Top-level keys cloud-init knows: its schema allows unknown keys, so a typo would pass it silently.
const knownKeys = new Set<string>(
  JSON.parse(
    execFileSync(PYTHON, ['-c', [
      'import json, os, cloudinit.config.schemas as s',
      "schema = json.load(open(os.path.join(os.path.dirname(s.__file__), 'schema-cloud-config-v1.json')))",
      "print(json.dumps(sorted({k for d in schema['$defs'].values() for k in d.get('properties', {})})))",
    ].join('\n')], { encoding: 'utf8' }),
  ) as string[],
);

describe('cloud-init user data', () => {
  it('is accepted by `cloud-init schema` for every role of every variant', () => {
    const distinct = new Map<string, string>();
    for (const d of documents) distinct.set(d.file.content, label(d));
    for (const [content, name] of distinct) {
      const path = join(work.path, `${name.replace(/\W+/g, '-')}.yaml`);
      writeFileSync(path, content);
      const result = spawnSync(CLOUD_INIT, ['schema', '--config-file', path], { encoding: 'utf8' });
      expect(`${result.status} ${result.stdout}${result.stderr}`.trim(), name).toBe(`0 Valid cloud-config: ${path}`);
    }
  }, 120_000);

  it.each(documents.map((d) => [label(d), d] as const))('%s: starts with #cloud-config and uses only keys cloud-init knows', (_, d) => {
    expect(d.file.content.startsWith('#cloud-config\n')).toBe(true);
    expect(knownKeys.size).toBeGreaterThan(50);
    for (const key of Object.keys(d.doc)) expect(knownKeys, key).toContain(key);
  });

  it.each(documents.map((d) => [label(d), d] as const))('%s: fits EC2 gzipped, and the gzip is deterministic', (_, d) => {
    const gz = userDataGzip(d.file.content);
    // On failure, show what each component contributes (gzipped on its own) so it is clear what to trim.
    const byComponent = new Map<string, string>();
    for (const f of d.bundle.files.filter((f: BundleFile) => f.roles.includes(d.role) && f.component !== 'cloud-init')) {
      byComponent.set(f.component, (byComponent.get(f.component) ?? '') + f.content);
    }
    const breakdown = [...byComponent].map(([c, text]) => `${c} ${userDataGzip(text).length}`).join(', ');
    expect(gz.length, `user data ${gz.length} bytes gzipped; components: ${breakdown}`).toBeLessThan(USER_DATA_MAX_BYTES);
    expect(userDataGzip(d.file.content).equals(gz)).toBe(true);
    expect(gz.readUInt32LE(4)).toBe(0); // no timestamp in the gzip header
    expect(gunzipSync(gz).toString('utf8')).toBe(d.file.content);
  });

  it.each(documents.map((d) => [label(d), d] as const))('%s: writes policy-rc.d, the agent and its settings, and no file of the bundle', (_, d) => {
    const entries = d.doc.write_files;
    expect(entries.map((e) => e.path)).toEqual(['/usr/sbin/policy-rc.d', AGENT_CONFIG_PATH, AGENT_PATH]);
    expect(entries.map((e) => e.defer)).toEqual([undefined, undefined, undefined]);
    expect(entries[0]!.content).toMatch(/^exit 101$/m);
    expect(entries[2]!.permissions).toBe('0755');
    expect(entries[2]!.content).toMatch(/^#!\/bin\/bash\n/);
    // The agent's code is the same for every stack and role; its settings name the role's pointer.
    expect(entries[2]!.content).toBe(documents[0]!.doc.write_files[2]!.content);
    expect(entries[1]!.content).toContain(`JITSI_EU_APPLY_ROLE='${d.role}'`);
    expect(entries[1]!.content).toContain(`JITSI_EU_APPLY_POINTER='${bundlePointerName(d.spec.stack, d.role)}'`);
    expect(entries[1]!.content).toContain(`JITSI_EU_APPLY_REGION='${d.spec.region}'`);
    const own = d.bundle.files.filter((f: BundleFile) => f.roles.includes(d.role) && f.component !== 'cloud-init');
    for (const file of own) expect(d.file.content.includes(file.content), file.path).toBe(false);
  });

  it.each(documents.map((d) => [label(d), d] as const))('%s: starts the SSM agent, then runs the host agent (which runs the boot script)', (_, d) => {
    expect(d.doc.runcmd).toEqual([['systemctl', 'start', '--no-block', 'amazon-ssm-agent.service'], [AGENT_PATH]]);
    expect(d.doc.write_files[2]!.content).toContain('"$BOOT_DIR/boot-$JITSI_EU_APPLY_ROLE.sh"');
  });

  it.each(documents.map((d) => [label(d), d] as const))('%s: holds no secret and no placeholder', (_, d) => {
    const text = d.file.content;
    expect(text).not.toMatch(new RegExp(ANY_PLACEHOLDER_PATTERN.source));
    // Every line that assigns something secret-like assigns a shell variable or a template value
    // (the agent's code, the same for every stack, holds patterns, not values).
    const agent = d.doc.write_files[2]!.content!;
    const settings = parse(text.replace(/^#cloud-config\n/, '')) as UserData;
    const rest = JSON.stringify({ ...settings, write_files: settings.write_files.filter((w) => w.content !== agent) }, null, 1);
    expect(rest).not.toContain('@@jitsi-eu-');
    const assignment = /(password|passwd|secret)["']?\s*[:=]\s*["']?([^"'\s,;]+)/gi;
    for (const line of rest.split('\n')) {
      if (/^\s*(#|\/\/|--)/.test(line)) continue;
      for (const match of line.matchAll(assignment)) {
        expect(match[2], line).toMatch(/^(\$|\{\{)|^(true|false|none|nil|null|\d+)$/i);
      }
    }
  });

  it.each(documents.map((d) => [label(d), d] as const))('%s: installs the pinned Jitsi release from Jitsi\'s repository only', (_, d) => {
    const meta = `jitsi-meet=${jitsiMetapackageVersion(d.spec.jitsiVersion)}`;
    const sources = Object.values(d.doc.apt.sources).map((s) => s.source);
    expect(sources).toEqual(['deb [signed-by=/etc/apt/keyrings/jitsi.asc] https://download.jitsi.org stable/']);
    const fetchKey = d.doc.bootcmd.flat().join(' ');
    expect(fetchKey).toContain('-o /etc/apt/keyrings/jitsi.asc https://download.jitsi.org/jitsi-key.gpg.key');
    expect(fetchKey).toContain("--proto '=https'");
    expect(d.doc.apt.conf).toContain('APT::Install-Recommends "false";');
    const debconf = Object.values(d.doc.apt.debconf_selections).join('\n');
    expect(debconf).toContain(`jitsi-videobridge/jvb-hostname string ${d.spec.domain}`);
    if (d.role === 'signaling') {
      expect(d.doc.packages).toContain(meta);
      expect(d.doc.packages).toEqual(expect.arrayContaining(['nginx', 'prosody', 'certbot', 'awscli']));
      // Packages the configuration asks for come with the bundle, so switching them never changes the user data.
      for (const p of ['coturn', 'lua-luaossl', 'lua-inspect']) expect(d.doc.packages).not.toContain(p);
      expect(configurationPackages(d.spec, 'signaling').includes('coturn')).toBe(d.spec.turn);
      expect(configurationPackages(d.spec, 'signaling').includes('lua-luaossl')).toBe(d.spec.auth === 'jwt');
      expect(debconf).toContain('jitsi-meet/jaas-choice boolean false');
      expect(debconf).toContain('jitsi-meet/cert-choice select Generate a new self-signed certificate');
    } else {
      // A bridge derives its videobridge version from the same metapackage at boot.
      expect(d.doc.packages.some((p) => p.startsWith('jitsi-'))).toBe(false);
      expect(d.doc.packages).toContain('awscli');
      const boot = d.bundle.files.find((f) => `/${f.path}` === bootScriptPath('bridge'))!.content;
      expect(boot).toContain(`JITSI_EU_JITSI_META_VERSION='${jitsiMetapackageVersion(d.spec.jitsiVersion)}'`);
    }
  });
});

describe('policy-rc.d', () => {
  it('is a script that denies every service start (exit 101) until the boot script removes it', () => {
    const doc = documents[0]!;
    const entry = doc.doc.write_files.find((w) => w.path === '/usr/sbin/policy-rc.d')!;
    const path = join(work.path, 'policy-rc.d');
    writeFileSync(path, entry.content!, { mode: Number.parseInt(entry.permissions!, 8) });
    const result = spawnSync(path, ['nginx', 'start'], { encoding: 'utf8' });
    expect(result.status).toBe(101);
    const lib = doc.bundle.files.find((f) => f.path.endsWith('/lib.sh'))!.content;
    expect(lib).toContain("JITSI_EU_POLICY_RC_D='/usr/sbin/policy-rc.d'");
    expect(lib).toContain('rm -f -- "$JITSI_EU_POLICY_RC_D"');
    expect(readFileSync(path, 'utf8')).toBe(entry.content);
  });
});

describe('first boot order', () => {
  // Debian's own cloud-init configuration decides when each user-data key runs.
  const modules = parse(readFileSync('/etc/cloud/cloud.cfg', 'utf8')) as Record<string, string[]>;
  const order = ['cloud_init_modules', 'cloud_config_modules', 'cloud_final_modules'].flatMap((stage) => modules[stage] ?? []);
  const at = (module: string) => {
    const index = order.indexOf(module);
    expect(index, module).toBeGreaterThanOrEqual(0);
    return index;
  };

  it("runs bootcmd before the packages are installed, and the boot script after the deployment's files", () => {
    expect(at('bootcmd')).toBeLessThan(at('package-update-upgrade-install'));
    expect(at('package-update-upgrade-install')).toBeLessThan(at('write-files-deferred'));
    expect(at('write-files-deferred')).toBeLessThan(at('scripts-user'));
  });

  it.each(documents.map((d) => [label(d), d] as const))('%s: masks the Jitsi services in bootcmd, and the boot script unmasks the ones the role runs', (_, d) => {
    const masks = d.doc.bootcmd.filter((command) => command.includes('mask'));
    const units = d.role === 'bridge' ? ['jitsi-videobridge2.service'] : ['jicofo.service', 'jitsi-videobridge2.service'];
    expect(masks).toEqual([['cloud-init-per', 'instance', 'jitsi-eu-mask', 'systemctl', 'mask', ...units]]);
    // The videobridge of a scalable signaling node stays masked: media runs on the pool.
    const runs = d.role === 'signaling' && d.spec.topology === 'scalable' ? ['jicofo.service'] : units;
    const boot = d.bundle.files.find((f) => `/${f.path}` === bootScriptPath(d.role))!.content;
    expect(boot).toContain(`MASKED_AT_INSTALL=(${runs.join(' ')})`);
    expect(boot).toContain('allow_service_starts "${MASKED_AT_INSTALL[@]}"');
    expect(d.doc.bootcmd[0]![2]).toBe('jitsi-eu-ssm-agent');
  });
});

describe('SSM agent', () => {
  const DNS_SUFFIX: Record<string, string> = { aws: 'amazonaws.com', 'aws-eusc': 'amazonaws.eu' };
  const SH = requireTool('sh');

  function installAgent(d: (typeof documents)[number], options: { arch: string; curlFails?: boolean }) {
    const [, , name, shell, flag, script] = d.doc.bootcmd[0]!;
    expect([name, shell, flag]).toEqual(['jitsi-eu-ssm-agent', 'sh', '-c']);
    const dir = join(work.path, `agent-${label(d).replace(/\W+/g, '-')}-${options.arch}-${options.curlFails ? 'fail' : 'ok'}`);
    const bin = join(dir, 'bin');
    const tmp = join(dir, 'tmp');
    mkdirSync(bin, { recursive: true });
    mkdirSync(tmp);
    const log = join(dir, 'calls');
    const fake = (tool: string, body: string) => {
      writeFileSync(join(bin, tool), `#!/bin/bash\nprintf '${tool} %s\\n' "$*" >> '${log}'\n${body}\n`);
      chmodSync(join(bin, tool), 0o755);
    };
    fake('curl', options.curlFails ? 'exit 7' : 'while (($#)); do [[ $1 == -o ]] && printf deb > "$2"; shift; done');
    fake('dpkg', `[[ $1 == --print-architecture ]] && echo ${options.arch}; [[ $1 == -i ]] && [[ $(cat "$2") == deb ]]`);
    fake('systemctl', 'exit 0');
    fake('sleep', 'exit 0');
    const result = spawnSync(SH, ['-c', script!], { encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, TMPDIR: tmp } });
    return { result, calls: readFileSync(log, 'utf8').trim().split('\n'), tmpLeft: readdirSync(tmp) };
  }

  const byPartition = ['aws', 'aws-eusc'].map((partition) => documents.find((d) => d.spec.partition === partition && d.role === 'signaling')!);

  it.each(byPartition.flatMap((d) => ['amd64', 'arm64'].map((arch) => [`${label(d)} ${arch}`, d, arch] as const)))(
    '%s: downloads the agent for the host architecture from the region bucket over HTTPS, installs, enables and starts it',
    (_, d, arch) => {
      const { result, calls, tmpLeft } = installAgent(d, { arch });
      expect(result.status, result.stderr).toBe(0);
      const { region, partition } = d.spec;
      const url = `https://s3.${region}.${DNS_SUFFIX[partition]}/amazon-ssm-${region}/latest/debian_${arch}/amazon-ssm-agent.deb`;
      const curl = calls.filter((c) => c.startsWith('curl '));
      expect(curl).toHaveLength(1);
      expect(curl[0]!.endsWith(` ${url}`)).toBe(true);
      expect(curl[0]).toContain('--proto =https');
      expect(calls.filter((c) => c.startsWith('dpkg -i '))).toHaveLength(1);
      expect(calls.filter((c) => c.startsWith('systemctl '))).toEqual(['systemctl enable amazon-ssm-agent.service']);
      expect(tmpLeft).toEqual([]);
    },
  );

  it('gives up after a bounded number of attempts, and says so', () => {
    const { result, calls, tmpLeft } = installAgent(byPartition[0]!, { arch: 'amd64', curlFails: true });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('the SSM agent could not be installed');
    expect(calls.filter((c) => c.startsWith('curl '))).toHaveLength(5);
    expect(calls.filter((c) => c.startsWith('sleep '))).toHaveLength(4);
    expect(calls.some((c) => c.startsWith('dpkg -i') || c.startsWith('systemctl'))).toBe(false);
    expect(tmpLeft).toEqual([]);
  });

  it('is installed on every host of every variant', () => {
    for (const d of documents) {
      expect(d.doc.bootcmd[0]!.slice(0, 5), label(d)).toEqual(['cloud-init-per', 'instance', 'jitsi-eu-ssm-agent', 'sh', '-c']);
      expect(d.doc.bootcmd[0]![5], label(d)).toContain(`amazon-ssm-${d.spec.region}/latest/debian_`);
    }
  });
});
