// The parts of the `stun` package (no type definitions of its own) that verify uses.
declare module 'stun' {
  interface StunAddress {
    address: string;
    port: number;
    family: string;
  }
  interface StunMessage {
    readonly type: number;
    readonly transactionId: Buffer;
    getXorAddress(): StunAddress | undefined;
    getAddress(): StunAddress | undefined;
    addXorAddress(address: string, port: number): unknown;
  }
  const stun: {
    createMessage(type: number, transactionId?: Buffer): StunMessage;
    encode(message: StunMessage): Buffer;
    decode(buffer: Buffer): StunMessage;
    constants: { STUN_BINDING_REQUEST: number; STUN_BINDING_RESPONSE: number; STUN_BINDING_ERROR_RESPONSE: number };
  };
  export default stun;
}
