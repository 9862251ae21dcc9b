//! Planted: a library that prints, names a command-line option in a message, speaks HTTP and
//! depends on the binary.

/// The violations.
pub fn write(dir: &str) -> Result<(), String> {
    println!("writing {dir}");
    Err(format!("{dir} exists; choose another --out"))
}
