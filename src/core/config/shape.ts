import { UsageError } from '../errors.js';
import { pathText, type LocatedDoc } from '../inputs/located-doc.js';
import { parseDuration } from '../util/duration.js';

export type Path = Array<string | number>;

/**
 * mlctl.yaml is checked by hand, not with a schema library: every command reads it, and loading zod
 * costs a stage change ~40 ms of start-up (ADR 9). Every message names the file, the setting and
 * its line: `mlctl.yaml: rollout.plans.fast[0].weight: must be a whole number from 1 to 99, got 2.5 (line 7)`.
 */
export class Shape {
  constructor(private readonly doc: Pick<LocatedDoc, 'label' | 'lineOf'>) {}

  get file(): string {
    return this.doc.label;
  }

  /** Line of a value in the file, for readers that build their own messages (compare-check-config.ts). */
  lineOf(path: Path): number | undefined {
    return this.doc.lineOf(path);
  }

  /** `at`: where the line is looked up, when it differs from the path named (an unknown key points at itself). */
  fail(path: Path, message: string, at: Path = path): never {
    const line = this.doc.lineOf(at);
    throw new UsageError(
      `${this.doc.label}: ${path.length ? `${pathText(path)}: ` : ''}${message}${line ? ` (line ${line})` : ''}`,
    );
  }

  map(v: unknown, path: Path, keys: readonly string[], what = 'a mapping'): Record<string, unknown> {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) this.fail(path, `must be ${what}`);
    for (const k of Object.keys(v))
      if (!keys.includes(k)) this.fail(path, `unknown key ${JSON.stringify(k)}; use ${keys.join(', ')}`, [...path, k]);
    return v as Record<string, unknown>;
  }

  /** A mapping of user-chosen names (models, plans, checks); absent is empty. */
  record(v: unknown, path: Path): Record<string, unknown> {
    if (v === undefined || v === null) return {};
    if (typeof v !== 'object' || Array.isArray(v)) this.fail(path, 'must be a mapping');
    return v as Record<string, unknown>;
  }

  str(v: unknown, path: Path, what = 'a non-empty string'): string {
    if (typeof v !== 'string' || v === '') this.fail(path, `must be ${what}`);
    return v;
  }

  optStr(v: unknown, path: Path, what?: string): string | undefined {
    return v === undefined ? undefined : this.str(v, path, what);
  }

  num(v: unknown, path: Path, lo: number, hi: number, int = false): number {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || v > hi || (int && !Number.isInteger(v)))
      this.fail(path, `must be a ${int ? 'whole ' : ''}number from ${lo} to ${hi}, got ${JSON.stringify(v)}`);
    return v;
  }

  optNum(v: unknown, path: Path): number | undefined {
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(path, `must be a number, got ${JSON.stringify(v)}`);
    return v;
  }

  bool(v: unknown, path: Path, dflt: boolean): boolean {
    if (v === undefined) return dflt;
    if (typeof v !== 'boolean') this.fail(path, 'must be true or false');
    return v;
  }

  strList(v: unknown, path: Path, min = 0): string[] {
    if (v === undefined && min === 0) return [];
    if (!Array.isArray(v) || v.length < min)
      this.fail(path, min ? `must be a list of at least ${min} item(s)` : 'must be a list');
    return v.map((x, i) => this.str(x, [...path, i]));
  }

  oneOf<T extends string>(v: unknown, path: Path, options: readonly T[]): T {
    if (typeof v !== 'string' || !options.includes(v as T))
      this.fail(path, `must be one of ${options.join(', ')}, got ${JSON.stringify(v)}`);
    return v as T;
  }

  /** A duration such as 30m or 1h30m, in milliseconds. */
  duration(v: unknown, path: Path): number {
    const text = this.str(v, path, 'a duration such as 30m');
    try {
      return parseDuration(text, pathText(path));
    } catch {
      return this.fail(path, `invalid duration ${JSON.stringify(text)}; use e.g. 90s, 30m, 1h30m, 7d`);
    }
  }

  url(v: unknown, path: Path, example: string): string {
    if (typeof v !== 'string' || !/^https?:\/\/[^\s/]+/.test(v))
      this.fail(path, `must be a URL such as ${example}${typeof v === 'string' ? `, got ${JSON.stringify(v)}` : ''}`);
    return v;
  }
}
