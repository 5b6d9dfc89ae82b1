// The rules verify judges a deployment by, on hand-made inputs: header grading, CSP sources,
// exposed admin routes, loaded resources, profile comparison, security-group design, health output,
// certificate signature algorithms, TLS probe outcomes, session data in responses and the
// evaluation of served configuration files.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { SecurityGroup } from '@aws-sdk/client-ec2';
import type { PrivacySetting } from '../../infra/privacy/types.ts';
import { hstsMaxAge, judgeReferrerPolicy, nonFirstPartySource, parseCspHeader, sessionDataIn } from '../../scripts/verify/checks/http.ts';
import { serverAnswer } from '../../scripts/verify/checks/tls.ts';
import { exposureOf, looksLikeAppShell, pointsAtDomain } from '../../scripts/verify/checks/jitsi.ts';
import { compareSettings, hostOfUrl, iceUrls, loadedResources, mentionsHost } from '../../scripts/verify/checks/privacy.ts';
import { expectedWorldIngress, judgeJicofo, judgeJvbHealth, judgeSecurityGroups, parseHealthOutput } from '../../scripts/verify/checks/aws.ts';
import { isNonPublicAddress } from '../../scripts/verify/checks/dns.ts';
import { evaluateConfigScript, valueAt } from '../../scripts/verify/js-config.ts';
import { foreignContacts, iceHost } from '../../scripts/verify/browser/recorder.ts';
import { signatureAlgorithm } from '../../scripts/verify/x509.ts';
import type { HttpResponse } from '../../scripts/verify/net/http.ts';
import type { InstanceView } from '../../scripts/verify/aws/inventory.ts';
import { makeSpec } from '../helpers/spec.ts';
import { requireTool, tempDir } from '../helpers/tools.ts';

const response = (status: number, type: string, body: string): HttpResponse => ({ status, headers: { 'content-type': type }, body, truncated: false });

describe('HTTP header rules', () => {
  it('reads max-age from HSTS values, tolerating order and quotes', () => {
    expect(hstsMaxAge('max-age=63072000; includeSubDomains')).toBe(63072000);
    expect(hstsMaxAge('includeSubDomains; max-age="300"')).toBe(300);
    expect(hstsMaxAge('includeSubDomains')).toBeUndefined();
  });

  it('grades referrer policies: private ones pass, origin-only ones warn, leaking ones fail', () => {
    expect(judgeReferrerPolicy('no-referrer').level).toBe('ok');
    expect(judgeReferrerPolicy('unsafe-url, same-origin').level).toBe('ok');
    expect(judgeReferrerPolicy('strict-origin-when-cross-origin').level).toBe('warn');
    expect(judgeReferrerPolicy('no-referrer-when-downgrade').level).toBe('fail');
    expect(judgeReferrerPolicy(undefined).level).toBe('fail');
  });

  it('accepts first-party CSP sources and names the others', () => {
    expect(nonFirstPartySource("'self'", 'script-src', 'meet.example.org')).toBeUndefined();
    expect(nonFirstPartySource("'wasm-unsafe-eval'", 'script-src', 'meet.example.org')).toBeUndefined();
    expect(nonFirstPartySource('wss://meet.example.org', 'connect-src', 'meet.example.org')).toBeUndefined();
    expect(nonFirstPartySource('blob:', 'worker-src', 'meet.example.org')).toBeUndefined();
    expect(nonFirstPartySource('data:', 'script-src', 'meet.example.org')).toContain('arbitrary code');
    expect(nonFirstPartySource('https:', 'img-src', 'meet.example.org')).toContain('any host');
    expect(nonFirstPartySource('*', 'connect-src', 'meet.example.org')).toContain('any host');
    expect(nonFirstPartySource('https://www.gravatar.com', 'img-src', 'meet.example.org')).toContain('another host');
    const csp = parseCspHeader("default-src 'self'; connect-src 'self' wss://meet.example.org");
    expect(csp.get('connect-src')).toEqual(["'self'", 'wss://meet.example.org']);
  });
});

describe('Jitsi endpoint rules', () => {
  const appShell = '<html><head><title>Jitsi Meet</title><script>var config = {};</script></head><body><div id="react"></div></body></html>';

  it('recognises the app page', () => {
    expect(looksLikeAppShell(response(200, 'text/html', appShell))).toBe(true);
    expect(looksLikeAppShell(response(200, 'text/html', '<h1>Welcome to nginx!</h1>'))).toBe(false);
    expect(looksLikeAppShell(response(404, 'text/html', appShell))).toBe(false);
  });

  it('judges internal routes by their bodies, not their status codes', () => {
    expect(exposureOf(response(404, 'text/html', '<center>nginx</center>'), appShell)).toBeUndefined();
    expect(exposureOf(response(200, 'text/html', appShell), appShell)).toBeUndefined();
    expect(exposureOf(response(200, 'application/json', '{"room_census":[]}'), appShell)).toContain('JSON');
    expect(exposureOf(response(200, 'text/plain', '# HELP prosody_cpu CPU\n# TYPE prosody_cpu counter\n'), appShell)).toContain('metrics');
    expect(exposureOf(response(404, 'text/html', '<p>Whatever you were looking for is not here. Keep looking.</p>'), appShell)).toContain('Prosody');
    expect(exposureOf(response(502, 'text/html', '<center>nginx</center>'), appShell)).toContain('backend');
  });

  it('accepts BOSH/WebSocket URLs on the domain, relative or absolute', () => {
    expect(pointsAtDomain('/http-bind', 'meet.example.org', ['https:'])).toBe(true);
    expect(pointsAtDomain('//meet.example.org/http-bind', 'meet.example.org', ['https:'])).toBe(true);
    expect(pointsAtDomain('wss://meet.example.org/xmpp-websocket', 'meet.example.org', ['wss:'])).toBe(true);
    expect(pointsAtDomain('wss://other.example.org/xmpp-websocket', 'meet.example.org', ['wss:'])).toBe(false);
    expect(pointsAtDomain('ws://meet.example.org/xmpp-websocket', 'meet.example.org', ['wss:'])).toBe(false);
  });
});

describe('privacy rules', () => {
  it('lists what an HTML page loads, not what it merely links', () => {
    const html = `<html><head>
      <link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Open+Sans">
      <link rel="canonical" href="https://elsewhere.example.net/">
      <script src="libs/app.bundle.min.js"></script>
      <style>body { background: url('https://cdn.example.net/bg.png') }</style>
    </head><body>
      <img srcset="a.png 1x, https://img.example.net/b.png 2x">
      <a href="https://jitsi.org/">a link</a>
      <iframe src="//player.example.com/embed"></iframe>
    </body></html>`;
    expect(loadedResources(html)).toEqual([
      'https://fonts.googleapis.com/css?family=Open+Sans',
      'libs/app.bundle.min.js',
      'https://cdn.example.net/bg.png',
      'a.png',
      'https://img.example.net/b.png',
      '//player.example.com/embed',
    ]);
  });

  it('finds the host of URLs, protocol-relative URLs and ICE URLs', () => {
    expect(hostOfUrl('https://User@Meet.Example.org:8443/x')).toBe('meet.example.org');
    expect(hostOfUrl('//cdn.example.net/a.js')).toBe('cdn.example.net');
    expect(hostOfUrl('stun:meet-jit-si-turnrelay.jitsi.net:443')).toBe('meet-jit-si-turnrelay.jitsi.net');
    expect(hostOfUrl('turns:[2001:db8::1]:5349?transport=tcp')).toBe('2001:db8::1');
    expect(hostOfUrl('relative/path.js')).toBeUndefined();
    expect(iceUrls([{ urls: 'stun:a.example:3478' }, { urls: ['turn:b.example', 'turns:c.example'] }, 'junk'])).toEqual([
      'stun:a.example:3478',
      'turn:b.example',
      'turns:c.example',
    ]);
  });

  it('matches known third-party hosts as whole names, wildcards included', () => {
    expect(mentionsHost('see https://www.jitsi.org/x', 'jitsi.org')).toBe(true);
    expect(mentionsHost('notjitsi.org', 'jitsi.org')).toBe(false);
    expect(mentionsHost('eght-excalidraw-backend.cloudflare.jitsi.net', '*.cloudflare.jitsi.net')).toBe(true);
    expect(mentionsHost('cloudflare.jitsi.net', '*.cloudflare.jitsi.net')).toBe(false);
  });

  it('compares profile settings with the served values by deep equality', () => {
    const setting = (id: string, key: string, value: PrivacySetting['value']): PrivacySetting => ({
      id, key, value, component: 'web-config', category: 'no-telemetry', reason: 'r', upstreamDefault: 'd',
    });
    const served = evaluateConfigScript('var config = { p2p: { enabled: false, stunServers: [] }, analytics: { disabled: true } };', 'config');
    const result = compareSettings(
      [
        setting('a', 'p2p.enabled', false),
        setting('b', 'p2p.stunServers', []),
        setting('c', 'analytics.disabled', false),
        setting('d', 'startWithAudioMuted', true),
        setting('e', 'not a path', true),
      ],
      served,
    );
    expect(result.matched).toBe(2);
    expect(result.mismatches).toHaveLength(2);
    expect(result.mismatches[0]).toContain('analytics.disabled is true, profile says false');
    expect(result.mismatches[1]).toContain('startWithAudioMuted is missing');
    expect(result.unreadable).toEqual(['e (key "not a path")']);
  });
});

describe('served configuration files', () => {
  it('evaluates config.js in a sandbox into plain JSON', () => {
    const config = evaluateConfigScript('var config = { hosts: { domain: "d" }, fn: function () {} };\nconfig.p2p = { enabled: false };', 'config');
    expect(config).toEqual({ hosts: { domain: 'd' }, p2p: { enabled: false } });
    expect(valueAt(config, 'p2p.enabled')).toBe(false);
    expect(valueAt(config, 'p2p.missing.deeper')).toBeUndefined();
  });

  it('reports a file that does not evaluate or does not define the object', () => {
    expect(() => evaluateConfigScript('var config = {', 'config')).toThrow(/does not evaluate/);
    expect(() => evaluateConfigScript('var other = {};', 'config')).toThrow(/does not define config/);
    expect(() => evaluateConfigScript('for (;;) {}', 'config', 50)).toThrow(/does not evaluate/);
  });
});

describe('browser recording rules', () => {
  it('separates the deployment (and its subdomains) from everything else', () => {
    const foreign = foreignContacts(
      {
        title: '',
        requests: [
          { url: 'https://meet.example.org/libs/app.js', host: 'meet.example.org', type: 'script' },
          { url: 'wss://meet.example.org/xmpp-websocket', host: 'meet.example.org', type: 'websocket' },
          { url: 'https://www.gravatar.com/avatar/x', host: 'www.gravatar.com', type: 'image' },
        ],
        websockets: [],
        blocked: [],
        iceServers: [{ urls: ['stun:meet.example.org:3478', 'stun:stun.l.google.com:19302'], hasCredential: false }],
        cookies: [],
        localStorageKeys: [],
      },
      'meet.example.org',
    );
    expect(foreign).toEqual({ requests: ['https://www.gravatar.com/avatar/x'], ice: ['stun:stun.l.google.com:19302'] });
    expect(iceHost('turns:Meet.Example.org:5349?transport=tcp')).toBe('meet.example.org');
  });
});

describe('address rules', () => {
  it('knows which addresses are not on the public Internet', () => {
    for (const ip of ['127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '::1', 'fd00::1']) {
      expect(isNonPublicAddress(ip)).toBe(true);
    }
    for (const ip of ['3.120.0.1', '172.32.0.1', '2a05:d014::1']) expect(isNonPublicAddress(ip)).toBe(false);
  });
});

describe('security group design', () => {
  const world = (protocol: string, from: number, to = from) => ({ IpProtocol: protocol, FromPort: from, ToPort: to, IpRanges: [{ CidrIp: '0.0.0.0/0' }] });
  const group = (...permissions: object[]): SecurityGroup => ({ GroupId: 'sg-1', IpPermissions: permissions });
  const single = makeSpec({ topology: 'single', turn: false });

  it('expects 443, 80 and UDP 10000 on a single node without TURN', () => {
    expect(expectedWorldIngress(single, 'signaling')).toEqual([
      { protocol: 'tcp', from: 443, to: 443 },
      { protocol: 'tcp', from: 80, to: 80 },
      { protocol: 'udp', from: 10000, to: 10000 },
    ]);
  });

  it('accepts exactly the designed rules', () => {
    expect(judgeSecurityGroups(single, 'signaling', [group(world('tcp', 443), world('tcp', 80), world('udp', 10000))])).toEqual([]);
  });

  it('names SSH from the world, all-traffic rules, missing and unexpected rules', () => {
    const problems = judgeSecurityGroups(single, 'signaling', [
      group(world('tcp', 443), world('tcp', 20, 30), world('-1', 0, 0), world('udp', 5000)),
    ]);
    expect(problems.join('\n')).toContain('includes admin port 22');
    expect(problems.join('\n')).toContain('all traffic open to the world');
    expect(problems.join('\n')).toContain('udp/5000 open to the world is not part of the design');
    expect(problems.join('\n')).toContain('tcp/80 is not open to the world');
    expect(problems.join('\n')).toContain('udp/10000 is not open to the world');
  });

  it('allows XMPP only from the bridges on a scalable signaling node', () => {
    const scalable = makeSpec({ topology: 'scalable', turn: false });
    const fromGroup = { IpProtocol: 'tcp', FromPort: 5222, ToPort: 5222, UserIdGroupPairs: [{ GroupId: 'sg-bridges' }] };
    const fromCidr = { IpProtocol: 'tcp', FromPort: 5222, ToPort: 5222, IpRanges: [{ CidrIp: '10.0.0.0/8' }] };
    expect(judgeSecurityGroups(scalable, 'signaling', [group(world('tcp', 443), world('tcp', 80), fromGroup)])).toEqual([]);
    expect(judgeSecurityGroups(scalable, 'signaling', [group(world('tcp', 443), world('tcp', 80), fromCidr)]).join()).toContain('from 10.0.0.0/8');
    expect(judgeSecurityGroups(scalable, 'bridge', [group(world('udp', 10000))])).toEqual([]);
  });
});

describe('service health through SSM', () => {
  const instance = (id: string, role: 'signaling' | 'bridge'): InstanceView => ({ id, role, state: 'running', availabilityZone: 'eu-central-1a', securityGroupIds: [] });

  it('parses the health script output', () => {
    expect(parseHealthOutput('jvb=200\njicofo=503\nbridges=2\n')).toEqual({ jvb: 200, jicofo: 503, bridges: 2 });
    expect(parseHealthOutput('jvb=000\njicofo=\nbridges=\n')).toEqual({ jvb: 0 });
  });

  it('judges a single node: JVB and jicofo on the signaling host, one bridge expected', () => {
    const run = { instances: [instance('i-1', 'signaling')], results: new Map([['i-1', { status: 'Success', stdout: 'jvb=200\njicofo=200\nbridges=1\n' }]]) };
    expect(judgeJvbHealth(makeSpec(), run).ok).toBe(true);
    expect(judgeJicofo(makeSpec(), run).health.ok).toBe(true);
    expect(judgeJicofo(makeSpec(), run).bridges.ok).toBe(true);
  });

  it('judges a scalable deployment: every bridge healthy and counted by jicofo', () => {
    const spec = makeSpec({ topology: 'scalable', bridges: { min: 2, max: 4, instanceType: 'c6i.2xlarge' } });
    const run = {
      instances: [instance('i-s', 'signaling'), instance('i-b1', 'bridge'), instance('i-b2', 'bridge')],
      results: new Map([
        ['i-s', { status: 'Success', stdout: 'jvb=000\njicofo=200\nbridges=1\n' }],
        ['i-b1', { status: 'Success', stdout: 'jvb=200\n' }],
        ['i-b2', { status: 'Failed', stdout: '' }],
      ]),
    };
    const jvb = judgeJvbHealth(spec, run);
    expect(jvb.ok).toBe(false);
    expect(jvb.detail).toContain('i-b2: no answer (command Failed)');
    const jicofo = judgeJicofo(spec, run);
    expect(jicofo.health.ok).toBe(true);
    expect(jicofo.bridges).toEqual({ ok: false, detail: 'jicofo sees 1 operational bridge, expected 2' });
  });
});

describe('certificate signature algorithm', () => {
  const dir = tempDir('jitsi-eu-verify-x509-');
  afterAll(() => dir.remove());

  function selfSigned(name: string, args: string[]): Buffer {
    const openssl = requireTool('openssl');
    const cert = join(dir.path, `${name}.pem`);
    execFileSync(openssl, ['req', '-x509', '-nodes', ...args, '-keyout', join(dir.path, `${name}.key`), '-out', cert, '-days', '1', '-subj', `/CN=${name}`], { stdio: 'ignore' });
    return new X509Certificate(readFileSync(cert)).raw;
  }

  it('reads SHA-256 RSA, SHA-384 ECDSA and flags SHA-1 as weak', () => {
    expect(signatureAlgorithm(selfSigned('rsa', ['-newkey', 'rsa:2048', '-sha256']))).toMatchObject({ name: 'sha256WithRSAEncryption', weak: false });
    expect(signatureAlgorithm(selfSigned('ec', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:secp384r1', '-sha384']))).toMatchObject({ name: 'ecdsa-with-SHA384', weak: false });
    expect(signatureAlgorithm(selfSigned('sha1', ['-newkey', 'rsa:2048', '-sha1']))).toMatchObject({ name: 'sha1WithRSAEncryption', weak: true });
  });
});

describe('TLS probe outcomes, judged from the server side', () => {
  const failed = (code: string) => ({ ok: false as const, code, message: code });
  it('counts only what the server did as a refusal', () => {
    expect(serverAnswer(failed('ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION'))).toBe('refused');
    expect(serverAnswer(failed('ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE'))).toBe('refused');
    expect(serverAnswer(failed('ERR_SSL_UNSUPPORTED_PROTOCOL'))).toBe('refused');
    expect(serverAnswer(failed('ECONNRESET'))).toBe('refused');
  });

  it('counts a handshake this client stopped after the server agreed as accepted', () => {
    expect(serverAnswer(failed('ERR_SSL_INAPPROPRIATE_FALLBACK'))).toBe('accepted');
    expect(serverAnswer(failed('ERR_SSL_LEGACY_SIGALG_DISALLOWED_OR_UNSUPPORTED'))).toBe('accepted');
    expect(serverAnswer(failed('ERR_SSL_DH_KEY_TOO_SMALL'))).toBe('accepted');
  });

  it('cannot tell when this client could not offer or got no answer', () => {
    for (const code of ['ERR_SSL_NO_PROTOCOLS_AVAILABLE', 'ERR_SSL_WRONG_VERSION_NUMBER', 'timeout', 'aborted']) expect([code, serverAnswer(failed(code))]).toEqual([code, 'unknown']);
  });
});

describe('session data in a response', () => {
  const marker = 'jitsieu0123abcd';
  const withHeaders = (headers: HttpResponse['headers'], body = ''): HttpResponse => ({ status: 200, headers, body, truncated: false });
  it('finds cookies, the reflected token and BOSH session ids', () => {
    expect(sessionDataIn(withHeaders({ 'set-cookie': ['sid=1; Secure', 'lang=en'] }), marker)).toBe('sets cookie sid, lang');
    expect(sessionDataIn(withHeaders({}, `<meta content="/room?jwt=${marker}">`), marker)).toBe('reflects the token from the address');
    expect(sessionDataIn(withHeaders({}, "<body sid='a1b2c3' xmlns='http://jabber.org/protocol/httpbind'/>"), marker)).toBe('carries a BOSH session id');
  });

  it('finds nothing in a static page', () => {
    expect(sessionDataIn(withHeaders({ 'content-type': 'text/html' }, '<html><title>Jitsi Meet</title></html>'), marker)).toBeUndefined();
  });
});
