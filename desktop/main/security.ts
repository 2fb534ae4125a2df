import type { PermissionDetails, SessionLike, WebContentsLike, WindowOptions } from './electronApi.js';

/**
 * Security settings of the window, following Electron's security checklist: context
 * isolation, a sandboxed renderer without Node, a strict content security policy,
 * navigation and new windows blocked, and only the microphone permission granted.
 */

/** The custom scheme the app's own files are served from (never `file://`). */
export const APP_SCHEME = 'app';

/** Origin of the app's pages: `app://unmix`. */
export const APP_ORIGIN = `${APP_SCHEME}://unmix`;

/** URL of the window's page. */
export const APP_URL = `${APP_ORIGIN}/index.html`;

/**
 * The content security policy of every page the app serves: only the app's own scripts,
 * styles and workers; no inline script, no eval, no network, no plugins, no frames.
 * `blob:` is allowed for media so recorded audio can be played back.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "worker-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "media-src 'self' blob: mediastream:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-src 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

/**
 * Options of the main window.
 * @param preload - absolute path of the bundled preload script
 */
export function windowOptions(preload: string): WindowOptions {
  return {
    width: 1280,
    height: 900,
    minWidth: 800,
    minHeight: 600,
    title: 'unmix',
    // Shown on 'ready-to-show', so the window never flashes blank.
    show: false,
    backgroundColor: '#15181d',
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  };
}

/** True when `url` is one of the app's own pages. */
export function isAppUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === `${APP_SCHEME}:` && parsed.host === 'unmix';
  } catch {
    return false;
  }
}

/**
 * Block every navigation away from the app, every new window, and `<webview>` tags, on
 * any web contents (call it from `app.on('web-contents-created')`).
 */
export function hardenWebContents(contents: WebContentsLike): void {
  const block = (event: { preventDefault(): void }) => event.preventDefault();
  contents.on('will-navigate', block);
  contents.on('will-redirect', block);
  contents.on('will-attach-webview', block);
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

/**
 * Whether a permission request is granted: only audio capture ("media" with audio only),
 * and only for the app's own pages. Cameras, notifications, geolocation, MIDI, … are denied.
 */
export function isPermissionAllowed(permission: string, details: PermissionDetails, requestingUrl?: string): boolean {
  if (permission !== 'media') return false;
  const url = requestingUrl ?? details.requestingUrl;
  if (url !== undefined && !isAppUrl(url)) return false;
  const types = details.mediaTypes ?? (details.mediaType !== undefined ? [details.mediaType] : []);
  // A check without a media type (e.g. enumerateDevices labels) is about microphones too,
  // since cameras are never granted by a request.
  return types.every((type) => type === 'audio');
}

/** Install the permission handlers of {@link isPermissionAllowed} on a session. */
export function restrictPermissions(session: SessionLike): void {
  session.setPermissionRequestHandler((_contents, permission, callback, details) => {
    callback(isPermissionAllowed(permission, details));
  });
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin, details) => {
    // Checks (e.g. for device labels) may not know the media type yet ('unknown'); a check
    // grants nothing by itself: capturing still goes through the request handler above.
    const mediaType = details.mediaType === 'unknown' ? undefined : details.mediaType;
    return isPermissionAllowed(
      permission,
      { ...details, mediaType },
      requestingOrigin ? `${requestingOrigin}/` : undefined,
    );
  });
}
