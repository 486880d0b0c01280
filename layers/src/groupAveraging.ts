// GroupAveraging: makes any backbone exactly invariant to a finite group by averaging its
// output over the transformed inputs (the Reynolds operator).
import * as tf from '@tensorflow/tfjs';
import { singleShape, singleTensor, type BaseLayerArgs, type LayerShape } from './layerBase';
import { flipPlane, rotate90 } from './planeTransforms';

export type AveragedGroup = 'rotation90' | 'flip' | 'dihedral' | 'sign';

export interface GroupAveragingArgs extends BaseLayerArgs {
  /** The backbone: any layer or model (a `tf.sequential(...)` works). */
  layer: tf.layers.Layer;
  /** The finite group to average over. */
  group: AveragedGroup;
}

const GROUPS: readonly AveragedGroup[] = ['rotation90', 'flip', 'dihedral', 'sign'];

/** The group's elements as input transformations (the identity first). */
function groupElements(group: AveragedGroup, rank: number): ((x: tf.Tensor) => tf.Tensor)[] {
  const rotations = [0, 1, 2, 3].map((k) => (x: tf.Tensor) => rotate90(x, k, 1));
  switch (group) {
    case 'rotation90':
      return rotations;
    case 'flip':
      return [(x) => x, (x) => flipPlane(x)];
    case 'dihedral':
      return [...rotations, ...rotations.map((rotate) => (x: tf.Tensor) => rotate(flipPlane(x)))];
    case 'sign':
      return [(x) => x, (x) => tf.neg(x)];
  }
  throw new Error(`unreachable: ${group} ${rank}`);
}

/**
 * Averages a backbone over a finite group G: `y(x) = mean over g in G of backbone(g . x)`.
 * Groups: `rotation90` (C4, square `[N, H, H, C]` inputs), `flip` (mirror of W, or time
 * reversal of `[N, T, F]`), `dihedral` (D4, square images), `sign` (x -> -x: an even function).
 *
 * Guarantee: y(g . x) = y(x) for every g in G, exactly (float32 rounding; the terms of the
 * mean are the same, in another order), whatever the backbone. It costs |G| backbone passes.
 * The symmetrisation (Reynolds) operator; see e.g. Yarotsky, "Universal approximations of
 * invariant maps by neural networks" (2018) and Puny et al., "Frame Averaging" (ICLR 2022).
 */
export class GroupAveraging extends tf.layers.Layer {
  static className = 'GroupAveraging';
  readonly layer: tf.layers.Layer;
  readonly group: AveragedGroup;

  constructor(args: GroupAveragingArgs) {
    super(args);
    if (!args || !(args.layer instanceof tf.layers.Layer)) throw new Error('GroupAveraging needs a backbone layer or model in `layer`');
    if (!GROUPS.includes(args.group)) throw new Error(`GroupAveraging group must be one of ${GROUPS.join(', ')}, got ${JSON.stringify(args.group)}`);
    this.layer = args.layer;
    this.group = args.group;
  }

  override build(inputShape: LayerShape | LayerShape[]): void {
    const shape = singleShape(inputShape);
    if ((this.group === 'rotation90' || this.group === 'dihedral') && (shape.length !== 4 || shape[1] !== shape[2])) {
      throw new Error(`GroupAveraging over ${this.group} needs square [N, H, H, C] inputs, got [${shape.join(', ')}]`);
    }
    if (!this.layer.built) this.layer.build(shape);
    this.built = true;
  }

  override get trainableWeights(): tf.LayerVariable[] {
    return this.layer.trainableWeights;
  }

  override get nonTrainableWeights(): tf.LayerVariable[] {
    return this.layer.nonTrainableWeights;
  }

  override computeOutputShape(inputShape: LayerShape | LayerShape[]): LayerShape | LayerShape[] {
    return this.layer.computeOutputShape(singleShape(inputShape));
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = singleTensor(inputs);
      const elements = groupElements(this.group, x.rank);
      // One backbone pass over the whole orbit, stacked on the batch axis.
      const orbit = tf.concat(elements.map((transform) => transform(x)), 0);
      const y = singleTensor(this.layer.apply(orbit) as tf.Tensor | tf.Tensor[]);
      const n = x.shape[0];
      return tf.mean(tf.reshape(y, [elements.length, n, ...y.shape.slice(1)]), 0);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      group: this.group,
      layer: { className: this.layer.getClassName(), config: this.layer.getConfig() },
    };
  }

  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    const inner = config['layer'] as { className: string; config: tf.serialization.ConfigDict } | undefined;
    if (!inner || typeof inner.className !== 'string') throw new Error('GroupAveraging config has no backbone `layer`');
    // tfjs keeps its generic deserializer private; its class registry is public.
    const entry = tf.serialization.SerializationMap.getMap().classNameMap[inner.className];
    if (!entry) throw new Error(`GroupAveraging: unknown backbone class ${inner.className} (register it with tf.serialization.registerClass)`);
    const [innerClass, innerFromConfig] = entry;
    const layer = innerFromConfig(innerClass, inner.config);
    return new cls({ ...config, layer });
  }
}
