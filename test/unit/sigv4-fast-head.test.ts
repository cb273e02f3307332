import { describe, expect, it } from 'vitest';
import { signV4 } from '../../src/adapters/registry/fast-head.js';
import { verifySigV4 } from '../support/sigv4.js';

// The read path signs its HEAD itself; the test layer's verifier (written separately, used by the
// strict S3 layer) must accept it, and refuse it under another secret or for another key.
describe('SigV4 for the shared registry HEAD', () => {
  const url = new URL('http://127.0.0.1:9000/team-bucket/mlctl/registry (v2).db');
  const base = {
    method: 'HEAD',
    url,
    region: 'us-east-1',
    accessKeyId: 'AKID',
    secretAccessKey: 'secret/key+1',
    now: new Date('2026-11-23T10:00:00Z'),
  };

  it('verifies with the right secret, with and without a session token', () => {
    for (const sessionToken of [undefined, 'token=']) {
      const headers = signV4({ ...base, sessionToken });
      expect(headers['x-amz-date']).toBe('20261123T100000Z');
      expect(verifySigV4({ method: 'HEAD', url: url.pathname, headers }, { AKID: 'secret/key+1' })).toMatchObject({
        ok: true,
      });
    }
  });

  it('is refused under another secret or for another object', () => {
    const headers = signV4(base);
    expect(verifySigV4({ method: 'HEAD', url: url.pathname, headers }, { AKID: 'other' })).toMatchObject({
      ok: false,
      code: 'SignatureDoesNotMatch',
    });
    expect(
      verifySigV4({ method: 'HEAD', url: '/team-bucket/mlctl/other.db', headers }, { AKID: 'secret/key+1' }),
    ).toMatchObject({ ok: false });
  });
});
