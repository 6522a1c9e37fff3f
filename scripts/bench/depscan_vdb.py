#!/usr/bin/env python3
"""OWASP dep-scan's vulnerability database (PyPI `appthreat-vulnerability-db`, `vdb`) on the
benchmark data of scripts/bench-vuln.sh, driven through its own code with only the
download replaced: its OSV importer reads the local zips where it would fetch osv.dev's.

    VDB_HOME=DIR depscan_vdb.py import ZIPDIR   # `vdb --cache --only-osv`, zips from ZIPDIR
    VDB_HOME=DIR depscan_vdb.py search SBOM OUT # its bulk search (`--search-packages`)

Run it with the interpreter of a venv holding appthreat-vulnerability-db
(scripts/bench-vuln.sh makes one under ~/.cache/tekigo). `search` writes a JSON list of
[purl, vulnerability id] for vuln_oracle.py.
"""
import json
import os
import sys

# The feed each gen_bench zip stands in for (vdb's OSV_URL_DICT keys).
FEEDS = {"debian": 0, "alpine": 1, "python": 2, "javascript": 3, "rust": 4, "java": 5, "go": 6}


class LocalResponse:
    def __init__(self, path):
        self.path = path

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def iter_bytes(self, chunk_size=1 << 20):
        with open(self.path, "rb") as f:
            while chunk := f.read(chunk_size):
                yield chunk


class LocalClient:
    """Stands in for httpx.Client: the feeds of the benchmark from ZIPDIR, the others absent
    (vdb skips a feed whose download fails)."""

    urls = {}

    def __init__(self, *args, **kwargs):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def stream(self, method, url):
        if url not in self.urls:
            raise OSError(f"not in the benchmark data: {url}")
        return LocalResponse(self.urls[url])


def do_import(zipdir):
    from vdb import cli
    from vdb.lib import config, osv

    LocalClient.urls = {
        config.OSV_URL_DICT[k]: os.path.join(zipdir, f"osv-{n}.zip") for k, n in FEEDS.items()
    }
    osv.httpx.Client = LocalClient
    sys.argv = ["vdb", "--cache", "--only-osv", "--no-split", "--quiet"]
    cli.main()


def do_search(sbom_path, out_path):
    from vdb.lib import config, search

    config.VDB_QUIET = True
    sbom = json.load(open(sbom_path))
    locators = [{"purl": c["purl"]} for c in sbom["components"] if c.get("purl")]
    pairs = []
    for batch in search.search_packages_batched(locators, with_data=False):
        for component in batch:
            purl = (component.get("locator") or component).get("purl")
            for hit in component.get("results") or []:
                pairs.append([purl, hit.get("cve_id") or hit.get("id")])
    json.dump(pairs, open(out_path, "w"))
    print(f"{len(locators)} components, {len(pairs)} findings")


if __name__ == "__main__":
    if sys.argv[1] == "import":
        do_import(sys.argv[2])
    else:
        do_search(sys.argv[2], sys.argv[3])
