import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadPolicy, type LoadedPolicy } from './policy.js';
import type { GatesSettings } from '../config/index.js';

/** The policy in force: `gates.policy` from mlctl.yaml, else gates.yaml, relative to the project root. */
export function currentPolicyLocation(root: string, settings: GatesSettings): { path: string; label: string } {
  const label = settings.policy ?? 'gates.yaml';
  return { path: join(root, label), label };
}

/** The policy in force, or null when the project has none yet. */
export function loadCurrentPolicy(root: string, settings: GatesSettings): LoadedPolicy | null {
  const { path, label } = currentPolicyLocation(root, settings);
  return existsSync(path) ? loadPolicy(path, label) : null;
}
