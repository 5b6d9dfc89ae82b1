// The credential a Hetzner Cloud stack needs: an API token of the project, in HCLOUD_TOKEN or as
// an encrypted hcloud:token in the stack config. Checked locally, without calling Hetzner; the
// token itself is never printed.
import { missing, ok, type DoctorItem } from './item.ts';

const TITLE = 'Hetzner Cloud API token';

/** Hetzner Cloud API tokens are 64 letters and digits. */
const TOKEN_SHAPE = /^[A-Za-z0-9]{64}$/;

const FIX = [
  'create a token with Read & Write permission in the Hetzner Console: your project → Security → API tokens, then',
  '  export HCLOUD_TOKEN=…                        # this shell only; or keep it in a private file:',
  '  export HCLOUD_TOKEN="$(cat ~/.config/jitsi-eu/hcloud-token)"',
  'or store it encrypted in the stack: pulumi config set --secret hcloud:token',
];

export function checkHetznerToken(env: NodeJS.ProcessEnv, stackConfig: Readonly<Record<string, unknown>> = {}): DoctorItem {
  const token = env.HCLOUD_TOKEN;
  if (token !== undefined && token.trim() !== '') {
    if (!TOKEN_SHAPE.test(token.trim())) {
      return missing('hcloud-token', TITLE, `HCLOUD_TOKEN is set but is not a Hetzner Cloud API token (${token.trim().length} characters; a token is 64 letters and digits)`, FIX);
    }
    return ok('hcloud-token', TITLE, 'HCLOUD_TOKEN is set (64 characters)');
  }
  const inStack = stackConfig['hcloud:token'];
  if (inStack && typeof inStack === 'object' && 'secure' in inStack) return ok('hcloud-token', TITLE, 'hcloud:token in the stack config, encrypted');
  if (typeof inStack === 'string' && inStack !== '') {
    return missing('hcloud-token', TITLE, 'hcloud:token is in the stack file in plain text', [
      'remove it from the stack file (and revoke it in the Hetzner Console: it may have been shared), then',
      ...FIX.slice(1),
    ]);
  }
  return missing('hcloud-token', TITLE, `HCLOUD_TOKEN is ${token === undefined ? 'not set' : 'empty'}`, FIX);
}
