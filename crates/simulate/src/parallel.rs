//! Work shared among threads by index, the results put back in index order, so that a study
//! does not depend on the scheduling.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// Runs `job(i)` for every i in 0..count on up to `threads` workers, each taking the next
/// index; the results in index order, or the first error (the workers then stop taking work).
pub(crate) fn in_order<T: Send, E: Send>(
    count: usize,
    threads: usize,
    job: impl Fn(usize) -> Result<T, E> + Sync,
) -> Result<Vec<T>, E> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<T>>> = Mutex::new((0..count).map(|_| None).collect());
    let failure: Mutex<Option<E>> = Mutex::new(None);
    std::thread::scope(|scope| {
        for _ in 0..threads.min(count) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= count || failure.lock().expect("not poisoned").is_some() {
                    break;
                }
                match job(i) {
                    Ok(value) => results.lock().expect("not poisoned")[i] = Some(value),
                    Err(e) => {
                        failure.lock().expect("not poisoned").get_or_insert(e);
                        break;
                    }
                }
            });
        }
    });
    if let Some(e) = failure.into_inner().expect("not poisoned") {
        return Err(e);
    }
    Ok(results
        .into_inner()
        .expect("not poisoned")
        .into_iter()
        .map(|o| o.expect("every job ran"))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_back_in_order_and_the_first_error_stops_the_work() {
        let squares = in_order(100, 4, |i| Ok::<_, ()>(i * i)).unwrap();
        assert_eq!(squares, (0..100).map(|i| i * i).collect::<Vec<_>>());
        let failed = in_order(100, 4, |i| if i == 37 { Err(i) } else { Ok(i) });
        assert_eq!(failed, Err(37));
        assert_eq!(
            in_order(0, 4, Ok::<usize, ()>).unwrap(),
            Vec::<usize>::new()
        );
    }
}
