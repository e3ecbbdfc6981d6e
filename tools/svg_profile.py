#!/usr/bin/env python3
"""Generates src/images/svg_profile.rs: which attributes each SVG 1.1 element may carry in an
EPUB 3 book, read from the RELAX NG schemas EPUBCheck validates SVG with (its jar's
com/adobe/epubcheck/schema/30/mod/svg11/*.rnc, the W3C SVG 1.1 modules as the Nu Html Checker
adapted them).

    python3 tools/svg_profile.py /usr/share/java/epubcheck.jar > src/images/svg_profile.rs

Only what the sanitizer needs is kept: each element's attribute names, as the schema's named
attribute groups plus its own attributes, and the values of attributes that take a fixed list
of keywords (`fill` of an animation: `freeze | remove`). ARIA attributes (added by EPUBCheck's
integration) and Inkscape's namespaces are left out: drawing tools' copies are not needed.
"""
import re
import sys
import zipfile

PREFIX = "com/adobe/epubcheck/schema/30/mod/svg11/"
TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|&=|\|=|[{}()\[\],|&?*+=~]|[A-Za-z_][\w.:-]*')


def tokens(text):
    text = "\n".join(re.sub(r"#.*", "", line) for line in text.splitlines())
    out = TOKEN.findall(text)
    # Annotations: `[ ... ]` blocks, and `a:documentation [ ... ]` annotation elements.
    clean, i = [], 0
    while i < len(out):
        t = out[i]
        if t == "[" or (":" in t and i + 1 < len(out) and out[i + 1] == "["):
            if t != "[":
                i += 1
            depth = 0
            while True:
                depth += {"[": 1, "]": -1}.get(out[i], 0)
                i += 1
                if depth == 0:
                    break
            continue
        clean.append(t)
        i += 1
    return clean


def definitions(jar):
    """name -> list of token bodies (every `=`, `&=`, `|=` of it)."""
    defs = {}
    with zipfile.ZipFile(jar) as z:
        for name in z.namelist():
            if not (name.startswith(PREFIX) and name.endswith(".rnc")):
                continue
            if "/inkscape" in name or "tiny" in name or "svg11-basic" in name:
                continue
            ts = tokens(z.read(name).decode())
            starts = [
                i for i in range(len(ts) - 1)
                if ts[i + 1] in ("=", "&=", "|=") and re.match(r"[A-Za-z_]", ts[i])
                and ts[i] not in ("namespace", "datatypes", "inherit")
                and (i == 0 or ts[i - 1] not in ("namespace", "default", "datatypes", "inherit"))
            ]
            for n, s in enumerate(starts):
                end = starts[n + 1] if n + 1 < len(starts) else len(ts)
                body = ts[s + 2:end]
                # Drop what follows at depth < 0 (a closing grammar brace) and includes.
                depth, cut = 0, len(body)
                for j, t in enumerate(body):
                    if t in "{(":
                        depth += 1
                    elif t in "})":
                        depth -= 1
                        if depth < 0:
                            cut = j
                            break
                    elif t == "include" and depth == 0:
                        cut = j
                        break
                defs.setdefault(ts[s], []).append(body[:cut])
    return defs


def braces(body, i):
    """Index after the `{ ... }` starting at body[i]."""
    depth = 0
    while True:
        depth += {"{": 1, "}": -1}.get(body[i], 0)
        i += 1
        if depth == 0:
            return i


def values(defs, body, seen=()):
    """The keywords an attribute value may be, or None for free text."""
    words = []
    for t in body:
        if t.startswith('"'):
            words.append(t[1:-1])
        elif t in ("|", "(", ")", "string", "token"):
            continue
        elif t in defs and t not in seen:
            inner = [values(defs, b, seen + (t,)) for b in defs[t]]
            if any(v is None for v in inner):
                return None
            words += [w for v in inner for w in v]
        else:
            return None
    return words or None


def attributes(defs, name, seen):
    """Attributes of pattern `name`: {attr: keywords or None}."""
    out = {}
    if name in seen or name not in defs or name == "common.attrs.aria":
        return out
    seen = seen | {name}
    for body in defs[name]:
        out.update(attributes_in(defs, body, seen))
    return out


def attributes_in(defs, body, seen):
    out, i = {}, 0
    while i < len(body):
        t = body[i]
        if t == "attribute":
            end = braces(body, i + 2)
            out[body[i + 1]] = values(defs, body[i + 3:end - 1])
            i = end
        elif t == "element":
            i = braces(body, i + 2)
        else:
            if t in defs:
                out.update(attributes(defs, t, seen))
            i += 1
    return out


def main():
    defs = definitions(sys.argv[1])
    elements = {}
    for name, bodies in defs.items():
        for body in bodies:
            if len(body) > 2 and body[0] == "element" and body[2] == "{":
                elements[body[1]] = body[3:braces(body, 2) - 1]
    groups, table, required = {}, [], []
    for el in sorted(e for e in elements if e != "*"):
        body = elements[el]
        # The element's attribute list: the `attlist.el` patterns it names.
        refs = [t for t in body if t.startswith("attlist.")]
        own, used, needed = {}, [], []
        for r in refs:
            for b in defs.get(r, []):
                i, depth = 0, 0
                while i < len(b):
                    t = b[i]
                    depth += {"(": 1, ")": -1}.get(t, 0)
                    if t == "attribute":
                        end = braces(b, i + 2)
                        own[b[i + 1]] = values(defs, b[i + 3:end - 1])
                        # Required: outside any group, and not marked `?` or `*`.
                        if depth == 0 and (end == len(b) or b[end] not in ("?", "*")):
                            needed.append(b[i + 1])
                        i = end
                        continue
                    if t.endswith(".attrib") and t in defs:
                        attrs = attributes(defs, t, frozenset())
                        if attrs:
                            groups[t] = attrs
                            if t not in used:
                                used.append(t)
                    i += 1
        table.append((el, used, sorted(own)))
        if needed:
            required.append((el, sorted(needed)))
    const = lambda g: re.sub(r"\W", "_", g.removeprefix("SVG.").removesuffix(".attrib")).upper()
    print("// Generated by tools/svg_profile.py from EPUBCheck 4.2.6's SVG 1.1 schemas")
    print("// (schema/30/mod/svg11/*.rnc): do not edit by hand.")
    print()
    print("//! The EPUB 3 SVG profile: which attributes each SVG 1.1 element may carry, and the")
    print("//! keywords of attributes that take a fixed list, as EPUBCheck's schemas say.")
    print()
    used_groups = sorted({g for _, us, _ in table for g in us})
    for g in used_groups:
        names = sorted(groups[g])
        print(f"/// `{g}`.")
        print(f"const {const(g)}: &[&str] = &[{', '.join(repr_str(n) for n in names)}];")
    print()
    print("/// An element's name, its attribute groups and its own attributes.")
    print("pub(super) type Element = (&'static str, &'static [&'static [&'static str]], &'static [&'static str]);")
    print()
    print("/// Every SVG element, sorted by name.")
    print("pub(super) const ELEMENTS: &[Element] = &[")
    for el, used, own in table:
        gs = ", ".join(const(g) for g in used)
        print(f"    ({repr_str(el)}, &[{gs}], &[{', '.join(repr_str(a) for a in own)}]),")
    print("];")
    print()
    # An attribute takes the same keywords on every element, but for a few (`fill` of an
    # animation is `freeze | remove`, of a shape a paint).
    by_attr = {}
    for el, used, own in table:
        attrs = {a: v for g in used for a, v in groups[g].items()}
        for a in own:
            attrs[a] = None
        for r in [t for t in elements[el] if t.startswith("attlist.")]:
            for b in defs.get(r, []):
                attrs.update({a: v for a, v in attributes_in(defs, b, frozenset()).items() if a in own})
        for a, v in attrs.items():
            by_attr.setdefault(a, {})[el] = tuple(v) if v else None
    # Each attribute's most common keywords (or free text) is its rule; the elements where it
    # differs are listed apart.
    shared, single = [], []
    for a in sorted(by_attr):
        lists = list(by_attr[a].values())
        if set(lists) == {None}:
            continue
        # Ties go to free text, then to the first list in sorted order: the same file each run.
        candidates = sorted(set(lists), key=lambda v: (v is not None, v or ()))
        common = max(candidates, key=lists.count)
        if common is not None:
            shared.append((a, common))
        for el, v in sorted(by_attr[a].items()):
            if v != common:
                single.append((el, a, v))
    print("/// The attributes an element must have (`path` without `d` is an error: RSC-005), sorted")
    print("/// by element.")
    print("pub(super) const REQUIRED: &[(&str, &[&str])] = &[")
    for el, names in required:
        print(f"    ({repr_str(el)}, &[{', '.join(repr_str(a) for a in names)}]),")
    print("];")
    print()
    print("/// The keywords of attributes that take a fixed list of them (on most elements: see")
    print("/// [`ELEMENT_KEYWORDS`]), sorted by attribute.")
    print("pub(super) const KEYWORDS: &[(&str, &[&str])] = &[")
    for a, v in shared:
        print(f"    ({repr_str(a)}, &[{', '.join(repr_str(w) for w in v)}]),")
    print("];")
    print()
    print("/// Where an attribute's keywords differ from [`KEYWORDS`] (`None`: any text), sorted by")
    print("/// element, then attribute.")
    print("pub(super) const ELEMENT_KEYWORDS: &[(&str, &str, Option<&[&str]>)] = &[")
    for el, a, v in sorted(single):
        kw = "None" if v is None else f"Some(&[{', '.join(repr_str(w) for w in v)}])"
        print(f"    ({repr_str(el)}, {repr_str(a)}, {kw}),")
    print("];")


def repr_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


main()
