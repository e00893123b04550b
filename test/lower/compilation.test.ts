import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { compileText, repoRoot } from '../helpers.js';
import { opsOf } from './ops.js';

const execFileAsync = promisify(execFile);

// A compilation makes one image spec per image and platform, which its stages' source ops share
// with their encoding and digest (Compilation.image): none of it may reach another compilation.

const alpine = 'FROM alpine AS a\nRUN true\nFROM alpine\nCOPY --from=a /x /y\n';
const busybox = 'FROM --platform=linux/arm64 busybox AS a\nRUN true\nFROM busybox\nCOPY --from=a /x /y\n';

test('compilations of different images in one process each compile as they do alone', () => {
  const debug = { debugInfo: true };
  const a = compileText(alpine, debug);
  const b = compileText(busybox, debug);
  assert.deepEqual(compileText(alpine, debug), a, 'alpine after busybox');
  assert.deepEqual(compileText(busybox, debug), b, 'busybox after alpine');
  const images = (text: string) => new Set(opsOf(text).flatMap((o) => (o.op.source ? [`${o.op.source.identifier} ${o.op.platform?.Architecture}`] : [])));
  // COPY runs `cp` in alpine (the default --copy-image).
  assert.deepEqual(images(alpine), new Set(['docker-image://docker.io/library/alpine:latest amd64']));
  assert.deepEqual(images(busybox), new Set(['docker-image://docker.io/library/busybox:latest amd64', 'docker-image://docker.io/library/busybox:latest arm64', 'docker-image://docker.io/library/alpine:latest amd64']));
});

/**
 * Compiles two files, one after the other, in a node that can collect garbage on demand, keeping
 * weak references to each compilation's image specs and marshal constraints (which hold its digest
 * table): whether each was collected once both compilations were done.
 */
const collectScript = `
const dist = ${JSON.stringify(pathToFileURL(join(repoRoot, 'dist', 'src')).href)};
const { parse } = await import(dist + '/syntax/parser.js');
const { lower } = await import(dist + '/lower/lower.js');
const { newConstraints } = await import(dist + '/llb/constraints.js');
const { Definition, marshal } = await import(dist + '/llb/definition.js');
const { encodeDefinitionPieces } = await import(dist + '/wire/definition.js');
const { SourceFile } = await import(dist + '/diagnostics.js');
const platform = { os: 'linux', architecture: 'amd64' };
function compileOnce(text) {
  const options = { buildArgs: new Map(), platform, copyImage: 'docker.io/library/busybox:latest', debugInfo: true };
  const { state } = lower(parse(new SourceFile('build.llb', text)), options);
  const specs = [];
  for (let todo = [state.output.vertex]; todo.length > 0; ) {
    const v = todo.pop();
    if (v.constructor.name === 'SourceOp') specs.push(v.spec);
    todo.push(...v.inputs().map((o) => o.vertex));
  }
  const c = newConstraints({ platform, localUniqueID: 'llbc' });
  const def = new Definition(c);
  let bytes = 0;
  for (const piece of encodeDefinitionPieces(marshal(state, c, def), def)) bytes += piece.length;
  return { bytes, refs: [c, ...specs].map((o) => new WeakRef(o)) };
}
const first = compileOnce(${JSON.stringify(alpine)});
const second = compileOnce(${JSON.stringify(busybox)});
// A WeakRef holds its target until the job that made it is over.
await new Promise((resolve) => setTimeout(resolve, 0));
globalThis.gc();
const alive = (refs) => refs.map((r) => r.deref() !== undefined);
console.log(JSON.stringify({ bytes: [first.bytes, second.bytes], first: alive(first.refs), second: alive(second.refs) }));
`;

test('a compilation\'s image specs and digest table are collected once it is done', async () => {
  const r = await execFileAsync(process.execPath, ['--expose-gc', '--input-type=module', '-e', collectScript], { encoding: 'utf8' });
  const { bytes, first, second } = JSON.parse(r.stdout) as { bytes: number[]; first: boolean[]; second: boolean[] };
  assert.ok(bytes[0] > 0 && bytes[1] > 0);
  // The constraints, then a spec per source op (the image's stages share theirs).
  assert.ok(first.length >= 2 && second.length >= 3, `weak references: ${first.length}, ${second.length}`);
  assert.deepEqual(first, first.map(() => false), 'the first compilation\'s constraints and specs are collected');
  assert.deepEqual(second, second.map(() => false), 'the last compilation\'s constraints and specs are collected');
});
