export type * from './types.ts';
export { specFromConfig, fqdnProblem } from './validate.ts';
export { loadStackFile, parseStackConfig, formatProblems, stackFileFor, stackNameFromPath, PROJECT_DIR } from './load.ts';
export { CONFIG_KEYS, NAMESPACE, DEFAULT_BRIDGES, DEFAULT_INSTANCE_TYPE } from './keys.ts';
export { EU_REGIONS, OPT_IN_REGIONS, isAllowedRegion, isEuRegion, regionInfo } from './regions.ts';
export { STACK_NAME_RULE, stackNameProblem } from './stack-name.ts';
