import { UsageError } from '../core/errors.js';

/** For repeatable flags: --tag a=1 --tag b=2. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function positiveInt(flag: string) {
  return (value: string): number => {
    if (!/^[0-9]+$/.test(value) || Number(value) < 1)
      throw new UsageError(`${flag} must be a positive whole number, got ${JSON.stringify(value)}`);
    return Number(value);
  };
}

/** A decimal flag value (ranges are checked by the core, which names the flag too). */
export function decimal(flag: string) {
  return (value: string): number => {
    if (!/^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i.test(value.trim()))
      throw new UsageError(`${flag} must be a number, got ${JSON.stringify(value)}`);
    return Number(value);
  };
}

/** The flags every step of a change of what serves accepts (promote, rollback, rollout tick). */
export interface StepOptions {
  commit: boolean;
  push?: boolean;
  allowDirty?: boolean;
  adr: boolean;
  /** --pr: steps as pull requests (ADR 25). */
  pr?: boolean;
}
