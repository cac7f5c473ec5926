// Waiting for something that happens asynchronously, without betting on how long it takes.
export async function waitFor(condition: () => boolean | Promise<boolean>, { timeoutMs = 20_000, what = 'condition' } = {}): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let delay = 5;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 100);
  }
}
