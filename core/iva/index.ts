export * from './stftMixture.js';
export * from './covariance.js';
export * from './updates.js';
export * from './auxiva.js';
export * from './ngiva.js';
export * from './fdica.js';
export * from './permutation.js';
export * from './methods.js';
