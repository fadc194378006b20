import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../helpers/paths.js';

test('repoRoot finds the folder holding package.json', () => {
  assert.ok(existsSync(join(repoRoot(), 'package.json')));
});
