// channel-apply.sh, rendered for a Hetzner stack and run by the real bash in a sandbox (its host
// paths moved there, a stand-in agent that prints what it found): it installs a received archive
// and the pointer naming it, then runs the agent; an archive whose sha256 or revision is not the
// one named is refused, and the pointer stays as it was.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CHANNEL_APPLY_PATH } from '../../infra/channel.ts';
import { renderBundle } from '../../infra/render/bundle.ts';
import { AGENT_CONFIG_PATH, AGENT_PATH, roleArchive } from '../../infra/render/delivery.ts';
import { CHANNEL_SPEC, renderedChannelFile } from '../helpers/channel-service.ts';
import { requireTool, tempDir } from '../helpers/tools.ts';

const work = tempDir('jitsi-eu-channel-apply-');
afterAll(() => work.remove());

const at = (path: string) => join(work.path, path);
const bundleDir = at('var/lib/jitsi-eu/bundle');
const pointer = join(bundleDir, 'pointer');

function setUp(): string {
  spawnSync('mkdir', ['-p', bundleDir, at('etc/jitsi-eu'), at('run/lock'), at('usr/local/sbin')]);
  writeFileSync(at(AGENT_CONFIG_PATH), `JITSI_EU_APPLY_POINTER='${pointer}'\n`);
  writeFileSync(join(bundleDir, 'archive.tar'), 'the archive from the user data');
  writeFileSync(pointer, `revision=first archive=${bundleDir}/archive.tar sha256=0\n`);
  // The stand-in agent answers with what the pointer names, as JSON on standard output.
  writeFileSync(at(AGENT_PATH), `#!/bin/bash\nprintf '{"args":"%s","pointer":"%s"}' "$*" "$(<${pointer})"\n`);
  chmodSync(at(AGENT_PATH), 0o755);
  const script = renderedChannelFile(CHANNEL_APPLY_PATH)
    .replaceAll(`'${AGENT_CONFIG_PATH}'`, `'${at(AGENT_CONFIG_PATH)}'`)
    .replaceAll(`'${AGENT_PATH}'`, `'${at(AGENT_PATH)}'`)
    .replaceAll(`'/run/lock/`, `'${at('run/lock')}/`);
  const path = at('channel-apply.sh');
  writeFileSync(path, script, { mode: 0o755 });
  return path;
}

function run(script: string, args: string[], input: Buffer) {
  return spawnSync(requireTool('bash'), [script, ...args], { input, encoding: 'utf8' });
}

describe('channel-apply.sh', () => {
  const script = setUp();
  const archive = roleArchive(CHANNEL_SPEC, renderBundle(CHANNEL_SPEC), 'signaling', { signalingPrivateIp: '10.0.0.10' });

  it('refuses an archive whose sha256 is not the one named, and leaves the pointer alone', () => {
    const result = run(script, [archive.revision, '0'.repeat(64)], archive.archive);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`does not have the sha256 ${'0'.repeat(64)}: not applied`);
    expect(readFileSync(pointer, 'utf8')).toContain('revision=first');
    expect(readdirSync(bundleDir).sort()).toEqual(['archive.tar', 'pointer']);
  });

  it('refuses an archive that holds another revision', () => {
    const result = run(script, ['abcdef012345', archive.sha256], archive.archive);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('does not hold revision abcdef012345');
    expect(readFileSync(pointer, 'utf8')).toContain('revision=first');
  });

  it('refuses arguments that are not a revision and a sha256 (usage, exit 2)', () => {
    expect(run(script, ['../x', archive.sha256], archive.archive).status).toBe(2);
    expect(run(script, [archive.revision], archive.archive).status).toBe(2);
  });

  it('installs the archive, points the pointer at it, drops the older one and runs the agent with --json', () => {
    const result = run(script, [archive.revision, archive.sha256], archive.archive);
    expect(result.status, result.stderr).toBe(0);
    const installed = join(bundleDir, `${archive.revision}.tar.gz`);
    const answer = JSON.parse(result.stdout) as { args: string; pointer: string };
    expect(answer).toEqual({ args: '--json', pointer: `revision=${archive.revision} archive=${installed} sha256=${archive.sha256}` });
    expect(createHash('sha256').update(readFileSync(installed)).digest('hex')).toBe(archive.sha256);
    expect((statSync(pointer).mode & 0o777).toString(8)).toBe('600');
    expect(existsSync(join(bundleDir, 'archive.tar'))).toBe(false);
    expect(readdirSync(bundleDir).sort()).toEqual([`${archive.revision}.tar.gz`, 'pointer']);
  });
});
