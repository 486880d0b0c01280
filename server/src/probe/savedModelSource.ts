// Which analysed model a saved `model.json` was trained from (issue 9, trained weights view): a
// model.json carries no link to its source, so it is looked for in the workspace's code. First a
// save call that names the model.json's place (`model.save('file://./out/leaf')`,
// `'downloads://leaf'`, `tf.io.fileSystem(...)`, `tf.io.browserDownloads(...)`), followed to the
// model it saves; else the saved topology (layer classes in order) matched to exactly one analysed
// model. The link says which of the two it used, so a user can tell a save call from a guess.
import * as path from 'node:path';
import { ts } from 'ts-morph';
import { modelHolderOf } from '../analysis/augmentation';
import { configValue } from '../analysis/graph';
import type { SourceProvider } from '../analysis/sourceProvider';
import type { ModelAnalysis } from '../engine';

export interface SavedModelSource {
  fileName: string;
  modelName: string;
  /** `save-call`: a save in the code names this model.json's place; `topology`: its layers match. */
  link: 'save-call' | 'topology';
  /** In words, for the report: `model.save('file://./out/leaf') at train.ts line 41`. */
  detail: string;
}

/** Where a save target string writes a model.json, or how a download of it is named. */
type SaveTarget = { kind: 'folder'; folder: string } | { kind: 'download'; fileName: string };

/** What a saved topology says of the model, to match it to its source. */
export interface SavedTopology {
  /** Layer classes in order, lowercased (`conv2d`, `globalaveragepooling2d`); the input layer left out. */
  classes: string[];
  /** Per layer, its `filters` or `units` when saved. */
  widths: (number | undefined)[];
  /** The input shape without the batch axis, when saved. */
  inputShape?: (number | null)[];
}

export function savedTopology(modelJson: unknown): SavedTopology | undefined {
  const topology = (modelJson as { modelTopology?: unknown } | null)?.modelTopology as { model_config?: unknown } | undefined;
  const config = ((topology?.model_config ?? topology) as { config?: unknown } | undefined)?.config;
  const layers = (Array.isArray(config) ? config : (config as { layers?: unknown } | undefined)?.layers) as { class_name?: unknown; config?: Record<string, unknown> }[] | undefined;
  if (!Array.isArray(layers)) return undefined;
  const kept = layers.filter((layer) => typeof layer?.class_name === 'string' && layer.class_name !== '' && layer.class_name !== 'InputLayer');
  const shape = layers.map((layer) => layer?.config?.batch_input_shape ?? layer?.config?.batchInputShape).find(Array.isArray) as unknown[] | undefined;
  const width = (layer: (typeof kept)[number]) => {
    const value = layer.config?.filters ?? layer.config?.units;
    return typeof value === 'number' ? value : undefined;
  };
  return {
    classes: kept.map((layer) => String(layer.class_name).toLowerCase()),
    widths: kept.map(width),
    ...(shape ? { inputShape: shape.slice(1).map((size) => (typeof size === 'number' ? size : null)) } : {}),
  };
}

/** The text of a string literal or a template without substitutions. */
function literalText(expression: ts.Expression | undefined): string | undefined {
  if (!expression) return undefined;
  if (ts.isStringLiteral(expression) || ts.isNoSubstitutionTemplateLiteral(expression)) return expression.text;
  return undefined;
}

/** What the first argument of `model.save(...)` says of where the model goes. */
function saveTargetOf(argument: ts.Expression | undefined, scriptFolder: string, roots: readonly string[]): SaveTarget[] {
  if (!argument) return [];
  let url = literalText(argument);
  if (url === undefined && ts.isCallExpression(argument)) {
    // tf.io.fileSystem('./out/leaf') and tf.io.browserDownloads('leaf'): the handler the URL would make.
    const callee = argument.expression.getText();
    const value = literalText(argument.arguments[0]);
    if (value !== undefined && /\bfileSystem$/.test(callee)) url = `file://${value}`;
    if (/\bbrowserDownloads$/.test(callee)) url = `downloads://${value ?? ''}`;
  }
  if (url === undefined) return [];
  const downloads = /^downloads:\/\/(.*)$/.exec(url);
  if (downloads) return [{ kind: 'download', fileName: `${downloads[1] || 'model'}.json` }];
  const file = /^file:\/\/(.*)$/.exec(url);
  if (!file) return [];
  const written = file[1];
  if (path.isAbsolute(written)) return [{ kind: 'folder', folder: path.resolve(written) }];
  // Relative to the process's directory: the project root is the usual one, else the script's.
  return [...roots, scriptFolder].map((base) => ({ kind: 'folder' as const, folder: path.resolve(base, written) }));
}

function targetMatches(target: SaveTarget, modelJsonPath: string): boolean {
  if (target.kind === 'download') return path.basename(modelJsonPath) === target.fileName;
  return path.dirname(modelJsonPath) === target.folder || modelJsonPath === target.folder;
}

/**
 * A save call in `fileNames` that writes `modelJsonPath`, and the model it saves. `roots` are the
 * folders a relative `file://` path may start from (the workspace folders).
 */
export function sourceBySaveCall(modelJsonPath: string, fileNames: readonly string[], provider: SourceProvider, roots: readonly string[]): Omit<SavedModelSource, 'link'> | undefined {
  const wanted = path.resolve(modelJsonPath);
  for (const fileName of fileNames) {
    const sourceFile = provider.getSourceFile(fileName);
    if (!sourceFile || !/\.\s*save\s*\(/.test(sourceFile.text)) continue;
    let found: Omit<SavedModelSource, 'link'> | undefined;
    const visit = (node: ts.Node): void => {
      if (found) return;
      if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'save') {
        const targets = saveTargetOf(node.arguments[0], path.dirname(sourceFile.fileName), roots);
        if (targets.some((target) => targetMatches(target, wanted))) {
          const model = modelHolderOf(node.expression.expression, sourceFile, provider);
          if (model) {
            const line = sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile)).line + 1;
            found = { fileName: model.file, modelName: model.name, detail: `${node.getText(sourceFile)} at ${path.basename(sourceFile.fileName)} line ${line}` };
            return;
          }
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sourceFile);
    if (found) return found;
  }
  return undefined;
}

/** Whether two sizes can be the same: equal, or one of them unknown. */
function sameSize(a: number | null | undefined, b: unknown): boolean {
  return a === null || a === undefined || typeof b !== 'number' || a === b;
}

/**
 * The one analysed model whose layers, in data-flow order, are the saved topology's (same
 * classes, and the same widths and input shape where both sides know them); undefined when none
 * or several are.
 */
export function sourceByTopology(saved: SavedTopology, models: readonly ModelAnalysis[]): Omit<SavedModelSource, 'link'> | undefined {
  const matching = new Map<string, ModelAnalysis>();
  for (const model of models) {
    const layers = model.graph.layers.filter((layer) => layer.kind.toLowerCase() !== 'input');
    if (layers.length !== saved.classes.length || !layers.every((layer, index) => layer.kind.toLowerCase() === saved.classes[index])) continue;
    if (!layers.every((layer, index) => sameSize(saved.widths[index], configValue(layer.config, 'filters') ?? configValue(layer.config, 'units')))) continue;
    const inputShape = model.graph.inputs[0]?.shape;
    if (saved.inputShape && inputShape && (inputShape.length !== saved.inputShape.length || !inputShape.every((size, index) => sameSize(saved.inputShape![index], size)))) continue;
    matching.set(`${model.graph.nameSpan.file}\u0000${model.graph.name}`, model);
  }
  if (matching.size !== 1) return undefined;
  const [model] = [...matching.values()];
  return { fileName: model.graph.nameSpan.file, modelName: model.graph.name, detail: `its ${saved.classes.length} layers (${saved.classes.join(', ')}) are those of ${model.graph.name} in ${path.basename(model.graph.nameSpan.file)}, and of no other model` };
}
