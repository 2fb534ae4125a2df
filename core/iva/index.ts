export * from './stftMixture.js';
export * from './covariance.js';
export * from './updates.js';
export * from './auxiva.js';
export * from './ilrma.js';
export * from './methods.js';
