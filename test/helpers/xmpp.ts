// A small typed view of @xmpp/client (the package ships no type declarations) and the few MUC
// steps the Prosody tests take: join a room, read its features, set an affiliation.
import WebSocket from 'ws';

export interface XmlElement {
  name: string;
  attrs: Record<string, string | undefined>;
  getChild(name: string, xmlns?: string): XmlElement | undefined;
  getChildren(name: string, xmlns?: string): XmlElement[];
  children: (XmlElement | string)[];
}

export interface XmppClient {
  jid?: { toString(): string; bare(): { toString(): string } };
  start(): Promise<unknown>;
  stop(): Promise<unknown>;
  send(element: XmlElement): Promise<void>;
  on(event: 'stanza', listener: (stanza: XmlElement) => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
  removeListener(event: 'stanza', listener: (stanza: XmlElement) => void): void;
  prependListener(event: 'element', listener: (element: XmlElement & { remove(name: string, xmlns?: string): void }) => void): void;
  iqCaller: { request(stanza: XmlElement, timeout?: number): Promise<XmlElement> };
  reconnect: { stop(): void };
}

export interface XmppModule {
  client(options: { service: string; domain: string; resource?: string; username?: string; password?: string }): XmppClient;
  xml(name: string, attrs?: Record<string, string>, ...children: (XmlElement | string)[]): XmlElement;
}

export const MUC = 'http://jabber.org/protocol/muc';
export const MUC_USER = 'http://jabber.org/protocol/muc#user';
export const MUC_ADMIN = 'http://jabber.org/protocol/muc#admin';
const DISCO_INFO = 'http://jabber.org/protocol/disco#info';
const NICK = 'http://jabber.org/protocol/nick';
const STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';
const JITMEET = 'http://jitsi.org/jitmeet';

export async function loadXmpp(): Promise<XmppModule> {
  // @xmpp/websocket uses the global WebSocket, which Node has only from version 22 on.
  (globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;
  const specifier: string = '@xmpp/client';
  return (await import(specifier)) as XmppModule;
}

/** A refused join names its stanza error condition and, when the room sends one there, Jitsi's lobby room. */
export type JoinResult = { joined: true; affiliation: string; role: string } | { joined: false; condition: string; lobby?: string };

/**
 * Keeps a client from enabling stream management (XEP-0198): @xmpp/client 0.14 can acknowledge
 * fewer stanzas than it did before, and Prosody then closes the session. The tests need no
 * resumption, so the server's offer is removed before the client reads it.
 */
export function withoutStreamManagement(client: XmppClient): XmppClient {
  client.prependListener('element', (element) => {
    if (element.name === 'stream:features') element.remove('sm', 'urn:xmpp:sm:3');
  });
  return client;
}

/**
 * Sends MUC join presence, with a display name as Jitsi's clients do, and waits for the room's
 * answer: self-presence (with the affiliation and role the room gave) or an error.
 */
export function joinRoom(xmpp: XmppModule, client: XmppClient, roomJid: string, nick: string): Promise<JoinResult> {
  const occupantJid = `${roomJid}/${nick}`;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.removeListener('stanza', onStanza);
      reject(new Error(`no answer from ${occupantJid}`));
    }, 10_000);
    function onStanza(stanza: XmlElement): void {
      if (stanza.name !== 'presence' || stanza.attrs.from !== occupantJid) return;
      if (stanza.attrs.type === 'error') {
        const error = stanza.getChild('error');
        const lobby = error?.getChild('lobbyroom', JITMEET)?.children.join('');
        finish({ joined: false, condition: errorCondition(error), ...(lobby ? { lobby } : {}) });
        return;
      }
      const x = stanza.getChild('x', MUC_USER);
      if (!x?.getChildren('status').some((s) => s.attrs.code === '110')) return;
      const item = x.getChild('item');
      finish({ joined: true, affiliation: item?.attrs.affiliation ?? 'none', role: item?.attrs.role ?? 'none' });
    }
    function finish(result: JoinResult): void {
      clearTimeout(timer);
      client.removeListener('stanza', onStanza);
      resolve(result);
    }
    client.on('stanza', onStanza);
    const presence = xmpp.xml('presence', { to: occupantJid }, xmpp.xml('x', { xmlns: MUC }), xmpp.xml('nick', { xmlns: NICK }, nick));
    client.send(presence).catch(reject);
  });
}

/** Waits for the room to announce an occupant with the given affiliation and role. */
export function awaitOccupant(client: XmppClient, occupantJid: string, want: { affiliation: string; role: string }): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.removeListener('stanza', onStanza);
      reject(new Error(`${occupantJid} never became ${want.affiliation}/${want.role}`));
    }, 10_000);
    function onStanza(stanza: XmlElement): void {
      if (stanza.name !== 'presence' || stanza.attrs.from !== occupantJid || stanza.attrs.type) return;
      const item = stanza.getChild('x', MUC_USER)?.getChild('item');
      if (item?.attrs.affiliation !== want.affiliation || item.attrs.role !== want.role) return;
      clearTimeout(timer);
      client.removeListener('stanza', onStanza);
      resolve();
    }
    client.on('stanza', onStanza);
  });
}

/** The defined condition of a stanza error (RFC 6120 8.3.3), e.g. `registration-required`. */
export function errorCondition(error: XmlElement | undefined): string {
  const condition = error?.children.find((child): child is XmlElement => typeof child !== 'string' && child.attrs.xmlns === STANZAS);
  return condition?.name ?? 'none';
}

export async function roomFeatures(xmpp: XmppModule, client: XmppClient, roomJid: string): Promise<string[]> {
  const reply = await client.iqCaller.request(xmpp.xml('iq', { type: 'get', to: roomJid }, xmpp.xml('query', { xmlns: DISCO_INFO })));
  return (reply.getChild('query', DISCO_INFO)?.getChildren('feature') ?? []).map((f) => f.attrs.var ?? '');
}

/** XEP-0045 affiliation change, as Jicofo grants ownership and a moderator admits a knocker. */
export async function setAffiliation(xmpp: XmppModule, client: XmppClient, roomJid: string, jid: string, affiliation: string): Promise<void> {
  await client.iqCaller.request(
    xmpp.xml('iq', { type: 'set', to: roomJid }, xmpp.xml('query', { xmlns: MUC_ADMIN }, xmpp.xml('item', { affiliation, jid }))),
  );
}
