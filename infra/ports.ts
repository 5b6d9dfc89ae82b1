// Network ports a deployment opens. The templates (nginx, coturn, jvb, prosody), the security
// groups and verify all read these, so a port changes in one place.

export const PORTS = {
  http: 80, // ACME HTTP-01 and the redirect to HTTPS
  https: 443,
  jvbMedia: 10000, // UDP: all conference media
  turn: 3478, // UDP and TCP: STUN/TURN
  turns: 5349, // TCP: TURN over TLS
  xmppClient: 5222, // TCP: bridges log in to Prosody; open only to the bridge security group
  prosodyHttp: 5280, // loopback: BOSH and XMPP WebSocket behind nginx
  jvbPrivateHttp: 8080, // loopback: JVB health, stats, graceful shutdown
  jicofoRest: 8888, // loopback: jicofo health and stats
  bridgeShare: 8099, // Hetzner and OpenStack, private network only: the signaling node hands bridges their XMPP password
} as const;

/** UDP range coturn relays media on; the security group opens exactly this range. */
export const TURN_RELAY_PORTS = { min: 49152, max: 49407 } as const;

/** Ports that must never be reachable from the Internet. */
export const ADMIN_PORTS = [22, 3389, 5222, 5269, 5280, 5281, 5347, 8080, 8099, 8443, 8888, 9090] as const;

/** A port (or range) a host role opens to the whole Internet. */
export interface PublicPort {
  protocol: 'tcp' | 'udp';
  from: number;
  to: number;
  description: string;
}

/**
 * Exactly what each role must accept from the Internet; every cloud's firewall is built from this
 * list and adds only its private-network rules. The signaling node also runs the bridge in the
 * single topology.
 */
export function publicPorts(spec: { topology: 'single' | 'scalable'; turn: boolean }, role: 'signaling' | 'bridge'): PublicPort[] {
  const port = (protocol: 'tcp' | 'udp', from: number, description: string, to = from): PublicPort => ({ protocol, from, to, description });
  if (role === 'bridge') return [port('udp', PORTS.jvbMedia, 'conference media')];
  const ports = [
    port('tcp', PORTS.https, 'HTTPS: web app, XMPP over WebSocket/BOSH'),
    port('tcp', PORTS.http, "HTTP: Let's Encrypt challenges and the redirect to HTTPS"),
  ];
  if (spec.topology === 'single') ports.push(port('udp', PORTS.jvbMedia, 'conference media (videobridge)'));
  if (spec.turn) {
    ports.push(
      port('udp', PORTS.turn, 'STUN/TURN'),
      port('tcp', PORTS.turn, 'TURN over TCP'),
      port('tcp', PORTS.turns, 'TURN over TLS'),
      port('udp', TURN_RELAY_PORTS.min, 'TURN relayed media', TURN_RELAY_PORTS.max),
    );
  }
  return ports;
}
