"""Solara's browser assets for machines without access to a CDN.

A Solara page loads its JavaScript and CSS (``@widgetti/solara-vuetify3-app``,
``requirejs``, ``font-awesome``, the grid layout of Mesa's page) from a CDN unless they sit in Solara's asset
cache (``<prefix>/share/solara/cdn``). :func:`ensure_solara_assets` reads the
package versions the installed Solara asks for from its page template and widgets and
fills the cache from the npm registry with ``npm pack`` when they are missing,
so ``ecosim demo`` works offline and behind a registry mirror.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

#: A pinned package on the CDN in Solara's template (``{{cdn}}/...``) or widgets (``${this.getCdn()}/...``).
_SPEC = re.compile(r"(?:\{\{\s*cdn\s*\}\}|\$\{this\.getCdn\(\)\})/((?:@[\w.-]+/)?[\w.-]+@\d+\.\d+[\w.-]*)/")


class AssetError(RuntimeError):
    """Solara's browser assets are missing and could not be fetched."""


def required_packages() -> list[str]:
    """The npm ``name@version`` specs the installed Solara's page template loads from its CDN."""
    import solara.server
    import solara.server.settings as settings

    root = Path(solara.server.__file__).parent.parent
    files = [root / "server" / "templates" / "solara.html.j2", *sorted((root / "widgets" / "vue").glob("*.vue"))]
    specs = {spec for path in files for spec in _SPEC.findall(path.read_text(encoding="utf-8"))}
    fa = settings.assets.fontawesome_path.strip("/").split("/")[0]
    if fa:
        specs.add(fa)
    return sorted(specs)


def cache_dir() -> Path:
    """Solara's asset cache folder."""
    import solara.server.settings as settings

    return Path(settings.assets.proxy_cache_dir)


def missing_packages(cache: Path | None = None) -> list[str]:
    """Required specs that have no folder in the cache yet."""
    cache = cache or cache_dir()
    return [spec for spec in required_packages() if not (cache / spec).is_dir()]


def ensure_solara_assets(cache: Path | None = None) -> Path:
    """Fill Solara's asset cache from the npm registry where packages are missing.

    Returns:
        The cache folder.

    Raises:
        AssetError: When a package is missing and ``npm`` is absent or fails.
    """
    cache = cache or cache_dir()
    todo = missing_packages(cache)
    if not todo:
        return cache
    npm = shutil.which("npm")
    if npm is None:
        raise AssetError(f"Solara's browser assets {', '.join(todo)} are missing and npm is not installed "
                         "(install nodejs/npm, or give the machine access to the CDN)")
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for spec in todo:
            done = subprocess.run([npm, "pack", spec, "--silent"], cwd=tmp, capture_output=True, text=True,
                                  timeout=300)
            if done.returncode != 0:
                raise AssetError(f"npm pack {spec} failed: {done.stderr.strip().splitlines()[-1:]}")
            tgz = Path(tmp) / done.stdout.strip().splitlines()[-1]
            target = cache / spec
            staging = Path(tmp) / "x"
            shutil.rmtree(staging, ignore_errors=True)
            with tarfile.open(tgz) as tar:
                tar.extractall(staging, filter="data")
            shutil.copytree(staging / "package", target, dirs_exist_ok=True)
    return cache


if __name__ == "__main__":  # pragma: no cover
    print(ensure_solara_assets())
