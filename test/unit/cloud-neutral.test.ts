// Clouds are interchangeable below the bundle: the spec, the privacy profile, rendering and the
// secret rules import nothing of any cloud, directly or through another module.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const NEUTRAL = ['infra/spec', 'infra/privacy', 'infra/render', 'infra/secrets.ts', 'infra/placeholders.ts', 'infra/ports.ts', 'infra/private-network.ts', 'infra/outputs.ts'];
const CLOUD_PATH = /^infra\/(aws|hetzner|openstack)\//;
const CLOUD_PACKAGE = /^@pulumi\/(aws|hcloud|openstack)(\/|$)/;

function sources(path: string): string[] {
  const full = join(ROOT, path);
  if (!statSync(full).isDirectory()) return [path];
  return readdirSync(full).flatMap((name) => sources(join(path, name))).filter((p) => p.endsWith('.ts'));
}

function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]/g), ...text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1]!);
}

/** Every cloud module or package a file reaches, with the chain of imports that gets there. */
function cloudReach(start: string): string[] {
  const found: string[] = [];
  const seen = new Set<string>();
  const walk = (file: string, chain: string[]) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const spec of importsOf(file)) {
      if (CLOUD_PACKAGE.test(spec)) {
        found.push([...chain, file, spec].join(' → '));
      } else if (spec.startsWith('.')) {
        const target = relative(ROOT, resolve(ROOT, dirname(file), spec));
        if (CLOUD_PATH.test(target)) found.push([...chain, file, target].join(' → '));
        else if (target.endsWith('.ts')) walk(target, [...chain, file]);
      }
    }
  };
  walk(start, []);
  return found;
}

describe('cloud-neutral modules', () => {
  const files = NEUTRAL.flatMap(sources);

  it('are there to check', () => {
    expect(files.length).toBeGreaterThan(40);
    expect(files).toContain('infra/render/bundle.ts');
  });

  it('reach no cloud folder and no cloud provider package', () => {
    expect(files.flatMap(cloudReach)).toEqual([]);
  });

  it('would notice a cloud import', () => {
    expect(CLOUD_PATH.test(relative(ROOT, resolve(ROOT, 'infra/render', '../aws/layout.ts')))).toBe(true);
    expect(CLOUD_PACKAGE.test('@pulumi/aws/ec2/instance.js')).toBe(true);
    expect(CLOUD_PACKAGE.test('@pulumi/pulumi')).toBe(false);
  });
});
