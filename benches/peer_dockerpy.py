#!/usr/bin/env python3
"""Peer: docker-py's build-context walk (docker.utils.build.exclude_paths).

    python peer_dockerpy.py TREE [--no-ignore] [--detail]

Reads TREE/.dockerignore exactly as docker-py's APIClient.build() does
(strip lines, drop empty lines and lines starting with '#') unless
--no-ignore, then calls exclude_paths(TREE, patterns), which walks the tree
(pruning excluded directories unless an exception could re-include
something below them) and returns the set of kept paths, directories
included. Prints the number of kept paths. --detail (untimed cross-check)
also prints how many of them are non-directories, which should equal the
line count of `ctxsize ls TREE`.
"""
import os
import sys

from docker.utils.build import exclude_paths


def read_dockerignore(root):
    # Same filter as docker/api/build.py (docker-py 7.x).
    path = os.path.join(root, ".dockerignore")
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return list(filter(lambda x: x != "" and x[0] != "#",
                           [line.strip() for line in f.read().splitlines()]))


def main():
    args = sys.argv[1:]
    root = args[0]
    patterns = [] if "--no-ignore" in args else read_dockerignore(root)
    paths = exclude_paths(root, patterns)
    if "--detail" in args:
        files = sum(1 for p in paths
                    if os.path.islink(os.path.join(root, p)) or not os.path.isdir(os.path.join(root, p)))
        print(f"paths={len(paths)} files={files}")
    else:
        print(len(paths))


if __name__ == "__main__":
    main()
