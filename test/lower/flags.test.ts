import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SourceFile } from '../../src/diagnostics.js';
import { LogicalText, splitFlags } from '../../src/syntax/args.js';
import { parse } from '../../src/syntax/parser.js';
import type { FlagSpec, InstructionInfo } from '../../src/syntax/instructions.js';
import { checkFlags } from '../../src/lower/words.js';
import { compileText } from '../helpers.js';
import { decodeDefinition, opsOf } from './ops.js';

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

test('COPY --link is taken and changes nothing; Dockerfile mode refuses flags newer than v0.11.6, naming the release that takes them', () => {
  assert.deepEqual(compileText('FROM alpine\nCOPY --link a /b\n'), compileText('FROM alpine\nCOPY a /b\n'));
  const dockerfile = { mode: 'dockerfile' as const };
  assert.throws(() => compileText('FROM alpine\nADD --checksum=sha256:00 https://example.com/a /b\n', dockerfile), /ADD --checksum needs BuildKit v0\.12/);
  assert.throws(() => compileText('FROM alpine\nADD --keep-git-dir https://example.com/a.git /b\n', dockerfile), /ADD of a git repository needs BuildKit v0\.12/);
  assert.throws(() => compileText('FROM alpine\nCOPY --exclude=*.md . /b\n', dockerfile), /COPY --exclude needs BuildKit v0\.13 \(Dockerfile frontend 1\.7\); v0\.11\.6 refuses it/);
});

const sum = `sha256:${'ab'.repeat(32)}`;

test('llbc mode: ADD --checksum puts http.checksum on the http source, with its cap', () => {
  const ops = opsOf(`FROM alpine\nADD --checksum=${sum} https://example.com/a.tgz /a/\n`);
  const src = ops.find((o) => o.op.source?.identifier === 'https://example.com/a.tgz')!;
  assert.deepEqual(src.op.source.attrs, { 'http.checksum': sum, 'http.filename': 'a.tgz' });
  const md = decodeDefinition(compileText(`FROM alpine\nADD --checksum=${sum} https://example.com/a.tgz /a/\n`)).metadata[src.digest];
  assert.deepEqual(Object.keys(md.caps).sort(), ['source.http', 'source.http.checksum']);
  // Without it, neither.
  const plain = opsOf('FROM alpine\nADD https://example.com/a.tgz /a/\n').find((o) => o.op.source?.identifier?.startsWith('https:'))!;
  assert.deepEqual(plain.op.source.attrs, { 'http.filename': 'a.tgz' });
  assert.throws(() => compileText('FROM alpine\nADD --checksum=sha256:abc https://example.com/a /b\n'), /invalid --checksum "sha256:abc"/);
  assert.throws(() => compileText(`FROM alpine\nADD --checksum=${sum} local.tgz /b\n`), /ADD --checksum applies to an http\(s\) URL, not to "local.tgz"/);
});

test('llbc mode: ADD --keep-git-dir sets git.keepgitdir, with its cap; only for a git source', () => {
  const text = 'FROM alpine\nADD --keep-git-dir https://github.com/moby/buildkit.git#v0.11.6 /src\n';
  const src = opsOf(text).find((o) => o.op.source?.identifier?.startsWith('git://'))!;
  assert.equal(src.op.source.attrs['git.keepgitdir'], 'true');
  const md = decodeDefinition(compileText(text)).metadata[src.digest];
  assert.ok(md.caps['source.git.keepgitdir']);
  const off = opsOf('FROM alpine\nADD --keep-git-dir=false https://github.com/moby/buildkit.git#v0.11.6 /src\n').find((o) => o.op.source?.identifier?.startsWith('git://'))!;
  assert.equal(off.op.source.attrs['git.keepgitdir'], undefined);
  assert.throws(() => compileText('FROM alpine\nADD --keep-git-dir https://example.com/a.tgz /b\n'), /ADD --keep-git-dir applies to a git repository, not to an http\(s\) URL/);
});

test('llbc mode: COPY --exclude is the copy action\'s exclude_patterns, expanded, on a FileOp copy (no cap, as Go\'s llb)', () => {
  const text = 'FROM alpine\nARG DOCS=docs\nCOPY --exclude=*.md --exclude=$DOCS/ . /app\n';
  const fileOp = opsOf(text).find((o) => o.op.file)!;
  assert.deepEqual(fileOp.op.file.actions[0].copy.exclude_patterns, ['*.md', 'docs/']);
  assert.deepEqual(Object.keys(decodeDefinition(compileText(text)).metadata[fileOp.digest].caps), ['file.base']);
  assert.throws(() => compileText('FROM alpine\nCOPY --exclude= . /app\n'), /--exclude/);
});
