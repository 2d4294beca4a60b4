#!/usr/bin/env bash
# Download CIFAR-10 (python version) for the workbook, verify it and unpack it.
#
#   bash datasets/get_datasets.sh
#
# Result: <datasets folder>/cifar-10-batches-py/ (data_batch_1..5, test_batch,
# batches.meta), which cs231n_utils.data.load_image_data() then uses instead of the
# embedded Fashion-MNIST subset. Running it again when that folder is complete does
# nothing and needs no network.
#
# Environment variables (all optional):
#   CS231N_DATASETS     target folder (default: the folder of this script); the loaders
#                       read the same variable, so both agree on where the data are
#   CIFAR10_URL         where to download from (default: the official home below);
#                       point it at a mirror or a local server
#   CIFAR10_MD5         expected md5 of the tarball
#   KEEP_TARBALL=1      keep cifar-10-python.tar.gz after unpacking it
#   CS231N_DOWNLOADER   curl | wget | python: force one downloader (default: the first
#                       of these that is installed)
#
# No connection? Copy cifar-10-python.tar.gz into the target folder and run this script:
# it checks and unpacks the copy without downloading.
set -euo pipefail

CIFAR10_URL="${CIFAR10_URL:-https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz}"
CIFAR10_MD5="${CIFAR10_MD5:-c58f30108f718f92721af3b95e74349a}"
KEEP_TARBALL="${KEEP_TARBALL:-0}"

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dest="${CS231N_DATASETS:-$here}"
name="cifar-10-python.tar.gz"
tarball="$dest/$name"
part="$tarball.part"
out="$dest/cifar-10-batches-py"
files=(data_batch_1 data_batch_2 data_batch_3 data_batch_4 data_batch_5 test_batch batches.meta)

say() { printf '[get_datasets] %s\n' "$*"; }
die() { printf '[get_datasets] ERROR: %s\n' "$*" >&2; exit 1; }

is_complete() {
    local f
    for f in "${files[@]}"; do
        [[ -s "$out/$f" ]] || return 1
    done
}

# md5 of a file, with whatever tool this machine has.
md5_of() {
    if command -v md5sum >/dev/null 2>&1; then
        md5sum "$1" | cut -d' ' -f1
    elif command -v md5 >/dev/null 2>&1; then
        md5 -q "$1"
    else
        python3 -c 'import hashlib, sys
h = hashlib.md5()
with open(sys.argv[1], "rb") as f:
    for block in iter(lambda: f.read(1 << 20), b""):
        h.update(block)
print(h.hexdigest())' "$1"
    fi
}

pick_downloader() {
    if [[ -n "${CS231N_DOWNLOADER:-}" ]]; then
        case "$CS231N_DOWNLOADER" in
            curl | wget | python) echo "$CS231N_DOWNLOADER"; return ;;
            *) die "CS231N_DOWNLOADER=$CS231N_DOWNLOADER is not one of: curl, wget, python" ;;
        esac
    fi
    if command -v curl >/dev/null 2>&1; then echo curl
    elif command -v wget >/dev/null 2>&1; then echo wget
    elif command -v python3 >/dev/null 2>&1; then echo python
    else die "neither curl, wget nor python3 is installed: install one, or copy $name into $dest"
    fi
}

# Download $CIFAR10_URL to $part, continuing a partial $part. Returns the tool's status.
download() {
    local tool="$1"
    case "$tool" in
        curl)
            local rc=0
            curl --fail --location --connect-timeout 30 --retry 3 --progress-bar \
                --continue-at - --output "$part" "$CIFAR10_URL" || rc=$?
            if [[ $rc -eq 33 ]]; then  # the server cannot resume: start again
                say "the server does not support resuming; downloading from the start"
                rm -f "$part"
                rc=0
                curl --fail --location --connect-timeout 30 --retry 3 --progress-bar \
                    --output "$part" "$CIFAR10_URL" || rc=$?
            fi
            return "$rc"
            ;;
        wget)
            wget --continue --tries=3 --timeout=30 --progress=dot:mega \
                --output-document="$part" "$CIFAR10_URL"
            ;;
        python)
            python3 - "$CIFAR10_URL" "$part" <<'PY'
import os, sys, urllib.error, urllib.request

url, part = sys.argv[1], sys.argv[2]
have = os.path.getsize(part) if os.path.exists(part) else 0
request = urllib.request.Request(url, headers={"Range": f"bytes={have}-"} if have else {})
try:
    response = urllib.request.urlopen(request, timeout=30)
except urllib.error.HTTPError as err:
    if err.code == 416 and have:  # nothing left to fetch
        sys.exit(0)
    sys.exit(f"HTTP error {err.code} {err.reason}")
except (urllib.error.URLError, OSError) as err:
    sys.exit(f"cannot reach {url}: {getattr(err, 'reason', err)}")
with response:
    mode = "ab" if response.status == 206 else "wb"  # 200: the server sent everything
    done = have if mode == "ab" else 0
    total = response.headers.get("Content-Length")
    total = done + int(total) if total else None
    with open(part, mode) as f:
        while block := response.read(1 << 20):
            f.write(block)
            done += len(block)
            shown = f"{done / 2**20:.1f} MB" + (f" of {total / 2**20:.1f} MB" if total else "")
            print(f"\r  {shown}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    if total is not None and done < total:
        sys.exit(f"connection closed after {done} of {total} bytes")
PY
            ;;
    esac
}

verify() {  # verify FILE: exit non-zero (deleting FILE when DELETE=1) unless its md5 matches
    local file="$1" delete="$2" actual
    say "checking md5 of $(basename "$file")"
    actual="$(md5_of "$file")"
    if [[ "$actual" != "$CIFAR10_MD5" ]]; then
        if [[ "$delete" == 1 ]]; then
            rm -f "$file"
            die "md5 mismatch for the download from $CIFAR10_URL: expected $CIFAR10_MD5, got $actual. The bad file was deleted; run the script again (or set CIFAR10_URL to another mirror)."
        fi
        die "md5 mismatch for $file: expected $CIFAR10_MD5, got $actual. Delete it (or replace it with a good copy) and run the script again."
    fi
}

if is_complete; then
    say "CIFAR-10 is already in $out: nothing to do."
    exit 0
fi

mkdir -p "$dest" || die "cannot create the folder $dest"

if [[ -f "$tarball" ]]; then
    say "using the existing $tarball"
    verify "$tarball" 0
elif [[ -s "$part" && "$(md5_of "$part")" == "$CIFAR10_MD5" ]]; then
    say "the earlier download in $part is complete"
    mv -f "$part" "$tarball"
else
    tool="$(pick_downloader)"
    if [[ -s "$part" ]]; then
        say "resuming the download of $CIFAR10_URL with $tool ($(wc -c <"$part" | tr -d ' ') bytes already in $part)"
    else
        say "downloading $CIFAR10_URL with $tool into $dest"
    fi
    rc=0
    download "$tool" || rc=$?
    if [[ $rc -ne 0 ]]; then
        hint=""
        [[ -s "$part" ]] && hint=" If it keeps failing, delete $part to start from the beginning."
        die "the download of $CIFAR10_URL failed ($tool exit status $rc). Check the internet connection and run the script again (it resumes the partial download), or set CIFAR10_URL to a mirror, or copy $name into $dest and run the script again.$hint"
    fi
    verify "$part" 1
    mv -f "$part" "$tarball"
fi

say "unpacking $name"
tmp="$(mktemp -d "$dest/.cifar-unpack.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
tar -xzf "$tarball" -C "$tmp" || die "cannot unpack $tarball: delete it and run the script again."
[[ -d "$tmp/cifar-10-batches-py" ]] \
    || die "$tarball has no cifar-10-batches-py/ folder: delete it and run the script again."
rm -rf "$out"
mv "$tmp/cifar-10-batches-py" "$out"
is_complete || die "$out lacks some of: ${files[*]}. Delete $out and run the script again."

if [[ "$KEEP_TARBALL" == 1 ]]; then
    say "kept $tarball (KEEP_TARBALL=1)"
else
    rm -f "$tarball"
fi
say "done: CIFAR-10 is in $out"
