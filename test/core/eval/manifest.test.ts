import { describe, expect, it } from 'vitest';
import {
  csvHeader,
  parseManifest,
  parseResults,
  resultLines,
  splitCsvLine,
  summarizeResults,
  toCsvLine,
  toJsonLine,
} from '../../../core/eval/manifest.js';

describe('manifests', () => {
  it('JSON: one row as unmix mix writes it, a list, or {rows}', () => {
    const row = { mixture: 'm.wav', references: ['m.ref1.wav', 'm.ref2.wav'], sampleRate: 16000, model: 'room' };
    expect(parseManifest(JSON.stringify(row), 'm.json')).toEqual([
      { mixture: 'm.wav', references: ['m.ref1.wav', 'm.ref2.wav'] },
    ]);
    expect(parseManifest(JSON.stringify([row, row]), 'l.json')).toHaveLength(2);
    expect(parseManifest(JSON.stringify({ rows: [row] }), 'r.json')).toHaveLength(1);
  });
  it('CSV: a references column split by ; or reference1.. columns, quotes, comments', () => {
    expect(parseManifest('mixture,references\na.wav,"r 1.wav; r2.wav"\n', 'x.csv')).toEqual([
      { mixture: 'a.wav', references: ['r 1.wav', 'r2.wav'] },
    ]);
    expect(parseManifest('id,Mixture,ref1,ref2,ref3\n# skip\n1,a.wav,r1.wav,r2.wav,\n\n', 'y.csv')).toEqual([
      { mixture: 'a.wav', references: ['r1.wav', 'r2.wav'] },
    ]);
    expect(splitCsvLine('a,"b,""c""",d')).toEqual(['a', 'b,"c"', 'd']);
  });
  it('clear errors', () => {
    expect(() => parseManifest('{', 'a.json')).toThrow(/^a.json: not valid JSON/);
    expect(() => parseManifest('{"mixture": "a.wav"}', 'a.json')).toThrow(
      'a.json: "references" must be a non-empty list of file paths',
    );
    expect(() => parseManifest('[{"references": ["r.wav"]}]', 'a.json')).toThrow(
      'a.json: row 1: "mixture" must be a file path',
    );
    expect(() => parseManifest('file,refs\n', 'a.csv')).toThrow('a.csv: the header has no "mixture" column');
    expect(() => parseManifest('mixture,references\na.wav,\n', 'a.csv')).toThrow('a.csv: line 2: "references"');
    expect(() => parseManifest('', 'a.txt')).toThrow('a.txt: a manifest must be a .json or .csv file');
  });
});

describe('result tables', () => {
  const lines = [
    ...resultLines(
      'a.wav',
      'ica',
      ['r1.wav', 'r2.wav'],
      [
        { reference: 0, estimate: 1, si_sdr: 10, sdr: 11 },
        { reference: 1, estimate: 0, si_sdr: 20, sdr: 21 },
      ],
      1.5,
    ),
    ...resultLines('b,c.wav', 'ica', ['r1.wav'], [{ reference: 0, estimate: 0, si_sdr: 30, sdr: 31 }], 0.5),
    ...resultLines('a.wav', 'mixture', ['r1.wav'], [{ reference: 0, estimate: 0, si_sdr: 1, sdr: 2 }], 0),
  ];
  it('round-trips CSV and JSON lines', () => {
    const metrics = ['si_sdr', 'sdr'] as const;
    const csv = [csvHeader([...metrics]), ...lines.map((l) => toCsvLine(l, [...metrics]))].join('\n') + '\n';
    expect(csv.split('\n')[0]).toBe('mixture,method,source,reference,estimate,seconds,si_sdr,sdr');
    expect(parseResults(csv, 'csv')).toEqual(lines);
    const jsonl = lines.map(toJsonLine).join('\n') + '\n{"mixture": "cut';
    expect(parseResults(jsonl, 'jsonl')).toEqual(lines);
    expect(JSON.parse(toJsonLine(lines[0]))).toEqual({
      mixture: 'a.wav',
      method: 'ica',
      source: 1,
      reference: 'r1.wav',
      estimate: 2,
      seconds: 1.5,
      si_sdr: 10,
      sdr: 11,
    });
  });
  it('summarises per method over every source of every row', () => {
    const summary = summarizeResults(lines, ['si_sdr', 'sdr']);
    expect(summary.ica.rows).toBe(2);
    expect(summary.ica.seconds).toBe(1);
    expect(summary.ica.metrics.si_sdr).toEqual({ count: 3, mean: 20, median: 20, min: 10, max: 30 });
    expect(summary.mixture.metrics.sdr!.mean).toBe(2);
  });
});
