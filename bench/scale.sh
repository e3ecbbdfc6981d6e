#!/usr/bin/env bash
# Scale benchmark: a synthetic archive of N posts (default 100,000) made from the corpus, dated
# over 20 years (about 400 posts a month), converted to Markdown and to monthly EPUBs. Prints
# wall time and peak RSS (GNU time). The archive is generated in a temporary folder, never
# committed.
#
# Usage: bench/scale.sh [CORPUS_DIR]    (default ../shared/corpus/posts)
# Environment: POSTS=100000, NO_BUILD=1 (use the existing target/release/postbook), KEEP_TMP=1
set -euo pipefail
root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
corpus=${1:-$root/../shared/corpus/posts}
posts=${POSTS:-100000}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/postbook-scale.XXXXXX")
[ "${KEEP_TMP:-0}" = 1 ] && echo "keeping $tmp" >&2 || trap 'rm -rf -- "$tmp"' EXIT
[ "${NO_BUILD:-0}" = 1 ] || (cd "$root" && cargo build --release -q)
postbook=$root/target/release/postbook

python3 - "$corpus" "$tmp/archive" "$posts" <<'EOF'
import os, re, sys
src, dst, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
os.makedirs(dst)
texts = [open(os.path.join(src, f), encoding="utf-8").read() for f in sorted(os.listdir(src))
         if f.endswith((".md", ".markdown"))]
date = re.compile(r"^date:.*$", re.M)
for i in range(n):
    y, m, d = 2006 + i % 20, 1 + (i // 20) % 12, 1 + (i // 240) % 28
    day = f"{y}-{m:02d}-{d:02d}"
    text = date.sub(f"date: {day}", texts[i % len(texts)], count=1)
    with open(os.path.join(dst, f"{day}-p{i}.md"), "w", encoding="utf-8") as f:
        f.write(text)
EOF
size=$(du -sm "$tmp/archive" | cut -f1)
printf '%d posts, %d MB on disk\n\n%-24s %10s %12s %8s\n' "$posts" "$size" task "wall s" "peak RSS" outputs
run() {
    local name=$1; shift
    rm -rf "$tmp/out"
    /usr/bin/time -f '%e %M' -o "$tmp/time" "$postbook" "$@" -q "$tmp/archive" -o "$tmp/out"
    read -r secs kb <"$tmp/time"
    printf '%-24s %10s %9d MB %8d\n' "$name" "$secs" $((kb / 1024)) "$(find "$tmp/out" -type f ! -name '.*' | wc -l)"
}
run "markdown" convert -t markdown
run "epub, one per month" convert -t epub -g month
