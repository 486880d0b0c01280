// Command-line options shared by the two real-code benches (benchRealCode.js, static;
// benchProbeRealCode.js, probes): a corpus folder, one or more label files, and each bench's own
// numeric or boolean options, read with node's util.parseArgs.
'use strict';

const path = require('node:path');
const { parseArgs } = require('node:util');

/**
 * `--corpus <dir> --labels <file>... [--json]` plus `extra`: a map from option name to its
 * default, a boolean (a flag) or a number (an option with a value).
 */
function parseRealCodeArgs(argv, extra) {
  const options = { corpus: { type: 'string' }, labels: { type: 'string', multiple: true }, json: { type: 'boolean' } };
  for (const [name, fallback] of Object.entries(extra)) options[name] = { type: typeof fallback === 'boolean' ? 'boolean' : 'string' };
  const { values } = parseArgs({ args: argv, options, strict: true, allowPositionals: false });
  if (!values.corpus) throw new Error('--corpus <dir> is required');
  if (!values.labels || values.labels.length === 0) throw new Error('at least one --labels <file> is required');
  const parsed = { corpus: path.resolve(values.corpus), labels: values.labels.map((file) => path.resolve(file)), json: values.json === true };
  for (const [name, fallback] of Object.entries(extra)) {
    if (typeof fallback === 'boolean') parsed[name] = values[name] ?? fallback;
    else {
      const number = values[name] === undefined ? fallback : Number(values[name]);
      if (!Number.isFinite(number)) throw new Error(`--${name} needs a number, got ${values[name]}`);
      parsed[name] = number;
    }
  }
  return parsed;
}

module.exports = { parseRealCodeArgs };
