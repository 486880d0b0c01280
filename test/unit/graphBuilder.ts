// Builds layer graphs by hand for inference and shape tests, so they do not depend on
// extraction: inputs, layers (with config, origin, wrapped inner layer), outputs, declarations.
import { NotConstant, type ConstValue, type LayerNode, type LayerOrigin, type ModelGraph, type SourceSpan } from '../../server/src/analysis/graph';
import { APPROXIMATE_TOL, DEFAULT_TOL, type GroupName, type Mode, type SymmetryDeclaration } from '../../server/src/analysis/symmetry';

const span = (start = 0): SourceSpan => ({ file: 'model.ts', start, end: start + 1 });

export interface LayerOptions {
  origin?: LayerOrigin;
  /** The layer a wrapper wraps (timeDistributed, bidirectional) or rnn's cell: [kind, config]. */
  inner?: [string, Record<string, ConstValue>];
  /** Open spread in the config: every key not listed is unknown. */
  openSpread?: boolean;
}

export class GraphBuilder {
  private readonly graph: ModelGraph = {
    name: 'model',
    nameSpan: span(),
    creationSpan: span(),
    construction: 'functional',
    inputs: [],
    tensors: [],
    layers: [],
    outputs: [],
    gaps: [],
    docComments: [],
  };

  input(shape?: (number | null)[], dtype?: string): number {
    const id = this.graph.tensors.length;
    this.graph.tensors.push({ id });
    this.graph.inputs.push({ tensor: id, ...(shape ? { shape } : {}), ...(dtype ? { dtype } : {}), span: span() });
    return id;
  }

  /** Adds a layer applied to `inputs`; returns its output tensor id. */
  layer(kind: string, config: Record<string, ConstValue>, inputs: number | number[], options: LayerOptions = {}): number {
    const id = this.graph.layers.length;
    const output = this.graph.tensors.length;
    this.graph.tensors.push({ id: output, producer: id });
    const node: LayerNode = {
      id,
      kind,
      origin: options.origin ?? 'tfjs',
      config: { values: config, ...(options.openSpread ? { openSpread: new NotConstant('spread') } : {}) },
      inputs: Array.isArray(inputs) ? inputs : [inputs],
      output,
      span: span(100 + id * 10),
      nameSpan: span(100 + id * 10),
      callStack: [],
    };
    if (options.inner) {
      const [innerKind, innerConfig] = options.inner;
      node.inner = { ...node, id: -1, kind: innerKind, config: { values: innerConfig }, inner: undefined };
    }
    this.graph.layers.push(node);
    return output;
  }

  build(outputs: number[]): ModelGraph {
    this.graph.outputs = outputs;
    return this.graph;
  }
}

/** A sequential model: one input, layers applied in a chain, the last output is the model output. */
export function sequential(inputShape: (number | null)[] | undefined, layers: [string, Record<string, ConstValue>?, LayerOptions?][]): ModelGraph {
  const builder = new GraphBuilder();
  let tensor = builder.input(inputShape);
  for (const [kind, config, options] of layers) tensor = builder.layer(kind, config ?? {}, tensor, options);
  return builder.build([tensor]);
}

/** A declaration as the parser would produce it: `declare('invariant', 'translation', {axis, tol})`. */
export function declare(mode: Mode, group: GroupName, options: { axis?: number; tol?: number; adjacency?: number } = {}): SymmetryDeclaration {
  const tol = options.tol ?? DEFAULT_TOL;
  return {
    mode,
    group,
    axis: options.axis ?? 1,
    tol,
    approximate: tol >= APPROXIMATE_TOL,
    span: span(),
    fromCommandLine: false,
    ...(options.adjacency !== undefined ? { adjacency: options.adjacency } : {}),
    text: `${mode} ${group}`,
  };
}

export function notConstant(reason = 'a variable'): NotConstant {
  return new NotConstant(reason);
}
