import type { MethodEntry } from '../separate.js';

/** The ICA separation methods, by name; {@link METHODS} includes them all. */
export const ICA_METHODS: Record<string, MethodEntry> = {};
