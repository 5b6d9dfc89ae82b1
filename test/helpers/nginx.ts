// Runs the real nginx (Debian) on loopback with rendered configuration: a main nginx.conf shaped
// like Debian's (so the rendered files are tested in the context they will live in), helpers that
// move listen ports, certificates and host paths into a test sandbox, `nginx -t`, and start/stop.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { captureOutput, stopChild, waitForTcp } from './child-process.ts';
import { requireTool } from './tools.ts';

/** Host directories the rendered nginx files name; a sandbox root stands in for `/`. */
export const NGINX_HOST_PATH_PREFIXES = [
  '/usr/share/jitsi-meet/',
  '/usr/share/jitsi-meet',
  '/usr/share/jitsi-eu/',
  '/etc/jitsi/',
  '/etc/jitsi-eu/',
  '/var/lib/jitsi-eu/',
  '/var/log/nginx/',
];

export interface MainConfOptions {
  /** Working directory for pid, logs and temp files. */
  dir: string;
  /** Files included inside `http { }`, in order (conf.d first, then sites, as Debian does). */
  includes: string[];
  /** Extra text inside `http { }` after the includes (e.g. a control server). */
  extraHttp?: string;
}

/**
 * A main nginx.conf with Debian bookworm's http-level defaults (legacy TLS versions, an access log,
 * gzip), so the rendered files must override them to pass, and every runtime path in `dir`.
 */
export function writeMainConf(options: MainConfOptions): string {
  const { dir } = options;
  for (const sub of ['logs', 'tmp']) mkdirSync(join(dir, sub), { recursive: true });
  const confPath = join(dir, 'nginx.conf');
  writeFileSync(
    confPath,
    `daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/logs/main-error.log;
events { worker_connections 64; }
http {
    sendfile on;
    tcp_nopush on;
    types_hash_max_size 2048;
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;
    ssl_prefer_server_ciphers on;
    access_log ${dir}/logs/access.log;
    gzip on;
    client_body_temp_path ${dir}/tmp/body;
    proxy_temp_path ${dir}/tmp/proxy;
    fastcgi_temp_path ${dir}/tmp/fastcgi;
    uwsgi_temp_path ${dir}/tmp/uwsgi;
    scgi_temp_path ${dir}/tmp/scgi;
${options.includes.map((p) => `    include ${p};`).join('\n')}
${options.extraHttp ?? ''}
}
`,
  );
  return confPath;
}

/** Moves `listen 80` / `listen 443 ...` to loopback ports, keeping every listen parameter. */
export function moveListenPorts(content: string, ports: { http: number; https: number }): string {
  return content
    .replace(/^(\s*)listen 80(;| )/gm, `$1listen 127.0.0.1:${ports.http}$2`)
    .replace(/^(\s*)listen 443(;| )/gm, `$1listen 127.0.0.1:${ports.https}$2`);
}

/** Points ssl_certificate / ssl_certificate_key at test files. */
export function moveCertificates(content: string, cert: { fullchainPath: string; keyPath: string }): string {
  return content
    .replace(/^(\s*)ssl_certificate \S+;/gm, `$1ssl_certificate ${cert.fullchainPath};`)
    .replace(/^(\s*)ssl_certificate_key \S+;/gm, `$1ssl_certificate_key ${cert.keyPath};`);
}

/** Prefixes every host path under NGINX_HOST_PATH_PREFIXES with `root`. */
export function moveHostPaths(content: string, root: string, prefixes: readonly string[] = NGINX_HOST_PATH_PREFIXES): string {
  const pattern = new RegExp(`(?<=[\\s"])(${prefixes.map((p) => p.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|')})`, 'g');
  return content.replace(pattern, `${root}$1`);
}

/** Writes a file under a sandbox root, creating its directories. */
export function writeUnder(root: string, path: string, content: string): string {
  const full = join(root, path.replace(/^\//, ''));
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, content);
  return full;
}

/** `nginx -t` on a main conf: exit status and what nginx printed. */
export function nginxConfigTest(confPath: string, prefix: string): { ok: boolean; output: string } {
  const nginx = requireTool('nginx');
  const result = spawnSync(nginx, ['-t', '-q', '-p', prefix, '-c', confPath], { encoding: 'utf8' });
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}`.trim() };
}

export interface RunningNginx {
  pid: number;
  stop(): Promise<void>;
}

/** Starts nginx in the foreground on a main conf and waits until `waitPort` accepts connections. */
export async function startNginx(confPath: string, prefix: string, waitPort: number): Promise<RunningNginx> {
  const nginx = requireTool('nginx');
  const child = spawn(nginx, ['-p', prefix, '-c', confPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  const output = captureOutput(child);
  try {
    await waitForTcp(waitPort, child, 'nginx', output, 10_000);
  } catch (error) {
    await stopChild(child, 'SIGKILL');
    throw error;
  }
  return {
    pid: child.pid ?? -1,
    // SIGQUIT is nginx's graceful stop: workers finish, then the master exits.
    stop: () => stopChild(child, 'SIGQUIT'),
  };
}

/** Reads a file if it exists, '' otherwise (nginx creates logs lazily in some builds). */
export function readIfExists(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** One nginx directive: its name, arguments (quotes removed) and, for blocks, its children. */
export interface NginxDirective {
  name: string;
  args: string[];
  block?: NginxDirective[];
}

/**
 * Parses nginx configuration text into directives. Enough for reading rendered files in tests:
 * comments, quoted arguments (with \" escapes), blocks; quotes inside a bare word are literal, as in nginx.
 */
export function parseNginxConf(text: string): NginxDirective[] {
  let i = 0;
  const parseBlock = (nested: boolean): NginxDirective[] => {
    const directives: NginxDirective[] = [];
    let words: string[] = [];
    while (i < text.length) {
      const ch = text[i]!;
      if (/\s/.test(ch)) {
        i++;
      } else if (ch === '#') {
        while (i < text.length && text[i] !== '\n') i++;
      } else if (ch === ';') {
        i++;
        if (words.length === 0) throw new Error(`empty directive at offset ${i}`);
        directives.push({ name: words[0]!, args: words.slice(1) });
        words = [];
      } else if (ch === '{') {
        i++;
        if (words.length === 0) throw new Error(`block without a name at offset ${i}`);
        const [name, ...args] = words;
        words = [];
        directives.push({ name: name!, args, block: parseBlock(true) });
      } else if (ch === '}') {
        i++;
        if (!nested) throw new Error(`unbalanced } at offset ${i}`);
        if (words.length > 0) throw new Error(`directive without ; before } at offset ${i}`);
        return directives;
      } else if (ch === '"' || ch === "'") {
        let word = '';
        i++;
        while (i < text.length && text[i] !== ch) {
          if (text[i] === '\\' && i + 1 < text.length) i++;
          word += text[i];
          i++;
        }
        i++;
        words.push(word);
      } else {
        let word = '';
        while (i < text.length && !/[\s;{}]/.test(text[i]!)) word += text[i++];
        words.push(word);
      }
    }
    if (nested) throw new Error('unterminated block');
    if (words.length > 0) throw new Error('directive without ; at end of file');
    return directives;
  };
  return parseBlock(false);
}
