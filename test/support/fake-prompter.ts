import type { Choice, Prompter } from '../../src/ports/prompter.js';

/**
 * A Prompter (the port commands ask through) that answers from a script: each entry matches the
 * question it expects and gives the answer; an unexpected question fails the command. `asked`
 * keeps every question, for assertions. Tests use it where their point is what is asked and what
 * the answers do; the real terminal prompter has its own keystroke test.
 */
export class FakePrompter implements Prompter {
  readonly asked: string[] = [];
  constructor(private readonly script: Array<[RegExp, string | boolean]>) {}

  private next(message: string): string | boolean {
    this.asked.push(message);
    const step = this.script.shift();
    if (!step) throw new Error(`unexpected question: ${message}`);
    if (!step[0].test(message)) throw new Error(`asked "${message}", expected a question matching ${step[0]}`);
    return step[1];
  }

  async confirm(message: string): Promise<boolean> {
    const a = this.next(message);
    if (typeof a !== 'boolean') throw new Error(`"${message}" is a yes/no question, scripted ${JSON.stringify(a)}`);
    return a;
  }

  async input(message: string, defaultValue: string, validate?: (value: string) => string | null): Promise<string> {
    const a = this.next(message);
    const value = a === true ? defaultValue : String(a);
    const problem = validate?.(value);
    if (problem) throw new Error(`"${value}" is not accepted for "${message}": ${problem}`);
    return value;
  }

  async select<T extends string>(message: string, choices: Array<Choice<T>>, defaultValue: T): Promise<T> {
    const a = this.next(message);
    const value = a === true ? defaultValue : (String(a) as T);
    if (!choices.some((c) => c.value === value)) throw new Error(`"${value}" is not a choice of "${message}"`);
    return value;
  }
}
