#!/usr/bin/env python3
"""Two or more builds of `tekigo` compared on one `vuln scan`, run in turns.

    scripts/bench/ab_scan.py RUNS DB SBOM[:parse] BIN...

Each round runs every binary once, one after the other, so that a machine whose speed drifts
(other work, the page cache) shifts every binary alike; three rounds are warm-up. Prints the
median and mean wall time and CPU time (user + system, from wait4) of each binary. `SBOM:parse`
times `--parse-only` instead of a JSON scan to /dev/null. Used for the A/B figures of
docs/PERFORMANCE.md (issue 20), where the spread of hyperfine runs taken minutes apart was as
large as the differences measured.
"""
import os
import statistics
import sys
import time


def main():
    runs, db, sbom, bins = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4:]
    parse = sbom.endswith(":parse")
    sbom = sbom.removesuffix(":parse")
    mode = ["--parse-only"] if parse else ["--format", "json", "-o", "/dev/null"]
    times = {b: ([], []) for b in bins}
    null = os.open(os.devnull, os.O_WRONLY)
    for round_ in range(runs + 3):
        for b in bins:
            args = [b, "vuln", "scan", sbom, "--db", db, *mode]
            start = time.perf_counter()
            pid = os.posix_spawn(b, args, os.environ, file_actions=[(os.POSIX_SPAWN_DUP2, null, 1)])
            _, status, usage = os.wait4(pid, 0)
            wall = time.perf_counter() - start
            if os.waitstatus_to_exitcode(status) != 0:
                sys.exit(f"{b} failed: {' '.join(args)}")
            if round_ >= 3:
                times[b][0].append(wall * 1000)
                times[b][1].append((usage.ru_utime + usage.ru_stime) * 1000)
    for b, (wall, cpu) in times.items():
        print(
            f"{b}: wall median {statistics.median(wall):.1f} ms, mean {statistics.mean(wall):.1f}; "
            f"CPU median {statistics.median(cpu):.1f} ms, mean {statistics.mean(cpu):.1f}"
        )


if __name__ == "__main__":
    main()
