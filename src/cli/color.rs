//! The one place that decides colour, for every subcommand and each stream on its own:
//! `--color`, then `NO_COLOR`, `CLICOLOR_FORCE`, `TERM=dumb` and `CLICOLOR=0`, then whether
//! the stream is a terminal. Renderers get the answer as a [`Palette`] (or
//! `ReportOptions::color`) and never look at the environment; output goes through anstream,
//! which strips whatever escape sequence a plain stream would otherwise get.

use std::io::IsTerminal;

use clap::ValueEnum;

use crate::report::style::Palette;

/// The value of `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum ColorWhen {
    /// Colour a stream that is a terminal, unless the environment says otherwise.
    #[default]
    Auto,
    /// Always colour (whatever the environment says).
    Always,
    /// Never colour.
    Never,
}

/// The environment variables that bear on colour.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ColorEnv {
    /// `NO_COLOR` is set and not empty (no-color.org).
    pub no_color: bool,
    /// `CLICOLOR_FORCE` is set, not empty and not `0` (bixense.com/clicolors).
    pub clicolor_force: bool,
    /// `CLICOLOR` is `0`.
    pub clicolor_off: bool,
    /// `TERM` is `dumb`: the terminal understands no escape sequence.
    pub term_dumb: bool,
}

impl ColorEnv {
    /// The variables of this process.
    pub fn from_process() -> ColorEnv {
        let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
        ColorEnv {
            no_color: var("NO_COLOR").is_some(),
            clicolor_force: var("CLICOLOR_FORCE").is_some_and(|v| v != "0"),
            clicolor_off: var("CLICOLOR").is_some_and(|v| v == "0"),
            term_dumb: var("TERM").is_some_and(|v| v == "dumb"),
        }
    }
}

/// Whether a stream gets colour: the flag wins; under `auto`, `NO_COLOR` turns colour off,
/// then `CLICOLOR_FORCE` turns it on (even into a pipe), then `TERM=dumb` and `CLICOLOR=0`
/// turn it off; otherwise a terminal gets colour and anything else does not. (The order of
/// `NO_COLOR` and `CLICOLOR_FORCE` is anstream's.)
pub fn decide(when: ColorWhen, env: ColorEnv, terminal: bool) -> bool {
    match when {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        ColorWhen::Auto => {
            if env.no_color {
                false
            } else if env.clicolor_force {
                true
            } else if env.term_dumb || env.clicolor_off {
                false
            } else {
                terminal
            }
        }
    }
}

/// The decision for stdout and for stderr.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Colors {
    /// stdout gets colour.
    pub stdout: bool,
    /// stderr gets colour.
    pub stderr: bool,
}

impl Colors {
    /// Decides for this process's streams.
    pub fn detect(when: ColorWhen) -> Colors {
        let env = ColorEnv::from_process();
        Colors {
            stdout: decide(when, env, std::io::stdout().is_terminal()),
            stderr: decide(when, env, std::io::stderr().is_terminal()),
        }
    }

    /// The palette for what goes to stdout.
    pub fn out(self) -> Palette {
        Palette::new(self.stdout)
    }

    /// The palette for what goes to stderr.
    pub fn err(self) -> Palette {
        Palette::new(self.stderr)
    }

    /// stdout, stripped of escape sequences unless it gets colour.
    pub fn stdout(self) -> anstream::AutoStream<std::io::Stdout> {
        anstream::AutoStream::new(std::io::stdout(), choice(self.stdout))
    }

    /// stderr, stripped of escape sequences unless it gets colour.
    pub fn stderr(self) -> anstream::AutoStream<std::io::Stderr> {
        anstream::AutoStream::new(std::io::stderr(), choice(self.stderr))
    }
}

fn choice(color: bool) -> anstream::ColorChoice {
    if color {
        anstream::ColorChoice::Always
    } else {
        anstream::ColorChoice::Never
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_decision_matrix() {
        let none = ColorEnv::default();
        let with = |f: fn(&mut ColorEnv)| {
            let mut e = ColorEnv::default();
            f(&mut e);
            e
        };
        let no_color = with(|e| e.no_color = true);
        let force = with(|e| e.clicolor_force = true);
        let dumb = with(|e| e.term_dumb = true);
        let off = with(|e| e.clicolor_off = true);
        let both = with(|e| {
            e.no_color = true;
            e.clicolor_force = true;
        });
        let forced_dumb = with(|e| {
            e.clicolor_force = true;
            e.term_dumb = true;
        });
        // (flag, environment, terminal) -> colour
        let cases = [
            (ColorWhen::Auto, none, true, true),
            (ColorWhen::Auto, none, false, false),
            (ColorWhen::Auto, no_color, true, false),
            (ColorWhen::Auto, force, false, true),
            (ColorWhen::Auto, force, true, true),
            (ColorWhen::Auto, dumb, true, false),
            (ColorWhen::Auto, off, true, false),
            (ColorWhen::Auto, both, true, false),
            (ColorWhen::Auto, forced_dumb, false, true),
            (ColorWhen::Always, no_color, false, true),
            (ColorWhen::Always, dumb, false, true),
            (ColorWhen::Never, force, true, false),
            (ColorWhen::Never, none, true, false),
        ];
        for (when, env, terminal, want) in cases {
            assert_eq!(
                decide(when, env, terminal),
                want,
                "{when:?} {env:?} terminal={terminal}"
            );
        }
    }

    #[test]
    fn a_plain_stream_strips_what_a_renderer_painted() {
        use std::io::Write;
        let mut out = anstream::AutoStream::new(Vec::new(), choice(false));
        write!(
            out,
            "{}",
            Palette::ANSI.paint(Palette::ANSI.error, "failed")
        )
        .unwrap();
        assert_eq!(out.into_inner(), b"failed");
        let mut out = anstream::AutoStream::new(Vec::new(), choice(true));
        write!(
            out,
            "{}",
            Palette::ANSI.paint(Palette::ANSI.error, "failed")
        )
        .unwrap();
        assert!(out.into_inner().contains(&0x1b));
    }
}
