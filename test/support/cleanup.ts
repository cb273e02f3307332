// Removes every temporary folder the tests made (see tempDir in helpers.ts).
import { afterAll, afterEach, beforeEach } from 'vitest';
import { markInTest, removeTempDirs } from './helpers.js';

beforeEach(() => markInTest(true));
afterEach(() => {
  markInTest(false);
  removeTempDirs('test');
});
afterAll(() => removeTempDirs('file'));
