export * from './fft.js';
export * from './window.js';
export * from './stft.js';
export * from './convolve.js';
export * from './spectrogram.js';
export * from './streaming.js';
