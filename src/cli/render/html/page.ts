import { createHash } from 'node:crypto';
import { h, raw, type Html } from './escape.js';
import { link, time, type Links } from './format.js';
import type { ViewMeta } from '../../../core/views/common.js';

const CSS = `
:root{--fg:#1d232b;--muted:#5d6876;--bg:#fff;--panel:#f5f7fa;--line:#dde2e8;--accent:#2563eb;--cand:#d9480f;--base:#2563eb;
--pass:#1b7f3b;--fail:#c92a2a;--warn:#a86400;--band:#eef2f7;--band2:#f8fafc;color-scheme:light}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
header.top{display:flex;gap:1.2em;align-items:baseline;padding:.6em 1.2em;border-bottom:1px solid var(--line);background:var(--panel)}
header.top .brand{font-weight:700}
header.top nav a{margin-right:1em}
main{padding:1em 1.2em 3em;max-width:1400px}
h1{font-size:1.5em;margin:.2em 0 .4em}h2{font-size:1.15em;margin:1.6em 0 .5em;border-bottom:1px solid var(--line);padding-bottom:.2em}
h3{font-size:1em;margin:1em 0 .3em}
a{color:var(--accent);text-decoration:none}a:hover{text-decoration:underline}
.muted{color:var(--muted)}.mono,code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
.desc{white-space:pre-wrap;max-width:70em}
table{border-collapse:collapse;margin:.4em 0;font-variant-numeric:tabular-nums}
th,td{border-bottom:1px solid var(--line);padding:.25em .6em;text-align:left;vertical-align:top}
th{background:var(--panel);font-weight:600;position:sticky;top:0}
td.n,th.n{text-align:right}td.t{white-space:nowrap}td.payload{word-break:break-all;min-width:24em}
table.sortable th{cursor:pointer}
tr.focus td{background:#fff7e6}
.scroll{overflow:auto;max-height:70vh;border:1px solid var(--line)}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.2em 1em;margin:.4em 0}dl.facts dt{color:var(--muted)}dl.facts dd{margin:0}
.badge{display:inline-block;padding:0 .45em;border-radius:.6em;font-size:12px;font-weight:600;background:var(--panel);border:1px solid var(--line)}
.b-pass,.b-completed,.b-production,.b-done{color:var(--pass);border-color:var(--pass)}
.b-fail,.b-aborted,.b-error{color:var(--fail);border-color:var(--fail)}
.b-warn,.b-inconclusive,.b-paused,.b-staging,.b-current{color:var(--warn);border-color:var(--warn)}
.b-active,.b-validated{color:var(--accent);border-color:var(--accent)}
.alias{display:inline-block;background:#e7efff;color:#1e40af;border-radius:3px;padding:0 .35em;margin-right:.25em;font-size:12px}
.tag{display:inline-block;background:var(--panel);border:1px solid var(--line);border-radius:3px;padding:0 .3em;margin:0 .25em .1em 0;font-size:12px}
.verdict{font-size:1.1em;padding:.5em .8em;border-left:5px solid var(--line);background:var(--panel);margin:.4em 0 1em}
.verdict.pass{border-color:var(--pass)}.verdict.fail{border-color:var(--fail)}.verdict.inconclusive{border-color:var(--warn)}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(440px,1fr));gap:1em}
figure{margin:0;border:1px solid var(--line);padding:.4em .6em;background:#fff}
figcaption{font-weight:600;margin-bottom:.2em}
svg.chart{width:100%;height:auto;display:block;font-size:11px}svg.timeline{max-width:820px}svg.lineage{max-width:100%;height:auto;display:block;font-size:11px}
svg .axis line,svg .axis path{stroke:#9aa5b1}svg .grid line{stroke:#edf0f3}
svg text{fill:var(--muted)}svg .label{fill:var(--fg)}
svg .line{fill:none;stroke-width:1.6}svg .dots{fill:none;stroke-width:5;stroke-linecap:round}
svg .dense .line{stroke-width:.7;opacity:.6}svg .dense .dots{stroke-width:2.6}
svg .s0 .line,svg .s0 .dots{stroke:var(--cand)}svg .s1 .line,svg .s1 .dots{stroke:var(--base)}
svg .s2 .line,svg .s2 .dots{stroke:#7048e8}svg .s3 .line,svg .s3 .dots{stroke:#0c8599}
svg .champ{fill:none;stroke:var(--fg);stroke-width:1.5}svg .focusmark{fill:none;stroke:var(--cand);stroke-width:2.5}
svg .band{fill:var(--band)}svg .band.alt{fill:var(--band2)}svg .diag{stroke:#adb5bd;stroke-dasharray:4 3}
svg .margin{stroke:var(--fail);stroke-dasharray:5 3}svg .zero{stroke:#868e96}
svg .iv{stroke-width:2}svg .iv.pass{stroke:var(--pass)}svg .iv.fail{stroke:var(--fail)}svg .iv.inconclusive{stroke:var(--warn)}
svg .est{stroke:none}svg .est.pass{fill:var(--pass)}svg .est.fail{fill:var(--fail)}svg .est.inconclusive{fill:var(--warn)}
svg .stage{fill:#dbe4ff;stroke:#4c6ef5}svg .stage.current{fill:#fff3bf;stroke:#f08c00}svg .stage.aborted{fill:#ffe3e3;stroke:var(--fail)}
svg .node rect{fill:#fff;stroke:#868e96}svg .node.data rect{fill:#f1f3f5;stroke-dasharray:3 2}svg .node.focus rect{stroke:var(--cand);stroke-width:2.5}
svg .node.production rect{stroke:var(--pass);stroke-width:2}svg .edge{fill:none;stroke:#adb5bd;stroke-width:1.3}svg .edge.data{stroke-dasharray:4 3}
.legend span{margin-right:1em}.legend i{display:inline-block;width:1.2em;height:3px;vertical-align:middle;margin-right:.3em}
.legend .l0{background:var(--cand)}.legend .l1{background:var(--base)}
.readout{min-height:1.4em;color:var(--fg);font-size:12px}
form.filters{display:flex;flex-wrap:wrap;gap:.6em;align-items:end;margin:.5em 0}form.filters label{display:flex;flex-direction:column;font-size:12px;color:var(--muted)}
input,select,button{font:inherit;padding:.2em .4em}
pre{background:var(--panel);padding:.6em;overflow:auto;max-height:30em}
footer{color:var(--muted);font-size:12px;border-top:1px solid var(--line);padding:.6em 1.2em}
`.trim();

/**
 * Interaction on top of a page that already works without it: sortable tables, a filter box for
 * long tables, and a read-out of the nearest point under the pointer on metric charts.
 */
const SCRIPT = `
(function(){
function txt(td){return td?td.getAttribute('data-v')||td.textContent.trim():''}
document.querySelectorAll('table.sortable').forEach(function(t){
 var ths=t.querySelectorAll('thead th');
 ths.forEach(function(th,i){th.title='sort';th.addEventListener('click',function(){
  var body=t.tBodies[0],rows=Array.prototype.slice.call(body.rows),dir=th.getAttribute('data-dir')==='asc'?-1:1;
  ths.forEach(function(o){o.removeAttribute('data-dir')});th.setAttribute('data-dir',dir===1?'asc':'desc');
  rows.sort(function(a,b){var x=txt(a.cells[i]),y=txt(b.cells[i]),nx=parseFloat(x),ny=parseFloat(y);
   return (!isNaN(nx)&&!isNaN(ny)?nx-ny:x.localeCompare(y))*dir});
  rows.forEach(function(r){body.appendChild(r)});});});
});
document.querySelectorAll('table.filterable').forEach(function(t){
 var box=document.createElement('input');box.type='search';box.placeholder='filter rows…';box.className='rowfilter';
 t.parentNode.parentNode.insertBefore(box,t.parentNode);
 box.addEventListener('input',function(){var q=box.value.toLowerCase();
  Array.prototype.forEach.call(t.tBodies[0].rows,function(r){r.hidden=q&&r.textContent.toLowerCase().indexOf(q)<0});});
});
document.querySelectorAll('svg[data-x0]').forEach(function(svg){
 var out=svg.parentNode.querySelector('.readout');if(!out)return;
 var x0=+svg.getAttribute('data-x0'),x1=+svg.getAttribute('data-x1'),p0=+svg.getAttribute('data-p0'),p1=+svg.getAttribute('data-p1');
 var g=svg.querySelector('g[data-xs]');if(!g)return;
 var xs=g.getAttribute('data-xs').split(','),ys=g.getAttribute('data-ys').split(','),name=g.getAttribute('data-series');
 svg.addEventListener('mousemove',function(e){var r=svg.getBoundingClientRect(),vb=svg.viewBox.baseVal;
  var px=(e.clientX-r.left)*vb.width/r.width,x=x0+(px-p0)*(x1-x0)/(p1-p0),best=0;
  for(var i=1;i<xs.length;i++)if(Math.abs(xs[i]-x)<Math.abs(xs[best]-x))best=i;
  out.textContent=(svg.getAttribute('data-xname')||'')+' '+xs[best]+': '+name+' = '+ys[best];});
});
})();
`.trim();

const sha = (s: string) => `'sha256-${createHash('sha256').update(s).digest('base64')}'`;

/**
 * No network access from a page: the policy allows only this page's own style and script (by
 * hash), and forms that submit to the same server (the ui's audit filters).
 */
const CSP = `default-src 'none'; style-src ${sha(CSS)}; script-src ${sha(SCRIPT)}; img-src data:; form-action 'self'; base-uri 'none'`;

export interface PageOptions {
  title: string;
  links: Links;
  meta: ViewMeta;
  body: Html;
}

export function renderPage(o: PageOptions): string {
  const home = o.links.home();
  const audit = o.links.audit();
  return h`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="mlctl">
<title>${o.title} \u00b7 mlctl</title>
<style>${raw(CSS)}</style></head>
<body><header class="top"><span class="brand">mlctl</span><nav>${home ? link(home, 'models') : ''}${audit ? link(audit, 'audit log') : ''}</nav><span class="muted">${o.title}</span></header>
<main>
${o.body}
</main>
<footer>Generated ${time(o.meta.generatedAt)} from registry <span class="mono">${o.meta.registry}</span> by mlctl. Charts are drawn when the page is written; the page needs no network and works without JavaScript.</footer>
<script>${raw(SCRIPT)}</script>
</body></html>
`.html;
}

/** The Content-Security-Policy of every page, for the ui server's response header too. */
export const PAGE_CSP = CSP;
