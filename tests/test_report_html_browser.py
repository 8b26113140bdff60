"""The HTML report in a real browser: headless Chromium lays it out at 1280 px and the
page must not scroll sideways, and the phase bars of the chart must work from the
keyboard. Skipped when no Chromium is installed; to run it:

    apt-get install -y chromium        # or chromium-browser / google-chrome on PATH
    pytest tests/test_report_html_browser.py

The test copies the report without its Content-Security-Policy (which would block the
measuring script) and appends a script that writes its measurements into the DOM, which
``chromium --headless --dump-dom`` prints.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from mlops_lint.config import Config
from mlops_lint.report import renderer
from test_report_common import standard_report

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
BROWSER = next((path for name in BROWSERS if (path := shutil.which(name))), None)
WIDTH = 1280

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(BROWSER is None, reason="no Chromium installed (apt-get install -y "
                       "chromium); the HTML layout test needs a real browser"),
]

PROBE = """<script>(function () {
  var d = document.documentElement, over = [];
  document.querySelectorAll('body *').forEach(function (el) {
    var r = el.getBoundingClientRect();
    if (r.width && r.right > d.clientWidth + 1 && over.length < 10) {
      over.push(el.tagName + '.' + el.className + ' ' + Math.round(r.right));
    }
  });
  var bar = document.querySelector('svg .phase[data-phase="3"]');
  bar.focus();
  var focused = document.activeElement === bar;
  bar.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true}));
  var shown = Array.prototype.filter.call(document.querySelectorAll('#results tbody tr'),
    function (tr) { return !tr.hidden; });
  document.body.setAttribute('data-probe', JSON.stringify({
    scroll: d.scrollWidth, client: d.clientWidth, over: over,
    focusable: document.querySelectorAll('svg .phase[tabindex="0"][role="button"]').length,
    focused: focused, phase: document.getElementById('f-phase').value,
    pressed: bar.getAttribute('aria-pressed'),
    others: shown.filter(function (tr) { return tr.dataset.phase !== '3'; }).length
  }));
}());</script>"""


def measure(page: str, tmp_path: Path) -> dict[str, Any]:
    """Lay ``page`` out in headless Chromium at 1280 px and return the probe's numbers."""
    page = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", page)
    assert page.count("</body>") == 1
    path = tmp_path / "report.html"
    path.write_text(page.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    assert BROWSER is not None
    done = subprocess.run(
        [BROWSER, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         f"--user-data-dir={tmp_path / 'profile'}", f"--window-size={WIDTH},800",
         "--dump-dom", path.as_uri()],
        capture_output=True, text=True, timeout=180, check=False)
    found = re.search(r'data-probe="([^"]*)"', done.stdout)
    assert found, f"no measurement in Chromium's output: {done.stderr[-2000:]}"
    data: dict[str, Any] = json.loads(html.unescape(found.group(1)))
    return data


LONG = "a_very_long_module_name_without_any_break_" * 4


def test_the_html_report_fits_1280_px_and_its_phase_bars_work_from_the_keyboard(
        tmp_path: Path, make_repo: Any) -> None:
    root = make_repo({
        f"src/{LONG}/{LONG}.py": "import pandas\n" + f"x = '{'y' * 300}'\n",
        "Dockerfile": "FROM python:3.11\nRUN pip install " + "pkg-with-a-long-name " * 30
                      + "\n",
        "data/raw/" + "x" * 120 + ".csv": "a,b\n1,2\n",
        ".env": "API_KEY=" + "k" * 200 + "\n",
    })
    from mlops_lint.catalog import load_catalog
    from mlops_lint.runner import build_report

    report = build_report(root, str(root), Config(), load_catalog())
    data = measure(renderer("html")(report), tmp_path)
    assert data["scroll"] <= data["client"], data
    assert data["over"] == [], data
    assert data["focusable"] == 7
    assert data["focused"] and data["phase"] == "3" and data["pressed"] == "true", data
    assert data["others"] == 0


def test_the_standard_report_fits_in_both_languages(tmp_path: Path, make_repo: Any) -> None:
    for lang in ("en", "es"):
        report = standard_report(tmp_path / lang, make_repo, lang)
        data = measure(renderer("html")(report), tmp_path / lang)
        assert data["scroll"] <= data["client"] and data["over"] == [], (lang, data)
