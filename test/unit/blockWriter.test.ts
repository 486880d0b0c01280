// Tests of the stdout blocks of `check`: every chunk comes out once, in order, in blocks no
// later than the block size asks, and nothing is held back after a flush.
import * as assert from 'node:assert/strict';
import { BlockWriter } from '../../server/src/cli/blockWriter';

describe('BlockWriter', () => {
  it('writes nothing until a block is full, then the whole block in order', () => {
    const blocks: string[] = [];
    const writer = new BlockWriter((block) => blocks.push(block), 10);
    writer.write('abc');
    writer.write('defg');
    assert.deepEqual(blocks, []);
    writer.write('hijk');
    assert.deepEqual(blocks, ['abcdefghijk']);
    writer.write('');
    writer.write('l');
    writer.flush();
    writer.flush();
    assert.deepEqual(blocks, ['abcdefghijk', 'l']);
  });

  it('gives out exactly the text written, whatever the chunk sizes', () => {
    const blocks: string[] = [];
    const writer = new BlockWriter((block) => blocks.push(block), 64);
    let written = '';
    for (let i = 0; i < 500; i++) {
      const chunk = `file ${i} `.repeat(i % 7);
      written += chunk;
      writer.write(chunk);
    }
    writer.flush();
    assert.equal(blocks.join(''), written);
    assert.ok(blocks.length > 10 && blocks.length < 500, `${blocks.length} blocks`);
    for (const block of blocks.slice(0, -1)) assert.ok(block.length >= 64);
  });
});
