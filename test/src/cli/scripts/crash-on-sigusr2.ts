// Loaded before the CLI (--import): SIGUSR2 throws from a signal listener, an exception nothing in the CLI catches.
process.on('SIGUSR2', () => {
  throw new Error('forced crash');
});
