// jicofo.conf and jvb.conf as the services read them: Typesafe Config (the HOCON library Jicofo
// and the videobridge use) parses and resolves every rendered variant, with the boot, deploy and
// secret tokens still in, and the tests then look at the parsed values, not at the text.
import { execFile } from 'node:child_process';
import { accessSync, constants, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { privacyProfile } from '../../infra/privacy/profile.ts';
import type { JsonValue, PrivacySetting } from '../../infra/privacy/types.ts';
import { THIRD_PARTY_HOSTS } from '../../infra/privacy/third-party-hosts.ts';
import {
  findKnownHoconPath,
  KNOWN_HOCON_PATHS,
  leafPaths,
  type HoconComponent,
} from '../../infra/privacy/upstream-hocon-paths.ts';
import { ANY_PLACEHOLDER_PATTERN } from '../../infra/placeholders.ts';
import { createEngine } from '../../infra/render/engine.ts';
import { jitsiHosts } from '../../infra/render/hosts.ts';
import type { RenderInput } from '../../infra/render/input.ts';
import { renderJicofo } from '../../infra/render/jicofo.ts';
import { renderJvb } from '../../infra/render/jvb.ts';
import type { DeploymentSpec } from '../../infra/spec/types.ts';
import { specVariants } from '../helpers/spec.ts';
import { requireTool, tempDir } from '../helpers/tools.ts';

const TYPESAFE_CONFIG_JAR = '/usr/share/java/typesafe-config.jar';
const PROBE = fileURLToPath(new URL('../fixtures/hocon/HoconProbe.java', import.meta.url));

type JsonObject = { [key: string]: JsonValue };
type ProbeReport =
  | { file: string; ok: true; root: JsonObject; values: Record<string, JsonValue | null> }
  | { file: string; ok: false; error: string; line: number | null };

interface ProbeRun {
  exitCode: number;
  reports: ProbeReport[];
}

function requireTypesafeConfig(): string {
  try {
    accessSync(TYPESAFE_CONFIG_JAR, constants.R_OK);
  } catch {
    throw new Error(`${TYPESAFE_CONFIG_JAR} is missing: install libtypesafe-config-java (bash .ci/run installs it)`);
  }
  return TYPESAFE_CONFIG_JAR;
}

/** Runs the Java probe on `files`, asking for the values at `paths`. */
function runProbe(files: string[], paths: string[]): Promise<ProbeRun> {
  const java = requireTool('java');
  const jar = requireTypesafeConfig();
  const args = ['-cp', jar, PROBE, ...paths.flatMap((p) => ['--path', p]), ...files];
  return new Promise((resolve, reject) => {
    execFile(java, args, { maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const exitCode = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      if (exitCode !== 0 && exitCode !== 1) {
        reject(new Error(`HoconProbe failed (exit ${exitCode}): ${stderr || String(error)}`));
        return;
      }
      const reports = stdout
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as ProbeReport);
      resolve({ exitCode, reports });
    });
  });
}

interface RenderedVariant {
  spec: DeploymentSpec;
  settings: PrivacySetting[];
  files: Record<HoconComponent, string>;
}

function renderVariant(spec: DeploymentSpec, dir: string): RenderedVariant {
  const profile = privacyProfile(spec);
  const input: RenderInput = { spec, hosts: jitsiHosts(spec), profile, engine: createEngine({ settings: profile.settings }) };
  const [jicofo] = renderJicofo(input);
  const [jvb] = renderJvb(input);
  const files = { jicofo: join(dir, `${spec.stack}.jicofo.conf`), jvb: join(dir, `${spec.stack}.jvb.conf`) };
  writeFileSync(files.jicofo, jicofo.content);
  writeFileSync(files.jvb, jvb.content);
  const settings = profile.settings.filter((s) => s.component === 'jicofo' || s.component === 'jvb');
  return { spec, settings, files };
}

function stringLeaves(tree: JsonValue): string[] {
  if (typeof tree === 'string') return [tree];
  if (Array.isArray(tree)) return tree.flatMap(stringLeaves);
  if (tree !== null && typeof tree === 'object') return Object.values(tree).flatMap(stringLeaves);
  return [];
}

/** Host names and IPv4 addresses a configuration value points at (URLs, JIDs, host:port). */
function hostsNamedIn(value: string): string[] {
  const hosts: string[] = [];
  for (const word of value.replace(ANY_PLACEHOLDER_PATTERN, ' ').split(/[\s,;]+/)) {
    let host = word;
    if (host.includes('://')) {
      try {
        host = new URL(host).hostname;
      } catch {
        continue;
      }
    } else {
      host = host.slice(host.lastIndexOf('@') + 1).split('/')[0].replace(/:\d+$/, '');
    }
    const isIpv4 = /^\d{1,3}(?:\.\d{1,3}){3}$/.test(host);
    const isName = /^(?:[a-z0-9-]+\.)+[a-z][a-z0-9-]*$/i.test(host);
    if (isIpv4 || isName) hosts.push(host.toLowerCase());
  }
  return hosts;
}

function isOwnHost(host: string, domain: string): boolean {
  return host === domain || host.endsWith(`.${domain}`) || host === '127.0.0.1';
}

/** A rendered jvb connection key, with the connection id (ours to choose) written as `*`. */
const cataloguedPath = (leaf: string) => leaf.replace(/^(videobridge\.apis\.xmpp-client\.configs\.)[^.]+\./, '$1*.');

/**
 * The catalogue entry a rendered leaf must have: which upstream repository reads each namespace
 * of jicofo.conf and jvb.conf at the pinned release, and in which file.
 */
function upstreamRecordFor(component: HoconComponent, leaf: string): unknown {
  const path = cataloguedPath(leaf);
  // Jicofo's own options, in one of its modules.
  if (component === 'jicofo') return { path, source: 'jicofo', file: expect.stringMatching(/^jicofo(-common|-selector)?\/src\/main\//) };
  // Each XMPP connection's keys are read by jicoco's MUC client, not declared by the videobridge.
  if (path.startsWith('videobridge.apis.xmpp-client.configs.*.')) {
    return { path, source: 'jicoco', file: 'jicoco-mucclient/src/main/java/org/jitsi/xmpp/mucclient/MucClientConfiguration.java' };
  }
  // The videobridge's reference.conf leaves the private server's port to jicoco's Jetty defaults.
  if (path === 'videobridge.http-servers.private.port') {
    return { path, source: 'jicoco', file: 'jicoco-jetty/src/main/kotlin/org/jitsi/rest/JettyBundleActivatorConfig.kt' };
  }
  if (path.startsWith('videobridge.')) return { path, source: 'jvb', file: 'jvb/src/main/resources/reference.conf' };
  if (path.startsWith('jmt.')) return { path, source: 'jvb', file: 'jitsi-media-transform/src/main/resources/reference.conf' };
  if (path.startsWith('ice4j.')) return { path, source: 'ice4j', file: expect.stringMatching(/^src\/main\/(resources\/reference\.conf|kotlin\/org\/ice4j\/)/) };
  return { path, source: 'none of jicofo, jvb, jicoco or ice4j reads this namespace', file: '' };
}

describe('jicofo.conf and jvb.conf under Typesafe Config', () => {
  const dir = tempDir('jitsi-eu-hocon-');
  const variants: RenderedVariant[] = [];
  let run: ProbeRun;
  const reportFor = (file: string): ProbeReport => {
    const report = run.reports.find((r) => r.file === file);
    if (!report) throw new Error(`the probe printed nothing for ${file}`);
    return report;
  };
  const parsed = (file: string) => {
    const report = reportFor(file);
    if (!report.ok) throw new Error(`${file} did not parse: ${report.error}`);
    return report;
  };

  beforeAll(async () => {
    for (const spec of specVariants()) variants.push(renderVariant(spec, dir.path));
    const keys = [...new Set(variants.flatMap((v) => v.settings.map((s) => s.key)))];
    run = await runProbe(variants.flatMap((v) => [v.files.jicofo, v.files.jvb]), keys);
  });

  afterAll(() => dir.remove());

  it('parses and resolves both files of every spec variant', () => {
    expect(variants.length).toBeGreaterThan(10);
    const failures = run.reports.filter((r) => !r.ok);
    expect(failures).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(run.reports).toHaveLength(variants.length * 2);
  });

  it('holds every jicofo and jvb privacy setting at its HOCON path, with the profile value', () => {
    for (const variant of variants) {
      expect(variant.settings.length).toBeGreaterThan(0);
      for (const setting of variant.settings) {
        const report = parsed(variant.files[setting.component as HoconComponent]);
        expect(report.values[setting.key], `${variant.spec.stack}: ${setting.id} at ${setting.key}`).toEqual(setting.value);
      }
    }
  });

  it('gives the bridge no STUN server and names no host but the deployment itself', () => {
    const thirdParty = THIRD_PARTY_HOSTS.map((h) => h.host.toLowerCase());
    for (const variant of variants) {
      const jvb = parsed(variant.files.jvb);
      expect(jvb.values['ice4j.harvest.mapping.stun.addresses']).toEqual([]);
      for (const component of ['jicofo', 'jvb'] as const) {
        const { root } = parsed(variant.files[component]);
        // No STUN option anywhere except the empty address list.
        const stunPaths = leafPaths(root).filter((p) => /stun/i.test(p));
        expect(stunPaths.every((p) => p === 'ice4j.harvest.mapping.stun.addresses')).toBe(true);
        const named = stringLeaves(root).flatMap(hostsNamedIn);
        expect(named.length).toBeGreaterThan(0);
        for (const host of named) {
          expect(isOwnHost(host, variant.spec.domain), `${variant.spec.stack} ${component}: ${host}`).toBe(true);
          expect(thirdParty).not.toContain(host);
        }
      }
    }
  });

  it('uses only HOCON paths that upstream defines or reads at the pinned release', () => {
    const matched: Record<HoconComponent, Set<string>> = { jicofo: new Set(), jvb: new Set() };
    for (const variant of variants) {
      for (const component of ['jicofo', 'jvb'] as const) {
        for (const path of leafPaths(parsed(variant.files[component]).root)) {
          const known = findKnownHoconPath(component, path);
          expect(known, `${variant.spec.stack} ${component}: ${path} is not a known upstream path, or is catalogued under the wrong source`).toEqual(upstreamRecordFor(component, path));
          if (known) matched[component].add(known.path);
        }
      }
    }
    // The catalogue lists nothing the templates no longer write.
    for (const component of ['jicofo', 'jvb'] as const) {
      expect([...matched[component]].sort()).toEqual(KNOWN_HOCON_PATHS[component].map((k) => k.path).sort());
    }
  });

  it('gives the videobridge an XMPP connection it will not silently drop as incomplete', () => {
    for (const variant of variants) {
      const { root } = parsed(variant.files.jvb);
      const configs = ((root.videobridge as JsonObject).apis as JsonObject)['xmpp-client'] as JsonObject;
      const connections = Object.values(configs.configs as JsonObject) as JsonObject[];
      expect(connections).toHaveLength(1);
      const [connection] = connections;
      for (const required of ['HOSTNAME', 'USERNAME', 'PASSWORD', 'MUC_JIDS', 'MUC_NICKNAME']) {
        expect(typeof connection[required], `${variant.spec.stack}: ${required}`).toBe('string');
        expect(connection[required]).not.toBe('');
      }
      expect(['required', 'ifpossible', 'disabled']).toContain(connection.SECURITY_MODE);
    }
  });

  describe('the harness itself', () => {
    it('reports a syntax error with the line it is on', async () => {
      const source = readFileSync(variants[0].files.jvb, 'utf8').split('\n');
      const brokenLine = 12;
      source.splice(brokenLine - 1, 0, '  this line = = is not HOCON }');
      const broken = join(dir.path, 'broken.jvb.conf');
      writeFileSync(broken, source.join('\n'));
      const result = await runProbe([broken], []);
      expect(result.exitCode).toBe(1);
      const [report] = result.reports;
      expect(report.ok).toBe(false);
      if (!report.ok) expect(report.line).toBe(brokenLine);
    });

    it('reports a substitution that cannot be resolved', async () => {
      const source = readFileSync(variants[0].files.jicofo, 'utf8').split('\n');
      source.push('jicofo.rest.port = ${jicofo.no-such-option}');
      const unresolved = join(dir.path, 'unresolved.jicofo.conf');
      writeFileSync(unresolved, source.join('\n'));
      const result = await runProbe([unresolved], []);
      expect(result.exitCode).toBe(1);
      const [report] = result.reports;
      expect(report.ok).toBe(false);
      if (!report.ok) {
        expect(report.error).toContain('jicofo.no-such-option');
        expect(report.line).toBe(source.length);
      }
    });
  });
});
