// Message passing over the bonds of a molecule, then a readout that reads the atoms in the
// order the file lists them (flatten, then dense): renumbering the atoms changes the
// prediction, so the declared invariance under the joint permutation of atoms and bonds breaks
// at the flatten. The mean readout of gcn-molecules.ts keeps it.
import * as tf from '@tensorflow/tfjs';

/** Sums the neighbours' features (A·X), then a weight on the features. */
class NeighbourSum extends tf.layers.Layer {
  constructor(config) {
    super(config);
    this.units = config.units;
  }

  build(inputShape) {
    this.kernel = this.addWeight('kernel', [inputShape[0][2], this.units], 'float32', tf.initializers.glorotUniform({}));
  }

  computeOutputShape(inputShape) {
    return [inputShape[0][0], inputShape[0][1], this.units];
  }

  call(inputs) {
    return tf.tidy(() => {
      const [atoms, bonds] = inputs;
      return tf.tanh(tf.matMul(tf.matMul(bonds, atoms), this.kernel.read()));
    });
  }

  static get className() {
    return 'NeighbourSum';
  }
}

/**
 * Toxicity of a molecule of up to 10 heavy atoms, 6 features per atom.
 *
 * @symmetry invariant permutation adjacency=1
 */
export function buildOrderedReadoutGcn() {
  const atoms = tf.input({ shape: [10, 6] });
  const bonds = tf.input({ shape: [10, 10] });
  const h = new NeighbourSum({ units: 16 }).apply([atoms, bonds]);
  const flat = tf.layers.flatten().apply(h); // expect: order-dependent-layer
  const toxicity = tf.layers.dense({ units: 1, activation: 'sigmoid' }).apply(flat);
  return tf.model({ inputs: [atoms, bonds], outputs: toxicity });
}
