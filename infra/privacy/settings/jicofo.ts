// Jicofo's part of the privacy profile: who may start a conference, what its REST API exposes,
// how it talks to Prosody, and which defaults must stay as they are. Keys are full HOCON paths
// in /etc/jitsi/jicofo/jicofo.conf (checked in infra/privacy/upstream-hocon-paths.ts).
import type { DeploymentSpec } from '../../spec/types.ts';
import type { PrivacySetting } from '../types.ts';

export function jicofoSettings(spec: DeploymentSpec): PrivacySetting[] {
  // Password accounts ("secure domain") are checked by Jicofo itself; with JWT the token is
  // checked by Prosody and Jicofo's own check must stay off; anonymous has nothing to check.
  const passwordAuth = spec.auth === 'secure';
  const settings: PrivacySetting[] = [
    {
      id: 'jicofo-authentication-enabled',
      component: 'jicofo',
      key: 'jicofo.authentication.enabled',
      value: passwordAuth,
      category: 'lobby',
      reason: passwordAuth
        ? 'Only people who sign in with an account on the main domain can open a meeting; everyone else joins as a guest.'
        : spec.auth === 'jwt'
          ? 'Prosody verifies the tokens; the Jitsi handbook keeps Jicofo\'s own login off for token authentication.'
          : 'Anonymous deployments have no accounts to check.',
      upstreamDefault: 'false',
    },
    {
      id: 'jicofo-authentication-type',
      component: 'jicofo',
      key: 'jicofo.authentication.type',
      value: passwordAuth ? 'XMPP' : 'NONE',
      category: 'lobby',
      reason: passwordAuth
        ? 'Accounts are checked against Prosody on the deployment itself, never against an outside identity service.'
        : 'No login through Jicofo: written out so the file says plainly that Jicofo checks no one.',
      upstreamDefault: 'NONE',
    },
    {
      id: 'jicofo-max-audio-senders',
      component: 'jicofo',
      key: 'jicofo.conference.max-audio-senders',
      value: 999999,
      category: 'muted-entry',
      reason: 'Kept at the upstream value on purpose: it is a hard cap on who may ever unmute, not a muted start (that comes from the web settings).',
      upstreamDefault: '999999',
    },
    {
      id: 'jicofo-max-video-senders',
      component: 'jicofo',
      key: 'jicofo.conference.max-video-senders',
      value: 999999,
      category: 'muted-entry',
      reason: 'Kept at the upstream value on purpose: it is a hard cap on who may ever turn a camera on, not a camera-off start.',
      upstreamDefault: '999999',
    },
    {
      id: 'jicofo-shared-document-random-name',
      component: 'jicofo',
      key: 'jicofo.conference.shared-document.use-random-name',
      value: true,
      category: 'data-minimisation',
      reason: 'A shared document, if one is ever enabled, gets an unguessable name instead of the meeting name.',
      upstreamDefault: 'false',
    },
    {
      id: 'jicofo-rest-host',
      component: 'jicofo',
      key: 'jicofo.rest.host',
      value: '127.0.0.1',
      category: 'exposure',
      reason: "Jicofo's REST API (conference state, statistics, debug) listens on loopback only and is never published by nginx.",
      upstreamDefault: '127.0.0.1',
    },
    {
      id: 'jicofo-health-checks',
      component: 'jicofo',
      key: 'jicofo.health.enabled',
      value: true,
      category: 'exposure',
      reason: 'Jicofo answers /about/health on its loopback REST port, so the host and verify can check it over SSM without opening any port.',
      upstreamDefault: 'false',
    },
    {
      id: 'jicofo-xmpp-use-tls',
      component: 'jicofo',
      key: 'jicofo.xmpp.client.use-tls',
      value: true,
      category: 'encryption',
      reason: "Jicofo's XMPP session with Prosody, which carries every participant's signalling, is encrypted.",
      upstreamDefault: 'true',
    },
    {
      id: 'jicofo-xmpp-verify-certificate',
      component: 'jicofo',
      key: 'jicofo.xmpp.client.disable-certificate-verification',
      value: false,
      category: 'encryption',
      reason: "Jicofo checks Prosody's certificate before it logs in with the focus password.",
      upstreamDefault: 'false',
    },
    {
      id: 'jicofo-trusted-domains',
      component: 'jicofo',
      key: 'jicofo.xmpp.trusted-domains',
      value: [],
      category: 'exposure',
      reason: 'No XMPP domain is trusted to act as a recorder, transcriber or phone gateway, so no participant can pass as one.',
      upstreamDefault: '[] (the Debian package writes ["recorder.<domain>"])',
    },
  ];
  if (passwordAuth) {
    settings.push({
      id: 'jicofo-authentication-login-url',
      component: 'jicofo',
      key: 'jicofo.authentication.login-url',
      value: spec.domain,
      category: 'lobby',
      reason: "Hosts sign in against the deployment's own domain; no external login page is involved.",
      upstreamDefault: 'unset',
    });
  }
  return settings;
}
