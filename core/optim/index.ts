/** Optimizers and learning-rate schedules shared by every learner in unmix. */
export * from './optimizers.js';
export * from './schedules.js';
export * from './create.js';
