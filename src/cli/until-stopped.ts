/**
 * Resolves on Ctrl-C, SIGTERM, or when stdout is closed (`dotbus tail … | head`): all are a normal
 * end of a command that runs until stopped (`tail`, `metrics`), which then exits 0.
 */
export function untilStopped(): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
    process.stdout.once('error', done);
  });
}
