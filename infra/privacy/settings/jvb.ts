// The videobridge's part of the privacy profile: how it learns its public address without
// asking anyone, what it logs, and which HTTP surfaces exist. Keys are full HOCON paths in
// /etc/jitsi/videobridge/jvb.conf (checked in infra/privacy/upstream-hocon-paths.ts).
import type { DeploymentSpec } from '../../spec/types.ts';
import { BOOT_VALUES } from '../../placeholders.ts';
import type { PrivacySetting } from '../types.ts';

export function jvbSettings(_spec: DeploymentSpec): PrivacySetting[] {
  return [
    {
      id: 'jvb-stun-mapping-addresses',
      component: 'jvb',
      key: 'ice4j.harvest.mapping.stun.addresses',
      value: [],
      category: 'no-third-party',
      reason: 'The bridge never asks an outside STUN server for its public address; it is given that address directly.',
      upstreamDefault: '[] in ice4j; the Debian package writes ["meet-jit-si-turnrelay.jitsi.net:443"]',
    },
    {
      id: 'jvb-aws-harvester',
      component: 'jvb',
      key: 'ice4j.harvest.mapping.aws.enabled',
      value: false,
      category: 'no-third-party',
      reason: 'The bridge does not probe the cloud metadata service to guess its address; the boot script already knows it.',
      upstreamDefault: 'true in ice4j; the Debian package writes false',
    },
    {
      id: 'jvb-static-mappings',
      component: 'jvb',
      key: 'ice4j.harvest.mapping.static-mappings',
      // Both addresses are read from the instance metadata at boot.
      value: [{ 'local-address': BOOT_VALUES.localIpv4, 'public-address': BOOT_VALUES.publicIpv4 }],
      category: 'no-third-party',
      reason: "The bridge announces its own public address, mapped from its private one, so media works behind AWS's NAT without any outside server.",
      upstreamDefault: '[]',
    },
    {
      id: 'jvb-redact-remote-addresses',
      component: 'jvb',
      key: 'videobridge.redact-remote-addresses',
      value: true,
      category: 'logging',
      reason: "Participants' IP addresses are left out of the bridge's logs (the bridge passes this on to ice4j).",
      upstreamDefault: 'true (ice4j on its own: false)',
    },
    {
      id: 'jvb-private-http-host',
      component: 'jvb',
      key: 'videobridge.http-servers.private.host',
      value: '127.0.0.1',
      category: 'exposure',
      reason: 'Health, statistics, debug and shutdown endpoints, which describe running meetings, listen on loopback only.',
      upstreamDefault: '127.0.0.1',
    },
    {
      id: 'jvb-public-http-port',
      component: 'jvb',
      key: 'videobridge.http-servers.public.port',
      value: -1,
      category: 'exposure',
      reason: 'The bridge runs no public web server: nothing but media on UDP reaches it from outside.',
      upstreamDefault: '-1 (the Debian package writes 9090)',
    },
    {
      id: 'jvb-colibri-websockets',
      component: 'jvb',
      key: 'videobridge.websockets.enabled',
      value: false,
      category: 'exposure',
      reason: 'Bridge-channel messages travel in SCTP data channels inside the encrypted media connection, so no per-bridge WebSocket route is published.',
      upstreamDefault: 'false (the Debian package writes true)',
    },
    {
      id: 'jvb-colibri-rest-api',
      component: 'jvb',
      key: 'videobridge.apis.rest.enabled',
      value: true,
      category: 'exposure',
      reason: 'The COLIBRI REST API is on so a bridge can be drained and shut down gracefully; it is reachable only on loopback.',
      upstreamDefault: 'false',
    },
    {
      id: 'jvb-graceful-shutdown-api',
      component: 'jvb',
      key: 'videobridge.rest.shutdown.enabled',
      value: true,
      category: 'exposure',
      reason: 'Lets the host end a bridge gracefully (running meetings finish first), on loopback only.',
      upstreamDefault: 'false',
    },
    {
      id: 'jvb-pcap-capture',
      component: 'jvb',
      key: 'jmt.debug.pcap.enabled',
      value: false,
      category: 'data-minimisation',
      reason: 'Unencrypted packet captures of conference media cannot be switched on through the debug API.',
      upstreamDefault: 'false',
    },
  ];
}
