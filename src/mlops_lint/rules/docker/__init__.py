"""Docker (phase 4, packaging and delivery, the Docker half; rules.md §1 "Phase 4"):
DOCK001 Dockerfile present and well-formed, DOCK002 .dockerignore, DOCK003 slim and pinned
base image, DOCK004 multi-stage build, DOCK005 non-root runtime, DOCK006 HEALTHCHECK,
DOCK007 layer hygiene, DOCK008 lean runtime, DOCK009 image scan and Dockerfile lint,
DOCK010 image size (evidence), DOCK011 compose stack. The CI half of phase 4 (CI001-CI012,
SEC003-SEC005) is another family; both load into phase 4.

Dockerfiles are found anywhere (Dockerfile, Dockerfile.*, *.Dockerfile, *.dockerfile,
Containerfile; any letter case; exclusions honoured; Dockerfile.md/.j2/.dockerignore and
other non-Dockerfiles skipped) and read by :mod:`mlops_lint.parsers.dockerfile`
stage-aware: instructions are case-insensitive, heredocs (RUN <<EOF … EOF) are read,
$VAR/${VAR} are resolved from ARG/ENV defaults (global ARGs in FROM). Only the final stage
reaches runtime: non-root (DOCK005), HEALTHCHECK (DOCK006), install hygiene (DOCK007) and
the lean runtime (DOCK008) are judged on the final stage together with the stages it is
built ``FROM`` (:meth:`Dockerfile.lineage`; FROM <alias> chains inherit USER, HEALTHCHECK,
ENV, WORKDIR, CMD); what a builder stage does stays in the builder.

Scope (rules.md §0.4): these are project rules. A project's Dockerfiles are those under its
directory; a project in a sub-folder (in a monorepo, or the only project of a repository
whose root is not one) with none of its own is judged on the Dockerfiles outside every
project (a shared root ``Dockerfile`` or ``docker/`` directory), and compose files
likewise. Dockerfiles under ``.devcontainer/`` are development containers: DOCK001 lists
them as skipped, no rule judges them.

No Dockerfile at all: DOCK001 (the level-1 gate) fails, and DOCK002-DOCK009 fail too, each
saying "no Dockerfile in this project (see DOCK001)" — a project without an image has none
of the properties they ask for, and skipping them would inflate the phase score. DOCK010
(evidence) and DOCK011 (compose) do not depend on it. A Dockerfile that does not parse
fails DOCK001 with its line; the other rules list it as skipped with the reason, never
silently.

Base-image knowledge (the non-root allow-list, lean/alpine/full bases, which bases ship
curl/wget, shell-less bases, build packages) is data: ``rules/_data/dockerfile_bases.yaml``.

Shared helpers: ``_shared`` (base-image data, the project's Dockerfiles, reading a stage),
``_runtime`` (what the image runs: its language runtimes, batch job or server),
``_ci_images`` (images CI jobs run in), ``_compose`` (the project's compose files),
``_hygiene`` (package caches left in the runtime image).
"""
