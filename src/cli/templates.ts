import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package's templates/ folder, found from this module whether it runs bundled (dist/) or from src/. */
export function templatesDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'templates')) && existsSync(join(dir, 'package.json'))) return join(dir, 'templates');
    dir = dirname(dir);
  }
  throw new Error('templates/ folder not found next to the mlctl package');
}

export function readTemplate(rel: string): string {
  return readFileSync(join(templatesDir(), rel), 'utf8');
}
