import type { RegistryEntry, RegistryEntryType } from './types/index.js';

/** A registry entry of one type. */
export type EntryOf<T extends RegistryEntryType> = Extract<RegistryEntry, { type: T }>;

/** The entries of one type, in registry order. */
export function ofType<T extends RegistryEntryType>(entries: readonly RegistryEntry[], type: T): EntryOf<T>[] {
  return entries.filter((e): e is EntryOf<T> => e.type === type);
}
