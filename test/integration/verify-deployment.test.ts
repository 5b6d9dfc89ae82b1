// verify against a deployment on loopback: the real nginx with the project's own rendered site,
// config.js, interface_config.js and privacy notice, a test CA, a real Prosody behind BOSH and the
// XMPP WebSocket, a real coturn for STUN. The rendered deployment passes; then each fault, made
// one at a time the way an operator's edit would make it, fails the matching check.
import { execFile, execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runVerify } from '../../scripts/verify/run.ts';
import { CHECK_CATALOGUE } from '../../scripts/verify/registry.ts';
import type { CheckResult, VerifyReport } from '../../scripts/verify/types.ts';
import { startLoopbackDeployment, type Fault, type LoopbackDeployment, type ServedSite } from '../fixtures/verify/deployment.ts';
import { freePort, requireTool, tempDir } from '../helpers/tools.ts';

const execFileAsync = promisify(execFile);

let deployment: LoopbackDeployment;
let site: ServedSite;
const scratch = tempDir('jitsi-eu-verify-faults-');
/** A 1536-bit DH group (RFC 3526), for a fault that offers DHE with it. */
const smallDhParams = join(scratch.path, 'dh1536.pem');

beforeAll(async () => {
  execFileSync(requireTool('openssl'), ['genpkey', '-genparam', '-algorithm', 'DH', '-pkeyopt', 'group:modp_1536', '-out', smallDhParams]);
  deployment = await startLoopbackDeployment();
  site = await deployment.serve();
});

afterAll(async () => {
  await deployment?.stop();
  scratch.remove();
});

function byId(report: VerifyReport): Map<string, CheckResult> {
  return new Map(report.checks.map((c) => [c.id, c]));
}

/** Replaces `from` in `text`, failing loudly when the rendered file no longer contains it. */
function edit(text: string, from: string | RegExp, to: string): string {
  const changed = text.replace(from, to);
  if (changed === text) throw new Error(`the rendered file no longer contains ${String(from)}: update this fault`);
  return changed;
}

describe('the rendered deployment', () => {
  it('passes every external check that can run on loopback; browser and AWS checks are skipped with a reason', async () => {
    const report = await runVerify(site.options());
    const checks = byId(report);
    const failed = report.checks.filter((c) => c.status === 'FAIL');
    expect(failed).toEqual([]);
    expect(report.verdict).toBe('pass');
    expect(report.unreachable).toBeUndefined();
    // Loopback is not a public AWS address, and --resolve means DNS is not consulted.
    expect(checks.get('dns-aws-eu-region')?.status).toBe('WARN');
    expect(checks.get('dns-caa')).toMatchObject({ status: 'SKIP', detail: expect.stringContaining('--resolve') });
    // An AWS stack has no channel path (Hetzner Cloud and OpenStack stacks do).
    expect(checks.get('http-channel-refuses-unsigned')).toMatchObject({ status: 'SKIP', detail: expect.stringContaining('SSM Run Command') });
    for (const info of CHECK_CATALOGUE) {
      const result = checks.get(info.id)!;
      if (info.mode === 'browser') expect(result).toMatchObject({ status: 'SKIP', detail: expect.stringContaining('--browser') });
      else if (info.mode === 'aws') expect(result).toMatchObject({ status: 'SKIP', detail: expect.stringContaining('--aws') });
      else if (!['dns-aws-eu-region', 'dns-caa', 'http-channel-refuses-unsigned'].includes(info.id)) expect([info.id, result.status, result.detail]).toEqual([info.id, 'PASS', result.detail]);
    }
    // The profile walk really compared values.
    expect(checks.get('privacy-web-config')?.detail).toMatch(/all \d+ web-config settings/);
    expect(checks.get('privacy-nginx-headers')?.detail).toContain('Strict-Transport-Security');
    expect(checks.get('jitsi-bosh')?.detail).toContain('session created');
    expect(checks.get('jitsi-xmpp-websocket')?.detail).toContain('ANONYMOUS');
  });

  it('through the CLI: exit 0 and the JSON document { url, verdict, checks }', async () => {
    const { stdout } = await execFileAsync('npx', ['tsx', 'scripts/verify.ts', ...site.args(), '--json', '--skip', 'ports'], { encoding: 'utf8' });
    const json = JSON.parse(stdout) as { url: string; verdict: string; checks: { id: string; title: string; status: string; detail: string }[] };
    expect(json.url).toBe(`https://meet.example.org:${site.httpsPort}/`);
    expect(json.verdict).toBe('pass');
    expect(Object.keys(json.checks[0]!).sort()).toEqual(['detail', 'id', 'status', 'title']);
    expect(json.checks.some((c) => c.id.startsWith('ports-'))).toBe(false);
  });
});

interface FaultCase {
  name: string;
  fault: Fault;
  /** Checks that must fail. */
  fails: string[];
}

const FAULTS: FaultCase[] = [
  {
    name: 'HSTS header removed',
    fault: { site: (s) => edit(s, /^\s*add_header Strict-Transport-Security .*$/m, '') },
    fails: ['http-hsts', 'privacy-nginx-headers'],
  },
  {
    name: 'Referrer-Policy removed',
    fault: { site: (s) => edit(s, /^\s*add_header Referrer-Policy .*$/m, '') },
    fails: ['http-referrer-policy', 'privacy-nginx-headers'],
  },
  {
    // OpenSSL 3 offers TLS 1.1 only at security level 0 and with TLS 1.1 suites, as old configs have.
    name: 'TLS 1.1 enabled',
    fault: {
      site: (s) => edit(edit(s, /ssl_protocols TLSv1\.2 TLSv1\.3;/, 'ssl_protocols TLSv1.1 TLSv1.2 TLSv1.3;'), /ssl_ciphers [^;]+;/, 'ssl_ciphers DEFAULT@SECLEVEL=0;'),
    },
    fails: ['tls-legacy-refused'],
  },
  {
    // Offered together, 1.0 and 1.1 draw a 1.0 answer with the downgrade marker, which the client
    // refuses on its own: each version needs its own handshake to see that 1.0 is accepted.
    name: 'TLS 1.0 enabled, 1.1 not',
    fault: {
      site: (s) => edit(edit(s, /ssl_protocols TLSv1\.2 TLSv1\.3;/, 'ssl_protocols TLSv1 TLSv1.2 TLSv1.3;'), /ssl_ciphers [^;]+;/, 'ssl_ciphers DEFAULT@SECLEVEL=0;'),
    },
    fails: ['tls-legacy-refused'],
  },
  {
    name: 'DHE suites with a 1536-bit group',
    fault: {
      site: (s) => edit(s, /ssl_ciphers ([^;]+);/, `ssl_ciphers $1:DHE-RSA-AES128-GCM-SHA256@SECLEVEL=0;\n    ssl_dhparam ${smallDhParams};`),
    },
    fails: ['tls-dh-params'],
  },
  {
    name: 'BOSH answers compressed (they carry the session id)',
    fault: { site: (s) => edit(s, /gzip_types text\/plain /, 'gzip_types text/xml text/plain ') },
    fails: ['http-no-compressed-secrets'],
  },
  {
    name: 'a session cookie on every compressed page',
    fault: { site: (s) => edit(s, /^(\s*add_header Strict-Transport-Security .*)$/m, '$1\n    add_header Set-Cookie "jitsi_session=4f2a9c0d; Secure; HttpOnly; SameSite=Strict" always;') },
    fails: ['http-no-compressed-secrets', 'http-no-cookies'],
  },
  {
    name: 'the token from the address echoed into the compressed room page',
    fault: {
      site: (s) => edit(s, /location ~ \^\/\[\^\/\]\+\$ \{/, `location ~ ^/[^/]+$ {\n        sub_filter '</head>' '<meta name="jwt" content="$request_uri"></head>';`),
    },
    fails: ['http-no-compressed-secrets'],
  },
  {
    name: 'a third-party analytics key in config.js',
    fault: { configJs: (js) => `${js}\nconfig.analytics.amplitudeAPPKey = "4c1f2e0d9b8a7f6e";\n` },
    fails: ['privacy-forbidden-keys', 'privacy-analytics-off'],
  },
  {
    name: 'an external STUN server in config.js',
    fault: { configJs: (js) => `${js}\nconfig.p2p.stunServers = [{ urls: "stun:meet-jit-si-turnrelay.jitsi.net:443" }];\n` },
    fails: ['privacy-stun-servers', 'privacy-third-party-hosts', 'privacy-web-config'],
  },
  {
    name: "a Prosody admin endpoint (its statistics) proxied publicly",
    fault: {
      site: (s, { prosodyHttpPort }) => edit(s, /location = \/metrics \{ return 404; \}/, `location = /metrics { proxy_pass http://127.0.0.1:${prosodyHttpPort}/metrics; }`),
    },
    fails: ['jitsi-admin-endpoints-hidden'],
  },
  {
    name: 'HTTP served without redirect',
    fault: { site: (s) => edit(s, /return 301 https:\/\/\S+;/, 'root /usr/share/jitsi-meet; try_files /index.html =404;') },
    fails: ['http-redirects-to-https'],
  },
  { name: 'a certificate for the wrong name', fault: { certificate: 'wrong-name' }, fails: ['tls-hostname'] },
  { name: 'an expired certificate', fault: { certificate: 'expired' }, fails: ['tls-expiry', 'tls-chain-trusted'] },
];

describe('each fault fails the matching check', () => {
  for (const { name, fault, fails } of FAULTS) {
    it(name, async () => {
      const faulty = await deployment.serve(fault);
      try {
        const report = await runVerify(faulty.options({ only: fails }));
        const checks = byId(report);
        for (const id of fails) expect([id, checks.get(id)?.status]).toEqual([id, 'FAIL']);
        expect(report.verdict).toBe('fail');
      } finally {
        await faulty.stop();
      }
    });
  }

  it('the same checks pass on the unchanged deployment (the faults above are what made them fail)', async () => {
    const ids = [...new Set(FAULTS.flatMap((f) => f.fails))];
    const report = await runVerify(site.options({ only: ids }));
    expect(report.checks.filter((c) => c.status !== 'PASS')).toEqual([]);
  });

  it('through the CLI a failed check exits 1', async () => {
    const faulty = await deployment.serve(FAULTS[0]!.fault);
    try {
      const result = await execFileAsync('npx', ['tsx', 'scripts/verify.ts', ...faulty.args(), '--only', 'http-hsts'], { encoding: 'utf8' }).then(
        () => ({ code: 0, stdout: '' }),
        (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
      );
      expect(result.code).toBe(1);
      expect(result.stdout).toContain('http-hsts');
      expect(result.stdout).toContain('no Strict-Transport-Security');
    } finally {
      await faulty.stop();
    }
  });
});

describe('ports and STUN on loopback', () => {
  it('an internal port that answers fails, a port that resets warns', async () => {
    // 5222 pointed at the running Prosody's client port; 22 at a port nothing listens on.
    const closed = await freePort();
    const options = site.options({ only: ['ports'] });
    const report = await runVerify({ ...options, portMap: [...(options.portMap ?? []), `5222=${deployment.prosody.c2sPort}`, `22=${closed}`] });
    const checks = byId(report);
    expect(checks.get('ports-internal-closed')).toMatchObject({ status: 'FAIL', detail: expect.stringContaining('5222') });
    expect(checks.get('ports-ssh-closed')).toMatchObject({ status: 'WARN', detail: expect.stringContaining('reset') });
    expect(checks.get('ports-web-open')?.status).toBe('PASS');
  });

  it('a STUN port that does not answer fails', async () => {
    const options = site.options({ only: ['turn-stun-answers'] });
    const report = await runVerify({ ...options, portMap: [...(options.portMap ?? []), `3478=${await freePort()}`] });
    expect(byId(report).get('turn-stun-answers')?.status).toBe('FAIL');
  });
});
