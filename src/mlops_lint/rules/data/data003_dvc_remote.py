"""DATA003: a default DVC remote (level 2) on real storage, not a local path (level 3).

``.dvc/config`` is INI (:mod:`configparser`); a ``config.local`` is not committed, so
others cannot pull from a remote only it defines.
"""

from __future__ import annotations

from collections.abc import Iterator

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, verdict
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.ini import Ini, parse_ini
from mlops_lint.rules import rule
from mlops_lint.rules.data._shared import dvc_config, scaffold_data_only

REMOTE_SCHEMES = ("s3", "gs", "gcs", "azure", "gdrive", "ssh", "http", "https", "hdfs",
                  "webhdfs", "webdav", "webdavs", "oss")


_REMOTE_SECTION = lazy_re.compile(r"""^'?\s*remote\s+"(?P<name>[^"]+)"\s*'?$""")


def _remotes(ini: Ini) -> dict[str, tuple[str | None, str]]:
    """remote name -> (url, section)."""
    out = {}
    for section in ini.sections():
        match = _REMOTE_SECTION.match(section.strip())
        if match:
            out[match.group("name")] = (ini.get(section, "url"), section)
    return out


def _is_storage(url: str) -> bool:
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    return scheme in REMOTE_SCHEMES


@rule("DATA003")
def dvc_remote(ctx: Context, params: None) -> Iterator[Finding]:
    """DATA003: a default DVC remote (L2) on real storage, not a local path (L3)."""
    if (scaffold := scaffold_data_only(ctx)) is not None:
        yield scaffold
        return
    config = dvc_config(ctx)
    if not ctx.repo.exists(config):
        yield failed(T("no .dvc/config, so no remote (see DATA001)",
                       "no hay .dvc/config, así que no hay remote (ver DATA001)"), see="DATA001")
        return
    ini = ctx.repo.parse(config, parse_ini)
    if isinstance(ini, ParseError):
        yield failed(T(f"cannot read {config}: {ini.message}",
                       f"no se puede leer {config}: {ini.message}"), config, ini.line)
        return
    default = ini.get("core", "remote")
    remotes = _remotes(ini)
    local = config + ".local"
    local_note = T(f" ({local} is not committed: others cannot pull)",
                   f" ({local} no se sube: nadie más puede hacer pull)") if (
        ctx.repo.exists(local)) else T("", "")
    if not default:
        names = ", ".join(remotes) or "none"
        yield failed(T(f"no default remote ([core] remote = ...); remotes defined: {names}",
                       f"no hay remote por defecto ([core] remote = ...); remotes definidos: "
                       f"{names}") + local_note, config, ini.line("core") or 1,
                     fix=T("dvc remote add -d storage s3://<bucket>/dvc",
                           "dvc remote add -d storage s3://<bucket>/dvc"))
        return
    url, section = remotes.get(default, (None, ""))
    if not url:
        yield failed(T(f"the default remote '{default}' has no url in {config}",
                       f"el remote por defecto '{default}' no tiene url en {config}")
                     + local_note, config, ini.line(section) or ini.line("core") or 1)
        return
    line = ini.line(section) or 1
    yield passed(T(f"default remote '{default}' -> {url}", f"remote por defecto '{default}' -> "
                   f"{url}"), config, line, level=2)
    yield verdict(_is_storage(url),
                  T(f"'{default}' is remote storage ({url.split('://', 1)[0]})",
                    f"'{default}' es almacenamiento remoto ({url.split('://', 1)[0]})"),
                  T(f"'{default}' is a local path ({url}): level 2 at most",
                    f"'{default}' es una ruta local ({url}): nivel 2 como máximo"),
                  config, line, level=3,
                  fix=T("use real storage: s3://, gs://, azure://, gdrive://, ssh:// or "
                        "http(s)://", "usa almacenamiento real: s3://, gs://, azure://, "
                        "gdrive://, ssh:// o http(s)://"))
