// Hetzner Cloud and OpenStack have no scheduler jitsi-eu can use, so nothing stops or removes an
// expired sandbox there by itself: `sandbox reap`, run from the operator's cron, does. This is the
// line to put in the crontab, and the environment file it reads (cron starts with an almost
// empty environment; the file holds the passphrase file and the cloud's credentials, never
// printed here).
import { join } from 'node:path';

export const REAP_ENV_FILE = '$HOME/.config/jitsi-eu/reap.env';

/** Every 15 minutes: an expired sandbox runs (and costs) at most that long past its expiry. */
export function reapCronLine(projectDir: string): string {
  return `*/15 * * * * cd ${projectDir} && set -a && . ${REAP_ENV_FILE} && set +a && npm run --silent sandbox -- reap >> ${join(projectDir, '.jitsi-eu', 'reap.log')} 2>&1`;
}

/** What the operator reads when a sandbox on such a cloud is created. */
export function reapCronNotes(projectDir: string, cloudName: string): string[] {
  return [
    `${cloudName} has no scheduler jitsi-eu can use: nothing stops this sandbox at its expiry by itself; npm run sandbox -- reap removes it, so run reap from cron (crontab -e):`,
    `  ${reapCronLine(projectDir)}`,
    `  ${REAP_ENV_FILE} (chmod 600) sets PATH (with node and pulumi), PULUMI_CONFIG_PASSPHRASE_FILE and the cloud's credentials (HCLOUD_TOKEN, or OS_CLOUD and clouds.yaml)`,
  ];
}
