// A DNS server on loopback for tests that pass `--dns 127.0.0.1:PORT`: it answers PTR queries for
// the addresses it is given, NXDOMAIN for every other name, or, when silent, nothing at all (a
// server that never answers). Packets are read and written with dns-packet.
import { createSocket } from 'node:dgram';
import dnsPacket from 'dns-packet';

export interface LoopbackDnsOptions {
  /** Address → PTR names (`ec2-198-51-100-7.eu-central-1.compute.amazonaws.com`). */
  ptr?: Record<string, string[]>;
  /** Never answer: the client must give up on its own deadline. */
  silent?: boolean;
}

export interface LoopbackDns {
  /** `127.0.0.1:PORT`, as --dns takes it. */
  server: string;
  port: number;
  /** Names asked so far, with their type (`PTR 7.100.51.198.in-addr.arpa`). */
  queries: string[];
  stop(): Promise<void>;
}

const NXDOMAIN = 3;

/** `7.100.51.198.in-addr.arpa` → `198.51.100.7`; undefined for any other name. */
function addressOfReverseName(name: string): string | undefined {
  const match = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\.in-addr\.arpa\.?$/i.exec(name);
  return match ? [match[4], match[3], match[2], match[1]].join('.') : undefined;
}

export async function startLoopbackDns(options: LoopbackDnsOptions = {}): Promise<LoopbackDns> {
  const socket = createSocket('udp4');
  const queries: string[] = [];
  socket.on('message', (message, remote) => {
    let query: dnsPacket.DecodedPacket;
    try {
      query = dnsPacket.decode(message);
    } catch {
      return; // not DNS: drop it, as a server would
    }
    const question = query.questions?.[0];
    if (!question) return;
    queries.push(`${question.type} ${question.name}`);
    if (options.silent) return;
    const ip = question.type === 'PTR' ? addressOfReverseName(question.name) : undefined;
    const names = ip ? options.ptr?.[ip] : undefined;
    const flags = dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | (names ? 0 : NXDOMAIN);
    const answer = dnsPacket.encode({
      type: 'response',
      id: query.id ?? 0,
      flags,
      questions: [question],
      answers: (names ?? []).map((data) => ({ type: 'PTR' as const, name: question.name, class: 'IN' as const, ttl: 60, data })),
    });
    socket.send(answer, remote.port, remote.address);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => resolve());
  });
  const { port } = socket.address();
  return {
    server: `127.0.0.1:${port}`,
    port,
    queries,
    stop: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
