// The entry point as the Pulumi CLI loads it. Pulumi.yaml says: runtime nodejs, typescript off,
// node started with `--import tsx`, main `infra/`. This test starts node the same way and hands
// `infra/` to the SDK's own program runner (what the nodejs language host executes), under mocks.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PROJECT_DIR } from '../../infra/spec/index.ts';

const run = promisify(execFile);

interface ProjectFile {
  main: string;
  runtime: { name: string; options: { typescript: boolean; nodeargs: string } };
}

const project = parse(readFileSync(join(PROJECT_DIR, 'Pulumi.yaml'), 'utf8')) as ProjectFile;

// Runs in a child process started with the project's nodeargs.
const driver = `
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
const require = createRequire(process.cwd() + '/package.json');
const { installMocks, finishRecording } = await import(pathToFileURL(process.cwd() + '/scripts/plan/record.ts').href);
const { readStackConfig } = await import(pathToFileURL(process.cwd() + '/scripts/plan/config.ts').href);
const stack = process.env.STACK;
const mocks = await installMocks({ stack, config: readStackConfig('Pulumi.' + stack + '.yaml') });
// Resource options never reach the mocks: read the ignored properties off each registration.
const pulumi = require('@pulumi/pulumi');
const monitor = pulumi.runtime.getMonitor();
const register = monitor.registerResource.bind(monitor);
const ignored = {};
monitor.registerResource = (req, callback) => {
  if (req.getIgnorechangesList().length) ignored[req.getName()] = req.getIgnorechangesList();
  return register(req, callback);
};
// The runner's index module starts a whole language host on load; only run() is wanted here.
const index = require.resolve('@pulumi/pulumi/cmd/run/index.js');
require.cache[index] = { id: index, filename: index, loaded: true, exports: { nodeJSProcessExitedAfterLoggingUserActionableMessage: 32 } };
const { run } = require('@pulumi/pulumi/cmd/run/run.js');
const errors = [];
const outputs = await run({ _: [process.env.PROGRAM_MAIN] }, () => {}, (e) => errors.push(String(e)), () => false);
const recording = await finishRecording(mocks, stack, outputs);
process.stdout.write(JSON.stringify({ errors, outputs, types: recording.resources.map((r) => r.type), ignored }));
`;

interface EntryRun {
  errors: string[];
  outputs: Record<string, unknown>;
  types: string[];
  /** Resource name → the properties its options tell Pulumi to ignore. */
  ignored: Record<string, string[]>;
}

async function runEntry(stack: string, env: Record<string, string> = {}): Promise<EntryRun> {
  const { stdout } = await run(process.execPath, [...project.runtime.options.nodeargs.split(' '), '--input-type=module', '-e', driver], {
    cwd: PROJECT_DIR,
    env: { ...process.env, ...env, STACK: stack, PROGRAM_MAIN: project.main, PULUMI_NODEJS_TYPESCRIPT: String(project.runtime.options.typescript) },
    maxBuffer: 8 * 1024 * 1024,
  });
  return JSON.parse(stdout) as EntryRun;
}

describe('Pulumi.yaml entry point', () => {
  it('names the infra/ program with typescript off and tsx as node loader', () => {
    expect(project.main).toBe('infra/');
    expect(project.runtime.name).toBe('nodejs');
    expect(project.runtime.options.typescript).toBe(false);
    expect(project.runtime.options.nodeargs).toBe('--import tsx');
    const pkg = JSON.parse(readFileSync(join(PROJECT_DIR, 'package.json'), 'utf8')) as { type: string };
    // The SDK loads ES modules with import(), which is what lets tsx compile infra/index.ts.
    expect(pkg.type).toBe('module');
  });

  it("runs infra/ through the SDK's program runner and returns the stack outputs", async () => {
    const result = await runEntry('example-production');
    expect(result.errors).toEqual([]);
    expect(result.outputs).toMatchObject({
      url: 'https://meet.example.org/',
      region: 'eu-west-3',
      hostAccountParameter: '/jitsi-eu/example-production/host-password',
    });
    expect(String(result.outputs.ssmShellCommand)).toMatch(/^aws ssm start-session --target i-[0-9a-f]+ --region eu-west-3$/);
    expect(result.types).toContain('aws:ec2/instance:Instance');
    expect(result.types).toContain('jitsi-eu:aws:SignalingNode');
  });

  it('hands JITSI_EU_DEPLOYED_SIGNALING_HOST to the program: the same node as deployed keeps its user data', async () => {
    const first = await runEntry('example-hetzner', { JITSI_EU_DEPLOYED_SIGNALING_HOST: '' });
    expect(first.errors).toEqual([]);
    expect(first.ignored).toEqual({});
    const signalingHost = String(first.outputs.signalingHost);
    expect(signalingHost).toMatch(/^[0-9a-f]{64}$/);
    const same = await runEntry('example-hetzner', { JITSI_EU_DEPLOYED_SIGNALING_HOST: signalingHost });
    expect(same.errors).toEqual([]);
    expect(same.ignored).toEqual({ 'signaling-server': ['userData'] });
    const other = await runEntry('example-hetzner', { JITSI_EU_DEPLOYED_SIGNALING_HOST: '0'.repeat(64) });
    expect(other.ignored).toEqual({});
  }, 60_000);
});
