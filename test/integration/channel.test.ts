// The operator channel's host service, rendered for a Hetzner stack and run by the real python3 on
// loopback with a test key pair: what a signed script gets back, every refusal (with no script
// run: a marker file the script would create stays absent), the timeout, the output bounds, the
// restart after a change of its own code, and a log that holds nothing of a script or its output.
import { existsSync, readFileSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANNEL_HEADERS, CHANNEL_MAX_BODY_BYTES } from '../../infra/channel.ts';
import { signChannelRequest } from '../../scripts/lib/channel/signature.ts';
import { CHANNEL_SPEC, type RunningChannel, channelKeyPair, post, runSigned, scriptBody, startChannel } from '../helpers/channel-service.ts';
import { tempDir } from '../helpers/tools.ts';

const work = tempDir('jitsi-eu-channel-');
const key = channelKeyPair();
let channel: RunningChannel;
const marker = join(work.path, 'ran');
const markScript = `touch ${marker}; echo marked`;

beforeAll(async () => {
  channel = await startChannel(work.path, key.publicKeyPem);
});
afterAll(async () => {
  await channel?.stop();
  work.remove();
});

describe('a signed request', () => {
  it('runs its script as bash and answers its exit status, output and time', async () => {
    const answer = await runSigned(channel.port, key.privateKeyPem, 'echo "out $((6 * 7))"; echo err >&2; printf %s "$BASH_VERSION" >/dev/null');
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ exitCode: 0, stdout: 'out 42\n', stderr: 'err\n' });
    expect(typeof answer.body.seconds).toBe('number');
  });

  it('answers 200 with the exit status of a script that fails', async () => {
    const answer = await runSigned(channel.port, key.privateKeyPem, 'echo partial; exit 3');
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ exitCode: 3, stdout: 'partial\n' });
  });

  it('stops a script that outlives its time, with everything it started', async () => {
    const started = Date.now();
    const answer = await runSigned(channel.port, key.privateKeyPem, `sleep 30 & echo $! >${join(work.path, 'child')}; sleep 30`, 1);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(answer.status).toBe(200);
    expect(answer.body.exitCode).toBe(124);
    expect(answer.body.stderr).toContain('stopped after 1 s');
    // Gone, or a zombie waiting for whoever reaps orphans here.
    const pid = readFileSync(join(work.path, 'child'), 'utf8').trim();
    const state = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]![0] : 'gone';
    expect(['gone', 'Z']).toContain(state);
  });

  it('keeps 1 MiB of standard output and the last 8 KiB of standard error', async () => {
    const answer = await runSigned(channel.port, key.privateKeyPem, 'head -c 3000000 /dev/zero | tr "\\0" a; for i in $(seq 1 3000); do echo "line $i" >&2; done');
    expect(answer.status).toBe(200);
    const stdout = answer.body.stdout as string;
    const stderr = answer.body.stderr as string;
    expect(stdout.length).toBe(1 << 20);
    expect(Buffer.byteLength(stderr)).toBeLessThanOrEqual(8192);
    expect(stderr).toContain('line 3000');
    expect(stderr).not.toContain('line 1\n');
    expect(stderr).toContain('standard output cut at 1048576 bytes');
  });

  it('runs one script at a time: a second request waits for the first', async () => {
    const stamps = join(work.path, 'stamps');
    const first = runSigned(channel.port, key.privateKeyPem, `echo "a start $(date +%s%N)" >>${stamps}; sleep 1; echo "a end $(date +%s%N)" >>${stamps}`);
    await new Promise((r) => setTimeout(r, 200));
    const second = runSigned(channel.port, key.privateKeyPem, `echo "b start $(date +%s%N)" >>${stamps}`);
    expect((await first).status).toBe(200);
    expect((await second).status).toBe(200);
    expect(readFileSync(stamps, 'utf8').split('\n').filter(Boolean).map((l) => l.split(' ').slice(0, 2).join(' '))).toEqual(['a start', 'a end', 'b start']);
  });
});

describe('refusals run nothing', () => {
  const refusal = async (status: number, error: RegExp, send: () => Promise<{ status: number; body: Record<string, unknown> }>) => {
    const answer = await send();
    expect(answer.status).toBe(status);
    expect(answer.body.error).toMatch(error);
    expect(existsSync(marker)).toBe(false);
  };

  it('a request signed with another key: 401', async () => {
    await refusal(401, /signature does not verify/, () => runSigned(channel.port, channelKeyPair().privateKeyPem, markScript));
  });

  it('a request signed for another deployment: 401', async () => {
    await refusal(401, /signature does not verify/, () => runSigned(channel.port, key.privateKeyPem, markScript, 30, 'meet.other.example'));
  });

  it('a body changed after signing: 401', async () => {
    const signed = signChannelRequest(key.privateKeyPem, CHANNEL_SPEC.domain, scriptBody('echo harmless'));
    await refusal(401, /signature does not verify/, () => post(channel.port, signed.headers, scriptBody(markScript)));
  });

  it('a time outside ±300 s: 401, whether past or future', async () => {
    for (const shift of [-301_000, 301_000]) {
      const signed = signChannelRequest(key.privateKeyPem, CHANNEL_SPEC.domain, scriptBody(markScript), () => Date.now() + shift);
      await refusal(401, /more than 300 s away from the host's clock/, () => post(channel.port, signed.headers, signed.body));
    }
  });

  it('a nonce used before: 401, also after the service restarted', async () => {
    const signed = signChannelRequest(key.privateKeyPem, CHANNEL_SPEC.domain, scriptBody('echo once'));
    expect((await post(channel.port, signed.headers, signed.body)).status).toBe(200);
    await refusal(401, /nonce was used before/, () => post(channel.port, signed.headers, signed.body));
    await channel.stop();
    channel = await startChannel(work.path, key.publicKeyPem);
    await refusal(401, /nonce was used before/, () => post(channel.port, signed.headers, signed.body));
  });

  it('missing or malformed headers: 400', async () => {
    const signed = signChannelRequest(key.privateKeyPem, CHANNEL_SPEC.domain, scriptBody(markScript));
    for (const name of Object.values(CHANNEL_HEADERS)) {
      const headers = { ...signed.headers };
      delete headers[name];
      await refusal(400, /needs the headers X-Jitsi-Eu-Time, X-Jitsi-Eu-Nonce and X-Jitsi-Eu-Signature/, () => post(channel.port, headers, signed.body));
      await refusal(400, /needs the headers X-Jitsi-Eu-Time, X-Jitsi-Eu-Nonce and X-Jitsi-Eu-Signature/, () => post(channel.port, { ...signed.headers, [name]: 'not;valid' }, signed.body));
    }
  });

  it('a body that is not a request, or a timeout out of range: 400 (once signed)', async () => {
    for (const body of ['not json', '{"script": 1, "timeoutSeconds": 5}', JSON.stringify({ script: markScript, timeoutSeconds: 901 }), JSON.stringify({ script: markScript, timeoutSeconds: 0 })]) {
      const signed = signChannelRequest(key.privateKeyPem, CHANNEL_SPEC.domain, Buffer.from(body));
      await refusal(400, /JSON with "script"/, () => post(channel.port, signed.headers, signed.body));
    }
  });

  it('a body over the limit: 413, before it is read', async () => {
    const signed = signChannelRequest(key.privateKeyPem, CHANNEL_SPEC.domain, scriptBody(markScript));
    // The length announced is what counts: the service answers without reading a byte of the body.
    await refusal(413, /larger than 4194304 bytes/, () => post(channel.port, { ...signed.headers, 'content-length': String(CHANNEL_MAX_BODY_BYTES + 1) }, Buffer.alloc(0)));
  });

  it('another path: 404', async () => {
    const signed = signChannelRequest(key.privateKeyPem, CHANNEL_SPEC.domain, scriptBody(markScript));
    await refusal(404, /answers at \/_jitsi-eu\/channel\/run only/, () => post(channel.port, signed.headers, signed.body, { path: '/other' }));
  });

  it('another method: 405', async () => {
    await refusal(405, /POST only/, () => post(channel.port, {}, Buffer.alloc(0), { method: 'GET' }));
  });
});

describe('restarts and logs', () => {
  it('after answering a script that changed the service\'s own code, it exits (systemd starts the new code)', async () => {
    const answer = await runSigned(channel.port, key.privateKeyPem, `touch -d '+1 minute' ${join(work.path, 'channel.py')}; echo applied`);
    expect(answer.status).toBe(200);
    expect(answer.body.stdout).toBe('applied\n');
    expect(await channel.exited()).toBe(0);
    expect(channel.log()).toContain('restarting after this answer');
    utimesSync(join(work.path, 'channel.py'), new Date(), new Date());
    channel = await startChannel(work.path, key.publicKeyPem);
    expect((await runSigned(channel.port, key.privateKeyPem, 'echo back')).body.stdout).toBe('back\n');
  });

  it('logs request ids, script hashes, exit statuses and refusal categories: nothing of a script, its output or a header', async () => {
    const secret = 'value-that-must-stay-out-of-the-log-7f3a';
    const signed = signChannelRequest(key.privateKeyPem, CHANNEL_SPEC.domain, scriptBody(`echo ${secret}; echo ${secret} >&2`));
    await post(channel.port, signed.headers, signed.body);
    await post(channel.port, signed.headers, signed.body);
    const log = channel.log();
    expect(log).toMatch(/request [0-9a-f]{8}: script [0-9a-f]{12} exited 0 after/);
    expect(log).toMatch(/request [0-9a-f]{8}: refused \(nonce\)/);
    expect(log).not.toContain(secret);
    expect(log).not.toContain(signed.headers[CHANNEL_HEADERS.signature]);
    expect(log).not.toContain(signed.headers[CHANNEL_HEADERS.nonce]);
  });
});
