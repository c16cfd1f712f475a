//! The README documents what the code does: every lint rule and every subcommand is in it.

use sip2check::sip2::Rule;

const README: &str = include_str!("../README.md");

#[test]
fn every_lint_rule_is_documented() {
    for rule in Rule::ALL {
        let row = format!("| `{}` | {} |", rule.code(), rule.severity().as_str());
        assert!(README.contains(&row), "README lint table lacks {row:?}");
    }
}

#[test]
fn readme_opens_with_the_two_commands() {
    let head: String = README.lines().take(25).collect::<Vec<_>>().join("\n");
    assert!(head.contains("cargo run --release -- run"), "{head}");
    assert!(head.contains("cargo test"), "{head}");
}
