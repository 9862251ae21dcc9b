//! Accuracy test (issue 3 part 4): a synthetic photo with a 140 mm reference drawn 700 px long
//! and a crack 10 px wide. Everything is measured from the decoded pixels: the reference's end
//! points by scanning rows, the crack's axis from its dark pixels, its width by counting the
//! dark run across it at several points.

use assess_photo::{Component, Crack, Orientation, Px, Scale};
use image::{GrayImage, Rgb, RgbImage};

const W: u32 = 1000;
const H: u32 = 800;
// Crack drawn from A to B, 10 px wide, flat ends.
const A: (f64, f64) = (150.0, 200.0);
const B: (f64, f64) = (850.0, 650.0);
const CRACK_W: f64 = 10.0;

fn draw() -> RgbImage {
    let mut img = RgbImage::from_pixel(W, H, Rgb([235, 230, 220]));
    // Reference bar (a pen): columns 100..800 (700 px), rows 40..48.
    for y in 40..48 {
        for x in 100..800 {
            img.put_pixel(x, y, Rgb([20, 20, 90]));
        }
    }
    let (dx, dy) = (B.0 - A.0, B.1 - A.1);
    let len = dx.hypot(dy);
    let (ux, uy) = (dx / len, dy / len);
    for y in 0..H {
        for x in 0..W {
            let (px, py) = (x as f64 + 0.5 - A.0, y as f64 + 0.5 - A.1);
            let t = px * ux + py * uy;
            let n = -px * uy + py * ux;
            if (0.0..=len).contains(&t) && n.abs() < CRACK_W / 2.0 {
                img.put_pixel(x, y, Rgb([40, 35, 30]));
            }
        }
    }
    img
}

/// Round-trip through JPEG, as a phone photo would be.
fn as_decoded_jpeg(img: &RgbImage) -> GrayImage {
    let mut bytes = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 90)
        .encode_image(img)
        .unwrap();
    image::load_from_memory(&bytes).unwrap().into_luma8()
}

fn dark(g: &GrayImage, x: i64, y: i64) -> bool {
    x >= 0
        && y >= 0
        && x < g.width() as i64
        && y < g.height() as i64
        && g.get_pixel(x as u32, y as u32)[0] < 128
}

/// Longest dark run of each row; the reference is the row with the longest run.
fn find_reference(g: &GrayImage) -> (Px, Px, Vec<u32>) {
    let mut best = (0u32, 0u32, 0u32); // (len, row, start)
    let mut bar_rows = Vec::new();
    for y in 0..g.height() {
        let (mut run, mut start, mut row_best) = (0u32, 0u32, (0u32, 0u32));
        for x in 0..g.width() {
            if dark(g, x as i64, y as i64) {
                if run == 0 {
                    start = x;
                }
                run += 1;
                if run > row_best.0 {
                    row_best = (run, start);
                }
            } else {
                run = 0;
            }
        }
        if row_best.0 > 100 {
            bar_rows.push(y);
        }
        if row_best.0 > best.0 {
            best = (row_best.0, y, row_best.1);
        }
    }
    let y = best.1 as f64 + 0.5;
    // Pixel edges: the run covers columns start..start+len.
    (
        Px::new(best.2 as f64, y),
        Px::new((best.2 + best.0) as f64, y),
        bar_rows,
    )
}

#[test]
fn synthetic_crack_measures_2mm_wide_and_length_within_1_percent() {
    let g = as_decoded_jpeg(&draw());
    let (ra, rb, bar_rows) = find_reference(&g);
    let reference_px = (rb.x - ra.x).hypot(rb.y - ra.y);
    assert!(
        (reference_px - 700.0).abs() <= 2.0,
        "reference {reference_px} px"
    );
    let scale = Scale::new(ra, rb, 140.0).unwrap();

    // Crack pixels: dark pixels off the reference bar's rows.
    let mut pts = Vec::new();
    for y in 0..g.height() {
        if bar_rows.contains(&y) {
            continue;
        }
        for x in 0..g.width() {
            if dark(&g, x as i64, y as i64) {
                pts.push((x as f64 + 0.5, y as f64 + 0.5));
            }
        }
    }
    assert!(pts.len() > 1000);
    // Principal axis.
    let n = pts.len() as f64;
    let (cx, cy) = pts
        .iter()
        .fold((0.0, 0.0), |a, p| (a.0 + p.0 / n, a.1 + p.1 / n));
    let (mut sxx, mut syy, mut sxy) = (0.0, 0.0, 0.0);
    for p in &pts {
        let (dx, dy) = (p.0 - cx, p.1 - cy);
        sxx += dx * dx;
        syy += dy * dy;
        sxy += dx * dy;
    }
    let theta = 0.5 * (2.0 * sxy).atan2(sxx - syy);
    let (ux, uy) = (theta.cos(), theta.sin());
    let (mut tmin, mut tmax) = (f64::INFINITY, f64::NEG_INFINITY);
    for p in &pts {
        let t = (p.0 - cx) * ux + (p.1 - cy) * uy;
        tmin = tmin.min(t);
        tmax = tmax.max(t);
    }
    // Pixel centres lie half a pixel inside the ends.
    let (tmin, tmax) = (tmin - 0.5, tmax + 0.5);
    let p0 = Px::new(cx + tmin * ux, cy + tmin * uy);
    let p1 = Px::new(cx + tmax * ux, cy + tmax * uy);

    // Widths: count dark samples across the axis (step 0.05 px) at five points.
    let step = 0.05;
    let widths: Vec<f64> = [0.2, 0.35, 0.5, 0.65, 0.8]
        .iter()
        .map(|f| {
            let t = tmin + f * (tmax - tmin);
            let (mx, my) = (cx + t * ux, cy + t * uy);
            let mut count = 0;
            let mut s = -20.0;
            while s <= 20.0 {
                let (x, y) = (mx - s * uy, my + s * ux);
                if dark(&g, x.floor() as i64, y.floor() as i64) {
                    count += 1;
                }
                s += step;
            }
            count as f64 * step
        })
        .collect();

    let crack = Crack {
        points: vec![p0, p1],
        widths_px: widths.clone(),
        orientation: Orientation::suggest(&[p0, p1], 15.0).unwrap(),
        component: Component::LoadBearingWall,
    };
    assert_eq!(crack.orientation, Orientation::Diagonal);
    let m = crack.measure(&scale).unwrap();

    let w = m.max_width_mm;
    eprintln!(
        "reference {reference_px} px; widths {widths:?} px; width {:.3} mm [{:.3}, {:.3}]; length {:.2} mm [{:.2}, {:.2}]",
        w.value, w.low, w.high, m.length_mm.value, m.length_mm.low, m.length_mm.high
    );
    assert!(
        (w.value - 2.0).abs() <= 0.2,
        "width {} mm from {widths:?}",
        w.value
    );
    assert!(
        (0.19..=0.22).contains(&w.uncertainty()),
        "±{}",
        w.uncertainty()
    );
    assert!(w.low <= 2.0 && 2.0 <= w.high);

    let true_len_mm = (B.0 - A.0).hypot(B.1 - A.1) * 140.0 / 700.0;
    let l = m.length_mm;
    assert!(
        (l.value - true_len_mm).abs() / true_len_mm < 0.01,
        "length {} mm vs {true_len_mm} mm",
        l.value
    );
    assert!(l.low <= true_len_mm && true_len_mm <= l.high, "{l:?}");
}
