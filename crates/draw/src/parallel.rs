//! Work split over the machine's cores, results in input order: a national draw checks its
//! plan against 800 counties, each independent of the others.

/// `f` applied to consecutive parts of `items` (one part per core) on scoped threads; the
/// results in the parts' order. A panic in `f` is resumed on the caller's thread.
pub(crate) fn map_parts<T: Sync, R: Send>(items: &[T], f: impl Fn(&[T]) -> R + Sync) -> Vec<R> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let per_part = items.len().div_ceil(cores).max(1);
    let f = &f;
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(per_part)
            .map(|part| scope.spawn(move || f(part)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn parts_come_back_in_order_and_cover_every_item() {
        let items: Vec<u32> = (0..1001).collect();
        let parts = super::map_parts(&items, |part| part.to_vec());
        assert!(parts.len() <= std::thread::available_parallelism().map_or(1, |n| n.get()));
        assert_eq!(parts.concat(), items);
        assert!(super::map_parts(&[] as &[u32], |p| p.len()).is_empty());
    }
}
