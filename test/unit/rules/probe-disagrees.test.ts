// probe-disagrees is reported by the probe only: statically, whatever the inference found, it is silent.
import { probeDisagrees } from '../../../server/src/rules/probe-disagrees';
import { testProbeOnlyRule } from '../probeOnlyRuleTests';

testProbeOnlyRule(probeDisagrees);
