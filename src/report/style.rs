//! The styles of sip2check's console text (anstyle): what an error, a warning, a pass, a
//! heading and a transcript line look like. Renderers take a [`Palette`] and paint with it;
//! whether that palette has colour is decided once, in `cli::color`, never here.

use std::fmt::Write;

use anstyle::{AnsiColor, Style};

use crate::sip2::{Severity, Violation};

/// The styles one output uses: all plain, or the ANSI ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Palette {
    /// Errors: failed checks, error-severity findings, "FAILED".
    pub error: Style,
    /// Warnings: common and dialect checks that did not hold, warning-severity findings.
    pub warning: Style,
    /// Info-severity findings and other quiet detail.
    pub info: Style,
    /// What passed.
    pub pass: Style,
    /// Headings: a step, a message name.
    pub heading: Style,
    /// Secondary text: locations, table headers.
    pub dim: Style,
    /// What was sent (`>`).
    pub sent: Style,
    /// What was received (`<`).
    pub received: Style,
    /// The expected side of a character diff.
    pub removed: Style,
    /// The actual side of a character diff.
    pub added: Style,
}

impl Palette {
    /// No styles at all: the text is byte for byte what plain text would be.
    pub const PLAIN: Palette = Palette {
        error: Style::new(),
        warning: Style::new(),
        info: Style::new(),
        pass: Style::new(),
        heading: Style::new(),
        dim: Style::new(),
        sent: Style::new(),
        received: Style::new(),
        removed: Style::new(),
        added: Style::new(),
    };

    /// The ANSI styles of a terminal.
    pub const ANSI: Palette = Palette {
        error: AnsiColor::Red.on_default().bold(),
        warning: AnsiColor::Yellow.on_default(),
        info: AnsiColor::Cyan.on_default(),
        pass: AnsiColor::Green.on_default(),
        heading: Style::new().bold(),
        dim: Style::new().dimmed(),
        sent: AnsiColor::Blue.on_default(),
        received: AnsiColor::Magenta.on_default(),
        removed: AnsiColor::Red.on_default().bold(),
        added: AnsiColor::Green.on_default().bold(),
    };

    /// [`Palette::ANSI`] when `color`, else [`Palette::PLAIN`].
    pub fn new(color: bool) -> Palette {
        if color { Palette::ANSI } else { Palette::PLAIN }
    }

    /// `text` in `style` (unchanged when the style is plain).
    pub fn paint(&self, style: Style, text: &str) -> String {
        format!("{}{text}{}", style.render(), style.render_reset())
    }

    /// The style of a finding of this severity.
    pub fn severity(&self, s: Severity) -> Style {
        match s {
            Severity::Error => self.error,
            Severity::Warning => self.warning,
            Severity::Info => self.info,
        }
    }

    /// One finding as `Violation`'s Display writes it, its severity word painted.
    pub fn violation(&self, v: &Violation) -> String {
        format!(
            "{} [{}] {}",
            self.paint(self.severity(v.severity), v.severity.as_str()),
            v.rule.code(),
            v.message()
        )
    }

    /// The findings, most severe first, one per line indented by two spaces (as
    /// `sip2::render::render_violations`, painted).
    pub fn violations(&self, violations: &[Violation]) -> String {
        let mut sorted: Vec<&Violation> = violations.iter().collect();
        sorted.sort_by_key(|v| std::cmp::Reverse(v.severity));
        sorted.iter().fold(String::new(), |mut out, v| {
            let _ = writeln!(out, "  {}", self.violation(v));
            out
        })
    }
}

/// `text` without any ANSI escape sequence (for reports that are never shown on a terminal).
pub fn strip(text: &str) -> String {
    anstream::adapter::strip_str(text).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sip2::render::render_violations;
    use crate::sip2::{FieldRef, Rule};

    fn findings() -> Vec<Violation> {
        vec![
            Violation::new(Rule::FlagN, FieldRef::Message, "Y or blank", "N"),
            Violation::new(Rule::FixedLength, FieldRef::Message, "21 characters", "20"),
        ]
    }

    #[test]
    fn the_plain_palette_writes_exactly_the_plain_text() {
        let v = findings();
        assert_eq!(Palette::PLAIN.violations(&v), render_violations(&v));
        assert_eq!(
            Palette::PLAIN.paint(Palette::ANSI.error, "x"),
            "\x1b[1m\x1b[31mx\x1b[0m"
        );
        assert_eq!(Palette::PLAIN.paint(Palette::PLAIN.error, "x"), "x");
    }

    #[test]
    fn the_ansi_palette_paints_the_severity_and_strips_back_to_plain() {
        let v = findings();
        let painted = Palette::ANSI.violations(&v);
        assert!(
            painted.contains("\x1b[31merror\x1b[0m [fixed-length]"),
            "{painted:?}"
        );
        assert!(
            painted.contains("\x1b[33mwarning\x1b[0m [flag-n]"),
            "{painted:?}"
        );
        assert_eq!(strip(&painted), render_violations(&v));
    }
}
