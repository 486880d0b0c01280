// Turns a model the interpreter built (sequential items or functional tensors) into the
// serialisable ModelGraph: numbered tensors, layer nodes in data-flow order, inputs, outputs.
import type { ConstValue, ExtractionGap, LayerNode, ModelGraph, ModelInput, SourceSpan, TensorNode } from '../graph';
import { NotConstant, configValue } from '../graph';
import { reachableApplications } from './interpreter';
import type { LayerInstance, ModelUnderConstruction, SymbolicTensor } from './values';

export interface HolderInfo {
  name: string;
  nameSpan: SourceSpan;
  docComments: { text: string; span: SourceSpan }[];
}

class GraphAssembler {
  readonly tensors: TensorNode[] = [];
  readonly layers: LayerNode[] = [];
  readonly inputs: ModelInput[] = [];
  readonly gaps: ExtractionGap[] = [];
  private readonly firstApplication = new Map<LayerInstance, number>();

  newInput(shape: (number | null)[] | undefined, dtype: string | undefined, span: SourceSpan): number {
    const id = this.tensors.length;
    this.tensors.push({ id });
    const input: ModelInput = { tensor: id, span };
    if (shape) input.shape = shape;
    if (dtype) input.dtype = dtype;
    this.inputs.push(input);
    return id;
  }

  addNode(layer: LayerInstance, inputs: number[]): number {
    const id = this.layers.length;
    const output = this.tensors.length;
    this.tensors.push({ id: output, producer: id });
    const node: LayerNode = {
      id,
      kind: layer.kind,
      origin: layer.origin,
      config: layer.config,
      inputs,
      output,
      span: layer.span,
      nameSpan: layer.nameSpan,
      callStack: layer.callStack,
    };
    if (layer.inner) node.inner = innerNode(layer.inner);
    if (layer.body) node.body = layer.body;
    const first = this.firstApplication.get(layer);
    if (first !== undefined) node.sharedWith = first;
    else this.firstApplication.set(layer, id);
    this.layers.push(node);
    return output;
  }

  /** Adds a sequential model's layers after `input`; returns the last tensor. */
  sequential(model: ModelUnderConstruction, input: number, depth: number): number {
    let current = input;
    for (const item of model.items) {
      const value = item.value;
      if ('origin' in value) {
        if (value.kind === 'inputLayer') continue;
        current = this.addNode(value, [current]);
      } else {
        current = this.inline(value, [current], depth + 1)[0] ?? current;
      }
    }
    return current;
  }

  /** Inlines a nested model (a model used as a layer) on the given input tensors. */
  inline(model: ModelUnderConstruction, inputs: number[], depth: number): number[] {
    if (depth > 8) return inputs;
    if (model.construction !== 'functional') return [this.sequential(model, inputs[0], depth)];
    const mapping = new Map<SymbolicTensor, number>();
    model.inputs.forEach((tensor, i) => mapping.set(tensor, inputs[i] ?? inputs[0]));
    this.functionalBody(model, mapping);
    return model.outputs.map((tensor) => mapping.get(tensor) ?? inputs[0]);
  }

  functionalBody(model: ModelUnderConstruction, mapping: Map<SymbolicTensor, number>): void {
    for (const application of reachableApplications(model.outputs)) {
      const inputs = application.inputs.map((tensor) => {
        let id = mapping.get(tensor);
        if (id === undefined) {
          // A tensor with no producer that is not a declared model input (unknown data flow).
          id = this.newInput(tensor.declaredInput?.shape, tensor.declaredInput?.dtype, tensor.declaredInput?.span ?? application.layer.span);
          if (!tensor.declaredInput) {
            this.gaps.push({ message: `the input of this ${application.layer.kind} layer is not known statically`, span: application.layer.span });
          }
          mapping.set(tensor, id);
        }
        return id;
      });
      mapping.set(application.output, this.addNode(application.layer, inputs));
    }
  }
}

function innerNode(layer: LayerInstance): LayerNode {
  const node: LayerNode = {
    id: -1,
    kind: layer.kind,
    origin: layer.origin,
    config: layer.config,
    inputs: [],
    output: -1,
    span: layer.span,
    nameSpan: layer.nameSpan,
    callStack: layer.callStack,
  };
  if (layer.inner) node.inner = innerNode(layer.inner);
  return node;
}

function shapeFromConst(value: ConstValue | undefined): (number | null)[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.map((dim) => (typeof dim === 'number' ? dim : null));
}

/** The input a sequential model's first layer declares (inputShape, batchInputShape, ...). */
export function sequentialInput(model: ModelUnderConstruction, depth = 0): { shape?: (number | null)[]; dtype?: string; span: SourceSpan } | undefined {
  const first = model.items[0]?.value;
  if (!first || depth > 8) return undefined;
  if (!('origin' in first)) {
    if (first.construction === 'functional') {
      const input = first.inputs[0]?.declaredInput;
      return input ? { shape: input.shape, dtype: input.dtype, span: input.span } : undefined;
    }
    return sequentialInput(first, depth + 1);
  }
  const config = first.config;
  const dtypeValue = configValue(config, 'dtype');
  const dtype = typeof dtypeValue === 'string' ? dtypeValue : undefined;
  const inputShape = configValue(config, 'inputShape') ?? (first.kind === 'inputLayer' ? configValue(config, 'shape') : undefined);
  if (inputShape !== undefined && !(inputShape instanceof NotConstant)) return { shape: shapeFromConst(inputShape), dtype, span: first.span };
  const batchShape = configValue(config, 'batchInputShape') ?? (first.kind === 'inputLayer' ? configValue(config, 'batchShape') : undefined);
  if (Array.isArray(batchShape)) return { shape: shapeFromConst(batchShape)?.slice(1), dtype, span: first.span };
  const inputDim = configValue(config, 'inputDim');
  if (typeof inputDim === 'number' && first.kind !== 'embedding') return { shape: [inputDim], dtype, span: first.span };
  if (first.kind === 'embedding') {
    const inputLength = configValue(config, 'inputLength');
    if (typeof inputLength === 'number') return { shape: [inputLength], dtype, span: first.span };
    if (Array.isArray(inputLength) && typeof inputLength[0] === 'number') return { shape: [inputLength[0]], dtype, span: first.span };
  }
  if (inputShape instanceof NotConstant || batchShape instanceof NotConstant) return { span: first.span, dtype };
  return dtype ? { span: first.span, dtype } : undefined;
}

export function assembleModel(model: ModelUnderConstruction, holder: HolderInfo, gaps: ExtractionGap[]): ModelGraph {
  const assembler = new GraphAssembler();
  let outputs: number[];
  if (model.construction === 'functional') {
    const mapping = new Map<SymbolicTensor, number>();
    for (const tensor of model.inputs) {
      const declared = tensor.declaredInput;
      mapping.set(tensor, assembler.newInput(declared?.shape, declared?.dtype, declared?.span ?? model.creationSpan));
    }
    assembler.functionalBody(model, mapping);
    outputs = model.outputs.map((tensor) => mapping.get(tensor)).filter((id): id is number => id !== undefined);
  } else if (model.items.length === 0) {
    outputs = [];
  } else {
    const declared = sequentialInput(model);
    const input = assembler.newInput(declared?.shape, declared?.dtype, declared?.span ?? model.creationSpan);
    outputs = [assembler.sequential(model, input, 0)];
  }
  return {
    name: holder.name,
    nameSpan: holder.nameSpan,
    creationSpan: model.creationSpan,
    construction: model.construction,
    inputs: assembler.inputs,
    tensors: assembler.tensors,
    layers: assembler.layers,
    outputs,
    gaps: [...gaps, ...assembler.gaps],
    docComments: holder.docComments,
  };
}
