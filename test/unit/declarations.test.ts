// The @symmetry grammar: good tags become declarations, bad ones become problems with exact
// spans, what was expected, what was found and the closest valid spelling.
import { strict as assert } from 'node:assert';
import {
  EXPECTED_ADJACENCY,
  EXPECTED_ADJACENCY_GROUP,
  EXPECTED_AXIS,
  EXPECTED_GROUP,
  EXPECTED_MODE,
  EXPECTED_OPTION,
  EXPECTED_OPTION_KEY,
  EXPECTED_TAG,
  EXPECTED_TOL,
  editDistance,
  parseCommandLineDeclaration,
  parseDeclarations,
} from '../../server/src/analysis/declarations';

const FILE = '/virtual/decl.ts';
/** Where the comment starts in its file, so spans must be file offsets, not comment offsets. */
const COMMENT_OFFSET = 100;

function parse(text: string) {
  return parseDeclarations({ text, span: { file: FILE, start: COMMENT_OFFSET, end: COMMENT_OFFSET + text.length } });
}

/** The file span of the `occurrence`-th `part` in `text`. */
function spanOf(text: string, part: string, occurrence = 1): { file: string; start: number; end: number } {
  let index = -1;
  for (let i = 0; i < occurrence; i++) index = text.indexOf(part, index + 1);
  assert.ok(index >= 0, `${part} not in ${text}`);
  return { file: FILE, start: COMMENT_OFFSET + index, end: COMMENT_OFFSET + index + part.length };
}

describe('parseDeclarations', () => {
  describe('good tags', () => {
    const good: { tag: string; mode: string; group: string; axis: number; tol: number; approximate: boolean; text: string }[] = [
      { tag: '@symmetry invariant translation', mode: 'invariant', group: 'translation', axis: 1, tol: 1e-4, approximate: false, text: 'invariant translation' },
      { tag: '@symmetry equivariant rotation90 tol=1e-3', mode: 'equivariant', group: 'rotation90', axis: 1, tol: 1e-3, approximate: false, text: 'equivariant rotation90 tol=0.001' },
      { tag: '@symmetry invariant translation tol=0.01', mode: 'invariant', group: 'translation', axis: 1, tol: 0.01, approximate: true, text: 'invariant translation tol=0.01' },
      { tag: '@symmetry invariant permutation axis=2', mode: 'invariant', group: 'permutation', axis: 2, tol: 1e-4, approximate: false, text: 'invariant permutation axis=2' },
      { tag: '@symmetry equivariant sign tol = 5e-2 axis=1', mode: 'equivariant', group: 'sign', axis: 1, tol: 0.05, approximate: true, text: 'equivariant sign axis=1 tol=0.05' },
      { tag: '@symmetry invariant dihedral', mode: 'invariant', group: 'dihedral', axis: 1, tol: 1e-4, approximate: false, text: 'invariant dihedral' },
      { tag: '@symmetry equivariant flip tol=.5', mode: 'equivariant', group: 'flip', axis: 1, tol: 0.5, approximate: true, text: 'equivariant flip tol=0.5' },
      { tag: '@symmetry equivariant permutation adjacency=1', mode: 'equivariant', group: 'permutation', axis: 1, tol: 1e-4, approximate: false, text: 'equivariant permutation adjacency=1' },
    ];
    for (const expected of good) {
      it(expected.tag, () => {
        const text = `/**\n * A model.\n * ${expected.tag}\n */`;
        const { declarations, problems } = parse(text);
        assert.deepEqual(problems, []);
        assert.equal(declarations.length, 1);
        const [declaration] = declarations;
        assert.equal(declaration.mode, expected.mode);
        assert.equal(declaration.group, expected.group);
        assert.equal(declaration.axis, expected.axis);
        assert.equal(declaration.tol, expected.tol);
        assert.equal(declaration.approximate, expected.approximate);
        assert.equal(declaration.text, expected.text);
        assert.equal(declaration.fromCommandLine, false);
        assert.deepEqual(declaration.span, spanOf(text, expected.tag));
      });
    }

    it('reads several tags, a one-line block and ignores other tags and prose', () => {
      const text = '/**\n * Uses @symmetry in prose.\n * @param x the input\n * @symmetry invariant translation\n * @summary not ours\n * @symmetry invariant flip tol=1e-2 */';
      const { declarations, problems } = parse(text);
      assert.deepEqual(problems, []);
      assert.deepEqual(declarations.map((d) => d.text), ['invariant translation', 'invariant flip tol=0.01']);
      assert.deepEqual(declarations[1].span, spanOf(text, '@symmetry invariant flip tol=1e-2'));
      const oneLine = '/** @symmetry invariant sign */';
      assert.deepEqual(parse(oneLine).declarations.map((d) => d.span), [spanOf(oneLine, '@symmetry invariant sign')]);
    });

    it('handles CRLF line ends', () => {
      const text = '/**\r\n * @symmetry invariant translation\r\n */';
      const { declarations, problems } = parse(text);
      assert.deepEqual(problems, []);
      assert.deepEqual(declarations[0].span, spanOf(text, '@symmetry invariant translation'));
    });
  });

  describe('bad tags', () => {
    const bad: { tag: string; problems: { at: string; occurrence?: number; expected: string; found: string; suggestion?: string }[] }[] = [
      { tag: '@symmetry invarient translation', problems: [{ at: 'invarient', expected: EXPECTED_MODE, found: 'invarient', suggestion: '@symmetry invariant translation' }] },
      { tag: '@symmetry Invariant translation', problems: [{ at: 'Invariant', expected: EXPECTED_MODE, found: 'Invariant', suggestion: '@symmetry invariant translation' }] },
      { tag: '@symmetry translation invariant', problems: [{ at: 'translation', expected: EXPECTED_MODE, found: 'translation', suggestion: '@symmetry invariant translation' }] },
      { tag: '@symmetry invariant rotation', problems: [{ at: 'rotation', expected: EXPECTED_GROUP, found: 'rotation', suggestion: '@symmetry invariant rotation90' }] },
      { tag: '@symmetry equivariant translaton', problems: [{ at: 'translaton', expected: EXPECTED_GROUP, found: 'translaton', suggestion: '@symmetry equivariant translation' }] },
      { tag: '@symmetry invariant galilean', problems: [{ at: 'galilean', expected: EXPECTED_GROUP, found: 'galilean' }] },
      { tag: '@symmetry invariant', problems: [{ at: '@symmetry invariant', expected: EXPECTED_GROUP, found: '' }] },
      { tag: '@symmetry', problems: [{ at: '@symmetry', expected: EXPECTED_MODE, found: '' }] },
      { tag: '@symmetry equivariant flip tol=small', problems: [{ at: 'small', expected: EXPECTED_TOL, found: 'small' }] },
      { tag: '@symmetry invariant flip tol=-1e-3', problems: [{ at: '-1e-3', expected: EXPECTED_TOL, found: '-1e-3', suggestion: '@symmetry invariant flip tol=0.001' }] },
      { tag: '@symmetry invariant flip tol=0', problems: [{ at: '0', occurrence: 1, expected: EXPECTED_TOL, found: '0', suggestion: '@symmetry invariant flip tol=0.0001' }] },
      { tag: '@symmetry invariant permutation axis=1.5', problems: [{ at: '1.5', expected: EXPECTED_AXIS, found: '1.5' }] },
      { tag: '@symmetry invariant permutation axis=0', problems: [{ at: '0', expected: EXPECTED_AXIS, found: '0' }] },
      { tag: '@symmetry invariant translation tolerance=1e-3', problems: [{ at: 'tolerance', expected: EXPECTED_OPTION_KEY, found: 'tolerance', suggestion: '@symmetry invariant translation tol=1e-3' }] },
      { tag: '@symmetry invariant permutation adjacency=-1', problems: [{ at: '-1', expected: EXPECTED_ADJACENCY, found: '-1' }] },
      { tag: '@symmetry invariant permutation adjacency=A', problems: [{ at: 'A', occurrence: 1, expected: EXPECTED_ADJACENCY, found: 'A' }] },
      { tag: '@symmetry invariant translation adjacency=1', problems: [{ at: 'adjacency=1', expected: EXPECTED_ADJACENCY_GROUP, found: 'adjacency=1', suggestion: '@symmetry invariant translation' }] },
      { tag: '@symmetry invariant permutation adj=1', problems: [{ at: 'adj', expected: EXPECTED_OPTION_KEY, found: 'adj', suggestion: '@symmetry invariant permutation adjacency=1' }] },
      { tag: '@symmetry invariant translation scale=2', problems: [{ at: 'scale', expected: EXPECTED_OPTION_KEY, found: 'scale' }] },
      { tag: '@symmetry invariant translation tol=1e-3 tol=1e-2', problems: [{ at: 'tol=1e-2', expected: 'at most one tol=', found: 'tol=1e-2', suggestion: '@symmetry invariant translation tol=1e-3' }] },
      { tag: '@symmetry invariant translation because digits move', problems: [
        { at: 'because', expected: EXPECTED_OPTION, found: 'because', suggestion: '@symmetry invariant translation' },
        { at: 'digits', expected: EXPECTED_OPTION, found: 'digits', suggestion: '@symmetry invariant translation' },
        { at: 'move', expected: EXPECTED_OPTION, found: 'move', suggestion: '@symmetry invariant translation' },
      ] },
      { tag: '@symetry invariant flip', problems: [{ at: '@symetry', expected: EXPECTED_TAG, found: '@symetry', suggestion: '@symmetry invariant flip' }] },
      { tag: '@symmetries invariant permutation', problems: [{ at: '@symmetries', expected: EXPECTED_TAG, found: '@symmetries', suggestion: '@symmetry invariant permutation' }] },
      { tag: '@Symmetry invariant translation', problems: [{ at: '@Symmetry', expected: EXPECTED_TAG, found: '@Symmetry', suggestion: '@symmetry invariant translation' }] },
      { tag: '@symmetri invarient translation', problems: [
        { at: '@symmetri', expected: EXPECTED_TAG, found: '@symmetri', suggestion: '@symmetry invariant translation' },
        { at: 'invarient', expected: EXPECTED_MODE, found: 'invarient', suggestion: '@symmetry invariant translation' },
      ] },
    ];
    for (const { tag, problems: expected } of bad) {
      it(tag, () => {
        const text = `/**\n * Doc.\n * ${tag}\n */`;
        const tagStart = text.indexOf(tag);
        const { declarations, problems } = parse(text);
        assert.deepEqual(declarations, [], 'a bad tag declares nothing');
        assert.deepEqual(
          problems,
          expected.map((p) => {
            // Spans are looked up inside the tag, so `0` and the like cannot match the prose.
            const relative = spanOf(tag, p.at, p.occurrence ?? 1);
            const span = { file: FILE, start: relative.start + tagStart, end: relative.end + tagStart };
            return { span, expected: p.expected, found: p.found, ...(p.suggestion ? { suggestion: p.suggestion } : {}) };
          }),
        );
      });
    }

    it('keeps good tags next to bad ones', () => {
      const text = '/**\n * @symmetry invariant translation\n * @symmetry invarient flip\n */';
      const { declarations, problems } = parse(text);
      assert.deepEqual(declarations.map((d) => d.text), ['invariant translation']);
      assert.equal(problems.length, 1);
      assert.deepEqual(problems[0].span, spanOf(text, 'invarient'));
    });
  });

  describe('parseCommandLineDeclaration', () => {
    it('parses a value with or without the tag', () => {
      for (const value of ['invariant translation tol=1e-2', '@symmetry invariant translation tol=1e-2']) {
        const parsed = parseCommandLineDeclaration(value);
        assert.ok(!('problem' in parsed), value);
        assert.equal(parsed.text, 'invariant translation tol=0.01');
        assert.equal(parsed.approximate, true);
        assert.equal(parsed.fromCommandLine, true);
      }
    });

    it('reports the first problem with a suggestion', () => {
      const parsed = parseCommandLineDeclaration('invariant rotaton90');
      assert.ok('problem' in parsed);
      assert.equal(parsed.problem.expected, EXPECTED_GROUP);
      assert.equal(parsed.problem.found, 'rotaton90');
      assert.equal(parsed.problem.suggestion, 'invariant rotation90');
      assert.deepEqual([parsed.problem.span.start, parsed.problem.span.end], [10, 19]);
    });
  });

  it('editDistance counts insertions, deletions and substitutions', () => {
    assert.equal(editDistance('invarient', 'invariant'), 1);
    assert.equal(editDistance('symetry', 'symmetry'), 1);
    assert.equal(editDistance('', 'flip'), 4);
    assert.equal(editDistance('flip', 'flip'), 0);
    assert.equal(editDistance('kitten', 'sitting'), 3);
  });
});
