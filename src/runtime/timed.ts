// Times one upstream call and reports its duration and whether it went as expected, for the upstream metrics.

/**
 * Runs the call and reports seconds and ok. A thrown error counts as ok when `expectedError` says so
 * (a 404 that means "absent", a 409 that is handled), so metrics show real failures only.
 */
export async function timed<T>(call: () => Promise<T>, report: (seconds: number, ok: boolean) => void, expectedError: (err: unknown) => boolean = () => false): Promise<T> {
  const started = performance.now();
  let ok = false;
  try {
    const result = await call();
    ok = true;
    return result;
  } catch (err) {
    ok = expectedError(err);
    throw err;
  } finally {
    report((performance.now() - started) / 1000, ok);
  }
}
