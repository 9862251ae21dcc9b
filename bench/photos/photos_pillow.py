#!/usr/bin/env python3
"""Pillow side of the photo benchmark (bench/photos/run.sh): the same work as
`assess_photo::ingest_bytes` minus its checks, on the same files, in one process.

    python3 bench/photos/photos_pillow.py draft PHOTO...   # Image.thumbnail as users call it
    python3 bench/photos/photos_pillow.py full  PHOTO...   # full-resolution decode first (im.load())

Per photo: read the bytes; SHA-256 (hashlib); Image.open; EXIF DateTimeOriginal,
OffsetTimeOriginal and the GPS IFD (getexif); a thumbnail with long side 320 px
(Image.thumbnail, default resampling); JPEG encode at quality 80 into memory.

`draft` is Pillow's default behaviour: Image.thumbnail calls Image.draft, which lets libjpeg
decode the JPEG already scaled down by 1/2, 1/4 or 1/8 (DCT scaling), so a 4000 x 3000 photo
is decoded at 500 x 375 and the full-resolution pixels are never made. `full` calls
im.load() first, so the whole 12-megapixel image is decoded as `assess` does (which needs
the full image only for the thumbnail, too). No database, nothing stored.

Prints a tab-separated line per stage: name, median ms, total s, photos/s.
"""
import hashlib
import io
import statistics
import sys
import time

from PIL import Image


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ("draft", "full"):
        sys.exit(__doc__)
    mode, files = sys.argv[1], sys.argv[2:]
    stages = ["total", "read", "sha256", "open_exif", "decode_thumbnail", "encode_thumb"]
    t = {s: [] for s in stages}
    sink = 0
    for f in files:
        t0 = time.perf_counter()
        with open(f, "rb") as fh:
            data = fh.read()
        t1 = time.perf_counter()
        sink += len(hashlib.sha256(data).hexdigest())
        t2 = time.perf_counter()
        im = Image.open(io.BytesIO(data))
        ex = im.getexif()
        taken = ex.get_ifd(0x8769).get(0x9003)
        offset = ex.get_ifd(0x8769).get(0x9011)
        gps = ex.get_ifd(0x8825)
        sink += bool(taken) + bool(offset) + len(gps)
        t3 = time.perf_counter()
        if mode == "full":
            im.load()
        im.thumbnail((320, 320))
        t4 = time.perf_counter()
        out = io.BytesIO()
        im.convert("RGB").save(out, "JPEG", quality=80)
        sink += out.tell()
        t5 = time.perf_counter()
        for s, d in zip(stages, (t5 - t0, t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4)):
            t[s].append(d)
    print("stage\tmedian_ms\ttotal_s\tper_s")
    for s in stages:
        total = sum(t[s])
        print(f"{s}\t{statistics.median(t[s]) * 1e3:.1f}\t{total:.3f}\t{len(files) / total:.2f}")
    print(f"({len(files)} photos, mode {mode}, Pillow {Image.__version__}; checksum {sink})", file=sys.stderr)


if __name__ == "__main__":
    main()
