// The stack's channel key (Hetzner Cloud and OpenStack; AWS reaches its hosts through SSM): one
// Ed25519 key pair, made by Pulumi once and kept for the stack's life. The public half goes to
// the signaling node in its user data (infra/channel.ts publicKeyLine); the private half is a
// secret stack output, the only thing that can sign a request the node will run.
import * as pulumi from '@pulumi/pulumi';
import { PrivateKey } from '@pulumi/tls/privateKey.js';

/** The key's algorithm; part of what names the key in the signaling node's digest. */
export const CHANNEL_KEY_ALGORITHM = 'ED25519';

/**
 * A public key line of the shape every Ed25519 key has (60 characters): what the user data is
 * measured with before the real key exists, so an oversized user data stops the run first.
 */
export const CHANNEL_KEY_LINE_STAND_IN = `MCowBQYDK2VwAyEA${'A'.repeat(43)}=`;

export class ChannelKey extends pulumi.ComponentResource {
  /** PEM SubjectPublicKeyInfo: public. */
  readonly publicKeyPem: pulumi.Output<string>;
  /** PKCS#8 PEM, marked secret: what the operator's commands sign with. */
  readonly privateKeyPem: pulumi.Output<string>;

  constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
    super('jitsi-eu:channel:ChannelKey', name, {}, opts);
    const key = new PrivateKey(`${name}-ed25519`, { algorithm: CHANNEL_KEY_ALGORITHM }, { parent: this });
    this.publicKeyPem = key.publicKeyPem;
    // The provider marks it secret; said again here so no run, mocked or not, shows it.
    this.privateKeyPem = pulumi.secret(key.privateKeyPemPkcs8);
    this.registerOutputs({ publicKeyPem: this.publicKeyPem });
  }
}
