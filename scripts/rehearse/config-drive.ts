// OpenStack's config drive for a rehearsal host: a disk labelled `config-2` holding
// openstack/latest/meta_data.json and user_data, attached to this machine as a read-only loop
// device that the host is given. cloud-init's ConfigDrive data source finds it by its label
// (blkid), mounts it and reads it, as on an OpenStack server.
//
// Nova writes the drive as ISO 9660 (or VFAT); kernels without either file system (as on the
// machines the rehearsal runs on) cannot mount those, so the drive is ext4 under the same label:
// cloud-init looks for the label on any file system and mounts the device with the type the kernel
// detects.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ConfigDrive {
  /** The loop device carrying the drive (e.g. /dev/loop3). */
  device: string;
  detach(): void;
}

const MIB = 1024 * 1024;

/** Writes the drive's files and image under `workDir` and attaches it; the caller detaches it. */
export function attachConfigDrive(workDir: string, metaData: object, userData: Buffer): ConfigDrive {
  const tree = join(workDir, 'config-drive');
  const latest = join(tree, 'openstack', 'latest');
  mkdirSync(latest, { recursive: true });
  writeFileSync(join(latest, 'meta_data.json'), JSON.stringify(metaData));
  writeFileSync(join(latest, 'user_data'), userData);
  const image = join(workDir, 'config-drive.img');
  // Room for the files twice over and the file system's own tables.
  const bytes = Math.ceil((4 * MIB + 2 * userData.length) / MIB) * MIB;
  const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  run('mkfs.ext4', ['-q', '-F', '-L', 'config-2', '-d', tree, image, `${bytes / 1024}k`]);
  const device = run('losetup', ['--find', '--show', '--read-only', image]).trim();
  return { device, detach: () => run('losetup', ['--detach', device]) };
}
