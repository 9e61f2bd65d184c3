"""HTML report: one self-contained file (no external resources) to look at a batch.

Per photo a card: the thumbnail (a base64 data URI) with the findings' evidence
regions drawn over it (Region fields are fractions of the image, so boxes are
positioned in percent), the photo at directory sizes (a 48 px square and a 32 px
circle avatar), the overall score bar and a bar per rule, the findings with their
fixes, each finding's detail (measured value against what passing needs), and the
recommended backdrop tone as a swatch. With ``--fail-under``, the photos under it are
named at the top; a batch of two photos or more opens with an overview (photos by verdict,
and per rule the photos it flags, a link filtering the cards to it), the audit of a
collection at a glance. A little inline script filters cards by rule, severity and file name,
sorts them by score or name, and keeps that state in the URL
(``report.html#rule=HL501&sev=error,warning&clean=0&q=ann&sort=score``); clicking a
thumbnail opens the photo large with its evidence boxes (the original file, linked
relative to the report, when the browser can reach it; else the thumbnail).

For a thousand photos: cards are laid out and their thumbnails decoded only near the
viewport (``content-visibility: auto``); filtering, searching and sorting walk the
cards once (sorting re-appends them in one fragment). Renderers read Reports and Rules
only; thumbnails are decoded pixels (``_thumbs``), not analysis.
"""

from __future__ import annotations

import html
import json
import os
import re
from urllib.parse import quote
from typing import Callable, Iterable, Mapping, Sequence

from .. import __version__
from ..gate import FailUnder
from ..model import ERROR, SEVERITIES, WARNING, Region, Report, score_text, verdict_of
from ..rules import Rule
from . import _common, _paths, _stream
from ._thumbs import data_uri

_e = html.escape

_CSS = """
*{box-sizing:border-box}body{font:14px/1.4 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;
background:#f4f5f7;color:#1d2330}header{background:#1d2330;color:#fff;padding:16px 24px}
header h1{margin:0 0 4px;font-size:20px}header .sum span{margin-right:14px}
.gate{padding:8px 24px;background:#fdecef;color:#8a1538;border-bottom:1px solid #f3c2cf;word-break:break-word}
.gate.pass{background:#eaf6ee;color:#1d6b34;border-color:#bfe3ca}
.gate.missing ul{margin:4px 0 0;padding-left:20px}
.bar-wrap{display:flex;gap:8px 12px;align-items:center;flex-wrap:wrap;padding:12px 24px;background:#fff;
border-bottom:1px solid #dde1e7;position:sticky;top:0;z-index:2}
.bar-wrap label{display:inline-flex;gap:4px;align-items:center}select,input[type=search]{font:inherit;padding:2px 6px}
input[type=search]{width:14em;max-width:100%}
main{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(560px,100%),1fr));gap:16px;padding:16px 24px}
.card{background:#fff;border:1px solid #dde1e7;border-radius:8px;padding:12px;display:grid;
grid-template-columns:240px minmax(0,1fr);gap:12px;content-visibility:auto;contain-intrinsic-size:auto 340px}
.card.hidden{display:none}
.shot{position:relative;width:240px;line-height:0;align-self:start;overflow:hidden;border-radius:4px;cursor:zoom-in}
.pic{width:100%;border-radius:4px;background:var(--img) 0 0/100% 100% no-repeat}
.noimg{width:240px;height:180px;background:#e9ecf1;border-radius:4px;display:flex;align-items:center;
justify-content:center;color:#8a93a3;line-height:1.4;cursor:default}
.rg{position:absolute;border:2px solid #e0245e;border-radius:2px;box-shadow:0 0 0 1px rgba(255,255,255,.7)}
.rg.warning{border-color:#e8a317}.rg.info{border-color:#1b8fd6}
.rg span{position:absolute;left:-2px;top:-2px;font:10px/15px system-ui,sans-serif;background:#e0245e;
color:#fff;padding:0 3px;white-space:nowrap;border-radius:2px}.rg.warning span{background:#e8a317}
.rg.info span{background:#1b8fd6}
.prev{display:flex;gap:10px;align-items:center;margin-top:8px;line-height:1.2;font-size:11px;color:#667}
.p48,.p32{display:inline-block;background-repeat:no-repeat;background-color:#ccc}
.p48{width:48px;height:48px;border-radius:3px}.p32{width:32px;height:32px;border-radius:50%}
.rg:hover{z-index:1;box-shadow:0 0 0 2px #fff}h2{font-size:14px;margin:0 0 6px;word-break:break-all}
.score{display:flex;align-items:center;gap:8px;margin:2px 0}.score .lbl{width:170px;font-size:12px;
white-space:nowrap;overflow:hidden;text-overflow:ellipsis}.track{flex:1;height:8px;background:#e9ecf1;
border-radius:4px;overflow:hidden}.fill{display:block;height:100%}.good{background:#2ea44f}.fair{background:#e8a317}
.poor{background:#e0245e}.num{width:auto;min-width:34px;text-align:right;font-variant-numeric:tabular-nums;font-size:12px;
white-space:nowrap}.big .lbl{width:auto;min-width:110px}.big .track{height:12px}.big .num{font-weight:600;font-size:14px}
.f{border-left:4px solid #e0245e;padding:4px 8px;margin:6px 0;background:#fdf2f5}
.f.warning{border-color:#e8a317;background:#fff8e6}.f.info{border-color:#1b8fd6;background:#eef7fd}
.f .code{font-weight:600}.f .fix{color:#556;font-size:12px}.f .detail{color:#667;font-size:12px}
.sev{font-size:11px;text-transform:uppercase;
letter-spacing:.04em;margin-left:6px;color:#667}.ok{color:#2ea44f}details{margin-top:6px;font-size:12px}
.tone{font-size:12px;color:#556;margin:6px 0;display:flex;align-items:center;gap:6px}
.swatch{display:inline-block;width:18px;height:18px;border-radius:4px;border:1px solid rgba(0,0,0,.25)}
.skip{color:#8a93a3;font-size:12px}footer{padding:8px 24px 24px;color:#8a93a3;font-size:12px}
.overview{padding:8px 24px 12px;background:#fff;border-bottom:1px solid #dde1e7}
.overview summary{cursor:pointer;font-weight:600;padding:4px 0}
.verdicts{display:flex;height:14px;border-radius:4px;overflow:hidden;max-width:720px;margin:6px 0 2px}
.verdicts span{display:block;height:100%}.vlegend{font-size:12px;color:#556;margin-bottom:8px}
.vlegend span{margin-right:12px}.vlegend i{display:inline-block;width:10px;height:10px;border-radius:2px;
margin-right:4px;vertical-align:-1px}
.rules{border-collapse:collapse;font-size:13px;max-width:720px;width:100%}
.rules th,.rules td{text-align:left;padding:3px 8px 3px 0;border-bottom:1px solid #eef0f3;white-space:nowrap}
.rules td.name{white-space:normal}.rules td.n{text-align:right;font-variant-numeric:tabular-nums}
.rules th.n{text-align:right}.rules a{color:#1b5fb0;text-decoration:none}.rules a:hover{text-decoration:underline}
.rules .share{width:30%;min-width:60px}.rules .share .track{display:block;height:8px}.fill.note{background:#1b8fd6}
#lb{position:fixed;inset:0;background:rgba(12,15,22,.88);display:none;z-index:10;align-items:center;
justify-content:center;flex-direction:column;gap:8px;padding:12px}#lb.open{display:flex}
#lb .frame{position:relative;line-height:0;max-width:100%}
#lb img{display:block;max-width:calc(100vw - 24px);max-height:calc(100vh - 72px);border-radius:4px}
#lb .cap{color:#fff;font-size:13px;word-break:break-all;text-align:center}
#lb .rg span{font-size:12px;line-height:17px}
@media (max-width:640px){header,.bar-wrap,.gate,.overview{padding-left:12px;padding-right:12px}main{padding:12px}
.rules .share{display:none}.rules td{white-space:normal}
.card{grid-template-columns:minmax(0,1fr)}.shot,.noimg{width:100%}}
"""

_JS = """
(function(){var d=document,r=d.getElementById('f-rule'),s=[].slice.call(d.querySelectorAll('.f-sev')),
c=d.getElementById('f-clean'),q=d.getElementById('f-q'),o=d.getElementById('f-sort'),n=d.getElementById('shown'),
m=d.querySelector('main'),cards=[].slice.call(m.children);
cards.forEach(function(x,i){x._i=i;x._name=(x.dataset.name||'').toLowerCase();
x._rules=x.dataset.rules?x.dataset.rules.split(' '):[];x._sevs=x.dataset.sevs?x.dataset.sevs.split(' '):[];
x._score=x.dataset.score===''?-1:+x.dataset.score});
function sevs(){return s.filter(function(x){return x.checked}).map(function(x){return x.value})}
function write(){var h=[],sv=sevs();if(r.value)h.push('rule='+encodeURIComponent(r.value));
if(sv.length!==s.length)h.push('sev='+(sv.join(',')||'none'));if(!c.checked)h.push('clean=0');
if(q.value)h.push('q='+encodeURIComponent(q.value));if(o.value)h.push('sort='+o.value);
try{history.replaceState(null,'',location.pathname+location.search+(h.length?'#'+h.join('&'):''))}catch(e){}}
function apply(){var rule=r.value,sv=sevs(),t=q.value.trim().toLowerCase(),k=0;
cards.forEach(function(x){var clean=!x._sevs.length,ok=!(rule&&x._rules.indexOf(rule)<0);
if(!clean&&!x._sevs.some(function(v){return sv.indexOf(v)>=0}))ok=false;if(clean&&!c.checked)ok=false;
if(t&&x._name.indexOf(t)<0)ok=false;if(x.classList.contains('hidden')===ok)x.classList.toggle('hidden',!ok);
if(ok)k++});n.textContent=k;write()}
function sort(){var how=o.value,l=cards.slice();l.sort(how==='score'?function(a,b){return a._score-b._score||a._i-b._i}:
how==='-score'?function(a,b){return b._score-a._score||a._i-b._i}:how==='name'?function(a,b){
return a._name<b._name?-1:a._name>b._name?1:a._i-b._i}:function(a,b){return a._i-b._i});
var f=d.createDocumentFragment();l.forEach(function(x){f.appendChild(x)});m.appendChild(f);write()}
var h={};location.hash.slice(1).split('&').forEach(function(kv){var p=kv.split('=');if(p[0])h[p[0]]=
decodeURIComponent(p[1]||'')});if(h.rule)r.value=h.rule;if(h.sev){var want=h.sev.split(',');
s.forEach(function(x){x.checked=want.indexOf(x.value)>=0})}if(h.clean==='0')c.checked=false;
if(h.q)q.value=h.q;if(h.sort)o.value=h.sort;
[].forEach.call(d.querySelectorAll('a[data-rule]'),function(a){a.addEventListener('click',function(e){
e.preventDefault();r.value=a.dataset.rule;apply();m.scrollIntoView()})});
r.addEventListener('change',apply);c.addEventListener('change',apply);q.addEventListener('input',apply);
s.forEach(function(x){x.addEventListener('change',apply)});o.addEventListener('change',sort);
if(o.value)sort();apply();
var lb=d.getElementById('lb'),fr=lb.querySelector('.frame'),cap=lb.querySelector('.cap');
function close(){lb.classList.remove('open');fr.textContent=''}
function open(e){var shot=e.target.closest&&e.target.closest('.shot');
if(!shot||!shot.querySelector('.pic'))return;var card=shot.closest('.card'),
thumb=card.style.getPropertyValue('--img').trim().replace(/^url\\(["']?|["']?\\)$/g,''),img=d.createElement('img');
img.src=thumb;img.alt=card.dataset.name;fr.textContent='';fr.appendChild(img);
[].forEach.call(shot.querySelectorAll('.rg'),function(g){fr.appendChild(g.cloneNode(true))});
cap.textContent=card.dataset.name;lb.classList.add('open');var p=shot.dataset.photo;
if(p){var full=new Image();full.onload=function(){if(img.parentNode)img.src=full.src};full.src=p}}
m.addEventListener('click',open);m.addEventListener('keydown',function(e){if(e.key==='Enter'||e.key===' '){
if(e.target.classList&&e.target.classList.contains('shot')){e.preventDefault();open(e)}}});
lb.addEventListener('click',function(e){if(e.target===lb||e.target===cap)close()});
d.addEventListener('keydown',function(e){if(e.key==='Escape')close()});})();
"""

_HEX = re.compile(r"^#[0-9A-Fa-f]{6}$")


def _bar(label: str, score: float | None, big: bool = False, text: str | None = None) -> str:
    v = 0.0 if score is None else max(0.0, min(100.0, score))
    txt = text or ("–" if score is None else f"{score:.0f}")
    return (f'<div class="score{" big" if big else ""}"><span class="lbl" title="{_e(label)}">{_e(label)}</span>'
            f'<span class="track"><span class="fill {verdict_of(score)}" style="width:{v:.1f}%"></span></span>'
            f'<span class="num">{txt}</span></div>')


def _face(report: Report) -> Region | None:
    """The face box some measure reported as evidence (label "face"), if any."""
    regions = [g for f in report.findings for g in f.regions]
    regions += [g for m in report.measurements.values() for g in m.regions]
    return next((g for g in regions if g.label == "face"), None)


def _crop_style(report: Report, thumb: str, px: int) -> str:
    """CSS showing the photo as a directory shows it: a square crop around the head
    (2.2 face heights), or the centre when no face box is known."""
    w, h = report.size or (1, 1)
    face = _face(report)
    if face is None:
        side = min(w, h)
        cx, cy = w / 2, h / 2
    else:
        side = min(min(w, h), 2.2 * (face.y1 - face.y0) * h)
        cx, cy = (face.x0 + face.x1) / 2 * w, (face.y0 + face.y1) / 2 * h + 0.1 * side
    left = min(max(cx - side / 2, 0), w - side)
    top = min(max(cy - side / 2, 0), h - side)
    k = px / side
    return (f"background-image:var(--img);background-size:{w * k:.1f}px {h * k:.1f}px;"
            f"background-position:{-left * k:.1f}px {-top * k:.1f}px")


def _tone(report: Report) -> tuple[str, str] | None:
    """(hex, name) of the backdrop tone recommended for this face, if a measure gave one."""
    for m in report.measurements.values():
        hex_ = str(m.details.get("recommended_hex") or "")
        if _HEX.match(hex_):
            return hex_, str(m.details.get("recommended_name") or "")
    for f in report.findings:
        hex_ = str((f.fix.params if f.fix else {}).get("recommended_hex") or "")
        if _HEX.match(hex_):
            return hex_, str(f.fix.params.get("recommended_name") or "")
    return None


def _photo_link(path: str, base: str | None) -> str:
    """The photo's URL relative to the folder the report is written to (percent-encoded)."""
    if base is None:
        return ""
    try:
        rel = os.path.relpath(os.path.abspath(path), base)
    except ValueError:  # another drive
        return ""
    return quote(os.fsencode(rel.replace(os.sep, "/")))


def _card(report: Report, rules: Mapping[str, Rule], thumb: str | None, link_base: str | None = None) -> str:
    path = _paths.display(_common.relative(report.path))
    sevs = sorted({f.severity for f in report.findings}, key=SEVERITIES.index)
    codes = sorted({f.code for f in report.findings})
    img = f' style="--img:url({thumb})"' if thumb else ""  # the data URI once per card, used three times
    score = "" if report.score is None else f"{report.score:g}"
    out = [f'<article class="card" data-rules="{" ".join(codes)}" data-sevs="{" ".join(sevs)}" '
           f'data-score="{score}" data-name="{_e(path)}"{img}>']
    link = _photo_link(report.path, link_base) if thumb else ""
    photo = f' data-photo="{_e(link)}"' if link else ""
    out.append(f'<div><div class="shot"{photo} tabindex="0" role="button" aria-label="enlarge {_e(path)}">'
               if thumb else '<div><div class="shot">')
    if thumb:
        w, h = report.size or (4, 3)
        out.append(f'<div class="pic" role="img" aria-label="{_e(path)}" style="aspect-ratio:{w}/{h}"></div>')
        for f in report.findings:
            for k, g in enumerate(f.regions):
                label = f.code if k == 0 else ""  # one short tag per finding; the full label is the tooltip
                out.append(f'<div class="rg {f.severity}" title="{_e(f.code + " " + f.rule + ": " + g.label)}" '
                           f'style="left:{g.x0 * 100:.2f}%;top:{g.y0 * 100:.2f}%;width:{(g.x1 - g.x0) * 100:.2f}%;'
                           f'height:{(g.y1 - g.y0) * 100:.2f}%">{f"<span>{_e(label)}</span>" if label else ""}</div>')
    else:
        out.append('<div class="noimg">no preview</div>')
    out.append("</div>")
    if thumb:
        out.append(f'<div class="prev"><span class="p48" role="img" aria-label="48 px preview" '
                   f'style="{_crop_style(report, thumb, 48)}"></span> 48 px'
                   f'<span class="p32" role="img" aria-label="32 px avatar" '
                   f'style="{_crop_style(report, thumb, 32)}"></span> 32 px avatar</div>')
    out.append("</div><div>")
    out.append(f"<h2>{_e(path)}</h2>")
    size = f" · {report.size[0]}×{report.size[1]} px" if report.size else ""
    out.append(_bar(f"overall{size}", report.score, big=True, text=score_text(report.score)))
    for f in report.findings:
        fix = f'<div class="fix">fix: {_e(f.fix.title)}{" (retouch)" if f.fix.safety == "retouch" else ""}</div>' \
            if f.fix and f.fix.title else ""
        detail = f'<div class="detail">{_e(f.detail)}</div>' if f.detail else ""
        out.append(f'<div class="f {f.severity}"><span class="code">{_e(f.code)} {_e(f.rule)}</span>'
                   f'<span class="sev">{_e(f.severity)}</span><div>{_e(f.message)}</div>{detail}{fix}</div>')
    tone = _tone(report)
    if tone is not None:
        out.append(f'<div class="tone">recommended backdrop <span class="swatch" style="background:{tone[0]}" '
                   f'role="img" aria-label="{_e(tone[1] or tone[0])}"></span> {_e(tone[1])} {tone[0]}</div>')
    if not report.findings and report.baselined:
        out.append(f'<p class="ok">✓ nothing new <span class="skip">(in the baseline: '
                   f'{_e(", ".join(report.baselined_codes))})</span></p>')
    elif not report.findings:
        out.append('<p class="ok">✓ no findings</p>')
    if report.scores:
        out.append('<details><summary>scores per rule</summary>')
        for name, q in sorted(report.scores.items(), key=lambda kv: kv[1]):
            code = rules[name].code if name in rules else ""
            out.append(_bar(f"{code} {name}".strip(), q))
        out.append("</details>")
    skipped = "".join(f'<div class="skip">{_e(s.code)} {_e(s.rule)} skipped: {_e(s.reason)}</div>'
                      for s in report.skipped)
    if len(report.skipped) > 2:
        skipped = f'<details class="skip"><summary>{len(report.skipped)} rules skipped</summary>{skipped}</details>'
    out.append(skipped)
    out.append("</div></article>")
    return "".join(out)


class Writer(_stream.Writer):
    """The page, one card at a time (see :mod:`._stream`): each photo's thumbnail is made
    when its report is added and goes into the spool with its card (no pixels are kept);
    the header, which shows the counts, is written when the page is assembled."""

    def __init__(self, rules: Sequence[Rule], thumbnail: Callable[[str], str | None] = data_uri,
                 spool_dir: str | None = None, fail_under: FailUnder | None = None,
                 link_base: str | None = None, missing: Sequence[str] = ()) -> None:
        super().__init__(spool_dir, missing)
        self._rules = tuple(rules)
        self._fail_under = fail_under
        self._link_base = link_base
        self._by_name = {r.name: r for r in self._rules}
        self._thumbnail = thumbnail
        self._errors = self._warnings = self._clean = 0
        self._verdicts = {"good": 0, "fair": 0, "poor": 0, "unreadable": 0}
        self._flagged: dict[str, dict[str, int]] = {}  # code -> severity -> photos (their worst finding of it)

    def fragment(self, report: Report) -> str:
        self._errors += sum(f.severity == ERROR for f in report.findings)
        self._warnings += sum(f.severity == WARNING for f in report.findings)
        self._clean += not report.findings
        self._verdicts["unreadable" if report.score is None else verdict_of(report.score)] += 1
        worst: dict[str, str] = {}
        for f in report.findings:
            if f.code not in worst or SEVERITIES.index(f.severity) < SEVERITIES.index(worst[f.code]):
                worst[f.code] = f.severity
        for code, sev in worst.items():
            counts = self._flagged.setdefault(code, {})
            counts[sev] = counts.get(sev, 0) + 1
        return _card(report, self._by_name, self._thumbnail(report.path), self._link_base)

    def head(self) -> str:
        n, n_err, n_warn, clean = self.photos, self._errors, self._warnings, self._clean
        options = "".join(f'<option value="{_e(r.code)}">{_e(r.code)} {_e(r.name)}</option>'
                          for r in _common.rules_used(self._rules))
        sev_boxes = "".join(f'<label><input type="checkbox" class="f-sev" value="{s}" checked> {s}</label>'
                            for s in SEVERITIES)
        meta = json.dumps({"photos": n, "errors": n_err, "warnings": n_warn})
        return (
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data: 'self' file:; "
            "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">"
            f"<title>headshot-lint report</title><style>{_CSS}</style></head><body>"
            f"<header><h1>headshot-lint report</h1><div class=\"sum\" data-summary='{_e(meta)}'>"
            f"<span>{_common.counted(n, 'photo')}</span><span>{clean} clean</span>"
            f"<span>{_common.counted(n_err, 'error')}</span><span>{_common.counted(n_warn, 'warning')}</span>"
            f"</div></header>"
            f"{self._gate()}{self._not_found()}{self._overview()}"
            f"<div class=\"bar-wrap\"><input type=\"search\" id=\"f-q\" placeholder=\"file name\" "
            f"aria-label=\"search by file name\"><label>rule <select id=\"f-rule\"><option value=\"\">all rules</option>"
            f"{options}</select></label>{sev_boxes}<label><input type=\"checkbox\" id=\"f-clean\" checked> "
            f"clean photos</label><label>sort <select id=\"f-sort\"><option value=\"\">as checked</option>"
            f"<option value=\"score\">score, worst first</option><option value=\"-score\">score, best first</option>"
            f"<option value=\"name\">file name</option></select></label>"
            f"<span>showing <b id=\"shown\">{n}</b> of {n}</span></div><main>"
        )

    def _overview(self) -> str:
        """The collection at a glance, for a batch of two photos or more: how many photos
        people would call good, fair and poor by their scores, and per rule how many photos it
        flags (at their worst severity), most first; a rule's name filters the cards to it."""
        n = self.photos
        if n < 2:
            return ""
        colours = {"good": "#2ea44f", "fair": "#e8a317", "poor": "#e0245e", "unreadable": "#8a93a3"}
        shown = [(v, k) for v, k in self._verdicts.items() if k]
        bar = "".join(f'<span style="width:{100 * k / n:.2f}%;background:{colours[v]}" title="{v}: {k}"></span>'
                      for v, k in shown)
        legend = "".join(f'<span><i style="background:{colours[v]}"></i>{k} {v} ({100 * k / n:.0f}%)</span>'
                         for v, k in shown)
        names = {r.code: r.name for r in self._rules}
        rows = []
        for code, counts in sorted(self._flagged.items(), key=lambda kv: (-sum(kv[1].values()), kv[0])):
            total = sum(counts.values())
            split = ", ".join(f"{counts[sv]} {sv}" for sv in SEVERITIES if counts.get(sv))
            rows.append(f'<tr><td><a href="#rule={_e(code)}" data-rule="{_e(code)}">{_e(code)}</a></td>'
                        f'<td class="name">{_e(names.get(code, ""))}</td><td class="n">{total}</td>'
                        f'<td class="share"><span class="track"><span class="fill '
                        f'{"poor" if counts.get(ERROR) else "fair" if counts.get(WARNING) else "note"}" '
                        f'style="width:{100 * total / n:.1f}%"></span>'
                        f'</span></td><td>{100 * total / n:.0f}% · {_e(split)}</td></tr>')
        table = ('<table class="rules"><thead><tr><th>rule</th><th></th><th class="n">photos</th>'
                 '<th colspan="2">of the batch</th></tr></thead><tbody>' + "".join(rows) + "</tbody></table>"
                 if rows else '<p class="ok">✓ no rule flags any photo</p>')
        return (f'<details class="overview" open><summary>overview: {_common.counted(n, "photo")} by verdict, '
                f'and what the rules flag</summary><div class="verdicts" role="img" aria-label="'
                f'{_e(", ".join(f"{k} {v}" for v, k in shown))}">{bar}</div><div class="vlegend">{legend}</div>'
                f"{table}</details>")

    def _gate(self) -> str:
        """The --fail-under result, above everything else."""
        gate = self._fail_under
        if gate is None:
            return ""
        if not gate.below:
            return f'<div class="gate pass">✓ every photo scored at least {gate.threshold:g} (--fail-under)</div>'
        return f'<div class="gate">✗ {_e(gate.sentence(limit=20))}</div>'

    def _not_found(self) -> str:
        """The paths given that do not exist, named above the cards (nothing there was checked)."""
        if not self._missing:
            return ""
        items = "".join(f"<li>{_e(p)}</li>" for p in self._missing)
        return (f'<div class="gate missing">✗ not checked, no such file or folder '
                f'({len(self._missing)}):<ul>{items}</ul></div>')

    def tail(self) -> str:
        return (f"</main><div id=\"lb\" role=\"dialog\" aria-label=\"photo\"><div class=\"frame\"></div>"
                f"<div class=\"cap\"></div></div><footer>headshot-lint {_e(__version__)}</footer>"
                f"<script>{_JS}</script></body></html>\n")


def render(reports: Iterable[Report], rules: Sequence[Rule],
           thumbnail: Callable[[str], str | None] = data_uri) -> str:
    """The run as one HTML page; ``thumbnail(path)`` gives each photo's data URI (or None)."""
    with Writer(rules, thumbnail) as w:
        for r in reports:
            w.add(r)
        return w.render()
