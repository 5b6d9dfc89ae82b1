// accounts, rotate and upgrade on a Hetzner Cloud or OpenStack stack, as a user runs them: they
// need a channel to the hosts that only AWS gives jitsi-eu, so they refuse at once (exit 2),
// saying what is not available, why, and what to do instead — before Pulumi or any cloud is asked.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeCloudStack } from '../helpers/cloud-stacks.ts';
import { runNpmScript } from '../helpers/npm-run.ts';

const COMMANDS = [
  { script: 'accounts', args: ['list', '--stack'], instead: /prosodyctl/ },
  { script: 'rotate', args: ['--stack'], instead: /new secrets come with a new node[\s\S]*--replace/ },
  { script: 'upgrade', args: ['--stack'], instead: /jitsi-eu:image[\s\S]*npm run deploy -- --stack/ },
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

  it.each(COMMANDS)('$script refuses with exit 2, what is missing, why, and what to do instead', ({ script, args, instead }) => {
    // No Pulumi CLI on PATH and no credentials: the refusal comes before either is needed.
    const result = runNpmScript(script, [...args, stack]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`error: npm run ${script} is not available for stack ${stack}, which runs on ${cloudName} (jitsi-eu:cloud: ${cloud}).`);
    expect(result.stderr).toMatch(/no channel to the hosts there \(no SSH, no agent taking orders\): nothing was changed/);
    expect(result.stderr).toMatch(instead);
    expect(result.stderr).not.toMatch(/Pulumi CLI|AWS credentials/);
  });
});
