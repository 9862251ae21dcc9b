//! The JPEG thumbnail without a full-resolution decode: the decoder's inverse DCT is run at
//! 1/2, 1/4 or 1/8 size (jpeg-decoder's `Decoder::scale`, what libjpeg's `scale_denom` and
//! Pillow's `Image.draft` do), the smallest of those that is still at least the thumbnail's
//! size, then the same area-averaging `thumbnail` as before brings it to the exact size.
//!
//! Why this is exact enough (docs/photos.md, "The thumbnail"): at 1/8 the reduced IDCT keeps
//! only each 8 × 8 block's DC coefficient, which *is* the block's mean (times 8), so each
//! decoded pixel is the mean of the 64 full-resolution pixels the full decode would have made
//! (up to rounding and chroma upsampling); at 1/2 and 1/4 the kept low frequencies give the
//! block's means over 4 × 4 or 2 × 2 sub-blocks. A 320 px thumbnail averages 12.5 × 12.5
//! full-resolution pixels per pixel of a 4000 px photo anyway: it only loses where a
//! thumbnail pixel's edge cuts a block. The entropy-coded data is still decoded whole, so a
//! corrupt scan is still refused.

use image::RgbImage;

/// What the frame header says, read before any pixel is decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Frame {
    /// Progressive (SOF2, SOF6, SOF10, SOF14): the decoder keeps every coefficient.
    pub progressive: bool,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Horizontal and vertical sampling factor of each component.
    pub sampling: Vec<(u32, u32)>,
}

/// The frame header (SOFn) of a JPEG, found by walking the marker segments from the start
/// of the file up to the first scan. `None` when there is none or a segment runs past the
/// end (the decoder then says what is wrong).
pub(crate) fn frame(bytes: &[u8]) -> Option<Frame> {
    let mut i = 2; // after SOI
    while i + 4 <= bytes.len() {
        if bytes[i] != 0xFF {
            return None;
        }
        let marker = bytes[i + 1];
        match marker {
            0xFF => {
                i += 1; // fill byte
                continue;
            }
            0x01 | 0xD0..=0xD8 => {
                i += 2; // no length
                continue;
            }
            0xD9 | 0xDA => return None,
            _ => {}
        }
        let len = usize::from(u16::from_be_bytes([bytes[i + 2], bytes[i + 3]]));
        let segment = bytes.get(i + 4..i + 2 + len.max(2))?;
        if matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) {
            // precision (1), height (2), width (2), count (1), then (id, HV, Tq) per component.
            let height = u32::from(u16::from_be_bytes([*segment.get(1)?, *segment.get(2)?]));
            let width = u32::from(u16::from_be_bytes([*segment.get(3)?, *segment.get(4)?]));
            let count = usize::from(*segment.get(5)?);
            let sampling = (0..count)
                .map(|c| {
                    let hv = *segment.get(6 + 3 * c + 1)?;
                    Some((u32::from(hv >> 4).max(1), u32::from(hv & 15).max(1)))
                })
                .collect::<Option<Vec<_>>>()?;
            if sampling.is_empty() {
                return None;
            }
            return Some(Frame {
                progressive: matches!(marker, 0xC2 | 0xC6 | 0xCA | 0xCE),
                width,
                height,
                sampling,
            });
        }
        i += 2 + len;
    }
    None
}

/// The reduced-IDCT size jpeg-decoder picks for a requested size (its `choose_idct_size`:
/// the smallest of 1/8, 1/4, 1/2, 1/1 whose output reaches the request in one axis), as
/// eighths.
pub(crate) fn idct_eighths(width: u32, height: u32, want_w: u32, want_h: u32) -> u32 {
    let scaled = |len: u32, s: u32| (len * s).div_ceil(8);
    [1, 2, 4]
        .into_iter()
        .find(|&s| scaled(width, s) >= want_w || scaled(height, s) >= want_h)
        .unwrap_or(8)
}

/// Bytes the scaled decode allocates, at most: the coefficients of every block when the JPEG
/// is progressive (2 bytes each, 64 per block, at full resolution: the decoder must keep them
/// until the last scan), each component's plane at the reduced size, and the interleaved
/// output. The blocks are counted as jpeg-decoder counts them (whole MCUs).
pub(crate) fn decode_bytes(frame: &Frame, eighths: u32) -> u64 {
    let h_max = frame.sampling.iter().map(|s| s.0).max().unwrap_or(1);
    let v_max = frame.sampling.iter().map(|s| s.1).max().unwrap_or(1);
    let mcu_w = u64::from(frame.width.div_ceil(8 * h_max));
    let mcu_h = u64::from(frame.height.div_ceil(8 * v_max));
    let mut total = 0u64;
    for &(h, v) in &frame.sampling {
        let blocks = mcu_w * u64::from(h) * mcu_h * u64::from(v);
        if frame.progressive {
            total += blocks * 64 * 2;
        }
        total += blocks * u64::from(eighths * eighths);
    }
    let out_w = u64::from((frame.width * eighths).div_ceil(8));
    let out_h = u64::from((frame.height * eighths).div_ceil(8));
    total + out_w * out_h * frame.sampling.len() as u64
}

/// The thumbnail's size for an image of `width` × `height` fitted into `n` × `n`: the same
/// arithmetic as `image`'s `DynamicImage::thumbnail` (its `resize_dimensions`), so that the
/// fast path's thumbnail has exactly the size the full decode's had.
pub(crate) fn thumbnail_size(width: u32, height: u32, n: u32) -> (u32, u32) {
    let ratio = f64::min(
        f64::from(n) / f64::from(width),
        f64::from(n) / f64::from(height),
    );
    let side = |len: u32| ((f64::from(len) * ratio).round() as u32).max(1);
    (side(width), side(height))
}

/// Why the scaled decode could not be used.
pub(crate) enum ScaledError {
    /// The decoder does not handle this variant (or its output is not 8-bit grey or RGB):
    /// the caller takes the full decode, which may.
    Unsupported,
    /// The data is corrupt: the decoder's message.
    Corrupt(String),
}

/// Decode a JPEG at the reduced size for a `tw` × `th` thumbnail and bring it to that size.
pub(crate) fn scaled_thumbnail(bytes: &[u8], tw: u32, th: u32) -> Result<RgbImage, ScaledError> {
    use jpeg_decoder::{Decoder, Error, PixelFormat};
    let corrupt = |e: Error| match e {
        Error::Unsupported(_) => ScaledError::Unsupported,
        other => ScaledError::Corrupt(other.to_string()),
    };
    let mut decoder = Decoder::new(bytes);
    let want = |n: u32| u16::try_from(n).unwrap_or(u16::MAX);
    let (w, h) = decoder.scale(want(tw), want(th)).map_err(corrupt)?;
    let format = decoder
        .info()
        .map(|i| i.pixel_format)
        .ok_or(ScaledError::Unsupported)?;
    let pixels = decoder.decode().map_err(corrupt)?;
    let (w, h) = (u32::from(w), u32::from(h));
    let rgb = match format {
        PixelFormat::RGB24 => RgbImage::from_raw(w, h, pixels),
        PixelFormat::L8 => {
            let grey = image::GrayImage::from_raw(w, h, pixels);
            grey.map(|g| image::DynamicImage::ImageLuma8(g).into_rgb8())
        }
        PixelFormat::L16 | PixelFormat::CMYK32 => return Err(ScaledError::Unsupported),
    }
    .ok_or_else(|| ScaledError::Corrupt("decoder returned fewer pixels than its size".into()))?;
    Ok(image::imageops::thumbnail(&rgb, tw, th))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idct_size_matches_the_decoders_choice() {
        // 4000 × 3000 for 320 × 240: 1/8 gives 500 × 375.
        assert_eq!(idct_eighths(4000, 3000, 320, 240), 1);
        // 1000 × 1000 for 320 × 320: 1/8 = 125, 1/4 = 250, 1/2 = 500.
        assert_eq!(idct_eighths(1000, 1000, 320, 320), 4);
        // Smaller than the thumbnail: full size.
        assert_eq!(idct_eighths(64, 48, 320, 240), 8);
    }

    #[test]
    fn thumbnail_size_is_images() {
        // The numbers `DynamicImage::thumbnail(320, 320)` gives.
        for (w, h) in [
            (4000, 3000),
            (3000, 4000),
            (4001, 2999),
            (64, 48),
            (10_000, 7),
        ] {
            let img = RgbImage::new(w, h);
            let t = image::DynamicImage::ImageRgb8(img).thumbnail(320, 320);
            assert_eq!(
                thumbnail_size(w, h, 320),
                (t.width(), t.height()),
                "{w}x{h}"
            );
        }
    }

    #[test]
    fn decode_estimate_counts_progressive_coefficients() {
        let baseline = Frame {
            progressive: false,
            width: 4000,
            height: 3000,
            sampling: vec![(2, 2), (1, 1), (1, 1)],
        };
        // 4:2:0 at 1/8: Y 500 × 376 blocks (whole MCUs of 16 px), Cb and Cr 250 × 188, one
        // byte each; output 500 × 375 × 3.
        let planes = 500 * 376 + 2 * 250 * 188;
        assert_eq!(decode_bytes(&baseline, 1), planes + 500 * 375 * 3);
        let progressive = Frame {
            progressive: true,
            ..baseline
        };
        assert_eq!(decode_bytes(&progressive, 1), planes * 129 + 500 * 375 * 3);
    }
}
