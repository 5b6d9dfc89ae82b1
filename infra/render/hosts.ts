// Every XMPP host and JID a deployment uses, derived from the domain in one place.
import type { DeploymentSpec } from '../spec/types.ts';

export interface JitsiHosts {
  /** Main VirtualHost and the web origin. */
  domain: string;
  /** Anonymous guests when the main host requires authentication. */
  guest: string;
  /** Component accounts (focus, jvb). */
  auth: string;
  /** Conference MUC. */
  muc: string;
  lobby: string;
  breakout: string;
  /** Internal MUC where jicofo and the videobridges meet (the brewery). */
  internalMuc: string;
  focusComponent: string;
  avModeration: string;
  endConference: string;
  roomMetadata: string;
  /** Polls component: questions and answers during a meeting (in memory). */
  polls: string;
  focusJid: string;
  jvbJid: string;
  breweryJid: string;
}

export function jitsiHosts(spec: Pick<DeploymentSpec, 'domain'>): JitsiHosts {
  const d = spec.domain;
  return {
    domain: d,
    guest: `guest.${d}`,
    auth: `auth.${d}`,
    muc: `conference.${d}`,
    lobby: `lobby.${d}`,
    breakout: `breakout.${d}`,
    internalMuc: `internal.auth.${d}`,
    focusComponent: `focus.${d}`,
    avModeration: `avmoderation.${d}`,
    endConference: `endconference.${d}`,
    roomMetadata: `metadata.${d}`,
    polls: `polls.${d}`,
    focusJid: `focus@auth.${d}`,
    jvbJid: `jvb@auth.${d}`,
    breweryJid: `jvbbrewery@internal.auth.${d}`,
  };
}
