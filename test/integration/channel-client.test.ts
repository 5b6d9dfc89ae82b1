// The operator side of the channel against a loopback HTTPS host that checks signatures as the
// signaling node does: answers, script failures, refusals in words, no answer, retries, bounds.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ChannelHostCommands, type ChannelClientOptions } from '../../scripts/lib/channel/client.ts';
import { bashRunner, channelKeyPair, startChannelHost, type ChannelHost, type ChannelReply } from '../helpers/channel-host.ts';
import { createTestCa, type TestCa } from '../helpers/test-ca.ts';
import { freePort, tempDir } from '../helpers/tools.ts';

const DOMAIN = 'meet.channel-test.eu';
const keys = channelKeyPair();
let dir: ReturnType<typeof tempDir>;
let ca: TestCa;
let host: ChannelHost | undefined;

beforeAll(() => {
  dir = tempDir();
  ca = createTestCa(dir.path);
});
afterAll(() => dir.remove());
afterEach(async () => {
  await host?.stop();
  host = undefined;
});

async function hostWith(run: (script: string, timeoutSeconds: number) => ChannelReply | Promise<ChannelReply>, publicKeyPem = keys.publicKeyPem) {
  host = await startChannelHost({ ca, domain: DOMAIN, publicKeyPem, run });
  return host;
}

function client(url: string, options: ChannelClientOptions = {}, privateKeyPem = keys.privateKeyPem) {
  return new ChannelHostCommands({ url, domain: DOMAIN, privateKeyPem, stack: 'chan' }, { ca: [ca.caCertPem], retryMs: 50, ...options });
}

describe('ChannelHostCommands', () => {
  it('a script that succeeds is answered with its stdout; the host saw exactly that script', async () => {
    const h = await hostWith(bashRunner({}));
    const answers = await client(h.url).run(['4711'], 'echo hello; echo to-stderr >&2', { timeoutMs: 10_000, comment: 'test' });
    expect(answers.get('4711')).toEqual({ state: 'answered', stdout: 'hello\n' });
    expect(h.scripts).toEqual(['echo hello; echo to-stderr >&2']);
    expect(h.refusals).toEqual([]);
  });

  it('a script that fails is a failed answer with its exit code and the end of its stderr', async () => {
    const h = await hostWith(bashRunner({}));
    const answer = await client(h.url).send('echo partial; echo first >&2; echo "no such account" >&2; exit 3', 10_000);
    expect(answer.state).toBe('failed');
    expect(answer.stdout).toBe('partial\n');
    expect(answer.detail).toBe('the script ended with exit code 3: first / no such account');
  });

  it("a key the host does not trust: 401 put in words, naming the likely cause; the script did not run", async () => {
    const other = channelKeyPair();
    const h = await hostWith(bashRunner({}), other.publicKeyPem);
    const answer = await client(h.url).send('echo never', 10_000);
    expect(answer.state).toBe('failed');
    expect(answer.detail).toContain("the signaling node does not accept this stack's channel key");
    expect(answer.detail).toContain('was the signaling node created by another stack state?');
    expect(h.scripts).toEqual([]);
    expect(h.refusals).toEqual(['401 signature']);
  });

  it('a clock far off is refused by the host and said so', async () => {
    const h = await hostWith(bashRunner({}));
    const answer = await client(h.url, { now: () => Date.now() - 3600_000 }).send('echo never', 10_000);
    expect(answer.state).toBe('failed');
    expect(answer.detail).toMatch(/outside the accepted window.*set this machine's clock/);
    expect(h.refusals).toEqual(['401 clock']);
  });

  it('nothing listening: no answer within the bound, naming the URL and what to check', async () => {
    const url = `https://127.0.0.1:${await freePort()}/_jitsi-eu/channel/run`;
    const retries: string[] = [];
    const started = Date.now();
    const answer = await client(url, { onRetry: (r) => retries.push(r) }).send('echo never', 600);
    expect(answer.state).toBe('no-answer');
    expect(answer.detail).toContain(`no answer from ${url} within 1 s`);
    expect(answer.detail).toContain('ECONNREFUSED: is the signaling node running, and port 443 open to this machine?');
    expect(retries.length).toBeGreaterThan(2);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('503 while the service starts, then the answer: tried again, the script ran once', async () => {
    let calls = 0;
    const h = await hostWith(() => (++calls < 3 ? { status: 503, body: { error: 'starting' } } : { exitCode: 0, stdout: 'abc123\n', stderr: '', seconds: 0 }));
    const retries: string[] = [];
    const answer = await client(h.url, { onRetry: (r) => retries.push(r) }).send('cat /etc/jitsi-eu/revision', 10_000);
    expect(answer).toEqual({ state: 'answered', stdout: 'abc123\n' });
    expect(calls).toBe(3);
    expect(retries).toHaveLength(2);
    expect(retries[0]).toContain('HTTP 503');
  });

  it('a host that never answers: no answer at the bound, and not sent again', async () => {
    const h = await hostWith(() => ({ status: 0, hang: true }));
    const started = Date.now();
    const answer = await client(h.url, { marginMs: 200 }).send('sleep 100', 1000);
    expect(answer.state).toBe('no-answer');
    expect(answer.detail).toContain('did not answer within the bound');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(h.scripts).toHaveLength(1);
  });

  it('an untrusted certificate is a TLS failure, never ignored', async () => {
    const h = await hostWith(bashRunner({}));
    const answer = await new ChannelHostCommands({ url: h.url, domain: DOMAIN, privateKeyPem: keys.privateKeyPem, stack: 'chan' }, { retryMs: 50 }).send('echo never', 2000);
    expect(answer.state).toBe('no-answer');
    expect(answer.detail).toMatch(/^TLS with 127\.0\.0\.1 failed/);
    expect(h.scripts).toEqual([]);
  });
});
