"""The PEP 517 build backend of salint's wheel: maturin, except for a release.

`pip install .` (what pre-commit's `language: python` runs on a hook repository) would
compile salint from source, which takes minutes and needs Rust. A checkout of a release tag
(`vX.Y.Z`, the version Cargo.toml names) is exactly what that release's wheel on PyPI was
built from (release.yml builds the wheels from the tag and refuses a tag that is not
Cargo.toml's version), so for such a checkout this backend hands pip that published wheel,
fetched through pip with the user's own index settings (`PIP_INDEX_URL`, `PIP_FIND_LINKS`,
pip.conf). Anything else - a branch, a commit between releases, a release whose wheel pip
cannot get for this platform, `SALINT_BUILD_FROM_SOURCE=1` - is built by maturin, as
without this file.

Which tag is checked out (with no tracked file changed): `git tag --points-at HEAD`, or, for pre-commit's shallow clone
(`git fetch origin REV --depth=1`, which creates no tag), the `tag 'vX.Y.Z'` that git wrote
into `.git/FETCH_HEAD` for HEAD's commit.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import zipfile

DISTRIBUTION = "salint-k8s"
_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Each PEP 517 hook runs in a process of its own: the wheel fetched by the first is kept
# here for the next (inside the checkout, as maturin's own build output is).
_PREBUILT_DIR = os.path.join(_ROOT, "target", "prebuilt-wheel")


def _cargo_version():
    """The `version` of Cargo.toml's [package] table."""
    in_package = False
    with open(os.path.join(_ROOT, "Cargo.toml"), encoding="utf-8") as cargo_toml:
        for line in cargo_toml:
            line = line.strip()
            if line.startswith("["):
                in_package = line == "[package]"
            elif in_package and line.startswith("version"):
                return line.split("=", 1)[1].strip().strip('"')
    return None


def _git(*args):
    try:
        done = subprocess.run(
            ["git", *args], cwd=_ROOT, capture_output=True, text=True, check=False
        )
    except OSError:
        return None
    return done.stdout if done.returncode == 0 else None


def _head_is_release_tag(tag):
    """Whether the checkout is the commit of `tag`, by its tags or pre-commit's fetch."""
    head = (_git("rev-parse", "HEAD") or "").strip()
    if not head:
        return False
    # Edited files are not the release any more, tag or not.
    if _git("status", "--porcelain", "--untracked-files=no") != "":
        return False
    if tag in (_git("tag", "--points-at", "HEAD") or "").split():
        return True
    git_dir = (_git("rev-parse", "--absolute-git-dir") or "").strip()
    try:
        with open(os.path.join(git_dir, "FETCH_HEAD"), encoding="utf-8") as fetch_head:
            for line in fetch_head:
                fields = line.split("\t")
                if len(fields) < 3 or f"tag '{tag}'" not in fields[2]:
                    continue
                # An annotated tag is fetched as the tag object: its commit is what counts.
                commit = (_git("rev-parse", "--verify", "--quiet", f"{fields[0]}^{{commit}}") or "").strip()
                if commit == head:
                    return True
    except OSError:
        pass
    return False


def _fetch_release_wheel(version):
    """The published wheel of `version` for this interpreter's platform, fetched by pip
    into _PREBUILT_DIR, or None."""
    wanted = f"salint_k8s-{version}-"
    if os.path.isdir(_PREBUILT_DIR):
        for name in sorted(os.listdir(_PREBUILT_DIR)):
            if name.startswith(wanted) and name.endswith(".whl"):
                return os.path.join(_PREBUILT_DIR, name)
    # The build runs isolated from the environment's packages (PYTHONPATH and
    # PYTHONNOUSERSITE point it at the build requirements only), pip included: run the
    # environment's own pip without them.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONNOUSERSITE")}
    scratch = tempfile.mkdtemp(prefix="salint-wheel-")
    try:
        done = subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
             "--disable-pip-version-check", "--dest", scratch, f"{DISTRIBUTION}=={version}"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False,
        )
        wheels = [n for n in os.listdir(scratch) if n.startswith(wanted) and n.endswith(".whl")]
        if done.returncode != 0 or len(wheels) != 1:
            print(f"salint: no published wheel of {DISTRIBUTION} {version} for this platform; "
                  f"building from source\n{done.stderr.strip()}", file=sys.stderr)
            return None
        os.makedirs(_PREBUILT_DIR, exist_ok=True)
        target = os.path.join(_PREBUILT_DIR, wheels[0])
        shutil.move(os.path.join(scratch, wheels[0]), target)
        return target
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _release_wheel():
    """The published wheel to install instead of building, or None to build."""
    if os.environ.get("SALINT_BUILD_FROM_SOURCE") == "1":
        return None
    version = _cargo_version()
    if not version or not _head_is_release_tag(f"v{version}"):
        return None
    return _fetch_release_wheel(version)


def get_requires_for_build_wheel(config_settings=None):
    if _release_wheel():
        return []
    return ["maturin>=1.9,<2"]


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    wheel = _release_wheel()
    if wheel is None:
        import maturin

        return maturin.prepare_metadata_for_build_wheel(metadata_directory, config_settings)
    with zipfile.ZipFile(wheel) as archive:
        dist_info = next(
            n.split("/")[0] for n in archive.namelist() if n.split("/")[0].endswith(".dist-info")
        )
        for member in archive.namelist():
            if member.startswith(dist_info + "/"):
                archive.extract(member, metadata_directory)
    return dist_info


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    wheel = _release_wheel()
    if wheel is None:
        import maturin

        return maturin.build_wheel(wheel_directory, config_settings, metadata_directory)
    shutil.copy(wheel, wheel_directory)
    return os.path.basename(wheel)


def get_requires_for_build_sdist(config_settings=None):
    return ["maturin>=1.9,<2"]


def build_sdist(sdist_directory, config_settings=None):
    import maturin

    return maturin.build_sdist(sdist_directory, config_settings)
