"""DOCK005: the final stage (following ``FROM <stage>`` chains) runs as a non-root user.

Root has four spellings (``root``, ``0``, ``root:<group>``, ``0:<group>``). A base on the
non-root allow-list (``nonroot_bases`` in the data) needs no USER; ``FROM scratch`` without
USER is uid 0. A named USER never created in the final stage warns (``docker run`` fails).
Manifests that run the image with a non-zero ``runAsUser`` turn a missing USER into a
warning; an image CI jobs run in is skipped. The fix fits the base: useradd, busybox
adduser, or a numeric USER where there is no shell.
"""

from __future__ import annotations

from collections.abc import Iterator

from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, skipped, warned
from mlops_lint.parsers.deployed_images import deployments, run_as_user
from mlops_lint.parsers.dockerfile import Dockerfile, ImageRef, Instruction, Stage, unresolved
from mlops_lint.rules import rule
from mlops_lint.rules.docker._ci_images import ci_job_image
from mlops_lint.rules.docker._shared import (
    base_of,
    each,
    final_stage,
    image_data,
    in_list,
    normal_name,
    run_commands,
    stage_at,
)

_USERADD = frozenset({"useradd", "adduser", "usermod"})


def _user_created(df: Dockerfile, stage: Stage, user: str) -> bool:
    for inst in df.inherited(stage):
        if inst.cmd == "COPY" and "/etc/passwd" in inst.args:
            return True
        for cmd in run_commands(inst):
            if cmd.program in _USERADD and user in cmd.args:
                return True
        if inst.cmd == "RUN" and "/etc/passwd" in inst.script and user in inst.script:
            return True
    return False


def _user_family(root: Stage, image: ImageRef | None) -> str:
    """How a user is created on the base: ``busybox`` (adduser -D), ``none`` (no shell:
    distroless, scratch) or ``shadow`` (useradd)."""
    if root.is_scratch or in_list(image, "shell_less_bases"):
        return "none"
    if in_list(image, "busybox_bases"):
        return "busybox"
    return "shadow"


def _create_user_fix(root: Stage, image: ImageRef | None, user: str) -> T:
    family = _user_family(root, image)
    if family == "none":
        return T(f"The base {image or 'scratch'} has no shell to create {user}: use a numeric "
                 "uid (USER 65532, the distroless nonroot user) or copy an /etc/passwd that "
                 "defines it from a builder stage.",
                 f"La base {image or 'scratch'} no tiene shell para crear {user}: usa un uid "
                 "numérico (USER 65532, el usuario nonroot de distroless) o copia un "
                 "/etc/passwd que lo defina desde una etapa builder.")
    command = (f"adduser -D -u 10001 {user}" if family == "busybox"
               else f"useradd --create-home --uid 10001 {user}")
    return T(f"RUN {command} before USER {user}, or use a numeric uid (USER 10001).",
             f"RUN {command} antes de USER {user}, o usa un uid numérico (USER 10001).")


def non_root_fix(root: Stage, image: ImageRef | None) -> T:
    """Switching the final stage to a non-root user, with what the base has: useradd on
    Debian/RHEL bases, busybox adduser on Alpine, a bare numeric USER where there is no
    shell (distroless)."""
    family = _user_family(root, image)
    if family == "none":
        nonroot = (" or its :nonroot tag" if image is not None
                   and normal_name(image).startswith("gcr.io/distroless/") else "")
        return T(f"The base {image or 'scratch'} has no shell, so no useradd: add USER 65532 "
                 f"(the distroless nonroot user){nonroot} to the final stage; a numeric UID "
                 "lets Kubernetes verify runAsNonRoot.",
                 f"La base {image or 'scratch'} no tiene shell, así que no hay useradd: añade "
                 f"USER 65532 (el usuario nonroot de distroless)"
                 f"{' o su tag :nonroot' if nonroot else ''} a la etapa final; un UID numérico "
                 "permite a Kubernetes verificar runAsNonRoot.")
    command = ("adduser -D -u 10001 appuser" if family == "busybox"
               else "useradd --create-home --uid 10001 appuser")
    return T(f"Create a user and switch to it by number in the final stage: RUN {command}, "
             "then USER 10001 (a numeric UID lets Kubernetes verify runAsNonRoot).",
             f"Crea un usuario y cámbiate a él por número en la etapa final: RUN {command} y "
             "luego USER 10001 (un UID numérico permite a Kubernetes verificar runAsNonRoot).")


def _deployed_non_root(ctx: Context, df: Dockerfile) -> T | None:
    """Why the repository's own manifests run the image as non-root (every container that
    runs it sets a non-zero runAsUser), or None."""
    deployed = deployments(ctx.repo, df)
    if not deployed:
        return None
    users = [(d, run_as_user(d)) for d in deployed]
    if any(uid is None or uid == 0 for _, uid in users):
        return None
    first, uid = users[0]
    more = f" (and {len(users) - 1} more)" if len(users) > 1 else ""
    more_es = f" (y {len(users) - 1} más)" if len(users) > 1 else ""
    return T(f"its deployment runs it as user {uid}: securityContext.runAsUser in "
             f"{first.where}{more} ({first.how})",
             f"su despliegue la ejecuta como el usuario {uid}: securityContext.runAsUser en "
             f"{first.where}{more_es} ({first.how})")


def _dock005(ctx: Context, df: Dockerfile) -> Iterator[Finding]:
    final = final_stage(df)
    ci_image = ci_job_image(ctx, df)
    if ci_image is not None:
        yield skipped(ci_image + T(": container jobs often need root to install tools, so the "
                                   "non-root rule does not apply",
                                   ": los jobs en contenedor suelen necesitar root para instalar "
                                   "herramientas, así que la regla de no-root no aplica"),
                      df.path)
        return
    root, image = base_of(df, final)
    user_inst = df.effective(final, "USER")
    fix = non_root_fix(root, image)
    if user_inst is None:
        yield _no_user(ctx, df, final, fix)
    else:
        yield _user_verdict(df, final, user_inst, fix)


def _no_user(ctx: Context, df: Dockerfile, final: Stage, fix: T) -> Finding:
    """No USER reaches the final stage: the base decides (scratch is root, the non-root
    allow-list is not), and manifests that set a non-zero runAsUser soften the failure."""
    root, image = base_of(df, final)
    if root.is_scratch:
        return failed(T(f"final {stage_at(final).en} is FROM scratch with no USER: it runs "
                        "as uid 0",
                        f"la {stage_at(final).es} final es FROM scratch sin USER: se ejecuta con "
                        "uid 0"), df.path, final.line,
                      fix=T("Add USER 65532 (or any non-zero uid) to the final stage.",
                            "Añade USER 65532 (o cualquier uid distinto de 0) a la etapa "
                            "final."))
    names = unresolved(root.base)
    if names or image is None:
        return warned(T(f"final {stage_at(final).en} has no USER and its base '{root.base}' uses "
                        f"unresolved variables ({', '.join(names)}): cannot verify the "
                        "default user",
                        f"la {stage_at(final).es} final no tiene USER y su base '{root.base}' usa "
                        f"variables sin resolver ({', '.join(names)}): no se puede verificar "
                        "el usuario por defecto"), df.path, root.line, fix=fix)
    if in_list(image, "nonroot_bases"):
        return passed(T(f"final {stage_at(final).en} has no USER, but its base {image} runs as "
                        "non-root",
                        f"la {stage_at(final).es} final no tiene USER, pero su base {image} se "
                        "ejecuta como no-root"), df.path, root.line)
    builder_users = [i for s in df.stages if s.index not in {m.index for m in
                                                             df.lineage(final)}
                     for i in s.find("USER")]
    extra = ""
    extra_es = ""
    if builder_users:
        extra = (f"; the USER at line {builder_users[-1].line} is in another stage and "
                 "does not reach the runtime image")
        extra_es = (f"; el USER de la línea {builder_users[-1].line} está en otra etapa y "
                    "no llega a la imagen final")
    deployed = _deployed_non_root(ctx, df)
    if deployed is not None:
        return warned(T(f"final {stage_at(final).en} has no USER: the image defaults to root "
                        f"(base {image}){extra}, but ",
                        f"la {stage_at(final).es} final no tiene USER: la imagen arranca como "
                        f"root (base {image}){extra_es}, pero ") + deployed,
                      df.path, final.line, fix=fix + T(
                          " The image then runs as non-root wherever it is started, not "
                          "only under the manifests.",
                          " Así la imagen corre sin root dondequiera que se arranque, no "
                          "solo con los manifiestos."))
    return failed(T(f"final {stage_at(final).en} has no USER: the container runs as root "
                    f"(base {image}){extra}",
                    f"la {stage_at(final).es} final no tiene USER: el contenedor se ejecuta como "
                    f"root (base {image}){extra_es}"), df.path, final.line, fix=fix)


def _user_verdict(df: Dockerfile, final: Stage, user_inst: Instruction, fix: T) -> Finding:
    """The USER that reaches the final stage: not root, resolved, and created."""
    root, image = base_of(df, final)
    value = user_inst.value.strip()
    names = unresolved(value.split(":", 1)[0])  # only the user part decides root
    if names:
        return warned(T(f"USER {value} at line {user_inst.line} uses unresolved variables "
                        f"({', '.join(names)}): cannot verify it is not root",
                        f"USER {value} en la línea {user_inst.line} usa variables sin resolver "
                        f"({', '.join(names)}): no se puede verificar que no sea root"),
                      df.path, user_inst.line,
                      fix=T("Give the ARG a non-root default (ARG UID=1000) or write the user "
                            "literally.",
                            "Da al ARG un valor por defecto no-root (ARG UID=1000) o escribe el "
                            "usuario literalmente."))
    user = value.split(":", 1)[0].strip()
    if user.lower() == "root" or (user.isdigit() and int(user) == 0) or not user:
        return failed(T(f"final {stage_at(final, user_inst.line).en} runs as root: USER {value}",
                        f"la {stage_at(final, user_inst.line).es} final se ejecuta como root: USER "
                        f"{value}"), df.path, user_inst.line, fix=fix)
    if not user.isdigit() and user not in (image_data().get("preexisting_users") or []) \
            and not in_list(image, "nonroot_bases") and not _user_created(df, final, user):
        return warned(T(f"USER {user} at line {user_inst.line} is never created in the final "
                        "stage (useradd/adduser): unless the base defines it, docker run fails "
                        "with 'unable to find user'",
                        f"USER {user} en la línea {user_inst.line} nunca se crea en la etapa "
                        "final (useradd/adduser): salvo que la base lo defina, docker run falla "
                        "con 'unable to find user'"), df.path, user_inst.line,
                      fix=_create_user_fix(root, image, user))
    return passed(T(f"final {stage_at(final, user_inst.line).en} runs as {value}",
                    f"la {stage_at(final, user_inst.line).es} final se ejecuta como {value}"),
                  df.path, user_inst.line)


@rule("DOCK005")
def dockerfile_non_root(ctx: Context, params: None) -> Iterator[Finding]:
    """DOCK005: the final stage (following FROM <stage> chains) runs as a non-root user."""
    yield from each(ctx, _dock005)
