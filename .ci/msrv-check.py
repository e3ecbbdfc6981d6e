#!/usr/bin/env python3
"""MSRV check: no crate that postbook builds with may need a newer Rust than Cargo.toml's
`rust-version`. (Only one toolchain can be installed on CI machines, so postbook cannot be
compiled with the MSRV itself; clippy's `incompatible_msrv` lint covers postbook's own use of
the standard library, and this covers the dependencies.)"""
import json, subprocess, sys

def version(v):
    return tuple(int(x) for x in (v.split(".") + ["0", "0"])[:3])

meta = json.loads(subprocess.run(
    ["cargo", "metadata", "--format-version", "1", "--locked",
     "--filter-platform", "x86_64-unknown-linux-gnu"],
    check=True, capture_output=True, text=True).stdout)
packages = {p["id"]: p for p in meta["packages"]}
root = meta["resolve"]["root"]
msrv = packages[root]["rust_version"]
used = [packages[n["id"]] for n in meta["resolve"]["nodes"]]
too_new = [(p["name"], p["version"], p["rust_version"]) for p in used
           if p.get("rust_version") and version(p["rust_version"]) > version(msrv)]
for name, v, rv in too_new:
    print(f"msrv-check: {name} {v} needs Rust {rv}, above postbook's rust-version {msrv}")
print(f"msrv-check: {len(used)} crates, rust-version {msrv}: {'FAIL' if too_new else 'ok'}")
sys.exit(1 if too_new else 0)
