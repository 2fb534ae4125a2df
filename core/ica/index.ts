/** Instantaneous ICA: preprocessing, methods and diagnostics. */
export * from './whitening.js';
export * from './amari.js';
export * from './problem.js';
export * from './scores.js';
export * from './picard.js';
export * from './infomax.js';
export * from './fastica.js';
export * from './methods.js';
