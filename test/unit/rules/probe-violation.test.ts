// probe-violation is reported by the probe only: statically, whatever the inference found, it is silent.
import { probeViolation } from '../../../server/src/rules/probe-violation';
import { testProbeOnlyRule } from '../probeOnlyRuleTests';

testProbeOnlyRule(probeViolation);
