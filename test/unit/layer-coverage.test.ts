// Proves the layer rules table is complete against the installed @tensorflow/tfjs: every
// tf.layers factory has a rule (a tfjs upgrade cannot silently add a gap), and no rule names a
// factory tfjs lacks. Also runs every rule under every group on a minimal configuration.
import assert from 'node:assert/strict';
import { GROUPS } from '../../server/src/analysis/symmetry';
import { LIBRARY_LAYER_CLASSES, TFJS_LAYER_FACTORIES, layerRuleFor } from '../../server/src/analysis/layerRules';
import { inferShapes } from '../../server/src/analysis/shapes';
import { inferDeclaration } from '../../server/src/analysis/inference';
import { declare, sequential } from './graphBuilder';

/** The base classes tf.layers exports next to its factories. */
const BASE_CLASSES = new Set(['Layer', 'RNN', 'RNNCell']);

function installedFactories(): string[] {
  // Tests may load tfjs; the static analysis never does.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const tf = require('@tensorflow/tfjs') as { layers: Record<string, unknown> };
  return Object.keys(tf.layers).filter((name) => !BASE_CLASSES.has(name));
}

describe('layer rules coverage', () => {
  const factories = installedFactories();

  it('finds the factories of the installed tfjs', () => {
    assert.ok(factories.length >= 77, `only ${factories.length} factories found`);
    assert.ok(factories.every((name) => /^[a-z]/.test(name)), 'a non-factory export slipped in');
  });

  it('has a rule for every tf.layers factory', () => {
    const missing = factories.filter((name) => !TFJS_LAYER_FACTORIES.has(name) || !layerRuleFor(name, 'tfjs'));
    assert.deepEqual(missing, []);
  });

  it('has no rule for a factory tfjs lacks', () => {
    const installed = new Set(factories);
    assert.deepEqual([...TFJS_LAYER_FACTORIES].filter((name) => !installed.has(name)), []);
  });

  it('keeps library classes apart from tfjs factories', () => {
    for (const name of LIBRARY_LAYER_CLASSES) {
      assert.equal(layerRuleFor(name, 'tfjs'), undefined, name);
      assert.ok(layerRuleFor(name, 'library'), name);
    }
    assert.equal(layerRuleFor('conv2d', 'custom'), undefined);
  });

  it('every rule gives a state under every group without throwing', () => {
    const minimal: Record<string, number | string> = { units: 4, filters: 4, kernelSize: 1, rate: 0.1, stddev: 0.1, activation: 'linear', targetShape: 4, dims: 1, n: 2, height: 4, width: 4, numTokens: 4, inputDim: 4, outputDim: 4, factor: 0.1, scale: 1 };
    for (const name of [...TFJS_LAYER_FACTORIES, ...LIBRARY_LAYER_CLASSES]) {
      const origin = LIBRARY_LAYER_CLASSES.has(name) ? 'library' : 'tfjs';
      for (const group of GROUPS) {
        // An image for the spatial groups, a set for permutation.
        const graph = sequential(group === 'permutation' ? [6, 2] : [6, 6, 2], [[name, minimal, { origin, inner: ['dense', { units: 2 }] }]]);
        const result = inferDeclaration(graph, inferShapes(graph), declare('equivariant', group));
        assert.equal(result.mismatch, undefined, `${name} under ${group}`);
        assert.equal(result.layerStates.length, 1, `${name} under ${group}`);
      }
    }
  });
});
