// Tests of the one-finding-per-place merge on hand-made findings: several models sharing a
// helper's layer, findings that must stay apart, and variants of one model (all of them or
// only some).
import * as assert from 'node:assert/strict';
import type { SourceSpan } from '../../server/src/analysis/graph';
import { commonDecisions, describeVariants, eachOfModels, mergeFindings, type HolderFindings } from '../../server/src/findingMerge';
import type { Finding, FindingHolder } from '../../server/src/rules/rule';

const FILE = '/project/models.ts';

function span(start: number, end = start + 5): SourceSpan {
  return { file: FILE, start, end };
}

/** A finding at the helper's flatten (offset 40), declared at `declarationAt`. */
function flattenFinding(model: string, declarationAt: number, extra: Partial<Finding> = {}): Finding {
  return {
    ruleId: 'flatten-breaks-invariance',
    severity: 'error',
    message: 'flatten at line 3 turns positions into features: translation invariance is lost.',
    messageId: 'flattenThenMix',
    span: span(40),
    related: [
      { span: span(declarationAt, declarationAt + 30), message: 'declared here: @symmetry invariant translation' },
      { span: span(60), message: 'dense at line 4, the second layer involved' },
    ],
    group: 'translation',
    mode: 'invariant',
    modelName: model,
    layer: 1,
    data: { model },
    ...extra,
  };
}

function holder(model: string, nameAt: number, findings: Finding[], variant?: string): HolderFindings<Finding> {
  const who: FindingHolder = variant === undefined ? { model } : { model, variant };
  return { holder: who, span: span(nameAt, nameAt + model.length), findings };
}

describe('findingMerge', () => {
  it('merges identical findings of several models into one naming each model at its holder', () => {
    const merged = mergeFindings([
      holder('buildSmall', 100, [flattenFinding('buildSmall', 90)]),
      holder('buildMedium', 200, [flattenFinding('buildMedium', 190)]),
      holder('buildLarge', 300, [flattenFinding('buildLarge', 290)]),
    ]);
    assert.equal(merged.length, 1);
    const [finding] = merged;
    assert.equal(finding.message, 'flatten at line 3 turns positions into features: translation invariance is lost.');
    assert.equal(finding.modelName, 'buildSmall');
    assert.deepEqual(finding.models, ['buildSmall', 'buildMedium', 'buildLarge']);
    assert.deepEqual(finding.holders, [{ model: 'buildSmall' }, { model: 'buildMedium' }, { model: 'buildLarge' }]);
    assert.deepEqual(
      finding.related.map((item) => [item.span.start, item.message]),
      [
        [100, 'in 3 models: buildSmall, buildMedium, buildLarge'],
        [60, 'dense at line 4, the second layer involved'],
        [90, 'in buildSmall: declared here: @symmetry invariant translation'],
        [190, 'in buildMedium: declared here: @symmetry invariant translation'],
        [290, 'in buildLarge: declared here: @symmetry invariant translation'],
      ],
    );
  });

  it('names at its holder a model that has no related item of its own', () => {
    const bare = (model: string) => flattenFinding(model, 0, { related: [] });
    const [finding] = mergeFindings([holder('a', 100, [bare('a')]), holder('b', 200, [bare('b')])]);
    assert.deepEqual(
      finding.related.map((item) => [item.span.start, item.message]),
      [
        [100, 'in 2 models: a, b'],
        [100, 'in a'],
        [200, 'in b'],
      ],
    );
  });

  it('returns a finding only one model has as the very same object', () => {
    const own = flattenFinding('a', 90);
    const other = flattenFinding('b', 190, { span: span(70) });
    const merged = mergeFindings([holder('a', 100, [own]), holder('b', 200, [other])]);
    assert.equal(merged.length, 2);
    assert.equal(merged[0], own);
    assert.equal(merged[1], other);
  });

  it('keeps apart findings at the same place of different rules, groups, or meanings', () => {
    const a = flattenFinding('a', 90);
    const otherRule = flattenFinding('b', 190, { ruleId: 'order-dependent-layer' });
    const otherGroup = flattenFinding('c', 290, { group: 'flip' });
    const otherMode = flattenFinding('d', 390, { mode: 'equivariant' });
    const otherMessage = flattenFinding('e', 490, { message: 'flatten at line 3 mixes 33x33 positions.' });
    const merged = mergeFindings([
      holder('a', 100, [a]),
      holder('b', 200, [otherRule]),
      holder('c', 300, [otherGroup]),
      holder('d', 400, [otherMode]),
      holder('e', 500, [otherMessage]),
    ]);
    assert.deepEqual(merged, [a, otherRule, otherGroup, otherMode, otherMessage]);
  });

  it('merges messages that differ only by the model they name, saying it of each model', () => {
    const naming = (model: string) => flattenFinding(model, 0, { message: `${model} declares invariance, but its output moves.`, related: [] });
    const merged = mergeFindings([holder('a', 100, [naming('a')]), holder('b', 200, [naming('b')]), holder('c', 300, [naming('c')])], {
      meaningOf: (finding) => finding.message.replace(finding.data.model, '<model>'),
      messageFor: (_finding, models) => `${models} declares invariance, but its output moves.`,
    });
    assert.equal(merged.length, 1);
    assert.equal(merged[0].message, 'Each of a, b and c declares invariance, but its output moves.');
  });

  it('takes the most severe severity of the merged findings', () => {
    const [finding] = mergeFindings([
      holder('a', 100, [flattenFinding('a', 90, { severity: 'info' })]),
      holder('b', 200, [flattenFinding('b', 190, { severity: 'warning' })]),
    ]);
    assert.equal(finding.severity, 'warning');
  });

  describe('variants', () => {
    const variants = ["rnnType === 'lstm'", "rnnType === 'gru'", "rnnType === 'simple'"];
    /** One model's variants, each with the findings `has` says. */
    function variantsOf(has: (variant: string) => Finding[]): HolderFindings<Finding>[] {
      return variants.map((variant) => holder('buildRnn', 100, has(variant), variant));
    }

    it('a finding every variant of a model has appears once, with no variant note', () => {
      const merged = mergeFindings(variantsOf(() => [flattenFinding('buildRnn', 90)]));
      assert.equal(merged.length, 1);
      assert.equal(merged[0].message, 'flatten at line 3 turns positions into features: translation invariance is lost.');
      assert.deepEqual(merged[0].models, ['buildRnn']);
      assert.deepEqual(
        merged[0].related.map((item) => item.message),
        ['declared here: @symmetry invariant translation', 'dense at line 4, the second layer involved'],
      );
    });

    it('a finding only some variants have says which', () => {
      const merged = mergeFindings(variantsOf((variant) => (variant.includes('simple') ? [] : [flattenFinding('buildRnn', 90)])));
      assert.equal(merged.length, 1);
      assert.equal(merged[0].message, "When rnnType is 'lstm' or 'gru': flatten at line 3 turns positions into features: translation invariance is lost.");
      assert.deepEqual(merged[0].holders, [
        { model: 'buildRnn', variant: "rnnType === 'lstm'" },
        { model: 'buildRnn', variant: "rnnType === 'gru'" },
      ]);
    });

    it('a finding one variant alone has is that variant\'s finding, with the note', () => {
      const only = flattenFinding('buildRnn', 90);
      const merged = mergeFindings(variantsOf((variant) => (variant.includes('gru') ? [only] : [])));
      assert.equal(merged.length, 1);
      assert.equal(merged[0].message, "When rnnType is 'gru': flatten at line 3 turns positions into features: translation invariance is lost.");
    });

    it('related items only some variants have say which variants', () => {
      const withRepeat = (variant: string) => {
        const finding = flattenFinding('buildRnn', 90);
        if (variant.includes('lstm')) finding.related = [...finding.related, { span: span(80), message: 'also at flatten, line 5' }];
        return [finding];
      };
      const [finding] = mergeFindings(variantsOf(withRepeat));
      assert.equal(finding.message, 'flatten at line 3 turns positions into features: translation invariance is lost.');
      assert.deepEqual(finding.related.at(-1), { span: span(80), message: "when rnnType is 'lstm': also at flatten, line 5" });
    });

    it('with several models, a note names the models and the variants of the partial ones', () => {
      const merged = mergeFindings([
        holder('buildCnn', 50, [flattenFinding('buildCnn', 40)]),
        ...variantsOf((variant) => (variant.includes('lstm') ? [flattenFinding('buildRnn', 90)] : [])),
      ]);
      assert.equal(merged.length, 1);
      assert.match(merged[0].message, /^In buildCnn, and in buildRnn when rnnType is 'lstm': flatten at line 3/);
      assert.deepEqual(merged[0].models, ['buildCnn', 'buildRnn']);
      assert.equal(merged[0].related[0].message, 'in 2 models: buildCnn, buildRnn');
    });
  });

  it('names the decision the variants with a finding share, not each variant', () => {
    const labels = ["modelType === 'mlp' && useDropout", "modelType === 'mlp' && !useDropout", "modelType === 'cnn' && useDropout", "modelType === 'cnn' && !useDropout"];
    const merged = mergeFindings(labels.map((label) => holder('build', 100, label.includes('mlp') ? [flattenFinding('build', 90)] : [], label)));
    assert.match(merged[0].message, /^When modelType is 'mlp': flatten at line 3/);
    assert.deepEqual(commonDecisions([labels[0], labels[2]], labels), ['useDropout']);
    // Shared terms that other variants also have do not tell these apart: each is named.
    assert.deepEqual(commonDecisions([labels[0], labels[3]], labels), [labels[0], labels[3]]);
    assert.equal(describeVariants(['!useDropout']), 'not useDropout');
  });

  it('moves a variant note that would make the message too long to the related information', () => {
    const long = flattenFinding('build', 90, { message: `flatten turns positions into features ${'and more '.repeat(18)}so invariance is lost.` });
    const labels = ["kind === 'a-rather-long-option-name'", "kind === 'another-rather-long-option-name'"];
    const [merged] = mergeFindings(labels.map((label, i) => holder('build', 100, i === 0 ? [long] : [], label)));
    assert.equal(merged.message, long.message);
    assert.equal(merged.related[0].message, "only when kind is 'a-rather-long-option-name'");
  });

  it('describes variants and model lists in words', () => {
    assert.equal(describeVariants(["modelType === 'cnn'"]), "modelType is 'cnn'");
    assert.equal(describeVariants(["a === 1", "b !== 'x' && c"]), "a is 1, or b is not 'x' and c");
    assert.equal(eachOfModels(['a', 'b']), 'each of a and b');
    assert.equal(eachOfModels(['a', 'b', 'c', 'd', 'e', 'f']), 'each of 6 models');
  });

  it('gives back its earlier merge of the very same findings, and merges again when a holder, a finding or a model\'s variants differ', () => {
    const options = {};
    const small = flattenFinding('buildSmall', 90);
    const medium = flattenFinding('buildMedium', 190);
    const smallSpan = span(100, 110);
    const mediumSpan = span(200, 211);
    const byHolder = (): HolderFindings<Finding>[] => [
      { holder: { model: 'buildSmall' }, span: smallSpan, findings: [small] },
      { holder: { model: 'buildMedium', variant: 'wide' }, span: mediumSpan, findings: [medium] },
      { holder: { model: 'buildMedium', variant: 'narrow' }, span: mediumSpan, findings: [] },
    ];
    const [first] = mergeFindings(byHolder(), options);
    assert.match(first.message, /^In buildSmall, and in buildMedium when wide: /, 'only one of buildMedium\'s variants has it');
    // The same finding objects, holders and variants (as for models a keystroke did not touch).
    assert.equal(mergeFindings(byHolder(), options)[0], first);
    // Each input changed in turn gives the merge a fresh call without the kept one would give.
    const fresh = (input: HolderFindings<Finding>[]) => mergeFindings(input, {})[0];
    const changes: [string, () => HolderFindings<Finding>[]][] = [
      ['an equal finding made again', () => [{ ...byHolder()[0], findings: [flattenFinding('buildSmall', 90)] }, ...byHolder().slice(1)]],
      ['another holder', () => [{ ...byHolder()[0], holder: { model: 'buildTiny' } }, ...byHolder().slice(1)]],
      ['the variants of a model', () => [byHolder()[0], byHolder()[1], { holder: { model: 'buildMedium', variant: 'narrow' }, span: mediumSpan, findings: [medium] }]],
      ['another holder span', () => [{ ...byHolder()[0], span: span(100, 110) }, ...byHolder().slice(1)]],
    ];
    for (const [label, input] of changes) {
      const again = mergeFindings(input(), options)[0];
      assert.notEqual(again, first, label);
      assert.deepEqual(again, fresh(input()), label);
    }
    assert.notDeepEqual(mergeFindings(changes[2][1](), options)[0].message, first.message, 'all variants have it now: no note');
  });
});
