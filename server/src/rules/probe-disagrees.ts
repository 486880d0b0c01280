// probe-disagrees: the static verdict and the probe's measurement disagree, so one of them is
// wrong. Reported by the probe (SPEC section 5); statically this rule reports nothing.
import { createRule } from './rule';

type MessageId = 'staticBreakProbeHolds' | 'probeBreakStaticHolds';

export const probeDisagrees = createRule<MessageId>({
  id: 'probe-disagrees',
  meta: {
    description: 'The probe and the static analysis disagree.',
    defaultSeverity: 'warning',
    preferredFix: 'Report it: one of the two verdicts is wrong.',
    messages: {
      staticBreakProbeHolds: 'The static analysis reports {{ruleId}} at {{layer}}, but the probe measured {{groupMode}} within tol {{tol}}, error {{error}}; please report this disagreement.',
      probeBreakStaticHolds: 'The probe measured an error of {{error}} over tol {{tol}} under {{groupMode}} at {{layer}}, but the static analysis finds no break there; please report this disagreement.',
    },
  },
  // Only the probe reports this rule, after comparing its verdicts with the static ones.
  checkModel() {},
});
