// upgrade on a Hetzner Cloud or OpenStack stack, as a user runs it: it refuses at once (exit 2),
// saying what is not available, why, and what to do instead — before Pulumi or any cloud is
// asked. accounts and rotate work there (through the channel), so they go on to need Pulumi.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeCloudStack } from '../helpers/cloud-stacks.ts';
import { runNpmScript } from '../helpers/npm-run.ts';

const COMMANDS = [
  { script: 'upgrade', args: ['--stack'], why: /Here an upgrade is a deploy: nothing was changed/, instead: /jitsi-eu:image[\s\S]*npm run deploy -- --stack/ },
] as const;

describe.each([
  ['hetzner', 'Hetzner Cloud', 'c11-day2-hetzner'],
  ['openstack', 'OpenStack', 'c11-day2-openstack'],
] as const)('day-2 commands on a %s stack', (cloud, cloudName, stack) => {
  let remove = () => {};
  beforeAll(() => {
    remove = writeCloudStack(cloud, stack);
  });
  afterAll(() => remove());

  it.each(COMMANDS)('$script refuses with exit 2, what is missing, why, and what to do instead', ({ script, args, why, instead }) => {
    // No Pulumi CLI on PATH and no credentials: the refusal comes before either is needed.
    const result = runNpmScript(script, [...args, stack]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`error: npm run ${script} is not available for stack ${stack}, which runs on ${cloudName} (jitsi-eu:cloud: ${cloud}).`);
    expect(result.stderr).toMatch(why);
    expect(result.stderr).not.toMatch(/no channel/);
    expect(result.stderr).toMatch(instead);
    expect(result.stderr).not.toMatch(/Pulumi CLI|AWS credentials/);
  });

  it.each([
    ['accounts', ['list']],
    ['rotate', ['--yes']],
  ])('%s is not refused: it reads the channel from the stack, so it needs the Pulumi CLI (exit 2 naming it)', (script, args) => {
    const result = runNpmScript(script, [...args, '--stack', stack]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('the Pulumi CLI is not installed');
    expect(result.stderr).not.toMatch(/not available for stack|AWS credentials/);
  });
});
