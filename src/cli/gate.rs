//! The upgrade-gate flags of `run`: `--baseline`, `--strict-baseline`, `--write-baseline`
//! (`--force`), `--snapshots` and `--record-snapshots`. Files are read (and a file that would
//! be overwritten refused) before the server is probed; the reviews go into the plan; what is
//! written after the run is said on stdout.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use super::{Exit, ExitError};
use crate::gate::Normalizer;
use crate::gate::baseline::{self, Baseline};
use crate::gate::snapshot::{self, SnapshotReview};
use crate::report::text::printable;
use crate::runner::{Plan, RunConfig, RunResult};

/// What `run` was asked to do with baselines and snapshots.
#[derive(Debug, Clone, Default)]
pub struct GateFlags {
    /// `--baseline FILE`.
    pub baseline: Option<PathBuf>,
    /// `--strict-baseline`.
    pub strict_baseline: bool,
    /// `--write-baseline FILE`.
    pub write_baseline: Option<PathBuf>,
    /// `--force`.
    pub force: bool,
    /// `--snapshots DIR`.
    pub snapshots: Option<PathBuf>,
    /// `--record-snapshots DIR`.
    pub record_snapshots: Option<PathBuf>,
}

/// The gate of one run, from before the probe to after the reports.
pub struct Gate {
    flags: GateFlags,
    norm: Normalizer,
    baseline: Option<Baseline>,
}

fn usage(message: String) -> ExitError {
    ExitError {
        exit: Exit::Usage,
        message,
    }
}

impl Gate {
    /// Reads the baseline and refuses to overwrite a file without `--force`.
    pub fn before(flags: GateFlags, config: &RunConfig) -> Result<Gate, ExitError> {
        if let Some(path) = &flags.write_baseline
            && path.exists()
            && !flags.force
        {
            return Err(usage(format!(
                "--write-baseline {}: the file exists; give --force to replace it (entries it shares with --baseline keep their reason)",
                path.display()
            )));
        }
        let baseline = match &flags.baseline {
            Some(path) => Some(Baseline::load(path).map_err(|e| usage(e.to_string()))?),
            None => None,
        };
        Ok(Gate {
            norm: Normalizer::new(&config.profile.volatile),
            flags,
            baseline,
        })
    }

    /// Checks the baseline against the planned scenarios and puts the reviews into the plan:
    /// the snapshot comparison first, so the baseline can list its differences too.
    pub fn arm(&self, plan: &mut Plan) -> Result<(), ExitError> {
        if let Some(dir) = &self.flags.snapshots {
            let review = SnapshotReview::load(dir, &plan.scenarios, self.norm.clone())
                .map_err(|e| usage(e.to_string()))?;
            plan.reviews.push(Arc::new(review));
        }
        if let Some(b) = &self.baseline {
            b.check(&plan.scenarios).map_err(|e| usage(e.to_string()))?;
            plan.reviews.push(Arc::new(
                b.clone()
                    .review(self.norm.clone(), self.flags.strict_baseline),
            ));
        }
        Ok(())
    }

    /// Records snapshots and writes the baseline, saying so on stdout.
    pub fn after(&self, result: &RunResult) -> anyhow::Result<()> {
        let mut out = std::io::stdout().lock();
        if let Some(dir) = &self.flags.record_snapshots {
            let done = snapshot::record(result, dir, &self.norm)?;
            writeln!(
                out,
                "sip2check: recorded {} snapshot(s) in {}{}",
                done.files,
                dir.display(),
                match done.unstable.len() {
                    0 => String::new(),
                    n => format!(
                        "; {n} value(s) differed from the last recording and are now marked unstable:"
                    ),
                }
            )?;
            for note in &done.unstable {
                writeln!(out, "  unstable  {}", printable(note))?;
            }
        }
        if let Some(path) = &self.flags.write_baseline {
            let n =
                baseline::write(result, path, self.baseline.as_ref(), &self.norm).map_err(|e| {
                    anyhow::anyhow!("cannot write the baseline {}: {e}", path.display())
                })?;
            writeln!(
                out,
                "sip2check: wrote {n} known failure(s) to {}; review them before you commit it",
                path.display()
            )?;
        }
        Ok(())
    }
}
