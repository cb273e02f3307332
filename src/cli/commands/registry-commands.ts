import type { Command } from 'commander';
import type { Deps } from '../deps.js';
import { registerRegister } from './register.js';
import { registerList } from './list.js';
import { registerShow } from './show.js';
import { registerDiff } from './diff.js';
import { registerPull } from './pull.js';
import { registerVerify } from './verify.js';
import { registerAlias, registerArchive, registerTag } from './alias.js';
import { registerGc } from './gc.js';

export function registerRegistryCommands(program: Command, deps: Deps): void {
  registerRegister(program, deps);
  registerList(program, deps);
  registerShow(program, deps);
  registerDiff(program, deps);
  registerPull(program, deps);
  registerVerify(program, deps);
  registerAlias(program, deps);
  registerTag(program, deps);
  registerArchive(program, deps);
  registerGc(program, deps);
}
