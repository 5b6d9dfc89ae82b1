// .ci/run installs what the tests need, moto_server included: used from PATH when there,
// installed with pip into a private virtual environment when not, a clear exit 2 when that fails.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PROJECT_DIR } from '../../infra/spec/load.ts';
import { tempDir } from '../helpers/tools.ts';

const script = join(PROJECT_DIR, '.ci/install-moto');

/** A PATH with stand-ins for python3 (its venv module and that venv's pip) and no moto_server. */
function stubPython(dir: string, pipWorks: boolean): string {
  const bin = join(dir, 'stub-bin');
  mkdirSync(bin);
  const pip = pipWorks
    ? '#!/bin/sh\necho "$@" >> "$(dirname "$0")/pip-calls"\nprintf "#!/bin/sh\\n" > "$(dirname "$0")/moto_server"\nchmod +x "$(dirname "$0")/moto_server"\n'
    : '#!/bin/sh\necho "ERROR: Could not find a version that satisfies the requirement" >&2\nexit 1\n';
  writeFileSync(
    join(bin, 'python3'),
    `#!/bin/sh\n[ "$1 $2" = "-m venv" ] || exit 9\nmkdir -p "$3/bin"\ncat > "$3/bin/pip" <<'PIP'\n${pip}PIP\nchmod +x "$3/bin/pip"\n`,
  );
  chmodSync(join(bin, 'python3'), 0o755);
  return `${bin}:/usr/bin:/bin`;
}

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((remove) => remove()));
const scratch = (prefix: string): string => {
  const { path, remove } = tempDir(prefix);
  cleanups.push(remove);
  return path;
};

const run = (env: Record<string, string>) => spawnSync('bash', [script], { env, encoding: 'utf8' });

describe('.ci/install-moto', () => {
  it('uses moto_server where PATH has it', () => {
    const dir = scratch('moto-present-');
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'moto_server'), '#!/bin/sh\n');
    chmodSync(join(bin, 'moto_server'), 0o755);
    const result = run({ PATH: `${bin}:/usr/bin:/bin`, HOME: dir });
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toBe(bin);
  });

  it("installs 'moto[server]' with pip into a virtual environment when moto_server is missing", () => {
    const dir = scratch('moto-install-');
    const result = run({ PATH: stubPython(dir, true), HOME: dir });
    expect(result.stderr).toMatch(/moto_server is not on PATH: installing it/);
    expect(result.status).toBe(0);
    const venvBin = join(dir, '.cache/jitsi-eu/moto-venv/bin');
    expect(result.stdout.trim()).toBe(venvBin);
    expect(existsSync(join(venvBin, 'moto_server'))).toBe(true);
    expect(readFileSync(join(venvBin, 'pip-calls'), 'utf8')).toBe('install --quiet moto[server]\n');
  });

  it('exits 2 with what to do when the install fails', () => {
    const dir = scratch('moto-offline-');
    const result = run({ PATH: stubPython(dir, false), HOME: dir });
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/moto_server could not be installed \(pip install 'moto\[server\]' failed: is PyPI reachable\?\)/);
    expect(result.stderr).toMatch(/so that moto_server is on PATH/);
  });

  it('is what .ci/run runs before the tests, and the README gives the same package', () => {
    const ciRun = readFileSync(join(PROJECT_DIR, '.ci/run'), 'utf8');
    expect(ciRun).toMatch(/MOTO_DIR="\$\(bash \.ci\/install-moto\)"\nexport PATH="\$MOTO_DIR:\$PATH"/);
    const pkg = /MOTO_PACKAGE="([^"]+)"/.exec(readFileSync(script, 'utf8'))![1]!;
    expect(readFileSync(join(PROJECT_DIR, 'README.md'), 'utf8')).toContain(`pip install '${pkg}'`);
  });
});
