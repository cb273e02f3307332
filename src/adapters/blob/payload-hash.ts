/**
 * SigV4 signs the body's sha256 (x-amz-content-sha256) over plain HTTP. When we already know that
 * digest (it is the checksum we attach), setting the header lets the signer reuse it instead of
 * hashing every byte a second time.
 */
interface WithMiddleware {
  middlewareStack: {
    add(
      mw: (next: (args: { request: unknown }) => Promise<unknown>) => (args: { request: unknown }) => Promise<unknown>,
      opts: { step: 'build'; name: string },
    ): void;
  };
}

export function withPayloadSha256<C>(command: C, sha256Hex: string): C {
  (command as unknown as WithMiddleware).middlewareStack.add(
    (next) => async (args) => {
      const req = args.request as { headers?: Record<string, string> };
      if (req.headers) req.headers['x-amz-content-sha256'] = sha256Hex;
      return next(args);
    },
    { step: 'build', name: 'mlctlKnownPayloadHash' },
  );
  return command;
}
