import { describe, expect, it } from 'vitest';
import { alignPredictions, evaluationDigest, parsePredictions } from '../../src/core/gates/predictions.js';
import { Rng } from '../../src/core/stats/rng.js';

describe('predictions parsing', () => {
  it('reads CSV with CRLF, quoted fields (with commas), exponents and extra columns', () => {
    const p = parsePredictions(
      'id,label,score,country\r\na,1,0.9,US\r\n"b,2",0,1e-3,"DE"\r\n"c ""q""",1,-2.5E+1,"FR, north"\r\n',
      'p.csv',
    );
    expect(p.ids).toEqual(['a', 'b,2', 'c "q"']);
    expect(Array.from(p.labels)).toEqual([1, 0, 1]);
    expect(Array.from(p.scores)).toEqual([0.9, 0.001, -25]);
    expect(p.columns.get('country')).toEqual(['US', 'DE', 'FR, north']);
    expect(p.binary).toBe(true);
  });
  it('parses numbers exactly as Number() does', () => {
    const rng = new Rng(11);
    const texts: string[] = [];
    for (let i = 0; i < 20000; i++) {
      const digits = 1 + rng.int(17);
      let t = (rng.next() < 0.3 ? '-' : '') + Array.from({ length: digits }, () => String(rng.int(10))).join('');
      if (rng.next() < 0.8) {
        const at = 1 + rng.int(t.replace('-', '').length);
        const neg = t.startsWith('-') ? 1 : 0;
        t = `${t.slice(0, at + neg)}.${t.slice(at + neg)}`;
      }
      texts.push(t.endsWith('.') ? `${t}5` : t);
    }
    const csv = `id,label,score\n${texts.map((t, i) => `r${i},0,${t}`).join('\n')}\n`;
    const p = parsePredictions(csv, 'p.csv');
    texts.forEach((t, i) => expect(p.scores[i], t).toBe(Number(t)));
  });
  it('reads JSONL', () => {
    const p = parsePredictions(
      '{"id": "a", "label": 1, "score": 0.7, "segment": "x"}\n{"id": "b", "label": 0, "score": 0.2, "segment": "y"}\n',
      'p.jsonl',
    );
    expect(p.ids).toEqual(['a', 'b']);
    expect(p.columns.get('segment')).toEqual(['x', 'y']);
  });
  it('names bad lines', () => {
    expect(() => parsePredictions('id,label,score\na,1\n', 'p.csv')).toThrow('p.csv:2: expected 3 fields, got 2');
    expect(() => parsePredictions('id,label,score\na,1,"x\n', 'p.csv')).toThrow('p.csv:2: unterminated quoted field');
    expect(() => parsePredictions('{"id": "a"}\nnot json\n', 'p.jsonl')).toThrow('p.jsonl:2: not valid JSON');
    expect(() => parsePredictions('id,label,score\n', 'p.csv')).toThrow('p.csv: no rows');
  });
});

describe('pairing', () => {
  const a = parsePredictions('id,label,score\nx,1,0.9\ny,0,0.1\nz,1,0.6\n', 'a.csv');
  const b = parsePredictions('id,label,score\nz,1,0.5\nx,1,0.8\ny,0,0.3\n', 'b.csv');
  it('aligns the baseline to the candidate order', () => {
    expect(Array.from(alignPredictions(a, b).scores)).toEqual([0.8, 0.3, 0.5]);
  });
  it('the dataset digest ignores row order and scores but not labels or ids', () => {
    expect(evaluationDigest(a)).toBe(evaluationDigest(b));
    const c = parsePredictions('id,label,score\nx,1,0.9\ny,1,0.1\nz,1,0.6\n', 'c.csv');
    const d = parsePredictions('id,label,score\nx,1,0.9\nw,0,0.1\nz,1,0.6\n', 'd.csv');
    expect(evaluationDigest(c)).not.toBe(evaluationDigest(a));
    expect(evaluationDigest(d)).not.toBe(evaluationDigest(a));
  });
  it('refuses different ground truth for the same id', () => {
    const c = parsePredictions('id,label,score\nx,0,0.9\ny,0,0.1\nz,1,0.6\n', 'c.csv');
    expect(() => alignPredictions(a, c)).toThrow(
      'id "x" has label 1 in a.csv but 0 in c.csv; both must use the same ground truth',
    );
  });
});
