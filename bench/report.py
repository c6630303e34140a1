#!/usr/bin/env python3
"""bench/report.py: turns the driver's JSON lines into the table and the results JSON.

  report.py --out FILE.json [--meta key=value]... [--runtimes burrow,crun,runc] RAW.jsonl...

Each table cell is "median (min-max)" over the samples; the ratio columns divide
burrow's median by crun's and by the floor's. A figure a runtime could not do is
"n/a" and its first error is listed under the table.
"""
import argparse
import json
import math
import statistics
import sys

COLS = ["burrow", "crun", "runc", "floor"]
# Figures of burrow's own options ("variant" in the driver's tag): the others show "-".
BURROW_ONLY = {"run+overlay", "run+overlay-fuse", "run+slirp4netns", "run+image", "serial+overlay", "serial+image",
               "serial+image-lz4", "run+disk", "run+overlay-disk"}

# (figure, metric, unit, scale from the raw unit, label); {n} is the container count.
ROWS = [
    ("run", "wall_us", "ms", 1e-3, "run /bin/true, wall"),
    ("run", "cpu_us", "ms", 1e-3, "run /bin/true, CPU (user+sys)"),
    ("run", "maxrss_kb", "MiB", 1 / 1024, "run /bin/true, peak RSS"),
    ("run+switched", "cpu_us", "ms", 1e-3, "the same started as slurmstepd/sudo -u do, CPU"),
    ("run+switched", "maxrss_kb", "MiB", 1 / 1024, "the same started as slurmstepd/sudo -u do, peak RSS"),
    ("run+overlay", "wall_us", "ms", 1e-3, "run --overlay /bin/true, wall"),
    ("run+overlay", "cpu_us", "ms", 1e-3, "run --overlay /bin/true, CPU"),
    ("run+overlay", "maxrss_kb", "MiB", 1 / 1024, "run --overlay /bin/true, peak RSS"),
    ("run+overlay-fuse", "wall_us", "ms", 1e-3, "run --overlay (fuse-overlayfs), wall"),
    ("run+overlay-fuse", "cpu_us", "ms", 1e-3, "run --overlay (fuse-overlayfs), CPU"),
    ("run+disk", "cpu_us", "ms", 1e-3, "run, state directory on this VM's disk, CPU"),
    ("run+overlay-disk", "cpu_us", "ms", 1e-3, "run --overlay, state directory on this VM's disk, CPU"),
    ("run+image", "wall_us", "ms", 1e-3, "run --image (squashfs), wall"),
    ("run+image", "cpu_us", "ms", 1e-3, "run --image (squashfs), CPU"),
    ("run+image", "maxrss_kb", "MiB", 1 / 1024, "run --image (squashfs), peak RSS"),
    ("run+slirp4netns", "wall_us", "ms", 1e-3, "run --network slirp4netns, wall"),
    ("run+slirp4netns", "cpu_us", "ms", 1e-3, "run --network slirp4netns, CPU"),
    ("run+slirp4netns", "maxrss_kb", "MiB", 1 / 1024, "run --network slirp4netns, peak RSS"),
    ("create", "wall_us", "ms", 1e-3, "create, wall"),
    ("create", "cpu_us", "ms", 1e-3, "create, CPU (incl. init)"),
    ("state", "wall_us", "ms", 1e-3, "state, wall"),
    ("state", "cpu_us", "ms", 1e-3, "state, CPU"),
    ("start", "wall_us", "ms", 1e-3, "start, wall"),
    ("start", "cpu_us", "ms", 1e-3, "start, CPU (incl. init)"),
    ("delete", "wall_us", "ms", 1e-3, "delete, wall"),
    ("delete", "cpu_us", "ms", 1e-3, "delete, CPU"),
    ("exec", "wall_us", "ms", 1e-3, "exec /bin/true, wall"),
    ("exec", "cpu_us", "ms", 1e-3, "exec /bin/true, CPU"),
    ("exec", "maxrss_kb", "MiB", 1 / 1024, "exec /bin/true, peak RSS"),
    ("run+seccomp", "cpu_us", "ms", 1e-3, "run, podman's default seccomp profile, CPU"),
    ("exec+seccomp", "cpu_us", "ms", 1e-3, "exec, podman's default seccomp profile, CPU"),
    ("serial", "wall_us", "s", 1e-6, "{n} back to back, wall"),
    ("serial", "cpu_us", "s", 1e-6, "{n} back to back, CPU"),
    ("serial+overlay", "wall_us", "s", 1e-6, "{n} back to back --overlay (directory), wall"),
    ("serial+overlay", "cpu_us", "s", 1e-6, "{n} back to back --overlay (directory), CPU"),
    ("serial+image", "wall_us", "s", 1e-6, "{n} back to back --image (squashfs), wall"),
    ("serial+image", "cpu_us", "s", 1e-6, "{n} back to back --image (squashfs), CPU"),
    ("serial+image-lz4", "wall_us", "s", 1e-6, "{n} back to back --image (squashfs, lz4), wall"),
    ("serial+image-lz4", "cpu_us", "s", 1e-6, "{n} back to back --image (squashfs, lz4), CPU"),
    ("parallel", "wall_us", "ms", 1e-3, "{n} at once, wall"),
    ("parallel", "cpu_us", "ms", 1e-3, "{n} at once, CPU"),
]


def stats(values):
    v = sorted(values)
    n = len(v)

    def pct(p):
        if n == 1:
            return v[0]
        k = (n - 1) * p
        lo, hi = math.floor(k), math.ceil(k)
        return v[lo] + (v[hi] - v[lo]) * (k - lo)

    return {
        "n": n,
        "median": statistics.median(v),
        "min": v[0],
        "max": v[-1],
        "mean": statistics.fmean(v),
        "stddev": statistics.stdev(v) if n > 1 else 0.0,
        "p10": pct(0.10),
        "p90": pct(0.90),
    }


def fmt(x):
    if x is None:
        return "n/a"
    a = abs(x)
    if a >= 100:
        return f"{x:.0f}"
    if a >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--meta", action="append", default=[])
    ap.add_argument("--runtimes", default="burrow,crun,runc")
    ap.add_argument("raw", nargs="*")
    a = ap.parse_args()

    meta = {}
    for m in a.meta:
        k, _, v = m.partition("=")
        meta[k] = v
    wanted = [r for r in a.runtimes.split(",") if r] + ["floor"]

    records = []
    for path in a.raw:
        with open(path) as f:
            for line in f:
                line = line.strip()
                if not line:
                    continue
                try:
                    records.append(json.loads(line))
                except json.JSONDecodeError as e:
                    print(f"report: {path}: bad line ({e}): {line[:120]}", file=sys.stderr)

    # systemd: rootless `run --systemd-cgroup`; systemd-base: plain `run` in the same place.
    modes = [m for m in ("rootless", "root", "systemd", "systemd-base") if any(r.get("mode") == m for r in records)]
    # samples[mode][runtime][figure] = list of records; errors likewise
    samples, errors, counts = {}, {}, {}
    for r in records:
        mode, rt, fig = r.get("mode"), r.get("runtime"), r.get("figure")
        if r.get("variant"):
            fig = f"{fig}+{r['variant']}"
        if "error" in r:
            errors.setdefault(mode, {}).setdefault(rt, {}).setdefault(fig, []).append(r["error"])
        else:
            samples.setdefault(mode, {}).setdefault(rt, {}).setdefault(fig, []).append(r)
            if "count" in r:
                counts[fig] = r["count"]
            if r.get("failed"):
                errors.setdefault(mode, {}).setdefault(rt, {}).setdefault(fig, []).append(
                    f"{r['failed']} of {r['count']} failed: {r.get('first_error', '')}")

    results = {}
    for mode in modes:
        for rt in wanted:
            figs = samples.get(mode, {}).get(rt, {})
            out = {}
            for fig, recs in figs.items():
                out[fig] = {"samples": len(recs)}
                for metric in ("wall_us", "cpu_us", "user_us", "sys_us", "maxrss_kb"):
                    vals = [x[metric] for x in recs if metric in x]
                    if vals:
                        out[fig][metric] = stats(vals)
                if "count" in recs[0]:
                    out[fig]["count"] = recs[0]["count"]
            errs = errors.get(mode, {}).get(rt, {})
            for fig, msgs in errs.items():
                out.setdefault(fig, {})["errors"] = msgs
            results.setdefault(mode, {})[rt] = out

    def value(mode, rt, fig, metric):
        st = results.get(mode, {}).get(rt, {}).get(fig, {}).get(metric)
        return st

    table = []
    lines = []
    notes_overlay = []
    header = ["figure", "unit"] + COLS + ["burrow/crun", "burrow/floor"]
    for mode in modes:
        lines.append("")
        lines.append(f"== {mode} ==")
        rows = []
        for fig, metric, unit, scale, label in ROWS:
            if fig in BURROW_ONLY and not value(mode, "burrow", fig, metric):
                continue
            if mode.startswith("systemd") and fig != "run":
                continue  # the systemd path is measured on `run` alone
            if fig == "run+switched" and mode != "rootless":
                continue  # a start by root switching to the user is a rootless start
            label = label.format(n=counts.get(fig, "?"))
            row = {"mode": mode, "figure": fig, "metric": metric, "unit": unit, "label": label}
            cells = [label, unit]
            meds = {}
            for rt in COLS:
                st = value(mode, rt, fig, metric) if rt in wanted else None
                if st is None:
                    row[rt] = None
                    applies = rt != "floor" or fig in ("run", "run+switched", "serial", "parallel")
                    cells.append("n/a" if rt in wanted and applies and fig not in BURROW_ONLY else "-")
                    continue
                med, lo, hi = st["median"] * scale, st["min"] * scale, st["max"] * scale
                meds[rt] = med
                row[rt] = {"median": med, "min": lo, "max": hi, "stddev": st["stddev"] * scale,
                           "p10": st["p10"] * scale, "p90": st["p90"] * scale, "n": st["n"]}
                mark = "!" if errors.get(mode, {}).get(rt, {}).get(fig) else ""
                cells.append(f"{fmt(med)} ({fmt(lo)}-{fmt(hi)}){mark}" if st["n"] > 1 else f"{fmt(med)}{mark}")
            for other, key in (("crun", "burrow/crun"), ("floor", "burrow/floor")):
                if "burrow" in meds and other in meds and meds[other] > 0:
                    row[key] = meds["burrow"] / meds[other]
                    cells.append(f"{row[key]:.2f}x")
                else:
                    row[key] = None
                    cells.append("n/a" if other in wanted and "burrow" in wanted and fig not in BURROW_ONLY else "-")
            table.append(row)
            rows.append(cells)
        plain = results.get(mode, {}).get("burrow", {}).get("run", {})
        for fig in ("run+overlay", "run+overlay-fuse", "run+image"):
            ov = results.get(mode, {}).get("burrow", {}).get(fig, {})
            if "cpu_us" in ov and "cpu_us" in plain:
                ratios = ", ".join(f"{m[:-3]} {ov[m]['median'] / plain[m]['median']:.2f}x"
                                   for m in ("wall_us", "cpu_us") if m in ov and m in plain)
                notes_overlay.append(f"  {mode}: burrow {fig.replace('run+', 'run --').replace('-fuse', ' (fuse)')}"
                                     f" / plain run: {ratios}")
        # The same pair with the state directory on this VM's disk (the others: a tmpfs, as
        # logind's XDG_RUNTIME_DIR on a systemd host), and the plain run there against the tmpfs.
        dplain = results.get(mode, {}).get("burrow", {}).get("run+disk", {})
        dov = results.get(mode, {}).get("burrow", {}).get("run+overlay-disk", {})
        if "cpu_us" in dov and "cpu_us" in dplain:
            notes_overlay.append(f"  {mode}: burrow run --overlay / plain run, both with the state directory on this"
                                 f" VM's disk: cpu {dov['cpu_us']['median'] / dplain['cpu_us']['median']:.2f}x")
        if "cpu_us" in dplain and "cpu_us" in plain:
            notes_overlay.append(f"  {mode}: burrow run with the state directory on this VM's disk / on a tmpfs:"
                                 f" cpu {dplain['cpu_us']['median'] / plain['cpu_us']['median']:.2f}x")
        # A job array: the image's containers against the directory's, plain runs and the peers.
        for ifig, iname in (("serial+image", "--image"), ("serial+image-lz4", "--image (lz4)")):
            img = results.get(mode, {}).get("burrow", {}).get(ifig, {})
            for other, fig in (("burrow", "serial+overlay"), ("burrow", "serial"), ("crun", "serial"),
                               ("runc", "serial")):
                base = results.get(mode, {}).get(other, {}).get(fig, {})
                if "wall_us" in img and "wall_us" in base:
                    ratios = ", ".join(f"{m[:-3]} {img[m]['median'] / base[m]['median']:.2f}x"
                                       for m in ("wall_us", "cpu_us") if m in img and m in base)
                    what = {"serial+overlay": "--overlay on the directory", "serial": "plain run"}[fig]
                    notes_overlay.append(f"  {mode}: burrow {iname}, {img.get('count', '?')} back to back"
                                         f" / {other} {what}: {ratios}")
        # The floor that also makes and joins the cgroups a rootless burrow container joins.
        fcg = results.get(mode, {}).get("floor", {}).get("run+cgroup", {})
        if "cpu_us" in fcg and "cpu_us" in plain:
            ratios = ", ".join(f"{m[:-3]} {plain[m]['median'] / fcg[m]['median']:.2f}x"
                               for m in ("cpu_us", "maxrss_kb", "wall_us") if m in fcg and m in plain)
            notes_overlay.append(f"  {mode}: burrow run / the floor making and joining the same cgroups "
                                 f"({fmt(fcg['cpu_us']['median'] * 1e-3)} ms CPU): {ratios}")
        # The systemd path against the plain run from the same cgroup and moment.
        sd = results.get("systemd", {}).get("burrow", {}).get("run", {})
        sbase = results.get("systemd-base", {}).get("burrow", {}).get("run", {})
        if mode == "systemd" and "cpu_us" in sd and "cpu_us" in sbase:
            ratios = ", ".join(f"{m[:-3]} {sd[m]['median'] / sbase[m]['median']:.2f}x"
                               for m in ("cpu_us", "maxrss_kb", "wall_us") if m in sd and m in sbase)
            notes_overlay.append(f"  systemd: burrow run --systemd-cgroup / plain run (systemd-base): {ratios}")
        widths = [max(len(str(c)) for c in col) for col in zip(header, *rows)]
        lines.append("  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip())
        lines.append("  ".join("-" * w for w in widths))
        for cells in rows:
            lines.append("  ".join((c.ljust(w) if i < 2 else c.rjust(w)) for i, (c, w) in
                                   enumerate(zip(cells, widths))).rstrip())

    # HPC rows against Charliecloud's ch-run (mode "hpc"): burrow/ch-run per row.
    hpc_lines = []
    hpc = {}
    for r in records:
        if r.get("mode") != "hpc" or "error" in r:
            continue
        hpc.setdefault((r.get("figure"), r.get("variant")), {}).setdefault(r.get("runtime"), []).append(r)
    hpc_rows = [(("run", "dir"), "/bin/true from the directory", 1e-3, "ms"),
                (("run", "dir-single"), "  burrow --userns keep-id:single", 1e-3, "ms"),
                (("run", "dir-nocg"), "  the same, no cgroup (--cgroup-manager disabled)", 1e-3, "ms"),
                (("run", "dir-hostns"), "  and ch-run's namespaces: the host's pid, IPC, UTS (config.json)", 1e-3, "ms"),
                (("run", "dir-chlike"), "  and ch-run's mounts: the host's /dev, no masked paths", 1e-3, "ms"),
                (("run", "sqfs"), "/bin/true from an lz4 squashfs", 1e-3, "ms"),
                (("serial", "dir"), "{n} back to back, directory", 1e-6, "s"),
                (("serial", "sqfs"), "{n} back to back, lz4 squashfs (job array)", 1e-6, "s"),
                (("parallel", "dir"), "{n} at once, directory", 1e-6, "s"),
                (("parallel", "sqfs"), "{n} at once, lz4 squashfs", 1e-6, "s"),
                (("parallel", "ranks"), "{n} ranks at once, sleep 0.5", 1e-6, "s"),
                (("parallel", "ranks-join"), "  one container: ch-run --join-ct=20, burrow run --join", 1e-6, "s")]
    if hpc:
        hdr = ["row", "unit", "ch-run CPU", "burrow CPU", "CPU ratio", "ch-run wall", "burrow wall", "wall ratio"]
        out_rows = []
        for key, label, scale, unit in hpc_rows:
            by = hpc.get(key)
            if not by:
                continue
            n = next(iter(by.values()))[0].get("count", "?")
            cells = [label.format(n=n), unit]
            ch_base = by.get("ch-run") or (hpc.get(("run", "dir"), {}).get("ch-run") if key[0] == "run" and key[1].startswith("dir-") else None)
            meds = {}
            for metric in ("cpu_us", "wall_us"):
                for rt, recs in (("ch-run", by.get("ch-run")), ("burrow", by.get("burrow"))):
                    vals = [x[metric] for x in recs or [] if metric in x]
                    meds[(rt, metric)] = stats(vals)["median"] * scale if vals else None
                if meds[("ch-run", metric)] is None and ch_base:
                    vals = [x[metric] for x in ch_base if metric in x]
                    meds[("ch-run", metric)] = stats(vals)["median"] * scale if vals else None
                c, b = meds[("ch-run", metric)], meds[("burrow", metric)]
                cells += [fmt(c) if c is not None else "-", fmt(b) if b is not None else "-",
                          f"{b / c:.2f}x" if b is not None and c else "-"]
                table.append({"mode": "hpc", "figure": f"{key[0]}+{key[1]}", "metric": metric, "unit": unit,
                              "label": label, "ch-run": c, "burrow": b,
                              "burrow/ch-run": (b / c if b is not None and c else None)})
            cells = cells[:2] + [cells[2], cells[3], cells[4], cells[5], cells[6], cells[7]]
            out_rows.append(cells)
        widths = [max(len(str(c)) for c in col) for col in zip(hdr, *out_rows)]
        hpc_lines.append("")
        hpc_lines.append("== hpc: against Charliecloud's ch-run (rootless, medians) ==")
        hpc_lines.append("  ".join(h.ljust(w) for h, w in zip(hdr, widths)).rstrip())
        hpc_lines.append("  ".join("-" * w for w in widths))
        for cells in out_rows:
            hpc_lines.append("  ".join((c.ljust(w) if i < 2 else c.rjust(w)) for i, (c, w) in
                                       enumerate(zip(cells, widths))).rstrip())
        # The image against the directory, burrow's own (their repetitions taken in turn):
        # the goal is at most 1.2x for 100 back to back and for 20 at once.
        for fig, what in (("serial", "back to back"), ("parallel", "at once")):
            d = [x["cpu_us"] for x in hpc.get((fig, "dir"), {}).get("burrow", []) if "cpu_us" in x]
            i = [x["cpu_us"] for x in hpc.get((fig, "sqfs"), {}).get("burrow", []) if "cpu_us" in x]
            if d and i:
                per = [b / a for a, b in zip(d, i) if a]
                n = hpc[(fig, "sqfs")]["burrow"][0].get("count", "?")
                hpc_lines.append(f"burrow, {n} {what} from the lz4 image against the directory, CPU: "
                                 f"{stats(i)['median'] / stats(d)['median']:.2f}x (repetition by repetition "
                                 f"{min(per):.2f}-{max(per):.2f}x)")
                table.append({"mode": "hpc", "figure": f"{fig}+sqfs/dir", "metric": "cpu_us",
                              "burrow image/dir": stats(i)["median"] / stats(d)["median"]})
        for (fig, variant), by in sorted(hpc.items()):
            for rt, recs in by.items():
                if any(x.get("failed") for x in recs):
                    errors.setdefault("hpc", {}).setdefault(rt, {}).setdefault(f"{fig}+{variant}", []).append(
                        next(x.get("first_error", "") for x in recs if x.get("failed")))
    for r in records:
        if r.get("mode") == "hpc" and "error" in r:
            errors.setdefault("hpc", {}).setdefault(r.get("runtime"), {}).setdefault(
                f"{r.get('figure')}+{r.get('variant', '')}", []).append(r["error"])
    if hpc_lines:
        lines += hpc_lines
        if "hpc" not in modes:
            modes.append("hpc")
        if "ch-run" not in wanted:
            wanted.append("ch-run")

    notes = []
    for mode in modes:
        for rt in wanted:
            for fig, msgs in sorted(errors.get(mode, {}).get(rt, {}).items()):
                msgs = list(dict.fromkeys(msgs))
                msg = msgs[0].replace("\n", " | ")
                if len(msg) > 300:
                    msg = msg[:300] + "..."
                more = f" (and {len(msgs) - 1} more)" if len(msgs) > 1 else ""
                notes.append(f"  {mode} {rt} {fig}: {msg}{more}")

    print(f"burrow benchmark {meta.get('timestamp', '')}: {meta.get('cpus', '?')} CPUs, kernel {meta.get('kernel', '?')}")
    print(f"  burrow: {meta.get('burrow') or 'n/a'} ({meta.get('burrow_binary', '')}, commit {meta.get('burrow_commit', '?')})")
    print(f"  crun:   {meta.get('crun') or 'n/a'};  runc: {meta.get('runc') or 'n/a'};  ch-run: {meta.get('ch-run') or 'n/a'}")
    print(f"  samples: {meta.get('samples', '?')}; cells are median (min-max)")
    print(f"  load average before {meta.get('loadavg_before', '?')}, after {meta.get('loadavg_after', '?')}")
    print("\n".join(lines))
    if notes_overlay:
        print("\noverlay against the plain run (medians):")
        print("\n".join(notes_overlay))
    if notes:
        print("\nn/a and failures (! in the table: some samples failed):")
        print("\n".join(notes))

    doc = {"meta": meta, "table": table, "results": results, "raw": records}
    with open(a.out, "w") as f:
        json.dump(doc, f, indent=1)
    print(f"\nJSON: {a.out}")


if __name__ == "__main__":
    main()
