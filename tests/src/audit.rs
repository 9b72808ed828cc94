//! Accessibility audits: axe-core (the engine behind most browsers' audits, installed by the xtask,
//! which names its script in `AXE_CORE_JS`) run on the page as a person sees it, with the WCAG 2.0
//! and 2.1 A and AA rules and axe's best practices. Any violation fails the test.

use std::{fmt::Write, sync::OnceLock};

use serde_json::{Value, json};

use crate::Browser;

/// axe's tags for the rules every page state must pass.
const RULES: [&str; 5] = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"];

/// A rule switched off for one element, and why: the only way a page may break a rule. The
/// element is named by a CSS selector that matches it alone; a failed audit lists the exemptions
/// it applied, with their reasons.
pub struct Exemption {
    pub rule: &'static str,
    pub element: &'static str,
    pub why: &'static str,
}

/// A rule the page breaks, with axe's explanation and each element that breaks it.
#[derive(Debug)]
pub struct Violation {
    pub rule: String,
    /// axe's `minor`, `moderate`, `serious` or `critical`.
    pub impact: String,
    pub help: String,
    pub help_url: String,
    pub elements: Vec<Offender>,
}

#[derive(Debug)]
pub struct Offender {
    /// axe's selector for the element (`>>` steps into a shadow root).
    pub target: String,
    pub html: String,
    /// What would fix it, in axe's words.
    pub summary: String,
}

/// Runs axe on the document, keeps what the exemptions do not cover; `null` when axe is not in this
/// document yet.
const RUN: &str = r#"const [tags, exemptions, done] = arguments;
    if (typeof axe !== "object") return done(null);
    const exempt = (rule, node) =>
      exemptions.some((e) => e.rule === rule && node.element && node.element.matches(e.element));
    axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"], elementRef: true })
      .then((results) => done(results.violations
        .map((v) => ({ rule: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
          elements: v.nodes.filter((node) => !exempt(v.id, node)).map((node) => ({
            target: node.target.join(" >> "), html: node.html, summary: node.failureSummary })) }))
        .filter((v) => v.elements.length > 0)))
      .catch((error) => done({ error: String(error) }));"#;

impl Browser {
    /// Audits the page as it is now, named `state` in the report; fails the test on any violation.
    pub async fn audit(&self, state: &str) {
        self.audit_allowing(state, &[]).await;
    }

    /// Like [`Browser::audit`], with rules switched off for the named elements.
    pub async fn audit_allowing(&self, state: &str, exemptions: &[Exemption]) {
        let violations = self.violations(exemptions).await;
        assert!(violations.is_empty(), "{}", report(state, &violations, exemptions));
    }

    /// What axe finds on the page as it is now, less the exemptions. axe joins each document the
    /// first time it is audited, so repeated audits of one page cost only the audit itself.
    pub async fn violations(&self, exemptions: &[Exemption]) -> Vec<Violation> {
        let exemptions: Vec<Value> =
            exemptions.iter().map(|e| json!({ "rule": e.rule, "element": e.element })).collect();
        let arguments = vec![json!(RULES), json!(exemptions)];
        let mut found = self.client.execute_async(RUN, arguments.clone()).await.expect("the audit runs");
        if found.is_null() {
            self.client.execute(axe_script(), vec![]).await.expect("axe-core loads into the page");
            found = self.client.execute_async(RUN, arguments).await.expect("the audit runs");
        }
        let found = found.as_array().unwrap_or_else(|| panic!("axe-core failed: {found}"));
        found.iter().map(violation).collect()
    }
}

/// axe-core's browser script, read once from `AXE_CORE_JS`.
fn axe_script() -> &'static str {
    static SCRIPT: OnceLock<String> = OnceLock::new();
    SCRIPT.get_or_init(|| {
        let path = std::env::var("AXE_CORE_JS").unwrap_or_else(|_| {
            panic!("AXE_CORE_JS is not set: every page is audited with axe-core; run the tests with `cargo xtask test`, which installs it and sets AXE_CORE_JS")
        });
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("AXE_CORE_JS={path}: {e}"))
    })
}

fn violation(found: &Value) -> Violation {
    let text = |value: &Value| value.as_str().unwrap_or_default().to_owned();
    let elements = found["elements"].as_array().into_iter().flatten();
    Violation {
        rule: text(&found["rule"]),
        impact: text(&found["impact"]),
        help: text(&found["help"]),
        help_url: text(&found["helpUrl"]),
        elements: elements
            .map(|e| Offender { target: text(&e["target"]), html: text(&e["html"]), summary: text(&e["summary"]) })
            .collect(),
    }
}

/// The violations for a person to act on: each rule, its impact, axe's help and where it breaks.
fn report(state: &str, violations: &[Violation], exemptions: &[Exemption]) -> String {
    let mut report = format!("accessibility audit of {state:?}: {} rule(s) broken", violations.len());
    for e in exemptions {
        let _ = write!(report, "\n(exempted: {} on {}, because {})", e.rule, e.element, e.why);
    }
    for v in violations {
        let _ = write!(report, "\n- {} ({}): {}\n  {}", v.rule, v.impact, v.help, v.help_url);
        for element in &v.elements {
            let summary = element.summary.replace('\n', "\n      ");
            let _ = write!(report, "\n  * {}: {}\n      {summary}", element.target, element.html);
        }
    }
    report
}
