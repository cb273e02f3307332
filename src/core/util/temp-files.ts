/**
 * Temp files being written right now. Core code registers them; the CLI's interrupt handler
 * removes whatever is left when the user presses Ctrl-C, so nothing half-written stays behind.
 */
const pending = new Set<string>();

export function trackTemp(path: string): void {
  pending.add(path);
}

export function untrackTemp(path: string): void {
  pending.delete(path);
}

export function pendingTemps(): string[] {
  return [...pending];
}
