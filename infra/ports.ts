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
