/** Instantaneous ICA: preprocessing, methods and diagnostics. */
export * from './whitening.js';
export * from './amari.js';
