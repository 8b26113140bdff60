"""A self-contained HTML report (``--format html``): one file, no network.

Inline CSS, an inline SVG chart of the seven phases (level and score), the blockers,
and every result in one table filtered by phase and status with a few lines of inline
JavaScript (without JavaScript every row stays visible). A Content-Security-Policy
meta tag forbids loading anything from elsewhere, and the page references no
external resource or link at all.
"""

from __future__ import annotations

import base64
import hashlib
from html import escape

from mlops_lint.maturity import PhaseReport
from mlops_lint.model import Lang, Result, Status, T
from mlops_lint.report import Report
from mlops_lint.report.common import (
    ALL_RESULTS,
    AND_MORE,
    BASELINE_TAG,
    BLOCKERS,
    FIX,
    IGNORED,
    LEVEL,
    LEVEL_NAME,
    MAX_PER_RULE,
    MESSAGE,
    NO_BLOCKERS,
    PHASE,
    PROJECT,
    PROJECTS,
    RULE,
    SCORE,
    STATUS,
    STATUS_ORDER,
    STATUS_WORD,
    TITLE,
    WHERE,
    baselined_note,
    blocker_groups,
    counts,
    gate_line,
    level_bar,
    level_tag,
    overall_line,
    rule_titles,
    where,
)
from mlops_lint.sanitize import clean

ALL_PHASES = T("All phases", "Todas las fases")
SHOWN = T("shown", "mostrados")
FILTERS = T("Filters", "Filtros")
CHART = T("Level and score of the seven phases", "Nivel y puntuación de las siete fases")
PHASES = T("Phases", "Fases")
CLICK_HINT = T("Click a phase (or focus it and press Enter) to filter the results.",
               "Haz clic en una fase (o enfócala y pulsa Intro) para filtrar los resultados.")
FILTER_HINT = T("filter the results by this phase", "filtrar los resultados por esta fase")
NOTE = T("Note", "Nota")
LEVEL_COLORS = {0: "#cf222e", 1: "#bf8700", 2: "#1a7f37", 3: "#0969da"}
DEFAULT_ON = (Status.FAIL, Status.ERROR, Status.WARN, Status.MANUAL, Status.WAIVED)

CSS = """
:root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--bg:#fff;--soft:#f6f8fa}
*{box-sizing:border-box}
body{margin:0 auto;max-width:1200px;padding:24px;font:14px/1.5 system-ui,-apple-system,
"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
h1{font-size:24px;margin:0 0 8px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid
var(--line);padding-bottom:4px}
.gate{display:inline-block;padding:4px 10px;border-radius:6px;font-weight:600}
.gate.ok{background:#dafbe1;color:#116329}.gate.ko{background:#ffebe9;color:#a40e26}
.muted{color:var(--muted)}
table{border-collapse:collapse;width:100%}
.scroll{max-width:100%;overflow-x:auto}
th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top;
overflow-wrap:anywhere}
th{background:var(--soft)}
td.num{text-align:right;white-space:nowrap}
code{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;word-break:break-all}
li,p{overflow-wrap:anywhere}
svg{max-width:100%;height:auto}
svg .phase{cursor:pointer}svg .phase:hover rect.bg,svg .phase:focus rect.bg{fill:#eaeef2}
svg .phase:focus{outline:none}svg .phase:focus rect.bg{stroke:#0969da;stroke-width:2}
svg .phase[aria-pressed=true] rect.bg{fill:#ddf4ff}
.st{display:inline-block;white-space:nowrap;font-weight:600;font-size:12px;line-height:1.4;
padding:0 6px;border:1px solid currentColor;border-radius:10px;text-transform:uppercase}
.st-fail,.st-error{color:#a40e26}.st-warn{color:#9a6700}.st-pass{color:#116329}
.st-skip,.st-manual,.st-waived{color:var(--muted)}
form{display:flex;flex-wrap:wrap;gap:12px;align-items:center;margin:8px 0;padding:8px;
background:var(--soft);border-radius:6px}
fieldset{border:0;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:10px}
.blk li{margin:4px 0}.fix{color:var(--muted)}
tr[hidden]{display:none}
"""

SCRIPT = """
(function () {
  var phase = document.getElementById('f-phase');
  var boxes = document.querySelectorAll('#filters input[type=checkbox]');
  var rows = document.querySelectorAll('#results tbody tr');
  var shown = document.getElementById('shown');
  function apply() {
    var on = {}, n = 0;
    boxes.forEach(function (b) { on[b.value] = b.checked; });
    rows.forEach(function (r) {
      var ok = (!phase.value || r.dataset.phase === phase.value) && on[r.dataset.status];
      r.hidden = !ok;
      if (ok) { n += 1; }
    });
    shown.textContent = n + ' / ' + rows.length + ' ' + shown.dataset.word;
  }
  phase.addEventListener('change', apply);
  boxes.forEach(function (b) { b.addEventListener('change', apply); });
  var bars = document.querySelectorAll('svg .phase');
  function pick(g) {
    phase.value = phase.value === g.dataset.phase ? '' : g.dataset.phase;
    phase.dispatchEvent(new Event('change'));
    document.getElementById('results').scrollIntoView();
  }
  function pressed() {
    bars.forEach(function (g) {
      g.setAttribute('aria-pressed', String(phase.value === g.dataset.phase));
    });
  }
  bars.forEach(function (g) {
    g.addEventListener('click', function () { pick(g); });
    g.addEventListener('keydown', function (ev) {
      if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); pick(g); }
    });
  });
  phase.addEventListener('change', pressed);
  apply();
  pressed();
}());
"""


def _sha256(source: str) -> str:
    """A CSP hash source for an inline element's exact text: only that script or style
    runs, so markup that slipped into the page could never run its own."""
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")


def e(text: str) -> str:
    return escape(clean(text), quote=True)


def chart(report: Report, lang: Lang) -> str:
    """Horizontal bars: the score of each phase, coloured by its level."""
    label_w, bar_w, row_h, top = 250, 400, 34, 28
    width = label_w + bar_w + 120
    height = top + row_h * 7 + 8
    parts = [f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
             f'role="group" aria-labelledby="chart-title">',
             f'<title id="chart-title">{e(CHART(lang))}</title>']
    for tick in (0, 25, 50, 75, 100):
        x = label_w + bar_w * tick / 100
        parts.append(f'<line x1="{x:g}" y1="{top - 6}" x2="{x:g}" y2="{height - 6}" '
                     f'stroke="#d1d9e0" stroke-dasharray="2 3"/>'
                     f'<text x="{x:g}" y="{top - 10}" font-size="10" fill="#59636e" '
                     f'text-anchor="middle">{tick}</text>')
    for i, p in enumerate(report.maturity.phases):
        y = top + i * row_h
        color = LEVEL_COLORS[p.level]
        filled = bar_w * p.score / 100
        name = f"{p.phase} · {p.name(lang)}"
        tip = (f"{PHASE(lang)} {name}: {level_tag(p.level, lang)} "
               f"({LEVEL_NAME[p.level](lang)}), {p.score}/100 ({p.band_text(lang)})")
        parts.append(
            f'<g class="phase" data-phase="{p.phase}" tabindex="0" role="button" '
            f'aria-pressed="false" aria-controls="results" '
            f'aria-label="{e(tip + " — " + FILTER_HINT(lang))}"><title>{e(tip)}</title>'
            f'<rect class="bg" x="0" y="{y}" width="{width}" height="{row_h - 4}" '
            f'fill="transparent"/>'
            f'<text x="4" y="{y + 20}" font-size="13" fill="#1f2328">{e(name)}</text>'
            f'<rect x="{label_w}" y="{y + 5}" width="{bar_w}" height="20" rx="3" '
            f'fill="#eaeef2"/>'
            f'<rect x="{label_w}" y="{y + 5}" width="{filled:g}" height="20" rx="3" '
            f'fill="{color}"/>'
            f'<text x="{label_w + bar_w + 8}" y="{y + 20}" font-size="13" '
            f'font-weight="600" fill="{color}">{e(level_tag(p.level, lang))} · {p.score}'
            f'</text>'
            f'<text x="{label_w + bar_w + 62}" y="{y + 20}" font-size="12" '
            f'fill="#59636e">{e(level_bar(p.level))}</text></g>')
    parts.append("</svg>")
    return "".join(parts)


def _phase_table(report: Report, lang: Lang) -> list[str]:
    out = ['<div class="scroll"><table><thead><tr>'
           f"<th>{e(PHASE(lang))}</th><th>{e(LEVEL(lang))}</th>"
           f"<th>{e(SCORE(lang))}</th><th>{e(BLOCKERS(lang))}</th></tr></thead><tbody>"]
    for p in report.maturity.phases:
        blockers = ", ".join(p.blockers) or "—"
        out.append(f"<tr><td>{p.phase} · {e(p.name(lang))}</td>"
                   f"<td>{e(level_tag(p.level, lang))} ({e(LEVEL_NAME[p.level](lang))})</td>"
                   f"<td class=num>{p.score} ({e(p.band_text(lang))})</td>"
                   f"<td><code>{e(blockers)}</code></td></tr>")
    out.append("</tbody></table></div>")
    return out


def _projects(report: Report, lang: Lang) -> list[str]:
    projects = report.run.projects
    if len(projects) < 2:
        return []
    head = "".join(f"<th>{p.phase}</th>" for p in report.maturity.phases)
    out = [f"<h2>{e(PROJECTS(lang))}</h2>",
           f'<div class="scroll"><table><thead><tr><th>{e(PROJECT(lang))}</th>{head}</tr>'
           "</thead><tbody>"]
    for project in projects:
        cells = "".join(f"<td class=num>{p.projects.get(project.path, '-')}</td>"
                        for p in report.maturity.phases)
        out.append(f"<tr><td><code>{e(project.path)}</code> ({e(project.name)})</td>"
                   f"{cells}</tr>")
    out.append("</tbody></table></div>")
    return out


def _status(status: Status, lang: Lang) -> str:
    """A text label (no emoji: it must read the same without an emoji font)."""
    return f'<span class="st st-{status.value}">{e(STATUS_WORD[status](lang))}</span>'



def _blockers(report: Report, lang: Lang, titles: dict[str, T]) -> list[str]:
    out = [f"<h2>{e(BLOCKERS(lang))}</h2>"]
    groups = blocker_groups(report)
    if not groups:
        return [*out, f"<p>{e(NO_BLOCKERS(lang))}</p>"]

    def head(phase: PhaseReport) -> str:
        text = (f"{PHASE(lang)} {phase.phase} · {phase.name(lang)} → "
                f"{level_tag(phase.level + 1, lang)}")
        reason = f' <span class="muted">({e(phase.reason(lang))})</span>' if phase.reason else ""
        return f"<h3>{e(text)}{reason}</h3>"

    for phase, rules in groups:
        out.append(head(phase))
        out.append('<ul class="blk">')
        for _, rows in rules:
            for row in rows[:MAX_PER_RULE]:
                title = titles.get(row.rule)
                out.append(
                    f"<li>{_status(row.status, lang)} <b>{e(row.rule)}</b> "
                    f"{e(level_tag(row.level, lang))}"
                    + (f" — {e(title(lang))}" if title else "")
                    + f" · <code>{e(where(row, lang))}</code>: {e(row.message(lang))}"
                    f'<br><span class="fix">↳ {e(FIX(lang))}: {e(row.fix(lang))}</span></li>')
            if len(rows) > MAX_PER_RULE:
                more = AND_MORE(lang).format(n=len(rows) - MAX_PER_RULE)
                out.append(f'<li class="muted">{e(more)}</li>')
        out.append("</ul>")
    return out


def _row(r: Result, lang: Lang, titles: dict[str, T], multi: bool) -> str:
    title = titles.get(r.rule)
    rule = f"<b>{e(r.rule)}</b>" + (f"<br><span class=muted>{e(title(lang))}</span>"
                                     if title else "")
    if r.baselined:
        rule += f' <span class="muted">({e(BASELINE_TAG(lang))})</span>'
    project = f"<td><code>{e(r.project)}</code></td>" if multi else ""
    fix = e(r.fix(lang)) if r.status.is_problem else "—"
    return (f'<tr data-phase="{r.phase}" data-status="{r.status.value}">'
            f"<td>{_status(r.status, lang)}</td><td>{rule}</td>"
            f"<td class=num>{e(level_tag(r.level, lang))}</td><td class=num>{r.phase}</td>"
            f"{project}<td><code>{e(where(r, lang))}</code></td>"
            f"<td>{e(r.message(lang))}</td><td>{fix}</td></tr>")


def _results(report: Report, lang: Lang, titles: dict[str, T]) -> list[str]:
    multi = len(report.run.projects) > 1
    tally = counts(report)
    options = "".join(f'<option value="{p.phase}">{p.phase} · {e(p.name(lang))}</option>'
                      for p in report.maturity.phases)
    boxes = "".join(
        f'<label><input type="checkbox" value="{s.value}"'
        f'{" checked" if s in DEFAULT_ON else ""}> '
        f"{e(STATUS_WORD[s](lang))} ({tally[s]})</label>" for s in STATUS_ORDER)
    head = [STATUS(lang), RULE(lang), LEVEL(lang), PHASE(lang)]
    if multi:
        head.append(PROJECT(lang))
    head += [WHERE(lang), MESSAGE(lang), FIX(lang)]
    rank = {s: i for i, s in enumerate(STATUS_ORDER)}
    rows = sorted(report.results, key=lambda r: (r.phase, rank[r.status], r.sort_key()))
    return [
        f"<h2>{e(ALL_RESULTS(lang))}</h2>",
        f'<form id="filters" aria-label="{e(FILTERS(lang))}">'
        f'<label>{e(PHASE(lang))} <select id="f-phase"><option value="">'
        f"{e(ALL_PHASES(lang))}</option>{options}</select></label>"
        f"<fieldset><legend class=muted>{e(STATUS(lang))}</legend>{boxes}</fieldset>"
        f'<span id="shown" class="muted" data-word="{e(SHOWN(lang))}"></span></form>',
        '<div class="scroll"><table id="results"><thead><tr>'
        + "".join(f"<th>{e(h)}</th>" for h in head) + "</tr></thead><tbody>",
        *(_row(r, lang, titles, multi) for r in rows),
        "</tbody></table></div>",
    ]


def render(report: Report) -> str:
    lang = report.lang
    titles = rule_titles(report)
    m = report.maturity
    heading = f"{TITLE(lang)}: {level_tag(m.level, lang)} · {m.score}/100"
    gate_class = "ok" if report.gate.passed else "ko"
    notes = [e(overall_line(report, lang)),
             " · ".join(f"{n} {e(STATUS_WORD[s](lang))}"
                        for s, n in ((s, counts(report)[s]) for s in STATUS_ORDER))]
    if report.baselined:
        notes.append(e(baselined_note(report)(lang)))
    if report.run.ignored:
        notes.append(f"{e(IGNORED(lang))}: <code>{e(', '.join(report.run.ignored))}</code>")
    notes.extend(f"{e(NOTE(lang))}: {e(note(lang))}" for note in report.run.notes)
    body = [
        f"<header><h1>{e(heading)}</h1>",
        f'<p class="gate {gate_class}">{e(gate_line(report, lang))}</p>',
        *(f'<p class="muted">{n}</p>' for n in notes),
        "</header>",
        f"<h2>{e(PHASES(lang))}</h2>",
        chart(report, lang),
        f'<p class="muted">{e(CLICK_HINT(lang))}</p>',
        *_phase_table(report, lang),
        *_projects(report, lang),
        *_blockers(report, lang, titles),
        *_results(report, lang, titles),
        f'<footer><p class="muted">mlops-lint {e(report.version)} · {e(report.root)}</p>'
        "</footer>",
    ]
    csp = (f"default-src 'none'; style-src '{_sha256(CSS)}'; script-src '{_sha256(SCRIPT)}'; "
           "img-src data:")
    title = f"mlops-lint — {report.root} — {heading}"
    return "\n".join([
        "<!DOCTYPE html>",
        f'<html lang="{lang}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">',
        f"<title>{e(title)}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        *body,
        f"<script>{SCRIPT}</script>",
        "</body>",
        "</html>",
    ]) + "\n"

