#!/usr/bin/env bash
# Image pipeline benchmark: 1,000 pictures served from a local HTTP server (never the network),
# embedded into monthly EPUBs. Prints images/s and where the time goes (download vs
# decode/resize vs rendering+zip) for --image-jobs 1 and 16.
#
# Usage: bench/images.sh            (from the repository root; needs python3)
# Environment:
#   IMAGES=1000   pictures (URLs) to serve; POSTS get IMAGES/10 posts with 10 pictures each
#   NO_BUILD=1    use the existing target/release/postbook
#   RUNS=3        runs per setting; medians are reported
#
# Pictures are 1600×1000 photos-like JPEGs (PNG when Pillow is missing), so every one is
# decoded and downscaled to --max-image-width 1200. Twenty distinct files are served under
# 1,000 URLs: each URL is downloaded and processed separately, as postbook dedupes by URL and
# only the book stores identical bytes once.
set -euo pipefail
root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
images=${IMAGES:-1000}
runs=${RUNS:-3}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/postbook-images.XXXXXX")
server_pid=
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf -- "$tmp"; }
trap cleanup EXIT

if [ "${NO_BUILD:-0}" != 1 ]; then
    (cd "$root" && cargo build --release -q)
fi
postbook=$root/target/release/postbook

python3 - "$tmp" "$images" <<'EOF'
import os, struct, sys, zlib
tmp, n = sys.argv[1], int(sys.argv[2])
www = os.path.join(tmp, "www"); posts = os.path.join(tmp, "posts")
os.makedirs(www); os.makedirs(posts)
W, H = 1600, 1000
def png(seed):
    rows = []
    for y in range(H):
        row = bytearray([0])
        for x in range(W):
            row += bytes(((x * 255 // W + seed * 13) % 256, (y * 255 // H) % 256, (seed * 37 + (x ^ y)) % 256))
        rows.append(bytes(row))
    chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", W, H, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"".join(rows), 6)) + chunk(b"IEND", b""))
try:
    from PIL import Image
    ext = "jpg"
    def make(seed, path):
        img = Image.radial_gradient("L").resize((W, H)).convert("RGB")
        img = Image.merge("RGB", [c.point(lambda v, s=seed, i=i: (v + s * (i + 3) * 11) % 256) for i, c in enumerate(img.split())])
        img.save(path, quality=90)
except ImportError:
    ext = "png"
    def make(seed, path):
        open(path, "wb").write(png(seed))
for s in range(20):
    make(s, os.path.join(www, f"orig{s}.{ext}"))
for i in range(n):
    os.link(os.path.join(www, f"orig{i % 20}.{ext}"), os.path.join(www, f"p{i}.{ext}"))
per = 10
for p in range(n // per):
    month = 1 + p % 12
    body = [f"---\ntitle: Post {p}\ndate: 2024-{month:02d}-{1 + p % 28:02d}\n---\n\n"]
    for k in range(per):
        body.append(f"Paragraph {k}.\n\n![Picture {p * per + k}](http://127.0.0.1:PORT/p{p * per + k}.{ext})\n\n")
    open(os.path.join(posts, f"post-{p}.md"), "w").write("".join(body))
EOF

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
sed -i "s/PORT/$port/g" "$tmp"/posts/*.md
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$tmp/www" >/dev/null 2>&1 &
server_pid=$!
for _ in $(seq 50); do
    python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/')" 2>/dev/null && break
    sleep 0.1
done

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
printf '%-12s %9s %9s %10s %10s %10s %9s\n' image-jobs "total s" "images/s" "download" "process" "write+zip" "failed"
for jobs in 1 16; do
    : >"$tmp/runs"
    for _ in $(seq "$runs"); do
        rm -rf "$tmp/out"
        "$postbook" convert -q -t epub --images embed --no-cache --image-jobs "$jobs" \
            --max-image-width 1200 "$tmp/posts" -o "$tmp/out" --report "$tmp/report.json"
        python3 - "$tmp/report.json" >>"$tmp/runs" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1])); t = r["timings"]; s = r["summary"]
print(t["total"], t["images_download"], t["images_process"], t["write"], s["images_failed"], s["images_downloaded"])
EOF
    done
    col() { awk -v c="$1" '{print $c}' "$tmp/runs" | median; }
    total=$(col 1); dl=$(col 2); pr=$(col 3); wr=$(col 4); failed=$(col 5); n=$(col 6)
    share() { awk -v a="$1" -v t="$total" 'BEGIN {printf "%.0f%%", 100 * a / t}'; }
    printf '%-12s %9.2f %9.0f %10s %10s %10s %9s\n' "$jobs" "$total" \
        "$(awk -v n="$n" -v t="$total" 'BEGIN {print n / t}')" \
        "$(share "$dl")" "$(share "$pr")" "$(share "$wr")" "$failed"
done
printf '\n%s pictures over %s runs (medians); shares are of the whole run.\n' "$images" "$runs"
