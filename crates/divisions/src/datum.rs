//! GCJ-02 ⇄ WGS-84. Chinese web map data (the boundaries and the 2016 coordinates embedded
//! here) are published in GCJ-02, offset 100-700 m from the WGS-84 that phone GPS reports.
//! The published obfuscation formula is implemented by the `coordtransform` crate; these
//! wrappers only fix the argument order used across the project: (lon, lat).

/// WGS-84 (phone GPS) to GCJ-02 (Chinese map data). Points outside China are unchanged.
pub fn wgs84_to_gcj02(lon: f64, lat: f64) -> (f64, f64) {
    coordtransform::wgs84_to_gcj02(lon, lat)
}

/// GCJ-02 to WGS-84, by the library's iterative inverse (error well under a metre).
pub fn gcj02_to_wgs84(lon: f64, lat: f64) -> (f64, f64) {
    coordtransform::gcj02_to_wgs84(lon, lat)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offset_is_hundreds_of_metres_and_round_trips() {
        // Kunming: the shift there is a few hundred metres (100-700 m: docs/sources.md#map-datums).
        let (lon, lat) = (102.71, 25.04);
        let (glon, glat) = wgs84_to_gcj02(lon, lat);
        let metres =
            ((glon - lon) * 111_320.0 * lat.to_radians().cos()).hypot((glat - lat) * 110_540.0);
        assert!((100.0..700.0).contains(&metres), "offset {metres} m");
        let (blon, blat) = gcj02_to_wgs84(glon, glat);
        assert!((blon - lon).abs() < 1e-5 && (blat - lat).abs() < 1e-5);
    }
}
