// Every check verify knows, in report order. Ids are stable: monitoring and the README refer to them.
import type { CheckDefinition } from './checks/define.ts';
import { DNS_CHECKS } from './checks/dns.ts';
import { PORT_CHECKS } from './checks/ports.ts';
import { TLS_CHECKS } from './checks/tls.ts';
import { HTTP_CHECKS } from './checks/http.ts';
import { CHANNEL_CHECKS } from './checks/channel.ts';
import { JITSI_CHECKS } from './checks/jitsi.ts';
import { PRIVACY_CHECKS } from './checks/privacy.ts';
import { PLACE_CHECKS } from './checks/place.ts';
import { TURN_CHECKS } from './checks/turn.ts';
import { BROWSER_CHECKS } from './checks/browser.ts';
import { AWS_CHECKS } from './checks/aws.ts';
import type { CheckArea, CheckInfo } from './types.ts';

export const ALL_CHECKS: readonly CheckDefinition[] = [
  ...DNS_CHECKS,
  ...PORT_CHECKS,
  ...TLS_CHECKS,
  ...HTTP_CHECKS,
  ...CHANNEL_CHECKS,
  ...JITSI_CHECKS,
  ...PRIVACY_CHECKS,
  ...PLACE_CHECKS,
  ...TURN_CHECKS,
  ...BROWSER_CHECKS,
  ...AWS_CHECKS,
];

export const CHECK_AREAS: readonly CheckArea[] = ['dns', 'ports', 'tls', 'http', 'jitsi', 'privacy', 'turn', 'browser', 'aws'];

/** The documented check list (id, title, area, mode, description), for the README and --list. */
export const CHECK_CATALOGUE: readonly CheckInfo[] = ALL_CHECKS.map(({ id, title, area, mode, description }) => ({ id, title, area, mode, description }));
