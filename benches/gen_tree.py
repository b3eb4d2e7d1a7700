#!/usr/bin/env python3
"""Generate a large, realistic Docker build context for benchmarking ctxsize.

    python3 benches/gen_tree.py --files 300000 --out benches/.trees/300000 [--ignore good|none] [--seed 1]

The tree is a monorepo as people really send it to `docker build`:

* a Python service with a `.venv` (pyvenv.cfg, bin/ with symlinks,
  site-packages with many packages, `*.dist-info`, nested `__pycache__`),
  and application code with its own nested `__pycache__`;
* a Node monorepo: a root `node_modules` (hoisted packages, scoped packages,
  nested `node_modules` for conflicting versions, `.bin` symlinks, workspace
  symlinks) and per-package `packages/*/node_modules`;
* a `.git` with a big pack and many loose objects (`.git/objects/xx/yyyy...`);
* a Rust `target/` (deps, build scripts, .fingerprint, incremental);
* ordinary sources, docs, assets, `logs/*.log`, `.env`.

Everything is deterministic for a given (--files, --seed). Files have
realistic *apparent* sizes but are cheap on disk: each file gets a few bytes
of real content and is then extended with ftruncate, so anything larger is a
hole (sparse). A 300k-file tree takes about 1.3 GB of disk blocks (one block
per non-empty file) for ~10 GB of apparent size.

With --files N exactly N non-directory entries (regular files + symlinks) are
written. Roughly 93% of them lie inside the "heavy" directories that a good
.dockerignore excludes (.git, .venv, node_modules, __pycache__, target, logs,
*.log, .env); at 300k files there are about 37,000 directories.

At the end it prints the counts (files, dirs, symlinks, apparent bytes, the
share inside heavy dirs) and, with --json FILE, writes them as JSON.
"""

import argparse
import json
import math
import os
import random
import shutil
import sys
import time

# --------------------------------------------------------------------------
# What a good .dockerignore for this tree looks like (no exceptions that
# reach into excluded directories).
GOOD_DOCKERIGNORE = """\
# Version control
.git

# Python
.venv
**/__pycache__

# Node
**/node_modules

# Rust
target

# Logs and local secrets
logs
**/*.log
.env
"""

HEAVY_TOP = {".git", ".venv", "target", "logs", ".env"}
HEAVY_ANY = {"node_modules", "__pycache__"}


def is_heavy(rel):
    parts = rel.split("/")
    if parts[0] in HEAVY_TOP:
        return True
    if any(p in HEAVY_ANY for p in parts):
        return True
    return parts[-1].endswith(".log")


# --------------------------------------------------------------------------
# Writer: creates entries and keeps the counts.

PREFIXES = {
    ".py": b"# -*- coding: utf-8 -*-\n",
    ".pyc": b"\xa7\r\r\n\x00\x00\x00\x00",
    ".js": b"'use strict';\n",
    ".mjs": b"export {};\n",
    ".cjs": b"'use strict';\n",
    ".ts": b"export {};\n",
    ".tsx": b"import React from 'react';\n",
    ".d.ts": b"export {};\n",
    ".json": b"{}\n",
    ".map": b'{"version":3}\n',
    ".md": b"# README\n",
    ".rs": b"//! module\n",
    ".toml": b"[package]\n",
    ".yml": b"---\n",
    ".yaml": b"---\n",
    ".log": b"2024-01-01T00:00:00Z INFO start\n",
    ".png": b"\x89PNG\r\n\x1a\n",
    ".so": b"\x7fELF\x02\x01\x01\x00",
    ".rlib": b"!<arch>\n",
    ".o": b"\x7fELF\x02\x01\x01\x00",
    ".css": b":root{}\n",
    ".sql": b"-- migration\n",
    ".txt": b"text\n",
    ".sh": b"#!/bin/sh\n",
}


class Writer:
    def __init__(self, root):
        self.root = root
        self.dirs = set()
        self.files = 0
        self.symlinks = 0
        self.bytes = 0
        self.heavy_files = 0
        self.heavy_dirs = 0
        self.big_files = 0

    def _mkdir(self, rel_dir):
        if not rel_dir or rel_dir in self.dirs:
            return
        parent = rel_dir.rpartition("/")[0]
        self._mkdir(parent)
        os.mkdir(os.path.join(self.root, rel_dir))
        self.dirs.add(rel_dir)
        # apparent size of a directory as du -sb counts it
        self.bytes += 4096
        if is_heavy(rel_dir):
            self.heavy_dirs += 1

    def file(self, rel, size):
        self._mkdir(rel.rpartition("/")[0])
        name = rel.rpartition("/")[2]
        ext = ".d.ts" if name.endswith(".d.ts") else os.path.splitext(name)[1]
        prefix = PREFIXES.get(ext, b"x\n")
        size = int(size)
        if size < len(prefix):
            prefix = prefix[:size]
        fd = os.open(os.path.join(self.root, rel), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            if prefix:
                os.write(fd, prefix)
            if size > len(prefix):
                os.ftruncate(fd, size)  # the rest is a hole
        finally:
            os.close(fd)
        self.files += 1
        self.bytes += size
        if size > 64 * 1024:
            self.big_files += 1
        if is_heavy(rel):
            self.heavy_files += 1

    def symlink(self, rel, target):
        self._mkdir(rel.rpartition("/")[0])
        os.symlink(target, os.path.join(self.root, rel))
        self.files += 1
        self.symlinks += 1
        self.bytes += len(target.encode())
        if is_heavy(rel):
            self.heavy_files += 1

    def apply(self, op):
        if op[0] == "f":
            self.file(op[1], op[2])
        else:
            self.symlink(op[1], op[2])


# --------------------------------------------------------------------------
# Helpers for names and sizes.

SYL = ["ba", "ko", "ri", "ta", "ne", "lo", "mi", "su", "va", "de", "pe", "zu",
       "cha", "gri", "flo", "tex", "mon", "quo", "xy", "lin", "dor", "bex", "jam", "wil"]
WORDS = ["core", "utils", "client", "server", "models", "views", "handlers", "config",
         "parser", "schema", "cache", "auth", "session", "router", "middleware", "events",
         "storage", "queue", "worker", "tasks", "metrics", "logging", "errors", "types",
         "helpers", "format", "encode", "decode", "stream", "buffer", "io", "net", "http",
         "compat", "backend", "frontend", "plugin", "loader", "registry", "resolver",
         "transform", "validate", "render", "template", "widgets", "forms", "admin",
         "api", "common", "shared", "base", "signals", "serializers", "fields", "query",
         "index", "search", "filters", "pagination", "mixins", "exceptions", "constants"]


def hexid(rng, n):
    return "%0*x" % (n, rng.getrandbits(4 * n))


def synth_name(rng, parts=(2, 3)):
    return "".join(rng.choice(SYL) for _ in range(rng.randint(*parts)))


def lognorm(rng, median, sigma, lo=1, hi=1 << 34):
    v = int(median * math.exp(rng.gauss(0, sigma)))
    return max(lo, min(hi, v))


def word(rng):
    return rng.choice(WORDS)


def unique(rng, taken, make):
    for _ in range(50):
        n = make()
        if n not in taken:
            taken.add(n)
            return n
    n = make() + str(len(taken))
    taken.add(n)
    return n


# --------------------------------------------------------------------------
# Components. Each is an endless generator of ("f", path, size) or
# ("l", path, target) operations, most important first; the driver takes
# exactly as many as the component's quota.

def python_package_tree(rng, base, depth, pycache=True, py_ver="311"):
    """A Python package directory: modules, their .pyc, subpackages."""
    n_mod = rng.randint(2, 11)
    names = set()
    mods = ["__init__"] + [unique(rng, names, lambda: word(rng) if rng.random() < 0.7 else synth_name(rng))
                           for _ in range(n_mod)]
    for m in mods:
        size = 0 if (m == "__init__" and rng.random() < 0.4) else lognorm(rng, 5000, 1.1, 50, 400_000)
        yield ("f", f"{base}/{m}.py", size)
        if pycache:
            yield ("f", f"{base}/__pycache__/{m}.cpython-{py_ver}.pyc", max(100, int(size * 0.8) + 200))
    if rng.random() < 0.15:
        yield ("f", f"{base}/py.typed", 0)
    if rng.random() < 0.1:
        for _ in range(rng.randint(1, 4)):
            yield ("f", f"{base}/{synth_name(rng)}.pyi", lognorm(rng, 3000, 1.0))
    if depth > 0:
        n_sub = rng.choice([0, 0, 1, 1, 2, 3, 4]) if depth > 1 else rng.choice([0, 0, 1, 2])
        for _ in range(n_sub):
            sub = unique(rng, names, lambda: word(rng))
            yield from python_package_tree(rng, f"{base}/{sub}", depth - 1, pycache, py_ver)


REAL_PY = ["numpy", "pandas", "django", "requests", "urllib3", "certifi", "idna",
           "charset_normalizer", "botocore", "boto3", "s3transfer", "jmespath", "dateutil",
           "six", "pytz", "sqlalchemy", "psycopg2", "celery", "kombu", "billiard", "vine",
           "redis", "pydantic", "pydantic_core", "fastapi", "starlette", "anyio", "sniffio",
           "uvicorn", "click", "h11", "httpx", "httpcore", "jinja2", "markupsafe", "werkzeug",
           "flask", "itsdangerous", "yaml", "cryptography", "cffi", "pycparser", "attrs",
           "setuptools", "pip", "wheel", "packaging", "typing_extensions", "pytest", "_pytest",
           "pluggy", "iniconfig", "coverage", "alembic", "mako", "greenlet", "grpc",
           "google", "protobuf", "rich", "pygments", "markdown_it", "mdurl", "tqdm",
           "scipy", "sklearn", "joblib", "threadpoolctl", "matplotlib", "PIL", "kiwisolver",
           "fontTools", "pyparsing", "cycler", "contourpy", "lxml", "bs4", "soupsieve",
           "gunicorn", "sentry_sdk", "structlog", "orjson", "ujson", "tenacity", "regex"]


def gen_venv(rng):
    v = ".venv"
    sp = f"{v}/lib/python3.11/site-packages"
    yield ("f", f"{v}/pyvenv.cfg", 190)
    yield ("l", f"{v}/bin/python", "/usr/local/bin/python3.11")
    yield ("l", f"{v}/bin/python3", "python")
    yield ("l", f"{v}/bin/python3.11", "python")
    yield ("l", f"{v}/lib64", "lib")
    for a in ["activate", "activate.csh", "activate.fish", "Activate.ps1"]:
        yield ("f", f"{v}/bin/{a}", lognorm(rng, 2200, 0.4))
    yield ("f", f"{sp}/distutils-precedence.pth", 151)
    taken = set()
    i = 0
    while True:
        if i < len(REAL_PY):
            name = REAL_PY[i]
            taken.add(name)
        else:
            name = unique(rng, taken, lambda: synth_name(rng, (2, 4)))
        i += 1
        ver = f"{rng.randint(0, 9)}.{rng.randint(0, 40)}.{rng.randint(0, 12)}"
        di = f"{sp}/{name}-{ver}.dist-info"
        for f, s in [("METADATA", lognorm(rng, 6000, 1.0)), ("RECORD", lognorm(rng, 9000, 1.2)),
                     ("WHEEL", 92), ("INSTALLER", 4), ("top_level.txt", len(name) + 1)]:
            yield ("f", f"{di}/{f}", s)
        if rng.random() < 0.6:
            yield ("f", f"{di}/LICENSE", lognorm(rng, 1500, 0.6))
        if rng.random() < 0.2:
            yield ("f", f"{di}/entry_points.txt", lognorm(rng, 200, 0.7))
            yield ("f", f"{v}/bin/{name.replace('_', '-')}", lognorm(rng, 230, 0.2))
        depth = 4 if name in ("numpy", "pandas", "django", "scipy", "sklearn", "botocore",
                              "matplotlib", "sqlalchemy", "google", "setuptools", "pip") else rng.choice([1, 2, 2, 3])
        reps = 6 if depth == 4 else 1
        for r in range(reps):
            base = f"{sp}/{name}" if r == 0 else f"{sp}/{name}/{word(rng)}{r}"
            yield from python_package_tree(rng, base, depth)
        if name in ("numpy", "pandas", "scipy", "pydantic_core", "orjson", "cryptography",
                    "psycopg2", "lxml", "PIL", "grpc", "greenlet", "regex") or rng.random() < 0.05:
            for _ in range(rng.randint(1, 6)):
                yield ("f", f"{sp}/{name}/_{synth_name(rng)}.cpython-311-x86_64-linux-gnu.so",
                       lognorm(rng, 900_000, 1.3, 20_000, 80_000_000))
        if name == "botocore":
            # botocore/data/<service>/<date>/*.json: lots of small dirs
            for _ in range(260):
                svc = synth_name(rng, (2, 4))
                date = f"20{rng.randint(12, 24)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
                yield ("f", f"{sp}/botocore/data/{svc}/{date}/service-2.json.gz", lognorm(rng, 40_000, 1.0))
                yield ("f", f"{sp}/botocore/data/{svc}/{date}/paginators-1.json", lognorm(rng, 800, 1.0))
                if rng.random() < 0.5:
                    yield ("f", f"{sp}/botocore/data/{svc}/{date}/waiters-2.json", lognorm(rng, 1500, 1.0))
                yield ("f", f"{sp}/botocore/data/{svc}/{date}/endpoint-rule-set-1.json.gz", lognorm(rng, 1200, 0.5))


REAL_NPM = ["react", "react-dom", "scheduler", "lodash", "typescript", "webpack", "esbuild",
            "vite", "rollup", "postcss", "tailwindcss", "eslint", "prettier", "jest", "chalk",
            "commander", "debug", "ms", "semver", "glob", "minimatch", "brace-expansion",
            "balanced-match", "yargs", "yargs-parser", "cliui", "express", "body-parser",
            "qs", "axios", "follow-redirects", "form-data", "mime-types", "mime-db", "uuid",
            "rxjs", "tslib", "core-js", "regenerator-runtime", "source-map", "source-map-js",
            "acorn", "ajv", "fast-deep-equal", "json-schema-traverse", "uri-js", "punycode",
            "picomatch", "micromatch", "braces", "fill-range", "to-regex-range", "is-number",
            "fast-glob", "@nodelib/fs.scandir", "@nodelib/fs.stat", "@nodelib/fs.walk",
            "@babel/core", "@babel/parser", "@babel/types", "@babel/traverse", "@babel/generator",
            "@babel/runtime", "@babel/helper-plugin-utils", "@types/node", "@types/react",
            "@types/react-dom", "@jest/core", "@jest/types", "@eslint/js", "next", "zod",
            "date-fns", "moment", "graphql", "prop-types", "classnames", "styled-components",
            "@emotion/react", "caniuse-lite", "browserslist", "electron-to-chromium",
            "node-releases", "update-browserslist-db", "nanoid", "picocolors", "cross-spawn",
            "which", "isexe", "signal-exit", "supports-color", "has-flag", "ansi-styles",
            "color-convert", "color-name", "strip-ansi", "ansi-regex", "string-width",
            "emoji-regex", "wrap-ansi", "@esbuild/linux-x64", "@rollup/rollup-linux-x64-gnu",
            "@swc/core", "@swc/core-linux-x64-gnu", "terser", "csstype", "js-tokens"]
NPM_BIN = {"typescript": ["tsc", "tsserver"], "webpack": ["webpack"], "esbuild": ["esbuild"],
           "vite": ["vite"], "rollup": ["rollup"], "eslint": ["eslint"], "prettier": ["prettier"],
           "jest": ["jest"], "semver": ["semver"], "uuid": ["uuid"], "acorn": ["acorn"],
           "next": ["next"], "terser": ["terser"], "browserslist": ["browserslist"],
           "tailwindcss": ["tailwind", "tailwindcss"], "glob": ["glob"], "nanoid": ["nanoid"],
           "which": ["node-which"], "@babel/parser": ["parser"], "update-browserslist-db":
           ["update-browserslist-db"], "postcss": [], "@swc/core": []}


def npm_dir(rng, base, depth, style):
    """One directory of a published npm package, recursively."""
    n = rng.randint(1, 10)
    taken = set()
    for _ in range(n):
        stem = unique(rng, taken, lambda: word(rng) if rng.random() < 0.6 else synth_name(rng))
        size = lognorm(rng, 2500, 1.2, 30, 3_000_000)
        if style == "dist":
            yield ("f", f"{base}/{stem}.js", size)
            yield ("f", f"{base}/{stem}.d.ts", lognorm(rng, 900, 1.0))
            if rng.random() < 0.5:
                yield ("f", f"{base}/{stem}.js.map", int(size * 1.6) + 50)
        elif style == "types":
            yield ("f", f"{base}/{stem}.d.ts", lognorm(rng, 4000, 1.2))
        else:
            yield ("f", f"{base}/{stem}.js", size)
    if depth > 0:
        for _ in range(rng.choice([0, 0, 1, 1, 2, 3])):
            sub = unique(rng, taken, lambda: word(rng))
            yield from npm_dir(rng, f"{base}/{sub}", depth - 1, style)


def npm_package(rng, nm, name, big=False):
    p = f"{nm}/{name}"
    yield ("f", f"{p}/package.json", lognorm(rng, 1800, 0.8))
    if rng.random() < 0.85:
        yield ("f", f"{p}/README.md", lognorm(rng, 5000, 1.1))
    if rng.random() < 0.9:
        yield ("f", f"{p}/LICENSE", lognorm(rng, 1100, 0.2))
    if rng.random() < 0.3:
        yield ("f", f"{p}/CHANGELOG.md", lognorm(rng, 20_000, 1.2))
    style = "types" if name.startswith("@types/") else rng.choice(["flat", "lib", "dist", "dist"])
    depth = 4 if big else rng.choice([0, 1, 1, 2, 2, 3])
    if style == "flat":
        yield ("f", f"{p}/index.js", lognorm(rng, 4000, 1.3))
        if depth > 1:
            yield from npm_dir(rng, f"{p}/lib", depth - 1, style)
    elif style == "lib":
        yield ("f", f"{p}/index.js", 80)
        yield from npm_dir(rng, f"{p}/lib", depth, style)
    elif style == "types":
        yield from npm_dir(rng, p, depth, style)
    else:
        for fmt in (["cjs", "esm"] if rng.random() < 0.5 else ["cjs"]):
            yield from npm_dir(rng, f"{p}/dist/{fmt}", depth, "dist")
    if big:
        for _ in range(3):
            yield from npm_dir(rng, f"{p}/{word(rng)}", 3, style if style != "types" else "flat")
    if "linux-x64" in name or name in ("esbuild", "@swc/core-linux-x64-gnu"):
        yield ("f", f"{p}/bin/{name.split('/')[-1]}.node" if "swc" in name or "rollup" in name
               else f"{p}/bin/esbuild", lognorm(rng, 9_000_000, 0.5, 1_000_000, 60_000_000))


def gen_node_modules(rng, nm, real_first=True, start_bins=True):
    """An endless node_modules: packages, nested node_modules, .bin links."""
    taken = set()
    i = 0
    real = list(REAL_NPM) if real_first else []
    if not real_first:
        real = rng.sample(REAL_NPM, 20)
    while True:
        if i < len(real):
            name = real[i]
        else:
            name = synth_name(rng, (2, 4))
            if rng.random() < 0.12:
                name = f"@{synth_name(rng, (2, 2))}/{name}"
        i += 1
        if name in taken:
            continue
        taken.add(name)
        big = name in ("typescript", "lodash", "core-js", "rxjs", "next", "@types/node", "date-fns", "@babel/traverse")
        yield from npm_package(rng, nm, name, big)
        bins = NPM_BIN.get(name, [synth_name(rng)] if rng.random() < 0.08 else [])
        for b in bins:
            yield ("f", f"{nm}/{name}/bin/{b}.js", lognorm(rng, 1500, 0.8))
            yield ("l", f"{nm}/.bin/{b}", f"../{name}/bin/{b}.js")
        # conflicting versions nest their own node_modules (deep trees)
        if rng.random() < 0.12:
            inner = f"{nm}/{name}/node_modules"
            for _ in range(rng.randint(1, 4)):
                dep = synth_name(rng, (2, 3))
                yield from npm_package(rng, inner, dep)
                if rng.random() < 0.25:
                    yield from npm_package(rng, f"{inner}/{dep}/node_modules", synth_name(rng, (2, 3)))


RUST_CRATES = ["serde", "serde_derive", "serde_json", "syn", "quote", "proc-macro2", "unicode-ident",
               "libc", "cfg-if", "memchr", "regex", "regex-syntax", "regex-automata", "aho-corasick",
               "tokio", "tokio-macros", "mio", "bytes", "futures", "futures-util", "futures-core",
               "pin-project-lite", "clap", "clap_builder", "clap_derive", "anyhow", "thiserror",
               "thiserror-impl", "log", "tracing", "tracing-core", "once_cell", "itoa", "ryu",
               "hashbrown", "indexmap", "smallvec", "rand", "rand_core", "getrandom", "parking_lot",
               "lock_api", "scopeguard", "crossbeam-utils", "rayon", "rayon-core", "hyper", "http",
               "h2", "rustls", "ring", "zstd-sys", "cc", "pkg-config", "openssl-sys", "bitflags"]
BUILD_SCRIPT = {"serde", "proc-macro2", "libc", "ring", "zstd-sys", "openssl-sys", "rayon-core",
                "thiserror", "anyhow", "crossbeam-utils", "parking_lot", "getrandom"}


def gen_target(rng):
    yield ("f", "target/CACHEDIR.TAG", 177)
    yield ("f", "target/.rustc_info.json", 1100)
    taken = set()
    i = 0
    workspace = ["app_core", "app_cli", "app_server"]
    for ws in workspace:
        for prof in ("debug", "release"):
            h = hexid(rng, 16)
            yield ("f", f"target/{prof}/{ws.replace('_', '-')}", lognorm(rng, 25_000_000, 0.6))
            yield ("f", f"target/{prof}/{ws.replace('_', '-')}.d", 900)
            yield ("f", f"target/{prof}/deps/{ws}-{h}", lognorm(rng, 25_000_000, 0.6))
    while True:
        if i < len(RUST_CRATES):
            crate = RUST_CRATES[i]
        else:
            crate = unique(rng, taken, lambda: synth_name(rng, (2, 3)).replace("x", "-"))
        i += 1
        c = crate.replace("-", "_")
        for prof in ("debug", "release"):
            h = hexid(rng, 16)
            t = f"target/{prof}"
            yield ("f", f"{t}/deps/lib{c}-{h}.rlib", lognorm(rng, 350_000, 1.2, 4000, 300_000_000))
            yield ("f", f"{t}/deps/lib{c}-{h}.rmeta", lognorm(rng, 150_000, 1.2))
            yield ("f", f"{t}/deps/{c}-{h}.d", lognorm(rng, 1500, 0.9))
            fp = f"{t}/.fingerprint/{crate}-{h}"
            yield ("f", f"{fp}/invoked.timestamp", 48)
            yield ("f", f"{fp}/lib-{c}", 16)
            yield ("f", f"{fp}/lib-{c}.json", lognorm(rng, 600, 0.5))
            yield ("f", f"{fp}/dep-lib-{c}", lognorm(rng, 200, 1.0))
            if crate in BUILD_SCRIPT or rng.random() < 0.15:
                h1, h2 = hexid(rng, 16), hexid(rng, 16)
                b1 = f"{t}/build/{crate}-{h1}"
                yield ("f", f"{b1}/build-script-build", lognorm(rng, 1_500_000, 0.5))
                yield ("f", f"{b1}/build_script_build-{h1}", lognorm(rng, 1_500_000, 0.5))
                yield ("f", f"{b1}/build_script_build-{h1}.d", 400)
                b2 = f"{t}/build/{crate}-{h2}"
                for f, s in [("invoked.timestamp", 48), ("output", lognorm(rng, 300, 1.0)),
                             ("root-output", 60), ("stderr", 0)]:
                    yield ("f", f"{b2}/{f}", s)
                for _ in range(rng.choice([0, 0, 1, 3, 12])):
                    yield ("f", f"{b2}/out/{synth_name(rng)}.rs", lognorm(rng, 8000, 1.5))
                fp2 = f"{t}/.fingerprint/{crate}-{h2}"
                yield ("f", f"{fp2}/run-build-script-build-script-build", 16)
                yield ("f", f"{fp2}/run-build-script-build-script-build.json", 300)
        # incremental caches for workspace-like crates, debug only
        if rng.random() < 0.06:
            inc = f"target/debug/incremental/{c}-{hexid(rng, 13)}/s-{hexid(rng, 10)}-{hexid(rng, 7)}-working"
            for f in ("dep-graph.bin", "query-cache.bin", "work-products.bin"):
                yield ("f", f"{inc}/{f}", lognorm(rng, 2_000_000, 1.0))
            for _ in range(rng.randint(16, 128)):
                yield ("f", f"{inc}/{hexid(rng, 8)}-cgu.{rng.randint(0, 255):02x}.rcgu.o", lognorm(rng, 25_000, 1.2))


def gen_git(rng):
    g = ".git"
    for f, s in [("HEAD", 21), ("config", 320), ("description", 73), ("FETCH_HEAD", 120),
                 ("ORIG_HEAD", 41), ("COMMIT_EDITMSG", 40), ("packed-refs", 24_000),
                 ("info/exclude", 240), ("refs/heads/main", 41), ("refs/remotes/origin/HEAD", 32),
                 ("logs/HEAD", 180_000), ("logs/refs/heads/main", 90_000)]:
        yield ("f", f"{g}/{f}", s)
    yield ("f", f"{g}/index", 2_400_000)
    yield ("f", f"{g}/objects/pack/pack-{hexid(rng, 40)}.pack", 380_000_000)
    yield ("f", f"{g}/objects/pack/pack-{hexid(rng, 40)}.idx", 9_000_000)
    yield ("f", f"{g}/objects/pack/pack-{hexid(rng, 40)}.rev", 1_100_000)
    yield ("f", f"{g}/objects/info/packs", 54)
    for hook in ["applypatch-msg", "commit-msg", "fsmonitor-watchman", "post-update",
                 "pre-applypatch", "pre-commit", "pre-merge-commit", "pre-push", "pre-rebase",
                 "pre-receive", "prepare-commit-msg", "push-to-checkout", "update"]:
        yield ("f", f"{g}/hooks/{hook}.sample", lognorm(rng, 1500, 0.6))
    for _ in range(12):
        b = f"feature/{synth_name(rng)}"
        yield ("f", f"{g}/refs/heads/{b}", 41)
        yield ("f", f"{g}/logs/refs/heads/{b}", lognorm(rng, 2000, 1.0))
    while True:  # loose objects
        yield ("f", f"{g}/objects/{hexid(rng, 2)}/{hexid(rng, 38)}", lognorm(rng, 400, 1.6, 20, 5_000_000))


def gen_logs(rng):
    yield ("f", "logs/app.log", lognorm(rng, 40_000_000, 0.8))
    i = 1
    while True:
        if i <= 9:
            yield ("f", f"logs/app.log.{i}", lognorm(rng, 50_000_000, 0.3))
        else:
            yield ("f", f"logs/access-2024-{(i % 12) + 1:02d}-{(i % 28) + 1:02d}-{i}.log", lognorm(rng, 1_500_000, 1.0))
        i += 1


def gen_source(rng, ignore):
    """The project's own files: everything a good .dockerignore keeps."""
    root_files = [("Dockerfile", 1400), ("docker-compose.yml", 2600), ("README.md", 9000),
                  ("Makefile", 2300), (".gitignore", 600), (".editorconfig", 250),
                  ("package.json", 2100), ("package-lock.json", 1_600_000), ("Cargo.toml", 700),
                  ("Cargo.lock", 95_000), ("pyproject.toml", 1800), ("requirements.txt", 900),
                  (".env.example", 700), ("LICENSE", 1080), ("tsconfig.base.json", 600)]
    for f, s in root_files:
        yield ("f", f, s)
    yield ("f", ".env", 950)  # a secret the good ignore file keeps out
    yield ("f", "services/api/Dockerfile", 900)
    yield ("f", "services/api/pyproject.toml", 1500)
    yield ("f", ".github/workflows/ci.yml", 3200)
    yield ("f", ".github/workflows/release.yml", 2100)

    subs = [gen_py_app(rng), gen_js_workspaces(rng), gen_rust_src(rng), gen_docs_assets(rng)]
    weights = [0.42, 0.36, 0.10, 0.12]
    while True:
        k = rng.choices(range(len(subs)), weights)[0]
        yield next(subs[k])


def gen_py_app(rng):
    base = "services/api"
    top = ["app", "app/api", "app/api/v1", "app/api/v2", "app/models", "app/services",
           "app/workers", "app/db", "app/core", "tests", "tests/unit", "tests/integration",
           "migrations/versions", "scripts"]
    while True:
        for t in top:
            yield from python_package_tree(rng, f"{base}/{t}/{word(rng)}{rng.randint(0, 99)}", 2)


def gen_js_workspaces(rng):
    pkgs = ["web", "admin", "api-gateway", "ui", "shared", "config", "utils", "mobile", "docs-site", "sdk"]
    gens = []
    for p in pkgs:
        gens.append(js_package_src(rng, f"packages/{p}"))
    while True:
        yield next(rng.choice(gens))


def js_package_src(rng, base):
    yield ("f", f"{base}/package.json", lognorm(rng, 1200, 0.4))
    yield ("f", f"{base}/tsconfig.json", 300)
    yield ("f", f"{base}/README.md", lognorm(rng, 2000, 0.8))
    while True:
        d = f"{base}/src/{word(rng)}/{word(rng)}{rng.randint(0, 999)}"
        for _ in range(rng.randint(2, 8)):
            stem = synth_name(rng).capitalize()
            ext = rng.choice([".tsx", ".tsx", ".ts", ".ts", ".css", ".test.tsx"])
            yield ("f", f"{d}/{stem}{ext}", lognorm(rng, 3000, 1.0))
        if rng.random() < 0.1:
            yield ("f", f"{base}/public/{synth_name(rng)}.png", lognorm(rng, 90_000, 1.5))


def gen_rust_src(rng):
    crates = ["core", "cli", "server"]
    for c in crates:
        yield ("f", f"crates/{c}/Cargo.toml", 800)
        yield ("f", f"crates/{c}/src/lib.rs", lognorm(rng, 6000, 0.8))
    while True:
        c = rng.choice(crates)
        d = f"crates/{c}/src/{word(rng)}"
        for _ in range(rng.randint(3, 10)):
            yield ("f", f"{d}/{synth_name(rng)}.rs", lognorm(rng, 7000, 1.0))


def gen_docs_assets(rng):
    while True:
        r = rng.random()
        if r < 0.3:
            d = f"docs/{word(rng)}/{word(rng)}"
            for _ in range(rng.randint(2, 8)):
                yield ("f", f"{d}/{synth_name(rng)}.md", lognorm(rng, 6000, 1.0))
        elif r < 0.5:
            d = f"assets/{rng.choice(['img', 'icons', 'fonts', 'video'])}/{word(rng)}"
            for _ in range(rng.randint(2, 12)):
                ext = rng.choice([".png", ".png", ".svg", ".svg", ".jpg", ".woff2", ".mp4"] if rng.random() < 0.2 else [".png", ".svg", ".svg", ".jpg"])
                med = {".png": 60_000, ".svg": 3000, ".jpg": 200_000, ".woff2": 40_000, ".mp4": 2_000_000}[ext]
                yield ("f", f"{d}/{synth_name(rng)}{ext}", lognorm(rng, med, 1.2))
        elif r < 0.7:
            d = f"fixtures/{word(rng)}"
            for _ in range(rng.randint(3, 15)):
                yield ("f", f"{d}/{synth_name(rng)}.json", lognorm(rng, 12_000, 1.6))
        elif r < 0.85:
            d = f"config/{word(rng)}"
            for _ in range(rng.randint(1, 5)):
                yield ("f", f"{d}/{synth_name(rng)}.yaml", lognorm(rng, 1500, 0.8))
        else:
            yield ("f", f"scripts/{synth_name(rng)}.sh", lognorm(rng, 1800, 0.8))


# Share of the files each component gets. The py-app component also writes
# its own __pycache__ (heavy), so the heavy share ends near 93%.
SHARES = [
    ("git", 0.112),
    ("venv", 0.262),
    ("node_root", 0.305),
    ("node_pkgs", 0.095),
    ("target", 0.14),
    ("logs", 0.0005),
    ("source", None),  # the rest
]


def build(out, n_files, seed, ignore):
    rng = random.Random(seed)
    w = Writer(out)
    comps = {
        "git": gen_git(random.Random(rng.random())),
        "venv": gen_venv(random.Random(rng.random())),
        "node_root": gen_node_modules(random.Random(rng.random()), "node_modules"),
        "target": gen_target(random.Random(rng.random())),
        "logs": gen_logs(random.Random(rng.random())),
        "source": gen_source(random.Random(rng.random()), ignore),
    }
    nrng = random.Random(rng.random())
    pkg_nms = [gen_node_modules(random.Random(nrng.random()), f"packages/{p}/node_modules", real_first=False)
               for p in ["web", "admin", "api-gateway", "ui", "shared", "config", "utils", "mobile", "docs-site", "sdk"]]

    def node_pkgs():
        # workspace symlinks in the root node_modules, then per-package trees
        for p in ["web", "admin", "api-gateway", "ui", "shared"]:
            yield ("l", f"node_modules/@acme/{p}", f"../../packages/{p}")
        while True:
            yield next(nrng.choice(pkg_nms))
    comps["node_pkgs"] = node_pkgs()

    if ignore == "good":
        w.file(".dockerignore", len(GOOD_DOCKERIGNORE))
        with open(os.path.join(out, ".dockerignore"), "w") as f:
            f.write(GOOD_DOCKERIGNORE)

    quotas = {}
    rest = n_files - w.files
    for name, share in SHARES:
        if share is not None:
            quotas[name] = int(round(share * n_files))
    quotas["source"] = max(0, rest - sum(quotas.values()))
    if n_files < 2000:
        # tiny projects: mostly source, a little of each heavy thing
        small = {"git": 0.15, "venv": 0.1, "node_root": 0.1, "node_pkgs": 0.0, "target": 0.05, "logs": 0.01}
        for k, v in small.items():
            quotas[k] = int(v * n_files)
        quotas["source"] = max(0, rest - sum(quotas[k] for k in small))

    # source first so that the root files always exist, then the heavy parts
    order = ["source", "git", "venv", "node_root", "node_pkgs", "target", "logs"]
    for name in order:
        g = comps[name]
        done = 0
        while done < quotas[name]:
            op = next(g)
            if os.path.lexists(os.path.join(out, op[1])):
                continue  # rare name collisions: take the next one
            try:
                w.apply(op)
            except (FileExistsError, NotADirectoryError):
                continue  # a path component exists as a file
            done += 1
    return w


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--files", type=int, default=50000, help="number of files (non-directories) to create")
    ap.add_argument("--out", required=True, help="output directory (must not exist, or use --force)")
    ap.add_argument("--ignore", choices=["good", "none"], default="good", help="write a good .dockerignore or none")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--force", action="store_true", help="delete --out first if it exists")
    ap.add_argument("--json", metavar="FILE", help="also write the counts as JSON to FILE")
    a = ap.parse_args()

    if os.path.lexists(a.out):
        if not a.force:
            sys.exit(f"gen_tree: {a.out} exists (use --force to replace it)")
        shutil.rmtree(a.out)
    os.makedirs(a.out)
    t0 = time.monotonic()
    w = build(a.out, a.files, a.seed, a.ignore)
    dt = time.monotonic() - t0
    ndirs = len(w.dirs)
    counts = {
        "files": w.files, "symlinks": w.symlinks, "dirs": ndirs, "apparent_bytes": w.bytes,
        "heavy_files": w.heavy_files, "heavy_dirs": w.heavy_dirs,
        "heavy_file_pct": round(100.0 * w.heavy_files / max(1, w.files), 2),
        "files_over_64k": w.big_files, "seed": a.seed, "ignore": a.ignore,
        "seconds": round(dt, 1),
    }
    print(f"gen_tree: {a.out}: {w.files} files ({w.symlinks} symlinks), {ndirs} dirs "
          f"(+ root), {w.bytes} apparent bytes ({w.bytes / 1e9:.2f} GB); "
          f"{counts['heavy_file_pct']}% of files in heavy dirs; {dt:.1f}s")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(counts, f, indent=2)
            f.write("\n")


if __name__ == "__main__":
    main()
