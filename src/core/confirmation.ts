/**
 * A change the person running the command must agree to: the question a terminal asks, and what
 * the change is called when there is no terminal and the flag (`--yes`) is demanded instead.
 */
export interface Confirmation {
  question: string;
  /** e.g. "moving fraud@4 to full": named in "… changes production and needs confirmation: pass --yes". */
  what: string;
  flag: '--yes';
  /** The answer a plain Enter gives. */
  defaultAnswer: boolean;
  /** Shown before the question (e.g. the files init will write). */
  preamble?: string;
  /** The error when the answer is no. */
  refused: string;
}

export const confirmation = (question: string, what: string): Confirmation => ({
  question,
  what,
  flag: '--yes',
  defaultAnswer: false,
  refused: 'not confirmed; nothing changed',
});
