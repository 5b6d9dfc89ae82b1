// npm run state -- share|backup|restore: see scripts/state/main.ts.
import { runCli } from './lib/cli.ts';
import { stateMain } from './state/main.ts';

await runCli(() => stateMain(process.argv.slice(2)));
