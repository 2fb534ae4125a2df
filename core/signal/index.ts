export * from './fft.js';
export * from './convolve.js';
