// The whole bundle for every spec variant (whatever the component renderers produce), the OS
// files and the boot scripts. The scripts are not just read: they run under bash against fake
// `curl` (instance metadata, videobridge REST), `aws` (SSM, Auto Scaling), `apt-cache`,
// `systemctl` and `prosodyctl` placed first on PATH, so what they do with secrets is observed.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, lstatSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { privacyProfile } from '../../infra/privacy/profile.ts';
import { ANY_PLACEHOLDER_PATTERN, BOOT_VALUES, applyDeployValues } from '../../infra/placeholders.ts';
import { renderBundle } from '../../infra/render/bundle.ts';
import { secretsForRole } from '../../infra/render/os.ts';
import { BOOT_DIR } from '../../infra/render/paths.ts';
import { hostRoles, rolesFor } from '../../infra/render/roles.ts';
import type { Bundle, BundleComponent, BundleFile, HostRole } from '../../infra/render/types.ts';
import { DRAIN_HOOK_NAME } from '../../infra/lifecycle.ts';
import { SECRET_NAMES, secretPlaceholder, ssmPrefix } from '../../infra/secrets.ts';
import type { DeploymentSpec } from '../../infra/spec/types.ts';
import { makeSpec, specVariants } from '../helpers/spec.ts';
import { requireTool, tempDir } from '../helpers/tools.ts';

const BASH = requireTool('bash');
const SHELLCHECK = requireTool('shellcheck');

const COMPONENTS: BundleComponent[] = [
  'web-config', 'interface-config', 'prosody', 'prosody-plugin', 'jicofo', 'jvb', 'nginx', 'coturn', 'os', 'cloud-init', 'privacy-notice',
];

const variants = specVariants();
const bundles = variants.map((spec) => ({ spec, bundle: renderBundle(spec) }));
const temps: { remove: () => void }[] = [];
afterAll(() => temps.forEach((t) => t.remove()));

function fileAt(bundle: Bundle, path: string): BundleFile {
  const file = bundle.files.find((f) => f.path === path);
  if (!file) throw new Error(`bundle has no ${path}`);
  return file;
}

/** Writes the given bundle files under a fresh directory, with their modes. */
function materialise(files: BundleFile[]): string {
  const dir = tempDir('jitsi-eu-bundle-');
  temps.push(dir);
  for (const f of files) {
    const path = join(dir.path, f.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, f.content);
    chmodSync(path, Number.parseInt(f.mode, 8));
  }
  return dir.path;
}

/** A directory of executable fakes, to put first on PATH. */
function fakeBin(scripts: Record<string, string>): string {
  const dir = tempDir('jitsi-eu-fakes-');
  temps.push(dir);
  for (const [name, body] of Object.entries(scripts)) {
    const path = join(dir.path, name);
    writeFileSync(path, `#!/bin/bash\n${body}\n`);
    chmodSync(path, 0o755);
  }
  return dir.path;
}

function runBash(script: string, args: string[], env: Record<string, string>, bin: string) {
  return spawnSync(BASH, ['-c', script, 'test', ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env, PATH: `${bin}:${process.env.PATH}` },
    timeout: 20_000,
  });
}

const scriptsOf = (bundle: Bundle) => bundle.files.filter((f) => f.path.endsWith('.sh'));

describe('bundle shape, for every variant', () => {
  it.each(bundles.map((b) => [b.spec.stack, b] as const))('%s: relative unique sorted paths, octal modes, known components and roles', (_, { spec, bundle }) => {
    const paths = bundle.files.map((f) => f.path);
    expect(paths.length).toBeGreaterThan(10);
    expect(new Set(paths).size).toBe(paths.length);
    expect([...paths].sort()).toEqual(paths);
    for (const f of bundle.files) {
      expect(f.path, f.path).not.toMatch(/^\/|(^|\/)\.\.(\/|$)/);
      expect(f.mode, f.path).toMatch(/^0[0-7]{3}$/);
      expect(COMPONENTS, f.path).toContain(f.component);
      expect(f.roles.length, f.path).toBeGreaterThan(0);
      for (const role of f.roles) expect(hostRoles(spec), f.path).toContain(role);
    }
  });

  it('renders byte-identical bundles twice', () => {
    for (const { spec, bundle } of bundles.slice(0, 6)) expect(renderBundle(spec)).toEqual(bundle);
  });

  it('carries only known placeholders, and only secrets the variant has', () => {
    const known = new Set<string>([...SECRET_NAMES.map(secretPlaceholder), ...Object.values(BOOT_VALUES), '@@jitsi-eu-deploy:signaling-private-ip@@']);
    for (const { spec, bundle } of bundles) {
      const found = new Set(bundle.files.flatMap((f) => f.content.match(new RegExp(ANY_PLACEHOLDER_PATTERN.source, 'g')) ?? []));
      for (const token of found) expect(known, `${spec.stack}: ${token}`).toContain(token);
      if (!spec.turn) expect(found.has(secretPlaceholder('turn-secret')), spec.stack).toBe(false);
      if (spec.auth !== 'jwt') expect(found.has(secretPlaceholder('jwt-app-secret')), spec.stack).toBe(false);
    }
  });
});

describe('OS files', () => {
  const logrotateRule = (content: string) => ({
    rotate: Number(/^\s*rotate (\d+)$/m.exec(content)?.[1]),
    maxage: Number(/^\s*maxage (\d+)$/m.exec(content)?.[1]),
    daily: /^\s*daily$/m.test(content),
  });

  it.each(bundles.map((b) => [b.spec.stack, b] as const))('%s: every service log of a role is rotated daily and kept at most 7 days', (_, { spec, bundle }) => {
    const retention = privacyProfile(spec).settings.find((s) => s.id === 'os-logrotate')!.value;
    expect(retention).toBeLessThanOrEqual(7);
    // Debian package rule names: ours must replace them, or logrotate skips both.
    const expected: [string, HostRole[]][] = [
      ['etc/logrotate.d/nginx', rolesFor(spec, 'web')],
      ['etc/logrotate.d/prosody', rolesFor(spec, 'prosody')],
      ['etc/logrotate.d/jicofo', rolesFor(spec, 'jicofo')],
      ['etc/logrotate.d/jitsi-videobridge', rolesFor(spec, 'jvb')],
      ...(spec.turn ? [['etc/logrotate.d/coturn', rolesFor(spec, 'coturn')] as [string, HostRole[]]] : []),
    ];
    const rules = bundle.files.filter((f) => f.path.startsWith('etc/logrotate.d/'));
    expect(rules.map((f) => f.path).sort()).toEqual(expected.map(([p]) => p).sort());
    for (const [path, roles] of expected) {
      const file = fileAt(bundle, path);
      expect(file.roles, path).toEqual(roles);
      expect(logrotateRule(file.content), path).toEqual({ rotate: retention, maxage: retention, daily: true });
    }
    const journald = fileAt(bundle, 'etc/systemd/journald.conf.d/60-jitsi-eu.conf').content;
    expect(journald).toMatch(new RegExp(`^MaxRetentionSec=${retention}day$`, 'm'));
    expect(journald).toMatch(/^MaxFileSec=1day$/m);
  });

  it('tunes UDP buffers where the videobridge runs and raises jicofo and videobridge limits', () => {
    for (const { spec, bundle } of bundles) {
      const sysctl = fileAt(bundle, 'etc/sysctl.d/60-jitsi-eu-jvb.conf');
      expect(sysctl.roles).toEqual(rolesFor(spec, 'jvb'));
      // Values of jitsi-videobridge's own 20-jvb-udp-buffers.conf.
      expect(sysctl.content).toMatch(/^net\.core\.rmem_max=10485760$/m);
      expect(sysctl.content).toMatch(/^net\.core\.netdev_max_backlog=100000$/m);
      for (const [unit, service] of [['jitsi-videobridge2', 'jvb'], ['jicofo', 'jicofo']] as const) {
        const dropIn = fileAt(bundle, `etc/systemd/system/${unit}.service.d/60-jitsi-eu-limits.conf`);
        expect(dropIn.roles).toEqual(rolesFor(spec, service));
        expect(dropIn.content).toMatch(/^\[Service\]$/m);
        expect(dropIn.content).toMatch(/^LimitNOFILE=65000$/m);
      }
    }
  });

  it('turns on daily unattended security upgrades on every host, without automatic reboots', () => {
    for (const { spec, bundle } of bundles) {
      const auto = fileAt(bundle, 'etc/apt/apt.conf.d/20auto-upgrades');
      const extra = fileAt(bundle, 'etc/apt/apt.conf.d/52jitsi-eu-unattended-upgrades');
      expect(auto.roles).toEqual(hostRoles(spec));
      expect(auto.content).toMatch(/^APT::Periodic::Unattended-Upgrade "1";$/m);
      expect(auto.content).toMatch(/^APT::Periodic::Update-Package-Lists "1";$/m);
      expect(extra.content).toMatch(/^Unattended-Upgrade::Automatic-Reboot "false";$/m);
    }
  });

  it('reads every OS privacy setting from the profile', () => {
    for (const { spec, bundle } of bundles) {
      const osIds = privacyProfile(spec).settings.filter((s) => s.component === 'os').map((s) => s.id);
      expect(osIds.length).toBeGreaterThan(0);
      for (const id of osIds) expect(bundle.usedSettings, `${spec.stack}: ${id}`).toContain(id);
    }
  });
});

describe('boot scripts', () => {
  it('pass bash -n and shellcheck in every variant, and carry no placeholder themselves', () => {
    // Variants differ in their scripts only by branch (topology, TURN, auth) once the stack name
    // is set aside: check each distinct shape once, all in one shellcheck run.
    const shapes = new Map<string, BundleFile[]>();
    for (const { spec, bundle } of bundles) {
      const scripts = scriptsOf(bundle);
      expect(scripts.map((s) => s.path)).toContain(`${BOOT_DIR.slice(1)}/lib.sh`);
      shapes.set(scripts.map((s) => s.content.split(spec.stack).join('STACK')).join('\0'), scripts);
    }
    expect(shapes.size).toBeGreaterThan(3);
    const paths: string[] = [];
    for (const scripts of shapes.values()) {
      const root = materialise(scripts);
      for (const script of scripts) {
        expect(script.content, script.path).toMatch(/^#!\/bin\/bash\n/);
        expect(script.content, script.path).not.toMatch(new RegExp(ANY_PLACEHOLDER_PATTERN.source));
        const path = join(root, script.path);
        execFileSync(BASH, ['-n', path]);
        paths.push(path);
      }
    }
    const result = spawnSync(SHELLCHECK, ['--external-sources', '--source-path=SCRIPTDIR', '--severity=style', ...paths], { encoding: 'utf8' });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  }, 120_000);

  const secrets: Record<string, string> = {
    'focus-password': 'F0cus&pa\\ss/"q\'$HOME`x`',
    'jvb-password': 'jvb-S3cret-a1b2c3d4e5f6',
    'turn-secret': 'turn&&secret\\\\n%s',
    'host-password': 'h0st pass with spaces',
    'jwt-app-secret': 'jwt-*-?-[a]-secret',
  };
  const metadata: Record<string, string> = {
    'local-ipv4': '10.0.3.7',
    'public-ipv4': '198.51.100.23',
    'instance-id': 'i-0123456789abcdef0',
  };
  const imdsFake = (extra = '') => `
url="\${@: -1}"
case "$url" in
  */latest/api/token) printf 'fake-token' ;;
${Object.entries(metadata).map(([k, v]) => `  */latest/meta-data/${k}) printf '%s' '${v}' ;;`).join('\n')}
${extra}
  *) exit 22 ;;
esac`;

  function ssmFake(stack: string, values: Record<string, string>): string {
    const listing = Object.entries(values)
      .map(([name, value]) => `${ssmPrefix(stack)}${name}\t${value}`)
      .join('\n');
    const dir = tempDir('jitsi-eu-ssm-');
    temps.push(dir);
    const file = join(dir.path, 'listing');
    writeFileSync(file, `${listing}\n`);
    return `[[ "$1 $2" == "ssm get-parameters-by-path" ]] || exit 3\ncat '${file}'`;
  }

  function fillPlaceholders(spec: DeploymentSpec, role: HostRole, values: Record<string, string>) {
    const bundle = renderBundle(spec);
    const scripts = scriptsOf(bundle);
    const root = materialise(scripts);
    // The deploy fills its own values into the user data before the host ever boots.
    const targets = bundle.files
      .filter((f) => f.roles.includes(role) && f.component !== 'cloud-init' && new RegExp(ANY_PLACEHOLDER_PATTERN.source).test(f.content))
      .map((f) => ({ ...f, content: applyDeployValues(f.content, { signalingPrivateIp: '10.0.1.10' }) }));
    const targetRoot = materialise(targets);
    const needed = secretsForRole(spec, role);
    const bin = fakeBin({ curl: imdsFake(), aws: ssmFake(spec.stack, values) });
    const result = runBash(
      `set -euo pipefail; source '${join(root, BOOT_DIR.slice(1), 'lib.sh')}'; load_secrets ${needed.join(' ')}; fill_placeholders "$@"`,
      targets.map((t) => join(targetRoot, t.path)),
      { JITSI_EU_RETRY_SECONDS: '0' },
      bin,
    );
    return { result, targets, targetRoot };
  }

  it.each([
    ['single node', makeSpec({ topology: 'single', auth: 'secure', turn: true })],
    ['scalable, jwt, no TURN', makeSpec({ topology: 'scalable', auth: 'jwt', turn: false, lobby: true })],
  ])('%s: fills every placeholder from fake IMDS and SSM, keeps modes, prints no secret', (_, spec) => {
    for (const role of hostRoles(spec)) {
      const values = Object.fromEntries(secretsForRole(spec, role).map((name) => [name, secrets[name]!]));
      const { result, targets, targetRoot } = fillPlaceholders(spec, role, values);
      expect(result.status, `${role}: ${result.stderr}`).toBe(0);
      expect(targets.length, role).toBeGreaterThan(0);
      for (const target of targets) {
        let expected = target.content;
        for (const [name, value] of Object.entries(values)) expected = expected.split(secretPlaceholder(name as never)).join(value);
        for (const token of Object.values(BOOT_VALUES)) {
          expected = expected.split(token).join(metadata[token.replace(/^@@jitsi-eu-boot:(.*)@@$/, '$1')]!);
        }
        const path = join(targetRoot, target.path);
        expect(readFileSync(path, 'utf8'), target.path).toBe(expected);
        expect((statSync(path).mode & 0o777).toString(8).padStart(4, '0'), target.path).toBe(target.mode);
      }
      const output = result.stdout + result.stderr;
      for (const value of Object.values(values)) expect(output).not.toContain(value);
    }
  });

  it('stops with the parameter name, never a value, when a secret is missing', () => {
    const spec = makeSpec({ auth: 'secure', turn: true });
    const values = { 'jvb-password': secrets['jvb-password']!, 'turn-secret': secrets['turn-secret']! };
    const bundle = renderBundle(spec);
    const root = materialise(scriptsOf(bundle));
    const bin = fakeBin({ curl: imdsFake(), aws: ssmFake(spec.stack, values) });
    const result = runBash(
      `set -euo pipefail; source '${join(root, BOOT_DIR.slice(1), 'lib.sh')}'; load_secrets jvb-password focus-password turn-secret`,
      [],
      {},
      bin,
    );
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(`${ssmPrefix(spec.stack)}focus-password is missing`);
    for (const value of Object.values(values)) expect(result.stdout + result.stderr).not.toContain(value);
  });

  it('refuses to finish while a deploy placeholder is still in a file', () => {
    const spec = makeSpec();
    const root = materialise(scriptsOf(renderBundle(spec)));
    const target = join(root, 'etc-sample.conf');
    writeFileSync(target, 'host = "@@jitsi-eu-deploy:signaling-private-ip@@"\n');
    const bin = fakeBin({ curl: imdsFake() });
    const result = runBash(`set -euo pipefail; source '${join(root, BOOT_DIR.slice(1), 'lib.sh')}'; fill_placeholders "$@"`, [target], {}, bin);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('@@jitsi-eu-deploy:signaling-private-ip@@');
  });

  it('fills a file through its symlink and leaves the link in place', () => {
    const spec = makeSpec();
    const root = materialise(scriptsOf(renderBundle(spec)));
    mkdirSync(join(root, 'conf.avail'));
    mkdirSync(join(root, 'conf.d'));
    writeFileSync(join(root, 'conf.avail', 'site.cfg.lua'), `secret = "${secretPlaceholder('turn-secret')}"\n`, { mode: 0o640 });
    symlinkSync('../conf.avail/site.cfg.lua', join(root, 'conf.d', 'site.cfg.lua'));
    const bin = fakeBin({ curl: imdsFake(), aws: ssmFake(spec.stack, { 'turn-secret': 'tUrN' }) });
    const link = join(root, 'conf.d', 'site.cfg.lua');
    const result = runBash(`set -euo pipefail; source '${join(root, BOOT_DIR.slice(1), 'lib.sh')}'; load_secrets turn-secret; fill_placeholders "$@"`, [link], {}, bin);
    expect(result.status, result.stderr).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(root, 'conf.avail', 'site.cfg.lua'), 'utf8')).toBe('secret = "tUrN"\n');
    expect(statSync(join(root, 'conf.avail', 'site.cfg.lua')).mode & 0o777).toBe(0o640);
  });

  it('reads the owners and the placeholder files cloud-init passes to a boot script', () => {
    const root = materialise(scriptsOf(renderBundle(makeSpec())));
    const result = runBash(
      `source '${join(root, BOOT_DIR.slice(1), 'lib.sh')}'; parse_boot_args "$@"; printf '%s\\n' "\${BOOT_OWNERS[@]}" --; printf '%s\\n' "\${BOOT_FILES[@]}"`,
      ['--own', 'jvb:jitsi', '/etc/jitsi/videobridge/jvb.conf', '/etc/a.conf', '--own', 'root:prosody', '/etc/p.lua', '/etc/b.conf'],
      {},
      fakeBin({}),
    );
    expect(result.stdout).toBe('jvb:jitsi\n/etc/jitsi/videobridge/jvb.conf\nroot:prosody\n/etc/p.lua\n--\n/etc/a.conf\n/etc/b.conf\n');
  });

  it('derives the videobridge version the pinned jitsi-meet metapackage requires', () => {
    const spec = makeSpec({ topology: 'scalable' });
    const root = materialise(scriptsOf(renderBundle(spec)));
    const bin = fakeBin({
      'apt-cache': `[[ "$1" == show && "$2" == "jitsi-meet=2.0.${spec.jitsiVersion}-1" ]] || exit 100
cat <<'EOF'
Package: jitsi-meet
Version: 2.0.${spec.jitsiVersion}-1
Pre-Depends: jitsi-videobridge2 (= 2.3-260-g2b4e5f9a-1)
Depends: jicofo (= 1.0-1160-1), jitsi-meet-web (= 1.0.9155-1), jitsi-meet-web-config (= 1.0.9155-1), jitsi-meet-prosody (= 1.0.9155-1)
Recommends: jitsi-meet-turnserver (= 1.0.9155-1)
EOF`,
    });
    const boot = join(root, BOOT_DIR.slice(1), 'boot-bridge.sh');
    const ask = (pkg: string) => runBash(`source '${boot}'; jitsi_component_version ${pkg}`, [], {}, bin);
    expect(ask('jitsi-videobridge2').stdout.trim()).toBe('2.3-260-g2b4e5f9a-1');
    expect(ask('jicofo').stdout.trim()).toBe('1.0-1160-1');
    expect(ask('jitsi-meet-web').stdout.trim()).toBe('1.0.9155-1');
    expect(ask('jitsi-videobridge').status).not.toBe(0);
  });

  it('hands Prosody the account passwords on standard input only', () => {
    const spec = makeSpec({ auth: 'secure' });
    const root = materialise(scriptsOf(renderBundle(spec)));
    const callsDir = tempDir('jitsi-eu-prosodyctl-');
    temps.push(callsDir);
    const calls = join(callsDir.path, 'calls');
    const bin = fakeBin({
      // An existing account (focus) takes passwd; the others need adduser.
      prosodyctl: `printf '%s|%s\\n' "$*" "$(base64 -w0)" >> '${calls}'
[[ "$1" == passwd && "$2" != focus@* ]] && exit 1
exit 0`,
    });
    const boot = join(root, BOOT_DIR.slice(1), 'boot-signaling.sh');
    const values = { 'focus-password': secrets['focus-password']!, 'jvb-password': secrets['jvb-password']!, 'host-password': secrets['host-password']! };
    const assignments = Object.entries(values).map(([k, v]) => `JITSI_EU_SECRET_VALUES[${k}]=${`'${v.replace(/'/g, `'\\''`)}'`}`).join('; ');
    const result = runBash(`set -euo pipefail; source '${boot}'; ${assignments}; register_accounts`, [], {}, bin);
    expect(result.status, result.stderr).toBe(0);
    const lines = readFileSync(calls, 'utf8').trim().split('\n');
    const byCommand = new Map(lines.map((l) => [l.slice(0, l.indexOf('|')), Buffer.from(l.slice(l.indexOf('|') + 1), 'base64').toString('utf8')]));
    const twice = (v: string) => `${v}\n${v}\n`;
    expect(byCommand.get(`passwd focus@auth.${spec.domain}`)).toBe(twice(values['focus-password']));
    expect(byCommand.get(`adduser jvb@auth.${spec.domain}`)).toBe(twice(values['jvb-password']));
    expect(byCommand.get(`adduser host@${spec.domain}`)).toBe(twice(values['host-password']));
    expect(byCommand.has(`mod_roster_command subscribe focus.${spec.domain} focus@auth.${spec.domain}`)).toBe(true);
    for (const line of lines) for (const value of Object.values(values)) expect(line.slice(0, line.indexOf('|'))).not.toContain(value);
    for (const value of Object.values(values)) expect(result.stdout + result.stderr).not.toContain(value);
  });

  describe('drain watcher', () => {
    const spec = makeSpec({ topology: 'scalable' });
    const bundle = renderBundle(spec);

    function drain(jvbStopsAfter: number, env: Record<string, string>) {
      const root = materialise(scriptsOf(bundle));
      const state = tempDir('jitsi-eu-drain-');
      temps.push(state);
      const log = (name: string) => join(state.path, name);
      const bin = fakeBin({
        curl: `printf '%s\\n' "$*" >> '${log('curl')}'
${imdsFake(`  */autoscaling/target-lifecycle-state)
    n=$(( $(cat '${log('polls')}' 2>/dev/null || echo 0) + 1 )); echo "$n" > '${log('polls')}'
    if (( n < 3 )); then printf InService; else printf Terminated; fi ;;
  */colibri/shutdown) printf 200 ;;
  */colibri/stats) printf '{"local_endpoints":4,"conferences":1}' ;;`)}`,
        aws: `printf '%s\\n' "$*" >> '${log('aws')}'
[[ "$2" == describe-auto-scaling-instances ]] && printf 'jitsi-eu-test-bridges\\n'
exit 0`,
        systemctl: `printf '%s\\n' "$*" >> '${log('systemctl')}'
if [[ "$1" == is-active ]]; then
  n=$(( $(cat '${log('active')}' 2>/dev/null || echo 0) + 1 )); echo "$n" > '${log('active')}'
  (( n <= ${jvbStopsAfter} ))
fi`,
      });
      const result = spawnSync(BASH, [join(root, BOOT_DIR.slice(1), 'drain.sh')], {
        encoding: 'utf8',
        env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, JITSI_EU_POLL_SECONDS: '0', JITSI_EU_RETRY_SECONDS: '0', ...env },
        timeout: 20_000,
      });
      const read = (name: string) => {
        try {
          return readFileSync(log(name), 'utf8');
        } catch {
          return '';
        }
      };
      return { result, aws: read('aws'), curl: read('curl') };
    }

    it('waits for Terminated, shuts the bridge down gracefully, heartbeats, then completes the hook', () => {
      const { result, aws, curl } = drain(3, { JITSI_EU_HEARTBEAT_EVERY: '0' });
      expect(result.status, result.stderr).toBe(0);
      expect(curl).toMatch(/-X POST .*graceful-shutdown.*true.*http:\/\/127\.0\.0\.1:8080\/colibri\/shutdown/);
      const target = `--region ${spec.region} --lifecycle-hook-name ${DRAIN_HOOK_NAME} --auto-scaling-group-name jitsi-eu-test-bridges --instance-id i-0123456789abcdef0`;
      expect(aws).toContain(`autoscaling describe-auto-scaling-instances --region ${spec.region} --instance-ids i-0123456789abcdef0`);
      expect(aws).toContain(`autoscaling record-lifecycle-action-heartbeat ${target}`);
      const lines = aws.trim().split('\n');
      expect(lines.at(-1)).toBe(`autoscaling complete-lifecycle-action ${target} --lifecycle-action-result CONTINUE`);
      expect(lines.filter((l) => l.includes('complete-lifecycle-action'))).toHaveLength(1);
      expect(result.stdout).toContain('(4 left)');
    });

    it('gives up the wait after the longest drain and still lets AWS terminate the bridge', () => {
      const { result, aws } = drain(1_000_000, { JITSI_EU_DRAIN_MAX_SECONDS: '1', JITSI_EU_HEARTBEAT_EVERY: '3600' });
      expect(result.status, result.stderr).toBe(0);
      expect(result.stdout).toContain('giving up the wait');
      expect(aws.trim().split('\n').at(-1)).toContain('complete-lifecycle-action');
    });
  });
});
