// Drives src/llb as BuildKit's client/llb tests drive Go's llb: build states, marshal them to a
// Definition, and read the ops back through the decoder (not through the code that wrote them).
import { newConstraints, type Constraints } from '../../src/llb/constraints.js';
import { Definition, marshal } from '../../src/llb/definition.js';
import type { State } from '../../src/llb/state.js';
import { encodeDefinitionPieces } from '../../src/wire/definition.js';
import { decodeDefinition } from '../../src/wire/decode.js';
import { goJSON } from '../../src/wire/json.js';

/** An op as Go's encoding/json prints it (dump-llb's "Op"), with its digest and metadata. */
export interface MarshalledOp {
  readonly digest: string;
  readonly inputs: { digest: string; index: number }[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly op: any;
  readonly platform?: { Architecture: string; OS: string; Variant?: string };
  readonly caps: Record<string, boolean>;
  readonly description?: Record<string, string>;
}

export const amd64 = { os: 'linux', architecture: 'amd64' };

export function constraints(): Constraints {
  return newConstraints({ platform: amd64, localUniqueID: 'test' });
}

/** The state marshalled as llb.Definition: its bytes, and its ops in order (the terminal op last). */
export function definitionOf(state: State, c: Constraints = constraints()): { bytes: Buffer; ops: MarshalledOp[] } {
  const def = new Definition(c);
  const bytes = Buffer.concat([...encodeDefinitionPieces(marshal(state, c, def), def)]);
  const decoded = decodeDefinition(bytes);
  const ops = decoded.ops.map(({ digest, op }) => {
    const json = JSON.parse(goJSON('Op', op));
    const md = JSON.parse(goJSON('OpMetadata', decoded.metadata.get(digest) ?? {}));
    return { digest, inputs: json.inputs ?? [], op: json.Op, platform: json.platform, caps: md.caps ?? {}, description: md.description };
  });
  return { bytes, ops };
}

/** The last op before the terminal one: the op that produced the state. */
export function lastOp(state: State): MarshalledOp {
  const { ops } = definitionOf(state);
  return ops[ops.length - 2];
}
