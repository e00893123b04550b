import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { compile, compileInPieces } from '../../src/compile.js';
import { SourceFile } from '../../src/diagnostics.js';
import { messageType } from '../../src/wire/schema.js';
import { options, params, program } from './arbitraries.js';

// Random valid programs, compiled in-process. What must hold of every Definition llbc writes.

function digestOf(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** An int64 as protobufjs decodes it (a Long, or a number), as a number. */
const num = (v: unknown): number => (typeof v === 'object' && v !== null ? (v as { toNumber(): number }).toNumber() : Number(v ?? 0));

interface DecodedOp {
  inputs?: { digest: string; index: unknown }[];
  exec?: { mounts?: { input: unknown; output: unknown; mountType?: number }[] };
  file?: { actions?: { input: unknown; secondaryInput: unknown }[] };
  source?: unknown;
}

/** Decodes a Definition with the project's schema and checks its structure; returns its op bytes. */
function checkDefinition(bytes: Uint8Array): Uint8Array[] {
  const Def = messageType('Definition');
  const Op = messageType('Op');
  const def = Def.decode(bytes) as unknown as { def: Uint8Array[]; metadata: Record<string, unknown>; Source?: { locations?: Record<string, unknown> } };
  // protobufjs, encoding what it decoded, writes the same bytes: what llbc made canonical stays so.
  assert.ok(Buffer.from(Def.encode(def).finish()).equals(Buffer.from(bytes)), 'the Definition re-encodes differently');
  const position = new Map<string, number>();
  def.def.forEach((bytes, i) => {
    const digest = digestOf(bytes);
    assert.ok(!position.has(digest), `op ${i} repeats op ${position.get(digest)}`);
    const op = Op.decode(bytes) as unknown as DecodedOp;
    assert.ok(Buffer.from(Op.encode(op).finish()).equals(Buffer.from(bytes)), `op ${i} re-encodes differently`);
    const inputs = op.inputs ?? [];
    for (const input of inputs) {
      assert.ok(position.has(input.digest), `op ${i} reads ${input.digest}, which is not an earlier op`);
      assert.ok(num(input.index) >= 0);
    }
    for (const m of op.exec?.mounts ?? []) {
      // Secret and SSH mounts read no input; Go leaves the field zero.
      if (m.mountType === 1 || m.mountType === 2) continue;
      assert.ok(num(m.input) >= -1 && num(m.input) < inputs.length, `op ${i}: mount input ${num(m.input)} out of range`);
    }
    (op.file?.actions ?? []).forEach((a, k) => {
      // An action may also read an earlier action's result, numbered after the inputs.
      assert.ok(num(a.input) >= -1 && num(a.input) < inputs.length + k, `op ${i}: action ${k} input out of range`);
      assert.ok(num(a.secondaryInput) >= -1 && num(a.secondaryInput) < inputs.length + k, `op ${i}: action ${k} secondary input out of range`);
    });
    position.set(digest, i);
  });
  if (def.def.length > 0) {
    const terminal = Op.decode(def.def[def.def.length - 1]) as unknown as DecodedOp;
    assert.equal(terminal.inputs?.length, 1, 'the last op is the terminal, with the result as its only input');
    assert.ok(!terminal.exec && !terminal.file && !terminal.source, 'the terminal op does nothing');
  }
  // Metadata is keyed by every op's digest, which is the sha256 of its bytes, and nothing else.
  assert.deepEqual(new Set(Object.keys(def.metadata)), new Set(position.keys()));
  for (const d of Object.keys(def.Source?.locations ?? {})) assert.ok(position.has(d), `a source location for ${d}, which is not an op`);
  return def.def;
}

test('random valid programs compile, deterministically, to well-formed Definitions', () => {
  fc.assert(
    fc.property(program, options, (text, opts) => {
      const a = compile(new SourceFile('build.llb', text), opts).bytes;
      const b = compile(new SourceFile('build.llb', text), opts).bytes;
      assert.ok(Buffer.from(a).equals(Buffer.from(b)), 'compiling twice gave different bytes');
      // Each piece copied before the next is asked for, which may overwrite it.
      const pieces = Buffer.concat(Array.from(compileInPieces(new SourceFile('build.llb', text), opts).pieces, (p) => Buffer.from(p)));
      assert.ok(pieces.equals(Buffer.from(a)), 'the pieces the CLI writes are not the same bytes');
      checkDefinition(a);
    }),
    params(250),
  );
});

test('debug info changes the metadata and source map, never the ops', () => {
  fc.assert(
    fc.property(program, options, (text, opts) => {
      const source = new SourceFile('build.llb', text);
      const plain = checkDefinition(compile(source, { ...opts, debugInfo: false }).bytes);
      const debug = checkDefinition(compile(source, { ...opts, debugInfo: true }).bytes);
      assert.deepEqual(debug.map((b) => digestOf(b)), plain.map((b) => digestOf(b)));
    }),
    params(100),
  );
});
