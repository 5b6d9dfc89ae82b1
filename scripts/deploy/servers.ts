// The servers of a Hetzner Cloud or OpenStack preview: which changes are servers, of which role,
// and which make a new server. Shared by the preview's words and by the steps deploy takes around
// `pulumi up` (the drain ahead of a scale-in, the accounts of a replaced signaling node).
import type { ResourceChange } from './preview.ts';

const SERVER_TYPES = new Set(['hcloud:index/server:Server', 'openstack:compute/instance:Instance']);

/** Server properties whose change means a new server: its user data. */
export const CONFIGURATION_PROPERTIES = new Set(['userData', 'userDataBase64']);

export const isServer = (c: ResourceChange): boolean => SERVER_TYPES.has(c.type);

/** A server's role: its label or metadata when the preview carries it, else its name. */
export function roleOf(c: ResourceChange): 'signaling' | 'bridge' {
  if (c.role === 'signaling' || c.role === 'bridge') return c.role;
  return /bridge/i.test(c.name) ? 'bridge' : 'signaling';
}

/** A replacement, or new user data (which some providers' previews show as an update): a new server either way. */
export const makesNewServer = (c: ResourceChange): boolean => c.kind === 'replace' || (c.kind === 'update' && c.changed.some((p) => CONFIGURATION_PROPERTIES.has(p)));

/** Whether the update replaces or removes the signaling node: every meeting on it ends. */
export const signalingLeaves = (changes: readonly ResourceChange[]): boolean =>
  changes.some((c) => isServer(c) && roleOf(c) === 'signaling' && (c.kind === 'delete' || makesNewServer(c)));
