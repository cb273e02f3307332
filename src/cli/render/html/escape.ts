/**
 * HTML built with a tagged template that escapes every interpolated value unless it is already
 * markup (Html). Names, tags, descriptions and reasons are user text: escaping by default means a
 * page cannot forget to.
 */
export class Html {
  constructor(readonly html: string) {}
  toString(): string {
    return this.html;
  }
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function esc(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** Markup produced by this module's own code (never user text). */
export const raw = (markup: string): Html => new Html(markup);

type Part = Html | string | number | boolean | null | undefined | Part[];

function part(v: Part): string {
  if (v instanceof Html) return v.html;
  if (Array.isArray(v)) return v.map(part).join('');
  if (v === null || v === undefined || v === false) return '';
  return esc(v);
}

export function h(strings: TemplateStringsArray, ...values: Part[]): Html {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += part(values[i]!) + strings[i + 1]!;
  return new Html(out);
}

export function join(parts: Part[], sep = ''): Html {
  return new Html(parts.map(part).join(sep));
}
