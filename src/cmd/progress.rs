//! Progress bars for long work (indicatif), hidden when stderr is not a terminal.

use assess_synth::Progress;
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

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

/// `assess synth`: an overall bar over counties (when there are several) and a bar for the
/// current county.
pub struct SynthBars {
    multi: MultiProgress,
    overall: std::cell::RefCell<Option<ProgressBar>>,
    county: std::cell::RefCell<Option<ProgressBar>>,
}

impl SynthBars {
    pub fn new() -> SynthBars {
        SynthBars {
            multi: MultiProgress::new(),
            overall: Default::default(),
            county: Default::default(),
        }
    }

    pub fn update(&self, progress: Progress<'_>) {
        match progress {
            Progress::County {
                code,
                name,
                index,
                of,
                households,
            } => {
                if of > 1 && index == 0 {
                    let bar = self.multi.add(ProgressBar::new(of as u64));
                    bar.set_style(style(
                        "counties {pos}/{len} {wide_bar} [{elapsed} / ~{eta}]",
                    ));
                    *self.overall.borrow_mut() = Some(bar);
                }
                let bar = self.multi.add(ProgressBar::new(households));
                bar.set_style(style("{msg} {human_pos}/{human_len} households {per_sec}"));
                bar.set_message(format!("{code} {name}"));
                *self.county.borrow_mut() = Some(bar);
            }
            Progress::Households(n) => {
                if let Some(bar) = self.county.borrow().as_ref() {
                    bar.inc(n);
                }
            }
            Progress::CountyDone => {
                if let Some(bar) = self.county.borrow_mut().take() {
                    bar.finish_and_clear();
                    self.multi.remove(&bar);
                }
                if let Some(bar) = self.overall.borrow().as_ref() {
                    bar.inc(1);
                }
            }
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = self.overall.borrow_mut().take() {
            bar.finish_and_clear();
        }
    }
}

fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar())
}
