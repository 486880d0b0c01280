// tfjs and the layers library: model creation (sequential, functional, subclass), layer
// instances and their configs, `model.add`, `layer.apply`, replaying a model on new inputs.
import { ts } from 'ts-morph';
import type { ConstValue, LayerConfig, LayerOrigin } from '../graph';
import { NotConstant } from '../graph';
import type { Interpreter } from './interpreter';
import { calleeName, clip, isUndefined } from './interpreterShared';
import { sequentialInput } from './graphAssembly';
import {
  type AbstractValue,
  type ArrayValue,
  type LayerInstance,
  type ModelUnderConstruction,
  type ObjectValue,
  type SymbolicTensor,
  Scope,
  UNDEFINED,
  unknown,
} from './values';

export const LIBRARY_LAYER_CLASSES = new Set([
  'CircularPad2D',
  'CircularPad1D', 'CircularPad3D', 'BlurPool1D', 'BlurPool3D',
  'BlurPool2D',
  'PolyphasePool2D',
  'P4ConvLifting2D',
  'P4Conv2D',
  'P4GroupPool',
  'GroupAveraging',
  'SetDense',
  'SetPool',
  'SetAttention', 'GraphConv',
]);

export class TfjsCalls {
  constructor(private readonly interp: Interpreter) {}

  callTfjs(path: string[], args: AbstractValue[], node: ts.CallExpression | ts.NewExpression, scope: Scope, isNew: boolean): AbstractValue {
    const [head, second] = path;
    if (path.length === 1 && (head === 'sequential' || (head === 'Sequential' && isNew))) {
      const model = this.createModel('sequential', node, scope);
      const config = args[0];
      if (config?.kind === 'object') this.addConfiguredLayers(model, config, node, scope);
      return { kind: 'model', model };
    }
    if (path.length === 1 && (head === 'model' || (head === 'LayersModel' && isNew))) {
      const model = this.createModel('functional', node, scope);
      const config = args[0];
      const tensorsOf = (value: AbstractValue | undefined): SymbolicTensor[] => {
        if (!value) return [];
        if (value.kind === 'tensor') return [value.tensor];
        if (value.kind === 'array') return value.items.flatMap((item) => tensorsOf(item));
        return [];
      };
      if (config?.kind === 'object') {
        model.inputs = tensorsOf(config.props.get('inputs'));
        model.outputs = tensorsOf(config.props.get('outputs'));
      }
      if (model.outputs.length === 0) this.interp.gap('the model outputs are not known statically', scope.file.span(node));
      return { kind: 'model', model };
    }
    if ((path.length === 1 && head === 'input') || (path.length === 2 && head === 'layers' && second === 'input')) {
      const config = args[0];
      const declaredInput: SymbolicTensor['declaredInput'] = { span: scope.file.span(node) };
      if (config?.kind === 'object') {
        const shape = config.props.get('shape');
        const batchShape = config.props.get('batchShape');
        if (shape?.kind === 'array') declaredInput.shape = shapeOf(shape);
        else if (batchShape?.kind === 'array') declaredInput.shape = shapeOf(batchShape).slice(1);
        const dtype = config.props.get('dtype');
        if (dtype?.kind === 'primitive' && typeof dtype.value === 'string') declaredInput.dtype = dtype.value;
      }
      return { kind: 'tensor', tensor: { id: this.interp.tensorIds++, declaredInput } };
    }
    if (path.length === 2 && head === 'layers' && second !== 'Layer') {
      const layer = this.makeLayer(second, 'tfjs', args[0], node, calleeName(node.expression), scope);
      return { kind: 'layer', layer };
    }
    if (path.length === 1 && head === 'Sequential') {
      return { kind: 'model', model: this.createModel('sequential', node, scope) };
    }
    return unknown(`tf.${path.join('.')} is not modelled`, scope.file.span(node));
  }

  libraryLayer(path: string[], args: AbstractValue[], node: ts.CallExpression | ts.NewExpression, scope: Scope): AbstractValue {
    const name = path[path.length - 1] ?? 'library';
    const origin: LayerOrigin = path.length === 1 && LIBRARY_LAYER_CLASSES.has(name) ? 'library' : 'custom';
    return { kind: 'layer', layer: this.makeLayer(name, origin, args[0], node, calleeName(node.expression), scope) };
  }

  createModel(construction: ModelUnderConstruction['construction'], node: ts.Node, scope: Scope): ModelUnderConstruction {
    const model: ModelUnderConstruction = {
      construction,
      creationSpan: scope.file.span(node),
      creationNode: node,
      items: [],
      inputs: [],
      outputs: [],
      props: new Map(),
    };
    if (this.interp.creationSiteUnits.get(node) === this.interp.unit.unitNode && !this.interp.unit.directModels.includes(model)) {
      this.interp.unit.directModels.push(model);
    }
    return model;
  }

  makeLayer(kind: string, origin: LayerOrigin, configArg: AbstractValue | undefined, node: ts.Node, nameNode: ts.Node, scope: Scope, unknownCallee?: AbstractValue): LayerInstance {
    let config: LayerConfig;
    let rawConfig: ObjectValue | undefined;
    let inner: LayerInstance | undefined;
    if (unknownCallee?.kind === 'unknown') {
      config = { values: {}, openSpread: new NotConstant(unknownCallee.reason, unknownCallee.span) };
    } else if (!configArg || isUndefined(configArg)) {
      config = { values: {} };
    } else if (configArg.kind === 'primitive' && configArg.value !== null) {
      // `globalAveragePooling2d('channelsLast')`: tfjs reads its keys off the string, where none
      // of them exists, so the layer gets its defaults.
      config = { values: {} };
    } else if (configArg.kind === 'object') {
      rawConfig = configArg;
      const values: Record<string, ConstValue> = {};
      for (const [key, value] of configArg.props) {
        if ((kind === 'bidirectional' || kind === 'timeDistributed' || key === 'layer') && value.kind === 'layer' && key === 'layer') {
          inner = value.layer;
          continue;
        }
        const constant = toConstValue(value);
        if (constant !== undefined) values[key] = constant;
      }
      config = { values };
      if (configArg.openSpread) config.openSpread = new NotConstant(configArg.openSpread.reason, configArg.openSpread.span);
    } else {
      const reason = configArg.kind === 'unknown' ? configArg.reason : 'the configuration is not an object literal';
      const argNode = (ts.isCallExpression(node) || ts.isNewExpression(node)) ? node.arguments?.[0] : undefined;
      config = { values: {}, openSpread: new NotConstant(reason, argNode ? scope.file.span(argNode) : configArg.kind === 'unknown' ? configArg.span : undefined) };
    }
    return {
      kind,
      origin,
      config,
      rawConfig,
      inner,
      span: scope.file.span(node),
      nameSpan: scope.file.span(nameNode),
      callStack: [...this.interp.callStack],
    };
  }

  /** The `layers` of a `tf.sequential({layers})` or `super({layers})` configuration. */
  addConfiguredLayers(model: ModelUnderConstruction, config: ObjectValue, node: ts.Node, scope: Scope): void {
    const layers = config.props.get('layers');
    if (layers?.kind === 'array') for (const item of layers.items) this.addToModel(model, item, node, scope);
    else if (layers && layers.kind !== 'primitive') this.addToModel(model, layers, node, scope);
  }

  private addToModel(model: ModelUnderConstruction, value: AbstractValue, node: ts.Node, scope: Scope): void {
    this.interp.layerEvents++;
    if (value.kind === 'layer') model.items.push({ value: value.layer });
    else if (value.kind === 'model') model.items.push({ value: value.model });
    else {
      const argNode = ts.isCallExpression(node) ? node.arguments[0] : undefined;
      const kindNode = argNode && ts.isCallExpression(argNode) ? calleeName(argNode.expression) : argNode ?? node;
      const reason = value.kind === 'unknown' ? value.reason : 'the added value is not a layer known statically';
      const layer = this.makeLayer(clip(kindNode.getText(scope.file.sourceFile)), 'custom', undefined, argNode ?? node, kindNode, scope, unknown(reason, value.kind === 'unknown' ? value.span : undefined));
      model.items.push({ value: layer });
    }
  }

  modelAdd(receiver: { model: ModelUnderConstruction }, value: AbstractValue | undefined, node: ts.Node, scope: Scope): AbstractValue {
    this.addToModel(receiver.model, value ?? UNDEFINED, node, scope);
    return UNDEFINED;
  }

  private inputTensors(value: AbstractValue | undefined, node: ts.Node, scope: Scope): SymbolicTensor[] {
    if (value?.kind === 'tensor') return [value.tensor];
    if (value?.kind === 'array' && value.items.length > 0 && value.items.every((item) => item.kind === 'tensor')) {
      return value.items.map((item) => (item as { tensor: SymbolicTensor }).tensor);
    }
    this.interp.gap(`the input of \`${clip(node.getText(scope.file.sourceFile))}\` is not a symbolic tensor known statically`, scope.file.span(node));
    return [{ id: this.interp.tensorIds++, declaredInput: undefined }];
  }

  applyLayer(layer: LayerInstance, arg: AbstractValue | undefined, node: ts.Node, scope: Scope): AbstractValue {
    const outputs = layer.body?.outputs;
    if (outputs && outputs.length > 1 && layer.body) {
      // A custom layer whose call() returns several tensors: one application per output, each
      // judged by the ops that make its own output.
      const body = layer.body;
      const tensors = this.inputTensors(arg, node, scope).map((tensor): AbstractValue => ({ kind: 'tensor', tensor }));
      const inputs: AbstractValue = tensors.length === 1 ? tensors[0] : { kind: 'array', items: tensors };
      return { kind: 'array', items: outputs.map((output) => this.applyLayer({ ...layer, body: { ...body, output, outputs: undefined } }, inputs, node, scope)) };
    }
    this.interp.layerEvents++;
    const inputs = this.inputTensors(arg, node, scope);
    const output: SymbolicTensor = { id: this.interp.tensorIds++ };
    output.producer = { seq: this.interp.applicationSeq++, layer, inputs, output };
    const states = returnedStateCount(layer);
    if (states > 0) {
      // `returnState: true` makes apply return [output, ...states]. The states come from the
      // same recurrence as the output, so for symmetry they stand for the same node; giving
      // them their own tensors would need layers with several outputs in the graph.
      const tensor: AbstractValue = { kind: 'tensor', tensor: output };
      return { kind: 'array', items: Array.from({ length: states + 1 }, () => tensor) };
    }
    return { kind: 'tensor', tensor: output };
  }

  /**
   * A sequential's layers as symbolic tensors, as tfjs gives them once the model is built
   * (`seq.layers[k].output`): its declared input, and one output per item, from one replay of
   * its layers in the caller's tensor space (kept while no layer is added).
   */
  sequentialLayerTensors(model: ModelUnderConstruction, node: ts.Node, scope: Scope): { input: SymbolicTensor; outputs: SymbolicTensor[] } {
    const known = this.sequentialTensors.get(model);
    if (known && known.items === model.items.length) return known;
    const declared = sequentialInput(model);
    const input: SymbolicTensor = { id: this.interp.tensorIds++, declaredInput: declared ?? { span: model.creationSpan } };
    const outputs: SymbolicTensor[] = [];
    let current = input;
    for (const item of model.items) {
      if ('origin' in item.value) {
        if (item.value.kind !== 'inputLayer') current = (this.applyLayer(item.value, { kind: 'tensor', tensor: current }, node, scope) as { tensor: SymbolicTensor }).tensor;
      } else {
        current = this.replayModel(item.value, [current], node, scope, 1)[0] ?? current;
      }
      outputs.push(current);
    }
    const tensors = { input, outputs, items: model.items.length };
    this.sequentialTensors.set(model, tensors);
    return tensors;
  }

  private readonly sequentialTensors = new WeakMap<ModelUnderConstruction, { input: SymbolicTensor; outputs: SymbolicTensor[]; items: number }>();

  /** `otherModel.apply(x)`: replays the model's layers on x in the caller's tensor space. */
  modelApply(model: ModelUnderConstruction, arg: AbstractValue | undefined, node: ts.Node, scope: Scope): AbstractValue {
    const inputs = this.inputTensors(arg, node, scope);
    const outputs = this.replayModel(model, inputs, node, scope, 0);
    if (outputs.length === 1) return { kind: 'tensor', tensor: outputs[0] };
    return { kind: 'array', items: outputs.map((tensor) => ({ kind: 'tensor', tensor })) };
  }

  private replayModel(model: ModelUnderConstruction, inputs: SymbolicTensor[], node: ts.Node, scope: Scope, depth: number): SymbolicTensor[] {
    if (depth > 8) return inputs;
    if (model.construction !== 'functional') {
      let current = inputs[0];
      for (const item of model.items) {
        if ('origin' in item.value) {
          if (item.value.kind === 'inputLayer') continue;
          const result = this.applyLayer(item.value, { kind: 'tensor', tensor: current }, node, scope);
          current = (result as { tensor: SymbolicTensor }).tensor;
        } else {
          current = this.replayModel(item.value, [current], node, scope, depth + 1)[0] ?? current;
        }
      }
      return [current];
    }
    const mapping = new Map<SymbolicTensor, SymbolicTensor>();
    model.inputs.forEach((tensor, i) => mapping.set(tensor, inputs[i] ?? tensor));
    for (const application of reachableApplications(model.outputs)) {
      const mappedInputs = application.inputs.map((t) => mapping.get(t) ?? t);
      this.interp.layerEvents++;
      const output: SymbolicTensor = { id: this.interp.tensorIds++ };
      output.producer = { seq: this.interp.applicationSeq++, layer: application.layer, inputs: mappedInputs, output };
      mapping.set(application.output, output);
    }
    return model.outputs.map((t) => mapping.get(t) ?? t);
  }
}

const STATE_COUNTS: Record<string, number> = { lstm: 2, gru: 1, simpleRNN: 1, convLstm2d: 2, rnn: 1 };

/** How many state tensors `apply` returns besides the output (0 unless `returnState: true`). */
function returnedStateCount(layer: LayerInstance): number {
  const recurrent = layer.kind === 'bidirectional' ? layer.inner : layer;
  if (!recurrent || (layer.config.values.returnState !== true && recurrent.config.values.returnState !== true)) return 0;
  const perDirection = STATE_COUNTS[recurrent.kind] ?? 1;
  return layer.kind === 'bidirectional' ? perDirection * 2 : perDirection;
}

/** The layer applications an output depends on, in creation (topological) order. */
export function reachableApplications(outputs: SymbolicTensor[]) {
  const seen = new Set<SymbolicTensor>();
  const applications: NonNullable<SymbolicTensor['producer']>[] = [];
  const stack = [...outputs];
  while (stack.length > 0) {
    const tensor = stack.pop()!;
    if (seen.has(tensor)) continue;
    seen.add(tensor);
    if (tensor.producer) {
      applications.push(tensor.producer);
      stack.push(...tensor.producer.inputs);
    }
  }
  return applications.sort((a, b) => a.seq - b.seq);
}

function shapeOf(array: ArrayValue): (number | null)[] {
  return array.items.map((item) => (item.kind === 'primitive' && typeof item.value === 'number' ? item.value : null));
}

/** An abstract value as a configuration constant; undefined for `undefined` (key absent). */
export function toConstValue(value: AbstractValue, depth = 0): ConstValue | undefined {
  if (depth > 16) return new NotConstant('value nested too deeply');
  switch (value.kind) {
    case 'primitive':
      return value.value === undefined ? undefined : value.value;
    case 'unknown':
      return new NotConstant(value.reason, value.span, value.fallback?.value ?? undefined);
    case 'array':
      return value.items.map((item) => toConstValue(item, depth + 1) ?? null);
    case 'object': {
      if (value.openSpread) return new NotConstant(value.openSpread.reason, value.openSpread.span);
      const record: { [key: string]: ConstValue } = {};
      for (const [key, item] of value.props) {
        const constant = toConstValue(item, depth + 1);
        if (constant !== undefined) record[key] = constant;
      }
      return record;
    }
    case 'tfjs':
      return new NotConstant(`tf.${value.path.join('.')} is not a constant`);
    case 'function':
      return new NotConstant('a function is not a constant');
    case 'layer':
      return new NotConstant(`a ${value.layer.kind} layer is not a constant`);
    default:
      return new NotConstant(`a ${value.kind} value is not a constant`);
  }
}
