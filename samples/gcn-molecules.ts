// A graph convolutional network that predicts a property of a molecule from its atoms (node
// features [N, T, F]) and bonds (adjacency [N, T, T]). The atoms of a molecule have no order:
// renumbering them permutes the rows of X and both axes of A at once, which `adjacency=1`
// declares. Message passing D^-1/2 (A + I) D^-1/2 · X · W is equivariant under that joint
// permutation and a mean over the atoms makes the prediction invariant: no findings.
// gcn-ordered-readout.js reads the atoms in their file order instead.
import * as tf from '@tensorflow/tfjs';

/** Kipf-Welling graph convolution on [X, A], with self-loops and symmetric normalisation. */
export class BondConvolution extends tf.layers.Layer {
  static className = 'BondConvolution';
  private readonly units: number;
  private kernel!: tf.LayerVariable;
  private bias!: tf.LayerVariable;

  constructor(config: { units: number }) {
    super({});
    this.units = config.units;
  }

  build(inputShape: tf.Shape | tf.Shape[]): void {
    const [nodes] = inputShape as tf.Shape[];
    this.kernel = this.addWeight('kernel', [nodes[2] as number, this.units], 'float32', tf.initializers.glorotUniform({}));
    this.bias = this.addWeight('bias', [this.units], 'float32', tf.initializers.zeros());
  }

  computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const [nodes] = inputShape as tf.Shape[];
    return [nodes[0], nodes[1], this.units];
  }

  call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const [x, a] = inputs as tf.Tensor[];
      const atoms = a.shape[1] as number;
      const looped = tf.add(a, tf.eye(atoms));
      const scale = tf.rsqrt(tf.sum(looped, -1, true));
      const normalised = tf.mul(tf.mul(scale, looped), tf.transpose(scale, [0, 2, 1]));
      const messages = tf.matMul(normalised, x);
      return tf.relu(tf.add(tf.matMul(messages, this.kernel.read()), this.bias.read()));
    });
  }
}

/**
 * Solubility of a molecule of up to 12 heavy atoms, 9 features per atom.
 *
 * @symmetry invariant permutation adjacency=1
 */
export function buildSolubilityGcn(): tf.LayersModel {
  const atoms = tf.input({ shape: [12, 9] });
  const bonds = tf.input({ shape: [12, 12] });
  let h = new BondConvolution({ units: 32 }).apply([atoms, bonds]) as tf.SymbolicTensor;
  h = new BondConvolution({ units: 32 }).apply([h, bonds]) as tf.SymbolicTensor;
  const readout = tf.layers.globalAveragePooling1d({}).apply(h) as tf.SymbolicTensor;
  const solubility = tf.layers.dense({ units: 1 }).apply(readout) as tf.SymbolicTensor;
  return tf.model({ inputs: [atoms, bonds], outputs: solubility });
}

