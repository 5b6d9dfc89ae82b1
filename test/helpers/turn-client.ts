// A small STUN/TURN client for tests: binding requests, and TURN allocations and permissions with
// the TURN REST API credential scheme (username `<expiry>:<name>`, password = base64 HMAC-SHA1 of
// the username under the shared secret), over UDP or TLS. Messages are built and parsed with the
// `stun` package; every exchange has its own deadline.
import { createHash, createHmac } from 'node:crypto';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createRequire } from 'node:module';
import type { TLSSocket } from 'node:tls';

interface StunAttribute {
  value: unknown;
}
export interface StunMessage {
  type: number;
  transactionId: Buffer;
  getAttribute(type: number): StunAttribute | undefined;
}
interface StunRequest extends StunMessage {
  addAttribute(type: number, ...values: unknown[]): unknown;
  addMessageIntegrity(key: Buffer): boolean;
  addFingerprint(): boolean;
  toBuffer(): Buffer;
}
interface StunModule {
  createMessage(type: number): StunRequest;
  decode(message: Buffer): StunMessage;
  request(url: string, options: { socket?: UdpSocket; timeout?: number; retries?: number }): Promise<StunMessage>;
  constants: Record<string, number>;
}

// The package ships no type declarations; the interfaces above cover what these tests use.
const stun = createRequire(import.meta.url)('stun') as StunModule;
const C = stun.constants;

export const STUN = {
  allocateSuccess: C.STUN_ALLOCATE_RESPONSE,
  allocateError: C.STUN_ALLOCATE_ERROR_RESPONSE,
  permissionSuccess: C.STUN_CREATE_PERMISSION_RESPONSE,
  bindingSuccess: C.STUN_BINDING_RESPONSE,
};

export interface Address {
  address: string;
  port: number;
}

function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** A STUN binding request through the `stun` package, bounded by our own deadline. */
export async function stunBinding(host: string, port: number, localAddress = '127.0.0.1', deadlineMs = 3000): Promise<{ mapped: Address; software?: string; local: Address }> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, localAddress, resolve));
  try {
    const response = await withDeadline(stun.request(`${host}:${port}`, { socket, timeout: 200, retries: 3 }), deadlineMs, `STUN binding to ${host}:${port}`);
    const software = response.getAttribute(C.STUN_ATTR_SOFTWARE)?.value;
    return {
      mapped: response.getAttribute(C.STUN_ATTR_XOR_MAPPED_ADDRESS)?.value as Address,
      software: software === undefined ? undefined : String(software),
      local: { address: localAddress, port: socket.address().port },
    };
  } finally {
    socket.close();
  }
}

/** A STUN binding request over a transport: the address the server saw, from XOR-MAPPED-ADDRESS. */
export async function bindingOver(transport: StunTransport): Promise<Address> {
  const answer = await transport.exchange(stun.createMessage(C.STUN_BINDING_REQUEST));
  return answer.getAttribute(C.STUN_ATTR_XOR_MAPPED_ADDRESS)?.value as Address;
}

/** Sends one request and waits for the answer with the same transaction id. */
export interface StunTransport {
  exchange(request: StunRequest, deadlineMs?: number): Promise<StunMessage>;
  /** The client's own address, as the server sees it. */
  local(): Address;
  close(): void;
}

export async function udpTransport(host: string, port: number, localAddress = '127.0.0.1'): Promise<StunTransport> {
  const socket = createSocket(localAddress.includes(':') ? 'udp6' : 'udp4');
  await new Promise<void>((resolve) => socket.bind(0, localAddress, resolve));
  return {
    exchange(request, deadlineMs = 3000) {
      const wire = request.toBuffer();
      const answer = new Promise<StunMessage>((resolve) => {
        const onMessage = (data: Buffer) => {
          const message = decode(data);
          if (!message.transactionId.equals(request.transactionId)) return;
          socket.off('message', onMessage);
          clearInterval(resend);
          resolve(message);
        };
        socket.on('message', onMessage);
        // UDP may drop a datagram: resend until the deadline.
        const resend = setInterval(() => socket.send(wire, port, host), 250);
        socket.send(wire, port, host);
        setTimeout(() => clearInterval(resend), deadlineMs);
      });
      return withDeadline(answer, deadlineMs, `STUN over UDP to ${host}:${port}`);
    },
    local: () => ({ address: localAddress, port: socket.address().port }),
    close: () => socket.close(),
  };
}

/** STUN over a TLS stream: messages are length-prefixed by their own header. */
export function tlsTransport(socket: TLSSocket): StunTransport {
  let buffered = Buffer.alloc(0);
  const waiting = new Map<string, (m: StunMessage) => void>();
  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    while (buffered.length >= 20) {
      const length = 20 + buffered.readUInt16BE(2);
      if (buffered.length < length) break;
      const message = decode(buffered.subarray(0, length));
      buffered = buffered.subarray(length);
      waiting.get(message.transactionId.toString('hex'))?.(message);
    }
  });
  return {
    exchange(request, deadlineMs = 3000) {
      const answer = new Promise<StunMessage>((resolve) => waiting.set(request.transactionId.toString('hex'), resolve));
      socket.write(request.toBuffer());
      return withDeadline(answer, deadlineMs, 'STUN over TLS');
    },
    local: () => ({ address: socket.localAddress ?? '', port: socket.localPort ?? 0 }),
    close: () => socket.end(),
  };
}

/** TURN REST API credentials: valid until `expiresAt` (seconds since the epoch). */
export function turnRestCredential(secret: string, expiresAt: number, name = 'jitsi-eu-test'): { username: string; password: string } {
  const username = `${expiresAt}:${name}`;
  return { username, password: createHmac('sha1', secret).update(username).digest('base64') };
}

export interface TurnSession {
  username: string;
  realm: string;
  nonce: string;
  key: Buffer;
}

export type AllocateResult =
  | { ok: true; relayed: Address; mapped: Address; session: TurnSession }
  | { ok: false; code: number; realm?: string };

const decoded = new WeakMap<StunMessage, Buffer>();

function decode(data: Buffer): StunMessage {
  const message = stun.decode(data);
  decoded.set(message, Buffer.from(data));
  return message;
}

/**
 * The ERROR-CODE of an answer, read from the wire (RFC 5389: class * 100 + number). The `stun`
 * package's own decoding of this attribute computes a wrong number (401 comes out as 404).
 */
function errorCode(message: StunMessage): number {
  const raw = decoded.get(message);
  if (!raw) throw new Error('answer was not decoded by this client');
  for (let offset = 20; offset + 4 <= raw.length; ) {
    const type = raw.readUInt16BE(offset);
    const length = raw.readUInt16BE(offset + 2);
    if (type === C.STUN_ATTR_ERROR_CODE) return (raw[offset + 6]! & 0x07) * 100 + raw[offset + 7]!;
    offset += 4 + Math.ceil(length / 4) * 4;
  }
  return 0;
}

function signed(type: number, session: TurnSession, add: (m: StunRequest) => void): StunRequest {
  const request = stun.createMessage(type);
  add(request);
  request.addAttribute(C.STUN_ATTR_USERNAME, session.username);
  request.addAttribute(C.STUN_ATTR_REALM, session.realm);
  request.addAttribute(C.STUN_ATTR_NONCE, session.nonce);
  request.addMessageIntegrity(session.key);
  request.addFingerprint();
  return request;
}

const requestUdpRelay = (m: StunRequest) => m.addAttribute(C.STUN_ATTR_REQUESTED_TRANSPORT, 17 << 24);

/** Allocate without credentials; the server's challenge (401 with realm and nonce) or its refusal. */
export async function unauthenticatedAllocate(transport: StunTransport): Promise<{ code: number; realm?: string; nonce?: string }> {
  const request = stun.createMessage(C.STUN_ALLOCATE_REQUEST);
  requestUdpRelay(request);
  request.addFingerprint();
  const answer = await transport.exchange(request);
  const realm = answer.getAttribute(C.STUN_ATTR_REALM)?.value;
  const nonce = answer.getAttribute(C.STUN_ATTR_NONCE)?.value;
  return { code: errorCode(answer), realm: realm === undefined ? undefined : String(realm), nonce: nonce === undefined ? undefined : String(nonce) };
}

/** The full long-term-credential allocation: challenge, then the signed request. */
export async function allocate(transport: StunTransport, credential: { username: string; password: string }): Promise<AllocateResult> {
  const challenge = await unauthenticatedAllocate(transport);
  if (challenge.code !== 401 || !challenge.realm || !challenge.nonce) return { ok: false, code: challenge.code, realm: challenge.realm };
  const key = createHash('md5').update(`${credential.username}:${challenge.realm}:${credential.password}`).digest();
  const session: TurnSession = { username: credential.username, realm: challenge.realm, nonce: challenge.nonce, key };
  const answer = await transport.exchange(signed(C.STUN_ALLOCATE_REQUEST, session, requestUdpRelay));
  if (answer.type !== STUN.allocateSuccess) return { ok: false, code: errorCode(answer), realm: challenge.realm };
  return {
    ok: true,
    relayed: answer.getAttribute(C.STUN_ATTR_XOR_RELAYED_ADDRESS)?.value as Address,
    mapped: answer.getAttribute(C.STUN_ATTR_XOR_MAPPED_ADDRESS)?.value as Address,
    session,
  };
}

/** Asks the relay for permission to reach `peer`; 0 when granted, the STUN error code otherwise. */
export async function createPermission(transport: StunTransport, session: TurnSession, peer: string): Promise<number> {
  const answer = await transport.exchange(signed(C.STUN_CREATE_PERMISSION_REQUEST, session, (m) => m.addAttribute(C.STUN_ATTR_XOR_PEER_ADDRESS, peer, 0)));
  return answer.type === STUN.permissionSuccess ? 0 : errorCode(answer);
}
