"""Build and validate one junk set, bench/junk/<set>.json, from its annotated sources in <set>_src/.

Source format (one file per language, UTF-8):

    @@ id=... | language=.. | bundle=... | outlet=... | title=...
    J:<kind>| a junk line
    C:<kind>| a content line that looks like junk
    an ordinary article line (content, not listed)

Blank lines separate paragraphs.  The literal two characters "\\t" inside a line
are turned into a TAB (for tab-separated table rows).  The outlet field is used
only for validation (pages in one bundle must come from different outlets) and
is not written to blind.json.

Run:  python3 bench/junk/build_set.py blind          (writes blind.json + blind_kinds.json)
      python3 bench/junk/build_set.py dev --check    (validates dev_src/ only)
"""

from __future__ import annotations

import collections
import json
import pathlib
import re
import sys

HERE = pathlib.Path(__file__).resolve().parent
SETS = ("blind", "dev")

JUNK_KINDS = {"furniture", "teaser", "promo", "social", "byline", "live"}
CONTENT_KINDS = {
    "quote",
    "dateline",
    "list",
    "table",
    "oneline",
    "subhead",
    "question",
    "contact",
    "update",
    "outlet",
}
LANGS = {"en", "de", "fr", "es", "it", "pl"}
MARK = re.compile(r"^([JC]):([a-z]+)\| ?(.*)$")


def parse(src_dir):
    pages = []
    for f in sorted(src_dir.glob("*.txt")):
        cur = None
        for n, raw in enumerate(f.read_text(encoding="utf-8").splitlines(), 1):
            if raw.startswith("@@ "):
                meta = {}
                for part in raw[3:].split(" | "):
                    k, v = part.split("=", 1)
                    meta[k.strip()] = v.strip()
                cur = {"meta": meta, "lines": [], "src": f"{f.name}:{n}"}
                pages.append(cur)
                continue
            if cur is None or raw.startswith("##"):
                continue
            raw = raw.replace("\\t", "\t")
            m = MARK.match(raw)
            if m:
                cur["lines"].append((m.group(1), m.group(2), m.group(3).strip()))
            else:
                cur["lines"].append((None, None, raw.rstrip()))
    return pages


def build(pages):
    out, kinds = [], {}
    for p in pages:
        lines = [t for _, _, t in p["lines"]]
        while lines and not lines[0].strip():
            lines.pop(0)
        while lines and not lines[-1].strip():
            lines.pop()
        text = "\n".join(lines)
        text = re.sub(r"\n{3,}", "\n\n", text)
        m = p["meta"]
        junk = [t for j, _, t in p["lines"] if j == "J"]
        content = [t for j, _, t in p["lines"] if j == "C"]
        out.append(
            {
                "id": m["id"],
                "language": m["language"],
                "bundle": m["bundle"],
                "title": m["title"],
                "text": text,
                "junk": junk,
                "content": content,
            }
        )
        kinds[m["id"]] = {
            "outlet": m.get("outlet", ""),
            "junk": {t: k for j, k, t in p["lines"] if j == "J"},
            "content": {t: k for j, k, t in p["lines"] if j == "C"},
        }
    return out, kinds


def validate(pages, out, kinds):
    errors = []
    ids = [p["id"] for p in out]
    if len(ids) != len(set(ids)):
        errors.append("duplicate page ids")
    # every listed line is exactly one whole (stripped) line of its page
    line_pages = collections.defaultdict(list)  # stripped line -> [page ids]
    for p in out:
        stripped = [ln.strip() for ln in p["text"].split("\n")]
        for ln in stripped:
            if ln:
                line_pages[ln].append(p["id"])
        for key in ("junk", "content"):
            for s in p[key]:
                if s != s.strip() or not s:
                    errors.append(f"{p['id']}: {key} line not stripped/empty: {s!r}")
                if stripped.count(s) != 1:
                    errors.append(
                        f"{p['id']}: {key} line occurs {stripped.count(s)}x in page: {s!r}"
                    )
        if p["language"] not in LANGS:
            errors.append(f"{p['id']}: bad language")
        if set(p["junk"]) & set(p["content"]):
            errors.append(f"{p['id']}: line both junk and content")
    junk_sets = {p["id"]: set(p["junk"]) for p in out}
    all_junk = set().union(*junk_sets.values())
    all_content = set().union(*(set(p["content"]) for p in out))
    for s in all_junk & all_content:
        errors.append(f"line is junk somewhere and content elsewhere: {s!r}")
    for s in all_content:
        if len(line_pages[s]) != 1:
            errors.append(f"content line not unique in file ({line_pages[s]}): {s!r}")
    for s in all_junk:
        for pid in line_pages[s]:
            if s not in junk_sets[pid]:
                errors.append(f"repeated junk not listed in {pid}: {s!r}")
    # kinds
    for pid, k in kinds.items():
        for _t, kind in k["junk"].items():
            if kind not in JUNK_KINDS:
                errors.append(f"{pid}: unknown junk kind {kind}")
        for _t, kind in k["content"].items():
            if kind not in CONTENT_KINDS:
                errors.append(f"{pid}: unknown content kind {kind}")
    # article length (non-junk words), bundles
    bundles = collections.defaultdict(list)
    for p in out:
        js = set(p["junk"])
        words = sum(
            len(ln.split()) for ln in p["text"].split("\n") if ln.strip() and ln.strip() not in js
        )
        if not 150 <= words <= 450:
            errors.append(f"{p['id']}: article words {words} outside 150-450")
        bundles[p["bundle"]].append(p["id"])
    for b, members in bundles.items():
        if not 2 <= len(members) <= 4:
            errors.append(f"bundle {b} has {len(members)} pages")
        outlets = [kinds[m]["outlet"] for m in members]
        if len(set(outlets)) != len(outlets):
            errors.append(f"bundle {b} repeats an outlet: {outlets}")
    return errors, bundles


def stats(out, kinds):
    per_lang = collections.defaultdict(lambda: collections.Counter())
    jk = collections.defaultdict(collections.Counter)
    ck = collections.defaultdict(collections.Counter)
    words = collections.defaultdict(list)
    for p in out:
        L = p["language"]
        per_lang[L]["pages"] += 1
        per_lang[L]["junk"] += len(p["junk"])
        per_lang[L]["content"] += len(p["content"])
        for _t, k in kinds[p["id"]]["junk"].items():
            jk[k][L] += 1
        for _t, k in kinds[p["id"]]["content"].items():
            ck[k][L] += 1
        js = set(p["junk"])
        words[L].append(
            sum(
                len(ln.split())
                for ln in p["text"].split("\n")
                if ln.strip() and ln.strip() not in js
            )
        )
    return per_lang, jk, ck, words


def main():
    names = [a for a in sys.argv[1:] if not a.startswith("-")]
    if len(names) != 1 or names[0] not in SETS:
        sys.exit(f"usage: build_set.py {{{'|'.join(SETS)}}} [--check]")
    out_file, kinds_file = HERE / f"{names[0]}.json", HERE / f"{names[0]}_kinds.json"
    pages = parse(HERE / f"{names[0]}_src")
    out, kinds = build(pages)
    errors, bundles = validate(pages, out, kinds)
    per_lang, jk, ck, words = stats(out, kinds)
    order = ["en", "de", "fr", "es", "it", "pl"]
    print(
        f"pages={len(out)} bundles={len(bundles)} "
        f"junk={sum(len(p['junk']) for p in out)} content={sum(len(p['content']) for p in out)}"
    )
    for L in order:
        c = per_lang[L]
        print(
            f"  {L}: pages={c['pages']} junk={c['junk']} content={c['content']} "
            f"words(min/max)={min(words[L]) if words[L] else 0}/{max(words[L]) if words[L] else 0}"
        )
    print("junk kinds:   " + "  ".join(f"{k}={sum(jk[k].values())}" for k in sorted(jk)))
    print("content kinds:" + "  ".join(f" {k}={sum(ck[k].values())}" for k in sorted(ck)))
    for k in sorted(jk):
        print(f"  J {k:10s} " + " ".join(f"{L}={jk[k][L]}" for L in order))
    for k in sorted(ck):
        print(f"  C {k:10s} " + " ".join(f"{L}={ck[k][L]}" for L in order))
    for L in order:
        if per_lang[L]["junk"] < 8 or per_lang[L]["content"] < 8:
            errors.append(f"{L}: fewer than 8 junk or content lines")
    if sum(len(p["junk"]) for p in out) < 60 or sum(len(p["content"]) for p in out) < 60:
        errors.append("fewer than 60 junk or content lines in total")
    for k in JUNK_KINDS - set(jk):
        errors.append(f"junk kind never used: {k}")
    for k in CONTENT_KINDS - set(ck):
        errors.append(f"content kind never used: {k}")
    if errors:
        print("\nERRORS:")
        for e in errors:
            print("  " + e)
        sys.exit(1)
    print("OK")
    if "--check" not in sys.argv:
        out_file.write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        kinds_file.write_text(
            json.dumps(kinds, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
        print(f"wrote {out_file} and {kinds_file}")


if __name__ == "__main__":
    main()
