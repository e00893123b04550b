import { test } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import net from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeGrpcMessage, frameMessage, GrpcClient, GrpcError, MessageReader } from '../../src/wire/grpc.js';

test('a message is framed with a zero flag and its length, big-endian', () => {
  assert.deepEqual([...frameMessage(new Uint8Array([7, 8, 9]))], [0, 0, 0, 0, 3, 7, 8, 9]);
  assert.deepEqual([...frameMessage(new Uint8Array(0))], [0, 0, 0, 0, 0]);
  const big = frameMessage(new Uint8Array(0x012345));
  assert.deepEqual([...big.subarray(0, 5)], [0, 0, 0x01, 0x23, 0x45]);
});

test('messages are read from data split anywhere', () => {
  const stream = Buffer.concat([frameMessage(Buffer.from('first')), frameMessage(Buffer.alloc(0)), frameMessage(Buffer.from('third one'))]);
  for (let size = 1; size <= stream.length; size++) {
    const reader = new MessageReader();
    for (let at = 0; at < stream.length; at += size) reader.push(stream.subarray(at, at + size));
    assert.deepEqual(reader.messages.map((m) => Buffer.from(m).toString()), ['first', '', 'third one'], `pieces of ${size}`);
    assert.equal(reader.complete, true);
  }
  const partial = new MessageReader();
  partial.push(frameMessage(Buffer.from('abc')).subarray(0, 6));
  assert.equal(partial.complete, false);
  assert.equal(partial.messages.length, 0);
});

test('a compressed message is refused', () => {
  assert.throws(() => new MessageReader().push(Buffer.from([1, 0, 0, 0, 1, 42])), GrpcError);
});

test('grpc-message is percent-decoded UTF-8; a stray % is kept', () => {
  assert.equal(decodeGrpcMessage('open%20x%3A%20no%20such%20file'), 'open x: no such file');
  assert.equal(decodeGrpcMessage('caf%C3%A9 100%'), 'café 100%');
  assert.equal(decodeGrpcMessage('%zz'), '%zz');
});

type Handler = (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, body: Buffer) => void;

/** A client connected to an HTTP/2 server (over a Unix socket) whose calls `handler` answers. */
async function withServer(handler: Handler, run: (client: GrpcClient) => Promise<void>): Promise<void> {
  const server = http2.createServer();
  server.on('stream', (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => handler(stream, headers, Buffer.concat(chunks)));
  });
  const path = join(mkdtempSync(join(tmpdir(), 'llbc-grpc-')), 'sock');
  await new Promise<void>((resolve) => server.listen(path, resolve));
  const client = GrpcClient.over(net.connect(path));
  try {
    await run(client);
  } finally {
    await client.close();
    await new Promise((resolve) => server.close(resolve));
  }
}

function reply(stream: http2.ServerHttp2Stream, messages: Buffer[], trailers: http2.OutgoingHttpHeaders): void {
  stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
  stream.on('wantTrailers', () => stream.sendTrailers(trailers));
  stream.end(Buffer.concat(messages.map((m) => Buffer.from(frameMessage(m)))));
}

test('a unary call sends one framed request as gRPC asks and returns the one answer', async () => {
  let seen: { headers: http2.IncomingHttpHeaders; body: Buffer } | undefined;
  await withServer(
    (stream, headers, body) => {
      seen = { headers, body };
      reply(stream, [Buffer.from('pong')], { 'grpc-status': '0' });
    },
    async (client) => {
      const answer = await client.unary('/pkg.Service/Method', Buffer.from('ping'));
      assert.equal(Buffer.from(answer).toString(), 'pong');
    },
  );
  assert.equal(seen!.headers[':method'], 'POST');
  assert.equal(seen!.headers[':path'], '/pkg.Service/Method');
  assert.equal(seen!.headers['content-type'], 'application/grpc');
  assert.equal(seen!.headers.te, 'trailers');
  assert.deepEqual([...seen!.body], [...frameMessage(Buffer.from('ping'))]);
});

test('a status in the trailers, or in headers alone, is a GrpcError with its code, message and details', async () => {
  const details = Buffer.from([8, 5, 18, 1, 120]);
  await withServer(
    (stream, headers) => {
      if (headers[':path'] === '/s/TrailersOnly') {
        stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '12', 'grpc-message': 'no%20such%20method' }, { endStream: true });
      } else {
        reply(stream, [], { 'grpc-status': '5', 'grpc-message': 'not%20found', 'grpc-status-details-bin': details.toString('base64') });
      }
    },
    async (client) => {
      await assert.rejects(client.unary('/s/TrailersOnly', Buffer.alloc(0)), (e: GrpcError) => e.code === 12 && e.message === 'no such method');
      await assert.rejects(client.unary('/s/Trailers', Buffer.alloc(0)), (e: GrpcError) => e.code === 5 && e.message === 'not found' && Buffer.from(e.details!).equals(details));
    },
  );
});

test('an answer of two messages, or none, or with no status, is an error', async () => {
  await withServer(
    (stream, headers) => {
      if (headers[':path'] === '/s/Two') reply(stream, [Buffer.from('a'), Buffer.from('b')], { 'grpc-status': '0' });
      else if (headers[':path'] === '/s/None') reply(stream, [], { 'grpc-status': '0' });
      else {
        stream.respond({ ':status': 404 }, { endStream: true });
      }
    },
    async (client) => {
      await assert.rejects(client.unary('/s/Two', Buffer.alloc(0)), /expected one answer message, got 2/);
      await assert.rejects(client.unary('/s/None', Buffer.alloc(0)), /expected one answer message, got 0/);
      await assert.rejects(client.unary('/s/Http', Buffer.alloc(0)), (e: GrpcError) => e.code === 14 && /HTTP status 404/.test(e.message));
    },
  );
});

test('calls on a connection that ends fail instead of waiting', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'llbc-grpc-')), 'sock');
  const server = net.createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(path, resolve));
  const client = GrpcClient.over(net.connect(path));
  await assert.rejects(client.unary('/s/M', Buffer.alloc(0)), GrpcError);
  await new Promise((resolve) => server.close(resolve));
});
