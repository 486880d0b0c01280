// probe-violation: the numeric probe measured an error above `tol` at a layer. The probe
// reports it (SPEC section 5); statically this rule reports nothing. Metadata and messages live
// here so the probe, the settings and the docs share them.
import { createRule } from './rule';

type MessageId = 'violation' | 'violationPredicted';

export const probeViolation = createRule<MessageId>({
  id: 'probe-violation',
  meta: {
    description: 'The probe measured an error above tol at this layer.',
    defaultSeverity: 'error',
    preferredFix: 'As for the static rule that predicts the break.',
    messages: {
      violation: '{{layer}} breaks {{groupMode}}: probe error {{error}} (tol {{tol}}), worst at {{element}}; no static finding predicts it.',
      violationPredicted: '{{layer}} breaks {{groupMode}}, as {{predictedBy}} predicts: probe error {{error}} (tol {{tol}}), worst at {{element}}.',
    },
  },
  // Only the probe reports this rule, after a numeric run.
  checkModel() {},
});
