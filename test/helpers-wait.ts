/**
 * Waiting in tests without deadlines of their own: a wait ends on the event it waits for, and only the test's
 * timeout (vitest.config.ts) ends a hang, so a slow or loaded machine makes a test slower, never red.
 */

/** Calls `check` every `intervalMs` until it returns a truthy value, and returns that value. No deadline. */
export async function waitFor<T>(
  check: () => T | null | undefined | false | Promise<T | null | undefined | false>,
  intervalMs = 100,
): Promise<T> {
  for (;;) {
    const value = await check();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** The timeout to give a helper of src/ that takes one (`waitReady`): none, the test's own ends a hang. */
export const NO_DEADLINE = Number.POSITIVE_INFINITY;
