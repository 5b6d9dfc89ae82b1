// How a role's configuration reaches its hosts outside the user data: one archive per role and
// revision (immutable, named by the revision), and a small pointer naming the current one. The
// host agent (templates/os/apply.sh.hbs) fetches the archive the pointer names, checks its
// sha256 and applies it. Cloud-neutral: a cloud stores the archive and the pointer its own way.
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { Header } from 'tar';
import { applyDeployValues, type DeployValueName } from '../placeholders.ts';
import { ssmPrefix } from '../secrets.ts';
import type { DeploymentSpec } from '../spec/types.ts';
import { bundleRevision } from '../../scripts/status/revision.ts';
import { PROSODY_MODULES_FILE, orderSteps, prosodyModuleTable, stepWord, stepsForFile } from './reload.ts';
import type { Bundle, BundleComponent, HostRole } from './types.ts';

/** The agent on every host; cloud-init installs it, SSM Run Command and State Manager run it. */
export const AGENT_PATH = '/usr/local/sbin/jitsi-eu-apply';
/** What the agent needs to find its bundle: stack, region, role, pointer name. Written by cloud-init. */
export const AGENT_CONFIG_PATH = '/etc/jitsi-eu/apply.conf';

/** The pointer to a role's current bundle: `/jitsi-eu/<stack>/bundle/<role>`. */
export function bundlePointerName(stack: string, role: HostRole): string {
  return `${ssmPrefix(stack)}bundle/${role}`;
}

/** Object key of a role's archive; one object per revision, never overwritten. */
export function bundleObjectKey(role: HostRole, revision: string): string {
  return `bundles/${role}/${revision}.tar.gz`;
}

/**
 * Packages a role needs because of its configuration (not because of the Jitsi release): the
 * agent installs the missing ones before it installs the files, so they are not in the bootstrap.
 */
export function configurationPackages(spec: Pick<DeploymentSpec, 'turn' | 'auth'>, role: HostRole): string[] {
  if (role === 'bridge') return [];
  return [
    ...(spec.turn ? ['coturn'] : []),
    // Jitsi's token modules (luajwtjitsi, token/util) load these Lua libraries.
    ...(spec.auth === 'jwt' ? ['lua-basexx', 'lua-cjson', 'lua-luaossl', 'lua-inspect'] : []),
  ];
}

export interface DeliveredFile {
  path: string;
  component: BundleComponent;
  /** sha256 of the content as delivered (deploy values filled, placeholders for secrets and boot values). */
  sha256: string;
}

export interface RoleArchive {
  role: HostRole;
  revision: string;
  key: string;
  /** The tar.gz, byte-identical for the same bundle. */
  archive: Buffer;
  sha256: string;
  files: DeliveredFile[];
  /** Prosody's hosts and components (none on a bridge): adding or removing one restarts Prosody. */
  prosodyHosts: string[];
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** One ustar entry, with a fixed time and owner so the same files always give the same bytes. */
function tarEntry(path: string, content: Buffer, mode: number): Buffer {
  const header = new Header({ path, mode, uid: 0, gid: 0, size: content.length, mtime: new Date(0), type: 'File', uname: '', gname: '' });
  const block = Buffer.alloc(512);
  header.encode(block, 0);
  if (header.needPax) throw new Error(`bundle path too long for the archive: ${path}`);
  const padding = Buffer.alloc((512 - (content.length % 512)) % 512);
  return Buffer.concat([block, content, padding]);
}

/**
 * The role's archive: `files/<path>` for every file of the role, `manifest.tsv` (mode, owner,
 * the steps a change of the file calls for, path), `packages` (one a line), `revision`, and
 * the Prosody modules of each host (`prosody-modules.tsv`, empty on a bridge).
 */
export function roleArchive(spec: DeploymentSpec, bundle: Bundle, role: HostRole, deployValues: Partial<Record<DeployValueName, string>>): RoleArchive {
  const revision = bundleRevision(bundle, role);
  const own = bundle.files.filter((f) => f.roles.includes(role) && f.component !== 'cloud-init');
  const files = own.map((f) => ({ ...f, content: applyDeployValues(f.content, deployValues) }));
  const manifest = files.map((f) => {
    const steps = orderSteps(stepsForFile(f)).map(stepWord).join(',') || '-';
    if (/[\t\n]/.test(f.path)) throw new Error(`bundle path holds a tab or newline: ${JSON.stringify(f.path)}`);
    return `${f.mode}\t${f.owner ?? 'root:root'}\t${steps}\t${f.path}\n`;
  }).join('');
  const packages = configurationPackages(spec, role).map((p) => `${p}\n`).join('');
  const modules = prosodyModuleTable(files);
  const entries = [
    tarEntry('revision', Buffer.from(`${revision}\n`), 0o644),
    tarEntry('manifest.tsv', Buffer.from(manifest), 0o644),
    tarEntry('packages', Buffer.from(packages), 0o644),
    tarEntry(PROSODY_MODULES_FILE, Buffer.from(modules), 0o644),
    ...files.map((f) => tarEntry(`files/${f.path}`, Buffer.from(f.content, 'utf8'), Number.parseInt(f.mode, 8))),
    Buffer.alloc(1024),
  ];
  const archive = gzipSync(Buffer.concat(entries), { level: 9 });
  return {
    role,
    revision,
    key: bundleObjectKey(role, revision),
    archive,
    sha256: sha256(archive),
    files: files.map((f) => ({ path: f.path, component: f.component, sha256: sha256(f.content) })),
    prosodyHosts: [...new Set(modules.split('\n').filter(Boolean).map((line) => line.split('\t')[0]!))].filter((h) => h !== '*'),
  };
}

/** What the stack records of a role's configuration (a stack output): revision, per-file hash and component. */
export function configurationRecord(archive: RoleArchive): { revision: string; files: Record<string, { sha256: string; component: BundleComponent }>; prosodyHosts: string[] } {
  return {
    revision: archive.revision,
    files: Object.fromEntries(archive.files.map((f) => [f.path, { sha256: f.sha256, component: f.component }])),
    prosodyHosts: archive.prosodyHosts,
  };
}

/** The pointer's value: one line of `name=value` words, which the agent reads without a JSON parser. */
export function pointerValue(p: { revision: string; bucket: string; key: string; sha256: string }): string {
  return `revision=${p.revision} bucket=${p.bucket} key=${p.key} sha256=${p.sha256}`;
}
