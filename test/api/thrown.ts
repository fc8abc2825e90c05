/** What `run` rejects with, or undefined when it resolves: an assertion's error, to inspect. */
export async function thrown(run: Promise<unknown>): Promise<unknown> {
  try {
    await run;
    return undefined;
  } catch (error) {
    return error;
  }
}
