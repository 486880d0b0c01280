// The fix must actually fix: every fix offered for the samples and for realistic models of our
// own is applied, then (1) the file type-checks against the real tfjs and layers typings and
// (2) a fresh static analysis no longer reports the finding, and (3) the probe of the fixed
// model passes the declaration.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ts } from 'ts-morph';
// The type-check uses the typescript package: its lib files are on disk, ts-morph's bundled copy has none.
import * as typescriptPackage from 'typescript';
import { analyzeText, parseSource } from '../../server/src/engine';
import { applyTextEdits, fixAllText, fixesForFinding, disableLineFix } from '../../server/src/fixes/index';
import { FileEditor } from '../../server/src/fixes/sourceEdits';
import { ProbeHost } from '../../server/src/probe/probeHost';
import { probeModel } from '../../server/src/probe/runProbes';
import { ensureServerBuilt } from './probeTestSupport';

const ROOT = path.resolve(__dirname, '../..');
// Under the repo's node_modules so module resolution finds @tensorflow/tfjs and the layers package.
const SCRATCH = path.join(ROOT, 'node_modules', '.cache', 'symmetry-lint-fix-tests');

const OWN_MODELS: Record<string, string> = {
  'pointwise-flatten.ts': `import * as tf from '@tensorflow/tfjs';
/** @symmetry invariant translation */
export function build(): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [16, 16, 3], filters: 8, kernelSize: 1, activation: 'relu' }),
      tf.layers.conv2d({ filters: 8, kernelSize: 1, activation: 'relu' }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 4 }),
    ],
  });
}
`,
  'rotation-conv.ts': `import { layers, sequential, Sequential } from '@tensorflow/tfjs';
/** @symmetry invariant rotation90 */
export function build(): Sequential {
  const model = sequential();
  model.add(layers.conv2d({ inputShape: [15, 15, 1], filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }));
  model.add(layers.globalAveragePooling2d({}));
  model.add(layers.dense({ units: 2 }));
  return model;
}
`,
  'set-conv1d.ts': `import * as tf from '@tensorflow/tfjs';
import { SetPool } from 'symmetry-lint-layers';
/** @symmetry invariant permutation */
export function build(): tf.LayersModel {
  const points = tf.input({ shape: [32, 3] });
  const features = tf.layers.conv1d({ filters: 16, kernelSize: 3, activation: 'relu' }).apply(points) as tf.SymbolicTensor;
  const pooled = new SetPool({ reduction: 'max' }).apply(features) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 1 }).apply(pooled) as tf.SymbolicTensor;
  return tf.model({ inputs: points, outputs: out });
}
`,
  'odd-relu.ts': `import * as tf from '@tensorflow/tfjs';
/** @symmetry equivariant sign */
export function build(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [4], units: 16, activation: 'relu' }));
  model.add(tf.layers.dense({ units: 2, useBias: true }));
  return model;
}
`,
  'circular.ts': `import * as tf from '@tensorflow/tfjs';
/** @symmetry invariant translation */
export function build(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [16, 16, 2], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }));
  model.add(tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same' }));
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  model.add(tf.layers.globalAveragePooling2d({}));
  return model;
}
`,
  'sequence-padding.ts': `import * as tf from '@tensorflow/tfjs';
/** @symmetry invariant translation tol=1e-2 */
export function build(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.conv1d({ inputShape: [32, 3], filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }));
  model.add(tf.layers.maxPooling1d({ poolSize: 2 }));
  model.add(tf.layers.conv1d({ filters: 8, kernelSize: 5, padding: 'same' }));
  model.add(tf.layers.globalAveragePooling1d({}));
  return model;
}
`,
  'volume-strided.ts': `import * as tf from '@tensorflow/tfjs';
/** @symmetry equivariant translation tol=1e-2 */
export function build(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.conv3d({ inputShape: [8, 8, 8, 1], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }));
  model.add(tf.layers.conv3d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same' }));
  model.add(tf.layers.maxPooling3d({ poolSize: 2 }));
  return model;
}
`,
};

interface Case {
  name: string;
  fileName: string;
  text: string;
}

function cases(): Case[] {
  const samples = fs
    .readdirSync(path.join(ROOT, 'samples'))
    .filter((name) => /\.(ts|js|mjs)$/.test(name))
    .map((name) => ({ name: `samples/${name}`, fileName: path.join(ROOT, 'samples', name), text: fs.readFileSync(path.join(ROOT, 'samples', name), 'utf8') }));
  const own = Object.entries(OWN_MODELS).map(([name, text]) => ({ name, fileName: path.join(SCRATCH, 'own', name), text }));
  return [...samples, ...own];
}

/** Type errors of the given files, in one program against the real typings. */
function typeErrors(files: Map<string, string>): Map<string, string[]> {
  fs.mkdirSync(SCRATCH, { recursive: true });
  const written: string[] = [];
  for (const [name, text] of files) {
    const target = path.join(SCRATCH, name);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, text);
    written.push(target);
  }
  const program = typescriptPackage.createProgram(written, {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    module: typescriptPackage.ModuleKind.Node16,
    moduleResolution: typescriptPackage.ModuleResolutionKind.Node16,
    target: typescriptPackage.ScriptTarget.ES2022,
    esModuleInterop: true,
    types: [],
  });
  const errors = new Map<string, string[]>();
  for (const file of written) {
    const sourceFile = program.getSourceFile(file);
    const diagnostics = sourceFile ? [...program.getSyntacticDiagnostics(sourceFile), ...program.getSemanticDiagnostics(sourceFile)] : [];
    errors.set(
      path.relative(SCRATCH, file),
      diagnostics.map((d) => typescriptPackage.flattenDiagnosticMessageText(d.messageText, '\n')),
    );
  }
  return errors;
}

describe('fixes: the fix must actually fix', function () {
  this.timeout(120000);

  const applied: { name: string; fixTitle: string; ruleId: string; modelName?: string; group?: string; preferred: boolean; fileName: string; fixed: string; scratchName: string }[] = [];
  before(() => {
    let index = 0;
    for (const entry of cases()) {
      const analysis = analyzeText(entry.fileName, entry.text);
      const sourceFile = parseSource(entry.fileName, entry.text);
      for (const finding of analysis.findings) {
        for (const fix of fixesForFinding(sourceFile, analysis, finding)) {
          const ext = path.extname(entry.fileName);
          applied.push({
            name: entry.name,
            fixTitle: fix.title,
            ruleId: finding.ruleId,
            modelName: finding.modelName,
            group: finding.group,
            preferred: fix.isPreferred,
            fileName: entry.fileName,
            fixed: applyTextEdits(entry.text, fix.edits),
            scratchName: `fixed/${index++}${ext === '.ts' ? '.ts' : '.skip'}`,
          });
        }
      }
    }
  });

  it('offers model fixes for the samples and the realistic models (the examples of issue 4)', () => {
    const titles = applied.map((fix) => `${fix.name}: ${fix.fixTitle}`);
    for (const expected of [
      'pointwise-flatten.ts: Use global average pooling instead of flatten',
      'rotation-conv.ts: Use a P4 group convolution pooled over rotations',
      'set-conv1d.ts: Use DeepSets layers (SetDense) instead of conv1d',
      'odd-relu.ts: Make the model odd (useBias: false and tanh on every layer)',
      'samples/microscopy-rotation.ts: Use a P4 group convolution pooled over rotations (3 layers)',
      'samples/mnist-cnn.ts: Use global average pooling instead of flatten',
      "sequence-padding.ts: Pad circularly (CircularPad1D) with a 'valid' convolution (2 layers)",
      'sequence-padding.ts: Reduce aliasing with BlurPool1D (approximate shift invariance)',
      "volume-strided.ts: Pad circularly (CircularPad3D) with a 'valid' convolution (2 layers)",
      'volume-strided.ts: Reduce aliasing with BlurPool3D (approximate shift equivariance)',
    ]) {
      assert.ok(titles.includes(expected), `missing fix "${expected}"; offered:\n${titles.join('\n')}`);
    }
    assert.ok(applied.length >= 20, `only ${applied.length} fixes offered`);
  });

  it('(1) every fixed TypeScript file type-checks against tfjs and symmetry-lint-layers', () => {
    const files = new Map(applied.filter((fix) => fix.scratchName.endsWith('.ts')).map((fix) => [fix.scratchName, fix.fixed]));
    const errors = typeErrors(files);
    const failures = applied
      .filter((fix) => (errors.get(fix.scratchName) ?? []).length > 0)
      .map((fix) => `${fix.name} / ${fix.fixTitle}: ${errors.get(fix.scratchName)?.join('; ')}`);
    assert.deepEqual(failures, []);
  });

  it('(2) after each preferred fix a fresh analysis no longer reports the finding', () => {
    const failures: string[] = [];
    for (const fix of applied.filter((candidate) => candidate.preferred)) {
      // BlurPool reduces aliasing but is not exact: the subgroup finding rightly stays
      // (docs/layers.md); it is the preferred fix only where PolyphasePool2D does not fit.
      // What it does change is checked in 'the 1D and 3D remedies'.
      if (/BlurPool[123]D/.test(fix.fixTitle)) continue;
      const after = analyzeText(fix.fileName, fix.fixed);
      // A file-level finding names no model: its group tells it from the file's other ones.
      const still = after.findings.filter((finding) => finding.ruleId === fix.ruleId && finding.modelName === fix.modelName && (fix.modelName !== undefined || finding.group === fix.group));
      if (fix.ruleId === 'invalid-declaration') {
        if (after.findings.filter((f) => f.ruleId === 'invalid-declaration').length >= analyzeText(fix.fileName, fs.existsSync(fix.fileName) ? fs.readFileSync(fix.fileName, 'utf8') : OWN_MODELS[path.basename(fix.fileName)]).findings.filter((f) => f.ruleId === 'invalid-declaration').length) failures.push(`${fix.name}: ${fix.fixTitle}`);
        continue;
      }
      if (still.length > 0) failures.push(`${fix.name} / ${fix.fixTitle}: still ${still.map((f) => f.message).join(' | ')}`);
    }
    assert.deepEqual(failures, []);
  });

  it('fix-all reaches a fixed point, and a second run changes nothing', () => {
    for (const entry of cases()) {
      const analyze = (sourceFile: ts.SourceFile) => analyzeText(entry.fileName, sourceFile.text);
      const once = fixAllText(entry.fileName, entry.text, analyze);
      const twice = fixAllText(entry.fileName, once.text, analyze);
      assert.equal(twice.text, once.text, `${entry.name}: a second fix-all changed the file again`);
    }
  });

  describe('(3) the probe of each fixed model passes the declaration', function () {
    this.timeout(240000);
    const host = new ProbeHost();
    after(() => host.dispose());

    /**
     * A fixed model is due to pass its probe when the fresh static analysis reports nothing left
     * for that declaration (info-level gaps aside): then the probe must agree, numerically.
     */
    async function probeIfClean(fileName: string, text: string, group: string | undefined, label: string, failures: string[], probed: string[]) {
      const analysis = analyzeText(fileName, text);
      const sourceFile = parseSource(fileName, text);
      for (const model of analysis.models) {
        for (const declaration of model.declarations) {
          if (group && declaration.group !== group) continue;
          // A blur pool's finding is info under an approximate declaration, yet it says the model
          // is still off by aliasing (measured 2e-2 to 2e-1 on these small models, docs/layers.md):
          // whether that is within tol is the probe's verdict on the model, not on the fix.
          const left = model.findings.filter((f) => f.group === declaration.group && (f.severity !== 'info' || f.ruleId === 'strided-aliasing'));
          if (left.length > 0) continue;
          const { report } = await probeModel(host, model, sourceFile, { timeoutMs: 60000, maxParameters: 2e7 });
          if (report.status !== 'ok') continue;
          const verdict = report.verdicts.find((v) => v.group === declaration.group && v.mode === declaration.mode);
          if (!verdict) continue;
          probed.push(`${label} (${declaration.mode} ${declaration.group})`);
          if (!verdict.passed) failures.push(`${label}: ${declaration.mode} ${declaration.group} measured ${verdict.maxRelError.toExponential(2)} at line ${verdict.breakingLayerLine} (tol ${verdict.tol})`);
        }
      }
    }

    it('after each preferred fix that leaves nothing static to report', async () => {
      ensureServerBuilt();
      const failures: string[] = [];
      const probed: string[] = [];
      for (const fix of applied.filter((candidate) => candidate.preferred && candidate.ruleId !== 'invalid-declaration')) {
        const finding = analyzeText(fix.fileName, fs.existsSync(fix.fileName) ? fs.readFileSync(fix.fileName, 'utf8') : OWN_MODELS[path.basename(fix.fileName)]).findings.find((f) => f.ruleId === fix.ruleId);
        await probeIfClean(fix.fileName, fix.fixed, finding?.group, `${fix.name} / ${fix.fixTitle}`, failures, probed);
      }
      assert.deepEqual(failures, []);
      // The examples of issue 4 must be among the fixes that were probed.
      for (const example of ['pointwise-flatten.ts', 'rotation-conv.ts', 'set-conv1d.ts', 'odd-relu.ts']) {
        assert.ok(probed.some((entry) => entry.startsWith(example)), `${example} was not probed after its fix; probed:\n${probed.join('\n')}`);
      }
    });

    it('after fix-all on every sample and model', async () => {
      ensureServerBuilt();
      const failures: string[] = [];
      const probed: string[] = [];
      for (const entry of cases()) {
        const fixed = fixAllText(entry.fileName, entry.text, (sourceFile) => analyzeText(entry.fileName, sourceFile.text));
        await probeIfClean(entry.fileName, fixed.text, undefined, `${entry.name} (fix-all)`, failures, probed);
      }
      assert.deepEqual(failures, []);
      assert.ok(probed.length >= 8, `only ${probed.length} fixed declarations were clean enough to probe:\n${probed.join('\n')}`);
    });
  });

  describe('quick fixes in every import style (issue 8)', () => {
    /** The preferred fix of `ruleId`, applied; the fixed text must parse and re-analyse clean. */
    const preferredFix = (fileName: string, text: string, ruleId: string) => {
      const analysis = analyzeText(fileName, text);
      const finding = analysis.findings.find((f) => f.ruleId === ruleId);
      assert.ok(finding, `no ${ruleId} finding in\n${text}`);
      const fix = fixesForFinding(parseSource(fileName, text), analysis, finding).find((candidate) => candidate.isPreferred);
      assert.ok(fix, `no preferred fix for ${ruleId} in\n${text}`);
      const fixed = applyTextEdits(text, fix.edits);
      const parsed = ts.createSourceFile(fileName, fixed, ts.ScriptTarget.ES2022, true, fileName.endsWith('.ts') ? ts.ScriptKind.TS : ts.ScriptKind.JS);
      assert.equal((parsed as unknown as { parseDiagnostics: unknown[] }).parseDiagnostics.length, 0, `the fixed text does not parse:\n${fixed}`);
      const left = analyzeText(fileName, fixed).findings.filter((f) => f.ruleId === ruleId);
      assert.deepEqual(left.map((f) => f.message), [], `still reported after "${fix.title}":\n${fixed}`);
      return { fix, fixed };
    };
    const body = (conv: string, flatten: string, dense: string) =>
      `[${conv}({ inputShape: [16, 16, 3], filters: 8, kernelSize: 1 }), ${flatten}(), ${dense}({ units: 4 })]`;

    const flattenStyles: { name: string; fileName: string; text: string; expected: RegExp[] }[] = [
      {
        name: 'factories destructured from tf.layers: the namespace they come from',
        fileName: 'destructured.ts',
        text: `import * as tf from '@tensorflow/tfjs';\nconst { conv2d, flatten, dense } = tf.layers;\n/** @symmetry invariant translation */\nexport function build(): tf.Sequential {\n  return tf.sequential({ layers: ${body('conv2d', 'flatten', 'dense')} });\n}\n`,
        expected: [/conv2d\(\{[^)]*\}\), tf\.layers\.globalAveragePooling2d\(\{\}\), dense/],
      },
      {
        name: 'a destructured global pooling factory is reused',
        fileName: 'destructured-pool.ts',
        text: `import * as tf from '@tensorflow/tfjs';\nconst { conv2d, flatten, dense, globalAveragePooling2d: gap } = tf.layers;\n/** @symmetry invariant translation */\nexport function build(): tf.Sequential {\n  return tf.sequential({ layers: ${body('conv2d', 'flatten', 'dense')} });\n}\nexport const unused = gap;\n`,
        expected: [/\), gap\(\{\}\), dense/],
      },
      {
        name: "named import { layers } from '@tensorflow/tfjs'",
        fileName: 'named.ts',
        text: `import { layers, sequential, Sequential } from '@tensorflow/tfjs';\n/** @symmetry invariant translation */\nexport function build(): Sequential {\n  return sequential({ layers: ${body('layers.conv2d', 'layers.flatten', 'layers.dense')} });\n}\n`,
        expected: [/layers\.globalAveragePooling2d\(\{\}\)/],
      },
      {
        name: 'named import { layers as L }, factories destructured from L inside the function',
        fileName: 'aliased.ts',
        text: `import { layers as L, sequential, Sequential } from '@tensorflow/tfjs';\n/** @symmetry invariant translation */\nexport function build(): Sequential {\n  const { flatten } = L;\n  return sequential({ layers: ${body('L.conv2d', 'flatten', 'L.dense')} });\n}\n`,
        expected: [/\), L\.globalAveragePooling2d\(\{\}\), L\.dense/],
      },
      {
        name: "CommonJS const { layers } = require('@tensorflow/tfjs')",
        fileName: 'required-layers.js',
        text: `const { layers, sequential } = require('@tensorflow/tfjs');\n/** @symmetry invariant translation */\nfunction build() {\n  return sequential({ layers: ${body('layers.conv2d', 'layers.flatten', 'layers.dense')} });\n}\nmodule.exports = { build };\n`,
        expected: [/layers\.globalAveragePooling2d\(\{\}\)/],
      },
      {
        name: "CommonJS const tf = require('@tensorflow/tfjs')",
        fileName: 'required-namespace.js',
        text: `const tf = require('@tensorflow/tfjs');\n/** @symmetry invariant translation */\nfunction build() {\n  const model = tf.sequential();\n  model.add(tf.layers.conv2d({ inputShape: [16, 16, 3], filters: 8, kernelSize: 1 }));\n  model.add(tf.layers.flatten());\n  model.add(tf.layers.dense({ units: 4 }));\n  return model;\n}\nmodule.exports = { build };\n`,
        expected: [/model\.add\(tf\.layers\.globalAveragePooling2d\(\{\}\)\);/],
      },
      {
        name: "CommonJS factories destructured from require('@tensorflow/tfjs').layers: the pattern grows",
        fileName: 'required-factories.js',
        text: `const { conv2d, flatten, dense } = require('@tensorflow/tfjs').layers;\nconst { sequential } = require('@tensorflow/tfjs');\n/** @symmetry invariant translation */\nfunction build() {\n  return sequential({ layers: ${body('conv2d', 'flatten', 'dense')} });\n}\nmodule.exports = { build };\n`,
        expected: [/const \{ conv2d, flatten, dense, globalAveragePooling2d \} = require\('@tensorflow\/tfjs'\)\.layers;/, /\), globalAveragePooling2d\(\{\}\), dense/],
      },
    ];
    for (const style of flattenStyles) {
      it(`flatten -> global pooling: ${style.name}`, () => {
        const { fixed } = preferredFix(path.join(SCRATCH, 'styles', style.fileName), style.text, 'flatten-breaks-invariance');
        for (const pattern of style.expected) assert.match(fixed, pattern);
      });
    }

    it('global pooling appended after a library layer uses the file\'s tfjs import, adding `layers` to a named import', () => {
      const withLayers = `import { layers, sequential } from '@tensorflow/tfjs';\nimport { BlurPool2D } from 'symmetry-lint-layers';\n/** @symmetry invariant translation */\nexport function build() {\n  return sequential({ layers: [layers.conv2d({ inputShape: [16, 16, 3], filters: 8, kernelSize: 1 }), new BlurPool2D({ stride: 2 })] });\n}\n`;
      assert.match(preferredFix('/virtual/append.ts', withLayers, 'output-not-invariant').fixed, /new BlurPool2D\(\{ stride: 2 \}\), layers\.globalAveragePooling2d\(\{\}\)\]/);
      const withoutLayers = `import { sequential } from '@tensorflow/tfjs';\nimport { CircularPad2D } from 'symmetry-lint-layers';\n/** @symmetry invariant translation */\nexport function build() {\n  return sequential({ layers: [new CircularPad2D({ inputShape: [16, 16, 3] })] });\n}\n`;
      const { fixed } = preferredFix('/virtual/append-import.ts', withoutLayers, 'output-not-invariant');
      assert.match(fixed, /import \{ sequential, layers \} from '@tensorflow\/tfjs';/);
      assert.match(fixed, /new CircularPad2D\(\{ inputShape: \[16, 16, 3\] \}\), layers\.globalAveragePooling2d\(\{\}\)\]/);
      const commonJs = `const { sequential } = require('@tensorflow/tfjs-node');\nconst sl = require('symmetry-lint-layers');\n/** @symmetry invariant translation */\nfunction build() {\n  const model = sequential();\n  model.add(new sl.CircularPad1D({ inputShape: [16, 3] }));\n  return model;\n}\nmodule.exports = { build };\n`;
      const required = preferredFix('/virtual/append-require.js', commonJs, 'output-not-invariant').fixed;
      assert.match(required, /const \{ sequential, layers \} = require\('@tensorflow\/tfjs-node'\);/);
      assert.match(required, /model\.add\(layers\.globalAveragePooling1d\(\{\}\)\);/);
    });

    const libraryStyles: { name: string; fileName: string; text: string; expected: RegExp[] }[] = [
      {
        name: 'ESM with factories destructured from tf.layers: a namespace import',
        fileName: 'lib-destructured.ts',
        text: `import * as tf from '@tensorflow/tfjs';\nconst { conv2d, globalAveragePooling2d } = tf.layers;\n/** @symmetry invariant translation */\nexport function build(): tf.Sequential {\n  return tf.sequential({ layers: [conv2d({ inputShape: [16, 16, 3], filters: 8, kernelSize: 3, padding: 'same' }), globalAveragePooling2d({})] });\n}\n`,
        expected: [/^import \* as tf from '@tensorflow\/tfjs';\nimport \* as sl from 'symmetry-lint-layers';\n/, /new sl\.CircularPad2D\(\{ padding: 1, inputShape: \[16, 16, 3\] \}\), conv2d\(\{ filters: 8, kernelSize: 3, padding: 'valid' \}\)/],
      },
      {
        name: 'ESM named imports: named library imports',
        fileName: 'lib-named.ts',
        text: `import { layers as L, sequential } from '@tensorflow/tfjs';\n/** @symmetry invariant translation */\nexport function build() {\n  return sequential({ layers: [L.conv2d({ inputShape: [16, 16, 3], filters: 8, kernelSize: 3, padding: 'same' }), L.globalAveragePooling2d({})] });\n}\n`,
        expected: [/import \{ CircularPad2D \} from 'symmetry-lint-layers';/, /new CircularPad2D\(\{ padding: 1, inputShape/],
      },
      {
        name: "CommonJS const { layers } = require(...): a require",
        fileName: 'lib-required.js',
        text: `'use strict';\nconst { layers, sequential } = require('@tensorflow/tfjs');\n/** @symmetry invariant translation */\nfunction build() {\n  return sequential({ layers: [layers.conv2d({ inputShape: [16, 16, 3], filters: 8, kernelSize: 3, padding: 'same' }), layers.globalAveragePooling2d({})] });\n}\nmodule.exports = { build };\n`,
        expected: [/const \{ layers, sequential \} = require\('@tensorflow\/tfjs'\);\nconst sl = require\('symmetry-lint-layers'\);/, /new sl\.CircularPad2D/],
      },
    ];
    for (const style of libraryStyles) {
      it(`zero padding -> CircularPad2D: ${style.name}`, () => {
        const { fixed } = preferredFix(path.join(SCRATCH, 'styles', style.fileName), style.text, 'padding-boundary');
        for (const pattern of style.expected) assert.match(fixed, pattern);
      });
    }

    it('every fixed TypeScript style type-checks against tfjs and symmetry-lint-layers', () => {
      const files = new Map<string, string>();
      for (const style of [...flattenStyles, ...libraryStyles].filter((entry) => entry.fileName.endsWith('.ts'))) {
        const ruleId = flattenStyles.includes(style) ? 'flatten-breaks-invariance' : 'padding-boundary';
        files.set(`styles/${style.fileName}`, preferredFix(path.join(SCRATCH, 'styles', style.fileName), style.text, ruleId).fixed);
      }
      const errors = [...typeErrors(files)].filter(([, messages]) => messages.length > 0);
      assert.deepEqual(errors, []);
    });
  });

  describe('the 1D and 3D remedies (issue 8)', () => {
    const fixesOf = (name: string, ruleId: string) => {
      const text = OWN_MODELS[name];
      const fileName = path.join(SCRATCH, 'own', name);
      const analysis = analyzeText(fileName, text);
      const findings = analysis.findings.filter((f) => f.ruleId === ruleId);
      assert.ok(findings.length > 0, `${name}: no ${ruleId}`);
      return findings.flatMap((finding) => fixesForFinding(parseSource(fileName, text), analysis, finding).map((fix) => ({ fix, fixed: applyTextEdits(text, fix.edits), after: analyzeText(fileName, applyTextEdits(text, fix.edits)) })));
    };

    for (const [name, rank] of [['sequence-padding.ts', 1], ['volume-strided.ts', 3]] as const) {
      it(`${name}: CircularPad${rank}D + 'valid' removes every zero-padding finding`, () => {
        const [entry] = fixesOf(name, 'padding-boundary');
        assert.ok(entry && entry.fix.isPreferred);
        assert.match(entry.fixed, new RegExp(`new sl\\.CircularPad${rank}D\\(\\{ padding: 1, inputShape: \\[`));
        assert.doesNotMatch(entry.fixed, /padding: 'same'/);
        assert.deepEqual(entry.after.findings.filter((f) => f.ruleId === 'padding-boundary').map((f) => f.message), []);
      });

      it(`${name}: BlurPool${rank}D replaces the strided layer; the finding stays, now on the anti-aliased layer and info`, () => {
        const entries = fixesOf(name, 'strided-aliasing');
        const blur = entries.find((entry) => /^Reduce aliasing with BlurPool[123]D \(approximate shift (invariance|equivariance)\)$/.test(entry.fix.title));
        assert.ok(blur, entries.map((entry) => entry.fix.title).join('\n'));
        assert.ok(blur.fix.isPreferred, 'no PolyphasePool outside 2D: BlurPool is the preferred fix');
        assert.ok(!entries.some((entry) => /PolyphasePool/.test(entry.fix.title)));
        // The title promises anti-aliasing, not exactness (layers.test.ts measures the reduction):
        // the subgroup finding stays, blamed on the BlurPool layer and no longer on a plain stride.
        const before = analyzeText(path.join(SCRATCH, 'own', name), OWN_MODELS[name]).findings.filter((f) => f.ruleId === 'strided-aliasing');
        const after = blur.after.findings.filter((f) => f.ruleId === 'strided-aliasing');
        assert.ok(after.length <= before.length);
        // Under the approximate declaration it is info, and it names what is exact instead of
        // recommending the blur pool again.
        assert.ok(
          after.length > 0 && after.every((f) => f.severity === 'info' && f.message.includes(`BlurPool${rank}D blurs before it downsamples`) && f.message.includes('only stride 1 makes it exact')),
          after.map((f) => f.message).join('\n'),
        );
      });
    }

    it('1D strided convolution: stride 1 and a BlurPool1D after it', () => {
      const text = `import * as tf from '@tensorflow/tfjs';\n/** @symmetry invariant translation tol=1e-2 */\nexport function build(): tf.Sequential {\n  return tf.sequential({ layers: [tf.layers.conv1d({ inputShape: [32, 2], filters: 4, kernelSize: 1, strides: 2 }), tf.layers.globalAveragePooling1d({})] });\n}\n`;
      const analysis = analyzeText('/virtual/stride1d.ts', text);
      const finding = analysis.findings.find((f) => f.ruleId === 'strided-aliasing');
      assert.ok(finding);
      const [fix] = fixesForFinding(parseSource('/virtual/stride1d.ts', text), analysis, finding);
      assert.equal(fix?.title, 'Reduce aliasing with BlurPool1D (approximate shift invariance)');
      // Under an exact declaration the blur pool would leave the warning as it is: not offered.
      const exactText = text.replace(' tol=1e-2', '');
      const exact = analyzeText('/virtual/stride1d.ts', exactText);
      const exactFinding = exact.findings.find((f) => f.ruleId === 'strided-aliasing');
      assert.ok(exactFinding);
      assert.deepEqual(fixesForFinding(parseSource('/virtual/stride1d.ts', exactText), exact, exactFinding).map((f) => f.title), []);
      assert.match(applyTextEdits(text, fix.edits), /kernelSize: 1, strides: 1 \}\), new sl\.BlurPool1D\(\{ stride: 2 \}\), tf\.layers\.globalAveragePooling1d/);
    });

    it('refuses what it cannot write exactly: a causal conv1d, an even kernel', () => {
      for (const layer of [
        "tf.layers.conv1d({ inputShape: [32, 2], filters: 4, kernelSize: 3, padding: 'causal' })",
        "tf.layers.conv1d({ inputShape: [32, 2], filters: 4, kernelSize: 4, padding: 'same' })",
      ]) {
        const text = `import * as tf from '@tensorflow/tfjs';\n/** @symmetry equivariant translation */\nexport function build(): tf.Sequential {\n  return tf.sequential({ layers: [${layer}] });\n}\n`;
        const analysis = analyzeText('/virtual/refused.ts', text);
        const finding = analysis.findings.find((f) => f.ruleId === 'padding-boundary');
        assert.ok(finding, layer);
        assert.deepEqual(fixesForFinding(parseSource('/virtual/refused.ts', text), analysis, finding).map((fix) => fix.title), [], layer);
      }
    });
  });

  describe('edit style and refusals', () => {
    const fixOf = (text: string, fileName = '/virtual/model.ts') => {
      const analysis = analyzeText(fileName, text);
      const sourceFile = parseSource(fileName, text);
      return analysis.findings.flatMap((finding) => fixesForFinding(sourceFile, analysis, finding).map((fix) => ({ finding, fix, result: applyTextEdits(text, fix.edits) })));
    };

    it('CommonJS files get require, and an existing named import is extended', () => {
      const cjs = `const tf = require('@tensorflow/tfjs');
/** @symmetry invariant rotation90 */
function build() {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [9, 9, 1], filters: 4, kernelSize: 3, padding: 'same' }));
  model.add(tf.layers.globalMaxPooling2d({}));
  return model;
}
module.exports = { build };
`;
      const [first] = fixOf(cjs, '/virtual/model.js');
      assert.match(first.result, /const sl = require\('symmetry-lint-layers'\);/);
      assert.match(first.result, /new sl\.P4ConvLifting2D\(\{ inputShape: \[9, 9, 1\]/);
      const named = OWN_MODELS['set-conv1d.ts'];
      const fixed = fixOf(named).find((entry) => entry.fix.isPreferred);
      assert.ok(fixed);
      assert.match(fixed.result, /import \{ SetPool, SetDense \} from 'symmetry-lint-layers';/);
      assert.match(fixed.result, /new SetDense\(\{ units: 16, activation: 'relu' \}\)\.apply\(points\)/);
    });

    it('double quotes and multi-line configs keep their layout', () => {
      const text = `import * as tf from "@tensorflow/tfjs";
/** @symmetry equivariant sign */
export function build(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.dense({
    inputShape: [3],
    units: 4,
    activation: "relu",
  }));
  return model;
}
`;
      const preferred = fixOf(text).find((entry) => entry.fix.isPreferred);
      assert.ok(preferred);
      assert.match(preferred.result, /\n    activation: "tanh",\n    useBias: false,\n  \}\)\);/);
    });

    it('a layer created in a helper (called twice) gets no model fix, only disable and docs', () => {
      const helper = `import * as tf from '@tensorflow/tfjs';
function block(model: tf.Sequential): void {
  model.add(tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same' }));
}
/** @symmetry invariant translation */
export function build(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.inputLayer({ inputShape: [8, 8, 1] }));
  block(model);
  block(model);
  model.add(tf.layers.globalAveragePooling2d({}));
  return model;
}
`;
      const analysis = analyzeText('/virtual/helper.ts', helper);
      assert.ok(analysis.findings.some((f) => f.ruleId === 'padding-boundary'));
      assert.deepEqual(fixOf(helper).map((entry) => entry.fix.title), []);
    });

    it('disable-next-line is indented like the line and silences exactly that rule', () => {
      const text = OWN_MODELS['pointwise-flatten.ts'];
      const analysis = analyzeText('/virtual/a.ts', text);
      const finding = analysis.findings.find((f) => f.ruleId === 'flatten-breaks-invariance');
      assert.ok(finding);
      const fix = disableLineFix(new FileEditor(parseSource('/virtual/a.ts', text)), finding);
      const result = applyTextEdits(text, fix.edits);
      assert.match(result, /\n      \/\/ symmetry-lint-disable-next-line flatten-breaks-invariance\n      tf\.layers\.flatten\(\),/);
      assert.equal(analyzeText('/virtual/a.ts', result).findings.filter((f) => f.ruleId === 'flatten-breaks-invariance').length, 0);
    });
  });
});
