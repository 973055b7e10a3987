// Polling for the integration tests: the extension host, the language server and the webviews all
// answer asynchronously, so a test waits for the state it expects (or fails saying what it waited for).

/** Polls `probe` every 200 ms until it returns a value other than undefined; throws `what` after `ms`. */
export async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms / 1000} s: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
