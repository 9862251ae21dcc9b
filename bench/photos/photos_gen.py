#!/usr/bin/env python3
"""Synthetic 12-megapixel crack photos for the photo benchmark (bench/photos/run.sh).

    python3 bench/photos/photos_gen.py OUT_DIR N [--seed 1] [--quality 92]

Writes OUT_DIR/photo-001.jpg ... : 4000 x 3000 JPEGs (baseline, 4:2:0 like a phone camera)
that compress like photographs of a wall, about 3-6 MB each: a low-frequency plaster tone
(a 40 x 30 random field upscaled bicubically), mid-frequency mottling, per-pixel sensor
noise, a dark crack polyline and a pen (the reference object). Each carries EXIF:
Make/Model, DateTimeOriginal, OffsetTimeOriginal (+08:00) and a GPS fix (WGS-84) near
Luquan (Yunnan), so `assess photo add` reads a time and a position and runs its boundary
check. Needs Pillow only (no numpy). Deterministic for a given seed.
"""
import argparse
import random
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter

W, H = 4000, 3000


def dms(x):
    d = int(x)
    m = int((x - d) * 60)
    s = round(((x - d) * 60 - m) * 60, 4)
    return (float(d), float(m), s)


def photo(rng, i):
    # Plaster: a smooth colour field, mottling and noise per channel.
    channels = []
    tone = [rng.randint(150, 200), rng.randint(140, 190), rng.randint(120, 170)]
    small = Image.effect_noise((40, 30), 25).resize((W, H), Image.BICUBIC)
    mid = Image.effect_noise((800, 600), 30).resize((W, H), Image.BILINEAR)
    for c in range(3):
        fine = Image.effect_noise((W, H), 28 + 2 * c)
        base = Image.new("L", (W, H), tone[c])
        ch = ImageChops.add(ImageChops.subtract(base, Image.new("L", (W, H), 128)), small, 1.0, 0)
        ch = ImageChops.blend(ch, mid, 0.15)
        ch = ImageChops.blend(ch, fine, 0.45)
        ch = ImageChops.add(ch, Image.new("L", (W, H), 40))
        channels.append(ch)
    img = Image.merge("RGB", channels)
    d = ImageDraw.Draw(img)
    # The crack: a jagged dark polyline with varying width.
    x, y = rng.randint(800, 3200), rng.randint(100, 400)
    pts = [(x, y)]
    while y < H - 300:
        x += rng.randint(-60, 60)
        y += rng.randint(40, 120)
        pts.append((x, y))
    for a, b in zip(pts, pts[1:]):
        d.line([a, b], fill=(rng.randint(30, 60),) * 3, width=rng.randint(4, 14))
    # The pen: a 700 px bar with a clip.
    px, py = rng.randint(300, 2800), rng.randint(2300, 2800)
    d.rectangle([px, py, px + 700, py + 28], fill=(20, 40, 140))
    d.rectangle([px + 600, py - 10, px + 700, py], fill=(200, 200, 210))
    img = img.filter(ImageFilter.GaussianBlur(0.5))
    # EXIF: camera, local time with its offset, GPS (WGS-84) near Luquan.
    exif = Image.Exif()
    exif[0x010F] = "Synthetic"          # Make
    exif[0x0110] = "Bench 12MP"         # Model
    exif_ifd = exif.get_ifd(0x8769)
    exif_ifd[0x9003] = f"2020:06:{10 + i % 10:02d} {9 + i % 8:02d}:{i % 60:02d}:00"  # DateTimeOriginal
    exif_ifd[0x9011] = "+08:00"          # OffsetTimeOriginal
    lat, lon = 25.55 + rng.uniform(-0.05, 0.05), 102.47 + rng.uniform(-0.05, 0.05)
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", dms(lat), "E", dms(lon)
    return img, exif


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("n", type=int)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--quality", type=int, default=92)
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(args.seed)
    for i in range(1, args.n + 1):
        img, exif = photo(rng, i)
        img.save(out / f"photo-{i:03d}.jpg", "JPEG", quality=args.quality, subsampling=2, exif=exif)


if __name__ == "__main__":
    main()
