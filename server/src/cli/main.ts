// Command-line entry (placeholder until the CLI lands).
console.error('symmetry-lint: not built yet');
process.exit(2);
