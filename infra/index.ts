// Pulumi's entry point (Pulumi.yaml `main: infra/`). The returned object becomes the stack outputs.
// The one place the program reads its environment: deploy says which signaling node the stack runs.
import { DEPLOYED_SIGNALING_HOST_ENV, jitsiEuProgram } from './program.ts';

export default () => {
  const deployedSignalingHost = process.env[DEPLOYED_SIGNALING_HOST_ENV];
  return jitsiEuProgram(deployedSignalingHost ? { deployedSignalingHost } : {});
};
