// Tests of the CLI's report building on a hand-made engine result: SPEC 8 JSON shape with
// 1-based positions, layers in order, and the rule for findings outside any model.
import * as assert from 'node:assert/strict';
import type { LayerNode, ModelGraph, SourceSpan } from '../../server/src/analysis/graph';
import type { SymmetryDeclaration } from '../../server/src/analysis/symmetry';
import { buildFileReport, toJsonReport } from '../../server/src/cli/report';
import { formatText } from '../../server/src/cli/formatText';
import type { FileAnalysis, LocatedFinding } from '../../server/src/engine';
import type { Finding } from '../../server/src/rules/rule';
import { parseSourceFile } from '../../server/src/workspace/documents';

const FILE = '/project/src/model.ts';
const TEXT = `import * as tf from '@tensorflow/tfjs';

/**
 * @symmetry invariant translation
 * @symmetry invarient flip
 */
export function buildClassifier() {
  return tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 3 }),
    tf.layers.flatten(),
    tf.layers.dense({ units: 10 }),
  ] });
}

/** @symmetry equivariant sigh */
export const notAModel = 3;
`;

function spanOf(needle: string, occurrence = 0): SourceSpan {
  let start = -1;
  for (let i = 0; i <= occurrence; i++) start = TEXT.indexOf(needle, start + 1);
  assert.ok(start >= 0, `fixture text contains ${needle}`);
  return { file: FILE, start, end: start + needle.length };
}

function layer(id: number, kind: string, call: string): LayerNode {
  const span = spanOf(call);
  return { id, kind, origin: 'tfjs', config: { values: {} }, inputs: [id], output: id + 1, span, nameSpan: span, callStack: [] };
}

function finding(ruleId: string, span: SourceSpan, extra: Partial<Finding> = {}): LocatedFinding {
  // The report computes its own 1-based positions from the span; these stay unused.
  const unusedPosition = { line: -1, character: -1, endLine: -1, endCharacter: -1 };
  return { ruleId, severity: 'error', message: `${ruleId} here`, messageId: 'm', span, related: [], data: {}, ...unusedPosition, ...extra };
}

function fixture(): FileAnalysis {
  const docText = TEXT.slice(TEXT.indexOf('/**'), TEXT.indexOf('*/') + 2);
  const graph: ModelGraph = {
    name: 'buildClassifier',
    nameSpan: spanOf('buildClassifier'),
    creationSpan: spanOf('tf.sequential'),
    construction: 'sequential',
    inputs: [],
    tensors: [{ id: 0 }, { id: 1, producer: 0 }, { id: 2, producer: 1 }, { id: 3, producer: 2 }],
    layers: [layer(0, 'conv2d', 'tf.layers.conv2d'), layer(1, 'flatten', 'tf.layers.flatten'), layer(2, 'dense', 'tf.layers.dense')],
    outputs: [3],
    gaps: [],
    docComments: [{ text: docText, span: { file: FILE, start: TEXT.indexOf('/**'), end: TEXT.indexOf('*/') + 2 } }],
  };
  const declaration: SymmetryDeclaration = {
    mode: 'invariant',
    group: 'translation',
    axis: 1,
    tol: 1e-4,
    approximate: false,
    span: spanOf('@symmetry invariant translation'),
    fromCommandLine: false,
    text: 'invariant translation',
  };
  const flattenFinding = finding('flatten-breaks-invariance', spanOf('tf.layers.flatten()'), {
    group: 'translation',
    mode: 'invariant',
    modelName: 'buildClassifier',
    related: [{ span: spanOf('tf.layers.dense({ units: 10 })'), message: 'the mixing layer' }],
  });
  // The engine lists a model's bad tag only at file level: the report must move it.
  const badTag = finding('invalid-declaration', spanOf('invarient'));
  const orphanTag = finding('invalid-declaration', spanOf('sigh'), { severity: 'error' });
  const paddingFinding = finding('padding-boundary', spanOf('tf.layers.conv2d'), { severity: 'warning', group: 'translation', modelName: 'buildClassifier' });
  return {
    fileName: FILE,
    models: [{ graph, shapes: [], declarations: [declaration], inferences: [], findings: [flattenFinding, paddingFinding] }],
    findings: [badTag, paddingFinding, flattenFinding, orphanTag],
  };
}

describe('CLI report (SPEC 8 JSON)', () => {
  const sourceFile = parseSourceFile(FILE, TEXT);
  const provider = { getSourceFile: (name: string) => (name === FILE ? sourceFile : undefined) };

  it('has the SPEC 8 shape with 1-based lines and columns and layers in data-flow order', () => {
    const report = toJsonReport([buildFileReport({ path: 'src/model.ts', sourceFile, analysis: fixture() }, provider, '/project')]);
    assert.deepEqual(Object.keys(report), ['files']);
    const [file] = report.files;
    assert.equal(file.path, 'src/model.ts');
    const [model] = file.models;
    assert.deepEqual(Object.keys(model).sort(), ['declared', 'findings', 'layers', 'line', 'name']);
    assert.equal(model.name, 'buildClassifier');
    assert.equal(model.line, 7);
    assert.deepEqual(model.declared, [{ mode: 'invariant', group: 'translation' }]);
    assert.deepEqual(model.layers, [
      { kind: 'conv2d', line: 9 },
      { kind: 'flatten', line: 10 },
      { kind: 'dense', line: 11 },
    ]);
    const flatten = model.findings.find((f) => f.ruleId === 'flatten-breaks-invariance');
    assert.deepEqual(flatten, {
      ruleId: 'flatten-breaks-invariance',
      severity: 'error',
      message: 'flatten-breaks-invariance here',
      line: 10,
      column: 5,
      endLine: 10,
      endColumn: 24,
      group: 'translation',
    });
  });

  it("puts a model's own declaration problem in the model, the rest at file level, each once", () => {
    const [file] = toJsonReport([buildFileReport({ path: 'src/model.ts', sourceFile, analysis: fixture() }, provider, '/project')]).files;
    const modelRules = file.models[0].findings.map((f) => `${f.ruleId}@${f.line}`);
    assert.deepEqual(modelRules, ['invalid-declaration@5', 'padding-boundary@9', 'flatten-breaks-invariance@10']);
    assert.deepEqual(
      file.findings.map((f) => `${f.ruleId}@${f.line}:${f.column}`),
      ['invalid-declaration@15:27'],
    );
    assert.equal(file.findings[0].group, null);
  });

  it('renders text in the stylish layout with a summary', () => {
    const text = formatText([buildFileReport({ path: 'src/model.ts', sourceFile, analysis: fixture() }, provider, '/project')]);
    const lines = text.trimEnd().split('\n');
    assert.equal(lines[0], 'src/model.ts');
    assert.match(lines[1], /^ {2}5:14\s+error\s+invalid-declaration here\s+invalid-declaration$/);
    assert.match(lines[lines.length - 1], /4 problems \(3 errors, 1 warning, 0 infos\)/);
  });
});
