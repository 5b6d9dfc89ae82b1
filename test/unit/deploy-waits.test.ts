import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failedBootStep, probeDns, probeHttps, probeReady, waitUntil, type Probe } from '../../scripts/deploy/waits.ts';
import { createTestCa, type TestCa } from '../helpers/test-ca.ts';
import { tempDir } from '../helpers/tools.ts';

/** A clock that only moves when the wait sleeps. */
function fakeClock() {
  let t = 0;
  return { now: () => t, sleep: async (ms: number) => void (t += ms), elapsed: () => t };
}

describe('waitUntil', () => {
  it('polls until the probe succeeds and reports how long it took', async () => {
    const clock = fakeClock();
    const messages: string[] = [];
    const answers: Probe[] = [
      { ok: false, detail: 'no A record yet' },
      { ok: false, detail: 'no A record yet' },
      { ok: false, detail: 'resolves to 192.0.2.99, expected 192.0.2.10' },
      { ok: true, detail: 'resolves to 192.0.2.10' },
    ];
    const result = await waitUntil('dns', 'DNS', async () => answers.shift()!, { timeoutMs: 600_000, intervalMs: 10_000, progress: (m) => messages.push(m), ...clock });
    expect(result).toMatchObject({ id: 'dns', ok: true, attempts: 4, elapsedMs: 30_000, detail: 'resolves to 192.0.2.10' });
    // Progress when the picture changes, not on every attempt.
    expect(messages).toEqual([
      'waiting for DNS: no A record yet (0m of at most 10m)',
      'waiting for DNS: resolves to 192.0.2.99, expected 192.0.2.10 (0m of at most 10m)',
      'DNS: resolves to 192.0.2.10 (after 0m)',
    ]);
  });

  it('gives up at the deadline with the last thing it saw, without sleeping past it', async () => {
    const clock = fakeClock();
    const result = await waitUntil('ready', 'ready', async () => ({ ok: false, detail: 'HTTP 404' }), { timeoutMs: 95_000, intervalMs: 30_000, progress: () => {}, ...clock });
    expect(result.ok).toBe(false);
    expect(result.detail).toBe('gave up after 1m: HTTP 404');
    expect(clock.elapsed()).toBe(95_000);
    expect(result.attempts).toBe(5);
  });

  it('repeats progress at least every reportEveryMs while nothing changes', async () => {
    const clock = fakeClock();
    const messages: string[] = [];
    await waitUntil('https', 'HTTPS', async () => ({ ok: false, detail: 'connection refused' }), {
      timeoutMs: 300_000,
      intervalMs: 10_000,
      reportEveryMs: 120_000,
      progress: (m) => messages.push(m),
      ...clock,
    });
    expect(messages.map((m) => m.replace(/.*\((\S+) of.*/, '$1'))).toEqual(['0m', '2m', '4m']);
  });

  it('stops at once, before the deadline, when the probe says waiting cannot help', async () => {
    const clock = fakeClock();
    const answers: Probe[] = [
      { ok: false, detail: 'answers 404: services are still starting' },
      { ok: false, final: true, detail: "the host's boot failed at step acme" },
      { ok: true, detail: 'never reached' },
    ];
    const result = await waitUntil('ready', 'ready', async () => answers.shift()!, { timeoutMs: 30 * 60_000, intervalMs: 10_000, progress: () => {}, ...clock });
    expect(result).toMatchObject({ ok: false, final: true, attempts: 2, elapsedMs: 10_000 });
    expect(result.detail).toBe("the host's boot failed at step acme (after 0m)");
    expect(clock.elapsed()).toBe(10_000);
    expect(answers).toHaveLength(1);
  });

  it('treats a probe that throws as a failed attempt', async () => {
    const clock = fakeClock();
    let calls = 0;
    const result = await waitUntil('https', 'HTTPS', async () => {
      calls += 1;
      if (calls < 3) throw new Error('connection refused (nginx not running yet)');
      return { ok: true, detail: 'HTTPS answers (HTTP 200)' };
    }, { timeoutMs: 60_000, intervalMs: 5_000, progress: () => {}, ...clock });
    expect(result).toMatchObject({ ok: true, attempts: 3 });
  });
});

describe('failedBootStep', () => {
  it('reads the step from a failed ready file and nothing from any other body', () => {
    expect(failedBootStep('failed: acme\n')).toBe('acme');
    expect(failedBootStep('failed:prosody-health')).toBe('prosody-health');
    expect(failedBootStep('failed: \n')).toBe('an unnamed step');
    expect(failedBootStep('ok\n')).toBeUndefined();
    expect(failedBootStep('<html>failed: acme</html>')).toBeUndefined();
    // Text from the network reaches a terminal: no escape sequences, one short line.
    const hostile = failedBootStep(`failed: acme\u001b]0;owned\u0007${'x'.repeat(200)}\nsecond line`)!;
    expect(hostile).toMatch(/^acme/);
    expect(hostile).not.toMatch(/[\u0000-\u001f]/);
    expect(hostile.length).toBeLessThanOrEqual(60);
  });
});

describe('probeDns', () => {
  const resolver = (answer: string[] | NodeJS.ErrnoException) => async () => {
    if (answer instanceof Error) throw answer;
    return answer;
  };
  const notFound = Object.assign(new Error('queryA ENOTFOUND'), { code: 'ENOTFOUND' });

  it('passes only when the name resolves to exactly the Elastic IP', async () => {
    expect(await probeDns('meet.example.org', '192.0.2.10', resolver(['192.0.2.10']))).toEqual({ ok: true, detail: 'meet.example.org resolves to 192.0.2.10' });
    expect((await probeDns('meet.example.org', '192.0.2.10', resolver(['192.0.2.99']))).ok).toBe(false);
    // A stale second record would send some users elsewhere.
    const both = await probeDns('meet.example.org', '192.0.2.10', resolver(['192.0.2.99', '192.0.2.10']));
    expect(both).toEqual({ ok: false, detail: 'meet.example.org resolves to 192.0.2.10, 192.0.2.99, expected 192.0.2.10' });
    expect(await probeDns('meet.example.org', '192.0.2.10', resolver(notFound))).toEqual({ ok: false, detail: 'meet.example.org has no A record yet' });
  });
});

describe('HTTPS probes against a loopback server', () => {
  let dir: ReturnType<typeof tempDir>;
  let ca: TestCa;
  let server: Server;
  let port: number;
  let readyStatus = 404;
  let readyBody = 'ok\n';
  const seen: { host?: string; servername?: string; path?: string }[] = [];

  beforeAll(async () => {
    dir = tempDir();
    ca = createTestCa(dir.path);
    const leaf = ca.issue({ names: ['meet.test.example'] });
    server = createServer({ key: leaf.keyPem, cert: leaf.fullchainPem }, (req, res) => {
      seen.push({ host: req.headers.host, servername: (req.socket as { servername?: string }).servername, path: req.url });
      if (req.url === '/_jitsi-eu/ready') {
        res.writeHead(readyStatus, { 'content-type': 'text/plain' }).end(readyStatus === 200 ? readyBody : 'not yet\n');
      } else {
        res.writeHead(200).end('<html></html>');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    dir.remove();
  });

  it('connects to the pinned address with the host name for SNI and Host', async () => {
    const result = await probeHttps({ host: 'meet.test.example', ip: '127.0.0.1', port });
    expect(result).toEqual({ ok: true, detail: 'HTTPS answers (HTTP 200)' });
    expect(seen.at(-1)).toEqual({ host: `meet.test.example:${port}`, servername: 'meet.test.example', path: '/' });
  });

  it('is not ready while the endpoint answers 404, and ready at 200', async () => {
    const target = { host: 'meet.test.example', ip: '127.0.0.1', port, path: '/_jitsi-eu/ready', insecure: false, ca: ca.caCertPem };
    readyStatus = 404;
    expect(await probeReady(target)).toEqual({ ok: false, detail: '/_jitsi-eu/ready answers 404: services are still starting' });
    readyStatus = 200;
    readyBody = 'ok\n';
    expect(await probeReady(target)).toEqual({ ok: true, detail: '/_jitsi-eu/ready answers ok' });
  });

  it('a ready file that says failed: acme stops the wait at once, naming the step', async () => {
    const target = { host: 'meet.test.example', ip: '127.0.0.1', port, path: '/_jitsi-eu/ready', insecure: false, ca: ca.caCertPem };
    readyStatus = 200;
    readyBody = 'failed: acme\n';
    const clock = fakeClock();
    const result = await waitUntil('ready', 'ready endpoint', () => probeReady(target), { timeoutMs: 30 * 60_000, intervalMs: 10_000, progress: () => {}, ...clock });
    expect(result).toMatchObject({ ok: false, final: true, attempts: 1 });
    expect(result.detail).toMatch(/boot failed at step acme/);
    expect(clock.elapsed()).toBe(0);
  });

  it('keeps waiting on a 200 that is neither ok nor failed', async () => {
    const target = { host: 'meet.test.example', ip: '127.0.0.1', port, path: '/_jitsi-eu/ready', insecure: false, ca: ca.caCertPem };
    readyStatus = 200;
    readyBody = '<html>welcome</html>';
    const probe = await probeReady(target);
    expect(probe.ok).toBe(false);
    expect(probe.final).toBeUndefined();
    expect(probe.detail).toBe('/_jitsi-eu/ready answers 200 with "<html>welcome</html>" instead of ok');
  });

  it('refuses an untrusted certificate unless told to accept it', async () => {
    readyStatus = 200;
    readyBody = 'ok\n';
    const target = { host: 'meet.test.example', ip: '127.0.0.1', port, path: '/_jitsi-eu/ready' };
    await expect(probeReady({ ...target, insecure: false })).rejects.toThrow(/certificate not trusted yet/);
    expect((await probeReady({ ...target, insecure: true })).ok).toBe(true);
  });

  it('says when nothing listens', async () => {
    await expect(probeHttps({ host: 'meet.test.example', ip: '127.0.0.1', port: 1 })).rejects.toThrow(/connection refused/);
  });
});
