// Entry of the policy pack for Pulumi's policy runner. The runner loads a pack with require()
// and compiles .ts files with its own bundled ts-node, which cannot read jitsi-eu's TypeScript
// ES modules; so the policies are loaded through tsx's ES module loader instead, and the runner
// awaits the promise this module exports.
module.exports = import('tsx/esm/api').then(({ register }) => {
  register();
  return import('./index.ts');
});
