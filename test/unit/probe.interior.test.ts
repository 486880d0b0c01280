// The interior a translation probe judges through a border (the positions no border or shift
// seam reaches), the blame it leads to, and how a verdict that names another layer than the
// static analysis is told apart from one that agrees. No tfjs: hand-made plans and measurements.
import { strict as assert } from 'node:assert';
import type { DeclarationInference } from '../../server/src/analysis/symmetry';
import { borderReach, interiorPositions, interiorRelativeError } from '../../server/src/probe/interiorError';
import type { MeasuredModel } from '../../server/src/probe/measurement';
import type { PlanLayer } from '../../server/src/probe/plan';
import { attribute, differenceOf } from '../../server/src/probe/verdicts';

function layer(id: number, kind: string, config: PlanLayer['config'] = {}): PlanLayer {
  return { id, kind, origin: 'tfjs', config, nonConstant: [], inputs: [id], output: id + 1, line: id + 1 };
}

describe('interior of a translation probe', () => {
  it('grows the border reach by each window and divides it by each stride', () => {
    const plan = {
      inputs: [{ tensor: 0, shape: [28, 28, 1] }],
      layers: [layer(0, 'conv2d', { kernelSize: 5 }), layer(1, 'maxPooling2d', { poolSize: 2 }), layer(2, 'reLU'), layer(3, 'conv2d', { kernelSize: 3, dilationRate: 2 })],
    };
    const reach = borderReach(plan);
    assert.deepEqual(reach.get(1), [4, 4]);
    // (4 + 1) / 2, rounded up: a pooling window of 2 at stride 2.
    assert.deepEqual(reach.get(2), [3, 3]);
    assert.deepEqual(reach.get(3), [3, 3]);
    // A dilated 3x3 window spans 5 positions.
    assert.deepEqual(reach.get(4), [7, 7]);
  });

  it('keeps the positions a shift reaches without wrapping, away from the border', () => {
    // One axis of 10 positions, 2 channels; shift by 3, reach 1: positions 4..8.
    const interior = interiorPositions([10, 2], [0], [3], [1]);
    assert.ok(interior);
    assert.deepEqual([...interior.to], [4, 5, 6, 7, 8]);
    assert.deepEqual([...interior.from], [1, 2, 3, 4, 5]);
    assert.equal(interior.block, 2);
    // A shift that leaves no position the border cannot reach: no interior.
    assert.equal(interiorPositions([10, 2], [0], [8], [1]), undefined);
  });

  it('measures zero on the interior of a map that differs from the shift only at its border', () => {
    const size = 10;
    const base = Array.from({ length: size }, (_, i) => Math.sin(i + 1));
    // The "shifted model output": a true shift by 3 inside, garbage where the border reaches.
    const moved = base.map((_, c) => (c < 4 || c > 8 ? 100 : base[c - 3]));
    const data = [...base, ...moved];
    const interior = interiorPositions([size], [0], [3], [1])!;
    assert.equal(interiorRelativeError(data, size, 0, interior, () => 1e-12), 0);
    moved[6] += 1;
    assert.ok(interiorRelativeError([...base, ...moved], size, 0, interior, () => 1e-12)! > 0.1);
  });
});

/** conv (zero padding) -> conv -> flatten -> dense, measured by hand. */
function measured(): MeasuredModel {
  const row = (id: number, kind: string, whole: number | null, interior: number | null, measure: 'equivariance' | 'invariance') => ({
    id,
    kind,
    line: id + 1,
    inputs: [id],
    output: id + 1,
    relError: [whole],
    maxAbsError: [whole],
    worstElement: ['shift by (1, 0)'],
    measured: [measure],
    interiorRelError: [interior],
  });
  return {
    status: 'ok',
    layers: [row(0, 'conv2d', 1.16, 0, 'equivariance'), row(1, 'conv2d', 0.9, 1e-7, 'equivariance'), row(2, 'flatten', 0.5, null, 'invariance'), row(3, 'dense', 0.38, null, 'invariance')],
    inputTensors: [0],
    outputs: [4],
    timings: { buildMs: 0, predictMs: 0, measureMs: 0 },
    batch: 4,
  };
}

describe('blame through a border', () => {
  it('blames the first convolution on whole maps, and the flatten on the interior', () => {
    assert.equal(attribute(measured(), 0, 1e-4).blamed, 0);
    const outcome = attribute(measured(), 0, 1e-4, () => true);
    assert.equal(outcome.blamed, 2);
    assert.equal(outcome.byInterior, undefined, 'the flatten is measured for invariance, on its whole output');
    assert.equal(outcome.outputError, 0.38);
  });
});

describe('blame at a stride through a border', () => {
  /** conv (zero padding) -> maxPooling (stride 2) -> global pooling, measured by hand. */
  function strided(unalignedAtPool: number | null): MeasuredModel {
    const model = measured();
    const [conv, pool] = model.layers;
    // The interior is clean at the pool too: only shifts its stride divides have one.
    model.layers = [
      { ...conv, unalignedRelError: [null], unalignedWorstElement: [null] },
      { ...pool, kind: 'maxPooling2d', relError: [0.9], interiorRelError: [0], unalignedRelError: [unalignedAtPool], unalignedWorstElement: ['shift by (1, 0)'] },
      { ...model.layers[2], kind: 'globalAveragePooling2d', relError: [0.15] },
      { ...model.layers[3], relError: [0.12] },
    ];
    return model;
  }

  it('blames the stride by the shifts it does not divide, not the global pooling after it', () => {
    const outcome = attribute(strided(0.9), 0, 1e-4, () => true);
    assert.equal(outcome.blamed, 1);
    assert.equal(outcome.byUnalignedShift, true);
    assert.equal(outcome.byInterior, undefined);
    assert.equal(outcome.worstElement, 'shift by (1, 0)');
  });

  it('blames the layer after the stride when the stride was not measured under such a shift', () => {
    assert.equal(attribute(strided(null), 0, 1e-4, () => true).blamed, 2);
  });
});

describe('probe vs static analysis', () => {
  const inference = {
    falls: [
      { level: 'approx', cause: { code: 'zero-padding', at: { layer: 0, kind: 'conv2d' }, detail: '' }, repeats: [] },
      { level: 'broken', cause: { code: 'flatten-then-mix', at: { layer: 2, kind: 'flatten' }, detail: '' }, repeats: [] },
    ],
  } as unknown as DeclarationInference;
  const layerAt = (id: number) => ({ kind: ['conv2d', 'conv2d', 'flatten', 'dense'][id], line: id + 10 });

  it('agrees only at the same layer', () => {
    assert.equal(differenceOf(inference, 'breaks', true, false, { id: 2, kind: 'flatten', line: 12 }, layerAt), undefined);
    assert.equal(
      differenceOf(inference, 'breaks', true, false, { id: 0, kind: 'conv2d', line: 10 }, layerAt),
      'the probe blames conv2d at line 10, while the static analysis puts the break at flatten at line 12',
    );
  });

  it('agrees when the probe blames a stride the static analysis restricts to a subgroup before the break', () => {
    const strided = {
      falls: [...inference.falls, { level: 'subgroup', cause: { code: 'stride', at: { layer: 1, kind: 'maxPooling2d' }, detail: '' }, repeats: [] }],
    } as unknown as DeclarationInference;
    assert.equal(differenceOf(strided, 'breaks', true, false, { id: 1, kind: 'maxPooling2d', line: 11 }, layerAt), undefined);
    assert.match(differenceOf(strided, 'breaks', true, false, { id: 3, kind: 'dense', line: 13 }, layerAt) ?? '', /probe blames dense at line 13, while the static analysis puts the break at flatten at line 12/);
  });

  it('says which side predicts a break the other does not see', () => {
    assert.match(differenceOf(inference, 'breaks', true, true, undefined, layerAt) ?? '', /predicts an error above tol \(breaks\) that the probe does not measure/);
    assert.match(differenceOf(inference, 'holds', false, false, { id: 1, kind: 'conv2d', line: 11 }, layerAt) ?? '', /predicts no error above tol, but the probe measures one from conv2d at line 11/);
  });
});
