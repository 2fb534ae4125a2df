/**
 * unmix: blind source separation in TypeScript. The public API, and nothing else.
 *
 * @packageDocumentation
 */
export * from './errors.js';
export * from './random.js';
export * from './audio/signal.js';
export * from './audio/wav.js';
export * from './losses/siSdr.js';
export * from './separate.js';
export * from './unmixing.js';
