/** Small dense real and complex matrices (n <= 16). */
export * from './real.js';
export * from './complex.js';
export * from './hermitian.js';
export * from './blockToeplitz.js';
