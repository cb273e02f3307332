/**
 * A URL as it may be stored or shown: no userinfo (`https://user:token@host`, `https://token@host`),
 * no query (`?private_token=…`) and no fragment, where services and users put credentials. scp-like
 * remotes (`git@host:path`) keep their user name, which cannot hold a password, and lose any `?…`/`#…`.
 */
export function redactUrl(url: string): string {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)([^?#]*)/i.exec(url);
  if (!m) return url.replace(/[?#][\s\S]*$/, '');
  const authority = m[2]!;
  const at = authority.lastIndexOf('@');
  return m[1]! + (at < 0 ? authority : authority.slice(at + 1)) + m[3]!;
}

/** Every URL inside a message (git's errors quote the remote) redacted as by redactUrl. */
export function redactUrlsIn(text: string): string {
  return text.replace(/[a-z][a-z0-9+.-]*:\/\/[^\s'"<>]*/gi, (u) => redactUrl(u));
}
