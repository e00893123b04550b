import http2 from 'node:http2';
import type { Duplex } from 'node:stream';

// Unary gRPC calls over HTTP/2 on any stream: what a BuildKit frontend needs, as it speaks to
// the daemon over its own stdin and stdout. @grpc/grpc-js opens its own sockets and cannot be
// handed a stream; Connect's Node transport can (its session manager passes createConnection
// on to http2.connect), but it reads and writes only @bufbuild/protobuf messages, and llbc's
// schemas are protobufjs's. Node's http2 does the protocol; this adds gRPC's framing and status.

/** gRPC status codes (grpc/codes) that llbc sets or tells apart. */
export const GrpcStatus = { ok: 0, cancelled: 1, unknown: 2, invalidArgument: 3, notFound: 5, unimplemented: 12, internal: 13, unavailable: 14 } as const;

/** A call that ended with a status other than OK. */
export class GrpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    /** grpc-status-details-bin: a google.rpc.Status, encoded. */
    readonly details?: Uint8Array,
  ) {
    super(message);
  }
}

/** A message as gRPC carries it: a flag byte (0, not compressed), its length as 4 bytes big-endian, the message. */
export function frameMessage(message: Uint8Array): Uint8Array {
  const out = new Uint8Array(5 + message.length);
  new DataView(out.buffer).setUint32(1, message.length);
  out.set(message, 5);
  return out;
}

/** Collects the messages of a gRPC stream from its data, which may come in pieces of any size. */
export class MessageReader {
  readonly messages: Uint8Array[] = [];
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Uint8Array): void {
    this.pending = this.pending.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.pending, chunk]);
    while (this.pending.length >= 5) {
      if (this.pending[0] !== 0) throw new GrpcError(GrpcStatus.internal, 'compressed gRPC message, which was not asked for');
      const length = this.pending.readUInt32BE(1);
      if (this.pending.length < 5 + length) break;
      this.messages.push(this.pending.subarray(5, 5 + length));
      this.pending = this.pending.subarray(5 + length);
    }
  }

  /** Whether data ended between messages, as it must. */
  get complete(): boolean {
    return this.pending.length === 0;
  }
}

/** grpc-message is percent-encoded UTF-8. */
export function decodeGrpcMessage(value: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const hex = value[i] === '%' ? value.slice(i + 1, i + 3) : '';
    if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(value[i], 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

type Headers = http2.IncomingHttpHeaders & http2.IncomingHttpStatusHeader;

/** A gRPC client on one HTTP/2 connection. */
export class GrpcClient {
  private failure?: Error;

  constructor(private readonly session: http2.ClientHttp2Session) {
    // A connection's failure ends its calls, which report it; the session must not throw it.
    session.on('error', (e: Error) => {
      this.failure = e;
    });
  }

  /** HTTP/2 with prior knowledge over the stream, as gRPC runs on it. */
  static over(stream: Duplex): GrpcClient {
    return new GrpcClient(http2.connect('http://localhost', { createConnection: () => stream }));
  }

  /** Calls `path` (/package.Service/Method) with one request message and returns the one answer. */
  unary(path: string, request: Uint8Array): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      let call: http2.ClientHttp2Stream;
      try {
        call = this.session.request({ ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers' });
      } catch (e) {
        reject(new GrpcError(GrpcStatus.unavailable, `${path}: ${(e as Error).message}`));
        return;
      }
      const reader = new MessageReader();
      let headers: Headers | undefined;
      let trailers: http2.IncomingHttpHeaders | undefined;
      let failed: Error | undefined;
      call.on('response', (h) => (headers = h));
      call.on('trailers', (t) => (trailers = t));
      call.on('data', (chunk: Buffer) => {
        try {
          reader.push(chunk);
        } catch (e) {
          failed = e as Error;
          call.close(http2.constants.NGHTTP2_CANCEL);
        }
      });
      call.on('error', (e: Error) => (failed ??= e));
      call.on('close', () => {
        try {
          resolve(answer(path, headers, trailers, reader, call.rstCode, failed ?? this.failure));
        } catch (e) {
          reject(e);
        }
      });
      call.end(frameMessage(request));
    });
  }

  /** Ends the connection once the calls under way are done. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.session.closed || this.session.destroyed) resolve();
      else this.session.close(() => resolve());
    });
  }
}

/** The answer of a finished call, or its error. */
function answer(path: string, headers: Headers | undefined, trailers: http2.IncomingHttpHeaders | undefined, reader: MessageReader, rstCode: number | undefined, failed: Error | undefined): Uint8Array {
  if (failed instanceof GrpcError) throw failed;
  // A call that fails at once is answered with headers only ("Trailers-Only"), status among them.
  const status = trailers?.['grpc-status'] ?? headers?.['grpc-status'];
  if (status === undefined) {
    const why = failed ? failed.message : headers ? `HTTP status ${headers[':status']}, no grpc-status` : rstCode ? `stream reset (HTTP/2 error ${rstCode})` : 'connection closed';
    throw new GrpcError(GrpcStatus.unavailable, `${path}: ${why}`);
  }
  const code = Number(status);
  if (code !== GrpcStatus.ok) {
    const message = trailers?.['grpc-message'] ?? headers?.['grpc-message'];
    const details = trailers?.['grpc-status-details-bin'] ?? headers?.['grpc-status-details-bin'];
    throw new GrpcError(code, decodeGrpcMessage(typeof message === 'string' ? message : ''), typeof details === 'string' ? Buffer.from(details, 'base64') : undefined);
  }
  if (!reader.complete || reader.messages.length !== 1) {
    throw new GrpcError(GrpcStatus.internal, `${path}: expected one answer message, got ${reader.messages.length}${reader.complete ? '' : ' and a partial one'}`);
  }
  return reader.messages[0];
}
