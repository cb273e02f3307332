import { confirm, input, select } from '@inquirer/prompts';
import { Writable } from 'node:stream';
import type { Readable } from 'node:stream';
import type { Choice, Prompter } from '../../ports/prompter.js';

/** @inquirer/prompts on injected streams (stdin/stderr in the CLI, scripted streams in tests). */
export class InquirerPrompter implements Prompter {
  constructor(
    private readonly inStream: Readable,
    private readonly outStream: Writable,
  ) {}

  /** A fresh writable per prompt: inquirer ends its output when a prompt closes, and the real stream must stay open. */
  private get ctx() {
    const target = this.outStream as Writable & { isTTY?: boolean; columns?: number };
    const output = new Writable({
      write: (chunk, enc, cb) => (target.write(chunk, enc) ? cb() : target.once('drain', () => cb())),
    });
    Object.assign(output, { isTTY: target.isTTY, columns: target.columns ?? 80 });
    return { input: this.inStream, output };
  }

  confirm(message: string, defaultValue: boolean): Promise<boolean> {
    return confirm({ message, default: defaultValue }, this.ctx);
  }

  input(message: string, defaultValue: string, validate?: (value: string) => string | null): Promise<string> {
    return input(
      { message, default: defaultValue, validate: validate ? (v: string) => validate(v) ?? true : undefined },
      this.ctx,
    );
  }

  select<T extends string>(message: string, choices: Array<Choice<T>>, defaultValue: T): Promise<T> {
    return select<T>({ message, choices, default: defaultValue }, this.ctx);
  }
}
