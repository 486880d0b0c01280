// The stdio message writer: every message goes out in one write, header and body together, and
// vscode-jsonrpc's own reader reads back the very messages, in order.
import * as assert from 'node:assert/strict';
import { PassThrough, Writable } from 'node:stream';
import { StreamMessageReader, type Message } from 'vscode-languageserver/node';
import { encodeOnceAndReuse } from '../../server/src/lsp/jsonMessageEncoder';
import { StdioMessageWriter } from '../../server/src/lsp/stdioMessageWriter';

const diagnostic = (line: number) =>
  encodeOnceAndReuse({ range: { start: { line, character: 0 }, end: { line, character: 3 } }, severity: 1, source: 'symmetry-lint', code: 'flatten-breaks-invariance', message: `at ${line} \u2026 \u00e9` });

const MESSAGES: Message[] = [
  { jsonrpc: '2.0', method: 'symmetryLint/status', params: { uri: 'file:///m.ts', state: 'ok' } } as Message,
  { jsonrpc: '2.0', id: 4, result: { kind: 'full', resultId: 'a:1', items: [diagnostic(1), { message: 'fresh \u{1F600}' }, diagnostic(2)] } } as Message,
  { jsonrpc: '2.0', id: 5, result: { kind: 'unchanged', resultId: 'a:1' } } as Message,
];

describe('lsp: stdio message writer', () => {
  it('writes each message in one write of header and body', async () => {
    const writes: string[] = [];
    const sink = new Writable({
      write(chunk: Uint8Array, _encoding, done) {
        writes.push(new TextDecoder().decode(chunk));
        done();
      },
    });
    const writer = new StdioMessageWriter(sink);
    for (const message of MESSAGES) await writer.write(message);
    assert.equal(writes.length, MESSAGES.length);
    writes.forEach((text, index) => {
      const body = JSON.stringify(MESSAGES[index]);
      assert.equal(text, `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    });
  });

  it('is read back message by message by vscode-jsonrpc', async () => {
    const pipe = new PassThrough();
    const reader = new StreamMessageReader(pipe);
    const received: Message[] = [];
    const all = new Promise<void>((resolve) =>
      reader.listen((message) => {
        received.push(message);
        if (received.length === MESSAGES.length) resolve();
      }),
    );
    const writer = new StdioMessageWriter(pipe);
    // Not awaited one by one: the order of the writes is the order of the calls.
    await Promise.all(MESSAGES.map((message) => writer.write(message)));
    await all;
    assert.deepEqual(received, JSON.parse(JSON.stringify(MESSAGES)));
    reader.dispose();
  });

  it('reports a failed write as an error of the writer and a rejected promise', async () => {
    const sink = new Writable({
      write(_chunk, _encoding, done) {
        done(new Error('pipe closed'));
      },
    });
    sink.on('error', () => undefined);
    const writer = new StdioMessageWriter(sink);
    const errors: unknown[] = [];
    writer.onError(([error]) => errors.push(error));
    await assert.rejects(writer.write(MESSAGES[0]), /pipe closed/);
    assert.ok(errors.some((error) => error instanceof Error && error.message === 'pipe closed'), String(errors));
  });
});
