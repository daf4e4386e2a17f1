#!/usr/bin/env python3
"""bench/analyze.py - figures from the probe's log, and the report.

  analyze.py run PROBELOG OFFSET T_ACT_US NEW      -> outage_ms switch_ms fails
  analyze.py partition PROBELOG OFFSET T0_US T1_US SAMPLER
                                -> longest_no_server_ms two_vip_ms no_vip_ms fails
  analyze.py stress PROBELOG OFFSET                 -> failed from_ha2 total
  analyze.py report WORKDIR OUTDIR                  -> REPORT.md, raw/, plots/
  analyze.py merge WORKDIR SUPPDIR SCENARIOS        -> WORKDIR/raw with the rows
      of a second pass (SUPPDIR) replacing those of the same stack, profile
      and scenario (SCENARIOS: comma-separated, e.g. kill9,poweroff), and its
      detection and footprint rows replacing those of the same profiles
  analyze.py table RUNS.CSV [PROFILE]               -> markdown: per scenario,
      heartbeat's and hbd's outage min / median / max (n), and hbd / heartbeat
      (medians); for one profile (default seed), e.g. after
      bench/run.sh --profiles seed --interleave
  analyze.py migration PROBELOG OFFSET T0_US T1_US SAMPLER MARKS
      -> total_ms longest_ms periods failed probes two_vip_samples samples
         server_changes seg1_ms seg2_ms ...  (bench/migration.sh; MARKS:
         NAME=US,NAME=US,...: each outage period counts in the segment of
         the last mark before its start)
  analyze.py migration-table MIGRATION-RUNS.CSV     -> the summary, markdown
  analyze.py migration-report OUTDIR                -> OUTDIR/MIGRATION.md from
      OUTDIR/raw/migration-runs.csv and migration-meta.txt, and the
      migration row of OUTDIR/REPORT.md's headline table

Probe lines: START_US END_US RESULT BODY (bench/probe.c).
outage = first failed attempt (its start) -> first good answer from the new
node (its end); 0 if no attempt failed.  switch = action -> that answer.
"""
import csv
import os
import shutil
import statistics
import subprocess
import sys


def read_probe(path, offset):
    out = []
    with open(path, "rb") as f:
        f.seek(int(offset))
        for line in f:
            p = line.split()
            if len(p) < 4:
                continue
            try:
                out.append((int(p[0]), int(p[1]), p[2].decode(), p[3].decode()))
            except ValueError:
                continue
    out.sort()
    return out


def cmd_run(path, offset, t_act, new):
    t_act = int(t_act)
    at = [a for a in read_probe(path, offset) if a[1] >= t_act]
    good = [a for a in at if a[2] == "ok" and (new == "any" or a[3] == new)]
    if not good:
        print("NA NA NA")
        return
    g_end = min(a[1] for a in good)
    fails = [a for a in at if a[2] != "ok" and a[0] <= g_end]
    outage = (g_end - min(a[0] for a in fails)) / 1000.0 if fails else 0.0
    print("%.1f %.1f %d" % (outage, (g_end - t_act) / 1000.0, len(fails)))


def read_sampler(sampler):
    """tests/tools/lab-sampler's log: "# lab-sampler period_ms=P
    start_epoch_ms=E ..." then "T_ms ha1_vip=0|1 ha2_vip=0|1 ..." lines;
    [(epoch_ms, ha1 has the VIP, ha2 has it)]."""
    base, rows = 0, []
    for line in open(sampler):
        if line.startswith("# lab-sampler"):
            for w in line.split():
                if w.startswith("start_epoch_ms="):
                    base = int(w.split("=")[1])
        elif line[:1].isdigit():
            p = line.split()
            rows.append((base + int(p[0]), p[1].endswith("1"), p[2].endswith("1")))
    return rows


def cmd_partition(path, offset, t0, t1, sampler):
    t0, t1 = int(t0), int(t1)
    at = [a for a in read_probe(path, offset) if t0 <= a[1] and a[0] <= t1]
    longest, fails, start = 0, 0, None
    for a in at:
        if a[2] != "ok":
            fails += 1
            if start is None:
                start = a[0]
        elif start is not None:
            longest = max(longest, a[1] - start)
            start = None
    if start is not None:
        longest = max(longest, t1 - start)
    rows = read_sampler(sampler)
    two = none = 0
    for i in range(len(rows) - 1):
        t, v1, v2 = rows[i]
        if t * 1000 < t0 or t * 1000 > t1:
            continue
        dt = rows[i + 1][0] - t
        if v1 and v2:
            two += dt
        if not v1 and not v2:
            none += dt
    print("%.1f %d %d %d" % (longest / 1000.0, two, none, fails))


def cmd_stress(path, offset):
    at = read_probe(path, offset)
    print("%d %d %d" % (sum(1 for a in at if a[2] != "ok"),
                        sum(1 for a in at if a[2] == "ok" and a[3] == "ha2"),
                        len(at)))


# ------------------------------------------------------------------ report

SCEN = [
    # name, label, metric column, what the number is
    ("clean_stop", "clean stop", "outage_ms", "outage"),
    ("standby", "standby", "outage_ms", "outage"),
    ("takeover", "takeover", "outage_ms", "outage"),
    ("failback", "auto_failback", "outage_ms", "outage"),
    ("kill9", "daemon kill -9", "switch_ms", "kill to new node serving"),
    ("poweroff", "power-off", "outage_ms", "outage"),
    ("cold_start", "cold start", "switch_ms", "start to first answer"),
    ("partition", "partition + heal", "outage_ms", "longest window without a server"),
    ("partition2", "partition: two VIPs", "two_vip_ms", "time with the VIP on both nodes"),
]
PROFILES = ["1s", "200ms", "100ms", "50ms"]
PLABEL = {"1s": "1 s / 3 s", "200ms": "200 ms / 1 s", "100ms": "100 ms / 500 ms",
          "50ms": "50 ms / 250 ms"}
DEADTIME = {"1s": 3000, "200ms": 1000, "100ms": 500, "50ms": 250}
KEEPALIVE = {"1s": 1000, "200ms": 200, "100ms": 100, "50ms": 50}


def num(x):
    try:
        return float(x)
    except (TypeError, ValueError):
        return None


def fmt(v):
    if v is None:
        return "—"
    if v >= 10000:
        return "%.1f s" % (v / 1000.0)
    return "%.0f ms" % v if v >= 10 else "%.1f ms" % v


def stats(v):
    v = [x for x in v if x is not None]
    if not v:
        return None
    return (statistics.median(v), min(v), max(v), len(v))


def load(work):
    rd = lambda n: list(csv.DictReader(open(os.path.join(work, "raw", n))))
    meta = {}
    for line in open(os.path.join(work, "raw", "meta.txt")):
        if "=" in line:
            k, v = line.rstrip("\n").split("=", 1)
            # several passes may be merged in: keep them all
            meta[k] = meta[k] + "; " + v if k == "merged" and k in meta else v
    return rd("runs.csv"), rd("footprint.csv"), rd("detect.csv"), rd("stress.csv"), meta


def values(runs, stack, prof, scen):
    if scen == "partition2":
        return [num(r["two_vip_ms"]) for r in runs
                if r["stack"] == stack and r["profile"] == prof and r["scenario"] == "partition"]
    col = dict((s[0], s[2]) for s in SCEN)[scen]
    return [num(r[col]) for r in runs
            if r["stack"] == stack and r["profile"] == prof and r["scenario"] == scen]


def plots(runs, outdir):
    pdir = os.path.join(outdir, "plots")
    os.makedirs(pdir, exist_ok=True)
    made = []
    for scen, label, col, what in SCEN:
        series = []
        for prof in PROFILES:
            for stack in ("hb", "hbd"):
                v = [x for x in values(runs, stack, prof, scen) if x is not None]
                if v:
                    series.append(("%s %s" % ("heartbeat" if stack == "hb" else "hbd", PLABEL[prof]), v))
        if not series:
            continue
        dat = os.path.join(pdir, scen + ".dat")
        with open(dat, "w") as f:
            for i, (name, v) in enumerate(series):
                for j, x in enumerate(sorted(v)):
                    jit = (j - (len(v) - 1) / 2.0) / max(len(v), 1) * 0.5
                    f.write("%d %.3f %.1f\n" % (i, i + jit, x))
                f.write("\n\n")
        png = os.path.join(pdir, scen + ".png")
        xt = ", ".join('"%s" %d' % (n.replace(" / ", "/"), i) for i, (n, _) in enumerate(series))
        meds = os.path.join(pdir, scen + ".med")
        with open(meds, "w") as f:
            for i, (n, v) in enumerate(series):
                f.write("%d %.1f\n" % (i, statistics.median(v)))
        gp = """set terminal pngcairo size 1000,520 font ",10"
set output '%s'
set title "%s: %s (each point one run; bar = median)"
set ylabel "ms"
set xtics (%s) rotate by 20 right
set xrange [-0.6:%f]
set yrange [0:*]
set grid ytics
set key off
plot '%s' using 2:3 with points pt 7 ps 0.8 lc rgb "#3060c0", \\
     '%s' using 1:2:(0.3) with xerrorbars pt 0 lw 3 lc rgb "#c03030"
""" % (png, label, what, xt, len(series) - 0.4, dat, meds)
        r = subprocess.run(["gnuplot"], input=gp.encode(), stderr=subprocess.PIPE)
        if r.returncode == 0:
            made.append((scen, label))
        os.remove(dat)
        os.remove(meds)
    return made


def cmd_report(work, outdir):
    runs, foot, det, stress, meta = load(work)
    os.makedirs(os.path.join(outdir, "raw"), exist_ok=True)
    for n in ("runs.csv", "footprint.csv", "detect.csv", "stress.csv", "meta.txt", "snmp.txt"):
        p = os.path.join(work, "raw", n)
        if os.path.exists(p):
            shutil.copy(p, os.path.join(outdir, "raw", n))
    made = plots(runs, outdir)
    L = []
    w = L.append
    quick = meta.get("quick") == "1"
    w("# hbd vs heartbeat 3.0.6: side-by-side benchmark")
    w("")
    if quick:
        w("**QUICK RUN (development mode: few runs, short idle and stress). Not the full benchmark.**")
        w("")
    w("Generated by `bench/run.sh` (`%s`). Reproduce with `sudo bench/run.sh` from the source tree;"
      " it installs heartbeat, lighttpd, gnuplot-nox and stress-ng itself." % meta.get("command", ""))
    w("")
    w("| | |")
    w("|---|---|")
    for k, lab in (("date", "date"), ("uname", "machine (`uname -a`)"), ("cpu", "CPU"),
                   ("nproc", "nproc"), ("kernel", "kernel"), ("mem", "memory"),
                   ("hbd_commit", "hbd commit"), ("hbd_version", "hbd version"),
                   ("heartbeat_version", "heartbeat (Debian package)"),
                   ("lighttpd_version", "web server"), ("runs", "runs per scenario and profile"),
                   ("elapsed_s", "duration of the whole run (s)"),
                   ("merged", "second pass merged in")):
        if k in meta or k != "merged":
            w("| %s | %s |" % (lab, meta.get(k, "?").replace("|", "\\|")))
    w("")
    w("## Setup")
    w("")
    w("""The lab of `tests/lib/lab.sh` (LAB.md): client, two nodes and a switch in network
namespaces; heartbeats go by `ucast` over `eth0` (the LAN) and `hb0` (the crossover), port
694, sha1 authkeys. The **same** `ha.cf` timing lines (keepalive, warntime = deadtime/2,
deadtime, initdead = 2 × deadtime), `auto_failback on` and the **same** haresources line for
both stacks: `ha1 IPaddr::10.88.0.100/24/eth0 lighttpd-ha` — each stack's own IPaddr agent
(heartbeat: resource-agents' IPaddr with its send_arp; hbd: its own agent) and one
heartbeat-style lighttpd script for both. heartbeat nodes additionally have their own PID and
IPC namespace, a reaper as PID 1 and per-node /etc/ha.d, /var/lib/heartbeat, /var/log (LAB.md
§12); hbd runs in the lab's normal nodes with its defaults (realtime on, monitoring every 10 s,
no fencing: the group has no shared disk, so hbd would not fence anyway).

Web server: **lighttpd**, not apache2. apache2 takes 85–120 ms to stop and 46–98 ms to
answer after a start (LAB.md §6); lighttpd stops in ~15 ms and answers ~50 ms after start.
Every planned move pays one stop and one start, so apache would add ~150–200 ms of web-server
time to *both* stacks, which hides the difference between the HA daemons (and alone uses most
of the 300 ms budget for clean stop and standby). Both stacks run the same lighttpd.

Client probe (`bench/probe.c`): from the client namespace, a **new TCP connection every
10 ms** to 10.88.0.100:80, `GET /hostname.html` (answers the node's name); attempts overlap,
one not answered in 500 ms is a failure. **Outage** = from the start of the first failed
attempt to the answer of the first good attempt from the *new* node (0 if nothing failed).
kill -9 leaves the old node serving (its VIP and lighttpd stay), so there the figure is
*kill → first answer from the new node*; cold start is *start of both daemons → first
answer*. Partition: heartbeat UDP 694 dropped both ways on ha2 (the client's traffic flows),
held until both nodes hold the VIP plus max(2 s, deadtime), then healed; *window without a
server* = the longest run of failed probes from the cut until the service is stable again;
*two VIPs* = time the VIP was on both nodes (lab-sampler every 10 ms). Between runs the
cluster is brought back to "ha1 serves, both nodes active" and left calm for 2 s + deadtime.
Failback samples come from ha1's daemon restarting after the clean stop, kill -9 and
power-off runs (ha1 powered off and on again after kill -9 and power-off).""")
    w("")
    w("## Headline: hbd / heartbeat, ratio of medians")
    w("")
    w("| scenario | metric | profile | heartbeat median | hbd median | hbd / heartbeat |")
    w("|---|---|---|---|---|---|")
    head = {}
    for scen, label, col, what in SCEN:
        for prof in PROFILES:
            a, b = stats(values(runs, "hb", prof, scen)), stats(values(runs, "hbd", prof, scen))
            if not a and not b:
                continue
            ratio = "—"
            if a and b and a[0] > 0:
                r = b[0] / a[0]
                ratio = "%.3f" % r if r < 0.01 else "%.2f" % r
            elif a and b:
                ratio = "n/a (heartbeat 0)"
            head[(scen, prof)] = (a, b)
            w("| %s | %s | %s | %s | %s | %s |" % (label, what, PLABEL[prof], fmt(a[0]) if a else "—",
                                               fmt(b[0]) if b else "—", ratio))
    mrow = migration_headline(outdir)	# bench/migration.sh's, if it ran
    if mrow:
        w(mrow)
    w("")
    w("## All scenarios: median / min / max (n)")
    w("")
    w("| scenario | profile | stack | median | min | max | n |")
    w("|---|---|---|---|---|---|---|")
    for scen, label, col, what in SCEN:
        for prof in PROFILES:
            for stack in ("hb", "hbd"):
                s = stats(values(runs, stack, prof, scen))
                if s:
                    w("| %s | %s | %s | %s | %s | %s | %d |" % (label, PLABEL[prof],
                      "heartbeat" if stack == "hb" else "hbd", fmt(s[0]), fmt(s[1]), fmt(s[2]), s[3]))
    w("")
    w("Secondary figures (same runs): *kill → new node* for the other scenarios and *outage* for kill -9:")
    w("")
    w("| scenario | profile | heartbeat: outage / action→new node | hbd: outage / action→new node |")
    w("|---|---|---|---|")
    for scen in ("clean_stop", "standby", "takeover", "failback", "kill9", "poweroff"):
        for prof in PROFILES:
            cells = []
            for stack in ("hb", "hbd"):
                rr = [r for r in runs if r["stack"] == stack and r["profile"] == prof and r["scenario"] == scen]
                o = stats([num(r["outage_ms"]) for r in rr])
                s = stats([num(r["switch_ms"]) for r in rr])
                cells.append("%s / %s" % (fmt(o[0]) if o else "—", fmt(s[0]) if s else "—"))
            if cells != ["— / —", "— / —"]:
                w("| %s | %s | %s | %s |" % (scen, PLABEL[prof], cells[0], cells[1]))
    w("")
    # detection
    w("## hbd: detection delay after kill -9 (kill → survivor's `node_dead` event)")
    w("")
    w("| profile | deadtime | median | min | max | n | target deadtime + 1 keepalive |")
    w("|---|---|---|---|---|---|---|")
    detect = {}
    for prof in PROFILES:
        s = stats([num(r["detect_ms"]) for r in det if r["stack"] == "hbd" and r["profile"] == prof])
        if s:
            detect[prof] = s
            lim = DEADTIME[prof] + KEEPALIVE[prof]
            w("| %s | %d ms | %s | %s | %s | %d | %s (≤ %d ms) |" % (PLABEL[prof], DEADTIME[prof], fmt(s[0]),
              fmt(s[1]), fmt(s[2]), s[3], "met" if s[2] <= lim else "MISSED (max)", lim))
    w("")
    # footprint
    w("## Footprint per node (idle, %s s)" % meta.get("footprint_s", "?"))
    w("")
    w("Processes = the daemon's own (comm `heartbeat` or `hbd`; lighttpd and the lab's anchor not"
      " counted). *daemon CPU (ticks)* = utime+stime from /proc/PID/stat over the idle period (10 ms"
      " ticks: ±1 tick is ±0.017 % over 60 s, and a short wake-up that meets a tick is charged a whole"
      " tick); *daemon CPU (runtime)* = the scheduler's exact run time (/proc/PID/schedstat), where"
      " measured; *node CPU* = the node's whole cgroup (includes resource agents run by monitoring —"
      " hbd only, heartbeat v1 has none — and lighttpd). The client probe is stopped meanwhile.")
    w("")
    w("| profile | stack | node | processes | Σ RSS | Σ Pss | daemon CPU (ticks) | daemon CPU (runtime) | node CPU |")
    w("|---|---|---|---|---|---|---|---|---|")
    fp = {}
    for prof in PROFILES:
        for stack in ("hb", "hbd"):
            for r in foot:
                if r["stack"] == stack and r["profile"] == prof:
                    fp.setdefault((stack, prof), []).append(r)
                    sc = r.get("daemon_cpu_sched_pct") or ""
                    w("| %s | %s | %s | %s | %.1f MiB | %.2f MiB | %s %% | %s | %s %% |" % (
                        PLABEL[prof], "heartbeat" if stack == "hb" else "hbd", r["node"], r["processes"],
                        int(r["rss_kb"]) / 1024.0, int(r["pss_kb"]) / 1024.0, r["daemon_cpu_pct"],
                        (sc + " %") if sc else "—", r["node_cpu_pct"]))
    w("")
    w("| profile | Σ Pss hbd / heartbeat | idle CPU hbd / heartbeat |")
    w("|---|---|---|")
    fratio = {}
    for prof in PROFILES:
        a, b = fp.get(("hb", prof)), fp.get(("hbd", prof))
        if a and b:
            pa = sum(int(r["pss_kb"]) for r in a) / len(a)
            pb = sum(int(r["pss_kb"]) for r in b) / len(b)
            ca = sum(float(r["daemon_cpu_pct"]) for r in a) / len(a)
            cb = sum(float(r["daemon_cpu_pct"]) for r in b) / len(b)
            fratio[prof] = (pb / pa if pa else None, cb / ca if ca else None)
            w("| %s | %s | %s |" % (PLABEL[prof], "%.3f" % fratio[prof][0] if fratio[prof][0] is not None else "—",
                                  "%.3f" % fratio[prof][1] if fratio[prof][1] is not None else "—"))
    w("")
    # stress
    w("## False failovers: both cores saturated (`stress-ng --cpu 2 --vm 1 --vm-bytes 1G`), 200 ms / 1 s")
    w("")
    w("| stack | seconds | dead declarations | late heartbeats | failed probes | answers from ha2 | probes |")
    w("|---|---|---|---|---|---|---|")
    for r in stress:
        w("| %s | %s | %s | %s | %s | %s | %s |" % ("heartbeat" if r["stack"] == "hb" else "hbd", r["seconds"],
          r["dead_declarations"], r["late_heartbeats"], r["failed_probes"], r["answers_from_ha2"], r["probes"]))
    w("")
    w("heartbeat: lines `is dead` / `Late heartbeat` in both nodes' ha-log; hbd: the peers' `dead_count` and"
      " `counters.late_heartbeats` of `hbctl --json status` on both nodes (differences over the run).")
    w("")
    # snmp
    sp = os.path.join(work, "raw", "snmp.txt")
    w("## SNMP (tests/bench/snmp-bench.sh)")
    w("")
    if os.path.exists(sp):
        w("```")
        for line in open(sp):
            if line.startswith(("walk", "traps", "      ", "       ")):
                w(line.rstrip("\n"))
        w("```")
    else:
        w("not run")
    w("")
    # targets
    w("## Targets")
    w("")
    T = []

    def ratio_of(scen, prof):
        a, b = head.get((scen, prof), (None, None))
        if a and b and a[0] > 0:
            return b[0] / a[0], a[0], b[0]
        return None

    for scen, lim in (("poweroff", 0.6), ("kill9", 0.6), ("clean_stop", 0.3), ("standby", 0.3),
                      ("takeover", 0.3), ("failback", 0.3)):
        for prof in ("1s", "200ms"):
            r = ratio_of(scen, prof)
            if r:
                T.append(("%s at %s: hbd ≤ %.1f × heartbeat" % (scen, PLABEL[prof], lim),
                          r[0] <= lim, "%.2f (%s vs %s)" % (r[0], fmt(r[2]), fmt(r[1]))))
    for scen in ("clean_stop", "standby"):
        for prof in PROFILES:
            s = stats(values(runs, "hbd", prof, scen))
            if s:
                T.append(("%s under 300 ms at %s (hbd median; max)" % (scen, PLABEL[prof]), s[0] < 300,
                          "median %s, max %s" % (fmt(s[0]), fmt(s[2]))))
    for prof in PROFILES:
        s = stats(values(runs, "hbd", prof, "cold_start"))
        if s:
            T.append(("cold start under 2 × deadtime at %s (≤ %d ms)" % (PLABEL[prof], 2 * DEADTIME[prof]),
                      s[0] < 2 * DEADTIME[prof], "median %s, max %s" % (fmt(s[0]), fmt(s[2]))))
    for prof in PROFILES:
        s = stats(values(runs, "hbd", prof, "partition"))
        if s:
            T.append(("partition heal: no window without a server > 1 s at %s" % PLABEL[prof],
                      s[2] <= 1000, "longest %s (median %s)" % (fmt(s[2]), fmt(s[0]))))
    for prof in PROFILES:
        b = fp.get(("hbd", prof))
        if b:
            T.append(("one process per node at %s" % PLABEL[prof], all(r["processes"] == "1" for r in b),
                      ", ".join(r["processes"] for r in b)))
        if prof in fratio:
            pr, cr = fratio[prof]
            if pr is not None:
                T.append(("Σ Pss ≤ 0.25 × heartbeat at %s" % PLABEL[prof], pr <= 0.25, "%.3f" % pr))
            if cr is not None:
                T.append(("idle CPU ≤ 0.5 × heartbeat at %s" % PLABEL[prof], cr <= 0.5, "%.3f" % cr))
    for r in stress:
        if r["stack"] == "hbd":
            T.append(("zero false failovers under stress (hbd)", r["dead_declarations"] == "0",
                      "%s dead declarations, %s late heartbeats" % (r["dead_declarations"], r["late_heartbeats"])))
    # issues 3/4 at 100/500
    if "100ms" in detect:
        s = detect["100ms"]
        T.append(("issue 3: detection within deadtime + 1 keepalive (600 ms) at 100/500", s[2] <= 600,
                  "median %s, max %s" % (fmt(s[0]), fmt(s[2]))))
    b = fp.get(("hbd", "100ms"))
    if b:
        T.append(("issue 3: RSS under 4 MiB at 100/500", all(int(r["rss_kb"]) < 4096 for r in b),
                  ", ".join("%.2f MiB" % (int(r["rss_kb"]) / 1024.0) for r in b)))
        T.append(("issue 3: idle CPU under 0.2 % at 100/500", all(float(r["daemon_cpu_pct"]) < 0.2 for r in b),
                  ", ".join(r["daemon_cpu_pct"] + " %" for r in b)))
    s = stats(values(runs, "hbd", "100ms", "poweroff"))
    if s:
        T.append(("issue 4: power-off under 750 ms at 100/500", s[0] < 750,
                  "median %s, max %s" % (fmt(s[0]), fmt(s[2]))))
    w("| target | met | measured |")
    w("|---|---|---|")
    for name, ok, val in T:
        w("| %s | %s | %s |" % (name, "yes" if ok else "**NO**", val))
    w("")
    if made:
        w("## Plots")
        w("")
        for scen, label in made:
            w("![%s](plots/%s.png)" % (label, scen))
            w("")
    w("## Raw data")
    w("")
    w("Per-run numbers: [raw/runs.csv](raw/runs.csv), [raw/detect.csv](raw/detect.csv), "
      "[raw/footprint.csv](raw/footprint.csv), [raw/stress.csv](raw/stress.csv), "
      "[raw/snmp.txt](raw/snmp.txt), [raw/meta.txt](raw/meta.txt). Probe logs and daemon logs of the"
      " last run stay in /var/tmp/hbd-bench/logs on the machine that ran it.")
    notes = os.path.join(os.path.dirname(os.path.abspath(__file__)), "NOTES.md")
    if os.path.exists(notes) and not quick:
        w("")
        w(open(notes).read().rstrip("\n"))
    text = "\n".join(L) + "\n"
    open(os.path.join(outdir, "REPORT.md"), "w").write(text)
    # stdout: the headline and targets
    out = text.split("## Headline")[1].split("## All scenarios")[0]
    print("## Headline" + out)
    print("## Targets" + text.split("## Targets")[1].split("## Plots")[0].split("## Raw data")[0])
    print("report: %s" % os.path.join(outdir, "REPORT.md"))


def cmd_merge(work, supp, scen):
    scen = set(scen.split(","))

    def rw(name, keyf, filt):
        mp, sp = os.path.join(work, "raw", name), os.path.join(supp, "raw", name)
        if not os.path.exists(sp):
            return
        main_rows = list(csv.DictReader(open(mp)))
        fields = list(csv.DictReader(open(mp)).fieldnames)
        for k in csv.DictReader(open(sp)).fieldnames:
            if k not in fields:
                fields.append(k)
        new = [r for r in csv.DictReader(open(sp)) if filt(r)]
        keys = set(keyf(r) for r in new)
        kept = [r for r in main_rows if keyf(r) not in keys]
        with open(mp, "w", newline="") as f:
            wr = csv.DictWriter(f, fieldnames=fields, lineterminator="\n", restval="")
            wr.writeheader()
            wr.writerows(kept + new)
        print("%s: %d rows replaced by %d from %s" % (name, len(main_rows) - len(kept), len(new), supp))

    rw("runs.csv", lambda r: (r["stack"], r["profile"], r["scenario"]), lambda r: r["scenario"] in scen)
    rw("detect.csv", lambda r: (r["stack"], r["profile"]), lambda r: True)
    rw("footprint.csv", lambda r: (r["stack"], r["profile"]), lambda r: True)
    rw("stress.csv", lambda r: r["stack"], lambda r: True)
    sm = {}
    for line in open(os.path.join(supp, "raw", "meta.txt")):
        if "=" in line:
            k, v = line.rstrip("\n").split("=", 1)
            sm[k] = v
    rows = list(csv.DictReader(open(os.path.join(supp, "raw", "runs.csv"))))
    rows += list(csv.DictReader(open(os.path.join(supp, "raw", "footprint.csv"))))
    profs = sorted(set(r["profile"] for r in rows))
    stacks = sorted(set(r["stack"] for r in rows))
    with open(os.path.join(work, "raw", "meta.txt"), "a") as f:
        f.write("merged=%s, hbd %s: %s at %s (%s), with their detection, footprint%s rows\n" % (
            sm.get("date", "?"), sm.get("hbd_commit", "?"), "/".join(stacks), "/".join(profs),
            ",".join(sorted(scen)), ", stress" if os.path.exists(os.path.join(supp, "raw", "stress.csv"))
            and len(list(csv.DictReader(open(os.path.join(supp, "raw", "stress.csv"))))) else ""))


def cmd_table(path, prof="seed"):
    runs = list(csv.DictReader(open(path)))
    names = [("clean_stop", "clean stop (init script / SIGTERM)"),
             ("standby", "standby (hb_standby / hbctl standby)"),
             ("takeover", "takeover back (hb_takeover / hbctl takeover)"),
             ("failback", "auto_failback (ha1's daemon starts again)"),
             ("poweroff", "power-off of ha1 (deadtime 1 s)")]
    cell = lambda t: "%d / **%d** / %d (%d)" % (t[1], t[0], t[2], t[3]) if t else "—"
    print("| move | heartbeat 3.0.6: min / **median** / max (n), ms "
          "| hbd: min / **median** / max (n), ms | hbd / heartbeat |")
    print("|---|---|---|---|")
    for scen, label in names:
        t = {}
        for st in ("hb", "hbd"):
            t[st] = stats([num(r["outage_ms"]) for r in runs if r["stack"] == st
                           and r["profile"] == prof and r["scenario"] == scen])
        if not t["hb"] and not t["hbd"]:
            continue
        ratio = "%.2f" % (t["hbd"][0] / t["hb"][0]) if t["hb"] and t["hbd"] and t["hb"][0] else "—"
        print("| %s | %s | %s | %s |" % (label, cell(t["hb"]), cell(t["hbd"]), ratio))


# ------------------------------------------------------------- migration
# bench/migration.sh: heartbeat 3.0.6 -> hbd, rolling vs maintenance window


def outage_periods(at, t1):
    """[(start_us, end_us)]: runs of failed attempts (by start), each from
    the first failed attempt's start to the answer of the next good one
    (or t1); periods that overlap (attempts overlap) are merged."""
    out, start = [], None
    for a in at:
        if a[2] != "ok":
            if start is None:
                start = a[0]
        elif start is not None:
            out.append([start, a[1]])
            start = None
    if start is not None:
        out.append([start, t1])
    merged = []
    for p in out:
        if merged and p[0] <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], p[1])
        else:
            merged.append(p)
    return merged


def cmd_migration(path, offset, t0, t1, sampler, marks):
    t0, t1 = int(t0), int(t1)
    at = [a for a in read_probe(path, offset) if a[0] >= t0 and a[0] <= t1]
    per = outage_periods(at, t1)
    total = sum(e - s for s, e in per)
    longest = max([e - s for s, e in per] or [0])
    changes, last = 0, None
    for a in at:
        if a[2] == "ok":
            if last is not None and a[3] != last:
                changes += 1
            last = a[3]
    two, samples = 0, 0
    for ms, v1, v2 in read_sampler(sampler):
        if ms * 1000 < t0 or ms * 1000 > t1:
            continue
        samples += 1
        if v1 and v2:
            two += 1
    ms = []
    for m in marks.split(","):
        if "=" in m:
            ms.append(int(m.split("=", 1)[1]))
    seg = [0.0] * len(ms)
    for s, e in per:
        i = max([k for k, t in enumerate(ms) if t <= s] or [0])
        if seg:
            seg[i] += (e - s) / 1000.0
    print("%.1f %.1f %d %d %d %d %d %d %s" % (
        total / 1000.0, longest / 1000.0, len(per),
        sum(1 for a in at if a[2] != "ok"), len(at), two, samples, changes,
        " ".join("%.1f" % v for v in seg)))


MIG_PROC = [("rolling", "rolling (docs/migration.md, 6 steps)"),
            ("window", "maintenance window (stop both, start hbd on both)")]


def mig_rows(csvpath):
    return [r for r in csv.DictReader(open(csvpath)) if num(r["total_outage_ms"]) is not None]


def mig_cell(v, unit=" ms"):
    t = stats(v)
    if not t:
        return "—"
    f = (lambda x: "%.0f" % x)
    return "%s%s (%s–%s)" % (f(t[0]), unit, f(t[1]), f(t[2]))


def mig_table(rows):
    L = []
    L.append("| procedure | rounds | total client outage | longest single outage "
             "| outage periods | two servers (rounds) | answering node changed |")
    L.append("|---|---|---|---|---|---|---|")
    for p, label in MIG_PROC:
        rs = [r for r in rows if r["procedure"] == p]
        if not rs:
            continue
        tot = "outage_wo_lab_restart_ms" if p == "window" else "total_outage_ms"
        lng = "longest_wo_lab_restart_ms" if p == "window" else "longest_outage_ms"
        two = sum(1 for r in rs if r["two_servers"] == "yes")
        L.append("| %s | %d | %s | %s | %s | %s | %s |" % (
            label, len(rs), mig_cell([num(r[tot]) for r in rs]),
            mig_cell([num(r[lng]) for r in rs]),
            mig_cell([num(r["outage_periods"]) for r in rs], ""),
            "%d of %d" % (two, len(rs)),
            mig_cell([num(r["server_changes"]) for r in rs], "")))
    return L


def cmd_migration_table(csvpath):
    print("\n".join(mig_table(mig_rows(csvpath))))


def migration_headline(outdir):
    """The migration row of REPORT.md's headline table, or None."""
    p = os.path.join(outdir, "raw", "migration-runs.csv")
    if not os.path.exists(p):
        return None
    rows = mig_rows(p)
    ro = stats([num(r["total_outage_ms"]) for r in rows if r["procedure"] == "rolling"])
    wi = stats([num(r["outage_wo_lab_restart_ms"]) for r in rows if r["procedure"] == "window"])
    if not ro or not wi:
        return None
    return ("| migration outage, rolling vs maintenance window | client's total outage "
            "over the whole migration ([MIGRATION.md](MIGRATION.md)); heartbeat column: "
            "maintenance window, hbd column: rolling | 1 s / 3 s | %s | %s | %.2f |"
            % (fmt(wi[0]), fmt(ro[0]), ro[0] / wi[0] if wi[0] else float("nan")))


def cmd_migration_report(outdir):
    rows = mig_rows(os.path.join(outdir, "raw", "migration-runs.csv"))
    allrows = list(csv.DictReader(open(os.path.join(outdir, "raw", "migration-runs.csv"))))
    meta = {}
    mp = os.path.join(outdir, "raw", "migration-meta.txt")
    if os.path.exists(mp):
        for line in open(mp):
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                meta[k] = v
    loads = [num(r["load1"]) for r in allrows if num(r["load1"]) is not None]
    L = []
    w = L.append
    w("# Migration outage: rolling vs maintenance window (issue 20)")
    w("")
    w("Generated by `bench/migration.sh` (`%s`) from [raw/migration-runs.csv](raw/migration-runs.csv);"
      " do not edit by hand, run it again." % meta.get("command", "bench/migration.sh"))
    w("")
    w("| | |")
    w("|---|---|")
    w("| date | %s |" % meta.get("date", "?"))
    w("| machine | `c` kind VM (/work/.library/env/machines/c.md): %s cores, %s, %s, kernel %s, "
      "shared with other jobs |" % (meta.get("nproc", "?"), meta.get("cpu", "?"),
                                    meta.get("mem", "?"), meta.get("kernel", "?")))
    w("| load average (1 min) at each round's start | %s–%s (start of run %s, end %s) |" % (
        "%.2f" % min(loads) if loads else "?", "%.2f" % max(loads) if loads else "?",
        meta.get("load_start", "?"), meta.get("load_end", "?")))
    w("| hbd commit | %s |" % meta.get("hbd_commit", "?"))
    w("| heartbeat (Debian package) | %s |" % meta.get("heartbeat_version", "?"))
    w("| web server | %s |" % meta.get("apache_version", "?"))
    w("| rounds per procedure (interleaved) | %s |" % meta.get("rounds", "?"))
    moves = meta.get("moves", "stop")
    w("| planned moves made by | %s |" % {
        "stop": "clean stops (heartbeat's stop on ha1 hands the group to hbd on ha2; "
                "hbd's start on ha1 brings it home by auto_failback): the procedure before "
                "hbd negotiated with heartbeat",
        "negotiate": "`compat heartbeat` on ha2; `hbctl takeover` on ha2 (heartbeat's standby "
                     "handshake), heartbeat then stopped on ha1 holding nothing; hbd's start on "
                     "ha1 brings the group home by auto_failback (docs/migration.md's procedure)",
        "standby": "`compat heartbeat` on ha2; `hb_standby` on ha1 (heartbeat's standby "
                   "handshake), heartbeat then stopped on ha1; auto_failback home"}.get(
            moves, moves))
    if moves == "stop":
        move1 = ("heartbeat stops on ha1, releases and says goodbye, hbd on ha2 takes the "
                 "group")
    else:
        move1 = ("the group moves to hbd on ha2 through heartbeat's standby handshake (%s), "
                 "then heartbeat stops on ha1 holding nothing" %
                 ("`hbctl takeover` on ha2" if moves == "negotiate" else "`hb_standby` on ha1"))
    w("")
    w("## Setup")
    w("")
    w("""The lab of `tests/lib/lab.sh`: a client, two nodes and a switch in network namespaces.
Both nodes start on Debian's heartbeat 3.0.6 (nodes of `tests/lib/heartbeat.sh`: own PID and
IPC namespace, per-node /etc/ha.d). ha.cf as in tests/system/71-rolling-migration.test:
keepalive 1, warntime 2, deadtime 3, initdead 10, `bcast eth0`, `auto_failback on`, sha1
authkeys. The group: `ha1 IPaddr::10.88.0.100/24/eth0 httpd::CONF` — each daemon's own
IPaddr and hbd's `httpd` agent for both (apache2 listening on the VIP only, so it answers
only where the VIP is; `/hostname.html` names the node). "Switching a node to hbd" is, in
the lab, a restart of the node as a plain lab node with the same three files, then hbd.

The procedures, each as a whole from the moment both heartbeats hold the group on ha1 and
see each other until the group is home on ha1 under hbd and both hbd nodes see each other:

* **rolling** ([docs/migration.md](../migration.md#a-rolling-migration-beside-a-running-heartbeat),
  the steps of tests/system/71-rolling-migration.test): heartbeat stops on ha2; ha2 restarts
  into hbd, which sees ha1 active and must take nothing (12 s, past hbd's initdead);
  *move to ha2*: MOVE1; *move back*: ha1 restarts into hbd and auto_failback brings the
  group home.
* **maintenance window** ([docs/migration.md](../migration.md#step-by-step), step 2):
  heartbeat stops on ha2, then on ha1 (the group stops); both nodes restart into hbd; hbd
  starts on both at once; the group starts on ha1. The lab's node restarts (both, while
  the service is down) are measured and **subtracted**: on a real node hbd is installed
  before the window, and only its start counts. The raw figure is in the CSV
  (`total_outage_ms`, `lab_restart_ms`).

The client (`bench/probe.c`, in the client namespace) opens a **new TCP connection to
10.88.0.100:80 every 10 ms** (`GET /hostname.html`); an attempt not answered in 500 ms
fails. An *outage period* is a run of failed attempts, from the start of the first to the
answer of the next good one; the **total client outage** is the sum of the periods over the
whole procedure, the *longest* is the longest period. **Two servers**: `tests/tools/lab-sampler`
records every 10 ms whether each node has the VIP; one sample with the VIP on both nodes is a
"yes" (the sampler's longest gap between two samples, per round, is in the last table). As a cross-check, the client records which node answered each attempt; *answering
node changed* counts the changes (2 for rolling: ha1 → ha2 → ha1; 0 for the window).""".replace("MOVE1", move1))
    w("")
    w("## Summary: median (min–max) over the rounds")
    w("")
    L.extend(mig_table(rows))
    w("")
    gaps = [num(r.get("sampler_max_gap_ms")) for r in rows]
    gaps = [g for g in gaps if g is not None]
    if gaps:
        w("The VIP sampler's longest gap between two samples, over every round: %.0f ms." % max(gaps))
        w("")
    rr = [r for r in rows if r["procedure"] == "rolling"]
    wr = [r for r in rows if r["procedure"] == "window"]
    if rr:
        w("Rolling, each planned move's share of the total outage (the other steps: %s):" % (
            "no failed attempt in any round" if all(
                abs(num(r["total_outage_ms"]) - num(r["move1_ms"]) - num(r["move2_ms"])) < 0.5
                for r in rr) else "see the CSV"))
        w("")
        w("| move | outage, median (min–max) |")
        w("|---|---|")
        w("| move to ha2 (%s) | %s |"
          % (move1, mig_cell([num(r["move1_ms"]) for r in rr])))
        if any(num(r.get("hbd_part_ms")) is not None for r in rr):
            w("| … of which hbd on ha2: heartbeat's %s heard → group started (hbd's log; "
              "the rest is heartbeat releasing the group on ha1) | %s |"
              % ("goodbye" if moves == "stop" else "\"done\"",
                 mig_cell([num(r.get("hbd_part_ms")) for r in rr])))
        w("| move back (hbd starts on ha1, auto_failback) | %s |"
          % mig_cell([num(r["move2_ms"]) for r in rr]))
        w("")
    if wr:
        w("Maintenance window, raw (with the lab's two node restarts): %s; the restarts: %s." % (
            mig_cell([num(r["total_outage_ms"]) for r in wr]),
            mig_cell([num(r["lab_restart_ms"]) for r in wr])))
        if any(num(r.get("hbd_part_ms")) is not None for r in wr):
            w("Of the window, hbd's start on ha1 → its group started (hbd's log) took %s; "
              "the rest is heartbeat releasing the group and ending (its stop returns about 2 s "
              "after \"All HA resources relinquished\")." % mig_cell([num(r.get("hbd_part_ms")) for r in wr]))
        w("")
    ro = stats([num(r["total_outage_ms"]) for r in rr])
    wi = stats([num(r["outage_wo_lab_restart_ms"]) for r in wr])
    if ro and wi and wi[0]:
        w("Rolling / maintenance window (medians): %.0f ms / %.0f ms = **%.2f**." % (
            ro[0], wi[0], ro[0] / wi[0]))
        w("")
    sp = os.path.join(outdir, "raw", "migration-runs-stop.csv")
    if moves != "stop" and os.path.exists(sp):
        so = stats([num(r["total_outage_ms"]) for r in mig_rows(sp)
                    if r["procedure"] == "rolling"])
        sw = stats([num(r["outage_wo_lab_restart_ms"]) for r in mig_rows(sp)
                    if r["procedure"] == "window"])
        if so and sw and sw[0]:
            w("For comparison, the same benchmark run earlier the same day with the moves made "
              "by clean stops, before hbd negotiated with heartbeat "
              "([raw/migration-runs-stop.csv](raw/migration-runs-stop.csv), same machine): "
              "rolling %.0f ms (%.0f–%.0f), window %.0f ms (%.0f–%.0f), ratio %.2f. The "
              "negotiated move costs a little more (heartbeat's three-phase handshake), and "
              "needs no stop of heartbeat while it holds the group." % (
                  so[0], so[1], so[2], sw[0], sw[1], sw[2], so[0] / sw[0]))
            w("")
    failed = [r for r in allrows if num(r["total_outage_ms"]) is None]
    if failed:
        w("Rounds that did not complete (not in the figures): %s." % ", ".join(
            "%s %s" % (r["procedure"], r["round"]) for r in failed))
        w("")
    w("## Rounds")
    w("")
    w("| procedure | round | load | total outage | longest | periods | failed / probes "
      "| two-VIP samples / samples | sampler's longest gap | node changes | lab restart | move 1 | move 2 "
      "| hbd's part |")
    w("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in allrows:
        w("| %s | %s | %s | %s | %s | %s | %s / %s | %s / %s | %s | %s | %s | %s | %s | %s |" % (
            r["procedure"], r["round"], r["load1"], r["total_outage_ms"], r["longest_outage_ms"],
            r["outage_periods"], r["failed_probes"], r["probes"], r["two_vip_samples"],
            r["samples"], r.get("sampler_max_gap_ms", "?"), r["server_changes"], r["lab_restart_ms"],
            r["move1_ms"], r["move2_ms"], r.get("hbd_part_ms", "?")))
    w("")
    w("Times in ms. Move 1 / move 2: rolling, the outage counted during the move to ha2 and the "
      "move back; window, the whole window. hbd's part: rolling, heartbeat's goodbye (or its \"done\") heard on ha2 → "
      "group started on ha2; window, hbd's start on ha1 → group started (both from hbd's log).")
    open(os.path.join(outdir, "MIGRATION.md"), "w").write("\n".join(L) + "\n")
    print("report: %s" % os.path.join(outdir, "MIGRATION.md"))
    rp = os.path.join(outdir, "REPORT.md")
    row = migration_headline(outdir)
    if row and os.path.exists(rp):
        lines = open(rp).read().split("\n")
        lines = [x for x in lines if not x.startswith("| migration outage,")]
        try:
            h = next(i for i, x in enumerate(lines) if x.startswith("## Headline"))
            i = h + 1
            while i < len(lines) and not lines[i].startswith("|"):
                i += 1
            while i < len(lines) and lines[i].startswith("|"):
                i += 1
            lines.insert(i, row)
            open(rp, "w").write("\n".join(lines))
            print("report: the migration row in %s" % rp)
        except StopIteration:
            pass


def main():
    a = sys.argv[1:]
    if not a:
        sys.exit(__doc__)
    {"run": cmd_run, "partition": cmd_partition, "stress": cmd_stress,
     "report": cmd_report, "merge": cmd_merge, "table": cmd_table,
     "migration": cmd_migration, "migration-table": cmd_migration_table,
     "migration-report": cmd_migration_report}[a[0]](*a[1:])


if __name__ == "__main__":
    main()
