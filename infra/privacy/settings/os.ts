// Host-level settings that decide how long a server remembers who met, and how quickly it gets
// security fixes. Capacity tuning (UDP buffers, file limits) is not a privacy setting and lives
// with the OS renderer instead.
import type { DeploymentSpec } from '../../spec/types.ts';
import type { PrivacySetting } from '../types.ts';

/** Days a server keeps any log line (rotated logs and the systemd journal alike). */
export const LOG_RETENTION_DAYS = 7;

export function osSettings(_spec: DeploymentSpec): PrivacySetting[] {
  return [
    {
      id: 'os-logrotate',
      component: 'os',
      key: 'logrotate.d (nginx, prosody, jicofo, jitsi-videobridge, coturn): daily, rotate N, maxage N',
      value: LOG_RETENTION_DAYS,
      category: 'logging',
      reason: `Server logs can hold IP addresses and room names; they are rotated daily and deleted after ${LOG_RETENTION_DAYS} days.`,
      upstreamDefault: 'Debian packages: nginx 14 daily files, Prosody 52 weekly files, videobridge 24 files of up to 100 MB',
    },
    {
      id: 'os-journald-retention',
      component: 'os',
      key: 'journald.conf: MaxRetentionSec (with MaxFileSec=1day so old entries can be dropped on time)',
      value: `${LOG_RETENTION_DAYS}day`,
      category: 'logging',
      reason: `The system journal also records service messages; entries older than ${LOG_RETENTION_DAYS} days are removed.`,
      upstreamDefault: 'no age limit (the journal is only capped by disk size)',
    },
    {
      id: 'os-unattended-upgrades',
      component: 'os',
      key: 'APT::Periodic::Unattended-Upgrade',
      value: '1',
      category: 'exposure',
      reason: 'Debian security fixes are installed every day without waiting for an operator, so known holes close quickly.',
      upstreamDefault: 'depends on the base image; the Jitsi packages do not configure it',
    },
  ];
}
