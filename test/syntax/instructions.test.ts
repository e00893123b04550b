import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SourceFile } from '../../src/diagnostics.js';
import { parse } from '../../src/syntax/parser.js';
import { format } from '../../src/syntax/format.js';
import { findInstruction, instruction, instructionNames, instructions } from '../../src/syntax/instructions.js';
import { compileText } from '../helpers.js';

test('every row has an upper-case name of its own, a doc line, a usage and flags of their own', () => {
  assert.equal(new Set(instructionNames).size, instructionNames.length);
  for (const row of instructions) {
    assert.match(row.name, /^[A-Z]+$/);
    assert.ok(row.doc.length > 0 && !row.doc.includes('\n'), row.name);
    assert.ok(row.usage.startsWith(row.name), row.name);
    const flags = row.flags.map((f) => f.name);
    assert.equal(new Set(flags).size, flags.length, row.name);
    for (const f of row.flags) {
      assert.ok(f.doc.length > 0 && !f.doc.includes('\n'), `${row.name} --${f.name}`);
      // A stage reference is one value: a stage's name, or an image.
      if ('stageRef' in f) assert.equal(f.kind, 'value');
    }
  }
});

test('every Dockerfile instruction is a row', () => {
  for (const name of ['FROM', 'RUN', 'CMD', 'LABEL', 'MAINTAINER', 'EXPOSE', 'ENV', 'ADD', 'COPY', 'ENTRYPOINT', 'VOLUME', 'USER', 'WORKDIR', 'ARG', 'ONBUILD', 'STOPSIGNAL', 'HEALTHCHECK', 'SHELL']) {
    assert.ok(findInstruction(name), name);
  }
});

test('the lexer takes every row as a keyword, in any case, and nothing else', () => {
  for (const name of instructionNames) {
    for (const spelled of [name, name.toLowerCase()]) {
      const file = parse(new SourceFile('x.llb', `FROM scratch\n${spelled} x\n`));
      const last = file.items[file.items.length - 1];
      assert.ok(last.kind === 'instruction' && last.name === name, spelled);
    }
  }
  assert.throws(() => parse(new SourceFile('x.llb', 'RUNX a\n')), new RegExp(`expected one of ${instructionNames.join(', ')}`));
});

test('an unknown flag is reported with the flags the row declares, in their canonical order', () => {
  for (const name of ['FROM', 'RUN', 'COPY', 'ADD', 'ENV'] as const) {
    const line = name === 'FROM' ? 'FROM --bogus=1 scratch\n' : `FROM scratch\n${name} --bogus=1 a b\n`;
    const names = instruction(name).flags.map((f) => `--${f.name}`);
    const expected = `unknown flag --bogus for ${name}${names.length ? ` (it takes ${names.join(', ')})` : ''}`;
    assert.throws(() => compileText(line), (e: Error) => e.message === expected, name);
  }
});

test('the formatter sorts every instruction\'s flags into the row\'s order', () => {
  const values: Record<string, string> = { platform: 'linux/amd64', mount: 'type=tmpfs,target=/t', network: 'none', security: 'sandbox', from: 'a', chown: '1', chmod: '0644', link: 'true', exclude: '*.md', checksum: 'sha256:0', 'keep-git-dir': 'true', interval: '5s', timeout: '3s', 'start-period': '1s', retries: '2' };
  for (const row of instructions) {
    if (row.flags.length < 2) continue;
    const written = [...row.flags].reverse().map((f) => `--${f.name}=${values[f.name]}`);
    const formatted = format(parse(new SourceFile('x.llb', `FROM scratch AS a\n${row.name} ${written.join(' ')} x y\n`)));
    const expected = row.flags.map((f) => `--${f.name}=${values[f.name]}`);
    assert.ok(formatted.includes(`${row.name} ${expected.join(' ')} x y\n`), formatted);
  }
});

test('the JSON form is reprinted only where the row allows it', () => {
  for (const row of instructions) {
    if (row.name === 'FROM') continue;
    const formatted = format(parse(new SourceFile('x.llb', `FROM scratch\n${row.name} [ "a",  "b" ]\n`)));
    const reprinted = formatted.includes(`${row.name} ["a", "b"]\n`);
    assert.equal(reprinted, row.json !== 'none', row.name);
  }
});
