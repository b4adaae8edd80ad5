import { syncMode } from '../store/atomic-write.js';

/** Refuses (exit 2) settings from the environment that no command could use (HARNESS_SYNC), before any command writes anything. */
export function checkSettings(): void {
  syncMode();
}
