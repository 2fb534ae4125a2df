/**
 * unmix: blind source separation in TypeScript. The public API, and nothing else.
 * Each family folder has an `index.ts` with its public names; this file gathers them.
 *
 * @packageDocumentation
 */
export * from './errors.js';
export * from './random.js';
export * from './audio/signal.js';
export * from './audio/wav.js';
export * from './signal/index.js';
export * from './linalg/index.js';
export * from './iva/index.js';
export * from './losses/index.js';
export * from './eval/index.js';
export * from './room/index.js';
export * from './separate.js';
export * from './unmixing.js';
export * from './optim/index.js';
export * from './ica/index.js';
