// Every quick fix the editor offers must fix: each code action offered for each finding of the
// samples and fixtures is applied on its own, and the result analysed again. A fix fails when
// its own finding is still there, as severe, at the place the fix edited (the finding's span
// carried through the edits, or text the fix wrote), or when the file no longer parses.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TextDocumentEdit, type CodeActionParams, type Diagnostic, type TextEdit } from 'vscode-languageserver/node';
import { ts } from 'ts-morph';
import { analyzeText, parseSource, type LocatedFinding } from '../../server/src/engine';
import { computeCodeActions, type CodeActionHost } from '../../server/src/lsp/codeActions';
import { toDiagnostic } from '../../server/src/lsp/diagnostics';
import { fixesForFinding, type TextEditSpan } from '../../server/src/fixes/index';

const ROOT = path.resolve(__dirname, '../..');
const SEVERITY_RANK = { error: 0, warning: 1, info: 2 } as const;

function sourceFiles(): string[] {
  const samples = fs
    .readdirSync(path.join(ROOT, 'samples'))
    .filter((name) => /\.(ts|js|mjs)$/.test(name))
    .map((name) => path.join(ROOT, 'samples', name));
  const fixtures: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(ts|js|mjs)$/.test(entry.name) && entry.name !== 'harness.ts') fixtures.push(full);
    }
  };
  walk(path.join(ROOT, 'test', 'fixtures'));
  return [...samples, ...fixtures];
}

function syntaxErrors(fileName: string, text: string): number {
  return (parseSource(fileName, text) as unknown as { parseDiagnostics?: unknown[] }).parseDiagnostics?.length ?? 0;
}

/** Where [start, end) of the old text lies in the new one; a range an edit replaced maps to what it wrote. */
function mapRange(edits: readonly TextEditSpan[], start: number, end: number): { start: number; end: number } {
  const sorted = [...edits].sort((a, b) => a.start - b.start);
  const map = (offset: number, side: 'start' | 'end') => {
    let shift = 0;
    for (const edit of sorted) {
      const delta = edit.newText.length - (edit.end - edit.start);
      if (offset > edit.end || (offset === edit.end && edit.end > edit.start) || (offset === edit.start && edit.start === edit.end && side === 'end')) {
        shift += delta;
      } else if (offset > edit.start) {
        return side === 'start' ? edit.start + shift : edit.start + shift + edit.newText.length;
      }
    }
    return offset + shift;
  };
  return { start: map(start, 'start'), end: map(end, 'end') };
}

/** Ranges of the new text the edits wrote. */
function writtenRanges(edits: readonly TextEditSpan[]): { start: number; end: number }[] {
  const sorted = [...edits].sort((a, b) => a.start - b.start);
  let shift = 0;
  const ranges: { start: number; end: number }[] = [];
  for (const edit of sorted) {
    if (edit.newText.length > 0) ranges.push({ start: edit.start + shift, end: edit.start + shift + edit.newText.length });
    shift += edit.newText.length - (edit.end - edit.start);
  }
  return ranges;
}

const overlaps = (a: { start: number; end: number }, b: { start: number; end: number }) => a.start < b.end && b.start < a.end || a.start === b.start;

/** LSP edits back to offsets in `text`. */
function toSpans(sourceFile: ts.SourceFile, edits: TextEdit[]): TextEditSpan[] {
  return edits.map((edit) => ({
    start: sourceFile.getPositionOfLineAndCharacter(edit.range.start.line, edit.range.start.character),
    end: sourceFile.getPositionOfLineAndCharacter(edit.range.end.line, edit.range.end.character),
    newText: edit.newText,
  }));
}

interface Outcome {
  file: string;
  finding: LocatedFinding;
  title: string;
  problem?: string;
}

async function applyEveryFix(fileName: string): Promise<Outcome[]> {
  const text = fs.readFileSync(fileName, 'utf8');
  const sourceFile = parseSource(fileName, text);
  const analysis = analyzeText(fileName, text);
  const uri = `file://${fileName}`;
  const provider = { getSourceFile: (name: string) => (name === fileName ? sourceFile : undefined) };
  const host: CodeActionHost = {
    document: () => ({ uri, version: 1, sourceFile }),
    analysis: async () => ({ analysis, options: {} }),
    provider,
    log: () => undefined,
  };
  const before = syntaxErrors(fileName, text);
  const outcomes: Outcome[] = [];
  for (const finding of analysis.findings) {
    const diagnostic: Diagnostic = toDiagnostic(finding, { uri, version: 1, sourceFile, provider, uriOf: () => undefined });
    const params: CodeActionParams = { textDocument: { uri }, range: diagnostic.range, context: { diagnostics: [diagnostic] } };
    for (const action of await computeCodeActions(host, params)) {
      const change = action.edit?.documentChanges?.[0];
      if (!change || !TextDocumentEdit.is(change)) continue;
      const edits = toSpans(sourceFile, change.edits.filter((edit): edit is TextEdit => 'range' in edit));
      const fixed = applySpans(text, edits);
      const outcome: Outcome = { file: path.relative(ROOT, fileName), finding, title: action.title };
      outcomes.push(outcome);
      if (syntaxErrors(fileName, fixed) > before) {
        outcome.problem = 'the fixed file does not parse';
        continue;
      }
      const place = mapRange(edits, finding.span.start, finding.span.end);
      const written = writtenRanges(edits);
      const left = analyzeText(fileName, fixed).findings.find(
        (after) =>
          after.ruleId === finding.ruleId &&
          after.modelName === finding.modelName &&
          after.group === finding.group &&
          after.mode === finding.mode &&
          SEVERITY_RANK[after.severity] <= SEVERITY_RANK[finding.severity] &&
          (overlaps(after.span, place) || written.some((range) => overlaps(after.span, range))),
      );
      if (left) outcome.problem = `still ${left.severity} at line ${left.line + 1}: ${left.message}`;
    }
  }
  return outcomes;
}

function applySpans(text: string, edits: TextEditSpan[]): string {
  let result = text;
  for (const edit of [...edits].sort((a, b) => b.start - a.start)) result = result.slice(0, edit.start) + edit.newText + result.slice(edit.end);
  return result;
}

describe('fixes: every offered quick fix removes its own finding', function () {
  this.timeout(180000);
  const outcomes: Outcome[] = [];
  before(async () => {
    for (const file of sourceFiles()) outcomes.push(...(await applyEveryFix(file)));
  });

  it('offers fixes on the samples, model fixes among them, and every finding can at least be disabled', () => {
    const titles = new Set(outcomes.map((outcome) => outcome.title));
    assert.ok(outcomes.length >= 50, `only ${outcomes.length} fixes offered`);
    assert.ok([...titles].some((title) => title.startsWith('Disable declaration-mismatch')));
    assert.ok([...titles].some((title) => title.startsWith('Use global average pooling')));
    const withoutDisable = outcomes.filter((outcome) => !outcomes.some((other) => other.finding === outcome.finding && other.title.startsWith('Disable ')));
    assert.deepEqual(withoutDisable.map((outcome) => outcome.title), []);
  });

  it('no fix leaves its own finding as severe at the same place, or breaks the syntax', () => {
    const failures = outcomes
      .filter((outcome) => outcome.problem)
      .map((outcome) => `${outcome.file}:${outcome.finding.line + 1} ${outcome.finding.ruleId} / "${outcome.title}": ${outcome.problem}`);
    assert.deepEqual(failures, []);
  });
});

describe('fixes: how the every-fix check finds the place a fix edited', () => {
  it('a range an edit replaced maps to the text the edit wrote, and later offsets shift', () => {
    const edits = [{ start: 10, end: 20, newText: 'abc' }, { start: 30, end: 30, newText: 'xy' }];
    assert.deepEqual(mapRange(edits, 12, 15), { start: 10, end: 13 });
    assert.deepEqual(mapRange(edits, 25, 35), { start: 18, end: 30 });
    assert.deepEqual(writtenRanges(edits), [{ start: 10, end: 13 }, { start: 23, end: 25 }]);
  });
});

describe('fixes: titles say what the fix does', () => {
  const titlesFor = (text: string, ruleId: string) => {
    const fileName = '/virtual/titles.ts';
    const analysis = analyzeText(fileName, text);
    const sourceFile = parseSource(fileName, text);
    return analysis.findings.filter((f) => f.ruleId === ruleId).flatMap((finding) => fixesForFinding(sourceFile, analysis, finding).map((fix) => fix.title));
  };

  it('the odd-model fix does biases and activations at once, and promises an odd model only when the analysis agrees', () => {
    const odd = `import * as tf from '@tensorflow/tfjs';
/** @symmetry equivariant sign */
export function build(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [4], units: 8, activation: 'relu' }));
  model.add(tf.layers.dense({ units: 2 }));
  return model;
}
`;
    assert.deepEqual(titlesFor(odd, 'non-odd-layer'), ['Make the model odd (useBias: false and tanh on every layer)', 'Make this layer odd (useBias: false and tanh)']);
    const pooled = odd.replace("model.add(tf.layers.dense({ units: 2 }));", "model.add(tf.layers.reshape({ targetShape: [8, 1] }));\n  model.add(tf.layers.maxPooling1d({ poolSize: 2 }));");
    // One layer to change: the model-wide fix and the one for this layer are the same edit, offered once.
    assert.deepEqual(titlesFor(pooled, 'non-odd-layer'), ['Set useBias: false and tanh on every layer']);
  });

  it('circular padding is offered on a cropping convolution while a flatten remains, and counts the layers it changes', () => {
    const fileName = path.join(ROOT, 'samples', 'mnist-cnn.ts');
    const text = fs.readFileSync(fileName, 'utf8');
    const analysis = analyzeText(fileName, text);
    const finding = analysis.findings.find((f) => f.ruleId === 'padding-boundary');
    assert.ok(finding && analysis.findings.some((f) => f.ruleId === 'flatten-breaks-invariance'));
    const [fix] = fixesForFinding(parseSource(fileName, text), analysis, finding);
    // Three valid convolutions get a pad; the cropping max pooling in the same fall is left as is.
    assert.equal(fix?.title, "Pad circularly (CircularPad2D) with a 'valid' convolution (3 layers)");
    const after = analyzeText(fileName, applySpans(text, fix.edits)).findings.map((f) => f.ruleId);
    assert.ok(!after.includes('padding-boundary') && after.includes('flatten-breaks-invariance'), after.join(', '));
  });
});
