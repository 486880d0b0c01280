// The server's JSON message encoder: the bytes it writes parse to the message itself, and the
// bytes of a diagnostic carried over from one analysis to the next are computed only once.
import * as assert from 'node:assert/strict';
import { encodeJsonMessage, encodeOnceAndReuse } from '../../server/src/lsp/jsonMessageEncoder';

const decode = (bytes: Uint8Array): unknown => JSON.parse(Buffer.from(bytes).toString('utf8'));

function diagnostic(line: number, message: string) {
  return {
    range: { start: { line, character: 2 }, end: { line, character: 9 } },
    severity: 1,
    source: 'symmetry-lint',
    code: 'flatten-breaks-invariance',
    message,
    relatedInformation: [{ location: { uri: 'file:///m.ts', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 4 } } }, message: 'in 9 models: a, b, c\u2026' }],
  };
}

describe('lsp: JSON message encoder', () => {
  it('writes the same JSON value as JSON.stringify, with reused and fresh diagnostics mixed', () => {
    const kept = [encodeOnceAndReuse(diagnostic(3, 'kept \u00d7 \u2192 \u{1F600}')), encodeOnceAndReuse(diagnostic(7, 'kept too'))];
    const message = { jsonrpc: '2.0', id: 12, result: { kind: 'full', resultId: 'r:1', items: [kept[0], diagnostic(5, 'fresh \u2026'), kept[1]] } };
    const bytes = encodeJsonMessage(message as never);
    assert.deepEqual(decode(bytes), JSON.parse(JSON.stringify(message)));
    // Twice: the second time from the kept bytes.
    assert.deepEqual(decode(encodeJsonMessage(message as never)), JSON.parse(JSON.stringify(message)));
    // Exactly the UTF-8 of JSON.stringify, byte for byte.
    assert.equal(Buffer.from(bytes).toString('utf8'), JSON.stringify(message));
  });

  it('encodes messages without reused objects as plain JSON, and strings that look like its placeholder as themselves', () => {
    const message = { jsonrpc: '2.0', method: 'window/logMessage', params: { type: 3, message: '\u0000symmetry-lint-encoded:0000000000000000 \u2026' } };
    assert.equal(Buffer.from(encodeJsonMessage(message as never)).toString('utf8'), JSON.stringify(message));
    const withKept = { jsonrpc: '2.0', id: 1, result: [encodeOnceAndReuse(diagnostic(1, 'x')), message.params.message] };
    assert.deepEqual(decode(encodeJsonMessage(withKept as never)), JSON.parse(JSON.stringify(withKept)));
  });

  it('serializes a reused diagnostic once, however many messages carry it', () => {
    let reads = 0;
    const counted = { ...diagnostic(2, 'unused') };
    Object.defineProperty(counted, 'message', { enumerable: true, get: () => (reads++, 'read through a getter') });
    const kept = encodeOnceAndReuse(counted);
    reads = 0;
    for (let version = 1; version <= 5; version++) {
      const message = { jsonrpc: '2.0', id: version, result: { kind: 'full', resultId: `r:${version}`, items: [kept] } };
      assert.equal((decode(encodeJsonMessage(message as never)) as { result: { items: { message: string }[] } }).result.items[0].message, 'read through a getter');
    }
    assert.equal(reads, 1);
  });

  it('freezes what it reuses, so its bytes cannot go stale', () => {
    const kept = encodeOnceAndReuse(diagnostic(4, 'frozen'));
    assert.throws(() => {
      (kept as { message: string }).message = 'changed';
    }, TypeError);
    assert.throws(() => {
      kept.range.start.line = 40;
    }, TypeError);
    assert.throws(() => {
      kept.relatedInformation.push(kept.relatedInformation[0]);
    }, TypeError);
  });
});
