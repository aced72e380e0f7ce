/**
 * Remembers every secret the run handles (passwords, `auth` strings, bearer tokens) and blanks them out of any
 * text before it is printed. Messages are built without secrets in the first place; this is the safety net for
 * text that comes from elsewhere, such as an error body a registry echoes back.
 */
export class SecretScrubber {
  private readonly secrets = new Set<string>();

  /**
   * Registers a secret, and its Basic-auth base64 form when a username is given. A secret shorter than 4 characters
   * is not blanked itself (that would blank out ordinary words), but its Basic form, which is never that short, is.
   */
  add(secret: string | undefined, username?: string): void {
    if (!secret) return;
    if (secret.length >= 4) this.secrets.add(secret);
    if (username !== undefined) this.secrets.add(Buffer.from(`${username}:${secret}`).toString('base64'));
  }

  /** The text with every registered secret replaced by `***`. */
  scrub(text: string): string {
    let result = text;
    for (const secret of this.secrets) result = result.split(secret).join('***');
    return result;
  }
}
