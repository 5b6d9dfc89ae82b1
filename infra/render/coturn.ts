// coturn's configuration, on the signaling node, only when the deployment runs its own TURN.
import type { RenderInput } from './input.ts';
import type { BundleFile } from './types.ts';
import { BOOT_VALUES } from '../placeholders.ts';
import { PORTS, TURN_RELAY_PORTS } from '../ports.ts';
import { rolesFor } from './roles.ts';
import { tlsPaths } from './paths.ts';

export const COTURN_CONF_PATH = '/etc/turnserver.conf';

export function renderCoturn({ spec, engine }: RenderInput): BundleFile[] {
  if (!spec.turn) return [];
  const content = engine.render('coturn/turnserver.conf.hbs', {
    domain: spec.domain,
    ipv6: spec.ipv6,
    boot: BOOT_VALUES,
    ports: PORTS,
    relay: TURN_RELAY_PORTS,
    tls: tlsPaths(spec.domain),
  });
  return [
    {
      path: COTURN_CONF_PATH.slice(1),
      component: 'coturn',
      roles: rolesFor(spec, 'coturn'),
      // Holds the TURN secret once the boot script fills it in: readable by root and coturn's own
      // group only, as Debian ships it (the service runs as user turnserver).
      mode: '0640',
      owner: 'root:turnserver',
      content,
    },
  ];
}
