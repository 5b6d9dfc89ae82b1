// What a Hetzner Cloud server shows cloud-init before any network: its DMI vendor `Hetzner` and,
// as the system serial number, the server's id. cloud-init's Hetzner data source claims the
// instance only on those two values, then reads the metadata document and the user data from
// 169.254.169.254 (the stand-ins answer there).
//
// A container has no DMI of its own, and cloud-init reads none inside one (dmi.read_dmi_data
// answers nothing when systemd-detect-virt or PID 1's environment says container, which nspawn's
// always do), so the rehearsal gives the local stage, the one that picks the data source, the
// DMI values through a launcher: it points cloud-init's DMI folder at the files written here and
// lets it read them in the container. Nothing else about cloud-init changes; every later stage is
// Debian's unit as shipped.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The folder, inside the host's root, that stands for /sys/class/dmi/id. */
export const REHEARSAL_DMI_DIR = '/usr/local/lib/jitsi-eu-rehearsal/dmi';
const LAUNCHER = '/usr/local/lib/jitsi-eu-rehearsal/cloud-init-local';

const launcher = `#!/usr/bin/python3
# jitsi-eu rehearsal: cloud-init's local stage with the DMI values of the server this container
# stands for (${REHEARSAL_DMI_DIR}), readable although it runs in a container.
import sys

from cloudinit import dmi

dmi.DMI_SYS_PATH = "${REHEARSAL_DMI_DIR}"
dmi.is_container = lambda: False

from cloudinit.cmd.main import main

sys.exit(main())
`;

/** Makes the root at `root` look like Hetzner Cloud server `serverId` to cloud-init, with Hetzner's data source only. */
export function giveHetznerIdentity(root: string, serverId: string): void {
  const dmi = join(root, REHEARSAL_DMI_DIR.slice(1));
  mkdirSync(dmi, { recursive: true });
  // As the kernel shows them: one line each. Hetzner's virtual servers name themselves vServer.
  writeFileSync(join(dmi, 'sys_vendor'), 'Hetzner\n');
  writeFileSync(join(dmi, 'product_name'), 'vServer\n');
  writeFileSync(join(dmi, 'product_serial'), `${serverId}\n`);
  writeFileSync(join(root, LAUNCHER.slice(1)), launcher);
  chmodSync(join(root, LAUNCHER.slice(1)), 0o755);
  const dropIn = join(root, 'etc/systemd/system/cloud-init-local.service.d');
  mkdirSync(dropIn, { recursive: true });
  writeFileSync(join(dropIn, '90-jitsi-eu-rehearsal-dmi.conf'), [
    '# jitsi-eu rehearsal: the local stage reads the DMI values of the server the container stands for',
    '[Service]',
    'ExecStart=',
    `ExecStart=/usr/bin/python3 ${LAUNCHER} init --local`,
    '',
  ].join('\n'));
  writeFileSync(join(root, 'etc/cloud/cloud.cfg.d/91-rehearsal-hetzner.cfg'), 'datasource_list: [Hetzner, None]\n');
}
