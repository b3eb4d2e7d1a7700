//! The output policy, decided once: colours, width, and the progress
//! spinner (stderr only, only on a terminal, only when a scan takes more
//! than a moment, never with JSON).

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// `--color` as typed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorWhen {
    /// A terminal, `NO_COLOR` unset, `TERM` not dumb.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// Whether stdout gets colours.
pub fn stdout_color(when: ColorWhen) -> bool {
    match when {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        ColorWhen::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::env::var("TERM").is_ok_and(|t| t != "dumb")
                && std::io::stdout().is_terminal()
        }
    }
}

/// Width for text output: the terminal's, else `COLUMNS`, else 100.
pub fn width() -> usize {
    if let Some((_, w)) = console::Term::stdout().size_checked() {
        return usize::from(w);
    }
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(100)
}

/// A spinner on stderr that appears only if the work lasts over 300 ms.
pub struct Progress {
    /// Entries seen so far (the walk increments it).
    pub counter: Arc<AtomicU64>,
    done: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

impl Progress {
    /// Starts the spinner thread when stderr is a terminal and `enabled`.
    pub fn start(enabled: bool) -> Progress {
        let counter = Arc::new(AtomicU64::new(0));
        let done = Arc::new(AtomicBool::new(false));
        let handle = (enabled && std::io::stderr().is_terminal()).then(|| {
            let counter = counter.clone();
            let done = done.clone();
            std::thread::spawn(move || {
                let mut waited = Duration::ZERO;
                while waited < Duration::from_millis(300) {
                    if done.load(Ordering::Relaxed) {
                        return;
                    }
                    std::thread::sleep(Duration::from_millis(20));
                    waited += Duration::from_millis(20);
                }
                let bar = indicatif::ProgressBar::new_spinner();
                bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
                while !done.load(Ordering::Relaxed) {
                    bar.set_message(format!(
                        "scanning: {} entries",
                        counter.load(Ordering::Relaxed)
                    ));
                    bar.tick();
                    std::thread::sleep(Duration::from_millis(80));
                }
                bar.finish_and_clear();
            })
        });
        Progress {
            counter,
            done,
            handle,
        }
    }

    /// The counter to hand to the walk, when the spinner runs.
    pub fn counter(&self) -> Option<&AtomicU64> {
        self.handle.as_ref().map(|_| &*self.counter)
    }

    /// Stops and clears the spinner.
    pub fn finish(mut self) {
        self.done.store(true, Ordering::Relaxed);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}
