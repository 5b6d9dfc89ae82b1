// Jicofo's configuration: one HOCON file on the signaling node.
import { PORTS } from '../ports.ts';
import type { RenderInput } from './input.ts';
import { rolesFor } from './roles.ts';
import type { BundleFile } from './types.ts';

/**
 * Where jicofo.conf lives and who may read it. The rendered file holds only placeholders, but
 * the boot script writes the focus password into it, so it is 0640 from the start. After the
 * swap the file must stay 0640 and be owned by jicofo:jitsi (the owner the jicofo package gives
 * /etc/jitsi/jicofo): write the result next to it with the same mode and owner, then rename.
 */
export const JICOFO_CONF = { path: 'etc/jitsi/jicofo/jicofo.conf', mode: '0640', owner: 'jicofo:jitsi' } as const;

export function renderJicofo({ spec, hosts, engine }: RenderInput): BundleFile[] {
  // The focus account is focus@auth.<domain>: Jicofo asks for its two halves separately.
  const [username, domain] = hosts.focusJid.split('@');
  const content = engine.render('jicofo/jicofo.conf.hbs', {
    spec,
    hosts,
    ports: PORTS,
    focus: { username, domain },
  });
  return [
    { path: JICOFO_CONF.path, component: 'jicofo', roles: rolesFor(spec, 'jicofo'), mode: JICOFO_CONF.mode, owner: JICOFO_CONF.owner, content },
  ];
}
