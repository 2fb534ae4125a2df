/** Options of {@link buildDesktop}. */
export interface BuildOptions {
  /** Output folder; default `dist/desktop`. */
  outdir?: string;
  /** Entry of the separation worker; default `desktop/renderer/worker/separationWorker.ts`. */
  workerEntry?: string;
  minify?: boolean;
  /** Also bundle the Electron main process and preload; default true. */
  electron?: boolean;
}

/** Bundle the desktop app with esbuild; resolves to the output folder. */
export function buildDesktop(options?: BuildOptions): Promise<string>;
