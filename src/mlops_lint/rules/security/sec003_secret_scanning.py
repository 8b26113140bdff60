"""SEC003: secret scanning (gitleaks, trufflehog, detect-secrets, ggshield,
git-secrets) runs somewhere: a pre-commit hook, CI or a Makefile target. A scanner
configuration that nothing runs scans nothing, so it earns a warning rather than a pass.
"""

from __future__ import annotations

from collections.abc import Iterator

from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, warned
from mlops_lint.parsers.invocations import precommit_config
from mlops_lint.parsers.precommit import PreCommitConfig
from mlops_lint.parsers.secret_allowlists import DETECT_SECRETS_BASELINE, GITLEAKS_CONFIGS
from mlops_lint.readers.ci_tools import SECRET_TOOLS
from mlops_lint.rules import rule
from mlops_lint.rules.security._shared import places, precommit_note


@rule("SEC003")
def secret_scanning(ctx: Context, params: None) -> Iterator[Finding]:
    """SEC003: gitleaks, detect-secrets, trufflehog (or ggshield/git-secrets) run by a
    pre-commit hook or in CI."""
    repo = ctx.repo
    runs = places(ctx, SECRET_TOOLS)
    configs = [p for p in (*GITLEAKS_CONFIGS, DETECT_SECRETS_BASELINE) if repo.exists(p)]
    note = precommit_note(ctx)
    if runs:
        tool, _, path, line = runs[0]
        baseline = T("", "")
        if tool == "detect-secrets" and not repo.exists(DETECT_SECRETS_BASELINE):
            baseline = T("; no .secrets.baseline, so known false positives are reported "
                         "again", "; sin .secrets.baseline, los falsos positivos conocidos se "
                         "vuelven a reportar")
        listed = ", ".join(dict.fromkeys(f"{t} ({w})" for t, w, _, _ in runs[:3]))
        yield passed(T(f"secret scanning: {listed}", f"escaneo de secretos: {listed}")
                     + baseline, path, line)
        return
    fix = T("add the gitleaks pre-commit hook (repo: https://github.com/gitleaks/gitleaks) "
            "and gitleaks/gitleaks-action@v2 in CI",
            "añade el hook de pre-commit de gitleaks (repo: https://github.com/gitleaks/gitleaks) "
            "y gitleaks/gitleaks-action@v2 en CI")
    if configs:
        yield warned(T(f"{', '.join(configs)} configures secret scanning but no pre-commit "
                       "hook or CI step runs it", f"{', '.join(configs)} configura el escaneo "
                       "de secretos pero ningún hook de pre-commit ni paso de CI lo ejecuta")
                     + note, configs[0], 1, fix=fix)
        return
    config = precommit_config(repo)
    if isinstance(config, PreCommitConfig) and config.hook("detect-private-key"):
        hook = config.hook("detect-private-key")[0]
        yield warned(T("only detect-private-key: API keys and tokens are not detected",
                       "solo detect-private-key: no detecta claves de API ni tokens"),
                     ".pre-commit-config.yaml", hook.line, fix=fix)
        return
    yield failed(T("no secret scanning (gitleaks, detect-secrets, trufflehog) in pre-commit "
                   "or CI", "sin escaneo de secretos (gitleaks, detect-secrets, trufflehog) en "
                   "pre-commit ni en CI") + note, fix=fix)
