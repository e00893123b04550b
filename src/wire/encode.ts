import protobuf from 'protobufjs/minimal.js';
import { compareGoStrings } from '../gostring.js';
import { makeMessages, type Messages } from './messages.generated.js';

/** The name of a message type of llb.proto, without the package: `Op`, `ExecOp`, ... */
export type MessageName = keyof Messages;

/**
 * Encodes a value of the named pb message type, byte for byte as Go's `llb` marshals it with
 * gogo/protobuf. protobufjs writes the fields; the value is first made canonical (see MessageType).
 * Maps may be given as objects, Maps or lists of { key, value }, 64-bit integers as numbers or bigints.
 */
export function encodeMessage<N extends MessageName>(typeName: N, value: Messages[N]): Uint8Array {
  const type = messageType(typeName);
  const message = type.canonical(value as Plain);
  const w = scratch ?? protobuf.Writer.create();
  scratch = undefined;
  type.encode(message, w);
  // A large result is handed over in the writer's buffer instead of being copied out (what
  // the buffer has room for beyond it was never written to, so it takes no memory).
  if (w.pos > 1 << 20) return w.finish(true);
  // A small one is copied out, and the writer kept for the next message (unless encoding
  // failed). A new writer's buffer, and each one it grows into, would come from the pool Node
  // allocates small buffers from, as the results do, and each op would keep alive the slab it
  // shares with the garbage made encoding it.
  const bytes = w.finish();
  scratch = w.reset();
  return bytes;
}

let scratch: protobuf.Writer | undefined;

/**
 * encodeMessage(), for a message whose type is known only when it runs: one decoded from the
 * wire (its fields named as llb.proto names them), written again.
 */
export const encodeAny = encodeMessage as (typeName: string, value: object) => Uint8Array;

/**
 * Encodes each value, one after another, in blocks of about blockSize bytes. A message's
 * encoding is its fields' encodings in field order, so when each value holds some of the
 * type's fields, and later values later fields (or more entries of the same repeated field),
 * the blocks put together are the encoding of the whole message: a large one can be written
 * out without ever being in memory all at once.
 */
export function encodeInBlocks<N extends MessageName>(typeName: N, values: Iterable<Messages[N]>, blockSize = 1 << 16): Generator<Uint8Array> {
  const type = messageType(typeName);
  return inBlocks(values, (value, w) => type.encode(type.canonical(value as Plain), w), blockSize);
}

/**
 * A repeated bytes field of the type, a value at a time, in blocks as encodeInBlocks makes them:
 * what encodeInBlocks would write for { [fieldName]: [value] } each, without making (and
 * canonicalizing) an object for each of a Definition's ops.
 */
export function encodeBytesInBlocks<N extends MessageName>(typeName: N, fieldName: keyof Messages[N] & string, values: Iterable<Uint8Array>, blockSize = 1 << 16): Generator<Uint8Array> {
  const field = messageType(typeName).fields[fieldName];
  if (field?.type !== 'bytes' || !field.repeated) throw new Error(`${typeName}.${fieldName} is not a repeated bytes field`);
  const key = (field.id << 3) | 2;
  return inBlocks(values, (value, w) => w.uint32(key).bytes(value), blockSize);
}

/** Each value written by `write` into one writer, handed out whenever it holds blockSize bytes. */
function* inBlocks<T>(values: Iterable<T>, write: (value: T, w: protobuf.Writer) => unknown, blockSize: number): Generator<Uint8Array> {
  const w = protobuf.Writer.create();
  for (const value of values) {
    write(value, w);
    if (w.pos >= blockSize) {
      yield w.finish();
      w.reset();
    }
  }
  if (w.pos > 0) yield w.finish();
}

/**
 * The key and length that come before the contents of a length-delimited field (a message) of
 * the type, written by protobufjs, for a message whose fields are encoded in blocks. protobufjs
 * frames a message only around contents in its own buffer: given the blocks as encoded fields
 * ($unknowns) it copies them in, the Source of a large Definition a second time.
 */
export function fieldHeader<N extends MessageName>(typeName: N, fieldName: keyof Messages[N] & string, length: number): Uint8Array {
  const field = messageType(typeName).fields[fieldName];
  return protobuf.Writer.create().uint32((field.id << 3) | 2).uint32(length).finish();
}

type Plain = Record<string, unknown>;
type Convert = (v: unknown) => unknown;

/** A message type as scripts/messages.mjs generates it from llb.proto. */
interface MessageType {
  readonly name: string;
  readonly fields: Readonly<Record<string, { readonly id: number; readonly type: string; readonly repeated: boolean }>>;
  encode(message: Plain, w: protobuf.Writer): protobuf.Writer;
  /**
   * The value as protobufjs needs it to write what gogo does. protobufjs already follows proto3
   * as gogo does (scalars holding their zero value and empty repeated fields are left out, set
   * oneof members and set sub-messages are written even when zero or empty), but:
   * - maps are written as their entries (see withMapsAsEntries in scripts/messages.mjs), which
   *   gogo writes in key order: a map, given as a Map, an object or a list of { key, value },
   *   becomes its entries in that order;
   * - protobufjs writes an unpaired surrogate in a short string as three bytes, where any UTF-8
   *   encoder, and so any Go string that came from one, has U+FFFD;
   * - protobufjs takes 64-bit integers as numbers or as Long-like { low, high }, not bigints.
   */
  canonical(value: Plain): Plain;
}

// The encoders and canonical() of every message type, generated when llbc is built: a run
// neither builds protobufjs's reflection of the schema nor compiles generated code, as they are
// in the bundle and its V8 code cache.
const messages = makeMessages(protobuf.Writer, protobuf.util, { list, scalar, mapEntries, identity: (v: unknown) => v }) as Record<string, MessageType>;

function messageType(name: string): MessageType {
  const type = messages[name];
  if (!type) throw new Error(`no message type pb.${name}`);
  return type;
}

function list(items: unknown[], element: Convert): unknown[] {
  let out: unknown[] | undefined;
  for (let i = 0; i < items.length; i++) {
    const c = element(items[i]);
    if (c !== items[i]) (out ??= [...items])[i] = c;
  }
  return out ?? items;
}

function scalar(v: unknown): unknown {
  if (typeof v === 'string') return v.isWellFormed() ? v : v.toWellFormed();
  if (typeof v === 'bigint') return { low: Number(BigInt.asIntN(32, v)), high: Number(BigInt.asIntN(32, v >> 32n)) };
  return v;
}

/** A map: a Map, an object, or its entries as { key, value }. */
type MapValue = Map<string, unknown> | Plain | readonly Entry[];
interface Entry {
  readonly key: unknown;
  readonly value: unknown;
}

/**
 * Entries of a frozen map of scalars, which are made once: ops of a kind share one frozen set
 * of caps, and a large Definition has hundreds of thousands of ops.
 */
const frozenEntries = new WeakMap<object, readonly Entry[]>();

/** A map's entries, keys in Go's order (their UTF-8 bytes'), keys and values made canonical. */
function mapEntries(map: MapValue, key: Convert, value: Convert, scalarValues: boolean): readonly Entry[] {
  const cacheable = scalarValues && Object.isFrozen(map);
  let entries = cacheable ? frozenEntries.get(map) : undefined;
  if (entries) return entries;
  let out: Entry[];
  if (Array.isArray(map)) out = givenEntries(map as readonly Entry[], key, value);
  else if (map instanceof Map) out = [...map].map(([k, v]) => ({ key: key(k), value: value(v) }));
  else out = Object.keys(map).map((k) => ({ key: key(k), value: value((map as Plain)[k]) }));
  entries = inGoOrder(out) ? out : lastOfEachKey([...out].sort((a, b) => compareGoStrings(a.key as string, b.key as string)));
  if (cacheable) frozenEntries.set(map, entries);
  return entries;
}

/** Entries as given, an entry copied only if its key or value changes. */
function givenEntries(given: readonly Entry[], key: Convert, value: Convert): Entry[] {
  let out: Entry[] | undefined;
  for (let i = 0; i < given.length; i++) {
    const k = key(given[i].key);
    const v = value(given[i].value);
    if (k !== given[i].key || v !== given[i].value) (out ??= [...given])[i] = { key: k, value: v };
  }
  return out ?? (given as Entry[]);
}

/** Sorted entries, one per key: keys that differed only in unpaired surrogates are one key now. */
function lastOfEachKey(sorted: Entry[]): Entry[] {
  return sorted.filter((e, i) => i + 1 === sorted.length || sorted[i + 1].key !== e.key);
}

/** Whether the entries' keys are in Go's order already, as a Definition's digests come. */
function inGoOrder(entries: readonly Entry[]): boolean {
  for (let i = 1; i < entries.length; i++) if (compareGoStrings(entries[i - 1].key as string, entries[i].key as string) >= 0) return false;
  return true;
}
