import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { readDockerignore } from '../../src/lower/dockerignore.js';
import { fixturesDir } from '../helpers.js';

describe('readDockerignore', () => {
  it('skips comments and blank lines and trims patterns', () => {
    assert.deepEqual(readDockerignore('# build outputs\nnode_modules\n\n  *.log  \n\t\n'), ['node_modules', '*.log']);
  });

  it('treats only a leading # as a comment, as Go does', () => {
    assert.deepEqual(readDockerignore('  # not a comment\n#comment'), ['# not a comment']);
  });

  it('cleans paths and drops one leading slash', () => {
    assert.deepEqual(readDockerignore('/dist/\n./tmp/../cache\na//b/./c\n/\n../up\n**/.git'), [
      'dist',
      'cache',
      'a/b/c',
      '/',
      '../up',
      '**/.git',
    ]);
  });

  it('keeps exceptions, trimming and cleaning what follows the !', () => {
    assert.deepEqual(readDockerignore('*.log\n! important.log \n!/a/../b/\n!'), ['*.log', '!important.log', '!b', '!']);
  });

  it('strips a byte-order mark and carriage returns', () => {
    assert.deepEqual(readDockerignore('\uFEFFfirst\r\nsecond\r\n'), ['first', 'second']);
  });

  it('keeps the order of the file', () => {
    assert.deepEqual(readDockerignore('b\na\n!b/keep\nc'), ['b', 'a', '!b/keep', 'c']);
  });

  it('reads the Dockerfile corpus\'s .dockerignore to the patterns the frontend would send', () => {
    // excludes.json is derived by hand from dockerignore.ReadAll; llbref does not read .dockerignore.
    const dir = join(fixturesDir, 'dockerfile', 'dockerignore');
    const want: unknown = JSON.parse(readFileSync(join(dir, 'excludes.json'), 'utf8'));
    assert.deepEqual(readDockerignore(readFileSync(join(dir, '.dockerignore'), 'utf8')), want);
  });

  it('gives no patterns for an empty file', () => {
    assert.deepEqual(readDockerignore(''), []);
  });
});
