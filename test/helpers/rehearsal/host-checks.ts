// What the boot rehearsal checks on a booted host: the rendered files as the host has them, the
// services systemd runs, and where secret values must never appear.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SIGNALING_PRIVATE_IP } from '../../../infra/aws/layout.ts';
import { BOOT_VALUES, applyDeployValues } from '../../../infra/placeholders.ts';
import { renderBundle } from '../../../infra/render/bundle.ts';
import type { BundleFile, HostRole } from '../../../infra/render/types.ts';
import { secretPlaceholder, ssmPrefix, type SecretName } from '../../../infra/secrets.ts';
import type { DeploymentSpec } from '../../../infra/spec/types.ts';
import type { RehearsalHost } from '../../../scripts/rehearse/host.ts';

export interface FileProblem {
  path: string;
  problem: string;
}

/** account name → id, from the host's own /etc/passwd or /etc/group. */
function ids(root: string, file: 'passwd' | 'group'): Map<string, number> {
  const map = new Map<string, number>();
  for (const line of readFileSync(join(root, 'etc', file), 'utf8').split('\n')) {
    const [name, , id] = line.split(':');
    if (name && id) map.set(name, Number(id));
  }
  return map;
}

/** The files of the role as the host should have them: deploy, boot and secret values filled in. */
export function expectedFiles(spec: DeploymentSpec, role: HostRole, host: RehearsalHost, parameters: Record<string, string>): BundleFile[] {
  const boot: Record<string, string> = {
    [BOOT_VALUES.localIpv4]: host.privateIp,
    [BOOT_VALUES.publicIpv4]: host.publicIp,
    [BOOT_VALUES.instanceId]: host.instanceId,
  };
  return renderBundle(spec)
    .files.filter((f) => f.roles.includes(role) && f.component !== 'cloud-init')
    .map((f) => {
      let content = applyDeployValues(f.content, { signalingPrivateIp: SIGNALING_PRIVATE_IP });
      for (const [token, value] of Object.entries(boot)) content = content.split(token).join(value);
      for (const [name, value] of Object.entries(parameters)) {
        content = content.split(secretPlaceholder(name.slice(ssmPrefix(spec.stack).length) as SecretName)).join(value);
      }
      return { ...f, content };
    });
}

/** Every difference between the expected files and the host's: content, owner, mode. */
export function fileProblems(root: string, files: BundleFile[]): FileProblem[] {
  const users = ids(root, 'passwd');
  const groups = ids(root, 'group');
  const problems: FileProblem[] = [];
  for (const f of files) {
    const path = join(root, f.path);
    let stat;
    try {
      stat = statSync(path);
    } catch {
      problems.push({ path: f.path, problem: 'missing' });
      continue;
    }
    const mode = `0${(stat.mode & 0o777).toString(8)}`;
    if (mode !== f.mode) problems.push({ path: f.path, problem: `mode ${mode}, expected ${f.mode}` });
    const [user, group] = (f.owner ?? 'root:root').split(':');
    if (stat.uid !== users.get(user!) || stat.gid !== groups.get(group!)) {
      problems.push({ path: f.path, problem: `owner ${stat.uid}:${stat.gid}, expected ${f.owner ?? 'root:root'}` });
    }
    if (readFileSync(path, 'utf8') !== f.content) problems.push({ path: f.path, problem: 'content differs from the rendered file' });
  }
  return problems;
}

/** Units of the role that must be active once the host is ready. */
export function expectedServices(spec: DeploymentSpec, role: HostRole): string[] {
  // AWS: Session Manager's agent. Hetzner, OpenStack: the rule that keeps the metadata service to root.
  const cloud = spec.cloud === 'aws' ? 'amazon-ssm-agent' : 'jitsi-eu-metadata-guard';
  if (role === 'bridge') return ['jitsi-videobridge2', 'jitsi-eu-drain', cloud];
  return ['prosody', 'jicofo', 'nginx', ...(spec.turn ? ['coturn'] : []), ...(spec.topology === 'single' ? ['jitsi-videobridge2'] : []), cloud];
}

/** Names of the places (of `texts`) where any of `secrets` appears. */
export function secretLeaks(texts: Record<string, string>, secrets: string[]): string[] {
  return Object.entries(texts).flatMap(([where, text]) => secrets.filter((s) => text.includes(s)).map(() => where));
}
