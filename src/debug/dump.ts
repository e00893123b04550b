import { Diagnostic, SourceFile } from '../diagnostics.js';
import { decodeDefinition, type DecodedDefinition, type DecodedOp } from '../wire/decode.js';
import { fromGoJSON, goJSON, goJSONString, JSONError, parseJSON } from '../wire/json.js';
import { newMsg, type Msg } from '../wire/reflect.js';

/**
 * `buildctl debug dump-llb`: per op, in Definition order, Go's encoding/json of
 * struct{Op pb.Op; Digest digest.Digest; OpMetadata pb.OpMetadata}, one JSON object a line.
 * An op without metadata gets the zero OpMetadata, as Go's map lookup gives.
 */
export function dumpDefinition(def: DecodedDefinition): string {
  let out = '';
  for (const line of dumpLines(def)) out += line;
  return out;
}

/**
 * The dump as UTF-8, lines together in pieces of about 64 KB: a dump can be longer than the
 * longest string V8 makes (an ADD of 5,000 URLs, whose every op is described by the whole
 * instruction, dumps to 750 MB).
 */
export function* dumpPieces(def: DecodedDefinition): Generator<Uint8Array> {
  let text = '';
  for (const line of dumpLines(def)) {
    text += line;
    if (text.length >= 1 << 16) {
      yield Buffer.from(text, 'utf8');
      text = '';
    }
  }
  if (text !== '') yield Buffer.from(text, 'utf8');
}

function* dumpLines(def: DecodedDefinition): Generator<string> {
  for (const { digest, op } of def.ops) {
    const md = def.metadata.get(digest) ?? newMsg();
    yield `{"Op":${goJSON('Op', op)},"Digest":${goJSONString(digest)},"OpMetadata":${goJSON('OpMetadata', md)}}\n`;
  }
}

export function dumpBytes(bytes: Uint8Array): string {
  return dumpDefinition(decodeDefinition(bytes));
}

/**
 * Reads a dump back (a golden file), so it can be compared op by op. Blank lines are
 * skipped; anything else that is not a dump line is an error pointing at that line.
 */
export function parseDump(name: string, text: string): DecodedDefinition {
  const source = new SourceFile(name, text);
  const ops: DecodedOp[] = [];
  const metadata = new Map<string, Msg>();
  let offset = 0;
  for (const line of text.split('\n')) {
    const at = offset;
    offset += line.length + 1;
    if (line.trim() === '') continue;
    try {
      const json = parseJSON(line);
      if (!(json instanceof Map)) throw new JSONError('expected an object');
      for (const key of json.keys()) if (key !== 'Op' && key !== 'Digest' && key !== 'OpMetadata') throw new JSONError(`unknown key ${JSON.stringify(key)}`);
      const digest = json.get('Digest');
      if (typeof digest !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(digest)) throw new JSONError('expected "Digest":"sha256:..."');
      const op = json.get('Op');
      const md = json.get('OpMetadata');
      ops.push({ digest, op: op == null ? newMsg() : fromGoJSON('Op', op, 'Op') });
      if (md != null) metadata.set(digest, fromGoJSON('OpMetadata', md, 'OpMetadata'));
    } catch (e) {
      if (e instanceof JSONError) throw new Diagnostic(source, at, `not a dump line (buildctl debug dump-llb format): ${e.message}`, Math.max(1, line.length));
      throw e;
    }
  }
  return { ops, metadata };
}
