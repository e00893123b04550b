import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SourceFile } from '../../src/diagnostics.js';
import { LogicalText, splitFlags } from '../../src/syntax/args.js';
import { parse } from '../../src/syntax/parser.js';
import type { FlagSpec, InstructionInfo } from '../../src/syntax/instructions.js';
import { checkFlags } from '../../src/lower/words.js';
import { compileText } from '../helpers.js';

// A row of every flag kind, as instructions to come declare them (COPY --link, HEALTHCHECK --interval).
const flags: FlagSpec[] = [
  { name: 'link', kind: 'boolean', doc: 'a boolean' },
  { name: 'at', kind: 'value', doc: 'a value' },
  { name: 'many', kind: 'repeatable', doc: 'repeatable' },
];
const spec: InstructionInfo = {
  name: 'RUN',
  doc: 'a test row',
  usage: 'RUN',
  flags,
  json: 'none',
  layout: 'whole',
  step: false,
  flagsByName: new Map(flags.map((f) => [f.name, f])),
  flagNames: flags.map((f) => f.name),
  stageRefFlags: [],
};

function check(args: string): Map<string, string[]> {
  const source = new SourceFile('x.llb', `RUN ${args}\n`);
  const instr = parse(source).items[0];
  assert.ok(instr.kind === 'instruction');
  const byName = checkFlags(spec, splitFlags(LogicalText.of(source, instr).slice(0)).flags);
  return new Map([...byName].map(([k, v]) => [k, v.map((f) => f.value?.text ?? '')]));
}

test('flags of each kind are taken as their kind allows', () => {
  assert.deepEqual(check('--link --at=x --many=1 --many=2 rest'), new Map([['link', ['']], ['at', ['x']], ['many', ['1', '2']]]));
  assert.deepEqual(check('--link=false x'), new Map([['link', ['false']]]));
});

test('flags used against their kind are errors that say why', () => {
  assert.throws(() => check('--link=maybe x'), /flag --link takes true or false/);
  assert.throws(() => check('--link --link x'), /flag --link given more than once/);
  assert.throws(() => check('--at x'), /flag --at needs a value: --at=\.\.\./);
  assert.throws(() => check('--at=1 --at=2 x'), /flag --at given more than once/);
  assert.throws(() => check('--many x'), /flag --many needs a value/);
  assert.throws(() => check('--nope=1 x'), /unknown flag --nope for RUN \(it takes --link, --at, --many\)/);
});

test('COPY --link is taken and changes nothing; flags newer than v0.11.6 name the release that takes them', () => {
  assert.deepEqual(compileText('FROM alpine\nCOPY --link a /b\n'), compileText('FROM alpine\nCOPY a /b\n'));
  assert.throws(() => compileText('FROM alpine\nADD --checksum=sha256:00 https://example.com/a /b\n'), /ADD --checksum needs BuildKit v0\.12/);
  assert.throws(() => compileText('FROM alpine\nADD --keep-git-dir https://example.com/a.git /b\n'), /ADD --keep-git-dir needs BuildKit v0\.12/);
  assert.throws(() => compileText('FROM alpine\nCOPY --exclude=*.md . /b\n'), /COPY --exclude needs BuildKit v0\.13/);
});
