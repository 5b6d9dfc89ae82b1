// Runs rendered host scripts under bash on this machine, with fake system tools first on PATH
// that log every call: for what a script does in one situation, without booting a host (the
// rehearsal boots one for real).
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { BundleFile } from '../../../infra/render/types.ts';
import { requireTool, tempDir } from '../tools.ts';

export interface ScriptHarness {
  /** Where the files were written: `root + '/' + file.path`. */
  root: string;
  /** `calls` logs one line per fake tool call: `<tool> <args>`. */
  log: string;
  calls(): string[];
  run(script: string, env?: Record<string, string>): SpawnSyncReturns<string>;
  remove(): void;
}

/**
 * Writes `files` under a fresh directory and makes `fakes` (tool name → bash body, run after the
 * call is logged) the first tools on PATH.
 */
export function scriptHarness(files: readonly BundleFile[], fakes: Record<string, string>): ScriptHarness {
  const dir = tempDir('jitsi-eu-scripts-');
  const root = join(dir.path, 'root');
  const bin = join(dir.path, 'bin');
  const log = join(dir.path, 'calls');
  mkdirSync(bin, { recursive: true });
  for (const f of files) {
    const path = join(root, f.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, f.content);
    chmodSync(path, Number.parseInt(f.mode, 8));
  }
  for (const [tool, body] of Object.entries(fakes)) {
    writeFileSync(join(bin, tool), `#!/bin/bash\nprintf '%s\\n' "${tool} $*" >> '${log}'\n${body}\n`);
    chmodSync(join(bin, tool), 0o755);
  }
  return {
    root,
    log,
    calls: () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean) : []),
    run: (script, env = {}) =>
      spawnSync(requireTool('bash'), ['-c', script], {
        encoding: 'utf8',
        env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, JITSI_EU_RETRY_SECONDS: '0', ...env },
        timeout: 20_000,
      }),
    remove: dir.remove,
  };
}
