// Pulumi.yaml's typed config block and the example stacks must agree with the key catalogue
// the spec validates against: Pulumi reads one, jitsi-eu the other.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CONFIG_KEYS, PROJECT_DIR, loadStackFile } from '../../infra/spec/index.ts';

interface PulumiProject {
  name: string;
  main: string;
  runtime: { name: string };
  config: Record<string, { type: string; description: string; default?: unknown }>;
}

const project = parse(readFileSync(join(PROJECT_DIR, 'Pulumi.yaml'), 'utf8')) as PulumiProject;

describe('Pulumi.yaml', () => {
  it('names the project, the nodejs runtime and an entry point inside infra/', () => {
    expect(project.name).toBe('jitsi-eu');
    expect(project.runtime.name).toBe('nodejs');
    expect(project.main).toMatch(/^infra\/?/);
  });

  it('documents exactly the jitsi-eu keys of the catalogue, with their types and defaults', () => {
    const ours = CONFIG_KEYS.filter((k) => k.key.startsWith('jitsi-eu:'));
    expect(Object.keys(project.config).sort()).toEqual(ours.map((k) => k.key.slice('jitsi-eu:'.length)).sort());
    for (const key of ours) {
      const entry = project.config[key.key.slice('jitsi-eu:'.length)]!;
      expect(entry.type, key.key).toBe(key.type);
      expect(entry.description.length, key.key).toBeGreaterThan(20);
      // Object defaults stay out of Pulumi.yaml: Pulumi would inject them into single-node stacks.
      if (key.type === 'object' || key.default === undefined) expect(entry.default, key.key).toBeUndefined();
      else expect(entry.default, key.key).toEqual(key.default);
      if (key.required) expect(entry.description, key.key).toMatch(/Required\./);
    }
  });
});

describe('example stacks', () => {
  const examples = readdirSync(PROJECT_DIR).filter((f) => /^Pulumi\.example-.+\.yaml$/.test(f));

  it('ship a sandbox, a secure production node and a scalable deployment', () => {
    const specs = examples.map((f) => loadStackFile(join(PROJECT_DIR, f))).map((r) => (r.ok ? r.spec : undefined));
    expect(specs.every(Boolean)).toBe(true);
    expect(specs.some((s) => s!.sandbox && s!.topology === 'single' && s!.expiresAt && s!.tls === 'letsencrypt-staging')).toBe(true);
    expect(specs.some((s) => !s!.sandbox && s!.topology === 'single' && s!.auth === 'secure' && s!.tls === 'letsencrypt')).toBe(true);
    expect(specs.some((s) => s!.topology === 'scalable' && s!.bridges!.max > s!.bridges!.min)).toBe(true);
  });

  it.each(examples)('%s is valid and raises no warning', (file) => {
    const result = loadStackFile(join(PROJECT_DIR, file), { now: new Date('2026-11-22T00:00:00Z') });
    expect(result.ok ? [] : result.problems).toEqual([]);
    expect(result.warnings).toEqual([]);
  });
});
