import { h, type Html } from './escape.js';

/** Where a page links to. A static report links nowhere outside itself (null: plain text). */
export interface Links {
  home(): string | null;
  model(name: string): string | null;
  version(ref: string): string | null;
  gateRun(id: number): string | null;
  rollout(id: number): string | null;
  audit(query?: Record<string, string>): string | null;
}

export const staticLinks: Links = {
  home: () => null,
  model: () => null,
  version: () => null,
  gateRun: () => null,
  rollout: () => null,
  audit: () => null,
};

const seg = encodeURIComponent;

/** The `mlctl ui` routes. */
export const serverLinks: Links = {
  home: () => '/',
  model: (name) => `/models/${seg(name)}`,
  version: (ref) => {
    const at = ref.indexOf('@');
    return at < 0 ? `/models/${seg(ref)}` : `/models/${seg(ref.slice(0, at))}/${seg(ref.slice(at + 1))}`;
  },
  gateRun: (id) => `/gate-runs/${id}`,
  rollout: (id) => `/rollouts/${id}`,
  audit: (q) => {
    const params = new URLSearchParams(q ?? {}).toString();
    return params ? `/audit?${params}` : '/audit';
  },
};

export function link(href: string | null, text: string | number, cls?: string): Html {
  return href === null
    ? h`<span class="${cls ?? ''}">${text}</span>`
    : h`<a href="${href}" class="${cls ?? ''}">${text}</a>`;
}

export function num(x: number | null | undefined, digits = 4): string {
  if (x === null || x === undefined) return '–';
  if (!Number.isFinite(x)) return String(x);
  if (Number.isInteger(x) && Math.abs(x) < 1e9) return String(x);
  const a = Math.abs(x);
  if (a !== 0 && (a < 10 ** -digits || a >= 1e7)) return x.toExponential(2).replace('-', '−');
  return x.toFixed(digits).replace('-', '−');
}

export function signed(x: number | null): string {
  if (x === null) return '–';
  return x > 0 ? `+${num(x)}` : num(x);
}

/** "2026-11-23 10:00 UTC": one zone for every reader of a shared report. */
export function time(iso: string | null | undefined): string {
  if (!iso) return '–';
  return `${iso.replace('T', ' ').slice(0, 16)} UTC`;
}

export function shortDigest(d: string | null | undefined, n = 12): string {
  if (!d) return '–';
  const hex = d.startsWith('sha256:') ? d.slice(7) : d;
  return `${d.startsWith('sha256:') ? 'sha256:' : ''}${hex.slice(0, n)}…`;
}

export function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n} B` : `${v.toFixed(1)} ${units[i]}`;
}

/** A coloured word for a verdict or state; the class carries the colour, the word the meaning. */
export function badge(word: string): Html {
  return h`<span class="badge b-${word.replace(/[^a-z-]/g, '')}">${word}</span>`;
}
