// A graph network on molecules with the library's GraphConv: atoms are the nodes, bonds the
// adjacency. Message passing A·X·W moves with the atoms when the atoms are renumbered and the
// bond matrix with them (X -> P·X, A -> P·A·Pᵀ), so a summed readout predicts the same property
// for any numbering. The second model reads the atoms by their index and does not.
import * as tf from '@tensorflow/tfjs';
import { GraphConv, SetPool } from 'symmetry-lint-layers';

const MAX_ATOMS = 9;
const ATOM_FEATURES = 5;

/**
 * Predicts a molecular property (solubility, say) from atom features and bonds.
 *
 * @symmetry invariant permutation adjacency=1
 */
export function buildMoleculeRegressor(): tf.LayersModel {
  const atoms = tf.input({ shape: [MAX_ATOMS, ATOM_FEATURES], name: 'atoms' });
  const bonds = tf.input({ shape: [MAX_ATOMS, MAX_ATOMS], name: 'bonds' });
  let h = new GraphConv({ units: 16, activation: 'relu' }).apply([atoms, bonds]) as tf.SymbolicTensor;
  h = new GraphConv({ units: 16, activation: 'relu' }).apply([h, bonds]) as tf.SymbolicTensor;
  const molecule = new SetPool({ reduction: 'sum' }).apply(h) as tf.SymbolicTensor;
  const property = tf.layers.dense({ units: 1 }).apply(molecule) as tf.SymbolicTensor;
  return tf.model({ inputs: [atoms, bonds], outputs: property });
}

/**
 * The same network with a readout that flattens the atoms: atom 0's features meet other
 * weights than atom 1's, so the prediction depends on how the atoms were numbered.
 *
 * @symmetry invariant permutation adjacency=1
 */
export function buildIndexedReadout(): tf.LayersModel {
  const atoms = tf.input({ shape: [MAX_ATOMS, ATOM_FEATURES], name: 'atoms' });
  const bonds = tf.input({ shape: [MAX_ATOMS, MAX_ATOMS], name: 'bonds' });
  const h = new GraphConv({ units: 16, activation: 'relu' }).apply([atoms, bonds]) as tf.SymbolicTensor;
  const perAtom = tf.layers.flatten().apply(h) as tf.SymbolicTensor; // expect: order-dependent-layer
  const property = tf.layers.dense({ units: 1 }).apply(perAtom) as tf.SymbolicTensor;
  return tf.model({ inputs: [atoms, bonds], outputs: property });
}
