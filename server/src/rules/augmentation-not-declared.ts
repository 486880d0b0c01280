// augmentation-not-declared (SPEC 7, issue 9): training augments its inputs with a flip, a
// rotation, a shift, a shuffle or a sign flip that no declaration of the trained model names.
// The augmentation says what the task is; the message says what the model does with it:
// redundant when the model is exactly symmetric already, else the layer that breaks it.
import { declarationCovers } from '../analysis/augmentation';
import { layerSpanInFile } from '../analysis/graph';
import type { GroupName } from '../analysis/symmetry';
import { createRule } from './rule';

type MessageId = 'redundant' | 'brokenAt' | 'approximate' | 'notKnown';

/** What training does to the inputs, in words, per group (a vertical flip counts as dihedral). */
const DOES: Record<GroupName, string> = {
  flip: 'flips the inputs horizontally',
  dihedral: 'flips the inputs vertically',
  rotation90: 'rotates the inputs',
  translation: 'shifts or crops the inputs',
  permutation: 'shuffles the elements of each input set',
  sign: 'negates the inputs at random',
};

/** How to build the symmetry in instead of teaching it (SPEC 6). */
const EXACT_WITH: Record<GroupName, string> = {
  flip: 'GroupAveraging',
  dihedral: 'GroupAveraging',
  rotation90: 'GroupAveraging or P4 convolutions',
  translation: 'CircularPad2D',
  permutation: 'SetDense and SetPool',
  sign: 'tanh and no bias',
};

/** Short words for why a symmetry holds only approximately. */
const APPROXIMATE_WORDS: Partial<Record<string, string>> = { 'zero-padding': 'zero padding', cropping: 'cropping', resampling: 'resampling' };

export const augmentationNotDeclared = createRule<MessageId>({
  id: 'augmentation-not-declared',
  meta: {
    description: 'Training augments with a transformation (a flip, a rotation, a shift, a shuffle) that no declaration of the trained model names.',
    defaultSeverity: 'info',
    preferredFix: 'Declare it as learned with a tol, or make it exact with the layers library.',
    messages: {
      redundant: 'Training {{does}}, so the task is {{groupMode}}, and {{model}} is exactly so already, so the augmentation is redundant and costs training time for nothing.',
      brokenAt: 'Training {{does}}, so the task is {{groupMode}}, but {{layer}} at line {{line}} breaks it in {{model}}; declare it learned or build it in with {{exactWith}}.',
      approximate: 'Training {{does}}, so the task is {{groupMode}}, which {{model}} keeps only approximately ({{reason}}); declare it learned or build it in with {{exactWith}}.',
      notKnown: 'Training {{does}}, so the task is {{groupMode}}, and whether {{model}} keeps it is not known statically; declare it learned with a tol.',
    },
  },
  checkModel() {},
  checkFile(context) {
    const reported = new Set<string>();
    // The first augmenting call in the file's order stands for its group (calls in this file first).
    const inOrder = [...(context.augmentations ?? [])].sort(
      (a, b) => Number(a.augmentation.span.file !== context.fileName) - Number(b.augmentation.span.file !== context.fileName) || a.augmentation.span.start - b.augmentation.span.start,
    );
    for (const { augmentation, group, model } of inOrder) {
      if (declarationCovers(model.declared, group)) continue;
      // One finding per augmentation group and model: the first augmenting call.
      const key = `${group}\u0000${model.graph.nameSpan.file}\u0000${model.graph.name}`;
      if (reported.has(key)) continue;
      reported.add(key);
      const inferred = model.inferred;
      const mode = inferred?.mode ?? 'invariant';
      const inThisFile = augmentation.span.file === context.fileName;
      const span = inThisFile ? augmentation.span : augmentation.training;
      const data: Record<string, string> = { does: DOES[group], groupMode: `${group} ${mode}`, model: model.graph.name, exactWith: EXACT_WITH[group], group, mode };
      const related = [
        { span: model.graph.nameSpan, message: `the trained model, ${model.graph.name}` },
        ...(inThisFile ? [] : [{ span: augmentation.span, message: `augmented here (${augmentation.op})` }]),
        // A helper's op reported in its own file: where the training that it feeds is.
        ...(augmentation.training.file === context.fileName ? [] : [{ span: augmentation.training, message: `trained here, on ${model.graph.name}` }]),
      ];
      let messageId: MessageId = 'notKnown';
      const cause = inferred?.causes[0];
      if (inferred?.state === 'exact') {
        messageId = 'redundant';
      } else if ((inferred?.state === 'broken' || inferred?.state === 'subgroup') && cause) {
        const layer = cause.at.layer >= 0 ? model.graph.layers[cause.at.layer] : undefined;
        const layerSpan = layer ? (layerSpanInFile(layer, model.graph.nameSpan.file) ?? layer.span) : model.graph.nameSpan;
        messageId = 'brokenAt';
        data.layer = cause.at.kind;
        // A model imported from another file: say which file the line is in.
        const fileName = layerSpan.file.split(/[\\/]/).pop() ?? layerSpan.file;
        data.line = layerSpan.file === context.fileName ? String(context.lineOf(layerSpan)) : `${context.lineOf(layerSpan)} in ${fileName}`;
        related.push({ span: layerSpan, message: `${cause.at.kind} breaks ${group} ${mode}` });
      } else if (inferred?.state === 'approx') {
        messageId = 'approximate';
        data.reason = [...new Set(inferred.causes.map((c) => APPROXIMATE_WORDS[c.code] ?? c.at.kind))].join(', ');
      }
      context.report({ messageId, data, span, group, mode, related });
    }
  },
});
