//! A notification's text template: literal text with `{placeholder}`s, checked against its
//! topic's placeholders when the config is read, so rendering cannot fail. `{{` and `}}` are
//! literal braces.

use super::notice::{Notice, Topic, COMMON_FIELDS};

/// A checked template of one topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    Field(&'static str),
}

/// Why a template text was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("unknown placeholder {{{name}}}; expected one of {expected}")]
    UnknownField { name: String, expected: String },
    #[error("a `{{` at byte {at} is not closed (write `{{{{` for a literal brace)")]
    Unclosed { at: usize },
    #[error("a `}}` at byte {at} closes nothing (write `}}}}` for a literal brace)")]
    Unopened { at: usize },
}

impl Template {
    /// Parses `text` as a template of `topic`.
    ///
    /// # Errors
    ///
    /// A placeholder the topic does not have, or a brace that is neither a placeholder's nor
    /// doubled.
    pub fn parse(topic: Topic, text: &str) -> Result<Self, TemplateError> {
        let known = |name: &str| {
            topic
                .fields()
                .iter()
                .chain(&COMMON_FIELDS)
                .copied()
                .find(|f| *f == name)
        };
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut rest = text.char_indices().peekable();
        while let Some((at, c)) = rest.next() {
            match c {
                '{' if rest.peek().is_some_and(|&(_, next)| next == '{') => {
                    rest.next();
                    literal.push('{');
                }
                '}' if rest.peek().is_some_and(|&(_, next)| next == '}') => {
                    rest.next();
                    literal.push('}');
                }
                '}' => return Err(TemplateError::Unopened { at }),
                '{' => {
                    let name: String = rest.by_ref().map(|(_, c)| c).take_while(|c| *c != '}').collect();
                    // `take_while` consumed the closing brace if there was one.
                    if !text[at..].contains('}') || name.contains('{') {
                        return Err(TemplateError::Unclosed { at });
                    }
                    let field = known(name.trim()).ok_or_else(|| TemplateError::UnknownField {
                        name: name.clone(),
                        expected: topic
                            .fields()
                            .iter()
                            .chain(&COMMON_FIELDS)
                            .map(|f| format!("{{{f}}}"))
                            .collect::<Vec<_>>()
                            .join(" "),
                    })?;
                    if !literal.is_empty() {
                        parts.push(Part::Text(std::mem::take(&mut literal)));
                    }
                    parts.push(Part::Field(field));
                }
                c => literal.push(c),
            }
        }
        if !literal.is_empty() {
            parts.push(Part::Text(literal));
        }
        Ok(Self { parts })
    }

    /// The topic's default text (which parses).
    pub fn default_of(topic: Topic) -> Self {
        Self::parse(topic, topic.default_template()).unwrap_or_else(|_| Self {
            parts: vec![Part::Text(topic.code().to_owned())],
        })
    }

    /// The text for `notice`, which must be of the template's topic; a placeholder it lacks
    /// is left empty.
    pub fn render(&self, notice: &Notice) -> String {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Text(text) => out.push_str(text),
                Part::Field(name) => out.push_str(notice.field(name).unwrap_or_default()),
            }
        }
        out
    }
}

/// A webhook's template of each topic: the host's default where the config sets none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Templates {
    by_topic: [Template; 4],
}

impl Default for Templates {
    fn default() -> Self {
        Self {
            by_topic: Topic::ALL.map(Template::default_of),
        }
    }
}

impl Templates {
    pub fn of(&self, topic: Topic) -> &Template {
        &self.by_topic[index(topic)]
    }

    pub fn set(&mut self, topic: Topic, template: Template) {
        self.by_topic[index(topic)] = template;
    }
}

fn index(topic: Topic) -> usize {
    match topic {
        Topic::Fill => 0,
        Topic::Risk => 1,
        Topic::Quarantine => 2,
        Topic::VenueDisconnect => 3,
    }
}

#[cfg(test)]
mod tests {
    use super::super::notice::tests::{fill_event, published};
    use super::*;

    #[test]
    fn placeholders_are_filled_and_doubled_braces_are_literal() {
        let notice = Notice::of(&published(fill_event())).unwrap();
        let template =
            Template::parse(Topic::Fill, "{{bot}} {strategy} {side} {qty}@{price} {event} {time}}}").unwrap();
        assert_eq!(
            template.render(&notice),
            "{bot} grid buy 0.01@98450.5 fill 2020-01-03T09:30:00Z}"
        );
        assert_eq!(
            Template::default_of(Topic::Fill).render(&notice),
            "grid: buy 0.01 BTC/USD at 98450.5 (fee 0.9845, order grid-1, partially_filled)"
        );
        assert_eq!(Template::parse(Topic::Fill, "").unwrap().render(&notice), "");
        assert_eq!(
            Template::parse(Topic::Fill, "{ price }").unwrap().render(&notice),
            "98450.5",
            "spaces inside the braces are allowed"
        );
    }

    #[test]
    fn every_default_template_parses() {
        for topic in Topic::ALL {
            assert!(Template::parse(topic, topic.default_template()).is_ok(), "{topic:?}");
        }
    }

    #[test]
    fn bad_templates_say_what_is_wrong() {
        let unknown = Template::parse(Topic::Quarantine, "{strategy} on {symbol}").unwrap_err();
        assert_eq!(
            unknown.to_string(),
            "unknown placeholder {symbol}; expected one of {strategy} {failures} {event} {time}"
        );
        assert_eq!(
            Template::parse(Topic::Fill, "price {price").unwrap_err(),
            TemplateError::Unclosed { at: 6 }
        );
        assert_eq!(
            Template::parse(Topic::Fill, "{a{price}").unwrap_err(),
            TemplateError::Unclosed { at: 0 }
        );
        assert_eq!(
            Template::parse(Topic::Fill, "done} {price}").unwrap_err(),
            TemplateError::Unopened { at: 4 }
        );
        assert!(Template::parse(Topic::Fill, "{}").is_err());
    }
}
