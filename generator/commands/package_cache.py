"""The cache of generated packages that `hookgen listen` serves and `hookgen send` signs with.

A package is generated once per spec content into a folder of $HOOKGEN_CACHE (else ~/.cache/hookgen), named by the
SHA-256 of every file the spec is made of, of hookgen's own code and of `[tool.hookgen] signature`: a restart is
quick, and a changed generator (a development install, an upgrade) never serves a stale package. Beside the package,
`bodies.json` names each body's class, so that a later call reads the spec's IR without generating models again.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .. import __version__
from ..errors import SpecError
from ..ir import Spec
from ..pipeline import Generated, build, bundled_spec, spec_with_known_classes
from ..render.render import MARKER
from ..render.write import write_package
from ..spec.bundle import Bundle, bundle

PACKAGE = "hookgen_listen_webhooks"
BODY_CLASSES = "bodies.json"


def cache_root() -> Path:
    """Where generated packages are cached: $HOOKGEN_CACHE, else ~/.cache/hookgen."""
    configured = os.environ.get("HOOKGEN_CACHE")
    return Path(configured) if configured else Path.home() / ".cache" / "hookgen"


def spec_digest(spec_path: Path, ref_roots: Sequence[Path] = (), signature: dict[str, Any] | None = None) -> str:
    """The SHA-256 of hookgen's code, every file the spec reaches through `$ref`s (by path), and the signature
    default (`[tool.hookgen] signature`), when there is one."""
    bundled, problems = bundle(spec_path, ref_roots=ref_roots)
    if bundled is None:
        raise SpecError(problems)
    return bundle_digest(bundled, signature)


def bundle_digest(bundled: Bundle, signature: dict[str, Any] | None = None) -> str:
    """`spec_digest` of a spec already bundled."""
    digest = hashlib.sha256(f"hookgen {__version__} {generator_digest()}\n{bundled.digest()}".encode())
    if signature is not None:
        digest.update(f"signature {json.dumps(signature, sort_keys=True)}".encode())
    return digest.hexdigest()


def generator_digest() -> str:
    """The SHA-256 of hookgen's own modules and templates: what decides the generated code besides the spec."""
    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in sorted([*package.rglob("*.py"), *package.rglob("*.jinja"), *package.rglob("*.jinja2")]):
        digest.update(f"{path.relative_to(package)}\n".encode() + path.read_bytes())
    return digest.hexdigest()


def cached_package(
    spec_path: Path,
    built: Generated | None = None,
    ref_roots: Sequence[Path] = (),
    signature: dict[str, Any] | None = None,
) -> Path:
    """The folder holding the generated package for this spec's content, written when not cached yet.

    `built` is the spec's package already built (as PACKAGE), when the caller has it; `signature` is the
    scheme of webhooks that declare none (`[tool.hookgen] signature`).
    """
    folder = cache_root() / spec_digest(spec_path, ref_roots, signature)
    if not _is_complete(folder):
        built = built or build(spec_path, package=PACKAGE, ref_roots=ref_roots, signature=signature)
        write_package({**built.files, BODY_CLASSES: _body_classes_json(built.spec)}, folder)
    return folder


def cached_spec(
    spec_path: Path, ref_roots: Sequence[Path] = (), signature: dict[str, Any] | None = None
) -> tuple[Path, Spec, dict[str, Any]] | None:
    """The cached package's folder, the spec's IR and its bundled document, without generating models again;
    None when the spec's package is not cached yet."""
    bundled, bundling = bundled_spec(spec_path, ref_roots=ref_roots)  # one bundle for the digest and the IR
    folder = cache_root() / bundle_digest(bundled, signature)
    if not _is_complete(folder):
        return None
    rows = json.loads((folder / BODY_CLASSES).read_text(encoding="utf-8"))
    classes = {(key, method, media_type): name for key, method, media_type, name in rows}
    known = spec_with_known_classes(bundled, bundling, classes, signature=signature)
    if known is None:  # not this spec's bodies (edited by hand?): the next cached_package writes the folder again
        (folder / BODY_CLASSES).unlink()
        return None
    return folder, *known


def _is_complete(folder: Path) -> bool:
    pyproject = folder / "pyproject.toml"
    return pyproject.is_file() and MARKER in pyproject.read_text(encoding="utf-8") and (folder / BODY_CLASSES).is_file()


def _body_classes_json(spec: Spec) -> str:
    rows = [[hook.key, hook.method, body.media_type, body.model_name] for hook in spec.webhooks for body in hook.bodies]
    return json.dumps(rows, indent=1) + "\n"
