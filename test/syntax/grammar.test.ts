import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { railroadDiagrams } from '../../src/syntax/diagrams.js';
import { instructionNames } from '../../src/syntax/instructions.js';
import { ebnfWithKeywords } from '../../src/syntax/reference.js';
import { repoRoot } from '../helpers.js';

test('grammar/railroad.html is generated from the current parser (run `npm run grammar`)', () => {
  const committed = readFileSync(join(repoRoot, 'grammar', 'railroad.html'), 'utf8');
  assert.equal(committed, railroadDiagrams());
});

test('the EBNF reference names every instruction the parser knows', () => {
  const ebnf = readFileSync(join(repoRoot, 'grammar', 'llbc.ebnf'), 'utf8');
  for (const name of instructionNames) assert.match(ebnf, new RegExp(`"${name}"`));
});

test('the EBNF keyword line is generated from the instruction table (run `npm run grammar`)', () => {
  const ebnf = readFileSync(join(repoRoot, 'grammar', 'llbc.ebnf'), 'utf8');
  assert.equal(ebnf, ebnfWithKeywords(ebnf));
  assert.notEqual(ebnfWithKeywords(ebnf.replace('"MAINTAINER" ;', '"MAINTAINER" | "OTHER" ;')), ebnf.replace('"MAINTAINER" ;', '"MAINTAINER" | "OTHER" ;'));
});
