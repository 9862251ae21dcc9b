//! The embedded boundaries are parsed once per process however many callers ask for them,
//! from however many threads (issue 14 section 1). Its own test binary, so that the count of
//! parses is this test's alone.

use assess_photo::Boundaries;

#[test]
fn shared_boundaries_are_parsed_once() {
    assert_eq!(Boundaries::embedded_parses(), 0);
    let addresses: Vec<usize> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| {
                s.spawn(|| {
                    (0..10)
                        .map(|_| Boundaries::poverty_shared().unwrap() as *const _ as usize)
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    assert!(addresses.iter().all(|&a| a == addresses[0]));
    assert_eq!(Boundaries::embedded_parses(), 1);
    // Luquan is there; the focus set is a second, separate parse, also once.
    let b = Boundaries::poverty_shared().unwrap();
    assert!(b.county("530128").is_ok());
    Boundaries::focus_shared().unwrap();
    Boundaries::focus_shared().unwrap();
    assert_eq!(Boundaries::embedded_parses(), 2);
    // Parsing anew is counted: the counter would show a caller that bypassed the shared set.
    Boundaries::poverty().unwrap();
    assert_eq!(Boundaries::embedded_parses(), 3);
}
