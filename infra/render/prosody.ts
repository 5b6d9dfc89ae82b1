// Prosody: the main config, the Jitsi host file, and jitsi-eu's own lobby module.
import { LOBBY_MODULE_NAME } from '../privacy/settings/prosody.ts';
import { PORTS } from '../ports.ts';
import type { RenderInput } from './input.ts';
import { JITSI_PROSODY_PLUGIN_DIR, PROSODY_PLUGIN_DIR } from './paths.ts';
import { rolesFor } from './roles.ts';
import type { BundleFile } from './types.ts';

/**
 * `app_id` on the main VirtualHost in JWT mode. Tokens are HS256-signed with the jwt-app-secret and
 * must carry this as their issuer (`iss`), plus an audience (`aud`), the room (`room`, or `*`) and
 * the meeting domain (`sub`, or `*`: Jitsi's domain verification stays on).
 */
export const JWT_APP_ID = 'jitsi-eu';

/** Debian's location; the prosody systemd unit reads the same path. */
export const PROSODY_PIDFILE = '/run/prosody/prosody.pid';

export const PROSODY_MAIN_CONFIG = 'etc/prosody/prosody.cfg.lua';

/** The Jitsi host file, relative to `/`. The main config includes exactly this file. */
export function prosodyHostConfigPath(domain: string): string {
  return `etc/prosody/conf.d/${domain}.cfg.lua`;
}

/** jitsi-eu's lobby module on the host, relative to `/`. */
export const LOBBY_MODULE_PATH = `${PROSODY_PLUGIN_DIR.replace(/^\//, '')}/mod_${LOBBY_MODULE_NAME}.lua`;

// Both config files end up holding secrets (the boot script writes the TURN secret and the JWT
// app secret over their placeholders), so they are readable by the prosody group only, as
// Debian ships /etc/prosody/prosody.cfg.lua. The module holds no secret.
const CONFIG_MODE = '0640';
const CONFIG_OWNER = 'root:prosody';
const PLUGIN_MODE = '0644';

export function renderProsody(input: RenderInput): BundleFile[] {
  const { spec, hosts, engine } = input;
  const roles = rolesFor(spec, 'prosody');
  const hostConfig = prosodyHostConfigPath(spec.domain);
  const context = {
    spec,
    hosts,
    ports: PORTS,
    pidfile: PROSODY_PIDFILE,
    // Include resolves relative to the main config's directory.
    hostConfigInclude: hostConfig.replace(/^etc\/prosody\//, ''),
    pluginPaths: [JITSI_PROSODY_PLUGIN_DIR, PROSODY_PLUGIN_DIR],
    lobbyModule: LOBBY_MODULE_NAME,
    jwtAppId: JWT_APP_ID,
  };
  return [
    {
      path: PROSODY_MAIN_CONFIG,
      component: 'prosody',
      roles,
      mode: CONFIG_MODE,
      owner: CONFIG_OWNER,
      content: engine.render('prosody/prosody.cfg.lua.hbs', context),
    },
    {
      path: hostConfig,
      component: 'prosody',
      roles,
      mode: CONFIG_MODE,
      owner: CONFIG_OWNER,
      content: engine.render('prosody/host.cfg.lua.hbs', context),
    },
    {
      path: LOBBY_MODULE_PATH,
      component: 'prosody-plugin',
      roles,
      mode: PLUGIN_MODE,
      content: engine.render(`prosody/mod_${LOBBY_MODULE_NAME}.lua`, {}),
    },
  ];
}
