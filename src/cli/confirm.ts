import { UsageError } from '../core/errors.js';
import { canPrompt } from './io.js';
import type { Deps } from './deps.js';
import type { Confirmation } from '../core/confirmation.js';

/**
 * Ask what core said must be confirmed: on a terminal through the Prompter; without one (or in CI)
 * the flag is demanded instead. `given`: the flag was passed.
 */
export async function confirmOrDemand(deps: Deps, c: Confirmation | null, given: boolean): Promise<void> {
  if (!c || given) return;
  if (!canPrompt(deps.io, deps.env))
    throw new UsageError(
      `${c.what} changes production and needs confirmation: pass ${c.flag} (no terminal to ask on${deps.env.CI ? ', CI is set' : ''})`,
    );
  if (c.preamble) deps.io.err.write(c.preamble);
  const ok = await (await deps.prompter()).confirm(c.question, c.defaultAnswer);
  if (!ok) throw new UsageError(c.refused);
}
