// The remedies messages name follow the rank of the layer: CircularPad1D for a conv1d,
// BlurPool3D for a conv3d, the 2D layers when the kind names no rank.
import { strict as assert } from 'node:assert';
import { kernelRemedy, offsetRemedy, remediesFor, spatialRankOfKind } from '../../server/src/rules/remedies';

describe('remedies by layer rank', () => {
  it('reads the rank from the layer kind', () => {
    assert.equal(spatialRankOfKind('conv1d'), 1);
    assert.equal(spatialRankOfKind('maxPooling3d'), 3);
    assert.equal(spatialRankOfKind('P4Conv2D'), 2);
    assert.equal(spatialRankOfKind('conv2dTranspose'), 2);
    assert.equal(spatialRankOfKind('dense'), undefined);
  });

  it('names circular padding and blur pooling of that rank', () => {
    assert.deepEqual(remediesFor('conv1d'), { circularPad: 'CircularPad1D', downsampling: 'BlurPool1D (anti-aliased)' });
    assert.deepEqual(remediesFor('averagePooling3d'), { circularPad: 'CircularPad3D', downsampling: 'BlurPool3D (anti-aliased)' });
    assert.deepEqual(remediesFor('maxPooling2d'), { circularPad: 'CircularPad2D', downsampling: 'BlurPool2D (anti-aliased) or PolyphasePool2D (exact)' });
  });

  it('falls back on the input rank, then on 2D', () => {
    assert.equal(remediesFor('ChannelShuffle', 1).circularPad, 'CircularPad1D');
    assert.equal(remediesFor('ChannelShuffle', 3).downsampling, 'BlurPool3D (anti-aliased)');
    assert.equal(remediesFor('ChannelShuffle').circularPad, 'CircularPad2D');
  });

  it('points a blur pool to the exact pooling, not to itself', () => {
    assert.equal(remediesFor('BlurPool2D').downsampling, 'PolyphasePool2D (exact)');
  });

  it('picks the offset and kernel remedies of the layer', () => {
    assert.equal(offsetRemedy('batchNormalization'), 'center: false');
    assert.equal(offsetRemedy('dense'), 'useBias: false');
    assert.equal(kernelRemedy('rotation90', 'conv2d'), 'use P4 group convolutions or GroupAveraging');
    assert.equal(kernelRemedy('flip', 'conv1d'), 'wrap the model in GroupAveraging');
    assert.equal(kernelRemedy('dihedral', 'P4ConvLifting2D'), 'wrap the model in GroupAveraging');
  });
});
