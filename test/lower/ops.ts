import { createHash } from 'node:crypto';
import { messageType } from '../../src/wire/schema.js';
import { compileText } from '../helpers.js';
import type { CompileOptions } from '../../src/compile.js';

/** A decoded op with its digest, as plain JSON-like data (longs as numbers, enums as numbers). */
export interface DecodedOp {
  digest: string;
  op: any;
}

export function decodeDefinition(bytes: Uint8Array): { ops: DecodedOp[]; metadata: any; source: any } {
  const Def = messageType('Definition');
  const Op = messageType('Op');
  const def = Def.toObject(Def.decode(bytes), { longs: Number, bytes: Buffer, defaults: false }) as any;
  const ops = (def.def as Buffer[]).map((b) => ({
    digest: `sha256:${createHash('sha256').update(b).digest('hex')}`,
    op: Op.toObject(Op.decode(b), { longs: Number, defaults: false }),
  }));
  return { ops, metadata: def.metadata, source: def.Source };
}

/** Compiles and returns the decoded ops, the terminal op excluded. */
export function opsOf(text: string, options: CompileOptions = {}): DecodedOp[] {
  return decodeDefinition(compileText(text, options)).ops.slice(0, -1);
}

export function execs(text: string, options: CompileOptions = {}): any[] {
  return opsOf(text, options).filter((o) => o.op.exec).map((o) => o.op.exec);
}

/** The op the build's result points at. */
export function resultOp(text: string, options: CompileOptions = {}): any {
  const { ops } = decodeDefinition(compileText(text, options));
  const terminal = ops[ops.length - 1].op;
  return ops.find((o) => o.digest === terminal.inputs[0].digest)!.op;
}
