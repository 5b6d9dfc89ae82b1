// The whole bundle for every spec variant (whatever the component renderers produce), the OS
// files and the boot scripts. The scripts are not just read: they run under bash against fake
// `curl` (instance metadata, videobridge REST), `aws` (SSM, Auto Scaling), `apt-cache`,
// `systemctl` and `prosodyctl` placed first on PATH, so what they do with secrets is observed.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
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
import { createTestCa } from '../helpers/test-ca.ts';
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

/**
 * A fake `aws` for SSM by parameter name: `ssm get-parameter --name N` prints the value of N (as
 * `--query Parameter.Value --output text` would) or fails like ParameterNotFound; every call is
 * appended to `log` when given. Anything else fails.
 */
function ssmParameterFake(parameters: Record<string, string>, log?: string): string {
  const dir = tempDir('jitsi-eu-ssm-');
  temps.push(dir);
  for (const [name, value] of Object.entries(parameters)) writeFileSync(join(dir.path, name.replaceAll('/', '_')), value);
  return `${log ? `printf 'aws %s\\n' "$*" >> '${log}'\n` : ''}[[ "$1 $2" == "ssm get-parameter" ]] || exit 3
while (($#)); do [[ $1 == --name ]] && name=$2; shift; done
file='${dir.path}/'"\${name//\//_}"
[[ -f $file ]] || { echo "An error occurred (ParameterNotFound) when calling the GetParameter operation: Parameter $name not found." >&2; exit 254; }
cat "$file"`;
}

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

  function ssmFake(stack: string, values: Record<string, string>, log?: string): string {
    return ssmParameterFake(Object.fromEntries(Object.entries(values).map(([name, value]) => [`${ssmPrefix(stack)}${name}`, value])), log);
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
    expect(result.stderr).toContain(`SSM parameter ${ssmPrefix(spec.stack)}focus-password is missing`);
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

  it('registers the accounts through accounts.sh sync, then puts the focus component in focus\'s roster', () => {
    const spec = makeSpec({ auth: 'secure' });
    const root = materialise(scriptsOf(renderBundle(spec)));
    const state = tempDir('jitsi-eu-register-');
    temps.push(state);
    const calls = join(state.path, 'calls');
    const bootDir = join(state.path, 'boot');
    mkdirSync(bootDir);
    writeFileSync(join(bootDir, 'accounts.sh'), `#!/bin/bash\nprintf 'accounts.sh %s\\n' "$*" >> '${calls}'\n`, { mode: 0o755 });
    const bin = fakeBin({ prosodyctl: `printf 'prosodyctl %s\\n' "$*" >> '${calls}'` });
    const boot = join(root, BOOT_DIR.slice(1), 'boot-signaling.sh');
    const result = runBash(`set -euo pipefail; source '${boot}'; JITSI_EU_BOOT_DIR='${bootDir}'; register_accounts`, [], {}, bin);
    expect(result.status, result.stderr).toBe(0);
    expect(readFileSync(calls, 'utf8').trim().split('\n')).toEqual([
      'accounts.sh sync',
      `prosodyctl mod_roster_command subscribe focus.${spec.domain} focus@auth.${spec.domain}`,
    ]);
  });

  describe('first boot of a videobridge', () => {
    const spec = makeSpec({ topology: 'scalable', auth: 'secure', stack: 'pool' });
    const bundle = renderBundle(spec);
    const jvbParameter = `${ssmPrefix(spec.stack)}jvb-password`;

    interface BootOptions {
      /** How many `apt-get update` calls fail before one succeeds. */
      updateFailures?: number;
      aptMarkFails?: boolean;
      parameters?: Record<string, string>;
    }

    function bootBridge(options: BootOptions = {}) {
      const root = materialise(scriptsOf(bundle));
      const state = tempDir('jitsi-eu-bridge-boot-');
      temps.push(state);
      const log = join(state.path, 'calls');
      const updates = join(state.path, 'updates');
      const ready = join(state.path, 'www', 'ready');
      const policyRcD = join(state.path, 'policy-rc.d');
      writeFileSync(policyRcD, 'exit 101\n');
      const record = (name: string) => `printf '${name} %s\\n' "$*" >> '${log}'`;
      const bin = fakeBin({
        'apt-get': `${record('apt-get')}
if [[ " $* " == *" update "* ]]; then
  n=$(( $(cat '${updates}' 2>/dev/null || echo 0) + 1 )); echo "$n" > '${updates}'
  (( n > ${options.updateFailures ?? 0} ))
fi`,
        'apt-cache': `${record('apt-cache')}
printf 'Package: jitsi-meet\\nPre-Depends: jitsi-videobridge2 (= 2.3-1-g1-1)\\n'`,
        'apt-mark': `${record('apt-mark')}\nexit ${options.aptMarkFails ? 1 : 0}`,
        aws: ssmParameterFake(options.parameters ?? { [jvbParameter]: secrets['jvb-password']! }, log),
        curl: imdsFake('  */about/health) printf 200 ;;'),
        systemctl: record('systemctl'),
        sysctl: record('sysctl'),
      });
      const boot = join(root, BOOT_DIR.slice(1), 'boot-bridge.sh');
      const result = runBash(
        `source '${boot}'; JITSI_EU_READY_FILE='${ready}'; JITSI_EU_POLICY_RC_D='${policyRcD}'; main "$@"`,
        [],
        { JITSI_EU_RETRY_SECONDS: '0', JITSI_EU_HEALTH_WAIT: '5' },
        bin,
      );
      const read = (path: string) => {
        try {
          return readFileSync(path, 'utf8');
        } catch {
          return undefined;
        }
      };
      return { result, ready: read(ready), calls: (read(log) ?? '').trim().split('\n'), policyRcDLeft: read(policyRcD) !== undefined };
    }

    const indexOf = (calls: string[], prefix: string) => calls.findIndex((c) => c.startsWith(prefix));

    it('installs with the dpkg lock wait, reads its one secret by name, unmasks the bridge only then, and reports ok', () => {
      const { result, ready, calls, policyRcDLeft } = bootBridge();
      expect(result.status, result.stderr).toBe(0);
      expect(ready).toBe('ok\n');
      // The only SSM read: the bridge password, by name.
      expect(calls.filter((c) => c.startsWith('aws '))).toEqual([
        `aws ssm get-parameter --region ${spec.region} --name ${jvbParameter} --with-decryption --query Parameter.Value --output text`,
      ]);
      const apt = calls.filter((c) => c.startsWith('apt-get ') || c.startsWith('apt-mark '));
      expect(apt.map((c) => c.split(' ').find((w) => ['update', 'install', 'hold'].includes(w)))).toEqual(['update', 'install', 'hold']);
      for (const call of apt) expect(call, call).toContain('-o DPkg::Lock::Timeout=600');
      // Masked through the install and until the secret is in; unmasked before the first start.
      const install = indexOf(calls, 'apt-get -o DPkg::Lock::Timeout=600 install');
      const secret = indexOf(calls, 'aws ssm get-parameter');
      const unmask = calls.indexOf('systemctl unmask jitsi-videobridge2.service');
      const start = calls.indexOf('systemctl restart jitsi-videobridge2.service');
      expect(install).toBeGreaterThanOrEqual(0);
      expect(secret).toBeGreaterThan(install);
      expect(unmask).toBeGreaterThan(secret);
      expect(start).toBeGreaterThan(unmask);
      expect(policyRcDLeft).toBe(false);
      expect(result.stdout + result.stderr).not.toContain(secrets['jvb-password']);
    });

    it('retries a failing apt-get update a bounded number of times', () => {
      const recovered = bootBridge({ updateFailures: 2 });
      expect(recovered.result.status, recovered.result.stderr).toBe(0);
      expect(recovered.calls.filter((c) => c.includes(' update'))).toHaveLength(3);
      expect(recovered.ready).toBe('ok\n');

      const broken = bootBridge({ updateFailures: 1_000 });
      expect(broken.result.status).not.toBe(0);
      expect(broken.calls.filter((c) => c.includes(' update'))).toHaveLength(5);
      expect(broken.ready).toBe('failed: videobridge\n');
      expect(broken.result.stderr).toContain('jitsi-eu boot failed at videobridge; see /var/log/cloud-init-output.log\n');
      expect(broken.calls.some((c) => c.startsWith('systemctl unmask') || c.startsWith('systemctl restart'))).toBe(false);
    });

    it('reports the step of an unexpected error (not a die) as failed, never a value', () => {
      const { result, ready, calls } = bootBridge({ aptMarkFails: true });
      expect(result.status).not.toBe(0);
      expect(result.stderr).not.toContain('FAILED:');
      expect(ready).toBe('failed: videobridge\n');
      expect(result.stderr.trim().split('\n').at(-1)).toBe('jitsi-eu boot failed at videobridge; see /var/log/cloud-init-output.log');
      expect(calls.some((c) => c.startsWith('aws '))).toBe(false);
    });

    it('reports a missing secret under its step, with the parameter name in the log only', () => {
      const other = `${ssmPrefix(spec.stack)}focus-password`;
      const { result, ready } = bootBridge({ parameters: { [other]: secrets['focus-password']! } });
      expect(result.status).not.toBe(0);
      expect(ready).toBe('failed: secrets\n');
      expect(result.stderr).toContain(`SSM parameter ${jvbParameter} is missing`);
      expect(result.stderr).toContain('jitsi-eu boot failed at secrets;');
      expect(result.stdout + result.stderr).not.toContain(secrets['focus-password']);
    });
  });

  describe('first boot of the signaling node', () => {
    // Every step function is replaced by a recorder: what is checked is main's order and its
    // handling of a failure, without touching this machine.
    const STEPS = [
      'check_packages', 'link_for_lua54', 'retire_local_videobridge', 'load_secrets', 'parse_boot_args', 'fill_placeholders',
      'fix_ownership', 'apply_owners', 'install_standin_certificate', 'register_accounts', 'enable_site', 'start_services',
      'request_certificate', 'wait_until_healthy',
    ];

    function bootSignaling(spec: DeploymentSpec, options: { restored: boolean; failAt?: string }) {
      const root = materialise(scriptsOf(renderBundle(spec)));
      const state = tempDir('jitsi-eu-signaling-boot-');
      temps.push(state);
      const log = join(state.path, 'calls');
      const ready = join(state.path, 'www', 'ready');
      const bootDir = join(state.path, 'boot');
      mkdirSync(bootDir);
      writeFileSync(join(bootDir, 'acme.sh'), `#!/bin/bash\nprintf 'acme.sh %s\\n' "$*" >> '${log}'\nexit ${options.restored ? 0 : 1}\n`, { mode: 0o755 });
      const recorders = STEPS.map((name) => `${name}() { printf '%s\\n' ${name} >> '${log}'; ${name === options.failAt ? 'false' : 'true'}; }`).join('\n');
      const boot = join(root, BOOT_DIR.slice(1), 'boot-signaling.sh');
      const result = runBash(
        `source '${boot}'\n${recorders}\nJITSI_EU_BOOT_DIR='${bootDir}'; JITSI_EU_READY_FILE='${ready}'; main`,
        [],
        {},
        fakeBin({}),
      );
      let readyText: string | undefined;
      try {
        readyText = readFileSync(ready, 'utf8');
      } catch {
        readyText = undefined;
      }
      return { result, ready: readyText, calls: readFileSync(log, 'utf8').trim().split('\n') };
    }

    it.each([
      ['restores the stack certificate', true],
      ['falls back to the stand-in certificate', false],
    ])('fills the files before the certificate and the service starts, and %s before anything starts', (_, restored) => {
      const spec = makeSpec({ auth: 'jwt' });
      const { result, ready, calls } = bootSignaling(spec, { restored });
      expect(result.status, result.stderr).toBe(0);
      expect(ready).toBe('ok\n');
      const at = (name: string) => {
        const index = calls.indexOf(name);
        expect(index, name).toBeGreaterThanOrEqual(0);
        return index;
      };
      expect(at('check_packages')).toBeLessThan(at('link_for_lua54'));
      expect(calls.filter((c) => c === 'link_for_lua54')).toHaveLength(2);
      expect(at('fill_placeholders')).toBeLessThan(at('acme.sh restore'));
      expect(at('apply_owners')).toBeLessThan(at('start_services'));
      expect(at('acme.sh restore')).toBeLessThan(at('start_services'));
      expect(at('register_accounts')).toBeLessThan(at('start_services'));
      expect(at('start_services')).toBeLessThan(at('request_certificate'));
      expect(calls.includes('install_standin_certificate')).toBe(!restored);
      if (!restored) expect(at('acme.sh restore')).toBeLessThan(at('install_standin_certificate'));
      expect(calls.includes('retire_local_videobridge')).toBe(false);
    });

    it('writes failed: <step> and one console line when a step fails, and starts nothing after it', () => {
      const { result, ready, calls } = bootSignaling(makeSpec({ topology: 'scalable' }), { restored: false, failAt: 'register_accounts' });
      expect(result.status).not.toBe(0);
      expect(ready).toBe('failed: accounts\n');
      expect(result.stderr).toContain('jitsi-eu boot failed at accounts; see /var/log/cloud-init-output.log\n');
      expect(calls).toContain('retire_local_videobridge');
      expect(calls).not.toContain('start_services');
      expect(calls).not.toContain('wait_until_healthy');
    });

    it('names the health step when the services never become healthy', () => {
      const { result, ready } = bootSignaling(makeSpec(), { restored: true, failAt: 'wait_until_healthy' });
      expect(result.status).not.toBe(0);
      expect(ready).toBe('failed: health\n');
      expect(result.stderr).toContain('the signaling node did not become healthy');
    });

    it.each([
      ['single', makeSpec({ topology: 'single', turn: true }), ['jicofo.service', 'jitsi-videobridge2.service']],
      ['scalable', makeSpec({ topology: 'scalable', turn: false }), ['jicofo.service']],
    ])('%s: start_services lifts policy-rc.d and unmasks the services it runs before starting any', (_, spec, unmasked) => {
      const root = materialise(scriptsOf(renderBundle(spec)));
      const state = tempDir('jitsi-eu-start-');
      temps.push(state);
      const log = join(state.path, 'calls');
      const policyRcD = join(state.path, 'policy-rc.d');
      writeFileSync(policyRcD, 'exit 101\n');
      const bin = fakeBin({
        systemctl: `printf 'systemctl %s%s\\n' "$*" "$([[ -e '${policyRcD}' ]] && printf ' (policy-rc.d present)')" >> '${log}'`,
        sysctl: 'exit 0',
      });
      const boot = join(root, BOOT_DIR.slice(1), 'boot-signaling.sh');
      const result = runBash(`set -euo pipefail; source '${boot}'; JITSI_EU_POLICY_RC_D='${policyRcD}'; start_services`, [], {}, bin);
      expect(result.status, result.stderr).toBe(0);
      const calls = readFileSync(log, 'utf8').trim().split('\n');
      expect(calls[0]).toBe(`systemctl unmask ${unmasked.join(' ')}`);
      const restarts = calls.filter((c) => c.startsWith('systemctl restart ') && !c.includes('journald'));
      expect(restarts.map((c) => c.split(' ')[2])).toEqual(['prosody', 'jicofo', ...(spec.topology === 'single' ? ['jitsi-videobridge2'] : []), 'nginx', ...(spec.turn ? ['coturn'] : [])]);
      for (const call of calls) expect(call).not.toContain('policy-rc.d present');
    });
  });

  describe('JWT tokens on Debian 12', () => {
    const LUA = requireTool('lua5.4');
    const DEBIAN_BASEXX = '/usr/share/lua/5.2/basexx.lua';
    // The modules Jitsi's luajwtjitsi loads; an HS256 token signature proves they work together.
    const probe = [
      'local basexx = require "basexx"',
      'local cjson = require "cjson.safe"',
      'local hmac = require "openssl.hmac"',
      'require "openssl.digest"; require "openssl.pkey"',
      'local header = basexx.to_url64(cjson.encode({ alg = "HS256" }))',
      'io.write(header, ".", basexx.to_url64(hmac.new("k3y", "sha256"):final(header)))',
    ].join('\n');

    it('makes the Debian basexx module loadable by Lua 5.4 the way the boot script links it', () => {
      if (!existsSync(DEBIAN_BASEXX)) throw new Error(`${DEBIAN_BASEXX} is missing: install lua-basexx, lua-cjson and lua-luaossl (bash .ci/run installs them)`);
      const root = materialise(scriptsOf(renderBundle(makeSpec({ auth: 'jwt' }))));
      const tree = tempDir('jitsi-eu-lua-');
      temps.push(tree);
      const share = join(tree.path, 'usr/share/lua');
      mkdirSync(join(share, '5.2'), { recursive: true });
      copyFileSync(DEBIAN_BASEXX, join(share, '5.2', 'basexx.lua'));
      // Our tree first, then Lua 5.4's default path (where Debian puts cjson and luaossl).
      const lua = () => spawnSync(LUA, ['-e', probe], { encoding: 'utf8', env: { ...process.env, LUA_PATH: `${share}/5.4/?.lua;;` } });

      const before = lua();
      expect(before.status).not.toBe(0);
      expect(before.stderr).toContain("module 'basexx' not found");

      const boot = join(root, BOOT_DIR.slice(1), 'boot-signaling.sh');
      for (let run = 0; run < 2; run++) {
        const linked = runBash(`set -euo pipefail; source '${boot}'; link_for_lua54 '${share}' basexx 5.2 lua-basexx`, [], {}, fakeBin({}));
        expect(linked.status, linked.stderr).toBe(0);
      }
      expect(readlinkSync(join(share, '5.4', 'basexx.lua'))).toBe('../5.2/basexx.lua');

      const after = lua();
      expect(after.status, after.stderr).toBe(0);
      const header = Buffer.from('{"alg":"HS256"}').toString('base64url');
      expect(after.stdout).toBe(`${header}.${createHmac('sha256', 'k3y').update(header).digest('base64url')}`);
    });

    it('links basexx only where tokens are used, and stops the boot when lua-basexx is missing', () => {
      for (const auth of ['anonymous', 'secure'] as const) {
        const boot = renderBundle(makeSpec({ auth })).files.find((f) => f.path.endsWith('boot-signaling.sh'))!;
        expect(boot.content, auth).not.toContain('basexx');
      }
      const root = materialise(scriptsOf(renderBundle(makeSpec({ auth: 'jwt' }))));
      const empty = tempDir('jitsi-eu-lua-empty-');
      temps.push(empty);
      const boot = join(root, BOOT_DIR.slice(1), 'boot-signaling.sh');
      const result = runBash(`set -euo pipefail; source '${boot}'; link_for_lua54 '${empty.path}' basexx 5.2 lua-basexx`, [], {}, fakeBin({}));
      expect(result.status).not.toBe(0);
      expect(result.stderr).toContain('lua-basexx');
    });
  });

  describe('the token library\'s inspect module on Debian 12', () => {
    const LUA = requireTool('lua5.4');
    const DEBIAN_INSPECT = '/usr/share/lua/5.1/inspect.lua';
    // Jitsi's token/util.lib.lua loads it at module start: without it auth_token and
    // token_verification fail to initialise and nobody with a token can log in.
    const probe = 'local inspect = require "inspect"; io.write(inspect({ room = "weekly" }))';

    it('makes the Debian inspect module loadable by Lua 5.4 the way the boot script links it', () => {
      if (!existsSync(DEBIAN_INSPECT)) throw new Error(`${DEBIAN_INSPECT} is missing: install lua-inspect (bash .ci/run installs it)`);
      const root = materialise(scriptsOf(renderBundle(makeSpec({ auth: 'jwt' }))));
      const tree = tempDir('jitsi-eu-lua-inspect-');
      temps.push(tree);
      const share = join(tree.path, 'usr/share/lua');
      mkdirSync(join(share, '5.1'), { recursive: true });
      copyFileSync(DEBIAN_INSPECT, join(share, '5.1', 'inspect.lua'));
      const lua = () => spawnSync(LUA, ['-e', probe], { encoding: 'utf8', env: { ...process.env, LUA_PATH: `${share}/5.4/?.lua;;` } });

      const before = lua();
      expect(before.status).not.toBe(0);
      expect(before.stderr).toContain("module 'inspect' not found");

      const boot = join(root, BOOT_DIR.slice(1), 'boot-signaling.sh');
      for (let run = 0; run < 2; run++) {
        const linked = runBash(`set -euo pipefail; source '${boot}'; link_for_lua54 '${share}' inspect 5.1 lua-inspect`, [], {}, fakeBin({}));
        expect(linked.status, linked.stderr).toBe(0);
      }
      expect(readlinkSync(join(share, '5.4', 'inspect.lua'))).toBe('../5.1/inspect.lua');

      const after = lua();
      expect(after.status, after.stderr).toBe(0);
      expect(after.stdout).toBe('{\n  room = "weekly"\n}');
    });

    it('links inspect only where tokens are used, and stops the boot when lua-inspect is missing', () => {
      for (const auth of ['anonymous', 'secure'] as const) {
        const boot = renderBundle(makeSpec({ auth })).files.find((f) => f.path.endsWith('boot-signaling.sh'))!;
        expect(boot.content, auth).not.toContain('inspect');
      }
      const root = materialise(scriptsOf(renderBundle(makeSpec({ auth: 'jwt' }))));
      const empty = tempDir('jitsi-eu-lua-inspect-empty-');
      temps.push(empty);
      const boot = join(root, BOOT_DIR.slice(1), 'boot-signaling.sh');
      const result = runBash(`set -euo pipefail; source '${boot}'; link_for_lua54 '${empty.path}' inspect 5.1 lua-inspect`, [], {}, fakeBin({}));
      expect(result.status).not.toBe(0);
      expect(result.stderr).toContain('lua-inspect');
    });
  });

  describe('the stack certificate across host replacements', () => {
    const DAY = 86_400_000;
    const caDir = tempDir('jitsi-eu-acme-ca-');
    temps.push(caDir);
    const ca = createTestCa(caDir.path);
    const domain = makeSpec().domain;
    const fresh = ca.issue({ names: [domain], notAfter: new Date(Date.now() + 60 * DAY) });
    const anotherKey = ca.issue({ names: [domain], notAfter: new Date(Date.now() + 60 * DAY) });
    const expiring = ca.issue({ names: [domain], notAfter: new Date(Date.now() + 20 * DAY) });
    const otherName = ca.issue({ names: ['other.example.org'], notAfter: new Date(Date.now() + 60 * DAY) });
    const selfSigned = (() => {
      const dir = join(caDir.path, 'self');
      mkdirSync(dir);
      execFileSync(requireTool('openssl'), [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '60', '-subj', `/CN=${domain}`,
        '-addext', `subjectAltName=DNS:${domain}`, '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
      ], { stdio: 'ignore' });
      const certPem = readFileSync(join(dir, 'cert.pem'), 'utf8');
      return { keyPem: readFileSync(join(dir, 'key.pem'), 'utf8'), fullchainPem: certPem };
    })();
    /** The parameter value as the deploy hook stores it: TLS mode, key, full chain. */
    const storedValue = (mode: string, cert: { keyPem: string; fullchainPem: string }, keyPem = cert.keyPem) =>
      `jitsi-eu-tls-mode=${mode}\n${keyPem}${cert.fullchainPem}`;
    // A base64 line from the middle of a key: never to be seen in any output.
    const keyLine = (pem: string) => pem.trim().split('\n')[2]!;

    interface AcmeRun {
      result: ReturnType<typeof runBash>;
      calls: string[];
      installed?: { fullchain: string; privkey: string };
      /** What the fake SSM received from put-parameter, and whether the file given to it was removed afterwards. */
      put?: { value: string; fileLeft: boolean };
    }

    function acme(spec: DeploymentSpec, command: string, options: { parameter?: string; lineage?: string; certbotLive?: boolean; installed?: { keyPem: string; fullchainPem: string } } = {}): AcmeRun {
      const root = materialise(scriptsOf(renderBundle(spec)));
      const state = tempDir('jitsi-eu-acme-');
      temps.push(state);
      const at = (name: string) => join(state.path, name);
      const log = at('calls');
      const parameterName = `${ssmPrefix(spec.stack)}tls-certificate`;
      mkdirSync(at('tls'));
      if (options.installed) {
        writeFileSync(at('tls/fullchain.pem'), options.installed.fullchainPem);
        writeFileSync(at('tls/privkey.pem'), options.installed.keyPem);
      }
      if (options.certbotLive) {
        mkdirSync(at('live'));
        writeFileSync(at('live/fullchain.pem'), fresh.fullchainPem);
      }
      const getParameter = ssmParameterFake(options.parameter === undefined ? {} : { [parameterName]: options.parameter });
      const bin = fakeBin({
        aws: `printf 'aws %s\\n' "$*" >> '${log}'
if [[ "$2" == put-parameter ]]; then
  for arg; do [[ $arg == file://* ]] && cp -- "\${arg#file://}" '${at('put')}' && printf '%s' "\${arg#file://}" > '${at('put-file')}'; done
  exit 0
fi
${getParameter}`,
        systemctl: `printf 'systemctl %s\\n' "$*" >> '${log}'`,
        certbot: `printf 'certbot %s\\n' "$*" >> '${log}'`,
        getent: 'exit 0',
        groupadd: `printf 'groupadd %s\\n' "$*" >> '${log}'`,
        // install(1) without owners: this machine's accounts stay as they are.
        install: `dir=0 mode= files=()
while (($#)); do
  case $1 in -d) dir=1 ;; -m) mode=$2; shift ;; -o|-g) shift ;; *) files+=("$1") ;; esac
  shift
done
if ((dir)); then mkdir -p -- "\${files[@]}"; else cp -- "\${files[0]}" "\${files[1]}"; fi
[[ -z $mode ]] || chmod "$mode" -- "\${files[@]: -1}"`,
      });
      const acmeScript = join(root, BOOT_DIR.slice(1), 'acme.sh');
      const overrides = [
        `JITSI_EU_TLS_DIR='${at('tls')}'`,
        `JITSI_EU_TLS_FULLCHAIN='${at('tls/fullchain.pem')}'`,
        `JITSI_EU_TLS_PRIVKEY='${at('tls/privkey.pem')}'`,
        `LIVE_DIR='${at('live')}'`,
        `ACME_WEBROOT='${at('webroot')}'`,
      ].join('; ');
      const result = runBash(`source '${acmeScript}'; ${overrides}; ${command}`, [], options.lineage ? { RENEWED_LINEAGE: options.lineage } : {}, bin);
      const read = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8') : undefined);
      const fullchain = read(at('tls/fullchain.pem'));
      const privkey = read(at('tls/privkey.pem'));
      const putValue = read(at('put'));
      return {
        result,
        calls: (read(log) ?? '').trim().split('\n').filter(Boolean),
        ...(fullchain !== undefined && privkey !== undefined ? { installed: { fullchain, privkey } } : {}),
        ...(putValue !== undefined ? { put: { value: putValue, fileLeft: existsSync(read(at('put-file'))!) } } : {}),
      };
    }

    const production = makeSpec({ stack: 'prod', tls: 'letsencrypt', turn: true });
    const staging = makeSpec({ stack: 'stage', tls: 'letsencrypt-staging', turn: false });

    it.each([
      ['a production certificate on a production stack', production, storedValue('letsencrypt', fresh), true],
      ['a staging certificate on a staging stack', staging, storedValue('letsencrypt-staging', fresh), true],
      ['nothing stored yet (the value the program creates)', production, 'none', false],
      ['a staging certificate on a production stack', production, storedValue('letsencrypt-staging', fresh), false],
      ['a production certificate on a staging stack', staging, storedValue('letsencrypt', fresh), false],
      ['a certificate with 20 days left', production, storedValue('letsencrypt', expiring), false],
      ['a certificate for another name', production, storedValue('letsencrypt', otherName), false],
      ['a certificate with the key of another one', production, storedValue('letsencrypt', fresh, anotherKey.keyPem), false],
      ['a self-signed certificate', production, storedValue('letsencrypt', selfSigned), false],
      ['a value without a key', production, `jitsi-eu-tls-mode=letsencrypt\n${fresh.fullchainPem}`, false],
    ] as const)('restore: %s → restored: %s', (_, spec, parameter, restored) => {
      const run = acme(spec, 'restore', { parameter });
      expect(run.result.status, run.result.stderr).toBe(restored ? 0 : 1);
      if (restored) {
        expect(run.installed?.fullchain).toBe(fresh.fullchainPem);
        expect(run.installed?.privkey).toBe(fresh.keyPem);
        expect(run.calls).toContain('systemctl try-reload-or-restart nginx.service');
        expect(run.calls.includes('systemctl try-restart coturn.service')).toBe(spec.turn);
      } else {
        expect(run.installed).toBeUndefined();
        expect(run.calls.some((c) => c.startsWith('systemctl'))).toBe(false);
      }
      expect(run.calls[0]).toBe(`aws ssm get-parameter --region ${spec.region} --name /jitsi-eu/${spec.stack}/tls-certificate --with-decryption --query Parameter.Value --output text`);
      const output = run.result.stdout + run.result.stderr;
      for (const pem of [fresh.keyPem, anotherKey.keyPem, expiring.keyPem, otherName.keyPem]) expect(output).not.toContain(keyLine(pem));
    });

    it('restore: a parameter the host cannot read means a new request, not a failure of the script', () => {
      const run = acme(production, 'restore', {});
      expect(run.result.status).toBe(1);
      expect(run.installed).toBeUndefined();
      expect(run.result.stdout).toContain('no stored certificate');
    });

    it('deploy hook: installs the new certificate, stores mode, key and chain as a SecureString, and the next host restores it', () => {
      const lineage = tempDir('jitsi-eu-lineage-');
      temps.push(lineage);
      writeFileSync(join(lineage.path, 'fullchain.pem'), fresh.fullchainPem);
      writeFileSync(join(lineage.path, 'privkey.pem'), fresh.keyPem);
      const run = acme(production, 'deploy', { lineage: lineage.path });
      expect(run.result.status, run.result.stderr).toBe(0);
      expect(run.installed).toEqual({ fullchain: fresh.fullchainPem, privkey: fresh.keyPem });
      const put = run.calls.find((c) => c.startsWith('aws ssm put-parameter'))!;
      expect(put).toMatch(new RegExp(`^aws ssm put-parameter --region ${production.region} --name /jitsi-eu/prod/tls-certificate --type SecureString --tier Intelligent-Tiering --overwrite --value file:///\\S+$`));
      expect(run.put?.value).toBe(storedValue('letsencrypt', fresh));
      expect(run.put?.fileLeft).toBe(false);
      expect(run.calls.indexOf('systemctl try-reload-or-restart nginx.service')).toBeGreaterThanOrEqual(0);
      const output = run.result.stdout + run.result.stderr + run.calls.join('\n');
      expect(output).not.toContain(keyLine(fresh.keyPem));

      const replacement = acme(production, 'restore', { parameter: run.put!.value });
      expect(replacement.result.status, replacement.result.stderr).toBe(0);
      expect(replacement.installed).toEqual({ fullchain: fresh.fullchainPem, privkey: fresh.keyPem });
    });

    it.each([
      ['production', production],
      ['staging', staging],
    ] as const)('request (%s): with nothing usable, asks Let\'s Encrypt for an ECDSA certificate with the storing deploy hook', (_, spec) => {
      const run = acme(spec, 'request', { parameter: 'none', installed: selfSigned });
      expect(run.result.status, run.result.stderr).toBe(0);
      const certbot = run.calls.find((c) => c.startsWith('certbot '))!;
      expect(certbot).toContain(`--cert-name ${spec.domain} --domain ${spec.domain} --key-type ecdsa`);
      expect(certbot).toContain(`--deploy-hook ${BOOT_DIR}/acme.sh deploy`);
      expect(certbot.endsWith(' --staging')).toBe(spec.tls === 'letsencrypt-staging');
      expect(run.calls.at(-1)).toBe('systemctl disable --now jitsi-eu-acme.timer');
    });

    it('request: keeps a restored certificate with more than 30 days left and checks it again later', () => {
      const run = acme(production, 'request', { installed: fresh });
      expect(run.result.status, run.result.stderr).toBe(0);
      expect(run.calls).toEqual(['systemctl enable --now jitsi-eu-acme.timer']);
    });

    it('request: replaces a restored certificate 30 days before it expires, restoring a newer one first', () => {
      const newer = acme(production, 'request', { installed: expiring, parameter: storedValue('letsencrypt', fresh) });
      expect(newer.result.status, newer.result.stderr).toBe(0);
      expect(newer.installed?.fullchain).toBe(fresh.fullchainPem);
      expect(newer.calls.some((c) => c.startsWith('certbot'))).toBe(false);

      const same = acme(production, 'request', { installed: expiring, parameter: storedValue('letsencrypt', expiring) });
      expect(same.result.status, same.result.stderr).toBe(0);
      expect(same.calls.some((c) => c.startsWith('certbot certonly'))).toBe(true);
    });

    it('request: leaves a certificate certbot manages on this host to certbot', () => {
      const run = acme(production, 'request', { certbotLive: true, parameter: storedValue('letsencrypt', fresh) });
      expect(run.result.status, run.result.stderr).toBe(0);
      expect(run.calls).toEqual(['systemctl disable --now jitsi-eu-acme.timer']);
    });
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
