import { compareGoStrings } from '../gostring.js';
import { goOneofName, messageInfo, newMsg, type FieldInfo, type MessageInfo, type Msg, type Value } from './reflect.js';

/**
 * Go's encoding/json over the gogo-generated struct of a decoded message: fields in
 * declaration order under their proto names, zero fields left out unless non-nullable,
 * a oneof as `"Op":{"exec":{...}}` (or `"Op":null`), enums and 64-bit integers as numbers,
 * bytes as base64, map keys sorted byte-wise. This is what `buildctl debug dump-llb` prints.
 */
export function goJSON(typeName: string, msg: Msg): string {
  return writeMessage(messageInfo(typeName), msg);
}

function writeMessage(info: MessageInfo, msg: Msg): string {
  const parts: string[] = [];
  const oneofsDone = new Set<string>();
  for (const f of info.fields) {
    if (f.oneof) {
      if (oneofsDone.has(f.oneof)) continue;
      oneofsDone.add(f.oneof);
      parts.push(`${goJSONString(goOneofName(f.oneof))}:${writeOneof(info, f.oneof, msg)}`);
      continue;
    }
    const v = msg[f.name];
    if (f.omitEmpty && isEmpty(f, v)) continue;
    parts.push(`${goJSONString(f.name)}:${writeField(f, v)}`);
  }
  return `{${parts.join(',')}}`;
}

/** The oneof is an interface holding a one-field wrapper struct whose field is omitempty. */
function writeOneof(info: MessageInfo, oneof: string, msg: Msg): string {
  const member = info.oneofs.get(oneof)!.find((m) => msg[m.name] !== undefined);
  if (!member) return 'null';
  const v = msg[member.name];
  if (isEmpty(member, v)) return '{}';
  return `{${goJSONString(member.name)}:${writeField(member, v)}}`;
}

function isEmpty(f: FieldInfo, v: Value | undefined): boolean {
  if (v === undefined) return true;
  if (f.mapKey !== undefined) return (v as Map<string, Value>).size === 0;
  if (f.repeated) return (v as Value[]).length === 0;
  if (f.kind === 'message') return false;
  return v === '' || v === 0 || v === false || (v instanceof Uint8Array && v.length === 0);
}

function writeField(f: FieldInfo, v: Value | undefined): string {
  if (f.mapKey !== undefined) {
    if (v === undefined) return 'null';
    const entries = [...(v as Map<string, Value>)].sort(([a], [b]) => compareGoStrings(a, b));
    return `{${entries.map(([k, ev]) => `${goJSONString(k)}:${writeSingle(f, ev)}`).join(',')}}`;
  }
  if (f.repeated) return v === undefined ? 'null' : `[${(v as Value[]).map((x) => writeSingle(f, x)).join(',')}]`;
  if (v === undefined) {
    // Only non-nullable fields get here: a message is a zero struct, a scalar its zero value.
    if (f.kind === 'message') return writeMessage(messageInfo(f.type), newMsg());
    if (f.type === 'bytes') return 'null';
    return f.type === 'string' ? '""' : f.type === 'bool' ? 'false' : '0';
  }
  return writeSingle(f, v);
}

function writeSingle(f: FieldInfo, v: Value): string {
  if (f.kind === 'message') return writeMessage(messageInfo(f.type), v as Msg);
  if (typeof v === 'string') return goJSONString(v);
  if (v instanceof Uint8Array) return `"${Buffer.from(v).toString('base64')}"`;
  return String(v);
}

const hex = '0123456789abcdef';

/**
 * A JSON string as Go's encoding/json writes it with HTML escaping on (json.Encoder's
 * default): <, >, & and U+2028/U+2029 escaped, control characters other than \n, \r and \t
 * as \u00XX (Go before 1.22, which BuildKit v0.11 was built with), and invalid UTF-8 (here:
 * lone surrogates, see goString in decode.ts) as \ufffd.
 */
export function goJSONString(s: string): string {
  let out = '"';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let esc: string | undefined;
    if (c < 0x20) {
      esc = c === 0x0a ? '\\n' : c === 0x0d ? '\\r' : c === 0x09 ? '\\t' : `\\u00${hex[c >> 4]}${hex[c & 0xf]}`;
    } else if (c === 0x22) esc = '\\"';
    else if (c === 0x5c) esc = '\\\\';
    else if (c === 0x3c) esc = '\\u003c';
    else if (c === 0x3e) esc = '\\u003e';
    else if (c === 0x26) esc = '\\u0026';
    else if (c === 0x2028) esc = '\\u2028';
    else if (c === 0x2029) esc = '\\u2029';
    else if (c >= 0xd800 && c <= 0xdfff) {
      const pair = c <= 0xdbff && i + 1 < s.length && s.charCodeAt(i + 1) >= 0xdc00 && s.charCodeAt(i + 1) <= 0xdfff;
      if (pair) {
        i++;
        continue;
      }
      esc = '\\ufffd';
    }
    if (esc !== undefined) {
      out += s.slice(start, i) + esc;
      start = i + 1;
    }
  }
  return `${out}${s.slice(start)}"`;
}

/** A JSON number kept as written, so 64-bit integers survive. */
export class JSONNumber {
  constructor(readonly text: string) {}
}
export type JSONValue = null | boolean | string | JSONNumber | JSONValue[] | Map<string, JSONValue>;

export class JSONError extends Error {}

/** Strict JSON (RFC 8259), objects as Maps in document order, numbers as JSONNumber. */
export function parseJSON(text: string): JSONValue {
  let i = 0;
  const ws = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const fail = (what: string): never => {
    throw new JSONError(`${what} at offset ${i}`);
  };
  const value = (): JSONValue => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const obj = new Map<string, JSONValue>();
      ws();
      if (text[i] === '}') {
        i++;
        return obj;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected a string key');
        const key = string();
        ws();
        if (text[i++] !== ':') fail('expected ":"');
        obj.set(key, value());
        ws();
        const sep = text[i++];
        if (sep === '}') return obj;
        if (sep !== ',') fail('expected "," or "}"');
      }
    }
    if (c === '[') {
      i++;
      const arr: JSONValue[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return arr;
      }
      for (;;) {
        arr.push(value());
        ws();
        const sep = text[i++];
        if (sep === ']') return arr;
        if (sep !== ',') fail('expected "," or "]"');
      }
    }
    if (c === '"') return string();
    for (const [word, v] of [['true', true], ['false', false], ['null', null]] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return v;
      }
    }
    const m = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    m.lastIndex = i;
    const num = m.exec(text);
    if (!num) fail('unexpected character');
    i += num![0].length;
    return new JSONNumber(num![0]);
  };
  const string = (): string => {
    i++;
    let out = '';
    for (;;) {
      const c = text[i++];
      if (c === undefined) fail('unterminated string');
      if (c === '"') return out;
      if (c < ' ') fail('control character in string');
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = text[i++];
      const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
      if (e in simple) out += simple[e];
      else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i, i + 4))) {
        out += String.fromCharCode(parseInt(text.slice(i, i + 4), 16));
        i += 4;
      } else fail('invalid escape');
    }
  };
  const v = value();
  ws();
  if (i !== text.length) fail('trailing characters');
  return v;
}

/**
 * The inverse of goJSON: a message from the JSON Go printed for it, so a golden dump can be
 * compared field by field. Unknown keys are errors: a dump is never hand-written loosely.
 */
export function fromGoJSON(typeName: string, json: JSONValue, where = typeName): Msg {
  return readMessage(messageInfo(typeName), json, where);
}

function readMessage(info: MessageInfo, json: JSONValue, where: string): Msg {
  if (!(json instanceof Map)) throw new JSONError(`${where}: expected an object`);
  const out = newMsg();
  for (const [key, v] of json) {
    const oneofMembers = [...info.oneofs].find(([name]) => goOneofName(name) === key)?.[1];
    if (oneofMembers) {
      if (v === null) continue;
      if (!(v instanceof Map) || v.size > 1) throw new JSONError(`${where}.${key}: expected an object with one member`);
      if (v.size === 0) {
        // Go prints a zero scalar member as {}: the only member that can print so.
        const scalar = oneofMembers.find((m) => m.kind !== 'message');
        if (scalar) out[scalar.name] = readScalar(scalar, scalar.type === 'string' ? '' : new JSONNumber('0'), where);
        continue;
      }
      const [[name, mv]] = v;
      const member = oneofMembers.find((m) => m.name === name);
      if (!member) throw new JSONError(`${where}.${key}: unknown member ${JSON.stringify(name)}`);
      out[member.name] = readField(member, mv, `${where}.${name}`);
      continue;
    }
    const f = info.byName.get(key);
    if (!f || f.oneof) throw new JSONError(`${where}: unknown field ${JSON.stringify(key)}`);
    if (v === null) continue;
    out[f.name] = readField(f, v, `${where}.${key}`);
  }
  return out;
}

function readField(f: FieldInfo, v: JSONValue, where: string): Value {
  if (f.mapKey !== undefined) {
    if (!(v instanceof Map)) throw new JSONError(`${where}: expected an object`);
    const map = new Map<string, Value>();
    for (const [k, ev] of v) map.set(k, readSingle(f, ev, `${where}[${JSON.stringify(k)}]`));
    return map;
  }
  if (f.repeated) {
    if (!Array.isArray(v)) throw new JSONError(`${where}: expected an array`);
    return v.map((x, i) => readSingle(f, x, `${where}[${i}]`));
  }
  return readSingle(f, v, where);
}

function readSingle(f: FieldInfo, v: JSONValue, where: string): Value {
  if (f.kind === 'message') return readMessage(messageInfo(f.type), v, where);
  return readScalar(f, v, where);
}

function readScalar(f: FieldInfo, v: JSONValue, where: string): Value {
  if (f.type === 'string') {
    if (typeof v !== 'string') throw new JSONError(`${where}: expected a string`);
    return v;
  }
  if (f.type === 'bytes') {
    if (typeof v !== 'string') throw new JSONError(`${where}: expected a base64 string`);
    return new Uint8Array(Buffer.from(v, 'base64'));
  }
  if (f.type === 'bool') {
    if (typeof v !== 'boolean') throw new JSONError(`${where}: expected true or false`);
    return v;
  }
  if (!(v instanceof JSONNumber)) throw new JSONError(`${where}: expected a number`);
  if (f.type === 'double' || f.type === 'float') return Number(v.text);
  if (!/^-?\d+$/.test(v.text)) throw new JSONError(`${where}: expected an integer`);
  const n = BigInt(v.text);
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
}
