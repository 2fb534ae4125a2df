export * from './sources.js';
export * from './instantaneous.js';
export * from './shoebox.js';
export * from './placement.js';
export * from './rt60.js';
export * from './noise.js';
export * from './summary.js';
