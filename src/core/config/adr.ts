import type { Shape } from './shape.js';

/** `adr:` in mlctl.yaml: the ADR folder (else .adr-dir, doc/adr or docs/adr) and the template of new ADRs. */
export interface AdrSettings {
  dir?: string;
  template: 'nygard' | 'madr';
}

export function readAdrSettings(sh: Shape, raw: unknown): AdrSettings {
  if (raw === undefined || raw === null) return { template: 'nygard' };
  const m = sh.map(raw, ['adr'], ['dir', 'template']);
  return {
    dir: sh.optStr(m.dir, ['adr', 'dir'], 'a path'),
    template: m.template === undefined ? 'nygard' : sh.oneOf(m.template, ['adr', 'template'], ['nygard', 'madr']),
  };
}
