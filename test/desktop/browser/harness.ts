/**
 * Drives the renderer in Debian's Chromium with playwright-core: bundles the app (with a
 * test worker entry), serves it over http://127.0.0.1 with the app's content security
 * policy, installs the bridge double, and helps read canvases and save screenshots.
 */
import { build } from 'esbuild';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { buildDesktop } from '../../../desktop/build.mjs';
import { CONTENT_SECURITY_POLICY } from '../../../desktop/main/security.js';
import { contentType } from '../../../desktop/main/protocol.js';

export const ROOT = path.resolve(import.meta.dirname, '../../..');
export const SCREENSHOTS = path.join(ROOT, 'desktop', 'screenshots');
export const CHROMIUM = '/usr/bin/chromium';

/** A running browser on a served build. */
export interface Harness {
  context: BrowserContext;
  url: string;
  /** A fresh page with the bridge double, the app loaded and ready. */
  open(options?: { initScript?: string }): Promise<Page>;
  close(): Promise<void>;
}

/**
 * Build, serve and launch.
 * @param fakeMicrophone - WAV file the fake microphone plays (stereo)
 */
export async function startHarness(fakeMicrophone: string): Promise<Harness> {
  const temp = await mkdtemp(path.join(os.tmpdir(), 'unmix-desktop-test-'));
  const outdir = await buildDesktop({
    outdir: path.join(temp, 'build'),
    workerEntry: path.join(ROOT, 'test/desktop/browser/testWorker.ts'),
    electron: false,
  });
  const renderer = path.join(outdir, 'renderer');
  const double = await build({
    entryPoints: [path.join(ROOT, 'test/desktop/browser/bridgeDouble.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
  });
  const doubleScript = double.outputFiles[0].text;
  const server = http.createServer((request, response) => {
    const name =
      decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname).replace(/^\/+/, '') || 'index.html';
    const file = path.join(renderer, path.normalize(name));
    if (!file.startsWith(renderer + path.sep)) {
      response.writeHead(404).end();
      return;
    }
    readFile(file).then(
      (body) =>
        response
          .writeHead(200, { 'Content-Type': contentType(file), 'Content-Security-Policy': CONTENT_SECURITY_POLICY })
          .end(body),
      () => response.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/index.html`;
  const context = await chromium.launchPersistentContext(path.join(temp, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--autoplay-policy=no-user-gesture-required',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-audio-capture=${fakeMicrophone}`,
    ],
  });
  await mkdir(SCREENSHOTS, { recursive: true });
  return {
    context,
    url,
    async open(options = {}) {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      await page.addInitScript({ content: doubleScript });
      if (options.initScript) await page.addInitScript({ content: options.initScript });
      await page.goto(url);
      await page.waitForSelector('body[data-ready="true"]', { timeout: 15_000 });
      Object.assign(page, { consoleErrors: errors });
      return page;
    },
    async close() {
      await context.close();
      await new Promise((resolve) => server.close(resolve));
      await rm(temp, { recursive: true, force: true });
    },
  };
}

/** Errors the page logged (uncaught exceptions, console.error, CSP violations). */
export function consoleErrors(page: Page): string[] {
  return (page as Page & { consoleErrors?: string[] }).consoleErrors ?? [];
}

/** A file as the bridge delivers it (base64 in transit, Uint8Array in the page). */
export async function fileArgument(file: string): Promise<{ name: string; base64: string }> {
  return { name: path.basename(file), base64: (await readFile(file)).toString('base64') };
}

/** Queue the next open dialog's choice in the page's bridge double (with the references main would read from a sidecar). */
export async function queueOpen(
  page: Page,
  files: { name: string; base64: string }[],
  sidecar?: { name: string; text: string },
  kind: 'nextOpen' | 'nextReferences' = 'nextOpen',
  references?: { name: string; base64: string }[],
): Promise<void> {
  await page.evaluate(
    ({ files, sidecar, kind, references }) => {
      const decode = (list: { name: string; base64: string }[]) =>
        list.map((f) => ({ name: f.name, bytes: Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0)) }));
      const control = (window as unknown as { __bridge: Record<string, unknown[]> }).__bridge;
      control[kind].push(
        kind === 'nextOpen'
          ? {
              files: decode(files),
              ...(sidecar ? { sidecar } : {}),
              ...(references ? { references: decode(references) } : {}),
            }
          : decode(files),
      );
    },
    { files, sidecar, kind, references },
  );
}

/**
 * How many pixels of a canvas differ from its most common colour (the background): a
 * canvas with something drawn on it has many.
 */
export async function drawnPixels(page: Page, selector: string): Promise<number> {
  return page.$eval(selector, (canvas) => {
    const c = canvas as HTMLCanvasElement;
    const data = c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data;
    if (!data || data.length === 0) return 0;
    const counts = new Map<number, number>();
    for (let i = 0; i < data.length; i += 4) {
      const key = (data[i] << 24) | (data[i + 1] << 16) | (data[i + 2] << 8) | data[i + 3];
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const background = Math.max(...counts.values());
    return data.length / 4 - background;
  });
}

/** Save a screenshot of an element (or the page) as desktop/screenshots/NAME.png. */
export async function screenshot(page: Page, name: string, selector?: string): Promise<string> {
  const file = path.join(SCREENSHOTS, `${name}.png`);
  if (selector) {
    await page.locator(selector).screenshot({ path: file });
  } else {
    // A viewport as tall as the page, so the sticky toolbar stays at the top of the picture.
    const size = page.viewportSize() ?? { width: 1280, height: 900 };
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    await page.setViewportSize({ width: size.width, height: Math.max(size.height, height) });
    await page.screenshot({ path: file });
    await page.setViewportSize(size);
  }
  return file;
}
