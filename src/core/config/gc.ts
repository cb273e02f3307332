import type { Shape } from './shape.js';

/** `gc:` in mlctl.yaml: how long the serving folders of archived versions are kept. */
export interface GcSettings {
  retention: string;
  retentionMs: number;
}

export function readGcSettings(sh: Shape, raw: unknown): GcSettings {
  if (raw === undefined || raw === null) return { retention: '30d', retentionMs: 30 * 86_400_000 };
  const m = sh.map(raw, ['gc'], ['retention']);
  if (m.retention === undefined) return { retention: '30d', retentionMs: 30 * 86_400_000 };
  const retention = sh.str(m.retention, ['gc', 'retention'], 'a duration such as 30d');
  return { retention, retentionMs: sh.duration(retention, ['gc', 'retention']) };
}
