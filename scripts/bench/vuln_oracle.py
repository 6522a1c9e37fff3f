#!/usr/bin/env python3
"""The findings the benchmark data of scripts/bench-vuln.sh must give, recomputed plainly.

gen_bench (crates/tekigo-vulndb/examples/gen_bench.rs) writes versions of three simple
shapes: `M.m.p-R` (Debian), `M.m.p-rR` (Alpine) and `M.m.p` (the others), so each
compares as a tuple of integers in every ecosystem's rules, and each record has one
ECOSYSTEM range (`introduced` 0 or a version, `fixed`) and a few listed versions. A
component is affected when an advisory of its ecosystem and name lists its version or
has it in [introduced, fixed). Each finding is keyed by the component's PURL and the
record's CVE alias (unique per ecosystem), so tools that report CVEs and tools that
report OSV ids can both be checked.

    vuln_oracle.py truth DIR            -> JSON list of [purl, cve] (stdout)
    vuln_oracle.py compare DIR NAME FILE  FILE: JSON list of [purl, id or cve]
"""
import json
import re
import sys
import zipfile

ECOSYSTEMS = ["Debian:12", "Alpine:v3.19", "PyPI", "npm", "crates.io", "Maven", "Go"]


def key(version):
    nums = [int(x) for x in re.findall(r"\d+", version)]
    return tuple(nums)


def advisories(directory):
    """(ecosystem, name) -> list of (id, cve, introduced, fixed, listed)."""
    by_package = {}
    for n in range(len(ECOSYSTEMS)):
        with zipfile.ZipFile(f"{directory}/osv-{n}.zip") as z:
            for entry in z.namelist():
                rec = json.loads(z.read(entry))
                aff = rec["affected"][0]
                ev = aff["ranges"][0]["events"]
                intro = ev[0]["introduced"]
                by_package.setdefault((aff["package"]["ecosystem"], aff["package"]["name"]), []).append(
                    (rec["id"], rec["aliases"][0],
                     None if intro == "0" else key(intro), key(ev[1]["fixed"]),
                     {key(v) for v in aff.get("versions", [])}))
    return by_package


def truth(directory):
    by_package = advisories(directory)
    sbom = json.load(open(f"{directory}/sbom.cdx.json"))
    found = set()
    for c in sbom["components"]:
        eco = next(p["value"] for p in c["properties"] if p["name"] == "ecosystem")
        purl = c["purl"]
        version = key(purl.split("@", 1)[1].split("?", 1)[0])
        name = c["name"]
        if eco == "Maven":
            name = f"org.bench:{name}"
        elif eco == "Go":
            name = f"example.com/bench/{name}"
        for (_id, cve, intro, fixed, listed) in by_package.get((eco, name), []):
            if version in listed or ((intro is None or intro <= version) and version < fixed):
                found.add((purl, cve))
    return found, {i: cve for recs in by_package.values() for (i, cve, *_r) in recs}


def main():
    if sys.argv[1] == "truth":
        found, _ = truth(sys.argv[2])
        json.dump(sorted(found), sys.stdout)
        return
    _, directory, name, path = sys.argv[1:]
    want, cve_of = truth(directory)
    got = {(purl, cve_of.get(i, i)) for purl, i in json.load(open(path))}
    fp, miss = got - want, want - got
    print(f"{name}: {len(got)} findings, expected {len(want)}: "
          f"{len(fp)} false positives, {len(miss)} misses")
    for label, items in (("false positive", fp), ("miss", miss)):
        for purl, cve in sorted(items)[:3]:
            print(f"  e.g. {label}: {purl} {cve}")


if __name__ == "__main__":
    main()
