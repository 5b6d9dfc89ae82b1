// verify's inputs: the URL, --resolve, --port-map, --only/--skip, the expectations without a
// stack, the check catalogue the README is built from, and the exit code mapping.
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../scripts/lib/cli.ts';
import { defaultSpecForHost, expectationsFor } from '../../scripts/verify/expected.ts';
import { CHECK_CATALOGUE } from '../../scripts/verify/registry.ts';
import { selectChecks, verifyExitCode } from '../../scripts/verify/run.ts';
import { mappedPort, parsePortMap, parseResolve, parseTarget } from '../../scripts/verify/target.ts';
import type { VerifyReport } from '../../scripts/verify/types.ts';
import { makeSpec } from '../helpers/spec.ts';

function usageMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error('expected a UsageError');
}

describe('parseTarget', () => {
  it('keeps the host for SNI and Host, and maps 443 to a port given in the URL', () => {
    const target = parseTarget('https://Meet.Example.org:8443/some/room?x=1', ['meet.example.org:127.0.0.1'], ['80=8080']);
    expect(target.host).toBe('meet.example.org');
    expect(target.url).toBe('https://meet.example.org:8443/');
    expect(target.resolvedBy).toBe('127.0.0.1');
    expect(mappedPort(target, 443)).toBe(8443);
    expect(mappedPort(target, 80)).toBe(8080);
    expect(mappedPort(target, 22)).toBe(22);
  });

  it('refuses plain http, IP addresses and non-URLs with the fix in the message', () => {
    expect(usageMessage(() => parseTarget('http://meet.example.org'))).toContain('https://meet.example.org');
    expect(usageMessage(() => parseTarget('https://203.0.113.5'))).toContain('--resolve DOMAIN:203.0.113.5');
    expect(usageMessage(() => parseTarget('meet.example.org'))).toContain('is not a URL');
  });

  it('refuses --resolve for another host', () => {
    expect(usageMessage(() => parseTarget('https://meet.example.org', ['other.example.org:127.0.0.1']))).toContain('only connects to meet.example.org');
  });
});

describe('--resolve and --port-map', () => {
  it('parses IPv4 and bracketed IPv6 addresses', () => {
    expect([...parseResolve(['a.example.org:192.0.2.7', 'b.example.org:[2001:db8::1]'])]).toEqual([
      ['a.example.org', '192.0.2.7'],
      ['b.example.org', '2001:db8::1'],
    ]);
  });

  it('rejects malformed entries, naming the expected form', () => {
    expect(usageMessage(() => parseResolve(['meet.example.org']))).toContain('HOST:IP');
    expect(usageMessage(() => parseResolve(['meet.example.org:not-an-ip']))).toContain('HOST:IP');
    expect(usageMessage(() => parsePortMap(['443:8443']))).toContain('WELL_KNOWN=ACTUAL');
    expect(usageMessage(() => parsePortMap(['443=70000']))).toContain('1-65535');
  });
});

describe('selectChecks', () => {
  it('accepts ids and area names, comma-separated or repeated', () => {
    const ids = selectChecks(['tls', 'http-hsts,http-csp']).map((c) => c.id);
    expect(ids).toContain('tls-legacy-refused');
    expect(ids).toContain('http-hsts');
    expect(ids).toContain('http-csp');
    expect(ids).not.toContain('http-nosniff');
    expect(ids.every((id) => id.startsWith('tls-') || id === 'http-hsts' || id === 'http-csp')).toBe(true);
  });

  it('skips what --skip names, after --only', () => {
    const ids = selectChecks(['tls'], ['tls-expiry']).map((c) => c.id);
    expect(ids).toContain('tls-hostname');
    expect(ids).not.toContain('tls-expiry');
  });

  it('suggests the closest id for a typo', () => {
    expect(usageMessage(() => selectChecks(['http-hst']))).toContain('did you mean http-hsts?');
    expect(usageMessage(() => selectChecks([], ['nonsense-check-name']))).toContain('--list');
  });
});

describe('the check catalogue', () => {
  it('has unique, kebab-case ids prefixed by their area, each with a title and a description', () => {
    const ids = CHECK_CATALOGUE.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const check of CHECK_CATALOGUE) {
      expect(check.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)+$/);
      expect(check.id.startsWith(`${check.area}-`)).toBe(true);
      expect(check.title.length).toBeGreaterThan(5);
      expect(check.description.length).toBeGreaterThan(20);
    }
  });

  it('covers every area (dns, ports, tls, http, jitsi, privacy, turn, browser, aws); only browser and AWS checks need a flag', () => {
    const areas = new Set(CHECK_CATALOGUE.map((c) => c.area));
    for (const area of ['dns', 'ports', 'tls', 'http', 'jitsi', 'privacy', 'turn', 'browser', 'aws']) expect(areas.has(area as never)).toBe(true);
    for (const check of CHECK_CATALOGUE) {
      const expected = check.area === 'browser' ? 'browser' : check.area === 'aws' ? 'aws' : 'external';
      expect(check.mode).toBe(expected);
    }
  });
});

describe('expectations', () => {
  it('without a stack: jitsi-eu defaults for the URL host (secure auth, lobby, no P2P, own TURN)', () => {
    const { spec, fromStack } = expectationsFor({ host: 'meet.example.org' });
    expect(fromStack).toBe(false);
    expect(spec.domain).toBe('meet.example.org');
    expect(spec).toMatchObject({ auth: 'secure', lobby: true, p2p: false, turn: true, tls: 'letsencrypt' });
  });

  it('a spec handed in by deploy is used as the stack', () => {
    const spec = makeSpec({ stack: 'prod', p2p: true });
    expect(expectationsFor({ spec })).toMatchObject({ spec, fromStack: true });
  });

  it('an invalid host name is a usage error naming the problem', () => {
    expect(usageMessage(() => defaultSpecForHost('localhost'))).toContain('two labels');
  });

  it('a missing stack file is a usage error naming the file', () => {
    expect(usageMessage(() => expectationsFor({ stack: 'no-such-stack-for-verify' }))).toContain('Pulumi.no-such-stack-for-verify.yaml');
  });
});

describe('verifyExitCode', () => {
  const report = (over: Partial<VerifyReport>): VerifyReport => ({ url: 'https://meet.example.org/', verdict: 'pass', checks: [], durationMs: 1, ...over });
  it('maps pass to 0, fail to 1 and unreachable to 2', () => {
    expect(verifyExitCode(report({}))).toBe(0);
    expect(verifyExitCode(report({ verdict: 'fail' }))).toBe(1);
    expect(verifyExitCode(report({ verdict: 'fail', unreachable: 'no such domain' }))).toBe(2);
  });
});
