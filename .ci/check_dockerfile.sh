#!/usr/bin/env bash
# Keep the Dockerfile honest without a Docker engine.
#
# Replays what `docker build` would do with the repository, as far as a Docker-less machine can:
#   1. stages exactly the files the Dockerfile COPYs (after .dockerignore) into a temporary tree;
#   2. runs the Dockerfile's `pip install` line(s) there, unchanged, into a fresh venv made with
#      the same Python minor version as the FROM image, and checks that every package came as a
#      prebuilt wheel (the image has no compilers);
#   3. from outside any source tree: `fusebrief --help`, `fusebrief model info`, the prompts that
#      the wheel must ship (service/_prompts), and `import xllamacpp`;
#   4. checks the system libraries the installed extension modules load (ldd) against what the
#      slim base image has plus the Dockerfile's `apt-get install` packages;
#   5. runs the Dockerfile's CMD with its ENV: without API keys it must refuse to start, and with
#      keys (on loopback, a hosted model so nothing is downloaded) the HEALTHCHECK command must
#      pass against it.
# Usage: bash .ci/check_dockerfile.sh   (PYTHON=python3.11 to pick the interpreter)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/fusebrief-dockercheck.XXXXXX")"
SERVER_PID=""

cleanup() {
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

step() { printf '== %s\n' "$*"; }
fail() {
    printf 'check_dockerfile: FAIL: %s\n' "$*" >&2
    exit 1
}

# The check must see only what it sets: no FUSEBRIEF_* from the caller's environment.
while read -r name; do unset "$name"; done < <(compgen -e | grep '^FUSEBRIEF_' || true)

cat >"$WORK/helper.py" <<'PY'
"""Dockerfile parsing, build-context staging and the shared-library audit for the shell script."""

import glob
import json
import os
import posixpath
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

# Debian packages certainly present in python:3.11-slim-bookworm: the essential set of
# debian:bookworm-slim that binaries link against, plus the runtime libraries the image keeps for
# Python's own extension modules. Anything else must come from the Dockerfile's apt-get install.
SLIM_BASE = {
    "libc6", "libgcc-s1", "libstdc++6", "zlib1g", "libzstd1", "liblzma5", "libbz2-1.0",
    "libcrypt1", "libtinfo6", "libuuid1", "libffi8", "libssl3", "libsqlite3-0", "libexpat1",
    "libncursesw6", "libreadline8",
}


def logical_lines(text):
    """Dockerfile instructions: comments dropped, backslash continuations joined."""
    lines, current = [], ""
    for raw in text.splitlines():
        stripped = raw.strip()
        if stripped.startswith("#") or (not stripped and current):
            continue
        if raw.rstrip().endswith("\\"):
            current += raw.rstrip()[:-1] + " "
            continue
        current += raw
        if current.strip():
            lines.append(current.strip())
        current = ""
    if current.strip():
        lines.append(current.strip())
    return lines


def split_instruction(line):
    keyword, _, rest = line.partition(" ")
    return keyword.upper(), rest.strip()


def exec_or_shell(rest):
    """argv of an exec-form (JSON) or shell-form command."""
    if rest.startswith("["):
        return json.loads(rest)
    return ["/bin/sh", "-c", rest]


def shell_segments(command):
    lexer = shlex.shlex(command, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    segment = []
    for token in lexer:
        if token in ("&&", "||", ";", "|", "&"):
            if segment:
                yield segment
            segment = []
        else:
            segment.append(token)
    if segment:
        yield segment


def pip_install_args(segment):
    for prefix in (["pip", "install"], ["pip3", "install"]):
        if segment[: len(prefix)] == prefix:
            return segment[len(prefix) :]
    if len(segment) >= 4 and segment[0] in ("python", "python3") and segment[1:4] == [
        "-m", "pip", "install",
    ]:
        return segment[4:]
    return None


def parse_env(rest, env):
    tokens = shlex.split(rest)
    if tokens and "=" not in tokens[0]:  # legacy `ENV KEY value with spaces`
        env[tokens[0]] = " ".join(tokens[1:])
        return
    for token in tokens:
        key, _, value = token.partition("=")
        env[key] = value


class DockerIgnore:
    """.dockerignore matching: the last matching pattern wins, `!` re-includes, and a pattern
    that matches a folder matches everything under it."""

    def __init__(self, path):
        self.patterns = []
        if not path.exists():
            return
        for raw in path.read_text(encoding="utf-8").splitlines():
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            negate = line.startswith("!")
            line = posixpath.normpath(line.lstrip("!").strip().strip("/"))
            self.patterns.append((negate, re.compile(self._regex(line))))

    @staticmethod
    def _regex(pattern):
        out, i = "", 0
        while i < len(pattern):
            char = pattern[i]
            if pattern.startswith("**/", i):
                out, i = out + "(?:.*/)?", i + 3
                continue
            if pattern.startswith("**", i):
                out, i = out + ".*", i + 2
                continue
            if char == "*":
                out += "[^/]*"
            elif char == "?":
                out += "[^/]"
            elif char == "[" and "]" in pattern[i:]:
                end = pattern.index("]", i)
                body = pattern[i + 1 : end]
                out += "[" + ("^" + body[1:] if body.startswith("!") else body) + "]"
                i = end
            else:
                out += re.escape(char)
            i += 1
        return "^" + out + "$"

    def excluded(self, rel):
        parts = rel.split("/")
        prefixes = ["/".join(parts[:n]) for n in range(1, len(parts) + 1)]
        result = False
        for negate, regex in self.patterns:
            if any(regex.match(prefix) for prefix in prefixes):
                result = not negate
        return result


def stage_copy(root, ignore, sources, dest, workdir, image, staged):
    dest_abs = posixpath.normpath(posixpath.join(workdir, dest))
    as_dir = dest.endswith("/") or dest in (".", "./") or len(sources) > 1
    for source in sources:
        matches = sorted(glob.glob(str(root / source))) or [str(root / source)]
        for match in matches:
            src = Path(match)
            rel = src.relative_to(root).as_posix()
            if not src.exists() or (src.is_file() and ignore.excluded(rel)):
                sys.exit(f"COPY {source}: not in the build context (missing or .dockerignored)")
            if src.is_dir():
                files = [p for p in sorted(src.rglob("*")) if p.is_file()]
                files = [p for p in files if not ignore.excluded(p.relative_to(root).as_posix())]
                pairs = [(p, f"{dest_abs}/{p.relative_to(src).as_posix()}") for p in files]
            else:
                target = posixpath.join(dest_abs, src.name) if as_dir else dest_abs
                pairs = [(src, target)]
            for path, target in pairs:
                out = image / target.lstrip("/")
                out.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, out)
                staged.append(target)


def plan(root, work):
    """Parse the Dockerfile, stage the COPYs under work/image, write the plan for the shell."""
    root, work = Path(root), Path(work)
    image, out = work / "image", work / "plan"
    image.mkdir()
    out.mkdir()
    ignore = DockerIgnore(root / ".dockerignore")
    workdir, env, installs, apt, staged = "/", {}, [], [], []
    healthcheck = cmd = python = None
    for line in logical_lines((root / "Dockerfile").read_text(encoding="utf-8")):
        keyword, rest = split_instruction(line)
        if keyword == "FROM":
            found = re.search(r"(?:^|/)python:(\d+\.\d+)", rest)
            if not found:
                sys.exit(f"FROM {rest}: not an official python:X.Y image")
            python = found.group(1)
        elif keyword == "WORKDIR":
            workdir = posixpath.join(workdir, rest)
            (image / workdir.lstrip("/")).mkdir(parents=True, exist_ok=True)
        elif keyword == "ENV":
            parse_env(rest, env)
        elif keyword == "COPY":
            tokens = rest.split()
            if any(t.startswith("--from") for t in tokens):
                continue
            args = [t for t in tokens if not t.startswith("--")]
            if rest.lstrip().startswith("["):
                args = json.loads(rest)
            stage_copy(root, ignore, args[:-1], args[-1], workdir, image, staged)
        elif keyword == "ADD":
            sys.exit("ADD is not replayed by this check: use COPY")
        elif keyword == "RUN":
            segments = [json.loads(rest)] if rest.startswith("[") else shell_segments(rest)
            for segment in segments:
                args = pip_install_args(segment)
                if args is not None:
                    installs.append((workdir, dict(env), args))
                if segment[:1] == ["apt-get"] and "install" in segment:
                    after = segment[segment.index("install") + 1 :]
                    apt += [t for t in after if not t.startswith("-")]
        elif keyword == "HEALTHCHECK":
            _, _, command = rest.partition("CMD ")
            if not command:
                sys.exit("HEALTHCHECK has no CMD")
            healthcheck = exec_or_shell(command.strip())
        elif keyword == "CMD":
            cmd = exec_or_shell(rest)
    if python is None or not installs or healthcheck is None or cmd is None:
        sys.exit("the Dockerfile needs FROM python:X.Y, a RUN pip install, HEALTHCHECK and CMD")
    (out / "python").write_text(python + "\n")
    for n, (where, install_env, args) in enumerate(installs):
        (out / f"install.{n}.dir").write_text(str(image / where.lstrip("/")) + "\n")
        (out / f"install.{n}.args").write_text("".join(a + "\n" for a in args))
        (out / f"install.{n}.env").write_text("".join(f"{k}={v}\n" for k, v in install_env.items()))
    (out / "env").write_text("".join(f"{k}={v}\n" for k, v in env.items()))
    (out / "apt").write_text("".join(p + "\n" for p in apt))
    (out / "healthcheck").write_text("".join(a + "\n" for a in healthcheck))
    (out / "cmd").write_text("".join(a + "\n" for a in cmd))
    tops = sorted({posixpath.relpath(s, workdir).split("/")[0] for s in staged})
    print(f"staged {len(staged)} files into {workdir}: {', '.join(tops)}")


def _wheel_tags(venv, name):
    """The WHEEL tags of an installed distribution."""
    wanted = re.sub(r"[-_.]+", "-", name).lower()
    for dist_info in Path(venv).glob("lib/python*/site-packages/*.dist-info"):
        metadata = (dist_info / "METADATA").read_text(encoding="utf-8", errors="replace")
        found = re.search(r"^Name: (.+)$", metadata, re.MULTILINE)
        if found and re.sub(r"[-_.]+", "-", found.group(1).strip()).lower() == wanted:
            wheel = (dist_info / "WHEEL").read_text(encoding="utf-8")
            return re.findall(r"^Tag: (.+)$", wheel, re.MULTILINE)
    return []


def wheels_only(report_path, venv):
    """Every package came as a prebuilt wheel, or is pure Python (an sdist builds without a
    compiler); the project itself is built from the staged sources."""
    report = json.loads(Path(report_path).read_text(encoding="utf-8"))
    pure, compiled = [], []
    for item in report["install"]:
        info = item["download_info"]
        if "dir_info" in info or info["url"].endswith(".whl"):
            continue
        name = item["metadata"]["name"]
        tags = _wheel_tags(venv, name)
        is_pure = bool(tags) and all(tag.strip().endswith("-none-any") for tag in tags)
        (pure if is_pure else compiled).append(name)
    if compiled:
        sys.exit("compiled from source (the image has no compiler): " + ", ".join(compiled))
    print(
        f"{len(report['install'])} packages, all prebuilt wheels"
        + (f" except pure-Python sdists: {', '.join(sorted(pure))}" if pure else "")
    )


def owner(path):
    candidates = [path, os.path.realpath(path)]
    for candidate in list(candidates):
        if candidate.startswith("/usr/"):
            candidates.append(candidate[4:])
        else:
            candidates.append("/usr" + candidate)
    for candidate in candidates:
        result = subprocess.run(
            ["dpkg-query", "-S", candidate], capture_output=True, text=True, check=False
        )
        if result.returncode == 0:
            return result.stdout.split(":")[0].strip()
    return None


def audit(venv, apt_file):
    """The system libraries the installed extension modules load are in the image."""
    if shutil.which("dpkg-query") is None or shutil.which("ldd") is None:
        print("SKIPPED: no dpkg-query/ldd on this machine")
        return
    venv = os.path.realpath(venv)
    apt = {line.strip() for line in Path(apt_file).read_text().splitlines() if line.strip()}
    libraries, missing = {}, set()
    for so in Path(venv).rglob("*.so*"):
        if not so.is_file():
            continue
        result = subprocess.run(["ldd", str(so)], capture_output=True, text=True, check=False)
        for line in result.stdout.splitlines():
            name, arrow, where = line.strip().partition(" => ")
            if not arrow:
                continue
            if where.startswith("not found"):
                missing.add(f"{name} (needed by {so.relative_to(venv)})")
                continue
            path = where.split(" (")[0].strip()
            if path and not os.path.realpath(path).startswith(venv + os.sep):
                libraries.setdefault(path, so.relative_to(venv))
    if missing:
        sys.exit("unresolved libraries: " + "; ".join(sorted(missing)))
    packages, problems = {}, []
    for path, user in sorted(libraries.items()):
        package = owner(path)
        if package is None:
            problems.append(f"{path} (for {user}) belongs to no Debian package")
        else:
            package = package.split(":")[0]  # strip the architecture qualifier
            packages.setdefault(package, user)
    for package, user in sorted(packages.items()):
        if package not in SLIM_BASE and package not in apt:
            problems.append(f"{package} (for {user}) is neither in the slim image nor installed")
    if problems:
        sys.exit("; ".join(problems))
    unused = sorted(apt - set(packages))
    print(
        "system libraries: "
        + ", ".join(p + (" [apt-get]" if p in apt else "") for p in sorted(packages))
        + (f" (apt-get installs unused here: {', '.join(unused)})" if unused else "")
    )


if __name__ == "__main__":
    {"plan": plan, "wheels-only": wheels_only, "audit": audit}[sys.argv[1]](*sys.argv[2:])
PY

helper() { "$PYTHON" "$WORK/helper.py" "$@"; }

step "staging the Dockerfile's COPY sources (after .dockerignore)"
helper plan "$ROOT" "$WORK" || fail "could not replay the Dockerfile"

want="$(cat "$WORK/plan/python")"
have="$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
[[ "$want" == "$have" ]] || fail "the image has Python $want but $PYTHON is $have (set PYTHON=)"

step "fresh venv with $("$PYTHON" --version)"
"$PYTHON" -m venv "$WORK/venv"
VENV_BIN="$WORK/venv/bin"

n=0
while [[ -f "$WORK/plan/install.$n.args" ]]; do
    mapfile -t args <"$WORK/plan/install.$n.args"
    mapfile -t install_env <"$WORK/plan/install.$n.env"
    step "pip install ${args[*]}   (in $(cat "$WORK/plan/install.$n.dir"))"
    (
        cd "$(cat "$WORK/plan/install.$n.dir")"
        env ${install_env[@]+"${install_env[@]}"} "$VENV_BIN/python" -m pip install \
            "${args[@]}" --report "$WORK/pip-report.$n.json" >"$WORK/pip.$n.log" 2>&1
    ) || {
        tail -n 30 "$WORK/pip.$n.log" >&2
        fail "the Dockerfile's pip install failed"
    }
    helper wheels-only "$WORK/pip-report.$n.json" "$WORK/venv" ||
        fail "a dependency needs a compiler"
    n=$((n + 1))
done

# From outside any source tree, so that only the installed wheel can answer.
OUTSIDE="$WORK/outside"
mkdir -p "$OUTSIDE" "$WORK/data"
cd "$OUTSIDE"
export PATH="$VENV_BIN:$PATH"
[[ "$(command -v fusebrief)" == "$VENV_BIN/fusebrief" ]] ||
    fail "fusebrief is not on the venv's PATH"

step "fusebrief --help"
fusebrief --help >"$WORK/help.txt" || fail "fusebrief --help failed"
grep -q "serve" "$WORK/help.txt" || fail "fusebrief --help does not list serve"
grep -q "mcp" "$WORK/help.txt" || fail "fusebrief --help does not list mcp"

step "fusebrief model info"
FUSEBRIEF_DATA_DIR="$WORK/data" fusebrief model info || fail "fusebrief model info failed"

step "the wheel ships the prompts"
version="$(python -c "import service.prompts as p; assert p.PROMPTS_DIR.name == '_prompts', \
    p.PROMPTS_DIR; print(p.prompt_version())")" ||
    fail "the installed package does not carry service/_prompts"
python - "$ROOT/prompts" <<'CHECK' || fail "the installed service/_prompts differs from prompts/"
import sys
from pathlib import Path

import service.prompts as p

def files(root):
    return {f.relative_to(root).as_posix(): f.read_bytes() for f in root.rglob("*") if f.is_file()}

shipped, source = files(p.PROMPTS_DIR), files(Path(sys.argv[1]))
assert shipped == source, f"differs: {sorted(set(shipped) ^ set(source)) or 'contents'}"
for name, version in (p.MAP_PROMPT, p.TRANSLATE_PROMPT, p.TITLE_PROMPT):
    p.load_prompt(name, version)
p.phrases("en")  # the templates code writes with
print(f"{len(shipped)} prompt files shipped in {p.PROMPTS_DIR.parent.name}/{p.PROMPTS_DIR.name}")
CHECK
echo "prompt version $version"

step "import xllamacpp (the embedded model's native library)"
python -c "import xllamacpp" || fail "xllamacpp does not load"

step "system libraries needed by the installed wheels"
helper audit "$WORK/venv" "$WORK/plan/apt" || fail "a system library is missing from the image"

mapfile -t image_env <"$WORK/plan/env"
mapfile -t cmd <"$WORK/plan/cmd"
mapfile -t healthcheck <"$WORK/plan/healthcheck"

step "CMD ${cmd[*]} with the image's ENV and no API keys must refuse to start"
status=0
env "${image_env[@]}" FUSEBRIEF_DATA_DIR="$WORK/data" timeout 120 "${cmd[@]}" \
    >"$WORK/refuse.log" 2>&1 || status=$?
cat "$WORK/refuse.log"
[[ $status -eq 2 ]] && grep -q "refusing to listen" "$WORK/refuse.log" ||
    fail "without FUSEBRIEF_API_KEYS the image's CMD should exit 2 refusing to listen (got $status)"

step "HEALTHCHECK against CMD ${cmd[*]} (loopback, API key, hosted model: nothing downloaded)"
port="$(python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')"
run_env=("${image_env[@]}" FUSEBRIEF_DATA_DIR="$WORK/data" FUSEBRIEF_HOST=127.0.0.1
    FUSEBRIEF_PORT="$port" FUSEBRIEF_API_KEYS=check-key FUSEBRIEF_LLM_MODEL=openai/gpt-4o-mini)
env "${run_env[@]}" "${cmd[@]}" >"$WORK/serve.log" 2>&1 &
SERVER_PID=$!
healthy=""
for _ in $(seq 1 120); do
    if env "${run_env[@]}" timeout 10 "${healthcheck[@]}" >/dev/null 2>&1; then
        healthy=yes
        break
    fi
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.5
done
if [[ -z "$healthy" ]]; then
    cat "$WORK/serve.log" >&2
    fail "the HEALTHCHECK command never passed against the running service"
fi
echo "healthy on 127.0.0.1:$port"

step "the web page at / and its files come from the installed wheel"
python - "$port" <<'CHECK' || fail "the installed package does not serve the web page"
import sys
import urllib.request

base = f"http://127.0.0.1:{sys.argv[1]}"
page = urllib.request.urlopen(base + "/", timeout=10).read().decode()
assert "/static/app.js" in page and 'name="fusebrief-auth" content="bearer"' in page, page[:300]
for name in ("app.js", "style.css"):
    body = urllib.request.urlopen(f"{base}/static/{name}", timeout=10).read()
    assert len(body) > 1000, name
print("the page and its script and style are served")
CHECK
kill "$SERVER_PID"
wait "$SERVER_PID" 2>/dev/null || true
SERVER_PID=""

echo "check_dockerfile: OK: the Dockerfile's COPY + pip install give a working fusebrief" \
    "(Python $have, prompts $version)"
