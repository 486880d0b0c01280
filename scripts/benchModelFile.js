// The generated model files the benchmarks share: renamed copies of the samples' models, as one
// large file (`npm run bench`'s 3,000-line keystroke file, `npm run bench:memory`) or many.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const samplesDir = path.resolve(__dirname, '..', 'samples');

/** The samples' model code, with every exported name made unique per copy. */
function sampleBodies() {
  return fs
    .readdirSync(samplesDir)
    .filter((f) => f.endsWith('.ts'))
    .sort()
    .map((f) => fs.readFileSync(path.join(samplesDir, f), 'utf8'))
    .map((text) => text.replace(/^import .*$/gm, '').replace(/^\/\/ .*$/gm, ''));
}

/** A model file of about `lines` lines made of renamed copies of the samples' models. */
function generateModelFile(lines) {
  const bodies = sampleBodies();
  let out = "import * as tf from '@tensorflow/tfjs';\nimport * as sl from 'symmetry-lint-layers';\n";
  for (let copy = 0; out.split('\n').length < lines; copy++) {
    const body = bodies[copy % bodies.length];
    out += body.replace(/\b(build\w+|create\w+|textureModel|MirrorBlindNet|ChannelShuffle|loadPretrained|compileModel|convBlock|IMAGE_SIZE|NUM_CLASSES|NUM_POINTS|FILTERS|CONV|HIDDEN|CONFIG|FRAMES|MEL_BINS)\b/g, `$1_${copy}`);
  }
  return out;
}

module.exports = { generateModelFile, sampleBodies };
