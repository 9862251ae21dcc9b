//! Planted: a crate documented as doing no I/O reads a file (and depends on sqlx).
//! A doc comment may name `--options`.

/// Reads a file: the violation.
pub fn read() -> String {
    std::fs::read_to_string("data.csv").unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[test]
    fn tests_may_print_and_name_options() {
        println!("--anything goes in a test");
    }
}
