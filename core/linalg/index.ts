export * from './complex.js';
export * from './hermitian.js';
