/** The message of anything thrown, for wrapping a library's failure in an error a user can act on. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
