import { requireModel } from '../registry/resolve.js';
import { checkModelName } from '../refs.js';
import { parseTime } from './query.js';
import type { Registry } from '../../ports/registry.js';

export interface ChampionChange {
  seq: number;
  at: string;
  actor: string;
  version: number | null;
  previous: number | null;
  via: string | null;
  reason: string | null;
  adr: string | null;
}

export interface ChampionAnswer {
  model: string;
  at: string;
  /** The champion at that moment (null: none yet). */
  version: number | null;
  since: ChampionChange | null;
  timeline: ChampionChange[];
  /** Changes recorded with a time earlier than the change before them (a clock was wrong). */
  warnings: string[];
}

/**
 * Which version was champion at a moment, and every change of champion (who, when, why, ADR).
 * The chain's order is the truth (ADR 26): the changes up to the first one recorded after the
 * moment count, so a change whose clock was behind never moves before the changes it followed.
 */
export async function championAt(
  registry: Registry,
  model: string,
  atText: string | undefined,
  now: Date,
): Promise<ChampionAnswer> {
  checkModelName(model);
  await requireModel(registry, model);
  const at = atText ? parseTime(atText, '--at', now) : now.toISOString();
  const timeline = (await registry.events({ model, action: 'champion.set' })).reverse().map((e) => {
    const p = (e.payload ?? {}) as Record<string, unknown>;
    return {
      seq: e.seq,
      at: e.at,
      actor: e.actor,
      version: typeof p.version === 'number' ? p.version : null,
      previous: typeof p.previous === 'number' ? p.previous : null,
      via: typeof p.via === 'string' ? p.via : null,
      reason: typeof p.reason === 'string' ? p.reason : null,
      adr: typeof p.adr === 'string' ? p.adr : null,
    };
  });
  let since: ChampionChange | null = null;
  const t = Date.parse(at);
  for (const c of timeline) {
    if (Date.parse(c.at) > t) break;
    since = c;
  }
  const warnings: string[] = [];
  timeline.forEach((c, i) => {
    const prev = timeline[i - 1];
    if (prev && Date.parse(c.at) < Date.parse(prev.at))
      warnings.push(
        `event #${c.seq} (${model}@${c.version ?? '?'} champion, by ${c.actor}) is dated ${c.at}, before #${prev.seq} at ${prev.at} which it followed: a clock was wrong; answers follow the chain's order`,
      );
  });
  return { model, at, version: since?.version ?? null, since, timeline, warnings };
}
