export interface Prompter {
  confirm(message: string, defaultValue: boolean): Promise<boolean>;
}
