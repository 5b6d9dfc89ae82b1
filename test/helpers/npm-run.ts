// Runs a jitsi-eu command the way a user does (`npm run --silent NAME -- ARGS`) in a child process,
// with a fresh HOME and a PATH that has node and npm but certainly no Pulumi CLI.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PROJECT_DIR } from '../../infra/spec/index.ts';
import { tempDir } from './tools.ts';

/** PATH with node and npm but certainly no pulumi. */
export function pathWithoutPulumi(): string {
  const dirs = [dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'];
  return dirs.filter((d) => !existsSync(join(d, 'pulumi'))).join(':');
}

export interface ScriptRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Wall-clock time from start to exit. */
  ms: number;
}

/** `npm run --silent SCRIPT -- ARGS` in the project; `env` is added to PATH, HOME and NO_COLOR. */
export function runNpmScript(script: string, args: readonly string[], env: Record<string, string> = {}, timeoutMs = 60_000): ScriptRun {
  const home = tempDir();
  const started = Date.now();
  try {
    const result = spawnSync('npm', ['run', '--silent', script, '--', ...args], {
      cwd: PROJECT_DIR,
      encoding: 'utf8',
      timeout: timeoutMs,
      env: { PATH: pathWithoutPulumi(), HOME: home.path, NO_COLOR: '1', ...env },
    });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr, ms: Date.now() - started };
  } finally {
    home.remove();
  }
}

/** As runNpmScript, without blocking: for commands that talk to a server running in the test's own process. */
export async function runNpmScriptAsync(script: string, args: readonly string[], env: Record<string, string> = {}, timeoutMs = 60_000): Promise<ScriptRun> {
  const home = tempDir();
  const started = Date.now();
  try {
    const child = spawn('npm', ['run', '--silent', script, '--', ...args], {
      cwd: PROJECT_DIR,
      timeout: timeoutMs,
      env: { PATH: pathWithoutPulumi(), HOME: home.path, NO_COLOR: '1', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const [code] = (await once(child, 'close')) as [number | null];
    return { code, stdout, stderr, ms: Date.now() - started };
  } finally {
    home.remove();
  }
}
