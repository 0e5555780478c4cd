"""The old side of `hookgen diff --base REF`: the spec and every file its `$ref`s reach, as they were at a git ref.

Each file is read with `git show REF:path` into a temporary folder that mirrors the repository's paths, so
the bundle follows the same relative `$ref`s (and the same folder rules) it follows in the working tree.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from ...errors import ConfigError
from ...spec.load import FileSet, display_path

_SPEC_SUFFIXES = (".yaml", ".yml", ".json")


def git(args: list[str], cwd: Path) -> bytes:
    """Run git, returning its output; ConfigError with git's own message when it fails."""
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)  # noqa: S607
    except OSError as exc:
        raise ConfigError(f"--base needs git, which cannot be run: {exc.strerror}") from None
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ConfigError(f"git {args[0]} failed: {reason[-1] if reason else 'exit ' + str(done.returncode)}")
    return done.stdout


def repository_root(path: Path) -> Path:
    """The top folder of the git work tree holding `path`."""
    return Path(git(["rev-parse", "--show-toplevel"], path.parent).decode().strip()).resolve()


def materialize(spec: Path, ref: str, into: Path) -> tuple[Path, Callable[[str], str]]:
    """Write the spec and the files it reaches, as at `ref`, under `into`; its path there and a file renamer.

    The renamer turns a file name under `into` back into the working tree's name for it, so a finding on the
    old side points at the same path a reader (or GitHub code scanning) knows.
    """
    root = repository_root(spec.resolve())
    commit = git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], root).decode().strip()
    try:
        start = spec.resolve().relative_to(root)
    except ValueError:
        raise ConfigError(f"{display_path(spec)} is not inside the git repository {display_path(root)}") from None
    if not _copy(root, commit, start, into):
        raise ConfigError(f"{start.as_posix()} does not exist at {ref}")
    pending, seen = list(_references(into, start)), {start}
    while pending:
        relative = pending.pop()
        if relative not in seen:
            seen.add(relative)
            if _copy(root, commit, relative, into):
                pending += _references(into, relative)
    return into / start, _renamer(into.resolve(), root)


def _copy(root: Path, commit: str, relative: Path, into: Path) -> bool:
    """Write one file as at `commit`; False when it did not exist there."""
    try:
        content = git(["show", f"{commit}:{relative.as_posix()}"], root)
    except ConfigError:
        return False
    target = into / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
    return True


def _references(into: Path, relative: Path) -> Iterator[Path]:
    """Repository paths of the files a copied file refers to (`$ref`s and discriminator mappings)."""
    loaded, _ = FileSet().load(into / relative)
    if loaded is None:
        return
    for target in _reference_strings(loaded.data):
        parts = urlsplit(target)
        if parts.scheme or parts.netloc or not parts.path:
            continue
        joined = os.path.normpath((relative.parent / unquote(parts.path)).as_posix())
        if not joined.startswith(".."):
            yield Path(joined)


def _reference_strings(node: Any) -> Iterator[str]:
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if isinstance(item.get("$ref"), str):
                yield item["$ref"]
            mapping = item.get("mapping")
            if isinstance(mapping, dict):
                yield from (value for value in mapping.values() if isinstance(value, str) and _names_file(value))
            stack += item.values()
        elif isinstance(item, list):
            stack += item


def _names_file(value: str) -> bool:
    return not value.startswith("#") and ("/" in value or "#" in value or value.endswith(_SPEC_SUFFIXES))


def _renamer(into: Path, root: Path) -> Callable[[str], str]:
    def rename(name: str) -> str:
        path = Path(os.path.abspath(name))
        try:
            return display_path(root / path.relative_to(into))
        except ValueError:
            return name

    return rename


def mapped_roots(ref_roots: tuple[Path, ...], root: Path, into: Path) -> tuple[Path, ...]:
    """The `ref-roots` folders, as they lie inside the temporary copy."""
    mapped = []
    for folder in ref_roots:
        try:
            mapped.append(into / folder.resolve().relative_to(root))
        except ValueError:
            continue
    return tuple(mapped)
