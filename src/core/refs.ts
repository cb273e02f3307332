import { UsageError } from './errors.js';

/** Model names: lowercase letters, digits, `.`, `_`, `-`, starting with a letter or digit, ≤ 128 chars. */
const MODEL_NAME = /^[a-z0-9][a-z0-9._-]{0,127}$/;
/** Aliases: lowercase, start with a letter, never purely numeric (so `fraud@3` is never ambiguous). */
const ALIAS = /^[a-z][a-z0-9-]{0,63}$/;

export const RESERVED_ALIASES = new Set(['latest']);
/** Moved only by promotion and rollback. */
export const PROTECTED_ALIASES = new Set(['champion']);

export function checkModelName(name: string): string {
  if (!MODEL_NAME.test(name) || name.includes('..')) {
    throw new UsageError(
      `invalid model name ${JSON.stringify(name)}: use lowercase letters, digits, '.', '_' or '-', starting with a letter or digit (at most 128 characters)`,
    );
  }
  return name;
}

export function checkAlias(alias: string): string {
  if (!ALIAS.test(alias)) {
    throw new UsageError(
      `invalid alias ${JSON.stringify(alias)}: use lowercase letters, digits and '-', starting with a letter (at most 64 characters)`,
    );
  }
  return alias;
}

export type Ref =
  | { model: string; kind: 'version'; version: number; text: string }
  | { model: string; kind: 'alias'; alias: string; text: string };

/** Parse `fraud@3`, `fraud@champion`, `fraud@latest`. A bare `fraud` means `fraud@latest` when allowBare. */
export function parseRef(text: string, opts: { allowBare?: boolean } = {}): Ref {
  const at = text.indexOf('@');
  if (at < 0) {
    if (opts.allowBare) return { model: checkModelName(text), kind: 'alias', alias: 'latest', text: `${text}@latest` };
    throw new UsageError(
      `invalid ref ${JSON.stringify(text)}: expected <model>@<version|alias>, e.g. fraud@3 or fraud@champion`,
    );
  }
  const model = text.slice(0, at);
  const sel = text.slice(at + 1);
  checkModelName(model);
  if (/^[0-9]+$/.test(sel)) {
    const version = Number(sel);
    if (!Number.isSafeInteger(version))
      throw new UsageError(
        `invalid ref ${JSON.stringify(text)}: the version number is too large (at most ${Number.MAX_SAFE_INTEGER})`,
      );
    if (version < 1) throw new UsageError(`invalid ref ${JSON.stringify(text)}: versions start at 1`);
    return { model, kind: 'version', version, text };
  }
  if (sel === '' || !ALIAS.test(sel)) {
    throw new UsageError(
      `invalid ref ${JSON.stringify(text)}: after '@' put a version number (1, 2, …) or an alias such as champion or latest`,
    );
  }
  return { model, kind: 'alias', alias: sel, text };
}

/** The one way a version is named: `fraud@3`. */
export function formatRef(v: { model: string; version: number }): string;
export function formatRef(model: string, version: number): string;
export function formatRef(a: string | { model: string; version: number }, version?: number): string {
  return typeof a === 'string' ? `${a}@${version}` : `${a.model}@${a.version}`;
}
