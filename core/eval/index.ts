/** Scoring separations: evaluate(), separate-and-score, manifests and result tables. */
export * from './evaluate.js';
export * from './evaluateSeparation.js';
export * from './manifest.js';
export * from './oracle.js';
