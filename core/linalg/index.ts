/** Small dense matrices: real kernels (and complex ones beside them). */
export * from './real.js';
