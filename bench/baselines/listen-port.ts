/** `--port <n>` for the baseline servers; 0 (the default) lets the OS pick a free port. */
export function listenPortFromArgv(argv: readonly string[] = process.argv): number {
  const index = argv.indexOf('--port');
  const value = index >= 0 ? argv[index + 1] : '0';
  if (value === undefined || !/^\d{1,5}$/.test(value) || Number(value) > 65535) {
    process.stderr.write(`baseline: --port must be a port number from 0 to 65535, got "${value ?? ''}"\n`);
    process.exit(2);
  }
  return Number(value);
}
