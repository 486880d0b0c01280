// Tests of the stdout blocks of `check`: every chunk comes out once, in order and as the same
// UTF-8 bytes as the whole text, in blocks no larger than asked but for a chunk larger than a
// block, and nothing is held back after a flush.
import * as assert from 'node:assert/strict';
import { BlockWriter } from '../../server/src/cli/blockWriter';

/** A writer whose blocks are kept as copies (a block's bytes are the stream's once handed over). */
function collectingWriter(blockSize: number): { writer: BlockWriter; blocks: Uint8Array[]; text: () => string; hex: () => string } {
  const blocks: Uint8Array[] = [];
  const writer = new BlockWriter((block) => blocks.push(Uint8Array.from(block)), blockSize);
  const hex = () => blocks.map((block) => Buffer.from(block).toString('hex')).join('');
  return { writer, blocks, text: () => Buffer.from(hex(), 'hex').toString('utf8'), hex };
}

const decoded = (blocks: Uint8Array[]) => blocks.map((block) => Buffer.from(block).toString('utf8'));

describe('BlockWriter', () => {
  it('writes nothing until the next chunk would overfill the block, then the block in order', () => {
    const { writer, blocks } = collectingWriter(10);
    writer.write('abc');
    writer.write('defg');
    assert.equal(blocks.length, 0);
    writer.write('hij');
    assert.equal(blocks.length, 0);
    writer.write('k');
    assert.deepEqual(decoded(blocks), ['abcdefghij']);
    writer.write('');
    writer.write('l');
    writer.flush();
    writer.flush();
    assert.deepEqual(decoded(blocks), ['abcdefghij', 'kl']);
  });

  it('gives out exactly the bytes of the text written, whatever the chunk sizes', () => {
    const { writer, blocks, text, hex } = collectingWriter(64);
    let written = '';
    let largestChunk = 0;
    for (let i = 0; i < 500; i++) {
      const chunk = `file ${i} é ∑ 😀 `.repeat(i % 4);
      written += chunk;
      largestChunk = Math.max(largestChunk, Buffer.byteLength(chunk));
      writer.write(chunk);
    }
    writer.flush();
    assert.equal(text(), written);
    assert.equal(hex(), Buffer.from(written, 'utf8').toString('hex'));
    assert.ok(blocks.length > 10 && blocks.length < 500, `${blocks.length} blocks`);
    for (const block of blocks) assert.ok(block.length <= Math.max(64, largestChunk), `a block of ${block.length} bytes`);
    assert.ok(blocks.filter((block) => block.length > 64).length < blocks.length / 2);
  });

  it('sends a chunk larger than a block alone, after what was gathered', () => {
    const { writer, blocks } = collectingWriter(8);
    writer.write('ab');
    writer.write('0123456789');
    writer.write('c');
    writer.flush();
    assert.deepEqual(decoded(blocks), ['ab', '0123456789', 'c']);
  });

  it('keeps a surrogate pair whole when a chunk ends between its halves', () => {
    const pair = '😀';
    const { writer, text } = collectingWriter(16);
    writer.write(`x${pair[0]}`);
    writer.write(`${pair[1]}y`);
    writer.flush();
    assert.equal(text(), `x${pair}y`);
  });

  it('writes a lone high surrogate at the end as the joined text would be encoded', () => {
    const { writer, hex } = collectingWriter(16);
    writer.write('end\ud83d');
    writer.flush();
    assert.equal(hex(), Buffer.from('end\ud83d', 'utf8').toString('hex'));
  });
});
