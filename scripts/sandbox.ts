// npm run sandbox -- <create|list|extend|destroy|reap>: see scripts/sandbox/main.ts.
import { runCli } from './lib/cli.ts';
import { sandboxMain } from './sandbox/main.ts';

await runCli(() => sandboxMain(process.argv.slice(2)));
