import type { MethodEntry } from '../separate.js';

/** The IVA separation methods, by name; {@link METHODS} includes them all. */
export const IVA_METHODS: Record<string, MethodEntry> = {};

/** The method `--method auto` resolves to: the one that separates real room recordings best. */
export const IVA_AUTO_METHOD: string | undefined = undefined;
