//! `run`'s live output: libtest's lines, the progress line and `-v`'s transcripts, kept
//! apart. libtest writes into a pipe (its `logfile`) that a thread forwards to stdout, or to
//! stderr under `--json -`, a whole line at a time; the progress line (stderr, on a terminal
//! only) is cleared before any other line is written and drawn again after it, so neither
//! stream ever carries a piece of the other.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use super::color::Colors;
use crate::report::ReportOptions;
use crate::report::console::{render_live_scenario, render_live_step};
use crate::report::progress::Progress;
use crate::runner::{Event, Observer, Outcome};

/// How often the progress line is drawn again.
const TICK: Duration = Duration::from_millis(250);

/// Terminal control: back to the start of the line and erase it.
const CLEAR_LINE: &str = "\r\x1b[K";

/// The live side of one run.
pub struct Live {
    state: Mutex<State>,
    clock: Instant,
    /// Draw the progress line (stderr is a terminal that understands escape sequences).
    progress: AtomicBool,
    /// Print each step's transcript (`-v`).
    verbose: bool,
    /// How `-v` renders (stderr's colour, the run's masking).
    opts: ReportOptions,
}

struct State {
    progress: Progress,
    /// The progress line is on the screen now.
    shown: bool,
    err: anstream::AutoStream<std::io::Stderr>,
    /// The progress line is drawn no more (the run is over).
    finished: bool,
}

/// Where a forwarded line goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    /// stdout.
    Out,
    /// stderr.
    Err,
}

impl Live {
    /// The live output of a run of `total` scenarios.
    pub fn new(
        total: usize,
        progress: bool,
        verbose: bool,
        colors: Colors,
        opts: ReportOptions,
    ) -> Arc<Live> {
        Arc::new(Live {
            state: Mutex::new(State {
                progress: Progress::new(total),
                shown: false,
                err: colors.stderr(),
                finished: false,
            }),
            clock: Instant::now(),
            progress: AtomicBool::new(progress),
            verbose,
            opts: ReportOptions {
                color: colors.stderr,
                ..opts
            },
        })
    }

    /// Runs `f` with the progress line out of the way, then draws it again.
    fn with_line_cleared(&self, f: impl FnOnce(&mut State)) {
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if st.shown {
            // Terminal control, not colour: past anstream, which would strip it.
            let _ = std::io::stderr().write_all(CLEAR_LINE.as_bytes());
            st.shown = false;
        }
        f(&mut st);
        let _ = st.err.flush();
        if self.progress.load(Ordering::Relaxed) && !st.finished {
            let now = self.clock.elapsed();
            let line = st.progress.line(now, terminal_width().saturating_sub(1));
            let mut err = std::io::stderr().lock();
            let _ = err.write_all(line.as_bytes());
            let _ = err.flush();
            st.shown = true;
        }
    }

    /// Writes `bytes` (whole lines of libtest's) to `to`.
    pub fn forward(&self, to: Stream, bytes: &[u8]) {
        self.with_line_cleared(|_| {
            let _ = match to {
                Stream::Out => {
                    let mut out = std::io::stdout().lock();
                    out.write_all(bytes).and_then(|()| out.flush())
                }
                Stream::Err => std::io::stderr().lock().write_all(bytes),
            };
        });
    }

    /// Draws the progress line again, after the warnings of steps that turned slow.
    fn tick(&self) {
        self.with_line_cleared(|st| {
            for warning in st.progress.slow_steps(self.clock.elapsed()) {
                let _ = writeln!(st.err, "{warning}");
            }
        });
    }

    /// Shows no progress line (before the run starts).
    pub fn no_progress(&self) {
        self.progress.store(false, Ordering::Relaxed);
    }

    /// Takes the progress line off the screen for good.
    pub fn finish(&self) {
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        st.finished = true;
        if st.shown {
            let mut err = std::io::stderr().lock();
            let _ = err.write_all(CLEAR_LINE.as_bytes());
            let _ = err.flush();
            st.shown = false;
        }
    }

    /// The scenarios running now.
    pub fn running(&self) -> Vec<String> {
        let st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        st.progress.running()
    }

    /// Draws the progress line every [`TICK`] until the returned ticker is stopped; none
    /// without a progress line.
    pub fn ticker(self: &Arc<Live>) -> Option<Ticker> {
        if !self.progress.load(Ordering::Relaxed) {
            return None;
        }
        let (stop, stopped) = mpsc::channel::<()>();
        let live = self.clone();
        let thread = std::thread::spawn(move || {
            while let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(TICK) {
                live.tick();
            }
        });
        Some(Ticker { stop, thread })
    }
}

impl Observer for Live {
    fn event(&self, event: &Event<'_>) {
        let now = self.clock.elapsed();
        self.with_line_cleared(|st| match *event {
            Event::ScenarioStarted { id } => st.progress.scenario_started(id),
            Event::StepStarted {
                id,
                index,
                phase,
                name,
            } => st.progress.step_started(id, index, phase, name, now),
            Event::StepFinished { id, step } => {
                st.progress.step_finished(id);
                if self.verbose {
                    let _ = st
                        .err
                        .write_all(render_live_step(id, step, &self.opts).as_bytes());
                }
            }
            Event::ScenarioFinished { result } => {
                let passed = matches!(result.outcome, Outcome::Passed | Outcome::Skipped(_));
                st.progress.scenario_finished(&result.id, passed);
                if self.verbose {
                    let _ = st
                        .err
                        .write_all(render_live_scenario(result, &self.opts).as_bytes());
                }
            }
        });
    }
}

/// The thread that keeps the progress line fresh.
pub struct Ticker {
    stop: mpsc::Sender<()>,
    thread: std::thread::JoinHandle<()>,
}

impl Ticker {
    /// Stops the thread.
    pub fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.thread.join();
    }
}

/// libtest's output on its way through a pipe to [`Live::forward`].
pub struct Forwarder {
    logfile: String,
    writer: std::io::PipeWriter,
    thread: std::thread::JoinHandle<()>,
}

impl Forwarder {
    /// A pipe whose lines go to `to` through `live`; None where libtest cannot be given the
    /// pipe as its logfile (no `/dev/fd` or `/proc/self/fd`, or not a Unix system).
    pub fn start(live: Arc<Live>, to: Stream) -> Option<Forwarder> {
        let (reader, writer) = std::io::pipe().ok()?;
        let logfile = fd_path(&writer)?;
        // libtest-mimic panics when its logfile does not open: make sure it will.
        std::fs::OpenOptions::new()
            .write(true)
            .open(&logfile)
            .ok()?;
        let thread = std::thread::spawn(move || {
            use std::io::BufRead;
            let mut lines = std::io::BufReader::new(reader);
            let mut line = Vec::new();
            loop {
                line.clear();
                match lines.read_until(b'\n', &mut line) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => live.forward(to, &line),
                }
            }
        });
        Some(Forwarder {
            logfile,
            writer,
            thread,
        })
    }

    /// The path to give libtest as its `logfile`.
    pub fn logfile(&self) -> &str {
        &self.logfile
    }

    /// Once libtest is done (its end of the pipe closed): waits for the last line to be written.
    pub fn finish(self) {
        drop(self.writer);
        let _ = self.thread.join();
    }
}

/// A path that opens the pipe's write end.
#[cfg(unix)]
fn fd_path(writer: &std::io::PipeWriter) -> Option<String> {
    use std::os::fd::AsRawFd;
    let fd = writer.as_raw_fd();
    ["/dev/fd", "/proc/self/fd"]
        .iter()
        .map(|dir| format!("{dir}/{fd}"))
        .find(|p| std::path::Path::new(p).exists())
}

#[cfg(not(unix))]
fn fd_path(_: &std::io::PipeWriter) -> Option<String> {
    None
}

/// The width of the terminal on stderr (80 when it cannot be told).
#[cfg(unix)]
fn terminal_width() -> usize {
    let mut size = libc::winsize {
        ws_row: 0,
        ws_col: 0,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: TIOCGWINSZ only writes a winsize into the struct it is given, which lives here.
    let ok = unsafe { libc::ioctl(libc::STDERR_FILENO, libc::TIOCGWINSZ, &mut size) } == 0;
    if ok && size.ws_col > 0 {
        usize::from(size.ws_col)
    } else {
        80
    }
}

#[cfg(not(unix))]
fn terminal_width() -> usize {
    80
}
