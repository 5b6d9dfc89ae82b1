// The videobridge's configuration: on the single node, or on every bridge of a scalable pool.
import { DRAIN_MAX_SECONDS } from '../lifecycle.ts';
import { BOOT_VALUES, DEPLOY_VALUES } from '../placeholders.ts';
import { PORTS } from '../ports.ts';
import type { RenderInput } from './input.ts';
import { rolesFor } from './roles.ts';
import type { BundleFile } from './types.ts';

/**
 * Where jvb.conf lives and who may read it. The rendered file holds only placeholders, but the
 * boot script writes the bridge's XMPP password into it, so it is 0640 from the start. After
 * the swap the file must stay 0640 and be owned by jvb:jitsi (the owner the videobridge package
 * gives /etc/jitsi/videobridge): write the result next to it with the same mode and owner, then
 * rename.
 */
export const JVB_CONF = { path: 'etc/jitsi/videobridge/jvb.conf', mode: '0640', owner: 'jvb:jitsi' } as const;

/** How long before the drain hook gives up the bridge ends its graceful shutdown itself. */
export const DRAIN_MARGIN_SECONDS = 600;

export function renderJvb({ spec, hosts, engine }: RenderInput): BundleFile[] {
  // Bridges of a scalable pool reach Prosody on the signaling node over the VPC; Pulumi fills
  // in its private address when it creates the launch template.
  const remote = spec.topology === 'scalable';
  // All bridges share the account jvb@auth.<domain>; the bridge asks for its two halves separately.
  const [username, domain] = hosts.jvbJid.split('@');
  const content = engine.render('jvb/jvb.conf.hbs', {
    spec,
    hosts,
    ports: PORTS,
    bridge: { username, domain },
    xmpp: {
      hostname: remote ? DEPLOY_VALUES.signalingPrivateIp : '127.0.0.1',
      remote,
      nickname: BOOT_VALUES.instanceId,
    },
    drain: remote ? { maxSeconds: DRAIN_MAX_SECONDS - DRAIN_MARGIN_SECONDS } : false,
  });
  return [
    { path: JVB_CONF.path, component: 'jvb', roles: rolesFor(spec, 'jvb'), mode: JVB_CONF.mode, owner: JVB_CONF.owner, content },
  ];
}
