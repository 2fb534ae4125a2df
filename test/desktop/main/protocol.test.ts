import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { contentType, resolveAppPath, serveAppRequest } from '../../../desktop/main/protocol.js';
import { CONTENT_SECURITY_POLICY } from '../../../desktop/main/security.js';

const root = path.resolve('/srv/app/renderer');

describe('app:// protocol', () => {
  it('maps app://unmix/ paths into the renderer folder', () => {
    expect(resolveAppPath(root, 'app://unmix/index.html')).toBe(path.join(root, 'index.html'));
    expect(resolveAppPath(root, 'app://unmix/')).toBe(path.join(root, 'index.html'));
    expect(resolveAppPath(root, 'app://unmix/worker.js?x=1')).toBe(path.join(root, 'worker.js'));
  });

  it('refuses paths that leave the folder, other hosts and schemes', () => {
    // The URL parser already folds plain and %2e-encoded dot segments into the root.
    expect(resolveAppPath(root, 'app://unmix/../secret.txt')).toBe(path.join(root, 'secret.txt'));
    expect(resolveAppPath(root, 'app://unmix/%2e%2e/secret.txt')).toBe(path.join(root, 'secret.txt'));
    for (const url of [
      'app://unmix/..%2fsecret.txt',
      'app://unmix/..%2f..%2fsecret.txt',
      'app://unmix/a%5c..%5c..%5csecret.txt',
      'app://unmix/%00.js',
      'app://other/index.html',
      'file:///etc/passwd',
      'https://unmix/index.html',
      'app://unmix/%E0%A4%A',
      'not a url',
    ]) {
      expect(resolveAppPath(root, url), url).toBeNull();
    }
  });

  it('serves files with their type and the content security policy, 404 otherwise', async () => {
    const files: Record<string, string> = { [path.join(root, 'index.html')]: '<!doctype html>' };
    const read = async (file: string) => {
      if (!(file in files)) throw new Error('ENOENT');
      return new TextEncoder().encode(files[file]);
    };
    const ok = await serveAppRequest(root, { url: 'app://unmix/index.html', method: 'GET' }, read);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(ok.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(await ok.text()).toBe('<!doctype html>');
    const missing = await serveAppRequest(root, { url: 'app://unmix/nothing.js' }, read);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect((await serveAppRequest(root, { url: 'app://unmix/../x' }, read)).status).toBe(404);
    expect((await serveAppRequest(root, { url: 'app://unmix/index.html', method: 'POST' }, read)).status).toBe(405);
  });

  it('names content types', () => {
    expect(contentType('a.js')).toBe('text/javascript; charset=utf-8');
    expect(contentType('a.CSS')).toBe('text/css; charset=utf-8');
    expect(contentType('a.bin')).toBe('application/octet-stream');
  });
});
