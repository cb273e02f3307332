import { describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, runBin, tempDir, tempProject, runOk } from '../support/helpers.js';

const NOW = { MLCTL_NOW: '2026-11-23T12:00:00Z' };

describe('mlctl adr', () => {
  it('writes adr-tools files, supersedes and links both ways (golden)', async () => {
    const dir = tempDir();
    expect((await run(['adr', 'new', 'First', 'Record'], { cwd: dir, env: NOW })).stdout).toBe(
      'docs/adr/0001-first-record.md\n',
    );
    await runOk(['adr', 'new', 'Second Record'], { cwd: dir, env: NOW });
    const r = await run(['adr', 'new', '-s', '1', '-l', '2:Amends:Amended by', 'Use   DuckDB -- not SQLite!'], {
      cwd: dir,
      env: NOW,
    });
    expect(r.stdout).toBe('docs/adr/0003-use-duckdb-not-sqlite.md\n');
    expect(readFileSync(join(dir, 'docs/adr/0003-use-duckdb-not-sqlite.md'), 'utf8')).toBe(
      '# 3. Use DuckDB -- not SQLite!\n\nDate: 2026-11-23\n\n## Status\n\nAccepted\n\nSupersedes [1. First Record](0001-first-record.md)\n\nAmends [2. Second Record](0002-second-record.md)\n\n## Context\n\nWhat is the issue that we are seeing that is motivating this decision or change?\n\n## Decision\n\nWhat is the change that we are proposing and/or doing?\n\n## Consequences\n\nWhat becomes easier or more difficult to do because of this change?\n',
    );
    expect(readFileSync(join(dir, 'docs/adr/0001-first-record.md'), 'utf8')).toContain(
      '## Status\n\nSuperseded by [3. Use DuckDB -- not SQLite!](0003-use-duckdb-not-sqlite.md)\n',
    );
    expect(readFileSync(join(dir, 'docs/adr/0002-second-record.md'), 'utf8')).toContain(
      'Accepted\n\nAmended by [3. Use DuckDB -- not SQLite!](0003-use-duckdb-not-sqlite.md)\n',
    );
    const list = JSON.parse((await run(['adr', 'list', '--json'], { cwd: dir })).stdout).data.adrs;
    expect(list.map((a: { number: number; status: string }) => [a.number, a.status])).toEqual([
      [1, 'Superseded'],
      [2, 'Accepted'],
      [3, 'Accepted'],
    ]);
    expect(
      JSON.parse((await run(['adr', 'list', '--status', 'superseded', '--json'], { cwd: dir })).stdout).data.adrs,
    ).toHaveLength(1);
    expect((await run(['adr', 'generate', 'toc'], { cwd: dir })).stdout).toBe(
      '# Architecture Decision Records\n\n* [1. First Record](0001-first-record.md)\n* [2. Second Record](0002-second-record.md)\n* [3. Use DuckDB -- not SQLite!](0003-use-duckdb-not-sqlite.md)\n',
    );
    const graph = (await run(['adr', 'generate', 'graph'], { cwd: dir })).stdout;
    expect(graph).toContain('_3 -> _1 [label="Supersedes", weight=0]');
    expect(graph).toContain('_3 -> _2 [label="Amends", weight=0]');
    expect((await run(['adr', 'show', 'duckdb'], { cwd: dir })).stdout).toMatch(/^# 3\. Use DuckDB/);
    expect((await run(['adr', 'lint'], { cwd: dir })).code).toBe(0);
  });

  it('finds adr-tools folders: .adr-dir, doc/adr, adr.dir in mlctl.yaml', async () => {
    const a = tempDir();
    writeFileSync(join(a, '.adr-dir'), 'architecture/decisions\n');
    mkdirSync(join(a, 'sub'));
    expect((await run(['adr', 'new', 'X'], { cwd: join(a, 'sub'), env: NOW })).stdout).toBe(
      '../architecture/decisions/0001-x.md\n',
    );
    const b = tempDir();
    mkdirSync(join(b, 'doc/adr'), { recursive: true });
    expect((await run(['adr', 'new', 'Y'], { cwd: b, env: NOW })).stdout).toBe('doc/adr/0001-y.md\n');
    const c = await tempProject();
    writeFileSync(
      join(c, 'mlctl.yaml'),
      `${readFileSync(join(c, 'mlctl.yaml'), 'utf8')}adr: { dir: decisions, template: madr }\n`,
    );
    expect((await run(['adr', 'new', 'Z'], { cwd: c, env: NOW })).stdout).toBe('decisions/0001-z.md\n');
    const madr = readFileSync(join(c, 'decisions/0001-z.md'), 'utf8');
    expect(madr).toMatch(
      /^---\nstatus: "accepted"\ndate: 2026-11-23\ndecision-makers: tester@example.com\n---\n\n# Z\n/,
    );
  });

  it('numbers 0008 and 0009 as decimal, reads "Superceded", honours project templates', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'docs/adr'), { recursive: true });
    writeFileSync(
      join(dir, 'docs/adr/0008-eight.md'),
      '# 8. Eight\n\nDate: 2020-01-01\n\n## Status\n\nSuperceded by [9. Nine](0009-nine.md)\n',
    );
    writeFileSync(join(dir, 'docs/adr/0009-nine.md'), '# 9. Nine\n\nDate: 2020-01-01\n\n## Status\n\nAccepted\n');
    mkdirSync(join(dir, 'templates/adr'), { recursive: true });
    writeFileSync(
      join(dir, 'templates/adr/nygard.md'),
      '# {{number}}. {{title}}\n\nDate: {{date}}\n\n## Status\n\n{{status}}\n\n## Context\n\nOur own template.\n',
    );
    expect((await run(['adr', 'new', 'Ten'], { cwd: dir, env: NOW })).stdout).toBe('docs/adr/0010-ten.md\n');
    expect(readFileSync(join(dir, 'docs/adr/0010-ten.md'), 'utf8')).toContain('Our own template.');
    const list = JSON.parse((await run(['adr', 'list', '--status', 'superseded', '--json'], { cwd: dir })).stdout).data
      .adrs;
    expect(list.map((a: { number: number }) => a.number)).toEqual([8]);
  });

  it('a "Superseded by" link anywhere in the Status section makes an ADR superseded (adr-tools, log4brains)', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'docs/adr'), { recursive: true });
    const adr = (file: string, text: string) => writeFileSync(join(dir, 'docs/adr', file), text);
    // adr-tools removes "Accepted" only when it is the status; an edited or proposed ADR keeps its word above the link.
    adr(
      '0001-one.md',
      '# 1. One\n\nDate: 2020-01-01\n\n## Status\n\nAccepted\n\nSuperseded by [4. Four](0004-four.md)\n',
    );
    adr(
      '0002-two.md',
      '# 2. Two\n\nDate: 2020-01-01\n\n## Status\n\nProposed\n\nAmended by [4. Four](0004-four.md)\n\nSuperseded by [4. Four](0004-four.md)\n',
    );
    adr(
      '0003-three.md',
      '# 3. Three\n\nDate: 2020-01-01\n\n## Status\n\nAccepted\n\nSupersedes [1. One](0001-one.md)\n',
    );
    adr('0004-four.md', '# 4. Four\n\nDate: 2020-01-01\n\n## Status\n\nAccepted\n');
    // log4brains (MADR 2): the status is an item of the list under the title.
    adr(
      '0005-five.md',
      '# Use Five\n\n- Status: superseded by [Use Six](0006-six.md)\n- Date: 2021-01-01\n\n## Context and Problem Statement\n\nWhy.\n',
    );
    adr(
      '0006-six.md',
      '# Use Six\n\n- Status: accepted\n- Date: 2021-01-02\n\n## Links\n\n- Relates to [Use Five](0005-five.md)\n',
    );
    const list = async (...extra: string[]) =>
      JSON.parse((await run(['adr', 'list', ...extra, '--json'], { cwd: dir })).stdout).data.adrs.map(
        (a: { number: number; status: string }) => [a.number, a.status],
      );
    expect(await list()).toEqual([
      [1, 'Superseded'],
      [2, 'Superseded'],
      [3, 'Accepted'],
      [4, 'Accepted'],
      [5, 'Superseded'],
      [6, 'accepted'],
    ]);
    expect((await list('--status', 'superseded')).map((a: [number]) => a[0])).toEqual([1, 2, 5]);
    expect((await list('--status', 'accepted')).map((a: [number]) => a[0])).toEqual([3, 4, 6]);
    expect((await run(['adr', 'lint'], { cwd: dir })).code).toBe(0);

    // Superseding a log4brains ADR edits its status item, in log4brains' words; the link goes under "Links".
    await runOk(['adr', 'new', '-s', '6', 'Seven'], { cwd: dir, env: NOW });
    expect(readFileSync(join(dir, 'docs/adr/0006-six.md'), 'utf8')).toBe(
      '# Use Six\n\n- Status: superseded by [7. Seven](0007-seven.md)\n- Date: 2021-01-02\n\n## Links\n\n- Relates to [Use Five](0005-five.md)\n',
    );
    expect(await list('--status', 'superseded')).toEqual([
      [1, 'Superseded'],
      [2, 'Superseded'],
      [5, 'Superseded'],
      [6, 'Superseded'],
    ]);
  });

  it('parallel processes get distinct numbers', async () => {
    const dir = tempDir();
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => runBin(['adr', 'new', `Decision ${i}`], { cwd: dir, env: NOW })),
    );
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const numbers = readdirSync(join(dir, 'docs/adr'))
      .map((f) => f.slice(0, 4))
      .sort();
    expect(numbers).toEqual(['0001', '0002', '0003', '0004', '0005', '0006']);
  });

  it('lint reports duplicate numbers, missing status and broken links (exit 1)', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'docs/adr'), { recursive: true });
    writeFileSync(
      join(dir, 'docs/adr/0001-a.md'),
      '# 1. A\n\n## Status\n\nAccepted\n\nAmends [7. Gone](0007-gone.md)\n',
    );
    writeFileSync(join(dir, 'docs/adr/0001-b.md'), '# 1. B\n\n## Context\n\nNo status here.\n');
    const r = await run(['adr', 'lint'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(
      '0001-a.md: links to missing 0007-gone.md\n0001-b.md: duplicate number 1 (also 0001-a.md)\n0001-b.md: missing status\n',
    );
  });

  it.each([
    [
      'unknown reference, with close matches',
      ['adr', 'new', '-s', 'recod', 'X'],
      /^mlctl: no ADR matches "recod"; close: first-record, second-record$/,
    ],
    [
      'ambiguous reference',
      ['adr', 'show', 'record'],
      /^mlctl: "record" matches several ADRs: 0001-first-record.md, 0002-second-record.md/,
    ],
    [
      '-l without three parts',
      ['adr', 'new', '-l', '1:Amends', 'X'],
      /^mlctl: -l "1:Amends": expected "REF:LINK:REVERSE-LINK"/,
    ],
    [
      'a title that slugs to nothing',
      ['adr', 'new', '!!!', '???'],
      /^mlctl: title "!!! \?\?\?" has no letters or digits/,
    ],
    ['unknown number', ['adr', 'show', '42'], /^mlctl: no ADR number 42; the highest is 2$/],
  ])('%s: exit 2, one line, nothing written', async (_n, args, message) => {
    const dir = tempDir();
    await runOk(['adr', 'new', 'First Record'], { cwd: dir, env: NOW });
    await runOk(['adr', 'new', 'Second Record'], { cwd: dir, env: NOW });
    const r = await run(args, { cwd: dir, env: NOW });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(message);
    expect(readdirSync(join(dir, 'docs/adr')).filter((f) => f.endsWith('.md'))).toHaveLength(2);
  });
});
