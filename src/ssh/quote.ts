/**
 * Turning an argv into the one command string SSH carries (RFC 4254 §6.5 "exec" takes a string,
 * which sshd hands to the user's shell as `$SHELL -c <string>`).
 */

const SAFE = /^[A-Za-z0-9_./=:@%+,-]+$/;

/**
 * Quote one argument for a POSIX shell: left bare when it has only `A-Z a-z 0-9 _ . / = : @ % + , -`,
 * else wrapped in single quotes, each `'` written `'\''`. Inside single quotes a POSIX shell
 * (sh, bash, dash, zsh) gives no character a meaning, so the argument arrives byte for byte.
 * @throws Error when the argument holds a NUL byte (no shell can receive one).
 */
export function shellQuote(arg: string): string {
  if (arg.includes('\0')) throw new Error(`argument ${JSON.stringify(arg)} holds a NUL byte, which no remote command can receive`);
  if (SAFE.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * The remote command string for `argv`: each argument through {@link shellQuote}, joined by spaces.
 * `['grep', '-c', 'a b;rm -rf /']` → `grep -c 'a b;rm -rf /'`.
 * @throws Error for an empty argv, an empty program name, or a NUL byte.
 */
export function shellCommand(argv: readonly string[]): string {
  if (argv.length === 0 || argv[0] === '') throw new Error('expected a command (argv[0]), got none');
  return argv.map(shellQuote).join(' ');
}
