//! Progress bars for long work (indicatif), hidden when stderr is not a terminal.

use indicatif::{ProgressBar, ProgressStyle};

/// A spinner counting items (households, rows) with a message.
pub fn counter(message: &str) -> ProgressBar {
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg}: {human_pos} {per_sec} [{elapsed}]")
            .expect("static template"),
    );
    bar.set_message(message.to_string());
    bar
}
