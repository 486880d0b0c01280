// Saved tfjs models (model.json + weight files): reading them from disk on the main thread
// (clear messages for missing files) and, in the worker, turning the loaded model's layers
// into plan layers so the same structural actions and attribution apply.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as tfjs from '@tensorflow/tfjs';
import type { PlanDeclaration, PlanInput, PlanLayer, SavedModelPlan } from './plan';
import { DEFAULT_DIMENSION, PROBE_SEED } from './plan';

interface WeightsManifestGroup {
  paths: string[];
  weights: unknown[];
}

/** Reads model.json and its weight files; throws an Error with a user-facing message. */
export function readSavedModel(modelJsonPath: string, declarations: PlanDeclaration[]): SavedModelPlan {
  let text: string;
  try {
    text = fs.readFileSync(modelJsonPath, 'utf8');
  } catch (error) {
    throw new Error(`cannot read ${modelJsonPath}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  let json: { modelTopology?: unknown; weightsManifest?: WeightsManifestGroup[]; format?: string };
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${modelJsonPath} is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!json.modelTopology) throw new Error(`${modelJsonPath} has no modelTopology: it is not a tfjs layers model.json`);
  const manifest = json.weightsManifest ?? [];
  const folder = path.dirname(modelJsonPath);
  const missing: string[] = [];
  const buffers: Uint8Array[] = [];
  const specs: unknown[] = [];
  for (const group of manifest) {
    for (const file of group.paths) {
      const full = path.resolve(folder, file);
      try {
        buffers.push(new Uint8Array(fs.readFileSync(full)));
      } catch {
        missing.push(file);
      }
    }
    specs.push(...group.weights);
  }
  if (missing.length > 0) {
    throw new Error(`the saved model ${path.basename(modelJsonPath)} lists weight files that are missing beside it: ${missing.join(', ')} (looked in ${folder})`);
  }
  const joined = Buffer.concat(buffers);
  const weightData = joined.buffer.slice(joined.byteOffset, joined.byteOffset + joined.byteLength) as ArrayBuffer;
  return { modelName: path.basename(path.dirname(modelJsonPath)) + '/' + path.basename(modelJsonPath), modelJson: json.modelTopology, weightSpecs: specs, weightData, declarations, seed: PROBE_SEED };
}

const CLASS_TO_FACTORY: Record<string, string> = { PReLU: 'prelu', LSTM: 'lstm', GRU: 'gru', SimpleRNN: 'simpleRNN', ConvLSTM2D: 'convLstm2d', ReLU: 'reLU', ELU: 'elu' };

/** `Conv2D` -> `conv2d`, `GlobalAveragePooling2D` -> `globalAveragePooling2d`. */
export function factoryNameOf(className: string, libraryNames: ReadonlySet<string>): string {
  if (libraryNames.has(className)) return className;
  if (CLASS_TO_FACTORY[className]) return CLASS_TO_FACTORY[className];
  return (className.charAt(0).toLowerCase() + className.slice(1)).replace(/(\d)D/g, '$1d');
}

export const LIBRARY_LAYER_NAMES: ReadonlySet<string> = new Set(['CircularPad1D', 'CircularPad2D', 'CircularPad3D', 'BlurPool1D', 'BlurPool2D', 'BlurPool3D', 'PolyphasePool2D', 'P4ConvLifting2D', 'P4Conv2D', 'P4GroupPool', 'GroupAveraging', 'SetDense', 'SetPool', 'SetAttention', 'GraphConv']);

/** The plan view of a loaded layers model: layers in order with tensor ids from tfjs' symbolic tensors. */
export function planOfLoadedModel(model: tfjs.LayersModel): { inputs: PlanInput[]; layers: PlanLayer[]; outputs: number[] } {
  const inputs: PlanInput[] = model.inputs.map((input) => ({ tensor: input.id, shape: input.shape.slice(1).map((dim) => (typeof dim === 'number' && dim > 0 ? dim : DEFAULT_DIMENSION)) }));
  const layers: PlanLayer[] = [];
  let id = 0;
  for (const layer of model.layers) {
    if (layer.getClassName() === 'InputLayer') continue;
    const node = (layer as unknown as { inboundNodes: { inputTensors: tfjs.SymbolicTensor[] }[] }).inboundNodes[0];
    const output = layer.output as tfjs.SymbolicTensor;
    const config = layer.getConfig() as Record<string, never>;
    const kind = factoryNameOf(layer.getClassName(), LIBRARY_LAYER_NAMES);
    if (kind === 'embedding') {
      for (const tensor of node.inputTensors) {
        const input = inputs.find((candidate) => candidate.tensor === tensor.id);
        if (input && typeof config.inputDim === 'number') input.tokenVocabulary = config.inputDim;
      }
    }
    layers.push({
      id: id++,
      kind,
      origin: LIBRARY_LAYER_NAMES.has(kind) ? 'library' : 'tfjs',
      config,
      nonConstant: [],
      inputs: node.inputTensors.map((tensor) => tensor.id),
      output: output.id,
      line: 0,
    });
  }
  return { inputs, layers, outputs: model.outputs.map((output) => output.id) };
}
