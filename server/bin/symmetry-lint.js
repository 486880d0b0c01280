#!/usr/bin/env node
// Entry point of the `symmetry-lint` command: `check` (CLI) and `lsp --stdio` (language server).
'use strict';
require('../dist/cli.js');
