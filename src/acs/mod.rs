//! The reference ACS emulator behind `sip2check serve` and the runner's embedded default.
//!
//! A real tokio server built on the `sip2` codec: an in-memory library loaded from YAML
//! ([`Library`]), circulation rules, one handler per request, dialect and fault knobs, and a
//! certification log of the client's requests ([`ServeReport`]). Start it with [`spawn`].
//! Must not depend on the runner, the scenario model or the CLI.

mod circulation;
mod dialect;
mod faults;
mod fixture;
mod handlers;
mod library;
mod report;
mod server;
mod session;
mod tls;

pub use circulation::{Password, Refusal};
pub use dialect::{
    BeforeLogin, ChargeBl, CheckinNotOnLoan, Dialect, FieldOrder, LOGIN_ATTEMPTS, MagneticMedia,
    NoPreset, RefusedCheckinTitle, RenewalDesensitize, Resolved, SecondCheckout, SecurityMarker,
    UnknownMessage, UnknownPatronLanguage, parse_on_off, parse_preset,
};
pub use faults::Faults;
pub use fixture::BUILTIN_YAML;
pub(crate) use fixture::schema as library_schema;
pub use library::{
    Account, FLAG_NAMES, Fee, Hold, Institution, Item, Library, LibraryError, Loan, Money, Patron,
    Policy, Unsupported,
};
pub use report::{MAX_RECORDS, ReportError, RequestRecord, ServeReport};
pub use server::{
    DEFAULT_MAX_CONNECTIONS, IDLE_TIMEOUT, Rejected, Reply, ServeOptions, Server, ServerTls,
    TRAFFIC_BACKLOG, Traffic, TrafficLog, spawn,
};
pub use session::bx_flags;
pub use tls::acceptor as tls_acceptor;
