// The policy pack: `pulumi preview --policy-pack infra/policy` (and up), entered through
// pack.cjs. Loading this module starts Pulumi's policy server, so nothing else imports it:
// `npm run plan` and the tests run the policies from policies.ts.
// For a stack with jitsi-eu:allowNonEuRegion (eu-west-2, eu-central-2), pass
// `--policy-pack-config` a file holding {"eu-region": {"allowNonEuRegion": true}}.
import { PolicyPack } from '@pulumi/policy';
import { POLICIES } from './policies.ts';

new PolicyPack('jitsi-eu', { policies: [...POLICIES] });
