import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ProtocolLike, ProtocolRequest } from './electronApi.js';
import { APP_SCHEME, CONTENT_SECURITY_POLICY } from './security.js';

/**
 * Serves the renderer's files over `app://unmix/...` instead of `file://`, so the page has
 * a proper origin (workers, AudioWorklets and the microphone need a secure context) and
 * can reach no other file on disk.
 */

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.map': 'application/json',
};

/** Content type of a served file by its extension; `application/octet-stream` otherwise. */
export function contentType(file: string): string {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * The file under `root` that an `app://unmix/...` URL names, or null when the URL is of
 * another scheme or host, or would leave `root` (`..`, encoded separators, absolute paths).
 */
export function resolveAppPath(root: string, url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== 'unmix') return null;
  let relative: string;
  try {
    relative = decodeURIComponent(parsed.pathname);
  } catch {
    return null;
  }
  if (relative.includes('\0') || relative.includes('\\')) return null;
  if (relative === '/' || relative === '') relative = '/index.html';
  const resolvedRoot = path.resolve(root);
  const file = path.resolve(resolvedRoot, `.${relative}`);
  if (file !== resolvedRoot && !file.startsWith(resolvedRoot + path.sep)) return null;
  return file;
}

/** Must run before the app is ready: `app://` is a standard, secure scheme that may run workers. */
export function registerAppScheme(protocol: ProtocolLike): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
  ]);
}

/**
 * Answer one `app://` request from the files under `root`, with the content security
 * policy on every response.
 */
export async function serveAppRequest(
  root: string,
  request: ProtocolRequest,
  read: (file: string) => Promise<Uint8Array> = readFile,
): Promise<Response> {
  const headers = { 'Content-Security-Policy': CONTENT_SECURITY_POLICY, 'X-Content-Type-Options': 'nosniff' };
  if (request.method !== undefined && request.method !== 'GET') {
    return new Response('method not allowed', { status: 405, headers });
  }
  const file = resolveAppPath(root, request.url);
  if (file === null) return new Response('not found', { status: 404, headers });
  try {
    const body = await read(file);
    return new Response(body as Uint8Array<ArrayBuffer>, {
      status: 200,
      headers: { ...headers, 'Content-Type': contentType(file) },
    });
  } catch {
    return new Response('not found', { status: 404, headers });
  }
}

/** Serve `root` on `app://unmix/` (call after the app is ready). */
export function handleAppProtocol(protocol: ProtocolLike, root: string): void {
  protocol.handle(APP_SCHEME, (request) => serveAppRequest(root, request));
}
