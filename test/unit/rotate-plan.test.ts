// Which secrets a rotation renews, and the words shown before the confirmation: per secret and
// topology, what happens on the hosts and what people in meetings notice.
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../scripts/lib/cli.ts';
import { planText, rotationPlan } from '../../scripts/rotate/plan.ts';
import { parseSecretList, secretsToRotate } from '../../scripts/rotate/secrets.ts';
import { makeSpec } from '../helpers/spec.ts';

const SINGLE = makeSpec({ stack: 'solo', topology: 'single', auth: 'secure', turn: true });
const POOL = makeSpec({ stack: 'pool', topology: 'scalable', auth: 'jwt', turn: true });

describe('the secrets to rotate', () => {
  it('by default: the component secrets and the TURN secret the stack has; never the token secret unless named', () => {
    expect(secretsToRotate(undefined, SINGLE)).toEqual(['focus-password', 'jvb-password', 'turn-secret']);
    expect(secretsToRotate(undefined, POOL)).toEqual(['focus-password', 'jvb-password', 'turn-secret']);
    expect(secretsToRotate(undefined, makeSpec({ turn: false }))).toEqual(['focus-password', 'jvb-password']);
    expect(secretsToRotate(parseSecretList('jwt-app-secret, turn-secret,jwt-app-secret', 'pool'), POOL)).toEqual(['turn-secret', 'jwt-app-secret']);
  });

  it('on Hetzner Cloud and OpenStack a pool keeps its videobridge password (its bridges fetched it once, at boot); a single node rotates it', () => {
    const hetznerPool = makeSpec({ stack: 'hpool', cloud: 'hetzner', region: 'fsn1', topology: 'scalable', turn: true });
    const openstackSingle = makeSpec({ stack: 'osolo', cloud: 'openstack', region: 'GRA11', topology: 'single', turn: false });
    expect(secretsToRotate(undefined, hetznerPool)).toEqual(['focus-password', 'turn-secret']);
    expect(secretsToRotate(undefined, openstackSingle)).toEqual(['focus-password', 'jvb-password']);
    expect(() => secretsToRotate(['focus-password', 'jvb-password'], hetznerPool)).toThrow(/--only jvb-password: the bridges of hpool fetched the videobridge password/);
    const plan = rotationPlan(['focus-password'], hetznerPool);
    expect(plan.bridges).toBe('none');
    expect(planText(plan)).toContain("Order: through the stack's channel the signaling node drops the old values");
    expect(planText(plan)).not.toContain('SSM');
    const jwt = rotationPlan(['jwt-app-secret'], { ...hetznerPool, auth: 'jwt' });
    expect(jwt.impacts[0]!.warning).toContain('npm run accounts -- secret jwt-app-secret --stack hpool');
  });

  it('refuses what it cannot rotate, naming it and what it can', () => {
    const refusal = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        expect(error).toBeInstanceOf(UsageError);
        return (error as UsageError).lines;
      }
      throw new Error('no refusal');
    };
    expect(refusal(() => parseSecretList('focus-password,admin', 'solo'))).toEqual([
      '--only: no secret named admin',
      'the secrets rotate can renew: focus-password, jvb-password, turn-secret, jwt-app-secret',
    ]);
    expect(refusal(() => parseSecretList(' , ', 'solo'))[0]).toBe('--only " , " names no secret');
    expect(refusal(() => parseSecretList('host-password', 'solo'))[1]).toMatch(/^a host account gets a new password with: npm run accounts -- reset-password --stack solo/);
    expect(refusal(() => secretsToRotate(['turn-secret'], makeSpec({ stack: 'quiet', turn: false })))).toEqual([
      '--only turn-secret: stack quiet has no such secret: it runs no TURN server (jitsi-eu:turn is false)',
      'the secrets of quiet that rotate can renew: focus-password, jvb-password',
    ]);
  });
});

describe('the words before the confirmation', () => {
  const impact = (spec: typeof SINGLE, secret: Parameters<typeof rotationPlan>[0][number]) => rotationPlan([secret], spec).impacts[0]!;

  it('focus-password: jicofo restarts, and meetings in progress reconnect', () => {
    const words = impact(SINGLE, 'focus-password');
    expect(words.holder).toBe(`jicofo's XMPP account (focus@auth.${SINGLE.domain})`);
    expect(words.hosts).toContain('then jicofo restarts to sign in with it');
    expect(words.meetings).toContain('nobody can start or join a meeting');
  });

  it('jvb-password on a single node: the videobridge restarts and every meeting loses sound and video for a moment', () => {
    const plan = rotationPlan(['jvb-password'], SINGLE);
    expect(plan.bridges).toBe('none');
    expect(plan.impacts[0]!.hosts).toContain('the videobridge, which runs on the same host, restarts');
    expect(plan.impacts[0]!.meetings).toMatch(/^Every meeting in progress loses sound and video while the videobridge restarts/);
  });

  it('jvb-password in a pool: new bridges through an instance refresh, old ones drain; meetings notice nothing', () => {
    const plan = rotationPlan(['jvb-password'], POOL);
    expect(plan.bridges).toBe('refresh');
    expect(plan.impacts[0]!.hosts).toContain('bridges already connected keep their session');
    expect(plan.impacts[0]!.hosts).toContain('leaves once its last meeting has ended (at most 6 hours)');
    expect(plan.impacts[0]!.meetings).toMatch(/^Nothing, as long as the old bridges stay connected/);
    expect(rotationPlan(['focus-password', 'turn-secret'], POOL).bridges).toBe('apply');
  });

  it('turn-secret: only participants relayed through TURN notice', () => {
    expect(impact(SINGLE, 'turn-secret').meetings).toMatch(/^Participants whose media goes through TURN .* Everyone else notices nothing\.$/);
  });

  it('jwt-app-secret: the token issuer must switch at the same moment, and where to read the new value (never the value)', () => {
    const words = impact(POOL, 'jwt-app-secret');
    expect(words.warning).toContain("Your organisation's token issuer must switch to the new secret at the same moment");
    expect(words.warning).toContain(`aws ssm get-parameter --with-decryption --region ${POOL.region} --name /jitsi-eu/pool/jwt-app-secret`);
    expect(words.meetings).toContain('a token signed with the old secret is refused');
  });

  it('the whole text: every secret, then the order in which the hosts pick the values up', () => {
    const text = planText(rotationPlan(['focus-password', 'jvb-password', 'turn-secret'], POOL));
    expect(text.split('\n')[0]).toBe('Rotating 3 secrets of pool: focus-password, jvb-password, turn-secret');
    for (const secret of ['focus-password:', 'jvb-password:', 'turn-secret:']) expect(text).toContain(`\n${secret} `);
    expect(text).toContain('Order: Pulumi makes the new values and stores them in SSM (nothing else in the stack changes);');
    expect(text).toContain('then the bridge pool is renewed by an instance refresh; old bridges drain before they go.');
    expect(planText(rotationPlan(['turn-secret'], SINGLE))).not.toContain('bridge pool');
  });
});
