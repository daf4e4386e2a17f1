#!/usr/bin/env python3
"""cib-facts.py CIB.xml: what a CIB's configuration says, one fact a line,
sorted, without the ids of nvpairs, operations and rules (tools spell
those differently): groups with their members in order, primitives with
class, parameters, meta attributes and operations, clones, locations and
their rules, cluster properties and resource defaults. export.test
compares the facts of hbd's CIB with those of the CIB crmsh builds from
hbd's crm configure commands."""
import sys
import xml.etree.ElementTree as ET


def nv(el, tag):
    out = []
    for s in el.findall(tag):
        for p in s.findall("nvpair"):
            out.append("%s=%s" % (p.get("name"), p.get("value")))
    return out


def main(path):
    root = ET.parse(path).getroot()
    conf = root.find("configuration") if root.tag == "cib" else root
    facts = []
    for p in nv(conf.find("crm_config") if conf.find("crm_config") is not None
                else ET.Element("x"), "cluster_property_set"):
        if not p.startswith(("cluster-infrastructure", "dc-version",
                             "have-watchdog", "cluster-name")):
            facts.append("property " + p)
    d = conf.find("rsc_defaults")
    if d is not None:
        facts += ["default " + p for p in nv(d, "meta_attributes")]
    for g in conf.iter("group"):
        facts.append("group %s: %s" % (g.get("id"), " ".join(
            p.get("id") for p in g.findall("primitive"))))
    for c in conf.iter("clone"):
        facts.append("clone %s: %s" % (c.get("id"), " ".join(
            p.get("id") for p in c.findall("primitive"))))
    for p in conf.iter("primitive"):
        i = p.get("id")
        facts.append("primitive %s %s:%s:%s" % (i, p.get("class"),
                     p.get("provider") or "", p.get("type")))
        facts += ["param %s %s" % (i, x) for x in nv(p, "instance_attributes")]
        facts += ["meta %s %s" % (i, x) for x in nv(p, "meta_attributes")]
        ops = p.find("operations")
        for o in (ops.findall("op") if ops is not None else []):
            facts.append("op %s %s interval=%s timeout=%s" % (
                i, o.get("name"), o.get("interval"), o.get("timeout")))
    cons = conf.find("constraints")
    for loc in (cons.iter("rsc_location") if cons is not None else []):
        if loc.get("node"):
            facts.append("location %s %s %s" % (loc.get("rsc"),
                         loc.get("node"), loc.get("score")))
        for r in loc.findall("rule"):
            ex = sorted("%s %s %s" % (e.get("attribute"), e.get("operation"),
                        e.get("value") or "") for e in r.findall("expression"))
            facts.append("rule %s %s %s: %s" % (loc.get("rsc"), r.get("score"),
                         r.get("boolean-op") or "and", "; ".join(ex)))
    print("\n".join(sorted(facts)))


if __name__ == "__main__":
    main(sys.argv[1])
