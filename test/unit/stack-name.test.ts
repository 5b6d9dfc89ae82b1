// One stack-name rule for the spec and every command: Pulumi's, which keeps out the wildcards
// AWS filters would expand to other stacks' resources.
import { describe, expect, it } from 'vitest';
import { STACK_NAME_RULE, specFromConfig, stackNameProblem } from '../../infra/spec/index.ts';
import { runNpmScript } from '../helpers/npm-run.ts';

describe('the stack-name rule', () => {
  it('accepts what Pulumi accepts', () => {
    for (const good of ['prod', 'course-a', 'Team_2.staging', 'a', 'x'.repeat(100)]) expect(stackNameProblem(good), good).toBeUndefined();
  });

  it('refuses wildcards, separators, blanks, the empty name and names over 100 characters, saying why', () => {
    expect(stackNameProblem('name-*')).toMatch(/contains "\*" \(AWS filters would read it as a wildcard and match other stacks\)/);
    expect(stackNameProblem('a?c')).toMatch(/"\?".*wildcard/);
    expect(stackNameProblem('org/project/prod')).toBe('contains "/"');
    expect(stackNameProblem('my stack')).toBe('contains " "');
    expect(stackNameProblem('')).toBe('is empty');
    expect(stackNameProblem('x'.repeat(101))).toBe('is 101 characters long');
  });

  it('is the rule the spec applies', () => {
    const result = specFromConfig({ 'aws:region': 'eu-central-1', 'jitsi-eu:domain': 'meet.example.org', 'jitsi-eu:acmeEmail': 'ops@example.org' }, { stack: 'prod*' });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems.map((p) => p.message)).toEqual([expect.stringContaining(`stack name "prod*" contains "*"`)]);
    expect(!result.ok && result.problems[0]!.message).toContain(STACK_NAME_RULE);
  });
});

describe('every command that takes a stack name', () => {
  const region = { AWS_REGION: 'eu-central-1', PULUMI_CONFIG_PASSPHRASE: 'x' };
  const runs: [string, string[]][] = [
    ['teardown', ['--stack', 'name-*', '--orphans', '--region', 'eu-central-1']],
    ['deploy', ['--stack', 'name-*']],
    ['plan', ['--stack', 'name-*']],
    ['render', ['--stack', 'name-*']],
    ['verify', ['--stack', 'name-*']],
    ['sandbox', ['create', 'name-*', '--ttl', '1d']],
    ['sandbox', ['destroy', 'name-*', '--yes']],
    ['sandbox', ['extend', 'name-*', '--ttl', '1d']],
  ];

  it.each(runs)('npm run %s -- %j refuses name-* with the input, the rule and the fix (exit 2), before anything else', (script, args) => {
    const result = runNpmScript(script, args, region);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trim().split('\n');
    expect(lines[0]).toMatch(/^error: .*"name-\*": the name contains "\*" \(AWS filters would read it as a wildcard and match other stacks\)\.$/);
    expect(lines[1]).toBe(`${STACK_NAME_RULE}.`);
    expect(lines[2]).toMatch(/Give the exact name of one stack/);
    expect(result.stderr).not.toMatch(/Pulumi CLI|does not exist|credentials/);
  });
});
