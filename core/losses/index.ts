/** Separation metrics and the losses made of them: the SDR family, PIT, BSS Eval. */
export * from './siSdr.js';
export * from './pit.js';
export * from './bssEval.js';
