import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { messageInfo, newMsg, type FieldInfo, type MessageInfo, type Msg, type Value } from './reflect.js';

/** Bytes that are not the message they were said to be. */
export class DecodeError extends Error {}

/**
 * Decodes `bytes` as the named pb message the way gogo's generated Unmarshal does: unknown
 * fields are skipped, the last member of a oneof wins, a repeated sub-message is merged, and
 * strings are taken as they are, invalid UTF-8 included (see goString).
 */
export function decodeMessage(typeName: string, bytes: Uint8Array): Msg {
  const out = newMsg();
  new Reader(bytes).message(messageInfo(typeName), bytes.length, out);
  return out;
}

export interface DecodedOp {
  readonly digest: string;
  readonly op: Msg;
}

/** A pb.Definition with its ops decoded, in Definition order, each with the digest BuildKit gives it. */
export interface DecodedDefinition {
  readonly ops: readonly DecodedOp[];
  /** OpMetadata by op digest. */
  readonly metadata: ReadonlyMap<string, Msg>;
  readonly source?: Msg;
}

export function decodeDefinition(bytes: Uint8Array): DecodedDefinition {
  const def = decodeMessage('Definition', bytes);
  const raw = (def.def as Uint8Array[] | undefined) ?? [];
  const ops = raw.map((b, i) => {
    try {
      return { digest: `sha256:${createHash('sha256').update(b).digest('hex')}`, op: decodeMessage('Op', b) };
    } catch (e) {
      if (e instanceof DecodeError) throw new DecodeError(`op ${i + 1}: ${e.message}`);
      throw e;
    }
  });
  const metadata = (def.metadata as Map<string, Value> | undefined) ?? new Map<string, Value>();
  return { ops, metadata: metadata as Map<string, Msg>, source: def.Source as Msg | undefined };
}

const varintTypes = new Set(['int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64', 'bool']);
const fixed64Types = new Set(['fixed64', 'sfixed64', 'double']);
const fixed32Types = new Set(['fixed32', 'sfixed32', 'float']);

function wireTypeOf(f: FieldInfo): number {
  if (f.mapKey !== undefined || f.kind === 'message' || f.type === 'string' || f.type === 'bytes') return 2;
  if (f.kind === 'enum' || varintTypes.has(f.type)) return 0;
  if (fixed64Types.has(f.type)) return 1;
  if (fixed32Types.has(f.type)) return 5;
  throw new Error(`unsupported field type ${f.type}`);
}

/** The synthetic key and value fields of a map field's entries. */
const entryFields = new WeakMap<FieldInfo, [FieldInfo, FieldInfo]>();

function mapEntryFields(f: FieldInfo): [FieldInfo, FieldInfo] {
  let hit = entryFields.get(f);
  if (!hit) {
    const key: FieldInfo = { name: 'key', number: 1, type: f.mapKey!, kind: 'scalar', repeated: false, omitEmpty: true };
    const value: FieldInfo = { ...f, name: 'value', number: 2, repeated: false, mapKey: undefined, oneof: undefined };
    entryFields.set(f, (hit = [key, value]));
  }
  return hit;
}

class Reader {
  private pos = 0;
  private readonly buf: Buffer;
  private viewCache?: DataView;

  constructor(bytes: Uint8Array) {
    this.buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private get view(): DataView {
    this.viewCache ??= new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    return this.viewCache;
  }

  message(info: MessageInfo, end: number, out: Msg): void {
    while (this.pos < end) {
      const tag = this.varint(end);
      const num = tag >>> 3;
      const wire = tag & 7;
      if (this.hi !== 0 || num === 0) throw new DecodeError(`${info.name}: illegal field number`);
      const f = info.byNumber.get(num);
      if (!f) {
        this.skip(wire, num, end);
        continue;
      }
      const expected = wireTypeOf(f);
      const packed = f.repeated && expected !== 2 && wire === 2;
      if (wire !== expected && !packed) throw new DecodeError(`${info.name}.${f.name}: wrong wire type ${wire}`);
      if (f.mapKey !== undefined) {
        const [k, v] = this.mapEntry(f, end);
        let map = out[f.name] as Map<string, Value> | undefined;
        if (!map) out[f.name] = map = new Map();
        map.set(k, v);
      } else if (packed) {
        const stop = this.lengthEnd(end);
        const list = (out[f.name] as Value[] | undefined) ?? [];
        while (this.pos < stop) list.push(this.scalar(f, stop));
        out[f.name] = list;
      } else if (f.repeated) {
        const list = (out[f.name] as Value[] | undefined) ?? [];
        list.push(this.value(f, end, undefined));
        out[f.name] = list;
      } else {
        // A oneof member is replaced, any other sub-message merged, as gogo's Unmarshal does.
        if (f.oneof) for (const other of info.oneofs.get(f.oneof)!) delete out[other.name];
        out[f.name] = this.value(f, end, out[f.name]);
      }
    }
    if (this.pos > end) throw new DecodeError(`${info.name}: unexpected end of data`);
  }

  private value(f: FieldInfo, end: number, existing: Value | undefined): Value {
    if (f.kind !== 'message') return this.scalar(f, end);
    const stop = this.lengthEnd(end);
    const msg = existing && typeof existing === 'object' && !(existing instanceof Uint8Array) ? (existing as Msg) : newMsg();
    this.message(messageInfo(f.type), stop, msg);
    return msg;
  }

  private mapEntry(f: FieldInfo, end: number): [string, Value] {
    const stop = this.lengthEnd(end);
    const [keyField, valueField] = mapEntryFields(f);
    let key: Value = zeroOf(keyField);
    let value: Value | undefined;
    while (this.pos < stop) {
      const tag = this.varint(stop);
      const num = tag >>> 3;
      const wire = tag & 7;
      const entryField = num === 1 ? keyField : num === 2 ? valueField : undefined;
      if (!entryField) {
        this.skip(wire, num, stop);
        continue;
      }
      if (wire !== wireTypeOf(entryField)) throw new DecodeError(`${f.name} map entry: wrong wire type ${wire}`);
      if (num === 1) key = this.scalar(keyField, stop);
      else value = this.value(valueField, stop, value);
    }
    if (this.pos !== stop) throw new DecodeError(`${f.name} map entry: unexpected end of data`);
    return [String(key), value ?? (f.kind === 'message' ? newMsg() : zeroOf(valueField))];
  }

  private scalar(f: FieldInfo, end: number): Value {
    switch (f.type) {
      case 'string': {
        const stop = this.lengthEnd(end);
        const s = goString(this.buf, this.pos, stop);
        this.pos = stop;
        return s;
      }
      case 'bytes': {
        const stop = this.lengthEnd(end);
        const b = this.buf.slice(this.pos, stop);
        this.pos = stop;
        return b;
      }
      case 'double':
      case 'float':
      case 'fixed32':
      case 'sfixed32':
      case 'fixed64':
      case 'sfixed64':
        return this.fixed(f.type, end);
    }
    const lo = this.varint(end);
    const hi = this.hi;
    if (f.kind === 'enum') return lo | 0;
    switch (f.type) {
      case 'bool':
        return lo !== 0 || hi !== 0;
      case 'int32':
        return lo | 0;
      case 'uint32':
        return lo >>> 0;
      case 'sint32':
        return (lo >>> 1) ^ -(lo & 1);
      case 'int64':
        return int64(lo, hi, true);
      case 'uint64':
        return int64(lo, hi, false);
      case 'sint64': {
        const v = (BigInt(hi) << 32n) | BigInt(lo);
        return normalize((v >> 1n) ^ -(v & 1n));
      }
    }
    throw new Error(`unsupported scalar type ${f.type}`);
  }

  private fixed(type: string, end: number): Value {
    const size = type === 'double' || type.endsWith('64') ? 8 : 4;
    if (this.pos + size > end) throw new DecodeError('unexpected end of data');
    const at = this.pos;
    this.pos += size;
    switch (type) {
      case 'double':
        return this.view.getFloat64(at, true);
      case 'float':
        return this.view.getFloat32(at, true);
      case 'fixed32':
        return this.view.getUint32(at, true);
      case 'sfixed32':
        return this.view.getInt32(at, true);
      case 'fixed64':
        return normalize(this.view.getBigUint64(at, true));
      default:
        return normalize(this.view.getBigInt64(at, true));
    }
  }

  /** The high 32 bits of the last varint read. */
  private hi = 0;

  /** The low 32 bits of a varint of up to 10 bytes (the high ones in `hi`); bits past 64 are dropped, as Go does. */
  private varint(end: number): number {
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= end) throw new DecodeError('unexpected end of data');
      const b = this.buf[this.pos++];
      if (i < 4) lo |= (b & 0x7f) << (i * 7);
      else if (i === 4) {
        lo |= (b & 0x7f) << 28;
        hi |= (b & 0x7f) >> 4;
      } else hi |= (b & 0x7f) << (i * 7 - 32);
      if (b < 0x80) {
        this.hi = hi >>> 0;
        return lo >>> 0;
      }
    }
    throw new DecodeError('varint longer than 10 bytes');
  }

  private lengthEnd(end: number): number {
    const len = this.varint(end);
    if (this.hi !== 0 || len > end - this.pos) throw new DecodeError('length runs past the end of the data');
    return this.pos + len;
  }

  private skip(wire: number, num: number, end: number): void {
    switch (wire) {
      case 0:
        this.varint(end);
        return;
      case 1:
      case 5:
        if (this.pos + (wire === 1 ? 8 : 4) > end) throw new DecodeError('unexpected end of data');
        this.pos += wire === 1 ? 8 : 4;
        return;
      case 2:
        this.pos = this.lengthEnd(end);
        return;
      case 3:
        // A group: skip fields until its matching end-group tag.
        for (;;) {
          const tag = this.varint(end);
          if ((tag & 7) === 4) {
            if (tag >>> 3 !== num) throw new DecodeError('mismatched end of group');
            return;
          }
          this.skip(tag & 7, tag >>> 3, end);
        }
      default:
        throw new DecodeError(`illegal wire type ${wire}`);
    }
  }
}

function zeroOf(f: FieldInfo): Value {
  if (f.kind === 'enum') return 0;
  switch (f.type) {
    case 'string':
      return '';
    case 'bytes':
      return new Uint8Array(0);
    case 'bool':
      return false;
    default:
      return 0;
  }
}

function int64(lo: number, hi: number, signed: boolean): number | bigint {
  if (hi < 0x200000) return hi * 2 ** 32 + lo;
  if (signed && hi === 0xffffffff && lo !== 0) return -(2 ** 32 - lo);
  const v = (BigInt(hi) << 32n) | BigInt(lo);
  return normalize(signed ? BigInt.asIntN(64, v) : v);
}

/** 64-bit values as numbers when exact, so equal values always compare equal with ===. */
function normalize(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/**
 * Go keeps proto strings as raw bytes, and encoding/json writes each byte of an invalid
 * UTF-8 sequence as \ufffd, while a real U+FFFD stays as it is. To keep the two apart, an
 * invalid byte b decodes to the lone surrogate U+DC00+b, which valid UTF-8 never yields.
 */
export function goString(buf: Buffer, start: number, end: number): string {
  let ascii = true;
  for (let i = start; i < end && ascii; i++) ascii = buf[i] < 0x80;
  if (ascii) return buf.toString('latin1', start, end);
  const bytes = buf.subarray(start, end);
  if (isUtf8(bytes)) return buf.toString('utf8', start, end);
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const n = validRuneLength(bytes, i);
    if (n === 0) {
      out += String.fromCharCode(0xdc00 + bytes[i]);
      i++;
    } else {
      out += Buffer.from(bytes.subarray(i, i + n)).toString('utf8');
      i += n;
    }
  }
  return out;
}

/** The length of the valid UTF-8 sequence at i, or 0: Go's utf8.DecodeRune acceptance ranges. */
function validRuneLength(b: Uint8Array, i: number): number {
  const c = b[i];
  if (c < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf) => i + k < b.length && b[i + k] >= lo && b[i + k] <= hi;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c >= 0xe0 && c <= 0xef) {
    const lo = c === 0xe0 ? 0xa0 : 0x80;
    const hi = c === 0xed ? 0x9f : 0xbf;
    return cont(1, lo, hi) && cont(2) ? 3 : 0;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    const lo = c === 0xf0 ? 0x90 : 0x80;
    const hi = c === 0xf4 ? 0x8f : 0xbf;
    return cont(1, lo, hi) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}
