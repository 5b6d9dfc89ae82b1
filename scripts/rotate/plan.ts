// What a rotation does where, per secret and topology, and what people in meetings notice. The
// values are renewed by Pulumi; the hosts then pick them up: the signaling host first (its
// accounts hook gives Prosody the new service passwords, and Prosody keeps connected sessions),
// then the bridge pool.
//
// A pool bridge reads only the videobridge password. When that one changes, restarting a bridge
// in place would cut the meetings it serves; instead an Auto Scaling instance refresh brings in
// new bridges that boot with the new password, and each old bridge drains through the group's
// lifecycle hook, keeping its XMPP session (Prosody does not end a session when its password
// changes) until its last meeting is over. A single node runs the videobridge itself, so there
// a restart cannot be avoided, and the operator is told so before confirming.
//
// On Hetzner Cloud and OpenStack the signaling node keeps the secrets it made, and makes the new
// ones itself (channel.ts); its bridges use none of the secrets rotated there.
import { DRAIN_MAX_SECONDS } from '../../infra/lifecycle.ts';
import { ssmParameterName } from '../../infra/secrets.ts';
import type { DeploymentSpec } from '../../infra/spec/types.ts';
import type { RotatableSecret } from './secrets.ts';

/** How the bridge pool picks up the new values: no pool, the agent on each bridge, or new bridges. */
export type BridgePickup = 'none' | 'apply' | 'refresh';

export interface SecretImpact {
  secret: RotatableSecret;
  /** Who uses the secret. */
  holder: string;
  /** What happens on the hosts. */
  hosts: string;
  /** What people in meetings notice. */
  meetings: string;
  /** Something the operator must do at the same moment. */
  warning?: string;
}

export interface RotationPlan {
  stack: string;
  cloud: DeploymentSpec['cloud'];
  topology: DeploymentSpec['topology'];
  secrets: RotatableSecret[];
  bridges: BridgePickup;
  impacts: SecretImpact[];
}

const hours = (seconds: number) => `${Math.round(seconds / 3600)} hours`;

function impactOf(secret: RotatableSecret, spec: DeploymentSpec): SecretImpact {
  const scalable = spec.topology === 'scalable';
  switch (secret) {
    case 'focus-password':
      return {
        secret,
        holder: `jicofo's XMPP account (focus@auth.${spec.domain})`,
        hosts: 'signaling host: Prosody takes the new password (connected sessions stay), then jicofo restarts to sign in with it.',
        meetings:
          'While jicofo restarts (usually under a minute) nobody can start or join a meeting; meetings in progress lose their focus, ' +
          "so everyone in them sees the meeting reconnect and their app rejoins by itself.",
      };
    case 'jvb-password':
      return scalable
        ? {
            secret,
            holder: `the videobridges' XMPP account (jvb@auth.${spec.domain})`,
            hosts:
              'signaling host: Prosody takes the new password; bridges already connected keep their session. ' +
              'Bridge pool: an instance refresh starts new bridges, which boot with the new password, and each old bridge ' +
              `drains: it takes no new meeting and leaves once its last meeting has ended (at most ${hours(DRAIN_MAX_SECONDS)}).`,
            meetings:
              'Nothing, as long as the old bridges stay connected. An old bridge that loses its connection to Prosody before it ' +
              'has drained cannot sign in again; jicofo then moves its meetings to another bridge, a short break in sound and video.',
          }
        : {
            secret,
            holder: `the videobridge's XMPP account (jvb@auth.${spec.domain})`,
            hosts: 'the host: Prosody takes the new password, then the videobridge, which runs on the same host, restarts to sign in with it.',
            meetings:
              'Every meeting in progress loses sound and video while the videobridge restarts (usually under a minute); ' +
              "participants' apps reconnect by themselves, some after a short notice that they are reconnecting.",
          };
    case 'turn-secret':
      return {
        secret,
        holder: 'coturn and Prosody, which share it to hand out TURN credentials',
        hosts: 'signaling host: coturn and Prosody take the new secret (the agent reports which of them reloaded or restarted).',
        meetings:
          'Participants whose media goes through TURN (usually those behind strict firewalls) may lose sound and video and ' +
          'have to rejoin: credentials handed out before the change stop working. Everyone else notices nothing.',
      };
    case 'jwt-app-secret':
      return {
        secret,
        holder: "the secret that signs hosts' tokens (JWT), shared with your organisation's token issuer",
        hosts: 'signaling host: Prosody checks tokens against the new secret.',
        meetings: 'People already in meetings stay. From then on, a token signed with the old secret is refused: its holder cannot join.',
        warning:
          "Your organisation's token issuer must switch to the new secret at the same moment, or nobody can join with a token. " +
          (spec.cloud === 'aws'
            ? `It can read the new value, once rotated, from the SSM parameter ${ssmParameterName(spec.stack, 'jwt-app-secret')} ` +
              `(aws ssm get-parameter --with-decryption --region ${spec.region} --name ${ssmParameterName(spec.stack, 'jwt-app-secret')}).`
            : `Read the new value, once rotated, with npm run accounts -- secret jwt-app-secret --stack ${spec.stack} (through the stack's channel).`),
      };
  }
}

export function rotationPlan(secrets: RotatableSecret[], spec: DeploymentSpec): RotationPlan {
  const bridges: BridgePickup = spec.topology !== 'scalable' || spec.cloud !== 'aws' ? 'none' : secrets.includes('jvb-password') ? 'refresh' : 'apply';
  return { stack: spec.stack, cloud: spec.cloud, topology: spec.topology, secrets, bridges, impacts: secrets.map((s) => impactOf(s, spec)) };
}

const BRIDGE_STEP: Record<BridgePickup, string | undefined> = {
  none: undefined,
  apply: 'then every bridge runs the same (they do not use these secrets, so nothing restarts there).',
  refresh: 'then the bridge pool is renewed by an instance refresh; old bridges drain before they go.',
};

/** `head` then `text`, wrapped at `width` columns; continuation lines are indented as deep as the head. */
function wrapped(head: string, text: string, width = 100): string[] {
  const lines: string[] = [];
  let line = head;
  for (const word of text.split(' ')) {
    if (line.length + 1 + word.length > width && line.trim().length > head.trim().length) {
      lines.push(line);
      line = ' '.repeat(head.length) + word;
    } else {
      line = line === head ? `${head}${word}` : `${line} ${word}`;
    }
  }
  return [...lines, line];
}

/** The plan in words, as shown before the confirmation. */
export function planText(plan: RotationPlan): string {
  const lines = [`Rotating ${plan.secrets.length === 1 ? 'one secret' : `${plan.secrets.length} secrets`} of ${plan.stack}: ${plan.secrets.join(', ')}`, ''];
  for (const impact of plan.impacts) {
    lines.push(`${impact.secret}: ${impact.holder}`, ...wrapped('  On the hosts: ', impact.hosts), ...wrapped('  In meetings:  ', impact.meetings));
    if (impact.warning) lines.push(...wrapped('  ! ', impact.warning));
    lines.push('');
  }
  if (plan.cloud === 'aws') {
    lines.push(
      'Order: Pulumi makes the new values and stores them in SSM (nothing else in the stack changes);',
      '  the signaling host then runs jitsi-eu-apply, which picks them up and reloads or restarts only what uses them;',
      ...(BRIDGE_STEP[plan.bridges] ? [`  ${BRIDGE_STEP[plan.bridges]}`] : []),
      '',
    );
  } else {
    lines.push(
      "Order: through the stack's channel the signaling node drops the old values and runs jitsi-eu-apply, which makes",
      '  new ones on the node (they never leave it) and reloads or restarts only what uses them; nothing else in the',
      `  stack changes${plan.topology === 'scalable' ? ', and the bridges use none of these secrets' : ''}.`,
      '',
    );
  }
  return `${lines.join('\n')}`;
}
