import { join } from 'node:path';
import { resolveAdrDir } from './files.js';
import type { AdrContext, AdrTemplate } from './adr-ops.js';
import type { ProjectSettings } from '../config/index.js';

export interface ProjectAdrContext extends AdrContext {
  defaultTemplate: AdrTemplate;
}

/**
 * Where this project's ADRs live and which templates they use: adr.dir in mlctl.yaml, else an
 * adr-tools `.adr-dir`, doc/adr or docs/adr; the project's templates/adr override the package's.
 */
export function adrContextFor(
  settings: Pick<ProjectSettings, 'root' | 'file' | 'adr'>,
  o: { cwd: string; packageTemplates: string; now: Date; actor: string },
): ProjectAdrContext {
  return {
    dir: resolveAdrDir(o.cwd, settings.file ? { root: settings.root, dir: settings.adr.dir } : null),
    templateDirs: [join(o.packageTemplates, 'adr'), join(settings.root, 'templates', 'adr')],
    defaultTemplate: settings.adr.template,
    now: o.now,
    actor: o.actor,
  };
}
