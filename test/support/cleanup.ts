// Loaded before every test file (vitest setupFiles): no test leaves its temporary folders behind.
import { afterAll, afterEach } from 'vitest';
import { removeTempDirs } from './helpers.js';

afterEach(() => removeTempDirs('test'));
afterAll(() => removeTempDirs('file'));
