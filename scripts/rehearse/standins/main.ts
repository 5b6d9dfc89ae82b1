// Entry point of the stand-in process, started inside the rehearsal's network namespace:
// `tsx main.ts CONFIG.json`. Prints `ready` once every stand-in answers; stops on SIGTERM or when
// its standard input closes (the rehearsal that started it has gone).
import { readFileSync } from 'node:fs';
import { startStandins, type StandinConfig } from './server.ts';

const config = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as StandinConfig;
startStandins(config).then(
  (standins) => {
    process.stdout.write('ready\n');
    const stop = () => void standins.stop().then(() => process.exit(0));
    process.on('SIGTERM', stop);
    process.stdin.on('end', stop).resume();
  },
  (error: unknown) => {
    process.stderr.write(`stand-ins failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
