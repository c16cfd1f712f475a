//! The probe's results as Prometheus metrics (OpenMetrics text, which node-exporter's textfile
//! collector and Prometheus both read), and the atomic write of a textfile.
//!
//! Series per account (labels `endpoint`, `account`): `sip2_probe_up`, `sip2_probe_status`
//! (one series per class, 1 for the current one), `sip2_probe_duration_seconds` (per `phase`,
//! plus `total`), `sip2_probe_last_success_timestamp_seconds` and `sip2_probe_timestamp_seconds`.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::AtomicU64;
use std::time::{SystemTime, UNIX_EPOCH};

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

use super::{AccountResult, Class, Phase};

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct AccountLabels {
    endpoint: String,
    account: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PhaseLabels {
    endpoint: String,
    account: String,
    phase: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ClassLabels {
    endpoint: String,
    account: String,
    class: &'static str,
}

type FloatGauge = Gauge<f64, AtomicU64>;

/// The registry and the series the probe keeps up to date.
pub struct Metrics {
    registry: Registry,
    up: Family<AccountLabels, Gauge>,
    status: Family<ClassLabels, Gauge>,
    duration: Family<PhaseLabels, FloatGauge>,
    last_success: Family<AccountLabels, FloatGauge>,
    last_probe: Family<AccountLabels, FloatGauge>,
    /// When each account last succeeded, so a failing round keeps the old time.
    successes: Mutex<HashMap<AccountLabels, f64>>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    /// An empty registry with the probe's metrics registered.
    pub fn new() -> Metrics {
        let (up, status, duration) = (Family::default(), Family::default(), Family::default());
        let (last_success, last_probe) = (Family::default(), Family::default());
        let mut registry = Registry::default();
        registry.register(
            "sip2_probe_up",
            "1 when the account's last probe got every answer (class ok or slow), else 0",
            Family::<AccountLabels, Gauge>::clone(&up),
        );
        registry.register(
            "sip2_probe_status",
            "1 for the class the account's last probe ended in, 0 for the others",
            Family::<ClassLabels, Gauge>::clone(&status),
        );
        registry.register(
            "sip2_probe_duration_seconds",
            "Latency of each phase of the last probe (connect, login, status, patron) and the total; phases not reached are absent",
            Family::<PhaseLabels, FloatGauge>::clone(&duration),
        );
        registry.register(
            "sip2_probe_last_success_timestamp_seconds",
            "Unix time of the account's last successful probe (0: none since the start)",
            Family::<AccountLabels, FloatGauge>::clone(&last_success),
        );
        registry.register(
            "sip2_probe_timestamp_seconds",
            "Unix time of the account's last probe",
            Family::<AccountLabels, FloatGauge>::clone(&last_probe),
        );
        Metrics {
            registry,
            up,
            status,
            duration,
            last_success,
            last_probe,
            successes: Mutex::new(HashMap::new()),
        }
    }

    /// Sets every series from one round of results, taken at `now`.
    pub fn update(&self, endpoint: &str, results: &[AccountResult], now: SystemTime) {
        let now = now
            .duration_since(UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        let mut successes = self.successes.lock().unwrap_or_else(|p| p.into_inner());
        for r in results {
            let account = AccountLabels {
                endpoint: endpoint.to_string(),
                account: r.user.clone(),
            };
            self.up
                .get_or_create(&account)
                .set(i64::from(r.class.is_up()));
            for class in Class::ALL {
                self.status
                    .get_or_create(&ClassLabels {
                        endpoint: endpoint.to_string(),
                        account: r.user.clone(),
                        class: class.name(),
                    })
                    .set(i64::from(class == r.class));
            }
            let phase_labels = |phase: &'static str| PhaseLabels {
                endpoint: endpoint.to_string(),
                account: r.user.clone(),
                phase,
            };
            for phase in Phase::ALL {
                let labels = phase_labels(phase.name());
                match r.phases.iter().find(|(p, _)| *p == phase) {
                    Some((_, d)) => {
                        self.duration.get_or_create(&labels).set(d.as_secs_f64());
                    }
                    None => {
                        self.duration.remove(&labels);
                    }
                }
            }
            self.duration
                .get_or_create(&phase_labels("total"))
                .set(r.total.as_secs_f64());
            if r.class.is_up() {
                successes.insert(account.clone(), now);
            }
            self.last_success
                .get_or_create(&account)
                .set(successes.get(&account).copied().unwrap_or(0.0));
            self.last_probe.get_or_create(&account).set(now);
        }
    }

    /// The metrics as OpenMetrics text, each family's samples sorted (the registry keeps them
    /// in hash order), so two scrapes or textfiles of the same state are the same text.
    pub fn encode(&self) -> String {
        let mut raw = String::new();
        // Writing into a String cannot fail; an error would leave a shorter text, never a panic.
        let _ = prometheus_client::encoding::text::encode(&mut raw, &self.registry);
        sorted_samples(&raw)
    }
}

/// `text` with every run of sample lines (between `#` lines) sorted.
fn sorted_samples(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run: Vec<&str> = Vec::new();
    for line in text.lines() {
        if line.starts_with('#') {
            run.sort_unstable();
            for sample in run.drain(..) {
                out.push_str(sample);
                out.push('\n');
            }
            out.push_str(line);
        } else {
            run.push(line);
            continue;
        }
        out.push('\n');
    }
    run.sort_unstable();
    for sample in run {
        out.push_str(sample);
        out.push('\n');
    }
    out
}

/// Writes `text` to `path` atomically: a temporary file in the same directory, then a rename,
/// so node-exporter never reads half a file.
pub fn write_textfile(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "metrics".into());
    // A name node-exporter ignores (it reads only *.prom) until the rename.
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let written = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::probe::Level;
    use std::time::Duration;

    fn result(user: &str, class: Class, phases: &[Phase]) -> AccountResult {
        AccountResult {
            user: user.into(),
            class,
            level: Level::Ok,
            phases: phases
                .iter()
                .map(|p| (*p, Duration::from_millis(2)))
                .collect(),
            total: Duration::from_millis(5),
            detail: None,
        }
    }

    #[test]
    fn a_failing_round_keeps_the_last_success_and_drops_phases_not_reached() {
        let m = Metrics::new();
        let t0 = UNIX_EPOCH + Duration::from_secs(1_000);
        m.update("h:1", &[result("a", Class::Ok, &Phase::ALL)], t0);
        let text = m.encode();
        assert!(
            text.contains(r#"sip2_probe_up{endpoint="h:1",account="a"} 1"#),
            "{text}"
        );
        assert!(
            text.contains(
                r#"sip2_probe_duration_seconds{endpoint="h:1",account="a",phase="patron"} 0.002"#
            ),
            "{text}"
        );
        let t1 = t0 + Duration::from_secs(60);
        m.update("h:1", &[result("a", Class::Silent, &[Phase::Connect])], t1);
        let text = m.encode();
        assert!(
            text.contains(r#"sip2_probe_up{endpoint="h:1",account="a"} 0"#),
            "{text}"
        );
        assert!(!text.contains(r#"phase="patron""#), "{text}");
        assert!(
            text.contains(
                r#"sip2_probe_last_success_timestamp_seconds{endpoint="h:1",account="a"} 1000.0"#
            ),
            "{text}"
        );
        assert!(
            text.contains(r#"sip2_probe_timestamp_seconds{endpoint="h:1",account="a"} 1060.0"#),
            "{text}"
        );
        assert!(
            text.contains(r#"sip2_probe_status{endpoint="h:1",account="a",class="silent"} 1"#)
                && text.contains(r#"sip2_probe_status{endpoint="h:1",account="a",class="ok"} 0"#),
            "{text}"
        );
    }

    #[test]
    fn samples_come_sorted_whatever_order_the_accounts_came_in() {
        // Six accounts: hash order matches sorted order by chance once in 720 runs.
        let names = ["a", "b", "c", "d", "e", "f"];
        let results: Vec<AccountResult> = names
            .iter()
            .map(|n| result(n, Class::Ok, &Phase::ALL))
            .collect();
        let (forward, backward) = (Metrics::new(), Metrics::new());
        let now = UNIX_EPOCH + Duration::from_secs(1_000);
        forward.update("h:1", &results, now);
        let reversed: Vec<AccountResult> = results.iter().rev().cloned().collect();
        backward.update("h:1", &reversed, now);
        let text = forward.encode();
        assert_eq!(text, backward.encode());
        let up: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with("sip2_probe_up{"))
            .collect();
        let want: Vec<String> = names
            .iter()
            .map(|n| format!(r#"sip2_probe_up{{endpoint="h:1",account="{n}"}} 1"#))
            .collect();
        assert_eq!(up, want, "{text}");
        assert!(text.ends_with("# EOF\n"), "{text}");
    }

    #[test]
    fn label_values_are_escaped() {
        let m = Metrics::new();
        m.update("h:1", &[result("a\"b", Class::Ok, &[])], UNIX_EPOCH);
        assert!(m.encode().contains(r#"account="a\"b""#), "{}", m.encode());
    }

    #[test]
    fn the_textfile_is_replaced_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sip2.prom");
        write_textfile(&path, "a 1\n").unwrap();
        write_textfile(&path, "b 2\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "b 2\n");
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "no temporary file is left behind");
        assert!(write_textfile(&dir.path().join("no/such/dir/x.prom"), "x").is_err());
    }
}
