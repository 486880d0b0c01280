// Every message the engine produces on the samples and the test fixtures, under their own
// declarations and under several `--symmetry` values, fits one line of the Problems view: at
// most 200 characters, one sentence, no run of four words said twice, and no "line N" naming
// the line the finding is on.
import { strict as assert } from 'node:assert';
import { MAX_MESSAGE_LENGTH, namesOwnLine, producedMessages, repeatedRun, type ProducedMessage } from './messageCorpus';

describe('messages on the samples and fixtures', () => {
  let produced: ProducedMessage[] = [];
  before(() => {
    produced = producedMessages();
  });
  const where = (p: ProducedMessage) => `${p.file}:${p.line}${p.symmetry ? ` --symmetry "${p.symmetry}"` : ''} ${p.ruleId}: ${p.message}`;

  it('produces messages from every rule the samples mark', () => {
    // Guards the checks below against passing on an empty corpus.
    const rules = new Set(produced.map((p) => p.ruleId));
    for (const id of ['flatten-breaks-invariance', 'padding-boundary', 'strided-aliasing', 'kernel-breaks-rotation', 'analysis-gap', 'declaration-mismatch']) {
      assert.ok(rules.has(id), `no ${id} message`);
    }
  });

  it(`keeps every message within ${MAX_MESSAGE_LENGTH} characters`, () => {
    assert.deepEqual(produced.filter((p) => p.message.length > MAX_MESSAGE_LENGTH).map(where), []);
  });

  it('never repeats a run of four words in a message', () => {
    assert.deepEqual(produced.filter((p) => repeatedRun(p.message) !== undefined).map((p) => `${where(p)} [${repeatedRun(p.message)}]`), []);
  });

  it('never names the line the finding is on', () => {
    assert.deepEqual(produced.filter(namesOwnLine).map(where), []);
  });

  it('writes one sentence, without nested parentheses or chained colons', () => {
    const nested = /\([^)]*\(/;
    const chainedColons = /:\s.*:\s/;
    const sentences = (message: string) => message.replace(/\b(e\.g|i\.e)\./g, '').split(/[.?!](?:\s|$)/).filter((s) => s.trim()).length;
    assert.deepEqual(produced.filter((p) => nested.test(p.message) || chainedColons.test(p.message) || sentences(p.message) > 1).map(where), []);
  });
});

describe('the message checks', () => {
  it('find a repeated run of four words whatever the case and punctuation', () => {
    assert.equal(repeatedRun('A learned kernel (conv2d): a Learned kernel, is not'), undefined);
    assert.equal(repeatedRun('has a learned kernel: it has a learned kernel'), 'has a learned kernel');
    assert.equal(repeatedRun('Shifts by multiples of 2 commute: holds only for shifts, by multiples of 2'), 'shifts by multiples of');
  });

  it('tell a message that names its own line from one naming another', () => {
    const at = (line: number, message: string): ProducedMessage => ({ file: 'f.ts', line, ruleId: 'r', message });
    assert.ok(namesOwnLine(at(12, 'conv2d at line 12 pads')));
    assert.ok(!namesOwnLine(at(12, 'flatten feeds dense at line 13')));
    assert.ok(!namesOwnLine(at(1, 'dense at line 12')));
  });
});
