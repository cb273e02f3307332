import { confirm } from '@inquirer/prompts';
import type { Readable, Writable } from 'node:stream';
import type { Prompter } from '../../ports/prompter.js';

/** @inquirer/prompts on injected streams (stdin/stderr in the CLI, fakes in tests). */
export class InquirerPrompter implements Prompter {
  constructor(private readonly input: Readable, private readonly output: Writable) {}
  confirm(message: string, defaultValue: boolean): Promise<boolean> {
    return confirm({ message, default: defaultValue }, { input: this.input, output: this.output });
  }
}
