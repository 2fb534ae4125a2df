import { describe, expect, it } from 'vitest';
import {
  APP_URL,
  CONTENT_SECURITY_POLICY,
  hardenWebContents,
  isAppUrl,
  isPermissionAllowed,
  restrictPermissions,
  windowOptions,
} from '../../../desktop/main/security.js';
import { fakeWebContents } from './fakes.js';

describe('window security', () => {
  it('isolates and sandboxes the renderer without Node', () => {
    const { webPreferences } = windowOptions('/app/preload.cjs');
    expect(webPreferences).toMatchObject({
      preload: '/app/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      webviewTag: false,
    });
  });

  it('has a strict content security policy: own scripts only, no inline code or eval, no network', () => {
    const directives = Object.fromEntries(
      CONTENT_SECURITY_POLICY.split(';').map((d) => {
        const [name, ...values] = d.trim().split(/\s+/);
        return [name, values];
      }),
    );
    expect(directives['default-src']).toEqual(["'none'"]);
    expect(directives['script-src']).toEqual(["'self'"]);
    expect(directives['worker-src']).toEqual(["'self'"]);
    expect(directives['connect-src']).toEqual(["'self'"]);
    expect(directives['object-src']).toEqual(["'none'"]);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/);
  });

  it('blocks navigation, redirects, webviews and new windows', () => {
    const contents = fakeWebContents();
    hardenWebContents(contents);
    expect(contents.emit('will-navigate', 'https://example.com/')).toBe(true);
    expect(contents.emit('will-navigate', APP_URL)).toBe(true);
    expect(contents.emit('will-redirect', 'https://example.com/')).toBe(true);
    expect(contents.emit('will-attach-webview')).toBe(true);
    expect(contents.openHandler?.({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
  });

  it('grants only the microphone, and only to the app', () => {
    expect(isPermissionAllowed('media', { mediaTypes: ['audio'], requestingUrl: APP_URL })).toBe(true);
    expect(isPermissionAllowed('media', { mediaTypes: ['video'], requestingUrl: APP_URL })).toBe(false);
    expect(isPermissionAllowed('media', { mediaTypes: ['audio', 'video'], requestingUrl: APP_URL })).toBe(false);
    expect(isPermissionAllowed('media', { mediaTypes: ['audio'], requestingUrl: 'https://evil.example/' })).toBe(false);
    for (const permission of [
      'geolocation',
      'notifications',
      'midi',
      'clipboard-read',
      'openExternal',
      'hid',
      'serial',
    ]) {
      expect(isPermissionAllowed(permission, { requestingUrl: APP_URL })).toBe(false);
    }
    const contents = fakeWebContents();
    restrictPermissions(contents.session);
    const answers: boolean[] = [];
    contents.session.request?.(null, 'media', (granted) => answers.push(granted), {
      mediaTypes: ['audio'],
      requestingUrl: APP_URL,
    });
    contents.session.request?.(null, 'geolocation', (granted) => answers.push(granted), { requestingUrl: APP_URL });
    expect(answers).toEqual([true, false]);
    expect(contents.session.check?.(null, 'media', 'app://unmix', { mediaType: 'audio' })).toBe(true);
    expect(contents.session.check?.(null, 'media', 'app://unmix', { mediaType: 'video' })).toBe(false);
    expect(contents.session.check?.(null, 'media', 'app://unmix', { mediaType: 'unknown' })).toBe(true);
    expect(contents.session.check?.(null, 'media', 'https://evil.example', { mediaType: 'audio' })).toBe(false);
    expect(contents.session.check?.(null, 'notifications', 'app://unmix', {})).toBe(false);
  });

  it('recognises only app://unmix pages as the app', () => {
    expect(isAppUrl('app://unmix/index.html')).toBe(true);
    expect(isAppUrl('app://other/index.html')).toBe(false);
    expect(isAppUrl('file:///index.html')).toBe(false);
    expect(isAppUrl('not a url')).toBe(false);
  });
});
