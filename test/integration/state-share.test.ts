// `state share`, `backup` and `restore` end to end: the bucket on moto_server, the Pulumi CLI a
// stand-in (test/fixtures/fake-pulumi-state) that records every call and keeps state where
// PULUMI_BACKEND_URL says (a folder, or objects in the moto bucket). Proves the export → init →
// import → read-back sequence, the backend each call gets, and that a failed step deletes nothing.
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PROJECT_DIR } from '../../infra/spec/index.ts';
import { UsageError } from '../../scripts/lib/cli.ts';
import { requireAwsCredentials } from '../../scripts/deploy/credentials.ts';
import { backupState } from '../../scripts/state/backup.ts';
import type { StateDeps } from '../../scripts/state/deps.ts';
import { pulumiCli } from '../../scripts/state/pulumi-cli.ts';
import { restoreState } from '../../scripts/state/restore.ts';
import { shareState } from '../../scripts/state/share.ts';
import { startMoto, type Moto } from '../helpers/moto.ts';
import { tempDir } from '../helpers/tools.ts';

const STUB_BIN = resolve(PROJECT_DIR, 'test/fixtures/fake-pulumi-state/bin');
const REGION = 'eu-central-1';
const ACCOUNT = '123456789012';
const PASSPHRASE = 'state-test-passphrase';
const STACK = 'team';
const BUCKET = `jitsi-eu-state-${ACCOUNT}-${REGION}`;
const TARGET_URL = `s3://${BUCKET}?region=${REGION}`;

interface Call {
  args: string[];
  env: Record<string, string>;
  cwd: string;
}

let moto: Moto;
let s3: S3Client;
let dir: ReturnType<typeof tempDir>;
let project: string;
let home: string;
let log: string;
let out: string;
let notes: string;
let asked: string[];
let answer: boolean;

/** A stack export with `n` resources and passphrase-encrypted secrets, as `pulumi stack export` prints it. */
function deployment(n: number): string {
  const resources = Array.from({ length: n }, (_, i) => ({ urn: `urn:pulumi:${STACK}::jitsi-eu::aws:ec2/instance:Instance::host-${i}`, type: 'aws:ec2/instance:Instance' }));
  return JSON.stringify({ version: 3, deployment: { manifest: { time: '2026-12-01T10:00:00Z' }, secrets_providers: { type: 'passphrase', state: { salt: 'v1:c2FsdA==:v1:Zm9v:YmFy' } }, resources } }, null, 4);
}

const localStateFile = () => join(home, '.pulumi-jitsi-eu', '.pulumi', 'stacks', 'jitsi-eu', `${STACK}.json`);

function seedLocalState(n: number): string {
  const text = deployment(n);
  mkdirSync(dirname(localStateFile()), { recursive: true });
  writeFileSync(localStateFile(), text);
  return text;
}

function calls(): Call[] {
  if (!existsSync(log)) return [];
  return readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Call);
}

/** Each call as "<subcommand> @ <backend>", e.g. "stack import @ s3://…". */
const sequence = () => calls().map((c) => `${c.args.slice(0, 2).join(' ')} @ ${c.env.PULUMI_BACKEND_URL}`);

function deps(extraEnv: Record<string, string> = {}): StateDeps {
  const env = { ...process.env, PATH: `${STUB_BIN}:${dirname(process.execPath)}:/usr/bin:/bin`, PULUMI_CONFIG_PASSPHRASE: PASSPHRASE, FAKE_PULUMI_LOG: log, FAKE_PULUMI_S3_DIR: join(dir.path, 's3'), ...extraEnv };
  return {
    env,
    projectDir: project,
    home,
    pulumi: (e, p) => pulumiCli({ env: e, projectDir: p }),
    s3: (region) => new S3Client({ region }),
    requireCredentials: (region) => requireAwsCredentials(region),
    confirm: async (question) => {
      asked.push(question);
      return answer;
    },
    out: (text) => {
      out += text;
    },
    progress: () => {},
    note: (text) => {
      notes += text;
    },
  };
}

/** What the stand-in CLI keeps for the bucket (see the note in fake-pulumi-state.mjs on why not in moto). */
function objectText(key: string): string {
  return readFileSync(join(dir.path, 's3', BUCKET, key), 'utf8');
}

beforeAll(async () => {
  chmodSync(join(STUB_BIN, 'pulumi'), 0o755);
  moto = await startMoto();
  Object.assign(process.env, moto.env);
  s3 = new S3Client({ region: REGION });
}, 60_000);

afterAll(async () => {
  s3?.destroy();
  await moto?.stop();
});

beforeEach(async () => {
  // A fresh emulator state per test: each starts without the bucket.
  await fetch(`${moto.endpoint}/moto-api/reset`, { method: 'POST' });
  dir = tempDir();
  project = join(dir.path, 'project');
  home = join(dir.path, 'home');
  mkdirSync(project);
  mkdirSync(home);
  copyFileSync(join(PROJECT_DIR, 'Pulumi.yaml'), join(project, 'Pulumi.yaml'));
  copyFileSync(join(PROJECT_DIR, 'Pulumi.example-sandbox.yaml'), join(project, `Pulumi.${STACK}.yaml`));
  log = join(dir.path, 'calls.jsonl');
  out = '';
  notes = '';
  asked = [];
  answer = true;
  delete process.env.PULUMI_BACKEND_URL;
});

afterEach(() => dir.remove());

describe('state share', () => {
  it('creates the bucket, copies the state there, checks it, keeps the local copy and prints the line teammates need', async () => {
    const original = seedLocalState(3);
    const code = await shareState({ stack: STACK, yes: false, json: true }, deps());
    expect(notes).not.toContain('error');
    expect(code).toBe(0);

    const local = `file://${join(home, '.pulumi-jitsi-eu')}`;
    expect(sequence()).toEqual([
      `stack ls @ ${local}`,
      `stack export @ ${local}`,
      `stack ls @ ${TARGET_URL}`,
      `stack init @ ${TARGET_URL}`,
      `stack import @ ${TARGET_URL}`,
      `stack export @ ${TARGET_URL}`,
    ]);
    const init = calls()[3]!;
    expect(init.args).toEqual(['stack', 'init', STACK, '--secrets-provider', 'passphrase', '--non-interactive']);
    // The passphrase salt lives in the stack file: every call runs in the project folder, with the passphrase.
    for (const call of calls()) {
      expect(call.cwd).toBe(project);
      expect(call.env.PULUMI_CONFIG_PASSPHRASE).toBe(PASSPHRASE);
    }

    expect(objectText(`.pulumi/stacks/jitsi-eu/${STACK}.json`)).toBe(original);
    expect(readFileSync(localStateFile(), 'utf8')).toBe(original);
    expect(asked).toHaveLength(1);
    expect(notes).toContain(`Bucket ${BUCKET} (${REGION}, account ${ACCOUNT}) will be created`);
    const report = JSON.parse(out);
    expect(report).toMatchObject({ stack: STACK, bucket: BUCKET, bucketCreated: true, state: 'moved', resources: 3, backendUrl: TARGET_URL, previousState: localStateFile() });
    expect(report.env).toBe(`export PULUMI_BACKEND_URL='${TARGET_URL}'`);
  });

  it('run again changes nothing: no confirmation, no init, no import', async () => {
    seedLocalState(2);
    expect(await shareState({ stack: STACK, yes: true, json: true }, deps())).toBe(0);
    const before = calls().length;
    out = '';
    expect(await shareState({ stack: STACK, yes: false, json: true }, deps({ PULUMI_BACKEND_URL: TARGET_URL }))).toBe(0);
    expect(asked).toEqual([]);
    const again = sequence().slice(before);
    expect(again).toEqual([`stack ls @ ${TARGET_URL}`, `stack export @ ${TARGET_URL}`]);
    expect(JSON.parse(out)).toMatchObject({ bucketCreated: false, bucketFixed: [], state: 'already-there', resources: 2 });
  });

  it('prints the env line in its text output', async () => {
    seedLocalState(1);
    expect(await shareState({ stack: STACK, yes: true, json: false }, deps())).toBe(0);
    expect(out.trimEnd().split('\n').at(-1)).toBe(`export PULUMI_BACKEND_URL='${TARGET_URL}'`);
    expect(out).toContain(`The previous state is kept in ${localStateFile()}`);
  });

  it('stops with exit 1 and deletes nothing when the import fails', async () => {
    const original = seedLocalState(3);
    const code = await shareState({ stack: STACK, yes: true, json: false }, deps({ FAKE_PULUMI_FAIL: 'stack import' }));
    expect(code).toBe(1);
    expect(notes).toMatch(/pulumi stack import failed: error: fake pulumi: stack import failed as asked/);
    expect(notes).toContain(`Nothing was deleted: the state of ${STACK} is still in the local state folder`);
    expect(readFileSync(localStateFile(), 'utf8')).toBe(original);
    expect(calls().some((c) => c.args[1] === 'rm')).toBe(false);
    expect(out).not.toContain('export PULUMI_BACKEND_URL');
  });

  it('after a failed import, a second run fills the empty stack it left', async () => {
    const original = seedLocalState(3);
    await shareState({ stack: STACK, yes: true, json: true }, deps({ FAKE_PULUMI_FAIL: 'stack import' }));
    const before = calls().length;
    expect(await shareState({ stack: STACK, yes: true, json: true }, deps())).toBe(0);
    expect(sequence().slice(before).map((s) => s.split(' @ ')[0])).toEqual(['stack ls', 'stack export', 'stack ls', 'stack export', 'stack import', 'stack export']);
    expect(objectText(`.pulumi/stacks/jitsi-eu/${STACK}.json`)).toBe(original);
  });

  it('fails with exit 1 when the copy read back has fewer resources', async () => {
    seedLocalState(3);
    expect(await shareState({ stack: STACK, yes: true, json: true }, deps({ FAKE_PULUMI_IMPORT_DROPS: '1' }))).toBe(1);
    expect(notes).toContain('has 2 resources, not 3');
    expect(out).toBe('');
  });

  it('refuses to overwrite a different state of the same stack already in the bucket', async () => {
    seedLocalState(1);
    await shareState({ stack: STACK, yes: true, json: true }, deps());
    const inBucket = objectText(`.pulumi/stacks/jitsi-eu/${STACK}.json`);
    seedLocalState(4);
    out = '';
    expect(await shareState({ stack: STACK, yes: true, json: true }, deps())).toBe(1);
    expect(notes).toContain(`stack ${STACK} already exists in ${TARGET_URL} with 1 resources (the current state has 4)`);
    expect(objectText(`.pulumi/stacks/jitsi-eu/${STACK}.json`)).toBe(inBucket);
  });

  it('changes nothing when the confirmation is declined', async () => {
    seedLocalState(2);
    answer = false;
    await expect(shareState({ stack: STACK, yes: false, json: false }, deps())).rejects.toThrow(/not confirmed: nothing was changed/);
    await expect(s3.send(new HeadBucketCommand({ Bucket: BUCKET }))).rejects.toThrow();
    expect(calls().map((c) => c.args[1])).toEqual(['ls', 'export']);
  });

  it('refuses a stack outside the EU the way the spec does, before any AWS or Pulumi call', async () => {
    const file = join(project, `Pulumi.${STACK}.yaml`);
    writeFileSync(file, readFileSync(file, 'utf8').replace('aws:region: eu-central-1', 'aws:region: us-east-1'));
    const error = await shareState({ stack: STACK, yes: true, json: false }, deps()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(/aws:region: "?us-east-1"? is not allowed: jitsi-eu runs only in EU regions/);
    expect(calls()).toEqual([]);
  });

  it('names the backend when the stack is not in it', async () => {
    await expect(shareState({ stack: STACK, yes: true, json: false }, deps())).rejects.toThrow(`stack ${STACK} does not exist in the local state folder ${join(home, '.pulumi-jitsi-eu')}`);
  });
});

describe('state backup and restore', () => {
  it('backup writes the export to a file only its owner can read, warns about it, and never overwrites', async () => {
    const original = seedLocalState(3);
    const file = join(dir.path, 'team-state.json');
    expect(await backupState({ stack: STACK, out: file, json: true }, deps())).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(original);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(notes).toMatch(/warning: .*secrets encrypted by the stack passphrase.*keep it as safely as the passphrase/);
    expect(JSON.parse(out)).toEqual({ stack: STACK, file, resources: 3, backend: `file://${join(home, '.pulumi-jitsi-eu')}` });
    await expect(backupState({ stack: STACK, out: file, json: true }, deps())).rejects.toThrow(/already exists: choose another file name/);
  });

  it('restore brings a backup back into an empty backend after confirmation, and checks it', async () => {
    const original = seedLocalState(3);
    const file = join(dir.path, 'team-state.json');
    await backupState({ stack: STACK, out: file, json: true }, deps());
    const fresh = `file://${join(dir.path, 'fresh-backend')}`;
    out = '';
    expect(await restoreState({ stack: STACK, from: file, yes: false, json: true }, deps({ PULUMI_BACKEND_URL: fresh }))).toBe(0);
    expect(asked).toEqual([`Replace the state of ${STACK}? Type the stack name to confirm [${STACK}]:`]);
    expect(readFileSync(join(dir.path, 'fresh-backend', '.pulumi', 'stacks', 'jitsi-eu', `${STACK}.json`), 'utf8')).toBe(original);
    expect(JSON.parse(out)).toMatchObject({ stack: STACK, resources: 3, created: true });
  });

  it('restore changes nothing when not confirmed, and rejects a file that is not an export', async () => {
    const original = seedLocalState(3);
    const file = join(dir.path, 'backup.json');
    writeFileSync(file, deployment(1));
    answer = false;
    await expect(restoreState({ stack: STACK, from: file, yes: false, json: false }, deps())).rejects.toThrow(/not confirmed/);
    expect(readFileSync(localStateFile(), 'utf8')).toBe(original);
    writeFileSync(file, '{"hello": 1}');
    await expect(restoreState({ stack: STACK, from: file, yes: true, json: false }, deps())).rejects.toThrow(/is not a Pulumi state export/);
  });
});
