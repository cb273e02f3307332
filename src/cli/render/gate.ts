import type { GateReport } from '../../core/gates/run-gate.js';
import type { GateCheckResult } from '../../core/gates/checks.js';
import { fmt, pText } from '../../core/gates/checks.js';
import { table } from './table.js';
import type { Annotation } from './github.js';
import { shortHash } from '../../core/util/text.js';
import type { GithubView } from '../output.js';

const ICON: Record<GateCheckResult['verdict'], string> = {
  pass: '✅',
  fail: '❌',
  warn: '⚠️',
  skip: '⏭️',
  inconclusive: '❔',
};
const HEAD: Record<GateReport['verdict'], string> = { pass: 'PASSED', fail: 'FAILED', inconclusive: 'INCONCLUSIVE' };

function detail(c: GateCheckResult): string {
  const parts: string[] = [];
  if (c.p_value !== undefined && !/\bp [=<] /.test(c.inequality)) parts.push(pText(c.p_value));
  if (c.ci) parts.push(`CI [${fmt(c.ci[0])}, ${fmt(c.ci[1])}]`);
  if (c.message && c.verdict !== 'pass') parts.push(c.message);
  return parts.join('; ');
}

function headline(r: GateReport): string {
  const against = r.baseline ? `against ${r.baseline.ref}` : `with no champion (${r.baselineMissing})`;
  return `gate ${HEAD[r.verdict]}: ${r.candidate.ref} ${against} — ${r.summary.pass} passed, ${r.summary.fail} failed, ${r.summary.warn} warnings, ${r.summary.inconclusive} inconclusive, ${r.summary.skip} skipped`;
}

export function renderGateTable(
  r: GateReport,
  paint: (verdict: string, text: string) => string = (_v, t) => t,
): string {
  const rows = r.checks.map((c) => [paint(c.verdict, c.verdict.toUpperCase()), c.id, c.inequality, detail(c)]);
  return `${headline(r)}\npolicy ${r.policy.file} (${shortHash(r.policy.digest)}…), data ${r.dataset.source}${r.dataset.digest ? ` ${shortHash(r.dataset.digest)}…` : ''}${r.dataset.rows !== null ? `, ${r.dataset.rows} rows` : ''}, gate run #${r.gateRunId}\n\n${table(['VERDICT', 'CHECK', 'EVALUATED', 'DETAIL'], rows)}`;
}

const mdEscape = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderGateMarkdown(r: GateReport): string {
  const lines = [
    `### ${r.verdict === 'pass' ? '✅' : r.verdict === 'fail' ? '❌' : '❔'} mlctl gate ${HEAD[r.verdict].toLowerCase()}: \`${r.candidate.ref}\` ${r.baseline ? `vs \`${r.baseline.ref}\`` : '(no champion yet)'}`,
    '',
    `${r.summary.pass} passed · ${r.summary.fail} failed · ${r.summary.warn} warnings · ${r.summary.inconclusive} inconclusive · ${r.summary.skip} skipped`,
    '',
    '| | check | evaluated | detail |',
    '|---|---|---|---|',
    ...r.checks.map(
      (c) => `| ${ICON[c.verdict]} | \`${mdEscape(c.id)}\` | ${mdEscape(c.inequality)} | ${mdEscape(detail(c))} |`,
    ),
    '',
    `<sub>policy \`${r.policy.file}\` ${shortHash(r.policy.digest)}… · data ${r.dataset.source} ${r.dataset.digest ? `${shortHash(r.dataset.digest)}…` : ''} · gate run #${r.gateRunId} · ${r.at} · ${r.actor}</sub>`,
    '',
  ];
  return lines.join('\n');
}

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function renderGateJunit(r: GateReport): string {
  const failures = r.checks.filter((c) => c.verdict === 'fail').length;
  const errors = r.checks.filter((c) => c.verdict === 'inconclusive').length;
  const skipped = r.checks.filter((c) => c.verdict === 'skip').length;
  const cases = r.checks.map((c) => {
    const open = `    <testcase classname="mlctl.gate.${xml(r.candidate.ref)}" name="${xml(c.id)}">`;
    const body =
      c.verdict === 'fail'
        ? `\n      <failure message="${xml(c.inequality)}">${xml(detail(c) || c.inequality)}</failure>\n    `
        : c.verdict === 'inconclusive'
          ? `\n      <error message="inconclusive">${xml(`${c.inequality}; ${detail(c)}`)}</error>\n    `
          : c.verdict === 'skip'
            ? `\n      <skipped message="${xml(c.message ?? 'skipped')}"/>\n    `
            : c.verdict === 'warn'
              ? `\n      <system-out>${xml(`warning: ${c.inequality}; ${detail(c)}`)}</system-out>\n    `
              : '';
    return `${open}${body}</testcase>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="mlctl gate" tests="${r.checks.length}" failures="${failures}" errors="${errors}" skipped="${skipped}">\n  <testsuite name="${xml(r.candidate.ref)}" tests="${r.checks.length}" failures="${failures}" errors="${errors}" skipped="${skipped}" timestamp="${r.at}">\n${cases.join('\n')}\n  </testsuite>\n</testsuites>\n`;
}

function gateAnnotations(r: GateReport): Annotation[] {
  const list: Annotation[] = [];
  for (const c of r.checks) {
    const level =
      c.verdict === 'fail' ? 'error' : c.verdict === 'warn' || c.verdict === 'inconclusive' ? 'warning' : null;
    if (!level) continue;
    list.push({
      level,
      file: r.policy.file,
      line: c.line,
      title: `gate ${c.id}`,
      message: [c.inequality, detail(c)].filter(Boolean).join(' — '),
    });
  }
  list.push({ level: 'notice', title: 'mlctl gate', message: headline(r) });
  return list;
}

/** gate --output github: the table folded in a group, one annotation per check at its policy line, the Markdown summary, and the verdict as step outputs. */
export function gateGithubView(r: GateReport, html: { file: string; artifact?: string } | null = null): GithubView {
  const where = html
    ? `\n📄 HTML report (curves, every check): \`${html.file}\`${html.artifact ? `, attached to this run as the artifact \`${html.artifact}\`` : ''}\n`
    : '';
  return {
    title: `mlctl gate ${r.candidate.ref}`,
    group: true,
    annotations: gateAnnotations(r),
    summary: `${renderGateMarkdown(r)}${where}`,
    outputs: {
      verdict: r.verdict,
      candidate: r.candidate.ref,
      champion: r.baseline?.ref ?? '',
      report: JSON.stringify(r, null, 2),
    },
  };
}

/** How a gate verdict ends the command: pass exits 0, fail 1, inconclusive 5. */
export function gateExit(r: GateReport): { ok: boolean; outcome: 'negative' | 'inconclusive'; failure: string } {
  return {
    ok: r.verdict === 'pass',
    outcome: r.verdict === 'inconclusive' ? 'inconclusive' : 'negative',
    failure:
      r.verdict === 'fail'
        ? `gate failed: ${r.summary.fail} check(s) failed for ${r.candidate.ref}`
        : `gate inconclusive for ${r.candidate.ref}: not enough data to decide`,
  };
}

/** Verdicts in colour on a terminal. */
export async function gatePaint(color: boolean): Promise<(verdict: string, text: string) => string> {
  const { Chalk } = await import('chalk');
  const chalk = new Chalk({ level: color ? 1 : 0 });
  return (v, t) =>
    v === 'pass'
      ? chalk.green(t)
      : v === 'fail'
        ? chalk.red(t)
        : v === 'warn' || v === 'inconclusive'
          ? chalk.yellow(t)
          : chalk.dim(t);
}
