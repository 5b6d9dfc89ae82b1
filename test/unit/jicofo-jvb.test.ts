// The jicofo.conf and jvb.conf renderers: who connects where, with which account, and whether
// every jicofo/jvb setting of the privacy profile reaches a template. The HOCON itself is
// checked with the real parser in test/integration/hocon.test.ts.
import { describe, expect, it } from 'vitest';
import { privacyProfile } from '../../infra/privacy/profile.ts';
import type { JsonValue } from '../../infra/privacy/types.ts';
import { PINNED_JITSI_RELEASE } from '../../infra/privacy/upstream.ts';
import {
  findKnownHoconPath,
  HOCON_PATHS_CHECKED_AT_RELEASE,
  leafPaths,
} from '../../infra/privacy/upstream-hocon-paths.ts';
import { DRAIN_MAX_SECONDS } from '../../infra/lifecycle.ts';
import { BOOT_VALUES, DEPLOY_VALUES } from '../../infra/placeholders.ts';
import { secretPlaceholder, SECRET_PLACEHOLDER_PATTERN } from '../../infra/secrets.ts';
import { createEngine } from '../../infra/render/engine.ts';
import { jitsiHosts } from '../../infra/render/hosts.ts';
import type { RenderInput } from '../../infra/render/input.ts';
import { renderJicofo } from '../../infra/render/jicofo.ts';
import { renderJvb } from '../../infra/render/jvb.ts';
import type { BundleFile } from '../../infra/render/types.ts';
import type { DeploymentSpec } from '../../infra/spec/types.ts';
import { makeSpec, specVariants } from '../helpers/spec.ts';

interface Rendered {
  jicofo: BundleFile;
  jvb: BundleFile;
  used: Set<string>;
}

function render(spec: DeploymentSpec): Rendered {
  const profile = privacyProfile(spec);
  const used = new Set<string>();
  const engine = createEngine({ settings: profile.settings, onSettingUsed: (id) => used.add(id) });
  const input: RenderInput = { spec, hosts: jitsiHosts(spec), profile, engine };
  const jicofo = renderJicofo(input);
  const jvb = renderJvb(input);
  if (jicofo.length !== 1 || jvb.length !== 1) throw new Error('expected one jicofo.conf and one jvb.conf');
  return { jicofo: jicofo[0], jvb: jvb[0], used };
}

/**
 * The `path = value` assignments of a rendered file. The templates write one assignment per
 * line, open blocks with `name {` and write every value as JSON; anything else is an error
 * here, so a template that drifts from that layout is noticed.
 */
function assignments(text: string): Map<string, JsonValue> {
  const values = new Map<string, JsonValue>();
  const blocks: string[] = [];
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const open = /^([A-Za-z0-9_-]+)\s*\{$/.exec(line);
    if (open) {
      blocks.push(open[1]);
      continue;
    }
    if (line === '}') {
      if (blocks.pop() === undefined) throw new Error(`line ${index + 1}: unbalanced }`);
      continue;
    }
    const assign = /^([A-Za-z0-9_-]+)\s*=\s*(.+)$/.exec(line);
    if (!assign) throw new Error(`line ${index + 1}: not an assignment or block: ${line}`);
    let value: JsonValue;
    try {
      value = JSON.parse(assign[2]) as JsonValue;
    } catch {
      value = assign[2]; // an unquoted HOCON string, e.g. a duration
    }
    values.set([...blocks, assign[1]].join('.'), value);
  }
  if (blocks.length > 0) throw new Error(`unclosed blocks: ${blocks.join('.')}`);
  return values;
}

const MUC_CLIENT = 'videobridge.apis.xmpp-client.configs.signaling';

describe('jvb.conf: where the bridge logs in', () => {
  it('on a single node, connects to Prosody on loopback and keeps certificate verification', () => {
    const { jvb } = render(makeSpec({ topology: 'single' }));
    const values = assignments(jvb.content);
    expect(jvb.roles).toEqual(['signaling']);
    expect(values.get(`${MUC_CLIENT}.HOSTNAME`)).toBe('127.0.0.1');
    expect(values.get(`${MUC_CLIENT}.DISABLE_CERTIFICATE_VERIFICATION`)).toBe(false);
    expect(jvb.content).not.toContain('Off on purpose');
    expect(jvb.content).not.toContain(DEPLOY_VALUES.signalingPrivateIp);
  });

  it('on a scalable bridge, connects to the signaling node through the deploy-time token', () => {
    const { jvb } = render(makeSpec({ topology: 'scalable' }));
    const values = assignments(jvb.content);
    expect(jvb.roles).toEqual(['bridge']);
    expect(values.get(`${MUC_CLIENT}.HOSTNAME`)).toBe(DEPLOY_VALUES.signalingPrivateIp);
    expect(values.get(`${MUC_CLIENT}.SECURITY_MODE`)).toBe('required');
    expect(values.get(`${MUC_CLIENT}.DISABLE_CERTIFICATE_VERIFICATION`)).toBe(true);
    // Marked as deliberate right above it, naming the template that gives the full reasoning.
    expect(jvb.content).toMatch(/\n\s*# Off on purpose[^\n]*templates\/jvb\/jvb\.conf\.hbs[^\n]*\n\s*DISABLE_CERTIFICATE_VERIFICATION = true\n/);
  });

  it('gives each bridge its own brewery nickname, filled in at boot', () => {
    for (const topology of ['single', 'scalable'] as const) {
      const values = assignments(render(makeSpec({ topology })).jvb.content);
      expect(values.get(`${MUC_CLIENT}.MUC_NICKNAME`)).toBe(BOOT_VALUES.instanceId);
    }
  });

  it('ends a scalable bridge’s graceful shutdown before the drain hook gives up, and only there', () => {
    const scalable = assignments(render(makeSpec({ topology: 'scalable' })).jvb.content);
    const duration = scalable.get('videobridge.shutdown.graceful-shutdown-max-duration');
    const match = /^(\d+) seconds$/.exec(String(duration));
    expect(match).not.toBeNull();
    expect(Number(match?.[1])).toBeGreaterThan(0);
    expect(Number(match?.[1])).toBeLessThan(DRAIN_MAX_SECONDS);
    const single = assignments(render(makeSpec({ topology: 'single' })).jvb.content);
    expect(single.has('videobridge.shutdown.graceful-shutdown-max-duration')).toBe(false);
  });
});

describe('jicofo.conf and jvb.conf: hosts and accounts', () => {
  const spec = makeSpec({ domain: 'video.uni-example.eu', topology: 'scalable' });
  const hosts = jitsiHosts(spec);
  const { jicofo, jvb } = render(spec);
  const j = assignments(jicofo.content);
  const v = assignments(jvb.content);

  it('puts Jicofo in the brewery the bridges join', () => {
    expect(j.get('jicofo.bridge.brewery-jid')).toBe(hosts.breweryJid);
    expect(v.get(`${MUC_CLIENT}.MUC_JIDS`)).toBe(hosts.breweryJid);
  });

  it('logs Jicofo in as the focus account of this domain', () => {
    expect(`${String(j.get('jicofo.xmpp.client.username'))}@${String(j.get('jicofo.xmpp.client.domain'))}`).toBe(hosts.focusJid);
    expect(j.get('jicofo.xmpp.client.xmpp-domain')).toBe(hosts.domain);
    expect(j.get('jicofo.xmpp.client.conference-muc-jid')).toBe(hosts.muc);
    expect(j.get('jicofo.xmpp.client.client-proxy')).toBe(hosts.focusComponent);
    expect(j.get('jicofo.xmpp.client.hostname')).toBe('127.0.0.1');
    expect(jicofo.roles).toEqual(['signaling']);
  });

  it('logs the bridge in as the shared jvb account of this domain', () => {
    expect(`${String(v.get(`${MUC_CLIENT}.USERNAME`))}@${String(v.get(`${MUC_CLIENT}.DOMAIN`))}`).toBe(hosts.jvbJid);
  });

  it('carries passwords only as placeholders, in files other users cannot read', () => {
    expect(j.get('jicofo.xmpp.client.password')).toBe(secretPlaceholder('focus-password'));
    expect(v.get(`${MUC_CLIENT}.PASSWORD`)).toBe(secretPlaceholder('jvb-password'));
    expect([...jicofo.content.matchAll(SECRET_PLACEHOLDER_PATTERN)].map((m) => m[1])).toEqual(['focus-password']);
    expect([...jvb.content.matchAll(SECRET_PLACEHOLDER_PATTERN)].map((m) => m[1])).toEqual(['jvb-password']);
    for (const file of [jicofo, jvb]) {
      expect(file.mode).toBe('0640');
      expect(file.owner).toMatch(/^[a-z]+:jitsi$/);
    }
  });
});

describe('jicofo.conf: authentication per auth mode', () => {
  it('checks passwords itself only for secure-domain deployments', () => {
    const secure = assignments(render(makeSpec({ auth: 'secure', domain: 'meet.example.eu' })).jicofo.content);
    expect(secure.get('jicofo.authentication.enabled')).toBe(true);
    expect(secure.get('jicofo.authentication.type')).toBe('XMPP');
    expect(secure.get('jicofo.authentication.login-url')).toBe('meet.example.eu');

    for (const auth of ['jwt', 'anonymous'] as const) {
      const values = assignments(render(makeSpec({ auth, lobby: auth !== 'anonymous' })).jicofo.content);
      expect(values.get('jicofo.authentication.enabled'), auth).toBe(false);
      expect(values.has('jicofo.authentication.login-url'), auth).toBe(false);
    }
  });
});

describe('privacy profile and templates', () => {
  it('uses every jicofo and jvb setting of the profile in every variant, and reads no other', () => {
    for (const spec of specVariants()) {
      const { used } = render(spec);
      const own = privacyProfile(spec)
        .settings.filter((s) => s.component === 'jicofo' || s.component === 'jvb')
        .map((s) => s.id);
      expect(own.length).toBeGreaterThan(0);
      expect([...used].sort(), spec.stack).toEqual([...own].sort());
    }
  });

  it('keeps the ids other components refer to', () => {
    const byId = new Map(privacyProfile(makeSpec()).settings.map((s) => [s.id, s]));
    expect(byId.get('jvb-stun-mapping-addresses')).toMatchObject({ key: 'ice4j.harvest.mapping.stun.addresses', value: [] });
    expect(byId.get('jvb-aws-harvester')).toMatchObject({ key: 'ice4j.harvest.mapping.aws.enabled', value: false });
  });

  it('maps the bridge from the private to the public address the host reads at boot', () => {
    const mapping = privacyProfile(makeSpec()).settings.find((s) => s.id === 'jvb-static-mappings');
    expect(mapping?.value).toEqual([{ 'local-address': BOOT_VALUES.localIpv4, 'public-address': BOOT_VALUES.publicIpv4 }]);
  });

  it('renders the same bytes for the same stack', () => {
    const spec = makeSpec({ topology: 'scalable', auth: 'jwt' });
    const first = render(spec);
    const second = render(spec);
    expect(second.jicofo.content).toBe(first.jicofo.content);
    expect(second.jvb.content).toBe(first.jvb.content);
  });
});

describe('known upstream HOCON paths', () => {
  it('were checked at the Jitsi release the hosts install', () => {
    // Bumping the pinned release means checking these paths again.
    expect(HOCON_PATHS_CHECKED_AT_RELEASE).toBe(PINNED_JITSI_RELEASE);
  });

  it('turn a parsed tree into leaf paths, with lists of objects marked []', () => {
    const tree: JsonValue = {
      a: { b: 1, c: { d: 'x' }, empty: {} },
      list: [{ k: 1, l: 2 }, { k: 3 }],
      scalars: ['x', 'y'],
      none: [],
    };
    expect(leafPaths(tree).sort()).toEqual(['a.b', 'a.c.d', 'a.empty', 'list[].k', 'list[].l', 'none', 'scalars'].sort());
  });

  it('match a connection id with * but nothing else', () => {
    // jicoco's MUC client reads the keys of each connection (HOSTNAME, USERNAME, ...) itself.
    expect(findKnownHoconPath('jvb', 'videobridge.apis.xmpp-client.configs.any-id.HOSTNAME')).toEqual({
      path: 'videobridge.apis.xmpp-client.configs.*.HOSTNAME',
      source: 'jicoco',
      file: 'jicoco-mucclient/src/main/java/org/jitsi/xmpp/mucclient/MucClientConfiguration.java',
    });
    expect(findKnownHoconPath('jvb', 'videobridge.apis.xmpp-client.configs.any-id.HOSTNAMES')).toBeUndefined();
    expect(findKnownHoconPath('jvb', 'videobridge.apis.xmpp-client.configs.HOSTNAME')).toBeUndefined();
    // ice4j's reference.conf has no static-mappings entry: HarvestConfig reads the list itself.
    expect(findKnownHoconPath('jvb', 'ice4j.harvest.mapping.static-mappings[].local-address')).toEqual({
      path: 'ice4j.harvest.mapping.static-mappings[].local-address',
      source: 'ice4j',
      file: 'src/main/kotlin/org/ice4j/ice/harvest/HarvestConfig.kt',
    });
    expect(findKnownHoconPath('jvb', 'ice4j.harvest.mapping.static-mappings.local-address')).toBeUndefined();
    // A jvb path is not a jicofo path.
    expect(findKnownHoconPath('jicofo', 'videobridge.ice.udp.port')).toBeUndefined();
  });
});
