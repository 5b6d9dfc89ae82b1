// Pulumi's entry point (Pulumi.yaml `main: infra/`). The returned object becomes the stack outputs.
import { jitsiEuProgram } from './program.ts';

export default () => jitsiEuProgram();
