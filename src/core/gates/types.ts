import type { GateCurves } from './curves.js';
import type { GateCheckResult } from './checks.js';
import type { GatesSettings } from '../config/index.js';
import type { Registry } from '../../ports/registry.js';
import type { BlobStore } from '../../ports/blob-store.js';
import type { Clock } from '../../ports/clock.js';
import type { Exec } from '../../ports/exec.js';

export interface GateInput {
  candidate: string;
  against?: string;
  policyFile: string;
  /** How the policy is named in messages and annotations (a path relative to the repository). */
  policyLabel?: string;
  predictions?: string;
  baselinePredictions?: string;
  eval?: boolean;
}

export interface GateContext {
  registry: Registry;
  clock: Clock;
  actor: string;
  cwd: string;
  settings: GatesSettings;
  store?: () => Promise<BlobStore>;
  exec?: () => Promise<Exec>;
}

export interface GateReport {
  verdict: 'pass' | 'fail' | 'inconclusive';
  candidate: { ref: string; manifestDigest: string };
  baseline: { ref: string; manifestDigest: string } | null;
  baselineMissing: 'absolute_only' | 'fail' | null;
  policy: { file: string; digest: string };
  dataset: { digest: string | null; source: 'metrics' | 'predictions' | 'eval'; rows: number | null };
  summary: Record<'pass' | 'fail' | 'warn' | 'skip' | 'inconclusive', number>;
  checks: GateCheckResult[];
  gateRunId: number;
  at: string;
  actor: string;
  /**
   * ROC and precision–recall curves of both models (≤ 500 points each), for runs recorded from
   * binary-labelled predictions. Absent on other runs and on runs recorded before curves were kept.
   */
  curves?: GateCurves;
}
