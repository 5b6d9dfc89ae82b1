// Names reserved for examples (RFC 2606/6761) render and plan, but deploy refuses them before
// pulumi up: no certificate and no DNS answer would ever come for them.
import { describe, expect, it } from 'vitest';
import { exampleNameProblems, isReservedExampleName } from '../../infra/spec/example-names.ts';
import { loadStackFile, stackFileFor } from '../../infra/spec/index.ts';
import { UsageError } from '../../scripts/lib/cli.ts';
import { deployMain, type DeployDeps } from '../../scripts/deploy/main.ts';
import { MemoryWorkspace } from '../fixtures/fake-pulumi/memory-workspace.ts';
import { makeSpec } from '../helpers/spec.ts';

describe('reserved example names', () => {
  it('covers example.com/.net/.org with every subdomain and the reserved top-level domains', () => {
    for (const name of ['example.org', 'meet.example.org', 'a.b.example.com', 'x.example.net', 'meet.uni.example', 'jitsi.test', 'foo.invalid', 'host.localhost', 'MEET.EXAMPLE.ORG.']) {
      expect(isReservedExampleName(name), name).toBe(true);
    }
    for (const name of ['meet.uni-example.org', 'example.de', 'notexample.org', 'example.org.eu', 'testing.eu', 'meet.contest']) {
      expect(isReservedExampleName(name), name).toBe(false);
    }
  });

  it('names every setting of the production example that holds one, with its line', () => {
    const path = stackFileFor('example-production');
    const result = loadStackFile(path);
    if (!result.ok) throw new Error('the example must stay valid for render and plan');
    const lines = new Map([['jitsi-eu:domain', 5]]);
    const problems = exampleNameProblems(result.spec, lines);
    expect(problems.map((p) => p.key)).toEqual(expect.arrayContaining(['jitsi-eu:domain', 'jitsi-eu:acmeEmail']));
    expect(problems[0]).toMatchObject({ key: 'jitsi-eu:domain', value: 'meet.example.org', line: 5 });
    expect(problems[0]!.message).toMatch(/"meet\.example\.org" is in meet\.example\.org, a name reserved for examples \(RFC 2606\)/);
  });

  it('says nothing about a stack with names of its own', () => {
    const spec = makeSpec({ domain: 'meet.uni-muenster.de', acmeEmail: 'it@uni-muenster.de', privacyContact: 'https://uni-muenster.de/privacy', owner: 'ops@uni-muenster.de' });
    expect(exampleNameProblems(spec)).toEqual([]);
  });

  it('reports a privacy contact URL and an owner address in a reserved domain', () => {
    const spec = makeSpec({ domain: 'meet.uni-muenster.de', acmeEmail: 'it@uni-muenster.de', privacyContact: 'https://dpo.example.com/form', owner: 'me@lab.test' });
    expect(exampleNameProblems(spec).map((p) => p.key)).toEqual(['jitsi-eu:privacyContact', 'jitsi-eu:owner']);
  });

  it('makes deploy stop before pulumi up, naming the file, line and value, while render still accepts the example', async () => {
    const ws = new MemoryWorkspace();
    const upCalls: unknown[] = [];
    const up = ws.up.bind(ws);
    ws.up = (...args: Parameters<typeof ws.up>) => (upCalls.push(args), up(...args));
    const deps: DeployDeps = {
      openWorkspace: async () => ws,
      requireCredentials: async () => {},
      loadVerify: async () => ({ missing: 'not needed' }),
      out: () => {},
      progress: () => {},
      onOutput: () => {},
      interactive: () => false,
      ask: async () => 'yes',
    };
    const refused = deployMain(['--stack', 'example-production'], deps);
    await expect(refused).rejects.toThrow(UsageError);
    await expect(refused).rejects.toThrow(/Pulumi\.example-production\.yaml:\d+: jitsi-eu:domain: "meet\.example\.org" is in meet\.example\.org, a name reserved for examples/);
    expect(upCalls).toEqual([]);
    expect(ws.opsFor('example-production')).toEqual([]);
  });
});
