// `augmentation-not-declared`'s second fix (issue 9): make the trained model exact for the
// augmented group with the layers library instead of teaching it. Flip, dihedral and
// rotation90 wrap the returned model in GroupAveraging; translation replaces what breaks it
// (zero padding -> CircularPad2D, strided downsampling -> PolyphasePool2D) through the
// producers of padding-boundary and strided-aliasing. Both also declare the group (exact, no
// tol), which answers the finding and keeps the model from losing it unnoticed. A fix is
// offered only when the file, analysed again with it applied, has the model exact for the group.
import { ts } from 'ts-morph';
import type { ModelGraph } from '../analysis/graph';
import type { GroupName, Mode as SymmetryMode } from '../analysis/symmetry';
import { analyzeText, discoveredSymmetriesOf, parseSource, type FileAnalysis, type LocatedFinding, type ModelAnalysis } from '../engine';
import { insertSymmetryTags, tagText } from './declarationTags';
import { sliceForModelAt } from './modelSlice';
import { FileEditor } from './sourceEdits';
import { applyTextEdits, type SymmetryFix, type TextEditSpan } from './types';

/** The groups GroupAveraging averages over that an augmentation can name. */
const AVERAGED = new Set<GroupName>(['flip', 'dihedral', 'rotation90']);

/** The function that builds the model: its declaration, or the arrow a variable holds. */
function builderFunction(sourceFile: ts.SourceFile, graph: ModelGraph): ts.SignatureDeclaration | undefined {
  let node: ts.Node | undefined;
  const visit = (current: ts.Node): void => {
    if (current.getStart(sourceFile) <= graph.nameSpan.start && graph.nameSpan.start < current.end) {
      node = current;
      ts.forEachChild(current, visit);
    }
  };
  ts.forEachChild(sourceFile, visit);
  const parent = node?.parent;
  if (parent && (ts.isFunctionDeclaration(parent) || ts.isMethodDeclaration(parent))) return parent;
  if (parent && ts.isVariableDeclaration(parent) && parent.initializer && (ts.isArrowFunction(parent.initializer) || ts.isFunctionExpression(parent.initializer))) return parent.initializer;
  return undefined;
}

/** The one expression the builder returns (an arrow's expression body counts); else undefined. */
function returnedExpression(builder: ts.SignatureDeclaration): ts.Expression | undefined {
  const body = (builder as ts.FunctionLikeDeclaration).body;
  if (!body) return undefined;
  if (!ts.isBlock(body)) return body;
  const returns: ts.ReturnStatement[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) || ts.isClassLike(node)) return;
    if (ts.isReturnStatement(node)) returns.push(node);
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(body, visit);
  return returns.length === 1 ? returns[0].expression : undefined;
}

/** True when the file with `edits` applied has the model named `name` exact for (mode, group). */
function exactAfter(fileName: string, text: string, name: string, mode: SymmetryMode, group: GroupName): boolean {
  try {
    const analysis = analyzeText(fileName, text);
    const variants = analysis.models.filter((model) => model.graph.name === name && model.graph.nameSpan.file === fileName);
    return variants.length > 0 && variants.every((model) => discoveredSymmetriesOf(model).some((found) => found.mode === mode && found.group === group && found.state === 'exact'));
  } catch {
    return false;
  }
}

/**
 * `edits` applied to `sliced` (the file cut down to the model, see modelSlice.ts), when every
 * edit lies where the slice still has the file's own text; else undefined.
 */
function applyToSlice(original: string, sliced: string, edits: readonly TextEditSpan[]): string | undefined {
  if (sliced === original) return applyTextEdits(original, edits);
  for (const edit of edits) {
    if (sliced.slice(edit.start, edit.end) !== original.slice(edit.start, edit.end)) return undefined;
    // An insertion between two cut characters would land inside a cut statement.
    const cut = (offset: number) => offset >= 0 && offset < original.length && sliced[offset] !== original[offset];
    if (edit.start === edit.end && cut(edit.start - 1) && cut(edit.start)) return undefined;
  }
  return applyTextEdits(sliced, edits);
}

/** `return model` -> `return tf.sequential({ layers: [new GroupAveraging({ layer: model, ... })] })`. */
function groupAveragingFix(editor: FileEditor, model: ModelAnalysis, finding: LocatedFinding, group: GroupName): SymmetryFix | undefined {
  const library = editor.libraryReference();
  const builder = builderFunction(editor.sourceFile, model.graph);
  const returned = builder ? returnedExpression(builder) : undefined;
  const shape = model.graph.inputs.length === 1 ? model.graph.inputs[0].shape : undefined;
  if (!library || !returned || !shape || shape.some((size) => size === null)) return undefined;
  // Rotations need a square image (GroupAveraging refuses others when it is built).
  if (group !== 'flip' && (shape.length !== 3 || shape[0] !== shape[1])) return undefined;
  const sequential = editor.tfjsLayers(undefined);
  if (!sequential) return undefined;
  // `tf.layers.x` -> `tf.sequential`: the tfjs namespace the file already uses for its layers.
  const factory = sequential.factory('sequential').replace(/\.layers\.sequential$/, '.sequential');
  if (!factory.endsWith('.sequential') || factory.startsWith('layers.')) return undefined;
  const start = returned.getStart(editor.sourceFile);
  const wrapped = `${factory}({ layers: [new ${library.className('GroupAveraging')}({ layer: ${returned.getText(editor.sourceFile)}, group: ${editor.str(group)}, inputShape: [${shape.join(', ')}] })] })`;
  const declare = insertSymmetryTags(editor.sourceFile, model.graph, [tagText({ mode: 'invariant', group })]);
  if (declare.length === 0) return undefined;
  const edits: TextEditSpan[] = [{ start, end: returned.end, newText: wrapped }, ...declare, ...library.importEdits(['GroupAveraging']), ...sequential.importEdits([])];
  return { title: `Make ${model.graph.name} exactly ${group} invariant (wrap it in GroupAveraging) and declare it`, ruleId: finding.ruleId, isPreferred: false, edits };
}

/**
 * Translation: declare the group, then apply the preferred fixes of the model's padding and
 * stride findings until nothing breaks it. The result is one edit over the changed region.
 */
function translationFix(
  editor: FileEditor,
  model: ModelAnalysis,
  finding: LocatedFinding,
  mode: SymmetryMode,
  fixesOf: (sourceFile: ts.SourceFile, analysis: FileAnalysis, finding: LocatedFinding) => SymmetryFix[],
  slice = true,
): SymmetryFix | undefined {
  const { sourceFile } = editor;
  const fileName = sourceFile.fileName;
  const tag = `@symmetry ${tagText({ mode, group: 'translation' })}`;
  const tagEdits = insertSymmetryTags(sourceFile, model.graph, [tagText({ mode, group: 'translation' })]);
  if (tagEdits.length !== 1 || !tagEdits[0].newText.includes(tag)) return undefined;
  // The passes analyse the file cut down to the model: the same offsets, a fraction of the work.
  const original = sourceFile.text;
  let sliced = slice ? sliceForModelAt(sourceFile, model.graph.nameSpan.start) : original;
  let start = applyToSlice(original, sliced, tagEdits);
  if (start === undefined) {
    sliced = original;
    start = applyTextEdits(original, tagEdits);
  }
  let text = start;
  const fixable = new Set(['padding-boundary', 'strided-aliasing']);
  let changed = false;
  for (let pass = 0; pass < 8; pass++) {
    const current = parseSource(fileName, text);
    const analysis = analyzeText(fileName, text);
    const target = analysis.findings.find((item) => fixable.has(item.ruleId) && item.modelName === model.graph.name && item.group === 'translation' && item.severity !== 'info');
    if (!target) break;
    const fix = fixesOf(current, analysis, target).find((candidate) => candidate.isPreferred);
    if (!fix) return undefined;
    text = applyTextEdits(text, fix.edits);
    changed = true;
  }
  if (!changed) return undefined;
  if (!exactAfter(fileName, text, model.graph.name, mode, 'translation')) return undefined;
  // One edit from the first to the last changed character (of the slice: the same offsets).
  let prefix = 0;
  while (prefix < sliced.length && prefix < text.length && sliced[prefix] === text[prefix]) prefix++;
  let suffix = 0;
  while (suffix < sliced.length - prefix && suffix < text.length - prefix && sliced[sliced.length - 1 - suffix] === text[text.length - 1 - suffix]) suffix++;
  const edit = { start: prefix, end: sliced.length - suffix, newText: text.slice(prefix, text.length - suffix) };
  // The edit must not span text the slice cut out: work it out on the whole file then.
  if (sliced !== original && sliced.slice(edit.start, edit.end) !== original.slice(edit.start, edit.end)) {
    return translationFix(editor, model, finding, mode, fixesOf, false);
  }
  const used = [/CircularPad\dD/.test(edit.newText) ? 'circular padding' : '', edit.newText.includes('PolyphasePool2D') ? 'polyphase pooling' : ''].filter(Boolean).join(', ');
  return { title: `Make ${model.graph.name} exactly translation ${mode} (${used}) and declare it`, ruleId: finding.ruleId, isPreferred: false, edits: [edit] };
}

/**
 * Fixes already worked out, per parsed text (a document version: an edit gives a new tree) and
 * finding. Working one out analyses the fixed file again (up to 9 times for translation), and an
 * editor asks for the code actions at the cursor after every move; the same version gets the
 * same answer, so it is computed once. The edits stay tied to that version by the caller.
 */
const fixesByText = new WeakMap<ts.SourceFile, Map<string, SymmetryFix[]>>();

/** How many times a fix was worked out rather than taken from the cache (read by tests). */
export const exactFixWork = { computed: 0 };

/**
 * The "make it exact with the layers library" fix of an augmentation finding, for a model built
 * in this file, when the model analysed with it applied is exact for the augmented group.
 */
export function exactWithLibraryFixes(
  editor: FileEditor,
  analysis: FileAnalysis,
  finding: LocatedFinding,
  fixesOf: (sourceFile: ts.SourceFile, analysis: FileAnalysis, finding: LocatedFinding) => SymmetryFix[],
): SymmetryFix[] {
  const key = [finding.ruleId, finding.messageId, finding.span.start, finding.span.end, finding.data.model, finding.data.group, finding.data.mode].join('\u0000');
  let byFinding = fixesByText.get(editor.sourceFile);
  if (!byFinding) fixesByText.set(editor.sourceFile, (byFinding = new Map()));
  let fixes = byFinding.get(key);
  if (!fixes) {
    exactFixWork.computed++;
    fixes = computeExactFixes(editor, analysis, finding, fixesOf);
    byFinding.set(key, fixes);
  }
  return fixes;
}

function computeExactFixes(
  editor: FileEditor,
  analysis: FileAnalysis,
  finding: LocatedFinding,
  fixesOf: (sourceFile: ts.SourceFile, analysis: FileAnalysis, finding: LocatedFinding) => SymmetryFix[],
): SymmetryFix[] {
  const { model: name, group, mode } = finding.data;
  const fileName = editor.sourceFile.fileName;
  const variants = analysis.models.filter((candidate) => candidate.graph.name === name && candidate.graph.nameSpan.file === fileName);
  // A model with variants has several builders' paths: one edit does not fix them all.
  if (variants.length !== 1 || !group || !mode || finding.messageId === 'redundant') return [];
  const model = variants[0];
  let fix: SymmetryFix | undefined;
  if (AVERAGED.has(group as GroupName) && mode === 'invariant') {
    fix = groupAveragingFix(editor, model, finding, group as GroupName);
    const sliced = fix && applyToSlice(editor.text, sliceForModelAt(editor.sourceFile, model.graph.nameSpan.start), fix.edits);
    const fixed = fix && (sliced ?? applyTextEdits(editor.text, fix.edits));
    if (fix && !exactAfter(fileName, fixed!, model.graph.name, 'invariant', group as GroupName)) fix = undefined;
  } else if (group === 'translation') {
    fix = translationFix(editor, model, finding, mode as SymmetryMode, fixesOf);
  }
  return fix ? [fix] : [];
}
