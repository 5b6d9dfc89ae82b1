// Servers the tests start as child processes (nginx, Prosody, coturn, moto_server): keep the tail of
// what they print for error messages, wait until they listen, and stop them for good.
import type { ChildProcess } from 'node:child_process';
import { connect } from 'node:net';

/** Keeps the last `limit` characters a child printed (stdout and stderr); call the result to read them. */
export function captureOutput(child: ChildProcess, limit = 4000): () => string {
  let text = '';
  const keep = (data: Buffer) => {
    text = (text + data.toString()).slice(-limit);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => text;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

/** Waits until 127.0.0.1:port accepts TCP connections; fails early, with its output, when the child exits. */
export async function waitForTcp(port: number, child: ChildProcess, what: string, output: () => string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}: ${output()}`);
    if (await accepts(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${what} did not listen on 127.0.0.1:${port} within ${ms} ms: ${output()}`);
}

/** Sends `signal` and resolves once the child has exited, killing it after `graceMs` if it lingers. */
export function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 5000): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    timer.unref();
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(signal);
  });
}
