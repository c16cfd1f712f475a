//! Profiles: the variables SIPtest.pm keeps in its configuration section (institution, login,
//! patron and item barcodes ...) and the endpoint's dialect (which systems it behaves like,
//! terminator, encoding, error detection, TLS, telnet login, timeouts). One YAML file per
//! site; unknown keys are errors.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::Deserialize;

use super::error::LoadError;
use super::locate::Locator;
use super::model::{Seconds, TerminatorName};
use super::template::{Mode, Scope, Template};
use crate::sip2::{Encoding, FieldId, System, Terminator, spec};

/// The built-in emulator's profile, embedded so `sip2check run` works from any directory.
pub const EMULATOR_PROFILE: &str = include_str!("../../fixtures/profiles/emulator.yaml");

/// The profile's `error_detection:` (unset: requests carry AY/AZ only when a scenario asks).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ErrorDetection {
    /// This server does no error detection: requests carry no AY/AZ, and scenarios that
    /// `requires: [error_detection]` are skipped.
    Off,
    /// Every request carries AY/AZ.
    On,
    /// As the ACS answers: on once a response carries AY/AZ.
    Auto,
}

/// TLS settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TlsProfile {
    /// CA bundle (PEM) to trust instead of the system's.
    pub ca: Option<PathBuf>,
    /// Client certificate (PEM).
    pub cert: Option<PathBuf>,
    /// Client key (PEM).
    pub key: Option<PathBuf>,
    /// Server name to send and verify.
    pub sni: Option<String>,
    /// Accept any server certificate.
    #[serde(default)]
    pub insecure: bool,
}

/// Telnet-style login before SIP (Koha, Evergreen telnet transport).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TelnetProfile {
    /// Answer to `login:`.
    pub user: String,
    /// Answer to `password:`.
    pub password: String,
}

/// What `sip2check probe` checks (default: the one account of the `login.*` variables).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProbeProfile {
    /// The SIP accounts to log in with, each on its own connection.
    #[serde(default)]
    pub accounts: Vec<ProbeAccount>,
}

/// One SIP account to probe; values may use `{{ env.NAME }}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProbeAccount {
    /// CN of the 93 login.
    pub user: String,
    /// CO of the 93 login.
    pub password: String,
    /// CP of the 93 login.
    pub location: Option<String>,
}

/// Network waits, in seconds.
#[derive(Debug, Clone, Copy, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct TimeoutsDoc {
    /// How long to wait for a connection.
    connect: Option<Seconds>,
    /// How long to wait for each response.
    response: Option<Seconds>,
}

/// A profile: the server's variables (barcodes, login) and dialect.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct ProfileDoc {
    /// The server, `host:port` (`--endpoint` overrides it).
    endpoint: Option<String>,
    /// TLS, when the server speaks it.
    tls: Option<TlsProfile>,
    /// Telnet login before SIP, when the server wants one.
    telnet: Option<TelnetProfile>,
    /// Terminator for requests (default: cr).
    terminator: Option<TerminatorName>,
    /// Character encoding of the wire (default: utf-8).
    #[serde(default)]
    #[schemars(schema_with = "encoding_schema")]
    encoding: Option<String>,
    /// Whether requests carry AY/AZ (unset: only where a scenario asks).
    error_detection: Option<ErrorDetection>,
    /// The systems the server behaves like (one name or a list): their dialect checks apply.
    dialect: Option<DialectDoc>,
    /// Network waits, in seconds.
    timeouts: Option<TimeoutsDoc>,
    /// What `sip2check probe` checks.
    probe: Option<ProbeProfile>,
    /// More volatile values for snapshots, baselines and `diff` (field IDs or fixed-field keys):
    /// their values are normalised before they are compared.
    #[serde(default)]
    volatile: Vec<String>,
    /// The values scenarios refer to (`{{ patron.barcode }}`): nested maps of quoted texts,
    /// which may use `{{ env.NAME }}`.
    #[serde(default)]
    #[schemars(schema_with = "vars_schema")]
    vars: serde_yaml::Mapping,
}

/// The JSON Schema of a profile (`sip2check schema profile`).
pub(crate) fn schema() -> serde_json::Value {
    crate::schema::root::<ProfileDoc>("sip2check profile")
}

fn encoding_schema(_: &mut SchemaGenerator) -> Schema {
    crate::schema::encodings()
}

/// `vars:`: maps whose leaves are texts (numbers lose leading zeros, so they are refused).
fn vars_schema(generator: &mut SchemaGenerator) -> Schema {
    crate::schema::define(generator, "Vars", |g| {
        let nested = crate::schema::reference(g, "Vars");
        json_schema!({
            "type": "object",
            "additionalProperties": { "anyOf": [{ "type": "string" }, nested] },
        })
    })
}

impl JsonSchema for DialectDoc {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Dialect".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let system = crate::schema::systems(|_| true);
        json_schema!({
            "anyOf": [system, { "type": "array", "items": system }],
        })
    }
}

/// A loaded profile.
#[derive(Debug, Clone, Default)]
pub struct Profile {
    /// Where it came from (`<built-in>/fixtures/profiles/emulator.yaml` for the embedded one).
    pub source: String,
    /// `host:port`, when the profile names its server.
    pub endpoint: Option<String>,
    /// TLS, when the server speaks it.
    pub tls: Option<TlsProfile>,
    /// Telnet login, when the server wants one.
    pub telnet: Option<TelnetProfile>,
    /// Terminator for requests (CR by default).
    pub terminator: Option<Terminator>,
    /// Character encoding of the wire.
    pub encoding: Option<Encoding>,
    /// Whether requests carry AY/AZ; None: only when a scenario asks.
    pub error_detection: Option<ErrorDetection>,
    /// The systems the server behaves like: the dialect checks that apply to it.
    pub dialect: Vec<System>,
    /// How long to wait for a connection.
    pub connect_timeout: Option<Duration>,
    /// How long to wait for each response.
    pub response_timeout: Option<Duration>,
    /// Response values that change from run to run on this server, beyond the built-in ones
    /// (`volatile:`): snapshots, baselines and diffs normalise them.
    pub volatile: Vec<Volatile>,
    /// Variables by dotted path (`patron.barcode`).
    pub vars: BTreeMap<String, String>,
    /// What `sip2check probe` checks, `{{ env.NAME }}` expanded.
    pub probe: Option<ProbeProfile>,
}

impl Profile {
    /// Reads a profile file.
    pub fn load(path: &Path) -> Result<Profile, LoadError> {
        let text =
            crate::input::read_text(path).map_err(|e| LoadError::at(path, 1, 1, e.problem))?;
        Profile::parse(&text, path)
    }

    /// The built-in emulator's profile.
    pub fn emulator() -> Result<Profile, LoadError> {
        Profile::parse(
            EMULATOR_PROFILE,
            Path::new("<built-in>/fixtures/profiles/emulator.yaml"),
        )
    }

    /// Parses profile `text`; `path` names it in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Profile, LoadError> {
        let doc: ProfileDoc = serde_yaml::from_str(text).map_err(|e| LoadError::yaml(path, &e))?;
        let locator = Locator::new(text);
        let mut vars = BTreeMap::new();
        flatten(&doc.vars, "", &mut vars).map_err(|(key, msg)| {
            let last = key.rsplit('.').next().unwrap_or(&key);
            let at = locator.key(1, 0, last);
            LoadError::at(
                path,
                at.map_or(1, |l| l.line),
                at.map_or(1, |l| l.col),
                format!("vars.{key}: {msg}"),
            )
        })?;
        let encoding = match doc.encoding {
            None => None,
            Some(e) => Some(e.parse::<Encoding>().map_err(|err| {
                let at = locator.key(1, 0, "encoding");
                LoadError::at(
                    path,
                    at.map_or(1, |l| l.line),
                    1,
                    format!("encoding: {err}"),
                )
            })?),
        };
        let mut volatile = Vec::new();
        for name in &doc.volatile {
            let v = Volatile::parse(name).map_err(|msg| {
                let head = locator.key(1, 0, "volatile").map_or(1, |l| l.line);
                let at = locator.find(head, 0, |line| line.find(name.as_str()));
                LoadError::at(
                    path,
                    at.map_or(head, |l| l.line),
                    at.map_or(1, |l| l.col),
                    format!("volatile: {msg}"),
                )
            })?;
            volatile.push(v);
        }
        let timeouts = doc.timeouts.unwrap_or_default();
        let probe = doc
            .probe
            .map(|p| expand_probe(p, path, &locator))
            .transpose()?;
        Ok(Profile {
            source: path.display().to_string(),
            endpoint: doc.endpoint,
            tls: doc.tls,
            telnet: doc.telnet,
            terminator: doc.terminator.map(|t| t.0),
            encoding,
            error_detection: doc.error_detection,
            dialect: doc.dialect.map(|d| d.0).unwrap_or_default(),
            connect_timeout: timeouts.connect.map(|s| s.0),
            response_timeout: timeouts.response.map(|s| s.0),
            volatile,
            vars,
            probe,
        })
    }
}

/// A response value the profile says is volatile: a tagged field by ID, or a fixed field by key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Volatile {
    /// A tagged field (`AF`, or a vendor field such as `ZZ`).
    Field(FieldId),
    /// A fixed field by its key in `sip2check spec` (`transaction_date`, `hold_items_count`).
    Fixed(&'static str),
}

impl Volatile {
    /// A field ID (`AF`, `ZZ`) or a fixed-field key of any message (`transaction_date`).
    pub fn parse(s: &str) -> Result<Volatile, String> {
        let fixed_keys = || spec::MESSAGES.iter().flat_map(|m| m.fixed).map(|f| f.key);
        if let Some(key) = fixed_keys().find(|k| *k == s) {
            return Ok(Volatile::Fixed(key));
        }
        match FieldId::parse(s) {
            Some(id)
                if s.bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()) =>
            {
                Ok(Volatile::Field(id))
            }
            _ => Err(format!(
                "{s:?} is neither a field ID (AF, BK, ...) nor a fixed-field key{}; `sip2check spec CODE` lists a message's fixed fields",
                super::model::did_you_mean(s, fixed_keys())
            )),
        }
    }
}

/// Expands `{{ env.NAME }}` in the probe accounts (passwords stay out of the file).
fn expand_probe(
    mut probe: ProbeProfile,
    path: &Path,
    locator: &Locator,
) -> Result<ProbeProfile, LoadError> {
    for (i, a) in probe.accounts.iter_mut().enumerate() {
        for (key, value) in [("user", &mut a.user), ("password", &mut a.password)]
            .into_iter()
            .chain(a.location.as_mut().map(|l| ("location", l)))
        {
            *value = env_only(value).map_err(|e| {
                let line = locator.key(1, 0, "probe").map_or(1, |l| l.line);
                LoadError::at(path, line, 1, format!("probe.accounts[{i}].{key}: {e}"))
            })?;
        }
    }
    Ok(probe)
}

/// `dialect: folio` or `dialect: [emulator, evergreen]`.
#[derive(Debug)]
struct DialectDoc(Vec<System>);

impl<'de> Deserialize<'de> for DialectDoc {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::{self, SeqAccess, Visitor};
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = DialectDoc;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a system name or a list of them (e.g. dialect: [emulator, evergreen])")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<DialectDoc, E> {
                system(s).map(|s| DialectDoc(vec![s])).map_err(E::custom)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<DialectDoc, A::Error> {
                let mut out = Vec::new();
                while let Some(name) = seq.next_element::<String>()? {
                    out.push(system(&name).map_err(de::Error::custom)?);
                }
                Ok(DialectDoc(out))
            }
        }
        d.deserialize_any(V)
    }
}

/// A system by name, with a did-you-mean.
fn system(s: &str) -> Result<System, String> {
    s.parse::<System>().map_err(|_| {
        let names: Vec<&str> = System::ALL.iter().map(|s| s.name()).collect();
        format!(
            "dialect: unknown system {s:?}{}; systems: {}",
            super::model::did_you_mean(s, names.iter().copied()),
            names.join(", ")
        )
    })
}

/// Flattens nested maps into dotted keys; leaves must be strings.
fn flatten(
    map: &serde_yaml::Mapping,
    prefix: &str,
    out: &mut BTreeMap<String, String>,
) -> Result<(), (String, String)> {
    for (k, v) in map {
        let Some(k) = k.as_str() else {
            return Err((prefix.to_string(), "variable names must be text".into()));
        };
        let key = if prefix.is_empty() {
            k.to_string()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            serde_yaml::Value::String(s) => {
                let value = env_only(s).map_err(|e| (key.clone(), e))?;
                out.insert(key, value);
            }
            serde_yaml::Value::Mapping(m) => flatten(m, &key, out)?,
            serde_yaml::Value::Number(_) | serde_yaml::Value::Bool(_) => {
                return Err((
                    key,
                    "write the value in quotes (e.g. \"0440242746\"): YAML numbers lose leading zeros".into(),
                ));
            }
            _ => {
                return Err((
                    key,
                    "a variable is a quoted text or a map of variables".into(),
                ));
            }
        }
    }
    Ok(())
}

/// Expands `{{ env.NAME }}` in a profile value (secrets stay out of the file); other names are
/// refused, because profile values are what scenario templates refer to.
fn env_only(value: &str) -> Result<String, String> {
    let t = Template::parse(value).map_err(|e| e.to_string())?;
    if let Some(other) = t.names().find(|n| !n.starts_with("env.")) {
        return Err(format!(
            "a profile value can only use {{{{ env.NAME }}}}, not {{{{ {other} }}}}"
        ));
    }
    t.expand(&Scope::default(), Mode::Text)
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_emulator_profile_defines_the_seed_variables() {
        let p = Profile::emulator().unwrap();
        for (k, v) in [
            ("institution", "BR1"),
            ("login.user", "sip_01"),
            ("patron.barcode", "999999"),
            ("patron.name", "David J. Fiander"),
            ("item2.barcode", "0440242746"),
            ("item_diacritic.title", "Harry Potter y el cáliz de fuego"),
            ("fined_patron.fee_amount", "5.00"),
            ("limit_patron.item", "LIMITITEM1"),
            ("fee_item.fee", "1.50"),
        ] {
            assert_eq!(p.vars.get(k).map(String::as_str), Some(v), "{k}");
        }
    }

    #[test]
    fn dialect_settings_are_read() {
        let p = Profile::parse(
            "endpoint: 127.0.0.1:6001\nterminator: crlf\nencoding: cp850\nerror_detection: auto\ntimeouts: { connect: 2, response: 1.5 }\ntls: { insecure: true }\ntelnet: { user: u, password: p }\n",
            Path::new("p.yaml"),
        )
        .unwrap();
        assert_eq!(p.terminator, Some(Terminator::CrLf));
        assert_eq!(p.encoding, Some(Encoding::Cp850));
        assert_eq!(p.error_detection, Some(ErrorDetection::Auto));
        assert_eq!(p.response_timeout, Some(Duration::from_millis(1500)));
        assert!(p.tls.unwrap().insecure);
        assert_eq!(p.telnet.unwrap().user, "u");
    }

    #[test]
    fn dialect_is_one_system_or_a_list_and_error_detection_may_be_unset() {
        let path = Path::new("p.yaml");
        let one = Profile::parse("dialect: folio\n", path).unwrap();
        assert_eq!(one.dialect, [System::Folio]);
        assert_eq!(one.error_detection, None);
        let many = Profile::parse(
            "dialect: [emulator, evergreen]\nerror_detection: off\n",
            path,
        )
        .unwrap();
        assert_eq!(many.dialect, [System::Emulator, System::Evergreen]);
        assert_eq!(many.error_detection, Some(ErrorDetection::Off));
        let e = Profile::parse("encoding: utf-8\ndialect: [emulator, kohaa]\n", path).unwrap_err();
        assert_eq!(e.line, 2, "{e}");
        assert!(e.message.contains("did you mean \"koha\""), "{e}");
        let emulator = Profile::emulator().unwrap();
        assert_eq!(emulator.dialect, [System::Emulator, System::Evergreen]);
        assert_eq!(
            emulator.error_detection, None,
            "its error-detection scenarios run"
        );
    }

    #[test]
    fn values_can_come_from_the_environment() {
        let path = Path::new("p.yaml");
        let p =
            Profile::parse("vars:\n  login:\n    password: \"{{ env.PATH }}\"\n", path).unwrap();
        assert_eq!(p.vars["login.password"], std::env::var("PATH").unwrap());
        let e =
            Profile::parse("vars:\n  a: \"{{ env.SIP2CHECK_SURELY_UNSET }}\"\n", path).unwrap_err();
        assert!(
            e.message.contains("SIP2CHECK_SURELY_UNSET is not set"),
            "{e}"
        );
        let e = Profile::parse("vars:\n  a: \"{{ institution }}\"\n", path).unwrap_err();
        assert!(e.message.contains("only use"), "{e}");
    }

    #[test]
    fn volatile_lists_field_ids_and_fixed_keys() {
        let path = Path::new("p.yaml");
        let p = Profile::parse("volatile: [AF, ZZ, hold_items_count, ok]\n", path).unwrap();
        assert_eq!(
            p.volatile,
            [
                Volatile::Field(FieldId::AF),
                Volatile::Field(FieldId::parse("ZZ").unwrap()),
                Volatile::Fixed("hold_items_count"),
                Volatile::Fixed("ok"),
            ]
        );
        let e = Profile::parse(
            "encoding: utf-8\nvolatile:\n  - AF\n  - transaction_dat\n",
            path,
        )
        .unwrap_err();
        assert_eq!(e.line, 4, "{e}");
        assert!(
            e.message.contains("did you mean \"transaction_date\""),
            "{e}"
        );
        assert!(Profile::parse("volatile: [af]\n", path).is_err());
    }

    #[test]
    fn probe_accounts_are_read_with_their_secrets_from_the_environment() {
        let path = Path::new("p.yaml");
        let p = Profile::parse(
            "probe:\n  accounts:\n    - { user: a, password: \"{{ env.PATH }}\", location: BR1 }\n    - { user: b, password: pw }\n",
            path,
        )
        .unwrap();
        let accounts = p.probe.unwrap().accounts;
        assert_eq!(accounts.len(), 2);
        assert_eq!(accounts[0].password, std::env::var("PATH").unwrap());
        assert_eq!(accounts[0].location.as_deref(), Some("BR1"));
        assert_eq!(
            (accounts[1].user.as_str(), accounts[1].location.as_ref()),
            ("b", None)
        );
        assert!(Profile::emulator().unwrap().probe.is_none());
        let e = Profile::parse(
            "endpoint: x\nprobe:\n  accounts:\n    - { user: a, password: \"{{ env.SIP2CHECK_SURELY_UNSET }}\" }\n",
            path,
        )
        .unwrap_err();
        assert_eq!(e.line, 2, "{e}");
        assert!(e.message.contains("probe.accounts[0].password"), "{e}");
        let e = Profile::parse("probe:\n  accounts:\n    - { user: a }\n", path).unwrap_err();
        assert!(e.message.contains("password"), "{e}");
    }

    #[test]
    fn mistakes_name_the_line() {
        let e = Profile::parse("endpoint: x\nvarz: {}\n", Path::new("p.yaml")).unwrap_err();
        assert_eq!(
            (e.line, e.message.contains("unknown field `varz`")),
            (2, true),
            "{e}"
        );
        let e = Profile::parse(
            "vars:\n  item:\n    barcode: 1565921879\n",
            Path::new("p.yaml"),
        )
        .unwrap_err();
        assert_eq!(e.line, 3, "{e}");
        assert!(e.message.contains("vars.item.barcode"), "{e}");
        let e = Profile::parse("encoding: ebcdic\n", Path::new("p.yaml")).unwrap_err();
        assert!(e.to_string().starts_with("p.yaml:1:1: encoding"), "{e}");
    }
}
