// What the first boots of real Debian 12 hosts showed about the boot scripts, each pinned down
// here without a boot: kernel settings that do not apply, a bridge whose boot failed, the drain
// watcher's log, the first look for a stored certificate, and Prosody's DNS library. The boot
// rehearsal (boot.test.ts) checks the same on a booting host.
import { BRIDGE_SHARE_SYSCTL } from '../../infra/render/cloud-layer.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderBundle } from '../../infra/render/bundle.ts';
import { cloudInitPath } from '../../infra/render/cloud-init.ts';
import { JVB_SYSCTL_FILE } from '../../infra/render/os.ts';
import { BOOT_DIR } from '../../infra/render/paths.ts';
import { hostRoles } from '../../infra/render/roles.ts';
import { makeSpec, specVariants } from '../helpers/spec.ts';
import { type ScriptHarness, scriptHarness } from '../helpers/rehearsal/script-harness.ts';
import { tempDir } from '../helpers/tools.ts';

const harnesses: ScriptHarness[] = [];
afterAll(() => harnesses.forEach((h) => h.remove()));

const scalable = renderBundle(makeSpec({ topology: 'scalable' }));
const scriptFiles = scalable.files.filter((f) => f.path.startsWith(BOOT_DIR.slice(1)));
const harness = (fakes: Record<string, string>) => {
  const h = scriptHarness(scriptFiles, fakes);
  harnesses.push(h);
  return h;
};
const script = (h: ScriptHarness, name: string) => join(h.root, BOOT_DIR.slice(1), name);

describe('kernel settings at boot', () => {
  it("applies the deployment's own file and warns with sysctl's reason when a key does not apply, and the boot goes on", () => {
    const h = harness({
      systemctl: 'exit 0',
      sysctl: `echo "sysctl: permission denied on key \\"net.core.rmem_max\\"" >&2; exit 255`,
    });
    const file = join(h.root, 'sysctl.conf');
    const result = h.run(`set -euo pipefail; source '${script(h, 'lib.sh')}'; JITSI_EU_SYSCTL_FILES=('${file}' /nonexistent.conf); touch '${file}'; apply_host_settings; echo after`);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/warning: kernel settings of .*sysctl\.conf not applied: sysctl: permission denied on key "net\.core\.rmem_max"/);
    expect(result.stdout.trim().split('\n').at(-1)).toBe('after');
    expect(h.calls()).toContain(`sysctl -q -p ${file}`);
    expect(h.calls().some((c) => c.includes('--system'))).toBe(false);
    expect(h.calls().at(-1)).toBe('systemctl restart systemd-journald.service');
  });

  it('names the rendered sysctl files in the host library (the bridge share\'s exists on clouds that keep secrets on the host)', () => {
    const lib = scalable.files.find((f) => f.path === `${BOOT_DIR.slice(1)}/lib.sh`)!.content;
    expect(lib).toContain(`JITSI_EU_SYSCTL_FILES=('${JVB_SYSCTL_FILE}' '${BRIDGE_SHARE_SYSCTL}')`);
    expect(scalable.files.some((f) => `/${f.path}` === JVB_SYSCTL_FILE)).toBe(true);
  });
});

describe('a bridge whose boot failed', () => {
  function exitWith(status: number, files = scriptFiles) {
    const h = scriptHarness(files, { systemctl: 'exit 0' });
    harnesses.push(h);
    const ready = join(h.root, 'ready');
    const result = h.run(`source '${script(h, 'boot-bridge.sh')}'; JITSI_EU_READY_FILE='${ready}'; JITSI_EU_STEP=secrets; on_bridge_boot_exit ${status}`);
    let marker = '';
    try {
      marker = readFileSync(ready, 'utf8');
    } catch {
      // no marker
    }
    return { result, marker, calls: h.calls() };
  }

  it('writes its failure marker, then powers off so that the Auto Scaling group replaces it', () => {
    const { result, marker, calls } = exitWith(1);
    expect(marker).toBe('failed: secrets\n');
    expect(result.stderr).toContain('jitsi-eu boot failed at secrets');
    expect(result.stderr).toContain('powering off: the Auto Scaling group replaces a stopped bridge');
    expect(calls).toEqual(['systemctl poweroff --no-block']);
  });

  it('on Hetzner Cloud powers off too, saying that nothing there replaces it by itself', () => {
    const hetzner = renderBundle(makeSpec({ topology: 'scalable', cloud: 'hetzner', region: 'fsn1', country: 'DE', instanceType: 'ccx23', bridges: { min: 2, max: 2, instanceType: 'ccx33' } }));
    const { result, calls } = exitWith(1, hetzner.files.filter((f) => f.path.startsWith(BOOT_DIR.slice(1))));
    expect(result.stderr).toContain('powering off: nothing on Hetzner Cloud replaces it by itself');
    expect(result.stderr).not.toContain('Auto Scaling');
    expect(calls).toEqual(['systemctl poweroff --no-block']);
  });

  it('stays up after a boot that succeeded', () => {
    const { marker, calls } = exitWith(0);
    expect(marker).toBe('');
    expect(calls).toEqual([]);
  });

  it('runs that exit handler from its boot script', () => {
    const boot = scriptFiles.find((f) => f.path.endsWith('boot-bridge.sh'))!.content;
    expect(boot).toContain("trap 'on_bridge_boot_exit $?' EXIT");
  });
});

describe('drain watcher log', () => {
  function drain(options: { stats: string; jvbActive: boolean }) {
    const state = tempDir('jitsi-eu-drain-state-');
    harnesses.push({ remove: state.remove } as ScriptHarness);
    const h = harness({
      curl: `url="\${@: -1}"
case "$url" in
  */latest/api/token) printf token ;;
  */meta-data/autoscaling/target-lifecycle-state) printf Terminated ;;
  */meta-data/instance-id) printf i-0123456789abcdef0 ;;
  */meta-data/tags/instance/*) printf jitsi-eu-test-bridges ;;
  */colibri/shutdown) printf 200 ;;
  */colibri/stats) printf '%s' '${options.stats}' ;;
  *) exit 22 ;;
esac`,
      aws: 'exit 0',
      // Active for the first two questions (when it runs at all), then stopped.
      systemctl: `[[ $1 == is-active ]] || exit 0
n=$(( $(cat '${state.path}/n' 2>/dev/null || echo 0) + 1 )); echo $n > '${state.path}/n'
${options.jvbActive ? '(( n <= 2 ))' : 'exit 3'}`,
    });
    const result = h.run(`bash '${script(h, 'drain.sh')}'`, { JITSI_EU_POLL_SECONDS: '0', JITSI_EU_HEARTBEAT_EVERY: '0' });
    return { result, calls: h.calls() };
  }

  it('reads the participant count from statistics with a space after the colon', () => {
    const { result } = drain({ stats: '{"conferences": 1, "local_endpoints": 7}', jvbActive: true });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('waiting for the last participant (7 left)');
  });

  it('says a videobridge that is not running has nothing to drain, without asking it to shut down', () => {
    const { result, calls } = drain({ stats: '{}', jvbActive: false });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('the videobridge is not running: nothing to drain');
    expect(result.stdout).not.toContain('refused');
    expect(calls.some((c) => c.includes('colibri/shutdown'))).toBe(false);
    expect(calls.at(-1)).toMatch(/^aws autoscaling complete-lifecycle-action .*--lifecycle-action-result CONTINUE$/);
  });
});

describe('first look for a stored certificate', () => {
  const signaling = renderBundle(makeSpec());
  const files = signaling.files.filter((f) => f.path.startsWith(BOOT_DIR.slice(1)));

  function restore(awsError: string) {
    const h = scriptHarness(files, { aws: `echo '${awsError}' >&2; exit 254` });
    harnesses.push(h);
    return h.run(`source '${join(h.root, BOOT_DIR.slice(1), 'acme.sh')}'; restore`);
  }

  it("prints nothing of AWS's ParameterNotFound on a stack's first boot", () => {
    const result = restore('An error occurred (ParameterNotFound) when calling the GetParameter operation: Parameter /jitsi-eu/test/tls-certificate not found.');
    expect(result.status).toBe(1);
    expect(result.stdout + result.stderr).not.toContain('ParameterNotFound');
    expect(result.stdout).toContain('no stored certificate for this TLS mode');
  });

  it('still reports any other error reading it', () => {
    const result = restore('An error occurred (AccessDeniedException) when calling the GetParameter operation: not authorized');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('warning: could not read /jitsi-eu/test/tls-certificate: An error occurred (AccessDeniedException)');
  });
});

describe("Prosody's DNS library", () => {
  it('is installed explicitly on every host that runs Prosody (recommended packages are off)', () => {
    for (const spec of specVariants()) {
      const bundle = renderBundle(spec);
      for (const role of hostRoles(spec)) {
        const doc = parse(bundle.files.find((f) => f.path === cloudInitPath(role))!.content) as { packages: string[]; apt: { conf: string } };
        expect(doc.apt.conf).toContain('APT::Install-Recommends "false"');
        expect(doc.packages.includes('lua-unbound'), `${spec.stack} ${role}`).toBe(role === 'signaling');
        expect(doc.packages.includes('prosody'), `${spec.stack} ${role}`).toBe(role === 'signaling');
      }
    }
  });
});
