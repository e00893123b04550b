import { readFileSync } from 'node:fs';

/**
 * Encodes a plain object as the named pb message with gogo/protobuf's proto3 rules, which is
 * what Go's `llb` marshals with: fields in field-number order, scalar fields holding their zero
 * value and empty repeated fields are not written, set oneof members always are, set
 * sub-messages always are (even when empty), and map entries are written in sorted key order
 * with both key and value.
 *
 * The encoder interprets the schema (src/wire/llb.proto, which the build turns into llb.json
 * next to this module) instead of using protobufjs: protobufjs generates and compiles code for
 * every message type on first use, which cost more start-up time than a whole compile, and its
 * writer allocates an object per field, which dominated memory for 100,000-op definitions.
 */
export function encodeMessage(typeName: string, value: object, sizeHint = 0): Uint8Array {
  // A large message gets a buffer of its own, sized up front so that it is not grown by copying.
  const w = sizeHint > 1 << 16 ? new Writer(sizeHint) : scratch.reset();
  writeFields(w, message(typeName), value as Plain);
  return w.finish();
}

type Plain = Record<string, unknown>;

/**
 * How a value goes on the wire: the types llb.proto uses. (Zigzag, fixed-width and floating
 * types, and packed repeated numbers, are refused when the schema is read, not half-supported.)
 */
type Kind = 'int32' | 'int64' | 'uint32' | 'uint64' | 'bool' | 'enum' | 'string' | 'bytes' | 'message';

interface FieldCodec {
  readonly name: string;
  readonly kind: Kind;
  /** The field's key (number and wire type) as a varint, precomputed. */
  readonly tag: number;
  readonly repeated: boolean;
  readonly oneof: boolean;
  /** Message types are resolved on first use, so the schema may refer to types declared later. */
  readonly typeName?: string;
  readonly map?: { readonly key: Kind; readonly value: Kind; readonly valueType?: string };
}

interface MessageCodec {
  readonly fields: readonly FieldCodec[];
}

const wireTypes: Record<Kind, number> = { int32: 0, int64: 0, uint32: 0, uint64: 0, bool: 0, enum: 0, string: 2, bytes: 2, message: 2 };

/** The protobufjs JSON form of a schema (Root.toJSON), which is what the build writes. */
interface JsonNamespace {
  nested?: Record<string, JsonNamespace & JsonType & JsonEnum>;
}
interface JsonType {
  fields?: Record<string, { type: string; id: number; rule?: string; keyType?: string; options?: Record<string, unknown> }>;
  oneofs?: Record<string, { oneof: string[] }>;
}
interface JsonEnum {
  values?: Record<string, number>;
}

let schemaJson: JsonNamespace | undefined;
const codecs = new Map<string, MessageCodec>();

function schemaRoot(): JsonNamespace {
  schemaJson ??= JSON.parse(readFileSync(new URL('./llb.json', import.meta.url), 'utf8')) as JsonNamespace;
  return schemaJson;
}

/** A dotted name (`pb.Op`) in the schema; relative names are looked up in the `pb` package. */
function lookup(name: string): (JsonNamespace & JsonType & JsonEnum) | undefined {
  const path = name.replace(/^\./, '').split('.');
  for (const candidate of [path, ['pb', ...path]]) {
    let ns: (JsonNamespace & JsonType & JsonEnum) | undefined = schemaRoot();
    for (const part of candidate) ns = ns?.nested?.[part];
    if (ns) return ns;
  }
  return undefined;
}

function message(typeName: string): MessageCodec {
  const known = codecs.get(typeName);
  if (known) return known;
  const json = lookup(typeName);
  if (!json?.fields) throw new Error(`pb.${typeName} is not a message type in llb.proto`);
  const inOneof = new Set(Object.values(json.oneofs ?? {}).flatMap((o) => o.oneof));
  const fields = Object.entries(json.fields)
    .map(([name, f]): FieldCodec => {
      if (f.keyType !== undefined) {
        const key = kindOf(f.keyType);
        const value = kindOf(f.type);
        if (key === 'message' || key === 'bytes' || key === 'enum') throw new Error(`pb.${typeName}.${name}: invalid map key type ${f.keyType}`);
        return { name, kind: 'message', tag: tag(f.id, 2), repeated: false, oneof: false, map: { key, value, valueType: value === 'message' ? f.type : undefined } };
      }
      const kind = kindOf(f.type);
      const repeated = f.rule === 'repeated';
      if (repeated && wireTypes[kind] !== 2) throw new Error(`pb.${typeName}.${name}: repeated ${f.type} (packed) is not supported`);
      return {
        name,
        kind,
        tag: tag(f.id, wireTypes[kind]),
        repeated,
        oneof: inOneof.has(name),
        typeName: kind === 'message' ? f.type : undefined,
      };
    })
    .sort((a, b) => json.fields![a.name].id - json.fields![b.name].id);
  const codec = { fields };
  codecs.set(typeName, codec);
  return codec;
}

function kindOf(type: string): Kind {
  if (Object.hasOwn(wireTypes, type) && type !== 'enum' && type !== 'message') return type as Kind;
  const t = lookup(type);
  if (t?.values) return 'enum';
  if (t?.fields) return 'message';
  throw new Error(`protobuf type ${type} in llb.proto is unknown or not supported by the encoder`);
}

function tag(id: number, wireType: number): number {
  return ((id << 3) | wireType) >>> 0;
}

function writeFields(w: Writer, codec: MessageCodec, value: Plain): void {
  for (const f of codec.fields) {
    const v = value[f.name];
    if (v === undefined || v === null) continue;
    if (f.map) {
      writeMap(w, f, v as Map<unknown, unknown> | Plain);
    } else if (f.repeated) {
      const list = v as readonly unknown[];
      if (list.length === 0) continue;
      for (const item of list) {
        w.varint(f.tag);
        writeValue(w, f.kind, f.typeName, item);
      }
    } else if (f.kind === 'message' || f.oneof || !isZero(v)) {
      w.varint(f.tag);
      writeValue(w, f.kind, f.typeName, v);
    }
  }
}

/**
 * A map field's value whose entries are made only as the encoder reaches them, so that a
 * large map of converted values never exists all at once.
 */
export class LazyMap<V> {
  constructor(
    readonly keys: () => Iterable<string>,
    readonly get: (key: string) => V,
  ) {}
}

function writeMap(w: Writer, f: FieldCodec, v: Map<unknown, unknown> | LazyMap<unknown> | Plain): void {
  const get = v instanceof Map || v instanceof LazyMap ? (k: unknown) => v.get(k as string) : (k: unknown) => (v as Plain)[k as string];
  const keys: unknown[] = v instanceof Map || v instanceof LazyMap ? [...v.keys()] : Object.keys(v);
  if (keys.length === 0) return;
  // gogo sorts map keys; ours are ASCII (digests, cap names), where the default sort's UTF-16
  // order is byte order.
  keys.sort();
  const { key, value, valueType } = f.map!;
  for (const k of keys) {
    w.varint(f.tag);
    const start = w.begin();
    w.varint(tag(1, wireTypes[key]));
    writeScalar(w, key, key === 'bool' ? k === true || k === 'true' : k);
    w.varint(tag(2, wireTypes[value]));
    writeValue(w, value, valueType, get(k));
    w.end(start);
  }
}

function writeValue(w: Writer, kind: Kind, typeName: string | undefined, v: unknown): void {
  if (kind === 'message') {
    const start = w.begin();
    writeFields(w, message(typeName!), v as Plain);
    w.end(start);
  } else {
    writeScalar(w, kind, v);
  }
}

function writeScalar(w: Writer, kind: Kind, v: unknown): void {
  switch (kind) {
    case 'string':
      w.string(String(v));
      return;
    case 'bytes':
      w.bytes(v as Uint8Array);
      return;
    case 'bool':
      w.varint(v ? 1 : 0);
      return;
    case 'uint32':
      w.varint(Number(v) >>> 0);
      return;
    case 'int32':
    case 'enum': {
      // Negative int32s are sign-extended to ten bytes, as in Go.
      const n = Number(v) | 0;
      if (n >= 0) w.varint(n);
      else w.varint64(BigInt(n));
      return;
    }
    case 'int64':
    case 'uint64':
      if (typeof v === 'number' && v >= 0 && Number.isSafeInteger(v)) w.varint(v);
      else w.varint64(BigInt(v as number | bigint));
      return;
    case 'message':
      throw new Error('a message is not a scalar');
  }
}

function isZero(v: unknown): boolean {
  return v === 0 || v === 0n || v === false || v === '' || (v instanceof Uint8Array && v.length === 0);
}

/**
 * A growable buffer. A sub-message's length is written before its contents, so one byte is
 * reserved for it and the contents are moved up in the rare case the length needs more: every
 * byte moves at most once per enclosing message, which keeps encoding linear.
 */
class Writer {
  private buf: Buffer;
  private pos = 0;

  constructor(private readonly initialSize: number) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  reset(): this {
    this.pos = 0;
    return this;
  }

  /**
   * The bytes written. A small result is copied out, so the buffer can be reused; a large one
   * is handed over whole, and a reused writer starts again with a small buffer.
   */
  finish(): Buffer {
    if (this.pos > 1 << 20) {
      const out = this.buf.subarray(0, this.pos);
      if (this === scratch) this.buf = Buffer.allocUnsafe(this.initialSize);
      return out;
    }
    const out = Buffer.allocUnsafe(this.pos);
    this.buf.copy(out, 0, 0, this.pos);
    return out;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }

  /** A non-negative integer below 2^53. */
  varint(v: number): void {
    this.ensure(10);
    const buf = this.buf;
    while (v > 0x7f) {
      buf[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    buf[this.pos++] = v;
  }

  /** Any 64-bit value; negative ones as their two's complement, ten bytes long. */
  varint64(v: bigint): void {
    if (v >= 0n && v <= 0x7fffffffn) {
      this.varint(Number(v));
      return;
    }
    let u = BigInt.asUintN(64, v);
    this.ensure(10);
    while (u > 0x7fn) {
      this.buf[this.pos++] = Number(u & 0x7fn) | 0x80;
      u >>= 7n;
    }
    this.buf[this.pos++] = Number(u);
  }

  bytes(b: Uint8Array): void {
    this.varint(b.length);
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** UTF-8, unpaired surrogates becoming U+FFFD as in Go. */
  string(s: string): void {
    const n = s.length;
    // Most strings are short and ASCII: copy them without measuring twice.
    if (n < 128) {
      this.ensure(n + 1);
      const buf = this.buf;
      const at = this.pos;
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        buf[at + 1 + i] = c;
      }
      if (i === n) {
        buf[at] = n;
        this.pos = at + 1 + n;
        return;
      }
    }
    const len = Buffer.byteLength(s, 'utf8');
    this.varint(len);
    this.ensure(len);
    this.pos += this.buf.write(s, this.pos, len, 'utf8');
  }

  /** Starts a length-delimited value; returns what end() needs. */
  begin(): number {
    this.ensure(1);
    return this.pos++;
  }

  end(start: number): void {
    const len = this.pos - start - 1;
    if (len < 0x80) {
      this.buf[start] = len;
      return;
    }
    let size = 1;
    for (let v = len; v > 0x7f; v = Math.floor(v / 0x80)) size++;
    this.ensure(size - 1);
    this.buf.copy(this.buf, start + size, start + 1, this.pos);
    this.pos += size - 1;
    const end = this.pos;
    this.pos = start;
    this.varint(len);
    this.pos = end;
  }
}

const scratch = new Writer(4096);
