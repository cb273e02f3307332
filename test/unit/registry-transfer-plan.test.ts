import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planTransfer } from '../../src/core/registry/transfer-plan.js';
import { transferRegistry } from '../../src/core/registry/transfer.js';
import type { MoveResult, RegistryMover } from '../../src/ports/registry-mover.js';

const PG = 'postgres://mlctl@db.internal:5432/registry';

describe('planning a registry push/pull', () => {
  it('copies bytes between files and S3, rows whenever PostgreSQL is an end', () => {
    expect(planTransfer('/a/r.db', 's3://b/r.db').route).toBe('bytes');
    expect(planTransfer('s3://b/r.db', '/a/r.db').route).toBe('bytes');
    expect(planTransfer('/a/r.db', '/a/copy.db').route).toBe('bytes');
    for (const [from, to] of [
      ['/a/r.db', PG],
      [PG, 's3://b/r.db'],
      ['s3://b/r.db', PG],
      [PG, 'postgresql://mlctl@db.internal/other'],
    ])
      expect(planTransfer(from!, to!)).toMatchObject({ route: 'rows', from: { location: from }, to: { location: to } });
  });

  it('refuses a registry copied onto itself, however it is spelled (exit 2)', () => {
    for (const [from, to] of [
      ['/a/r.db', '/a/./sub/../r.db'],
      ['s3://b/x//r.db', 's3://b/x/r.db'],
      ['s3://bkt/team/registry.db', 's3://bkt/team/./registry.db'],
      [PG, 'postgresql://other@DB.internal/registry?sslmode=require'],
    ])
      expect(() => planTransfer(from!, to!), `${from} → ${to}`).toThrow(
        expect.objectContaining({
          exitCode: 2,
          message: expect.stringMatching(/the source and the target are the same registry/),
        }),
      );
    expect(() => planTransfer(PG, 'postgres://mlctl@db.internal:5433/registry')).not.toThrow();
  });

  it('refuses an S3 prefix as either end: a registry is one object (exit 2)', () => {
    for (const [from, to] of [
      ['/a/r.db', 's3://bkt/team/'],
      ['s3://bkt', '/a/r.db'],
    ])
      expect(() => planTransfer(from!, to!), `${from} → ${to}`).toThrow(
        expect.objectContaining({
          exitCode: 2,
          message: expect.stringMatching(/is an S3 prefix, not a registry object/),
        }),
      );
  });

  it('a symbolic link to the registry is the same registry', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlctl-plan-'));
    try {
      writeFileSync(join(dir, 'r.db'), '');
      symlinkSync(join(dir, 'r.db'), join(dir, 'link.db'));
      expect(() => planTransfer(join(dir, 'r.db'), join(dir, 'link.db'))).toThrow(/the same registry/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('transferRegistry', () => {
  const moved: Array<Parameters<RegistryMover['move']>> = [];
  const mover: RegistryMover = {
    async move(plan, opts) {
      moved.push([plan, opts]);
      return { from: plan.from.location, to: plan.to.location } as MoveResult;
    },
  };
  const d = { mover, configured: async () => 's3://team/registry.db', cwd: '/work/p' };

  it('resolves relative files against the project and defaults the other end to the configured registry', async () => {
    await transferRegistry(d, { direction: 'push', source: 'backup.db', force: true });
    await transferRegistry(d, { direction: 'pull', local: 'out/copy.db', from: PG, force: false });
    expect(moved.map(([p, o]) => [p.from.location, p.to.location, o.force])).toEqual([
      ['/work/p/backup.db', 's3://team/registry.db', true],
      [PG, '/work/p/out/copy.db', false],
    ]);
  });

  it('pull writes only a local file; a URL with a password is refused without repeating it', async () => {
    await expect(transferRegistry(d, { direction: 'pull', local: PG, force: false })).rejects.toThrow(
      /registry pull writes a local SQLite file, not postgres:\/\/.*; to copy into S3 or PostgreSQL use mlctl registry push/,
    );
    const err = await transferRegistry(d, {
      direction: 'push',
      source: 'a.db',
      to: 'postgres://u:hunter2@h/db',
      force: false,
    }).catch((e: Error) => e);
    expect(err).toMatchObject({
      exitCode: 2,
      message: expect.stringMatching(/^--to: the PostgreSQL URL contains a password/),
    });
    expect(String((err as Error).message)).not.toContain('hunter2');
  });
});
