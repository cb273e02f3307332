export interface Choice<T extends string> {
  value: T;
  name: string;
  description?: string;
}

export interface Prompter {
  confirm(message: string, defaultValue: boolean): Promise<boolean>;
  /** Free text; `validate` returns an error message or null. */
  input(message: string, defaultValue: string, validate?: (value: string) => string | null): Promise<string>;
  select<T extends string>(message: string, choices: Array<Choice<T>>, defaultValue: T): Promise<T>;
}
